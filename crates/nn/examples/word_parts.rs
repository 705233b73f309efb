//! The pieces of one word-rnn training batch timed in isolation (10th percentile of single calls,
//! so a loaded machine's preempted calls do not count): the tied output layer's three
//! vocabulary-wide products in the layouts the tape uses, the cross-entropy's two passes over the
//! logits, and the Adam step over the network's 1.3 M weights. With `RAYON_NUM_THREADS=2` the passes
//! that split over the pool (the cross-entropy's, the column sums, Adam, the norm and the scan)
//! show their 2-thread time. Products are given in GFLOP/s
//! (2·m·k·n per second), to compare with the machine's attainable peak (`tensor`'s `gemm_rate`
//! example, `square 1024^3`).
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p rnnlab-nn --example word_parts [seconds per part] [vocabulary]
//! ```
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Instant;

use ndarray::{Array2, ArrayD, IxDyn};
use nn::{Adam, Flavor, Grads, Optimizer, Params, Tape};
use tensor::linalg::matmul_into;
use tensor::softmax::{exp_shifted_rows, log_sum_exp_rows};

const ROWS: usize = 320;
const DIM: usize = 100;

fn fill(r: usize, c: usize, scale: f32) -> Array2<f32> {
    Array2::from_shape_fn((r, c), |(i, j)| {
        (((i * 31 + j * 17) % 97) as f32 / 97.0 - 0.5) * scale
    })
}

/// The 10th percentile of the single calls' wall time, in seconds.
fn p10(seconds: f64, mut call: impl FnMut()) -> f64 {
    for _ in 0..3 {
        call();
    }
    let t0 = Instant::now();
    let mut each = Vec::new();
    while each.len() < 10 || t0.elapsed().as_secs_f64() < seconds {
        let t = Instant::now();
        call();
        each.push(t.elapsed().as_secs_f64());
    }
    each.sort_by(f64::total_cmp);
    each[each.len() / 10]
}

