//! Fused recurrent kernels: a whole SimpleRNN / LSTM / GRU layer, forward and backward through
//! time, as one tape op.
//!
//! Layout: the input is transposed once to time-major rows (`row = t·batch + b`), the input
//! projection of *all* time steps is one matrix product up front (or, for index input, a row
//! lookup of the kernel — a one-hot input times a matrix is never formed), and each time step does
//! exactly one matrix product `h_{t-1} · U` for all gates over the whole batch. Backward does one
//! product per step for `dh_{t-1}` and computes the weight gradients as three large products
//! after the loop; an LSTM on index input instead sums them inside the loop (`StepSums`: bias and
//! kernel rows step by step, the recurrent kernel once per group of `STEP_GROUP` steps).
//!
//! Weight layouts follow Keras: kernel `(in, G·units)`, recurrent kernel `(units, G·units)`, gates
//! side by side in Keras order — LSTM `i, f, c, o` (PyTorch's `i, f, g, o` is the same order),
//! GRU `z, r, h`; LSTM and SimpleRNN bias `(G·units)`, GRU bias `(2, 3·units)` (row 0 input bias,
//! row 1 recurrent bias, the `reset_after` form: `h̃ = tanh(x·W_h + b_ih + r ⊙ (h·U_h + b_hh))`).

use ndarray::{Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Ix2, IxDyn};
use tensor::activation::{fast_sigmoid, fast_tanh, tanh_slice, with_widest_simd};
use tensor::linalg::{
    PackedMatrix, TILED_MAX_INNER, matmul_into, matmul_into_serial, matmul_packed_into,
    matmul_tn_into,
};
use tensor::rayon::prelude::*;

use crate::error::shape_err;
use crate::tape::{Op, Tape, Var};
use crate::{Error, Result};

/// The input of a recurrent kernel.
#[derive(Debug, Clone, Copy)]
pub enum SeqInput {
    /// Features `(batch, time, in)`.
    Features(Var),
    /// Integer indices `(batch, time)` stored as f32, each in `0..in`: equivalent to a one-hot
    /// input of width `in`, computed as a row lookup of the kernel.
    Indices(Var),
}

/// The outputs of a recurrent kernel.
#[derive(Debug, Clone, Copy)]
pub struct RecurrentOutput {
    /// All hidden states `(batch, time, units)`.
    pub sequence: Var,
    /// The last hidden state `(batch, units)`.
    pub h: Var,
    /// The last cell state `(batch, units)` (LSTM only).
    pub c: Option<Var>,
}

/// The input rows of a kernel in time-major order.
#[derive(Debug)]
pub(crate) enum SeqX {
    Dense(Array2<f32>),
    Indices(Vec<usize>),
}

/// What every recurrent kernel remembers for backward.
#[derive(Debug)]
pub(crate) struct Common {
    pub(crate) x: Option<Var>,
    pub(crate) w: Var,
    pub(crate) u: Var,
    pub(crate) b: Var,
    pub(crate) h0: Option<Var>,
    pub(crate) seq_x: SeqX,
    pub(crate) batch: usize,
    pub(crate) steps: usize,
    pub(crate) hidden: usize,
}

/// LSTM cache: activated gates `(T·B, 4H)`, hidden and cell states `((T+1)·B, H)` (row block 0 is
/// the initial state).
#[derive(Debug)]
pub(crate) struct LstmCache {
    pub(crate) common: Common,
    pub(crate) c0: Option<Var>,
    gates: Vec<f32>,
    h: Vec<f32>,
    c: Vec<f32>,
    tanh_c: Vec<f32>,
}

/// GRU cache: activated `z, r, h̃` `(T·B, 3H)`, the recurrent candidate term `h·U_h + b_hh`
/// `(T·B, H)`, hidden states `((T+1)·B, H)`.
#[derive(Debug)]
pub(crate) struct GruCache {
    pub(crate) common: Common,
    act: Vec<f32>,
    hph: Vec<f32>,
    h: Vec<f32>,
}

/// SimpleRNN cache: hidden states `((T+1)·B, H)`.
#[derive(Debug)]
pub(crate) struct RnnCache {
    pub(crate) common: Common,
    h: Vec<f32>,
}

fn view2(s: &[f32], rows: usize, cols: usize) -> Result<ArrayView2<'_, f32>> {
    ArrayView2::from_shape((rows, cols), s)
        .map_err(|e| Error::Invalid(format!("internal layout: {e}")))
}

fn view2_mut(s: &mut [f32], rows: usize, cols: usize) -> Result<ArrayViewMut2<'_, f32>> {
    ArrayViewMut2::from_shape((rows, cols), s)
        .map_err(|e| Error::Invalid(format!("internal layout: {e}")))
}

fn to_dyn(v: Vec<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| Error::Invalid(format!("internal layout: {e}")))
}

/// Batch-major `(B, T, F)` → time-major rows `(T·B, F)`.
fn to_time_major(x: &ArrayD<f32>, batch: usize, steps: usize, feat: usize) -> Result<Array2<f32>> {
    let x = x.as_standard_layout();
    let src = x
        .as_slice()
        .ok_or_else(|| Error::Invalid("internal layout".into()))?;
    if src.len() != batch * steps * feat {
        return Err(shape_err(
            "time-major copy",
            x.shape(),
            &[batch, steps, feat],
        ));
    }
    let out = swap_leading_axes(src, batch, steps, feat);
    Array2::from_shape_vec((steps * batch, feat), out)
        .map_err(|e| Error::Invalid(format!("internal layout: {e}")))
}

/// Time-major rows `(T·B, F)` (a slice) → batch-major `(B, T, F)`.
fn to_batch_major(rows: &[f32], batch: usize, steps: usize, feat: usize) -> Result<ArrayD<f32>> {
    if rows.len() != batch * steps * feat {
        return Err(shape_err(
            "batch-major copy",
            &[rows.len()],
            &[steps, batch, feat],
        ));
    }
    let out = swap_leading_axes(rows, steps, batch, feat);
    to_dyn(out, &[batch, steps, feat])
}

/// A row-major `(a, b, f)` block in `(b, a, f)` order, built front to back (no zero-fill).
fn swap_leading_axes(src: &[f32], a: usize, b: usize, feat: usize) -> Vec<f32> {
    let mut dst = Vec::with_capacity(src.len());
    for j in 0..b {
        for i in 0..a {
            let at = (i * b + j) * feat;
            dst.extend_from_slice(&src[at..at + feat]);
        }
    }
    dst
}

/// Kernel `w` as a 2-D view.
fn mat<'a>(tape: &'a Tape<'_>, v: Var, what: &str, layer: &str) -> Result<ArrayView2<'a, f32>> {
    let a = tape.value(v);
    a.view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| shape_err(format!("{layer}: {what} must be 2-D"), a.shape(), &[]))
}

/// Checks a feature input's shape `(batch, time, in_dim)` (with at least one step) and returns `(batch, steps)`.
pub(crate) fn checked_feature_shape(
    s: &[usize],
    in_dim: usize,
    layer: &str,
) -> Result<(usize, usize)> {
    if s.len() != 3 || s[2] != in_dim {
        return Err(shape_err(
            format!("{layer}: input (batch, time, features) vs kernel rows"),
            s,
            &[in_dim],
        ));
    }
    if s[1] == 0 {
        return Err(Error::Invalid(format!(
            "{layer}: the input has no time steps"
        )));
    }
    Ok((s[0], s[1]))
}

/// Checks an index input of shape (batch, time) against a kernel of `in_dim` rows and returns its indices in
/// batch-major order with `(batch, steps)`: every entry must be an integer in `0..in_dim`, and there must be a step.
pub(crate) fn checked_indices(
    a: &ArrayD<f32>,
    in_dim: usize,
    layer: &str,
) -> Result<(Vec<usize>, usize, usize)> {
    if a.ndim() != 2 {
        return Err(shape_err(
            format!("{layer}: index input must be (batch, time)"),
            a.shape(),
            &[],
        ));
    }
    let (batch, steps) = (a.shape()[0], a.shape()[1]);
    if steps == 0 {
        return Err(Error::Invalid(format!(
            "{layer}: the input has no time steps"
        )));
    }
    let mut idx = Vec::with_capacity(batch * steps);
    for (k, &f) in a.iter().enumerate() {
        if !(f >= 0.0 && f.fract() == 0.0 && (f as usize) < in_dim) {
            return Err(Error::Invalid(format!(
                "{layer}: input index {f} at (batch {}, step {}) is not an integer in 0..{in_dim}",
                k / steps,
                k % steps
            )));
        }
        idx.push(f as usize);
    }
    Ok((idx, batch, steps))
}

/// Prepare the input: check shapes, transpose or convert indices. Returns `(seq_x, batch, steps)`.
fn prepare_input(
    tape: &Tape<'_>,
    x: SeqInput,
    in_dim: usize,
    layer: &str,
) -> Result<(SeqX, usize, usize)> {
    match x {
        SeqInput::Features(v) => {
            let (b, t) = checked_feature_shape(tape.shape(v), in_dim, layer)?;
            Ok((
                SeqX::Dense(to_time_major(tape.value(v), b, t, in_dim)?),
                b,
                t,
            ))
        }
        SeqInput::Indices(v) => {
            let (batch_major, b, t) = checked_indices(tape.value(v), in_dim, layer)?;
            // Time-major, as the kernels read their input.
            let mut idx = Vec::with_capacity(b * t);
            for step in 0..t {
                idx.extend((0..b).map(|row| batch_major[row * t + step]));
            }
            Ok((SeqX::Indices(idx), b, t))
        }
    }
}

