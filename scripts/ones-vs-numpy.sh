#!/usr/bin/env bash
# `ones` (document 000's g: 100 fresh np.ones(10**7)) side by side with numpy on this machine:
# K alternating turns of parbench's serial doc-size cell and of numpy's loop, in one
# invocation, so that both see the machine in the same minutes. numpy is timed twice per turn:
# np.ones alone (the document's g) and np.ones plus y.sum() (what parbench's task does: it
# sums the array to prove every element was written).
#
#   scripts/ones-vs-numpy.sh [K] [BIN ...]      (K 3; BIN target/release/parbench)
#
# numpy comes from pip into a virtual environment (VENV, default target/py-venv; NUMPY, the
# version, default 2.4.6), created on first use. Prints one line per turn and the medians.
set -euo pipefail
k=${1:-3}
shift || true
bins=("$@")
cd "$(dirname "$0")/.."
[ ${#bins[@]} -eq 0 ] && bins=(target/release/parbench)
venv=${VENV:-target/py-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "ones-vs-numpy: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 2; }
fi
"$venv/bin/python" -c "import numpy" 2>/dev/null || "$venv/bin/pip" install -q "numpy==${NUMPY:-2.4.6}"
out=$(mktemp -d)
for turn in $(seq 1 "$k"); do
  for bin in "${bins[@]}"; do
    "$bin" run --size doc --workloads ones --strategies serial --rounds 1 --samples 1 \
      --warmup 1 --out "$out/ones.json" > /dev/null 2>&1 || true
    jq -r --arg b "$bin" --arg t "$turn" \
      '.cells[] | "turn \($t) parbench \($b): \(.median_s) s (\(.check))"' "$out/ones.json"
  done
  "$venv/bin/python" - "$turn" <<'PY'
import sys, time
import numpy as np
turn = sys.argv[1]
np.ones(10**7)
t = time.perf_counter()
for _ in range(100):
    y = np.ones(10000000)
alone = time.perf_counter() - t
t = time.perf_counter()
for _ in range(100):
    y = np.ones(10000000)
    s = y.sum()
summed = time.perf_counter() - t
print(f"turn {turn} numpy {np.__version__} np.ones: {alone:.3f} s")
print(f"turn {turn} numpy {np.__version__} np.ones+sum: {summed:.3f} s")
PY
done | tee "$out/turns.txt"
echo "medians over $k turns:"
sed -E 's/^turn [0-9]+ //; s/ s( \(.*)?$//' "$out/turns.txt" > "$out/values.txt"
sed -E 's/: [^:]*$//' "$out/values.txt" | sort -u | while read -r key; do
  grep -F "$key: " "$out/values.txt" | sed -E 's/.*: //' | sort -g |
    awk -v key="$key" '{ v[NR] = $1 } END { printf "  %s: %s s\n", key, v[int((NR + 1) / 2)] }'
done
rm -rf "$out"
