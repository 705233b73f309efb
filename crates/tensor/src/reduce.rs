//! Reductions used by the autograd (sum a broadcast gradient back to an operand's shape) and the
//! whole-array passes of a training step (a sum of squares, a finite scan, a scaling), split over
//! the current thread pool when the array is large.
//!
//! Splitting never changes the bits: element-wise passes are cut into element ranges, column sums
//! into column ranges (each column still added row by row), and [`sum_of_squares`] sums fixed
//! pieces of [`PIECE`] elements and adds the pieces' sums in order, so the result is the same on
//! one thread or many.

use ndarray::{ArrayD, Axis, IxDyn};
use rayon::prelude::*;

use crate::activation::with_widest_simd;
use crate::threads;
use crate::{Error, Result};

/// Elements in one piece of a split pass (128 KB of `f32`): large enough that handing a piece to
/// another thread costs little next to the work, small enough that 1.3 M weights make 40 pieces
/// to share.
pub const PIECE: usize = 1 << 15;

/// Whether a pass over `len` elements splits over the pool: at least two [`PIECE`]s and more
/// than one thread [`available`](threads::available).
#[must_use]
pub fn worth_splitting(len: usize) -> bool {
    len >= 2 * PIECE && threads::available() > 1
}

/// `Σ v²` in f64 over `s`: each [`PIECE`] summed in 8 f64 lanes (vectorised), the pieces' sums
/// added in order. The pieces do not depend on the thread count, so one thread and many give the
/// same bits; large slices split over the pool.
#[must_use]
pub fn sum_of_squares(s: &[f32]) -> f64 {
    if worth_splitting(s.len()) {
        let mut pieces = Vec::with_capacity(s.len().div_ceil(PIECE));
        s.par_chunks(PIECE)
            .map(sum_of_squares_piece)
            .collect_into_vec(&mut pieces);
        pieces.iter().sum()
    } else {
        s.chunks(PIECE).map(sum_of_squares_piece).sum()
    }
}

/// `Σ v²` of one piece in 8 f64 partial sums, added up in a fixed order (so every instruction set
/// gives the same bits): one running f64 sum waited on each addition's latency.
fn sum_of_squares_piece(s: &[f32]) -> f64 {
    with_widest_simd(
        #[inline(always)]
        || {
            let mut acc = [0.0f64; 8];
            let mut chunks = s.chunks_exact(8);
            for c in &mut chunks {
                for (a, &v) in acc.iter_mut().zip(c) {
                    *a += f64::from(v) * f64::from(v);
                }
            }
            let tail: f64 = chunks
                .remainder()
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum();
            acc.iter().sum::<f64>() + tail
        },
    )
}

/// Whether `s` holds a NaN or an infinity: a branch-free OR-reduction (vectorised) per piece,
/// large slices split over the pool.
#[must_use]
pub fn any_non_finite(s: &[f32]) -> bool {
    if worth_splitting(s.len()) {
        s.par_chunks(PIECE).any(any_non_finite_piece)
    } else {
        any_non_finite_piece(s)
    }
}

/// Whether some value of `s` has every exponent bit set (an infinity or a NaN): adding the
/// exponent's lowest bit to those bits carries into the sign bit exactly then, so an OR of the sums
/// over the slice answers. An integer OR may be reordered, so the compiler vectorises the fold on
/// its own (with several accumulators). A max-reduction over 16 lanes kept in an array measured
/// 0.29 ms on 908k values (one thread), this fold 0.04 ms; in word-rnn the scan of the weights
/// after each step had taken 3 % of a batch.
fn any_non_finite_piece(s: &[f32]) -> bool {
    const EXPONENT: u32 = 0x7f80_0000;
    const EXPONENT_LOW_BIT: u32 = 0x0080_0000;
    const SIGN: u32 = 0x8000_0000;
    with_widest_simd(
        #[inline(always)]
        || {
            s.iter().fold(0, |acc, &v| {
                acc | ((v.to_bits() & EXPONENT) + EXPONENT_LOW_BIT)
            }) & SIGN
                != 0
        },
    )
}

