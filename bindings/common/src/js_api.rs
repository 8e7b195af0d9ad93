//! The JavaScript API, written once for the Node (napi) and WebAssembly
//! (wasm-bindgen) skins: not a module of `flamekit-bindings` but compiled into
//! each of those two crates (`#[path = "../../common/src/js_api.rs"] mod api;`).
//! Items carry both frameworks' attributes, `cfg(node)` (set by the Node
//! crate's build script) choosing one; TypeScript types that a framework cannot
//! infer are spelled in each attribute. What differs between the two lives in
//! the skins' `lib.rs`, under the same names: `option_types!` (the options
//! parameters' types), `Result`, `Buffer` (output bytes), `Json` (a record as
//! a JS value), `Nullable` (a number or `null`), `Async` (an `...Async`
//! function's Promise; Node: the libuv thread pool, wasm: settled at once),
//! and the functions `run`, `req`, `js`, `image`, `nullable` and `job`.

use std::sync::Arc;

use flamekit_bindings::{self as fb, flamekit, Error, Image, Loaded, Subject};
#[cfg(node)]
use napi_derive::napi;
#[cfg(not(node))]
use wasm_bindgen::prelude::*;

use crate::{image, job, js, nullable, req, run, Async, Buffer, ImageOut, Json, Nullable, Result};

// The options parameters' types, named after their `types.d.ts` interfaces.
option_types! {
    ChatPlan ChatUsage DeltaOptions DiffOptions RenderOptions SummaryOptions SvgPolicy TopOptions UploadInfo UploadPolicy
}

/// The library's default ingest limits.
#[cfg_attr(node, napi(ts_return_type = "Required<IngestLimits>"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = defaultIngestLimits, unchecked_return_type = "Required<IngestLimits>"))]
pub fn default_ingest_limits() -> Result<Json> {
    js(&fb::LimitsRequest::default())
}

/// Panic inside the library on purpose: tests that a panic surfaces as an
/// `Error` with code `internal_error` instead of aborting the process (on
/// wasm32, where a panic cannot be caught: a `WebAssembly.RuntimeError`).
#[cfg_attr(node, napi(js_name = "_panicForTests"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = _panicForTests))]
pub fn panic_for_tests() -> Result<()> {
    run(fb::panic_for_tests)
}

/// Every stable error code, in the library's order.
#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen(js_name = errorCodes))]
pub fn error_codes() -> Vec<String> {
    fb::error_codes().into_iter().map(str::to_owned).collect()
}

/// Profiles imported from one input, sharing one frame table. Immutable.
#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen)]
pub struct ProfileGroup {
    pub(crate) inner: Arc<Loaded>,
}

