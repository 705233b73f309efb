//! SimpleRNN, LSTM and GRU layers on the fused kernels.

use ndarray::{ArrayD, Axis};
use rand::Rng;

use super::{Cell, Layer, LayerConfig, RecurrentConfig};
use crate::error::shape_err;
use crate::ops::recurrent::{RecurrentOutput, SeqInput};
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// The state a recurrent layer carries between calls: `h (batch, units)` and, for LSTM,
/// `c (batch, units)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrentState {
    /// Hidden state.
    pub h: ArrayD<f32>,
    /// Cell state (LSTM only).
    pub c: Option<ArrayD<f32>>,
}

/// A recurrent layer (SimpleRNN, LSTM or GRU, see [`Cell`]).
///
/// Weights (Keras names and layouts): `<name>/kernel (in, G·u)` glorot-uniform with
/// `fan_out = G·u`, `<name>/recurrent_kernel (u, G·u)` orthogonal, `<name>/bias` zeros — `(4u)`
/// with ones in the forget block for LSTM (`unit_forget_bias`), `(2, 3u)` for GRU, `(3u)` for
/// GRU with `reset_after=False`, `(u)` for SimpleRNN. `G` = 1, 4, 3.
#[derive(Debug, Clone)]
pub struct Recurrent {
    name: String,
    cfg: RecurrentConfig,
    in_dim: usize,
    kernel: ParamId,
    recurrent_kernel: ParamId,
    bias: ParamId,
    recurrent_bias: Option<ParamId>,
}

