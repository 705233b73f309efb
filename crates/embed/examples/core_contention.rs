//! How much two threads that share NOTHING slow each other down on this machine: the floor under Word2Vec's
//! two-thread CPU cost, whatever the weight-sharing scheme.
//!
//! Each thread owns a buffer of `dim`-float rows and does what a Word2Vec step does to a row — a dot product and an
//! update of a row picked at random — a fixed number of times, first alone, then two threads at once. The CPU time
//! each thread needs for the same work is read from `/proc/thread-self/schedstat` (Linux), so other processes'
//! load does not count, only what the cores' shared parts (caches, memory, a sibling hyper-thread) cost.
//!
//! ```sh
//! cargo run --release -p rnnlab-embed --example core_contention -- [ROWS] [STEPS]
//! ```
//! Default: 3,597 rows of 100 floats (1.4 MB, one Word2Vec matrix of the novel at min_count 5) and 2 × 3,597 rows
//! (both matrices), 20 million steps. Run it on a quiet machine: a neighbour on the other core counts as contention.

use std::time::Instant;

/// CPU nanoseconds this thread has run, or `None` off Linux.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `steps` random-row dot-and-update steps over `rows` rows of 100 floats; returns a checksum.
fn row_traffic(rows: usize, steps: usize, seed: u64) -> f32 {
    const DIM: usize = 100;
    let mut buf = vec![0.01f32; rows * DIM];
    let h = [0.5f32; DIM];
    let mut state = seed;
    let mut total = 0.0f32;
    for _ in 0..steps {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // Zipf-like: squaring a uniform number favours low (frequent) rows, as Word2Vec's sorted ids do.
        let u = (state >> 33) as f64 / f64::from(1u32 << 31);
        let r = ((u * u) * rows as f64) as usize % rows;
        let row = &mut buf[r * DIM..(r + 1) * DIM];
        let f: f32 = row.iter().zip(&h).map(|(a, b)| a * b).sum();
        let g = 1e-6 * (1.0 - f.tanh());
        row.iter_mut().zip(&h).for_each(|(a, b)| *a += g * b);
        total += f;
    }
    total
}

/// Runs `threads` copies at once; returns each thread's CPU seconds and the wall time.
fn run(threads: usize, rows: usize, steps: usize) -> (Vec<f64>, f64) {
    let start = Instant::now();
    let cpu = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let before = thread_cpu_ns().unwrap_or(0);
                    let checksum = row_traffic(rows, steps, 7 + t as u64);
                    let after = thread_cpu_ns().unwrap_or(0);
                    assert!(checksum.is_finite());
                    (after - before) as f64 / 1e9
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(f64::NAN))
            .collect()
    });
    (cpu, start.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let steps = args.get(1).copied().unwrap_or(20_000_000);
    let sizes = match args.first() {
        Some(&rows) => vec![rows],
        None => vec![3_597, 2 * 3_597],
    };
    if thread_cpu_ns().is_none() {
        eprintln!("no /proc/thread-self/schedstat: CPU times below are 0");
    }
    for rows in sizes {
        let (one, wall_one) = run(1, rows, steps);
        let (two, wall_two) = run(2, rows, steps);
        let mean_two = two.iter().sum::<f64>() / two.len() as f64;
        println!(
            "{rows} rows ({:.1} MB per thread), {steps} steps: 1 thread {:.3} CPU s ({wall_one:.2} s wall); \
             2 threads {:.3} / {:.3} CPU s each ({wall_two:.2} s wall): +{:.0} % CPU for the same work",
            rows as f64 * 400.0 / 1e6,
            one[0],
            two[0],
            two[1],
            (mean_two / one[0] - 1.0) * 100.0
        );
    }
}
