//! Layers: a shared [`Layer`] trait, serialisable configurations ([`LayerConfig`]) and the
//! built layers [`Dense`], [`Recurrent`] (SimpleRNN / LSTM / GRU), [`Embedding`],
//! [`Bidirectional`], [`Dropout`] and [`TiedDense`] (an output layer sharing an embedding's table).
//!
//! A configuration says *what* a layer is (units, activation, …); building it against an input
//! shape creates its weights in a [`Params`] store with Keras' default
//! initialisers and parameter names `<layer>/kernel`, `<layer>/recurrent_kernel`, `<layer>/bias`,
//! `<layer>/embeddings`.

mod activation;
mod bidirectional;
mod config;
mod dense;
mod dropout;
mod embedding;
mod recurrent;
mod tied_dense;

pub use activation::Activation;
pub use bidirectional::Bidirectional;
pub use config::{
    BidirectionalConfig, Cell, DenseConfig, DropoutConfig, EmbeddingConfig, LayerConfig, Merge,
    RecurrentConfig, TiedDenseConfig, bidirectional, dense, dropout, embedding, gru, lstm,
    simple_rnn, tied_dense,
};
pub use dense::Dense;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use recurrent::{Recurrent, RecurrentState};
pub use tied_dense::TiedDense;

use crate::params::ParamId;
use crate::tape::{Tape, Var};
use crate::{Params, Result};

/// What every layer can do.
pub trait Layer: std::fmt::Debug + Send + Sync {
    /// The layer's unique name in its model (`lstm`, `lstm_1`, …).
    fn name(&self) -> &str;

    /// The Keras class name shown by `summary()` (`LSTM`, `Dense`, …).
    fn kind(&self) -> &'static str;

    /// Apply the layer to `x` (the batch axis first).
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) naming the layer and both shapes when `x` does not fit.
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var>;

    /// Apply the layer carrying recurrent state: `state` is the state after the previous call
    /// (`None` at the start). Returns the output (recurrent layers return the full sequence) and
    /// the new state (`None` for stateless layers).
    ///
    /// # Errors
    /// As [`Layer::forward`]; [`Error::Invalid`](crate::Error::Invalid) for a layer that cannot
    /// run step by step (bidirectional).
    fn forward_stateful(
        &self,
        tape: &mut Tape,
        x: Var,
        state: Option<&RecurrentState>,
    ) -> Result<(Var, Option<RecurrentState>)> {
        let _ = state;
        Ok((self.forward(tape, x)?, None))
    }

    /// The mean cross-entropy of the layer's output, read as logits, against integer class
    /// `targets` (one per row of the flattened leading axes): [`Layer::forward`], then
    /// [`Tape::cross_entropy`]. Output layers whose logits are a product plus a bias (`Dense`
    /// without an activation, `TiedDense`) override it with [`Tape::affine_cross_entropy`], which
    /// gives the same loss and gradients without keeping the logits.
    ///
    /// # Errors
    /// As [`Layer::forward`] and [`Tape::cross_entropy`].
    fn forward_cross_entropy(&self, tape: &mut Tape, x: Var, targets: &[usize]) -> Result<Var> {
        let logits = self.forward(tape, x)?;
        tape.cross_entropy(logits, targets)
    }

    /// The mean sampled-softmax cross-entropy of the layer's output against integer class
    /// `targets`, scored over the `candidates`' classes only ([`crate::sampled_softmax`]). Only an
    /// output layer that scores each class by a row of a table (`TiedDense`) has one; on any other
    /// layer this is an error naming it.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) on a layer without it; else as
    /// [`Tape::sampled_affine_cross_entropy`].
    fn forward_sampled_cross_entropy(
        &self,
        tape: &mut Tape,
        x: Var,
        targets: &[usize],
        candidates: &crate::sampled_softmax::Candidates,
    ) -> Result<Var> {
        let _ = (tape, x, targets, candidates);
        Err(crate::Error::Invalid(format!(
            "layer {} ({}) has no sampled softmax: only a tied output layer (TiedDense) has one",
            self.name(),
            self.kind()
        )))
    }

    /// The output shape (without the batch axis) for an input shape (without the batch axis).
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) when the input shape does not fit.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>>;

    /// The layer's parameters, in a fixed order.
    fn params(&self) -> Vec<ParamId>;

    /// The configuration that rebuilds this layer.
    fn config(&self) -> LayerConfig;

    /// The layer as `Any`, to get at the concrete type (`Dense`, `Recurrent`, …).
    fn as_any(&self) -> &dyn std::any::Any;

    /// Number of scalar weights.
    fn param_count(&self, params: &Params) -> usize {
        self.params()
            .iter()
            .map(|&id| params.get(id).value.len())
            .sum()
    }
}