/// Every element of `s` times `factor`, in place (vectorised; large slices split over the pool;
/// nothing to do for a factor of 1): [`weighted_sum_assign`] with no parts.
pub fn scale_inplace(s: &mut [f32], factor: f32) {
    weighted_sum_assign(s, factor, &[]);
}

/// The numpy broadcast shape of `a` and `b` (right-aligned, size-1 axes stretch).
///
/// # Errors
/// [`Error::ShapeMismatch`] when an axis differs and neither side is 1.
pub fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::ShapeMismatch {
                op,
                left: a.to_vec(),
                right: b.to_vec(),
            });
        };
    }
    Ok(out)
}

/// Sum `grad` (of a broadcast result) over the axes that were stretched so it gets `shape`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `shape` does not broadcast to `grad`'s shape.
pub fn sum_to_shape(grad: &ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    if grad.shape() == shape {
        return Ok(grad.clone());
    }
    sum_stretched_axes(grad, shape)
}

/// [`sum_to_shape`] of a gradient the caller no longer needs: returned as it is (no copy) when
/// it already has `shape`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `shape` does not broadcast to `grad`'s shape.
pub fn sum_to_shape_owned(grad: ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    if grad.shape() == shape {
        return Ok(grad);
    }
    sum_stretched_axes(&grad, shape)
}

fn sum_stretched_axes(grad: &ArrayD<f32>, shape: &[usize]) -> Result<ArrayD<f32>> {
    let mismatch = || Error::ShapeMismatch {
        op: "sum_to_shape",
        left: grad.shape().to_vec(),
        right: shape.to_vec(),
    };
    if shape.len() > grad.ndim() {
        return Err(mismatch());
    }
    let lead = grad.ndim() - shape.len();
    let mut g = grad.clone();
    for _ in 0..lead {
        g = g.sum_axis(Axis(0));
    }
    for (i, &s) in shape.iter().enumerate() {
        if s == 1 && g.shape()[i] != 1 {
            g = g.sum_axis(Axis(i)).insert_axis(Axis(i));
        } else if g.shape()[i] != s {
            return Err(mismatch());
        }
    }
    g.into_shape_with_order(IxDyn(shape))
        .map_err(|_| mismatch())
}

/// [`scale_inplace`] on an array of any layout: its memory in place when contiguous (in any order),
/// else element by element.
pub fn scale_array(a: &mut ArrayD<f32>, factor: f32) {
    match a.as_slice_memory_order_mut() {
        Some(s) => scale_inplace(s, factor),
        None => a.mapv_inplace(|v| v * factor),
    }
}

/// [`any_non_finite`] on an array of any layout.
#[must_use]
pub fn array_has_non_finite(a: &ArrayD<f32>) -> bool {
    match a.as_slice_memory_order() {
        Some(s) => any_non_finite(s),
        None => a.iter().any(|v| !v.is_finite()),
    }
}

/// `acc += x` element by element (vectorised; large slices split over the pool):
/// [`weighted_sum_assign`] with one part of weight 1 (`x · 1` is `x` exactly).
///
/// # Panics
/// When the lengths differ.
pub fn add_assign(acc: &mut [f32], x: &[f32]) {
    weighted_sum_assign(acc, 1.0, &[(x, 1.0)]);
}

