//! The original GRU of Cho et al. (2014), Keras' `GRU(reset_after=False)`, composed from basic
//! tape ops (matmul, slice, select, sigmoid, tanh, mul, add, sub, concat), so its gradient is
//! the composition of theirs and needs no backward rule of its own.
//!
//! Keras layout: kernel `W (in, 3u)`, recurrent kernel `U (u, 3u)`, one bias `b (3u)`, column
//! blocks `z, r, h`:
//!
//! ```text
//! z  = σ(x·W_z + b_z + h·U_z)
//! r  = σ(x·W_r + b_r + h·U_r)
//! h̃  = tanh(x·W_h + b_h + (r ⊙ h)·U_h)      (the reset gate acts *before* the product)
//! h' = z ⊙ h + (1 − z) ⊙ h̃                  (computed as h̃ + z ⊙ (h − h̃))
//! ```
//!
//! The input projection of all time steps is one matrix product (a row lookup of `W` for
//! index input); each step then does two products, `h·U_zr` and `(r ⊙ h)·U_h`. This is not a
//! fused kernel: every step records about a dozen small nodes, so it is slower than
//! [`Tape::gru`] (the `reset_after` form) at large sizes, but exact and gradient-checked.

use ndarray::ArrayD;

use super::recurrent::{RecurrentOutput, SeqInput, checked_feature_shape, checked_indices};
use crate::Result;
use crate::error::shape_err;
use crate::tape::{Tape, Var};

impl Tape<'_> {
    /// A GRU with `reset_after=False` (see the [module docs](self)) over a whole sequence:
    /// input `(batch, time, in)` features or `(batch, time)` indices in `0..in`, kernel
    /// `(in, 3u)`, recurrent kernel `(u, 3u)`, bias `(3u)`, optional initial state `(batch, u)`.
    /// `layer` names the layer in errors.
    ///
    /// # Errors
    /// [`Error::Shape`] naming `layer` and both shapes when an input or weight does not fit;
    /// [`Error::Invalid`] for an empty sequence or an index that is not an integer in range.
    pub fn gru_reset_before(
        &mut self,
        layer: &str,
        x: SeqInput,
        w: Var,
        u: Var,
        b: Var,
        h0: Option<Var>,
    ) -> Result<RecurrentOutput> {
        // `hu` hidden units, `units` = 3·hu gate columns.
        let (hu, units) = match self.shape(u) {
            [r, c] if *c == 3 * *r && *r > 0 => (*r, *c),
            s => {
                return Err(shape_err(
                    format!("{layer}: recurrent kernel (u, 3u)"),
                    s,
                    &[0, 0],
                ));
            }
        };
        let in_dim = match self.shape(w) {
            [i, c] if *c == units => *i,
            s => {
                return Err(shape_err(
                    format!("{layer}: kernel (in, 3u)"),
                    s,
                    &[0, units],
                ));
            }
        };
        if self.shape(b) != [units] {
            return Err(shape_err(
                format!("{layer}: bias (3u) of a GRU with reset_after=False"),
                self.shape(b),
                &[units],
            ));
        }
        let (xp, batch, steps) = self.input_projection(layer, x, w, in_dim)?;
        let xp = self.add(xp, b)?;
        let h0 = match h0 {
            Some(h) => {
                if self.shape(h) != [batch, hu] {
                    return Err(shape_err(
                        format!("{layer}: initial state (batch, units)"),
                        self.shape(h),
                        &[batch, hu],
                    ));
                }
                h
            }
            None => self.constant(ArrayD::zeros(vec![batch, hu])),
        };
        let u_zr = self.slice(u, 1, 0, 2 * hu)?;
        let u_h = self.slice(u, 1, 2 * hu, 3 * hu)?;
        let mut h = h0;
        let mut outputs = Vec::with_capacity(steps);
        for t in 0..steps {
            let xp_t = self.select(xp, 1, t)?;
            let x_zr = self.slice(xp_t, 1, 0, 2 * hu)?;
            let x_h = self.slice(xp_t, 1, 2 * hu, 3 * hu)?;
            let rec_zr = self.matmul(h, u_zr)?;
            let pre_zr = self.add(x_zr, rec_zr)?;
            let zr = self.sigmoid(pre_zr);
            let z = self.slice(zr, 1, 0, hu)?;
            let r = self.slice(zr, 1, hu, 2 * hu)?;
            let rh = self.mul(r, h)?;
            let rec_h = self.matmul(rh, u_h)?;
            let pre_h = self.add(x_h, rec_h)?;
            let candidate = self.tanh(pre_h);
            let diff = self.sub(h, candidate)?;
            let kept = self.mul(z, diff)?;
            h = self.add(candidate, kept)?;
            outputs.push(self.reshape(h, &[batch, 1, hu])?);
        }
        let sequence = self.concat(&outputs, 1)?;
        Ok(RecurrentOutput {
            sequence,
            h,
            c: None,
        })
    }

    /// `x·W` for every step: `(batch, time, G)`, with the batch and step counts.
    fn input_projection(
        &mut self,
        layer: &str,
        x: SeqInput,
        w: Var,
        in_dim: usize,
    ) -> Result<(Var, usize, usize)> {
        match x {
            SeqInput::Features(v) => {
                let (batch, steps) = checked_feature_shape(self.shape(v), in_dim, layer)?;
                Ok((self.matmul(v, w)?, batch, steps))
            }
            SeqInput::Indices(v) => {
                let (idx, batch, steps) = checked_indices(self.value(v), in_dim, layer)?;
                Ok((self.gather(w, &idx, &[batch, steps])?, batch, steps))
            }
        }
    }
}
