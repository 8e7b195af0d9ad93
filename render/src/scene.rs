//! Layout: from a profile and options to a display list of whole-pixel
//! rectangles and text runs, shared by the PNG and SVG writers.

use flamekit_core::{Error, FrameId, Profile, ProfileData, ProfileDiff, ProfileGroup, Result, ValueUnit, WalkEvent};

use crate::color::{frame_color, Palette, Rgb};
use crate::text::{self, fit, TextMetrics};
use crate::tree::{self, Tree};
use crate::{format, RenderOptions, Theme, View, MAX_DIMENSION, MAX_PIXELS};

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
    h: i32,
    title_h: i32,
    row_h: i32,
    box_h: i32,
    gap: i32,
    pad: i32,
    sep: i32,
    baseline: i32,
}

/// Labels need at least this many character cells (`a…z`) unless the
/// whole name is shorter.
const MIN_LABEL_CELLS: usize = 3;

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

/// The profile's time axis: `start_value` to the later of `end_value` and
/// where the last sample or event ends.
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
    (start, p.end_value().max(last))
}

struct Builder<'a> {
    group: &'a ProfileGroup,
    pal: Palette,
    theme: Theme,
    d: Dims,
    m: TextMetrics,
    focus: Option<Vec<bool>>,
    colors: Vec<Option<(Rgb, Rgb)>>,
    /// Per-tree-node fill colours that override the per-frame ones (diff view).
    node_colors: Option<Vec<Rgb>>,
    items: Vec<Item>,
}

