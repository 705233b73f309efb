#![doc = include_str!("../README.md")]
// Test support: a failed file operation or an unexpected output is a failed test, so `expect` is the point.
#![allow(clippy::unwrap_used)]

mod damage;
mod outcome;
mod resume;
mod trained;

pub use damage::{edit_safetensors_header, flip_byte_from_end, replace, truncate, write};
pub use outcome::{check, check_code};
pub use resume::{
    Train, check_divergence_keeps_files, check_missing_checkpoint_refused,
    check_resumed_equals_straight, ok, read,
};
pub use trained::{copy_dir, trained_once};

use std::path::Path;
use std::process::{Command, Output};

/// One app binary under test, named by the path Cargo gives integration tests (`env!("CARGO_BIN_EXE_<name>")`).
#[derive(Debug, Clone, Copy)]
pub struct App {
    bin: &'static str,
}

impl App {
    /// The app whose binary is at `bin`.
    pub const fn new(bin: &'static str) -> Self {
        Self { bin }
    }

    /// Runs the app in `dir` with `args` and returns what it printed and its exit status.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new(self.bin)
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{} runs: {e}", self.bin))
    }
}
