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
            let img =
                Image::decode(&png(&group, &RenderOptions { view: View::LeftHeavy, theme, ..Default::default() }));
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
    let light = Image::decode(&png(&group, &RenderOptions::default()));
    let dark = Image::decode(&png(&group, &RenderOptions { theme: Theme::Dark, ..Default::default() }));
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
        let img = Image::decode(&png(&group, &RenderOptions { view: View::LeftHeavy, theme, ..Default::default() }));
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
        let o = RenderOptions { view: view.clone(), start: Some(100.0), end: Some(200.0), ..Default::default() };
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
    let o = RenderOptions { view: View::LeftHeavy, ..Default::default() };
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
    let bless = std::env::var("FLAMEKIT_BLESS").is_ok_and(|v| v == "1");
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
