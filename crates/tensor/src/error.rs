//! The crate's error type.

/// Everything that can go wrong in `tensor`.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// Two operands have shapes that do not fit together.
    #[error("{op}: shapes {left:?} and {right:?} do not fit")]
    ShapeMismatch {
        /// The operation that failed.
        op: &'static str,
        /// Shape of the left operand.
        left: Vec<usize>,
        /// Shape of the right operand.
        right: Vec<usize>,
    },
    /// An argument is outside its valid range.
    #[error("{what}: {message}")]
    InvalidArgument {
        /// The argument or operation.
        what: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
