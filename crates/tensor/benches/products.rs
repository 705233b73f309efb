//! The matrix products a recurrent layer makes, on `gemm` (`linalg::matmul_into`) and on the
//! register-tiled kernel (`linalg::matmul_packed_into` with the right-hand matrix packed once, and
//! `linalg::matmul_tn_into` for weight gradients): the per-step products of the lesson
//! (`B` 16, `H` 32) and of the character model (`B` 64, `H` 128), forward `(B,H)·(H,4H)` and
//! backward `(B,4H)·(4H,H)`, and the lesson's weight gradient `hᵀ·dz` `(32,192)ᵀ·(192,128)`.
//! Throughput is reported in multiply-adds per second (criterion's elements).
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

criterion_group!(benches, step_products, weight_gradient);
criterion_main!(benches);
