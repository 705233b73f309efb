//! `Sequential`: a stack of layers with its own parameter store.

use ndarray::{ArrayD, Axis};
use rand::SeedableRng;
use tensor::ProjectRng;

use crate::layers::{
    Bidirectional, Dense, Dropout, Embedding, Layer, LayerConfig, Recurrent, RecurrentState,
    TiedDense,
};
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// A stack of layers applied in order, like Keras' `Sequential`. Owns the [`Params`] of all its
/// layers. Weights are drawn from a ChaCha8 stream seeded at construction, so the same seed and
/// the same `add` calls give the same weights.
#[derive(Debug)]
pub struct Sequential {
    pub(crate) name: String,
    pub(crate) input_shape: Vec<usize>,
    pub(crate) layers: Vec<Box<dyn Layer>>,
    pub(crate) shapes: Vec<Vec<usize>>,
    pub(crate) params: Params,
    pub(crate) rng: ProjectRng,
    pub(crate) compiled: Option<crate::train::Compiled>,
}

/// The recurrent state of every layer of a model, for step-by-step generation.
#[derive(Debug, Clone, Default)]
pub struct ModelState {
    /// One entry per layer (`None` for stateless layers or before the first step).
    pub layers: Vec<Option<RecurrentState>>,
}

impl Sequential {
    /// An empty model for inputs of shape `input_shape` (without the batch axis), e.g. `[12, 1]`
    /// for 12 steps of one feature, or `[40]` for 40 integer indices.
    #[must_use]
    pub fn new(input_shape: &[usize], seed: u64) -> Self {
        Self {
            name: "sequential".into(),
            input_shape: input_shape.to_vec(),
            layers: Vec::new(),
            shapes: Vec::new(),
            params: Params::new(),
            rng: ProjectRng::seed_from_u64(seed),
            compiled: None,
        }
    }

    /// The current output shape (the input shape for an empty model).
    #[must_use]
    pub fn output_shape(&self) -> &[usize] {
        self.shapes.last().unwrap_or(&self.input_shape)
    }

    /// The input shape (without the batch axis).
    #[must_use]
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    fn unique_name(&self, cfg: &LayerConfig) -> String {
        if let Some(n) = cfg.name() {
            return n.to_string();
        }
        let prefix = cfg.prefix();
        let taken = |n: &str| self.layers.iter().any(|l| l.name() == n);
        if !taken(prefix) {
            return prefix.to_string();
        }
        (1..)
            .map(|k| format!("{prefix}_{k}"))
            .find(|n| !taken(n))
            .unwrap_or_default()
    }

    /// Append a layer, creating its weights for the current output shape.
    ///
    /// # Errors
    /// [`Error::Shape`] naming the layer when it cannot take the current output shape;
    /// [`Error::Invalid`] for a duplicate name, zero units or a dropout rate outside `[0, 1)`.
    pub fn add(&mut self, cfg: impl Into<LayerConfig>) -> Result<&mut Self> {
        let cfg = cfg.into();
        let name = self.unique_name(&cfg);
        if self.layers.iter().any(|l| l.name() == name) {
            return Err(Error::Invalid(format!(
                "a layer named {name:?} already exists"
            )));
        }
        let in_dim = self.output_shape().last().copied().unwrap_or(0);
        let rng = &mut self.rng;
        let params = &mut self.params;
        let layer: Box<dyn Layer> = match &cfg {
            LayerConfig::Dense(c) => Box::new(Dense::build(c, &name, in_dim, params, rng)),
            LayerConfig::Recurrent(c) => Box::new(Recurrent::build(c, &name, in_dim, params, rng)?),
            LayerConfig::Embedding(c) => Box::new(Embedding::build(c, &name, params, rng)),
            LayerConfig::Bidirectional(c) => {
                Box::new(Bidirectional::build(c, &name, in_dim, params, rng)?)
            }
            LayerConfig::Dropout(c) => Box::new(Dropout::build(c, &name, rng)?),
            LayerConfig::TiedDense(c) => {
                Box::new(TiedDense::build(c, &name, in_dim, &self.layers, params)?)
            }
        };
        let shape = layer.output_shape(self.output_shape())?;
        self.layers.push(layer);
        self.shapes.push(shape);
        Ok(self)
    }

