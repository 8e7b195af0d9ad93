// Run by scripts/test-bindings.sh in a fresh directory where the packed
// package (`npm pack`) is installed and examples/ imports it as
// 'flamekit-wasm': the packaged .wasm loads under Deno and answers an upload.
import { handler } from './examples/edge.ts'

const body = new TextEncoder().encode('a;b 3\na;c 1\n')
const res = await handler(new Request('http://localhost/', { method: 'POST', body }))
const up = await res.json()
if (res.status !== 200 || up.profileType !== 'collapsed') throw new Error(`unexpected answer: ${res.status}`)
console.log(`packaged flamekit-wasm under Deno: ${up.profileType}, ${up.pngLight.length} base64 chars of PNG`)
