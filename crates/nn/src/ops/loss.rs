//! Losses as tape ops. Each returns a scalar [`Var`] averaged over all elements (MSE, MAE) or
//! over all rows (cross-entropy), as Keras and PyTorch do by default.

use ndarray::ArrayD;
use tensor::softmax::{
    exp_shifted_rows, log_sum_exp_rows, softmax_cross_entropy_rows,
    softmax_cross_entropy_rows_and_column_sums,
};

use super::basic::{as_2d, kernel_2d};

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
        check_targets(
            "cross_entropy (logit rows vs targets)",
            l.shape(),
            rows,
            targets,
            classes,
        )?;
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

    /// The mean cross-entropy of the logits `x · w + b` against integer class `targets` (one per
    /// row of `x`'s flattened leading axes), without keeping the logits: what [`Tape::affine`]
    /// (or [`Tape::matmul`] without a bias) followed by [`Tape::cross_entropy`] computes, with the
    /// same gradients. `x` is `(..., k)`; `w` is `(k, classes)`, or `(classes, k)` read transposed
    /// when `transposed` (a tied output layer's embedding table); `b` is `(classes)`.
    ///
    /// Fewer passes over the `(rows, classes)` logits, which for a vocabulary-sized output are the
    /// largest arrays of a training step: the product is written once (no bias copied in first),
    /// and each row, while in cache, becomes its loss and `softmax − one_hot` in place
    /// ([`tensor::softmax::softmax_cross_entropy_rows`]); the backward pass multiplies that into
    /// the gradients of `x`, `w` and `b`, with the factor `upstream / rows` folded into the
    /// products. The separate ops read the logits twice for the loss and write a gradient array of
    /// their size in the backward pass.
    ///
    /// # Errors
    /// [`Error::Shape`] when `w` is not 2-D, the inner dimensions differ, `b` is not `(classes)`
    /// or the number of targets differs from the number of rows; [`Error::Invalid`] for a class
    /// index out of range.
    pub fn affine_cross_entropy(
        &mut self,
        x: Var,
        w: Var,
        b: Option<Var>,
        transposed: bool,
        targets: &[usize],
    ) -> Result<Var> {
        let (xv, wv) = (self.value(x), self.value(w));
        let w2 = kernel_2d(
            "affine_cross_entropy (input vs kernel)",
            xv.shape(),
            wv,
            transposed,
        )?;
        let classes = w2.ncols();
        let bias = match b {
            Some(b) => {
                let bv = self.value(b);
                if bv.shape() != [classes] {
                    return Err(shape_err(
                        "affine_cross_entropy (kernel vs bias)",
                        wv.shape(),
                        bv.shape(),
                    ));
                }
                Some(contiguous(bv)?)
            }
            None => None,
        };
        let x2 = as_2d(xv)?;
        check_targets(
            "affine_cross_entropy (input rows vs targets)",
            xv.shape(),
            x2.nrows(),
            targets,
            classes,
        )?;
        let mut grad = tensor::linalg::matmul(&x2, &w2)?;
        let flat = grad
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("affine_cross_entropy: logits not contiguous".into()))?;
        let inputs: Vec<Var> = [x, w].into_iter().chain(b).collect();
        // An inference tape (or inputs that need no gradient) asks for the loss alone; a bias
        // that needs a gradient gets its column sums while the rows are written.
        let gradient = self.any_needs_grad(&inputs);
        let (losses, bias_sums) = match b.filter(|&b| gradient && self.needs_grad(b)) {
            Some(_) => {
                let (losses, sums) =
                    softmax_cross_entropy_rows_and_column_sums(flat, classes, bias, targets)?;
                (losses, Some(sums))
            }
            None => (
                softmax_cross_entropy_rows(flat, classes, bias, targets, gradient)?,
                None,
            ),
        };
        let nats: f64 = losses.iter().map(|&l| f64::from(l)).sum();
        let out = scalar((nats / targets.len().max(1) as f64) as f32);
        Ok(self.push(
            out,
            Op::AffineCrossEntropy {
                x,
                w,
                b,
                transposed,
                grad: grad.into_dyn(),
                bias_sums,
            },
            &inputs,
        ))
    }
}

/// [`Error::Shape`] naming `op` when there is not one target per row (`rows` rows of an input
/// of `shape`); [`Error::Invalid`] naming the op for a class outside `0..classes`.
fn check_targets(
    op: &str,
    shape: &[usize],
    rows: usize,
    targets: &[usize],
    classes: usize,
) -> Result<()> {
    if rows != targets.len() {
        return Err(shape_err(op, shape, &[targets.len()]));
    }
    if let Some(&bad) = targets.iter().find(|&&t| t >= classes) {
        let name = op.split(' ').next().unwrap_or(op);
        return Err(Error::Invalid(format!(
            "{name}: class {bad} out of range for {classes} classes"
        )));
    }
    Ok(())
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
