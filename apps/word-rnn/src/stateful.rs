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
//! On a pool of several threads each batch's streams are cut into one contiguous shard per thread
//! (at least [`MIN_SHARD_STREAMS`] streams each), run forward and backward side by side on their own
//! tapes with their own dropout masks, and their gradients combined weighted by their targets; the
//! carried state stays with its streams. One thread runs the whole batch on one tape.
//!
//! Dropout (inverted; [`Dropout`]) is applied on the embedding's output, between recurrent layers and before
//! the output layers (the non-recurrent connections, as in Zaremba et al. 2014 and PyTorch's example), by
//! default with one mask per stream shared by every step of the batch (variational dropout, Gal & Ghahramani
//! 2016); whole words can be dropped from the embedding for a batch (every occurrence of a dropped word reads
//! zeros, AWD-LSTM's embedding dropout). Never in evaluation. The output layer and the loss are one
//! op (nn's `Layer::forward_cross_entropy`, `Tape::affine_cross_entropy`): one `(streams·seq_len,
//! width) × (width, vocabulary)` product per batch (with the embedding's table when tied), each row of
//! logits turned in place into its loss and gradient (no one-hot, no logits kept).

use std::time::Instant;

use anyhow::Context;
use ndarray::{Array2, ArrayD, Axis, IxDyn, Slice, s};
use nn::layers::Recurrent;
use nn::ops::basic::keep_or_drop;
use nn::sampled_softmax::Candidates;
use nn::seq_train::{BestWeights, SeqCheckpoint, SeqTrainConfig, checked_step, progress_bar};
use nn::{Adam, Error, Grads, Layer, Optimizer, Params, Sequential, Tape, Var};
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

impl Net<'_> {
    /// The rows of the embedding's table: the vocabulary size.
    fn vocabulary(&self, params: &Params) -> usize {
        self.embedding
            .params()
            .first()
            .map_or(0, |&id| params.get(id).value.shape()[0])
    }
}

fn net(layers: &[Box<dyn Layer>]) -> anyhow::Result<Net<'_>> {
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

/// The dropout of training (inverted: kept values are scaled by `1 / (1 − rate)`; none on inference tapes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Rate on the embedding's output (the recurrent network's input), in `[0, 1)`.
    pub input: f32,
    /// Rate on every recurrent layer's output (between layers and before the output layers), in `[0, 1)`.
    pub output: f32,
    /// Rate at which whole words of the vocabulary are dropped from the embedding for a batch, in `[0, 1)`.
    pub word: f32,
    /// One mask per stream (batch row) and feature, the same at every step of the batch (variational),
    /// instead of a fresh one at every step.
    pub variational: bool,
}

impl Dropout {
    /// No dropout at all.
    pub const NONE: Self = Self {
        input: 0.0,
        output: 0.0,
        word: 0.0,
        variational: false,
    };
}

/// The variational mask of a `(streams, steps, features)` activation: `(streams, 1, features)`, broadcast
/// over the steps.
pub fn variational_mask(shape: &[usize], rate: f32, rng: &mut ChaCha8Rng) -> ArrayD<f32> {
    let mut shape = shape.to_vec();
    if let Some(steps) = shape.get_mut(1) {
        *steps = 1;
    }
    ArrayD::from_shape_simple_fn(IxDyn(&shape), || keep_or_drop(rng, rate))
}

/// The whole-word mask of a chunk of word ids `(streams, steps)` (as the embedding's f32 indices) over a
/// `vocab`-word vocabulary: one keep-or-drop value per vocabulary word, drawn in word order, read at every
/// position: `(streams, steps, 1)`, broadcast over the embedding's features.
pub fn word_mask(ids: &ArrayD<f32>, vocab: usize, rate: f32, rng: &mut ChaCha8Rng) -> ArrayD<f32> {
    let keep: Vec<f32> = (0..vocab).map(|_| keep_or_drop(rng, rate)).collect();
    ids.mapv(|w| keep.get(w as usize).copied().unwrap_or(0.0))
        .insert_axis(Axis(ids.ndim()))
}

