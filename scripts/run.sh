#!/usr/bin/env bash
# The main job: install what is needed, build, run every workload under every strategy, write
# the results file, print the table, and write the report.
#   scripts/run.sh [extra `parbench run` flags]     e.g. scripts/run.sh --size doc
# The size is quick unless the flags give --size or --quick; the results go to
# results/<size>-<time>/.
# PARBENCH=path/to/parbench runs that binary instead of installing and building (the tests do);
# PARBENCH_RESULTS=DIR puts the results folder under DIR instead of results/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PARBENCH:-}" ]; then
  bash scripts/setup.sh
  cargo build --release --quiet
  PARBENCH=./target/release/parbench
fi

size=""
prev=""
for a in "$@"; do
  case "$a" in
    --quick) size=quick ;;
    --size=*) size=${a#--size=} ;;
  esac
  if [ "$prev" = --size ]; then size=$a; fi
  prev=$a
done
size_flags=()
if [ -z "$size" ]; then
  size=quick
  size_flags=(--size quick)
fi

dir="${PARBENCH_RESULTS:-results}/$size-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
status=0
"$PARBENCH" run "${size_flags[@]}" --out "$dir/results.json" "$@" || status=$?
# A failed verification (exit 1) still wrote its results: report them all the same.
if [ -f "$dir/results.json" ]; then
  "$PARBENCH" report "$dir/results.json" --out "$dir"
  echo "results: $dir/results.json" >&2
  echo "report:  $dir/report.md and $dir/report.html (charts beside them)" >&2
else
  # Nothing was measured (bad flags): leave no empty folder behind.
  rmdir "$dir" 2>/dev/null || true
fi
exit "$status"
