//! How the training threads share the two weight matrices: the ONE place that decides it.
//!
//! Hogwild training lets every thread read and write every row of `syn0` (input vectors) and `syn1neg` (output
//! vectors) without locks; collisions are rare and a lost update only costs a little gradient. The C word2vec tool
//! and gensim do this with plain racy float stores. In Rust a data race on plain `f32` is undefined behaviour
//! whatever the hardware does, and building `&mut [f32]` to the same memory from several threads (finalfrontier's
//! `UnsafeCell` approach) is unsound — and this workspace forbids `unsafe` anyway. Three sound stores live here;
//! the kernels are generic over [`RowStore`], so all three run the same arithmetic:
//!
//! - [`OwnedRows`] (one thread, the default there): plain `&mut [f32]`, nothing shared. Bit-identical run to run.
//! - [`Replica`] + [`merge`] (several threads, the default there): each thread trains a private copy of both
//!   matrices with plain vectorised arithmetic and, every `SYNC_WORDS` (2,000) words and at each epoch's end,
//!   locks the master, adds its own change since its last merge (`local − snapshot`) and takes the master's values
//!   (which include the other threads' merged work). Sound trivially: nothing is touched by two threads outside the
//!   mutex. It is Hogwild with a bounded delay instead of racy stores: a thread sees the others' updates up to
//!   2,000 of its words late, no update is ever lost (deltas add up), and the lock is taken once per 2,000 words.
//!   Costs: two extra copies of the weights per thread (memory), and a merge pass over them per sync.
//! - [`AtomicRows`] (kept for measurement, `Store::Atomic`): the weights as `f32` bits in `[AtomicU32]` with
//!   relaxed loads and stores — sound (no data race in the language's sense) with the benign Hogwild race (a
//!   load-then-store update can lose a concurrent one; nothing is torn). But atomics cannot be vectorised: rows are
//!   copied element by element into thread-local buffers and stored back element by element.
//!
//! Measured before choosing:
//! - one thread, skip-gram, dim 100, negative 5, one epoch of a synthetic 60k-token Zipf corpus
//!   (`examples/store_cost.rs`, callgrind): 1.10 G instructions through the plain store, 1.91 G through the atomic
//!   one (+74 %); criterion (`benches/train.rs`, heavily shared 2-core machine): 155 k vs 111 k words/s for
//!   skip-gram (−28 %), 464 k vs 432 k for CBOW (−7 %);
//! - two threads, skip-gram on Crime and Punishment (169,575 tokens, min_count 5, 5 epochs), CPU seconds of
//!   training (wall time was meaningless at load average ~15): plain 1 thread 1.57 s; atomic 2 threads 2.68 s;
//!   replicas 2 threads 1.94 s (merging every 10,000 words) / 1.81 s (every 2,000). Quality, as top-10 neighbour
//!   overlap with gensim relative to gensim's seed-to-seed overlap (`bench/w2v.py`): atomic 0.91 (skip-gram) /
//!   0.94 (CBOW); replicas merging every 10,000 words 0.78 / 0.88 — too stale; every 2,000 words 0.91 / 0.95.
//!   So: replicas, merged every 2,000 words.
//! - rejected without building: per-row `Mutex`es (a lock round trip per row touch, several per negative sample),
//!   `fetch_add` through CAS loops (a compare-exchange per float). Packing two floats per `AtomicU64` was tried and
//!   measured worse (2.00 G instructions).

use std::sync::Mutex;
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

/// A thread's private copy of one weight matrix, merged into a shared master under a mutex every few thousand
/// words (see [`merge`]): plain vectorised arithmetic in the hot loop, a lock only at the merge.
pub(crate) struct Replica {
    local: Vec<f32>,
    snapshot: Vec<f32>,
    dim: usize,
}

impl Replica {
    /// Copies the master's current values.
    pub(crate) fn new(master: &[f32], dim: usize) -> Self {
        Self {
            local: master.to_vec(),
            snapshot: master.to_vec(),
            dim,
        }
    }

    #[inline]
    fn row(&self, row: usize) -> &[f32] {
        &self.local[row * self.dim..(row + 1) * self.dim]
    }
}

impl RowStore for Replica {
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
        let target = &mut self.local[row * dim..(row + 1) * dim];
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
        axpy(&mut self.local[row * dim..(row + 1) * dim], scale, delta);
    }
}

/// Adds what this thread changed since its last merge (`local - snapshot`) to the master, then refreshes the
/// thread's copy (and snapshot) from the master, which now also holds the other threads' merged work.
pub(crate) fn merge(master: &Mutex<(Vec<f32>, Vec<f32>)>, syn0: &mut Replica, syn1: &mut Replica) {
    let mut guard = master
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (m0, m1) = &mut *guard;
    for (m, r) in [(m0, syn0), (m1, syn1)] {
        for ((mv, lv), sv) in m
            .iter_mut()
            .zip(r.local.iter_mut())
            .zip(r.snapshot.iter_mut())
        {
            *mv += *lv - *sv;
            *lv = *mv;
            *sv = *mv;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_keep_every_threads_changes() {
        let master = Mutex::new((vec![1.0f32, 2.0, 3.0, 4.0], vec![0.0f32; 4]));
        let (mut a0, mut a1, mut b0, mut b1) = {
            let m = master.lock().unwrap();
            (
                Replica::new(&m.0, 2),
                Replica::new(&m.1, 2),
                Replica::new(&m.0, 2),
                Replica::new(&m.1, 2),
            )
        };
        a0.add(0, 1.0, &[0.5, 0.5]); // thread A moves row 0
        b0.add(1, 2.0, &[1.0, -1.0]); // thread B moves row 1
        b1.add(0, 1.0, &[0.25, 0.0]);
        merge(&master, &mut a0, &mut a1);
        merge(&master, &mut b0, &mut b1);
        let m = master.lock().unwrap();
        assert_eq!(m.0, vec![1.5, 2.5, 5.0, 2.0]);
        assert_eq!(m.1, vec![0.25, 0.0, 0.0, 0.0]);
        // B's copy now sees A's change; A's sees it at its next merge.
        let mut row = [0.0; 2];
        b0.read(0, &mut row);
        assert_eq!(row, [1.5, 2.5]);
        drop(m);
        merge(&master, &mut a0, &mut a1);
        a0.read(1, &mut row);
        assert_eq!(row, [5.0, 2.0]);
    }
}
