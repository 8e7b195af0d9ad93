//! The SVG writer: the same display list as the PNG, rectangles as
//! `<rect>` (with a `<title>` tooltip per frame box, the boxes of one frame
//! grouped in a `<g>` whose `<title>` has the frame's full name) and labels
//! as `<text>`.
//! No scripts, no external resources.

use std::collections::HashMap;
use std::fmt::Write;

use flamekit_core::{FrameId, ProfileGroup};

use crate::format;
use crate::scene::{Item, Scene};
use crate::text::SVG_FONT_FAMILY;

/// Append `s` with XML's special characters escaped and characters XML 1.0
/// cannot hold replaced by `?`.
fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
}

/// Longest frame name, in characters, repeated in a box's tooltip; longer
/// names are trimmed there in the middle (`head…tail`). The full name is
/// written once per frame, in the `<title>` of the `<g>` that holds all of
/// that frame's boxes, so the document stays about the size of its names
/// plus a bounded amount per box.
pub(crate) const MAX_TOOLTIP_NAME: usize = 200;

/// `name` as it appears in each box's tooltip.
fn tooltip_name(name: &str) -> std::borrow::Cow<'_, str> {
    match name.char_indices().nth(MAX_TOOLTIP_NAME) {
        None => std::borrow::Cow::Borrowed(name),
        Some(_) => {
            let head: String = name.chars().take(MAX_TOOLTIP_NAME / 2).collect();
            let mut tail: Vec<char> = name.chars().rev().take(MAX_TOOLTIP_NAME / 2 - 1).collect();
            tail.reverse();
            std::borrow::Cow::Owned(format!("{head}…{}", tail.into_iter().collect::<String>()))
        }
    }
}

fn rect(s: &mut String, scene: &Scene, group: &ProfileGroup, item: &Item) {
    let Item::Rect { x, y, w, h, color, tip } = item else { return };
    let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"", color.hex());
    match tip {
        Some(t) => {
            s.push_str("><title>");
            let name = group.frames().get(t.frame as usize).map_or("", |f| f.name.as_str());
            escape(s, &tooltip_name(name));
            let _ = write!(s, " — {}", format::value(t.weight, scene.unit));
            let pct = format::percent(t.weight, scene.tip_total);
            if !pct.is_empty() {
                let _ = write!(s, " ({pct})");
            }
            s.push_str("</title></rect>\n");
        }
        None => s.push_str("/>\n"),
    }
}

