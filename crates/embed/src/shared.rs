//! How the training threads share the two weight matrices: the ONE place that decides it.
//!
//! Hogwild training lets every thread read and write every row of `syn0` (input vectors) and `syn1neg` (output
//! vectors) without locks; collisions are rare and a lost update only costs a little gradient. The C word2vec tool
//! and gensim do this with plain racy float stores. In Rust a data race on plain `f32` is undefined behaviour
//! whatever the hardware does, and building `&mut [f32]` to the same memory from several threads (finalfrontier's
//! `UnsafeCell` approach) is unsound — and this workspace denies `unsafe` anyway. The stores here are all sound;
//! the kernels are generic over [`RowStore`], so all of them run the same arithmetic:
//!
//! - [`PlainRows`] (one thread, the default there): plain `&mut [f32]`, nothing shared. Bit-identical run to run.
//! - [`Replica`] + [`Syncer`] (several threads, the default there): each thread trains a private copy of both
//!   matrices with plain vectorised arithmetic and flags the rows it changes. Every [`SyncPolicy::words`] words it
//!   takes the master's mutex and exchanges, in row order, the most frequent rows (ids below
//!   [`SyncPolicy::hot_rows`]; ids are sorted by count) and the next of [`SyncPolicy::tail_blocks`] equal blocks
//!   of the other rows, in turn; every row when the thread is done (a "full" sync). Exchanging a row: if this
//!   thread changed
//!   it, add its change (`master += local − base`, where `base` is the master's row as the thread last took it;
//!   this keeps the other threads' pushes) and take the result (`local = base = master`); if not, copy the master's
//!   row only if another thread pushed it since this thread last exchanged that group (each row carries the number
//!   of the sync that last changed it). If the mutex is busy, the thread trains on and retries after its next
//!   sentence instead of waiting.
//!   Sound trivially: no memory is touched by two threads outside the mutex. It is Hogwild with a bounded delay
//!   instead of racy stores: a thread sees the others' updates of a frequent row about 2,000 of its words late
//!   (of a rare row, one pass over the blocks later), and no update is ever lost or counted twice (deltas add up).
//! - [`AtomicRows`] (kept for measurement, `Store::Atomic`): the weights as `f32` bits in `[AtomicU32]` with
//!   relaxed loads and stores — sound (no data race in the language's sense) with the benign Hogwild race (a
//!   load-then-store update can lose a concurrent one; nothing is torn). But atomics are not vectorised: rows are
//!   copied element by element into thread-local buffers and stored back element by element.
//!
//! Why this scheme (measured on Crime and Punishment, vocabulary 3,597, dim 100, window 5, negative 5, sample
//! 1e-3, 5 epochs, 2 threads; quality is `bench/w2v.py`'s top-10 neighbour overlap with gensim over gensim's own
//! seed-to-seed overlap; the crate README has the table):
//! - relaxed atomics: +74 % instructions at one thread (callgrind, `examples/store_cost.rs`) because nothing
//!   vectorises; the most CPU of all schemes at two threads;
//! - the previous replicas merged EVERY row of both matrices every 2,000 words: three full copies (8.6 MB)
//!   streamed through the cache about 70 times an epoch, under one lock the other thread then waited for. At one
//!   thread that alone cost +18 % (skip-gram) and +30 % (CBOW); two threads scaled 1.63× and 1.19×.
//! - exchanging only changed rows every 2,000 words moves ~4,100 (skip-gram) / ~3,100 (CBOW) of the 7,194 rows per
//!   sync: still 8–13 % / 14–30 % of the time spent syncing.
//! - frequent rows every sync and the rest in blocks cut that to a few per cent. How stale the rare rows may be
//!   was measured, not assumed: skip-gram lost quality with hot 256 rows and blocks of 256 (0.89–0.91) or 128
//!   (0.87) where every-row exchange gave 0.91–0.92; with 1,024 and 512 it keeps 0.91. CBOW is less sensitive
//!   (0.92–0.94 with 256 and 256).
//!   Syncing every 4,000 words instead cost skip-gram quality (0.88), every 8,000 cost CBOW's (0.87–0.91).
//!   (These quality figures are from contiguous halves of the corpus per thread; dealing it in 1,000-word blocks,
//!   then round robin, now on demand in `dealer.rs`, raised the chosen scheme to 0.93 / 0.97.)
//! - then CBOW at two threads still needed 21 % more CPU than one (scaling 1.65×). Not the cores' contention
//!   (`examples/core_contention`: two threads on 20.6 MB of private rows each, −3 %) but this exchange's memory
//!   traffic: through replicas at ONE thread, CBOW missed a 2 MB L2 6.3× as often as on plain rows (callgrind's
//!   cache simulation), the exchange alone 57 % of the misses, most of the rest the kernel's rows it evicted.
//!   Hot rows are dirty at every sync and tail rows at every visit of their block, so the traffic per word is
//!   about (hot rows + tail rows / blocks) / words, and CBOW, with ~5× less work per word than skip-gram, pays ~5×
//!   more for it. So CBOW now exchanges 128 hot rows and 16 tail blocks (quality 0.962 of gensim's noise floor,
//!   was 0.992; 4,000 or 8,000 words between syncs lost more quality for less saving), and no thread exchanges
//!   every row at each epoch start any more (4 % of the misses, a blocking lock both threads hit together, no
//!   measurable quality). Two threads, min_count 5, 5 epochs (callgrind, 2 MB cache): L2 read misses 18.4 M →
//!   11.1 M, the exchange's 9.1 M → 3.5 M. The crate README has the table of the candidates.
//! - rejected without building: per-row `Mutex`es (a lock round trip per row touch, several per negative sample),
//!   `fetch_add` through CAS loops (a compare-exchange per float). Packing two floats per `AtomicU64` was tried and
//!   measured worse (2.00 G instructions).

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError, TryLockError};

