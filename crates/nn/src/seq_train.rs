//! Training and scoring next-token models on index sequences: inputs `x (n, T)` of token indices and
//! targets `y (n, T)` (usually `x` shifted by one token), a model whose first layer takes indices and
//! whose last layer gives one logit per token at every step, and a cross-entropy summed over every
//! step — what a character or word RNN needs and [`Sequential::fit`] (one target row per sample) does
//! not cover.
//!
//! * **Data-parallel threads**: each batch is cut into `threads` contiguous shards; each shard runs
//!   forward and backward on its own tape as a task of the current rayon pool, in parallel up to the
//!   pool's size (the model's weights are only read), and
//!   the shard gradients are combined weighted by shard size, so the step equals the whole-batch step
//!   up to float rounding. With the same seed and thread count a run repeats bit for bit; one thread
//!   computes exactly the whole-batch gradient.
//! * **Dropout** (inverted) on the output of every recurrent layer except the last layer of the model,
//!   as in Karpathy's char-rnn; off in [`evaluate`].
//! * **Best weights**: [`BestWeights`] keeps a copy of the parameters of the epoch with the lowest
//!   validation score.
//! * **Divergence**: a NaN or infinite loss, gradient or weight stops the epoch with an error naming
//!   the epoch and the batch.
//! * **Checkpoints**: [`SeqTrainer::checkpoint`] captures the optimiser state, the position in the
//!   random stream and the best weights; [`checkpoint_bytes`] / [`checkpoint_from_bytes`] store them
//!   with the model (an [`crate::checkpoint`] file with a `seq_train` metadata record), and
//!   [`SeqTrainer::resume`] continues the run so that, with the same settings and thread count, it
//!   ends with the same bits as an uninterrupted run. An app keeps the file in its model directory
//!   with [`save_in`] and reads it back with [`load_for_resume`], which also checks the settings.
//! * **Checked steps**: [`checked_step`] (clip, step, refuse non-finite gradients and weights) and
//!   [`progress_bar`] are shared with training loops of other shapes (e.g. word-rnn's carried-state
//!   loop over contiguous streams).
//!
//! ```
//! use nn::layers::{dense, lstm};
//! use nn::seq_train::{SeqTrainConfig, SeqTrainer, evaluate};
//! use nn::{Adam, Sequential};
//! use ndarray::Array2;
//!
//! // "abcabc…": the next token is always (t + 1) mod 3.
//! let x = Array2::from_shape_fn((32, 8), |(r, t)| ((r + t) % 3) as u32);
//! let y = x.mapv(|v| (v + 1) % 3);
//! let mut model = Sequential::new(&[8], 0);
//! model.add(lstm(16).return_sequences(true).index_input(3))?;
//! model.add(dense(3))?;
//! let before = evaluate(&model, x.view(), y.view(), 16, 1)?;
//! let cfg = SeqTrainConfig { batch_size: 8, ..SeqTrainConfig::default() };
//! let mut trainer = SeqTrainer::new(cfg, Box::new(Adam::pytorch().with_lr(0.02)))?;
//! for _ in 0..10 {
//!     trainer.train_epoch(&mut model, x.view(), y.view())?;
//! }
//! let after = evaluate(&model, x.view(), y.view(), 16, 1)?;
//! assert!(after < 0.1 * before, "{before} -> {after}");
//! # Ok::<(), nn::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use tensor::ProjectRng;

use crate::checkpoint::{BestEpoch, TrainState};
use crate::io::{parse_safetensors, safetensors_bytes};
use crate::layers::{Layer, Recurrent};
use crate::model::Sequential;
use crate::optim::{Optimizer, OptimizerState};
use crate::params::{Grads, Params};
use crate::tape::Tape;
use crate::{Error, Result};

/// Settings of [`SeqTrainer`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeqTrainConfig {
    /// Sequences per gradient step (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// Clip the gradients' global norm to this value before each step.
    pub clip_norm: Option<f32>,
    /// Dropout rate on the outputs of recurrent layers (not after the model's last layer), in `[0, 1)`.
    pub dropout: f32,
    /// Shards each batch is cut into (data parallelism), run as tasks of the current rayon pool: in
    /// parallel up to the pool's size. 1 runs on the calling thread. The bits depend on this number,
    /// not on the pool's size.
    pub threads: usize,
    /// Shuffle the order of the sequences every epoch.
    pub shuffle: bool,
    /// Seed of the shuffling and dropout stream.
    pub seed: u64,
    /// Show a progress bar (on stderr) during each epoch.
    pub progress: bool,
}

impl Default for SeqTrainConfig {
    fn default() -> Self {
        Self {
            batch_size: 64,
            clip_norm: None,
            dropout: 0.0,
            threads: 1,
            shuffle: true,
            seed: 0,
            progress: false,
        }
    }
}

impl SeqTrainConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the setting: zero batch size or threads, a dropout outside `[0, 1)`,
    /// a clip norm that is not finite and positive.
    pub fn validate(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::Invalid("batch size must be at least 1".into()));
        }
        if self.threads == 0 {
            return Err(Error::Invalid("threads must be at least 1".into()));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::Invalid(format!(
                "dropout must be in [0, 1), got {}",
                self.dropout
            )));
        }
        if let Some(c) = self.clip_norm {
            if !(c.is_finite() && c > 0.0) {
                return Err(Error::Invalid(format!(
                    "clip norm must be a positive number, got {c}"
                )));
            }
        }
        Ok(())
    }
}

