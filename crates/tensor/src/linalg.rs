//! Matrix products on ndarray's `general_mat_mul` (the matrixmultiply backend).
//!
//! ndarray's `matrixmultiply-threading` feature is deliberately *not* enabled: the recurrent
//! kernels multiply small matrices (batch × hidden) once per time step, where spawning threads
//! costs more than it saves, and a single-threaded product gives the same bits on every run.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul};

use crate::{Error, Result};

/// `a · b` for `a: (m, k)` and `b: (k, n)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the inner dimensions differ.
pub fn matmul(a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Result<Array2<f32>> {
    check_inner("matmul", a, b)?;
    let mut out = Array2::zeros((a.nrows(), b.ncols()));
    general_mat_mul(1.0, a, b, 0.0, &mut out);
    Ok(out)
}

/// `out = alpha · a · b + beta · out`, the in-place form used by the hot loops.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `a`, `b` and `out` do not fit together.
pub fn matmul_into(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
) -> Result<()> {
    check_inner("matmul_into", a, b)?;
    if out.dim() != (a.nrows(), b.ncols()) {
        return Err(Error::ShapeMismatch {
            op: "matmul_into (output)",
            left: vec![a.nrows(), b.ncols()],
            right: out.shape().to_vec(),
        });
    }
    general_mat_mul(alpha, a, b, beta, out);
    Ok(())
}

fn check_inner(op: &'static str, a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Result<()> {
    if a.ncols() == b.nrows() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            op,
            left: a.shape().to_vec(),
            right: b.shape().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn matmul_matches_hand_computation() {
        let a = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let b = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let c = matmul(&a.view(), &b.view()).unwrap();
        assert_eq!(c, array![[4.0, 5.0], [10.0, 11.0]]);
    }

    #[test]
    fn transposed_views_work() {
        let a = array![[1.0f32, 2.0], [3.0, 4.0]];
        let c = matmul(&a.t(), &a.view()).unwrap();
        assert_eq!(c, array![[10.0, 14.0], [14.0, 20.0]]);
    }

    #[test]
    fn mismatch_names_both_shapes() {
        let a = Array2::<f32>::zeros((2, 3));
        let err = matmul(&a.view(), &a.view()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul: shapes [2, 3] and [2, 3] do not fit"
        );
    }

    #[test]
    fn matmul_into_accumulates() {
        let a = array![[1.0f32, 2.0]];
        let b = array![[3.0f32], [4.0]];
        let mut out = array![[1.0f32]];
        matmul_into(2.0, &a.view(), &b.view(), 1.0, &mut out.view_mut()).unwrap();
        assert_eq!(out[[0, 0]], 23.0);
    }
}
