#!/usr/bin/env bash
# How well `parbench compare` tells a real slowdown from noise on this machine.
#
# K rounds; each makes three runs of the same build and size: A, A' and B, where B runs with
# --scale 1.10 (every task does 10 % more work). A vs A' is an A/A comparison (nothing changed:
# any flag is a false alarm), A vs B an A/B comparison (everything is slower: a flag is a
# detection).
#
# MODE=paired (the default) makes the three runs with one `parbench pair --aa-out`: they take
# turns sample by sample, as the paired CI recipe in README.md does with the base's and the
# pull request's binaries. MODE=separate makes them one after the other, as the CI recipe
# with a baseline artifact does; the order of the three rotates from round to round, so a
# machine that drifts slower during the campaign does not favour one kind of pair.
#
# Prints, per comparison (what a CI job sees: exit 1 or not) and per cell, the detection rate
# and the false-alarm rate with 95 % Wilson intervals, and how long the runs take (separate: one
# `parbench run`, one per CI comparison when the baseline is an artifact; paired: one
# three-sided `parbench pair`, of which a CI comparison runs two sides).
#
#   scripts/regression-power.sh [K] [extra `parbench run` flags...]
#   scripts/regression-power.sh 2                      # smoke test of the script itself
#   BASE_SCALE=8 scripts/regression-power.sh 20 --rounds 16 --samples 2 --sample-time 20 --pin
#                                    # the campaign in reports/*/regression-power/paired (51 min)
#
# The matrix comes from the environment, and a flag given among the extra flags replaces it:
#   SIZE (quick), WORKLOADS (the CPU-bound ones), STRATEGIES (serial,scoped,pool),
#   WORKERS (1,2), BASE_SCALE (1: the --scale of A runs; 8 makes every quick task eight times
#   longer; keep BASE_SCALE × SLOWDOWN below 10.5, where a quick exp-loop task's lists cross
#   malloc's 32 MiB mmap threshold and cost 4× more, see src/measure/allocator.rs),
#   SLOWDOWN (1.10: B runs use BASE_SCALE × SLOWDOWN), MODE (paired or separate),
#   COMPARE_FLAGS (extra `parbench compare` flags, e.g. "--threshold 3"), KEEP_DIR (keep every
#   results and comparison file there), PARBENCH_BIN (a built parbench to use instead of
#   building this checkout's).
set -euo pipefail
cd "$(dirname "$0")/.."

K=${1:-20}
if [ $# -gt 0 ]; then shift; fi
if ! [[ "$K" =~ ^[1-9][0-9]*$ ]]; then
  echo "regression-power: K must be a positive integer, got '$K'" >&2
  exit 2
fi
extra=("$@")
SIZE=${SIZE:-quick}
WORKLOADS=${WORKLOADS:-sum-squares,exp-loop,ode-sweep,monte-carlo,mc-seeds,curve-fit,svd}
STRATEGIES=${STRATEGIES:-serial,scoped,pool}
WORKERS=${WORKERS:-1,2}
SLOWDOWN=${SLOWDOWN:-1.10}
BASE_SCALE=${BASE_SCALE:-1}
MODE=${MODE:-paired}
case $MODE in
  paired | separate) ;;
  *) echo "regression-power: MODE must be paired or separate, got '$MODE'" >&2; exit 2 ;;
esac
B_SCALE=$(awk -v a="$BASE_SCALE" -v s="$SLOWDOWN" 'BEGIN { printf "%.6g", a * s }')
read -r -a compare_flags <<< "${COMPARE_FLAGS:-}"

command -v jq >/dev/null || { echo "regression-power: needs jq (apt-get install jq)" >&2; exit 2; }

# PARBENCH_BIN: a parbench already built (the tests use theirs); else this checkout's release.
if [ -n "${PARBENCH_BIN:-}" ]; then
  bin=$PARBENCH_BIN
else
  cargo build --release --quiet
  bin=./target/release/parbench
fi

if [ -n "${KEEP_DIR:-}" ]; then
  dir=$KEEP_DIR
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi

# The extra flags win over the matrix's defaults: clap refuses a flag given twice.
given() {
  local a
  for a in "${extra[@]}"; do
    for f in "$@"; do
      if [[ "$a" == "$f" || "$a" == "$f="* ]]; then return 0; fi
    done
  done
  return 1
}
matrix=()
given --size --quick || matrix+=(--size "$SIZE")
given --workloads || matrix+=(--workloads "$WORKLOADS")
given --strategies || matrix+=(--strategies "$STRATEGIES")
given --workers || matrix+=(--workers "$WORKERS")
if given --scale; then
  echo "regression-power: --scale is set by the script (BASE_SCALE, SLOWDOWN)" >&2
  exit 2
fi

times="$dir/run-seconds.txt"
: > "$times"

# timed NAME CMD...: runs CMD with its output in $dir/NAME.log and its wall time appended to
# $times; a failure stops the campaign.
timed() {
  local name=$1 start end rc=0
  shift
  start=$(date +%s.%N)
  "$@" > "$dir/$name.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    echo "regression-power: $name failed (exit $rc); see below" >&2
    tail -n 20 "$dir/$name.log" >&2
    exit 1
  fi
  echo "$start $end" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$times"
}

# run NAME [flags]: one `parbench run`.
run() {
  local name=$1
  shift
  timed "$name" "$bin" run "${matrix[@]}" "${extra[@]}" "$@" --out "$dir/$name.json"
}

# pair K: the three runs of round K as one `parbench pair`.
pair() {
  local k=$1
  timed "pair$k" "$bin" pair --baseline-out "$dir/a$k.json" --aa-out "$dir/a2_$k.json" \
    --out "$dir/b$k.json" --baseline-arg="--scale=$BASE_SCALE" --current-arg="--scale=$B_SCALE" \
    -- "${matrix[@]}" "${extra[@]}"
}

