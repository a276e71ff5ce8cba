#!/usr/bin/env bash
# Issue 12's targets for `parbench compare --history`, measured on this machine:
#   - A/A: a separate current run judged against the last H separate baseline runs of the
#     same build exits 1 in at most 1 of T trials;
#   - A/B: a run with `--scale 1.10` (10 % more work per task) is flagged in at least 80 % of
#     T trials;
#   - `parbench history report` on a store of H + T runs finishes within 30 s.
# Runs H baseline runs, then T steps of (one more baseline run A, one scaled run B),
# interleaved so that the machine's drift over the campaign falls on both alike. Trial i
# judges A_(H+i) and B_i each against a fresh store of the H baseline runs just before
# A_(H+i) (`compare --history --last H`): the rolling window a CI job on main sees.
#
#   scripts/history-gate.sh H T DIR [parbench run flags]     (e.g. 10 20 /tmp/hg --quick)
#
# Environment: BIN (target/release/parbench), SCALE (1.10), ANALYSE_ONLY (set: no runs,
# analyse DIR/runs kept by an earlier call). Writes DIR/trials.tsv, DIR/summary.txt, and
# keeps the runs (DIR/runs/a*.json, b*.json) and the report's timing.
set -euo pipefail

if [ $# -lt 3 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]] \
    || [ "$1" -lt 3 ]; then
  echo "usage: scripts/history-gate.sh H T DIR [parbench run flags]   (H >= 3)" >&2
  exit 2
fi
H=$1
T=$2
# Paths as the caller gave them, before moving to the repository root.
dir=$(realpath -m "$3")
bin=${BIN:+$(realpath -m "$BIN")}
shift 3
cd "$(dirname "$0")/.."
bin=${bin:-$PWD/target/release/parbench}
scale=${SCALE:-1.10}
[ -x "$bin" ] || { echo "history-gate: '$bin' is not an executable (cargo build --release)" >&2; exit 2; }
command -v jq >/dev/null || { echo "history-gate: needs jq (scripts/setup.sh installs it)" >&2; exit 2; }
mkdir -p "$dir/runs"

one_run() { # NAME [extra flags]
  local name=$1
  shift
  local start
  start=$(date +%s.%N)
  # Exit 1 (a cell failed verification) still writes the file; no file is a failed run.
  rm -f "$dir/runs/$name.json"
  "$bin" run "$@" --out "$dir/runs/$name.json" > /dev/null 2> "$dir/runs/$name.log" || true
  awk -v n="$name" -v a="$start" -v b="$(date +%s.%N)" \
    'BEGIN { printf "%s: %.1f s\n", n, b - a }' | tee -a "$dir/run-times.txt" >&2
}

if [ -z "${ANALYSE_ONLY:-}" ]; then
  : > "$dir/run-times.txt"
  for k in $(seq 1 "$H"); do one_run "a$k" "$@"; done
  for i in $(seq 1 "$T"); do
    one_run "a$((H + i))" "$@"
    one_run "b$i" "$@" --scale "$scale"
  done
fi

# One trial: a store of the H baseline runs before A_(H+i), then each side judged against it.
# A missing run file (a failed run) is stored as nothing and its comparison as exit "-".
printf 'trial\tside\texit\tregressions\timprovements\tcompared\tinconclusive\tmdc_median_pct\tregressions_not_io\tcompared_not_io\n' \
  > "$dir/trials.tsv"
for i in $(seq 1 "$T"); do
  store=$(mktemp -d)
  for k in $(seq "$i" $((H + i - 1))); do
    if [ -f "$dir/runs/a$k.json" ]; then
      "$bin" history add "$dir/runs/a$k.json" --store "$store" --commit "a$k" > /dev/null
    fi
  done
  for side in a b; do
    if [ $side = a ]; then cur="$dir/runs/a$((H + i)).json"; else cur="$dir/runs/b$i.json"; fi
    rm -f "$store/cmp.json"
    rc=-
    if [ -f "$cur" ] && [ -f "$store/index.json" ]; then
      rc=0
      "$bin" compare --history "$store" --last "$H" "$cur" --json "$store/cmp.json" \
        > "$dir/compare-$side$i.txt" 2>&1 || rc=$?
    fi
    if [ -f "$store/cmp.json" ]; then
      jq -r --arg t "$i" --arg s "$side" --arg rc "$rc" \
        '[$t, $s, $rc, .summary.regressions, .summary.improvements, .summary.compared,
          .summary.inconclusive, (.summary.mdc_median_pct | if . == null then "" else (. * 10 | round / 10) end),
          ([.cells[] | select(.verdict == "regression" and .workload != "io-sleep")] | length),
          ([.cells[] | select(.p_value != null and .workload != "io-sleep")] | length)] | @tsv' \
        "$store/cmp.json" >> "$dir/trials.tsv"
    else
      printf '%s\t%s\t%s\t\t\t\t\t\t\t\n' "$i" "$side" "$rc" >> "$dir/trials.tsv"
    fi
  done
  rm -rf "$store"
done

# The report target: every baseline run in one store.
store="$dir/store-all"
rm -rf "$store"
for k in $(seq 1 $((H + T))); do
  if [ -f "$dir/runs/a$k.json" ]; then
    "$bin" history add "$dir/runs/a$k.json" --store "$store" --commit "a$k" > /dev/null
  fi
done
start=$(date +%s.%N)
"$bin" history report --store "$store" --out "$dir/report-all" > /dev/null 2>&1
report_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
first=$(ls "$dir"/runs/a*.json | head -1)
cells=$(jq '.cells | length' "$first")

{
  echo "machine: $(jq -r '.machine.cpu_model + ", " + (.machine.logical_cores|tostring) + " logical cores"' "$first")"
  echo "flags: $*; history H=$H runs, T=$T trials, B at --scale $scale"
  awk -F'\t' -v T="$T" 'NR > 1 {
      if ($2 == "a") { aa += ($3 == 1); aacells += $4; aacmp += $6 }
      else {
        ab += ($3 == 1); abcells += $4; abcmp += $6
        abio += ($9 > 0); abcellsio += $9; abcmpio += $10
      }
      mdc[$2] = mdc[$2] " " $8
      if ($3 != 0 && $3 != 1) bad++
    }
    END {
      printf "A/A: exit 1 in %d of %d trials (target <= 1); %d cells flagged of %d judged\n", aa, T, aacells, aacmp
      printf "A/B: exit 1 in %d of %d trials (%.0f %%; target >= 80 %%); %d cells flagged of %d judged (%.1f %%)\n", ab, T, 100 * ab / T, abcells, abcmp, abcmp ? 100 * abcells / abcmp : 0
      printf "A/B without io-sleep (whose time is a sleep the scale lengthens): a cell flagged in %d of %d trials; %d cells flagged of %d judged (%.1f %%)\n", abio, T, abcellsio, abcmpio, abcmpio ? 100 * abcellsio / abcmpio : 0
      printf "median minimum detectable change per trial (A/A side):%s\n", mdc["a"]
      if (bad) printf "no verdict (a failed run, or compare exit 2) in %d comparisons\n", bad
    }' "$dir/trials.tsv"
  echo "history report: $((H + T)) runs x $cells cells in $report_s s (target <= 30 s)"
  awk '{ s += $2; n++ } END { if (n) printf "one run: %.1f s on average over %d runs\n", s / n, n }' \
    "$dir/run-times.txt"
} | tee "$dir/summary.txt"
