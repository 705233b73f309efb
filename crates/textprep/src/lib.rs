#![doc = include_str!("../README.md")]

pub mod alphabet;
pub mod clean;
pub mod error;
pub mod ngram_lm;
pub mod npy;
pub mod sample;
pub mod sentences;
pub mod sequences;
pub mod utf8;
pub mod vectorize;

pub use alphabet::Alphabet;
pub use clean::{CleanConfig, CleanedPrefix, Cleaner, is_line_break};
pub use error::{Error, Result};
pub use npy::write_npy;
pub use sentences::{
    DEFAULT_TERMINATORS, Overflow, SentenceConfig, SentenceReader, Sentences, raw_sentences,
    sentences,
};
pub use sequences::{CharSequences, SequenceConfig, argmax_last_axis, fragment, one_hot};
pub use utf8::{BOM, Utf8Policy, Utf8Reader, decode_bytes, read_text, strip_bom};
pub use vectorize::{
    Analyzer, CountVectorizer, CountVectorizerConfig, CsrMatrix, DocFrequency, Vocabulary,
};
