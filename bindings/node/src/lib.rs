//! Node.js bindings for flamekit: a thin skin over the `flamekit` crate.
//!
//! Functions convert JS values (strings, `Buffer`/`Uint8Array`, plain
//! objects) into the library's types, call the library, and convert back.
//! Failures are thrown (or rejected) as JS `Error`s whose `code` property is
//! the library's stable error code. `...Async` variants run on the libuv
//! thread pool (napi `AsyncTask`) so the event loop stays free. Panics are
//! caught and reported with code `internal_error`.
#![warn(missing_docs)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

use flamekit::{Error, ImportOptions, ImportReport};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Uint8Array};
use napi::{Env, JsError, Task};
use napi_derive::napi;

mod diff;
mod policy;

/// Result of a binding call: the error's status string is the stable code.
/// (Spelled out as `napi::Result<T, &'static str>` in `#[napi]` signatures:
/// the macro recognises `Result` by name.)
type JsResult<T> = napi::Result<T, &'static str>;

/// Run `f`, turning a panic into [`Error::Internal`] so it never crosses the FFI boundary.
fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Internal { message: format!("panic: {what}") })
    })
}

/// A library error as a napi error whose JS `code` is the stable code.
fn js_err(e: Error) -> napi::Error<&'static str> {
    napi::Error::new(e.code(), e.to_string())
}

/// Run `f` under [`guard`] and map its error.
fn run<T>(f: impl FnOnce() -> Result<T, Error>) -> JsResult<T> {
    guard(f).map_err(js_err)
}

/// A library error as a rejection value for an async task: a JS `Error`
/// with `code` set (napi's `Task` only rejects with its own status codes, so
/// the error object is built here and passed through by reference).
fn reject(env: Env, e: Error) -> napi::Error {
    napi::Error::from(JsError::from(js_err(e)).into_unknown(env))
}

/// Bounds checked while importing. Omitted fields keep the library default
/// (see `defaultIngestLimits()`); values must be non-negative integers.
#[napi(object)]
#[derive(Clone, Default)]
pub struct IngestLimits {
    /// Largest accepted input in bytes, before decompression.
    pub max_input_bytes: Option<i64>,
    /// Largest size after gzip/zip decompression.
    pub max_inflated_bytes: Option<i64>,
    /// Most distinct frames in one group.
    pub max_frames: Option<i64>,
    /// Most samples plus events over all profiles of a group.
    pub max_samples: Option<i64>,
    /// Deepest accepted stack.
    pub max_stack_depth: Option<i64>,
    /// Most profiles in a group.
    pub max_profiles: Option<i64>,
}

fn limit(name: &'static str, v: Option<i64>, default: u64) -> Result<u64, Error> {
    match v {
        None => Ok(default),
        Some(v) => u64::try_from(v).map_err(|_| Error::argument(name, format!("{v} is negative"))),
    }
}

fn to_limits(l: Option<IngestLimits>) -> Result<flamekit::IngestLimits, Error> {
    let d = flamekit::IngestLimits::default();
    let Some(l) = l else { return Ok(d) };
    Ok(flamekit::IngestLimits {
        max_input_bytes: limit("maxInputBytes", l.max_input_bytes, d.max_input_bytes)?,
        max_inflated_bytes: limit("maxInflatedBytes", l.max_inflated_bytes, d.max_inflated_bytes)?,
        max_frames: limit("maxFrames", l.max_frames, d.max_frames)?,
        max_samples: limit("maxSamples", l.max_samples, d.max_samples)?,
        max_stack_depth: limit("maxStackDepth", l.max_stack_depth, d.max_stack_depth)?,
        max_profiles: limit("maxProfiles", l.max_profiles, d.max_profiles)?,
        ..d
    })
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The library's default ingest limits.
#[napi]
pub fn default_ingest_limits() -> IngestLimits {
    let d = flamekit::IngestLimits::default();
    IngestLimits {
        max_input_bytes: Some(clamp_i64(d.max_input_bytes)),
        max_inflated_bytes: Some(clamp_i64(d.max_inflated_bytes)),
        max_frames: Some(clamp_i64(d.max_frames)),
        max_samples: Some(clamp_i64(d.max_samples)),
        max_stack_depth: Some(clamp_i64(d.max_stack_depth)),
        max_profiles: Some(clamp_i64(d.max_profiles)),
    }
}

/// Panic inside the library on purpose: tests that a panic surfaces as an
/// `Error` with code `internal_error` instead of aborting the process.
#[napi(js_name = "_panicForTests")]
pub fn panic_for_tests() -> napi::Result<(), &'static str> {
    run(|| -> Result<(), Error> { panic!("deliberate panic for tests") })
}

/// Every stable error code, in the library's order.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}

