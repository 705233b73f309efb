#!/usr/bin/env python3
"""Seq2Seq with Bahdanau attention: rnnlab's `seq2seq` against the same model in PyTorch.

Runs `seq2seq train` (attention model only, one thread) with --export-data, then trains the same
architecture in PyTorch (bidirectional GRU encoder with packed sequences, tanh bridge to the
decoder's initial state, GRU decoder fed [embedding; context], additive attention without biases,
output layer on [state; context], Adam lr 0.005, global-norm clip 5, length-bucketed batches of 64)
on the exported examples, same epochs, one thread, and prints training time, test exact-sequence
accuracy (greedy) and the time ratio.

Environment: the project venv (/work/venv: torch 2.x CPU). Create elsewhere with
`python3 -m venv venv && venv/bin/pip install torch`.
Usage (from the repo root, after `cargo build --release -p seq2seq`):
    /work/venv/bin/python bench/seq2seq.py [--binary target/release/seq2seq] [--epochs 8]
"""
import argparse
import json
import os
import random
import subprocess
import tempfile
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, START, END = 0, 1, 2


class Vocab:
    def __init__(self, seqs):
        self.itos = ["<pad>", "<start>", "<end>"]
        self.stoi = {}
        for s in seqs:
            for t in s:
                if t not in self.stoi:
                    self.stoi[t] = len(self.itos)
                    self.itos.append(t)

    def enc(self, s):
        return [self.stoi[t] for t in s]


class Model(nn.Module):
    def __init__(self, vs, vt, emb, units, att):
        super().__init__()
        self.src_emb = nn.Embedding(vs, emb)
        self.tgt_emb = nn.Embedding(vt, emb)
        self.enc = nn.GRU(emb, units, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * units, units)
        self.dec = nn.GRUCell(emb + 2 * units, units)
        self.q = nn.Linear(units, att, bias=False)
        self.k = nn.Linear(2 * units, att, bias=False)
        self.v = nn.Linear(att, 1, bias=False)
        self.out = nn.Linear(units + 2 * units, vt)

    def encode(self, src, lens):
        x = self.src_emb(src)
        packed = pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        out, h = self.enc(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        s0 = torch.tanh(self.bridge(torch.cat([h[0], h[1]], 1)))
        mask = torch.arange(src.shape[1])[None, :] >= torch.tensor(lens)[:, None]
        return out, self.k(out), mask, s0

    def step(self, tok, s, states, keys, mask):
        e = self.v(torch.tanh(keys + self.q(s)[:, None, :])).squeeze(2)
        e = e.masked_fill(mask, -1e9)
        a = torch.softmax(e, 1)
        ctx = torch.bmm(a[:, None, :], states).squeeze(1)
        s = self.dec(torch.cat([self.tgt_emb(tok), ctx], 1), s)
        return self.out(torch.cat([s, ctx], 1)), s


def pad(seqs, value=PAD):
    n = max(len(s) for s in seqs)
    return torch.tensor([s + [value] * (n - len(s)) for s in seqs])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/seq2seq")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    with tempfile.TemporaryDirectory() as d:
        tsv, mj = os.path.join(d, "data.tsv"), os.path.join(d, "m.json")
        t0 = time.time()
        subprocess.run([a.binary, "train", "--out", os.path.join(d, "m"), "--threads", "1",
                        "--no-baseline", "--epochs", str(a.epochs), "--seed", str(a.seed),
                        "--export-data", tsv, "--metrics-json", mj], check=True,
                       stdout=subprocess.DEVNULL)
        ours_wall = time.time() - t0
        ours = json.load(open(mj))
        rows = [l.rstrip("\n").split("\t") for l in open(tsv, encoding="utf-8")]
    data = {k: [(r[1].split(), r[2].split()) for r in rows if r[0] == k] for k in ("train", "valid", "test")}
    sv = Vocab(s for s, _ in data["train"] + data["valid"] + data["test"])
    tv = Vocab(t for _, t in data["train"] + data["valid"] + data["test"])
    enc = {k: [(sv.enc(s), tv.enc(t)) for s, t in v] for k, v in data.items()}
    model = Model(len(sv.itos), len(tv.itos), 32, 64, 64)
    opt = torch.optim.Adam(model.parameters(), lr=0.005, eps=1e-7)
    lossf = nn.CrossEntropyLoss(ignore_index=PAD)
    train = enc["train"]
    t0 = time.time()
    for epoch in range(a.epochs):
        order = list(range(len(train)))
        random.shuffle(order)
        order.sort(key=lambda i: len(train[i][0]))
        batches = [order[i:i + 64] for i in range(0, len(order), 64)]
        random.shuffle(batches)
        for b in batches:
            src = [train[i][0] for i in b]
            tgt = [train[i][1] for i in b]
            lens = [len(s) for s in src]
            tin = pad([[START] + t for t in tgt])
            tout = pad([t + [END] for t in tgt])
            states, keys, mask, s = model.encode(pad(src), lens)
            logits = []
            for i in range(tin.shape[1]):
                lo, s = model.step(tin[:, i], s, states, keys, mask)
                logits.append(lo)
            loss = lossf(torch.stack(logits, 1).reshape(-1, len(tv.itos)), tout.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
    torch_train = time.time() - t0
    right = 0
    with torch.no_grad():
        test = enc["test"]
        for i in range(0, len(test), 256):
            chunk = test[i:i + 256]
            src = [c[0] for c in chunk]
            states, keys, mask, s = model.encode(pad(src), [len(x) for x in src])
            tok = torch.full((len(src),), START)
            outs, done = [], torch.zeros(len(src), dtype=torch.bool)
            for _ in range(max(len(c[1]) for c in chunk) + 3):
                lo, s = model.step(tok, s, states, keys, mask)
                lo[:, PAD] = -1e9
                lo[:, START] = -1e9
                tok = lo.argmax(1)
                outs.append(tok)
            outs = torch.stack(outs, 1).tolist()
            for o, (_, t) in zip(outs, chunk):
                o = o[:o.index(END)] if END in o else o
                right += o == t
    torch_exact = right / len(enc["test"])
    print(f"task words-to-digits, {len(train)} train / {len(enc['test'])} test, {a.epochs} epochs, 1 thread")
    print(f"rnnlab  : train {ours['train_seconds']:.1f} s (incl. per-epoch validation) (whole run {ours_wall:.1f} s wall), "
          f"test exact {100 * ours['test_exact']:.2f}% (beam 4: {100 * ours['test_exact_beam']:.2f}%)")
    print(f"pytorch {torch.__version__}: train {torch_train:.1f} s, test exact {100 * torch_exact:.2f}%")
    print(f"ratio pytorch/rnnlab training time: {torch_train / ours['train_seconds']:.2f}")


if __name__ == "__main__":
    main()
