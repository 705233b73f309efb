//! Matrix products: the workspace's one GEMM entry point, on the `gemm` crate's f32 kernels.
//!
//! Why `gemm` rather than ndarray's `general_mat_mul` (matrixmultiply): `gemm` picks its kernel at
//! run time and has AVX-512 kernels (matrixmultiply stops at AVX2 + FMA), and it can split one
//! product over rayon threads. Measured on the products an LSTM makes per training step
//! (`(B, H)·(H, 4H)` per time step, `(T·B, in)·(in, 4H)` up front, `(in, T·B)·(T·B, 4H)` for the
//! weight gradients), single-threaded on this project's AVX-512 machine: 100–125 GFLOP/s against
//! matrixmultiply's 60–90.
//!
//! Threads: a product is split over the current rayon pool (`RAYON_NUM_THREADS`) only when it has
//! at least [`PARALLEL_MIN_WORK`] multiply-adds and [`crate::threads::available`] allows more than
//! one thread (not inside [`crate::threads::serial`]); smaller ones (the per-step products of small
//! recurrent layers) run on the calling thread, where spawning would cost more than it saves.
//! `gemm` splits the *output* into blocks and never the inner dimension, so every output element
//! is summed in the same order whatever the thread count: results are bit-identical with 1 or
//! more threads (a test checks this).
#![allow(unsafe_code)]

use gemm_common::Parallelism;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::{Error, Result};

/// Products with fewer multiply-adds (`m·k·n`) than this run on one thread.
pub const PARALLEL_MIN_WORK: usize = 1 << 21;

