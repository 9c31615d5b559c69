#!/usr/bin/python3
"""Golden values for the feature transform's date features (shared/src/models/preprocessing.ts), on
real data: vega-datasets seattle-weather.csv (1,461 daily ISO dates, a `date` feature) and
seattle-weather-hourly-normals.csv (8,760 hourly ISO date-times without a zone, read as UTC, a
`datetime` feature).

Run with Debian's Python (sklearn 1.2.1, pandas 1.5):
    /usr/bin/python3 test/golden/preprocessing_dates.py > test/fixtures/golden/preprocessing-dates.json

Each date becomes its parts, as the transform documents them: year, month (1-12), day, day of week
(Monday 0, pandas' dayofweek) and, for a date, whole days since 1970-01-01; a date-time adds hour and
minute, and its epoch days are fractional. Every part is then fitted like a numeric feature:
SimpleImputer(strategy='mean') and StandardScaler over the present values (population std; a part
with a std of 0, such as the hourly file's year and minute, is scaled by 1). In the daily file every
97th date (rows 5, 102, ...) is replaced by a missing token ('' and 'NA' in turn), so the fill is
checked too: a missing date takes every part's mean, i.e. 0 once scaled.

Written: per feature each part's mean, std and fill, the cells replaced by a missing token, and the
transformed rows of a sample (every 61st row, and every missing one).
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.join(ROOT, "node_modules", "vega-datasets", "data")
EPOCH = pd.Timestamp("1970-01-01")
DAY = pd.Timedelta(days=1)


def parts_of(times, kind):
    """The date parts of a pandas datetime series (NaT where the date is missing)."""
    parts = {
        "year": times.dt.year,
        "month": times.dt.month,
        "day": times.dt.day,
        "day_of_week": times.dt.dayofweek,
    }
    if kind == "datetime":
        parts["hour"] = times.dt.hour
        parts["minute"] = times.dt.minute
        parts["epoch_days"] = (times - EPOCH) / DAY
    else:
        parts["epoch_days"] = np.floor((times - EPOCH) / DAY)
    return {name: values.to_numpy(dtype=np.float64) for name, values in parts.items()}


def feature(path, column, kind, missing_every=None):
    text = pd.read_csv(path, dtype=str, keep_default_na=False)[column].tolist()
    if missing_every is not None:
        for n, i in enumerate(range(5, len(text), missing_every)):
            text[i] = "" if n % 2 == 0 else "NA"
    present = pd.Series([None if t in ("", "NA") else t for t in text])
    times = pd.to_datetime(present, format="%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S")
    fitted = []
    columns = []
    for name, values in parts_of(times, kind).items():
        x = values.reshape(-1, 1)
        imputer = SimpleImputer(strategy="mean").fit(x)
        scaler = StandardScaler().fit(x)
        columns.append(scaler.transform(imputer.transform(x))[:, 0])
        fitted.append(
            {
                "part": name,
                "mean": float(scaler.mean_[0]),
                "std": float(np.sqrt(scaler.var_[0])),
                "fill": float(imputer.statistics_[0]),
            }
        )
    sample = sorted(set(range(0, len(text), 61)) | {i for i, t in enumerate(text) if t in ("", "NA")})
    matrix = np.column_stack(columns)
    return {
        "file": os.path.relpath(path, ROOT),
        "column": column,
        "kind": kind,
        "rows": len(text),
        # The cells replaced by a missing token; the test reads the file and replaces the same.
        "missing": {str(i): t for i, t in enumerate(text) if t in ("", "NA")},
        "parts": fitted,
        "sample": sample,
        "matrix": [matrix[i].tolist() for i in sample],
    }


json.dump(
    {
        "generator": "test/golden/preprocessing_dates.py",
        "sklearn": sklearn.__version__,
        "features": [
            feature(os.path.join(DATA, "seattle-weather.csv"), "date", "date", missing_every=97),
            feature(os.path.join(DATA, "seattle-weather-hourly-normals.csv"), "date", "datetime"),
        ],
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