use crate::kernel::{axpy, dot, fused_update};
use crate::params::Architecture;

/// Row access the training kernels need; implemented by the one-thread and the shared stores.
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

/// Rows of one matrix in plain memory that only the calling thread touches: borrowed (`&mut [f32]`, the one-thread
/// run) or owned (`Vec<f32>`, a [`Replica`]'s private copy).
pub(crate) struct PlainRows<B> {
    data: B,
    dim: usize,
}

/// The one-thread store: the caller's weights, borrowed.
pub(crate) type OwnedRows<'a> = PlainRows<&'a mut [f32]>;

impl<B: AsRef<[f32]> + AsMut<[f32]>> PlainRows<B> {
    pub(crate) fn new(data: B, dim: usize) -> Self {
        Self { data, dim }
    }

    #[inline]
    fn row(&self, row: usize) -> &[f32] {
        &self.data.as_ref()[row * self.dim..(row + 1) * self.dim]
    }

    #[inline]
    fn row_mut(&mut self, row: usize) -> &mut [f32] {
        let dim = self.dim;
        &mut self.data.as_mut()[row * dim..(row + 1) * dim]
    }
}

impl<B: AsRef<[f32]> + AsMut<[f32]>> RowStore for PlainRows<B> {
    #[inline]
    fn read(&self, row: usize, out: &mut [f32]) {
        out.copy_from_slice(self.row(row));
    }

    #[inline]
    fn accumulate(&self, row: usize, out: &mut [f32]) {
        axpy(out, 1.0, self.row(row));
    }

    #[inline]
    fn output_step(
        &mut self,
        row: usize,
        h: &[f32],
        work: &mut [f32],
        _: &mut [f32],
        step: impl FnOnce(f32) -> Option<f32>,
    ) {
        let target = self.row_mut(row);
        if let Some(g) = step(dot(h, target)) {
            fused_update(work, target, h, g);
        }
    }

    #[inline]
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]) {
        axpy(self.row_mut(row), scale, delta);
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

    /// The row's cells paired with `values`, one relaxed access per cell.
    #[inline]
    fn cells<'v, T>(
        &self,
        row: usize,
        values: &'v mut [T],
    ) -> impl Iterator<Item = (&'a AtomicU32, &'v mut T)> {
        self.data[row * self.dim..(row + 1) * self.dim]
            .iter()
            .zip(values.iter_mut())
    }

    #[inline]
    fn store(&self, row: usize, values: &mut [f32]) {
        for (cell, v) in self.cells(row, values) {
            cell.store(v.to_bits(), Ordering::Relaxed);
        }
    }
}

