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
use crate::feature::Feature;
pub use crate::ratio::LiquidRatio;

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

    /// Transforms one month's features in place. The default maps each value by [`Transformer::forward`]; a
    /// scaler whose features depend on each other (see [`LiquidRatio`]) overrides it.
    fn forward_row(&self, row: &mut [f32]) {
        for (feature, v) in row.iter_mut().enumerate() {
            *v = self.forward(feature, *v);
        }
    }

    /// Undoes [`Transformer::forward_row`].
    fn inverse_row(&self, row: &mut [f32]) {
        for (feature, v) in row.iter_mut().enumerate() {
            *v = self.inverse(feature, *v);
        }
    }

    /// Whether feature number `feature` can be mapped on its own, without the month's other features
    /// ([`Transformer::inverse_transform_feature`]). True for every per-feature scaler.
    fn separable(&self, _feature: usize) -> bool {
        true
    }

    /// Transforms every element of `x` (last axis = features).
    fn transform<D: Dimension>(&self, x: ArrayView<f32, D>) -> Result<Array<f32, D>>
    where
        Self: Sized,
    {
        map_features(self, x, None, true)
    }

    /// Maps every element of `x` back to the original units (last axis = features).
    fn inverse_transform<D: Dimension>(&self, x: ArrayView<f32, D>) -> Result<Array<f32, D>>
    where
        Self: Sized,
    {
        map_features(self, x, None, false)
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
        map_features(self, x, Some(feature), false)
    }
}

