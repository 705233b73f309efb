//! The crate's error type.

/// Everything that can go wrong in `nn`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor-level failure (shapes of a matrix product, an initialiser argument).
    #[error(transparent)]
    Tensor(#[from] tensor::Error),
    /// Two shapes do not fit in an op or a layer.
    #[error("{context}: shapes {left:?} and {right:?} do not fit")]
    Shape {
        /// The op or layer (with its name) where the mismatch happened.
        context: String,
        /// The first shape.
        left: Vec<usize>,
        /// The second shape.
        right: Vec<usize>,
    },
    /// An argument or configuration value is invalid.
    #[error("{0}")]
    Invalid(String),
    /// A name (activation, optimiser, loss, layer kind) is unknown; lists the valid ones.
    #[error("unknown {kind} {name:?}; valid: {valid}")]
    UnknownName {
        /// What kind of name it is.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma separated.
        valid: String,
    },
    /// The input data contains a NaN or an infinity.
    #[error("{what} contains a non-finite value ({value}) at flat index {index}")]
    NonFiniteInput {
        /// Which input (x, y, validation x, ...).
        what: String,
        /// Flat (row-major) index of the first bad value.
        index: usize,
        /// The bad value.
        value: f32,
    },
    /// Training diverged: the loss became NaN or infinite.
    #[error(
        "loss became {loss} at epoch {epoch}, batch {batch}; training stopped (try a lower learning rate or gradient clipping)"
    )]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// The loss value.
        loss: f32,
    },
    /// Training diverged: a gradient became NaN or infinite (the loss was still finite). The
    /// step was not taken, so the model keeps the weights of the last good step.
    #[error(
        "the gradient of {param} became {value} (flat index {index}) at epoch {epoch}, batch {batch}; training stopped (try a lower learning rate or gradient clipping)"
    )]
    NonFiniteGradient {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// The parameter's name.
        param: String,
        /// Flat (row-major) index of the first bad element.
        index: usize,
        /// The bad value.
        value: f32,
    },
    /// `backward` was called on a tape that does not record (inference mode) or on a non-scalar.
    #[error("backward: {0}")]
    Backward(String),
    /// Reading or writing a model or weight file failed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// An I/O error without a file name.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Build a [`Error::Shape`].
pub(crate) fn shape_err(context: impl Into<String>, left: &[usize], right: &[usize]) -> Error {
    Error::Shape {
        context: context.into(),
        left: left.to_vec(),
        right: right.to_vec(),
    }
}
