//! `--input`: vectorize a file of one document per line and print a summary or the CSR matrix as JSON.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use textprep::vectorize::{CountVectorizer, CountVectorizerConfig, CsrMatrix, TermList};
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
    // The options come from flags: one CountVectorizer rejects is a usage error (exit 2), found
    // before the input is read.
    let mut vectorizer = CountVectorizer::new(config).map_err(|e| appkit::usage(e.to_string()))?;
    let text = read_text(input, Utf8Policy::Strict)?;
    let docs = documents(&text);
    let counts = vectorizer
        .fit_transform(&docs)
        .with_context(|| format!("cannot vectorize {}", input.display()))?;
    let names = vectorizer.terms()?;
    if args.json {
        write_json(out, names, &counts, usize::from(args.threads))?;
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
///
/// The document is built in two buffers sized up front, the names and the numbers (side by side when `threads`
/// is above 1), and written with two calls; the only newline ends the second.
fn write_json(
    out: &mut impl Write,
    names: &TermList,
    counts: &CsrMatrix,
    threads: usize,
) -> Result<()> {
    let name_part = || -> Result<Vec<u8>> {
        let mut json = Vec::with_capacity(names.concatenated().len() + 3 * names.len() + 32);
        json.extend_from_slice(b"{\"feature_names\": ");
        write_strings(&mut json, names)?;
        Ok(json)
    };
    let (name_json, number_json) = if threads > 1 {
        std::thread::scope(|scope| {
            let names = scope.spawn(name_part);
            let numbers = number_part(counts);
            let names = names
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (names, numbers)
        })
    } else {
        (name_part(), number_part(counts))
    };
    out.write_all(&name_json?)?;
    out.write_all(&number_json?)?;
    Ok(())
}

/// The JSON after the feature names: `, "shape": ..., "data": [...]}` and the final newline.
fn number_part(counts: &CsrMatrix) -> Result<Vec<u8>> {
    let (rows, cols) = counts.shape();
    let mut json = Vec::with_capacity(8 * (rows + 1) + 10 * counts.nnz() + 256);
    write!(
        json,
        ", \"shape\": [{rows}, {cols}], \"nnz\": {}, \"indptr\": ",
        counts.nnz()
    )?;
    write_numbers(&mut json, counts.indptr().iter().map(|&v| v as u64));
    json.extend_from_slice(b", \"indices\": ");
    write_numbers(&mut json, counts.indices().iter().map(|&v| u64::from(v)));
    json.extend_from_slice(b", \"data\": ");
    write_numbers(&mut json, counts.data().iter().map(|&v| v.unsigned_abs()));
    json.extend_from_slice(b"}\n");
    Ok(json)
}

/// Appends a JSON array of strings; strings without a character JSON must escape are copied as they are
/// (checked once for the whole list, as a list of n-grams of word tokens never has one).
fn write_strings(json: &mut Vec<u8>, strings: &TermList) -> Result<()> {
    const WINDOW: usize = 32;
    let all = strings.concatenated().as_bytes();
    let any_escape = needs_escape(strings.concatenated());
    json.push(b'[');
    let mut start = 0;
    for (i, text) in strings.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        if any_escape && needs_escape(text) {
            serde_json::to_writer(&mut *json, text)?;
        } else {
            json.push(b'"');
            // A short term is copied as the fixed-size window of the concatenated terms that starts with it, then
            // cut to length: an inlined copy instead of a `memcpy` call per term.
            match all.get(start..start + WINDOW) {
                Some(window) if text.len() <= WINDOW => {
                    let at = json.len();
                    json.extend_from_slice(
                        <&[u8; WINDOW]>::try_from(window).unwrap_or(&[0; WINDOW]),
                    );
                    json.truncate(at + text.len());
                }
                _ => json.extend_from_slice(text.as_bytes()),
            }
            json.push(b'"');
        }
        start += text.len();
    }
    json.push(b']');
    Ok(())
}

/// Whether `text` holds a byte JSON must escape.
///
/// Blocks of 64 bytes are tested without an early exit (a loop the compiler turns into vector instructions), the
/// tail byte by byte.
fn needs_escape(text: &str) -> bool {
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut blocks = text.as_bytes().chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| special(b))
}

/// Appends a JSON array of non-negative integers, formatted by hand (the arrays hold hundreds of thousands).
fn write_numbers(json: &mut Vec<u8>, numbers: impl Iterator<Item = u64>) {
    json.push(b'[');
    for (i, value) in numbers.enumerate() {
        if i > 0 {
            json.push(b',');
        }
        match u32::try_from(value) {
            // Most counts are 1.
            Ok(digit) if digit < 10 => json.push(b'0' + digit as u8),
            Ok(small) if small < 100_000_000 => push_eight_digits_or_fewer(json, small),
            _ => push_decimal(json, value),
        }
    }
    json.push(b']');
}

/// Appends `value` (below 10^8) in decimal without a division or a branch on its length: its eight digits
/// are computed side by side in the bytes of one `u64` (most significant in the lowest byte), the leading
/// zeros are counted with one `trailing_zeros`, and the digits are appended as one fixed 8-byte copy cut to
/// length.
#[inline]
fn push_eight_digits_or_fewer(buf: &mut Vec<u8>, value: u32) {
    let digits = eight_digits(value);
    let leading_zeros = (digits.trailing_zeros() / 8).min(7);
    let ascii = (digits >> (8 * leading_zeros)) + u64::from_le_bytes([b'0'; 8]);
    let start = buf.len();
    buf.extend_from_slice(&ascii.to_le_bytes());
    buf.truncate(start + 8 - leading_zeros as usize);
}

