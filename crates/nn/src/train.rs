//! Keras-like training: `compile`, `fit`, `evaluate`, early stopping and a per-epoch history.

use std::str::FromStr;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{ArrayD, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use tensor::ProjectRng;

use crate::checkpoint::{BestEpoch, TrainState};
use crate::model::Sequential;
use crate::optim::Optimizer;
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// The fewest rows [`Sequential::fit`] gives one thread's shard of a batch (smaller batches are
/// cut into fewer shards; a batch is never cut on a one-thread pool).
pub const MIN_SHARD_ROWS: usize = 4;

/// The default [`FitConfig::min_shard_work`]: about 4 M multiply-adds (rows × time steps ×
/// weights) per shard. The lesson's batch of 16 windows × 12 steps on its 12,705 weights (2.4 M)
/// is not cut: as two shards on 2 threads its epochs took 20–30 % longer than on one.
pub const MIN_SHARD_WORK: usize = 1 << 22;

/// The training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error over all elements.
    Mse,
    /// Mean absolute error over all elements.
    Mae,
    /// Cross-entropy from logits against integer classes stored as f32 in `y` (one per row of
    /// the output's leading axes) — Keras `SparseCategoricalCrossentropy(from_logits=True)`.
    SparseCategoricalCrossentropy,
}

impl FromStr for Loss {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mse" | "mean_squared_error" => Ok(Self::Mse),
            "mae" | "mean_absolute_error" => Ok(Self::Mae),
            "sparse_categorical_crossentropy" => Ok(Self::SparseCategoricalCrossentropy),
            _ => Err(Error::UnknownName {
                kind: "loss",
                name: s.into(),
                valid: "mse, mae, sparse_categorical_crossentropy".into(),
            }),
        }
    }
}

/// A metric reported per epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Mean absolute error.
    Mae,
    /// Mean squared error.
    Mse,
    /// Fraction of rows whose arg-max equals the integer class in `y`.
    Accuracy,
}

impl Metric {
    /// Keras' name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Mae => "mae",
            Self::Mse => "mse",
            Self::Accuracy => "accuracy",
        }
    }

    /// The metric's sum over a batch (divided by the element or row count later).
    pub(crate) fn batch_sum(self, pred: &ArrayD<f32>, y: &ArrayD<f32>) -> (f64, usize) {
        match self {
            Self::Mae => (
                pred.iter()
                    .zip(y)
                    .map(|(&p, &t)| f64::from((p - t).abs()))
                    .sum(),
                pred.len(),
            ),
            Self::Mse => (
                pred.iter()
                    .zip(y)
                    .map(|(&p, &t)| f64::from(p - t).powi(2))
                    .sum(),
                pred.len(),
            ),
            Self::Accuracy => {
                let classes = pred.shape().last().copied().unwrap_or(1).max(1);
                let rows = pred.len() / classes;
                let hits = (0..rows)
                    .filter(|&r| {
                        let row = pred.iter().skip(r * classes).take(classes);
                        let best = row.enumerate().fold((0, f32::NEG_INFINITY), |b, (i, &v)| {
                            if v > b.1 { (i, v) } else { b }
                        });
                        y.iter().nth(r).is_some_and(|&t| t == best.0 as f32)
                    })
                    .count();
                (hits as f64, rows)
            }
        }
    }
}

impl FromStr for Metric {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mae" => Ok(Self::Mae),
            "mse" => Ok(Self::Mse),
            "accuracy" | "acc" => Ok(Self::Accuracy),
            _ => Err(Error::UnknownName {
                kind: "metric",
                name: s.into(),
                valid: "mae, mse, accuracy".into(),
            }),
        }
    }
}

/// Stop when the monitored loss has not improved by `min_delta` for `patience` epochs.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Minimum decrease that counts as an improvement.
    pub min_delta: f32,
    /// Monitor the validation loss (when there is validation data) instead of the training loss.
    pub monitor_validation: bool,
    /// Put back the weights of the best epoch when stopping or finishing.
    pub restore_best_weights: bool,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        Self {
            patience: 5,
            min_delta: 0.0,
            monitor_validation: true,
            restore_best_weights: true,
        }
    }
}

