//! One run: flags → `series::ForecastSetup::prepare` (load, pivot, split, scale, windows) → train (or load) →
//! `series::forecast` → `Prepared` scores ([`forecast`]) → print and write ([`run`]). The app only orchestrates
//! crate calls.
//!
//! Everything that can fail on the user's data fails before the first file is written.

use std::time::Instant;

use anyhow::Context;
use nn::{Adam, EarlyStopping, FitConfig, Loss, Metric, Sequential};
use series::ensemble::Ensemble;
use series::level::{LevelNormalized, normalize_windows};
use series::{
    Feature, ForecastSetup, Prepared, Production, Scaler, ShortWellPolicy, SplitKind, Transformer,
    WindowCount,
};

use crate::bundle::{self, Recipe};
use crate::cli::{Args, FIXTURE, HeadArg, ModelChoice, NormalizeArg};
use crate::net::{self, Net};
use crate::report::{self, EpochRow, MetricsFile, Panel};

/// Added to each window's mean level before dividing (scaled units; real wells' first-year levels are ≥ 0.01).
const LEVEL_EPS: f32 = 1e-3;

/// The trained (or loaded) network with what it needs to forecast.
struct Trained {
    models: Vec<Sequential>,
    recipe: Recipe,
    history: Vec<EpochRow>,
    val_loss: Vec<f64>,
    train_seconds: f64,
    dead: Vec<usize>,
}

/// One forecast's figures: what the binary prints and writes, and what `lab` reports.
pub struct Outcome {
    /// The run's figures (params, train seconds, per-epoch history, forecast and baselines metrics, test wells),
    /// as `--metrics-json` writes them.
    pub metrics: MetricsFile,
    /// The pivot's warning about dropped (short) wells, if any.
    pub dropped: Option<String>,
    /// Every test well's Liquid, actual (all months) and forecast (the forecast months), in barrels.
    pub panels: Vec<Panel>,
    /// Mean validation loss per epoch (empty without `--validation-split`).
    pub val_loss: Vec<f64>,
    /// Whether the Liquid output is dead (predicts a constant).
    pub dead_liquid: bool,
    models: Vec<Sequential>,
    recipe: Recipe,
}

/// Runs the app: [`forecast`], then prints the results and writes the plots, metrics and model the flags ask for.
///
/// # Errors
/// Usage errors (exit 2) for flags clap cannot check; data errors naming the file; I/O errors writing outputs.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
            .context("cannot set up the thread pool")?;
    }
    let outcome = forecast(args, &|line| println!("{line}"), &|line| {
        eprintln!("{line}");
    })?;
    let metrics = &outcome.metrics;
    report::print_results(metrics, outcome.dead_liquid);

    // Outputs, each written atomically, only after everything above succeeded.
    if !args.no_plots {
        let plot = args
            .plot
            .clone()
            .unwrap_or_else(|| args.out.join("forecast.svg"));
        let wells = if args.plot_all {
            outcome.panels.len()
        } else {
            outcome.panels.len().min(4)
        };
        crate::plots::forecast_grid(&outcome.panels[..wells], metrics.window).write_svg(&plot)?;
        if !args.quiet {
            println!("wrote {}", plot.display());
        }
        if !metrics.history.is_empty() {
            let loss_plot = args
                .loss_plot
                .clone()
                .unwrap_or_else(|| args.out.join("loss.svg"));
            crate::plots::loss(&metrics.history, &outcome.val_loss).write_svg(&loss_plot)?;
            if !args.quiet {
                println!("wrote {}", loss_plot.display());
            }
        }
    }
    if let Some(path) = &args.metrics_json {
        appkit::write_json_atomic(path, metrics)?;
    }
    if let Some(dir) = &args.save_model {
        bundle::save(dir, &outcome.models, &outcome.recipe)?;
        if !args.quiet {
            println!("saved the model to {}", dir.display());
        }
    }
    Ok(())
}