/// One profile of a group.
#[napi(object)]
pub struct ProfileInfo {
    /// Position in the group.
    pub index: u32,
    /// Display name.
    pub name: String,
    /// Unit of weights: `none`, `nanoseconds`, ..., `bytes`.
    pub unit: String,
    /// `sampled` or `evented`.
    pub kind: String,
    /// Number of samples (sampled) or events (evented).
    pub sample_count: f64,
    /// Sum of weights.
    pub total_weight: f64,
    /// First value of the time axis.
    pub start_value: f64,
    /// Last value of the time axis.
    pub end_value: f64,
    /// Duration in ms for time units, else null.
    pub duration_ms: Option<f64>,
}

/// Self and total weight of one frame in one profile.
#[napi(object)]
pub struct FrameWeight {
    /// Index in the group's frame table.
    pub index: u32,
    /// Function name.
    pub name: String,
    /// Source file, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column, if known.
    pub col: Option<u32>,
    /// Weight of samples where the frame is innermost.
    pub self_weight: f64,
    /// Weight of samples where the frame is on the stack (recursion counted once).
    pub total_weight: f64,
}

/// One import warning.
#[napi(object)]
pub struct Diagnostic {
    /// Stable warning code.
    pub code: String,
    /// Where in the input.
    pub location: String,
    /// Detail.
    pub message: String,
}

/// Count of items skipped for one reason.
#[napi(object)]
pub struct SkipCount {
    /// Reason code.
    pub reason: String,
    /// Exact count.
    pub count: f64,
}

/// What an import skipped or repaired.
#[napi(object)]
pub struct ImportReportInfo {
    /// Format identifier that was imported.
    pub format: String,
    /// Exact number of warnings.
    pub warning_count: f64,
    /// The first warnings (at most 100).
    pub warnings: Vec<Diagnostic>,
    /// Exact counts of skipped items per reason.
    pub skipped: Vec<SkipCount>,
}

/// How to render (every field optional; defaults as in the Rust `RenderOptions`).
#[napi(object)]
#[derive(Clone, Default)]
pub struct RenderOptions {
    /// Width in CSS pixels (default 1200).
    pub width: Option<u32>,
    /// Height in CSS pixels (default 800).
    pub height: Option<u32>,
    /// `light` (default) or `dark`.
    pub theme: Option<String>,
    /// `time_order` (default), `left_heavy` or `sandwich` (needs `frame`).
    pub view: Option<String>,
    /// Function name for the sandwich view.
    pub frame: Option<String>,
    /// Start of the zoom window, in profile units (absolute).
    pub start: Option<f64>,
    /// End of the zoom window, in profile units (absolute).
    pub end: Option<f64>,
    /// Profile index (default: the active profile).
    pub profile: Option<u32>,
    /// Highlight this function, fade the others.
    pub focus: Option<String>,
    /// Device pixels per CSS pixel (default 1).
    pub device_pixel_ratio: Option<f64>,
    /// Draw the title strip (default true).
    pub title: Option<bool>,
}

fn to_render_options(o: Option<RenderOptions>) -> Result<flamekit::RenderOptions, Error> {
    let o = o.unwrap_or_default();
    let d = flamekit::RenderOptions::default();
    Ok(flamekit::RenderOptions {
        width: o.width.unwrap_or(d.width),
        height: o.height.unwrap_or(d.height),
        device_pixel_ratio: o.device_pixel_ratio.unwrap_or(d.device_pixel_ratio),
        theme: match &o.theme {
            Some(t) => flamekit::theme_from_name(t)?,
            None => d.theme,
        },
        view: flamekit::view_from_name(o.view.as_deref().unwrap_or("time_order"), o.frame)?,
        profile_index: o.profile.map(|p| p as usize),
        start: o.start,
        end: o.end,
        focus: o.focus,
        title: o.title.unwrap_or(d.title),
    })
}

/// PNG bytes or SVG text, as the async render tasks produce them.
pub enum Rendered {
    /// PNG bytes.
    Png(Vec<u8>),
    /// SVG text.
    Svg(String),
}

/// What an async render task draws: a profile group or a diff.
pub(crate) enum RenderSubject {
    Group(Arc<Loaded>),
    Diff(Arc<flamekit::ProfileDiff>),
}

/// The work of `renderPngAsync`/`renderSvgAsync` (of a `ProfileGroup` or a
/// `ProfileDiff`), run on the libuv thread pool.
pub struct RenderTask {
    pub(crate) subject: RenderSubject,
    pub(crate) options: Result<flamekit::RenderOptions, Error>,
    pub(crate) svg: bool,
}

