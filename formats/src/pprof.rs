//! pprof `profile.proto` (github.com/google/pprof), as written by Go's
//! `runtime/pprof`, `pprof-rs`, `py-spy --format raw`... Raw protobuf here;
//! gzip-compressed files are inflated by [`crate::import_with`] before this
//! importer runs.
//!
//! What is supported:
//! - every sample type becomes one sampled profile named after its type
//!   (`samples`, `cpu`, `alloc_space`, ...), unit from the sample type's unit
//!   (`nanoseconds`, `microseconds`, `milliseconds`, `seconds`, `bytes`; any
//!   other unit, `count` included, gives [`ValueUnit::None`]);
//! - `default_sample_type` picks the active profile; when it is unset or names
//!   no sample type, the last sample type is active (pprof's own convention);
//! - stacks come from locations → lines → functions, one frame per line so
//!   inlined calls show up as their own frames (a location lists its lines
//!   innermost first; stacks here are outermost first). One frame per
//!   *function*: name (or `system_name`, or `(unknown)`), file name and
//!   `start_line`; the per-call-site line of a `Line` is not part of the frame,
//!   which would split one function into many frames;
//! - a location without lines (only a mapping and an address) becomes a frame
//!   named after its address (`0x1234`) with the mapping's file name as file;
//! - samples whose value is 0 are left out of that sample type's profile;
//!   negative values are skipped with a `negative_value` report entry.
//!
//! A sample costs its locations, not its frames: a location of more than a
//! few inlined lines (a crafted file may give one thousands, and reference
//! it from every sample with a byte or two) is expanded once per stack node
//! it hangs from, then found again in one look-up. The stack table a file
//! can make this way is bounded by `IngestLimits::max_stack_nodes`.
//!
//! Every string-table index and every id reference is checked; a bad one is an
//! [`Error::InvalidProfile`] naming the field (`function[3].name`), an input
//! that stops inside a top-level field is [`Error::Truncated`].

use std::borrow::Cow;

use hashbrown::HashMap;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, SampledSetBuilder, StackId,
    ValueUnit,
};
use prost::Message;

use crate::ImportOptions;

mod wire;

const FORMAT: &str = crate::Format::Pprof.id();

// The subset of profile.proto this importer reads. Fields not declared here
// (labels, mapping ranges, comments, ...) are skipped by the decoder.
//
// `PbProfile` leaves out `sample` (field 2), which prost then skips: samples
// are decoded one at a time from their byte ranges ([`for_each_sample`]) into
// one reused `PbSample`, so the decoded samples never all sit in memory.

#[derive(Clone, PartialEq, prost::Message)]
struct PbProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<PbValueType>,
    #[prost(message, repeated, tag = "3")]
    mapping: Vec<PbMapping>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<PbLocation>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<PbFunction>,
    // `string_table` (field 6) is not decoded: its entries are borrowed from
    // the input instead (no copy, no allocation per string), by
    // `wire::profile` in its walk or else by [`string_table`].
    #[prost(int64, tag = "14")]
    default_sample_type: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbSample {
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbMapping {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "5")]
    filename: i64,
    #[prost(int64, tag = "6")]
    build_id: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbLocation {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(uint64, tag = "2")]
    mapping_id: u64,
    #[prost(uint64, tag = "3")]
    address: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<PbLine>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbLine {
    #[prost(uint64, tag = "1")]
    function_id: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbFunction {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "3")]
    system_name: i64,
    #[prost(int64, tag = "4")]
    filename: i64,
    #[prost(int64, tag = "5")]
    start_line: i64,
}

/// Outcome of walking the top-level fields of a buffer as a `Profile` message.
enum Shape {
    /// Every top-level field is a valid `Profile` field; `strings` is true when
    /// a string table entry was seen.
    Valid { fields: u64, strings: bool },
    /// The input stops inside the field starting at this byte offset.
    Truncated(usize),
    /// The field at this byte offset is not a `Profile` field.
    Invalid(usize, String),
}

/// Walk the top-level fields (without descending into them): each must be a
/// field number of `Profile` with the wire type profile.proto gives it.
fn walk_shape(b: &[u8]) -> Shape {
    walk_fields(b, |_, _, _| ())
}

/// How far ahead of the field it is at [`walk_fields`] reads a byte: each
/// field's key and length are read where the field before says it ends, so
/// without it the walk waits for one cache line after another (samples are
/// about 100 bytes apart); with it each line is being loaded a few fields
/// before the walk gets there. Sniffing the 100 MB pprof files took 10.0–13.7
/// ms (`callgraph`) and 7.5–12.4 ms (`distinct`) without it, 6.1–7.0 and
/// 6.8–7.0 ms with it (the fastest of 15 runs, in three processes).
const WALK_AHEAD: usize = 320;

/// [`walk_shape`], calling `visit` with each field's number, the offset it
/// starts at and the range of its body (the offset after it, empty, for a
/// varint field).
fn walk_fields(b: &[u8], mut visit: impl FnMut(u64, usize, std::ops::Range<usize>)) -> Shape {
    let mut i = 0;
    let mut fields = 0;
    let mut strings = false;
    // See WALK_AHEAD; what it reads is dropped.
    let mut ahead = 0u8;
    while i < b.len() {
        let start = i;
        ahead ^= b.get(i + WALK_AHEAD).copied().unwrap_or(0);
        let Some((key, next)) = wire::varint(b, i) else {
            return if b.len() - i < 10 {
                Shape::Truncated(start)
            } else {
                Shape::Invalid(start, "bad field key".into())
            };
        };
        i = next;
        let (field, wire) = (key >> 3, key & 7);
        let ok = match field {
            1..=6 | 11 => wire == 2,
            7..=10 | 12 | 14 | 15 => wire == 0,
            13 => wire == 0 || wire == 2,
            _ => false,
        };
        if !ok {
            return Shape::Invalid(start, format!("field {field} with wire type {wire} is not a Profile field"));
        }
        let Some((v, next)) = wire::varint(b, i) else {
            return if b.len() - i < 10 { Shape::Truncated(start) } else { Shape::Invalid(start, "bad varint".into()) };
        };
        i = next;
        let body = i;
        if wire == 2 {
            match usize::try_from(v).ok().and_then(|n| i.checked_add(n)) {
                Some(end) if end <= b.len() => i = end,
                _ => return Shape::Truncated(start),
            }
        }
        strings |= field == 6;
        fields += 1;
        visit(field, start, body..i);
    }
    std::hint::black_box(ahead);
    Shape::Valid { fields, strings }
}

