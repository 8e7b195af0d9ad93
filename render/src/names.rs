//! Names of [`Theme`] and of the view kinds ([`ViewKind`]): `FromStr`,
//! `Display` and [`Named`](flamekit_core::Named) over one table each
//! ([`flamekit_core::named!`]).

use flamekit_core::{named, Error, Result};

use crate::{Theme, View};

// `light` or `dark`; a bad name is `invalid_argument` for `theme`.
named!(Theme, "theme", [("light", Theme::Light), ("dark", Theme::Dark)]);

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

// `time_order`, `left_heavy` or `sandwich` (`-` for `_` accepted); a bad
// name is `invalid_argument` for `view`.
named!(
    ViewKind,
    "view",
    [("time_order", ViewKind::TimeOrder), ("left_heavy", ViewKind::LeftHeavy), ("sandwich", ViewKind::Sandwich)]
);

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
