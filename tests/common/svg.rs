//! Reading the SVGs flamekit writes (one element per line): rectangles with
//! their tooltips and text runs with their positions.

/// A `<rect>` of a rendered SVG, with its tooltip when it has one.
#[derive(Debug, Clone)]
pub(crate) struct SvgRect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) title: Option<String>,
}

/// The value of attribute `name` in an element's text.
pub(crate) fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..].split('"').next()?.to_string())
}

/// Every `<rect>` of an SVG written by flamekit.
pub(crate) fn svg_rects(svg: &str) -> Vec<SvgRect> {
    svg.lines()
        .filter(|l| l.starts_with("<rect "))
        .map(|l| {
            let num = |n: &str| attr(l, n).unwrap().parse::<f64>().unwrap();
            let title = l.split_once("<title>").map(|(_, t)| t.split("</title>").next().unwrap().to_string());
            SvgRect { x: num("x"), y: num("y"), w: num("width"), h: num("height"), title }
        })
        .collect()
}

/// `(x, y, text)` of every `<text>` of an SVG written by flamekit.
pub(crate) fn svg_texts(svg: &str) -> Vec<(f64, f64, String)> {
    svg.lines()
        .filter(|l| l.starts_with("<text "))
        .map(|l| {
            let text = l.split_once('>').unwrap().1.trim_end_matches("</text>").to_string();
            (attr(l, "x").unwrap().parse().unwrap(), attr(l, "y").unwrap().parse().unwrap(), text)
        })
        .collect()
}

/// The chart's left edge and width: the axis strip's bottom rule, a
/// one-pixel untitled rectangle whose top is `rule_y`.
pub(crate) fn chart_span(svg: &str, rule_y: usize) -> (f64, f64) {
    let rule = svg_rects(svg)
        .into_iter()
        .find(|r| r.y == rule_y as f64 && r.h == 1.0 && r.title.is_none())
        .expect("the axis rule");
    (rule.x, rule.w)
}
