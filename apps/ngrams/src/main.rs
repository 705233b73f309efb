//! `ngrams`: the lesson's CountVectorizer models, or a file vectorized with the same options.

mod cli;
mod lesson;
mod numpy_print;
mod vectorize_file;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    appkit::run(|| {
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
        match &args.input {
            Some(input) => vectorize_file::run(&args, input, &mut out)?,
            None => lesson::print_lesson(&mut out)?,
        }
        out.flush()?;
        Ok(())
    })
}
