//! Assignment 4: a next-character LSTM on the book's equal-length sentences, trained by `char-rnn`'s own code
//! (`char_rnn::train::train`): held-out bits per character per epoch against the unigram baseline, and samples.

use appkit::report::{Block, Section};
use clap::Parser;

use super::{Ctx, command, num, path_arg, section};
use crate::cli::Part;

/// The flags lab adds for a full run: none, the app's defaults are quick enough on the sample data.
const FULL: &[&str] = &[];
/// The flags of `--quick`.
const QUICK: &[&str] = &[
    "--epochs",
    "1",
    "--units",
    "16",
    "--sentence-len",
    "32",
    "--fragment-chars",
    "4000",
    "--sample-len",
    "0",
];
/// On a user's book: a 100,000-character fragment and 10 epochs (the whole novel at the defaults would take
/// many minutes).
const BOOK: &[&str] = &["--fragment-chars", "100000", "--epochs", "10"];

/// Runs the part.
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let mut flags = vec!["train".to_owned()];
    flags.extend(ctx.input_flags());
    let preset = match (ctx.args.quick, ctx.args.book.is_some()) {
        (true, _) => QUICK,
        (false, false) => FULL,
        (false, true) => BOOK,
    };
    flags.extend(preset.iter().map(|s| (*s).to_owned()));
    flags.extend([
        "--seed".to_owned(),
        ctx.args.seed.to_string(),
        "--out".into(),
        path_arg(&ctx.file(Part::CharRnn, "model")),
    ]);
    let args = char_rnn::cli::TrainArgs::try_parse_from(&flags)?;
    let outcome = char_rnn::train::train(&args, &|line| ctx.say(line), false)?;

    let mut s = section(
        Part::CharRnn,
        "Assignment 4: next-character RNN (char-rnn)",
        command("char-rnn", &flags),
    );
    s.push(Block::table(
        ["figure", "value"],
        [
            ["input".to_owned(), outcome.input.clone()],
            [
                "characters after cleaning".to_owned(),
                outcome.cleaned_chars.to_string(),
            ],
            [
                "training / held-out characters".to_owned(),
                format!("{} / {}", outcome.train_chars, outcome.valid_chars),
            ],
            [
                "sentences of the training / held-out text".to_owned(),
                format!(
                    "{} / {} of {} characters",
                    outcome.train_sentences, outcome.valid_sentences, args.sentence_len
                ),
            ],
            [
                "alphabet size".to_owned(),
                outcome.alphabet.len().to_string(),
            ],
            [
                "network".to_owned(),
                format!(
                    "{} × {:?}({}) + Dense({}): {} weights",
                    args.layers,
                    args.cell,
                    args.units,
                    outcome.alphabet.len(),
                    outcome.weights
                ),
            ],
            [
                "unigram baseline (held-out bpc)".to_owned(),
                num(outcome.unigram_bpc, 3),
            ],
            [
                "best held-out bits per character".to_owned(),
                format!(
                    "{} at epoch {}",
                    num(outcome.best_bpc, 3),
                    outcome.best_epoch
                ),
            ],
            [
                "training time".to_owned(),
                format!("{:.1} s", outcome.train_seconds),
            ],
        ],
    ));
    s.push(Block::table(
        [
            "epoch",
            "loss (nats)",
            "training bpc",
            "held-out bpc",
            "characters/s",
        ],
        outcome.history.iter().map(|r| {
            [
                r.epoch.to_string(),
                num(r.loss, 4),
                num(r.train_bpc, 3),
                num(r.valid_bpc, 3),
                num(r.chars_per_sec, 0),
            ]
        }),
    ));
    s.push(Block::paragraph(
        "Samples of the best model after the first characters of the held-out text:",
    ));
    s.push(Block::preformatted(
        outcome
            .samples
            .iter()
            .map(|(t, text)| format!("temperature {t}: {text}"))
            .collect::<Vec<_>>()
            .join("\n\n"),
    ));
    s.push(Block::plot(
        "char-rnn-bpc.svg",
        "Training and held-out bits per character by epoch, with the unigram baseline",
        outcome.loss_figure().render_svg()?,
    ));
    Ok(s)
}
