#!/usr/bin/env bash
# How long does one run of a matrix take with each of several builds, each at its own default
# flags? Runs them one after the other in the order given (alternate the order between calls:
# this machine's speed drifts over minutes), keeps each results file and stderr, and prints
# the wall time of each with the runs it made per cell, then each later build's cell medians
# against the first's (the median ratio over verified cells, and the range over cells of
# 1 s or more): the builds must measure the same thing.
# ANALYSE_ONLY (set): no runs, only the comparison of the files a previous call kept in DIR.
#
#   scripts/run-time.sh DIR NAME=BINARY ... -- RUN-FLAGS
#   scripts/run-time.sh /tmp/rt base=/tmp/parbench-base new=target/release/parbench -- \
#       --workloads all --strategies serial,pool --workers 1,2
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ]; then
  echo "usage: scripts/run-time.sh DIR NAME=BINARY ... -- RUN-FLAGS" >&2
  exit 2
fi
dir=$1
shift
variants=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  variants+=("$1")
  shift
done
if [ "${1:-}" = "--" ]; then shift; fi
command -v jq >/dev/null || { echo "run-time: needs jq (scripts/setup.sh installs it)" >&2; exit 2; }
mkdir -p "$dir"
[ -n "${ANALYSE_ONLY:-}" ] || echo "run-time: $(date -u +%FT%TZ), parbench run $*" | tee "$dir/run-time.txt"
for v in "${variants[@]}"; do
  [ -z "${ANALYSE_ONLY:-}" ] || continue
  name=${v%%=*}
  bin=${v#*=}
  if [ "$name" = "$v" ] || [ ! -x "$bin" ]; then
    echo "run-time: '$v' is not NAME=BINARY with an executable BINARY" >&2
    exit 2
  fi
  start=$(date +%s.%N)
  "$bin" run "$@" --out "$dir/$name.json" > "$dir/$name.txt" 2> "$dir/$name.err" || true
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  runs=$(jq -r '[.cells[] | select(.skipped == null)] as $c
    | "\($c | length) cells; warm-up \(.config.warmup), rounds \(.config.rounds // 1); timed samples per cell: min \($c | map(.samples_s | length) | min), max \($c | map(.samples_s | length) | max)"' "$dir/$name.json")
  printf "%-8s %8.1f s   %s   (%s)\n" "$name" "$seconds" "$runs" "$(date -u +%T)" | tee -a "$dir/run-time.txt"
done

# Cell medians of every later build against the first's.
first=${variants[0]%%=*}
for v in "${variants[@]:1}"; do
  name=${v%%=*}
  jq -r -n --slurpfile a "$dir/$first.json" --slurpfile b "$dir/$name.json" '
    ($a[0].cells | map(select(.verified)) | map({key: "\(.workload)/\(.strategy)/\(.workers)/\(.chunk)", value: .median_s}) | from_entries) as $x
    | [$b[0].cells[] | select(.verified)
       | {key: "\(.workload)/\(.strategy)/\(.workers)/\(.chunk)", m: .median_s}
       | select($x[.key] != null) | {r: (.m / $x[.key]), long: ($x[.key] >= 1)}]
    | (map(.r) | sort) as $r | (map(select(.long) | .r) | sort) as $l
    | "\($r | length) cells: median ratio \($r[(($r | length) - 1) / 2 | floor] * 1000 | round / 1000)"
      + (if ($l | length) > 0 then "; cells of 1 s or more \($l[0] * 100 | round / 100)–\($l[-1] * 100 | round / 100)" else "" end)' |
    sed "s|^|$name against $first: |" | tee -a "$dir/run-time.txt"
done
