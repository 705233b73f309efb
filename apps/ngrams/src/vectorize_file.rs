//! `--input`: vectorize a file of one document per line and print a summary or the CSR matrix as JSON.
//!
//! Memory: a file of up to `--stream-above` bytes (32 MiB by default), and any input that is not a regular file, such as a pipe or
//! `/dev/stdin`, which cannot be read twice) is read whole and vectorized in one pass; a larger file is streamed
//! through [`LineDocuments`]: the summary needs one pass (vocabulary and per-feature counts), the JSON a second
//! pass that writes each document's row as it is counted, with the `indices` and `data` arrays spilled to
//! temporary files (they follow `indptr` in the output). Memory then grows with the vocabulary, not the file.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use textprep::vectorize::{
    ColumnStats, CountVectorizer, CountVectorizerConfig, DocumentSource, LineDocuments, TermList,
    split_lines,
};
use textprep::{Utf8Policy, read_text};

use crate::cli::Args;
use crate::json::JsonRows;

/// Reads the stop-word file: one word per line, surrounding whitespace trimmed, blank lines skipped.
fn stop_words(path: &Path) -> Result<Vec<String>> {
    let text = read_text(path, Utf8Policy::Strict)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Runs the `--input` mode.
pub fn run(args: &Args, input: &Path, out: &mut impl Write) -> Result<()> {
    let config = CountVectorizerConfig {
        lowercase: !args.no_lowercase,
        analyzer: args.analyzer,
        ngram_range: args.ngram_range,
        stop_words: args.stop_words.as_deref().map(stop_words).transpose()?,
        min_df: args.min_df,
        max_df: args.max_df,
        max_features: args.max_features,
        binary: args.binary,
        vocabulary: None,
        threads: usize::from(args.threads),
    };
    // The options come from flags: one CountVectorizer rejects is a usage error (exit 2), found
    // before the input is read.
    let mut vectorizer = CountVectorizer::new(config).map_err(|e| appkit::usage(e.to_string()))?;
    let streamed =
        std::fs::metadata(input).is_ok_and(|m| m.is_file() && m.len() > args.stream_above);
    let (text, docs, lines);
    let source: &dyn DocumentSource = if streamed {
        lines = LineDocuments::new(input, Utf8Policy::Strict);
        &lines
    } else {
        text = read_text(input, Utf8Policy::Strict)?;
        docs = split_lines(&text).collect::<Vec<&str>>();
        &docs
    };
    let context = |err: textprep::Error| -> anyhow::Error {
        match err {
            // Reading errors name the file already.
            textprep::Error::Io { .. } | textprep::Error::InvalidUtf8 { .. } => err.into(),
            other => {
                anyhow::Error::new(other).context(format!("cannot vectorize {}", input.display()))
            }
        }
    };
    if args.json {
        let mut json = JsonRows::new(out);
        vectorizer
            .fit_transform_to(source, &mut json)
            .map_err(context)?;
        json.finish()?;
    } else {
        let stats = vectorizer.fit_source(source).map_err(context)?;
        write_summary(out, input, vectorizer.terms()?, &stats, args.top)?;
    }
    // The process ends right after this: freeing a vocabulary of hundreds of thousands of strings one by one
    // would only delay the exit (measurably, on a novel). The operating system reclaims the memory.
    std::mem::forget(vectorizer);
    Ok(())
}

/// The shape, the number of stored counts and the `top` features by total count (ties in column order), found
/// without sorting all the columns.
fn write_summary(
    out: &mut impl Write,
    input: &Path,
    names: &TermList,
    stats: &ColumnStats,
    top: usize,
) -> Result<()> {
    let (rows, cols) = (stats.documents, names.len());
    let totals = &stats.totals;
    let by_total = |&c: &usize| (std::cmp::Reverse(totals[c]), c);
    let mut order: Vec<usize> = (0..cols).collect();
    if top < cols {
        order.select_nth_unstable_by_key(top, by_total);
        order.truncate(top);
    }
    order.sort_unstable_by_key(by_total);
    writeln!(
        out,
        "{}: {rows} documents, {cols} features, {} stored counts",
        input.display(),
        stats.nnz()
    )?;
    writeln!(out, "top features by total count:")?;
    for &c in order.iter().take(top) {
        let name = names.get(c).unwrap_or_default();
        writeln!(out, "{:>10}  {name}", totals[c])?;
    }
    Ok(())
}
