//! `Embedding`: a trainable or frozen lookup table.

use ndarray::ArrayD;
use rand::Rng;

use super::{EmbeddingConfig, Layer, LayerConfig};
use crate::error::shape_err;
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// Rows of a `(vocab, dim)` table at integer indices given as f32 (Keras' convention): maps
/// `(batch, time)` to `(batch, time, dim)`. Initialised `U(±0.05)` like Keras, or from a matrix
/// with [`Embedding::from_matrix`].
#[derive(Debug, Clone)]
pub struct Embedding {
    name: String,
    vocab: usize,
    dim: usize,
    trainable: bool,
    table: ParamId,
}

impl Embedding {
    /// Create the table in `params`.
    pub fn build<R: Rng + ?Sized>(
        cfg: &EmbeddingConfig,
        name: &str,
        params: &mut Params,
        rng: &mut R,
    ) -> Self {
        let t = tensor::init::uniform(rng, cfg.vocab, cfg.dim, 0.05).into_dyn();
        let table = params.add(format!("{name}/embeddings"), t, cfg.trainable);
        Self {
            name: name.to_string(),
            vocab: cfg.vocab,
            dim: cfg.dim,
            trainable: cfg.trainable,
            table,
        }
    }

    /// Create the layer from a given `(vocab, dim)` matrix (e.g. Word2Vec vectors).
    ///
    /// # Errors
    /// [`Error::Shape`] when `matrix` is not 2-D.
    pub fn from_matrix(
        name: &str,
        matrix: ArrayD<f32>,
        trainable: bool,
        params: &mut Params,
    ) -> Result<Self> {
        if matrix.ndim() != 2 {
            return Err(shape_err(
                format!("layer {name} (Embedding) matrix must be (vocab, dim)"),
                matrix.shape(),
                &[],
            ));
        }
        let (vocab, dim) = (matrix.shape()[0], matrix.shape()[1]);
        let table = params.add(format!("{name}/embeddings"), matrix, trainable);
        Ok(Self {
            name: name.to_string(),
            vocab,
            dim,
            trainable,
            table,
        })
    }

    /// The table's id.
    #[must_use]
    pub fn table(&self) -> ParamId {
        self.table
    }

    /// Number of rows (words).
    #[must_use]
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Width of a row.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.dim
    }
}

impl Layer for Embedding {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        "Embedding"
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        let xv = tape.value(x);
        let mut idx = Vec::with_capacity(xv.len());
        for (k, &f) in xv.iter().enumerate() {
            if !(f >= 0.0 && f.fract() == 0.0 && (f as usize) < self.vocab) {
                return Err(Error::Invalid(format!(
                    "layer {} (Embedding): input {f} at flat index {k} is not an integer in 0..{}",
                    self.name, self.vocab
                )));
            }
            idx.push(f as usize);
        }
        let shape = xv.shape().to_vec();
        let t = tape.param(self.table);
        tape.gather(t, &idx, &shape)
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok([input, &[self.dim]].concat())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn params(&self) -> Vec<ParamId> {
        vec![self.table]
    }
    fn config(&self) -> LayerConfig {
        LayerConfig::Embedding(EmbeddingConfig {
            name: Some(self.name.clone()),
            vocab: self.vocab,
            dim: self.dim,
            trainable: self.trainable,
        })
    }
}