/// `acc = factor · acc + Σ wᵢ · xᵢ` over the `parts` `(xᵢ, wᵢ)` in order, element by element in one
/// pass: each product rounded, then each sum in order (no fused multiply-add), so the bits are
/// those of scaling `acc` and then adding each scaled part in turn, without a pass per part (e.g.
/// a batch gradient from its shards' gradients and shares; vectorised, large slices split over
/// the pool). A factor of 1 skips the scaling (`v · 1` is `v` exactly).
///
/// # Panics
/// When a part's length differs from `acc`'s.
pub fn weighted_sum_assign(acc: &mut [f32], factor: f32, parts: &[(&[f32], f32)]) {
    for (x, _) in parts {
        assert_eq!(acc.len(), x.len(), "weighted_sum_assign: lengths differ");
    }
    if factor == 1.0 && parts.is_empty() {
        return;
    }
    let piece = |start: usize, a: &mut [f32]| {
        with_widest_simd(
            #[inline(always)]
            || {
                if factor != 1.0 {
                    for v in a.iter_mut() {
                        *v *= factor;
                    }
                }
                let end = start + a.len();
                for &(x, w) in parts {
                    for (v, &e) in a.iter_mut().zip(&x[start..end]) {
                        *v += e * w;
                    }
                }
            },
        );
    };
    if worth_splitting(acc.len()) {
        acc.par_chunks_mut(PIECE)
            .enumerate()
            .for_each(|(k, a)| piece(k * PIECE, a));
    } else {
        piece(0, acc);
    }
}

/// The sums of the columns of the row-major matrix `data` with `cols` columns (e.g. the gradient
/// of a bias broadcast over rows). Rows are added in order, vectorised across columns, so the
/// bits do not depend on the instruction set. A large matrix is cut into column ranges over the
/// pool (each column still summed row by row: the same bits). An empty result when `cols` is 0.
#[must_use]
pub fn column_sums(data: &[f32], cols: usize) -> Vec<f32> {
    let mut acc = vec![0.0f32; cols];
    if cols == 0 {
        return acc;
    }
    let threads = threads::available();
    if worth_splitting(data.len()) && cols >= 2 * COLUMN_RANGE {
        // Ranges of whole cache lines, a few per thread so an uneven share evens out.
        let width = (cols.div_ceil(4 * threads)).next_multiple_of(COLUMN_RANGE);
        acc.par_chunks_mut(width)
            .enumerate()
            .for_each(|(k, part)| add_rows_into(part, data, cols, k * width));
    } else {
        add_rows_into(&mut acc, data, cols, 0);
    }
    acc
}

/// Columns in the smallest range [`column_sums`] hands to a thread (four cache lines).
const COLUMN_RANGE: usize = 64;

