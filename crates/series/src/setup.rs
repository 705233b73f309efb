//! The whole data side of a forecasting run in one call: pivot, split by wells, fit the scaler on the training wells,
//! cut training windows, and hold out each test well's first `window` months as history and the rest as the months
//! to forecast. An app only adds the model.

use ndarray::{Array3, ArrayView3, Axis, Slice};
use serde::{Deserialize, Serialize};

use crate::baseline::{last_value, mean_profile};
use crate::error::{Error, Result};
use crate::feature::{Feature, check_distinct};
use crate::metrics::ForecastMetrics;
use crate::pivot::{Pivot, ShortWellPolicy};
use crate::production::Production;
use crate::scale::{Scaler, ScalerKind, Transformer};
use crate::split::Split;
use crate::window::{WindowCount, many_to_many, split_months};

/// How wells are divided into training and test wells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitKind {
    /// The first wells in API order train (the lesson).
    First,
    /// A seeded ChaCha8 shuffle decides.
    Shuffled {
        /// The shuffle's seed.
        seed: u64,
    },
}

/// The data side of a run. `Default` is the lesson: Liquid, 24 months, window 12, first 40 wells train, global max,
/// the lesson's window count, short wells dropped with a warning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSetup {
    /// Input and output features (assignment 2: Liquid, Gas, Water).
    pub features: Vec<Feature>,
    /// Months used per well; the forecast covers months `window..months`.
    pub months: usize,
    /// Months per input window (and of observed history before a forecast).
    pub window: usize,
    /// Number of training wells; the rest are test wells.
    pub train_wells: usize,
    /// How wells are split.
    pub split: SplitKind,
    /// The scaler, fitted on the training wells only.
    pub scaler: ScalerKind,
    /// How many many-to-many windows are cut per training well.
    pub window_count: WindowCount,
    /// What to do with wells shorter than `months`.
    pub short_wells: ShortWellPolicy,
}

impl Default for ForecastSetup {
    fn default() -> Self {
        ForecastSetup {
            features: vec![Feature::Liquid],
            months: 24,
            window: 12,
            train_wells: 40,
            split: SplitKind::First,
            scaler: ScalerKind::GlobalMax,
            window_count: WindowCount::Lesson,
            short_wells: ShortWellPolicy::Drop,
        }
    }
}

impl ForecastSetup {
    /// Checks that the numbers fit together (the data are checked by [`ForecastSetup::prepare`]).
    pub fn validate(&self) -> Result<()> {
        check_distinct(&self.features)?;
        if self.window == 0 || self.months <= self.window {
            return Err(Error::Invalid(format!(
                "a window of {} months leaves nothing to forecast in {} months (need months > window ≥ 1)",
                self.window, self.months
            )));
        }
        if self.window_count == WindowCount::Lesson && self.months < self.window + 2 {
            return Err(Error::Invalid(format!(
                "the lesson's windows need at least window + 2 = {} months",
                self.window + 2
            )));
        }
        if self.train_wells == 0 {
            return Err(Error::Invalid(
                "at least one training well is needed".into(),
            ));
        }
        Ok(())
    }

    /// Prepares the arrays for `production` (which must hold the setup's features), fitting the setup's scaler on
    /// the training wells.
    pub fn prepare(&self, production: &Production) -> Result<Prepared> {
        self.prepare_scaled(production, None)
    }

    /// Prepares the arrays with an already fitted `scaler` (e.g. a saved model's) instead of fitting one; the
    /// scaler is validated first, so a tampered one is an error, not NaNs.
    pub fn prepare_with_scaler(&self, production: &Production, scaler: Scaler) -> Result<Prepared> {
        scaler.validate(self.features.len())?;
        self.prepare_scaled(production, Some(scaler))
    }

    fn prepare_scaled(&self, production: &Production, fitted: Option<Scaler>) -> Result<Prepared> {
        self.validate()?;
        let pivot = production.pivot(&self.features, self.months, self.short_wells)?;
        let n = pivot.n_wells();
        if n <= self.train_wells {
            return Err(Error::TooFewWells {
                source_name: production.source().to_string(),
                wells: n,
                months: self.months,
                train_wells: self.train_wells,
            });
        }
        let split = match self.split {
            SplitKind::First => Split::first(n, self.train_wells)?,
            SplitKind::Shuffled { seed } => Split::shuffled(n, self.train_wells, seed)?,
        };
        let train = pivot.select(&split.train)?;
        let test = pivot.select(&split.test)?;
        let scaler = match fitted {
            Some(scaler) => scaler,
            None => self
                .scaler
                .fit_features(train.data.view(), &self.features)?,
        };
        let train_scaled = scaler.transform(train.data.view())?;
        let test_scaled = scaler.transform(test.data.view())?;
        let (x, y) = many_to_many(train_scaled.view(), self.window, self.window_count)?;
        Ok(Prepared {
            setup: self.clone(),
            pivot,
            split,
            train,
            test,
            scaler,
            train_scaled,
            test_scaled,
            x,
            y,
        })
    }
}

