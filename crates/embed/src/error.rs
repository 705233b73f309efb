//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong while building a vocabulary, training, querying, evaluating or reading vectors.
#[derive(Debug, Error)]
pub enum Error {
    /// An I/O failure, with the path or stream it concerns. The I/O error is part of the message,
    /// not a `source()`, so a report that joins an error's causes does not print it twice.
    #[error("{context}: {error}")]
    Io {
        /// What was being read or written (usually a path).
        context: String,
        /// The underlying failure.
        error: std::io::Error,
    },
    /// Reading or splitting a text file failed (I/O, invalid UTF-8 with its byte offset, bad cleaning options).
    #[error(transparent)]
    Text(#[from] textprep::Error),
    /// A hyper-parameter is out of range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name, as in [`crate::Word2VecParams`].
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// The corpus has no tokens at all.
    #[error("the corpus contains no words")]
    EmptyCorpus,
    /// `min_count` (or `max_vocab`) removed every word.
    #[error(
        "min_count = {min_count} leaves no vocabulary ({unique} distinct words, the most frequent seen {max_count} times)"
    )]
    EmptyVocabulary {
        /// The threshold that was applied.
        min_count: u64,
        /// Distinct words before filtering.
        unique: usize,
        /// The highest count of any word.
        max_count: u64,
    },
    /// A query word is not in the vocabulary.
    #[error("word '{0}' not in vocabulary")]
    UnknownWord(String),
    /// A query that needs words got none, or not enough.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A vector has the wrong number of components.
    #[error("vector has {got} components, expected {expected}")]
    DimensionMismatch {
        /// The model's dimension.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// A word2vec file (or an evaluation file) is malformed.
    #[error("{source_name}: {message}")]
    Format {
        /// The file or stream name.
        source_name: String,
        /// What is wrong, with the line or record number.
        message: String,
    },
}

/// The crate's result alias.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Builds an [`Error::Io`] with a context string.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            error: source,
        }
    }

    /// Builds an [`Error::Format`].
    pub fn format(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Format {
            source_name: source_name.into(),
            message: message.into(),
        }
    }
}
