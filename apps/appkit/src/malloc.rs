//! Keeping freed memory for reuse, for the training apps. Every training step allocates and frees arrays of
//! `batch × seq-len × classes` floats (logits, probabilities, their gradients: megabytes each). With
//! glibc's default settings such blocks come from fresh `mmap`s, or the freed top of the heap is given
//! back to the system, and every step pays page faults to get the memory again: measured (perf, one
//! thread, vocabulary 4,595) about 40 % of the training time in the kernel, and 1.5× the CPU time of the
//! same run with the memory kept (word-rnn). char-rnn at batch 64, seq 64, LSTM 128, one thread: 1.6× the
//! characters per second with the memory kept.
//!
//! The thresholds govern the main arena only. glibc gives other threads arenas of their own, made of
//! 64 MiB heaps that are unmapped as soon as they are empty, whatever the trim threshold; the training
//! loops run on rayon's threads, so their big arrays came from such heaps and were faulted in again
//! after every batch. Measured (perf, word-rnn, one thread, 1M-character fragment, vocabulary 9,079):
//! 14 % of the samples in page faults; with one arena for all threads 1.21–1.24× the words per second
//! of the same build with the per-thread arenas (two alternating pairs), and no measurable change on
//! two threads (four pairs: medians 10.9k and 10.6k words per second; char-rnn likewise within the
//! noise).

/// Raises glibc's `mmap` threshold to its maximum (32 MiB: blocks up to that size come from the heap and
/// are reused), its trim threshold to 1 GiB (freed memory stays with the process), and makes every
/// thread allocate from the main arena (whose freed memory those two settings keep). Call once, at the
/// start of the program, before threads start. Does nothing on other C libraries.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::tune();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // one call into the C library; nothing else in the crate is unsafe
mod glibc {
    unsafe extern "C" {
        /// glibc's `int mallopt(int param, int value)`.
        fn mallopt(param: i32, value: i32) -> i32;
    }

    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;

    pub fn tune() {
        // SAFETY: `mallopt` only sets malloc's parameters (it takes malloc's own lock) and has no
        // pointer arguments; a value it refuses leaves the setting as it was (return value 0).
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
            mallopt(M_ARENA_MAX, 1);
        }
    }
}
