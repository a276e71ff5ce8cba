#!/usr/bin/env bash
# How long does one run of a matrix take with each of several builds, each at its own default
# flags? Runs them one after the other in the order given (alternate the order between calls:
# this machine's speed drifts over minutes), keeps each results file and stderr, and prints
# the wall time of each with the runs it made per cell.
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
echo "run-time: $(date -u +%FT%TZ), parbench run $*" | tee "$dir/run-time.txt"
for v in "${variants[@]}"; do
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
