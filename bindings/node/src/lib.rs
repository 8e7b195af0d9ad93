//! Node.js bindings for flamekit: the napi skin over `flamekit-bindings`.
//!
//! Options arrive as plain JS objects and are deserialized (serde) into the
//! shared request structs; results are the shared records serialized back
//! (camelCase, absent values left out). The TypeScript types of both are in
//! `bindings/common/types.d.ts`, the header of the generated `index.d.ts`.
//! Failures are thrown (or rejected) as `Error`s whose `code` is the stable
//! code. `...Async` variants run on the libuv thread pool.
#![warn(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use flamekit_bindings::{self as fb, flamekit, Error, Image, Loaded, Subject};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Uint8Array, Unknown};
use napi::{Env, JsError, Task, ValueType};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Run `f` under the panic guard; a library error keeps its code.
fn run<T>(f: impl FnOnce() -> Result<T, Error>) -> napi::Result<T, &'static str> {
    fb::guard(f).map_err(|e| napi::Error::new(e.code(), e.to_string()))
}

/// A JS options object (absent, `undefined` or `null`: all defaults) as a request.
fn req<T: DeserializeOwned + Default>(env: &Env, options: Option<Unknown<'_>>) -> Result<T, Error> {
    match options {
        Some(v) if !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)) => {
            env.from_js_value(v).map_err(|e| Error::argument("options", e.reason))
        }
        _ => Ok(T::default()),
    }
}

/// A record as a JS value: camelCase keys, `None` fields left out.
fn js<T: serde::Serialize>(record: &T) -> napi::Result<Value, &'static str> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(record).map_err(|e| napi::Error::new("internal_error", e.to_string()))?;
    strip(&mut v);
    Ok(v)
}

fn image(i: Image) -> Either<Buffer, String> {
    match i {
        Image::Png(png) => Either::A(png.into()),
        Image::Svg(svg) => Either::B(svg),
    }
}

/// Work for the libuv thread pool: `work` runs there under the panic guard,
/// `finish` turns its result into the JS value on the main thread; an error
/// rejects with an `Error` carrying `code`.
pub struct Job<T, J> {
    work: Option<Box<dyn FnOnce() -> Result<T, Error> + Send>>,
    finish: fn(T) -> J,
}

fn job<T, J>(work: impl FnOnce() -> Result<T, Error> + Send + 'static, finish: fn(T) -> J) -> AsyncTask<Job<T, J>>
where
    Job<T, J>: Task,
{
    AsyncTask::new(Job { work: Some(Box::new(work)), finish })
}

impl<T: Send + 'static, J: napi::bindgen_prelude::ToNapiValue + napi::bindgen_prelude::TypeName> Task for Job<T, J> {
    type Output = Result<T, Error>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.work.take() {
            Some(work) => fb::guard(work),
            None => Err(Error::Internal { message: "task ran twice".into() }),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        output.map(self.finish).map_err(|e| {
            let err = JsError::from(napi::Error::new(e.code(), e.to_string())).into_unknown(env);
            napi::Error::from(err)
        })
    }
}

/// The library's default ingest limits.
#[napi(ts_return_type = "Required<IngestLimits>")]
pub fn default_ingest_limits() -> napi::Result<Value, &'static str> {
    js(&fb::LimitsRequest::default())
}

/// Panic inside the library on purpose: tests that a panic surfaces as an
/// `Error` with code `internal_error` instead of aborting the process.
#[napi(js_name = "_panicForTests")]
pub fn panic_for_tests() -> napi::Result<(), &'static str> {
    run(fb::panic_for_tests)
}

/// Every stable error code, in the library's order.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    fb::error_codes()
}

/// Profiles imported from one input, sharing one frame table. Immutable.
#[napi]
pub struct ProfileGroup {
    inner: Arc<Loaded>,
}