#[inline]
fn load(cell: &AtomicU32) -> f32 {
    f32::from_bits(cell.load(Ordering::Relaxed))
}

impl RowStore for AtomicRows<'_> {
    #[inline]
    fn read(&self, row: usize, out: &mut [f32]) {
        for (cell, o) in self.cells(row, out) {
            *o = load(cell);
        }
    }

    #[inline]
    fn accumulate(&self, row: usize, out: &mut [f32]) {
        for (cell, o) in self.cells(row, out) {
            *o += load(cell);
        }
    }

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
            self.store(row, scratch);
        }
    }

    #[inline]
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]) {
        let dim = self.dim;
        for (i, cell) in self.data[row * dim..(row + 1) * dim].iter().enumerate() {
            cell.store((load(cell) + scale * delta[i]).to_bits(), Ordering::Relaxed);
        }
    }
}

/// Moves plain weights into the shared atomic form.
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

/// When replicas meet the master (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPolicy {
    /// Words a thread trains on its own replica between two syncs.
    pub words: usize,
    /// Rows `0..hot_rows` (the most frequent words: ids are sorted by count) are exchanged at every sync.
    pub hot_rows: usize,
    /// The other rows are split into this many consecutive blocks, exchanged one per sync in turn (so a rare row
    /// waits at most this many syncs, whatever the vocabulary size), and all at the final sync. Only changed rows
    /// cost more than a flag test, so a large vocabulary's mostly idle tail costs little.
    pub tail_blocks: usize,
}

impl SyncPolicy {
    /// The measured choice (see the module comment and the crate README). Both sync every 2,000 words.
    /// Skip-gram exchanges the 1,024 most frequent rows at every sync and the rest in 6 blocks (about 430 rows on
    /// the novel at min_count 5): its quality is the more sensitive to delay, and its work per word is several
    /// times CBOW's, so a sync costs it relatively less. CBOW exchanges the 128 most frequent rows at every sync
    /// and the rest in 16 blocks (about 220 rows): its few instructions per word made the exchange's memory
    /// traffic the largest cost of its second thread.
    pub fn for_architecture(architecture: Architecture) -> Self {
        let (hot_rows, tail_blocks) = match architecture {
            Architecture::SkipGram => (1_024, 6),
            Architecture::Cbow => (128, 16),
        };
        Self {
            words: 2_000,
            hot_rows,
            tail_blocks,
        }
    }
}

/// The master copy of one matrix: values, and per row the number of the sync that last changed it.
pub(crate) struct MasterMatrix {
    values: Vec<f32>,
    stamps: Vec<u64>,
}

/// Both master matrices and the count of syncs so far; lives in a `Mutex`.
pub(crate) struct Master {
    matrices: [MasterMatrix; 2],
    syncs: u64,
}

impl Master {
    pub(crate) fn new(syn0: Vec<f32>, syn1: Vec<f32>, dim: usize) -> Self {
        let rows = syn0.len() / dim.max(1);
        let matrix = |values| MasterMatrix {
            values,
            stamps: vec![0; rows],
        };
        Self {
            matrices: [matrix(syn0), matrix(syn1)],
            syncs: 0,
        }
    }

    /// The input vectors, once every thread has synced for the last time.
    pub(crate) fn into_syn0(self) -> Vec<f32> {
        let [syn0, _] = self.matrices;
        syn0.values
    }
}

/// A thread's private copy of one weight matrix: plain rows for the hot loop, the master's values as this thread
/// last saw them (`base`), and which rows the thread changed since it last pushed them.
pub(crate) struct Replica {
    rows: PlainRows<Vec<f32>>,
    base: Vec<f32>,
    dirty: Vec<bool>,
}

impl Replica {
    fn new(master: &MasterMatrix, dim: usize) -> Self {
        Self {
            rows: PlainRows::new(master.values.clone(), dim),
            base: master.values.clone(),
            dirty: vec![false; master.stamps.len()],
        }
    }

