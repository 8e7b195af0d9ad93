//! flamekit: ingest, export, render and analyze performance profiles.
//!
//! One dependency for Rust users. The pipeline is
//! `bytes → detect → importer → ProfileGroup → export | analyze | render`:
//!
//! - **Import** ([`import`], [`import_with`], [`import_file`], [`stream`]):
//!   detect the format ([`detect`], [`Format`]) and build a [`ProfileGroup`]
//!   under [`IngestLimits`], with an [`ImportReport`] of what was skipped.
//! - **Model**: [`ProfileGroup`], [`Profile`], [`Frame`], per-frame weights,
//!   the merged [`CallTree`] and the time-ordered [`Profile::walk`].
//! - **Export** ([`to_speedscope_json`], [`to_speedscope_gzip`], [`dump`]).
//! - **Analysis** ([`top_functions`], [`summarize`], [`diff`]).
//! - **Rendering** (feature `render`, on by default): [`render_png`],
//!   [`render_svg`] and the diff images, from [`RenderOptions`].
//! - **Policies** (feature `policy`, on by default): upload checks
//!   ([`check_upload`]), SVG validation ([`validate_svg`]) and chat-plan
//!   limits ([`may_send_message`], [`may_start_session`]).
//!
//! Every failure is an [`Error`] with a stable [`Error::code`].
//!
//! ```
//! let bytes = br#"{"shared":{"frames":[{"name":"main"},{"name":"work"}]},
//!   "profiles":[{"type":"sampled","name":"cpu","unit":"milliseconds","startValue":0,"endValue":4,
//!                "samples":[[0,1],[0]],"weights":[3,1]}]}"#;
//! let group = flamekit::import(bytes, Some("profile.json")).unwrap();
//! let profile = group.active_profile().unwrap();
//! assert_eq!(profile.total_weight(), 4.0);
//! let json = flamekit::to_speedscope_json(&group).unwrap();
//! assert!(json.contains("\"main\""));
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

// Errors and limits.
pub use flamekit_core::{Error, IngestLimits, LimitKind, Named, Result};

// Threads.
pub use flamekit_core::available_cores;

// The model.
pub use flamekit_core::{
    CallNode, CallTree, CallVisitor, Event, EventKind, EventedBuilder, Frame, FrameId, FrameWeights, GroupBuilder,
    Profile, ProfileData, ProfileGroup, SampledBuilder, SampledSetBuilder, StackId, StackTable, ValueUnit, WalkEvent,
    NO_STACK,
};

// Import.
pub use file::{import_file, read_file};
pub use flamekit_core::{Diagnostic, Excerpt, ImportReport, Location};
pub use flamekit_formats::{
    detect, import, import_format, import_with, sourcemap, stream, Format, ImportOptions, SourceMapInput,
};
pub use flamekit_formats::{FirefoxFrames, PapyrusStacks, PerfWeight, PmcstatSamples};

// Export.
pub use flamekit_core::{
    check_dump, check_speedscope_export, dump, dump_json, dump_stacks, speedscope_json_len, to_speedscope_gzip,
    to_speedscope_json, write_speedscope_json, MAX_EXPORT_BYTES, SPEEDSCOPE_SCHEMA,
};

// Analysis.
pub use flamekit_core::{
    diff, format_value, is_pseudo_frame, non_idle_total, summarize, top_functions, DeltaSort, DiffNode, DiffOptions,
    FunctionDelta, FunctionStat, ProfileDiff, SortBy, SummaryOptions, TopOptions, PSEUDO_FRAMES,
};

// Rendering.
#[cfg(feature = "render")]
pub use flamekit_render::{
    background_color, diff_color, frame_color, merged_color, render_diff_png, render_diff_svg, render_png, render_svg,
    RenderOptions, Theme, View, ViewKind,
};
#[cfg(feature = "render")]
pub use flamekit_render::{palette_color, tick_color, Palette, SandwichFrames, AUTO_HEIGHT_CAP};
#[cfg(feature = "render")]
pub use names::{theme_from_name, view_from_name};

// Policies.
#[cfg(feature = "policy")]
pub use flamekit_policy::{
    check_upload, check_upload_bytes, is_svg_upload, may_send_message, may_start_session, monthly_period_start,
    unix_seconds_from_date, validate_svg, ChatErrorCode, ChatLimitError, ChatLimitType, ChatPlan, ChatUsage,
    ChatVerdict, DenyCode, SessionsPeriod, SvgPolicy, UploadInfo, UploadPolicy, Verdict,
};

// Plumbing shared with the importers and the test suites; not part of the API.
#[doc(hidden)]
pub use flamekit_core::{gunzip_limited, is_gzip, write_number};

mod file;
#[cfg(feature = "render")]
mod names;

/// The examples of `docs/formats.md`, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/formats.md")]
struct FormatsDoc;
