//! Numbering the word n-grams of documents in first-seen order, hashing each token's text once: n-grams are
//! looked up by their token ids (a `u64` for bigrams), and an n-gram's text is only built when the vocabulary is
//! complete (see `count::learn`).
//!
//! With two or more threads the work is a two-stage pipeline: one thread cuts the documents into lowercased
//! tokens and hands them over in chunks, in document order; the calling thread numbers them. The numbering is
//! the same sequential first-seen numbering either way, so the result does not depend on the thread count.

use std::sync::mpsc::sync_channel;

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use rustc_hash::FxBuildHasher;

use super::analyzer::{Analysis, Scratch};
use super::occurrences::Occurrences;
use super::term_list::TermList;
use super::vocabulary::FastMap;

/// The word n-grams found: features numbered in first-seen order, each as its token sequence.
pub(crate) struct WordRun {
    /// Token texts by token id, back to back.
    pub(crate) tokens: TermList,
    /// Token ids of all features, concatenated; feature `f` is `flat[starts[f]..starts[f + 1]]`.
    pub(crate) flat: Vec<u32>,
    /// Where each feature's tokens start in `flat`, plus the end.
    pub(crate) starts: Vec<usize>,
}

impl WordRun {
    /// The number of features.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The token ids of feature `f`.
    pub(crate) fn window(&self, f: usize) -> &[u32] {
        &self.flat[self.starts[f]..self.starts[f + 1]]
    }

    /// The tokens of feature `f`, whose text is these joined by spaces.
    pub(crate) fn tokens_of(&self, f: usize) -> impl Iterator<Item = &str> {
        self.window(f)
            .iter()
            .map(|&t| self.tokens.get(t as usize).unwrap_or_default())
    }
}

/// Tokens of consecutive documents, handed from the tokenizing thread to the counting thread.
#[derive(Default)]
struct TokenChunk {
    /// The tokens' texts back to back.
    text: String,
    /// End of each token in `text`.
    token_ends: Vec<usize>,
    /// Number of tokens up to the end of each document.
    doc_ends: Vec<usize>,
}

impl TokenChunk {
    fn push(&mut self, token: &str) {
        self.text.push_str(token);
        self.token_ends.push(self.text.len());
    }

    fn end_document(&mut self) {
        self.doc_ends.push(self.token_ends.len());
    }

    /// Feeds the documents of the chunk to `counter`.
    fn replay(&self, counter: &mut WordCounter) {
        let (mut token, mut start) = (0, 0);
        for &doc_end in &self.doc_ends {
            for &end in &self.token_ends[token..doc_end] {
                counter.token(&self.text[start..end]);
                start = end;
            }
            token = doc_end;
            counter.end_document();
        }
    }
}

/// Numbers the word n-grams of documents fed to it batch after batch (the state between batches is the
/// vocabulary found so far plus [`Occurrences`]).
pub(crate) struct WordCounter {
    min_n: usize,
    max_n: usize,
    /// Token id by the 64-bit hash of the token's text (the text itself is in `run.tokens`, one allocation for
    /// all tokens instead of one each); a token whose hash another token took first goes to `colliding`.
    token_ids: HashMap<u64, u32, PreHashed>,
    colliding: FastMap<Box<str>, u32>,
    /// Tests: every token hashes to 0, so all but the first go through `colliding`.
    #[cfg(test)]
    all_hashes_collide: bool,
    /// Feature id of each token as a unigram, [`NONE`] until seen as one.
    unigram_feature: Vec<u32>,
    bigram_feature: FastMap<u64, u32>,
    longer_feature: FastMap<Box<[u32]>, u32>,
    /// Token ids of the current document.
    doc_tokens: Vec<u32>,
    run: WordRun,
    /// The occurrences and statistics.
    pub(crate) occurrences: Occurrences,
}

/// No feature yet.
const NONE: u32 = u32::MAX;

/// Hashing for keys that are hashes already (a token's Fx hash): the key is its own hash, so a lookup hashes the
/// token's text once.
#[derive(Debug, Clone, Copy, Default)]
struct PreHashed;

