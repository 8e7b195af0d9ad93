'use strict'
// The shared test vectors (tests/vectors/vectors.json) as a suite over any
// flamekit JS package with the Node API: the Node addon (vectors.test.js)
// and the WebAssembly package under Node and Deno (bindings/wasm/test).
// tests/vectors.rs runs the same file against the Rust library, and the
// Python and UniFFI tests do too, so a binding that drifts fails.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { inputPath, inputBytes, camelKeys, vectors } = require('./helpers')

/** A case's import options (snake_case in vectors.json) as the JS API takes them. */
function importOptions(c) {
  if (!c.import_options) return undefined
  const o = camelKeys(c.import_options)
  if (o.sourceMaps) {
    o.sourceMaps = o.sourceMaps.map((m) => ({ name: m.name, bytes: inputBytes(m.input), ...(m.script ? { script: m.script } : {}) }))
  }
  return o
}

/**
 * Register the vector tests with `test` (node:test's) for `flamekit`;
 * `loadPath(path, limits, async, options)` loads a file (the Node addon takes
 * the path, the wasm package its bytes and name). `files: false`: the package
 * has no file system, so the cases about reading files (`io_error`) do not apply.
 */
function vectorSuite(flamekit, test, loadPath, { files = true } = {}) {
  const V = vectors()
  const cases = V.cases.filter((c) => files || c.error !== 'io_error')

  function loadCase(c) {
    const limits = c.limits ? camelKeys(c.limits) : undefined
    if (c.load === 'path') return loadPath(inputPath(c.input), limits, false, importOptions(c))
    return flamekit.load(inputBytes(c.input), c.name_hint ?? null, limits, importOptions(c))
  }

  async function loadCaseAsync(c) {
    const limits = c.limits ? camelKeys(c.limits) : undefined
    if (c.load === 'path') return loadPath(inputPath(c.input), limits, true, importOptions(c))
    return flamekit.loadAsync(inputBytes(c.input), c.name_hint ?? null, limits, importOptions(c))
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
      const names = new Set(g.frameWeights(ep.index).map((w) => w.name))
      for (const n of ep.names_present ?? []) assert.ok(names.has(n), `${id}[${ep.index}] ${n} present`)
      for (const n of ep.names_absent ?? []) assert.ok(!names.has(n), `${id}[${ep.index}] ${n} absent`)
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
    if (c.error_argument) assert.ok(e.message.includes(`\`${c.error_argument}\``), `${c.id}: ${e.message}`)
  }

  test('import vectors (sync)', () => {
    assert.ok(cases.length >= 10)
    for (const c of cases) {
      if (c.error) assert.throws(() => loadCase(c), (e) => (checkError(c, e), true), c.id)
      else checkExpect(c.id, loadCase(c), c.expect)
    }
  })

  test('import vectors (loadAsync)', async () => {
    for (const c of cases) {
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
      assert.throws(() => runOp(g, c.op, c.args), (e) => (checkError(c, e), true), c.id)
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

  test('render parameter vectors', () => {
    const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')
    for (const c of V.render_params) {
      const g = loadCase(c)
      const base = camelKeys(c.base)
      const typed = g.renderPng({ ...base, ...camelKeys(c.options) })
      assert.equal(sha(g.renderPng({ params: c.params })), sha(typed), `${c.id}: params = typed options`)
      const ihdr = new DataView(typed.buffer, typed.byteOffset + 16, 8)
      assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], c.size, c.id)
      const plain = sha(g.renderPng(base))
      for (const [k, v] of Object.entries(camelKeys(c.options))) {
        assert.notEqual(sha(g.renderPng({ ...base, [k]: v })), plain, `${c.id}: ${k} changes the image`)
      }
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

  function close(got, want, msg) {
    assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${msg}: ${got} != ${want}`)
  }

  function checkDiff(c, d) {
    const e = c.expect
    assert.equal(d.isZero, e.is_zero, `${c.id} isZero`)
    if ('normalized' in e) assert.equal(d.normalized, e.normalized, `${c.id} normalized`)
    if ('unit' in e) assert.equal(d.unit, e.unit, `${c.id} unit`)
    for (const [key, prop] of [['scale', 'scale'], ['before_total', 'beforeTotal'], ['after_total', 'afterTotal']]) {
      if (key in e) close(d[prop], e[key], `${c.id} ${key}`)
    }
    if (e.functions) {
      const fns = d.functions
      assert.equal(fns.length, Object.keys(e.functions).length, `${c.id} function count`)
      for (const f of fns) {
        const want = e.functions[f.name]
        assert.ok(want, `${c.id}: unexpected function ${f.name}`)
        const got = [f.beforeSelf, f.afterSelf, f.beforeTotal, f.afterTotal]
        got.forEach((g, i) => close(g, want[i], `${c.id} ${f.name}[${i}]`))
        close(f.deltaSelf, want[1] - want[0], `${c.id} ${f.name} deltaSelf`)
        close(f.deltaTotal, want[3] - want[2], `${c.id} ${f.name} deltaTotal`)
        if (want[0] === 0) assert.equal(f.relativeSelf, undefined, `${c.id} ${f.name} relativeSelf`)
        else close(f.relativeSelf, (want[1] - want[0]) / want[0], `${c.id} ${f.name} relativeSelf`)
        if (want[2] === 0) assert.equal(f.relativeTotal, undefined, `${c.id} ${f.name} relativeTotal`)
        else close(f.relativeTotal, (want[3] - want[2]) / want[2], `${c.id} ${f.name} relativeTotal`)
      }
    }
    for (const [key, by] of [['top_self', 'self'], ['top_total', 'total']]) {
      if (key in e) assert.deepEqual(d.topByDelta({ by, limit: 100 }).map((f) => f.name), e[key], `${c.id} ${key}`)
    }
  }

  test('diff vectors (sync and async)', async () => {
    assert.ok(V.diffs.length >= 3)
    const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')
    for (const c of V.diffs) {
      const before = flamekit.load(inputBytes(c.before))
      const after = flamekit.load(inputBytes(c.after))
      const opts = camelKeys(c.options)
      const d = flamekit.diff(before, after, opts)
      checkDiff(c, d)
      checkDiff(c, await flamekit.diffAsync(before, after, opts))
      if (c.png_sha256) {
        const png = d.renderPng(camelKeys(c.render))
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], c.id)
        assert.equal(sha(png), c.png_sha256, c.id)
        assert.equal(sha(await d.renderPngAsync(camelKeys(c.render))), c.png_sha256, c.id)
      }
    }
  })

  test('report vectors', () => {
    assert.ok(V.reports.length >= 1)
    for (const c of V.reports) {
      const e = c.expect
      const r = loadCase(c).report
      assert.equal(r.format, e.format, c.id)
      assert.equal(r.warningCount, e.warning_count, c.id)
      assert.deepEqual(Object.fromEntries(r.skipped.map((s) => [s.reason, s.count])), e.skipped, c.id)
      const got = r.warnings.slice(0, e.warnings.length).map((w) => ({ code: w.code, location: w.location }))
      assert.deepEqual(got, e.warnings, c.id)
    }
  })
}

module.exports = { vectorSuite }
