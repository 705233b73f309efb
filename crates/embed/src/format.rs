//! The word2vec file formats, as the original C tool and gensim write and read them.
//!
//! Both start with an ASCII header `"<words> <dim>\n"`. Then, per word:
//! - binary: the UTF-8 word, one space, `dim` little-endian `f32`, and a newline (the C tool's layout; gensim 4.4
//!   writes no newline but strips leading newlines from words when reading, so it reads ours, and we accept both);
//! - text: the word and the values separated by single spaces, then a newline. The values are formatted exactly as
//!   gensim's `save_word2vec_format` does (`str(np.float32)`: shortest round-trip digits, positional for
//!   `1e-4 <= |x| < 1e6`, else scientific like `1.5e-05`), so a gensim text file we load and save again is
//!   byte-identical (tested against a gensim-made fixture).
//!
//! Reading never trusts the header for allocation (at most 16 Mi floats are reserved up front; the rest grows as
//! records actually arrive), and every malformed header, short row, bad number, invalid UTF-8 word or truncated
//! body is an [`Error::Format`] naming the stream and the record.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::decimal::shortest;
use crate::error::{Error, Result};
use crate::keyed::KeyedVectors;

/// Which word2vec layout a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorFormat {
    /// Raw little-endian `f32` per value.
    Binary,
    /// Decimal text.
    Text,
}

/// Longest word accepted in a binary file (bytes); longer means the file is not what the header says.
const MAX_WORD_BYTES: usize = 1 << 16;
/// Floats reserved up front at most, whatever the header claims.
const MAX_PREALLOCATED_FLOATS: usize = 1 << 24;

/// Writes `kv` in the given format.
///
/// # Errors
/// [`Error::Io`] from the writer.
pub fn write_word2vec(kv: &KeyedVectors, format: VectorFormat, out: &mut dyn Write) -> Result<()> {
    let io = |e| Error::io("writing word2vec vectors", e);
    writeln!(out, "{} {}", kv.len(), kv.dim()).map_err(io)?;
    let mut line = String::new();
    for (i, word) in kv.words().iter().enumerate() {
        match format {
            VectorFormat::Binary => {
                out.write_all(word.as_bytes()).map_err(io)?;
                out.write_all(b" ").map_err(io)?;
                let mut bytes = Vec::with_capacity(kv.dim() * 4);
                for v in kv.row(i) {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                bytes.push(b'\n');
                out.write_all(&bytes).map_err(io)?;
            }
            VectorFormat::Text => {
                line.clear();
                line.push_str(word);
                for &v in kv.row(i) {
                    line.push(' ');
                    line.push_str(&numpy_f32_str(v));
                }
                line.push('\n');
                out.write_all(line.as_bytes()).map_err(io)?;
            }
        }
    }
    Ok(())
}

/// `str(np.float32(x))` as numpy 2 prints it (what gensim writes in text files).
pub fn numpy_f32_str(x: f32) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let decimal = shortest(&format!("{x:e}"), f64::from(x));
    if (1e-4..1e6).contains(&f64::from(x.abs())) {
        decimal.positional()
    } else {
        decimal.scientific()
    }
}

/// Reads a word2vec file, detecting binary or text from its first record.
///
/// # Errors
/// [`Error::Io`] if the file cannot be opened, [`Error::Format`] for malformed content.
pub fn load_word2vec(path: &Path) -> Result<KeyedVectors> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io(format!("cannot open {name}"), e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (count, dim) = read_header(&mut reader, &name)?;
    let format = sniff(&mut reader, &name, dim)?;
    read_body(&mut reader, &name, count, dim, format)
}

/// Reads a word2vec stream in a known format. `name` is used in error messages.
///
/// # Errors
/// [`Error::Format`] for malformed content, [`Error::Io`] for read failures.
pub fn read_word2vec(input: impl Read, format: VectorFormat, name: &str) -> Result<KeyedVectors> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let (count, dim) = read_header(&mut reader, name)?;
    read_body(&mut reader, name, count, dim, format)
}