/// What one training epoch measured.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqEpoch {
    /// 1-based epoch number (counted by the trainer).
    pub epoch: usize,
    /// Mean training cross-entropy per target token, in nats (with dropout active, as trained).
    pub loss: f64,
    /// Target tokens trained on.
    pub tokens: usize,
    /// Wall time of the epoch.
    pub seconds: f64,
}

impl SeqEpoch {
    /// Training throughput: target tokens per second.
    #[must_use]
    pub fn tokens_per_second(&self) -> f64 {
        self.tokens as f64 / self.seconds.max(1e-9)
    }
}

/// Trains a [`Sequential`] next-token model epoch by epoch; keeps the optimiser state and the random
/// stream between epochs.
#[derive(Debug)]
pub struct SeqTrainer {
    cfg: SeqTrainConfig,
    optimizer: Box<dyn Optimizer>,
    rng: ProjectRng,
    epoch: usize,
}

/// One shard of a batch: inputs as the f32 indices the layers take, and flat targets.
struct Shard {
    x: ndarray::ArrayD<f32>,
    y: Vec<usize>,
}

impl SeqTrainer {
    /// A trainer with `optimizer` (its state starts empty).
    ///
    /// # Errors
    /// As [`SeqTrainConfig::validate`].
    pub fn new(cfg: SeqTrainConfig, optimizer: Box<dyn Optimizer>) -> Result<Self> {
        cfg.validate()?;
        let rng = ProjectRng::seed_from_u64(cfg.seed);
        Ok(Self {
            cfg,
            optimizer,
            rng,
            epoch: 0,
        })
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &SeqTrainConfig {
        &self.cfg
    }

    /// Epochs trained so far (including those of a resumed run).
    #[must_use]
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// What continuing this run needs after the last completed epoch over `rows` training
    /// sequences: the optimiser state, the random stream's position, `best` and the app's
    /// `settings` (pairs of name and value that must match on resuming) and `extra` record.
    #[must_use]
    pub fn checkpoint(
        &self,
        rows: usize,
        best: &BestWeights,
        settings: Vec<(String, String)>,
        extra: String,
    ) -> SeqCheckpoint {
        SeqCheckpoint {
            epochs_done: self.epoch,
            rows,
            config: self.cfg.clone(),
            optimizer: self.optimizer.state(),
            rng_word_pos: self.rng.get_word_pos(),
            best: best.clone(),
            settings,
            extra,
        }
    }

    /// Continues the run saved in `ck` over `rows` training sequences: takes its optimiser state,
    /// random stream position and epoch count.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first setting (seed, batch size, shuffling, threads, clip
    /// norm, dropout, training sequences) in which the checkpoint's run differs from this one, or
    /// an optimiser state of another kind.
    pub fn resume(&mut self, ck: &SeqCheckpoint, rows: usize) -> Result<()> {
        let (then, now) = (&ck.config, &self.cfg);
        let checks: [(&str, String, String); 7] = [
            ("seed", then.seed.to_string(), now.seed.to_string()),
            (
                "batch size",
                then.batch_size.to_string(),
                now.batch_size.to_string(),
            ),
            ("shuffle", then.shuffle.to_string(), now.shuffle.to_string()),
            ("threads", then.threads.to_string(), now.threads.to_string()),
            (
                "clip norm",
                format!("{:?}", then.clip_norm),
                format!("{:?}", now.clip_norm),
            ),
            ("dropout", then.dropout.to_string(), now.dropout.to_string()),
            ("training sequences", ck.rows.to_string(), rows.to_string()),
        ];
        for (what, a, b) in checks {
            if a != b {
                return Err(Error::Invalid(format!(
                    "cannot resume: the checkpoint's run has {what} {a}, this run has {b}"
                )));
            }
        }
        self.optimizer.set_state(&ck.optimizer)?;
        self.rng.set_word_pos(ck.rng_word_pos);
        self.epoch = ck.epochs_done;
        Ok(())
    }

    /// One pass over `x`, `y` (shuffled if configured), one optimiser step per batch.
    ///
    /// # Errors
    /// [`Error::Shape`] / [`Error::Invalid`] when `x` and `y` differ in shape, are empty, or do not
    /// fit the model (sequence length, token range); [`Error::Diverged`] naming the epoch and batch
    /// when the loss becomes NaN or infinite, [`Error::NonFiniteGradient`] when a gradient does (the
    /// weights then hold the previous step); [`Error::Invalid`] naming the epoch, batch and parameter
    /// when a step makes a weight NaN or infinite.
    pub fn train_epoch(
        &mut self,
        model: &mut Sequential,
        x: ArrayView2<'_, u32>,
        y: ArrayView2<'_, u32>,
    ) -> Result<SeqEpoch> {
        check_data(model, x, y)?;
        self.epoch += 1;
        let started = Instant::now();
        let n = x.nrows();
        let mut order: Vec<usize> = (0..n).collect();
        if self.cfg.shuffle {
            order.shuffle(&mut self.rng);
        }
        let batches = n.div_ceil(self.cfg.batch_size);
        let bar = progress_bar(self.cfg.progress, batches);
        let (mut sum_nats, mut tokens) = (0.0f64, 0usize);
        for (b, rows) in order.chunks(self.cfg.batch_size).enumerate() {
            let shards = make_shards(x, y, rows, self.cfg.threads);
            let seeds: Vec<u64> = shards.iter().map(|_| self.rng.random()).collect();
            let dropout = self.cfg.dropout;
            let (layers, params) = (&model.layers, &model.params);
            let results = run_shards(&shards, |i, shard| {
                shard_gradients(layers, params, shard, dropout, seeds[i])
            })?;
            let batch_tokens: usize = shards.iter().map(|s| s.y.len()).sum();
            let mut loss = 0.0f64;
            let mut parts = Vec::with_capacity(shards.len());
            for (shard, (mean, shard_grads)) in shards.iter().zip(results) {
                let w = shard.y.len() as f64 / batch_tokens as f64;
                loss += w * mean;
                parts.push((shard_grads, w as f32));
            }
            let grads = Grads::weighted_sum(parts);
            if !loss.is_finite() {
                bar.finish_and_clear();
                return Err(Error::Diverged {
                    epoch: self.epoch,
                    batch: b + 1,
                    loss: loss as f32,
                });
            }
            let at = (self.epoch, b + 1);
            if let Err(e) = checked_step(
                self.optimizer.as_mut(),
                model,
                grads,
                self.cfg.clip_norm,
                at,
            ) {
                bar.finish_and_clear();
                return Err(e);
            }
            sum_nats += loss * batch_tokens as f64;
            tokens += batch_tokens;
            bar.inc(1);
            if b % 4 == 0 {
                bar.set_message(format!("{:.4}", sum_nats / tokens as f64));
            }
        }
        bar.finish_and_clear();
        Ok(SeqEpoch {
            epoch: self.epoch,
            loss: sum_nats / tokens.max(1) as f64,
            tokens,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// The mean cross-entropy per target token, in nats, of `model` on `x`, `y` (no dropout), computed in
/// batches of `batch_size` sequences shared by `threads` threads.
///
/// # Errors
/// As [`SeqTrainer::train_epoch`] for the data; [`Error::Invalid`] for zero batch size or threads.
pub fn evaluate(
    model: &Sequential,
    x: ArrayView2<'_, u32>,
    y: ArrayView2<'_, u32>,
    batch_size: usize,
    threads: usize,
) -> Result<f64> {
    if batch_size == 0 || threads == 0 {
        return Err(Error::Invalid(
            "batch size and threads must be at least 1".into(),
        ));
    }
    check_data(model, x, y)?;
    let order: Vec<usize> = (0..x.nrows()).collect();
    let (mut sum_nats, mut tokens) = (0.0f64, 0usize);
    for rows in order.chunks(batch_size) {
        let shards = make_shards(x, y, rows, threads);
        let (layers, params) = (&model.layers, &model.params);
        let means = run_shards(&shards, |_, shard| shard_loss(layers, params, shard))?;
        for (shard, mean) in shards.iter().zip(means) {
            sum_nats += mean * shard.y.len() as f64;
            tokens += shard.y.len();
        }
    }
    Ok(sum_nats / tokens.max(1) as f64)
}

/// The parameters of the epoch with the lowest score seen so far (lower is better; a NaN score never
/// counts as an improvement).
#[derive(Debug, Clone, Default)]
pub struct BestWeights {
    best: Option<(f64, usize, Params)>,
}

impl BestWeights {
    /// Nothing kept yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `score` for `epoch`; when it beats every earlier score, keeps a copy of the model's
    /// parameters and returns `true`.
    pub fn observe(&mut self, epoch: usize, score: f64, model: &Sequential) -> bool {
        let improved =
            !score.is_nan() && self.best.as_ref().is_none_or(|(best, _, _)| score < *best);
        if improved {
            self.best = Some((score, epoch, model.params.clone()));
        }
        improved
    }

    /// The best score and its epoch.
    #[must_use]
    pub fn best(&self) -> Option<(f64, usize)> {
        self.best.as_ref().map(|(s, e, _)| (*s, *e))
    }

    /// Puts the kept parameters back into `model` (the model they were copied from); returns whether
    /// there were any.
    pub fn restore(&self, model: &mut Sequential) -> bool {
        match &self.best {
            Some((_, _, params)) => {
                model.params = params.clone();
                true
            }
            None => false,
        }
    }
}

/// Where a [`SeqTrainer`] run stands after a completed epoch (see [`SeqTrainer::checkpoint`]).
#[derive(Debug, Clone)]
pub struct SeqCheckpoint {
    /// Epochs completed.
    pub epochs_done: usize,
    /// Training sequences of the run.
    pub rows: usize,
    /// The trainer's settings.
    pub config: SeqTrainConfig,
    /// The optimiser's state after the last step.
    pub optimizer: OptimizerState,
    /// The position (in 32-bit words) of the shuffling and dropout stream.
    pub rng_word_pos: u128,
    /// The best epoch so far and its weights.
    pub best: BestWeights,
    /// The app's settings that must match on resuming: (name, value) pairs, names as the user
    /// knows them (e.g. command-line flags).
    pub settings: Vec<(String, String)>,
    /// Anything else the app keeps (e.g. its per-epoch figures as JSON).
    pub extra: String,
}

impl SeqCheckpoint {
    /// Checks that the app settings `now` equal those of the checkpoint's run.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first setting that differs (or is missing on one side).
    pub fn check_settings(&self, now: &[(String, String)]) -> Result<()> {
        let find = |list: &[(String, String)], name: &str| {
            list.iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| "(not set)".to_string(), |(_, v)| v.clone())
        };
        for (name, _) in self.settings.iter().chain(now) {
            let (then, this) = (find(&self.settings, name), find(now, name));
            if then != this {
                return Err(Error::Invalid(format!(
                    "cannot resume: the checkpoint's run has {name} {then}, this run has {this}"
                )));
            }
        }
        Ok(())
    }
}

/// The `seq_train` metadata record of a checkpoint file (floats as bit patterns).
#[derive(serde::Serialize, serde::Deserialize)]
struct SeqRecord {
    version: u32,
    threads: usize,
    clip_norm: Option<u32>,
    dropout: u32,
    rng_word_pos: String,
    best_score: Option<u64>,
    settings: Vec<(String, String)>,
    extra: String,
}

const SEQ_KEY: &str = "seq_train";

/// `model` and `ck` as the bytes of one checkpoint file: a [`crate::checkpoint`] file (model,
/// optimiser state, best weights) whose metadata key `seq_train` holds the rest.
///
/// # Errors
/// As [`crate::checkpoint::to_bytes`].
pub fn checkpoint_bytes(model: &Sequential, ck: &SeqCheckpoint) -> Result<Vec<u8>> {
    let best = ck
        .best
        .best
        .as_ref()
        .map(|(score, epoch, params)| BestEpoch {
            monitored: *score as f32,
            epoch: *epoch,
            weights: Some(params.clone()),
        });
    let state = TrainState {
        epochs_done: ck.epochs_done,
        seed: ck.config.seed,
        shuffle: ck.config.shuffle,
        batch_size: ck.config.batch_size,
        train_rows: ck.rows,
        history: crate::train::History::default(),
        optimizer: ck.optimizer.clone(),
        best,
        stopped_early: false,
    };
    let file = parse_safetensors(&crate::checkpoint::to_bytes(model, &state)?, "checkpoint")?;
    let record = SeqRecord {
        version: 1,
        threads: ck.config.threads,
        clip_norm: ck.config.clip_norm.map(f32::to_bits),
        dropout: ck.config.dropout.to_bits(),
        rng_word_pos: ck.rng_word_pos.to_string(),
        best_score: ck.best.best.as_ref().map(|(s, _, _)| s.to_bits()),
        settings: ck.settings.clone(),
        extra: ck.extra.clone(),
    };
    let mut meta = file.metadata;
    meta.insert(
        SEQ_KEY.into(),
        serde_json::to_string(&record).map_err(|e| Error::Invalid(e.to_string()))?,
    );
    let tensors: Vec<_> = file.tensors.into_iter().collect();
    safetensors_bytes(&tensors, meta)
}

/// The model and the checkpoint from [`checkpoint_bytes`]' bytes; `label` names the source in
/// errors.
///
/// # Errors
/// [`Error::File`] naming `label` for a file that is not such a checkpoint or is damaged.
pub fn checkpoint_from_bytes(bytes: &[u8], label: &str) -> Result<(Sequential, SeqCheckpoint)> {
    let bad = |message: String| Error::File {
        path: label.to_string(),
        message,
    };
    let file = parse_safetensors(bytes, label)?;
    let json = file.metadata.get(SEQ_KEY).ok_or_else(|| {
        bad(format!(
            "not a next-token training checkpoint (metadata key {SEQ_KEY} missing)"
        ))
    })?;
    let record: SeqRecord =
        serde_json::from_str(json).map_err(|e| bad(format!("{SEQ_KEY} record: {e}")))?;
    if record.version != 1 {
        return Err(bad(format!(
            "{SEQ_KEY} record version {} is not supported (this build reads 1)",
            record.version
        )));
    }
    let rng_word_pos = record
        .rng_word_pos
        .parse()
        .map_err(|e| bad(format!("{SEQ_KEY} record: random stream position: {e}")))?;
    let (model, state) = crate::checkpoint::from_bytes(bytes, label)?;
    let best = match (state.best, record.best_score) {
        (
            Some(BestEpoch {
                epoch,
                weights: Some(w),
                ..
            }),
            Some(score),
        ) => Some((f64::from_bits(score), epoch, w)),
        (None, None) => None,
        _ => return Err(bad("the best epoch's record is incomplete".into())),
    };
    let ck = SeqCheckpoint {
        epochs_done: state.epochs_done,
        rows: state.train_rows,
        config: SeqTrainConfig {
            batch_size: state.batch_size,
            clip_norm: record.clip_norm.map(f32::from_bits),
            dropout: f32::from_bits(record.dropout),
            threads: record.threads,
            shuffle: state.shuffle,
            seed: state.seed,
            progress: false,
        },
        optimizer: state.optimizer,
        rng_word_pos,
        best: BestWeights { best },
        settings: record.settings,
        extra: record.extra,
    };
    Ok((model, ck))
}

/// The checkpoint's file name inside a model directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";

/// The checkpoint file ([`CHECKPOINT_FILE`]) in the model directory `dir`.
#[must_use]
pub fn checkpoint_path(dir: &Path) -> PathBuf {
    dir.join(CHECKPOINT_FILE)
}

/// Writes `model` and `ck` as [`checkpoint_path`]`(dir)` atomically (the previous checkpoint stays
/// until the new one is complete), creating `dir` if needed.
///
/// # Errors
/// [`Error::Invalid`] when `dir` cannot be created; [`Error::File`] naming the file for I/O
/// errors; as [`checkpoint_bytes`].
pub fn save_in(dir: &Path, model: &Sequential, ck: &SeqCheckpoint) -> Result<()> {
    let bytes = checkpoint_bytes(model, ck)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Invalid(format!("cannot create directory {}: {e}", dir.display())))?;
    crate::io::write_atomic(&checkpoint_path(dir), &bytes)
}

/// Reads the checkpoint in `dir` to continue its run up to `epochs` epochs: checks that the run's
/// app `settings` equal the checkpoint's ([`SeqCheckpoint::check_settings`]) and that it has not
/// done more than `epochs` epochs. `app` names the program that writes such checkpoints (`char-rnn`)
/// in the message for a missing file. The trainer still has to take the checkpoint
/// ([`SeqTrainer::resume`]).
///
/// # Errors
/// [`Error::File`] naming the checkpoint file: it cannot be read, is not such a checkpoint or is
/// damaged; a setting differs (named with both values); the run has done more than `epochs`.
pub fn load_for_resume(
    dir: &Path,
    settings: &[(String, String)],
    epochs: u64,
    app: &str,
) -> Result<(Sequential, SeqCheckpoint)> {
    let file = checkpoint_path(dir);
    let label = file.display().to_string();
    let refuse = |message: String| Error::File {
        path: label.clone(),
        message,
    };
    let bytes = std::fs::read(&file).map_err(|e| {
        refuse(format!(
            "cannot read the checkpoint to resume from (written by `{app} train` after each epoch): {e}"
        ))
    })?;
    let (model, ck) = checkpoint_from_bytes(&bytes, &label)?;
    ck.check_settings(settings)
        .map_err(|e| refuse(e.to_string()))?;
    if ck.epochs_done as u64 > epochs {
        return Err(refuse(format!(
            "cannot resume: the checkpoint's run has done {} epochs, more than --epochs {epochs}",
            ck.epochs_done
        )));
    }
    Ok((model, ck))
}

/// What a run that stopped early (training error) leaves in its model directory `out`, for the
/// error message: the checkpoint after the last completed epoch (`last_epoch`) and the best model so
/// far, or nothing.
#[must_use]
pub fn kept_files(out: &Path, last_epoch: Option<usize>, best: &BestWeights) -> String {
    match (last_epoch, best.best()) {
        (Some(last), Some((_, epoch))) => format!(
            "kept: the checkpoint after epoch {last} ({}) and the best model (epoch {epoch}) in {}",
            checkpoint_path(out).display(),
            out.display()
        ),
        (Some(last), None) => format!(
            "kept: the checkpoint after epoch {last} ({})",
            checkpoint_path(out).display()
        ),
        _ => format!("no epoch completed; {} is as it was", out.display()),
    }
}

/// One optimiser step of `model` on `grads`, as every training loop here takes it: refuses a NaN
/// or infinite gradient (the weights keep the previous step), clips the global norm to `clip`,
/// steps, and refuses a step that makes a weight NaN or infinite. `at` is the 1-based (epoch,
/// batch) the messages name.
///
/// # Errors
/// [`Error::NonFiniteGradient`]; [`Error::Invalid`] naming the parameter, the epoch and the batch
/// for a non-finite weight; the optimiser's errors.
pub fn checked_step(
    optimizer: &mut dyn Optimizer,
    model: &mut Sequential,
    mut grads: Grads,
    clip: Option<f32>,
    at: (usize, usize),
) -> Result<()> {
    let (epoch, batch) = at;
    if let Some((id, index, value)) = grads.check_finite_and_clip(clip)? {
        return Err(Error::NonFiniteGradient {
            epoch,
            batch,
            param: model.params.get(id).name.clone(),
            index,
            value,
        });
    }
    optimizer.step(&mut model.params, &grads)?;
    if let Some((name, index, value)) = first_non_finite_weight(&model.params) {
        return Err(Error::Invalid(format!(
            "a weight of {name} became {value} (flat index {index}) at epoch {epoch}, batch {batch}; \
             training stopped (try a lower learning rate or gradient clipping)"
        )));
    }
    Ok(())
}

/// The first NaN or infinite weight: the parameter's name, the flat index and the value.
fn first_non_finite_weight(params: &Params) -> Option<(String, usize, f32)> {
    params.iter().find_map(|(_, p)| {
        // A vectorised scan first (a short-circuiting `all` ran one element at a time).
        let clean = !tensor::reduce::array_has_non_finite(&p.value);
        if clean {
            return None;
        }
        let (index, value) = p.value.iter().enumerate().find(|(_, v)| !v.is_finite())?;
        Some((p.name.clone(), index, *value))
    })
}

fn check_data(model: &Sequential, x: ArrayView2<'_, u32>, y: ArrayView2<'_, u32>) -> Result<()> {
    if x.shape() != y.shape() {
        return Err(crate::error::shape_err(
            "next-token data: inputs vs targets",
            x.shape(),
            y.shape(),
        ));
    }
    if x.is_empty() {
        return Err(Error::Invalid("next-token data: no sequences".into()));
    }
    if model.input_shape() != [x.ncols()] {
        return Err(crate::error::shape_err(
            "next-token data: sequence length vs the model's input shape",
            &[x.ncols()],
            model.input_shape(),
        ));
    }
    Ok(())
}

/// A progress bar over `batches` batches showing the running loss as its message (`{pos}/{len} bar
/// elapsed - loss: msg`), or a hidden one unless `show`.
#[must_use]
pub fn progress_bar(show: bool, batches: usize) -> ProgressBar {
    let bar = if show {
        ProgressBar::new(batches as u64)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{pos}/{len} {bar:20} {elapsed} - loss: {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Cuts the batch `rows` into up to `threads` contiguous shards of nearly equal size.
fn make_shards(
    x: ArrayView2<'_, u32>,
    y: ArrayView2<'_, u32>,
    rows: &[usize],
    threads: usize,
) -> Vec<Shard> {
    let per = rows.len().div_ceil(threads.min(rows.len()).max(1));
    rows.chunks(per.max(1))
        .map(|part| {
            let xs: Array2<f32> = x.select(Axis(0), part).mapv(|v| v as f32);
            let ys = y
                .select(Axis(0), part)
                .iter()
                .map(|&v| v as usize)
                .collect();
            Shard {
                x: xs.into_dyn(),
                y: ys,
            }
        })
        .collect()
}

/// Runs `work` on every shard of a batch (here and in other data-parallel trainers, such as
/// word-rnn's stateful one), each inside [`tensor::threads::serial`], as tasks of the current
/// rayon pool (whose threads persist from batch to batch, with their caches, allocator arenas and
/// `gemm` buffers warm): in parallel up to the pool's size (an app sizes it to `--threads` with
/// `appkit::pool::run_on_threads`), one after another beyond it. A single shard runs on this
/// thread as it is. The results come back in shard order; when shards fail, the lowest-numbered
/// shard's error is returned, and a panic inside a shard becomes an error.
///
/// # Errors
/// The lowest-numbered failing shard's error; [`Error::Invalid`] (converted to `E`) when a shard
/// panicked.
pub fn run_shards<S, T, E, F>(shards: &[S], work: F) -> std::result::Result<Vec<T>, E>
where
    S: Sync,
    T: Send,
    E: Send + From<Error>,
    F: Fn(usize, &S) -> std::result::Result<T, E> + Sync,
{
    if shards.len() <= 1 {
        return shards.iter().enumerate().map(|(i, s)| work(i, s)).collect();
    }
    // Nothing inside a shard splits again over the pool (more busy threads than cores: 14–20 %
    // slower at char-rnn's batch 64 on 2 threads).
    let results: Vec<std::result::Result<T, E>> = shards
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tensor::threads::serial(|| work(i, s))
            }))
            .unwrap_or_else(|_| Err(Error::Invalid("a training thread panicked".into()).into()))
        })
        .collect();
    results.into_iter().collect()
}

/// The layers' forward pass to the mean cross-entropy against `y`, with dropout after every
/// recurrent layer but the last layer; the last layer computes the loss itself
/// ([`Layer::forward_cross_entropy`]: a linear Dense output keeps no logits).
fn forward_loss(
    layers: &[Box<dyn Layer>],
    tape: &mut Tape<'_>,
    (x, y): (ndarray::ArrayD<f32>, &[usize]),
    dropout: f32,
    rng: &mut ProjectRng,
) -> Result<crate::Var> {
    let Some((last, rest)) = layers.split_last() else {
        return Err(Error::Invalid("the model has no layers".into()));
    };
    let mut v = tape.constant(x);
    for layer in rest {
        v = layer.forward(tape, v)?;
        if dropout > 0.0 && layer.as_any().is::<Recurrent>() {
            v = tape.dropout(v, dropout, rng)?;
        }
    }
    last.forward_cross_entropy(tape, v, y)
}

/// Mean cross-entropy of a shard (nats per target) and its gradients.
fn shard_gradients(
    layers: &[Box<dyn Layer>],
    params: &Params,
    shard: &Shard,
    dropout: f32,
    seed: u64,
) -> Result<(f64, Grads)> {
    let mut rng = ProjectRng::seed_from_u64(seed);
    let mut tape = Tape::new(params);
    let loss = forward_loss(
        layers,
        &mut tape,
        (shard.x.clone(), &shard.y),
        dropout,
        &mut rng,
    )?;
    let value = tape.value(loss).iter().next().copied().unwrap_or(f32::NAN);
    if !value.is_finite() {
        return Ok((f64::from(value), Grads::default()));
    }
    Ok((f64::from(value), tape.backward(loss)?))
}

/// Mean cross-entropy of a shard (nats per target) on an inference tape.
fn shard_loss(layers: &[Box<dyn Layer>], params: &Params, shard: &Shard) -> Result<f64> {
    let mut tape = Tape::inference(params);
    let mut rng = ProjectRng::seed_from_u64(0);
    let loss = forward_loss(
        layers,
        &mut tape,
        (shard.x.clone(), &shard.y),
        0.0,
        &mut rng,
    )?;
    Ok(f64::from(
        tape.value(loss).iter().next().copied().unwrap_or(f32::NAN),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Adam;
    use crate::layers::{dense, gru, lstm};
    use crate::params::ParamId;

    fn data(n: usize, t: usize, vocab: u32) -> (Array2<u32>, Array2<u32>) {
        // A deterministic "text" with structure: token k follows k-1 most of the time.
        let text: Vec<u32> = (0..n * t + 1)
            .map(|i| ((i * i / 7 + i) as u32) % vocab)
            .collect();
        let x = Array2::from_shape_fn((n, t), |(r, c)| text[r * t + c]);
        let y = Array2::from_shape_fn((n, t), |(r, c)| text[r * t + c + 1]);
        (x, y)
    }

    fn model(t: usize, vocab: usize, seed: u64) -> Sequential {
        let mut m = Sequential::new(&[t], seed);
        m.add(lstm(12).return_sequences(true).index_input(vocab))
            .unwrap();
        m.add(gru(10).return_sequences(true)).unwrap();
        m.add(dense(vocab)).unwrap();
        m
    }

    fn train(threads: usize, dropout: f32, epochs: usize) -> (Vec<f64>, Sequential) {
        let (x, y) = data(24, 10, 6);
        let mut m = model(10, 6, 4);
        let cfg = SeqTrainConfig {
            batch_size: 8,
            threads,
            dropout,
            clip_norm: Some(5.0),
            seed: 2,
            ..SeqTrainConfig::default()
        };
        let mut t = SeqTrainer::new(cfg, Box::new(Adam::pytorch().with_lr(0.01))).unwrap();
        let losses = (0..epochs)
            .map(|_| t.train_epoch(&mut m, x.view(), y.view()).unwrap().loss)
            .collect();
        (losses, m)
    }

    fn weights(m: &Sequential) -> Vec<f32> {
        m.params()
            .iter()
            .flat_map(|(_, p)| p.value.iter().copied().collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn training_lowers_the_loss() {
        let (losses, _) = train(1, 0.0, 12);
        assert!(losses[11] < 0.85 * losses[0], "{losses:?}");
    }

    #[test]
    fn same_seed_same_bits_for_a_given_thread_count() {
        for threads in [1, 3] {
            let (la, ma) = train(threads, 0.2, 2);
            let (lb, mb) = train(threads, 0.2, 2);
            assert_eq!(la, lb);
            assert_eq!(weights(&ma), weights(&mb));
        }
    }

    /// Sharding a batch over threads gives the whole-batch gradient (up to float rounding).
    #[test]
    fn sharded_step_equals_whole_batch_step() {
        let (one, m1) = train(1, 0.0, 1);
        let (three, m3) = train(3, 0.0, 1);
        assert!((one[0] - three[0]).abs() < 1e-5, "{one:?} vs {three:?}");
        for (a, b) in weights(&m1).iter().zip(weights(&m3)) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn evaluate_is_the_mean_cross_entropy_and_independent_of_batching() {
        let (x, y) = data(10, 5, 4);
        let m = model(5, 4, 1);
        let a = evaluate(&m, x.view(), y.view(), 10, 1).unwrap();
        let b = evaluate(&m, x.view(), y.view(), 3, 2).unwrap();
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        // By hand: softmax of the full-sequence logits.
        let mut tape = Tape::inference(m.params());
        let xv = tape.constant(x.mapv(|v| v as f32).into_dyn());
        let out = m.forward(&mut tape, xv).unwrap();
        let logits = tape.value(out);
        let mut nats = 0.0f64;
        for ((r, c), &target) in y.indexed_iter() {
            let row: Vec<f64> = (0..4).map(|k| f64::from(logits[[r, c, k]])).collect();
            let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
            nats += lse - row[target as usize];
        }
        assert!((a - nats / 50.0).abs() < 1e-5, "{a} vs {}", nats / 50.0);
    }

    #[test]
    fn best_weights_keep_the_lowest_score() {
        let mut m = model(5, 4, 1);
        let mut best = BestWeights::new();
        assert!(best.observe(1, 2.0, &m));
        let kept = weights(&m);
        m.params_mut().get_mut(ParamId(0)).value.fill(0.5);
        assert!(!best.observe(2, 2.5, &m));
        assert!(!best.observe(3, f64::NAN, &m));
        assert_eq!(best.best(), Some((2.0, 1)));
        assert!(best.restore(&mut m));
        assert_eq!(weights(&m), kept);
    }

    #[test]
    fn bad_data_and_settings_are_errors() {
        let (x, y) = data(4, 5, 4);
        let m = model(6, 4, 1);
        let e = evaluate(&m, x.view(), y.view(), 2, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sequence length"), "{e}");
        let m = model(5, 3, 1);
        assert!(evaluate(&m, x.view(), y.view(), 2, 1).is_err()); // token 3 ≥ vocab 3
        assert!(
            evaluate(
                &m,
                x.view(),
                y.slice_axis(Axis(0), ndarray::Slice::from(0..2)),
                2,
                1
            )
            .is_err()
        );
        for cfg in [
            SeqTrainConfig {
                batch_size: 0,
                ..SeqTrainConfig::default()
            },
            SeqTrainConfig {
                threads: 0,
                ..SeqTrainConfig::default()
            },
            SeqTrainConfig {
                dropout: 1.0,
                ..SeqTrainConfig::default()
            },
            SeqTrainConfig {
                clip_norm: Some(0.0),
                ..SeqTrainConfig::default()
            },
        ] {
            assert!(SeqTrainer::new(cfg, Box::new(Adam::pytorch())).is_err());
        }
    }

    fn trainer(threads: usize) -> SeqTrainer {
        let cfg = SeqTrainConfig {
            batch_size: 8,
            threads,
            dropout: 0.2,
            clip_norm: Some(5.0),
            seed: 2,
            ..SeqTrainConfig::default()
        };
        SeqTrainer::new(cfg, Box::new(Adam::pytorch().with_lr(0.01))).unwrap()
    }

    /// Two epochs, a checkpoint through bytes, two more epochs = four epochs straight, bit for bit.
    #[test]
    fn resumed_run_ends_with_the_same_bits() {
        let (x, y) = data(24, 10, 6);
        let mut straight = model(10, 6, 4);
        let mut t = trainer(1);
        let mut best = BestWeights::new();
        for e in 1..=4 {
            t.train_epoch(&mut straight, x.view(), y.view()).unwrap();
            best.observe(e, -(e as f64), &straight);
        }
        let mut first = model(10, 6, 4);
        let mut t = trainer(1);
        let mut best_first = BestWeights::new();
        for e in 1..=2 {
            t.train_epoch(&mut first, x.view(), y.view()).unwrap();
            best_first.observe(e, -(e as f64), &first);
        }
        let settings = vec![("--lr".to_string(), "0.01".to_string())];
        let ck = t.checkpoint(24, &best_first, settings.clone(), "{}".into());
        let bytes = checkpoint_bytes(&first, &ck).unwrap();
        let (mut resumed, ck) = checkpoint_from_bytes(&bytes, "ck").unwrap();
        assert_eq!(ck.epochs_done, 2);
        ck.check_settings(&settings).unwrap();
        let e = ck
            .check_settings(&[("--lr".to_string(), "0.1".to_string())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--lr 0.01, this run has 0.1"), "{e}");
        let mut t = trainer(1);
        t.resume(&ck, 24).unwrap();
        let mut best_resumed = ck.best.clone();
        for e in 3..=4 {
            let epoch = t.train_epoch(&mut resumed, x.view(), y.view()).unwrap();
            assert_eq!(epoch.epoch, e);
            best_resumed.observe(e, -(e as f64), &resumed);
        }
        assert_eq!(weights(&resumed), weights(&straight));
        assert_eq!(best_resumed.best(), best.best());
        let e = trainer(2).resume(&ck, 24).unwrap_err().to_string();
        assert!(e.contains("threads 1, this run has 2"), "{e}");
        let e = trainer(1).resume(&ck, 23).unwrap_err().to_string();
        assert!(e.contains("training sequences 24, this run has 23"), "{e}");
    }

    /// `save_in` writes where `checkpoint_path` says (creating the directory); `load_for_resume` reads
    /// it back, and refuses a missing file, other settings and too few epochs with messages that name
    /// the file, the app and the values.
    #[test]
    fn save_in_and_load_for_resume() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("model");
        let (x, y) = data(24, 10, 6);
        let mut m = model(10, 6, 4);
        let mut t = trainer(1);
        let mut best = BestWeights::new();
        for e in 1..=2 {
            t.train_epoch(&mut m, x.view(), y.view()).unwrap();
            best.observe(e, -(e as f64), &m);
        }
        let settings = vec![("--lr".to_string(), "0.01".to_string())];
        let ck = t.checkpoint(24, &best, settings.clone(), "extra".into());
        save_in(&dir, &m, &ck).unwrap();
        let file = checkpoint_path(&dir);
        assert_eq!(file, dir.join(CHECKPOINT_FILE));
        assert_eq!(
            std::fs::read(&file).unwrap(),
            checkpoint_bytes(&m, &ck).unwrap()
        );
        let (loaded, back) = load_for_resume(&dir, &settings, 2, "char-rnn").unwrap();
        assert_eq!(weights(&loaded), weights(&m));
        assert_eq!((back.epochs_done, back.extra.as_str()), (2, "extra"));
        let f = file.display();
        let err = |r: Result<(Sequential, SeqCheckpoint)>| r.unwrap_err().to_string();
        assert_eq!(
            err(load_for_resume(&dir, &settings, 1, "char-rnn")),
            format!(
                "{f}: cannot resume: the checkpoint's run has done 2 epochs, more than --epochs 1"
            )
        );
        let other = [("--lr".to_string(), "0.1".to_string())];
        assert_eq!(
            err(load_for_resume(&dir, &other, 3, "char-rnn")),
            format!("{f}: cannot resume: the checkpoint's run has --lr 0.01, this run has 0.1")
        );
        let none = tmp.path().join("none");
        let e = err(load_for_resume(&none, &settings, 3, "word-rnn"));
        let want = format!(
            "{}: cannot read the checkpoint to resume from (written by `word-rnn train` after each epoch): ",
            checkpoint_path(&none).display()
        );
        assert!(e.starts_with(&want), "{e}");
        assert_eq!(
            kept_files(&dir, Some(2), &best),
            format!(
                "kept: the checkpoint after epoch 2 ({f}) and the best model (epoch 2) in {}",
                dir.display()
            )
        );
        assert_eq!(
            kept_files(&dir, Some(1), &BestWeights::new()),
            format!("kept: the checkpoint after epoch 1 ({f})")
        );
        assert_eq!(
            kept_files(&dir, None, &BestWeights::new()),
            format!("no epoch completed; {} is as it was", dir.display())
        );
        std::fs::write(&file, b"not a checkpoint").unwrap();
        assert!(
            err(load_for_resume(&dir, &settings, 3, "char-rnn")).starts_with(&format!("{f}: "))
        );
    }

    #[test]
    fn a_nan_weight_stops_training_naming_epoch_and_batch() {
        let (x, y) = data(24, 10, 6);
        let mut m = model(10, 6, 4);
        let mut t = trainer(1);
        t.train_epoch(&mut m, x.view(), y.view()).unwrap();
        for i in 0..m.params().len() {
            m.params_mut().get_mut(ParamId(i)).value.fill(f32::NAN);
        }
        let e = t.train_epoch(&mut m, x.view(), y.view()).unwrap_err();
        // NaN weights reach the loss or (when the loss op masks them) the gradients.
        assert!(
            matches!(
                e,
                Error::Diverged {
                    epoch: 2,
                    batch: 1,
                    ..
                } | Error::NonFiniteGradient {
                    epoch: 2,
                    batch: 1,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("at epoch 2, batch 1"), "{e}");
    }
}
