// The WebAssembly package's own behaviour, under Node and Deno: errors carry
// `.code`, options are checked, the async forms settle like the sync ones.
import assert from 'node:assert/strict'
import test from 'node:test'
import * as flamekit from '../index.js'

const TEXT = new TextEncoder().encode('a;b 3\na;c 1\n')
// A speedscope document (its $schema) with a syntax error: detected, then invalid JSON.
const BAD_JSON = new TextEncoder().encode('{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": [}')

test('errors are Errors with the stable code', async () => {
  const codes = flamekit.errorCodes()
  for (const [input, code] of [[new Uint8Array(), 'unsupported_format'], [BAD_JSON, 'invalid_json']]) {
    assert.throws(() => flamekit.load(input), (e) => e instanceof Error && e.code === code && codes.includes(code))
    await assert.rejects(flamekit.loadAsync(input), (e) => e instanceof Error && e.code === code)
  }
  assert.throws(() => flamekit.load(TEXT, null, { maxFrames: -1 }), (e) => e.code === 'invalid_argument')
  assert.throws(() => flamekit.load(TEXT, null, { maxFrames: 1 }), (e) => e.code === 'limit_exceeded')
  const g = flamekit.load(TEXT)
  assert.throws(() => g.renderPng({ theme: 'neon' }), (e) => e.code === 'invalid_argument')
  assert.throws(() => g.renderPng({ width: 'wide' }), (e) => e.code === 'invalid_argument')
  await assert.rejects(g.renderSvgAsync({ view: 'icicle' }), (e) => e.code === 'invalid_argument')
  assert.throws(() => g.topFunctions({ by: 'median' }), (e) => e.code === 'invalid_argument')
  assert.throws(() => flamekit.checkChatLimits({ sessionsPeriod: 'weekly' }, {}), (e) => e.code === 'invalid_argument')
  // No unwinding on wasm32: a panic is a RuntimeError, not a coded Error.
  assert.throws(() => flamekit._panicForTests(), (e) => e instanceof WebAssembly.RuntimeError)
})

test('a profile from text: weights, export, images', async () => {
  const g = await flamekit.loadAsync(TEXT, 'stacks.txt')
  assert.equal(g.frameCount, 3)
  // Two samples: at least a stack id (4 bytes) and a weight (8 bytes) each.
  assert.ok(g.heapBytes >= 2 * (4 + 8), `${g.heapBytes}`)
  const w = Object.fromEntries(g.frameWeights().map((f) => [f.name, [f.selfWeight, f.totalWeight]]))
  assert.deepEqual(w, { a: [0, 4], b: [3, 3], c: [1, 1] })
  assert.deepEqual(g.topFunctions({ limit: 1 }).map((r) => r.name), ['b'])
  assert.equal(JSON.parse(g.toSpeedscopeJson()).$schema, 'https://www.speedscope.app/file-format-schema.json')
  assert.deepEqual([...g.toSpeedscopeGzip().subarray(0, 2)], [0x1f, 0x8b])
  const png = await g.renderPngAsync({ width: 300, height: 200, theme: 'dark' })
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const ihdr = new DataView(png.buffer, png.byteOffset + 16, 8)
  assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], [300, 200])
  assert.match(g.renderSvg({ view: 'left_heavy' }), /^<\?xml [^>]*>\n<svg /)
  assert.equal(flamekit.validateSvg(new TextEncoder().encode(g.renderSvg())).allowed, true)
  const d = flamekit.diff(g, g)
  assert.equal(d.isZero, true)
  assert.deepEqual(d.functions.map((f) => f.relativeSelf), [undefined, 0, 0])
})

test('any thread count reads alike: WebAssembly starts no threads and reads on the calling one', async () => {
  // A .cpuprofile whose 200 nodes are more than one read-ahead batch (64),
  // so that more than one thread would walk its samples beside the
  // interning; plain, and gzip (a second thread would touch the inflated
  // pages).
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] }]
  for (let id = 2; id <= 200; id++) {
    nodes.push({ id, callFrame: { functionName: `f${id}`, url: 'app.js', lineNumber: id, columnNumber: 0 }, children: id < 200 ? [id + 1] : [] })
  }
  const doc = { nodes, startTime: 0, endTime: 30, samples: [200, 100, 200], timeDeltas: [0, 10, 10] }
  const plain = new TextEncoder().encode(JSON.stringify(doc))
  const gzip = new Uint8Array(await new Response(new Blob([plain]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer())
  for (const bytes of [plain, gzip]) {
    const [one, four] = [1, 4].map((threads) => flamekit.load(bytes, 'app.cpuprofile', undefined, { threads }))
    // The root is not shown: f2 … f200.
    assert.equal(one.frameCount, 199)
    assert.equal(four.toSpeedscopeJson(), one.toSpeedscopeJson())
  }
})
