//! Word2Vec training: initialisation as gensim, the linear learning-rate schedule, the threads and progress
//! reporting. The arithmetic is in `kernel.rs`, the weight sharing in `shared.rs`, and where the sentences come
//! from and which thread trains which in `dealer.rs`.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::corpus::Corpus;
pub use crate::dealer::Source;
use crate::dealer::{BlockInfo, Dealer};
use crate::error::{Error, Result};
use crate::kernel::{Tables, Worker};
use crate::keyed::KeyedVectors;
use crate::params::Word2VecParams;
use crate::sampling::{Lcg, NegativeSampler, SigmoidTable, cum_table, sample_ints};
pub use crate::shared::SyncPolicy;
use crate::shared::{AtomicRows, Master, OwnedRows, RowStore, Syncer, from_atomic, to_atomic};
use crate::vocab::Vocab;

/// Sentences are dealt to the threads in blocks of at least this many words (see `dealer.rs`). Small enough that
/// the threads train on nearby text and finish together; each block costs a mutex round trip.
const BLOCK_WORDS: usize = 1_000;

/// A snapshot of training progress, passed to the progress callback a few times a second.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Current epoch, from 1.
    pub epoch: usize,
    /// Total epochs.
    pub epochs: usize,
    /// In-vocabulary words processed so far, over all epochs.
    pub words_done: u64,
    /// In-vocabulary words to process in total (`corpus words × epochs`).
    pub words_total: u64,
    /// The learning rate the first thread is using now.
    pub alpha: f32,
    /// Time since training started.
    pub elapsed: Duration,
}

/// What a finished training run measured.
#[derive(Debug, Clone, Copy)]
pub struct TrainStats {
    /// Wall-clock training time in seconds (tables, initialisation and the epochs).
    pub seconds: f64,
    /// Raw words (including out-of-vocabulary tokens) × epochs: gensim's numerator for words/s.
    pub raw_words_trained: u64,
    /// Words actually trained on after subsampling, over all epochs.
    pub effective_words: u64,
    /// `raw_words_trained / seconds`.
    pub words_per_sec: f64,
    /// Threads used.
    pub threads: usize,
}

/// The progress callback type: called from the coordinating thread, never from a worker.
pub type ProgressFn<'a> = &'a (dyn Fn(&Progress) + Sync);

/// Trains Word2Vec on `corpus` — a [`Corpus`] in memory or a [`crate::FileCorpus`] streamed from its file every
/// epoch, encoded with `vocab` — and returns the input vectors as [`KeyedVectors`].
///
/// With `params.threads == 1` and a fixed seed the result is bit-identical from run to run. With more threads every
/// block of sentences still gets the same random stream and learning rate whichever thread trains it, but which
/// thread that is, and the interleaving of the Hogwild updates, are not fixed (see `dealer.rs` and `shared.rs`).
///
/// # Errors
/// [`Error::InvalidParam`] from [`Word2VecParams::validate`]; [`Error::EmptyCorpus`] if the corpus has no
/// in-vocabulary word; for a file, reading errors and [`Error::Format`] if it changed since the vocabulary pass.
pub fn train<'c>(
    vocab: &Vocab,
    corpus: impl Into<Source<'c>>,
    params: &Word2VecParams,
    progress: Option<ProgressFn<'_>>,
) -> Result<(KeyedVectors, TrainStats)> {
    train_with(vocab, corpus, params, progress, Store::Auto)
}

/// Which weight store to use (`Auto`: plain for one thread, replicas with [`SyncPolicy::for_architecture`] for several;
/// the others exist for tests and the measurements that compare the schemes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Store {
    /// Plain for one thread, per-thread replicas for several.
    Auto,
    /// Atomic even for one thread.
    Atomic,
    /// Per-thread replicas synced with a mutex-guarded master as the policy says (even for one thread).
    Replicas(SyncPolicy),
}

