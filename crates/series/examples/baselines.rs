//! Prints the lesson's two naive baselines for a production CSV: Liquid, first 24 months, global-max scaling fitted
//! on the first 40 wells, months 13–24 of the remaining wells forecast from their first 12.
//!
//! ```text
//! cargo run --release -p rnnlab-series --example baselines -- ../shared/data/production.csv
//! ```

use std::process::ExitCode;

use series::{Feature, ForecastSetup, Production, Scaler};

fn run(path: &str) -> series::Result<()> {
    // The lesson: Liquid, 24 months, window 12, first 40 wells train, global max fitted on them.
    let setup = ForecastSetup::default();
    let prepared = setup.prepare(&Production::from_path(path, &setup.features)?)?;
    if let Some(warning) = prepared.pivot.warning() {
        eprintln!("warning: {warning}");
    }
    if let Scaler::GlobalMax(g) = &prepared.scaler {
        println!(
            "wells {} (train {}, test {}), global max {}, training windows {:?}",
            prepared.pivot.n_wells(),
            prepared.train.n_wells(),
            prepared.test.n_wells(),
            g.max,
            prepared.x.dim()
        );
    }
    let baselines = prepared.baselines(Feature::Liquid)?;
    for (name, m) in [
        ("last value", &baselines.last_value),
        ("mean profile", &baselines.mean_profile),
    ] {
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
