//! The worked example and assignment 2: forecast each test well's second year of production from its first, run
//! by `wells`' own code (`wells::pipeline::forecast` with `wells`' own flags), scored on Liquid against the two naive
//! baselines.

use anyhow::Context;
use appkit::report::{Block, Section};
use clap::Parser;

use super::{Ctx, command, num, path_arg, section};
use crate::cli::Part;

/// Test wells drawn in the forecast plot (`wells`' default).
const PLOTTED_WELLS: usize = 4;
/// Flags lab adds to the printed command for its own call: the report draws its own plots from the returned
/// figures, and the log lines would break the progress bar.
const SILENT: [&str; 2] = ["--no-plots", "--quiet"];

/// Runs the part: the worked example (Liquid) and assignment 2 (Liquid, Gas, Water).
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let mut common = ctx
        .args
        .wells
        .as_ref()
        .map(|p| vec!["--csv".to_owned(), path_arg(p)])
        .unwrap_or_default();
    common.extend([
        "--drop-short".to_owned(),
        "--seed".into(),
        ctx.args.seed.to_string(),
    ]);
    if ctx.args.quick {
        common.extend(["--ensemble", "1", "--epochs", "2"].map(str::to_owned));
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
    for flags in [one, three] {
        let args = wells::cli::Args::try_parse_from(
            std::iter::once("wells".to_owned())
                .chain(flags)
                .chain(SILENT.map(str::to_owned)),
        )?;
        let names = args
            .feature_list()?
            .iter()
            .map(|f| f.column())
            .collect::<Vec<_>>()
            .join(" + ");
        ctx.say(&format!("wells: forecasting {names}"));
        let outcome = wells::pipeline::forecast(&args, &|line| ctx.say(line), &|_| {})
            .with_context(|| format!("{source}: forecasting {names}"))?;
        let m = &outcome.metrics;
        if let Some(warning) = &outcome.dropped {
            s.push(Block::paragraph(format!("Note ({names}): {warning}.")));
        }
        for (name, f) in [
            (format!("LSTM on {names}"), &m.forecast),
            ("last value (baseline)".to_owned(), &m.baselines.last_value),
            (
                "mean profile (baseline)".to_owned(),
                &m.baselines.mean_profile,
            ),
        ] {
            rows.push([
                name,
                num(f.mae_scaled, 4),
                num(f.rmse_scaled, 4),
                num(f.mae, 0),
                f.mape.map_or("–".to_owned(), |v| format!("{v:.1}%")),
            ]);
        }
        if first.is_none() {
            first = Some((args, outcome));
        } else {
            s.push(Block::paragraph(format!(
                "Assignment 2 model: {}; {} parameters over {} member(s), trained in {:.1} s; final training \
                 loss {}.",
                m.model,
                m.params,
                m.members,
                m.train_seconds,
                m.history.last().map_or("–".to_owned(), |e| num(e.loss, 5))
            )));
        }
    }
    let (args, first) = first.context("no run")?;
    let m = &first.metrics;
    s.blocks.insert(
        0,
        Block::paragraph(format!(
            "{source}: {} test wells; each forecast starts from the well's first {} months and predicts months \
             {}–{} one month at a time. Model: {}, {} parameters in all, {} epochs of Adam (lr {}, batch {}), \
             trained in {:.1} s. Scores are on Liquid, in the lesson's units (barrels ÷ the training wells' \
             maximum) and in barrels.",
            m.test_wells,
            m.window,
            m.window + 1,
            m.window + m.horizon,
            m.model,
            m.params,
            args.epochs,
            args.model_choice(1).lr,
            args.batch_size,
            m.train_seconds
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
    let plotted = &first.panels[..first.panels.len().min(PLOTTED_WELLS)];
    s.push(Block::plot(
        "wells-forecast.svg",
        format!(
            "Liquid: actual months 1–{} and the forecast of months {}–{} for the first test wells",
            m.window + m.horizon,
            m.window + 1,
            m.window + m.horizon
        ),
        wells::plots::forecast_grid(plotted, m.window).render_svg()?,
    ));
    s.push(Block::plot(
        "wells-loss.svg",
        "Training loss (MSE, mean over the ensemble's members) by epoch",
        wells::plots::loss(&m.history, &first.val_loss).render_svg()?,
    ));
    Ok(s)
}