/// `x·W (+ bias)` for all time steps: `(T·B, G)`. Without a bias the caller adds it later (the
/// LSTM adds it in its gate pass, which saves a pass over the whole buffer).
fn project(x: &SeqX, w: &ArrayView2<f32>, bias: Option<ArrayView1<f32>>) -> Result<Vec<f32>> {
    let g = w.ncols();
    match x {
        SeqX::Dense(xm) => {
            let rows = xm.nrows();
            let mut out = match bias {
                Some(bias) => {
                    let mut out = Vec::with_capacity(rows * g);
                    let bias: Vec<f32> = bias.iter().copied().collect();
                    for _ in 0..rows {
                        out.extend_from_slice(&bias);
                    }
                    out
                }
                None => {
                    let out = tensor::linalg::matmul(&xm.view(), w)?;
                    return Ok(out.into_raw_vec_and_offset().0);
                }
            };
            matmul_into(1.0, &xm.view(), w, 1.0, &mut view2_mut(&mut out, rows, g)?)?;
            Ok(out)
        }
        SeqX::Indices(idx) => {
            // Add the bias over slices, which vectorises (zipped ndarray iterators did not).
            let w = w.as_standard_layout();
            let w = w
                .as_slice()
                .ok_or_else(|| Error::Invalid("internal layout".into()))?;
            let bias: Option<Vec<f32>> = bias.map(|b| b.iter().copied().collect());
            let mut out = Vec::with_capacity(idx.len() * g);
            for &i in idx {
                let start = out.len();
                push_kernel_row(&mut out, w, g, i)?;
                if let Some(bias) = &bias {
                    for (o, b) in out[start..].iter_mut().zip(bias) {
                        *o += b;
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Append row `i` of a row-major kernel `w` with `g` columns to `out`: a one-hot input row
/// times the kernel is the kernel's row (indices were checked by `prepare_input`).
fn push_kernel_row(out: &mut Vec<f32>, w: &[f32], g: usize, i: usize) -> Result<()> {
    let row = w
        .get(i * g..(i + 1) * g)
        .ok_or_else(|| Error::Invalid(format!("input index {i} outside the kernel")))?;
    out.extend_from_slice(row);
    Ok(())
}

/// Gradients of the projection: `dW (in, G)` and, for feature input whose gradient is wanted
/// (`need_dx`), `dx (T·B, in)`: a constant input (the data) skips that product.
fn project_backward(
    x: &SeqX,
    w: &ArrayView2<f32>,
    dz: &ArrayView2<f32>,
    need_dx: bool,
) -> Result<(Array2<f32>, Option<Array2<f32>>)> {
    match x {
        SeqX::Dense(xm) => {
            let mut dw = Array2::zeros(w.raw_dim());
            matmul_tn_into(&xm.view(), dz, false, &mut dw.view_mut())?;
            if !need_dx {
                return Ok((dw, None));
            }
            let mut dx = Array2::zeros(xm.raw_dim());
            if w.ncols() <= TILED_MAX_INNER {
                // `Wᵀ` is as small as a recurrent kernel: the tiled kernel, as the steps use.
                let w_t = PackedMatrix::new(&w.t());
                matmul_packed_into(dz, &w_t, false, &mut dx.view_mut())?;
            } else {
                matmul_into(1.0, dz, &w.t(), 0.0, &mut dx.view_mut())?;
            }
            Ok((dw, Some(dx)))
        }
        SeqX::Indices(idx) => {
            let mut dw = Array2::zeros(w.raw_dim());
            for (r, &i) in idx.iter().enumerate() {
                let mut row = dw.row_mut(i);
                row += &dz.row(r);
            }
            Ok((dw, None))
        }
    }
}

/// The initial state `(B, H)` as a flat vector (zeros when absent), allocated for `steps` more
/// blocks of `(B, H)` (the hidden or cell states of every step are appended to it: one
/// allocation, where growing it step by step re-allocated and, with glibc's default settings,
/// page-faulted fresh memory on every sequence).
fn initial_state(
    tape: &Tape<'_>,
    s: Option<Var>,
    (batch, hidden, steps): (usize, usize, usize),
    what: &str,
    layer: &str,
) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity((steps + 1) * batch * hidden);
    match s {
        None => out.resize(batch * hidden, 0.0),
        Some(v) => {
            let a = tape.value(v);
            if a.shape() != [batch, hidden] {
                return Err(shape_err(
                    format!("{layer}: {what} vs (batch, units)"),
                    a.shape(),
                    &[batch, hidden],
                ));
            }
            out.extend(a.as_standard_layout().iter().copied());
        }
    }
    Ok(out)
}

struct Checked<'a> {
    seq_x: SeqX,
    batch: usize,
    steps: usize,
    hidden: usize,
    w: ArrayView2<'a, f32>,
    u: ArrayView2<'a, f32>,
}

fn check_weights<'a>(
    tape: &'a Tape<'_>,
    x: SeqInput,
    w: Var,
    u: Var,
    gates: usize,
    layer: &str,
) -> Result<Checked<'a>> {
    let wv = mat(tape, w, "kernel", layer)?;
    let uv = mat(tape, u, "recurrent kernel", layer)?;
    let hidden = uv.nrows();
    if hidden == 0 {
        return Err(Error::Invalid(format!(
            "{layer}: the recurrent kernel has no units (shape {:?})",
            uv.shape()
        )));
    }
    if uv.ncols() != gates * hidden || wv.ncols() != gates * hidden {
        return Err(shape_err(
            format!("{layer}: kernel vs recurrent kernel ({gates} gates)"),
            wv.shape(),
            uv.shape(),
        ));
    }
    let (seq_x, batch, steps) = prepare_input(tape, x, wv.nrows(), layer)?;
    Ok(Checked {
        seq_x,
        batch,
        steps,
        hidden,
        w: wv,
        u: uv,
    })
}

fn bias_1d<'a>(tape: &'a Tape<'_>, b: Var, len: usize, layer: &str) -> Result<ArrayView1<'a, f32>> {
    let a = tape.value(b);
    if a.shape() != [len] {
        return Err(shape_err(format!("{layer}: bias"), a.shape(), &[len]));
    }
    a.view()
        .into_dimensionality()
        .map_err(|_| shape_err(format!("{layer}: bias"), a.shape(), &[len]))
}

fn input_var(x: SeqInput) -> Var {
    match x {
        SeqInput::Features(v) | SeqInput::Indices(v) => v,
    }
}

impl Tape<'_> {
    fn finish(
        &mut self,
        seq: ArrayD<f32>,
        op: Op,
        inputs: &[Var],
        c_last: Option<ArrayD<f32>>,
    ) -> Result<RecurrentOutput> {
        let steps = seq.shape()[1];
        let sequence = self.push(seq, op, inputs);
        let h = self.select(sequence, 1, steps - 1)?;
        let c = c_last.map(|c| {
            let needs = self.needs_grad(sequence);
            let op = if needs {
                Op::Aux { of: sequence }
            } else {
                Op::NoGrad
            };
            self.push_raw(Some(c), op, needs)
        });
        Ok(RecurrentOutput { sequence, h, c })
    }

    /// A fused LSTM over a whole sequence: kernel `w (in, 4u)`, recurrent kernel `u (u, 4u)`,
    /// bias `b (4u)`, gates `i, f, c, o`, optional initial states `(batch, u)`.
    ///
    /// # Errors
    /// [`Error::Shape`] naming `layer` and both shapes when weights, input or states do not fit;
    /// [`Error::Invalid`] for an empty sequence or a bad index.
    #[allow(clippy::too_many_arguments)]
    pub fn lstm(
        &mut self,
        layer: &str,
        x: SeqInput,
        w: Var,
        u: Var,
        b: Var,
        h0: Option<Var>,
        c0: Option<Var>,
    ) -> Result<RecurrentOutput> {
        let Checked {
            seq_x,
            batch,
            steps,
            hidden: hd,
            w: wv,
            u: uv,
        } = check_weights(self, x, w, u, 4, layer)?;
        let bv = bias_1d(self, b, 4 * hd, layer)?;
        let bias: Vec<f32> = bv.iter().copied().collect();
        let bh = batch * hd;
        let mut h = initial_state(self, h0, (batch, hd, steps), "initial h", layer)?;
        let mut c = initial_state(self, c0, (batch, hd, steps), "initial c", layer)?;
        let g4 = 4 * hd;
        let parts = batch_parts(batch, steps, hd, g4);
        let u_packed = PackedMatrix::new(&uv);
        let (gates, tanh_c) = if parts.len() == 1 {
            let mut whole = LstmForwardWhole {
                seq_x: &seq_x,
                w: &wv,
                u: &u_packed,
                bias: &bias,
                batch,
                h: &mut h,
                c: &mut c,
            };
            whole.run(steps)?
        } else {
            let mut gates = project(&seq_x, &wv, None)?;
            h.resize((steps + 1) * bh, 0.0);
            c.resize((steps + 1) * bh, 0.0);
            let mut tanh_c = vec![0.0f32; steps * bh];
            let gates_p = part_rows(&mut gates, batch, g4, &parts);
            let h_p = part_rows(&mut h, batch, hd, &parts);
            let c_p = part_rows(&mut c, batch, hd, &parts);
            let tc_p = part_rows(&mut tanh_c, batch, hd, &parts);
            let work: Vec<LstmPartForward<'_>> = gates_p
                .into_iter()
                .zip(h_p)
                .zip(c_p)
                .zip(tc_p)
                .map(|(((gates, h), c), tanh_c)| LstmPartForward {
                    gates,
                    h,
                    c,
                    tanh_c,
                })
                .collect();
            run_parts(work, |part| part.run(&u_packed, &bias))?;
            (gates, tanh_c)
        };
        let seq = to_batch_major(&h[bh..], batch, steps, hd)?;
        let c_last = to_dyn(c[steps * bh..].to_vec(), &[batch, hd])?;
        let xv = input_var(x);
        let mut inputs = vec![xv, w, u, b];
        inputs.extend(h0);
        inputs.extend(c0);
        let op = if self.any_needs_grad(&inputs) {
            let x_grad = matches!(x, SeqInput::Features(_)).then_some(xv);
            Op::Lstm(Box::new(LstmCache {
                common: Common {
                    x: x_grad,
                    w,
                    u,
                    b,
                    h0,
                    seq_x,
                    batch,
                    steps,
                    hidden: hd,
                },
                c0,
                gates,
                h,
                c,
                tanh_c,
            }))
        } else {
            Op::NoGrad
        };
        self.finish(seq, op, &inputs, Some(c_last))
    }

    /// A fused GRU (`reset_after`, Keras gate order `z, r, h`) over a whole sequence: kernel
    /// `w (in, 3u)`, recurrent kernel `u (u, 3u)`, bias `b (2, 3u)`, optional initial state.
    ///
    /// # Errors
    /// As [`Tape::lstm`].
    pub fn gru(
        &mut self,
        layer: &str,
        x: SeqInput,
        w: Var,
        u: Var,
        b: Var,
        h0: Option<Var>,
    ) -> Result<RecurrentOutput> {
        let Checked {
            seq_x,
            batch,
            steps,
            hidden: hd,
            w: wv,
            u: uv,
        } = check_weights(self, x, w, u, 3, layer)?;
        let ba = self.value(b);
        if ba.shape() != [2, 3 * hd] {
            return Err(shape_err(
                format!("{layer}: bias (2, 3·units)"),
                ba.shape(),
                &[2, 3 * hd],
            ));
        }
        let b_in = ba
            .index_axis(Axis(0), 0)
            .into_dimensionality::<ndarray::Ix1>()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let b_rec: Vec<f32> = ba.index_axis(Axis(0), 1).iter().copied().collect();
        let mut act = project(&seq_x, &wv, Some(b_in))?;
        let bh = batch * hd;
        let g3 = 3 * hd;
        let mut h = initial_state(self, h0, (batch, hd, steps), "initial h", layer)?;
        h.resize((steps + 1) * bh, 0.0);
        let mut hph = vec![0.0f32; steps * bh];
        let mut hp = vec![0.0f32; batch * g3];
        let u_packed = PackedMatrix::new(&uv);
        for t in 0..steps {
            for row in hp.chunks_exact_mut(g3) {
                row.copy_from_slice(&b_rec);
            }
            let (h_done, h_rest) = h.split_at_mut((t + 1) * bh);
            let h_prev = &h_done[t * bh..];
            matmul_packed_into(
                &view2(h_prev, batch, hd)?,
                &u_packed,
                true,
                &mut view2_mut(&mut hp, batch, g3)?,
            )?;
            let a_t = &mut act[t * batch * g3..(t + 1) * batch * g3];
            let hph_t = &mut hph[t * bh..(t + 1) * bh];
            let h_new = &mut h_rest[..bh];
            with_widest_simd(
                #[inline(always)]
                || {
                    let rows = a_t
                        .chunks_exact_mut(g3)
                        .zip(hp.chunks_exact(g3))
                        .zip(hph_t.chunks_exact_mut(hd))
                        .zip(h_prev.chunks_exact(hd).zip(h_new.chunks_exact_mut(hd)));
                    for (((a, p), hph), (hp_row, hn)) in rows {
                        let full = hd / LANES;
                        gru_forward_row::<LANES>(a, p, hph, hp_row, hn, 0..full);
                        gru_forward_row::<1>(a, p, hph, hp_row, hn, full * LANES..hd);
                    }
                },
            );
        }
        let seq = to_batch_major(&h[bh..], batch, steps, hd)?;
        let xv = input_var(x);
        let mut inputs = vec![xv, w, u, b];
        inputs.extend(h0);
        let op = if self.any_needs_grad(&inputs) {
            let x_grad = matches!(x, SeqInput::Features(_)).then_some(xv);
            Op::Gru(Box::new(GruCache {
                common: Common {
                    x: x_grad,
                    w,
                    u,
                    b,
                    h0,
                    seq_x,
                    batch,
                    steps,
                    hidden: hd,
                },
                act,
                hph,
                h,
            }))
        } else {
            Op::NoGrad
        };
        self.finish(seq, op, &inputs, None)
    }

    /// A fused SimpleRNN `h_t = tanh(x_t·W + h_{t-1}·U + b)`: kernel `w (in, u)`, recurrent kernel
    /// `u (u, u)`, bias `b (u)`, optional initial state.
    ///
    /// # Errors
    /// As [`Tape::lstm`].
    pub fn simple_rnn(
        &mut self,
        layer: &str,
        x: SeqInput,
        w: Var,
        u: Var,
        b: Var,
        h0: Option<Var>,
    ) -> Result<RecurrentOutput> {
        let Checked {
            seq_x,
            batch,
            steps,
            hidden: hd,
            w: wv,
            u: uv,
        } = check_weights(self, x, w, u, 1, layer)?;
        let bv = bias_1d(self, b, hd, layer)?;
        let pre = project(&seq_x, &wv, Some(bv))?;
        let bh = batch * hd;
        let mut h = initial_state(self, h0, (batch, hd, steps), "initial h", layer)?;
        h.resize((steps + 1) * bh, 0.0);
        let u_packed = PackedMatrix::new(&uv);
        for t in 0..steps {
            let (h_done, h_rest) = h.split_at_mut((t + 1) * bh);
            let h_new = &mut h_rest[..bh];
            h_new.copy_from_slice(&pre[t * bh..(t + 1) * bh]);
            matmul_packed_into(
                &view2(&h_done[t * bh..], batch, hd)?,
                &u_packed,
                true,
                &mut view2_mut(h_new, batch, hd)?,
            )?;
            tanh_slice(h_new);
        }
        let seq = to_batch_major(&h[bh..], batch, steps, hd)?;
        let xv = input_var(x);
        let mut inputs = vec![xv, w, u, b];
        inputs.extend(h0);
        let op = if self.any_needs_grad(&inputs) {
            let x_grad = matches!(x, SeqInput::Features(_)).then_some(xv);
            Op::Rnn(Box::new(RnnCache {
                common: Common {
                    x: x_grad,
                    w,
                    u,
                    b,
                    h0,
                    seq_x,
                    batch,
                    steps,
                    hidden: hd,
                },
                h,
            }))
        } else {
            Op::NoGrad
        };
        self.finish(seq, op, &inputs, None)
    }
}

/// Multiply-adds of a whole sequence's recurrent products (`T·B·H·G·H`) below which the batch
/// is not cut into parts: spawning would cost more than it saves.
const PARALLEL_MIN_SEQUENCE_WORK: usize = 1 << 20;

/// Fewest batch rows a part takes.
const MIN_PART_ROWS: usize = 8;

/// The batch rows `[start, end)` of each part that runs its whole time loop (forward, and later
/// backward) on its own thread: one part per thread of the rayon pool when the layer is big
/// enough and [`tensor::threads::available`] allows it (not inside a data-parallel trainer's
/// shard, which already has its thread), else one part. Batch rows never interact inside a recurrent layer, and every product
/// a part makes sums each output element over the same inner dimension in the same order as the
/// whole-batch product (the `gemm` kernels block the inner dimension by cache sizes only), so the
/// results are bit-identical whatever the cut (a test checks this at 1 and 2 threads).
fn batch_parts(batch: usize, steps: usize, hd: usize, width: usize) -> Vec<(usize, usize)> {
    let threads = tensor::threads::available();
    let work = steps
        .saturating_mul(batch)
        .saturating_mul(hd)
        .saturating_mul(width);
    let n = if threads > 1 && work >= PARALLEL_MIN_SEQUENCE_WORK {
        threads.min(batch / MIN_PART_ROWS).max(1)
    } else {
        1
    };
    let (base, extra) = (batch / n, batch % n);
    let mut start = 0;
    (0..n)
        .map(|p| {
            let end = start + base + usize::from(p < extra);
            let r = (start, end);
            start = end;
            r
        })
        .collect()
}

/// Cut a time-major buffer (blocks of `batch` rows of `width` values, one block per time step)
/// into, per part, its rows of every block.
fn part_rows<'a>(
    buf: &'a mut [f32],
    batch: usize,
    width: usize,
    parts: &[(usize, usize)],
) -> Vec<Vec<&'a mut [f32]>> {
    let mut out: Vec<Vec<&mut [f32]>> = parts.iter().map(|_| Vec::new()).collect();
    for block in buf.chunks_exact_mut((batch * width).max(1)) {
        let mut rest = block;
        for (p, &(start, end)) in parts.iter().enumerate() {
            let (mine, tail) = rest.split_at_mut((end - start) * width);
            out[p].push(mine);
            rest = tail;
        }
    }
    out
}

