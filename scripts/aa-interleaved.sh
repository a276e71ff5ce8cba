#!/usr/bin/env bash
# Which of several builds (or flag sets) gives numbers that agree better with a second run?
# Runs K A/A pairs of each variant, interleaved (A of every variant, then A' of every
# variant, pair after pair), so that the machine's drift over the campaign falls on all of
# them alike; then prints, per variant, the share of verified cells whose medians in A and A'
# are within ±5 % of each other, the median and 90th percentile of |ln ratio|, and the median
# noise the runs recorded.
#
#   scripts/aa-interleaved.sh K DIR NAME=BINARY[,FLAG,...] ...
#   scripts/aa-interleaved.sh 4 /tmp/aa old=/tmp/parbench-old new=target/release/parbench \
#       r8=target/release/parbench,--rounds,8,--samples,1
#
# Environment: SIZE (doc), WORKLOADS (sum-squares,ode-sweep,monte-carlo,curve-fit,svd,sin),
# STRATEGIES (serial,pool), WORKERS (1,2): issue 11's six-workload matrix; ANALYSE_ONLY (set:
# no runs, analyse DIR/NAME/a{k}.json and a2_{k}.json kept by an earlier call).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/aa-interleaved.sh K DIR NAME=BINARY[,FLAG,...] ..." >&2
  exit 2
fi
K=$1
dir=$2
shift 2
command -v jq >/dev/null || { echo "aa-interleaved: needs jq (scripts/setup.sh installs it)" >&2; exit 2; }
names=()
declare -A commands
for v in "$@"; do
  name=${v%%=*}
  spec=${v#*=}
  if [ "$name" = "$v" ] || [ -z "$name" ]; then
    echo "aa-interleaved: '$v' is not NAME=BINARY[,FLAG,...]" >&2
    exit 2
  fi
  bin=${spec%%,*}
  if [ -z "${ANALYSE_ONLY:-}" ] && [ ! -x "$bin" ]; then
    echo "aa-interleaved: $name: '$bin' is not an executable" >&2
    exit 2
  fi
  names+=("$name")
  commands[$name]=$spec
  mkdir -p "$dir/$name"
done

matrix=(--size "${SIZE:-doc}" --workloads "${WORKLOADS:-sum-squares,ode-sweep,monte-carlo,curve-fit,svd,sin}"
  --strategies "${STRATEGIES:-serial,pool}" --workers "${WORKERS:-1,2}")

if [ -z "${ANALYSE_ONLY:-}" ]; then
  for k in $(seq 1 "$K"); do
    for side in a a2_; do
      for name in "${names[@]}"; do
        IFS=, read -r -a cmd <<< "${commands[$name]}"
        start=$(date +%s.%N)
        "${cmd[0]}" run "${matrix[@]}" "${cmd[@]:1}" --out "$dir/$name/$side$k.json" \
          > /dev/null 2> "$dir/$name/$side$k.log" || true
        awk -v n="$name" -v s="$side$k" -v a="$start" -v b="$(date +%s.%N)" \
          'BEGIN { printf "%s %s: %.1f s\n", n, s, b - a }' >&2
      done
    done
  done
fi

# One line per cell present and verified in both files: |ln(median A' / median A)|.
logratios() {
  jq -r -n --slurpfile a "$1" --slurpfile b "$2" '
    ($a[0].cells | map(select(.verified)) | map({key: "\(.workload)/\(.strategy)/\(.workers)/\(.chunk)", value: .median_s}) | from_entries) as $x
    | $b[0].cells[] | select(.verified)
    | "\(.workload)/\(.strategy)/\(.workers)/\(.chunk)" as $key
    | select($x[$key] != null)
    | (.median_s / $x[$key]) | log | fabs'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f %%", v[int((NR + 1) / 2)]; else printf "-" }'; }

printf "%-10s  %-5s  %-6s  %-12s  %-18s  %-10s  %s\n" variant pairs cells "within ±5 %" \
  "median |ln ratio|" "p90" "noise between / within rounds (median)"
for name in "${names[@]}"; do
  d=$dir/$name
  : > "$d/logratios.txt"
  pairs=0
  for k in $(seq 1 "$K"); do
    [ -f "$d/a$k.json" ] && [ -f "$d/a2_$k.json" ] || continue
    pairs=$((pairs + 1))
    logratios "$d/a$k.json" "$d/a2_$k.json" >> "$d/logratios.txt"
  done
  between=$(for f in "$d"/a*.json; do jq -r '.cells[] | select(.verified and .noise != null)
    | .noise.between_rounds_pct // empty' "$f"; done | median)
  within=$(for f in "$d"/a*.json; do jq -r '.cells[] | select(.verified and .noise != null)
    | .noise.within_rounds_pct // empty' "$f"; done | median)
  noise="$between / $within"
  sort -g "$d/logratios.txt" | awk -v name="$name" -v pairs="$pairs" -v noise="$noise" '
    { v[NR] = $1; if ($1 <= log(1.05)) w++ }
    END { printf "%-10s  %-5d  %-6d  %-12s  %-18s  %-10s  %s\n", name, pairs, NR,
          sprintf("%.1f %%", 100 * w / NR), sprintf("%.2f %%", 100 * v[int((NR + 1) / 2)]),
          sprintf("%.1f %%", 100 * v[int(0.9 * NR) > 0 ? int(0.9 * NR) : 1]), noise }'
done