/// True when `bytes` are a raw protobuf whose every top-level field is a
/// field of pprof's `Profile` message with the right wire type, the whole
/// input is consumed exactly, and a string table is present. Text and JSON
/// fail this at their first bytes.
pub fn sniff(bytes: &[u8]) -> bool {
    matches!(walk_shape(bytes), Shape::Valid { fields, strings: true } if fields > 0)
}

fn unit_of(unit: &str) -> ValueUnit {
    match unit {
        "nanoseconds" | "ns" => ValueUnit::Nanoseconds,
        "microseconds" | "us" => ValueUnit::Microseconds,
        "milliseconds" | "ms" => ValueUnit::Milliseconds,
        "seconds" | "s" => ValueUnit::Seconds,
        "bytes" | "byte" => ValueUnit::Bytes,
        _ => ValueUnit::None,
    }
}

/// Resolved view of a decoded profile: string access and id → index maps,
/// with every reference checked.
struct Tables<'p> {
    p: &'p PbProfile,
    /// The string table's entries, borrowed from the input. Bytes rather
    /// than `str`: a non-UTF-8 entry is shown lossily instead of failing the
    /// whole import.
    strings: Vec<&'p [u8]>,
    functions: IdIndex,
    locations: IdIndex,
    mappings: IdIndex,
}

/// The entries of the top-level `string_table` field (6), in order, borrowed
/// from `b` (which has passed [`walk_shape`]).
fn string_table(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let _ = for_each_field(b, 6, |s| {
        out.push(s);
        Ok(())
    });
    out
}

/// Ids → indices of one table: `Dense` when the ids are `1..=n` in order
/// (what Go and most producers write; no map is built), a map otherwise.
enum IdIndex {
    Dense(usize),
    Map(HashMap<u64, usize>),
}

impl IdIndex {
    fn get(&self, id: &u64) -> Option<usize> {
        match self {
            IdIndex::Dense(n) => id.checked_sub(1).and_then(|i| usize::try_from(i).ok()).filter(|i| i < n),
            IdIndex::Map(m) => m.get(id).copied(),
        }
    }

    fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }
}

impl<'p> Tables<'p> {
    fn string(&self, idx: i64, at: impl FnOnce() -> String) -> Result<Cow<'p, str>> {
        usize::try_from(idx)
            .ok()
            .and_then(|i| self.strings.get(i))
            .map(|&s| match std::str::from_utf8(s) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(s),
            })
            .ok_or_else(|| {
                Error::invalid(
                    FORMAT,
                    at(),
                    format!("string index {idx} is out of range: string_table has {} entries", self.strings.len()),
                )
            })
    }

    /// [`Tables::string`]'s check, without decoding the string.
    fn check_string(&self, idx: i64, at: impl FnOnce() -> String) -> Result<()> {
        match usize::try_from(idx).ok().and_then(|i| self.strings.get(i)) {
            Some(_) => Ok(()),
            None => self.string(idx, at).map(|_| ()),
        }
    }
}

fn index_ids(ids: impl Iterator<Item = u64> + Clone, what: &str) -> Result<IdIndex> {
    let mut n = 0;
    if ids.clone().enumerate().all(|(i, id)| {
        n += 1;
        id == i as u64 + 1
    }) {
        return Ok(IdIndex::Dense(n));
    }
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id == 0 {
            return Err(Error::invalid(FORMAT, format!("{what}[{i}].id"), "id 0 is reserved"));
        }
        if map.insert(id, i).is_some() {
            return Err(Error::invalid(FORMAT, format!("{what}[{i}].id"), format!("duplicate {what} id {id}")));
        }
    }
    Ok(IdIndex::Map(map))
}

fn build_tables<'p>(p: &'p PbProfile, strings: Vec<&'p [u8]>) -> Result<Tables<'p>> {
    let t = Tables {
        p,
        strings,
        functions: index_ids(p.function.iter().map(|f| f.id), "function")?,
        locations: index_ids(p.location.iter().map(|l| l.id), "location")?,
        mappings: index_ids(p.mapping.iter().map(|m| m.id), "mapping")?,
    };
    for (i, st) in p.sample_type.iter().enumerate() {
        t.check_string(st.r#type, || format!("sample_type[{i}].type"))?;
        t.check_string(st.unit, || format!("sample_type[{i}].unit"))?;
    }
    t.check_string(p.default_sample_type, || "default_sample_type".into())?;
    for (i, f) in p.function.iter().enumerate() {
        t.check_string(f.name, || format!("function[{i}].name"))?;
        t.check_string(f.system_name, || format!("function[{i}].system_name"))?;
        t.check_string(f.filename, || format!("function[{i}].filename"))?;
    }
    for (i, m) in p.mapping.iter().enumerate() {
        t.check_string(m.filename, || format!("mapping[{i}].filename"))?;
        t.check_string(m.build_id, || format!("mapping[{i}].build_id"))?;
    }
    for (i, l) in p.location.iter().enumerate() {
        if l.mapping_id != 0 && !t.mappings.contains_key(&l.mapping_id) {
            return Err(Error::invalid(
                FORMAT,
                format!("location[{i}].mapping_id"),
                format!("no mapping has id {}", l.mapping_id),
            ));
        }
        for (j, line) in l.line.iter().enumerate() {
            if line.function_id != 0 && !t.functions.contains_key(&line.function_id) {
                return Err(Error::invalid(
                    FORMAT,
                    format!("location[{i}].line[{j}].function_id"),
                    format!("no function has id {}", line.function_id),
                ));
            }
        }
    }
    Ok(t)
}

/// [`Frames::function`] of a function not interned yet: never a frame id
/// ([`GroupBuilder`] refuses a frame past `u32::MAX - 1`).
const NOT_INTERNED: FrameId = FrameId::MAX;

/// How many of a run's expanded functions the calling thread reads ahead
/// ([`Frames::read_ahead_functions`]) of the one it is at: between this and
/// twice this.
const FUNCTIONS_AHEAD: usize = 512;

/// Lazily interned frames: one per function, one per line-less location.
struct Frames {
    /// Per function: its frame, or [`NOT_INTERNED`].
    function: Vec<FrameId>,
    /// How many of `function` are interned.
    interned: usize,
    /// Per location: its range of `arena`.
    location: Vec<LocationFrames>,
    /// Per location, outermost first, laid out in table order before the
    /// samples are read: function indices until the location is first used,
    /// then its frames (a location without function lines has one slot, for
    /// its address frame). First uses come in random order; this way they
    /// read one small table instead of the location and its line list.
    arena: Vec<u32>,
}

#[derive(Clone, Copy)]
struct LocationFrames {
    start: u32,
    end: u32,
    /// The range holds frame ids (else function indices, or the address slot).
    resolved: bool,
    /// No function lines: one slot, for the frame named after the address.
    address: bool,
    /// Resolved to one frame, whose id `start` now holds (read without
    /// `arena`, which a random first use would miss in the cache).
    one: bool,
}

/// A location's frames, outermost first ([`Frames::location_frames`]).
enum LocationStack {
    /// One frame (no inlined function).
    One(FrameId),
    /// A range of [`Frames::arena`].
    Range(usize, usize),
}

/// Every location's function indices, outermost first, read-only: the
/// workers expand a sample's new locations into them, so the calling
/// thread finds each frame in the small per-function table instead of
/// reading the location table (first uses in random order, cache misses
/// on large profiles). A line-less location has an empty range: its
/// address frame is found as before.
struct Expansion {
    /// Per location: its range of `functions`.
    range: Vec<[u32; 2]>,
    functions: Vec<u32>,
}

/// `n` as a `u32` index of [`Frames`]'s tables.
fn frames_index(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::LimitExceeded {
        limit: flamekit_core::LimitKind::Frames,
        max: u32::MAX.into(),
        value: n as u64,
    })
}