# compare BASE CUR NAME: prints the exit code; 2 (unusable input) stops the campaign.
compare() {
  local rc=0
  "$bin" compare "$dir/$1.json" "$dir/$2.json" --json "$dir/$3.json" "${compare_flags[@]}" \
    > "$dir/$3.txt" 2>&1 || rc=$?
  if [ "$rc" -eq 2 ]; then
    echo "regression-power: compare $1 $2 refused:" >&2
    cat "$dir/$3.txt" >&2
    exit 2
  fi
  echo "$rc"
}

echo "regression-power: K=$K, mode $MODE, run flags: ${matrix[*]} ${extra[*]}," \
  "A with --scale $BASE_SCALE, B with --scale $B_SCALE" >&2
aa_alarms=0
ab_hits=0
for k in $(seq 1 "$K"); do
  if [ "$MODE" = paired ]; then
    order=(interleaved)
    pair "$k"
  else
    order=(a b a2)
    for _ in $(seq 1 $(((k - 1) % 3))); do order=("${order[@]:1}" "${order[0]}"); done
    for which in "${order[@]}"; do
      case $which in
        a) run "a$k" --scale "$BASE_SCALE" ;;
        a2) run "a2_$k" --scale "$BASE_SCALE" ;;
        b) run "b$k" --scale "$B_SCALE" ;;
      esac
    done
  fi
  rc_aa=$(compare "a$k" "a2_$k" "aa$k")
  rc_ab=$(compare "a$k" "b$k" "ab$k")
  if [ "$rc_aa" -eq 1 ]; then aa_alarms=$((aa_alarms + 1)); fi
  if [ "$rc_ab" -eq 1 ]; then ab_hits=$((ab_hits + 1)); fi
  echo "regression-power: round $k/$K (order ${order[*]}): A/A exit $rc_aa, A/B exit $rc_ab" >&2
done

# rate HITS N: "hits/N = pct% [lo%, hi%]" with a 95 % Wilson score interval, which stays
# inside [0, 1] and is honest at 0 or N hits, where the plain normal interval collapses.
rate() {
  awk -v x="$1" -v n="$2" 'BEGIN {
    if (n == 0) { print "-"; exit }
    z = 1.959964; p = x / n; d = 1 + z*z/n
    c = (p + z*z/(2*n)) / d; h = z * sqrt(p*(1-p)/n + z*z/(4*n*n)) / d
    lo = c - h; hi = c + h; if (lo < 0) lo = 0; if (hi > 1) hi = 1
    printf "%d/%d = %5.1f%% [%5.1f%%, %5.1f%%]", x, n, 100*p, 100*lo, 100*hi
  }'
}

# Per cell: "label <TAB> flagged <TAB> compared", over every comparison of one kind. A/B counts
# regressions only; A/A counts anything but unchanged. Not-comparable cells (skipped, failed)
# are left out of both.
per_cell() {
  local verdicts=$1
  shift
  jq -r -s --argjson flag "$verdicts" '
    [ .[].cells[] | select(.verdict != "not_comparable")
      | { k: "\(.workload)/\(.strategy)/\(.workers)", f: (.verdict as $v | $flag | index($v) != null) } ]
    | group_by(.k) | .[] | "\(.[0].k)\t\(map(select(.f)) | length)\t\(length)"' "$@"
}
ab_files=()
aa_files=()
for k in $(seq 1 "$K"); do
  ab_files+=("$dir/ab$k.json")
  aa_files+=("$dir/aa$k.json")
done
per_cell '["regression"]' "${ab_files[@]}" > "$dir/ab-cells.tsv"
per_cell '["regression","improvement"]' "${aa_files[@]}" > "$dir/aa-cells.tsv"

echo
echo "== per comparison (exit code of parbench compare, as a CI job sees it)"
echo "detection   (A/B exits 1): $(rate "$ab_hits" "$K")"
echo "false alarm (A/A exits 1): $(rate "$aa_alarms" "$K")"

echo
echo "== per cell (A/B: flagged regression; A/A: flagged anything but unchanged)"
printf "%-28s  %-34s  %s\n" cell detection "false alarm"
join -t $'\t' <(sort "$dir/ab-cells.tsv") <(sort "$dir/aa-cells.tsv") |
  while IFS=$'\t' read -r cell ab_x ab_n aa_x aa_n; do
    printf "%-28s  %-34s  %s\n" "$cell" "$(rate "$ab_x" "$ab_n")" "$(rate "$aa_x" "$aa_n")"
  done
total() { awk -F '\t' '{ x += $2; n += $3 } END { print x + 0, n + 0 }' "$1"; }
read -r ab_x ab_n < <(total "$dir/ab-cells.tsv")
read -r aa_x aa_n < <(total "$dir/aa-cells.tsv")
printf "%-28s  %-34s  %s\n" "all cells" "$(rate "$ab_x" "$ab_n")" "$(rate "$aa_x" "$aa_n")"

echo
if [ "$MODE" = paired ]; then
  echo "== one three-sided parbench pair (A, A', B; a CI comparison runs two sides, about 2/3)"
else
  echo "== one parbench run (one comparison in CI)"
fi
sort -n "$times" | awk '{ t[NR] = $1; s += $1 } END {
  printf "runs: %d, median %.1f s, mean %.1f s, max %.1f s\n", NR, t[int((NR + 1) / 2)], s / NR, t[NR]
}'
samples=$(jq -r '.config.samples' "$dir/a1.json")
cells=$(jq -r '.summary.compared' "$dir/aa1.json")
echo "samples per cell: $samples, cells compared: $cells"
if [ -n "${KEEP_DIR:-}" ]; then echo "files kept in $dir"; fi
