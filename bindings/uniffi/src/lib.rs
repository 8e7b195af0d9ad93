//! UniFFI bindings for flamekit (Kotlin, Swift, Python): a thin skin over the
//! `flamekit` crate.
//!
//! Objects ([`ProfileGroup`]), records ([`IngestLimits`], [`ProfileInfo`],
//! [`FrameWeight`], ...) and one error enum ([`FlamekitError`], one variant
//! per stable code, each carrying `code` and `message`). Every exported call
//! converts its arguments, calls the library and converts the result; panics
//! are caught here (not left to UniFFI's generic panic path) and reported as
//! [`FlamekitError::Internal`] with code `internal_error`.
//!
//! Generate bindings with the in-workspace bin:
//! `cargo run -p flamekit-uniffi --features cli --bin uniffi-bindgen -- generate
//! --library target/debug/libflamekit_uniffi.so --language python --out-dir out`.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

use flamekit::{Error, ImportOptions, ImportReport};

uniffi::setup_scaffolding!();

mod diff;
mod policy;
pub use diff::*;
pub use policy::*;

/// Every flamekit failure; the variant matches the stable `code` field.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum FlamekitError {
    /// `invalid_json`: the input is not valid JSON.
    #[error("{message}")]
    InvalidJson {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `unsupported_format`: no importer recognised the input.
    #[error("{message}")]
    UnsupportedFormat {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `invalid_profile`: the input's content is inconsistent.
    #[error("{message}")]
    InvalidProfile {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `truncated_input`: the input ends early.
    #[error("{message}")]
    TruncatedInput {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `limit_exceeded`: an ingest limit was exceeded.
    #[error("{message}")]
    LimitExceeded {
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
    /// `decompression_failed`: gzip/zip data is corrupt.
    #[error("{message}")]
    DecompressionFailed {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `invalid_argument`: an argument is out of range.
    #[error("{message}")]
    InvalidArgument {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `empty_profile`: nothing to show or analyze.
    #[error("{message}")]
    EmptyProfile {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `io_error`: reading a file failed.
    #[error("{message}")]
    Io {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
    /// `internal_error`: a bug in flamekit, or a caught panic.
    #[error("{message}")]
    Internal {
        /// Stable code.
        code: String,
        /// Human-readable detail.
        message: String,
    },
}

impl From<Error> for FlamekitError {
    fn from(e: Error) -> Self {
        let code = e.code().to_owned();
        let message = e.to_string();
        match e {
            Error::InvalidJson { .. } => FlamekitError::InvalidJson { code, message },
            Error::UnsupportedFormat { .. } => FlamekitError::UnsupportedFormat { code, message },
            Error::InvalidProfile { .. } => FlamekitError::InvalidProfile { code, message },
            Error::Truncated { .. } => FlamekitError::TruncatedInput { code, message },
            Error::LimitExceeded { limit, max, value } => {
                FlamekitError::LimitExceeded { code, message, limit: limit.as_str().to_owned(), max, value }
            }
            Error::Decompress { .. } => FlamekitError::DecompressionFailed { code, message },
            Error::InvalidArgument { .. } => FlamekitError::InvalidArgument { code, message },
            Error::EmptyProfile { .. } => FlamekitError::EmptyProfile { code, message },
            Error::Io { .. } => FlamekitError::Io { code, message },
            _ => FlamekitError::Internal { code: "internal_error".into(), message },
        }
    }
}

/// Run `f`, turning a panic into [`Error::Internal`] and the error into [`FlamekitError`].
fn run<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, FlamekitError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Internal { message: format!("panic: {what}") })
        })
        .map_err(FlamekitError::from)
}

/// Bounds checked while importing (see `default_ingest_limits()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct IngestLimits {
    /// Largest accepted input in bytes, before decompression.
    pub max_input_bytes: u64,
    /// Largest size after gzip/zip decompression.
    pub max_inflated_bytes: u64,
    /// Most distinct frames in one group.
    pub max_frames: u64,
    /// Most samples plus events over all profiles of a group.
    pub max_samples: u64,
    /// Deepest accepted stack.
    pub max_stack_depth: u64,
    /// Most profiles in a group.
    pub max_profiles: u64,
}

impl From<flamekit::IngestLimits> for IngestLimits {
    fn from(l: flamekit::IngestLimits) -> Self {
        IngestLimits {
            max_input_bytes: l.max_input_bytes,
            max_inflated_bytes: l.max_inflated_bytes,
            max_frames: l.max_frames,
            max_samples: l.max_samples,
            max_stack_depth: l.max_stack_depth,
            max_profiles: l.max_profiles,
        }
    }
}

impl From<IngestLimits> for flamekit::IngestLimits {
    fn from(l: IngestLimits) -> Self {
        flamekit::IngestLimits {
            max_input_bytes: l.max_input_bytes,
            max_inflated_bytes: l.max_inflated_bytes,
            max_frames: l.max_frames,
            max_samples: l.max_samples,
            max_stack_depth: l.max_stack_depth,
            max_profiles: l.max_profiles,
            ..flamekit::IngestLimits::default()
        }
    }
}

/// The library's default ingest limits.
#[uniffi::export]
pub fn default_ingest_limits() -> IngestLimits {
    flamekit::IngestLimits::default().into()
}

/// No limits at all.
#[uniffi::export]
pub fn unlimited_ingest_limits() -> IngestLimits {
    flamekit::IngestLimits::unlimited().into()
}

/// Panic inside the library on purpose: tests that a panic surfaces as
/// `FlamekitError.Internal` (code `internal_error`), not UniFFI's generic panic error.
#[uniffi::export]
pub fn panic_for_tests() -> Result<(), FlamekitError> {
    run(|| -> Result<(), Error> { panic!("deliberate panic for tests") })
}

/// Every stable error code, in the library's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    Error::CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// One profile of a group.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
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
    pub sample_count: u64,
    /// Sum of weights.
    pub total_weight: f64,
    /// First value of the time axis.
    pub start_value: f64,
    /// Last value of the time axis.
    pub end_value: f64,
    /// Duration in ms for time units.
    pub duration_ms: Option<f64>,
}

/// Self and total weight of one frame in one profile.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
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
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Diagnostic {
    /// Stable warning code.
    pub code: String,
    /// Where in the input.
    pub location: String,
    /// Detail.
    pub message: String,
}

/// What an import skipped or repaired.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct ImportReportInfo {
    /// Format identifier that was imported.
    pub format: String,
    /// Exact number of warnings.
    pub warning_count: u64,
    /// The first warnings (at most 100).
    pub warnings: Vec<Diagnostic>,
    /// Exact counts of skipped items per reason code.
    pub skipped: HashMap<String, u64>,
}

/// Colour scheme of a rendered image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Theme {
    /// White background (the default).
    Light,
    /// Dark background.
    Dark,
}

