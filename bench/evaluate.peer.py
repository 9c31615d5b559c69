#!/usr/bin/python3
"""Peer for bench/evaluate.ts: scikit-learn 1.2.1 computing the same default binary metrics on the
same 1,000,000 predictions (read from raw little-endian files the TS side wrote), once, and a
plain bootstrap (resample indices with numpy, recompute every metric with scikit-learn) timed on
a few resamples and reported per resample. Prints one JSON object.

    /usr/bin/python3 bench/evaluate.peer.py <dir> <bootstrap_resamples_to_time>
"""
import json
import sys
import time

import numpy as np
from sklearn import metrics as skm

folder, timed = sys.argv[1], int(sys.argv[2])
y = np.fromfile(f"{folder}/y_true.i32", dtype="<i4")
p = np.fromfile(f"{folder}/y_score.f64", dtype="<f8")


def ece(p, y):
    conf = np.maximum(p, 1 - p)
    correct = ((p > 0.5).astype(int) == y).astype(float)
    edges = np.linspace(0, 1, 16)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        prop = in_bin.mean()
        if prop > 0:
            total += abs(conf[in_bin].mean() - correct[in_bin].mean()) * prop
    return total


def all_metrics(y, p):
    yp = (p > 0.5).astype(int)
    return {
        "accuracy": skm.accuracy_score(y, yp),
        "balanced_accuracy": skm.balanced_accuracy_score(y, yp),
        "precision": skm.precision_score(y, yp),
        "recall": skm.recall_score(y, yp),
        "f1": skm.f1_score(y, yp),
        "precision_macro": skm.precision_score(y, yp, average="macro"),
        "recall_macro": skm.recall_score(y, yp, average="macro"),
        "f1_macro": skm.f1_score(y, yp, average="macro"),
        "f1_micro": skm.f1_score(y, yp, average="micro"),
        "f1_weighted": skm.f1_score(y, yp, average="weighted"),
        "roc_auc": skm.roc_auc_score(y, p),
        "roc_auc_ovr": skm.roc_auc_score(y, p),
        "roc_auc_ovo": skm.roc_auc_score(y, p),
        "average_precision": skm.average_precision_score(y, p),
        "log_loss": skm.log_loss(y, p),
        "brier_score": skm.brier_score_loss(y, p),
        "matthews_corrcoef": skm.matthews_corrcoef(y, yp),
        "cohen_kappa": skm.cohen_kappa_score(y, yp),
        "expected_calibration_error": ece(p, y),
    }


t = time.perf_counter()
values = all_metrics(y, p)
once = time.perf_counter() - t

rng = np.random.default_rng(0)
t = time.perf_counter()
for _ in range(timed):
    idx = rng.integers(0, len(y), len(y))
    all_metrics(y[idx], p[idx])
per_resample = (time.perf_counter() - t) / timed
print(json.dumps({"rows": int(len(y)), "metrics_once_s": once, "bootstrap_seconds_per_resample": per_resample, "bootstrap_resamples_timed": timed, "values": {k: float(v) for k, v in values.items()}}))