    /// Exchanges rows `rows` with `master` in order: a row this thread changed is pushed (`master += local − base`,
    /// which keeps the other threads' pushes, then `local = base = master`) and stamped `sync`; an unchanged row
    /// that another thread pushed after sync `seen` is copied (`local = base = master`).
    fn exchange(&mut self, master: &mut MasterMatrix, rows: Range<usize>, sync: u64, seen: u64) {
        let dim = self.rows.dim;
        let span = rows.start * dim..rows.end * dim;
        let triples = master.values[span.clone()]
            .chunks_exact_mut(dim)
            .zip(self.rows.data[span.clone()].chunks_exact_mut(dim))
            .zip(self.base[span].chunks_exact_mut(dim));
        let flags = self.dirty[rows.clone()]
            .iter_mut()
            .zip(&mut master.stamps[rows]);
        for (((m, l), b), (dirty, stamp)) in triples.zip(flags) {
            if *dirty {
                for ((m, l), b) in m.iter_mut().zip(l.iter_mut()).zip(b.iter_mut()) {
                    *m += *l - *b;
                    *l = *m;
                    *b = *m;
                }
                *stamp = sync;
                *dirty = false;
            } else if *stamp > seen {
                l.copy_from_slice(m);
                b.copy_from_slice(m);
            }
        }
    }
}

impl RowStore for Replica {
    #[inline]
    fn read(&self, row: usize, out: &mut [f32]) {
        self.rows.read(row, out);
    }

    #[inline]
    fn accumulate(&self, row: usize, out: &mut [f32]) {
        self.rows.accumulate(row, out);
    }

    #[inline]
    fn output_step(
        &mut self,
        row: usize,
        h: &[f32],
        work: &mut [f32],
        scratch: &mut [f32],
        step: impl FnOnce(f32) -> Option<f32>,
    ) {
        self.dirty[row] = true;
        self.rows.output_step(row, h, work, scratch, step);
    }

    #[inline]
    fn add(&mut self, row: usize, scale: f32, delta: &[f32]) {
        self.dirty[row] = true;
        self.rows.add(row, scale, delta);
    }
}

/// One thread's link to the master: the row groups it exchanges (the hot rows, then the tail blocks), the last
/// sync at which it exchanged each group, and the tail block due next.
pub(crate) struct Syncer<'m> {
    master: &'m Mutex<Master>,
    words: usize,
    groups: Vec<Range<usize>>,
    seen: Vec<u64>,
    next_block: usize,
}

impl<'m> Syncer<'m> {
    /// Links a thread to `master` and makes its two replicas.
    pub(crate) fn new(
        master: &'m Mutex<Master>,
        policy: SyncPolicy,
        dim: usize,
    ) -> (Self, Replica, Replica) {
        let guard = master.lock().unwrap_or_else(PoisonError::into_inner);
        let [m0, m1] = &guard.matrices;
        let (r0, r1) = (Replica::new(m0, dim), Replica::new(m1, dim));
        let seen = guard.syncs;
        drop(guard);
        let rows = r0.dirty.len();
        let hot = policy.hot_rows.min(rows);
        let block = (rows - hot).div_ceil(policy.tail_blocks.max(1)).max(1);
        let tail = (hot..rows)
            .step_by(block)
            .map(|start| start..(start + block).min(rows));
        let groups: Vec<Range<usize>> = std::iter::once(0..hot).chain(tail).collect();
        let syncer = Self {
            master,
            words: policy.words,
            seen: vec![seen; groups.len()],
            groups,
            next_block: 0,
        };
        (syncer, r0, r1)
    }