/// `a · b` for `a: (m, k)` and `b: (k, n)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the inner dimensions differ.
pub fn matmul(a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Result<Array2<f32>> {
    matmul_scaled(1.0, a, b)
}

/// `alpha · a · b` for `a: (m, k)` and `b: (k, n)`, the scaling folded into the product (a
/// gradient times the upstream factor without a pass of its own).
///
/// # Errors
/// [`Error::ShapeMismatch`] when the inner dimensions differ.
pub fn matmul_scaled(alpha: f32, a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Result<Array2<f32>> {
    check_inner("matmul", a, b)?;
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let len = m.checked_mul(n).ok_or_else(|| Error::ShapeMismatch {
        op: "matmul (output too large)",
        left: a.shape().to_vec(),
        right: b.shape().to_vec(),
    })?;
    if len == 0 || k == 0 {
        return Ok(Array2::zeros((m, n)));
    }
    // The output is written, never read, by the product (`read_dst = false`), so it is not
    // zero-filled first: one pass over the memory instead of two.
    let mut buf: Vec<f32> = Vec::with_capacity(len);
    let mut p = Operands {
        m,
        n,
        dst: buf.as_mut_ptr(),
        dst_rs: n as isize,
        dst_cs: 1,
        lhs: a.as_ptr(),
        lhs_rs: a.strides()[0],
        lhs_cs: a.strides()[1],
        rhs: b.as_ptr(),
        rhs_rs: b.strides()[0],
        rhs_cs: b.strides()[1],
    };
    p.normalise(k);
    // SAFETY: `buf` has capacity for the `m·n` row-major outputs that `dst` (strides n, 1)
    // addresses; `a` and `b` are live views whose strides describe their (m, k) and (k, n)
    // elements (as in `gemm_checked`). With `read_dst = false` gemm stores every element of
    // `dst` before it reads any (its first inner block runs with the destination factor set to
    // zero, "not read"; later blocks read what the first one wrote), so after the call all `len`
    // elements are initialised and `set_len` is sound.
    unsafe {
        run_gemm(&p, k, alpha, 0.0, parallelism(m, k, n));
        buf.set_len(len);
    }
    Array2::from_shape_vec((m, n), buf).map_err(|_| Error::ShapeMismatch {
        op: "matmul (output)",
        left: vec![m, n],
        right: vec![len],
    })
}

/// `out = alpha · a · b + beta · out`, the in-place form used by the hot loops. With
/// `beta == 0` the old contents of `out` are not read (a NaN there does not survive).
///
/// `a`, `b` and `out` may be any views: transposed (`x.t()`), sliced or strided.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `a`, `b` and `out` do not fit together.
pub fn matmul_into(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
) -> Result<()> {
    check_inner("matmul_into", a, b)?;
    if out.dim() != (a.nrows(), b.ncols()) {
        return Err(Error::ShapeMismatch {
            op: "matmul_into (output)",
            left: vec![a.nrows(), b.ncols()],
            right: out.shape().to_vec(),
        });
    }
    gemm_checked(
        alpha,
        a,
        b,
        beta,
        out,
        parallelism(a.nrows(), a.ncols(), b.ncols()),
    );
    Ok(())
}

/// [`matmul_into`] on the calling thread only, whatever its size: for callers that already run
/// one task per thread (e.g. a recurrent layer whose batch halves run their time loops side by
/// side). Same bits as [`matmul_into`].
///
/// # Errors
/// As [`matmul_into`].
pub fn matmul_into_serial(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
) -> Result<()> {
    check_inner("matmul_into_serial", a, b)?;
    if out.dim() != (a.nrows(), b.ncols()) {
        return Err(Error::ShapeMismatch {
            op: "matmul_into_serial (output)",
            left: vec![a.nrows(), b.ncols()],
            right: out.shape().to_vec(),
        });
    }
    gemm_checked(alpha, a, b, beta, out, Parallelism::None);
    Ok(())
}

/// Inner dimensions up to which [`matmul_packed_into`] uses the register-tiled kernel; beyond it
/// `gemm` (whose packed, cache-blocked kernels keep their speed on long inner dimensions) is as
/// fast or faster. Measured with `examples/gemm_rate` (fastest call of many, one thread,
/// AVX-512, loaded machine), tiled against `gemm`: `(16, 32)·(32, 128)` (the lesson's step)
/// 130–140 against 110–120 GFLOP/s; `(64, 128)·(128, 512)` 135–149 against 130–140;
/// `(32, 256)·(256, 1024)` about equal; `(32, 1024)·(1024, 256)` 90–135 against 115–155. A
/// 128-row panel of 64 columns (32 KB) stays in L1 during a product.
pub const TILED_MAX_INNER: usize = 128;

/// A right-hand matrix prepared once for many [`matmul_packed_into`] products: a recurrent layer
/// prepares its recurrent kernel `U` (and `Uᵀ` for backward) once per sequence and multiplies by
/// it at every time step.
///
/// With at most [`TILED_MAX_INNER`] rows it is packed for the tiled kernel: column panels of 64
/// columns, each row-major and contiguous, so a product streams contiguous vectors (the rows of a
/// plain row-major matrix whose length is a power of two, such as a `(128, 512)` kernel, fall into
/// a few L1 cache sets and evict each other). Taller matrices are kept as a row-major copy for
/// `gemm`.
#[derive(Debug, Clone)]
pub struct PackedMatrix {
    kind: Packed,
}

#[derive(Debug, Clone)]
enum Packed {
    Panels(crate::tiled::Panels),
    Plain(Array2<f32>),
}

impl PackedMatrix {
    /// Prepare `b (k, n)` (any layout).
    #[must_use]
    pub fn new(b: &ArrayView2<f32>) -> Self {
        let kind = if b.nrows() <= TILED_MAX_INNER {
            Packed::Panels(crate::tiled::Panels::pack_view(b))
        } else {
            Packed::Plain(to_row_major(b))
        };
        Self { kind }
    }

    /// `(rows, columns)` of the matrix.
    #[must_use]
    pub fn dim(&self) -> (usize, usize) {
        match &self.kind {
            Packed::Panels(p) => (p.k, p.n),
            Packed::Plain(b) => b.dim(),
        }
    }
}

/// Side of the square tiles in which [`to_row_major`] copies a transposed matrix: one cache line
/// of 16 values per source column and destination row. Measured on a `(1024, 256)ᵀ` copy, one
/// thread (into a zeroed array): 0.13 ms with tiles of 16, 0.16 with 32, 0.25 with 64, against
/// ndarray's 0.74.
const TRANSPOSE_TILE: usize = 16;

/// `b` as an owned row-major matrix, the same values. A transposed row-major matrix (`u.t()`,
/// column-major: a recurrent layer's `Uᵀ` for backward) is copied tile by tile: ndarray's
/// `as_standard_layout` walks it in row order, one cache line of the source per element, which
/// took 3.5 % of the samples of a word-rnn run (its LSTM's `(1024, 256)ᵀ`, under `perf`). Other
/// layouts are copied by ndarray.
#[must_use]
pub fn to_row_major(b: &ArrayView2<f32>) -> Array2<f32> {
    let (k, n) = b.dim();
    let bt = b.t();
    let src = match bt.as_slice() {
        Some(src) if !b.is_standard_layout() => src,
        _ => return b.as_standard_layout().into_owned(),
    };
    // `bt (n, k)` is row-major: element `b[q, j]` is `src[j·k + q]`. The copy is written once,
    // uninitialised first (zeroing it would be a pass of its own).
    let mut out = Array2::<f32>::uninit((k, n));
    let Some(dst) = out.as_slice_mut() else {
        return b.as_standard_layout().into_owned();
    };
    for q0 in (0..k).step_by(TRANSPOSE_TILE) {
        let q1 = (q0 + TRANSPOSE_TILE).min(k);
        for j0 in (0..n).step_by(TRANSPOSE_TILE) {
            for j in j0..(j0 + TRANSPOSE_TILE).min(n) {
                let column = &src[j * k + q0..j * k + q1];
                for (q, &v) in (q0..q1).zip(column) {
                    dst[q * n + j].write(v);
                }
            }
        }
    }
    // SAFETY: the tiles cover every `(q, j)` of `0..k × 0..n` once, so every element of the
    // row-major `(k, n)` array was written above.
    unsafe { out.assume_init() }
}

/// `out = a · b` (`accumulate` false) or `out += a · b` (true) for a prepared `b`, always on the
/// calling thread: the register-tiled kernel (`b` with at most [`TILED_MAX_INNER`] rows), else
/// `gemm`. The tiled kernel packs nothing per call and keeps no thread-local buffers, and
/// computes each output element as an `fma` chain over the inner dimension in order, so its bits
/// depend neither on the instruction set (AVX-512, AVX2 + FMA, or scalar `f32::mul_add`) nor on
/// how many rows a call covers. Either way the rows of a product over some rows of `a` equal those
/// rows of the whole product, so a recurrent layer may cut its batch into per-thread parts.
///
/// `a` and `out` that are not row-major with contiguous rows are copied.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `a`, `b` and `out` do not fit together.
pub fn matmul_packed_into(
    a: &ArrayView2<f32>,
    b: &PackedMatrix,
    accumulate: bool,
    out: &mut ArrayViewMut2<f32>,
) -> Result<()> {
    let (k, n) = b.dim();
    if a.ncols() != k {
        return Err(Error::ShapeMismatch {
            op: "matmul_packed_into",
            left: a.shape().to_vec(),
            right: vec![k, n],
        });
    }
    let m = a.nrows();
    if out.dim() != (m, n) {
        return Err(Error::ShapeMismatch {
            op: "matmul_packed_into (output)",
            left: vec![m, n],
            right: out.shape().to_vec(),
        });
    }
    let panels = match &b.kind {
        Packed::Panels(p) => p,
        Packed::Plain(b) => {
            let beta = if accumulate { 1.0 } else { 0.0 };
            gemm_checked(1.0, a, &b.view(), beta, out, Parallelism::None);
            return Ok(());
        }
    };
    let a = a.as_standard_layout();
    let a_s = a.as_slice().ok_or(Error::ShapeMismatch {
        op: "matmul_packed_into (layout)",
        left: vec![m, k],
        right: vec![k, n],
    })?;
    if let Some(c) = out.as_slice_mut() {
        crate::tiled::product(a_s, k, panels, c, n, m, accumulate);
        return Ok(());
    }
    let mut tmp = if accumulate {
        out.as_standard_layout().into_owned()
    } else {
        Array2::zeros((m, n))
    };
    if let Some(c) = tmp.as_slice_mut() {
        crate::tiled::product(a_s, k, panels, c, n, m, accumulate);
    }
    out.assign(&tmp);
    Ok(())
}

/// Products `aᵀ·b` with at most this many multiply-adds (`m·k·n`) run on the register-tiled
/// kernel ([`matmul_tn_into`]); larger ones on `gemm`, whose cache blocking and threads pay off
/// there. The lesson's weight gradients `(32, 192)·(192, 128)` (786k) are below it: on `gemm`
/// they spent a fifth of their time packing and dispatching.
pub const TILED_TN_MAX_WORK: usize = PARALLEL_MIN_WORK;

/// `out = aᵀ · b` (`accumulate` false) or `out += aᵀ · b` (true) for `a (k, m)` and `b (k, n)`:
/// a weight gradient `xᵀ·dz` from time-major rows, without a transposed copy of `x`.
///
/// Small products (at most [`TILED_TN_MAX_WORK`] multiply-adds) with row-major `a`, `b` and
/// `out` run on the calling thread on the register-tiled kernel, reading both operands in place:
/// each output element is an `fma` chain over the inner dimension in order, the same bits on
/// every instruction set. Others go to `gemm` (split over threads as [`matmul_into`] does).
///
/// # Errors
/// [`Error::ShapeMismatch`] when `a`, `b` and `out` do not fit together.
pub fn matmul_tn_into(
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    accumulate: bool,
    out: &mut ArrayViewMut2<f32>,
) -> Result<()> {
    let (k, m) = a.dim();
    let n = b.ncols();
    if b.nrows() != k {
        return Err(Error::ShapeMismatch {
            op: "matmul_tn_into",
            left: vec![m, k],
            right: b.shape().to_vec(),
        });
    }
    if out.dim() != (m, n) {
        return Err(Error::ShapeMismatch {
            op: "matmul_tn_into (output)",
            left: vec![m, n],
            right: out.shape().to_vec(),
        });
    }
    let small = m.saturating_mul(k).saturating_mul(n) <= TILED_TN_MAX_WORK;
    if let (true, Some(a_s), Some(b_s)) = (small, a.as_slice(), b.as_slice()) {
        if let Some(c) = out.as_slice_mut() {
            crate::tiled::product_tn(a_s, m, b_s, n, c, n, [m, k, n], accumulate);
            return Ok(());
        }
    }
    let beta = if accumulate { 1.0 } else { 0.0 };
    gemm_checked(1.0, &a.t(), b, beta, out, parallelism(m, k, n));
    Ok(())
}

fn check_inner(op: &'static str, a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Result<()> {
    if a.ncols() == b.nrows() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            op,
            left: a.shape().to_vec(),
            right: b.shape().to_vec(),
        })
    }
}

