#!/usr/bin/python3
"""scikit-learn metrics of the penguins fixture model on its held-out rows, overall and per Island.

    /usr/bin/python3 test/golden/metrics_penguins.py > test/fixtures/golden/metrics-penguins.json

Probabilities come from test/fixtures/models/penguins/expected.json (numpy float64 forward pass,
written by test/golden/penguins_mlp.py); the evaluate test runs the real ONNX/TF.js model
(float32), so score metrics agree to ~1e-6, label metrics exactly.
"""
import csv
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.filterwarnings("ignore")
base = "test/fixtures/models/penguins"
expected = json.load(open(f"{base}/expected.json"))
classes = expected["classes"]
p = np.array(expected["probabilities"])
rows = list(csv.DictReader(open(f"{base}/eval.csv")))
y = np.array([classes.index(r["Species"]) for r in rows])
island = np.array([r["Island"] for r in rows])


def compute(idx):
    yt, pp = y[idx], p[idx]
    yp = pp.argmax(axis=1)
    out = {
        "accuracy": skm.accuracy_score(yt, yp),
        "balanced_accuracy": skm.balanced_accuracy_score(yt, yp),
        "f1_macro": skm.f1_score(yt, yp, average="macro"),
        "f1_weighted": skm.f1_score(yt, yp, average="weighted"),
        "matthews_corrcoef": skm.matthews_corrcoef(yt, yp),
        "log_loss": skm.log_loss(yt, pp, labels=[0, 1, 2]),
    }
    try:
        out["roc_auc_ovr"] = skm.roc_auc_score(yt, pp, multi_class="ovr")
    except ValueError:
        out["roc_auc_ovr"] = None
    return {k: (None if v is None else float(v)) for k, v in out.items()}


result = {
    "generator": "test/golden/metrics_penguins.py",
    "sklearn": sklearn.__version__,
    "rows": len(rows),
    "overall": compute(np.arange(len(rows))),
    "confusion_matrix": skm.confusion_matrix(y, p.argmax(axis=1), labels=[0, 1, 2]).tolist(),
    "slices": {v: {"n": int((island == v).sum()), "metrics": compute(np.where(island == v)[0])} for v in sorted(set(island))},
}
json.dump(result, sys.stdout, indent=1)
sys.stdout.write("\n")