impl Frames {
    /// Every location's function indices (lines are innermost first: the
    /// last line is the caller the others were inlined into), none interned.
    fn new(t: &Tables<'_>) -> Result<Frames> {
        let mut location = Vec::with_capacity(t.p.location.len());
        let mut arena = Vec::with_capacity(t.p.location.len());
        for (li, loc) in t.p.location.iter().enumerate() {
            let start = arena.len();
            for line in loc.line.iter().rev().filter(|l| l.function_id != 0) {
                let fi = t.functions.get(&line.function_id).ok_or_else(|| {
                    Error::invalid(
                        FORMAT,
                        format!("location[{li}].line"),
                        format!("no function has id {}", line.function_id),
                    )
                })?;
                arena.push(frames_index(fi)?);
            }
            let address = arena.len() == start;
            if address {
                arena.push(0);
            }
            location.push(LocationFrames {
                start: frames_index(start)?,
                end: frames_index(arena.len())?,
                resolved: false,
                address,
                one: false,
            });
        }
        Ok(Frames { function: vec![NOT_INTERNED; t.p.function.len()], interned: 0, location, arena })
    }

    /// The function indices of every location, as [`Frames::new`] lays
    /// them out before any is resolved (line-less locations have none):
    /// what the workers expand new locations with ([`read_run`]).
    fn expansion(&self) -> Expansion {
        let range =
            self.location.iter().map(|l| if l.address { [l.start, l.start] } else { [l.start, l.end] }).collect();
        Expansion { range, functions: self.arena.clone() }
    }

    /// The frame of function index `fi`, interned on its first use. The
    /// look-up inlines into the callers' loops; the first use does not.
    #[inline]
    fn function_frame(&mut self, t: &Tables<'_>, g: &mut GroupBuilder, fi: usize) -> Result<FrameId> {
        match self.function.get(fi) {
            Some(&id) if id != NOT_INTERNED => Ok(id),
            _ => self.intern_function(t, g, fi),
        }
    }

    /// [`Frames::function_frame`] of a function not interned yet.
    #[cold]
    #[inline(never)]
    fn intern_function(&mut self, t: &Tables<'_>, g: &mut GroupBuilder, fi: usize) -> Result<FrameId> {
        let f = &t.p.function[fi];
        let mut name = t.string(f.name, || format!("function[{fi}].name"))?;
        if name.is_empty() {
            name = t.string(f.system_name, || format!("function[{fi}].system_name"))?;
        }
        if name.is_empty() {
            name = Cow::Borrowed("(unknown)");
        }
        let file = t.string(f.filename, || format!("function[{fi}].filename"))?;
        let file = (!file.is_empty()).then_some(&*file);
        let line = u32::try_from(f.start_line).ok().filter(|&l| l > 0);
        let id = g.frame_parts(&name, file, line, None)?;
        self.function[fi] = id;
        self.interned += 1;
        Ok(id)
    }

    /// Read the entries of locations `locs` without using them: their cache
    /// misses (locations first used in random order) overlap, instead of
    /// coming one after the other in [`Frames::location_frames`].
    fn read_ahead(&self, locs: &[u32]) {
        let mut sink = 0u32;
        for &li in locs {
            if let Some(l) = self.location.get(li as usize) {
                sink ^= l.start;
            }
        }
        std::hint::black_box(sink);
    }

    /// Read the entries, names and file names of the functions `fis` that
    /// are not interned yet, without using them: their first uses come in
    /// random order, and each interning would otherwise wait for three
    /// cache misses in turn (the entry, the string's slot, its bytes: both
    /// ends, as [`crate::parallel::read_ends`] reads them).
    /// Once every function is interned, it reads nothing.
    fn read_ahead_functions(&self, t: &Tables<'_>, fis: &[u32]) {
        if self.interned == self.function.len() {
            return;
        }
        let mut sink = 0u8;
        for &fi in fis {
            if self.function.get(fi as usize) != Some(&NOT_INTERNED) {
                continue;
            }
            if let Some(f) = t.p.function.get(fi as usize) {
                for idx in [f.name, f.filename] {
                    if let Some(s) = usize::try_from(idx).ok().and_then(|i| t.strings.get(i)) {
                        sink ^= crate::parallel::read_ends(s);
                    }
                }
            }
        }
        std::hint::black_box(sink);
    }