#[napi]
impl ProfileGroup {
    /// Group name (the file name, the name hint, or the format's own name).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.group.name().to_owned()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    #[napi(getter)]
    pub fn profile_type(&self) -> String {
        self.inner.group.format().to_owned()
    }
    /// Longest profile duration in ms among profiles with a time unit, else null.
    #[napi(getter)]
    pub fn duration_ms(&self) -> Option<f64> {
        self.inner.group.duration_ms()
    }
    /// speedscope-import's profile-type name, what Flamedeck stores (e.g. `chrome-timeline`).
    #[napi(getter)]
    pub fn flamedeck_profile_type(&self) -> String {
        self.inner.group.profile_type().to_owned()
    }
    /// The duration Flamedeck stores: the first profile's total weight in ms, rounded; null for non-time units.
    #[napi(getter)]
    pub fn flamedeck_duration_ms(&self) -> Option<f64> {
        self.inner.group.flamedeck_duration_ms()
    }
    /// Index of the profile a viewer shows first.
    #[napi(getter)]
    pub fn active_profile_index(&self) -> u32 {
        self.inner.group.active_profile_index() as u32
    }
    /// Number of distinct frames in the group.
    #[napi(getter)]
    pub fn frame_count(&self) -> f64 {
        self.inner.group.frames().len() as f64
    }
    /// The profiles, in file order.
    #[napi(getter, ts_return_type = "ProfileInfo[]")]
    pub fn profiles(&self) -> napi::Result<Value, &'static str> {
        js(&run(|| Ok(self.inner.profiles()))?)
    }
    /// What the import skipped or repaired.
    #[napi(getter, ts_return_type = "ImportReportInfo")]
    pub fn report(&self) -> napi::Result<Value, &'static str> {
        js(&self.inner.report())
    }
    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[napi(ts_return_type = "FrameWeight[]")]
    pub fn frame_weights(&self, profile: Option<u32>) -> napi::Result<Value, &'static str> {
        js(&run(|| self.inner.frame_weights(profile))?)
    }
    /// The functions of a profile ranked by self (default) or total weight,
    /// heaviest first: one page of rows. `(root)` and `(idle)` are left out.
    #[napi(ts_args_type = "options?: TopOptions", ts_return_type = "FunctionStat[]")]
    pub fn top_functions(&self, env: Env, options: Option<Unknown<'_>>) -> napi::Result<Value, &'static str> {
        js(&run(|| self.inner.top_functions(&req(&env, options)?))?)
    }
    /// A plain-text summary of the group for an LLM prompt, at most `maxChars` characters.
    #[napi(ts_args_type = "options?: SummaryOptions")]
    pub fn summary(&self, env: Env, options: Option<Unknown<'_>>) -> napi::Result<String, &'static str> {
        run(|| self.inner.summary(&req(&env, options)?))
    }
    /// speedscope file-format JSON (deterministic).
    #[napi]
    pub fn to_speedscope_json(&self) -> napi::Result<String, &'static str> {
        run(|| Ok(flamekit::to_speedscope_json(&self.inner.group)))
    }
    /// gzip-compressed speedscope JSON (deterministic).
    #[napi]
    pub fn to_speedscope_gzip(&self) -> napi::Result<Buffer, &'static str> {
        run(|| Ok(flamekit::to_speedscope_gzip(&self.inner.group).into()))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    #[napi]
    pub fn dump(&self) -> napi::Result<String, &'static str> {
        run(|| Ok(flamekit::dump(&self.inner.group)))
    }
}

/// What a render draws.
enum Render {
    Group(Arc<Loaded>),
    Diff(Arc<flamekit::ProfileDiff>),
}

impl Render {
    fn draw(&self, request: &fb::RenderRequest, svg: bool) -> Result<Image, Error> {
        let subject = match self {
            Render::Group(l) => Subject::Group(&l.group),
            Render::Diff(d) => Subject::Diff(d),
        };
        fb::render(subject, request, svg)
    }
}

fn render_job(
    what: Render,
    request: Result<fb::RenderRequest, Error>,
    svg: bool,
) -> AsyncTask<Job<Image, Either<Buffer, String>>> {
    job(move || what.draw(&request?, svg), image)
}

/// `renderPng`, `renderSvg` and their async forms, the same for `ProfileGroup`
/// (its active profile by default) and `ProfileDiff` (after weights; red grew,
/// blue shrank).
macro_rules! render_methods {
    ($ty:ident, $variant:ident) => {
        #[napi]
        impl $ty {
            /// Render as PNG bytes (deterministic). Blocks the event loop: prefer `renderPngAsync`.
            #[napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Buffer")]
            pub fn render_png(
                &self,
                env: Env,
                options: Option<Unknown<'_>>,
            ) -> napi::Result<Either<Buffer, String>, &'static str> {
                run(|| Render::$variant(self.inner.clone()).draw(&req(&env, options)?, false)).map(image)
            }
            /// Render as a standalone SVG document; same options and layout as `renderPng`.
            #[napi(ts_args_type = "options?: RenderOptions", ts_return_type = "string")]
            pub fn render_svg(
                &self,
                env: Env,
                options: Option<Unknown<'_>>,
            ) -> napi::Result<Either<Buffer, String>, &'static str> {
                run(|| Render::$variant(self.inner.clone()).draw(&req(&env, options)?, true)).map(image)
            }
            /// `renderPng` on the libuv thread pool; the event loop stays free.
            #[napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Promise<Buffer>")]
            pub fn render_png_async(
                &self,
                env: Env,
                options: Option<Unknown<'_>>,
            ) -> AsyncTask<Job<Image, Either<Buffer, String>>> {
                render_job(Render::$variant(self.inner.clone()), req(&env, options), false)
            }
            /// `renderSvg` on the libuv thread pool; the event loop stays free.
            #[napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Promise<string>")]
            pub fn render_svg_async(
                &self,
                env: Env,
                options: Option<Unknown<'_>>,
            ) -> AsyncTask<Job<Image, Either<Buffer, String>>> {
                render_job(Render::$variant(self.inner.clone()), req(&env, options), true)
            }
        }
    };
}

