//! Shared JSON machinery of the JSON importers.
//!
//! Two ways of reading JSON live here, each for a reason:
//! - a byte cursor ([`skip_ws`], [`object_keys`], [`key_pos`], [`find_key`]) that looks at
//!   the first keys of a possibly truncated document, for the sniffers
//!   (detection sees only a prefix, which no parser accepts);
//! - serde helper types ([`Num`], [`JStr`], [`IdVal`]) that the importers'
//!   `serde_json` readers share: borrowed strings, numbers written as
//!   strings, identifiers written either way.
//!
//! The quick readers of the usual trace event and `.cpuprofile` node share
//! their value pieces ([`scan`]: each reads a value as serde would, or
//! gives up). Streaming readers (struson) map their errors through
//! [`stream_error`]; [`read_objects`] and [`read_arrays`] read one large
//! array of objects or of arrays in chunks, on several threads or in turn
//! on one.

mod objects;
pub(crate) mod scan;
mod stream;

use std::borrow::Cow;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

pub(crate) use objects::{array_of, read_arrays, read_numbers, read_objects, starts_object_with, without_array};
pub(crate) use stream::stream_error;

/// How many bytes [`object_head`] looks at.
pub(crate) const HEAD_BYTES: usize = 4096;

/// The first [`HEAD_BYTES`] of `bytes` as text (lossy), when they start
/// (after whitespace) a JSON object; `None` otherwise. The key-matching
/// sniffers (`"key"` near the start) read this.
pub(crate) fn object_head(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    (head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')).then(|| String::from_utf8_lossy(head))
}

/// How many bytes the sniffers look at.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

// ---------------------------------------------------------------------------
// Shared JSON helpers (also used by `chrome_trace`).
// ---------------------------------------------------------------------------

/// `bytes` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The JSON value at the start of `s` read by serde, and the bytes it takes
/// (`None` when it does not parse): for reading an array's elements one by
/// one ([`read_objects`]).
pub(crate) fn value_at<'a, T: Deserialize<'a>>(s: &'a str) -> Option<(T, usize)> {
    let mut it = serde_json::Deserializer::from_str(s).into_iter::<T>();
    let v = it.next()?.ok()?;
    Some((v, it.byte_offset()))
}

/// Index of the first byte at or after `i` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (one past the closing quote) of the JSON string starting at `i`, or
/// `None` when `b` stops first.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// End of the JSON value starting at `i` (iterative, any depth), or `None`
/// when `b` stops first. Not a validator: only finds where a value ends.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            (j < b.len()).then_some(j)
        }
    }
}

/// The keys of the JSON object whose `{` is at `start`, each with the offset
/// where its value starts, as far as `b` goes (a prefix is fine: scanning
/// stops where the bytes stop). At most `max_keys` keys. Keys are the raw
/// bytes between the quotes.
pub(crate) fn object_keys(b: &[u8], start: usize, max_keys: usize) -> Vec<(&[u8], usize)> {
    let mut keys = Vec::new();
    each_key(b, start, |key, at| {
        keys.push((key, at));
        keys.len() < max_keys
    });
    keys
}

/// The value offset of the first `key` among the first `max_keys` keys of
/// the object at `start` ([`object_keys`], but the values after it are not
/// skipped: `key`'s value may be most of the input).
pub(crate) fn find_key(b: &[u8], start: usize, key: &str, max_keys: usize) -> Option<usize> {
    let (mut seen, mut found) = (0, None);
    each_key(b, start, |k, at| {
        seen += 1;
        if k == key.as_bytes() {
            found = Some(at);
        }
        found.is_none() && seen < max_keys
    });
    found
}

/// Call `f(key, value offset)` for each key of the object at `start`, in
/// order, while it returns `true`.
fn each_key<'b>(b: &'b [u8], start: usize, mut f: impl FnMut(&'b [u8], usize) -> bool) {
    if b.get(start) != Some(&b'{') {
        return;
    }
    let mut i = start + 1;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            break;
        }
        let Some(kend) = skip_string(b, i) else { break };
        let key = &b[i + 1..kend - 1];
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            break;
        }
        i = skip_ws(b, i + 1);
        if i >= b.len() {
            break;
        }
        if !f(key, i) {
            break;
        }
        let Some(end) = skip_value(b, i) else { break };
        i = skip_ws(b, end);
        if b.get(i) != Some(&b',') {
            break;
        }
        i += 1;
    }
}

/// Value offset of `key` among `keys`.
pub(crate) fn key_pos(keys: &[(&[u8], usize)], key: &str) -> Option<usize> {
    keys.iter().find(|(k, _)| *k == key.as_bytes()).map(|(_, p)| *p)
}

/// A JSON number, or a string holding one (trace files write `pid`, `tid`
/// and `ts` either way).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Num(pub(crate) f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string holding a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Num, E> {
                match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Num(x)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON string, borrowed from the input when it has no escapes (serde
/// borrows a bare `Cow<str>` field but never an `Option<Cow<str>>`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct JStr<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for JStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JStr<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An identifier written as a string or a number (`"0x1"`, `7`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IdVal<'a> {
    /// A string id.
    Str(Cow<'a, str>),
    /// A numeric id.
    Num(f64),
}

impl IdVal<'_> {
    /// The id as JavaScript's `String(id)` spells it (for integers).
    pub(crate) fn to_key(&self) -> Cow<'_, str> {
        match self {
            IdVal::Str(s) => Cow::Borrowed(s.as_ref()),
            IdVal::Num(n) => Cow::Owned(fmt_num(*n)),
        }
    }
}

/// Format a number as JavaScript prints integers (`7`, not `7.0`).
pub(crate) fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for IdVal<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdVal<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v as f64))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Owned(v)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_on_prefixes() {
        let b = br#" {"a": [1, {"x": "}"}], "b" : "q\"", "c": 3, "d": {"#;
        let keys = object_keys(b, 1, 10);
        let names: Vec<&[u8]> = keys.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, vec![&b"a"[..], b"b", b"c", b"d"]);
        assert_eq!(object_keys(b"[1]", 0, 10).len(), 0);
    }

    #[test]
    fn find_key_stops_at_the_key() {
        let b = br#" {"a": [1, {"x": "}"}], "b" : "q\"", "b": 2, "c": ["#;
        assert_eq!(find_key(b, 1, "b", 10), Some(b.iter().position(|&c| c == b'q').unwrap() - 1));
        // The value of `c` never ends: found without reading it.
        assert_eq!(find_key(b, 1, "c", 10), Some(b.len() - 1));
        assert_eq!(find_key(b, 1, "c", 2), None);
        assert_eq!(find_key(b, 1, "x", 10), None);
    }
}
