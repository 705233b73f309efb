//! Parity with PyTorch `nn.LSTM`, `nn.GRU` and `nn.RNN(tanh)` — one layer, two stacked layers,
//! bidirectional, both, and a given initial state — through nn's own PyTorch import
//! (`Sequential::import_torch_recurrent` on the `state_dict` file as PyTorch wrote it).
//!
//! Checked within 1e-5 (relative above 1): the sequence output of the model, the final states of
//! every layer and direction (`h_n`, `c_n`), and the gradients of `sum(output * r)` with respect
//! to the input, the initial state and every PyTorch tensor (ours are mapped back to PyTorch's
//! layout: transposed, GRU blocks `z, r, n` → `r, z, n`; an LSTM/RNN bias gradient is compared
//! with both `bias_ih` and `bias_hh`, which PyTorch gives the same gradient).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod parity_common;

use ndarray::{ArrayD, Axis, Slice, concatenate, stack};
use nn::layers::{Cell, RecurrentConfig, bidirectional, gru, lstm, simple_rnn};
use nn::{Grads, Params, Sequential, Tape, Var, read_safetensors};
use parity_common::{assert_close, case, fixture_dir, weighted_sum};

const TOL: f32 = 1e-5;

fn cell_config(cell: Cell, units: usize) -> RecurrentConfig {
    match cell {
        Cell::Lstm => lstm(units),
        Cell::Gru => gru(units),
        Cell::GruResetBefore => gru(units).reset_after(false),
        Cell::SimpleRnn => simple_rnn(units),
    }
}

/// Our gradient of a kernel `(in, G·h)` or recurrent kernel in PyTorch's layout `(G·h, in)`.
fn torch_matrix(cell: Cell, g: &ArrayD<f32>) -> ArrayD<f32> {
    let t = g.t().to_owned();
    if cell == Cell::Gru {
        swap_first_blocks(&t, 0)
    } else {
        t
    }
}

/// Swap the first two of three equal blocks along `axis` (GRU `z, r, n` ↔ `r, z, n`).
fn swap_first_blocks(a: &ArrayD<f32>, axis: usize) -> ArrayD<f32> {
    let h = a.shape()[axis] / 3;
    let block = |k: usize| a.slice_axis(Axis(axis), Slice::from(k * h..(k + 1) * h));
    concatenate(Axis(axis), &[block(1), block(0), block(2)]).unwrap()
}

struct Layout {
    cell: Cell,
    layers: usize,
    bidirectional: bool,
    hidden: usize,
    /// Build the layers with `torch_biases(true)` (PyTorch's `bias_hh` kept as its own parameter).
    two_biases: bool,
}

fn layout(name: &str, cfg: &serde_json::Value) -> Layout {
    let cell = match cfg["layer"].as_str().unwrap() {
        "nn.LSTM" => Cell::Lstm,
        "nn.GRU" => Cell::Gru,
        s if s.starts_with("nn.RNN") => Cell::SimpleRnn,
        other => panic!("{name}: unknown layer {other}"),
    };
    Layout {
        cell,
        layers: cfg["num_layers"].as_u64().unwrap() as usize,
        bidirectional: cfg["bidirectional"].as_bool().unwrap(),
        hidden: cfg["hidden_size"].as_u64().unwrap() as usize,
        two_biases: false,
    }
}

/// Our model for a PyTorch case, weights imported from the case's `state_dict` file.
fn model_for(name: &str, l: &Layout, steps: usize, inp: usize) -> Sequential {
    let file = read_safetensors(fixture_dir().join(format!("{name}.weights.safetensors"))).unwrap();
    let mut m = Sequential::new(&[steps, inp], 0);
    for k in 0..l.layers {
        let cfg = cell_config(l.cell, l.hidden)
            .return_sequences(true)
            .torch_biases(l.two_biases);
        let lname = format!("layer{k}");
        if l.bidirectional {
            m.add(bidirectional(cfg).name(&lname)).unwrap();
        } else {
            m.add(cfg.name(&lname)).unwrap();
        }
        m.import_torch_recurrent(&lname, &file, "", k).unwrap();
    }
    m
}

/// The recurrent layers of `m` as (PyTorch suffix, layer) pairs, e.g. `("_l1_reverse", …)`.
fn directions(m: &Sequential, l: &Layout) -> Vec<(String, nn::layers::Recurrent)> {
    let mut out = Vec::new();
    for k in 0..l.layers {
        let lname = format!("layer{k}");
        if l.bidirectional {
            let b = m.bidirectional_layer(&lname).unwrap();
            let (f, r) = b.directions();
            out.push((format!("_l{k}"), f.clone()));
            out.push((format!("_l{k}_reverse"), r.clone()));
        } else {
            out.push((format!("_l{k}"), m.recurrent_layer(&lname).unwrap()));
        }
    }
    out
}

