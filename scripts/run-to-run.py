#!/usr/bin/env python3
"""How much each cell moves from one separate run to the next: the noise `compare --history`
judges a new run against. Reads results files of one build and configuration (e.g. the A runs
of scripts/history-gate.sh) and prints:

- per cell, the standard deviation of its run value (the mean of its rounds' log medians, as
  `compare` and `history` compute it) across the runs, in percent: quantiles over cells, the
  quietest and noisiest cells;
- per run, its whole-run shift (the median over cells of the cell's value minus the cell's
  mean over runs) next to the machine reference's shift in the same run.

    scripts/run-to-run.py RESULTS.json ...        (stdlib only)
"""
import json
import math
import statistics as st
import sys


def run_value(cell):
    """Mean log median of the cell's rounds; None when the run says nothing of its speed."""
    samples = cell.get("samples_s") or []
    if not samples or not cell.get("verified") or cell.get("skipped"):
        return None
    sizes = cell.get("round_samples") or [len(samples)]
    if sum(sizes) != len(samples):
        sizes = [len(samples)]
    logs, i = [], 0
    for k in sizes:
        if k:
            logs.append(math.log(st.median(samples[i : i + k])))
        i += k
    return sum(logs) / len(logs)


def name(key):
    w, s, n, chunk = key
    return f"{w}/{s}/{n}" + (f"/{chunk}" if chunk not in (None, "auto") else "")


def main(paths):
    if len(paths) < 3:
        sys.exit("usage: scripts/run-to-run.py RESULTS.json ... (at least 3)")
    runs = [json.load(open(p)) for p in paths]
    values = {}
    for r in runs:
        for c in r["cells"]:
            key = (c["workload"], c["strategy"], c["workers"], c["chunk"])
            v = run_value(c)
            if v is not None:
                values.setdefault(key, []).append(v)
    full = {k: v for k, v in values.items() if len(v) == len(runs)}
    sds = sorted((st.stdev(v) * 100, k) for k, v in full.items())
    print(f"{len(runs)} runs, {len(full)} cells measured in every run")
    print("run-to-run sd of a cell's value, % (quantiles over cells):")
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        print(f"  {int(q * 100):>2}th: {sds[min(int(q * len(sds)), len(sds) - 1)][0]:.2f}")
    print("quietest: " + ", ".join(f"{name(k)} {sd:.2f}" for sd, k in sds[:5]))
    print("noisiest: " + ", ".join(f"{name(k)} {sd:.1f}" for sd, k in sds[-5:]))
    quiet = [sd for sd, k in sds if k[0] != "io-sleep"]
    print(f"without io-sleep: median {st.median(quiet):.2f}, quietest {quiet[0]:.2f}")
    means = {k: sum(v) / len(v) for k, v in full.items()}
    refs = []
    for r in runs:
        ref = r.get("reference") or {}
        refs.append(math.log(st.median(ref["samples_s"])) if ref.get("samples_s") else None)
    known = [x for x in refs if x is not None]
    ref_mean = sum(known) / len(known) if known else None
    print("run  whole-run shift %  (spread of cells around it %)  machine reference shift %")
    for i, r in enumerate(runs):
        d = []
        for c in r["cells"]:
            key = (c["workload"], c["strategy"], c["workers"], c["chunk"])
            v = run_value(c)
            if v is not None and key in means:
                d.append(v - means[key])
        ref = "-" if refs[i] is None else f"{(refs[i] - ref_mean) * 100:+.1f}"
        print(f"{i + 1:>3}  {st.median(d) * 100:+16.1f}  {st.stdev(d) * 100:28.1f}  {ref:>25}")


if __name__ == "__main__":
    main(sys.argv[1:])
