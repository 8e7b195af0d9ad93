#!/usr/bin/env bash
# Load benchmark of `flamekit serve`: the 1200x800 preview (POST
# /api/v1/render, Flamedeck's defaults) of one real trace, with wrk on
# loopback at concurrency 1, 8 and 64; renders/s, p50/p99 latency, non-200
# answers, and the server's peak RSS. Prints a markdown table (also written
# to target/load/report.md).
#
#   benches/load/run.sh                  # 10 s per concurrency level
#   DURATION=5s benches/load/run.sh      # shorter
#   TRACE=path/to/trace benches/load/run.sh
#   PROFILE=debug benches/load/run.sh    # use the debug build (no release build)
#   ROUTE=/api/v1/import TRACE=stacks.txt SERVE_ARGS="--import-threads 1" benches/load/run.sh
#                                        # another route, and flags for the server
#
# Installs wrk with apt-get when missing (root only). Everything listens on
# 127.0.0.1 and the server is stopped at the end, also on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT="$ROOT/target/load"
DURATION=${DURATION:-10s}
PROFILE=${PROFILE:-release}
# The largest real Chrome/Firefox trace of the speedscope sample corpus (2.4 MB).
TRACE=${TRACE:-$ROOT/tests/data/corpus/Firefox/59/firefox.json}
# The route driven (the render preview, or any POST route that takes the
# profile as its body) and extra `flamekit serve` flags (split on spaces).
ROUTE=${ROUTE:-/api/v1/render}
SERVE_ARGS=${SERVE_ARGS:-}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"
log() { printf '== %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "apt-get install wrk"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  else
    log "wrk is missing and cannot be installed (not root): install it first"
    exit 1
  fi
fi

log "build flamekit ($PROFILE)"
if [[ "$PROFILE" == release ]]; then
  cargo build --release -p flamekit-cli --bin flamekit >&2
else
  cargo build -p flamekit-cli --bin flamekit >&2
fi
BIN="$CARGO_TARGET_DIR/$PROFILE/flamekit"

# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags.
"$BIN" serve --listen 127.0.0.1:0 --max-queue 256 $SERVE_ARGS 2>"$OUT/server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q 'listening on' "$OUT/server.log" 2>/dev/null && break
  sleep 0.1
done
ADDR=$(sed -n 's/.*listening on //p' "$OUT/server.log" | head -1)
[[ -n "$ADDR" ]] || { cat "$OUT/server.log" >&2; exit 1; }
URL="$ADDR$ROUTE"

# One request first: it must succeed; the render preview must be a 1200x800 PNG.
curl -sf -o "$OUT/first-answer" --data-binary "@$TRACE" -H 'content-type: text/plain' "$URL"
if [[ "$ROUTE" == /api/v1/render ]]; then
  file "$OUT/first-answer" 2>/dev/null | grep -q '1200 x 800' || python3 - "$OUT/first-answer" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (1200, 800), (w, h)
PY
fi
UNIT=$([[ "$ROUTE" == /api/v1/render ]] && echo renders/s || echo requests/s)

REPORT="$OUT/report.md"
{
  echo "Trace: \`$(basename "$TRACE")\`, $(stat -c %s "$TRACE") bytes; \`POST $ROUTE\`; server flags: \`${SERVE_ARGS:-none}\`; $DURATION per level; $(nproc) cores; build: $PROFILE."
  echo
  echo "| concurrency | $UNIT | p50 | p99 | non-200 |"
  echo "|---:|---:|---:|---:|---:|"
} >"$REPORT"
for C in 1 8 64; do
  T=$((C < 2 ? 1 : 2))
  log "wrk -c $C -d $DURATION"
  BODY="$TRACE" wrk -t "$T" -c "$C" -d "$DURATION" --timeout 30s --latency -s "$HERE/post.lua" "$URL" >"$OUT/wrk-c$C.txt"
  RPS=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-c$C.txt")
  P50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-c$C.txt")
  P99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-c$C.txt")
  BAD=$(awk '/Non-2xx/ {print $NF}' "$OUT/wrk-c$C.txt")
  echo "| $C | $RPS | $P50 | $P99 | ${BAD:-0} |" >>"$REPORT"
done
PEAK=$(awk '/^VmHWM/ {print $2, $3}' "/proc/$SERVER/status")
{
  echo
  echo "Server peak RSS (VmHWM): $PEAK."
} >>"$REPORT"
cat "$REPORT"
