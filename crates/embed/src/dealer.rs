//! Where training's sentences come from, and how they are dealt to the threads: the ONE place that reads a
//! corpus during training, whether it is held in memory ([`Corpus`]) or streamed from its file each epoch
//! ([`FileCorpus`]).
//!
//! Every epoch is cut into blocks of whole sentences of at least `block_words` in-vocabulary words, in corpus
//! order. A thread that needs work takes the next block (under a mutex: reading and encoding the next block of a
//! file happens there too, so the file is read once per epoch whatever the thread count). Taking blocks on demand
//! keeps both cores busy to the end of the run (no thread waits for a slower one's share, and there is no barrier
//! between epochs), and the threads train on nearby text at the same time, as gensim's job queue does. Each block
//! carries its epoch, its number in the epoch and the in-vocabulary words before it in the epoch, so its random
//! stream and learning rate do not depend on which thread trains it. With one thread the blocks come in order:
//! the run is the same bits every time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::text::{FileCorpus, FilePass};
use crate::vocab::Vocab;

/// What [`crate::train`] trains on: a corpus in memory, or a file read again every epoch. Both convert with
/// `.into()` (or are passed as `&corpus` where a `Source` is expected).
#[derive(Debug, Clone, Copy)]
pub enum Source<'c> {
    /// Ids held in memory, replayed every epoch.
    Memory(&'c Corpus),
    /// A text file streamed every epoch (or cached after the first when small; see [`FileCorpus`]).
    File(&'c FileCorpus),
}

impl<'c> From<&'c Corpus> for Source<'c> {
    fn from(corpus: &'c Corpus) -> Self {
        Source::Memory(corpus)
    }
}

impl<'c> From<&'c FileCorpus> for Source<'c> {
    fn from(corpus: &'c FileCorpus) -> Self {
        Source::File(corpus)
    }
}

impl Source<'_> {
    /// In-vocabulary tokens of one epoch (the learning-rate schedule's epoch length).
    pub fn words(&self) -> u64 {
        match self {
            Source::Memory(c) => c.words() as u64,
            Source::File(f) => f.words(),
        }
    }

    /// All tokens of one epoch, out-of-vocabulary ones included.
    pub fn raw_words(&self) -> u64 {
        match self {
            Source::Memory(c) => c.raw_words(),
            Source::File(f) => f.raw_words(),
        }
    }

    /// Sentences of one epoch (more threads than this would have nothing to do).
    pub fn sentences(&self) -> u64 {
        match self {
            Source::Memory(c) => c.sentences() as u64,
            Source::File(f) => f.sentences(),
        }
    }
}

/// Where a block sits in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockInfo {
    /// Epoch, from 0.
    pub epoch: usize,
    /// Block number within the epoch, from 0.
    pub index: u64,
    /// In-vocabulary words of the epoch before this block.
    pub offset: u64,
}

/// The pass in progress.
enum Pass<'c> {
    /// The epoch has not started.
    Idle,
    /// Replaying ids in memory (the caller's corpus, or the cache of a file's first pass): the next sentence.
    Replay(usize),
    /// Reading the file; the first epoch also fills the cache while it stays under the limit.
    File(Box<FilePass<'c>>),
}

struct State<'c> {
    epoch: usize,
    index: u64,
    offset: u64,
    pass: Pass<'c>,
    /// A file's ids, kept during the first epoch while they fit in the cache limit; complete once that epoch ends.
    cache: Option<Corpus>,
    cache_complete: bool,
}

