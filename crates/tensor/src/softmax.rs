//! Numerically stable softmax, log-softmax and log-sum-exp along the last axis.
//!
//! The row kernels ([`row_max`], [`log_sum_exp`], [`softmax_row`], [`exp_shifted_into`]) run
//! through [`with_widest_simd`] with [`fast_exp`], 8 or 16 lanes at a time. Sums are kept in
//! [`LANES`] partial sums added up in a fixed order at the end, so a row gives the same bits on
//! every instruction set (and run to run).
//!
//! The whole-matrix passes ([`log_sum_exp_rows`], [`exp_shifted_rows`]) cut a large matrix into
//! row ranges over the current thread pool; every element and every row is computed the same way
//! on any number of threads, so the bits do not change.

use ndarray::{ArrayBase, Axis, DataMut, Dimension};
use rayon::prelude::*;

use crate::activation::{fast_exp, with_widest_simd};
use crate::reduce::{PIECE, worth_splitting};
use crate::{Error, Result};

/// Partial sums (and maxima) a row is split over: one AVX-512 register, two AVX2 ones.
pub const LANES: usize = 16;

/// The larger of `m` and `v`, ignoring a NaN `v` (a select, so it vectorises).
#[inline(always)]
fn larger(m: f32, v: f32) -> f32 {
    if v > m { v } else { m }
}

/// The largest element of `xs` (`-inf` for an empty slice; NaNs are skipped, so a row with a NaN
/// logit still gives a NaN softmax through its exponentials).
#[must_use]
pub fn row_max(xs: &[f32]) -> f32 {
    with_widest_simd(
        #[inline(always)]
        || max_in(xs),
    )
}

/// [`row_max`]'s body, inlined into a caller that already runs under [`with_widest_simd`].
#[inline(always)]
fn max_in(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = larger(*a, v);
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| larger(m, v));
    acc.iter().fold(tail, |m, &v| larger(m, v))
}

/// `e^(x - shift)` for the fewer than [`LANES`] values of `rest` (a row's tail), computed as
/// one register-sized block so that they vectorise (one at a time the exponential ran scalar:
/// at 47 classes a third of each row), in the first `rest.len()` entries of the result. Each
/// value has the bits of the scalar formula.
#[inline(always)]
fn exp_tail(rest: &[f32], shift: f32) -> [f32; LANES] {
    let mut block = [0.0f32; LANES];
    block[..rest.len()].copy_from_slice(rest);
    for v in &mut block {
        *v = fast_exp(*v - shift);
    }
    block
}

/// Σ `e^(x - shift)` over `xs`: [`LANES`] partial sums over the full blocks, the tail summed in
/// order, then the partial sums added to it in order (the tail's zero padding adds `+0.0` to a
/// sum that is never `-0.0`, which leaves it unchanged).
#[inline(always)]
fn exp_sum(xs: &[f32], shift: f32) -> f32 {
    let (acc, tail) = exp_partials(xs, shift);
    let tail = tail.iter().fold(0.0f32, |s, &v| s + v);
    acc.iter().fold(tail, |s, &v| s + v)
}

/// Rows whose log-sum-exp [`log_sum_exp_rows`] computes side by side.
const GROUP: usize = 4;

/// Rows up to this long go through [`log_sum_exp_group`]; longer ones (a vocabulary) one at a
/// time, where the addition chain is a small part of the row's work (measured under callgrind at
/// 10,000 classes: the grouped kernel took 30 % more instructions).
const SHORT_ROW: usize = 256;

/// [`log_sum_exp_in`] of [`GROUP`] rows at once, with the same bits: each row's sum is still one
/// chain of additions in [`exp_sum`]'s order (the tail's values in order, then the partial
/// sums), but the rows' chains are interleaved, so a short row (47 symbols: 31 dependent
/// additions for 47 exponentials) no longer waits on the latency of its own chain. A tail
/// padded with zeros adds `+0.0` to a sum that is never `-0.0`, which leaves it unchanged.
#[inline(always)]
fn log_sum_exp_group(rows: [&[f32]; GROUP]) -> [f32; GROUP] {
    // Plain loops, no closures handed to generic helpers (`array::from_fn`): those are compiled
    // outside the caller's instruction set, and the maximum ran scalar.
    let mut max = [f32::NEG_INFINITY; GROUP];
    let mut any_empty = false;
    for (m, row) in max.iter_mut().zip(rows) {
        *m = max_in(row);
        any_empty |= *m == f32::NEG_INFINITY;
    }
    if any_empty {
        for (m, row) in max.iter_mut().zip(rows) {
            *m = log_sum_exp_in(row);
        }
        return max;
    }
    let mut acc = [[0.0f32; LANES]; GROUP];
    let mut tail = [[0.0f32; LANES]; GROUP];
    for g in 0..GROUP {
        (acc[g], tail[g]) = exp_partials(rows[g], max[g]);
    }
    let mut sum = [0.0f32; GROUP];
    for part in [&tail, &acc] {
        for i in 0..LANES {
            for (s, p) in sum.iter_mut().zip(part) {
                *s += p[i];
            }
        }
    }
    for (m, s) in max.iter_mut().zip(sum) {
        *m += s.ln();
    }
    max
}

