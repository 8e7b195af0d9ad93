//! Parallel parsing of text formats ([`crate::ImportOptions::threads`]):
//! the text is cut into chunks at record boundaries, worker threads parse
//! chunks into chunk-local tables, and the calling thread merges the chunk
//! results in file order while later chunks are still being parsed. The
//! merge replays every chunk as the single-threaded importer would have read
//! it, so the group (frame and stack order, report, limit errors) is the same
//! for every thread count.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, TryLockError};

use hashbrown::{DefaultHashBuilder, HashTable};

use flamekit_core::Result;

/// Smallest chunk handed to a worker: below this, thread hand-offs cost
/// more than they save.
#[cfg(not(fuzzing))]
pub(crate) const MIN_CHUNK: usize = 32 * 1024;

/// In fuzz builds (`cargo fuzz` sets `--cfg fuzzing`), chunks of a few
/// hundred bytes, so that the fuzzers' small inputs take the parallel
/// readers (the harness compares them with the one-thread read) instead of
/// never reaching the 64 KiB from which the readers cut an input.
#[cfg(fuzzing)]
pub(crate) const MIN_CHUNK: usize = 128;

/// Largest chunk handed to a worker. What a worker reads waits for the
/// merge, several chunks at once (those queued and those being read): small
/// chunks keep that memory small, let the merge start early, and are still
/// in the cache when merged. Names are interned in tables shared by all
/// chunks, so a small chunk does not meet them again.
pub(crate) const MAX_CHUNK: usize = 1 << 20;

/// The chunk size for `len` bytes on `threads` threads, or `None` when the
/// input should be read on the calling thread.
pub(crate) fn chunk_size(len: usize, threads: usize) -> Option<usize> {
    if threads <= 1 || len < 2 * MIN_CHUNK {
        return None;
    }
    Some((len / threads.saturating_mul(8)).clamp(MIN_CHUNK, MAX_CHUNK))
}

/// Items in order, kept in the parts they came in: the parts of a read in
/// chunks are appended as they are, not copied into one vector.
#[derive(Debug)]
pub(crate) struct Parts<T> {
    parts: Vec<Vec<T>>,
    /// Index (over all parts) of each part's first item.
    starts: Vec<usize>,
}

impl<T> Default for Parts<T> {
    fn default() -> Self {
        Parts { parts: Vec::new(), starts: Vec::new() }
    }
}

/// Items in the first part [`Parts::push`] starts.
const FIRST_PART: usize = 16;

/// Bytes past which [`Parts::push`] no longer doubles the size of the
/// parts it starts.
const MAX_PART_BYTES: usize = 1 << 20;

impl<T> Parts<T> {
    /// Append `item` to the last part, or to a new part when the last one
    /// is full: twice its size, up to [`MAX_PART_BYTES`]. A part is never
    /// grown, so no item is ever copied, and no memory is touched twice.
    pub(crate) fn push(&mut self, item: T) {
        if let Some(part) = self.parts.last_mut() {
            if part.len() < part.capacity() {
                part.push(item);
                return;
            }
        }
        let max = (MAX_PART_BYTES / std::mem::size_of::<T>().max(1)).max(FIRST_PART);
        let items = self.parts.last().map_or(FIRST_PART, |p| p.capacity().saturating_mul(2).clamp(FIRST_PART, max));
        let mut part = Vec::with_capacity(items);
        part.push(item);
        self.push_part(part);
    }

    /// Append `part` as a part of its own (an empty one is dropped).
    pub(crate) fn push_part(&mut self, part: Vec<T>) {
        if !part.is_empty() {
            self.starts.push(self.len());
            self.parts.push(part);
        }
    }

    /// Append the parts of `other`.
    pub(crate) fn append(&mut self, other: Parts<T>) {
        for part in other.parts {
            self.push_part(part);
        }
    }

    /// Number of items.
    pub(crate) fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0) + self.parts.last().map_or(0, Vec::len)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.parts.iter().flatten()
    }

    /// The items in order.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.parts.iter_mut().flatten()
    }

    /// Item `i` (in order), if `i < len()`.
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        let part = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        self.parts[part].get(i - self.starts[part])
    }
}

impl<T> std::ops::Index<usize> for Parts<T> {
    type Output = T;

    /// Item `i`; panics past the end, as a slice does.
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("index within the parts")
    }
}

impl<T> From<Vec<T>> for Parts<T> {
    fn from(items: Vec<T>) -> Self {
        let mut p = Parts::default();
        p.push_part(items);
        p
    }
}

impl<T> Extend<T> for Parts<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.push(item);
        }
    }
}

/// Equal when they hold equal items in the same order, however split.
impl<T: PartialEq> PartialEq for Parts<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Read as a JSON array, into one part.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Parts<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Parts::from)
    }
}

/// Cut `text` into chunks of about `size` bytes, each ending at a record
/// boundary: `boundary(text, from)` is the end (exclusive) of the first
/// boundary at or after byte `from`, or `None` when there is none (the rest
/// is one chunk). Boundaries must be ASCII, so chunks are valid `str`s.
pub(crate) fn split(text: &str, size: usize, boundary: impl Fn(&[u8], usize) -> Option<usize>) -> Vec<&str> {
    split_ranges(text.as_bytes(), size, boundary).into_iter().map(|r| &text[r]).collect()
}

/// [`split`] for bytes not yet checked as UTF-8 (see
/// [`parse_utf8_ordered_with`]). Boundaries are ASCII bytes, which never
/// fall inside a UTF-8 character: when every chunk is UTF-8, so is the whole.
pub(crate) fn split_bytes(b: &[u8], size: usize, boundary: impl Fn(&[u8], usize) -> Option<usize>) -> Vec<&[u8]> {
    split_ranges(b, size, boundary).into_iter().map(|r| &b[r]).collect()
}

fn split_ranges(
    b: &[u8],
    size: usize,
    boundary: impl Fn(&[u8], usize) -> Option<usize>,
) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::with_capacity(b.len() / size.max(1) + 1);
    let mut start = 0;
    while start < b.len() {
        let end = match start.checked_add(size).filter(|&e| e < b.len()) {
            Some(at) => boundary(b, at).unwrap_or(b.len()),
            None => b.len(),
        };
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// The end of the line holding byte `from` (just past its `\n`).
pub(crate) fn line_boundary(b: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &b[from..]).map(|i| from + i + 1)
}

