//! A saved model: a directory holding the networks (`model-0.safetensors`, ... one per ensemble member, nn's
//! format) and what is needed to feed them (`wells.json`: the features in order, the window, the fitted scaler,
//! the level normalisation, and the length and FNV-1a hash of every weights file), so a loaded model forecasts
//! exactly as the trained one did — and a weights file or scaler changed after saving is an error, not NaNs.

use std::path::Path;

use anyhow::Context;
use nn::Sequential;
use serde::{Deserialize, Serialize};

/// Everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// Input = output columns, in order.
    pub features: Vec<series::Feature>,
    /// Months per input window.
    pub window: usize,
    /// The scaler fitted on the training wells.
    pub scaler: series::Scaler,
    /// Networks averaged (files `model-0.safetensors` ...).
    pub members: usize,
    /// `Some(eps)`: windows are divided by their mean level plus `eps` (see `series::level`).
    pub level_eps: Option<f32>,
}

/// What `wells.json` holds: the recipe and one fingerprint per weights file.
#[derive(Serialize, Deserialize)]
struct RecipeFile {
    #[serde(flatten)]
    recipe: Recipe,
    weights: Vec<WeightsFingerprint>,
}

/// Length and FNV-1a 64 hash (hexadecimal) of one weights file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct WeightsFingerprint {
    bytes: usize,
    fnv1a: String,
}

impl WeightsFingerprint {
    fn of(bytes: &[u8]) -> WeightsFingerprint {
        WeightsFingerprint {
            bytes: bytes.len(),
            fnv1a: appkit::hash::fnv1a_hex(bytes),
        }
    }
}

fn model_file(k: usize) -> String {
    format!("model-{k}.safetensors")
}
const RECIPE_FILE: &str = "wells.json";

/// Writes the weights files, then the recipe (each atomically) into `dir` (created if needed).
pub fn save(dir: &Path, models: &[Sequential], recipe: &Recipe) -> anyhow::Result<()> {
    let mut weights = Vec::with_capacity(models.len());
    for (k, model) in models.iter().enumerate() {
        let bytes = model.to_bytes()?;
        appkit::write_atomic(&dir.join(model_file(k)), |w| Ok(w.write_all(&bytes)?))?;
        weights.push(WeightsFingerprint::of(&bytes));
    }
    let file = RecipeFile {
        recipe: recipe.clone(),
        weights,
    };
    appkit::write_json_atomic(&dir.join(RECIPE_FILE), &file)
}

/// Reads a model saved by [`save`]: the recipe must be complete and its scaler valid, every weights file must have
/// the recorded length and hash, and every network must map the recipe's window and features to the same shape.
pub fn load(dir: &Path) -> anyhow::Result<(Vec<Sequential>, Recipe)> {
    let recipe_path = dir.join(RECIPE_FILE);
    let at = recipe_path.display();
    let text =
        std::fs::read_to_string(&recipe_path).with_context(|| format!("cannot read {at}"))?;
    let RecipeFile { recipe, weights } =
        serde_json::from_str(&text).with_context(|| format!("{at}: not a wells model recipe"))?;
    anyhow::ensure!(recipe.members >= 1, "{at}: members must be at least 1");
    anyhow::ensure!(recipe.window >= 1, "{at}: window must be at least 1");
    anyhow::ensure!(
        weights.len() == recipe.members,
        "{at}: {} weights fingerprint(s) for {} member(s)",
        weights.len(),
        recipe.members
    );
    if let Some(eps) = recipe.level_eps {
        anyhow::ensure!(
            eps.is_finite() && eps > 0.0,
            "{at}: level_eps is {eps} (must be finite and > 0)"
        );
    }
    recipe
        .scaler
        .validate(recipe.features.len())
        .with_context(|| format!("{at}"))?;
    let want = [recipe.window, recipe.features.len()];
    let mut models = Vec::with_capacity(recipe.members);
    for (k, expected) in weights.iter().enumerate() {
        let path = dir.join(model_file(k));
        let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
        let found = WeightsFingerprint::of(&bytes);
        anyhow::ensure!(
            &found == expected,
            "{}: the weights file changed since the model was saved ({} bytes, FNV-1a {}; {at} records {} bytes, \
             FNV-1a {})",
            path.display(),
            found.bytes,
            found.fnv1a,
            expected.bytes,
            expected.fnv1a
        );
        let model = Sequential::from_bytes(&bytes, &path.display().to_string())?;
        anyhow::ensure!(
            model.input_shape() == want && model.output_shape() == want,
            "{}: the network maps {:?} to {:?} but the recipe says {} months of {} feature(s)",
            path.display(),
            model.input_shape(),
            model.output_shape(),
            recipe.window,
            recipe.features.len()
        );
        models.push(model);
    }
    Ok((models, recipe))
}
