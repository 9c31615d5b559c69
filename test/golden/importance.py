#!/usr/bin/python3
"""Golden permutation importances for shared/src/metrics/permutation-importance.ts, computed by
scikit-learn's own `permutation_importance` on a pipeline over raw columns (numbers scaled, a
category one-hot encoded), with the row orders it used shipped beside them.

Run with Debian's Python (sklearn 1.2.1) and one BLAS thread (OPENBLAS_NUM_THREADS=1, as the goldens re-run does: two
threads change the fitted coefficients in their last digits):
    /usr/bin/python3 test/golden/importance.py > test/fixtures/golden/importance.json

scikit-learn shuffles a column cumulatively: repeat r applies a fresh shuffle of the index to the
column as the previous repeat left it. The orders written here are the effective ones (row i of
repeat r holds original row order[i]); the script checks that re-scoring with them gives
scikit-learn's importances before writing anything. The TypeScript test then applies the same
orders to the encoded rows (the encoded matrix and the fitted linear model are in the fixture).
"""
import json

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

N_REPEATS = 5
SEED = 7


def effective_orders(n, n_columns, seed):
    """The row order scikit-learn 1.2.1 gives each column in each repeat."""
    outer = np.random.RandomState(seed)
    column_seed = outer.randint(np.iinfo(np.int32).max + 1)
    orders = []
    for _ in range(n_columns):
        rs = np.random.RandomState(column_seed)
        idx = np.arange(n)
        current = np.arange(n)
        per_repeat = []
        for _ in range(N_REPEATS):
            rs.shuffle(idx)
            current = current[idx]
            per_repeat.append(current.tolist())
        orders.append(per_repeat)
    return orders


def case(task, rng):
    n = 150
    df = pd.DataFrame({
        "a": rng.normal(0, 1, n),
        "b": rng.normal(5, 2, n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "noise": rng.normal(0, 1, n),
    })
    effect = {"red": 1.5, "green": -1.0, "blue": 0.0}
    signal = 2.0 * df["a"] - 0.7 * df["b"] + df["colour"].map(effect)
    numeric = ["a", "b", "noise"]
    pre = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(categories=[["blue", "green", "red"]]), ["colour"])]
    )
    if task == "regression":
        y = signal + rng.normal(0, 0.5, n)
        model = Pipeline([("pre", pre), ("lm", LinearRegression())])
    else:
        y = (signal + rng.normal(0, 0.8, n) > signal.median()).astype(int)
        model = Pipeline([("pre", pre), ("lm", LogisticRegression())])
    columns = ["a", "b", "colour", "noise"]
    X = df[columns]
    model.fit(X, y)
    result = permutation_importance(model, X, y, n_repeats=N_REPEATS, random_state=SEED)
    orders = effective_orders(n, len(columns), SEED)
    # Re-score with the effective orders: they must give scikit-learn's importances exactly.
    base = model.score(X, y)
    for j, col in enumerate(columns):
        for r in range(N_REPEATS):
            Xp = X.copy()
            Xp[col] = X[col].to_numpy()[orders[j][r]]
            assert abs((base - model.score(Xp, y)) - result.importances[j, r]) < 1e-12
    encoded = model.named_steps["pre"].transform(X)
    encoded = encoded.toarray() if hasattr(encoded, "toarray") else encoded
    # Encoded layout: a, b, noise (scaled), then colour's three one-hot slots.
    blocks = [
        {"feature": "a", "start": 0, "width": 1},
        {"feature": "b", "start": 1, "width": 1},
        {"feature": "colour", "start": 3, "width": 3},
        {"feature": "noise", "start": 2, "width": 1},
    ]
    lm = model.named_steps["lm"]
    return {
        "task": task,
        "rows": n,
        "width": encoded.shape[1],
        "matrix": encoded.ravel().tolist(),
        "y": np.asarray(y, dtype=float).tolist(),
        "coef": np.ravel(lm.coef_).tolist(),
        "intercept": float(np.ravel(lm.intercept_)[0]),
        "blocks": blocks,
        "n_repeats": N_REPEATS,
        "orders": orders,
        "baseline": float(base),
        "importances": result.importances.tolist(),
        "importances_mean": result.importances_mean.tolist(),
        "importances_std": result.importances_std.tolist(),
    }


rng = np.random.default_rng(20261207)
print(json.dumps({"cases": [case("regression", rng), case("classification", rng)]}))
