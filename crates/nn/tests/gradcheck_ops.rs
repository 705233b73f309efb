//! Finite-difference gradient checks for every basic op and loss.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, rand_array, store};
use ndarray::ArrayD;

#[test]
fn matmul_2d_and_3d() {
    let ps = store(vec![
        ("a", rand_array(&[3, 4], 1.0, 1)),
        ("b", rand_array(&[4, 2], 1.0, 2)),
        ("c", rand_array(&[2, 3, 4], 1.0, 3)),
    ]);
    check(&ps, |t, v| t.matmul(v[0], v[1]));
    check(&ps, |t, v| t.matmul(v[2], v[1]));
}

#[test]
fn add_sub_mul_broadcast() {
    let ps = store(vec![
        ("a", rand_array(&[2, 3, 4], 1.0, 4)),
        ("b", rand_array(&[4], 1.0, 5)),
        ("c", rand_array(&[3, 1], 1.0, 6)),
    ]);
    check(&ps, |t, v| t.add(v[0], v[1]));
    check(&ps, |t, v| t.sub(v[2], v[0]));
    check(&ps, |t, v| t.mul(v[0], v[2]));
    check(&ps, |t, v| {
        let m = t.mul(v[1], v[1])?;
        Ok(t.scale(m, -0.7))
    });
}

#[test]
fn activations() {
    let ps = store(vec![("a", rand_array(&[3, 5], 2.0, 7))]);
    check(&ps, |t, v| Ok(t.sigmoid(v[0])));
    check(&ps, |t, v| Ok(t.tanh(v[0])));
    check(&ps, |t, v| Ok(t.relu(v[0])));
    check(&ps, |t, v| Ok(t.softmax(v[0])));
    check(&ps, |t, v| Ok(t.log_softmax(v[0])));
}

#[test]
fn shape_ops() {
    let ps = store(vec![
        ("a", rand_array(&[2, 3, 4], 1.0, 8)),
        ("b", rand_array(&[2, 2, 4], 1.0, 9)),
    ]);
    check(&ps, |t, v| t.concat(&[v[0], v[1]], 1));
    check(&ps, |t, v| t.slice(v[0], 2, 1, 3));
    check(&ps, |t, v| t.select(v[0], 1, 2));
    check(&ps, |t, v| t.reshape(v[0], &[6, 4]));
    check(&ps, |t, v| t.reverse(v[0], 1));
    check(&ps, |t, v| Ok(t.sum(v[1])));
    check(&ps, |t, v| Ok(t.mean(v[0])));
}

#[test]
fn gather_accumulates_repeated_rows() {
    let ps = store(vec![("table", rand_array(&[5, 3], 1.0, 10))]);
    check(&ps, |t, v| t.gather(v[0], &[4, 0, 4, 2, 1, 4], &[2, 3]));
}

#[test]
fn dropout_uses_its_mask() {
    let ps = store(vec![("a", rand_array(&[4, 6], 1.0, 11))]);
    // The same seed for every evaluation, so the mask is fixed while differencing.
    check(&ps, |t, v| {
        let mut rng = tensor::seeded_rng(5);
        t.dropout(v[0], 0.4, &mut rng)
    });
}

#[test]
fn losses() {
    let target = rand_array(&[3, 4], 1.0, 12);
    let ps = store(vec![("p", rand_array(&[3, 4], 1.0, 13))]);
    check(&ps, |t, v| t.mse(v[0], target.clone()));
    check(&ps, |t, v| t.mae(v[0], target.clone()));
    check(&ps, |t, v| t.cross_entropy(v[0], &[3, 0, 2]));
}

#[test]
fn losses_match_definitions() {
    let ps = store(vec![(
        "p",
        ArrayD::from_shape_vec(vec![1, 3], vec![1.0, 2.0, 3.0]).unwrap(),
    )]);
    let mut t = nn::Tape::new(&ps);
    let p = t.param(ps.find("p").unwrap());
    let target = ArrayD::from_shape_vec(vec![1, 3], vec![0.0, 2.0, 5.0]).unwrap();
    let mse = t.mse(p, target.clone()).unwrap();
    assert!((t.value(mse).sum() - 5.0 / 3.0).abs() < 1e-6);
    let mae = t.mae(p, target).unwrap();
    assert!((t.value(mae).sum() - 1.0).abs() < 1e-6);
    let ce = t.cross_entropy(p, &[2]).unwrap();
    let lse = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
    assert!((f64::from(t.value(ce).sum()) - (lse - 3.0)).abs() < 1e-6);
}

#[test]
fn cross_entropy_of_nan_logits_is_nan() {
    let ps = store(vec![(
        "p",
        ArrayD::from_shape_vec(vec![2, 3], vec![f32::NAN, 0.0, 1.0, 0.5, f32::NAN, 2.0]).unwrap(),
    )]);
    let mut t = nn::Tape::new(&ps);
    let p = t.param(ps.find("p").unwrap());
    let ce = t.cross_entropy(p, &[2, 0]).unwrap();
    assert!(t.value(ce).sum().is_nan(), "{}", t.value(ce));
}

#[test]
fn shape_errors_name_both_shapes() {
    let ps = store(vec![
        ("a", rand_array(&[2, 3], 1.0, 1)),
        ("b", rand_array(&[2, 3], 1.0, 2)),
    ]);
    let mut t = nn::Tape::new(&ps);
    let (a, b) = (
        t.param(ps.find("a").unwrap()),
        t.param(ps.find("b").unwrap()),
    );
    let e = t.matmul(a, b).unwrap_err().to_string();
    assert!(e.contains("[2, 3]") && e.contains("matmul"), "{e}");
}

#[test]
fn inference_tape_refuses_backward() {
    let ps = store(vec![("a", rand_array(&[2], 1.0, 1))]);
    let mut t = nn::Tape::inference(&ps);
    let a = t.param(ps.find("a").unwrap());
    let s = t.sum(a);
    assert!(t.backward(s).is_err());
}
