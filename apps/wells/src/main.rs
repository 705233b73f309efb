//! `wells`: the lesson's oil-well production forecast and assignment 2 (see the library's documentation and
//! README.md).

use clap::Parser;
use wells::{cli, pipeline};

fn main() -> std::process::ExitCode {
    appkit::malloc::keep_freed_memory();
    let args = cli::Args::parse();
    appkit::run(|| pipeline::run(&args))
}
