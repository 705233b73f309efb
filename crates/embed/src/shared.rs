//! How the training threads share the two weight matrices (Hogwild!): the ONE place that decides it.
//!
//! Hogwild training lets every thread read and write every row of `syn0` (input vectors) and `syn1neg` (output
//! vectors) without locks; collisions are rare (a 100-float row out of thousands) and a lost update only costs a
//! little gradient. The C word2vec tool and gensim do this with plain racy float stores. In Rust a data race on plain
//! `f32` is undefined behaviour whatever the hardware does, and building `&mut [f32]` to the same memory from several
//! threads (finalfrontier's `UnsafeCell` approach) is unsound — and this workspace forbids `unsafe` anyway.
//!
//! The scheme here is sound without `unsafe`:
//! - [`AtomicRows`]: with more than one thread, the weights live in `[AtomicU32]` holding the `f32` bits, read and
//!   written with `Ordering::Relaxed` loads and stores. Each element access is atomic, so there is no data race in
//!   the language's sense; what remains is the *benign race* Hogwild accepts on purpose: an element update
//!   `w += d` is a load then a store (not a `fetch_add`), so two threads touching the same element at the same
//!   moment may lose one of the two updates, and a row may be read while another thread is half-way through writing
//!   it. Both only perturb SGD noise; no value is ever torn (each `f32` moves as one 32-bit word) or invented.
//!   On x86-64 a relaxed 32-bit load/store is an ordinary `mov`, but the compiler will not vectorise loops over
//!   atomics, so rows are copied into thread-local buffers (`read`), the arithmetic runs vectorised on those, and
//!   results are stored back element by element (`output_step` stores an output row read, updated and written
//!   back within one negative sample — a concurrent update to it in that short window is lost, the same race at a
//!   slightly wider window; `add` re-reads an input row updated after all its negatives).
//! - [`OwnedRows`]: with one thread, the weights are a plain `&mut [f32]` (nothing is shared). The kernels call the
//!   same `read`/`add` operations, so the arithmetic is the same instruction for instruction and a one-thread run
//!   gives the same bits through either store (tested in `train.rs`).
//!
//! Measured before choosing (one thread, skip-gram, dim 100, negative 5, one epoch of a synthetic 60k-token Zipf
//! corpus, `examples/store_cost.rs`): callgrind counts 1.10 G instructions through the plain store and 1.91 G
//! through the atomic one (+74 %: every row element becomes a scalar load or store instead of a vector one);
//! criterion (`benches/train.rs`, on this heavily shared 2-core machine) gave 155 k vs 111 k words/s for skip-gram
//! (-28 %) and 464 k vs 432 k for CBOW (-7 %). So one thread keeps the plain store, and several threads pay that
//! price per thread. Alternatives considered: per-row `Mutex`es (a lock round trip per row touch, several per
//! negative sample — slower still and no more deterministic), per-thread weight copies averaged every epoch (sound
//! and deterministic but a different algorithm that converges worse in few epochs), `fetch_add` through CAS loops
//! (no lost updates, but a compare-exchange per float for no measurable quality gain), and `unsafe` shared `f32`
//! (forbidden in this workspace, and a data race is undefined behaviour). Packing two floats per `AtomicU64` to
//! halve the atomic accesses was tried and measured worse (2.00 G instructions: the pack/unpack and chunking cost
//! more than the saved loads without hand tuning).

use std::sync::atomic::{AtomicU32, Ordering};

use crate::kernel::{axpy, dot, fused_update};

/// Row access the training kernels need; implemented by the one-thread and the shared store.
pub(crate) trait RowStore {
    /// Copies row `row` into `out` (`out.len()` = dimension).
    fn read(&self, row: usize, out: &mut [f32]);
    /// `out += row`.
    fn accumulate(&self, row: usize, out: &mut [f32]);
    /// One negative-sampling step on output row `row` with hidden vector `h`: `f = h·row`; if `step(f)` gives a
    /// gradient `g`, then `work += g·row` and `row += g·h` (both from the old row). `scratch` is a spare row buffer.
    fn output_step(
        &mut self,
        row: usize,
        h: &[f32],
        work: &mut [f32],
        scratch: &mut [f32],
        step: impl FnOnce(f32) -> Option<f32>,
    );
    /// `row += scale * delta`.
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]);
}

