#!/usr/bin/python3
"""Golden curves for shared/src/metrics/curves.ts, computed by scikit-learn.

Run with Debian's Python (sklearn 1.2.1):
    /usr/bin/python3 test/golden/curves.py > test/fixtures/golden/curves.json

roc_curve(drop_intermediate=False) and precision_recall_curve on the positive-class score, and
the reliability bins of the expected calibration error (15 equal-width bins (i/15, (i+1)/15] on the
top-class probability; per bin: rows, mean confidence, accuracy).

Regression bins: rows sorted by prediction (numpy's stable argsort), cut by numpy.array_split into
20 runs; per run: rows, lowest and highest prediction, mean prediction, mean actual target. Heavy
ties in the predictions check that equal predictions keep their row order.
"""
import json

import numpy as np
from sklearn import metrics as skm

rng = np.random.default_rng(20261207)
cases = []
for i in range(5):
    n = int(rng.integers(20, 300))
    y = rng.integers(0, 2, size=n)
    # Rounded scores make ties, which both curves must group.
    s = np.round(np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1), 1 + i % 3)
    fpr, tpr, thr = skm.roc_curve(y, s, drop_intermediate=False)
    precision, recall, pthr = skm.precision_recall_curve(y, s)
    k = int(rng.integers(2, 5))
    probs = rng.dirichlet(np.ones(k), size=n)
    labels = rng.integers(0, k, size=n)
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    edges = np.linspace(0, 1, 16)
    bins = []
    for b in range(15):
        in_bin = (conf > edges[b]) & (conf <= edges[b + 1])
        if in_bin.sum() == 0:
            continue
        bins.append({
            "upper": float(edges[b + 1]),
            "rows": int(in_bin.sum()),
            "confidence": float(conf[in_bin].mean()),
            "accuracy": float((pred[in_bin] == labels[in_bin]).mean()),
        })
    cases.append({
        "y": y.tolist(),
        "score": s.tolist(),
        "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": [None if not np.isfinite(t) else float(t) for t in thr]},
        "pr": {"precision": precision.tolist(), "recall": recall.tolist(), "thresholds": pthr.tolist()},
        "k": k,
        "probs": probs.ravel().tolist(),
        "labels": labels.tolist(),
        "reliability": bins,
    })
reg_rng = np.random.default_rng(20261208)
regression = []
for i in range(4):
    n = int(reg_rng.integers(5, 400))
    actual = reg_rng.lognormal(3, 1, size=n)
    predicted = actual * reg_rng.normal(1, 0.2, size=n)
    if i % 2 == 1:
        predicted = np.round(predicted, -1)  # ties
    order = np.argsort(predicted, kind="stable")
    bins = []
    for run in np.array_split(order, min(20, n)):
        bins.append({
            "rows": int(len(run)),
            "from": float(predicted[run[0]]),
            "to": float(predicted[run[-1]]),
            "predicted": float(predicted[run].mean()),
            "actual": float(actual[run].mean()),
        })
    regression.append({"actual": actual.tolist(), "predicted": predicted.tolist(), "bins": bins})
print(json.dumps({"cases": cases, "regression": regression}))