/// The eight decimal digits of `value` (below 10^8), one per byte, the most significant in the lowest byte.
///
/// The two halves `value / 10^4` and `value % 10^4` go into the two 32-bit lanes of a `u64`; each lane is split
/// into hundreds by a multiply-shift (`x * 10486 >> 20 == x / 100` for `x < 10^4`), the resulting four 16-bit
/// lanes into tens (`x * 103 >> 10 == x / 10` for `x < 100`). No lane overflows into the next.
#[inline]
fn eight_digits(value: u32) -> u64 {
    let value = u64::from(value);
    let merged = (value / 10_000) | ((value % 10_000) << 32);
    let hundreds_high = ((merged * 10_486) >> 20) & ((0x7F << 32) | 0x7F);
    let hundreds_low = merged - 100 * hundreds_high;
    let hundreds = (hundreds_low << 16) | hundreds_high;
    let tens_high = ((hundreds * 103) >> 10) & ((0xF << 48) | (0xF << 32) | (0xF << 16) | 0xF);
    let tens_low = hundreds - 10 * tens_high;
    (tens_low << 8) | tens_high
}

/// The two-digit decimal strings "00" to "99", concatenated.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `value` in decimal, two digits per division (half the divisions of one digit at a time).
///
/// The digits are made left-aligned in a 20-byte array that is appended whole and then cut to length: a
/// fixed-size copy the compiler inlines, where a copy of a variable length would call `memcpy` per number.
#[inline]
fn push_decimal(buf: &mut Vec<u8>, mut value: u64) {
    if value < 10 {
        // Most counts are 1.
        buf.push(b'0' + value as u8);
        return;
    }
    let len = value.ilog10() as usize + 1;
    let mut digits = [0u8; 20];
    let mut end = len;
    while value >= 100 {
        let pair = 2 * (value % 100) as usize;
        value /= 100;
        end -= 2;
        digits[end] = DIGIT_PAIRS[pair];
        digits[end + 1] = DIGIT_PAIRS[pair + 1];
    }
    if value >= 10 {
        let pair = 2 * value as usize;
        digits[0] = DIGIT_PAIRS[pair];
        digits[1] = DIGIT_PAIRS[pair + 1];
    } else {
        digits[0] = b'0' + value as u8;
    }
    let start = buf.len();
    buf.extend_from_slice(&digits);
    buf.truncate(start + len);
}

fn write_summary(
    out: &mut impl Write,
    input: &Path,
    names: &TermList,
    counts: &CsrMatrix,
    top: usize,
) -> Result<()> {
    let (rows, cols) = counts.shape();
    let mut totals = vec![0i64; cols];
    for (&col, &value) in counts.indices().iter().zip(counts.data()) {
        totals[col as usize] += value;
    }
    // The `top` largest totals (ties in column order), found without sorting all the columns.
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
        counts.nnz()
    )?;
    writeln!(out, "top features by total count:")?;
    for &c in order.iter().take(top) {
        let name = names.get(c).unwrap_or_default();
        writeln!(out, "{:>10}  {name}", totals[c])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_json_arrays() {
        let mut out = Vec::new();
        write_numbers(&mut out, [0, 7, 10, 123_456_789_012, u64::MAX].into_iter());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[0,7,10,123456789012,18446744073709551615]"
        );
        let mut out = Vec::new();
        write_numbers(&mut out, std::iter::empty());
        assert_eq!(out, b"[]");
    }

    #[test]
    fn eight_digit_decimals_match_std_formatting() {
        let mut edges: Vec<u32> = (0..8)
            .flat_map(|e| {
                let p = 10u32.pow(e);
                [p - 1, p, p + 1, 2 * p - 1, 5 * p]
            })
            .collect();
        edges.push(99_999_999);
        // Every value below 2 * 10^6, then a stride through the rest of the range.
        let values = (0..2_000_000)
            .chain((2_000_000..100_000_000).step_by(997))
            .chain(edges);
        let mut buf = Vec::new();
        for value in values {
            buf.clear();
            buf.push(b'x');
            push_eight_digits_or_fewer(&mut buf, value);
            assert_eq!(buf, format!("x{value}").into_bytes());
        }
    }

    #[test]
    fn decimals_match_std_formatting() {
        let powers = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1]
        });
        for value in (0..100_000).chain(powers).chain([u64::MAX, u64::MAX / 3]) {
            let mut buf = b"x".to_vec();
            push_decimal(&mut buf, value);
            assert_eq!(buf, format!("x{value}").into_bytes());
        }
    }

    #[test]
    fn strings_are_json_arrays() {
        let names: Vec<String> = ["он", "a\"b", "tab\there", "back\\", "\u{2028}"]
            .map(String::from)
            .to_vec();
        let list: TermList = names.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        write_strings(&mut out, &list).unwrap();
        let parsed: Vec<String> = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, names);
        assert_eq!(serde_json::to_vec(&names).unwrap(), out);
        let plain = ["он", "ab c", ""];
        let mut out = Vec::new();
        write_strings(&mut out, &plain.into_iter().collect()).unwrap();
        assert_eq!(serde_json::to_vec(&plain).unwrap(), out);
    }

    #[test]
    fn escapes_are_found_at_every_position() {
        for len in 0..20 {
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{1f}', '\0'] {
                    let mut text: Vec<char> = "абвгдеёжзийклмнопрс".chars().take(len).collect();
                    assert!(!needs_escape(&text.iter().collect::<String>()));
                    text[at] = special;
                    assert!(needs_escape(&text.iter().collect::<String>()), "{len} {at}");
                }
            }
        }
        assert!(!needs_escape(
            "plain ASCII text with spaces, ! # ~ and \u{7f}"
        ));
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
