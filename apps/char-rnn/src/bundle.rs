//! The model directory: `model.safetensors` (the network, nn's format) and `char-rnn.json` (alphabet,
//! cleaning, training settings, best score, and the length and FNV-1a hash of the weights file it belongs
//! to). Each file is written atomically, the weights first; a directory whose two files do not belong
//! together (an interrupted save over an older model) is refused on load.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use textprep::Alphabet;

/// The weights file name.
pub const WEIGHTS: &str = "model.safetensors";
/// The description file name.
pub const META: &str = "char-rnn.json";
/// The `format` value of the description.
const FORMAT: &str = "rnnlab-char-rnn";
/// The current description version.
const VERSION: u32 = 1;

/// What `char-rnn.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// Always `"rnnlab-char-rnn"`.
    pub format: String,
    /// The format version when written (currently 1).
    pub version: u32,
    /// The characters in index order.
    pub alphabet: Vec<char>,
    /// Cleaning lowercased the text.
    pub lowercase: bool,
    /// Characters kept by cleaning besides letters and spaces.
    pub keep: String,
    /// The training settings (the flags), for the record.
    pub training: serde_json::Value,
    /// Epoch of the saved weights.
    pub epoch: usize,
    /// Held-out bits per character of the saved weights.
    pub valid_bpc: f64,
    /// Length of the weights file in bytes.
    pub weights_bytes: usize,
    /// FNV-1a 64 hash of the weights file, hexadecimal.
    pub weights_fnv1a: String,
}

/// A loaded model directory.
pub struct Bundle {
    /// The description.
    pub meta: Meta,
    /// The characters the network reads and predicts.
    pub alphabet: Alphabet,
    /// The network.
    pub model: nn::Sequential,
}

/// Writes the model and its description into `dir` (created if missing).
pub fn save(
    dir: &Path,
    model: &nn::Sequential,
    alphabet: &Alphabet,
    mut meta: Meta,
) -> anyhow::Result<()> {
    let bytes = model.to_bytes()?;
    meta.format = FORMAT.into();
    meta.version = VERSION;
    meta.alphabet = alphabet.chars().to_vec();
    meta.weights_bytes = bytes.len();
    meta.weights_fnv1a = appkit::hash::fnv1a_hex(&bytes);
    appkit::write_atomic(&dir.join(WEIGHTS), |w| Ok(w.write_all(&bytes)?))?;
    appkit::write_json_atomic(&dir.join(META), &meta)
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// Reads and checks a model directory.
pub fn load(dir: &Path) -> anyhow::Result<Bundle> {
    if !dir.is_dir() {
        bail!(
            "model directory {} does not exist (train one with `char-rnn train --out DIR`)",
            dir.display()
        );
    }
    let meta_path = path(dir, META);
    let text = std::fs::read_to_string(&meta_path).with_context(|| {
        format!(
            "{}: cannot read it; is {} a char-rnn model directory?",
            meta_path.display(),
            dir.display()
        )
    })?;
    let meta: Meta = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a valid char-rnn model description",
            meta_path.display()
        )
    })?;
    if meta.format != FORMAT {
        bail!(
            "{}: format {:?} is not {FORMAT:?}",
            meta_path.display(),
            meta.format
        );
    }
    if meta.version == 0 || meta.version > VERSION {
        bail!(
            "{}: model format version {} is not supported by this char-rnn (reads 1..={VERSION})",
            meta_path.display(),
            meta.version
        );
    }
    let weights_path = path(dir, WEIGHTS);
    let bytes = std::fs::read(&weights_path)
        .with_context(|| format!("{}: cannot read the weights", weights_path.display()))?;
    if bytes.len() != meta.weights_bytes || appkit::hash::fnv1a_hex(&bytes) != meta.weights_fnv1a {
        bail!(
            "{}: the weights do not match {} (corrupted, or an interrupted save over another model); retrain",
            weights_path.display(),
            META
        );
    }
    let model = nn::Sequential::from_bytes(&bytes, &weights_path.display().to_string())?;
    let alphabet = Alphabet::from_chars(meta.alphabet.iter().copied())
        .with_context(|| format!("{}: alphabet", meta_path.display()))?;
    let vocab = nn::generate::input_vocab(&model)?;
    let out = model.output_shape().last().copied().unwrap_or(0);
    if vocab != alphabet.len() || out != alphabet.len() {
        bail!(
            "{}: the network takes {vocab} and predicts {out} characters but the alphabet has {}",
            dir.display(),
            alphabet.len()
        );
    }
    Ok(Bundle {
        meta,
        alphabet,
        model,
    })
}
