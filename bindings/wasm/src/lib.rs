//! WebAssembly bindings for flamekit: the wasm-bindgen skin over
//! `flamekit-bindings`, with the same API as the Node package (minus file
//! paths: inputs are bytes).
//!
//! Options arrive as plain JS objects and are deserialized (serde) into the
//! shared request structs; results are the shared records serialized back
//! (camelCase, absent values left out). Their TypeScript types are
//! `bindings/common/types.d.ts`, included below. Failures are thrown as
//! `Error`s whose `code` is the stable code; the `...Async` forms return
//! Promises (settled at once: WebAssembly runs on the caller's thread).
//! Unlike the native skins, a panic cannot be caught on wasm32: it aborts the
//! call with a `WebAssembly.RuntimeError`.
#![warn(missing_docs)]

use flamekit_bindings::{self as fb, flamekit, Error, Image, Loaded, Subject};
use js_sys::{Promise, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../../common/types.d.ts");

/// A library error as a JS `Error` with `code`.
fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

/// Run `f` under the shared guard; an error becomes a JS `Error` with `code`.
fn run<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, JsValue> {
    fb::guard(f).map_err(js_error)
}

/// A JS options object (absent, `undefined` or `null`: all defaults) as a request.
fn req<T: DeserializeOwned + Default>(options: JsValue) -> Result<T, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(options).map_err(|e| Error::argument("options", e.to_string()))
}

/// A record as a JS value: camelCase keys, `None` fields left out, maps as objects.
fn js<T: serde::Serialize>(record: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    record.serialize(&ser).map_err(|e| js_error(Error::Internal { message: e.to_string() }))
}

fn image(i: Image) -> JsValue {
    match i {
        Image::Png(png) => Uint8Array::from(png.as_slice()).into(),
        Image::Svg(svg) => svg.into(),
    }
}

/// A number or `null`, as the Node addon returns an absent number.
fn nullable(v: Option<f64>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from)
}