    /// Frames of location index `li`, outermost first.
    fn location_frames(&mut self, t: &Tables<'_>, g: &mut GroupBuilder, li: usize) -> Result<LocationStack> {
        let Some(&LocationFrames { start, end, resolved, address, one }) = self.location.get(li) else {
            return Err(Error::Internal { message: format!("no location {li}") });
        };
        if one {
            return Ok(LocationStack::One(start));
        }
        let (a, b) = (start as usize, end as usize);
        if !resolved {
            if address {
                let loc = &t.p.location[li];
                let file = match t.mappings.get(&loc.mapping_id) {
                    Some(mi) => {
                        let f = t.string(t.p.mapping[mi].filename, || format!("mapping[{mi}].filename"))?;
                        (!f.is_empty()).then(|| f.into_owned())
                    }
                    None => None,
                };
                self.arena[a] = g.frame(Frame::with_location(format!("0x{:x}", loc.address), file, None, None))?;
            } else {
                for k in a..b {
                    self.arena[k] = self.function_frame(t, g, self.arena[k] as usize)?;
                }
            }
            let l = &mut self.location[li];
            l.resolved = true;
            if b - a == 1 {
                (l.start, l.one) = (self.arena[a], true);
                return Ok(LocationStack::One(self.arena[a]));
            }
        }
        Ok(LocationStack::Range(a, b))
    }
}

/// Call `f` with the body of every top-level `sample` field (field 2), in
/// file order. `b` must have passed [`walk_shape`]; should it not, the walk
/// stops at the first malformed field.
fn for_each_sample(b: &[u8], f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    for_each_field(b, 2, f)
}

/// Call `f` with the body, borrowed from `b`, of every top-level
/// length-delimited field number `field`, in file order. `b` must have
/// passed [`walk_shape`]; should it not, the walk stops at the first
/// malformed field.
fn for_each_field<'a>(b: &'a [u8], field: u64, mut f: impl FnMut(&'a [u8]) -> Result<()>) -> Result<()> {
    let mut i = 0;
    while let Some((key, body, next)) = next_field(b, i) {
        if key >> 3 == field {
            if let Some(body) = body {
                f(&b[body])?;
            }
        }
        i = next;
    }
    Ok(())
}

/// The top-level field at `b[i..]` (a varint or a length-delimited field:
/// every top-level field of `Profile` is one): its key, its body's range
/// when it is length-delimited, and the index after it. `None` at the end
/// of `b` and at a malformed field.
fn next_field(b: &[u8], i: usize) -> Option<(u64, Option<std::ops::Range<usize>>, usize)> {
    if i >= b.len() {
        return None;
    }
    let (key, next) = wire::varint(b, i)?;
    let (v, next) = wire::varint(b, next)?;
    if key & 7 != 2 {
        return Some((key, None, next));
    }
    let end = usize::try_from(v).ok().and_then(|n| next.checked_add(n)).filter(|&e| e <= b.len())?;
    Some((key, Some(next..end), end))
}

/// Locations of more inlined functions than this are *long*: their frames
/// are not copied into each sample's stack, but found from the node the
/// stack reached before them, once per such node ([`Stacks::long`]). A
/// reference to a location costs a byte or two of input: without this, a
/// location of many lines referenced by every sample would cost its length
/// per sample. Real locations have one to a few lines.
const LONG_LOCATION: usize = 4;

/// Where a sample's stack stands after a long location ([`Stacks`]): the
/// shared node reached, its depth, and where the frames after it start in
/// [`Stacks::stack`].
#[derive(Clone, Copy)]
struct Reached {
    /// Index in [`Stacks::locs`] of the long location.
    at: usize,
    node: StackId,
    depth: usize,
    from: usize,
}

/// The stacks of the samples, built in file order on the calling thread.
/// Consecutive samples share their outermost locations (Go writes samples
/// in first-seen order): the shared prefix, already checked and resolved
/// for the previous sample, is reused.
struct Stacks {
    limits: flamekit_core::IngestLimits,
    frames: Frames,
    /// The previous sample's location indices, outermost first.
    locs: Vec<u32>,
    /// The frames of the stack, but those of long locations: the frames
    /// after the last long location, `reached`, are `stack[reached.from..]`.
    stack: Vec<FrameId>,
    /// `stack_lens[k]`: the stack's length after `locs[k]`, for the first
    /// `built` locations (an all-zero sample builds no stack).
    stack_lens: Vec<usize>,
    built: usize,
    /// The long locations among the first `built` (none in most profiles).
    reached: Vec<Reached>,
    /// (node, long location) → the node below the location's frames.
    long: HashMap<(StackId, u32), StackId>,
}

impl Stacks {
    fn new(limits: flamekit_core::IngestLimits, frames: Frames) -> Self {
        Stacks {
            limits,
            frames,
            locs: Vec::new(),
            stack: Vec::new(),
            stack_lens: Vec::new(),
            built: 0,
            reached: Vec::new(),
            long: HashMap::new(),
        }
    }

    /// The stack's depth.
    fn depth(&self) -> usize {
        match self.reached.last() {
            Some(r) => r.depth + (self.stack.len() - r.from),
            None => self.stack.len(),
        }
    }

    /// The shared node of the stack so far: its frames' path from the last
    /// long location's node (`walk_start`: as [`SampledSetBuilder::path`]).
    fn node_so_far(&self, set: &mut SampledSetBuilder, walk_start: usize) -> Result<StackId> {
        match self.reached.last() {
            None => set.stack_id(&self.stack),
            Some(r) => set.path(walk_start, r.node, &self.stack[r.from..]),
        }
    }

