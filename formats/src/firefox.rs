//! Firefox profiler JSON, in the three shapes Firefox writes:
//!
//! - the **Gecko profile** (`{meta, libs, threads, processes}`, what
//!   `nsIProfiler` and the profiler's "Save as file" of an unprocessed
//!   profile give): per-thread `samples`, `stackTable` and `frameTable` as
//!   `{schema, data}` row tables, frame locations in the thread's
//!   `stringTable`; sub-process profiles in `processes` (objects or JSON
//!   strings) are read too, their times shifted onto the parent's clock;
//! - the old DevTools Performance panel's **"Recorded Performance Data"**
//!   export (`{profile: <Gecko profile>, duration, markers, ...}`, Firefox
//!   ≤ 67);
//! - the **processed profile** of profiler.firefox.com (`meta.
//!   preprocessedProfileVersion`): column tables (`samples.stack/time/
//!   timeDeltas/weight`, `stackTable.prefix/frame`, `frameTable.func`,
//!   `funcTable.name/fileName/lineNumber/columnNumber`) and the thread's
//!   `stringArray`/`stringTable` or the profile's `shared.stringArray`.
//!
//! Very old Gecko profiles with inline samples (`samples: [{time, frames:
//! [{location}]}]`) are read as well.
//!
//! Every thread with samples becomes one sampled profile in milliseconds,
//! named after the thread (with pid/tid when names repeat); the first
//! `GeckoMain` thread is the active profile. A sample weighs the time to the
//! next sample of its thread (the last one: `meta.interval`), like a
//! timeline; processed profiles with `weightType` `tracing-ms` use their
//! weights as milliseconds and `bytes` profiles become byte profiles.
//! Samples without a stack are idle (empty-stack) samples.
//!
//! Frames: a Gecko location `name (file:line:col)` becomes a frame with that
//! file, line and 1-based column (Gecko's columns are 0-based); other labels
//! (`(root)`, C++ labels, unsymbolicated addresses) are kept as names. Unlike
//! speedscope, by default no frame is filtered out: Firefox-internal
//! (`resource://`, `self-hosted`) and native frames stay in the stacks.
//! [`ImportOptions::firefox_frames`] = [`FirefoxFrames::Js`] keeps only the
//! JavaScript frames of web content, as speedscope does.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, SampledBuilder, StackId,
    ValueUnit, NO_STACK,
};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Firefox.id();

/// Which frames of a Firefox profile are kept ([`ImportOptions::firefox_frames`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FirefoxFrames {
    /// Every frame the profile records: JavaScript, native (C++) and label
    /// frames such as `(root)` or `AutoEntryScript …`, as the Firefox
    /// profiler shows them.
    #[default]
    All,
    /// Only JavaScript frames of web content, as speedscope keeps them: a
    /// location `name (file[:line[:col]])` whose file is not Firefox-internal
    /// (`resource:…`, `self-hosted`). Other frames are dropped from the
    /// stacks (their time goes to the nearest kept caller, or is idle).
    Js,
}

/// True when a Gecko frame location is a JavaScript frame of web content
/// (speedscope's rule): `name (file[:line[:col]])` with a file that is not
/// `resource:…` or `self-hosted`.
fn is_content_js(loc: &str) -> bool {
    let Some(body) = loc.strip_suffix(')') else { return false };
    let Some(open) = body.find('(').filter(|&o| o > 0 && body[..o].ends_with(char::is_whitespace)) else {
        return false;
    };
    // The file is the text after the first `(` that follows whitespace (as
    // speedscope's lazy match), with trailing `:line` / `:col` removed.
    let mut file = &body[open + 1..];
    for _ in 0..2 {
        match file.rfind(':') {
            Some(c) if !file[c + 1..].is_empty() && file[c + 1..].bytes().all(|b| b.is_ascii_digit()) => {
                file = &file[..c]
            }
            _ => break,
        }
    }
    !(file.starts_with("resource:") || file == "self-hosted" || file.starts_with("self-hosted:"))
}

/// True when a processed-profile function is JavaScript of web content: it
/// has a file that is not Firefox-internal.
fn is_content_js_file(file: Option<&str>) -> bool {
    file.is_some_and(|f| {
        !(f.is_empty() || f.starts_with("resource:") || f == "self-hosted" || f.starts_with("self-hosted:"))
    })
}

