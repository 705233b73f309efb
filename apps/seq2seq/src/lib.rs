//! `seq2seq`: train an encoder–decoder with (or without) Bahdanau attention on Russian number
//! words ↔ digits or string reversal, compare it with the plain encoder–decoder and beam search,
//! and translate with an attention heat map.
//!
//! The binary is a thin wrapper over this library, which `lab` (the whole lesson in one run) calls too.
#![doc = include_str!("../README.md")]

pub mod commands;
pub mod data;
pub mod train;
