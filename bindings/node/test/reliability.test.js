'use strict'
// Issue 14's attacks through the Node binding: every input is generated
// here; each call must return or throw an Error with a stable `.code` (the
// process survives), quickly and without ballooning memory.
const test = require('node:test')
const assert = require('node:assert/strict')
const zlib = require('node:zlib')
const flamekit = require('..')

// A stored zip. `entries`: [name, Buffer]; `central`: [name, entry index]
// (several central-directory records may point at the same data).
function zip(entries, central = entries.map(([n], i) => [n, i])) {
  const parts = []
  const offsets = []
  let off = 0
  for (const [name, data] of entries) {
    const h = Buffer.alloc(30)
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4)
    h.writeUInt32LE(zlib.crc32(data), 14); h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22)
    h.writeUInt16LE(Buffer.byteLength(name), 26)
    offsets.push(off)
    parts.push(h, Buffer.from(name), data)
    off += 30 + Buffer.byteLength(name) + data.length
  }
  const cdStart = off
  for (const [name, i] of central) {
    const data = entries[i][1]
    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6)
    c.writeUInt32LE(zlib.crc32(data), 16); c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24)
    c.writeUInt16LE(Buffer.byteLength(name), 28); c.writeUInt32LE(offsets[i], 42)
    parts.push(c, Buffer.from(name))
    off += 46 + Buffer.byteLength(name)
  }
  const e = Buffer.alloc(22)
  e.writeUInt32LE(0x06054b50, 0); e.writeUInt16LE(central.length, 8); e.writeUInt16LE(central.length, 10)
  e.writeUInt32LE(off - cdStart, 12); e.writeUInt32LE(cdStart, 16)
  parts.push(e)
  return Buffer.concat(parts)
}

function gzipZerosMib(mib) {
  const member = zlib.gzipSync(Buffer.alloc(1 << 20), { level: 9 })
  return Buffer.concat(Array(mib).fill(member))
}

function varint(v) {
  const out = []
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128) }
  out.push(v)
  return Buffer.from(out)
}

function pprofEmpty(n) {
  const parts = [Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]), Buffer.from('\x32\x01x\x32\x01x\x32\x01x', 'latin1')]
  parts.push(Buffer.alloc(2 * n, Buffer.from([0x32, 0x00])))
  for (let i = 1; i <= n; i++) {
    const body = Buffer.concat([Buffer.from([0x08]), varint(i)])
    parts.push(Buffer.from([0x22]), varint(body.length), body)
  }
  return Buffer.concat(parts)
}

function callgrind(events, lines) {
  const sym = '_Z1f200' + 'a'.repeat(200) + 'S_'.repeat(2600)
  let s = '# callgrind format\nevents: ' + Array.from({ length: events }, (_, e) => `E${e}`).join(' ') + '\nfl=a.c\n'
  for (let i = 0; i < lines; i++) {
    if (i % 1000 === 0) s += `fn=(${i / 1000}) ${sym}${i / 1000}\n`
    s += `${(i % 100) + 1} 5\n`
  }
  return Buffer.from(s)
}

// [code or 'ok', CPU seconds] of one load.
function attempt(data, limits) {
  const start = process.cpuUsage()
  let code = 'ok'
  try {
    flamekit.load(data, null, limits)
  } catch (e) {
    assert.ok(e instanceof Error && flamekit.errorCodes().includes(e.code), String(e))
    code = e.code
  }
  const used = process.cpuUsage(start)
  return [code, (used.user + used.system) / 1e6]
}

test('zip quine and overlapping entries', () => {
  let z = zip([['p.json', Buffer.from('{}')]])
  for (let i = 0; i < 8; i++) z = zip([['a.zip', z], ['b.zip', z]])
  assert.ok(['unsupported_format', 'invalid_profile'].includes(attempt(z)[0]))
  let o = zip([['p.txt', Buffer.from('x')]])
  for (let i = 0; i < 40; i++) o = zip([['a.txt', o]], [['a.txt', 0], ['b.txt', 0]])
  assert.ok(['unsupported_format', 'invalid_profile'].includes(attempt(o)[0]))
})

test('nested sniff bomb honours the caller\'s limit', () => {
  const gz = gzipZerosMib(64)
  const bomb = zip(Array.from({ length: 30 }, (_, i) => [`e${i}.bin`, gz]))
  const [code, secs] = attempt(bomb)
  assert.equal(code, 'limit_exceeded')
  assert.ok(secs < 3, `${secs} s`)
  assert.equal(attempt(bomb, { maxInflatedBytes: 10 << 20 })[0], 'limit_exceeded')
})

test('gzip bomb and empty-message pprof', () => {
  const before = process.memoryUsage().rss
  const [code, secs] = attempt(gzipZerosMib(4096))
  assert.equal(code, 'limit_exceeded')
  assert.ok(secs < 3, `${secs} s`)
  assert.equal(attempt(pprofEmpty(500000))[0], 'invalid_profile')
  assert.ok(process.memoryUsage().rss - before < 256 << 20)
})

test('mangled names, many events, long names', () => {
  assert.equal(attempt(callgrind(1, 20000))[0], 'ok')
  const [code, secs] = attempt(callgrind(9999, 20000))
  assert.equal(code, 'ok')
  assert.ok(secs < 3, `${secs} s`)
  const g = flamekit.load(Buffer.from('main 1\nmain;' + 'n'.repeat(1 << 20) + ' 3\n')) // a short first line lets detection see collapsed stacks
  assert.ok(g.frameWeights().every((f) => f.name.length <= 64 << 10))
})

test('weight overflow is refused', () => {
  const json = '{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","name":"p","unit":"none",' +
    '"startValue":0,"endValue":1,"samples":[[0],[0],[0]],"weights":[1e308,1e308,1e308]}]}'
  assert.equal(attempt(Buffer.from(json))[0], 'invalid_profile')
})
