//! `ngrams`: the lesson's CountVectorizer models, or a file vectorized with the same options.

mod cli;
mod json;
mod lesson;
mod numpy_print;
mod vectorize_file;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::fd::AsFd;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    appkit::run(|| {
        let mut out = BufWriter::with_capacity(1 << 16, stdout_unbuffered());
        match &args.input {
            Some(input) => vectorize_file::run(&args, input, &mut out)?,
            None => lesson::print_lesson(&mut out)?,
        }
        out.flush()?;
        Ok(())
    })
}

/// Standard output without the standard library's line buffering (which scans every write for a newline: a
/// measurable share of writing megabytes of JSON): a duplicate of its descriptor as a plain file, or the usual
/// handle if it cannot be duplicated. The caller buffers.
fn stdout_unbuffered() -> Box<dyn Write> {
    let stdout = std::io::stdout();
    match stdout.as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(File::from(fd)),
        Err(_) => Box::new(stdout.lock()),
    }
}