/// [`train`] with an explicit weight store (for measurements and tests).
///
/// # Errors
/// As [`train`].
#[doc(hidden)]
pub fn train_with<'c>(
    vocab: &Vocab,
    corpus: impl Into<Source<'c>>,
    params: &Word2VecParams,
    progress: Option<ProgressFn<'_>>,
    store: Store,
) -> Result<(KeyedVectors, TrainStats)> {
    let corpus: Source<'c> = corpus.into();
    params.validate()?;
    if corpus.words() == 0 {
        return Err(Error::EmptyCorpus);
    }
    let start = Instant::now();
    let dim = params.dim;
    let v = vocab.len();
    let threads = params.threads.min(
        usize::try_from(corpus.sentences())
            .unwrap_or(usize::MAX)
            .max(1),
    );
    let negatives = NegativeSampler::new(cum_table(vocab.counts(), params.ns_exponent));
    let sample_int = sample_ints(vocab.counts(), params.sample);
    let sigmoid = SigmoidTable::new();

    // gensim's `prep_vectors`: input vectors uniform in [-1, 1) / dim; output vectors zero.
    let mut init_rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut syn0: Vec<f32> = (0..v * dim)
        .map(|_| (init_rng.random::<f32>() * 2.0 - 1.0) / dim as f32)
        .collect();
    let mut syn1: Vec<f32> = vec![0.0; v * dim];

    // Each block's LCG seed is the ChaCha8 stream of `seed`, word (epoch, block) (see `Plan::block_seed`).
    let streams = ChaCha8Rng::seed_from_u64(params.seed ^ 0x5851_F42D_4C95_7F2D);
    let dealer = Dealer::new(corpus, vocab, params.epochs, BLOCK_WORDS);

    let plan = Plan {
        dealer,
        params,
        words_per_epoch: corpus.words(),
        streams,
        tables: || Tables {
            negatives: &negatives,
            sample_ints: &sample_int,
            sigmoid: &sigmoid,
            subsample: params.sample > 0.0,
        },
        words_done: AtomicU64::new(0),
        effective: AtomicU64::new(0),
        alpha_bits: AtomicU32::new(params.alpha.to_bits()),
    };

    let (done_tx, done_rx) = mpsc::channel::<()>();
    if threads == 1 && store == Store::Auto {
        std::thread::scope(|scope| {
            let plan = &plan;
            let (s0, s1) = (&mut syn0, &mut syn1);
            let tx = done_tx.clone();
            scope.spawn(move || {
                let mut w0 = OwnedRows::new(s0, dim);
                let mut w1 = OwnedRows::new(s1, dim);
                plan.run_thread(0, &mut w0, &mut w1, usize::MAX, &mut |_, _, _| true);
                let _ = tx.send(());
            });
            drop(done_tx);
            plan.watch(&done_rx, 1, start, progress);
        });
    } else if store != Store::Atomic {
        let policy = match store {
            Store::Replicas(policy) => policy,
            _ => SyncPolicy::for_architecture(params.architecture),
        };
        let master = Mutex::new(Master::new(
            std::mem::take(&mut syn0),
            std::mem::take(&mut syn1),
            dim,
        ));
        std::thread::scope(|scope| {
            let plan = &plan;
            let master = &master;
            for t in 0..threads {
                let tx = done_tx.clone();
                scope.spawn(move || {
                    let (mut syncer, mut w0, mut w1) = Syncer::new(master, policy, dim);
                    let every = syncer.words();
                    plan.run_thread(t, &mut w0, &mut w1, every, &mut |a, b, full| {
                        syncer.sync(a, b, full)
                    });
                    let _ = tx.send(());
                });
            }
            drop(done_tx);
            plan.watch(&done_rx, threads, start, progress);
        });
        syn0 = master
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .into_syn0();
    } else {
        let shared0 = to_atomic(std::mem::take(&mut syn0));
        let shared1 = to_atomic(std::mem::take(&mut syn1));
        std::thread::scope(|scope| {
            let plan = &plan;
            for t in 0..threads {
                let tx = done_tx.clone();
                let mut w0 = AtomicRows::new(&shared0, dim);
                let mut w1 = AtomicRows::new(&shared1, dim);
                scope.spawn(move || {
                    plan.run_thread(t, &mut w0, &mut w1, usize::MAX, &mut |_, _, _| true);
                    let _ = tx.send(());
                });
            }
            drop(done_tx);
            plan.watch(&done_rx, threads, start, progress);
        });
        syn0 = from_atomic(shared0);
        drop(shared1);
    }
    let Plan {
        dealer, effective, ..
    } = plan;
    dealer.finish()?;
    let seconds = start.elapsed().as_secs_f64();
    let raw_words_trained = corpus.raw_words() * params.epochs as u64;
    let stats = TrainStats {
        seconds,
        raw_words_trained,
        effective_words: effective.into_inner(),
        words_per_sec: raw_words_trained as f64 / seconds.max(1e-9),
        threads,
    };
    let kv =
        KeyedVectors::new(vocab.words().to_vec(), syn0, dim)?.with_counts(vocab.counts().to_vec());
    Ok((kv, stats))
}

