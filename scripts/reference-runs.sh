#!/usr/bin/env bash
# Reference runs for reports/: the documents' sizes and the large size, workers 1, 2 and 4,
# every workload and strategy, each with its report, at the default rounds and samples. Takes
# an hour or more on 2 cores (`parbench run --dry-run` estimates each).
#   scripts/reference-runs.sh [extra `parbench run` flags]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --quiet
bin=./target/release/parbench

# reports/<date>-<cpu>-<cores>c, from what the run itself records (pretty JSON: one field a line).
machine=$($bin machine --json)
field() { printf '%s\n' "$machine" | sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"; }
slug="$(field cpu_model | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-//; s/-$//')-$(field logical_cores)c"
dir="reports/$(date -u +%Y-%m-%d)-$slug"

for size in doc large; do
  mkdir -p "$dir/$size"
  chunks=auto; [ "$size" = doc ] && chunks=1,auto
  $bin run --size "$size" --workloads all --strategies all --workers 1,2,4 --chunk "$chunks" \
    --out "$dir/$size/results.json" "$@" | tee "$dir/$size/table.txt"
  $bin report "$dir/$size/results.json" --out "$dir/$size"
done
echo "reference runs in $dir" >&2
