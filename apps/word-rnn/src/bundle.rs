//! The model directory: `model.safetensors` (the network, nn's format) and `word-rnn.json` (vocabulary,
//! training settings, best score, and the length and FNV-1a hash of the weights file it belongs to).
//! The weights are written first, each file atomically; a directory whose two files do not belong
//! together (an interrupted save over an older model) is refused on load.

use std::path::Path;

use anyhow::{Context, bail};
use embed::lm_vocab::LmVocab;
use serde::{Deserialize, Serialize};

/// The weights file name.
pub const WEIGHTS: &str = "model.safetensors";
/// The description file name.
pub const META: &str = "word-rnn.json";
const FORMAT: &str = "rnnlab-word-rnn";
const VERSION: u32 = 1;

/// What `word-rnn.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// Always `rnnlab-word-rnn`.
    pub format: String,
    /// The description version.
    pub version: u32,
    /// The words in id order without `<unk>` (which is the last id).
    pub words: Vec<String>,
    /// The training settings (the flags), for the record.
    pub training: serde_json::Value,
    /// Epoch of the saved weights.
    pub epoch: usize,
    /// Held-out perplexity of the saved weights.
    pub valid_perplexity: f64,
    /// Length of the weights file in bytes.
    pub weights_bytes: usize,
    /// FNV-1a 64 hash of the weights file, hexadecimal.
    pub weights_fnv1a: String,
}

/// A loaded model directory.
pub struct Bundle {
    /// The vocabulary (`<unk>` last).
    pub vocab: LmVocab,
    /// The network.
    pub model: nn::Sequential,
}

/// Writes the model and its description into `dir` (created if missing).
pub fn save(
    dir: &Path,
    model: &nn::Sequential,
    vocab: &LmVocab,
    training: &serde_json::Value,
    epoch: usize,
    valid_perplexity: f64,
) -> anyhow::Result<()> {
    let bytes = model.to_bytes()?;
    let meta = Meta {
        format: FORMAT.into(),
        version: VERSION,
        words: vocab.known_words().to_vec(),
        training: training.clone(),
        epoch,
        valid_perplexity,
        weights_bytes: bytes.len(),
        weights_fnv1a: appkit::hash::fnv1a_hex(&bytes),
    };
    appkit::write_atomic(&dir.join(WEIGHTS), |w| Ok(w.write_all(&bytes)?))?;
    appkit::write_json_atomic(&dir.join(META), &meta)
}

/// Reads and checks a model directory.
pub fn load(dir: &Path) -> anyhow::Result<Bundle> {
    if !dir.is_dir() {
        bail!(
            "model directory {} does not exist (train one with `word-rnn train --out DIR`)",
            dir.display()
        );
    }
    let meta_path = dir.join(META);
    let text = std::fs::read_to_string(&meta_path).with_context(|| {
        format!(
            "{}: cannot read it; is {} a word-rnn model directory?",
            meta_path.display(),
            dir.display()
        )
    })?;
    let meta: Meta = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a valid word-rnn model description",
            meta_path.display()
        )
    })?;
    if meta.format != FORMAT || meta.version == 0 || meta.version > VERSION {
        bail!(
            "{}: format {:?} version {} is not {FORMAT:?} version 1..={VERSION}",
            meta_path.display(),
            meta.format,
            meta.version
        );
    }
    let weights_path = dir.join(WEIGHTS);
    let bytes = std::fs::read(&weights_path)
        .with_context(|| format!("{}: cannot read the weights", weights_path.display()))?;
    if bytes.len() != meta.weights_bytes || appkit::hash::fnv1a_hex(&bytes) != meta.weights_fnv1a {
        bail!(
            "{}: the weights do not match {META} (corrupted, or an interrupted save over another model); retrain",
            weights_path.display()
        );
    }
    let model = nn::Sequential::from_bytes(&bytes, &weights_path.display().to_string())?;
    let vocab = LmVocab::from_words(meta.words)
        .with_context(|| format!("{}: vocabulary", meta_path.display()))?;
    let input = nn::generate::input_vocab(&model)?;
    let out = model.output_shape().last().copied().unwrap_or(0);
    if input != vocab.len() || out != vocab.len() {
        bail!(
            "{}: the network takes {input} and predicts {out} words but the vocabulary has {}",
            dir.display(),
            vocab.len()
        );
    }
    Ok(Bundle { vocab, model })
}
