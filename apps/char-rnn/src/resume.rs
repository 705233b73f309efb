//! The training checkpoint (`checkpoint.safetensors` in the model directory, rewritten atomically after every
//! epoch) and `train --resume`: which settings must match, and the per-epoch figures kept with it.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use nn::Sequential;
use nn::seq_train::{SeqCheckpoint, checkpoint_bytes, checkpoint_from_bytes};
use serde::{Deserialize, Serialize};

use crate::cli::TrainArgs;
use crate::data::Corpus;
use crate::train::EpochRow;

/// The checkpoint's file name inside the model directory.
pub const CHECKPOINT: &str = "checkpoint.safetensors";

/// The checkpoint file in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(CHECKPOINT)
}

/// Writes the checkpoint into `dir` atomically (the previous one stays until the new one is complete).
pub fn save(dir: &Path, model: &Sequential, ck: &SeqCheckpoint) -> anyhow::Result<()> {
    let bytes = checkpoint_bytes(model, ck)?;
    appkit::write_atomic(&path(dir), |w| Ok(w.write_all(&bytes)?))
}

/// Reads the checkpoint in `dir`.
pub fn load(dir: &Path) -> anyhow::Result<(Sequential, SeqCheckpoint)> {
    let file = path(dir);
    let bytes = std::fs::read(&file).with_context(|| {
        format!(
            "{}: cannot read the checkpoint to resume from (written by `char-rnn train` after each epoch)",
            file.display()
        )
    })?;
    Ok(checkpoint_from_bytes(&bytes, &file.display().to_string())?)
}

/// The settings a resumed run must share with the interrupted one, named by their flags; the data are
/// compared by their alphabet and a hash of the prepared sentences.
pub fn settings(args: &TrainArgs, corpus: &Corpus) -> Vec<(String, String)> {
    let mut hash = appkit::hash::FNV1A_START;
    for a in [
        &corpus.train.x,
        &corpus.train.y,
        &corpus.valid.x,
        &corpus.valid.y,
    ] {
        for v in a {
            hash = appkit::hash::fnv1a_update(hash, &v.to_le_bytes());
        }
    }
    let fragment = args
        .fragment_chars
        .map_or_else(|| "all".to_string(), |n| n.to_string());
    [
        ("--input", corpus.name.clone()),
        ("--fragment-chars", fragment),
        ("--keep", format!("{:?}", args.keep)),
        ("--sentence-len", args.sentence_len.to_string()),
        ("--valid-fraction", args.valid_fraction.to_string()),
        ("--cell", format!("{:?}", args.cell).to_lowercase()),
        ("--init", args.init.name().to_string()),
        ("--units", args.units.to_string()),
        ("--layers", args.layers.to_string()),
        ("--dropout", args.dropout.to_string()),
        ("--batch-size", args.batch_size.to_string()),
        ("--lr", args.lr.to_string()),
        ("--clip", args.clip.to_string()),
        ("--threads", args.threads.to_string()),
        ("--seed", args.seed.to_string()),
        ("alphabet", corpus.alphabet.to_json()),
        ("prepared data (FNV-1a)", format!("{hash:016x}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One epoch's figures with every float as its bit pattern (exact through JSON).
#[derive(Serialize, Deserialize)]
struct RowBits {
    epoch: usize,
    bits: [u64; 5],
    /// The epoch's CPU seconds (absent in checkpoints written before it was recorded).
    #[serde(default)]
    cpu: Option<u64>,
}

/// The epochs so far, for the checkpoint's record.
pub fn history_record(rows: &[EpochRow]) -> anyhow::Result<String> {
    let bits: Vec<RowBits> = rows
        .iter()
        .map(|r| RowBits {
            epoch: r.epoch,
            bits: [r.loss, r.train_bpc, r.valid_bpc, r.chars_per_sec, r.seconds].map(f64::to_bits),
            cpu: r.cpu_seconds.map(f64::to_bits),
        })
        .collect();
    Ok(serde_json::to_string(&bits)?)
}

/// The epochs recorded in a checkpoint, checked against its epoch count.
pub fn history_from_record(ck: &SeqCheckpoint, label: &Path) -> anyhow::Result<Vec<EpochRow>> {
    let bits: Vec<RowBits> = serde_json::from_str(&ck.extra)
        .with_context(|| format!("{}: the per-epoch record is damaged", label.display()))?;
    if bits.len() != ck.epochs_done || bits.iter().enumerate().any(|(i, r)| r.epoch != i + 1) {
        bail!(
            "{}: the per-epoch record has {} epochs, the checkpoint {}",
            label.display(),
            bits.len(),
            ck.epochs_done
        );
    }
    Ok(bits
        .into_iter()
        .map(|r| {
            let [loss, train_bpc, valid_bpc, chars_per_sec, seconds] = r.bits.map(f64::from_bits);
            EpochRow {
                epoch: r.epoch,
                loss,
                train_bpc,
                valid_bpc,
                chars_per_sec,
                seconds,
                cpu_seconds: r.cpu.map(f64::from_bits),
            }
        })
        .collect())
}