/// [`exp_sum`]'s terms before they are added up: the [`LANES`] partial sums over the full blocks
/// and the tail's values (zeros past the row's end), in registers.
#[inline(always)]
fn exp_partials(xs: &[f32], shift: f32) -> ([f32; LANES], [f32; LANES]) {
    let mut acc = [0.0f32; LANES];
    let mut src = xs.chunks_exact(LANES);
    for c in &mut src {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += fast_exp(v - shift);
        }
    }
    let rest = src.remainder();
    let mut tail = exp_tail(rest, shift);
    for (i, t) in tail.iter_mut().enumerate() {
        if i >= rest.len() {
            *t = 0.0;
        }
    }
    (acc, tail)
}

/// Replace every `x` of `xs` by `e^(x - shift)` and return their sum (summed as [`exp_sum`]).
#[inline(always)]
fn exp_sum_inplace(xs: &mut [f32], shift: f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    let mut chunks = xs.chunks_exact_mut(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *v = fast_exp(*v - shift);
            *a += *v;
        }
    }
    let rest = chunks.into_remainder();
    let block = exp_tail(rest, shift);
    let mut tail = 0.0f32;
    for (v, &e) in rest.iter_mut().zip(&block) {
        *v = e;
        tail += e;
    }
    acc.iter().fold(tail, |s, &v| s + v)
}

/// `ln Σ e^x` over `xs`, computed as `max + ln Σ e^(x - max)` so that large values do not
/// overflow (`-inf` for an empty slice or a row of `-inf`; NaN when a value is NaN or `+inf`).
#[must_use]
pub fn log_sum_exp(xs: &[f32]) -> f32 {
    // Two dispatches, as measured fastest on long rows (one around both passes compiled the
    // block loops with more instructions: 8 % more at 10,000 classes under callgrind).
    let max = row_max(xs);
    if max == f32::NEG_INFINITY {
        return empty_or_nan(xs, max);
    }
    let sum = with_widest_simd(
        #[inline(always)]
        || exp_sum(xs, max),
    );
    max + sum.ln()
}

/// The log-sum-exp of a row whose maximum (NaNs skipped) is `-inf`: empty, all `-inf`, or `-inf`
/// and NaN.
fn empty_or_nan(xs: &[f32], max: f32) -> f32 {
    if xs.iter().any(|v| v.is_nan()) {
        f32::NAN
    } else {
        max
    }
}

/// [`log_sum_exp`] inlined into a caller that already runs under [`with_widest_simd`] (a
/// matrix of short rows then dispatches once, not twice per row).
#[inline(always)]
fn log_sum_exp_in(xs: &[f32]) -> f32 {
    let max = max_in(xs);
    if max == f32::NEG_INFINITY {
        return empty_or_nan(xs, max);
    }
    max + exp_sum(xs, max).ln()
}

/// Softmax of one row, in place: `e^(x - max) / Σ e^(x - max)`.
pub fn softmax_row(xs: &mut [f32]) {
    let max = row_max(xs);
    with_widest_simd(
        #[inline(always)]
        || {
            let inv = 1.0 / exp_sum_inplace(xs, max);
            for v in xs.iter_mut() {
                *v *= inv;
            }
        },
    );
}

/// Append `scale · e^(x - shift)` for every `x` of `xs` to `out` (one pass: e.g. the gradient
/// of a cross-entropy, `scale · softmax`, from the logits and their log-sum-exp).
///
/// Computed [`LANES`] at a time (the row's tail as one more block) into a register-sized buffer
/// that is then appended: `Vec::extend` over a mapped iterator kept the exponential scalar
/// (measured: 13% of a word-rnn batch, twice the cost of the log-sum-exp pass that does the same
/// work), and zeroing the new elements before writing them cost a pass of its own.
pub fn exp_shifted_into(xs: &[f32], shift: f32, scale: f32, out: &mut Vec<f32>) {
    out.reserve(xs.len());
    with_widest_simd(
        #[inline(always)]
        || exp_shifted_in(xs, shift, scale, out),
    );
}

/// [`exp_shifted_into`]'s body (without its reservation), inlined into a caller that already
/// runs under [`with_widest_simd`].
#[inline(always)]
fn exp_shifted_in(xs: &[f32], shift: f32, scale: f32, out: &mut Vec<f32>) {
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        let mut lane = [0.0f32; LANES];
        for (o, &v) in lane.iter_mut().zip(c) {
            *o = scale * fast_exp(v - shift);
        }
        out.extend_from_slice(&lane);
    }
    let rest = chunks.remainder();
    let mut lane = exp_tail(rest, shift);
    for v in &mut lane {
        *v *= scale;
    }
    out.extend_from_slice(&lane[..rest.len()]);
}