/// [`part_rows`] for reading.
fn part_rows_ref<'a>(
    buf: &'a [f32],
    batch: usize,
    width: usize,
    parts: &[(usize, usize)],
) -> Vec<Vec<&'a [f32]>> {
    let mut out: Vec<Vec<&[f32]>> = parts.iter().map(|_| Vec::new()).collect();
    for block in buf.chunks_exact((batch * width).max(1)) {
        let mut rest = block;
        for (p, &(start, end)) in parts.iter().enumerate() {
            let (mine, tail) = rest.split_at((end - start) * width);
            out[p].push(mine);
            rest = tail;
        }
    }
    out
}

/// Run `f` on every part: on this thread for one part, else one rayon task per part.
fn run_parts<P: Send>(parts: Vec<P>, f: impl Fn(P) -> Result<()> + Sync) -> Result<()> {
    if parts.len() == 1 {
        return parts.into_iter().try_for_each(f);
    }
    parts
        .into_par_iter()
        .map(&f)
        .collect::<Result<Vec<()>>>()
        .map(|_| ())
}

/// One part's forward time loop: per step `gates += h_{t-1}·U`, then the gate pass.
struct LstmPartForward<'a> {
    /// Per step: `x·W` on entry, the activated gates `(rows, 4H)` on return.
    gates: Vec<&'a mut [f32]>,
    /// `T + 1` blocks `(rows, H)`: the initial state, then each step's output.
    h: Vec<&'a mut [f32]>,
    /// `T + 1` blocks of cell states.
    c: Vec<&'a mut [f32]>,
    /// Per step: `tanh(c_t)`.
    tanh_c: Vec<&'a mut [f32]>,
}

