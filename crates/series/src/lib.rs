#![doc = include_str!("../README.md")]
//!
//! Modules, in the order a forecast uses them: [`load`] (CSV → [`Production`]), [`pivot`] (→ wells × months ×
//! features), [`split`], [`scale`] (with [`ratio`], the liquid-ratio scaler), [`window`], [`forecast`](mod@forecast),
//! [`metrics`], [`baseline`]; [`setup`] runs them all for an app; [`synth`] makes test data.

pub mod baseline;
pub mod dead;
pub mod ensemble;
pub mod error;
pub mod feature;
pub mod forecast;
pub mod level;
pub mod load;
pub mod metrics;
pub mod pivot;
pub mod production;
pub mod ratio;
pub mod scale;
pub mod setup;
pub mod split;
pub mod synth;
pub mod window;

pub use baseline::{last_value, mean_profile};
pub use error::{Error, Result};
pub use feature::Feature;
pub use forecast::{SequenceModel, StatefulModel, forecast, forecast_stateful};
pub use metrics::{ForecastMetrics, Metrics, WellError, mae, mape_safe, rmse};
pub use pivot::{Pivot, ShortWell, ShortWellPolicy};
pub use production::{Production, Well, YearMonth};
pub use scale::{Scaler, ScalerKind, Transformer};
pub use setup::{Baselines, ForecastSetup, Prepared, SplitKind};
pub use split::Split;
pub use synth::{SyntheticConfig, generate};
pub use window::{WindowCount, many_to_many, many_to_one, split_months};
