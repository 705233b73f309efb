//! The default token pattern `(?u)\b\w\w+\b` with Python's `\w`: maximal runs of at least two word characters.
//!
//! Two ways to get the tokens of Python's `doc.lower()`:
//! - [`tokenize`] on text that is already lowercased (the general path);
//! - [`lowered_tokens`], which finds the tokens on the original document and lowercases only the tokens that
//!   hold an upper-case letter. Lowercasing is character by character except for `Σ` (final sigma), so whenever
//!   every character lowercases to exactly one character of the same class (word or not), the tokens of the
//!   lowered text are the lowered tokens of the original. For a document with a character where that does not
//!   hold (`İ` becomes `i` plus a combining dot, which is not a word character; `Σ`), it reports failure and the
//!   caller takes the general path. The tests compare both paths on every code point.

use super::pyword::{is_word_char, lowercased_only_by_newer_unicode, python_lower_into};

/// Byte spans of the matches of `(?u)\b\w\w+\b` in `text`, appended to `tokens`.
///
/// ASCII is classified by byte and the two-byte Cyrillic letters U+0400–U+047F by their lead byte; other
/// characters are decoded and looked up.
pub(crate) fn tokenize(text: &str, tokens: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut run_start = 0;
    let mut run_chars = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (word, width) = if b < 0x80 {
            (ASCII_CLASS[usize::from(b)] != NOT_WORD, 1)
        } else if b == 0xD0 || b == 0xD1 {
            (true, 2)
        } else {
            match text[i..].chars().next() {
                Some(c) => (is_word_char(c), c.len_utf8()),
                None => break,
            }
        };
        if word {
            if run_chars == 0 {
                run_start = i;
            }
            run_chars += 1;
        } else {
            if run_chars >= 2 {
                tokens.push((run_start, i));
            }
            run_chars = 0;
        }
        i += width;
    }
    if run_chars >= 2 {
        tokens.push((run_start, text.len()));
    }
}

/// A token found in the original document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Byte range in the original document.
    pub(crate) start: usize,
    /// End of the byte range.
    pub(crate) end: usize,
    /// Whether lowercasing changes the token (it holds an upper-case letter).
    pub(crate) changes: bool,
}

const NOT_WORD: u8 = 0;
const WORD: u8 = 1;
const UPPER: u8 = 2;

/// Class of each ASCII byte: not a word character, a word character that lowercasing keeps, or `A`–`Z`.
const ASCII_CLASS: [u8; 128] = {
    let mut table = [NOT_WORD; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            WORD
        } else {
            NOT_WORD
        };
        b += 1;
    }
    table
};

/// Finds the tokens of Python's `doc.lower()` on `doc` itself (see the module documentation), replacing the
/// contents of `spans`. Returns `false` when `doc` holds a character for which that is not exact.
pub(crate) fn spans_before_lowering(doc: &str, spans: &mut Vec<Span>) -> bool {
    spans.clear();
    let bytes = doc.as_bytes();
    // The current run of word characters: where it started, how many characters so far (counted up to 2
    // only), and whether one of them is upper case.
    let mut start = 0;
    let mut chars = 0usize;
    let mut changes = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at = i;
        let class = if b & 0xFE == 0xD0 {
            // A run of two-byte letters U+0400–U+047F. Upper case: U+0400–U+042F (D0 80–AF) and, conservatively,
            // all of the historic U+0460–U+047F (D1 A0–BF), whose even code points are upper case.
            if chars == 0 {
                start = i;
                changes = false;
            }
            let mut upper = false;
            let mut j = i;
            // Four letters at a time while the next eight bytes are four such letters, then pair by pair.
            while let Some(&word) = bytes.get(j..).and_then(|rest| rest.first_chunk::<8>()) {
                match four_cyrillic_letters(u64::from_le_bytes(word)) {
                    Some(has_upper) => upper |= has_upper,
                    None => break,
                }
                j += 8;
            }
            while let [lead @ (0xD0 | 0xD1), second, ..] = bytes[j..] {
                let pair = u16::from_be_bytes([lead, second]);
                upper |= (pair.wrapping_sub(0xD080) < 0x30) | (pair.wrapping_sub(0xD1A0) < 0x20);
                j += 2;
            }
            chars += (j - i) / 2;
            changes |= upper;
            i = j;
            continue;
        } else if b < 0x80 {
            i += 1;
            ASCII_CLASS[usize::from(b)]
        } else {
            let Some(c) = doc[i..].chars().next() else {
                break;
            };
            let Some(class) = class_kept_by_lowering(c) else {
                return false;
            };
            i += c.len_utf8();
            class
        };
        if class != NOT_WORD {
            if chars == 0 {
                start = at;
                changes = false;
            }
            chars += 1;
            changes |= class == UPPER;
        } else {
            if chars >= 2 {
                spans.push(Span {
                    start,
                    end: at,
                    changes,
                });
            }
            chars = 0;
        }
    }
    if chars >= 2 {
        spans.push(Span {
            start,
            end: doc.len(),
            changes,
        });
    }
    true
}

