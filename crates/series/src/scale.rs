//! Scalers: fitted on the training wells only, applied to any array whose last axis is the features, and inverted
//! back to the original units (barrels).
//!
//! Arithmetic is done in f64 and rounded once to f32, as numpy does when it divides an int64 matrix by its max and
//! the result is later cast to float32.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array, ArrayView, Axis, Dimension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A fitted per-feature transformation with an exact inverse.
///
/// Implementors supply the scalar maps; `transform` and `inverse_transform` apply them to every element, the last axis
/// of the array being the feature axis.
pub trait Transformer {
    /// The number of features it was fitted on, or `None` if it applies to any number (e.g. log1p).
    fn n_features(&self) -> Option<usize>;

    /// Transforms one value of feature number `feature`.
    fn forward(&self, feature: usize, value: f32) -> f32;

    /// Undoes [`Transformer::forward`].
    fn inverse(&self, feature: usize, value: f32) -> f32;

    /// Transforms every element of `x` (last axis = features).
    fn transform<D: Dimension>(&self, x: ArrayView<f32, D>) -> Result<Array<f32, D>>
    where
        Self: Sized,
    {
        map_features(self, x, None, |s, f, v| s.forward(f, v))
    }

    /// Maps every element of `x` back to the original units (last axis = features).
    fn inverse_transform<D: Dimension>(&self, x: ArrayView<f32, D>) -> Result<Array<f32, D>>
    where
        Self: Sized,
    {
        map_features(self, x, None, |s, f, v| s.inverse(f, v))
    }

    /// Maps back an array that holds only feature number `feature` (e.g. the Liquid column of a multi-feature
    /// forecast), whatever its shape.
    fn inverse_transform_feature<D: Dimension>(
        &self,
        x: ArrayView<f32, D>,
        feature: usize,
    ) -> Result<Array<f32, D>>
    where
        Self: Sized,
    {
        map_features(self, x, Some(feature), |s, f, v| s.inverse(f, v))
    }
}

fn map_features<T: Transformer, D: Dimension>(
    scaler: &T,
    x: ArrayView<f32, D>,
    only: Option<usize>,
    map: impl Fn(&T, usize, f32) -> f32,
) -> Result<Array<f32, D>> {
    let mut out = x.to_owned();
    match only {
        Some(feature) => {
            if let Some(n) = scaler.n_features().filter(|&n| feature >= n) {
                return Err(Error::Invalid(format!(
                    "feature {feature} out of range for a scaler fitted on {n}"
                )));
            }
            out.mapv_inplace(|v| map(scaler, feature, v));
        }
        None => {
            if x.ndim() == 0 {
                return Err(Error::Invalid("cannot scale a 0-dimensional array".into()));
            }
            let last = Axis(x.ndim() - 1);
            if let Some(n) = scaler.n_features().filter(|&n| n != x.len_of(last)) {
                return Err(Error::Invalid(format!(
                    "scaler fitted on {n} feature(s) applied to an array with {} on its last axis",
                    x.len_of(last)
                )));
            }
            for mut lane in out.lanes_mut(last) {
                for (feature, v) in lane.iter_mut().enumerate() {
                    *v = map(scaler, feature, *v);
                }
            }
        }
    }
    Ok(out)
}

/// Which scaler to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalerKind {
    /// One max over every training value of every feature (the lesson: `m / m.max()`).
    GlobalMax,
    /// Each feature divided by its own training max (assignment 2).
    FeatureMax,
    /// Each feature mapped to [0, 1] by its training min and max.
    MinMax,
    /// Each feature centred on its training mean and divided by its (population, ddof = 0) standard deviation.
    Standard,
    /// `ln(1 + x)`, nothing to fit.
    Log1p,
}

