#!/usr/bin/env bash
# Compares the up-front estimate of a run with the run itself: prints both durations and their
# ratio. Not a test (timing on a shared machine); a check that estimates stay within a broad
# factor (a few times either way). Usage: scripts/estimate-accuracy.sh [parbench run flags]
# (default: the quick matrix). Needs a release build and `run --dry-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/parbench
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--quick --workloads all --strategies serial,scoped,pool,process --workers 1,2)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bin" run "${flags[@]}" --dry-run >"$out/dry.txt"
summary=$(grep '^estimate:' "$out/dry.txt")
echo "$summary"
start=$(date +%s.%N)
"$bin" run "${flags[@]}" --out "$out/r.json" >/dev/null 2>&1 || true
end=$(date +%s.%N)
# The estimate prints "about X UNIT in all"; convert it to seconds.
estimated=$(sed -E 's/.*about ([0-9.e+]+) (ms|s|min|h|days|years) in all.*/\1 \2/' <<<"$summary" |
  awk '{f["ms"]=0.001; f["s"]=1; f["min"]=60; f["h"]=3600; f["days"]=86400; f["years"]=31557600; print $1*f[$2]}')
awk -v e="$estimated" -v s="$start" -v t="$end" \
  'BEGIN { m = t - s; printf "estimated %.1f s, measured %.1f s, ratio %.2f\n", e, m, e / m }'
