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
# stdin, /dev/null, ROOT, CARGO_TARGET_DIR, PYTHON, make_venv, use_host_triple: scripts/common.sh.
source scripts/common.sh
use_host_triple
VENV="$CARGO_TARGET_DIR/services-venv"

step() { printf '\n== %s\n' "$*"; }

step "build the flamekit binary"
cargo build -p flamekit-cli --bin flamekit
export FLAMEKIT_BIN="$NATIVE/debug/flamekit"

step "serve: HTTP integration tests"
cargo test -p flamekit-cli --test serve

step "mcp: venv with the MCP Python SDK"
make_venv "$VENV" -r cli/tests/mcp/requirements.txt

step "mcp: pytest"
"$VENV/bin/python" -m pytest -q cli/tests/mcp
