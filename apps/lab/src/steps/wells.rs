//! The worked example and assignment 2: forecast each test well's second year of production from its first, with
//! the model `wells` trains by default (a seed ensemble of two stacked LSTM(32) layers and a linear Dense head,
//! Keras' Adam, MSE), scored on Liquid against the two naive baselines.
//!
//! `wells` keeps this pipeline inside its binary, so lab assembles it from the same crate calls: `series` prepares
//! the data (`ForecastSetup`: pivot, split, scaler, the lesson's windows), `nn` builds and fits the networks,
//! `series` runs the recursive forecast (`Ensemble`, `LevelNormalized`) and scores it (`Prepared::evaluate`,
//! `Prepared::baselines`).

use anyhow::Context;
use appkit::plot::{Figure, actual_vs_prediction, loss_curves};
use appkit::report::{Block, Section};
use ndarray::{Array3, ArrayView3, Axis, Ix3};
use nn::layers::{dense, lstm};
use nn::{Activation, Adam, FitConfig, Loss, Metric, Sequential};
use series::ensemble::Ensemble;
use series::level::{LevelNormalized, normalize_windows};
use series::{
    Feature, ForecastMetrics, ForecastSetup, Production, ScalerKind, ShortWellPolicy, Transformer,
};

use super::{Ctx, command, num, path_arg, section};
use crate::cli::Part;

/// The synthetic well file `wells` reads by default.
const FIXTURE: &str = include_str!("../../../../fixtures/wells/production_synthetic.csv");
/// Added to each window's mean level before dividing (`wells`' value for several features).
const LEVEL_EPS: f32 = 1e-3;
/// `wells`' defaults.
const UNITS: usize = 32;
const LAYERS: usize = 2;
const LR: f32 = 1e-3;
const BATCH: usize = 32;
/// Test wells drawn in the forecast plot.
const PLOTTED_WELLS: usize = 4;

/// One forecasting run's settings.
struct Run {
    features: Vec<Feature>,
    members: usize,
    epochs: usize,
}

/// One run's results.
struct Outcome {
    params: usize,
    seconds: f64,
    loss: Vec<f64>,
    forecast: ForecastMetrics,
    last_value: ForecastMetrics,
    mean_profile: ForecastMetrics,
    test_wells: usize,
    dropped: Option<String>,
    /// First test wells: API, actual Liquid (all months) and forecast Liquid (forecast months), barrels.
    panels: Vec<(String, Vec<f64>, Vec<f64>)>,
}

/// An `nn` model seen as a `series` sequence model (the two crates do not know each other).
struct Net<'a>(&'a Sequential);

impl series::SequenceModel for Net<'_> {
    type Error = nn::Error;

    fn predict(&mut self, x: ArrayView3<f32>) -> Result<Array3<f32>, nn::Error> {
        let out = self.0.predict(&x.to_owned().into_dyn(), 1024)?;
        out.into_dimensionality::<Ix3>()
            .map_err(|e| nn::Error::Invalid(format!("the model's output is not 3-D: {e}")))
    }
}

