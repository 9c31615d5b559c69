"""Peer for bench/train.ts: scikit-learn's MLPRegressor on the same data, model shape and
schedule (StandardScaler + OneHotEncoder, hidden 64-32 relu, adam, same batch size and epochs,
no early stopping), timing fit only. Prints one JSON object. Run with Debian's /usr/bin/python3.
"""
import json
import sys
import time

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import OneHotEncoder, StandardScaler

path, target, epochs, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
frame = pd.read_json(path)
frame = frame.dropna(subset=[target])
numeric = [c for c in frame.columns if c != target and pd.api.types.is_numeric_dtype(frame[c])]
categorical = [
    c for c in frame.columns
    if c != target and c not in numeric and frame[c].nunique() <= max(2, len(frame) / 2)
]
prep = ColumnTransformer([("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
x = prep.fit_transform(frame)
y = frame[target].to_numpy(dtype=float)
model = MLPRegressor(hidden_layer_sizes=(64, 32), solver="adam", batch_size=batch, max_iter=epochs,
                     learning_rate_init=0.001, random_state=0, early_stopping=False, tol=0, n_iter_no_change=10**9)
import warnings
warnings.filterwarnings("ignore")
start = time.perf_counter()
model.fit(x, y)
seconds = time.perf_counter() - start
print(json.dumps({"rows": len(frame), "epochs": epochs, "seconds": seconds, "rows_per_second": len(frame) * epochs / seconds}))
