//! The numeric columns of a production file.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A numeric column of the production file that can become a model feature.
///
/// `API`, `Year` and `Month` are keys, always required; `_LastUpdate` is never read. A feature column is required
/// only when it is loaded (see [`crate::Production::read`]), so a file without `Water` still serves a Liquid-only run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Feature {
    /// Oil (liquid) produced in the month, barrels.
    Liquid,
    /// Gas produced in the month.
    Gas,
    /// Gas / Liquid for the month (0 when Liquid is 0 in the real file).
    RatioGasOil,
    /// Water produced in the month, barrels.
    Water,
    /// Water / Liquid for the month (a ratio despite its name; 0 when Liquid is 0).
    PercentWater,
    /// Days the well produced in the month (0–31; 0 also means "not reported" in the real file).
    DaysOn,
}

impl Feature {
    /// Every feature, in file order.
    pub const ALL: [Feature; 6] = [
        Feature::Liquid,
        Feature::Gas,
        Feature::RatioGasOil,
        Feature::Water,
        Feature::PercentWater,
        Feature::DaysOn,
    ];

    /// The column name in the CSV header.
    pub fn column(self) -> &'static str {
        match self {
            Feature::Liquid => "Liquid",
            Feature::Gas => "Gas",
            Feature::RatioGasOil => "RatioGasOil",
            Feature::Water => "Water",
            Feature::PercentWater => "PercentWater",
            Feature::DaysOn => "DaysOn",
        }
    }

    /// Whether the column is a produced volume (Liquid, Gas, Water): a negative value is "negative production".
    pub fn is_production(self) -> bool {
        matches!(self, Feature::Liquid | Feature::Gas | Feature::Water)
    }

    /// Parses a comma-separated list such as `liquid,gas,water` (case-insensitive, spaces allowed).
    pub fn parse_list(list: &str) -> Result<Vec<Feature>> {
        let features = list
            .split(',')
            .map(|part| part.trim().parse())
            .collect::<Result<Vec<Feature>>>()?;
        check_distinct(&features)?;
        Ok(features)
    }
}

/// Errors if `features` is empty or names a feature twice.
pub(crate) fn check_distinct(features: &[Feature]) -> Result<()> {
    if features.is_empty() {
        return Err(Error::Invalid("no feature chosen".into()));
    }
    for (i, f) in features.iter().enumerate() {
        if features[..i].contains(f) {
            return Err(Error::Invalid(format!("feature `{f}` is listed twice")));
        }
    }
    Ok(())
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.column())
    }
}

impl FromStr for Feature {
    type Err = Error;

    /// Accepts the column name in any case (`liquid`, `Liquid`, `LIQUID`, `ratiogasoil`, `dayson`, ...).
    fn from_str(s: &str) -> Result<Self> {
        Feature::ALL
            .into_iter()
            .find(|f| f.column().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let known: Vec<&str> = Feature::ALL.iter().map(|f| f.column()).collect();
                Error::Invalid(format!(
                    "unknown feature `{s}` (known: {})",
                    known.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_in_any_case() {
        assert_eq!(
            Feature::parse_list("liquid, Gas,WATER").unwrap(),
            vec![Feature::Liquid, Feature::Gas, Feature::Water]
        );
        assert!(
            Feature::parse_list("liquid,oil")
                .unwrap_err()
                .to_string()
                .contains("`oil`")
        );
        assert!(
            Feature::parse_list("gas,gas")
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }
}
