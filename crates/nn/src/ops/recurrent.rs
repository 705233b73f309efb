//! Fused recurrent kernels: a whole SimpleRNN / LSTM / GRU layer, forward and backward through
//! time, as one tape op.
//!
//! Layout: the input is transposed once to time-major rows (`row = t·batch + b`), the input
//! projection of *all* time steps is one matrix product up front (or, for index input, a row
//! lookup of the kernel — a one-hot input times a matrix is never formed), and each time step does
//! exactly one matrix product `h_{t-1} · U` for all gates over the whole batch. Backward does one
//! product per step for `dh_{t-1}` and computes the weight gradients as three large products
//! after the loop.
//!
//! Weight layouts follow Keras: kernel `(in, G·units)`, recurrent kernel `(units, G·units)`, gates
//! side by side in Keras order — LSTM `i, f, c, o` (PyTorch's `i, f, g, o` is the same order),
//! GRU `z, r, h`; LSTM and SimpleRNN bias `(G·units)`, GRU bias `(2, 3·units)` (row 0 input bias,
//! row 1 recurrent bias, the `reset_after` form: `h̃ = tanh(x·W_h + b_ih + r ⊙ (h·U_h + b_hh))`).

use ndarray::{Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Ix2, IxDyn};
use tensor::activation::{fast_sigmoid, fast_tanh, tanh_slice, with_widest_simd};
use tensor::linalg::matmul_into;
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
    let mut out = vec![0.0f32; src.len()];
    swap_leading_axes(src, &mut out, batch, steps, feat);
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
    let mut out = vec![0.0f32; rows.len()];
    swap_leading_axes(rows, &mut out, steps, batch, feat);
    to_dyn(out, &[batch, steps, feat])
}

/// Copy a row-major `(a, b, f)` block into `(b, a, f)` order, one contiguous `f`-row at a time.
fn swap_leading_axes(src: &[f32], dst: &mut [f32], a: usize, b: usize, feat: usize) {
    for (i, block) in src.chunks_exact(b * feat).enumerate() {
        for (j, row) in block.chunks_exact(feat).enumerate() {
            let at = (j * a + i) * feat;
            dst[at..at + feat].copy_from_slice(row);
        }
    }
}

/// Kernel `w` as a 2-D view.
fn mat<'a>(tape: &'a Tape<'_>, v: Var, what: &str, layer: &str) -> Result<ArrayView2<'a, f32>> {
    let a = tape.value(v);
    a.view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| shape_err(format!("{layer}: {what} must be 2-D"), a.shape(), &[]))
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
            let s = tape.shape(v);
            if s.len() != 3 || s[2] != in_dim {
                return Err(shape_err(
                    format!("{layer}: input (batch, time, features) vs kernel rows"),
                    s,
                    &[in_dim],
                ));
            }
            let (b, t) = (s[0], s[1]);
            if t == 0 {
                return Err(Error::Invalid(format!(
                    "{layer}: the input has no time steps"
                )));
            }
            Ok((
                SeqX::Dense(to_time_major(tape.value(v), b, t, in_dim)?),
                b,
                t,
            ))
        }
        SeqInput::Indices(v) => {
            let a = tape.value(v);
            if a.ndim() != 2 {
                return Err(shape_err(
                    format!("{layer}: index input must be (batch, time)"),
                    a.shape(),
                    &[],
                ));
            }
            let (b, t) = (a.shape()[0], a.shape()[1]);
            if t == 0 {
                return Err(Error::Invalid(format!(
                    "{layer}: the input has no time steps"
                )));
            }
            let mut idx = Vec::with_capacity(b * t);
            for step in 0..t {
                for row in 0..b {
                    let f = a[[row, step]];
                    if !(f >= 0.0 && f.fract() == 0.0 && (f as usize) < in_dim) {
                        return Err(Error::Invalid(format!(
                            "{layer}: input index {f} at (batch {row}, step {step}) is not an integer in 0..{in_dim}"
                        )));
                    }
                    idx.push(f as usize);
                }
            }
            Ok((SeqX::Indices(idx), b, t))
        }
    }
}