/// Dropout at `rate` of a `(streams, steps, features)` activation on a training tape: variational (one mask
/// per stream and feature, shared over the steps) or a fresh mask per element; the identity on an inference
/// tape or at rate 0.
///
/// # Errors
/// A rate outside `[0, 1)`.
pub fn drop(
    tape: &mut Tape<'_>,
    v: Var,
    rate: f32,
    variational: bool,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Var> {
    if !variational || !tape.is_training() || rate == 0.0 {
        return Ok(tape.dropout(v, rate, rng)?);
    }
    let mask = variational_mask(tape.shape(v), rate, rng);
    let mask = tape.constant(mask);
    Ok(tape.mul(v, mask)?)
}

/// Forward pass of one chunk from `state` to its mean cross-entropy against the targets `y` (the
/// logits `(streams, len, vocabulary)` are not kept: the output layer's `forward_cross_entropy`), and
/// the state after the chunk. Dropout (training tapes only) on the embedding, between layers and
/// before the output layers.
fn forward_loss(
    net: &Net<'_>,
    tape: &mut Tape<'_>,
    (x, y): (ArrayD<f32>, &[usize]),
    state: &State,
    dropout: Dropout,
    rng: &mut ChaCha8Rng,
    sampled: Option<&Candidates>,
) -> anyhow::Result<(Var, State)> {
    let words = (tape.is_training() && dropout.word > 0.0)
        .then(|| word_mask(&x, net.vocabulary(tape.params()), dropout.word, rng));
    let x = tape.constant(x);
    let mut v = net.embedding.forward(tape, x)?;
    if let Some(mask) = words {
        let mask = tape.constant(mask);
        v = tape.mul(v, mask)?;
    }
    v = drop(tape, v, dropout.input, dropout.variational, rng)?;
    let mut next = Vec::with_capacity(net.recurrent.len());
    for (k, layer) in net.recurrent.iter().enumerate() {
        let initial = state.get(k).map(|(h, c)| {
            let h = tape.constant(h.clone());
            let c = c.as_ref().map(|c| tape.constant(c.clone()));
            (h, c)
        });
        let out = layer.forward_full(tape, v, initial)?;
        next.push((tape.to_array(out.h), out.c.map(|c| tape.to_array(c))));
        v = drop(tape, out.sequence, dropout.output, dropout.variational, rng)?;
    }
    let (last, rest) = net
        .head
        .split_last()
        .context("the model has no output layer")?;
    for layer in rest {
        v = layer.forward(tape, v)?;
    }
    let loss = match sampled {
        Some(candidates) if tape.is_training() => {
            last.forward_sampled_cross_entropy(tape, v, y, candidates)?
        }
        _ => last.forward_cross_entropy(tape, v, y)?,
    };
    Ok((loss, next))
}

/// Mean cross-entropy per target (nats) of `model` on the word stream `ids` read as one stream with the
/// state carried from its start, in chunks of `seq_len`: every word after the first is a target.
///
/// # Errors
/// An id outside the model's vocabulary; fewer than two words.
pub fn evaluate(model: &Sequential, ids: &[u32], seq_len: usize) -> anyhow::Result<f64> {
    let stream = Streams::new(ids, 1).context("scoring needs at least two words")?;
    let net = net(model.layers())?;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut state = State::new();
    let mut nats = 0.0f64;
    for (start, len) in stream.chunks(seq_len) {
        let (x, y) = stream.chunk(start, len);
        let mut tape = Tape::inference(model.params());
        let (loss, next) = forward_loss(
            &net,
            &mut tape,
            (x, &y),
            &state,
            Dropout::NONE,
            &mut rng,
            None,
        )?;
        nats += f64::from(first(tape.value(loss))) * y.len() as f64;
        state = next;
    }
    Ok(nats / stream.targets() as f64)
}

fn first(a: &ArrayD<f32>) -> f32 {
    a.iter().next().copied().unwrap_or(f32::NAN)
}

/// The fewest streams a training shard gets (fewer streams are not cut).
const MIN_SHARD_STREAMS: usize = 4;

/// The streams of a batch cut into one contiguous shard per thread (`threads`, of the current
/// pool), each of at least [`MIN_SHARD_STREAMS`] streams, their sizes differing by at most one
/// (the first shards take the remainder); one shard of them all on one thread.
fn stream_shards(streams: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let count = threads.min(streams / MIN_SHARD_STREAMS).max(1);
    let (size, extra) = (streams / count, streams % count);
    let mut first = 0;
    (0..count)
        .map(|k| {
            let end = first + size + usize::from(k < extra);
            let range = first..end;
            first = end;
            range
        })
        .collect()
}

/// One shard's rows of a batch: inputs `(rows, len)`, targets (row-major) and carried state.
struct Chunk {
    x: ArrayD<f32>,
    y: Vec<usize>,
    state: State,
}

impl Chunk {
    /// The streams `rows` of the batch `x (streams, len)`, `y` and `state`.
    fn rows(
        x: &ArrayD<f32>,
        y: &[usize],
        len: usize,
        state: &State,
        rows: std::ops::Range<usize>,
    ) -> anyhow::Result<Self> {
        let take = |a: &ArrayD<f32>| a.slice_axis(Axis(0), Slice::from(rows.clone())).to_owned();
        let y = y
            .get(rows.start * len..rows.end * len)
            .context("a shard's targets outside the batch")?;
        Ok(Self {
            x: take(x),
            y: y.to_vec(),
            state: state
                .iter()
                .map(|(h, c)| (take(h), c.as_ref().map(take)))
                .collect(),
        })
    }
}

/// What one shard gave: its mean loss, its target count, its gradients (none for a non-finite
/// loss: backward is skipped) and its streams' state after the chunk.
struct ShardStep {
    loss: f32,
    targets: usize,
    grads: Option<Grads>,
    next: State,
}

/// Forward, cross-entropy (over the batch's `sampled` candidates when given) and (for a finite
/// loss) backward of one shard on its own tape, with the dropout masks drawn from `seed`.
fn shard_step(
    (layers, params): (&[Box<dyn Layer>], &Params),
    part: Chunk,
    dropout: Dropout,
    seed: u64,
    sampled: Option<&Candidates>,
) -> anyhow::Result<ShardStep> {
    let net = net(layers)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tape = Tape::new(params);
    let (loss_var, next) = forward_loss(
        &net,
        &mut tape,
        (part.x, &part.y),
        &part.state,
        dropout,
        &mut rng,
        sampled,
    )?;
    let loss = first(tape.value(loss_var));
    let grads = if loss.is_finite() {
        Some(tape.backward(loss_var)?)
    } else {
        None
    };
    Ok(ShardStep {
        loss,
        targets: part.y.len(),
        grads,
        next,
    })
}

/// The batch's mean loss, gradients (each shard's weighted by its share of the `targets`) and
/// carried state (the shards' streams in order), from its shards in order. A single shard's
/// weight is exactly 1, so it gives its own values with the same bits.
fn combine(outs: Vec<ShardStep>, targets: usize) -> anyhow::Result<(f32, Grads, State)> {
    let mut loss = 0.0f32;
    let mut parts = Vec::with_capacity(outs.len());
    // Per recurrent layer, every shard's `(h, c)` in shard order.
    let mut layers: Vec<State> = Vec::new();
    for out in outs {
        let weight = out.targets as f32 / targets.max(1) as f32;
        loss += out.loss * weight;
        if let Some(g) = out.grads {
            parts.push((g, weight));
        }
        layers.resize_with(out.next.len(), Vec::new);
        for (acc, layer) in layers.iter_mut().zip(out.next) {
            acc.push(layer);
        }
    }
    let join = |parts: Vec<ndarray::ArrayViewD<'_, f32>>| {
        ndarray::concatenate(Axis(0), &parts).context("joining the shards' states")
    };
    let next = layers
        .iter()
        .map(|parts| {
            let h = join(parts.iter().map(|(h, _)| h.view()).collect())?;
            let c = match parts
                .iter()
                .map(|(_, c)| c.as_ref().map(|c| c.view()))
                .collect()
            {
                Some(cs) => Some(join(cs)?),
                None => None,
            };
            Ok((h, c))
        })
        .collect::<anyhow::Result<State>>()?;
    Ok((loss, Grads::weighted_sum(parts), next))
}

