'use strict'
// The shared test vectors (tests/vectors/vectors.json), run through the Node
// bindings. tests/vectors.rs runs the same file against the Rust library, and
// the Python and UniFFI tests do too, so a binding that drifts fails here.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const flamekit = require('..')
const { inputPath, inputBytes, camelKeys, vectors } = require('./helpers')

const V = vectors()

function loadCase(c) {
  const limits = c.limits ? camelKeys(c.limits) : undefined
  if (c.load === 'path') return flamekit.load(inputPath(c.input), null, limits)
  return flamekit.load(inputBytes(c.input), c.name_hint ?? null, limits)
}

async function loadCaseAsync(c) {
  const limits = c.limits ? camelKeys(c.limits) : undefined
  if (c.load === 'path') return flamekit.loadAsync(inputPath(c.input), null, limits)
  return flamekit.loadAsync(inputBytes(c.input), c.name_hint ?? null, limits)
}

function checkExpect(id, g, exp) {
  assert.equal(g.profileType, exp.profile_type, id)
  if ('name' in exp) assert.equal(g.name, exp.name, id)
  if ('profile_names' in exp) assert.deepEqual(g.profiles.map((p) => p.name), exp.profile_names, id)
  if ('profile_count' in exp) assert.equal(g.profiles.length, exp.profile_count, id)
  if ('active_profile_index' in exp) assert.equal(g.activeProfileIndex, exp.active_profile_index, id)
  if ('frame_count' in exp) assert.equal(g.frameCount, exp.frame_count, id)
  if ('duration_ms' in exp) assert.equal(g.durationMs, exp.duration_ms, id)
  for (const ep of exp.profiles) {
    const info = g.profiles[ep.index]
    for (const key of ['unit', 'kind', 'sample_count']) {
      if (key in ep) assert.equal(info[key === 'sample_count' ? 'sampleCount' : key], ep[key], `${id}[${ep.index}] ${key}`)
    }
    if ('total_weight' in ep) assert.ok(Math.abs(info.totalWeight - ep.total_weight) <= 1e-9 * Math.max(1, ep.total_weight))
    const weights = g.frameWeights(ep.index)
    for (const [name, [self, total]] of Object.entries(ep.frames)) {
      const found = weights.filter((w) => w.name === name)
      assert.equal(found.length, 1, `${id}[${ep.index}] frame ${name}`)
      assert.deepEqual([found[0].selfWeight, found[0].totalWeight], [self, total], `${id}[${ep.index}] frame ${name}`)
    }
    if (ep.frames_exact) assert.deepEqual(weights.map((w) => w.name).sort(), Object.keys(ep.frames).sort(), id)
    for (const [key, by] of [['top_by_self', 'self'], ['top_by_total', 'total']]) {
      if (!(key in ep)) continue
      const rows = g.topFunctions({ profile: ep.index, by, limit: 100 })
      assert.deepEqual(rows.map((r) => r.name), ep[key], `${id}[${ep.index}] ${key}`)
      assert.deepEqual(rows.map((r) => r.rank), [...rows.keys()])
    }
  }
}

function checkError(c, e) {
  assert.ok(e instanceof Error, c.id)
  assert.equal(e.code, c.error, `${c.id}: ${e.message}`)
  if (c.error_limit) assert.match(e.message, new RegExp(c.error_limit), c.id)
}

test('import vectors (sync)', () => {
  assert.ok(V.cases.length >= 10)
  for (const c of V.cases) {
    if (c.error) assert.throws(() => loadCase(c), (e) => (checkError(c, e), true), c.id)
    else checkExpect(c.id, loadCase(c), c.expect)
  }
})

test('import vectors (loadAsync)', async () => {
  for (const c of V.cases) {
    if (c.error) await assert.rejects(loadCaseAsync(c), (e) => (checkError(c, e), true), c.id)
    else checkExpect(c.id, await loadCaseAsync(c), c.expect)
  }
})

function runOp(g, op, args) {
  if (op === 'frame_weights') return g.frameWeights(args.profile)
  if (op === 'render_png') return g.renderPng(camelKeys(args))
  throw new Error(`unknown op ${op}`)
}

test('op error vectors', async () => {
  for (const c of V.op_errors) {
    const g = loadCase(c)
    assert.throws(() => runOp(g, c.op, c.args), (e) => e instanceof Error && e.code === c.error, c.id)
    if (c.op === 'render_png') {
      await assert.rejects(g.renderPngAsync(camelKeys(c.args)), (e) => e instanceof Error && e.code === c.error, c.id)
    }
  }
})

test('render vectors (sync and async)', async () => {
  for (const c of V.renders) {
    const g = loadCase(c)
    const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')
    assert.equal(sha(g.renderPng(camelKeys(c.options))), c.png_sha256, c.id)
    assert.equal(sha(await g.renderPngAsync(camelKeys(c.options))), c.png_sha256, c.id)
  }
})

test('upload check vectors', () => {
  for (const c of V.upload_checks) {
    const policy = camelKeys(c.policy)
    const info = camelKeys(c.info)
    const v = c.data ? flamekit.checkUploadBytes(inputBytes(c.data), info, policy) : flamekit.checkUpload(info, policy)
    const e = c.expect
    assert.equal(v.allowed, e.allowed, `${c.id}: ${v.json}`)
    assert.equal(v.code, e.code, c.id)
    if ('limit' in e) assert.deepEqual([v.limit, v.actual], [e.limit, e.actual], c.id)
  }
})

test('chat check vectors', () => {
  for (const c of V.chat_checks) {
    const plan = camelKeys(c.plan)
    const usage = camelKeys(c.usage)
    const v = c.op === 'message' ? flamekit.checkChatLimits(plan, usage) : flamekit.checkChatSession(plan, usage, c.now)
    const e = c.expect
    assert.equal(v.allowed, e.allowed, `${c.id}: ${v.json}`)
    for (const [key, want] of Object.entries(camelKeys(e))) {
      if (key === 'usageAfter') {
        for (const [k, w] of Object.entries(camelKeys(want))) assert.equal(v.usageAfter[k], w, `${c.id} usageAfter.${k}`)
      } else {
        assert.deepEqual(v[key], want, `${c.id} ${key}`)
      }
    }
    if (!e.allowed) assert.equal(v.resetsAt, e.resets_at, c.id)
  }
})
