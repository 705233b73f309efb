//! Checkpoints: a model with everything [`Sequential::fit_with`] needs to continue an interrupted
//! run to the same bits — the optimiser's state (Adam's moments and step count), the position in
//! the shuffling stream (the epochs done, replayed from the seed), the history so far and the
//! early-stopping record.
//!
//! A checkpoint file is a model file (see [`crate::io`]) with extra tensors under
//! `train_state/` — `train_state/optimizer/<slot>/<parameter>` and, when early stopping keeps
//! the best weights, `train_state/best/<parameter>` — and the metadata key `train_state` (JSON:
//! epochs done, seed, batch size, shuffling, row count, optimiser name and step, history with
//! every f32 stored as its bit pattern, early-stopping record). [`save`] writes it atomically
//! (a temporary file beside the target, then a rename), so a run killed while saving keeps the
//! previous checkpoint.
//!
//! Resuming: [`load`] the file, `compile` the model with the same loss, optimiser and metrics as
//! before, and call [`Sequential::fit_with`] with [`FitControl::resume`](crate::train::FitControl)
//! set to the loaded state and the same data and [`FitConfig`]; it runs the remaining epochs.
//! With the same thread count (see [`Sequential::fit`] on shards) the final weights equal those
//! of an uninterrupted run bit for bit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ndarray::ArrayD;
use serde::{Deserialize, Serialize};

use crate::io::{parse_safetensors, safetensors_bytes, write_atomic};
use crate::model::Sequential;
use crate::optim::OptimizerState;
use crate::params::Params;
use crate::train::{EpochLog, FitConfig, History};
use crate::{Error, Result};

/// Current version of the `train_state` record.
pub const STATE_VERSION: u32 = 1;

const PREFIX: &str = "train_state/";

/// The early-stopping record: the best monitored loss so far, its epoch and (when the best
/// weights are restored at the end) those weights.
#[derive(Debug, Clone)]
pub struct BestEpoch {
    /// The monitored loss of the best epoch.
    pub monitored: f32,
    /// The best epoch (1-based).
    pub epoch: usize,
    /// The weights after that epoch, when early stopping restores them.
    pub weights: Option<Params>,
}

/// Where a [`Sequential::fit_with`] run stands after a completed epoch: what resuming needs
/// besides the model's weights.
#[derive(Debug, Clone)]
pub struct TrainState {
    /// Epochs completed.
    pub epochs_done: usize,
    /// The shuffling seed of the run ([`FitConfig::seed`]).
    pub seed: u64,
    /// Whether the run shuffles.
    pub shuffle: bool,
    /// The run's batch size.
    pub batch_size: usize,
    /// Training rows (after the validation split).
    pub train_rows: usize,
    /// The epochs so far.
    pub history: History,
    /// The optimiser's state after the last step.
    pub optimizer: OptimizerState,
    /// The early-stopping record, when the run uses early stopping.
    pub best: Option<BestEpoch>,
    /// Early stopping ended the run after this epoch (resuming runs no more epochs).
    pub stopped_early: bool,
}

impl TrainState {
    /// Check that this state continues a run with settings `cfg` over `train_rows` rows.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first setting that differs, or when more epochs are done
    /// than `cfg.epochs` asks for.
    pub fn check_resumes(&self, cfg: &FitConfig, train_rows: usize) -> Result<()> {
        let differs = |what: &str, then: String, now: String| {
            Err(Error::Invalid(format!(
                "cannot resume: the checkpoint's run has {what} {then}, this fit has {now}"
            )))
        };
        if self.seed != cfg.seed {
            return differs("seed", self.seed.to_string(), cfg.seed.to_string());
        }
        if self.batch_size != cfg.batch_size {
            return differs(
                "batch size",
                self.batch_size.to_string(),
                cfg.batch_size.to_string(),
            );
        }
        if self.shuffle != cfg.shuffle {
            return differs("shuffle", self.shuffle.to_string(), cfg.shuffle.to_string());
        }
        if self.train_rows != train_rows {
            return differs(
                "training rows",
                self.train_rows.to_string(),
                train_rows.to_string(),
            );
        }
        if self.epochs_done > cfg.epochs {
            return differs(
                "epochs done",
                self.epochs_done.to_string(),
                format!("epochs {}", cfg.epochs),
            );
        }
        Ok(())
    }
}

/// f32 values as bit patterns, so NaN and infinities survive JSON and every value is exact.
#[derive(Serialize, Deserialize)]
struct LogRecord {
    epoch: usize,
    loss: u32,
    metrics: Vec<(String, u32)>,
    val_loss: Option<u32>,
    val_metrics: Vec<(String, u32)>,
    seconds: f64,
}