/// Parse `chunks` with `parse` on up to `threads` worker threads and hand
/// each result to `merge` on the calling thread, in chunk order (with one
/// thread or one chunk, both run on the calling thread). The first
/// error from `merge` stops the workers (chunks not yet started are never
/// parsed) and is returned. Each worker keeps state from one chunk to the
/// next (e.g. its batch of names to intern): `init` makes a worker's state,
/// `parse` gets it with every chunk. The chunks may be any items (trace
/// events' threads use it with one item per trace thread).
pub(crate) fn parse_ordered_with<C: Copy + Sync, T: Send, W>(
    chunks: &[C],
    threads: usize,
    init: impl Fn() -> W + Sync,
    parse: impl Fn(&mut W, C) -> T + Sync,
    merge: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    parse_ordered_on(chunks, if threads <= 1 { 0 } else { threads }, init, parse, merge)
}

/// [`parse_ordered_with`] on `workers` worker threads (`0`: on the calling
/// thread). For a merge that is most of the work, one worker beside the
/// calling thread keeps two cores busy without a third thread taking turns
/// with them.
pub(crate) fn parse_ordered_on<C: Copy + Sync, T: Send, W>(
    chunks: &[C],
    workers: usize,
    init: impl Fn() -> W + Sync,
    parse: impl Fn(&mut W, C) -> T + Sync,
    mut merge: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    if workers == 0 || chunks.len() <= 1 {
        // Nothing to overlap.
        return read_here(chunks, init, parse, merge);
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // No more workers than chunks.
    let workers = workers.min(chunks.len());
    std::thread::scope(|scope| {
        // Bounded: a worker far ahead of the merge waits instead of piling up
        // chunk tables.
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(workers.saturating_mul(2));
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, parse, init) = (&next, &stop, &parse, &init);
            let worker = move || {
                let mut state = init();
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&chunk) = chunks.get(i) else { break };
                    if tx.send((i, parse(&mut state, chunk))).is_err() {
                        break;
                    }
                }
            };
            // Where threads cannot be started (e.g. wasm32 without threads),
            // fewer workers, or none, read the chunks.
            if let Ok(handle) = std::thread::Builder::new().spawn_scoped(scope, worker) {
                handles.push(handle);
            }
        }
        drop(tx);
        if handles.is_empty() {
            drop(rx);
            return read_here(chunks, &init, &parse, &mut merge);
        }
        let mut pending: std::collections::BTreeMap<usize, T> = std::collections::BTreeMap::new();
        let mut want = 0;
        let result = (|| {
            while want < chunks.len() {
                let t = match pending.remove(&want) {
                    Some(t) => t,
                    None => match rx.recv() {
                        Ok((i, t)) if i == want => t,
                        Ok((i, t)) => {
                            pending.insert(i, t);
                            continue;
                        }
                        // Every worker is gone (one panicked): not all chunks arrived.
                        Err(_) => {
                            return Err(flamekit_core::Error::Internal {
                                message: format!("a worker thread stopped before part {want}"),
                            })
                        }
                    },
                };
                merge(t)?;
                want += 1;
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        // Unblock workers waiting to send, then join them. Joined here, not
        // by the scope: the scope ends when the workers' closures return,
        // before their threads have run their thread-local destructors and
        // exited; a join waits for that, so no thread of the import is left
        // when it returns. A worker that panicked is an internal error (the
        // chunk it held never reached the merge), not a panic of the caller.
        drop(rx);
        let mut panicked = false;
        for handle in handles {
            panicked |= handle.join().is_err();
        }
        match result {
            Ok(()) if panicked => Err(flamekit_core::Error::Internal { message: "a worker thread panicked".into() }),
            result => result,
        }
    })
}

/// Parse and merge `chunks` in turn on the calling thread.
fn read_here<C: Copy, T, W>(
    chunks: &[C],
    init: impl Fn() -> W,
    parse: impl Fn(&mut W, C) -> T,
    mut merge: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let mut state = init();
    for &chunk in chunks {
        merge(parse(&mut state, chunk))?;
    }
    Ok(())
}

