#!/usr/bin/python3
"""Golden values for shared/src/stats from scipy 1.10 (Debian python3-scipy).

Run with Debian's interpreter:  /usr/bin/python3 test/golden/stats_golden.py
Writes test/fixtures/golden/stats.json. Large samples are not stored: they come from a MINSTD
generator that the TypeScript tests reproduce bit for bit (integer state, value =
(state % modulus) / divisor + offset), so the fixture stays small while n reaches 20,000.
"""
import json
import math
import os
from math import gcd

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance
from scipy.stats._stats_py import _attempt_exact_2kssamp

assert scipy.__version__.startswith("1.10"), scipy.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "golden", "stats.json")
rng = np.random.default_rng(20240509)


def minstd(spec):
    state = spec["seed"]
    out = np.empty(spec["n"])
    for i in range(spec["n"]):
        state = (state * 48271) % 2147483647
        out[i] = (state % spec["modulus"]) / spec["divisor"] + spec["offset"]
    return out


def sample(spec):
    return np.array(spec["values"], dtype=float) if "values" in spec else minstd(spec)


def gen(seed, n, modulus, divisor, offset):
    return {"seed": seed, "n": n, "modulus": modulus, "divisor": divisor, "offset": offset}


# ---- two-sample KS on samples ------------------------------------------------------------
sample_pairs = []
seed = 11
for n1, n2, mod_a, mod_b, off_b in [
    (1, 1, 1000, 1000, 0.0), (1, 3, 1000, 1000, 0.0), (2, 5, 7, 7, 0.0), (3, 3, 5, 5, 0.0),
    (5, 8, 1000, 1000, 0.3), (10, 10, 4, 4, 0.0), (17, 23, 1000003, 1000003, 0.05),
    (50, 40, 10, 10, 0.0), (100, 100, 1000003, 1000003, 0.0), (100, 250, 30, 30, 0.1),
    (333, 444, 1000003, 1000003, 0.02), (1000, 999, 1000003, 1000003, 0.0), (1000, 3, 100, 100, 0.0),
    (2000, 1500, 50, 50, 0.0), (4000, 4000, 1000003, 1000003, 0.01), (9999, 10000, 1000003, 1000003, 0.0),
    (10000, 10000, 1000003, 1000003, 0.005), (10000, 9998, 97, 97, 0.0), (10001, 10000, 1000003, 1000003, 0.0),
    (10001, 300, 1000003, 1000003, 0.04), (12000, 7, 1000003, 1000003, 0.0), (20000, 20000, 1000003, 1000003, 0.002),
    (15000, 11000, 200, 200, 0.0), (10001, 5, 1000, 1000, 0.0),
]:
    a = gen(seed, n1, mod_a, mod_a / 10, 0.0)
    b = gen(seed + 1, n2, mod_b, mod_b / 10, off_b * 10)
    seed += 2
    sample_pairs.append((a, b))
for n1, n2, shift in [(20, 30, 0.0), (60, 60, 0.5), (200, 150, 0.2), (5, 9, 1.0)]:
    a = {"values": rng.normal(0, 1, n1).tolist()}
    b = {"values": rng.normal(shift, 1, n2).tolist()}
    sample_pairs.append((a, b))

ks_samples = []
for a, b in sample_pairs:
    x, y = sample(a), sample(b)
    r = stats.ks_2samp(x, y, method="auto")
    ks_samples.append({"a": a, "b": b, "statistic": float(r.statistic), "pValue": float(r.pvalue)})


# ---- KS p-value from (n1, n2, d) -----------------------------------------------------------
def ks_p(n1, n2, d):
    if max(n1, n2) <= 10000:
        ok, d2, prob = _attempt_exact_2kssamp(n1, n2, gcd(n1, n2), d, "two-sided")
        if ok:
            return float(d2), float(np.clip(prob, 0, 1))
        d = d2
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(d), float(np.clip(stats.kstwo.sf(d, np.round(en)), 0, 1))


ks_pvalues = []
for n1, n2 in [(3, 4), (10, 10), (37, 91), (500, 500), (640, 1000), (7000, 3), (9999, 10000), (10000, 10000),
               (10001, 10001), (10001, 6), (10001, 150), (30000, 20000), (200000, 300000), (1500000, 1500000),
               (1000000, 2000), (50000, 40000)]:
    for d in [0.0005, 0.003, 0.01, 0.03, 0.07, 0.15, 0.3, 0.55, 0.8, 0.97]:
        lcm = n1 * n2 // gcd(n1, n2)
        if d < 0.5 / min(n1, n2) and n1 < 100:
            continue
        dd = round(d * lcm) / lcm if max(n1, n2) <= 10000 else d
        s, p = ks_p(n1, n2, dd)
        ks_pvalues.append({"n1": n1, "n2": n2, "d": dd, "statistic": s, "pValue": p})

# ---- Kolmogorov (kstwo) and Smirnov directly -------------------------------------------------
kstwo_cases = []
for n in [1, 2, 5, 10, 30, 100, 140, 141, 500, 2000, 10000, 99999, 100001, 400000, 750000, 2000000]:
    for x in [0.3 / n, 0.7 / n, 1.0 / n, 1.5 / n, 0.5 / math.sqrt(n), 0.8 / math.sqrt(n), 1.2 / math.sqrt(n),
              1.6 / math.sqrt(n), 2.5 / math.sqrt(n), 5 / math.sqrt(n), 12 / math.sqrt(n), 0.25, 0.5, 0.6, 0.9,
              1 - 1.5 / n]:
        if 0 < x < 1:
            kstwo_cases.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