    /// The layers.
    #[must_use]
    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }

    /// The layer called `name`.
    #[must_use]
    pub fn layer(&self, name: &str) -> Option<&dyn Layer> {
        self.layers
            .iter()
            .find(|l| l.name() == name)
            .map(AsRef::as_ref)
    }

    /// The parameter store.
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Mutable access to the parameter store (to set or freeze weights).
    pub fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    /// Replace the value of the parameter called `name` (`"lstm/kernel"`), checking its shape.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown name (listing the valid ones); [`Error::Shape`].
    pub fn set_weight(&mut self, name: &str, value: ArrayD<f32>) -> Result<()> {
        let id = self.param_id(name)?;
        self.params.set(id, value)
    }

    /// The id of the parameter called `name`.
    ///
    /// # Errors
    /// [`Error::UnknownName`] listing the valid names.
    pub fn param_id(&self, name: &str) -> Result<ParamId> {
        self.params.find(name).ok_or_else(|| Error::UnknownName {
            kind: "parameter",
            name: name.to_string(),
            valid: self
                .params
                .iter()
                .map(|(_, p)| p.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Apply every layer to `x` on `tape`.
    ///
    /// # Errors
    /// The first layer's error (shape mismatches name the layer and both shapes).
    pub fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        let want = &self.input_shape;
        let got = tape.shape(x);
        if got.len() != want.len() + 1 || &got[1..] != want.as_slice() {
            return Err(crate::error::shape_err(
                format!("model {} input (batch first)", self.name),
                got,
                want,
            ));
        }
        self.layers.iter().try_fold(x, |v, l| l.forward(tape, v))
    }

    /// Predict `x` (batch axis first) in batches of `batch_size`, recording nothing.
    ///
    /// # Errors
    /// Shape errors; [`Error::NonFiniteInput`] for a NaN or infinity in `x`.
    pub fn predict(&self, x: &ArrayD<f32>, batch_size: usize) -> Result<ArrayD<f32>> {
        crate::train::check_finite("x", x)?;
        let n = x.shape().first().copied().unwrap_or(0);
        let bs = batch_size.max(1);
        let mut parts = Vec::new();
        for start in (0..n).step_by(bs) {
            let xb = x
                .slice_axis(Axis(0), ndarray::Slice::from(start..(start + bs).min(n)))
                .to_owned();
            let mut tape = Tape::inference(&self.params);
            let v = tape.constant(xb);
            let out = self.forward(&mut tape, v)?;
            parts.push(tape.to_array(out));
        }
        if parts.is_empty() {
            let mut shape = vec![0];
            shape.extend_from_slice(self.output_shape());
            return Ok(ArrayD::zeros(shape));
        }
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        ndarray::concatenate(Axis(0), &views).map_err(|e| Error::Invalid(e.to_string()))
    }

    /// One generation step: `x_t` is one time step `(batch, features)` — or `(batch,)` indices
    /// when the first layer takes indices — and `state` carries every recurrent layer's state
    /// from the previous call (start with `ModelState::default()`). Returns the last layer's
    /// output for this step `(batch, out)`.
    ///
    /// # Errors
    /// Shape errors; [`Error::Invalid`] for a bidirectional layer.
    pub fn step(&self, x_t: &ArrayD<f32>, state: &mut ModelState) -> Result<ArrayD<f32>> {
        state.layers.resize(self.layers.len(), None);
        let mut tape = Tape::inference(&self.params);
        let mut v = tape.constant(x_t.clone().insert_axis(Axis(1)));
        for (layer, s) in self.layers.iter().zip(state.layers.iter_mut()) {
            let (out, new) = layer.forward_stateful(&mut tape, v, s.as_ref())?;
            if new.is_some() {
                *s = new;
            }
            v = out;
        }
        Ok(tape.value(v).index_axis(Axis(1), 0).to_owned())
    }

    fn concrete<T: Clone + 'static>(&self, name: &str, kind: &str) -> Result<T> {
        let l = self.layer(name).ok_or_else(|| Error::UnknownName {
            kind: "layer",
            name: name.into(),
            valid: self
                .layers
                .iter()
                .map(|l| l.name().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        l.as_any()
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("layer {name} is a {}, not a {kind}", l.kind())))
    }

    /// A copy of the Dense layer called `name` (layers hold only parameter ids).
    ///
    /// # Errors
    /// [`Error::UnknownName`] or [`Error::Invalid`] for another kind of layer.
    pub fn dense_layer(&self, name: &str) -> Result<Dense> {
        self.concrete(name, "Dense")
    }

    /// A copy of the recurrent layer called `name`.
    ///
    /// # Errors
    /// [`Error::UnknownName`] or [`Error::Invalid`] for another kind of layer.
    pub fn recurrent_layer(&self, name: &str) -> Result<Recurrent> {
        self.concrete(name, "recurrent layer")
    }

    /// A copy of the bidirectional layer called `name`.
    ///
    /// # Errors
    /// [`Error::UnknownName`] or [`Error::Invalid`] for another kind of layer.
    pub fn bidirectional_layer(&self, name: &str) -> Result<Bidirectional> {
        self.concrete(name, "Bidirectional")
    }
}
