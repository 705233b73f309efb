//! An alphabet: the characters of a text, each with an index, for character-level models.

use std::collections::HashMap;
use std::io::Write;

use crate::error::{Error, Result};

/// Code points below this are looked up in a dense table (ASCII, Latin, Greek, Cyrillic, ...).
const DENSE: usize = 0x800;
const ABSENT: u32 = u32::MAX;

/// An ordered set of characters; a character's index is its position. Never empty.
///
/// ```
/// use textprep::Alphabet;
/// let alphabet = Alphabet::from_text("ёлка и ель")?;
/// assert_eq!(alphabet.chars(), [' ', 'а', 'е', 'и', 'к', 'л', 'ь', 'ё']); // code-point order: ё is U+0451
/// let indices = alphabet.encode("ель")?;
/// assert_eq!(indices, [2, 5, 6]);
/// assert_eq!(alphabet.decode(&indices)?, "ель");
/// assert_eq!(alphabet.encode("елки!").unwrap_err().to_string(), "character '!' (U+0021) at position 4 is not in the alphabet");
/// # Ok::<(), textprep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Alphabet {
    chars: Vec<char>,
    dense: Vec<u32>,
    sparse: HashMap<char, u32>,
}

impl PartialEq for Alphabet {
    fn eq(&self, other: &Self) -> bool {
        self.chars == other.chars
    }
}

impl Eq for Alphabet {}