impl Builder<'_> {
    fn name(&self, f: FrameId) -> &str {
        self.group.frames().get(f as usize).map_or("", |fr| fr.name.as_str())
    }

    /// Fill and label colour of a frame's boxes (faded when another frame has the focus).
    fn colors(&mut self, f: FrameId) -> (Rgb, Rgb) {
        if let Some(Some(c)) = self.colors.get(f as usize) {
            return *c;
        }
        let fill = frame_color(self.name(f), self.theme);
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

    /// A frame's box over columns `x0..x1` of the row at `y`, with its label.
    fn frame_box(&mut self, f: FrameId, x0: i32, x1: i32, y: i32, weight: f64) {
        let (fill, label) = self.colors(f);
        self.colored_box(f, fill, label, x0, x1, y, weight);
    }

    /// [`Builder::frame_box`] with explicit fill and label colours.
    #[allow(clippy::too_many_arguments)]
    fn colored_box(&mut self, f: FrameId, fill: Rgb, label: Rgb, x0: i32, x1: i32, y: i32, weight: f64) {
        let d = self.d;
        let (x0, x1) = (x0.clamp(0, d.w), x1.clamp(0, d.w));
        if x1 <= x0 {
            return;
        }
        let bw = x1 - x0;
        // Leave a gap on the right so neighbours stay apart, unless tiny.
        let w = if bw > 2 * d.gap { bw - d.gap } else { bw };
        self.rect(x0, y, w, d.box_h, fill, Some(Tip { frame: f, weight }));
        if w > 2 * d.pad {
            let name = self.group.frames().get(f as usize).map_or("", |fr| fr.name.as_str());
            if self.m.px >= 5.0 {
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
    }

    /// A grey box standing for calls each narrower than a pixel.
    fn merged_box(&mut self, x0: i32, x1: i32, y: i32) {
        let d = self.d;
        let (x0, x1) = (x0.clamp(0, d.w), x1.clamp(0, d.w));
        let bw = x1 - x0;
        let w = if bw > 2 * d.gap { bw - d.gap } else { bw };
        self.rect(x0, y, w, d.box_h, self.pal.merged, None);
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

    /// Boxes of `t` from its root, heaviest child first. Row `r` is drawn at
    /// `y_of(r)`; the root is row 0 when `draw_root`, else its children are.
    /// Children narrower than a pixel (and everything under them) are skipped,
    /// and nothing below `rows` rows is visited.
    fn layout(&mut self, t: &Tree, draw_root: bool, rows: usize, y_of: &dyn Fn(usize) -> i32, scale: f64) {
        let mut todo: Vec<(u32, isize, f64)> = vec![(0, if draw_root { 0 } else { -1 }, 0.0)];
        let mut kids: Vec<u32> = Vec::new();
        while let Some((n, row, x)) = todo.pop() {
            let tw = t.total.get(n as usize).copied().unwrap_or(0.0);
            if row >= 0 {
                let p0 = (x * scale).round();
                let p1 = ((x + tw) * scale).round().max(p0 + 1.0);
                let f = t.frame.get(n as usize).copied().unwrap_or(tree::ROOT_FRAME);
                match self.node_colors.as_ref().and_then(|c| c.get(n as usize)) {
                    Some(&fill) => {
                        let label = self.pal.label;
                        self.colored_box(f, fill, label, p0 as i32, p1 as i32, y_of(row as usize), tw)
                    }
                    None => self.frame_box(f, p0 as i32, p1 as i32, y_of(row as usize), tw),
                }
            }
            let next = row + 1;
            if next < 0 || next as usize >= rows {
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
                if cw * scale < 1.0 {
                    break; // sorted: the rest are narrower still
                }
                todo.push((c, next, cx));
                cx += cw;
            }
        }
    }
}

/// What the title strip says about the profile.
struct Header {
    profile: String,
    view: String,
    amount: String,
}

impl Header {
    fn text(&self, unit: ValueUnit, focus: Option<&str>) -> String {
        let unit = if unit == ValueUnit::None { "no unit".to_string() } else { unit.to_string() };
        let mut s = format!("{}  ·  {}  ·  {} ({unit})", self.profile, self.view, self.amount);
        if let Some(f) = focus {
            s.push_str("  ·  focus: ");
            s.push_str(f);
        }
        s
    }
}

/// Image size, layout sizes and font metrics for `o`.
fn dims(o: &RenderOptions) -> Result<(u32, u32, Dims, TextMetrics)> {
    let (w, h) = check_size(o)?;
    let dpr = o.device_pixel_ratio;
    let px = |v: f64| (v * dpr).round().max(1.0) as i32;
    let font = text::font()?;
    let m = TextMetrics::new(&font, (12.0 * dpr) as f32);
    let row_h = px(18.0);
    let gap = px(1.0).min(row_h - 1).max(0);
    let box_h = row_h - gap;
    let d = Dims {
        w: w as i32,
        h: h as i32,
        title_h: if o.title { px(24.0).min(h as i32) } else { 0 },
        row_h,
        box_h,
        gap,
        pad: px(4.0),
        sep: px(6.0),
        baseline: ((box_h as f32 + m.cap_height) / 2.0).round() as i32,
    };
    Ok((w, h, d, m))
}

/// Lay out the image `o` asks for.
pub(crate) fn build(group: &ProfileGroup, o: &RenderOptions) -> Result<Scene> {
    let (w, h, d, m) = dims(o)?;
    let dpr = o.device_pixel_ratio;
    let px = |v: f64| (v * dpr).round().max(1.0) as i32;

    // Names first: a bad request fails before any work.
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
    for (name, v) in [("start", o.start), ("end", o.end)] {
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
    let index = o.profile_index.unwrap_or(group.active_profile_index());
    let profile = match o.profile_index {
        Some(i) => Some(group.profile(i)?),
        None => group.active_profile(),
    };

    let pal = Palette::of(o.theme);
    let mut b = Builder {
        group,
        pal,
        theme: o.theme,
        d,
        m,
        focus,
        colors: vec![None; group.frames().len()],
        node_colors: None,
        items: Vec::new(),
    };
    let scene = |b: Builder, unit: ValueUnit, tip_total: f64| -> Scene {
        Scene {
            width: w,
            height: h,
            css_width: o.width,
            css_height: o.height,
            background: pal.background,
            metrics: m,
            items: b.items,
            unit,
            tip_total,
        }
    };

    let Some(p) = profile else {
        let name = if group.name().is_empty() { "profile group" } else { group.name() };
        b.title(&format!("{name}  ·  no profiles"));
        b.message("no profiles");
        return Ok(scene(b, ValueUnit::None, 0.0));
    };
    let unit = p.unit();
    let mut header = Header {
        profile: {
            let n = if !p.name().is_empty() {
                p.name().to_string()
            } else if !group.name().is_empty() {
                group.name().to_string()
            } else {
                format!("profile {index}")
            };
            if group.profiles().len() > 1 {
                format!("{n} [{}/{}]", index + 1, group.profiles().len())
            } else {
                n
            }
        },
        view: match &target {
            Some((name, _)) => format!("sandwich: {name} (callers above, callees below)"),
            None => o.view.label().to_string(),
        },
        amount: String::new(),
    };
    let (ds, de) = domain(p);
    let (ws, we) = (o.start.unwrap_or(ds), o.end.unwrap_or(de));
    let zoomed = o.start.is_some() || o.end.is_some();
    let window =
        if zoomed { format!(" in {} … {}", format::value(ws, unit), format::value(we, unit)) } else { String::new() };
    let amount = |v: f64| -> String {
        if zoomed {
            format!("{}{window}", format::value(v, unit))
        } else {
            format!("total {}", format::value(v, unit))
        }
    };
    let empty_message = if zoomed { "no samples in range" } else { "no samples" };
    let focus_name = o.focus.as_deref();
    if let Some((name, mask)) = &target {
        if !occurs(p, mask) {
            return Err(Error::argument("frame", format!("no frame named {name:?} in profile {index}")));
        }
    }
    let scale_of = |width: f64| {
        let s = d.w as f64 / width;
        (width > 0.0 && s.is_finite()).then_some(s)
    };
    if we <= ws || scale_of(we - ws).is_none() {
        header.amount = amount(0.0);
        b.title(&header.text(unit, focus_name));
        b.message(empty_message);
        return Ok(scene(b, unit, 0.0));
    }
    let top = d.title_h;
    let rows = if d.h > top { ((d.h - top) / d.row_h) as usize } else { 0 };

    let tip_total = match (&o.view, target) {
        (View::TimeOrder, _) => {
            let scale = d.w as f64 / (we - ws);
            let total = time_order(&mut b, p, ws, we, scale, rows);
            header.amount = amount(total);
            if total <= 0.0 {
                b.message(empty_message);
            }
            total
        }
        (View::Sandwich { .. }, Some((name, mask))) => {
            let merged = tree::merged(p, ws, we);
            let occ = tree::outermost(&merged, &mask);
            let root_frame = occ.first().map_or(0, |&n| merged.frame[n as usize]);
            let plot_h = (d.h - top).max(0);
            let mid = top + plot_h / 2;
            let rows_up = ((mid - top) / d.row_h).max(0) as usize;
            let rows_down = ((d.h - mid - d.sep) / d.row_h).max(0) as usize;
            let up = tree::callers(&merged, &occ, root_frame, rows_up.saturating_sub(1));
            let target_total = up.total[0];
            header.amount = format!(
                "{} of {}{}",
                format::value(target_total, unit),
                format::value(merged.total[0], unit),
                if zoomed { window.as_str() } else { " total" }
            );
            match scale_of(target_total) {
                Some(scale) if !occ.is_empty() => {
                    let down = tree::callees(&merged, &occ, root_frame, rows_down.saturating_sub(1));
                    let row_h = d.row_h;
                    b.layout(&up, true, rows_up, &|r| mid - (r as i32 + 1) * row_h, scale);
                    let line = px(1.0);
                    b.rect(0, mid + (d.sep - line) / 2, d.w, line, pal.separator, None);
                    b.layout(&down, true, rows_down, &|r| mid + d.sep + r as i32 * row_h, scale);
                }
                _ => b.message(&format!("{name}: {empty_message}")),
            }
            target_total
        }
        _ => {
            let merged = tree::merged(p, ws, we);
            let total = merged.total[0];
            header.amount = amount(total);
            match scale_of(total) {
                Some(scale) => {
                    let row_h = d.row_h;
                    b.layout(&merged, false, rows, &|r| top + r as i32 * row_h, scale);
                }
                None => b.message(empty_message),
            }
            total
        }
    };
    b.title(&header.text(unit, focus_name));
    Ok(scene(b, unit, tip_total))
}

/// Lay out a differential flame graph: the "after" profile's merged call
/// tree (box widths are after weights), each box coloured by how its call
/// path's total weight changed: neutral when unchanged, red shades for
/// growth, blue shades for shrinkage (saturated at a doubling/halving or
/// more, new and vanished paths fully). `names` holds one frame per function
/// of the diff, in the same order.
pub(crate) fn build_diff(diff: &ProfileDiff, names: &ProfileGroup, o: &RenderOptions) -> Result<Scene> {
    let (w, h, d, m) = dims(o)?;
    let pal = Palette::of(o.theme);
    let tree =
        tree::from_parts(diff.nodes.iter().map(|n| (n.function.unwrap_or(tree::ROOT_FRAME), n.parent, n.after_total)));
    let node_colors = diff.nodes.iter().map(|n| diff_color(n.before_total, n.after_total, o.theme)).collect();
    let mut b = Builder {
        group: names,
        pal,
        theme: o.theme,
        d,
        m,
        focus: None,
        colors: vec![None; names.frames().len()],
        node_colors: Some(node_colors),
        items: Vec::new(),
    };
    let unit = diff.unit;
    let total = diff.after_total;
    let top = d.title_h;
    let rows = if d.h > top { ((d.h - top) / d.row_h) as usize } else { 0 };
    let scale = d.w as f64 / total;
    if total > 0.0 && scale.is_finite() {
        let row_h = d.row_h;
        b.layout(&tree, false, rows, &|r| top + r as i32 * row_h, scale);
    } else {
        b.message("no samples");
    }
    let scaled =
        if diff.normalized && diff.scale != 1.0 { format!(" (scaled ×{:.3})", diff.scale) } else { String::new() };
    b.title(&format!(
        "diff  ·  after {} vs before {}{scaled}  ·  red: grew, blue: shrank",
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
    Ok(Scene {
        width: w,
        height: h,
        css_width: o.width,
        css_height: o.height,
        background: pal.background,
        metrics: m,
        items: b.items,
        unit,
        tip_total: total,
    })
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
    if !(most > 0.0) {
        return neutral;
    }
    let r = (after - before) / most;
    if r.abs() < 1e-9 {
        return neutral;
    }
    let t = ((r.abs().sqrt() * 256.0).round() as u32).clamp(24, 256);
    neutral.mix(if r > 0.0 { grow } else { shrink }, t)
}

/// The flame chart. Returns the weight inside the window (time covered by
/// outermost frames).
fn time_order(b: &mut Builder, p: &Profile, ws: f64, we: f64, scale: f64, rows: usize) -> f64 {
    let d = b.d;
    let top = d.title_h;
    // Only visible rows get state; deeper calls are skipped as they come.
    let mut open: Vec<(FrameId, f64)> = vec![(0, 0.0); rows];
    let mut pending: Vec<Option<(f64, f64)>> = vec![None; rows];
    let mut root_start = 0.0;
    let mut total = 0.0;
    let row_y = |depth: usize| top + depth as i32 * d.row_h;
    p.walk(&mut |ev: WalkEvent| {
        let depth = ev.depth;
        if ev.open {
            if depth == 0 {
                root_start = ev.at;
            }
            if let Some(slot) = open.get_mut(depth) {
                *slot = (ev.frame, ev.at);
            }
            return;
        }
        let end = ev.at;
        if depth == 0 && end > ws && root_start < we {
            total += end.min(we) - root_start.max(ws);
        }
        let Some(&(frame, start)) = open.get(depth) else { return };
        if end <= start || end <= ws || start >= we {
            return;
        }
        let x0 = (start.max(ws) - ws) * scale;
        let x1 = (end.min(we) - ws) * scale;
        let pend = &mut pending[depth];
        if x1 - x0 >= 1.0 {
            let (p0, p1) = (x0.round(), x1.round());
            if let Some((a, z)) = pend.take() {
                let a = a.round();
                b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(depth));
            }
            b.frame_box(frame, p0 as i32, p1 as i32, row_y(depth), end.min(we) - start.max(ws));
        } else {
            match pend {
                Some((_, z)) if x0 - *z < 1.0 => *z = z.max(x1),
                _ => {
                    if let Some((a, z)) = pend.take() {
                        let a = a.round();
                        b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(depth));
                    }
                    *pend = Some((x0, x1));
                }
            }
        }
    });
    for (depth, pend) in pending.into_iter().enumerate() {
        if let Some((a, z)) = pend {
            let a = a.round();
            b.merged_box(a as i32, z.round().max(a + 1.0) as i32, row_y(depth));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let o = RenderOptions { width: 800, height: 100, view: View::LeftHeavy, ..Default::default() };
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

    #[test]
    fn time_order_keeps_order_and_coalesces_tiny_calls() {
        // 1000 alternating one-sample calls x, y under main, then z for as long.
        let mut stacks: Vec<(&[&str], f64)> = Vec::new();
        for i in 0..1000 {
            stacks.push((if i % 2 == 0 { &["main", "x"] } else { &["main", "y"] }, 1.0));
        }
        stacks.push((&["main", "z"], 1000.0));
        let g = group(&stacks);
        let o = RenderOptions { width: 200, height: 100, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        // Row 1: one grey box for the 1000 tiny calls over [0, 100), then z.
        let row1: Vec<_> = r.iter().filter(|x| x.1 == 42).collect();
        assert_eq!(row1, vec![&(0, 42, 99, None), &(100, 42, 99, Some(3))], "{r:?}");
    }

    #[test]
    fn zoomed_time_order_maps_window_to_width() {
        let g = group(&[(&["main", "a"], 3.0), (&["main", "b"], 1.0), (&["main", "a"], 4.0)]);
        let o = RenderOptions { width: 400, height: 100, start: Some(2.0), end: Some(6.0), ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        // Window [2, 6): a [2,3) → 0..100, b [3,4) → 100..200, a [4,6) → 200..400.
        assert!(r.contains(&(0, 42, 99, Some(1))), "{r:?}");
        assert!(r.contains(&(100, 42, 99, Some(2))), "{r:?}");
        assert!(r.contains(&(200, 42, 199, Some(1))), "{r:?}");
        let s = build(&g, &RenderOptions { width: 1200, ..o }).unwrap();
        assert!(texts(&s).iter().any(|t| t.contains("4.00ms in 2.00ms … 6.00ms")), "{:?}", texts(&s));
    }

    #[test]
    fn sandwich_halves() {
        // main;f;g 2 · main;x;f 1 → f: callers main (2), x (1) above; callee g (2) below.
        let g = group(&[(&["main", "f", "g"], 2.0), (&["main", "x", "f"], 1.0)]);
        let o =
            RenderOptions { width: 300, height: 200, view: View::Sandwich { frame: "f".into() }, ..Default::default() };
        let s = build(&g, &o).unwrap();
        let r = rects(&s);
        let mid = 24 + (200 - 24) / 2;
        let f = 1;
        assert!(r.contains(&(0, mid - 18, 299, Some(f))), "callers root: {r:?}");
        assert!(r.contains(&(0, mid - 36, 199, Some(0))), "main above f: {r:?}");
        assert!(r.contains(&(200, mid - 36, 99, Some(3))), "x above f: {r:?}");
        assert!(r.contains(&(0, mid + 6, 299, Some(f))), "callees root: {r:?}");
        assert!(r.contains(&(0, mid + 24, 199, Some(2))), "g below f: {r:?}");
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
            let s = build(&g, &RenderOptions { height: 100, view, ..Default::default() }).unwrap();
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
