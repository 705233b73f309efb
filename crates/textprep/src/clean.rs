//! Cleaning text down to lowercase letters, whitespace and an optional set of extra characters.
//!
//! The rules, applied to each character in order:
//! 1. a leading byte-order mark is removed;
//! 2. whitespace (Unicode `White_Space`) is kept as a gap: a run of whitespace becomes one space, or one `\n` when
//!    [`CleanConfig::keep_newlines`] is set and the run contains a line break (`\n`, `\r`, VT, FF, NEL, U+2028,
//!    U+2029); gaps at the start and end of the text are removed;
//! 3. otherwise the character is lowercased with Unicode's full mapping ([`char::to_lowercase`], which may give
//!    several characters: `İ` → `i` + U+0307), and each resulting character is kept when it is
//!    - a **letter**: Unicode `Alphabetic` ([`char::is_alphabetic`]: letters of every script, including `ё`,
//!      letter-numbers such as `Ⅻ`, and the vowel signs of Indic scripts), or
//!    - a **combining mark** (general category `Mn`, `Mc` or `Me`) that directly follows a kept letter or a
//!      mark kept that way, so a decomposed `й` (`и` + U+0306) or `ё` (`е` + U+0308) stays whole; a stray mark
//!      (after a space, a digit or a dropped character) is dropped, or
//!    - one of the [`CleanConfig::extra`] characters;
//! 4. every other character is removed without leaving a gap (`кто-то` → `ктото`, as the lesson's
//!    `re.sub('[^а-яё ]', '', s)` does), so cleaning is idempotent.

use std::io::BufRead;

use unicode_general_category::{GeneralCategory, get_general_category};

use crate::error::{Error, Result};
use crate::utf8::{Utf8Reader, strip_bom};

/// What to keep when cleaning. `Default` keeps lowercase letters and single spaces, which is the lesson's
/// cleaning for word models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanConfig {
    /// Lowercase the text (Unicode full lowercase mapping). Default `true`.
    pub lowercase: bool,
    /// Characters kept besides letters and whitespace, e.g. `".,!?-"` for a character model. Default empty.
    /// A space may be listed (it is always kept anyway); other whitespace may not (see `keep_newlines`), nor
    /// characters that lowercasing would change while `lowercase` is on (they could never survive it).
    pub extra: String,
    /// Keep line breaks: a whitespace run containing one becomes a single `\n` instead of a space.
    /// Default `false`.
    pub keep_newlines: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        Self {
            lowercase: true,
            extra: String::new(),
            keep_newlines: false,
        }
    }
}

impl CleanConfig {
    /// Letters, whitespace and the given extra characters, lowercased, newlines dropped.
    pub fn keeping(extra: &str) -> Self {
        Self {
            extra: extra.to_owned(),
            ..Self::default()
        }
    }

    /// Checks that the configuration can work.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming `extra` and the offending character.
    pub fn validate(&self) -> Result<()> {
        for c in self.extra.chars() {
            if c.is_whitespace() && c != ' ' {
                return Err(Error::InvalidConfig {
                    name: "extra characters",
                    reason: format!(
                        "{c:?} is whitespace; spaces are always kept, use keep_newlines for line breaks"
                    ),
                });
            }
            if self.lowercase && !lowercases_to_itself(c) {
                return Err(Error::InvalidConfig {
                    name: "extra characters",
                    reason: format!("{c:?} is changed by lowercasing, so it could never be kept"),
                });
            }
        }
        Ok(())
    }
}

fn lowercases_to_itself(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// Whether `c` ends a line for cleaning and sentence splitting: `\n`, `\r`, VT, FF, NEL, U+2028, U+2029
/// (Python's `str.splitlines` set, without its three ASCII separator controls).
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` is a combining mark (general category `Mn`, `Mc` or `Me`).
fn is_combining_mark(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::NonspacingMark
            | GeneralCategory::SpacingMark
            | GeneralCategory::EnclosingMark
    )
}

/// What one input character becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A character to keep (already lowercased).
    Keep(char),
    /// Whitespace that is not a line break.
    Space,
    /// A line break.
    LineBreak,
}

/// What [`Cleaner::clean_prefix`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanedPrefix {
    /// The first `max_chars` cleaned characters (all of them if there are fewer).
    pub text: String,
    /// Cleaned characters counted: all of the input's when [`whole`](Self::whole), else at least `max_chars`.
    pub chars: usize,
    /// Whether the whole input was read.
    pub whole: bool,
    /// Whether the input held no text at all (nothing after a byte-order mark).
    pub empty_input: bool,
}

/// A validated, ready-to-use [`CleanConfig`].
///
/// ```
/// use textprep::{CleanConfig, Cleaner};
/// let words = Cleaner::default();
/// assert_eq!(words.clean("\u{feff}«Ёлки-палки», — сказал он…\n  Ну и ну!"), "ёлкипалки сказал он ну и ну");
/// let chars = Cleaner::new(&CleanConfig::keeping(".,!?-"))?;
/// assert_eq!(chars.clean("Ёлки-палки, 1999 — сказал он…"), "ёлки-палки, сказал он");
/// # Ok::<(), textprep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cleaner {
    lowercase: bool,
    keep_newlines: bool,
    ascii_extra: [bool; 128],
    /// Non-ASCII extra characters, sorted for binary search.
    other_extra: Vec<char>,
}