impl Alphabet {
    /// The distinct characters of `text`, sorted by code point.
    ///
    /// # Errors
    /// [`Error::EmptyAlphabet`] for an empty text.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut seen = vec![false; DENSE];
        let mut others = Vec::new();
        for c in text.chars() {
            match seen.get_mut(c as usize) {
                Some(flag) => *flag = true,
                None => others.push(c),
            }
        }
        others.sort_unstable();
        others.dedup();
        let chars = (0..DENSE as u32)
            .filter(|&code| seen[code as usize])
            .filter_map(char::from_u32)
            .chain(others);
        Self::from_chars(chars)
    }

    /// The given characters in the given order.
    ///
    /// # Errors
    /// [`Error::EmptyAlphabet`] for no characters, [`Error::DuplicateChar`] for a character given twice.
    pub fn from_chars(chars: impl IntoIterator<Item = char>) -> Result<Self> {
        let mut alphabet = Self {
            chars: Vec::new(),
            dense: vec![ABSENT; DENSE],
            sparse: HashMap::new(),
        };
        for c in chars {
            if alphabet.index_of(c).is_some() {
                return Err(Error::DuplicateChar { ch: c });
            }
            let index = u32::try_from(alphabet.chars.len()).map_err(|_| Error::InvalidConfig {
                name: "alphabet",
                reason: "more than 2^32 - 1 characters".to_owned(),
            })?;
            match alphabet.dense.get_mut(c as usize) {
                Some(slot) => *slot = index,
                None => {
                    alphabet.sparse.insert(c, index);
                }
            }
            alphabet.chars.push(c);
        }
        if alphabet.chars.is_empty() {
            return Err(Error::EmptyAlphabet);
        }
        Ok(alphabet)
    }

    /// The characters in index order.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The number of characters (the one-hot encoding size).
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Always `false`: an alphabet has at least one character.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The index of `c`, if it is in the alphabet.
    #[inline]
    pub fn index_of(&self, c: char) -> Option<u32> {
        match self.dense.get(c as usize) {
            Some(&ABSENT) => None,
            Some(&index) => Some(index),
            None => self.sparse.get(&c).copied(),
        }
    }

    /// The character at `index`, if there is one.
    pub fn char_at(&self, index: u32) -> Option<char> {
        self.chars.get(index as usize).copied()
    }

    /// The index of every character of `text`.
    ///
    /// # Errors
    /// [`Error::UnknownChar`] naming the first character that is not in the alphabet and its position
    /// (counted in characters from 0).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut indices = Vec::with_capacity(text.len());
        for (position, c) in text.chars().enumerate() {
            let index = self
                .index_of(c)
                .ok_or(Error::UnknownChar { ch: c, position })?;
            indices.push(index);
        }
        Ok(indices)
    }

    /// The text that `indices` spell.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] naming the first index that is not below [`len`](Self::len) and its position.
    pub fn decode(&self, indices: &[u32]) -> Result<String> {
        indices
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                self.char_at(index).ok_or(Error::IndexOutOfRange {
                    index,
                    position,
                    len: self.len(),
                })
            })
            .collect()
    }

    /// The alphabet as JSON: a list of one-character strings in index order, e.g. `[" ","а","б"]`, which
    /// Python reads back with `json.load` (`alphabet[i]` is the character of index `i`).
    pub fn to_json(&self) -> String {
        let strings: Vec<String> = self.chars.iter().map(char::to_string).collect();
        // Serialising a list of strings cannot fail.
        serde_json::to_string(&strings).unwrap_or_default()
    }

    /// Writes [`to_json`](Self::to_json) followed by a newline.
    ///
    /// # Errors
    /// [`Error::Io`] when the writer fails.
    pub fn write_json(&self, mut writer: impl Write) -> Result<()> {
        writeln!(writer, "{}", self.to_json()).map_err(|error| Error::Io {
            context: "cannot write the alphabet".to_owned(),
            error,
        })
    }

    /// Reads an alphabet written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`Error::InvalidAlphabetJson`] when the text is not a JSON list of one-character strings; as
    /// [`from_chars`](Self::from_chars).
    pub fn from_json(json: &str) -> Result<Self> {
        let strings: Vec<String> =
            serde_json::from_str(json).map_err(|err| Error::InvalidAlphabetJson {
                reason: err.to_string(),
            })?;
        let mut chars = Vec::with_capacity(strings.len());
        for s in strings {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => chars.push(c),
                _ => {
                    return Err(Error::InvalidAlphabetJson {
                        reason: format!("{s:?} is not one character"),
                    });
                }
            }
        }
        Self::from_chars(chars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_code_point_across_the_dense_table_boundary() {
        let alphabet = Alphabet::from_text("я😀a ё\u{306}ि€a").unwrap();
        assert_eq!(
            alphabet.chars(),
            [' ', 'a', '\u{306}', 'я', 'ё', 'ि', '€', '😀']
        );
        for (i, &c) in alphabet.chars().iter().enumerate() {
            assert_eq!(alphabet.index_of(c), Some(i as u32));
            assert_eq!(alphabet.char_at(i as u32), Some(c));
        }
        assert_eq!(alphabet.index_of('b'), None);
        assert_eq!(alphabet.index_of('😁'), None);
        assert_eq!(alphabet.char_at(8), None);
    }

    #[test]
    fn a_given_order_is_kept() {
        let alphabet = Alphabet::from_chars(['б', 'а', ' ', '😀']).unwrap();
        assert_eq!(alphabet.encode("а б😀").unwrap(), [1, 2, 0, 3]);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            Alphabet::from_text("").unwrap_err().to_string(),
            "the text has no characters to build an alphabet from"
        );
        assert_eq!(
            Alphabet::from_chars("aba".chars()).unwrap_err().to_string(),
            "character 'a' (U+0061) is in the alphabet twice"
        );
        let alphabet = Alphabet::from_text("аб").unwrap();
        assert_eq!(
            alphabet.encode("аб\u{306}").unwrap_err().to_string(),
            "character '\u{306}' (U+0306) at position 2 is not in the alphabet"
        );
        assert_eq!(
            alphabet.decode(&[0, 1, 2]).unwrap_err().to_string(),
            "index 2 at position 2 is not below the alphabet size 2"
        );
    }

    #[test]
    fn json_round_trip() {
        let alphabet = Alphabet::from_text("a \"\\\nё😀").unwrap();
        let json = alphabet.to_json();
        assert_eq!(json, r#"["\n"," ","\"","\\","a","ё","😀"]"#);
        assert_eq!(Alphabet::from_json(&json).unwrap(), alphabet);
        assert!(Alphabet::from_json(r#"["ab"]"#).is_err());
        assert!(Alphabet::from_json(r#"[1]"#).is_err());
        assert!(Alphabet::from_json("[]").is_err());
    }
}
