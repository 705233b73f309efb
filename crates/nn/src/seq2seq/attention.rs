//! Attention over encoder states: additive (Bahdanau) `e_ij = vᵀ tanh(W s_{i-1} + U h_j)` or
//! multiplicative (Luong "general") `e_ij = (W s_{i-1}) · h_j`, with padded source positions
//! masked out, returning the context `c_i = Σ_j α_ij h_j` and the weights `α_i = softmax_j(e_ij)`.
//!
//! Everything is composed from taped ops, so gradients come from their (finite-difference
//! checked) backward rules. The per-source work (`U h_j`, the transposed encoder states) is done
//! once in [`Attention::keys`]; each decoder step then costs one small product per batch.

use ndarray::{ArrayD, IxDyn};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// The additive constant for a masked (padded) score: its softmax weight underflows to exactly 0.
const MASKED: f32 = -1.0e9;

/// Which score function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttentionKind {
    /// Bahdanau: `vᵀ tanh(W s + U h_j)` with `units` hidden units.
    Additive,
    /// Luong "general": `(W s) · h_j`.
    Dot,
}

/// An attention layer's weights.
#[derive(Debug, Clone)]
pub struct Attention {
    kind: AttentionKind,
    enc_dim: usize,
    query: ParamId,
    key: Option<ParamId>,
    v: Option<ParamId>,
}

/// The per-batch precomputation of [`Attention::keys`].
#[derive(Debug, Clone, Copy)]
pub struct Keys {
    /// Encoder states `(B, Tx, D)`.
    pub states: Var,
    /// The same, transposed to `(B, D, Tx)`.
    states_t: Var,
    /// `U h_j` `(B, Tx, A)` (additive only).
    projected: Option<Var>,
    /// `(B, Tx)`: 0 for a real position, a large negative number for padding.
    mask: Option<Var>,
    batch: usize,
    steps: usize,
}

/// The output of one attention step.
#[derive(Debug, Clone, Copy)]
pub struct Attended {
    /// Context vectors `(B, D)`.
    pub context: Var,
    /// Weights `(B, Tx)` (each row sums to 1; padded positions are 0).
    pub weights: Var,
}

impl Attention {
    /// Create the weights (`<name>/query (dec, A or D)`, and for additive `<name>/key (D, A)`,
    /// `<name>/v (A, 1)`), glorot-uniform.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a zero dimension.
    pub fn build<R: Rng + ?Sized>(
        kind: AttentionKind,
        name: &str,
        enc_dim: usize,
        dec_dim: usize,
        units: usize,
        params: &mut Params,
        rng: &mut R,
    ) -> Result<Self> {
        if enc_dim == 0 || dec_dim == 0 || (kind == AttentionKind::Additive && units == 0) {
            return Err(Error::Invalid(format!(
                "attention {name}: dimensions must be positive (encoder {enc_dim}, decoder {dec_dim}, units {units})"
            )));
        }
        let glorot = |rng: &mut R, a, b| tensor::init::glorot_uniform(rng, a, b).into_dyn();
        let (query, key, v) = match kind {
            AttentionKind::Additive => {
                let q = params.add(format!("{name}/query"), glorot(rng, dec_dim, units), true);
                let k = params.add(format!("{name}/key"), glorot(rng, enc_dim, units), true);
                let v = params.add(format!("{name}/v"), glorot(rng, units, 1), true);
                (q, Some(k), Some(v))
            }
            AttentionKind::Dot => {
                let q = params.add(format!("{name}/query"), glorot(rng, dec_dim, enc_dim), true);
                (q, None, None)
            }
        };
        Ok(Self {
            kind,
            enc_dim,
            query,
            key,
            v,
        })
    }

    /// The score function.
    #[must_use]
    pub fn kind(&self) -> AttentionKind {
        self.kind
    }

