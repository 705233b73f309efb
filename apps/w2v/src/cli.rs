//! Command-line flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Word2Vec on a book: train (default), similar, analogy, vector, eval, plot.
#[derive(Debug, Parser)]
#[command(name = "w2v", version, about)]
pub struct Cli {
    /// What to do; without a subcommand, `train` runs with its defaults on the bundled fixture story.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean a text, train Word2Vec, print corpus statistics and nearest neighbours, save the vectors.
    Train(TrainArgs),
    /// Nearest words to the sum of positive and negated negative words (gensim's most_similar).
    Similar(SimilarArgs),
    /// Solve "A is to B as C is to ?" by `B − A + C` (gensim's `most_similar(positive=[B, C], negative=[A])`).
    Analogy(AnalogyArgs),
    /// Print a word's vector.
    Vector(VectorArgs),
    /// Analogy accuracy and word-pair correlation.
    Eval(EvalArgs),
    /// A 2-D PCA map of chosen words and their neighbours, as SVG.
    Plot(PlotArgs),
}

/// `w2v train`. Defaults are the lesson's gensim call: `Word2Vec(sentences, vector_size=100, min_count=1,
/// window=5, epochs=100)` (CBOW).
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The book (UTF-8, a BOM is fine). Default: the bundled fixture story (fixtures/text/story.txt).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Where to save the vectors (word2vec format). Default: not saved.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip-gram.
    #[arg(long, conflicts_with = "cbow")]
    pub sg: bool,
    /// CBOW (the default, as gensim).
    #[arg(long)]
    pub cbow: bool,
    /// Vector dimension.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub dim: u32,
    /// Context window (maximum distance).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub window: u32,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = 1)]
    pub min_count: u64,
    /// Keep at most this many most frequent words.
    #[arg(long)]
    pub max_vocab: Option<usize>,
    /// Negative samples per word.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub negative: u32,
    /// Frequent-word subsampling threshold (0 = off).
    #[arg(long, default_value_t = 1e-3)]
    pub sample: f64,
    /// Passes over the corpus.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: u32,
    /// Initial learning rate.
    #[arg(long, default_value_t = 0.025)]
    pub alpha: f32,
    /// Final learning rate.
    #[arg(long, default_value_t = 0.0001)]
    pub min_alpha: f32,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Split sentences longer than this many words (textprep's sentence cap; the pieces stay sentences).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_sentence_len: Option<u64>,
    /// Save in the binary word2vec format (the default).
    #[arg(long, conflicts_with = "text")]
    pub binary: bool,
    /// Save in the text word2vec format.
    #[arg(long)]
    pub text: bool,
    /// Words to show neighbours of (default: the five most frequent words of at least four letters).
    #[arg(long, num_args = 1..)]
    pub query: Vec<String>,
    /// Neighbours shown per query word.
    #[arg(long, default_value_t = 8)]
    pub topn: usize,
    /// Write run metrics (corpus size, time, words/s, threads, seed) as JSON.
    #[arg(long)]
    pub metrics_json: Option<PathBuf>,
    /// Write the cleaned sentences, one per line, words separated by single spaces (what `bench/w2v.py` feeds
    /// gensim so both train on identical sentences).
    #[arg(long)]
    pub dump_sentences: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Keep the first epoch's word ids for the later epochs only if they fit in this many MiB (default 64;
    /// 0: read the file every epoch). For measurements.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u64).range(0..=1 << 30))]
    pub cache_mb: Option<u64>,
    /// How threads share the weights (for measurements; see embed's shared.rs): auto, atomic, or
    /// replicas:WORDS:HOT_ROWS:TAIL_BLOCKS (replicas with that sync policy, even for one thread).
    #[arg(long, default_value = "auto", value_parser = parse_sharing, hide = true)]
    pub sharing: embed::Store,
}

impl TrainArgs {
    /// The defaults, as `w2v train` with no flags.
    pub fn parse_defaults() -> Self {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: TrainArgs,
        }
        Wrapper::parse_from(["w2v"]).args
    }
}

/// Where to read vectors from.
#[derive(Debug, Args)]
pub struct VectorsArg {
    /// A word2vec file (binary or text, detected).
    #[arg(long)]
    pub vectors: PathBuf,
}

/// `w2v similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    #[command(flatten)]
    pub vectors: VectorsArg,
    /// Positive words.
    #[arg(required = true)]
    pub words: Vec<String>,
    /// Negative words.
    #[arg(long = "minus", num_args = 1..)]
    pub negative: Vec<String>,
    /// How many neighbours.
    #[arg(long, default_value_t = 8)]
    pub topn: usize,
}

/// `w2v analogy A B C`: B − A + C.
#[derive(Debug, Args)]
pub struct AnalogyArgs {
    #[command(flatten)]
    pub vectors: VectorsArg,
    /// A (subtracted).
    pub a: String,
    /// B.
    pub b: String,
    /// C.
    pub c: String,
    /// How many answers.
    #[arg(long, default_value_t = 8)]
    pub topn: usize,
}

/// `w2v vector WORD`.
#[derive(Debug, Args)]
pub struct VectorArgs {
    #[command(flatten)]
    pub vectors: VectorsArg,
    /// The word.
    pub word: String,
}

/// `w2v eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub vectors: VectorsArg,
    /// Analogy questions in questions-words.txt format.
    #[arg(long)]
    pub analogies: Option<PathBuf>,
    /// Word pairs with human scores: `word1<TAB>word2<TAB>score`, `#` comments.
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// Only the most frequent N words take part (gensim's restrict_vocab).
    #[arg(long, default_value_t = 300_000)]
    pub restrict_vocab: usize,
}

/// `w2v plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    #[command(flatten)]
    pub vectors: VectorsArg,
    /// Words to place (comma- or space-separated).
    #[arg(long, num_args = 1.., value_delimiter = ',', required = true)]
    pub words: Vec<String>,
    /// Also place this many nearest neighbours of each word.
    #[arg(long, default_value_t = 5)]
    pub neighbours: usize,
    /// The SVG file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Parses `--sharing`.
fn parse_sharing(text: &str) -> Result<embed::Store, String> {
    let bad = || format!("'{text}': expected auto, atomic or replicas:WORDS:HOT_ROWS:TAIL_BLOCKS");
    match text {
        "auto" => Ok(embed::Store::Auto),
        "atomic" => Ok(embed::Store::Atomic),
        _ => {
            let numbers: Vec<usize> = text
                .strip_prefix("replicas:")
                .ok_or_else(bad)?
                .split(':')
                .map(|n| n.parse::<usize>().map_err(|_| bad()))
                .collect::<Result<_, _>>()?;
            match numbers[..] {
                [words, hot_rows, tail_blocks] if words > 0 && tail_blocks > 0 => {
                    Ok(embed::Store::Replicas(embed::SyncPolicy {
                        words,
                        hot_rows,
                        tail_blocks,
                    }))
                }
                _ => Err(bad()),
            }
        }
    }
}
