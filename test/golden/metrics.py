#!/usr/bin/python3
"""Golden values for shared/src/metrics, computed by scikit-learn.

Run with Debian's Python (sklearn 1.2.1, numpy 1.24):
    /usr/bin/python3 test/golden/metrics.py > test/fixtures/golden/metrics.json

Classification cases use class indices 0..k-1 (positive class 1 for binary), scores as an n x k
matrix (binary: [1 - p, p]; sklearn gets p). A value is null where sklearn raises or returns NaN.
Metrics sklearn 1.2.1 lacks are computed here with numpy from their published definitions:
multiclass Brier (sklearn >= 1.7's definition: mean over rows of sum over classes of squared
error), multiclass average precision (macro over one-vs-rest columns, as sklearn >= 1.3), and
expected calibration error (15 equal-width bins on max-probability confidence).
"""
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20240501)


def safe(fn):
    try:
        v = float(fn())
    except ValueError:
        return None
    return None if not np.isfinite(v) else v


def ece(scores, y):
    conf = scores.max(axis=1)
    pred = scores.argmax(axis=1)
    correct = (pred == y).astype(float)
    edges = np.linspace(0, 1, 16)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        prop = in_bin.mean()
        if prop > 0:
            total += abs(conf[in_bin].mean() - correct[in_bin].mean()) * prop
    return total


def classification_expected(y, yp, scores, k):
    e = {}
    e["accuracy"] = safe(lambda: skm.accuracy_score(y, yp))
    e["balanced_accuracy"] = safe(lambda: skm.balanced_accuracy_score(y, yp))
    if k == 2:
        e["precision"] = safe(lambda: skm.precision_score(y, yp, zero_division="warn"))
        e["recall"] = safe(lambda: skm.recall_score(y, yp))
        e["f1"] = safe(lambda: skm.f1_score(y, yp))
    for avg in ["macro"]:
        e["precision_macro"] = safe(lambda: skm.precision_score(y, yp, average=avg))
        e["recall_macro"] = safe(lambda: skm.recall_score(y, yp, average=avg))
        e["f1_macro"] = safe(lambda: skm.f1_score(y, yp, average=avg))
    e["f1_micro"] = safe(lambda: skm.f1_score(y, yp, average="micro"))
    e["f1_weighted"] = safe(lambda: skm.f1_score(y, yp, average="weighted"))
    e["matthews_corrcoef"] = safe(lambda: skm.matthews_corrcoef(y, yp))
    e["cohen_kappa"] = safe(lambda: skm.cohen_kappa_score(y, yp))
    if scores is None:
        return e
    if k == 2:
        p = scores[:, 1]
        e["roc_auc"] = safe(lambda: skm.roc_auc_score(y, p))
        e["roc_auc_ovr"] = e["roc_auc"]
        e["roc_auc_ovo"] = e["roc_auc"]
        e["average_precision"] = safe(lambda: skm.average_precision_score(y, p))
        e["log_loss"] = safe(lambda: skm.log_loss(y, p, labels=[0, 1]))
        e["brier_score"] = safe(lambda: skm.brier_score_loss(y, p, pos_label=1))
    else:
        e["roc_auc_ovr"] = safe(lambda: skm.roc_auc_score(y, scores, multi_class="ovr", labels=None))
        e["roc_auc_ovo"] = safe(lambda: skm.roc_auc_score(y, scores, multi_class="ovo"))
        onehot = label_binarize(y, classes=list(range(k)))
        e["average_precision"] = safe(
            lambda: np.mean([skm.average_precision_score(onehot[:, c], scores[:, c]) for c in range(k)])
        )
        e["log_loss"] = safe(lambda: skm.log_loss(y, scores, labels=list(range(k))))
        e["brier_score"] = float(np.mean(np.sum((scores - onehot) ** 2, axis=1)))
    e["expected_calibration_error"] = float(ece(scores, y))
    return e


def probabilities(n, k, ties=False, sharp=1.0):
    logits = rng.normal(size=(n, k)) * sharp
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    if ties:
        p = np.round(p, 1)
        p[:, -1] = 1 - p[:, :-1].sum(axis=1)
        p = np.clip(p, 0, 1)
        p /= p.sum(axis=1, keepdims=True)
    return p


def labels_from(p, noise=0.3):
    n, k = p.shape
    y = np.array([rng.choice(k, p=row) for row in p])
    flip = rng.random(n) < noise
    y[flip] = rng.integers(0, k, flip.sum())
    return y


def binary_scores(pos):
    return np.stack([1 - pos, pos], axis=1)


cases = []


def add_classification(name, y, scores=None, yp=None, k=None):
    y = np.asarray(y, dtype=int)
    k = k or (scores.shape[1] if scores is not None else int(max(y.max(), np.max(yp)) + 1))
    if yp is None:
        yp = scores.argmax(axis=1)
    yp = np.asarray(yp, dtype=int)
    cases.append(
        {
            "name": name,
            "task": "classification",
            "k": k,
            "y_true": y.tolist(),
            "y_pred": yp.tolist(),
            "scores": None if scores is None else scores.tolist(),
            "expected": classification_expected(y, yp, scores, k),
        }
    )


