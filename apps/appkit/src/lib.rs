//! Shared presentation for the rnnlab apps.
//!
#![doc = include_str!("../README.md")]
//!
//! Everything that two or more binaries in `apps/` would otherwise repeat lives here:
//! - [`cpu`]: the process's CPU time (for figures measured on a loaded machine);
//! - [`output`]: atomic file output (temporary file beside the target, then rename);
//! - [`exit`]: the top-level runner that turns an error into a one-line message, exit code 1 (data) or 2 (usage);
//! - [`plot`]: SVG line charts, subplot grids, loss curves and labelled scatters, written atomically;
//! - [`heatmap`]: labelled heat maps (attention weights) with a colour bar;
//! - [`report`]: a run report as Markdown and as one HTML page with the plots embedded.
//!
//! Library crates never depend on this crate; they read from `impl Read` and write to `impl Write`.

/// CPU time of the running process (`tensor::cpu_time`, where the crates' benchmark examples read it too).
pub use tensor::cpu_time as cpu;
pub mod exit;
pub mod hash;
pub mod heatmap;
pub mod malloc;
pub mod output;
pub mod plot;
pub mod pool;
pub mod report;

pub use exit::{UsageError, run, usage};
pub use output::{write_atomic, write_json_atomic};
