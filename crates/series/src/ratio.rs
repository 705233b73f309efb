//! The liquid-ratio scaler: Liquid in the lesson's units, every other feature as its log ratio to Liquid.
//!
//! Gas and water volumes vary from well to well far more than their ratios to the liquid do: on the lesson's real
//! file the test wells' first-year water reaches 1.08× the largest training month and their water/liquid ratios
//! are up to 7× (training wells: mostly under 2×), so a network fed absolute volumes extrapolates. The gas/oil and
//! water/oil ratios that petroleum engineers forecast stay in range (log scale), keep the month's Liquid as the one
//! absolute level, and map back exactly. They are standardised and multiplied by [`LiquidRatio::WEIGHT`] so that
//! with a mean-squared-error loss the Liquid output dominates the fit (its scaled values have a spread of about 0.1;
//! the ratios' spread becomes `WEIGHT`): a loss weighting toward Liquid made through the units, with no change to
//! the network or its loss.

use ndarray::{ArrayView, Axis, Dimension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scale::Transformer;

/// Fitted liquid-ratio scaler. For a month with Liquid `l` and another feature `v` (both ≥ 0):
/// Liquid ↦ `l / max`; `v` ↦ `weight · (ln((v + offset) / (l + offset)) − mean) / std`. The inverse is exact:
/// `l = y · max`, `v = (l + offset) · exp(z · std / weight + mean) − offset`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiquidRatio {
    /// Index of Liquid on the feature axis.
    pub liquid: usize,
    /// Liquid's training max.
    pub max: f64,
    /// Added to both volumes before the ratio, so a shut-in month (zeros) has a finite ratio.
    pub offset: f64,
    /// Spread of the ratios after scaling (their loss weight relative to Liquid's is about `(weight / 0.1)²`).
    pub weight: f64,
    /// Mean log ratio of each feature on the training wells (0 for Liquid).
    pub mean: Vec<f64>,
    /// Standard deviation (ddof = 0) of each feature's log ratio on the training wells (1 for Liquid).
    pub std: Vec<f64>,
}

impl LiquidRatio {
    /// Barrels added to both volumes of a ratio.
    pub const OFFSET: f64 = 1.0;
    /// The ratios' spread in model units (see the module documentation for how it was chosen).
    pub const WEIGHT: f64 = 0.01;

    /// Fits on `train` (last axis = features, Liquid at `liquid`; the training wells only).
    pub fn fit<D: Dimension>(train: ArrayView<f32, D>, liquid: usize) -> Result<LiquidRatio> {
        if train.ndim() == 0 || train.is_empty() {
            return Err(Error::Invalid(
                "cannot fit a scaler on an empty array".into(),
            ));
        }
        let last = Axis(train.ndim() - 1);
        let n = train.len_of(last);
        if liquid >= n {
            return Err(Error::Invalid(format!(
                "Liquid is feature {liquid} but the data have {n} feature(s)"
            )));
        }
        let offset = Self::OFFSET;
        let (mut sum, mut sum_sq, mut max, mut count) =
            (vec![0.0f64; n], vec![0.0f64; n], 0.0f64, 0.0f64);
        for lane in train.lanes(last) {
            let l = f64::from(lane[liquid]).max(0.0);
            max = max.max(l);
            count += 1.0;
            for (f, &v) in lane.iter().enumerate() {
                if f != liquid {
                    let r = log_ratio(f64::from(v), l, offset);
                    sum[f] += r;
                    sum_sq[f] += r * r;
                }
            }
        }
        if !(max > 0.0 && max.is_finite()) {
            return Err(Error::DegenerateFeature {
                scaler: "liquid-ratio",
                feature: liquid,
                problem: format!("(Liquid) has max {max} on the training wells (must be > 0)"),
            });
        }
        let mut mean = vec![0.0; n];
        let mut std = vec![1.0; n];
        for f in (0..n).filter(|&f| f != liquid) {
            mean[f] = sum[f] / count;
            let var = (sum_sq[f] / count - mean[f] * mean[f]).max(0.0);
            std[f] = var.sqrt();
            if !(std[f] > 1e-9 && std[f].is_finite()) {
                return Err(Error::DegenerateFeature {
                    scaler: "liquid-ratio",
                    feature: f,
                    problem: "has a constant ratio to Liquid on the training wells".into(),
                });
            }
        }
        Ok(LiquidRatio {
            liquid,
            max,
            offset,
            weight: Self::WEIGHT,
            mean,
            std,
        })
    }

