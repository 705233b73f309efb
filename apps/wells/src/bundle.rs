//! A saved model: a directory holding the networks (`model-0.safetensors`, ... one per ensemble member, nn's
//! format) and what is needed to feed it
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
    /// Networks averaged (files `model-0.safetensors` ...).
    pub members: usize,
    /// `Some(eps)`: windows are divided by their mean level plus `eps` (see `series::level`).
    pub level_eps: Option<f32>,
}

fn model_file(k: usize) -> String {
    format!("model-{k}.safetensors")
}
const RECIPE_FILE: &str = "wells.json";

/// Writes both files atomically into `dir` (created if needed).
pub fn save(dir: &Path, models: &[Sequential], recipe: &Recipe) -> anyhow::Result<()> {
    for (k, model) in models.iter().enumerate() {
        let bytes = model.to_bytes()?;
        appkit::write_atomic(&dir.join(model_file(k)), |w| Ok(w.write_all(&bytes)?))?;
    }
    appkit::write_json_atomic(&dir.join(RECIPE_FILE), recipe)
}

/// Reads a model saved by [`save`], checking that the network fits the recipe.
pub fn load(dir: &Path) -> anyhow::Result<(Vec<Sequential>, Recipe)> {
    let recipe_path = dir.join(RECIPE_FILE);
    let text = std::fs::read_to_string(&recipe_path)
        .with_context(|| format!("cannot read {}", recipe_path.display()))?;
    let recipe: Recipe = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a wells model recipe", recipe_path.display()))?;
    anyhow::ensure!(
        recipe.members >= 1,
        "{}: members must be at least 1",
        recipe_path.display()
    );
    let want = [recipe.window, recipe.features.len()];
    let mut models = Vec::with_capacity(recipe.members);
    for k in 0..recipe.members {
        let path = dir.join(model_file(k));
        let model = Sequential::load(&path)?;
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