impl LstmPartForward<'_> {
    fn run(mut self, u: &PackedMatrix, bias: &[f32]) -> Result<()> {
        for t in 0..self.gates.len() {
            let (h_done, h_rest) = self.h.split_at_mut(t + 1);
            let (c_done, c_rest) = self.c.split_at_mut(t + 1);
            lstm_step(
                self.gates[t],
                u,
                bias,
                (h_done[t], &mut *h_rest[0]),
                (c_done[t], &mut *c_rest[0]),
                self.tanh_c[t],
            )?;
        }
        Ok(())
    }
}

/// One forward step over some batch rows: `g += h_{t-1}·U`, then the gate pass ([`lstm_gate_pass`]).
fn lstm_step(
    g: &mut [f32],
    u: &PackedMatrix,
    bias: &[f32],
    (h_prev, h_new): (&[f32], &mut [f32]),
    (c_prev, c_new): (&[f32], &mut [f32]),
    tanh_c: &mut [f32],
) -> Result<()> {
    let hd = bias.len() / 4;
    let rows = h_prev.len() / hd.max(1);
    matmul_packed_into(
        &view2(h_prev, rows, hd)?,
        u,
        true,
        &mut view2_mut(g, rows, 4 * hd)?,
    )?;
    with_widest_simd(
        #[inline(always)]
        || lstm_gate_pass(g, bias, c_prev, c_new, h_new, tanh_c),
    );
    Ok(())
}

/// The whole batch's forward time loop on this thread, every buffer grown step by step as it is
/// computed (no zero-filled `(T·B, ·)` buffers, which a cut into parts needs), and on index input
/// each step's kernel rows looked up just before its product, while they stay in cache.
struct LstmForwardWhole<'a, 'v> {
    seq_x: &'a SeqX,
    w: &'a ArrayView2<'v, f32>,
    u: &'a PackedMatrix,
    bias: &'a [f32],
    batch: usize,
    /// The initial state `(B, H)` on entry, then every step's appended.
    h: &'a mut Vec<f32>,
    /// As `h`, cell states.
    c: &'a mut Vec<f32>,
}

impl LstmForwardWhole<'_, '_> {
    /// The activated gates `(T·B, 4H)` and `tanh(c_t)` `(T·B, H)`.
    fn run(&mut self, steps: usize) -> Result<(Vec<f32>, Vec<f32>)> {
        let g4 = self.bias.len();
        let bh = self.batch * g4 / 4;
        let w_rows;
        let (mut gates, lookup) = match self.seq_x {
            SeqX::Indices(idx) => {
                w_rows = self.w.as_standard_layout();
                let w = w_rows
                    .as_slice()
                    .ok_or_else(|| Error::Invalid("internal layout".into()))?;
                (Vec::with_capacity(steps * self.batch * g4), Some((idx, w)))
            }
            SeqX::Dense(_) => (project(self.seq_x, self.w, None)?, None),
        };
        let mut tanh_c = Vec::with_capacity(steps * bh);
        for t in 0..steps {
            if let Some((idx, w)) = lookup {
                for &i in idx.get(t * self.batch..(t + 1) * self.batch).unwrap_or(&[]) {
                    push_kernel_row(&mut gates, w, g4, i)?;
                }
            }
            for v in [&mut *self.h, &mut *self.c, &mut tanh_c] {
                v.resize(v.len() + bh, 0.0);
            }
            let (h_prev, h_new) = self.h[t * bh..].split_at_mut(bh);
            let (c_prev, c_new) = self.c[t * bh..].split_at_mut(bh);
            let g_t = gates
                .get_mut(t * self.batch * g4..(t + 1) * self.batch * g4)
                .ok_or_else(|| Error::Invalid("internal layout: gates".into()))?;
            lstm_step(
                g_t,
                self.u,
                self.bias,
                (h_prev, h_new),
                (c_prev, c_new),
                &mut tanh_c[t * bh..],
            )?;
        }
        Ok((gates, tanh_c))
    }
}

/// Lanes per block of the element-wise loops: one AVX-512 vector. Loops over a row's `H` values
/// are written over `[f32; LANES]` blocks (then single elements for the rest), because a plain
/// loop of `H` = 32 iterations ran scalar: the compiler's vector loop takes 64 elements at a time
/// (16 lanes, unrolled 4 times) and never entered it.
const LANES: usize = 16;

/// The LSTM gate pass of one step over `rows` batch rows: `g = x·W + h·U` `(rows, 4H)` plus the
/// bias becomes the activated gates `i, f, c̃, o` (`σ, σ, tanh, σ`); then `c_t = f·c_{t-1} + i·c̃`,
/// `tanh(c_t)` and `h_t = o·tanh(c_t)` `(rows, H)`. Two passes over the step: first every gate of
/// every row (independent `exp`s and divisions, whose latencies overlap), then the cells. A single
/// pass per block of units measured slower: its second `tanh` waits on the first four.
#[inline(always)]
fn lstm_gate_pass(
    g: &mut [f32],
    bias: &[f32],
    c_prev: &[f32],
    c_new: &mut [f32],
    h_new: &mut [f32],
    tanh_c: &mut [f32],
) {
    let hd = bias.len() / 4;
    let g4 = 4 * hd;
    let full = hd / LANES;
    // One gate at a time over every row: one `exp` per block in flight keeps the polynomial's
    // constants in registers (all four at once spilled them).
    for gate in 0..4 {
        let b = &bias[gate * hd..(gate + 1) * hd];
        let tanh = gate == 2;
        for row in g.chunks_exact_mut(g4) {
            let x = &mut row[gate * hd..(gate + 1) * hd];
            activate::<LANES>(x, b, tanh, 0..full);
            activate::<1>(x, b, tanh, full * LANES..hd);
        }
    }
    let rows = g
        .chunks_exact(g4)
        .zip(c_prev.chunks_exact(hd))
        .zip(c_new.chunks_exact_mut(hd))
        .zip(h_new.chunks_exact_mut(hd).zip(tanh_c.chunks_exact_mut(hd)));
    for (((row, cp), cn), (hn, tc)) in rows {
        let mut cells = Cells {
            row,
            cp,
            cn,
            hn,
            tc,
        };
        cells.run::<LANES>(0..full);
        cells.run::<1>(full * LANES..hd);
    }
}

/// Activate the unit blocks `qs` (of `L` units) of one row's gate in place, bias added: `σ`, or
/// `tanh` for the candidate.
#[inline(always)]
fn activate<const L: usize>(x: &mut [f32], bias: &[f32], tanh: bool, qs: std::ops::Range<usize>) {
    for q in qs {
        let (Some(x), Some(b)) = (block_mut::<L>(x, q), block::<L>(bias, q)) else {
            continue;
        };
        if tanh {
            for l in 0..L {
                x[l] = fast_tanh(x[l] + b[l]);
            }
        } else {
            for l in 0..L {
                x[l] = fast_sigmoid(x[l] + b[l]);
            }
        }
    }
}

/// Block `q` of `L` values of `s` (`None` past its end).
#[inline(always)]
fn block<const L: usize>(s: &[f32], q: usize) -> Option<&[f32; L]> {
    s.get(q * L..)?.first_chunk::<L>()
}

/// [`block`], writable.
#[inline(always)]
fn block_mut<const L: usize>(s: &mut [f32], q: usize) -> Option<&mut [f32; L]> {
    s.get_mut(q * L..)?.first_chunk_mut::<L>()
}

/// One row's activated gates `(4H)` and its cell and output slices `(H)`.
struct Cells<'a> {
    row: &'a [f32],
    cp: &'a [f32],
    cn: &'a mut [f32],
    hn: &'a mut [f32],
    tc: &'a mut [f32],
}

impl Cells<'_> {
    /// The unit blocks `qs` (of `L` units): `c_t = f·c_{t-1} + i·c̃`, `tanh(c_t)`,
    /// `h_t = o·tanh(c_t)`.
    #[inline(always)]
    fn run<const L: usize>(&mut self, qs: std::ops::Range<usize>) {
        let hd = self.cp.len();
        let (i, rest) = self.row.split_at(hd);
        let (f, rest) = rest.split_at(hd);
        let (c, o) = rest.split_at(hd);
        for q in qs {
            let (Some(i), Some(f), Some(c), Some(o), Some(cp)) = (
                block::<L>(i, q),
                block::<L>(f, q),
                block::<L>(c, q),
                block::<L>(o, q),
                block::<L>(self.cp, q),
            ) else {
                continue;
            };
            let (Some(cn), Some(tc), Some(hn)) = (
                block_mut::<L>(self.cn, q),
                block_mut::<L>(self.tc, q),
                block_mut::<L>(self.hn, q),
            ) else {
                continue;
            };
            for l in 0..L {
                let cell = f[l] * cp[l] + i[l] * c[l];
                cn[l] = cell;
                let t = fast_tanh(cell);
                tc[l] = t;
                hn[l] = o[l] * t;
            }
        }
    }
}

