//! Command-line flags.

use std::path::PathBuf;

use clap::Parser;

/// Clean a text, cut a fragment of it into equal-length sentences and one-hot encode them for numpy.
///
/// Writes X (one-hot inputs, float32, shape (n_sentences, sentence_len, encoding_size)), Y (the next-character
/// targets: X shifted by one character, same shape) and the alphabet (JSON list of one-character strings in index
/// order). Sentence k covers characters [k*stride, k*stride + L) and its targets [k*stride + 1, k*stride + L + 1).
#[derive(Debug, Parser)]
#[command(name = "onehot", version)]
pub struct Args {
    /// The text to encode (UTF-8, a byte-order mark is skipped). Default: the project's sample Russian story.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Use only the first N characters of the cleaned text (default: all of it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fragment_chars: Option<u64>,

    /// Characters per sentence, L.
    #[arg(long, value_name = "L", default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..))]
    pub sentence_len: u64,

    /// Characters between the starts of consecutive sentences (default: L, no overlap).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(1..))]
    pub stride: Option<u64>,

    /// Characters kept besides letters and spaces, e.g. ".,!?-" for a character model (default: none, the
    /// assignment's letters and spaces).
    #[arg(long, value_name = "CHARS", default_value = "")]
    pub keep: String,

    /// Keep line breaks (one "\n" per paragraph break) instead of turning them into spaces.
    #[arg(long)]
    pub keep_newlines: bool,

    /// Keep letter case instead of lowercasing.
    #[arg(long)]
    pub keep_case: bool,

    /// Replace invalid UTF-8 with U+FFFD (then dropped by cleaning) instead of stopping with an error.
    #[arg(long)]
    pub lossy: bool,

    /// Where to write X, the one-hot inputs (.npy).
    #[arg(long, value_name = "PATH", default_value = "out/onehot/X.npy")]
    pub out: PathBuf,

    /// Where to write Y, the one-hot next-character targets (default: Y.npy beside X).
    #[arg(long, value_name = "PATH")]
    pub out_y: Option<PathBuf>,

    /// Where to write the alphabet JSON (default: alphabet.json beside X).
    #[arg(long, value_name = "PATH")]
    pub out_alphabet: Option<PathBuf>,

    /// Also write the index arrays (uint32, shape (n_sentences, sentence_len)) as `<X stem>_indices.npy` and
    /// `<Y stem>_indices.npy` beside X and Y: the same data without the one-hot blow-up.
    #[arg(long)]
    pub indices: bool,
}