impl Task for RenderTask {
    type Output = Result<Rendered, Error>;
    type JsValue = Either<Buffer, String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(guard(|| {
            let opts = self.options.clone()?;
            match (&self.subject, self.svg) {
                (RenderSubject::Group(l), false) => flamekit::render_png(&l.group, &opts).map(Rendered::Png),
                (RenderSubject::Group(l), true) => flamekit::render_svg(&l.group, &opts).map(Rendered::Svg),
                (RenderSubject::Diff(d), false) => flamekit::render_diff_png(d, &opts).map(Rendered::Png),
                (RenderSubject::Diff(d), true) => flamekit::render_diff_svg(d, &opts).map(Rendered::Svg),
            }
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(Rendered::Png(png)) => Ok(Either::A(png.into())),
            Ok(Rendered::Svg(svg)) => Ok(Either::B(svg)),
            Err(e) => Err(reject(env, e)),
        }
    }
}

pub(crate) struct Loaded {
    group: flamekit::ProfileGroup,
    report: ImportReport,
}

/// Profiles imported from one input, sharing one frame table. Immutable.
#[napi]
pub struct ProfileGroup {
    inner: Arc<Loaded>,
}

impl ProfileGroup {
    fn new((group, report): (flamekit::ProfileGroup, ImportReport)) -> Self {
        ProfileGroup { inner: Arc::new(Loaded { group, report }) }
    }
    fn group(&self) -> &flamekit::ProfileGroup {
        &self.inner.group
    }
    fn profile_index(&self, profile: Option<u32>) -> usize {
        profile.map(|p| p as usize).unwrap_or_else(|| self.group().active_profile_index())
    }
}

#[napi]
impl ProfileGroup {
    /// Group name (the file name, the name hint, or the format's own name).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.group().name().to_owned()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    #[napi(getter)]
    pub fn profile_type(&self) -> String {
        self.group().format().to_owned()
    }
    /// Longest profile duration in ms among profiles with a time unit, else null.
    #[napi(getter)]
    pub fn duration_ms(&self) -> Option<f64> {
        self.group().duration_ms()
    }
    /// Index of the profile a viewer shows first.
    #[napi(getter)]
    pub fn active_profile_index(&self) -> u32 {
        self.group().active_profile_index() as u32
    }
    /// Number of distinct frames in the group.
    #[napi(getter)]
    pub fn frame_count(&self) -> f64 {
        self.group().frames().len() as f64
    }
    /// The profiles, in file order.
    #[napi(getter)]
    pub fn profiles(&self) -> napi::Result<Vec<ProfileInfo>, &'static str> {
        run(|| {
            Ok(self
                .group()
                .profiles()
                .iter()
                .enumerate()
                .map(|(index, p)| ProfileInfo {
                    index: index as u32,
                    name: p.name().to_owned(),
                    unit: p.unit().as_str().to_owned(),
                    kind: if p.is_sampled() { "sampled" } else { "evented" }.to_owned(),
                    sample_count: p.sample_count() as f64,
                    total_weight: p.total_weight(),
                    start_value: p.start_value(),
                    end_value: p.end_value(),
                    duration_ms: p.duration_ms(),
                })
                .collect())
        })
    }
    /// What the import skipped or repaired.
    #[napi(getter)]
    pub fn report(&self) -> ImportReportInfo {
        let r = &self.inner.report;
        ImportReportInfo {
            format: r.format.clone(),
            warning_count: r.warning_count as f64,
            warnings: r
                .warnings
                .iter()
                .map(|d| Diagnostic {
                    code: d.code.into(),
                    location: d.location.to_string(),
                    message: d.message.clone(),
                })
                .collect(),
            skipped: r.skipped.iter().map(|(k, v)| SkipCount { reason: (*k).into(), count: *v as f64 }).collect(),
        }
    }
    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[napi]
    pub fn frame_weights(&self, profile: Option<u32>) -> napi::Result<Vec<FrameWeight>, &'static str> {
        let group = self.group();
        let index = self.profile_index(profile);
        run(|| {
            let p = group.profile(index)?;
            let fw = p.frame_weights(group.frames().len());
            Ok(group
                .frames()
                .iter()
                .enumerate()
                .filter(|(i, _)| fw.present[*i])
                .map(|(i, f)| FrameWeight {
                    index: i as u32,
                    name: f.name.clone(),
                    file: f.file.clone(),
                    line: f.line,
                    col: f.col,
                    self_weight: fw.self_weight[i],
                    total_weight: fw.total_weight[i],
                })
                .collect())
        })
    }
    /// Render a profile as PNG bytes (deterministic). Blocks the event loop:
    /// prefer `renderPngAsync` for large profiles.
    #[napi]
    pub fn render_png(&self, options: Option<RenderOptions>) -> napi::Result<Buffer, &'static str> {
        run(|| flamekit::render_png(self.group(), &to_render_options(options)?).map(Buffer::from))
    }
    /// Render a profile as a standalone SVG document; same options and layout as `renderPng`.
    #[napi]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> napi::Result<String, &'static str> {
        run(|| flamekit::render_svg(self.group(), &to_render_options(options)?))
    }
    /// `renderPng` on the libuv thread pool; the event loop stays free.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn render_png_async(&self, options: Option<RenderOptions>) -> AsyncTask<RenderTask> {
        AsyncTask::new(RenderTask {
            subject: RenderSubject::Group(self.inner.clone()),
            options: to_render_options(options),
            svg: false,
        })
    }
    /// `renderSvg` on the libuv thread pool; the event loop stays free.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn render_svg_async(&self, options: Option<RenderOptions>) -> AsyncTask<RenderTask> {
        AsyncTask::new(RenderTask {
            subject: RenderSubject::Group(self.inner.clone()),
            options: to_render_options(options),
            svg: true,
        })
    }
    /// The functions of a profile ranked by self (default) or total weight,
    /// heaviest first: one page of rows. `(root)` and `(idle)` are left out.
    #[napi]
    pub fn top_functions(
        &self,
        options: Option<policy::TopOptions>,
    ) -> napi::Result<Vec<policy::FunctionStat>, &'static str> {
        run(|| {
            let (profile, opts) = policy::top_options(options)?;
            let rows = flamekit::top_functions(self.group(), self.profile_index(profile), &opts)?;
            Ok(rows.into_iter().map(Into::into).collect())
        })
    }
    /// A plain-text summary of the group for an LLM prompt, at most `maxChars` characters.
    #[napi]
    pub fn summary(&self, options: Option<policy::SummaryOptions>) -> napi::Result<String, &'static str> {
        run(|| flamekit::summarize(self.group(), &policy::summary_options(options)))
    }
    /// speedscope file-format JSON (deterministic).
    #[napi]
    pub fn to_speedscope_json(&self) -> napi::Result<String, &'static str> {
        run(|| Ok(flamekit::to_speedscope_json(self.group())))
    }
    /// gzip-compressed speedscope JSON (deterministic).
    #[napi]
    pub fn to_speedscope_gzip(&self) -> napi::Result<Buffer, &'static str> {
        run(|| Ok(flamekit::to_speedscope_gzip(self.group()).into()))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    #[napi]
    pub fn dump(&self) -> napi::Result<String, &'static str> {
        run(|| Ok(flamekit::dump(self.group())))
    }
}