/// `x·W + bias` for all time steps: `(T·B, G)`.
fn project(x: &SeqX, w: &ArrayView2<f32>, bias: ArrayView1<f32>) -> Result<Vec<f32>> {
    let g = w.ncols();
    match x {
        SeqX::Dense(xm) => {
            let rows = xm.nrows();
            let mut out = Vec::with_capacity(rows * g);
            let bias: Vec<f32> = bias.iter().copied().collect();
            for _ in 0..rows {
                out.extend_from_slice(&bias);
            }
            matmul_into(1.0, &xm.view(), w, 1.0, &mut view2_mut(&mut out, rows, g)?)?;
            Ok(out)
        }
        SeqX::Indices(idx) => {
            let mut out = Vec::with_capacity(idx.len() * g);
            for &i in idx {
                out.extend(w.row(i).iter().zip(bias.iter()).map(|(a, b)| a + b));
            }
            Ok(out)
        }
    }
}

/// Gradients of the projection: `dW (in, G)` and, for feature input, `dx (T·B, in)`.
fn project_backward(
    x: &SeqX,
    w: &ArrayView2<f32>,
    dz: &ArrayView2<f32>,
) -> Result<(Array2<f32>, Option<Array2<f32>>)> {
    match x {
        SeqX::Dense(xm) => {
            let mut dw = Array2::zeros(w.raw_dim());
            matmul_into(1.0, &xm.t(), dz, 0.0, &mut dw.view_mut())?;
            let mut dx = Array2::zeros(xm.raw_dim());
            matmul_into(1.0, dz, &w.t(), 0.0, &mut dx.view_mut())?;
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

/// The initial state `(B, H)` as a flat vector (zeros when absent).
fn initial_state(
    tape: &Tape<'_>,
    s: Option<Var>,
    batch: usize,
    hidden: usize,
    what: &str,
    layer: &str,
) -> Result<Vec<f32>> {
    match s {
        None => Ok(vec![0.0; batch * hidden]),
        Some(v) => {
            let a = tape.value(v);
            if a.shape() != [batch, hidden] {
                return Err(shape_err(
                    format!("{layer}: {what} vs (batch, units)"),
                    a.shape(),
                    &[batch, hidden],
                ));
            }
            Ok(a.as_standard_layout().iter().copied().collect())
        }
    }
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
        let mut gates = project(&seq_x, &wv, bv)?;
        let bh = batch * hd;
        let mut h = initial_state(self, h0, batch, hd, "initial h", layer)?;
        let mut c = initial_state(self, c0, batch, hd, "initial c", layer)?;
        h.resize((steps + 1) * bh, 0.0);
        c.resize((steps + 1) * bh, 0.0);
        let mut tanh_c = vec![0.0f32; steps * bh];
        let g4 = 4 * hd;
        for t in 0..steps {
            let (h_done, h_rest) = h.split_at_mut((t + 1) * bh);
            let h_prev = &h_done[t * bh..];
            let g_t = &mut gates[t * batch * g4..(t + 1) * batch * g4];
            matmul_into(
                1.0,
                &view2(h_prev, batch, hd)?,
                &uv,
                1.0,
                &mut view2_mut(g_t, batch, g4)?,
            )?;
            let (c_done, c_rest) = c.split_at_mut((t + 1) * bh);
            let step = LstmStep {
                gates: g_t,
                c_prev: &c_done[t * bh..],
                c_new: &mut c_rest[..bh],
                h_new: &mut h_rest[..bh],
                tanh_c: &mut tanh_c[t * bh..(t + 1) * bh],
            };
            step.run(batch, hd);
        }
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
        let mut act = project(&seq_x, &wv, b_in)?;
        let bh = batch * hd;
        let g3 = 3 * hd;
        let mut h = initial_state(self, h0, batch, hd, "initial h", layer)?;
        h.resize((steps + 1) * bh, 0.0);
        let mut hph = vec![0.0f32; steps * bh];
        let mut hp = vec![0.0f32; batch * g3];
        for t in 0..steps {
            for row in hp.chunks_exact_mut(g3) {
                row.copy_from_slice(&b_rec);
            }
            let (h_done, h_rest) = h.split_at_mut((t + 1) * bh);
            let h_prev = &h_done[t * bh..];
            matmul_into(
                1.0,
                &view2(h_prev, batch, hd)?,
                &uv,
                1.0,
                &mut view2_mut(&mut hp, batch, g3)?,
            )?;
            let a_t = &mut act[t * batch * g3..(t + 1) * batch * g3];
            let hph_t = &mut hph[t * bh..(t + 1) * bh];
            let h_new = &mut h_rest[..bh];
            with_widest_simd(|| {
                for bi in 0..batch {
                    let a = &mut a_t[bi * g3..(bi + 1) * g3];
                    let p = &hp[bi * g3..(bi + 1) * g3];
                    for j in 0..hd {
                        let z = fast_sigmoid(a[j] + p[j]);
                        let r = fast_sigmoid(a[hd + j] + p[hd + j]);
                        let cand = fast_tanh(a[2 * hd + j] + r * p[2 * hd + j]);
                        a[j] = z;
                        a[hd + j] = r;
                        a[2 * hd + j] = cand;
                        hph_t[bi * hd + j] = p[2 * hd + j];
                        h_new[bi * hd + j] = z * h_prev[bi * hd + j] + (1.0 - z) * cand;
                    }
                }
            });
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
        let pre = project(&seq_x, &wv, bv)?;
        let bh = batch * hd;
        let mut h = initial_state(self, h0, batch, hd, "initial h", layer)?;
        h.resize((steps + 1) * bh, 0.0);
        for t in 0..steps {
            let (h_done, h_rest) = h.split_at_mut((t + 1) * bh);
            let h_new = &mut h_rest[..bh];
            h_new.copy_from_slice(&pre[t * bh..(t + 1) * bh]);
            matmul_into(
                1.0,
                &view2(&h_done[t * bh..], batch, hd)?,
                &uv,
                1.0,
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

/// Gate values per step below which the element-wise work of a step stays on one thread.
const PARALLEL_MIN_GATES: usize = 1 << 14;

/// How many batch rows each task of a step's element-wise work takes: all of them (one task)
/// unless the step is big enough and the rayon pool has more than one thread.
fn rows_per_task(batch: usize, gate_values: usize) -> usize {
    let threads = tensor::rayon::current_num_threads();
    if threads > 1 && gate_values >= PARALLEL_MIN_GATES {
        batch.div_ceil(threads).max(1)
    } else {
        batch.max(1)
    }
}

/// One forward LSTM step after `x·W + h·U + b`: activates the gates `(B, 4H)` in place and writes
/// the new cell state, its tanh and the new hidden state `(B, H)`.
struct LstmStep<'a> {
    gates: &'a mut [f32],
    c_prev: &'a [f32],
    c_new: &'a mut [f32],
    h_new: &'a mut [f32],
    tanh_c: &'a mut [f32],
}

impl LstmStep<'_> {
    /// All batch rows, split over the rayon pool when the step is large. Rows are independent,
    /// so the result does not depend on the split.
    fn run(self, batch: usize, hd: usize) {
        let per = rows_per_task(batch, self.gates.len());
        if per >= batch {
            with_widest_simd(|| self.rows(hd));
            return;
        }
        let LstmStep {
            gates,
            c_prev,
            c_new,
            h_new,
            tanh_c,
        } = self;
        gates
            .par_chunks_mut(per * 4 * hd)
            .zip(c_prev.par_chunks(per * hd))
            .zip(c_new.par_chunks_mut(per * hd))
            .zip(h_new.par_chunks_mut(per * hd))
            .zip(tanh_c.par_chunks_mut(per * hd))
            .for_each(|((((gates, c_prev), c_new), h_new), tanh_c)| {
                let part = LstmStep {
                    gates,
                    c_prev,
                    c_new,
                    h_new,
                    tanh_c,
                };
                with_widest_simd(|| part.rows(hd));
            });
    }

    #[inline(always)]
    fn rows(self, hd: usize) {
        let rows = self
            .gates
            .chunks_exact_mut(4 * hd)
            .zip(self.c_prev.chunks_exact(hd))
            .zip(self.c_new.chunks_exact_mut(hd))
            .zip(self.h_new.chunks_exact_mut(hd))
            .zip(self.tanh_c.chunks_exact_mut(hd));
        for ((((g, cp), cn), hn), tc) in rows {
            let (sig_if, rest) = g.split_at_mut(2 * hd);
            let (cand, o) = rest.split_at_mut(hd);
            for v in sig_if.iter_mut() {
                *v = fast_sigmoid(*v);
            }
            for v in cand.iter_mut() {
                *v = fast_tanh(*v);
            }
            for v in o.iter_mut() {
                *v = fast_sigmoid(*v);
            }
            let (i, f) = sig_if.split_at(hd);
            for j in 0..hd {
                let c = f[j] * cp[j] + i[j] * cand[j];
                cn[j] = c;
                let t = fast_tanh(c);
                tc[j] = t;
                hn[j] = o[j] * t;
            }
        }
    }
}

/// One backward LSTM step: from the activated gates, the previous cell state, `tanh(c_t)`, the
/// output gradient `dh_t` and the carried `dh`/`dc`, the pre-activation gate gradients `(B, 4H)`;
/// `dc_next` becomes the gradient of `c_{t-1}`.
struct LstmStepBack<'a> {
    gates: &'a [f32],
    c_prev: &'a [f32],
    tanh_c: &'a [f32],
    dh_out: &'a [f32],
    dh_next: &'a [f32],
    dc_next: &'a mut [f32],
    dgates: &'a mut [f32],
}

impl LstmStepBack<'_> {
    fn run(self, batch: usize, hd: usize) {
        let per = rows_per_task(batch, self.gates.len());
        if per >= batch {
            with_widest_simd(|| self.rows(hd));
            return;
        }
        let LstmStepBack {
            gates,
            c_prev,
            tanh_c,
            dh_out,
            dh_next,
            dc_next,
            dgates,
        } = self;
        let (g, h) = (per * 4 * hd, per * hd);
        gates
            .par_chunks(g)
            .zip(c_prev.par_chunks(h))
            .zip(tanh_c.par_chunks(h))
            .zip(dh_out.par_chunks(h))
            .zip(dh_next.par_chunks(h))
            .zip(dc_next.par_chunks_mut(h))
            .zip(dgates.par_chunks_mut(g))
            .for_each(
                |((((((gates, c_prev), tanh_c), dh_out), dh_next), dc_next), dgates)| {
                    let part = LstmStepBack {
                        gates,
                        c_prev,
                        tanh_c,
                        dh_out,
                        dh_next,
                        dc_next,
                        dgates,
                    };
                    with_widest_simd(|| part.rows(hd));
                },
            );
    }

    #[inline(always)]
    fn rows(self, hd: usize) {
        let g4 = 4 * hd;
        let rows = self
            .gates
            .chunks_exact(g4)
            .zip(self.dgates.chunks_exact_mut(g4))
            .zip(self.c_prev.chunks_exact(hd))
            .zip(self.tanh_c.chunks_exact(hd))
            .zip(self.dh_out.chunks_exact(hd))
            .zip(self.dh_next.chunks_exact(hd))
            .zip(self.dc_next.chunks_exact_mut(hd));
        for ((((((gr, d), cp), tc), dho), dhn), dcn) in rows {
            let (i, rest) = gr.split_at(hd);
            let (f, rest) = rest.split_at(hd);
            let (gg, o) = rest.split_at(hd);
            let (di, rest) = d.split_at_mut(hd);
            let (df, rest) = rest.split_at_mut(hd);
            let (dgg, dout) = rest.split_at_mut(hd);
            // Equal, known lengths let the compiler drop bounds checks and vectorise.
            let (f, gg, o) = (&f[..hd], &gg[..hd], &o[..hd]);
            let (df, dgg, dout) = (&mut df[..hd], &mut dgg[..hd], &mut dout[..hd]);
            let (cp, tc, dho, dhn, dcn) =
                (&cp[..hd], &tc[..hd], &dho[..hd], &dhn[..hd], &mut dcn[..hd]);
            for j in 0..hd {
                let dh = dho[j] + dhn[j];
                let dc = dcn[j] + dh * o[j] * (1.0 - tc[j] * tc[j]);
                di[j] = dc * gg[j] * i[j] * (1.0 - i[j]);
                df[j] = dc * cp[j] * f[j] * (1.0 - f[j]);
                dgg[j] = dc * i[j] * (1.0 - gg[j] * gg[j]);
                dout[j] = dh * tc[j] * o[j] * (1.0 - o[j]);
                dcn[j] = dc * f[j];
            }
        }
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
    let (dw, dx) = project_backward(&c.seq_x, &wv, &d_proj.view())?;
    out.push((c.w, dw.into_dyn()));
    let (rows, hd) = (c.steps * c.batch, c.hidden);
    let h_prev = view2(&h_all[..rows * hd], rows, hd)?;
    let mut du = Array2::zeros((hd, d_rec.ncols()));
    matmul_into(1.0, &h_prev.t(), &d_rec.view(), 0.0, &mut du.view_mut())?;
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
    // `Uᵀ` copied once to row-major: the per-step product `dh·Uᵀ` then reads a plain matrix.
    let u_t = mat(tape, c.u, "recurrent kernel", "backward")?
        .t()
        .as_standard_layout()
        .into_owned();
    let dh_seq = seq_grad_time_major(g, c)?;
    let dh_seq = dh_seq.as_slice().unwrap_or(&[]);
    let mut dgates = Array2::<f32>::zeros((c.steps * batch, g4));
    let mut dh_next = vec![0.0f32; bh];
    let mut dc_next: Vec<f32> = match dc_last {
        Some(d) => d.iter().copied().collect(),
        None => vec![0.0; bh],
    };
    for t in (0..c.steps).rev() {
        let gates = &k.gates[t * batch * g4..(t + 1) * batch * g4];
        let c_prev = &k.c[t * bh..(t + 1) * bh];
        let tc_t = &k.tanh_c[t * bh..(t + 1) * bh];
        let dh_t = &dh_seq[t * bh..(t + 1) * bh];
        let mut dg_t =
            dgates.slice_axis_mut(Axis(0), ndarray::Slice::from(t * batch..(t + 1) * batch));
        let dg = dg_t
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("internal layout".into()))?;
        LstmStepBack {
            gates,
            c_prev,
            tanh_c: tc_t,
            dh_out: dh_t,
            dh_next: &dh_next,
            dc_next: &mut dc_next,
            dgates: dg,
        }
        .run(batch, hd);
        matmul_into(
            1.0,
            &view2(dg, batch, g4)?,
            &u_t.view(),
            0.0,
            &mut view2_mut(&mut dh_next, batch, hd)?,
        )?;
    }
    let mut out = Vec::with_capacity(7);
    out.push((c.b, dgates.sum_axis(Axis(0)).into_dyn()));
    weight_grads(tape, c, &k.h, &dgates, &dgates, &mut out)?;
    if let Some(h0) = c.h0 {
        out.push((h0, to_dyn(dh_next, &[batch, hd])?));
    }
    if let Some(c0) = k.c0 {
        out.push((c0, to_dyn(dc_next, &[batch, hd])?));
    }
    Ok(out)
}

/// Backward of the fused GRU.
pub(crate) fn gru_backward(tape: &Tape<'_>, k: &GruCache, g: &ArrayD<f32>) -> Result<InputGrads> {
    let c = &k.common;
    let (batch, hd) = (c.batch, c.hidden);
    let (bh, g3) = (batch * hd, 3 * hd);
    // `Uᵀ` copied once to row-major: the per-step product `dh·Uᵀ` then reads a plain matrix.
    let u_t = mat(tape, c.u, "recurrent kernel", "backward")?
        .t()
        .as_standard_layout()
        .into_owned();
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
        with_widest_simd(|| {
            for bi in 0..batch {
                let a = &act[bi * g3..(bi + 1) * g3];
                for j in 0..hd {
                    let n = bi * hd + j;
                    let (z, r, cand) = (a[j], a[hd + j], a[2 * hd + j]);
                    let dh = dh_seq[t * bh + n] + dh_next[n];
                    let dz = dh * (h_prev[n] - cand) * z * (1.0 - z);
                    let dcand = dh * (1.0 - z) * (1.0 - cand * cand);
                    let dr = dcand * hph[n] * r * (1.0 - r);
                    let o = bi * g3;
                    dx[o + j] = dz;
                    dx[o + hd + j] = dr;
                    dx[o + 2 * hd + j] = dcand;
                    dp[o + j] = dz;
                    dp[o + hd + j] = dr;
                    dp[o + 2 * hd + j] = dcand * r;
                    dh_direct[n] = dh * z;
                }
            }
        });
        dh_next.copy_from_slice(&dh_direct);
        matmul_into(
            1.0,
            &view2(dp, batch, g3)?,
            &u_t.view(),
            1.0,
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

/// Backward of the fused SimpleRNN.
pub(crate) fn rnn_backward(tape: &Tape<'_>, k: &RnnCache, g: &ArrayD<f32>) -> Result<InputGrads> {
    let c = &k.common;
    let (batch, hd) = (c.batch, c.hidden);
    let bh = batch * hd;
    // `Uᵀ` copied once to row-major: the per-step product `dh·Uᵀ` then reads a plain matrix.
    let u_t = mat(tape, c.u, "recurrent kernel", "backward")?
        .t()
        .as_standard_layout()
        .into_owned();
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
        for n in 0..bh {
            d[n] = (dh_seq[t * bh + n] + dh_next[n]) * (1.0 - h_t[n] * h_t[n]);
        }
        matmul_into(
            1.0,
            &view2(d, batch, hd)?,
            &u_t.view(),
            0.0,
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