/// Everything a run needs besides the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The setup that made it.
    pub setup: ForecastSetup,
    /// All kept wells (see [`Pivot::warning`] for dropped ones).
    pub pivot: Pivot,
    /// Which rows of `pivot` train and test.
    pub split: Split,
    /// The training wells, original units.
    pub train: Pivot,
    /// The test wells, original units.
    pub test: Pivot,
    /// The scaler fitted on `train`.
    pub scaler: Scaler,
    /// The training wells, scaled (wells × months × features).
    pub train_scaled: Array3<f32>,
    /// The test wells, scaled.
    pub test_scaled: Array3<f32>,
    /// Training inputs (windows × window × features), scaled.
    pub x: Array3<f32>,
    /// Training targets, `x` shifted by one month.
    pub y: Array3<f32>,
}

/// The two naive forecasts, scored like the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baselines {
    /// Repeat the last observed month.
    pub last_value: ForecastMetrics,
    /// The training wells' mean profile scaled to the well's first-window level.
    pub mean_profile: ForecastMetrics,
}

impl Prepared {
    /// The months to forecast per test well.
    pub fn horizon(&self) -> usize {
        self.setup.months - self.setup.window
    }

    /// Each test well's observed months (scaled): the model's starting windows.
    pub fn history(&self) -> Result<ArrayView3<'_, f32>> {
        Ok(split_months(self.test_scaled.view(), self.setup.window)?.0)
    }

    /// Each test well's months to forecast (scaled).
    pub fn actual(&self) -> Result<ArrayView3<'_, f32>> {
        Ok(split_months(self.test_scaled.view(), self.setup.window)?.1)
    }

    /// Scores a scaled forecast (test wells × horizon × features) on `feature`, in scaled and original units.
    pub fn evaluate(
        &self,
        forecast_scaled: ArrayView3<f32>,
        feature: Feature,
    ) -> Result<ForecastMetrics> {
        let index = self.pivot.feature_index(feature)?;
        ForecastMetrics::evaluate(
            forecast_scaled,
            self.actual()?,
            &self.scaler,
            index,
            &self.test.apis,
        )
    }

    /// The lesson's units for `feature`: original units divided by the training wells' max of that feature (for
    /// Liquid, barrels / 42,345 on the lesson's file), whatever scaler the model uses.
    pub fn reference_scaler(&self, feature: Feature) -> Result<Scaler> {
        let index = self.pivot.feature_index(feature)?;
        ScalerKind::GlobalMax.fit(self.train.data.index_axis(Axis(2), index))
    }

    /// Scores a forecast in original units (test wells × horizon × features, e.g. barrels) on `feature`:
    /// `*_scaled` in the units of [`Prepared::reference_scaler`], so runs with different scalers compare directly.
    pub fn evaluate_original(
        &self,
        forecast: ArrayView3<f32>,
        feature: Feature,
    ) -> Result<ForecastMetrics> {
        let index = self.pivot.feature_index(feature)?;
        let (_, actual) = split_months(self.test.data.view(), self.setup.window)?;
        let reference = self.reference_scaler(feature)?;
        let column = |a: ArrayView3<f32>| -> Result<Array3<f32>> {
            if a.dim() != actual.dim() {
                return Err(Error::Invalid(format!(
                    "a forecast of shape {:?} does not match the test months {:?}",
                    a.dim(),
                    actual.dim()
                )));
            }
            reference.transform(a.slice_axis(Axis(2), Slice::from(index..index + 1)))
        };
        ForecastMetrics::evaluate(
            column(forecast)?.view(),
            column(actual)?.view(),
            &reference,
            0,
            &self.test.apis,
        )
    }

    /// The two naive baselines on `feature`, computed in original units (barrels) from the unscaled training wells
    /// and test history and scored like [`Prepared::evaluate_original`], so they do not depend on the scaler.
    pub fn baselines(&self, feature: Feature) -> Result<Baselines> {
        let (history, _) = split_months(self.test.data.view(), self.setup.window)?;
        let score = |forecast: Array3<f32>| self.evaluate_original(forecast.view(), feature);
        Ok(Baselines {
            last_value: score(last_value(history, self.horizon())?)?,
            mean_profile: score(mean_profile(
                self.train.data.view(),
                history,
                self.horizon(),
            )?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{SyntheticConfig, generate};

    fn synthetic(wells: usize) -> Production {
        let mut csv = Vec::new();
        generate(
            &SyntheticConfig {
                wells,
                months: 24,
                seed: 3,
            },
            &mut csv,
        )
        .unwrap();
        Production::read(&csv[..], "synthetic", &Feature::ALL).unwrap()
    }

    #[test]
    fn the_default_is_the_lesson() {
        let prepared = ForecastSetup::default().prepare(&synthetic(50)).unwrap();
        assert_eq!(prepared.x.dim(), (440, 12, 1));
        assert_eq!(prepared.history().unwrap().dim(), (10, 12, 1));
        assert_eq!(prepared.actual().unwrap().dim(), (10, 12, 1));
        assert_eq!(prepared.test.apis, prepared.pivot.apis[40..]);
        let Scaler::GlobalMax(g) = &prepared.scaler else {
            panic!("not global max")
        };
        assert_eq!(
            g.max as f32,
            prepared.train.data.iter().fold(0.0f32, |m, &v| m.max(v))
        );
        let b = prepared.baselines(Feature::Liquid).unwrap();
        assert_eq!(b.last_value.per_well.len(), 10);
        assert!(b.mean_profile.mae_scaled > 0.0);
        // Scaled and original MAE differ exactly by the global max.
        assert!(
            (b.mean_profile.mae - b.mean_profile.mae_scaled * g.max).abs()
                < 1e-3 * b.mean_profile.mae
        );
    }

    #[test]
    fn baselines_in_barrels_do_not_depend_on_the_scaler() {
        let production = synthetic(12);
        let setup = |scaler| ForecastSetup {
            features: vec![Feature::Liquid, Feature::Gas, Feature::Water],
            train_wells: 8,
            scaler,
            ..ForecastSetup::default()
        };
        let a = setup(ScalerKind::FeatureMax).prepare(&production).unwrap();
        let b = setup(ScalerKind::Standard).prepare(&production).unwrap();
        assert_eq!(a.x.dim(), (88, 12, 3));
        let (ma, mb) = (
            a.baselines(Feature::Gas).unwrap(),
            b.baselines(Feature::Gas).unwrap(),
        );
        assert!((ma.mean_profile.mae - mb.mean_profile.mae).abs() < 1e-3 * ma.mean_profile.mae);
        assert!((ma.last_value.rmse - mb.last_value.rmse).abs() < 1e-3 * ma.last_value.rmse);
    }

    #[test]
    fn a_given_scaler_is_validated_and_used_and_original_units_score_in_the_lessons_units() {
        let production = synthetic(12);
        let setup = ForecastSetup {
            features: vec![Feature::Liquid, Feature::Gas, Feature::Water],
            train_wells: 8,
            scaler: ScalerKind::LiquidRatio,
            ..ForecastSetup::default()
        };
        let fitted = setup.prepare(&production).unwrap();
        let again = setup
            .prepare_with_scaler(&production, fitted.scaler.clone())
            .unwrap();
        assert_eq!(again, fitted);
        let tampered = Scaler::FeatureMax(crate::scale::FeatureMax {
            max: vec![1.0, 0.0, 1.0],
        });
        assert_eq!(
            setup
                .prepare_with_scaler(&production, tampered)
                .unwrap_err()
                .to_string(),
            "invalid feature-max scaler: max[1] is 0 (must be finite and > 0)"
        );
        // The actual months score 0; twice the actual Liquid scores its mean over the training wells' max.
        let (_, actual) = split_months(fitted.test.data.view(), 12).unwrap();
        let exact = fitted.evaluate_original(actual, Feature::Liquid).unwrap();
        assert_eq!((exact.mae, exact.mae_scaled), (0.0, 0.0));
        let doubled = actual.mapv(|v| 2.0 * v);
        let m = fitted
            .evaluate_original(doubled.view(), Feature::Liquid)
            .unwrap();
        let liquid_max = fitted
            .train
            .data
            .index_axis(Axis(2), 0)
            .fold(0.0f32, |a, &v| a.max(v));
        let mean_liquid = actual
            .index_axis(Axis(2), 0)
            .mapv(f64::from)
            .mean()
            .unwrap();
        assert!((m.mae - mean_liquid).abs() < 1e-6 * mean_liquid);
        assert!((m.mae_scaled - mean_liquid / f64::from(liquid_max)).abs() < 1e-6);
        assert!(
            fitted
                .evaluate_original(
                    doubled.slice_axis(Axis(1), Slice::from(..3)),
                    Feature::Liquid
                )
                .is_err()
        );
    }

    #[test]
    fn too_few_wells_or_months_are_clear_errors() {
        let production = synthetic(5);
        let e = ForecastSetup::default()
            .prepare(&production)
            .unwrap_err()
            .to_string();
        assert!(
            e == "synthetic: 5 well(s) with 24 months, but 40 training well(s) + at least 1 test well are needed",
            "{e}"
        );
        let long = ForecastSetup {
            months: 30,
            short_wells: ShortWellPolicy::Reject,
            train_wells: 2,
            ..ForecastSetup::default()
        };
        assert!(
            long.prepare(&production)
                .unwrap_err()
                .to_string()
                .contains("fewer than 30 months")
        );
        let no_horizon = ForecastSetup {
            window: 24,
            ..ForecastSetup::default()
        };
        assert!(no_horizon.validate().is_err());
        let shuffled = ForecastSetup {
            train_wells: 3,
            split: SplitKind::Shuffled { seed: 9 },
            ..ForecastSetup::default()
        };
        let p = shuffled.prepare(&production).unwrap();
        assert_eq!(p.split, Split::shuffled(5, 3, 9).unwrap());
    }
}
