//! speedscope's label for a JavaScript function without a name, shared by
//! the importers of V8 and WebKit profiles.

use std::fmt::Display;

/// Label of a frame: `name` when it is non-empty; otherwise
/// `(anonymous FILE:LINE)` when the frame has a script `url` (FILE = the
/// URL's last `/`-separated segment, LINE = `line` as the caller's format
/// defines it), `(anonymous FILE)` when the line is unknown, and bare
/// `(anonymous)` without a url. This is speedscope's rule; it keeps the
/// anonymous functions of a page apart in images, top lists and summaries.
pub(crate) fn function_label<'a>(
    name: &'a str,
    url: Option<&str>,
    line: Option<impl Display>,
) -> std::borrow::Cow<'a, str> {
    if !name.is_empty() {
        return std::borrow::Cow::Borrowed(name);
    }
    match url.filter(|u| !u.is_empty()) {
        None => std::borrow::Cow::Borrowed("(anonymous)"),
        Some(url) => {
            let file = url.rsplit('/').next().unwrap_or(url);
            std::borrow::Cow::Owned(match line {
                Some(line) => format!("(anonymous {file}:{line})"),
                None => format!("(anonymous {file})"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::function_label;

    #[test]
    fn labels() {
        assert_eq!(function_label("f", Some("a/b.js"), Some(3)), "f");
        assert_eq!(function_label("", Some("http://x/a/b.js"), Some(3)), "(anonymous b.js:3)");
        assert_eq!(function_label("", Some("b.js"), None::<u32>), "(anonymous b.js)");
        assert_eq!(function_label("", Some(""), Some(3)), "(anonymous)");
        assert_eq!(function_label("", None, Some(3)), "(anonymous)");
        // A url ending in `/` has an empty last segment, as in speedscope.
        assert_eq!(function_label("", Some("http://x/"), Some(1)), "(anonymous :1)");
    }
}
