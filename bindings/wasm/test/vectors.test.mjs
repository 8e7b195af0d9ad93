// The shared test vectors (tests/vectors/vectors.json) through the
// WebAssembly package: `node --test test/` and `deno test -A test/` both run
// this file with the same suite as the Node addon (bindings/node/test/vectors.js).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename } from 'node:path'
import test from 'node:test'
import * as flamekit from '../index.js'

const { vectorSuite } = createRequire(import.meta.url)('../../node/test/vectors.js')

// No file system in WebAssembly: a path case passes the file's bytes and name.
const loadPath = (path, limits, async, options) =>
  (async ? flamekit.loadAsync : flamekit.load)(readFileSync(path), basename(path), limits, options)
vectorSuite(flamekit, test, loadPath, { files: false })
