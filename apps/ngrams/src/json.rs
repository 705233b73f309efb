//! The `--json` output, `{"feature_names": [...], "shape": [r, c], "nnz": n, "indptr": [...], "indices": [...],
//! "data": [...]}` and a newline, written row by row from a [`RowSink`] (so a streamed input never has its matrix
//! in memory), with hand-made number formatting (the arrays hold hundreds of thousands of numbers).

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

use anyhow::Result;
use textprep::vectorize::{RowSink, TermList, Vocabulary};

/// In-memory bytes of each spilled array before it moves to a temporary file.
const SPILL_BYTES: usize = 32 << 20;

/// Output bytes gathered before they are written out.
const FLUSH_BYTES: usize = 1 << 16;

/// A growing JSON fragment kept in memory up to [`SPILL_BYTES`], then appended to an unnamed temporary file.
struct Spill {
    buf: Vec<u8>,
    file: Option<BufWriter<File>>,
    /// Bytes kept in memory before spilling.
    limit: usize,
}

impl Default for Spill {
    fn default() -> Self {
        Self {
            buf: Vec::new(),
            file: None,
            limit: SPILL_BYTES,
        }
    }
}

impl Spill {
    fn spill_if_large(&mut self) -> io::Result<()> {
        if self.buf.len() >= self.limit {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(BufWriter::new(tempfile::tempfile()?)),
            };
            file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes the whole fragment to `out`.
    fn copy_to(self, out: &mut impl Write) -> io::Result<()> {
        if let Some(file) = self.file {
            let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            io::copy(&mut file, out)?;
        }
        out.write_all(&self.buf)
    }
}

/// `{"feature_names": [...], "shape": [r, c], "nnz": n, "indptr": [...], "indices": [...], "data": [...]}` and a
/// newline, written row by row: the names, shape, nnz and `indptr` go out as they come, `indices` and `data`
/// are gathered (spilled to temporary files when large) and follow at the end.
pub struct JsonRows<'a, W: Write> {
    out: &'a mut W,
    head: Vec<u8>,
    indices: Spill,
    data: Spill,
    nnz: usize,
}

impl<'a, W: Write> JsonRows<'a, W> {
    /// A writer of the JSON to `out`.
    pub fn new(out: &'a mut W) -> Self {
        Self {
            out,
            head: Vec::new(),
            indices: Spill::default(),
            data: Spill::default(),
            nnz: 0,
        }
    }

    /// Writes the gathered arrays and the end of the document.
    pub fn finish(mut self) -> Result<()> {
        self.head.extend_from_slice(b"], \"indices\": [");
        self.out.write_all(&self.head)?;
        self.indices.copy_to(self.out)?;
        self.out.write_all(b"], \"data\": [")?;
        self.data.copy_to(self.out)?;
        self.out.write_all(b"]}\n")?;
        Ok(())
    }

    fn write_out(&mut self) -> io::Result<()> {
        if self.head.len() >= FLUSH_BYTES {
            self.out.write_all(&self.head)?;
            self.head.clear();
        }
        self.indices.spill_if_large()?;
        self.data.spill_if_large()
    }
}

fn write_error(error: io::Error) -> textprep::Error {
    textprep::Error::Io {
        context: "cannot write the JSON".to_owned(),
        error,
    }
}