/// A settled Promise: the async forms of the API.
fn settled(r: Result<JsValue, JsValue>) -> Promise {
    match r {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

/// The library's default ingest limits.
#[wasm_bindgen(js_name = defaultIngestLimits, unchecked_return_type = "Required<IngestLimits>")]
pub fn default_ingest_limits() -> Result<JsValue, JsValue> {
    js(&fb::LimitsRequest::default())
}

/// Panic inside the library on purpose (on wasm32: a `WebAssembly.RuntimeError`).
#[wasm_bindgen(js_name = _panicForTests)]
pub fn panic_for_tests() -> Result<(), JsValue> {
    run(fb::panic_for_tests)
}

/// Every stable error code, in the library's order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    fb::error_codes().into_iter().map(str::to_owned).collect()
}

/// Profiles imported from one input, sharing one frame table. Immutable.
#[wasm_bindgen]
pub struct ProfileGroup(Loaded);

#[wasm_bindgen]
impl ProfileGroup {
    /// Group name (the name hint, or the format's own name).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.0.group.name().to_owned()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    #[wasm_bindgen(getter, js_name = profileType)]
    pub fn profile_type(&self) -> String {
        self.0.group.format().to_owned()
    }
    /// Longest profile duration in ms among profiles with a time unit, else null.
    #[wasm_bindgen(getter, js_name = durationMs, unchecked_return_type = "number | null")]
    pub fn duration_ms(&self) -> JsValue {
        nullable(self.0.group.duration_ms())
    }
    /// speedscope-import's profile-type name, what Flamedeck stores (e.g. `chrome-timeline`).
    #[wasm_bindgen(getter, js_name = flamedeckProfileType)]
    pub fn flamedeck_profile_type(&self) -> String {
        self.0.group.profile_type().to_owned()
    }
    /// The duration Flamedeck stores: the first profile's total weight in ms, rounded; null for non-time units.
    #[wasm_bindgen(getter, js_name = flamedeckDurationMs, unchecked_return_type = "number | null")]
    pub fn flamedeck_duration_ms(&self) -> JsValue {
        nullable(self.0.group.flamedeck_duration_ms())
    }
    /// Index of the profile a viewer shows first.
    #[wasm_bindgen(getter, js_name = activeProfileIndex)]
    pub fn active_profile_index(&self) -> u32 {
        self.0.group.active_profile_index() as u32
    }
    /// Number of distinct frames in the group.
    #[wasm_bindgen(getter, js_name = frameCount)]
    pub fn frame_count(&self) -> f64 {
        self.0.group.frames().len() as f64
    }
    /// The profiles, in file order.
    #[wasm_bindgen(getter, unchecked_return_type = "ProfileInfo[]")]
    pub fn profiles(&self) -> Result<JsValue, JsValue> {
        js(&run(|| Ok(self.0.profiles()))?)
    }
    /// What the import skipped or repaired.
    #[wasm_bindgen(getter, unchecked_return_type = "ImportReportInfo")]
    pub fn report(&self) -> Result<JsValue, JsValue> {
        js(&self.0.report())
    }
    /// Self/total weight of every frame present in a profile (default: the active one).
    #[wasm_bindgen(js_name = frameWeights, unchecked_return_type = "FrameWeight[]")]
    pub fn frame_weights(&self, profile: Option<u32>) -> Result<JsValue, JsValue> {
        js(&run(|| self.0.frame_weights(profile))?)
    }
    /// The functions of a profile ranked by self (default) or total weight: one page of rows.
    #[wasm_bindgen(js_name = topFunctions, unchecked_return_type = "FunctionStat[]")]
    pub fn top_functions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "TopOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js(&run(|| self.0.top_functions(&req(options)?))?)
    }
    /// A plain-text summary of the group for an LLM prompt, at most `maxChars` characters.
    pub fn summary(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        run(|| self.0.summary(&req(options)?))
    }
    /// speedscope file-format JSON (deterministic).
    #[wasm_bindgen(js_name = toSpeedscopeJson)]
    pub fn to_speedscope_json(&self) -> Result<String, JsValue> {
        run(|| Ok(flamekit::to_speedscope_json(&self.0.group)))
    }
    /// gzip-compressed speedscope JSON (deterministic).
    #[wasm_bindgen(js_name = toSpeedscopeGzip)]
    pub fn to_speedscope_gzip(&self) -> Result<Vec<u8>, JsValue> {
        run(|| Ok(flamekit::to_speedscope_gzip(&self.0.group)))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    pub fn dump(&self) -> Result<String, JsValue> {
        run(|| Ok(flamekit::dump(&self.0.group)))
    }
}

/// Import a profile from bytes. The format is detected from the content;
/// `nameHint` (a file name) only breaks ties and names the group; `options`
/// holds the import switches and source maps.
#[wasm_bindgen]
pub fn load(
    input: &[u8],
    #[wasm_bindgen(js_name = nameHint)] name_hint: Option<String>,
    #[wasm_bindgen(unchecked_optional_param_type = "IngestLimits")] limits: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: JsValue,
) -> Result<ProfileGroup, JsValue> {
    run(|| {
        let request = fb::LoadRequest { name_hint, limits: req(limits)?, options: req(options)? };
        Ok(ProfileGroup(Loaded::from_bytes(input, &request)?))
    })
}

/// `load` as a Promise.
#[wasm_bindgen(js_name = loadAsync, unchecked_return_type = "Promise<ProfileGroup>")]
pub fn load_async(
    input: &[u8],
    #[wasm_bindgen(js_name = nameHint)] name_hint: Option<String>,
    #[wasm_bindgen(unchecked_optional_param_type = "IngestLimits")] limits: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: JsValue,
) -> Promise {
    settled(load(input, name_hint, limits, options).map(JsValue::from))
}

/// What changed between two profiles. Immutable.
#[wasm_bindgen]
pub struct ProfileDiff(flamekit::ProfileDiff);

#[wasm_bindgen]
impl ProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    #[wasm_bindgen(getter)]
    pub fn unit(&self) -> String {
        self.0.unit.as_str().to_owned()
    }
    /// Whether before weights were scaled to the after total.
    #[wasm_bindgen(getter)]
    pub fn normalized(&self) -> bool {
        self.0.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    #[wasm_bindgen(getter)]
    pub fn scale(&self) -> f64 {
        self.0.scale
    }
    /// Total weight of the before profile, unscaled.
    #[wasm_bindgen(getter, js_name = beforeTotal)]
    pub fn before_total(&self) -> f64 {
        self.0.before_total
    }
    /// Total weight of the after profile.
    #[wasm_bindgen(getter, js_name = afterTotal)]
    pub fn after_total(&self) -> f64 {
        self.0.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    #[wasm_bindgen(getter, unchecked_return_type = "FunctionDelta[]")]
    pub fn functions(&self) -> Result<JsValue, JsValue> {
        js(&fb::function_deltas(&self.0))
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    #[wasm_bindgen(getter, js_name = isZero)]
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
    /// Functions ranked by `by` (default `self`), one page of rows.
    #[wasm_bindgen(js_name = topByDelta, unchecked_return_type = "FunctionDelta[]")]
    pub fn top_by_delta(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "DeltaOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js(&run(|| fb::top_by_delta(&self.0, &req(options)?))?)
    }
}

/// `renderPng`, `renderSvg` and their Promise forms, the same for
/// `ProfileGroup` and `ProfileDiff` (after weights; red grew, blue shrank).
macro_rules! render_methods {
    ($ty:ident, |$s:ident| $subject:expr) => {
        #[wasm_bindgen]
        impl $ty {
            /// Render as PNG bytes (deterministic).
            #[wasm_bindgen(js_name = renderPng, unchecked_return_type = "Uint8Array")]
            pub fn render_png(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "RenderOptions")] options: JsValue,
            ) -> Result<JsValue, JsValue> {
                let $s = self;
                run(|| fb::render($subject, &req(options)?, false)).map(image)
            }
            /// Render as a standalone SVG document; same options and layout as `renderPng`.
            #[wasm_bindgen(js_name = renderSvg, unchecked_return_type = "string")]
            pub fn render_svg(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "RenderOptions")] options: JsValue,
            ) -> Result<JsValue, JsValue> {
                let $s = self;
                run(|| fb::render($subject, &req(options)?, true)).map(image)
            }
            /// `renderPng` as a Promise.
            #[wasm_bindgen(js_name = renderPngAsync, unchecked_return_type = "Promise<Uint8Array>")]
            pub fn render_png_async(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "RenderOptions")] options: JsValue,
            ) -> Promise {
                settled(self.render_png(options))
            }
            /// `renderSvg` as a Promise.
            #[wasm_bindgen(js_name = renderSvgAsync, unchecked_return_type = "Promise<string>")]
            pub fn render_svg_async(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "RenderOptions")] options: JsValue,
            ) -> Promise {
                settled(self.render_svg(options))
            }
        }
    };
}

