//! `char-rnn`: the lesson's assignment 4. Trains a next-character RNN on the equal-length sentences of a
//! cleaned text (index arrays: the one-hot input is a row lookup of the first kernel), reports held-out bits
//! per character each epoch, keeps the best model, and generates text one character at a time. Without a
//! subcommand it trains a small model on the project's sample story and prints samples.
//!
//! The binary is a thin wrapper over this library, which `lab` (the whole lesson in one run) calls too:
//! [`train::train`] returns the run's figures ([`train::Outcome`]) instead of only printing them.

pub mod bundle;
pub mod cli;
pub mod data;
pub mod generate;
pub mod init;
pub mod resume;
pub mod train;
