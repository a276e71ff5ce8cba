#!/usr/bin/env bash
# Do parbench's numbers survive a second run? Measures issue 11's targets for separate runs
# with default flags: K trials, each three runs of the same build one after the other (A, A'
# and B with --scale SLOWDOWN, order rotating), through scripts/regression-power.sh in its
# separate mode, then:
#   - A/A: how often `parbench compare A A'` exits 1 (a false alarm), with a 95 % Wilson interval;
#   - A/B: how often `parbench compare A B` exits 1 (a detection);
#   - agreement of A and A': the share of verified cells within ±5 % of each other and the
#     median |ln ratio| (from compare's per-cell ratios), per trial and pooled;
#   - findings: how many of the report's findings get another verdict from A' than from A;
#   - how long one run takes.
#
#   scripts/reproducibility.sh [K] [DIR]          # DIR keeps every file (default: a temp dir)
#   SIZE=quick scripts/reproducibility.sh 20 reports/<date>-<machine>/reproducibility/quick
#
# Environment: SIZE (doc), WORKLOADS (all), STRATEGIES (serial,scoped,pool,process),
# WORKERS (1,2), SLOWDOWN (1.25), PARBENCH_BIN (a built parbench; default: build this
# checkout), ANALYSE_ONLY (set: make no runs, analyse the files a previous call kept in DIR).
# Extra `parbench run` flags after DIR go to every run (the targets use none).
set -euo pipefail
cd "$(dirname "$0")/.."

K=${1:-20}
dir=${2:-}
if [ $# -gt 0 ]; then shift; fi
if [ $# -gt 0 ]; then shift; fi
if ! [[ "$K" =~ ^[1-9][0-9]*$ ]]; then
  echo "reproducibility: K must be a positive integer, got '$K'" >&2
  exit 2
fi
if [ -z "$dir" ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
command -v jq >/dev/null || { echo "reproducibility: needs jq (scripts/setup.sh installs it)" >&2; exit 2; }
if [ -z "${PARBENCH_BIN:-}" ]; then
  cargo build --release --quiet
  PARBENCH_BIN=$PWD/target/release/parbench
fi

if [ -n "${ANALYSE_ONLY:-}" ]; then
  echo "reproducibility: analysing the files kept in $dir" >&2
else
SIZE=${SIZE:-doc} WORKLOADS=${WORKLOADS:-all} STRATEGIES=${STRATEGIES:-serial,scoped,pool,process} \
  WORKERS=${WORKERS:-1,2} SLOWDOWN=${SLOWDOWN:-1.25} MODE=separate KEEP_DIR=$dir \
  PARBENCH_BIN=$PARBENCH_BIN scripts/regression-power.sh "$K" "$@" | tee "$dir/power.txt"
fi

# The verdict word of each finding (first column: the claim; last: "holds here", "does not
# hold here: …", "not measured …"), one per line, from the report's Findings section.
verdicts() {
  awk -F '|' '/^## / { inside = ($0 ~ /^## Findings/) }
    inside && /^\| / && NF >= 5 && $2 !~ /^ *(Claim|claim|---|-)/ {
      v = $(NF - 1); split(v, w, ":"); gsub(/^ +| +$/, "", w[1]); print $2 "\t" w[1]
    }' "$1"
}

echo
echo "== agreement of A and A' (verified cells compared by both)"
printf "%-6s  %-8s  %-18s  %s\n" trial cells "within ±5 %" "median |ln ratio|"
: > "$dir/logratios.txt"
findings_total=0
findings_differ=0
for k in $(seq 1 "$K"); do
  jq -r '.cells[] | select(.ratio != null) | .ratio' "$dir/aa$k.json" |
    awk '{ l = log($1); if (l < 0) l = -l; print l }' > "$dir/aa$k.logratios"
  cat "$dir/aa$k.logratios" >> "$dir/logratios.txt"
  sort -g "$dir/aa$k.logratios" | awk -v k="$k" '{ v[NR] = $1; if ($1 <= log(1.05)) w++ }
    END { printf "%-6s  %-8d  %-18s  %.2f %%\n", k, NR, sprintf("%.1f %%", 100 * w / NR),
          100 * v[int((NR + 1) / 2)] }'
  for side in "a$k" "a2_$k"; do
    "$PARBENCH_BIN" report "$dir/$side.json" --out "$dir/report-$side" > /dev/null 2>&1
    verdicts "$dir/report-$side/report.md" > "$dir/findings-$side.tsv"
  done
  n=$(wc -l < "$dir/findings-a$k.tsv")
  d=$(paste "$dir/findings-a$k.tsv" "$dir/findings-a2_$k.tsv" | awk -F '\t' '$2 != $4' | wc -l)
  findings_total=$((findings_total + n))
  findings_differ=$((findings_differ + d))
  echo "        findings: $d of $n with another verdict" >&2
done
sort -g "$dir/logratios.txt" | awk '{ v[NR] = $1; if ($1 <= log(1.05)) w++ }
  END { printf "%-6s  %-8d  %-18s  %.2f %%\n", "all", NR, sprintf("%.1f %%", 100 * w / NR),
        100 * v[int((NR + 1) / 2)] }'
echo
echo "== noise the runs measured (median over verified cells, % of the cell's median)"
printf "%-8s  %-16s  %-16s  %s\n" run "between rounds" "within rounds" "reference kernel (median, min–max)"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f %%", v[int((NR + 1) / 2)]; else printf "-" }'; }
for f in $(for k in $(seq 1 "$K"); do echo "$dir/a$k.json" "$dir/a2_$k.json"; done); do
  between=$(jq -r '.cells[] | select(.verified and .noise.between_rounds_pct != null) | .noise.between_rounds_pct' "$f" | median)
  within=$(jq -r '.cells[] | select(.verified and .noise.within_rounds_pct != null) | .noise.within_rounds_pct' "$f" | median)
  ref=$(jq -r '(.reference.samples_s // []) | sort | if length > 0 then "\(.[length / 2 | floor] * 1000 | . * 100 | round / 100) ms, \(.[0] * 1000 | . * 100 | round / 100)–\(.[-1] * 1000 | . * 100 | round / 100) ms" else "-" end' "$f")
  printf "%-8s  %-16s  %-16s  %s\n" "$(basename "$f" .json)" "$between" "$within" "$ref"
done

echo
echo "== findings: $findings_differ of $findings_total verdicts differ between A and A' (over $K trials)"
echo "files kept in $dir"
