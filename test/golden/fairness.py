#!/usr/bin/python3
"""Golden values for shared/src/metrics/fairness.ts: Fairlearn's disparity metrics, re-implemented
from Fairlearn's documented definitions with pandas, numpy and scikit-learn (Fairlearn itself is
not packaged by Debian).

Run with Debian's Python:
    /usr/bin/python3 test/golden/fairness.py > test/fixtures/golden/fairness.json

Definitions (fairlearn.metrics, method="between_groups"):
- selection_rate(group) = mean(y_pred == positive);
- TPR, FPR from sklearn.metrics.confusion_matrix(labels=[neg, pos], normalize="true"), which
  gives 0 for a group without positive (or negative) rows, as Fairlearn's true_positive_rate does;
- *_difference = max over groups - min over groups; *_ratio = min / max (NaN when max is 0);
- equalized_odds_* = worst (max difference, min ratio) of the TPR and FPR disparities, over those
  defined (Fairlearn's Python min() keeps a defined TPR ratio beside an undefined FPR one too);
- equal_opportunity_* = the TPR disparity.
Suite conventions on top (documented in fairness.ts): groups with fewer than min_group_size rows
are left out; missing sensitive values (NaN/None) are one group (pandas groupby dropna=False);
more than two classes are one-vs-rest with the worst class as the value; regression reports the
gap (max - min) of MAE, RMSE and R^2 across groups. NaN is written as null.
"""
import json
import math

import numpy as np
import pandas as pd
from sklearn import metrics as skm

rng = np.random.default_rng(20261207)


def rates(y_true, y_pred, pos):
    t = (np.asarray(y_true) == pos).astype(int)
    p = (np.asarray(y_pred) == pos).astype(int)
    cm = skm.confusion_matrix(t, p, labels=[0, 1], normalize="true")
    return {"selection_rate": float(p.mean()), "tpr": float(cm[1, 1]), "fpr": float(cm[0, 1])}


def disparity(values):
    values = [v for v in values]
    if len(values) < 2:
        return math.nan, math.nan
    hi, lo = max(values), min(values)
    return hi - lo, (lo / hi if hi != 0 else math.nan)


def worst(values, pick):
    # Over the defined values only (a ratio is undefined where a rate is 0 in every group).
    defined = [v for v in values if not math.isnan(v)]
    if not defined:
        return math.nan
    return max(defined) if pick == "max" else min(defined)


def classification_case(y_true, y_pred, groups, k, min_group_size):
    df = pd.DataFrame({"y": y_true, "p": y_pred, "g": pd.Series(groups, dtype=object)})
    positives = [1] if k == 2 else list(range(k))
    out = {n: [] for n in ["dp_d", "dp_r", "eo_d", "eo_r", "op_d", "op_r"]}
    for c in positives:
        sel, tpr, fpr = [], [], []
        for _, part in df.groupby("g", dropna=False, sort=False):
            if len(part) < min_group_size:
                continue
            r = rates(part["y"], part["p"], c)
            sel.append(r["selection_rate"])
            tpr.append(r["tpr"])
            fpr.append(r["fpr"])
        dp = disparity(sel)
        tp = disparity(tpr)
        fp = disparity(fpr)
        out["dp_d"].append(dp[0])
        out["dp_r"].append(dp[1])
        out["eo_d"].append(worst([tp[0], fp[0]], "max"))
        out["eo_r"].append(worst([tp[1], fp[1]], "min"))
        out["op_d"].append(tp[0])
        out["op_r"].append(tp[1])
    return {
        "demographic_parity_difference": worst(out["dp_d"], "max"),
        "demographic_parity_ratio": worst(out["dp_r"], "min"),
        "equalized_odds_difference": worst(out["eo_d"], "max"),
        "equalized_odds_ratio": worst(out["eo_r"], "min"),
        "equal_opportunity_difference": worst(out["op_d"], "max"),
        "equal_opportunity_ratio": worst(out["op_r"], "min"),
    }