/// Settings of [`Sequential::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    /// Number of passes over the data.
    pub epochs: usize,
    /// Rows per gradient step (the last batch may be smaller).
    pub batch_size: usize,
    /// Shuffle the training rows every epoch (with a ChaCha8 stream seeded by `seed`).
    pub shuffle: bool,
    /// Fraction of rows, taken from the *end* before shuffling (as Keras does), held out for
    /// validation; ignored when validation data are given.
    pub validation_split: f32,
    /// Seed of the shuffling stream.
    pub seed: u64,
    /// Print a Keras-like line per epoch and a progress bar.
    pub verbose: bool,
    /// Clip the gradients' global norm to this value before each step.
    pub clip_norm: Option<f32>,
    /// Early stopping.
    pub early_stopping: Option<EarlyStopping>,
    /// The least work worth a shard of its own, in multiply-adds estimated as rows × time steps ×
    /// weights: a batch is cut into at most one shard per such portion (and one per thread).
    /// Default [`MIN_SHARD_WORK`]; 0 cuts every batch into one shard per thread.
    pub min_shard_work: usize,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            validation_split: 0.0,
            seed: 0,
            verbose: true,
            clip_norm: None,
            early_stopping: None,
            min_shard_work: MIN_SHARD_WORK,
        }
    }
}

impl FitConfig {
    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] for zero epochs or batch size, or a split outside `[0, 1)`.
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 || self.batch_size == 0 {
            return Err(Error::Invalid(format!(
                "epochs ({}) and batch_size ({}) must be positive",
                self.epochs, self.batch_size
            )));
        }
        if !(0.0..1.0).contains(&self.validation_split) {
            return Err(Error::Invalid(format!(
                "validation_split must be in [0, 1), got {}",
                self.validation_split
            )));
        }
        Ok(())
    }
}

/// The per-epoch hook type of [`FitControl`].
pub type EpochHook<'a> = Box<dyn FnMut(&Sequential, &TrainState) -> Result<()> + 'a>;

/// Checkpoint and resume hooks for [`Sequential::fit_with`].
///
/// ```no_run
/// # fn demo(mut model: nn::Sequential, x: ndarray::ArrayD<f32>, y: ndarray::ArrayD<f32>) -> nn::Result<()> {
/// use nn::{FitConfig, train::FitControl};
/// let cfg = FitConfig { epochs: 20, ..FitConfig::default() };
/// // Keep a checkpoint of the last completed epoch (written atomically).
/// let mut control = FitControl {
///     on_epoch_end: Some(Box::new(|m, state| nn::checkpoint::save("run.ckpt", m, state))),
///     ..FitControl::default()
/// };
/// model.fit_with(&x, &y, None, &cfg, &mut control)?;
/// // Later, after an interruption: load, compile as before, resume.
/// let (mut model, state) = nn::checkpoint::load("run.ckpt")?;
/// model.compile(nn::Loss::Mse, Box::new(nn::Adam::keras()), &[]);
/// let mut control = FitControl { resume: Some(state), ..FitControl::default() };
/// model.fit_with(&x, &y, None, &cfg, &mut control)?;
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct FitControl<'a> {
    /// Continue the run this state was taken from (its epochs are not run again).
    pub resume: Option<TrainState>,
    /// Called after every completed epoch with the model and the state that resumes after it;
    /// an error from it stops training and is returned by `fit_with`.
    pub on_epoch_end: Option<EpochHook<'a>>,
}

impl std::fmt::Debug for FitControl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitControl")
            .field("resume", &self.resume)
            .field("on_epoch_end", &self.on_epoch_end.as_ref().map(|_| "FnMut"))
            .finish()
    }
}

/// One epoch's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochLog {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's rows (weighted by batch size, as Keras reports it).
    pub loss: f32,
    /// Training metrics, in the compiled order.
    pub metrics: Vec<(String, f32)>,
    /// Validation loss, when there are validation data.
    pub val_loss: Option<f32>,
    /// Validation metrics.
    pub val_metrics: Vec<(String, f32)>,
    /// Wall time of the epoch in seconds.
    pub seconds: f64,
}

/// Everything `fit` measured, one entry per epoch run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Per-epoch logs.
    pub epochs: Vec<EpochLog>,
    /// The epoch (1-based) whose weights the model ends with when early stopping restored them.
    pub best_epoch: Option<usize>,
}