#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen)]
impl ProfileGroup {
    /// Group name (the file name, the name hint, or the format's own name).
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter))]
    pub fn name(&self) -> String {
        self.inner.group.name().to_owned()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = profileType))]
    pub fn profile_type(&self) -> String {
        self.inner.group.format().to_owned()
    }
    /// Longest profile duration in ms among profiles with a time unit, else null.
    #[cfg_attr(node, napi(getter, ts_return_type = "number | null"))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = durationMs, unchecked_return_type = "number | null"))]
    pub fn duration_ms(&self) -> Nullable {
        nullable(self.inner.group.duration_ms())
    }
    /// speedscope-import's profile-type name, what Flamedeck stores (e.g. `chrome-timeline`).
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = flamedeckProfileType))]
    pub fn flamedeck_profile_type(&self) -> String {
        self.inner.group.profile_type().to_owned()
    }
    /// The duration Flamedeck stores: the first profile's total weight in ms, rounded; null for non-time units.
    #[cfg_attr(node, napi(getter, ts_return_type = "number | null"))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = flamedeckDurationMs, unchecked_return_type = "number | null"))]
    pub fn flamedeck_duration_ms(&self) -> Nullable {
        nullable(self.inner.group.flamedeck_duration_ms())
    }
    /// Index of the profile a viewer shows first.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = activeProfileIndex))]
    pub fn active_profile_index(&self) -> u32 {
        self.inner.group.active_profile_index() as u32
    }
    /// Number of distinct frames in the group.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = frameCount))]
    pub fn frame_count(&self) -> f64 {
        self.inner.group.frames().len() as f64
    }
    /// Bytes of heap the group holds (frames, stacks, samples, events; a
    /// stack table shared by several profiles counted once): what a cache of
    /// loaded profiles can budget by.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = heapBytes))]
    pub fn heap_bytes(&self) -> f64 {
        self.inner.group.heap_bytes() as f64
    }
    /// The profiles, in file order.
    #[cfg_attr(node, napi(getter, ts_return_type = "ProfileInfo[]"))]
    #[cfg_attr(not(node), wasm_bindgen(getter, unchecked_return_type = "ProfileInfo[]"))]
    pub fn profiles(&self) -> Result<Json> {
        js(&run(|| Ok(self.inner.profiles()))?)
    }
    /// What the import skipped or repaired.
    #[cfg_attr(node, napi(getter, ts_return_type = "ImportReportInfo"))]
    #[cfg_attr(not(node), wasm_bindgen(getter, unchecked_return_type = "ImportReportInfo"))]
    pub fn report(&self) -> Result<Json> {
        js(&self.inner.report())
    }
    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[cfg_attr(node, napi(ts_return_type = "FrameWeight[]"))]
    #[cfg_attr(not(node), wasm_bindgen(js_name = frameWeights, unchecked_return_type = "FrameWeight[]"))]
    pub fn frame_weights(&self, profile: Option<u32>) -> Result<Json> {
        js(&run(|| self.inner.frame_weights(profile))?)
    }
    /// The functions of a profile ranked by self (default) or total weight,
    /// heaviest first: one page of rows. `(root)` and `(idle)` are left out.
    #[cfg_attr(node, napi(ts_args_type = "options?: TopOptions", ts_return_type = "FunctionStat[]"))]
    #[cfg_attr(not(node), wasm_bindgen(js_name = topFunctions, unchecked_return_type = "FunctionStat[]"))]
    pub fn top_functions(&self, options: Option<TopOptions>) -> Result<Json> {
        js(&run(|| self.inner.top_functions(&req(options)?))?)
    }
    /// A plain-text summary of the group for an LLM prompt, at most `maxChars` characters.
    #[cfg_attr(node, napi(ts_args_type = "options?: SummaryOptions"))]
    #[cfg_attr(not(node), wasm_bindgen)]
    pub fn summary(&self, options: Option<SummaryOptions>) -> Result<String> {
        run(|| self.inner.summary(&req(options)?))
    }
    /// speedscope file-format JSON (deterministic); a `limit_exceeded`
    /// error past 1 GiB of text (`flamekit::MAX_EXPORT_BYTES`).
    #[cfg_attr(node, napi)]
    #[cfg_attr(not(node), wasm_bindgen(js_name = toSpeedscopeJson))]
    pub fn to_speedscope_json(&self) -> Result<String> {
        run(|| flamekit::to_speedscope_json(&self.inner.group))
    }
    /// gzip-compressed speedscope JSON (deterministic); a `limit_exceeded`
    /// error past 1 GiB of text (`flamekit::MAX_EXPORT_BYTES`).
    #[cfg_attr(node, napi)]
    #[cfg_attr(not(node), wasm_bindgen(js_name = toSpeedscopeGzip))]
    #[allow(clippy::useless_conversion)] // wasm's `Buffer` is the `Vec<u8>` itself
    pub fn to_speedscope_gzip(&self) -> Result<Buffer> {
        run(|| Ok(flamekit::to_speedscope_gzip(&self.inner.group)?.into()))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    #[cfg_attr(node, napi)]
    #[cfg_attr(not(node), wasm_bindgen)]
    pub fn dump(&self) -> Result<String> {
        run(|| flamekit::dump(&self.inner.group))
    }
}

/// What changed between two profiles. Immutable.
#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen)]
pub struct ProfileDiff {
    inner: Arc<flamekit::ProfileDiff>,
}

