#!/usr/bin/python3
"""Golden values for compare-baseline's CI-of-difference test, computed with scipy.

Run with Debian's Python: /usr/bin/python3 test/golden/compare_significance.py
Writes test/fixtures/golden/compare-significance.json.

For each case, two metric values with their bootstrap CIs (at ci_level) are turned into
standard errors (half-width / z_{1-(1-level)/2}); the difference's standard error is their
root sum of squares; the interval is delta +- z_{1-alpha/2} * se and the two-sided p-value is
2 * P(Z > |delta| / se).
"""
import json
import math
import pathlib

from scipy.stats import norm

CASES = [
    # current value, current ci, baseline value, baseline ci, ci level, alpha
    (0.88, [0.85, 0.91], 0.90, [0.87, 0.93], 0.95, 0.05),
    (0.80, [0.79, 0.81], 0.90, [0.89, 0.91], 0.95, 0.05),
    (0.912, [0.90, 0.93], 0.905, [0.89, 0.915], 0.90, 0.10),
    (12.5, [11.0, 14.5], 10.0, [9.0, 11.0], 0.99, 0.01),
    (0.5, [0.45, 0.55], 0.5, [0.46, 0.54], 0.95, 0.05),
]

out = []
for current, current_ci, baseline, baseline_ci, level, alpha in CASES:
    z_level = norm.ppf(1 - (1 - level) / 2)
    se = math.hypot((current_ci[1] - current_ci[0]) / 2 / z_level, (baseline_ci[1] - baseline_ci[0]) / 2 / z_level)
    delta = current - baseline
    z_alpha = norm.ppf(1 - alpha / 2)
    out.append({
        "current": {"value": current, "ci": current_ci, "ci_level": level},
        "baseline": {"value": baseline, "ci": baseline_ci, "ci_level": level},
        "alpha": alpha,
        "interval": [delta - z_alpha * se, delta + z_alpha * se],
        "p_value": float(2 * norm.sf(abs(delta) / se)),
    })

quantiles = [{"p": p, "z": float(norm.ppf(p))} for p in [1e-9, 1e-4, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.995, 0.9999]]
tails = [{"x": x, "upper": float(norm.sf(x))} for x in [-3.0, -0.5, 0.0, 0.1, 1.0, 1.959963984540054, 2.5, 4.0, 6.0, 9.0]]

path = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "golden" / "compare-significance.json"
path.write_text(json.dumps({"cases": out, "quantiles": quantiles, "upper_tails": tails}, indent=2) + "\n")
print(f"wrote {path}")