/// Marks a frame-table row or function dropped by [`FirefoxFrames::Js`].
const DROPPED: FrameId = FrameId::MAX;

// ---------------------------------------------------------------------------
// File shapes

/// Any object of the file that flamekit reads: the top level (Gecko or
/// processed profile, or the DevTools wrapper with `profile`), a
/// sub-process profile, or a thread. One struct for all of them keeps
/// parsing single-pass (no buffering).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Obj<'a> {
    // DevTools wrapper
    #[serde(borrow)]
    profile: Option<Nested<'a>>,
    #[serde(borrow)]
    label: Option<Cow<'a, str>>,
    // Gecko / processed profile
    meta: Option<Meta>,
    #[serde(borrow, default)]
    threads: Vec<Nested<'a>>,
    #[serde(borrow, default)]
    processes: Vec<Nested<'a>>,
    #[serde(borrow)]
    shared: Option<Shared<'a>>,
    // Thread
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pid: Option<Cell<'a>>,
    #[serde(borrow)]
    tid: Option<Cell<'a>>,
    #[serde(borrow)]
    samples: Option<Samples<'a>>,
    #[serde(borrow)]
    stack_table: Option<Table<'a>>,
    #[serde(borrow)]
    frame_table: Option<Table<'a>>,
    #[serde(borrow)]
    func_table: Option<Table<'a>>,
    #[serde(borrow)]
    string_table: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    string_array: Option<Vec<Cow<'a, str>>>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct Meta {
    interval: Option<f64>,
    start_time: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Shared<'a> {
    #[serde(borrow)]
    string_array: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    sources: Option<Table<'a>>,
}

