// @ts-self-types="./index.d.ts"
// flamekit for Deno, Node and browsers: loads the WebAssembly module once
// (top-level await), then re-exports the wasm-bindgen API (pkg/, built by
// scripts/build-wasm.sh with `wasm-bindgen --target web`).
import init from './pkg/flamekit_wasm.js'

const wasm = new URL('./pkg/flamekit_wasm_bg.wasm', import.meta.url)
if (typeof globalThis.Deno === 'undefined' && globalThis.process?.versions?.node) {
  // Node's fetch cannot read file: URLs.
  const { readFile } = await import('node:fs/promises')
  await init({ module_or_path: await readFile(wasm) })
} else {
  await init({ module_or_path: wasm })
}

export * from './pkg/flamekit_wasm.js'
