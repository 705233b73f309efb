//! Keras weights loaded through nn's own import (`Sequential::import_keras` on the weight file as
//! `tools/nn_reference.py` wrote it from Keras) give Keras' outputs and gradients through the
//! layer API (`Sequential`, `Layer::forward`, `return_sequences`), within 1e-5.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod parity_common;

use nn::layers::{RecurrentConfig, dense, gru, lstm, simple_rnn};
use nn::{Activation, Sequential, Tape, read_safetensors};
use parity_common::{assert_close, case, fixture_dir, weighted_sum};

const TOL: f32 = 1e-5;

/// Run `m` on the case's input and compare the output and every gradient (nn's parameter names
/// are Keras' names, so they index the fixture directly).
fn check_model(name: &str, m: &Sequential) {
    let c = case(name);
    let mut tape = Tape::new(m.params());
    let x = tape.variable(c.data.get("x").clone());
    let out = m.forward(&mut tape, x).unwrap();
    assert_close(
        &format!("{name} output"),
        tape.value(out),
        c.data.get("output"),
        TOL,
    );
    let loss = weighted_sum(&mut tape, out, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    assert_close(
        &format!("{name} grad/x"),
        grads.var(x).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    let mut checked = 0;
    for (id, p) in m.params().iter() {
        assert_close(
            &format!("{name} grad/{}", p.name),
            grads.get(id).unwrap(),
            c.data.get(&format!("grad/{}", p.name)),
            TOL,
        );
        checked += 1;
    }
    assert_eq!(
        checked,
        c.weights.floats.len(),
        "{name}: every weight checked"
    );
}

fn single(name: &str, layer: &str, cfg: RecurrentConfig) {
    let file = read_safetensors(fixture_dir().join(format!("{name}.weights.safetensors"))).unwrap();
    let seq = case(name).data.config()["return_sequences"]
        .as_bool()
        .unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(cfg.return_sequences(seq).name(layer)).unwrap();
    m.import_keras(&file).unwrap();
    check_model(name, &m);
}

#[test]
fn keras_lstm_layer_last_step() {
    single("keras_lstm_last", "lstm", lstm(6));
}

#[test]
fn keras_lstm_layer_sequences() {
    single("keras_lstm_seq_state", "lstm", lstm(6));
}

#[test]
fn keras_gru_layer_last_step() {
    single("keras_gru_last", "gru", gru(6));
}

#[test]
fn keras_gru_layer_sequences() {
    single("keras_gru_seq_state", "gru", gru(6));
}

#[test]
fn keras_simple_rnn_layer_last_step() {
    single("keras_simple_rnn_last", "simple_rnn", simple_rnn(6));
}

#[test]
fn keras_simple_rnn_layer_sequences() {
    single("keras_simple_rnn_seq_state", "simple_rnn", simple_rnn(6));
}

/// The lesson's model built the way an app builds it, weights imported from the Keras file.
#[test]
fn keras_lesson_model_through_import() {
    let file = read_safetensors(fixture_dir().join("keras_lesson.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(lstm(32).return_sequences(true).name("lstm_1"))
        .unwrap();
    m.add(lstm(32).return_sequences(true).name("lstm_2"))
        .unwrap();
    m.add(dense(1).activation(Activation::Relu).name("dense"))
        .unwrap();
    m.import_keras(&file).unwrap();
    check_model("keras_lesson", &m);
}

/// A GRU bias of the other form (Keras `reset_after=False` stores `(3u)`) is refused by name
/// by a `reset_after` GRU, with the fix in the message.
#[test]
fn keras_import_rejects_a_reset_before_gru_bias() {
    let mut file =
        read_safetensors(fixture_dir().join("keras_gru_last.weights.safetensors")).unwrap();
    let b = file.tensors["gru/bias"]
        .index_axis(ndarray::Axis(0), 0)
        .to_owned();
    file.tensors.insert("gru/bias".into(), b);
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).name("gru")).unwrap();
    let err = m.import_keras(&file).unwrap_err().to_string();
    assert!(err.contains("gru/bias"), "unexpected message: {err}");
    assert!(
        err.contains("reset_after(false)"),
        "unexpected message: {err}"
    );
}

/// Step-by-step generation (`Sequential::step`, carrying every layer's state) reproduces Keras'
/// whole-sequence output at every time step.
fn check_steps(name: &str, m: &Sequential) {
    let c = case(name);
    let (x, want) = (c.data.get("x"), c.data.get("output"));
    let mut state = nn::ModelState::default();
    for t in 0..x.shape()[1] {
        let x_t = x.index_axis(ndarray::Axis(1), t).to_owned();
        let got = m.step(&x_t, &mut state).unwrap();
        assert_close(
            &format!("{name} step {t}"),
            &got,
            &want.index_axis(ndarray::Axis(1), t).to_owned(),
            TOL,
        );
    }
}

#[test]
fn keras_lesson_model_step_by_step() {
    let file = read_safetensors(fixture_dir().join("keras_lesson.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(lstm(32).return_sequences(true).name("lstm_1"))
        .unwrap();
    m.add(lstm(32).return_sequences(true).name("lstm_2"))
        .unwrap();
    m.add(dense(1).activation(Activation::Relu).name("dense"))
        .unwrap();
    m.import_keras(&file).unwrap();
    check_steps("keras_lesson", &m);
}

#[test]
fn keras_gru_step_by_step() {
    let file =
        read_safetensors(fixture_dir().join("keras_gru_seq_state.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).return_sequences(true).name("gru")).unwrap();
    m.import_keras(&file).unwrap();
    check_steps("keras_gru_seq_state", &m);
}

/// Keras `Bidirectional` (merge `sum` or `concat`, last states or sequences) imported by
/// `Sequential::import_keras`: Keras' `bidir/forward_<inner>/…` and `bidir/backward_<inner>/…`
/// weights go to nn's `bidir/forward/…` and `bidir/backward/…`. Every weight of the file must
/// have reached its parameter (checked by value) and the outputs and gradients match Keras.
fn bidirectional_case(name: &str, inner: &str, cfg: nn::layers::BidirectionalConfig) {
    let c = case(name);
    let file = read_safetensors(fixture_dir().join(format!("{name}.weights.safetensors"))).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(cfg.name("bidir")).unwrap();
    m.import_keras(&file).unwrap();
    for (keras_name, value) in &c.weights.floats {
        let ours = keras_name
            .replace(&format!("/forward_{inner}/"), "/forward/")
            .replace(&format!("/backward_{inner}/"), "/backward/");
        let id = m.param_id(&ours).unwrap();
        assert_eq!(&m.params().get(id).value, value, "{name}: {keras_name}");
    }
    let mut tape = Tape::new(m.params());
    let x = tape.variable(c.data.get("x").clone());
    let out = m.forward(&mut tape, x).unwrap();
    assert_close(
        &format!("{name} output"),
        tape.value(out),
        c.data.get("output"),
        TOL,
    );
    let loss = weighted_sum(&mut tape, out, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    assert_close(
        &format!("{name} grad/x"),
        grads.var(x).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    for keras_name in c.weights.floats.keys() {
        let ours = keras_name
            .replace(&format!("/forward_{inner}/"), "/forward/")
            .replace(&format!("/backward_{inner}/"), "/backward/");
        let id = m.param_id(&ours).unwrap();
        assert_close(
            &format!("{name} grad/{keras_name}"),
            grads.get(id).unwrap(),
            c.data.get(&format!("grad/{keras_name}")),
            TOL,
        );
    }
}

#[test]
fn keras_bidirectional_lstm_sum_of_last_states() {
    bidirectional_case(
        "keras_bidir_lstm_sum",
        "lstm",
        nn::layers::bidirectional(lstm(6)).merge(nn::Merge::Sum),
    );
}

#[test]
fn keras_bidirectional_gru_concatenated_sequences() {
    bidirectional_case(
        "keras_bidir_gru_concat",
        "gru",
        nn::layers::bidirectional(gru(6).return_sequences(true)),
    );
}

#[test]
fn keras_bidirectional_lstm_concatenated_sequences() {
    bidirectional_case(
        "keras_bidir_lstm_concat",
        "lstm",
        nn::layers::bidirectional(lstm(6).return_sequences(true)),
    );
}

#[test]
fn keras_bidirectional_gru_sum_of_last_states() {
    bidirectional_case(
        "keras_bidir_gru_sum",
        "gru",
        nn::layers::bidirectional(gru(6)).merge(nn::Merge::Sum),
    );
}

#[test]
fn keras_bidirectional_reset_before_gru_concatenated_sequences() {
    bidirectional_case(
        "keras_bidir_gru_v1_concat",
        "gru",
        nn::layers::bidirectional(gru(6).reset_after(false).return_sequences(true)),
    );
}

/// A file without the direction's tensors names what it looked for and what the file has.
#[test]
fn keras_bidirectional_import_names_a_missing_direction() {
    let mut file =
        read_safetensors(fixture_dir().join("keras_bidir_lstm_sum.weights.safetensors")).unwrap();
    file.tensors.retain(|n, _| !n.contains("/backward_"));
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(nn::layers::bidirectional(lstm(6)).name("bidir"))
        .unwrap();
    let err = m.import_keras(&file).unwrap_err().to_string();
    assert!(err.contains("bidir/backward_"), "unexpected message: {err}");
    assert!(err.contains("bidir/forward_lstm/kernel"), "{err}");
}

/// Keras `GRU(reset_after=False)`: one `(3u)` bias, the reset gate before the recurrent product.
#[test]
fn keras_reset_before_gru_layer_last_step() {
    single("keras_gru_v1_last", "gru", gru(6).reset_after(false));
}

#[test]
fn keras_reset_before_gru_layer_sequences() {
    single("keras_gru_v1_seq_state", "gru", gru(6).reset_after(false));
}

/// With a given initial state: the sequence, the last state and the gradients of the input,
/// the initial state and every weight.
#[test]
fn keras_reset_before_gru_given_initial_state() {
    let name = "keras_gru_v1_init_state";
    let c = case(name);
    let file = read_safetensors(fixture_dir().join(format!("{name}.weights.safetensors"))).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).reset_after(false).return_sequences(true).name("gru"))
        .unwrap();
    m.import_keras(&file).unwrap();
    let layer = m.recurrent_layer("gru").unwrap();
    let mut tape = Tape::new(m.params());
    let x = tape.variable(c.data.get("x").clone());
    let h0 = tape.variable(c.data.get("h0").clone());
    let out = layer.forward_full(&mut tape, x, Some((h0, None))).unwrap();
    assert_close(
        &format!("{name} output"),
        tape.value(out.sequence),
        c.data.get("output"),
        TOL,
    );
    assert_close(
        &format!("{name} h_n"),
        tape.value(out.h),
        c.data.get("h_n"),
        TOL,
    );
    let loss = weighted_sum(&mut tape, out.sequence, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    for (what, v) in [("x", x), ("h0", h0)] {
        assert_close(
            &format!("{name} grad/{what}"),
            grads.var(v).unwrap(),
            c.data.get(&format!("grad/{what}")),
            TOL,
        );
    }
    for (id, p) in m.params().iter() {
        assert_close(
            &format!("{name} grad/{}", p.name),
            grads.get(id).unwrap(),
            c.data.get(&format!("grad/{}", p.name)),
            TOL,
        );
    }
}

#[test]
fn keras_reset_before_gru_step_by_step() {
    let file =
        read_safetensors(fixture_dir().join("keras_gru_v1_seq_state.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).reset_after(false).return_sequences(true).name("gru"))
        .unwrap();
    m.import_keras(&file).unwrap();
    check_steps("keras_gru_v1_seq_state", &m);
}

/// The fixture tells the two GRU forms apart: the same weights run as a `reset_after` GRU
/// (the single bias as the input row, a zero recurrent row) miss Keras' `reset_after=False`
/// output by far more than the tolerance.
#[test]
fn reset_before_fixture_discriminates_the_two_gru_forms() {
    let name = "keras_gru_v1_seq_state";
    let c = case(name);
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).return_sequences(true).name("gru")).unwrap();
    m.set_weight("gru/kernel", c.weights.get("gru/kernel").clone())
        .unwrap();
    m.set_weight(
        "gru/recurrent_kernel",
        c.weights.get("gru/recurrent_kernel").clone(),
    )
    .unwrap();
    let b = c.weights.get("gru/bias");
    let zeros = ndarray::ArrayD::zeros(b.raw_dim());
    let two_rows = ndarray::stack(ndarray::Axis(0), &[b.view(), zeros.view()]).unwrap();
    m.set_weight("gru/bias", two_rows).unwrap();
    let got = m.predict(c.data.get("x"), 8).unwrap();
    let err = parity_common::max_err(name, &got, c.data.get("output"));
    assert!(err > 1e-2, "the reset_after form matches within {err}");
}

/// A `reset_after=False` layer refuses a `reset_after=True` bias `(2, 3u)` naming the fix, and
/// refuses PyTorch GRU weights (PyTorch's GRU is the `reset_after` form).
#[test]
fn reset_before_gru_refuses_the_other_form() {
    let file = read_safetensors(fixture_dir().join("keras_gru_last.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(gru(6).reset_after(false).name("gru")).unwrap();
    let err = m.import_keras(&file).unwrap_err().to_string();
    assert!(
        err.contains("gru/bias") && err.contains("reset_after=True"),
        "unexpected message: {err}"
    );
    let torch =
        read_safetensors(fixture_dir().join("torch_gru_1layer.weights.safetensors")).unwrap();
    let err = m
        .import_torch_recurrent("gru", &torch, "", 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("reset_after"), "unexpected message: {err}");
}

#[test]
fn keras_bidirectional_lstm_multiplied_sequences() {
    bidirectional_case(
        "keras_bidir_lstm_mul",
        "lstm",
        nn::layers::bidirectional(lstm(6).return_sequences(true)).merge(nn::Merge::Mul),
    );
}

#[test]
fn keras_bidirectional_gru_average_of_last_states() {
    bidirectional_case(
        "keras_bidir_gru_ave",
        "gru",
        nn::layers::bidirectional(gru(6)).merge(nn::Merge::Ave),
    );
}

/// Keras `Embedding` weights (`<layer>/embeddings`) are imported; a `Dropout` layer has no
/// weights and is skipped; a table of the wrong shape is a shape error.
#[test]
fn keras_embedding_imported_and_dropout_skipped() {
    let table =
        ndarray::ArrayD::from_shape_fn(ndarray::IxDyn(&[5, 3]), |i| (i[0] * 3 + i[1]) as f32);
    let mut file = nn::TensorFile::default();
    file.tensors.insert("emb/embeddings".into(), table.clone());
    let mut m = Sequential::new(&[4], 0);
    m.add(nn::layers::embedding(5, 3).name("emb")).unwrap();
    m.add(nn::layers::dropout(0.5)).unwrap();
    m.import_keras(&file).unwrap();
    let id = m.param_id("emb/embeddings").unwrap();
    assert_eq!(m.params().get(id).value, table);
    file.tensors.insert(
        "emb/embeddings".into(),
        ndarray::ArrayD::zeros(ndarray::IxDyn(&[4, 3])),
    );
    let e = m.import_keras(&file).unwrap_err();
    assert!(matches!(e, nn::Error::Shape { .. }), "{e:?}");
}