/// Compare our gradients of every recurrent weight with PyTorch's.
fn check_weight_grads(
    name: &str,
    m: &Sequential,
    l: &Layout,
    grads: &Grads,
    data: &parity_common::Tensors,
) {
    for (suffix, layer) in directions(m, l) {
        let (k, r, b) = layer.weight_ids();
        let gk = torch_matrix(l.cell, grads.get(k).unwrap());
        let gr = torch_matrix(l.cell, grads.get(r).unwrap());
        assert_close(
            &format!("{name} grad/weight_ih{suffix}"),
            &gk,
            data.get(&format!("grad/weight_ih{suffix}")),
            TOL,
        );
        assert_close(
            &format!("{name} grad/weight_hh{suffix}"),
            &gr,
            data.get(&format!("grad/weight_hh{suffix}")),
            TOL,
        );
        let gb = grads.get(b).unwrap();
        assert_eq!(
            layer.recurrent_bias_id().is_some(),
            l.two_biases && l.cell != Cell::Gru,
            "{name}{suffix}: a second bias exactly when torch_biases is set (GRU always has two rows)"
        );
        let (gb_ih, gb_hh) = if l.cell == Cell::Gru {
            (
                swap_first_blocks(&gb.index_axis(Axis(0), 0).to_owned(), 0),
                swap_first_blocks(&gb.index_axis(Axis(0), 1).to_owned(), 0),
            )
        } else if let Some(rb) = layer.recurrent_bias_id() {
            (gb.clone(), grads.get(rb).unwrap().clone())
        } else {
            (gb.clone(), gb.clone())
        };
        assert_close(
            &format!("{name} grad/bias_ih{suffix}"),
            &gb_ih,
            data.get(&format!("grad/bias_ih{suffix}")),
            TOL,
        );
        assert_close(
            &format!("{name} grad/bias_hh{suffix}"),
            &gb_hh,
            data.get(&format!("grad/bias_hh{suffix}")),
            TOL,
        );
    }
}

/// Final states of every layer and direction, `(layers·directions, batch, h)` in PyTorch's order,
/// computed layer by layer with each direction's `forward_full` (the reverse direction on the
/// time-reversed input).
fn final_states(
    m: &Sequential,
    l: &Layout,
    params: &Params,
    x: &ArrayD<f32>,
) -> (ArrayD<f32>, Option<ArrayD<f32>>) {
    let mut tape = Tape::inference(params);
    let mut input = tape.constant(x.clone());
    let (mut hs, mut cs) = (Vec::new(), Vec::new());
    let dirs = directions(m, l);
    let per_layer = if l.bidirectional { 2 } else { 1 };
    for chunk in dirs.chunks(per_layer) {
        let mut seqs: Vec<Var> = Vec::new();
        for (d, (_, layer)) in chunk.iter().enumerate() {
            let xin = if d == 1 {
                tape.reverse(input, 1).unwrap()
            } else {
                input
            };
            let out = layer.forward_full(&mut tape, xin, None).unwrap();
            hs.push(tape.value(out.h).clone());
            if let Some(c) = out.c {
                cs.push(tape.value(c).clone());
            }
            let seq = if d == 1 {
                tape.reverse(out.sequence, 1).unwrap()
            } else {
                out.sequence
            };
            seqs.push(seq);
        }
        input = if seqs.len() == 2 {
            tape.concat(&seqs, 2).unwrap()
        } else {
            seqs[0]
        };
    }
    let stack_all = |v: &[ArrayD<f32>]| {
        let views: Vec<_> = v.iter().map(|a| a.view()).collect();
        stack(Axis(0), &views).unwrap()
    };
    let c = (!cs.is_empty()).then(|| stack_all(&cs));
    (stack_all(&hs), c)
}

fn check_case(name: &str) {
    check_case_with(name, false);
}

/// As [`check_case`], optionally with PyTorch's two biases kept apart (`torch_biases`).
fn check_case_with(name: &str, two_biases: bool) {
    let c = case(name);
    let cfg = c.data.config().clone();
    let l = Layout {
        two_biases,
        ..layout(name, &cfg)
    };
    let x = c.data.get("x");
    let (steps, inp) = (x.shape()[1], x.shape()[2]);
    let m = model_for(name, &l, steps, inp);

    let mut tape = Tape::new(m.params());
    let xv = tape.variable(x.clone());
    let out = m.forward(&mut tape, xv).unwrap();
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
        grads.var(xv).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    check_weight_grads(name, &m, &l, &grads, &c.data);

    let (h_n, c_n) = final_states(&m, &l, m.params(), x);
    assert_close(&format!("{name} h_n"), &h_n, c.data.get("h_n"), TOL);
    if let Some(c_n) = c_n {
        assert_close(&format!("{name} c_n"), &c_n, c.data.get("c_n"), TOL);
    }
}

