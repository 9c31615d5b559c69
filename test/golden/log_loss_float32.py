#!/usr/bin/python3
"""Golden log loss on float32 probability rows that do not sum exactly to 1 (scikit-learn 1.2.1).

Run with Debian's Python:
    /usr/bin/python3 test/golden/log_loss_float32.py > test/fixtures/golden/log-loss-float32.json

A model's softmax in float32 gives rows whose sum is 1 +- a few ulps; a hand-made predictions file
may be further off. sklearn 1.2.1's log_loss clips each probability to [eps, 1 - eps] and then
divides each row by its sum (it renormalises; it only started warning about rows that do not
sum to 1 in 1.3). The pipeline holds scores as doubles, as pandas reads a predictions CSV, so the
reference is sklearn on the float32 values widened to float64 (eps = 2^-52). For the record,
`sklearn_on_float32` is what sklearn returns when handed the float32 array itself: it then
clips at float32's eps (2^-23) and computes in float32, which the pipeline does not do.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.metrics import log_loss

assert sklearn.__version__ == "1.2.1", sklearn.__version__

rng = np.random.default_rng(20261207)


def softmax32(logits):
    z = logits.astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True, dtype=np.float32)


def case(name, p32, y):
    k = p32.shape[1]
    p64 = p32.astype(np.float64)
    labels = list(range(k))
    return {
        "name": name,
        "k": k,
        "y_true": [int(v) for v in y],
        # float32 values written as the doubles they are, so the test reads exactly these.
        "scores": p64.tolist(),
        "row_sums": p64.sum(axis=1).tolist(),
        "log_loss": float(log_loss(y, p64, labels=labels)),
        "log_loss_sum": float(log_loss(y, p64, labels=labels, normalize=False)),
        "sklearn_on_float32": float(log_loss(y, p32, labels=labels)),
    }


cases = []
# Float32 softmax over 3 and 4 classes: sums within a few ulps of 1, rarely exactly 1.
for k, n in [(3, 200), (4, 150)]:
    p = softmax32(rng.normal(0.0, 2.5, size=(n, k)))
    y = rng.integers(0, k, size=n)
    cases.append(case(f"softmax float32, {k} classes", p, y))

# Rows well off 1 (a truncated or hand-written file), zeros and ones that need clipping.
hand = np.array(
    [
        [0.2, 0.3, 0.4],      # sums to 0.9
        [0.5, 0.5, 0.2],      # sums to 1.2
        [0.0, 1.0, 0.0],      # clipped at both ends
        [1.0, 0.0, 0.0],      # the true class has probability 0 -> clipped to eps
        [0.7, 0.2, 0.1000001],
        [0.33333334, 0.33333334, 0.33333334],
    ],
    dtype=np.float32,
)
cases.append(case("rows off 1 and at 0/1, 3 classes", hand, np.array([2, 0, 1, 1, 0, 2])))

# Binary as two columns [1 - p, p] in float32, where 1 - p is rounded.
p = rng.uniform(0.0, 1.0, size=120).astype(np.float32)
two = np.stack([np.float32(1) - p, p], axis=1).astype(np.float32)
two[::7, 0] *= np.float32(0.98)  # some rows noticeably short of 1
cases.append(case("binary float32 [1 - p, p]", two, rng.integers(0, 2, size=120)))

json.dump({"generator": "test/golden/log_loss_float32.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=1)
sys.stdout.write("\n")