/// The random stream a batch's sampled-softmax candidates are drawn from: ChaCha8 from the run's seed,
/// one stream per (epoch, batch). It depends on nothing else, so the candidates are the same on any
/// thread count, after `--resume`, and whatever the dropout draws.
fn candidate_stream(seed: u64, epoch: usize, batch: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5a4d_504c_4544_534d);
    rng.set_stream(((epoch as u64) << 32) | batch as u64);
    rng
}

/// Settings of [`StreamTrainer`].
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// Steps per batch (the truncation length of back-propagation).
    pub seq_len: usize,
    /// Clip the gradients' global norm to this value before each step.
    pub clip_norm: Option<f32>,
    /// Dropout of training.
    pub dropout: Dropout,
    /// Decoupled weight decay (AdamW, Loshchilov & Hutter 2019): after each step every trained weight is
    /// multiplied by `1 − lr · weight_decay` (0: off).
    pub weight_decay: f32,
    /// Train with a sampled softmax over the batch's targets and this many drawn words
    /// ([`nn::sampled_softmax`]); `None`: the full softmax.
    pub sampled_softmax: Option<usize>,
    /// Seed of the dropout stream and of the sampled softmax's candidates.
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
                dropout: self.cfg.dropout.output,
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

    /// Decoupled weight decay: every trained weight times `1 − lr · weight_decay`, applied after the Adam
    /// update. PyTorch's `AdamW` decays before it, so the two steps differ by `lr · weight_decay` (6·10⁻⁴ at
    /// the defaults) times the update itself: a second-order difference, not the same bits.
    fn decay_weights(&self, model: &mut Sequential) {
        if self.cfg.weight_decay == 0.0 {
            return;
        }
        let factor = 1.0 - self.adam.lr * self.cfg.weight_decay;
        let trained: Vec<_> = model
            .params()
            .iter()
            .filter(|(_, p)| p.trainable)
            .map(|(id, _)| id)
            .collect();
        for id in trained {
            // Vectorised, and split over the pool for the large weights (the same bits).
            tensor::reduce::scale_array(&mut model.params_mut().get_mut(id).value, factor);
        }
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
        let shards = stream_shards(streams.streams(), tensor::threads::available());
        let vocab = net(model.layers())?.vocabulary(model.params());
        for (b, &(start, len)) in chunks.iter().enumerate() {
            let (x, y) = streams.chunk(start, len);
            let seeds: Vec<u64> = shards.iter().map(|_| self.rng.random()).collect();
            let sampled = match self.cfg.sampled_softmax {
                Some(samples) => {
                    let mut draws = candidate_stream(self.cfg.seed, self.epoch, b);
                    Some(Candidates::log_uniform(&y, vocab, samples, &mut draws)?)
                }
                None => None,
            };
            let dropout = self.cfg.dropout;
            let weights = (model.layers(), model.params());
            let outs = nn::seq_train::run_shards(&shards, |i, rows| {
                let part = Chunk::rows(&x, &y, len, &state, rows.clone())?;
                shard_step(weights, part, dropout, seeds[i], sampled.as_ref())
            })
            .inspect_err(|_| bar.finish_and_clear())?;
            let (loss, grads, next) = combine(outs, y.len())?;
            if !loss.is_finite() {
                bar.finish_and_clear();
                return Err(Error::Diverged {
                    epoch: self.epoch,
                    batch: b + 1,
                    loss,
                }
                .into());
            }
            let at = (self.epoch, b + 1);
            if let Err(e) = checked_step(&mut self.adam, model, grads, self.cfg.clip_norm, at) {
                bar.finish_and_clear();
                return Err(e.into());
            }
            self.decay_weights(model);
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

    /// Runs `drop` on ones of shape `(streams, steps, features)` and returns the output.
    fn dropped(training: bool, variational: bool, shape: [usize; 3]) -> ArrayD<f32> {
        let params = nn::Params::new();
        let mut tape = if training {
            Tape::new(&params)
        } else {
            Tape::inference(&params)
        };
        let ones = tape.constant(ArrayD::ones(IxDyn(&shape)));
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let out = drop(&mut tape, ones, 0.5, variational, &mut rng).unwrap();
        tape.to_array(out)
    }

    /// A variational mask is the same at every step of a stream, differs between streams and between
    /// features, and keeps the inverted scale (0 or 1 / (1 − rate)); a per-step mask changes from step to
    /// step.
    #[test]
    fn variational_mask_is_shared_over_steps_only() {
        let out = dropped(true, true, [6, 7, 16]);
        assert!(out.iter().all(|&v| v == 0.0 || v == 2.0), "{out:?}");
        for b in 0..6 {
            for t in 1..7 {
                assert_eq!(
                    out.slice(s![b, t, ..]),
                    out.slice(s![b, 0, ..]),
                    "stream {b}, step {t}"
                );
            }
        }
        assert!((1..6).any(|b| out.slice(s![b, 0, ..]) != out.slice(s![0, 0, ..])));
        let zeros = out.iter().filter(|&&v| v == 0.0).count() as f64 / out.len() as f64;
        assert!((0.3..0.7).contains(&zeros), "{zeros}");
        let per_step = dropped(true, false, [6, 7, 16]);
        assert!((1..7).any(|t| per_step.slice(s![0, t, ..]) != per_step.slice(s![0, 0, ..])));
    }

    /// No dropout of either kind on an inference tape.
    #[test]
    fn no_dropout_in_inference() {
        for variational in [true, false] {
            let out = dropped(false, variational, [2, 3, 4]);
            assert!(out.iter().all(|&v| v == 1.0), "{out:?}");
        }
    }

    /// The gradient through a variational mask is the mask (the mask is applied, not just drawn).
    #[test]
    fn variational_dropout_gradient_is_the_mask() {
        let mut params = nn::Params::new();
        let w = params.add("w", ArrayD::ones(IxDyn(&[3, 4, 5])), true);
        let mut tape = Tape::new(&params);
        let v = tape.param(w);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let out = drop(&mut tape, v, 0.25, true, &mut rng).unwrap();
        let loss = tape.sum(out);
        let value = tape.to_array(out);
        let grads = tape.backward(loss).unwrap();
        assert_eq!(grads.get(w).unwrap(), &value);
    }

    /// Whole-word dropout: every occurrence of a word in the chunk gets the same value, 0 or 1 / (1 − rate);
    /// about `rate` of the words are dropped.
    #[test]
    fn word_mask_drops_whole_words() {
        let ids = ArrayD::from_shape_fn(IxDyn(&[4, 50]), |i| ((i[0] * 50 + i[1]) % 100) as f32);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mask = word_mask(&ids, 100, 0.2, &mut rng);
        assert_eq!(mask.shape(), &[4, 50, 1]);
        let mut seen = [None; 100];
        for (id, m) in ids.iter().zip(mask.iter()) {
            assert!(*m == 0.0 || *m == 1.25, "{m}");
            let slot = &mut seen[*id as usize];
            assert_eq!(*slot.get_or_insert(*m), *m, "word {id}");
        }
        let dropped = seen.iter().filter(|m| **m == Some(0.0)).count();
        assert!(
            (8..=35).contains(&dropped),
            "{dropped} of 100 words dropped"
        );
    }

    /// Weight decay multiplies every trained weight by 1 − lr · decay after the step, and leaves frozen ones.
    #[test]
    fn weight_decay_shrinks_trained_weights_only() {
        let mut m = Sequential::new(&[3], 7);
        m.add(embedding(5, 4).trainable(false)).unwrap();
        m.add(lstm(6).return_sequences(true)).unwrap();
        m.add(dense(5)).unwrap();
        let before = m.params().clone();
        let (_, _, mut t) = periodic();
        t.cfg.weight_decay = 10.0;
        t.set_lr(0.01);
        t.decay_weights(&mut m);
        for ((_, a), (_, b)) in before.iter().zip(m.params().iter()) {
            let factor = if a.trainable { 0.9 } else { 1.0 };
            for (x, y) in a.value.iter().zip(&b.value) {
                assert!((x * factor - y).abs() < 1e-7, "{}: {x} -> {y}", a.name);
            }
        }
    }

    /// The periodic stream 0 1 2 3 4 0 1 …, cut into 4 streams, and a fresh trainer for it.
    fn periodic() -> (Vec<u32>, Streams, StreamTrainer) {
        let ids: Vec<u32> = (0..400).map(|i| (i % 5) as u32).collect();
        let streams = Streams::new(&ids, 4).unwrap();
        let cfg = StreamConfig {
            seq_len: 8,
            clip_norm: Some(5.0),
            dropout: Dropout {
                input: 0.1,
                output: 0.1,
                word: 0.0,
                variational: false,
            },
            weight_decay: 0.0,
            sampled_softmax: None,
            seed: 1,
            progress: false,
        };
        let trainer = StreamTrainer::new(cfg, Adam::pytorch().with_lr(0.02));
        (ids, streams, trainer)
    }

    #[test]
    fn stream_shards_cover_every_stream_once_in_order() {
        assert_eq!(stream_shards(16, 2), vec![0..8, 8..16]);
        assert_eq!(stream_shards(10, 2), vec![0..5, 5..10]);
        assert_eq!(stream_shards(9, 3), vec![0..5, 5..9]);
        assert_eq!(stream_shards(7, 2), vec![0..7]);
        assert_eq!(stream_shards(16, 1), vec![0..16]);
        assert_eq!(stream_shards(13, 3), vec![0..5, 5..9, 9..13]);
        assert_eq!(stream_shards(0, 2), vec![0..0]);
    }

    /// A word stream of period 7 cut into 9 streams (shards of 5 and 4 on 2 threads), and
    /// settings for it with `dropout`, `weight_decay` and `seed`.
    fn nine_streams(dropout: Dropout, weight_decay: f32, seed: u64) -> (Streams, StreamConfig) {
        let ids: Vec<u32> = (0..400).map(|i| (i * 3 % 7) as u32).collect();
        let cfg = StreamConfig {
            seq_len: 6,
            clip_norm: Some(5.0),
            dropout,
            weight_decay,
            sampled_softmax: None,
            seed,
            progress: false,
        };
        (Streams::new(&ids, 9).unwrap(), cfg)
    }

    /// Without dropout, two epochs over 9 streams cut into shards of 5 and 4 on a 2-thread pool
    /// end with the losses and weights of the uncut batches on one thread, up to float rounding
    /// (so the shards' losses, gradients, weighted by their unequal shares, and carried states are
    /// combined right); on 2 threads a run repeats bit for bit.
    #[test]
    fn two_shards_train_like_the_whole_batch() {
        let (streams, cfg) = nine_streams(Dropout::NONE, 0.0, 3);
        assert_eq!(stream_shards(9, 2), vec![0..5, 5..9]);
        let run = |threads: usize| {
            appkit::pool::run_on_threads(threads, || {
                let mut t = StreamTrainer::new(cfg.clone(), Adam::pytorch().with_lr(0.02));
                let mut m = model(7, 6);
                let mut values = Vec::new();
                for _ in 0..2 {
                    values.push(t.train_epoch(&mut m, &streams)?.loss as f32);
                }
                values.extend(m.params().iter().flat_map(|(_, p)| p.value.iter().copied()));
                Ok(values)
            })
            .unwrap()
        };
        let (one, two) = (run(1), run(2));
        let worst = one
            .iter()
            .zip(&two)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst > 0.0, "2 threads did not cut the batch");
        assert!(worst < 1e-4, "1 vs 2 threads: {worst}");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&two), bits(&run(2)));
    }

    /// On a 2-thread pool, with variational and whole-word dropout (each shard drawing its own
    /// masks), a run checkpointed after one epoch and resumed by a fresh trainer ends with the
    /// weights of the uninterrupted run, bit for bit: the shards' draws keep the dropout stream's
    /// position in step.
    #[test]
    fn a_resumed_two_thread_run_repeats_the_uninterrupted_one() {
        let dropout = Dropout {
            input: 0.2,
            output: 0.2,
            word: 0.1,
            variational: true,
        };
        let (streams, cfg) = nine_streams(dropout, 0.01, 11);
        let trainer = || StreamTrainer::new(cfg.clone(), Adam::pytorch().with_lr(0.02));
        let (straight, resumed) = appkit::pool::run_on_threads(2, || {
            let (mut t, mut m) = (trainer(), model(7, 6));
            for _ in 0..2 {
                t.train_epoch(&mut m, &streams)?;
            }
            let (mut first, mut m2) = (trainer(), model(7, 6));
            first.train_epoch(&mut m2, &streams)?;
            let ck = first.checkpoint(&streams, &BestWeights::new(), Vec::new(), String::new());
            let mut second = trainer();
            second.resume(&ck, &streams)?;
            second.train_epoch(&mut m2, &streams)?;
            Ok((weight_bits(&m), weight_bits(&m2)))
        })
        .unwrap();
        assert_eq!(straight, resumed);
    }

    /// The default output, tied to the embedding through a projection, with the default kinds of dropout
    /// (variational, whole-word): trained over streams it learns the periodic stream too.
    #[test]
    fn tied_output_learns_a_periodic_stream() {
        let (ids, streams, mut t) = periodic();
        t.cfg.dropout = Dropout {
            input: 0.1,
            output: 0.1,
            word: 0.1,
            variational: true,
        };
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

    /// Trained with a sampled softmax (each batch against its 20 targets and 10 drawn words of 50), the
    /// tied model learns a stream of period 50, scored with the full softmax; one run repeats bit for
    /// bit; an untied output layer has no sampled softmax, and training says so.
    #[test]
    fn a_sampled_softmax_learns_a_periodic_stream() {
        let vocab = 50;
        let ids: Vec<u32> = (0..1000).map(|i| (i * 7 % vocab) as u32).collect();
        let streams = Streams::new(&ids, 4).unwrap();
        let (_, _, base) = periodic();
        let cfg = StreamConfig {
            seq_len: 5,
            sampled_softmax: Some(10),
            dropout: Dropout::NONE,
            ..base.cfg
        };
        let model = |tied: bool| sampled_model(vocab, tied);
        let run = || {
            let mut t = StreamTrainer::new(cfg.clone(), Adam::pytorch().with_lr(0.02));
            let mut m = model(true);
            let before = evaluate(&m, &ids, 5).unwrap();
            for _ in 0..12 {
                t.train_epoch(&mut m, &streams).unwrap();
            }
            (before, evaluate(&m, &ids, 5).unwrap(), m)
        };
        let (before, after, m) = run();
        assert!(
            after < 0.25 * before,
            "held-out nats {before} -> {after} (uniform {})",
            (vocab as f64).ln()
        );
        assert_eq!(weight_bits(&m), weight_bits(&run().2));
        let mut t = StreamTrainer::new(cfg.clone(), Adam::pytorch());
        let e = t.train_epoch(&mut model(false), &streams).unwrap_err();
        assert!(e.to_string().contains("no sampled softmax"), "{e}");
    }

    /// Every weight of `m`, as bits, in parameter order.
    fn weight_bits(m: &Sequential) -> Vec<u32> {
        m.params()
            .iter()
            .flat_map(|(_, p)| p.value.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect()
    }

    /// Embedding(vocab, 16) → LSTM(32) → the output: tied (through a Dense(16) projection) or a
    /// Dense(vocab) of its own.
    fn sampled_model(vocab: usize, tied: bool) -> Sequential {
        let mut m = Sequential::new(&[5], 7);
        m.add(embedding(vocab, 16).name("emb")).unwrap();
        m.add(lstm(32).return_sequences(true)).unwrap();
        if tied {
            m.add(dense(16)).unwrap();
            m.add(tied_dense("emb")).unwrap();
        } else {
            m.add(dense(vocab)).unwrap();
        }
        m
    }

    /// With a sampled softmax on a 2-thread pool, a run checkpointed after one epoch and resumed by a
    /// fresh trainer ends with the uninterrupted run's weights, bit for bit, and the shards sharing each
    /// batch's candidates (drawn from a stream of their own per batch) train like the whole batch on one
    /// thread, up to float rounding.
    #[test]
    fn a_resumed_sampled_two_thread_run_repeats_the_uninterrupted_one() {
        let vocab = 60;
        let ids: Vec<u32> = (0..900).map(|i| (i * 7 % vocab) as u32).collect();
        let streams = Streams::new(&ids, 9).unwrap();
        let (_, mut cfg) = nine_streams(Dropout::NONE, 0.01, 5);
        cfg.seq_len = 5;
        cfg.sampled_softmax = Some(12);
        let trainer = || StreamTrainer::new(cfg.clone(), Adam::pytorch().with_lr(0.02));
        let values = |m: &Sequential| {
            m.params()
                .iter()
                .flat_map(|(_, p)| p.value.iter().copied().collect::<Vec<_>>())
                .collect::<Vec<f32>>()
        };
        let straight = |threads| {
            appkit::pool::run_on_threads(threads, || {
                let (mut t, mut m) = (trainer(), sampled_model(vocab, true));
                for _ in 0..2 {
                    t.train_epoch(&mut m, &streams)?;
                }
                Ok(values(&m))
            })
            .unwrap()
        };
        let resumed = appkit::pool::run_on_threads(2, || {
            let (mut first, mut m) = (trainer(), sampled_model(vocab, true));
            first.train_epoch(&mut m, &streams)?;
            let ck = first.checkpoint(&streams, &BestWeights::new(), Vec::new(), String::new());
            let mut second = trainer();
            second.resume(&ck, &streams)?;
            second.train_epoch(&mut m, &streams)?;
            Ok(values(&m))
        })
        .unwrap();
        let (two, one) = (straight(2), straight(1));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&two), bits(&resumed));
        let worst = one
            .iter()
            .zip(&two)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst > 0.0 && worst < 1e-4, "1 vs 2 threads: {worst}");
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
