//! Reading the parity fixtures in `fixtures/parity/nn/` (made by `tools/nn_reference.py`; the format
//! is documented in that directory's README.md) and comparing arrays with a stated tolerance.
//!
//! The reader is a few lines of safetensors (8-byte little-endian header length, a JSON header,
//! raw little-endian data) on `serde_json`, which `nn` already depends on.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ndarray::{ArrayD, Dimension, IxDyn};
use serde_json::Value;

/// The fixture directory, relative to this crate.
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/parity/nn")
}

/// The tensors and metadata of one safetensors file.
#[derive(Debug)]
pub struct Tensors {
    /// The file (for messages).
    pub file: String,
    /// Every `F32` tensor by name.
    pub floats: BTreeMap<String, ArrayD<f32>>,
    /// Every `I64` tensor by name.
    pub ints: BTreeMap<String, ArrayD<i64>>,
    /// `__metadata__`, with JSON-encoded values decoded.
    pub meta: BTreeMap<String, Value>,
}

impl Tensors {
    /// A float tensor; panics naming the file when it is absent.
    pub fn get(&self, name: &str) -> &ArrayD<f32> {
        self.floats.get(name).unwrap_or_else(|| {
            panic!(
                "{}: no tensor {name:?} (has {:?})",
                self.file,
                self.floats.keys().collect::<Vec<_>>()
            )
        })
    }

    /// A float tensor, if present.
    pub fn opt(&self, name: &str) -> Option<&ArrayD<f32>> {
        self.floats.get(name)
    }

    /// An `I64` tensor as indices.
    pub fn indices(&self, name: &str) -> ArrayD<usize> {
        let a = self
            .ints
            .get(name)
            .unwrap_or_else(|| panic!("{}: no index tensor {name:?}", self.file));
        a.mapv(|v| usize::try_from(v).expect("non-negative index"))
    }

    /// The `config` metadata entry.
    pub fn config(&self) -> &Value {
        &self.meta["config"]
    }

    /// Names of the float tensors that start with `prefix`, with the prefix removed.
    pub fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.floats
            .keys()
            .filter_map(|k| k.strip_prefix(prefix).map(str::to_owned))
            .collect()
    }
}

/// Read `fixtures/parity/nn/<file>`.
pub fn load(file: &str) -> Tensors {
    let path = fixture_dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: BTreeMap<String, Value> = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    let mut out = Tensors {
        file: file.to_owned(),
        floats: BTreeMap::new(),
        ints: BTreeMap::new(),
        meta: BTreeMap::new(),
    };
    for (name, entry) in header {
        if name == "__metadata__" {
            for (k, v) in entry.as_object().unwrap() {
                let s = v.as_str().unwrap();
                let decoded = serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.into()));
                out.meta.insert(k.clone(), decoded);
            }
            continue;
        }
        let shape: Vec<usize> = entry["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let off = entry["data_offsets"].as_array().unwrap();
        let (a, b) = (
            off[0].as_u64().unwrap() as usize,
            off[1].as_u64().unwrap() as usize,
        );
        let raw = &data[a..b];
        match entry["dtype"].as_str().unwrap() {
            "F32" => {
                let v: Vec<f32> = raw
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                out.floats
                    .insert(name, ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap());
            }
            "I64" => {
                let v: Vec<i64> = raw
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                out.ints
                    .insert(name, ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap());
            }
            other => panic!("{file}: {name} has unsupported dtype {other}"),
        }
    }
    out
}

/// A forward/backward case: `<case>.weights.safetensors` and `<case>.data.safetensors`.
#[derive(Debug)]
pub struct Case {
    /// The weights with the library's native names.
    pub weights: Tensors,
    /// Input, outputs, `r` and `grad/...`.
    pub data: Tensors,
}

/// Load a forward/backward case by its name (e.g. `torch_lstm_1layer`).
pub fn case(name: &str) -> Case {
    Case {
        weights: load(&format!("{name}.weights.safetensors")),
        data: load(&format!("{name}.data.safetensors")),
    }
}

/// The largest `|got - want| / max(1, |want|)` (a relative error for large values, absolute for
/// small ones), NaN if any element gives NaN. Panics if the shapes differ.
pub fn max_err(what: &str, got: &ArrayD<f32>, want: &ArrayD<f32>) -> f32 {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    got.iter()
        .zip(want.iter())
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        // `f32::max` would drop a NaN; a NaN anywhere must make the whole error NaN.
        .fold(0.0, |acc, e| if e.is_nan() || e > acc { e } else { acc })
}

/// Assert that `got` matches `want` within `tol` (as measured by [`max_err`]); the message names
/// the worst element. Returns the error for reporting.
pub fn assert_close(what: &str, got: &ArrayD<f32>, want: &ArrayD<f32>, tol: f32) -> f32 {
    let err = max_err(what, got, want);
    assert!(!err.is_nan(), "{what}: NaN in the result");
    if err > tol {
        let (idx, (g, w)) = got
            .indexed_iter()
            .zip(want.iter())
            .map(|((i, g), w)| (i, (*g, *w)))
            .max_by(|a, b| {
                let ea = (a.1.0 - a.1.1).abs() / a.1.1.abs().max(1.0);
                let eb = (b.1.0 - b.1.1).abs() / b.1.1.abs().max(1.0);
                ea.total_cmp(&eb)
            })
            .unwrap();
        panic!(
            "{what}: max error {err:.3e} > {tol:.0e}; worst at {:?}: got {g}, want {w}",
            idx.slice()
        );
    }
    eprintln!("{what}: max error {err:.2e}");
    err
}

/// The three recurrent cells, dispatched to the fused tape ops (Keras weight layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// LSTM, 4 gates.
    Lstm,
    /// GRU (`reset_after`), 3 gates.
    Gru,
    /// SimpleRNN (tanh).
    Rnn,
}

/// Run one recurrent layer (one direction) with Keras-layout weights on `x (batch, time, in)`.
#[allow(clippy::too_many_arguments)]
pub fn run_cell(
    tape: &mut nn::Tape<'_>,
    kind: Kind,
    layer: &str,
    x: nn::Var,
    w: nn::Var,
    u: nn::Var,
    b: nn::Var,
    h0: Option<nn::Var>,
    c0: Option<nn::Var>,
) -> nn::RecurrentOutput {
    let x = nn::SeqInput::Features(x);
    match kind {
        Kind::Lstm => tape.lstm(layer, x, w, u, b, h0, c0),
        Kind::Gru => tape.gru(layer, x, w, u, b, h0),
        Kind::Rnn => tape.simple_rnn(layer, x, w, u, b, h0),
    }
    .unwrap_or_else(|e| panic!("{layer}: {e}"))
}

/// `sum(out * r)`, the scalar whose gradients the fixtures record.
pub fn weighted_sum(tape: &mut nn::Tape<'_>, out: nn::Var, r: &ArrayD<f32>) -> nn::Var {
    let r = tape.constant(r.clone());
    let m = tape.mul(out, r).unwrap();
    tape.sum(m)
}