def add_regression(name, y, p):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    e = {
        "mae": skm.mean_absolute_error(y, p),
        "mse": skm.mean_squared_error(y, p),
        "rmse": skm.mean_squared_error(y, p, squared=False),
        "r2": skm.r2_score(y, p),
        "mape": skm.mean_absolute_percentage_error(y, p),
        "median_absolute_error": skm.median_absolute_error(y, p),
        "explained_variance": skm.explained_variance_score(y, p),
    }
    cases.append(
        {
            "name": name,
            "task": "regression",
            "y_true": y.tolist(),
            "y_pred": p.tolist(),
            "expected": {m: (float(v) if np.isfinite(v) else None) for m, v in e.items()},
        }
    )


# Binary: random, tied scores, well separated, perfect, one class, extreme probabilities.
for i, n in enumerate([7, 50, 333, 2000]):
    pos = probabilities(n, 2, sharp=1.5)[:, 1]
    add_classification(f"binary_random_{n}", labels_from(binary_scores(pos)), binary_scores(pos))
for i, n in enumerate([40, 500]):
    pos = np.round(rng.random(n), 1)
    y = (rng.random(n) < pos).astype(int)
    add_classification(f"binary_ties_{n}", y, binary_scores(pos))
pos = rng.random(30)
add_classification("binary_perfect", (pos > 0.5).astype(int), binary_scores(pos))
add_classification("binary_inverted", (pos < 0.5).astype(int), binary_scores(pos))
add_classification("binary_only_negatives", np.zeros(20, dtype=int), binary_scores(rng.random(20)))
add_classification("binary_only_positives", np.ones(20, dtype=int), binary_scores(rng.random(20)))
add_classification("binary_all_predicted_negative", rng.integers(0, 2, 25), binary_scores(rng.random(25) * 0.49))
pos = np.array([0.0, 1.0, 1.0, 0.0, 1e-18, 1 - 1e-17, 0.5, 0.5, 0.3, 1e-300])
add_classification("binary_extreme_probabilities", np.array([0, 1, 0, 1, 1, 0, 1, 0, 1, 0]), binary_scores(pos))
add_classification("binary_constant_scores", rng.integers(0, 2, 40), binary_scores(np.full(40, 0.7)))
add_classification("binary_labels_only", rng.integers(0, 2, 60), None, rng.integers(0, 2, 60), k=2)
add_classification("binary_single_row", np.array([1]), binary_scores(np.array([0.8])))

# Multiclass: random, ties, perfect, class absent from predictions, class absent from truth.
for k, n in [(3, 12), (3, 400), (4, 250), (5, 1500)]:
    p = probabilities(n, k, sharp=1.2)
    add_classification(f"multiclass{k}_random_{n}", labels_from(p), p)
p = probabilities(300, 3, ties=True, sharp=2)
add_classification("multiclass3_ties", labels_from(p), p)
p = probabilities(60, 4, sharp=3)
add_classification("multiclass4_perfect", p.argmax(axis=1), p)
p = probabilities(80, 3)
p[:, 2] *= 0.01
p /= p.sum(axis=1, keepdims=True)
add_classification("multiclass3_class_never_predicted", labels_from(p, noise=0.5), p)
p = probabilities(80, 3)
y = labels_from(p)
y[y == 1] = 0
add_classification("multiclass3_class_absent_from_truth", y, p)
add_classification("multiclass4_labels_only", rng.integers(0, 4, 90), None, rng.integers(0, 4, 90), k=4)
add_classification("multiclass3_constant_prediction", rng.integers(0, 3, 50), None, np.full(50, 2), k=3)

# Regression: random, constant target, perfect, zeros in the target, large offset, even/odd n.
for n in [5, 64, 1001]:
    y = rng.normal(size=n) * 10
    add_regression(f"regression_random_{n}", y, y + rng.normal(size=n) * 3)
add_regression("regression_constant_target", np.full(20, 3.5), np.full(20, 3.5) + rng.normal(size=20))
add_regression("regression_constant_target_perfect", np.full(20, 3.5), np.full(20, 3.5))
y = rng.normal(size=40)
add_regression("regression_perfect", y, y.copy())
y = rng.integers(-2, 3, 50).astype(float)
add_regression("regression_zeros_in_target", y, y + rng.normal(size=50))
y = 1e9 + rng.normal(size=300)
add_regression("regression_large_offset", y, y + rng.normal(size=300) * 0.5)
add_regression("regression_even_median", np.arange(10.0), np.arange(10.0) + np.array([0, 1, 2, 3, 4, -5, -6, 7, 8, 9]) / 10)

# Confusion-matrix edge cases (fixed data, after every seeded case so those stay as they were):
# a class of the model that occurs in neither y_true nor y_pred (sklearn's labels=None leaves it
# out of the macro averages), one class only on both sides, and no true positive at all (every
# ratio 0/0 or 0/x: zero_division's 0).
add_classification(
    "multiclass4_label_in_neither",
    np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 1, 0, 2]),
    None,
    np.array([0, 1, 1, 0, 2, 2, 0, 1, 0, 1, 0, 2]),
    k=4,
)
add_classification("binary_negatives_only_both", np.zeros(12, dtype=int), None, np.zeros(12, dtype=int), k=2)
add_classification("binary_no_true_positive", np.array([0, 0, 1, 1, 0, 1]), None, np.array([1, 1, 0, 0, 0, 0]), k=2)

json.dump(
    {
        "generator": "test/golden/metrics.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    },
    sys.stdout,
)
sys.stdout.write("\n")