impl History {
    /// The training loss per epoch (for plotting).
    #[must_use]
    pub fn loss(&self) -> Vec<f32> {
        self.epochs.iter().map(|e| e.loss).collect()
    }

    /// The validation loss per epoch (empty without validation data).
    #[must_use]
    pub fn val_loss(&self) -> Vec<f32> {
        self.epochs.iter().filter_map(|e| e.val_loss).collect()
    }
}

/// Loss, optimiser and metrics set by [`Sequential::compile`].
#[derive(Debug)]
pub struct Compiled {
    /// The loss.
    pub loss: Loss,
    /// The optimiser (its state persists across `fit` calls).
    pub optimizer: Box<dyn Optimizer>,
    /// Metrics reported per epoch.
    pub metrics: Vec<Metric>,
}

/// Error on the first non-finite value of `a`.
///
/// # Errors
/// [`Error::NonFiniteInput`] naming `what`, the flat index and the value.
pub fn check_finite(what: &str, a: &ArrayD<f32>) -> Result<()> {
    match a.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFiniteInput {
            what: what.into(),
            index,
            value: a.iter().nth(index).copied().unwrap_or(f32::NAN),
        }),
    }
}

/// The rows `idx` of `a` (axis 0), in that order: for a row-major `a`, each row one slice copy
/// (ndarray's `select` went through a general element-wise gather: about 3% of the lesson's
/// fit, for 16 windows of 12 values per batch).
pub(crate) fn rows(a: &ArrayD<f32>, idx: &[usize]) -> ArrayD<f32> {
    let (Some(flat), Some((_, rest))) = (a.as_slice(), a.shape().split_first()) else {
        return a.select(Axis(0), idx);
    };
    let row: usize = rest.iter().product();
    let mut out = Vec::with_capacity(idx.len() * row);
    for &i in idx {
        match flat.get(i * row..(i + 1) * row) {
            Some(r) => out.extend_from_slice(r),
            // An index past the end: `select` reports it as it always has.
            None => return a.select(Axis(0), idx),
        }
    }
    let shape: Vec<usize> = std::iter::once(idx.len())
        .chain(rest.iter().copied())
        .collect();
    ArrayD::from_shape_vec(shape, out).unwrap_or_else(|_| a.select(Axis(0), idx))
}

/// Put the loss of `out` against targets `y` on the tape (MSE and MAE take `y` by value).
pub(crate) fn apply_loss(tape: &mut Tape, loss: Loss, out: Var, y: ArrayD<f32>) -> Result<Var> {
    match loss {
        Loss::Mse => tape.mse(out, y),
        Loss::Mae => tape.mae(out, y),
        Loss::SparseCategoricalCrossentropy => {
            let mut targets = Vec::with_capacity(y.len());
            for (k, &v) in y.iter().enumerate() {
                if !(v >= 0.0 && v.fract() == 0.0) {
                    return Err(Error::Invalid(format!(
                        "class label {v} at flat index {k} is not a non-negative integer"
                    )));
                }
                targets.push(v as usize);
            }
            tape.cross_entropy(out, &targets)
        }
    }
}

/// Inputs and targets.
type XY = (ArrayD<f32>, ArrayD<f32>);

struct Totals {
    loss: f64,
    n: usize,
    metrics: Vec<(f64, usize)>,
}

impl Totals {
    fn new(k: usize) -> Self {
        Self {
            loss: 0.0,
            n: 0,
            metrics: vec![(0.0, 0); k],
        }
    }
    fn logs(&self, metrics: &[Metric]) -> (f32, Vec<(String, f32)>) {
        let loss = (self.loss / self.n.max(1) as f64) as f32;
        let m = metrics
            .iter()
            .zip(&self.metrics)
            .map(|(m, (s, c))| (m.name().to_string(), (s / (*c).max(1) as f64) as f32))
            .collect();
        (loss, m)
    }
}

