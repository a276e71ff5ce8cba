#!/usr/bin/env python3
"""Where does the spread between rounds come from? Two questions asked of A/A pairs kept by
scripts/reproducibility.sh or scripts/aa-interleaved.sh (DIR/a{k}.json and DIR/a2_{k}.json).

1. Would dividing each cell round by the machine-speed reference make two separate runs
   agree better? Three ways:

  raw         a cell's value is the median of its pooled samples' round medians;
  after-cell  each round median is first multiplied by median(reference) / the reference
              timing taken right after that cell round (a machine that was slower for that
              moment then counts as the same speed);
  per-round   the same with the median of the reference timings of the whole round (the
              speed of that process and those minutes, less noisy than one timing).

   and prints, per way, the share of verified cells within ±5 % between A and A', the
   median |ln ratio|, and the median spread (sd of log round medians) between rounds.

2. Is a cell slower when it is measured early in its process (a cold process, a first
   touch of the allocator)? The mean and median log ratio of a cell round to the cell's
   median round, by the cell round's place in its round.

3. Which cells are noisy: per cell, the median over the runs of `noise.between_rounds_pct`.

    scripts/round-effects.py DIR [DIR ...]

Standard library only. The reference timings are stored round by round, by place in the
round; round r of a run of n cells starts at cell r·n/R (measure/runner.rs), which is how a
timing is matched to its cell.
"""
import glob
import json
import math
import os
import statistics as st
import sys


def load(path):
    d = json.load(open(path))
    cells = d["cells"]
    n = len(cells)
    ref = d.get("reference")
    if not ref:
        sys.exit(f"{path}: no machine reference (a run from before issue 11?)")
    rounds = d["config"]["rounds"]
    medians = []
    for c in cells:
        s, out, j = c["samples_s"], [], 0
        for k in c.get("round_samples") or []:
            out.append(st.median(s[j : j + k]) if k else None)
            j += k
        medians.append(out)
    after, per_round = {}, {}
    j = 0
    for r, k in enumerate(ref["round_samples"]):
        offset = r * n // rounds
        for seq in range(k):
            after[((offset + seq) % n, r)] = ref["samples_s"][j + seq]
        if k:
            per_round[r] = st.median(ref["samples_s"][j : j + k])
        j += k
    return cells, medians, after, per_round, st.median(ref["samples_s"])


def values(path, how):
    cells, medians, after, per_round, typical = load(path)
    out = {}
    for i, c in enumerate(cells):
        if not c.get("verified"):
            continue
        vs = []
        for r, m in enumerate(medians[i]):
            if m is None:
                continue
            if how != "raw":
                t = after.get((i, r)) if how == "after-cell" else per_round.get(r)
                if t is None:
                    continue
                m *= typical / t
            vs.append(m)
        if vs:
            key = (c["workload"], c["strategy"], c["workers"], c.get("chunk"))
            out[key] = (st.median(vs), vs)
    return out


def spread(vs):
    logs = [math.log(v) for v in vs]
    return 100 * st.stdev(logs) if len(logs) > 1 else None


def by_place(paths):
    places = {}
    for path in paths:
        d = json.load(open(path))
        cells, rounds = d["cells"], d["config"]["rounds"]
        n = len(cells)
        for i, c in enumerate(cells):
            s, meds, j = c["samples_s"], [], 0
            for k in c.get("round_samples") or []:
                meds.append(st.median(s[j : j + k]) if k else None)
                j += k
            if len(meds) != rounds or None in meds or not c.get("verified"):
                continue
            typical = st.median(meds)
            for r, m in enumerate(meds):
                place = (i - r * n // rounds) % n
                places.setdefault(place, []).append(100 * math.log(m / typical))
    print("place in round  cell rounds  mean log ratio to the cell's median round  (median)")
    for place in sorted(places):
        v = places[place]
        print(f"{place:14}  {len(v):11}  {st.mean(v):+6.2f} %  ({st.median(v):+.2f} %)")


def by_cell(paths):
    cells = {}
    for path in paths:
        for c in json.load(open(path))["cells"]:
            noise = (c.get("noise") or {}).get("between_rounds_pct")
            if c.get("verified") and noise is not None:
                key = f"{c['workload']}/{c['strategy']}/{c['workers']}"
                cells.setdefault(key, []).append(noise)
    print("cell                          runs  spread between rounds (median over the runs)")
    for key, v in sorted(cells.items(), key=lambda kv: -st.median(kv[1])):
        print(f"{key:28}  {len(v):4}  {st.median(v):5.1f} %")


def main(dirs):
    if not dirs:
        sys.exit(__doc__)
    files = []
    for d in dirs:
        files += glob.glob(os.path.join(d, "a*.json"))
        ks = sorted(
            int(os.path.basename(p)[3:-5])
            for p in glob.glob(os.path.join(d, "a2_*.json"))
            if os.path.exists(os.path.join(d, "a" + os.path.basename(p)[3:]))
        )
        for how in ("raw", "after-cell", "per-round"):
            logs, spreads = [], []
            for k in ks:
                a = values(os.path.join(d, f"a{k}.json"), how)
                b = values(os.path.join(d, f"a2_{k}.json"), how)
                logs += [abs(math.log(b[key][0] / a[key][0])) for key in a if key in b]
                for side in (a, b):
                    spreads += [s for s in (spread(v[1]) for v in side.values()) if s is not None]
            within = sum(x <= math.log(1.05) for x in logs)
            print(
                f"{d}: {how:10}  pairs {len(ks)}  cells {len(logs)}  "
                f"within ±5 % {100 * within / len(logs):.1f} %  "
                f"median |ln ratio| {100 * st.median(logs):.2f} %  "
                f"between-round sd {st.median(spreads):.2f} %"
            )
    print()
    by_place(files)
    print()
    by_cell(files)


if __name__ == "__main__":
    main(sys.argv[1:])