/// Runs the part: the worked example (Liquid) and assignment 2 (Liquid, Gas, Water).
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let (members, epochs) = if ctx.args.quick { (1, 2) } else { (5, 20) };
    let csv_flags = ctx
        .args
        .wells
        .as_ref()
        .map(|p| vec!["--csv".to_owned(), path_arg(p)])
        .unwrap_or_default();
    let mut common = csv_flags.clone();
    common.extend([
        "--drop-short".to_owned(),
        "--seed".into(),
        ctx.args.seed.to_string(),
    ]);
    if ctx.args.quick {
        common.extend([
            "--ensemble".to_owned(),
            members.to_string(),
            "--epochs".into(),
            epochs.to_string(),
        ]);
    }
    let mut one = common.clone();
    one.extend(["--out".to_owned(), path_arg(&ctx.dir(Part::Wells))]);
    let mut three = common;
    three.extend([
        "--features".to_owned(),
        "liquid,gas,water".into(),
        "--out".into(),
        path_arg(&ctx.dir(Part::Wells).join("assignment2")),
    ]);
    let mut s = section(
        Part::Wells,
        "Worked example and assignment 2: oil-well production forecast",
        format!("{}\n{}", command("wells", &one), command("wells", &three)),
    );

    let source = ctx.args.wells.as_ref().map_or_else(
        || "fixtures/wells/production_synthetic.csv".to_owned(),
        |p| p.display().to_string(),
    );
    let mut rows = Vec::new();
    let mut first = None;
    for features in [
        vec![Feature::Liquid],
        vec![Feature::Liquid, Feature::Gas, Feature::Water],
    ] {
        let names: Vec<&str> = features.iter().map(|f| f.column()).collect();
        let names = names.join(" + ");
        let outcome = forecast(
            ctx,
            &Run {
                features,
                members,
                epochs,
            },
        )
        .with_context(|| format!("{source}: forecasting {names}"))?;
        if let Some(warning) = &outcome.dropped {
            s.push(Block::paragraph(format!("Note ({names}): {warning}.")));
        }
        for (name, m) in [
            (format!("LSTM on {names}"), &outcome.forecast),
            ("last value (baseline)".to_owned(), &outcome.last_value),
            ("mean profile (baseline)".to_owned(), &outcome.mean_profile),
        ] {
            rows.push([
                name,
                num(m.mae_scaled, 4),
                num(m.rmse_scaled, 4),
                num(m.mae, 0),
                m.mape.map_or("–".to_owned(), |v| format!("{v:.1}%")),
            ]);
        }
        if first.is_none() {
            first = Some(outcome);
        } else {
            s.push(Block::paragraph(format!(
                "Assignment 2 model: {} parameters over {members} member(s), trained in {:.1} s; final training \
                 loss {}.",
                outcome.params,
                outcome.seconds,
                outcome.loss.last().map_or("–".to_owned(), |v| num(*v, 5))
            )));
        }
    }
    let first = first.context("no run")?;
    s.blocks.insert(
        0,
        Block::paragraph(format!(
            "{source}: {} test wells; each forecast starts from the well's first 12 months and predicts months \
             13–24 one month at a time. Model: an ensemble of {members} × (LSTM({UNITS}) × {LAYERS} + Dense, \
             linear), {} parameters in all, {epochs} epochs of Adam (lr {LR}, batch {BATCH}), trained in {:.1} s. \
             Scores are on Liquid, in the lesson's units (barrels ÷ the training wells' maximum) and in barrels.",
            first.test_wells,
            first.params,
            first.seconds
        )),
    );
    s.push(Block::table(
        [
            "forecast (Liquid, test wells)",
            "MAE (scaled)",
            "RMSE (scaled)",
            "MAE (barrels)",
            "WAPE (zero-safe MAPE)",
        ],
        rows,
    ));
    let charts = first
        .panels
        .iter()
        .map(|(api, actual, pred)| {
            actual_vs_prediction(format!("API {api}"), "Liquid (barrels)", actual, pred, 13)
        })
        .collect();
    s.push(Block::plot(
        "wells-forecast.svg",
        "Liquid: actual months 1–24 and the forecast of months 13–24 for the first test wells",
        Figure::grid("Liquid: Actual vs Prediction (test wells)", charts, 2).render_svg()?,
    ));
    s.push(Block::plot(
        "wells-loss.svg",
        "Training loss (MSE, mean over the ensemble's members) by epoch",
        Figure::single(loss_curves("Training loss (MSE)", &first.loss, None)).render_svg()?,
    ));
    Ok(s)
}

