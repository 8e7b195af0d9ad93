//! Shared text decoding of the text importers (collapsed stacks, `perf
//! script`, and the other line-based formats).

use std::borrow::Cow;

/// Decode `bytes` to text: a UTF-8 BOM is dropped, UTF-16 with a BOM is
/// transcoded, invalid UTF-8 is replaced lossily. At most `max` input bytes
/// are decoded.
pub(crate) fn decode_text(bytes: &[u8], max: usize) -> Cow<'_, str> {
    let utf16 = |rest: &[u8], be: bool| -> Cow<'_, str> {
        let rest = &rest[..rest.len().min(max) & !1];
        let units = rest.chunks_exact(2).map(|c| {
            if be {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        Cow::Owned(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(&rest[..rest.len().min(max)]),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
        _ => utf8(&bytes[..bytes.len().min(max)]),
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
