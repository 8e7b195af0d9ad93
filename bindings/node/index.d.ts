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

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** What changed between two profiles. Immutable. */
export declare class ProfileDiff {
  /** Unit of every weight here (the after profile's unit). */
  get unit(): string
  /** Whether before weights were scaled to the after total. */
  get normalized(): boolean
  /** Factor applied to before weights (1 when not normalised). */
  get scale(): number
  /** Total weight of the before profile, unscaled. */
  get beforeTotal(): number
  /** Total weight of the after profile. */
  get afterTotal(): number
  /** Every function of either profile, in first-seen order (before, then after). */
  get functions(): FunctionDelta[]
  /** True when no weight changed (e.g. a profile diffed with itself). */
  get isZero(): boolean
  /** Functions ranked by `by` (default `self`), one page of rows. */
  topByDelta(options?: DeltaOptions): FunctionDelta[]
  /**
   * Render the diff as a PNG flame graph (after weights; red grew, blue
   * shrank). Blocks the event loop: prefer `renderPngAsync`.
   */
  renderPng(options?: RenderOptions): Buffer
  /** Render the diff as a standalone SVG document; same options and layout as `renderPng`. */
  renderSvg(options?: RenderOptions): string
  /** `renderPng` on the libuv thread pool; the event loop stays free. */
  renderPngAsync(options?: RenderOptions): Promise<Buffer>
  /** `renderSvg` on the libuv thread pool; the event loop stays free. */
  renderSvgAsync(options?: RenderOptions): Promise<string>
}

/** Profiles imported from one input, sharing one frame table. Immutable. */
export declare class ProfileGroup {
  /** Group name (the file name, the name hint, or the format's own name). */
  get name(): string
  /** Detected format identifier, e.g. `speedscope`, `pprof`. */
  get profileType(): string
  /** Longest profile duration in ms among profiles with a time unit, else null. */
  get durationMs(): number | null
  /** speedscope-import's profile-type name, what Flamedeck stores (e.g. `chrome-timeline`). */
  get flamedeckProfileType(): string
  /** The duration Flamedeck stores: the first profile's total weight in ms, rounded; null for non-time units. */
  get flamedeckDurationMs(): number | null
  /** Index of the profile a viewer shows first. */
  get activeProfileIndex(): number
  /** Number of distinct frames in the group. */
  get frameCount(): number
  /** The profiles, in file order. */
  get profiles(): ProfileInfo[]
  /** What the import skipped or repaired. */
  get report(): ImportReportInfo
  /** Self/total weight of every frame present in a profile (default: the active one), in frame-table order. */
  frameWeights(profile?: number | undefined | null): FrameWeight[]
  /**
   * Render a profile as PNG bytes (deterministic). Blocks the event loop:
   * prefer `renderPngAsync` for large profiles.
   */
  renderPng(options?: RenderOptions): Buffer
  /** Render a profile as a standalone SVG document; same options and layout as `renderPng`. */
  renderSvg(options?: RenderOptions): string
  /** `renderPng` on the libuv thread pool; the event loop stays free. */
  renderPngAsync(options?: RenderOptions): Promise<Buffer>
  /** `renderSvg` on the libuv thread pool; the event loop stays free. */
  renderSvgAsync(options?: RenderOptions): Promise<string>
  /**
   * The functions of a profile ranked by self (default) or total weight,
   * heaviest first: one page of rows. `(root)` and `(idle)` are left out.
   */
  topFunctions(options?: TopOptions): FunctionStat[]
  /** A plain-text summary of the group for an LLM prompt, at most `maxChars` characters. */
  summary(options?: SummaryOptions): string
  /** speedscope file-format JSON (deterministic). */
  toSpeedscopeJson(): string
  /** gzip-compressed speedscope JSON (deterministic). */
  toSpeedscopeGzip(): Buffer
  /** The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile. */
  dump(): string
}

/**
 * Panic inside the library on purpose: tests that a panic surfaces as an
 * `Error` with code `internal_error` instead of aborting the process.
 */
export declare function _panicForTests(): void

/** May the user send one more message in the current session? */
export declare function checkChatLimits(plan: ChatPlan, usage: ChatUsage): ChatVerdict

/** May the user start a new chat session at `now` (UTC unix seconds)? */
export declare function checkChatSession(plan: ChatPlan, usage: ChatUsage, now: number): ChatVerdict

/** Check an upload's metadata against a policy (default: the library's). */
export declare function checkUpload(info: UploadInfo, policy?: UploadPolicy): Verdict

/**
 * `checkUpload` with the bytes at hand: the size is the data's length, and
 * an SVG upload (by content type or `.svg` name) must also pass `validateSvg`.
 */
export declare function checkUploadBytes(data: Uint8Array, info?: UploadInfo, policy?: UploadPolicy): Verdict

/** The library's default ingest limits. */
export declare function defaultIngestLimits(): Required<IngestLimits>

/**
 * Compare a profile of `before` with a profile of `after` (default: the
 * active ones). Throws an `Error` with `code` (`invalid_argument` for a
 * profile index out of range).
 */
export declare function diff(before: ProfileGroup, after: ProfileGroup, options?: DiffOptions): ProfileDiff

/** `diff` on the libuv thread pool: resolves to a `ProfileDiff`, rejects with an `Error` carrying `code`. */
export declare function diffAsync(before: ProfileGroup, after: ProfileGroup, options?: DiffOptions): Promise<ProfileDiff>

/** Every stable error code, in the library's order. */
export declare function errorCodes(): Array<string>

/**
 * Import a profile from a path (string) or from a `Buffer`/`Uint8Array`.
 * The format is detected from the content; `nameHint` (a file name) only
 * breaks ties and names the group. Throws an `Error` with `code` on failure.
 */
export declare function load(input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions): ProfileGroup

/**
 * `load` on the libuv thread pool: resolves to a `ProfileGroup`, rejects
 * with an `Error` carrying `code`. The input bytes are copied first, so the
 * caller may reuse its buffer at once.
 */
export declare function loadAsync(input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions): Promise<ProfileGroup>

/** Start of the monthly period containing `now`, for periods beginning at `periodStart`. */
export declare function monthlyPeriodStart(periodStart: number, now: number): number

/** UTC unix seconds at midnight of a date; null for an invalid date. */
export declare function unixSecondsFromDate(year: number, month: number, day: number): number | null

/** Validate an SVG flamegraph (no scripts, DTDs, external references, ...). */
export declare function validateSvg(data: Uint8Array, policy?: SvgPolicy): Verdict
