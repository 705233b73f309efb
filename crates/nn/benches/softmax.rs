//! The output layer of word-rnn at its default shape: 16 streams × 20 steps = 320 rows of 128
//! units projected onto a 10,000-word vocabulary, then the mean cross-entropy, forward and
//! backward. `affine_cross_entropy` is what `Dense::forward_cross_entropy` does (the product, bias
//! and loss as one op, no logits kept); `fused` is `Dense::forward` then `Tape::cross_entropy`
//! (`Tape::affine`: one product accumulated onto the broadcast bias); `matmul_then_add` is the
//! same layer as a product and a broadcast add, the form it had before either. `softmax_row`
//! times the vectorised row kernel against a plain loop over `f32::exp` on one 10,000-wide row.
//!
//! `char_head`: char-rnn's output layer per 2-thread shard (batch 32 × 64 steps = 2,048 rows of
//! 128 units onto 47 symbols), forward and backward, and forward only (the held-out pass), as one
//! op and as `Tape::affine` then `Tape::cross_entropy`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use ndarray::{ArrayD, IxDyn};
use nn::{Params, Tape};

const ROWS: usize = 320;
const UNITS: usize = 128;
const VOCAB: usize = 10_000;

fn wave(shape: &[usize], scale: f32) -> ArrayD<f32> {
    let mut k = 0u32;
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        k = k.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((k >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * scale
    })
}

/// An output layer `x (batch, steps, units) · w (units, classes) + b` and its mean
/// cross-entropy on fixed targets.
struct Head {
    ps: Params,
    ids: [nn::ParamId; 3],
    targets: Vec<usize>,
}

impl Head {
    fn new(batch: usize, steps: usize, units: usize, classes: usize) -> Self {
        let mut ps = Params::new();
        let x = ps.add("x", wave(&[batch, steps, units], 2.0), true);
        let w = ps.add("w", wave(&[units, classes], 0.2), true);
        let b = ps.add("b", wave(&[classes], 0.1), true);
        let targets = (0..batch * steps).map(|i| (i * 7919) % classes).collect();
        Self {
            ps,
            ids: [x, w, b],
            targets,
        }
    }

    /// The loss as one op (`Tape::affine_cross_entropy`), through `Tape::affine` then
    /// `Tape::cross_entropy`, or as a product, a broadcast add and `Tape::cross_entropy`.
    fn loss(&self, t: &mut Tape<'_>, form: Form) -> nn::Var {
        let [xv, wv, bv] = self.ids.map(|id| t.param(id));
        let logits = match form {
            Form::OneOp => {
                return t
                    .affine_cross_entropy(xv, wv, Some(bv), false, &self.targets)
                    .unwrap();
            }
            Form::Affine => t.affine(xv, wv, bv).unwrap(),
            Form::ProductThenAdd => {
                let m = t.matmul(xv, wv).unwrap();
                t.add(m, bv).unwrap()
            }
        };
        t.cross_entropy(logits, &self.targets).unwrap()
    }

    fn forward_backward(&self, form: Form) -> nn::Grads {
        let mut t = Tape::new(&self.ps);
        let loss = self.loss(&mut t, form);
        t.backward(loss).unwrap()
    }

    fn forward_only(&self, form: Form) -> f32 {
        let mut t = Tape::inference(&self.ps);
        let loss = self.loss(&mut t, form);
        t.value(loss).sum()
    }
}

/// How the output layer and its loss are put on the tape.
#[derive(Clone, Copy)]
enum Form {
    OneOp,
    Affine,
    ProductThenAdd,
}

fn output_layer(c: &mut Criterion) {
    let head = Head::new(16, 20, UNITS, VOCAB);
    assert_eq!(head.targets.len(), ROWS);
    let mut group = c.benchmark_group("output_layer_320x128x10000");
    group.sample_size(10);
    group.bench_function("affine_cross_entropy", |bench| {
        bench.iter(|| head.forward_backward(Form::OneOp))
    });
    group.bench_function("fused", |bench| {
        bench.iter(|| head.forward_backward(Form::Affine))
    });
    group.bench_function("matmul_then_add", |bench| {
        bench.iter(|| head.forward_backward(Form::ProductThenAdd))
    });
    group.bench_function("forward_only_affine_cross_entropy", |bench| {
        bench.iter(|| head.forward_only(Form::OneOp))
    });
    group.bench_function("forward_only_fused", |bench| {
        bench.iter(|| head.forward_only(Form::Affine))
    });
    group.finish();
}

fn char_head(c: &mut Criterion) {
    let head = Head::new(32, 64, 128, 47);
    let mut group = c.benchmark_group("char_head_2048x128x47");
    group.bench_function("forward_backward_affine_cross_entropy", |bench| {
        bench.iter(|| head.forward_backward(Form::OneOp))
    });
    group.bench_function("forward_backward", |bench| {
        bench.iter(|| head.forward_backward(Form::Affine))
    });
    group.bench_function("forward_only_affine_cross_entropy", |bench| {
        bench.iter(|| head.forward_only(Form::OneOp))
    });
    group.bench_function("forward_only", |bench| {
        bench.iter(|| head.forward_only(Form::Affine))
    });
    group.finish();
}

fn softmax_row(c: &mut Criterion) {
    let row = wave(&[VOCAB], 20.0).into_raw_vec_and_offset().0;
    let mut group = c.benchmark_group("softmax_row_10000");
    group.bench_function("vectorised", |bench| {
        let mut r = row.clone();
        bench.iter(|| {
            r.copy_from_slice(&row);
            tensor::softmax::softmax_row(black_box(&mut r));
        });
    });
    group.bench_function("libm_loop", |bench| {
        let mut r = row.clone();
        bench.iter(|| {
            r.copy_from_slice(&row);
            let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0f32;
            for v in r.iter_mut() {
                *v = (*v - max).exp();
                sum += *v;
            }
            let inv = 1.0 / sum;
            for v in black_box(&mut r).iter_mut() {
                *v *= inv;
            }
        });
    });
    group.bench_function("log_sum_exp", |bench| {
        bench.iter(|| tensor::softmax::log_sum_exp(black_box(&row)));
    });
    group.finish();
}

criterion_group!(benches, output_layer, char_head, softmax_row);
criterion_main!(benches);
