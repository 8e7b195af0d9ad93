//! flamekit-render: deterministic flamegraph rendering to PNG and SVG.
//!
//! [`render_png`] and [`render_svg`] draw one profile of a
//! [`ProfileGroup`] as a flame chart ([`View::TimeOrder`]), a merged
//! left-heavy flame graph ([`View::LeftHeavy`]) or a sandwich view of one
//! function ([`View::Sandwich`]: its callers above, its callees below), in a
//! light or dark [`Theme`]. Both outputs come from the same layout, so the SVG
//! shows exactly the boxes and labels of the PNG.
//!
//! ```
//! use flamekit_core::{GroupBuilder, IngestLimits, ValueUnit};
//! use flamekit_render::{render_png, render_svg, RenderOptions, Theme, View};
//!
//! let mut g = GroupBuilder::new("example", &IngestLimits::default());
//! let main = g.frame_named("main").unwrap();
//! let work = g.frame_named("work").unwrap();
//! let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
//! p.push_stack(&[main, work], 3.0).unwrap();
//! p.push_stack(&[main], 1.0).unwrap();
//! g.push_profile(p.finish()).unwrap();
//! let (group, _) = g.finish(0).unwrap();
//!
//! let opts = RenderOptions { theme: Theme::Dark, view: View::LeftHeavy, ..Default::default() };
//! let png = render_png(&group, &opts).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! assert_eq!(png, render_png(&group, &opts).unwrap()); // deterministic
//! let svg = render_svg(&group, &opts).unwrap();
//! assert!(svg.contains(">work</text>"));
//! ```
//!
//! # What is drawn
//!
//! A title strip (profile name, view, total weight formatted in the
//! profile's unit, the zoom window and the focus frame when set), a value
//! axis (time since the profile's start for the time order, merged weight
//! for the other views: ticks at 1, 2 or 5 × 10ⁿ of a readable unit, light
//! grid lines behind the boxes), a depth axis at the left (every fifth row),
//! then one row per stack depth, outermost frame at the top
//! ([`RenderOptions::start_depth`] skips outer rows). Every box is coloured
//! by a stable hash of its frame's name in the chosen [`Palette`]
//! ([`frame_color`], [`palette_color`]), so a function has the same colour
//! in every image and view. Labels are the frame names,
//! trimmed in the middle with `…` when the box is too narrow; a box is
//! labelled when the whole name fits or at least three characters (`a…z`) do. Text uses DejaVu Sans Mono, embedded in
//! the crate (`fonts/`, Bitstream Vera license): no system font is ever read.
//!
//! Flamedeck's render parameters (`width`, `height`, `mode`,
//! `startTimeMs`, `endTimeMs`, `startDepth`, `flamegraphThemeName`) map to
//! options through [`RenderOptions::from_params`].
//!
//! * **Time order**: calls laid out on the profile's time axis (samples back
//!   to back from `start_value`, idle samples included so idle time stays a
//!   gap, as [`flamekit_core::Profile::walk`] does; the x domain is exactly
//!   that laid-out range).
//!   Calls that would be narrower than one pixel are coalesced, per row, into
//!   grey "many small calls" boxes, so the cost of drawing tracks the number
//!   of pixels, not of samples.
//! * **Left heavy**: identical call paths merged, heaviest child first. A
//!   subtree narrower than one pixel is not visited at all.
//! * **Sandwich**: for every function named [`View::Sandwich::frame`], its
//!   outermost occurrences are collected (a recursive call is counted once).
//!   The upper half shows the merged callers, inverted: the function in the
//!   bottom row of the upper half, its callers above it; the lower half shows
//!   its merged callees, the function in the top row. Both halves are 100% of
//!   the function's total weight; each is as tall as its content, with the
//!   axis between them. [`SandwichFrames::Heaviest`] selects only the
//!   heaviest frame with that name.
//!
//! Stacks deeper than the image are clipped: rows that do not fit are never
//! computed.
//!
//! # Zoom
//!
//! [`RenderOptions::start`] and [`RenderOptions::end`] select a window of the
//! profile's time axis, in profile units and absolute like
//! [`flamekit_core::Profile::start_value`]. The time-order view shows that
//! window across the full width; the left-heavy and sandwich views merge only
//! the weight that falls inside the window (a "snapshot" of that region).
//!
//! # Empty results
//!
//! Nothing to draw is not an error: an empty group, a profile without samples,
//! a zoom window that contains no weight (including one entirely outside the
//! profile) and a sandwich frame with no weight in the window all give a
//! valid image of the requested size with the title strip and a centred
//! message such as `no samples in range`. Errors
//! ([`Error::InvalidArgument`](flamekit_core::Error::InvalidArgument)) are reserved for bad requests: a profile index
//! out of range, a size or device pixel ratio out of range (see
//! [`MAX_DIMENSION`], [`MAX_PIXELS`]), a non-finite zoom bound, `end <= start`
//! when both are given, and a sandwich or focus frame name that no frame of
//! the group has (for the sandwich view: of the rendered profile).
//!
//! # Determinism
//!
//! The same group and options give the same bytes on every run and machine:
//! the scene and pixels made on one thread, no hash-map iteration order in
//! the output, floating-point operations in a fixed order, boxes snapped to
//! whole pixels and drawn opaque (no anti-aliasing), glyph coverage blended
//! with integer arithmetic,
//! and the PNG written as 8-bit RGB, filter type 0 on every row, one IDAT
//! chunk compressed by `miniz_oxide` at level 6 (a large image's rows in
//! eight strips, compressed in parallel where threads can be started: the
//! same bytes on any number of cores). Output can change only when
//! flamekit or a pinned dependency (`Cargo.lock`) changes.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod axis;
mod color;
mod format;
mod names;
mod params;
mod raster;
mod scene;
mod svg;
mod text;
mod tree;