def regression_case(y_true, y_pred, groups, min_group_size):
    df = pd.DataFrame({"y": y_true, "p": y_pred, "g": pd.Series(groups, dtype=object)})
    per = {"mae": [], "rmse": [], "r2": []}
    for _, part in df.groupby("g", dropna=False, sort=False):
        if len(part) < min_group_size:
            continue
        per["mae"].append(skm.mean_absolute_error(part["y"], part["p"]))
        per["rmse"].append(math.sqrt(skm.mean_squared_error(part["y"], part["p"])))
        per["r2"].append(skm.r2_score(part["y"], part["p"]))
    return {f"{m}_difference": disparity([v for v in vs if np.isfinite(v)])[0] for m, vs in per.items()}


def clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


cases = []


def add_classification(name, y_true, y_pred, groups, k, min_group_size=1):
    expected = classification_case(y_true, y_pred, groups, k, min_group_size)
    cases.append({
        "name": name,
        "task": "classification",
        "classes": [f"c{i}" for i in range(k)],
        "y_true": [int(v) for v in y_true],
        "y_pred": [int(v) for v in y_pred],
        "groups": [None if g is None else str(g) for g in groups],
        "min_group_size": min_group_size,
        "expected": {k2: clean(v) for k2, v in expected.items()},
    })


def add_regression(name, y_true, y_pred, groups, min_group_size=1):
    expected = regression_case(y_true, y_pred, groups, min_group_size)
    cases.append({
        "name": name,
        "task": "regression",
        "y_true": [float(v) for v in y_true],
        "y_pred": [float(v) for v in y_pred],
        "groups": [None if g is None else str(g) for g in groups],
        "min_group_size": min_group_size,
        "expected": {k2: clean(v) for k2, v in expected.items()},
    })


for i in range(6):
    n = int(rng.integers(40, 400))
    g = rng.choice(["a", "b", "c", "d"][: int(rng.integers(2, 5))], size=n).tolist()
    y = rng.integers(0, 2, size=n)
    p = np.where(rng.random(n) < 0.7, y, 1 - y)
    add_classification(f"binary random {i}", y, p, g, 2)

for i in range(4):
    n = int(rng.integers(60, 400))
    k = int(rng.integers(3, 5))
    g = rng.choice(["x", "y", "z"], size=n).tolist()
    y = rng.integers(0, k, size=n)
    p = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, size=n))
    add_classification(f"multiclass random {i}", y, p, g, k)

# A group with no positive rows: TPR 0 by Fairlearn's convention.
y = np.array([0] * 20 + [0, 1] * 10)
p = np.array([0, 1] * 10 + [1, 1] * 10)
add_classification("group without positives", y, p, ["none"] * 20 + ["some"] * 20, 2)

# A single group: every disparity undefined.
add_classification("single group", np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0]), ["only"] * 4, 2)

# Missing sensitive values are a group of their own.
y = rng.integers(0, 2, size=90)
p = np.where(rng.random(90) < 0.8, y, 1 - y)
add_classification("missing values group", y, p, (["m", "f", None] * 30), 2)

# Nobody selected anywhere: ratio undefined (0 / 0), difference 0.
add_classification("nothing selected", np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0]), ["a", "a", "b", "b"], 2)

# A small group left out with min_group_size.
y = rng.integers(0, 2, size=73)
p = np.where(rng.random(73) < 0.75, y, 1 - y)
add_classification("small group left out", y, p, ["big"] * 35 + ["mid"] * 33 + ["tiny"] * 5, 2, min_group_size=30)

for i in range(4):
    n = int(rng.integers(40, 300))
    g = rng.choice(["u", "v", "w"], size=n).tolist()
    y = rng.normal(10, 3, size=n)
    p = y + rng.normal(0, 1 + i, size=n)
    add_regression(f"regression random {i}", y, p, g)

y = rng.normal(0, 1, size=64)
add_regression("regression with missing group", y, y + rng.normal(0, 0.5, size=64), ["p", None] * 32)

print(json.dumps({"cases": cases}, indent=1))
