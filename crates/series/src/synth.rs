//! A synthetic production file: Arps hyperbolic decline with noise, ramp-up, shut-ins, gas and water, written with the
//! real file's columns and formats.
//!
//! Each well draws its own parameters:
//! - initial rate `qi` (barrels/month) log-normal around 12,000 (σ = 0.6), hyperbolic exponent `b` ~ U(0.3, 1.5),
//!   initial decline `Di` log-normal around 0.25/month (σ = 0.4), so that `q(t) = qi / (1 + b·Di·t)^(1/b)` falls to
//!   about a quarter of the peak after a year and a seventh after two, as the real wells do;
//! - a peak 0–4 months after the first month, weighted as the real wells' peaks (rising from 60 % of it), a first month that is only partly
//!   produced in 60 % of the wells, and heavy-tailed multiplicative noise per month (±10 %, plus ±60 % in one month of ten: the
//!   real wells' month-to-month changes have a median of 13 % and a 90th percentile of 60 %);
//! - with probability 0.25 a shut-in of 1–5 months (all volumes and DaysOn 0), giving about 2–3 % zero months like the
//!   real file;
//! - a gas-oil ratio log-normal around 2.4 that drifts upwards, a water-oil ratio log-normal around 0.7 that drifts,
//!   each with its own noise, so Gas and Water follow Liquid;
//! - DaysOn from the calendar (partial first month, occasional downtime that also cuts that month's volumes), or 0
//!   for the 30 % of wells that do not report it, as in the real file.
//!
//! Volumes are rounded to whole barrels before any ratio is computed, and ratios are one IEEE division of two
//! integers printed in shortest round-trip form, so a seed gives the same bytes on every platform.

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::error::{Error, Result};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticConfig {
    /// Number of wells.
    pub wells: usize,
    /// Months per well.
    pub months: usize,
    /// The ChaCha8 seed.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    /// The committed fixture's settings: 50 wells × 24 months, seed 2 (of seeds 1–4 and 2016, the one whose
    /// statistics and naive-baseline errors are closest to the real file's).
    fn default() -> Self {
        SyntheticConfig {
            wells: 50,
            months: 24,
            seed: 2,
        }
    }
}

impl SyntheticConfig {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<()> {
        if self.wells == 0 || self.months == 0 || self.wells > 1_000_000 || self.months > 1200 {
            return Err(Error::Invalid(format!(
                "synthetic data needs 1–1,000,000 wells and 1–1200 months (got {} × {})",
                self.wells, self.months
            )));
        }
        Ok(())
    }
}

/// The header of the real file, which the generator reproduces.
pub const HEADER: &str =
    "API,Year,Month,Liquid,Gas,RatioGasOil,Water,PercentWater,DaysOn,_LastUpdate";

/// (state code, weight): the states of the real file's wells, weighted roughly as there.
const STATES: [(u64, u32); 6] = [(5, 12), (30, 2), (33, 21), (35, 3), (42, 11), (49, 1)];

struct WellPlan {
    api: u64,
    start: i32,
}