    /// Checks parameters read from outside (see [`crate::Scaler::validate`]).
    pub fn validate(&self, n_features: usize) -> Result<()> {
        let bad = |problem: String| Error::InvalidScaler {
            scaler: "liquid-ratio".into(),
            problem,
        };
        if self.mean.len() != n_features || self.std.len() != n_features {
            return Err(bad(format!(
                "mean and std have {} and {} value(s) for {n_features} feature(s)",
                self.mean.len(),
                self.std.len()
            )));
        }
        if self.liquid >= n_features {
            return Err(bad(format!(
                "liquid is feature {} of {n_features}",
                self.liquid
            )));
        }
        for (name, v) in [
            ("max", self.max),
            ("offset", self.offset),
            ("weight", self.weight),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(format!("{name} is {v} (must be finite and > 0)")));
            }
        }
        for (f, (&m, &s)) in self.mean.iter().zip(&self.std).enumerate() {
            if !m.is_finite() {
                return Err(bad(format!("mean[{f}] is {m} (must be finite)")));
            }
            if !(s.is_finite() && s > 0.0) {
                return Err(bad(format!("std[{f}] is {s} (must be finite and > 0)")));
            }
        }
        Ok(())
    }
}

fn log_ratio(v: f64, l: f64, offset: f64) -> f64 {
    ((v.max(0.0) + offset) / (l.max(0.0) + offset)).ln()
}

impl Transformer for LiquidRatio {
    fn n_features(&self) -> Option<usize> {
        Some(self.mean.len())
    }

    /// Liquid alone maps to `l / max`. Any other feature needs its month's Liquid: this returns NaN for it; use
    /// [`Transformer::forward_row`] or [`Transformer::transform`].
    fn forward(&self, feature: usize, value: f32) -> f32 {
        if feature == self.liquid {
            (f64::from(value) / self.max) as f32
        } else {
            f32::NAN
        }
    }

    /// Liquid alone maps back to barrels; any other feature gives NaN (see [`LiquidRatio::forward`]).
    fn inverse(&self, feature: usize, value: f32) -> f32 {
        if feature == self.liquid {
            (f64::from(value) * self.max) as f32
        } else {
            f32::NAN
        }
    }

    fn forward_row(&self, row: &mut [f32]) {
        let l = f64::from(row[self.liquid]);
        for (f, v) in row.iter_mut().enumerate() {
            *v = if f == self.liquid {
                (l / self.max) as f32
            } else {
                let r = log_ratio(f64::from(*v), l, self.offset);
                (self.weight * (r - self.mean[f]) / self.std[f]) as f32
            };
        }
    }

    fn inverse_row(&self, row: &mut [f32]) {
        let l = f64::from(row[self.liquid]) * self.max;
        for (f, v) in row.iter_mut().enumerate() {
            *v = if f == self.liquid {
                l as f32
            } else {
                let r = f64::from(*v) / self.weight * self.std[f] + self.mean[f];
                ((l.max(0.0) + self.offset) * r.exp() - self.offset) as f32
            };
        }
    }

    fn separable(&self, feature: usize) -> bool {
        feature == self.liquid
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, array};

    use super::*;
    use crate::scale::{Scaler, ScalerKind};

