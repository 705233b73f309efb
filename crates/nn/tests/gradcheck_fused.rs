//! The fused ops of the output layer: `Tape::affine` (product and bias in one) and the fused
//! log-softmax cross-entropy, and `Tape::affine_cross_entropy` (both in one, the logits not kept),
//! checked by finite differences and against their unfused definitions.
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

#[test]
fn affine_cross_entropy_gradients_plain_and_transposed_with_and_without_bias() {
    // 37 classes (not a multiple of the 16 vector lanes), wide logits; a 3-D input.
    let ps = store(vec![
        ("x", rand_array(&[2, 3, 6], 2.0, 41)),
        ("w", rand_array(&[6, 37], 1.5, 42)),
        ("b", rand_array(&[37], 1.0, 43)),
        ("table", rand_array(&[37, 6], 1.5, 44)),
    ]);
    let targets = [36, 0, 17, 5, 16, 36];
    check(&ps, |t, v| {
        t.affine_cross_entropy(v[0], v[1], Some(v[2]), false, &targets)
    });
    check(&ps, |t, v| {
        t.affine_cross_entropy(v[0], v[1], None, false, &targets)
    });
    check(&ps, |t, v| {
        t.affine_cross_entropy(v[0], v[3], Some(v[2]), true, &targets)
    });
    check(&ps, |t, v| {
        t.affine_cross_entropy(v[0], v[3], None, true, &targets)
    });
    // Scaled from above: the upstream factor reaches every input's gradient.
    check(&ps, |t, v| {
        let ce = t.affine_cross_entropy(v[0], v[3], Some(v[2]), true, &targets)?;
        Ok(t.scale(ce, -2.5))
    });
}

/// Loss and gradients of `f` on a fresh tape over `ps`, the gradients in the store's order.
fn loss_and_grads(
    ps: &Params,
    f: impl Fn(&mut Tape, &[nn::Var]) -> nn::Result<nn::Var>,
) -> (f32, Vec<Option<ArrayD<f32>>>) {
    let mut t = Tape::new(ps);
    let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let loss = f(&mut t, &v).unwrap();
    let g = t.backward(loss).unwrap();
    let grads = ps.iter().map(|(id, _)| g.get(id).cloned()).collect();
    (t.value(loss).sum(), grads)
}

#[test]
fn affine_cross_entropy_equals_the_separate_ops_on_a_vocabulary() {
    // 2 × 5 rows of 2,053 classes: the product, bias and cross-entropy as separate ops against
    // the fused op, untied (kernel (k, classes)) and tied (table (classes, k)).
    let ps = store(vec![
        ("x", rand_array(&[2, 5, 16], 1.0, 45)),
        ("table", rand_array(&[2053, 16], 1.0, 46)),
        ("b", rand_array(&[2053], 1.0, 47)),
    ]);
    let targets = [0, 2052, 7, 1000, 3, 3, 2000, 1, 512, 9];
    for transposed in [false, true] {
        let kernel = |t: &mut Tape, w: nn::Var| -> nn::Result<nn::Var> {
            if transposed {
                Ok(w)
            } else {
                // The untied layout: a (16, 2053) kernel holding the table's transpose.
                let k = t.value(w).t().as_standard_layout().into_owned();
                Ok(t.constant(k))
            }
        };
        let separate = loss_and_grads(&ps, |t, v| {
            let w = kernel(t, v[1])?;
            let logits = if transposed {
                t.affine_transposed(v[0], w, v[2])?
            } else {
                t.affine(v[0], w, v[2])?
            };
            t.cross_entropy(logits, &targets)
        });
        let fused = loss_and_grads(&ps, |t, v| {
            let w = kernel(t, v[1])?;
            t.affine_cross_entropy(v[0], w, Some(v[2]), transposed, &targets)
        });
        assert!(
            (separate.0 - fused.0).abs() < 1e-5 * separate.0.abs(),
            "{separate:?}"
        );
        // The untied kernel is a constant here: only x's and b's gradients then (and the table's
        // when tied).
        assert_eq!(fused.1[1].is_some(), transposed);
        for (a, b) in separate.1.iter().zip(&fused.1) {
            assert_eq!(a.is_some(), b.is_some());
            let (Some(a), Some(b)) = (a, b) else {
                continue;
            };
            assert_eq!(a.shape(), b.shape());
            for (p, q) in a.iter().zip(b.iter()) {
                assert!((p - q).abs() <= 1e-6 + 1e-4 * p.abs(), "{p} vs {q}");
            }
        }
    }
}

#[test]
fn affine_cross_entropy_checks_shapes_and_classes() {
    let ps = store(vec![
        ("x", rand_array(&[4, 3], 1.0, 48)),
        ("w", rand_array(&[3, 5], 1.0, 49)),
        ("bad_b", rand_array(&[4], 1.0, 50)),
    ]);
    let mut t = Tape::new(&ps);
    let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let e = t
        .affine_cross_entropy(v[0], v[1], None, false, &[0, 1, 2])
        .unwrap_err()
        .to_string();
    assert!(e.contains("[4, 3]") && e.contains("[3]"), "{e}");
    let e = t
        .affine_cross_entropy(v[0], v[1], Some(v[2]), false, &[0, 1, 2, 3])
        .unwrap_err()
        .to_string();
    assert!(e.contains("[3, 5]") && e.contains("[4]"), "{e}");
    let e = t
        .affine_cross_entropy(v[0], v[1], None, false, &[0, 1, 5, 3])
        .unwrap_err()
        .to_string();
    assert!(e.contains("class 5"), "{e}");
    let e = t
        .affine_cross_entropy(v[0], v[1], None, true, &[0, 1, 2, 3])
        .unwrap_err()
        .to_string();
    assert!(e.contains("[4, 3]") && e.contains("[3, 5]"), "{e}");
    // An inference tape gives the same loss and records nothing to differentiate.
    let mut train = Tape::new(&ps);
    let tv: Vec<_> = ps.iter().map(|(id, _)| train.param(id)).collect();
    let a = train
        .affine_cross_entropy(tv[0], tv[1], None, false, &[0, 1, 2, 3])
        .unwrap();
    let mut inf = Tape::inference(&ps);
    let iv: Vec<_> = ps.iter().map(|(id, _)| inf.param(id)).collect();
    let b = inf
        .affine_cross_entropy(iv[0], iv[1], None, false, &[0, 1, 2, 3])
        .unwrap();
    assert_eq!(train.value(a), inf.value(b));
    assert!(inf.backward(b).is_err());
}
