//! Assignment 5: a next-word LSTM whose embedding is the book's Word2Vec vectors, trained by `word-rnn`'s own code
//! (`word_rnn::train::train`): held-out perplexity per epoch against the unigram and Kneser-Ney bigram models.

use appkit::report::{Block, Section};
use clap::Parser;

use super::{Ctx, command, num, path_arg, section};
use crate::cli::Part;

/// The flags lab adds for a full run: none, the app's defaults are quick enough on the sample data.
const FULL: &[&str] = &[];
/// On a user's book: the first 30,000 words and 5 epochs (the whole novel at the defaults would take many minutes).
const BOOK: &[&str] = &["--fragment-words", "30000", "--epochs", "5"];
/// The flags of `--quick`.
const QUICK: &[&str] = &[
    "--epochs",
    "1",
    "--units",
    "16",
    "--dim",
    "16",
    "--seq-len",
    "10",
    "--sample-len",
    "5",
];

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
        path_arg(&ctx.file(Part::WordRnn, "model")),
    ]);
    let args = word_rnn::cli::TrainArgs::try_parse_from(&flags)?;
    let outcome = word_rnn::train::train(&args, &|line| ctx.say(line), false)?;

    let mut s = section(
        Part::WordRnn,
        "Assignment 5: next-word RNN on Word2Vec vectors (word-rnn)",
        command("word-rnn", &flags),
    );
    s.push(Block::table(
        ["figure", "value"],
        [
            ["input".to_owned(), outcome.input.clone()],
            ["sentences".to_owned(), outcome.sentences.to_string()],
            [
                "training / held-out words".to_owned(),
                format!("{} / {}", outcome.train_words, outcome.valid_words),
            ],
            [
                "sequences (training / held-out)".to_owned(),
                format!(
                    "{} / {} of {} words",
                    outcome.train_sequences, outcome.valid_sequences, args.seq_len
                ),
            ],
            [
                "vocabulary".to_owned(),
                format!(
                    "{} (with <unk>, {:.1}% of the training words)",
                    outcome.vocab_size,
                    100.0 * outcome.unk_share
                ),
            ],
            ["vectors".to_owned(), outcome.vectors.clone()],
            [
                "words with a vector".to_owned(),
                format!("{} of {}", outcome.words_with_vectors, outcome.vocab_size),
            ],
            [
                "network".to_owned(),
                format!(
                    "{}: {} weights, {} trained",
                    outcome.network, outcome.weights, outcome.trainable
                ),
            ],
            [
                "unigram perplexity (held-out)".to_owned(),
                num(outcome.unigram_perplexity, 1),
            ],
            [
                "Kneser-Ney bigram perplexity (held-out)".to_owned(),
                num(outcome.bigram_perplexity, 1),
            ],
            [
                "best held-out perplexity".to_owned(),
                format!(
                    "{} at epoch {}",
                    num(outcome.best_perplexity, 1),
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
            "training perplexity",
            "held-out perplexity",
            "words/s",
        ],
        outcome.history.iter().map(|r| {
            [
                r.epoch.to_string(),
                num(r.loss, 4),
                num(nn::lm_metrics::perplexity(r.loss), 1),
                num(r.valid_perplexity, 1),
                num(r.words_per_sec, 0),
            ]
        }),
    ));
    if let Some(sample) = &outcome.sample {
        s.push(Block::paragraph(
            "A sample of the best model (held-out prime | generated words):",
        ));
        s.push(Block::preformatted(sample.clone()));
    }
    s.push(Block::plot(
        "word-rnn-perplexity.svg",
        "Training and held-out perplexity by epoch, with the unigram and Kneser-Ney bigram baselines",
        outcome.loss_figure().render_svg()?,
    ));
    Ok(s)
}
