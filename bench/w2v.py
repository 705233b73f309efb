#!/usr/bin/env python3
"""Word2Vec: rnnlab's `w2v` against gensim, in one run, on the same sentences, parameters and threads.

Setup (once, from the repo root):
  python3 -m venv ../venv && ../venv/bin/pip install gensim==4.4.0 numpy
  cargo build --release -p w2v
Run:
  ../venv/bin/python bench/w2v.py [--data ../shared/data/crime_and_punishment.txt] [--w2v target/release/w2v]

Honest comparison:
- Sentences: `w2v train --dump-sentences` writes exactly the sentences our trainer sees (textprep's cleaning);
  gensim trains on that file split on spaces, so both see identical tokens.
- Parameters: dim 100, window 5, negative 5, sample 1e-3, min_count 5, 5 epochs, alpha 0.025 -> 0.0001;
  skip-gram and CBOW; 1 and 2 threads (gensim `workers`).
- Speed: raw words x epochs / training seconds (gensim: wall time of `train()` on a list of sentences already in
  memory; ours: `train_seconds` from --metrics-json, tables and initialisation included, and the first epoch's
  reading and encoding of the file too, since training streams it; later epochs replay the cached ids). CPU seconds are printed too,
  because on a shared machine wall time depends on the neighbours' load.
- Memory: peak RSS of each whole process (/usr/bin/time -f %M).
- Quality: mean overlap of the top-10 neighbours (cosine) over the 1,000 most frequent words between our vectors
  and gensim's (seed 1), against gensim seed 1 vs gensim seed 2 — the noise floor.
- Evaluation: analogy accuracy and word-pair Spearman on fixtures/parity/w2v (our own small Russian files) for
  our vectors and gensim's, each computed by gensim and by `w2v eval` (the two evaluators must agree).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

PARAMS = dict(dim=100, window=5, negative=5, sample=1e-3, min_count=5, epochs=5)

GENSIM_RUN = r'''
import json, sys, time
from gensim.models import Word2Vec
sents_path, sg, workers, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
p = json.loads(sys.argv[6])
sentences = [line.split() for line in open(sents_path, encoding="utf-8")]
model = Word2Vec(vector_size=p["dim"], window=p["window"], negative=p["negative"], sample=p["sample"],
                 min_count=p["min_count"], sg=sg, workers=workers, seed=seed, hs=0)
model.build_vocab(sentences)
raw = sum(len(s) for s in sentences)
c0, t0 = time.process_time(), time.perf_counter()
model.train(sentences, total_examples=len(sentences), epochs=p["epochs"])
t1, c1 = time.perf_counter(), time.process_time()
model.wv.save_word2vec_format(out, binary=True)
print(json.dumps({"train_seconds": t1 - t0, "cpu_seconds": c1 - c0, "raw_words": raw,
                  "words_per_sec": raw * p["epochs"] / (t1 - t0)}))
'''


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile(suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, check=True, capture_output=True,
                             text=True).stdout
        rss_kb = int(open(t.name).read().strip().splitlines()[-1])
    return out, rss_kb / 1024


def ours(w2v, data, sg, threads, seed, out, metrics):
    cmd = [w2v, "train", "--input", data, "--out", out, "--threads", str(threads), "--seed", str(seed), "--quiet",
           "--metrics-json", metrics, "--query", "и", "--topn", "1"]
    cmd += ["--sg"] if sg else ["--cbow"]
    for k in ["dim", "window", "negative", "sample", "epochs"]:
        cmd += [f"--{k}", str(PARAMS[k])]
    cmd += ["--min-count", str(PARAMS["min_count"])]
    _, rss = timed(cmd)
    m = json.load(open(metrics))
    return m, rss


def gensim(sents, sg, threads, seed, out):
    stdout, rss = timed([sys.executable, "-c", GENSIM_RUN, sents, str(int(sg)), str(threads), str(seed), out,
                         json.dumps(PARAMS)])
    return json.loads(stdout.strip().splitlines()[-1]), rss


def neighbours(path, words):
    from gensim.models import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    result = {}
    for w in words:
        sims = unit @ unit[kv.key_to_index[w]]
        sims[kv.key_to_index[w]] = -np.inf
        top = np.argpartition(-sims, 10)[:10]
        result[w] = {kv.index_to_key[i] for i in top}
    return result


def overlap(a, b):
    return float(np.mean([len(a[w] & b[w]) / 10 for w in a]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/crime_and_punishment.txt")
    ap.add_argument("--w2v", default="target/release/w2v")
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="w2v-bench-")
    sents = os.path.join(tmp, "sentences.txt")
    subprocess.run([args.w2v, "train", "--input", args.data, "--dump-sentences", sents, "--epochs", "1", "--dim", "4",
                    "--quiet", "--query", "и", "--topn", "1"], check=True, capture_output=True)
    n_sent = sum(1 for _ in open(sents, encoding="utf-8"))
    print(f"corpus {args.data}: {n_sent} sentences (dumped by w2v --dump-sentences, fed to both); params {PARAMS}")
    top_words = None
    rows = []
    for sg in (True, False):
        arch = "skip-gram" if sg else "CBOW"
        g_ref_path = os.path.join(tmp, f"g_{arch}_seed1.bin")
        g_seed2_path = os.path.join(tmp, f"g_{arch}_seed2.bin")
        g2, _ = gensim(sents, sg, 1, 2, g_seed2_path)
        per_threads = {}
        for threads in [int(t) for t in args.threads.split(",")]:
            o_path = os.path.join(tmp, f"o_{arch}_{threads}.bin")
            g_path = g_ref_path if threads == 1 else os.path.join(tmp, f"g_{arch}_{threads}.bin")
            m, o_rss = ours(args.w2v, args.data, sg, threads, 1, o_path, os.path.join(tmp, "m.json"))
            g, g_rss = gensim(sents, sg, threads, 1, g_path)
            o_wps = m["raw_words_trained"] / m["train_seconds"]
            o_cpu = m.get("train_cpu_seconds", float("nan"))
            per_threads[threads] = (o_wps, g["words_per_sec"])
            rows.append((arch, threads, o_wps, g["words_per_sec"], o_cpu, g["cpu_seconds"], o_rss, g_rss, o_path))
            print(f"{arch:9} threads {threads}: ours {o_wps/1e3:8.0f}k words/s ({m['train_seconds']:.2f} s wall, "
                  f"{o_cpu:.2f} s CPU, {o_rss:.0f} MB)  gensim {g['words_per_sec']/1e3:8.0f}k words/s "
                  f"({g['train_seconds']:.2f} s wall, {g['cpu_seconds']:.2f} s CPU, {g_rss:.0f} MB)  "
                  f"ratio {o_wps / g['words_per_sec']:.2f}x wall, {g['cpu_seconds'] / o_cpu:.2f}x per CPU second")
        if 1 in per_threads and 2 in per_threads:
            print(f"{arch:9} 2-thread scaling: ours {per_threads[2][0] / per_threads[1][0]:.2f}x, "
                  f"gensim {per_threads[2][1] / per_threads[1][1]:.2f}x")
        if top_words is None:
            from gensim.models import KeyedVectors
            top_words = KeyedVectors.load_word2vec_format(g_ref_path, binary=True).index_to_key[:1000]
        ref = neighbours(g_ref_path, top_words)
        floor = overlap(ref, neighbours(g_seed2_path, top_words))
        for (a, threads, *_rest, o_path) in [r for r in rows if r[0] == arch]:
            ov = overlap(ref, neighbours(o_path, top_words))
            print(f"{arch:9} threads {threads}: top-10 overlap ours vs gensim {ov:.3f}; gensim seed 1 vs seed 2 "
                  f"{floor:.3f}; ratio {ov / floor:.2f}")
        evaluate(args.w2v, arch, g_ref_path, [r[-1] for r in rows if r[0] == arch][0])
    print(f"(files in {tmp})")


ANALOGIES = "fixtures/parity/w2v/analogies_ru.txt"
PAIRS = "fixtures/parity/w2v/pairs_ru.tsv"


def evaluate(w2v, arch, gensim_path, ours_path):
    from gensim.models import KeyedVectors
    for who, path in (("gensim", gensim_path), ("ours", ours_path)):
        kv = KeyedVectors.load_word2vec_format(path, binary=True)
        acc, _ = kv.evaluate_word_analogies(ANALOGIES)
        pearson, spearman, oov = kv.evaluate_word_pairs(PAIRS)
        out = subprocess.run([w2v, "eval", "--vectors", path, "--analogies", ANALOGIES, "--pairs", PAIRS],
                             check=True, capture_output=True, text=True).stdout
        total = [l for l in out.splitlines() if "Total accuracy" in l][0].split()
        spear = [l for l in out.splitlines() if "Spearman" in l][0].split()
        print(f"{arch:9} {who:6} vectors: analogies {acc:.3f} (gensim eval) / {total[2]} (w2v eval); pairs Spearman "
              f"{spearman.statistic:.4f} (gensim eval) / {spear[1]} (w2v eval), OOV {oov:.1f}%")


if __name__ == "__main__":
    main()
