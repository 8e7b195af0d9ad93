//! SVG flamegraph validation: is this SVG safe to store and serve back? The
//! rules are documented once, on [`validate_svg`].

use roxmltree::{Document, Node, NodeType, ParsingOptions};
use serde::{Deserialize, Serialize};

use crate::upload::{printable, DenyCode, Verdict};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// HTML elements act outside the drawing wherever they are (a `<meta>`
/// refresh navigates, a `<form>` submits): none is a flamegraph's.
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Rules for [`validate_svg`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SvgPolicy {
    /// Largest accepted SVG in bytes. Default: 10 MiB.
    pub max_bytes: u64,
    /// Most XML nodes (elements, text, comments, ...). Default: 1,000,000.
    pub max_nodes: u32,
}

impl Default for SvgPolicy {
    fn default() -> Self {
        SvgPolicy { max_bytes: 10 << 20, max_nodes: 1_000_000 }
    }
}

/// Elements that run or embed content (compared in lower case).
const FORBIDDEN_ELEMENTS: &[&str] =
    &["iframe", "embed", "object", "handler", "listener", "frame", "frameset", "applet"];
/// Animation elements: refused when they target `href` or an `on*` attribute.
const ANIMATIONS: &[&str] = &["set", "animate", "animatetransform", "animatemotion", "animatecolor"];

/// Validate an SVG flamegraph (see the the rules below).
///
/// ```
/// use flamekit_policy::{validate_svg, SvgPolicy};
/// let ok = br#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="5"/></svg>"#;
/// assert!(validate_svg(ok, &SvgPolicy::default()).is_allowed());
/// let bad = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
/// assert_eq!(validate_svg(bad, &SvgPolicy::default()).code().unwrap().as_str(), "svg_script");
/// ```
///
/// A flamegraph SVG is static drawing: rectangles, text, titles, maybe CSS
/// and gradients. [`validate_svg`] accepts exactly that and refuses anything
/// that can run code, load something from elsewhere, or make the parser do
/// unbounded work:
///
/// - larger than [`SvgPolicy::max_bytes`] (10 MiB by default), checked before parsing;
/// - not UTF-8, not well-formed XML, or more than [`SvgPolicy::max_nodes`] nodes;
/// - any DTD (`<!DOCTYPE ...>`): entities never expand, so "billion laughs"
///   inputs are refused up front (the parser, `roxmltree`, refuses DTDs);
/// - a root element other than `<svg>` (in the SVG namespace or none);
/// - `<script>`, `<foreignObject>`, and elements that embed or run content
///   (`iframe`, `embed`, `object`, `handler`, `listener`), in any namespace
///   and any letter case; any element in the XHTML namespace (a `<meta>`
///   refresh navigates, a `<form>` submits); any element inside a
///   `<style>` (CSS is text);
/// - animation elements (`set`, `animate`, ...) that target a link or an
///   event-handler attribute;
/// - event-handler attributes: any attribute whose name starts with `on`;
/// - external references: `href`/`xlink:href` (or `src`) not starting with
///   `#`, `url(...)` in any attribute or `<style>` whose target is not a
///   `#fragment`, CSS `@import`, CSS escapes (`\`) in style text (they can
///   spell `url` in disguise), and `<?xml-stylesheet?>` instructions;
/// - CSS functions that can fetch without `url(...)` (any letter case, any
///   vendor prefix), in `<style>`, `style=` and every other attribute:
///   `image-set()`, `image()`, `cross-fade()`, `src()` and `attr()`.
///
/// Every refusal names the offending element or attribute and its line.
pub fn validate_svg(bytes: &[u8], policy: &SvgPolicy) -> Verdict {
    let len = bytes.len() as u64;
    if len > policy.max_bytes {
        return Verdict::deny(
            DenyCode::SvgTooLarge,
            format!("the SVG has {len} bytes; at most {} are accepted", policy.max_bytes),
            Some(policy.max_bytes),
            Some(len),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return Verdict::deny(DenyCode::SvgMalformed, format!("the SVG is not UTF-8: {e}"), None, None);
        }
    };
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: policy.max_nodes, ..ParsingOptions::default() };
    let doc = match Document::parse_with_options(text, opts) {
        Ok(d) => d,
        Err(roxmltree::Error::DtdDetected) => {
            return Verdict::deny(
                DenyCode::SvgDtd,
                "the SVG has a DTD (<!DOCTYPE ...>); DTDs and entities are not accepted",
                None,
                None,
            );
        }
        Err(roxmltree::Error::NodesLimitReached) => {
            return Verdict::deny(
                DenyCode::SvgTooManyNodes,
                format!("the SVG has more than {} XML nodes", policy.max_nodes),
                Some(policy.max_nodes as u64),
                None,
            );
        }
        Err(e) => {
            return Verdict::deny(DenyCode::SvgMalformed, format!("the SVG is not well-formed XML: {e}"), None, None)
        }
    };
    let root = doc.root_element();
    let ns = root.tag_name().namespace();
    if root.tag_name().name() != "svg" || !(ns.is_none() || ns == Some(SVG_NS)) {
        let reason = if root.tag_name().name() == "svg" {
            format!(
                "the root element <svg> is in namespace `{}`, not the SVG namespace",
                printable(ns.unwrap_or_default())
            )
        } else {
            format!("the root element is <{}>, not <svg>", printable(root.tag_name().name()))
        };
        return Verdict::deny(DenyCode::SvgNotSvg, reason, None, None);
    }
    for node in doc.descendants() {
        let v = match node.node_type() {
            NodeType::PI => check_pi(&doc, node),
            NodeType::Element => check_element(&doc, node),
            _ => None,
        };
        if let Some(v) = v {
            return v;
        }
    }
    Verdict::Allow
}

