#!/usr/bin/env bash
# A real history: builds past commits of this repository, runs the quick suite with each, and
# adds every run to a history store, then writes the store's report.
#
#   scripts/history-of-commits.sh STORE REPORT [COMMIT ...]
#
# COMMITs are built and run in the order given (oldest first: the store's order is the order
# added). Without any, the first-parent commits of HEAD since 002966d (the first that writes
# rounds per cell and runs them in fresh processes, so its files share the current schema's
# fields) that changed the code (src/, Cargo.*, build.rs), then HEAD's working tree if it
# differs. Each commit is exported with `git archive` into WORK/src-<commit> and built with
# a shared target directory (dependencies build once).
#
# Environment: FLAGS (--quick --rounds 3 --samples 2 --sample-time 20 --warmup 1: explicit,
# so that every commit measures with the same settings whatever its defaults, and all runs
# form one series), RUNS (1 run per commit), WORK (/tmp/parbench-commits), SKIP_BUILD (set:
# reuse WORK's binaries). A commit that does not build or rejects the flags is reported and
# skipped.
set -euo pipefail
export LC_ALL=C.UTF-8

if [ $# -lt 2 ]; then
  echo "usage: scripts/history-of-commits.sh STORE REPORT [COMMIT ...]" >&2
  exit 2
fi
# Paths as the caller gave them, before moving to the repository root.
store=$(realpath -m "$1")
report=$(realpath -m "$2")
work=$(realpath -m "${WORK:-/tmp/parbench-commits}")
shift 2
cd "$(dirname "$0")/.."
flags=${FLAGS:---quick --rounds 3 --samples 2 --sample-time 20 --warmup 1}
runs=${RUNS:-1}
mkdir -p "$work/results"

commits=("$@")
if [ ${#commits[@]} -eq 0 ]; then
  mapfile -t commits < <(git log --first-parent --reverse --format=%h 002966d~1..HEAD -- \
    src Cargo.toml Cargo.lock build.rs)
  if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock build.rs)" ]; then
    commits+=(worktree)
  fi
fi

build() { # COMMIT → prints the binary's path
  local c=$1 src="$work/src-$1"
  if [ -n "${SKIP_BUILD:-}" ]; then
    [ -x "$work/parbench-$c" ] || return 1
  else
    rm -rf "$src"
    mkdir -p "$src"
    if [ "$c" = worktree ]; then
      git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
    else
      git archive "$c" | tar -x -C "$src"
    fi
    (cd "$src" && CARGO_TARGET_DIR="$work/target" nice cargo build --release --quiet \
      2>"$work/build-$c.log") || return 1
    cp "$work/target/release/parbench" "$work/parbench-$c"
  fi
  echo "$work/parbench-$c"
}

n=0
for c in "${commits[@]}"; do
  n=$((n + 1))
  if [ "$c" = worktree ]; then
    rev="wt-$(git rev-parse --short=7 HEAD)"
    subject="working tree over $(git rev-parse --short HEAD)"
  else
    rev=$(git rev-parse --short=10 "$c")
    subject=$(git log -1 --format=%s "$c")
    subject=${subject:0:150}
  fi
  start=$(date +%s)
  if ! bin=$(build "$c"); then
    echo "history-of-commits: $c does not build (see $work/build-$c.log): skipped" >&2
    continue
  fi
  built=$(( $(date +%s) - start ))
  for r in $(seq 1 "$runs"); do
    out="$work/results/$(printf %02d "$n")-$c-$r.json"
    rm -f "$out"
    # Exit 1 (a cell failed verification) still writes the file; no file is a failed run.
    # shellcheck disable=SC2086
    "$bin" run $flags --out "$out" > /dev/null 2> "$work/run-$c-$r.log" || true
    if [ ! -f "$out" ]; then
      echo "history-of-commits: $c: the run failed (see $work/run-$c-$r.log): skipped" >&2
      continue
    fi
    target/release/parbench history add "$out" --store "$store" --commit "$rev" \
      --label "$subject" || echo "history-of-commits: $c: not stored" >&2
  done
  echo "history-of-commits: $c built in ${built} s, $runs run(s) in $(( $(date +%s) - start - built )) s" >&2
done
target/release/parbench history report --store "$store" --out "$report"