/// [`log_sum_exp`] of every row of the row-major `data` (rows of `classes` elements; an empty
/// result when `classes` is 0). A large matrix is cut into row ranges over the pool.
#[must_use]
pub fn log_sum_exp_rows(data: &[f32], classes: usize) -> Vec<f32> {
    if classes == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(data.len() / classes);
    if worth_splitting(data.len()) {
        data.par_chunks_exact(classes)
            .with_min_len(PIECE.div_ceil(classes))
            .map(log_sum_exp)
            .collect_into_vec(&mut out);
    } else if classes > SHORT_ROW {
        out.extend(data.chunks_exact(classes).map(log_sum_exp));
    } else {
        with_widest_simd(
            #[inline(always)]
            || {
                // Plain loops, so the row kernels are inlined here, under the dispatch's
                // instruction set (inside `Vec::extend` they would be compiled without it).
                let whole = data.len() / (classes * GROUP) * classes * GROUP;
                let (grouped, rest) = data.split_at(whole);
                for g in grouped.chunks_exact(classes * GROUP) {
                    let mut rows = [&g[..0]; GROUP];
                    for (row, part) in rows.iter_mut().zip(g.chunks_exact(classes)) {
                        *row = part;
                    }
                    out.extend_from_slice(&log_sum_exp_group(rows));
                }
                for row in rest.chunks_exact(classes) {
                    out.push(log_sum_exp_in(row));
                }
            },
        );
    }
    out
}

/// `scale · e^(x - shifts[r])` for every `x` of row `r` of the row-major `data` (rows of
/// `classes` elements): e.g. the gradient of a cross-entropy, `scale · softmax`, from the logits
/// and their rows' log-sum-exp. Rows past the end of `shifts` are left out.
///
/// Row by row as [`exp_shifted_into`] (one instruction-set dispatch per row range, not per row:
/// the rows of a 47-symbol output layer are short). A large matrix is cut into one row range per thread:
/// the first range is written straight into the result, the others into their own buffers that
/// are then appended (a copy of the other ranges, measured cheaper than zeroing the whole result
/// first so every thread can write in place, and much cheaper than collecting fixed-size blocks).
/// Each element is the same expression either way: the same bits.
#[must_use]
pub fn exp_shifted_rows(data: &[f32], classes: usize, shifts: &[f32], scale: f32) -> Vec<f32> {
    if classes == 0 {
        return Vec::new();
    }
    let rows = (data.len() / classes).min(shifts.len());
    let n = rows * classes;
    let fill = |out: &mut Vec<f32>, first: usize, end: usize| {
        let part = &data[first * classes..end * classes];
        out.reserve(part.len());
        with_widest_simd(
            #[inline(always)]
            || {
                for (row, &z) in part.chunks_exact(classes).zip(&shifts[first..end]) {
                    exp_shifted_in(row, z, scale, out);
                }
            },
        );
    };
    let parts = crate::threads::available().min(rows);
    if !worth_splitting(n) || parts < 2 {
        let mut out = Vec::with_capacity(n);
        fill(&mut out, 0, rows);
        return out;
    }
    let bound = |k: usize| k * rows / parts;
    let mut pieces = Vec::with_capacity(parts);
    (0..parts)
        .into_par_iter()
        .map(|k| {
            let (first, end) = (bound(k), bound(k + 1));
            let mut out = Vec::with_capacity(if k == 0 { n } else { (end - first) * classes });
            fill(&mut out, first, end);
            out
        })
        .collect_into_vec(&mut pieces);
    let mut pieces = pieces.into_iter();
    let mut out = pieces.next().unwrap_or_default();
    for piece in pieces {
        out.extend_from_slice(&piece);
    }
    out
}

/// The cross-entropy of every row of the row-major logits `data` (rows of `classes` elements)
/// against its class in `targets`, with `bias` (one value per class) added to every row first,
/// and, when `gradient`, each row overwritten in place by `softmax(row + bias) − one_hot(target)`:
/// the gradient of the row's loss with respect to its logits (without it the rows hold the logits
/// plus the bias). Returns each row's loss in nats, `ln Σ e^(z + b) − (z + b)_target` (NaN when a
/// logit is NaN, and then the row's gradient too).
///
/// Each row is worked on while it is in cache, instead of a log-sum-exp pass over the logits and a
/// second pass that writes a gradient array of their size. A long row (a vocabulary) is one
/// read-modify-write: bias and maximum, exponentials and their sum, scaling. Short rows (at most
/// a few hundred classes, e.g. 47 symbols), and every row when no gradient is asked for, take
/// their log-sum-exp several rows at a time, as [`log_sum_exp_rows`] does, then write
/// `e^(z − lse)`: one row's chain of additions alone would wait on its own latency (measured: the
/// long-row kernel made char-rnn's 2,048 × 47 output layer 19 % slower forward and backward). A
/// large matrix is cut into row ranges over the pool; every row is computed the same way on any
/// number of threads, so the bits do not change.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `data` is not `targets.len()` rows of `classes` or the bias is not
/// `classes` long; [`Error::InvalidArgument`] for a target outside `0..classes`.
pub fn softmax_cross_entropy_rows(
    data: &mut [f32],
    classes: usize,
    bias: Option<&[f32]>,
    targets: &[usize],
    gradient: bool,
) -> Result<Vec<f32>> {
    cross_entropy_rows(data, classes, bias, targets, gradient, None)
}

