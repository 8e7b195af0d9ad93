#!/usr/bin/env bash
# Resource fuzzing (issue 14): runs the fuzz targets one after another, each
# with an RSS limit and a per-input timeout, so an input that balloons memory
# or hangs is a finding just like a panic. Every target starts from the
# structure-aware attack seeds that tests/resources.rs generates (nested
# zip/gzip, overlapping zip entries, empty-message pprof, long mangled names,
# many-event callgrind), and scripts/fuzz-seeds.sh's: the test inputs under
# 512 KiB (every format has a seed) and the saved regression inputs of
# tests/data/fuzz/<target>/.
#
# usage: scripts/fuzz-resources.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 60
#   TARGET...           default: every target (`cargo fuzz list`)
#
# Needs the nightly toolchain; installs cargo-fuzz when it is missing.
# Not part of scripts/test-all.sh. Prints one row per target (seconds run,
# executions, peak RSS and slowest input as libFuzzer reported them,
# findings) and writes it to
# fuzz/artifacts/resources-summary.txt; findings are in fuzz/artifacts/<target>/.
# Exits non-zero when any target found a crash, leak, timeout or OOM.
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo wrapped as in the other scripts (common.sh); the fuzz builds keep
# their own target/ under fuzz/.
source scripts/common.sh
unset CARGO_TARGET_DIR
need_cargo_fuzz
root="$PWD"
secs="${1:-60}"
shift || true
targets=("$@")
seeds="$root/fuzz/corpus/resource-seeds"
FLAMEKIT_SEED_DIR="$seeds" cargo test -q --test resources write_fuzz_seeds -- --ignored >/dev/null
cd fuzz
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# Build every target once, then run the binaries: the campaign fuzzes one
# build even if the sources change while it runs.
cargo +nightly fuzz build -O >/dev/null 2>&1 || cargo +nightly fuzz build -O
bin="${CARGO_TARGET_DIR:-$PWD/target}/x86_64-unknown-linux-gnu/release"
mkdir -p artifacts
summary="artifacts/resources-summary.txt"
printf '%-26s %8s %12s %8s %9s %9s\n' target seconds execs rss_mb slowest_s findings | tee "$summary"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n "$seeds"/* "corpus/$t/"
  "$root/scripts/fuzz-seeds.sh" "$t" "corpus/$t" >/dev/null
  log="artifacts/$t/resources-run.log"
  started=$(date +%s)
  set +e
  # AddressSanitizer keeps up to 256 MB of freed memory in quarantine by
  # default, which would count against the RSS limit; 16 MB leaves the
  # limit to the library's own memory (and libFuzzer's copy of the corpus).
  ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}" "$bin/$t" "corpus/$t" -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  took=$(($(date +%s) - started))
  # A stat missing from the log (a run cut short) is shown as "?", not an error.
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  rss=$(grep -Eo 'stat::peak_rss_mb: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  slowest=$(grep -Eo 'stat::slowest_unit_time_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  found=$(find "artifacts/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  printf '%-26s %8s %12s %8s %9s %9s\n' "$t" "$took" "${execs:-?}" "${rss:-?}" "${slowest:-?}" "$found" |
    tee -a "$summary"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then status=1; fi
done
exit $status
