//! The backward rule of every op: given the gradient of a node's output, add the gradients of
//! its inputs into the tape's gradient slots.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use tensor::activation::{relu_grad_from_output, sigmoid_grad_from_output, tanh_grad_from_output};
use tensor::reduce::sum_to_shape;

use super::basic::{affine_backward, as_2d, product_backward};
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
            for (v, d) in product_backward(tape, (*a, *b), transposed, &g)? {
                give(tape, grads, v, d);
            }
        }
        Op::Add(a, b) => {
            if tape.needs_grad(*a) {
                give(tape, grads, *a, sum_to_shape(&g, tape.shape(*a))?);
            }
            if tape.needs_grad(*b) {
                give(tape, grads, *b, sum_to_shape(&g, tape.shape(*b))?);
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
                    sum_to_shape(&g.mapv(|v| -v), tape.shape(*b))?,
                );
            }
        }
        Op::Mul(a, b) => {
            if tape.needs_grad(*a) {
                give(
                    tape,
                    grads,
                    *a,
                    sum_to_shape(&(&g * tape.value(*b)), tape.shape(*a))?,
                );
            }
            if tape.needs_grad(*b) {
                give(
                    tape,
                    grads,
                    *b,
                    sum_to_shape(&(&g * tape.value(*a)), tape.shape(*b))?,
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
            let shape = tape.shape(*table);
            let dim = shape[1];
            let mut d = ndarray::Array2::<f32>::zeros((shape[0], dim));
            let g2 = as_2d(&g)?;
            for (r, &ix) in indices.iter().enumerate() {
                let mut row = d.row_mut(ix);
                row += &g2.row(r);
            }
            give(tape, grads, *table, d.into_dyn());
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
            for (v, d) in affine_backward(tape, (*x, *w, *b), *transposed, &g)? {
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
