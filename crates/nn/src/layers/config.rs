//! Serialisable layer configurations with builder methods.

use serde::{Deserialize, Serialize};

use super::Activation;

/// Which recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    /// `h = tanh(x·W + h·U + b)`.
    SimpleRnn,
    /// Long short-term memory, gates `i, f, c, o`.
    Lstm,
    /// Gated recurrent unit, `reset_after` (Keras' default since TF 2, and PyTorch's form),
    /// gates `z, r, h`: `h̃ = tanh(x·W_h + b_ih + r ⊙ (h·U_h + b_hh))`, bias `(2, 3u)`.
    Gru,
    /// The original GRU of Cho et al. (2014), Keras' `GRU(reset_after=False)`, gates `z, r, h`:
    /// `h̃ = tanh(x·W_h + (r ⊙ h)·U_h + b_h)`, one bias `(3u)`. Build it with
    /// `gru(u).reset_after(false)`.
    GruResetBefore,
}

impl Cell {
    /// Number of gate blocks (1, 4, 3).
    #[must_use]
    pub fn gates(self) -> usize {
        match self {
            Self::SimpleRnn => 1,
            Self::Lstm => 4,
            Self::Gru | Self::GruResetBefore => 3,
        }
    }

    /// Keras class name.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::SimpleRnn => "SimpleRNN",
            Self::Lstm => "LSTM",
            Self::Gru | Self::GruResetBefore => "GRU",
        }
    }

    /// Keras' default layer-name prefix.
    #[must_use]
    pub fn prefix(self) -> &'static str {
        match self {
            Self::SimpleRnn => "simple_rnn",
            Self::Lstm => "lstm",
            Self::Gru | Self::GruResetBefore => "gru",
        }
    }
}

/// A `Dense` layer: `activation(x·kernel + bias)` on the last axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseConfig {
    /// Layer name (`None`: assigned by the model, Keras-style).
    pub name: Option<String>,
    /// Output width.
    pub units: usize,
    /// Activation.
    pub activation: Activation,
    /// Whether there is a bias.
    pub use_bias: bool,
}

/// A recurrent layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentConfig {
    /// Layer name (`None`: assigned by the model).
    pub name: Option<String>,
    /// The cell.
    pub cell: Cell,
    /// Hidden size.
    pub units: usize,
    /// Output every step `(batch, time, units)` instead of the last `(batch, units)`.
    pub return_sequences: bool,
    /// `Some(vocab)`: the input is integer indices `(batch, time)` in `0..vocab`, equivalent to a
    /// one-hot input of width `vocab` (the kernel has `vocab` rows) but computed as a row lookup.
    pub index_input: Option<usize>,
    /// Keep PyTorch's second bias (`bias_hh`) as its own trainable parameter
    /// `<name>/recurrent_bias` `(G·u)` for LSTM and SimpleRNN, added to `bias` before the kernel.
    /// The forward pass is unchanged, but training then moves both vectors like PyTorch does
    /// (each gets the full gradient and its own optimiser step). GRU always keeps two biases
    /// (its `(2, 3u)` bias), and PyTorch has no `reset_after=False` GRU, so the flag does not
    /// change either GRU.
    #[serde(default)]
    pub torch_biases: bool,
}

/// An `Embedding` layer: rows of a `(vocab, dim)` table at integer indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingConfig {
    /// Layer name (`None`: assigned by the model).
    pub name: Option<String>,
    /// Number of rows.
    pub vocab: usize,
    /// Vector width.
    pub dim: usize,
    /// Whether training updates the table.
    pub trainable: bool,
}

/// A [`TiedDense`](super::TiedDense) output layer: `x · Eᵀ + bias` with the table `E` of the
/// embedding layer named `embedding` (weight tying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TiedDenseConfig {
    /// Layer name (`None`: assigned by the model).
    pub name: Option<String>,
    /// The name of the earlier [`Embedding`](super::Embedding) layer whose table is shared.
    pub embedding: String,
    /// Whether there is a bias.
    pub use_bias: bool,
}