/// A progress bar over an epoch's batches (hidden when not verbose).
fn progress_bar(verbose: bool, batches: usize) -> ProgressBar {
    let bar = if verbose {
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

fn line(log: &EpochLog, epochs: usize, batches: usize) -> String {
    let mut s = format!(
        "Epoch {}/{} - {batches}/{batches} - {:.0}ms - loss: {:.4}",
        log.epoch,
        epochs,
        log.seconds * 1e3,
        log.loss
    );
    for (n, v) in &log.metrics {
        s += &format!(" - {n}: {v:.4}");
    }
    if let Some(v) = log.val_loss {
        s += &format!(" - val_loss: {v:.4}");
    }
    for (n, v) in &log.val_metrics {
        s += &format!(" - val_{n}: {v:.4}");
    }
    s
}

impl Sequential {
    /// Set the loss, optimiser and metrics used by `fit` and `evaluate`.
    pub fn compile(&mut self, loss: Loss, optimizer: Box<dyn Optimizer>, metrics: &[Metric]) {
        self.compiled = Some(Compiled {
            loss,
            optimizer,
            metrics: metrics.to_vec(),
        });
    }

    /// The compiled settings, if any.
    #[must_use]
    pub fn compiled(&self) -> Option<&Compiled> {
        self.compiled.as_ref()
    }

    fn check_xy(&self, what: &str, x: &ArrayD<f32>, y: &ArrayD<f32>) -> Result<()> {
        check_finite(what, x)?;
        check_finite(&format!("{what} targets"), y)?;
        let (nx, ny) = (
            x.shape().first().copied().unwrap_or(0),
            y.shape().first().copied().unwrap_or(0),
        );
        if nx != ny {
            return Err(crate::error::shape_err(
                format!("{what}: x and y must have the same number of rows"),
                x.shape(),
                y.shape(),
            ));
        }
        Ok(())
    }

    /// Train on `x` (batch axis first) and targets `y`, holding out `validation_split` of the
    /// rows (or using `validation`) for per-epoch validation.
    ///
    /// Each batch is cut into row shards, one per thread of the current rayon pool (at least
    /// [`MIN_SHARD_ROWS`] rows and [`FitConfig::min_shard_work`] of work each), that run forward
    /// and backward in parallel; their gradients
    /// are combined weighted by shard size, so a step equals the whole-batch step up to float
    /// rounding. With the same seed and the same pool size a run repeats bit for bit; with one
    /// thread a batch is never cut.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the model is not compiled or the settings are invalid;
    /// [`Error::NonFiniteInput`] for a NaN or infinity in the data (nothing is trained);
    /// [`Error::Diverged`] naming the epoch and batch when the loss becomes NaN or infinite and
    /// [`Error::NonFiniteGradient`] when a gradient does (the failing step is not taken, so the
    /// model keeps the weights of the last good step); shape errors naming the layer.
    pub fn fit(
        &mut self,
        x: &ArrayD<f32>,
        y: &ArrayD<f32>,
        validation: Option<(&ArrayD<f32>, &ArrayD<f32>)>,
        cfg: &FitConfig,
    ) -> Result<History> {
        self.fit_with(x, y, validation, cfg, &mut FitControl::default())
    }

    /// [`Sequential::fit`] with checkpoint and resume hooks: `control.on_epoch_end` receives
    /// the model and its [`TrainState`] after every completed epoch (save both with
    /// [`checkpoint::save`](crate::checkpoint::save)), and `control.resume` continues a run from
    /// such a state. A run resumed with the same data, settings and thread count ends with the
    /// same weights, bit for bit, as one that was never interrupted; the returned history holds
    /// the earlier epochs too.
    ///
    /// # Errors
    /// As [`Sequential::fit`]; [`Error::Invalid`] when the resume state does not belong to this
    /// run (another seed, batch size, shuffling, row count or optimiser), or has more epochs done
    /// than `cfg.epochs`; the callback's error, which stops training.
    pub fn fit_with(
        &mut self,
        x: &ArrayD<f32>,
        y: &ArrayD<f32>,
        validation: Option<(&ArrayD<f32>, &ArrayD<f32>)>,
        cfg: &FitConfig,
        control: &mut FitControl<'_>,
    ) -> Result<History> {
        cfg.validate()?;
        if self.compiled.is_none() {
            return Err(Error::Invalid(
                "compile the model (loss, optimiser) before fit".into(),
            ));
        }
        self.check_xy("x", x, y)?;
        let n_all = x.shape()[0];
        let (train_idx, val_data): (Vec<usize>, Option<XY>) = match validation {
            Some((xv, yv)) => {
                self.check_xy("validation x", xv, yv)?;
                ((0..n_all).collect(), Some((xv.clone(), yv.clone())))
            }
            None if cfg.validation_split > 0.0 => {
                let n_val = ((n_all as f64) * f64::from(cfg.validation_split)) as usize;
                let split = n_all - n_val;
                let vi: Vec<usize> = (split..n_all).collect();
                (
                    (0..split).collect(),
                    (n_val > 0).then(|| (rows(x, &vi), rows(y, &vi))),
                )
            }
            None => ((0..n_all).collect(), None),
        };
        if train_idx.is_empty() {
            return Err(Error::Invalid("no training rows".into()));
        }
        let mut rng = ProjectRng::seed_from_u64(cfg.seed);
        let mut order = train_idx;
        let mut history = History::default();
        let mut best: Option<BestEpoch> = None;
        let mut first_epoch = 1;
        if let Some(state) = control.resume.take() {
            state.check_resumes(cfg, order.len())?;
            self.compiled_mut()?.optimizer.set_state(&state.optimizer)?;
            // The shuffling stream is replayed rather than stored: the same seed and row count
            // give the same permutations.
            if cfg.shuffle {
                for _ in 0..state.epochs_done {
                    order.shuffle(&mut rng);
                }
            }
            first_epoch = if state.stopped_early {
                cfg.epochs + 1
            } else {
                state.epochs_done + 1
            };
            history = state.history;
            best = state.best;
        }
        let batches = order.len().div_ceil(cfg.batch_size);
        for epoch in first_epoch..=cfg.epochs {
            let started = Instant::now();
            if cfg.shuffle {
                order.shuffle(&mut rng);
            }
            let bar = progress_bar(cfg.verbose, batches);
            let totals = self
                .train_epoch(x, y, &order, cfg, epoch, &bar)
                .inspect_err(|_| bar.finish_and_clear())?;
            bar.finish_and_clear();
            let metrics = self.compiled_mut()?.metrics.clone();
            let (loss, metric_logs) = totals.logs(&metrics);
            let (val_loss, val_metrics) = match &val_data {
                Some((xv, yv)) => {
                    let (l, m) = self.evaluate_unchecked(xv, yv, cfg.batch_size)?;
                    (Some(l), m)
                }
                None => (None, Vec::new()),
            };
            let log = EpochLog {
                epoch,
                loss,
                metrics: metric_logs,
                val_loss,
                val_metrics,
                seconds: started.elapsed().as_secs_f64(),
            };
            if cfg.verbose {
                println!("{}", line(&log, cfg.epochs, batches));
            }
            history.epochs.push(log);
            let mut stop = false;
            if let Some(es) = &cfg.early_stopping {
                let monitored = if es.monitor_validation {
                    val_loss.unwrap_or(loss)
                } else {
                    loss
                };
                let improved = best
                    .as_ref()
                    .is_none_or(|b| monitored < b.monitored - es.min_delta);
                if improved {
                    best = Some(BestEpoch {
                        monitored,
                        epoch,
                        weights: es.restore_best_weights.then(|| self.params.clone()),
                    });
                } else if best
                    .as_ref()
                    .is_some_and(|b| epoch - b.epoch >= es.patience)
                {
                    stop = true;
                }
            }
            if let Some(on_epoch_end) = control.on_epoch_end.as_mut() {
                let state = TrainState {
                    epochs_done: epoch,
                    seed: cfg.seed,
                    shuffle: cfg.shuffle,
                    batch_size: cfg.batch_size,
                    train_rows: order.len(),
                    history: history.clone(),
                    optimizer: self.compiled_mut()?.optimizer.state(),
                    best: best.clone(),
                    stopped_early: stop,
                };
                on_epoch_end(self, &state)?;
            }
            if stop {
                break;
            }
        }
        if let (Some(es), Some(b)) = (&cfg.early_stopping, best) {
            if es.restore_best_weights {
                if let Some(weights) = b.weights {
                    self.params = weights;
                }
                history.best_epoch = Some(b.epoch);
            }
        }
        Ok(history)
    }

    fn compiled_mut(&mut self) -> Result<&mut Compiled> {
        self.compiled
            .as_mut()
            .ok_or_else(|| Error::Invalid("not compiled".into()))
    }

    /// One pass over the rows in `order`: a step per batch. Stops with an error naming the
    /// epoch and batch on a non-finite loss or gradient, before that step is taken.
    fn train_epoch(
        &mut self,
        x: &ArrayD<f32>,
        y: &ArrayD<f32>,
        order: &[usize],
        cfg: &FitConfig,
        epoch: usize,
        bar: &ProgressBar,
    ) -> Result<Totals> {
        let compiled = self
            .compiled
            .as_mut()
            .ok_or_else(|| Error::Invalid("not compiled".into()))?;
        let mut totals = Totals::new(compiled.metrics.len());
        for (b, chunk) in order.chunks(cfg.batch_size).enumerate() {
            let step = crate::train_step::run_batch(
                &self.layers,
                &self.params,
                compiled.loss,
                &compiled.metrics,
                x,
                y,
                chunk,
                cfg.min_shard_work,
            )?;
            if !step.loss.is_finite() {
                return Err(Error::Diverged {
                    epoch,
                    batch: b + 1,
                    loss: step.loss,
                });
            }
            let mut grads = step.grads;
            if let Some((id, index, value)) = grads.check_finite_and_clip(cfg.clip_norm)? {
                return Err(Error::NonFiniteGradient {
                    epoch,
                    batch: b + 1,
                    param: self.params.get(id).name.clone(),
                    index,
                    value,
                });
            }
            totals.loss += step.loss_sum;
            totals.n += chunk.len();
            for (acc, (s, c)) in totals.metrics.iter_mut().zip(step.metrics) {
                acc.0 += s;
                acc.1 += c;
            }
            compiled.optimizer.step(&mut self.params, &grads)?;
            if !bar.is_hidden() {
                bar.inc(1);
                if b % 8 == 0 {
                    bar.set_message(format!("{:.4}", totals.loss / totals.n as f64));
                }
            }
        }
        Ok(totals)
    }

    /// Loss and metrics of the compiled model on `x`, `y`.
    ///
    /// # Errors
    /// As [`Sequential::fit`].
    pub fn evaluate(
        &self,
        x: &ArrayD<f32>,
        y: &ArrayD<f32>,
        batch_size: usize,
    ) -> Result<(f32, Vec<(String, f32)>)> {
        self.check_xy("x", x, y)?;
        self.evaluate_unchecked(x, y, batch_size)
    }

    fn evaluate_unchecked(
        &self,
        x: &ArrayD<f32>,
        y: &ArrayD<f32>,
        batch_size: usize,
    ) -> Result<(f32, Vec<(String, f32)>)> {
        let compiled = self
            .compiled
            .as_ref()
            .ok_or_else(|| Error::Invalid("compile the model before evaluate".into()))?;
        let n = x.shape().first().copied().unwrap_or(0);
        let mut totals = Totals::new(compiled.metrics.len());
        let idx: Vec<usize> = (0..n).collect();
        for chunk in idx.chunks(batch_size.max(1)) {
            let (xb, yb) = (rows(x, chunk), rows(y, chunk));
            let mut tape = Tape::inference(&self.params);
            let xv = tape.constant(xb);
            let out = self.forward(&mut tape, xv)?;
            for (m, acc) in compiled.metrics.iter().zip(totals.metrics.iter_mut()) {
                let (s, c) = m.batch_sum(tape.value(out), &yb);
                acc.0 += s;
                acc.1 += c;
            }
            let loss = apply_loss(&mut tape, compiled.loss, out, yb)?;
            totals.loss += f64::from(tape.value(loss).iter().next().copied().unwrap_or(f32::NAN))
                * chunk.len() as f64;
            totals.n += chunk.len();
        }
        Ok(totals.logs(&compiled.metrics))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::IxDyn;

    /// The row gather equals ndarray's `select` on row-major and on transposed input, with
    /// repeated and reordered indices.
    #[test]
    fn rows_match_select() {
        let a = ArrayD::from_shape_fn(IxDyn(&[5, 3, 2]), |i| {
            (i[0] * 100 + i[1] * 10 + i[2]) as f32
        });
        let idx = [4, 0, 4, 2];
        assert_eq!(rows(&a, &idx), a.select(Axis(0), &idx));
        let t = a.clone().reversed_axes();
        let t_idx = [1, 0, 1];
        assert_eq!(rows(&t, &t_idx), t.select(Axis(0), &t_idx));
        assert_eq!(rows(&a, &[]).shape(), &[0, 3, 2]);
    }
}
