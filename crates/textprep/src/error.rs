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
    /// Bytes that are not UTF-8 (under [`Utf8Policy::Strict`](crate::Utf8Policy::Strict)).
    #[error("{input}: invalid UTF-8 at byte offset {offset}")]
    InvalidUtf8 {
        /// The input's name (its path when reading a file).
        input: String,
        /// Absolute offset of the first bad byte from the start of the input (a byte-order mark counts).
        offset: u64,
    },
    /// A configuration value that cannot work, named with the reason.
    #[error("invalid {name}: {reason}")]
    InvalidConfig {
        /// The field or parameter at fault.
        name: &'static str,
        /// Why it is rejected.
        reason: String,
    },
}

/// The crate's result alias.
pub type Result<T> = std::result::Result<T, Error>;