use flamekit_core::{Frame, GroupBuilder, IngestLimits, ProfileDiff, ProfileGroup, Result};
pub use names::ViewKind;

pub use color::Palette;
pub use params::AUTO_HEIGHT_CAP;

/// Largest accepted width or height in device pixels (`width × device_pixel_ratio`).
pub const MAX_DIMENSION: u32 = 16_384;

/// Largest accepted image area in device pixels (40 megapixels).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Colour scheme of an image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    /// White background, light pastel boxes, dark text. The default.
    #[default]
    Light,
    /// Near-black background, dark saturated boxes, light text.
    Dark,
}

/// Which picture of the profile to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum View {
    /// A flame chart: calls in time order (speedscope's "Time Order"). The default.
    #[default]
    TimeOrder,
    /// A merged flame graph, heaviest call paths first (speedscope's "Left Heavy").
    LeftHeavy,
    /// Callers (above) and callees (below) of every frame with this name
    /// (speedscope's "Sandwich").
    Sandwich {
        /// Exact frame name.
        frame: String,
    },
}

impl View {
    /// Short name used in the title strip: `time order`, `left heavy` or `sandwich`.
    pub fn label(&self) -> &'static str {
        match self {
            View::TimeOrder => "time order",
            View::LeftHeavy => "left heavy",
            View::Sandwich { .. } => "sandwich",
        }
    }
}

/// Which frames a sandwich view is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SandwichFrames {
    /// Every frame with the name, merged (frames differing only in file or
    /// line count as one function). The default.
    #[default]
    AllNamed,
    /// Only the frame with that name that has the most total weight in the
    /// profile (ties: the lowest frame id), as Flamedeck's sandwich does.
    Heaviest,
}

