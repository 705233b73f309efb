//! Weight initialisers as Keras and PyTorch define them.
//!
//! - [`glorot_uniform`]: Keras' default kernel initialiser, `U(±√(6/(fan_in+fan_out)))` with Keras'
//!   fan rule for a 2-D shape `(rows, cols)`: `fan_in = rows`, `fan_out = cols`. A recurrent layer's
//!   input kernel `(in, 4u)` therefore has `fan_out = 4u`.
//! - [`orthogonal`]: Keras' recurrent-kernel default (PyTorch's `nn.init.orthogonal_` is the same
//!   construction): QR of a standard-normal matrix of shape `(max, min)`, with `Q`'s columns
//!   sign-corrected so that `R` has a positive diagonal, transposed when `rows < cols`.
//! - [`uniform`]: PyTorch's recurrent default `U(±1/√hidden)` (pass `limit = 1/√hidden`).
//! - [`zeros`], [`ones`].

use ndarray::Array2;
use rand::Rng;

use crate::rng::{standard_normal, uniform_symmetric};
use crate::{Error, Result};

/// Keras `glorot_uniform` for a `(rows, cols)` kernel.
pub fn glorot_uniform<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize) -> Array2<f32> {
    let limit = (6.0 / (rows + cols).max(1) as f64).sqrt() as f32;
    uniform(rng, rows, cols, limit)
}

/// `U(-limit, limit)` for a `(rows, cols)` matrix, drawn row-major.
pub fn uniform<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize, limit: f32) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, cols), || uniform_symmetric(rng, limit))
}

/// A `(rows, cols)` matrix of zeros.
#[must_use]
pub fn zeros(rows: usize, cols: usize) -> Array2<f32> {
    Array2::zeros((rows, cols))
}

/// A `(rows, cols)` matrix of ones.
#[must_use]
pub fn ones(rows: usize, cols: usize) -> Array2<f32> {
    Array2::ones((rows, cols))
}

/// An orthogonal `(rows, cols)` matrix with `gain` (Keras `Orthogonal(gain)`).
///
/// The columns (when `rows >= cols`) or rows (otherwise) are orthonormal.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty shape.
pub fn orthogonal<R: Rng + ?Sized>(
    rng: &mut R,
    rows: usize,
    cols: usize,
    gain: f32,
) -> Result<Array2<f32>> {
    if rows == 0 || cols == 0 {
        return Err(Error::InvalidArgument {
            what: "orthogonal",
            message: format!("shape ({rows}, {cols}) is empty"),
        });
    }
    let (m, n) = (rows.max(cols), rows.min(cols));
    let a: Vec<f64> = (0..m * n).map(|_| standard_normal(rng)).collect();
    // Columns of the row-major (m, n) draw, each stored contiguously for the orthogonalisation.
    let mut columns: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..m).map(|i| a[i * n + j]).collect())
        .collect();
    gram_schmidt(&mut columns);
    let q = Array2::from_shape_fn((m, n), |(i, j)| (columns[j][i] * f64::from(gain)) as f32);
    Ok(if rows < cols {
        q.reversed_axes().as_standard_layout().to_owned()
    } else {
        q
    })
}

/// Orthonormalise vectors in place (modified Gram–Schmidt, applied twice for accuracy). For the
/// columns of a matrix the result equals `Q` of a QR decomposition whose `R` has a positive
/// diagonal — exactly the sign correction Keras and PyTorch apply.
fn gram_schmidt(columns: &mut [Vec<f64>]) {
    for j in 0..columns.len() {
        let (done, rest) = columns.split_at_mut(j);
        let v = &mut rest[0];
        for _pass in 0..2 {
            for q in done.iter() {
                let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                for (a, b) in v.iter_mut().zip(q) {
                    *a -= dot * b;
                }
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        for a in v.iter_mut() {
            *a *= inv;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded_rng;

    #[test]
    fn glorot_uses_keras_fan_rule() {
        let mut r = seeded_rng(0);
        let w = glorot_uniform(&mut r, 1, 128);
        let limit = (6.0f32 / 129.0).sqrt();
        assert!(w.iter().all(|v| v.abs() <= limit));
        assert!(w.iter().any(|v| v.abs() > 0.9 * limit));
    }

    #[test]
    fn orthogonal_is_orthogonal_both_ways() {
        let mut r = seeded_rng(3);
        for (rows, cols) in [(32, 128), (128, 32), (16, 16)] {
            let q = orthogonal(&mut r, rows, cols, 1.0).unwrap();
            assert_eq!(q.dim(), (rows, cols));
            let g = if rows < cols {
                q.dot(&q.t())
            } else {
                q.t().dot(&q)
            };
            for ((i, j), v) in g.indexed_iter() {
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((v - e).abs() < 1e-5, "({i},{j}) = {v}");
            }
        }
    }

    #[test]
    fn orthogonal_rejects_empty() {
        let mut r = seeded_rng(3);
        assert!(orthogonal(&mut r, 0, 3, 1.0).is_err());
    }

    #[test]
    fn uniform_limit_and_constants() {
        let mut r = seeded_rng(4);
        let w = uniform(&mut r, 8, 8, 0.125);
        assert!(w.iter().all(|v| v.abs() <= 0.125));
        assert_eq!(zeros(2, 2).sum(), 0.0);
        assert_eq!(ones(2, 3).sum(), 6.0);
    }
}
