//! Finite-difference checks of the fused recurrent kernels through time (input, weights,
#![allow(clippy::unwrap_used)]
//! biases, initial states, final cell state) and a comparison with the same LSTM / GRU composed
//! from basic ops.

mod common;

use common::{check, rand_array, store};
use ndarray::ArrayD;
use nn::{Params, SeqInput, Tape, Var};

const B: usize = 2;
const T: usize = 4;
const I: usize = 3;
const H: usize = 3;

fn lstm_store() -> Params {
    store(vec![
        ("x", rand_array(&[B, T, I], 1.0, 1)),
        ("w", rand_array(&[I, 4 * H], 0.6, 2)),
        ("u", rand_array(&[H, 4 * H], 0.6, 3)),
        ("b", rand_array(&[4 * H], 0.3, 4)),
        ("h0", rand_array(&[B, H], 0.5, 5)),
        ("c0", rand_array(&[B, H], 0.5, 6)),
    ])
}

#[test]
fn lstm_gradients_through_time() {
    check(&lstm_store(), |t, v| {
        let o = t.lstm(
            "lstm",
            SeqInput::Features(v[0]),
            v[1],
            v[2],
            v[3],
            Some(v[4]),
            Some(v[5]),
        )?;
        // Use the sequence, the last h and the last c so every path is exercised.
        let s = t.sum(o.sequence);
        let c = o.c.unwrap_or(o.h);
        let cc = t.mul(c, c)?;
        let cs = t.sum(cc);
        let hs = t.sum(o.h);
        let a = t.add(s, cs)?;
        t.add(a, hs)
    });
}

#[test]
fn lstm_without_initial_state() {
    check(&lstm_store(), |t, v| {
        Ok(t.lstm(
            "lstm",
            SeqInput::Features(v[0]),
            v[1],
            v[2],
            v[3],
            None,
            None,
        )?
        .sequence)
    });
}

#[test]
fn gru_gradients_through_time() {
    let ps = store(vec![
        ("x", rand_array(&[B, T, I], 1.0, 11)),
        ("w", rand_array(&[I, 3 * H], 0.6, 12)),
        ("u", rand_array(&[H, 3 * H], 0.6, 13)),
        ("b", rand_array(&[2, 3 * H], 0.3, 14)),
        ("h0", rand_array(&[B, H], 0.5, 15)),
    ]);
    check(&ps, |t, v| {
        Ok(t.gru(
            "gru",
            SeqInput::Features(v[0]),
            v[1],
            v[2],
            v[3],
            Some(v[4]),
        )?
        .sequence)
    });
}

#[test]
fn simple_rnn_gradients_through_time() {
    let ps = store(vec![
        ("x", rand_array(&[B, T, I], 1.0, 21)),
        ("w", rand_array(&[I, H], 0.6, 22)),
        ("u", rand_array(&[H, H], 0.6, 23)),
        ("b", rand_array(&[H], 0.3, 24)),
        ("h0", rand_array(&[B, H], 0.5, 25)),
    ]);
    check(&ps, |t, v| {
        Ok(t.simple_rnn(
            "rnn",
            SeqInput::Features(v[0]),
            v[1],
            v[2],
            v[3],
            Some(v[4]),
        )?
        .sequence)
    });
}

fn indices() -> ArrayD<f32> {
    ArrayD::from_shape_vec(vec![B, T], vec![0.0, 2.0, 1.0, 2.0, 3.0, 0.0, 0.0, 1.0]).unwrap()
}

#[test]
fn index_input_equals_one_hot_and_has_correct_gradients() {
    let ps = store(vec![
        ("w", rand_array(&[I + 1, 4 * H], 0.6, 31)),
        ("u", rand_array(&[H, 4 * H], 0.6, 32)),
        ("b", rand_array(&[4 * H], 0.3, 33)),
    ]);
    check(&ps, |t, v| {
        let x = t.constant(indices());
        Ok(
            t.lstm("lstm", SeqInput::Indices(x), v[0], v[1], v[2], None, None)?
                .sequence,
        )
    });
    // Same numbers as a dense one-hot input.
    let mut t = Tape::new(&ps);
    let v: Vec<Var> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let idx = t.constant(indices());
    let a = t
        .lstm("lstm", SeqInput::Indices(idx), v[0], v[1], v[2], None, None)
        .unwrap()
        .sequence;
    let mut one_hot = ArrayD::zeros(vec![B, T, I + 1]);
    for (k, &c) in indices().iter().enumerate() {
        one_hot[[k / T, k % T, c as usize]] = 1.0;
    }
    let oh = t.constant(one_hot);
    let d = t
        .lstm("lstm", SeqInput::Features(oh), v[0], v[1], v[2], None, None)
        .unwrap()
        .sequence;
    for (x, y) in t.value(a).iter().zip(t.value(d).iter()) {
        assert!((x - y).abs() < 1e-6);
    }
    // GRU and SimpleRNN take index input too.
    let bad = t.constant(ArrayD::from_shape_vec(vec![1, 1], vec![9.0]).unwrap());
    let e = t
        .lstm("lstm", SeqInput::Indices(bad), v[0], v[1], v[2], None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("index 9"), "{e}");
}

