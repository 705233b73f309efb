//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `series`. Messages name the file, line, column or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the input failed (I/O or CSV framing such as an unequal number of fields).
    #[error("{source_name}: cannot read CSV: {message}")]
    Csv {
        /// The file (or stream name) being read.
        source_name: String,
        /// What the CSV reader reported, with its position.
        message: String,
    },
    /// A file could not be opened or written. The I/O error is part of the message, not a `source`, so an error
    /// chain (`{:#}`) prints it once.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The input has no header line or no data rows.
    #[error("{source_name}: empty file ({what})")]
    Empty {
        /// The file being read.
        source_name: String,
        /// Which part is missing: the header or the data rows.
        what: &'static str,
    },
    /// A required column is not in the header.
    #[error("{source_name}: missing required column `{column}` (header has: {header})")]
    MissingColumn {
        /// The file being read.
        source_name: String,
        /// The column that is required.
        column: String,
        /// The header as found, comma-separated.
        header: String,
    },
    /// A cell could not be used: not a number, empty, negative production, Month outside 1–12, ...
    #[error("{source_name}:{line}: column `{column}`: {problem} (cell: {value:?})")]
    BadCell {
        /// The file being read.
        source_name: String,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// The column's name.
        column: String,
        /// The cell's text.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The same (API, Year, Month) appears twice.
    #[error(
        "{source_name}: duplicate month for API {api}, {year}-{month:02}: lines {first_line} and {second_line}"
    )]
    DuplicateMonth {
        /// The file being read.
        source_name: String,
        /// The well.
        api: String,
        /// The year.
        year: i32,
        /// The month (1–12).
        month: u32,
        /// The first line with this key.
        first_line: u64,
        /// The line that repeats it.
        second_line: u64,
    },
    /// A feature was asked for that the data set does not hold.
    #[error("feature `{feature}` was not loaded (loaded: {loaded})")]
    FeatureNotLoaded {
        /// The feature asked for.
        feature: String,
        /// The features that were loaded.
        loaded: String,
    },
    /// Wells are shorter than the requested number of months and the policy is to reject them.
    #[error("{source_name}: {count} well(s) have fewer than {months} months: {list}")]
    ShortWells {
        /// The file the wells were read from.
        source_name: String,
        /// How many wells are too short.
        count: usize,
        /// The requested length.
        months: usize,
        /// `API (n months)` for each short well.
        list: String,
    },
    /// Fewer wells than the training wells plus one test well.
    #[error(
        "{source_name}: {wells} well(s) with {months} months, but {train_wells} training well(s) + at least 1 test well are needed"
    )]
    TooFewWells {
        /// The file the wells were read from.
        source_name: String,
        /// Wells with enough months.
        wells: usize,
        /// Months each well needs.
        months: usize,
        /// Training wells asked for.
        train_wells: usize,
    },
    /// Array shapes or sizes that do not fit together, or parameters out of range.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A scaler cannot be fitted because a feature has no spread (e.g. all zeros for a max scaler).
    #[error("cannot fit {scaler} scaler: feature {feature} {problem}")]
    DegenerateFeature {
        /// The scaler's name.
        scaler: &'static str,
        /// The feature's index.
        feature: usize,
        /// Why it cannot be fitted.
        problem: String,
    },
    /// A scaler read from outside (e.g. a saved model) has parameters that would give NaN, infinity or an
    /// out-of-range feature.
    #[error("invalid {scaler} scaler: {problem}")]
    InvalidScaler {
        /// The scaler's name (`global-max`, ...).
        scaler: String,
        /// The parameter at fault and its value.
        problem: String,
    },
    /// The forecasting model failed.
    #[error("model failed: {0}")]
    Model(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
