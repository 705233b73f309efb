//! What `train --resume` needs beyond nn's checkpoint (`checkpoint.safetensors` in the model directory,
//! rewritten atomically after every epoch by `nn::seq_train::save_in` and read back by
//! `nn::seq_train::load_for_resume`): which settings must match, and the per-epoch figures kept with it.

use std::path::Path;

use anyhow::{Context, bail};
use nn::seq_train::SeqCheckpoint;
use serde::{Deserialize, Serialize};

use crate::cli::TrainArgs;
use crate::data::Corpus;
use crate::train::EpochRow;

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
