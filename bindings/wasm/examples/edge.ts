// A trace-upload edge function (Deno): one request imports the body and
// answers with what an upload handler stores: {durationMs, profileType}, the
// gzipped speedscope JSON and light/dark PNGs at the library's default size
// (1200x800), binary parts base64-encoded. Errors are 422 with the stable code.
//
//   deno run --allow-read --allow-net --allow-env bindings/wasm/examples/edge.ts
//   curl --data-binary @profile.json -H 'x-file-name: profile.json' http://127.0.0.1:8000
import * as flamekit from '../index.js'
import { encodeBase64 } from './base64.ts'

export interface Upload {
  durationMs: number | null
  profileType: string
  speedscopeGzip: string
  pngLight: string
  pngDark: string
}

export async function handler(req: Request): Promise<Response> {
  if (req.method !== 'POST') return new Response('POST a profile\n', { status: 405 })
  const body = new Uint8Array(await req.arrayBuffer())
  try {
    const group = flamekit.load(body, req.headers.get('x-file-name'))
    const upload: Upload = {
      durationMs: group.durationMs ?? null,
      profileType: group.profileType,
      speedscopeGzip: encodeBase64(group.toSpeedscopeGzip()),
      pngLight: encodeBase64(group.renderPng({ theme: 'light' })),
      pngDark: encodeBase64(group.renderPng({ theme: 'dark' })),
    }
    return Response.json(upload)
  } catch (e) {
    const { code, message } = e as { code?: string; message: string }
    return Response.json({ code: code ?? 'internal_error', message }, { status: 422 })
  }
}

if (import.meta.main) {
  Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) }, handler)
}