/// Writes a synthetic production CSV (header + wells × months rows, wells in API order, `\n` line ends).
pub fn generate(config: &SyntheticConfig, mut out: impl Write) -> Result<()> {
    config.validate()?;
    let io = |error| Error::Io {
        path: "<synthetic output>".into(),
        error,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut plans = draw_plans(config, &mut rng);
    plans.sort_by_key(|p| p.api);
    writeln!(out, "{HEADER}").map_err(io)?;
    let mut line = String::with_capacity(128);
    for plan in &plans {
        for row in well_rows(plan, config.months, &mut rng) {
            line.clear();
            row.format(plan.api, &mut line);
            out.write_all(line.as_bytes()).map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

/// Distinct API ids and start months.
fn draw_plans(config: &SyntheticConfig, rng: &mut ChaCha8Rng) -> Vec<WellPlan> {
    let mut seen = std::collections::HashSet::new();
    let mut plans = Vec::with_capacity(config.wells);
    while plans.len() < config.wells {
        let state = STATES[pick_weighted(rng, &STATES.map(|s| s.1))].0;
        let county = 2 * rng.random_range(0..250u64) + 1;
        let number = rng.random_range(1..100_000u64);
        let sidetrack = [0u64, 0, 0, 100, 200][rng.random_range(0..5)];
        let api = state * 1_000_000_000_000 + county * 1_000_000_000 + number * 10_000 + sidetrack;
        // First month between 2013-04 and 2016-06.
        let start = 2013 * 12 + 3 + rng.random_range(0..39);
        if seen.insert(api) {
            plans.push(WellPlan { api, start });
        }
    }
    plans
}

struct Row {
    year: i32,
    month: i32,
    liquid: u64,
    gas: u64,
    water: u64,
    days: u32,
    updated: (i32, i32, u32, u32, u32, u32, u32),
}

impl Row {
    fn format(&self, api: u64, line: &mut String) {
        use std::fmt::Write as _;
        let ratio = |num: u64| {
            if self.liquid == 0 {
                0.0
            } else {
                num as f64 / self.liquid as f64
            }
        };
        let (y, m, d, hh, mm, ss, ms) = self.updated;
        // `{:?}` prints f64 in shortest round-trip form with a `.0` on whole numbers, as Python does.
        let _ = writeln!(
            line,
            "{api},{},{},{},{},{:?},{},{:?},{},{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}.{ms:03}",
            self.year,
            self.month,
            self.liquid,
            self.gas,
            ratio(self.gas),
            self.water,
            ratio(self.water),
            self.days,
        );
    }
}

/// An index drawn with probability proportional to `weights`.
fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let mut pick = rng.random_range(0..weights.iter().sum::<u32>());
    for (i, &w) in weights.iter().enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}

/// Month-to-month noise with the real wells' heavy tail: ±10 % (log-normal) in most months, and in one month of
/// ten an extra disturbance of ±60 % (work-overs, curtailment, allocation changes).
fn month_noise(rng: &mut ChaCha8Rng) -> f64 {
    let base = lognormal(rng, 1.0, 0.1);
    if rng.random_bool(0.1) {
        base * lognormal(rng, 1.0, 0.6)
    } else {
        base
    }
}

/// A log-normal draw with the given median and log-scale sigma.
fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    median * (sigma * z).exp()
}

fn days_in_month(year: i32, month: i32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn well_rows(plan: &WellPlan, months: usize, rng: &mut ChaCha8Rng) -> Vec<Row> {
    let qi = lognormal(rng, 12_000.0, 0.6);
    let b: f64 = rng.random_range(0.3..1.5);
    let di = lognormal(rng, 0.25, 0.4).min(1.5);
    // Month of the peak, weighted as the real wells' argmax: 0 (24 %), 1 (34 %), 2 (22 %), 3 (12 %), 4 (8 %).
    let peak = pick_weighted(rng, &[12, 17, 11, 6, 4]);
    let first_fraction: f64 = if rng.random_bool(0.4) {
        1.0
    } else {
        rng.random_range(0.15..1.0)
    };
    let gor0 = lognormal(rng, 2.4, 0.8);
    let gor_drift: f64 = rng.random_range(0.0..0.04);
    let wor0 = lognormal(rng, 0.7, 1.0);
    let wor_drift: f64 = rng.random_range(-0.02..0.06);
    let reports_days = rng.random_bool(0.7);
    let shut_in = if rng.random_bool(0.25) && months > 3 {
        let start = rng.random_range(2..months);
        Some(start..(start + rng.random_range(1..=5)).min(months))
    } else {
        None
    };

    let end = plan.start + months as i32 - 1;
    let update_month = end + rng.random_range(1..25);
    let updated = (
        update_month / 12,
        update_month % 12 + 1,
        rng.random_range(1..29),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60),
        rng.random_range(0..1000),
    );

    (0..months)
        .map(|t| {
            let index = plan.start + t as i32;
            let (year, month) = (index / 12, index % 12 + 1);
            let full_days = days_in_month(year, month);
            let rate = if t < peak {
                qi * (0.6 + 0.4 * t as f64 / peak as f64)
            } else {
                qi / (1.0 + b * di * (t - peak) as f64).powf(1.0 / b)
            };
            let mut fraction = if t == 0 { first_fraction } else { 1.0 };
            if t > 0 && rng.random_bool(0.15) {
                fraction = f64::from(full_days - rng.random_range(1..10)) / f64::from(full_days);
            }
            let shut = shut_in.as_ref().is_some_and(|r| r.contains(&t));
            let liquid = if shut {
                0.0
            } else {
                (rate * fraction * month_noise(rng)).round()
            };
            let gor = gor0 * (1.0 + gor_drift * t as f64);
            let wor = (wor0 * (1.0 + wor_drift * t as f64)).max(0.05 * wor0);
            let gas = (liquid * gor * lognormal(rng, 1.0, 0.1)).round();
            let water = (liquid * wor * lognormal(rng, 1.0, 0.2)).round();
            let days = if shut || !reports_days {
                0
            } else {
                ((fraction * f64::from(full_days)).round() as u32).clamp(1, full_days)
            };
            Row {
                year,
                month,
                liquid: liquid as u64,
                gas: gas as u64,
                water: water as u64,
                days,
                updated,
            }
        })
        .collect()
}
