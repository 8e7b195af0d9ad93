'use strict'
// The shared test vectors (tests/vectors/vectors.json) through the Node addon.
const test = require('node:test')
const flamekit = require('..')
const { vectorSuite } = require('./vectors')

vectorSuite(flamekit, test, (path, limits, async, options) =>
  (async ? flamekit.loadAsync : flamekit.load)(path, null, limits, options))