/// [`parse_ordered_with`] over chunks of bytes ([`split_bytes`]), each
/// checked as UTF-8 by the worker that parses it: no thread reads the whole
/// input before the workers start. `Ok(true)` when every chunk was UTF-8
/// and merged; `Ok(false)` when one was not: the chunks before it were
/// merged, the rest were not, and the caller reads the input again, decoded
/// (replacing what is not UTF-8), from the start.
pub(crate) fn parse_utf8_ordered_with<'a, T: Send, W>(
    chunks: &[&'a [u8]],
    threads: usize,
    init: impl Fn() -> W + Sync,
    parse: impl Fn(&mut W, &'a str) -> T + Sync,
    mut merge: impl FnMut(T) -> Result<()>,
) -> Result<bool> {
    let mut utf8 = true;
    let result = parse_ordered_with(
        chunks,
        threads,
        init,
        |w, chunk| std::str::from_utf8(chunk).ok().map(|text| parse(w, text)),
        |parsed| match parsed {
            Some(t) => merge(t),
            None => {
                utf8 = false;
                // Stops the workers; replaced by `Ok(false)` below.
                Err(flamekit_core::Error::Internal { message: "a chunk is not UTF-8".into() })
            }
        },
    );
    match result {
        Err(_) if !utf8 => Ok(false),
        r => r.map(|()| true),
    }
}

/// Interning of names borrowed from the input, giving dense ids `0..n` in
/// order of insertion. The text importers parse names into these ids (one
/// hash per name occurrence) and map each id to a group frame once, on its
/// first use in file order.
pub(crate) trait Intern<'a> {
    /// The id of `name`, added if new; [`TOO_MANY_NAMES`] once `u32` ids
    /// are exhausted.
    fn intern(&mut self, name: &'a str) -> u32;
    /// [`Intern::intern`] of every name of `names` in turn, the ids
    /// appended to `out`; `hashes` is scratch space kept between calls.
    fn intern_all(&mut self, names: &[&'a str], hashes: &mut Vec<u64>, out: &mut Vec<u32>) {
        let _ = hashes;
        out.extend(names.iter().map(|n| self.intern(n)));
    }
    /// Resolve the ids that [`Intern::intern_all`] has deferred: they are
    /// the last ones pushed to `out` (which gets ids from nothing else).
    /// Interners that resolve at once have nothing to do.
    fn finish_chunk(&mut self, out: &mut [u32]) {
        let _ = out;
    }
    /// The name of an id returned by [`Intern::intern`].
    fn name(&self, id: u32) -> Cow<'_, str>;
    /// The names this interner added to a table it shares with other
    /// threads since the last call, with their ids, as strings it made
    /// while their bytes were in its thread's cache: the merge moves them
    /// into the group's frames instead of copying each name from the input
    /// (read on another core). Interners of one thread make none.
    fn take_made(&mut self) -> Vec<(u32, String)> {
        Vec::new()
    }
    /// Number of names interned so far.
    fn len(&self) -> usize;
}

/// The strings that workers made for the names they added to a shared
/// table ([`Intern::take_made`]), kept by name id on the merge's side until
/// the name's first frame takes its string. A name first used in a chunk
/// before the one whose worker added it has none yet (its frame copies the
/// name), and its string is never taken.
#[derive(Default)]
pub(crate) struct MadeNames(Vec<Option<String>>);

impl MadeNames {
    /// Keep the strings of a chunk (`made`, from [`Intern::take_made`]);
    /// `names` is how many names the table holds, room kept for as many ids.
    pub(crate) fn keep(&mut self, made: Vec<(u32, String)>, names: usize) {
        for (id, name) in made {
            let at = id as usize;
            if self.0.len() <= at {
                self.0.resize(names.max(at + 1), None);
            }
            self.0[at] = Some(name);
        }
    }

    /// The string made for the name `id`, taken: `None` when none was made
    /// (yet) or it was taken before.
    pub(crate) fn take(&mut self, id: u32) -> Option<String> {
        self.0.get_mut(id as usize).and_then(Option::take)
    }

    /// The strings not taken.
    #[cfg(test)]
    pub(crate) fn left(&self) -> Vec<&str> {
        self.0.iter().flatten().map(String::as_str).collect()
    }
}

/// The id [`Intern::intern`] returns when no more names fit in `u32` ids.
pub(crate) const TOO_MANY_NAMES: u32 = u32::MAX;

/// Names copied into one arena, each as its 4-byte little-endian length, its
/// 4-byte id and its bytes: a few MB for 100,000 names, rather than cache
/// lines spread over the input, and a found name gives its id from the same
/// cache line.
#[derive(Default)]
struct Arena {
    bytes: Vec<u8>,
    /// Offset of every name, in order of insertion.
    offsets: Vec<u32>,
    /// Hash of every name, in order of insertion (growing a table never
    /// hashes a name again).
    hashes: Vec<u64>,
}

impl Arena {
    /// The 4-byte little-endian number at offset `at`.
    fn word(&self, at: usize) -> u32 {
        let b = &self.bytes;
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// The name and id of the record at offset `off`.
    fn record(&self, off: u32) -> (&[u8], u32) {
        let off = off as usize;
        let len = self.word(off) as usize;
        (&self.bytes[off + 8..off + 8 + len], self.word(off + 4))
    }

    /// Add `name` (hash `hash`) with the id `new_id(index)` (`index`: how
    /// many names were added before it): its id and offset, or `None` when
    /// ids or offsets no longer fit in `u32` (and nothing is added).
    fn add(&mut self, name: &str, hash: u64, new_id: impl FnOnce(u32) -> u32) -> Option<(u32, u32)> {
        let index = u32::try_from(self.offsets.len()).ok().filter(|&i| i != TOO_MANY_NAMES)?;
        let off = u32::try_from(self.bytes.len()).ok()?;
        let len = u32::try_from(name.len()).ok()?;
        // Every offset plus one fits in `u32` too ([`BatchNames`]' slots).
        u32::try_from(self.bytes.len() + 8 + name.len()).ok()?;
        let id = new_id(index);
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&id.to_le_bytes());
        self.bytes.extend_from_slice(name.as_bytes());
        self.offsets.push(off);
        self.hashes.push(hash);
        Some((id, off))
    }

    /// The name added `index`-th.
    fn name_of(&self, index: u32) -> &str {
        let (bytes, _) = self.record(self.offsets[index as usize]);
        // Copied whole from a `&str`.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

/// Names interned on one thread, one at a time ([`Intern::intern`], `perf
/// script`'s symbols): an [`Arena`] looked up through a hashbrown table of
/// `(offset, index)`. Ids are indexes.
#[derive(Default)]
pub(crate) struct LocalNames {
    table: HashTable<(u32, u32)>,
    arena: Arena,
    /// foldhash, seeded per process (crafted inputs cannot force collisions).
    hasher: DefaultHashBuilder,
}

impl<'a> Intern<'a> for LocalNames {
    fn intern(&mut self, name: &'a str) -> u32 {
        let hash = self.hasher.hash_one(name);
        let arena = &self.arena;
        if let Some(&(_, id)) = self.table.find(hash, |&(off, _)| arena.record(off).0 == name.as_bytes()) {
            return id;
        }
        let Some((id, off)) = self.arena.add(name, hash, |index| index) else { return TOO_MANY_NAMES };
        let hashes = &self.arena.hashes;
        self.table.insert_unique(hash, (off, id), |&(_, i)| hashes[i as usize]);
        id
    }

    fn name(&self, id: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.arena.name_of(id))
    }

    fn len(&self) -> usize {
        self.arena.offsets.len()
    }
}

/// Names interned on one thread in batches ([`Intern::intern_all`], the
/// frames of a collapsed line): an [`Arena`] looked up through an
/// open-addressing table of 8-byte slots (a fingerprint of the hash and the
/// offset), so a found name costs two reads, a slot and a record. With many
/// names both miss the cache, which is most of the cost of interning; a
/// batch reads every name's slot and record before resolving any, so the
/// misses of a batch overlap.
#[derive(Default)]
pub(crate) struct BatchNames {
    /// Linear probing, a power of two long (or empty) and at most 7/8 full
    /// (a small table stays in the cache; a probe reads on through the slots
    /// of other names, a few to a cache line, comparing only fingerprints):
    /// `0` for a free slot, else the hash's high 32 bits above the name's
    /// offset plus one.
    slots: Vec<u64>,
    arena: Arena,
    /// foldhash, seeded per process (crafted inputs cannot force collisions).
    hasher: DefaultHashBuilder,
}

/// Slots of a [`BatchNames`] table before its first growth.
const MIN_SLOTS: usize = 1024;

impl BatchNames {
    /// An empty table hashing with `hasher`.
    fn with_hasher(hasher: DefaultHashBuilder) -> Self {
        BatchNames { hasher, ..BatchNames::default() }
    }

    /// The slot where probing for `hash` starts.
    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// The least number of slots that holds `names` names at most 7/8 full
    /// (always more than `names`: probing ends at a free slot).
    fn slots_for(names: usize) -> usize {
        (names / 7).saturating_mul(8).saturating_add(names % 7 + 1).max(MIN_SLOTS)
    }

    /// The slot value of a name with `hash` at offset `off`.
    fn slot(hash: u64, off: u32) -> u64 {
        (hash & !0xffff_ffff) | (u64::from(off) + 1)
    }

    /// The offset in slot value `s` when it holds a name whose hash has
    /// the fingerprint of `hash` (the inverse of [`BatchNames::slot`]).
    fn candidate(s: u64, hash: u64) -> Option<u32> {
        (s != 0 && (s ^ hash) >> 32 == 0).then(|| s as u32 - 1)
    }

    /// Make room for `more` names without growing in between.
    fn reserve(&mut self, more: usize) {
        let want = Self::slots_for(self.arena.offsets.len().saturating_add(more));
        if self.slots.len() >= want {
            return;
        }
        let Some(len) = want.checked_next_power_of_two() else { return };
        self.slots = vec![0; len];
        for (&hash, &off) in self.arena.hashes.iter().zip(&self.arena.offsets) {
            let mut i = self.home(hash);
            while self.slots[i] != 0 {
                i = (i + 1) & (len - 1);
            }
            self.slots[i] = Self::slot(hash, off);
        }
    }

    /// The id of `name` (whose hash is `hash`); a new name is given the id
    /// `new_id(index)` (`index`: how many names were interned before it).
    /// Room for it must have been reserved ([`BatchNames::reserve`]).
    fn intern_hashed(&mut self, name: &str, hash: u64, new_id: impl FnOnce(u32) -> u32) -> u32 {
        // Only when the table could not grow: keep it at most 7/8 full, so
        // probing always ends at a free slot.
        if self.slots.len() < Self::slots_for(self.arena.offsets.len().saturating_add(1)) {
            return TOO_MANY_NAMES;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let s = self.slots[i];
            if s == 0 {
                break;
            }
            if let Some(off) = Self::candidate(s, hash) {
                let (bytes, id) = self.arena.record(off);
                if bytes == name.as_bytes() {
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        let Some((id, off)) = self.arena.add(name, hash, new_id) else { return TOO_MANY_NAMES };
        self.slots[i] = Self::slot(hash, off);
        id
    }

    /// Hash `names` into `hashes` (cleared first) and [`read_ahead`] them.
    ///
    /// [`read_ahead`]: BatchNames::read_ahead
    fn prepare(&mut self, names: &[&str], hashes: &mut Vec<u64>) {
        hashes.clear();
        hashes.extend(names.iter().map(|n| self.hasher.hash_one(n)));
        self.read_ahead(hashes);
    }

    /// Make room for names of these `hashes`, and read the slot each will
    /// probe first, then the record it points to (first and last byte: a
    /// name may span two cache lines), without using the values: a batch's
    /// cache misses overlap instead of coming one after the other.
    fn read_ahead(&mut self, hashes: &[u64]) {
        self.reserve(hashes.len());
        let mut sink = 0u64;
        for &h in hashes {
            sink ^= self.slots[self.home(h)];
        }
        let bytes = &self.arena.bytes;
        for &h in hashes {
            if let Some(off) = Self::candidate(self.slots[self.home(h)], h) {
                let off = off as usize;
                let len = bytes.get(off..off + 4).map_or(0, |_| self.arena.word(off) as usize);
                sink ^= u64::from(bytes.get(off + 7 + len).copied().unwrap_or(0));
            }
        }
        std::hint::black_box(sink);
    }
}

impl<'a> Intern<'a> for BatchNames {
    fn intern(&mut self, name: &'a str) -> u32 {
        let hash = self.hasher.hash_one(name);
        self.reserve(1);
        self.intern_hashed(name, hash, |index| index)
    }

    /// Every name of the batch read ahead ([`BatchNames::prepare`]), then
    /// interned in turn.
    fn intern_all(&mut self, names: &[&'a str], hashes: &mut Vec<u64>, out: &mut Vec<u32>) {
        self.prepare(names, hashes);
        for (name, &hash) in names.iter().zip(hashes.iter()) {
            out.push(self.intern_hashed(name, hash, |index| index));
        }
    }

    fn name(&self, id: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.arena.name_of(id))
    }

    fn len(&self) -> usize {
        self.arena.offsets.len()
    }
}

/// A value on cache lines of its own: locking one shard does not take the
/// cache line of its neighbours from the other threads' cores.
#[repr(align(128))]
struct Padded<T>(T);

/// Lock `m`. A panic while holding a lock cannot leave a table (or a
/// list) half-updated in a way that matters here (entries are added
/// whole): keep going.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Shards of [`ShardedNames`] (a power of two): enough that workers
/// rarely want the same one at once.
const SHARDS: usize = 16;

/// Items read ahead together before they are interned: names within one
/// shard's run here, frames of first opens in the trace and `.cpuprofile`
/// importers.
pub(crate) const READ_AHEAD: usize = 64;

/// The first and last byte of `b` XORed (0 when empty), to read a string
/// ahead without using it (it may span two cache lines): its callers hand
/// what they gather to [`std::hint::black_box`].
pub(crate) fn read_ends(b: &[u8]) -> u8 {
    b.first().copied().unwrap_or(0) ^ b.last().copied().unwrap_or(0)
}

/// Names a worker keeps back before interning them: enough that each
/// shard's lock is taken for a run of names, few enough that their bytes
/// (a few dozen lines of input) are still in the cache when compared.
const BATCH_NAMES: usize = 4096;

/// Names interned by several worker threads in batches: the table is cut
/// by hash into [`SHARDS`] [`BatchNames`], each behind a lock. A worker
/// keeps [`BATCH_NAMES`] names back ([`ShardedBatch`]), then interns them
/// shard by shard, taking each lock once per batch. Every name
/// is learned once for the whole input (no per-worker copy of the table),
/// and lookups cost what they cost on one thread. Ids are a name's index in
/// its shard times [`SHARDS`] plus the shard: they depend on which
/// worker met a name first, but the merge numbers group frames in file
/// order, so the group does not.
pub(crate) struct ShardedNames<'a> {
    shards: Box<[NameShard<'a>]>,
    hasher: DefaultHashBuilder,
    /// Batches handed out ([`ShardedNames::batch`]).
    batches: AtomicUsize,
    /// Names interned in all, counted as they are added ([`Intern::len`]
    /// without taking any lock).
    count: Padded<AtomicUsize>,
}

/// One shard of [`ShardedNames`]: its table, and its names in order, as
/// borrowed from the input (the merge reads a name without copying it).
/// The names have a lock of their own, held only to push or read one: the
/// merge looks a name up ([`Intern::name`]) without waiting for a worker
/// that holds the table through a run of lookups.
struct NameShard<'a> {
    table: Padded<Mutex<BatchNames>>,
    names: Padded<Mutex<Vec<&'a str>>>,
}

impl<'a> NameShard<'a> {
    /// The id of `name` (hash `hash`) in shard `shard`, added if new, in
    /// `table` (this shard's, locked), and whether it was added. Room must
    /// have been reserved ([`BatchNames::reserve`]).
    fn intern(
        &self,
        table: &mut BatchNames,
        shard: usize,
        name: &'a str,
        hash: u64,
        count: &AtomicUsize,
    ) -> (u32, bool) {
        let mut added = false;
        // Called only for a name the arena then adds, under the table's
        // lock: `names` keeps the arena's order.
        let id = table.intern_hashed(name, hash, |index| {
            lock(&self.names.0).push(name);
            count.fetch_add(1, Ordering::Relaxed);
            added = true;
            ShardedNames::id(shard, index)
        });
        (id, added)
    }
}

impl ShardedNames<'_> {
    pub(crate) fn new() -> Self {
        let hasher = DefaultHashBuilder::default();
        let shard = || NameShard {
            table: Padded(Mutex::new(BatchNames::with_hasher(hasher.clone()))),
            names: Padded(Mutex::new(Vec::new())),
        };
        let shards = (0..SHARDS).map(|_| shard()).collect();
        ShardedNames { shards, hasher, batches: AtomicUsize::new(0), count: Padded(AtomicUsize::new(0)) }
    }

    /// The shard of a name hashed to `hash`: its top bits (a shard's
    /// [`BatchNames`] takes its slots from the low bits).
    fn shard_of(hash: u64) -> usize {
        (hash >> (64 - SHARDS.trailing_zeros())) as usize
    }

    /// The id of the `index`-th name of shard `shard`.
    fn id(shard: usize, index: u32) -> u32 {
        index
            .checked_mul(SHARDS as u32)
            .and_then(|i| i.checked_add(shard as u32))
            .filter(|&id| id != TOO_MANY_NAMES)
            .unwrap_or(TOO_MANY_NAMES)
    }
}

impl<'a> Intern<'a> for &ShardedNames<'a> {
    fn intern(&mut self, name: &'a str) -> u32 {
        let hash = self.hasher.hash_one(name);
        let shard = ShardedNames::shard_of(hash);
        let s = &self.shards[shard];
        let mut t = lock(&s.table.0);
        t.reserve(1);
        s.intern(&mut t, shard, name, hash, &self.count.0).0
    }

    fn name(&self, id: u32) -> Cow<'_, str> {
        let name = lock(&self.shards[id as usize % SHARDS].names.0)[(id / SHARDS as u32) as usize];
        Cow::Borrowed(name)
    }

    fn len(&self) -> usize {
        self.count.0.load(Ordering::Relaxed)
    }
}

/// One worker's side of [`ShardedNames`]: [`Intern::intern_all`] hashes
/// the names and keeps them back; once [`BATCH_NAMES`] are kept, and at
/// [`Intern::finish_chunk`], they are sorted by shard and each shard's run
/// is interned under its lock, starting at a shard of its own (`first`), so
/// workers seldom wait.
pub(crate) struct ShardedBatch<'a, 's> {
    shared: &'s ShardedNames<'a>,
    first: usize,
    names: Vec<&'a str>,
    hashes: Vec<u64>,
    /// Scratch: positions in `names` sorted by shard, the hashes of one
    /// run read ahead together.
    order: Vec<u32>,
    run_hashes: Vec<u64>,
    /// Positions in `names` of the names this batch added to the table,
    /// with their ids (scratch of [`ShardedBatch::resolve`]).
    added: Vec<(u32, u32)>,
    /// Strings of the names added, for [`Intern::take_made`]: made only
    /// when `make` ([`ShardedNames::batch_making_strings`]).
    make: bool,
    made: Vec<(u32, String)>,
}

impl<'a> ShardedNames<'a> {
    /// A new batch of this table, for one worker (or one chunk): each
    /// batch starts at another shard than the one before.
    pub(crate) fn batch(&self) -> ShardedBatch<'a, '_> {
        ShardedBatch::new(self, self.batches.fetch_add(1, Ordering::Relaxed), false)
    }

    /// [`ShardedNames::batch`] that also makes the strings of the names it
    /// adds ([`Intern::take_made`]), for a merge that makes each name a
    /// frame's (the trace importer's matching needs only ids).
    pub(crate) fn batch_making_strings(&self) -> ShardedBatch<'a, '_> {
        ShardedBatch::new(self, self.batches.fetch_add(1, Ordering::Relaxed), true)
    }
}

impl<'a, 's> ShardedBatch<'a, 's> {
    /// The `worker`-th worker's batch ([`ShardedNames::batch`] counts them).
    fn new(shared: &'s ShardedNames<'a>, worker: usize, make: bool) -> Self {
        ShardedBatch {
            shared,
            first: worker.wrapping_mul(SHARDS / 2 + 1) % SHARDS,
            names: Vec::new(),
            hashes: Vec::new(),
            order: Vec::new(),
            run_hashes: Vec::new(),
            added: Vec::new(),
            make,
            made: Vec::new(),
        }
    }
}

impl<'a> Intern<'a> for ShardedBatch<'a, '_> {
    fn intern(&mut self, name: &'a str) -> u32 {
        let mut shared = self.shared;
        shared.intern(name)
    }

    fn intern_all(&mut self, names: &[&'a str], _hashes: &mut Vec<u64>, out: &mut Vec<u32>) {
        let hasher = &self.shared.hasher;
        self.hashes.extend(names.iter().map(|n| hasher.hash_one(n)));
        self.names.extend_from_slice(names);
        out.resize(out.len() + names.len(), TOO_MANY_NAMES);
        if self.names.len() >= BATCH_NAMES {
            self.resolve(out);
        }
    }

    fn finish_chunk(&mut self, out: &mut [u32]) {
        self.resolve(out);
    }

    fn name(&self, id: u32) -> Cow<'_, str> {
        self.shared.name(id)
    }

    fn take_made(&mut self) -> Vec<(u32, String)> {
        std::mem::take(&mut self.made)
    }

    fn len(&self) -> usize {
        self.shared.len()
    }
}

impl ShardedBatch<'_, '_> {
    /// Intern the names kept back, whose ids are the last ones of `out`.
    fn resolve(&mut self, out: &mut [u32]) {
        let n = self.names.len();
        let base = out.len() - n;
        let mut starts = [0usize; SHARDS + 1];
        for &h in &self.hashes {
            starts[ShardedNames::shard_of(h) + 1] += 1;
        }
        for s in 0..SHARDS {
            starts[s + 1] += starts[s];
        }
        let mut next = starts;
        self.order.clear();
        self.order.resize(n, 0);
        for (k, &h) in self.hashes.iter().enumerate() {
            let s = ShardedNames::shard_of(h);
            self.order[next[s]] = k as u32;
            next[s] += 1;
        }
        // The shards with names, from this worker's first. A shard whose
        // lock another worker holds is passed over and tried again after
        // the others; only when every shard left is held does the worker
        // wait, for the first of them.
        let mut left = [0usize; SHARDS];
        let mut n_left = 0;
        for j in 0..SHARDS {
            let shard = (self.first + j) % SHARDS;
            if starts[shard] < starts[shard + 1] {
                left[n_left] = shard;
                n_left += 1;
            }
        }
        while n_left > 0 {
            let mut kept = 0;
            for j in 0..n_left {
                let shard = left[j];
                let t = match self.shared.shards[shard].table.0.try_lock() {
                    Ok(t) => t,
                    Err(TryLockError::Poisoned(e)) => e.into_inner(),
                    Err(TryLockError::WouldBlock) => {
                        left[kept] = shard;
                        kept += 1;
                        continue;
                    }
                };
                self.intern_shard(t, shard, &starts, base, out);
            }
            if kept == n_left {
                // Every shard left is held: wait for the first.
                let shard = left[0];
                let t = lock(&self.shared.shards[shard].table.0);
                self.intern_shard(t, shard, &starts, base, out);
                left.copy_within(1..kept, 0);
                kept -= 1;
            }
            n_left = kept;
        }
        // Outside the locks, while the names are still in the cache.
        let names = &self.names;
        self.made.extend(self.added.drain(..).map(|(id, k)| (id, names[k as usize].to_owned())));
        self.names.clear();
        self.hashes.clear();
    }

    /// Intern the names kept back that fall in shard `shard` (positions
    /// `order[starts[shard]..starts[shard + 1]]`), whose table `t` is
    /// locked; their ids go to `out[base + position]`.
    fn intern_shard(
        &mut self,
        mut t: std::sync::MutexGuard<'_, BatchNames>,
        shard: usize,
        starts: &[usize; SHARDS + 1],
        base: usize,
        out: &mut [u32],
    ) {
        let s = &self.shared.shards[shard];
        for part in self.order[starts[shard]..starts[shard + 1]].chunks(READ_AHEAD) {
            self.run_hashes.clear();
            self.run_hashes.extend(part.iter().map(|&k| self.hashes[k as usize]));
            t.read_ahead(&self.run_hashes);
            for (&k, &hash) in part.iter().zip(&self.run_hashes) {
                let (id, added) = s.intern(&mut t, shard, self.names[k as usize], hash, &self.shared.count.0);
                if added && self.make && id != TOO_MANY_NAMES {
                    self.added.push((id, k));
                }
                out[base + k as usize] = id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch from [`ShardedNames::batch_making_strings`] hands over the
    /// strings of the names it added, with their ids, once (not those
    /// another batch added first); a plain batch makes none.
    #[test]
    fn only_batches_making_strings_make_the_strings_of_names_they_add() {
        let names = ShardedNames::new();
        let (mut hashes, mut out) = (Vec::new(), Vec::new());
        let mut plain = names.batch();
        plain.intern_all(&["a", "b"], &mut hashes, &mut out);
        plain.finish_chunk(&mut out);
        assert!(plain.take_made().is_empty());
        let mut making = names.batch_making_strings();
        let mut ids = Vec::new();
        making.intern_all(&["b", "c"], &mut hashes, &mut ids);
        making.finish_chunk(&mut ids);
        assert_eq!(ids[0], out[1]);
        assert_eq!(making.take_made(), [(ids[1], "c".to_owned())]);
        assert!(making.take_made().is_empty());
    }

    #[test]
    fn parts_read_as_one_vector_whatever_their_split() {
        // 0..10 as [0, 1] [] [2, 3, 4] pushed 5 [6] [7, 8, 9], against 0..10
        // in one part and one at a time.
        let mut p = Parts::default();
        p.push_part(vec![0, 1]);
        p.push_part(Vec::new());
        p.append(Parts::from(vec![2, 3, 4]));
        p.push(5);
        p.push_part(vec![6]);
        p.extend([7, 8, 9]);
        let whole: Vec<i32> = (0..10).collect();
        assert_eq!(p.len(), 10);
        assert_eq!(p.iter().copied().collect::<Vec<_>>(), whole);
        assert_eq!(
            (0..12).map(|i| p.get(i).copied()).collect::<Vec<_>>(),
            (0..12).map(|i| whole.get(i).copied()).collect::<Vec<_>>()
        );
        assert_eq!(p[9], 9);
        assert_eq!(p, Parts::from(whole.clone()));
        let mut one_by_one = Parts::default();
        one_by_one.extend(whole);
        assert_eq!(p, one_by_one);
        assert_ne!(p, Parts::from(vec![0, 1, 2]));
        for x in p.iter_mut() {
            *x *= 2;
        }
        assert_eq!(p[7], 14);
        let empty: Parts<i32> = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty() && empty.get(0).is_none());
    }

    #[test]
    fn pushed_items_go_to_new_parts_instead_of_growing_one() {
        // Past a part pushed whole (full: 3 of 3), then past the largest
        // part size, every item keeps its place and no part is grown.
        let mut p = Parts::default();
        p.push_part(vec![0u64, 1, 2]);
        let n = 3 * (MAX_PART_BYTES / 8);
        for x in 3..n as u64 {
            p.push(x);
        }
        assert_eq!(p.len(), n);
        assert!(p.iter().copied().eq(0..n as u64));
        assert!([0, 2, 3, 4, 16, 17, 1000, n / 2, n - 1].iter().all(|&i| p.get(i) == Some(&(i as u64))));
        assert!(p.get(n).is_none());
        let caps: Vec<usize> = p.parts.iter().map(Vec::capacity).collect();
        assert_eq!(&caps[..4], [3, FIRST_PART, 2 * FIRST_PART, 4 * FIRST_PART]);
        assert!(caps.iter().all(|&c| c * 8 <= MAX_PART_BYTES), "{caps:?}");
        assert!(p
            .parts
            .iter()
            .all(|part| part.len() == part.capacity() || std::ptr::eq(part, p.parts.last().unwrap())));
    }

    /// Checks that `ids` (of `names`, in order) follow first appearances:
    /// a name met again keeps its id, a new name gets an id of its own,
    /// and `i` gives every id's name back.
    fn check_ids<'a>(i: &impl Intern<'a>, names: &[&'a str], ids: &[u32]) {
        assert_eq!(ids.len(), names.len());
        let mut first: Vec<(&str, u32)> = Vec::new();
        for (&n, &id) in names.iter().zip(ids) {
            match first.iter().find(|&&(f, _)| f == n) {
                Some(&(_, fid)) => assert_eq!(id, fid, "{n} met again keeps its id"),
                None => {
                    assert!(first.iter().all(|&(_, other)| other != id), "{n} gets an id of its own");
                    first.push((n, id));
                }
            }
            assert_eq!(i.name(id), n);
        }
        assert_eq!(i.len(), first.len());
    }

    /// Interns `names` one at a time and checks the ids ([`check_ids`]).
    fn check_interner<'a>(i: &mut impl Intern<'a>, names: &[&'a str]) {
        let ids: Vec<u32> = names.iter().map(|n| i.intern(n)).collect();
        check_ids(i, names, &ids);
    }

    const NAMES: [&str; 9] = ["main", "", "main;x", "é", "main", "a b", "", "mai", "é"];

    /// `check_interner`, then enough names to grow the table many times:
    /// ids are dense, in order of first appearance.
    fn check_dense<'a>(i: &mut impl Intern<'a>, fresh: &mut impl Intern<'a>, many: &[&'a str]) {
        check_interner(i, &NAMES);
        let ids: Vec<u32> = many.iter().map(|n| fresh.intern(n)).collect();
        assert_eq!(fresh.len(), 3000);
        assert_eq!(ids[..3000], (0..3000).collect::<Vec<u32>>()[..]);
        assert_eq!(ids[3000..], ids[..2000]);
    }

    #[test]
    fn local_names_give_one_id_per_distinct_name() {
        let many: Vec<String> = (0..5000).map(|i| format!("f{}", i % 3000)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        check_dense(&mut LocalNames::default(), &mut LocalNames::default(), &many);
        check_dense(&mut BatchNames::default(), &mut BatchNames::default(), &many);
    }

    /// A worker does not wait for a shard another thread holds while it has
    /// names for other shards: it interns those first, then waits. And the
    /// merge reads names ([`Intern::name`]) while a shard's table is held.
    #[test]
    fn a_held_shard_is_passed_over_and_names_stay_readable() {
        use std::sync::mpsc::channel;
        use std::time::Duration;
        let owned: Vec<String> = (0..4000).map(|i| format!("h{i}")).collect();
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        let shared = ShardedNames::new();
        let shard = |n: &str| ShardedNames::shard_of(shared.hasher.hash_one(n));
        // A name of shard 0 learned before: readable while shard 0 is held.
        let known = names.iter().copied().find(|&n| shard(n) == 0).expect("a name of shard 0");
        let known_id = (&shared).intern(known);
        let others = names.iter().filter(|&&n| shard(n) != 0).count();
        let in_zero = names.len() - others;
        assert!(others > 0 && in_zero > 1);
        // Worker 0 starts at shard 0 ([`ShardedBatch::new`]).
        let mut batch = ShardedBatch::new(&shared, 0, false);
        assert_eq!(batch.first, 0);
        std::thread::scope(|scope| {
            // Held inside the scope: a failed assertion releases it, so
            // the worker ends and the failure is reported (not a hang).
            let held = lock(&shared.shards[0].table.0);
            let (done_tx, done_rx) = channel();
            let names = &names;
            let worker = scope.spawn(move || {
                let (mut ids, mut h) = (Vec::new(), Vec::new());
                batch.intern_all(names, &mut h, &mut ids);
                batch.finish_chunk(&mut ids);
                let _ = done_tx.send(());
                ids
            });
            // The names of every other shard arrive while shard 0 is held.
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while (&shared).len() < 1 + others && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!((&shared).len(), 1 + others, "the other shards were interned while shard 0 was held");
            assert!(done_rx.try_recv().is_err(), "the worker waits for shard 0");
            // The merge's read does not wait for the table's lock.
            let (tx, rx) = channel();
            let shared = &shared;
            scope.spawn(move || {
                let _ = tx.send((&shared).name(known_id).into_owned());
            });
            assert_eq!(rx.recv_timeout(Duration::from_secs(20)).as_deref(), Ok(known));
            drop(held);
            let ids = worker.join().expect("worker");
            check_ids(&shared, names, &ids);
        });
        // `known` is one of `names`.
        assert_eq!((&shared).len(), names.len());
    }

    #[test]
    fn sharded_names_agree_between_workers() {
        let owned: Vec<String> = (0..2000).map(|i| format!("n{i}")).collect();
        let shared = ShardedNames::new();
        check_interner(&mut &shared, &NAMES);
        // Two workers meeting the same names in opposite orders, in their
        // own batches, get the same ids.
        let (mut a, mut b) = (ShardedBatch::new(&shared, 0, false), ShardedBatch::new(&shared, 1, false));
        let (mut ida, mut idb, mut h) = (Vec::new(), Vec::new(), Vec::new());
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        let reversed: Vec<&str> = names.iter().rev().copied().collect();
        a.intern_all(&names, &mut h, &mut ida);
        a.finish_chunk(&mut ida);
        b.intern_all(&reversed, &mut h, &mut idb);
        b.finish_chunk(&mut idb);
        assert_eq!(ida, idb.into_iter().rev().collect::<Vec<_>>());
        for (n, &id) in owned.iter().zip(&ida) {
            assert_eq!((&shared).name(id), n.as_str());
        }
        assert_eq!((&shared).len(), 2000 + 6);
    }

    /// Interns `names` in batches of `batch` with [`Intern::intern_all`]
    /// (then [`Intern::finish_chunk`]) and checks the ids ([`check_ids`]; a
    /// name may appear twice in one batch, new the first time).
    fn check_batches<'a>(i: &mut impl Intern<'a>, names: &[&'a str], batch: usize) {
        let (mut ids, mut hashes) = (Vec::new(), Vec::new());
        for part in names.chunks(batch) {
            i.intern_all(part, &mut hashes, &mut ids);
        }
        i.finish_chunk(&mut ids);
        check_ids(i, names, &ids);
    }

    #[test]
    fn batches_give_the_ids_of_one_name_at_a_time() {
        // Repeats inside a batch, and enough names to grow the table from
        // within a batch and to fill several of a worker's batches.
        let owned: Vec<String> = (0..6000).map(|i| format!("g{}", (i * 7919) % 2500)).collect();
        let mut names: Vec<&str> = NAMES.to_vec();
        names.extend(owned.iter().map(String::as_str));
        for batch in [1, 2, 3, 64, 5000] {
            check_batches(&mut LocalNames::default(), &names, batch);
            check_batches(&mut BatchNames::default(), &names, batch);
            let shared = ShardedNames::new();
            check_batches(&mut ShardedBatch::new(&shared, 3, false), &names, batch);
            // A second worker meeting the same names gets the same ids.
            let mut a = ShardedBatch::new(&shared, 4, false);
            let (mut ida, mut idb, mut h) = (Vec::new(), Vec::new(), Vec::new());
            a.intern_all(&names, &mut h, &mut ida);
            a.finish_chunk(&mut ida);
            for &n in &names {
                idb.push((&shared).intern(n));
            }
            assert_eq!(ida, idb);
        }
    }

    #[test]
    fn split_cuts_after_newlines_and_covers_the_text() {
        let text = "aaaa\nbb\ncccccc\nd";
        let chunks = split(text, 3, line_boundary);
        assert_eq!(chunks, vec!["aaaa\n", "bb\ncccccc\n", "d"]);
        assert_eq!(chunks.concat(), text);
        assert_eq!(split("no newline at all", 3, line_boundary), vec!["no newline at all"]);
    }

    #[test]
    fn utf8_chunks_merge_until_the_first_chunk_that_is_not_utf8() {
        let text = b"aa\nbb\n\xFF\ncc\ndd\n".repeat(40);
        let chunks = split_bytes(&text, 5, line_boundary);
        assert_eq!(chunks.concat(), text);
        let bad = chunks.iter().position(|c| std::str::from_utf8(c).is_err()).unwrap();
        for threads in [1, 3] {
            let mut merged = Vec::new();
            let all = parse_utf8_ordered_with(
                &chunks,
                threads,
                || (),
                |_, t| t.to_owned(),
                |t| {
                    merged.push(t);
                    Ok(())
                },
            );
            assert_eq!(all, Ok(false));
            assert_eq!(merged.len(), bad, "the chunks before the bad one, in order");
            let good: Vec<&str> = chunks[..bad].iter().map(|c| std::str::from_utf8(c).unwrap()).collect();
            assert_eq!(merged, good);
        }
        let clean = b"aa\nbb\ncc\n".repeat(40);
        let chunks = split_bytes(&clean, 5, line_boundary);
        let mut n = 0;
        assert_eq!(
            parse_utf8_ordered_with(
                &chunks,
                3,
                || (),
                |_, t| t.len(),
                |len| {
                    n += len;
                    Ok(())
                }
            ),
            Ok(true)
        );
        assert_eq!(n, clean.len());
    }

    #[test]
    fn merge_sees_chunks_in_order_and_stops_at_the_first_error() {
        let chunks: Vec<&str> = (0..50).map(|i| if i % 2 == 0 { "x" } else { "yy" }).collect();
        let mut seen = Vec::new();
        parse_ordered_with(
            &chunks,
            4,
            || (),
            |_, c| c.len(),
            |n| {
                seen.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, chunks.iter().map(|c| c.len()).collect::<Vec<_>>());
        let mut merged = 0;
        let err = parse_ordered_with(
            &chunks,
            3,
            || (),
            |_, c| c.len(),
            |_| {
                merged += 1;
                if merged == 7 {
                    return Err(flamekit_core::Error::Internal { message: "stop".into() });
                }
                Ok(())
            },
        );
        assert!(err.is_err());
        assert_eq!(merged, 7);
    }

    #[test]
    fn a_worker_that_panics_is_an_internal_error_not_a_panic() {
        let chunks: Vec<usize> = (0..40).collect();
        for workers in [1, 3] {
            let mut merged = Vec::new();
            let result = parse_ordered_on(
                &chunks,
                workers,
                || (),
                |_, c| {
                    assert!(c != 17, "chunk 17 panics");
                    c
                },
                |c| {
                    merged.push(c);
                    Ok(())
                },
            );
            let err = result.expect_err("a chunk was lost");
            assert_eq!(err.code(), "internal_error", "{err}");
            // Every chunk before the lost one was merged, in order.
            assert_eq!(merged, (0..17).collect::<Vec<_>>());
        }
    }
}
