//! How many threads a piece of work may split over: the current rayon pool's size, or one inside
//! [`serial`].
//!
//! Why: a data-parallel trainer already gives each thread its own part of the batch. If a product
//! or a recurrent layer inside that part then splits again over the same pool, the machine runs
//! more busy threads than it has cores (each part's own thread plus the pool's workers), which
//! measured slower than leaving each part on its thread: char-rnn, batch 64 on 2 threads, 14–20 %
//! fewer characters per second. Everything in the workspace that decides whether to split asks
//! [`available`], and a trainer runs each part inside [`serial`].
//!
//! Splitting never changes the bits (every split in the workspace cuts rows, never an inner sum),
//! so [`serial`] changes only speed.

use std::cell::Cell;

thread_local! {
    /// Whether this thread is inside [`serial`].
    static SERIAL: Cell<bool> = const { Cell::new(false) };
}

/// Threads the current work may split over: 1 inside [`serial`], else the current rayon pool's
/// size (`RAYON_NUM_THREADS`, or the pool a caller installed).
#[must_use]
pub fn available() -> usize {
    if SERIAL.with(Cell::get) {
        1
    } else {
        rayon::current_num_threads()
    }
}

/// Runs `f` on this thread with [`available`] reporting 1 inside it, so nothing it calls splits
/// over the pool. Nests; the previous setting is restored on return and on unwind.
pub fn serial<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the previous setting back when dropped.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SERIAL.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SERIAL.with(|s| s.replace(true)));
    f()
}

/// `f` run on a pool of `n` threads: the tests' way to compare thread counts.
#[cfg(test)]
pub(crate) fn on_threads<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("a thread pool")
        .install(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_reports_one_thread_and_restores_the_pool_size() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("a 3-thread pool");
        pool.install(|| {
            assert_eq!(available(), 3);
            let inside = serial(|| (available(), serial(available), available()));
            assert_eq!(inside, (1, 1, 1));
            assert_eq!(available(), 3);
        });
    }

    #[test]
    fn serial_is_restored_after_a_panic() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("a 2-thread pool");
        pool.install(|| {
            let caught = std::panic::catch_unwind(|| serial(|| panic!("inside")));
            assert!(caught.is_err());
            assert_eq!(available(), 2);
        });
    }

    #[test]
    fn serial_belongs_to_its_thread() {
        serial(|| {
            let other = std::thread::spawn(available)
                .join()
                .expect("the thread ends");
            assert_eq!(other, rayon::current_num_threads());
            assert_eq!(available(), 1);
        });
    }
}
