//! Rendering tests on real profiles: golden PNG hashes (regenerate with
//! `FLAMEKIT_BLESS=1 cargo test -p flamekit --test render`, after looking at
//! the images written to `target/tmp/render-golden/`), byte-for-byte
//! determinism, and decoded-pixel checks whose expected values come from the
//! input files themselves.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use flamekit::{ProfileGroup, RenderOptions, Theme, View};
use sha2::{Digest, Sha256};

use crate::common::png::Image;
use crate::common::svg::{svg_rects, svg_texts, SvgRect};
use crate::common::{corpus, data};

const SIMPLE_SAMPLED: &str = "speedscope/0.1.2/simple-sampled.speedscope.json";
const VERTX: &str = "render/perf-vertx.speedscope.json";

fn load_corpus(rel: &str) -> ProfileGroup {
    flamekit::import(&corpus(rel), Some(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn load_data(rel: &str) -> ProfileGroup {
    flamekit::import(&data(rel), Some(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn png(group: &ProfileGroup, o: &RenderOptions) -> Vec<u8> {
    flamekit::render_png(group, o).unwrap_or_else(|e| panic!("render {o:?}: {e}"))
}

/// Layout constants at device pixel ratio 1 (see the render crate): a
/// 24 px title strip, then 18 px rows whose boxes are 17 px high and one
/// pixel narrower than their span.
const TITLE: usize = 24;
const ROW: usize = 18;

/// A pixel row inside the boxes of stack depth `depth` (0 = outermost) that
/// no label touches (labels are vertically centred; this is the box's
/// second pixel row).
fn box_row(depth: usize) -> usize {
    TITLE + depth * ROW + 1
}

/// Total weight per frame at one stack depth, computed straight from a
/// speedscope sampled profile's JSON (independent of flamekit's importer):
/// each sample adds its weight to the frame at index `depth` of its stack.
fn weights_at_depth(json: &[u8], depth: usize) -> (f64, BTreeMap<String, f64>) {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let frames = v["shared"]["frames"].as_array().unwrap();
    let p = &v["profiles"][0];
    let mut total = 0.0;
    let mut at = BTreeMap::new();
    for (stack, w) in p["samples"].as_array().unwrap().iter().zip(p["weights"].as_array().unwrap()) {
        let w = w.as_f64().unwrap();
        total += w;
        if let Some(f) = stack.as_array().unwrap().get(depth) {
            let name = frames[f.as_u64().unwrap() as usize]["name"].as_str().unwrap().to_string();
            *at.entry(name).or_insert(0.0) += w;
        }
    }
    (total, at)
}

#[test]
fn dominant_frame_spans_its_share_of_the_width() {
    // simple-sampled: samples a;b;c ×1, a;b;c ×1, a;b;d ×4, a;b;c ×3, a;b ×5
    // (seconds). At depth 2, c has 1 + 1 + 3 = 5 s and d has 4 s of the
    // 14 s total: left heavy puts c first over 1200 × 5/14 = 428.6 px, then d
    // over 1200 × 4/14 = 342.9 px. The same numbers are derived from the JSON.
    let json = corpus(SIMPLE_SAMPLED);
    let (total, at2) = weights_at_depth(&json, 2);
    assert_eq!((total, at2["c"], at2["d"]), (14.0, 5.0, 4.0));
    // perf-vertx (collapsed stacks → speedscope, see tests/data/render/README.md):
    // every stack starts with `java`; the heaviest frame at depth 1 is computed.
    let vertx = data(VERTX);
    let cases: Vec<(ProfileGroup, f64, BTreeMap<String, f64>, usize)> =
        vec![(load_corpus(SIMPLE_SAMPLED), total, at2, 2), {
            let (t, at) = weights_at_depth(&vertx, 1);
            (load_data(VERTX), t, at, 1)
        }];
    for (group, total, at, depth) in cases {
        for theme in [Theme::Light, Theme::Dark] {
            let img = Image::decode(&png(
                &group,
                &RenderOptions { view: View::LeftHeavy, theme, axes: false, ..Default::default() },
            ));
            assert_eq!((img.width, img.height), (1200, 800));
            // Heaviest first; ties broken by name order would not matter here.
            let mut order: Vec<(&String, &f64)> = at.iter().collect();
            order.sort_by(|a, b| b.1.total_cmp(a.1));
            let y = box_row(depth);
            let mut x = 0.0f64;
            for (name, w) in order.iter().take(2) {
                let span = 1200.0 * **w / total;
                let left = x.round() as usize;
                let color = flamekit::frame_color(name, theme);
                let run = img.run(left, y, color) as f64;
                // The box is drawn one pixel narrower than its span (the gap).
                assert!(
                    (run + 1.0 - span).abs() <= 1.0,
                    "{name} at depth {depth} ({theme:?}): {run} px drawn, expected {span:.2} − 1 px"
                );
                x += span;
            }
        }
    }
}

#[test]
fn light_and_dark_backgrounds_differ() {
    let group = load_corpus(SIMPLE_SAMPLED);
    let light = Image::decode(&png(&group, &RenderOptions { axes: false, ..Default::default() }));
    let dark = Image::decode(&png(&group, &RenderOptions { theme: Theme::Dark, axes: false, ..Default::default() }));
    // Three rows of boxes; the bottom-right corner is empty plot area.
    let (x, y) = (1199, 799);
    assert_eq!(light.at(x, y), flamekit::background_color(Theme::Light));
    assert_eq!(dark.at(x, y), flamekit::background_color(Theme::Dark));
    assert_ne!(light.at(x, y), dark.at(x, y));
    let luma = |c: [u8; 3]| 0.299 * c[0] as f64 + 0.587 * c[1] as f64 + 0.114 * c[2] as f64;
    assert!(luma(light.at(x, y)) > 200.0 && luma(dark.at(x, y)) < 60.0);
    // Boxes differ between themes too, and the title strip is not background.
    assert_ne!(light.at(600, box_row(0)), dark.at(600, box_row(0)));
    assert_ne!(light.at(600, 2), light.at(x, y));
}

#[test]
fn labels_are_drawn_inside_wide_boxes() {
    // perf-vertx, left heavy: depth 3 is `JavaThread::run` over most of the
    // width (its label is 16 characters, about 115 px at 12 px).
    let group = load_data(VERTX);
    for theme in [Theme::Light, Theme::Dark] {
        let o = RenderOptions { view: View::LeftHeavy, theme, axes: false, ..Default::default() };
        let img = Image::decode(&png(&group, &o));
        let fill = flamekit::frame_color("JavaThread::run", theme);
        let bg = flamekit::background_color(theme);
        let top = TITLE + 3 * ROW;
        assert_eq!(img.at(1, top + 1), fill, "the box starts at the left edge");
        let ink = |x0: usize, x1: usize| {
            (top..top + ROW - 1)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| {
                    let c = img.at(x, y);
                    c != fill && c != bg
                })
                .count()
        };
        // Label pixels where the text is, none in the empty rest of the box.
        assert!(ink(0, 130) > 150, "{theme:?}: {} label pixels", ink(0, 130));
        assert_eq!(ink(200, 1000), 0, "{theme:?}");
        // Text is dark on light boxes and light on dark ones.
        let luma = |c: [u8; 3]| 0.299 * c[0] as f64 + 0.587 * c[1] as f64 + 0.114 * c[2] as f64;
        let extreme = (top..top + ROW - 1)
            .flat_map(|y| (0..130).map(move |x| (x, y)))
            .map(|(x, y)| luma(img.at(x, y)))
            .fold(if theme == Theme::Light { 255.0 } else { 0.0 }, |m: f64, l| {
                if theme == Theme::Light {
                    m.min(l)
                } else {
                    m.max(l)
                }
            });
        match theme {
            Theme::Light => assert!(extreme < 60.0, "darkest label pixel {extreme}"),
            Theme::Dark => assert!(extreme > 200.0, "lightest label pixel {extreme}"),
        }
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let group = load_data(VERTX);
    for view in [View::TimeOrder, View::LeftHeavy, View::Sandwich { frame: "write".into() }] {
        let o = RenderOptions { view, theme: Theme::Dark, device_pixel_ratio: 1.5, ..Default::default() };
        let a = png(&group, &o);
        let b = png(&group, &o);
        assert!(a == b, "{:?}: two renders differ", o.view);
        assert_eq!(flamekit::render_svg(&group, &o).unwrap(), flamekit::render_svg(&group, &o).unwrap());
        let img = Image::decode(&a);
        assert_eq!((img.width, img.height), (1800, 1200));
    }
}

#[test]
fn zoom_outside_the_profile_gives_an_empty_image() {
    let group = load_corpus(SIMPLE_SAMPLED);
    for view in [View::TimeOrder, View::LeftHeavy, View::Sandwich { frame: "b".into() }] {
        let o = RenderOptions {
            view: view.clone(),
            start: Some(100.0),
            end: Some(200.0),
            axes: false,
            ..Default::default()
        };
        let img = Image::decode(&png(&group, &o));
        let bg = flamekit::background_color(Theme::Light);
        // No boxes: the plot area is background except the centred message.
        let plot: Vec<[u8; 3]> =
            (TITLE..img.height).flat_map(|y| (0..img.width).map(move |x| (x, y))).map(|(x, y)| img.at(x, y)).collect();
        let ink = plot.iter().filter(|&&c| c != bg).count();
        assert!(ink > 100 && ink < 3000, "{view:?}: {ink} non-background pixels (message only)");
        let row = box_row(0);
        assert!((0..img.width).all(|x| img.at(x, row) == bg), "{view:?}: no box in the first row");
        let svg = flamekit::render_svg(&group, &o).unwrap();
        assert!(svg.contains("no samples in range"), "{view:?}");
    }
    // Bad requests are typed errors.
    let err = |o: RenderOptions| flamekit::render_png(&group, &o).unwrap_err();
    let e = err(RenderOptions { view: View::Sandwich { frame: "no such function".into() }, ..Default::default() });
    assert!(matches!(e, flamekit::Error::InvalidArgument { name: "frame", .. }), "{e:?}");
    assert_eq!(
        err(RenderOptions { start: Some(5.0), end: Some(5.0), ..Default::default() }).code(),
        "invalid_argument"
    );
    assert_eq!(err(RenderOptions { profile_index: Some(3), ..Default::default() }).code(), "invalid_argument");
}

#[test]
fn svg_matches_png_layout() {
    // Same layout: every frame box of the PNG is a <rect> of the SVG.
    let group = load_corpus(SIMPLE_SAMPLED);
    let o = RenderOptions { view: View::LeftHeavy, axes: false, ..Default::default() };
    let svg = flamekit::render_svg(&group, &o).unwrap();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<script"));
    // c: 428.57 px span → x 0, width 428 (one pixel gap); d follows at 429.
    let c = flamekit::frame_color("c", Theme::Light);
    let hex = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
    let depth2 = TITLE + 2 * ROW;
    assert!(svg.contains(&format!("<rect x=\"0\" y=\"{depth2}\" width=\"428\" height=\"17\" fill=\"{}\">", hex(c))));
    assert!(svg.contains("<title>c — 5.00s (35.7%)</title>"), "{svg}");
    assert!(svg.contains(">c</text>") && svg.contains(">d</text>"));
    let img = Image::decode(&png(&group, &o));
    assert_eq!(img.run(0, box_row(2), c), 428);
}

/// Layout with axes at device pixel ratio 1: the time axis strip (18 px)
/// sits between the title strip and the first row.
const AXIS: usize = 18;
const TOP: usize = TITLE + AXIS;

/// The chart's left edge and width: the axis strip's bottom rule.
fn chart_span(svg: &str) -> (f64, f64) {
    common::svg::chart_span(svg, TOP - 1)
}

/// Sample times (µs, absolute) and whether each sample is idle, straight
/// from a Chrome trace's `Profile`/`ProfileChunk` events: sample `i` is at
/// `startTime + timeDeltas[0] + … + timeDeltas[i]`.
fn chrome_samples(json: &[u8]) -> Vec<(f64, bool)> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let events = v.as_array().cloned().unwrap_or_else(|| v["traceEvents"].as_array().unwrap().clone());
    let mut start = None;
    let mut idle_nodes = std::collections::HashSet::new();
    let mut samples = Vec::new();
    let mut deltas = Vec::new();
    for e in &events {
        let data = &e["args"]["data"];
        match e["name"].as_str() {
            Some("Profile") => start = data["startTime"].as_f64(),
            Some("ProfileChunk") => {
                for n in data["cpuProfile"]["nodes"].as_array().into_iter().flatten() {
                    if n["callFrame"]["functionName"] == "(idle)" {
                        idle_nodes.insert(n["id"].as_u64().unwrap());
                    }
                }
                samples.extend(
                    data["cpuProfile"]["samples"].as_array().into_iter().flatten().map(|s| s.as_u64().unwrap()),
                );
                deltas.extend(data["timeDeltas"].as_array().into_iter().flatten().map(|d| d.as_f64().unwrap()));
            }
            _ => {}
        }
    }
    let mut t = start.expect("a Profile event");
    samples
        .iter()
        .zip(&deltas)
        .map(|(s, d)| {
            t += d;
            (t, idle_nodes.contains(s))
        })
        .collect()
}

#[test]
fn time_order_places_boxes_at_their_sample_times() {
    // Chrome/69/simple.json: 2,051 samples, idle from about 78 ms on. The
    // window is given in the file's own absolute microseconds (first to last
    // sample), so the test does not depend on where the importer starts
    // the profile's time axis.
    const CHROME: &str = "Chrome/69/simple.json";
    let raw = corpus(CHROME);
    let samples = chrome_samples(&raw);
    let (t0, t_last) = (samples[0].0, samples.last().unwrap().0);
    // Runs of non-idle samples: [time of the run's first sample, time of the next sample).
    let mut runs: Vec<(f64, f64)> = Vec::new();
    for (i, &(t, idle)) in samples.iter().enumerate() {
        let next = samples.get(i + 1).map_or(t, |s| s.0);
        if !idle {
            match runs.last_mut() {
                Some(r) if r.1 == t => r.1 = next,
                _ => runs.push((t, next)),
            }
        }
    }
    assert!(runs.len() > 1, "the file has idle gaps");
    let group = load_corpus(CHROME);
    let o = RenderOptions { start: Some(t0), end: Some(t_last), ..Default::default() };
    let svg = flamekit::render_svg(&group, &o).unwrap();
    let (left, width) = chart_span(&svg);
    let x_of = |t: f64| left + (t - t0) / (t_last - t0) * width;
    // Outermost row: every box (named or merged) lies inside a run of
    // non-idle samples, and every run wider than 3 px is covered.
    let row0: Vec<SvgRect> = svg_rects(&svg).into_iter().filter(|r| r.y == TOP as f64 && r.h == 17.0).collect();
    assert!(!row0.is_empty());
    for b in &row0 {
        let (a, z) = (b.x, b.x + b.w);
        assert!(
            runs.iter().any(|&(s, e)| a >= x_of(s) - 1.0 && z <= x_of(e) + 1.0),
            "box {b:?} is not inside a non-idle run"
        );
    }
    for &(s, e) in runs.iter().filter(|(s, e)| x_of(*e) - x_of(*s) > 3.0) {
        let mid = (x_of(s) + x_of(e)) / 2.0;
        assert!(row0.iter().any(|b| b.x <= mid && mid <= b.x + b.w + 1.0), "run {s}..{e} not drawn");
    }
    // The rightmost box ends where the last non-idle sample ends (a box is
    // drawn one pixel narrower than its span unless it is 2 px or less).
    let last = row0.iter().max_by(|a, b| (a.x + a.w).total_cmp(&(b.x + b.w))).unwrap();
    let right = last.x + last.w;
    let want = x_of(runs.last().unwrap().1);
    assert!(want >= right - 1.0 && want <= right + 2.0, "rightmost box ends at {right}(+1), expected {want:.2}");
    assert!(right < left + width * 0.5, "idle time stays a gap");
    // The axis reads in milliseconds.
    assert!(svg.contains("ms</text>"));
}

#[test]
fn time_axis_ticks_in_png_and_svg() {
    // simple-sampled: startValue 0, endValue 14, weights 1+1+4+3+5 = 14 s.
    let json = corpus(SIMPLE_SAMPLED);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let p = &v["profiles"][0];
    let span: f64 = p["weights"].as_array().unwrap().iter().map(|w| w.as_f64().unwrap()).sum();
    assert_eq!((p["unit"].as_str(), p["startValue"].as_f64(), span), (Some("seconds"), Some(0.0), 14.0));
    let group = load_corpus(SIMPLE_SAMPLED);
    for theme in [Theme::Light, Theme::Dark] {
        for view in [View::TimeOrder, View::LeftHeavy] {
            let o = RenderOptions { theme, view: view.clone(), ..Default::default() };
            let svg = flamekit::render_svg(&group, &o).unwrap();
            let img = Image::decode(&png(&group, &o));
            let (left, width) = chart_span(&svg);
            let labels: Vec<(f64, String)> = svg_texts(&svg)
                .into_iter()
                .filter(|(_, y, _)| *y > TITLE as f64 && *y < TOP as f64)
                .map(|(x, _, t)| (x, t))
                .collect();
            assert!(labels.len() >= 5, "{view:?}: {labels:?}");
            let values: Vec<f64> = labels.iter().map(|(_, t)| t.strip_suffix('s').unwrap().parse().unwrap()).collect();
            // Evenly spaced by 1, 2 or 5 × 10ⁿ, starting at 0.
            assert_eq!(values[0], 0.0);
            let step = values[1] - values[0];
            let mant = step / 10f64.powf(step.log10().floor());
            assert!([1.0, 2.0, 5.0].iter().any(|m| (m - mant).abs() < 1e-9), "step {step}");
            for ((x, label), v) in labels.iter().zip(&values) {
                let want = left + v / span * width;
                // The tick line in the PNG, within 2 px, in the axis strip.
                let y = TITLE + AXIS / 2;
                let found = (want.round() as i64 - 2..=want.round() as i64 + 2)
                    .any(|c| c >= 0 && img.at(c as usize, y) == flamekit::tick_color(theme));
                assert!(found, "{view:?} {theme:?}: no tick for {label} near x = {want:.1}");
                // The label just right of it.
                assert!(*x >= want - 2.0 && *x <= want + 8.0, "{label} at {x}, tick at {want:.1}");
            }
        }
    }
}

#[test]
fn start_depth_moves_row_k_to_the_top() {
    // perf-vertx (a Java perf profile 40+ frames deep), left heavy and time
    // order: row k of the full image is row 0 of the image from depth k.
    let group = load_data(VERTX);
    let k = 12;
    for view in [View::LeftHeavy, View::TimeOrder] {
        let full = Image::decode(&png(&group, &RenderOptions { view: view.clone(), ..Default::default() }));
        let o = RenderOptions { view: view.clone(), start_depth: k, ..Default::default() };
        let deep = Image::decode(&png(&group, &o));
        let svg = flamekit::render_svg(&group, &o).unwrap();
        assert!(svg.contains("from depth 12"), "the title says so");
        // Depth labels: the first row of the deep image is depth 12; 15 is labelled.
        assert!(svg_texts(&svg).iter().any(|(x, y, t)| t == "15" && *x < 40.0 && *y > (TOP + 3 * ROW) as f64));
        for j in 0..10 {
            for r in 0..ROW - 1 {
                let a: Vec<[u8; 3]> = (60..1200).map(|x| full.at(x, TOP + (k + j) * ROW + r)).collect();
                let b: Vec<[u8; 3]> = (60..1200).map(|x| deep.at(x, TOP + j * ROW + r)).collect();
                assert!(a == b, "{view:?}: row {} of the full image is not row {j} from depth {k}", k + j);
            }
        }
    }
}

#[test]
fn palettes_are_deterministic_per_name_in_both_themes() {
    let group = load_data(VERTX);
    let mut seen = Vec::new();
    for palette in flamekit::Palette::ALL {
        for theme in [Theme::Light, Theme::Dark] {
            let o = RenderOptions { view: View::LeftHeavy, theme, palette, ..Default::default() };
            let bytes = png(&group, &o);
            assert!(bytes == png(&group, &o), "{palette} {theme:?}: same bytes twice");
            let img = Image::decode(&bytes);
            // Every stack starts with `java`: row 0 is one box over the whole chart.
            let c = img.at(1100, TOP + 1);
            assert_eq!(c, flamekit::palette_color("java", theme, palette), "{palette} {theme:?}");
            // Through the Flamedeck parameter too.
            let mode = if theme == Theme::Dark { "dark" } else { "light" };
            let name = palette.to_string();
            let from =
                RenderOptions::from_params([("mode", mode), ("flamegraphThemeName", name.as_str()), ("height", "800")])
                    .unwrap();
            assert_eq!((from.theme, from.palette), (theme, palette));
            seen.push(c);
        }
    }
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "every palette and theme colours `java` differently: {seen:?}");
}

#[test]
fn sandwich_halves_are_sized_to_their_content() {
    // Rows each half needs, from the raw JSON: callers = the deepest
    // outermost position of the function in a stack + 1 (its own row);
    // callees = the longest stack tail from that position.
    let target = "JavaCalls::call_virtual";
    let json = data(VERTX);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let frames = v["shared"]["frames"].as_array().unwrap();
    let (mut up, mut down) = (0usize, 0usize);
    for stack in v["profiles"][0]["samples"].as_array().unwrap() {
        let names: Vec<&str> = stack
            .as_array()
            .unwrap()
            .iter()
            .map(|f| frames[f.as_u64().unwrap() as usize]["name"].as_str().unwrap())
            .collect();
        if let Some(i) = names.iter().position(|n| *n == target) {
            up = up.max(i + 1);
            down = down.max(names.len() - i);
        }
    }
    let group = load_data(VERTX);
    let o = RenderOptions { height: 1200, view: View::Sandwich { frame: target.into() }, ..Default::default() };
    let svg = flamekit::render_svg(&group, &o).unwrap();
    let rects = svg_rects(&svg);
    let target_rows: Vec<f64> = rects
        .iter()
        .filter(|r| {
            r.title.as_deref().is_some_and(|t| t.starts_with(&format!("{target} — "))) && r.x < 40.0 && r.w > 1000.0
        })
        .map(|r| r.y)
        .collect();
    let callers_row = (TITLE + (up - 1) * ROW) as f64;
    let callees_row = (TITLE + up * ROW + AXIS) as f64;
    assert!(target_rows.contains(&callers_row) && target_rows.contains(&callees_row), "{target_rows:?}");
    // Nothing below the callees' last row (its deepest boxes may be
    // narrower than a pixel and left out, so at most that far).
    let bottom = rects.iter().filter(|r| r.title.is_some()).map(|r| r.y + r.h).fold(0.0, f64::max);
    assert!(bottom <= (TITLE + up * ROW + AXIS + (down - 1) * ROW + ROW - 1) as f64, "{bottom}");
    assert!(bottom > callees_row + (down as f64 / 2.0) * ROW as f64, "{bottom}");
    // The axis between the halves, the side labels in the gutter, the
    // selected function outlined.
    let texts = svg_texts(&svg);
    let axis_labels = texts.iter().filter(|(_, y, _)| *y > callers_row + ROW as f64 && *y < callees_row).count();
    assert!(axis_labels >= 5, "{texts:?}");
    let column: String =
        texts.iter().filter(|(x, _, t)| *x < 10.0 && t.chars().count() == 1).map(|t| t.2.as_str()).collect();
    assert!(column.contains("Callers") && column.contains("Callees"), "{column}");
    let highlight = rects.iter().filter(|r| r.title.is_none() && r.h == 1.0 && r.y == callers_row).count();
    assert!(highlight >= 1, "outline on the selected function");
    // The heaviest-frame choice names itself in the title.
    let svg = flamekit::render_svg(&group, &RenderOptions { sandwich_frames: flamekit::SandwichFrames::Heaviest, ..o })
        .unwrap();
    assert!(svg.contains("heaviest frame"));
}

#[test]
fn auto_height_fits_the_rows() {
    // simple-sampled is 3 frames deep: title + axis + at least 3 rows + a margin.
    let group = load_corpus(SIMPLE_SAMPLED);
    let o = RenderOptions::from_params([("width", "600")]).unwrap();
    let img = Image::decode(&png(&group, &o));
    assert_eq!((img.width, img.height), (600, TOP + 3 * ROW + 4));
}

/// One golden case.
struct Case {
    name: &'static str,
    group: ProfileGroup,
    sandwich: &'static str,
}

fn golden_cases() -> Vec<(String, ProfileGroup, RenderOptions)> {
    let sources = vec![
        Case { name: "evented", group: load_corpus("speedscope/0.0.1/simple.speedscope.json"), sandwich: "b" },
        Case { name: "sampled", group: load_corpus(SIMPLE_SAMPLED), sandwich: "b" },
        Case { name: "two-sampled", group: load_corpus("speedscope/0.6.0/two-sampled.speedscope.json"), sandwich: "c" },
        Case { name: "pprof", group: load_corpus("pprof/simple.prof"), sandwich: "main.delta" },
        Case { name: "vertx", group: load_data(VERTX), sandwich: "JavaCalls::call_virtual" },
    ];
    let mut out = Vec::new();
    for case in &sources {
        for (theme, tname) in [(Theme::Light, "light"), (Theme::Dark, "dark")] {
            for (view, vname) in [
                (View::TimeOrder, "time-order"),
                (View::LeftHeavy, "left-heavy"),
                (View::Sandwich { frame: case.sandwich.into() }, "sandwich"),
            ] {
                let o = RenderOptions { theme, view, ..Default::default() };
                out.push((format!("{}-{tname}-{vname}", case.name), case.group.clone(), o));
            }
        }
    }
    let vertx = load_data(VERTX);
    let extra = [
        ("vertx-zoom-light-time-order", RenderOptions { start: Some(100.0), end: Some(160.0), ..Default::default() }),
        (
            "vertx-focus-dark-left-heavy",
            RenderOptions {
                theme: Theme::Dark,
                view: View::LeftHeavy,
                focus: Some("write".into()),
                ..Default::default()
            },
        ),
        (
            "vertx-dpr2-light-left-heavy",
            RenderOptions {
                width: 600,
                height: 400,
                device_pixel_ratio: 2.0,
                view: View::LeftHeavy,
                ..Default::default()
            },
        ),
    ];
    for (name, o) in extra {
        out.push((name.to_string(), vertx.clone(), o));
    }
    let more = [
        (
            "vertx-depth12-light-left-heavy",
            RenderOptions { view: View::LeftHeavy, start_depth: 12, ..Default::default() },
        ),
        (
            "vertx-heaviest-light-sandwich",
            RenderOptions {
                view: View::Sandwich { frame: "write".into() },
                sandwich_frames: flamekit::SandwichFrames::Heaviest,
                ..Default::default()
            },
        ),
        ("vertx-params-auto-height", RenderOptions::from_params([("width", "900"), ("startDepth", "20")]).unwrap()),
    ];
    for (name, o) in more {
        out.push((name.to_string(), vertx.clone(), o));
    }
    for palette in flamekit::Palette::ALL {
        for (theme, tname) in [(Theme::Light, "light"), (Theme::Dark, "dark")] {
            let o = RenderOptions { view: View::LeftHeavy, theme, palette, ..Default::default() };
            out.push((format!("vertx-{palette}-{tname}-left-heavy"), vertx.clone(), o));
        }
    }
    let chrome = load_corpus("Chrome/69/simple.json");
    out.push(("chrome-light-time-order".into(), chrome.clone(), RenderOptions::default()));
    out.push((
        "chrome-dark-window".into(),
        chrome,
        RenderOptions::from_params([("mode", "dark"), ("startTimeMs", "20"), ("endTimeMs", "45"), ("height", "300")])
            .unwrap(),
    ));
    out
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/render/golden.txt")
}

#[test]
fn golden_png_hashes() {
    let review = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render-golden");
    std::fs::create_dir_all(&review).unwrap();
    let mut actual = String::new();
    for (name, group, o) in golden_cases() {
        let bytes = png(&group, &o);
        std::fs::write(review.join(format!("{name}.png")), &bytes).unwrap();
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(actual, "{name} {hex}").unwrap();
    }
    let header = "# SHA-256 of rendered PNGs (tests/render.rs, golden_png_hashes).\n\
                  # Regenerate with FLAMEKIT_BLESS=1 after looking at target/tmp/render-golden/*.png.\n";
    let bless = crate::common::bless();
    // The README's images are two of the golden cases (docs/rendering.md has
    // the CLI command that writes them).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (case, doc) in [
        ("vertx-light-left-heavy", "docs/images/example-light.png"),
        ("vertx-dark-left-heavy", "docs/images/example-dark.png"),
    ] {
        let fresh = std::fs::read(review.join(format!("{case}.png"))).unwrap();
        if bless {
            std::fs::write(root.join(doc), &fresh).unwrap();
        } else {
            let committed = std::fs::read(root.join(doc)).unwrap_or_default();
            let expected = (!committed.is_empty()).then_some(committed.as_slice());
            assert!(
                committed == fresh,
                "{doc} is not what the code renders now: bless, or re-run the command in docs/rendering.md\n{}",
                common::png::write_mismatch(&review.join("mismatch"), case, expected, &fresh)
            );
        }
    }
    // Blessed images are kept under target/ to compare against on a mismatch.
    let blessed = review.join("blessed");
    if bless {
        std::fs::write(golden_path(), format!("{header}{actual}")).unwrap();
        std::fs::create_dir_all(&blessed).unwrap();
        for (name, ..) in golden_cases() {
            std::fs::copy(review.join(format!("{name}.png")), blessed.join(format!("{name}.png"))).unwrap();
        }
        return;
    }
    let expected = std::fs::read_to_string(golden_path()).unwrap_or_default();
    let expected: Vec<&str> = expected.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let diff: Vec<String> = actual_lines
        .iter()
        .filter(|l| !expected.contains(l))
        .map(|l| format!("  new: {l}"))
        .chain(expected.iter().filter(|l| !actual_lines.contains(l)).map(|l| format!("  old: {l}")))
        .collect();
    if diff.is_empty() {
        return;
    }
    // Each changed case: its actual PNG, and a side-by-side diff with the
    // image last blessed on this machine when that image has the golden hash.
    let files: Vec<String> = actual_lines
        .iter()
        .filter(|l| !expected.contains(l))
        .filter_map(|l| l.split_once(' '))
        .map(|(name, _)| {
            let fresh = std::fs::read(review.join(format!("{name}.png"))).unwrap();
            let old = std::fs::read(blessed.join(format!("{name}.png"))).ok().filter(|b| {
                let hex: String = Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect();
                expected.contains(&format!("{name} {hex}").as_str())
            });
            common::png::write_mismatch(&review.join("mismatch"), name, old.as_deref(), &fresh)
        })
        .collect();
    panic!(
        "rendered PNGs differ from tests/data/render/golden.txt (images in {}):\n{}\n{}\n\
         look at the images, then run with FLAMEKIT_BLESS=1 to accept",
        review.display(),
        diff.join("\n"),
        files.join("\n")
    );
}

/// A stack deeper than the image's rows can count in pixels (16 million
/// frames at 8 device pixels a CSS pixel: 2.3 billion pixels of rows) with
/// an auto height: the image is as tall as the height allows. Its content
/// height overflowed `i32` (a panic in debug builds, a wrapped height in
/// release). Such depths need a raised `max_stack_depth`.
#[test]
fn an_auto_height_past_what_pixels_count_is_capped() {
    let depth = 16_000_000usize;
    let limits = flamekit::IngestLimits { max_stack_depth: u64::MAX, ..Default::default() };
    let mut g = flamekit::GroupBuilder::new("deep", &limits);
    let a = g.frame(flamekit::Frame::new("a")).unwrap();
    let mut p = g.sampled("p", flamekit::ValueUnit::None);
    p.push_stack(&vec![a; depth], 1.0).unwrap();
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    for view in [View::TimeOrder, View::LeftHeavy] {
        let o = RenderOptions {
            auto_height: true,
            device_pixel_ratio: 8.0,
            width: 100,
            height: 100,
            view: view.clone(),
            ..Default::default()
        };
        let img = Image::decode(&png(&g, &o));
        assert_eq!((img.width, img.height), (800, 800), "{view:?}");
    }
}
