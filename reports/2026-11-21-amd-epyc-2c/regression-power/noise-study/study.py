"""Noise study behind parbench compare's choice of unit (reports/.../noise-study/README.md).

Reads N results files of one build and size (A runs, `parbench run --rounds R --samples S`),
prints per cell the run-to-run spread of the median and the within-run spread of the round
medians, then replays every pair of runs as an A/A comparison and, with the second run's
samples times 1.10, as an A/B comparison, under three choices of the independent unit:

  sample  bootstrap and Mann-Whitney over samples (parbench's method for single-round runs)
  round   bootstrap over round medians, Mann-Whitney over round medians
  hier    two-stage bootstrap (rounds, then samples within them) of the ratio of pooled
          medians, Mann-Whitney over round medians (parbench's method for runs with rounds)
  mix     the two-stage interval with the sample-level test

with a 5 % threshold and Holm's correction over all cells, as `parbench compare` does.
Needs numpy and scipy (not part of parbench's own commands):

  python3 study.py hier,sample a1.json a2.json ... a8.json
"""
import itertools
import json
import statistics as st
import sys

import numpy as np
from scipy.stats import mannwhitneyu

B = 2000
rng = np.random.default_rng(1)


def holm(p):
    p = np.asarray(p)
    out, running = np.empty(len(p)), 0.0
    for k, i in enumerate(np.argsort(p)):
        running = max(running, min(1.0, (len(p) - k) * p[i]))
        out[i] = running
    return out


def boot_median(x):
    return np.median(x[rng.integers(0, len(x), (B, len(x)))], axis=1)


def boot_hier(x):
    rounds, per = x.shape
    ri = rng.integers(0, rounds, (B, rounds))
    si = rng.integers(0, per, (B, rounds, per))
    return np.median(x[ri[:, :, None], si].reshape(B, -1), axis=1)


def mw(x, y):
    return mannwhitneyu(x, y, method="exact" if len(x) + len(y) <= 40 else "asymptotic").pvalue


def cell_stat(a, b, mode):
    """a, b: (rounds, per_round) arrays, baseline and current. Interval of b/a, p-value."""
    if mode == "sample":
        return np.percentile(boot_median(b.ravel()) / boot_median(a.ravel()), [2.5, 97.5]), mw(
            a.ravel(), b.ravel())
    ra, rb = np.median(a, axis=1), np.median(b, axis=1)
    if mode == "round":
        return np.percentile(boot_median(rb) / boot_median(ra), [2.5, 97.5]), mw(ra, rb)
    ci = np.percentile(boot_hier(b) / boot_hier(a), [2.5, 97.5])
    return ci, (mw(ra, rb) if mode == "hier" else mw(a.ravel(), b.ravel()))


def verdicts(base, cur, factor, mode, rounds, per):
    cis, ps = [], []
    for cb, cc in zip(base["cells"], cur["cells"]):
        a = np.array(cb["samples_s"]).reshape(rounds, per)
        b = np.array(cc["samples_s"]).reshape(rounds, per) * factor
        ci, p = cell_stat(a, b, mode)
        cis.append(ci)
        ps.append(p)
    out = []
    for ci, p in zip(cis, holm(ps)):
        if p <= 0.05 and ci[0] > 1.05:
            out.append("R")
        elif p <= 0.05 and ci[1] < 1 / 1.05:
            out.append("I")
        else:
            out.append(".")
    return out


def main():
    modes, files = sys.argv[1].split(","), sys.argv[2:]
    runs = [json.load(open(f)) for f in files]
    rounds, per = runs[0]["config"]["rounds"], runs[0]["config"]["samples"]
    labels = [f"{c['workload']}/{c['strategy']}/{c['workers']}" for c in runs[0]["cells"]]
    print("cell                      median  run medians / their mean        | max/min of round medians, per run")
    for i, label in enumerate(labels):
        meds = [st.median(r["cells"][i]["samples_s"]) for r in runs]
        mean = st.mean(meds)
        spreads = []
        for r in runs:
            s = r["cells"][i]["samples_s"]
            rm = [st.median(s[k * per:(k + 1) * per]) for k in range(rounds)]
            spreads.append(max(rm) / min(rm))
        print(f"{label:24} {mean * 1e3:7.2f} ms | "
              + " ".join(f"{m / mean:5.3f}" for m in meds) + " | "
              + " ".join(f"{x:5.2f}" for x in spreads))
    pairs = list(itertools.combinations(range(len(runs)), 2))
    n, cells = len(pairs), len(labels)
    for mode in modes:
        aa_exit = ab_exit = aa_cells = ab_cells = 0
        for i, j in pairs:
            aa = verdicts(runs[i], runs[j], 1.0, mode, rounds, per)
            ab = verdicts(runs[i], runs[j], 1.10, mode, rounds, per)
            aa_exit += "R" in aa
            ab_exit += "R" in ab
            aa_cells += sum(v != "." for v in aa)
            ab_cells += sum(v == "R" for v in ab)
        print(f"{mode:6}  {n} pairs: A/A exit 1 in {aa_exit}/{n}, A/A cells flagged "
              f"{aa_cells}/{n * cells}; A/B (x1.10) exit 1 in {ab_exit}/{n}, slowed cells "
              f"flagged {ab_cells}/{n * cells} = {ab_cells / n / cells:.1%}")


if __name__ == "__main__":
    main()