smirnov_cases = []
for n in [2, 3, 10, 50, 140, 1000, 5000, 100000, 750000]:
    for x in [0.02, 0.05, 0.1, 0.2, 0.5, 0.7, 2.0 / math.sqrt(n)]:
        if 0 < x < 1:
            smirnov_cases.append({"n": n, "x": x, "sf": float(special.smirnov(n, x))})

# ---- special functions -----------------------------------------------------------------------
special_cases = {
    "gammaln": [{"x": x, "value": float(special.gammaln(x))} for x in
                [1e-5, 0.1, 0.5, 0.9, 1.0, 1.5, 2.0, 2.5, 3.7, 10.0, 33.3, 100.0, 1234.5, 1e6]],
    "gammaincc": [{"a": a, "x": x, "value": float(special.gammaincc(a, x))}
                  for a in [0.5, 1.0, 2.5, 7.0, 30.0, 150.0, 999.5]
                  for x in [1e-3, 0.1, 0.9, 1.0, 3.0, a, a * 1.5 + 1, a * 3 + 10, a * 10 + 50]],
    "gammainc": [{"a": a, "x": x, "value": float(special.gammainc(a, x))}
                 for a in [0.5, 2.0, 30.0] for x in [0.01, 1.0, 5.0, 40.0]],
    "normSf": [{"z": z, "value": float(stats.norm.sf(z))} for z in
               [-8.0, -3.0, -1.0, -0.2, 0.0, 0.1, 0.5, 1.0, 1.96, 3.0, 5.0, 8.0, 12.0, 20.0, 37.0]],
    "chi2Sf": [{"x": x, "dof": k, "value": float(stats.chi2.sf(x, k))}
               for k in [1, 2, 3, 7, 20, 99] for x in [0.01, 0.5, 1.0, k * 1.0, k * 2.0 + 3, k * 5.0 + 40, 500.0]],
}

# ---- chi-square test of homogeneity on the 2 x K table (drift on categories) ---------------------
def homogeneity(ref, cur):
    table = np.array([ref, cur], dtype=float)
    table = table[:, table.sum(axis=0) > 0]  # a category absent on both sides: scipy refuses it
    r = stats.chi2_contingency(table, correction=False)
    return {"reference": list(map(float, ref)), "current": list(map(float, cur)),
            "statistic": float(r.statistic), "pValue": float(r.pvalue), "dof": int(r.dof)}


chisquare_cases = []
for k in [2, 3, 5, 12, 40]:
    for rep in range(3):
        ref = rng.integers(1, 200, k).astype(float)
        probs = rng.dirichlet(np.ones(k))
        cur = rng.multinomial(int(rng.integers(20, 5000)), probs).astype(float)
        if rep == 0:
            cur = np.round(ref * 1.7)  # close to reference: large p
        chisquare_cases.append(homogeneity(ref, cur))
# Categories seen on one side only (finite expected counts from the pooled table), and one seen
# on neither side (left out of the table and of the degrees of freedom).
for ref, cur in [([50, 30, 20, 0], [10, 5, 3, 2]), ([0, 0, 7, 900], [1, 2, 40, 257]),
                 ([120, 0, 80], [0, 60, 40]), ([5, 0, 3], [2, 0, 4]), ([899, 1], [299, 1]),
                 ([300, 200, 100, 0, 0, 0], [100, 66, 34, 1, 1, 1])]:
    chisquare_cases.append(homogeneity(ref, cur))

# ---- two-proportion z-test ----------------------------------------------------------------------
z_cases = []
for x1, n1, x2, n2 in [(10, 100, 12, 100), (40, 1000, 80, 1000), (1, 3, 2, 3), (500, 900, 100, 900),
                       (3, 50, 0, 40), (999, 1000, 990, 1000), (5000, 20000, 5600, 20000)]:
    p1, p2 = x1 / n1, x2 / n2
    P = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    z_cases.append({"x1": x1, "n1": n1, "x2": x2, "n2": n2, "statistic": float(z),
                    "pValue": float(2 * stats.norm.sf(abs(z)))})

# ---- distances between distributions ------------------------------------------------------------
dist_cases = []
for k in [2, 3, 8, 30]:
    for rep in range(3):
        p = rng.integers(0, 50, k).astype(float)
        q = rng.integers(0, 50, k).astype(float)
        p[0] += 1
        q[-1] += 1
        if rep == 2:
            q = p.copy()
        pn, qn = p / p.sum(), q / q.sum()
        dist_cases.append({
            "p": p.tolist(), "q": q.tolist(),
            "jensenShannon": float(distance.jensenshannon(p, q)),
            "jsDivergenceLog2": float(distance.jensenshannon(p, q, base=2) ** 2),
            "lInfinity": float(np.max(np.abs(pn - qn))),
        })

# ---- Wasserstein and PSI on samples -------------------------------------------------------------
def psi(ref, cur):
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=10) / len(ref)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=10) / len(cur)
    rc, cc = np.maximum(rc, 1e-4), np.maximum(cc, 1e-4)
    return float(np.sum((cc - rc) * np.log(cc / rc)))


sample_distance_cases = []
for a, b in sample_pairs:
    x, y = sample(a), sample(b)
    sample_distance_cases.append({
        "a": a, "b": b,
        "wasserstein": float(stats.wasserstein_distance(x, y)),
        "normedWasserstein": float(stats.wasserstein_distance(x, y) / max(np.std(x), 0.001)),
        "psi": psi(x, y),
    })

with open(OUT, "w") as f:
    json.dump({
        "generator": "test/golden/stats_golden.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "ksSamples": ks_samples,
        "ksPValues": ks_pvalues,
        "kstwo": kstwo_cases,
        "smirnov": smirnov_cases,
        "special": special_cases,
        "chisquare": chisquare_cases,
        "ztest": z_cases,
        "distributions": dist_cases,
        "sampleDistances": sample_distance_cases,
    }, f, indent=1)
print("wrote", OUT)
