//! Token vocabularies with the reserved `<pad>` (0), `<start>` (1) and `<end>` (2).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Index of `<pad>`.
pub const PAD: usize = 0;
/// Index of `<start>`.
pub const START: usize = 1;
/// Index of `<end>`.
pub const END: usize = 2;

/// A list of tokens; index = position. The first three are `<pad>`, `<start>`, `<end>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocab {
    tokens: Vec<String>,
}

impl Vocab {
    /// A vocabulary of the reserved tokens followed by `tokens` in first-seen order (duplicates
    /// and reserved names skipped).
    pub fn new<S: AsRef<str>>(tokens: impl IntoIterator<Item = S>) -> Self {
        let mut out: Vec<String> = ["<pad>", "<start>", "<end>"].map(String::from).to_vec();
        for t in tokens {
            let t = t.as_ref();
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
        Self { tokens: out }
    }

    /// Number of tokens including the reserved ones.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Never empty (the reserved tokens are always there).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The token at `index`, `"<unk>"` for an index out of range.
    #[must_use]
    pub fn token(&self, index: usize) -> &str {
        self.tokens.get(index).map_or("<unk>", String::as_str)
    }

    /// Indices of `tokens`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first token that is not in the vocabulary (or reserved).
    pub fn encode<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<usize>> {
        tokens
            .iter()
            .map(|t| {
                let t = t.as_ref();
                self.tokens
                    .iter()
                    .skip(3)
                    .position(|o| o == t)
                    .map(|p| p + 3)
                    .ok_or_else(|| Error::Invalid(format!("token {t:?} is not in the vocabulary")))
            })
            .collect()
    }

    /// Tokens of `indices`, stopping at `<end>` and skipping `<pad>` / `<start>`.
    #[must_use]
    pub fn decode(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .take_while(|&&i| i != END)
            .filter(|&&i| i != PAD && i != START)
            .map(|&i| self.token(i).to_string())
            .collect()
    }
}
