//! Layout: from a profile and options to a display list of whole-pixel
//! rectangles and text runs, shared by the PNG and SVG writers.
//!
//! [`build`] is validation ([`validate`]), the time window ([`window`]), the
//! title text ([`Header`]) and one function per view ([`time_order_view`],
//! [`left_heavy_view`], [`sandwich_view`]); [`build_diff`] uses the same
//! [`Builder`] and [`Builder::finish`].

use flamekit_core::{
    Error, EventKind, FrameId, Profile, ProfileData, ProfileDiff, ProfileGroup, Result, ValueUnit, WalkEvent,
};

use crate::axis;
use crate::color::{palette_color, Rgb, ThemeColors};
use crate::text::{self, fit, TextMetrics};
use crate::tree::{self, Tree};
use crate::{format, Palette, RenderOptions, SandwichFrames, Theme, View, MAX_DIMENSION, MAX_PIXELS};

/// A box's frame and weight, for SVG tooltips.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tip {
    pub frame: FrameId,
    pub weight: f64,
}

/// One thing to draw, in device pixels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// An opaque rectangle.
    Rect { x: i32, y: i32, w: i32, h: i32, color: Rgb, tip: Option<Tip> },
    /// A run of characters, one font cell each, clipped to columns `clip.0..clip.1`.
    Text { x: i32, baseline: i32, text: String, cells: usize, color: Rgb, clip: (i32, i32) },
}

/// Everything the writers need.
#[derive(Debug)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub css_width: u32,
    pub css_height: u32,
    pub background: Rgb,
    pub metrics: TextMetrics,
    pub items: Vec<Item>,
    pub unit: ValueUnit,
    /// 100% for tooltip percentages.
    pub tip_total: f64,
}

/// Layout sizes in device pixels (CSS sizes × device pixel ratio).
#[derive(Clone, Copy, Debug)]
struct Dims {
    w: i32,
    /// Image height (with `auto_height`, lowered to what the rows need).
    h: i32,
    /// Largest image height: the requested one.
    h_max: i32,
    title_h: i32,
    /// Height of the time axis strip (0 without axes).
    axis_h: i32,
    /// Width of the depth axis gutter left of the chart (0 without axes).
    left: i32,
    row_h: i32,
    box_h: i32,
    gap: i32,
    pad: i32,
    sep: i32,
    line: i32,
    baseline: i32,
    dpr: f64,
    axes: bool,
    auto_height: bool,
}

impl Dims {
    /// Width of the chart (right of the gutter).
    fn plot_w(&self) -> i32 {
        (self.w - self.left).max(0)
    }

    /// The y below `rows` rows that start at `top`, saturating: a profile
    /// may be deeper than pixels can count (millions of rows at a high
    /// device pixel ratio), and an auto height is capped anyway.
    fn below_rows(&self, top: i32, rows: usize) -> i32 {
        top.saturating_add(i32::try_from(rows).unwrap_or(i32::MAX).saturating_mul(self.row_h))
    }

    /// Rows of `row_h` that fit below `top`.
    fn rows_below(&self, top: i32) -> usize {
        if self.h > top {
            ((self.h - top) / self.row_h) as usize
        } else {
            0
        }
    }
}

/// Labels need at least this many character cells (`a…z`) unless the
/// whole name is shorter.
const MIN_LABEL_CELLS: usize = 3;

/// Depth axis labels every this many rows.
const DEPTH_LABEL_EVERY: usize = 5;

fn check_size(o: &RenderOptions) -> Result<(u32, u32)> {
    let dpr = o.device_pixel_ratio;
    if !(dpr.is_finite() && (0.25..=8.0).contains(&dpr)) {
        return Err(Error::argument("device_pixel_ratio", format!("must be between 0.25 and 8, got {dpr}")));
    }
    let dim = |name: &'static str, css: u32| -> Result<u32> {
        let px = (css as f64 * dpr).round();
        if css == 0 || px < 1.0 {
            return Err(Error::argument(name, format!("must be at least 1 device pixel, got {css} × {dpr}")));
        }
        if px > MAX_DIMENSION as f64 {
            return Err(Error::argument(
                name,
                format!("{css} × {dpr} = {px} device pixels is more than the maximum {MAX_DIMENSION}"),
            ));
        }
        Ok(px as u32)
    };
    let (w, h) = (dim("width", o.width)?, dim("height", o.height)?);
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(Error::argument("height", format!("{w} × {h} device pixels is more than {MAX_PIXELS} pixels")));
    }
    Ok((w, h))
}

/// Which frames of the group are named `name`.
fn name_mask(group: &ProfileGroup, name: &str) -> Vec<bool> {
    group.frames().iter().map(|f| f.name == name).collect()
}

fn is_set(mask: &[bool], f: FrameId) -> bool {
    mask.get(f as usize).copied().unwrap_or(false)
}

/// Whether any frame of `mask` appears in the profile at all (any weight, any time).
fn occurs(p: &Profile, mask: &[bool]) -> bool {
    match p.data() {
        ProfileData::Sampled { stacks, .. } => (0..stacks.len()).any(|i| is_set(mask, stacks.frame(i as u32))),
        ProfileData::Evented { events } => events.iter().any(|e| is_set(mask, e.frame)),
    }
}

/// The range the time-order view lays out: from `start_value` to where the
/// last sample (idle ones included: the clock runs through them) or event
/// ends. Exactly the laid-out range, so boxes and axis agree.
fn domain(p: &Profile) -> (f64, f64) {
    let start = p.start_value();
    let last = match p.data() {
        ProfileData::Sampled { weights, .. } => {
            let mut at = start;
            for &w in weights {
                at += w;
            }
            at
        }
        ProfileData::Evented { events } => events.last().map_or(start, |e| e.at),
    };
    (start, last.max(start))
}

/// Number of stack levels of the profile (0 when empty).
fn max_depth(p: &Profile) -> usize {
    match p.data() {
        ProfileData::Sampled { stacks, .. } => stacks.max_depth() as usize,
        ProfileData::Evented { events } => {
            let (mut depth, mut deepest) = (0usize, 0usize);
            for e in events {
                match e.kind {
                    EventKind::Open => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    EventKind::Close => depth = depth.saturating_sub(1),
                }
            }
            deepest
        }
    }
}

/// A checked request: the masks of the names it uses and the profile.
struct Request<'a> {
    focus: Option<Vec<bool>>,
    /// Sandwich frame name and the frames with that name.
    target: Option<(&'a str, Vec<bool>)>,
    profile: Option<&'a Profile>,
    index: usize,
}