/// The LSTM written with basic ops, step by step.
fn composed_lstm(t: &mut Tape, x: Var, w: Var, u: Var, b: Var) -> nn::Result<Var> {
    let xp = t.matmul(x, w)?;
    let xp = t.add(xp, b)?;
    let mut h = t.constant(ArrayD::zeros(vec![B, H]));
    let mut c = t.constant(ArrayD::zeros(vec![B, H]));
    let mut outs = Vec::new();
    for step in 0..T {
        let xs = t.select(xp, 1, step)?;
        let hu = t.matmul(h, u)?;
        let z = t.add(xs, hu)?;
        let i = t.slice(z, 1, 0, H)?;
        let i = t.sigmoid(i);
        let f = t.slice(z, 1, H, 2 * H)?;
        let f = t.sigmoid(f);
        let g = t.slice(z, 1, 2 * H, 3 * H)?;
        let g = t.tanh(g);
        let o = t.slice(z, 1, 3 * H, 4 * H)?;
        let o = t.sigmoid(o);
        let fc = t.mul(f, c)?;
        let ig = t.mul(i, g)?;
        c = t.add(fc, ig)?;
        let tc = t.tanh(c);
        h = t.mul(o, tc)?;
        outs.push(t.reshape(h, &[B, 1, H])?);
    }
    t.concat(&outs, 1)
}

/// The GRU (reset_after, z r h) written with basic ops.
fn composed_gru(t: &mut Tape, x: Var, w: Var, u: Var, b: Var) -> nn::Result<Var> {
    let b_in = t.select(b, 0, 0)?;
    let b_rec = t.select(b, 0, 1)?;
    let xp = t.matmul(x, w)?;
    let xp = t.add(xp, b_in)?;
    let mut h = t.constant(ArrayD::zeros(vec![B, H]));
    let mut outs = Vec::new();
    for step in 0..T {
        let xs = t.select(xp, 1, step)?;
        let hp = t.matmul(h, u)?;
        let hp = t.add(hp, b_rec)?;
        let part = |t: &mut Tape, a: Var, k: usize| t.slice(a, 1, k * H, (k + 1) * H);
        let (xz, xr, xh) = (part(t, xs, 0)?, part(t, xs, 1)?, part(t, xs, 2)?);
        let (hz, hr, hh) = (part(t, hp, 0)?, part(t, hp, 1)?, part(t, hp, 2)?);
        let z = t.add(xz, hz)?;
        let z = t.sigmoid(z);
        let r = t.add(xr, hr)?;
        let r = t.sigmoid(r);
        let rh = t.mul(r, hh)?;
        let cand = t.add(xh, rh)?;
        let cand = t.tanh(cand);
        // h = z ⊙ h + (1 − z) ⊙ cand = cand + z ⊙ (h − cand)
        let diff = t.sub(h, cand)?;
        let zd = t.mul(z, diff)?;
        h = t.add(cand, zd)?;
        outs.push(t.reshape(h, &[B, 1, H])?);
    }
    t.concat(&outs, 1)
}

fn compare_fused_and_composed(
    ps: &Params,
    fused: impl Fn(&mut Tape, &[Var]) -> Var,
    composed: impl Fn(&mut Tape, &[Var]) -> Var,
) {
    let run = |f: &dyn Fn(&mut Tape, &[Var]) -> Var| {
        let mut t = Tape::new(ps);
        let v: Vec<Var> = ps.iter().map(|(id, _)| t.param(id)).collect();
        let out = f(&mut t, &v);
        let r = t.constant(rand_array(t.shape(out), 1.0, 77));
        let m = t.mul(out, r).unwrap();
        let loss = t.sum(m);
        let g = t.backward(loss).unwrap();
        (
            t.value(out).clone(),
            ps.iter()
                .map(|(id, p)| {
                    g.get(id)
                        .cloned()
                        .unwrap_or_else(|| ArrayD::zeros(p.value.raw_dim()))
                })
                .collect::<Vec<_>>(),
        )
    };
    let (o1, g1) = run(&fused);
    let (o2, g2) = run(&composed);
    for (a, b) in o1.iter().zip(o2.iter()) {
        assert!((a - b).abs() < 1e-5, "output {a} vs {b}");
    }
    for (ga, gb) in g1.iter().zip(g2.iter()) {
        for (a, b) in ga.iter().zip(gb.iter()) {
            assert!((a - b).abs() < 1e-4, "gradient {a} vs {b}");
        }
    }
}

#[test]
fn fused_lstm_equals_composed_lstm() {
    let ps = lstm_store();
    compare_fused_and_composed(
        &ps,
        |t, v| {
            t.lstm(
                "lstm",
                SeqInput::Features(v[0]),
                v[1],
                v[2],
                v[3],
                None,
                None,
            )
            .unwrap()
            .sequence
        },
        |t, v| composed_lstm(t, v[0], v[1], v[2], v[3]).unwrap(),
    );
}

#[test]
fn fused_gru_equals_composed_gru() {
    let ps = store(vec![
        ("x", rand_array(&[B, T, I], 1.0, 41)),
        ("w", rand_array(&[I, 3 * H], 0.6, 42)),
        ("u", rand_array(&[H, 3 * H], 0.6, 43)),
        ("b", rand_array(&[2, 3 * H], 0.3, 44)),
    ]);
    compare_fused_and_composed(
        &ps,
        |t, v| {
            t.gru("gru", SeqInput::Features(v[0]), v[1], v[2], v[3], None)
                .unwrap()
                .sequence
        },
        |t, v| composed_gru(t, v[0], v[1], v[2], v[3]).unwrap(),
    );
}

#[test]
fn recurrent_shape_errors_name_layer_and_shapes() {
    let ps = lstm_store();
    let mut t = Tape::new(&ps);
    let v: Vec<Var> = ps.iter().map(|(id, _)| t.param(id)).collect();
    let e = t
        .lstm(
            "lstm_7",
            SeqInput::Features(v[1]),
            v[1],
            v[2],
            v[3],
            None,
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("lstm_7") && e.contains("[3, 12]"), "{e}");
}