fn line_of(doc: &Document, node: Node) -> u32 {
    doc.text_pos_at(node.range().start).row
}

fn check_pi(doc: &Document, node: Node) -> Option<Verdict> {
    let pi = node.pi()?;
    pi.target.eq_ignore_ascii_case("xml-stylesheet").then(|| {
        Verdict::deny(
            DenyCode::SvgExternalReference,
            format!(
                "processing instruction <?xml-stylesheet?> at line {} loads an external stylesheet",
                line_of(doc, node)
            ),
            None,
            None,
        )
    })
}

fn check_element(doc: &Document, node: Node) -> Option<Verdict> {
    let name = node.tag_name().name();
    // Messages (and the line lookup, which scans the text) are built only on refusal.
    let element = || format!("element <{}> at line {}", printable(name), line_of(doc, node));
    let deny = |code, reason: String| Some(Verdict::deny(code, reason, None, None));
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    if is("script") {
        return deny(DenyCode::SvgScript, format!("{} is not allowed", element()));
    }
    if is("foreignObject") {
        return deny(DenyCode::SvgForeignObject, format!("{} is not allowed", element()));
    }
    if FORBIDDEN_ELEMENTS.iter().any(|f| is(f)) {
        return deny(DenyCode::SvgForbiddenElement, format!("{} is not allowed", element()));
    }
    if node.tag_name().namespace() == Some(XHTML_NS) {
        return deny(DenyCode::SvgForbiddenElement, format!("HTML {} is not allowed", element()));
    }
    if ANIMATIONS.iter().any(|f| is(f)) {
        let target = node.attributes().find(|a| a.name().eq_ignore_ascii_case("attributeName")).map(|a| a.value());
        if let Some(t) = target {
            let t = t.trim().to_ascii_lowercase();
            let local = t.rsplit(':').next().unwrap_or_default();
            if local == "href" || local == "src" || local.starts_with("on") {
                return deny(
                    DenyCode::SvgForbiddenElement,
                    format!("{} animates attribute `{}`", element(), printable(&t)),
                );
            }
        }
    }
    if is("style") {
        // CSS is text: markup inside a style sheet is refused, which also
        // keeps each sheet's text read once (nested sheets read the inner
        // ones' text again, for each sheet around them).
        if let Some(inner) = node.children().find(|c| c.is_element()) {
            return deny(
                DenyCode::SvgForbiddenElement,
                format!(
                    "element <{}> at line {} inside <style> is not allowed",
                    printable(inner.tag_name().name()),
                    line_of(doc, inner)
                ),
            );
        }
        // The sheet is its text children (CDATA included), as a browser
        // reads it: not the comments between them (`ur<!-- -->l(…)` is
        // `url(…)`).
        let css: String = node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        if let Some(why) = css_problem(&css) {
            return deny(DenyCode::SvgExternalReference, format!("{} {why}", element()));
        }
    }
    for a in node.attributes() {
        let aname = a.name();
        let what = || {
            let qualified = match a.namespace() {
                Some("http://www.w3.org/1999/xlink") => format!("xlink:{aname}"),
                _ => aname.to_owned(),
            };
            format!("attribute `{}` of <{}> at line {}", printable(&qualified), printable(name), line_of(doc, node))
        };
        let starts_on = aname.len() >= 2 && aname.as_bytes()[..2].eq_ignore_ascii_case(b"on");
        if starts_on {
            return deny(DenyCode::SvgEventHandler, format!("event-handler {} is not allowed", what()));
        }
        let value = a.value();
        let link = aname.eq_ignore_ascii_case("href") || aname.eq_ignore_ascii_case("src");
        if link && !value.trim_start().starts_with('#') {
            return deny(
                DenyCode::SvgExternalReference,
                format!("{} points outside the document (`{}`)", what(), printable(value)),
            );
        }
        let problem = if aname.eq_ignore_ascii_case("style") { css_problem(value) } else { url_problem(value) };
        if let Some(why) = problem {
            return deny(DenyCode::SvgExternalReference, format!("{} {why}", what()));
        }
    }
    None
}

