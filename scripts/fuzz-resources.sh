#!/usr/bin/env bash
# Resource fuzzing (issue 14): runs fuzz targets with an RSS limit and a
# per-input timeout, seeded with the structure-aware attack inputs that
# tests/resources.rs generates (nested zip/gzip, overlapping zip entries,
# empty-message pprof, long mangled names, many-event callgrind).
#
# usage: scripts/fuzz-resources.sh [SECONDS_PER_TARGET] [TARGET...]
# (default: 60 s each for detect_import, import_pprof, import_callgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(detect_import import_pprof import_callgrind)
seeds="$PWD/fuzz/corpus/resource-seeds"
FLAMEKIT_SEED_DIR="$seeds" cargo test -q --test resources write_fuzz_seeds -- --ignored >/dev/null
cd fuzz
printf '%-20s %8s %12s %10s %8s\n' target seconds execs rss_mb crashes
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n "$seeds"/* "corpus/$t/"
  log="artifacts/$t/resources-run.log"
  set +e
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 \
    -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -1)
  rss=$(grep -Eo 'rss: [0-9]+Mb' "$log" | grep -Eo '[0-9]+' | sort -n | tail -1)
  crashes=$(find "artifacts/$t" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  printf '%-20s %8s %12s %10s %8s\n' "$t" "$secs" "${execs:-?}" "${rss:-?}" "$crashes"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; fi
done
exit $status
