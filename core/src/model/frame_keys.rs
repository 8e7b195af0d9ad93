//! What [`super::GroupBuilder`] interns frames by: a frame's key
//! ([`FrameKey`]: name, file, line, column) and a copy of every interned
//! key in one buffer ([`FrameKeys`]).

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::DefaultHashBuilder;

use super::frame::Frame;

/// A frame's parts, borrowed: what the interning tables hash and compare.
pub(super) struct FrameKey<'a> {
    pub(super) name: &'a str,
    pub(super) file: Option<&'a str>,
    pub(super) line: Option<u32>,
    pub(super) col: Option<u32>,
}

impl<'a> FrameKey<'a> {
    pub(super) fn of(f: &'a Frame) -> Self {
        FrameKey { name: &f.name, file: f.file.as_deref(), line: f.line, col: f.col }
    }

    /// Only a name: interned in the name table.
    pub(super) fn is_named(&self) -> bool {
        self.file.is_none() && self.line.is_none() && self.col.is_none()
    }

    pub(super) fn hash(&self, hasher: &DefaultHashBuilder) -> u64 {
        if self.is_named() {
            return hasher.hash_one(self.name);
        }
        let mut h = hasher.build_hasher();
        self.name.hash(&mut h);
        self.file.hash(&mut h);
        self.line.hash(&mut h);
        self.col.hash(&mut h);
        h.finish()
    }

    pub(super) fn matches(&self, f: &Frame) -> bool {
        f.name == self.name && f.file.as_deref() == self.file && f.line == self.line && f.col == self.col
    }
}

/// Bytes of a record's header: five little-endian `u32`s, the name's
/// length, the file's length ([`NO_FILE`] without a file), which of line
/// (bit 0) and column (bit 1) are given, the line and the column (0 when not
/// given).
const HEADER: usize = 20;

/// The header's file length of a frame without a file.
const NO_FILE: u32 = u32::MAX;

/// The keys of the interned frames, each copied as a record (a header of
/// [`HEADER`] bytes, then the name's bytes, then the file's) into one
/// buffer, one after another. Comparing a key with an interned one then
/// reads one or two adjacent cache lines; comparing with the [`Frame`]
/// reads three places (the frame, its name, its file), which on large
/// inputs are three cache misses per lookup.
#[derive(Debug)]
pub(super) struct FrameKeys {
    bytes: Vec<u8>,
    /// Records end before this offset: [`FrameKeys::NONE`] (smaller in tests).
    limit: u32,
}

impl Default for FrameKeys {
    fn default() -> Self {
        FrameKeys { bytes: Vec::new(), limit: Self::NONE }
    }
}

impl FrameKeys {
    /// The offset of a key that is not in the buffer (its record would end
    /// at or past `u32::MAX`): such a frame is compared with its [`Frame`]
    /// instead.
    pub(super) const NONE: u32 = u32::MAX;

    /// A buffer whose records must end before `limit` bytes, so that tests
    /// reach the keys that do not fit.
    #[cfg(test)]
    pub(super) fn with_limit(limit: u32) -> Self {
        FrameKeys { bytes: Vec::new(), limit }
    }

    /// Copy `key` into the buffer: its offset, or [`FrameKeys::NONE`] when
    /// its record would not end before the limit.
    pub(super) fn add(&mut self, key: &FrameKey<'_>) -> u32 {
        let file = key.file.unwrap_or_default();
        let off = self.bytes.len();
        let end = off.saturating_add(HEADER).saturating_add(key.name.len()).saturating_add(file.len());
        if end >= self.limit as usize {
            return Self::NONE;
        }
        // The record ends before `limit` (at most `u32::MAX`), so its offset
        // and both lengths fit in `u32`, and a file's length is not `NO_FILE`.
        let file_len = if key.file.is_some() { file.len() as u32 } else { NO_FILE };
        let present = u32::from(key.line.is_some()) | u32::from(key.col.is_some()) << 1;
        for w in [key.name.len() as u32, file_len, present, key.line.unwrap_or(0), key.col.unwrap_or(0)] {
            self.bytes.extend_from_slice(&w.to_le_bytes());
        }
        self.bytes.extend_from_slice(key.name.as_bytes());
        self.bytes.extend_from_slice(file.as_bytes());
        off as u32
    }

    /// Free every record (the limit stays).
    pub(super) fn release(&mut self) {
        self.bytes = Vec::new();
    }

    /// Whether the record at `off` (not [`FrameKeys::NONE`]) is `key`'s.
    pub(super) fn matches(&self, off: u32, key: &FrameKey<'_>) -> bool {
        let at = off as usize;
        let Some(&[n0, n1, n2, n3, f0, f1, f2, f3, p0, p1, p2, p3, l0, l1, l2, l3, c0, c1, c2, c3]) =
            self.bytes.get(at..at + HEADER)
        else {
            return false;
        };
        let name_len = u32::from_le_bytes([n0, n1, n2, n3]) as usize;
        let file_len = u32::from_le_bytes([f0, f1, f2, f3]);
        let present = u32::from_le_bytes([p0, p1, p2, p3]);
        let word = |v: Option<u32>, bit: u32, w: [u8; 4]| match v {
            Some(v) => present & bit != 0 && u32::from_le_bytes(w) == v,
            None => present & bit == 0,
        };
        let file = match (key.file, file_len) {
            (None, NO_FILE) => "",
            (Some(f), n) if n != NO_FILE && n as usize == f.len() => f,
            _ => return false,
        };
        if name_len != key.name.len() || !word(key.line, 1, [l0, l1, l2, l3]) || !word(key.col, 2, [c0, c1, c2, c3]) {
            return false;
        }
        let start = at + HEADER;
        self.bytes.get(start..start + name_len) == Some(key.name.as_bytes())
            && self.bytes.get(start + name_len..start + name_len + file.len()) == Some(file.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(name: &'a str, file: Option<&'a str>, line: Option<u32>, col: Option<u32>) -> FrameKey<'a> {
        FrameKey { name, file, line, col }
    }

    #[test]
    fn a_record_matches_its_own_key_and_no_other() {
        let keys = [
            key("main", None, None, None),
            key("main", Some(""), None, None),
            key("main", None, Some(0), None),
            key("main", None, None, Some(0)),
            key("main", None, Some(1), Some(2)),
            key("main", None, Some(2), Some(1)),
            key("mai", Some("n"), None, None),
            key("", Some("main"), None, None),
            key("main", Some("a.js"), Some(u32::MAX), Some(u32::MAX)),
            key("", None, None, None),
        ];
        let mut store = FrameKeys::default();
        let offs: Vec<u32> = keys.iter().map(|k| store.add(k)).collect();
        for (i, k) in keys.iter().enumerate() {
            for (j, &off) in offs.iter().enumerate() {
                assert_ne!(off, FrameKeys::NONE);
                assert_eq!(store.matches(off, k), i == j, "key {i} against record {j}");
            }
        }
    }

    #[test]
    fn a_key_past_the_limit_is_not_stored() {
        let mut store = FrameKeys::with_limit(HEADER as u32 + 4);
        assert_eq!(store.add(&key("abc", None, None, None)), 0);
        assert_eq!(store.add(&key("f", None, None, None)), FrameKeys::NONE);
        assert_eq!(store.bytes.len(), HEADER + 3);
        assert!(store.matches(0, &key("abc", None, None, None)));
    }
}
