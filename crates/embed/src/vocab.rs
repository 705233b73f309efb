//! The vocabulary: word counts gathered in one streaming pass, filtered by `min_count` / `max_vocab` and sorted
//! by descending frequency exactly as gensim 4.4 orders it.
//!
//! Tie order: gensim keeps the retained words in first-seen order and then sorts them with
//! `np.lexsort((-indices, -counts))`, i.e. by count descending and, among equal counts, by *descending* first-seen
//! index — the word seen last comes first. We reproduce that (checked against a gensim-made fixture in
//! `tests/parity.rs`), so word ids, the negative-sampling table and the saved file order agree with gensim.
//!
//! Counting uses `rustc_hash::FxHashMap`: the keys are short words from a local file (no untrusted network input,
//! so SipHash's DoS resistance buys nothing) and Fx hashes a short string several times faster than SipHash,
//! which is the main cost of a vocabulary pass.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// Counts words sentence by sentence without holding the corpus: feed it any stream of token sentences.
#[derive(Debug, Default, Clone)]
pub struct VocabBuilder {
    /// word → (count, first-seen rank)
    counts: FxHashMap<Box<str>, (u64, u32)>,
    total_words: u64,
    sentences: u64,
}

impl VocabBuilder {
    /// An empty counter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one sentence's tokens.
    pub fn add_sentence<I, S>(&mut self, tokens: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for token in tokens {
            self.add_word(token.as_ref());
        }
        self.sentences += 1;
    }

    /// Counts one token (outside of any sentence bookkeeping).
    pub fn add_word(&mut self, word: &str) {
        self.total_words += 1;
        if let Some(entry) = self.counts.get_mut(word) {
            entry.0 += 1;
        } else {
            let rank = u32::try_from(self.counts.len()).unwrap_or(u32::MAX);
            self.counts.insert(word.into(), (1, rank));
        }
    }

    /// Tokens counted so far.
    pub fn total_words(&self) -> u64 {
        self.total_words
    }

    /// Sentences counted so far.
    pub fn sentences(&self) -> u64 {
        self.sentences
    }

    /// Distinct words counted so far.
    pub fn unique_words(&self) -> usize {
        self.counts.len()
    }

    /// Keeps words seen at least `min_count` times, sorts them as gensim does and keeps at most `max_vocab` of the
    /// most frequent (`None` = no limit).
    ///
    /// # Errors
    /// [`Error::EmptyCorpus`] if no token was counted, [`Error::EmptyVocabulary`] if the filter removes every word,
    /// [`Error::InvalidParam`] for `max_vocab = Some(0)`.
    pub fn build(self, min_count: u64, max_vocab: Option<usize>) -> Result<Vocab> {
        if self.total_words == 0 {
            return Err(Error::EmptyCorpus);
        }
        if max_vocab == Some(0) {
            return Err(Error::InvalidParam {
                name: "max_vocab",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let unique = self.counts.len();
        let max_count = self.counts.values().map(|&(c, _)| c).max().unwrap_or(0);
        let mut kept: Vec<(Box<str>, u64, u32)> = self
            .counts
            .into_iter()
            .filter(|(_, (count, _))| *count >= min_count)
            .map(|(word, (count, rank))| (word, count, rank))
            .collect();
        if kept.is_empty() {
            return Err(Error::EmptyVocabulary {
                min_count,
                unique,
                max_count,
            });
        }
        // gensim: count descending, ties by first-seen rank descending (np.lexsort((-indices, -counts))).
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
        if let Some(limit) = max_vocab {
            kept.truncate(limit);
        }
        let words: Vec<String> = kept.iter().map(|(w, _, _)| w.to_string()).collect();
        let counts: Vec<u64> = kept.iter().map(|&(_, c, _)| c).collect();
        Ok(Vocab::from_parts(
            words,
            counts,
            self.total_words,
            self.sentences,
        ))
    }
}

/// A frequency-sorted vocabulary: word ids are positions, id 0 is the most frequent word.
#[derive(Debug, Clone)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxHashMap<String, u32>,
    raw_words: u64,
    sentences: u64,
}

impl Vocab {
    /// Builds a vocabulary from an in-memory sequence of token sentences (see [`VocabBuilder`] for streaming).
    ///
    /// # Errors
    /// As [`VocabBuilder::build`].
    pub fn from_sentences<I, T, S>(
        sentences: I,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> Result<Self>
    where
        I: IntoIterator<Item = T>,
        T: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = VocabBuilder::new();
        for sentence in sentences {
            builder.add_sentence(sentence);
        }
        builder.build(min_count, max_vocab)
    }

    /// Assembles a vocabulary from words already in the desired order with their counts.
    pub(crate) fn from_parts(
        words: Vec<String>,
        counts: Vec<u64>,
        raw_words: u64,
        sentences: u64,
    ) -> Self {
        let index = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        Self {
            words,
            counts,
            index,
            raw_words,
            sentences,
        }
    }

    /// Number of words kept.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True if no word is kept (never the case for a built vocabulary).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of `word`, if kept.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The kept words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The counts of the kept words, in id order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// All tokens seen in the corpus, kept or not.
    pub fn raw_words(&self) -> u64 {
        self.raw_words
    }

    /// Sum of the kept words' counts.
    pub fn retained_words(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Sentences seen in the corpus.
    pub fn sentences(&self) -> u64 {
        self.sentences
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_filters_and_sorts_like_gensim() {
        // a:3, b:1, c:2, d:2, e:1 ; ties c/d -> d (seen later) first ; b/e -> e first.
        let sents = vec![
            vec!["a", "b", "c"],
            vec!["a", "d", "c"],
            vec!["d", "a", "e"],
        ];
        let v = Vocab::from_sentences(sents.clone(), 1, None).unwrap();
        assert_eq!(v.words(), &["a", "d", "c", "e", "b"]);
        assert_eq!(v.counts(), &[3, 2, 2, 1, 1]);
        assert_eq!(v.raw_words(), 9);
        assert_eq!(v.sentences(), 3);
        assert_eq!(v.id("c"), Some(2));
        let v2 = Vocab::from_sentences(sents.clone(), 2, None).unwrap();
        assert_eq!(v2.words(), &["a", "d", "c"]);
        assert_eq!(v2.retained_words(), 7);
        let v3 = Vocab::from_sentences(sents, 1, Some(2)).unwrap();
        assert_eq!(v3.words(), &["a", "d"]);
    }

    #[test]
    fn empty_inputs_are_errors() {
        let none: Vec<Vec<&str>> = vec![vec![], vec![]];
        assert!(matches!(
            Vocab::from_sentences(none, 1, None),
            Err(Error::EmptyCorpus)
        ));
        let e = Vocab::from_sentences(vec![vec!["x", "y"]], 5, None).unwrap_err();
        assert!(e.to_string().contains("min_count = 5"), "{e}");
    }
}
