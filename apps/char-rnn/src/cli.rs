//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::init::Init;

/// Next-character RNN: train on a text's equal-length sentences, report held-out bits per character,
/// generate text one character at a time. Without a subcommand: train a small model on the sample story.
#[derive(Debug, Parser)]
#[command(name = "char-rnn", version, args_override_self = true)]
pub struct Cli {
    /// What to do (default: `train` with its defaults, on the sample story).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model and save the best epoch (by held-out bits per character) in a model directory.
    Train(TrainArgs),
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

/// `char-rnn train` flags.
#[derive(Debug, Clone, Parser)]
#[command(name = "train", args_override_self = true)]
pub struct TrainArgs {
    /// The text to learn (UTF-8, a byte-order mark is skipped). Default: the project's sample Russian story.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// The model directory to write (model.safetensors and char-rnn.json: the best epoch; checkpoint.safetensors:
    /// the last epoch, for --resume).
    #[arg(long, value_name = "DIR", default_value = "out/char-rnn/model")]
    pub out: PathBuf,

    /// Use only the first N characters of the cleaned text (default: all of it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fragment_chars: Option<u64>,

    /// Characters per sentence (the unrolled sequence length); targets are the sentence shifted by one.
    #[arg(long, visible_alias = "seq-len", value_name = "L", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub sentence_len: u64,

    /// Characters kept by cleaning besides letters and spaces.
    #[arg(long, value_name = "CHARS", default_value = ".,!?- ")]
    pub keep: String,

    /// The recurrent cell.
    #[arg(long, value_enum, default_value_t = CellKind::Lstm)]
    pub cell: CellKind,

    /// Hidden units per recurrent layer.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..))]
    pub units: u64,

    /// Stacked recurrent layers.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub layers: u64,

    /// How the weights start: PyTorch's nn.LSTM/GRU/RNN and nn.Linear initialisers (uniform ±1/√fan-in, two
    /// biases per recurrent layer) or Keras' (glorot-uniform, orthogonal, unit forget bias, one bias).
    #[arg(long, value_enum, default_value_t = Init::Pytorch)]
    pub init: Init,

    /// Dropout rate on each recurrent layer's output during training, in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f32,

    /// Sentences per gradient step.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,

    /// Passes over the training sentences.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..))]
    pub epochs: u64,

    /// Adam learning rate (PyTorch's formula, betas 0.9/0.999, eps 1e-8).
    #[arg(long, default_value_t = 4e-3)]
    pub lr: f32,

    /// Clip the gradients' global norm to this value (0 turns clipping off).
    #[arg(long, default_value_t = 5.0)]
    pub clip: f32,

    /// Fraction of the text, taken from its end, held out for validation.
    #[arg(long, default_value_t = 0.1)]
    pub valid_fraction: f64,

    /// Threads: each batch is cut into one shard per thread, and nothing else runs in parallel
    /// (results are reproducible for a given thread count).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: u64,

    /// Seed of the weights, the shuffling, dropout and the samples.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Characters of the sample printed after each epoch (0: none).
    #[arg(long, value_name = "N", default_value_t = 120)]
    pub sample_len: usize,

    /// Temperature of the per-epoch samples.
    #[arg(long, default_value_t = 0.5)]
    pub sample_temperature: f32,

    /// Write an SVG plot of training and held-out bits per character by epoch.
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

    /// Also write the prepared data to DIR for other tools (e.g. the PyTorch peer in bench/): the training and
    /// held-out sentences and targets as uint32 index arrays (train_x.npy, train_y.npy, valid_x.npy,
    /// valid_y.npy; one-hot = the alphabet row of each index) and alphabet.json.
    #[arg(long, value_name = "DIR")]
    pub export_data: Option<PathBuf>,
}

impl TrainArgs {
    /// The settings of `char-rnn` without arguments: every default, on the sample story.
    pub fn demo() -> Self {
        Self::parse_from(["train"])
    }
}

/// `char-rnn generate` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// The model directory written by `char-rnn train`.
    #[arg(long, value_name = "DIR", default_value = "out/char-rnn/model")]
    pub model: PathBuf,

    /// Text to start from (lowercased if the model was trained lowercase); every character must be in the
    /// model's alphabet.
    #[arg(long, default_value = "раскольников ")]
    pub prime: String,

    /// Characters to generate after the prime.
    #[arg(long, default_value_t = 500)]
    pub len: usize,

    /// Softmax temperature (> 0): lower is more conservative, higher more surprising.
    #[arg(long, default_value_t = 0.5)]
    pub temperature: f32,

    /// Draw only among the K most likely characters.
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,

    /// Seed of the draws.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}
