//! A two-component PCA by power iteration with deflation, for 2-D word maps.

use crate::error::{Error, Result};

/// Projects `rows` (each of length `dim`) onto their first two principal components, returning `(x, y)` per row.
///
/// The rows are centred; each component is found by power iteration on the covariance (applied as `Xᵀ(X v)`
/// without forming it), the second after deflating the first. Signs are fixed so each component's largest
/// coordinate is positive (deterministic output).
///
/// # Errors
/// [`Error::InvalidQuery`] for fewer than two rows, or rows of differing length.
pub fn pca_2d(rows: &[&[f32]]) -> Result<Vec<(f32, f32)>> {
    let n = rows.len();
    if n < 2 {
        return Err(Error::InvalidQuery(
            "a 2-D projection needs at least two vectors".into(),
        ));
    }
    let dim = rows[0].len();
    if rows.iter().any(|r| r.len() != dim) || dim == 0 {
        return Err(Error::InvalidQuery(
            "all vectors must have the same non-zero length".into(),
        ));
    }
    let mut mean = vec![0f64; dim];
    for r in rows {
        for (m, &v) in mean.iter_mut().zip(*r) {
            *m += f64::from(v) / n as f64;
        }
    }
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&mean)
                .map(|(&v, m)| f64::from(v) - m)
                .collect()
        })
        .collect();
    let first = power_iteration(&x, &[], dim);
    let second = power_iteration(&x, std::slice::from_ref(&first), dim);
    let project =
        |row: &Vec<f64>, c: &Vec<f64>| row.iter().zip(c).map(|(a, b)| a * b).sum::<f64>() as f32;
    Ok(x.iter()
        .map(|row| (project(row, &first), project(row, &second)))
        .collect())
}

fn power_iteration(x: &[Vec<f64>], previous: &[Vec<f64>], dim: usize) -> Vec<f64> {
    // Deterministic, non-degenerate start.
    let mut v: Vec<f64> = (0..dim)
        .map(|i| 1.0 + (i as f64 * 0.618_033_988_75).fract())
        .collect();
    orthonormalise(&mut v, previous);
    for _ in 0..500 {
        let xv: Vec<f64> = x
            .iter()
            .map(|row| row.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        let mut next = vec![0f64; dim];
        for (row, &s) in x.iter().zip(&xv) {
            for (n, a) in next.iter_mut().zip(row) {
                *n += s * a;
            }
        }
        orthonormalise(&mut next, previous);
        let change: f64 = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = next;
        if change < 1e-12 {
            break;
        }
    }
    let largest = v
        .iter()
        .copied()
        .fold(0.0f64, |m, c| if c.abs() > m.abs() { c } else { m });
    if largest < 0.0 {
        v.iter_mut().for_each(|c| *c = -*c);
    }
    v
}

fn orthonormalise(v: &mut [f64], previous: &[Vec<f64>]) {
    for p in previous {
        let d: f64 = v.iter().zip(p).map(|(a, b)| a * b).sum();
        v.iter_mut().zip(p).for_each(|(a, b)| *a -= d * b);
    }
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|a| *a /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_principal_axes_of_an_elongated_cloud() {
        // Points spread along (1,1,0) with amplitude 10 and along (0,0,1) with amplitude 1.
        let pts: Vec<Vec<f32>> = (0..20)
            .map(|i| {
                let t = (i as f32 - 9.5) * 1.0;
                let s = if i % 2 == 0 { 1.0 } else { -1.0 };
                vec![t / 2f32.sqrt() + 5.0, t / 2f32.sqrt() + 5.0, 0.1 * s]
            })
            .collect();
        let rows: Vec<&[f32]> = pts.iter().map(|p| p.as_slice()).collect();
        let xy = pca_2d(&rows).unwrap();
        for (i, (x, y)) in xy.iter().enumerate() {
            let t = i as f32 - 9.5;
            assert!((x.abs() - t.abs()).abs() < 1e-3, "{i}: {x} vs {t}");
            assert!((y.abs() - 0.1).abs() < 0.02, "{i}: {y}"); // the alternating signs correlate slightly with t
        }
        // variance of the first coordinate dominates the second
        assert!(pca_2d(&rows[..1]).is_err());
    }
}
