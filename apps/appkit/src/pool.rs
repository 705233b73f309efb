//! Running an app's work on exactly `--threads` threads.

use anyhow::Context;

/// Runs `work` inside a rayon pool of `threads` threads (at least one), so every product and
/// recurrent layer that splits its work splits over that pool and nothing else: without it rayon's
/// global pool has one thread per core whatever `--threads` says (char-rnn's `--threads 1` used
/// 1.4 cores).
///
/// # Errors
/// The pool cannot be started; else whatever `work` returns.
pub fn run_on_threads<R: Send>(
    threads: usize,
    work: impl FnOnce() -> anyhow::Result<R> + Send,
) -> anyhow::Result<R> {
    tensor::rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("cannot start the thread pool")?
        .install(work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_sees_exactly_the_asked_threads() {
        for threads in [1, 3] {
            let seen = run_on_threads(threads, || Ok(tensor::threads::available()));
            assert_eq!(seen.ok(), Some(threads));
        }
    }

    #[test]
    fn an_error_from_the_work_comes_back() {
        let out: anyhow::Result<()> = run_on_threads(1, || anyhow::bail!("no data"));
        assert_eq!(out.err().map(|e| e.to_string()), Some("no data".into()));
    }
}
