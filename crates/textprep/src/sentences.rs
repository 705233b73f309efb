//! Sentences as lists of cleaned words, from a string or streamed from a file.
//!
//! The pipeline is the lesson's: split the raw text into sentences, clean each one, split it into words on
//! whitespace, drop the empty ones, and (optionally) cap the number of words per sentence. Splitting happens on the
//! raw text because cleaning removes the punctuation that ends a sentence. A sentence ends at every terminator
//! character (`.`, `!`, `?`, `…` by default, see [`SentenceConfig::terminators`]) and at every line break
//! (see [`is_line_break`]); so `Ну... да?!` gives two sentences, and abbreviations such as
//! `т. е.` end one too (the lesson's simple rule).
//!
//! [`sentences`] works on a string, [`SentenceReader`] on any [`BufRead`] in bounded memory; both give the same
//! sentences for the same text, and both equal
//! `raw_sentences(text).map(clean).map(split_whitespace).filter(non-empty)` followed by the word cap.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::clean::{CleanConfig, Cleaner, Piece, is_line_break};
use crate::error::{Error, Result};
use crate::utf8::{Utf8Policy, Utf8Reader, strip_bom};

/// Code points below this are classified through a bit table (ASCII, Latin, Greek, Cyrillic, ...).
const LOW: usize = 0x800;

/// The sentence terminators the lesson splits on (line breaks always end a sentence as well).
pub const DEFAULT_TERMINATORS: &str = ".!?…";

/// What happens to the words of a sentence beyond [`SentenceConfig::max_words`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Cut the sentence into pieces of `max_words` words; every piece (the last may be shorter) is a sentence of its
    /// own, so no word is lost. This is what gensim does with sentences longer than its 10 000-word limit.
    #[default]
    Split,
    /// Keep the first `max_words` words and drop the rest of the sentence.
    Truncate,
}

/// How to turn text into sentences of words. `Default` is the lesson's: letters only, lowercased, split on
/// `.!?…` and line breaks, no cap, strict UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceConfig {
    /// How each sentence is cleaned before it is split into words. Its `keep_newlines` does not matter here
    /// (line breaks end sentences). Extra characters that are also terminators never reach the cleaner.
    pub clean: CleanConfig,
    /// Characters that end a sentence, besides line breaks. Default [`DEFAULT_TERMINATORS`].
    pub terminators: String,
    /// At most this many words per sentence (`None`: no cap). The lesson used `Some(12)`.
    pub max_words: Option<usize>,
    /// What to do with the words beyond `max_words`. Default [`Overflow::Split`].
    pub overflow: Overflow,
    /// What to do with bytes that are not UTF-8 when reading a stream. Default [`Utf8Policy::Strict`].
    pub utf8: Utf8Policy,
}

impl Default for SentenceConfig {
    fn default() -> Self {
        Self {
            clean: CleanConfig::default(),
            terminators: DEFAULT_TERMINATORS.to_owned(),
            max_words: None,
            overflow: Overflow::Split,
            utf8: Utf8Policy::Strict,
        }
    }
}

impl SentenceConfig {
    /// The lesson's configuration with a cap of `max_words` words per sentence (longer ones are split).
    pub fn with_max_words(max_words: usize) -> Self {
        Self {
            max_words: Some(max_words),
            ..Self::default()
        }
    }

    /// Checks that the configuration can work.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `max_words == Some(0)` or invalid cleaning options.
    pub fn validate(&self) -> Result<()> {
        self.clean.validate()?;
        if self.max_words == Some(0) {
            return Err(Error::InvalidConfig {
                name: "max_words",
                reason: "a sentence must be allowed at least one word".to_owned(),
            });
        }
        Ok(())
    }
}

/// Splits raw text into raw sentences at terminators and line breaks (a leading BOM is dropped). Pieces are
/// returned as they are, including empty and blank ones; clean them with [`Cleaner::clean`].
///
/// ```
/// let raw: Vec<&str> = textprep::raw_sentences("Да. Нет!\nНу…", textprep::DEFAULT_TERMINATORS).collect();
/// assert_eq!(raw, ["Да", " Нет", "", "Ну", ""]);
/// ```
pub fn raw_sentences<'a>(
    text: &'a str,
    terminators: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    strip_bom(text).split(move |c: char| is_line_break(c) || terminators.contains(c))
}

