/* flamekit: the option and result types of the Node and WebAssembly packages,
 * generated from bindings/common (src/ts.rs). Options: every field optional,
 * absent = the library default. Results: fields that have no value are left out. */

/**
 * Ingest limits (`flamekit::IngestLimits`); Python's `IngestLimits`,
 * serialized by `defaultIngestLimits()` of the JS skins.
 */
export interface IngestLimits {
  /** Largest accepted input in bytes, before decompression. */
  maxInputBytes?: number
  /** Largest size after gzip/zip decompression. */
  maxInflatedBytes?: number
  /** Most distinct frames in one group. */
  maxFrames?: number
  /** Most samples plus events over all profiles of a group. */
  maxSamples?: number
  /** Deepest accepted stack. */
  maxStackDepth?: number
  /** Most profiles in a group. */
  maxProfiles?: number
  /** Largest inflated ÷ compressed size ratio (past a small floor). */
  maxInflationRatio?: number
  /** Longest frame name in bytes (longer ones are cut, with a warning). */
  maxNameBytes?: number
  /** Most stack nodes in one sampled profile's table. */
  maxStackNodes?: number
  /** Most bytes of frame and file names over a group's frames. */
  maxFrameTextBytes?: number
  /** Most entries (mapping segments, names, sources) in an import's source maps together. */
  maxSourceMapEntries?: number
}

/** One JavaScript source map (`flamekit::SourceMapInput`). */
export interface SourceMap {
  /** The map's name, usually its file name (`app.min.js.map`). */
  name: string
  /**
   * URL of the script the map belongs to; absent: matched by the map's
   * `file` field or its name.
   */
  script?: string
  /**
   * The map's JSON (from JavaScript: a string or a `Uint8Array`; from
   * Python: `str` or `bytes`).
   */
  bytes: string | Uint8Array
}

/**
 * The import switches and source maps of `flamekit::ImportOptions`;
 * absent switches keep the library defaults.
 */
export interface ImportOptions {
  /** linux perf sample weights: `samples` or `period`. */
  perfWeight?: string
  /** Firefox frames kept: `all` or `js`. */
  firefoxFrames?: string
  /** pmcstat samples kept: `all` or `leaves`. */
  pmcstatSamples?: string
  /** Papyrus script stacks: `separate` or `nested`. */
  papyrusStacks?: string
  /** JavaScript source maps applied to the imported frames. */
  sourceMaps?: SourceMap[]
  /**
   * Threads the import may use: `0` all cores (the library default),
   * `1` the calling thread only; the result is the same for any value.
   */
  threads?: number
}

/**
 * How to render (`flamekit::RenderOptions`); absent fields keep the
 * library defaults (`RenderOptions::default()`: 1200x800, light, time order).
 */
export interface RenderOptions {
  /** Width in CSS pixels. */
  width?: number
  /** Height in CSS pixels. */
  height?: number
  /** `light` or `dark`. */
  theme?: string
  /** `time_order`, `left_heavy` or `sandwich` (with `frame`). */
  view?: string
  /** Function name for the sandwich view (alone, it selects that view). */
  frame?: string
  /** Start of the zoom window, in profile units (absolute). */
  start?: number
  /** End of the zoom window, in profile units (absolute). */
  end?: number
  /** Profile index (default: the active profile). */
  profile?: number
  /** Highlight this function, fade the others. */
  focus?: string
  /** Device pixels per CSS pixel. */
  devicePixelRatio?: number
  /** Draw the title strip. */
  title?: boolean
  /** Start of the zoom window in ms after the profile's start (time units only). */
  startTimeMs?: number
  /** End of the zoom window in ms after the profile's start. */
  endTimeMs?: number
  /** Outermost rows to skip. */
  startDepth?: number
  /** Box colours: `system`, `fire`, `peach` or `ice`. */
  palette?: string
  /** Draw the time and depth axes. */
  axes?: boolean
  /**
   * Flamedeck's render parameters by name (`width`, `height`, `mode`,
   * `startTimeMs`, `endTimeMs`, `startDepth`, `flamegraphThemeName`),
   * applied after the fields above.
   */
  params?: Record<string, string>
}