pub(crate) fn to_svg(scene: &Scene, group: &ProfileGroup) -> String {
    let mut s = String::with_capacity(256 + scene.items.len() * 96);
    let bg = scene.background.hex();
    // Writing into a String cannot fail.
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" \
         font-family=\"{}\" font-size=\"{}\">\n\
         <rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"{bg}\"/>\n",
        scene.css_width,
        scene.css_height,
        scene.width,
        scene.height,
        SVG_FONT_FAMILY,
        scene.metrics.px,
        scene.width,
        scene.height,
    );
    // The boxes of each frame, in display order. Frame boxes never overlap
    // one another, so drawing all of a frame's boxes where its first one is
    // keeps the picture (what lies under a box was drawn before any box).
    let mut boxes: HashMap<FrameId, Vec<usize>> = HashMap::new();
    for (i, item) in scene.items.iter().enumerate() {
        if let Item::Rect { tip: Some(t), .. } = item {
            boxes.entry(t.frame).or_default().push(i);
        }
    }
    for (i, item) in scene.items.iter().enumerate() {
        match item {
            Item::Rect { tip: Some(t), .. } => {
                let Some(mine) = boxes.remove(&t.frame) else { continue };
                s.push_str("<g><title>");
                escape(&mut s, group.frames().get(t.frame as usize).map_or("", |f| f.name.as_str()));
                s.push_str("</title>\n");
                for j in mine {
                    rect(&mut s, scene, group, &scene.items[j]);
                }
                s.push_str("</g>\n");
                debug_assert!(i <= scene.items.len());
            }
            Item::Rect { .. } => rect(&mut s, scene, group, item),
            Item::Text { x, baseline, text, cells, color, .. } => {
                let len = scene.metrics.width(*cells);
                let _ = write!(
                    s,
                    "<text x=\"{x}\" y=\"{baseline}\" fill=\"{}\" textLength=\"{len}\" \
                     lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\">",
                    color.hex()
                );
                escape(&mut s, text);
                s.push_str("</text>\n");
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use flamekit_core::{GroupBuilder, IngestLimits, ValueUnit};

    use crate::{render_svg, RenderOptions, View};

    #[test]
    fn well_formed_escaped_and_script_free() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let names = ["main", "a<b>&\"c\"'", "ctl\u{1}\u{7f}x", "std::vector<int>::push_back"];
        let ids: Vec<_> = names.iter().map(|n| g.frame_named(n).unwrap()).collect();
        let mut p = g.sampled("p & <q>", ValueUnit::Bytes);
        p.push_stack(&[ids[0], ids[1]], 3.0).unwrap();
        p.push_stack(&[ids[0], ids[2], ids[3]], 2.0).unwrap();
        g.push_profile(p.finish()).unwrap();
        let group = g.finish(0).unwrap().0;
        for view in [View::TimeOrder, View::LeftHeavy, View::Sandwich { frame: "main".into() }] {
            let svg =
                render_svg(&group, &RenderOptions { view, device_pixel_ratio: 2.0, ..Default::default() }).unwrap();
            let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg");
            assert_eq!((root.attribute("width"), root.attribute("viewBox")), (Some("1200"), Some("0 0 2400 1600")));
            assert!(doc.descendants().all(|n| n.tag_name().name() != "script"));
            // No event handlers, no links to anything outside.
            assert!(doc.descendants().all(|n| n.attributes().all(|a| !a.name().starts_with("on"))));
            assert!(!svg.contains("href"));
            let texts: Vec<String> = doc
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .filter_map(|n| n.text())
                .map(String::from)
                .collect();
            assert!(texts.iter().any(|t| t == "a<b>&\"c\"'"), "{texts:?}");
            assert!(texts.iter().any(|t| t.starts_with("p & <q>")), "title: {texts:?}");
            let titles: Vec<String> = doc
                .descendants()
                .filter(|n| n.has_tag_name("title"))
                .filter_map(|n| n.text())
                .map(String::from)
                .collect();
            assert!(titles.iter().any(|t| t == "ctl??x — 2 B (40.0%)"), "{titles:?}");
        }
    }

    #[test]
    fn long_names_are_written_once() {
        // A 1 MB frame name in 1,000 samples alternating with a short one.
        let long = "x".repeat(1 << 20);
        // Importers cut names at `max_name_bytes`; the renderer must cope with any length.
        let limits = IngestLimits { max_name_bytes: u64::MAX, ..IngestLimits::default() };
        let mut g = GroupBuilder::new("test", &limits);
        let (main, big, small) =
            (g.frame_named("main").unwrap(), g.frame_named(&long).unwrap(), g.frame_named("small").unwrap());
        let mut p = g.sampled("p", ValueUnit::Milliseconds);
        for i in 0..1000 {
            p.push_stack(&[main, if i % 2 == 0 { big } else { small }], 1.0).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        let group = g.finish(0).unwrap().0;
        for (view, width) in [(View::TimeOrder, 16_000), (View::TimeOrder, 1200), (View::LeftHeavy, 1200)] {
            let o = RenderOptions { view: view.clone(), width, ..Default::default() };
            let svg = render_svg(&group, &o).unwrap();
            assert!(svg.len() < (1 << 20) + 400_000, "{view:?} at {width}: {} bytes", svg.len());
            assert_eq!(svg.matches(long.as_str()).count(), 1, "{view:?}: the full name once");
            roxmltree::Document::parse_with_options(
                &svg,
                roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX },
            )
            .expect("well-formed");
        }
    }
}
