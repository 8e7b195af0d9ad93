#!/usr/bin/env node
// One timed import in a fresh Node process: `node node-run.js TOOL FILE`.
// Prints one JSON line {tool, file, bytes, ms, peak_rss_kb}. The file is read
// into memory before the clock starts; the time covers what a backend would
// run on those bytes. Peak RSS is the process's VmHWM (input included).
//
// Tools:
//   speedscope-1.9  speedscope's importers from the @elg/speedscope fork
//                   (1.9), loaded from its release bundle and called as the
//                   app calls them on a dropped file:
//                   importProfilesFromArrayBuffer(fileName, arrayBuffer)
//                   (gzip inflate, text decode, JSON.parse, format detection,
//                   profile building).
//   pprof-format    gunzip (zlib) + Profile.decode from the pprof-format
//                   package: decoding only, no profile building.
//   flamekit-node   flamekit's Node addon: load(buffer, fileName).
'use strict'
const fs = require('fs')
const path = require('path')
const vm = require('vm')
const zlib = require('zlib')

function peakRssKb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) : 0
}

// The fork's release bundle is a Parcel 1 app: define its modules without
// running the app's entry points (they need a DOM), then load the lazy
// chunks (importers, demangler) the same way the page would.
function loadSpeedscope19() {
  const dir = path.join(__dirname, 'node_modules/@elg/speedscope/dist/release')
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js'))
  const main = files.find((f) => /^speedscope\.[0-9a-f]+\.js$/.test(f))
  if (!main) throw new Error(`no speedscope.*.js in ${dir}`)
  const src = fs.readFileSync(path.join(dir, main), 'utf8')
  const noEntries = src.replace(/\},\{\},\[[^\]]*\], null\)\s*(\/\/# sourceMappingURL=.*)?\s*$/, '},{},[], null)')
  if (noEntries === src) throw new Error('unexpected bundle layout: entry list not found')
  vm.runInThisContext(noEntries, { filename: main })
  for (const f of files) if (f !== main) vm.runInThisContext(fs.readFileSync(path.join(dir, f), 'utf8'), { filename: f })
  // The module that exports importProfilesFromArrayBuffer (src/import/index.ts).
  const modules = globalThis.parcelRequire.modules
  for (const id of Object.keys(modules)) {
    if (!/exports\.importProfilesFromArrayBuffer=/.test(modules[id][0].toString())) continue
    return globalThis.parcelRequire(id)
  }
  throw new Error('importProfilesFromArrayBuffer not found in the bundle')
}

async function main() {
  const [tool, file] = process.argv.slice(2)
  if (!tool || !file) {
    console.error('usage: node-run.js speedscope-1.9|pprof-format|flamekit-node FILE')
    process.exit(2)
  }
  const name = path.basename(file)
  let run
  if (tool === 'speedscope-1.9') {
    const importer = loadSpeedscope19()
    const log = console.log
    run = async (buf) => {
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
      console.log = () => {} // "Importing as ..." lines
      try {
        const g = await importer.importProfilesFromArrayBuffer(name, ab)
        if (!g || g.profiles.length === 0) throw new Error('speedscope 1.9 imported nothing')
        return g.profiles.length
      } finally {
        console.log = log
      }
    }
  } else if (tool === 'pprof-format') {
    const { Profile } = require('pprof-format')
    run = async (buf) => {
      const raw = buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf
      const p = Profile.decode(raw)
      return p.sample.length
    }
  } else if (tool === 'flamekit-node') {
    const fk = require(path.join(__dirname, '../../bindings/node'))
    run = async (buf) => fk.load(buf, name).profiles.length
  } else {
    throw new Error(`unknown tool ${tool}`)
  }
  const buf = fs.readFileSync(file)
  const t0 = process.hrtime.bigint()
  const result = await run(buf)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  console.log(JSON.stringify({ tool, file, bytes: buf.length, ms, peak_rss_kb: peakRssKb(), result }))
}

main().catch((e) => {
  console.error(`node-run: ${e && e.stack ? e.stack : e}`)
  process.exit(1)
})
