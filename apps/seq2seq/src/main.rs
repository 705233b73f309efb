//! `seq2seq`: Russian number words ↔ digits and string reversal with attention (see the library and
//! README.md).

use std::process::ExitCode;

use clap::Parser;
use seq2seq::commands::{Cli, Command, demo, train_command, translate_command};

fn main() -> ExitCode {
    appkit::malloc::keep_freed_memory();
    let cli = Cli::parse();
    appkit::run(|| match cli.command {
        Some(Command::Train(args)) => train_command(&args, &|line| println!("{line}")).map(|_| ()),
        Some(Command::Translate(args)) => translate_command(&args),
        None => demo(),
    })
}