render_methods!(ProfileGroup, Group);
render_methods!(ProfileDiff, Diff);

/// Import a profile from a path (string) or from a `Buffer`/`Uint8Array`.
/// The format is detected from the content; `nameHint` (a file name) only
/// breaks ties and names the group. Throws an `Error` with `code` on failure.
#[napi(
    ts_args_type = "input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions"
)]
pub fn load(
    env: Env,
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Option<Unknown<'_>>,
    options: Option<Unknown<'_>>,
) -> napi::Result<ProfileGroup, &'static str> {
    run(|| {
        let request = fb::LoadRequest { name_hint, limits: req(&env, limits)?, options: req(&env, options)? };
        let loaded = match &input {
            Either::A(path) => Loaded::from_path(Path::new(path), &request)?,
            Either::B(bytes) => Loaded::from_bytes(bytes, &request)?,
        };
        Ok(ProfileGroup { inner: Arc::new(loaded) })
    })
}

/// `load` on the libuv thread pool: resolves to a `ProfileGroup`, rejects
/// with an `Error` carrying `code`. The input bytes are copied first, so the
/// caller may reuse its buffer at once.
#[napi(
    ts_args_type = "input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions",
    ts_return_type = "Promise<ProfileGroup>"
)]
pub fn load_async(
    env: Env,
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Option<Unknown<'_>>,
    options: Option<Unknown<'_>>,
) -> AsyncTask<Job<Loaded, ProfileGroup>> {
    let request =
        req(&env, limits).and_then(|limits| Ok(fb::LoadRequest { name_hint, limits, options: req(&env, options)? }));
    let input = match input {
        Either::A(path) => Either::A(path),
        Either::B(bytes) => Either::B(bytes.to_vec()),
    };
    job(
        move || match input {
            Either::A(path) => Loaded::from_path(Path::new(&path), &request?),
            Either::B(bytes) => Loaded::from_bytes(&bytes, &request?),
        },
        |loaded| ProfileGroup { inner: Arc::new(loaded) },
    )
}

/// What changed between two profiles. Immutable.
#[napi]
pub struct ProfileDiff {
    inner: Arc<flamekit::ProfileDiff>,
}

