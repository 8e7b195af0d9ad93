//! Differential profiles on corpus-derived inputs.

mod common;

use common::{assert_close, corpus};
use flamekit::{diff, DeltaSort, DiffOptions};

#[test]
fn diff_with_itself_is_zero() {
    for f in ["speedscope/0.1.2/simple-sampled.speedscope.json", "speedscope/0.0.1/simple.speedscope.json"] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        let d = diff(&g, &g, &DiffOptions::default()).unwrap();
        assert!(d.is_zero(), "{f}");
        assert_eq!(d.scale, 1.0);
        assert!(d.functions.iter().all(|f| f.delta_self() == 0.0 && f.delta_total() == 0.0));
    }
}

#[test]
fn doubled_function_ranks_first() {
    // simple-sampled has samples abc×1, abc×1, abd×4, abc×3, ab×5. Doubling the
    // weight of the one `abd` sample doubles d's self weight: 4 → 8.
    let text = String::from_utf8(corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).unwrap();
    let before = flamekit::import(text.as_bytes(), None).unwrap();
    let doubled = text.replace("\"weights\": [1, 1, 4, 3, 5]", "\"weights\": [1, 1, 8, 3, 5]");
    assert_ne!(doubled, text, "the sample file changed shape");
    let after = flamekit::import(doubled.as_bytes(), None).unwrap();

    let raw = diff(&before, &after, &DiffOptions { normalize: false, ..Default::default() }).unwrap();
    let top = raw.top_by_delta(DeltaSort::SelfGrowth, 0, 4);
    assert_eq!(top[0].name, "d");
    assert_close(top[0].delta_self(), 4.0);
    assert_eq!(top[0].relative_self(), Some(1.0));
    assert!(top[1..].iter().all(|f| f.delta_self() == 0.0));

    // Normalised: before scaled by 18/14; d goes 4·18/14 → 8, c and b 5·18/14 → 5.
    let norm = diff(&before, &after, &DiffOptions::default()).unwrap();
    assert_close(norm.scale, 18.0 / 14.0);
    let top = norm.top_by_delta(DeltaSort::SelfGrowth, 0, 4);
    assert_eq!(top[0].name, "d");
    assert_close(top[0].delta_self(), 8.0 - 4.0 * 18.0 / 14.0);
    let c = norm.functions.iter().find(|f| f.name == "c").unwrap();
    assert_close(c.delta_self(), 5.0 - 5.0 * 18.0 / 14.0);
    // The a;b;d path grew, the a;b;c path shrank (after normalisation).
    let path_d = (0..norm.nodes.len() as u32).find(|&n| norm.path(n) == ["a", "b", "d"]).unwrap();
    let node = &norm.nodes[path_d as usize];
    assert!(node.after_total > node.before_total);
}

/// A profile whose samples all weigh 0 after (or before): nothing to scale
/// to, so the before weights stay as they are. Scaled to an after total of
/// 0 they were all 0, and every function read as unchanged.
#[test]
fn an_empty_total_is_not_scaled_to() {
    let some = sampled(&[(&["main", "a"], 3.0), (&["main", "b"], 1.0)]);
    let none = sampled(&[(&["main", "a"], 0.0), (&["main", "b"], 0.0)]);
    let gone = diff(&some, &none, &DiffOptions::default()).unwrap();
    assert_eq!((gone.scale, gone.before_total, gone.after_total), (1.0, 4.0, 0.0));
    let a = gone.functions.iter().find(|f| f.name == "a").unwrap();
    assert_eq!((a.before_self, a.after_self, a.delta_self()), (3.0, 0.0, -3.0));
    assert!(!gone.is_zero());
    let came = diff(&none, &some, &DiffOptions::default()).unwrap();
    assert_eq!(came.scale, 1.0);
    let a = came.functions.iter().find(|f| f.name == "a").unwrap();
    assert_eq!((a.before_self, a.after_self), (0.0, 3.0));
}

/// A group of one sampled profile of `stacks` (frame names, weight).
fn sampled(stacks: &[(&[&str], f64)]) -> flamekit::ProfileGroup {
    let mut g = flamekit::GroupBuilder::new("test", &flamekit::IngestLimits::default());
    let frames: Vec<Vec<flamekit::FrameId>> =
        stacks.iter().map(|(s, _)| s.iter().map(|n| g.frame_named(n).unwrap()).collect()).collect();
    let mut p = g.sampled("cpu", flamekit::ValueUnit::None);
    for (f, (_, w)) in frames.iter().zip(stacks) {
        p.push_stack(f, *w).unwrap();
    }
    g.push_profile(p.finish()).unwrap();
    g.finish(0).unwrap().0
}

