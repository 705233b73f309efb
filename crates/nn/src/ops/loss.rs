//! Losses as tape ops. Each returns a scalar [`Var`] averaged over all elements (MSE, MAE) or
//! over all rows (cross-entropy), as Keras and PyTorch do by default.

use ndarray::ArrayD;
use tensor::softmax::{exp_shifted_into, log_sum_exp};

use crate::error::shape_err;
use crate::params::scalar;
use crate::tape::{Op, Tape, Var};
use crate::{Error, Result};

impl Tape<'_> {
    fn check_target(&self, op: &str, pred: Var, target: &ArrayD<f32>) -> Result<()> {
        if self.shape(pred) == target.shape() {
            Ok(())
        } else {
            Err(shape_err(
                format!("{op} (prediction vs target)"),
                self.shape(pred),
                target.shape(),
            ))
        }
    }

    /// Mean squared error between `pred` and a constant `target` of the same shape.
    ///
    /// # Errors
    /// [`Error::Shape`] when the shapes differ.
    pub fn mse(&mut self, pred: Var, target: ArrayD<f32>) -> Result<Var> {
        self.check_target("mse", pred, &target)?;
        let p = self.value(pred);
        let n = p.len().max(1) as f64;
        let s: f64 = p
            .iter()
            .zip(target.iter())
            .map(|(&a, &b)| f64::from(a - b).powi(2))
            .sum();
        let out = scalar((s / n) as f32);
        Ok(self.push(out, Op::Mse { pred, target }, &[pred]))
    }

    /// Mean absolute error between `pred` and a constant `target` of the same shape.
    ///
    /// # Errors
    /// [`Error::Shape`] when the shapes differ.
    pub fn mae(&mut self, pred: Var, target: ArrayD<f32>) -> Result<Var> {
        self.check_target("mae", pred, &target)?;
        let p = self.value(pred);
        let n = p.len().max(1) as f64;
        let s: f64 = p
            .iter()
            .zip(target.iter())
            .map(|(&a, &b)| f64::from((a - b).abs()))
            .sum();
        let out = scalar((s / n) as f32);
        Ok(self.push(out, Op::Mae { pred, target }, &[pred]))
    }

    /// Cross-entropy of `logits: (..., classes)` against integer class `targets` (one per row of
    /// the flattened leading axes), averaged over rows — Keras
    /// `SparseCategoricalCrossentropy(from_logits=True)` and PyTorch `CrossEntropyLoss`.
    ///
    /// Fused log-softmax and loss: each row of logits is read twice (its maximum, then
    /// `Σ e^(x - max)`, vectorised) and nothing of the logits' size is written; the row's
    /// log-sum-exp is kept for the backward pass, which writes the gradient
    /// `(softmax - one_hot) / rows` in one pass over the logits.
    ///
    /// # Errors
    /// [`Error::Shape`] when the number of targets differs from the number of rows;
    /// [`Error::Invalid`] for a class index out of range.
    pub fn cross_entropy(&mut self, logits: Var, targets: &[usize]) -> Result<Var> {
        let l = self.value(logits);
        let classes = *l.shape().last().unwrap_or(&0);
        let rows = l.len().checked_div(classes).unwrap_or(0);
        if rows != targets.len() {
            return Err(shape_err(
                "cross_entropy (logit rows vs targets)",
                l.shape(),
                &[targets.len()],
            ));
        }
        if let Some(&bad) = targets.iter().find(|&&t| t >= classes) {
            return Err(Error::Invalid(format!(
                "cross_entropy: class {bad} out of range for {classes} classes"
            )));
        }
        let flat = contiguous(l)?;
        let mut lse = Vec::with_capacity(rows);
        let mut nats = 0.0f64;
        if classes > 0 {
            for (row, &t) in flat.chunks_exact(classes).zip(targets) {
                let z = log_sum_exp(row);
                lse.push(z);
                // -log softmax(x)_t = lse - x_t; a NaN logit makes lse NaN, so the loss stays NaN.
                nats += f64::from(z) - f64::from(row[t]);
            }
        }
        let out = scalar((nats / rows.max(1) as f64) as f32);
        Ok(self.push(
            out,
            Op::CrossEntropy {
                logits,
                targets: targets.to_vec(),
                log_sum_exp: lse,
            },
            &[logits],
        ))
    }
}

fn contiguous(a: &ArrayD<f32>) -> Result<&[f32]> {
    a.as_slice()
        .ok_or_else(|| Error::Invalid(format!("array of shape {:?} is not contiguous", a.shape())))
}

/// The gradient of [`Tape::cross_entropy`] with respect to its logits, times `upstream` (the
/// gradient of the loss): `upstream · (e^(x - lse) - one_hot(target)) / rows`, written in one
/// pass over the logits (no copy of them, no second pass).
pub(crate) fn cross_entropy_grad(
    logits: &ArrayD<f32>,
    targets: &[usize],
    log_sum_exp: &[f32],
    upstream: f32,
) -> Result<ArrayD<f32>> {
    let scale = upstream / targets.len().max(1) as f32;
    let flat = contiguous(logits)?;
    let classes = *logits.shape().last().unwrap_or(&0);
    let mut d = Vec::with_capacity(flat.len());
    if classes > 0 {
        for ((row, &z), &t) in flat.chunks_exact(classes).zip(log_sum_exp).zip(targets) {
            let start = d.len();
            exp_shifted_into(row, z, scale, &mut d);
            d[start + t] -= scale;
        }
    }
    ArrayD::from_shape_vec(logits.raw_dim(), d).map_err(|e| Error::Invalid(e.to_string()))
}
