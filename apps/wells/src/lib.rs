//! `wells`: the lesson's oil-well production forecast and assignment 2. See README.md for the flags.
//!
//! The binary is a thin wrapper over this library, which `lab` (the whole lesson in one run) calls too:
//! [`pipeline::forecast`] runs one forecast for the given [`cli::Args`] and returns its figures
//! ([`pipeline::Outcome`]); [`pipeline::run`] is the binary's run (that, then printing and writing).

mod bundle;
pub mod cli;
mod net;
pub mod pipeline;
pub mod plots;
pub mod report;
