//! `wells`: the lesson's oil-well production forecast and assignment 2. See README.md for the flags.

mod bundle;
mod cli;
mod net;
mod pipeline;
mod plots;
mod report;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Args::parse();
    appkit::run(|| pipeline::run(&args))
}
