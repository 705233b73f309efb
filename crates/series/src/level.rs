//! Per-window level normalisation: every window is divided by its own mean level (per feature), so a model learns
//! the *shape* of the decline rather than each well's size, and its output is multiplied back by the same level.
//!
//! This is what the mean-profile baseline does by hand (profile × the well's first-year level); a network that sees
//! level-free windows can learn a better shape than the mean one. Training windows and forecast windows are treated
//! the same way: the level is the mean of the input window `x` (plus `eps`, so a shut-in window of zeros divides by
//! `eps` instead of 0), and the targets `y` are divided by the level of their input window.

use ndarray::{Array2, Array3, ArrayView3, Axis};

use crate::error::{Error, Result};
use crate::forecast::SequenceModel;

/// The level of each window: the mean over its months of each feature, plus `eps`. `x` is (windows × months ×
/// features); the result is (windows × features).
pub fn window_levels(x: ArrayView3<f32>, eps: f32) -> Result<Array2<f32>> {
    if x.len_of(Axis(1)) == 0 || !(eps > 0.0 && eps.is_finite()) {
        return Err(Error::Invalid(format!(
            "window levels need at least one month and a positive eps (got {:?} and eps {eps})",
            x.dim()
        )));
    }
    let mut levels = x
        .mean_axis(Axis(1))
        .ok_or_else(|| Error::Invalid("empty window".into()))?;
    levels.mapv_inplace(|m| m.max(0.0) + eps);
    Ok(levels)
}

/// Normalised inputs, normalised targets (if any) and the levels (windows × features).
pub type NormalizedWindows = (Array3<f32>, Option<Array3<f32>>, Array2<f32>);

/// Divides every window of `x` by its level and, if given, the matching rows of `y` by the level of their input
/// window. Returns the normalised `x`, `y` and the levels (windows × features).
pub fn normalize_windows(
    x: ArrayView3<f32>,
    y: Option<ArrayView3<f32>>,
    eps: f32,
) -> Result<NormalizedWindows> {
    let levels = window_levels(x, eps)?;
    let x_norm = divide(x, &levels)?;
    let y_norm = match y {
        Some(y) => Some(divide(y, &levels)?),
        None => None,
    };
    Ok((x_norm, y_norm, levels))
}

fn divide(a: ArrayView3<f32>, levels: &Array2<f32>) -> Result<Array3<f32>> {
    check_rows(a.dim(), levels.dim())?;
    Ok(Array3::from_shape_fn(a.dim(), |(w, t, f)| {
        a[[w, t, f]] / levels[[w, f]]
    }))
}

fn check_rows(a: (usize, usize, usize), levels: (usize, usize)) -> Result<()> {
    if (a.0, a.2) != levels {
        return Err(Error::Invalid(format!(
            "{}×{}×{} windows do not match {}×{} levels",
            a.0, a.1, a.2, levels.0, levels.1
        )));
    }
    Ok(())
}

/// A [`SequenceModel`] trained on level-normalised windows, seen from outside in the original (scaled) units: each
/// window is divided by its level before the inner model and the inner model's output is multiplied by it.
#[derive(Debug, Clone)]
pub struct LevelNormalized<M> {
    /// The model that sees level-free windows.
    pub inner: M,
    /// Added to every level (see [`window_levels`]); use the value the training windows were normalised with.
    pub eps: f32,
}

/// Errors of a [`LevelNormalized`] model: its own shape checks or the inner model's error.
#[derive(Debug, thiserror::Error)]
pub enum LevelError<E: std::error::Error + 'static> {
    /// Levels could not be computed or do not fit the output.
    #[error(transparent)]
    Series(#[from] Error),
    /// The inner model failed.
    #[error(transparent)]
    Inner(E),
}

impl<M: SequenceModel> SequenceModel for LevelNormalized<M> {
    type Error = LevelError<M::Error>;

    fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error> {
        let (x_norm, _, levels) = normalize_windows(x, None, self.eps)?;
        let out = self
            .inner
            .predict(x_norm.view())
            .map_err(LevelError::Inner)?;
        check_rows(out.dim(), levels.dim())?;
        Ok(Array3::from_shape_fn(out.dim(), |(w, t, f)| {
            out[[w, t, f]] * levels[[w, f]]
        }))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;
    use crate::forecast::forecast;

    #[test]
    fn windows_and_targets_are_divided_by_the_input_windows_mean() {
        // Two windows of two months, two features.
        let x = array![[[2.0f32, 0.0], [6.0, 0.0]], [[1.0, 10.0], [1.0, 30.0]]];
        let y = array![[[6.0f32, 0.0], [8.0, 1.0]], [[1.0, 30.0], [2.0, 20.0]]];
        let (xn, yn, levels) = normalize_windows(x.view(), Some(y.view()), 0.5).unwrap();
        assert_eq!(levels, array![[4.5f32, 0.5], [1.5, 20.5]]);
        assert_eq!(xn[[0, 1, 0]], 6.0 / 4.5);
        // A window of zeros is divided by eps, not by 0.
        assert_eq!(yn.as_ref().unwrap()[[0, 1, 1]], 2.0);
        assert_eq!(yn.unwrap()[[1, 0, 1]], 30.0 / 20.5);
        assert!(window_levels(x.view(), 0.0).is_err());
        assert!(normalize_windows(x.view(), Some(array![[[1.0f32, 2.0]]].view()), 0.1).is_err());
    }

    /// Predicts 0.5 × the last (normalised) month at every step.
    struct HalfLast;

    impl SequenceModel for HalfLast {
        type Error = std::convert::Infallible;
        fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error> {
            let months = x.len_of(Axis(1));
            Ok(Array3::from_shape_fn(
                (x.len_of(Axis(0)), 1, x.len_of(Axis(2))),
                |(w, _, f)| 0.5 * x[[w, months - 1, f]],
            ))
        }
    }

    #[test]
    fn a_scale_equivariant_inner_model_gives_the_same_forecast_and_the_wrapper_undoes_the_level() {
        let history = array![[[100.0f32], [50.0]], [[4.0], [2.0]]];
        let plain = forecast(&mut HalfLast, history.view(), 3).unwrap();
        let mut wrapped = LevelNormalized {
            inner: HalfLast,
            eps: 1e-6,
        };
        let normalised = forecast(&mut wrapped, history.view(), 3).unwrap();
        assert_eq!(plain[[0, 2, 0]], 6.25);
        for (a, b) in plain.iter().zip(normalised.iter()) {
            assert!((a - b).abs() <= 1e-4 * a.abs().max(1.0), "{a} vs {b}");
        }
    }
}