/// What to draw.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RenderView {
    /// Flame chart: calls in time order (the default).
    TimeOrder,
    /// Merged flame graph, heaviest call paths first.
    LeftHeavy,
    /// Callers above and callees below every frame with this name.
    Sandwich {
        /// Exact frame name.
        frame: String,
    },
}

/// How to render; unset fields take the library defaults.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RenderOptions {
    /// Width in CSS pixels.
    #[uniffi(default = 1200)]
    pub width: u32,
    /// Height in CSS pixels.
    #[uniffi(default = 800)]
    pub height: u32,
    /// Colours (default light).
    #[uniffi(default = None)]
    pub theme: Option<Theme>,
    /// What to draw (default time order).
    #[uniffi(default = None)]
    pub view: Option<RenderView>,
    /// Start of the zoom window, in profile units (absolute).
    #[uniffi(default = None)]
    pub start: Option<f64>,
    /// End of the zoom window, in profile units (absolute).
    #[uniffi(default = None)]
    pub end: Option<f64>,
    /// Profile index (default: the active profile).
    #[uniffi(default = None)]
    pub profile: Option<u32>,
    /// Highlight this function, fade the others.
    #[uniffi(default = None)]
    pub focus: Option<String>,
    /// Device pixels per CSS pixel.
    #[uniffi(default = 1.0)]
    pub device_pixel_ratio: f64,
    /// Draw the title strip.
    #[uniffi(default = true)]
    pub title: bool,
}