#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen)]
impl ProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter))]
    pub fn unit(&self) -> String {
        self.inner.unit.as_str().to_owned()
    }
    /// Whether before weights were scaled to the after total.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter))]
    pub fn normalized(&self) -> bool {
        self.inner.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter))]
    pub fn scale(&self) -> f64 {
        self.inner.scale
    }
    /// Total weight of the before profile, unscaled.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = beforeTotal))]
    pub fn before_total(&self) -> f64 {
        self.inner.before_total
    }
    /// Total weight of the after profile.
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = afterTotal))]
    pub fn after_total(&self) -> f64 {
        self.inner.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    #[cfg_attr(node, napi(getter, ts_return_type = "FunctionDelta[]"))]
    #[cfg_attr(not(node), wasm_bindgen(getter, unchecked_return_type = "FunctionDelta[]"))]
    pub fn functions(&self) -> Result<Json> {
        js(&fb::function_deltas(&self.inner))
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    #[cfg_attr(node, napi(getter))]
    #[cfg_attr(not(node), wasm_bindgen(getter, js_name = isZero))]
    pub fn is_zero(&self) -> bool {
        self.inner.is_zero()
    }
    /// Functions ranked by `by` (default `self`), one page of rows.
    #[cfg_attr(node, napi(ts_args_type = "options?: DeltaOptions", ts_return_type = "FunctionDelta[]"))]
    #[cfg_attr(not(node), wasm_bindgen(js_name = topByDelta, unchecked_return_type = "FunctionDelta[]"))]
    pub fn top_by_delta(&self, options: Option<DeltaOptions>) -> Result<Json> {
        js(&run(|| fb::top_by_delta(&self.inner, &req(options)?))?)
    }
}

/// What a render draws: a group (its active profile by default) or a diff.
pub(crate) enum Render {
    Group(Arc<Loaded>),
    Diff(Arc<flamekit::ProfileDiff>),
}

impl Render {
    fn draw(&self, request: &fb::RenderRequest, svg: bool) -> std::result::Result<Image, Error> {
        let subject = match self {
            Render::Group(l) => Subject::Group(&l.group),
            Render::Diff(d) => Subject::Diff(d),
        };
        fb::render(subject, request, svg)
    }

    fn sync(self, options: Option<RenderOptions>, svg: bool) -> Result<ImageOut> {
        run(|| self.draw(&req(options)?, svg)).map(image)
    }

    fn job(self, options: Option<RenderOptions>, svg: bool) -> Async<ImageOut> {
        let request = req(options);
        job(move || self.draw(&request?, svg).map(image))
    }
}

/// `renderPng`, `renderSvg` and their async forms, the same for `ProfileGroup`
/// and `ProfileDiff` (after weights; red grew, blue shrank).
macro_rules! render_methods {
    ($ty:ident, $variant:ident) => {
        #[cfg_attr(node, napi)]
        #[cfg_attr(not(node), wasm_bindgen)]
        impl $ty {
            /// Render as PNG bytes (deterministic). Node: blocks the event loop, prefer `renderPngAsync`.
            #[cfg_attr(node, napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Buffer"))]
            #[cfg_attr(not(node), wasm_bindgen(js_name = renderPng, unchecked_return_type = "Uint8Array"))]
            pub fn render_png(
                &self,
                options: Option<RenderOptions>,
            ) -> Result<ImageOut> {
                Render::$variant(self.inner.clone()).sync(options, false)
            }
            /// Render as a standalone SVG document; same options and layout as `renderPng`.
            #[cfg_attr(node, napi(ts_args_type = "options?: RenderOptions", ts_return_type = "string"))]
            #[cfg_attr(not(node), wasm_bindgen(js_name = renderSvg, unchecked_return_type = "string"))]
            pub fn render_svg(
                &self,
                options: Option<RenderOptions>,
            ) -> Result<ImageOut> {
                Render::$variant(self.inner.clone()).sync(options, true)
            }
            /// `renderPng` as a Promise (Node: on the libuv thread pool; the event loop stays free).
            #[cfg_attr(node, napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Promise<Buffer>"))]
            #[cfg_attr(not(node), wasm_bindgen(js_name = renderPngAsync, unchecked_return_type = "Promise<Uint8Array>"))]
            pub fn render_png_async(
                &self,
                options: Option<RenderOptions>,
            ) -> Async<ImageOut> {
                Render::$variant(self.inner.clone()).job(options, false)
            }
            /// `renderSvg` as a Promise (Node: on the libuv thread pool; the event loop stays free).
            #[cfg_attr(node, napi(ts_args_type = "options?: RenderOptions", ts_return_type = "Promise<string>"))]
            #[cfg_attr(not(node), wasm_bindgen(js_name = renderSvgAsync, unchecked_return_type = "Promise<string>"))]
            pub fn render_svg_async(
                &self,
                options: Option<RenderOptions>,
            ) -> Async<ImageOut> {
                Render::$variant(self.inner.clone()).job(options, true)
            }
        }
    };
}

render_methods!(ProfileGroup, Group);
render_methods!(ProfileDiff, Diff);

/// Compare a profile of `before` with a profile of `after` (default: the
/// active ones). Throws an `Error` with `code` (`invalid_argument` for a
/// profile index out of range).
#[cfg_attr(node, napi(ts_args_type = "before: ProfileGroup, after: ProfileGroup, options?: DiffOptions"))]
#[cfg_attr(not(node), wasm_bindgen)]
pub fn diff(before: &ProfileGroup, after: &ProfileGroup, options: Option<DiffOptions>) -> Result<ProfileDiff> {
    run(|| Ok(ProfileDiff { inner: Arc::new(fb::diff(&before.inner, &after.inner, &req(options)?)?) }))
}

/// `diff` as a Promise (Node: on the libuv thread pool): resolves to a
/// `ProfileDiff`, rejects with an `Error` carrying `code`.
#[cfg_attr(
    node,
    napi(
        ts_args_type = "before: ProfileGroup, after: ProfileGroup, options?: DiffOptions",
        ts_return_type = "Promise<ProfileDiff>"
    )
)]
#[cfg_attr(not(node), wasm_bindgen(js_name = diffAsync, unchecked_return_type = "Promise<ProfileDiff>"))]
pub fn diff_async(before: &ProfileGroup, after: &ProfileGroup, options: Option<DiffOptions>) -> Async<ProfileDiff> {
    let (b, a, request) = (before.inner.clone(), after.inner.clone(), req(options));
    job(move || Ok(ProfileDiff { inner: Arc::new(fb::diff(&b, &a, &request?)?) }))
}

