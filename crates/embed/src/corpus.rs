//! A corpus held as word ids: one `u32` per in-vocabulary token plus sentence boundaries (4 bytes a token, far
//! less than the text). Training replays it every epoch; it is also the block that training deals to a thread,
//! and the cache of a small [`crate::FileCorpus`].

use crate::vocab::Vocab;

/// Sentences of vocabulary ids. Out-of-vocabulary tokens are dropped (as gensim does, which "shortens the sentence
/// and widens the window"); sentences longer than `max_sentence_len` ids are split into pieces of that length (the
/// C tool splits at 1000 words; gensim truncates at 10000 — splitting loses nothing).
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    ids: Vec<u32>,
    /// `starts[i]..starts[i + 1]` is sentence `i`.
    starts: Vec<usize>,
    raw_words: u64,
}

impl Corpus {
    /// Encodes token sentences with `vocab`. Empty sentences (after dropping unknown words) are skipped.
    pub fn encode<I, T, S>(vocab: &Vocab, sentences: I, max_sentence_len: usize) -> Self
    where
        I: IntoIterator<Item = T>,
        T: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut corpus = Corpus {
            ids: Vec::new(),
            starts: vec![0],
            raw_words: 0,
        };
        for sentence in sentences {
            corpus.push_sentence(vocab, sentence, max_sentence_len);
        }
        corpus
    }

    /// Appends one sentence (for streaming construction).
    pub fn push_sentence<T, S>(&mut self, vocab: &Vocab, sentence: T, max_sentence_len: usize)
    where
        T: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let max_len = max_sentence_len.max(1);
        let mut current = 0usize;
        for token in sentence {
            self.raw_words += 1;
            if let Some(id) = vocab.id(token.as_ref()) {
                self.ids.push(id);
                current += 1;
                if current == max_len {
                    self.starts.push(self.ids.len());
                    current = 0;
                }
            }
        }
        if current > 0 {
            self.starts.push(self.ids.len());
        }
    }

    /// Number of (possibly split) non-empty sentences.
    pub fn sentences(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Sentence `i` as ids.
    pub fn sentence(&self, i: usize) -> &[u32] {
        &self.ids[self.starts[i]..self.starts[i + 1]]
    }

    /// In-vocabulary tokens.
    pub fn words(&self) -> usize {
        self.ids.len()
    }

    /// All tokens fed in, including dropped out-of-vocabulary ones (the "raw words" of words/s figures).
    pub fn raw_words(&self) -> u64 {
        self.raw_words
    }

    /// Empties the corpus, keeping its allocations (a training block is refilled this way).
    pub(crate) fn clear(&mut self) {
        self.ids.clear();
        self.starts.clear();
        self.starts.push(0);
        self.raw_words = 0;
    }

    /// Appends sentences `from..` of `other` until this corpus holds at least `min_words` ids or `other` ends;
    /// returns the index of the first sentence not copied.
    pub(crate) fn copy_sentences(
        &mut self,
        other: &Corpus,
        from: usize,
        min_words: usize,
    ) -> usize {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let mut next = from;
        while next < other.sentences() && self.ids.len() < min_words {
            self.ids.extend_from_slice(other.sentence(next));
            self.starts.push(self.ids.len());
            next += 1;
        }
        next
    }

    /// An empty corpus with room for `words` ids in `sentences` sentences (capped at what the address space
    /// allows: it only reserves).
    pub(crate) fn with_capacity(words: u64, sentences: u64) -> Self {
        let mut ids = Vec::new();
        let mut starts = Vec::new();
        // A failed reservation only means the vectors grow as they fill.
        let _ = ids.try_reserve_exact(usize::try_from(words).unwrap_or(0));
        let _ = starts.try_reserve_exact(usize::try_from(sentences).unwrap_or(0).saturating_add(1));
        starts.push(0);
        Self {
            ids,
            starts,
            raw_words: 0,
        }
    }

    /// The bytes [`Corpus::heap_bytes`] reports for `words` ids in `sentences` sentences.
    pub(crate) fn bytes_for(words: u64, sentences: u64) -> usize {
        let bytes = u128::from(words) * std::mem::size_of::<u32>() as u128
            + (u128::from(sentences) + 1) * std::mem::size_of::<usize>() as u128;
        usize::try_from(bytes).unwrap_or(usize::MAX)
    }

    /// Bytes held by the ids and sentence boundaries (what a cached corpus costs).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.ids.capacity() * std::mem::size_of::<u32>()
            + self.starts.capacity() * std::mem::size_of::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_drops_unknown_and_splits_long_sentences() {
        let sents = vec![vec!["a", "b", "a", "a", "zz"], vec!["q"], vec!["b", "a"]];
        let v = Vocab::from_sentences(sents.clone(), 2, None).unwrap();
        let c = Corpus::encode(&v, sents, 3);
        assert_eq!(c.raw_words(), 8);
        assert_eq!(c.words(), 6);
        assert_eq!(c.sentences(), 3);
        assert_eq!(c.sentence(0), &[0, 1, 0]);
        assert_eq!(c.sentence(1), &[0]);
        assert_eq!(c.sentence(2), &[1, 0]);
    }

    #[test]
    fn copy_sentences_fills_blocks_of_at_least_the_asked_size() {
        let sents: Vec<Vec<String>> = (0..7).map(|i| vec!["w".to_string(); 1 + i % 3]).collect();
        let v = Vocab::from_sentences(sents.clone(), 1, None).unwrap();
        let c = Corpus::encode(&v, sents, 100); // sentence lengths 1 2 3 1 2 3 1
        let mut block = Corpus::default();
        assert_eq!(block.copy_sentences(&c, 0, 4), 3);
        assert_eq!((block.sentences(), block.words()), (3, 6));
        block.clear();
        assert_eq!(
            (block.sentences(), block.words(), block.raw_words()),
            (0, 0, 0)
        );
        assert_eq!(block.copy_sentences(&c, 3, 4), 6);
        assert_eq!(block.sentence(2), &[0, 0, 0]);
        block.clear();
        assert_eq!(block.copy_sentences(&c, 6, 4), 7);
        assert_eq!(block.copy_sentences(&c, 7, 4), 7);
        assert_eq!(block.words(), 1);
    }
}