    /// Prepare encoder states `(B, Tx, D)` once per batch; `lengths[b]` real positions in row
    /// `b` (the rest is padding and gets weight 0), `None` when no row is padded.
    ///
    /// # Errors
    /// [`Error::Shape`] when the states are not `(B, Tx, D)`; [`Error::Invalid`] for a length
    /// of 0 or beyond `Tx`.
    pub fn keys(&self, tape: &mut Tape, states: Var, lengths: Option<&[usize]>) -> Result<Keys> {
        let shape = tape.shape(states).to_vec();
        if shape.len() != 3 || shape[2] != self.enc_dim {
            return Err(crate::error::shape_err(
                "attention keys (batch, time, encoder units)",
                &shape,
                &[self.enc_dim],
            ));
        }
        let (b, t, d) = (shape[0], shape[1], shape[2]);
        let mask = match lengths {
            None => None,
            Some(lens) => {
                if lens.len() != b {
                    return Err(crate::error::shape_err(
                        "attention lengths",
                        &[lens.len()],
                        &[b],
                    ));
                }
                if let Some(bad) = lens.iter().position(|&l| l == 0 || l > t) {
                    return Err(Error::Invalid(format!(
                        "attention: row {bad} has length {} outside 1..={t}",
                        lens[bad]
                    )));
                }
                let m = ArrayD::from_shape_fn(IxDyn(&[b, t]), |i| {
                    if i[1] < lens[i[0]] { 0.0 } else { MASKED }
                });
                Some(tape.constant(m))
            }
        };
        let states_t = transpose_last_two(tape, states, b, t, d)?;
        let projected = match self.key {
            Some(k) => {
                let k = tape.param(k);
                Some(tape.matmul(states, k)?)
            }
            None => None,
        };
        Ok(Keys {
            states,
            states_t,
            projected,
            mask,
            batch: b,
            steps: t,
        })
    }

    /// Attend with decoder state `s (B, dec)` over prepared `keys`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `s` does not fit.
    pub fn attend(&self, tape: &mut Tape, keys: &Keys, s: Var) -> Result<Attended> {
        let (b, t, d) = (keys.batch, keys.steps, self.enc_dim);
        let q = tape.param(self.query);
        let qs = tape.matmul(s, q)?;
        let scores = match (self.kind, keys.projected, self.v) {
            (AttentionKind::Additive, Some(proj), Some(v)) => {
                let a = tape.shape(qs)[1];
                let qs = tape.reshape(qs, &[b, 1, a])?;
                let sum = tape.add(proj, qs)?;
                let act = tape.tanh(sum);
                let v = tape.param(v);
                let e = tape.matmul(act, v)?;
                tape.reshape(e, &[b, t])?
            }
            _ => {
                // (B, Tx, D) ⊙ (B, 1, D), summed over D.
                let qs = tape.reshape(qs, &[b, 1, d])?;
                let prod = tape.mul(keys.states, qs)?;
                let ones = tape.constant(ArrayD::ones(IxDyn(&[d, 1])));
                let e = tape.matmul(prod, ones)?;
                tape.reshape(e, &[b, t])?
            }
        };
        let scores = match keys.mask {
            Some(m) => tape.add(scores, m)?,
            None => scores,
        };
        let weights = tape.softmax(scores);
        let w3 = tape.reshape(weights, &[b, 1, t])?;
        let weighted = tape.mul(keys.states_t, w3)?;
        let ones = tape.constant(ArrayD::ones(IxDyn(&[t, 1])));
        let context = tape.matmul(weighted, ones)?;
        let context = tape.reshape(context, &[b, d])?;
        Ok(Attended { context, weights })
    }
}

/// `(B, R, C)` → `(B, C, R)` as a gather from a one-column table (its backward scatters back).
fn transpose_last_two(tape: &mut Tape, x: Var, b: usize, r: usize, c: usize) -> Result<Var> {
    let flat = tape.reshape(x, &[b * r * c, 1])?;
    let mut idx = Vec::with_capacity(b * r * c);
    for bi in 0..b {
        for ci in 0..c {
            for ri in 0..r {
                idx.push((bi * r + ri) * c + ci);
            }
        }
    }
    let g = tape.gather(flat, &idx, &[b, c, r])?;
    tape.reshape(g, &[b, c, r])
}