/// Plain weights owned by the one training thread.
pub(crate) struct OwnedRows<'a> {
    data: &'a mut [f32],
    dim: usize,
}

impl<'a> OwnedRows<'a> {
    pub(crate) fn new(data: &'a mut [f32], dim: usize) -> Self {
        Self { data, dim }
    }

    #[inline]
    fn row(&self, row: usize) -> &[f32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }
}

impl RowStore for OwnedRows<'_> {
    #[inline]
    fn output_step(
        &mut self,
        row: usize,
        h: &[f32],
        work: &mut [f32],
        _: &mut [f32],
        step: impl FnOnce(f32) -> Option<f32>,
    ) {
        let dim = self.dim;
        let target = &mut self.data[row * dim..(row + 1) * dim];
        if let Some(g) = step(dot(h, target)) {
            fused_update(work, target, h, g);
        }
    }

    #[inline]
    fn read(&self, row: usize, out: &mut [f32]) {
        out.copy_from_slice(self.row(row));
    }

    #[inline]
    fn accumulate(&self, row: usize, out: &mut [f32]) {
        axpy(out, 1.0, self.row(row));
    }

    #[inline]
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]) {
        let dim = self.dim;
        axpy(&mut self.data[row * dim..(row + 1) * dim], scale, delta);
    }
}

/// Weights shared by all training threads as `f32` bits in relaxed atomics (see the module comment).
#[derive(Clone, Copy)]
pub(crate) struct AtomicRows<'a> {
    data: &'a [AtomicU32],
    dim: usize,
}

impl<'a> AtomicRows<'a> {
    pub(crate) fn new(data: &'a [AtomicU32], dim: usize) -> Self {
        Self { data, dim }
    }

    #[inline]
    fn row(&self, row: usize) -> &'a [AtomicU32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }
}

impl RowStore for AtomicRows<'_> {
    #[inline]
    fn output_step(
        &mut self,
        row: usize,
        h: &[f32],
        work: &mut [f32],
        scratch: &mut [f32],
        step: impl FnOnce(f32) -> Option<f32>,
    ) {
        self.read(row, scratch);
        if let Some(g) = step(dot(h, scratch)) {
            fused_update(work, scratch, h, g);
            for (w, &v) in self.row(row).iter().zip(scratch.iter()) {
                w.store(v.to_bits(), Ordering::Relaxed);
            }
        }
    }

    #[inline]
    fn read(&self, row: usize, out: &mut [f32]) {
        for (o, w) in out.iter_mut().zip(self.row(row)) {
            *o = f32::from_bits(w.load(Ordering::Relaxed));
        }
    }

    #[inline]
    fn accumulate(&self, row: usize, out: &mut [f32]) {
        for (o, w) in out.iter_mut().zip(self.row(row)) {
            *o += f32::from_bits(w.load(Ordering::Relaxed));
        }
    }

    #[inline]
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]) {
        for (w, &d) in self.row(row).iter().zip(delta) {
            let value = f32::from_bits(w.load(Ordering::Relaxed)) + scale * d;
            w.store(value.to_bits(), Ordering::Relaxed);
        }
    }
}

/// Moves plain weights into the shared atomic form (no copy of the allocation's size beyond the vector itself).
pub(crate) fn to_atomic(weights: Vec<f32>) -> Vec<AtomicU32> {
    weights
        .into_iter()
        .map(|w| AtomicU32::new(w.to_bits()))
        .collect()
}

/// Takes the weights back out of the atomic form once the threads have joined.
pub(crate) fn from_atomic(weights: Vec<AtomicU32>) -> Vec<f32> {
    weights
        .into_iter()
        .map(|w| f32::from_bits(w.into_inner()))
        .collect()
}
