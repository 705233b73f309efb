//! Command-line flags and how they resolve into one run's settings (`--lesson` fixes the lesson's model).

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use series::{Feature, ScalerKind};

/// The committed synthetic fixture, used when no `--csv` is given.
pub const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/wells/production_synthetic.csv"
);

/// Forecast monthly well production with a recurrent network (the lesson's worked example and assignment 2).
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Args {
    /// Production CSV (API, Year, Month, Liquid, Gas, Water, ...); default: the synthetic fixture.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Input and output columns, comma-separated: `liquid` (the lesson) or `liquid,gas,water` (assignment 2).
    #[arg(long, default_value = "liquid")]
    pub features: String,
    /// Months per input window; the model then forecasts `--horizon` months from each test well's first window.
    #[arg(long, default_value_t = 12)]
    pub window: usize,
    /// Months to forecast after the window (the lesson: 12, i.e. months 13–24).
    #[arg(long, default_value_t = 12)]
    pub horizon: usize,
    /// Number of wells (first in API order) to train on; the others are the test wells.
    #[arg(long, default_value_t = 40)]
    pub train_wells: usize,
    /// Drop wells shorter than window + horizon months (with a warning) instead of failing.
    #[arg(long)]
    pub drop_short: bool,
    /// Recurrent cell [default: lstm].
    #[arg(long, value_enum)]
    pub cell: Option<CellArg>,
    /// Hidden units per recurrent layer [default: 32].
    #[arg(long)]
    pub units: Option<usize>,
    /// Number of stacked recurrent layers [default: 2].
    #[arg(long)]
    pub layers: Option<usize>,
    /// Output layer activation [default: linear; the lesson: relu, which can die].
    #[arg(long, value_enum)]
    pub head: Option<HeadArg>,
    /// Scaler fitted on the training wells: global-max, feature-max, min-max, standard, log1p, liquid-ratio
    /// [default: global-max for one feature, liquid-ratio for several (Liquid in the lesson's units, the others as
    /// down-weighted log ratios to Liquid); --lesson: feature-max for several].
    #[arg(long, value_parser = parse_scaler)]
    pub scaler: Option<ScalerKind>,
    /// Per-window level normalisation: `level` divides each window by its mean (the model learns the decline's
    /// shape), `none` feeds the scaled values as the lesson does [default: none].
    #[arg(long, value_enum)]
    pub normalize: Option<NormalizeArg>,
    /// Training epochs.
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    /// Windows per gradient step.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Adam learning rate [default: 0.001, Keras' default].
    #[arg(long)]
    pub lr: Option<f32>,
    /// Stop when the validation loss has not improved for this many epochs and keep the best epoch's weights
    /// (0: off). Needs --validation-split.
    #[arg(long, default_value_t = 0)]
    pub patience: usize,
    /// Fraction of the training windows (the last ones, as Keras takes them) held out for validation.
    #[arg(long, default_value_t = 0.0)]
    pub validation_split: f32,
    /// Train this many models (seeds --seed, --seed + 1000003, ...) and average their forecasts
    /// [default: 5; with --lesson: 1].
    #[arg(long)]
    pub ensemble: Option<usize>,
    /// Seed of the weights and of the shuffling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The lesson's exact model and scaling: LSTM(32) → LSTM(32) → Dense(1, relu), global max (per-feature max for
    /// several features), no level normalisation. Its relu output dies in about half the seeds.
    #[arg(long, conflicts_with_all = ["cell", "units", "layers", "head", "scaler", "normalize", "lr"])]
    pub lesson: bool,
    /// Directory for the default plots.
    #[arg(long, default_value = "out/wells")]
    pub out: PathBuf,
    /// Actual vs Prediction plot of Liquid [default: OUT/forecast.svg].
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Plot all test wells (a 2×5 grid for ten) instead of the first four (2×2).
    #[arg(long)]
    pub plot_all: bool,
    /// Training loss by epoch [default: OUT/loss.svg].
    #[arg(long)]
    pub loss_plot: Option<PathBuf>,
    /// Write no plot.
    #[arg(long, conflicts_with_all = ["plot", "loss_plot"])]
    pub no_plots: bool,
    /// Write the run's figures (history, forecast, baselines) as JSON.
    #[arg(long)]
    pub metrics_json: Option<PathBuf>,
    /// Save the trained model with its scaler and features into this directory.
    #[arg(long)]
    pub save_model: Option<PathBuf>,
    /// Forecast with a saved model instead of training (its features, window and scaler are used).
    #[arg(long, conflicts_with_all = ["lesson", "save_model"])]
    pub load_model: Option<PathBuf>,
    /// Threads for the rayon pool (the recurrent kernels run on one thread; 0: rayon's default).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print only the results (no summary, epoch lines or progress bar).
    #[arg(long)]
    pub quiet: bool,
}

