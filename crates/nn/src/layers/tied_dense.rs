//! `TiedDense`: an output layer whose kernel is the transposed table of an earlier [`Embedding`]
//! (weight tying, Inan et al. 2016, Press & Wolf 2017), plus its own bias.

use ndarray::ArrayD;

use super::{Embedding, Layer, LayerConfig, TiedDenseConfig};
use crate::error::shape_err;
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// Maps `(..., dim)` to `(..., vocab)` as `x · Eᵀ + bias`, where `E (vocab, dim)` is the table of the
/// embedding layer named in its configuration: one logit per word, scored against the word's own
/// input vector. The table is shared, not copied: training moves it by the sum of both layers'
/// gradients, and a frozen table stays frozen here too. The bias `(vocab)` starts at zeros.
#[derive(Debug, Clone)]
pub struct TiedDense {
    name: String,
    embedding: String,
    vocab: usize,
    dim: usize,
    table: ParamId,
    bias: Option<ParamId>,
}

impl TiedDense {
    /// Finds the embedding among the `earlier` layers and creates the bias in `params`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when no earlier layer has the configured name or it is not an
    /// [`Embedding`]; [`Error::Shape`] when `in_dim` is not the table's width.
    pub fn build(
        cfg: &TiedDenseConfig,
        name: &str,
        in_dim: usize,
        earlier: &[Box<dyn Layer>],
        params: &mut Params,
    ) -> Result<Self> {
        let layer = earlier
            .iter()
            .find(|l| l.name() == cfg.embedding)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "layer {name} (TiedDense): no earlier layer is named {:?}",
                    cfg.embedding
                ))
            })?;
        let embedding = layer.as_any().downcast_ref::<Embedding>().ok_or_else(|| {
            Error::Invalid(format!(
                "layer {name} (TiedDense): layer {} is a {}, not an Embedding",
                cfg.embedding,
                layer.kind()
            ))
        })?;
        let (vocab, dim) = (embedding.vocab(), embedding.dim());
        if in_dim != dim {
            return Err(shape_err(
                format!(
                    "layer {name} (TiedDense) input vs the table of {}",
                    cfg.embedding
                ),
                &[in_dim],
                &[vocab, dim],
            ));
        }
        let bias = cfg
            .use_bias
            .then(|| params.add(format!("{name}/bias"), ArrayD::zeros(vec![vocab]), true));
        Ok(Self {
            name: name.to_string(),
            embedding: cfg.embedding.clone(),
            vocab,
            dim,
            table: embedding.table(),
            bias,
        })
    }

    /// The shared table's id (the embedding's).
    #[must_use]
    pub fn table(&self) -> ParamId {
        self.table
    }

    /// The bias's id, if any.
    #[must_use]
    pub fn bias(&self) -> Option<ParamId> {
        self.bias
    }
}