/// Where a backward time loop leaves each step's gate gradients `(rows, 4H)`.
enum StepGates<'a, 's> {
    /// Per step, this part's rows of the whole `dgates (T·B, 4H)` buffer, read after the loop.
    Store(Vec<&'a mut [f32]>),
    /// Into these sums, inside the loop while they are still in cache (one block of
    /// [`STEP_GROUP`] steps reused by every group; the part is the whole batch).
    Sum(&'s mut StepSums<'a>),
}

/// One part's backward time loop: per step (last first) the gate gradients, then
/// `dh_{t-1} = dgates·Uᵀ`.
struct LstmPartBackward<'a, 's> {
    gates: Vec<&'a [f32]>,
    /// `T + 1` blocks of cell states (block `t` is `c_{t-1}` of step `t`).
    c: Vec<&'a [f32]>,
    tanh_c: Vec<&'a [f32]>,
    /// The sequence gradient `(B, T, H)` batch-major, and this part's first row in it.
    dh_seq: &'a [f32],
    first_row: usize,
    dgates: StepGates<'a, 's>,
    dh_next: &'a mut [f32],
    dc_next: &'a mut [f32],
}

impl LstmPartBackward<'_, '_> {
    fn run(mut self, u_t: &PackedMatrix, hd: usize) -> Result<()> {
        let steps = self.gates.len();
        let rows = self.dh_next.len() / hd.max(1);
        let mut dh_carry = vec![0.0f32; self.dh_next.len()];
        dh_carry.copy_from_slice(self.dh_next);
        let step_len = rows * 4 * hd;
        // With step sums: the gate gradients of one group of steps ([`step_group`]), each step
        // in its slot, the group's first step first.
        let mut block = match self.dgates {
            StepGates::Store(_) => Vec::new(),
            StepGates::Sum(_) => vec![0.0f32; STEP_GROUP.min(steps) * step_len],
        };
        for t in (0..steps).rev() {
            let group = step_group(t, steps);
            let slot = (t - group.start) * step_len;
            let (dg, sums): (&mut [f32], Option<&mut StepSums<'_>>) = match &mut self.dgates {
                StepGates::Store(blocks) => (&mut *blocks[t], None),
                StepGates::Sum(sums) => (
                    block
                        .get_mut(slot..slot + step_len)
                        .ok_or_else(|| Error::Invalid("internal layout: step block".into()))?,
                    Some(&mut **sums),
                ),
            };
            let (gates, c_prev, tanh_c) = (self.gates[t], self.c[t], self.tanh_c[t]);
            let (dh_seq, first) = (self.dh_seq, self.first_row);
            let dc_next = &mut *self.dc_next;
            let dh_in = &dh_carry;
            with_widest_simd(
                #[inline(always)]
                || {
                    for r in 0..rows {
                        let at = ((first + r) * steps + t) * hd;
                        let row = r * hd..(r + 1) * hd;
                        lstm_backward_row(
                            &gates[r * 4 * hd..(r + 1) * 4 * hd],
                            &c_prev[row.clone()],
                            &tanh_c[row.clone()],
                            &dh_seq[at..at + hd],
                            &dh_in[row.clone()],
                            &mut dc_next[row],
                            &mut dg[r * 4 * hd..(r + 1) * 4 * hd],
                        );
                    }
                },
            );
            matmul_packed_into(
                &view2(dg, rows, 4 * hd)?,
                u_t,
                false,
                &mut view2_mut(&mut dh_carry, rows, hd)?,
            )?;
            if let Some(sums) = sums {
                let span = (group.end - group.start) * step_len;
                sums.add_step(t, &block[..span])?;
            }
        }
        self.dh_next.copy_from_slice(&dh_carry);
        Ok(())
    }
}

/// How many consecutive steps share one recurrent-kernel product in [`StepSums`]: `gemm`
/// accumulating `(H, k)·(k, 4H)` onto `dU` ran at 90, 105 and 110 GFLOP/s with `k` = 32, 64 and
/// 128 rows (char-rnn's shard of 32, one thread), and at 94–96 against 109–133 for `H` = 256.
const STEP_GROUP: usize = 4;

/// The steps whose recurrent-kernel gradient is summed in one product with step `t`'s: the
/// multiple of [`STEP_GROUP`] at or below `t`, up to the next one or `steps`.
fn step_group(t: usize, steps: usize) -> std::ops::Range<usize> {
    let start = t - t % STEP_GROUP;
    start..(start + STEP_GROUP).min(steps)
}

/// The weight gradients of a kernel on index input, summed step by step from the last step to
/// the first: the bias (the step's rows in order), the kernel rows the step's indices picked,
/// and, once a group of [`STEP_GROUP`] steps is complete, the recurrent kernel
/// `dU += [h_{t-1}]ᵀ·[dgates_t]` over the group's rows (one `gemm` product on this thread). A
/// single-part backward ([`StepGates::Sum`]) calls [`StepSums::add_step`] inside its time loop,
/// while the step's gradients are in cache, and needs no `(T·B, G)` buffer; a backward cut into batch
/// parts stores the gradients and calls it after the loop, step by step in the same order, so the
/// bits do not depend on the cut (that pass runs on the calling thread: a layer cut into parts,
/// which a data-parallel trainer's shard never is, does not split its weight gradients).
struct StepSums<'a> {
    idx: &'a [usize],
    /// Hidden states `((T+1)·B, H)`: block `t` is `h_{t-1}` of step `t`.
    h_all: &'a [f32],
    batch: usize,
    hidden: usize,
    steps: usize,
    db: Vec<f32>,
    dw: Array2<f32>,
    du: Array2<f32>,
}

impl<'a> StepSums<'a> {
    fn new(idx: &'a [usize], h_all: &'a [f32], c: &Common, in_dim: usize, width: usize) -> Self {
        Self {
            idx,
            h_all,
            batch: c.batch,
            steps: c.steps,
            hidden: c.hidden,
            db: vec![0.0; width],
            dw: Array2::zeros((in_dim, width)),
            du: Array2::zeros((c.hidden, width)),
        }
    }

    /// Add step `t`'s gate gradients: `group` holds those of its [`step_group`] `(steps·B, G)`,
    /// earliest step first (all the batch's rows; the slots of the group's steps before `t` are
    /// not read yet). The group's recurrent-kernel product is added at its first step, when
    /// every slot is filled.
    fn add_step(&mut self, t: usize, group: &[f32]) -> Result<()> {
        let (batch, hd, width) = (self.batch, self.hidden, self.db.len());
        let span = step_group(t, self.steps);
        let step_len = batch * width;
        let slot = (t - span.start) * step_len;
        let dg = group
            .get(slot..slot + step_len)
            .ok_or_else(|| Error::Invalid("internal layout: step gradients".into()))?;
        let idx = self
            .idx
            .get(t * batch..(t + 1) * batch)
            .ok_or_else(|| Error::Invalid("internal layout: step indices".into()))?;
        if let Some(&i) = idx.iter().find(|&&i| i >= self.dw.nrows()) {
            return Err(Error::Invalid(format!(
                "input index {i} outside the kernel"
            )));
        }
        let db = &mut self.db;
        let dw = self
            .dw
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("internal layout".into()))?;
        with_widest_simd(
            #[inline(always)]
            || {
                for (row, &i) in dg.chunks_exact(width).zip(idx) {
                    add_into(db, row);
                    add_into(&mut dw[i * width..(i + 1) * width], row);
                }
            },
        );
        if t == span.start {
            let rows = span.len() * batch;
            let h_prev = self
                .h_all
                .get(span.start * batch * hd..span.end * batch * hd)
                .ok_or_else(|| Error::Invalid("internal layout: hidden states".into()))?;
            let h_prev = view2(h_prev, rows, hd)?;
            let group = group
                .get(..rows * width)
                .ok_or_else(|| Error::Invalid("internal layout: step group".into()))?;
            matmul_into_serial(
                1.0,
                &h_prev.t(),
                &view2(group, rows, width)?,
                1.0,
                &mut self.du.view_mut(),
            )?;
        }
        Ok(())
    }
}

/// `L` units of the four gates of one row.
struct LstmGates<'a, const L: usize> {
    i: &'a [f32; L],
    f: &'a [f32; L],
    c: &'a [f32; L],
    o: &'a [f32; L],
}

/// `L` units of the four gate gradients of one row.
struct LstmGatesMut<'a, const L: usize> {
    i: &'a mut [f32; L],
    f: &'a mut [f32; L],
    c: &'a mut [f32; L],
    o: &'a mut [f32; L],
}

/// One batch row of the LSTM backward gate pass: from the activated gates, `c_{t-1}`,
/// `tanh(c_t)`, the output gradient `dh_t` and the carried `dh`, `dc`, the pre-activation gate
/// gradients; `dcn` (the carried `dc`) becomes the gradient of `c_{t-1}`. `g` and `d` are the
/// row's `4H` values, the others its `H` values; worked in blocks of [`LANES`].
#[inline(always)]
fn lstm_backward_row(
    g: &[f32],
    cp: &[f32],
    tc: &[f32],
    dho: &[f32],
    dhn: &[f32],
    dcn: &mut [f32],
    d: &mut [f32],
) {
    let hd = dcn.len();
    let full = hd / LANES;
    backward_blocks::<LANES>(g, [cp, tc, dho, dhn], dcn, d, 0..full);
    backward_blocks::<1>(g, [cp, tc, dho, dhn], dcn, d, full * LANES..hd);
}

