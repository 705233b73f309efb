//! `lab`: the whole lesson in one command. Runs every assignment (or `--only` some) on the project's fixtures or on
//! `--book` / `--wells`, shows progress, and writes `report.md` and `report.html` (plots embedded) into `--out`.

mod cli;
mod progress;
mod run;
mod steps;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    appkit::malloc::keep_freed_memory();
    let args = cli::Args::parse();
    appkit::run(|| run::run(&args))
}
