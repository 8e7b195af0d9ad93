//! The SVG writer: the same display list as the PNG, rectangles as
//! `<rect>` (with a `<title>` tooltip per frame box) and labels as `<text>`.
//! No scripts, no external resources.

use std::fmt::Write;

use flamekit_core::ProfileGroup;

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
    for item in &scene.items {
        match item {
            Item::Rect { x, y, w, h, color, tip } => {
                let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"", color.hex());
                match tip {
                    Some(t) => {
                        s.push_str("><title>");
                        let name = group.frames().get(t.frame as usize).map_or("", |f| f.name.as_str());
                        escape(&mut s, name);
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
}
