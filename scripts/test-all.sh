#!/usr/bin/env bash
# Runs every test of flamekit: the fmt/clippy/doc gates, the Rust workspace
# (unit, integration, doc tests), then the bindings (Python via maturin + pytest, Node via napi +
# node --test, uniffi via its generated Python module, the WebAssembly package under Node and Deno
# with its size check and edge example, the installable artifacts). Installs what it
# needs itself. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# stdin, /dev/null, ROOT, CARGO_TARGET_DIR, PYTHON, make_venv, use_host_triple: scripts/common.sh.
source scripts/common.sh
use_host_triple

# A cold run writes about 4 GB under target/ (4.1 GB measured), besides the
# npm, pip and cargo caches. When the disk fills mid-build, the linker dies
# with a bus error (SIGBUS on its memory-mapped output), which names neither
# the disk nor the space: say how much there is up front.
disk_dir=$CARGO_TARGET_DIR
[ -d "$disk_dir" ] || disk_dir=$ROOT
free_kb=$(df -Pk "$disk_dir" 2>/dev/null | awk 'NR == 2 { print $4 }' || true)
if [ -n "$free_kb" ]; then
  echo "== disk: $((free_kb / 1048576)) GB free for $CARGO_TARGET_DIR"
  if [ "$free_kb" -lt $((6 * 1048576)) ]; then
    echo "warning: less than 6 GB free; a cold run may fail with a linker bus error" >&2
  fi
fi

# Gates first: formatting, lints (the workspace [lints] plus clippy, as
# errors) and the API docs (broken links and bare URLs are errors).
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

echo "== cargo test (workspace)"
cargo test --workspace --locked

# Long checks, ignored by a plain `cargo test`: a 2 GB generated stream with
# bounded peak memory. The test build above serves (the importers and every
# dependency are optimized in it, Cargo.toml's [profile.dev.package]), so no
# release build of the workspace is made. FLAMEKIT_QUICK=1 skips them.
if [ "${FLAMEKIT_QUICK:-0}" != 1 ]; then
  echo "== long tests (2 GB streaming import)"
  cargo test --locked --test streaming -- --ignored --nocapture
fi

# Brief fuzzing when FLAMEKIT_FUZZ_SECONDS is set (needs a nightly
# toolchain; scripts/fuzz.sh installs cargo-fuzz when missing; saved crash
# inputs are replayed by tests/fuzz_replay.rs in every run above).
if [ -n "${FLAMEKIT_FUZZ_SECONDS:-}" ]; then
  echo "== fuzz (${FLAMEKIT_FUZZ_SECONDS}s per target)"
  scripts/fuzz.sh "$FLAMEKIT_FUZZ_SECONDS"
fi

echo "== bindings"
scripts/test-bindings.sh

echo "== services (flamekit serve over HTTP, flamekit mcp with the MCP Python SDK)"
scripts/test-services.sh
echo "== all tests passed"
