#!/usr/bin/env node
// Turn run.sh's results.jsonl into the markdown tables and the verdict on
// each target of the performance issue: `node report.js results.jsonl`.
'use strict'
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const lines = fs
  .readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l))
const machines = lines.filter((l) => l.kind === 'machine')
const rows = lines.filter((l) => l.tool)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}
const by = new Map() // "tool\0input" -> {ms: [], rss: [], errors: []}
for (const r of rows) {
  const k = `${r.tool}\0${r.input}`
  if (!by.has(k)) by.set(k, { ms: [], rss: [], errors: [] })
  const e = by.get(k)
  if (r.error) e.errors.push(r.error)
  else {
    const ms = r.result.ms ?? r.result.median_ms
    e.ms.push(ms)
    e.rss.push(r.result.peak_rss_kb)
  }
}
const stat = (tool, input) => {
  const e = by.get(`${tool}\0${input}`)
  if (!e) return null
  return { ms: median(e.ms), all: e.ms, rss: e.rss.length ? Math.max(...e.rss) : NaN, n: e.ms.length, errors: e.errors }
}

const inputs = [...new Set(rows.filter((r) => r.input).map((r) => r.input))]
const kind = (f) => {
  const b = path.basename(f)
  if (b.startsWith('collapsed')) return 'collapsed'
  if (b.startsWith('cpu')) return 'cpuprofile'
  if (b.startsWith('trace')) return 'trace'
  if (b.startsWith('pprof')) return 'pprof'
  if (b.startsWith('perf')) return 'perf'
  if (b.startsWith('speedscope')) return 'speedscope'
  return b
}
// The flamekit-gen stack shape, from the file name (`collapsed-distinct-10MB.txt`).
const shapeOf = (f) => (path.basename(f).match(/-(callgraph|distinct|wide|deep)-/) || [, 'callgraph'])[1]
const sizeOf = (f) => fs.statSync(f).size
const rawSizeOf = (f) => (f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)).length : sizeOf(f))
// The full-size inputs are those speedscope ran on (or, without it, the larger of each kind).
const full = []
const half = []
const shapes = [...new Set(inputs.map(shapeOf))]
for (const sh of shapes) {
  for (const k of ['collapsed', 'cpuprofile', 'trace', 'speedscope', 'pprof', 'perf']) {
    const fs_ = inputs.filter((f) => kind(f) === k && shapeOf(f) === sh).sort((a, b) => sizeOf(b) - sizeOf(a))
    if (fs_[0]) full.push(fs_[0])
    if (fs_[1]) half.push([fs_[0], fs_[1]])
  }
}

const MB = (b) => (b / 1e6).toFixed(1)
const fmtMs = (s) => (!s ? '—' : s.errors.length && !s.n ? 'failed' : s.ms >= 10000 ? `${(s.ms / 1000).toFixed(1)} s` : `${s.ms.toFixed(s.ms < 100 ? 1 : 0)} ms`)
// Peak RSS is read in KiB (VmHWM) and shown in MiB; input sizes are in MB (10^6 bytes).
const fmtRss = (s) => (!s || !s.n ? '—' : `${(s.rss / 1024).toFixed(0)} MiB`)
const ratio = (a, b) => (a && b && a.n && b.n ? a.ms / b.ms : NaN)
// The two sides of a ratio that run.sh runs in turn (in_turn): the median
// of each round's ratio, so that a slow period counts on both sides of the
// round it falls in. With a failed run on either side the rounds no longer
// pair up, and the ratio is of the medians.
const paired = (a, b) =>
  a && b && a.n && b.n && a.n === b.n && !a.errors.length && !b.errors.length
    ? median(a.all.map((x, i) => x / b.all[i]))
    : ratio(a, b)
const fmtX = (x) => (Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}x` : '—')
// For a verdict against a limit: three decimals, so that a ratio just past
// the limit does not read as the limit (1.596x is not 1.6x).
const fmtX3 = (x) => (Number.isFinite(x) ? `${x.toFixed(3)}x` : '—')
const out = []
const p = (s = '') => out.push(s)

const m0 = machines.find((m) => m.when === 'start') || {}
const m1 = machines.find((m) => m.when === 'end') || {}
p('## Machine')
p()
p(`- CPU: ${m0.cpu}, nproc ${m0.nproc}`)
const resumed = machines.filter((m) => m.when === 'resume').map((m) => `, ${m.loadavg} on resuming (RESUME=1)`)
p(`- load average (1, 5, 15 min): ${m0.loadavg} at start${resumed.join('')}, ${m1.loadavg} at end`)
p(`- Node ${m0.node}; ${m0.chromium}; ${m0.runs} run(s) per cell, each a fresh process; cells are medians; the two sides of a ratio run in turn, and such a ratio is the median of the rounds' ratios`)
if (m0.chromium_skipped) p(`- speedscope 1.25 in Chromium skipped: ${m0.chromium_skipped}`)
p()

