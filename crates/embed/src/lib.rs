#![doc = include_str!("../README.md")]

mod corpus;
mod dealer;
mod decimal;
pub mod error;
pub mod eval;
pub mod format;
mod kernel;
mod keyed;
pub mod lm_vocab;
mod params;
mod pca;
pub mod sampling;
mod shared;
mod text;
mod train;
mod vocab;

pub use corpus::Corpus;
pub use error::{Error, Result};
pub use eval::{AnalogyScore, PairScore, SectionScore, evaluate_analogies, evaluate_word_pairs};
pub use format::{VectorFormat, load_word2vec, read_word2vec, write_word2vec};
pub use keyed::{KeyedVectors, format_neighbours};
pub use params::{Architecture, MAX_DIM, Word2VecParams};
pub use pca::pca_2d;
pub use text::{FileCorpus, encode_file, scan_file};
/// textprep's sentence configuration, re-exported for [`scan_file`] and [`encode_file`].
pub use textprep::SentenceConfig;
pub use train::{Progress, ProgressFn, Source, Store, SyncPolicy, TrainStats, train, train_with};
pub use vocab::{Vocab, VocabBuilder};
