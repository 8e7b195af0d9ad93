// What a trace-upload handler does with flamekit, typed: compiled with
// `tsc --strict --noEmit` against the packed package's index.d.ts by
// scripts/test-bindings.sh.
import * as flamekit from 'flamekit'

export interface Stored {
  profileType: string
  durationMs: number | null
  speedscopeGzip: Buffer
  pngLight: Buffer
  pngDark: Buffer
  top: string[]
}

export async function handle(data: Uint8Array, fileName: string | null): Promise<Stored | { error: string }> {
  const verdict: flamekit.Verdict = flamekit.checkUploadBytes(data, { fileName: fileName ?? undefined })
  if (!verdict.allowed) return { error: verdict.code ?? 'denied' }
  try {
    const limits: flamekit.IngestLimits = { maxSamples: 10_000_000 }
    const options: flamekit.ImportOptions = { perfWeight: 'period' }
    const group = await flamekit.loadAsync(data, fileName, limits, options)
    const rows: flamekit.FunctionStat[] = group.topFunctions({ by: 'total', limit: 5 })
    return {
      profileType: group.profileType,
      durationMs: group.durationMs,
      speedscopeGzip: group.toSpeedscopeGzip(),
      pngLight: await group.renderPngAsync(),
      pngDark: await group.renderPngAsync({ theme: 'dark' }),
      top: rows.map((r) => r.name),
    }
  } catch (e) {
    return { error: (e as { code?: string }).code ?? 'internal_error' }
  }
}
