//! The training corpus held as word ids: one `u32` per in-vocabulary token plus sentence boundaries (4 bytes a
//! token, far less than the text), so the epochs replay it without re-reading and re-cleaning the file.

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

    /// Deals the sentences out to `parts` threads in consecutive blocks of at least `block_words` words, round
    /// robin (block `k` goes to thread `k % parts`), the way gensim deals out its jobs: the threads train on nearby
    /// text at the same time. With one part, one range covering everything (deterministic either way).
    pub(crate) fn shards(
        &self,
        parts: usize,
        block_words: usize,
    ) -> Vec<Vec<std::ops::Range<usize>>> {
        let parts = parts.max(1);
        let mut shards = vec![Vec::new(); parts];
        if parts == 1 {
            shards[0].push(0..self.sentences());
            return shards;
        }
        let (mut start, mut block) = (0usize, 0usize);
        while start < self.sentences() {
            let mut end = start;
            while end < self.sentences()
                && self.starts[end] - self.starts[start] < block_words.max(1)
            {
                end += 1;
            }
            shards[block % parts].push(start..end);
            block += 1;
            start = end;
        }
        shards
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
    fn shards_deal_blocks_round_robin_and_cover_everything_once() {
        let sents: Vec<Vec<String>> = (0..37).map(|i| vec!["w".to_string(); 1 + i % 5]).collect();
        let v = Vocab::from_sentences(sents.clone(), 1, None).unwrap();
        let c = Corpus::encode(&v, sents, 100);
        assert_eq!(c.shards(1, 10), vec![vec![0..37]]);
        for parts in 2..5 {
            let shards = c.shards(parts, 10);
            assert_eq!(shards.len(), parts);
            let mut blocks: Vec<_> = shards.iter().flatten().cloned().collect();
            blocks.sort_by_key(|r| r.start);
            assert_eq!(blocks[0].start, 0);
            assert_eq!(blocks.last().unwrap().end, 37);
            assert!(blocks.windows(2).all(|w| w[0].end == w[1].start));
            for b in &blocks[..blocks.len() - 1] {
                let words: usize = b.clone().map(|s| c.sentence(s).len()).sum();
                assert!((10..15).contains(&words), "{b:?}: {words} words");
            }
            // block k belongs to thread k % parts
            for (k, b) in blocks.iter().enumerate() {
                assert!(shards[k % parts].contains(b));
            }
        }
    }
}