/// An object, or the JSON text of one (old Gecko versions embed
/// sub-process profiles and threads as strings), or anything else (ignored).
enum Nested<'a> {
    Value(Box<Obj<'a>>),
    Json(Cow<'a, str>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Nested<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Nested<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or a JSON string")
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> std::result::Result<Nested<'a>, M::Error> {
                let v = Obj::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Nested::Value(Box::new(v)))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Json(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Json(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Json(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Other)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<Nested<'a>, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Nested::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Nested<'a>, E> {
                Ok(Nested::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// One table cell: the values Firefox tables hold.
#[derive(Clone, Debug, Default)]
enum Cell<'a> {
    #[default]
    Null,
    Num(f64),
    Str(Cow<'a, str>),
    Other,
}

impl Cell<'_> {
    fn num(&self) -> Option<f64> {
        match self {
            Cell::Num(x) if x.is_finite() => Some(*x),
            _ => None,
        }
    }
    fn index(&self) -> Option<usize> {
        self.num().filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x < usize::MAX as f64).map(|x| x as usize)
    }
    fn text(&self) -> Option<String> {
        match self {
            Cell::Num(x) => Some(if x.fract() == 0.0 { format!("{}", *x as i64) } else { x.to_string() }),
            Cell::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Cell<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Cell<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table cell")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Null)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Null)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Num(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Num(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Num(v as f64))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Owned(v)))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<Cell<'a>, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Cell::Other)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<Cell<'a>, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Cell::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A table: Gecko's `{schema, data}` rows, or the processed format's columns.
/// Only the columns flamekit reads are kept.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Table<'a> {
    #[serde(borrow)]
    schema: Option<HashMap<Cow<'a, str>, usize>>,
    #[serde(borrow)]
    data: Option<Vec<Vec<Cell<'a>>>>,
    #[serde(borrow)]
    stack: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    time: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    time_deltas: Option<Vec<Cell<'a>>>,
    #[serde(borrow, default)]
    weight: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    weight_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    prefix: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    frame: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    func: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    location: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    name: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    file_name: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    line_number: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    column_number: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    source: Option<Vec<Cell<'a>>>,
    #[serde(borrow)]
    filename: Option<Vec<Cell<'a>>>,
}

static NULL: Cell<'static> = Cell::Null;

impl<'a> Table<'a> {
    fn column(&self, key: &str) -> Option<&Vec<Cell<'a>>> {
        match key {
            "stack" => self.stack.as_ref(),
            "time" => self.time.as_ref(),
            "timeDeltas" => self.time_deltas.as_ref(),
            "weight" => self.weight.as_ref(),
            "prefix" => self.prefix.as_ref(),
            "frame" => self.frame.as_ref(),
            "func" => self.func.as_ref(),
            "location" => self.location.as_ref(),
            "name" => self.name.as_ref(),
            "fileName" => self.file_name.as_ref(),
            "lineNumber" => self.line_number.as_ref(),
            "columnNumber" => self.column_number.as_ref(),
            "source" => self.source.as_ref(),
            "filename" => self.filename.as_ref(),
            _ => None,
        }
    }

    /// Does the table have column `key` (in its schema or as a column)?
    fn has(&self, key: &str) -> bool {
        match &self.schema {
            Some(s) => s.contains_key(key),
            None => self.column(key).is_some(),
        }
    }

    /// Number of rows.
    fn len(&self) -> usize {
        match (&self.schema, &self.data) {
            (Some(_), Some(rows)) => rows.len(),
            (Some(_), None) => 0,
            _ => ["stack", "prefix", "frame", "func", "name", "location", "filename"]
                .iter()
                .filter_map(|k| self.column(k).map(Vec::len))
                .max()
                .unwrap_or(0),
        }
    }

    /// Cell `key` of row `row` (`Null` when absent).
    fn get(&self, row: usize, key: &str) -> &Cell<'a> {
        match (&self.schema, &self.data) {
            (Some(schema), Some(rows)) => {
                schema.get(key).and_then(|&c| rows.get(row).and_then(|r| r.get(c))).unwrap_or(&NULL)
            }
            (Some(_), None) => &NULL,
            _ => self.column(key).and_then(|c| c.get(row)).unwrap_or(&NULL),
        }
    }
}

/// A thread's samples: a table, or (very old profiles) inline objects.
enum Samples<'a> {
    Table(Box<Table<'a>>),
    Inline(Vec<InlineSample<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Samples<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Samples<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a samples table or an array of samples")
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> std::result::Result<Samples<'a>, M::Error> {
                Ok(Samples::Table(Box::new(Table::deserialize(de::value::MapAccessDeserializer::new(map))?)))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> std::result::Result<Samples<'a>, S::Error> {
                Ok(Samples::Inline(Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))?))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct InlineSample<'a> {
    time: Option<f64>,
    #[serde(borrow, default)]
    frames: Vec<InlineFrame<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InlineFrame<'a> {
    Label(#[serde(borrow)] Cow<'a, str>),
    Object {
        #[serde(borrow)]
        location: Cow<'a, str>,
    },
}

// ---------------------------------------------------------------------------
// Detection

fn has_any(text: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| text.contains(k))
}

/// True when `bytes` look like a Firefox profile: the DevTools recording
/// marker near either end, or a Gecko/processed `meta` object (with
/// `stackwalk`/`interval` or `preprocessedProfileVersion`) near the start.
pub fn sniff(bytes: &[u8]) -> bool {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(4096)..]);
    if head.contains("\"Recorded Performance Data\"") || tail.contains("\"Recorded Performance Data\"") {
        return true;
    }
    let meta = head.contains("\"meta\"");
    let gecko = meta && head.contains("\"stackwalk\"") && head.contains("\"interval\"");
    let processed = meta && head.contains("\"preprocessedProfileVersion\"");
    let tables = has_any(&head, &["\"threads\"", "\"libs\"", "\"processes\""])
        || has_any(&tail, &["\"threads\"", "\"stringTable\"", "\"stringArray\"", "\"processes\""]);
    (gecko || processed) && tables
}

// ---------------------------------------------------------------------------
// Import

