//! Truncated back-propagation through time over the contiguous word stream (Keras `stateful=True`, the
//! PyTorch word-language-model example): the training words are cut into `streams` contiguous streams
//! read side by side, one batch row each; each batch is the next `seq_len` words of every stream, and the
//! recurrent state at the end of a batch is the initial state of the next one (carried, not
//! back-propagated through). Every word of the training text is a target once per epoch and every target
//! but the first of a stream sees all the words before it in its stream.
//!
//! The held-out text is scored the same way, as one stream: every held-out word after the first is a
//! target, predicted with the state carried from the start of the held-out text — the conditions of the
//! bigram baseline, which also sees the true previous word of every target.
//!
//! Dropout (inverted) is applied on the embedding's output, between recurrent layers and before the output
//! layers (the non-recurrent connections, as in Zaremba et al. 2014 and PyTorch's example); never in
//! evaluation. The output layer is one `(streams·seq_len, width) × (width, vocabulary)` product per batch
//! (with the embedding's table when tied) and a fused softmax cross-entropy (nn's `Tape::cross_entropy`:
//! no one-hot).

use std::time::Instant;

use anyhow::Context;
use ndarray::{Array2, ArrayD, s};
use nn::layers::Recurrent;
use nn::seq_train::{BestWeights, SeqCheckpoint, SeqTrainConfig, checked_step, progress_bar};
use nn::{Adam, Error, Layer, Optimizer, Sequential, Tape, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A word stream cut into equal contiguous streams: `x[b, t]` is followed by `y[b, t]` in the text.
#[derive(Debug, Clone)]
pub struct Streams {
    /// Inputs, `(streams, length)`.
    pub x: Array2<u32>,
    /// Targets, `(streams, length)`: the inputs shifted by one word.
    pub y: Array2<u32>,
}

impl Streams {
    /// Cuts `ids` into `streams` contiguous streams of `(ids.len() − 1) / streams` targets each (the
    /// remainder at the end of the text, fewer than `streams` words, is left out). `None` when a stream
    /// would be empty.
    pub fn new(ids: &[u32], streams: usize) -> Option<Self> {
        let len = ids.len().saturating_sub(1).checked_div(streams)?;
        if len == 0 {
            return None;
        }
        let x = Array2::from_shape_fn((streams, len), |(b, t)| ids[b * len + t]);
        let y = Array2::from_shape_fn((streams, len), |(b, t)| ids[b * len + t + 1]);
        Some(Self { x, y })
    }

    /// Number of streams (batch rows).
    pub fn streams(&self) -> usize {
        self.x.nrows()
    }

    /// Targets per stream.
    pub fn len(&self) -> usize {
        self.x.ncols()
    }

    /// Whether there are no targets.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Targets in all.
    pub fn targets(&self) -> usize {
        self.x.len()
    }

    /// The batches: `(start, length)` column ranges of at most `seq_len` steps (the last may be shorter).
    pub fn chunks(&self, seq_len: usize) -> Vec<(usize, usize)> {
        let n = self.len();
        (0..n)
            .step_by(seq_len.max(1))
            .map(|t| (t, seq_len.min(n - t)))
            .collect()
    }

    /// The chunk's inputs as the f32 indices the embedding takes, and its targets, row-major.
    fn chunk(&self, start: usize, len: usize) -> (ArrayD<f32>, Vec<usize>) {
        let cols = s![.., start..start + len];
        let x = self.x.slice(cols).mapv(|v| v as f32).into_dyn();
        let y = self.y.slice(cols).iter().map(|&v| v as usize).collect();
        (x, y)
    }
}

/// The carried state: per recurrent layer `h` and, for an LSTM, `c`, each `(streams, units)`; empty for
/// zeros.
type State = Vec<(ArrayD<f32>, Option<ArrayD<f32>>)>;

/// The model's parts: Embedding, recurrent layers, the output layers (Dense, or a projection and the output
/// tied to the embedding).
struct Net<'m> {
    embedding: &'m dyn Layer,
    recurrent: Vec<&'m Recurrent>,
    head: Vec<&'m dyn Layer>,
}

