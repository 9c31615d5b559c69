#!/usr/bin/python3
"""Peer for bench/data-validate.ts: the same checks written the obvious way in pandas.

Reads the file, describes it, infers the same schema rules data-validate infers (null fraction,
numeric range widened by 10%, categorical domain up to 100 values, uniqueness, NaN/inf), checks
the data against them and writes a JSON report.

    /usr/bin/python3 bench/data-validate.peer.py <data.csv|data.parquet> <report.json>
"""
import json
import sys

import numpy as np
import pandas as pd

path, out = sys.argv[1], sys.argv[2]
df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
description = df.describe(include="all")

rows = len(df)
anomalies = []
profile = {}
for column in df.columns:
    s = df[column]
    nulls = int(s.isna().sum())
    rule = {"max_null_fraction": 0 if nulls == 0 else min(1.0, max(2 * nulls / rows, nulls / rows + 0.01))}
    if pd.api.types.is_numeric_dtype(s):
        values = s.astype(float)
        finite = values[np.isfinite(values)]
        lo, hi = float(finite.min()), float(finite.max())
        margin = (hi - lo) * 0.1
        rule.update(min=lo - margin, max=hi + margin)
        profile[column] = {
            "mean": float(finite.mean()),
            "std": float(finite.std()),
            "quantiles": [float(x) for x in finite.quantile([0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99])],
            "histogram": np.histogram(finite, bins=256)[0].tolist(),
        }
        nonfinite = int((~np.isfinite(values) & values.notna()).sum())
        if nonfinite:
            anomalies.append({"kind": "nan_or_inf", "column": column, "count": nonfinite})
        outside = int(((finite < rule["min"]) | (finite > rule["max"])).sum())
        if outside:
            anomalies.append({"kind": "out_of_range", "column": column, "count": outside})
    else:
        counts = s.value_counts()
        profile[column] = {"top": {str(k): int(v) for k, v in counts.head(20).items()}}
        if len(counts) <= 100:
            allowed = set(counts.index)
            unexpected = int((~s.isin(allowed) & s.notna()).sum())
            if unexpected:
                anomalies.append({"kind": "unexpected_value", "column": column, "count": unexpected})
    distinct = int(s.nunique())
    if distinct == rows - nulls and not s.duplicated().any():
        rule["unique"] = True
    if nulls / max(rows, 1) > rule["max_null_fraction"]:
        anomalies.append({"kind": "too_many_nulls", "column": column, "count": nulls})

with open(out, "w") as f:
    json.dump({"rows": rows, "anomalies": anomalies, "profile": profile, "describe": description.to_json()}, f)
print(json.dumps({"rows": rows, "anomalies": len(anomalies)}))
