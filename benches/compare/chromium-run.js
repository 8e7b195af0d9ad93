#!/usr/bin/env node
// One timed import by the current speedscope (the `speedscope` npm package's
// browser bundle) in headless Chromium: `node chromium-run.js FILE`.
// Prints one JSON line {tool, file, bytes, ms, peak_rss_kb}.
//
// The bundle and FILE are served on 127.0.0.1 (an ephemeral port, nothing
// else); Chromium opens `index.html#profileURL=<FILE's URL>`, which is how
// speedscope is handed a file by URL: the app fetches it and calls its
// importer on the bytes. speedscope itself brackets that with
// console.time("import") / console.timeEnd("import") (fetch, gzip inflate,
// text decode, JSON.parse, import, demangling — up to the loaded profile,
// before drawing), and Chromium writes console messages to stderr with
// --enable-logging=stderr: `ms` is that "import: N ms". The fetch from the
// loopback server is included (tens of ms for 100 MB, next to seconds).
// Peak RSS is the VmHWM of the renderer process, read before Chromium is
// stopped. A fresh --user-data-dir is used for every run.
'use strict'
const fs = require('fs')
const http = require('http')
const os = require('os')
const path = require('path')
const { spawn } = require('child_process')

const TIMEOUT_MS = Number(process.env.CHROMIUM_TIMEOUT_MS || 900000)
const CHROMIUM = process.env.CHROMIUM || 'chromium'

function serve(root, file) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }
  const dataName = path.basename(file)
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0])
    let p
    if (url === `/data/${dataName}`) p = file
    else {
      const rel = url === '/' ? 'index.html' : url.slice(1)
      if (rel.includes('..') || rel.includes('/')) {
        res.writeHead(404)
        return res.end()
      }
      p = path.join(root, rel)
    }
    fs.stat(p, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404)
        return res.end()
      }
      res.writeHead(200, {
        'content-type': types[path.extname(p)] || 'application/octet-stream',
        'content-length': st.size,
      })
      fs.createReadStream(p).pipe(res)
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function descendants(pid) {
  // Every process whose parent chain reaches pid.
  const parent = new Map()
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parent.set(Number(d), ppid)
    } catch (_) {}
  }
  const out = []
  for (const p of parent.keys()) {
    let q = p
    for (let i = 0; i < 64 && q > 1; i++) {
      q = parent.get(q)
      if (q === pid) {
        out.push(p)
        break
      }
    }
  }
  return out
}

function rendererPeakKb(pid) {
  let best = 0
  for (const p of descendants(pid)) {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8')
      if (!cmd.includes('--type=renderer')) continue
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m) best = Math.max(best, Number(m[1]))
    } catch (_) {}
  }
  return best
}

async function main() {
  const file = path.resolve(process.argv[2] || '')
  if (!process.argv[2] || !fs.existsSync(file)) {
    console.error('usage: chromium-run.js FILE')
    process.exit(2)
  }
  const root = path.join(__dirname, 'node_modules/speedscope/dist/release')
  const server = await serve(root, file)
  const port = server.address().port
  const base = `http://127.0.0.1:${port}`
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fk-chromium-'))
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${userDir}`,
    '--enable-logging=stderr',
    '--v=0',
    `${base}/index.html#profileURL=${encodeURIComponent(`${base}/data/${path.basename(file)}`)}`,
  ]
  const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  let log = ''
  const result = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: `timed out after ${TIMEOUT_MS} ms` }), TIMEOUT_MS)
    child.on('error', (e) => resolve({ error: `cannot start ${CHROMIUM}: ${e.message}` }))
    child.on('exit', (code) => resolve({ error: `chromium exited (${code}) before the import finished` }))
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk) => {
      log += chunk
      if (log.length > 1 << 20) log = log.slice(-(1 << 19))
      const done = /"import: ([0-9.]+) (ms|s)"/.exec(log)
      if (done) {
        clearTimeout(timer)
        const ms = Number(done[1]) * (done[2] === 's' ? 1000 : 1)
        resolve({ ms, peak_rss_kb: rendererPeakKb(child.pid) })
      } else if (/Failed to load format|Unrecognized format/.test(log)) {
        clearTimeout(timer)
        resolve({ error: 'speedscope could not import the file' })
      }
    })
  })
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch (_) {}
  server.close()
  await new Promise((r) => setTimeout(r, 300))
  fs.rmSync(userDir, { recursive: true, force: true })
  if (result.error) {
    const tail = log.split('\n').filter((l) => /CONSOLE|ERROR/.test(l)).slice(-5).join('\n')
    console.error(`chromium-run: ${result.error}\n${tail}`)
    process.exit(1)
  }
  const bytes = fs.statSync(file).size
  console.log(JSON.stringify({ tool: 'speedscope-1.25-chromium', file, bytes, ...result }))
}

main().catch((e) => {
  console.error(`chromium-run: ${e && e.stack ? e.stack : e}`)
  process.exit(1)
})
