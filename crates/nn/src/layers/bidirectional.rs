//! `Bidirectional`: a recurrent layer run forwards and, with its own weights, backwards in time.

use rand::Rng;

use super::{BidirectionalConfig, Layer, LayerConfig, Merge, Recurrent};
use crate::Result;
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};

/// Runs one copy of a recurrent layer over the sequence and another over the reversed sequence;
/// with `return_sequences` the backward outputs are re-reversed so step `t` of both halves lines
/// up (the backward half at `t` has seen steps `t..T`), otherwise both last states are merged.
/// Weights are named `<name>/forward/...` and `<name>/backward/...`.
#[derive(Debug, Clone)]
pub struct Bidirectional {
    name: String,
    merge: Merge,
    forward: Recurrent,
    backward: Recurrent,
}

impl Bidirectional {
    /// Create both directions' weights in `params` (forward first).
    ///
    /// # Errors
    /// As [`Recurrent::build`].
    pub fn build<R: Rng + ?Sized>(
        cfg: &BidirectionalConfig,
        name: &str,
        in_dim: usize,
        params: &mut Params,
        rng: &mut R,
    ) -> Result<Self> {
        let forward =
            Recurrent::build(&cfg.layer, &format!("{name}/forward"), in_dim, params, rng)?;
        let backward =
            Recurrent::build(&cfg.layer, &format!("{name}/backward"), in_dim, params, rng)?;
        Ok(Self {
            name: name.to_string(),
            merge: cfg.merge,
            forward,
            backward,
        })
    }

    /// The two directions.
    #[must_use]
    pub fn directions(&self) -> (&Recurrent, &Recurrent) {
        (&self.forward, &self.backward)
    }

    fn merge(&self, tape: &mut Tape, a: Var, b: Var) -> Result<Var> {
        match self.merge {
            Merge::Concat => {
                let axis = tape.shape(a).len() - 1;
                tape.concat(&[a, b], axis)
            }
            Merge::Sum => tape.add(a, b),
            Merge::Mul => tape.mul(a, b),
            Merge::Ave => {
                let s = tape.add(a, b)?;
                Ok(tape.scale(s, 0.5))
            }
        }
    }
}

impl Layer for Bidirectional {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        "Bidirectional"
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        let f = self.forward.forward_full(tape, x, None)?;
        let xr = tape.reverse(x, 1)?;
        let b = self.backward.forward_full(tape, xr, None)?;
        if self.forward.recurrent_config().return_sequences {
            let bs = tape.reverse(b.sequence, 1)?;
            self.merge(tape, f.sequence, bs)
        } else {
            self.merge(tape, f.h, b.h)
        }
    }
    fn forward_stateful(
        &self,
        _: &mut Tape,
        _: Var,
        _: Option<&super::RecurrentState>,
    ) -> Result<(Var, Option<super::RecurrentState>)> {
        Err(crate::Error::Invalid(format!(
            "layer {} (Bidirectional) cannot run step by step: it needs the whole sequence",
            self.name
        )))
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mut s = self.forward.output_shape(input)?;
        if self.merge == Merge::Concat {
            if let Some(last) = s.last_mut() {
                *last *= 2;
            }
        }
        Ok(s)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn params(&self) -> Vec<ParamId> {
        [self.forward.params(), self.backward.params()].concat()
    }
    fn config(&self) -> LayerConfig {
        let mut layer = self.forward.recurrent_config().clone();
        layer.name = None;
        LayerConfig::Bidirectional(BidirectionalConfig {
            name: Some(self.name.clone()),
            layer,
            merge: self.merge,
        })
    }
}