impl From<RenderOptions> for flamekit::RenderOptions {
    fn from(o: RenderOptions) -> Self {
        flamekit::RenderOptions {
            width: o.width,
            height: o.height,
            device_pixel_ratio: o.device_pixel_ratio,
            theme: match o.theme {
                Some(Theme::Dark) => flamekit::Theme::Dark,
                Some(Theme::Light) | None => flamekit::Theme::Light,
            },
            view: match o.view {
                Some(RenderView::TimeOrder) | None => flamekit::View::TimeOrder,
                Some(RenderView::LeftHeavy) => flamekit::View::LeftHeavy,
                Some(RenderView::Sandwich { frame }) => flamekit::View::Sandwich { frame },
            },
            profile_index: o.profile.map(|p| p as usize),
            start: o.start,
            end: o.end,
            focus: o.focus,
            title: o.title,
        }
    }
}

/// The library's default render options (1200×800, light, time order).
#[uniffi::export]
pub fn default_render_options() -> RenderOptions {
    let d = flamekit::RenderOptions::default();
    RenderOptions {
        width: d.width,
        height: d.height,
        theme: None,
        view: None,
        start: None,
        end: None,
        profile: None,
        focus: None,
        device_pixel_ratio: d.device_pixel_ratio,
        title: d.title,
    }
}

/// Profiles imported from one input, sharing one frame table. Immutable and
/// thread-safe.
#[derive(uniffi::Object)]
pub struct ProfileGroup {
    group: flamekit::ProfileGroup,
    report: ImportReport,
}

impl ProfileGroup {
    fn new((group, report): (flamekit::ProfileGroup, ImportReport)) -> Arc<Self> {
        Arc::new(ProfileGroup { group, report })
    }
    fn profile_index(&self, profile: Option<u32>) -> usize {
        profile.map(|p| p as usize).unwrap_or_else(|| self.group.active_profile_index())
    }
}

