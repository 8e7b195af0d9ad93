#!/usr/bin/env bash
# flamekit vs speedscope's importer and inferno, on the same generated files,
# in one run, on two stack shapes (SHAPES, default "callgraph distinct").
#
#   benches/compare/run.sh            # full run (100 MB inputs, 3 runs each)
#   QUICK=1 benches/compare/run.sh    # 10 MB inputs, 1 run each (a smoke test)
#
# Installs what it needs: the npm peers (from package-lock.json, into
# benches/compare/node_modules), inferno (the published crate, `cargo install`
# into target/inferno), Debian's chromium and GNU time via apt when
# missing (root only; without chromium that column is skipped and says why).
# Builds flamekit-gen, the CLI, the floor timer (benches/floor.rs) and the
# Node addon in release mode, generates the inputs (deterministic, seed 1)
# under target/compare/, times every tool on every file (each run a fresh
# process), then prints the ratio table (report.js), also written to
# target/compare/report.md.
#
# Environment: RUNS (default 3), QUICK=1, DATA (input dir), SKIP_CHROMIUM=1,
# SKIP_SPEEDSCOPE=1 (flamekit and floors only), SKIP_INFERNO=1, CHROMIUM
# (browser binary), SHAPES (flamekit-gen --shape values, space-separated),
# TOOL_TIMEOUT (seconds one run of one tool may take, default 300: a run
# that takes longer is killed and recorded as failed, and the cell's other
# runs are skipped), RESUME=1 (keep
# results.jsonl and run only the cells that have fewer than RUNS results,
# e.g. after an interrupted run). A tool that fails is recorded as failed
# and the run goes on.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# stdin, /dev/null, ROOT, CARGO_TARGET_DIR, PYTHON, make_venv: scripts/common.sh.
source "$HERE/../../scripts/common.sh"
OUTDIR="$ROOT/target/compare"
DATA=${DATA:-$OUTDIR/data}
RESULTS="$OUTDIR/results.jsonl"
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=${RUNS:-1}
  BIG=10MB HALF=5MB CPU=4.4MB CPUHALF=2.2MB
else
  RUNS=${RUNS:-3}
  BIG=100MB HALF=50MB CPU=44MB CPUHALF=22MB
fi
mkdir -p "$OUTDIR" "$DATA"
log() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
need_apt=()
[[ -x /usr/bin/time ]] || need_apt+=(time)
CHROMIUM=${CHROMIUM:-chromium}
if [[ "${SKIP_CHROMIUM:-0}" != 1 && "${SKIP_SPEEDSCOPE:-0}" != 1 ]] && ! command -v "$CHROMIUM" >/dev/null; then
  need_apt+=(chromium)
