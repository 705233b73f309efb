#!/usr/bin/env python3
"""Parity fixtures for `rnnlab-nn`: PyTorch and Keras recurrent layers, gradients and short training runs.

Writes small safetensors files (plus a generated README.md that documents every file) into
`fixtures/parity/nn/`. The Rust tests in `crates/nn/tests/parity_*.rs` read them; they never need Python.

Environment (the versions the committed fixtures were made with are recorded in every file's metadata
and in the README):

    python3 -m venv /work/venv
    /work/venv/bin/pip install torch==2.15.0 --index-url https://download.pytorch.org/whl/cpu
    /work/venv/bin/pip install keras==3.15.1 jax==0.10.2 numpy==2.4.6 safetensors

Run from the repository root (single-threaded, deterministic seeds; the same versions give the same bytes):

    KERAS_BACKEND=jax /work/venv/bin/python tools/nn_reference.py [--out fixtures/parity/nn]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import safetensors  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402

if keras.backend.backend() != "jax":
    sys.exit("set KERAS_BACKEND=jax before running this script")

torch.set_num_threads(1)
F32 = np.float32

VERSIONS = {
    "python": platform.python_version(),
    "torch": torch.__version__,
    "keras": keras.__version__,
    "keras_backend": keras.backend.backend(),
    "jax": jax.__version__,
    "numpy": np.__version__,
    "safetensors": safetensors.__version__,
    "machine": platform.machine(),
}

# ---------------------------------------------------------------------------------------------------------------------
# Output bookkeeping: every file written is listed (with its tensors) in the generated README.
# ---------------------------------------------------------------------------------------------------------------------

WRITTEN: list[dict] = []


def write(out: Path, file_name: str, tensors: dict[str, np.ndarray], meta: dict, doc: str) -> None:
    """Save `tensors` (C-contiguous, f32 or i64) with `meta` (JSON-encoded values) and remember it for the README."""
    clean = {}
    for k, v in tensors.items():
        v = np.ascontiguousarray(v)
        if v.dtype == np.float64:
            raise TypeError(f"{file_name}:{k} is float64; fixtures are float32")
        clean[k] = v
    metadata = {"generator": "tools/nn_reference.py", "versions": json.dumps(VERSIONS, sort_keys=True)}
    metadata.update({k: json.dumps(v, sort_keys=True) for k, v in meta.items()})
    save_file(clean, str(out / file_name), metadata=metadata)
    WRITTEN.append(
        {
            "file": file_name,
            "doc": doc,
            "meta": meta,
            "tensors": [(k, str(v.dtype), list(v.shape)) for k, v in clean.items()],
        }
    )


def save_file(tensors: dict[str, np.ndarray], path: str, metadata: dict[str, str]) -> None:
    """Write safetensors with a byte-stable header (sorted keys; the library's own writer orders metadata keys
    randomly), so regenerating with the same versions gives identical files. Checked by reading it back."""
    dtypes = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = tensors[name]
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes(order="C")
        header[name] = {"dtype": dtypes[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as fh:
        fh.write(len(head).to_bytes(8, "little"))
        fh.write(head)
        for raw in blobs:
            fh.write(raw)
    back = load_file(path)
    assert sorted(back) == sorted(tensors) and all(np.array_equal(back[k], tensors[k]) for k in tensors), path


def np32(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(F32)


# ---------------------------------------------------------------------------------------------------------------------
# Synthetic decline curves (Arps hyperbolic), for the training fixtures. Never the real data.
# ---------------------------------------------------------------------------------------------------------------------


def decline_windows(rng: np.random.Generator, wells: int, months: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of per-well max-scaled Arps curves: x = q[t..t+window], y = q[t+1..t+window+1], shapes (N, window, 1)."""
    xs, ys = [], []
    t = np.arange(months, dtype=np.float64)
    for _ in range(wells):
        qi = rng.uniform(50.0, 500.0)
        di = rng.uniform(0.05, 0.3)
        b = rng.uniform(0.2, 0.9)
        q = qi / (1.0 + b * di * t) ** (1.0 / b)
        q *= 1.0 + 0.05 * rng.standard_normal(months)
        q = np.maximum(q, 0.0)
        q /= q.max()
        for s in range(0, months - window, 3):
            xs.append(q[s : s + window])
            ys.append(q[s + 1 : s + window + 1])
    return np.asarray(xs, F32)[..., None], np.asarray(ys, F32)[..., None]


