//! Weight import from the PyTorch / Keras fixtures (forward outputs and gradients to 1e-5 /
//! 1e-4), a short Keras Adam training trace, and save / load round trips and failures.
#![allow(clippy::unwrap_used)]

use ndarray::{ArrayD, Axis};
use nn::io::parse_safetensors;
use nn::layers::{bidirectional, dense, gru, lstm, simple_rnn};
use nn::{Activation, Adam, Error, Loss, Sequential, Tape, TensorFile, read_safetensors};

fn fixture(name: &str) -> TensorFile {
    let path = format!(
        "{}/../../fixtures/parity/nn/{name}.safetensors",
        env!("CARGO_MANIFEST_DIR")
    );
    read_safetensors(path).unwrap()
}

fn assert_close(a: &ArrayD<f32>, b: &ArrayD<f32>, tol: f32, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    for (x, y) in a.iter().zip(b.iter()) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {x} vs {y}");
    }
}

#[test]
fn torch_stacked_bidirectional_lstm_forward() {
    let (w, d) = (
        fixture("torch_lstm_2layer_bidir.weights"),
        fixture("torch_lstm_2layer_bidir.data"),
    );
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(bidirectional(lstm(6).return_sequences(true)))
        .unwrap();
    m.add(bidirectional(lstm(6).return_sequences(true)))
        .unwrap();
    m.import_torch_recurrent("bidirectional", &w, "", 0)
        .unwrap();
    m.import_torch_recurrent("bidirectional_1", &w, "", 1)
        .unwrap();
    let out = m.predict(d.get("x").unwrap(), 8).unwrap();
    assert_close(&out, d.get("output").unwrap(), 1e-5, "output");
}

#[test]
fn torch_gru_and_rnn_forward() {
    for (case, layer) in [
        ("torch_gru_1layer", gru(6)),
        ("torch_rnn_1layer", simple_rnn(6)),
    ] {
        let (w, d) = (
            fixture(&format!("{case}.weights")),
            fixture(&format!("{case}.data")),
        );
        let x = d.get("x").unwrap();
        let mut m = Sequential::new(&x.shape()[1..], 0);
        m.add(layer.return_sequences(true)).unwrap();
        let name = m.layers()[0].name().to_string();
        m.import_torch_recurrent(&name, &w, "", 0).unwrap();
        assert_close(
            &m.predict(x, 8).unwrap(),
            d.get("output").unwrap(),
            1e-5,
            case,
        );
    }
}

fn keras_lesson_model() -> Sequential {
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(lstm(32).return_sequences(true)).unwrap();
    m.add(lstm(32).return_sequences(true)).unwrap();
    m.add(dense(1).activation(Activation::Relu)).unwrap();
    m
}

fn import_keras_lesson(m: &mut Sequential, w: &TensorFile) {
    m.import_keras_layer("lstm", w, "lstm_1").unwrap();
    m.import_keras_layer("lstm_1", w, "lstm_2").unwrap();
    m.import_keras_layer("dense", w, "dense").unwrap();
}

#[test]
fn keras_lesson_forward_and_gradients() {
    let (w, d) = (
        fixture("keras_lesson.weights"),
        fixture("keras_lesson.data"),
    );
    let mut m = keras_lesson_model();
    import_keras_lesson(&mut m, &w);
    let mut tape = Tape::new(m.params());
    let x = tape.variable(d.get("x").unwrap().clone());
    let out = m.forward(&mut tape, x).unwrap();
    assert_close(tape.value(out), d.get("output").unwrap(), 1e-5, "output");
    let r = tape.constant(d.get("r").unwrap().clone());
    let p = tape.mul(out, r).unwrap();
    let loss = tape.sum(p);
    let g = tape.backward(loss).unwrap();
    assert_close(g.var(x).unwrap(), d.get("grad/x").unwrap(), 1e-4, "grad/x");
    for (ours, theirs) in [("lstm", "lstm_1"), ("lstm_1", "lstm_2"), ("dense", "dense")] {
        for wname in ["kernel", "bias"] {
            let id = m.param_id(&format!("{ours}/{wname}")).unwrap();
            assert_close(
                g.get(id).unwrap(),
                d.get(&format!("grad/{theirs}/{wname}")).unwrap(),
                1e-4,
                &format!("{ours}/{wname}"),
            );
        }
    }
}

#[test]
fn keras_adam_training_trace() {
    let (init, d) = (
        fixture("keras_train_lesson.init"),
        fixture("keras_train_lesson.data"),
    );
    let mut m = keras_lesson_model();
    import_keras_lesson(&mut m, &init);
    let mut adam = Adam::keras();
    let (x, y, order, losses) = (
        d.get("x").unwrap(),
        d.get("y").unwrap(),
        d.get("batch_idx").unwrap(),
        d.get("loss").unwrap(),
    );
    for (step, row) in order.axis_iter(Axis(0)).enumerate() {
        let idx: Vec<usize> = row.iter().map(|&v| v as usize).collect();
        let (xb, yb) = (x.select(Axis(0), &idx), y.select(Axis(0), &idx));
        let grads = {
            let mut tape = Tape::new(m.params());
            let xv = tape.constant(xb);
            let out = m.forward(&mut tape, xv).unwrap();
            let loss = tape.mse(out, yb).unwrap();
            let l = tape.value(loss).sum();
            assert!(
                (l - losses[[step]]).abs() < 1e-4,
                "step {step}: {l} vs {}",
                losses[[step]]
            );
            tape.backward(loss).unwrap()
        };
        nn::Optimizer::step(&mut adam, m.params_mut(), &grads).unwrap();
    }
    let _ = Loss::Mse;
}