const TOOLS = [
  ['flamekit', 'flamekit (Rust, in-process)'],
  ['flamekit-1t', 'flamekit (Rust, 1 thread)'],
  ['flamekit-node', 'flamekit Node addon'],
  ['flamekit-cli', 'flamekit CLI (process)'],
  ['speedscope-1.9', 'speedscope 1.9 (Node)'],
  ['speedscope-1.25-chromium', 'speedscope 1.25 (Chromium)'],
  ['pprof-format', 'pprof-format (decode only)'],
  ['serde-value', 'serde_json → Value'],
  ['serde-ignored', 'serde_json → IgnoredAny'],
  ['inflate', 'gzip inflate only (flate2)'],
  ['flamekit-svg', 'flamekit render --svg (process)'],
  ['inferno-flamegraph', 'inferno-flamegraph (process)'],
  ['inferno-collapse-perf', 'inferno-collapse-perf (process)'],
]
// Only the tools that ran on at least one input of the table.
const toolsFor = (files) => TOOLS.filter(([t]) => files.some((f) => stat(t, f)))
for (const sh of shapes) {
  const files = full.filter((f) => shapeOf(f) === sh)
  const tools = toolsFor(files)
  p(`## Shape \`${sh}\`: import time (median)`)
  p()
  p(`| input | size | ${tools.map((t) => t[1]).join(' | ')} |`)
  p(`|---|---:|${tools.map(() => '---:').join('|')}|`)
  for (const f of files) {
    const size = f.endsWith('.gz') ? `${MB(sizeOf(f))} MB gz (${MB(rawSizeOf(f))} MB raw)` : `${MB(sizeOf(f))} MB`
    p(`| ${path.basename(f)} | ${size} | ${tools.map(([t]) => fmtMs(stat(t, f))).join(' | ')} |`)
  }
  p()
  p(`## Shape \`${sh}\`: peak RSS (max over runs; input bytes included)`)
  p()
  p(`| input | ${tools.map((t) => t[1]).join(' | ')} |`)
  p(`|---|${tools.map(() => '---:').join('|')}|`)
  for (const f of files) p(`| ${path.basename(f)} | ${tools.map(([t]) => fmtRss(stat(t, f))).join(' | ')} |`)
  p()
}
const verdicts = []
const verdict = (ok, text) => verdicts.push(`- ${ok === null ? 'n/a ' : ok ? 'MET ' : 'NOT MET '} — ${text}`)
for (const sh of shapes) {
p(`## Shape \`${sh}\`: ratios`)
p()
p('| input | flamekit MB/s (Rust) | flamekit peak RSS ÷ input | flamekit ÷ serde_json IgnoredAny | 1 thread ÷ all cores | speedscope 1.9 Node ÷ flamekit Node addon | speedscope 1.9 Node ÷ flamekit Rust | speedscope 1.25 Chromium ÷ flamekit Node addon | inferno ÷ flamekit (process) |')
p('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const f of full.filter((f) => shapeOf(f) === sh)) {
  const fk = stat('flamekit', f)
  const node = stat('flamekit-node', f)
  const s19 = stat('speedscope-1.9', f)
  const s125 = stat('speedscope-1.25-chromium', f)
  const sv = stat('serde-value', f)
  const si = stat('serde-ignored', f)
  const one = stat('flamekit-1t', f)
  const raw = rawSizeOf(f)
  const mbs = fk && fk.n ? raw / 1e6 / (fk.ms / 1000) : NaN
  const rssX = fk && fk.n ? (fk.rss * 1024) / raw : NaN
  const k = kind(f)
  // inferno beside flamekit, whole processes: the SVG flame graph of a
  // collapsed file; perf script to collapsed stacks vs flamekit's import (CLI).
  const inf =
    k === 'collapsed' ? paired(stat('inferno-flamegraph', f), stat('flamekit-svg', f))
    : k === 'perf' ? paired(stat('inferno-collapse-perf', f), stat('flamekit-cli', f))
    : NaN
  const speedup = paired(one, fk)
  p(`| ${path.basename(f)} | ${Number.isFinite(mbs) ? mbs.toFixed(0) : '—'} | ${fmtX(rssX)} | ${si ? fmtX(paired(fk, si)) : '—'} | ${fmtX(speedup)} | ${fmtX(ratio(s19, node))} | ${fmtX(ratio(s19, fk))} | ${fmtX(ratio(s125, node))} | ${fmtX(inf)} |`)
  // Issue 18's targets.
  const where = `${k} (${sh})`
  if (k === 'collapsed' || k === 'perf') {
    verdict(mbs >= 500, `${where}: ≥ 500 MB/s: ${Number.isFinite(mbs) ? mbs.toFixed(0) : '—'} MB/s (Rust in-process)`)
    verdict(rssX <= 2, `${where}: peak RSS ≤ 2x input: ${fmtX(rssX)}`)
  }
  if (k === 'pprof') {
    // The floor: inflating the gzip input, before anything is decoded.
    const inf = stat('inflate', f)
    const floor = inf && inf.n ? `; inflating alone: ${(raw / 1e6 / (inf.ms / 1000)).toFixed(0)} MB/s, ${fmtX(paired(fk, inf))} of it` : ''
    verdict(mbs >= 300, `${where}: ≥ 300 MB/s of inflated bytes: ${Number.isFinite(mbs) ? mbs.toFixed(0) : '—'} MB/s${floor}`)
  }
  if (si && si.n) verdict(paired(fk, si) <= 2.5, `${where}: import ≤ 2.5x an IgnoredAny scan: ${fmtX3(paired(fk, si))}`)
  if ((k === 'collapsed' || k === 'perf' || k === 'trace') && Number.isFinite(speedup) && raw >= 50e6) {
    verdict(speedup >= 1.6, `${where}: all cores ≥ 1.6x one thread (${MB(raw)} MB): ${fmtX3(speedup)}`)
  }
  const want = k === 'collapsed' || k === 'trace' ? 50 : k === 'cpuprofile' || k === 'pprof' ? 10 : null
  if (want) {
    for (const [peer, name] of [
      [s19, 'speedscope 1.9 in Node'],
      [s125, 'speedscope 1.25 in Chromium'],
    ]) {
      const x = ratio(peer, node)
      if (Number.isFinite(x)) verdict(x >= want, `${k}: ≥ ${want}x faster than ${name} (flamekit Node addon): ${fmtX(x)}`)
    }
  }
  if (sv && sv.n) verdict(ratio(fk, sv) <= 1.5, `${where}: import ≤ 1.5x a bare serde_json parse (to Value): ${fmtX(ratio(fk, sv))}`)
  if (fk && fk.n) verdict(rssX <= 3, `${where}: peak RSS ≤ 3x input${f.endsWith('.gz') ? ' (inflated size)' : ''}: ${fmtX(rssX)} (${(fk.rss / 1024).toFixed(0)} MiB for ${MB(raw)} MB)`)
}
p()
}
if (half.length) {
  p('## Linearity (flamekit Rust, in-process)')
  p()
  p('| format | shape | half input | time | full input | time | time ratio | size ratio |')
  p('|---|---|---:|---:|---:|---:|---:|---:|')
  for (const [big, small] of half) {
    const a = stat('flamekit', small)
    const b = stat('flamekit', big)
    const tr = paired(b, a)
    const sr = rawSizeOf(big) / rawSizeOf(small)
    p(`| ${kind(big)} | ${shapeOf(big)} | ${MB(rawSizeOf(small))} MB | ${fmtMs(a)} | ${MB(rawSizeOf(big))} MB | ${fmtMs(b)} | ${tr.toFixed(2)} | ${sr.toFixed(2)} |`)
    verdict(tr <= 1.1 * sr, `${kind(big)} (${shapeOf(big)}): time linear in size (${sr.toFixed(2)}x input → ${tr.toFixed(2)}x time; limit ${(1.1 * sr).toFixed(2)}x)`)
  }
  p()
}
const r1 = stat('render-time-order', '')
const r2 = stat('render-left-heavy', '')
if (r1 || r2) {
  p('## Render (PNG 1200x800, generated 1M-sample profile, profile built before timing)')
  p()
  p('| view | time | peak RSS |')
  p('|---|---:|---:|')
  for (const [name, s] of [
    ['time order', r1],
    ['left heavy', r2],
  ]) {
    if (!s) continue
    p(`| ${name} | ${fmtMs(s)} | ${fmtRss(s)} |`)
    verdict(s.ms <= 100, `render ${name} 1200x800 of 1M samples ≤ 100 ms: ${fmtMs(s)}`)
  }
  p()
}
const failed = [...by.entries()].filter(([, e]) => e.errors.length)
if (failed.length) {
  p('## Failures')
  p()
  for (const [k, e] of failed) {
    const [tool, f] = k.split('\0')
    p(`- ${tool} on ${path.basename(f)}: ${e.errors[0].slice(0, 300)}`)
  }
  p()
}
p('## Targets')
p()
for (const v of verdicts) p(v)
console.log(out.join('\n'))
