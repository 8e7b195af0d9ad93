//! UniFFI bindings for flamekit (Kotlin, Swift, Python): the UniFFI skin over
//! `flamekit-bindings`.
//!
//! The shared records and settings are mapped as remote records with the
//! fields of their one definition (`flamekit_bindings::<Name>!`), the
//! library's own policy types as remote records spelled out here (no
//! conversion code). This crate keeps what UniFFI forces: the error enum
//! (one variant per stable code, each with `code` and `message`), typed
//! enums for names (Kotlin/Swift idiom), records with default values, and
//! the exported signatures. Panics are caught by the shared guard and
//! reported as [`FlamekitError::Internal`] (code `internal_error`).
//!
//! Generate bindings with the in-workspace bin:
//! `cargo run -p flamekit-uniffi --features cli --bin uniffi-bindgen -- generate
//! --library target/debug/libflamekit_uniffi.so --language python --out-dir out`.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use flamekit::{ChatPlan, DeltaSort, IngestLimits, SessionsPeriod, SvgPolicy, Theme, UploadInfo, UploadPolicy};
use flamekit_bindings::{self as fb, flamekit, ChatUsage, Error, Image, Loaded, Subject};
use flamekit_bindings::{ChatVerdictRecord as ChatVerdict, VerdictRecord as Verdict};
use flamekit_bindings::{Diagnostic, FrameWeight, FunctionDelta, FunctionStat, ImportReportInfo, ProfileInfo};
use flamekit_bindings::{DiffRequest as DiffOptions, ImportRequest as ImportOptions};
use flamekit_bindings::{SourceMapRequest, SourceMapRequest as SourceMap};

uniffi::setup_scaffolding!();

/// The error enum: one variant per stable code (the shared `error_table!`), each
/// with `code` and `message`; `LimitExceeded` also carries the limit.
macro_rules! errors {
    ($($variant:ident $class:ident = $code:literal: $doc:literal,)* ; $lv:ident $lc:ident = $lcode:literal: $ldoc:literal) => {
        /// Every flamekit failure; the variant matches the stable `code` field.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum FlamekitError {
            $(#[doc = $doc] #[error("{message}")] $variant {
                /// Stable code.
                code: String,
                /// Human-readable detail.
                message: String,
            },)*
            #[doc = $ldoc]
            #[error("{message}")]
            $lv {
                /// Stable code.
                code: String,
                /// Human-readable detail.
                message: String,
                /// Which limit, e.g. `max_frames`.
                limit: String,
                /// The configured maximum.
                max: u64,
                /// The value reached when reading stopped.
                value: u64,
            },
        }

        impl From<Error> for FlamekitError {
            fn from(e: Error) -> Self {
                let (code, message) = (e.code().to_owned(), e.to_string());
                match e {
                    Error::LimitExceeded { limit, max, value } => {
                        FlamekitError::LimitExceeded { code, message, limit: limit.as_str().to_owned(), max, value }
                    }
                    $(_ if code == $code => FlamekitError::$variant { code, message },)*
                    _ => FlamekitError::Internal { code: "internal_error".into(), message },
                }
            }
        }
    };
}

flamekit_bindings::error_table!(errors);

/// Run `f` under the shared panic guard, mapping the error.
fn run<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, FlamekitError> {
    fb::guard(f).map_err(FlamekitError::from)
}

