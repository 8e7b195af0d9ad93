#!/usr/bin/env bash
# Builds and tests the four language bindings of flamekit (bindings/), all
# thin skins over bindings/common (flamekit-bindings):
#   1. Python (pyo3 + maturin): a venv in .venv, `maturin develop`, pytest.
#   2. Node (napi-rs): `npm ci` from the lock file, `napi build`, node --test.
#   3. UniFFI: the cdylib and the in-workspace uniffi-bindgen; Python, Kotlin
#      and Swift bindings generated; the generated Python module tested.
#   4. WebAssembly (wasm-bindgen): scripts/build-wasm.sh, the size check
#      (<= 1.5 MB gzipped), the tests under Node and Deno (`npm ci` installs
#      the deno binary), the edge-function example served on 127.0.0.1.
#   5. Installable artifacts, each in a fresh temporary directory: the wheel
#      (`maturin build --profile dev`) in a new venv with an example under `mypy --strict`;
#      the `npm pack` tarball with a TypeScript example under `tsc --strict`;
#      the wasm package's example under `deno check`.
# Every test suite also runs the shared vectors (tests/vectors/vectors.json).
# Installs what it needs itself; a second run reuses .venv, node_modules and
# target/. Debug builds for the native skins, the wheel's included (they share
# target/<host triple>/debug with `cargo test --workspace`: use_host_triple in
# scripts/common.sh; what the wheel test checks is the packaging, not the
# code's speed); the wasm package is built size-optimised.
# Exits non-zero on any failure (pytest's "no tests collected" included).
set -euo pipefail
cd "$(dirname "$0")/.."
# stdin, /dev/null, ROOT, CARGO_TARGET_DIR, PYTHON, make_venv, use_host_triple: scripts/common.sh.
source scripts/common.sh
use_host_triple
VENV="$ROOT/.venv"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

# pytest exits 5 when it collected no tests: that is a failure here too
# (set -e already fails on every non-zero status, 5 included).
run_pytest() {
  "$VENV/bin/python" -m pytest -q "$@"
}

# `npm ci` (exactly the lock file) when node_modules is missing or older than the lock.
npm_ci() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

step "python: venv and build tools"
make_venv "$VENV" -r bindings/python/requirements-dev.txt

step "python: build the extension (maturin develop)"
(
  cd bindings/python
  VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" with_empty_null "$VENV/bin/maturin" develop --quiet
)

step "python: pytest"
run_pytest bindings/python/tests

step "node: npm ci, build the addon (napi build), node --test"
(
  cd bindings/node
  npm_ci
  npx napi build --platform
  node --test test/*.test.js
)

step "uniffi: build the cdylib and uniffi-bindgen"
cargo build -p flamekit-uniffi --features cli
LIB="$NATIVE/debug/libflamekit_uniffi.so"
BINDGEN="$NATIVE/debug/uniffi-bindgen"
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

step "wasm: build (scripts/build-wasm.sh) and the size check"
scripts/build-wasm.sh
WASM=bindings/wasm/pkg/flamekit_wasm_bg.wasm
GZ=$(gzip -9 -c "$WASM" | wc -c)
if [ "$GZ" -gt 1572864 ]; then
  echo "flamekit_wasm_bg.wasm is $GZ bytes gzipped: over the 1.5 MB budget" >&2
  exit 1
fi

step "wasm: tests under Node and Deno, the edge example on 127.0.0.1"
(
  cd bindings/wasm
  npm_ci
  DENO="$PWD/node_modules/.bin/deno"
  node --test test/*.test.mjs
  "$DENO" test --quiet --allow-read --allow-env --allow-net=127.0.0.1 test/
)

step "artifacts: the wheel in a fresh venv, example under mypy --strict"
(
  cd bindings/python
  VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" with_empty_null "$VENV/bin/maturin" build --quiet --profile dev --out "$TMP/wheels"
)
make_venv "$TMP/venv" "$TMP"/wheels/flamekit-*.whl
cp bindings/python/examples/upload.py "$TMP/upload.py"
(cd "$TMP" && "$VENV/bin/mypy" --strict --python-executable "$TMP/venv/bin/python" upload.py)
(cd "$TMP" && "$TMP/venv/bin/python" upload.py "${FLAMEKIT_CORPUS:-$ROOT/tests/data/corpus}/speedscope/0.6.0/two-sampled.speedscope.json")

step "artifacts: npm pack, TypeScript example under tsc --strict"
(
  cd bindings/node
  npm pack --silent --pack-destination "$TMP" > /dev/null
  mkdir "$TMP/node-app"
  cd "$TMP/node-app"
  echo '{"name":"app","private":true}' > package.json
  npm install --no-audit --no-fund --loglevel=error "$TMP"/flamekit-0.1.0.tgz
  cp "$ROOT/bindings/node/examples/upload.ts" .
  "$ROOT/bindings/node/node_modules/.bin/tsc" --strict --noEmit --target es2022 --module nodenext \
    --types node --typeRoots "$ROOT/bindings/node/node_modules/@types" upload.ts
)

step "artifacts: npm pack of the wasm package, deno check and a run under Deno"
(
  cd bindings/wasm
  npm pack --silent --pack-destination "$TMP" > /dev/null
  mkdir "$TMP/wasm-app"
  cd "$TMP/wasm-app"
  echo '{"name":"app","private":true,"type":"module"}' > package.json
  echo '{"nodeModulesDir":"manual"}' > deno.json
  npm install --no-audit --no-fund --loglevel=error "$TMP"/flamekit-wasm-0.1.0.tgz
  cp -r "$ROOT/bindings/wasm/examples" "$ROOT/bindings/wasm/test/package-smoke.ts" .
  sed -i "s|'../index.js'|'flamekit-wasm'|" examples/edge.ts
  DENO="$ROOT/bindings/wasm/node_modules/.bin/deno"
  "$DENO" check examples/edge.ts package-smoke.ts
  "$DENO" run --allow-read package-smoke.ts
)

step "bindings: all tests passed"
