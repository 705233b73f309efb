//! `char-rnn`: the lesson's assignment 4. Trains a next-character RNN on the equal-length sentences of a
//! cleaned text (index arrays: the one-hot input is a row lookup of the first kernel), reports held-out bits
//! per character each epoch, keeps the best model, and generates text one character at a time. Without a
//! subcommand it trains a small model on the project's sample story and prints samples.

mod bundle;
mod cli;
mod data;
mod generate;
mod train;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    appkit::run(|| match args.command {
        Some(cli::Command::Generate(g)) => generate::run(&g),
        Some(cli::Command::Train(t)) => train::run(&t),
        None => train::run(&cli::TrainArgs::demo()),
    })
}