/// The [`Hasher`] of [`PreHashed`]: keeps the last `u64` written.
#[derive(Debug, Default)]
struct KeyAsHash(u64);

impl Hasher for KeyAsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are used; anything else is folded in, to stay a correct hasher.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl BuildHasher for PreHashed {
    type Hasher = KeyAsHash;

    fn build_hasher(&self) -> KeyAsHash {
        KeyAsHash::default()
    }
}

impl WordCounter {
    /// Room is reserved from `bytes`, the size of the text expected (0 when unknown), to spare most rehashing and
    /// regrowing: a token takes at least three bytes with its separator, so `bytes / 3` tokens at most; the maps
    /// get rough sizes for prose (a distinct word per 64 bytes and a distinct bigram per 16, capped) and grow
    /// past them if needed. Untouched reserved pages of the large vectors cost no memory.
    pub(crate) fn new(
        (min_n, max_n): (usize, usize),
        bytes: usize,
        docs: usize,
        occurrences: Occurrences,
    ) -> Self {
        let max_tokens = bytes / 3 + docs;
        let occurrences_expected = max_tokens.saturating_mul(max_n + 1 - min_n);
        // Capped: a larger text mostly repeats words and bigrams, and an oversized table spreads its lookups over
        // more cache lines.
        let words = (bytes / 64).min(1 << 15);
        let bigrams = if (min_n..=max_n).contains(&2) {
            (bytes / 16).min(1 << 17)
        } else {
            0
        };
        let mut starts = Vec::with_capacity(occurrences_expected.min(1 << 22) + 1);
        starts.push(0);
        let mut occurrences = occurrences;
        if occurrences.records() {
            occurrences.ids.reserve(occurrences_expected);
            occurrences.doc_ends.reserve(docs);
        }
        Self {
            min_n,
            max_n,
            token_ids: HashMap::with_capacity_and_hasher(words, PreHashed),
            colliding: FastMap::with_hasher(FxBuildHasher),
            #[cfg(test)]
            all_hashes_collide: false,
            unigram_feature: Vec::with_capacity(words),
            bigram_feature: FastMap::with_capacity_and_hasher(bigrams, FxBuildHasher),
            longer_feature: FastMap::with_hasher(FxBuildHasher),
            doc_tokens: Vec::new(),
            run: WordRun {
                tokens: TermList::with_capacity(words, 8 * words),
                flat: Vec::with_capacity(occurrences_expected.min(1 << 23)),
                starts,
            },
            occurrences,
        }
    }