fi
if ((${#need_apt[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "apt-get install ${need_apt[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
  else
    log "missing ${need_apt[*]} and cannot apt-get install (not root): install them first"
  fi
fi
CHROMIUM_SKIP_REASON=""
if [[ "${SKIP_CHROMIUM:-0}" == 1 ]]; then
  CHROMIUM_SKIP_REASON="SKIP_CHROMIUM=1"
elif ! command -v "$CHROMIUM" >/dev/null; then
  CHROMIUM_SKIP_REASON="no $CHROMIUM binary (apt-get install chromium failed or not root)"
fi
for t in node npm cargo; do
  command -v $t >/dev/null || { log "$t is required"; exit 1; }
done

if [[ ! -d "$HERE/node_modules/speedscope" || "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]]; then
  log "npm ci (speedscope, @elg/speedscope, pprof-format)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

log "cargo build --release (flamekit-gen, flamekit CLI, floor timer)"
(cd "$ROOT" && cargo build --release -q -p flamekit-gen -p flamekit-cli >&2)
FLOOR=$(cd "$ROOT" && cargo bench --no-run --bench floor --message-format=json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){try{const m=JSON.parse(l);if(m.executable&&m.target&&m.target.name==="floor")console.log(m.executable)}catch(e){}}})' | tail -1)
[[ -x "$FLOOR" ]] || { log "could not build benches/floor.rs"; exit 1; }
GEN="$ROOT/target/release/flamekit-gen"
CLI="$ROOT/target/release/flamekit"

INFERNO_DIR="$ROOT/target/inferno"
if [[ "${SKIP_INFERNO:-0}" != 1 && ! -x "$INFERNO_DIR/bin/inferno-flamegraph" ]]; then
  log "cargo install inferno (into $INFERNO_DIR)"
  cargo install -q --locked inferno --root "$INFERNO_DIR" >&2 || log "cargo install inferno failed: inferno columns skipped"
fi
INFERNO_OK=0
[[ "${SKIP_INFERNO:-0}" != 1 && -x "$INFERNO_DIR/bin/inferno-flamegraph" ]] && INFERNO_OK=1

log "Node addon (napi build --release)"
(
  cd "$ROOT/bindings/node"
  [[ -d node_modules/@napi-rs/cli ]] || npm ci --no-audit --no-fund --loglevel=error >&2
  npx napi build --platform --release >&2
)

# --- inputs ------------------------------------------------------------------
gen() { # format size file [extra args]
  local fmt=$1 size=$2 file=$DATA/$3
  shift 3
  if [[ ! -s "$file" ]]; then
    log "generate $file"
    "$GEN" "$fmt" --size "$size" "$@" -o "$file" >&2
  fi
  echo "$file"
}
SHAPES=${SHAPES:-callgraph distinct}
FULL=()
# HALF_OF[full input]: the half-size input of the same format and shape, for
# the linearity check.
declare -A HALF_OF=()
for shape in $SHAPES; do
  FULL+=(
    "$(gen collapsed $BIG collapsed-$shape-$BIG.txt --shape $shape)"
    "$(gen cpuprofile $CPU cpu-$shape-$CPU.cpuprofile --shape $shape)"
    "$(gen trace $BIG trace-$shape-$BIG-8threads.json --threads 8 --shape $shape)"
    "$(gen speedscope $BIG speedscope-$shape-$BIG.speedscope.json --shape $shape)"
    "$(gen pprof $BIG pprof-$shape-$BIG.pb.gz --shape $shape)"
    "$(gen perf $BIG perf-$shape-$BIG.txt --shape $shape)"
  )
  HALF_OF[$DATA/collapsed-$shape-$BIG.txt]=$(gen collapsed $HALF collapsed-$shape-$HALF.txt --shape $shape)
  HALF_OF[$DATA/cpu-$shape-$CPU.cpuprofile]=$(gen cpuprofile $CPUHALF cpu-$shape-$CPUHALF.cpuprofile --shape $shape)
  HALF_OF[$DATA/trace-$shape-$BIG-8threads.json]=$(gen trace $HALF trace-$shape-$HALF-8threads.json --threads 8 --shape $shape)
  HALF_OF[$DATA/pprof-$shape-$BIG.pb.gz]=$(gen pprof $HALF pprof-$shape-$HALF.pb.gz --shape $shape)
  HALF_OF[$DATA/perf-$shape-$BIG.txt]=$(gen perf $HALF perf-$shape-$HALF.txt --shape $shape)
done

# --- runs --------------------------------------------------------------------
[[ "${RESUME:-0}" == 1 && -f "$RESULTS" ]] || : >"$RESULTS"
TOOL_TIMEOUT=${TOOL_TIMEOUT:-300}
record() { printf '%s\n' "$1" >>"$RESULTS"; }
esc() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
machine() {
  local cpu load
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  record "{\"kind\":\"machine\",\"when\":$(esc "$1"),\"nproc\":$(nproc),\"cpu\":$(esc "$cpu"),\"loadavg\":$(esc "$load"),\"node\":$(esc "$(node --version)"),\"chromium\":$(esc "$("$CHROMIUM" --version 2>/dev/null || echo none)"),\"runs\":$RUNS,\"chromium_skipped\":$(esc "$CHROMIUM_SKIP_REASON")}"
}
# run TOOL FILE: one fresh process, appends its JSON line (or an error line).
run() {
  local tool=$1 file=$2 out status=0
  case $tool in
    flamekit | flamekit-1t | serde-value | serde-ignored | inflate)
      out=$(timeout "$TOOL_TIMEOUT" "$FLOOR" --mode "$tool" --file "$file" --runs 1 2>&1 | tail -1) || status=$? ;;
    flamekit-svg | inferno-flamegraph | inferno-collapse-perf)
      # Whole processes: flamekit's merged flame graph as SVG beside
      # inferno's (same collapsed file), inferno's perf-script collapse.
      local cmd
      case $tool in
        flamekit-svg) cmd=("$CLI" render --svg --view left-heavy -o /dev/null "$file") ;;
        inferno-flamegraph) cmd=("$INFERNO_DIR/bin/inferno-flamegraph" "$file") ;;
        inferno-collapse-perf) cmd=("$INFERNO_DIR/bin/inferno-collapse-perf" "$file") ;;
      esac
      out=$(timeout "$TOOL_TIMEOUT" /usr/bin/time -f '%e %M' "${cmd[@]}" 2>&1 >/dev/null | tail -1) || status=$?
      if [[ $out =~ ^([0-9.]+)\ ([0-9]+)$ ]]; then
        out="{\"ms\":$(node -e "console.log(${BASH_REMATCH[1]}*1000)"),\"peak_rss_kb\":${BASH_REMATCH[2]}}"
      fi ;;
    flamekit-cli)
      # Whole process: read, detect, import, rank (top 1), exit.
      out=$(timeout "$TOOL_TIMEOUT" /usr/bin/time -f '%e %M' "$CLI" top --limit 1 -q "$file" 2>&1 >/dev/null | tail -1) || status=$?
      if [[ $out =~ ^([0-9.]+)\ ([0-9]+)$ ]]; then
        out="{\"ms\":$(node -e "console.log(${BASH_REMATCH[1]}*1000)"),\"peak_rss_kb\":${BASH_REMATCH[2]}}"
      fi ;;
    speedscope-1.9 | pprof-format | flamekit-node)
      out=$(timeout "$TOOL_TIMEOUT" node --max-old-space-size=16384 "$HERE/node-run.js" "$tool" "$file" 2>&1 | tail -1) || status=$? ;;
    speedscope-1.25-chromium)
      out=$(timeout "$TOOL_TIMEOUT" node "$HERE/chromium-run.js" "$file" 2>&1 | tail -1) || status=$? ;;
    render-time-order | render-left-heavy)
      out=$(timeout "$TOOL_TIMEOUT" "$FLOOR" --mode "$tool" --runs 1 2>&1 | tail -1) || status=$? ;;
  esac
  TIMED_OUT=0
  if ((status == 124)); then
    TIMED_OUT=1
    out="timed out after $TOOL_TIMEOUT s (TOOL_TIMEOUT)"
  fi
  if [[ $out == \{* ]]; then
    record "{\"tool\":$(esc "$tool"),\"input\":$(esc "$file"),\"result\":$out}"
  else
    log "$tool $(basename "$file"): FAILED: $out"
    record "{\"tool\":$(esc "$tool"),\"input\":$(esc "$file"),\"error\":$(esc "$out")}"
  fi
}
# have TOOL FILE: the runs of TOOL on FILE already recorded (RESUME=1), else 0.
have() {
  if [[ "${RESUME:-0}" == 1 ]]; then
    grep -cF "{\"tool\":$(esc "$1"),\"input\":$(esc "$2")," "$RESULTS" || true
  else
    echo 0
  fi
}
# in_turn CELL...: RUNS rounds; each round runs every CELL ("TOOL FILE")
# once, in the order given. The tools a ratio compares (all cores and one
# thread, an importer and its floor, the half and full inputs of the
# linearity check, flamekit and inferno) are run in turn like this, so that
# both sides of a ratio see the same periods of a shared, noisy machine.
in_turn() {
  local i cell tool f
  local -A stopped=()
  for ((i = 0; i < RUNS; i++)); do
    for cell in "$@"; do
      tool=${cell%% *}
      f=${cell#* }
      if [[ -n ${stopped["$cell"]:-} ]]; then
        # An earlier run timed out; this one would too.
        record "{\"tool\":$(esc "$tool"),\"input\":$(esc "$f"),\"error\":\"not run: an earlier run timed out\"}"
      elif (($(have "$tool" "$f") <= i)); then
        run "$tool" "$f"
        if ((TIMED_OUT)); then stopped["$cell"]=1; fi
      fi
    done
  done
}
runs() { # TOOL FILE...: RUNS runs of TOOL on each FILE, taking the files in turn
  local tool=$1 f cells=()
  shift
  for f in "$@"; do cells+=("$tool $f"); done
  in_turn "${cells[@]}"
}

if [[ "${RESUME:-0}" == 1 ]] && grep -q '"when":"start"' "$RESULTS"; then machine resume; else machine start; fi
for f in "${FULL[@]}"; do
  log "$(basename "$f")"
  # Each ratio's two sides in turn (see in_turn).
  cells=("flamekit $f")
  if [[ -n ${HALF_OF[$f]:-} ]]; then cells+=("flamekit ${HALF_OF[$f]}"); fi
  cells+=("flamekit-1t $f")
  case $f in
    *.json | *.cpuprofile) cells+=("serde-ignored $f") ;;
    *.pb.gz) cells+=("inflate $f") ;;
  esac
  in_turn "${cells[@]}"
  runs flamekit-node "$f"
  case $(basename "$f") in
    perf-*) if ((INFERNO_OK)); then in_turn "flamekit-cli $f" "inferno-collapse-perf $f"; else runs flamekit-cli "$f"; fi ;;
    *) runs flamekit-cli "$f" ;;
  esac
  case $f in
    *.json | *.cpuprofile) runs serde-value "$f" ;;
    *.pb.gz) runs pprof-format "$f" ;;
  esac
  case $(basename "$f") in
    collapsed-*) if ((INFERNO_OK)); then in_turn "flamekit-svg $f" "inferno-flamegraph $f"; else runs flamekit-svg "$f"; fi ;;
  esac
  if [[ "${SKIP_SPEEDSCOPE:-0}" != 1 ]]; then
    runs speedscope-1.9 "$f"
    if [[ -z $CHROMIUM_SKIP_REASON ]]; then runs speedscope-1.25-chromium "$f"; fi
  fi
done
log "render 1200x800 of a 1M-sample profile"
runs render-time-order ""
runs render-left-heavy ""
machine end

node "$HERE/report.js" "$RESULTS" | tee "$OUTDIR/report.md"