    /// Add sample `i`, which shares `common` outermost locations with the
    /// sample before and then has the locations `new` (outermost first),
    /// with `values` (one per sample type; all checked by [`read_sample`]).
    /// `expanded`, when a worker expanded the new locations ([`read_run`]):
    /// each one's function count (0: line-less) and their functions, back
    /// to back. The frames, their order of first use and the errors are the
    /// same either way.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn sample(
        &mut self,
        t: &Tables<'_>,
        g: &mut GroupBuilder,
        set: &mut SampledSetBuilder,
        i: usize,
        common: usize,
        new: &[u32],
        expanded: Option<(&[u32], &[u32])>,
        values: &[i64],
    ) -> Result<()> {
        self.locs.truncate(common);
        self.locs.extend_from_slice(new);
        if values.iter().all(|&v| v == 0) {
            self.built = self.built.min(common);
            return Ok(());
        }
        let keep = self.built.min(common);
        let walk_start = set.node_count();
        self.stack.truncate(keep.checked_sub(1).map_or(0, |k| self.stack_lens[k]));
        self.stack_lens.truncate(keep);
        while self.reached.last().is_some_and(|r| r.at >= keep) {
            self.reached.pop();
        }
        // Location by location: all of them, or those before the expanded.
        let by_location = if expanded.is_some() { common } else { self.locs.len() };
        self.frames.read_ahead(&self.locs[keep..by_location]);
        for k in keep..by_location {
            self.push_location(t, g, set, walk_start, k)?;
        }
        if let Some((lens, functions)) = expanded {
            // Read every function's slot first: their cache misses overlap.
            let cache = &self.frames.function;
            let sink = functions.iter().fold(0, |x, &fi| x ^ cache.get(fi as usize).copied().unwrap_or(0));
            std::hint::black_box(sink);
            let mut at = 0;
            for (j, &n) in lens.iter().enumerate() {
                let n = n as usize;
                if n == 0 || n > LONG_LOCATION {
                    self.push_location(t, g, set, walk_start, common + j)?;
                } else {
                    for &fi in &functions[at..at + n] {
                        self.stack.push(self.frames.function_frame(t, g, fi as usize)?);
                    }
                    // As `push_location` checks a location of several
                    // functions, once they are interned.
                    if n > 1 {
                        self.limits.check(flamekit_core::LimitKind::StackDepth, self.depth() as u64)?;
                    }
                    self.stack_lens.push(self.stack.len());
                }
                at += n;
            }
        }
        self.built = self.locs.len();
        let mut node = None;
        for (pi, &v) in values.iter().enumerate() {
            if v < 0 {
                g.report().skip(
                    "negative_value",
                    Location::Path(format!("sample[{i}].value[{pi}]")),
                    format!("negative value {v} skipped"),
                );
            } else if v > 0 {
                let id = match node {
                    Some(id) => id,
                    None => *node.insert(self.node_so_far(set, walk_start)?),
                };
                set.push_sample(pi, id, v as f64)?;
            }
        }
        Ok(())
    }

    /// Push the frames of location `locs[k]`, outermost first (interning
    /// them on the location's first use); a long location's frames go
    /// into shared nodes instead ([`Stacks::long`]).
    #[inline(always)]
    fn push_location(
        &mut self,
        t: &Tables<'_>,
        g: &mut GroupBuilder,
        set: &mut SampledSetBuilder,
        walk_start: usize,
        k: usize,
    ) -> Result<()> {
        let li = self.locs[k];
        match self.frames.location_frames(t, g, li as usize)? {
            // One frame per location: bounded by the location count checked by
            // `read_sample` (the builder checks the depth of the nodes).
            LocationStack::One(f) => self.stack.push(f),
            LocationStack::Range(a, b) => {
                // Checked before growing: a sample repeating a location with
                // many inlined lines cannot build an unbounded stack.
                let depth = self.depth();
                self.limits.check(flamekit_core::LimitKind::StackDepth, (depth + (b - a)) as u64)?;
                if b - a > LONG_LOCATION {
                    let above = self.node_so_far(set, walk_start)?;
                    let node = match self.long.get(&(above, li)) {
                        Some(&node) => node,
                        None => {
                            let node = set.path(walk_start, above, &self.frames.arena[a..b])?;
                            self.long.insert((above, li), node);
                            node
                        }
                    };
                    self.reached.push(Reached { at: k, node, depth: depth + (b - a), from: self.stack.len() });
                } else {
                    // Two or three frames mostly: a loop beats a `memmove` call.
                    for &f in &self.frames.arena[a..b] {
                        self.stack.push(f);
                    }
                }
            }
        }
        self.stack_lens.push(self.stack.len());
        Ok(())
    }
}

/// A run of whole top-level fields, holding samples, that one worker reads
/// ([`read_run`]).
#[derive(Clone, Copy)]
struct SampleRun<'b> {
    fields: &'b [u8],
    /// Index of the run's first sample.
    first: usize,
    /// Body of the sample before the run's first, if any.
    prev: Option<&'b [u8]>,
}

/// What every worker reads samples with.
struct RunContext<'a, 'p> {
    t: &'a Tables<'p>,
    /// Location ids are `1..=n` in order.
    dense: bool,
    opts: &'a ImportOptions,
    expansion: &'a Expansion,
}

/// The samples of a [`SampleRun`], read: for each, its values and the
/// locations it does not share with the sample before.
struct ReadRun {
    first: usize,
    /// Per sample: how many of its outermost locations it shares with the
    /// sample before.
    common: Vec<usize>,
    /// Per sample: the end of its new locations in `locs`.
    new_end: Vec<usize>,
    /// The samples' new location indices, outermost first.
    locs: Vec<u32>,
    /// Per sample, one value per sample type.
    values: Vec<i64>,
    /// How many of the samples, from the first, have their new locations
    /// expanded below; the others (past the run's budget, or a sample whose
    /// new locations alone are deeper than the depth limit) are resolved
    /// location by location, as on one thread.
    expanded: usize,
    /// Per new location of the expanded samples (as `locs`): how many
    /// functions it has (0: a line-less location).
    lens: Vec<u32>,
    /// The functions of the expanded samples' new locations, back to back.
    functions: Vec<u32>,
    /// Per expanded sample: the end of its functions in `functions`.
    functions_end: Vec<usize>,
    /// The first error, met after the samples above.
    error: Option<Error>,
}

