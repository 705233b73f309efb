//! Decoding bytes into text: strict UTF-8 with the absolute byte offset of the first bad byte, an opt-in lossy
//! mode, and a leading byte-order mark stripped. [`Utf8Reader`] does it in bounded memory over any [`BufRead`];
//! [`decode_bytes`] and [`read_text`] are the whole-input conveniences built on it.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// The UTF-8 byte-order mark, `EF BB BF`.
pub const BOM: &str = "\u{feff}";

/// What to do with bytes that are not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Utf8Policy {
    /// Stop with [`Error::InvalidUtf8`] naming the input and the absolute byte offset of the first bad byte
    /// (also when the input ends inside a multi-byte character). The default.
    #[default]
    Strict,
    /// Replace each maximal invalid sequence by `U+FFFD` (the same replacements as
    /// [`String::from_utf8_lossy`] and Python's `errors="replace"`). Cleaning then drops `U+FFFD`, as it is not a
    /// letter, unless it is listed among the kept extra characters.
    Lossy,
}

/// Returns `text` without a leading byte-order mark (`U+FEFF`), if it has one.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Size of the buffer [`read_text`] and the path constructors put around a file.
pub(crate) const FILE_BUFFER: usize = 64 * 1024;

/// A streaming UTF-8 decoder over a [`BufRead`]: hands out the text in chunks of at most one buffer's worth
/// (plus up to three carried bytes), strips a leading byte-order mark, and reports invalid UTF-8 with the absolute
/// byte offset from the start of the stream (the BOM counts). Memory use is bounded by the reader's buffer;
/// the input is never held whole.
///
/// ```
/// use textprep::{Utf8Policy, Utf8Reader};
/// let bytes = b"\xEF\xBB\xBFok \xFF";
/// let mut reader = Utf8Reader::new(&bytes[..], Utf8Policy::Strict).with_label("demo.txt");
/// let mut chunk = String::new();
/// assert!(reader.read_chunk(&mut chunk)?);
/// assert_eq!(chunk, "ok ");
/// let err = reader.read_chunk(&mut chunk).unwrap_err();
/// assert_eq!(err.to_string(), "demo.txt: invalid UTF-8 at byte offset 6");
/// assert!(!reader.read_chunk(&mut chunk)?);
/// # Ok::<(), textprep::Error>(())
/// ```
#[derive(Debug)]
pub struct Utf8Reader<R> {
    inner: R,
    label: String,
    policy: Utf8Policy,
    /// Absolute offset of the next byte `inner` will hand out.
    offset: u64,
    /// Bytes already consumed from `inner` but not yet decoded (an incomplete character, or a possible BOM prefix).
    carry: Vec<u8>,
    /// Scratch space for `carry` followed by the reader's buffer.
    joined: Vec<u8>,
    at_start: bool,
    finished: bool,
    /// An error found after some good text: reported by the next call, once that text has been handed out.
    deferred: Option<Error>,
}

impl<R: BufRead> Utf8Reader<R> {
    /// Wraps `inner`; errors name the input as `input` until [`with_label`](Self::with_label) says otherwise.
    pub fn new(inner: R, policy: Utf8Policy) -> Self {
        Self {
            inner,
            label: "input".to_owned(),
            policy,
            offset: 0,
            carry: Vec::with_capacity(4),
            joined: Vec::new(),
            at_start: true,
            finished: false,
            deferred: None,
        }
    }

    /// Names the input in error messages (usually its path).
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The name errors use for this input.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Clears `out` and fills it with the next piece of decoded text. Returns `Ok(false)` at the end of the input
    /// (with `out` empty), `Ok(true)` otherwise (`out` is then non-empty).
    ///
    /// # Errors
    /// [`Error::InvalidUtf8`] under [`Utf8Policy::Strict`]; [`Error::Io`] when the underlying reader fails.
    /// All the text before the bad byte is handed out first; the error comes with the call after it, and after
    /// the error the reader reports the end of input.
    pub fn read_chunk(&mut self, out: &mut String) -> Result<bool> {
        out.clear();
        while out.is_empty() {
            if let Some(err) = self.deferred.take() {
                return Err(err);
            }
            if self.finished {
                return Ok(false);
            }
            if let Err(err) = self.decode_next(out) {
                self.finished = true;
                if out.is_empty() {
                    return Err(err);
                }
                self.deferred = Some(err);
            }
        }
        Ok(true)
    }

    /// Reads the rest of the input into one string.
    ///
    /// # Errors
    /// As [`read_chunk`](Self::read_chunk).
    pub fn read_to_string(&mut self) -> Result<String> {
        let mut all = String::new();
        let mut chunk = String::new();
        while self.read_chunk(&mut chunk)? {
            all.push_str(&chunk);
        }
        Ok(all)
    }