render_methods!(ProfileGroup, |g| Subject::Group(&g.0.group));
render_methods!(ProfileDiff, |d| Subject::Diff(&d.0));

/// Compare a profile of `before` with a profile of `after` (default: the active ones).
#[wasm_bindgen]
pub fn diff(
    before: &ProfileGroup,
    after: &ProfileGroup,
    #[wasm_bindgen(unchecked_optional_param_type = "DiffOptions")] options: JsValue,
) -> Result<ProfileDiff, JsValue> {
    run(|| Ok(ProfileDiff(fb::diff(&before.0, &after.0, &req(options)?)?)))
}

/// `diff` as a Promise.
#[wasm_bindgen(js_name = diffAsync, unchecked_return_type = "Promise<ProfileDiff>")]
pub fn diff_async(
    before: &ProfileGroup,
    after: &ProfileGroup,
    #[wasm_bindgen(unchecked_optional_param_type = "DiffOptions")] options: JsValue,
) -> Promise {
    settled(diff(before, after, options).map(JsValue::from))
}

/// Check an upload's metadata against a policy (default: the library's).
#[wasm_bindgen(js_name = checkUpload, unchecked_return_type = "Verdict")]
pub fn check_upload(
    #[wasm_bindgen(unchecked_optional_param_type = "UploadInfo")] info: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UploadPolicy")] policy: JsValue,
) -> Result<JsValue, JsValue> {
    let (info, policy) = (req::<fb::UploadInfoRequest>(info), req::<fb::UploadPolicyRequest>(policy));
    js(&run(|| Ok(fb::verdict(&flamekit::check_upload(&policy?.resolve()?, &info?.resolve(None)))))?)
}

