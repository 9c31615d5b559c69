#!/usr/bin/python3
"""Trains a penguins-size MLP on ten raw columns with numpy and exports it as ONNX: the model that
`npm run bench`'s permutation-importance benchmark (bench/importance.ts) and its issue name
("100k rows x 10 features with the penguins-size ONNX model").

Run from the repository root with Debian's Python (python3-onnx 1.12):
    /usr/bin/python3 test/golden/penguins10_mlp.py

The same net as test/golden/penguins_mlp.py (one hidden ReLU layer of 8 units, softmax over the 3
species, 150 full-batch gradient steps) on vega-datasets' penguins, with ten raw input columns:
  - the four measurements (Beak Length, Beak Depth, Flipper Length, Body Mass);
  - three derived from them, rounded to 4 decimals before anything reads them (so eval.csv and
    the numpy reference see the very same values): Beak Ratio (length / depth), Beak Area (mm2)
    (length x depth), Mass per Flipper (g/mm);
  - Tag Number: a seeded random integer per penguin, unrelated to the species (a column the model
    should not need: its permutation importance is about 0);
  - Island and Sex, categorical (one-hot through preprocessing.json). The data's Sex has nulls and
    one "." entry: "." is declared a missing-value token, so it takes the fill like a null.
Model input width: 8 numbers + 3 islands + 2 sexes = 13.

Writes test/fixtures/models/penguins10/:
  model.onnx           input "features" float32 [N, 13] -> output "probabilities" float32 [N, 3]
  preprocessing.json   mlops-preprocessing/v2 (the evaluate adapters apply it to raw columns)
  eval.csv             held-out raw rows (the ten columns + Species), nulls kept
  expected.json        float64 probabilities of eval.csv computed here with numpy
Deterministic: the same bytes on every run (seeded generator, fixed iteration order).
"""
import csv
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = "test/fixtures/models/penguins10"
MEASURED = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
DERIVED = ["Beak Ratio", "Beak Area (mm2)", "Mass per Flipper (g/mm)"]
NUMERIC = MEASURED + DERIVED + ["Tag Number"]
CATEGORICAL = ["Island", "Sex"]
TARGET = "Species"
MISSING = ["", "NA", "N/A", "n/a", "null", "?", "NaN", "."]

source = json.load(open("node_modules/vega-datasets/data/penguins.json"))
rng = np.random.default_rng(10)
rows = []
for r in source:
    row = dict(r)
    length, depth, flipper, mass = (r.get(c) for c in MEASURED)
    row["Beak Ratio"] = None if length is None or depth is None else round(length / depth, 4)
    row["Beak Area (mm2)"] = None if length is None or depth is None else round(length * depth, 4)
    row["Mass per Flipper (g/mm)"] = None if mass is None or flipper is None else round(mass / flipper, 4)
    row["Tag Number"] = int(rng.integers(1000, 10000))
    rows.append(row)
order = rng.permutation(len(rows))
train_rows = [rows[i] for i in order[:240]]
eval_rows = [rows[i] for i in order[240:]]


def present(v):
    return v is not None and not (isinstance(v, str) and v.strip() in MISSING)


features = []
for c in NUMERIC:
    x = np.array([r[c] for r in train_rows if present(r.get(c))], dtype=float)
    features.append({"name": c, "kind": "numeric", "mean": float(x.mean()), "std": float(x.std()), "fill": float(x.mean())})
for c in CATEGORICAL:
    seen = [r[c] for r in train_rows if present(r.get(c))]
    categories = sorted(set(seen))
    features.append({"name": c, "kind": "categorical", "categories": categories, "fill": max(categories, key=seen.count)})
classes = sorted({r[TARGET] for r in rows})
spec = {
    "schema": "mlops-preprocessing/v2",
    "missing": MISSING,
    "features": features,
    "target": TARGET,
    "task": "classification",
    "classes": classes,
}
width = len(NUMERIC) + sum(len(f["categories"]) for f in features[len(NUMERIC):])


def encode(rs):
    out = np.zeros((len(rs), width))
    for i, r in enumerate(rs):
        at = 0
        for f in features:
            v = r.get(f["name"])
            v = f["fill"] if not present(v) else v
            if f["kind"] == "numeric":
                out[i, at] = (v - f["mean"]) / (f["std"] or 1.0)
                at += 1
            else:
                if v in f["categories"]:
                    out[i, at + f["categories"].index(v)] = 1.0
                at += len(f["categories"])
    return out


x = encode(train_rows)
y = np.array([classes.index(r[TARGET]) for r in train_rows])
onehot = np.eye(len(classes))[y]
hidden = 8
w1 = rng.normal(size=(width, hidden)) * 0.3
b1 = np.zeros(hidden)
w2 = rng.normal(size=(hidden, len(classes))) * 0.3
b2 = np.zeros(len(classes))


def forward(x, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return h, p / p.sum(axis=1, keepdims=True)


# Few epochs on purpose, as for the five-column model: some mistakes exercise the metrics better.
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
    "penguins10_mlp",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", width])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(classes)])],
    [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="test/golden/penguins10_mlp.py")
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(OUT, exist_ok=True)
onnx.save(model, f"{OUT}/model.onnx")
with open(f"{OUT}/preprocessing.json", "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")

with open(f"{OUT}/eval.csv", "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    columns = [TARGET] + CATEGORICAL + NUMERIC
    writer.writerow(columns)
    for r in eval_rows:
        writer.writerow(["" if r.get(c) is None else r[c] for c in columns])
_, p = forward(encode(eval_rows), *(a.astype(np.float64) for a in (w1, b1, w2, b2)))
with open(f"{OUT}/expected.json", "w") as f:
    json.dump({"classes": classes, "probabilities": p.tolist()}, f)
    f.write("\n")
acc = (p.argmax(axis=1) == np.array([classes.index(r[TARGET]) for r in eval_rows])).mean()
print(f"eval rows {len(eval_rows)}, input width {width}, accuracy {acc:.3f}")
