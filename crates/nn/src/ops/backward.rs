//! The backward rule of every op: given the gradient of a node's output, add the gradients of
//! its inputs into the tape's gradient slots.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use tensor::activation::{relu_grad_from_output, sigmoid_grad_from_output, tanh_grad_from_output};
use tensor::reduce::{sum_to_shape, sum_to_shape_owned};

use super::basic::{affine_backward, product_backward};
use super::loss::cross_entropy_grad;
use super::recurrent::{gru_backward, lstm_backward, rnn_backward};
use crate::tape::{Op, Tape, Var, accumulate};
use crate::{Error, Result};

type Slots = [Option<ArrayD<f32>>];

fn give(tape: &Tape<'_>, grads: &mut Slots, v: Var, g: ArrayD<f32>) {
    if tape.needs_grad(v) {
        accumulate(grads, v, g);
    }
}

fn reshape(a: ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    a.into_shape_with_order(IxDyn(shape))
        .map_err(|e| Error::Invalid(format!("internal layout: {e}")))
}

/// Add the gradient of an embedding lookup (`Tape::gather`) into the table's gradient `acc`
/// (zeros of `table_shape` first when it is `None`): row `r` of `g` goes to row `indices[r]`.
///
/// Only the looked-up rows are touched. The rows of one index are summed first, in the order they
/// were looked up, and that sum is added to `acc`, so the result has the bits of the dense
/// formulation (a zero table with every row added in order, then added to `acc`) without the
/// table-sized zeros and the table-sized sum.
pub(crate) fn gather_backward_into(
    acc: &mut Option<ArrayD<f32>>,
    table_shape: &[usize],
    indices: &[usize],
    g: &ArrayD<f32>,
) -> Result<()> {
    let acc = acc.get_or_insert_with(|| ArrayD::zeros(IxDyn(table_shape)));
    let dim = table_shape.get(1).copied().unwrap_or(0);
    let (Some(table), Some(rows)) = (acc.as_slice_mut(), g.as_slice()) else {
        return Err(Error::Invalid("gather: gradient is not contiguous".into()));
    };
    if dim == 0 {
        return Ok(());
    }
    let mut order: Vec<(usize, usize)> = indices.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let mut sum = vec![0.0f32; dim];
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let ix = group[0].0;
        sum.fill(0.0);
        for &(_, r) in group {
            for (s, &v) in sum.iter_mut().zip(&rows[r * dim..(r + 1) * dim]) {
                *s += v;
            }
        }
        for (t, &s) in table[ix * dim..(ix + 1) * dim].iter_mut().zip(&sum) {
            *t += s;
        }
    }
    Ok(())
}

