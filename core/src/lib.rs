//! flamekit-core: the profile model shared by every flamekit crate.
//!
//! A [`ProfileGroup`] holds [`Profile`]s (sampled or evented) that share one
//! interned [`Frame`] table. Importers (in `flamekit-formats`) build groups
//! through [`GroupBuilder`], which enforces [`IngestLimits`] while reading and
//! records an [`ImportReport`]. From a group you get per-frame weights
//! ([`Profile::frame_weights`]), a merged call tree ([`CallTree`]), a
//! time-ordered walk ([`Profile::walk`]), speedscope export
//! ([`to_speedscope_json`]) and analysis.
//!
//! This crate does no I/O and no rendering.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod analyze;
mod cores;
mod error;
mod export;
mod limits;
mod model;
mod names;
mod report;

pub use analyze::{diff, DeltaSort, DiffNode, DiffOptions, FunctionDelta, ProfileDiff};
pub use analyze::{
    format_value, is_pseudo_frame, non_idle_total, summarize, top_functions, FunctionStat, SortBy, SummaryOptions,
    TopOptions, PSEUDO_FRAMES,
};
pub use cores::available_cores;
pub use error::{Error, LimitKind, Result};
pub use export::{
    check_dump, check_speedscope_export, dump, dump_json, dump_stacks, speedscope_json_len, to_speedscope_gzip,
    to_speedscope_json, write_number, write_speedscope_json, MAX_EXPORT_BYTES, SPEEDSCOPE_SCHEMA,
};
pub use limits::{cut_at, gunzip_limited, gunzip_limited_on, is_gzip, IngestLimits};
pub use model::{
    CallNode, CallTree, CallVisitor, Event, EventKind, EventedBuilder, Frame, FrameId, FrameWeights, GroupBuilder,
    Profile, ProfileData, ProfileGroup, SampledBuilder, SampledSetBuilder, StackId, StackTable, ValueUnit, WalkEvent,
    NO_STACK,
};
pub use names::{name_of, parse_name, Named};
pub use report::{Diagnostic, Excerpt, ImportReport, Location};
