#!/usr/bin/python3
"""Golden trials for shared/src/search/space.ts: the sampling rules of docs/train.md
(Hyperparameter search), written again here from the documentation, independently of the
TypeScript.

    /usr/bin/python3 test/golden/search_trials.py > test/fixtures/golden/search-trials.json

Random: one mulberry32 stream seeded with `seed`; per trial, parameters in declaration order,
one draw each: choices[floor(u * n)], int low + floor(u * (high - low + 1)),
float low + u * (high - low), log-uniform exp(ln low + u * (ln high - ln low)).
Grid: the cartesian product in declaration order, the last parameter changing fastest; a
continuous range gives `steps` points, evenly spaced (log-spaced for log-uniform).
"""
import itertools
import json
import math


class Mulberry32:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296


def imul(a, b):
    return (a * b) & 0xFFFFFFFF


SPACE = {
    "learning-rate": {"log-uniform": [0.0001, 0.1]},
    "batch-size": {"choices": [16, 32, 64]},
    "epochs": {"int": [5, 30]},
    "validation-split": {"float": [0.1, 0.3]},
}


def random_trials(space, count, seed):
    rng = Mulberry32(seed)
    trials = []
    for _ in range(count):
        trial = {}
        for name, p in space.items():
            u = rng.next()
            if "choices" in p:
                trial[name] = p["choices"][math.floor(u * len(p["choices"]))]
            elif "int" in p:
                lo, hi = p["int"]
                trial[name] = lo + math.floor(u * (hi - lo + 1))
            elif "float" in p:
                lo, hi = p["float"]
                trial[name] = lo + u * (hi - lo)
            else:
                lo, hi = p["log-uniform"]
                trial[name] = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        trials.append(trial)
    return trials


def grid_values(p):
    if "choices" in p:
        return p["choices"]
    if "int" in p:
        lo, hi = p["int"]
        return list(range(lo, hi + 1))
    steps = p["steps"]
    if "float" in p:
        lo, hi = p["float"]
        return [hi if i == steps - 1 else lo + (hi - lo) * i / (steps - 1) for i in range(steps)]
    lo, hi = p["log-uniform"]
    a, b = math.log(lo), math.log(hi)
    return [lo if i == 0 else hi if i == steps - 1 else math.exp(a + (b - a) * i / (steps - 1)) for i in range(steps)]


GRID = {
    "learning-rate": {"log-uniform": [0.001, 0.1], "steps": 3},
    "batch-size": {"choices": [16, 64]},
    "patience": {"int": [3, 4]},
}

grid = [dict(zip(GRID, combo)) for combo in itertools.product(*(grid_values(p) for p in GRID.values()))]
print(
    json.dumps(
        {
            "random": {"space": SPACE, "seed": 7, "count": 5, "trials": random_trials(SPACE, 5, 7)},
            "grid": {"space": GRID, "trials": grid},
        },
        indent=2,
    )
)
