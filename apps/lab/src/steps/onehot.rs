//! Assignment 3: a fragment of the book cleaned (lowercase letters and spaces), cut into equal-length sentences
//! and one-hot encoded into `(n_sentences, sentence_len, alphabet)` arrays, as `onehot` writes them.

use anyhow::Context;
use appkit::heatmap::Heatmap;
use appkit::report::{Block, Section};
use textprep::{
    Alphabet, CharSequences, CleanConfig, Cleaner, SequenceConfig, Utf8Policy, fragment, one_hot,
    read_text, sample::RUSSIAN_STORY, write_npy,
};

use super::{Ctx, command, path_arg, section};
use crate::cli::Part;

/// Characters per sentence (`onehot --sentence-len`'s default).
const SENTENCE_LEN: usize = 40;
/// The fragment of a user's book (the whole sample story is small enough to take all of it).
const BOOK_FRAGMENT: usize = 100_000;

/// Runs the part.
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let x_path = ctx.file(Part::Onehot, "X.npy");
    let mut flags = ctx.input_flags();
    let fragment_chars = ctx.args.book.as_ref().map(|_| BOOK_FRAGMENT);
    if let Some(n) = fragment_chars {
        flags.extend(["--fragment-chars".to_owned(), n.to_string()]);
    }
    flags.extend(["--out".to_owned(), path_arg(&x_path)]);
    let mut s = section(
        Part::Onehot,
        "Assignment 3: one-hot sentences",
        command("onehot", &flags),
    );

    let cleaner = Cleaner::new(&CleanConfig {
        lowercase: true,
        extra: String::new(),
        keep_newlines: false,
    })?;
    let raw = match &ctx.args.book {
        Some(p) => read_text(p, Utf8Policy::Strict)?,
        None => RUSSIAN_STORY.to_owned(),
    };
    ctx.say("cleaning and encoding");
    let cleaned = cleaner.clean(&raw);
    let cleaned_chars = cleaned.chars().count();
    let text = fragment(&cleaned, fragment_chars.unwrap_or(cleaned_chars));
    let text_chars = text.chars().count();
    let config = SequenceConfig::new(SENTENCE_LEN);
    let alphabet = Alphabet::from_text(text)?;
    let sequences = CharSequences::from_text(text, &alphabet, &config)
        .with_context(|| format!("{}, fragment of {text_chars} characters", ctx.book_name()))?;
    let x = one_hot(sequences.x.view(), alphabet.len())?;
    let y = one_hot(sequences.y.view(), alphabet.len())?;
    appkit::write_atomic(&x_path, |w| Ok(write_npy(&x, w)?))?;
    appkit::write_atomic(&x_path.with_file_name("Y.npy"), |w| Ok(write_npy(&y, w)?))?;
    appkit::write_atomic(&x_path.with_file_name("alphabet.json"), |w| {
        Ok(alphabet.write_json(w)?)
    })?;

    let (n, len, size) = x.dim();
    s.push(Block::table(
        ["figure", "value"],
        [
            ["input".to_owned(), ctx.book_name()],
            [
                "characters after cleaning".to_owned(),
                cleaned_chars.to_string(),
            ],
            ["fragment".to_owned(), text_chars.to_string()],
            [
                "X.shape (n_sentences, sentence_len, encoding_size)".to_owned(),
                format!("({n}, {len}, {size})"),
            ],
            [
                "Y.shape (the next character of each position)".to_owned(),
                format!("{:?}", y.dim()),
            ],
            [
                "characters dropped after the last sentence".to_owned(),
                sequences.dropped.to_string(),
            ],
            ["alphabet".to_owned(), alphabet.to_json()],
        ],
    ));
    if n > 0 {
        let first: Vec<u32> = sequences.x.row(0).to_vec();
        let sentence = alphabet.decode(&first)?;
        s.push(Block::paragraph(format!(
            "The first sentence, {sentence:?}, as its one-hot matrix X[0] (a row per character, a column per \
             alphabet letter; `␣` is the space):"
        )));
        let show = |c: char| {
            if c == ' ' {
                "␣".to_owned()
            } else {
                c.to_string()
            }
        };
        let map = Heatmap {
            title: "X[0]: one-hot rows of the first sentence".to_owned(),
            rows: sentence.chars().map(show).collect(),
            columns: alphabet.chars().iter().copied().map(show).collect(),
            values: x
                .index_axis(ndarray::Axis(0), 0)
                .rows()
                .into_iter()
                .map(|r| r.iter().map(|&v| f64::from(v)).collect())
                .collect(),
        };
        s.push(Block::plot(
            "onehot-first-sentence.svg",
            "X[0]: each character of the first sentence is a row with a single 1 in its alphabet column",
            map.render_svg()?,
        ));
    }
    Ok(s)
}
