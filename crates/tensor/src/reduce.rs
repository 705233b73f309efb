//! Reductions used by the autograd: sum a broadcast gradient back to an operand's shape.

use ndarray::{ArrayD, Axis, IxDyn};

use crate::activation::with_widest_simd;
use crate::{Error, Result};

/// The numpy broadcast shape of `a` and `b` (right-aligned, size-1 axes stretch).
///
/// # Errors
/// [`Error::ShapeMismatch`] when an axis differs and neither side is 1.
pub fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::ShapeMismatch {
                op,
                left: a.to_vec(),
                right: b.to_vec(),
            });
        };
    }
    Ok(out)
}

/// Sum `grad` (of a broadcast result) over the axes that were stretched so it gets `shape`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `shape` does not broadcast to `grad`'s shape.
pub fn sum_to_shape(grad: &ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    if grad.shape() == shape {
        return Ok(grad.clone());
    }
    sum_stretched_axes(grad, shape)
}

/// [`sum_to_shape`] of a gradient the caller no longer needs: returned as it is (no copy) when
/// it already has `shape`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `shape` does not broadcast to `grad`'s shape.
pub fn sum_to_shape_owned(grad: ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    if grad.shape() == shape {
        return Ok(grad);
    }
    sum_stretched_axes(&grad, shape)
}

fn sum_stretched_axes(grad: &ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    let mismatch = || Error::ShapeMismatch {
        op: "sum_to_shape",
        left: grad.shape().to_vec(),
        right: shape.to_vec(),
    };
    if shape.len() > grad.ndim() {
        return Err(mismatch());
    }
    let lead = grad.ndim() - shape.len();
    let mut g = grad.clone();
    for _ in 0..lead {
        g = g.sum_axis(Axis(0));
    }
    for (i, &s) in shape.iter().enumerate() {
        if s == 1 && g.shape()[i] != 1 {
            g = g.sum_axis(Axis(i)).insert_axis(Axis(i));
        } else if g.shape()[i] != s {
            return Err(mismatch());
        }
    }
    g.into_shape_with_order(IxDyn(shape))
        .map_err(|_| mismatch())
}

/// The sums of the columns of the row-major matrix `data` with `cols` columns (e.g. the gradient
/// of a bias broadcast over rows). Rows are added in order, vectorised across columns, so the
/// bits do not depend on the instruction set. An empty result when `cols` is 0.
#[must_use]
pub fn column_sums(data: &[f32], cols: usize) -> Vec<f32> {
    let mut acc = vec![0.0f32; cols];
    if cols == 0 {
        return acc;
    }
    with_widest_simd(
        #[inline(always)]
        || {
            for row in data.chunks_exact(cols) {
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += v;
                }
            }
        },
    );
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_shapes_like_numpy() {
        assert_eq!(
            broadcast_shape("t", &[4, 1, 3], &[5, 1]).unwrap(),
            vec![4, 5, 3]
        );
        assert_eq!(broadcast_shape("t", &[3], &[2, 3]).unwrap(), vec![2, 3]);
        assert!(broadcast_shape("t", &[2, 3], &[3, 2]).is_err());
    }

    #[test]
    fn sum_to_shape_reduces_stretched_axes() {
        let g = ArrayD::from_elem(IxDyn(&[2, 3, 4]), 1.0f32);
        let s = sum_to_shape(&g, &[3, 1]).unwrap();
        assert_eq!(s.shape(), &[3, 1]);
        assert!(s.iter().all(|&v| v == 8.0));
        assert_eq!(sum_to_shape(&g, &[4]).unwrap().shape(), &[4]);
        assert!(sum_to_shape(&g, &[5]).is_err());
    }

    #[test]
    fn column_sums_add_every_row() {
        let m =
            ndarray::Array2::from_shape_fn((37, 19), |(i, j)| (i * 19 + j) as f32 * 0.25 - 40.0);
        let want = m.sum_axis(Axis(0));
        let got = column_sums(m.as_slice().unwrap(), 19);
        assert_eq!(got.len(), 19);
        for (a, b) in got.iter().zip(want.iter()) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert_eq!(column_sums(&[], 3), vec![0.0; 3]);
        assert!(column_sums(&[1.0], 0).is_empty());
    }
}
