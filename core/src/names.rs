//! Names of option enums (`SortBy`, `DeltaSort`, and those of the other
//! flamekit crates): one lookup, so every enum parses the same way and
//! refuses a bad name with the same error.

use std::fmt;
use std::str::FromStr;

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

const SORT_BY: &[(&str, SortBy)] = &[("self", SortBy::Self_), ("total", SortBy::Total)];

impl SortBy {
    /// `"self"` or `"total"` (the serde name).
    pub fn as_str(self) -> &'static str {
        name_of(&self, SORT_BY)
    }
}

/// `self` or `total`; a bad name is [`Error::InvalidArgument`] for `by`.
impl FromStr for SortBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_name("by", s, SORT_BY)
    }
}

impl fmt::Display for SortBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const DELTA_SORT: &[(&str, DeltaSort)] =
    &[("self", DeltaSort::SelfGrowth), ("total", DeltaSort::TotalGrowth), ("self_absolute", DeltaSort::SelfAbsolute)];

impl DeltaSort {
    /// `"self"`, `"total"` or `"self_absolute"`.
    pub fn as_str(self) -> &'static str {
        name_of(&self, DELTA_SORT)
    }
}

/// `self`, `total` or `self_absolute`; a bad name is
/// [`Error::InvalidArgument`] for `by`.
impl FromStr for DeltaSort {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_name("by", s, DELTA_SORT)
    }
}

impl fmt::Display for DeltaSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    }
}
