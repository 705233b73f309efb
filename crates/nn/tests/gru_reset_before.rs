//! Keras `GRU(reset_after=False)` (`Cell::GruResetBefore`, composed from basic tape ops):
//! finite-difference gradients through time (input, weights, bias, initial state; feature and
//! index input; stacked and bidirectional in a model), an independent f64 reference of the
//! formula, parameter counts, save / load and shape errors. Keras parity is in
//! `parity_keras_import.rs`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, rand_array, store};
use ndarray::{ArrayD, IxDyn};
use nn::layers::{Cell, bidirectional, dense, gru};
use nn::{Activation, Error, Merge, SeqInput, Sequential, Tape};

const B: usize = 2;
const T: usize = 4;
const I: usize = 3;
const H: usize = 3;

#[test]
fn gradients_through_time_with_initial_state() {
    let params = store(vec![
        ("x", rand_array(&[B, T, I], 1.0, 1)),
        ("w", rand_array(&[I, 3 * H], 0.8, 2)),
        ("u", rand_array(&[H, 3 * H], 0.8, 3)),
        ("b", rand_array(&[3 * H], 0.5, 4)),
        ("h0", rand_array(&[B, H], 0.7, 5)),
    ]);
    check(&params, |t, v| {
        let o = t.gru_reset_before(
            "gru",
            SeqInput::Features(v[0]),
            v[1],
            v[2],
            v[3],
            Some(v[4]),
        )?;
        // The sequence and the last state, so both paths are used.
        let s = t.sum(o.sequence);
        let hh = t.mul(o.h, o.h)?;
        let hs = t.sum(hh);
        t.add(s, hs)
    });
}

#[test]
fn gradients_with_index_input_and_no_initial_state() {
    let vocab = 5;
    let params = store(vec![
        ("w", rand_array(&[vocab, 3 * H], 0.8, 6)),
        ("u", rand_array(&[H, 3 * H], 0.8, 7)),
        ("b", rand_array(&[3 * H], 0.5, 8)),
    ]);
    let idx = ArrayD::from_shape_vec(IxDyn(&[B, T]), vec![0., 4., 2., 2., 3., 1., 0., 4.]).unwrap();
    check(&params, |t, v| {
        let x = t.constant(idx.clone());
        Ok(
            t.gru_reset_before("gru", SeqInput::Indices(x), v[0], v[1], v[2], None)?
                .sequence,
        )
    });
    // Index input equals the one-hot feature input.
    let mut tape = Tape::inference(&params);
    let ids: Vec<_> = params.iter().map(|(id, _)| tape.param(id)).collect();
    let x = tape.constant(idx.clone());
    let a = tape
        .gru_reset_before("gru", SeqInput::Indices(x), ids[0], ids[1], ids[2], None)
        .unwrap();
    let one_hot = ArrayD::from_shape_fn(IxDyn(&[B, T, vocab]), |i| {
        f32::from(u8::from(idx[[i[0], i[1]]] as usize == i[2]))
    });
    let xo = tape.constant(one_hot);
    let b = tape
        .gru_reset_before("gru", SeqInput::Features(xo), ids[0], ids[1], ids[2], None)
        .unwrap();
    let diff = (tape.value(a.sequence) - tape.value(b.sequence)).mapv(f32::abs);
    assert!(diff.iter().all(|&d| d < 1e-6), "{diff:?}");
}

/// The formula in f64, written out once more (Keras' own order: `z·h + (1 − z)·h̃`).
fn reference(x: &ArrayD<f32>, w: &ArrayD<f32>, u: &ArrayD<f32>, b: &ArrayD<f32>) -> Vec<f64> {
    let (batch, steps, inp) = (x.shape()[0], x.shape()[1], x.shape()[2]);
    let h_units = u.shape()[0];
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let mut out = Vec::new();
    for n in 0..batch {
        let mut h = vec![0.0f64; h_units];
        for t in 0..steps {
            let gate = |g: usize, j: usize, hv: &[f64]| {
                let mut s = f64::from(b[[g * h_units + j]]);
                for k in 0..inp {
                    s += f64::from(x[[n, t, k]]) * f64::from(w[[k, g * h_units + j]]);
                }
                for k in 0..h_units {
                    s += hv[k] * f64::from(u[[k, g * h_units + j]]);
                }
                s
            };
            let z: Vec<f64> = (0..h_units).map(|j| sig(gate(0, j, &h))).collect();
            let r: Vec<f64> = (0..h_units).map(|j| sig(gate(1, j, &h))).collect();
            let rh: Vec<f64> = h.iter().zip(&r).map(|(a, b)| a * b).collect();
            let cand: Vec<f64> = (0..h_units).map(|j| gate(2, j, &rh).tanh()).collect();
            h = (0..h_units)
                .map(|j| z[j] * h[j] + (1.0 - z[j]) * cand[j])
                .collect();
            out.extend_from_slice(&h);
        }
    }
    out
}

