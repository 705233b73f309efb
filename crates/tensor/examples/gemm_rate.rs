//! f32 matrix-product throughput of `tensor::linalg` (the `gemm` crate) on the shapes an LSTM's
//! training step uses, printed as GFLOP/s of wall time and of CPU time (user + system of the
//! whole process, so it is honest on a loaded machine).
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p rnnlab-tensor --example gemm_rate [seconds per shape] [label filter]
//! ```
//!
//! Shapes (`m×k·k×n`, `T` steps, `B` batch, `in` features, `H` units): the per-step products
//! `(B,H)·(H,4H)` and `(B,4H)·(4H,H)`, the up-front input projection `(T·B,in)·(in,4H)`, the weight
//! gradients `(H,T·B)·(T·B,4H)` and `(in,T·B)·(T·B,4H)`, the input gradient `(T·B,4H)·(4H,in)`, at
//! the issue's two large LSTM shapes, plus a 1024³ square for the machine's attainable peak.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Instant;

use ndarray::Array2;
use tensor::cpu_time::process_cpu_seconds;
use tensor::linalg::{PackedMatrix, matmul_into, matmul_packed_into};

/// CPU seconds this process has used (NaN where `/proc/self/stat` is missing).
fn process_cpu_s() -> f64 {
    process_cpu_seconds().unwrap_or(f64::NAN)
}

/// `(label, m, k, n, a transposed, b transposed)`.
type Shape = (&'static str, usize, usize, usize, bool, bool);

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    // An optional second argument keeps only the shapes whose label contains it.
    let only = std::env::args().nth(2).unwrap_or_default();
    let shapes: Vec<Shape> = vec![
        ("square 1024^3", 1024, 1024, 1024, false, false),
        ("step fwd (64,128)x(128,512)", 64, 128, 512, false, false),
        ("step bwd (64,512)x(512,128)", 64, 512, 128, false, false),
        ("proj (4096,60)x(60,512)", 4096, 60, 512, false, false),
        (
            "shard step fwd (32,128)x(128,512)",
            32,
            128,
            512,
            false,
            false,
        ),
        (
            "shard step bwd (32,512)x(512,128)",
            32,
            512,
            128,
            false,
            false,
        ),
        (
            "shard dU h'.dg (128,2048)x(2048,512)",
            128,
            2048,
            512,
            true,
            false,
        ),
        (
            "dU h'.dg (128,4096)x(4096,512)",
            128,
            4096,
            512,
            true,
            false,
        ),
        ("dW x'.dg (60,4096)x(4096,512)", 60, 4096, 512, true, false),
        ("dx dg.W' (4096,512)x(512,60)", 4096, 512, 60, false, true),
        ("step fwd (32,256)x(256,1024)", 32, 256, 1024, false, false),
        ("step bwd (32,1024)x(1024,256)", 32, 1024, 256, false, false),
        ("proj (1024,100)x(100,1024)", 1024, 100, 1024, false, false),
        (
            "dU h'.dg (256,1024)x(1024,1024)",
            256,
            1024,
            1024,
            true,
            false,
        ),
        (
            "dW x'.dg (100,1024)x(1024,1024)",
            100,
            1024,
            1024,
            true,
            false,
        ),
        (
            "dx dg.W' (1024,1024)x(1024,100)",
            1024,
            1024,
            100,
            false,
            true,
        ),
        ("lesson step (16,32)x(32,128)", 16, 32, 128, false, false),
        (
            "lesson step bwd (16,128)x(128,32)",
            16,
            128,
            32,
            false,
            false,
        ),
        ("lesson proj (192,32)x(32,128)", 192, 32, 128, false, false),
        (
            "lesson dU h'.dg (32,192)x(192,128)",
            32,
            192,
            128,
            true,
            false,
        ),
        (
            "lesson dx dg.W' (192,128)x(128,32)",
            192,
            128,
            32,
            false,
            true,
        ),
        ("lesson proj1 (192,1)x(1,128)", 192, 1, 128, false, false),
        (
            "char dense (4096,128)x(128,47)",
            4096,
            128,
            47,
            false,
            false,
        ),
    ];
    println!(
        "threads {}  (GFLOP/s = 2·m·k·n per second)",
        tensor::rayon::current_num_threads()
    );
    println!(
        "{:<40} {:>10} {:>10} {:>9} {:>10}",
        "shape", "GF/s wall", "GF/s CPU", "us/call", "GF/s best"
    );
    for (label, m, k, n, at, bt) in shapes.into_iter().filter(|s| s.0.contains(only.as_str())) {
        let fill = |r: usize, c: usize| {
            Array2::from_shape_fn((r, c), |(i, j)| {
                ((i * 31 + j * 17) % 97) as f32 / 97.0 - 0.5
            })
        };
        let a_store = if at { fill(k, m) } else { fill(m, k) };
        let b_store = if bt { fill(n, k) } else { fill(k, n) };
        let a = if at { a_store.t() } else { a_store.view() };
        let b = if bt { b_store.t() } else { b_store.view() };
        let mut out = Array2::<f32>::zeros((m, n));
        // Both the gemm path and the register-tiled one on `b` packed once (as a recurrent layer
        // packs its recurrent kernel once per sequence).
        let packed = PackedMatrix::new(&b);
        for tiled in [false, true] {
            let call = |out: &mut Array2<f32>| {
                if tiled {
                    matmul_packed_into(&a, &packed, false, &mut out.view_mut()).unwrap();
                } else {
                    matmul_into(1.0, &a, &b, 0.0, &mut out.view_mut()).unwrap();
                }
            };
            for _ in 0..3 {
                call(&mut out);
            }
            let (t0, c0) = (Instant::now(), process_cpu_s());
            let mut calls = 0u64;
            let mut each = Vec::new();
            while calls < 5 || t0.elapsed().as_secs_f64() < seconds {
                let t = Instant::now();
                call(&mut out);
                each.push(t.elapsed().as_secs_f64());
                calls += 1;
            }
            let wall = t0.elapsed().as_secs_f64();
            let cpu = process_cpu_s() - c0;
            let flop = 2.0 * (m * k * n) as f64;
            // The fastest single call: on a loaded machine the calls that ran
            // without being preempted, which the mean of wall or CPU time mixes with the rest.
            each.sort_by(f64::total_cmp);
            let p10 = each[0];
            let name = if tiled {
                format!("{label} tiled")
            } else {
                label.to_string()
            };
            println!(
                "{name:<40} {:>10.1} {:>10.1} {:>9.2} {:>10.1}",
                flop * calls as f64 / wall / 1e9,
                flop * calls as f64 / cpu / 1e9,
                1e6 * wall / calls as f64,
                flop / p10 / 1e9,
            );
        }
        std::hint::black_box(&out);
    }
}
