#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each and prints a
# results table (target, seconds, execs, crashes: crash, leak, timeout and
# OOM reports). Needs a nightly toolchain; installs cargo-fuzz (`cargo
# install --locked cargo-fuzz`) when it is missing. Seeds:
# scripts/fuzz-seeds.sh (the test inputs under 512 KiB, the saved
# regressions). Crashes are left in fuzz/artifacts/<target>/;
# minimize them with `cargo +nightly fuzz tmin <target> <file>` and copy the
# result into tests/data/fuzz/<target>/ as a regression test.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo wrapped so that a /dev/null that is a regular file is emptied first
# (see common.sh); the fuzz builds keep their own target/ under fuzz/.
source scripts/common.sh
unset CARGO_TARGET_DIR
need_cargo_fuzz
secs="${1:-20}"; shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi
cd fuzz
mkdir -p artifacts
for t in "${targets[@]}"; do
  cargo +nightly fuzz build -O "$t" >>artifacts/build.log 2>&1 || { echo "fuzz build of $t failed: fuzz/artifacts/build.log" >&2; exit 1; }
done
printf '%-26s %8s %12s %8s\n' target seconds execs crashes
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  # Seeds: the test inputs under 512 KiB and the saved regressions.
  ../scripts/fuzz-seeds.sh "$t" "corpus/$t" >/dev/null
  log="artifacts/$t/last-run.log"
  set +e
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  # A run stopped by a finding prints no "Done" line: no match is not an error.
  execs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  [ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  crashes=$(find "artifacts/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  printf '%-26s %8s %12s %8s\n' "$t" "$secs" "${execs:-?}" "$crashes"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; fi
done
exit $status
