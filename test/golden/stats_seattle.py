#!/usr/bin/python3
"""Golden drift statistics on vega-datasets seattle-weather from scipy 1.10 / pandas 1.5.

Run: /usr/bin/python3 test/golden/stats_seattle.py  -> test/fixtures/golden/stats_seattle.json
Each case names the subsets (SQL-like month/year filters the test reproduces) and the values the
drift engine must match: KS statistic exactly, p-values and distances to 1e-9.
"""
import json
import os

import numpy as np
import pandas as pd
from scipy import stats

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "..", "..", "node_modules", "vega-datasets", "data", "seattle-weather.csv")
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "golden", "stats_seattle.json")

d = pd.read_csv(DATA, parse_dates=["date"])
month, year = d.date.dt.month, d.date.dt.year
subsets = {
    "winter": d[month.isin([12, 1, 2])],
    "summer": d[month.isin([6, 7, 8])],
    "jan2012": d[(year == 2012) & (month == 1)],
    "jan2013": d[(year == 2013) & (month == 1)],
    "jan2014": d[(year == 2014) & (month == 1)],
    "jan2015": d[(year == 2015) & (month == 1)],
}


def chi2_homogeneity(ref, cur):
    """Pearson's chi-square on the 2 x K table of category counts (the drift test on categories)."""
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    rc = ref.value_counts()
    cc = cur.value_counts()
    table = np.array([[rc.get(k, 0) for k in keys], [cc.get(k, 0) for k in keys]], float)
    return stats.chi2_contingency(table, correction=False)

cases = []
for ref_name, cur_name in [("winter", "summer"), ("jan2012", "jan2013"), ("jan2014", "jan2015"), ("jan2013", "jan2014")]:
    ref, cur = subsets[ref_name], subsets[cur_name]
    columns = {}
    for c in ["precipitation", "temp_max", "temp_min", "wind"]:
        ks = stats.ks_2samp(ref[c], cur[c])
        w = stats.wasserstein_distance(ref[c], cur[c])
        columns[c] = {"ks_statistic": float(ks.statistic), "ks_p": float(ks.pvalue),
                      "wasserstein_normed": float(w / max(np.std(ref[c]), 0.001))}
    chi = chi2_homogeneity(ref["weather"], cur["weather"])
    columns["weather"] = {"chi2_statistic": float(chi.statistic), "chi2_p": float(chi.pvalue)}
    cases.append({"reference": ref_name, "current": cur_name, "rows": [len(ref), len(cur)], "columns": columns})

with open(OUT, "w") as f:
    json.dump({"generator": "test/golden/stats_seattle.py", "cases": cases}, f, indent=1)
print("wrote", OUT)
