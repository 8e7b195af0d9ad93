//! Render options by name, for callers that pass strings (the Python and Node
//! bindings, configuration files): one parser, so every binding accepts the
//! same spellings and reports the same errors.

use flamekit_core::{Error, Result};
use flamekit_render::{Theme, View};

/// Parse a theme name: `light` or `dark`.
///
/// Anything else is [`Error::InvalidArgument`] for `theme`.
pub fn theme_from_name(name: &str) -> Result<Theme> {
    match name {
        "light" => Ok(Theme::Light),
        "dark" => Ok(Theme::Dark),
        _ => Err(Error::argument("theme", format!("{name:?} is not one of: light, dark"))),
    }
}

/// Parse a view name: `time_order`, `left_heavy` or `sandwich` (hyphens are
/// accepted too: `time-order`). `frame` names the function of the sandwich
/// view; it is required for `sandwich` and refused for the other views.
///
/// A bad name or a misplaced/missing `frame` is [`Error::InvalidArgument`].
pub fn view_from_name(name: &str, frame: Option<String>) -> Result<View> {
    let view = match name {
        "time_order" | "time-order" => View::TimeOrder,
        "left_heavy" | "left-heavy" => View::LeftHeavy,
        "sandwich" => {
            return match frame {
                Some(frame) => Ok(View::Sandwich { frame }),
                None => Err(Error::argument("frame", "the sandwich view needs a frame name")),
            }
        }
        _ => return Err(Error::argument("view", format!("{name:?} is not one of: time_order, left_heavy, sandwich"))),
    };
    match frame {
        None => Ok(view),
        Some(_) => Err(Error::argument("frame", "a frame name is only used with the sandwich view")),
    }
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