/// The unit blocks `qs` (of `L` units) of [`lstm_backward_row`].
#[inline(always)]
fn backward_blocks<const L: usize>(
    g: &[f32],
    [cp, tc, dho, dhn]: [&[f32]; 4],
    dcn: &mut [f32],
    d: &mut [f32],
    qs: std::ops::Range<usize>,
) {
    let hd = dcn.len();
    let span = qs.start * L..qs.end * L;
    let (gi, rest) = g.split_at(hd);
    let (gf, rest) = rest.split_at(hd);
    let (gc, go) = rest.split_at(hd);
    let (di, rest) = d.split_at_mut(hd);
    let (df, rest) = rest.split_at_mut(hd);
    let (dc, dout) = rest.split_at_mut(hd);
    let gates = gi[span.clone()]
        .chunks_exact(L)
        .zip(gf[span.clone()].chunks_exact(L))
        .zip(
            gc[span.clone()]
                .chunks_exact(L)
                .zip(go[span.clone()].chunks_exact(L)),
        );
    let state = cp[span.clone()]
        .chunks_exact(L)
        .zip(tc[span.clone()].chunks_exact(L))
        .zip(
            dho[span.clone()]
                .chunks_exact(L)
                .zip(dhn[span.clone()].chunks_exact(L)),
        );
    let grads = di[span.clone()]
        .chunks_exact_mut(L)
        .zip(df[span.clone()].chunks_exact_mut(L))
        .zip(
            dc[span.clone()]
                .chunks_exact_mut(L)
                .zip(dout[span.clone()].chunks_exact_mut(L)),
        )
        .zip(dcn[span].chunks_exact_mut(L));
    for ((((i, f), (c, o)), ((cp, tc), (dho, dhn))), (((di, df), (dc, dout)), dcn)) in
        gates.zip(state).zip(grads)
    {
        let (Some(i), Some(f), Some(c), Some(o)) = (
            i.first_chunk::<L>(),
            f.first_chunk::<L>(),
            c.first_chunk::<L>(),
            o.first_chunk::<L>(),
        ) else {
            continue;
        };
        let (Some(cp), Some(tc), Some(dho), Some(dhn)) = (
            cp.first_chunk::<L>(),
            tc.first_chunk::<L>(),
            dho.first_chunk::<L>(),
            dhn.first_chunk::<L>(),
        ) else {
            continue;
        };
        let (Some(di), Some(df), Some(dc), Some(dout), Some(dcn)) = (
            di.first_chunk_mut::<L>(),
            df.first_chunk_mut::<L>(),
            dc.first_chunk_mut::<L>(),
            dout.first_chunk_mut::<L>(),
            dcn.first_chunk_mut::<L>(),
        ) else {
            continue;
        };
        backward_block(
            LstmGates { i, f, c, o },
            [cp, tc, dho, dhn],
            dcn,
            LstmGatesMut {
                i: di,
                f: df,
                c: dc,
                o: dout,
            },
        );
    }
}

/// `L` units of [`lstm_backward_row`]; `[c_{t-1}, tanh(c_t), dh_t, carried dh]`.
#[inline(always)]
fn backward_block<const L: usize>(
    g: LstmGates<'_, L>,
    [cp, tc, dho, dhn]: [&[f32; L]; 4],
    dcn: &mut [f32; L],
    d: LstmGatesMut<'_, L>,
) {
    let (i, f, gg, o) = (g.i, g.f, g.c, g.o);
    for j in 0..L {
        let dh = dho[j] + dhn[j];
        let dc = dcn[j] + dh * o[j] * (1.0 - tc[j] * tc[j]);
        d.i[j] = dc * gg[j] * i[j] * (1.0 - i[j]);
        d.f[j] = dc * cp[j] * f[j] * (1.0 - f[j]);
        d.c[j] = dc * i[j] * (1.0 - gg[j] * gg[j]);
        d.o[j] = dh * tc[j] * o[j] * (1.0 - o[j]);
        dcn[j] = dc * f[j];
    }
}

/// Gradients of a kernel's inputs, as `(input, gradient)` pairs.
pub(crate) type InputGrads = Vec<(Var, ArrayD<f32>)>;

/// The sequence gradient `(B, T, H)` in time-major rows.
fn seq_grad_time_major(g: &ArrayD<f32>, c: &Common) -> Result<Array2<f32>> {
    to_time_major(g, c.batch, c.steps, c.hidden)
}

/// Shared tail: weight gradients from the per-row pre-activation gradients.
fn weight_grads(
    tape: &Tape<'_>,
    c: &Common,
    h_all: &[f32],
    d_proj: &Array2<f32>,
    d_rec: &Array2<f32>,
    out: &mut InputGrads,
) -> Result<()> {
    let wv = mat(tape, c.w, "kernel", "backward")?;
    let need_dx = c.x.is_some_and(|x| tape.needs_grad(x));
    let (dw, dx) = project_backward(&c.seq_x, &wv, &d_proj.view(), need_dx)?;
    out.push((c.w, dw.into_dyn()));
    let (rows, hd) = (c.steps * c.batch, c.hidden);
    let h_prev = view2(&h_all[..rows * hd], rows, hd)?;
    let mut du = Array2::zeros((hd, d_rec.ncols()));
    matmul_tn_into(&h_prev, &d_rec.view(), false, &mut du.view_mut())?;
    out.push((c.u, du.into_dyn()));
    if let (Some(x), Some(dx)) = (c.x, dx) {
        let feat = dx.ncols();
        let flat = dx.into_raw_vec_and_offset().0;
        out.push((x, to_batch_major(&flat, c.batch, c.steps, feat)?));
    }
    Ok(())
}

/// Backward of the fused LSTM; `dc_last` is the gradient of the final cell state, if used.
pub(crate) fn lstm_backward(
    tape: &Tape<'_>,
    k: &LstmCache,
    g: &ArrayD<f32>,
    dc_last: Option<ArrayD<f32>>,
) -> Result<InputGrads> {
    let c = &k.common;
    let (batch, hd) = (c.batch, c.hidden);
    let (bh, g4) = (batch * hd, 4 * hd);
    // `Uᵀ` prepared once for the per-step products `dgates·Uᵀ`.
    let u_t = PackedMatrix::new(&mat(tape, c.u, "recurrent kernel", "backward")?.t());
    if g.shape() != [batch, c.steps, hd] {
        return Err(shape_err(
            "lstm backward: sequence gradient",
            g.shape(),
            &[batch, c.steps, hd],
        ));
    }
    let g = g.as_standard_layout();
    let dh_seq = g
        .as_slice()
        .ok_or_else(|| Error::Invalid("internal layout".into()))?;
    let rows = c.steps * batch;
    let mut dh_next = vec![0.0f32; bh];
    let mut dc_next: Vec<f32> = match dc_last {
        Some(d) => d.iter().copied().collect(),
        None => vec![0.0; bh],
    };
    let parts = batch_parts(batch, c.steps, hd, g4);
    let mut out = Vec::with_capacity(7);
    if let SeqX::Indices(idx) = &c.seq_x {
        // Index input: the weight gradients are summed step by step ([`StepSums`]).
        let in_dim = mat(tape, c.w, "kernel", "backward")?.nrows();
        let mut sums = StepSums::new(idx, &k.h, c, in_dim, g4);
        if parts.len() == 1 {
            let part = LstmPartBackward {
                gates: k.gates.chunks_exact((bh * 4).max(1)).collect(),
                c: k.c.chunks_exact(bh.max(1)).collect(),
                tanh_c: k.tanh_c.chunks_exact(bh.max(1)).collect(),
                dh_seq,
                first_row: 0,
                dgates: StepGates::Sum(&mut sums),
                dh_next: &mut dh_next,
                dc_next: &mut dc_next,
            };
            part.run(&u_t, hd)?;
        } else {
            let mut dgates = vec![0.0f32; rows * g4];
            let work =
                lstm_backward_parts(k, dh_seq, &parts, &mut dgates, &mut dh_next, &mut dc_next);
            run_parts(work, |part| part.run(&u_t, hd))?;
            for t in (0..c.steps).rev() {
                let group = step_group(t, c.steps);
                sums.add_step(t, &dgates[group.start * bh * 4..group.end * bh * 4])?;
            }
        }
        out.push((c.b, ndarray::Array1::from_vec(sums.db).into_dyn()));
        out.push((c.w, sums.dw.into_dyn()));
        out.push((c.u, sums.du.into_dyn()));
    } else {
        let mut dgates = vec![0.0f32; rows * g4];
        let work = lstm_backward_parts(k, dh_seq, &parts, &mut dgates, &mut dh_next, &mut dc_next);
        run_parts(work, |part| part.run(&u_t, hd))?;
        let db = tensor::reduce::column_sums(&dgates, g4);
        out.push((c.b, ndarray::Array1::from_vec(db).into_dyn()));
        let dgates = Array2::from_shape_vec((rows, g4), dgates)
            .map_err(|e| Error::Invalid(format!("internal layout: {e}")))?;
        weight_grads(tape, c, &k.h, &dgates, &dgates, &mut out)?;
    }
    if let Some(h0) = c.h0 {
        out.push((h0, to_dyn(dh_next, &[batch, hd])?));
    }
    if let Some(c0) = k.c0 {
        out.push((c0, to_dyn(dc_next, &[batch, hd])?));
    }
    Ok(out)
}