/// [`softmax_cross_entropy_rows`] with the gradient, and the sums of the gradient's columns (the
/// gradient of the bias, before the caller's scale): `(losses, sums)`. The sums are those of
/// [`crate::reduce::column_sums`] on the gradient, the same bits (every column summed row by row, in
/// order, from zero). When the rows run on this thread and are long (a vocabulary), each row is
/// added to the sums just after it is written, while it is still in cache, instead of a pass over
/// the whole gradient afterwards (word-rnn: 0.61 ms of a 34 ms batch for 320 × 9,079); otherwise
/// the sums are taken after the rows.
///
/// # Errors
/// As [`softmax_cross_entropy_rows`].
pub fn softmax_cross_entropy_rows_and_column_sums(
    data: &mut [f32],
    classes: usize,
    bias: Option<&[f32]>,
    targets: &[usize],
) -> Result<(Vec<f32>, Vec<f32>)> {
    let fused = classes > SHORT_ROW && !worth_splitting(data.len());
    let mut sums = if fused {
        vec![0.0f32; classes]
    } else {
        Vec::new()
    };
    let losses = cross_entropy_rows(
        data,
        classes,
        bias,
        targets,
        true,
        fused.then_some(sums.as_mut_slice()),
    )?;
    if !fused {
        sums = crate::reduce::column_sums(data, classes);
    }
    Ok((losses, sums))
}

/// The body of [`softmax_cross_entropy_rows`]; with `sums` (long rows on this thread only), each
/// gradient row is added into it just after it is written, while it is in cache.
fn cross_entropy_rows(
    data: &mut [f32],
    classes: usize,
    bias: Option<&[f32]>,
    targets: &[usize],
    gradient: bool,
    sums: Option<&mut [f32]>,
) -> Result<Vec<f32>> {
    if data.len() != targets.len() * classes {
        return Err(Error::ShapeMismatch {
            op: "softmax_cross_entropy_rows (logits vs targets)",
            left: vec![data.len()],
            right: vec![targets.len(), classes],
        });
    }
    if let Some(b) = bias.filter(|b| b.len() != classes) {
        return Err(Error::ShapeMismatch {
            op: "softmax_cross_entropy_rows (classes vs bias)",
            left: vec![classes],
            right: vec![b.len()],
        });
    }
    if let Some(&bad) = targets.iter().find(|&&t| t >= classes) {
        return Err(Error::InvalidArgument {
            what: "softmax_cross_entropy_rows",
            message: format!("class {bad} out of range for {classes} classes"),
        });
    }
    let mut losses = Vec::with_capacity(targets.len());
    if classes == 0 {
        return Ok(losses);
    }
    if let Some(acc) = sums {
        // Long rows on this thread (checked by the caller), each added in as soon as it is written.
        with_widest_simd(
            #[inline(always)]
            || {
                for (row, &t) in data.chunks_exact_mut(classes).zip(targets) {
                    losses.push(cross_entropy_row(row, bias, t));
                    for (a, &v) in acc.iter_mut().zip(row.iter()) {
                        *a += v;
                    }
                }
            },
        );
        return Ok(losses);
    }
    let rows = |part: &mut [f32], part_targets: &[usize], out: &mut Vec<f32>| {
        if gradient && classes > SHORT_ROW {
            with_widest_simd(
                #[inline(always)]
                || {
                    for (row, &t) in part.chunks_exact_mut(classes).zip(part_targets) {
                        out.push(cross_entropy_row(row, bias, t));
                    }
                },
            );
            return;
        }
        // Short rows (the log-sum-exp of several interleaved, as `log_sum_exp_rows` does), or
        // the loss alone: the bias, the rows' log-sum-exp, then the losses and, when asked for,
        // `e^(z − lse) − one_hot` written over each row.
        if let Some(b) = bias {
            with_widest_simd(
                #[inline(always)]
                || {
                    for row in part.chunks_exact_mut(classes) {
                        add_bias(row, b);
                    }
                },
            );
        }
        let lse = log_sum_exp_rows(part, classes);
        with_widest_simd(
            #[inline(always)]
            || {
                let rows = part.chunks_exact_mut(classes).zip(part_targets).zip(&lse);
                for ((row, &t), &z) in rows {
                    out.push(z - row[t]);
                    if gradient {
                        for v in row.iter_mut() {
                            *v = fast_exp(*v - z);
                        }
                        row[t] -= 1.0;
                    }
                }
            },
        );
    };
    if worth_splitting(data.len()) {
        let per_piece = PIECE.div_ceil(classes);
        let pieces: Vec<Vec<f32>> = data
            .par_chunks_mut(per_piece * classes)
            .zip(targets.par_chunks(per_piece))
            .map(|(part, part_targets)| {
                let mut out = Vec::with_capacity(part_targets.len());
                rows(part, part_targets, &mut out);
                out
            })
            .collect();
        for piece in pieces {
            losses.extend_from_slice(&piece);
        }
    } else {
        rows(data, targets, &mut losses);
    }
    Ok(losses)
}