/// Check everything that can be checked before any work: names, numbers, the profile index.
fn validate<'a>(group: &'a ProfileGroup, o: &'a RenderOptions) -> Result<Request<'a>> {
    let focus = match &o.focus {
        Some(name) => {
            let mask = name_mask(group, name);
            if !mask.contains(&true) {
                return Err(Error::argument("focus", format!("no frame named {name:?} in the profile group")));
            }
            Some(mask)
        }
        None => None,
    };
    let target = match &o.view {
        View::Sandwich { frame } => {
            let mask = name_mask(group, frame);
            if !mask.contains(&true) {
                return Err(Error::argument("frame", format!("no frame named {frame:?} in the profile group")));
            }
            Some((frame.as_str(), mask))
        }
        _ => None,
    };
    for (name, v) in
        [("start", o.start), ("end", o.end), ("start_time_ms", o.start_time_ms), ("end_time_ms", o.end_time_ms)]
    {
        if let Some(v) = v {
            if !v.is_finite() {
                return Err(Error::argument(name, format!("must be a finite number, got {v}")));
            }
        }
    }
    if let (Some(a), Some(b)) = (o.start, o.end) {
        if b <= a {
            return Err(Error::argument("end", format!("must be greater than start ({b} <= {a})")));
        }
    }
    if (o.start.is_some() || o.end.is_some()) && (o.start_time_ms.is_some() || o.end_time_ms.is_some()) {
        return Err(Error::argument(
            "start_time_ms",
            "give either the absolute window (start/end) or the relative one (start_time_ms/end_time_ms), not both",
        ));
    }
    let index = o.profile_index.unwrap_or(group.active_profile_index());
    let profile = match o.profile_index {
        Some(i) => Some(group.profile(i)?),
        None => group.active_profile(),
    };
    if let (Some(p), Some((name, mask))) = (profile, &target) {
        if !occurs(p, mask) {
            return Err(Error::argument("frame", format!("no frame named {name:?} in profile {index}")));
        }
    }
    Ok(Request { focus, target, profile, index })
}

/// The part of the profile's time axis to draw.
#[derive(Clone, Copy, Debug)]
struct Window {
    /// Start of the profile's laid-out range: the axis origin.
    origin: f64,
    start: f64,
    end: f64,
    zoomed: bool,
}

/// The window `o` asks for: absolute `start`/`end`, else the relative
/// milliseconds (for time units only; an empty or reversed one is the whole
/// profile), else the whole profile.
fn window(p: &Profile, o: &RenderOptions) -> Window {
    let (ds, de) = domain(p);
    let whole = Window { origin: ds, start: ds, end: de, zoomed: false };
    if o.start.is_some() || o.end.is_some() {
        return Window { origin: ds, start: o.start.unwrap_or(ds), end: o.end.unwrap_or(de), zoomed: true };
    }
    match p.unit().ms_per_unit() {
        Some(ms) if ms > 0.0 && (o.start_time_ms.is_some() || o.end_time_ms.is_some()) => {
            let a = o.start_time_ms.map_or(ds, |v| ds + v / ms);
            let b = o.end_time_ms.map_or(de, |v| ds + v / ms);
            if b > a {
                Window { origin: ds, start: a, end: b, zoomed: true }
            } else {
                whole
            }
        }
        _ => whole,
    }
}

/// What the title strip says about the profile.
struct Header {
    profile: String,
    view: String,
    amount: String,
    /// `from depth k` and such, appended.
    notes: Vec<String>,
}

impl Header {
    fn new(group: &ProfileGroup, p: &Profile, index: usize, o: &RenderOptions) -> Header {
        let n = if !p.name().is_empty() {
            p.name().to_string()
        } else if !group.name().is_empty() {
            group.name().to_string()
        } else {
            format!("profile {index}")
        };
        let profile =
            if group.profiles().len() > 1 { format!("{n} [{}/{}]", index + 1, group.profiles().len()) } else { n };
        let view = match &o.view {
            View::Sandwich { frame } => {
                let which = match o.sandwich_frames {
                    SandwichFrames::AllNamed => "",
                    SandwichFrames::Heaviest => ", heaviest frame",
                };
                format!("sandwich: {frame} (callers above, callees below{which})")
            }
            v => v.label().to_string(),
        };
        let mut notes = Vec::new();
        if o.start_depth > 0 && !matches!(o.view, View::Sandwich { .. }) {
            notes.push(format!("from depth {}", o.start_depth));
        }
        Header { profile, view, amount: String::new(), notes }
    }

    /// `total X` or `X in a … b` for a zoomed window.
    fn set_amount(&mut self, v: f64, unit: ValueUnit, win: &Window) {
        self.amount = if win.zoomed {
            format!("{}{}", format::value(v, unit), window_text(win, unit))
        } else {
            format!("total {}", format::value(v, unit))
        };
    }

    fn text(&self, unit: ValueUnit, focus: Option<&str>) -> String {
        let unit = if unit == ValueUnit::None { "no unit".to_string() } else { unit.to_string() };
        let mut s = format!("{}  ·  {}  ·  {} ({unit})", self.profile, self.view, self.amount);
        for n in &self.notes {
            s.push_str("  ·  ");
            s.push_str(n);
        }
        if let Some(f) = focus {
            s.push_str("  ·  focus: ");
            s.push_str(f);
        }
        s
    }
}

/// ` in a … b`: the window, measured from the profile's start (as the
/// axis labels are), in the profile's unit.
fn window_text(win: &Window, unit: ValueUnit) -> String {
    format!(" in {} … {}", format::value(win.start - win.origin, unit), format::value(win.end - win.origin, unit))
}

/// Image size, layout sizes and font metrics for `o`.
fn dims(o: &RenderOptions, axes: bool) -> Result<(Dims, TextMetrics)> {
    let (w, h) = check_size(o)?;
    let dpr = o.device_pixel_ratio;
    let px = |v: f64| (v * dpr).round().max(1.0) as i32;
    let font = text::font()?;
    let m = TextMetrics::new(&font, (12.0 * dpr) as f32);
    let row_h = px(18.0);
    let gap = px(1.0).min(row_h - 1).max(0);
    let box_h = row_h - gap;
    let title_h = if o.title { px(24.0).min(h as i32) } else { 0 };
    let d = Dims {
        w: w as i32,
        h: h as i32,
        h_max: h as i32,
        title_h,
        axis_h: if axes { px(18.0) } else { 0 },
        left: 0,
        row_h,
        box_h,
        gap,
        pad: px(4.0),
        sep: px(6.0),
        line: px(1.0),
        baseline: ((box_h as f32 + m.cap_height) / 2.0).round() as i32,
        dpr,
        axes,
        auto_height: o.auto_height,
    };
    Ok((d, m))
}

struct Builder<'a> {
    group: &'a ProfileGroup,
    pal: ThemeColors,
    theme: Theme,
    palette: Palette,
    d: Dims,
    m: TextMetrics,
    focus: Option<Vec<bool>>,
    colors: Vec<Option<(Rgb, Rgb)>>,
    /// Per-tree-node fill colours that override the per-frame ones (diff view).
    node_colors: Option<Vec<Rgb>>,
    items: Vec<Item>,
}

impl<'a> Builder<'a> {
    fn new(group: &'a ProfileGroup, o: &RenderOptions, d: Dims, m: TextMetrics, focus: Option<Vec<bool>>) -> Self {
        Builder {
            group,
            pal: ThemeColors::of(o.theme),
            theme: o.theme,
            palette: o.palette,
            d,
            m,
            focus,
            colors: vec![None; group.frames().len()],
            node_colors: None,
            items: Vec::new(),
        }
    }