impl ScalerKind {
    /// Every kind, with its command-line name (`global-max`, `feature-max`, `min-max`, `standard`, `log1p`).
    pub const ALL: [(ScalerKind, &'static str); 5] = [
        (ScalerKind::GlobalMax, "global-max"),
        (ScalerKind::FeatureMax, "feature-max"),
        (ScalerKind::MinMax, "min-max"),
        (ScalerKind::Standard, "standard"),
        (ScalerKind::Log1p, "log1p"),
    ];

    /// Fits the scaler on `train` (last axis = features; pass the training wells only).
    pub fn fit<D: Dimension>(self, train: ArrayView<f32, D>) -> Result<Scaler> {
        if train.ndim() == 0 || train.is_empty() {
            return Err(Error::Invalid(
                "cannot fit a scaler on an empty array".into(),
            ));
        }
        let last = Axis(train.ndim() - 1);
        let n = train.len_of(last);
        let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(train.len() / n.max(1)); n];
        for lane in train.lanes(last) {
            for (f, &v) in lane.iter().enumerate() {
                columns[f].push(f64::from(v));
            }
        }
        let column = |f: usize| &columns[f];
        let positive_max = |name: &'static str, f: usize, max: f64| {
            if max > 0.0 && max.is_finite() {
                Ok(max)
            } else {
                Err(Error::DegenerateFeature {
                    scaler: name,
                    feature: f,
                    problem: format!("has max {max} on the training wells (must be > 0)"),
                })
            }
        };
        Ok(match self {
            ScalerKind::GlobalMax => {
                let max = train
                    .iter()
                    .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
                Scaler::GlobalMax(GlobalMax {
                    max: positive_max("global-max", 0, max)?,
                })
            }
            ScalerKind::FeatureMax => Scaler::FeatureMax(FeatureMax {
                max: (0..n)
                    .map(|f| {
                        positive_max(
                            "feature-max",
                            f,
                            column(f).iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        )
                    })
                    .collect::<Result<_>>()?,
            }),
            ScalerKind::MinMax => {
                let (mut min, mut max) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for f in 0..n {
                    let c = column(f);
                    let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    if hi <= lo || !(hi - lo).is_finite() {
                        return Err(Error::DegenerateFeature {
                            scaler: "min-max",
                            feature: f,
                            problem: format!("is constant ({lo}) on the training wells"),
                        });
                    }
                    min.push(lo);
                    max.push(hi);
                }
                Scaler::MinMax(MinMax { min, max })
            }
            ScalerKind::Standard => {
                let (mut mean, mut std) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for f in 0..n {
                    let c = column(f);
                    let m = c.iter().sum::<f64>() / c.len() as f64;
                    let s =
                        (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / c.len() as f64).sqrt();
                    if s.is_nan() || s <= 0.0 {
                        return Err(Error::DegenerateFeature {
                            scaler: "standard",
                            feature: f,
                            problem: format!("is constant ({m}) on the training wells"),
                        });
                    }
                    mean.push(m);
                    std.push(s);
                }
                Scaler::Standard(Standard { mean, std })
            }
            ScalerKind::Log1p => Scaler::Log1p(Log1p),
        })
    }
}

impl fmt::Display for ScalerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = ScalerKind::ALL
            .iter()
            .find(|(k, _)| k == self)
            .map_or("?", |(_, n)| n);
        f.write_str(name)
    }
}

impl FromStr for ScalerKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ScalerKind::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(s))
            .map(|&(kind, _)| kind)
            .ok_or_else(|| {
                let names: Vec<&str> = ScalerKind::ALL.iter().map(|(_, n)| *n).collect();
                Error::Invalid(format!(
                    "unknown scaler `{s}` (known: {})",
                    names.join(", ")
                ))
            })
    }
}

/// Divides every value by one max (the lesson).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalMax {
    /// The largest training value over all features.
    pub max: f64,
}

/// Divides each feature by its own max (assignment 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureMax {
    /// The largest training value of each feature.
    pub max: Vec<f64>,
}

/// Maps each feature to [0, 1] on the training range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinMax {
    /// Each feature's training minimum.
    pub min: Vec<f64>,
    /// Each feature's training maximum.
    pub max: Vec<f64>,
}

/// Standardises each feature (z-score).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standard {
    /// Each feature's training mean.
    pub mean: Vec<f64>,
    /// Each feature's training standard deviation (ddof = 0).
    pub std: Vec<f64>,
}

/// `ln(1 + x)`; inverse `exp(y) - 1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Log1p;

