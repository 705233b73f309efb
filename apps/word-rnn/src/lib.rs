//! `word-rnn`: the lesson's assignment 5. Trains a next-word RNN whose embedding is the Word2Vec
//! vectors of assignment 1 (frozen or fine-tuned; trained here first when no vectors file is given),
//! reports held-out perplexity each epoch against unigram and Kneser-Ney bigram baselines, keeps the
//! best model, and generates text word by word. Without a subcommand it runs the whole assignment on
//! the fixture story.

//!
//! The binary is a thin wrapper over this library, which `lab` (the whole lesson in one run) calls too:
//! [`train::train`] returns the run's figures ([`train::Outcome`]) instead of only printing them.

pub mod bundle;
pub mod cli;
pub mod data;
pub mod generate;
pub mod resume;
pub mod stateful;
pub mod train;
pub mod vectors;