impl<W: Write> RowSink for JsonRows<'_, W> {
    fn start(&mut self, vocabulary: &Vocabulary, rows: usize, nnz: usize) -> textprep::Result<()> {
        let names = vocabulary.terms();
        self.head
            .reserve(names.concatenated().len() + 3 * names.len() + 8 * rows + 128);
        self.head.extend_from_slice(b"{\"feature_names\": ");
        write_strings(&mut self.head, names)?;
        let cols = names.len();
        write!(
            self.head,
            ", \"shape\": [{rows}, {cols}], \"nnz\": {nnz}, \"indptr\": [0"
        )
        .map_err(write_error)?;
        let spill_size = |per: usize| nnz.saturating_mul(per).min(SPILL_BYTES) + 16;
        self.indices.buf.reserve(spill_size(7));
        self.data.buf.reserve(spill_size(2));
        self.write_out().map_err(write_error)
    }

    fn row(&mut self, indices: &[u32], data: &[i64]) -> textprep::Result<()> {
        let first = self.nnz == 0;
        self.nnz += indices.len();
        push_numbers(&mut self.head, false, [self.nnz as u64].into_iter());
        push_columns(&mut self.indices.buf, first, indices);
        push_counts(&mut self.data.buf, first, data);
        if self.head.len() >= FLUSH_BYTES || self.indices.buf.len() >= self.indices.limit {
            self.write_out().map_err(write_error)?;
        }
        Ok(())
    }
}