/// The backward time loops of an LSTM cut into batch `parts`, each storing its rows of the gate
/// gradients in `dgates (T·B, 4H)`.
fn lstm_backward_parts<'a>(
    k: &'a LstmCache,
    dh_seq: &'a [f32],
    parts: &[(usize, usize)],
    dgates: &'a mut [f32],
    dh_next: &'a mut [f32],
    dc_next: &'a mut [f32],
) -> Vec<LstmPartBackward<'a, 'a>> {
    let (batch, hd) = (k.common.batch, k.common.hidden);
    let g4 = 4 * hd;
    part_rows_ref(&k.gates, batch, g4, parts)
        .into_iter()
        .zip(part_rows_ref(&k.c, batch, hd, parts))
        .zip(part_rows_ref(&k.tanh_c, batch, hd, parts))
        .zip(part_rows(dgates, batch, g4, parts))
        .zip(part_rows(dh_next, batch, hd, parts))
        .zip(part_rows(dc_next, batch, hd, parts))
        .zip(parts)
        .map(
            |((((((gates, cs), tanh_c), dgates), mut dh), mut dc), &(first_row, _))| {
                LstmPartBackward {
                    gates,
                    c: cs,
                    tanh_c,
                    dh_seq,
                    first_row,
                    dgates: StepGates::Store(dgates),
                    // A batch of no rows has no blocks: its parts get empty states.
                    dh_next: dh.pop().unwrap_or_default(),
                    dc_next: dc.pop().unwrap_or_default(),
                }
            },
        )
        .collect()
}

/// `acc += row`, element by element (the rows of a bias sum or a kernel-row scatter, added in order).
#[inline(always)]
fn add_into(acc: &mut [f32], row: &[f32]) {
    for (a, v) in acc.iter_mut().zip(row) {
        *a += v;
    }
}

/// Backward of the fused GRU.
pub(crate) fn gru_backward(tape: &Tape<'_>, k: &GruCache, g: &ArrayD<f32>) -> Result<InputGrads> {
    let c = &k.common;
    let (batch, hd) = (c.batch, c.hidden);
    let (bh, g3) = (batch * hd, 3 * hd);
    // `Uᵀ` prepared once for the per-step products `dgates·Uᵀ`.
    let u_t = PackedMatrix::new(&mat(tape, c.u, "recurrent kernel", "backward")?.t());
    let dh_seq = seq_grad_time_major(g, c)?;
    let dh_seq = dh_seq.as_slice().unwrap_or(&[]);
    let rows = c.steps * batch;
    let mut dxp = Array2::<f32>::zeros((rows, g3));
    let mut dhp = Array2::<f32>::zeros((rows, g3));
    let mut dh_next = vec![0.0f32; bh];
    let mut dh_direct = vec![0.0f32; bh];
    for t in (0..c.steps).rev() {
        let act = &k.act[t * batch * g3..(t + 1) * batch * g3];
        let hph = &k.hph[t * bh..(t + 1) * bh];
        let h_prev = &k.h[t * bh..(t + 1) * bh];
        let mut dxp_t =
            dxp.slice_axis_mut(Axis(0), ndarray::Slice::from(t * batch..(t + 1) * batch));
        let dx = dxp_t
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("internal layout".into()))?;
        let mut dhp_t =
            dhp.slice_axis_mut(Axis(0), ndarray::Slice::from(t * batch..(t + 1) * batch));
        let dp = dhp_t
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("internal layout".into()))?;
        let dh_seq_t = &dh_seq[t * bh..(t + 1) * bh];
        with_widest_simd(
            #[inline(always)]
            || {
                let rows = act
                    .chunks_exact(g3)
                    .zip(dh_seq_t.chunks_exact(hd).zip(dh_next.chunks_exact(hd)))
                    .zip(h_prev.chunks_exact(hd).zip(hph.chunks_exact(hd)))
                    .zip(dx.chunks_exact_mut(g3).zip(dp.chunks_exact_mut(g3)))
                    .zip(dh_direct.chunks_exact_mut(hd));
                for ((((a, (dhs, dhn)), (hp_row, hph_row)), (dx_row, dp_row)), dhd) in rows {
                    let row = GruBackRow {
                        a,
                        dhs,
                        dhn,
                        hp: hp_row,
                        hph: hph_row,
                    };
                    let full = hd / LANES;
                    row.run::<LANES>(dx_row, dp_row, dhd, 0..full);
                    row.run::<1>(dx_row, dp_row, dhd, full * LANES..hd);
                }
            },
        );
        dh_next.copy_from_slice(&dh_direct);
        matmul_packed_into(
            &view2(dp, batch, g3)?,
            &u_t,
            true,
            &mut view2_mut(&mut dh_next, batch, hd)?,
        )?;
    }
    let mut db = Array2::<f32>::zeros((2, g3));
    db.row_mut(0).assign(&dxp.sum_axis(Axis(0)));
    db.row_mut(1).assign(&dhp.sum_axis(Axis(0)));
    let mut out = vec![(c.b, db.into_dyn())];
    weight_grads(tape, c, &k.h, &dxp, &dhp, &mut out)?;
    if let Some(h0) = c.h0 {
        out.push((h0, to_dyn(dh_next, &[batch, hd])?));
    }
    Ok(out)
}

/// The GRU forward gate pass of one row for the unit blocks `qs` (of `L` units): `a` `(3H)` holds
/// `x·W + b_ih` and becomes the activated `z, r, h̃`; `p` `(3H)` is `h·U + b_hh`; writes the
/// recurrent candidate term `hph` and `h_t` from `h_{t-1}` (`hp`).
#[inline(always)]
fn gru_forward_row<const L: usize>(
    a: &mut [f32],
    p: &[f32],
    hph: &mut [f32],
    hp: &[f32],
    hn: &mut [f32],
    qs: std::ops::Range<usize>,
) {
    let hd = hn.len();
    let (az, rest) = a.split_at_mut(hd);
    let (ar, ac) = rest.split_at_mut(hd);
    let (pz, rest) = p.split_at(hd);
    let (pr, pc) = rest.split_at(hd);
    for q in qs {
        let (Some(az), Some(ar), Some(ac)) = (
            block_mut::<L>(az, q),
            block_mut::<L>(ar, q),
            block_mut::<L>(ac, q),
        ) else {
            continue;
        };
        let (Some(pz), Some(pr), Some(pc), Some(hp)) = (
            block::<L>(pz, q),
            block::<L>(pr, q),
            block::<L>(pc, q),
            block::<L>(hp, q),
        ) else {
            continue;
        };
        let (Some(hph), Some(hn)) = (block_mut::<L>(hph, q), block_mut::<L>(hn, q)) else {
            continue;
        };
        for l in 0..L {
            let z = fast_sigmoid(az[l] + pz[l]);
            let r = fast_sigmoid(ar[l] + pr[l]);
            let cand = fast_tanh(ac[l] + r * pc[l]);
            az[l] = z;
            ar[l] = r;
            ac[l] = cand;
            hph[l] = pc[l];
            hn[l] = z * hp[l] + (1.0 - z) * cand;
        }
    }
}

/// One row of the GRU backward gate pass: the activated `z, r, h̃` `(3H)`, the output gradient
/// `dh_t`, the carried `dh`, `h_{t-1}` and the recurrent candidate term.
struct GruBackRow<'a> {
    a: &'a [f32],
    dhs: &'a [f32],
    dhn: &'a [f32],
    hp: &'a [f32],
    hph: &'a [f32],
}

impl GruBackRow<'_> {
    /// The unit blocks `qs` (of `L` units): the input-side gate gradients `dx` `(3H)`, the
    /// recurrent-side ones `dp` `(3H)` and the direct part of `dh_{t-1}` (`dhd`).
    #[inline(always)]
    fn run<const L: usize>(
        &self,
        dx: &mut [f32],
        dp: &mut [f32],
        dhd: &mut [f32],
        qs: std::ops::Range<usize>,
    ) {
        let hd = dhd.len();
        let (az, rest) = self.a.split_at(hd);
        let (ar, ac) = rest.split_at(hd);
        let (xz, rest) = dx.split_at_mut(hd);
        let (xr, xc) = rest.split_at_mut(hd);
        let (pz, rest) = dp.split_at_mut(hd);
        let (pr, pc) = rest.split_at_mut(hd);
        for q in qs {
            let (Some(z), Some(r), Some(cand)) =
                (block::<L>(az, q), block::<L>(ar, q), block::<L>(ac, q))
            else {
                continue;
            };
            let (Some(dhs), Some(dhn), Some(hp), Some(hph)) = (
                block::<L>(self.dhs, q),
                block::<L>(self.dhn, q),
                block::<L>(self.hp, q),
                block::<L>(self.hph, q),
            ) else {
                continue;
            };
            let (Some(xz), Some(xr), Some(xc)) = (
                block_mut::<L>(xz, q),
                block_mut::<L>(xr, q),
                block_mut::<L>(xc, q),
            ) else {
                continue;
            };
            let (Some(pz), Some(pr), Some(pc), Some(dhd)) = (
                block_mut::<L>(pz, q),
                block_mut::<L>(pr, q),
                block_mut::<L>(pc, q),
                block_mut::<L>(dhd, q),
            ) else {
                continue;
            };
            for l in 0..L {
                let (z, r, cand) = (z[l], r[l], cand[l]);
                let dh = dhs[l] + dhn[l];
                let dz = dh * (hp[l] - cand) * z * (1.0 - z);
                let dcand = dh * (1.0 - z) * (1.0 - cand * cand);
                let dr = dcand * hph[l] * r * (1.0 - r);
                xz[l] = dz;
                xr[l] = dr;
                xc[l] = dcand;
                pz[l] = dz;
                pr[l] = dr;
                pc[l] = dcand * r;
                dhd[l] = dh * z;
            }
        }
    }
}

