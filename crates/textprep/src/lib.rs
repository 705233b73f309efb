#![doc = include_str!("../README.md")]

pub mod clean;
pub mod error;
pub mod sentences;
pub mod utf8;

pub use clean::{CleanConfig, Cleaner, is_line_break};
pub use error::{Error, Result};
pub use sentences::{
    DEFAULT_TERMINATORS, Overflow, SentenceConfig, SentenceReader, Sentences, raw_sentences,
    sentences,
};
pub use utf8::{BOM, Utf8Policy, Utf8Reader, decode_bytes, read_text, strip_bom};
