#!/usr/bin/env python3
"""Parity fixtures for rnnlab-embed's word2vec formats and vocabulary tables, made by gensim.

Setup (once): python3 -m venv venv && venv/bin/pip install gensim==4.4.0 numpy

Usage:
  venv/bin/python tools/gensim_w2v_formats.py
      writes fixtures/parity/w2v/gensim_small.{bin,txt,json}: a small gensim model's vectors in both word2vec
      formats, and in the JSON the gensim/numpy versions, the corpus, gensim's vocabulary order (ties!), counts,
      cum_table, sample_int and every vector (floats exactly as float32 -> Python float).
  venv/bin/python tools/gensim_w2v_formats.py --check-ours OURS.bin OURS.txt
      loads files written by `w2v train --binary/--text` with gensim's KeyedVectors.load_word2vec_format, checks
      that both give the same words and vectors (max |diff| <= 1e-6) and that gensim re-saving the text file
      reproduces our bytes exactly. Prints what it found; exit 1 on a mismatch.
"""
import json
import os
import sys

import gensim
import numpy as np
from gensim.models import KeyedVectors, Word2Vec

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "parity", "w2v")

# Small corpus with count ties (to pin gensim's tie order), Cyrillic words, and a sentence long enough to train on.
CORPUS = [
    "кот сидел на окне и смотрел на дождь".split(),
    "пёс лежал у двери и смотрел на кот".split(),
    "дождь шёл всю ночь а кот спал".split(),
    "утром пёс и кот вышли во двор".split(),
    "во дворе было мокро и тихо".split(),
    "ёж пришёл ночью к двери".split(),
]


def make_fixture():
    os.makedirs(OUT, exist_ok=True)
    model = Word2Vec(vector_size=8, window=2, min_count=1, sample=1e-3, negative=3, sg=1, workers=1, seed=5,
                     epochs=3)
    model.build_vocab(CORPUS)
    model.train(CORPUS, total_examples=len(CORPUS), epochs=model.epochs)
    wv = model.wv
    # Make sure the text file exercises numpy's scientific notation too.
    wv.vectors[0, 0] = np.float32(1.5e-05)
    wv.vectors[1, 1] = np.float32(-2.5e-07)
    wv.vectors[2, 2] = np.float32(1234567.0)
    wv.save_word2vec_format(os.path.join(OUT, "gensim_small.bin"), binary=True)
    wv.save_word2vec_format(os.path.join(OUT, "gensim_small.txt"), binary=False)
    fixture = {
        "gensim_version": gensim.__version__,
        "numpy_version": np.__version__,
        "made_by": "tools/gensim_w2v_formats.py",
        "corpus": [" ".join(s) for s in CORPUS],
        "min_count": 1,
        "sample": 1e-3,
        "words": list(wv.index_to_key),
        "counts": [int(wv.get_vecattr(w, "count")) for w in wv.index_to_key],
        "sample_int": [int(wv.get_vecattr(w, "sample_int")) for w in wv.index_to_key],
        "cum_table": [int(x) for x in model.cum_table],
        "vectors": [[float(x) for x in wv[w]] for w in wv.index_to_key],
    }
    with open(os.path.join(OUT, "gensim_small.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote gensim_small.bin/.txt/.json with gensim {gensim.__version__}: {len(wv)} words, dim {wv.vector_size}")


def check_ours(bin_path, txt_path):
    kb = KeyedVectors.load_word2vec_format(bin_path, binary=True)
    kt = KeyedVectors.load_word2vec_format(txt_path, binary=False)
    ok = kb.index_to_key == kt.index_to_key
    diff = float(np.max(np.abs(kb.vectors - kt.vectors))) if ok else float("inf")
    print(f"gensim {gensim.__version__} loaded {bin_path}: {len(kb)} words x {kb.vector_size}")
    print(f"gensim loaded {txt_path}: {len(kt)} words x {kt.vector_size}; same words: {ok}; max |bin - txt| = {diff}")
    resaved = txt_path + ".gensim-resaved"
    kt.save_word2vec_format(resaved, binary=False)
    same_bytes = open(resaved, "rb").read() == open(txt_path, "rb").read()
    os.remove(resaved)
    print(f"gensim re-saving our text file reproduces it byte for byte: {same_bytes}")
    sims = kb.most_similar(kb.index_to_key[0], topn=3)
    print(f"gensim most_similar({kb.index_to_key[0]!r}, topn=3) on our binary file: {sims}")
    return ok and diff <= 1e-6 and same_bytes


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check-ours":
        sys.exit(0 if check_ours(sys.argv[2], sys.argv[3]) else 1)
    make_fixture()