#[napi]
impl ProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    #[napi(getter)]
    pub fn unit(&self) -> String {
        self.inner.unit.as_str().to_owned()
    }
    /// Whether before weights were scaled to the after total.
    #[napi(getter)]
    pub fn normalized(&self) -> bool {
        self.inner.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    #[napi(getter)]
    pub fn scale(&self) -> f64 {
        self.inner.scale
    }
    /// Total weight of the before profile, unscaled.
    #[napi(getter)]
    pub fn before_total(&self) -> f64 {
        self.inner.before_total
    }
    /// Total weight of the after profile.
    #[napi(getter)]
    pub fn after_total(&self) -> f64 {
        self.inner.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    #[napi(getter, ts_return_type = "FunctionDelta[]")]
    pub fn functions(&self) -> napi::Result<Value, &'static str> {
        js(&fb::function_deltas(&self.inner))
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    #[napi(getter)]
    pub fn is_zero(&self) -> bool {
        self.inner.is_zero()
    }
    /// Functions ranked by `by` (default `self`), one page of rows.
    #[napi(ts_args_type = "options?: DeltaOptions", ts_return_type = "FunctionDelta[]")]
    pub fn top_by_delta(&self, env: Env, options: Option<Unknown<'_>>) -> napi::Result<Value, &'static str> {
        js(&run(|| fb::top_by_delta(&self.inner, &req(&env, options)?))?)
    }
}

/// Compare a profile of `before` with a profile of `after` (default: the
/// active ones). Throws an `Error` with `code` (`invalid_argument` for a
/// profile index out of range).
#[napi(ts_args_type = "before: ProfileGroup, after: ProfileGroup, options?: DiffOptions")]
pub fn diff(
    env: Env,
    before: &ProfileGroup,
    after: &ProfileGroup,
    options: Option<Unknown<'_>>,
) -> napi::Result<ProfileDiff, &'static str> {
    run(|| Ok(ProfileDiff { inner: Arc::new(fb::diff(&before.inner, &after.inner, &req(&env, options)?)?) }))
}

/// `diff` on the libuv thread pool: resolves to a `ProfileDiff`, rejects with an `Error` carrying `code`.
#[napi(
    ts_args_type = "before: ProfileGroup, after: ProfileGroup, options?: DiffOptions",
    ts_return_type = "Promise<ProfileDiff>"
)]
pub fn diff_async(
    env: Env,
    before: &ProfileGroup,
    after: &ProfileGroup,
    options: Option<Unknown<'_>>,
) -> AsyncTask<Job<flamekit::ProfileDiff, ProfileDiff>> {
    let (b, a, request) = (before.inner.clone(), after.inner.clone(), req(&env, options));
    job(move || fb::diff(&b, &a, &request?), |d| ProfileDiff { inner: Arc::new(d) })
}

/// Check an upload's metadata against a policy (default: the library's).
#[napi(ts_args_type = "info: UploadInfo, policy?: UploadPolicy", ts_return_type = "Verdict")]
pub fn check_upload(env: Env, info: Unknown<'_>, policy: Option<Unknown<'_>>) -> napi::Result<Value, &'static str> {
    let policy = req::<fb::UploadPolicyRequest>(&env, policy);
    let info = req::<fb::UploadInfoRequest>(&env, Some(info));
    js(&run(|| Ok(fb::verdict(&flamekit::check_upload(&policy?.resolve()?, &info?.resolve(None)))))?)
}

/// `checkUpload` with the bytes at hand: the size is the data's length, and
/// an SVG upload (by content type or `.svg` name) must also pass `validateSvg`.
#[napi(ts_args_type = "data: Uint8Array, info?: UploadInfo, policy?: UploadPolicy", ts_return_type = "Verdict")]
pub fn check_upload_bytes(
    env: Env,
    data: Uint8Array,
    info: Option<Unknown<'_>>,
    policy: Option<Unknown<'_>>,
) -> napi::Result<Value, &'static str> {
    let (info, policy) = (req::<fb::UploadInfoRequest>(&env, info), req::<fb::UploadPolicyRequest>(&env, policy));
    js(&run(|| {
        let info = info?.resolve(Some(data.len()));
        Ok(fb::verdict(&flamekit::check_upload_bytes(&policy?.resolve()?, &info, &data)))
    })?)
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[napi(ts_args_type = "data: Uint8Array, policy?: SvgPolicy", ts_return_type = "Verdict")]
pub fn validate_svg(env: Env, data: Uint8Array, policy: Option<Unknown<'_>>) -> napi::Result<Value, &'static str> {
    let policy = req::<fb::SvgPolicyRequest>(&env, policy);
    js(&run(|| Ok(fb::verdict(&flamekit::validate_svg(&data, &policy?.into()))))?)
}

/// May the user send one more message in the current session?
#[napi(ts_args_type = "plan: ChatPlan, usage: ChatUsage", ts_return_type = "ChatVerdict")]
pub fn check_chat_limits(env: Env, plan: Unknown<'_>, usage: Unknown<'_>) -> napi::Result<Value, &'static str> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(&env, Some(plan)), req::<fb::ChatUsage>(&env, Some(usage)));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_send_message(&plan?.resolve()?, &usage), &usage))
    })?)
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[napi(ts_args_type = "plan: ChatPlan, usage: ChatUsage, now: number", ts_return_type = "ChatVerdict")]
pub fn check_chat_session(
    env: Env,
    plan: Unknown<'_>,
    usage: Unknown<'_>,
    now: i64,
) -> napi::Result<Value, &'static str> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(&env, Some(plan)), req::<fb::ChatUsage>(&env, Some(usage)));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_start_session(&plan?.resolve()?, &usage, now), &usage))
    })?)
}

/// Start of the monthly period containing `now`, for periods beginning at `periodStart`.
#[napi]
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; null for an invalid date.
#[napi]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}
