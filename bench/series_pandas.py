#!/usr/bin/env python3
"""Load + pivot of a production CSV: rnnlab-series against pandas, same file, same machine, one run; prints the ratio.

Both sides time the work in process (no interpreter or process start-up): read the CSV, order wells by API and
months by (Year, Month), reject duplicate (API, Year, Month) keys, and build the float32 array of the first 24 months
of Liquid, Gas and Water per well. rnnlab-series additionally validates every cell (numeric, non-negative, Month in
1-12), which pandas does not.

Inputs: a synthetic file of 5,000 wells x 24 months (120,000 rows, made by our generator with seed 7) and, if it
exists, the real ../shared/data/production.csv (relative to the repository root).

Setup: python3 -m venv venv && venv/bin/pip install pandas numpy   (measured with pandas 3.1.1, numpy 2.4.6)
Run from the repository root:  /work/venv/bin/python bench/series_pandas.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

REPEATS = 7
FEATURES = ["Liquid", "Gas", "Water"]


def pandas_load_pivot(path):
    df = pd.read_csv(path)
    df = df.sort_values(["API", "Year", "Month"], kind="stable")
    if df.duplicated(["API", "Year", "Month"]).any():
        raise ValueError("duplicate month")
    first = df.groupby("API", sort=True).head(24)
    counts = first.groupby("API", sort=True).size()
    keep = counts[counts == 24].index
    first = first[first["API"].isin(keep)]
    return first[FEATURES].to_numpy(dtype=np.float32).reshape(len(keep), 24, len(FEATURES))


def time_pandas(path):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        arr = pandas_load_pivot(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), arr.shape


def cargo(*args):
    return subprocess.run(["cargo", *args], check=True, capture_output=True, text=True).stdout


def time_rust(path):
    out = cargo("run", "--release", "-q", "-p", "rnnlab-series", "--example", "load_pivot", "--", path, str(REPEATS))
    fields = dict(line.split(" ", 1) for line in out.strip().splitlines())
    return float(fields["median_seconds"]), tuple(int(v) for v in fields["shape"].split())


def main():
    cargo("build", "--release", "-q", "-p", "rnnlab-series", "--example", "load_pivot", "--example", "generate")
    inputs = []
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = os.path.join(tmp, "synthetic_5000.csv")
        with open(synthetic, "w") as f:
            f.write(cargo("run", "--release", "-q", "-p", "rnnlab-series", "--example", "generate", "--",
                          "--wells", "5000", "--months", "24", "--seed", "7"))
        inputs.append(("synthetic 5000 wells x 24", synthetic))
        real = os.path.join("..", "shared", "data", "production.csv")
        if os.path.exists(real):
            inputs.append(("real production.csv", real))
        print(f"pandas {pd.__version__}, numpy {np.__version__}, {REPEATS} repeats, median seconds")
        for name, path in inputs:
            ours, our_shape = time_rust(path)
            theirs, their_shape = time_pandas(path)
            if tuple(our_shape) != tuple(their_shape):
                sys.exit(f"shape mismatch on {name}: {our_shape} vs {their_shape}")
            print(f"{name:28s} rnnlab-series {ours * 1e3:8.2f} ms   pandas {theirs * 1e3:8.2f} ms   "
                  f"pandas/ours = {theirs / ours:5.2f}x   shape {our_shape}")


if __name__ == "__main__":
    main()