/// Split a Gecko location `name (file:line:col)` into a frame.
fn parse_location(loc: &str) -> Frame {
    if let Some(body) = loc.strip_suffix(')') {
        if let Some(open) = body.rfind(" (") {
            let name = &body[..open];
            let mut inner = &body[open + 2..];
            let mut nums: Vec<u32> = Vec::with_capacity(2);
            while nums.len() < 2 {
                let Some(colon) = inner.rfind(':') else { break };
                let digits = &inner[colon + 1..];
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    break;
                }
                let Ok(n) = digits.parse::<u32>() else { break };
                nums.insert(0, n);
                inner = &inner[..colon];
            }
            if !name.is_empty() && !inner.is_empty() && (!nums.is_empty() || inner.contains('/')) {
                let line = nums.first().copied();
                let col = nums.get(1).map(|c| c.saturating_add(1));
                return Frame::with_location(name, Some(inner.to_owned()), line, col);
            }
        }
    }
    Frame::new(loc)
}

fn position(c: &Cell) -> Option<u32> {
    c.num().filter(|x| *x >= 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

/// One thread to import, with where it sits in the file.
struct ThreadCtx<'t, 'a> {
    thread: &'t Obj<'a>,
    /// Added to every time (sub-process clock → main clock), ms.
    offset: f64,
    /// `meta.interval` of the thread's process, ms.
    interval: f64,
    /// Strings and sources shared by the whole profile (processed format).
    shared: Option<&'t Shared<'a>>,
    path: String,
    /// Which frames are kept.
    keep: FirefoxFrames,
}

/// Memoised resolution of one thread's tables.
struct Stacks {
    memo: Vec<Option<StackId>>,
    frames: Vec<Option<FrameId>>,
    funcs: Vec<Option<FrameId>>,
    chain: Vec<usize>,
}

fn bad(path: &str, message: String) -> Error {
    Error::invalid(FORMAT, path.to_owned(), message)
}

impl ThreadCtx<'_, '_> {
    fn string(&self, idx: &Cell) -> Option<&str> {
        let i = idx.index()?;
        let t = self.thread;
        let table =
            t.string_array.as_ref().or(t.string_table.as_ref()).or(self.shared.and_then(|s| s.string_array.as_ref()));
        table.and_then(|tab| tab.get(i)).map(|s| s.as_ref())
    }

    /// The frame of frame-table row `row`.
    fn frame(&self, g: &mut GroupBuilder, st: &mut Stacks, row: usize) -> Result<FrameId> {
        if let Some(Some(f)) = st.frames.get(row) {
            return Ok(*f);
        }
        let path = || format!("{}.frameTable", self.path);
        let ft = self.thread.frame_table.as_ref().ok_or_else(|| bad(&self.path, "no frameTable".into()))?;
        if row >= st.frames.len() {
            return Err(bad(
                &format!("{}.stackTable", self.path),
                format!("frame index {row} is out of range: frameTable has {} rows", st.frames.len()),
            ));
        }
        let id = if ft.has("func") && self.thread.func_table.is_some() {
            let func = ft.get(row, "func").index().ok_or_else(|| bad(&path(), format!("row {row}: no func index")))?;
            self.func(g, st, func)?
        } else {
            let loc = ft.get(row, "location");
            let text = match (self.string(loc), loc) {
                (Some(s), _) => s,
                (None, Cell::Str(s)) => s.as_ref(),
                _ => return Err(bad(&path(), format!("row {row}: location is not a string index in range"))),
            };
            if self.keep == FirefoxFrames::Js && !is_content_js(text) {
                DROPPED
            } else {
                g.frame(parse_location(text))?
            }
        };
        st.frames[row] = Some(id);
        Ok(id)
    }

    /// The frame of func-table row `func` (processed format).
    fn func(&self, g: &mut GroupBuilder, st: &mut Stacks, func: usize) -> Result<FrameId> {
        if let Some(Some(f)) = st.funcs.get(func) {
            return Ok(*f);
        }
        let ft = self.thread.func_table.as_ref().ok_or_else(|| bad(&self.path, "no funcTable".into()))?;
        if func >= st.funcs.len() {
            return Err(bad(
                &format!("{}.frameTable", self.path),
                format!("func index {func} is out of range: funcTable has {} rows", st.funcs.len()),
            ));
        }
        let name = self.string(ft.get(func, "name")).unwrap_or("(unknown)");
        let file = match ft.get(func, "fileName") {
            Cell::Null => {
                let sources = self.shared.and_then(|s| s.sources.as_ref());
                match (ft.get(func, "source").index(), sources) {
                    (Some(src), Some(t)) => self.string(t.get(src, "filename")),
                    _ => None,
                }
            }
            c => self.string(c),
        };
        if self.keep == FirefoxFrames::Js && !is_content_js_file(file) {
            st.funcs[func] = Some(DROPPED);
            return Ok(DROPPED);
        }
        let frame = Frame::with_location(
            name,
            file.filter(|f| !f.is_empty()).map(str::to_owned),
            position(ft.get(func, "lineNumber")),
            position(ft.get(func, "columnNumber")),
        );
        let id = g.frame(frame)?;
        st.funcs[func] = Some(id);
        Ok(id)
    }

    /// The stack node of stack-table row `idx`; prefixes are resolved
    /// iteratively (memoised, so each row is resolved once).
    fn stack(&self, g: &mut GroupBuilder, b: &mut SampledBuilder, st: &mut Stacks, idx: usize) -> Result<StackId> {
        let path = || format!("{}.stackTable", self.path);
        let table = self.thread.stack_table.as_ref().ok_or_else(|| bad(&self.path, "no stackTable".into()))?;
        let len = st.memo.len();
        st.chain.clear();
        let mut cur = Some(idx);
        let mut base = NO_STACK;
        while let Some(i) = cur {
            if i >= len {
                return Err(bad(&path(), format!("stack index {i} is out of range: stackTable has {len} rows")));
            }
            if let Some(id) = st.memo[i] {
                base = id;
                break;
            }
            if st.chain.len() >= len {
                return Err(bad(&path(), format!("stack {idx} has a prefix cycle")));
            }
            st.chain.push(i);
            cur = match table.get(i, "prefix") {
                Cell::Null => None,
                c => Some(c.index().ok_or_else(|| bad(&path(), format!("row {i}: prefix is not an index")))?),
            };
        }
        let mut id = base;
        while let Some(i) = st.chain.pop() {
            let row =
                table.get(i, "frame").index().ok_or_else(|| bad(&path(), format!("row {i}: frame is not an index")))?;
            let frame = self.frame(g, st, row)?;
            if frame != DROPPED {
                id = b.node(id, frame)?;
            }
            st.memo[i] = Some(id);
        }
        Ok(id)
    }
}

/// Name parts of an imported thread, to make repeated names unique.
struct Named {
    name: String,
    pid: Option<String>,
    tid: Option<String>,
    main: bool,
}

fn parse_obj<'s>(text: &'s str, path: &str) -> Result<Obj<'s>> {
    serde_json::from_str(text)
        .map_err(|e| Error::invalid(FORMAT, path.to_owned(), format!("embedded JSON does not parse: {e}")))
}

