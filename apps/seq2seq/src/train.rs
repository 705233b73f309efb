//! Training and evaluation loops: length-bucketed batches, Adam with global-norm clipping,
//! exact-sequence and token accuracy.

use std::collections::BTreeMap;

use anyhow::Context;
use nn::seq2seq::Seq2Seq;
use nn::{Adam, Optimizer, Tape};
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::data::Pair;

/// Encoded examples: source and target indices.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    /// Source token indices.
    pub sources: Vec<Vec<usize>>,
    /// Target token indices.
    pub targets: Vec<Vec<usize>>,
}

/// Encode pairs with the model's vocabularies.
pub fn encode(model: &Seq2Seq, pairs: &[Pair]) -> anyhow::Result<Encoded> {
    let mut out = Encoded::default();
    for (s, t) in pairs {
        out.sources.push(model.source_vocab().encode(s)?);
        out.targets.push(model.target_vocab().encode(t)?);
    }
    Ok(out)
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training set.
    pub epochs: usize,
    /// Examples per batch.
    pub batch_size: usize,
    /// Adam learning rate.
    pub lr: f32,
    /// Global gradient-norm clip.
    pub clip: f32,
    /// Seed of the batch order.
    pub seed: u64,
    /// Label printed before each epoch line.
    pub label: String,
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize)]
pub struct EpochStats {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training cross-entropy per target token.
    pub loss: f64,
    /// Validation exact-sequence accuracy (greedy decoding).
    pub valid_exact: f64,
    /// Validation token accuracy under teacher forcing.
    pub valid_token: f64,
}

/// Train `model` in place; one log line per epoch goes to `say`.
pub fn train(
    model: &mut Seq2Seq,
    train: &Encoded,
    valid: &Encoded,
    opts: &TrainOptions,
    say: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<Vec<EpochStats>> {
    let mut rng = tensor::seeded_rng(opts.seed);
    let mut adam = Adam::keras().with_lr(opts.lr);
    let mut history = Vec::new();
    let mut order: Vec<usize> = (0..train.sources.len()).collect();
    for epoch in 1..=opts.epochs {
        // Shuffle, then group by source length so a batch needs little or no padding.
        order.shuffle(&mut rng);
        order.sort_by_key(|&i| train.sources[i].len());
        let mut batches: Vec<&[usize]> = order.chunks(opts.batch_size.max(1)).collect();
        batches.shuffle(&mut rng);
        let (mut sum, mut tokens) = (0.0f64, 0usize);
        for batch in batches {
            let src: Vec<Vec<usize>> = batch.iter().map(|&i| train.sources[i].clone()).collect();
            let tgt: Vec<Vec<usize>> = batch.iter().map(|&i| train.targets[i].clone()).collect();
            let mut grads = {
                let mut tape = Tape::new(&model.params);
                let (loss, _, n) = model.loss(&mut tape, &src, &tgt)?;
                let l = f64::from(tape.value(loss).sum());
                if !l.is_finite() {
                    anyhow::bail!("{}: loss became {l} in epoch {epoch}", opts.label);
                }
                sum += l * n as f64;
                tokens += n;
                tape.backward(loss)?
            };
            if let Some((id, index, value)) = grads.check_finite_and_clip(Some(opts.clip))? {
                anyhow::bail!(
                    "{}: a gradient of {} became {value} (flat index {index}) in epoch {epoch}",
                    opts.label,
                    model.params.get(id).name
                );
            }
            adam.step(&mut model.params, &grads)?;
        }
        let loss = sum / tokens.max(1) as f64;
        let valid_exact = mean(&exact(model, valid, 1)?);
        let valid_token = token_accuracy(model, valid)?;
        say(&format!(
            "{} epoch {epoch:>3}: loss {loss:.4}  valid exact {:.2}%  token {:.2}%",
            opts.label,
            100.0 * valid_exact,
            100.0 * valid_token
        ));
        history.push(EpochStats {
            epoch,
            loss,
            valid_exact,
            valid_token,
        });
    }
    Ok(history)
}

const CHUNK: usize = 256;

/// Whether each example is decoded exactly (beam `width`, 1 = greedy).
pub fn exact(model: &Seq2Seq, data: &Encoded, width: usize) -> anyhow::Result<Vec<bool>> {
    let mut out = Vec::with_capacity(data.sources.len());
    for (src, tgt) in data.sources.chunks(CHUNK).zip(data.targets.chunks(CHUNK)) {
        let hyps = model.decode(src, width).context("decoding")?;
        out.extend(hyps.iter().zip(tgt).map(|(h, t)| &h.tokens == t));
    }
    Ok(out)
}

/// Teacher-forced token accuracy (incl. `<end>`).
pub fn token_accuracy(model: &Seq2Seq, data: &Encoded) -> anyhow::Result<f64> {
    let (mut right, mut all) = (0usize, 0usize);
    for (src, tgt) in data.sources.chunks(CHUNK).zip(data.targets.chunks(CHUNK)) {
        let mut tape = Tape::inference(&model.params);
        let (_, r, n) = model.loss(&mut tape, src, tgt)?;
        right += r;
        all += n;
    }
    Ok(right as f64 / all.max(1) as f64)
}

/// Fraction of `true`.
#[must_use]
pub fn mean(v: &[bool]) -> f64 {
    v.iter().filter(|&&b| b).count() as f64 / v.len().max(1) as f64
}

/// Accuracy by source length: `length → (correct, count)`.
#[must_use]
pub fn by_length(data: &Encoded, right: &[bool]) -> BTreeMap<usize, (usize, usize)> {
    let mut m = BTreeMap::new();
    for (s, &ok) in data.sources.iter().zip(right) {
        let e = m.entry(s.len()).or_insert((0, 0));
        e.0 += usize::from(ok);
        e.1 += 1;
    }
    m
}