    /// Decodes one buffer's worth (possibly nothing, e.g. when only a partial character arrived).
    fn decode_next(&mut self, out: &mut String) -> Result<()> {
        let buf = loop {
            match self.inner.fill_buf() {
                Ok(buf) => break buf,
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) => {
                    return Err(Error::Io {
                        context: format!("cannot read {}", self.label),
                        error: err,
                    });
                }
            }
        };
        let at_eof = buf.is_empty();
        self.joined.clear();
        self.joined.extend_from_slice(&self.carry);
        self.joined.extend_from_slice(buf);
        let taken = buf.len();
        self.inner.consume(taken);
        let base = self.offset - self.carry.len() as u64;
        self.offset += taken as u64;
        self.carry.clear();

        let mut start = 0;
        if self.at_start {
            if self.joined.len() < BOM.len() && !at_eof && BOM.as_bytes().starts_with(&self.joined)
            {
                // Could still become a BOM: wait for more bytes.
                std::mem::swap(&mut self.carry, &mut self.joined);
                return Ok(());
            }
            self.at_start = false;
            if self.joined.starts_with(BOM.as_bytes()) {
                start = BOM.len();
            }
        }
        if at_eof {
            self.finished = true;
        }
        let mut rest = &self.joined[start..];
        let mut rest_offset = base + start as u64;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(text);
                    return Ok(());
                }
                Err(err) => {
                    let good = err.valid_up_to();
                    // The prefix is valid by construction; re-checking it is cheap and keeps the code safe.
                    out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                    let bad_offset = rest_offset + good as u64;
                    match (err.error_len(), at_eof) {
                        (None, false) => {
                            // An incomplete character at the end of the buffer: finish it with the next read.
                            self.carry.extend_from_slice(&rest[good..]);
                            return Ok(());
                        }
                        (bad_len, _) => {
                            if self.policy == Utf8Policy::Strict {
                                return Err(Error::InvalidUtf8 {
                                    input: self.label.clone(),
                                    offset: bad_offset,
                                });
                            }
                            out.push(char::REPLACEMENT_CHARACTER);
                            let skip = bad_len.unwrap_or(rest.len() - good);
                            rest = &rest[good + skip..];
                            rest_offset = bad_offset + skip as u64;
                        }
                    }
                }
            }
        }
    }
}

impl Utf8Reader<BufReader<File>> {
    /// Opens a file for streaming decoding; errors name its path.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>, policy: Utf8Policy) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| Error::Io {
            context: format!("cannot open {}", path.display()),
            error,
        })?;
        Ok(
            Self::new(BufReader::with_capacity(FILE_BUFFER, file), policy)
                .with_label(path.display().to_string()),
        )
    }
}

/// Decodes a whole byte slice (BOM stripped); `label` names it in errors.
///
/// ```
/// use textprep::{decode_bytes, Utf8Policy};
/// assert_eq!(decode_bytes("\u{feff}Ёж".as_bytes(), Utf8Policy::Strict, "x").unwrap(), "Ёж");
/// assert_eq!(decode_bytes(b"a\xFFb", Utf8Policy::Lossy, "x").unwrap(), "a\u{fffd}b");
/// ```
///
/// # Errors
/// [`Error::InvalidUtf8`] under [`Utf8Policy::Strict`].
pub fn decode_bytes(bytes: &[u8], policy: Utf8Policy, label: &str) -> Result<String> {
    Utf8Reader::new(bytes, policy)
        .with_label(label)
        .read_to_string()
}

