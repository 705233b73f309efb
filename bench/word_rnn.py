#!/usr/bin/env python3
"""word-rnn against PyTorch: the same next-word model on the same sequences, sizes and threads, in one run.

Our binary prepares everything (the cleaning of assignment 1, the held-out tail of the word stream, the capped
vocabulary with <unk>, Word2Vec vectors trained first unless --vectors is given, equal-length word sequences) and
trains; it exports what it trained on (`--export-data`: the id sequences and the embedding matrix built from the
vectors). PyTorch then trains the same architecture on them: `nn.Embedding.from_pretrained(matrix, freeze=True)`,
`nn.LSTM`/`nn.GRU`/`nn.RNN` (`--layers` stacked, `--units` each), `nn.Linear` to one logit per word, cross-entropy at
every step, Adam (lr, betas 0.9/0.999, eps 1e-8), global-norm clipping, shuffled batches, same batch size, epochs,
threads. Both report per epoch the training loss, the held-out perplexity (every held-out sequence from a zero
state, exp of the mean cross-entropy over all its targets) and the training throughput (target words per second of
the training loop, evaluation excluded). Ours also gives the unigram and Kneser-Ney bigram perplexities on the same
held-out targets. The two sides run one after the other: on a loaded machine compare with care (load is printed).

The whole novel is ~180k words; --fragment-chars N (default 400000, 0 = all) writes the first N characters of the
input into a temporary file and uses that.

Environment: the project venv (/work/venv: torch 2.15 CPU, numpy). Create one with
    python3 -m venv venv && venv/bin/pip install torch numpy
Run from the repository root (CARGO_TARGET_DIR is honoured; the binary is built with `cargo build --release`):

    /work/venv/bin/python bench/word_rnn.py [--input ../shared/data/crime_and_punishment.txt]
        [--fragment-chars 400000] [--vocab-size 10000] [--seq-len 20] [--batch-size 32] [--units 128] [--layers 1]
        [--cell lstm] [--epochs 3] [--lr 3e-3] [--clip 5] [--threads 2] [--seed 1] [--json out.json]
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


def ours(args: argparse.Namespace, data_dir: Path, text: Path) -> dict:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "word-rnn"], cwd=ROOT, check=True)
    binary = target / "release" / "word-rnn"
    metrics = data_dir / "ours.json"
    cmd = [str(binary), "train", "--input", str(text), "--out", str(data_dir / "model"),
           "--vocab-size", str(args.vocab_size), "--seq-len", str(args.seq_len), "--batch-size", str(args.batch_size),
           "--units", str(args.units), "--layers", str(args.layers), "--cell", args.cell,
           "--epochs", str(args.epochs), "--lr", str(args.lr), "--clip", str(args.clip),
           "--threads", str(args.threads), "--seed", str(args.seed), "--valid-fraction", str(args.valid_fraction),
           "--sample-len", "0", "--metrics-json", str(metrics), "--export-data", str(data_dir)]
    if args.vectors:
        cmd += ["--vectors", args.vectors]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    m = json.loads(metrics.read_text())
    m["wall_seconds"] = wall
    m["version"] = "rnnlab word-rnn"
    return m


def pytorch(args: argparse.Namespace, data_dir: Path) -> dict:
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    load = lambda name: torch.from_numpy(np.load(data_dir / name).astype(np.int64))  # noqa: E731
    train_x, train_y, valid_x, valid_y = (load(f"{s}.npy") for s in ("train_x", "train_y", "valid_x", "valid_y"))
    matrix = torch.from_numpy(np.load(data_dir / "embedding.npy"))
    vocab, dim = matrix.shape
    emb = nn.Embedding.from_pretrained(matrix, freeze=True)
    rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[args.cell]
    rnn = rnn_class(dim, args.units, num_layers=args.layers, batch_first=True)
    head = nn.Linear(args.units, vocab)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)

    def logits(x: torch.Tensor) -> torch.Tensor:
        h, _ = rnn(emb(x))
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
        history.append({"epoch": epoch, "loss": total / count, "valid_perplexity": math.exp(nats / targets),
                        "words_per_sec": count / seconds, "seconds": seconds})
    return {"history": history, "version": f"torch {torch.__version__}"}


def summary(side: dict) -> tuple[float, float, float]:
    """(held-out perplexity after the last epoch, best, words per second over all epochs)."""
    h = side["history"]
    words = sum(e["words_per_sec"] * e["seconds"] for e in h)
    return h[-1]["valid_perplexity"], min(e["valid_perplexity"] for e in h), words / sum(e["seconds"] for e in h)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=str(ROOT.parent / "shared" / "data" / "crime_and_punishment.txt"))
    ap.add_argument("--fragment-chars", type=int, default=400_000, help="0: the whole text")
    ap.add_argument("--vectors", help="a word2vec file (default: our binary trains Word2Vec first)")
    ap.add_argument("--vocab-size", type=int, default=10_000)
    ap.add_argument("--seq-len", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--units", type=int, default=128)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-3)
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
    with tempfile.TemporaryDirectory(prefix="word_rnn_bench_") as tmp:
        data_dir = Path(tmp)
        text = Path(args.input)
        if args.fragment_chars:
            fragment = data_dir / "fragment.txt"
            fragment.write_text(text.read_text(encoding="utf-8-sig")[:args.fragment_chars], encoding="utf-8")
            text = fragment
        results = {"ours": ours(args, data_dir, text)}
        results["pytorch"] = pytorch(args, data_dir)
    load_after = os.getloadavg()

    o = results["ours"]
    print(f"word-rnn vs PyTorch: {args.input} fragment {args.fragment_chars or 'all'} chars; vocabulary "
          f"{o['vocab_size']} (with <unk>), embedding {o['dim']} (frozen, {o['words_with_vectors']} words with a "
          f"vector); {o['train_words']} training / {o['valid_words']} held-out words; {args.layers} x "
          f"{args.cell.upper()}({args.units}) + Dense, seq {args.seq_len}, batch {args.batch_size}, {args.epochs} "
          f"epochs, Adam {args.lr}, clip {args.clip}, {args.threads} thread(s)")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (on {os.cpu_count()} CPUs)")
    print(f"baselines on the held-out targets: unigram perplexity {o['unigram_perplexity']:.1f}, "
          f"Kneser-Ney bigram {o['bigram_perplexity']:.1f}")
    print(f"{'epoch':>5} | {'ours loss':>9} {'ppl':>7} {'words/s':>8} | {'torch loss':>10} {'ppl':>7} {'words/s':>8}")
    for a, b in zip(o["history"], results["pytorch"]["history"]):
        print(f"{a['epoch']:>5} | {a['loss']:9.4f} {a['valid_perplexity']:7.1f} {a['words_per_sec']:8.0f} | "
              f"{b['loss']:10.4f} {b['valid_perplexity']:7.1f} {b['words_per_sec']:8.0f}")
    (ol, ob, ow), (tl, tb, tw) = summary(o), summary(results["pytorch"])
    print(f"held-out perplexity after the last epoch: ours {ol:.1f}, PyTorch {tl:.1f} (ratio {ol / tl:.3f}); "
          f"best: ours {ob:.1f}, PyTorch {tb:.1f} (ratio {ob / tb:.3f})")
    print(f"training throughput: ours {ow:,.0f} words/s, PyTorch {tw:,.0f} words/s, ratio {ow / tw:.2f}x "
          f"({results['pytorch']['version']})")
    results["summary"] = {"ours_last_ppl": ol, "torch_last_ppl": tl, "ours_best_ppl": ob, "torch_best_ppl": tb,
                          "ours_words_per_sec": ow, "torch_words_per_sec": tw, "speed_ratio": ow / tw,
                          "load_before": load_before, "load_after": load_after, "args": vars(args)}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