/// A `Dropout` layer (Keras `Dropout(rate, seed=...)`): inverted dropout in training, the
/// identity in inference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropoutConfig {
    /// Layer name (`None`: assigned by the model).
    pub name: Option<String>,
    /// Fraction of the inputs zeroed in training, in `[0, 1)`.
    pub rate: f32,
    /// Seed of the masks (`None`: drawn from the model's seed when the layer is added).
    pub seed: Option<u64>,
    /// Masks drawn so far (the layer's position in its random stream; 0 for a new layer). Saved
    /// with the model so that a loaded model continues the stream.
    #[serde(default)]
    pub masks_drawn: u64,
    /// Axes (0 = batch, 1 = time, …) along which one mask value is shared, as Keras'
    /// `noise_shape` with a 1 on those axes: `[1]` on `(batch, time, features)` is
    /// `noise_shape=(None, 1, features)`, one mask per sequence and feature for every step —
    /// what Keras 3's `LSTM(dropout=r)` / `GRU(dropout=r)` apply to their input. Empty: every
    /// element drawn on its own.
    #[serde(default)]
    pub shared_axes: Vec<usize>,
}

/// How a bidirectional layer combines its two directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Merge {
    /// Concatenate along the last axis (forward first), Keras' default.
    Concat,
    /// Add.
    Sum,
    /// Multiply element-wise (Keras `merge_mode="mul"`).
    Mul,
    /// The mean of the two (Keras `merge_mode="ave"`).
    Ave,
}

/// A `Bidirectional` wrapper around a recurrent layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BidirectionalConfig {
    /// Layer name (`None`: assigned by the model).
    pub name: Option<String>,
    /// The wrapped layer (both directions get the same configuration).
    pub layer: RecurrentConfig,
    /// How the directions are merged.
    pub merge: Merge,
}

/// Any layer's configuration (what `save` writes and `load` rebuilds from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LayerConfig {
    /// [`Dense`](super::Dense).
    Dense(DenseConfig),
    /// [`Recurrent`](super::Recurrent).
    Recurrent(RecurrentConfig),
    /// [`Embedding`](super::Embedding).
    Embedding(EmbeddingConfig),
    /// [`Bidirectional`](super::Bidirectional).
    Bidirectional(BidirectionalConfig),
    /// [`Dropout`](super::Dropout).
    Dropout(DropoutConfig),
    /// [`TiedDense`](super::TiedDense).
    TiedDense(TiedDenseConfig),
}

/// `Dense(units)` with a linear activation and a bias.
#[must_use]
pub fn dense(units: usize) -> DenseConfig {
    DenseConfig {
        name: None,
        units,
        activation: Activation::Linear,
        use_bias: true,
    }
}

fn recurrent(cell: Cell, units: usize) -> RecurrentConfig {
    RecurrentConfig {
        name: None,
        cell,
        units,
        return_sequences: false,
        index_input: None,
        torch_biases: false,
    }
}

/// `LSTM(units)` returning the last step.
#[must_use]
pub fn lstm(units: usize) -> RecurrentConfig {
    recurrent(Cell::Lstm, units)
}

/// `GRU(units)` (reset_after) returning the last step.
#[must_use]
pub fn gru(units: usize) -> RecurrentConfig {
    recurrent(Cell::Gru, units)
}

/// `SimpleRNN(units)` (tanh) returning the last step.
#[must_use]
pub fn simple_rnn(units: usize) -> RecurrentConfig {
    recurrent(Cell::SimpleRnn, units)
}

/// `Embedding(vocab, dim)`, trainable.
#[must_use]
pub fn embedding(vocab: usize, dim: usize) -> EmbeddingConfig {
    EmbeddingConfig {
        name: None,
        vocab,
        dim,
        trainable: true,
    }
}

/// `Dropout(rate)`, its seed drawn from the model's seed (see [`DropoutConfig::seed`]).
#[must_use]
pub fn dropout(rate: f32) -> DropoutConfig {
    DropoutConfig {
        name: None,
        rate,
        seed: None,
        masks_drawn: 0,
        shared_axes: Vec::new(),
    }
}

/// An output layer tied to the embedding layer named `embedding`, with a bias.
#[must_use]
pub fn tied_dense(embedding: impl Into<String>) -> TiedDenseConfig {
    TiedDenseConfig {
        name: None,
        embedding: embedding.into(),
        use_bias: true,
    }
}

/// `Bidirectional(layer)` with concatenated outputs.
#[must_use]
pub fn bidirectional(layer: RecurrentConfig) -> BidirectionalConfig {
    BidirectionalConfig {
        name: None,
        layer,
        merge: Merge::Concat,
    }
}

