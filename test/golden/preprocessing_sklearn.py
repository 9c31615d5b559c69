#!/usr/bin/python3
"""Golden values for the feature transform (shared/src/models/preprocessing.ts), from scikit-learn.

Run with Debian's Python (sklearn 1.2.1, pandas 1.5):
    /usr/bin/python3 test/golden/preprocessing_sklearn.py > test/fixtures/golden/preprocessing-sklearn.json

A small CSV with missing values ('', 'NA', 'null': pandas' defaults, also in the transform's
default missing tokens) is read by pandas and fitted as the transform documents it:
- numeric: StandardScaler fitted on the present values (it disregards NaN; population std, a
  zero std counts as 1), missing values filled with the mean (SimpleImputer(strategy='mean')),
  then scaled, so a filled value becomes 0.
- categorical: SimpleImputer(strategy='most_frequent'): on a tie, scikit-learn takes the
  smallest value (here 'a' over 'b', though 'b' comes first in the data; and '10' over '9' as
  text); then OneHotEncoder over the sorted categories.
- boolean (0/1): SimpleImputer(strategy='most_frequent'), the tie going to 0; not scaled.
The TypeScript test fits the same CSV text and compares the fitted values and the matrix.
"""
import io
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__

CSV = """num_a,num_const,cat_tie,cat_text_num,flag
1.5,5,b,9,1
,5,a,10,0
3.25,NA,,9,
4,5,b,10,1
null,5,a,NA,0
10,5,c,9,1
-2.5,5,c,10,0
7.75,5,Z,,
"""

NUMERIC = ["num_a", "num_const"]
CATEGORICAL = ["cat_tie", "cat_text_num"]
BOOLEAN = ["flag"]

frame = pd.read_csv(io.StringIO(CSV), dtype={c: str for c in CATEGORICAL})
features = []
blocks = []

for name in NUMERIC:
    x = frame[[name]].to_numpy(dtype=np.float64)
    scaler = StandardScaler().fit(x)
    imputer = SimpleImputer(strategy="mean").fit(x)
    blocks.append(scaler.transform(imputer.transform(x)))
    features.append({
        "name": name,
        "kind": "numeric",
        "mean": float(scaler.mean_[0]),
        # scale_ is the population std, or 1 where it is 0; the spec keeps the std itself.
        "std": float(np.sqrt(scaler.var_[0])),
        "fill": float(imputer.statistics_[0]),
    })

for name in CATEGORICAL:
    x = frame[[name]].to_numpy(dtype=object)
    imputer = SimpleImputer(strategy="most_frequent", missing_values=np.nan).fit(x)
    filled = imputer.transform(x)
    encoder = OneHotEncoder(sparse_output=False, handle_unknown="error").fit(filled)
    blocks.append(encoder.transform(filled))
    features.append({
        "name": name,
        "kind": "categorical",
        "categories": [str(c) for c in encoder.categories_[0]],
        "fill": str(imputer.statistics_[0]),
    })

for name in BOOLEAN:
    x = frame[[name]].to_numpy(dtype=np.float64)
    imputer = SimpleImputer(strategy="most_frequent").fit(x)
    blocks.append(imputer.transform(x))
    features.append({"name": name, "kind": "boolean", "fill": int(imputer.statistics_[0])})

matrix = np.hstack(blocks)
json.dump(
    {
        "generator": "test/golden/preprocessing_sklearn.py",
        "sklearn": sklearn.__version__,
        "csv": CSV,
        "features": features,
        "matrix": matrix.tolist(),
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
