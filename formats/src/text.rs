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