#[uniffi::export]
impl ProfileGroup {
    /// Group name (the file name, the name hint, or the format's own name).
    pub fn name(&self) -> String {
        self.group.name().to_owned()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    pub fn profile_type(&self) -> String {
        self.group.format().to_owned()
    }
    /// Longest profile duration in ms among profiles with a time unit.
    pub fn duration_ms(&self) -> Option<f64> {
        self.group.duration_ms()
    }
    /// Index of the profile a viewer shows first.
    pub fn active_profile_index(&self) -> u32 {
        self.group.active_profile_index() as u32
    }
    /// Number of distinct frames in the group.
    pub fn frame_count(&self) -> u64 {
        self.group.frames().len() as u64
    }
    /// The profiles, in file order.
    pub fn profiles(&self) -> Result<Vec<ProfileInfo>, FlamekitError> {
        run(|| {
            Ok(self
                .group
                .profiles()
                .iter()
                .enumerate()
                .map(|(index, p)| ProfileInfo {
                    index: index as u32,
                    name: p.name().to_owned(),
                    unit: p.unit().as_str().to_owned(),
                    kind: if p.is_sampled() { "sampled" } else { "evented" }.to_owned(),
                    sample_count: p.sample_count() as u64,
                    total_weight: p.total_weight(),
                    start_value: p.start_value(),
                    end_value: p.end_value(),
                    duration_ms: p.duration_ms(),
                })
                .collect())
        })
    }
    /// What the import skipped or repaired.
    pub fn report(&self) -> ImportReportInfo {
        let r = &self.report;
        ImportReportInfo {
            format: r.format.clone(),
            warning_count: r.warning_count,
            warnings: r
                .warnings
                .iter()
                .map(|d| Diagnostic {
                    code: d.code.into(),
                    location: d.location.to_string(),
                    message: d.message.clone(),
                })
                .collect(),
            skipped: r.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
    }
    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[uniffi::method(default(profile = None))]
    pub fn frame_weights(&self, profile: Option<u32>) -> Result<Vec<FrameWeight>, FlamekitError> {
        let group = &self.group;
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
    /// Render a profile as PNG bytes (deterministic); `None` means default options.
    #[uniffi::method(default(options = None))]
    pub fn render_png(&self, options: Option<RenderOptions>) -> Result<Vec<u8>, FlamekitError> {
        let opts = options.unwrap_or_else(default_render_options).into();
        run(|| flamekit::render_png(&self.group, &opts))
    }
    /// Render a profile as a standalone SVG document; same options and layout as `render_png`.
    #[uniffi::method(default(options = None))]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> Result<String, FlamekitError> {
        let opts = options.unwrap_or_else(default_render_options).into();
        run(|| flamekit::render_svg(&self.group, &opts))
    }
    /// The functions of a profile (default: the active one) ranked by self
    /// (default) or total weight, heaviest first: rows `offset .. offset + limit`.
    /// `(root)` and `(idle)` pseudo-frames are left out.
    #[uniffi::method(default(profile = None, by = None, offset = 0, limit = 20))]
    pub fn top_functions(
        &self,
        profile: Option<u32>,
        by: Option<SortBy>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<FunctionStat>, FlamekitError> {
        let index = self.profile_index(profile);
        let opts = flamekit::TopOptions {
            sort_by: by.map(Into::into).unwrap_or_default(),
            offset: offset as usize,
            limit: limit as usize,
        };
        run(|| Ok(flamekit::top_functions(&self.group, index, &opts)?.into_iter().map(Into::into).collect()))
    }
    /// A plain-text summary of the group for an LLM prompt, at most `max_chars` characters.
    #[uniffi::method(default(max_chars = 4000, top_n = 10))]
    pub fn summary(&self, max_chars: u32, top_n: u32) -> Result<String, FlamekitError> {
        let opts = flamekit::SummaryOptions { max_chars: max_chars as usize, top_n: top_n as usize };
        run(|| flamekit::summarize(&self.group, &opts))
    }
    /// speedscope file-format JSON (deterministic).
    pub fn to_speedscope_json(&self) -> Result<String, FlamekitError> {
        run(|| Ok(flamekit::to_speedscope_json(&self.group)))
    }
    /// gzip-compressed speedscope JSON (deterministic).
    pub fn to_speedscope_gzip(&self) -> Result<Vec<u8>, FlamekitError> {
        run(|| Ok(flamekit::to_speedscope_gzip(&self.group)))
    }
    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    pub fn dump(&self) -> Result<String, FlamekitError> {
        run(|| Ok(flamekit::dump(&self.group)))
    }
}

/// Import a profile from bytes. The format is detected from the content;
/// `name_hint` (a file name) only breaks ties and names the group.
#[uniffi::export(default(name_hint = None, limits = None))]
pub fn load_bytes(
    bytes: Vec<u8>,
    name_hint: Option<String>,
    limits: Option<IngestLimits>,
) -> Result<Arc<ProfileGroup>, FlamekitError> {
    run(|| {
        let opts = ImportOptions { limits: limits.map(Into::into).unwrap_or_default(), name: name_hint.clone(), ..Default::default() };
        flamekit::import_with(&bytes, name_hint.as_deref(), &opts).map(ProfileGroup::new)
    })
}

/// Import a profile from a file; its name is the detection hint and the group name.
#[uniffi::export(default(limits = None))]
pub fn load_file(path: String, limits: Option<IngestLimits>) -> Result<Arc<ProfileGroup>, FlamekitError> {
    run(|| {
        let opts = ImportOptions { limits: limits.map(Into::into).unwrap_or_default(), name: None, ..Default::default() };
        flamekit::import_file(&PathBuf::from(path), &opts).map(ProfileGroup::new)
    })
}
