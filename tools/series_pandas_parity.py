#!/usr/bin/env python3
"""Parity fixture for rnnlab-series: what pandas and numpy make of the well files, recorded with their versions.

Records, in fixtures/wells/pandas_parity.json:
- for fixtures/wells/tricky_order.csv (rows out of order, 12-, 13- and 14-digit APIs, a leading zero): the wells in
  `pd.read_csv(...).groupby("API")` order and each well's Liquid in (Year, Month) order;
- for fixtures/wells/production_synthetic.csv: the lesson's two naive baselines computed the lesson's way with numpy
  (Liquid pivoted per well, first 40 wells train, global max of the training wells, months 13-24 of the last 10 wells
  forecast from their first 12): MAE and RMSE in scaled units.

Setup: python3 -m venv venv && venv/bin/pip install pandas numpy   (made with pandas 3.1.1, numpy 2.4.6)
Run from the repository root: /work/venv/bin/python tools/series_pandas_parity.py
"""

import json

import numpy as np
import pandas as pd

FIXTURES = "fixtures/wells"


def ordering(path):
    df = pd.read_csv(path)
    wells = []
    for api, group in df.groupby("API"):
        group = group.sort_values(["Year", "Month"])
        wells.append({"api": str(api), "liquid": [float(v) for v in group["Liquid"]]})
    return {"api_dtype": str(df["API"].dtype), "wells": wells}


def baselines(path):
    df = pd.read_csv(path)
    m = np.stack([g.sort_values(["Year", "Month"])["Liquid"].to_numpy()[:24] for _, g in df.groupby("API")])
    m = m.astype(np.float64)
    train, test = m[:40], m[40:]
    scale = train.max()
    train, test = train / scale, test / scale
    history, actual = test[:, :12], test[:, 12:]
    last = np.repeat(history[:, -1:], 12, axis=1)
    profile = train.mean(axis=0)
    mean_profile = profile[None, 12:] * (history.mean(axis=1, keepdims=True) / profile[:12].mean())
    out = {"global_max": float(scale)}
    for name, pred in (("last_value", last), ("mean_profile", mean_profile)):
        out[name] = {
            "mae_scaled": float(np.abs(pred - actual).mean()),
            "rmse_scaled": float(np.sqrt(((pred - actual) ** 2).mean())),
        }
    return out


def main():
    result = {
        "made_by": "tools/series_pandas_parity.py",
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "tricky_order": ordering(f"{FIXTURES}/tricky_order.csv"),
        "synthetic_baselines": baselines(f"{FIXTURES}/production_synthetic.csv"),
    }
    with open(f"{FIXTURES}/pandas_parity.json", "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
