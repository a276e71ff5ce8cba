#!/usr/bin/env python3
"""How much steadier is a sample taken as the median of sub-block means than as a plain mean?

Times RUNS back-to-back runs of one short cell in one process (`--sample-time 0`, one sample
per run), then cuts the series into consecutive samples of a given length and computes each
sample both ways: the mean of all its runs (parbench's samples before session 6) and the median
over K equal sub-blocks of their mean (`runner::sample_of`, K = 32). Prints the spread (sd of
the logs) of consecutive samples for each length and K.

    scripts/sub-blocks.py [PARBENCH] [RUNS] [RESULTS.json]
    scripts/sub-blocks.py target/release/parbench 60000      # about 35 s on the 2-vCPU VM

Standard library only. With RESULTS.json given and present, analyses it without running.
"""
import json
import math
import os
import statistics as st
import subprocess
import sys
import tempfile


def series(parbench, runs, path):
    if not (path and os.path.exists(path)):
        path = path or os.path.join(tempfile.mkdtemp(), "sub-blocks.json")
        subprocess.run(
            [parbench, "run", "--workloads", "ode-sweep", "--strategies", "serial",
             "--workers", "1", "--rounds", "1", "--samples", str(runs),
             "--sample-time", "0", "--out", path],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cell = json.load(open(path))["cells"][0]
    return cell["samples_s"], path


def main(argv):
    parbench = argv[1] if len(argv) > 1 else "target/release/parbench"
    runs = int(argv[2]) if len(argv) > 2 else 60000
    s, path = series(parbench, runs, argv[3] if len(argv) > 3 else None)
    per_run = st.median(s)
    print(f"{len(s)} runs of ode-sweep serial, median {per_run * 1e6:.1f} µs ({path})")
    print("sample    sub-blocks  spread of consecutive samples (sd of logs)")
    for total_ms in (20, 100, 300):
        n = int(total_ms / 1e3 / per_run)
        for k in (1, 4, 8, 16, 32):
            b = n // k
            values = []
            for i in range(0, len(s) - n + 1, n):
                block = s[i : i + n]
                values.append(st.median(sum(block[j : j + b]) / b for j in range(0, b * k, b)))
            sd = st.stdev(math.log(v) for v in values)
            label = "mean" if k == 1 else f"median of {k}"
            print(f"{total_ms:4} ms   {label:12}  {100 * sd:.2f} %   ({len(values)} samples)")


if __name__ == "__main__":
    main(sys.argv)