/// [`softmax_cross_entropy_rows`] of one row (inlined under the caller's instruction set).
#[inline(always)]
fn cross_entropy_row(row: &mut [f32], bias: Option<&[f32]>, target: usize) -> f32 {
    if let Some(b) = bias {
        add_bias(row, b);
    }
    let max = max_in(row);
    let picked = row[target];
    if max == f32::NEG_INFINITY {
        // Every logit -inf (or NaN and -inf): no softmax exists.
        row.fill(f32::NAN);
        return f32::NAN;
    }
    let sum = exp_sum_inplace(row, max);
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
    row[target] -= 1.0;
    max + sum.ln() - picked
}

/// `row += bias`, element by element (inlined under the caller's instruction set).
#[inline(always)]
fn add_bias(row: &mut [f32], bias: &[f32]) {
    for (z, &c) in row.iter_mut().zip(bias) {
        *z += c;
    }
}

/// Softmax along the last axis, in place, subtracting each row's maximum first so that large
/// logits do not overflow.
pub fn softmax_last_axis_inplace<S: DataMut<Elem = f32>, D: Dimension>(a: &mut ArrayBase<S, D>) {
    let last = Axis(a.ndim().saturating_sub(1));
    for mut lane in a.lanes_mut(last) {
        match lane.as_slice_mut() {
            Some(row) => softmax_row(row),
            None => {
                let mut row = lane.to_vec();
                softmax_row(&mut row);
                lane.iter_mut().zip(row).for_each(|(d, v)| *d = v);
            }
        }
    }
}

