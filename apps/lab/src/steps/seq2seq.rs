//! Theory made concrete: an encoder–decoder with Bahdanau attention translating Russian number words into digits,
//! trained by `seq2seq`'s own code (`seq2seq::commands::train_command`) next to the same model without attention,
//! then a few translations and the attention heat map.

use appkit::plot::{Chart, Figure, Series};
use appkit::report::{Block, Section};

use seq2seq::commands::{DEMO_EXAMPLES, TrainArgs, train_command, translate};

use super::{Ctx, command, num, path_arg, section};
use crate::cli::Part;

/// The flags lab adds for a full run: none, the app's defaults are quick enough on the sample data.
const FULL: &[&str] = &[];
/// The flags of `--quick`.
const QUICK: &[&str] = &[
    "--epochs",
    "1",
    "--train-size",
    "300",
    "--valid-size",
    "50",
    "--test-size",
    "100",
    "--embed",
    "8",
    "--units",
    "16",
    "--attention-units",
    "16",
];

/// Runs the part.
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let preset = if ctx.args.quick { QUICK } else { FULL };
    let mut flags: Vec<String> = vec!["train".to_owned()];
    flags.extend(preset.iter().map(|s| (*s).to_owned()));
    flags.extend([
        "--seed".to_owned(),
        ctx.args.seed.to_string(),
        "--out".into(),
        path_arg(&ctx.dir(Part::Seq2seq)),
    ]);
    let args = TrainArgs::parse_flags(&flags[1..])?;
    let trained = train_command(&args, &|line| ctx.say(line))?;
    let m = &trained.metrics;

    let model_dir = path_arg(&ctx.dir(Part::Seq2seq));
    let translate_flags = vec![
        "translate".to_owned(),
        "--model".into(),
        model_dir,
        "--plot".into(),
        path_arg(&ctx.file(Part::Seq2seq, "attention.svg")),
        DEMO_EXAMPLES[0].to_owned(),
    ];
    let mut s = section(
        Part::Seq2seq,
        "Seq2seq with attention: Russian number words → digits",
        format!(
            "{}\n{}",
            command("seq2seq", &flags),
            command("seq2seq", &translate_flags)
        ),
    );
    s.push(Block::paragraph(format!(
        "Task {}: {} / {} / {} training / validation / test examples, a bidirectional GRU encoder (embedding {}, \
         {} units) and a GRU decoder with additive attention, {} epochs of Adam (lr {}), {:.1} s for both models.",
        m.task,
        args.train_size,
        args.valid_size,
        args.test_size,
        args.embed,
        args.units,
        args.epochs,
        args.lr,
        m.train_seconds
    )));
    let pct = |v: f64| format!("{:.2}%", 100.0 * v);
    let mut accuracy = vec![
        ["attention, greedy".to_owned(), pct(m.test_exact)],
        [
            format!("attention, beam {}", m.beam_width),
            pct(m.test_exact_beam),
        ],
    ];
    if let Some(b) = m.test_exact_no_attention {
        accuracy.push(["no attention, greedy".to_owned(), pct(b)]);
    }
    s.push(Block::table(
        ["model (test split)", "exact-sequence accuracy"],
        accuracy,
    ));
    let rows = m.history.iter().map(|e| {
        let base = m.history_no_attention.iter().find(|b| b.epoch == e.epoch);
        [
            e.epoch.to_string(),
            num(e.loss, 4),
            pct(e.valid_exact),
            pct(e.valid_token),
            base.map_or("–".to_owned(), |b| num(b.loss, 4)),
            base.map_or("–".to_owned(), |b| pct(b.valid_exact)),
        ]
    });
    s.push(Block::table(
        [
            "epoch",
            "loss",
            "valid exact",
            "valid token",
            "loss (no attention)",
            "valid exact (no attention)",
        ],
        rows,
    ));
    s.push(Block::table(
        [
            "source tokens",
            "test examples",
            "attention",
            "no attention",
        ],
        m.test_by_length.iter().map(|r| {
            [
                r.length.to_string(),
                r.count.to_string(),
                r.attention.map_or("–".to_owned(), pct),
                r.no_attention.map_or("–".to_owned(), pct),
            ]
        }),
    ));
    let mut translations = Vec::new();
    let mut heatmap = None;
    for text in DEMO_EXAMPLES {
        let t = translate(&trained.model, trained.task, text, m.beam_width)?;
        translations.push([text.to_owned(), t.text]);
        if heatmap.is_none() {
            heatmap = t.heatmap;
        }
    }
    s.push(Block::table(
        ["input", "translation (beam search)"],
        translations,
    ));

    let series = |name: &str, values: Vec<f64>| Series::from_values(name, 1.0, &values);
    let mut loss = Chart::new("seq2seq: training loss", "epoch", "cross-entropy per token").with(
        series("attention", m.history.iter().map(|e| e.loss).collect()),
    );
    let mut exact = Chart::new(
        "seq2seq: validation exact-sequence accuracy",
        "epoch",
        "accuracy",
    )
    .with(series(
        "attention",
        m.history.iter().map(|e| e.valid_exact).collect(),
    ));
    if !m.history_no_attention.is_empty() {
        loss = loss.with(series(
            "no attention",
            m.history_no_attention.iter().map(|e| e.loss).collect(),
        ));
        exact = exact.with(series(
            "no attention",
            m.history_no_attention
                .iter()
                .map(|e| e.valid_exact)
                .collect(),
        ));
    }
    s.push(Block::plot(
        "seq2seq-training.svg",
        "Training loss and validation accuracy by epoch, with and without attention",
        Figure::grid("seq2seq training", vec![loss, exact], 2).render_svg()?,
    ));
    if let Some(map) = heatmap {
        s.push(Block::plot(
            "seq2seq-attention.svg",
            format!("Attention weights translating {:?}: a row per output token, a column per input word", DEMO_EXAMPLES[0]),
            map.render_svg()?,
        ));
    }
    Ok(s)
}
