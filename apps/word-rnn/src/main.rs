//! `word-rnn`: the lesson's assignment 5. Trains a next-word RNN whose embedding is the Word2Vec
//! vectors of assignment 1 (frozen or fine-tuned; trained here first when no vectors file is given),
//! reports held-out perplexity each epoch against unigram and Kneser-Ney bigram baselines, keeps the
//! best model, and generates text word by word. Without a subcommand it runs the whole assignment on
//! the fixture story.

mod bundle;
mod cli;
mod data;
mod generate;
mod train;
mod vectors;

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
