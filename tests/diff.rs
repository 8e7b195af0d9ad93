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
    use crate::common::{corpus, data};

    const TITLE_H: usize = 24;
    const ROW_H: usize = 18;

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
        let (before, after) = doubled_simple();
        let d = diff(&before, &after, &DiffOptions::default()).unwrap();
        let img = Image::decode(&render_diff_png(&d, &RenderOptions::default()).unwrap());
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
        if std::env::var("FLAMEKIT_BLESS").is_ok_and(|v| v == "1") {
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