#[derive(Serialize, Deserialize)]
struct StateRecord {
    version: u32,
    epochs_done: usize,
    seed: u64,
    shuffle: bool,
    batch_size: usize,
    train_rows: usize,
    optimizer: String,
    optimizer_step: u64,
    history: Vec<LogRecord>,
    best_epoch: Option<usize>,
    /// History::best_epoch (set when early stopping restored weights).
    restored_epoch: Option<usize>,
    best_monitored: Option<u32>,
    best_has_weights: bool,
    stopped_early: bool,
}

fn bits(pairs: &[(String, f32)]) -> Vec<(String, u32)> {
    pairs
        .iter()
        .map(|(n, v)| (n.clone(), v.to_bits()))
        .collect()
}

fn floats(pairs: Vec<(String, u32)>) -> Vec<(String, f32)> {
    pairs
        .into_iter()
        .map(|(n, v)| (n, f32::from_bits(v)))
        .collect()
}

fn file_err(label: &str, message: impl Into<String>) -> Error {
    Error::File {
        path: label.to_string(),
        message: message.into(),
    }
}

/// The model and its training state as the bytes of one checkpoint file.
///
/// # Errors
/// [`Error::Invalid`] when serialisation fails or an optimiser slot refers to a parameter the
/// model does not have.
pub fn to_bytes(model: &Sequential, state: &TrainState) -> Result<Vec<u8>> {
    let file = parse_safetensors(&model.to_bytes()?, "model")?;
    let names: Vec<String> = model.params().iter().map(|(_, p)| p.name.clone()).collect();
    let mut tensors: Vec<(String, ArrayD<f32>)> = names
        .iter()
        .filter_map(|n| file.tensors.get(n).map(|t| (n.clone(), t.clone())))
        .collect();
    for (slot, arrays) in &state.optimizer.slots {
        for (i, a) in arrays.iter().enumerate() {
            let Some(a) = a else { continue };
            let name = names.get(i).ok_or_else(|| {
                Error::Invalid(format!(
                    "optimiser slot {slot} has an entry for parameter {i}; the model has {}",
                    names.len()
                ))
            })?;
            tensors.push((format!("{PREFIX}optimizer/{slot}/{name}"), a.clone()));
        }
    }
    let best_weights = state.best.as_ref().and_then(|b| b.weights.as_ref());
    if let Some(w) = best_weights {
        for (_, p) in w.iter() {
            tensors.push((format!("{PREFIX}best/{}", p.name), p.value.clone()));
        }
    }
    let record = StateRecord {
        version: STATE_VERSION,
        epochs_done: state.epochs_done,
        seed: state.seed,
        shuffle: state.shuffle,
        batch_size: state.batch_size,
        train_rows: state.train_rows,
        optimizer: state.optimizer.name.clone(),
        optimizer_step: state.optimizer.step,
        history: state
            .history
            .epochs
            .iter()
            .map(|e| LogRecord {
                epoch: e.epoch,
                loss: e.loss.to_bits(),
                metrics: bits(&e.metrics),
                val_loss: e.val_loss.map(f32::to_bits),
                val_metrics: bits(&e.val_metrics),
                seconds: e.seconds,
            })
            .collect(),
        best_epoch: state.best.as_ref().map(|b| b.epoch),
        restored_epoch: state.history.best_epoch,
        best_monitored: state.best.as_ref().map(|b| b.monitored.to_bits()),
        best_has_weights: best_weights.is_some(),
        stopped_early: state.stopped_early,
    };
    let mut meta: HashMap<String, String> = file.metadata;
    meta.insert(
        "train_state".into(),
        serde_json::to_string(&record).map_err(|e| Error::Invalid(e.to_string()))?,
    );
    safetensors_bytes(&tensors, meta)
}