    /// Counts the word n-grams of `docs`; on a pipeline of two threads when `threads > 1` (one tokenizes, the
    /// caller's numbers, in document order, so the result does not depend on the thread count).
    pub(crate) fn feed<D: AsRef<str> + Sync>(
        &mut self,
        analysis: &Analysis,
        docs: &[D],
        threads: usize,
    ) {
        let mut scratch = Scratch::default();
        if threads <= 1 || docs.len() < 2 {
            for doc in docs {
                analysis.word_tokens(doc.as_ref(), &mut scratch, &mut |token| self.token(token));
                self.end_document();
            }
            return;
        }
        // Chunks of about this many bytes of text go from the tokenizing thread to the counting one.
        const CHUNK_BYTES: usize = 32 * 1024;
        let (sender, receiver) = sync_channel::<TokenChunk>(8);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut chunk = TokenChunk::default();
                for doc in docs {
                    analysis
                        .word_tokens(doc.as_ref(), &mut scratch, &mut |token| chunk.push(token));
                    chunk.end_document();
                    if chunk.text.len() >= CHUNK_BYTES
                        && sender.send(std::mem::take(&mut chunk)).is_err()
                    {
                        return;
                    }
                }
                let _ = sender.send(chunk);
            });
            for chunk in receiver {
                chunk.replay(self);
            }
        });
    }

    /// The next token of the current document.
    fn token(&mut self, token: &str) {
        let hash = self.hash_of(token);
        let tokens = &mut self.run.tokens;
        let id = match self.token_ids.get(&hash) {
            Some(&id) if tokens.get(id as usize) == Some(token) => id,
            Some(_) => match self.colliding.get(token) {
                Some(&id) => id,
                None => {
                    let id = tokens.len() as u32;
                    tokens.push(token);
                    self.colliding.insert(Box::from(token), id);
                    self.unigram_feature.push(NONE);
                    id
                }
            },
            None => {
                let id = tokens.len() as u32;
                tokens.push(token);
                self.token_ids.insert(hash, id);
                self.unigram_feature.push(NONE);
                id
            }
        };
        self.doc_tokens.push(id);
    }

    #[inline]
    fn hash_of(&self, token: &str) -> u64 {
        #[cfg(test)]
        if self.all_hashes_collide {
            return 0;
        }
        FxBuildHasher.hash_one(token)
    }

    /// Ends the current document: numbers its n-grams.
    fn end_document(&mut self) {
        let Self {
            min_n,
            max_n,
            unigram_feature,
            bigram_feature,
            longer_feature,
            doc_tokens,
            run,
            occurrences,
            ..
        } = self;
        let mut new_term = |window: &[u32]| -> u32 {
            run.flat.extend_from_slice(window);
            run.starts.push(run.flat.len());
            (run.starts.len() - 2) as u32
        };
        let ids = &mut occurrences.ids;
        for n in *min_n..=(*max_n).min(doc_tokens.len()) {
            for window in doc_tokens.windows(n) {
                let id = match n {
                    1 => {
                        let slot = &mut unigram_feature[window[0] as usize];
                        if *slot == NONE {
                            *slot = new_term(window);
                        }
                        *slot
                    }
                    2 => {
                        // One probe for a bigram seen before and for a new one alike.
                        let key = (u64::from(window[0]) << 32) | u64::from(window[1]);
                        *bigram_feature
                            .entry(key)
                            .or_insert_with(|| new_term(window))
                    }
                    _ => match longer_feature.get(window) {
                        Some(&id) => id,
                        None => {
                            let id = new_term(window);
                            longer_feature.insert(Box::from(window), id);
                            id
                        }
                    },
                };
                ids.push(id);
            }
        }
        occurrences.end_document(run.len());
        doc_tokens.clear();
    }

    /// The features found and the occurrences.
    pub(crate) fn finish(self) -> (WordRun, Occurrences) {
        (self.run, self.occurrences)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorize::config::CountVectorizerConfig;

    #[test]
    fn the_pipeline_and_batches_number_like_one_thread_at_once() {
        let analysis = Analysis::new(&CountVectorizerConfig {
            ngram_range: (1, 3),
            ..Default::default()
        });
        // Enough text for several chunks, with repeats across chunk boundaries and empty documents.
        let docs: Vec<String> = (0..3000)
            .map(|i| match i % 7 {
                0 => String::new(),
                k => format!("Слово{} и ещё {} word{} ё", i % 97, k, i % 13),
            })
            .collect();
        let count = |threads, batch: usize| {
            let mut counter = WordCounter::new((1, 3), 0, 0, Occurrences::new(true, false));
            // Batches of 1000 also run every token through the map of tokens whose hash was taken.
            counter.all_hashes_collide = batch == 1000;
            for docs in docs.chunks(batch) {
                counter.feed(&analysis, docs, threads);
            }
            counter.finish()
        };
        let (one, one_occ) = count(1, docs.len());
        assert!(one.len() > 100);
        for (threads, batch) in [(2, docs.len()), (2, 7), (1, 1000)] {
            let (two, two_occ) = count(threads, batch);
            assert_eq!(one.tokens, two.tokens);
            assert_eq!(one.flat, two.flat);
            assert_eq!(one.starts, two.starts);
            assert_eq!(one_occ.ids, two_occ.ids);
            assert_eq!(one_occ.doc_ends, two_occ.doc_ends);
        }
    }
}
