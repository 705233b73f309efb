//! Writes a synthetic production CSV to stdout.
//!
//! ```text
//! cargo run --release -p rnnlab-series --example generate -- [--seed 2] [--wells 50] [--months 24] > file.csv
//! ```
//! The defaults make `fixtures/wells/production_synthetic.csv`.

use std::io::{BufWriter, stdout};
use std::process::ExitCode;

use series::SyntheticConfig;

fn parse_args() -> Result<SyntheticConfig, String> {
    let mut config = SyntheticConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--seed" => config.seed = number(&value)?,
            "--wells" => config.wells = number(&value)? as usize,
            "--months" => config.months = number(&value)? as usize,
            _ => {
                return Err(format!(
                    "unknown flag {flag} (flags: --seed, --wells, --months)"
                ));
            }
        }
    }
    Ok(config)
}

fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match series::generate(&config, BufWriter::new(stdout().lock())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