/// Check an upload's metadata against a policy (default: the library's).
#[cfg_attr(node, napi(ts_args_type = "info: UploadInfo, policy?: UploadPolicy", ts_return_type = "Verdict"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = checkUpload, unchecked_return_type = "Verdict"))]
pub fn check_upload(info: Option<UploadInfo>, policy: Option<UploadPolicy>) -> Result<Json> {
    let (info, policy) = (req::<fb::UploadInfoRequest>(info), req::<fb::UploadPolicyRequest>(policy));
    js(&run(|| Ok(fb::verdict(&flamekit::check_upload(&policy?.resolve()?, &info?.resolve(None)))))?)
}

/// `checkUpload` with the bytes at hand: the size is the data's length, and
/// an SVG upload (by content type or `.svg` name) must also pass `validateSvg`.
#[cfg_attr(
    node,
    napi(ts_args_type = "data: Uint8Array, info?: UploadInfo, policy?: UploadPolicy", ts_return_type = "Verdict")
)]
#[cfg_attr(not(node), wasm_bindgen(js_name = checkUploadBytes, unchecked_return_type = "Verdict"))]
pub fn check_upload_bytes(data: &[u8], info: Option<UploadInfo>, policy: Option<UploadPolicy>) -> Result<Json> {
    let (info, policy) = (req::<fb::UploadInfoRequest>(info), req::<fb::UploadPolicyRequest>(policy));
    js(&run(|| {
        let info = info?.resolve(Some(data.len()));
        Ok(fb::verdict(&flamekit::check_upload_bytes(&policy?.resolve()?, &info, data)))
    })?)
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[cfg_attr(node, napi(ts_args_type = "data: Uint8Array, policy?: SvgPolicy", ts_return_type = "Verdict"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = validateSvg, unchecked_return_type = "Verdict"))]
pub fn validate_svg(data: &[u8], policy: Option<SvgPolicy>) -> Result<Json> {
    let policy = req::<fb::SvgPolicyRequest>(policy);
    js(&run(|| Ok(fb::verdict(&flamekit::validate_svg(data, &policy?.into()))))?)
}

/// May the user send one more message in the current session?
#[cfg_attr(node, napi(ts_args_type = "plan: ChatPlan, usage: ChatUsage", ts_return_type = "ChatVerdict"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = checkChatLimits, unchecked_return_type = "ChatVerdict"))]
pub fn check_chat_limits(plan: Option<ChatPlan>, usage: Option<ChatUsage>) -> Result<Json> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(plan), req::<fb::ChatUsage>(usage));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_send_message(&plan?.resolve()?, &usage), &usage))
    })?)
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[cfg_attr(node, napi(ts_args_type = "plan: ChatPlan, usage: ChatUsage, now: number", ts_return_type = "ChatVerdict"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = checkChatSession, unchecked_return_type = "ChatVerdict"))]
pub fn check_chat_session(plan: ChatPlan, usage: ChatUsage, now: f64) -> Result<Json> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(plan), req::<fb::ChatUsage>(usage));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_start_session(&plan?.resolve()?, &usage, now as i64), &usage))
    })?)
}

/// Start of the monthly period containing `now`, for periods beginning at `periodStart`.
#[cfg_attr(node, napi)]
#[cfg_attr(not(node), wasm_bindgen(js_name = monthlyPeriodStart))]
pub fn monthly_period_start(period_start: f64, now: f64) -> f64 {
    flamekit::monthly_period_start(period_start as i64, now as i64) as f64
}

/// UTC unix seconds at midnight of a date; null for an invalid date.
#[cfg_attr(node, napi(ts_return_type = "number | null"))]
#[cfg_attr(not(node), wasm_bindgen(js_name = unixSecondsFromDate, unchecked_return_type = "number | null"))]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Nullable {
    nullable(flamekit::unix_seconds_from_date(year, month, day).map(|s| s as f64))
}
