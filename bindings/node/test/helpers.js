'use strict'
// Shared helpers: the test vectors (tests/vectors) and their input resolution,
// mirroring tests/vectors/derive.py and tests/vectors.rs.
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..', '..')

function corpusRoot() {
  return process.env.FLAMEKIT_CORPUS || path.join(ROOT, 'tests', 'data', 'corpus')
}

function inputPath(inp) {
  if (inp.corpus !== undefined) return path.join(corpusRoot(), inp.corpus)
  if (inp.data !== undefined) return path.join(ROOT, 'tests', 'data', inp.data)
  throw new Error(`input has no path: ${JSON.stringify(inp)}`)
}

function inputBytes(inp) {
  let data
  if (inp.text !== undefined) data = Buffer.from(inp.text, 'utf8')
  else if (inp.hex !== undefined) data = Buffer.from(inp.hex, 'hex')
  else data = fs.readFileSync(inputPath(inp))
  if (inp.replace !== undefined) {
    const [from, to] = inp.replace
    const text = data.toString('utf8')
    if (!text.includes(from)) throw new Error(`replace: ${JSON.stringify(from)} does not occur in the input`)
    data = Buffer.from(text.split(from).join(to), 'utf8')
  }
  if (inp.truncate !== undefined) data = data.subarray(0, inp.truncate)
  return data
}

function camel(s) {
  return s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
}

/** snake_case keys (as in vectors.json) to the camelCase the JS API takes. */
function camelKeys(obj) {
  return Object.fromEntries(Object.entries(obj || {}).map(([k, v]) => [camel(k), v]))
}

function vectors() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'vectors', 'vectors.json'), 'utf8'))
}

/**
 * A speedscope document with one sampled profile of `samples` samples over
 * 2,000 functions, stacks up to 40 deep (deterministic xorshift walk).
 */
function bigSpeedscope(samples) {
  let x = 0x2545f491
  const rand = () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
  const frames = Array.from({ length: 2000 }, (_, i) => ({ name: `fn_${i}` }))
  const stack = [0]
  const stacks = new Array(samples)
  const weights = new Array(samples)
  let total = 0
  for (let i = 0; i < samples; i++) {
    stack.length = 1 + Math.floor(rand() * stack.length)
    while (stack.length < 40 && rand() < 0.8) stack.push(1 + Math.floor(rand() * 1999))
    stacks[i] = `[${stack.join(',')}]`
    weights[i] = 1 + Math.floor(rand() * 3)
    total += weights[i]
  }
  const head = {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
  }
  const profile = `{"type":"sampled","name":"big","unit":"microseconds","startValue":0,"endValue":${total},` +
    `"samples":[${stacks.join(',')}],"weights":[${weights.join(',')}]}`
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"profiles":[${profile}]}`)
}

module.exports = { ROOT, corpusRoot, inputPath, inputBytes, camelKeys, vectors, bigSpeedscope }