/// Run the backward rule of node `i` with output gradient `g`.
pub(crate) fn backward_node(
    tape: &Tape<'_>,
    i: usize,
    g: ArrayD<f32>,
    aux: Option<ArrayD<f32>>,
    grads: &mut Slots,
) -> Result<()> {
    let out = || tape.value(Var(i));
    match &tape.nodes[i].op {
        Op::Constant | Op::Param(_) | Op::Variable | Op::NoGrad | Op::Aux { .. } => {}
        Op::MatMul(a, b) | Op::MatMulT(a, b) => {
            let transposed = matches!(tape.nodes[i].op, Op::MatMulT(..));
            for (v, d) in product_backward(tape, (*a, *b), transposed, &g, 1.0)? {
                give(tape, grads, v, d);
            }
        }
        Op::Add(a, b) => {
            // The gradient itself goes to the last operand that needs it (no copy).
            match (tape.needs_grad(*a), tape.needs_grad(*b)) {
                (true, true) => {
                    give(tape, grads, *a, sum_to_shape(&g, tape.shape(*a))?);
                    give(tape, grads, *b, sum_to_shape_owned(g, tape.shape(*b))?);
                }
                (true, false) => give(tape, grads, *a, sum_to_shape_owned(g, tape.shape(*a))?),
                (false, true) => give(tape, grads, *b, sum_to_shape_owned(g, tape.shape(*b))?),
                (false, false) => {}
            }
        }
        Op::Sub(a, b) => {
            if tape.needs_grad(*a) {
                give(tape, grads, *a, sum_to_shape(&g, tape.shape(*a))?);
            }
            if tape.needs_grad(*b) {
                give(
                    tape,
                    grads,
                    *b,
                    sum_to_shape_owned(g.mapv(|v| -v), tape.shape(*b))?,
                );
            }
        }
        Op::Mul(a, b) => {
            if tape.needs_grad(*a) {
                give(
                    tape,
                    grads,
                    *a,
                    sum_to_shape_owned(&g * tape.value(*b), tape.shape(*a))?,
                );
            }
            if tape.needs_grad(*b) {
                give(
                    tape,
                    grads,
                    *b,
                    sum_to_shape_owned(&g * tape.value(*a), tape.shape(*b))?,
                );
            }
        }
        Op::Scale(a, s) => give(tape, grads, *a, g.mapv(|v| v * s)),
        Op::Sigmoid(a) => {
            let mut g = g;
            g.zip_mut_with(out(), |d, &y| *d *= sigmoid_grad_from_output(y));
            give(tape, grads, *a, g);
        }
        Op::Tanh(a) => {
            let mut g = g;
            g.zip_mut_with(out(), |d, &y| *d *= tanh_grad_from_output(y));
            give(tape, grads, *a, g);
        }
        Op::Relu(a) => {
            let mut g = g;
            g.zip_mut_with(out(), |d, &y| *d *= relu_grad_from_output(y));
            give(tape, grads, *a, g);
        }
        Op::Softmax(a) => {
            // dx = y ⊙ (g − Σ g⊙y) along the last axis.
            let y = out();
            let last = Axis(y.ndim() - 1);
            let dot = (&g * y).sum_axis(last).insert_axis(last);
            give(tape, grads, *a, y * &(&g - &dot));
        }
        Op::LogSoftmax(a) => {
            // dx = g − softmax ⊙ Σ g along the last axis.
            let y = out();
            let last = Axis(y.ndim() - 1);
            let s = g.sum_axis(last).insert_axis(last);
            give(tape, grads, *a, &g - &(y.mapv(f32::exp) * &s));
        }
        Op::Concat(parts, axis) => {
            let mut start = 0;
            for &p in parts {
                let n = tape.shape(p)[*axis];
                if tape.needs_grad(p) {
                    let part = g
                        .slice_axis(Axis(*axis), Slice::from(start..start + n))
                        .as_standard_layout()
                        .into_owned();
                    give(tape, grads, p, part);
                }
                start += n;
            }
        }
        Op::Slice { a, axis, start } => {
            let mut d = ArrayD::zeros(IxDyn(tape.shape(*a)));
            let n = g.shape()[*axis];
            d.slice_axis_mut(Axis(*axis), Slice::from(*start..*start + n))
                .assign(&g);
            give(tape, grads, *a, d);
        }
        Op::Select { a, axis, index } => {
            let mut d = ArrayD::zeros(IxDyn(tape.shape(*a)));
            d.index_axis_mut(Axis(*axis), *index).assign(&g);
            give(tape, grads, *a, d);
        }
        Op::Reshape(a) => give(tape, grads, *a, reshape(g, tape.shape(*a))?),
        Op::Reverse(a, axis) => {
            let d = g
                .slice_axis(Axis(*axis), Slice::new(0, None, -1))
                .as_standard_layout()
                .into_owned();
            give(tape, grads, *a, d);
        }
        Op::Sum(a) => {
            let s = g.iter().next().copied().unwrap_or(0.0);
            give(tape, grads, *a, ArrayD::from_elem(IxDyn(tape.shape(*a)), s));
        }
        Op::Mean(a) => {
            let n = tape.value(*a).len().max(1) as f32;
            let s = g.iter().next().copied().unwrap_or(0.0) / n;
            give(tape, grads, *a, ArrayD::from_elem(IxDyn(tape.shape(*a)), s));
        }
        Op::Gather { table, indices } => {
            let mut d = None;
            gather_backward_into(&mut d, tape.shape(*table), indices, &g)?;
            if let Some(d) = d {
                give(tape, grads, *table, d);
            }
        }
        Op::Dropout { a, mask } => give(tape, grads, *a, g * mask),
        Op::Mse { pred, target } => {
            let p = tape.value(*pred);
            let s = g.iter().next().copied().unwrap_or(0.0) * 2.0 / p.len().max(1) as f32;
            let mut d = p - target;
            d.mapv_inplace(|v| v * s);
            give(tape, grads, *pred, d);
        }
        Op::Mae { pred, target } => {
            let p = tape.value(*pred);
            let s = g.iter().next().copied().unwrap_or(0.0) / p.len().max(1) as f32;
            let mut d = p - target;
            d.mapv_inplace(|v| {
                if v > 0.0 {
                    s
                } else if v < 0.0 {
                    -s
                } else {
                    0.0
                }
            });
            give(tape, grads, *pred, d);
        }
        Op::CrossEntropy {
            logits,
            targets,
            log_sum_exp,
        } => {
            let upstream = g.iter().next().copied().unwrap_or(0.0);
            let d = cross_entropy_grad(tape.value(*logits), targets, log_sum_exp, upstream)?;
            give(tape, grads, *logits, d);
        }
        Op::Affine {
            x,
            w,
            b,
            transposed,
        } => {
            for (v, d) in affine_backward(tape, (*x, *w, Some(*b)), *transposed, &g, 1.0, None)? {
                give(tape, grads, v, d);
            }
        }
        Op::AffineCrossEntropy {
            x,
            w,
            b,
            transposed,
            grad,
            bias_sums,
        } => {
            // The loss is the mean over rows: each row's gradient is `softmax − one_hot` times
            // upstream / rows.
            let upstream = g.iter().next().copied().unwrap_or(0.0);
            let rows = grad.shape().first().copied().unwrap_or(0).max(1);
            let scale = upstream / rows as f32;
            let sums = bias_sums.as_deref();
            for (v, d) in affine_backward(tape, (*x, *w, *b), *transposed, grad, scale, sums)? {
                give(tape, grads, v, d);
            }
        }
        Op::Lstm(k) => {
            for (v, d) in lstm_backward(tape, k, &g, aux)? {
                give(tape, grads, v, d);
            }
        }
        Op::Gru(k) => {
            for (v, d) in gru_backward(tape, k, &g)? {
                give(tape, grads, v, d);
            }
        }
        Op::Rnn(k) => {
            for (v, d) in rnn_backward(tape, k, &g)? {
                give(tape, grads, v, d);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn wave(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let h = (i as u32 ^ seed).wrapping_mul(2_654_435_761) >> 8;
                h as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// The lookup gradient added in place has the bits of the dense formulation (a zero table
    /// with each looked-up row added in order, then added to the existing gradient), with repeated
    /// indices, and is the dense table alone when there was no gradient yet.
    #[test]
    fn gather_gradient_in_place_equals_the_dense_sum() {
        let (vocab, dim) = (11, 7);
        let indices = [3usize, 0, 3, 10, 5, 3, 0, 9];
        let g = ArrayD::from_shape_vec(IxDyn(&[2, 4, dim]), wave(8 * dim, 1)).unwrap();
        let before = ArrayD::from_shape_vec(IxDyn(&[vocab, dim]), wave(vocab * dim, 2)).unwrap();
        let mut dense = ndarray::Array2::<f32>::zeros((vocab, dim));
        let g2 = g.view().into_shape_with_order((8, dim)).unwrap();
        for (r, &ix) in indices.iter().enumerate() {
            let mut row = dense.row_mut(ix);
            row += &g2.row(r);
        }
        let dense = dense.into_dyn();
        let mut acc = Some(before.clone());
        gather_backward_into(&mut acc, &[vocab, dim], &indices, &g).unwrap();
        let want = &before + &dense;
        let got = acc.unwrap();
        assert!(
            got.iter()
                .zip(want.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let mut fresh = None;
        gather_backward_into(&mut fresh, &[vocab, dim], &indices, &g).unwrap();
        assert_eq!(fresh.unwrap(), dense);
    }
}
