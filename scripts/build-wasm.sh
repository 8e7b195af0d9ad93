#!/usr/bin/env bash
# Builds the WebAssembly package bindings/wasm/pkg (`wasm-bindgen --target web`,
# loaded by bindings/wasm/index.js) from the `wasm-release` profile (size over
# speed). Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the
# version of the wasm-bindgen crate in Cargo.lock; installs both if missing.
# Prints the .wasm size, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# wasm-bindgen-cli must match the crate exactly: one on PATH at that version,
# else the copy installed under target/tools, built once without optimization
# (--debug: about 2 min on 2 cores against 4.5 for a release build; it then
# takes 3.5 s instead of 0.7 on this package, and writes the same files).
WASM_BINDGEN=wasm-bindgen
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$WB_VERSION" ]; then
  WASM_BINDGEN="$CARGO_TARGET_DIR/tools/bin/wasm-bindgen"
  if [ "$("$WASM_BINDGEN" --version 2>/dev/null | awk '{ print $2 }')" != "$WB_VERSION" ]; then
    # Not --locked: the CLI's own lock file may name crate versions a mirror lacks.
    cargo install --quiet --debug wasm-bindgen-cli --version "$WB_VERSION" --root "$CARGO_TARGET_DIR/tools"
  fi
fi
cargo build -p flamekit-wasm --target wasm32-unknown-unknown --profile wasm-release
rm -rf bindings/wasm/pkg
"$WASM_BINDGEN" --target web --out-dir bindings/wasm/pkg \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/flamekit_wasm.wasm"
WASM=bindings/wasm/pkg/flamekit_wasm_bg.wasm
echo "flamekit_wasm_bg.wasm: $(wc -c < "$WASM") bytes, $(gzip -9 -c "$WASM" | wc -c) gzipped"
