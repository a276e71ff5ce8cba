#!/usr/bin/env bash
# The main job: install what is needed, build, run the quick sweep of every workload under
# every strategy, write the results file and print the table.
#   scripts/run.sh [extra `parbench run` flags]     e.g. scripts/run.sh --size doc
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --quiet

out_dir=results
mkdir -p "$out_dir"
out="$out_dir/quick-$(date -u +%Y%m%dT%H%M%SZ).json"
./target/release/parbench run --quick --workloads all --strategies all --out "$out" "$@"
echo "results: $out" >&2