impl Recurrent {
    /// Create the layer's weights in `params` for input width `in_dim` (ignored when the config
    /// has `index_input`, whose vocabulary is the kernel's row count).
    ///
    /// # Errors
    /// [`Error::Invalid`] for zero units.
    pub fn build<R: Rng + ?Sized>(
        cfg: &RecurrentConfig,
        name: &str,
        in_dim: usize,
        params: &mut Params,
        rng: &mut R,
    ) -> Result<Self> {
        let u = cfg.units;
        if u == 0 {
            return Err(Error::Invalid(format!(
                "layer {name}: units must be positive"
            )));
        }
        let in_dim = cfg.index_input.unwrap_or(in_dim);
        let g = cfg.cell.gates();
        let kernel = params.add(
            format!("{name}/kernel"),
            tensor::init::glorot_uniform(rng, in_dim, g * u).into_dyn(),
            true,
        );
        let rk = tensor::init::orthogonal(rng, u, g * u, 1.0)?;
        let recurrent_kernel = params.add(format!("{name}/recurrent_kernel"), rk.into_dyn(), true);
        let bias_value = match cfg.cell {
            Cell::Lstm => {
                let mut b = ArrayD::zeros(vec![4 * u]);
                b.slice_axis_mut(Axis(0), ndarray::Slice::from(u..2 * u))
                    .fill(1.0);
                b
            }
            Cell::Gru => ArrayD::zeros(vec![2, 3 * u]),
            Cell::GruResetBefore => ArrayD::zeros(vec![3 * u]),
            Cell::SimpleRnn => ArrayD::zeros(vec![u]),
        };
        let bias = params.add(format!("{name}/bias"), bias_value, true);
        let recurrent_bias = (cfg.torch_biases && matches!(cfg.cell, Cell::Lstm | Cell::SimpleRnn))
            .then(|| {
                params.add(
                    format!("{name}/recurrent_bias"),
                    ArrayD::zeros(vec![g * u]),
                    true,
                )
            });
        let mut cfg = cfg.clone();
        cfg.name = Some(name.to_string());
        Ok(Self {
            name: name.to_string(),
            cfg,
            in_dim,
            kernel,
            recurrent_kernel,
            bias,
            recurrent_bias,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn recurrent_config(&self) -> &RecurrentConfig {
        &self.cfg
    }

    /// Ids of `(kernel, recurrent_kernel, bias)`.
    #[must_use]
    pub fn weight_ids(&self) -> (ParamId, ParamId, ParamId) {
        (self.kernel, self.recurrent_kernel, self.bias)
    }

    /// Id of PyTorch's second bias, when the layer keeps it (`torch_biases`).
    #[must_use]
    pub fn recurrent_bias_id(&self) -> Option<ParamId> {
        self.recurrent_bias
    }

    /// Input width (the vocabulary size for index input).
    #[must_use]
    pub fn input_dim(&self) -> usize {
        self.in_dim
    }

    /// Run over a whole sequence with an optional initial state (`h` and, for LSTM, `c`, each a
    /// `(batch, units)` var), returning the sequence, the last `h` and the last `c` (Keras'
    /// `return_state`).
    ///
    /// # Errors
    /// [`Error::Shape`] naming the layer when `x` or the state does not fit;
    /// [`Error::Invalid`] for a missing `c` in an LSTM initial state.
    pub fn forward_full(
        &self,
        tape: &mut Tape,
        x: Var,
        initial: Option<(Var, Option<Var>)>,
    ) -> Result<RecurrentOutput> {
        let label = format!("layer {} ({})", self.name, self.cfg.cell.kind());
        let input = if self.cfg.index_input.is_some() {
            SeqInput::Indices(x)
        } else {
            SeqInput::Features(x)
        };
        let (w, u, mut b) = (
            tape.param(self.kernel),
            tape.param(self.recurrent_kernel),
            tape.param(self.bias),
        );
        if let Some(rb) = self.recurrent_bias {
            let rb = tape.param(rb);
            b = tape.add(b, rb)?;
        }
        let (h0, c0) = match initial {
            Some((h, c)) => (Some(h), c),
            None => (None, None),
        };
        match self.cfg.cell {
            Cell::Lstm => {
                if h0.is_some() != c0.is_some() {
                    return Err(Error::Invalid(format!(
                        "{label}: an LSTM initial state needs both h and c"
                    )));
                }
                tape.lstm(&label, input, w, u, b, h0, c0)
            }
            Cell::Gru => tape.gru(&label, input, w, u, b, h0),
            Cell::GruResetBefore => tape.gru_reset_before(&label, input, w, u, b, h0),
            Cell::SimpleRnn => tape.simple_rnn(&label, input, w, u, b, h0),
        }
    }

    /// One step (or a few) for a generator: `x_t` is `(batch, in)` features — or `(batch,)`
    /// indices for index input — and `state` the previous state (`None`: zeros). Returns the new
    /// state; its `h` is the layer's output. Runs on an inference tape, so nothing is recorded.
    ///
    /// # Errors
    /// As [`Recurrent::forward_full`].
    pub fn step(
        &self,
        params: &Params,
        x_t: &ArrayD<f32>,
        state: Option<&RecurrentState>,
    ) -> Result<RecurrentState> {
        let mut tape = Tape::inference(params);
        let x = x_t.clone().insert_axis(Axis(1));
        let x = tape.constant(x);
        let (_, s) = self.forward_stateful(&mut tape, x, state)?;
        s.ok_or_else(|| Error::Invalid("recurrent step produced no state".into()))
    }
}

impl Layer for Recurrent {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        self.cfg.cell.kind()
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        let out = self.forward_full(tape, x, None)?;
        Ok(if self.cfg.return_sequences {
            out.sequence
        } else {
            out.h
        })
    }
    fn forward_stateful(
        &self,
        tape: &mut Tape,
        x: Var,
        state: Option<&RecurrentState>,
    ) -> Result<(Var, Option<RecurrentState>)> {
        let initial = match state {
            Some(s) => {
                let h = tape.constant(s.h.clone());
                let c = s.c.clone().map(|c| tape.constant(c));
                Some((h, c))
            }
            None => None,
        };
        let out = self.forward_full(tape, x, initial)?;
        let new = RecurrentState {
            h: tape.to_array(out.h),
            c: out.c.map(|c| tape.to_array(c)),
        };
        Ok((out.sequence, Some(new)))
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let steps = match (self.cfg.index_input, input) {
            (Some(_), [t]) => *t,
            (None, [t, f]) if *f == self.in_dim => *t,
            _ => {
                let want: &[usize] = if self.cfg.index_input.is_some() {
                    &[0]
                } else {
                    &[0, self.in_dim]
                };
                return Err(shape_err(
                    format!(
                        "layer {} ({}) input (time, features)",
                        self.name,
                        self.kind()
                    ),
                    input,
                    want,
                ));
            }
        };
        Ok(if self.cfg.return_sequences {
            vec![steps, self.cfg.units]
        } else {
            vec![self.cfg.units]
        })
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn params(&self) -> Vec<ParamId> {
        let mut p = vec![self.kernel, self.recurrent_kernel, self.bias];
        p.extend(self.recurrent_bias);
        p
    }
    fn config(&self) -> LayerConfig {
        LayerConfig::Recurrent(self.cfg.clone())
    }
}
