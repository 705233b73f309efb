//! Streams a text file as cleaned sentences, one per line (words separated by one space), in bounded memory.
//!
//! `cargo run --release -p rnnlab-textprep --example sentences -- BOOK.txt [MAX_WORDS] > sentences.txt`
//!
//! This is the lesson's preparation for Word2Vec (split into sentences, clean, split words, cap at 12 words);
//! `bench/clean.py` times it against the same steps in Python.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use textprep::{SentenceConfig, SentenceReader};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: sentences FILE [MAX_WORDS]")?;
    let max_words = match args.next() {
        Some(n) => Some(
            n.parse::<usize>()
                .map_err(|e| format!("MAX_WORDS {n:?}: {e}"))?,
        ),
        None => None,
    };
    let config = SentenceConfig {
        max_words,
        ..SentenceConfig::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut n_sentences, mut n_words) = (0usize, 0usize);
    for sentence in SentenceReader::open(&path, &config).map_err(|e| e.to_string())? {
        let sentence = sentence.map_err(|e| e.to_string())?;
        n_sentences += 1;
        n_words += sentence.len();
        writeln!(out, "{}", sentence.join(" ")).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    eprintln!("{path}: {n_sentences} sentences, {n_words} words");
    Ok(())
}