fn parse_scaler(s: &str) -> Result<ScalerKind, String> {
    s.parse().map_err(|e: series::Error| e.to_string())
}

/// `--cell`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CellArg {
    /// Long short-term memory.
    Lstm,
    /// Gated recurrent unit.
    Gru,
    /// Simple (Elman) RNN.
    Rnn,
}

/// `--head`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HeadArg {
    /// Identity: cannot die.
    Linear,
    /// The lesson's relu: dies when every pre-activation turns negative.
    Relu,
}

/// `--normalize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NormalizeArg {
    /// Scaled values as they are.
    None,
    /// Each window divided by its mean level.
    Level,
}

/// The model and scaling a run trains, after `--lesson` and the defaults are applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelChoice {
    /// The recurrent cell.
    pub cell: CellArg,
    /// Units per recurrent layer.
    pub units: usize,
    /// Recurrent layers.
    pub layers: usize,
    /// Output activation.
    pub head: HeadArg,
    /// Scaler to fit.
    pub scaler: ScalerKind,
    /// Per-window level normalisation.
    pub normalize: NormalizeArg,
    /// Adam's learning rate.
    pub lr: f32,
}

impl Args {
    /// Models to train and average.
    pub fn members(&self) -> usize {
        self.ensemble.unwrap_or(if self.lesson { 1 } else { 5 })
    }

    /// Checks the flags that clap cannot check on its own; each failure is a usage error (exit 2),
    /// found before any file is read or written.
    ///
    /// # Errors
    /// An [`appkit::UsageError`] naming the flag.
    pub fn check_usage(&self) -> anyhow::Result<()> {
        let usage = |ok: bool, message: &str| {
            if ok {
                Ok(())
            } else {
                Err(appkit::usage(message))
            }
        };
        usage(
            self.window > 0 && self.horizon > 0,
            "--window and --horizon must be at least 1",
        )?;
        if self.load_model.is_none() {
            let features =
                Feature::parse_list(&self.features).map_err(|e| appkit::usage(e.to_string()))?;
            usage(
                features.contains(&Feature::Liquid),
                "--features must include liquid: the forecast is scored on Liquid",
            )?;
        }
        usage(
            self.train_wells > 0,
            "--train-wells must be at least 1 (and at least 1 well must be left to test on)",
        )?;
        if self.epochs == 0 || self.batch_size == 0 {
            return Err(appkit::usage(format!(
                "epochs ({}) and batch_size ({}) must be positive",
                self.epochs, self.batch_size
            )));
        }
        usage(self.units != Some(0), "--units must be at least 1")?;
        usage(self.layers != Some(0), "--layers must be at least 1")?;
        usage(self.ensemble != Some(0), "--ensemble must be at least 1")?;
        if let Some(lr) = self.lr {
            usage(
                lr.is_finite() && lr > 0.0,
                &format!("--lr must be a finite number > 0, got {lr}"),
            )?;
        }
        if !(0.0..1.0).contains(&self.validation_split) {
            return Err(appkit::usage(format!(
                "validation_split must be in [0, 1), got {}",
                self.validation_split
            )));
        }
        usage(
            self.patience == 0 || self.validation_split > 0.0,
            "--patience needs --validation-split (e.g. 0.2)",
        )
    }

    /// The parsed `--features`.
    pub fn feature_list(&self) -> anyhow::Result<Vec<Feature>> {
        Ok(Feature::parse_list(&self.features)?)
    }

    /// The model to train: the lesson's with `--lesson`, otherwise the flags over our defaults.
    pub fn model_choice(&self, n_features: usize) -> ModelChoice {
        let lesson_scaler = if n_features == 1 {
            ScalerKind::GlobalMax
        } else {
            ScalerKind::FeatureMax
        };
        if self.lesson {
            return ModelChoice {
                cell: CellArg::Lstm,
                units: 32,
                layers: 2,
                head: HeadArg::Relu,
                scaler: lesson_scaler,
                normalize: NormalizeArg::None,
                lr: 1e-3,
            };
        }
        let default_scaler = if n_features == 1 {
            ScalerKind::GlobalMax
        } else {
            ScalerKind::LiquidRatio
        };
        ModelChoice {
            cell: self.cell.unwrap_or(CellArg::Lstm),
            units: self.units.unwrap_or(32),
            layers: self.layers.unwrap_or(2),
            head: self.head.unwrap_or(HeadArg::Linear),
            scaler: self.scaler.unwrap_or(default_scaler),
            normalize: self.normalize.unwrap_or(NormalizeArg::None),
            lr: self.lr.unwrap_or(1e-3),
        }
    }
}
