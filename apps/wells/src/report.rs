//! The metrics file (field names are an interface: `bench/wells.py` and users read them) and the printed table.

use ndarray::{Array3, Axis};
use serde::Serialize;
use series::{Baselines, ForecastMetrics};

use crate::cli::{CellArg, HeadArg, ModelChoice, NormalizeArg};

/// One epoch of training.
#[derive(Clone, Debug, Serialize)]
pub struct EpochRow {
    /// 1-based.
    pub epoch: usize,
    /// Mean training loss (MSE in the model's units).
    pub loss: f64,
    /// Mean absolute error on the training windows.
    pub mae: f64,
    /// Validation loss, with `--validation-split`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub val_loss: Option<f64>,
}

/// What `--metrics-json` writes. Forecast and baselines are for Liquid on the test wells over the forecast months;
/// `*_scaled` values are in the lesson's units (barrels / `scale_max`, the training wells' max Liquid), whatever
/// scaler the model used, so every run is comparable.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsFile {
    /// `--seed`.
    pub seed: u64,
    /// Input = output columns.
    pub features: Vec<String>,
    /// Trainable parameters (summed over the ensemble's members).
    pub params: usize,
    /// Models averaged (`--ensemble`).
    pub members: usize,
    /// Scaling, windowing and fitting, in seconds (0 for a loaded model).
    pub train_seconds: f64,
    /// Per-epoch training figures.
    pub history: Vec<EpochRow>,
    /// Whether any output predicts a constant after training.
    pub dead_output: bool,
    /// The features whose output is dead.
    pub dead_features: Vec<String>,
    /// The model's Liquid forecast.
    pub forecast: ForecastMetrics,
    /// The naive baselines.
    pub baselines: Baselines,
    /// Barrels per scaled unit.
    pub scale_max: f64,
    /// Number of test wells.
    pub test_wells: usize,
    /// Input months.
    pub window: usize,
    /// Forecast months.
    pub horizon: usize,
    /// The data file.
    pub csv: String,
    /// The model, in words.
    pub model: String,
}

/// One test well's Liquid in barrels: what the forecast plot draws.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The well's API.
    pub api: String,
    /// Actual Liquid, every month (window + horizon).
    pub actual: Vec<f64>,
    /// Forecast Liquid, the forecast months.
    pub forecast: Vec<f64>,
}

/// One [`Panel`] per test well: `actual` (wells × months × features) and `pred` (wells × horizon × features) are
/// barrels; Liquid is feature number `liquid`.
pub fn panels(
    apis: &[String],
    actual: &Array3<f32>,
    pred: &Array3<f32>,
    liquid: usize,
) -> Vec<Panel> {
    let column = |a: &Array3<f32>, w: usize| -> Vec<f64> {
        a.index_axis(Axis(0), w)
            .index_axis(Axis(1), liquid)
            .iter()
            .map(|&v| f64::from(v))
            .collect()
    };
    apis.iter()
        .enumerate()
        .map(|(w, api)| Panel {
            api: api.clone(),
            actual: column(actual, w),
            forecast: column(pred, w),
        })
        .collect()
}

/// The per-epoch figures averaged over the ensemble's members (epochs that every member ran), and the mean
/// validation loss per epoch (empty without validation).
pub fn mean_history(histories: &[nn::History]) -> (Vec<EpochRow>, Vec<f64>) {
    let epochs = histories.iter().map(|h| h.epochs.len()).min().unwrap_or(0);
    let n = histories.len().max(1) as f64;
    let mean = |f: &dyn Fn(&nn::train::EpochLog) -> Option<f64>, e: usize| {
        let values: Vec<f64> = histories.iter().filter_map(|h| f(&h.epochs[e])).collect();
        (values.len() == histories.len()).then(|| values.iter().sum::<f64>() / n)
    };
    let mae = |log: &nn::train::EpochLog| {
        log.metrics
            .iter()
            .find(|(name, _)| name == "mae")
            .map(|(_, v)| f64::from(*v))
    };
    let rows = (0..epochs)
        .map(|e| EpochRow {
            epoch: e + 1,
            loss: mean(&|l| Some(f64::from(l.loss)), e).unwrap_or(f64::NAN),
            mae: mean(&mae, e).unwrap_or(f64::NAN),
            val_loss: mean(&|l| l.val_loss.map(f64::from), e),
        })
        .collect::<Vec<_>>();
    let val = rows.iter().filter_map(|r| r.val_loss).collect();
    (rows, val)
}

/// E.g. `lesson: LSTM(32) x 2 -> Dense(relu), global-max`.
pub fn describe(choice: &ModelChoice, members: usize, lesson: bool, loaded: bool) -> String {
    if loaded {
        return "loaded model".into();
    }
    let cell = match choice.cell {
        CellArg::Lstm => "LSTM",
        CellArg::Gru => "GRU",
        CellArg::Rnn => "SimpleRNN",
    };
    let head = match choice.head {
        HeadArg::Linear => "linear",
        HeadArg::Relu => "relu",
    };
    let level = match choice.normalize {
        NormalizeArg::Level => ", level-normalised windows",
        NormalizeArg::None => "",
    };
    let ensemble = if members > 1 {
        format!("mean of {members} ")
    } else {
        String::new()
    };
    format!(
        "{}{ensemble}{cell}({}) x {} -> Dense({head}), {}{level}",
        if lesson { "lesson: " } else { "" },
        choice.units,
        choice.layers,
        choice.scaler
    )
}

/// Prints the forecast next to the baselines.
pub fn print_results(m: &MetricsFile, dead_liquid: bool) {
    if m.dead_output {
        println!(
            "DEAD OUTPUT: the model predicts a constant for {} after training (a dead relu head predicts 0 for every \
             month). Try another --seed, or drop --lesson for the linear head.",
            m.dead_features.join(", ")
        );
    }
    println!(
        "\nLiquid forecast of months {}-{} for {} test wells ({}); scaled = barrels / {:.0}",
        m.window + 1,
        m.window + m.horizon,
        m.test_wells,
        m.model,
        m.scale_max
    );
    println!(
        "  {:<14} {:>11} {:>12} {:>11} {:>11}",
        "", "MAE scaled", "RMSE scaled", "MAE", "RMSE"
    );
    let row = |name: &str, f: &ForecastMetrics| {
        println!(
            "  {name:<14} {:>11.4} {:>12.4} {:>11.1} {:>11.1}",
            f.mae_scaled, f.rmse_scaled, f.mae, f.rmse
        );
    };
    row(
        if dead_liquid { "model (dead)" } else { "model" },
        &m.forecast,
    );
    row("last value", &m.baselines.last_value);
    row("mean profile", &m.baselines.mean_profile);
    let best = m
        .baselines
        .last_value
        .mae_scaled
        .min(m.baselines.mean_profile.mae_scaled);
    let verdict = if m.forecast.mae_scaled < best {
        "beats"
    } else {
        "does not beat"
    };
    println!("  the model {verdict} the best naive baseline (MAE scaled {best:.4})");
}