/// Rebuild the model and its training state from [`to_bytes`]' bytes; `label` names the source
/// in errors. The model comes back uncompiled: compile it as the interrupted run did.
///
/// # Errors
/// [`Error::File`] for a file that is not a checkpoint (no `train_state` record), a newer record
/// version, a truncated or corrupted file, or a state tensor that does not fit the model
/// (naming the tensor and both shapes).
pub fn from_bytes(bytes: &[u8], label: &str) -> Result<(Sequential, TrainState)> {
    let file = parse_safetensors(bytes, label)?;
    let json = file.metadata.get("train_state").ok_or_else(|| {
        file_err(
            label,
            "not a checkpoint (metadata key train_state missing; a plain model file?)",
        )
    })?;
    let record: StateRecord = serde_json::from_str(json)
        .map_err(|e| file_err(label, format!("train_state record: {e}")))?;
    if record.version == 0 || record.version > STATE_VERSION {
        return Err(file_err(
            label,
            format!(
                "train_state version {} is not supported (this build reads 1..={STATE_VERSION})",
                record.version
            ),
        ));
    }
    let (state_tensors, model_tensors): (Vec<_>, Vec<_>) = file
        .tensors
        .into_iter()
        .partition(|(n, _)| n.starts_with(PREFIX));
    let mut model_meta = file.metadata;
    model_meta.remove("train_state");
    let model = Sequential::from_bytes(&safetensors_bytes(&model_tensors, model_meta)?, label)?;
    let params = model.params();
    let mut slots: BTreeMap<String, Vec<Option<ArrayD<f32>>>> = BTreeMap::new();
    let mut best_weights = record.best_has_weights.then(|| params.clone());
    let mut best_count = 0;
    for (name, t) in state_tensors {
        let rest = &name[PREFIX.len()..];
        let (target, param) = if let Some(r) = rest.strip_prefix("optimizer/") {
            let (slot, param) = r
                .split_once('/')
                .ok_or_else(|| file_err(label, format!("tensor {name}: no slot name")))?;
            (Some(slot), param)
        } else if let Some(param) = rest.strip_prefix("best/") {
            (None, param)
        } else {
            return Err(file_err(label, format!("unknown state tensor {name}")));
        };
        let id = params
            .find(param)
            .ok_or_else(|| file_err(label, format!("tensor {name}: the model has no {param}")))?;
        let want = params.get(id).value.shape();
        if t.shape() != want {
            return Err(file_err(
                label,
                format!(
                    "tensor {name} has shape {:?}, the parameter {:?}",
                    t.shape(),
                    want
                ),
            ));
        }
        match target {
            Some(slot) => {
                let v = slots.entry(slot.to_string()).or_default();
                if v.len() <= id.index() {
                    v.resize(id.index() + 1, None);
                }
                v[id.index()] = Some(t);
            }
            None => {
                let w = best_weights.as_mut().ok_or_else(|| {
                    file_err(
                        label,
                        format!("tensor {name}: the record keeps no best weights"),
                    )
                })?;
                w.set(id, t).map_err(|e| file_err(label, e.to_string()))?;
                best_count += 1;
            }
        }
    }
    if record.best_has_weights && best_count != params.len() {
        return Err(file_err(
            label,
            format!(
                "the record keeps best weights but has {best_count} of the model's {} parameters",
                params.len()
            ),
        ));
    }
    let best = match (record.best_epoch, record.best_monitored) {
        (Some(epoch), Some(m)) => Some(BestEpoch {
            monitored: f32::from_bits(m),
            epoch,
            weights: best_weights,
        }),
        (None, None) => None,
        _ => {
            return Err(file_err(
                label,
                "train_state record: best epoch and best loss must come together",
            ));
        }
    };
    let history = History {
        epochs: record
            .history
            .into_iter()
            .map(|e| EpochLog {
                epoch: e.epoch,
                loss: f32::from_bits(e.loss),
                metrics: floats(e.metrics),
                val_loss: e.val_loss.map(f32::from_bits),
                val_metrics: floats(e.val_metrics),
                seconds: e.seconds,
            })
            .collect(),
        best_epoch: record.restored_epoch,
    };
    let state = TrainState {
        epochs_done: record.epochs_done,
        seed: record.seed,
        shuffle: record.shuffle,
        batch_size: record.batch_size,
        train_rows: record.train_rows,
        history,
        optimizer: OptimizerState {
            name: record.optimizer,
            step: record.optimizer_step,
            slots,
        },
        best,
        stopped_early: record.stopped_early,
    };
    Ok((model, state))
}

/// Write a checkpoint of `model` and `state` to `path` through [`write_atomic`] (a temporary
/// file beside it, then renamed into place), so an interrupted save leaves the previous
/// checkpoint intact.
///
/// # Errors
/// As [`to_bytes`]; [`Error::File`] naming the path for I/O errors.
pub fn save(path: impl AsRef<Path>, model: &Sequential, state: &TrainState) -> Result<()> {
    write_atomic(path.as_ref(), &to_bytes(model, state)?)
}

/// Read a checkpoint written by [`save`].
///
/// # Errors
/// As [`from_bytes`], plus I/O errors naming the path.
pub fn load(path: impl AsRef<Path>) -> Result<(Sequential, TrainState)> {
    let label = path.as_ref().display().to_string();
    let bytes = std::fs::read(path.as_ref()).map_err(|e| file_err(&label, e.to_string()))?;
    from_bytes(&bytes, &label)
}
