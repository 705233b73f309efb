//! `word-rnn`: the lesson's assignment 5 (see the library's documentation and README.md).

use std::process::ExitCode;

use clap::Parser;
use word_rnn::{cli, generate, train};

fn main() -> ExitCode {
    appkit::malloc::keep_freed_memory();
    let args = cli::Cli::parse();
    appkit::run(|| match args.command {
        Some(cli::Command::Generate(g)) => generate::run(&g),
        Some(cli::Command::Train(t)) => train::run(&t),
        None => train::run(&cli::TrainArgs::demo()),
    })
}
