#!/usr/bin/python3
"""Peer for bench/drift-check.ts: the obvious pandas + scipy drift script. Reads the reference and
current CSVs, runs ks_2samp on every numeric column and chi2_contingency on every categorical one.
For the agreement check it also reports scipy's chisquare goodness of fit against the reference
proportions (the test drift-check runs, as Evidently) from the same counts. Prints one JSON object.

    /usr/bin/python3 bench/drift-check.peer.py <reference.csv> <current.csv>
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats

ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
out = {}
for column in ref.columns:
    r = ref[column].dropna()
    c = cur[column].dropna()
    if pd.api.types.is_numeric_dtype(r):
        ks = stats.ks_2samp(r.to_numpy(), c.to_numpy())
        out[column] = {"test": "ks", "statistic": float(ks.statistic), "p_value": float(ks.pvalue)}
    elif column != "date":
        rc, cc = r.value_counts(), c.value_counts()
        keys = sorted(set(rc.index) | set(cc.index))
        table = np.array([[rc.get(k, 0) for k in keys], [cc.get(k, 0) for k in keys]])
        chi2, p, dof, _ = stats.chi2_contingency(table)
        f_exp = table[0] * (table[1].sum() / table[0].sum())
        gof = stats.chisquare(table[1], f_exp)
        out[column] = {
            "test": "chi2_contingency", "statistic": float(chi2), "p_value": float(p), "dof": int(dof),
            "gof_statistic": float(gof.statistic), "gof_p_value": float(gof.pvalue),
        }
print(json.dumps(out))