/// Backward of the fused SimpleRNN.
pub(crate) fn rnn_backward(tape: &Tape<'_>, k: &RnnCache, g: &ArrayD<f32>) -> Result<InputGrads> {
    let c = &k.common;
    let (batch, hd) = (c.batch, c.hidden);
    let bh = batch * hd;
    // `Uᵀ` prepared once for the per-step products `dgates·Uᵀ`.
    let u_t = PackedMatrix::new(&mat(tape, c.u, "recurrent kernel", "backward")?.t());
    let dh_seq = seq_grad_time_major(g, c)?;
    let dh_seq = dh_seq.as_slice().unwrap_or(&[]);
    let mut dpre = Array2::<f32>::zeros((c.steps * batch, hd));
    let mut dh_next = vec![0.0f32; bh];
    for t in (0..c.steps).rev() {
        let h_t = &k.h[(t + 1) * bh..(t + 2) * bh];
        let mut d_t =
            dpre.slice_axis_mut(Axis(0), ndarray::Slice::from(t * batch..(t + 1) * batch));
        let d = d_t
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("internal layout".into()))?;
        let dh_seq_t = &dh_seq[t * bh..(t + 1) * bh];
        with_widest_simd(
            #[inline(always)]
            || {
                let it = d.iter_mut().zip(dh_seq_t).zip(dh_next.iter().zip(h_t));
                for ((d, &ds), (&dn, &h)) in it {
                    *d = (ds + dn) * (1.0 - h * h);
                }
            },
        );
        matmul_packed_into(
            &view2(d, batch, hd)?,
            &u_t,
            false,
            &mut view2_mut(&mut dh_next, batch, hd)?,
        )?;
    }
    let mut out = vec![(c.b, dpre.sum_axis(Axis(0)).into_dyn())];
    weight_grads(tape, c, &k.h, &dpre, &dpre, &mut out)?;
    if let Some(h0) = c.h0 {
        out.push((h0, to_dyn(dh_next, &[batch, hd])?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;
    use ndarray::ArrayD;

    /// Deterministic values in [-0.5, 0.5) without an RNG.
    fn filled(shape: &[usize], salt: u64) -> ArrayD<f32> {
        let mut s = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        ArrayD::from_shape_simple_fn(IxDyn(shape), || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
    }

    fn bits(a: &ArrayD<f32>) -> Vec<u32> {
        a.iter().map(|v| v.to_bits()).collect()
    }

    /// A recurrent kernel with no units is an error naming the layer, for every cell and input kind
    /// (the one-part LSTM forward would otherwise cut its gate rows into blocks of zero values).
    #[test]
    fn zero_units_is_an_error_not_a_panic() {
        let mut params = Params::new();
        let w = params.add("w", ArrayD::zeros(IxDyn(&[3, 0])), true);
        let u = params.add("u", ArrayD::zeros(IxDyn(&[0, 0])), true);
        let b = params.add("b", ArrayD::zeros(IxDyn(&[0])), true);
        let b2 = params.add("b2", ArrayD::zeros(IxDyn(&[2, 0])), true);
        let mut tape = Tape::new(&params);
        let (wv, uv, bv, b2v) = (tape.param(w), tape.param(u), tape.param(b), tape.param(b2));
        let idx = tape.constant(ArrayD::zeros(IxDyn(&[2, 4])));
        let feats = tape.constant(ArrayD::zeros(IxDyn(&[2, 4, 3])));
        for x in [SeqInput::Indices(idx), SeqInput::Features(feats)] {
            let errors = [
                tape.lstm("l", x, wv, uv, bv, None, None).map(|_| ()),
                tape.gru("g", x, wv, uv, b2v, None).map(|_| ()),
                tape.simple_rnn("r", x, wv, uv, bv, None).map(|_| ()),
            ];
            for e in errors {
                let e = e.unwrap_err().to_string();
                assert!(e.contains("no units"), "{e}");
            }
        }
    }

    /// An LSTM on index input gives the gradients of the same LSTM on the one-hot rows of those
    /// indices (whose kernel gradient is the dense `xᵀ·dgates`), at step counts that make full
    /// and partial groups of the step sums' recurrent-kernel products.
    #[test]
    fn index_input_gradients_equal_one_hot_input_gradients() {
        for (batch, steps) in [(3, 5), (2, 9), (1, 4), (4, 1)] {
            let (input, hd) = (6, 5);
            let mut params = Params::new();
            let w = params.add("w", filled(&[input, 4 * hd], 1), true);
            let u = params.add("u", filled(&[hd, 4 * hd], 2), true);
            let b = params.add("b", filled(&[4 * hd], 3), true);
            let idx = filled(&[batch, steps], 4).mapv(|v| ((v + 0.5) * input as f32).floor());
            let one_hot = ArrayD::from_shape_fn(IxDyn(&[batch, steps, input]), |i| {
                f32::from(u8::from(idx[[i[0], i[1]]] as usize == i[2]))
            });
            let weights = filled(&[batch, steps, hd], 7);
            let grads = |indices: bool| {
                let mut tape = Tape::new(&params);
                let input = if indices {
                    SeqInput::Indices(tape.constant(idx.clone()))
                } else {
                    SeqInput::Features(tape.constant(one_hot.clone()))
                };
                let (wv, uv, bv) = (tape.param(w), tape.param(u), tape.param(b));
                let out = tape.lstm("t", input, wv, uv, bv, None, None).unwrap();
                let wts = tape.constant(weights.clone());
                let weighted = tape.mul(out.sequence, wts).unwrap();
                let loss = tape.sum(weighted);
                let g = tape.backward(loss).unwrap();
                [w, u, b].map(|p| g.get(p).unwrap().clone())
            };
            for (name, (a, e)) in ["w", "u", "b"]
                .iter()
                .zip(grads(true).iter().zip(grads(false)))
            {
                let worst = a
                    .iter()
                    .zip(&e)
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f32::max);
                assert!(worst < 1e-5, "{name} at B {batch}, T {steps}: {worst}");
            }
        }
    }

    /// A batch of no rows runs forward and backward without a panic, on index and feature input,
    /// and gives zero weight gradients.
    #[test]
    fn an_empty_batch_gives_zero_gradients() {
        let (input, hd, steps) = (3, 4, 5);
        let mut params = Params::new();
        let w = params.add("w", filled(&[input, 4 * hd], 1), true);
        let u = params.add("u", filled(&[hd, 4 * hd], 2), true);
        let b = params.add("b", filled(&[4 * hd], 3), true);
        for indices in [false, true] {
            let mut tape = Tape::new(&params);
            let x = if indices {
                SeqInput::Indices(tape.constant(ArrayD::zeros(IxDyn(&[0, steps]))))
            } else {
                SeqInput::Features(tape.variable(ArrayD::zeros(IxDyn(&[0, steps, input]))))
            };
            let (wv, uv, bv) = (tape.param(w), tape.param(u), tape.param(b));
            let out = tape.lstm("t", x, wv, uv, bv, None, None).unwrap();
            assert_eq!(tape.value(out.sequence).shape(), &[0, steps, hd]);
            let loss = tape.sum(out.sequence);
            let g = tape.backward(loss).unwrap();
            for p in [w, u, b] {
                assert!(
                    g.get(p).unwrap().iter().all(|&v| v == 0.0),
                    "indices {indices}"
                );
            }
        }
    }

    /// Forward and backward of an LSTM big enough to be cut into batch parts (one per thread):
    /// the sequence, the last cell state and every gradient (input, weights, bias, both initial
    /// states) have the same bits with 1 and 2 threads, and the layer is really cut at 2; for
    /// feature input and for index input (whose weight gradients are summed step by step, inside
    /// the time loop with one part and after it with two).
    #[test]
    fn lstm_batch_parts_give_the_same_bits_on_1_and_2_threads() {
        for indices in [false, true] {
            lstm_parts_same_bits(indices);
        }
    }

    fn lstm_parts_same_bits(indices: bool) {
        let (batch, steps, input, hd) = (21, 5, 7, 64);
        let mut params = Params::new();
        let w = params.add("w", filled(&[input, 4 * hd], 1), true);
        let u = params.add("u", filled(&[hd, 4 * hd], 2), true);
        let b = params.add("b", filled(&[4 * hd], 3), true);
        let x = if indices {
            filled(&[batch, steps], 4).mapv(|v| ((v + 0.5) * input as f32).floor())
        } else {
            filled(&[batch, steps, input], 4)
        };
        let (h0, c0) = (filled(&[batch, hd], 5), filled(&[batch, hd], 6));
        let weights = filled(&[batch, steps, hd], 7);
        let run = |threads: usize| {
            let pool = tensor::rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                assert_eq!(batch_parts(batch, steps, hd, 4 * hd).len(), threads);
                let mut tape = Tape::new(&params);
                let xv = tape.variable(x.clone());
                let (h0v, c0v) = (tape.variable(h0.clone()), tape.variable(c0.clone()));
                let (wv, uv, bv) = (tape.param(w), tape.param(u), tape.param(b));
                let input = if indices {
                    SeqInput::Indices(xv)
                } else {
                    SeqInput::Features(xv)
                };
                let out = tape
                    .lstm("t", input, wv, uv, bv, Some(h0v), Some(c0v))
                    .unwrap();
                let wts = tape.constant(weights.clone());
                let weighted = tape.mul(out.sequence, wts).unwrap();
                let s1 = tape.sum(weighted);
                let s2 = tape.sum(out.c.unwrap());
                let loss = tape.add(s1, s2).unwrap();
                let grads = tape.backward(loss).unwrap();
                let mut all = vec![
                    tape.value(out.sequence).clone(),
                    tape.value(out.c.unwrap()).clone(),
                ];
                let vars = if indices {
                    vec![h0v, c0v]
                } else {
                    vec![xv, h0v, c0v]
                };
                for v in vars {
                    all.push(grads.var(v).unwrap().clone());
                }
                for id in [w, u, b] {
                    all.push(grads.get(id).unwrap().clone());
                }
                all
            })
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one.len(), two.len());
        for (k, (a, b)) in one.iter().zip(&two).enumerate() {
            assert_eq!(
                bits(a),
                bits(b),
                "output/gradient #{k} differs (index input: {indices})"
            );
        }
    }
}
