//! Reductions used by the autograd: sum a broadcast gradient back to an operand's shape.

use ndarray::{ArrayD, Axis, IxDyn};

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
}
