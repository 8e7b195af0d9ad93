'use strict'
// The Node surface of flamekit: inputs, errors, exports, rendering, async.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')
const flamekit = require('..')
const { corpusRoot, bigSpeedscope } = require('./helpers')

const TWO = path.join(corpusRoot(), 'speedscope/0.6.0/two-sampled.speedscope.json')

test('load takes a path, a Buffer or a Uint8Array', () => {
  const raw = fs.readFileSync(TWO)
  for (const input of [TWO, raw, new Uint8Array(raw)]) {
    const g = flamekit.load(input)
    assert.equal(g.name, 'Two Samples')
    assert.deepEqual(g.profiles.map((p) => p.name), ['one', 'two'])
    assert.equal(g.durationMs, 14000)
  }
  assert.throws(() => flamekit.load(42))
})

test('errors are Errors with the stable code', () => {
  // One code per variant of the library's Error (flamekit::Error::CODES), invalid_source_map included.
  assert.deepEqual(flamekit.errorCodes().length, 11)
  assert.ok(flamekit.errorCodes().includes('invalid_source_map'))
  assert.throws(() => flamekit.load('/nonexistent/profile.json'), (e) => e instanceof Error && e.code === 'io_error' && /nonexistent/.test(e.message))
  assert.throws(
    () => flamekit.load(Buffer.from('a;b;c 1\n'), null, { maxStackDepth: 2 }),
    (e) => e.code === 'limit_exceeded' && /max_stack_depth/.test(e.message),
  )
  assert.throws(() => flamekit.load(Buffer.from('a 1\n'), null, { maxFrames: -1 }), (e) => e.code === 'invalid_argument')
  assert.equal(flamekit.defaultIngestLimits().maxFrames, 5000000)
})

test('truncated input never aborts the process', () => {
  const raw = fs.readFileSync(path.join(corpusRoot(), 'speedscope/0.0.1/simple.speedscope.json'))
  for (let n = 0; n < raw.length; n += 7) {
    try {
      flamekit.load(raw.subarray(0, n))
    } catch (e) {
      assert.ok(flamekit.errorCodes().includes(e.code), e.message)
    }
  }
})

test('speedscope export round-trips', () => {
  const g = flamekit.load(TWO)
  const text = g.toSpeedscopeJson()
  const doc = JSON.parse(text)
  assert.deepEqual(doc.shared.frames.map((f) => f.name), ['a', 'b', 'c', 'd'])
  const gz = g.toSpeedscopeGzip()
  assert.ok(Buffer.isBuffer(gz))
  assert.equal(zlib.gunzipSync(gz).toString(), text)
  const again = flamekit.load(gz)
  assert.deepEqual(again.frameWeights(0), g.frameWeights(0))
  assert.deepEqual(JSON.parse(g.dump()).profiles[0].stacks, ['a;b;c 2', 'a;b;d 4', 'a;b;c 3', 'a;b 5'])
})

test('import report', () => {
  const g = flamekit.load(Buffer.from('a;b 3\nnot a stack line\na 1\n'), 'x.txt')
  assert.equal(g.profileType, 'collapsed')
  assert.equal(g.name, 'x.txt')
  assert.equal(g.report.warningCount, 1)
  assert.equal(g.report.warnings[0].location, 'line 2')
  assert.equal(g.profiles[0].totalWeight, 4)
  assert.equal(g.profiles[0].durationMs, undefined)
})

test('renderPng / renderSvg', async () => {
  const g = flamekit.load(TWO)
  const png = g.renderPng({ width: 300, height: 200, theme: 'dark', view: 'left_heavy' })
  assert.ok(Buffer.isBuffer(png))
  assert.equal(png.readUInt32BE(16), 300)
  assert.equal(png.readUInt32BE(20), 200)
  assert.deepEqual(await g.renderPngAsync({ width: 300, height: 200, theme: 'dark', view: 'left_heavy' }), png)
  const svg = g.renderSvg({ view: 'sandwich', frame: 'c', profile: 0 })
  assert.match(svg, />c<\/text>/)
  assert.equal(await g.renderSvgAsync({ view: 'sandwich', frame: 'c', profile: 0 }), svg)
  assert.throws(() => g.renderPng({ width: 0 }), (e) => e.code === 'invalid_argument')
})

test('the event loop stays responsive while a large render runs async', async () => {
  const input = bigSpeedscope(1_000_000)
  const g = await flamekit.loadAsync(input, 'big.speedscope.json')
  assert.equal(g.profiles[0].sampleCount, 1_000_000)

  // Measure timer ticks and the longest gap between them while `work` runs.
  async function measure(work) {
    let ticks = 0
    let last = performance.now()
    let worst = 0
    const timer = setInterval(() => {
      const now = performance.now()
      worst = Math.max(worst, now - last)
      last = now
      ticks++
    }, 5)
    const t0 = performance.now()
    const result = await work()
    const elapsed = performance.now() - t0
    const now = performance.now()
    worst = Math.max(worst, now - last)
    clearInterval(timer)
    return { result, elapsed, ticks, worst }
  }

  // The render, synchronously: the timer cannot fire until it returns.
  // Self-calibrating: the first size whose render takes long enough for the
  // check to mean something (a fast machine renders 1,000,000 samples at
  // 1600x1000 in under 100 ms).
  let opts
  let sync
  for (const [width, height] of [[1600, 1000], [3200, 2000], [6400, 4000]]) {
    opts = { view: 'time_order', width, height }
    sync = await measure(async () => g.renderPng(opts))
    if (sync.elapsed > 100) break
  }
  const async_ = await measure(() => g.renderPngAsync(opts))
  console.log(
    `render of ${g.profiles[0].sampleCount} samples at ${opts.width}x${opts.height}: ` +
      `sync ${sync.elapsed.toFixed(0)} ms (${sync.ticks} ticks), ` +
      `async ${async_.elapsed.toFixed(0)} ms (${async_.ticks} ticks, longest gap ${async_.worst.toFixed(1)} ms)`,
  )
  assert.deepEqual(async_.result, sync.result)
  assert.ok(sync.elapsed > 100, 'the render is long enough for the check to mean something')
  assert.equal(sync.ticks, 0, 'a blocking call starves the timer (the check can fail)')
  assert.ok(async_.ticks >= 5, `timer fired ${async_.ticks} times`)
  assert.ok(async_.worst < async_.elapsed / 2, `longest gap ${async_.worst} ms of ${async_.elapsed} ms`)
})

