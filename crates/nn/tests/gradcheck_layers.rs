//! Finite-difference checks of every layer through a `Sequential` model: Dense, SimpleRNN, LSTM,
//! GRU (single, stacked), Bidirectional (concat and sum), Embedding, index input.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, rand_array};
use ndarray::ArrayD;
use nn::layers::{bidirectional, dense, embedding, gru, lstm, simple_rnn};
use nn::{Activation, Merge, Sequential};

fn check_model(model: &Sequential, x: ArrayD<f32>) {
    check(model.params(), |t, _| {
        let xv = t.constant(x.clone());
        model.forward(t, xv)
    });
}

#[test]
fn dense_with_each_activation() {
    for a in [
        Activation::Linear,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softmax,
    ] {
        let mut m = Sequential::new(&[3, 4], 1);
        m.add(dense(3).activation(a)).unwrap();
        check_model(&m, rand_array(&[2, 3, 4], 1.0, 2));
    }
}

/// `Layer::forward_cross_entropy` of a Dense layer, with and without a bias: fused for the
/// linear activation (`Tape::affine_cross_entropy`), the output then `Tape::cross_entropy` for
/// the others; checked by finite differences, and equal to its output followed by
/// `Tape::cross_entropy`.
#[test]
fn dense_cross_entropy_fused_or_not() {
    let targets = [0, 2, 1, 4, 4, 3];
    for (a, use_bias) in [
        (Activation::Linear, true),
        (Activation::Linear, false),
        (Activation::Tanh, true),
    ] {
        let mut m = Sequential::new(&[3, 4], 9);
        let cfg = dense(5).activation(a);
        m.add(if use_bias { cfg } else { cfg.without_bias() })
            .unwrap();
        let x = rand_array(&[2, 3, 4], 1.5, 10);
        let layer = &m.layers()[0];
        check(m.params(), |t, _| {
            let xv = t.constant(x.clone());
            layer.forward_cross_entropy(t, xv, &targets)
        });
        let mut t = nn::Tape::new(m.params());
        let xv = t.constant(x.clone());
        let fused = layer.forward_cross_entropy(&mut t, xv, &targets).unwrap();
        let out = layer.forward(&mut t, xv).unwrap();
        let separate = t.cross_entropy(out, &targets).unwrap();
        let (f, s) = (t.value(fused).sum(), t.value(separate).sum());
        assert!((f - s).abs() < 1e-6, "{a:?}: {f} vs {s}");
    }
}

#[test]
fn stacked_lstm_lesson_shape() {
    let mut m = Sequential::new(&[5, 1], 3);
    m.add(lstm(4).return_sequences(true)).unwrap();
    m.add(lstm(3).return_sequences(true)).unwrap();
    m.add(dense(1).activation(Activation::Tanh)).unwrap();
    check_model(&m, rand_array(&[2, 5, 1], 1.0, 4));
}

#[test]
fn stacked_gru_and_simple_rnn_last_step() {
    let mut m = Sequential::new(&[4, 2], 5);
    m.add(gru(3).return_sequences(true)).unwrap();
    m.add(simple_rnn(3)).unwrap();
    m.add(dense(2)).unwrap();
    check_model(&m, rand_array(&[3, 4, 2], 1.0, 6));
}

#[test]
fn bidirectional_concat_and_sum_stacked() {
    let mut m = Sequential::new(&[4, 2], 7);
    m.add(bidirectional(lstm(3).return_sequences(true)))
        .unwrap();
    m.add(bidirectional(gru(2)).merge(Merge::Sum)).unwrap();
    assert_eq!(m.output_shape(), &[2]);
    check_model(&m, rand_array(&[2, 4, 2], 1.0, 8));
}

#[test]
fn bidirectional_mul_and_ave() {
    let mut m = Sequential::new(&[4, 2], 17);
    m.add(bidirectional(lstm(3).return_sequences(true)).merge(Merge::Mul))
        .unwrap();
    m.add(bidirectional(gru(2)).merge(Merge::Ave)).unwrap();
    assert_eq!(m.output_shape(), &[2]);
    check_model(&m, rand_array(&[2, 4, 2], 1.0, 18));
}

#[test]
fn embedding_then_lstm_and_frozen_embedding() {
    let x = ArrayD::from_shape_vec(vec![2, 3], vec![0.0, 4.0, 2.0, 4.0, 1.0, 0.0]).unwrap();
    let mut m = Sequential::new(&[3], 9);
    m.add(embedding(5, 3)).unwrap();
    m.add(lstm(2)).unwrap();
    check_model(&m, x.clone());
    let mut f = Sequential::new(&[3], 9);
    f.add(embedding(5, 3).trainable(false)).unwrap();
    f.add(gru(2)).unwrap();
    assert_eq!(
        f.params().count(),
        (15 + 3 * 2 * 3 + 2 * 6 + 12, 3 * 2 * 3 + 2 * 6 + 12)
    );
    check_model(&f, x);
}

#[test]
fn index_input_layer_and_bidirectional_index_input() {
    let x = ArrayD::from_shape_vec(vec![2, 3], vec![0.0, 4.0, 2.0, 4.0, 1.0, 0.0]).unwrap();
    let mut m = Sequential::new(&[3], 10);
    m.add(lstm(3).index_input(5).return_sequences(true))
        .unwrap();
    m.add(dense(5)).unwrap();
    check_model(&m, x.clone());
    let mut b = Sequential::new(&[3], 11);
    b.add(bidirectional(simple_rnn(2).index_input(5))).unwrap();
    check_model(&b, x);
}

#[test]
fn shape_mismatch_names_layer_and_shapes() {
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(lstm(4)).unwrap();
    let e = m.add(lstm(4)).unwrap_err().to_string();
    assert!(e.contains("lstm_1") && e.contains("[4]"), "{e}");
    let e = m
        .predict(&ArrayD::zeros(vec![2, 12, 3]), 8)
        .unwrap_err()
        .to_string();
    assert!(e.contains("[2, 12, 3]") && e.contains("[12, 1]"), "{e}");
}

#[test]
fn step_by_step_equals_whole_sequence() {
    let mut m = Sequential::new(&[6, 2], 12);
    m.add(lstm(4).return_sequences(true)).unwrap();
    m.add(gru(3).return_sequences(true)).unwrap();
    m.add(dense(2)).unwrap();
    let x = rand_array(&[3, 6, 2], 1.0, 13);
    let whole = m.predict(&x, 8).unwrap();
    let mut state = nn::ModelState::default();
    for t in 0..6 {
        let xt = x.index_axis(ndarray::Axis(1), t).to_owned();
        let y = m.step(&xt, &mut state).unwrap();
        for (a, b) in y.iter().zip(whole.index_axis(ndarray::Axis(1), t).iter()) {
            assert!((a - b).abs() < 1e-6, "step {t}: {a} vs {b}");
        }
    }
}
