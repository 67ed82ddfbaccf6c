#!/usr/bin/env python3
"""Writes the reference numbers PairedTestsTest checks eval.stats.PairedTests against.

    /work/venv/bin/python tools/paired_stats_fixture.py src/test/resources/stats/paired.json

References, computed independently of the Java code:
  mcnemar     two-sided exact McNemar p-values: scipy.stats.binomtest(min(b, c), b + c, 0.5) (statsmodels'
              mcnemar(exact=True) computes the same two-sided binomial test)
  t_interval  95% Student t intervals of a mean: scipy.stats.t.interval with the sample sd (ddof=1)
  bootstrap   one paired data set of 600 questions (per-question credit 1, 0 or 0.25 for an unreadable 4-option
              answer) and its 95% paired-bootstrap percentile interval of mean(second - first), from 400,000
              numpy resamples (Monte Carlo error about 0.0003; the Java test draws its own resamples and allows
              0.004)
The versions of numpy and scipy are recorded in the file.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats


def mcnemar_cases():
    out = []
    for b, c in [(1, 9), (9, 1), (0, 0), (5, 5), (0, 6), (12, 20), (40, 61), (150, 190), (3, 0), (19, 275), (29, 226), (0, 400)]:
        p = 1.0 if b + c == 0 else float(stats.binomtest(min(b, c), b + c, 0.5).pvalue)
        out.append({"only_first": b, "only_second": c, "p": p})
    return out


def t_cases():
    out = []
    for values in [[0.022, 0.045, -0.004, 0.027, 0.010], [0.1, 0.2, 0.3], [-0.05, -0.01, -0.03, -0.02, -0.06],
                   [0.5, 0.5]]:
        v = np.array(values)
        m = float(v.mean())
        if v.std(ddof=1) == 0:
            low, high = m, m
        else:
            low, high = stats.t.interval(0.95, len(v) - 1, loc=m, scale=stats.sem(v))
        out.append({"values": values, "mean": m, "low": float(low), "high": float(high)})
    return out


def bootstrap_case():
    rng = np.random.default_rng(20261203)
    n = 600
    # two correlated models: the second right more often, a few unreadable answers credited 1/4
    ability = rng.random(n)
    first = (rng.random(n) < 0.35 + 0.5 * ability).astype(float)
    second = (rng.random(n) < 0.40 + 0.5 * ability).astype(float)
    first[rng.random(n) < 0.02] = 0.25
    second[rng.random(n) < 0.02] = 0.25
    d = second - first
    draws = 400_000
    means = np.empty(draws)
    chunk = 20_000
    for start in range(0, draws, chunk):
        idx = rng.integers(0, n, size=(chunk, n))
        means[start:start + chunk] = d[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"first": first.tolist(), "second": second.tolist(), "mean_difference": float(d.mean()),
            "low": float(low), "high": float(high), "resamples": draws}


def main(path):
    fixture = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "mcnemar": mcnemar_cases(),
        "t_interval": t_cases(),
        "bootstrap": bootstrap_case(),
    }
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