fn parallelism(m: usize, k: usize, n: usize) -> Parallelism {
    let threads = crate::threads::available();
    let work = m.saturating_mul(k).saturating_mul(n);
    if threads > 1 && work >= PARALLEL_MIN_WORK {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    }
}

/// The product on shapes already checked to fit.
fn gemm_checked(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
    parallelism: Parallelism,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    debug_assert_eq!(out.dim(), (m, n));
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: only the `beta · out` term is left.
        if beta == 0.0 {
            out.fill(0.0);
        } else {
            out.mapv_inplace(|v| beta * v);
        }
        return;
    }
    // Strides in elements; a length-1 axis may carry any stride, which `gemm` accepts.
    let (a_rs, a_cs) = (a.strides()[0], a.strides()[1]);
    let (b_rs, b_cs) = (b.strides()[0], b.strides()[1]);
    let (c_rs, c_cs) = (out.strides()[0], out.strides()[1]);
    let mut p = Operands {
        m,
        n,
        dst: out.as_mut_ptr(),
        dst_rs: c_rs,
        dst_cs: c_cs,
        lhs: a.as_ptr(),
        lhs_rs: a_rs,
        lhs_cs: a_cs,
        rhs: b.as_ptr(),
        rhs_rs: b_rs,
        rhs_cs: b_cs,
    };
    p.normalise(k);
    // SAFETY: every pointer comes from a live ndarray view whose (rows, cols, strides) describe
    // memory it owns or borrows: `a` (m, k), `b` (k, n), `out` (m, n), shapes checked above, so
    // each index `r·rs + c·cs` inside those shapes is in bounds. `normalise` only transposes the
    // problem (C = A·B ⇔ Cᵀ = Bᵀ·Aᵀ) and moves base pointers to the lowest address of an axis
    // with a negative stride, which stays inside the same views. `out` is borrowed mutably, so it
    // cannot alias `a` or `b`.
    unsafe { run_gemm(&p, k, alpha, beta, parallelism) };
}