/// Log-softmax along the last axis, in place: `x - ln Σ e^x` (through [`log_sum_exp`]).
pub fn log_softmax_last_axis_inplace<S: DataMut<Elem = f32>, D: Dimension>(
    a: &mut ArrayBase<S, D>,
) {
    let last = Axis(a.ndim().saturating_sub(1));
    for mut lane in a.lanes_mut(last) {
        let shift = match lane.as_slice() {
            Some(row) => log_sum_exp(row),
            None => log_sum_exp(&lane.to_vec()),
        };
        lane.mapv_inplace(|v| v - shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::on_threads;
    use ndarray::array;

    #[test]
    fn softmax_rows_sum_to_one_and_survive_huge_logits() {
        let mut a = array![[1000.0f32, 1001.0, 1002.0], [-5.0, 0.0, 5.0]];
        softmax_last_axis_inplace(&mut a);
        for row in a.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        let e = [(-2.0f64).exp(), (-1.0f64).exp(), 1.0];
        let s: f64 = e.iter().sum();
        assert!((f64::from(a[[0, 0]]) - e[0] / s).abs() < 1e-6);
    }

    /// A row of `n` logits spread over about ±`spread`, from a fixed sequence.
    fn row(n: usize, spread: f32, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let h = (i as u32 ^ seed).wrapping_mul(2_654_435_761) >> 8;
                (h as f32 / (1u32 << 24) as f32 - 0.5) * 2.0 * spread
            })
            .collect()
    }

    fn lse_f64(xs: &[f32]) -> f64 {
        let max = xs
            .iter()
            .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
        max + xs
            .iter()
            .map(|&v| (f64::from(v) - max).exp())
            .sum::<f64>()
            .ln()
    }

    #[test]
    fn row_kernels_match_a_double_precision_reference() {
        // Lengths around the lane count and a vocabulary-sized row.
        for (k, &n) in [1usize, 7, 16, 17, 33, 250, 10_007].iter().enumerate() {
            for spread in [0.1f32, 5.0, 60.0] {
                let xs = row(n, spread, k as u32);
                let want_max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!(row_max(&xs), want_max);
                let lse = lse_f64(&xs);
                assert!((f64::from(log_sum_exp(&xs)) - lse).abs() < 1e-5 * lse.abs().max(1.0));
                let mut p = xs.clone();
                softmax_row(&mut p);
                for (&x, &q) in xs.iter().zip(&p) {
                    let want = (f64::from(x) - lse).exp();
                    assert!(
                        (f64::from(q) - want).abs() < 1e-6 * want.max(1e-3),
                        "{q} vs {want}"
                    );
                }
                let mut g = vec![7.0];
                let shift = lse as f32;
                exp_shifted_into(&xs, shift, 0.5, &mut g);
                assert_eq!(g.len(), n + 1);
                assert_eq!(g[0], 7.0);
                for (&x, &v) in xs.iter().zip(&g[1..]) {
                    let want = 0.5 * (f64::from(x) - f64::from(shift)).exp();
                    assert!((f64::from(v) - want).abs() < 1e-6 * want.max(1e-3));
                    // The vectorised pass gives the scalar formula's bits.
                    assert_eq!(v.to_bits(), (0.5 * fast_exp(x - shift)).to_bits());
                }
            }
        }
    }

    /// `Σ e^(x - max)` in the documented order, one value at a time: [`LANES`] partial sums over
    /// the full blocks, the tail summed in order, the partial sums added to it in order.
    fn exp_sum_reference(xs: &[f32], shift: f32) -> f32 {
        let blocks = xs.len() / LANES * LANES;
        let mut acc = [0.0f32; LANES];
        for (i, &v) in xs[..blocks].iter().enumerate() {
            acc[i % LANES] += fast_exp(v - shift);
        }
        let tail = xs[blocks..]
            .iter()
            .fold(0.0f32, |s, &v| s + fast_exp(v - shift));
        acc.iter().fold(tail, |s, &v| s + v)
    }

    /// The row kernels (whose row tails run as one padded vector block) give the bits of the
    /// scalar reference, row by row and over a whole matrix of short rows (a 47-symbol output).
    #[test]
    fn vectorised_tails_give_the_scalar_orders_bits() {
        for (k, &n) in [1usize, 5, 15, 16, 31, 47, 100, 10_007].iter().enumerate() {
            let xs = row(n, 9.0, 40 + k as u32);
            let max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum = exp_sum_reference(&xs, max);
            let lse = max + sum.ln();
            assert_eq!(log_sum_exp(&xs).to_bits(), lse.to_bits(), "length {n}");
            let mut p = xs.clone();
            softmax_row(&mut p);
            let inv = 1.0 / sum;
            for (&x, &q) in xs.iter().zip(&p) {
                assert_eq!(q.to_bits(), (fast_exp(x - max) * inv).to_bits());
            }
        }
        // Rows in groups and one left over; one group holds a row of -inf and one with a NaN
        // (the group falls back to the row kernel).
        let (rows, classes) = (33, 47);
        let mut data = row(rows * classes, 7.0, 5);
        data[5 * classes..6 * classes].fill(f32::NEG_INFINITY);
        data[6 * classes + 3] = f32::NAN;
        data[13 * classes + 40] = f32::NAN;
        let lse = log_sum_exp_rows(&data, classes);
        assert_eq!(lse.len(), rows);
        assert_eq!(lse[5], f32::NEG_INFINITY);
        assert!(lse[6].is_nan() && lse[13].is_nan());
        let grad = exp_shifted_rows(&data, classes, &lse, 0.5);
        for (r, (&z, want)) in lse.iter().zip(data.chunks_exact(classes)).enumerate() {
            if r == 5 || r == 6 || r == 13 {
                continue;
            }
            assert_eq!(z.to_bits(), log_sum_exp(want).to_bits());
            let max = want.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let by_reference = max + exp_sum_reference(want, max).ln();
            assert_eq!(z.to_bits(), by_reference.to_bits(), "row {r}");
            for (j, &x) in want.iter().enumerate() {
                let g = grad[r * classes + j];
                assert_eq!(g.to_bits(), (0.5 * fast_exp(x - z)).to_bits());
            }
        }
    }

    /// The whole-matrix passes give the same bits on 1, 2 and 3 threads, equal to the row
    /// kernels' (a word-rnn-sized matrix: 320 rows of 9,079).
    #[test]
    fn matrix_passes_split_over_threads_give_the_row_kernels_bits() {
        let (rows, classes) = (320, 9_079);
        let data = row(rows * classes, 12.0, 3);
        let lse_one = on_threads(1, || log_sum_exp_rows(&data, classes));
        assert_eq!(lse_one.len(), rows);
        for (r, &z) in lse_one.iter().enumerate() {
            let want = log_sum_exp(&data[r * classes..(r + 1) * classes]);
            assert_eq!(z.to_bits(), want.to_bits());
        }
        let grad_one = on_threads(1, || exp_shifted_rows(&data, classes, &lse_one, 0.25));
        assert_eq!(grad_one.len(), data.len());
        for (k, (&g, &x)) in grad_one.iter().zip(&data).enumerate().step_by(997) {
            let want = 0.25 * fast_exp(x - lse_one[k / classes]);
            assert_eq!(g.to_bits(), want.to_bits());
        }
        for n in [2, 3] {
            let (lse, grad) = on_threads(n, || {
                assert!(worth_splitting(data.len()));
                let lse = log_sum_exp_rows(&data, classes);
                let grad = exp_shifted_rows(&data, classes, &lse, 0.25);
                (lse, grad)
            });
            assert!(
                lse.iter()
                    .zip(&lse_one)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert_eq!(grad.len(), grad_one.len());
            assert!(
                grad.iter()
                    .zip(&grad_one)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
        // Fewer shifts than rows: only those rows (8 rows split unevenly over 3 threads; 7 rows
        // too few to split).
        let part = on_threads(3, || exp_shifted_rows(&data, classes, &lse_one[..8], 0.25));
        assert_eq!(part, grad_one[..8 * classes]);
        let part = on_threads(2, || exp_shifted_rows(&data, classes, &lse_one[..7], 0.25));
        assert_eq!(part, grad_one[..7 * classes]);
        assert!(log_sum_exp_rows(&data, 0).is_empty());
        assert!(exp_shifted_rows(&data, 0, &lse_one, 1.0).is_empty());
    }

    /// The fused cross-entropy rows against a double-precision reference (loss and gradient, with
    /// and without a bias, short rows and vocabulary-sized ones), and the same bits on 1, 2 and 3
    /// threads.
    #[test]
    fn softmax_cross_entropy_rows_match_the_textbook_formula() {
        // 47 × 1,500 and 9,079 × 40 are large enough to split over the pool.
        for (classes, rows) in [(1usize, 3usize), (5, 4), (47, 9), (47, 1_500), (9_079, 40)] {
            let logits = row(rows * classes, 8.0, classes as u32);
            let bias = row(classes, 3.0, 77);
            let targets: Vec<usize> = (0..rows).map(|r| (r * 31 + 7) % classes).collect();
            for with_bias in [false, true] {
                let b = with_bias.then_some(bias.as_slice());
                let mut data = logits.clone();
                let losses = on_threads(1, || {
                    softmax_cross_entropy_rows(&mut data, classes, b, &targets, true).unwrap()
                });
                assert_eq!(losses.len(), rows);
                for r in 0..rows {
                    let z: Vec<f32> = (0..classes)
                        .map(|j| logits[r * classes + j] + b.map_or(0.0, |b| b[j]))
                        .collect();
                    let lse = lse_f64(&z);
                    let want = lse - f64::from(z[targets[r]]);
                    let got = f64::from(losses[r]);
                    assert!(
                        (got - want).abs() < 2e-5 * want.abs().max(1.0),
                        "{got} vs {want}"
                    );
                    for j in 0..classes {
                        let hot = if j == targets[r] { 1.0 } else { 0.0 };
                        let want = (f64::from(z[j]) - lse).exp() - hot;
                        let got = f64::from(data[r * classes + j]);
                        assert!(
                            (got - want).abs() < 1e-6,
                            "row {r} class {j}: {got} vs {want}"
                        );
                    }
                }
                // The loss alone: the same losses within rounding, the rows left as logits + bias.
                let mut plain = logits.clone();
                let plain_losses = on_threads(1, || {
                    softmax_cross_entropy_rows(&mut plain, classes, b, &targets, false).unwrap()
                });
                for (a, z) in plain_losses.iter().zip(&losses) {
                    assert!((a - z).abs() <= 1e-5 * z.abs().max(1.0), "{a} vs {z}");
                }
                for (j, (&p, &l)) in plain.iter().zip(&logits).enumerate() {
                    assert_eq!(p, l + b.map_or(0.0, |b| b[j % classes]));
                }
                for n in [2, 3] {
                    let mut split = logits.clone();
                    let split_losses = on_threads(n, || {
                        softmax_cross_entropy_rows(&mut split, classes, b, &targets, true).unwrap()
                    });
                    let mut split_plain = logits.clone();
                    let split_plain_losses = on_threads(n, || {
                        softmax_cross_entropy_rows(&mut split_plain, classes, b, &targets, false)
                            .unwrap()
                    });
                    assert!(
                        split_plain_losses
                            .iter()
                            .zip(&plain_losses)
                            .all(|(a, b)| a.to_bits() == b.to_bits())
                    );
                    assert!(
                        split_losses
                            .iter()
                            .zip(&losses)
                            .all(|(a, b)| a.to_bits() == b.to_bits())
                    );
                    assert!(
                        split
                            .iter()
                            .zip(&data)
                            .all(|(a, b)| a.to_bits() == b.to_bits())
                    );
                }
            }
        }
        assert!(on_threads(2, || worth_splitting(40 * 9_079)
            && worth_splitting(1_500 * 47)));
    }

    /// With the column sums: the same losses and gradient rows as without, bit for bit, and
    /// sums equal to `column_sums` of that gradient bit for bit. Taken row by row for 300 classes
    /// (1 and 2 threads) and 9,079 (1 thread), targets first and last classes included; the other
    /// cases (short rows, rows split over 2 threads) take `column_sums` itself afterwards.
    #[test]
    fn column_sums_taken_with_the_rows_are_those_of_the_gradient() {
        for (classes, rows) in [(47usize, 9usize), (300, 7), (9_079, 40)] {
            let logits = row(rows * classes, 8.0, classes as u32 + 1);
            let bias = row(classes, 3.0, 5);
            // The first and last classes among the targets: the edges of the fused row's split.
            let targets: Vec<usize> = (0..rows)
                .map(|r| match r {
                    0 => 0,
                    1 => classes - 1,
                    _ => (r * 13 + 2) % classes,
                })
                .collect();
            for b in [None, Some(bias.as_slice())] {
                for n in [1, 2] {
                    let mut plain = logits.clone();
                    let want_losses = on_threads(n, || {
                        softmax_cross_entropy_rows(&mut plain, classes, b, &targets, true).unwrap()
                    });
                    let want_sums = crate::reduce::column_sums(&plain, classes);
                    let mut data = logits.clone();
                    let (losses, sums) = on_threads(n, || {
                        softmax_cross_entropy_rows_and_column_sums(&mut data, classes, b, &targets)
                            .unwrap()
                    });
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&losses),
                        bits(&want_losses),
                        "{classes} classes, {n} threads"
                    );
                    assert_eq!(bits(&data), bits(&plain), "{classes} classes, {n} threads");
                    assert_eq!(
                        bits(&sums),
                        bits(&want_sums),
                        "{classes} classes, {n} threads"
                    );
                }
            }
        }
        // A row without a softmax (every logit -inf) is NaN, and so are the sums it is added to.
        let classes = 300;
        let mut logits = row(3 * classes, 4.0, 9);
        logits[classes..2 * classes].fill(f32::NEG_INFINITY);
        let mut plain = logits.clone();
        let want = softmax_cross_entropy_rows(&mut plain, classes, None, &[1, 2, 3], true).unwrap();
        let (losses, sums) =
            softmax_cross_entropy_rows_and_column_sums(&mut logits, classes, None, &[1, 2, 3])
                .unwrap();
        assert!(want[1].is_nan() && losses[1].is_nan() && sums.iter().all(|v| v.is_nan()));
        let want_sums = crate::reduce::column_sums(&plain, classes);
        assert!(
            sums.iter()
                .zip(&want_sums)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let mut bad = vec![0.0f32; 6];
        assert!(softmax_cross_entropy_rows_and_column_sums(&mut bad, 3, None, &[0, 3]).is_err());
        assert!(softmax_cross_entropy_rows_and_column_sums(&mut bad, 3, None, &[0]).is_err());
    }

    #[test]
    fn softmax_cross_entropy_rows_reject_bad_shapes_and_classes() {
        let mut data = vec![0.0f32; 6];
        assert!(softmax_cross_entropy_rows(&mut data, 3, None, &[0], true).is_err());
        assert!(softmax_cross_entropy_rows(&mut data, 3, Some(&[0.0; 2]), &[0, 1], true).is_err());
        let err = softmax_cross_entropy_rows(&mut data, 3, None, &[0, 3], true).unwrap_err();
        assert!(err.to_string().contains("class 3"), "{err}");
        assert_eq!(data, vec![0.0; 6]);
        let losses = softmax_cross_entropy_rows(&mut data, 3, None, &[0, 2], true).unwrap();
        let ln3 = 3.0f32.ln();
        assert!(losses.iter().all(|&l| (l - ln3).abs() < 1e-6));
        let mut nan = vec![
            1.0,
            f32::NAN,
            0.5,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
        ];
        let losses = softmax_cross_entropy_rows(&mut nan, 3, None, &[0, 1], true).unwrap();
        assert!(losses[0].is_nan() && losses[1].is_nan());
        assert!(nan.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn special_values_behave_like_the_textbook_formula() {
        assert_eq!(log_sum_exp(&[]), f32::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f32::NEG_INFINITY; 3]), f32::NEG_INFINITY);
        assert!(log_sum_exp(&[1.0, f32::NAN, 2.0]).is_nan());
        assert!(log_sum_exp(&[f32::NAN]).is_nan());
        assert!(log_sum_exp(&[f32::NEG_INFINITY, f32::NAN]).is_nan());
        assert!(log_sum_exp(&[1.0, f32::INFINITY]).is_nan());
        // A masked (-inf) class gets probability 0, the others share the mass.
        let mut p = vec![f32::NEG_INFINITY, 0.0, 0.0];
        softmax_row(&mut p);
        assert_eq!(p, vec![0.0, 0.5, 0.5]);
        assert!((log_sum_exp(&[f32::NEG_INFINITY, 0.0, 0.0]) - 2f32.ln()).abs() < 1e-7);
        let mut q = vec![3.0, f32::NAN];
        softmax_row(&mut q);
        assert!(q.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn softmax_of_a_non_contiguous_axis_equals_the_row_kernel() {
        let a = ndarray::Array2::from_shape_vec((3, 20), row(60, 4.0, 9)).unwrap();
        let mut t = a.t().to_owned();
        let mut tv = a.clone();
        let mut view = tv.view_mut().reversed_axes();
        softmax_last_axis_inplace(&mut view);
        softmax_last_axis_inplace(&mut t);
        assert_eq!(tv.t(), t);
    }

    proptest::proptest! {
        #[test]
        fn softmax_sums_to_one_and_log_softmax_is_its_log(
            xs in proptest::collection::vec(-80.0f32..80.0, 1..200),
        ) {
            let mut p = ndarray::Array1::from(xs.clone());
            softmax_last_axis_inplace(&mut p);
            proptest::prop_assert!((p.sum() - 1.0).abs() < 1e-5);
            let mut l = ndarray::Array1::from(xs.clone());
            log_softmax_last_axis_inplace(&mut l);
            let lse = lse_f64(&xs);
            for (&x, &v) in xs.iter().zip(l.iter()) {
                proptest::prop_assert!((f64::from(v) - (f64::from(x) - lse)).abs() < 2e-5 * lse.abs().max(1.0));
            }
        }
    }

    #[test]
    fn log_softmax_is_log_of_softmax() {
        let mut a = array![[0.3f32, -1.2, 2.0, 0.0]];
        let mut b = a.clone();
        softmax_last_axis_inplace(&mut a);
        log_softmax_last_axis_inplace(&mut b);
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x.ln() - y).abs() < 1e-6);
        }
    }
}