    /// The scene: everything drawn so far, at the (possibly lowered) height.
    fn finish(self, o: &RenderOptions, unit: ValueUnit, tip_total: f64) -> Scene {
        let d = self.d;
        let css_height = if d.h == d.h_max { o.height } else { ((d.h as f64 / d.dpr).round() as u32).max(1) };
        Scene {
            width: d.w as u32,
            height: d.h as u32,
            css_width: o.width,
            css_height,
            background: self.pal.background,
            metrics: self.m,
            items: self.items,
            unit,
            tip_total,
        }
    }

    /// With `auto_height`, lower the image to `content` pixels plus a
    /// margin (at least room for three rows below the title and axis).
    fn fit_height(&mut self, content: i32) {
        let d = &mut self.d;
        if d.auto_height {
            let least = d.title_h + d.axis_h + 3 * d.row_h;
            d.h = content.saturating_add(d.pad).max(least).min(d.h_max);
        }
    }

    /// Reserve the depth axis gutter, wide enough for labels up to `deepest`.
    fn gutter_for(&mut self, deepest: usize) {
        if !self.d.axes {
            return;
        }
        let cells = deepest.to_string().len().max(2);
        self.d.left = (self.m.width(cells).ceil() as i32 + 2 * self.d.pad).min(self.d.w / 4);
    }

    fn name(&self, f: FrameId) -> &str {
        self.group.frames().get(f as usize).map_or("", |fr| fr.name.as_str())
    }

    /// Fill and label colour of a frame's boxes (faded when another frame has the focus).
    fn colors(&mut self, f: FrameId) -> (Rgb, Rgb) {
        if let Some(Some(c)) = self.colors.get(f as usize) {
            return *c;
        }
        let fill = palette_color(self.name(f), self.theme, self.palette);
        let c = match &self.focus {
            Some(mask) if !is_set(mask, f) => {
                let faded = fill.mix(self.pal.background, 176);
                (faded, self.pal.label.mix(faded, 144))
            }
            _ => (fill, self.pal.label),
        };
        if let Some(slot) = self.colors.get_mut(f as usize) {
            *slot = Some(c);
        }
        c
    }

    fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, color: Rgb, tip: Option<Tip>) {
        if w > 0 && h > 0 {
            self.items.push(Item::Rect { x, y, w, h, color, tip });
        }
    }

    /// Text from `x`, trimmed to end before `right`, clipped to `x..right`.
    fn text(&mut self, s: &str, x: i32, right: i32, baseline: i32, color: Rgb, min_cells: usize) {
        if self.m.px < 5.0 {
            return;
        }
        let cells = self.m.cells((right - x) as f32);
        if let Some((text, cells)) = fit(s, cells, min_cells) {
            self.items.push(Item::Text { x, baseline, text, cells, color, clip: (x, right) });
        }
    }

    /// Text only when all of it fits between `x` and `right`.
    fn whole_text(&mut self, s: &str, x: i32, right: i32, baseline: i32, color: Rgb) {
        if self.m.cells((right - x) as f32) >= s.chars().count() {
            self.text(s, x, right, baseline, color, 1);
        }
    }

    /// A frame's box over chart columns `x0..x1` (0 = the chart's left edge)
    /// of the row at `y`, with its label.
    fn frame_box(&mut self, f: FrameId, x0: i32, x1: i32, y: i32, weight: f64) {
        let (fill, label) = self.colors(f);
        self.colored_box(f, fill, label, x0, x1, y, weight);
    }

    /// [`Builder::frame_box`] with explicit fill and label colours.
    #[allow(clippy::too_many_arguments)]
    fn colored_box(&mut self, f: FrameId, fill: Rgb, label: Rgb, x0: i32, x1: i32, y: i32, weight: f64) {
        let d = self.d;
        let pw = d.plot_w();
        let (x0, x1) = (x0.clamp(0, pw) + d.left, x1.clamp(0, pw) + d.left);
        if x1 <= x0 {
            return;
        }
        let bw = x1 - x0;
        // Leave a gap on the right so neighbours stay apart, unless tiny.
        let w = if bw > 2 * d.gap { bw - d.gap } else { bw };
        self.rect(x0, y, w, d.box_h, fill, Some(Tip { frame: f, weight }));
        if w > 2 * d.pad && self.m.px >= 5.0 {
            let name = self.group.frames().get(f as usize).map_or("", |fr| fr.name.as_str());
            let cells = self.m.cells((w - 2 * d.pad) as f32);
            if let Some((text, cells)) = fit(name, cells, MIN_LABEL_CELLS) {
                self.items.push(Item::Text {
                    x: x0 + d.pad,
                    baseline: y + d.baseline,
                    text,
                    cells,
                    color: label,
                    clip: (x0, x0 + w),
                });
            }
        }
    }

    /// A grey box standing for calls each narrower than a pixel (chart columns).
    fn merged_box(&mut self, x0: i32, x1: i32, y: i32) {
        let d = self.d;
        let pw = d.plot_w();
        let (x0, x1) = (x0.clamp(0, pw) + d.left, x1.clamp(0, pw) + d.left);
        let bw = x1 - x0;
        let w = if bw > 2 * d.gap { bw - d.gap } else { bw };
        self.rect(x0, y, w, d.box_h, self.pal.merged, None);
    }

    /// A one-pixel outline inside the box over chart columns `x0..x1` at `y`.
    fn outline(&mut self, x0: i32, x1: i32, y: i32) {
        let d = self.d;
        let (x0, x1) = (x0.clamp(0, d.plot_w()) + d.left, x1.clamp(0, d.plot_w()) + d.left);
        let w = if x1 - x0 > 2 * d.gap { x1 - x0 - d.gap } else { x1 - x0 };
        let (c, t) = (self.pal.highlight, d.line);
        self.rect(x0, y, w, t, c, None);
        self.rect(x0, y + d.box_h - t, w, t, c, None);
        self.rect(x0, y, t, d.box_h, c, None);
        self.rect(x0 + w - t, y, t, d.box_h, c, None);
    }

    fn title(&mut self, s: &str) {
        let d = self.d;
        if d.title_h <= 0 {
            return;
        }
        self.rect(0, 0, d.w, d.title_h, self.pal.title_bg, None);
        let baseline = ((d.title_h as f32 + self.m.cap_height) / 2.0).round() as i32;
        self.text(s, d.pad * 2, d.w - d.pad * 2, baseline, self.pal.title_text, 1);
    }

    /// A centred message in the plot area.
    fn message(&mut self, s: &str) {
        let d = self.d;
        let cells = self.m.cells((d.w - 4 * d.pad) as f32);
        if let Some((_, n)) = fit(s, cells, 1) {
            let x = ((d.w as f32 - self.m.width(n)) / 2.0).round() as i32;
            let top = d.title_h.min(d.h);
            let baseline = top + ((d.h - top) as f32 / 2.0 + self.m.cap_height / 2.0).round() as i32;
            self.text(s, x.max(0), d.w, baseline, self.pal.message, 1);
        }
    }

    /// The value axis in the strip at `y`: values `lo..hi` (in `unit`,
    /// relative to the axis origin) across the chart's width. Each tick is
    /// a line through the strip with its label right of it, continued as a
    /// light grid line over rows `grid.0..grid.1`. Draw it before the boxes.
    fn axis(&mut self, y: i32, lo: f64, hi: f64, unit: ValueUnit, grid: (i32, i32)) {
        let d = self.d;
        if d.axis_h <= 0 || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            return;
        }
        let pw = d.plot_w();
        let scale = pw as f64 / (hi - lo);
        let m = self.m;
        let ticks = axis::ticks(lo, hi, unit, pw as f64 / d.dpr, &|cells| m.width(cells) as f64 / d.dpr);
        self.rect(d.left, y + d.axis_h - d.line, pw, d.line, self.pal.grid, None);
        let baseline = y + ((d.axis_h as f32 + m.cap_height) / 2.0).round() as i32;
        for t in ticks {
            let x = (d.left + ((t.value - lo) * scale).round() as i32).min(d.w - d.line);
            self.rect(x, grid.0, d.line, grid.1 - grid.0, self.pal.grid, None);
            self.rect(x, y, d.line, d.axis_h, self.pal.separator, None);
            self.whole_text(&t.label, x + d.pad, d.w, baseline, self.pal.axis_text);
        }
    }

    /// Depth labels in the gutter: row `r` (drawn at `y_of(r)`) is depth
    /// `first + r`; every [`DEPTH_LABEL_EVERY`]th depth is labelled.
    fn depth_labels(&mut self, first: usize, rows: usize, y_of: &dyn Fn(usize) -> i32) {
        let d = self.d;
        if d.left <= 0 {
            return;
        }
        let skip = (DEPTH_LABEL_EVERY - first % DEPTH_LABEL_EVERY) % DEPTH_LABEL_EVERY;
        for r in (skip..rows).step_by(DEPTH_LABEL_EVERY) {
            let label = (first + r).to_string();
            let n = label.chars().count();
            let x = d.left - d.pad - self.m.width(n).ceil() as i32;
            self.whole_text(&label, x.max(0), d.left, y_of(r) + d.baseline, self.pal.axis_text);
        }
    }

    /// Line height of the side labels.
    fn side_line(&self) -> i32 {
        (self.m.px * 1.15).round() as i32
    }

    /// `word` written downwards, one letter per line, centred in the gutter
    /// between rows `y0..y1` (as many letters as fit).
    fn side_label(&mut self, word: &str, y0: i32, y1: i32) {
        let d = self.d;
        if d.left <= 0 || self.m.px < 5.0 {
            return;
        }
        let line = self.side_line();
        let fits = ((y1 - y0) / line.max(1)).max(0) as usize;
        let n = word.chars().count().min(fits);
        let x = ((d.left as f32 - self.m.advance) / 2.0).round() as i32;
        let top = y0 + (y1 - y0 - n as i32 * line) / 2;
        for (i, c) in word.chars().take(n).enumerate() {
            let baseline = top + i as i32 * line + ((line as f32 + self.m.cap_height) / 2.0).round() as i32;
            self.text(&c.to_string(), x, d.left, baseline, self.pal.axis_text, 1);
        }
    }

    /// Boxes of `t` from its root, heaviest child first. Tree row `r` is
    /// the root when `draw_root` (else the root's children are row 0); rows
    /// before `skip` are not drawn, row `r >= skip` is drawn at
    /// `y_of(r - skip)`. Children narrower than a pixel (and everything
    /// under them) are skipped, and nothing below `skip + rows` is visited.
    fn layout(&mut self, t: &Tree, draw_root: bool, skip: usize, rows: usize, y_of: &dyn Fn(usize) -> i32, scale: f64) {
        let mut todo: Vec<(u32, isize, f64)> = vec![(0, if draw_root { 0 } else { -1 }, 0.0)];
        let mut kids: Vec<u32> = Vec::new();
        let limit = skip.saturating_add(rows);
        while let Some((n, row, x)) = todo.pop() {
            let tw = t.total.get(n as usize).copied().unwrap_or(0.0);
            // `row` is -1 for a root not drawn; `skip` may be past isize.
            if usize::try_from(row).is_ok_and(|r| r >= skip) {
                let p0 = (x * scale).round();
                let p1 = ((x + tw) * scale).round().max(p0 + 1.0);
                let f = t.frame.get(n as usize).copied().unwrap_or(tree::ROOT_FRAME);
                let y = y_of(row as usize - skip);
                match self.node_colors.as_ref().and_then(|c| c.get(n as usize)) {
                    Some(&fill) => {
                        let label = self.pal.label;
                        self.colored_box(f, fill, label, p0 as i32, p1 as i32, y, tw)
                    }
                    None => self.frame_box(f, p0 as i32, p1 as i32, y, tw),
                }
            }
            let next = row + 1;
            if next < 0 || next as usize >= limit {
                continue;
            }
            kids.clear();
            kids.extend_from_slice(t.children(n));
            kids.sort_unstable_by(|&a, &b| {
                t.total[b as usize].total_cmp(&t.total[a as usize]).then(t.frame[a as usize].cmp(&t.frame[b as usize]))
            });
            let mut cx = x;
            for &c in &kids {
                let cw = t.total[c as usize];
                if narrower_than_a_pixel(cw, scale) {
                    break; // sorted: the rest are narrower still
                }
                todo.push((c, next, cx));
                cx += cw;
            }
        }
    }
}

/// True when a call of `weight` is less than a pixel wide at `scale`
/// pixels per unit: it is not drawn, nor anything it calls.
fn narrower_than_a_pixel(weight: f64, scale: f64) -> bool {
    weight * scale < 1.0
}

/// Pixels per profile unit for a width of `span` units over the chart, or
/// `None` when nothing can be drawn.
fn scale_of(d: &Dims, span: f64) -> Option<f64> {
    let s = d.plot_w() as f64 / span;
    (span > 0.0 && s.is_finite() && s > 0.0).then_some(s)
}

/// Lay out the image `o` asks for.
pub(crate) fn build(group: &ProfileGroup, o: &RenderOptions) -> Result<Scene> {
    let (d, m) = dims(o, o.axes)?;
    let req = validate(group, o)?;
    let mut b = Builder::new(group, o, d, m, req.focus);
    let Some(p) = req.profile else {
        let name = if group.name().is_empty() { "profile group" } else { group.name() };
        b.title(&format!("{name}  ·  no profiles"));
        b.message("no profiles");
        return Ok(b.finish(o, ValueUnit::None, 0.0));
    };
    let unit = p.unit();
    let mut header = Header::new(group, p, req.index, o);
    let win = window(p, o);
    let tip_total = match req.target {
        Some((name, mask)) => sandwich_view(&mut b, p, &win, o, name, mask, &mut header),
        None if o.view == View::LeftHeavy => left_heavy_view(&mut b, p, &win, o, &mut header),
        None => time_order_view(&mut b, p, &win, o, &mut header),
    };
    b.title(&header.text(unit, o.focus.as_deref()));
    Ok(b.finish(o, unit, tip_total))
}

fn empty_message(win: &Window) -> &'static str {
    if win.zoomed {
        "no samples in range"
    } else {
        "no samples"
    }
}