    #[test]
    fn liquid_keeps_the_lessons_units_and_ratios_are_standardised_and_weighted() {
        // One well, two months: Liquid, Gas. Gas/Liquid ratios (offset 1 included): 3 and 1/3, in logs ±ln 3.
        let train = array![[[99.0f32, 299.0], [299.0, 99.0]]];
        let s = LiquidRatio::fit(train.view(), 0).unwrap();
        assert_eq!(s.max, 299.0);
        assert!(s.mean[1].abs() < 1e-12);
        assert!((s.std[1] - 3.0f64.ln()).abs() < 1e-12);
        let y = s.transform(train.view()).unwrap();
        assert_eq!(y[[0, 0, 0]], (99.0 / 299.0) as f32);
        assert!((y[[0, 0, 1]] - LiquidRatio::WEIGHT as f32).abs() < 1e-7);
        assert!((y[[0, 1, 1]] + LiquidRatio::WEIGHT as f32).abs() < 1e-7);
    }

    #[test]
    fn inverse_is_exact_also_for_shut_in_months_and_liquid_alone_is_separable() {
        let train = Array3::from_shape_fn((3, 4, 3), |(w, t, f)| {
            if t == 2 {
                0.0
            } else {
                (100 * (w + 1) + 37 * t + 1000 * f) as f32
            }
        });
        let s = ScalerKind::LiquidRatio.fit(train.view()).unwrap();
        let back = s
            .inverse_transform(s.transform(train.view()).unwrap().view())
            .unwrap();
        for (a, b) in train.iter().zip(back.iter()) {
            assert!((a - b).abs() <= 1e-3 * a.max(1.0), "{a} -> {b}");
        }
        let liquid = train.index_axis(Axis(2), 0);
        let scaled = s.transform(train.view()).unwrap();
        let liquid_back = s
            .inverse_transform_feature(scaled.index_axis(Axis(2), 0), 0)
            .unwrap();
        for (a, b) in liquid.iter().zip(liquid_back.iter()) {
            assert!((a - b).abs() <= 1e-4 * a.max(1.0), "{a} -> {b}");
        }
        let err = s
            .inverse_transform_feature(scaled.index_axis(Axis(2), 1), 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("transform whole months"), "{err}");
    }

    #[test]
    fn liquid_is_found_by_name_and_needed() {
        use crate::Feature;
        let train = array![[[5.0f32, 1.0], [7.0, 2.0]]];
        let s = ScalerKind::LiquidRatio
            .fit_features(train.view(), &[Feature::Gas, Feature::Liquid])
            .unwrap();
        let Scaler::LiquidRatio(r) = &s else { panic!() };
        assert_eq!((r.liquid, r.max), (1, 2.0));
        let err = ScalerKind::LiquidRatio
            .fit_features(train.view(), &[Feature::Gas, Feature::Water])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid argument: the liquid-ratio scaler needs Liquid among the features (got Gas, Water)"
        );
    }

    #[test]
    fn tampered_parameters_are_named_errors() {
        let good = LiquidRatio::fit(array![[[99.0f32, 299.0], [299.0, 99.0]]].view(), 0).unwrap();
        good.validate(2).unwrap();
        let check = |change: &dyn Fn(&mut LiquidRatio), message: &str| {
            let mut s = good.clone();
            change(&mut s);
            assert_eq!(
                Scaler::LiquidRatio(s).validate(2).unwrap_err().to_string(),
                message
            );
        };
        check(
            &|s| s.max = 0.0,
            "invalid liquid-ratio scaler: max is 0 (must be finite and > 0)",
        );
        check(
            &|s| s.weight = -1.0,
            "invalid liquid-ratio scaler: weight is -1 (must be finite and > 0)",
        );
        check(
            &|s| s.std[1] = 0.0,
            "invalid liquid-ratio scaler: std[1] is 0 (must be finite and > 0)",
        );
        check(
            &|s| s.liquid = 2,
            "invalid liquid-ratio scaler: liquid is feature 2 of 2",
        );
        check(
            &|s| s.mean.push(0.0),
            "invalid liquid-ratio scaler: mean and std have 3 and 2 value(s) for 2 feature(s)",
        );
    }
}
