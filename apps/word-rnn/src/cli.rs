//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Next-word RNN on Word2Vec vectors: train on a book's cleaned sentences, report held-out perplexity
/// against unigram and Kneser-Ney bigram baselines, generate text word by word. Without a subcommand:
/// train a small model on the fixture story (Word2Vec first, then the network).
#[derive(Debug, Parser)]
#[command(name = "word-rnn", version, args_override_self = true)]
pub struct Cli {
    /// What to do (default: `train` with its defaults, on the fixture story).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model and save the best epoch (by held-out perplexity) in a model directory.
    Train(Box<TrainArgs>),
    /// Generate text from a saved model.
    Generate(GenerateArgs),
}

/// The recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CellKind {
    /// Long short-term memory.
    Lstm,
    /// Gated recurrent unit (Keras `reset_after`).
    Gru,
    /// Elman RNN with tanh.
    Rnn,
}

/// How dropout masks are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DropoutMask {
    /// One mask per stream and feature, the same at every step of a batch.
    Variational,
    /// A fresh mask at every step.
    PerStep,
}

impl DropoutMask {
    /// The flag's value naming it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Variational => "variational",
            Self::PerStep => "per-step",
        }
    }
}

/// `word-rnn train` flags.
#[derive(Debug, Clone, Parser)]
#[command(name = "train", args_override_self = true)]
pub struct TrainArgs {
    /// The book (UTF-8, a byte-order mark is skipped). Default: the project's fixture story.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Word2Vec vectors (word2vec binary or text format, e.g. from `w2v train --out`). Without it, Word2Vec
    /// is trained first on the training part of the same sentences (the held-out tail is left out, so it is
    /// never seen before it is scored): CBOW, window 5, min_count 1, --dim wide, --w2v-epochs passes.
    #[arg(long, value_name = "FILE")]
    pub vectors: Option<PathBuf>,

    /// Embedding width: the Word2Vec dimension when training it here; with --vectors it must equal the
    /// file's dimension (checked).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub dim: Option<u64>,

    /// Passes of the Word2Vec trained here (without --vectors). The default is the lesson's assignment 1
    /// (gensim `Word2Vec(..., epochs=100)`); gensim's own default, 5, is faster but gives this network much
    /// weaker starting vectors.
    #[arg(long, value_name = "N", default_value_t = 100, conflicts_with = "vectors",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub w2v_epochs: u64,

    /// The model directory to write (model.safetensors and word-rnn.json).
    #[arg(long, value_name = "DIR", default_value = "out/word-rnn/model")]
    pub out: PathBuf,

    /// Use only the first N words of the cleaned book (default: all of them), e.g. for a quick run on a novel.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fragment_words: Option<u64>,

    /// Vocabulary size: the N − 1 most frequent training words and `<unk>`, to which the rest map.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub vocab_size: u64,

    /// Training words seen fewer times than this map to `<unk>` as well, so the network learns how often
    /// an unknown word comes (1: keep every word up to --vocab-size).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_count: u64,

    /// Steps per batch: the length back-propagation is truncated to (the state is carried further).
    #[arg(long, value_name = "L", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub seq_len: u64,

    /// Keep the Word2Vec embedding fixed.
    #[arg(long, conflicts_with = "fine_tune")]
    pub freeze_embeddings: bool,

    /// Train the embedding table too, starting from the Word2Vec vectors (the default; the flag only
    /// makes it explicit).
    #[arg(long)]
    pub fine_tune: bool,

    /// The recurrent cell.
    #[arg(long, value_enum, default_value_t = CellKind::Lstm)]
    pub cell: CellKind,

    /// Give the output layer its own (units × vocabulary) kernel. By default it is tied to the embedding
    /// (the logit of a word is the last layer's output, projected to the embedding width when --units
    /// differs, dotted with that word's vector, plus a bias): half the weights, and less overfitting on a
    /// book-sized text.
    #[arg(long)]
    pub untie: bool,

    /// Train with a sampled softmax: each batch is scored against its own target words plus K distinct words
    /// drawn from a log-uniform (Zipfian) proposal over the frequency-ordered vocabulary, each drawn word's
    /// logit lowered by the log of its chance of being drawn (Jean et al. 2015; TensorFlow's sampler and
    /// correction, with the candidates shared by the batch), instead of against the whole vocabulary. The
    /// output layer then costs about (K + targets) / vocabulary of the full one. Held-out perplexity and
    /// generation use the full softmax. Needs the tied output layer (not --untie); a K that reaches the
    /// number of words that are not the batch's targets is the full softmax.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub sampled_softmax: Option<u64>,

    /// Hidden units per recurrent layer.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    pub units: u64,

    /// Stacked recurrent layers.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub layers: u64,