/// The flame chart with its time axis (labels: time since the profile's
/// start) and depth axis. Returns the weight inside the window.
fn time_order_view(b: &mut Builder, p: &Profile, win: &Window, o: &RenderOptions, header: &mut Header) -> f64 {
    let unit = p.unit();
    let k = o.start_depth;
    let needed = max_depth(p).saturating_sub(k);
    let top = b.d.title_h + b.d.axis_h;
    b.fit_height(b.d.below_rows(top, needed));
    let rows = b.d.rows_below(top);
    b.gutter_for(k + rows.min(needed).saturating_sub(1));
    let Some(scale) = scale_of(&b.d, win.end - win.start) else {
        header.set_amount(0.0, unit, win);
        b.message(empty_message(win));
        return 0.0;
    };
    let (h, title_h) = (b.d.h, b.d.title_h);
    b.axis(title_h, win.start - win.origin, win.end - win.origin, unit, (top, h));
    let row_h = b.d.row_h;
    b.depth_labels(k, rows.min(needed), &|r| top + r as i32 * row_h);
    let total = time_order(b, p, win.start, win.end, scale, k, rows, top);
    header.set_amount(total, unit, win);
    if total <= 0.0 {
        b.message(empty_message(win));
    }
    total
}

/// The merged flame graph, with an axis over the merged weight.
fn left_heavy_view(b: &mut Builder, p: &Profile, win: &Window, o: &RenderOptions, header: &mut Header) -> f64 {
    let unit = p.unit();
    let k = o.start_depth;
    let merged = tree::merged_totals(p, win.start, win.end);
    let total = merged.total();
    header.set_amount(total, unit, win);
    let needed = merged.deepest.saturating_sub(k);
    let top = b.d.title_h + b.d.axis_h;
    b.fit_height(b.d.below_rows(top, needed));
    let rows = b.d.rows_below(top);
    b.gutter_for(k + rows.min(needed).saturating_sub(1));
    let Some(scale) = scale_of(&b.d, total) else {
        b.message(empty_message(win));
        return total;
    };
    let (h, title_h, row_h) = (b.d.h, b.d.title_h, b.d.row_h);
    b.axis(title_h, 0.0, total, unit, (top, h));
    b.depth_labels(k, rows.min(needed), &|r| top + r as i32 * row_h);
    // Only nodes a pixel wide or more, in the rows drawn, are laid out
    // (`layout` stops at the first narrower child and at its last row):
    // the others are left out of the tree.
    let drawn = merged.drawn(|w| !narrower_than_a_pixel(w, scale), k.saturating_add(rows));
    b.layout(&drawn, false, k, rows, &|r| top + r as i32 * row_h, scale);
    total
}

/// Rows for the two halves of a sandwich: each as many as its content
/// needs, at most its cap; when both do not fit in `avail`, each gets at
/// least half (or all it needs) and the rest goes to the other.
fn split_rows(need_up: usize, need_down: usize, avail: usize, caps: (Option<usize>, Option<usize>)) -> (usize, usize) {
    let up = need_up.min(caps.0.unwrap_or(usize::MAX));
    let down = need_down.min(caps.1.unwrap_or(usize::MAX));
    if up + down <= avail {
        return (up, down);
    }
    let half = avail / 2;
    if up <= half {
        (up, avail - up)
    } else if down <= avail - half {
        (avail - down, down)
    } else {
        (half, avail - half)
    }
}

/// Callers (inverted) above, callees below, each half sized to its
/// content, the axis between them, the selected function outlined.
#[allow(clippy::too_many_arguments)]
fn sandwich_view(
    b: &mut Builder,
    p: &Profile,
    win: &Window,
    o: &RenderOptions,
    name: &str,
    mut mask: Vec<bool>,
    header: &mut Header,
) -> f64 {
    let unit = p.unit();
    if o.sandwich_frames == SandwichFrames::Heaviest {
        // The single frame with that name that has the most total weight.
        let fw = p.frame_weights(b.group.frames().len());
        let best = (0..mask.len())
            .filter(|&i| mask[i] && fw.present[i])
            .max_by(|&a, &c| fw.total_weight[a].total_cmp(&fw.total_weight[c]).then(c.cmp(&a)));
        mask.iter_mut().enumerate().for_each(|(i, m)| *m = Some(i) == best);
    }
    let merged = tree::merged_totals(p, win.start, win.end);
    let d = b.d;
    let strip = if d.axis_h > 0 { d.axis_h } else { d.sep };
    let avail = if d.h_max > d.title_h + strip { ((d.h_max - d.title_h - strip) / d.row_h) as usize } else { 0 };
    let targets = merged.targets(&mask, avail.saturating_sub(1));
    let occ = &targets.occ;
    let root_frame = occ.first().map_or(0, |&n| merged.frame(n as usize));
    let up = merged.callers(&targets, root_frame, avail.saturating_sub(1));
    let need_up = (tree::depth_of(&up) + 1).min(o.sandwich_callers_rows.unwrap_or(usize::MAX));
    // The callees half never gets more rows than this (see split_rows), so
    // nothing deeper is built.
    let most_down = avail - need_up.min(avail / 2);
    let down = merged.callees(&targets, root_frame, most_down.saturating_sub(1));
    let target_total = up.total[0];
    header.amount = format!(
        "{} of {}{}",
        format::value(target_total, unit),
        format::value(merged.total(), unit),
        if win.zoomed { window_text(win, unit) } else { " total".to_string() }
    );
    let Some(scale) = scale_of(&d, target_total).filter(|_| !occ.is_empty()) else {
        b.fit_height(0);
        b.message(&format!("{name}: {}", empty_message(win)));
        return target_total;
    };
    let (up_rows, down_rows) =
        split_rows(need_up, tree::depth_of(&down) + 1, avail, (o.sandwich_callers_rows, o.sandwich_callees_rows));
    // With side labels, each half is at least as tall as its word (the
    // boxes stay next to the axis; the rest of the half is empty) when the
    // image has the room.
    let (mut up_h, mut down_h) = (up_rows, down_rows);
    if d.axes {
        let word = (7 * b.side_line() + d.row_h - 1) / d.row_h;
        let word = word.max(0) as usize;
        if up_h.max(word) + down_h.max(word) <= avail {
            (up_h, down_h) = (up_h.max(word), down_h.max(word));
        }
    }
    b.fit_height(d.below_rows(d.title_h + strip, up_h + down_h));
    b.gutter_for(0);
    if b.d.left > 0 {
        // Side labels only: one letter wide.
        b.d.left = (b.m.advance.ceil() as i32 + 2 * d.pad).min(d.w / 4);
    }
    let d = b.d;
    let top = d.title_h;
    let strip_y = top + up_h as i32 * d.row_h;
    let below = strip_y + strip;
    let bottom = below + down_h as i32 * d.row_h;
    if d.axis_h > 0 {
        b.axis(
            strip_y,
            0.0,
            target_total,
            unit,
            (strip_y - up_rows as i32 * d.row_h, (below + down_rows as i32 * d.row_h).min(d.h)),
        );
    } else {
        b.rect(0, strip_y + (strip - d.line) / 2, d.w, d.line, b.pal.separator, None);
    }
    b.side_label("Callers", top, strip_y);
    b.side_label("Callees", below, bottom.min(d.h));
    let row_h = d.row_h;
    b.layout(&up, true, 0, up_rows, &|r| strip_y - (r as i32 + 1) * row_h, scale);
    b.layout(&down, true, 0, down_rows, &|r| below + r as i32 * row_h, scale);
    let full = (target_total * scale).round() as i32;
    if up_rows > 0 {
        b.outline(0, full, strip_y - row_h);
    }
    if down_rows > 0 {
        b.outline(0, full, below);
    }
    target_total
}