/** Which functions `top_functions` lists (`flamekit::TopOptions`). */
export interface TopOptions {
  /** Profile index (default: the active profile). */
  profile?: number
  /** `self` or `total`. */
  by?: string
  /** Rows to skip. */
  offset?: number
  /** Most rows. */
  limit?: number
}

/** How long a summary may be (`flamekit::SummaryOptions`). */
export interface SummaryOptions {
  /** Most characters of the text. */
  maxChars?: number
  /** Functions and call paths per ranking. */
  topN?: number
}

/** Which profiles `diff` compares (`flamekit::DiffOptions`). */
export interface DiffOptions {
  /** Profile index in the before group (default: its active profile). */
  beforeProfile?: number
  /** Profile index in the after group (default: its active profile). */
  afterProfile?: number
  /** Scale before weights to the after total. */
  normalize?: boolean
}

/** Which rows `top_by_delta` lists; paging defaults as `top_functions`. */
export interface DeltaOptions {
  /**
   * `self` (largest self growth first, the default), `total` (largest
   * total growth first) or `self_absolute` (largest change either way).
   */
  by?: string
  /** Rows to skip. */
  offset?: number
  /** Most rows. */
  limit?: number
}

/** Rules for SVG uploads (`flamekit::SvgPolicy`); Python's `SvgPolicy`. */
export interface SvgPolicy {
  /** Largest accepted SVG in bytes. */
  maxBytes?: number
  /** Most XML nodes. */
  maxNodes?: number
}

/**
 * What an upload endpoint accepts (`flamekit::UploadPolicy`); absent
 * fields keep the defaults, `max_bytes: Infinity` lifts the size limit.
 */
export interface UploadPolicy {
  /** Largest accepted file in bytes; infinite: no limit. */
  maxBytes?: number
  /** Accepted content types (case-insensitive, parameters ignored). */
  allowedContentTypes?: string[]
  /** Accepted file-name endings (`.json`, `.json.gz`, ...). */
  allowedExtensions?: string[]
  /** Longest accepted profile duration in ms. */
  maxDurationMs?: number
  /** Rules for SVG uploads. */
  svg?: SvgPolicy
}

/** What is known about an upload (`flamekit::UploadInfo`). */
export interface UploadInfo {
  /** Size in bytes (`check_upload_bytes` uses the data's length). */
  sizeBytes?: number
  /** Declared content type. */
  contentType?: string
  /** Client-side file name. */
  fileName?: string
  /** Profile duration in ms, once imported. */
  durationMs?: number
}

/** A chat plan (`flamekit::ChatPlan`); absent limits are unlimited. */
export interface ChatPlan {
  /** Most messages in one session. */
  messagesPerSession?: number
  /** Most sessions per `sessions_period`. */
  sessionsLimit?: number
  /** `lifetime` (the default) or `monthly`. */
  sessionsPeriod?: string
}

/**
 * A user's chat counters (`flamekit::ChatUsage`), as the caller stores
 * them: an input of the chat checks and the `usage_after` of their verdicts.
 */
export interface ChatUsage {
  /** Messages already sent in the current session. */
  sessionMessages?: number
  /** Sessions ever started. */
  lifetimeSessions?: number
  /** Sessions started in the monthly period beginning at `period_start`. */
  monthlySessions?: number
  /** Start of the current monthly period, UTC unix seconds. */
  periodStart?: number
  /** Optional billing anchor, UTC unix seconds. */
  periodAnchor?: number
}

/** One profile of a group: its name, unit and size. */
export interface ProfileInfo {
  /** Position in the group. */
  index: number
  /** Display name. */
  name: string
  /** Unit of weights: `none`, `nanoseconds`, ..., `bytes`. */
  unit: string
  /** `sampled` or `evented`. */
  kind: string
  /** Number of samples (sampled) or events (evented). */
  sampleCount: number
  /** Sum of weights. */
  totalWeight: number
  /** First value of the time axis. */
  startValue: number
  /** Last value of the time axis. */
  endValue: number
  /** Duration in ms for time units, else none. */
  durationMs?: number
}

