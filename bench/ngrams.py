#!/usr/bin/env python3
"""`ngrams --json` against scikit-learn's CountVectorizer on the lesson's novel, in one run.

Both get the same documents (one per line, see `documents()` and apps/ngrams/README.md) with ngram_range=(1, 2);
the script checks that both produce the same vocabulary and the same counts, then prints median wall times and
the ratio, for the novel and for the novel repeated ten times (written to a temporary directory).

Timing, two like-for-like views (plus the issue's headline ratio):
- whole job: sklearn's equivalent script in-process (read and decode the file, split it, fit_transform,
  get_feature_names_out, dump the same JSON to a file) against the whole `ngrams --json` process (start-up,
  reading, vectorizing, writing the JSON);
- vectorizing only: sklearn's `fit_transform` alone (file already read) against `ngrams` without `--json` (the
  whole process still reads the file, fits and names the features, but prints a 10-line summary instead of the
  JSON), which overstates our time by the start-up, reading and naming sklearn's timing leaves out.
The headline ratio of the issue is sklearn's `fit_transform` alone against the whole `ngrams --json` process.
sklearn is single-threaded, so the like-for-like ratio is `--threads 1`; `--threads 2` (one thread tokenizing
while the other counts, then the feature texts and the rows, and the JSON names and numbers, made side by side)
is printed beside it, and the closing line names the thread count of every ratio it quotes.
Wall and CPU time (user + system; for ngrams, of the child process) are both reported: on a loaded machine the
CPU times are the steadier comparison.

Environment: python3 -m venv venv && venv/bin/pip install scikit-learn==1.9.1 numpy
Run from the repository root after `cargo build --release -p ngrams`:
    /work/venv/bin/python bench/ngrams.py [--repeats 5]
(`NGRAMS_BIN=/path/to/ngrams` picks another build than target/release/ngrams.)
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import CountVectorizer

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("NGRAMS_BIN", ROOT / "target" / "release" / "ngrams"))
NOVEL = ROOT / ".." / "shared" / "data" / "crime_and_punishment.txt"


def documents(path):
    """One document per line: strict UTF-8, BOM dropped, '\\n' or '\\r\\n' endings, no document after a final newline."""
    text = path.read_bytes().decode("utf-8-sig")
    docs = text.split("\n")
    if docs and docs[-1] == "":
        docs.pop()
    return [d[:-1] if d.endswith("\r") else d for d in docs]


def time_sklearn(docs, repeats):
    """Median wall and CPU seconds of fit_transform."""
    walls, cpus, last = [], [], None
    for _ in range(repeats):
        vec = CountVectorizer(ngram_range=(1, 2))
        start, cpu_start = time.perf_counter(), time.process_time()
        X = vec.fit_transform(docs)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
        last = (vec, X)
    return (statistics.median(walls), statistics.median(cpus)), last


def sklearn_script(path, out):
    """What `ngrams --json` does, in Python: read, split, vectorize, dump the same JSON."""
    docs = documents(path)
    vec = CountVectorizer(ngram_range=(1, 2))
    X = vec.fit_transform(docs)
    X.sort_indices()
    result = {"feature_names": vec.get_feature_names_out().tolist(), "shape": list(X.shape), "nnz": int(X.nnz),
              "indptr": X.indptr.tolist(), "indices": X.indices.tolist(), "data": X.data.tolist()}
    with open(out, "w", encoding="utf-8") as sink:
        json.dump(result, sink, ensure_ascii=False, separators=(",", ": "))
        sink.write("\n")


def time_sklearn_script(path, repeats, out_dir):
    """Median wall and CPU seconds of `sklearn_script`."""
    out = Path(out_dir) / "sklearn.json"
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        sklearn_script(path, out)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    return statistics.median(walls), statistics.median(cpus)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_ngrams(path, threads, repeats, out_dir, json_out=True):
    """Median wall and CPU seconds of the whole process, and its parsed JSON (`None` without `--json`)."""
    out = Path(out_dir) / f"ngrams-{threads}.{'json' if json_out else 'txt'}"
    cmd = [str(BIN), "--input", str(path), "--ngram-range", "1,2", "--threads", str(threads)]
    if json_out:
        cmd.append("--json")
    walls, cpus = [], []
    for _ in range(repeats):
        with open(out, "wb") as sink:
            start, cpu_start = time.perf_counter(), children_cpu()
            subprocess.run(cmd, stdout=sink, check=True)
            walls.append(time.perf_counter() - start)
            cpus.append(children_cpu() - cpu_start)
    parsed = json.loads(out.read_text(encoding="utf-8")) if json_out else None
    return (statistics.median(walls), statistics.median(cpus)), parsed


def check_same(ours, vec, X):
    names = [str(t) for t in vec.get_feature_names_out()]
    assert ours["feature_names"] == names, "feature names differ"
    X = sp.csr_matrix(X).copy()
    X.sort_indices()  # sklearn's fit_transform leaves each row in first-seen order; ours is sorted
    assert ours["shape"] == list(X.shape), f"shape {ours['shape']} vs {X.shape}"
    assert ours["nnz"] == X.nnz
    assert np.array_equal(np.asarray(ours["indptr"]), X.indptr), "indptr differs"
    assert np.array_equal(np.asarray(ours["indices"]), X.indices), "indices differ"
    assert np.array_equal(np.asarray(ours["data"]), X.data), "counts differ"


def compare(label, path, repeats, tmp):
    docs = documents(path)
    sk_time, (vec, X) = time_sklearn(docs, repeats)
    one_time, ours = time_ngrams(path, 1, repeats, tmp)
    check_same(ours, vec, X)
    two_time, ours2 = time_ngrams(path, 2, repeats, tmp)
    assert ours2 == ours, "--threads 2 gives a different result"
    script_time = time_sklearn_script(path, repeats, tmp)
    assert json.loads((Path(tmp) / "sklearn.json").read_text(encoding="utf-8")) == ours, "sklearn script's JSON"
    bare_one, _ = time_ngrams(path, 1, repeats, tmp, json_out=False)
    bare_two, _ = time_ngrams(path, 2, repeats, tmp, json_out=False)
    print(f"{label}: {len(docs)} documents, {X.shape[1]} features, nnz {X.nnz}: same vocabulary and counts")
    print(f"  {'':36} {'wall (median)':>14} {'ratio':>7} {'CPU (median)':>14} {'ratio':>7}")
    views = [
        ("whole job (read, vectorize, write JSON)", script_time,
         [("sklearn script", script_time), ("ngrams --json --threads 1", one_time),
          ("ngrams --json --threads 2", two_time)]),
        ("vectorizing only", sk_time,
         [("sklearn fit_transform", sk_time), ("ngrams (no JSON) --threads 1", bare_one),
          ("ngrams (no JSON) --threads 2", bare_two)]),
        ("headline (issue 2)", sk_time,
         [("sklearn fit_transform", sk_time), ("ngrams --json --threads 1", one_time),
          ("ngrams --json --threads 2", two_time)]),
    ]
    for title, (base_wall, base_cpu), rows in views:
        print(f"  {title}:")
        for name, (wall, cpu) in rows:
            print(f"    {name:34} {wall:12.3f} s {base_wall / wall:6.1f}x {cpu:12.3f} s {base_cpu / cpu:6.1f}x")
    (sk_wall, sk_cpu) = sk_time
    print(f"  headline, sklearn fit_transform (1 thread) / ngrams --json: "
          f"1 thread {sk_wall / one_time[0]:.1f}x wall, {sk_cpu / one_time[1]:.1f}x CPU; "
          f"2 threads {sk_wall / two_time[0]:.1f}x wall, {sk_cpu / two_time[1]:.1f}x CPU "
          f"(the 2-thread run uses more CPU in total: compare it by wall time only)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit(f"build first: cargo build --release -p ngrams ({BIN} missing)")
    if not NOVEL.exists():
        sys.exit(f"the novel is not at {NOVEL}")
    print(f"Python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"median of {args.repeats} runs each")
    with tempfile.TemporaryDirectory() as tmp:
        compare("novel", NOVEL, args.repeats, tmp)
        big = Path(tmp) / "novel_x10.txt"
        text = NOVEL.read_bytes().decode("utf-8-sig")
        if not text.endswith("\n"):
            text += "\n"
        big.write_bytes(("\ufeff" + text * 10).encode("utf-8"))
        compare("novel x10", big, args.repeats, tmp)


if __name__ == "__main__":
    main()
