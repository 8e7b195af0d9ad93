//! Names of option enums (`SortBy`, `DeltaSort`, and those of the other
//! flamekit crates): one lookup, so every enum parses the same way and
//! refuses a bad name with the same error.
//!
//! An enum declares its table once with [`named!`](crate::named), which
//! implements [`Named`], `FromStr` and `Display` over it. Code that reads the
//! same enum under another parameter name (a CLI flag, Flamedeck's `mode`
//! for a theme, an HTTP `sortBy`) calls [`Named::parse_param`], so the error
//! names the caller's parameter without a wrapper around the parser.

use crate::{DeltaSort, Error, Result, SortBy};

/// Look `name` up in `table` (serde name, value). A `-` in `name` counts as
/// `_`, so `time-order` reads as `time_order`. Anything else is
/// [`Error::InvalidArgument`] naming `param` and listing the names.
#[doc(hidden)]
pub fn parse_name<T: Copy>(param: &'static str, name: &str, table: &[(&'static str, T)]) -> Result<T> {
    let same = |known: &str| {
        known.len() == name.len() && known.bytes().zip(name.bytes()).all(|(k, n)| k == n || (k == b'_' && n == b'-'))
    };
    match table.iter().find(|(known, _)| same(known)) {
        Some(&(_, value)) => Ok(value),
        None => {
            let names: Vec<&str> = table.iter().map(|(known, _)| *known).collect();
            Err(Error::argument(param, format!("{name:?} is not one of: {}", names.join(", "))))
        }
    }
}

/// The serde name of `value` in `table` (the inverse of [`parse_name`]).
#[doc(hidden)]
pub fn name_of<T: PartialEq>(value: &T, table: &[(&'static str, T)]) -> &'static str {
    table.iter().find(|(_, v)| v == value).map_or("", |(name, _)| name)
}

/// An option enum whose values are named by strings (its serde names), with
/// one table of names. `FromStr` parses a name with [`parse_name`] and
/// refuses a bad one as [`Error::InvalidArgument`] naming [`Named::PARAM`];
/// [`Named::parse_param`] does the same under another parameter name.
pub trait Named: Copy + PartialEq + 'static {
    /// The parameter a bad name is reported for by `FromStr` (e.g. `theme`).
    const PARAM: &'static str;
    /// Every value with its name.
    const NAMES: &'static [(&'static str, Self)];

    /// Parse `name` as the value of parameter `param`: the same names (and
    /// the same `-` for `_`) as `FromStr`, but a bad name is
    /// [`Error::InvalidArgument`] naming `param`.
    fn parse_param(param: &'static str, name: &str) -> Result<Self> {
        parse_name(param, name, Self::NAMES)
    }

    /// The name of this value (its `Display`).
    fn name_str(self) -> &'static str {
        name_of(&self, Self::NAMES)
    }
}

/// Implement [`Named`], `FromStr` and `Display` for an enum from one table:
/// `named!(Type, "param", [("name", Type::Value), ...]);`.
#[doc(hidden)]
#[macro_export]
macro_rules! named {
    ($ty:ty, $param:literal, [$(($n:literal, $v:expr)),+ $(,)?]) => {
        impl $crate::Named for $ty {
            const PARAM: &'static str = $param;
            const NAMES: &'static [(&'static str, $ty)] = &[$(($n, $v)),+];
        }
        impl ::std::str::FromStr for $ty {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                $crate::parse_name($param, s, <$ty as $crate::Named>::NAMES)
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::Named::name_str(*self))
            }
        }
    };
}

named!(SortBy, "by", [("self", SortBy::Self_), ("total", SortBy::Total)]);

impl SortBy {
    /// `"self"` or `"total"` (the serde name).
    pub fn as_str(self) -> &'static str {
        self.name_str()
    }
}

named!(
    DeltaSort,
    "by",
    [("self", DeltaSort::SelfGrowth), ("total", DeltaSort::TotalGrowth), ("self_absolute", DeltaSort::SelfAbsolute)]
);

impl DeltaSort {
    /// `"self"`, `"total"` or `"self_absolute"`.
    pub fn as_str(self) -> &'static str {
        self.name_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup() {
        let table = [("time_order", 1), ("left_heavy", 2)];
        assert_eq!(parse_name("view", "time_order", &table).unwrap(), 1);
        assert_eq!(parse_name("view", "left-heavy", &table).unwrap(), 2);
        let e = parse_name("view", "Left_heavy", &table).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        assert_eq!(e.to_string(), r#"invalid argument `view`: "Left_heavy" is not one of: time_order, left_heavy"#);
        assert!(parse_name("view", "time_order_", &table).is_err());
        assert_eq!(name_of(&2, &table), "left_heavy");
    }

    #[test]
    fn sort_names_round_trip() {
        for by in [SortBy::Self_, SortBy::Total] {
            assert_eq!(by.to_string().parse::<SortBy>().unwrap(), by);
            // The serde name is the display name.
            assert_eq!(serde_json::to_string(&by).unwrap(), format!("\"{by}\""));
        }
        for by in [DeltaSort::SelfGrowth, DeltaSort::TotalGrowth, DeltaSort::SelfAbsolute] {
            assert_eq!(by.to_string().parse::<DeltaSort>().unwrap(), by);
        }
        assert_eq!("self-absolute".parse::<DeltaSort>().unwrap(), DeltaSort::SelfAbsolute);
        assert_eq!("total".parse::<SortBy>().unwrap(), SortBy::Total);
        assert!("Total".parse::<SortBy>().is_err());
        let e = "absolute".parse::<DeltaSort>().unwrap_err();
        assert_eq!(e.to_string(), r#"invalid argument `by`: "absolute" is not one of: self, total, self_absolute"#);
        // The same table under another parameter's name.
        assert_eq!(SortBy::parse_param("sortBy", "total").unwrap(), SortBy::Total);
        let e = SortBy::parse_param("sortBy", "Total").unwrap_err();
        assert_eq!(e.to_string(), r#"invalid argument `sortBy`: "Total" is not one of: self, total"#);
        let e = "absolute".parse::<DeltaSort>().unwrap_err();
        assert_eq!(e.to_string(), r#"invalid argument `by`: "absolute" is not one of: self, total, self_absolute"#);
    }
}