fn read_header(reader: &mut impl BufRead, name: &str) -> Result<(usize, usize)> {
    let mut header = Vec::new();
    reader
        .by_ref()
        .take(256)
        .read_until(b'\n', &mut header)
        .map_err(|e| Error::io(format!("reading {name}"), e))?;
    if header.last() != Some(&b'\n') {
        return Err(Error::format(
            name,
            "header: expected '<words> <dimension>' on the first line",
        ));
    }
    let text =
        std::str::from_utf8(&header).map_err(|_| Error::format(name, "header is not text"))?;
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let parse = |s: &str, what: &str| {
        s.parse::<usize>().map_err(|_| {
            Error::format(
                name,
                format!("header: {what} '{s}' is not a non-negative integer"),
            )
        })
    };
    let [count, dim] = fields[..] else {
        return Err(Error::format(
            name,
            format!(
                "header: expected '<words> <dimension>', found '{}'",
                text.trim_end()
            ),
        ));
    };
    let (count, dim) = (parse(count, "word count")?, parse(dim, "dimension")?);
    if dim == 0 {
        return Err(Error::format(name, "header: dimension is 0"));
    }
    if dim > crate::params::MAX_DIM {
        return Err(Error::format(
            name,
            format!(
                "header: dimension {dim} is larger than {}",
                crate::params::MAX_DIM
            ),
        ));
    }
    if count
        .checked_mul(dim)
        .and_then(|n| n.checked_mul(4))
        .is_none()
    {
        return Err(Error::format(
            name,
            format!("header: {count} × {dim} values do not fit in memory"),
        ));
    }
    Ok((count, dim))
}

/// Binary if the first record's bytes after the word are not a line of `dim` decimal numbers.
fn sniff(reader: &mut impl BufRead, name: &str, dim: usize) -> Result<VectorFormat> {
    let buf = reader
        .fill_buf()
        .map_err(|e| Error::io(format!("reading {name}"), e))?;
    let line_end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let line = &buf[..line_end];
    let looks_text = std::str::from_utf8(line).is_ok_and(|l| {
        let mut parts = l.trim_end_matches('\r').split(' ');
        parts.next();
        let values: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
        values.len() == dim && values.iter().all(|v| v.parse::<f32>().is_ok())
    });
    Ok(if looks_text {
        VectorFormat::Text
    } else {
        VectorFormat::Binary
    })
}

fn read_body(
    reader: &mut impl BufRead,
    name: &str,
    count: usize,
    dim: usize,
    format: VectorFormat,
) -> Result<KeyedVectors> {
    let mut words = Vec::with_capacity(count.min(MAX_PREALLOCATED_FLOATS / dim));
    let mut values: Vec<f32> = Vec::with_capacity((count * dim).min(MAX_PREALLOCATED_FLOATS));
    match format {
        VectorFormat::Binary => read_binary(reader, name, count, dim, &mut words, &mut values)?,
        VectorFormat::Text => read_text(reader, name, count, dim, &mut words, &mut values)?,
    }
    KeyedVectors::new(words, values, dim)
}

