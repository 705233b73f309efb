//! Times loading + pivoting a production CSV (Liquid, Gas, Water; first 24 months per well), in process, for
//! `bench/series_pandas.py`. Prints the median seconds over the repeats and the array's shape.
//!
//! ```text
//! cargo run --release -p rnnlab-series --example load_pivot -- FILE.csv [REPEATS]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use series::{Feature, Production, ShortWellPolicy};

const FEATURES: [Feature; 3] = [Feature::Liquid, Feature::Gas, Feature::Water];

fn run(path: &str, repeats: usize) -> series::Result<()> {
    let mut times = Vec::with_capacity(repeats);
    let mut shape = (0, 0, 0);
    for _ in 0..repeats {
        let start = Instant::now();
        let production = Production::from_path(path, &FEATURES)?;
        let pivot = production.pivot(&FEATURES, 24, ShortWellPolicy::Drop)?;
        times.push(start.elapsed().as_secs_f64());
        shape = pivot.data.dim();
    }
    times.sort_by(f64::total_cmp);
    println!("median_seconds {:.6}", times[times.len() / 2]);
    println!("shape {} {} {}", shape.0, shape.1, shape.2);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let repeats = args.get(2).map_or(Ok(5), |r| r.parse::<usize>());
    let (Some(path), Ok(repeats @ 1..)) = (args.get(1), repeats) else {
        eprintln!("usage: load_pivot FILE.csv [REPEATS ≥ 1]");
        return ExitCode::from(2);
    };
    match run(path, repeats) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