#[test]
fn children_come_heaviest_after_first_then_heaviest_before_then_first_seen() {
    let names = |d: &flamekit::ProfileDiff, node: u32| -> Vec<String> {
        d.children(node)
            .iter()
            .map(|&c| d.functions[d.nodes[c as usize].function.unwrap() as usize].name.clone())
            .collect()
    };
    let raw = DiffOptions { normalize: false, ..Default::default() };
    // After: m;c 5, m;d 8 (d heavier after); before: m;c 5, m;d 4.
    let before = sampled(&[(&["m", "c"], 5.0), (&["m", "d"], 4.0)]);
    let after = sampled(&[(&["m", "c"], 5.0), (&["m", "d"], 8.0)]);
    let d = diff(&before, &after, &raw).unwrap();
    let m = d.children(0)[0];
    assert_eq!(names(&d, 0), ["m"]);
    assert_eq!(names(&d, m), ["d", "c"]);
    // The other way round c is heavier after.
    let d = diff(&after, &before, &raw).unwrap();
    assert_eq!(names(&d, d.children(0)[0]), ["c", "d"]);
    // Equal after: the heavier before first (e, seen last, before c).
    let before = sampled(&[(&["m", "c"], 1.0), (&["m", "e"], 2.0)]);
    let after = sampled(&[(&["m", "c"], 3.0), (&["m", "e"], 3.0), (&["m", "n"], 3.0)]);
    let d = diff(&before, &after, &raw).unwrap();
    let m = d.children(0)[0];
    assert_eq!(names(&d, m), ["e", "c", "n"]);
    // Equal both ways: functions in first-seen order (before, then after).
    let before = sampled(&[(&["m", "y"], 1.0), (&["m", "x"], 1.0)]);
    let after = sampled(&[(&["m", "z"], 2.0), (&["m", "x"], 1.0), (&["m", "y"], 1.0)]);
    let d = diff(&before, &after, &raw).unwrap();
    assert_eq!(names(&d, d.children(0)[0]), ["z", "y", "x"]);
    // Every node but the root is the child of its parent, once; leaves and
    // nodes out of range have none.
    let mut seen = vec![0; d.nodes.len()];
    for (i, n) in d.nodes.iter().enumerate() {
        for &c in d.children(i as u32) {
            assert_eq!(d.nodes[c as usize].parent as usize, i);
            seen[c as usize] += 1;
        }
        assert_eq!(n.depth == 0, i == 0);
    }
    assert_eq!(seen[0], 0);
    assert!(seen[1..].iter().all(|&s| s == 1));
    assert!(d.children(d.nodes.len() as u32).is_empty());
    assert!(d.children(u32::MAX).is_empty());
}

#[test]
fn bad_profile_index_is_a_typed_error() {
    let g = flamekit::import(&corpus("speedscope/0.6.0/two-sampled.speedscope.json"), None).unwrap();
    let e = diff(&g, &g, &DiffOptions { after_profile: Some(5), ..Default::default() }).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
}

mod render {
    use std::fmt::Write as _;
    use std::path::PathBuf;

    use flamekit::{diff, diff_color, render_diff_png, DiffOptions, ProfileGroup, RenderOptions, Theme};
    use sha2::{Digest, Sha256};

    use crate::common::png::Image;
    use crate::common::svg::{chart_span, svg_texts};
    use crate::common::{corpus, data};

    const TITLE_H: usize = 24;
    const ROW_H: usize = 18;
    /// The value axis strip under the title (at device pixel ratio 1).
    const AXIS_H: usize = 18;
    const TOP: usize = TITLE_H + AXIS_H;

    fn doubled_simple() -> (ProfileGroup, ProfileGroup) {
        let text = String::from_utf8(corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).unwrap();
        let after = text.replace("\"weights\": [1, 1, 4, 3, 5]", "\"weights\": [1, 1, 8, 3, 5]");
        (flamekit::import(text.as_bytes(), None).unwrap(), flamekit::import(after.as_bytes(), None).unwrap())
    }