/// Appends a JSON array of strings; strings without a character JSON must escape are copied as they are
/// (checked once for the whole list, as a list of n-grams of word tokens never has one).
fn write_strings(json: &mut Vec<u8>, strings: &TermList) -> textprep::Result<()> {
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
            serde_json::to_writer(&mut *json, text)
                .map_err(|err| write_error(io::Error::other(err)))?;
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

/// Appends non-negative integers to a JSON array being written, each after a comma unless it is the array's
/// very first (`first` says whether nothing was appended to the array before).
///
/// Room for the longest number is made once for all of them; each is then written with fixed-size copies into
/// that room and the end is cut off after the last: no capacity check or `memcpy` call per number.
fn push_numbers(json: &mut Vec<u8>, first: bool, numbers: impl ExactSizeIterator<Item = u64>) {
    const ROOM: usize = 1 + 20;
    let start = json.len();
    json.resize(start + ROOM * numbers.len(), 0);
    let mut at = start;
    for (i, value) in numbers.enumerate() {
        let Some(slot) = json.get_mut(at..at + ROOM) else {
            break;
        };
        slot[0] = b',';
        let comma = usize::from(i > 0 || !first);
        at += comma + write_decimal(&mut slot[comma..], value);
    }
    json.truncate(at);
}

/// [`push_numbers`] for column indices: below 10^7 (every vocabulary of a book) a number and its comma fit one
/// 8-byte word, written whole into room made once for the row.
fn push_columns(json: &mut Vec<u8>, first: bool, columns: &[u32]) {
    if first || columns.iter().any(|&c| c >= 10_000_000) {
        push_numbers(json, first, columns.iter().map(|&c| u64::from(c)));
        return;
    }
    let start = json.len();
    json.resize(start + 8 * columns.len() + 8, 0);
    let mut at = start;
    for &column in columns {
        let digits = eight_digits(column);
        let leading_zeros = (digits.trailing_zeros() / 8).min(7);
        let ascii = (digits >> (8 * leading_zeros)) + u64::from_le_bytes([b'0'; 8]);
        // Below 10^7 the leading digit is a zero, so the shifted-out byte is one.
        let word = (ascii << 8) | u64::from(b',');
        if let Some(slot) = json.get_mut(at..at + 8) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        at += 9 - leading_zeros as usize;
    }
    json.truncate(at);
}

/// [`push_numbers`] for counts: a row of counts below 10 (nearly every row of prose) is written as `,d` pairs
/// into room filled with commas.
fn push_counts(json: &mut Vec<u8>, first: bool, counts: &[i64]) {
    if first || counts.iter().any(|&c| !(0..10).contains(&c)) {
        push_numbers(json, first, counts.iter().map(|&c| c.unsigned_abs()));
        return;
    }
    let start = json.len();
    json.resize(start + 2 * counts.len(), b',');
    for (pair, &count) in json[start..].chunks_exact_mut(2).zip(counts) {
        pair[1] = b'0' + count as u8;
    }
}

/// Writes `value` in decimal at the start of `out` (at least 20 bytes, the longest `u64`) and returns its length.
#[inline]
fn write_decimal(out: &mut [u8], value: u64) -> usize {
    match u32::try_from(value) {
        // Most counts are 1.
        Ok(digit) if digit < 10 => {
            out[0] = b'0' + digit as u8;
            1
        }
        Ok(small) if small < 100_000_000 => {
            let digits = eight_digits(small);
            let leading_zeros = (digits.trailing_zeros() / 8).min(7);
            let ascii = (digits >> (8 * leading_zeros)) + u64::from_le_bytes([b'0'; 8]);
            out[..8].copy_from_slice(&ascii.to_le_bytes());
            8 - leading_zeros as usize
        }
        _ => {
            let (digits, len) = decimal_digits(value);
            out[..20].copy_from_slice(&digits);
            len
        }
    }
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

/// The decimal digits of `value`, left-aligned in 20 bytes, and how many there are; two digits per division
/// (half the divisions of one digit at a time).
fn decimal_digits(mut value: u64) -> ([u8; 20], usize) {
    let len = value.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut digits = [b'0'; 20];
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
    (digits, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_fragments_come_back_whole() {
        for limit in [1, 5, 1 << 20] {
            let mut spill = Spill {
                limit,
                ..Spill::default()
            };
            let mut expected = Vec::new();
            for i in 0..200u64 {
                push_numbers(&mut spill.buf, i == 0, [i, i * 7919].into_iter());
                push_numbers(&mut expected, i == 0, [i, i * 7919].into_iter());
                spill.spill_if_large().unwrap();
            }
            assert_eq!(spill.file.is_some(), limit < 1 << 20);
            let mut out = Vec::new();
            spill.copy_to(&mut out).unwrap();
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn columns_and_counts_are_written_like_any_number() {
        let columns = [
            0,
            7,
            10,
            99,
            100,
            123_456,
            9_999_999,
            1_000_000,
            10_000_000,
            u32::MAX,
        ];
        let counts = [1, 9, 0, 3, 10, 12_345, i64::MAX];
        for first in [true, false] {
            for len in 0..=columns.len() {
                let mut fast = b"x".to_vec();
                push_columns(&mut fast, first, &columns[..len]);
                let mut slow = b"x".to_vec();
                push_numbers(
                    &mut slow,
                    first,
                    columns[..len].iter().map(|&c| u64::from(c)),
                );
                assert_eq!(fast, slow, "{first} {len}");
            }
            for len in 0..=counts.len() {
                let mut fast = b"x".to_vec();
                push_counts(&mut fast, first, &counts[..len]);
                let mut slow = b"x".to_vec();
                push_numbers(&mut slow, first, counts[..len].iter().map(|&c| c as u64));
                assert_eq!(fast, slow, "{first} {len}");
            }
        }
    }

    #[test]
    fn numbers_are_json_arrays() {
        let mut out = Vec::new();
        push_numbers(&mut out, true, [0, 7, 10].into_iter());
        push_numbers(&mut out, false, std::iter::empty());
        push_numbers(&mut out, false, [123_456_789_012, u64::MAX].into_iter());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0,7,10,123456789012,18446744073709551615"
        );
        let mut out = Vec::new();
        push_numbers(&mut out, true, std::iter::empty());
        push_numbers(&mut out, true, [5].into_iter());
        assert_eq!(out, b"5");
    }

    /// `value` through [`write_decimal`].
    fn decimal(value: u64) -> String {
        let mut out = [0u8; 20];
        let len = write_decimal(&mut out, value);
        String::from_utf8(out[..len].to_vec()).unwrap()
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
        for value in values {
            assert_eq!(decimal(u64::from(value)), value.to_string());
        }
    }

    #[test]
    fn decimals_match_std_formatting() {
        let powers = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1]
        });
        for value in (0..100_000).chain(powers).chain([u64::MAX, u64::MAX / 3]) {
            assert_eq!(decimal(value), value.to_string());
            assert_eq!(
                decimal_digits(value).0[..decimal_digits(value).1],
                *value.to_string().as_bytes()
            );
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
}