/// Everything the threads share for one run.
struct Plan<'a, F> {
    dealer: Dealer<'a>,
    params: &'a Word2VecParams,
    /// In-vocabulary words per epoch: the learning-rate schedule's unit.
    words_per_epoch: u64,
    /// The stream the blocks' LCG seeds are read from (see [`Plan::block_seed`]).
    streams: ChaCha8Rng,
    tables: F,
    words_done: AtomicU64,
    effective: AtomicU64,
    alpha_bits: AtomicU32,
}

impl<'t, F: Fn() -> Tables<'t> + Sync> Plan<'_, F> {
    /// The 48-bit LCG seed of block `index` of `epoch`: word `index` of ChaCha8 stream `epoch` of the run's seed,
    /// so it does not depend on which thread trains the block, and one thread's run is the same bits every time.
    fn block_seed(&self, block: BlockInfo) -> u64 {
        let mut rng = self.streams.clone();
        rng.set_stream(block.epoch as u64);
        rng.set_word_pos(u128::from(block.index) * 2);
        rng.next_u64() & ((1 << 48) - 1)
    }

    /// One thread's run: it takes blocks from the dealer until every epoch is dealt, with gensim's linear
    /// learning-rate decay `alpha - (alpha - min_alpha) * (epoch + epoch_progress) / epochs`, where
    /// `epoch_progress` is the fraction of the epoch's words before the sentence. `sync(syn0, syn1, full)` is
    /// called every `sync_words` words (and after each further sentence while it returns `false`: the master was
    /// busy), and with `full` once, when the thread is done. (It used to be full at every epoch start as well:
    /// that cost a blocking exchange of every row per thread and epoch, with no measurable gain in quality.)
    fn run_thread<S0: RowStore, S1: RowStore>(
        &self,
        t: usize,
        syn0: &mut S0,
        syn1: &mut S1,
        sync_words: usize,
        sync: &mut dyn FnMut(&mut S0, &mut S1, bool) -> bool,
    ) {
        let p = self.params;
        let mut since_sync = 0usize;
        let mut worker = Worker::new((self.tables)(), p.architecture, p.dim, p.window, p.negative);
        let mut block = Corpus::default();
        let (mut effective, mut pending) = (0u64, 0u64);
        let epoch_words = self.words_per_epoch.max(1) as f64;
        while let Some(info) = self.dealer.next_block(&mut block) {
            worker.lcg = Lcg(self.block_seed(info));
            let mut done = info.offset;
            for s in 0..block.sentences() {
                let progress = (info.epoch as f64 + done as f64 / epoch_words) / p.epochs as f64;
                let alpha = (f64::from(p.alpha) - f64::from(p.alpha - p.min_alpha) * progress)
                    .max(f64::from(p.min_alpha)) as f32;
                let ids = block.sentence(s);
                effective += worker.train_sentence(syn0, syn1, ids, alpha) as u64;
                done += ids.len() as u64;
                pending += ids.len() as u64;
                since_sync += ids.len();
                if since_sync >= sync_words && sync(syn0, syn1, false) {
                    since_sync = 0;
                }
                if pending >= 10_000 {
                    self.words_done.fetch_add(pending, Ordering::Relaxed);
                    pending = 0;
                    if t == 0 {
                        self.alpha_bits.store(alpha.to_bits(), Ordering::Relaxed);
                    }
                }
            }
        }
        self.words_done.fetch_add(pending, Ordering::Relaxed);
        sync(syn0, syn1, true);
        self.effective.fetch_add(effective, Ordering::Relaxed);
    }

    /// Waits for the workers, calling `progress` about five times a second.
    fn watch(
        &self,
        done: &mpsc::Receiver<()>,
        threads: usize,
        start: Instant,
        progress: Option<ProgressFn<'_>>,
    ) {
        let mut finished = 0;
        while finished < threads {
            match done.recv_timeout(Duration::from_millis(200)) {
                Ok(()) => finished += 1,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Some(report) = progress {
                report(&Progress {
                    epoch: (self.dealer.current_epoch() + 1).min(self.params.epochs),
                    epochs: self.params.epochs,
                    words_done: self.words_done.load(Ordering::Relaxed),
                    words_total: self.words_per_epoch * self.params.epochs as u64,
                    alpha: f32::from_bits(self.alpha_bits.load(Ordering::Relaxed)),
                    elapsed: start.elapsed(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Architecture;

    /// Two topics: words a0..a9 only co-occur with each other, b0..b9 likewise.
    fn topical_corpus() -> Vec<Vec<String>> {
        let mut lcg = Lcg(42);
        (0..400)
            .map(|s| {
                let topic = if s % 2 == 0 { 'a' } else { 'b' };
                (0..12)
                    .map(|_| format!("{topic}{}", lcg.next_u32() % 10))
                    .collect()
            })
            .collect()
    }

    fn setup(arch: Architecture, threads: usize) -> (Vocab, Corpus, Word2VecParams) {
        let sents = topical_corpus();
        let vocab = Vocab::from_sentences(sents.clone(), 1, None).unwrap();
        let corpus = Corpus::encode(&vocab, sents, 10_000);
        let params = Word2VecParams {
            architecture: arch,
            dim: 20,
            epochs: 5,
            threads,
            seed: 3,
            sample: 0.0,
            ..Default::default()
        };
        (vocab, corpus, params)
    }

    fn topic_margin(kv: &KeyedVectors) -> f32 {
        let (mut within, mut across) = (0.0, 0.0);
        for i in 0..10 {
            for j in 0..10 {
                if i != j {
                    within += kv.similarity(&format!("a{i}"), &format!("a{j}")).unwrap();
                }
                across += kv.similarity(&format!("a{i}"), &format!("b{j}")).unwrap();
            }
        }
        within / 90.0 - across / 100.0
    }

    #[test]
    fn one_thread_is_bit_identical_run_to_run_and_across_stores() {
        for arch in [Architecture::SkipGram, Architecture::Cbow] {
            let (vocab, corpus, params) = setup(arch, 1);
            let (a, _) = train(&vocab, &corpus, &params, None).unwrap();
            let (b, _) = train(&vocab, &corpus, &params, None).unwrap();
            let (c, _) = train_with(&vocab, &corpus, &params, None, Store::Atomic).unwrap();
            let bits =
                |kv: &KeyedVectors| kv.vectors().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b));
            assert_eq!(
                bits(&a),
                bits(&c),
                "plain and atomic stores must do the same arithmetic"
            );
            let other = Word2VecParams { seed: 4, ..params };
            let (d, _) = train(&vocab, &corpus, &other, None).unwrap();
            assert_ne!(bits(&a), bits(&d));
        }
    }

    #[test]
    fn learns_topics_with_one_and_two_threads() {
        for arch in [Architecture::SkipGram, Architecture::Cbow] {
            for threads in [1, 2] {
                let (vocab, corpus, params) = setup(arch, threads);
                let (kv, stats) = train(&vocab, &corpus, &params, None).unwrap();
                let margin = topic_margin(&kv);
                assert!(
                    margin > 0.3,
                    "{arch:?} x{threads}: within-topic minus across-topic cosine {margin}"
                );
                assert_eq!(stats.threads, threads);
                assert_eq!(stats.raw_words_trained, 400 * 12 * 5);
            }
        }
    }

    #[test]
    fn two_threads_with_rows_exchanged_in_blocks_learn_topics() {
        // 20 words: 4 hot rows and the rest in 5 blocks, exchanged every 50 words, so every path of the
        // exchange (hot rows, tail blocks in turn, everything at a full sync) runs in real training.
        for arch in [Architecture::SkipGram, Architecture::Cbow] {
            let (vocab, corpus, params) = setup(arch, 2);
            let policy = SyncPolicy {
                words: 50,
                hot_rows: 4,
                tail_blocks: 5,
            };
            let (kv, _) =
                train_with(&vocab, &corpus, &params, None, Store::Replicas(policy)).unwrap();
            let margin = topic_margin(&kv);
            assert!(margin > 0.3, "{arch:?}: margin {margin}");
        }
    }

    #[test]
    fn untrained_margin_is_small() {
        // The topic test above can fail: with alpha tiny nothing is learned.
        let (vocab, corpus, params) = setup(Architecture::SkipGram, 1);
        let params = Word2VecParams {
            alpha: 1e-7,
            min_alpha: 1e-7,
            ..params
        };
        let (kv, _) = train(&vocab, &corpus, &params, None).unwrap();
        assert!(topic_margin(&kv).abs() < 0.3);
    }

    #[test]
    fn a_streamed_file_trains_the_same_bits_as_its_ids_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("story.txt");
        std::fs::write(&path, textprep::sample::RUSSIAN_STORY).unwrap();
        let config = textprep::SentenceConfig::default();
        let (vocab, file) = crate::FileCorpus::scan(&path, &config, 1, None, 10_000).unwrap();
        let corpus = crate::encode_file(&path, &config, &vocab, 10_000).unwrap();
        for arch in [Architecture::SkipGram, Architecture::Cbow] {
            let params = Word2VecParams {
                architecture: arch,
                dim: 16,
                epochs: 3,
                threads: 1,
                seed: 5,
                ..Default::default()
            };
            let bits =
                |kv: &KeyedVectors| kv.vectors().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let (memory, stats) = train(&vocab, &corpus, &params, None).unwrap();
            for limit in [0, crate::FileCorpus::DEFAULT_CACHE_LIMIT] {
                let file = file.clone().with_cache_limit(limit);
                let (streamed, streamed_stats) = train(&vocab, &file, &params, None).unwrap();
                assert_eq!(
                    bits(&memory),
                    bits(&streamed),
                    "{arch:?}, cache limit {limit}"
                );
                assert_eq!(stats.raw_words_trained, streamed_stats.raw_words_trained);
                assert_eq!(stats.effective_words, streamed_stats.effective_words);
            }
            // and two threads learn from the file as well (sanity: finite, moved from the start)
            let two = Word2VecParams {
                threads: 2,
                ..params
            };
            let (kv, stats) = train(&vocab, &file, &two, None).unwrap();
            assert_eq!(stats.threads, 2);
            assert!(kv.vectors().iter().all(|v| v.is_finite()));
        }
        std::fs::write(&path, "другой текст.").unwrap();
        let params = Word2VecParams {
            threads: 1,
            epochs: 1,
            ..Default::default()
        };
        let file = file.with_cache_limit(0);
        let err = train(&vocab, &file, &params, None).unwrap_err().to_string();
        assert!(err.contains("story.txt"), "{err}");
    }

    #[test]
    fn progress_is_reported_and_reaches_the_end() {
        let (vocab, corpus, params) = setup(Architecture::SkipGram, 2);
        let last = std::sync::Mutex::new(None);
        let report = |p: &Progress| *last.lock().unwrap() = Some(*p);
        train(&vocab, &corpus, &params, Some(&report)).unwrap();
        let p = last.lock().unwrap().unwrap();
        assert_eq!(p.words_done, p.words_total);
        assert_eq!(p.epochs, 5);
    }
}
