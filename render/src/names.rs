//! Names of [`Theme`] and of the view kinds ([`ViewKind`]): `FromStr` and
//! `Display` over one table each, parsed by `flamekit_core::parse_name`.

use std::fmt;
use std::str::FromStr;

use flamekit_core::{name_of, parse_name, Error, Result};

use crate::{Theme, View};

const THEME: &[(&str, Theme)] = &[("light", Theme::Light), ("dark", Theme::Dark)];

/// `light` or `dark`; a bad name is [`Error::InvalidArgument`] for `theme`.
impl FromStr for Theme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_name("theme", s, THEME)
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, THEME))
    }
}

/// Which kind of [`View`] to draw, without the view's parameters: what a
/// caller names with a string (`time_order`, `left_heavy`, `sandwich`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ViewKind {
    /// [`View::TimeOrder`]. The default.
    #[default]
    TimeOrder,
    /// [`View::LeftHeavy`].
    LeftHeavy,
    /// [`View::Sandwich`]; needs a frame name.
    Sandwich,
}

const VIEW_KIND: &[(&str, ViewKind)] =
    &[("time_order", ViewKind::TimeOrder), ("left_heavy", ViewKind::LeftHeavy), ("sandwich", ViewKind::Sandwich)];

/// `time_order`, `left_heavy` or `sandwich` (`-` for `_` accepted); a bad
/// name is [`Error::InvalidArgument`] for `view`.
impl FromStr for ViewKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_name("view", s, VIEW_KIND)
    }
}

impl fmt::Display for ViewKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, VIEW_KIND))
    }
}

impl View {
    /// The kind of this view.
    pub fn kind(&self) -> ViewKind {
        match self {
            View::TimeOrder => ViewKind::TimeOrder,
            View::LeftHeavy => ViewKind::LeftHeavy,
            View::Sandwich { .. } => ViewKind::Sandwich,
        }
    }

    /// The view of `kind`. `frame` names the function of the sandwich view:
    /// required for [`ViewKind::Sandwich`] and refused for the others
    /// ([`Error::InvalidArgument`] for `frame`).
    pub fn new(kind: ViewKind, frame: Option<String>) -> Result<View> {
        match (kind, frame) {
            (ViewKind::Sandwich, Some(frame)) => Ok(View::Sandwich { frame }),
            (ViewKind::Sandwich, None) => Err(Error::argument("frame", "the sandwich view needs a frame name")),
            (_, Some(_)) => Err(Error::argument("frame", "a frame name is only used with the sandwich view")),
            (ViewKind::TimeOrder, None) => Ok(View::TimeOrder),
            (ViewKind::LeftHeavy, None) => Ok(View::LeftHeavy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in [Theme::Light, Theme::Dark] {
            assert_eq!(t.to_string().parse::<Theme>().unwrap(), t);
        }
        for k in [ViewKind::TimeOrder, ViewKind::LeftHeavy, ViewKind::Sandwich] {
            assert_eq!(k.to_string().parse::<ViewKind>().unwrap(), k);
        }
        assert_eq!("time-order".parse::<ViewKind>().unwrap(), ViewKind::TimeOrder);
        assert_eq!(
            "Dark".parse::<Theme>().unwrap_err().to_string(),
            r#"invalid argument `theme`: "Dark" is not one of: light, dark"#
        );
        assert_eq!("icicle".parse::<ViewKind>().unwrap_err().code(), "invalid_argument");
        let sandwich = View::new(ViewKind::Sandwich, Some("f".into())).unwrap();
        assert_eq!(sandwich, View::Sandwich { frame: "f".into() });
        assert_eq!(sandwich.kind(), ViewKind::Sandwich);
        assert_eq!(View::new(ViewKind::LeftHeavy, None).unwrap(), View::LeftHeavy);
        assert_eq!(
            View::new(ViewKind::Sandwich, None).unwrap_err().to_string(),
            "invalid argument `frame`: the sandwich view needs a frame name"
        );
        assert_eq!(View::new(ViewKind::TimeOrder, Some("f".into())).unwrap_err().code(), "invalid_argument");
    }
}
