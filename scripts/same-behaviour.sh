#!/usr/bin/env bash
# Checks that two parbench builds measure the same thing: one fixed quick run with each, then
# the cell set, each cell's checksum and verification, and every JSON field path must agree
# (timings, of course, may not).
#   scripts/same-behaviour.sh BASE_BINARY NEW_BINARY [OUT_DIR]
set -euo pipefail
base=${1:?usage: same-behaviour.sh BASE_BINARY NEW_BINARY [OUT_DIR]}
new=${2:?usage: same-behaviour.sh BASE_BINARY NEW_BINARY [OUT_DIR]}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
run=(run --quick --workloads all --strategies all --workers 1,2 --chunk 1,auto --samples 2)
"$base" "${run[@]}" --out "$out/base.json" >"$out/base-table.txt" 2>"$out/base-stderr.txt" || true
"$new" "${run[@]}" --out "$out/new.json" >"$out/new-table.txt" 2>"$out/new-stderr.txt" || true

# What must not change: per cell its identity, checksum, verification, skip reason, failed
# tasks; and the set of field paths anywhere in the file.
cells='.cells[] | [.workload, .strategy, .workers, .chunk, .checksum, .verified, .skipped,
       (.failed_tasks | map(.task)), .tasks, .exact_match] | @json'
paths='[paths | map(if type == "number" then "[]" else . end) | join(".")] | unique | .[]'
status=0
for what in cells paths; do
  jq -r "${!what}" "$out/base.json" >"$out/base-$what.txt"
  jq -r "${!what}" "$out/new.json" >"$out/new-$what.txt"
  if diff -u "$out/base-$what.txt" "$out/new-$what.txt" >"$out/diff-$what.txt"; then
    echo "$what: same ($(wc -l <"$out/base-$what.txt") lines)"
  else
    echo "$what: DIFFERENT (see $out/diff-$what.txt)"
    status=1
  fi
done
exit "$status"