/// One layer started from PyTorch's `h0` (and `c0`), `(1, batch, h)`.
fn check_initial_state(name: &str) {
    let c = case(name);
    let cfg = c.data.config().clone();
    let l = layout(name, &cfg);
    let x = c.data.get("x");
    let m = model_for(name, &l, x.shape()[1], x.shape()[2]);
    let layer = m.recurrent_layer("layer0").unwrap();
    let mut tape = Tape::new(m.params());
    let xv = tape.variable(x.clone());
    let h0 = tape.variable(c.data.get("h0").index_axis(Axis(0), 0).to_owned());
    let c0 = c
        .data
        .opt("c0")
        .map(|a| tape.variable(a.index_axis(Axis(0), 0).to_owned()));
    let out = layer.forward_full(&mut tape, xv, Some((h0, c0))).unwrap();
    assert_close(
        &format!("{name} output"),
        tape.value(out.sequence),
        c.data.get("output"),
        TOL,
    );
    let h_n = tape.value(out.h).clone().insert_axis(Axis(0));
    assert_close(&format!("{name} h_n"), &h_n, c.data.get("h_n"), TOL);
    if let Some(cv) = out.c {
        let c_n = tape.value(cv).clone().insert_axis(Axis(0));
        assert_close(&format!("{name} c_n"), &c_n, c.data.get("c_n"), TOL);
    }
    let loss = weighted_sum(&mut tape, out.sequence, c.data.get("r"));
    let grads = tape.backward(loss).unwrap();
    assert_close(
        &format!("{name} grad/x"),
        grads.var(xv).unwrap(),
        c.data.get("grad/x"),
        TOL,
    );
    let gh0 = grads.var(h0).unwrap().clone().insert_axis(Axis(0));
    assert_close(&format!("{name} grad/h0"), &gh0, c.data.get("grad/h0"), TOL);
    if let Some(c0) = c0 {
        let gc0 = grads.var(c0).unwrap().clone().insert_axis(Axis(0));
        assert_close(&format!("{name} grad/c0"), &gc0, c.data.get("grad/c0"), TOL);
    }
    check_weight_grads(name, &m, &l, &grads, &c.data);
}

#[test]
fn torch_lstm_one_layer() {
    check_case("torch_lstm_1layer");
}

#[test]
fn torch_lstm_two_layers() {
    check_case("torch_lstm_2layer");
}

#[test]
fn torch_lstm_bidirectional() {
    check_case("torch_lstm_bidir");
}

#[test]
fn torch_lstm_two_bidirectional_layers() {
    check_case("torch_lstm_2layer_bidir");
}

#[test]
fn torch_lstm_initial_state() {
    check_initial_state("torch_lstm_init_state");
}

#[test]
fn torch_gru_one_layer() {
    check_case("torch_gru_1layer");
}

#[test]
fn torch_gru_two_layers() {
    check_case("torch_gru_2layer");
}

#[test]
fn torch_gru_bidirectional() {
    check_case("torch_gru_bidir");
}

#[test]
fn torch_gru_two_bidirectional_layers() {
    check_case("torch_gru_2layer_bidir");
}

#[test]
fn torch_gru_initial_state() {
    check_initial_state("torch_gru_init_state");
}

#[test]
fn torch_rnn_one_layer() {
    check_case("torch_rnn_1layer");
}

#[test]
fn torch_rnn_two_layers() {
    check_case("torch_rnn_2layer");
}

#[test]
fn torch_rnn_bidirectional() {
    check_case("torch_rnn_bidir");
}

#[test]
fn torch_rnn_two_bidirectional_layers() {
    check_case("torch_rnn_2layer_bidir");
}

#[test]
fn torch_rnn_initial_state() {
    check_initial_state("torch_rnn_init_state");
}

/// Layers built with `torch_biases(true)` keep `bias_hh` as its own parameter: same outputs,
/// and its gradient is PyTorch's `bias_hh` gradient.
#[test]
fn torch_lstm_two_bidirectional_layers_with_two_biases() {
    check_case_with("torch_lstm_2layer_bidir", true);
}

#[test]
fn torch_rnn_two_bidirectional_layers_with_two_biases() {
    check_case_with("torch_rnn_2layer_bidir", true);
}

/// Importing a GRU `state_dict` into an LSTM layer is a clear error, not a silent misread.
#[test]
fn torch_import_rejects_the_wrong_cell() {
    let file =
        read_safetensors(fixture_dir().join("torch_gru_1layer.weights.safetensors")).unwrap();
    let mut m = Sequential::new(&[5, 4], 0);
    m.add(lstm(6).name("layer0")).unwrap();
    let err = m
        .import_torch_recurrent("layer0", &file, "", 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("weight_ih"), "unexpected message: {err}");
}