/// Deals the blocks of every epoch to the threads that ask (see the module comment).
pub(crate) struct Dealer<'c> {
    source: Source<'c>,
    vocab: &'c Vocab,
    epochs: usize,
    block_words: usize,
    state: Mutex<State<'c>>,
    /// The epoch the latest block belongs to (for progress reports).
    current_epoch: AtomicU64,
    /// Set when a pass failed: the other threads stop at their next block.
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl<'c> Dealer<'c> {
    pub(crate) fn new(
        source: Source<'c>,
        vocab: &'c Vocab,
        epochs: usize,
        block_words: usize,
    ) -> Self {
        // The vocabulary pass counted the file's words and sentences, so whether its ids fit is known up front: a
        // file that fits is cached in one allocation, a larger one never holds any cache.
        let cache = match source {
            Source::File(f) if Corpus::bytes_for(f.words(), f.sentences()) <= f.cache_limit() => {
                Some(Corpus::with_capacity(f.words(), f.sentences()))
            }
            _ => None,
        };
        Self {
            source,
            vocab,
            epochs,
            block_words: block_words.max(1),
            state: Mutex::new(State {
                epoch: 0,
                index: 0,
                offset: 0,
                pass: Pass::Idle,
                cache,
                cache_complete: false,
            }),
            current_epoch: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
        }
    }

    /// The epoch of the latest block dealt, from 0.
    pub(crate) fn current_epoch(&self) -> usize {
        self.current_epoch.load(Ordering::Relaxed) as usize
    }

    /// Fills `block` with the next block of sentences and says where it sits; `None` when every epoch has been
    /// dealt or a pass failed (the failure is kept for [`Dealer::finish`]).
    pub(crate) fn next_block(&self, block: &mut Corpus) -> Option<BlockInfo> {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match self.fill(&mut state, block) {
            Ok(info) => info,
            Err(err) => {
                self.failed.store(true, Ordering::Relaxed);
                self.error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_or_insert(err);
                None
            }
        }
    }

    /// The run's outcome once the threads are done: the first error a pass met, if any.
    pub(crate) fn finish(self) -> Result<()> {
        match self
            .error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    fn fill(&self, state: &mut State<'c>, block: &mut Corpus) -> Result<Option<BlockInfo>> {
        block.clear();
        loop {
            if state.epoch >= self.epochs {
                return Ok(None);
            }
            if let Pass::Idle = state.pass {
                state.pass = match self.source {
                    Source::File(f) if !state.cache_complete => {
                        Pass::File(Box::new(f.open_pass()?))
                    }
                    _ => Pass::Replay(0),
                };
            }
            let ended = match &mut state.pass {
                Pass::Idle => true,
                Pass::Replay(next) => {
                    let corpus = match self.source {
                        Source::Memory(corpus) => Some(corpus),
                        Source::File(_) => state.cache.as_ref(),
                    };
                    match corpus {
                        Some(corpus) => {
                            *next = block.copy_sentences(corpus, *next, self.block_words);
                            *next >= corpus.sentences()
                        }
                        None => true, // never: a file is replayed only from a complete cache
                    }
                }
                Pass::File(pass) => {
                    let ended = !pass.fill(block, self.block_words, self.vocab)?;
                    if let (Some(cache), Source::File(f)) = (&mut state.cache, self.source) {
                        cache.copy_sentences(block, 0, usize::MAX);
                        // More than the vocabulary pass counted (long sentences split into many pieces).
                        if cache.heap_bytes() > f.cache_limit() {
                            state.cache = None;
                        }
                    }
                    if ended {
                        state.cache_complete = state.cache.is_some();
                    }
                    ended
                }
            };
            let info = (block.words() > 0).then(|| self.deal(state, block));
            if ended {
                state.epoch += 1;
                state.index = 0;
                state.offset = 0;
                state.pass = Pass::Idle;
            }
            if info.is_some() {
                return Ok(info);
            }
        }
    }

    fn deal(&self, state: &mut State<'c>, block: &Corpus) -> BlockInfo {
        let info = BlockInfo {
            epoch: state.epoch,
            index: state.index,
            offset: state.offset,
        };
        state.index += 1;
        state.offset += block.words() as u64;
        self.current_epoch
            .store(state.epoch as u64, Ordering::Relaxed);
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::encode_file;
    use textprep::SentenceConfig;

    /// Every block of every epoch, with its place.
    fn deal_all(dealer: &Dealer<'_>) -> Vec<(BlockInfo, Vec<Vec<u32>>)> {
        let mut block = Corpus::default();
        let mut out = Vec::new();
        while let Some(info) = dealer.next_block(&mut block) {
            let sentences = (0..block.sentences())
                .map(|s| block.sentence(s).to_vec())
                .collect();
            out.push((info, sentences));
        }
        out
    }

    fn story_file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("story.txt");
        std::fs::write(&path, textprep::sample::RUSSIAN_STORY).unwrap();
        (dir, path)
    }

    #[test]
    fn memory_blocks_cover_each_epoch_once_in_order() {
        let (_dir, path) = story_file();
        let config = SentenceConfig::default();
        let (vocab, _) = FileCorpus::scan(&path, &config, 1, None, 7).unwrap();
        let corpus = encode_file(&path, &config, &vocab, 7).unwrap();
        let dealer = Dealer::new(Source::Memory(&corpus), &vocab, 3, 20);
        let blocks = deal_all(&dealer);
        let all: Vec<Vec<u32>> = (0..corpus.sentences())
            .map(|s| corpus.sentence(s).to_vec())
            .collect();
        for epoch in 0..3 {
            let mine: Vec<_> = blocks.iter().filter(|(i, _)| i.epoch == epoch).collect();
            let mut offset = 0;
            for (k, (info, sentences)) in mine.iter().enumerate() {
                assert_eq!((info.index, info.offset), (k as u64, offset));
                let words: usize = sentences.iter().map(Vec::len).sum();
                if k + 1 < mine.len() {
                    assert!((20..27).contains(&words), "block {k}: {words} words");
                }
                offset += words as u64;
            }
            assert_eq!(offset, corpus.words() as u64);
            let flat: Vec<Vec<u32>> = mine.iter().flat_map(|(_, s)| s.clone()).collect();
            assert_eq!(flat, all);
        }
        assert_eq!(dealer.current_epoch(), 2);
        assert!(dealer.finish().is_ok());
    }

    #[test]
    fn a_file_read_every_epoch_or_cached_deals_what_memory_deals() {
        let (_dir, path) = story_file();
        let config = SentenceConfig::default();
        let (vocab, file) = FileCorpus::scan(&path, &config, 2, None, 9).unwrap();
        let corpus = encode_file(&path, &config, &vocab, 9).unwrap();
        assert_eq!(
            (file.words(), file.raw_words()),
            (corpus.words() as u64, corpus.raw_words())
        );
        let expected = deal_all(&Dealer::new(Source::Memory(&corpus), &vocab, 3, 15));
        for limit in [0, 64, FileCorpus::DEFAULT_CACHE_LIMIT] {
            let file = file.clone().with_cache_limit(limit);
            let dealer = Dealer::new(Source::File(&file), &vocab, 3, 15);
            assert_eq!(deal_all(&dealer), expected, "cache limit {limit}");
            let state = dealer.state.lock().unwrap();
            // Only a cache that fits survives the first epoch.
            assert_eq!(
                state.cache_complete,
                limit == FileCorpus::DEFAULT_CACHE_LIMIT
            );
        }
    }

    #[test]
    fn a_file_that_changes_between_passes_stops_the_run_with_its_name() {
        let (_dir, path) = story_file();
        let config = SentenceConfig::default();
        let (vocab, file) = FileCorpus::scan(&path, &config, 1, None, 1000).unwrap();
        let file = file.with_cache_limit(0);
        std::fs::write(&path, "кот и пёс. пёс и кот.").unwrap();
        let dealer = Dealer::new(Source::File(&file), &vocab, 2, 10);
        deal_all(&dealer);
        let err = dealer.finish().unwrap_err().to_string();
        assert!(
            err.contains("story.txt") && err.contains("changed"),
            "{err}"
        );
        std::fs::remove_file(&path).unwrap();
        let dealer = Dealer::new(Source::File(&file), &vocab, 2, 10);
        assert!(deal_all(&dealer).is_empty());
        assert!(
            dealer
                .finish()
                .unwrap_err()
                .to_string()
                .contains("story.txt")
        );
    }
}
