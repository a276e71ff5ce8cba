#!/usr/bin/env bash
# The main job: install what is needed, build, run the quick sweep of every workload under
# every strategy, write the results file, print the table, and write the report.
#   scripts/run.sh [extra `parbench run` flags]     e.g. scripts/run.sh --size doc
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --quiet

dir="results/quick-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
status=0
./target/release/parbench run --quick --workloads all --strategies all \
  --out "$dir/results.json" "$@" || status=$?
# A failed verification (exit 1) still wrote its results: report them all the same.
if [ -f "$dir/results.json" ]; then
  ./target/release/parbench report "$dir/results.json" --out "$dir"
  echo "results: $dir/results.json" >&2
  echo "report:  $dir/report.md and $dir/report.html (charts beside them)" >&2
fi
exit "$status"
