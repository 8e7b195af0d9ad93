#!/usr/bin/env bash
# Tests the two service surfaces of the `flamekit` binary end to end:
#   1. `flamekit serve` (HTTP): cargo test --test serve (a real HTTP client
#      against the real binary on an ephemeral loopback port).
#   2. `flamekit mcp` (stdio): the official MCP Python SDK (`mcp` from PyPI)
#      spawns the binary, initializes, lists and calls every tool
#      (cli/tests/mcp/test_mcp.py).
# Installs what it needs itself (a venv under target/); a second run reuses it.
# Exits non-zero on any failure (pytest's "no tests collected" included).
set -euo pipefail
cd "$(dirname "$0")/.."
# stdin, and /dev/null when it is not a device: see scripts/common.sh.
source scripts/common.sh
ROOT="$PWD"
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$CARGO_TARGET_DIR/services-venv"

step() { printf '\n== %s\n' "$*"; }

step "build the flamekit binary"
cargo build -p flamekit-cli --bin flamekit
export FLAMEKIT_BIN="$CARGO_TARGET_DIR/debug/flamekit"

step "serve: HTTP integration tests"
cargo test -p flamekit-cli --test serve

step "mcp: venv with the MCP Python SDK"
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    apt-get update -qq
    apt-get install -y -qq python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r cli/tests/mcp/requirements.txt

step "mcp: pytest"
"$VENV/bin/python" -m pytest -q cli/tests/mcp