test('a panic becomes an internal_error Error', () => {
  assert.throws(() => flamekit._panicForTests(), (e) => e instanceof Error && e.code === 'internal_error' && /deliberate panic/.test(e.message))
  assert.equal(flamekit.load(Buffer.from('a;b 1\n')).frameCount, 2)
})

test('heapBytes counts the samples', () => {
  // 1,000 lines, each a sample: at least a stack id (4 bytes) and a weight (8 bytes) each.
  const text = Array.from({ length: 1000 }, (_, i) => `main;f${i} 1\n`).join('')
  const g = flamekit.load(Buffer.from(text))
  assert.ok(g.heapBytes >= 1000 * (4 + 8), `${g.heapBytes}`)
  assert.ok(g.heapBytes > flamekit.load(Buffer.from('a;b 1\n')).heapBytes)
})

test('topFunctions and summary', () => {
  const g = flamekit.load(TWO)
  const rows = g.topFunctions({ profile: 0, by: 'total', offset: 1, limit: 2 })
  assert.deepEqual(rows.map((r) => [r.rank, r.name, r.totalWeight]), [[1, 'b', 14], [2, 'c', 5]])
  assert.equal(rows[0].totalPercent, 100)
  assert.deepEqual(g.topFunctions().map((r) => r.name), ['b', 'c', 'd', 'a'])
  assert.throws(() => g.topFunctions({ by: 'median' }), (e) => e.code === 'invalid_argument')
  const text = g.summary({ maxChars: 300, topN: 2 })
  assert.ok(text.startsWith('Profile summary\nFormat: speedscope\n') && text.length <= 300)
  assert.throws(() => g.summary({ maxChars: 10 }), (e) => e.code === 'invalid_argument')
})

test('upload policies and chat helpers', () => {
  assert.equal(flamekit.checkUpload({ sizeBytes: 1e12 }).code, 'file_too_large')
  assert.equal(flamekit.checkUpload({ sizeBytes: 1e12 }, { maxBytes: Infinity }).allowed, true)
  assert.throws(() => flamekit.checkUpload({ sizeBytes: -1 }), (e) => e.code === 'invalid_argument')
  const svg = flamekit.validateSvg(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), { maxBytes: 10 })
  assert.deepEqual([svg.code, svg.limit, svg.actual], ['svg_too_large', 10, 41])
  assert.throws(() => flamekit.checkChatLimits({ sessionsPeriod: 'weekly' }, {}), (e) => e.code === 'invalid_argument')
  assert.equal(flamekit.unixSecondsFromDate(2024, 2, 29), 1709164800)
  assert.equal(flamekit.unixSecondsFromDate(2023, 2, 29), null)
  assert.equal(flamekit.monthlyPeriodStart(1706659200, 1709596800), 1709164800)
})

test('diff: doubled function ranks first; errors carry codes', async () => {
  const text = fs.readFileSync(path.join(corpusRoot(), 'speedscope/0.1.2/simple-sampled.speedscope.json'), 'utf8')
  const afterText = text.replace('"weights": [1, 1, 4, 3, 5]', '"weights": [1, 1, 8, 3, 5]')
  assert.notEqual(afterText, text)
  const before = flamekit.load(Buffer.from(text))
  const after = flamekit.load(Buffer.from(afterText))
  assert.equal(flamekit.diff(before, before).isZero, true)
  const raw = flamekit.diff(before, after, { normalize: false })
  assert.equal(raw.isZero, false)
  const [top] = raw.topByDelta({ limit: 1 })
  assert.equal(top.name, 'd')
  assert.equal(top.deltaSelf, 4)
  assert.equal(top.relativeSelf, 1)
  assert.deepEqual(raw.topByDelta({ offset: 1, limit: 2 }).map((f) => f.name), ['a', 'b'])
  assert.equal(raw.topByDelta({ by: 'self_absolute', limit: 1 })[0].name, 'd')
  assert.ok(raw.renderSvg().includes('<svg'))
  assert.ok((await raw.renderSvgAsync({ theme: 'dark' })).includes('<svg'))
  assert.throws(() => raw.topByDelta({ by: 'sideways' }), (e) => e.code === 'invalid_argument')
  assert.throws(() => raw.renderPng({ theme: 'neon' }), (e) => e.code === 'invalid_argument')
  await assert.rejects(raw.renderPngAsync({ theme: 'neon' }), (e) => e instanceof Error && e.code === 'invalid_argument')
  assert.throws(() => flamekit.diff(before, after, { afterProfile: 5 }), (e) => e.code === 'invalid_argument')
  await assert.rejects(flamekit.diffAsync(before, after, { afterProfile: 5 }), (e) => e.code === 'invalid_argument')
  assert.throws(() => flamekit.diff(before, {}))
})
