//! Prints the lesson's two naive baselines for a production CSV: Liquid, first 24 months, global-max scaling fitted
//! on the first 40 wells, months 13–24 of the remaining wells forecast from their first 12.
//!
//! ```text
//! cargo run --release -p rnnlab-series --example baselines -- ../shared/data/production.csv
//! ```

use std::process::ExitCode;

use ndarray::{Axis, Slice};
use series::{
    Feature, ForecastMetrics, Production, Scaler, ScalerKind, ShortWellPolicy, Split, Transformer,
};

fn run(path: &str) -> series::Result<()> {
    let production = Production::from_path(path, &[Feature::Liquid])?;
    let pivot = production.pivot(&[Feature::Liquid], 24, ShortWellPolicy::Drop)?;
    if let Some(warning) = pivot.warning() {
        eprintln!("warning: {warning}");
    }
    let split = Split::first(pivot.n_wells(), 40)?;
    let (train, test) = (pivot.select(&split.train)?, pivot.select(&split.test)?);
    let scaler = ScalerKind::GlobalMax.fit(train.data.view())?;
    if let Scaler::GlobalMax(g) = &scaler {
        println!(
            "wells {} (train {}, test {}), global max {}",
            pivot.n_wells(),
            train.n_wells(),
            test.n_wells(),
            g.max
        );
    }
    let train_scaled = scaler.transform(train.data.view())?;
    let test_scaled = scaler.transform(test.data.view())?;
    let history = test_scaled.slice_axis(Axis(1), Slice::from(..12));
    let actual = test_scaled.slice_axis(Axis(1), Slice::from(12..));
    let baselines = [
        ("last value", series::last_value(history, 12)?),
        (
            "mean profile",
            series::mean_profile(train_scaled.view(), history, 12)?,
        ),
    ];
    for (name, forecast) in &baselines {
        let m = ForecastMetrics::evaluate(forecast.view(), actual, &scaler, 0, &test.apis)?;
        println!(
            "{name:<13} MAE scaled {:.4}  RMSE scaled {:.4}  MAE {:.1} bbl  RMSE {:.1} bbl  MAPE {:.1} %",
            m.mae_scaled,
            m.rmse_scaled,
            m.mae,
            m.rmse,
            m.mape.unwrap_or(f64::NAN)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: baselines PRODUCTION.csv");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