impl DenseConfig {
    /// Set the activation.
    #[must_use]
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
    /// Drop the bias.
    #[must_use]
    pub fn without_bias(mut self) -> Self {
        self.use_bias = false;
        self
    }
}

impl RecurrentConfig {
    /// For a GRU: Keras' `reset_after` argument. `true` (the default, like Keras 3 and
    /// PyTorch) applies the reset gate after the recurrent product ([`Cell::Gru`]); `false`
    /// before it ([`Cell::GruResetBefore`], the original GRU, with a `(3u)` bias). Other cells
    /// have no reset gate and are returned unchanged.
    #[must_use]
    pub fn reset_after(mut self, yes: bool) -> Self {
        if matches!(self.cell, Cell::Gru | Cell::GruResetBefore) {
            self.cell = if yes { Cell::Gru } else { Cell::GruResetBefore };
        }
        self
    }
    /// Return every step.
    #[must_use]
    pub fn return_sequences(mut self, yes: bool) -> Self {
        self.return_sequences = yes;
        self
    }
    /// Keep PyTorch's two biases (see [`RecurrentConfig::torch_biases`]).
    #[must_use]
    pub fn torch_biases(mut self, yes: bool) -> Self {
        self.torch_biases = yes;
        self
    }
    /// Take integer indices in `0..vocab` instead of one-hot rows.
    #[must_use]
    pub fn index_input(mut self, vocab: usize) -> Self {
        self.index_input = Some(vocab);
        self
    }
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
}

impl EmbeddingConfig {
    /// Freeze (or unfreeze) the table.
    #[must_use]
    pub fn trainable(mut self, yes: bool) -> Self {
        self.trainable = yes;
        self
    }
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
}

impl DropoutConfig {
    /// Share one mask value along `axes` (see [`DropoutConfig::shared_axes`]); `&[1]` drops
    /// the same features at every time step, like the `dropout=` argument of Keras 3's recurrent
    /// layers.
    #[must_use]
    pub fn shared_axes(mut self, axes: &[usize]) -> Self {
        self.shared_axes = axes.to_vec();
        self
    }
    /// Set the seed of the masks.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
}

impl TiedDenseConfig {
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
    /// Drop the bias.
    #[must_use]
    pub fn without_bias(mut self) -> Self {
        self.use_bias = false;
        self
    }
}

impl BidirectionalConfig {
    /// Set the merge mode.
    #[must_use]
    pub fn merge(mut self, m: Merge) -> Self {
        self.merge = m;
        self
    }
    /// Set the name.
    #[must_use]
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
}

impl From<DenseConfig> for LayerConfig {
    fn from(c: DenseConfig) -> Self {
        Self::Dense(c)
    }
}
impl From<RecurrentConfig> for LayerConfig {
    fn from(c: RecurrentConfig) -> Self {
        Self::Recurrent(c)
    }
}
impl From<EmbeddingConfig> for LayerConfig {
    fn from(c: EmbeddingConfig) -> Self {
        Self::Embedding(c)
    }
}
impl From<DropoutConfig> for LayerConfig {
    fn from(c: DropoutConfig) -> Self {
        Self::Dropout(c)
    }
}
impl From<TiedDenseConfig> for LayerConfig {
    fn from(c: TiedDenseConfig) -> Self {
        Self::TiedDense(c)
    }
}
impl From<BidirectionalConfig> for LayerConfig {
    fn from(c: BidirectionalConfig) -> Self {
        Self::Bidirectional(c)
    }
}

impl LayerConfig {
    /// The explicit name, if any.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Dense(c) => c.name.as_deref(),
            Self::Recurrent(c) => c.name.as_deref(),
            Self::Embedding(c) => c.name.as_deref(),
            Self::Bidirectional(c) => c.name.as_deref(),
            Self::Dropout(c) => c.name.as_deref(),
            Self::TiedDense(c) => c.name.as_deref(),
        }
    }

    /// Keras' default name prefix for this kind of layer.
    #[must_use]
    pub fn prefix(&self) -> &'static str {
        match self {
            Self::Dense(_) => "dense",
            Self::Recurrent(c) => c.cell.prefix(),
            Self::Embedding(_) => "embedding",
            Self::Bidirectional(_) => "bidirectional",
            Self::Dropout(_) => "dropout",
            Self::TiedDense(_) => "tied_dense",
        }
    }
}