/// For eight bytes of UTF-8 read little-endian: `None` unless they are four two-byte letters U+0400–U+047F (lead
/// bytes `D0`/`D1` at the even positions; the odd ones are then continuation bytes), else whether one of them
/// counts as upper case for [`spans_before_lowering`]: `D0 80`–`D0 AF` or `D1 A0`–`D1 BF`.
///
/// Each 16-bit lane holds a lead byte and, above it, a continuation byte whose low six bits `y` say which
/// letter: upper case is `y < 0x30` after `D0` and `y >= 0x20` after `D1`, tested in all four lanes at once by
/// adding `0x50` / `0x60` to `y` and reading bit 7.
#[inline]
fn four_cyrillic_letters(word: u64) -> Option<bool> {
    const LANES: u64 = 0x0001_0001_0001_0001;
    if word & (0xFE * LANES) != 0xD0 * LANES {
        return None;
    }
    let y = (word >> 8) & (0x3F * LANES);
    let after_d1 = (word & LANES) << 7;
    let below_30 = !(y + 0x50 * LANES) & (0x80 * LANES);
    let from_20 = (y + 0x60 * LANES) & (0x80 * LANES);
    Some((below_30 & !after_d1) | (from_20 & after_d1) != 0)
}

/// The class of a non-ASCII character if lowercasing maps it to one character of the same class (`UPPER` when
/// it changes it), `None` otherwise.
fn class_kept_by_lowering(c: char) -> Option<u8> {
    // Common punctuation in books (dashes, quotes, ellipsis, guillemets, no-break space): not word characters,
    // unchanged by lowercasing (a test checks them against the general rule below).
    if matches!(c, '\u{2010}'..='\u{2027}' | '\u{ab}' | '\u{bb}' | '\u{a0}') {
        return Some(NOT_WORD);
    }
    if c == 'Σ' || lowercased_only_by_newer_unicode(c) {
        return None;
    }
    let word = is_word_char(c);
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l == c => Some(if word { WORD } else { NOT_WORD }),
        (Some(l), None) if is_word_char(l) == word => Some(if word { UPPER } else { NOT_WORD }),
        _ => None,
    }
}

/// Calls `emit` with every token of Python's `doc.lower()` in order; `spans` and `lowered` are reusable buffers.
pub(crate) fn lowered_tokens(
    doc: &str,
    spans: &mut Vec<Span>,
    lowered: &mut String,
    emit: &mut impl FnMut(&str),
) {
    if spans_before_lowering(doc, spans) {
        for span in spans.iter() {
            let token = &doc[span.start..span.end];
            if span.changes {
                python_lower_into(token, lowered);
                emit(lowered);
            } else {
                emit(token);
            }
        }
    } else {
        python_lower_into(doc, lowered);
        let mut tokens = Vec::new();
        tokenize(lowered, &mut tokens);
        for (a, b) in tokens {
            emit(&lowered[a..b]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path: lowercase everything, then tokenize.
    fn slow(doc: &str) -> Vec<String> {
        let mut lowered = String::new();
        python_lower_into(doc, &mut lowered);
        let mut tokens = Vec::new();
        tokenize(&lowered, &mut tokens);
        tokens
            .into_iter()
            .map(|(a, b)| lowered[a..b].to_owned())
            .collect()
    }

    fn fast(doc: &str) -> Vec<String> {
        let mut out = Vec::new();
        lowered_tokens(doc, &mut Vec::new(), &mut String::new(), &mut |t| {
            out.push(t.to_owned())
        });
        out
    }

    #[test]
    fn both_paths_agree_on_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let doc = format!("Ab{c}x {c}{c} Ё{c}Ж {c}");
            assert_eq!(fast(&doc), slow(&doc), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn four_letters_at_a_time_agree_with_one_at_a_time() {
        // Every letter U+0400–U+047F at every position of long runs, among lower-case letters and other text.
        for c in ('\u{400}'..='\u{47f}').chain(['a', ' ', 'ӿ']) {
            for at in 0..11 {
                let mut word: Vec<char> = "жжжжжжжжжжж".chars().collect();
                word[at] = c;
                let word: String = word.into_iter().collect();
                let doc = format!("{word} я{word}я ab{word}, {word}{word}");
                assert_eq!(fast(&doc), slow(&doc), "U+{:04X} at {at}", c as u32);
            }
        }
        for (text, upper) in [
            ("жжжж", false),
            ("Жжжж", true),
            ("жжжЖ", true),
            ("ѡѡѡѡ", true),
            ("ѐѐѐѐ", false),
            ("ЀЀЀЀ", true),
        ] {
            let word = u64::from_le_bytes(*text.as_bytes().first_chunk::<8>().unwrap());
            assert_eq!(four_cyrillic_letters(word), Some(upper), "{text}");
        }
        let word = u64::from_le_bytes(*"жжж ж".as_bytes().first_chunk::<8>().unwrap());
        assert_eq!(four_cyrillic_letters(word), None);
    }

    #[test]
    fn the_shortcut_is_taken_where_it_is_exact_only() {
        let mut spans = Vec::new();
        assert!(spans_before_lowering(
            "Он НЕ делает, Ѡѡ x² — «ёЁ»",
            &mut spans
        ));
        let changed: Vec<bool> = spans.iter().map(|s| s.changes).collect();
        assert_eq!(changed, [true, true, false, true, false, true]);
        assert!(!spans_before_lowering("ΟΔΟΣ", &mut spans));
        assert!(!spans_before_lowering("İstanbul", &mut spans));
        assert_eq!(fast("İstanbul ΟΔΟΣ"), ["stanbul", "οδος"]);
    }

    #[test]
    fn listed_punctuation_follows_the_general_rule() {
        for c in ('\u{2010}'..='\u{2027}').chain(['\u{ab}', '\u{bb}', '\u{a0}']) {
            assert!(!is_word_char(c));
            assert!(c.to_lowercase().eq([c]));
        }
    }
}
