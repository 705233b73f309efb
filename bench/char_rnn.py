#!/usr/bin/env python3
"""char-rnn against PyTorch: the same next-character model on the same sentences, same sizes and threads, one run.

Our binary prepares the data (cleaning, fragment, held-out tail, equal-length sentences) and trains; it exports the
exact sentences it trained on (`--export-data`), and PyTorch then trains the same architecture on them: a one-hot
input (as assignment 3 builds it) into `nn.LSTM`/`nn.GRU`/`nn.RNN` (`--layers` stacked, `--units` each), `nn.Linear`
to one logit per character, cross-entropy at every step, Adam (lr, betas 0.9/0.999, eps 1e-8), global-norm clipping,
the training sentences shuffled every epoch, the same batch size, epochs and thread count. Both report, per epoch,
the training loss, the held-out cross-entropy in bits per character (every held-out sentence from a zero state, mean
over all its targets) and the training throughput (target characters per second of the training loop, evaluation
excluded). The script prints both and the ratios, with the machine's load average (the figures are only comparable
on a quiet machine; the two sides run one after the other).

Environment: the project venv (/work/venv: torch 2.15 CPU, numpy). Create one with
    python3 -m venv venv && venv/bin/pip install torch numpy
Run from the repository root (CARGO_TARGET_DIR is honoured; the binary is built with `cargo build --release`):

    /work/venv/bin/python bench/char_rnn.py [--input ../shared/data/crime_and_punishment.txt]
        [--fragment-chars 200000] [--sentence-len 64] [--batch-size 64] [--units 128] [--layers 1] [--cell lstm]
        [--epochs 3] [--lr 2e-3] [--clip 5] [--threads 2] [--seed 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def ours(args: argparse.Namespace, data_dir: Path) -> dict:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "char-rnn"], cwd=ROOT, check=True)
    binary = target / "release" / "char-rnn"
    metrics = data_dir / "ours.json"
    cmd = [str(binary), "train", "--input", args.input, "--out", str(data_dir / "model"),
           "--sentence-len", str(args.sentence_len), "--batch-size", str(args.batch_size),
           "--units", str(args.units), "--layers", str(args.layers), "--cell", args.cell,
           "--epochs", str(args.epochs), "--lr", str(args.lr), "--clip", str(args.clip),
           "--threads", str(args.threads), "--seed", str(args.seed), "--valid-fraction", str(args.valid_fraction),
           "--sample-len", "0", "--metrics-json", str(metrics), "--export-data", str(data_dir)]
    if args.fragment_chars:
        cmd += ["--fragment-chars", str(args.fragment_chars)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    m = json.loads(metrics.read_text())
    return {"history": [{"epoch": h["epoch"], "loss": h["loss"], "valid_bpc": h["valid_bpc"],
                         "chars_per_sec": h["chars_per_sec"], "seconds": h["seconds"]} for h in m["history"]],
            "alphabet_size": m["alphabet_size"], "train_chars": m["train_chars"], "valid_chars": m["valid_chars"],
            "unigram_bpc": m["unigram_bpc"], "wall_seconds": wall, "version": "rnnlab char-rnn"}


def pytorch(args: argparse.Namespace, data_dir: Path) -> dict:
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train_x = torch.from_numpy(np.load(data_dir / "train_x.npy").astype(np.int64))
    train_y = torch.from_numpy(np.load(data_dir / "train_y.npy").astype(np.int64))
    valid_x = torch.from_numpy(np.load(data_dir / "valid_x.npy").astype(np.int64))
    valid_y = torch.from_numpy(np.load(data_dir / "valid_y.npy").astype(np.int64))
    vocab = len(json.loads((data_dir / "alphabet.json").read_text()))
    rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[args.cell]
    rnn = rnn_class(vocab, args.units, num_layers=args.layers, batch_first=True)
    head = nn.Linear(args.units, vocab)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)

    def logits(x: torch.Tensor) -> torch.Tensor:
        h, _ = rnn(nn.functional.one_hot(x, vocab).float())
        return head(h)

    history = []
    n, seq = train_x.shape
    for epoch in range(1, args.epochs + 1):
        order = torch.from_numpy(rng.permutation(n))
        total, count = 0.0, 0
        t0 = time.perf_counter()
        for start in range(0, n, args.batch_size):
            idx = order[start:start + args.batch_size]
            opt.zero_grad()
            out = logits(train_x[idx])
            loss = nn.functional.cross_entropy(out.reshape(-1, vocab), train_y[idx].reshape(-1))
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
            total += loss.item() * idx.numel() * seq
            count += idx.numel() * seq
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            nats, targets = 0.0, 0
            for start in range(0, len(valid_x), args.batch_size):
                out = logits(valid_x[start:start + args.batch_size])
                yb = valid_y[start:start + args.batch_size].reshape(-1)
                nats += nn.functional.cross_entropy(out.reshape(-1, vocab), yb, reduction="sum").item()
                targets += yb.numel()
        history.append({"epoch": epoch, "loss": total / count, "valid_bpc": nats / targets / math.log(2),
                        "chars_per_sec": count / seconds, "seconds": seconds})
    return {"history": history, "version": f"torch {torch.__version__}"}


def summary(side: dict) -> tuple[float, float, float]:
    """(held-out bpc after the last epoch, best held-out bpc, characters per second over all epochs)."""
    h = side["history"]
    chars = sum(e["chars_per_sec"] * e["seconds"] for e in h)
    return h[-1]["valid_bpc"], min(e["valid_bpc"] for e in h), chars / sum(e["seconds"] for e in h)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=str(ROOT.parent / "shared" / "data" / "crime_and_punishment.txt"))
    ap.add_argument("--fragment-chars", type=int, default=200_000, help="0: the whole text")
    ap.add_argument("--sentence-len", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--units", type=int, default=128)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="char_rnn_bench_") as tmp:
        data_dir = Path(tmp)
        results = {"ours": ours(args, data_dir)}
        results["pytorch"] = pytorch(args, data_dir)
    load_after = os.getloadavg()

    o = results["ours"]
    print(f"char-rnn vs PyTorch: {args.input} fragment {args.fragment_chars or 'all'} chars, "
          f"{o['alphabet_size']} symbols, {o['train_chars']} training / {o['valid_chars']} held-out chars; "
          f"{args.layers} x {args.cell.upper()}({args.units}) + Dense, seq {args.sentence_len}, batch {args.batch_size}, "
          f"{args.epochs} epochs, Adam {args.lr}, clip {args.clip}, {args.threads} thread(s)")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (on {os.cpu_count()} CPUs)")
    print(f"unigram baseline {o['unigram_bpc']:.3f} bpc")
    print(f"{'epoch':>5} | {'ours loss':>9} {'bpc':>6} {'chars/s':>9} | {'torch loss':>10} {'bpc':>6} {'chars/s':>9}")
    for a, b in zip(o["history"], results["pytorch"]["history"]):
        print(f"{a['epoch']:>5} | {a['loss']:9.4f} {a['valid_bpc']:6.3f} {a['chars_per_sec']:9.0f} | "
              f"{b['loss']:10.4f} {b['valid_bpc']:6.3f} {b['chars_per_sec']:9.0f}")
    (ol, ob, oc), (tl, tb, tc) = summary(o), summary(results["pytorch"])
    print(f"held-out bpc after the last epoch: ours {ol:.3f}, PyTorch {tl:.3f} (difference {ol - tl:+.3f}); "
          f"best: ours {ob:.3f}, PyTorch {tb:.3f}")
    print(f"training throughput: ours {oc:,.0f} chars/s, PyTorch {tc:,.0f} chars/s, ratio {oc / tc:.2f}x "
          f"({results['pytorch']['version']})")
    results["summary"] = {"ours_last_bpc": ol, "torch_last_bpc": tl, "ours_best_bpc": ob, "torch_best_bpc": tb,
                          "ours_chars_per_sec": oc, "torch_chars_per_sec": tc, "speed_ratio": oc / tc,
                          "load_before": load_before, "load_after": load_after, "args": vars(args)}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