fn report(name: &str, s: f64, flop: Option<f64>) {
    match flop {
        Some(f) => println!("{name:<44} {:8.3} ms  {:7.1} GFLOP/s", 1e3 * s, f / s / 1e9),
        None => println!("{name:<44} {:8.3} ms", 1e3 * s),
    }
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let vocab: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(9_079);
    let flop = Some(2.0 * (ROWS * DIM * vocab) as f64);
    println!(
        "threads {}; {ROWS} rows, width {DIM}, vocabulary {vocab}",
        tensor::rayon::current_num_threads()
    );
    let table = fill(vocab, DIM, 0.2);
    let x = fill(ROWS, DIM, 2.0);
    let bias = fill(1, vocab, 0.1);
    let mut logits = Array2::<f32>::zeros((ROWS, vocab));
    let s = p10(seconds, || {
        for mut row in logits.rows_mut() {
            row.assign(&bias.row(0));
        }
        matmul_into(1.0, &x.view(), &table.t(), 1.0, &mut logits.view_mut()).unwrap();
    });
    report("logits = bias + x·Eᵀ  (320,100)x(100,V)", s, flop);
    let s = p10(seconds, || {
        for mut row in logits.rows_mut() {
            row.assign(&bias.row(0));
        }
    });
    report("  of which the bias rows", s, None);
    let s = p10(seconds, || {
        matmul_into(1.0, &x.view(), &table.t(), 0.0, &mut logits.view_mut()).unwrap();
    });
    report("  x·Eᵀ alone, E (V,100) read transposed", s, flop);
    let table_t = table.t().as_standard_layout().into_owned();
    let s = p10(seconds, || {
        matmul_into(1.0, &x.view(), &table_t.view(), 0.0, &mut logits.view_mut()).unwrap();
    });
    report("  x·Eᵀ alone, Eᵀ (100,V) row-major", s, flop);
    let mut table_b = Array2::<f32>::zeros((vocab, DIM + 1));
    let mut x_1 = Array2::<f32>::ones((ROWS, DIM + 1));
    x_1.slice_mut(ndarray::s![.., ..DIM]).assign(&x);
    let s = p10(seconds, || {
        table_b.slice_mut(ndarray::s![.., ..DIM]).assign(&table);
        table_b.column_mut(DIM).assign(&bias.row(0));
        matmul_into(1.0, &x_1.view(), &table_b.t(), 0.0, &mut logits.view_mut()).unwrap();
    });
    report("  [x|1]·[E|b]ᵀ with the [E|b] copy", s, flop);
    let mut copy = Array2::<f32>::zeros((DIM, vocab));
    let s = p10(seconds, || copy.assign(&table.t()));
    report("  Eᵀ copied row-major", s, None);
    let targets: Vec<usize> = (0..ROWS).map(|i| (i * 7919) % vocab).collect();
    let flat = logits.as_slice().unwrap();
    let mut lse = Vec::new();
    let s = p10(seconds, || lse = log_sum_exp_rows(flat, vocab));
    report("cross-entropy forward (log-sum-exp rows)", s, None);
    let mut dy = Vec::new();
    let s = p10(seconds, || {
        dy = exp_shifted_rows(flat, vocab, &lse, 1.0 / ROWS as f32);
        for (r, &t) in targets.iter().enumerate() {
            dy[r * vocab + t] -= 1.0 / ROWS as f32;
        }
    });
    report("cross-entropy backward (dY rows)", s, None);
    let dy = Array2::from_shape_vec((ROWS, vocab), dy).unwrap();
    let mut dx = Array2::<f32>::zeros((ROWS, DIM));
    let s = p10(seconds, || {
        matmul_into(1.0, &dy.view(), &table.view(), 0.0, &mut dx.view_mut()).unwrap();
    });
    report("dX = dY·E  (320,V)x(V,100)", s, flop);
    let mut de = Array2::<f32>::zeros((vocab, DIM));
    let s = p10(seconds, || {
        matmul_into(1.0, &dy.t(), &x.view(), 0.0, &mut de.view_mut()).unwrap();
    });
    report("dE = dYᵀ·X  (V,320)x(320,100)", s, flop);
    let s = p10(seconds, || {
        let db = tensor::reduce::column_sums(dy.as_slice().unwrap(), vocab);
        std::hint::black_box(db);
    });
    report("db = column sums of dY", s, None);
    // Adam over word-rnn's weights: the table, the LSTM (100+256+1)·1024, the projection, the bias.
    let mut ps = Params::new();
    let shapes: [&[usize]; 7] = [
        &[vocab, DIM],
        &[DIM, 1024],
        &[256, 1024],
        &[1024],
        &[256, DIM],
        &[DIM],
        &[vocab],
    ];
    let ids: Vec<_> = shapes
        .iter()
        .enumerate()
        .map(|(i, sh)| {
            let n: usize = sh.iter().product();
            let v = ArrayD::from_shape_vec(IxDyn(sh), fill(1, n, 0.1).into_raw_vec_and_offset().0)
                .unwrap();
            ps.add(format!("p{i}"), v, true)
        })
        .collect();
    let grads: Grads = {
        // Gradients through a tape: the sum of every weight times a constant.
        let mut t = Tape::new(&ps);
        let mut total = None;
        for &id in &ids {
            let p = t.param(id);
            let s = t.sum(p);
            total = Some(match total {
                None => s,
                Some(a) => t.add(a, s).unwrap(),
            });
        }
        let loss = t.scale(total.unwrap(), 1e-3);
        t.backward(loss).unwrap()
    };
    let weights: usize = ps.iter().map(|(_, p)| p.value.len()).sum();
    let mut adam = Adam::new(3e-3, 0.9, 0.999, 1e-8, Flavor::PyTorch);
    let s = p10(seconds, || adam.step(&mut ps, &grads).unwrap());
    report(&format!("Adam step over {weights} weights"), s, None);
    let s = p10(seconds, || {
        std::hint::black_box(grads.global_norm());
    });
    report("global gradient norm (clipping)", s, None);
    let s = p10(seconds, || {
        std::hint::black_box(grads.first_non_finite());
    });
    report("non-finite gradient scan", s, None);
}
