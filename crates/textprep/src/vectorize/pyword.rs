//! Python's character classes and `str.lower()`, as scikit-learn's regular expressions and preprocessing see them.
//!
//! Python's `re` treats a character as a word character (`\w`) when `str.isalnum()` is true for it or it is `_`;
//! that excludes combining marks (`U+0306`) which the `regex` crate counts as `\w`, and includes `²` and `½`, which
//! it does not. The table in `pyword_table.rs` was generated from Python itself (see its header for the
//! version); the tests check it against the fixture that the same Python produced.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::pyword_table::WORD_RANGES;

/// Whether Python's `re` matches `c` with `\w` in a `str` pattern.
#[inline]
pub fn is_word_char(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    // Basic Cyrillic (U+0400–U+0481) is all letters: the common case in the lessons' texts.
    if (0x400..=0x481).contains(&cp) {
        return true;
    }
    WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                Ordering::Less
            } else if lo > cp {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether Python's `re` matches `c` with `\s` in a `str` pattern; the same set `str.split()` splits on.
///
/// Unlike [`char::is_whitespace`] it includes the information separators U+001C–U+001F.
#[inline]
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Whether Rust's newer Unicode tables lowercase `c` while Python's database (Unicode 14.0) leaves it unchanged:
/// upper-case letters assigned after 14.0 (found by the every-code-point test against Python's table).
pub(crate) fn lowercased_only_by_newer_unicode(c: char) -> bool {
    matches!(
        c,
        '\u{1c89}'
            | '\u{a7cb}'
            | '\u{a7cc}'
            | '\u{a7ce}'
            | '\u{a7d2}'
            | '\u{a7d4}'
            | '\u{a7da}'
            | '\u{a7dc}'
            | '\u{10d50}'..='\u{10d65}'
            | '\u{16ea0}'..='\u{16eb8}'
    )
}

/// Lowercases like Python's `str.lower()`: full case mapping (`'İ'` becomes two characters) and the final-sigma
/// rule (`'ΟΔΟΣ'` becomes `'οδος'`). Borrows when nothing changes.
pub fn python_lower(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    python_lower_into(text, &mut out);
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// [`python_lower`] into a reusable buffer (cleared first).
///
/// Unchanged stretches are copied as whole slices; ASCII and basic Cyrillic (U+0400–U+045F) are mapped on their
/// UTF-8 bytes without decoding; anything else goes through `char::to_lowercase`.
pub fn python_lower_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut copied_up_to = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_uppercase() {
                out.push_str(&text[copied_up_to..i]);
                out.push(char::from(b.to_ascii_lowercase()));
                copied_up_to = i + 1;
            }
            i += 1;
            continue;
        }
        if (b == 0xD0 || b == 0xD1) && i + 1 < bytes.len() {
            let second = bytes[i + 1];
            let cp = (u32::from(b & 0x1F) << 6) | u32::from(second & 0x3F);
            let lower = match cp {
                0x400..=0x40F => Some(cp + 0x50),
                0x410..=0x42F => Some(cp + 0x20),
                0x430..=0x45F => None,
                _ => Some(u32::MAX),
            };
            match lower {
                None => {
                    i += 2;
                    continue;
                }
                Some(lower) if lower != u32::MAX => {
                    out.push_str(&text[copied_up_to..i]);
                    out.extend(char::from_u32(lower));
                    i += 2;
                    copied_up_to = i;
                    continue;
                }
                Some(_) => {}
            }
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        // Σ is the only character whose lowercase depends on its neighbours: std's `to_lowercase` applies the same
        // final-sigma rule as Python, on the whole text.
        if c == 'Σ' || lowercased_only_by_newer_unicode(c) {
            out.clear();
            return lower_with_context(text, out);
        }
        let mut lowered = c.to_lowercase();
        if lowered.len() != 1 || lowered.next() != Some(c) {
            out.push_str(&text[copied_up_to..i]);
            out.extend(c.to_lowercase());
            copied_up_to = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    out.push_str(&text[copied_up_to..]);
}

/// The slow path: std's `str::to_lowercase` (final sigma), keeping the characters Python does not lowercase.
fn lower_with_context(text: &str, out: &mut String) {
    for piece in text.split_inclusive(lowercased_only_by_newer_unicode) {
        match piece.char_indices().last() {
            Some((at, last)) if lowercased_only_by_newer_unicode(last) => {
                out.push_str(&piece[..at].to_lowercase());
                out.push(last);
            }
            _ => out.push_str(&piece.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_word_characters_differ_from_the_regex_crate() {
        for c in ['a', 'Z', '0', '_', 'ё', 'Й', '²', '½', 'Ⅻ', '٣', '一'] {
            assert!(is_word_char(c), "{c:?} is \\w in Python");
        }
        for c in [
            '\u{306}', '\u{301}', '\u{200c}', '-', '\'', ' ', '\u{a0}', '·',
        ] {
            assert!(!is_word_char(c), "{c:?} is not \\w in Python");
        }
    }

    #[test]
    fn python_space_includes_information_separators() {
        assert!(is_space('\u{1f}') && is_space('\u{2028}') && is_space('\u{a0}'));
        assert!(!is_space('\u{200b}') && !is_space('\u{feff}') && !is_space('a'));
    }

    #[test]
    fn lowercase_is_full_and_handles_final_sigma() {
        assert_eq!(python_lower("İ"), "i\u{307}");
        assert_eq!(python_lower("ΟΔΟΣ"), "οδος");
        assert_eq!(python_lower("ЁЖ"), "ёж");
        assert!(matches!(python_lower("уже строчные"), Cow::Borrowed(_)));
        assert_eq!(
            python_lower("Ab\u{a7cb}Σ\u{1c89}ΑΣ"),
            "ab\u{a7cb}σ\u{1c89}ας"
        );
    }
}
