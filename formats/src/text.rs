//! Shared text decoding of the text importers (collapsed stacks, `perf
//! script`, and the other line-based formats).

use std::borrow::Cow;

/// How text input is encoded, from its byte-order mark.
pub(crate) enum Encoding<'a> {
    /// UTF-8: the bytes after a UTF-8 BOM, or all of them when there is no BOM.
    Utf8(&'a [u8]),
    /// UTF-16 with a BOM: the bytes after it, big-endian or not.
    Utf16 { rest: &'a [u8], be: bool },
}

/// The encoding of `bytes`: UTF-16 when they start with its BOM, else UTF-8.
pub(crate) fn encoding(bytes: &[u8]) -> Encoding<'_> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => Encoding::Utf8(rest),
        [0xFF, 0xFE, rest @ ..] => Encoding::Utf16 { rest, be: false },
        [0xFE, 0xFF, rest @ ..] => Encoding::Utf16 { rest, be: true },
        _ => Encoding::Utf8(bytes),
    }
}

/// Decode `bytes` to text: a UTF-8 BOM is dropped, UTF-16 with a BOM is
/// transcoded, invalid UTF-8 is replaced lossily. At most `max` input bytes
/// are decoded.
pub(crate) fn decode_text(bytes: &[u8], max: usize) -> Cow<'_, str> {
    match encoding(bytes) {
        Encoding::Utf8(b) => utf8(&b[..b.len().min(max)]),
        Encoding::Utf16 { rest, be } => {
            let rest = &rest[..rest.len().min(max) & !1];
            let units = rest.chunks_exact(2).map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            Cow::Owned(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
        }
    }
}

/// UTF-8 text, borrowed when valid (`from_utf8` is several times faster than
/// the lossy decoder on valid input), lossily repaired otherwise.
pub(crate) fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// ASCII bytes that [`char::is_whitespace`] accepts (it also accepts
/// vertical tab, which [`u8::is_ascii_whitespace`] does not).
fn ascii_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// [`str::trim`], fast on ASCII edges: equal to it for every input (the
/// Unicode trim runs only when a non-ASCII byte is at an edge).
pub(crate) fn trim(s: &str) -> &str {
    trim_end(trim_start(s))
}

/// [`str::trim_start`], fast on an ASCII start.
pub(crate) fn trim_start(s: &str) -> &str {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| !ascii_space(c)).unwrap_or(b.len());
    // `i` is at an ASCII byte or the end: a char boundary.
    match b.get(i) {
        Some(&c) if c >= 0x80 => s[i..].trim_start(),
        _ => &s[i..],
    }
}

/// [`str::trim_end`], fast on an ASCII end.
pub(crate) fn trim_end(s: &str) -> &str {
    let b = s.as_bytes();
    let j = b.iter().rposition(|&c| !ascii_space(c)).map_or(0, |k| k + 1);
    match j.checked_sub(1).map(|k| b[k]) {
        Some(c) if c >= 0x80 => s[..j].trim_end(),
        _ => &s[..j],
    }
}

/// The 8-byte word at the start of `w` (of 8 bytes).
fn word(w: &[u8]) -> u64 {
    w.try_into().map_or(0, u64::from_le_bytes)
}

/// How many bytes `a` and `b` have in common from their start: eight
/// compared at a time.
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut i = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let diff = word(x) ^ word(y);
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + a[i..].iter().zip(&b[i..]).take_while(|(x, y)| x == y).count()
}

/// How many bytes `a` and `b` have in common at their end: eight compared
/// at a time.
pub(crate) fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    for (x, y) in a.rchunks_exact(8).zip(b.rchunks_exact(8)) {
        let diff = word(x) ^ word(y);
        if diff != 0 {
            return i + (diff.leading_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + a[..n - i].iter().rev().zip(b[..n - i].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// `b` in every byte of a word.
const fn splat(b: u8) -> u64 {
    b as u64 * 0x0101_0101_0101_0101
}

/// The high bit of each byte of `x` (bytes below 0x80) that lies in
/// `lo..=hi`: adding `0x80 - lo` sets a byte's high bit when it is at least
/// `lo`, adding `0x7F - hi` when it is above `hi`, and neither sum carries
/// into the next byte.
fn bytes_in(x: u64, lo: u8, hi: u8) -> u64 {
    x.wrapping_add(splat(0x80 - lo)) & !x.wrapping_add(splat(0x7F - hi)) & splat(0x80)
}

/// How many ASCII hex digits `b` starts with, eight bytes tested at a time
/// (an address of `perf script` is 6 to 16 of them).
pub(crate) fn hex_digits(b: &[u8]) -> usize {
    let mut i = 0;
    for w in b.chunks_exact(8) {
        let w = word(w);
        let x = w & splat(0x7F);
        let hex = (bytes_in(x, b'0', b'9') | bytes_in(x | splat(0x20), b'a', b'f')) & !w;
        let other = !hex & splat(0x80);
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The fast trims equal the standard ones, with ASCII and Unicode
        /// whitespace (vertical tab, NEL, NBSP, ideographic space) at the edges.
        #[test]
        fn trims_equal_the_standard_ones(s in "[ \t\n\r\u{b}\u{c}\u{85}\u{a0}\u{3000}ax#é]{0,12}") {
            prop_assert_eq!(super::trim(&s), s.trim());
            prop_assert_eq!(super::trim_start(&s), s.trim_start());
            prop_assert_eq!(super::trim_end(&s), s.trim_end());
        }

        /// The hex digits counted eight bytes at a time are those a byte
        /// loop counts: each byte value at each place of a run around the
        /// word size.
        #[test]
        fn hex_digits_equal_a_byte_count(run in "[0-9a-fA-F]{0,20}", c in 0u8..=255, tail in "[0-9a-fA-F ]{0,10}") {
            let b = [run.as_bytes(), &[c], tail.as_bytes()].concat();
            let want = b.iter().take_while(|c| c.is_ascii_hexdigit()).count();
            prop_assert_eq!(super::hex_digits(&b), want);
            prop_assert_eq!(super::hex_digits(&b[..run.len()]), run.len());
        }

        /// The common prefix and suffix, eight bytes at a time, equal a
        /// byte-by-byte count: strings of two letters, so that they share
        /// long runs, of lengths around the word size.
        #[test]
        fn common_ends_equal_a_byte_count(a in "[ab]{0,40}", b in "[ab]{0,40}") {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
            prop_assert_eq!(super::common_prefix(a, b), prefix);
            prop_assert_eq!(super::common_suffix(a, b), suffix);
            prop_assert_eq!(super::common_prefix(a, a), a.len());
            prop_assert_eq!(super::common_suffix(a, a), a.len());
        }
    }
}