    /// perf-vertx, and the same stacks with every 7th line's count ×4.
    fn vertx_pair() -> (ProfileGroup, ProfileGroup) {
        let text = String::from_utf8(corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt")).unwrap();
        let after: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let (stack, n) = l.rsplit_once(' ').unwrap();
                let n: u64 = n.parse().unwrap();
                format!("{stack} {}\n", if (i + 1) % 7 == 0 { n * 4 } else { n })
            })
            .collect();
        (flamekit::import(text.as_bytes(), None).unwrap(), flamekit::import(after.as_bytes(), None).unwrap())
    }

    #[test]
    fn self_diff_renders_neutral() {
        let (g, _) = vertx_pair();
        let d = diff(&g, &g, &DiffOptions::default()).unwrap();
        for theme in [Theme::Light, Theme::Dark] {
            let png = render_diff_png(&d, &RenderOptions { theme, ..Default::default() }).unwrap();
            let img = Image::decode(&png);
            let mut boxes = 0;
            for y in TITLE_H..img.height {
                for x in 0..img.width {
                    let [r, _, b] = img.at(x, y);
                    assert!((b as i32 - r as i32).abs() <= 8, "pixel ({x},{y}) is tinted: {:?}", img.at(x, y));
                    boxes += (img.at(x, y) == diff_color(1.0, 1.0, theme)) as usize;
                }
            }
            assert!(boxes > 100_000, "the neutral boxes cover much of the image ({boxes} px)");
        }
    }

    #[test]
    fn grown_path_is_red_and_shrunk_path_is_blue() {
        // After: a;b (18) on rows 0 and 1; row 2 holds d (8/18 of the width)
        // then c (5/18). Before, scaled ×18/14: d 4·18/14, c 5·18/14.
        // Without axes the chart spans the whole width under the title.
        let (before, after) = doubled_simple();
        let d = diff(&before, &after, &DiffOptions::default()).unwrap();
        let img = Image::decode(&render_diff_png(&d, &RenderOptions { axes: false, ..Default::default() }).unwrap());
        let y = TITLE_H + 2 * ROW_H + 3;
        let d_px = img.at(100, y);
        let c_px = img.at(1200 * 8 / 18 + 100, y);
        assert_eq!(d_px, diff_color(4.0 * 18.0 / 14.0, 8.0, Theme::Light));
        assert_eq!(c_px, diff_color(5.0 * 18.0 / 14.0, 5.0, Theme::Light));
        assert!(d_px[0] > d_px[2] + 40, "grown path should be red: {d_px:?}");
        assert!(c_px[2] > c_px[0] + 20, "shrunk path should be blue: {c_px:?}");
        // d's box spans 8/18 of 1200 px = 533.3 px (within a pixel, minus the 1 px
        // gap); measured right of its label.
        let end = 100 + img.run(100, y, d_px);
        assert!((531..=534).contains(&end), "d box ends at {end} px");
    }

    /// The after profile of [`doubled_simple`], from the raw file: the
    /// weights with the third (4) doubled.
    fn doubled_simple_after_total() -> f64 {
        let v: serde_json::Value =
            serde_json::from_slice(&corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).unwrap();
        let w: Vec<f64> = v["profiles"][0]["weights"].as_array().unwrap().iter().map(|w| w.as_f64().unwrap()).collect();
        assert_eq!(w[2], 4.0);
        w.iter().sum::<f64>() + w[2]
    }

    #[test]
    fn diff_images_have_a_value_axis_over_the_after_weight() {
        let span = doubled_simple_after_total();
        let unit = {
            let v: serde_json::Value =
                serde_json::from_slice(&corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).unwrap();
            v["profiles"][0]["unit"].as_str().unwrap().to_string()
        };
        assert_eq!((span, unit.as_str()), (18.0, "seconds"));
        let (before, after) = doubled_simple();
        let d = diff(&before, &after, &DiffOptions::default()).unwrap();
        for theme in [Theme::Light, Theme::Dark] {
            let o = RenderOptions { theme, ..Default::default() };
            let svg = flamekit::render_diff_svg(&d, &o).unwrap();
            let img = Image::decode(&render_diff_png(&d, &o).unwrap());
            let (left, width) = chart_span(&svg, TOP - 1);
            assert!(left > 0.0 && left < 60.0, "a depth gutter left of the chart: {left}");
            let labels: Vec<(f64, String)> = svg_texts(&svg)
                .into_iter()
                .filter(|(_, y, _)| *y > TITLE_H as f64 && *y < TOP as f64)
                .map(|(x, _, t)| (x, t))
                .collect();
            assert!(labels.len() >= 5, "{theme:?}: {labels:?}");
            let values: Vec<f64> = labels.iter().map(|(_, t)| t.strip_suffix('s').unwrap().parse().unwrap()).collect();
            assert_eq!(values[0], 0.0, "the merged weight from 0");
            assert!(*values.last().unwrap() <= span);
            let tick = flamekit::tick_color(theme);
            let background = flamekit::background_color(theme);
            for ((x, label), v) in labels.iter().zip(&values) {
                let want = left + v / span * width;
                // The tick line in the PNG, within 2 px, in the axis strip.
                let y = TITLE_H + AXIS_H / 2;
                let at = (want.round() as i64 - 2..=want.round() as i64 + 2)
                    .find(|&c| c >= 0 && img.at(c as usize, y) == tick)
                    .unwrap_or_else(|| panic!("{theme:?}: no tick for {label} near x = {want:.1}"));
                // The label's ink in the PNG just right of the tick, and the SVG text there.
                let ink = (at as usize + 2..at as usize + 12)
                    .flat_map(|x| (TITLE_H + 2..TOP - 2).map(move |y| (x, y)))
                    .filter(|&(x, y)| img.at(x, y) != background && img.at(x, y) != tick)
                    .count();
                assert!(ink > 5, "{theme:?}: no label ink right of the {label} tick at {at}");
                assert!(*x >= want - 2.0 && *x <= want + 8.0, "{label} at {x}, tick at {want:.1}");
            }
        }
    }

    #[test]
    fn diff_start_depth_moves_row_k_to_the_top() {
        let (vb, va) = vertx_pair();
        let d = diff(&vb, &va, &DiffOptions::default()).unwrap();
        let k = 12;
        let full = Image::decode(&render_diff_png(&d, &RenderOptions::default()).unwrap());
        let o = RenderOptions { start_depth: k, ..Default::default() };
        let deep = Image::decode(&render_diff_png(&d, &o).unwrap());
        let svg = flamekit::render_diff_svg(&d, &o).unwrap();
        assert!(svg.contains("from depth 12"), "the title says so");
        // Depth labels in the gutter: the first row is depth 12, so 15 is
        // labelled on the fourth row (and 5 on the sixth row of the full image).
        let texts = svg_texts(&svg);
        let row_of = |y: f64| ((y - TOP as f64) / ROW_H as f64).floor() as i64;
        assert!(texts.iter().any(|(x, y, t)| t == "15" && *x < 40.0 && row_of(*y) == 3), "{texts:?}");
        let full_svg = flamekit::render_diff_svg(&d, &RenderOptions::default()).unwrap();
        assert!(svg_texts(&full_svg).iter().any(|(x, y, t)| t == "5" && *x < 40.0 && row_of(*y) == 5));
        for j in 0..10 {
            for r in 0..ROW_H - 1 {
                let a: Vec<[u8; 3]> = (60..1200).map(|x| full.at(x, TOP + (k + j) * ROW_H + r)).collect();
                let b: Vec<[u8; 3]> = (60..1200).map(|x| deep.at(x, TOP + j * ROW_H + r)).collect();
                assert!(a == b, "row {} of the full diff image is not row {j} from depth {k}", k + j);
            }
        }
    }

    #[test]
    fn diff_golden_png_hashes() {
        let (sb, sa) = doubled_simple();
        let (vb, va) = vertx_pair();
        let cases = [("simple-doubled", &sb, &sa), ("vertx-self", &vb, &vb), ("vertx-x4-every-7th", &vb, &va)];
        let mut actual = String::new();
        let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/diff-golden");
        std::fs::create_dir_all(&out_dir).unwrap();
        for (name, before, after) in cases {
            let d = diff(before, after, &DiffOptions::default()).unwrap();
            for (tn, theme) in [("light", Theme::Light), ("dark", Theme::Dark)] {
                let png = render_diff_png(&d, &RenderOptions { theme, ..Default::default() }).unwrap();
                assert_eq!(png, render_diff_png(&d, &RenderOptions { theme, ..Default::default() }).unwrap());
                std::fs::write(out_dir.join(format!("{name}-{tn}.png")), &png).unwrap();
                let _ = writeln!(actual, "{name}-{tn} {:x}", Sha256::digest(&png));
            }
        }
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/render/diff-golden.txt");
        if crate::common::bless() {
            std::fs::write(&path, &actual).unwrap();
            return;
        }
        let expected = String::from_utf8(data("render/diff-golden.txt")).unwrap();
        assert_eq!(
            actual, expected,
            "diff images changed: look at target/tmp/diff-golden/*.png, then run with FLAMEKIT_BLESS=1 to accept"
        );
    }
}