fn read_binary(
    reader: &mut impl BufRead,
    name: &str,
    count: usize,
    dim: usize,
    words: &mut Vec<String>,
    values: &mut Vec<f32>,
) -> Result<()> {
    let io = |e| Error::io(format!("reading {name}"), e);
    let mut word = Vec::new();
    let mut row = vec![0u8; dim * 4];
    for record in 1..=count {
        word.clear();
        loop {
            let mut byte = [0u8; 1];
            if reader.read(&mut byte).map_err(io)? == 0 {
                return Err(Error::format(
                    name,
                    format!(
                        "truncated: the header declares {count} vectors but the file ends in record {record}"
                    ),
                ));
            }
            match byte[0] {
                b' ' => break,
                b'\n' if word.is_empty() => {}
                _ => word.push(byte[0]),
            }
            if word.len() > MAX_WORD_BYTES {
                return Err(Error::format(
                    name,
                    format!(
                        "record {record}: no space after the word within {MAX_WORD_BYTES} bytes (not a binary word2vec file?)"
                    ),
                ));
            }
        }
        if word.is_empty() {
            return Err(Error::format(name, format!("record {record}: empty word")));
        }
        let text = String::from_utf8(word.clone()).map_err(|_| {
            Error::format(
                name,
                format!("record {record}: the word is not valid UTF-8"),
            )
        })?;
        let mut filled = 0;
        while filled < row.len() {
            let n = reader.read(&mut row[filled..]).map_err(io)?;
            if n == 0 {
                return Err(Error::format(
                    name,
                    format!(
                        "truncated: record {record} ('{text}') has {filled} of {} vector bytes",
                        row.len()
                    ),
                ));
            }
            filled += n;
        }
        values.extend(
            row.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        words.push(text);
    }
    Ok(())
}

fn read_text(
    reader: &mut impl BufRead,
    name: &str,
    count: usize,
    dim: usize,
    words: &mut Vec<String>,
    values: &mut Vec<f32>,
) -> Result<()> {
    let mut line = String::new();
    for record in 1..=count {
        let line_no = record + 1;
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => {
                Error::format(name, format!("line {line_no}: not valid UTF-8"))
            }
            _ => Error::io(format!("reading {name}"), e),
        })?;
        if n == 0 {
            return Err(Error::format(
                name,
                format!(
                    "truncated: the header declares {count} vectors but the file has only {}",
                    record - 1
                ),
            ));
        }
        let mut parts = line.trim_end().split(' ');
        let word = parts.next().unwrap_or_default();
        if word.is_empty() {
            return Err(Error::format(name, format!("line {line_no}: empty word")));
        }
        let start = values.len();
        for part in parts {
            let v = part.parse::<f32>().map_err(|_| {
                Error::format(
                    name,
                    format!("line {line_no} ('{word}'): '{part}' is not a number"),
                )
            })?;
            values.push(v);
        }
        let got = values.len() - start;
        if got != dim {
            return Err(Error::format(
                name,
                format!("line {line_no} ('{word}'): {got} values, expected {dim}"),
            ));
        }
        words.push(word.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv() -> KeyedVectors {
        let words = vec!["мир".to_string(), "war".to_string()];
        KeyedVectors::new(words, vec![0.5, -1.25e-5, 3.0, 1234567.0, 0.1, -0.0], 3).unwrap()
    }

    fn roundtrip(format: VectorFormat) -> (Vec<u8>, KeyedVectors) {
        let mut buf = Vec::new();
        write_word2vec(&kv(), format, &mut buf).unwrap();
        let back = read_word2vec(&buf[..], format, "mem").unwrap();
        (buf, back)
    }

    #[test]
    fn binary_layout_and_roundtrip() {
        let (buf, back) = roundtrip(VectorFormat::Binary);
        assert!(buf.starts_with(b"2 3\n\xd0\xbc\xd0\xb8\xd1\x80 "));
        assert_eq!(buf.len(), 4 + (7 + 12 + 1) + (4 + 12 + 1));
        assert_eq!(back.words(), kv().words());
        assert_eq!(back.vectors(), kv().vectors());
    }

    #[test]
    fn text_layout_matches_numpy_str() {
        let (buf, back) = roundtrip(VectorFormat::Text);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "2 3\nмир 0.5 -1.25e-05 3.0\nwar 1.234567e+06 0.1 -0.0\n"
        );
        assert_eq!(back.vectors(), kv().vectors());
    }

    #[test]
    fn malformed_files_are_clear_errors() {
        let bad: [(&[u8], VectorFormat, &str); 8] = [
            (b"", VectorFormat::Text, "header"),
            (b"2\n", VectorFormat::Text, "header"),
            (b"x 3\n", VectorFormat::Text, "word count 'x'"),
            (b"1 0\n", VectorFormat::Text, "dimension is 0"),
            (
                b"2 2\na 1 2\nb 1\n",
                VectorFormat::Text,
                "line 3 ('b'): 1 values, expected 2",
            ),
            (b"1 2\na 1 zz\n", VectorFormat::Text, "'zz' is not a number"),
            (b"2 2\na 1 2\n", VectorFormat::Text, "has only 1"),
            (
                b"1 2\na \x00\x00\x80?\x00",
                VectorFormat::Binary,
                "has 5 of 8 vector bytes",
            ),
        ];
        for (input, format, needle) in bad {
            let e = read_word2vec(input, format, "f.bin")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(needle) && e.starts_with("f.bin"),
                "{e:?} lacks {needle:?}"
            );
        }
    }

    #[test]
    fn a_huge_header_is_not_allocated_blindly() {
        let e = read_word2vec(
            &b"4000000000000 100000\nabc "[..],
            VectorFormat::Binary,
            "h",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("truncated"), "{e}");
        let e = read_word2vec(&b"0 4611686018427387904\n"[..], VectorFormat::Binary, "h")
            .unwrap_err()
            .to_string();
        assert!(e.contains("dimension 4611686018427387904 is larger"), "{e}");
        let e = read_word2vec(&b"0 1000000000000\n"[..], VectorFormat::Text, "h")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is larger than 100000"), "{e}");
        let e = read_word2vec(&b"18446744073709551615 2\n"[..], VectorFormat::Binary, "h")
            .unwrap_err()
            .to_string();
        assert!(e.contains("do not fit"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn numpy_strings_read_back_to_the_same_float(bits in proptest::prelude::any::<u32>()) {
            let x = f32::from_bits(bits);
            proptest::prop_assume!(x.is_finite());
            let s = numpy_f32_str(x);
            proptest::prop_assert_eq!(s.parse::<f32>().unwrap().to_bits(), x.to_bits(), "{}", s);
        }
    }

    #[test]
    fn numpy_float_strings() {
        for (x, s) in [
            (0.0f32, "0.0"),
            (1.0, "1.0"),
            (1e-4, "1e-04"),
            (0.00012345678, "0.00012345678"),
            (1e6, "1e+06"),
            (999999.9, "999999.9"),
            (1e-45, "1e-45"),
        ] {
            assert_eq!(numpy_f32_str(x), s);
        }
    }
}