/// Reads a whole file as text (BOM stripped); errors name the path.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read, [`Error::InvalidUtf8`] under [`Utf8Policy::Strict`].
pub fn read_text(path: impl AsRef<Path>, policy: Utf8Policy) -> Result<String> {
    let path = path.as_ref();
    let io_error = |verb: &str, error| Error::Io {
        context: format!("cannot {verb} {}", path.display()),
        error,
    };
    let mut file = File::open(path).map_err(|error| io_error("open", error))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|error| io_error("read", error))?;
    // Valid UTF-8 (the usual case) is checked with SIMD, several times faster than `std::str::from_utf8` on
    // Cyrillic; anything else goes through the decoder, which finds the exact offset or replaces bad bytes.
    let body = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(&bytes);
    match simdutf8::basic::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => decode_bytes(&bytes, policy, &path.display().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its bytes in pieces of the given sizes (cycled), to exercise every boundary.
    struct Pieces<'a> {
        bytes: &'a [u8],
        sizes: Vec<usize>,
        next: usize,
        pos: usize,
        end: usize,
    }

    impl<'a> Pieces<'a> {
        fn new(bytes: &'a [u8], sizes: Vec<usize>) -> Self {
            Self {
                bytes,
                sizes,
                next: 0,
                pos: 0,
                end: 0,
            }
        }
    }

    impl std::io::Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            self.consume(n);
            Ok(n)
        }
    }

    impl BufRead for Pieces<'_> {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            if self.pos == self.end {
                let size = self.sizes[self.next % self.sizes.len()].max(1);
                self.next += 1;
                self.end = (self.pos + size).min(self.bytes.len());
            }
            Ok(&self.bytes[self.pos..self.end])
        }
        fn consume(&mut self, n: usize) {
            self.pos += n;
        }
    }

    fn decode_in_pieces(bytes: &[u8], sizes: Vec<usize>, policy: Utf8Policy) -> Result<String> {
        Utf8Reader::new(Pieces::new(bytes, sizes), policy).read_to_string()
    }

    #[test]
    fn strips_a_bom_even_when_it_arrives_byte_by_byte() {
        let text = "\u{feff}Ёлка";
        for size in 1..=4 {
            assert_eq!(
                decode_in_pieces(text.as_bytes(), vec![size], Utf8Policy::Strict).unwrap(),
                "Ёлка"
            );
        }
        assert_eq!(
            decode_bytes(b"\xEF\xBB", Utf8Policy::Lossy, "x").unwrap(),
            "\u{fffd}"
        );
        assert_eq!(decode_bytes(b"", Utf8Policy::Strict, "x").unwrap(), "");
        assert_eq!(
            decode_bytes("\u{feff}".as_bytes(), Utf8Policy::Strict, "x").unwrap(),
            ""
        );
    }

    #[test]
    fn only_a_leading_bom_is_stripped() {
        assert_eq!(
            decode_bytes("a\u{feff}".as_bytes(), Utf8Policy::Strict, "x").unwrap(),
            "a\u{feff}"
        );
    }

    #[test]
    fn invalid_bytes_are_reported_at_their_absolute_offset() {
        let mut bytes = "\u{feff}Привет, мир! ".as_bytes().to_vec();
        let bad_at = bytes.len();
        bytes.push(0xC0);
        bytes.extend_from_slice("ещё".as_bytes());
        for size in [1, 2, 3, 5, 7, 64] {
            match decode_in_pieces(&bytes, vec![size], Utf8Policy::Strict) {
                Err(Error::InvalidUtf8 { offset, .. }) => {
                    assert_eq!(offset, bad_at as u64, "size {size}")
                }
                other => panic!("expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_character_cut_off_at_the_end_is_an_error_at_its_first_byte() {
        let bytes = &"жж".as_bytes()[..3];
        let err = decode_bytes(bytes, Utf8Policy::Strict, "cut.txt").unwrap_err();
        assert_eq!(err.to_string(), "cut.txt: invalid UTF-8 at byte offset 2");
        assert_eq!(
            decode_bytes(bytes, Utf8Policy::Lossy, "cut.txt").unwrap(),
            "ж\u{fffd}"
        );
    }

    #[test]
    fn lossy_mode_matches_the_standard_library() {
        let bytes: &[u8] = b"a\xF0\x9F\x98b\xFF\xFE\xE2\x82\xACc\xED\xA0\x80";
        let expected = String::from_utf8_lossy(bytes);
        for size in 1..=5 {
            assert_eq!(
                decode_in_pieces(bytes, vec![size], Utf8Policy::Lossy).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = read_text("/nonexistent/book.txt", Utf8Policy::Strict).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot open /nonexistent/book.txt: "),
            "{err}"
        );
    }

    #[test]
    fn read_text_strips_the_bom_and_reports_bad_bytes_at_their_file_offset() {
        let path = std::env::temp_dir().join(format!("textprep-read-{}.txt", std::process::id()));
        std::fs::write(&path, b"\xEF\xBB\xBF\xD0\x81\xD0\xB6 ok\n").unwrap();
        assert_eq!(read_text(&path, Utf8Policy::Strict).unwrap(), "Ёж ok\n");
        std::fs::write(&path, b"\xEF\xBB\xBFab\xD0").unwrap();
        let err = read_text(&path, Utf8Policy::Strict).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: invalid UTF-8 at byte offset 5", path.display())
        );
        assert_eq!(read_text(&path, Utf8Policy::Lossy).unwrap(), "ab\u{fffd}");
        std::fs::remove_file(&path).unwrap();
    }
}
