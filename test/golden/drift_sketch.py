#!/usr/bin/python3
"""Golden drift distances on large real samples, for drift-check's sketch path (#19).

Run: /usr/bin/python3 test/golden/drift_sketch.py  -> test/fixtures/golden/drift_sketch.json
Data: vega-datasets zipcodes.csv (42,049 US zip codes; latitude and longitude with 6 decimals,
33,410 distinct latitudes) and seattle-weather.csv (values with one decimal). Each case names
its split (the test writes the same rows with DuckDB) and gives, per column, what Evidently
computes for a reference of more than 1,000 values:
- numeric: scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001);
- categorical: scipy.spatial.distance.jensenshannon over the category shares of both samples,
  empty shares filled as Evidently's get_binned_data(feel_zeroes=True) does.
The test checks that the sketch's value is within its stated error bound of these.
"""
import json
import os

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "..", "..", "node_modules", "vega-datasets", "data")
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "golden", "drift_sketch.json"))


def normed_wasserstein(ref, cur):
    return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))


def filled_shares(counts, size):
    shares = np.array(counts, float) / size
    nonzero = shares[shares != 0]
    fill = nonzero.min() / 10**6 if nonzero.min() <= 0.0001 else 0.0001
    return np.where(shares == 0, fill, shares)


def category_js(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    rc, cc = ref.value_counts(), cur.value_counts()
    p = filled_shares([rc.get(k, 0) for k in keys], len(ref))
    q = filled_shares([cc.get(k, 0) for k in keys], len(cur))
    return float(distance.jensenshannon(p, q))


zips = pd.read_csv(os.path.join(DATA, "zipcodes.csv"))
weather = pd.read_csv(os.path.join(DATA, "seattle-weather.csv"), parse_dates=["date"])
year = weather.date.dt.year

cases = []
# The "where" clauses are SQL the test runs on the same file; the pandas masks are the same rows.
for name, where, ref, cur in [
    ("zip_parity", "CAST(zip_code AS BIGINT) % 2 = 0", zips[zips.zip_code % 2 == 0], zips[zips.zip_code % 2 == 1]),
    ("zip_east_west", "CAST(zip_code AS BIGINT) < 50000", zips[zips.zip_code < 50000], zips[zips.zip_code >= 50000]),
]:
    columns = {c: {"wasserstein_normed": normed_wasserstein(ref[c], cur[c])} for c in ["latitude", "longitude"]}
    columns["state"] = {"jensenshannon": category_js(ref["state"], cur["state"])}
    cases.append({"name": name, "file": "zipcodes.csv", "reference_where": where,
                  "rows": [len(ref), len(cur)], "columns": columns})

ref, cur = weather[year <= 2014], weather[year == 2015]
columns = {c: {"wasserstein_normed": normed_wasserstein(ref[c], cur[c])}
           for c in ["precipitation", "temp_max", "temp_min", "wind"]}
columns["weather"] = {"jensenshannon": category_js(ref["weather"], cur["weather"])}
cases.append({"name": "seattle_2015", "file": "seattle-weather.csv", "reference_where": "year(date) <= 2014",
              "rows": [len(ref), len(cur)], "columns": columns})

with open(OUT, "w") as f:
    json.dump({"generator": "test/golden/drift_sketch.py", "cases": cases}, f, indent=1)
print("wrote", OUT)
