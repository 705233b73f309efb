#!/usr/bin/env python3
"""Measure the `wells` app's targets (issue 4) on the real production data, in one run.

1. Quality over 10 seeds: the default model (Liquid), the default model with three inputs (assignment 2:
   liquid,gas,water) and the lesson's model (`--lesson`): how many seeds have a live output, the 12-month forecast
   MAE on the 10 test wells in the lesson's scaled units (barrels / the training wells' max Liquid) and how many
   seeds beat the best naive baseline. Read from `wells --metrics-json`.
2. Assignment 2: median MAE with three inputs vs Liquid alone.
3. Speed: the lesson's model for 20 epochs (batch 16, as bench/nn_torch_keras.py times it), our whole process
   (`wells --lesson`, CSV to forecast) against the `fit` of Keras (JAX backend) and PyTorch on the same windows
   (440 x 12 x 1 cut from the real file with pandas, as the lesson does), same threads. The peers' training code
   is nn_torch_keras.py's (imported, not copied): its workers are run on our windows.

Environment: /work/venv (torch, keras + jax, pandas, numpy); see tools/nn_reference.py for how it was made.
Run from the repository root:

    KERAS_BACKEND=jax /work/venv/bin/python bench/wells.py [--csv ../shared/data/production.csv] [--threads 2]
        [--seeds 10] [--skip-quality] [--skip-speed]

The binary is built with `cargo build --release -p wells` (CARGO_TARGET_DIR is honoured).
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import nn_torch_keras as peers  # noqa: E402  (the lesson-fit timers of engineer nnparity)

CONFIGS = {
    "default (Liquid)": [],
    "default (Liquid, Gas, Water)": ["--features", "liquid,gas,water"],
    "lesson (Liquid)": ["--lesson"],
}


def build(env: dict[str, str]) -> Path:
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "wells"], cwd=ROOT, env=env, check=True)
    return Path(env.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "wells"


def run_wells(exe: Path, csv: str, args: list[str], env: dict[str, str], tmp: Path) -> tuple[dict, float, float]:
    """One `wells` run: its metrics, wall seconds and CPU seconds (user + sys of the child process)."""
    out = tmp / "m.json"
    cmd = [str(exe), "--csv", csv, "--quiet", "--no-plots", "--metrics-json", str(out), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.read_text()), wall, cpu


def quality(exe: Path, csv: str, seeds: int, threads: int, env: dict[str, str], tmp: Path) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {}
    for name, args in CONFIGS.items():
        runs = []
        for seed in range(1, seeds + 1):
            m, _, _ = run_wells(exe, csv, [*args, "--seed", str(seed), "--threads", str(threads)], env, tmp)
            runs.append(m)
            print(f"  {name:30s} seed {seed:2d}: MAE {m['forecast']['mae_scaled']:.4f}"
                  f"{'  DEAD' if m['dead_output'] else ''}", flush=True)
        results[name] = runs
    return results


def print_quality(results: dict[str, list[dict]]) -> None:
    any_run = next(iter(results.values()))[0]
    last = any_run["baselines"]["last_value"]["mae_scaled"]
    profile = any_run["baselines"]["mean_profile"]["mae_scaled"]
    best = min(last, profile)
    print(f"\n12-month Liquid forecast, 10 test wells, MAE in scaled units (barrels / {any_run['scale_max']:.0f})")
    print(f"  baselines: last value {last:.4f}, mean profile {profile:.4f} (best {best:.4f})")
    print(f"  {'model':30s} {'live':>6s} {'beats':>6s} {'median':>8s} {'mean':>8s} {'sd':>7s} {'min':>7s} {'max':>7s}"
          f" {'train s':>8s}")
    for name, runs in results.items():
        mae = [r["forecast"]["mae_scaled"] for r in runs]
        live = sum(not r["dead_output"] for r in runs)
        beats = sum(m < best for m in mae)
        secs = statistics.median(r["train_seconds"] for r in runs)
        print(f"  {name:30s} {live:>3d}/{len(runs):<2d} {beats:>3d}/{len(runs):<2d} {statistics.median(mae):8.4f} "
              f"{statistics.mean(mae):8.4f} {statistics.pstdev(mae):7.4f} {min(mae):7.4f} {max(mae):7.4f} {secs:8.2f}")
    one = statistics.median(r["forecast"]["mae_scaled"] for r in results["default (Liquid)"])
    three = statistics.median(r["forecast"]["mae_scaled"] for r in results["default (Liquid, Gas, Water)"])
    verdict = "no worse" if three <= one else "WORSE"
    print(f"  assignment 2: median MAE with three inputs {three:.4f} vs Liquid alone {one:.4f}: {verdict}")


def lesson_windows(csv: str, tmp: Path) -> dict[str, str]:
    """The lesson's training windows from the real file, as its notebook cuts them (pandas pivot, global max)."""
    import pandas as pd

    df = pd.read_csv(csv)
    m = np.stack([g.sort_values(["Year", "Month"])["Liquid"].to_numpy()[:24] for _, g in df.groupby("API")])
    m = m / m[:40].max()
    train = m[:40]
    x = np.concatenate([train[:, i:i + 12] for i in range(24 - 12 - 1)])[..., None].astype(np.float32)
    y = np.concatenate([train[:, i + 1:i + 13] for i in range(24 - 12 - 1)])[..., None].astype(np.float32)
    paths = {"lesson_x": str(tmp / "lesson_x.npy"), "lesson_y": str(tmp / "lesson_y.npy")}
    np.save(paths["lesson_x"], x)
    np.save(paths["lesson_y"], y)
    return paths