def batch_order(rng: np.random.Generator, n: int, batch: int, steps: int) -> np.ndarray:
    """Row indices for each step: a fresh permutation per epoch, cut into full batches (the tail is dropped)."""
    rows = []
    while len(rows) < steps:
        perm = rng.permutation(n)
        for s in range(0, n - batch + 1, batch):
            rows.append(perm[s : s + batch])
    return np.asarray(rows[:steps], np.int64)


# ---------------------------------------------------------------------------------------------------------------------
# PyTorch forward + backward cases
# ---------------------------------------------------------------------------------------------------------------------

TORCH_CLASSES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def torch_case(out: Path, name: str, kind: str, *, batch: int, steps: int, inp: int, hidden: int, layers: int,
               bidirectional: bool, init_state: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    kwargs = {"nonlinearity": "tanh"} if kind == "rnn" else {}
    mod = TORCH_CLASSES[kind](inp, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True, **kwargs)
    with torch.no_grad():
        for _, p in mod.named_parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(F32)))
    dirs = 2 if bidirectional else 1
    x = rng.standard_normal((batch, steps, inp)).astype(F32)
    xt = torch.from_numpy(x).requires_grad_(True)
    data: dict[str, np.ndarray] = {"x": x}
    state = None
    h0t = c0t = None
    if init_state:
        h0 = rng.uniform(-0.5, 0.5, size=(layers * dirs, batch, hidden)).astype(F32)
        h0t = torch.from_numpy(h0).requires_grad_(True)
        data["h0"] = h0
        state = h0t
        if kind == "lstm":
            c0 = rng.uniform(-0.5, 0.5, size=(layers * dirs, batch, hidden)).astype(F32)
            c0t = torch.from_numpy(c0).requires_grad_(True)
            data["c0"] = c0
            state = (h0t, c0t)
    output, hn = mod(xt, state)
    if kind == "lstm":
        hn, cn = hn
        data["c_n"] = np32(cn)
    data["output"] = np32(output)
    data["h_n"] = np32(hn)
    r = rng.standard_normal(tuple(output.shape)).astype(F32)
    data["r"] = r
    (output * torch.from_numpy(r)).sum().backward()
    data["grad/x"] = np32(xt.grad)
    if h0t is not None:
        data["grad/h0"] = np32(h0t.grad)
    if c0t is not None:
        data["grad/c0"] = np32(c0t.grad)
    weights = {}
    for pname, p in mod.named_parameters():
        weights[pname] = np32(p)
        data[f"grad/{pname}"] = np32(p.grad)
    cfg = {
        "library": "torch",
        "layer": {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN(nonlinearity='tanh')"}[kind],
        "input_size": inp,
        "hidden_size": hidden,
        "num_layers": layers,
        "bidirectional": bidirectional,
        "batch_first": True,
        "batch": batch,
        "steps": steps,
        "init_state": init_state,
        "seed": seed,
    }
    desc = (f"PyTorch {cfg['layer']}(input_size={inp}, hidden_size={hidden}, num_layers={layers}, "
            f"bidirectional={bidirectional}, batch_first=True) on x ({batch}, {steps}, {inp})"
            + (", with a given initial state" if init_state else ", zero initial state"))
    write(out, f"{name}.weights.safetensors", weights, {"config": cfg}, f"{desc}: the module's `state_dict`.")
    write(out, f"{name}.data.safetensors", data, {"config": cfg},
          f"{desc}: input, outputs and gradients of `sum(output * r)`.")


# ---------------------------------------------------------------------------------------------------------------------
# Keras forward + backward cases (JAX backend; gradients by jax.grad through `Model.stateless_call`)
# ---------------------------------------------------------------------------------------------------------------------


def keras_native_names(model: keras.Model) -> list[tuple[str, keras.Variable]]:
    """`<layer_name>/<weight_name>` for every weight, in `model.weights` order (Keras layouts, no transposes);
    a `Bidirectional` layer's weights are `<layer_name>/<direction layer name>/<weight_name>`, e.g.
    `bidir/forward_lstm/kernel` and `bidir/backward_lstm/kernel`."""
    names = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            for sub in (layer.forward_layer, layer.backward_layer):
                for w in sub.weights:
                    names.append((f"{layer.name}/{sub.name}/{w.name}", w))
            continue
        for w in layer.weights:
            names.append((f"{layer.name}/{w.name}", w))
    assert len(names) == len(model.weights)
    return names


def keras_grads(model: keras.Model, inputs: list[np.ndarray], r: np.ndarray):
    """Gradients of sum(first_output * r) w.r.t. the inputs and every trainable variable."""
    tv = [v.value for v in model.trainable_variables]
    ntv = [v.value for v in model.non_trainable_variables]

    def loss(tv, xs):
        outs, _ = model.stateless_call(tv, ntv, xs if len(xs) > 1 else xs[0])
        first = outs[0] if isinstance(outs, (list, tuple)) else outs
        return jnp.sum(first * r)

    g_tv, g_x = jax.grad(loss, argnums=(0, 1))(tv, [jnp.asarray(a) for a in inputs])
    by_var = {id(v): np.asarray(g, F32) for v, g in zip(model.trainable_variables, g_tv)}
    return by_var, [np.asarray(g, F32) for g in g_x]


def keras_case(out: Path, name: str, build, *, batch: int, steps: int, inp: int, init_state: bool, scale: float,
               seed: int, cfg: dict, desc: str, bias_overrides: dict[str, float] | None = None) -> None:
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    model, state_names = build()
    named = keras_native_names(model)
    weights = {}
    for wname, var in named:
        v = rng.uniform(-scale, scale, size=tuple(var.shape)).astype(F32)
        if bias_overrides and wname in bias_overrides:
            v = np.full(tuple(var.shape), bias_overrides[wname], F32)
        var.assign(v)
        weights[wname] = v
    x = rng.standard_normal((batch, steps, inp)).astype(F32) if inp > 1 else rng.uniform(0, 1, (batch, steps, inp)).astype(F32)
    inputs = [x]
    data: dict[str, np.ndarray] = {"x": x}
    units = cfg["units"]
    if init_state:
        for sname in state_names:
            s = rng.uniform(-0.5, 0.5, size=(batch, units)).astype(F32)
            data[sname] = s
            inputs.append(s)
    outs = model(inputs if len(inputs) > 1 else x)
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    out_names = ["output"] + [f"{s}_n" for s in ("h", "c")][: len(outs) - 1]
    for oname, o in zip(out_names, outs):
        data[oname] = np.asarray(o, F32)
    r = rng.standard_normal(data["output"].shape).astype(F32)
    data["r"] = r
    g_vars, g_in = keras_grads(model, inputs, r)
    data["grad/x"] = g_in[0]
    if init_state:
        for sname, g in zip(state_names, g_in[1:]):
            data[f"grad/{sname}"] = g
    for wname, var in named:
        data[f"grad/{wname}"] = g_vars[id(var)]
    cfg = dict(cfg, library="keras", batch=batch, steps=steps, input_size=inp, init_state=init_state, seed=seed)
    write(out, f"{name}.weights.safetensors", weights, {"config": cfg},
          f"{desc}: weights as `<layer_name>/<weight>` in Keras layout.")
    write(out, f"{name}.data.safetensors", data, {"config": cfg},
          f"{desc}: input, outputs and gradients of `sum(output * r)` (jax.grad).")


def keras_layer_kind(kind: str):
    """(layer class, keyword arguments, layer name) for `kind`: `gru` is `GRU(reset_after=True)` (Keras 3's
    default), `gru_v1` is `GRU(reset_after=False)`, the original Cho et al. cell with one (3u) bias; both are named
    `gru`."""
    return {
        "lstm": (keras.layers.LSTM, {}, "lstm"),
        "gru": (keras.layers.GRU, {"reset_after": True}, "gru"),
        "gru_v1": (keras.layers.GRU, {"reset_after": False}, "gru"),
        "simple_rnn": (keras.layers.SimpleRNN, {}, "simple_rnn"),
    }[kind]


def keras_rnn(kind: str, units: int, steps: int, inp: int, *, return_sequences: bool, return_state: bool,
              init_state: bool):
    def build():
        layer_cls, kwargs, name = keras_layer_kind(kind)
        layer = layer_cls(units, return_sequences=return_sequences, return_state=return_state, name=name, **kwargs)
        x_in = keras.Input((steps, inp), name="x")
        state_names = ["h0", "c0"] if kind == "lstm" else ["h0"]
        if init_state:
            s_in = [keras.Input((units,), name=s) for s in state_names]
            y = layer(x_in, initial_state=s_in)
            model = keras.Model([x_in, *s_in], y)
        else:
            model = keras.Model(x_in, layer(x_in))
        return model, state_names

    return build


def keras_bidirectional(kind: str, units: int, steps: int, inp: int, *, merge: str, return_sequences: bool):
    def build():
        layer_cls, kwargs, name = keras_layer_kind(kind)
        inner = layer_cls(units, return_sequences=return_sequences, name=name, **kwargs)
        x_in = keras.Input((steps, inp), name="x")
        y = keras.layers.Bidirectional(inner, merge_mode=merge, name="bidir")(x_in)
        return keras.Model(x_in, y), []

    return build


def keras_lesson_model(steps: int = 12, inp: int = 1, units: int = 32) -> keras.Model:
    x_in = keras.Input((steps, inp), name="x")
    h = keras.layers.LSTM(units, return_sequences=True, name="lstm_1")(x_in)
    h = keras.layers.LSTM(units, return_sequences=True, name="lstm_2")(h)
    y = keras.layers.Dense(1, activation="relu", name="dense")(h)
    return keras.Model(x_in, y)


# ---------------------------------------------------------------------------------------------------------------------
# Training parity
# ---------------------------------------------------------------------------------------------------------------------


class TinyLstm(nn.Module):
    """LSTM(1 -> 8, batch_first) followed by Linear(8 -> 1) applied at every time step."""

    def __init__(self, hidden: int = 8):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.linear(h)


def torch_training(out: Path, seed: int = 20, fused_bias: bool = False) -> None:
    """PyTorch's LSTM has two bias vectors; each gets the full gradient and its own Adam step, so their sum moves
    twice as fast as a single bias would. `fused_bias=True` folds `bias_hh` into `bias_ih` and freezes it at zero
    (the `state_dict` still holds it), which is exactly a one-bias LSTM (the Keras parametrisation)."""
    name = "torch_train_lstm_fused_bias" if fused_bias else "torch_train_lstm"
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = TinyLstm(8)
    if fused_bias:
        with torch.no_grad():
            model.lstm.bias_ih_l0 += model.lstm.bias_hh_l0
            model.lstm.bias_hh_l0.zero_()
        model.lstm.bias_hh_l0.requires_grad_(False)
    init = {k: np32(v) for k, v in model.state_dict().items()}
    x, y = decline_windows(rng, wells=4, months=30, window=12)
    order = batch_order(rng, len(x), batch=8, steps=20)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(trainable, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    grad0 = {}
    for step, idx in enumerate(order):
        xb, yb = torch.from_numpy(x[idx]), torch.from_numpy(y[idx])
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        if step == 0:
            grad0 = {f"grad0/{k}": np32(p.grad) for k, p in model.named_parameters() if p.grad is not None}
        opt.step()
        losses.append(loss.item())
    final = {k: np32(v) for k, v in model.state_dict().items()}
    cfg = {
        "library": "torch",
        "model": "LSTM(1->8, batch_first=True) then Linear(8->1) at every step",
        "loss": "torch.nn.functional.mse_loss (mean over all elements)",
        "optimizer": {"name": "torch.optim.Adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        "batch": 8,
        "steps": len(order),
        "seed": seed,
        "fused_bias": fused_bias,
    }
    desc = "PyTorch training: LSTM(1->8) + Linear(8->1), MSE, 20 Adam steps (lr 1e-3, eps 1e-8)"
    if fused_bias:
        desc += ", `bias_hh_l0` folded into `bias_ih_l0` and frozen at zero (a one-bias LSTM; no `grad0/lstm.bias_hh_l0`)"
    write(out, f"{name}.init.safetensors", init, {"config": cfg}, f"{desc}: initial `state_dict` (torch default init).")
    write(out, f"{name}.final.safetensors", final, {"config": cfg}, f"{desc}: `state_dict` after the last step.")
    data = {"x": x, "y": y, "batch_idx": order, "loss": np.asarray(losses, F32), **grad0}
    write(out, f"{name}.data.safetensors", data, {"config": cfg},
          f"{desc}: data, batch order, loss per step (before that step's update), step-0 gradients.")


def keras_training(out: Path, seed: int = 30) -> None:
    name = "keras_train_lesson"
    rng = np.random.default_rng(seed)
    x, y = decline_windows(rng, wells=4, months=36, window=12)
    x, y = x[:32], y[:32]
    order = batch_order(rng, len(x), batch=16, steps=20)
    # Keras' own initialisers (glorot_uniform kernels, orthogonal recurrent kernels, unit forget bias, zero biases).
    # A Dense(1, relu) head can start dead (every pre-activation negative, zero gradient everywhere); take the first
    # init seed, counting up from `seed`, where most outputs on the data are alive, so the trace means something.
    init_seed = seed
    while True:
        keras.utils.set_random_seed(init_seed)
        model = keras_lesson_model()
        alive = float(np.mean(np.asarray(model(x)) > 0))
        if alive >= 0.9:
            break
        init_seed += 1
    named = keras_native_names(model)
    init = {n: np.asarray(v.value, F32) for n, v in named}
    opt = keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    loss_fn = keras.losses.MeanSquaredError()
    tv_vars = model.trainable_variables
    ntv = [v.value for v in model.non_trainable_variables]

    def loss_of(tv, xb, yb):
        pred, _ = model.stateless_call(tv, ntv, xb)
        return loss_fn(yb, pred)

    grad_fn = jax.jit(jax.value_and_grad(loss_of))
    losses = []
    grad0 = {}
    for step, idx in enumerate(order):
        tv = [v.value for v in tv_vars]
        loss, grads = grad_fn(tv, jnp.asarray(x[idx]), jnp.asarray(y[idx]))
        if step == 0:
            by_id = {id(v): np.asarray(g, F32) for v, g in zip(tv_vars, grads)}
            grad0 = {f"grad0/{n}": by_id[id(v)] for n, v in named}
        opt.apply(grads, tv_vars)
        losses.append(float(loss))
    final = {n: np.asarray(v.value, F32) for n, v in named}
    cfg = {
        "library": "keras",
        "model": "Input(12,1) -> LSTM(32, return_sequences) -> LSTM(32, return_sequences) -> Dense(1, relu)",
        "loss": "keras.losses.MeanSquaredError (mean over all elements)",
        "optimizer": {"name": "keras.optimizers.Adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7},
        "batch": 16,
        "steps": len(order),
        "seed": seed,
        "init_seed": init_seed,
        "alive_fraction_at_init": alive,
    }
    desc = "Keras training: the lesson's LSTM(32)->LSTM(32)->Dense(1, relu), MSE, 20 Adam steps (lr 1e-3, eps 1e-7)"
    write(out, f"{name}.init.safetensors", init, {"config": cfg}, f"{desc}: initial weights (Keras default init).")
    write(out, f"{name}.final.safetensors", final, {"config": cfg}, f"{desc}: weights after the last step.")
    data = {"x": x, "y": y, "batch_idx": order, "loss": np.asarray(losses, F32), **grad0}
    write(out, f"{name}.data.safetensors", data, {"config": cfg},
          f"{desc}: data, batch order, loss per step (before that step's update), step-0 gradients.")


# ---------------------------------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------------------------------

README_HEAD = """# Parity fixtures for `rnnlab-nn`

Generated by `tools/nn_reference.py` — do not edit by hand (this README is generated too). Regenerate from the
repository root with

    KERAS_BACKEND=jax /work/venv/bin/python tools/nn_reference.py

(the script's header says how to create the virtualenv). Every file's safetensors `__metadata__` holds
`generator`, `versions` (JSON) and `config` (JSON: layer sizes, seeds, optimiser settings).
`tools/nn_check_fixtures.py` re-derives every forward output below with plain NumPy from the formulas in this
README (so the layouts and gate orders described here are checked, not just asserted). The Rust tests that read
these files are `crates/nn/tests/parity_*.rs`; `crates/nn/PARITY_NOTES.md` records what they found.

Made with: {versions}

## Format

* Every file is [safetensors](https://huggingface.co/docs/safetensors): 8-byte little-endian header length,
  a JSON header (`dtype`, `shape`, `data_offsets` per tensor, plus `__metadata__`), then raw little-endian data.
  Floats are `F32`; index arrays are `I64`. Tensors are C-contiguous (row-major).
* Forward/backward cases come as a pair:
  * `<case>.weights.safetensors` — the weights exactly as the library stores them (native names and layouts,
    no transposes, no gate reordering), so an importer can read the file as is;
  * `<case>.data.safetensors` — `x` (the input), the outputs, `r` (a fixed random tensor shaped like `output`)
    and the gradients of the scalar `L = sum(output * r)` (only the first/sequence output enters `L`; the final
    states do not): `grad/x`, `grad/h0`, `grad/c0` (when an initial state is given) and `grad/<weight name>` for
    every weight in the weights file, same shape as the weight.
* Training cases come as a triple: `<case>.init.safetensors` (initial weights, native names),
  `<case>.final.safetensors` (weights after the last step), `<case>.data.safetensors` with `x` (N, 12, 1),
  `y` (N, 12, 1), `batch_idx` (steps, batch) `I64` — step `s` trains on rows `x[batch_idx[s]]` in that order —,
  `loss` (steps,) — the mean-squared error of step `s`'s batch computed with the weights *before* step `s`'s
  update — and `grad0/<weight name>`, the gradient of the step-0 loss.
* Inputs are batch-major everywhere: `x` is (batch, time, features) (PyTorch modules were built with
  `batch_first=True`).
* Weights of forward cases are uniform(±0.5) (±0.3 for the lesson model; its Dense bias is 0.1 so the ReLU is
  mostly alive), inputs standard normal (uniform [0, 1) when there is one feature), initial states uniform(±0.5),
  `r` standard normal, all from `numpy.random.default_rng(seed)`.
* Everything was computed in float32 on CPU with one thread.

## PyTorch conventions (`torch_*`)

* `nn.LSTM`: `weight_ih_l{{k}}` (4h, in_k), `weight_hh_l{{k}}` (4h, h), `bias_ih_l{{k}}` (4h), `bias_hh_l{{k}}` (4h);
  rows are gate blocks in the order **i, f, g, o**; in_k = input_size for k = 0, else h · directions.
  The reverse direction of a bidirectional layer has the same names with the suffix `_reverse`.
  `i = σ(W_ii x + b_ii + W_hi h + b_hi)`, `f = σ(…)`, `g = tanh(…)`, `o = σ(…)`, `c' = f c + i g`, `h' = o tanh(c')`.
* `nn.GRU`: same names, 3h rows in the order **r, z, n**:
  `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(…)`, `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`,
  `h' = (1 − z) n + z h`.
* `nn.RNN(nonlinearity='tanh')`: h rows, `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
* `output` is (batch, time, directions·h): the last layer's hidden state at every step, forward and reverse
  halves concatenated along the last axis (reverse half at step t has seen steps t..T−1).
* `h_n`, `c_n`, `h0`, `c0` are (num_layers·directions, batch, h), index = layer·directions + direction.
* Stacked layers: layer k > 0 reads the previous layer's concatenated output.

## Keras conventions (`keras_*`, Keras 3 on JAX)

* Weight names are `<layer_name>/kernel`, `<layer_name>/recurrent_kernel`, `<layer_name>/bias` (the Keras 3
  variable path is `<layer_name>/<cell>/kernel`; the cell part is dropped), in Keras layout:
  * `LSTM(u)`: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u); column blocks in the order **i, f, c, o**;
    `z = x·kernel + h·recurrent_kernel + bias`, `c' = f c + i tanh(z_c)`, `h' = o tanh(c')`.
  * `GRU(u, reset_after=True)`: kernel (in, 3u), recurrent_kernel (u, 3u), bias **(2, 3u)** — row 0 the input bias,
    row 1 the recurrent bias; column blocks **z, r, h**:
    `z = σ(x K_z + b0_z + h R_z + b1_z)`, `r = σ(…)`, `ĥ = tanh(x K_h + b0_h + r ⊙ (h R_h + b1_h))`,
    `h' = z h + (1 − z) ĥ`. (PyTorch's GRU is the same function with blocks r, z, n, transposed, and
    `b_ih = b0`, `b_hh = b1`.)
  * `GRU(u, reset_after=False)` (`keras_gru_v1_*`, `keras_bidir_gru_v1_*`; the layer is still named `gru`):
    kernel (in, 3u), recurrent_kernel (u, 3u), one bias **(3u)**, blocks **z, r, h**:
    `z = σ(x K_z + b_z + h R_z)`, `r = σ(…)`, `ĥ = tanh(x K_h + b_h + (r ⊙ h) R_h)`, `h' = z h + (1 − z) ĥ`
    (the reset gate acts before the recurrent product; PyTorch has no such GRU).
  * `SimpleRNN(u)`: kernel (in, u), recurrent_kernel (u, u), bias (u); `h' = tanh(x K + h R + b)`.
  * `Dense(n)`: kernel (in, n), bias (n).
  * `Bidirectional(layer, merge_mode)`: `<name>/forward_<inner>/…` and `<name>/backward_<inner>/…`, each in the
    inner layer's layout; the backward copy runs over the reversed sequence. With `return_sequences=True` its
    outputs are re-reversed so step t lines up; otherwise its last state (after seeing step 0) is used.
    `merge_mode="concat"`: forward then backward along the last axis; `"sum"`: added; `"mul"`: multiplied
    element-wise; `"ave"`: (forward + backward) / 2.
* `output` is (batch, time, u) with `return_sequences=True`, else (batch, u) (the last step).
  With `return_state=True` the data file also has `h_n` (batch, u) and, for LSTM, `c_n` (batch, u).
  Initial states `h0`, `c0` are (batch, u).

## Optimisers in the training cases

* PyTorch `Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`, step t = 1, 2, …:
  `m = β1 m + (1−β1) g`, `v = β2 v + (1−β2) g²`, `p −= lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps)`.
* Keras `Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`:
  `m += (g − m)(1−β1)`, `v += (g² − v)(1−β2)`, `α = lr·sqrt(1−β2^t)/(1−β1^t)`, `p −= α m / (sqrt(v) + eps)`
  (eps is added to the *uncorrected* sqrt(v), unlike PyTorch).
* PyTorch's `nn.LSTM` / `nn.RNN` have two bias vectors that enter only as their sum; each receives the full
  gradient and its own Adam step, so the effective bias moves twice as fast as a single (Keras-style) bias would.
  `torch_train_lstm_fused_bias` removes that difference (`bias_hh_l0` folded into `bias_ih_l0`, then frozen at zero),
  so a one-bias implementation must match it exactly; `torch_train_lstm` is plain PyTorch.
* Both losses are the mean over every element of (batch, 12, 1).
* The data are windows of synthetic Arps decline curves `q(t) = qi / (1 + b·Di·t)^(1/b)` with 5 % multiplicative
  noise, each well scaled by its maximum; `y` is `x` shifted one month ahead. Not the lesson's real data.

## Files
"""


def write_readme(out: Path) -> None:
    lines = [README_HEAD.format(versions=", ".join(f"{k} {v}" for k, v in VERSIONS.items()))]
    total = 0
    for entry in WRITTEN:
        size = (out / entry["file"]).stat().st_size
        total += size
        lines.append(f"### `{entry['file']}` ({size:,} bytes)\n")
        lines.append(entry["doc"] + "\n")
        lines.append("| tensor | dtype | shape |\n|---|---|---|")
        for tname, dtype, shape in entry["tensors"]:
            lines.append(f"| `{tname}` | {dtype} | {tuple(shape)} |")
        lines.append("")
    lines.append(f"Total: {len(WRITTEN)} files, {total:,} bytes.\n")
    (out / "README.md").write_text("\n".join(lines))


# ---------------------------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/parity/nn", type=Path)
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.safetensors"):
        old.unlink()

    small = {"batch": 3, "steps": 5, "inp": 4, "hidden": 6}
    seed = 100
    for kind in ("lstm", "gru", "rnn"):
        for suffix, layers, bidir, init_state in (
            ("1layer", 1, False, False),
            ("2layer", 2, False, False),
            ("bidir", 1, True, False),
            ("2layer_bidir", 2, True, False),
            ("init_state", 1, False, True),
        ):
            seed += 1
            torch_case(out, f"torch_{kind}_{suffix}", kind, layers=layers, bidirectional=bidir,
                       init_state=init_state, seed=seed, **small)

    b, t, i, u = 3, 5, 4, 6
    for kind in ("lstm", "gru", "simple_rnn"):
        title = {"lstm": "LSTM", "gru": "GRU(reset_after=True)", "simple_rnn": "SimpleRNN"}[kind]
        for suffix, rs, rst, init_state in (
            ("last", False, False, False),
            ("seq_state", True, True, False),
            ("init_state", True, True, True),
        ):
            seed += 1
            cfg = {"layer": title, "units": u, "return_sequences": rs, "return_state": rst}
            desc = (f"Keras {title}({u}, return_sequences={rs}, return_state={rst}) on x ({b}, {t}, {i})"
                    + (", with a given initial state" if init_state else ""))
            keras_case(out, f"keras_{kind}_{suffix}", keras_rnn(kind, u, t, i, return_sequences=rs,
                                                                  return_state=rst, init_state=init_state),
                       batch=b, steps=t, inp=i, init_state=init_state, scale=0.5, seed=seed, cfg=cfg, desc=desc)

    seed += 1
    keras_case(out, "keras_lesson", lambda: (keras_lesson_model(), []), batch=2, steps=12, inp=1, init_state=False,
               scale=0.3, seed=seed,
               cfg={"layer": "LSTM(32, rs) -> LSTM(32, rs) -> Dense(1, relu)", "units": 32,
                    "return_sequences": True, "return_state": False},
               desc="Keras lesson model Input(12,1) -> LSTM(32, return_sequences) -> LSTM(32, return_sequences) "
                    "-> Dense(1, relu) on x (2, 12, 1)",
               bias_overrides={"dense/bias": 0.1})

    for kind, merge, rs in (("lstm", "sum", False), ("gru", "concat", True)):
        seed += 1
        title = {"lstm": "LSTM", "gru": "GRU(reset_after=True)"}[kind]
        cfg = {"layer": f"Bidirectional({title}({u}, return_sequences={rs}), merge_mode={merge!r})", "units": u,
               "return_sequences": rs, "return_state": False, "merge": merge, "inner": kind}
        keras_case(out, f"keras_bidir_{kind}_{merge}", keras_bidirectional(kind, u, t, i, merge=merge,
                                                                           return_sequences=rs),
                   batch=b, steps=t, inp=i, init_state=False, scale=0.5, seed=seed, cfg=cfg,
                   desc=f"Keras {cfg['layer']} on x ({b}, {t}, {i})")

    # Added in session 3 (appended, so the seeds of the cases above are unchanged): Keras GRU(reset_after=False)
    # and more Bidirectional merge / return_sequences combinations, for nn's Keras import.
    title_v1 = "GRU(reset_after=False)"
    for suffix, rs, rst, init_state in (
        ("last", False, False, False),
        ("seq_state", True, True, False),
        ("init_state", True, True, True),
    ):
        seed += 1
        cfg = {"layer": title_v1, "units": u, "return_sequences": rs, "return_state": rst}
        desc = (f"Keras {title_v1}({u}, return_sequences={rs}, return_state={rst}) on x ({b}, {t}, {i})"
                + (", with a given initial state" if init_state else ""))
        keras_case(out, f"keras_gru_v1_{suffix}", keras_rnn("gru_v1", u, t, i, return_sequences=rs,
                                                             return_state=rst, init_state=init_state),
                   batch=b, steps=t, inp=i, init_state=init_state, scale=0.5, seed=seed, cfg=cfg, desc=desc)
    for kind, merge, rs in (("lstm", "concat", True), ("gru", "sum", False), ("gru_v1", "concat", True),
                            ("lstm", "mul", True), ("gru", "ave", False)):
        seed += 1
        title = {"lstm": "LSTM", "gru": "GRU(reset_after=True)", "gru_v1": title_v1}[kind]
        cfg = {"layer": f"Bidirectional({title}({u}, return_sequences={rs}), merge_mode={merge!r})", "units": u,
               "return_sequences": rs, "return_state": False, "merge": merge, "inner": kind}
        keras_case(out, f"keras_bidir_{kind}_{merge}", keras_bidirectional(kind, u, t, i, merge=merge,
                                                                           return_sequences=rs),
                   batch=b, steps=t, inp=i, init_state=False, scale=0.5, seed=seed, cfg=cfg,
                   desc=f"Keras {cfg['layer']} on x ({b}, {t}, {i})")

    torch_training(out)
    torch_training(out, fused_bias=True)
    keras_training(out)
    write_readme(out)
    total = sum((out / e["file"]).stat().st_size for e in WRITTEN)
    print(f"wrote {len(WRITTEN)} files, {total:,} bytes, to {out}")


if __name__ == "__main__":
    main()
