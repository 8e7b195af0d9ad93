//! flamekit: ingest, export, render and analyze performance profiles.
//!
//! One dependency for Rust users: this crate re-exports the public API of
//! `flamekit-core` (model, export, analysis, limits), `flamekit-formats`
//! (detection and importers) and `flamekit-render` (PNG/SVG).
//!
//! ```
//! let bytes = br#"{"shared":{"frames":[{"name":"main"},{"name":"work"}]},
//!   "profiles":[{"type":"sampled","name":"cpu","unit":"milliseconds","startValue":0,"endValue":4,
//!                "samples":[[0,1],[0]],"weights":[3,1]}]}"#;
//! let group = flamekit::import(bytes, Some("profile.json")).unwrap();
//! let profile = group.active_profile().unwrap();
//! assert_eq!(profile.total_weight(), 4.0);
//! let json = flamekit::to_speedscope_json(&group);
//! assert!(json.contains("\"main\""));
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub use flamekit_core::*;
pub use flamekit_formats::{detect, import, import_format, import_with, stream, Format, ImportOptions};
pub use flamekit_formats::{FirefoxFrames, PapyrusStacks, PerfWeight, PmcstatSamples};
pub use flamekit_render::{
    background_color, diff_color, frame_color, merged_color, render_diff_png, render_diff_svg, render_png, render_svg,
    RenderOptions, Theme, View,
};

mod file;
pub use file::import_file;
mod names;
pub use names::{theme_from_name, view_from_name};

/// The examples of `docs/formats.md`, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/formats.md")]
struct FormatsDoc;
