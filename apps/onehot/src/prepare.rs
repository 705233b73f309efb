//! The run: read and clean (only as far as the fragment needs), encode, write.
//!
//! The input is streamed through `Cleaner::clean_prefix`: memory holds the cleaned fragment and one buffer of
//! input, and reading stops once the fragment is full, so a book of any size costs what its fragment costs.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use textprep::{
    Alphabet, CharSequences, CleanConfig, Cleaner, SequenceConfig, Utf8Policy, Utf8Reader, one_hot,
    sample::RUSSIAN_STORY, write_npy,
};

use crate::cli::Args;

/// Where each output goes.
struct Outputs {
    x: PathBuf,
    y: PathBuf,
    alphabet: PathBuf,
    indices: Option<(PathBuf, PathBuf)>,
}

impl Outputs {
    fn from_args(args: &Args) -> Self {
        let beside_x = |name: &str| args.out.with_file_name(name);
        let x = args.out.clone();
        let y = args.out_y.clone().unwrap_or_else(|| beside_x("Y.npy"));
        let indices = args.indices.then(|| (indices_path(&x), indices_path(&y)));
        Self {
            alphabet: args
                .out_alphabet
                .clone()
                .unwrap_or_else(|| beside_x("alphabet.json")),
            x,
            y,
            indices,
        }
    }
}

/// `dir/X.npy` → `dir/X_indices.npy`.
fn indices_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{stem}_indices.npy"))
}

/// Formats a shape as Python prints a tuple.
fn python_tuple(dims: &[usize]) -> String {
    let items: Vec<String> = dims.iter().map(usize::to_string).collect();
    format!("({})", items.join(", "))
}

fn to_usize(value: u64, name: &str) -> anyhow::Result<usize> {
    usize::try_from(value).with_context(|| format!("{name} {value} is too large for this machine"))
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let clean_config = CleanConfig {
        lowercase: !args.keep_case,
        extra: args.keep.clone(),
        keep_newlines: args.keep_newlines,
    };
    let cleaner = Cleaner::new(&clean_config)
        .map_err(|e| appkit::usage(e.to_string()))
        .context("--keep")?;
    let sequence_config = SequenceConfig {
        sentence_len: to_usize(args.sentence_len, "sentence length")?,
        stride: args.stride.map(|s| to_usize(s, "stride")).transpose()?,
    };
    sequence_config.validate()?;
    let policy = if args.lossy {
        Utf8Policy::Lossy
    } else {
        Utf8Policy::Strict
    };

    let fragment_chars = args
        .fragment_chars
        .map(|n| to_usize(n, "fragment length"))
        .transpose()?;
    let (name, prefix) = match &args.input {
        Some(path) => (
            path.display().to_string(),
            cleaner.clean_prefix(&mut Utf8Reader::open(path, policy)?, fragment_chars)?,
        ),
        None => (
            "the sample story".to_owned(),
            cleaner.clean_prefix(
                &mut Utf8Reader::new(RUSSIAN_STORY.as_bytes(), policy),
                fragment_chars,
            )?,
        ),
    };
    if prefix.empty_input {
        bail!("{name}: the input is empty");
    }
    if prefix.text.is_empty() {
        let kept = if args.keep.is_empty() {
            String::new()
        } else {
            format!(" and none of {:?}", args.keep)
        };
        bail!("{name}: nothing is left after cleaning (no letters{kept})");
    }
    let text = prefix.text.as_str();
    let text_chars = fragment_chars.map_or(prefix.chars, |n| n.min(prefix.chars));
    let cleaned = if prefix.whole {
        format!("{} characters after cleaning", prefix.chars)
    } else {
        format!(
            "at least {} characters after cleaning (reading stopped once the fragment was full)",
            prefix.chars
        )
    };

    let alphabet = Alphabet::from_text(text)?;
    let sequences = CharSequences::from_text(text, &alphabet, &sequence_config)
        .with_context(|| format!("{name}, fragment of {text_chars} characters"))?;
    let x = one_hot(sequences.x.view(), alphabet.len())?;
    let y = one_hot(sequences.y.view(), alphabet.len())?;

    let outputs = Outputs::from_args(args);
    appkit::write_atomic(&outputs.x, |w| Ok(write_npy(&x, w)?))?;
    appkit::write_atomic(&outputs.y, |w| Ok(write_npy(&y, w)?))?;
    if let Some((x_indices, y_indices)) = &outputs.indices {
        appkit::write_atomic(x_indices, |w| Ok(write_npy(&sequences.x, w)?))?;
        appkit::write_atomic(y_indices, |w| Ok(write_npy(&sequences.y, w)?))?;
    }
    appkit::write_atomic(&outputs.alphabet, |w| Ok(alphabet.write_json(w)?))?;

    // Written with errors returned (a closed pipe is an error, not a panic).
    let mut out = std::io::stdout().lock();
    writeln!(out, "input: {name}: {cleaned}, fragment of {text_chars}")?;
    writeln!(
        out,
        "shape (n_sentences, sentence_len, encoding_size): {}",
        python_tuple(&[
            sequences.len(),
            sequence_config.sentence_len,
            alphabet.len()
        ])
    )?;
    writeln!(
        out,
        "sentences: {} of {} characters, stride {}, {} characters dropped after the last one",
        sequences.len(),
        sequence_config.sentence_len,
        sequence_config.effective_stride(),
        sequences.dropped
    )?;
    writeln!(out, "alphabet ({}): {}", alphabet.len(), alphabet.to_json())?;
    let mut written = vec![
        outputs.x.display().to_string(),
        outputs.y.display().to_string(),
    ];
    if let Some((x_indices, y_indices)) = &outputs.indices {
        written.push(x_indices.display().to_string());
        written.push(y_indices.display().to_string());
    }
    written.push(outputs.alphabet.display().to_string());
    writeln!(out, "wrote: {}", written.join(", "))?;
    Ok(())
}
