/* flamekit: the option and result types shared by the Node and WebAssembly
 * packages (bindings/common/types.d.ts; the header of both .d.ts files).
 * Options: every field optional, absent = the library default. Results:
 * fields that have no value are left out (undefined). */

/** Bounds checked while importing (see `defaultIngestLimits()`); non-negative integers. */
export interface IngestLimits {
  maxInputBytes?: number
  maxInflatedBytes?: number
  maxFrames?: number
  maxSamples?: number
  maxStackDepth?: number
  maxProfiles?: number
  /** Largest inflated ÷ compressed size ratio (past a small floor). */
  maxInflationRatio?: number
  /** Longest frame name in bytes; longer names are cut, with a warning. */
  maxNameBytes?: number
}

/** One JavaScript source map, applied to the imported frames. */
export interface SourceMap {
  /** The map's name, usually its file name (`app.min.js.map`); without `script`, its last path segment selects the script. */
  name: string
  /** URL of the script the map belongs to, exactly as the profile's frames spell it. */
  script?: string
  /** The map's JSON, as text or bytes. */
  bytes: string | Uint8Array
}

/** Import switches and source maps (the 4th argument of `load`). */
export interface ImportOptions {
  /** linux perf sample weights: `samples` (default) or `period`. */
  perfWeight?: string
  /** Firefox frames kept: `all` (default) or `js`. */
  firefoxFrames?: string
  /** pmcstat samples kept: `all` (default) or `leaves`. */
  pmcstatSamples?: string
  /** Papyrus script stacks: `separate` (default) or `nested`. */
  papyrusStacks?: string
  /** Source maps; their bytes count toward `maxInputBytes`. */
  sourceMaps?: SourceMap[]
}

/** How to render (defaults: the library's `RenderOptions::default()`, 1200x800, light, time order). */
export interface RenderOptions {
  width?: number
  height?: number
  /** `light` or `dark`. */
  theme?: string
  /** `time_order`, `left_heavy` or `sandwich` (with `frame`). */
  view?: string
  /** Function name for the sandwich view (alone, it selects that view). */
  frame?: string
  /** Zoom window start, in profile units (absolute). */
  start?: number
  /** Zoom window end, in profile units (absolute). */
  end?: number
  /** Profile index (default: the active profile). */
  profile?: number
  /** Highlight this function, fade the others. */
  focus?: string
  devicePixelRatio?: number
  /** Draw the title strip. */
  title?: boolean
  /** Zoom window start in ms after the profile's start (time units only). */
  startTimeMs?: number
  /** Zoom window end in ms after the profile's start. */
  endTimeMs?: number
  /** Outermost rows to skip. */
  startDepth?: number
  /** Box colours: `system`, `fire`, `peach` or `ice`. */
  palette?: string
  /** Draw the time and depth axes. */
  axes?: boolean
  /** Flamedeck's render parameters by name (width, height, mode, startTimeMs, endTimeMs, startDepth, flamegraphThemeName). */
  params?: Record<string, string>
}

/** Options of `topFunctions`. */
export interface TopOptions {
  profile?: number
  /** `self` (default) or `total`. */
  by?: string
  offset?: number
  limit?: number
}

/** Options of `summary`. */
export interface SummaryOptions {
  maxChars?: number
  topN?: number
}

/** Which profiles `diff` compares (default: the active ones, normalised). */
export interface DiffOptions {
  beforeProfile?: number
  afterProfile?: number
  normalize?: boolean
}

/** Options of `topByDelta`. */
export interface DeltaOptions {
  /** `self` (default), `total` or `self_absolute`. */
  by?: string
  offset?: number
  limit?: number
}

/** Rules for SVG uploads. */
export interface SvgPolicy {
  maxBytes?: number
  maxNodes?: number
}

/** What an upload endpoint accepts; `maxBytes: Infinity` lifts the size limit, empty lists accept anything. */
export interface UploadPolicy {
  maxBytes?: number
  allowedContentTypes?: string[]
  allowedExtensions?: string[]
  maxDurationMs?: number
  svg?: SvgPolicy
}

/** What is known about an upload. */
export interface UploadInfo {
  sizeBytes?: number
  contentType?: string
  fileName?: string
  durationMs?: number
}

/** A chat plan; absent limits are unlimited. */
export interface ChatPlan {
  messagesPerSession?: number
  sessionsLimit?: number
  /** `lifetime` (default) or `monthly`. */
  sessionsPeriod?: string
}

/** A user's chat counters (absent counters are 0). */
export interface ChatUsage {
  sessionMessages?: number
  lifetimeSessions?: number
  monthlySessions?: number
  periodStart?: number
  periodAnchor?: number
}

/** One profile of a group. */
export interface ProfileInfo {
  index: number
  name: string
  /** `none`, `nanoseconds`, ..., `bytes`. */
  unit: string
  /** `sampled` or `evented`. */
  kind: string
  sampleCount: number
  totalWeight: number
  startValue: number
  endValue: number
  /** For time units only. */
  durationMs?: number
}

/** Self and total weight of one frame in one profile. */
export interface FrameWeight {
  index: number
  name: string
  file?: string
  line?: number
  col?: number
  selfWeight: number
  totalWeight: number
}

/** One import warning. */
export interface Diagnostic {
  code: string
  location: string
  message: string
}

/** What an import skipped or repaired. */
export interface ImportReportInfo {
  format: string
  warningCount: number
  /** The first warnings (at most 100). */
  warnings: Diagnostic[]
  /** Exact counts per reason, in reason order. */
  skipped: { reason: string; count: number }[]
  isClean: boolean
}

/** One row of `topFunctions`. */
export interface FunctionStat {
  rank: number
  frameId: number
  name: string
  file?: string
  line?: number
  selfWeight: number
  totalWeight: number
  selfPercent: number
  totalPercent: number
  selfDisplay: string
  totalDisplay: string
}

/** One function's weights before and after (before scaled when normalised). */
export interface FunctionDelta {
  name: string
  file?: string
  beforeSelf: number
  afterSelf: number
  beforeTotal: number
  afterTotal: number
  deltaSelf: number
  deltaTotal: number
  /** Absent when the before weight is 0. */
  relativeSelf?: number
  relativeTotal?: number
}

/** Outcome of an upload or SVG check. */
export interface Verdict {
  allowed: boolean
  /** Deny code, e.g. `file_too_large`. */
  code?: string
  reason?: string
  limit?: number
  actual?: number
  json: string
}

/** Outcome of `checkChatLimits` / `checkChatSession`. */
export interface ChatVerdict {
  allowed: boolean
  reset: string[]
  increment: string[]
  periodStart?: number
  limitType?: string
  reason?: string
  limit?: number
  actual?: number
  resetsAt?: number
  /** The counters to store once the allowed action happened. */
  usageAfter: Required<Omit<ChatUsage, 'periodAnchor'>> & Pick<ChatUsage, 'periodAnchor'>
  json: string
}
