#!/usr/bin/env bash
# Builds and tests the three language bindings of flamekit (bindings/):
#   1. Python (pyo3 + maturin): a venv in .venv, `maturin develop`, pytest.
#   2. Node (napi-rs): npm install from the lock file, `napi build`, node --test.
#   3. UniFFI: the cdylib and the in-workspace uniffi-bindgen; Python, Kotlin
#      and Swift bindings generated; the generated Python module tested.
# Every test suite also runs the shared vectors (tests/vectors/vectors.json).
# Installs what it needs itself; a second run reuses .venv, node_modules and
# target/. Debug builds throughout: they share target/debug with
# `cargo test --workspace`, and the tests need no optimised code.
# Exits non-zero on any failure (pytest's "no tests collected" included).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

step() { printf '\n== %s\n' "$*"; }

# pytest exits 5 when it collected no tests: that is a failure here too
# (set -e already fails on every non-zero status, 5 included).
run_pytest() {
  "$VENV/bin/python" -m pytest -q "$@"
}

step "python: venv and build tools"
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV"; then
    # Debian's python3 ships venv (ensurepip) separately.
    rm -rf "$VENV"
    apt-get update -qq
    apt-get install -y -qq python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bindings/python/requirements-dev.txt

step "python: build the extension (maturin develop)"
(
  cd bindings/python
  VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --quiet
)

step "python: pytest"
run_pytest bindings/python/tests

step "node: install the napi CLI from package-lock.json"
(
  cd bindings/node
  if [ ! -x node_modules/.bin/napi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # `npm install` rather than `npm ci`: it installs the locked versions all
    # the same, but tolerates lock files without the other platforms'
    # optional packages (which the registry reachable here does not serve).
    npm install --no-save --no-audit --no-fund
  fi
)

step "node: build the addon (napi build)"
(
  cd bindings/node
  npx napi build --platform
)

step "node: node --test"
(
  cd bindings/node
  node --test test/*.test.js
)

step "uniffi: build the cdylib and uniffi-bindgen"
cargo build -p flamekit-uniffi --features cli
LIB="$CARGO_TARGET_DIR/debug/libflamekit_uniffi.so"
BINDGEN="$CARGO_TARGET_DIR/debug/uniffi-bindgen"
GEN="$CARGO_TARGET_DIR/uniffi"

step "uniffi: generate Python, Kotlin and Swift bindings"
rm -rf "$GEN"
for lang in python kotlin swift; do
  "$BINDGEN" generate --no-format --library "$LIB" --language "$lang" --out-dir "$GEN/$lang"
done
test -s "$GEN/python/flamekit_uniffi.py"
test -s "$GEN/kotlin/uniffi/flamekit_uniffi/flamekit_uniffi.kt"
test -s "$GEN/swift/flamekit_uniffi.swift"
cp "$LIB" "$GEN/python/"
echo "generated: $(cd "$GEN" && find . -type f -name 'flamekit_uniffi*' | sort | tr '\n' ' ')"

step "uniffi: pytest on the generated Python bindings"
FLAMEKIT_UNIFFI_DIR="$GEN/python" run_pytest bindings/uniffi/tests

step "bindings: all tests passed"
