//! A register-tiled product for small row-major matrices, without `gemm`'s packing and dispatch.
//!
//! Why: the recurrent layers make one small product per time step (`(B, H)·(H, 4H)` forward,
//! `(B, 4H)·(4H, H)` backward: at the lesson's `B` = 16, `H` = 32, 65k multiply-adds each). At that
//! size the `gemm` crate spends about as long packing its operands, reading its thread-local
//! buffers and picking a kernel as multiplying (2.4 µs a call, 55–70 GFLOP/s, against a core's
//! 130+). Here the right-hand matrix is read in place (row-major: a row of a block of output
//! columns is one or a few vector loads), each left-hand value is broadcast from its row, and an
//! output tile of `MR` rows × `NR` vectors lives in registers for the whole inner dimension.
//!
//! **Bits.** Every output element is computed as `acc = c (or 0); for q in 0..k: acc = fma(a[i,q],
//! b[q,j], acc)`: the same fused operations in the same order whatever the tile, the vector width
//! (AVX-512, AVX2 + FMA, or scalar `f32::mul_add`) or the number of rows in the call. So results
//! are bit-identical across instruction sets, and a product over some rows of `a` gives exactly
//! the rows of the whole product (a recurrent layer may cut its batch into per-thread parts).

use pulp::{Simd, WithSimd};

/// Rows of `a` broadcast per inner step when each output tile is 3–4 vectors wide.
const WIDE_ROWS: usize = 4;
/// Rows per tile when the output block is 1–2 vectors wide (keeps 8+ accumulators in flight).
const NARROW_ROWS: usize = 8;
/// Columns of a packed panel of `b`: four AVX-512 vectors (one tile's width), eight AVX2 ones.
pub(crate) const PANEL: usize = 64;

/// A right-hand matrix `(k, n)` stored as column panels of [`PANEL`] columns (the last one
/// narrower), each panel row-major and contiguous. Reading a panel is a stream of contiguous
/// vectors, where the rows of a plain row-major matrix whose width is a power of two fall into a
/// few L1 sets and evict each other.
#[derive(Debug, Clone)]
pub(crate) struct Panels {
    pub(crate) data: Vec<f32>,
    pub(crate) k: usize,
    pub(crate) n: usize,
}

impl Panels {
    /// Pack `b (k, n)` given as a row-major slice with row stride `ldb`.
    pub(crate) fn pack(b: &[f32], ldb: usize, k: usize, n: usize) -> Self {
        let mut data = Vec::with_capacity(k * n);
        for j0 in (0..n).step_by(PANEL) {
            let w = PANEL.min(n - j0);
            for q in 0..k {
                data.extend_from_slice(&b[q * ldb + j0..q * ldb + j0 + w]);
            }
        }
        Self { data, k, n }
    }

    /// Each panel: its first column, width and values.
    fn panels(&self) -> impl Iterator<Item = (usize, usize, &[f32])> {
        (0..self.n).step_by(PANEL).map(move |j0| {
            let w = PANEL.min(self.n - j0);
            let at = j0 * self.k;
            (j0, w, &self.data[at..at + w * self.k])
        })
    }
}

/// `c = a·b` (or `c += a·b` when `accumulate`): `a (m, k)` row-major with row stride `lda`,
/// `b` packed, `c (m, n)` row-major with row stride `ldc`. The caller has checked that the
/// slices hold those elements; anything short is a logic error and panics on indexing.
pub(crate) fn product(
    a: &[f32],
    lda: usize,
    b: &Panels,
    c: &mut [f32],
    ldc: usize,
    m: usize,
    accumulate: bool,
) {
    if m == 0 || b.n == 0 {
        return;
    }
    let a = Mat { data: a, ld: lda };
    let mut c = MatMut { data: c, ld: ldc };
    let arch = pulp::Arch::new();
    for (j0, w, panel) in b.panels() {
        arch.dispatch(Tiled {
            a,
            b: Mat { data: panel, ld: w },
            c: &mut c,
            c_col: j0,
            m,
            k: b.k,
            n: w,
            accumulate,
        });
    }
}

/// A row-major read-only matrix: element `(i, j)` at `data[i·ld + j]`.
#[derive(Clone, Copy)]
struct Mat<'a> {
    data: &'a [f32],
    ld: usize,
}

impl<'a> Mat<'a> {
    /// `len` values of row `i` from column `j`.
    #[inline(always)]
    fn row(self, i: usize, j: usize, len: usize) -> &'a [f32] {
        let at = i * self.ld + j;
        &self.data[at..at + len]
    }
}

/// A row-major writable matrix.
struct MatMut<'a> {
    data: &'a mut [f32],
    ld: usize,
}

impl MatMut<'_> {
    #[inline(always)]
    fn row(&mut self, i: usize, j: usize, len: usize) -> &mut [f32] {
        let at = i * self.ld + j;
        &mut self.data[at..at + len]
    }
}

