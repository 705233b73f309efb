//! A saved model: a directory holding the network (`model.safetensors`, nn's format) and what is needed to feed it
//! (`wells.json`: the features in order, the window, the fitted scaler and the level normalisation), so a loaded
//! model forecasts exactly as the trained one did.

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
    /// `Some(eps)`: windows are divided by their mean level plus `eps` (see `series::level`).
    pub level_eps: Option<f32>,
}

const MODEL_FILE: &str = "model.safetensors";
const RECIPE_FILE: &str = "wells.json";

/// Writes both files atomically into `dir` (created if needed).
pub fn save(dir: &Path, model: &Sequential, recipe: &Recipe) -> anyhow::Result<()> {
    let bytes = model.to_bytes()?;
    appkit::write_atomic(&dir.join(MODEL_FILE), |w| Ok(w.write_all(&bytes)?))?;
    appkit::write_json_atomic(&dir.join(RECIPE_FILE), recipe)
}

/// Reads a model saved by [`save`], checking that the network fits the recipe.
pub fn load(dir: &Path) -> anyhow::Result<(Sequential, Recipe)> {
    let recipe_path = dir.join(RECIPE_FILE);
    let text = std::fs::read_to_string(&recipe_path)
        .with_context(|| format!("cannot read {}", recipe_path.display()))?;
    let recipe: Recipe = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a wells model recipe", recipe_path.display()))?;
    let model = Sequential::load(dir.join(MODEL_FILE))?;
    let want = [recipe.window, recipe.features.len()];
    anyhow::ensure!(
        model.input_shape() == want && model.output_shape() == want,
        "{}: the network maps {:?} to {:?} but the recipe says {} months of {} feature(s)",
        dir.display(),
        model.input_shape(),
        model.output_shape(),
        recipe.window,
        recipe.features.len()
    );
    Ok((model, recipe))
}
