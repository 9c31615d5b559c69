#!/usr/bin/python3
"""Trains a tiny MLP on vega-datasets' penguins with numpy and exports it as ONNX.

Run from the repository root with Debian's Python (python3-onnx 1.12):
    /usr/bin/python3 test/golden/penguins_mlp.py

Writes test/fixtures/models/penguins/:
  model.onnx           input "features" float32 [N, 7] -> output "probabilities" float32 [N, 3]
  preprocessing.json   mlops-preprocessing/v1 (the evaluate adapters apply it to raw columns)
  weights.json         the same weights, so tests can build the identical TF.js layers model
  eval.csv             held-out raw rows (features + Species), with some nulls kept
  expected.json        float64 probabilities of eval.csv computed here with numpy
torch is not needed: the net is small enough to train with full-batch gradient descent.
"""
import csv
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = "test/fixtures/models/penguins"
NUMERIC = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
CATEGORICAL = "Island"
TARGET = "Species"

rows = json.load(open("node_modules/vega-datasets/data/penguins.json"))
rng = np.random.default_rng(7)
order = rng.permutation(len(rows))
train_rows = [rows[i] for i in order[:240]]
eval_rows = [rows[i] for i in order[240:]]

complete = [r for r in train_rows if all(r.get(c) is not None for c in NUMERIC)]
features = []
for c in NUMERIC:
    x = np.array([r[c] for r in complete], dtype=float)
    features.append({"name": c, "kind": "numeric", "mean": float(x.mean()), "std": float(x.std()), "fill": float(x.mean())})
categories = sorted({r[CATEGORICAL] for r in train_rows if r.get(CATEGORICAL) is not None})
counts = {c: sum(1 for r in train_rows if r.get(CATEGORICAL) == c) for c in categories}
features.append({"name": CATEGORICAL, "kind": "categorical", "categories": categories, "fill": max(categories, key=lambda c: counts[c])})
classes = sorted({r[TARGET] for r in rows})
spec = {"schema": "mlops-preprocessing/v1", "features": features, "target": TARGET, "task": "classification", "classes": classes}


def encode(rs):
    out = np.zeros((len(rs), len(NUMERIC) + len(categories)))
    for i, r in enumerate(rs):
        for j, f in enumerate(features[: len(NUMERIC)]):
            v = r.get(f["name"])
            v = f["fill"] if v is None else v
            out[i, j] = (v - f["mean"]) / (f["std"] or 1.0)
        v = r.get(CATEGORICAL)
        v = features[-1]["fill"] if v is None else v
        if v in categories:
            out[i, len(NUMERIC) + categories.index(v)] = 1.0
    return out


x = encode(train_rows)
y = np.array([classes.index(r[TARGET]) for r in train_rows])
onehot = np.eye(len(classes))[y]
hidden = 8
w1 = rng.normal(size=(x.shape[1], hidden)) * 0.3
b1 = np.zeros(hidden)
w2 = rng.normal(size=(hidden, len(classes))) * 0.3
b2 = np.zeros(len(classes))


def forward(x, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return h, p / p.sum(axis=1, keepdims=True)


# Few epochs on purpose: a model that makes some mistakes exercises the metrics better.
for _ in range(150):
    h, p = forward(x, w1, b1, w2, b2)
    dz = (p - onehot) / len(x)
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dh = dz @ w2.T * (h > 0)
    dw1 = x.T @ dh
    db1 = dh.sum(axis=0)
    for param, grad in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
        param -= 0.5 * grad

w1, b1, w2, b2 = (a.astype(np.float32) for a in (w1, b1, w2, b2))
graph = helper.make_graph(
    [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["z1"]),
        helper.make_node("Relu", ["z1"], ["h1"]),
        helper.make_node("Gemm", ["h1", "w2", "b2"], ["z2"]),
        helper.make_node("Softmax", ["z2"], ["probabilities"], axis=1),
    ],
    "penguins_mlp",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", x.shape[1]])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(classes)])],
    [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="test/golden/penguins_mlp.py")
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(OUT, exist_ok=True)
onnx.save(model, f"{OUT}/model.onnx")
json.dump(spec, open(f"{OUT}/preprocessing.json", "w"), indent=2)
json.dump({"w1": w1.tolist(), "b1": b1.tolist(), "w2": w2.tolist(), "b2": b2.tolist()}, open(f"{OUT}/weights.json", "w"))

with open(f"{OUT}/eval.csv", "w", newline="") as f:
    writer = csv.writer(f)
    columns = [TARGET, CATEGORICAL] + NUMERIC + ["Sex"]
    writer.writerow(columns)
    for r in eval_rows:
        writer.writerow(["" if r.get(c) is None else r[c] for c in columns])
_, p = forward(encode(eval_rows), *(a.astype(np.float64) for a in (w1, b1, w2, b2)))
json.dump({"classes": classes, "probabilities": p.tolist()}, open(f"{OUT}/expected.json", "w"))
acc = (p.argmax(axis=1) == np.array([classes.index(r[TARGET]) for r in eval_rows])).mean()
print(f"eval rows {len(eval_rows)}, accuracy {acc:.3f}")