/// One panel's product: `c[:, c_col..c_col + n] (+)= a · b` with `b (k, n)`.
struct Tiled<'a, 'c> {
    a: Mat<'a>,
    b: Mat<'a>,
    c: &'c mut MatMut<'a>,
    c_col: usize,
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
}

impl WithSimd for Tiled<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let lanes = S::F32_LANES;
        let Tiled {
            a,
            b,
            c,
            c_col,
            m,
            k,
            n,
            accumulate,
        } = self;
        let vectors = n / lanes;
        let p = Block {
            a,
            b,
            k,
            accumulate,
        };
        let mut v = 0;
        while v + 4 <= vectors {
            column_block::<S, WIDE_ROWS, 4>(simd, &p, c, m, v * lanes, c_col);
            v += 4;
        }
        match vectors - v {
            3 => column_block::<S, WIDE_ROWS, 3>(simd, &p, c, m, v * lanes, c_col),
            2 => column_block::<S, NARROW_ROWS, 2>(simd, &p, c, m, v * lanes, c_col),
            1 => column_block::<S, NARROW_ROWS, 1>(simd, &p, c, m, v * lanes, c_col),
            _ => {}
        }
        // Columns past the last full vector: one at a time, the same fused operations in the same
        // order as the vector lanes.
        for j in vectors * lanes..n {
            for i in 0..m {
                let a_row = a.row(i, 0, k);
                let mut acc = if accumulate {
                    c.row(i, c_col + j, 1)[0]
                } else {
                    0.0
                };
                for (q, &x) in a_row.iter().enumerate() {
                    acc = x.mul_add(b.row(q, j, 1)[0], acc);
                }
                c.row(i, c_col + j, 1)[0] = acc;
            }
        }
    }
}

/// The read side of a panel's product: `a (m, k)`, the panel `b (k, width)`, and whether `c` is
/// added to.
struct Block<'a> {
    a: Mat<'a>,
    b: Mat<'a>,
    k: usize,
    accumulate: bool,
}

/// Panel columns `j0 .. j0 + NR·lanes` of every row: tiles of `MR` rows, then the leftover rows
/// in tiles of 4, 2 and 1.
#[inline(always)]
fn column_block<S: Simd, const MR: usize, const NR: usize>(
    simd: S,
    p: &Block<'_>,
    c: &mut MatMut<'_>,
    m: usize,
    j0: usize,
    c_col: usize,
) {
    let mut i = 0;
    while i + MR <= m {
        tile::<S, MR, NR>(simd, p, c, i, j0, c_col);
        i += MR;
    }
    if MR > 4 && i + 4 <= m {
        tile::<S, 4, NR>(simd, p, c, i, j0, c_col);
        i += 4;
    }
    if i + 2 <= m {
        tile::<S, 2, NR>(simd, p, c, i, j0, c_col);
        i += 2;
    }
    if i < m {
        tile::<S, 1, NR>(simd, p, c, i, j0, c_col);
    }
}

/// One `MR × NR`-vector output tile at row `i0`, panel column `j0`, summed over the whole inner
/// dimension in registers (at most 128 rows of a 64-column panel: 32 KB, which stays in L1 while
/// every row tile of `a` passes over it).
#[inline(always)]
fn tile<S: Simd, const MR: usize, const NR: usize>(
    simd: S,
    p: &Block<'_>,
    c: &mut MatMut<'_>,
    i0: usize,
    j0: usize,
    c_col: usize,
) {
    let width = NR * S::F32_LANES;
    let mut acc = [[simd.splat_f32s(0.0); NR]; MR];
    if p.accumulate {
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let (vecs, _) = S::as_simd_f32s(c.row(i0 + r, c_col + j0, width));
            for (a, v) in acc_row.iter_mut().zip(vecs) {
                *a = *v;
            }
        }
    }
    let a_rows: [&[f32]; MR] = core::array::from_fn(|r| p.a.row(i0 + r, 0, p.k));
    for q in 0..p.k {
        let (b_vecs, _) = S::as_simd_f32s(p.b.row(q, j0, width));
        let Some(b_vecs) = b_vecs.first_chunk::<NR>() else {
            return;
        };
        for (acc_row, a_row) in acc.iter_mut().zip(&a_rows) {
            let x = simd.splat_f32s(a_row[q]);
            for (a, bv) in acc_row.iter_mut().zip(b_vecs) {
                *a = simd.mul_add_f32s(x, *bv, *a);
            }
        }
    }
    for (r, acc_row) in acc.iter().enumerate() {
        let (vecs, _) = S::as_mut_simd_f32s(c.row(i0 + r, c_col + j0, width));
        for (v, a) in vecs.iter_mut().zip(acc_row) {
            *v = *a;
        }
    }
}