def speed(exe: Path, csv: str, threads: int, env: dict[str, str], tmp: Path, repeats: int) -> None:
    data = lesson_windows(csv, tmp)
    script = str(Path(peers.__file__).resolve())
    fits: dict[str, list[float]] = {"pytorch": [], "keras-jax": [], "rnnlab": []}
    cpus: dict[str, list[float]] = {"pytorch": [], "keras-jax": [], "rnnlab": []}
    for rep in range(repeats):
        for side, worker in (("pytorch", "torch"), ("keras-jax", "keras")):
            res = peers.run_json([sys.executable, script, "--worker", worker, "--task", "lesson", "--data",
                                  json.dumps(data), "--threads", str(threads), "--seed", str(rep + 1)], env)
            if "error" in res:
                print(f"  {side}: {res['error']}")
            else:
                fits[side].append(res["fit_s"])
                cpus[side].append(res["fit_cpu_s"])
        _, wall, cpu = run_wells(exe, csv, ["--lesson", "--epochs", str(peers.LESSON["epochs"]), "--batch-size",
                                       str(peers.LESSON["batch"]), "--seed", str(rep + 1), "--threads",
                                       str(threads)], env, tmp)
        fits["rnnlab"].append(wall)
        cpus["rnnlab"].append(cpu)
    med = {k: (statistics.median(v) if v else None) for k, v in fits.items()}
    cpu_med = {k: (statistics.median(v) if v else None) for k, v in cpus.items()}
    print(f"\nlesson model, 20 epochs, batch {peers.LESSON['batch']}, 440 x 12 x 1 real windows, {threads} thread(s), "
          f"median of {repeats}")
    nan = float("nan")
    print(f"  {'':16s} {'wall s':>8s} {'CPU s':>8s}")
    print(f"  pytorch fit      {med['pytorch'] or nan:8.3f} {cpu_med['pytorch'] or nan:8.3f}")
    print(f"  keras-jax fit    {med['keras-jax'] or nan:8.3f} {cpu_med['keras-jax'] or nan:8.3f}")
    print(f"  rnnlab process   {med['rnnlab']:8.3f} {cpu_med['rnnlab']:8.3f}   (wells --lesson: load CSV, train, "
          "forecast, score)")
    for side in ("pytorch", "keras-jax"):
        if med[side]:
            print(f"  rnnlab is {med[side] / med['rnnlab']:.2f}x faster than {side} (wall), "
                  f"{cpu_med[side] / cpu_med['rnnlab']:.2f}x (CPU time: user + sys, fair on a loaded machine)")
    print(f"  load average now {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", default=str(ROOT.parent / "shared/data/production.csv"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--speed-repeats", type=int, default=3)
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    env = peers.thread_env(args.threads)
    exe = build(env)
    print(f"threads {args.threads}, load average {os.getloadavg()[0]:.2f}, data {args.csv}")
    with tempfile.TemporaryDirectory(prefix="wells_bench_") as tmp:
        if not args.skip_quality:
            print_quality(quality(exe, args.csv, args.seeds, args.threads, env, Path(tmp)))
        if not args.skip_speed:
            speed(exe, args.csv, args.threads, env, Path(tmp), args.speed_repeats)


if __name__ == "__main__":
    main()
