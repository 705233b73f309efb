#!/usr/bin/env python3
"""Re-derive every forward output in `fixtures/parity/nn/` with plain NumPy from the formulas in its README.

This checks the documentation (names, layouts, gate orders, bias rows, state layouts) rather than the libraries:
if a README formula or layout were wrong, the Rust side would be written against a wrong description.
Needs only numpy and safetensors (same venv as tools/nn_reference.py):

    /work/venv/bin/python tools/nn_check_fixtures.py [--dir fixtures/parity/nn]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def torch_cell(kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    if kind == "lstm":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    if kind == "gru":
        ir, iz, inn = np.split(gi, 3, axis=-1)
        hr, hz, hn = np.split(gh, 3, axis=-1)
        r, z = sigmoid(ir + hr), sigmoid(iz + hz)
        n = np.tanh(inn + r * hn)
        return (1 - z) * n + z * h, c
    return np.tanh(gi + gh), c


def torch_forward(kind, w, data, cfg):
    layers, dirs, hsz = cfg["num_layers"], 2 if cfg["bidirectional"] else 1, cfg["hidden_size"]
    x = data["x"].astype(np.float64)
    batch, steps, _ = x.shape
    h_n, c_n = [], []
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            k = layer * dirs + d
            h = data["h0"][k].astype(np.float64) if "h0" in data else np.zeros((batch, hsz))
            c = data["c0"][k].astype(np.float64) if "c0" in data else np.zeros((batch, hsz))
            seq = [None] * steps
            order = range(steps - 1, -1, -1) if d else range(steps)
            for t in order:
                h, c = torch_cell(kind, x[:, t], h, c, w["weight_ih" + sfx], w["weight_hh" + sfx],
                                  w["bias_ih" + sfx], w["bias_hh" + sfx])
                seq[t] = h
            outs.append(np.stack(seq, axis=1))
            h_n.append(h)
            c_n.append(c)
        x = np.concatenate(outs, axis=-1)
    res = {"output": x, "h_n": np.stack(h_n)}
    if kind == "lstm":
        res["c_n"] = np.stack(c_n)
    return res


def keras_layer(kind, x, w, name, h0=None, c0=None, return_sequences=True):
    k, rk, b = w[f"{name}/kernel"], w[f"{name}/recurrent_kernel"], w[f"{name}/bias"]
    batch, steps, _ = x.shape
    units = rk.shape[0]
    h = np.zeros((batch, units)) if h0 is None else h0.astype(np.float64)
    c = np.zeros((batch, units)) if c0 is None else c0.astype(np.float64)
    seq = []
    for t in range(steps):
        if kind == "lstm":
            z = x[:, t] @ k + h @ rk + b
            i, f, cc, o = np.split(z, 4, axis=-1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
            h = sigmoid(o) * np.tanh(c)
        elif kind == "gru":
            xz, xr, xh = np.split(x[:, t] @ k + b[0], 3, axis=-1)
            hz, hr, hh = np.split(h @ rk + b[1], 3, axis=-1)
            z, r = sigmoid(xz + hz), sigmoid(xr + hr)
            cand = np.tanh(xh + r * hh)
            h = z * h + (1 - z) * cand
        elif kind == "gru_v1":  # reset_after=False: one (3u) bias, reset gate before the recurrent product
            xz, xr, xh = np.split(x[:, t] @ k + b, 3, axis=-1)
            rz, rr, rh = np.split(rk, 3, axis=-1)
            z, r = sigmoid(xz + h @ rz), sigmoid(xr + h @ rr)
            cand = np.tanh(xh + (r * h) @ rh)
            h = z * h + (1 - z) * cand
        else:
            h = np.tanh(x[:, t] @ k + h @ rk + b)
        seq.append(h)
    out = np.stack(seq, axis=1) if return_sequences else h
    return out, h, c


def keras_forward(case, w, data, cfg):
    x = data["x"].astype(np.float64)
    if case.startswith("keras_bidir_"):
        kind, rs = cfg["inner"], cfg["return_sequences"]
        inner = "gru" if kind == "gru_v1" else kind  # the Keras layer name
        fwd, _, _ = keras_layer(kind, x, w, f"bidir/forward_{inner}", return_sequences=rs)
        bwd, _, _ = keras_layer(kind, x[:, ::-1], w, f"bidir/backward_{inner}", return_sequences=rs)
        if rs:
            bwd = bwd[:, ::-1]
        merged = {
            "sum": lambda: fwd + bwd,
            "mul": lambda: fwd * bwd,
            "ave": lambda: (fwd + bwd) / 2,
            "concat": lambda: np.concatenate([fwd, bwd], axis=-1),
        }[cfg["merge"]]()
        return {"output": merged}
    if case == "keras_lesson":
        h, _, _ = keras_layer("lstm", x, w, "lstm_1")
        h, _, _ = keras_layer("lstm", h, w, "lstm_2")
        return {"output": np.maximum(h @ w["dense/kernel"] + w["dense/bias"], 0.0)}
    kind = case.split("_")[1] if not case.startswith("keras_simple_rnn") else "simple_rnn"
    name = kind
    if case.startswith("keras_gru_v1_"):
        kind = "gru_v1"
    out, h, c = keras_layer(kind, x, w, name, data.get("h0"), data.get("c0"), cfg["return_sequences"])
    res = {"output": out}
    if cfg["return_state"]:
        res["h_n"] = h
        if kind == "lstm":
            res["c_n"] = c
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="fixtures/parity/nn", type=Path)
    args = ap.parse_args()
    worst = 0.0
    cases = sorted(p.name[: -len(".weights.safetensors")] for p in args.dir.glob("*.weights.safetensors"))
    for case in cases:
        w = {k: v.astype(np.float64) for k, v in load_file(str(args.dir / f"{case}.weights.safetensors")).items()}
        data_path = str(args.dir / f"{case}.data.safetensors")
        data = load_file(data_path)
        with safe_open(data_path, "np") as fh:
            cfg = json.loads(fh.metadata()["config"])
        if case.startswith("torch_"):
            got = torch_forward(case.split("_")[1], w, data, cfg)
        else:
            got = keras_forward(case, w, data, cfg)
        for name, value in got.items():
            err = float(np.abs(value - data[name]).max())
            worst = max(worst, err)
            status = "ok" if err < 1e-5 else "MISMATCH"
            print(f"{case:32s} {name:8s} max|diff| {err:.2e} {status}")
            if err >= 1e-5:
                raise SystemExit(f"{case}:{name} differs from the documented formula by {err}")
    print(f"{len(cases)} cases agree with the README formulas; worst max|diff| {worst:.2e}")


if __name__ == "__main__":
    main()