impl Transformer for GlobalMax {
    fn n_features(&self) -> Option<usize> {
        None
    }
    fn forward(&self, _: usize, value: f32) -> f32 {
        (f64::from(value) / self.max) as f32
    }
    fn inverse(&self, _: usize, value: f32) -> f32 {
        (f64::from(value) * self.max) as f32
    }
}

impl Transformer for FeatureMax {
    fn n_features(&self) -> Option<usize> {
        Some(self.max.len())
    }
    fn forward(&self, feature: usize, value: f32) -> f32 {
        (f64::from(value) / self.max[feature]) as f32
    }
    fn inverse(&self, feature: usize, value: f32) -> f32 {
        (f64::from(value) * self.max[feature]) as f32
    }
}

impl Transformer for MinMax {
    fn n_features(&self) -> Option<usize> {
        Some(self.min.len())
    }
    fn forward(&self, feature: usize, value: f32) -> f32 {
        ((f64::from(value) - self.min[feature]) / (self.max[feature] - self.min[feature])) as f32
    }
    fn inverse(&self, feature: usize, value: f32) -> f32 {
        (f64::from(value) * (self.max[feature] - self.min[feature]) + self.min[feature]) as f32
    }
}

impl Transformer for Standard {
    fn n_features(&self) -> Option<usize> {
        Some(self.mean.len())
    }
    fn forward(&self, feature: usize, value: f32) -> f32 {
        ((f64::from(value) - self.mean[feature]) / self.std[feature]) as f32
    }
    fn inverse(&self, feature: usize, value: f32) -> f32 {
        (f64::from(value) * self.std[feature] + self.mean[feature]) as f32
    }
}

impl Transformer for Log1p {
    fn n_features(&self) -> Option<usize> {
        None
    }
    fn forward(&self, _: usize, value: f32) -> f32 {
        f64::from(value).ln_1p() as f32
    }
    fn inverse(&self, _: usize, value: f32) -> f32 {
        f64::from(value).exp_m1() as f32
    }
}

/// Any fitted scaler; serialisable (serde, tagged by `kind`) so a saved model can carry its scaler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Scaler {
    /// See [`GlobalMax`].
    GlobalMax(GlobalMax),
    /// See [`FeatureMax`].
    FeatureMax(FeatureMax),
    /// See [`MinMax`].
    MinMax(MinMax),
    /// See [`Standard`].
    Standard(Standard),
    /// See [`Log1p`].
    Log1p(Log1p),
}

impl Scaler {
    /// Which kind of scaler this is.
    pub fn kind(&self) -> ScalerKind {
        match self {
            Scaler::GlobalMax(_) => ScalerKind::GlobalMax,
            Scaler::FeatureMax(_) => ScalerKind::FeatureMax,
            Scaler::MinMax(_) => ScalerKind::MinMax,
            Scaler::Standard(_) => ScalerKind::Standard,
            Scaler::Log1p(_) => ScalerKind::Log1p,
        }
    }

    fn inner(&self) -> &dyn DynTransformer {
        match self {
            Scaler::GlobalMax(s) => s,
            Scaler::FeatureMax(s) => s,
            Scaler::MinMax(s) => s,
            Scaler::Standard(s) => s,
            Scaler::Log1p(s) => s,
        }
    }
}

/// The dyn-compatible part of [`Transformer`], for dispatching inside [`Scaler`].
trait DynTransformer {
    fn n(&self) -> Option<usize>;
    fn fwd(&self, feature: usize, value: f32) -> f32;
    fn inv(&self, feature: usize, value: f32) -> f32;
}

impl<T: Transformer> DynTransformer for T {
    fn n(&self) -> Option<usize> {
        self.n_features()
    }
    fn fwd(&self, feature: usize, value: f32) -> f32 {
        self.forward(feature, value)
    }
    fn inv(&self, feature: usize, value: f32) -> f32 {
        self.inverse(feature, value)
    }
}