fn net(model: &Sequential) -> anyhow::Result<Net<'_>> {
    let layers = model.layers();
    let Some((first, rest)) = layers.split_first() else {
        anyhow::bail!("the model has no layers");
    };
    let recurrent: Vec<&Recurrent> = rest
        .iter()
        .map_while(|l| l.as_any().downcast_ref::<Recurrent>())
        .collect();
    let head: Vec<&dyn Layer> = rest[recurrent.len()..].iter().map(AsRef::as_ref).collect();
    if let Some(l) = head.iter().find(|l| l.as_any().is::<Recurrent>()) {
        anyhow::bail!(
            "layer {} is recurrent but follows the output layers",
            l.name()
        );
    }
    if recurrent.is_empty() || head.is_empty() {
        anyhow::bail!(
            "the model needs recurrent layers between its embedding and its output layer"
        );
    }
    Ok(Net {
        embedding: first.as_ref(),
        recurrent,
        head,
    })
}

/// Forward pass of one chunk from `state`: logits `(streams, len, vocabulary)` and the state after the
/// chunk. Dropout (`rate` > 0, training tapes only) on the embedding, between layers and before the output
/// layers.
fn forward(
    net: &Net<'_>,
    tape: &mut Tape<'_>,
    x: ArrayD<f32>,
    state: &State,
    rate: f32,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<(Var, State)> {
    let x = tape.constant(x);
    let mut v = net.embedding.forward(tape, x)?;
    v = tape.dropout(v, rate, rng)?;
    let mut next = Vec::with_capacity(net.recurrent.len());
    for (k, layer) in net.recurrent.iter().enumerate() {
        let initial = state.get(k).map(|(h, c)| {
            let h = tape.constant(h.clone());
            let c = c.as_ref().map(|c| tape.constant(c.clone()));
            (h, c)
        });
        let out = layer.forward_full(tape, v, initial)?;
        next.push((tape.to_array(out.h), out.c.map(|c| tape.to_array(c))));
        v = tape.dropout(out.sequence, rate, rng)?;
    }
    for layer in &net.head {
        v = layer.forward(tape, v)?;
    }
    Ok((v, next))
}

/// Mean cross-entropy per target (nats) of `model` on the word stream `ids` read as one stream with the
/// state carried from its start, in chunks of `seq_len`: every word after the first is a target.
///
/// # Errors
/// An id outside the model's vocabulary; fewer than two words.
pub fn evaluate(model: &Sequential, ids: &[u32], seq_len: usize) -> anyhow::Result<f64> {
    let stream = Streams::new(ids, 1).context("scoring needs at least two words")?;
    let net = net(model)?;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut state = State::new();
    let mut nats = 0.0f64;
    for (start, len) in stream.chunks(seq_len) {
        let (x, y) = stream.chunk(start, len);
        let mut tape = Tape::inference(model.params());
        let (logits, next) = forward(&net, &mut tape, x, &state, 0.0, &mut rng)?;
        let loss = tape.cross_entropy(logits, &y)?;
        nats += f64::from(first(tape.value(loss))) * y.len() as f64;
        state = next;
    }
    Ok(nats / stream.targets() as f64)
}

fn first(a: &ArrayD<f32>) -> f32 {
    a.iter().next().copied().unwrap_or(f32::NAN)
}

/// Settings of [`StreamTrainer`].
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// Steps per batch (the truncation length of back-propagation).
    pub seq_len: usize,
    /// Clip the gradients' global norm to this value before each step.
    pub clip_norm: Option<f32>,
    /// Dropout rate, in `[0, 1)`.
    pub dropout: f32,
    /// Seed of the dropout stream.
    pub seed: u64,
    /// Show a progress bar (on stderr) during each epoch.
    pub progress: bool,
}

/// What one training epoch measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Epoch {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training cross-entropy per target (nats, with dropout active, as trained).
    pub loss: f64,
    /// Targets trained on.
    pub tokens: usize,
    /// Wall time of the epoch.
    pub seconds: f64,
    /// CPU time (user + system, all threads) of the epoch, when the system tells it.
    pub cpu_seconds: Option<f64>,
}

/// Trains epoch by epoch over [`Streams`] with Adam, carrying the state from batch to batch (reset to
/// zeros at the start of every epoch); keeps the optimiser state and the dropout stream between epochs.
#[derive(Debug)]
pub struct StreamTrainer {
    cfg: StreamConfig,
    adam: Adam,
    rng: ChaCha8Rng,
    epoch: usize,
}