/// PyTorch trains `bias_ih` and `bias_hh` separately; with `torch_biases(true)` we do too, and
/// 20 PyTorch-Adam steps follow PyTorch's losses.
#[test]
fn torch_two_bias_adam_trace() {
    let (init, d) = (
        fixture("torch_train_lstm.init"),
        fixture("torch_train_lstm.data"),
    );
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(lstm(8).return_sequences(true).torch_biases(true))
        .unwrap();
    m.add(dense(1)).unwrap();
    assert_eq!(
        m.layers()[0].param_count(m.params()),
        4 * 8 * (1 + 8) + 8 * 8
    );
    m.import_torch_recurrent("lstm", &init, "lstm.", 0).unwrap();
    m.import_torch_dense("dense", &init, "linear.").unwrap();
    let mut adam = Adam::pytorch();
    let (x, y, order, losses) = (
        d.get("x").unwrap(),
        d.get("y").unwrap(),
        d.get("batch_idx").unwrap(),
        d.get("loss").unwrap(),
    );
    for (step, row) in order.axis_iter(Axis(0)).enumerate() {
        let idx: Vec<usize> = row.iter().map(|&v| v as usize).collect();
        let (xb, yb) = (x.select(Axis(0), &idx), y.select(Axis(0), &idx));
        let grads = {
            let mut tape = Tape::new(m.params());
            let xv = tape.constant(xb);
            let out = m.forward(&mut tape, xv).unwrap();
            let loss = tape.mse(out, yb).unwrap();
            let l = tape.value(loss).sum();
            assert!(
                (l - losses[[step]]).abs() < 1e-5,
                "step {step}: {l} vs {}",
                losses[[step]]
            );
            tape.backward(loss).unwrap()
        };
        nn::Optimizer::step(&mut adam, m.params_mut(), &grads).unwrap();
    }
}

#[test]
fn save_load_round_trip_is_exact() {
    let mut m = Sequential::new(&[6, 3], 5);
    m.add(bidirectional(gru(4).return_sequences(true))).unwrap();
    m.add(lstm(3)).unwrap();
    m.add(dense(2).activation(Activation::Softmax)).unwrap();
    let x = ArrayD::from_shape_fn(vec![2, 6, 3], |i| (i[0] + 2 * i[1] + 3 * i[2]) as f32 * 0.1);
    let dir = std::env::temp_dir().join(format!("nn-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    m.save(&path).unwrap();
    let back = Sequential::load(&path).unwrap();
    assert_eq!(back.summary(), m.summary());
    assert_eq!(back.predict(&x, 4).unwrap(), m.predict(&x, 4).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_model_always_serialises_to_the_same_bytes() {
    let mut m = Sequential::new(&[6, 3], 5);
    m.add(gru(4).return_sequences(true)).unwrap();
    m.add(dense(2)).unwrap();
    let first = m.to_bytes().unwrap();
    // Each call builds its metadata map anew; a hash map's order would differ between calls.
    for _ in 0..8 {
        assert_eq!(m.to_bytes().unwrap(), first);
    }
    let header_len = u64::from_le_bytes(first[..8].try_into().unwrap()) as usize;
    assert_eq!(header_len % 8, 0, "the header is padded to 8 bytes");
    let back = Sequential::from_bytes(&first, "m.st").unwrap();
    assert_eq!(back.to_bytes().unwrap(), first);
}

#[test]
fn bad_model_files_are_clear_errors() {
    let mut m = Sequential::new(&[4, 1], 1);
    m.add(lstm(3)).unwrap();
    let bytes = m.to_bytes().unwrap();
    // Truncated.
    let e = Sequential::from_bytes(&bytes[..bytes.len() - 10], "m.st")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("m.st: not a valid safetensors file"), "{e}");
    // Garbage.
    assert!(Sequential::from_bytes(b"hello world, not a model", "g.st").is_err());
    // A valid safetensors file that is not a model.
    let plain =
        nn::io::safetensors_bytes(&[("a".into(), ArrayD::zeros(vec![2]))], Default::default())
            .unwrap();
    let e = Sequential::from_bytes(&plain, "p.st")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an rnnlab-nn model file"), "{e}");
    // Mismatched: the weights of another architecture under the same names.
    let mut other = Sequential::new(&[4, 1], 1);
    other.add(lstm(5)).unwrap();
    let mut file = parse_safetensors(&other.to_bytes().unwrap(), "x").unwrap();
    file.metadata = parse_safetensors(&bytes, "x").unwrap().metadata;
    let tensors: Vec<_> = file.tensors.into_iter().collect();
    let mixed = nn::io::safetensors_bytes(&tensors, file.metadata).unwrap();
    let e = Sequential::from_bytes(&mixed, "mix.st").unwrap_err();
    assert!(matches!(e, Error::File { .. }), "{e}");
    assert!(
        e.to_string().contains("lstm/kernel")
            && e.to_string().contains("[1, 12]")
            && e.to_string().contains("[1, 20]"),
        "{e}"
    );
}

#[test]
fn unknown_activation_in_a_config_lists_valid_ones() {
    let mut m = Sequential::new(&[3], 1);
    m.add(dense(2).activation(Activation::Tanh)).unwrap();
    let bytes = m.to_bytes().unwrap();
    let file = parse_safetensors(&bytes, "x").unwrap();
    let mut meta = file.metadata.clone();
    let json = meta["model"].replace("\"tanh\"", "\"swish\"");
    meta.insert("model".into(), json);
    let tensors: Vec<_> = file.tensors.into_iter().collect();
    let bad = nn::io::safetensors_bytes(&tensors, meta).unwrap();
    let e = Sequential::from_bytes(&bad, "cfg.st")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown activation \"swish\"; valid: linear, relu, sigmoid, tanh, softmax"),
        "{e}"
    );
}
