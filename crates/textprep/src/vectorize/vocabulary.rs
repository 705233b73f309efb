//! The learned (or given) mapping between terms and feature indices: sklearn's `vocabulary_`.

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;

use super::pyrepr::repr_dict;
use super::term_list::TermList;
use crate::error::{Error, Result};

/// A hash map with rustc's Fx hash: the keys are short strings from the user's own documents, where a
/// multiply-rotate hash is several times faster than SipHash and flooding attacks are not a concern.
pub(crate) type FastMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// Terms and their feature indices.
///
/// After fitting, index = rank of the term in code-point order (Rust's `str` order on UTF-8 bytes is the same
/// order as Python's on code points), and [`Vocabulary::in_insertion_order`] lists the terms in the order sklearn's
/// `vocabulary_` dict holds them (first seen during fit). A fixed vocabulary keeps the caller's indices.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    terms: TermList,
    /// The terms as separate strings, made on first use of [`Vocabulary::feature_names`].
    names: OnceLock<Vec<String>>,
    insertion_order: Vec<u32>,
    index: OnceLock<FastMap<Box<str>, u32>>,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.terms == other.terms && self.insertion_order == other.insertion_order
    }
}

impl Vocabulary {
    /// A fixed vocabulary: term `i` of the list gets index `i` (sklearn's `vocabulary=[...]`).
    pub fn from_terms<S: AsRef<str>>(terms: &[S]) -> Result<Self> {
        if terms.is_empty() {
            return Err(Error::EmptyFixedVocabulary);
        }
        let mut index = FastMap::with_capacity_and_hasher(terms.len(), FxBuildHasher);
        for (i, term) in terms.iter().enumerate() {
            if index.insert(Box::from(term.as_ref()), i as u32).is_some() {
                return Err(Error::DuplicateVocabularyTerm {
                    term: term.as_ref().to_owned(),
                });
            }
        }
        let lock = OnceLock::new();
        let _ = lock.set(index);
        Ok(Self {
            terms: terms.iter().map(AsRef::as_ref).collect(),
            names: OnceLock::new(),
            insertion_order: (0..terms.len() as u32).collect(),
            index: lock,
        })
    }

    /// A learned vocabulary: `terms` indexed by feature, `insertion_order` the feature indices in first-seen order.
    pub(crate) fn learned(terms: TermList, insertion_order: Vec<u32>) -> Self {
        Self {
            terms,
            names: OnceLock::new(),
            insertion_order,
            index: OnceLock::new(),
        }
    }

    /// The number of features.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are no features (never true for a fitted vectorizer).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Terms by feature index (sklearn's `get_feature_names_out()`), as separate strings made on first call;
    /// [`Vocabulary::terms`] gives the same terms without making them.
    pub fn feature_names(&self) -> &[String] {
        self.names
            .get_or_init(|| self.terms.iter().map(str::to_owned).collect())
    }

    /// Terms by feature index, stored back to back.
    pub fn terms(&self) -> &TermList {
        &self.terms
    }

    /// The feature index of `term`, if it is in the vocabulary.
    pub fn get(&self, term: &str) -> Option<usize> {
        self.index().get(term).map(|&i| i as usize)
    }

    /// `(term, index)` pairs in the order of sklearn's `vocabulary_` dict (insertion order).
    pub fn in_insertion_order(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.insertion_order
            .iter()
            .map(|&i| (self.term(i as usize), i as usize))
    }

    /// How Python prints sklearn's `vocabulary_`: `{'он': 2, 'не': 1, ...}`, keys in insertion order.
    pub fn python_repr(&self) -> String {
        repr_dict(self.in_insertion_order())
    }

    /// Term `index` (which must be below [`Vocabulary::len`]).
    fn term(&self, index: usize) -> &str {
        self.terms.get(index).unwrap_or_default()
    }

    /// Term → index, built on first use (fitting alone does not need it).
    pub(crate) fn index(&self) -> &FastMap<Box<str>, u32> {
        self.index.get_or_init(|| {
            self.terms
                .iter()
                .enumerate()
                .map(|(i, t)| (Box::from(t), i as u32))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vocabulary_keeps_positions_and_rejects_duplicates() {
        let v = Vocabulary::from_terms(&["b", "a"]).unwrap();
        assert_eq!(v.get("a"), Some(1));
        assert_eq!(v.get("c"), None);
        assert_eq!(
            v.in_insertion_order().collect::<Vec<_>>(),
            [("b", 0), ("a", 1)]
        );
        assert_eq!(v.python_repr(), "{'b': 0, 'a': 1}");
        assert!(matches!(
            Vocabulary::from_terms(&["a", "a"]),
            Err(Error::DuplicateVocabularyTerm { .. })
        ));
        assert!(matches!(
            Vocabulary::from_terms::<&str>(&[]),
            Err(Error::EmptyFixedVocabulary)
        ));
    }
}