/// Read the samples of `run`: decode each and check it (stack depth, value
/// count, location ids), up to the first error.
fn read_run(cx: &RunContext<'_, '_>, run: SampleRun<'_>) -> ReadRun {
    let mut out = ReadRun {
        first: run.first,
        common: Vec::new(),
        new_end: Vec::new(),
        locs: Vec::new(),
        values: Vec::new(),
        expanded: 0,
        lens: Vec::new(),
        functions: Vec::new(),
        functions_end: Vec::new(),
        error: None,
    };
    // Functions expanded for the run at most: one per input byte (a
    // location reference takes a byte at least; inlined functions are a
    // few per location), so a sample repeating a location of many lines
    // cannot make a worker hold more than the run's size several times.
    let budget = run.fields.len();
    let max_depth = cx.opts.limits.max_stack_depth;
    let mut expanding = true;
    let mut s = PbSample::default();
    let mut prev_ids = Vec::new();
    // The sample before the run was read (and checked) by the run before;
    // should it not decode, that run's error comes first.
    if let Some(prev) = run.prev {
        if decode_sample(prev, &mut s).is_ok() {
            prev_ids = std::mem::take(&mut s.location_id);
            prev_ids.reverse();
        }
    }
    let mut i = run.first;
    let result = for_each_sample(run.fields, |body| {
        decode_sample(body, &mut s)?;
        let from = out.locs.len();
        let r = read_sample(cx, i, &s, &mut prev_ids, &mut out.locs);
        i += 1;
        out.common.push(r?);
        out.new_end.push(out.locs.len());
        out.values.extend_from_slice(&s.value);
        if expanding {
            let (lens, functions) = (out.lens.len(), out.functions.len());
            for &li in &out.locs[from..] {
                let [a, b] = cx.expansion.range[li as usize];
                out.lens.push(b - a);
                // One to three functions mostly: a loop beats a `memmove` call.
                for &fi in &cx.expansion.functions[a as usize..b as usize] {
                    out.functions.push(fi);
                }
                if (out.functions.len() - functions) as u64 > max_depth || out.functions.len() > budget {
                    // Resolved location by location from here on.
                    out.lens.truncate(lens);
                    out.functions.truncate(functions);
                    expanding = false;
                    break;
                }
            }
            if expanding {
                out.functions_end.push(out.functions.len());
                out.expanded += 1;
            }
        }
        Ok(())
    });
    out.error = result.err();
    out
}

/// Check sample `i`, `s`, and push the indices of the locations it does not
/// share with the sample before to `locs`: how many it shares. `prev_ids`,
/// the sample before's location ids outermost first, become this sample's.
fn read_sample(
    cx: &RunContext<'_, '_>,
    i: usize,
    s: &PbSample,
    prev_ids: &mut Vec<u64>,
    locs: &mut Vec<u32>,
) -> Result<usize> {
    cx.opts.limits.check(flamekit_core::LimitKind::StackDepth, s.location_id.len() as u64)?;
    let types = cx.t.p.sample_type.len();
    if s.value.len() != types {
        return Err(Error::invalid(
            FORMAT,
            format!("sample[{i}].value"),
            format!("{} values for {} sample types", s.value.len(), types),
        ));
    }
    // location_id[0] is the leaf: resolve from the root.
    let common = s.location_id.iter().rev().zip(prev_ids.iter()).take_while(|(a, b)| a == b).count();
    let locations = &cx.t.p.location;
    for (j, lid) in s.location_id.iter().enumerate().rev().skip(common) {
        let direct = lid.checked_sub(1).and_then(|i| usize::try_from(i).ok());
        let li = match direct {
            Some(i) if cx.dense && i < locations.len() => Some(i),
            _ if cx.dense => None,
            Some(i) if locations.get(i).is_some_and(|l| l.id == *lid) => Some(i),
            _ => cx.t.locations.get(lid),
        };
        let li = li.ok_or_else(|| {
            Error::invalid(FORMAT, format!("sample[{i}].location_id[{j}]"), format!("no location has id {lid}"))
        })?;
        // `Frames::new` has checked that location indices fit in `u32`.
        locs.push(li as u32);
    }
    prev_ids.truncate(common);
    prev_ids.extend(s.location_id.iter().rev().skip(common));
    Ok(common)
}

fn protobuf_error(e: prost::DecodeError) -> Error {
    Error::invalid(FORMAT, "protobuf", e.to_string())
}

/// What the one walk over the top-level fields ([`check_shape`]) finds.
struct Layout<'b> {
    /// How many times each field number below 16 occurs.
    counts: [u64; 16],
    /// The input without its samples: the maximal ranges of consecutive
    /// top-level fields that are not samples (producers write the samples
    /// in one block, so the walks over the tables skip them at once). When
    /// samples and other fields alternate more than [`MAX_TABLE_RANGES`]
    /// times, the whole input, one range.
    tables: Vec<std::ops::Range<usize>>,
    /// The input from its first field to its last sample, cut after a
    /// sample every `run_size` bytes or more.
    runs: Vec<SampleRun<'b>>,
}

/// Most ranges [`Layout::tables`] holds before it gives up and holds the
/// whole input: an input alternating samples and strings of two bytes
/// each would otherwise take 16 bytes of ranges per 4 bytes of input.
const MAX_TABLE_RANGES: usize = 64;

/// The top-level shape check: [`Error::Truncated`] or [`Error::InvalidProfile`]
/// at a byte offset, before anything else. In the same walk, the
/// [`Layout`] of `bytes`, its samples cut in runs of about `run_size` bytes.
fn check_shape(bytes: &[u8], run_size: usize) -> Result<Layout<'_>> {
    let mut layout = Layout { counts: [0; 16], tables: Vec::new(), runs: Vec::new() };
    // The current range of fields other than samples starts here.
    let mut tables_from = None;
    // The current run starts at `start`, with sample `first`, after `prev`.
    let (mut start, mut first, mut prev) = (0, 0, None);
    let (mut count, mut last, mut last_end) = (0, None, 0);
    let shape = walk_fields(bytes, |field, at, body| {
        layout.counts[field as usize] += 1;
        if field != 2 {
            tables_from.get_or_insert(at);
            return;
        }
        if let Some(from) = tables_from.take() {
            // One past the most: the whole input will be read instead.
            if layout.tables.len() <= MAX_TABLE_RANGES {
                layout.tables.push(from..at);
            }
        }
        count += 1;
        last_end = body.end;
        last = Some(&bytes[body]);
        if last_end - start >= run_size {
            layout.runs.push(SampleRun { fields: &bytes[start..last_end], first, prev });
            (start, first, prev) = (last_end, count, last);
        }
    });
    match shape {
        Shape::Truncated(at) => Err(Error::Truncated {
            format: FORMAT,
            location: format!("byte {at}"),
            message: "the input ends inside a top-level protobuf field".into(),
        }),
        Shape::Invalid(at, msg) => Err(Error::invalid(FORMAT, format!("byte {at}"), msg)),
        Shape::Valid { .. } => {
            if let Some(from) = tables_from {
                layout.tables.push(from..bytes.len());
            }
            if layout.tables.len() > MAX_TABLE_RANGES {
                layout.tables.clear();
                layout.tables.push(0..bytes.len());
            }
            if last_end > start {
                layout.runs.push(SampleRun { fields: &bytes[start..last_end], first, prev });
            }
            Ok(layout)
        }
    }
}

