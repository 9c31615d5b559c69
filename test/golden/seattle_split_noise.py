#!/usr/bin/python3
"""The false-alarm figures of drift-check's noise rule on numeric columns (README, CHANGELOG, detect.ts
`noiseTest`): random 1,169/292-row splits of vega-datasets seattle-weather.csv (the suite's 80/20 split of
its 1,461 rows), each numeric column judged by Evidently's rule (normed Wasserstein distance
scipy.stats.wasserstein_distance / np.std(reference) >= 0.1) and by the noise rule (that distance and
scipy.stats.ks_2samp p <= 0.05); dataset drift when >= 2 of the 4 columns drift (drift share 0.5).
Prints the shares; nothing is written (the tests check the rule itself against the exact path).

Run: /usr/bin/python3 test/golden/seattle_split_noise.py   (scipy 1.10, numpy, pandas)
Output (2026-12-07): 400 splits: columns flagged old 0.197 new 0.022; dataset drift old 0.215 new 0.013
"""
import os

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, wasserstein_distance

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
table = pd.read_csv(os.path.join(ROOT, "node_modules", "vega-datasets", "data", "seattle-weather.csv"))
COLUMNS = ["precipitation", "temp_max", "temp_min", "wind"]
SPLITS = 400
CURRENT_ROWS = 292

rng = np.random.default_rng(0)
old_columns = new_columns = old_datasets = new_datasets = 0
for _ in range(SPLITS):
    order = rng.permutation(len(table))
    reference = table.iloc[order[: len(table) - CURRENT_ROWS]]
    current = table.iloc[order[len(table) - CURRENT_ROWS :]]
    old = new = 0
    for column in COLUMNS:
        distance = wasserstein_distance(reference[column], current[column]) / np.std(reference[column])
        p = ks_2samp(reference[column], current[column]).pvalue
        old += distance >= 0.1
        new += distance >= 0.1 and p <= 0.05
    old_columns += old
    new_columns += new
    old_datasets += old >= 2
    new_datasets += new >= 2
total = SPLITS * len(COLUMNS)
print(
    f"{SPLITS} splits: columns flagged old {old_columns / total:.3f} new {new_columns / total:.3f}; "
    f"dataset drift old {old_datasets / SPLITS:.3f} new {new_datasets / SPLITS:.3f}"
)
