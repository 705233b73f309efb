//! `w2v`: Word2Vec on a book — train, query, evaluate, plot. See README.md.

mod cli;
mod eval_cmd;
mod plot_cmd;
mod progress;
mod query;
mod train_cmd;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, TrainArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    appkit::run(|| match cli.command {
        None => train_cmd::run(&TrainArgs::parse_defaults()),
        Some(Command::Train(args)) => train_cmd::run(&args),
        Some(Command::Similar(args)) => query::similar(&args),
        Some(Command::Analogy(args)) => query::analogy(&args),
        Some(Command::Vector(args)) => query::vector(&args),
        Some(Command::Eval(args)) => eval_cmd::run(&args),
        Some(Command::Plot(args)) => plot_cmd::run(&args),
    })
}