/// Most bytes the decoded tables (and their per-entry indexes) may take, as
/// a multiple of the input size. Entries are counted before anything is
/// decoded, so a file of empty messages (2–4 bytes each, 24–80 bytes once
/// decoded and indexed) is refused before it allocates; real profiles need
/// 2–5×.
const MAX_DECODE_FACTOR: u64 = 8;

/// Bytes the tables of a profile with these entry counts take once decoded
/// and indexed (per entry: the struct, a map slot of `(u64, usize)` plus
/// control byte rounded to 24, and the frame cache slot).
fn decoded_cost(counts: &[u64; 16], lines: u64) -> u64 {
    use std::mem::size_of;
    const INDEX: u64 = 24;
    let per = |n: u64, size: usize| n.saturating_mul(size as u64);
    per(counts[1], size_of::<PbValueType>())
        .saturating_add(per(counts[3], size_of::<PbMapping>() + INDEX as usize))
        .saturating_add(per(counts[4], size_of::<PbLocation>() + INDEX as usize + size_of::<Option<(u32, u32)>>()))
        .saturating_add(per(counts[5], size_of::<PbFunction>() + INDEX as usize + size_of::<FrameId>()))
        .saturating_add(per(counts[6], size_of::<Vec<u8>>()))
        .saturating_add(per(lines, size_of::<PbLine>()))
}

/// Number of `line` entries (field 4) inside every top-level `location`
/// of the [`Layout::tables`] ranges of `b`.
fn count_lines(b: &[u8], tables: &[std::ops::Range<usize>]) -> u64 {
    let mut lines = 0u64;
    for range in tables {
        let _ = walk_fields(&b[range.clone()], |field, _, body| {
            if field == 4 {
                let mut counts = [0; 16];
                if let Shape::Valid { .. } = walk_any(&b[range.start..][body], &mut counts) {
                    lines = lines.saturating_add(counts[4]);
                }
            }
        });
    }
    lines
}

/// Walk the fields of any message, counting field numbers below 16.
fn walk_any(b: &[u8], counts: &mut [u64; 16]) -> Shape {
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let Some((key, next)) = wire::varint(b, i) else { return Shape::Truncated(start) };
        i = next;
        match key & 7 {
            0 => match wire::varint(b, i) {
                Some((_, next)) => i = next,
                None => return Shape::Truncated(start),
            },
            1 => i += 8,
            5 => i += 4,
            2 => {
                let Some((v, next)) = wire::varint(b, i) else { return Shape::Truncated(start) };
                match usize::try_from(v).ok().and_then(|n| next.checked_add(n)) {
                    Some(end) => i = end,
                    None => return Shape::Truncated(start),
                }
            }
            w => return Shape::Invalid(start, format!("wire type {w}")),
        }
        if i > b.len() {
            return Shape::Truncated(start);
        }
        if let Some(c) = counts.get_mut((key >> 3) as usize) {
            *c += 1;
        }
    }
    Shape::Valid { fields: 0, strings: false }
}

/// Everything but the samples, which are decoded one at a time later, and
/// the string table's entries, borrowed from `bytes`. The
/// entries are counted first: more sample types than `max_profiles`, or
/// tables that would decode to more than [`MAX_DECODE_FACTOR`] × the input,
/// are refused before prost allocates anything.
/// `layout` is the one from [`check_shape`].
fn decode<'b>(bytes: &'b [u8], layout: &Layout<'b>, opts: &ImportOptions) -> Result<(PbProfile, Vec<&'b [u8]>)> {
    let counts = &layout.counts;
    opts.limits.check(flamekit_core::LimitKind::Profiles, counts[1])?;
    let cost = decoded_cost(counts, count_lines(bytes, &layout.tables));
    let allowed = (bytes.len() as u64).saturating_mul(MAX_DECODE_FACTOR).saturating_add(64 << 10);
    if cost > allowed {
        return Err(Error::invalid(
            FORMAT,
            "tables",
            format!(
                "{} strings, {} functions, {} locations and {} mappings would take {cost} bytes decoded, more than \
                 {MAX_DECODE_FACTOR}× the {} input bytes (empty table entries)",
                counts[6],
                counts[5],
                counts[4],
                counts[3],
                bytes.len()
            ),
        ));
    }
    match wire::profile(bytes, &layout.tables, counts) {
        Some((p, strings)) => Ok((p, strings)),
        None => Ok((PbProfile::decode(bytes).map_err(protobuf_error)?, string_table(bytes))),
    }
}

/// Import a raw (already inflated) pprof profile.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let threads = opts.thread_count();
    // One run of all the samples when they are read on the calling thread.
    let run_size = match threads {
        2.. if bytes.len() >= 2 * crate::parallel::MIN_CHUNK => {
            crate::parallel::chunk_size(bytes.len(), threads).unwrap_or(bytes.len())
        }
        _ => usize::MAX,
    };
    let layout = check_shape(bytes, run_size)?;
    import_checked(bytes, &layout, opts).map_err(|e| {
        // Malformed protobuf anywhere in the input is reported first, as when
        // the whole input was decoded before anything else was checked.
        match validate_samples(bytes) {
            Err(pe) if !matches!(e, Error::InvalidProfile { ref location, .. } if location == "protobuf") => pe,
            _ => e,
        }
    })
}

/// Decode every sample once, only to find malformed protobuf.
fn validate_samples(bytes: &[u8]) -> Result<()> {
    let mut s = PbSample::default();
    for_each_sample(bytes, |body| decode_sample(body, &mut s))
}

/// Decode one sample into `s` (cleared first), as prost does.
fn decode_sample(body: &[u8], s: &mut PbSample) -> Result<()> {
    s.clear();
    if wire::sample(body, s).is_none() {
        s.clear();
        s.merge(body).map_err(protobuf_error)?;
    }
    Ok(())
}

