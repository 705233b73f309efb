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
on a quiet machine; the two sides run one after the other), and what the speed target asks of the machine: the
model's matrix-product FLOPs per character, the rate each side ran them at, and torch.matmul's rate on a 1024³ square
on the same threads.

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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def ours(args: argparse.Namespace, data_dir: Path, seed: int, epochs: int) -> dict:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "release" / "char-rnn"
    metrics = data_dir / "ours.json"
    cmd = [str(binary), "train", "--input", args.input, "--out", str(data_dir / "model"),
           "--sentence-len", str(args.sentence_len), "--batch-size", str(args.batch_size),
           "--units", str(args.units), "--layers", str(args.layers), "--cell", args.cell, "--init", args.init,
           "--epochs", str(epochs), "--lr", str(args.lr), "--clip", str(args.clip),
           "--threads", str(args.threads), "--seed", str(seed), "--valid-fraction", str(args.valid_fraction),
           "--sample-len", "0", "--metrics-json", str(metrics), "--export-data", str(data_dir)]
    if args.fragment_chars:
        cmd += ["--fragment-chars", str(args.fragment_chars)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    m = json.loads(metrics.read_text())
    return {"history": [{"epoch": h["epoch"], "loss": h["loss"], "valid_bpc": h["valid_bpc"],
                         "chars_per_sec": h["chars_per_sec"], "seconds": h["seconds"],
                         "cpu_seconds": h.get("cpu_seconds")} for h in m["history"]],
            "alphabet_size": m["alphabet_size"], "train_chars": m["train_chars"], "valid_chars": m["valid_chars"],
            "unigram_bpc": m["unigram_bpc"], "wall_seconds": wall, "version": "rnnlab char-rnn"}


def keras_init(rnn, head, cell: str, units: int) -> None:
    """Keras' initialisers (what `--init keras` gives our side): glorot-uniform input kernels, orthogonal
    recurrent kernels, one zero bias (ones in the LSTM forget block; PyTorch's second bias is zeroed and frozen,
    except for the GRU, whose reset-after form has two biases in Keras too), glorot-uniform Dense kernel with a
    zero bias."""
    import torch
    from torch import nn

    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            else:
                p.zero_()
                if cell == "lstm" and name.startswith("bias_ih"):
                    p[units:2 * units] = 1.0
                if cell != "gru" and name.startswith("bias_hh"):
                    p.requires_grad_(False)
        nn.init.xavier_uniform_(head.weight)
        head.bias.zero_()


def pytorch(args: argparse.Namespace, data_dir: Path, seed: int) -> dict:
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_x = torch.from_numpy(np.load(data_dir / "train_x.npy").astype(np.int64))
    train_y = torch.from_numpy(np.load(data_dir / "train_y.npy").astype(np.int64))
    valid_x = torch.from_numpy(np.load(data_dir / "valid_x.npy").astype(np.int64))
    valid_y = torch.from_numpy(np.load(data_dir / "valid_y.npy").astype(np.int64))
    vocab = len(json.loads((data_dir / "alphabet.json").read_text()))
    rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[args.cell]
    rnn = rnn_class(vocab, args.units, num_layers=args.layers, batch_first=True)
    head = nn.Linear(args.units, vocab)
    if args.init == "keras":
        keras_init(rnn, head, args.cell, args.units)
    params = [p for p in list(rnn.parameters()) + list(head.parameters()) if p.requires_grad]
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)

    def logits(x: torch.Tensor) -> torch.Tensor:
        h, _ = rnn(nn.functional.one_hot(x, vocab).float())
        return head(h)

    history = []
    n, seq = train_x.shape
    for epoch in range(1, args.epochs + 1):
        order = torch.from_numpy(rng.permutation(n))
        total, count = 0.0, 0
        t0, c0 = time.perf_counter(), time.process_time()
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
        seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
        with torch.no_grad():
            nats, targets = 0.0, 0
            for start in range(0, len(valid_x), args.batch_size):
                out = logits(valid_x[start:start + args.batch_size])
                yb = valid_y[start:start + args.batch_size].reshape(-1)
                nats += nn.functional.cross_entropy(out.reshape(-1, vocab), yb, reduction="sum").item()
                targets += yb.numel()
        history.append({"epoch": epoch, "loss": total / count, "valid_bpc": nats / targets / math.log(2),
                        "chars_per_sec": count / seconds, "seconds": seconds, "cpu_seconds": cpu_seconds})
    return {"history": history, "version": f"torch {torch.__version__}"}