/// A struct of flamekit-bindings (or a library type with the same fields) as
/// a UniFFI remote record named `$uniffi`, its fields from the shared
/// definition (`flamekit_bindings::<struct>!`); with `default`, every field
/// may be left out (UniFFI's default for its type: 0, None, empty).
macro_rules! remote_record {
    ($uniffi:ident; $(#[$($m:tt)*])* struct $name:ident { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }) => {
        #[uniffi::remote(Record)]
        pub struct $uniffi { $(pub $field: $ty,)* }
    };
    ($uniffi:ident default; $(#[$($m:tt)*])* struct $name:ident { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }) => {
        #[uniffi::remote(Record)]
        pub struct $uniffi { $(#[uniffi(default)] pub $field: $ty,)* }
    };
}

fb::ProfileInfo!(remote_record ProfileInfo);
fb::FrameWeight!(remote_record FrameWeight);
fb::Diagnostic!(remote_record Diagnostic);
fb::ImportReportInfo!(remote_record ImportReportInfo);
fb::FunctionStat!(remote_record FunctionStat);
fb::FunctionDelta!(remote_record FunctionDelta);
fb::VerdictRecord!(remote_record Verdict);
fb::ChatVerdictRecord!(remote_record ChatVerdict);
fb::ChatUsage!(remote_record ChatUsage default);
fb::LimitsRequest!(remote_record IngestLimits);
fb::SvgPolicyRequest!(remote_record SvgPolicy);
fb::ImportRequest!(remote_record ImportOptions default);
fb::DiffRequest!(remote_record DiffOptions default);

#[uniffi::remote(Record)]
pub struct UploadPolicy {
    pub max_bytes: Option<u64>,
    pub allowed_content_types: Vec<String>,
    pub allowed_extensions: Vec<String>,
    pub max_duration_ms: Option<u64>,
    pub svg: SvgPolicy,
}

#[uniffi::remote(Record)]
pub struct UploadInfo {
    #[uniffi(default = 0)]
    pub size_bytes: u64,
    #[uniffi(default = None)]
    pub content_type: Option<String>,
    #[uniffi(default = None)]
    pub file_name: Option<String>,
    #[uniffi(default = None)]
    pub duration_ms: Option<f64>,
}

#[uniffi::remote(Enum)]
pub enum SessionsPeriod {
    Lifetime,
    Monthly,
}

#[uniffi::remote(Record)]
pub struct ChatPlan {
    #[uniffi(default = None)]
    pub messages_per_session: Option<u32>,
    #[uniffi(default = None)]
    pub sessions_limit: Option<u32>,
    pub sessions_period: SessionsPeriod,
}

/// The library's default ingest limits.
#[uniffi::export]
pub fn default_ingest_limits() -> IngestLimits {
    IngestLimits::default()
}

/// No limits at all.
#[uniffi::export]
pub fn unlimited_ingest_limits() -> IngestLimits {
    IngestLimits::unlimited()
}

/// The library's default upload policy.
#[uniffi::export]
pub fn default_upload_policy() -> UploadPolicy {
    UploadPolicy::default()
}

/// Panic inside the library on purpose: tests that a panic surfaces as
/// `FlamekitError.Internal` (code `internal_error`), not UniFFI's generic panic error.
#[uniffi::export]
pub fn panic_for_tests() -> Result<(), FlamekitError> {
    run(fb::panic_for_tests)
}

/// Every stable error code, in the library's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    fb::error_codes().into_iter().map(str::to_owned).collect()
}

#[uniffi::remote(Enum)]
pub enum Theme {
    Light,
    Dark,
}

/// What to draw.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RenderView {
    /// Flame chart: calls in time order.
    TimeOrder,
    /// Merged flame graph, heaviest call paths first.
    LeftHeavy,
    /// Callers above and callees below every frame with this name.
    Sandwich {
        /// Exact frame name.
        frame: String,
    },
}

/// `RenderOptions`, every field optional (None: the library default), and
/// its conversion to the shared request: each field as it is or, after `as`,
/// through that function.
macro_rules! render_options {
    ($($(#[doc = $doc:literal])* $field:ident: $ty:ty $(as $conv:ident)?,)*) => {
        /// How to render; unset (None) fields take the library defaults.
        #[derive(Clone, Debug, Default, PartialEq, uniffi::Record)]
        pub struct RenderOptions {
            $($(#[doc = $doc])* #[uniffi(default = None)] pub $field: Option<$ty>,)*
        }

        impl From<RenderOptions> for fb::RenderRequest {
            fn from(o: RenderOptions) -> Self {
                let frame = match &o.view {
                    Some(RenderView::Sandwich { frame }) => Some(frame.clone()),
                    _ => None,
                };
                fb::RenderRequest { frame, $($field: $($conv)?(o.$field),)* }
            }
        }
    };
}

render_options! {
    /// Width in CSS pixels.
    width: u32,
    /// Height in CSS pixels.
    height: u32,
    /// Colours.
    theme: Theme as theme_name,
    /// What to draw.
    view: RenderView as view_name,
    /// Start of the zoom window, in profile units (absolute).
    start: f64,
    /// End of the zoom window, in profile units (absolute).
    end: f64,
    /// Profile index (default: the active profile).
    profile: u32,
    /// Highlight this function, fade the others.
    focus: String,
    /// Device pixels per CSS pixel.
    device_pixel_ratio: f64,
    /// Draw the title strip.
    title: bool,
    /// Zoom window start in ms after the profile's start (time units only).
    start_time_ms: f64,
    /// Zoom window end in ms after the profile's start.
    end_time_ms: f64,
    /// Outermost rows to skip.
    start_depth: u32,
    /// Box colours: `system`, `fire`, `peach` or `ice`.
    palette: String,
    /// Draw the time and depth axes.
    axes: bool,
    /// Flamedeck's render parameters by name (`width`, `mode`, `startTimeMs`, …).
    params: HashMap<String, String> as params,
}

fn theme_name(theme: Option<Theme>) -> Option<String> {
    theme.map(|t| t.to_string())
}

fn view_name(view: Option<RenderView>) -> Option<String> {
    let name = |v| match v {
        RenderView::TimeOrder => "time_order",
        RenderView::LeftHeavy => "left_heavy",
        RenderView::Sandwich { .. } => "sandwich",
    };
    view.map(|v| name(v).to_owned())
}

fn params(params: Option<HashMap<String, String>>) -> std::collections::BTreeMap<String, String> {
    params.unwrap_or_default().into_iter().collect()
}

/// Render options with every field unset: the library defaults.
#[uniffi::export]
pub fn default_render_options() -> RenderOptions {
    RenderOptions::default()
}

fn render_png(subject: Subject<'_>, options: Option<RenderOptions>) -> Result<Vec<u8>, FlamekitError> {
    match run(|| fb::render(subject, &options.unwrap_or_default().into(), false))? {
        Image::Png(png) => Ok(png),
        Image::Svg(_) => Err(Error::Internal { message: "expected a PNG".into() }.into()),
    }
}

fn render_svg(subject: Subject<'_>, options: Option<RenderOptions>) -> Result<String, FlamekitError> {
    match run(|| fb::render(subject, &options.unwrap_or_default().into(), true))? {
        Image::Svg(svg) => Ok(svg),
        Image::Png(_) => Err(Error::Internal { message: "expected an SVG".into() }.into()),
    }
}

/// Which weight ranks `top_functions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SortBy {
    /// Self weight: time with the function innermost.
    SelfWeight,
    /// Total weight: time with the function anywhere on the stack.
    TotalWeight,
}

/// A `#[uniffi::export]` block of the shared accessors of a class
/// (`flamekit_bindings::group_accessors!`, `diff_accessors!`).
macro_rules! accessors {
    ($class:ident ; |$v:ident| { $($(#[doc = $doc:literal])* $name:ident: $ty:ty = $value:expr;)* }) => {
        #[uniffi::export]
        impl $class {
            $($(#[doc = $doc])* pub fn $name(&self) -> $ty { let $v = &self.0; $value })*
        }
    };
}

/// Profiles imported from one input, sharing one frame table. Immutable and thread-safe.
#[derive(uniffi::Object)]
pub struct ProfileGroup(Loaded);

fb::group_accessors!(accessors ProfileGroup);

#[uniffi::export]
impl ProfileGroup {
    /// The profiles, in file order.
    pub fn profiles(&self) -> Result<Vec<ProfileInfo>, FlamekitError> {
        run(|| Ok(self.0.profiles()))
    }
    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[uniffi::method(default(profile = None))]
    pub fn frame_weights(&self, profile: Option<u32>) -> Result<Vec<FrameWeight>, FlamekitError> {
        run(|| self.0.frame_weights(profile))
    }
    /// Render a profile as PNG bytes (deterministic); `None` means default options.
    #[uniffi::method(default(options = None))]
    pub fn render_png(&self, options: Option<RenderOptions>) -> Result<Vec<u8>, FlamekitError> {
        render_png(Subject::Group(&self.0.group), options)
    }
    /// Render a profile as a standalone SVG document; same options and layout as `render_png`.
    #[uniffi::method(default(options = None))]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> Result<String, FlamekitError> {
        render_svg(Subject::Group(&self.0.group), options)
    }
    /// The functions of a profile (default: the active one) ranked by self
    /// (default) or total weight, heaviest first: rows `offset .. offset + limit`.
    /// `(root)` and `(idle)` pseudo-frames are left out.
    #[uniffi::method(default(profile = None, by = None, offset = None, limit = None))]
    pub fn top_functions(
        &self,
        profile: Option<u32>,
        by: Option<SortBy>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<FunctionStat>, FlamekitError> {
        let by = by.map(|b| if b == SortBy::TotalWeight { "total" } else { "self" }.to_owned());
        run(|| self.0.top_functions(&fb::TopRequest { profile, by, offset, limit }))
    }
    /// A plain-text summary of the group for an LLM prompt, at most `max_chars` characters.
    #[uniffi::method(default(max_chars = None, top_n = None))]
    pub fn summary(&self, max_chars: Option<u32>, top_n: Option<u32>) -> Result<String, FlamekitError> {
        run(|| self.0.summary(&fb::SummaryRequest { max_chars, top_n }))
    }
    /// speedscope file-format JSON (deterministic); `limit_exceeded` past
    /// 1 GiB of text (`flamekit::MAX_EXPORT_BYTES`).
    pub fn to_speedscope_json(&self) -> Result<String, FlamekitError> {
        run(|| flamekit::to_speedscope_json(&self.0.group))
    }
    /// gzip-compressed speedscope JSON (deterministic); `limit_exceeded`
    /// past 1 GiB of text (`flamekit::MAX_EXPORT_BYTES`).
    pub fn to_speedscope_gzip(&self) -> Result<Vec<u8>, FlamekitError> {
        run(|| flamekit::to_speedscope_gzip(&self.0.group))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    pub fn dump(&self) -> Result<String, FlamekitError> {
        run(|| flamekit::dump(&self.0.group))
    }
}

#[uniffi::remote(Record)]
pub struct SourceMap {
    pub name: String,
    #[uniffi(default = None)]
    pub script: Option<String>,
    pub bytes: Vec<u8>,
}

fn load_request(
    name_hint: Option<String>,
    limits: Option<IngestLimits>,
    options: Option<ImportOptions>,
) -> fb::LoadRequest {
    let limits = limits.map(fb::LimitsRequest::from).unwrap_or_default();
    fb::LoadRequest { name_hint, limits, options: options.unwrap_or_default() }
}

/// Import a profile from bytes. The format is detected from the content;
/// `name_hint` (a file name) only breaks ties and names the group;
/// `options` holds the import switches and source maps.
#[uniffi::export(default(name_hint = None, limits = None, options = None))]
pub fn load_bytes(
    bytes: Vec<u8>,
    name_hint: Option<String>,
    limits: Option<IngestLimits>,
    options: Option<ImportOptions>,
) -> Result<Arc<ProfileGroup>, FlamekitError> {
    let request = load_request(name_hint, limits, options);
    run(|| Ok(Arc::new(ProfileGroup(Loaded::from_bytes(&bytes, &request)?))))
}

/// Import a profile from a file; its name is the detection hint and the group name.
#[uniffi::export(default(limits = None, options = None))]
pub fn load_file(
    path: String,
    limits: Option<IngestLimits>,
    options: Option<ImportOptions>,
) -> Result<Arc<ProfileGroup>, FlamekitError> {
    let request = load_request(None, limits, options);
    run(|| Ok(Arc::new(ProfileGroup(Loaded::from_path(Path::new(&path), &request)?))))
}

/// Diff options with every field unset: the library defaults.
#[uniffi::export]
pub fn default_diff_options() -> DiffOptions {
    DiffOptions::default()
}

#[uniffi::remote(Enum)]
pub enum DeltaSort {
    SelfGrowth,
    TotalGrowth,
    SelfAbsolute,
}

/// What changed between two profiles. Immutable and thread-safe.
#[derive(uniffi::Object)]
pub struct ProfileDiff(flamekit::ProfileDiff);

fb::diff_accessors!(accessors ProfileDiff);

#[uniffi::export]
impl ProfileDiff {
    /// Functions ranked by `by` (default: self growth): rows `offset .. offset + limit`.
    #[uniffi::method(default(by = None, offset = None, limit = None))]
    pub fn top_by_delta(
        &self,
        by: Option<DeltaSort>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Vec<FunctionDelta>, FlamekitError> {
        let by = by.map(|b| b.to_string());
        run(|| fb::top_by_delta(&self.0, &fb::DeltaRequest { by, offset, limit }))
    }
    /// Render the diff as a PNG flame graph (after weights; red grew, blue shrank).
    #[uniffi::method(default(options = None))]
    pub fn render_png(&self, options: Option<RenderOptions>) -> Result<Vec<u8>, FlamekitError> {
        render_png(Subject::Diff(&self.0), options)
    }
    /// Render the diff as a standalone SVG document; same options and layout as `render_png`.
    #[uniffi::method(default(options = None))]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> Result<String, FlamekitError> {
        render_svg(Subject::Diff(&self.0), options)
    }
}

/// Compare a profile of `before` with a profile of `after` (default: the active ones).
#[uniffi::export(default(options = None))]
pub fn diff(
    before: Arc<ProfileGroup>,
    after: Arc<ProfileGroup>,
    options: Option<DiffOptions>,
) -> Result<Arc<ProfileDiff>, FlamekitError> {
    run(|| Ok(Arc::new(ProfileDiff(fb::diff(&before.0, &after.0, &options.unwrap_or_default())?))))
}

/// Check an upload's metadata against a policy (default: the library's).
#[uniffi::export(default(policy = None))]
pub fn check_upload(info: UploadInfo, policy: Option<UploadPolicy>) -> Result<Verdict, FlamekitError> {
    run(|| Ok(fb::verdict(&flamekit::check_upload(&policy.unwrap_or_default(), &info))))
}

/// `check_upload` with the bytes at hand: an SVG upload must also pass `validate_svg`.
#[uniffi::export(default(policy = None))]
pub fn check_upload_bytes(
    data: Vec<u8>,
    info: UploadInfo,
    policy: Option<UploadPolicy>,
) -> Result<Verdict, FlamekitError> {
    run(|| Ok(fb::verdict(&flamekit::check_upload_bytes(&policy.unwrap_or_default(), &info, &data))))
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[uniffi::export(default(policy = None))]
pub fn validate_svg(data: Vec<u8>, policy: Option<SvgPolicy>) -> Result<Verdict, FlamekitError> {
    run(|| Ok(fb::verdict(&flamekit::validate_svg(&data, &policy.unwrap_or_default()))))
}

/// May the user send one more message in the current session?
#[uniffi::export]
pub fn check_chat_limits(plan: ChatPlan, usage: ChatUsage) -> Result<ChatVerdict, FlamekitError> {
    let usage = usage.into();
    run(|| Ok(fb::chat_verdict(&flamekit::may_send_message(&plan, &usage), &usage)))
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[uniffi::export]
pub fn check_chat_session(plan: ChatPlan, usage: ChatUsage, now: i64) -> Result<ChatVerdict, FlamekitError> {
    let usage = usage.into();
    run(|| Ok(fb::chat_verdict(&flamekit::may_start_session(&plan, &usage, now), &usage)))
}

/// Start of the monthly period containing `now`, for periods beginning at `period_start`.
#[uniffi::export]
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; None for an invalid date.
#[uniffi::export]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}