/// Call `gemm` on a normalised problem: `dst = alpha·lhs·rhs + beta·dst`, `dst` not read when
/// `beta == 0`.
///
/// # Safety
/// `p` must describe in-bounds, non-aliasing (`dst` vs `lhs`, `rhs`) memory for an `(m, k)·(k, n)`
/// product, with `dst` writable.
unsafe fn run_gemm(p: &Operands, k: usize, alpha: f32, beta: f32, parallelism: Parallelism) {
    let gemm = gemm_f32::gemm::f32::get_gemm_fn();
    // `gemm`'s convention is `dst = alpha·dst + beta·lhs·rhs`, so our `beta` is its `alpha` and
    // our `alpha` its `beta`; `read_dst = false` when `beta == 0`.
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm(
            p.m,
            p.n,
            k,
            p.dst,
            p.dst_cs,
            p.dst_rs,
            beta != 0.0,
            p.lhs,
            p.lhs_cs,
            p.lhs_rs,
            p.rhs,
            p.rhs_cs,
            p.rhs_rs,
            beta,
            alpha,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// A product `dst (m, n) = lhs (m, k) · rhs (k, n)` described by base pointers and strides.
struct Operands {
    m: usize,
    n: usize,
    dst: *mut f32,
    dst_rs: isize,
    dst_cs: isize,
    lhs: *const f32,
    lhs_rs: isize,
    lhs_cs: isize,
    rhs: *const f32,
    rhs_rs: isize,
    rhs_cs: isize,
}

impl Operands {
    /// Bring the problem to the form `gemm`'s kernels expect: a column-oriented destination
    /// (transpose the whole product when `dst` is row-major) and no negative strides (walk such an
    /// axis from its other end, for both operands that share it).
    fn normalise(&mut self, k: usize) {
        if self.dst_cs.unsigned_abs() < self.dst_rs.unsigned_abs() {
            // Cᵀ (n, m) = Bᵀ (n, k) · Aᵀ (k, m).
            *self = Operands {
                m: self.n,
                n: self.m,
                dst: self.dst,
                dst_rs: self.dst_cs,
                dst_cs: self.dst_rs,
                lhs: self.rhs,
                lhs_rs: self.rhs_cs,
                lhs_cs: self.rhs_rs,
                rhs: self.lhs,
                rhs_rs: self.lhs_cs,
                rhs_cs: self.lhs_rs,
            };
        }
        if self.dst_rs < 0 {
            let last = (self.m - 1) as isize;
            self.dst = self.dst.wrapping_offset(last * self.dst_rs);
            self.dst_rs = -self.dst_rs;
            self.lhs = self.lhs.wrapping_offset(last * self.lhs_rs);
            self.lhs_rs = -self.lhs_rs;
        }
        if self.dst_cs < 0 {
            let last = (self.n - 1) as isize;
            self.dst = self.dst.wrapping_offset(last * self.dst_cs);
            self.dst_cs = -self.dst_cs;
            self.rhs = self.rhs.wrapping_offset(last * self.rhs_cs);
            self.rhs_cs = -self.rhs_cs;
        }
        if self.lhs_cs < 0 {
            let last = (k - 1) as isize;
            self.lhs = self.lhs.wrapping_offset(last * self.lhs_cs);
            self.lhs_cs = -self.lhs_cs;
            self.rhs = self.rhs.wrapping_offset(last * self.rhs_rs);
            self.rhs_rs = -self.rhs_rs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, Axis, Slice, array};

    #[test]
    fn matmul_matches_hand_computation() {
        let a = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let b = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let c = matmul(&a.view(), &b.view()).unwrap();
        assert_eq!(c, array![[4.0, 5.0], [10.0, 11.0]]);
    }

    #[test]
    fn transposed_views_work() {
        let a = array![[1.0f32, 2.0], [3.0, 4.0]];
        let c = matmul(&a.t(), &a.view()).unwrap();
        assert_eq!(c, array![[10.0, 14.0], [14.0, 20.0]]);
    }

    /// The tiled copy of a transposed matrix, with partial tiles on both sides, and the other
    /// layouts it hands to ndarray, give the same matrix as ndarray's element-order copy.
    #[test]
    fn row_major_copies_keep_every_element_in_place() {
        let base = Array2::from_shape_fn((37, 70), |(i, j)| (i * 70 + j) as f32 - 9.5);
        let strided = base.slice(ndarray::s![..;2, 1..;3]);
        for view in [base.view(), base.t(), strided, strided.t()] {
            let copy = to_row_major(&view);
            assert!(copy.is_standard_layout());
            assert_eq!(copy, view);
        }
        let empty = Array2::<f32>::zeros((0, 5));
        assert_eq!(to_row_major(&empty.t()).dim(), (5, 0));
    }

    #[test]
    fn mismatch_names_both_shapes() {
        let a = Array2::<f32>::zeros((2, 3));
        let err = matmul(&a.view(), &a.view()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul: shapes [2, 3] and [2, 3] do not fit"
        );
    }

    #[test]
    fn output_mismatch_is_an_error() {
        let a = Array2::<f32>::zeros((2, 3));
        let b = Array2::<f32>::zeros((3, 4));
        let mut out = Array2::<f32>::zeros((2, 5));
        let err = matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut out.view_mut()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul_into (output): shapes [2, 4] and [2, 5] do not fit"
        );
    }

    #[test]
    fn matmul_into_accumulates() {
        let a = array![[1.0f32, 2.0]];
        let b = array![[3.0f32], [4.0]];
        let mut out = array![[1.0f32]];
        matmul_into(2.0, &a.view(), &b.view(), 1.0, &mut out.view_mut()).unwrap();
        assert_eq!(out[[0, 0]], 23.0);
    }

    /// Deterministic pseudo-random values in [-1, 1) (no RNG dependency needed).
    fn filled(rows: usize, cols: usize, salt: u64) -> Array2<f32> {
        let mut s = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Array2::from_shape_simple_fn((rows, cols), || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
    }

    /// `alpha·a·b + beta·out` by a triple loop in f64.
    fn naive(
        alpha: f32,
        a: &ArrayView2<f32>,
        b: &ArrayView2<f32>,
        beta: f32,
        out: &Array2<f32>,
    ) -> Array2<f32> {
        Array2::from_shape_fn(out.dim(), |(i, j)| {
            let mut s = 0.0f64;
            for p in 0..a.ncols() {
                s += f64::from(a[[i, p]]) * f64::from(b[[p, j]]);
            }
            let old = if beta == 0.0 {
                0.0
            } else {
                f64::from(beta) * f64::from(out[[i, j]])
            };
            (f64::from(alpha) * s + old) as f32
        })
    }

    fn assert_near(got: &ArrayViewMut2<f32>, want: &Array2<f32>, k: usize, what: &str) {
        assert_eq!(got.dim(), want.dim(), "{what}");
        let tol = 1e-5 * (k as f32).sqrt().max(1.0) * 4.0;
        for (g, w) in got.iter().zip(want.iter()) {
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "{what}: {g} vs {w} (k {k})"
            );
        }
    }

    /// Odd shapes (not multiples of any kernel tile), every combination of plain, transposed,
    /// strided (every other row/column) and reversed (negative stride) operands and outputs,
    /// with and without accumulation.
    #[test]
    fn matches_a_triple_loop_on_odd_shapes_and_views() {
        let shapes = [
            (1, 1, 1),
            (1, 7, 1),
            (3, 5, 2),
            (7, 13, 17),
            (17, 1, 9),
            (33, 65, 31),
            (64, 129, 70),
        ];
        for (case, &(m, k, n)) in shapes.iter().enumerate() {
            let salt = case as u64 * 10;
            // Three layouts per operand: plain (m,k); stored transposed (k,m) and viewed with .t();
            // a strided, row-reversed view into a bigger array.
            let a_plain = filled(m, k, salt + 1);
            let a_stored_t = filled(k, m, salt + 2);
            let a_big = filled(2 * m, 2 * k, salt + 3);
            let b_plain = filled(k, n, salt + 4);
            let b_stored_t = filled(n, k, salt + 5);
            let b_big = filled(2 * k, 2 * n, salt + 6);
            let a_views: [ArrayView2<f32>; 3] = [
                a_plain.view(),
                a_stored_t.t(),
                a_big
                    .slice_axis(Axis(0), Slice::new(0, None, -2))
                    .slice_axis_move(Axis(1), Slice::new(1, None, 2)),
            ];
            let b_views: [ArrayView2<f32>; 3] = [
                b_plain.view(),
                b_stored_t.t(),
                b_big
                    .slice_axis(Axis(0), Slice::new(0, None, 2))
                    .slice_axis_move(Axis(1), Slice::new(0, None, -2)),
            ];
            for (ia, a) in a_views.iter().enumerate() {
                for (ib, b) in b_views.iter().enumerate() {
                    // `matmul` (fresh output, never zero-filled) on the same views.
                    let fresh = matmul(a, b).unwrap();
                    let want = naive(1.0, a, b, 0.0, &Array2::zeros((m, n)));
                    let what = format!("matmul ({m},{k},{n}) a#{ia} b#{ib}");
                    assert_near(&fresh.clone().view_mut(), &want, k, &what);
                    for (alpha, beta) in [(1.0f32, 0.0f32), (0.5, 1.0), (-2.0, 0.25)] {
                        for out_layout in 0..3 {
                            let start = filled(m, n, salt + 7);
                            let want = naive(alpha, a, b, beta, &start);
                            let what = format!(
                                "({m},{k},{n}) a#{ia} b#{ib} alpha {alpha} beta {beta} out#{out_layout}"
                            );
                            match out_layout {
                                0 => {
                                    let mut out = start.clone();
                                    matmul_into(alpha, a, b, beta, &mut out.view_mut()).unwrap();
                                    assert_near(&out.view_mut(), &want, k, &what);
                                }
                                1 => {
                                    // Column-major output: the transpose of a (n, m) array.
                                    let mut store = start.t().to_owned();
                                    let mut out = store.view_mut().reversed_axes();
                                    matmul_into(alpha, a, b, beta, &mut out).unwrap();
                                    assert_near(&out, &want, k, &what);
                                }
                                _ => {
                                    // Every other row of a bigger array, columns reversed.
                                    let mut store = Array2::<f32>::from_elem((2 * m, n), f32::NAN);
                                    let mut out = store
                                        .slice_axis_mut(Axis(0), Slice::new(0, None, 2))
                                        .slice_axis_move(Axis(1), Slice::new(0, None, -1));
                                    for ((i, j), v) in out.indexed_iter_mut() {
                                        *v = start[[i, j]];
                                    }
                                    matmul_into(alpha, a, b, beta, &mut out).unwrap();
                                    assert_near(&out, &want, k, &what);
                                    // The rows in between are untouched.
                                    let gaps = store.slice_axis(Axis(0), Slice::new(1, None, 2));
                                    assert!(
                                        gaps.iter().all(|v| v.is_nan()),
                                        "{what}: wrote outside"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `out (+)= a·b` with every element an `fma` chain over the inner dimension in order, in f32:
    /// what the tiled kernel promises, bit for bit.
    fn fma_chain(a: &Array2<f32>, b: &Array2<f32>, start: Option<&Array2<f32>>) -> Array2<f32> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            let mut acc = start.map_or(0.0, |c| c[[i, j]]);
            for q in 0..a.ncols() {
                acc = a[[i, q]].mul_add(b[[q, j]], acc);
            }
            acc
        })
    }

    fn bits(x: &Array2<f32>) -> Vec<u32> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// The tiled kernel on shapes that exercise every tile (row tiles of 8, 4, 2, 1; column blocks
    /// of 4, 3, 2, 1 vectors and single leftover columns; several 64-column panels; inner
    /// dimensions across the 128-row blocks) gives exactly the bits of an in-order `fma` chain,
    /// overwriting or accumulating, and for plain or strided (transposed) operands.
    #[test]
    fn packed_products_are_in_order_fma_chains() {
        let shapes = [
            (1, 1, 1),
            (3, 5, 7),
            (16, 32, 128),
            (16, 128, 32),
            (15, 33, 200),
            (9, 130, 47),
            (8, 256, 16),
            (7, 129, 64),
            (2, 300, 250),
        ];
        for (case, &(m, k, n)) in shapes.iter().enumerate() {
            let salt = 100 + case as u64 * 10;
            let a = filled(m, k, salt);
            let b = filled(k, n, salt + 1);
            let start = filled(m, n, salt + 2);
            let packed = PackedMatrix::new(&b.view());
            assert_eq!(packed.dim(), (k, n));
            let mut out = Array2::from_elem((m, n), f32::NAN);
            matmul_packed_into(&a.view(), &packed, false, &mut out.view_mut()).unwrap();
            let what = format!("({m},{k},{n})");
            if k <= TILED_MAX_INNER {
                assert_eq!(bits(&out), bits(&fma_chain(&a, &b, None)), "{what}");
            } else {
                let want = naive(1.0, &a.view(), &b.view(), 0.0, &out);
                assert_near(&out.view_mut(), &want, k, &what);
            }
            let mut acc = start.clone();
            matmul_packed_into(&a.view(), &packed, true, &mut acc.view_mut()).unwrap();
            if k <= TILED_MAX_INNER {
                assert_eq!(
                    bits(&acc),
                    bits(&fma_chain(&a, &b, Some(&start))),
                    "{what} +="
                );
            }
            let want = naive(1.0, &a.view(), &b.view(), 1.0, &start);
            assert_near(&acc.view_mut(), &want, k, &what);
            // A transposed left operand and a column-major output give the same bits.
            let a_t = a.t().to_owned();
            let mut store = start.t().to_owned();
            let mut out_cm = store.view_mut().reversed_axes();
            matmul_packed_into(&a_t.t(), &packed, true, &mut out_cm).unwrap();
            assert_eq!(bits(&out_cm.to_owned()), bits(&acc), "{what} strided");
            // Packing a transposed view packs its values.
            let b_t = b.t().to_owned();
            let mut again = start.clone();
            let repacked = PackedMatrix::new(&b_t.t());
            matmul_packed_into(&a.view(), &repacked, true, &mut again.view_mut()).unwrap();
            assert_eq!(
                bits(&again),
                bits(&acc),
                "{what} packed from a transposed view"
            );
            // ... and so does packing a view that is neither row- nor column-major.
            let mut wide = Array2::from_elem((k, 2 * n), f32::NAN);
            wide.slice_mut(ndarray::s![.., ..;2]).assign(&b);
            let mut third = start.clone();
            let strided = PackedMatrix::new(&wide.slice(ndarray::s![.., ..;2]));
            matmul_packed_into(&a.view(), &strided, true, &mut third.view_mut()).unwrap();
            assert_eq!(
                bits(&third),
                bits(&acc),
                "{what} packed from a strided view"
            );
        }
    }

    /// `aᵀ·b` from `a (k, m)` read in place: the bits of an in-order `fma` chain (over inner
    /// dimensions across several chunks, with every row and column tile), overwriting and
    /// accumulating; a product too large for the tiled kernel, or a strided operand, agrees with
    /// the triple loop.
    #[test]
    fn transposed_left_products_are_in_order_fma_chains() {
        let shapes = [
            (1, 1, 1),
            (3, 5, 7),
            (32, 192, 128),
            (1, 192, 128),
            (17, 65, 50),
            (9, 300, 33),
            (64, 0, 16),
            (40, 2000, 40),
        ];
        for (case, &(m, k, n)) in shapes.iter().enumerate() {
            let salt = 500 + case as u64 * 10;
            let a_km = filled(k, m, salt);
            let b = filled(k, n, salt + 1);
            let start = filled(m, n, salt + 2);
            let a = a_km.t().to_owned();
            let what = format!("({m},{k},{n})");
            let tiled = m * k * n <= TILED_TN_MAX_WORK;
            let mut out = Array2::from_elem((m, n), f32::NAN);
            matmul_tn_into(&a_km.view(), &b.view(), false, &mut out.view_mut()).unwrap();
            let mut acc = start.clone();
            matmul_tn_into(&a_km.view(), &b.view(), true, &mut acc.view_mut()).unwrap();
            if tiled {
                assert_eq!(bits(&out), bits(&fma_chain(&a, &b, None)), "{what}");
                let want = fma_chain(&a, &b, Some(&start));
                assert_eq!(bits(&acc), bits(&want), "{what} +=");
            } else {
                let want = naive(1.0, &a.view(), &b.view(), 0.0, &out);
                assert_near(&out.view_mut(), &want, k, &what);
                let want = naive(1.0, &a.view(), &b.view(), 1.0, &start);
                assert_near(&acc.view_mut(), &want, k, &what);
            }
            // A strided left operand takes the general path and agrees.
            let mut wide = Array2::zeros((k, 2 * m));
            wide.slice_mut(ndarray::s![.., ..;2]).assign(&a_km);
            let mut again = start.clone();
            let strided = wide.slice(ndarray::s![.., ..;2]);
            matmul_tn_into(&strided, &b.view(), true, &mut again.view_mut()).unwrap();
            let want = naive(1.0, &a.view(), &b.view(), 1.0, &start);
            assert_near(&again.view_mut(), &want, k, &format!("{what} strided"));
        }
        let err = matmul_tn_into(
            &Array2::zeros((3, 2)).view(),
            &Array2::zeros((4, 5)).view(),
            false,
            &mut Array2::zeros((2, 5)).view_mut(),
        );
        assert!(err.is_err());
    }

    /// The rows of a product over some rows of `a` are those rows of the whole product (a
    /// recurrent layer cuts its batch into per-thread parts).
    #[test]
    fn packed_product_rows_do_not_depend_on_the_cut() {
        let (m, k, n) = (21, 64, 256);
        let a = filled(m, k, 7);
        let b = PackedMatrix::new(&filled(k, n, 8).view());
        let mut whole = Array2::zeros((m, n));
        matmul_packed_into(&a.view(), &b, false, &mut whole.view_mut()).unwrap();
        for cut in [1, 5, 8, 13] {
            let mut top = Array2::zeros((cut, n));
            let a_top = a.slice(ndarray::s![..cut, ..]);
            matmul_packed_into(&a_top, &b, false, &mut top.view_mut()).unwrap();
            let mut bottom = Array2::zeros((m - cut, n));
            let a_bottom = a.slice(ndarray::s![cut.., ..]);
            matmul_packed_into(&a_bottom, &b, false, &mut bottom.view_mut()).unwrap();
            assert_eq!(
                bits(&top),
                bits(&whole.slice(ndarray::s![..cut, ..]).to_owned())
            );
            assert_eq!(
                bits(&bottom),
                bits(&whole.slice(ndarray::s![cut.., ..]).to_owned())
            );
        }
    }

    #[test]
    fn packed_product_mismatch_names_both_shapes() {
        let b = PackedMatrix::new(&Array2::<f32>::zeros((3, 4)).view());
        let a = Array2::<f32>::zeros((2, 5));
        let mut out = Array2::<f32>::zeros((2, 4));
        let err = matmul_packed_into(&a.view(), &b, false, &mut out.view_mut()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul_packed_into: shapes [2, 5] and [3, 4] do not fit"
        );
        let a = Array2::<f32>::zeros((2, 3));
        let mut out = Array2::<f32>::zeros((2, 5));
        let err = matmul_packed_into(&a.view(), &b, true, &mut out.view_mut()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul_packed_into (output): shapes [2, 4] and [2, 5] do not fit"
        );
    }

    #[test]
    fn beta_zero_ignores_nan_in_the_output() {
        let a = filled(5, 6, 1);
        let b = filled(6, 7, 2);
        let mut out = Array2::from_elem((5, 7), f32::NAN);
        matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut out.view_mut()).unwrap();
        assert!(out.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn empty_inner_dimension_scales_the_output() {
        let a = Array2::<f32>::zeros((3, 0));
        let b = Array2::<f32>::zeros((0, 2));
        let mut out = Array2::from_elem((3, 2), 4.0f32);
        matmul_into(1.0, &a.view(), &b.view(), 0.5, &mut out.view_mut()).unwrap();
        assert!(out.iter().all(|&v| v == 2.0));
        matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut out.view_mut()).unwrap();
        assert!(out.iter().all(|&v| v == 0.0));
        let c = matmul(&a.view(), &b.view()).unwrap();
        assert_eq!(c.dim(), (3, 2));
    }

    /// A product big enough to be split over threads gives the same bits on 1 and 2 threads.
    #[test]
    fn threaded_products_are_bit_identical_to_single_threaded() {
        let (m, k, n) = (200, 300, 257);
        assert!(m * k * n >= PARALLEL_MIN_WORK);
        let a = filled(m, k, 11);
        let b = filled(k, n, 12);
        let at = a.t().to_owned();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let plain = matmul(&a.view(), &b.view()).unwrap();
                let from_t = matmul(&at.t(), &b.view()).unwrap();
                let grad = matmul(&at.view(), &plain.view()).unwrap();
                (plain, from_t, grad)
            })
        };
        let one = run(1);
        let two = run(2);
        let bits = |x: &Array2<f32>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one.0), bits(&two.0));
        assert_eq!(bits(&one.1), bits(&two.1));
        assert_eq!(bits(&one.2), bits(&two.2));
        let mut serial = Array2::<f32>::zeros((m, n));
        matmul_into_serial(1.0, &a.view(), &b.view(), 0.0, &mut serial.view_mut()).unwrap();
        assert_eq!(bits(&one.0), bits(&serial));
        let want = naive(1.0, &a.view(), &b.view(), 0.0, &one.0);
        assert_near(&one.0.clone().view_mut(), &want, k, "threaded");
    }
}