/// Turns characters into sentences of words, one character at a time; shared by the string and stream paths.
#[derive(Debug)]
struct SentenceBuilder {
    cleaner: Cleaner,
    /// Bit `c` is set when code point `c < LOW` ends a sentence (terminators and line breaks).
    low_ends: [u64; LOW / 64],
    /// Terminators from `LOW` up, sorted.
    high_terminators: Vec<char>,
    max_words: usize,
    overflow: Overflow,
    after_letter: bool,
    word: String,
    words: Vec<String>,
    /// In [`Overflow::Truncate`] mode: the sentence is full, skip to its end.
    full: bool,
}

impl SentenceBuilder {
    fn new(config: &SentenceConfig) -> Result<Self> {
        config.validate()?;
        let mut low_ends = [0u64; LOW / 64];
        let mut high_terminators = Vec::new();
        let line_breaks = (0..LOW as u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_line_break(c));
        for c in config.terminators.chars().chain(line_breaks) {
            if (c as usize) < LOW {
                low_ends[c as usize / 64] |= 1 << (c as usize % 64);
            } else {
                high_terminators.push(c);
            }
        }
        high_terminators.sort_unstable();
        Ok(Self {
            cleaner: Cleaner::new(&config.clean)?,
            low_ends,
            high_terminators,
            max_words: config.max_words.unwrap_or(usize::MAX),
            overflow: config.overflow,
            after_letter: false,
            word: String::new(),
            words: Vec::new(),
            full: false,
        })
    }

    #[inline]
    fn ends_sentence(&self, c: char) -> bool {
        let code = c as usize;
        if code < LOW {
            self.low_ends[code / 64] & (1 << (code % 64)) != 0
        } else {
            is_line_break(c) || self.high_terminators.binary_search(&c).is_ok()
        }
    }

    /// Feeds one character; returns a sentence when this character completes one (never more than one).
    #[inline]
    fn push(&mut self, c: char) -> Option<Vec<String>> {
        if self.ends_sentence(c) {
            return self.end_sentence();
        }
        let mut ended_word = false;
        let word = &mut self.word;
        let full = self.full;
        self.cleaner
            .filter(c, &mut self.after_letter, |piece| match piece {
                Piece::Keep(kept) if !full => word.push(kept),
                Piece::Keep(_) => {}
                Piece::Space | Piece::LineBreak => ended_word = true,
            });
        if ended_word { self.end_word() } else { None }
    }

    /// Ends the current word; returns a sentence when the word fills it and sentences are split.
    fn end_word(&mut self) -> Option<Vec<String>> {
        if self.word.is_empty() {
            return None;
        }
        // Copy out at the exact size and keep the scratch buffer's capacity for the next word.
        self.words.push(self.word.as_str().to_owned());
        self.word.clear();
        if self.words.len() < self.max_words {
            return None;
        }
        match self.overflow {
            Overflow::Split => Some(self.words.drain(..).collect()),
            Overflow::Truncate => {
                self.full = true;
                None
            }
        }
    }

    /// Ends the current sentence (at a terminator or the end of the input).
    fn end_sentence(&mut self) -> Option<Vec<String>> {
        let split = self.end_word();
        self.after_letter = false;
        self.full = false;
        // `end_word` emptied `words` if it returned a sentence, so at most one of these is `Some`.
        split.or_else(|| (!self.words.is_empty()).then(|| self.words.drain(..).collect()))
    }
}

