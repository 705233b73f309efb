//! The pivot from rows to a (wells × months × features) array, as the lesson's `m` matrix.

use ndarray::{Array3, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::feature::{Feature, check_distinct};
use crate::production::{Production, feature_list};

/// What to do with wells that have fewer months than requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ShortWellPolicy {
    /// Leave them out and list them in [`Pivot::dropped`] (see [`Pivot::warning`]).
    #[default]
    Drop,
    /// Fail with [`Error::ShortWells`] listing them.
    Reject,
}

/// A well left out of a pivot because it is too short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortWell {
    /// Its API id.
    pub api: String,
    /// How many months it has.
    pub months: usize,
}

/// Wells × months × features, with the API id of each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Pivot {
    /// The values: `data[[well, month, feature]]`, month 0 being each well's first month.
    pub data: Array3<f32>,
    /// The API id of each well (row of `data`), in the same order.
    pub apis: Vec<String>,
    /// The feature of each column of the last axis.
    pub features: Vec<Feature>,
    /// Wells left out because they were shorter than the requested number of months.
    pub dropped: Vec<ShortWell>,
}

impl Production {
    /// Builds the (wells × `months` × features) array from each well's first `months` months, wells in API order.
    ///
    /// Longer wells are cut to their first `months` months (the lesson keeps 24). Shorter wells are dropped or
    /// rejected according to `policy`; it is an error if no well is left.
    pub fn pivot(
        &self,
        features: &[Feature],
        months: usize,
        policy: ShortWellPolicy,
    ) -> Result<Pivot> {
        check_distinct(features)?;
        if months == 0 {
            return Err(Error::Invalid("a pivot needs at least one month".into()));
        }
        let columns = features
            .iter()
            .map(|&f| self.feature_index(f))
            .collect::<Result<Vec<_>>>()?;
        let (kept, short): (Vec<_>, Vec<_>) = self.wells.iter().partition(|w| w.len() >= months);
        let dropped: Vec<ShortWell> = short
            .iter()
            .map(|w| ShortWell {
                api: w.api.clone(),
                months: w.len(),
            })
            .collect();
        if policy == ShortWellPolicy::Reject && !dropped.is_empty() {
            return Err(Error::ShortWells {
                source_name: self.source.clone(),
                count: dropped.len(),
                months,
                list: short_list(&dropped),
            });
        }
        if kept.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: no well has {months} months (longest has {})",
                self.source,
                self.wells.iter().map(|w| w.len()).max().unwrap_or(0)
            )));
        }
        let data = Array3::from_shape_fn((kept.len(), months, features.len()), |(w, t, f)| {
            kept[w].value(t, columns[f])
        });
        Ok(Pivot {
            data,
            apis: kept.iter().map(|w| w.api.clone()).collect(),
            features: features.to_vec(),
            dropped,
        })
    }
}

impl Pivot {
    /// A one-line warning listing the dropped wells, or `None` if none was dropped.
    pub fn warning(&self) -> Option<String> {
        (!self.dropped.is_empty()).then(|| {
            format!(
                "dropped {} well(s) shorter than {} months: {}",
                self.dropped.len(),
                self.data.len_of(Axis(1)),
                short_list(&self.dropped)
            )
        })
    }

    /// The number of wells.
    pub fn n_wells(&self) -> usize {
        self.data.len_of(Axis(0))
    }

    /// The position of `feature` on the last axis.
    pub fn feature_index(&self, feature: Feature) -> Result<usize> {
        self.features
            .iter()
            .position(|&f| f == feature)
            .ok_or_else(|| Error::FeatureNotLoaded {
                feature: feature.to_string(),
                loaded: feature_list(&self.features),
            })
    }

    /// The wells at `indices` (in that order), e.g. the train or test side of a [`crate::Split`].
    pub fn select(&self, indices: &[usize]) -> Result<Pivot> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.n_wells()) {
            return Err(Error::Invalid(format!(
                "well index {bad} out of range for {} wells",
                self.n_wells()
            )));
        }
        Ok(Pivot {
            data: self.data.select(Axis(0), indices),
            apis: indices.iter().map(|&i| self.apis[i].clone()).collect(),
            features: self.features.clone(),
            dropped: Vec::new(),
        })
    }
}

fn short_list(wells: &[ShortWell]) -> String {
    wells
        .iter()
        .map(|w| format!("{} ({} months)", w.api, w.months))
        .collect::<Vec<_>>()
        .join(", ")
}
