//! Forecast errors: MAE, RMSE and a zero-safe MAPE, in scaled and original units.

use ndarray::{ArrayView, ArrayView3, Axis, Dimension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scale::Transformer;

fn pairs<'a, D: Dimension>(
    pred: &'a ArrayView<f32, D>,
    actual: &'a ArrayView<f32, D>,
) -> Result<impl Iterator<Item = (f64, f64)> + 'a> {
    if pred.shape() != actual.shape() || pred.is_empty() {
        return Err(Error::Invalid(format!(
            "metrics need two non-empty arrays of one shape (got {:?} and {:?})",
            pred.shape(),
            actual.shape()
        )));
    }
    Ok(pred
        .iter()
        .zip(actual.iter())
        .map(|(&p, &a)| (f64::from(p), f64::from(a))))
}

/// Mean absolute error.
pub fn mae<D: Dimension>(pred: ArrayView<f32, D>, actual: ArrayView<f32, D>) -> Result<f64> {
    let n = pred.len() as f64;
    Ok(pairs(&pred, &actual)?
        .map(|(p, a)| (p - a).abs())
        .sum::<f64>()
        / n)
}

/// Root mean squared error.
pub fn rmse<D: Dimension>(pred: ArrayView<f32, D>, actual: ArrayView<f32, D>) -> Result<f64> {
    let n = pred.len() as f64;
    Ok((pairs(&pred, &actual)?
        .map(|(p, a)| (p - a) * (p - a))
        .sum::<f64>()
        / n)
        .sqrt())
}

/// A MAPE that is safe with zero months: `100 · Σ|pred − actual| / Σ|actual|` (the weighted MAPE, also called
/// WAPE), in percent. Shut-in months (actual 0) add their error to the numerator instead of dividing by zero.
/// `None` when every actual value is 0.
pub fn mape_safe<D: Dimension>(
    pred: ArrayView<f32, D>,
    actual: ArrayView<f32, D>,
) -> Result<Option<f64>> {
    let (err, total) = pairs(&pred, &actual)?.fold((0.0, 0.0), |(e, t), (p, a)| {
        (e + (p - a).abs(), t + a.abs())
    });
    Ok((total > 0.0).then(|| 100.0 * err / total))
}

/// MAE, RMSE and zero-safe MAPE of one comparison.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// See [`mape_safe`].
    pub mape: Option<f64>,
}

impl Metrics {
    /// Compares `pred` with `actual` (same shape).
    pub fn compute<D: Dimension>(
        pred: ArrayView<f32, D>,
        actual: ArrayView<f32, D>,
    ) -> Result<Metrics> {
        Ok(Metrics {
            mae: mae(pred.view(), actual.view())?,
            rmse: rmse(pred.view(), actual.view())?,
            mape: mape_safe(pred, actual)?,
        })
    }
}

/// One well's error on one feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WellError {
    /// The well's API id.
    pub api: String,
    /// MAE in the model's (scaled) units.
    pub mae_scaled: f64,
    /// MAE in the original units (barrels for Liquid).
    pub mae: f64,
}

/// A forecast's errors on one feature, in scaled and original units, overall and per well. The field names are the
/// ones `wells --metrics-json` writes under `"forecast"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastMetrics {
    /// MAE in scaled units.
    pub mae_scaled: f64,
    /// RMSE in scaled units.
    pub rmse_scaled: f64,
    /// MAE in original units.
    pub mae: f64,
    /// RMSE in original units.
    pub rmse: f64,
    /// Zero-safe MAPE in original units, percent (see [`mape_safe`]).
    pub mape: Option<f64>,
    /// Per-well MAE, wells in the order of the arrays.
    pub per_well: Vec<WellError>,
}

impl ForecastMetrics {
    /// Scores feature number `feature` of `pred` against `actual` (both scaled, wells × months × features) and, after
    /// the scaler's inverse, in original units. `apis` names the wells.
    pub fn evaluate(
        pred: ArrayView3<f32>,
        actual: ArrayView3<f32>,
        scaler: &impl Transformer,
        feature: usize,
        apis: &[String],
    ) -> Result<ForecastMetrics> {
        if pred.dim() != actual.dim()
            || feature >= pred.len_of(Axis(2))
            || apis.len() != pred.len_of(Axis(0))
        {
            return Err(Error::Invalid(format!(
                "cannot evaluate feature {feature} of {:?} against {:?} with {} API ids",
                pred.dim(),
                actual.dim(),
                apis.len()
            )));
        }
        let p = pred.index_axis(Axis(2), feature);
        let a = actual.index_axis(Axis(2), feature);
        let p_orig = scaler.inverse_transform_feature(p, feature)?;
        let a_orig = scaler.inverse_transform_feature(a, feature)?;
        let scaled = Metrics::compute(p, a)?;
        let original = Metrics::compute(p_orig.view(), a_orig.view())?;
        let per_well = apis
            .iter()
            .enumerate()
            .map(|(w, api)| {
                Ok(WellError {
                    api: api.clone(),
                    mae_scaled: mae(p.row(w), a.row(w))?,
                    mae: mae(p_orig.row(w), a_orig.row(w))?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ForecastMetrics {
            mae_scaled: scaled.mae,
            rmse_scaled: scaled.rmse,
            mae: original.mae,
            rmse: original.rmse,
            mape: original.mape,
            per_well,
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;
    use crate::scale::GlobalMax;

    #[test]
    fn hand_computed_values() {
        let p = array![1.0f32, 2.0, 3.0, 4.0];
        let a = array![1.0f32, 0.0, 5.0, 4.0];
        assert_eq!(mae(p.view(), a.view()).unwrap(), 1.0);
        assert_eq!(rmse(p.view(), a.view()).unwrap(), 2.0f64.sqrt());
        // Σ|e| = 4, Σ|a| = 10 → 40 %; the zero month does not divide by zero.
        assert_eq!(mape_safe(p.view(), a.view()).unwrap(), Some(40.0));
        assert_eq!(mape_safe(p.view(), (&a * 0.0).view()).unwrap(), None);
        assert!(mae(p.view(), array![1.0f32].view()).is_err());
    }

    #[test]
    fn forecast_metrics_are_in_both_units_and_per_well() {
        let pred = array![[[0.5f32, 9.0], [0.5, 9.0]], [[0.0, 9.0], [0.25, 9.0]]];
        let actual = array![[[0.25f32, 0.0], [0.75, 0.0]], [[0.0, 0.0], [0.25, 0.0]]];
        let scaler = GlobalMax { max: 1000.0 };
        let apis = vec!["1".to_string(), "2".to_string()];
        let m = ForecastMetrics::evaluate(pred.view(), actual.view(), &scaler, 0, &apis).unwrap();
        assert_eq!(m.mae_scaled, 0.125);
        assert_eq!(m.mae, 125.0);
        assert_eq!(m.per_well[0].mae, 250.0);
        assert_eq!(m.per_well[1].mae_scaled, 0.0);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["per_well"][0]["api"], "1");
        assert!(ForecastMetrics::evaluate(pred.view(), actual.view(), &scaler, 2, &apis).is_err());
    }
}