/// Sentences of a string: an iterator of word lists (see the [module docs](self)).
///
/// ```
/// use textprep::{sentences, SentenceConfig};
/// let text = "— Ты куда? — Домой… Завтра рано вставать, понимаешь ли.";
/// let all: Vec<Vec<String>> = sentences(text, &SentenceConfig::with_max_words(2))?.collect();
/// assert_eq!(all, [vec!["ты", "куда"], vec!["домой"], vec!["завтра", "рано"], vec!["вставать", "понимаешь"], vec!["ли"]]);
/// # Ok::<(), textprep::Error>(())
/// ```
///
/// # Errors
/// As [`SentenceConfig::validate`].
pub fn sentences<'a>(text: &'a str, config: &SentenceConfig) -> Result<Sentences<'a>> {
    Ok(Sentences {
        chars: strip_bom(text).chars(),
        builder: SentenceBuilder::new(config)?,
        done: false,
    })
}

/// The iterator [`sentences`] returns.
#[derive(Debug)]
pub struct Sentences<'a> {
    chars: std::str::Chars<'a>,
    builder: SentenceBuilder,
    done: bool,
}

impl Iterator for Sentences<'_> {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        if self.done {
            return None;
        }
        for c in self.chars.by_ref() {
            if let Some(sentence) = self.builder.push(c) {
                return Some(sentence);
            }
        }
        self.done = true;
        self.builder.end_sentence()
    }
}

impl std::iter::FusedIterator for Sentences<'_> {}

/// Sentences streamed from any [`BufRead`] (a file, stdin, a byte slice), in bounded memory: at most one read buffer
/// of text plus the sentence being built. Yields `Result<Vec<String>>`; an error (I/O, invalid UTF-8 with the
/// absolute byte offset and the file's name) is yielded once and ends the iteration.
///
/// Several passes over a file (Word2Vec's vocabulary scan, then its epochs) open it again each time.
///
/// ```no_run
/// use textprep::{SentenceConfig, SentenceReader};
/// let config = SentenceConfig::with_max_words(12);
/// let mut n_words = 0;
/// for sentence in SentenceReader::open("book.txt", &config)? {
///     n_words += sentence?.len();
/// }
/// # Ok::<(), textprep::Error>(())
/// ```
#[derive(Debug)]
pub struct SentenceReader<R> {
    reader: Utf8Reader<R>,
    builder: SentenceBuilder,
    chunk: String,
    /// Byte position in `chunk` of the next character to feed.
    pos: usize,
    ready: VecDeque<Vec<String>>,
    done: bool,
}

impl<R: BufRead> SentenceReader<R> {
    /// Streams sentences from `reader`; errors name it `input` (see [`with_label`](Self::with_label)).
    ///
    /// # Errors
    /// As [`SentenceConfig::validate`].
    pub fn new(reader: R, config: &SentenceConfig) -> Result<Self> {
        Self::from_utf8_reader(Utf8Reader::new(reader, config.utf8), config)
    }

    /// Names the input in error messages.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.reader = self.reader.with_label(label);
        self
    }

    fn from_utf8_reader(reader: Utf8Reader<R>, config: &SentenceConfig) -> Result<Self> {
        Ok(Self {
            reader,
            builder: SentenceBuilder::new(config)?,
            chunk: String::new(),
            pos: 0,
            ready: VecDeque::new(),
            done: false,
        })
    }
}

impl SentenceReader<BufReader<File>> {
    /// Opens a file and streams its sentences; errors name its path.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path if it cannot be opened; as [`SentenceConfig::validate`].
    pub fn open(path: impl AsRef<Path>, config: &SentenceConfig) -> Result<Self> {
        config.validate()?;
        Self::from_utf8_reader(Utf8Reader::open(path, config.utf8)?, config)
    }
}

impl<R: BufRead> Iterator for SentenceReader<R> {
    type Item = Result<Vec<String>>;

    fn next(&mut self) -> Option<Result<Vec<String>>> {
        loop {
            if let Some(sentence) = self.ready.pop_front() {
                return Some(Ok(sentence));
            }
            if self.done {
                return None;
            }
            if self.pos < self.chunk.len() {
                let rest = &self.chunk[self.pos..];
                for (i, c) in rest.char_indices() {
                    if let Some(sentence) = self.builder.push(c) {
                        self.pos += i + c.len_utf8();
                        return Some(Ok(sentence));
                    }
                }
                self.pos = self.chunk.len();
            }
            self.pos = 0;
            match self.reader.read_chunk(&mut self.chunk) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    self.ready.extend(self.builder.end_sentence());
                }
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
        }
    }
}

