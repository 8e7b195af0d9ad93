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

    /// The key's record header ([`FrameKeys`]), or `None` when a length
    /// does not fit in it.
    pub(super) fn header(&self) -> Option<Header> {
        let name = u32::try_from(self.name.len()).ok()?;
        let file = match self.file {
            Some(f) => u32::try_from(f.len()).ok().filter(|&n| n != NO_FILE)?,
            None => NO_FILE,
        };
        let present = u32::from(self.line.is_some()) | u32::from(self.col.is_some()) << 1;
        let words = [name, file, present, self.line.unwrap_or(0), self.col.unwrap_or(0)];
        let mut h = [0u8; HEADER];
        for (chunk, w) in h.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        Some(Header(h))
    }
}

/// Bytes of a record's header: five little-endian `u32`s, the name's
/// length, the file's length ([`NO_FILE`] without a file), which of line
/// (bit 0) and column (bit 1) are given, the line and the column (0 when not
/// given).
const HEADER: usize = 20;

/// The header's file length of a frame without a file.
const NO_FILE: u32 = u32::MAX;

/// A key's record header, computed once per lookup.
pub(super) struct Header([u8; HEADER]);

impl Header {
    fn name_len(&self) -> usize {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]) as usize
    }

    fn file_len(&self) -> usize {
        match u32::from_le_bytes([self.0[4], self.0[5], self.0[6], self.0[7]]) {
            NO_FILE => 0,
            n => n as usize,
        }
    }
}

/// The keys of the interned frames, each copied as a record (its
/// [`Header`], then the name's bytes, then the file's) into one buffer, one
/// after another. Comparing a key with an interned one then reads one or two
/// adjacent cache lines; comparing with the [`Frame`] reads three places
/// (the frame, its name, its file), which on large inputs are three cache
/// misses per lookup.
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
    /// past `u32::MAX`, or a length did not fit its header): such a frame is
    /// compared with its [`Frame`] instead.
    pub(super) const NONE: u32 = u32::MAX;

    /// A buffer whose records must end before `limit` bytes, so that tests
    /// reach the keys that do not fit.
    #[cfg(test)]
    pub(super) fn with_limit(limit: u32) -> Self {
        FrameKeys { bytes: Vec::new(), limit }
    }

    /// Copy `key` (whose header is `header`) into the buffer: its offset,
    /// or [`FrameKeys::NONE`].
    pub(super) fn add(&mut self, key: &FrameKey<'_>, header: Option<&Header>) -> u32 {
        let Some(header) = header else { return Self::NONE };
        let file = key.file.unwrap_or_default();
        let end = self.bytes.len() + HEADER + key.name.len() + file.len();
        let Some(off) = u32::try_from(self.bytes.len()).ok().filter(|_| end < self.limit as usize) else {
            return Self::NONE;
        };
        self.bytes.extend_from_slice(&header.0);
        self.bytes.extend_from_slice(key.name.as_bytes());
        self.bytes.extend_from_slice(file.as_bytes());
        off
    }

    /// Whether the record at `off` (not [`FrameKeys::NONE`]) is `key`'s,
    /// whose header is `header`.
    pub(super) fn matches(&self, off: u32, key: &FrameKey<'_>, header: &Header) -> bool {
        let start = off as usize;
        let (name, file) = (header.name_len(), header.file_len());
        let Some(record) = self.bytes.get(start..start + HEADER + name + file) else { return false };
        let (head, rest) = record.split_at(HEADER);
        let (n, f) = rest.split_at(name);
        head == header.0 && n == key.name.as_bytes() && f == key.file.unwrap_or_default().as_bytes()
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
        let offs: Vec<u32> = keys.iter().map(|k| store.add(k, k.header().as_ref())).collect();
        for (i, k) in keys.iter().enumerate() {
            let h = k.header().unwrap();
            for (j, &off) in offs.iter().enumerate() {
                assert_ne!(off, FrameKeys::NONE);
                assert_eq!(store.matches(off, k, &h), i == j, "key {i} against record {j}");
            }
        }
    }

    #[test]
    fn a_key_without_a_header_is_not_stored() {
        let mut store = FrameKeys::default();
        let k = key("f", None, None, None);
        assert_eq!(store.add(&k, None), FrameKeys::NONE);
        assert!(store.bytes.is_empty());
    }
}
