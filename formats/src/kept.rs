//! Strings of a parsed input in 16 bytes where a `Cow<str>` takes 24: a
//! slice of the input, or, for a string serde unescapes into a new one,
//! the index of a string kept in a list beside the records that hold it
//! ([`Text`], [`Kept`]). The V8 CPU profile's nodes and a trace's events
//! hold their strings so. Records read in chunks keep their own lists,
//! numbered from 0; appending a chunk's list gives the base its records'
//! indices are shifted by ([`Kept::append`], [`Text::shift`]).

use std::borrow::Cow;

/// A string: a slice of the input, or the index of one its [`Kept`] list
/// holds; [`Text::NONE`] for no string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Text<'a> {
    In(&'a str),
    /// The index of a kept string; [`Text::NONE`] for no string.
    Kept(u32),
}

impl Text<'_> {
    /// No string.
    pub(crate) const NONE: Text<'static> = Text::Kept(u32::MAX);

    /// A kept string's index moved by `base` (a chunk's list appended
    /// after `base` strings); others as they are.
    pub(crate) fn shift(&mut self, base: u32) {
        if let Text::Kept(i) = self {
            if *i != u32::MAX {
                *i += base;
            }
        }
    }
}

/// The strings kept by index ([`Text::Kept`]), fewer than `u32::MAX`.
#[derive(Default, Debug)]
pub(crate) struct Kept(Vec<Box<str>>);

impl Kept {
    /// `s` as a [`Text`]: borrowed, or kept here. `None` when `u32::MAX`
    /// strings are kept already.
    pub(crate) fn keep<'a>(&mut self, s: Cow<'a, str>) -> Option<Text<'a>> {
        match s {
            Cow::Borrowed(s) => Some(Text::In(s)),
            Cow::Owned(s) => {
                let i = u32::try_from(self.0.len()).ok().filter(|&i| i != u32::MAX)?;
                self.0.push(s.into_boxed_str());
                Some(Text::Kept(i))
            }
        }
    }

    /// The string `t` stands for (`None`: [`Text::NONE`]).
    pub(crate) fn get<'s>(&'s self, t: Text<'s>) -> Option<&'s str> {
        match t {
            Text::In(s) => Some(s),
            Text::Kept(i) => self.0.get(i as usize).map(|s| &**s),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Take `other`'s strings after these: the base to [`Text::shift`] its
    /// records' texts by. `None` (both left as they were) when all of them
    /// would reach `u32::MAX`.
    pub(crate) fn append(&mut self, other: &mut Kept) -> Option<u32> {
        let base = u32::try_from(self.0.len()).ok()?;
        base.checked_add(u32::try_from(other.0.len()).ok()?).filter(|&end| end != u32::MAX)?;
        self.0.append(&mut other.0);
        Some(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_strings_read_back_after_their_list_is_appended() {
        let (mut a, mut b) = (Kept::default(), Kept::default());
        let x = a.keep(Cow::Owned("x".into())).unwrap();
        let input = a.keep(Cow::Borrowed("in")).unwrap();
        let mut y = b.keep(Cow::Owned("y".into())).unwrap();
        let mut none = Text::NONE;
        assert_eq!((x, y), (Text::Kept(0), Text::Kept(0)));
        let base = a.append(&mut b).unwrap();
        assert!(b.is_empty());
        y.shift(base);
        none.shift(base);
        assert_eq!([a.get(x), a.get(input), a.get(y), a.get(none)], [Some("x"), Some("in"), Some("y"), None]);
    }
}