impl Transformer for Scaler {
    fn n_features(&self) -> Option<usize> {
        self.inner().n()
    }
    fn forward(&self, feature: usize, value: f32) -> f32 {
        self.inner().fwd(feature, value)
    }
    fn inverse(&self, feature: usize, value: f32) -> f32 {
        self.inner().inv(feature, value)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, array};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn global_max_is_one_max_over_all_features() {
        let train = array![[[1.0f32, 10.0], [4.0, 2.0]]];
        let s = ScalerKind::GlobalMax.fit(train.view()).unwrap();
        assert_eq!(s, Scaler::GlobalMax(GlobalMax { max: 10.0 }));
        let y = s.transform(array![[[5.0f32, 20.0]]].view()).unwrap();
        assert_eq!(y, array![[[0.5f32, 2.0]]]);
    }

    #[test]
    fn feature_max_min_max_and_standard_fit_per_feature() {
        let train = array![[[1.0f32, 10.0], [3.0, 30.0]]];
        let fm = ScalerKind::FeatureMax.fit(train.view()).unwrap();
        assert_eq!(
            fm.transform(train.view()).unwrap(),
            array![[[1.0f32 / 3.0, 1.0 / 3.0], [1.0, 1.0]]]
        );
        let mm = ScalerKind::MinMax.fit(train.view()).unwrap();
        assert_eq!(
            mm.transform(train.view()).unwrap(),
            array![[[0.0f32, 0.0], [1.0, 1.0]]]
        );
        let st = ScalerKind::Standard.fit(train.view()).unwrap();
        assert_eq!(
            st.transform(train.view()).unwrap(),
            array![[[-1.0f32, -1.0], [1.0, 1.0]]]
        );
        let wrong = Array3::<f32>::zeros((1, 1, 3));
        assert!(
            fm.transform(wrong.view())
                .unwrap_err()
                .to_string()
                .contains("2 feature")
        );
    }

    #[test]
    fn degenerate_features_are_errors_not_nans() {
        let zeros = Array3::<f32>::zeros((2, 3, 1));
        for kind in [
            ScalerKind::GlobalMax,
            ScalerKind::FeatureMax,
            ScalerKind::MinMax,
            ScalerKind::Standard,
        ] {
            let err = kind.fit(zeros.view()).unwrap_err().to_string();
            assert!(err.contains("feature 0"), "{kind}: {err}");
        }
        assert!(ScalerKind::Log1p.fit(zeros.view()).is_ok());
    }

    #[test]
    fn kinds_round_trip_through_their_names_and_serde() {
        for (kind, name) in ScalerKind::ALL {
            assert_eq!(name.parse::<ScalerKind>().unwrap(), kind);
            assert_eq!(kind.to_string(), name);
        }
        let s = ScalerKind::FeatureMax
            .fit(array![[[2.0f32, 4.0]]].view())
            .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"kind":"feature-max","max":[2.0,4.0]}"#);
        assert_eq!(serde_json::from_str::<Scaler>(&json).unwrap(), s);
    }

    #[test]
    fn inverse_of_one_feature_uses_that_features_parameters() {
        let s = ScalerKind::FeatureMax
            .fit(array![[[2.0f32, 4.0]]].view())
            .unwrap();
        let liquid_only = array![[0.5f32, 1.0]];
        assert_eq!(
            s.inverse_transform_feature(liquid_only.view(), 1).unwrap(),
            array![[2.0f32, 4.0]]
        );
        assert!(s.inverse_transform_feature(liquid_only.view(), 2).is_err());
    }

    proptest! {
        #[test]
        fn inverse_undoes_transform(
            values in proptest::collection::vec(0.0f32..200_000.0, 6..60),
            kind in proptest::sample::select(ScalerKind::ALL.map(|(k, _)| k).to_vec()),
        ) {
            let wells = values.len() / 6;
            let x = Array3::from_shape_vec((wells, 3, 2), values[..wells * 6].to_vec()).unwrap();
            let Ok(scaler) = kind.fit(x.view()) else {
                // Only constant features cannot be fitted.
                prop_assume!(false);
                unreachable!()
            };
            let back = scaler.inverse_transform(scaler.transform(x.view()).unwrap().view()).unwrap();
            let scale = x.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            for (a, b) in x.iter().zip(back.iter()) {
                prop_assert!((a - b).abs() <= 4e-6 * scale.max(a.abs()), "{kind}: {a} -> {b}");
            }
        }
    }
}
