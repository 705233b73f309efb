//! The two naive forecasts the lesson's model must beat.

use ndarray::{Array1, Array3, ArrayView3, Axis, Slice};

use crate::error::{Error, Result};

/// Repeats each well's last observed month for `horizon` months. `history` is (wells × months × features).
pub fn last_value(history: ArrayView3<f32>, horizon: usize) -> Result<Array3<f32>> {
    let (wells, months, features) = history.dim();
    if months == 0 || horizon == 0 {
        return Err(Error::Invalid(
            "last-value baseline needs history and a horizon".into(),
        ));
    }
    let last = history.index_axis(Axis(1), months - 1);
    Ok(Array3::from_shape_fn(
        (wells, horizon, features),
        |(w, _, f)| last[[w, f]],
    ))
}

/// The train wells' mean month-by-month profile, scaled to each well's first-year level.
///
/// With `window` = the history's months and `horizon` the months to forecast: `profile[t]` is the mean over the
/// training wells of month `t` (for `t < window + horizon`, so `train` needs that many months); a test well's forecast
/// for month `window + h` is `profile[window + h] · mean(history of the well) / mean(profile[..window])`, per feature.
pub fn mean_profile(
    train: ArrayView3<f32>,
    history: ArrayView3<f32>,
    horizon: usize,
) -> Result<Array3<f32>> {
    let (wells, window, features) = history.dim();
    let (train_wells, train_months, train_features) = train.dim();
    if train_wells == 0
        || window == 0
        || horizon == 0
        || train_features != features
        || train_months < window + horizon
    {
        return Err(Error::Invalid(format!(
            "mean-profile baseline needs train wells with {features} feature(s) and at least {} months \
             (train {train_wells}×{train_months}×{train_features}, history {wells}×{window}×{features})",
            window + horizon
        )));
    }
    let as_f64 = train
        .slice_axis(Axis(1), Slice::from(..window + horizon))
        .mapv(f64::from);
    let profile = as_f64
        .mean_axis(Axis(0))
        .ok_or_else(|| Error::Invalid("no train well".into()))?;
    let first_year: Array1<f64> = profile
        .slice_axis(Axis(0), Slice::from(..window))
        .mean_axis(Axis(0))
        .ok_or_else(|| Error::Invalid("empty window".into()))?;
    if let Some(f) = first_year.iter().position(|&m| m <= 0.0) {
        return Err(Error::DegenerateFeature {
            scaler: "mean-profile",
            feature: f,
            problem: "has a zero mean over the training wells' first months".into(),
        });
    }
    let well_level = history
        .mapv(f64::from)
        .mean_axis(Axis(1))
        .ok_or_else(|| Error::Invalid("empty history".into()))?;
    Ok(Array3::from_shape_fn(
        (wells, horizon, features),
        |(w, h, f)| (profile[[window + h, f]] * well_level[[w, f]] / first_year[f]) as f32,
    ))
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn last_value_repeats_the_last_month() {
        let h = array![[[1.0f32, 10.0], [2.0, 20.0]]];
        assert_eq!(
            last_value(h.view(), 3).unwrap(),
            array![[[2.0f32, 20.0], [2.0, 20.0], [2.0, 20.0]]]
        );
    }

    #[test]
    fn mean_profile_by_hand() {
        // Two train wells, 4 months: profile = [3, 2, 1.5, 1]; window 2 → first-year mean 2.5.
        let train = array![
            [[4.0f32], [3.0], [2.0], [1.5]],
            [[2.0], [1.0], [1.0], [0.5]]
        ];
        // Test well's first two months average 5 → factor 2.
        let history = array![[[6.0f32], [4.0]]];
        let pred = mean_profile(train.view(), history.view(), 2).unwrap();
        assert_eq!(pred, array![[[3.0f32], [2.0]]]);
        assert!(mean_profile(train.view(), history.view(), 3).is_err());
        let dead = Array3::<f32>::zeros((2, 4, 1));
        assert!(mean_profile(dead.view(), history.view(), 2).is_err());
    }
}