/// Lay out a differential flame graph: the "after" profile's merged call
/// tree (box widths are after weights), each box coloured by how its call
/// path's total weight changed: neutral when unchanged, red shades for
/// growth, blue shades for shrinkage (saturated at a doubling/halving or
/// more, new and vanished paths fully). `names` holds one frame per function
/// of the diff, in the same order. Axes as in the left-heavy view (the
/// after weight from 0, depth every 5 rows; `start_depth` skips rows); the
/// title strip has the legend.
pub(crate) fn build_diff(diff: &ProfileDiff, names: &ProfileGroup, o: &RenderOptions) -> Result<Scene> {
    let (d, m) = dims(o, o.axes)?;
    let tree =
        tree::from_parts(diff.nodes.iter().map(|n| (n.function.unwrap_or(tree::ROOT_FRAME), n.parent, n.after_total)));
    let mut b = Builder::new(names, o, d, m, None);
    b.node_colors = Some(diff.nodes.iter().map(|n| diff_color(n.before_total, n.after_total, o.theme)).collect());
    let unit = diff.unit;
    let total = diff.after_total;
    let k = o.start_depth;
    let needed = tree::depth_of(&tree).saturating_sub(k);
    let top = d.title_h + d.axis_h;
    b.fit_height(b.d.below_rows(top, needed));
    let rows = b.d.rows_below(top);
    b.gutter_for(k + rows.min(needed).saturating_sub(1));
    match scale_of(&b.d, total) {
        Some(scale) => {
            let (h, row_h) = (b.d.h, d.row_h);
            b.axis(d.title_h, 0.0, total, unit, (top, h));
            b.depth_labels(k, rows.min(needed), &|r| top + r as i32 * row_h);
            b.layout(&tree, false, k, rows, &|r| top + r as i32 * row_h, scale);
        }
        None => b.message("no samples"),
    }
    let scaled =
        if diff.normalized && diff.scale != 1.0 { format!(" (scaled ×{:.3})", diff.scale) } else { String::new() };
    let from = if k > 0 { format!("  ·  from depth {k}") } else { String::new() };
    b.title(&format!(
        "diff  ·  after {} vs before {}{scaled}{from}  ·  red: grew, blue: shrank",
        format::value(diff.after_total, unit),
        format::value(diff.before_total, unit),
    ));
    // Legend: shrank … same … grew swatches at the right end of the title strip.
    if d.title_h > 0 {
        let sw = d.title_h / 2;
        let y = (d.title_h - sw) / 2;
        let steps = [(1.0, 0.0), (1.0, 0.5), (1.0, 1.0), (1.0, 2.0), (0.0, 1.0)];
        let mut x = d.w - d.pad * 2 - steps.len() as i32 * (sw + d.gap.max(1));
        for (before, after) in steps {
            b.rect(x, y, sw, sw, diff_color(before, after, o.theme), None);
            x += sw + d.gap.max(1);
        }
    }
    Ok(b.finish(o, unit, total))
}

/// Colour of a diff box: neutral when `before == after`, toward red as the
/// weight grows, toward blue as it shrinks; `|after - before| / max` drives
/// the mix (square root, so small changes stay visible).
pub(crate) fn diff_color(before: f64, after: f64, theme: Theme) -> Rgb {
    let (neutral, grow, shrink) = match theme {
        Theme::Light => (Rgb(0xdd, 0xdd, 0xe0), Rgb(0xe2, 0x3b, 0x2e), Rgb(0x2f, 0x6f, 0xdb)),
        Theme::Dark => (Rgb(0x4c, 0x4d, 0x53), Rgb(0xd0, 0x3a, 0x30), Rgb(0x35, 0x6c, 0xd0)),
    };
    let most = before.max(after);
    if most.is_nan() || most <= 0.0 {
        return neutral;
    }
    let r = (after - before) / most;
    if r.abs() < 1e-9 {
        return neutral;
    }
    let t = ((r.abs().sqrt() * 256.0).round() as u32).clamp(24, 256);
    neutral.mix(if r > 0.0 { grow } else { shrink }, t)
}

