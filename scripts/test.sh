#!/usr/bin/env bash
# The whole test suite, as CI runs it: system libraries, formatting, lints, every test target
# (benches compiled and run once in test mode). Safe to run on a fresh Debian machine with only
# the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check" >&2
cargo fmt --all -- --check

echo "== cargo clippy" >&2
cargo clippy --release --all-targets --quiet -- -D warnings

echo "== cargo test" >&2
cargo test --release --all-targets