    /// Dropout rate on every recurrent layer's output (between recurrent layers and before the output
    /// layer), in [0, 1); also on the embedding's output unless --input-dropout is given.
    #[arg(long, default_value_t = 0.4)]
    pub dropout: f32,

    /// Dropout rate on the embedding's output (the first recurrent layer's input), in [0, 1) (default: --dropout).
    #[arg(long, value_name = "RATE")]
    pub input_dropout: Option<f32>,

    /// How dropout masks are drawn: `variational`, one mask per stream and feature shared by every step of a
    /// batch (Gal & Ghahramani 2016), or `per-step`, a fresh mask for every word.
    #[arg(long, value_enum, default_value_t = DropoutMask::Variational)]
    pub dropout_mask: DropoutMask,

    /// Embedding (whole-word) dropout: the fraction of the vocabulary dropped for each training batch; every
    /// occurrence of a dropped word in the batch reads a zero vector (the others are scaled by 1 / (1 − rate)),
    /// in [0, 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.1)]
    pub word_dropout: f32,

    /// Decoupled weight decay (AdamW): after each step every trained weight is multiplied by
    /// 1 − lr · DECAY (0: off).
    #[arg(long, value_name = "DECAY", default_value_t = 0.2)]
    pub weight_decay: f32,

    /// Contiguous streams of the text read side by side: the rows of each batch.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,

    /// Passes over the training sequences.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub epochs: u64,

    /// Adam learning rate (PyTorch's formula, betas 0.9/0.999, eps 1e-8).
    #[arg(long, default_value_t = 3e-3)]
    pub lr: f32,

    /// Multiply the learning rate by this after every epoch whose held-out perplexity is not the best so
    /// far (1: constant).
    #[arg(long, default_value_t = 0.5)]
    pub lr_decay: f32,

    /// Clip the gradients' global norm to this value (0 turns clipping off).
    #[arg(long, default_value_t = 5.0)]
    pub clip: f32,

    /// Fraction of the words, taken from the end of the text, held out for validation.
    #[arg(long, default_value_t = 0.1)]
    pub valid_fraction: f64,

    /// Threads sharing each batch (and training Word2Vec). One thread repeats bit for bit; with more,
    /// the network's training repeats for a given thread count, but Word2Vec's (when it is trained here,
    /// without --vectors) depends on the threads' timing, as gensim's does, so runs differ slightly.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: u64,

    /// Seed of the weights, the shuffling, dropout, Word2Vec and the samples.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Words of the sample printed after each epoch (0: none).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub sample_len: usize,

    /// Write an SVG plot of training and held-out perplexity by epoch, with the baselines.
    #[arg(long, value_name = "FILE")]
    pub loss_plot: Option<PathBuf>,

    /// Write the run's figures as JSON.
    #[arg(long, value_name = "FILE")]
    pub metrics_json: Option<PathBuf>,

    /// Continue the interrupted run whose checkpoint (checkpoint.safetensors, written after every epoch) is in
    /// DIR (default: the --out directory) up to --epochs; every other setting and the data must be those of the
    /// interrupted run. With the same --threads the result equals an uninterrupted run bit for bit.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub resume: Option<Option<PathBuf>>,

    /// Also write the prepared data to DIR for the PyTorch peer in bench/: train_x.npy, train_y.npy (the
    /// training streams, uint32 word ids, streams × length), valid_ids.npy (the held-out words),
    /// embedding.npy (float32, vocab × dim) and vocab.json.
    #[arg(long, value_name = "DIR")]
    pub export_data: Option<PathBuf>,
}

impl TrainArgs {
    /// The settings of `word-rnn` without arguments: every default, on the fixture story.
    pub fn demo() -> Self {
        Self::parse_from(["train"])
    }

    /// The dropout rate on the embedding's output: `--input-dropout`, else `--dropout`.
    pub fn input_dropout(&self) -> f32 {
        self.input_dropout.unwrap_or(self.dropout)
    }

    /// Whether the embedding is trained: unless `--freeze-embeddings`.
    pub fn fine_tunes(&self) -> bool {
        !self.freeze_embeddings
    }
}

/// `word-rnn generate` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// The model directory written by `word-rnn train`.
    #[arg(long, value_name = "DIR", default_value = "out/word-rnn/model")]
    pub model: PathBuf,

    /// Words to start from, cleaned like the training text; words outside the vocabulary are read as
    /// `<unk>` (with a warning on stderr).
    #[arg(long, default_value = "раскольников")]
    pub prime: String,

    /// Words to generate after the prime.
    #[arg(long, default_value_t = 40)]
    pub len: usize,

    /// Softmax temperature (> 0): lower is more conservative, higher more surprising.
    #[arg(long, default_value_t = 0.8)]
    pub temperature: f32,

    /// Draw only among the K most likely words.
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,

    /// Allow the model to emit `<unk>` (by default it is never drawn).
    #[arg(long)]
    pub allow_unk: bool,

    /// Seed of the draws.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}
