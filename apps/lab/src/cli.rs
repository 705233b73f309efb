//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Runs the whole lesson on recurrent networks (n-grams, Word2Vec, the well forecast, one-hot sentences,
/// character and word generation, seq2seq with attention) and writes a report with every figure and plot.
/// Each part runs the same code as its own app; the report gives the command that reproduces it.
#[derive(Debug, Clone, Parser)]
#[command(name = "lab", version)]
pub struct Args {
    /// A book (UTF-8 text) for the text assignments instead of the project's sample story.
    #[arg(long, value_name = "PATH")]
    pub book: Option<PathBuf>,

    /// A well-production CSV (columns API, Year, Month, Liquid, Gas, Water) instead of the synthetic fixture.
    #[arg(long, value_name = "PATH")]
    pub wells: Option<PathBuf>,

    /// Run only these parts (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PARTS")]
    pub only: Vec<Part>,

    /// Directory for report.md, report.html, plots/ and each part's files.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,

    /// Seed of every random thing (weights, shuffling, sampling, data splits).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// A smoke run in seconds: tiny models, one or two epochs (the figures mean little).
    #[arg(long)]
    pub quick: bool,
}

/// A part of the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// Bag of words and n-grams (CountVectorizer).
    Ngrams,
    /// Assignment 1: Word2Vec on a book.
    W2v,
    /// The worked example and assignment 2: LSTM forecast of well production.
    Wells,
    /// Assignment 3: one-hot sentences.
    Onehot,
    /// Assignment 4: next-character RNN.
    CharRnn,
    /// Assignment 5: next-word RNN on Word2Vec vectors.
    WordRnn,
    /// Seq2seq with attention.
    Seq2seq,
}

impl Part {
    /// Every part, in the lesson's order.
    pub const ALL: [Part; 7] = [
        Part::Ngrams,
        Part::W2v,
        Part::Wells,
        Part::Onehot,
        Part::CharRnn,
        Part::WordRnn,
        Part::Seq2seq,
    ];

    /// The app (package) that answers this part.
    pub fn app(self) -> &'static str {
        match self {
            Part::Ngrams => "ngrams",
            Part::W2v => "w2v",
            Part::Wells => "wells",
            Part::Onehot => "onehot",
            Part::CharRnn => "char-rnn",
            Part::WordRnn => "word-rnn",
            Part::Seq2seq => "seq2seq",
        }
    }
}

impl Args {
    /// The parts to run, in the lesson's order.
    pub fn parts(&self) -> Vec<Part> {
        Part::ALL
            .into_iter()
            .filter(|p| self.only.is_empty() || self.only.contains(p))
            .collect()
    }
}