/// Everything that controls an image. Start from `RenderOptions::default()`
/// and set what you need, or build it from Flamedeck's render parameters
/// with [`RenderOptions::from_params`].
#[derive(Clone, Debug, PartialEq)]
pub struct RenderOptions {
    /// Width in CSS pixels. Default `1200`.
    pub width: u32,
    /// Height in CSS pixels; with [`RenderOptions::auto_height`], the largest
    /// height. Default `800`.
    pub height: u32,
    /// Make the image only as tall as the rows it shows need (at least
    /// three rows), up to `height`. Default `false`.
    pub auto_height: bool,
    /// Device pixels per CSS pixel, in `0.25..=8`. The PNG is
    /// `round(width × dpr) × round(height × dpr)` pixels; rows, text and margins
    /// scale with it. The SVG keeps `width × height` and scales through its viewBox.
    /// Default `1.0`.
    pub device_pixel_ratio: f64,
    /// Colours of background, text and chrome. Default [`Theme::Light`].
    pub theme: Theme,
    /// Colours of the frame boxes. Default [`Palette::System`].
    pub palette: Palette,
    /// What to draw. Default [`View::TimeOrder`].
    pub view: View,
    /// Which profile of the group; `None` (the default) means the group's
    /// active profile.
    pub profile_index: Option<usize>,
    /// Start of the zoom window on the profile's time axis, in profile units
    /// (absolute, like `start_value`). `None` (the default): the profile's start.
    pub start: Option<f64>,
    /// End of the zoom window, in profile units. `None` (the default): the profile's end.
    pub end: Option<f64>,
    /// Start of the zoom window in milliseconds after the profile's start
    /// (Flamedeck's `startTimeMs`). Only for time units (ignored otherwise);
    /// an empty or reversed window draws the whole profile. Not together
    /// with `start`/`end`. `None` (the default): the profile's start.
    pub start_time_ms: Option<f64>,
    /// End of the zoom window in milliseconds after the profile's start
    /// (Flamedeck's `endTimeMs`); see `start_time_ms`. `None` (the default): the profile's end.
    pub end_time_ms: Option<f64>,
    /// Skip the outermost `start_depth` rows, so that deep stacks can be
    /// seen: row `start_depth` is drawn at the top (time order, left heavy
    /// and diff images). The sandwich ignores it: its halves are already
    /// rooted at the selected function (choose a deeper function to see a
    /// deeper region) and sized to their content. Default `0`.
    pub start_depth: usize,
    /// Highlight every box of the frame(s) with this exact name and draw all
    /// other boxes faded. `None` (the default): no highlight.
    pub focus: Option<String>,
    /// Which frames a [`View::Sandwich`] selects. Default [`SandwichFrames::AllNamed`].
    pub sandwich_frames: SandwichFrames,
    /// Most rows for the sandwich's callers half. `None` (the default): as
    /// many as it needs while both halves fit.
    pub sandwich_callers_rows: Option<usize>,
    /// Most rows for the sandwich's callees half. `None` (the default): as
    /// many as it needs while both halves fit.
    pub sandwich_callees_rows: Option<usize>,
    /// Draw the title strip. Default `true`.
    pub title: bool,
    /// Draw the value axis (time for time order, merged weight otherwise)
    /// with grid lines, and the depth axis at the left. Default `true`.
    pub axes: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            width: 1200,
            height: 800,
            auto_height: false,
            device_pixel_ratio: 1.0,
            theme: Theme::Light,
            palette: Palette::System,
            view: View::TimeOrder,
            profile_index: None,
            start: None,
            end: None,
            start_time_ms: None,
            end_time_ms: None,
            start_depth: 0,
            focus: None,
            sandwich_frames: SandwichFrames::AllNamed,
            sandwich_callers_rows: None,
            sandwich_callees_rows: None,
            title: true,
            axes: true,
        }
    }
}

/// Render a profile of `group` as a PNG (8-bit RGB). Same input, same bytes.
///
/// Errors: [`Error::InvalidArgument`](flamekit_core::Error::InvalidArgument)
/// for a bad request (see the [crate docs](crate#empty-results)).
pub fn render_png(group: &ProfileGroup, options: &RenderOptions) -> Result<Vec<u8>> {
    let scene = scene::build(group, options)?;
    raster::to_png(&scene)
}

