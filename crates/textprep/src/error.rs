//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong while preparing text.
#[derive(Debug, Error)]
pub enum Error {
    /// An I/O failure, with the path or stream it concerns. The message includes the underlying failure, so it is
    /// deliberately not also exposed as `source()` (a report printing the chain would repeat it).
    #[error("{context}: {error}")]
    Io {
        /// What was being read or written (usually a path).
        context: String,
        /// The underlying failure.
        error: std::io::Error,
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
    /// No characters to build an alphabet from (an empty text, or nothing left after cleaning).
    #[error("the text has no characters to build an alphabet from")]
    EmptyAlphabet,
    /// A character given twice when building an alphabet.
    #[error("character {} is in the alphabet twice", describe_char(*.ch))]
    DuplicateChar {
        /// The repeated character.
        ch: char,
    },
    /// A character to encode that the alphabet does not have.
    #[error("character {} at position {position} is not in the alphabet", describe_char(*.ch))]
    UnknownChar {
        /// The character.
        ch: char,
        /// Its position in the text, in characters from 0.
        position: usize,
    },
    /// An index to decode or one-hot encode that is not below the alphabet size.
    #[error("index {index} at position {position} is not below the alphabet size {len}")]
    IndexOutOfRange {
        /// The index.
        index: u32,
        /// Its position in the index sequence (row by row for arrays), from 0.
        position: usize,
        /// The alphabet size.
        len: usize,
    },
    /// Too few characters for even one sequence and its next-character target.
    #[error(
        "sentence length {sentence_len} needs at least {} characters ({sentence_len} and the next one), but the text has {available}",
        *sentence_len as u128 + 1
    )]
    TextTooShort {
        /// The sequence length asked for.
        sentence_len: usize,
        /// Characters one sequence consumes (`sentence_len + 1`; `usize::MAX` when that overflows, and the
        /// message then names the true count).
        needed: usize,
        /// Characters available.
        available: usize,
    },
    /// An array too large to allocate: its shape overflows the address space or the allocator refused it.
    #[error("the {what} of shape {shape} needs {bytes} bytes, more than can be allocated")]
    ArrayTooLarge {
        /// Which array (e.g. "one-hot array").
        what: &'static str,
        /// Its shape as a Python tuple, e.g. `(1000000, 100, 60)`.
        shape: String,
        /// Bytes it would take.
        bytes: u128,
    },
    /// An alphabet file that is not a JSON list of one-character strings.
    #[error("invalid alphabet JSON: {reason}")]
    InvalidAlphabetJson {
        /// What is wrong with it.
        reason: String,
    },
    /// Writing a `.npy` file failed.
    #[error("cannot write .npy: {reason}")]
    Npy {
        /// The underlying failure.
        reason: String,
    },
    /// `ngram_range` with `min_n > max_n` (sklearn's message).
    #[error(
        "Invalid value for ngram_range=({min_n}, {max_n}) lower boundary larger than the upper boundary."
    )]
    NgramRangeReversed {
        /// The lower bound given.
        min_n: usize,
        /// The upper bound given.
        max_n: usize,
    },
    /// `ngram_range` starting at 0 (sklearn would produce empty-string n-grams).
    #[error("Invalid value for ngram_range=(0, {max_n}): n-grams start at n = 1.")]
    NgramRangeFromZero {
        /// The upper bound given.
        max_n: usize,
    },
    /// `max_df` resolves to fewer documents than `min_df` (sklearn's message).
    #[error("max_df corresponds to < documents than min_df")]
    MaxDfBelowMinDf,
    /// The document-frequency window or `max_features` removed every term (sklearn's message).
    #[error("After pruning, no terms remain. Try a lower min_df or a higher max_df.")]
    NoTermsRemain,
    /// The documents yield no feature at all (sklearn's message).
    #[error("empty vocabulary; perhaps the documents only contain stop words")]
    EmptyVocabulary,
    /// A fixed vocabulary without terms (sklearn's message).
    #[error("empty vocabulary passed to fit")]
    EmptyFixedVocabulary,
    /// A fixed vocabulary listing a term twice.
    #[error("Duplicate term in vocabulary: '{term}'")]
    DuplicateVocabularyTerm {
        /// The repeated term.
        term: String,
    },
    /// `transform` or `feature_names` before `fit` without a fixed vocabulary (sklearn's message).
    #[error("Vocabulary not fitted or provided")]
    NotFitted,
}

/// The crate's result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// A character as error messages show it: `'ё' (U+0451)`, with control and non-space whitespace characters
/// escaped (`'\n' (U+000A)`) so the message stays on one line.
fn describe_char(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') {
        format!("'{}' (U+{:04X})", c.escape_default(), c as u32)
    } else {
        format!("'{c}' (U+{:04X})", c as u32)
    }
}