fn map_features<T: Transformer, D: Dimension>(
    scaler: &T,
    x: ArrayView<f32, D>,
    only: Option<usize>,
    forward: bool,
) -> Result<Array<f32, D>> {
    let mut out = x.to_owned();
    match only {
        Some(feature) => {
            if let Some(n) = scaler.n_features().filter(|&n| feature >= n) {
                return Err(Error::Invalid(format!(
                    "feature {feature} out of range for a scaler fitted on {n}"
                )));
            }
            if !scaler.separable(feature) {
                return Err(Error::Invalid(format!(
                    "feature {feature} cannot be mapped on its own by this scaler (it depends on the month's \
                     other features): transform whole months"
                )));
            }
            if forward {
                out.mapv_inplace(|v| scaler.forward(feature, v));
            } else {
                out.mapv_inplace(|v| scaler.inverse(feature, v));
            }
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
            let mut row = vec![0.0f32; x.len_of(last)];
            for mut lane in out.lanes_mut(last) {
                for (r, v) in row.iter_mut().zip(lane.iter()) {
                    *r = *v;
                }
                if forward {
                    scaler.forward_row(&mut row);
                } else {
                    scaler.inverse_row(&mut row);
                }
                for (v, r) in lane.iter_mut().zip(&row) {
                    *v = *r;
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
    /// Liquid divided by its training max (the lesson's units); every other feature as its log ratio to Liquid,
    /// standardised and down-weighted (see [`LiquidRatio`]). The default for several features.
    LiquidRatio,
}

impl ScalerKind {
    /// Every kind, with its command-line name (`global-max`, `feature-max`, `min-max`, `standard`, `log1p`).
    pub const ALL: [(ScalerKind, &'static str); 6] = [
        (ScalerKind::GlobalMax, "global-max"),
        (ScalerKind::FeatureMax, "feature-max"),
        (ScalerKind::MinMax, "min-max"),
        (ScalerKind::Standard, "standard"),
        (ScalerKind::Log1p, "log1p"),
        (ScalerKind::LiquidRatio, "liquid-ratio"),
    ];

    /// Fits the scaler on `train` whose last axis holds `features` in that order. Only [`ScalerKind::LiquidRatio`]
    /// needs the names (it finds Liquid among them); every other kind is [`ScalerKind::fit`].
    pub fn fit_features<D: Dimension>(
        self,
        train: ArrayView<f32, D>,
        features: &[Feature],
    ) -> Result<Scaler> {
        if self != ScalerKind::LiquidRatio {
            return self.fit(train);
        }
        let liquid = features
            .iter()
            .position(|&f| f == Feature::Liquid)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "the liquid-ratio scaler needs Liquid among the features (got {})",
                    features
                        .iter()
                        .map(|f| f.column())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        LiquidRatio::fit(train, liquid).map(Scaler::LiquidRatio)
    }

    /// Fits the scaler on `train` (last axis = features; pass the training wells only). [`ScalerKind::LiquidRatio`]
    /// takes feature 0 as Liquid here; [`ScalerKind::fit_features`] finds it by name.
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
            ScalerKind::LiquidRatio => Scaler::LiquidRatio(LiquidRatio::fit(train, 0)?),
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
    /// See [`LiquidRatio`].
    LiquidRatio(LiquidRatio),
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
            Scaler::LiquidRatio(_) => ScalerKind::LiquidRatio,
        }
    }

    /// Checks a scaler that did not come from [`ScalerKind::fit`] (e.g. one read back from a saved model, which
    /// anyone can edit): every parameter finite, every max (and every max − min, every standard deviation) > 0,
    /// parameter lists of equal length, and `n_features` features where the scaler is per-feature. A scaler that
    /// passes cannot produce a NaN or an infinity from finite data of that width, nor index out of range.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        let name = self.kind().to_string();
        let bad = |problem: String| Error::InvalidScaler {
            scaler: name.clone(),
            problem,
        };
        let positive = |what: &str, values: &[f64]| {
            values.iter().enumerate().try_for_each(|(f, &v)| {
                if v.is_finite() && v > 0.0 {
                    Ok(())
                } else {
                    Err(bad(format!("{what}[{f}] is {v} (must be finite and > 0)")))
                }
            })
        };
        let finite = |what: &str, values: &[f64]| {
            values.iter().enumerate().try_for_each(|(f, &v)| {
                if v.is_finite() {
                    Ok(())
                } else {
                    Err(bad(format!("{what}[{f}] is {v} (must be finite)")))
                }
            })
        };
        let width = |what: &str, len: usize| {
            if len == n_features {
                Ok(())
            } else {
                Err(bad(format!(
                    "{what} has {len} value(s) for {n_features} feature(s)"
                )))
            }
        };
        match self {
            Scaler::GlobalMax(g) => positive("max", &[g.max])
                .map_err(|_| bad(format!("max is {} (must be finite and > 0)", g.max))),
            Scaler::FeatureMax(s) => {
                width("max", s.max.len())?;
                positive("max", &s.max)
            }
            Scaler::MinMax(s) => {
                width("min", s.min.len())?;
                width("max", s.max.len())?;
                finite("min", &s.min)?;
                finite("max", &s.max)?;
                let range: Vec<f64> = s.max.iter().zip(&s.min).map(|(hi, lo)| hi - lo).collect();
                positive("max - min", &range)
            }
            Scaler::Standard(s) => {
                width("mean", s.mean.len())?;
                width("std", s.std.len())?;
                finite("mean", &s.mean)?;
                positive("std", &s.std)
            }
            Scaler::Log1p(_) => Ok(()),
            Scaler::LiquidRatio(s) => s.validate(n_features),
        }
    }

    fn inner(&self) -> &dyn DynTransformer {
        match self {
            Scaler::GlobalMax(s) => s,
            Scaler::FeatureMax(s) => s,
            Scaler::MinMax(s) => s,
            Scaler::Standard(s) => s,
            Scaler::Log1p(s) => s,
            Scaler::LiquidRatio(s) => s,
        }
    }
}

/// The dyn-compatible part of [`Transformer`], for dispatching inside [`Scaler`].
trait DynTransformer {
    fn n(&self) -> Option<usize>;
    fn fwd(&self, feature: usize, value: f32) -> f32;
    fn inv(&self, feature: usize, value: f32) -> f32;
    fn fwd_row(&self, row: &mut [f32]);
    fn inv_row(&self, row: &mut [f32]);
    fn sep(&self, feature: usize) -> bool;
}

impl<T: Transformer> DynTransformer for T {
    fn n(&self) -> Option<usize> {
        self.n_features()
    }
    fn fwd_row(&self, row: &mut [f32]) {
        self.forward_row(row);
    }
    fn inv_row(&self, row: &mut [f32]) {
        self.inverse_row(row);
    }
    fn sep(&self, feature: usize) -> bool {
        self.separable(feature)
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
    fn forward_row(&self, row: &mut [f32]) {
        self.inner().fwd_row(row);
    }
    fn inverse_row(&self, row: &mut [f32]) {
        self.inner().inv_row(row);
    }
    fn separable(&self, feature: usize) -> bool {
        self.inner().sep(feature)
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

    fn read(json: &str) -> Scaler {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn fitted_scalers_validate() {
        let train = array![[[1.0f32, 10.0], [3.0, 30.0]]];
        for (kind, _) in ScalerKind::ALL {
            kind.fit(train.view()).unwrap().validate(2).unwrap();
        }
    }

    #[test]
    fn tampered_scalers_are_named_errors() {
        let cases = [
            (
                r#"{"kind":"global-max","max":0.0}"#,
                "invalid global-max scaler: max is 0 (must be finite and > 0)",
            ),
            (
                r#"{"kind":"global-max","max":-5.0}"#,
                "invalid global-max scaler: max is -5 (must be finite and > 0)",
            ),
            (
                r#"{"kind":"feature-max","max":[2.0,0.0]}"#,
                "invalid feature-max scaler: max[1] is 0 (must be finite and > 0)",
            ),
            (
                r#"{"kind":"feature-max","max":[2.0]}"#,
                "invalid feature-max scaler: max has 1 value(s) for 2 feature(s)",
            ),
            (
                r#"{"kind":"min-max","min":[1.0,5.0],"max":[2.0,5.0]}"#,
                "invalid min-max scaler: max - min[1] is 0 (must be finite and > 0)",
            ),
            (
                r#"{"kind":"min-max","min":[1.0],"max":[2.0,5.0]}"#,
                "invalid min-max scaler: min has 1 value(s) for 2 feature(s)",
            ),
            (
                r#"{"kind":"min-max","min":[-1e308,0.0],"max":[1e308,1.0]}"#,
                "invalid min-max scaler: max - min[0] is inf (must be finite and > 0)",
            ),
            (
                r#"{"kind":"standard","mean":[0.0,1.0],"std":[1.0,-2.0]}"#,
                "invalid standard scaler: std[1] is -2 (must be finite and > 0)",
            ),
            (
                r#"{"kind":"standard","mean":[0.0,1.0,2.0],"std":[1.0,2.0]}"#,
                "invalid standard scaler: mean has 3 value(s) for 2 feature(s)",
            ),
        ];
        for (json, message) in cases {
            let scaler = read(json);
            assert_eq!(
                scaler.validate(2).unwrap_err().to_string(),
                message,
                "{json}"
            );
            // Without the check, each of these turns finite data into NaN/inf or panics on an index.
        }
        read(r#"{"kind":"log1p"}"#).validate(3).unwrap();
        // JSON has no NaN or infinity, and serde_json refuses numbers beyond f64.
        assert!(serde_json::from_str::<Scaler>(r#"{"kind":"global-max","max":1e999}"#).is_err());
        assert!(serde_json::from_str::<Scaler>(r#"{"kind":"global-max","max":null}"#).is_err());
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
