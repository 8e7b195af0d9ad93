// The edge-function example (examples/edge.ts) served by Deno on loopback:
// a real HTTP upload of a corpus profile, checked against the raw file and
// the documented answer (PNG size: the library's default, 1200x800).
import assert from 'node:assert/strict'
import { handler, type Upload } from '../examples/edge.ts'

const ROOT = new URL('../../../', import.meta.url)
const CORPUS = Deno.env.get('FLAMEKIT_CORPUS') ?? new URL('tests/data/corpus/', ROOT).pathname

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))
  return await new Response(stream).text()
}

function pngSize(png: Uint8Array): [number, number] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const ihdr = new DataView(png.buffer, png.byteOffset + 16, 8)
  return [ihdr.getUint32(0), ihdr.getUint32(4)]
}

Deno.test('edge example: upload handler on 127.0.0.1', async () => {
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, handler)
  try {
    const url = `http://127.0.0.1:${server.addr.port}/`
    // two-sampled: endValue - startValue = 14 s in the file (see tests/vectors/vectors.json).
    const file = `${CORPUS}/speedscope/0.6.0/two-sampled.speedscope.json`
    const raw = JSON.parse(await Deno.readTextFile(file))
    const res = await fetch(url, { method: 'POST', body: await Deno.readFile(file), headers: { 'x-file-name': 'two.json' } })
    assert.equal(res.status, 200)
    const up: Upload = await res.json()
    assert.equal(up.profileType, 'speedscope')
    assert.equal(up.durationMs, 14000)
    const doc = JSON.parse(await gunzip(decodeBase64(up.speedscopeGzip)))
    assert.deepEqual(doc.profiles.map((p: { name: string }) => p.name), raw.profiles.map((p: { name: string }) => p.name))
    const [light, dark] = [decodeBase64(up.pngLight), decodeBase64(up.pngDark)]
    assert.deepEqual(pngSize(light), [1200, 800])
    assert.deepEqual(pngSize(dark), [1200, 800])
    assert.notDeepEqual(light, dark)

    const bad = await fetch(url, { method: 'POST', body: '{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": [}' })
    assert.equal(bad.status, 422)
    assert.equal((await bad.json()).code, 'invalid_json')
    const get = await fetch(url)
    assert.equal(get.status, 405)
    await get.body?.cancel()
  } finally {
    await server.shutdown()
  }
})
