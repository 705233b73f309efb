//! The matrix products a recurrent layer makes, on `gemm` (`linalg::matmul_into`) and on the
//! register-tiled kernel (`linalg::matmul_packed_into` with the right-hand matrix packed once, and
//! `linalg::matmul_tn_into` for weight gradients): the per-step products of the lesson
//! (`B` 16, `H` 32) and of the character model (`B` 64, `H` 128), forward `(B,H)·(H,4H)` and
//! backward `(B,4H)·(4H,H)`, and the lesson's weight gradient `hᵀ·dz` `(32,192)ᵀ·(192,128)`.
//! Throughput is reported in multiply-adds per second (criterion's elements).
//!
//! `dense_head`: the character model's output layer per 2-thread shard (2,048 rows = batch 32 ×
//! 64 steps, LSTM 128, 47 symbols), forward `x·W`, input gradient `dy·Wᵀ` and weight gradient
//! `xᵀ·dy`, on `gemm` against the tiled kernel. Measured (one thread, AVX-512, loaded host): `gemm`
//! 45–59 G multiply-adds/s on all three (accumulating onto `y` costs nothing extra); the tiled
//! kernel 42–58 on the two backward products, and 1.9 forward, where it takes the 15 columns
//! past the last full vector one element at a time (37–40 with a masked last vector, a version
//! left out because it made the LSTM's full-width tiles take 9 % more instructions under
//! callgrind). So the Dense head stays on `gemm`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use tensor::linalg::{PackedMatrix, matmul_into, matmul_packed_into, matmul_tn_into};

fn filled(rows: usize, cols: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * 31 + j * 17) % 97) as f32 / 97.0 - 0.5
    })
}

/// `(m, k)·(k, n)` per time step: `gemm` against the tiled kernel on a packed right-hand side.
fn step_products(c: &mut Criterion) {
    let shapes = [
        ("lesson fwd", 16, 32, 128),
        ("lesson bwd", 16, 128, 32),
        ("char fwd", 64, 128, 512),
        ("char half-batch fwd", 32, 128, 512),
    ];
    let mut group = c.benchmark_group("step_product");
    for (label, m, k, n) in shapes {
        let (a, b) = (filled(m, k), filled(k, n));
        let packed = PackedMatrix::new(&b.view());
        let mut out = Array2::<f32>::zeros((m, n));
        group.throughput(Throughput::Elements((m * k * n) as u64));
        group.bench_function(format!("{label} ({m},{k})x({k},{n}) gemm"), |bench| {
            bench
                .iter(|| matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut out.view_mut()).unwrap());
        });
        group.bench_function(format!("{label} ({m},{k})x({k},{n}) tiled"), |bench| {
            bench.iter(|| {
                matmul_packed_into(&a.view(), &packed, false, &mut out.view_mut()).unwrap()
            });
        });
    }
    group.finish();
}

/// A weight gradient `aᵀ·b` from time-major rows: `gemm` on the transposed view against
/// `matmul_tn_into` reading both operands in place.
fn weight_gradient(c: &mut Criterion) {
    let (k, m, n) = (192, 32, 128);
    let (a, b) = (filled(k, m), filled(k, n));
    let mut out = Array2::<f32>::zeros((m, n));
    let mut group = c.benchmark_group("weight_gradient");
    group.throughput(Throughput::Elements((m * k * n) as u64));
    group.bench_function("lesson h'.dz (32,192)x(192,128) gemm", |bench| {
        bench.iter(|| matmul_into(1.0, &a.t(), &b.view(), 0.0, &mut out.view_mut()).unwrap());
    });
    group.bench_function("lesson h'.dz (32,192)x(192,128) tiled", |bench| {
        bench.iter(|| matmul_tn_into(&a.view(), &b.view(), false, &mut out.view_mut()).unwrap());
    });
    group.finish();
}

/// The character model's Dense head per shard: `gemm` against the tiled kernel.
fn dense_head(c: &mut Criterion) {
    let (rows, hidden, classes) = (2048, 128, 47);
    let (x, w, dy) = (
        filled(rows, hidden),
        filled(hidden, classes),
        filled(rows, classes),
    );
    let mut y = Array2::<f32>::zeros((rows, classes));
    let mut dx = Array2::<f32>::zeros((rows, hidden));
    let mut dw = Array2::<f32>::zeros((hidden, classes));
    let mut group = c.benchmark_group("dense_head");
    group.throughput(Throughput::Elements((rows * hidden * classes) as u64));
    group.bench_function("fwd x.W (2048,128)x(128,47) gemm", |bench| {
        bench.iter(|| matmul_into(1.0, &x.view(), &w.view(), 0.0, &mut y.view_mut()).unwrap());
    });
    group.bench_function(
        "fwd x.W (2048,128)x(128,47) gemm onto y (beta 1)",
        |bench| {
            bench.iter(|| matmul_into(1.0, &x.view(), &w.view(), 1.0, &mut y.view_mut()).unwrap());
        },
    );
    group.bench_function(
        "fwd x.W (2048,128)x(128,47) tiled, W packed per call",
        |bench| {
            bench.iter(|| {
                let packed = PackedMatrix::new(&w.view());
                matmul_packed_into(&x.view(), &packed, false, &mut y.view_mut()).unwrap();
            });
        },
    );
    group.bench_function("dx dy.W' (2048,47)x(47,128) gemm", |bench| {
        bench.iter(|| matmul_into(1.0, &dy.view(), &w.t(), 0.0, &mut dx.view_mut()).unwrap());
    });
    group.bench_function(
        "dx dy.W' (2048,47)x(47,128) tiled, W' packed per call",
        |bench| {
            bench.iter(|| {
                let packed = PackedMatrix::new(&w.t());
                matmul_packed_into(&dy.view(), &packed, false, &mut dx.view_mut()).unwrap();
            });
        },
    );
    group.bench_function("dW x'.dy (128,2048)x(2048,47) gemm", |bench| {
        bench.iter(|| matmul_into(1.0, &x.t(), &dy.view(), 0.0, &mut dw.view_mut()).unwrap());
    });
    group.bench_function("dW x'.dy (128,2048)x(2048,47) matmul_tn_into", |bench| {
        bench.iter(|| matmul_tn_into(&x.view(), &dy.view(), false, &mut dw.view_mut()).unwrap());
    });
    group.finish();
}

criterion_group!(benches, step_products, weight_gradient, dense_head);
criterion_main!(benches);