fn clock_offset(meta: Option<Meta>, base_start: Option<f64>) -> f64 {
    match (meta.and_then(|m| m.start_time), base_start) {
        (Some(s), Some(b)) if (s - b).is_finite() => s - b,
        _ => 0.0,
    }
}

/// Everything the import keeps across processes.
struct Run<'s, 'a> {
    base_start: Option<f64>,
    top_shared: Option<&'s Shared<'a>>,
    /// Sub-process profiles given as JSON text, parsed after the objects.
    pending: std::collections::VecDeque<(String, String)>,
    named: Vec<Named>,
    keep: FirefoxFrames,
}

/// Import every thread of `root` and of its sub-process objects (iteratively).
fn import_process(g: &mut GroupBuilder, run: &mut Run, root: &Obj, path: &str) -> Result<()> {
    let mut todo: Vec<(&Obj, String)> = vec![(root, path.to_owned())];
    while let Some((p, path)) = todo.pop() {
        let offset = if path.is_empty() { 0.0 } else { clock_offset(p.meta, run.base_start) };
        let interval = p.meta.and_then(|m| m.interval).filter(|x| x.is_finite() && *x > 0.0).unwrap_or(1.0);
        let shared = p.shared.as_ref().or(run.top_shared);
        for (i, t) in p.threads.iter().enumerate() {
            let tpath = format!("{path}threads[{i}]");
            let parsed;
            let thread: &Obj = match t {
                Nested::Value(v) => v,
                Nested::Json(s) => {
                    parsed = parse_obj(s, &tpath)?;
                    &parsed
                }
                Nested::Other => continue,
            };
            let ctx = ThreadCtx { thread, offset, interval, shared, path: tpath, keep: run.keep };
            if import_thread(g, &ctx)? {
                run.named.push(Named {
                    name: thread.name.as_deref().map(str::to_owned).unwrap_or_else(|| format!("thread {i}")),
                    pid: thread.pid.as_ref().and_then(Cell::text),
                    tid: thread.tid.as_ref().and_then(Cell::text),
                    main: thread.name.as_deref() == Some("GeckoMain"),
                });
            }
        }
        for (i, sub) in p.processes.iter().enumerate().rev() {
            let spath = format!("{path}processes[{i}].");
            match sub {
                Nested::Value(v) => todo.push((v, spath)),
                Nested::Json(s) => run.pending.push_back((s.to_string(), spath)),
                Nested::Other => {}
            }
        }
    }
    Ok(())
}

