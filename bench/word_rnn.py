#!/usr/bin/env python3
"""word-rnn against PyTorch: the same next-word model on the same sequences, sizes and threads, in one run.

Our binary prepares everything (the cleaning of assignment 1, the held-out tail of the word stream, the capped
vocabulary with <unk>, Word2Vec vectors trained first on the training words unless --vectors is given (--w2v-epochs
passes), the training words cut into
--batch-size contiguous streams) and trains; it exports what it trained on (`--export-data`: the training streams,
the held-out words and the embedding matrix built from the vectors). PyTorch then trains the same model on them:
`nn.Embedding.from_pretrained(matrix, freeze=--freeze-embeddings)` (with --word-dropout, whole rows of its table
zeroed for each training batch and the rest scaled, AWD-LSTM's embedded_dropout), dropout (--input-dropout) on its
output, `nn.LSTM`/`nn.GRU`/`nn.RNN` (`--layers` stacked, `--units` each, dropout between layers), dropout
(--dropout), the masks variational (one per stream and feature, shared by the batch's steps) unless
--dropout-mask per-step, then one logit per word: by
default tied to the embedding (an `nn.Linear(units, dim)` projection when --units is not the embedding width, then
`F.linear(h, embedding.weight, bias)` with a zero-initialised bias: the table is shared, as word-rnn's TiedDense),
with --untie an `nn.Linear(units, vocabulary)`; truncated back-propagation through time over the streams (batch k is the next --seq-len words of every
stream, the state carried from batch to batch and detached, reset at each epoch), cross-entropy at every step, Adam
(lr, betas 0.9/0.999, eps 1e-8; AdamW with --weight-decay), the learning rate times --lr-decay after an epoch whose held-out perplexity is not
the best so far, global-norm clipping, same epochs and threads. Both report per epoch the training loss, the held-out
perplexity (the held-out words as one stream, the state carried from the first; every later word is a target: exp of
the mean cross-entropy) and the training throughput (target words per second of the training loop, evaluation
excluded) with its CPU time (user+sys of the process, all threads: the figure to compare on a loaded machine).
Ours also gives the unigram and Kneser-Ney bigram perplexities on the same held-out targets. The two sides run one
after the other: on a loaded machine compare with care (load is printed).

--sampled-softmax K trains both sides with a sampled softmax (word-rnn's flag): each batch is scored against its own
targets plus K distinct words drawn from a log-uniform proposal, each drawn word's logit lowered by the log of its
chance of being drawn; the PyTorch mirror runs the same rule from numpy's draws (`log_uniform_candidates`). With
--torch-full-softmax PyTorch keeps the full softmax: ours sampled against its full, the same held-out scoring.

The whole novel is ~180k words; --fragment-chars N (default 400000, 0 = all) writes the first N characters of the
input into a temporary file and uses that.

Environment: the project venv (/work/venv: torch 2.15 CPU, numpy). Create one with
    python3 -m venv venv && venv/bin/pip install torch numpy
Run from the repository root (CARGO_TARGET_DIR is honoured; the binary is built with `cargo build --release`):

    /work/venv/bin/python bench/word_rnn.py [--input ../shared/data/crime_and_punishment.txt]
        [--fragment-chars 400000] [--vectors FILE | --w2v-epochs N] [--vocab-size 10000] [--seq-len 20]
        [--batch-size 16] [--units 256] [--layers 1]
        [--cell lstm] [--dropout D] [--input-dropout D] [--dropout-mask variational] [--word-dropout 0.1]
        [--weight-decay 0.2] [--untie] [--freeze-embeddings] [--epochs E] [--lr 3e-3] [--lr-decay 0.5] [--clip 5] [--threads 1]
        [--sampled-softmax K [--torch-full-softmax]] [--seed 1] [--json out.json]

The defaults of --units, the dropout flags, --weight-decay, --epochs, --lr, --lr-decay and --batch-size are word-rnn's
(DEFAULTS below). The figures in
apps/word-rnn/README.md come from `--fragment-chars 0` (the whole novel) with the defaults.
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
# word-rnn's defaults (apps/word-rnn/src/cli.rs) where this script has the same flag.
DEFAULTS = {"dropout": 0.4, "input_dropout": None, "dropout_mask": "variational", "word_dropout": 0.1,
            "weight_decay": 0.2, "epochs": 20, "lr": 3e-3, "lr_decay": 0.5, "batch_size": 16, "units": 256}


def input_rate(args: argparse.Namespace) -> float:
    """The dropout rate on the embedding's output: --input-dropout, else --dropout (word-rnn's rule)."""
    return args.dropout if args.input_dropout is None else args.input_dropout


def ours(args: argparse.Namespace, data_dir: Path, text: Path, while_training=None) -> dict:
    """Runs our binary; with `while_training`, calls it once the exported data is complete (before our
    training starts) and lets both run at the same time."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "word-rnn"], cwd=ROOT, check=True)
    binary = target / "release" / "word-rnn"
    metrics = data_dir / "ours.json"
    cmd = [str(binary), "train", "--input", str(text), "--out", str(data_dir / "model"),
           "--vocab-size", str(args.vocab_size), "--seq-len", str(args.seq_len), "--batch-size", str(args.batch_size),
           "--units", str(args.units), "--layers", str(args.layers), "--cell", args.cell,
           "--dropout", str(args.dropout), "--input-dropout", str(input_rate(args)), "--dropout-mask", args.dropout_mask,
           "--word-dropout", str(args.word_dropout), "--weight-decay", str(args.weight_decay),
           "--lr-decay", str(args.lr_decay),
           "--epochs", str(args.epochs), "--lr", str(args.lr), "--clip", str(args.clip),
           "--threads", str(args.threads), "--seed", str(args.seed), "--valid-fraction", str(args.valid_fraction),
           "--sample-len", "0", "--metrics-json", str(metrics), "--export-data", str(data_dir)]
    if args.vectors:
        cmd += ["--vectors", args.vectors]
    if args.w2v_epochs:
        cmd += ["--w2v-epochs", str(args.w2v_epochs)]
    if args.freeze_embeddings:
        cmd += ["--freeze-embeddings"]
    if args.untie:
        cmd += ["--untie"]
    if args.sampled_softmax:
        cmd += ["--sampled-softmax", str(args.sampled_softmax)]
    t0 = time.perf_counter()
    # Our per-epoch lines go to stderr as they come (the comparison table is printed on stdout at the end).
    proc = subprocess.Popen(cmd, stdout=sys.stderr)
    other = None
    if while_training is not None:
        # vocab.json is the last file --export-data writes (each atomically).
        while not (data_dir / "vocab.json").exists():
            if proc.poll() is not None:
                raise SystemExit(f"word-rnn exited with {proc.returncode} before exporting its data")
            time.sleep(0.2)
        other = while_training()
    if proc.wait() != 0:
        raise SystemExit(f"word-rnn exited with {proc.returncode}")
    wall = time.perf_counter() - t0
    m = json.loads(metrics.read_text())
    m["wall_seconds"] = wall
    m["version"] = "rnnlab word-rnn"
    return m, other


