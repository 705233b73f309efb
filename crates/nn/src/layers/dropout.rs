//! `Dropout`: Keras' inverted dropout as a layer of a [`Sequential`](crate::Sequential) model.

use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{ArrayD, IxDyn};
use rand::{Rng, SeedableRng};
use tensor::ProjectRng;

use super::{DropoutConfig, Layer, LayerConfig};
use crate::params::ParamId;
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// Inverted dropout (Keras `Dropout(rate, seed)`): on a training tape ([`Tape::new`], as `fit`
/// uses) each element is zeroed with probability `rate` and the others are scaled by
/// `1 / (1 − rate)`, so the expected value is unchanged; on an inference tape
/// ([`Tape::inference`]: `predict`, `evaluate`, validation, `step`) it is the identity. No
/// weights; the output shape is the input shape. With shared axes (Keras `noise_shape`), one
/// mask value covers every position along those axes.
///
/// Masks are reproducible: call `n` of the layer on a training tape draws its mask from the
/// ChaCha8 stream `n` of the layer's seed, and the number of masks drawn so far is part of the
/// layer's configuration, so a saved and loaded model (or a resumed checkpoint) continues with
/// the masks an uninterrupted run would have drawn. When `fit` splits a batch over more than one
/// thread, the shards draw their stream numbers in the order they run, so bit-identical runs
/// with dropout need a one-thread pool.
#[derive(Debug)]
pub struct Dropout {
    name: String,
    rate: f32,
    seed: u64,
    shared_axes: Vec<usize>,
    drawn: AtomicU64,
}

impl Clone for Dropout {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            rate: self.rate,
            seed: self.seed,
            shared_axes: self.shared_axes.clone(),
            drawn: AtomicU64::new(self.masks_drawn()),
        }
    }
}

impl Dropout {
    /// Validate `cfg` and make the layer; without a seed in `cfg` one is drawn from `rng` (the
    /// model's stream, so the model's seed decides it).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the layer for a rate outside `[0, 1)` (NaN included).
    pub fn build<R: Rng + ?Sized>(cfg: &DropoutConfig, name: &str, rng: &mut R) -> Result<Self> {
        if !(0.0..1.0).contains(&cfg.rate) {
            return Err(Error::Invalid(format!(
                "layer {name} (Dropout): rate must be in [0, 1), got {}",
                cfg.rate
            )));
        }
        Ok(Self {
            name: name.to_string(),
            rate: cfg.rate,
            seed: cfg.seed.unwrap_or_else(|| rng.random()),
            shared_axes: cfg.shared_axes.clone(),
            drawn: AtomicU64::new(cfg.masks_drawn),
        })
    }

    /// The fraction of inputs dropped in training.
    #[must_use]
    pub fn rate(&self) -> f32 {
        self.rate
    }

    /// The seed of the layer's mask streams.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many masks the layer has drawn (the next call uses stream number `masks_drawn()`).
    #[must_use]
    pub fn masks_drawn(&self) -> u64 {
        self.drawn.load(Ordering::SeqCst)
    }
}

impl Layer for Dropout {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        "Dropout"
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        if !tape.is_training() || self.rate == 0.0 {
            return Ok(x);
        }
        let stream = self.drawn.fetch_add(1, Ordering::SeqCst);
        let mut rng = ProjectRng::seed_from_u64(self.seed);
        rng.set_stream(stream);
        if self.shared_axes.is_empty() {
            return tape.dropout(x, self.rate, &mut rng);
        }
        // One value per position of the unshared axes, broadcast by `mul` along the shared
        // ones; the mask is a constant, so the gradient is `mask ⊙ upstream`.
        let mut shape = tape.shape(x).to_vec();
        for &axis in &self.shared_axes {
            if let Some(d) = shape.get_mut(axis) {
                *d = 1;
            }
        }
        let keep = 1.0 / (1.0 - self.rate);
        let mask = ArrayD::from_shape_simple_fn(IxDyn(&shape), || {
            if rng.random::<f32>() < self.rate {
                0.0
            } else {
                keep
            }
        });
        let mask = tape.constant(mask);
        tape.mul(x, mask)
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        // `input` has no batch axis; shared axes count it as axis 0.
        if let Some(&bad) = self.shared_axes.iter().find(|&&a| a > input.len()) {
            return Err(Error::Invalid(format!(
                "layer {} (Dropout): shared axis {bad} does not exist in an input of shape \
                 (batch, {}) (axes 0..={})",
                self.name,
                input
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                input.len()
            )));
        }
        Ok(input.to_vec())
    }
    fn params(&self) -> Vec<ParamId> {
        Vec::new()
    }
    fn config(&self) -> LayerConfig {
        LayerConfig::Dropout(DropoutConfig {
            name: Some(self.name.clone()),
            rate: self.rate,
            seed: Some(self.seed),
            masks_drawn: self.masks_drawn(),
            shared_axes: self.shared_axes.clone(),
        })
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
