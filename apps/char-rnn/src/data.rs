//! From a text file to training and held-out sentences: read, clean, take the fragment, build the alphabet,
//! hold out the tail, cut both parts into equal-length sentences (index arrays; the model reads a one-hot
//! input as a row lookup, so the one-hot arrays of assignment 3 are never materialised).

use anyhow::{Context, bail};
use textprep::{
    Alphabet, CharSequences, CleanConfig, Cleaner, SequenceConfig, Utf8Policy, Utf8Reader,
    sample::RUSSIAN_STORY,
};

use crate::cli::TrainArgs;

/// The prepared data.
pub struct Corpus {
    /// Where the text came from (for messages).
    pub name: String,
    /// Characters after cleaning (before taking the fragment); a lower bound when `cleaned_whole` is false.
    pub cleaned_chars: usize,
    /// Whether the whole input was read (false: reading stopped once the fragment was full).
    pub cleaned_whole: bool,
    /// The characters of the fragment, in index order.
    pub alphabet: Alphabet,
    /// The training part, encoded.
    pub train_text: Vec<u32>,
    /// The held-out tail, encoded.
    pub valid_text: Vec<u32>,
    /// Training sentences and their next-character targets.
    pub train: CharSequences,
    /// Held-out sentences and targets.
    pub valid: CharSequences,
}

/// The cleaning settings of a run (also stored with the model).
pub fn clean_config(keep: &str) -> CleanConfig {
    CleanConfig {
        lowercase: true,
        extra: keep.to_owned(),
        keep_newlines: false,
    }
}

/// Writes the sentences and the alphabet into `dir` (see `--export-data`).
pub fn export(corpus: &Corpus, dir: &std::path::Path) -> anyhow::Result<()> {
    let arrays = [
        ("train_x.npy", &corpus.train.x),
        ("train_y.npy", &corpus.train.y),
        ("valid_x.npy", &corpus.valid.x),
        ("valid_y.npy", &corpus.valid.y),
    ];
    for (name, array) in arrays {
        appkit::write_atomic(&dir.join(name), |w| Ok(textprep::write_npy(array, w)?))?;
    }
    appkit::write_atomic(&dir.join("alphabet.json"), |w| {
        Ok(corpus.alphabet.write_json(w)?)
    })
}

/// Reads, cleans and splits the text named by the flags.
pub fn load(args: &TrainArgs) -> anyhow::Result<Corpus> {
    let cleaner = Cleaner::new(&clean_config(&args.keep))
        .map_err(|e| appkit::usage(format!("--keep: {e}")))?;
    let sentence_len = usize::try_from(args.sentence_len).context("--sentence-len is too large")?;
    if !(args.valid_fraction > 0.0 && args.valid_fraction < 1.0) {
        return Err(appkit::usage(format!(
            "--valid-fraction must be between 0 and 1 (exclusive), got {}",
            args.valid_fraction
        )));
    }
    // Streamed: with a fragment, reading stops once the cleaned fragment is full, so memory holds the fragment and
    // one piece of input whatever the book's size.
    let fragment_chars = args
        .fragment_chars
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let (name, prefix) = match &args.input {
        Some(path) => (
            path.display().to_string(),
            cleaner.clean_prefix(
                &mut Utf8Reader::open(path, Utf8Policy::Strict)?,
                fragment_chars,
            )?,
        ),
        None => (
            "the sample story".to_owned(),
            cleaner.clean_prefix(
                &mut Utf8Reader::new(RUSSIAN_STORY.as_bytes(), Utf8Policy::Strict),
                fragment_chars,
            )?,
        ),
    };
    if prefix.empty_input {
        bail!("{name}: the input is empty");
    }
    let cleaned_chars = prefix.chars;
    if cleaned_chars == 0 {
        bail!("{name}: nothing is left after cleaning (no letters)");
    }
    let text = prefix.text.as_str();
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let config = SequenceConfig::new(sentence_len);
    if n < sentence_len + 1 {
        bail!(
            "{name}: the text ({n} characters after cleaning{}) is shorter than one sentence of {sentence_len} \
             characters plus its next character; lower --sentence-len or give more text",
            if args.fragment_chars.is_some() {
                ", fragment"
            } else {
                ""
            }
        );
    }
    let n_valid = ((n as f64) * args.valid_fraction).round() as usize;
    let n_train = n - n_valid;
    if n_valid < sentence_len + 1 || n_train < sentence_len + 1 {
        bail!(
            "{name}: too little text for a validation split: {n} characters, {n_train} for training and {n_valid} \
             held out (--valid-fraction {}), but each part needs at least one sentence of {sentence_len} characters \
             plus one; give more text, or lower --sentence-len",
            args.valid_fraction
        );
    }
    let alphabet = Alphabet::from_text(text)?;
    let encode = |part: &[char]| -> anyhow::Result<Vec<u32>> {
        let s: String = part.iter().collect();
        Ok(alphabet.encode(&s)?)
    };
    let train_text = encode(&chars[..n_train])?;
    let valid_text = encode(&chars[n_train..])?;
    let train = CharSequences::from_indices(&train_text, &config)
        .with_context(|| format!("{name}: training part"))?;
    let valid = CharSequences::from_indices(&valid_text, &config)
        .with_context(|| format!("{name}: held-out part"))?;
    Ok(Corpus {
        name,
        cleaned_chars,
        cleaned_whole: prefix.whole,
        alphabet,
        train_text,
        valid_text,
        train,
        valid,
    })
}