/// `checkUpload` with the bytes at hand: the size is the data's length, and
/// an SVG upload (by content type or `.svg` name) must also pass `validateSvg`.
#[wasm_bindgen(js_name = checkUploadBytes, unchecked_return_type = "Verdict")]
pub fn check_upload_bytes(
    data: &[u8],
    #[wasm_bindgen(unchecked_optional_param_type = "UploadInfo")] info: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UploadPolicy")] policy: JsValue,
) -> Result<JsValue, JsValue> {
    let (info, policy) = (req::<fb::UploadInfoRequest>(info), req::<fb::UploadPolicyRequest>(policy));
    js(&run(|| {
        let info = info?.resolve(Some(data.len()));
        Ok(fb::verdict(&flamekit::check_upload_bytes(&policy?.resolve()?, &info, data)))
    })?)
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[wasm_bindgen(js_name = validateSvg, unchecked_return_type = "Verdict")]
pub fn validate_svg(
    data: &[u8],
    #[wasm_bindgen(unchecked_optional_param_type = "SvgPolicy")] policy: JsValue,
) -> Result<JsValue, JsValue> {
    let policy = req::<fb::SvgPolicyRequest>(policy);
    js(&run(|| Ok(fb::verdict(&flamekit::validate_svg(data, &policy?.into()))))?)
}

/// May the user send one more message in the current session?
#[wasm_bindgen(js_name = checkChatLimits, unchecked_return_type = "ChatVerdict")]
pub fn check_chat_limits(
    #[wasm_bindgen(unchecked_optional_param_type = "ChatPlan")] plan: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ChatUsage")] usage: JsValue,
) -> Result<JsValue, JsValue> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(plan), req::<fb::ChatUsage>(usage));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_send_message(&plan?.resolve()?, &usage), &usage))
    })?)
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[wasm_bindgen(js_name = checkChatSession, unchecked_return_type = "ChatVerdict")]
pub fn check_chat_session(
    #[wasm_bindgen(unchecked_param_type = "ChatPlan")] plan: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ChatUsage")] usage: JsValue,
    now: f64,
) -> Result<JsValue, JsValue> {
    let (plan, usage) = (req::<fb::ChatPlanRequest>(plan), req::<fb::ChatUsage>(usage));
    js(&run(|| {
        let usage = usage?.into();
        Ok(fb::chat_verdict(&flamekit::may_start_session(&plan?.resolve()?, &usage, now as i64), &usage))
    })?)
}

/// Start of the monthly period containing `now`, for periods beginning at `periodStart`.
#[wasm_bindgen(js_name = monthlyPeriodStart)]
pub fn monthly_period_start(#[wasm_bindgen(js_name = periodStart)] period_start: f64, now: f64) -> f64 {
    flamekit::monthly_period_start(period_start as i64, now as i64) as f64
}

/// UTC unix seconds at midnight of a date; null for an invalid date.
#[wasm_bindgen(js_name = unixSecondsFromDate, unchecked_return_type = "number | null")]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> JsValue {
    nullable(flamekit::unix_seconds_from_date(year, month, day).map(|s| s as f64))
}