#[test]
fn forward_equals_an_f64_reference_of_the_formula() {
    let mut m = Sequential::new(&[T, I], 11);
    m.add(gru(H).reset_after(false).return_sequences(true).name("g"))
        .unwrap();
    let b = rand_array(&[3 * H], 0.5, 12);
    m.set_weight("g/bias", b.clone()).unwrap();
    let x = rand_array(&[B, T, I], 1.0, 13);
    let got = m.predict(&x, 8).unwrap();
    let p = |n: &str| m.params().get(m.param_id(n).unwrap()).value.clone();
    let want = reference(&x, &p("g/kernel"), &p("g/recurrent_kernel"), &b);
    for (g, w) in got.iter().zip(&want) {
        assert!((f64::from(*g) - w).abs() < 1e-6, "{g} vs {w}");
    }
}

#[test]
fn stacked_and_bidirectional_in_a_model() {
    let mut m = Sequential::new(&[4, 2], 5);
    m.add(gru(3).reset_after(false).return_sequences(true))
        .unwrap();
    m.add(bidirectional(gru(2).reset_after(false)).merge(Merge::Sum))
        .unwrap();
    m.add(dense(2).activation(Activation::Tanh)).unwrap();
    // Non-zero biases so their gradients are not trivially checked at zero.
    for name in [
        "gru/bias",
        "bidirectional/forward/bias",
        "bidirectional/backward/bias",
    ] {
        let n = m.params().get(m.param_id(name).unwrap()).value.len();
        m.set_weight(name, rand_array(&[n], 0.5, n as u64)).unwrap();
    }
    let x = rand_array(&[3, 4, 2], 1.0, 6);
    check(m.params(), |t, _| {
        let xv = t.constant(x.clone());
        m.forward(t, xv)
    });
}

#[test]
fn parameter_counts_layouts_and_summary() {
    let mut m = Sequential::new(&[12, 1], 1);
    m.add(gru(32).reset_after(false)).unwrap();
    // Keras: GRU(32, reset_after=False) on 1 input has 3·32·(1+32) + 3·32 = 3,264 parameters
    // (reset_after=True: 3,360).
    assert_eq!(m.params().count().0, 3264);
    assert!(m.summary().contains("gru (GRU)"), "{}", m.summary());
    assert!(m.summary().contains("3,264"), "{}", m.summary());
    let r = m.recurrent_layer("gru").unwrap();
    assert_eq!(r.recurrent_config().cell, Cell::GruResetBefore);
    let bias = &m.params().get(m.param_id("gru/bias").unwrap()).value;
    assert_eq!(bias.shape(), &[96]);
    // The builder switches GRU forms only; other cells keep theirs.
    assert_eq!(gru(4).reset_after(false).reset_after(true).cell, Cell::Gru);
    assert_eq!(nn::layers::lstm(4).reset_after(false).cell, Cell::Lstm);
}

#[test]
fn save_and_load_keep_the_form_and_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gru.safetensors");
    let mut m = Sequential::new(&[4, 3], 21);
    m.add(gru(5).reset_after(false).return_sequences(true))
        .unwrap();
    m.add(bidirectional(gru(2).reset_after(false))).unwrap();
    m.save(&path).unwrap();
    let loaded = Sequential::load(&path).unwrap();
    assert_eq!(
        loaded
            .recurrent_layer("gru")
            .unwrap()
            .recurrent_config()
            .cell,
        Cell::GruResetBefore
    );
    let x = rand_array(&[2, 4, 3], 1.0, 22);
    assert_eq!(loaded.predict(&x, 2).unwrap(), m.predict(&x, 2).unwrap());
}

#[test]
fn wrong_shapes_are_errors_naming_the_layer() {
    let mut m = Sequential::new(&[4, 3], 1);
    m.add(gru(5).reset_after(false).name("g")).unwrap();
    let e = m
        .set_weight("g/bias", ArrayD::zeros(IxDyn(&[2, 15])))
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e:?}");
    let mut tape = Tape::inference(m.params());
    let x = tape.constant(ArrayD::zeros(IxDyn(&[2, 4, 2])));
    let e = m.forward(&mut tape, x).unwrap_err().to_string();
    assert!(e.contains("[2, 4, 2]"), "{e}");
    let params = store(vec![
        ("w", rand_array(&[I, 3 * H], 0.8, 2)),
        ("u", rand_array(&[H, 3 * H], 0.8, 3)),
        ("b", rand_array(&[2, 3 * H], 0.5, 4)),
    ]);
    let mut tape = Tape::inference(&params);
    let ids: Vec<_> = params.iter().map(|(id, _)| tape.param(id)).collect();
    let x = tape.constant(ArrayD::zeros(IxDyn(&[B, T, I])));
    let e = tape
        .gru_reset_before(
            "layer g",
            SeqInput::Features(x),
            ids[0],
            ids[1],
            ids[2],
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("layer g") && e.contains("bias (3u)"), "{e}");
}