/// Prepares the data, trains the ensemble, forecasts and scores one feature set.
fn forecast(ctx: &Ctx, run: &Run) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let production = match &ctx.args.wells {
        Some(path) => Production::from_path(path, &run.features)?,
        None => Production::read(
            FIXTURE.as_bytes(),
            "fixtures/wells/production_synthetic.csv",
            &run.features,
        )?,
    };
    let several = run.features.len() > 1;
    let setup = ForecastSetup {
        features: run.features.clone(),
        scaler: if several {
            ScalerKind::FeatureMax
        } else {
            ScalerKind::GlobalMax
        },
        short_wells: ShortWellPolicy::Drop,
        ..ForecastSetup::default()
    };
    let prepared = setup.prepare(&production)?;
    let level_eps = several.then_some(LEVEL_EPS);
    let (x, y) = match level_eps {
        Some(eps) => {
            let (xn, yn, _) = normalize_windows(prepared.x.view(), Some(prepared.y.view()), eps)?;
            (xn, yn.context("normalised targets")?)
        }
        None => (prepared.x.clone(), prepared.y.clone()),
    };
    let (x, y) = (x.into_dyn(), y.into_dyn());
    let n_features = run.features.len();
    let mut models = Vec::with_capacity(run.members);
    let mut losses: Vec<Vec<f64>> = Vec::new();
    for member in 0..run.members {
        ctx.say(&format!(
            "{} feature(s): training member {}/{}",
            n_features,
            member + 1,
            run.members
        ));
        let seed = ctx.args.seed.wrapping_add(1_000_003 * member as u64);
        let mut model = Sequential::new(&[setup.window, n_features], seed);
        for _ in 0..LAYERS {
            model.add(lstm(UNITS).return_sequences(true))?;
        }
        model.add(dense(n_features).activation(Activation::Linear))?;
        model.compile(
            Loss::Mse,
            Box::new(Adam::keras().with_lr(LR)),
            &[Metric::Mae],
        );
        let history = model.fit(
            &x,
            &y,
            None,
            &FitConfig {
                epochs: run.epochs,
                batch_size: BATCH,
                shuffle: true,
                validation_split: 0.0,
                seed,
                verbose: false,
                clip_norm: None,
                early_stopping: None,
            },
        )?;
        losses.push(history.loss().iter().map(|&v| f64::from(v)).collect());
        models.push(model);
    }
    let seconds = started.elapsed().as_secs_f64();
    let loss = (0..run.epochs)
        .map(|e| losses.iter().map(|l| l[e]).sum::<f64>() / losses.len() as f64)
        .collect();
    let params = models.iter().map(|m| m.params().count().0).sum();

    let members = Ensemble(models.iter().map(Net).collect());
    let history = prepared.history()?;
    let horizon = prepared.horizon();
    let pred_scaled = match level_eps {
        Some(eps) => series::forecast(
            &mut LevelNormalized {
                inner: members,
                eps,
            },
            history,
            horizon,
        )?,
        None => series::forecast(&mut { members }, history, horizon)?,
    };
    let forecast = prepared.evaluate(pred_scaled.view(), Feature::Liquid)?;
    let baselines = prepared.baselines(Feature::Liquid)?;
    let pred = prepared.scaler.inverse_transform(pred_scaled.view())?;
    let liquid = prepared.pivot.feature_index(Feature::Liquid)?;
    let column = |a: &Array3<f32>, w: usize| -> Vec<f64> {
        a.index_axis(Axis(0), w)
            .index_axis(Axis(1), liquid)
            .iter()
            .map(|&v| f64::from(v))
            .collect()
    };
    let test = &prepared.test;
    let panels = (0..test.apis.len().min(PLOTTED_WELLS))
        .map(|w| {
            (
                test.apis[w].clone(),
                column(&test.data, w),
                column(&pred, w),
            )
        })
        .collect();
    Ok(Outcome {
        params,
        seconds,
        loss,
        forecast,
        last_value: baselines.last_value,
        mean_profile: baselines.mean_profile,
        test_wells: test.apis.len(),
        dropped: prepared.pivot.warning(),
        panels,
    })
}
