//! `Tape::sampled_affine_cross_entropy`: finite differences through the gathered rows, the full
//! softmax when every class is a candidate, and the corrected logits against a direct computation.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, rand_array, store};
use nn::Tape;
use nn::sampled_softmax::Candidates;
use rand::SeedableRng;

fn rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

#[test]
fn sampled_cross_entropy_gradients_with_and_without_bias() {
    // 60 classes, 6 rows (a 3-D input), 20 drawn candidates besides the targets.
    let ps = store(vec![
        ("x", rand_array(&[2, 3, 5], 2.0, 61)),
        ("table", rand_array(&[60, 5], 1.5, 62)),
        ("b", rand_array(&[60], 1.0, 63)),
    ]);
    let targets = [59, 0, 17, 5, 17, 40];
    let c = Candidates::log_uniform(&targets, 60, 20, &mut rng(4)).unwrap();
    assert!(c.ids().len() < 60);
    check(&ps, |t, v| {
        t.sampled_affine_cross_entropy(v[0], v[1], Some(v[2]), &targets, &c)
    });
    check(&ps, |t, v| {
        t.sampled_affine_cross_entropy(v[0], v[1], None, &targets, &c)
    });
}

#[test]
fn every_class_a_candidate_is_the_full_softmax() {
    let ps = store(vec![
        ("x", rand_array(&[4, 8], 1.0, 64)),
        ("table", rand_array(&[300, 8], 1.0, 65)),
        ("b", rand_array(&[300], 1.0, 66)),
    ]);
    let targets = [3, 299, 0, 150];
    let c = Candidates::all(&targets, 300).unwrap();
    let run = |sampled: bool| {
        let mut t = Tape::new(&ps);
        let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
        let loss = if sampled {
            t.sampled_affine_cross_entropy(v[0], v[1], Some(v[2]), &targets, &c)
        } else {
            t.affine_cross_entropy(v[0], v[1], Some(v[2]), true, &targets)
        }
        .unwrap();
        let g = t.backward(loss).unwrap();
        let grads: Vec<_> = ps
            .iter()
            .map(|(id, _)| g.get(id).cloned().unwrap())
            .collect();
        (t.value(loss).sum(), grads)
    };
    let (full, sampled) = (run(false), run(true));
    assert_eq!(full.0.to_bits(), sampled.0.to_bits());
    for (a, b) in full.1.iter().zip(&sampled.1) {
        assert_eq!(a, b);
    }
}

#[test]
fn the_loss_is_the_corrected_softmax_over_the_candidates() {
    let (rows, dim, classes) = (3, 4, 200);
    let x = rand_array(&[rows, dim], 1.0, 67);
    let table = rand_array(&[classes, dim], 1.0, 68);
    let b = rand_array(&[classes], 1.0, 69);
    let targets = [5, 199, 5];
    let c = Candidates::log_uniform(&targets, classes, 30, &mut rng(8)).unwrap();
    let ps = store(vec![
        ("x", x.clone()),
        ("table", table.clone()),
        ("b", b.clone()),
    ]);
    let mut t = Tape::new(&ps);
    let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let loss = t
        .sampled_affine_cross_entropy(v[0], v[1], Some(v[2]), &targets, &c)
        .unwrap();
    let got = f64::from(t.value(loss).sum());
    // Directly, in double precision.
    let mut total = 0.0f64;
    for (r, &target) in targets.iter().enumerate() {
        let logit = |k: usize, corr: f32| -> f64 {
            let dot: f64 = (0..dim)
                .map(|j| f64::from(x[[r, j]]) * f64::from(table[[k, j]]))
                .sum();
            dot + f64::from(b[k]) - f64::from(corr)
        };
        let logits: Vec<f64> = c
            .ids()
            .iter()
            .zip(c.correction())
            .map(|(&k, &corr)| logit(k, corr))
            .collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
        total += lse - logit(target, 0.0);
    }
    let want = total / rows as f64;
    assert!((got - want).abs() < 1e-5 * want.abs(), "{got} vs {want}");
}

#[test]
fn mismatched_candidates_and_layers_without_it_are_errors() {
    let ps = store(vec![
        ("x", rand_array(&[2, 4], 1.0, 70)),
        ("table", rand_array(&[50, 4], 1.0, 71)),
    ]);
    let c = Candidates::log_uniform(&[1, 2], 60, 5, &mut rng(1)).unwrap();
    let mut t = Tape::new(&ps);
    let v: Vec<_> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let e = t
        .sampled_affine_cross_entropy(v[0], v[1], None, &[1, 2], &c)
        .unwrap_err();
    assert!(e.to_string().contains("60 classes"), "{e}");
    // A Dense output layer has no sampled softmax: the error names it.
    let mut m = nn::Sequential::new(&[4], 0);
    m.add(nn::layers::dense(50).name("out")).unwrap();
    let mut t = Tape::new(m.params());
    let x = t.constant(rand_array(&[2, 4], 1.0, 72));
    let c = Candidates::log_uniform(&[1, 2], 50, 5, &mut rng(1)).unwrap();
    let e = m.layers()[0]
        .forward_sampled_cross_entropy(&mut t, x, &[1, 2], &c)
        .unwrap_err();
    assert!(e.to_string().contains("out (Dense)"), "{e}");
}
