//! Loaded production data: wells in pandas' groupby order, each with its months in calendar order.

use crate::error::{Error, Result};
use crate::feature::Feature;

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// The year, e.g. 2015.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
}

/// One well: its API id, its months in (Year, Month) order and one value per loaded feature for each month.
#[derive(Clone, Debug, PartialEq)]
pub struct Well {
    pub(crate) api: String,
    pub(crate) months: Vec<YearMonth>,
    pub(crate) lines: Vec<u64>,
    /// months × features, row-major.
    pub(crate) values: Vec<f32>,
    pub(crate) n_features: usize,
}

impl Well {
    /// The API id as pandas would print it (an integer without leading zeros when every API in the file is an
    /// integer, otherwise the cell's text).
    pub fn api(&self) -> &str {
        &self.api
    }

    /// The months, in calendar order.
    pub fn months(&self) -> &[YearMonth] {
        &self.months
    }

    /// The number of months.
    pub fn len(&self) -> usize {
        self.months.len()
    }

    /// Whether the well has no month (never true for a loaded well).
    pub fn is_empty(&self) -> bool {
        self.months.is_empty()
    }

    /// The file line each month came from (1-based, the header is line 1).
    pub fn lines(&self) -> &[u64] {
        &self.lines
    }

    /// The value of loaded feature number `feature` (an index into [`Production::features`]) in month `month`.
    pub fn value(&self, month: usize, feature: usize) -> f32 {
        self.values[month * self.n_features + feature]
    }
}

/// A loaded production file: the wells ordered by API as `pd.read_csv(...).groupby("API")` orders them.
#[derive(Clone, Debug, PartialEq)]
pub struct Production {
    pub(crate) source: String,
    pub(crate) features: Vec<Feature>,
    pub(crate) wells: Vec<Well>,
    pub(crate) numeric_api: bool,
}

impl Production {
    /// The file (or stream name) the data came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The features that were loaded, in the order given to the loader.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// The wells, ordered by API (numerically when every API is an integer, as pandas' int64 column sorts;
    /// otherwise by string).
    pub fn wells(&self) -> &[Well] {
        &self.wells
    }

    /// Whether every API cell was an integer, so that wells are ordered numerically.
    pub fn api_is_numeric(&self) -> bool {
        self.numeric_api
    }

    /// The number of data rows (well-months).
    pub fn n_rows(&self) -> usize {
        self.wells.iter().map(Well::len).sum()
    }

    /// The position of `feature` among the loaded features.
    pub fn feature_index(&self, feature: Feature) -> Result<usize> {
        self.features
            .iter()
            .position(|&f| f == feature)
            .ok_or_else(|| Error::FeatureNotLoaded {
                feature: feature.to_string(),
                loaded: feature_list(&self.features),
            })
    }
}

/// `Liquid, Gas` for error messages.
pub(crate) fn feature_list(features: &[Feature]) -> String {
    features
        .iter()
        .map(|f| f.column())
        .collect::<Vec<_>>()
        .join(", ")
}