/// Adds columns `first..first + acc.len()` of every row of `data` (rows of `cols`) into `acc`,
/// row by row.
fn add_rows_into(acc: &mut [f32], data: &[f32], cols: usize, first: usize) {
    with_widest_simd(
        #[inline(always)]
        || {
            for row in data.chunks_exact(cols) {
                for (a, &v) in acc.iter_mut().zip(&row[first..]) {
                    *a += v;
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::on_threads;

    #[test]
    fn broadcast_shapes_like_numpy() {
        assert_eq!(
            broadcast_shape("t", &[4, 1, 3], &[5, 1]).unwrap(),
            vec![4, 5, 3]
        );
        assert_eq!(broadcast_shape("t", &[3], &[2, 3]).unwrap(), vec![2, 3]);
        assert!(broadcast_shape("t", &[2, 3], &[3, 2]).is_err());
    }

    #[test]
    fn sum_to_shape_reduces_stretched_axes() {
        let g = ArrayD::from_elem(IxDyn(&[2, 3, 4]), 1.0f32);
        let s = sum_to_shape(&g, &[3, 1]).unwrap();
        assert_eq!(s.shape(), &[3, 1]);
        assert!(s.iter().all(|&v| v == 8.0));
        assert_eq!(sum_to_shape(&g, &[4]).unwrap().shape(), &[4]);
        assert!(sum_to_shape(&g, &[5]).is_err());
    }

    #[test]
    fn column_sums_add_every_row() {
        let m =
            ndarray::Array2::from_shape_fn((37, 19), |(i, j)| (i * 19 + j) as f32 * 0.25 - 40.0);
        let want = m.sum_axis(Axis(0));
        let got = column_sums(m.as_slice().unwrap(), 19);
        assert_eq!(got.len(), 19);
        for (a, b) in got.iter().zip(want.iter()) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert_eq!(column_sums(&[], 3), vec![0.0; 3]);
        assert!(column_sums(&[1.0], 0).is_empty());
    }

    /// The array forms take contiguous memory (in either order) and strided views alike.
    #[test]
    fn array_forms_handle_any_layout() {
        let base = ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f32 - 7.5);
        let mut row_major = base.clone();
        scale_array(&mut row_major, 0.5);
        let mut col_major = base.t().as_standard_layout().into_owned();
        col_major.swap_axes(0, 1);
        assert!(col_major.as_slice().is_none() && col_major.as_slice_memory_order().is_some());
        scale_array(&mut col_major, 0.5);
        let mut strided = ArrayD::zeros(IxDyn(&[4, 12]));
        strided.slice_mut(ndarray::s![.., ..;2]).assign(&base);
        // Every other column of an owned array: not contiguous in any order.
        let mut view = strided;
        view.slice_collapse(ndarray::s![.., ..;2]);
        assert!(view.as_slice_memory_order().is_none());
        scale_array(&mut view, 0.5);
        let want = base.mapv(|v| v * 0.5);
        assert_eq!((&row_major, &col_major, &view), (&want, &want, &want));
        assert!(!array_has_non_finite(&base));
        for (at, bad) in [(0, f32::NAN), (23, f32::INFINITY), (11, f32::NEG_INFINITY)] {
            let mut a = base.t().to_owned();
            a.as_slice_memory_order_mut().unwrap()[at] = bad;
            assert!(array_has_non_finite(&a), "{bad} at {at}");
            assert!(
                array_has_non_finite(&a.t().to_owned()),
                "{bad} at {at}, transposed"
            );
        }
        // A strided array sees only its own elements: a NaN in a skipped column is not in it.
        let mut holes = ArrayD::zeros(IxDyn(&[4, 12]));
        holes[[1, 3]] = f32::NAN;
        let mut every_other = holes.clone();
        every_other.slice_collapse(ndarray::s![.., ..;2]);
        assert!(!array_has_non_finite(&every_other));
        holes[[2, 4]] = f32::INFINITY;
        holes.slice_collapse(ndarray::s![.., ..;2]);
        assert!(array_has_non_finite(&holes));
    }

    /// Values of every magnitude, a few of them large, from a fixed sequence.
    fn spread(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let h = (i as u32 ^ seed).wrapping_mul(2_654_435_761);
                let u = (h >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                u * if h % 97 == 0 { 1e4 } else { 3.0 }
            })
            .collect()
    }

    /// Split over 2 or 3 threads, every pass gives the 1-thread bits (sizes that split, with
    /// ragged last pieces and column ranges).
    #[test]
    fn split_passes_give_the_one_thread_bits() {
        let cols = 9_079;
        let data = spread(37 * cols, 5);
        assert!(data.len() >= 2 * PIECE);
        let one = on_threads(1, || {
            (
                column_sums(&data, cols),
                sum_of_squares(&data).to_bits(),
                any_non_finite(&data),
            )
        });
        for n in [2, 3] {
            let many = on_threads(n, || {
                assert!(worth_splitting(data.len()));
                (
                    column_sums(&data, cols),
                    sum_of_squares(&data).to_bits(),
                    any_non_finite(&data),
                )
            });
            assert_eq!(many.0.len(), one.0.len());
            for (a, b) in many.0.iter().zip(&one.0) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
            assert_eq!((many.1, many.2), (one.1, one.2));
            let mut scaled_one = data.clone();
            on_threads(1, || scale_inplace(&mut scaled_one, 0.37));
            let mut scaled_many = data.clone();
            on_threads(n, || scale_inplace(&mut scaled_many, 0.37));
            assert!(
                scaled_one
                    .iter()
                    .zip(&scaled_many)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert!(scaled_one.iter().zip(&data).all(|(&s, &d)| s == d * 0.37));
            let mut sum_one = data.clone();
            on_threads(1, || add_assign(&mut sum_one, &scaled_many));
            let mut sum_many = data.clone();
            on_threads(n, || add_assign(&mut sum_many, &scaled_many));
            assert!(
                sum_one
                    .iter()
                    .zip(&sum_many)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert!(
                sum_one
                    .iter()
                    .zip(&data)
                    .zip(&scaled_one)
                    .all(|((&s, &d), &x)| s == d + x)
            );
            // One pass of `acc = 0.6·acc + 0.3·x + 0.1·y` (and of `acc += 0.37·x`) gives the bits
            // of the scalar expression: each product rounded, then the sums in order.
            let other: Vec<f32> = data.iter().map(|v| v * 1.7 - 0.2).collect();
            let mut combined = data.clone();
            on_threads(n, || {
                weighted_sum_assign(&mut combined, 0.6, &[(&data, 0.3), (&other, 0.1)]);
            });
            let mut added = data.clone();
            on_threads(n, || {
                weighted_sum_assign(&mut added, 1.0, &[(&other, 0.37)])
            });
            for (i, (&d, &o)) in data.iter().zip(&other).enumerate() {
                let (p, q) = (d * 0.6, d * 0.3);
                let want = p + q + o * 0.1;
                assert_eq!(combined[i].to_bits(), want.to_bits());
                let want = d + o * 0.37;
                assert_eq!(added[i].to_bits(), want.to_bits());
            }
            assert_ne!(combined, data);
            // A factor of 1 and no parts leave the slice as it was.
            let mut same = data.clone();
            on_threads(n, || weighted_sum_assign(&mut same, 1.0, &[]));
            assert_eq!(same, data);
        }
        // The column sums are the sums (each column row by row, as the serial loop adds them).
        let m = ndarray::ArrayView2::from_shape((37, cols), &data).unwrap();
        for (j, &s) in one.0.iter().enumerate().step_by(611) {
            let want = m.column(j).iter().fold(0.0f32, |a, &v| a + v);
            assert_eq!(s.to_bits(), want.to_bits());
        }
    }

    /// The scan's carry trick at the edges: the largest finite values, subnormals and zeros of
    /// either sign are finite; NaNs of either sign and any payload and both infinities are not,
    /// wherever they stand (first, in the middle, last; slices shorter and longer than a vector).
    #[test]
    fn the_finite_scan_tells_the_edges_apart() {
        let finite = [
            f32::MAX,
            -f32::MAX,
            f32::MIN_POSITIVE,
            f32::MIN_POSITIVE / 3.0,
            -f32::from_bits(1),
            0.0,
            -0.0,
            1.0,
        ];
        let bad = [
            f32::NAN,
            -f32::NAN,
            f32::from_bits(0x7f80_0001),
            f32::from_bits(0xffc0_1234),
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        for len in [1, 7, 64, 1000] {
            let clean: Vec<f32> = (0..len).map(|i| finite[i % finite.len()]).collect();
            assert!(!any_non_finite(&clean), "len {len}");
            for &b in &bad {
                for at in [0, len / 2, len - 1] {
                    let mut d = clean.clone();
                    d[at] = b;
                    assert!(any_non_finite(&d), "{b:?} at {at} of {len}");
                }
            }
        }
        assert!(!any_non_finite(&[]));
    }

    /// The sum of squares against f64 arithmetic, and the scan finds one bad value anywhere.
    #[test]
    fn sum_of_squares_and_the_finite_scan_are_right_when_split() {
        let data = spread(3 * PIECE + 11, 2);
        let want: f64 = data.iter().map(|&v| f64::from(v).powi(2)).sum();
        for n in [1, 2] {
            let got = on_threads(n, || sum_of_squares(&data));
            assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
            for (at, bad) in [
                (0, f32::NAN),
                (2 * PIECE + 5, f32::INFINITY),
                (data.len() - 1, f32::NEG_INFINITY),
            ] {
                let mut d = data.clone();
                assert!(!on_threads(n, || any_non_finite(&d)));
                d[at] = bad;
                assert!(on_threads(n, || any_non_finite(&d)), "{bad} at {at}");
            }
        }
        assert_eq!(sum_of_squares(&[]), 0.0);
        assert!(!any_non_finite(&[]));
    }
}
