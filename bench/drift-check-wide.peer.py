#!/usr/bin/python3
"""Peer for bench/drift-check-wide.ts: the obvious pandas + scipy drift script on wide numeric
data. Reads both CSVs, then per column scipy's wasserstein_distance normed by the reference's
std (Evidently's statistic for a reference of more than 1,000 values) and ks_2samp (the test a
user runs beside it). Prints one JSON object: per column the two statistics, and the seconds
spent reading, in wasserstein_distance and in ks_2samp.

    /usr/bin/python3 bench/drift-check-wide.peer.py <reference.csv> <current.csv>
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

started = time.perf_counter()
ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
read_s = time.perf_counter() - started
columns = {}
wasserstein_s = 0.0
ks_s = 0.0
for column in ref.columns:
    r = ref[column].dropna().to_numpy()
    c = cur[column].dropna().to_numpy()
    t = time.perf_counter()
    w = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    wasserstein_s += time.perf_counter() - t
    t = time.perf_counter()
    ks = stats.ks_2samp(r, c)
    ks_s += time.perf_counter() - t
    columns[column] = {"wasserstein_normed": float(w), "ks_statistic": float(ks.statistic), "ks_p": float(ks.pvalue)}
print(json.dumps({"columns": columns, "read_s": read_s, "wasserstein_s": wasserstein_s, "ks_s": ks_s}))
