//! The fused ops of the output layer: `Tape::affine` (product and bias in one) and the fused
//! log-softmax cross-entropy, checked by finite differences and against their unfused definitions.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, rand_array, store};
use ndarray::ArrayD;
use nn::{Params, Tape};

#[test]
fn affine_gradients_for_2d_and_3d_inputs() {
    let ps = store(vec![
        ("x2", rand_array(&[3, 4], 1.0, 21)),
        ("w", rand_array(&[4, 5], 1.0, 22)),
        ("b", rand_array(&[5], 1.0, 23)),
        ("x3", rand_array(&[2, 3, 4], 1.0, 24)),
    ]);
    check(&ps, |t, v| t.affine(v[0], v[1], v[2]));
    check(&ps, |t, v| t.affine(v[3], v[1], v[2]));
}

#[test]
fn affine_then_cross_entropy_gradients_over_many_classes() {
    // 37 classes (not a multiple of the 16 vector lanes), logits spread wide enough that the
    // softmax is far from uniform.
    let ps = store(vec![
        ("x", rand_array(&[2, 3, 6], 2.0, 25)),
        ("w", rand_array(&[6, 37], 1.5, 26)),
        ("b", rand_array(&[37], 1.0, 27)),
    ]);
    check(&ps, |t, v| {
        let logits = t.affine(v[0], v[1], v[2])?;
        t.cross_entropy(logits, &[36, 0, 17, 5, 16, 36])
    });
}

#[test]
fn affine_with_a_frozen_bias_and_input_gives_only_the_kernel_gradient() {
    let mut ps = Params::new();
    let x = ps.add("x", rand_array(&[4, 3], 1.0, 28), false);
    let w = ps.add("w", rand_array(&[3, 2], 1.0, 29), true);
    let b = ps.add("b", rand_array(&[2], 1.0, 30), false);
    let mut t = Tape::new(&ps);
    let (xv, wv, bv) = (t.param(x), t.param(w), t.param(b));
    let y = t.affine(xv, wv, bv).unwrap();
    let loss = t.sum(y);
    let g = t.backward(loss).unwrap();
    assert!(g.get(x).is_none() && g.get(b).is_none());
    // d Σ(xw + b) / dw = column sums of x, repeated over the outputs.
    let xs = ps.get(x).value.clone();
    let gw = g.get(w).unwrap();
    for i in 0..3 {
        let s: f32 = (0..4).map(|r| xs[[r, i]]).sum();
        assert!((gw[[i, 0]] - s).abs() < 1e-6 && (gw[[i, 1]] - s).abs() < 1e-6);
    }
}

#[test]
fn affine_equals_matmul_plus_bias_and_checks_shapes() {
    let ps = store(vec![
        ("x", rand_array(&[2, 5, 7], 1.0, 31)),
        ("w", rand_array(&[7, 40], 1.0, 32)),
        ("b", rand_array(&[40], 1.0, 33)),
        ("bad_b", rand_array(&[39], 1.0, 34)),
    ]);
    let mut t = Tape::new(&ps);
    let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let fused = t.affine(v[0], v[1], v[2]).unwrap();
    let m = t.matmul(v[0], v[1]).unwrap();
    let unfused = t.add(m, v[2]).unwrap();
    assert_eq!(t.shape(fused), &[2, 5, 40]);
    for (a, b) in t.value(fused).iter().zip(t.value(unfused).iter()) {
        assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
    }
    let e = t.affine(v[0], v[1], v[3]).unwrap_err().to_string();
    assert!(e.contains("[7, 40]") && e.contains("[39]"), "{e}");
    let e = t.affine(v[1], v[1], v[2]).unwrap_err().to_string();
    assert!(e.contains("[7, 40]"), "{e}");
}

/// The mean cross-entropy and its gradient in double precision, from the definition.
fn reference(logits: &ArrayD<f32>, targets: &[usize]) -> (f64, Vec<f64>) {
    let classes = *logits.shape().last().unwrap();
    let flat = logits.as_slice().unwrap();
    let rows = targets.len() as f64;
    let (mut loss, mut grad) = (0.0, Vec::new());
    for (row, &t) in flat.chunks(classes).zip(targets) {
        let max = row
            .iter()
            .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
        let sum: f64 = row.iter().map(|&v| (f64::from(v) - max).exp()).sum();
        let lse = max + sum.ln();
        loss += (lse - f64::from(row[t])) / rows;
        for (j, &v) in row.iter().enumerate() {
            let p = (f64::from(v) - lse).exp();
            grad.push((p - f64::from(u8::from(j == t))) / rows);
        }
    }
    (loss, grad)
}

#[test]
fn cross_entropy_over_a_vocabulary_sized_row_matches_double_precision() {
    // 3 rows of 2,053 classes with logits up to ±40: the fused vectorised kernels against f64.
    let logits = rand_array(&[3, 2053], 40.0, 35);
    let targets = [2052, 0, 1000];
    let ps = store(vec![("l", logits.clone())]);
    let mut t = Tape::new(&ps);
    let l = t.param(ps.find("l").unwrap());
    let ce = t.cross_entropy(l, &targets).unwrap();
    let g = t.backward(ce).unwrap();
    let (want, want_grad) = reference(&logits, &targets);
    let got = f64::from(t.value(ce).sum());
    assert!((got - want).abs() < 1e-5 * want.abs(), "{got} vs {want}");
    let grad = g.get(ps.find("l").unwrap()).unwrap();
    for (a, b) in grad.iter().zip(&want_grad) {
        assert!((f64::from(*a) - b).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn cross_entropy_with_huge_logits_stays_finite() {
    let logits = ArrayD::from_shape_vec(vec![2, 3], vec![1e4, -1e4, 0.0, -3e4, 3e4, 3e4]).unwrap();
    let ps = store(vec![("l", logits)]);
    let mut t = Tape::new(&ps);
    let l = t.param(ps.find("l").unwrap());
    let ce = t.cross_entropy(l, &[1, 2]).unwrap();
    // Row 1: lse = 1e4, loss 2e4; row 2: lse = 3e4 + ln 2, loss ln 2.
    let want = (2e4 + 2f64.ln()) / 2.0;
    assert!((f64::from(t.value(ce).sum()) - want).abs() < 1e-2);
    let g = t.backward(ce).unwrap();
    assert!(
        g.get(ps.find("l").unwrap())
            .unwrap()
            .iter()
            .all(|v| v.is_finite())
    );
}
