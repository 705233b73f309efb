//! `onehot`: the lesson's assignment 3. Cleans a text, takes a fragment, cuts it into equal-length sentences,
//! one-hot encodes them with their next-character targets and writes them as `.npy` files with the alphabet as
//! JSON. Run without flags it works on the project's sample story.

mod cli;
mod prepare;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    appkit::run(|| prepare::run(&args))
}