/// Render a profile of `group` as a standalone SVG document: the same layout
/// as [`render_png`], labels as `<text>`, a `<title>` tooltip per box, no
/// scripts. Same input, same string.
pub fn render_svg(group: &ProfileGroup, options: &RenderOptions) -> Result<String> {
    let scene = scene::build(group, options)?;
    Ok(svg::to_svg(&scene, group))
}

/// Render a differential flame graph of `diff` (see [`flamekit_core::diff`])
/// as a PNG: the "after" profile's merged call tree, each box coloured by how
/// the weight of its call path changed — neutral when unchanged, red shades
/// for growth, blue shades for shrinkage — with a legend in the title strip,
/// the value axis over the after weight (from 0, as in the left-heavy view)
/// and the depth axis. Uses `width`, `height`, `device_pixel_ratio`, `theme`,
/// `title`, `axes` and `start_depth` of `options`; view, profile, zoom,
/// palette and focus do not apply. A diff of a
/// profile with itself is all neutral.
pub fn render_diff_png(diff: &ProfileDiff, options: &RenderOptions) -> Result<Vec<u8>> {
    let names = diff_names(diff)?;
    let scene = scene::build_diff(diff, &names, options)?;
    raster::to_png(&scene)
}

/// [`render_diff_png`] as a standalone SVG document.
pub fn render_diff_svg(diff: &ProfileDiff, options: &RenderOptions) -> Result<String> {
    let names = diff_names(diff)?;
    let scene = scene::build_diff(diff, &names, options)?;
    Ok(svg::to_svg(&scene, &names))
}

/// The fill colour (`[r, g, b]`) of a diff box whose weight went from
/// `before` to `after`.
pub fn diff_color(before: f64, after: f64, theme: Theme) -> [u8; 3] {
    scene::diff_color(before, after, theme).to_array()
}

/// A group whose frame `i` is function `i` of the diff (names for labels and tooltips).
fn diff_names(diff: &ProfileDiff) -> Result<ProfileGroup> {
    let mut g = GroupBuilder::new("diff", &IngestLimits::unlimited());
    for (i, f) in diff.functions.iter().enumerate() {
        let id = g.frame(Frame::with_location(f.name.clone(), f.file.clone(), None, None))?;
        if id as usize != i {
            return Err(flamekit_core::Error::Internal { message: format!("diff function {i} is not unique") });
        }
    }
    Ok(g.finish(0)?.0)
}

/// The fill colour (`[r, g, b]`) of boxes of a frame with this name in the
/// default [`Palette::System`]: a stable hash of the name mapped into the
/// theme's colours.
pub fn frame_color(name: &str, theme: Theme) -> [u8; 3] {
    color::frame_color(name, theme).to_array()
}

/// The fill colour (`[r, g, b]`) of boxes of a frame with this name in a
/// palette: deterministic per name, theme and palette.
pub fn palette_color(name: &str, theme: Theme, palette: Palette) -> [u8; 3] {
    color::palette_color(name, theme, palette).to_array()
}

/// The background colour (`[r, g, b]`) of the plot area in a theme.
pub fn background_color(theme: Theme) -> [u8; 3] {
    color::ThemeColors::of(theme).background.to_array()
}

/// The colour (`[r, g, b]`) of the axis tick lines in a theme.
pub fn tick_color(theme: Theme) -> [u8; 3] {
    color::ThemeColors::of(theme).separator.to_array()
}

/// Fill colour (`[r, g, b]`) of the grey boxes that stand for many calls each
/// narrower than a pixel (time-order view).
pub fn merged_color(theme: Theme) -> [u8; 3] {
    color::ThemeColors::of(theme).merged.to_array()
}