fn import_checked<'b>(
    bytes: &'b [u8],
    layout: &Layout<'b>,
    opts: &ImportOptions,
) -> Result<(ProfileGroup, ImportReport)> {
    let (p, strings) = decode(bytes, layout, opts)?;
    let t = build_tables(&p, strings)?;
    if p.sample_type.is_empty() {
        return Err(Error::invalid(FORMAT, "sample_type", "the profile declares no sample type"));
    }
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if let Some(name) = &opts.name {
        g.set_name(name.clone());
    }
    let mut types = Vec::with_capacity(p.sample_type.len());
    for (i, st) in p.sample_type.iter().enumerate() {
        let ty = t.string(st.r#type, || format!("sample_type[{i}].type"))?;
        let unit = t.string(st.unit, || format!("sample_type[{i}].unit"))?;
        let name = if ty.is_empty() { "samples".to_owned() } else { ty.into_owned() };
        types.push((name, unit_of(&unit)));
    }
    // One profile per sample type; each sample's stack is walked once for all.
    let mut set = g.sampled_set(types);
    let active = if p.default_sample_type == 0 {
        p.sample_type.len() - 1
    } else {
        let wanted = t.string(p.default_sample_type, || "default_sample_type".into())?;
        let mut found = None;
        for (i, st) in p.sample_type.iter().enumerate() {
            if t.string(st.r#type, || format!("sample_type[{i}].type"))? == wanted {
                found = Some(i);
                break;
            }
        }
        found.unwrap_or(p.sample_type.len() - 1)
    };

    let frames = Frames::new(&t)?;
    // Only the workers use it (several runs).
    let expansion =
        if layout.runs.len() > 1 { frames.expansion() } else { Expansion { range: Vec::new(), functions: Vec::new() } };
    // Locations are numbered 1..=n in order by most producers (Go included):
    // then an id is its index plus one.
    let dense = p.location.iter().enumerate().all(|(i, l)| l.id == i as u64 + 1);
    let cx = RunContext { t: &t, dense, opts, expansion: &expansion };
    let mut stacks = Stacks::new(opts.limits, frames);
    let types = p.sample_type.len();
    if let [run] = layout.runs[..] {
        // One sample at a time, each read and built in turn.
        let mut s = PbSample::default();
        let (mut prev_ids, mut new) = (Vec::new(), Vec::new());
        let mut i = 0;
        for_each_sample(run.fields, |body| {
            decode_sample(body, &mut s)?;
            new.clear();
            let common = read_sample(&cx, i, &s, &mut prev_ids, &mut new)?;
            stacks.sample(&t, &mut g, &mut set, i, common, &new, None, &s.value)?;
            i += 1;
            Ok(())
        })?;
    } else {
        // The samples are read in runs on the workers (decoded, checked, their
        // locations found); the calling thread resolves the locations to
        // frames and builds the stacks, in file order.
        // Reading a run is a small part of the work: one worker fewer than
        // the threads, beside the calling thread.
        crate::parallel::parse_ordered_on(
            &layout.runs,
            opts.thread_count() - 1,
            || (),
            |(), run| read_run(&cx, run),
            |read| {
                // `read.functions` read ahead up to here (see FUNCTIONS_AHEAD).
                let mut ahead = 0;
                let (mut new_start, mut functions_start) = (0, 0);
                for (k, (&common, &new_end)) in read.common.iter().zip(&read.new_end).enumerate() {
                    let new = &read.locs[new_start..new_end];
                    let values = &read.values[k * types..(k + 1) * types];
                    let i = read.first + k;
                    if k < read.expanded {
                        let functions_end = read.functions_end[k];
                        if ahead < functions_end + FUNCTIONS_AHEAD {
                            let to = (functions_end + 2 * FUNCTIONS_AHEAD).min(read.functions.len());
                            stacks.frames.read_ahead_functions(&t, &read.functions[ahead..to]);
                            ahead = to;
                        }
                        let expanded =
                            (&read.lens[new_start..new_end], &read.functions[functions_start..functions_end]);
                        functions_start = functions_end;
                        stacks.sample(&t, &mut g, &mut set, i, common, new, Some(expanded), values)?;
                    } else {
                        stacks.sample(&t, &mut g, &mut set, i, common, new, None, values)?;
                    }
                    new_start = new_end;
                }
                // The samples before a worker's error were built: it comes
                // next, as it would have on one thread.
                read.error.map_or(Ok(()), Err)
            },
        )?;
    }
    for profile in set.finish() {
        g.push_profile(profile)?;
    }
    g.finish(active)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` samples, each followed by a string-table entry, then a sample.
    fn alternating(n: usize) -> Vec<u8> {
        let mut b = Vec::new();
        for _ in 0..n {
            b.extend_from_slice(&[0x12, 0x00, 0x32, 0x01, b'x']);
        }
        b.extend_from_slice(&[0x12, 0x00]);
        b
    }

    #[test]
    fn the_ranges_of_tables_are_bounded() {
        let strings = |b: &[u8], tables: &[std::ops::Range<usize>]| {
            let mut n = 0;
            for r in tables {
                walk_fields(&b[r.clone()], |field, _, _| n += u64::from(field == 6));
            }
            n
        };
        for n in [1, MAX_TABLE_RANGES, MAX_TABLE_RANGES + 1, 10_000] {
            let b = alternating(n);
            let layout = check_shape(&b, usize::MAX).unwrap();
            assert_eq!((layout.counts[2], layout.counts[6]), (n as u64 + 1, n as u64));
            // Every string is in the ranges, each once.
            assert_eq!(strings(&b, &layout.tables), n as u64, "{n} strings");
            if n <= MAX_TABLE_RANGES {
                assert_eq!(layout.tables.len(), n);
                assert!(layout.tables.iter().all(|r| b[r.clone()] == [0x32, 0x01, b'x']));
            } else {
                assert_eq!(layout.tables, std::slice::from_ref(&(0..b.len())), "{n} strings");
            }
            // One run of every sample, up to the last.
            assert_eq!(layout.runs.len(), 1);
            assert_eq!(layout.runs[0].fields, &b[..]);
        }
    }
}