impl<R: BufRead> std::iter::FusedIterator for SentenceReader<R> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, config: &SentenceConfig) -> Vec<Vec<String>> {
        sentences(text, config).unwrap().collect()
    }

    fn words(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|s| s.iter().map(|w| (*w).to_owned()).collect())
            .collect()
    }

    #[test]
    fn splits_on_terminators_and_line_breaks_and_drops_empty_sentences() {
        let text =
            "\u{feff}Он пришёл. Она ушла!Кто там?.. Никто…\r\nНовая строка\n\n— Диалог, 1999 — да";
        assert_eq!(
            all(text, &SentenceConfig::default()),
            words(&[
                &["он", "пришёл"],
                &["она", "ушла"],
                &["кто", "там"],
                &["никто"],
                &["новая", "строка"],
                &["диалог", "да"],
            ])
        );
        assert!(all("... !? 123 —\n\n", &SentenceConfig::default()).is_empty());
        assert!(all("", &SentenceConfig::default()).is_empty());
    }

    #[test]
    fn the_word_cap_splits_or_truncates() {
        let text = "раз два три четыре пять. шесть семь";
        assert_eq!(
            all(text, &SentenceConfig::with_max_words(2)),
            words(&[
                &["раз", "два"],
                &["три", "четыре"],
                &["пять"],
                &["шесть", "семь"]
            ])
        );
        let truncate = SentenceConfig {
            overflow: Overflow::Truncate,
            ..SentenceConfig::with_max_words(2)
        };
        assert_eq!(
            all(text, &truncate),
            words(&[&["раз", "два"], &["шесть", "семь"]])
        );
        assert_eq!(
            all("а б в", &SentenceConfig::with_max_words(3)),
            words(&[&["а", "б", "в"]])
        );
    }

    #[test]
    fn a_zero_cap_is_rejected() {
        let err = sentences("x", &SentenceConfig::with_max_words(0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid max_words: a sentence must be allowed at least one word"
        );
    }

    #[test]
    fn matches_the_lesson_pipeline() {
        let text = "Ну-ну... «Что?» — спросил он. И\u{306}од! Много   пробелов\tи табов";
        let config = SentenceConfig::default();
        let cleaner = Cleaner::default();
        let expected: Vec<Vec<String>> = raw_sentences(text, &config.terminators)
            .map(|s| cleaner.clean(s))
            .map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(all(text, &config), expected);
    }

    #[test]
    fn custom_terminators() {
        let config = SentenceConfig {
            terminators: ";".into(),
            ..SentenceConfig::default()
        };
        assert_eq!(all("а. б; в", &config), words(&[&["а", "б"], &["в"]]));
    }

    #[test]
    fn the_stream_reports_the_file_offset_and_stops() {
        let mut bytes = "Первое предложение. Второе\n".as_bytes().to_vec();
        let bad = bytes.len() as u64;
        bytes.extend_from_slice(b"\xFF\xFE");
        bytes.extend_from_slice("третье.".as_bytes());
        let mut reader = SentenceReader::new(&bytes[..], &SentenceConfig::default())
            .unwrap()
            .with_label("book.txt");
        assert_eq!(reader.next().unwrap().unwrap(), ["первое", "предложение"]);
        assert_eq!(reader.next().unwrap().unwrap(), ["второе"]);
        let err = reader.next().unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("book.txt: invalid UTF-8 at byte offset {bad}")
        );
        assert!(reader.next().is_none());

        let lossy = SentenceConfig {
            utf8: Utf8Policy::Lossy,
            ..SentenceConfig::default()
        };
        let got: Vec<_> = SentenceReader::new(&bytes[..], &lossy)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            got,
            words(&[&["первое", "предложение"], &["второе"], &["третье"]])
        );
    }

    #[test]
    fn opening_a_missing_file_names_it() {
        let err =
            SentenceReader::open("/nonexistent/novel.txt", &SentenceConfig::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot open /nonexistent/novel.txt: "),
            "{err}"
        );
    }
}