impl Layer for TiedDense {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        "TiedDense"
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        let table = tape.param(self.table);
        match self.bias {
            Some(b) => {
                let b = tape.param(b);
                tape.affine_transposed(x, table, b)
            }
            None => tape.matmul_transposed(x, table),
        }
    }
    fn forward_cross_entropy(&self, tape: &mut Tape, x: Var, targets: &[usize]) -> Result<Var> {
        let table = tape.param(self.table);
        let b = self.bias.map(|b| tape.param(b));
        tape.affine_cross_entropy(x, table, b, true, targets)
    }
    fn forward_sampled_cross_entropy(
        &self,
        tape: &mut Tape,
        x: Var,
        targets: &[usize],
        candidates: &crate::sampled_softmax::Candidates,
    ) -> Result<Var> {
        let table = tape.param(self.table);
        let b = self.bias.map(|b| tape.param(b));
        tape.sampled_affine_cross_entropy(x, table, b, targets, candidates)
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input.split_last() {
            Some((&last, lead)) if last == self.dim => Ok([lead, &[self.vocab]].concat()),
            _ => Err(shape_err(
                format!(
                    "layer {} (TiedDense) input vs the table of {}",
                    self.name, self.embedding
                ),
                input,
                &[self.vocab, self.dim],
            )),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    /// Only the bias: the table belongs to the embedding layer (counted once).
    fn params(&self) -> Vec<ParamId> {
        self.bias.into_iter().collect()
    }
    fn config(&self) -> LayerConfig {
        LayerConfig::TiedDense(TiedDenseConfig {
            name: Some(self.name.clone()),
            embedding: self.embedding.clone(),
            use_bias: self.bias.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ndarray::{ArrayD, IxDyn};

    use crate::Sequential;
    use crate::layers::{dense, embedding, lstm, tied_dense};
    use crate::tape::Tape;

    /// Embedding(7, 4) → LSTM(5) → Dense(4) → TiedDense (with or without its bias): small enough
    /// for finite differences.
    fn model(use_bias: bool) -> Sequential {
        let mut m = Sequential::new(&[3], 11);
        m.add(embedding(7, 4).name("emb")).unwrap();
        m.add(lstm(5).return_sequences(true)).unwrap();
        m.add(dense(4)).unwrap();
        let tied = tied_dense("emb");
        m.add(if use_bias { tied } else { tied.without_bias() })
            .unwrap();
        m
    }

    /// The model's cross-entropy on a fixed batch: the output layer's logits then
    /// `Tape::cross_entropy`, or (`fused`) the output layer's `forward_cross_entropy`
    /// (`Tape::affine_cross_entropy`, the logits not kept).
    fn loss(m: &Sequential, tape: &mut Tape<'_>, fused: bool) -> crate::Var {
        let mut v = tape.constant(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![0., 3., 6., 2., 2., 5.]).unwrap(),
        );
        let targets = [1, 4, 0, 6, 3, 2];
        if !fused {
            let logits = m.forward(tape, v).unwrap();
            return tape.cross_entropy(logits, &targets).unwrap();
        }
        let (last, rest) = m.layers().split_last().unwrap();
        for layer in rest {
            v = layer.forward(tape, v).unwrap();
        }
        last.forward_cross_entropy(tape, v, &targets).unwrap()
    }

    /// The table gets the gradient of both uses (lookup and output); every weight's gradient,
    /// the shared table's included, matches central finite differences: with the bias (the fused
    /// `affine_transposed`) and without it (`matmul_transposed`), and through
    /// `forward_cross_entropy` with and without the bias.
    #[test]
    fn gradients_match_finite_differences() {
        for fused in [false, true] {
            gradients_match_finite_differences_with(true, fused);
            gradients_match_finite_differences_with(false, fused);
        }
    }

    /// `forward_cross_entropy` gives the loss and gradients of the logits followed by
    /// `Tape::cross_entropy`.
    #[test]
    fn fused_cross_entropy_equals_logits_then_cross_entropy() {
        for use_bias in [true, false] {
            let m = model(use_bias);
            let run = |fused: bool| {
                let mut tape = Tape::new(m.params());
                let l = loss(&m, &mut tape, fused);
                let g = tape.backward(l).unwrap();
                let grads: Vec<Vec<f32>> = m
                    .params()
                    .iter()
                    .map(|(id, _)| g.get(id).unwrap().iter().copied().collect())
                    .collect();
                (tape.value(l).iter().next().copied().unwrap(), grads)
            };
            let (separate, fused) = (run(false), run(true));
            assert!(
                (separate.0 - fused.0).abs() < 1e-6,
                "{} vs {}",
                separate.0,
                fused.0
            );
            for (a, b) in separate.1.iter().flatten().zip(fused.1.iter().flatten()) {
                assert!((a - b).abs() < 1e-6, "{a} vs {b}");
            }
        }
    }

    fn gradients_match_finite_differences_with(use_bias: bool, fused: bool) {
        let mut m = model(use_bias);
        let grads = {
            let mut tape = Tape::new(m.params());
            let l = loss(&m, &mut tape, fused);
            tape.backward(l).unwrap()
        };
        let value = |m: &Sequential| {
            let mut tape = Tape::inference(m.params());
            let l = loss(m, &mut tape, fused);
            f64::from(tape.value(l).iter().next().copied().unwrap())
        };
        let eps = 1e-2f32;
        let names: &[&str] = if use_bias {
            &["emb/embeddings", "tied_dense/bias", "dense/kernel"]
        } else {
            &["emb/embeddings", "dense/kernel"]
        };
        for &name in names {
            let id = m.param_id(name).unwrap();
            let g = grads.get(id).unwrap().clone();
            for k in 0..m.params().get(id).value.len() {
                let orig = m.params().get(id).value.as_slice().unwrap()[k];
                m.params_mut().get_mut(id).value.as_slice_mut().unwrap()[k] = orig + eps;
                let up = value(&m);
                m.params_mut().get_mut(id).value.as_slice_mut().unwrap()[k] = orig - eps;
                let down = value(&m);
                m.params_mut().get_mut(id).value.as_slice_mut().unwrap()[k] = orig;
                let numeric = (up - down) / (2.0 * f64::from(eps));
                let analytic = f64::from(g.as_slice().unwrap()[k]);
                assert!(
                    (numeric - analytic).abs() < 2e-3 + 2e-2 * numeric.abs(),
                    "{name}[{k}]: finite differences {numeric}, backward {analytic}"
                );
            }
        }
    }

    /// The logits are `x · Eᵀ + b` with the embedding's own table.
    #[test]
    fn logits_use_the_embedding_table() {
        let mut m = Sequential::new(&[1], 1);
        m.add(embedding(3, 2).name("emb")).unwrap();
        m.add(tied_dense("emb")).unwrap();
        let table = ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![1., 2., 3., 4., 5., 6.]).unwrap();
        m.set_weight("emb/embeddings", table).unwrap();
        m.set_weight(
            "tied_dense/bias",
            ArrayD::from_shape_vec(IxDyn(&[3]), vec![0.5, 0., -1.]).unwrap(),
        )
        .unwrap();
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 1]), vec![1.]).unwrap();
        let y = m.predict(&x, 1).unwrap();
        // Row 1 of the table is (3, 4): its dot products with (1,2), (3,4), (5,6), plus the bias.
        assert_eq!(y.iter().copied().collect::<Vec<_>>(), vec![11.5, 25., 38.]);
        assert_eq!(m.params().len(), 2, "the table is not copied");
    }

    /// Saved and loaded, the model has one table, used by both layers, and the same outputs.
    #[test]
    fn save_and_load_keep_the_tie() {
        let m = model(true);
        let back = Sequential::from_bytes(&m.to_bytes().unwrap(), "mem").unwrap();
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 3]), vec![4., 1., 0.]).unwrap();
        assert_eq!(m.predict(&x, 1).unwrap(), back.predict(&x, 1).unwrap());
        let tied = back.layers()[3]
            .as_any()
            .downcast_ref::<super::TiedDense>()
            .unwrap();
        assert_eq!(tied.table(), back.param_id("emb/embeddings").unwrap());
        assert_eq!(back.params().len(), m.params().len());
    }

    /// A missing or wrong embedding, or a width other than the table's, is refused by name.
    #[test]
    fn bad_ties_are_errors() {
        let mut m = Sequential::new(&[3], 1);
        m.add(embedding(7, 4).name("emb")).unwrap();
        let e = m.add(tied_dense("nope")).unwrap_err().to_string();
        assert!(e.contains("no earlier layer is named \"nope\""), "{e}");
        m.add(lstm(5).return_sequences(true).name("rnn")).unwrap();
        let e = m.add(tied_dense("rnn")).unwrap_err().to_string();
        assert!(e.contains("layer rnn is a LSTM, not an Embedding"), "{e}");
        let e = m.add(tied_dense("emb")).unwrap_err().to_string();
        assert!(e.contains("input vs the table of emb"), "{e}");
    }
}
