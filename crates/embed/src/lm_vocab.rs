//! A capped vocabulary for a word-level language model: the `size − 1` most frequent words of a text
//! (gensim's order, as [`Vocab`]) plus [`UNK`] last, to which every other word maps; and the
//! embedding matrix of that vocabulary taken from trained [`KeyedVectors`].
//!
//! ```
//! use embed::lm_vocab::{LmVocab, UNK};
//! let sentences = [vec!["a", "b", "a"], vec!["c", "a", "b"]];
//! let vocab = LmVocab::from_sentences(&sentences, 3, 1)?;
//! assert_eq!(vocab.words(), ["a", "b", UNK]);
//! assert_eq!(vocab.encode(["a", "c", "zzz"]), vec![0, 2, 2]);
//! # Ok::<(), embed::Error>(())
//! ```

use rustc_hash::FxHashMap;

use crate::{Error, KeyedVectors, Result, Vocab};

/// The token every out-of-vocabulary word maps to (always the last id).
pub const UNK: &str = "<unk>";

/// Words in id order, `<unk>` last.
#[derive(Debug, Clone, PartialEq)]
pub struct LmVocab {
    words: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl LmVocab {
    /// The `size − 1` most frequent words of `sentences` seen at least `min_count` times, and `<unk>`
    /// (fewer when the text has fewer such words). A `min_count` of 2 leaves the words seen once to
    /// `<unk>`, so that a model trained on the ids learns how often an unknown word comes.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a size below 2 (one word and `<unk>`); [`Error::EmptyCorpus`]
    /// when there are no words.
    pub fn from_sentences<I, T, S>(sentences: I, size: usize, min_count: u64) -> Result<Self>
    where
        I: IntoIterator<Item = T>,
        T: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if size < 2 {
            return Err(Error::InvalidParam {
                name: "vocab_size",
                value: size.to_string(),
                reason: "must be at least 2 (one word and <unk>)",
            });
        }
        let vocab = Vocab::from_sentences(sentences, min_count.max(1), Some(size - 1))?;
        let words = vocab
            .words()
            .iter()
            .filter(|w| w.as_str() != UNK)
            .cloned()
            .collect();
        Self::from_words(words)
    }

    /// A vocabulary of `words` in this order with `<unk>` appended (e.g. read back from a model).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a repeated word or an `<unk>` among `words`.
    pub fn from_words(mut words: Vec<String>) -> Result<Self> {
        let mut index = FxHashMap::default();
        for (i, w) in words.iter().enumerate() {
            if w == UNK || index.insert(w.clone(), i as u32).is_some() {
                return Err(Error::InvalidParam {
                    name: "words",
                    value: w.clone(),
                    reason: "is repeated or is the reserved <unk>",
                });
            }
        }
        index.insert(UNK.to_owned(), words.len() as u32);
        words.push(UNK.to_owned());
        Ok(Self { words, index })
    }

    /// Number of ids, `<unk>` included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Never true (`<unk>` is always there).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Words in id order, `<unk>` last.
    #[must_use]
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The words without `<unk>`.
    #[must_use]
    pub fn known_words(&self) -> &[String] {
        &self.words[..self.words.len() - 1]
    }

    /// The id of `<unk>`.
    #[must_use]
    pub fn unk(&self) -> u32 {
        (self.words.len() - 1) as u32
    }

    /// The id of `word`, if it is in the vocabulary (`<unk>` itself included).
    #[must_use]
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// Ids of `words`, unknown words as `<unk>`.
    pub fn encode<I, S>(&self, words: I) -> Vec<u32>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        words
            .into_iter()
            .map(|w| self.id(w.as_ref()).unwrap_or(self.unk()))
            .collect()
    }

    /// The word of `id`, if it is below [`LmVocab::len`].
    #[must_use]
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// The `(len, dim)` row-major embedding matrix: each word's vector from `vectors`; words without a
    /// vector and `<unk>` get the mean of the rows that were found. Returns the matrix and how many
    /// words had a vector.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] when no word of the vocabulary has a vector (the vectors belong to
    /// another text).
    pub fn embedding_matrix(&self, vectors: &KeyedVectors) -> Result<(Vec<f32>, usize)> {
        let dim = vectors.dim();
        let mut matrix = vec![0.0f32; self.len() * dim];
        let mut mean = vec![0.0f64; dim];
        let mut found = vec![false; self.len()];
        for (i, word) in self.known_words().iter().enumerate() {
            if let Ok(v) = vectors.vector(word) {
                matrix[i * dim..(i + 1) * dim].copy_from_slice(v);
                mean.iter_mut()
                    .zip(v)
                    .for_each(|(m, &x)| *m += f64::from(x));
                found[i] = true;
            }
        }
        let matched = found.iter().filter(|&&f| f).count();
        if matched == 0 {
            return Err(Error::InvalidParam {
                name: "vectors",
                value: format!("{} words × {dim}", vectors.len()),
                reason: "contain none of the text's words (vectors of another text?)",
            });
        }
        let mean: Vec<f32> = mean.iter().map(|m| (m / matched as f64) as f32).collect();
        for (i, _) in found.iter().enumerate().filter(|(_, f)| !**f) {
            matrix[i * dim..(i + 1) * dim].copy_from_slice(&mean);
        }
        Ok((matrix, matched))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_by_frequency_and_maps_the_rest_to_unk() {
        let s = [vec!["x", "y", "y", "z", "z", "z"]];
        let v = LmVocab::from_sentences(&s, 3, 1).unwrap();
        assert_eq!(v.words(), ["z", "y", UNK]);
        assert_eq!(v.encode(["x", "y", "z"]), vec![2, 1, 0]);
        assert_eq!(v.unk(), 2);
        assert_eq!(v.word(1), Some("y"));
        assert_eq!(v.word(3), None);
        // Words seen fewer than min_count times go to <unk> too.
        let v2 = LmVocab::from_sentences(&s, 10, 2).unwrap();
        assert_eq!(v2.words(), ["z", "y", UNK]);
        assert!(LmVocab::from_sentences(&s, 1, 1).is_err());
        assert!(LmVocab::from_sentences(&s, 0, 1).is_err());
        assert!(LmVocab::from_sentences(&s, 5, 9).is_err());
        assert!(LmVocab::from_sentences(Vec::<Vec<&str>>::new(), 5, 1).is_err());
        assert!(LmVocab::from_words(vec!["a".into(), "a".into()]).is_err());
        assert!(LmVocab::from_words(vec![UNK.into()]).is_err());
    }

    #[test]
    fn embedding_rows_come_from_the_vectors_and_the_rest_get_their_mean() {
        let kv =
            KeyedVectors::new(vec!["a".into(), "b".into()], vec![1.0, 2.0, 3.0, 6.0], 2).unwrap();
        let v = LmVocab::from_words(vec!["b".into(), "q".into(), "a".into()]).unwrap();
        let (m, matched) = v.embedding_matrix(&kv).unwrap();
        assert_eq!(matched, 2);
        assert_eq!(m, vec![3.0, 6.0, 2.0, 4.0, 1.0, 2.0, 2.0, 4.0]);
        let other = LmVocab::from_words(vec!["q".into()]).unwrap();
        assert!(other.embedding_matrix(&kv).is_err());
    }
}
