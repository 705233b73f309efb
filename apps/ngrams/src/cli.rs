//! Command-line flags.

use std::path::PathBuf;

use clap::Parser;
use textprep::vectorize::{Analyzer, DocFrequency};

/// Bag-of-words and n-gram counts exactly as scikit-learn's CountVectorizer computes them.
///
/// Without arguments, prints the lesson's two models (unigrams, then 1–2-grams) on
/// ['он не делает работу', 'не он делает работу'] as numpy and Python print them. With --input, vectorizes a
/// file with one document per line (UTF-8, an optional BOM is dropped, lines end at "\n" with an optional "\r"
/// before it, and a final line ending does not start another document).
#[derive(Debug, Parser)]
#[command(name = "ngrams", version)]
pub struct Args {
    /// Text file to vectorize, one document per line.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Smallest and largest n, e.g. 1,2.
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_ngram_range, default_value = "1,1", requires = "input")]
    pub ngram_range: (usize, usize),
    /// word, char or char_wb.
    #[arg(long, value_parser = parse_analyzer, default_value = "word", requires = "input")]
    pub analyzer: Analyzer,
    /// Ignore features in fewer documents: an integer is a count, a number with '.' a fraction.
    #[arg(long, value_parser = parse_doc_frequency, default_value = "1", requires = "input")]
    pub min_df: DocFrequency,
    /// Ignore features in more documents: an integer is a count, a number with '.' a fraction.
    #[arg(long, value_parser = parse_doc_frequency, default_value = "1.0", requires = "input")]
    pub max_df: DocFrequency,
    /// Keep only the N features with the highest total count.
    #[arg(long, value_name = "N", requires = "input")]
    pub max_features: Option<usize>,
    /// Count presence (1) instead of occurrences.
    #[arg(long, requires = "input")]
    pub binary: bool,
    /// File of stop words, one per line (blank lines skipped).
    #[arg(long, value_name = "FILE", requires = "input")]
    pub stop_words: Option<PathBuf>,
    /// Keep the case of the text.
    #[arg(long, requires = "input")]
    pub no_lowercase: bool,
    /// Worker threads, 1 to 256 (the result does not depend on it).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Print the CSR matrix as JSON instead of a summary.
    #[arg(long, requires = "input")]
    pub json: bool,
    /// Files larger than this many bytes are streamed: read in batches, twice for --json, in memory that grows
    /// with the vocabulary rather than the file (smaller files are read whole: one pass, faster).
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20, requires = "input")]
    pub stream_above: u64,
    /// How many of the most frequent features the summary lists.
    #[arg(long, default_value_t = 10, requires = "input")]
    pub top: usize,
}

fn parse_ngram_range(text: &str) -> Result<(usize, usize), String> {
    let (min, max) = text.split_once(',').ok_or("expected MIN,MAX such as 1,2")?;
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("'{s}' is not a whole number"))
    };
    Ok((parse(min)?, parse(max)?))
}

fn parse_analyzer(text: &str) -> Result<Analyzer, String> {
    text.parse().map_err(|err: textprep::Error| err.to_string())
}

fn parse_doc_frequency(text: &str) -> Result<DocFrequency, String> {
    text.parse().map_err(|err: textprep::Error| err.to_string())
}