/** Self and total weight of one frame in one profile. */
export interface FrameWeight {
  /** Index in the group's frame table. */
  index: number
  /** Function name. */
  name: string
  /** Source file, if known. */
  file?: string
  /** 1-based line, if known. */
  line?: number
  /** 1-based column, if known. */
  col?: number
  /** Weight of samples where the frame is innermost. */
  selfWeight: number
  /** Weight of samples where the frame is on the stack (recursion counted once). */
  totalWeight: number
}

/** One import warning. */
export interface Diagnostic {
  /** Stable warning code. */
  code: string
  /** Where in the input (line, byte, index or field path). */
  location: string
  /** Detail. */
  message: string
}

/** What an import skipped or repaired. */
export interface ImportReportInfo {
  /** Format identifier that was imported. */
  format: string
  /** Exact number of warnings. */
  warningCount: number
  /** The first warnings (at most 100). */
  warnings: Diagnostic[]
  /**
   * Exact count of skipped items per reason code (JavaScript: a
   * `[{ reason, count }]` array in reason order).
   */
  skipped: { reason: string; count: number }[]
  /** True when nothing was skipped or repaired. */
  isClean: boolean
}

/** One row of `top_functions`. */
export interface FunctionStat {
  /** 0-based rank over all rows (offset included). */
  rank: number
  /** The frame's index in the group. */
  frameId: number
  /** Function name. */
  name: string
  /** Source file, if known. */
  file?: string
  /** 1-based line, if known. */
  line?: number
  /** Weight with this function innermost. */
  selfWeight: number
  /** Weight with this function anywhere on the stack (recursion counted once). */
  totalWeight: number
  /** `self_weight` as a percentage of the profile's non-idle total. */
  selfPercent: number
  /** `total_weight` as a percentage of the profile's non-idle total. */
  totalPercent: number
  /** `self_weight` formatted in the profile's unit. */
  selfDisplay: string
  /** `total_weight` formatted in the profile's unit. */
  totalDisplay: string
}

/**
 * One function's weights before and after (before weights scaled when
 * the diff is normalised).
 */
export interface FunctionDelta {
  /** Function name. */
  name: string
  /** Source file, if known. */
  file?: string
  /** Self weight before (scaled when normalised). */
  beforeSelf: number
  /** Self weight after. */
  afterSelf: number
  /** Total weight before (scaled when normalised), recursion counted once. */
  beforeTotal: number
  /** Total weight after, recursion counted once. */
  afterTotal: number
  /** `after_self - before_self`. */
  deltaSelf: number
  /** `after_total - before_total`. */
  deltaTotal: number
  /** Relative change of self weight; none when it was 0 before. */
  relativeSelf?: number
  /** Relative change of total weight; none when it was 0 before. */
  relativeTotal?: number
}

/** Outcome of an upload or SVG check (Python: truthy when allowed). */
export interface Verdict {
  /** True when the upload is accepted. */
  allowed: boolean
  /** Stable deny code (`file_too_large`, `svg_script`, ...); none when allowed. */
  code?: string
  /** Human-readable reason; none when allowed. */
  reason?: string
  /** The limit that was crossed, when the rule has one. */
  limit?: number
  /** The value that crossed it, when known. */
  actual?: number
  /** The verdict as compact JSON, e.g. `{"verdict":"allow"}`. */
  json: string
}

/** Outcome of a chat message or session check (Python: truthy when allowed). */
export interface ChatVerdict {
  /** True when the action may go ahead. */
  allowed: boolean
  /** Allowed: counters to set to 0 first. */
  reset: string[]
  /** Allowed: counters to add 1 to. */
  increment: string[]
  /** Allowed: the monthly period start to store. */
  periodStart?: number
  /** Denied: `session_messages`, `lifetime_sessions` or `monthly_sessions`. */
  limitType?: string
  /** Denied: human-readable reason. */
  reason?: string
  /** Denied: the plan's limit. */
  limit?: number
  /** Denied: the counter's current value. */
  actual?: number
  /** Denied by a monthly limit: when the next period starts (UTC unix seconds). */
  resetsAt?: number
  /** The counters to store once the allowed action happened (unchanged when denied). */
  usageAfter: Required<Omit<ChatUsage, 'periodAnchor'>> & Pick<ChatUsage, 'periodAnchor'>
  /** The verdict as compact JSON. */
  json: string
}