/// Import a Firefox profile (any of the shapes in the module docs).
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let file: Obj = serde_json::from_slice(bytes).map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if let Some(label) = file.label.as_deref() {
        g.set_name(label);
    }
    // The DevTools wrapper holds the Gecko profile in `profile` (an object, or a JSON string).
    let parsed;
    let top: &Obj = match &file.profile {
        Some(Nested::Value(v)) => v,
        Some(Nested::Json(s)) => {
            parsed = parse_obj(s, "profile")?;
            &parsed
        }
        _ => &file,
    };
    if top.meta.is_none() && top.threads.is_empty() {
        return Err(Error::invalid(FORMAT, "top level", "no `meta` and no `threads`: not a Firefox profile"));
    }
    let mut run = Run {
        base_start: top.meta.and_then(|m| m.start_time),
        top_shared: top.shared.as_ref(),
        pending: Default::default(),
        named: Vec::new(),
        keep: opts.firefox_frames,
    };
    import_process(&mut g, &mut run, top, "")?;
    while let Some((text, path)) = run.pending.pop_front() {
        let sub = parse_obj(&text, &path)?;
        import_process(&mut g, &mut run, &sub, &path)?;
    }
    if g.profile_count() == 0 {
        g.report().warn("no_samples", Location::None, "no thread has samples");
    }
    let active = run.named.iter().position(|n| n.main).unwrap_or(0);
    let (mut group, report) = g.finish(active)?;
    // Repeated thread names get their pid/tid (or index) appended.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for n in &run.named {
        *counts.entry(n.name.as_str()).or_default() += 1;
    }
    for (i, n) in run.named.iter().enumerate() {
        let name = if counts.get(n.name.as_str()).copied().unwrap_or(0) > 1 {
            match (&n.pid, &n.tid) {
                (Some(p), Some(t)) => format!("{} (pid {p}, tid {t})", n.name),
                (Some(p), None) => format!("{} (pid {p})", n.name),
                (None, Some(t)) => format!("{} (tid {t})", n.name),
                (None, None) => format!("{} #{}", n.name, i + 1),
            }
        } else {
            n.name.clone()
        };
        if let Some(p) = group.profile_mut(i) {
            p.set_name(name);
        }
    }
    Ok((group, report))
}

/// Turn one thread's samples into a profile; false when it has none.
fn import_thread(g: &mut GroupBuilder, t: &ThreadCtx) -> Result<bool> {
    match &t.thread.samples {
        Some(Samples::Inline(list)) if !list.is_empty() => import_inline(g, t, list).map(|_| true),
        Some(Samples::Table(table)) if table.len() > 0 => import_table(g, t, table).map(|_| true),
        _ => Ok(false),
    }
}

/// Weight of sample `i` on the time-delta model: time to the next sample,
/// or `last` for the last one (or when times are missing); negative gaps
/// count 0 (reported once).
fn delta_weight(times: &[f64], i: usize, last: f64, g: &mut GroupBuilder, path: &str, warned: &mut bool) -> f64 {
    match (times.get(i), times.get(i + 1)) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => {
            let d = b - a;
            if d < 0.0 {
                if !*warned {
                    *warned = true;
                    g.report().warn(
                        "unordered_samples",
                        Location::Path(format!("{path}.samples[{}]", i + 1)),
                        "sample times go backwards; such gaps count 0",
                    );
                }
                0.0
            } else {
                d
            }
        }
        _ => last,
    }
}

