//! Losses as tape ops. Each returns a scalar [`Var`] averaged over all elements (MSE, MAE) or
//! over all rows (cross-entropy), as Keras and PyTorch do by default.

use ndarray::ArrayD;
use tensor::softmax::{exp_shifted_rows, log_sum_exp_rows};

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
        // Split by rows over the pool when large; the rows' losses are added in order after.
        let lse = log_sum_exp_rows(flat, classes);
        let mut nats = 0.0f64;
        for (r, (&z, &t)) in lse.iter().zip(targets).enumerate() {
            // -log softmax(x)_t = lse - x_t; a NaN logit makes lse NaN, so the loss stays NaN.
            nats += f64::from(z) - f64::from(flat[r * classes + t]);
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
    // One pass (split over the pool when large), then the targets' entries.
    let mut d = exp_shifted_rows(flat, classes, log_sum_exp, scale);
    for (r, &t) in targets.iter().enumerate().take(log_sum_exp.len()) {
        d[r * classes + t] -= scale;
    }
    ArrayD::from_shape_vec(logits.raw_dim(), d).map_err(|e| Error::Invalid(e.to_string()))
}
