//! The run: each part in turn (timed in wall and CPU seconds), then the report.

use std::time::Instant;

use anyhow::Context;
use appkit::report::{Block, Report, Section};

use crate::cli::{Args, Part};
use crate::progress::Progress;
use crate::steps::{self, Ctx, command, path_arg};

/// One finished part.
struct Done {
    part: Part,
    section: Section,
    wall: f64,
    cpu: Option<f64>,
}

fn run_part(part: Part, ctx: &Ctx) -> anyhow::Result<Section> {
    match part {
        Part::Ngrams => steps::ngrams::run(ctx),
        Part::W2v => steps::w2v::run(ctx),
        Part::Wells => steps::wells::run(ctx),
        Part::Onehot => steps::onehot::run(ctx),
        Part::CharRnn => steps::char_rnn::run(ctx),
        Part::WordRnn => steps::word_rnn::run(ctx),
        Part::Seq2seq => steps::seq2seq::run(ctx),
    }
}

/// Runs the parts and writes the report.
pub fn run(args: &Args) -> anyhow::Result<()> {
    for (flag, path) in [("--book", &args.book), ("--wells", &args.wells)] {
        if let Some(p) = path {
            anyhow::ensure!(p.is_file(), "{flag} {}: no such file", p.display());
        }
    }
    let parts = args.parts();
    let progress = Progress::new(parts.len());
    let ctx = Ctx {
        args,
        progress: &progress,
    };
    let started = Instant::now();
    let cpu_start = appkit::cpu::process_cpu_seconds();
    let mut done = Vec::with_capacity(parts.len());
    for part in parts {
        progress.start(part.app());
        let wall = Instant::now();
        let cpu = appkit::cpu::process_cpu_seconds();
        let section = run_part(part, &ctx).with_context(|| part.app())?;
        let wall = wall.elapsed().as_secs_f64();
        let cpu = appkit::cpu::process_cpu_seconds()
            .zip(cpu)
            .map(|(a, b)| a - b);
        progress.println(&format!(
            "{:<9} done in {wall:.1} s{}",
            part.app(),
            cpu.map_or(String::new(), |c| format!(" ({c:.1} s CPU)"))
        ));
        progress.done();
        done.push(Done {
            part,
            section,
            wall,
            cpu,
        });
    }
    progress.finish();
    let wall = started.elapsed().as_secs_f64();
    let cpu = appkit::cpu::process_cpu_seconds()
        .zip(cpu_start)
        .map(|(a, b)| a - b);

    let report = build_report(args, done, wall, cpu);
    report.write(&args.out)?;
    println!(
        "wrote {} and {} ({} parts, {wall:.1} s{})",
        args.out.join("report.md").display(),
        args.out.join("report.html").display(),
        report.sections.len(),
        cpu.map_or(String::new(), |c| format!(", {c:.1} s CPU"))
    );
    Ok(())
}

/// The command that reproduces this whole run.
fn lab_command(args: &Args) -> String {
    let mut flags = Vec::new();
    if let Some(p) = &args.book {
        flags.extend(["--book".to_owned(), path_arg(p)]);
    }
    if let Some(p) = &args.wells {
        flags.extend(["--wells".to_owned(), path_arg(p)]);
    }
    if !args.only.is_empty() {
        let names: Vec<&str> = args.parts().iter().map(|p| p.app()).collect();
        flags.extend(["--only".to_owned(), names.join(",")]);
    }
    flags.extend([
        "--out".to_owned(),
        path_arg(&args.out),
        "--seed".into(),
        args.seed.to_string(),
    ]);
    if args.quick {
        flags.push("--quick".to_owned());
    }
    command("lab", &flags)
}

fn build_report(args: &Args, done: Vec<Done>, wall: f64, cpu: Option<f64>) -> Report {
    let mut report = Report::new("rnnlab: the lesson on recurrent networks, end to end");
    report.intro.push(Block::paragraph(format!(
        "Each part below ran the code of its own app (the library functions of wells, char-rnn, word-rnn and \
         seq2seq; the same crate calls, with the same settings, as ngrams, w2v and onehot) on {} and {}, seed {}{}. \
         Each part names the command that reproduces it with its app; this whole report comes from:",
        args.book
            .as_ref()
            .map_or("the sample story".to_owned(), |p| p.display().to_string()),
        args.wells.as_ref().map_or("the synthetic well file".to_owned(), |p| p.display().to_string()),
        args.seed,
        if args.quick {
            " (--quick: tiny models and one or two epochs, so the figures only show that everything runs)"
        } else {
            ""
        }
    )));
    report.intro.push(Block::preformatted(lab_command(args)));
    let seconds = |c: Option<f64>| c.map_or("–".to_owned(), |c| format!("{c:.1}"));
    let mut rows: Vec<[String; 4]> = done
        .iter()
        .map(|d| {
            [
                d.section.title.clone(),
                d.part.app().to_owned(),
                format!("{:.1}", d.wall),
                seconds(d.cpu),
            ]
        })
        .collect();
    rows.push([
        "total".to_owned(),
        String::new(),
        format!("{wall:.1}"),
        seconds(cpu),
    ]);
    report
        .intro
        .push(Block::table(["part", "app", "wall s", "CPU s"], rows));
    report.sections = done.into_iter().map(|d| d.section).collect();
    report
}
