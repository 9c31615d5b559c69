"""Golden values for the data profile, computed independently with pandas.

Run with Debian's Python (pandas 1.5.3):
    /usr/bin/python3 test/golden/profile_golden.py
Writes test/fixtures/golden/profile.json, which test/unit/data/profile.test.ts compares with
profileDataset(). Conventions matched: nulls/NaN/inf are excluded from the statistics, std is the
sample standard deviation (ddof=1, pandas' default), quantiles interpolate linearly between order
statistics (pandas' default), distinct counts non-null values.
"""
import json
import math
import os

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "node_modules", "vega-datasets", "data")
OUT = os.path.join(ROOT, "test", "fixtures", "golden", "profile.json")
QUANTILES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]


def load(name):
    path = os.path.join(DATA, name)
    if name.endswith(".csv"):
        # keep_default_na=False + na_values=[""]: only empty cells are missing, as in DuckDB.
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    with open(path) as f:
        # Plain records: pandas.read_json would guess dates and types on its own.
        return pd.DataFrame.from_records(json.load(f))


def numeric_column(s):
    values = pd.to_numeric(s, errors="coerce").astype(float)
    finite = values[np.isfinite(values)]
    return {
        "kind": "numeric",
        "rows": int(len(s)),
        "nulls": int(s.isna().sum()),
        "count": int(finite.count()),
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(finite.mean()),
        "std": float(finite.std(ddof=1)),
        "quantiles": [float(finite.quantile(q)) for q in QUANTILES],
        "distinct": int(finite.nunique()),
    }


def text_column(s):
    counts = s.dropna().value_counts()
    return {
        "kind": "text",
        "rows": int(len(s)),
        "nulls": int(s.isna().sum()),
        "distinct": int(s.dropna().nunique()),
        "value_counts": {str(k): int(v) for k, v in counts.items()},
    }


def main():
    golden = {"quantiles": QUANTILES, "datasets": {}}
    for name, text_columns in [
        ("penguins.json", ["Species", "Island", "Sex"]),
        ("cars.json", ["Name", "Origin", "Year"]),
        ("seattle-weather.csv", ["date", "weather"]),
    ]:
        df = load(name)
        columns = {}
        for column in df.columns:
            s = df[column]
            columns[column] = text_column(s) if column in text_columns else numeric_column(s)
        golden["datasets"][name] = {"rows": int(len(df)), "columns": columns}
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
