//! What `train --resume` needs beyond nn's checkpoint (`checkpoint.safetensors` in the model directory,
//! rewritten atomically after every epoch by `nn::seq_train::save_in` and read back by
//! `nn::seq_train::load_for_resume`): which settings must match, and the per-epoch figures kept with it.

use std::path::Path;

use anyhow::{Context, bail};
use nn::seq_train::SeqCheckpoint;
use serde::{Deserialize, Serialize};

use crate::data::Corpus;
use crate::train::EpochRow;

/// The settings a resumed run must share with the interrupted one: every entry of the run's `training`
/// record but `epochs`, named by its flag, and a hash of the prepared sequences.
pub fn settings(training: &serde_json::Value, corpus: &Corpus) -> Vec<(String, String)> {
    let mut hash = appkit::hash::FNV1A_START;
    let streams = corpus.train.streams() as u32;
    let words = corpus.train.x.iter().chain(&corpus.train.y);
    for v in std::iter::once(&streams)
        .chain(words)
        .chain(&corpus.valid_ids)
    {
        hash = appkit::hash::fnv1a_update(hash, &v.to_le_bytes());
    }
    let mut list: Vec<(String, String)> = training
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "epochs")
        .map(|(k, v)| {
            let name = match k.as_str() {
                "vocab_size" => "vocabulary size".to_string(),
                "vectors" => "vectors".to_string(),
                _ => format!("--{}", k.replace('_', "-")),
            };
            let value = match (k.as_str(), v) {
                // f32 flags as typed (the record holds them as f64).
                (
                    "lr" | "dropout" | "clip" | "lr_decay" | "input_dropout" | "word_dropout"
                    | "weight_decay",
                    serde_json::Value::Number(n),
                ) => n
                    .as_f64()
                    .map_or_else(|| v.to_string(), |x| (x as f32).to_string()),
                // The vectors' description ends with the seconds Word2Vec took.
                ("vectors", serde_json::Value::String(text)) => text
                    .rsplit_once(", ")
                    .filter(|(_, last)| last.ends_with(" s"))
                    .map_or_else(|| text.clone(), |(head, _)| head.to_string()),
                _ => v.to_string(),
            };
            (name, value)
        })
        .collect();
    list.push(("prepared data (FNV-1a)".into(), format!("{hash:016x}")));
    list
}

/// One epoch's figures with every float as its bit pattern (exact through JSON).
#[derive(Serialize, Deserialize)]
struct RowBits {
    epoch: usize,
    bits: [u64; 4],
    /// CPU seconds and learning rate.
    #[serde(default)]
    cpu_lr: (Option<u64>, u64),
}

/// The epochs so far, for the checkpoint's record.
pub fn history_record(rows: &[EpochRow]) -> anyhow::Result<String> {
    let bits: Vec<RowBits> = rows
        .iter()
        .map(|r| RowBits {
            epoch: r.epoch,
            bits: [r.loss, r.valid_perplexity, r.words_per_sec, r.seconds].map(f64::to_bits),
            cpu_lr: (r.cpu_seconds.map(f64::to_bits), r.lr.to_bits()),
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
            let [loss, valid_perplexity, words_per_sec, seconds] = r.bits.map(f64::from_bits);
            EpochRow {
                epoch: r.epoch,
                loss,
                valid_perplexity,
                words_per_sec,
                seconds,
                cpu_seconds: r.cpu_lr.0.map(f64::from_bits),
                lr: f64::from_bits(r.cpu_lr.1),
            }
        })
        .collect())
}
