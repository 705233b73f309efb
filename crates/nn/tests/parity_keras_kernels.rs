//! Forward and backward parity of the fused recurrent kernels (`Tape::lstm`, `Tape::gru`,
//! `Tape::simple_rnn`) with Keras 3 `LSTM`, `GRU(reset_after=True)` and `SimpleRNN`, on the
//! fixtures in `fixtures/parity/nn/keras_*` (weights in Keras layout, used as they are).
//!
//! Outputs and gradients of `sum(output * r)` must match within 1e-5 (relative above 1).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod parity_common;

use std::collections::BTreeMap;

use nn::{ParamId, Params, Tape};
use parity_common::{Kind, assert_close, case, max_err, run_cell, weighted_sum};

const TOL: f32 = 1e-5;

/// Put every weight of the case into a parameter store under its fixture name.
fn store(weights: &parity_common::Tensors) -> (Params, BTreeMap<String, ParamId>) {
    let mut params = Params::new();
    let ids = weights
        .floats
        .iter()
        .map(|(n, v)| (n.clone(), params.add(n.clone(), v.clone(), true)))
        .collect();
    (params, ids)
}

/// One Keras recurrent layer named `layer`: forward outputs, final states and every gradient.
fn check_single(name: &str, kind: Kind, layer: &str) {
    let c = case(name);
    let cfg = c.data.config().clone();
    let (params, ids) = store(&c.weights);
    let mut tape = Tape::new(&params);
    let x = tape.variable(c.data.get("x").clone());
    let h0 = c.data.opt("h0").map(|a| tape.variable(a.clone()));
    let c0 = c.data.opt("c0").map(|a| tape.variable(a.clone()));
    let w = tape.param(ids[&format!("{layer}/kernel")]);
    let u = tape.param(ids[&format!("{layer}/recurrent_kernel")]);
    let b = tape.param(ids[&format!("{layer}/bias")]);
    let out = run_cell(&mut tape, kind, layer, x, w, u, b, h0, c0);
    let output = if cfg["return_sequences"].as_bool().unwrap() {
        out.sequence
    } else {
        out.h
    };
    assert_close(
        &format!("{name} output"),
        tape.value(output),
        c.data.get("output"),
        TOL,
    );
    if let Some(h_n) = c.data.opt("h_n") {
        assert_close(&format!("{name} h_n"), tape.value(out.h), h_n, TOL);
    }
    if let Some(c_n) = c.data.opt("c_n") {
        assert_close(&format!("{name} c_n"), tape.value(out.c.unwrap()), c_n, TOL);
    }
    let loss = weighted_sum(&mut tape, output, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    assert_close(
        &format!("{name} grad/x"),
        grads.var(x).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    for (state, var) in [("h0", h0), ("c0", c0)] {
        if let Some(v) = var {
            let g = grads.var(v).expect("initial state gradient");
            assert_close(
                &format!("{name} grad/{state}"),
                g,
                c.data.get(&format!("grad/{state}")),
                TOL,
            );
        }
    }
    for (wname, id) in &ids {
        assert_close(
            &format!("{name} grad/{wname}"),
            grads.get(*id).unwrap(),
            c.data.get(&format!("grad/{wname}")),
            TOL,
        );
    }
}

#[test]
fn keras_lstm_last_step() {
    check_single("keras_lstm_last", Kind::Lstm, "lstm");
}

#[test]
fn keras_lstm_sequences_and_states() {
    check_single("keras_lstm_seq_state", Kind::Lstm, "lstm");
}

#[test]
fn keras_lstm_given_initial_state() {
    check_single("keras_lstm_init_state", Kind::Lstm, "lstm");
}

#[test]
fn keras_gru_last_step() {
    check_single("keras_gru_last", Kind::Gru, "gru");
}

#[test]
fn keras_gru_sequences_and_states() {
    check_single("keras_gru_seq_state", Kind::Gru, "gru");
}

#[test]
fn keras_gru_given_initial_state() {
    check_single("keras_gru_init_state", Kind::Gru, "gru");
}

#[test]
fn keras_simple_rnn_last_step() {
    check_single("keras_simple_rnn_last", Kind::Rnn, "simple_rnn");
}

#[test]
fn keras_simple_rnn_sequences_and_states() {
    check_single("keras_simple_rnn_seq_state", Kind::Rnn, "simple_rnn");
}

#[test]
fn keras_simple_rnn_given_initial_state() {
    check_single("keras_simple_rnn_init_state", Kind::Rnn, "simple_rnn");
}

/// The lesson's model at the lesson's shape: LSTM(32) → LSTM(32) → Dense(1, relu), composed from
/// the fused kernels, a matrix product and relu.
#[test]
fn keras_lesson_model() {
    let c = case("keras_lesson");
    let (params, ids) = store(&c.weights);
    let mut tape = Tape::new(&params);
    let x = tape.variable(c.data.get("x").clone());
    let mut h = x;
    for layer in ["lstm_1", "lstm_2"] {
        let w = tape.param(ids[&format!("{layer}/kernel")]);
        let u = tape.param(ids[&format!("{layer}/recurrent_kernel")]);
        let b = tape.param(ids[&format!("{layer}/bias")]);
        h = run_cell(&mut tape, Kind::Lstm, layer, h, w, u, b, None, None).sequence;
    }
    let k = tape.param(ids["dense/kernel"]);
    let bias = tape.param(ids["dense/bias"]);
    let z = tape.matmul(h, k).unwrap();
    let z = tape.add(z, bias).unwrap();
    let y = tape.relu(z);
    assert_close(
        "keras_lesson output",
        tape.value(y),
        c.data.get("output"),
        TOL,
    );
    let loss = weighted_sum(&mut tape, y, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    assert_close(
        "keras_lesson grad/x",
        grads.var(x).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    for (wname, id) in &ids {
        assert_close(
            &format!("keras_lesson grad/{wname}"),
            grads.get(*id).unwrap(),
            c.data.get(&format!("grad/{wname}")),
            TOL,
        );
    }
}

/// The fixtures discriminate: swapping the GRU's z and r column blocks (the classic
/// PyTorch-vs-Keras gate-order mistake) moves the output far outside the tolerance.
#[test]
fn swapped_gru_gates_are_detected() {
    let c = case("keras_gru_seq_state");
    let units = 6;
    let swap = |a: &ndarray::ArrayD<f32>| {
        let mut s = a.clone();
        let last = a.ndim() - 1;
        for j in 0..units {
            let z = a.index_axis(ndarray::Axis(last), j).to_owned();
            let r = a.index_axis(ndarray::Axis(last), units + j).to_owned();
            s.index_axis_mut(ndarray::Axis(last), j).assign(&r);
            s.index_axis_mut(ndarray::Axis(last), units + j).assign(&z);
        }
        s
    };
    let mut params = Params::new();
    let w = params.add("k", swap(c.weights.get("gru/kernel")), true);
    let u = params.add("r", swap(c.weights.get("gru/recurrent_kernel")), true);
    let b = params.add("b", swap(c.weights.get("gru/bias")), true);
    let mut tape = Tape::inference(&params);
    let x = tape.constant(c.data.get("x").clone());
    let (w, u, b) = (tape.param(w), tape.param(u), tape.param(b));
    let out = run_cell(&mut tape, Kind::Gru, "gru", x, w, u, b, None, None);
    let err = max_err("swapped", tape.value(out.sequence), c.data.get("output"));
    assert!(err > 1e-2, "swapped gates still match within {err}");
}

#[test]
fn a_nan_anywhere_makes_the_error_nan_so_assert_close_fails() {
    let want = ndarray::ArrayD::from_elem(ndarray::IxDyn(&[3]), 1.0f32);
    let mut got = want.clone();
    got[[1]] = f32::NAN;
    assert!(max_err("nan", &got, &want).is_nan());
    let caught = std::panic::catch_unwind(|| assert_close("nan", &got, &want, 1e-5));
    assert!(caught.is_err(), "assert_close accepted a NaN");
}