impl StreamTrainer {
    /// A trainer with a fresh `adam`.
    pub fn new(cfg: StreamConfig, adam: Adam) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        Self {
            cfg,
            adam,
            rng,
            epoch: 0,
        }
    }

    /// Epochs trained so far (including those of a resumed run).
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// The current learning rate.
    pub fn lr(&self) -> f32 {
        self.adam.lr
    }

    /// Sets the learning rate of the following steps.
    pub fn set_lr(&mut self, lr: f32) {
        self.adam.lr = lr;
    }

    /// What continuing this run needs after the last completed epoch over `streams`: Adam's state, the
    /// dropout stream's position, `best`, the app's `settings` (name, value pairs that must match on
    /// resuming) and its `extra` record.
    pub fn checkpoint(
        &self,
        streams: &Streams,
        best: &BestWeights,
        settings: Vec<(String, String)>,
        extra: String,
    ) -> SeqCheckpoint {
        SeqCheckpoint {
            epochs_done: self.epoch,
            rows: streams.targets(),
            config: SeqTrainConfig {
                batch_size: streams.streams(),
                clip_norm: self.cfg.clip_norm,
                dropout: self.cfg.dropout,
                threads: 1,
                shuffle: false,
                seed: self.cfg.seed,
                progress: false,
            },
            optimizer: self.adam.state(),
            rng_word_pos: self.rng.get_word_pos(),
            best: best.clone(),
            settings,
            extra,
        }
    }

    /// Continues the run saved in `ck` over `streams`: takes Adam's state, the dropout stream's
    /// position and the epoch count (the app checks the settings with [`SeqCheckpoint::check_settings`]).
    ///
    /// # Errors
    /// A checkpoint of another number of targets or streams, or an optimiser state of another kind.
    pub fn resume(&mut self, ck: &SeqCheckpoint, streams: &Streams) -> anyhow::Result<()> {
        if ck.rows != streams.targets() || ck.config.batch_size != streams.streams() {
            anyhow::bail!(
                "cannot resume: the checkpoint's run has {} training targets in {} streams, this run has {} in {}",
                ck.rows,
                ck.config.batch_size,
                streams.targets(),
                streams.streams()
            );
        }
        self.adam.set_state(&ck.optimizer)?;
        self.rng.set_word_pos(ck.rng_word_pos);
        self.epoch = ck.epochs_done;
        Ok(())
    }

    /// One pass over `streams` from a zero state, one Adam step per chunk of `seq_len` steps.
    ///
    /// # Errors
    /// [`Error::Diverged`] naming the epoch and batch when the loss becomes NaN or infinite,
    /// [`Error::NonFiniteGradient`] when a gradient does (the weights then hold the previous step), an
    /// invalid-weight error naming the parameter when a step makes a weight NaN or infinite.
    pub fn train_epoch(
        &mut self,
        model: &mut Sequential,
        streams: &Streams,
    ) -> anyhow::Result<Epoch> {
        self.epoch += 1;
        let started = Instant::now();
        let cpu_start = appkit::cpu::process_cpu_seconds();
        let chunks = streams.chunks(self.cfg.seq_len);
        let bar = progress_bar(self.cfg.progress, chunks.len());
        let mut state = State::new();
        let (mut sum_nats, mut tokens) = (0.0f64, 0usize);
        for (b, &(start, len)) in chunks.iter().enumerate() {
            let (x, y) = streams.chunk(start, len);
            let mut rng = ChaCha8Rng::seed_from_u64(self.rng.random());
            let (loss, grads, next) = {
                let net = net(model)?;
                let mut tape = Tape::new(model.params());
                let (logits, next) =
                    forward(&net, &mut tape, x, &state, self.cfg.dropout, &mut rng)?;
                let loss_var = tape.cross_entropy(logits, &y)?;
                let loss = first(tape.value(loss_var));
                if !loss.is_finite() {
                    bar.finish_and_clear();
                    return Err(Error::Diverged {
                        epoch: self.epoch,
                        batch: b + 1,
                        loss,
                    }
                    .into());
                }
                (loss, tape.backward(loss_var)?, next)
            };
            let at = (self.epoch, b + 1);
            if let Err(e) = checked_step(&mut self.adam, model, grads, self.cfg.clip_norm, at) {
                bar.finish_and_clear();
                return Err(e.into());
            }
            state = next;
            sum_nats += f64::from(loss) * y.len() as f64;
            tokens += y.len();
            bar.inc(1);
            if b % 8 == 0 {
                bar.set_message(format!("{:.4}", sum_nats / tokens as f64));
            }
        }
        bar.finish_and_clear();
        let cpu_seconds = match (cpu_start, appkit::cpu::process_cpu_seconds()) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        Ok(Epoch {
            epoch: self.epoch,
            loss: sum_nats / tokens.max(1) as f64,
            tokens,
            seconds: started.elapsed().as_secs_f64(),
            cpu_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn::layers::{dense, embedding, lstm, tied_dense};

    #[test]
    fn streams_are_contiguous_and_targets_follow_inputs() {
        let ids: Vec<u32> = (0..23).collect();
        let s = Streams::new(&ids, 3).unwrap();
        // (23 − 1) / 3 = 7 targets per stream; the last word, 22, is left out.
        assert_eq!(s.x.dim(), (3, 7));
        assert_eq!(s.x.row(1).to_vec(), (7..14).collect::<Vec<u32>>());
        assert_eq!(s.y.row(2).to_vec(), (15..22).collect::<Vec<u32>>());
        assert_eq!(s.chunks(3), vec![(0, 3), (3, 3), (6, 1)]);
        assert!(Streams::new(&ids[..3], 3).is_none());
    }

    fn model(vocab: usize, seq: usize) -> Sequential {
        let mut m = Sequential::new(&[seq], 7);
        m.add(embedding(vocab, 4)).unwrap();
        m.add(lstm(6).return_sequences(true)).unwrap();
        m.add(dense(vocab)).unwrap();
        m
    }

    /// Scoring in chunks with the carried state equals scoring the whole stream in one chunk: the state
    /// really is carried from chunk to chunk (a reset would change every chunk's first predictions).
    #[test]
    fn carried_state_scores_like_one_long_sequence() {
        let ids: Vec<u32> = (0..41).map(|i| (i * 7 % 5) as u32).collect();
        let m = model(5, 4);
        let chunked = evaluate(&m, &ids, 4).unwrap();
        let whole = evaluate(&m, &ids, 40).unwrap();
        assert!((chunked - whole).abs() < 1e-6, "{chunked} vs {whole}");
    }

    /// The periodic stream 0 1 2 3 4 0 1 …, cut into 4 streams, and a fresh trainer for it.
    fn periodic() -> (Vec<u32>, Streams, StreamTrainer) {
        let ids: Vec<u32> = (0..400).map(|i| (i % 5) as u32).collect();
        let streams = Streams::new(&ids, 4).unwrap();
        let cfg = StreamConfig {
            seq_len: 8,
            clip_norm: Some(5.0),
            dropout: 0.1,
            seed: 1,
            progress: false,
        };
        let trainer = StreamTrainer::new(cfg, Adam::pytorch().with_lr(0.02));
        (ids, streams, trainer)
    }

    /// The default output, tied to the embedding through a projection: trained over streams it learns the
    /// periodic stream too.
    #[test]
    fn tied_output_learns_a_periodic_stream() {
        let (ids, streams, mut t) = periodic();
        let mut m = Sequential::new(&[8], 7);
        m.add(embedding(5, 4).name("emb")).unwrap();
        m.add(lstm(6).return_sequences(true)).unwrap();
        m.add(dense(4)).unwrap();
        m.add(tied_dense("emb")).unwrap();
        let before = evaluate(&m, &ids, 8).unwrap();
        for _ in 0..15 {
            t.train_epoch(&mut m, &streams).unwrap();
        }
        let after = evaluate(&m, &ids, 8).unwrap();
        assert!(
            after < 0.2 && after < before,
            "held-out nats {before} -> {after}"
        );
    }

    /// A periodic stream is learnt; one run repeats bit for bit.
    #[test]
    fn learns_a_periodic_stream_and_repeats() {
        let run = || {
            let (ids, streams, mut t) = periodic();
            let mut m = model(5, 8);
            let mut last = 0.0;
            for _ in 0..15 {
                last = t.train_epoch(&mut m, &streams).unwrap().loss;
            }
            (last, evaluate(&m, &ids, 8).unwrap())
        };
        let (loss, valid) = run();
        assert!(
            valid < 0.2,
            "held-out nats {valid} (uniform: {})",
            5f64.ln()
        );
        assert_eq!(run(), (loss, valid));
    }
}