/// Runs one forecast for `args` and returns its figures; writes nothing. Log lines (the model summary, ensemble
/// members, early stopping; none with `--quiet`) go to `say`, the dropped-wells warning (`warning: <csv>: ...`)
/// to `warn`. `nn`'s per-epoch lines are printed by `nn` itself unless `--quiet`. `--threads` is the binary's
/// business ([`run`]), not this function's.
///
/// # Errors
/// Usage errors (exit 2) for flags clap cannot check, then data errors naming the file.
pub fn forecast(args: &Args, say: &dyn Fn(&str), warn: &dyn Fn(&str)) -> anyhow::Result<Outcome> {
    args.check_usage()?;
    let csv = args.csv.clone().unwrap_or_else(|| FIXTURE.into());
    let loaded = match &args.load_model {
        Some(dir) => Some(bundle::load(dir)?),
        None => None,
    };
    let features = match &loaded {
        Some((_, recipe)) => recipe.features.clone(),
        None => args.feature_list()?,
    };
    let window = loaded.as_ref().map_or(args.window, |(_, r)| r.window);
    let liquid = features
        .iter()
        .position(|&f| f == Feature::Liquid)
        .context("--features must include liquid: the forecast is scored on Liquid")?;
    let choice = args.model_choice(features.len());
    let setup = ForecastSetup {
        features: features.clone(),
        months: window + args.horizon,
        window,
        train_wells: args.train_wells,
        split: SplitKind::First,
        scaler: choice.scaler,
        window_count: WindowCount::Lesson,
        short_wells: if args.drop_short {
            ShortWellPolicy::Drop
        } else {
            ShortWellPolicy::Reject
        },
    };
    let production = Production::from_path(&csv, &features)?;
    let prepared = match &loaded {
        Some((_, recipe)) => setup.prepare_with_scaler(&production, recipe.scaler.clone()),
        None => setup.prepare(&production),
    }?;
    let dropped = prepared.pivot.warning();
    if let Some(warning) = &dropped {
        warn(&format!("warning: {}: {warning}", csv.display()));
    }

    let trained = match loaded {
        Some((models, recipe)) => Trained {
            models,
            recipe,
            history: Vec::new(),
            val_loss: Vec::new(),
            train_seconds: 0.0,
            dead: Vec::new(),
        },
        None => train_model(args, &choice, &prepared, say)?,
    };
    let recipe = &trained.recipe;

    // Forecast months window..window+horizon of every test well from its first `window` months.
    let members = Ensemble(trained.models.iter().map(Net).collect());
    let history = prepared.history()?;
    let pred_scaled = match recipe.level_eps {
        Some(eps) => series::forecast(
            &mut LevelNormalized {
                inner: members,
                eps,
            },
            history,
            args.horizon,
        )?,
        None => series::forecast(&mut { members }, history, args.horizon)?,
    };
    let pred = prepared.scaler.inverse_transform(pred_scaled.view())?;
    // Scores in the lesson's units: Liquid barrels / the training wells' max Liquid, whatever the scaler.
    let forecast_metrics = prepared.evaluate_original(pred.view(), Feature::Liquid)?;
    let baselines = prepared.baselines(Feature::Liquid)?;
    let scale_max = match prepared.reference_scaler(Feature::Liquid)? {
        Scaler::GlobalMax(g) => g.max,
        _ => f64::NAN,
    };
    let test = &prepared.test;
    let panels = report::panels(&test.apis, &test.data, &pred, liquid);

    let metrics = MetricsFile {
        seed: args.seed,
        features: features.iter().map(|f| f.column().to_string()).collect(),
        params: trained
            .models
            .iter()
            .map(|m| m.params().iter().map(|(_, p)| p.value.len()).sum::<usize>())
            .sum(),
        members: trained.models.len(),
        train_seconds: trained.train_seconds,
        history: trained.history,
        dead_output: !trained.dead.is_empty(),
        dead_features: trained
            .dead
            .iter()
            .map(|&f| features[f].column().to_string())
            .collect(),
        forecast: forecast_metrics,
        baselines,
        scale_max,
        test_wells: test.apis.len(),
        window,
        horizon: args.horizon,
        csv: csv.display().to_string(),
        model: report::describe(
            &choice,
            trained.models.len(),
            args.lesson,
            args.load_model.is_some(),
        ),
    };
    Ok(Outcome {
        metrics,
        dropped,
        panels,
        val_loss: trained.val_loss,
        dead_liquid: trained.dead.contains(&liquid),
        models: trained.models,
        recipe: trained.recipe,
    })
}

/// Trains the ensemble on the prepared windows (level-normalised if chosen) and checks for a dead output.
fn train_model(
    args: &Args,
    choice: &ModelChoice,
    prepared: &Prepared,
    say: &dyn Fn(&str),
) -> anyhow::Result<Trained> {
    let started = Instant::now();
    let (window, features) = (prepared.setup.window, &prepared.setup.features);
    let level_eps = (choice.normalize == NormalizeArg::Level).then_some(LEVEL_EPS);
    let (x, y) = match level_eps {
        Some(eps) => {
            let (xn, yn, _) = normalize_windows(prepared.x.view(), Some(prepared.y.view()), eps)?;
            (xn, yn.context("normalised targets")?)
        }
        None => (prepared.x.clone(), prepared.y.clone()),
    };
    let (x, y) = (x.into_dyn(), y.into_dyn());
    let mut models = Vec::with_capacity(args.members());
    let mut histories = Vec::with_capacity(args.members());
    let mut dead = Vec::new();
    for member in 0..args.members() {
        // Member 0 uses --seed itself, so `--ensemble 1 --seed s` is the single model of seed s.
        let seed = args.seed.wrapping_add(1_000_003 * member as u64);
        let mut model = net::build(choice, window, features.len(), seed)?;
        if !args.quiet {
            if member == 0 {
                say(&model.summary().to_string());
                if choice.head == HeadArg::Relu {
                    say(
                        "note: the Dense(relu) head can die (predict 0 for everything); the lesson's model does in \
                         about half the seeds. The default linear head cannot.",
                    );
                }
            }
            if args.members() > 1 {
                say(&format!(
                    "ensemble member {}/{} (seed {seed})",
                    member + 1,
                    args.members()
                ));
            }
        }
        model.compile(
            Loss::Mse,
            Box::new(Adam::keras().with_lr(choice.lr)),
            &[Metric::Mae],
        );
        let config = FitConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            shuffle: true,
            validation_split: args.validation_split,
            seed,
            verbose: !args.quiet,
            clip_norm: None,
            early_stopping: (args.patience > 0).then(|| EarlyStopping {
                patience: args.patience,
                ..EarlyStopping::default()
            }),
            ..FitConfig::default()
        };
        let history = model.fit(&x, &y, None, &config)?;
        if let (Some(best), false) = (history.best_epoch, args.quiet) {
            say(&format!("early stopping: kept the weights of epoch {best}"));
        }
        let pred = model
            .predict(&x, 1024)?
            .into_dimensionality::<ndarray::Ix3>()
            .context("the model's output is not 3-D")?;
        for f in series::dead::dead_features(pred.view()) {
            if !dead.contains(&f) {
                dead.push(f);
            }
        }
        models.push(model);
        histories.push(history);
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let (rows, val_loss) = report::mean_history(&histories);
    Ok(Trained {
        models,
        recipe: Recipe {
            features: features.clone(),
            window,
            scaler: prepared.scaler.clone(),
            members: args.members(),
            level_eps,
        },
        history: rows,
        val_loss,
        train_seconds,
        dead,
    })
}