fn import_inline(g: &mut GroupBuilder, t: &ThreadCtx, list: &[InlineSample]) -> Result<()> {
    let name = t.thread.name.as_deref().unwrap_or("").to_owned();
    let mut b = g.sampled(name, ValueUnit::Milliseconds);
    let times: Vec<f64> = list.iter().map(|s| s.time.filter(|x| x.is_finite()).unwrap_or(f64::NAN)).collect();
    if let Some(first) = times.first().filter(|x| x.is_finite()) {
        b.set_start(first + t.offset);
    }
    let mut stack: Vec<FrameId> = Vec::new();
    let mut warned = false;
    for (i, s) in list.iter().enumerate() {
        stack.clear();
        for f in &s.frames {
            let loc = match f {
                InlineFrame::Label(l) => l.as_ref(),
                InlineFrame::Object { location } => location.as_ref(),
            };
            if t.keep == FirefoxFrames::Js && !is_content_js(loc) {
                continue;
            }
            stack.push(g.frame(parse_location(loc))?);
        }
        let w = delta_weight(&times, i, t.interval, g, &t.path, &mut warned);
        b.push_stack(&stack, w)?;
    }
    g.push_profile(b.finish())?;
    Ok(())
}

fn import_table(g: &mut GroupBuilder, t: &ThreadCtx, table: &Table) -> Result<()> {
    let n = table.len();
    let path = &t.path;
    // Times: the `time` column, or the running sum of `timeDeltas`.
    let mut times: Vec<f64> = Vec::with_capacity(n);
    if table.has("time") {
        times.extend((0..n).map(|i| table.get(i, "time").num().unwrap_or(f64::NAN)));
    } else if table.has("timeDeltas") {
        let mut acc = 0.0;
        for i in 0..n {
            acc += table.get(i, "timeDeltas").num().unwrap_or(0.0);
            times.push(acc);
        }
    }
    let weight_type = table.weight_type.as_deref().unwrap_or("samples");
    let unit = match weight_type {
        "bytes" => ValueUnit::Bytes,
        "samples" | "tracing-ms" => ValueUnit::Milliseconds,
        other => return Err(bad(&format!("{path}.samples.weightType"), format!("unknown weight type `{other}`"))),
    };
    let has_weights = table.has("weight");
    if weight_type != "samples" && !has_weights {
        return Err(bad(&format!("{path}.samples.weight"), format!("weight type `{weight_type}` without weights")));
    }
    let len_of = |t: &Option<Table>| t.as_ref().map_or(0, Table::len);
    let mut st = Stacks {
        memo: vec![None; len_of(&t.thread.stack_table)],
        frames: vec![None; len_of(&t.thread.frame_table)],
        funcs: vec![None; len_of(&t.thread.func_table)],
        chain: Vec::new(),
    };
    let name = t.thread.name.as_deref().unwrap_or("").to_owned();
    let mut b = g.sampled(name, unit);
    if let Some(first) = times.first().filter(|x| x.is_finite()) {
        b.set_start(first + t.offset);
    }
    let mut warned = false;
    for i in 0..n {
        let stack = match table.get(i, "stack") {
            Cell::Null => NO_STACK,
            c => {
                let idx = c
                    .index()
                    .ok_or_else(|| bad(&format!("{path}.samples"), format!("sample {i}: stack is not an index")))?;
                t.stack(g, &mut b, &mut st, idx)?
            }
        };
        let count = if has_weights { table.get(i, "weight").num().unwrap_or(1.0) } else { 1.0 };
        let w = if weight_type == "samples" {
            delta_weight(&times, i, count * t.interval, g, path, &mut warned)
        } else {
            count
        };
        if !(w.is_finite() && w >= 0.0) {
            return Err(bad(
                &format!("{path}.samples"),
                format!("sample {i}: weight {w} is not a non-negative number"),
            ));
        }
        b.push_sample(stack, w)?;
    }
    g.push_profile(b.finish())?;
    Ok(())
}