    /// Words between syncs.
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// Exchanges the hot rows and the next tail block with the master, or every row if `full`. Returns
    /// `false`, having done nothing, if another thread holds the master (unless `full`): the caller trains
    /// on and tries again after its next sentence instead of waiting.
    pub(crate) fn sync(&mut self, syn0: &mut Replica, syn1: &mut Replica, full: bool) -> bool {
        let mut guard = match self.master.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) if !full => return false,
            Err(TryLockError::WouldBlock) => {
                self.master.lock().unwrap_or_else(PoisonError::into_inner)
            }
        };
        guard.syncs += 1;
        let sync = guard.syncs;
        let [m0, m1] = &mut guard.matrices;
        let blocks = self.groups.len() - 1;
        let due = if full || blocks == 0 {
            0..self.groups.len()
        } else {
            let block = 1 + self.next_block;
            self.next_block = (self.next_block + 1) % blocks;
            block..block + 1
        };
        for g in std::iter::once(0).chain(due.filter(|&g| g != 0)) {
            syn0.exchange(m0, self.groups[g].clone(), sync, self.seen[g]);
            syn1.exchange(m1, self.groups[g].clone(), sync, self.seen[g]);
            self.seen[g] = sync;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(m: &Mutex<Master>, which: usize) -> Vec<f32> {
        m.lock().unwrap().matrices[which].values.clone()
    }

    fn row(replica: &Replica, r: usize) -> Vec<f32> {
        let mut out = vec![0.0; replica.rows.dim];
        replica.read(r, &mut out);
        out
    }

    #[test]
    fn syncs_keep_every_threads_changes() {
        let every_row = SyncPolicy {
            words: 1,
            hot_rows: usize::MAX,
            tail_blocks: 1,
        };
        let m = Mutex::new(Master::new(vec![1.0, 2.0, 3.0, 4.0], vec![0.0; 4], 2));
        let (mut a, mut a0, mut a1) = Syncer::new(&m, every_row, 2);
        let (mut b, mut b0, mut b1) = Syncer::new(&m, every_row, 2);
        a0.add(0, 1.0, &[0.5, 0.5]); // thread A moves row 0
        b0.add(1, 2.0, &[1.0, -1.0]); // thread B moves row 1
        b1.add(0, 1.0, &[0.25, 0.0]);
        a.sync(&mut a0, &mut a1, false);
        b.sync(&mut b0, &mut b1, false);
        assert_eq!(values(&m, 0), vec![1.5, 2.5, 5.0, 2.0]);
        assert_eq!(values(&m, 1), vec![0.25, 0.0, 0.0, 0.0]);
        // B's copy now sees A's change; A's sees B's at its next sync.
        assert_eq!(row(&b0, 0), [1.5, 2.5]);
        assert_eq!(row(&a0, 1), [3.0, 4.0]);
        a.sync(&mut a0, &mut a1, false);
        assert_eq!(row(&a0, 1), [5.0, 2.0]);
        assert_eq!(row(&a1, 0), [0.25, 0.0]);
    }

    #[test]
    fn rare_rows_wait_for_their_block_and_no_change_is_lost_or_counted_twice() {
        // Three rows of width 1: row 0 hot, rows 1 and 2 two tail blocks of one row each (exchanged in turn).
        let policy = SyncPolicy {
            words: 1,
            hot_rows: 1,
            tail_blocks: 2,
        };
        let m = Mutex::new(Master::new(vec![0.0; 3], vec![0.0; 3], 1));
        let (mut a, mut a0, mut a1) = Syncer::new(&m, policy, 1);
        let (mut b, mut b0, mut b1) = Syncer::new(&m, policy, 1);
        for r in 0..3 {
            a0.add(r, 1.0, &[1.0]);
            b0.add(r, 1.0, &[10.0]);
        }
        a.sync(&mut a0, &mut a1, false); // rows 0 and 1
        assert_eq!(values(&m, 0), vec![1.0, 1.0, 0.0]);
        b.sync(&mut b0, &mut b1, false); // rows 0 and 1: B's changes added to A's
        assert_eq!(values(&m, 0), vec![11.0, 11.0, 0.0]);
        b.sync(&mut b0, &mut b1, false); // rows 0 and 2
        assert_eq!(values(&m, 0), vec![11.0, 11.0, 10.0]);
        a.sync(&mut a0, &mut a1, false); // rows 0 and 2: A takes row 0, adds its row 2; row 1 waits
        assert_eq!(values(&m, 0), vec![11.0, 11.0, 11.0]);
        assert_eq!(
            (row(&a0, 0), row(&a0, 1), row(&a0, 2)),
            (vec![11.0], vec![1.0], vec![11.0])
        );
        a.sync(&mut a0, &mut a1, false); // rows 0 and 1: A now sees B's row 1
        assert_eq!(row(&a0, 1), [11.0]);
        // A full sync exchanges every row at once.
        b0.add(2, 1.0, &[5.0]);
        b.sync(&mut b0, &mut b1, true);
        assert_eq!(values(&m, 0), vec![11.0, 11.0, 16.0]);
        assert_eq!(
            (row(&b0, 0), row(&b0, 1), row(&b0, 2)),
            (vec![11.0], vec![11.0], vec![16.0])
        );
    }
}