/// The flame chart's boxes: stack depths `skip..skip + rows` drawn from
/// `top`, chart x = (time − `ws`) × `scale`. Returns the weight inside the
/// window (time covered by outermost frames).
#[allow(clippy::too_many_arguments)]
fn time_order(b: &mut Builder, p: &Profile, ws: f64, we: f64, scale: f64, skip: usize, rows: usize, top: i32) -> f64 {
    let d = b.d;
    // Only visible rows get state; other calls are skipped as they come.
    let mut open: Vec<(FrameId, f64)> = vec![(0, 0.0); rows];
    let mut pending: Vec<Option<(f64, f64)>> = vec![None; rows];
    let mut root_start = 0.0;
    let mut total = 0.0;
    let row_y = |row: usize| top + row as i32 * d.row_h;
    // Calls below the last row are not walked: deep stacks cost their
    // visible rows only.
    p.walk_within(skip.saturating_add(rows), &mut |ev: WalkEvent| {
        let depth = ev.depth;
        if ev.open {
            if depth == 0 {
                root_start = ev.at;
            }
            if let Some(slot) = depth.checked_sub(skip).and_then(|r| open.get_mut(r)) {
                *slot = (ev.frame, ev.at);
            }
            return;
        }
        let end = ev.at;
        if depth == 0 && end > ws && root_start < we {
            total += end.min(we) - root_start.max(ws);
        }
        let Some(row) = depth.checked_sub(skip) else { return };
        let Some(&(frame, start)) = open.get(row) else { return };
        if end <= start || end <= ws || start >= we {
            return;
        }
        let x0 = (start.max(ws) - ws) * scale;
        let x1 = (end.min(we) - ws) * scale;
        let pend = &mut pending[row];
        if x1 - x0 >= 1.0 {
            let (p0, p1) = (x0.round(), x1.round());
            if let Some((a, z)) = pend.take() {
                let a = a.round();
                b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(row));
            }
            b.frame_box(frame, p0 as i32, p1 as i32, row_y(row), end.min(we) - start.max(ws));
        } else {
            match pend {
                Some((_, z)) if x0 - *z < 1.0 => *z = z.max(x1),
                _ => {
                    if let Some((a, z)) = pend.take() {
                        let a = a.round();
                        b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(row));
                    }
                    *pend = Some((x0, x1));
                }
            }
        }
    });
    for (row, pend) in pending.into_iter().enumerate() {
        if let Some((a, z)) = pend {
            let a = a.round();
            b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(row));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::frame_color;
    use flamekit_core::{GroupBuilder, IngestLimits};

    fn group(stacks: &[(&[&str], f64)]) -> ProfileGroup {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
        for (names, w) in stacks {
            let ids: Vec<FrameId> = names.iter().map(|n| g.frame_named(n).unwrap()).collect();
            p.push_stack(&ids, *w).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        g.finish(0).unwrap().0
    }

    fn rects(s: &Scene) -> Vec<(i32, i32, i32, Option<FrameId>)> {
        s.items
            .iter()
            .filter_map(|i| match i {
                Item::Rect { x, y, w, tip, .. } => Some((*x, *y, *w, tip.map(|t| t.frame))),
                _ => None,
            })
            .collect()
    }

    fn texts(s: &Scene) -> Vec<String> {
        s.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn left_heavy_widths_follow_weights() {
        // main;a 3 · main;b 1 · main;a 4  →  a = 7/8, b = 1/8 of 800 px.
        let g = group(&[(&["main", "a"], 3.0), (&["main", "b"], 1.0), (&["main", "a"], 4.0)]);
        let o = RenderOptions { width: 800, height: 100, view: View::LeftHeavy, axes: false, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        // title, main (full width minus gap), a (700 px - gap), b.
        assert!(r.contains(&(0, 24, 799, Some(0))), "{r:?}");
        assert!(r.contains(&(0, 42, 699, Some(1))), "{r:?}");
        assert!(r.contains(&(700, 42, 99, Some(2))), "{r:?}");
        let t = texts(&s);
        assert!(t.contains(&"main".to_string()) && t.contains(&"a".to_string()), "{t:?}");
        assert!(t[t.len() - 1].contains("total 8.00ms (milliseconds)"), "{t:?}");
    }

    /// Left heavy draws every call at least a pixel wide, exactly one
    /// included, and no call narrower, nor anything under it.
    #[test]
    fn left_heavy_draws_calls_a_pixel_wide_and_nothing_narrower() {
        // 800 units over 800 px: b 1.5 px (d 1.2 px under it), f 1 px,
        // c 0.5 px (e under it).
        let g = group(&[
            (&["main", "a"], 797.0),
            (&["main", "b"], 0.3),
            (&["main", "b", "d"], 1.2),
            (&["main", "c", "e"], 0.5),
            (&["main", "f"], 1.0),
        ]);
        let o = RenderOptions { width: 800, height: 100, view: View::LeftHeavy, axes: false, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let drawn: std::collections::BTreeSet<u32> = rects(&s).iter().filter_map(|r| r.3).collect();
        let [main, a, b, d, c, e, f] = [0, 1, 2, 3, 4, 5, 6];
        assert_eq!(drawn, [main, a, b, d, f].into_iter().collect(), "c ({c}) and e ({e}) are not drawn");
    }

    #[test]
    fn time_order_keeps_order_and_coalesces_tiny_calls() {
        // 1000 alternating one-sample calls x, y under main, then z for as long.
        let mut stacks: Vec<(&[&str], f64)> = Vec::new();
        for i in 0..1000 {
            stacks.push((if i % 2 == 0 { &["main", "x"] } else { &["main", "y"] }, 1.0));
        }
        stacks.push((&["main", "z"], 1000.0));
        let g = group(&stacks);
        let o = RenderOptions { width: 200, height: 100, axes: false, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        // Row 1: one grey box for the 1000 tiny calls over [0, 100), then z.
        let row1: Vec<_> = r.iter().filter(|x| x.1 == 42).collect();
        assert_eq!(row1, vec![&(0, 42, 99, None), &(100, 42, 99, Some(3))], "{r:?}");
    }

    #[test]
    fn zoomed_time_order_maps_window_to_width() {
        let g = group(&[(&["main", "a"], 3.0), (&["main", "b"], 1.0), (&["main", "a"], 4.0)]);
        let o = RenderOptions {
            width: 400,
            height: 100,
            start: Some(2.0),
            end: Some(6.0),
            axes: false,
            ..Default::default()
        };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        // Window [2, 6): a [2,3) → 0..100, b [3,4) → 100..200, a [4,6) → 200..400.
        assert!(r.contains(&(0, 42, 99, Some(1))), "{r:?}");
        assert!(r.contains(&(100, 42, 99, Some(2))), "{r:?}");
        assert!(r.contains(&(200, 42, 199, Some(1))), "{r:?}");
        let s = build(&g, &RenderOptions { width: 1200, ..o.clone() }).unwrap();
        assert!(texts(&s).iter().any(|t| t.contains("4.00ms in 2.00ms … 6.00ms")), "{:?}", texts(&s));
    }

    #[test]
    fn sandwich_halves() {
        // main;f;g 2 · main;x;f 1 → f: callers main (2), x (1) above; callee g (2) below.
        // Callers need 3 rows (f; main, x; main above x), callees 2 (f; g):
        // each half is as tall as its content, the separator strip between.
        let g = group(&[(&["main", "f", "g"], 2.0), (&["main", "x", "f"], 1.0)]);
        let view = View::Sandwich { frame: "f".into() };
        let o = RenderOptions { width: 300, height: 200, view, axes: false, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        let strip = 24 + 3 * 18;
        let below = strip + 6;
        let f = 1;
        assert!(r.contains(&(0, strip - 18, 299, Some(f))), "callers root: {r:?}");
        assert!(r.contains(&(0, strip - 36, 199, Some(0))), "main above f: {r:?}");
        assert!(r.contains(&(200, strip - 36, 99, Some(3))), "x above f: {r:?}");
        assert!(r.contains(&(200, strip - 54, 99, Some(0))), "main above x: {r:?}");
        assert!(r.contains(&(0, below, 299, Some(f))), "callees root: {r:?}");
        assert!(r.contains(&(0, below + 18, 199, Some(2))), "g below f: {r:?}");
        // With axes: a gutter with the side labels (each half made tall
        // enough for its word), the axis in the strip.
        let s = build(&g, &RenderOptions { axes: true, height: 400, ..o.clone() }).unwrap();
        let t = texts(&s);
        let column: String = t.iter().filter(|x| x.chars().count() == 1).map(String::as_str).collect();
        assert!(column.contains("Callers") && column.contains("Callees"), "side labels: {t:?}");
        assert!(t.iter().any(|x| x == "0ms") && t.iter().any(|x| x.ends_with("ms") && x != "0ms"), "{t:?}");
        // A cap on the callers half.
        let s = build(&g, &RenderOptions { sandwich_callers_rows: Some(1), ..o }).unwrap();
        let r = rects(&s);
        assert!(r.contains(&(0, 24, 299, Some(f))), "callers root right under the title: {r:?}");
        assert!(r.contains(&(0, 24 + 18 + 6, 299, Some(f))), "callees right after: {r:?}");
    }

    #[test]
    fn sandwich_rows_split() {
        assert_eq!(split_rows(3, 2, 40, (None, None)), (3, 2));
        assert_eq!(split_rows(30, 30, 40, (None, None)), (20, 20));
        assert_eq!(split_rows(5, 60, 40, (None, None)), (5, 35));
        assert_eq!(split_rows(60, 5, 40, (None, None)), (35, 5));
        assert_eq!(split_rows(60, 60, 40, (Some(10), None)), (10, 30));
    }

    #[test]
    fn start_depth_moves_row_k_to_the_top() {
        // main;a;b;c;d 1: with start_depth 2, b is the top row.
        let g = group(&[(&["main", "a", "b", "c", "d"], 1.0)]);
        for view in [View::TimeOrder, View::LeftHeavy] {
            let o = RenderOptions { width: 400, height: 200, view: view.clone(), start_depth: 2, ..Default::default() };
            let s = build(&g, &o).unwrap();
            let r = rects(&s);
            let top = 24 + 18;
            let boxes: Vec<_> = r.iter().filter(|x| x.3.is_some()).collect();
            assert_eq!(boxes.len(), 3, "{view:?}: b, c, d: {r:?}");
            let b = boxes.iter().find(|x| x.3 == Some(2)).unwrap();
            assert_eq!(b.1, top, "{view:?}: b in the first row");
            assert!(boxes.iter().any(|x| x.3 == Some(4) && x.1 == top + 2 * 18), "{view:?}");
            let t = texts(&s);
            assert!(t.last().unwrap().contains("from depth 2"), "{t:?}");
            // Depth labels: row 3 of the chart is depth 5.
            assert!(t.iter().any(|x| x == "5") || !t.iter().any(|x| x == "0"), "{t:?}");
        }
    }

    /// A start depth past the deepest row draws no box, however large
    /// (past `isize::MAX` it once drew the whole tree, the root included,
    /// and overflowed in debug builds).
    #[test]
    fn a_start_depth_past_the_deepest_row_draws_no_box() {
        let g = group(&[(&["main", "a", "b"], 1.0), (&["main", "c"], 2.0)]);
        let diff = flamekit_core::diff(&g, &g, &Default::default()).unwrap();
        // From depth 2, b is the one box left; from 3, none.
        for (start_depth, expected) in [(2, 1), (3, 0), (4, 0), (1000, 0), (1 << 63, 0), (usize::MAX, 0)] {
            for view in [View::TimeOrder, View::LeftHeavy] {
                let o =
                    RenderOptions { width: 400, height: 200, view: view.clone(), start_depth, ..Default::default() };
                let boxes = rects(&build(&g, &o).unwrap()).into_iter().filter(|x| x.3.is_some()).count();
                assert_eq!(boxes, expected, "{view:?} from depth {start_depth}");
            }
            let o = RenderOptions { width: 400, height: 200, start_depth, ..Default::default() };
            let boxes = rects(&build_diff(&diff, &g, &o).unwrap()).into_iter().filter(|x| x.3.is_some()).count();
            assert_eq!(boxes, expected, "diff from depth {start_depth}");
        }
    }

    #[test]
    fn time_axis_ticks_at_their_times() {
        // 10 samples of 100 ms: 1 s over the chart; ticks every 100 ms.
        let stacks: Vec<(&[&str], f64)> = (0..10).map(|_| (&["main"][..], 100.0)).collect();
        let g = group(&stacks);
        let o = RenderOptions { width: 1030, height: 100, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let left = 1030
            - match s.items.iter().find_map(|i| match i {
                Item::Rect { w, tip: Some(_), .. } => Some(*w + 1),
                _ => None,
            }) {
                Some(w) => w,
                None => panic!("no box"),
            };
        let scale = (1030 - left) as f64 / 1000.0;
        let labels: Vec<(i32, String)> = s
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, baseline, text, .. } if *baseline < 24 + 18 && *baseline > 24 => {
                    Some((*x, text.clone()))
                }
                _ => None,
            })
            .collect();
        assert!(labels.len() >= 5, "{labels:?}");
        for (x, label) in &labels {
            let ms: f64 = label.trim_end_matches("ms").trim_end_matches('s').parse().unwrap();
            let ms = if label.ends_with("ms") || ms == 0.0 { ms } else { ms * 1000.0 };
            let want = left as f64 + ms * scale + 4.0;
            assert!((*x as f64 - want).abs() <= 1.0, "{label} at {x}, expected {want}");
        }
    }

    #[test]
    fn errors_and_empty_images() {
        let g = group(&[(&["main"], 1.0)]);
        let err = |o: RenderOptions| build(&g, &o).unwrap_err().code();
        let sandwich = |f: &str| View::Sandwich { frame: f.into() };
        assert_eq!(err(RenderOptions { view: sandwich("nope"), ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { focus: Some("nope".into()), ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { profile_index: Some(1), ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { width: 0, ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { width: 20_000, ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { device_pixel_ratio: f64::NAN, ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { start: Some(f64::INFINITY), ..Default::default() }), "invalid_argument");
        assert_eq!(err(RenderOptions { start: Some(2.0), end: Some(1.0), ..Default::default() }), "invalid_argument");
        // Outside the profile: a valid image saying so.
        for view in [View::TimeOrder, View::LeftHeavy, sandwich("main")] {
            let s = build(&g, &RenderOptions { start: Some(5.0), end: Some(9.0), view, ..Default::default() }).unwrap();
            assert!(
                texts(&s).contains(&"no samples in range".to_string())
                    || texts(&s).iter().any(|t| t.ends_with("no samples in range"))
            );
            assert!(rects(&s).iter().all(|r| r.3.is_none()), "no frame boxes");
        }
        // A group without profiles.
        let (empty, _) = GroupBuilder::new("test", &IngestLimits::default()).finish(0).unwrap();
        let s = build(&empty, &RenderOptions::default()).unwrap();
        assert!(texts(&s).contains(&"no profiles".to_string()));
    }

    #[test]
    fn deep_stacks_are_clipped_to_visible_rows() {
        let names: Vec<String> = (0..5000).map(|i| format!("f{i}")).collect();
        let refs: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        let g = group(&[(&refs, 1.0)]);
        for view in [View::TimeOrder, View::LeftHeavy] {
            let s = build(&g, &RenderOptions { height: 100, view, axes: false, ..Default::default() }).unwrap();
            // (100 - 24) / 18 = 4 rows.
            assert_eq!(rects(&s).iter().filter(|r| r.3.is_some()).count(), 4);
        }
    }

    #[test]
    fn focus_fades_other_frames() {
        let g = group(&[(&["main", "a"], 1.0), (&["main", "b"], 1.0)]);
        let o = RenderOptions { view: View::LeftHeavy, focus: Some("a".into()), ..Default::default() };
        let s = build(&g, &o).unwrap();
        let color_of = |f: FrameId| {
            s.items.iter().find_map(|i| match i {
                Item::Rect { color, tip: Some(t), .. } if t.frame == f => Some(*color),
                _ => None,
            })
        };
        assert_eq!(color_of(1), Some(frame_color("a", Theme::Light)));
        assert_ne!(color_of(2), Some(frame_color("b", Theme::Light)));
        assert_ne!(color_of(0), Some(frame_color("main", Theme::Light)));
    }
}
