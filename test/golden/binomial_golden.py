#!/usr/bin/python3
"""Golden values for shared/src/stats/binomial.ts and the sample-size-aware schema bounds.

Run with Debian's interpreter:  /usr/bin/python3 test/golden/binomial_golden.py
Writes test/fixtures/golden/binomial.json:
- clopper_pearson: scipy beta.ppf(confidence, k + 1, n - k), the one-sided upper bound;
- binomtest: scipy binomtest(k, n, p, alternative='greater').pvalue;
- betainc: scipy special.betainc(a, b, x);
- outside_extremes: P(at least k of m new values fall outside the extremes of n earlier ones),
  by exact rational arithmetic over the rank law, and checked here against brute-force
  enumeration of every split for small n + m.
"""
import itertools
import json
import os
from fractions import Fraction
from math import comb

import scipy
from scipy import special, stats

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "golden", "binomial.json")

clopper = []
for k, n, conf in [
    (0, 1, 0.99), (0, 10, 0.99), (0, 104, 0.99), (0, 240, 0.99), (0, 240, 0.999), (1, 240, 0.99),
    (2, 104, 0.99), (5, 240, 0.95), (14, 240, 0.99), (50, 100, 0.99), (99, 100, 0.99), (3, 7, 0.9),
    (1, 2, 0.99), (0, 100000, 0.99), (17, 100000, 0.99), (1234, 56789, 0.999), (29999, 30000, 0.99),
]:
    clopper.append({"k": k, "n": n, "confidence": conf, "value": float(stats.beta.ppf(conf, k + 1, n - k))})

binom = []
for k, n, p in [
    (0, 10, 0.1), (1, 10, 0.1), (2, 104, 0.0189), (6, 104, 0.05), (26, 104, 0.0189), (5, 90, 0.0217),
    (10, 90, 0.0217), (23, 90, 0.0435), (90, 90, 0.5), (1, 1, 0.3), (3, 1000, 0.0001),
    (50, 1000, 0.01), (400, 1000, 0.01), (120, 100000, 0.001), (7, 300, 0.002), (500, 5000, 0.08),
]:
    binom.append({"k": k, "n": n, "p": p, "value": float(stats.binomtest(k, n, p, alternative="greater").pvalue)})

beta = []
for a, b, x in [(1, 1, 0.3), (0.5, 0.5, 0.2), (3, 250, 0.01), (250, 3, 0.99), (10, 10, 0.5),
                (1000, 2000, 0.34), (2, 5, 0.999), (50, 1, 0.9), (7.5, 0.25, 0.6)]:
    beta.append({"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))})


def outside_exact(k, n, m):
    total = comb(n + m, n)
    return Fraction(sum((j + 1) * comb(n + m - j - 2, n - 2) for j in range(k, m + 1)), total)


def outside_brute(k, n, m):
    """Every way to choose which of n + m ranked values are the n earlier ones."""
    hits = 0
    count = 0
    for earlier in itertools.combinations(range(n + m), n):
        lo, hi = earlier[0], earlier[-1]
        outside = lo + (n + m - 1 - hi)
        hits += outside >= k
        count += 1
    return Fraction(hits, count)


for n, m in [(2, 3), (3, 4), (5, 5), (6, 3), (4, 8)]:
    for k in range(0, m + 1):
        assert outside_exact(k, n, m) == outside_brute(k, n, m), (k, n, m)

outside = []
for k, n, m in [(1, 210, 90), (2, 210, 90), (4, 210, 90), (8, 210, 90), (1, 10, 1000), (40, 10, 1000),
                (300, 10, 1000), (3, 1000, 400), (1, 2, 2), (5, 700, 300), (12, 1600, 700),
                (2, 30000, 13000), (6, 30000, 13000)]:
    outside.append({"k": k, "n": n, "m": m, "value": float(outside_exact(k, n, m))})

with open(OUT, "w") as f:
    json.dump({"scipy": scipy.__version__, "clopper_pearson": clopper, "binomtest": binom,
               "betainc": beta, "outside_extremes": outside}, f, indent=1)
    f.write("\n")
print("wrote", OUT)
