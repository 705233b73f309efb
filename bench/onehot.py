#!/usr/bin/env python3
"""Times assignment 3 (clean a text, cut a fragment into equal-length sentences, one-hot encode X and the
next-character targets Y, save .npy) in rnnlab's `onehot` app against a vectorised numpy equivalent.

Both clean the same way (lowercase; keep letters and whitespace; squeeze whitespace to one space), take the first
FRAGMENT characters, build the alphabet as the sorted set of the fragment's characters, cut sentences of L
characters with stride L (Y = X shifted by one character) and write X.npy / Y.npy. The script checks that
numpy.load gives identical arrays and alphabets, then prints median wall and CPU times and the ratio.

Usage, from the repository root, with numpy installed (e.g. /work/venv, or `python3 -m venv v && v/bin/pip install
numpy`):
    python3 bench/onehot.py [FILE] [--fragment-chars N] [--sentence-len L] [--runs R]
FILE defaults to ../shared/data/crime_and_punishment.txt.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

NOT_A_LETTER = re.compile(r"[^\w\s]|[\d_]")
SPACES = re.compile(r"\s+")


def numpy_run(path, fragment_chars, sentence_len, out_dir):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    cleaned = SPACES.sub(" ", NOT_A_LETTER.sub("", text.lower())).strip()
    fragment = cleaned[:fragment_chars]
    codes = np.frombuffer(fragment.encode("utf-32-le"), dtype="<u4")
    alphabet = np.unique(codes)
    indices = np.searchsorted(alphabet, codes).astype(np.uint32)
    n = (len(indices) - sentence_len - 1) // sentence_len + 1
    x = indices[: n * sentence_len].reshape(n, sentence_len)
    y = indices[1 : n * sentence_len + 1].reshape(n, sentence_len)
    eye = np.eye(len(alphabet), dtype=np.float32)
    np.save(os.path.join(out_dir, "X.npy"), eye[x])
    np.save(os.path.join(out_dir, "Y.npy"), eye[y])
    with open(os.path.join(out_dir, "alphabet.json"), "w", encoding="utf-8") as f:
        json.dump([chr(c) for c in alphabet], f, ensure_ascii=False)
    return eye[x].shape


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=os.path.join(root, "..", "shared", "data", "crime_and_punishment.txt"))
    parser.add_argument("--fragment-chars", type=int, default=200_000)
    parser.add_argument("--sentence-len", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "onehot"], cwd=root, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    binary = os.path.join(target, "release", "onehot")
    tmp = tempfile.mkdtemp(prefix="rnnlab-onehot-")
    np_dir, rs_dir = os.path.join(tmp, "numpy"), os.path.join(tmp, "rnnlab")
    os.makedirs(np_dir)
    command = [binary, "--input", args.file, "--fragment-chars", str(args.fragment_chars),
               "--sentence-len", str(args.sentence_len), "--out", os.path.join(rs_dir, "X.npy")]

    np_wall, np_cpu, rs_wall, rs_cpu = [], [], [], []
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        shape = numpy_run(args.file, args.fragment_chars, args.sentence_len, np_dir)
        np_wall.append(time.perf_counter() - start)
        np_cpu.append(time.process_time() - cpu)
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        rs_wall.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{binary} failed")
        rs_cpu.append(usage.ru_utime + usage.ru_stime)

    same = all(
        np.array_equal(np.load(os.path.join(np_dir, name)), np.load(os.path.join(rs_dir, name)))
        and np.load(os.path.join(rs_dir, name)).dtype == np.float32
        for name in ["X.npy", "Y.npy"]
    )
    with open(os.path.join(np_dir, "alphabet.json"), encoding="utf-8") as a, open(
        os.path.join(rs_dir, "alphabet.json"), encoding="utf-8"
    ) as b:
        same = same and json.load(a) == json.load(b)
    med = statistics.median
    print(f"input: {args.file}, fragment {args.fragment_chars} chars, sentences of {args.sentence_len}: X {shape}; "
          f"{args.runs} runs each")
    print(f"identical X, Y and alphabet: {same}")
    print(f"numpy {np.__version__} (in-process): wall {med(np_wall):.3f} s, cpu {med(np_cpu):.3f} s")
    print(f"rnnlab onehot (whole process):  wall {med(rs_wall):.3f} s, cpu {med(rs_cpu):.3f} s")
    print(f"ratio numpy/rnnlab: wall {med(np_wall) / med(rs_wall):.1f}x, cpu {med(np_cpu) / med(rs_cpu):.1f}x")
    if not same:
        sys.exit("the outputs differ")


if __name__ == "__main__":
    main()
