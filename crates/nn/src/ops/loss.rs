//! Losses as tape ops. Each returns a scalar [`Var`] averaged over all elements (MSE, MAE) or
//! over all rows (cross-entropy), as Keras and PyTorch do by default.

use ndarray::{ArrayD, Axis};
use tensor::softmax::softmax_last_axis_inplace;

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
        let mut probs = l
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((rows, classes))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        softmax_last_axis_inplace(&mut probs);
        let mut s = 0.0f64;
        for (row, &t) in probs.axis_iter(Axis(0)).zip(targets) {
            // `f32::max` would turn a NaN probability into MIN_POSITIVE (a finite loss): keep the NaN.
            let p = row[t];
            s -= if p.is_nan() {
                f64::NAN
            } else {
                f64::from(p.max(f32::MIN_POSITIVE)).ln()
            };
        }
        // Recompute the loss from log-softmax for accuracy when a probability underflows.
        let loss = if s.is_finite() {
            s
        } else {
            log_softmax_loss(l, targets, classes)
        };
        let out = scalar((loss / rows.max(1) as f64) as f32);
        let probs = probs.into_dyn();
        Ok(self.push(
            out,
            Op::CrossEntropy {
                logits,
                targets: targets.to_vec(),
                probs,
            },
            &[logits],
        ))
    }
}

fn log_softmax_loss(l: &ArrayD<f32>, targets: &[usize], classes: usize) -> f64 {
    let mut s = 0.0f64;
    for (r, &t) in targets.iter().enumerate() {
        let row: Vec<f64> = l
            .iter()
            .skip(r * classes)
            .take(classes)
            .map(|&v| f64::from(v))
            .collect();
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
        s += lse - row[t];
    }
    s
}
