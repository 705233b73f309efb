//! `--input`: vectorize a file of one document per line and print a summary or the CSR matrix as JSON.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use textprep::vectorize::{CountVectorizer, CountVectorizerConfig, CsrMatrix};
use textprep::{Utf8Policy, read_text};

use crate::cli::Args;

/// Splits a text into documents: one per line, "\n" or "\r\n" endings, no extra document after a final line
/// ending (what `bench/ngrams.py` does in Python).
pub fn documents(text: &str) -> Vec<&str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    body.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

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
    let text = read_text(input, Utf8Policy::Strict)?;
    let docs = documents(&text);
    let mut vectorizer = CountVectorizer::new(config)?;
    let counts = vectorizer
        .fit_transform(&docs)
        .with_context(|| format!("cannot vectorize {}", input.display()))?;
    let names = vectorizer.feature_names()?;
    if args.json {
        write_json(out, names, &counts)?;
    } else {
        write_summary(out, input, names, &counts, args.top)?;
    }
    // The process ends right after this: freeing a vocabulary of hundreds of thousands of strings one by one
    // would only delay the exit (measurably, on a novel). The operating system reclaims the memory.
    std::mem::forget(vectorizer);
    std::mem::forget(counts);
    std::mem::forget(text);
    Ok(())
}

/// `{"feature_names": [...], "shape": [r, c], "nnz": n, "indptr": [...], "indices": [...], "data": [...]}`.
fn write_json(out: &mut impl Write, names: &[String], counts: &CsrMatrix) -> Result<()> {
    let (rows, cols) = counts.shape();
    out.write_all(b"{\"feature_names\": ")?;
    write_strings(out, names)?;
    write!(
        out,
        ", \"shape\": [{rows}, {cols}], \"nnz\": {}, \"indptr\": ",
        counts.nnz()
    )?;
    write_numbers(out, counts.indptr().iter().map(|&v| v as u64))?;
    out.write_all(b", \"indices\": ")?;
    write_numbers(out, counts.indices().iter().map(|&v| u64::from(v)))?;
    out.write_all(b", \"data\": ")?;
    write_numbers(out, counts.data().iter().map(|&v| v.unsigned_abs()))?;
    out.write_all(b"}\n")?;
    Ok(())
}

/// A JSON array of strings; strings without a character JSON must escape are copied as they are.
fn write_strings(out: &mut impl Write, strings: &[String]) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    buf.push(b'[');
    for (i, text) in strings.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            serde_json::to_writer(&mut buf, text)?;
        } else {
            buf.push(b'"');
            buf.extend_from_slice(text.as_bytes());
            buf.push(b'"');
        }
        if buf.len() > (1 << 16) - 256 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.push(b']');
    out.write_all(&buf)?;
    Ok(())
}

/// A JSON array of non-negative integers, formatted by hand (the arrays hold hundreds of thousands of numbers).
fn write_numbers(out: &mut impl Write, numbers: impl Iterator<Item = u64>) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    buf.push(b'[');
    let mut digits = [0u8; 20];
    for (i, mut value) in numbers.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        buf.extend_from_slice(&digits[at..]);
        if buf.len() > (1 << 16) - 64 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.push(b']');
    out.write_all(&buf)?;
    Ok(())
}

fn write_summary(
    out: &mut impl Write,
    input: &Path,
    names: &[String],
    counts: &CsrMatrix,
    top: usize,
) -> Result<()> {
    let (rows, cols) = counts.shape();
    let mut totals = vec![0i64; cols];
    for (&col, &value) in counts.indices().iter().zip(counts.data()) {
        totals[col as usize] += value;
    }
    let mut order: Vec<usize> = (0..cols).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(totals[c]));
    writeln!(
        out,
        "{}: {rows} documents, {cols} features, {} stored counts",
        input.display(),
        counts.nnz()
    )?;
    writeln!(out, "top features by total count:")?;
    for &c in order.iter().take(top) {
        writeln!(out, "{:>10}  {}", totals[c], names[c])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_json_arrays() {
        let mut out = Vec::new();
        write_numbers(&mut out, [0, 7, 10, 123_456_789_012, u64::MAX].into_iter()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[0,7,10,123456789012,18446744073709551615]"
        );
        let mut out = Vec::new();
        write_numbers(&mut out, std::iter::empty()).unwrap();
        assert_eq!(out, b"[]");
    }

    #[test]
    fn strings_are_json_arrays() {
        let names: Vec<String> = ["он", "a\"b", "tab\there", "back\\", "\u{2028}"]
            .map(String::from)
            .to_vec();
        let mut out = Vec::new();
        write_strings(&mut out, &names).unwrap();
        let parsed: Vec<String> = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, names);
        assert_eq!(serde_json::to_vec(&names).unwrap(), out);
    }

    #[test]
    fn lines_are_documents() {
        assert_eq!(documents("a\r\nb\n\nc\n"), ["a", "b", "", "c"]);
        assert_eq!(documents("a\nb"), ["a", "b"]);
        assert_eq!(documents("\n"), [""]);
        assert!(documents("").is_empty());
        assert_eq!(documents("x\u{2028}y\r"), ["x\u{2028}y"]);
    }
}
