//! Pieces of the quick readers (`chrome_trace`'s events, `v8`'s nodes):
//! the walk of a plain object's fields, with the check that none repeats,
//! and readers of one JSON value each as serde reads it into the
//! importer's types. Each gives up (`None`) when the input is not of the
//! plain kind it knows, and the caller reads it with serde. Nothing here
//! accepts what serde refuses or reads a value otherwise.

use serde::de::IgnoredAny;

use super::{skip_ws, value_at, Num};

/// The string starting at `i` when it has no escape and no control
/// character (serde borrows such a string as it is), and the offset after
/// its closing quote.
#[inline]
pub(crate) fn plain_str(s: &str, i: usize) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let body = b.get(i + 1..)?;
    let len = quote_or_stop(body)?;
    if body[len] != b'"' {
        return None;
    }
    // Both ends are ASCII quotes: char boundaries.
    Some((s.get(i + 1..i + 1 + len)?, i + len + 2))
}

/// The index of the first `"`, `\` or control character in `b`. Eight
/// bytes at a time (keys and names are short: a call to a vector search
/// per string costs more than it saves).
fn quote_or_stop(b: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut at = 0;
    while let Some(word) = b.get(at..at + 8) {
        let x = u64::from_le_bytes(word.try_into().ok()?);
        // The high bit of each byte that is zero (in `x ^ c`) or below
        // 0x20; a bit above the first such byte may be set by a borrow, the
        // lowest is exact.
        let zero = |v: u64| v.wrapping_sub(ONES) & !v;
        let hits = (zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGHS;
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    b[at..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| at + p)
}

/// The number at `i`, as serde gives it to [`Num`] (`u64`, `i64` or `f64`,
/// made `f64`), and the offset after it.
pub(crate) fn number(s: &str, i: usize) -> Option<(f64, usize)> {
    // Up to 15 digits: an exact `u64`, exactly an `f64`. Other numbers are
    // parsed by serde.
    if let Some((v, end)) = plain_digits(s.as_bytes(), i, 15) {
        return Some((v as f64, end));
    }
    let end = number_end(s.as_bytes(), i);
    let (Num(v), used) = value_at::<Num>(s.get(i..end)?)?;
    // serde reads a number to its end or refuses it; checked all the same.
    (used == end - i).then_some((v, end))
}

/// The number at `i` as serde reads it into an `f64`: none from a string
/// or any other value.
pub(crate) fn number_value(s: &str, i: usize) -> Option<(f64, usize)> {
    if !matches!(s.as_bytes().get(i), Some(b'0'..=b'9' | b'-')) {
        return None;
    }
    number(s, i)
}

/// The digits at `i` as a number, and the offset after them, when there
/// are 1 to `max` of them (`max` at most 18), without a leading zero, and no
/// more of a JSON number follows (a fraction, an exponent, more digits).
fn plain_digits(b: &[u8], i: usize, max: usize) -> Option<(u64, usize)> {
    let mut j = i;
    let mut v = 0u64;
    while j - i <= max {
        match b.get(j) {
            Some(c @ b'0'..=b'9') => v = v * 10 + u64::from(c - b'0'),
            _ => break,
        }
        j += 1;
    }
    let digits = j - i;
    let more = matches!(b.get(j), Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'-' | b'+'));
    ((1..=max).contains(&digits) && (b[i] != b'0' || digits == 1) && !more).then_some((v, j))
}

/// One past the bytes from `i` that may belong to a JSON number.
fn number_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')).unwrap_or(b.len() - i)
}

/// The offset after the value at `i` (of a key the reader ignores).
pub(crate) fn skip_value(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    match b.get(i)? {
        b'"' => plain_str(s, i).map(|(_, end)| end),
        b't' if b[i..].starts_with(b"true") => Some(i + 4),
        b'f' if b[i..].starts_with(b"false") => Some(i + 5),
        b'0'..=b'9' | b'-' => number(s, i).map(|(_, end)| end),
        _ => value_at::<IgnoredAny>(&s[i..]).map(|(_, used)| i + used),
    }
}

/// The integer at `i` as serde reads it into an `i64` (a JSON integer in
/// range: no fraction, no exponent), and the offset after it; `None` for
/// any other value, and for integers of more than 18 digits (serde reads
/// them).
pub(crate) fn int(s: &str, i: usize) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let neg = b.get(i) == Some(&b'-');
    let (v, end) = plain_digits(b, i + usize::from(neg), 18)?;
    // 18 digits fit in an `i64`.
    let v = v as i64;
    match (neg, v) {
        // serde reads `-0` as a float, which no `i64` takes.
        (true, 0) => None,
        (true, v) => Some((-v, end)),
        (false, v) => Some((v, end)),
    }
}

/// Walk the object at `i`: `value(key, at)` reads the value of each key
/// (whitespace skipped before it), returning the offset after it. The
/// offset after the object, or `None` when it is not a plain object or
/// `value` gives up.
pub(crate) fn fields<'s>(
    s: &'s str,
    i: usize,
    mut value: impl FnMut(&'s str, usize) -> Option<usize>,
) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    let end = field(s, i, &mut value)?;
    fields_after(s, end, value)
}

/// Go on with the walk of an object ([`fields`]) after a value that ends
/// at `i`: its other fields, then the offset after the object.
pub(crate) fn fields_after<'s>(
    s: &'s str,
    i: usize,
    mut value: impl FnMut(&'s str, usize) -> Option<usize>,
) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = i;
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b',') => i = field(s, skip_ws(b, i + 1), &mut value)?,
            Some(b'}') => return Some(i + 1),
            _ => return None,
        }
    }
}

/// One field at `i` (its key, `:` and value read by `value`): the offset
/// after its value.
fn field<'s>(s: &'s str, i: usize, value: &mut impl FnMut(&'s str, usize) -> Option<usize>) -> Option<usize> {
    let b = s.as_bytes();
    let (key, end) = plain_str(s, i)?;
    let i = skip_ws(b, end);
    if b.get(i) != Some(&b':') {
        return None;
    }
    value(key, skip_ws(b, i + 1))
}

/// The offset after `lit` when the bytes at `i` are `lit`.
#[inline]
pub(crate) fn lit(b: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    (b.get(i..i + lit.len())? == lit).then_some(i + lit.len())
}

/// `Some` the first time `field` is met (marked in `seen`), `None` after:
/// serde refuses a repeated field.
pub(crate) fn once(seen: &mut u16, field: u8) -> Option<()> {
    let bit = 1 << field;
    (*seen & bit == 0).then(|| *seen |= bit)
}

/// A small deterministic generator for the quick readers' tests: each call
/// `rnd(n)` gives a number in `0..n`.
#[cfg(test)]
pub(crate) fn test_rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings of every length to 40 from quotes, backslashes, control
    /// characters, multi-byte characters and plain bytes, at every offset
    /// of a word: the first stop is found as a byte-by-byte search finds it.
    #[test]
    fn quote_or_stop_finds_the_first_stop() {
        let parts = ["a", "Z", "\"", "\\", "\u{1}", "\u{1f}", " ", "\u{7f}", "\u{e9}", "\u{1F600}", "~", "!"];
        let mut rnd = test_rng(7);
        for _ in 0..20_000 {
            let n = rnd(40);
            let text: String = (0..n).map(|_| if rnd(4) == 0 { parts[rnd(parts.len())] } else { "x" }).collect();
            let b = text.as_bytes();
            let want = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            assert_eq!(quote_or_stop(b), want, "{text:?}");
        }
    }
}
