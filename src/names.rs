//! Render options by name, for callers that pass strings (the Python and Node
//! bindings, configuration files). The names are parsed by the `FromStr`
//! impls of [`Theme`] and [`ViewKind`]; these helpers only add the sandwich
//! view's frame.

use flamekit_core::Result;
use flamekit_render::{Theme, View, ViewKind};

/// Parse a theme name: `light` or `dark` (`Theme::from_str`).
///
/// Anything else is [`Error::InvalidArgument`](flamekit_core::Error::InvalidArgument) for `theme`.
pub fn theme_from_name(name: &str) -> Result<Theme> {
    name.parse()
}

/// Parse a view name: `time_order`, `left_heavy` or `sandwich` (hyphens are
/// accepted too: `time-order`). `frame` names the function of the sandwich
/// view; it is required for `sandwich` and refused for the other views.
///
/// A bad name or a misplaced/missing `frame` is
/// [`Error::InvalidArgument`](flamekit_core::Error::InvalidArgument).
pub fn view_from_name(name: &str, frame: Option<String>) -> Result<View> {
    View::new(name.parse::<ViewKind>()?, frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(theme_from_name("dark").unwrap(), Theme::Dark);
        assert_eq!(theme_from_name("Dark").unwrap_err().code(), "invalid_argument");
        assert_eq!(view_from_name("left-heavy", None).unwrap(), View::LeftHeavy);
        assert_eq!(view_from_name("time_order", None).unwrap(), View::TimeOrder);
        assert_eq!(view_from_name("sandwich", Some("f".into())).unwrap(), View::Sandwich { frame: "f".into() });
        assert_eq!(view_from_name("sandwich", None).unwrap_err().code(), "invalid_argument");
        assert_eq!(view_from_name("time_order", Some("f".into())).unwrap_err().code(), "invalid_argument");
        assert_eq!(view_from_name("icicle", None).unwrap_err().code(), "invalid_argument");
    }
}