/// The index of the first `)` in `bytes` from `from` on, or its length.
fn next_close(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b')').map_or(bytes.len(), |i| from + i)
}

/// Problems of CSS text: escapes, `@import`, fetching functions.
fn css_problem(css: &str) -> Option<String> {
    if css.contains('\\') {
        return Some("uses CSS escapes, which are not accepted".to_owned());
    }
    if css.to_ascii_lowercase().contains("@import") {
        return Some("imports an external stylesheet (@import)".to_owned());
    }
    url_problem(css)
}

/// CSS functions that can fetch a resource from a string or an attribute
/// (compared in lower case, after any vendor prefix): `image-set("a.png" 1x)`,
/// `image("a.png")`, `cross-fade("a.png", ...)`, `src("a.png")`, and `attr()`,
/// which can turn an attribute's text into a URL. `url()` is checked on its
/// own: it may point at a `#fragment` of the document.
const FETCHING_FUNCTIONS: &[&str] = &["image-set", "image", "cross-fade", "src", "attr"];

/// A CSS function call in `value` that can fetch: a [`FETCHING_FUNCTIONS`]
/// call, or a `url(...)` whose target is not a `#fragment`. Used on style
/// text and on every attribute (presentation attributes such as `fill`,
/// `mask` or `cursor` take the same values).
fn url_problem(value: &str) -> Option<String> {
    if !value.contains('(') {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80;
    let bytes = lower.as_bytes();
    // The first `)` after the last `(` looked at (or the end): calls are
    // looked at left to right, so it only moves forward, and the text is
    // read once however many `(` it holds.
    let mut close = 0;
    for (open, _) in lower.match_indices('(') {
        // A function token is an identifier directly followed by `(`.
        let start = bytes[..open].iter().rposition(|&b| !ident(b)).map_or(0, |i| i + 1);
        let name = &lower[start..open];
        let unprefixed = ["-webkit-", "-moz-", "-o-", "-ms-"].iter().find_map(|p| name.strip_prefix(p)).unwrap_or(name);
        if unprefixed != "url" && !FETCHING_FUNCTIONS.contains(&unprefixed) {
            continue;
        }
        if close <= open {
            close = next_close(bytes, open + 1);
        }
        let inner = lower[open + 1..close].trim();
        if unprefixed == "url" {
            let target = inner.trim_matches(|c| c == '"' || c == '\'').trim();
            if !target.starts_with('#') {
                return Some(format!("references `url({})` outside the document", printable(inner)));
            }
        } else {
            // One of `FETCHING_FUNCTIONS` (the others were passed over).
            return Some(format!(
                "uses `{}(...)`, a CSS function that can fetch (`{}({})`)",
                name,
                name,
                printable(inner)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `url_problem` as it was written before it read the text once: the
    /// same verdicts, on strings of the characters that matter.
    fn url_problem_plain(value: &str) -> Option<String> {
        if !value.contains('(') {
            return None;
        }
        let lower = value.to_ascii_lowercase();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80;
        let bytes = lower.as_bytes();
        for (open, _) in lower.match_indices('(') {
            let start = bytes[..open].iter().rposition(|&b| !ident(b)).map_or(0, |i| i + 1);
            let name = &lower[start..open];
            let unprefixed =
                ["-webkit-", "-moz-", "-o-", "-ms-"].iter().find_map(|p| name.strip_prefix(p)).unwrap_or(name);
            let after = &lower[open + 1..];
            let inner = after.split(')').next().unwrap_or(after).trim();
            if unprefixed == "url" {
                let target = inner.trim_matches(|c| c == '"' || c == '\'').trim();
                if !target.starts_with('#') {
                    return Some(format!("references `url({})` outside the document", printable(inner)));
                }
            } else if FETCHING_FUNCTIONS.contains(&unprefixed) {
                return Some(format!(
                    "uses `{}(...)`, a CSS function that can fetch (`{}({})`)",
                    name,
                    name,
                    printable(inner)
                ));
            }
        }
        None
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn url_problem_reads_the_text_once_with_the_same_verdicts(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["url(", "URL(", "(", ")", "#a", " ", "x", "'", "-moz-image(", "attr(", "src", "\u{e9}"]),
                0..24,
            )
        ) {
            let value: String = parts.concat();
            proptest::prop_assert_eq!(url_problem(&value), url_problem_plain(&value), "{:?}", value);
        }
    }

    /// An element inside a `<style>` is refused at the first sheet: CSS is
    /// text, and nested sheets (20,000 of them in 300 KB took 8 s) read the
    /// inner sheets' text again for each sheet around them.
    #[test]
    fn elements_inside_a_style_sheet_are_refused() {
        let nested = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg">{}{}</svg>"#,
            "<style>".repeat(20_000),
            "</style>".repeat(20_000)
        );
        assert_eq!(code(&nested), Some("svg_forbidden_element"));
        assert!(reason(&nested).contains("element <style> at line 1 inside <style>"), "{}", reason(&nested));
        let g = r#"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: red }<g/></style></svg>"#;
        assert_eq!(code(g), Some("svg_forbidden_element"));
        // Text, CDATA and comments are what a sheet holds.
        let ok = "<svg xmlns=\"http://www.w3.org/2000/svg\"><style><![CDATA[rect { fill: red }]]><!-- c -->\n.a { fill: url(#g) }</style></svg>";
        assert_eq!(code(ok), None);
        // A comment splitting `url(` is not part of the sheet: the text
        // around it is read as one (a browser fetches it; allowed before).
        let split =
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>.a { fill: ur<!-- -->l(http://x/) }</style></svg>"#;
        assert_eq!(code(split), Some("svg_external_reference"));
    }

    fn code(svg: &str) -> Option<&'static str> {
        validate_svg(svg.as_bytes(), &SvgPolicy::default()).code().map(|c| c.as_str())
    }

    fn reason(svg: &str) -> String {
        match validate_svg(svg.as_bytes(), &SvgPolicy::default()) {
            Verdict::Deny { reason, .. } => reason,
            Verdict::Allow => panic!("allowed: {svg}"),
        }
    }

    const HEAD: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="20">"#;

    #[test]
    fn accepts_static_flamegraph() {
        let svg = format!(
            r##"<?xml version="1.0" encoding="UTF-8"?>
{HEAD}
<defs><linearGradient id="bg"><stop offset="0" stop-color="#eee"/></linearGradient></defs>
<style>text {{ font: 12px monospace; }} .f:hover {{ stroke: black; }} g:nth-child(2n) {{ fill: hsl(10, 50%, 50%); width: calc(1px + 2%); mask: url( '#bg' ) }} .background-image {{ fill: var(--c, rgb(1, 2, 3)) }}</style>
<rect width="100%" height="100%" fill="url(#bg)"/>
<g class="f"><title>main (100 samples, 100%)</title><rect x="0" y="0" width="100" height="16" fill="rgb(230,120,50)"/><text x="2" y="12">main</text></g>
<use xlink:href="#bg"/><a href="#top"><text>top</text></a>
<!-- comment --></svg>"##
        );
        assert_eq!(code(&svg), None);
    }

    #[test]
    fn refusals_name_the_offender() {
        let cases = [
            (format!("{HEAD}<script>alert(1)</script></svg>"), "svg_script", "<script>"),
            (format!("{HEAD}<SCRIPT>alert(1)</SCRIPT></svg>"), "svg_script", "<SCRIPT>"),
            (
                format!(r#"{HEAD}<h:script xmlns:h="http://www.w3.org/1999/xhtml">x</h:script></svg>"#),
                "svg_script",
                "<script>",
            ),
            (format!("{HEAD}<foreignObject><div/></foreignObject></svg>"), "svg_foreign_object", "<foreignObject>"),
            (
                format!(
                    r#"{HEAD}<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://evil/"/></svg>"#
                ),
                "svg_forbidden_element",
                "HTML element <meta>",
            ),
            (
                format!(r#"{HEAD}<h:form xmlns:h="http://www.w3.org/1999/xhtml" action="https://evil/"/></svg>"#),
                "svg_forbidden_element",
                "HTML element <form>",
            ),
            (format!(r#"{HEAD}<g onclick="x()"/></svg>"#), "svg_event_handler", "`onclick` of <g>"),
            (r#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#.to_owned(), "svg_event_handler", "`onload`"),
            (
                format!(r#"{HEAD}<image href="http://evil/x.png"/></svg>"#),
                "svg_external_reference",
                "`href` of <image>",
            ),
            (format!(r#"{HEAD}<use xlink:href="other.svg#a"/></svg>"#), "svg_external_reference", "`xlink:href`"),
            (format!(r#"{HEAD}<a href="javascript:alert(1)"/></svg>"#), "svg_external_reference", "javascript"),
            (format!(r#"{HEAD}<rect fill="url(http://evil/p)"/></svg>"#), "svg_external_reference", "`fill` of <rect>"),
            (format!(r#"{HEAD}<rect style="fill: URL( 'x.svg#p' )"/></svg>"#), "svg_external_reference", "`style`"),
            // CSS functions that fetch without `url(`, in <style> and in style=.
            (
                format!(
                    r#"{HEAD}<style>rect {{ background-image: image-set("https://evil/x.png" 1x) }}</style></svg>"#
                ),
                "svg_external_reference",
                "image-set(...)",
            ),
            (
                format!(r#"{HEAD}<rect style="mask: -webkit-IMAGE-SET('https://evil/x.png' 1x)"/></svg>"#),
                "svg_external_reference",
                "`style` of <rect>",
            ),
            (
                format!(r#"{HEAD}<rect style="background: image-set(url(#a) 1x, 'https://evil/x.png' 2x)"/></svg>"#),
                "svg_external_reference",
                "image-set",
            ),
            (
                format!(r#"{HEAD}<rect mask="image('https://evil/m.png')"/></svg>"#),
                "svg_external_reference",
                "image(...)",
            ),
            (
                format!("{HEAD}<style>g {{ background: cross-fade('a.png', 'b.png', 50%) }}</style></svg>"),
                "svg_external_reference",
                "cross-fade",
            ),
            (
                format!(r#"{HEAD}<style>g {{ background: src("https://evil") }}</style></svg>"#),
                "svg_external_reference",
                "src(...)",
            ),
            (
                format!(r#"{HEAD}<style>g {{ background: attr(data-u url) }}</style></svg>"#),
                "svg_external_reference",
                "attr(...)",
            ),
            (
                format!(r#"{HEAD}<rect cursor="url(https://evil/c.cur), auto"/></svg>"#),
                "svg_external_reference",
                "`cursor`",
            ),
            (format!("{HEAD}<style>@import 'http://evil/x.css';</style></svg>"), "svg_external_reference", "<style>"),
            (format!("{HEAD}<style>rect {{ fill: \\75rl(x) }}</style></svg>"), "svg_external_reference", "escapes"),
            (
                format!("{HEAD}<style><![CDATA[ rect {{ background: url(//evil) }} ]]></style></svg>"),
                "svg_external_reference",
                "url(//evil)",
            ),
            (
                format!(r#"<?xml-stylesheet href="http://evil/x.css"?>{HEAD}</svg>"#),
                "svg_external_reference",
                "xml-stylesheet",
            ),
            (format!(r#"{HEAD}<iframe src="x"/></svg>"#), "svg_forbidden_element", "<iframe>"),
            (
                format!(r#"{HEAD}<a><set attributeName="href" to="javascript:x()"/></a></svg>"#),
                "svg_forbidden_element",
                "`href`",
            ),
            ("<html><svg/></html>".to_owned(), "svg_not_svg", "<html>"),
            (r#"<svg xmlns="http://example.com/other"/>"#.to_owned(), "svg_not_svg", "example.com/other"),
            (format!("{HEAD}<g></svg>"), "svg_malformed", "not well-formed"),
            ("".to_owned(), "svg_malformed", "not well-formed"),
        ];
        for (svg, want, needle) in &cases {
            assert_eq!(code(svg), Some(*want), "{svg}");
            let r = reason(svg);
            assert!(r.contains(needle), "{svg}: {r}");
        }
        assert!(reason(&format!("{HEAD}\n\n<script/></svg>")).contains("line 3"));
    }

    #[test]
    fn billion_laughs_is_refused_without_expansion() {
        let mut svg = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
            svg.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
        }
        svg.push_str("]>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&lol9;</text></svg>");
        assert_eq!(code(&svg), Some("svg_dtd"));
    }

    #[test]
    fn size_and_node_limits() {
        let policy = SvgPolicy { max_bytes: 100, max_nodes: 10 };
        let big = format!("{HEAD}{}</svg>", " ".repeat(100));
        match validate_svg(big.as_bytes(), &policy) {
            Verdict::Deny { code, limit, actual, .. } => {
                assert_eq!(code, DenyCode::SvgTooLarge);
                assert_eq!((limit, actual), (Some(100), Some(big.len() as u64)));
            }
            v => panic!("{v:?}"),
        }
        let many = format!(r#"<svg xmlns="{SVG_NS}">{}</svg>"#, "<g/>".repeat(20));
        let policy = SvgPolicy { max_bytes: 1 << 20, max_nodes: 10 };
        assert_eq!(validate_svg(many.as_bytes(), &policy).code(), Some(DenyCode::SvgTooManyNodes));
        assert_eq!(validate_svg(&[0xff, 0xfe, 0x00], &policy).code(), Some(DenyCode::SvgMalformed));
    }
}