impl Default for Cleaner {
    fn default() -> Self {
        Self::from_valid(&CleanConfig::default())
    }
}

/// Where a streaming clean stands between two chunks.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CleanState {
    /// The previous input character was kept as a letter (or as a mark attached to one).
    after_letter: bool,
    /// Whitespace seen since the last kept character: none, a space, or a line break.
    gap: Gap,
    /// Something has been written (so a gap before the next character is not a leading one).
    started: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    #[default]
    None,
    Space,
    Newline,
}

impl Cleaner {
    /// Validates `config` and prepares it.
    ///
    /// # Errors
    /// As [`CleanConfig::validate`].
    pub fn new(config: &CleanConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self::from_valid(config))
    }

    fn from_valid(config: &CleanConfig) -> Self {
        let mut ascii_extra = [false; 128];
        let mut other_extra = Vec::new();
        for c in config.extra.chars() {
            if c.is_ascii() {
                ascii_extra[c as usize] = true;
            } else {
                other_extra.push(c);
            }
        }
        other_extra.sort_unstable();
        other_extra.dedup();
        Self {
            lowercase: config.lowercase,
            keep_newlines: config.keep_newlines,
            ascii_extra,
            other_extra,
        }
    }

    /// Cleans a whole text (see the [module docs](crate::clean) for the rules).
    pub fn clean(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.clean_into(text, &mut out);
        out
    }

    /// Appends the cleaned `text` to `out` (reusing its allocation).
    pub fn clean_into(&self, text: &str, out: &mut String) {
        let mut state = CleanState::default();
        self.clean_chunk(strip_bom(text), &mut state, out);
    }

    /// Cleans a whole stream, holding only the cleaned text in memory (not the raw input).
    ///
    /// # Errors
    /// As [`Utf8Reader::read_chunk`].
    pub fn clean_reader<R: BufRead>(&self, reader: &mut Utf8Reader<R>) -> Result<String> {
        let mut out = String::new();
        let mut chunk = String::new();
        let mut state = CleanState::default();
        while reader.read_chunk(&mut chunk)? {
            self.clean_chunk(&chunk, &mut state, &mut out);
        }
        Ok(out)
    }

    /// Cleans a stream up to `max_chars` cleaned characters (`None`: all of it), reading no further than needed:
    /// once the cleaned text is long enough, one more piece is read only to tell whether the input ends there.
    /// Memory holds the cleaned prefix and one piece of input, whatever the stream's size.
    ///
    /// ```
    /// use textprep::{Cleaner, Utf8Policy, Utf8Reader};
    /// let text = "\u{feff}Ёлки, палки!  Лес.";
    /// let cleaner = Cleaner::default();
    /// let mut reader = Utf8Reader::new(text.as_bytes(), Utf8Policy::Strict);
    /// let prefix = cleaner.clean_prefix(&mut reader, Some(7))?;
    /// assert_eq!(prefix.text, "ёлки па");
    /// assert_eq!((prefix.chars, prefix.whole), (14, true)); // the input fitted in one piece: "ёлки палки лес"
    /// # Ok::<(), textprep::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Utf8Reader::read_chunk`].
    pub fn clean_prefix<R: BufRead>(
        &self,
        reader: &mut Utf8Reader<R>,
        max_chars: Option<usize>,
    ) -> Result<CleanedPrefix> {
        let limit = max_chars.unwrap_or(usize::MAX);
        let mut text = String::new();
        let mut chunk = String::new();
        let mut state = CleanState::default();
        let mut chars = 0;
        let mut empty_input = true;
        let mut whole = true;
        while reader.read_chunk(&mut chunk)? {
            empty_input = false;
            if chars >= limit {
                // The prefix is complete and the input goes on.
                whole = false;
                break;
            }
            let before = text.len();
            self.clean_chunk(&chunk, &mut state, &mut text);
            chars += text[before..].chars().count();
        }
        if chars > limit {
            let end = text
                .char_indices()
                .nth(limit)
                .map_or(text.len(), |(at, _)| at);
            text.truncate(end);
        }
        Ok(CleanedPrefix {
            text,
            chars,
            whole,
            empty_input,
        })
    }

    /// Cleans one piece of a longer text; `state` carries what matters across pieces.
    pub(crate) fn clean_chunk(&self, chunk: &str, state: &mut CleanState, out: &mut String) {
        for c in chunk.chars() {
            self.filter(c, &mut state.after_letter, |piece| match piece {
                Piece::Keep(kept) => {
                    if state.started {
                        match state.gap {
                            Gap::None => {}
                            Gap::Space => out.push(' '),
                            Gap::Newline => out.push('\n'),
                        }
                    }
                    state.gap = Gap::None;
                    state.started = true;
                    out.push(kept);
                }
                Piece::Space => state.gap = state.gap.max(Gap::Space),
                Piece::LineBreak => {
                    let gap = if self.keep_newlines {
                        Gap::Newline
                    } else {
                        Gap::Space
                    };
                    state.gap = state.gap.max(gap);
                }
            });
        }
    }

    /// Whether `c` (already lowercased) is one of the extra characters.
    fn is_extra(&self, c: char) -> bool {
        if c.is_ascii() {
            self.ascii_extra[c as usize]
        } else {
            self.other_extra.binary_search(&c).is_ok()
        }
    }

    /// Classifies a lowercased, non-whitespace character; `after_letter` is the mark-attachment state.
    #[inline]
    fn keep(&self, c: char, after_letter: &mut bool) -> bool {
        let letter = if c.is_ascii() {
            c.is_ascii_alphabetic()
        } else {
            c.is_alphabetic()
        };
        if letter {
            *after_letter = true;
            return true;
        }
        if *after_letter && !c.is_ascii() && is_combining_mark(c) {
            return true;
        }
        *after_letter = false;
        self.is_extra(c)
    }

    /// Turns one input character into zero or more pieces.
    #[inline]
    pub(crate) fn filter(&self, c: char, after_letter: &mut bool, mut emit: impl FnMut(Piece)) {
        if c.is_ascii() {
            if c.is_ascii_whitespace() || c == '\u{0B}' {
                *after_letter = false;
                emit(if is_line_break(c) {
                    Piece::LineBreak
                } else {
                    Piece::Space
                });
                return;
            }
            let c = if self.lowercase {
                c.to_ascii_lowercase()
            } else {
                c
            };
            if self.keep(c, after_letter) {
                emit(Piece::Keep(c));
            }
            return;
        }
        // Fast path for Cyrillic (U+0400..U+045F are all letters), which is most of what this crate sees.
        if let '\u{400}'..='\u{45F}' = c {
            let lower = match c {
                '\u{410}'..='\u{42F}' if self.lowercase => char::from_u32(c as u32 + 0x20),
                '\u{400}'..='\u{40F}' if self.lowercase => char::from_u32(c as u32 + 0x50),
                _ => Some(c),
            };
            *after_letter = true;
            emit(Piece::Keep(lower.unwrap_or(c)));
            return;
        }
        if c.is_whitespace() {
            *after_letter = false;
            emit(if is_line_break(c) {
                Piece::LineBreak
            } else {
                Piece::Space
            });
            return;
        }
        if !self.lowercase {
            if self.keep(c, after_letter) {
                emit(Piece::Keep(c));
            }
            return;
        }
        for lower in c.to_lowercase() {
            if self.keep(lower, after_letter) {
                emit(Piece::Keep(lower));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_read_in_small_pieces_are_prefixes_of_the_whole_clean() {
        let text = "\u{feff}Ёлки-палки, — сказал он…\n\n  Ну и\u{301} ну! 1999 Лес\tшумит.  ";
        let cleaner = Cleaner::new(&CleanConfig::keeping("!")).unwrap();
        let whole = cleaner.clean(text);
        let total = whole.chars().count();
        for piece in [1, 2, 3, 7, 64] {
            for limit in (0..=total + 2).map(Some).chain([None]) {
                let buffered = std::io::BufReader::with_capacity(piece, text.as_bytes());
                let mut reader = Utf8Reader::new(buffered, crate::Utf8Policy::Strict);
                let prefix = cleaner.clean_prefix(&mut reader, limit).unwrap();
                let n = limit.unwrap_or(usize::MAX);
                assert_eq!(prefix.text, crate::fragment(&whole, n), "{piece} {limit:?}");
                assert!(!prefix.empty_input);
                if prefix.whole {
                    assert_eq!(prefix.chars, total);
                } else {
                    assert!(prefix.chars >= n && n <= total, "{piece} {limit:?}");
                }
                if n > total {
                    assert!(prefix.whole);
                }
            }
        }
        let mut empty = Utf8Reader::new("\u{feff}".as_bytes(), crate::Utf8Policy::Strict);
        let prefix = cleaner.clean_prefix(&mut empty, Some(3)).unwrap();
        assert!(prefix.empty_input && prefix.whole && prefix.text.is_empty());
    }

    use super::*;

    fn clean_with(config: CleanConfig, text: &str) -> String {
        Cleaner::new(&config).unwrap().clean(text)
    }

    #[test]
    fn keeps_letters_and_single_spaces() {
        let c = Cleaner::default();
        assert_eq!(
            c.clean("  Привет,   МИР!\t\n Ёж-ЁЖИК 42 "),
            "привет мир ёжёжик"
        );
        assert_eq!(c.clean("Hello, World"), "hello world");
        assert_eq!(c.clean(""), "");
        assert_eq!(c.clean("…—123"), "");
    }

    #[test]
    fn the_bom_goes() {
        assert_eq!(Cleaner::default().clean("\u{feff}Да"), "да");
    }

    #[test]
    fn extra_characters_survive() {
        let text = "Ну-ну, — сказал он. Куда?! Ладно…";
        assert_eq!(
            clean_with(CleanConfig::keeping(".,!?-"), text),
            "ну-ну, сказал он. куда?! ладно"
        );
        assert_eq!(
            clean_with(CleanConfig::keeping(".,!?-… "), text),
            "ну-ну, сказал он. куда?! ладно…"
        );
    }

    #[test]
    fn newlines_are_kept_squeezed_or_dropped() {
        let text = "Первая строка. \r\n\r\n  Вторая\tстрока\nтретья  \n";
        assert_eq!(
            Cleaner::default().clean(text),
            "первая строка вторая строка третья"
        );
        let keep = CleanConfig {
            keep_newlines: true,
            ..CleanConfig::default()
        };
        assert_eq!(
            clean_with(keep, text),
            "первая строка\nвторая строка\nтретья"
        );
    }

    #[test]
    fn unicode_lowercase_covers_cyrillic_and_multi_char_results() {
        let c = Cleaner::default();
        assert_eq!(c.clean("ЁЛКА ЀЍЎЏ ЂЃЄЅІЇЈЉЊЋЌ"), "ёлка ѐѝўџ ђѓєѕіїјљњћќ");
        assert_eq!(c.clean("Ωμέγα ĞÜŞİ"), "ωμέγα ğüşi\u{307}");
        assert_eq!(c.clean("STRASSE ẞ"), "strasse ß");
    }

    #[test]
    fn lowercase_can_be_turned_off() {
        let keep_case = CleanConfig {
            lowercase: false,
            ..CleanConfig::default()
        };
        assert_eq!(clean_with(keep_case, "Ёлка, Ель"), "Ёлка Ель");
    }

    #[test]
    fn decomposed_letters_keep_their_marks() {
        let decomposed = "и\u{306}од, е\u{308}ж, Е\u{308}Ж";
        assert_eq!(
            Cleaner::default().clean(decomposed),
            "и\u{306}од е\u{308}ж е\u{308}ж"
        );
        // A stray mark (after a space, a digit or punctuation) is not a letter.
        assert_eq!(
            Cleaner::default().clean("а \u{306}б 1\u{301} -\u{308}в"),
            "а б в"
        );
        // Indic vowel signs are Alphabetic themselves.
        assert_eq!(Cleaner::default().clean("हिन्दी"), "हिन्दी");
    }

    #[test]
    fn invalid_extras_are_rejected() {
        for bad in ["\n", "\t", "Ё", "A"] {
            let err = Cleaner::new(&CleanConfig::keeping(bad)).unwrap_err();
            assert!(
                err.to_string().starts_with("invalid extra characters: "),
                "{err}"
            );
        }
        assert!(Cleaner::new(&CleanConfig::keeping(" .")).is_ok());
        let keep_case = CleanConfig {
            lowercase: false,
            extra: "Ё".into(),
            ..CleanConfig::default()
        };
        assert!(keep_case.validate().is_ok());
    }

    #[test]
    fn streaming_equals_whole_text() {
        let text = "\u{feff}Раз, два.\n\n  Три —  ЧЕТЫРЕ!  ";
        let cleaner = Cleaner::new(&CleanConfig {
            keep_newlines: true,
            ..CleanConfig::keeping("!")
        })
        .unwrap();
        let mut reader = Utf8Reader::new(text.as_bytes(), crate::Utf8Policy::Strict);
        assert_eq!(
            cleaner.clean_reader(&mut reader).unwrap(),
            cleaner.clean(text)
        );
    }
}