def product_flop_per_char(cell: str, layers: int, units: int, vocab: int) -> float:
    """Matrix-product FLOPs (2 per multiply-add) of one training character, the least work the model needs: the
    first layer's recurrent product forward, and dgates·Uᵀ and hᵀ·dgates backward (its one-hot input is a row lookup
    and its kernel gradient a scatter, as ours does them); every further layer's input and recurrent products
    forward and their four backward products; the Dense head's product forward and its two backward. Gate blocks:
    LSTM 4, GRU 3, RNN 1. PyTorch multiplies the one-hot input densely (x·W forward, xᵀ·dgates backward: 2·2·G·u·V
    more), so the rate printed for it is its effective rate on this count, below its actual product rate."""
    block = 2.0 * {"lstm": 4, "gru": 3, "rnn": 1}[cell] * units * units
    return block * (3 + 6 * (layers - 1)) + 6.0 * units * vocab


def summary(side: dict) -> dict:
    """Held-out bpc after the last epoch, the best, and the training throughput over all epochs (characters per
    wall second and per CPU second, user + system of all threads)."""
    h = side["history"]
    seconds = sum(e["seconds"] for e in h)
    chars = sum(e["chars_per_sec"] * e["seconds"] for e in h)
    cpu = [e.get("cpu_seconds") for e in h]
    cpu_total = sum(cpu) if all(c is not None for c in cpu) else None
    return {"last_bpc": h[-1]["valid_bpc"], "best_bpc": min(e["valid_bpc"] for e in h),
            "chars_per_sec": chars / seconds,
            "chars_per_cpu_sec": chars / cpu_total if cpu_total else None}


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:+.3f}"
    mean = statistics.fmean(values)
    return (f"mean {mean:+.3f}, sd {statistics.stdev(values):.3f}, "
            f"range {min(values):+.3f} .. {max(values):+.3f} over {len(values)} seeds")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=str(ROOT.parent / "shared" / "data" / "crime_and_punishment.txt"))
    ap.add_argument("--fragment-chars", type=int, default=200_000, help="0: the whole text")
    ap.add_argument("--sentence-len", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--units", type=int, default=128)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    ap.add_argument("--init", choices=["pytorch", "keras"], default="pytorch",
                    help="both sides start from this library's initialisers")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, nargs="+", default=[1],
                    help="one run of each side per seed (the gap's spread over seeds is printed)")
    ap.add_argument("--sides", choices=["both", "ours", "pytorch"], default="both")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "char-rnn"], cwd=ROOT, check=True)
    if args.sides != "ours":
        import torch

        from nn_torch_keras import square_matmul_gflops

        torch.set_num_interop_threads(1)

    load_before = os.getloadavg()
    runs = []
    gaps_last, gaps_best, speed, cpu_speed = [], [], [], []
    for seed in args.seed:
        with tempfile.TemporaryDirectory(prefix="char_rnn_bench_") as tmp:
            data_dir = Path(tmp)
            # With --sides pytorch our binary only prepares and exports the data (one epoch, not reported).
            epochs = 1 if args.sides == "pytorch" else args.epochs
            run = {"seed": seed, "ours": ours(args, data_dir, seed, epochs)}
            if args.sides != "ours":
                run["pytorch"] = pytorch(args, data_dir, seed)
            if args.sides == "pytorch":
                del run["ours"]["history"]
            runs.append(run)
        if len(runs) == 1:
            o = run["ours"]
            print(f"char-rnn vs PyTorch: {args.input} fragment {args.fragment_chars or 'all'} chars, "
                  f"{o['alphabet_size']} symbols, {o['train_chars']} training / {o['valid_chars']} held-out chars; "
                  f"{args.layers} x {args.cell.upper()}({args.units}) + Dense, {args.init} init, "
                  f"seq {args.sentence_len}, batch {args.batch_size}, {args.epochs} epochs, Adam {args.lr}, "
                  f"clip {args.clip}, {args.threads} thread(s)")
            print(f"load average before {load_before[0]:.2f} (on {os.cpu_count()} CPUs)")
            print(f"unigram baseline {o['unigram_bpc']:.3f} bpc")
        # Each seed's figures as soon as they exist (a long multi-seed run keeps what it finished).
        sides = [k for k in ("ours", "pytorch") if k in run and "history" in run[k]]
        print(f"seed {run['seed']} (load average now {os.getloadavg()[0]:.2f})")
        print(f"{'epoch':>5} | " + " | ".join(f"{k + ' loss':>12} {'bpc':>6} {'chars/s':>9} {'cpu s':>7}" for k in sides))
        for rows in zip(*(run[k]["history"] for k in sides)):
            cells = [f"{r['loss']:12.4f} {r['valid_bpc']:6.3f} {r['chars_per_sec']:9.0f} "
                     f"{(r['cpu_seconds'] or float('nan')):7.2f}" for r in rows]
            print(f"{rows[0]['epoch']:>5} | " + " | ".join(cells))
        for k in sides:
            run[k]["summary"] = summary(run[k])
        if len(sides) == 2:
            so, st = run["ours"]["summary"], run["pytorch"]["summary"]
            gaps_last.append(so["last_bpc"] - st["last_bpc"])
            gaps_best.append(so["best_bpc"] - st["best_bpc"])
            speed.append(so["chars_per_sec"] / st["chars_per_sec"])
            cpu_ratio = (so["chars_per_cpu_sec"] / st["chars_per_cpu_sec"]
                         if so["chars_per_cpu_sec"] and st["chars_per_cpu_sec"] else None)
            if cpu_ratio:
                cpu_speed.append(cpu_ratio)
            print(f"  held-out bpc after the last epoch: ours {so['last_bpc']:.3f}, PyTorch {st['last_bpc']:.3f} "
                  f"(difference {so['last_bpc'] - st['last_bpc']:+.3f}); best: ours {so['best_bpc']:.3f}, "
                  f"PyTorch {st['best_bpc']:.3f}")
            print(f"  training throughput: ours {so['chars_per_sec']:,.0f} chars/s "
                  f"({so['chars_per_cpu_sec'] or float('nan'):,.0f} per CPU s), PyTorch {st['chars_per_sec']:,.0f} "
                  f"chars/s ({st['chars_per_cpu_sec'] or float('nan'):,.0f} per CPU s): wall ratio "
                  f"{speed[-1]:.2f}x, CPU-time ratio {cpu_ratio or float('nan'):.2f}x ({run['pytorch']['version']})")
            flop = product_flop_per_char(args.cell, args.layers, args.units, o["alphabet_size"])
            torch_rate = st["chars_per_sec"] * flop / 1e9
            sq = square_matmul_gflops(torch)
            run["product_rates"] = {"flop_per_char": flop, "pytorch_gflops": torch_rate,
                                    "ours_gflops": so["chars_per_sec"] * flop / 1e9, "square_matmul": sq}
            print(f"  matrix products: {flop / 1e3:,.0f} kFLOP per character; PyTorch ran them at {torch_rate:.0f} "
                  f"GFLOP/s, ours at {so['chars_per_sec'] * flop / 1e9:.0f}; twice PyTorch's speed needs "
                  f"{2 * torch_rate:.0f}, against torch.matmul on a 1024³ square on the same threads: median "
                  f"{sq['median']:.0f}, best {sq['best']:.0f} GFLOP/s")
        sys.stdout.flush()
        if args.json:
            Path(args.json).write_text(json.dumps({"runs": runs, "load_before": load_before,
                                                   "args": vars(args)}, indent=2) + "\n")
    load_after = os.getloadavg()
    print(f"load average after {load_after[0]:.2f}")
    for k in ("ours", "pytorch"):
        last = [r[k]["summary"]["last_bpc"] for r in runs if "summary" in r.get(k, {})]
        if len(last) > 1:
            print(f"{k}: held-out bpc after the last epoch over seeds {args.seed}: "
                  f"mean {statistics.fmean(last):.3f}, sd {statistics.stdev(last):.3f}, "
                  f"range {min(last):.3f} .. {max(last):.3f}")
    if gaps_last:
        print(f"gap (ours - PyTorch), last epoch: {spread(gaps_last)}; best epoch: {spread(gaps_best)}")
        print(f"speed ratio (ours / PyTorch): wall {spread(speed).replace('+', '')}; "
              f"CPU time {spread(cpu_speed).replace('+', '') if cpu_speed else 'n/a'}")
    if args.json:
        results = {"runs": runs, "load_before": load_before, "load_after": load_after, "args": vars(args)}
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
