#!/usr/bin/python3
"""Golden row ids for evaluate's predictions file on vega-datasets movies.json, from pandas 1.5.

Run: /usr/bin/python3 test/golden/movies_row_ids.py  -> test/fixtures/golden/movies-row-ids.json
pandas reads the file (precise_float: JSON numbers as written) as a table whose index is each record's 0-based position; the rows whose
target `IMDB Rating` is null are the ones evaluate leaves out. The predictions file's `row_id` must
be that index (gaps where rows were left out), and its `y_true` the data's target at that index.
"""
import json
import os

import pandas as pd

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "..", "..", "node_modules", "vega-datasets", "data", "movies.json")
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "golden", "movies-row-ids.json")

d = pd.read_json(DATA, precise_float=True)
target = d["IMDB Rating"]
kept = d.index[target.notna()]
out = {
    "generator": "test/golden/movies_row_ids.py",
    "rows": int(len(d)),
    "null_target_rows": [int(i) for i in d.index[target.isna()]],
    "kept_row_ids": [int(i) for i in kept],
    "y_true": [float(v) for v in target[kept]],
}
with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", OUT)
