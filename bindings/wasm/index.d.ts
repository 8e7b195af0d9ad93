export * from './pkg/flamekit_wasm.js'
