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
/// Rows per tile of two vectors on instruction sets with 16 vector registers (AVX2).
const AVX2_ROWS: usize = 6;
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

    /// Pack `b (k, n)` given as any 2-D view: row-major rows are copied as slices; a transposed
    /// row-major matrix (the recurrent layers' `Uᵀ`) is read along its contiguous columns, where
    /// a generic element-wise copy (ndarray's `as_standard_layout`) cost more than the product it
    /// prepares.
    pub(crate) fn pack_view(b: &ndarray::ArrayView2<f32>) -> Self {
        let (k, n) = b.dim();
        if let Some(s) = b.as_slice() {
            return Self::pack(s, n, k, n);
        }
        let bt = b.t();
        let Some(src) = bt.as_slice() else {
            let owned = b.as_standard_layout();
            return Self::pack(owned.as_slice().unwrap_or(&[]), n, k, n);
        };
        // `bt (n, k)` is row-major: element `b[q, j]` is `src[j·k + q]` (the whole matrix is
        // as small as the tiled kernel's operands, so these reads stay in L1).
        let mut data = Vec::with_capacity(k * n);
        for j0 in (0..n).step_by(PANEL) {
            let w = PANEL.min(n - j0);
            for q in 0..k {
                data.extend((j0..j0 + w).map(|j| src[j * k + q]));
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
    product_on(&pulp::Arch::new(), a, lda, b, c, ldc, m, accumulate);
}

/// Runs a panel's product on an instruction set: the CPU's best ([`pulp::Arch`]) or, in tests,
/// a given one.
pub(crate) trait Runner {
    /// Run `t`.
    fn run(&self, t: Tiled<'_, '_>);
}

impl Runner for pulp::Arch {
    #[inline(always)]
    fn run(&self, t: Tiled<'_, '_>) {
        self.dispatch(t);
    }
}

/// [`product`] on the instruction set `arch`.
#[allow(clippy::too_many_arguments)]
fn product_on(
    arch: &impl Runner,
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
    for (j0, w, panel) in b.panels() {
        arch.run(Tiled {
            a,
            a_transposed: false,
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

/// Rows of the inner dimension per pass of [`product_tn`]: a 64-column block of `b` over them
/// (16 KB) stays in L1 while every row tile of the output passes over it.
const TN_CHUNK: usize = 64;

/// `c = aᵀ·b` (or `c += aᵀ·b` when `accumulate`) with `a (k, m)` and `b (k, n)` row-major with
/// row strides `lda`, `ldb`, both read in place (a weight gradient `xᵀ·dz`: no transposed copy of
/// `x`, no packing of `dz`), `c (m, n)` row-major with row stride `ldc`. The inner dimension is
/// taken in chunks of [`TN_CHUNK`] rows, each chunk continuing the stored sums of the previous
/// one, so every output is still one in-order `fma` chain over the whole inner dimension (same
/// bits as [`product`] on `aᵀ` and on any instruction set).
#[allow(clippy::too_many_arguments)]
pub(crate) fn product_tn(
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    [m, k, n]: [usize; 3],
    accumulate: bool,
) {
    product_tn_on(
        &pulp::Arch::new(),
        a,
        [lda, ldb, ldc],
        b,
        c,
        [m, k, n],
        accumulate,
    );
}

/// [`product_tn`] on the instruction set `arch`.
fn product_tn_on(
    arch: &impl Runner,
    a: &[f32],
    [lda, ldb, ldc]: [usize; 3],
    b: &[f32],
    c: &mut [f32],
    [m, k, n]: [usize; 3],
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    let mut c = MatMut { data: c, ld: ldc };
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                c.row(i, 0, n).fill(0.0);
            }
        }
        return;
    }
    for q0 in (0..k).step_by(TN_CHUNK) {
        let rows = TN_CHUNK.min(k - q0);
        arch.run(Tiled {
            a: Mat {
                data: &a[q0 * lda..],
                ld: lda,
            },
            a_transposed: true,
            b: Mat {
                data: &b[q0 * ldb..],
                ld: ldb,
            },
            c: &mut c,
            c_col: 0,
            m,
            k: rows,
            n,
            accumulate: accumulate || q0 > 0,
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

/// Element `(i, q)` of the left operand: `a[i, q]`, or `a[q, i]` when it is stored transposed.
#[inline(always)]
fn left_at(a: Mat<'_>, transposed: bool, i: usize, q: usize) -> f32 {
    if transposed {
        a.data[q * a.ld + i]
    } else {
        a.data[i * a.ld + q]
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
pub(crate) struct Tiled<'a, 'c> {
    a: Mat<'a>,
    /// `a` holds `(k, m)`: the product is `aᵀ·b`.
    a_transposed: bool,
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
            a_transposed,
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
        if a_transposed {
            column_blocks::<S, true>(simd, &p, c, m, vectors, c_col);
        } else {
            column_blocks::<S, false>(simd, &p, c, m, vectors, c_col);
        }
        // Columns past the last full vector: one at a time, the same fused operations in the same
        // order as the vector lanes.
        for j in vectors * lanes..n {
            for i in 0..m {
                let mut acc = if accumulate {
                    c.row(i, c_col + j, 1)[0]
                } else {
                    0.0
                };
                for q in 0..k {
                    acc = left_at(a, a_transposed, i, q).mul_add(b.row(q, j, 1)[0], acc);
                }
                c.row(i, c_col + j, 1)[0] = acc;
            }
        }
    }
}

/// All full-vector column blocks of a panel: blocks of 4 vectors, then one of 3, 2 or 1.
#[inline(always)]
fn column_blocks<S: Simd, const AT: bool>(
    simd: S,
    p: &Block<'_>,
    c: &mut MatMut<'_>,
    m: usize,
    vectors: usize,
    c_col: usize,
) {
    let lanes = S::F32_LANES;
    let mut v = 0;
    if lanes < 16 {
        // AVX2 has 16 vector registers, not 32: a 4 × 4 tile (16 accumulators, 4 loaded
        // vectors, a broadcast) spilled to the stack (about 1.7× the instructions of `gemm`'s
        // 6 × 2 kernel under callgrind). Tiles of 6 rows × 2 vectors keep 12 accumulators.
        while v + 2 <= vectors {
            column_block::<S, AVX2_ROWS, 2, AT>(simd, p, c, m, v * lanes, c_col);
            v += 2;
        }
        if v < vectors {
            column_block::<S, NARROW_ROWS, 1, AT>(simd, p, c, m, v * lanes, c_col);
        }
        return;
    }
    while v + 4 <= vectors {
        column_block::<S, WIDE_ROWS, 4, AT>(simd, p, c, m, v * lanes, c_col);
        v += 4;
    }
    match vectors - v {
        3 => column_block::<S, WIDE_ROWS, 3, AT>(simd, p, c, m, v * lanes, c_col),
        2 => column_block::<S, NARROW_ROWS, 2, AT>(simd, p, c, m, v * lanes, c_col),
        1 => column_block::<S, NARROW_ROWS, 1, AT>(simd, p, c, m, v * lanes, c_col),
        _ => {}
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
fn column_block<S: Simd, const MR: usize, const NR: usize, const AT: bool>(
    simd: S,
    p: &Block<'_>,
    c: &mut MatMut<'_>,
    m: usize,
    j0: usize,
    c_col: usize,
) {
    let mut i = 0;
    while i + MR <= m {
        tile::<S, MR, NR, AT>(simd, p, c, i, j0, c_col);
        i += MR;
    }
    if MR > 4 && i + 4 <= m {
        tile::<S, 4, NR, AT>(simd, p, c, i, j0, c_col);
        i += 4;
    }
    if i + 2 <= m {
        tile::<S, 2, NR, AT>(simd, p, c, i, j0, c_col);
        i += 2;
    }
    if i < m {
        tile::<S, 1, NR, AT>(simd, p, c, i, j0, c_col);
    }
}

/// One `MR × NR`-vector output tile at row `i0`, panel column `j0`, summed over the whole inner
/// dimension in registers (at most 128 rows of a 64-column panel: 32 KB, which stays in L1 while
/// every row tile of `a` passes over it).
#[inline(always)]
fn tile<S: Simd, const MR: usize, const NR: usize, const AT: bool>(
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
    if AT {
        // `a` stored `(k, m)`: the tile's `MR` values of inner row `q` are contiguous.
        // Whole rows of both operands (the callers pass `ld·k` values or more), walked as
        // fixed-length chunks so the loop carries no per-step bounds arithmetic.
        let (Some(a_data), Some(b_data)) =
            (p.a.data.get(..p.k * p.a.ld), p.b.data.get(..p.k * p.b.ld))
        else {
            return;
        };
        let (a_ld, b_ld) = (p.a.ld.max(1), p.b.ld.max(1));
        if i0 + MR > a_ld || j0 + width > b_ld {
            return;
        }
        for (a_row, b_row) in a_data.chunks_exact(a_ld).zip(b_data.chunks_exact(b_ld)) {
            let Some(a_col) = a_row[i0..].first_chunk::<MR>() else {
                return;
            };
            let (b_vecs, _) = S::as_simd_f32s(&b_row[j0..j0 + width]);
            let Some(b_vecs) = b_vecs.first_chunk::<NR>() else {
                return;
            };
            for (acc_row, &x) in acc.iter_mut().zip(a_col) {
                let x = simd.splat_f32s(x);
                for (a, bv) in acc_row.iter_mut().zip(b_vecs) {
                    *a = simd.mul_add_f32s(x, *bv, *a);
                }
            }
        }
    } else {
        let a_rows: [&[f32]; MR] = core::array::from_fn(|r| p.a.row(i0 + r, 0, p.k));
        let Some(b_data) = p.b.data.get(..p.k * p.b.ld) else {
            return;
        };
        let b_ld = p.b.ld.max(1);
        if j0 + width > b_ld {
            return;
        }
        for (q, b_row) in (0..p.k).zip(b_data.chunks_exact(b_ld)) {
            let (b_vecs, _) = S::as_simd_f32s(&b_row[j0..j0 + width]);
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
    }
    for (r, acc_row) in acc.iter().enumerate() {
        let (vecs, _) = S::as_mut_simd_f32s(c.row(i0 + r, c_col + j0, width));
        for (v, a) in vecs.iter_mut().zip(acc_row) {
            *v = *a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulp::Simd;

    /// A given instruction set.
    struct Using<S>(S);

    impl<S: Simd> Runner for Using<S> {
        fn run(&self, t: Tiled<'_, '_>) {
            self.0.vectorize(t);
        }
    }

    fn filled(len: usize, salt: u32) -> Vec<f32> {
        (0..len as u32)
            .map(|i| ((i.wrapping_mul(2_654_435_761) ^ salt) % 2001) as f32 / 1000.0 - 1.0)
            .collect()
    }

    fn bits(x: &[f32]) -> Vec<u32> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// Both products, overwriting and accumulating, give the same bits on the scalar fallback,
    /// AVX2 + FMA (whose tiles have another shape: 16 vector registers) and AVX-512, where the
    /// CPU has them: every output is the same in-order `fma` chain.
    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        for &(m, k, n) in &[
            (16, 32, 128),
            (16, 128, 32),
            (13, 70, 97),
            (32, 192, 128),
            (7, 3, 5),
            (37, 128, 47),
            (21, 47, 128),
            (128, 70, 47),
            (9, 20, 143),
        ] {
            let a = filled(m * k, 1);
            let at = filled(k * m, 2);
            let bm = filled(k * n, 3);
            let start = filled(m * n, 4);
            let panels = Panels::pack(&bm, n, k, n);
            let run = |arch: &WithRunner<'_>| {
                let mut outs = Vec::new();
                arch(&mut |r: &dyn RunnerDyn| {
                    for accumulate in [false, true] {
                        let mut c = start.clone();
                        r.product(&a, k, &panels, &mut c, n, m, accumulate);
                        outs.push(bits(&c));
                        let mut c = start.clone();
                        r.product_tn(&at, [m, n, n], &bm, &mut c, [m, k, n], accumulate);
                        outs.push(bits(&c));
                    }
                });
                outs
            };
            let scalar = run(&|f| f(&Using(pulp::Scalar::new())));
            assert_eq!(scalar.len(), 4);
            // The scalar runner is the definition: each output one in-order `fma` chain.
            let mut want = Vec::with_capacity(m * n);
            for i in 0..m {
                for j in 0..n {
                    let acc = (0..k).fold(0.0f32, |s, q| a[i * k + q].mul_add(bm[q * n + j], s));
                    want.push(acc.to_bits());
                }
            }
            assert_eq!(scalar[0], want, "scalar vs definition at ({m},{k},{n})");
            #[cfg(target_arch = "x86_64")]
            {
                if let Some(v3) = pulp::x86::V3::try_new() {
                    let got = run(&|f| f(&Using(v3)));
                    assert_eq!(got, scalar, "AVX2 vs scalar at ({m},{k},{n})");
                }
                if let Some(v4) = pulp::x86::V4::try_new() {
                    let got = run(&|f| f(&Using(v4)));
                    assert_eq!(got, scalar, "AVX-512 vs scalar at ({m},{k},{n})");
                }
            }
        }
    }

    /// Calls its argument with one instruction set's runner.
    type WithRunner<'f> = dyn Fn(&mut dyn FnMut(&dyn RunnerDyn)) + 'f;

    /// The two products behind an object, for the test's loop over instruction sets.
    trait RunnerDyn {
        #[allow(clippy::too_many_arguments)]
        fn product(
            &self,
            a: &[f32],
            lda: usize,
            b: &Panels,
            c: &mut [f32],
            ldc: usize,
            m: usize,
            accumulate: bool,
        );
        fn product_tn(
            &self,
            a: &[f32],
            ld: [usize; 3],
            b: &[f32],
            c: &mut [f32],
            mkn: [usize; 3],
            accumulate: bool,
        );
    }

    impl<S: Simd> RunnerDyn for Using<S> {
        fn product(
            &self,
            a: &[f32],
            lda: usize,
            b: &Panels,
            c: &mut [f32],
            ldc: usize,
            m: usize,
            accumulate: bool,
        ) {
            product_on(self, a, lda, b, c, ldc, m, accumulate);
        }
        fn product_tn(
            &self,
            a: &[f32],
            ld: [usize; 3],
            b: &[f32],
            c: &mut [f32],
            mkn: [usize; 3],
            accumulate: bool,
        ) {
            product_tn_on(self, a, ld, b, c, mkn, accumulate);
        }
    }
}