def log_uniform_candidates(targets: np.ndarray, vocab: int, samples: int,
                           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """word-rnn's sampled-softmax candidates (nn::sampled_softmax::Candidates::log_uniform), in numpy: the
    batch's distinct targets plus `samples` distinct classes drawn from P(k) = ln((k+2)/(k+1)) / ln(vocab+1)
    (draws repeat until that many distinct ones came up), sorted; per candidate, what its logit is lowered by:
    0 for a target, else ln(1 - (1 - P(k))^tries). The same rule as ours, from numpy's own draws. Returns the
    candidate ids and the corrections; every class, uncorrected, when targets and samples would cover them."""
    is_target = np.zeros(vocab, bool)
    is_target[targets] = True
    if int(is_target.sum()) + samples >= vocab:
        return np.arange(vocab), np.zeros(vocab, np.float32)
    drawn = np.zeros(vocab, bool)
    distinct, tries, log_v = 0, 0, math.log(vocab + 1)
    while distinct < samples:
        ks = np.minimum(np.floor(np.exp(rng.random(2 * samples) * log_v)).astype(np.int64) - 1, vocab - 1)
        first = np.sort(np.unique(ks, return_index=True)[1])
        new = first[~drawn[ks[first]]]  # positions of the draws that came up for the first time
        need = samples - distinct
        if len(new) >= need:
            drawn[ks[new[:need]]] = True
            tries += int(new[need - 1]) + 1
            distinct = samples
        else:
            drawn[ks[new]] = True
            tries += len(ks)
            distinct += len(new)
    ids = np.flatnonzero(is_target | drawn)
    p = np.log((ids + 2.0) / (ids + 1.0)) / log_v
    correction = np.where(is_target[ids], 0.0, np.log(-np.expm1(tries * np.log1p(-p))))
    return ids, correction.astype(np.float32)


def pytorch(args: argparse.Namespace, data_dir: Path) -> dict:
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    load = lambda name: torch.from_numpy(np.load(data_dir / name).astype(np.int64))  # noqa: E731
    train_x, train_y, valid = (load(f"{s}.npy") for s in ("train_x", "train_y", "valid_ids"))
    matrix = torch.from_numpy(np.load(data_dir / "embedding.npy"))
    vocab, dim = matrix.shape
    emb = nn.Embedding.from_pretrained(matrix, freeze=args.freeze_embeddings)
    drop = nn.Dropout(args.dropout)
    rate_in = input_rate(args)
    rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[args.cell]
    rnn = rnn_class(dim, args.units, num_layers=args.layers, batch_first=True,
                    dropout=args.dropout if args.layers > 1 else 0.0)
    if args.untie:
        head = nn.Linear(args.units, vocab)
        modules = nn.ModuleList([emb, drop, rnn, head])
        extra = []
    else:
        # Weight tying: logits = (projection of h when --units is not the embedding width) · Eᵀ + bias, with the
        # embedding's own table E (frozen with it when --freeze-embeddings), as word-rnn's TiedDense.
        projection = nn.Linear(args.units, dim) if args.units != dim else nn.Identity()
        bias = nn.Parameter(torch.zeros(vocab))
        modules = nn.ModuleList([emb, drop, rnn, projection])
        extra = [bias]

        def head(h: torch.Tensor) -> torch.Tensor:
            return nn.functional.linear(projection(h), emb.weight, bias)

    sampled = args.sampled_softmax if args.sampled_softmax and not args.torch_full_softmax else None
    draws = np.random.default_rng(args.seed)

    def sampled_loss(h: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        """--sampled-softmax: the cross-entropy over the batch's candidates (rows of the tied table and entries of
        the bias, the bias lowered by the corrections), as word-rnn's."""
        flat = yb.reshape(-1)
        ids, correction = log_uniform_candidates(flat.numpy(), vocab, sampled, draws)
        ids_t = torch.from_numpy(ids)
        logits = nn.functional.linear(projection(h).reshape(-1, dim), emb.weight.index_select(0, ids_t),
                                      bias.index_select(0, ids_t) - torch.from_numpy(correction))
        return nn.functional.cross_entropy(logits, torch.from_numpy(np.searchsorted(ids, flat.numpy())))
    params = [p for p in modules.parameters() if p.requires_grad] + extra
    # --weight-decay: decoupled (AdamW: every trained weight times 1 - lr·decay at each step), as word-rnn;
    # AdamW decays before its update, word-rnn after it (a difference of lr·decay times the update).
    optimizer = torch.optim.AdamW if args.weight_decay else torch.optim.Adam
    opt = optimizer(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=args.weight_decay)

    def dropout(x: torch.Tensor, rate: float) -> torch.Tensor:
        """Inverted dropout in training: --dropout-mask variational, one mask per stream (batch row) and feature,
        the same at every step of the chunk (Gal & Ghahramani 2016), as word-rnn; per-step: nn.Dropout's."""
        if not modules.training or rate == 0.0:
            return x
        if args.dropout_mask == "per-step":
            return nn.functional.dropout(x, rate, training=True)
        mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1.0 - rate) / (1.0 - rate)
        return x * mask

    def embed(x: torch.Tensor) -> torch.Tensor:
        """The embedding lookup; --word-dropout: in training, whole words of the vocabulary dropped for the chunk
        (each row of the table kept with probability 1 - rate and scaled by 1 / (1 - rate): every occurrence of a
        dropped word in the chunk reads zeros, Gal & Ghahramani 2016, AWD-LSTM's embedded_dropout)."""
        if not modules.training or args.word_dropout == 0.0:
            return emb(x)
        keep = emb.weight.new_empty(vocab, 1).bernoulli_(1.0 - args.word_dropout) / (1.0 - args.word_dropout)
        return nn.functional.embedding(x, emb.weight * keep)

    def recurrent(x: torch.Tensor, state):
        h, state = rnn(dropout(embed(x), rate_in), state)
        return dropout(h, args.dropout), state

    def forward(x: torch.Tensor, state):
        h, state = recurrent(x, state)
        return head(h), state

    def detach(state):
        return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()

    # Held-out: one stream, the state carried from its first word; every later word is a target.
    vx, vy = valid[:-1].unsqueeze(0), valid[1:].unsqueeze(0)
    history, best, lr = [], math.inf, args.lr
    length = train_x.shape[1]
    for epoch in range(1, args.epochs + 1):
        for g in opt.param_groups:
            g["lr"] = lr
        modules.train()
        total, count, state = 0.0, 0, None
        t0, c0 = time.perf_counter(), time.process_time()
        for start in range(0, length, args.seq_len):
            xb, yb = train_x[:, start:start + args.seq_len], train_y[:, start:start + args.seq_len]
            opt.zero_grad()
            if sampled:
                h, state = recurrent(xb, state)
                loss = sampled_loss(h, yb)
            else:
                out, state = forward(xb, state)
                loss = nn.functional.cross_entropy(out.reshape(-1, vocab), yb.reshape(-1))
            state = detach(state)
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
            total += loss.item() * yb.numel()
            count += yb.numel()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        modules.eval()
        with torch.no_grad():
            nats, state = 0.0, None
            for start in range(0, vx.shape[1], args.seq_len):
                out, state = forward(vx[:, start:start + args.seq_len], state)
                yb = vy[:, start:start + args.seq_len].reshape(-1)
                nats += nn.functional.cross_entropy(out.reshape(-1, vocab), yb, reduction="sum").item()
        ppl = math.exp(nats / vy.shape[1])
        print(f"PyTorch epoch {epoch}: loss {total / count:.4f}, held-out perplexity {ppl:.1f}, "
              f"{cpu:.1f} CPU s", file=sys.stderr, flush=True)
        history.append({"epoch": epoch, "loss": total / count, "valid_perplexity": ppl, "lr": lr,
                        "words_per_sec": count / seconds, "seconds": seconds, "cpu_seconds": cpu})
        if ppl < best:
            best = ppl
        else:
            lr *= args.lr_decay
    return {"history": history, "version": f"torch {torch.__version__}"}


def summary(side: dict) -> tuple[float, float, float, float]:
    """(held-out perplexity after the last epoch, best, words per wall second and per CPU second of training
    over all epochs)."""
    h = side["history"]
    words = sum(e["words_per_sec"] * e["seconds"] for e in h)
    cpu = sum(e.get("cpu_seconds") or math.nan for e in h)
    return (h[-1]["valid_perplexity"], min(e["valid_perplexity"] for e in h), words / sum(e["seconds"] for e in h),
            words / cpu)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=str(ROOT.parent / "shared" / "data" / "crime_and_punishment.txt"))
    ap.add_argument("--fragment-chars", type=int, default=400_000, help="0: the whole text")
    ap.add_argument("--vectors", help="a word2vec file (default: our binary trains Word2Vec first)")
    ap.add_argument("--w2v-epochs", type=int,
                    help="passes of the Word2Vec our binary trains on the training words (word-rnn's default: 100)")
    ap.add_argument("--vocab-size", type=int, default=10_000)
    ap.add_argument("--seq-len", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    ap.add_argument("--units", type=int, default=DEFAULTS["units"])
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    ap.add_argument("--dropout", type=float, default=DEFAULTS["dropout"])
    ap.add_argument("--input-dropout", type=float, default=DEFAULTS["input_dropout"],
                    help="dropout on the embedding's output (default: --dropout)")
    ap.add_argument("--dropout-mask", choices=["variational", "per-step"], default=DEFAULTS["dropout_mask"],
                    help="variational: one mask per stream and feature for every step of a batch")
    ap.add_argument("--word-dropout", type=float, default=DEFAULTS["word_dropout"],
                    help="whole words of the vocabulary dropped from the embedding for each training batch")
    ap.add_argument("--weight-decay", type=float, default=DEFAULTS["weight_decay"],
                    help="decoupled weight decay (AdamW; 0: Adam)")
    ap.add_argument("--freeze-embeddings", action="store_true", help="default: fine-tuned, as word-rnn")
    ap.add_argument("--untie", action="store_true",
                    help="an output layer with its own weights (default: tied to the embedding, as word-rnn)")
    ap.add_argument("--sampled-softmax", type=int, metavar="K",
                    help="train both sides with a sampled softmax over the batch's targets and K drawn words "
                         "(word-rnn's --sampled-softmax; PyTorch runs the same rule, from its own draws)")
    ap.add_argument("--torch-full-softmax", action="store_true",
                    help="with --sampled-softmax: PyTorch keeps the full softmax (ours sampled against theirs full)")
    ap.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    ap.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    ap.add_argument("--lr-decay", type=float, default=DEFAULTS["lr_decay"])
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--valid-fraction", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--parallel", action="store_true",
                    help="train PyTorch while ours trains (each on --threads threads; compare CPU times)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    if args.sampled_softmax is not None and (args.sampled_softmax < 1 or args.untie):
        ap.error("--sampled-softmax needs K >= 1 and the tied output layer (not --untie)")
    if args.torch_full_softmax and not args.sampled_softmax:
        ap.error("--torch-full-softmax goes with --sampled-softmax K")
    if args.w2v_epochs is not None and (args.w2v_epochs < 1 or args.vectors):
        ap.error("--w2v-epochs needs N >= 1 and no --vectors (it sets the Word2Vec our binary trains)")
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
        def run_pytorch() -> dict:
            t0 = time.perf_counter()
            side = pytorch(args, data_dir)
            side["wall_seconds"] = time.perf_counter() - t0
            return side

        mine, theirs = ours(args, data_dir, text, run_pytorch if args.parallel else None)
        results = {"ours": mine, "pytorch": theirs if args.parallel else run_pytorch()}
    load_after = os.getloadavg()

    o = results["ours"]
    print(f"word-rnn vs PyTorch: {args.input} fragment {args.fragment_chars or 'all'} chars; vocabulary "
          f"{o['vocab_size']} (with <unk>), embedding {o['dim']} ({'frozen' if args.freeze_embeddings else 'fine-tuned'}, "
          f"{o['words_with_vectors']} words with a vector); {o['train_words']} training / {o['valid_words']} held-out "
          f"words; {args.layers} x {args.cell.upper()}({args.units}) + "
          f"{'Dense' if args.untie else 'output tied to the embedding'}, dropout {input_rate(args)} in / {args.dropout} out "
          f"({args.dropout_mask}), whole-word {args.word_dropout}, weight decay {args.weight_decay}, {o['streams']} "
          f"streams (batch) x seq {args.seq_len}, state carried, {args.epochs} epochs, Adam {args.lr} "
          f"(x {args.lr_decay} after an epoch without improvement), clip {args.clip}, {args.threads} thread(s)")
    if args.sampled_softmax:
        print(f"training loss: a sampled softmax over the batch's targets and {args.sampled_softmax} drawn words on "
              f"{'our side only (PyTorch: the full softmax)' if args.torch_full_softmax else 'both sides'}; "
              "held-out scoring: the full softmax")
    print("held-out scoring (both sides): one stream, state carried from the first held-out word, every later "
          "word a target")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (on {os.cpu_count()} CPUs)")
    print(f"baselines on the held-out targets: unigram perplexity {o['unigram_perplexity']:.1f}, "
          f"Kneser-Ney bigram {o['bigram_perplexity']:.1f}")
    print(f"{'epoch':>5} | {'ours loss':>9} {'ppl':>7} {'words/s':>8} {'CPU s':>6} | {'torch loss':>10} {'ppl':>7} "
          f"{'words/s':>8} {'CPU s':>6}")
    for a, b in zip(o["history"], results["pytorch"]["history"]):
        print(f"{a['epoch']:>5} | {a['loss']:9.4f} {a['valid_perplexity']:7.1f} {a['words_per_sec']:8.0f} "
              f"{a.get('cpu_seconds') or math.nan:6.1f} | {b['loss']:10.4f} {b['valid_perplexity']:7.1f} "
              f"{b['words_per_sec']:8.0f} {b['cpu_seconds']:6.1f}")
    (ol, ob, ow, oc), (tl, tb, tw, tc) = summary(o), summary(results["pytorch"])
    print(f"held-out perplexity after the last epoch: ours {ol:.1f}, PyTorch {tl:.1f} (ratio {ol / tl:.3f}); "
          f"best: ours {ob:.1f}, PyTorch {tb:.1f} (ratio {ob / tb:.3f})")
    print(f"training throughput: ours {ow:,.0f} words/s, PyTorch {tw:,.0f} words/s, ratio {ow / tw:.2f}x; per CPU "
          f"second (user+sys, all threads): ours {oc:,.0f}, PyTorch {tc:,.0f}, ratio {oc / tc:.2f}x "
          f"({results['pytorch']['version']})")
    print(f"wall time of the whole run: ours {o['wall_seconds']:.0f} s (Word2Vec, baselines, training, scoring), "
          f"PyTorch {results['pytorch']['wall_seconds']:.0f} s (training and scoring)")
    results["summary"] = {"ours_last_ppl": ol, "torch_last_ppl": tl, "ours_best_ppl": ob, "torch_best_ppl": tb,
                          "ours_words_per_sec": ow, "torch_words_per_sec": tw, "speed_ratio": ow / tw,
                          "ours_words_per_cpu_sec": oc, "torch_words_per_cpu_sec": tc, "cpu_speed_ratio": oc / tc,
                          "load_before": load_before, "load_after": load_after, "args": vars(args)}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