/// What `load` reads: a path, or the bytes themselves.
enum Input {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

fn import(input: &Input, name_hint: Option<&str>, limits: flamekit::IngestLimits) -> Result<ProfileGroup, Error> {
    let opts = ImportOptions { limits, name: name_hint.map(str::to_owned), ..Default::default() };
    let imported = match input {
        Input::Path(p) => flamekit::import_file(p, &opts)?,
        Input::Bytes(b) => flamekit::import_with(b, name_hint, &opts)?,
    };
    Ok(ProfileGroup::new(imported))
}

/// Import a profile from a path (string) or from a `Buffer`/`Uint8Array`.
/// The format is detected from the content; `nameHint` (a file name) only
/// breaks ties and names the group. Throws an `Error` with `code` on failure.
#[napi]
pub fn load(
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Option<IngestLimits>,
) -> napi::Result<ProfileGroup, &'static str> {
    run(|| {
        let limits = to_limits(limits)?;
        let opts = ImportOptions { limits, name: name_hint.clone(), ..Default::default() };
        let imported = match &input {
            Either::A(path) => flamekit::import_file(&PathBuf::from(path), &opts)?,
            Either::B(bytes) => flamekit::import_with(bytes, name_hint.as_deref(), &opts)?,
        };
        Ok(ProfileGroup::new(imported))
    })
}

/// The work of `loadAsync`, run on the libuv thread pool.
pub struct LoadTask {
    input: Input,
    name_hint: Option<String>,
    limits: Result<flamekit::IngestLimits, Error>,
}

impl Task for LoadTask {
    type Output = Result<ProfileGroup, Error>;
    type JsValue = ProfileGroup;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(guard(|| import(&self.input, self.name_hint.as_deref(), self.limits.clone()?)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<ProfileGroup> {
        output.map_err(|e| reject(env, e))
    }
}

/// `load` on the libuv thread pool: resolves to a `ProfileGroup`, rejects
/// with an `Error` carrying `code`. The input bytes are copied first, so the
/// caller may reuse its buffer at once.
#[napi(ts_return_type = "Promise<ProfileGroup>")]
pub fn load_async(
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Option<IngestLimits>,
) -> AsyncTask<LoadTask> {
    let input = match input {
        Either::A(path) => Input::Path(PathBuf::from(path)),
        Either::B(bytes) => Input::Bytes(bytes.to_vec()),
    };
    AsyncTask::new(LoadTask { input, name_hint, limits: to_limits(limits) })
}
