//! One training batch of [`Sequential::fit`](crate::Sequential::fit): its rows cut into shards
//! that run forward and backward in parallel on the rayon pool, their losses, metric sums and
//! gradients combined weighted by shard size.
//!
//! The cut depends only on the batch and the pool size, and the shards are combined in a fixed
//! order, so a run repeats bit for bit for a given pool size; a batch that is not cut (one
//! thread) takes exactly the whole-batch step.

use ndarray::ArrayD;
use rayon::prelude::*;

use crate::Result;
use crate::layers::Layer;
use crate::params::{Grads, Params};
use crate::tape::Tape;
use crate::train::{Loss, MIN_SHARD_ROWS, Metric, apply_loss, rows};

/// What one batch gave: its loss, what the epoch totals need, and its gradients.
pub(crate) struct BatchResult {
    /// The batch's mean loss (as the whole-batch loss op reports it).
    pub(crate) loss: f32,
    /// The loss times the row count, summed over shards (for the epoch's mean).
    pub(crate) loss_sum: f64,
    /// Per metric: the sum over the batch and the count it is divided by.
    pub(crate) metrics: Vec<(f64, usize)>,
    /// Gradients of the mean loss (empty when the loss is not finite: backward is skipped).
    pub(crate) grads: Grads,
}

/// How many shards a batch of `rows` rows is cut into: one per thread of the current rayon pool
/// ([`tensor::threads::available`]), each of at least [`MIN_SHARD_ROWS`] rows and `min_work`
/// multiply-adds (at `work_per_row` each; `min_work` 0: no work limit), at least one.
pub(crate) fn shard_count(rows: usize, work_per_row: usize, min_work: usize) -> usize {
    let by_work = rows
        .saturating_mul(work_per_row)
        .checked_div(min_work)
        .unwrap_or(usize::MAX);
    tensor::threads::available()
        .min(rows / MIN_SHARD_ROWS)
        .min(by_work)
        .max(1)
}

/// Multiply-adds of one row's forward pass, roughly: its time steps (axis 1 of a sequence
/// input, else 1) times the model's weights.
fn work_per_row(x: &ArrayD<f32>, params: &Params) -> usize {
    let steps = if x.ndim() >= 3 { x.shape()[1] } else { 1 };
    steps.saturating_mul(params.count().0)
}

struct ShardResult {
    loss: f32,
    rows: usize,
    metrics: Vec<(f64, usize)>,
    grads: Grads,
}

/// Forward, loss, metrics and (for a finite loss) backward of the rows `idx` on their own tape.
fn shard_pass(
    layers: &[Box<dyn Layer>],
    params: &Params,
    loss: Loss,
    metrics: &[Metric],
    x: &ArrayD<f32>,
    y: &ArrayD<f32>,
    idx: &[usize],
) -> Result<ShardResult> {
    let (xb, yb) = (rows(x, idx), rows(y, idx));
    let mut tape = Tape::new(params);
    let xv = tape.constant(xb);
    let out = layers.iter().try_fold(xv, |v, l| l.forward(&mut tape, v))?;
    let metrics = metrics
        .iter()
        .map(|m| m.batch_sum(tape.value(out), &yb))
        .collect();
    let loss_var = apply_loss(&mut tape, loss, out, yb)?;
    let loss = tape
        .value(loss_var)
        .iter()
        .next()
        .copied()
        .unwrap_or(f32::NAN);
    let grads = if loss.is_finite() {
        tape.backward(loss_var)?
    } else {
        Grads::default()
    };
    Ok(ShardResult {
        loss,
        rows: idx.len(),
        metrics,
        grads,
    })
}

/// Run one batch (the rows `idx` of `x` and `y`), cut into [`shard_count`] shards of at least
/// `min_shard_work` multiply-adds.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_batch(
    layers: &[Box<dyn Layer>],
    params: &Params,
    loss: Loss,
    metrics: &[Metric],
    x: &ArrayD<f32>,
    y: &ArrayD<f32>,
    idx: &[usize],
    min_shard_work: usize,
) -> Result<BatchResult> {
    let shards = shard_count(idx.len(), work_per_row(x, params), min_shard_work);
    let pass = |part: &[usize]| shard_pass(layers, params, loss, metrics, x, y, part);
    if shards == 1 {
        let r = pass(idx)?;
        return Ok(BatchResult {
            loss: r.loss,
            loss_sum: f64::from(r.loss) * r.rows as f64,
            metrics: r.metrics,
            grads: r.grads,
        });
    }
    let per = idx.len().div_ceil(shards);
    let parts: Vec<&[usize]> = idx.chunks(per).collect();
    // Each shard has a thread of its own: nothing inside it splits again (more busy threads
    // than cores measured slower).
    let results: Vec<Result<ShardResult>> = parts
        .par_iter()
        .map(|p| tensor::threads::serial(|| pass(p)))
        .collect();
    let total = idx.len() as f32;
    let mut out = BatchResult {
        loss: 0.0,
        loss_sum: 0.0,
        metrics: vec![(0.0, 0); metrics.len()],
        grads: Grads::default(),
    };
    let mut parts = Vec::with_capacity(results.len());
    for r in results {
        let r = r?;
        let weight = r.rows as f32 / total;
        out.loss += r.loss * weight;
        out.loss_sum += f64::from(r.loss) * r.rows as f64;
        for (acc, (s, c)) in out.metrics.iter_mut().zip(r.metrics) {
            acc.0 += s;
            acc.1 += c;
        }
        parts.push((r.grads, weight));
    }
    out.grads = Grads::weighted_sum(parts);
    Ok(out)
}
