//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong while preparing text.
#[derive(Debug, Error)]
pub enum Error {
    /// An I/O failure, with the path or stream it concerns.
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written (usually a path).
        context: String,
        /// The underlying failure.
        source: std::io::Error,
    },
}

/// The crate's result alias.
pub type Result<T> = std::result::Result<T, Error>;
