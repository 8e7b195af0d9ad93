//! Chrome's Trace Event Format (`chrome://tracing`, Perfetto's JSON export,
//! Hermes, and every tool that writes it) and the Chrome DevTools
//! Performance-panel exports built on it.
//!
//! # Supported shapes
//! - A JSON array of events, or an object `{"traceEvents": [...], ...}`
//!   (other keys such as DevTools' `metadata` are ignored).
//! - A truncated array (tracers cannot always write the closing `]`): a
//!   trailing comma is dropped and the array closed
//!   (`truncated_array_repaired`); a comma just before the closing `]` is
//!   dropped too (`trailing_comma_removed`). An input that stops inside an
//!   event is [`Error::Truncated`].
//!
//! # What the import gives
//! The file decides the kind of profiles, as in speedscope:
//! 1. **V8 CPU profiles** — when the trace holds `CpuProfile` events (Chrome
//!    ≤ 67) or `Profile`/`ProfileChunk` sample events (Chrome ≥ 68, DevTools
//!    exports): one sampled profile (µs) per profile id, built exactly like a
//!    `.cpuprofile` ([`crate::chrome_cpuprofile`]); chunks are appended in
//!    timestamp order. The B/E/X events of such files (browser-internal
//!    tasks) are then not imported; the report counts them
//!    (`trace_events_ignored`). The active profile is the `CrRendererMain`
//!    thread's (its busiest one if there are several).
//! 2. **Sample lists** — an object with `samples` and `stackFrames` (the
//!    format's sampling form, e.g. Hermes sampling profiles): one sampled
//!    profile (µs) per (pid, tid); a sample weighs the time until the next
//!    sample of its thread (the last one weighs 0; samples out of time order
//!    are sorted first, `samples_reordered`). Frames are named by the stack
//!    frame's `name` (its `category` is not kept); an unknown `sf` or
//!    `parent` id, or parents forming a cycle, is [`Error::InvalidProfile`].
//! 3. **Duration events** — otherwise: `B`/`E` pairs and `X` (complete)
//!    events become one evented profile (µs) per (pid, tid), ordered by pid
//!    then tid. Other phases are skipped and counted.
//!
//! V8 CPU profiles are named as speedscope names them: after the file
//! ([`ImportOptions::name`]) when the trace holds one profile, `FILE -
//! THREAD` when it holds several (just `FILE` for a thread without a
//! `thread_name`). Other profiles, and CPU profiles imported without a
//! file name, are named from `process_name`/`thread_name` metadata (`M`)
//! events: `Proc (pid 1), Thread (tid 2)`, `Thread (pid 1, tid 2)`, or
//! `pid 1, tid 2`.
//!
//! # Duration events, as speedscope reads them
//! - Frame name: the event name (`(unnamed)` when missing), followed by the
//!   event's `args` as compact JSON when it has any (`gamma {"detail":"x"}`):
//!   speedscope identifies frames by name *and* args, and a flamekit frame is
//!   identified by what it shows. (Args are compacted by removing whitespace
//!   outside strings; numbers keep their spelling.) Hermes traces (an array
//!   whose first event's args carry Hermes' `line`, `column`, `url`, …) are
//!   named by the event name alone, with file/line/column from the args.
//! - Order: `B` events (then `X` starts) and `E` events (then `X` ends) form
//!   two queues, each sorted stably by `ts` (only when out of order); `X`
//!   events with equal `ts` are ordered longest first. At equal times an `E`
//!   goes first, unless it has the same name and args as the `B` (a
//!   zero-duration event). Among `E` events with equal `ts`, one matching
//!   the innermost open frame (by name and args, else by name) is taken
//!   first.
//! - Repairs, each reported as a warning: an `E` with nothing open is
//!   ignored (`unmatched_end_event`); an `E` whose name differs from the
//!   innermost open frame is ignored (`mismatched_end_event`); an `E` with the
//!   right name but other args closes the innermost frame
//!   (`end_event_args_mismatch`); frames still open at the end are closed at
//!   the last event's time (`unclosed_begin_event`).
//! - Timestamps are microseconds as written (not rebased); events without
//!   `ts` are skipped (`missing_timestamp`). `X` durations come from `dur`,
//!   else `tdur`, else 0.
//!
//! Memory: events borrow their strings from the input; only `B`/`E`/`X`
//! events (until a CPU-profile event shows they will not be used) and the
//! CPU-profile events are kept, and the sample limit is checked against the
//! kept `B`/`X` events as they are read.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeSet;

use hashbrown::HashMap;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, LimitKind, Location, Profile, ProfileGroup, Result, StackId,
    ValueUnit, NO_STACK,
};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::chrome_cpuprofile::{
    self as cpu, fmt_num, key_pos, object_keys, skip_ws, strip_bom, CpuProfileData, IdVal, JStr, NodeJson, Num,
};
use crate::ImportOptions;

const FORMAT: &str = crate::Format::ChromeTrace.id();

// ---------------------------------------------------------------------------
// Reading events.
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(borrow, default)]
    ph: Option<JStr<'a>>,
    #[serde(borrow, default)]
    name: Option<JStr<'a>>,
    #[serde(default)]
    ts: Option<Num>,
    #[serde(default)]
    dur: Option<Num>,
    #[serde(default)]
    tdur: Option<Num>,
    #[serde(default)]
    pid: Option<Num>,
    #[serde(default)]
    tid: Option<Num>,
    #[serde(borrow, default)]
    id: Option<IdVal<'a>>,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

/// A kept B/E/X event.
struct Ev<'a> {
    ts: f64,
    /// Duration of an `X` event.
    dur: f64,
    ph: u8,
    name: Option<Cow<'a, str>>,
    args: Option<&'a RawValue>,
}

/// (pid, tid) as hashable bits (-0 folded into 0).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Tk(u64, u64);

fn tk(pid: f64, tid: f64) -> Tk {
    Tk((pid + 0.0).to_bits(), (tid + 0.0).to_bits())
}

struct Thread<'a> {
    pid: f64,
    tid: f64,
    events: Vec<Ev<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CpuKind {
    CpuProfile,
    Profile,
    Chunk,
}

struct CpuEv<'a> {
    ts: f64,
    kind: CpuKind,
    pid: f64,
    tid: f64,
    id: Option<IdVal<'a>>,
    args: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct NameArgs<'a> {
    #[serde(borrow, default)]
    name: Option<JStr<'a>>,
}

struct Collector<'a> {
    max_samples: u64,
    opens: u64,
    threads: Vec<Thread<'a>>,
    thread_index: HashMap<Tk, usize>,
    thread_names: HashMap<Tk, Cow<'a, str>>,
    process_names: HashMap<u64, Cow<'a, str>>,
    cpu: Vec<CpuEv<'a>>,
    first_args: Option<&'a RawValue>,
    count: u64,
    duration_events: u64,
    unsupported: u64,
    missing_ts: u64,
    bad_metadata: u64,
    error: Option<Error>,
}

impl<'a> Collector<'a> {
    fn new(max_samples: u64) -> Self {
        Collector {
            max_samples,
            opens: 0,
            threads: Vec::new(),
            thread_index: HashMap::new(),
            thread_names: HashMap::new(),
            process_names: HashMap::new(),
            cpu: Vec::new(),
            first_args: None,
            count: 0,
            duration_events: 0,
            unsupported: 0,
            missing_ts: 0,
            bad_metadata: 0,
            error: None,
        }
    }

    fn push(&mut self, ev: RawEvent<'a>) -> Result<()> {
        if self.count == 0 {
            self.first_args = ev.args;
        }
        self.count += 1;
        let ph = ev.ph.as_ref().map_or("", |s| s.0.as_ref());
        let name = ev.name.as_ref().map(|s| s.0.as_ref());
        let pid = ev.pid.map_or(0.0, |n| n.0);
        let tid = ev.tid.map_or(0.0, |n| n.0);
        let bex = matches!(ph, "B" | "E" | "X");
        let cpu_kind = match name {
            Some("CpuProfile") if !bex => Some(CpuKind::CpuProfile),
            Some("Profile") if ph == "P" => Some(CpuKind::Profile),
            Some("ProfileChunk") if ph == "P" => Some(CpuKind::Chunk),
            _ => None,
        };
        if let Some(kind) = cpu_kind {
            if self.cpu.is_empty() {
                // CPU profiles take precedence: the B/E/X events will not be
                // imported, so stop keeping them.
                self.threads = Vec::new();
                self.thread_index = HashMap::new();
            }
            self.cpu.push(CpuEv {
                ts: ev.ts.map_or(f64::NEG_INFINITY, |n| n.0),
                kind,
                pid,
                tid,
                id: ev.id,
                args: ev.args,
            });
            return Ok(());
        }
        if bex {
            let Some(Num(ts)) = ev.ts else {
                self.missing_ts += 1;
                return Ok(());
            };
            self.duration_events += 1;
            if !self.cpu.is_empty() {
                return Ok(());
            }
            if ph != "E" {
                self.opens += 1;
                // Every B and X becomes one open and one close.
                let needed = self.opens.saturating_mul(2);
                if needed > self.max_samples {
                    return Err(Error::LimitExceeded {
                        limit: LimitKind::Samples,
                        max: self.max_samples,
                        value: needed,
                    });
                }
            }
            let dur = ev.dur.or(ev.tdur).map_or(0.0, |n| n.0);
            let key = tk(pid, tid);
            let ti = match self.thread_index.get(&key) {
                Some(&i) => i,
                None => {
                    self.threads.push(Thread { pid, tid, events: Vec::new() });
                    self.thread_index.insert(key, self.threads.len() - 1);
                    self.threads.len() - 1
                }
            };
            self.threads[ti].events.push(Ev {
                ts,
                dur,
                ph: ph.as_bytes()[0],
                name: ev.name.map(|s| s.0),
                args: ev.args,
            });
            return Ok(());
        }
        if ph == "M" {
            if let (Some(which @ ("thread_name" | "process_name")), Some(args)) = (name, ev.args) {
                match serde_json::from_str::<NameArgs>(args.get()) {
                    Ok(NameArgs { name: Some(JStr(n)) }) if !n.is_empty() => {
                        if which == "thread_name" {
                            self.thread_names.insert(tk(pid, tid), n);
                        } else {
                            self.process_names.insert((pid + 0.0).to_bits(), n);
                        }
                    }
                    Ok(_) => {}
                    Err(_) => self.bad_metadata += 1,
                }
            }
            return Ok(());
        }
        self.unsupported += 1;
        Ok(())
    }

    fn profile_name(&self, pid: f64, tid: f64) -> String {
        let process = self.process_names.get(&(pid + 0.0).to_bits());
        let thread = self.thread_names.get(&tk(pid, tid));
        let (p, t) = (fmt_num(pid), fmt_num(tid));
        match (process, thread) {
            (Some(pn), Some(tn)) => format!("{pn} (pid {p}), {tn} (tid {t})"),
            (Some(pn), None) => format!("{pn} (pid {p}, tid {t})"),
            (None, Some(tn)) => format!("{tn} (pid {p}, tid {t})"),
            (None, None) => format!("pid {p}, tid {t}"),
        }
    }
}

/// Deserializes an array of events into the collector, one at a time.
struct EventsSeed<'c, 'a>(&'c mut Collector<'a>);

impl<'de, 'c> DeserializeSeed<'de> for EventsSeed<'c, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, 'c> Visitor<'de> for EventsSeed<'c, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of trace events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(ev) = seq.next_element::<RawEvent<'de>>()? {
            if let Err(e) = self.0.push(ev) {
                let msg = e.to_string();
                self.0.error = Some(e);
                return Err(de::Error::custom(msg));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct SampleJson<'a> {
    #[serde(default)]
    ts: Option<Num>,
    #[serde(default)]
    pid: Option<Num>,
    #[serde(default)]
    tid: Option<Num>,
    #[serde(borrow, default)]
    sf: Option<IdVal<'a>>,
}

#[derive(Deserialize)]
struct StackFrameJson<'a> {
    #[serde(borrow, default)]
    name: Option<JStr<'a>>,
    #[serde(borrow, default)]
    parent: Option<IdVal<'a>>,
}

/// The top-level object: `traceEvents` streamed into the collector,
/// `samples` and `stackFrames` kept, everything else skipped.
struct TopVisitor<'c, 'a> {
    col: &'c mut Collector<'a>,
    samples: &'c mut Option<Vec<SampleJson<'a>>>,
    frames: &'c mut Option<Vec<(JStr<'a>, StackFrameJson<'a>)>>,
}

/// `stackFrames` as (id, frame) pairs in file order.
struct FramesSeed;

impl<'de> DeserializeSeed<'de> for FramesSeed {
    type Value = Vec<(JStr<'de>, StackFrameJson<'de>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FramesSeed {
    type Value = Vec<(JStr<'de>, StackFrameJson<'de>)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of stack frames")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<Self::Value, M::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<JStr<'de>>()? {
            out.push((k, map.next_value::<StackFrameJson<'de>>()?));
        }
        Ok(out)
    }
}

impl<'de, 'c> Visitor<'de> for TopVisitor<'c, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a trace object with `traceEvents`")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<(), M::Error> {
        let mut saw_events = false;
        while let Some(key) = map.next_key::<JStr<'de>>()? {
            match key.0.as_ref() {
                "traceEvents" if !saw_events => {
                    saw_events = true;
                    map.next_value_seed(EventsSeed(&mut *self.col))?;
                }
                "samples" => *self.samples = map.next_value::<Option<Vec<SampleJson<'de>>>>()?,
                "stackFrames" => *self.frames = Some(map.next_value_seed(FramesSeed)?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !saw_events {
            return Err(de::Error::custom("no `traceEvents` array"));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Detection and entry point.
// ---------------------------------------------------------------------------

/// True when `bytes` start like a trace: a JSON array whose first element is
/// an object with a `ph` key, or an object with a `traceEvents` array (after
/// any number of other keys, e.g. DevTools' `metadata`).
pub fn sniff(bytes: &[u8]) -> bool {
    let b = strip_bom(bytes);
    let start = skip_ws(b, 0);
    match b.get(start) {
        Some(b'[') => {
            let head = &b[..b.len().min(cpu::SNIFF_BYTES)];
            let first = skip_ws(head, start + 1);
            key_pos(&object_keys(head, first, 64), "ph").is_some()
        }
        Some(b'{') => {
            let head = &b[..b.len().min(cpu::SNIFF_BYTES)];
            let keys = object_keys(head, start, 64);
            let found = match key_pos(&keys, "traceEvents") {
                Some(p) => Some(p),
                // DevTools writes its metadata first; it can be long.
                None if keys.first().map(|(k, _)| *k) == Some(&b"metadata"[..]) && head.len() < b.len() => {
                    key_pos(&object_keys(b, start, 64), "traceEvents")
                }
                None => None,
            };
            found.is_some_and(|p| b.get(p) == Some(&b'['))
        }
        _ => false,
    }
}

/// If `bytes` is an array that is not properly closed (a truncated trace) or
/// ends with `,]`, the repaired text and the warning code.
fn repair_array(bytes: &[u8]) -> Option<(Vec<u8>, &'static str, &'static str)> {
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut end = bytes.len();
    while end > 0 && ws(bytes[end - 1]) {
        end -= 1;
    }
    if end > 0 && bytes[end - 1] == b']' {
        let mut j = end - 1;
        while j > 0 && ws(bytes[j - 1]) {
            j -= 1;
        }
        if j > 0 && bytes[j - 1] == b',' {
            let mut v = bytes[..j - 1].to_vec();
            v.push(b']');
            return Some((v, "trailing_comma_removed", "a comma before the closing `]` was removed"));
        }
        return None;
    }
    let mut t = end;
    if t > 0 && bytes[t - 1] == b',' {
        t -= 1;
    }
    let mut v = Vec::with_capacity(t + 1);
    v.extend_from_slice(&bytes[..t]);
    v.push(b']');
    Some((v, "truncated_array_repaired", "the event array was not closed (a truncated trace): closed it"))
}

/// 1-based line and column of byte `offset`, as serde_json counts them.
fn line_col(b: &[u8], offset: usize) -> (usize, usize) {
    let before = &b[..offset.min(b.len())];
    let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
    let col = before.len() - before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1) + 1;
    (line, col)
}

/// Import a trace (array or object form).
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let bytes = strip_bom(bytes);
    let start = skip_ws(bytes, 0);
    match bytes.get(start) {
        Some(b'[') => match repair_array(bytes) {
            Some((fixed, code, msg)) => run(&fixed, true, Some((code, msg)), opts),
            None => run(bytes, true, None, opts),
        },
        Some(b'{') => run(bytes, false, None, opts),
        None => Err(Error::Truncated { format: FORMAT, location: "byte 0".into(), message: "empty input".into() }),
        Some(_) => Err(Error::InvalidJson {
            format: FORMAT,
            line: 0,
            column: 0,
            message: "a trace is a JSON array or object".into(),
        }),
    }
}

/// Read the whole input: an array of events, or an object holding them.
fn parse_top<'a, R: serde_json::de::Read<'a>>(
    mut de: serde_json::Deserializer<R>,
    is_array: bool,
    top: TopVisitor<'_, 'a>,
) -> serde_json::Result<()> {
    if is_array {
        EventsSeed(top.col).deserialize(&mut de)?;
    } else {
        de.deserialize_map(top)?;
    }
    de.end()
}

fn run(
    input: &[u8],
    is_array: bool,
    repair: Option<(&'static str, &str)>,
    opts: &ImportOptions,
) -> Result<(ProfileGroup, ImportReport)> {
    let mut col = Collector::new(opts.limits.max_samples);
    let mut samples = None;
    let mut frames = None;
    // Valid UTF-8 (checked once, fast) is parsed as `str`: serde_json then
    // skips the per-string UTF-8 checks. Other input takes the byte path,
    // which reports the bad string.
    let top = TopVisitor { col: &mut col, samples: &mut samples, frames: &mut frames };
    let r = match std::str::from_utf8(input) {
        Ok(text) => parse_top(serde_json::Deserializer::from_str(text), is_array, top),
        Err(_) => parse_top(serde_json::Deserializer::from_slice(input), is_array, top),
    };
    if let Some(e) = col.error.take() {
        return Err(e);
    }
    r.map_err(|e| {
        // After closing a truncated array, an error at the added `]` means
        // the input stopped inside an event.
        if repair.is_some_and(|(code, _)| code == "truncated_array_repaired")
            && (e.line(), e.column()) >= line_col(input, input.len().saturating_sub(1))
        {
            return Error::Truncated {
                format: FORMAT,
                location: format!("line {}, column {}", e.line(), e.column()),
                message: "the trace ends inside an event".into(),
            };
        }
        Error::from_json(FORMAT, &e)
    })?;

    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if let Some((code, msg)) = repair {
        g.report().warn(code, Location::None, msg);
    }
    if col.missing_ts > 0 {
        skip_many(&mut g, "missing_timestamp", col.missing_ts, "B/E/X event(s) without `ts` were skipped");
    }
    if col.unsupported > 0 {
        skip_many(
            &mut g,
            "unsupported_event",
            col.unsupported,
            "event(s) of phases other than B, E, X and M were skipped",
        );
    }
    if col.bad_metadata > 0 {
        g.report().warn(
            "invalid_metadata",
            Location::None,
            format!("{} thread_name/process_name event(s) without a string name were ignored", col.bad_metadata),
        );
    }
    let active;
    if !col.cpu.is_empty() {
        if col.duration_events > 0 {
            skip_many(
                &mut g,
                "trace_events_ignored",
                col.duration_events,
                "B/E/X event(s) were not imported: the trace holds V8 CPU profiles, which are imported instead",
            );
        }
        active = import_cpu_profiles(&mut g, &col, opts.name.as_deref())?;
    } else if let (Some(samples), Some(frames)) = (samples, frames) {
        if col.duration_events > 0 {
            skip_many(
                &mut g,
                "trace_events_ignored",
                col.duration_events,
                "B/E/X event(s) were not imported: the trace holds samples, which are imported instead",
            );
        }
        import_samples(&mut g, &col, &samples, &frames)?;
        active = 0;
    } else {
        let hermes = is_array && is_hermes(col.first_args);
        import_events(&mut g, &col, hermes)?;
        active = 0;
    }
    if g.profile_count() == 0 {
        return Err(Error::EmptyProfile { message: "the trace holds no B/E/X events, CPU profiles or samples".into() });
    }
    let (mut group, report) = g.finish(active)?;
    if !col.cpu.is_empty() {
        // speedscope-import's name for traces read as V8 CPU profiles.
        group.set_profile_type("chrome-timeline");
    }
    Ok((group, report))
}

fn skip_many(g: &mut GroupBuilder, code: &'static str, n: u64, msg: &str) {
    *g.report().skipped.entry(code).or_insert(0) += n;
    g.report().warn(code, Location::None, format!("{n} {msg}"));
}

/// Hermes traces: the first event's args carry all of Hermes' keys.
fn is_hermes(args: Option<&RawValue>) -> bool {
    const KEYS: [&str; 8] =
        ["line", "column", "name", "category", "url", "params", "allocatedCategory", "allocatedName"];
    let Some(args) = args else { return false };
    match serde_json::from_str::<std::collections::HashMap<JStr, IgnoredAny>>(args.get()) {
        Ok(m) => KEYS.iter().all(|k| m.contains_key(&JStr(Cow::Borrowed(k)))),
        Err(_) => false,
    }
}

// ---------------------------------------------------------------------------
// Duration events (B/E/X).
// ---------------------------------------------------------------------------

/// One begin or end in a queue.
#[derive(Clone, Copy, Debug)]
struct Item {
    ts: f64,
    /// speedscope's event id: name and args.
    eid: u32,
    /// Frame key: the event id, or Hermes' name/url/line/column.
    fkey: u32,
    /// The raw name.
    nid: u32,
    /// Index of the event in its thread.
    src: u32,
}

/// JSON truthiness of `args`, as speedscope tests `if (event.args)`.
fn truthy(raw: &RawValue) -> bool {
    let s = raw.get().trim();
    !(s == "null" || s == "false" || s == "\"\"" || s.parse::<f64>().is_ok_and(|x| x == 0.0))
}

/// `raw` without whitespace outside strings (borrowed when it has none).
fn compact(raw: &str) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let mut in_str = false;
    let mut esc = false;
    let needs = b.iter().any(|&c| {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            false
        } else if c == b'"' {
            in_str = true;
            false
        } else {
            matches!(c, b' ' | b'\t' | b'\n' | b'\r')
        }
    });
    if !needs {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let (mut in_str, mut esc) = (false, false);
    for ch in raw.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if ch == '\\' {
                esc = true;
            } else if ch == '"' {
                in_str = false;
            }
            out.push(ch);
        } else if ch == '"' {
            in_str = true;
            out.push(ch);
        } else if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[derive(Deserialize)]
struct HermesArgs<'a> {
    #[serde(borrow, default)]
    url: Option<JStr<'a>>,
    #[serde(default)]
    line: Option<Num>,
    #[serde(default)]
    column: Option<Num>,
}

type HermesKey<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>, Option<u64>, Option<u64>);

/// Interned keys shared by all threads.
#[derive(Default)]
struct Keys<'a> {
    /// Display names (`(unnamed)` for a missing or empty name): the one
    /// string hashed per event.
    dnames: HashMap<Cow<'a, str>, u32>,
    /// Event ids: (display name id, compacted args).
    eids: HashMap<(u32, Option<Cow<'a, str>>), u32>,
    hermes: HashMap<HermesKey<'a>, u32>,
    /// Frame of each frame key, once opened.
    frames: Vec<FrameId>,
}

fn intern<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K) -> u32 {
    let n = map.len() as u32;
    *map.entry(key).or_insert(n)
}

fn display_name<'a>(name: &Option<Cow<'a, str>>) -> Cow<'a, str> {
    match name {
        Some(n) if !n.is_empty() => n.clone(),
        _ => Cow::Borrowed("(unnamed)"),
    }
}

fn to_u32(v: Option<Num>) -> Option<u32> {
    v.map(|n| n.0).filter(|x| x.is_finite() && *x >= 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

/// The frame an event opens.
fn frame_for(ev: &Ev<'_>, hermes: bool) -> Frame {
    let name = display_name(&ev.name);
    if hermes {
        let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
        let (url, line, col) = match a {
            Some(a) => (a.url.map(|s| s.0.into_owned()), to_u32(a.line), to_u32(a.column)),
            None => (None, None, None),
        };
        return Frame::with_location(name, url, line, col);
    }
    match ev.args.filter(|r| truthy(r)) {
        Some(r) => Frame::new(format!("{name} {}", compact(r.get()))),
        None => Frame::new(name),
    }
}

/// The `E` queue. Events with the same `ts` form a group; taking an `E` may
/// first swap a better-matching `E` of the group to the front (speedscope's
/// rule), which moves the old front into the taken event's slot. Searches
/// use per-group indexes for big groups, so many simultaneous ends stay
/// O(n log n).
struct EndQueue {
    items: Vec<Item>,
    head: usize,
    group_end: usize,
    linear_max: usize,
    index: Option<GroupIndex>,
}

#[derive(Default)]
struct GroupIndex {
    by_fkey: HashMap<u32, BTreeSet<u32>>,
    by_nid: HashMap<u32, BTreeSet<u32>>,
}

impl EndQueue {
    const LINEAR_MAX: usize = 16;

    fn new(items: Vec<Item>, linear_max: usize) -> Self {
        EndQueue { items, head: 0, group_end: 0, linear_max, index: None }
    }

    fn front(&self) -> Option<&Item> {
        self.items.get(self.head)
    }

    fn enter_group(&mut self) {
        if self.head >= self.group_end && self.head < self.items.len() {
            self.index = None;
            let ts = self.items[self.head].ts;
            let mut e = self.head + 1;
            while e < self.items.len() && self.items[e].ts == ts {
                e += 1;
            }
            self.group_end = e;
        }
    }

    /// Move the first later `E` of the front's group matching `fkey` (else
    /// `nid`) to the front.
    fn prefer(&mut self, fkey: u32, nid: u32) {
        if self.head >= self.items.len() {
            return;
        }
        self.enter_group();
        let (h, e) = (self.head, self.group_end);
        if e - h <= 1 {
            return;
        }
        let found = if e - h <= self.linear_max {
            let rest = &self.items[h + 1..e];
            rest.iter()
                .position(|it| it.fkey == fkey)
                .or_else(|| rest.iter().position(|it| it.nid == nid))
                .map(|p| h + 1 + p)
        } else {
            let items = &self.items;
            let ix = self.index.get_or_insert_with(|| {
                let mut ix = GroupIndex::default();
                for (s, it) in items.iter().enumerate().take(e).skip(h) {
                    ix.by_fkey.entry(it.fkey).or_default().insert(s as u32);
                    ix.by_nid.entry(it.nid).or_default().insert(s as u32);
                }
                ix
            });
            let after = (h as u32 + 1)..;
            ix.by_fkey
                .get(&fkey)
                .and_then(|s| s.range(after.clone()).next())
                .or_else(|| ix.by_nid.get(&nid).and_then(|s| s.range(after).next()))
                .map(|&s| s as usize)
        };
        if let Some(i) = found {
            let (a, c) = (self.items[h], self.items[i]);
            if let Some(ix) = &mut self.index {
                let (h32, i32) = (h as u32, i as u32);
                if a.fkey != c.fkey {
                    move_slot(&mut ix.by_fkey, a.fkey, h32, i32);
                    move_slot(&mut ix.by_fkey, c.fkey, i32, h32);
                }
                if a.nid != c.nid {
                    move_slot(&mut ix.by_nid, a.nid, h32, i32);
                    move_slot(&mut ix.by_nid, c.nid, i32, h32);
                }
            }
            self.items.swap(h, i);
        }
    }

    fn pop(&mut self) -> Option<Item> {
        let it = *self.items.get(self.head)?;
        self.enter_group();
        if let Some(ix) = &mut self.index {
            let h = self.head as u32;
            if let Some(s) = ix.by_fkey.get_mut(&it.fkey) {
                s.remove(&h);
            }
            if let Some(s) = ix.by_nid.get_mut(&it.nid) {
                s.remove(&h);
            }
        }
        self.head += 1;
        Some(it)
    }
}

fn move_slot(map: &mut HashMap<u32, BTreeSet<u32>>, key: u32, from: u32, to: u32) {
    let s = map.entry(key).or_default();
    s.remove(&from);
    s.insert(to);
}

fn cmp_ts(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// Stable sort by `ts`, skipped when already in order.
fn sort_by_ts(v: &mut [Item]) {
    if v.windows(2).any(|w| w[1].ts < w[0].ts) {
        v.sort_by(|a, b| cmp_ts(a.ts, b.ts));
    }
}

fn import_events(g: &mut GroupBuilder, col: &Collector<'_>, hermes: bool) -> Result<()> {
    let mut order: Vec<&Thread> = col.threads.iter().collect();
    order.sort_by(|a, b| cmp_ts(a.pid, b.pid).then(cmp_ts(a.tid, b.tid)));
    let mut keys = Keys::default();
    for th in order {
        let name = col.profile_name(th.pid, th.tid);
        let profile = thread_profile(g, th, name, hermes, &mut keys, EndQueue::LINEAR_MAX)?;
        g.push_profile(profile)?;
    }
    Ok(())
}

fn thread_profile<'a>(
    g: &mut GroupBuilder,
    th: &Thread<'a>,
    name: String,
    hermes: bool,
    keys: &mut Keys<'a>,
    linear_max: usize,
) -> Result<Profile> {
    let n = th.events.len();
    let mut begins: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut ends: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut xs: Vec<(Item, f64)> = Vec::new();
    let mut min_ts = f64::INFINITY;
    // Names of the B events not yet ended (in file order) with their display
    // name ids: an E usually ends the innermost one, and then its id is known
    // without hashing the name again.
    let mut open_names: Vec<(Option<&str>, u32)> = Vec::new();
    for (i, ev) in th.events.iter().enumerate() {
        min_ts = min_ts.min(ev.ts);
        let args = ev.args.filter(|r| truthy(r)).map(|r| compact(r.get()));
        let raw = ev.name.as_deref();
        let dn = match open_names.last() {
            Some(&(top, dn)) if ev.ph == b'E' && top == raw => {
                open_names.pop();
                dn
            }
            _ => {
                let dn = intern(&mut keys.dnames, display_name(&ev.name));
                if ev.ph == b'B' {
                    open_names.push((raw, dn));
                }
                dn
            }
        };
        let eid = intern(&mut keys.eids, (dn, args));
        // Raw-name id: equal exactly when the raw names (`Option`) are.
        let nid = match &ev.name {
            None => u32::MAX,
            Some(n) if n.is_empty() => u32::MAX - 1,
            Some(_) => dn,
        };
        let fkey = if hermes {
            let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
            let (url, line, column) = match a {
                Some(a) => (a.url.map(|s| s.0), a.line.map(|n| n.0.to_bits()), a.column.map(|n| n.0.to_bits())),
                None => (None, None, None),
            };
            intern(&mut keys.hermes, (ev.name.clone(), url, line, column))
        } else {
            eid
        };
        let it = Item { ts: ev.ts, eid, fkey, nid, src: i as u32 };
        match ev.ph {
            b'B' => begins.push(it),
            b'E' => ends.push(it),
            _ => xs.push((it, ev.dur)),
        }
    }
    // X events: by ts, longest first at equal ts (a longer event cannot nest
    // in a shorter one), file order otherwise.
    let x_cmp = |a: &(Item, f64), b: &(Item, f64)| cmp_ts(a.0.ts, b.0.ts).then(cmp_ts(b.1, a.1));
    if xs.windows(2).any(|w| x_cmp(&w[0], &w[1]) == Ordering::Greater) {
        xs.sort_by(x_cmp);
    }
    for &(it, dur) in &xs {
        begins.push(it);
        ends.push(Item { ts: it.ts + dur, ..it });
    }
    sort_by_ts(&mut begins);
    sort_by_ts(&mut ends);

    let where_ =
        |ts: f64| Location::Path(format!("pid {}, tid {}, ts {}", fmt_num(th.pid), fmt_num(th.tid), fmt_num(ts)));
    let mut b = g.evented(name, ValueUnit::Microseconds);
    if min_ts.is_finite() {
        b.set_start(min_ts);
    }
    let mut ends = EndQueue::new(ends, linear_max);
    let mut bi = 0;
    // Open frames: (frame key, name id, frame, event index).
    let mut stack: Vec<(u32, u32, FrameId, u32)> = Vec::new();
    loop {
        let take_begin = match (begins.get(bi), ends.front()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(bf), Some(ef)) => bf.ts < ef.ts || (bf.ts == ef.ts && bf.eid == ef.eid),
        };
        if take_begin {
            let it = begins[bi];
            bi += 1;
            let slot = it.fkey as usize;
            if keys.frames.len() <= slot {
                keys.frames.resize(slot + 1, FrameId::MAX);
            }
            let f = match keys.frames[slot] {
                FrameId::MAX => {
                    let ev = &th.events[it.src as usize];
                    let f = g.frame(frame_for(ev, hermes))?;
                    keys.frames[slot] = f;
                    f
                }
                f => f,
            };
            b.open(f, it.ts)?;
            stack.push((it.fkey, it.nid, f, it.src));
        } else {
            if let Some(&(fkey, nid, _, _)) = stack.last() {
                ends.prefer(fkey, nid);
            }
            let Some(e) = ends.pop() else { break };
            let ev_name = || display_name(&th.events[e.src as usize].name);
            match stack.last() {
                None => g.report().warn(
                    "unmatched_end_event",
                    where_(e.ts),
                    format!("end of `{}` with no open event: ignored", ev_name()),
                ),
                Some(&(_, nid, _, src)) if nid != e.nid => {
                    let open = display_name(&th.events[src as usize].name);
                    g.report().warn(
                        "mismatched_end_event",
                        where_(e.ts),
                        format!("end of `{}` while `{open}` is the innermost open event: ignored", ev_name()),
                    );
                }
                Some(&(fkey, _, f, _)) => {
                    if fkey != e.fkey {
                        g.report().warn(
                            "end_event_args_mismatch",
                            where_(e.ts),
                            format!("end of `{}` has other args than its begin: closed the open one", ev_name()),
                        );
                    }
                    b.close(f, e.ts)?;
                    stack.pop();
                }
            }
        }
    }
    if !stack.is_empty() {
        let at = b.last_at().unwrap_or(min_ts);
        for &(_, _, _, src) in stack.iter().rev() {
            g.report().warn(
                "unclosed_begin_event",
                where_(at),
                format!("`{}` was still open at the end: closed it", display_name(&th.events[src as usize].name)),
            );
        }
        b.close_all(at)?;
    }
    b.finish()
}

// ---------------------------------------------------------------------------
// V8 CPU profiles inside the trace.
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct DataArgs<T> {
    #[serde(default = "Option::default")]
    data: Option<T>,
}

/// `CpuProfile` event data: `{cpuProfile: {nodes, samples, timeDeltas, startTime, endTime}}`.
#[derive(Deserialize)]
struct CpuProfileEventData<'a> {
    #[serde(rename = "cpuProfile", borrow, default)]
    cpu_profile: Option<FullProfile<'a>>,
}

/// A whole profile (`CpuProfile` events), or the fields a `Profile` event
/// sets directly in its data.
#[derive(Deserialize)]
struct FullProfile<'a> {
    #[serde(borrow, default)]
    nodes: Option<Vec<NodeJson<'a>>>,
    #[serde(default)]
    samples: Option<Vec<i64>>,
    #[serde(rename = "timeDeltas", default)]
    time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    start_time: Option<f64>,
    #[serde(rename = "endTime", default)]
    end_time: Option<f64>,
}

#[derive(Deserialize)]
struct ChunkData<'a> {
    #[serde(rename = "cpuProfile", borrow, default)]
    cpu_profile: Option<ChunkProfile<'a>>,
    #[serde(rename = "timeDeltas", default)]
    time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    start_time: Option<f64>,
    #[serde(rename = "endTime", default)]
    end_time: Option<f64>,
}

#[derive(Deserialize)]
struct ChunkProfile<'a> {
    #[serde(borrow, default)]
    nodes: Option<Vec<NodeJson<'a>>>,
    #[serde(default)]
    samples: Option<Vec<i64>>,
}

fn parse_args<'a, T: Deserialize<'a>>(ev: &CpuEv<'a>, what: &str) -> Result<Option<T>> {
    let Some(args) = ev.args else { return Ok(None) };
    let parsed: DataArgs<T> = serde_json::from_str(args.get())
        .map_err(|e| Error::invalid(FORMAT, format!("{what} event at ts {}", fmt_num(ev.ts)), e.to_string()))?;
    Ok(parsed.data)
}

fn full_profile(p: FullProfile<'_>) -> CpuProfileData<'_> {
    let mut d = CpuProfileData {
        samples: p.samples.unwrap_or_default(),
        time_deltas: p.time_deltas.unwrap_or_default(),
        start_time: p.start_time.unwrap_or(0.0),
        end_time: p.end_time.unwrap_or(0.0),
        ..Default::default()
    };
    d.extend_nodes(p.nodes.unwrap_or_default());
    d
}

/// speedscope's name for a CPU profile of a timeline: the file name, or
/// `FILE - THREAD` when the trace holds several profiles and this one's
/// thread is named. `None` without a file name (the caller then names the
/// profile after its process and thread).
fn cpu_profile_name(file_name: Option<&str>, thread: Option<&Cow<'_, str>>) -> Option<String> {
    let file = file_name?;
    Some(match thread {
        Some(t) => format!("{file} - {t}"),
        None => file.to_owned(),
    })
}

/// Returns the index of the profile to show first.
fn import_cpu_profiles(g: &mut GroupBuilder, col: &Collector<'_>, file_name: Option<&str>) -> Result<usize> {
    struct Slot<'a> {
        key: String,
        pid: f64,
        tid: f64,
        data: CpuProfileData<'a>,
    }
    let mut order: Vec<&CpuEv> = col.cpu.iter().collect();
    if order.windows(2).any(|w| w[1].ts < w[0].ts) {
        order.sort_by(|a, b| cmp_ts(a.ts, b.ts));
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for ev in order {
        let key = match &ev.id {
            Some(id) => id.to_key().into_owned(),
            None => format!("{}:{}", fmt_num(ev.pid), fmt_num(ev.tid)),
        };
        let data = match ev.kind {
            CpuKind::CpuProfile => match parse_args::<CpuProfileEventData>(ev, "CpuProfile")? {
                Some(CpuProfileEventData { cpu_profile: Some(p) }) => full_profile(p),
                _ => continue,
            },
            CpuKind::Profile => match parse_args::<FullProfile>(ev, "Profile")? {
                Some(p) => full_profile(p),
                None => CpuProfileData::default(),
            },
            CpuKind::Chunk => {
                let Some(&si) = by_key.get(&key) else {
                    g.report().warn(
                        "orphan_profile_chunk",
                        Location::Path(format!("ProfileChunk {key}")),
                        "ProfileChunk for a profile that was never declared: ignored",
                    );
                    continue;
                };
                let Some(chunk) = parse_args::<ChunkData>(ev, "ProfileChunk")? else { continue };
                let d = &mut slots[si].data;
                if let Some(p) = chunk.cpu_profile {
                    d.extend_nodes(p.nodes.unwrap_or_default());
                    d.samples.extend(p.samples.unwrap_or_default());
                }
                d.time_deltas.extend(chunk.time_deltas.unwrap_or_default());
                if let Some(s) = chunk.start_time {
                    d.start_time = s;
                }
                if let Some(e) = chunk.end_time {
                    d.end_time = e;
                }
                continue;
            }
        };
        let slot = Slot { key: key.clone(), pid: ev.pid, tid: ev.tid, data };
        match by_key.get(&key) {
            Some(&si) => slots[si] = slot,
            None => {
                by_key.insert(key, slots.len());
                slots.push(slot);
            }
        }
    }
    // Show the page's main thread first (its busiest profile, if several).
    let mut active: Option<(usize, usize)> = None;
    let several = slots.len() > 1;
    for (i, s) in slots.iter().enumerate() {
        let name = cpu_profile_name(file_name, several.then(|| col.thread_names.get(&tk(s.pid, s.tid))).flatten())
            .unwrap_or_else(|| col.profile_name(s.pid, s.tid));
        let profile = cpu::build_profile(g, name, &s.data, &format!("Profile {}", s.key))?;
        let count = profile.sample_count();
        g.push_profile(profile)?;
        let main = col.thread_names.get(&tk(s.pid, s.tid)).is_some_and(|t| t == "CrRendererMain");
        if main && active.is_none_or(|(_, c)| count > c) {
            active = Some((i, count));
        }
    }
    Ok(active.map_or(0, |(i, _)| i))
}

// ---------------------------------------------------------------------------
// Sample lists (`samples` + `stackFrames`).
// ---------------------------------------------------------------------------

fn import_samples(
    g: &mut GroupBuilder,
    col: &Collector<'_>,
    samples: &[SampleJson<'_>],
    frames: &[(JStr<'_>, StackFrameJson<'_>)],
) -> Result<()> {
    // Stack frames: id → index, parent index, frame.
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(frames.len());
    for (i, (k, _)) in frames.iter().enumerate() {
        index.insert(k.0.as_ref(), i as u32);
    }
    let mut parent = vec![u32::MAX; frames.len()];
    for (i, (k, f)) in frames.iter().enumerate() {
        if let Some(p) = &f.parent {
            let pk = p.to_key();
            parent[i] = *index.get(pk.as_ref()).ok_or_else(|| {
                Error::invalid(FORMAT, format!("stackFrames[{}].parent", k.0), format!("unknown stack frame id {pk}"))
            })?;
        }
    }
    let mut frame_ids = vec![FrameId::MAX; frames.len()];
    // Samples per thread, in file order.
    let mut threads: Vec<(f64, f64, Vec<usize>)> = Vec::new();
    let mut by_thread: HashMap<Tk, usize> = HashMap::new();
    let mut missing_ts = 0u64;
    for (i, s) in samples.iter().enumerate() {
        if s.ts.is_none() {
            missing_ts += 1;
            continue;
        }
        let (pid, tid) = (s.pid.map_or(0.0, |n| n.0), s.tid.map_or(0.0, |n| n.0));
        let ti = *by_thread.entry(tk(pid, tid)).or_insert_with(|| {
            threads.push((pid, tid, Vec::new()));
            threads.len() - 1
        });
        threads[ti].2.push(i);
    }
    if missing_ts > 0 {
        skip_many(g, "missing_timestamp", missing_ts, "sample(s) without `ts` were skipped");
    }
    threads.sort_by(|a, b| cmp_ts(a.0, b.0).then(cmp_ts(a.1, b.1)));
    let ts_of = |i: usize| samples[i].ts.map_or(0.0, |n| n.0);
    let mut chain: Vec<u32> = Vec::new();
    for (pid, tid, mut list) in threads {
        if list.windows(2).any(|w| ts_of(w[1]) < ts_of(w[0])) {
            list.sort_by(|&a, &b| cmp_ts(ts_of(a), ts_of(b)));
            g.report().warn(
                "samples_reordered",
                Location::Path(format!("pid {}, tid {}", fmt_num(pid), fmt_num(tid))),
                "samples were not in time order: sorted them",
            );
        }
        let mut b = g.sampled(col.profile_name(pid, tid), ValueUnit::Microseconds);
        if let Some(&first) = list.first() {
            b.set_start(ts_of(first));
        }
        let mut stack_of: HashMap<u32, StackId> = HashMap::new();
        for (k, &si) in list.iter().enumerate() {
            let weight = list.get(k + 1).map_or(0.0, |&n| ts_of(n) - ts_of(si));
            let stack = match &samples[si].sf {
                None => NO_STACK,
                Some(sf) => {
                    let key = sf.to_key();
                    let leaf = *index.get(key.as_ref()).ok_or_else(|| {
                        Error::invalid(FORMAT, format!("samples[{si}].sf"), format!("unknown stack frame id {key}"))
                    })?;
                    // Walk up to a cached stack (or the root), then build down.
                    chain.clear();
                    let mut cur = leaf;
                    let mut base = NO_STACK;
                    while cur != u32::MAX {
                        if let Some(&s) = stack_of.get(&cur) {
                            base = s;
                            break;
                        }
                        chain.push(cur);
                        if chain.len() > frames.len() {
                            return Err(Error::invalid(
                                FORMAT,
                                format!("stackFrames[{key}]"),
                                "the stack frames' parents form a cycle",
                            ));
                        }
                        cur = parent[cur as usize];
                    }
                    for &e in chain.iter().rev() {
                        let f = match frame_ids[e as usize] {
                            FrameId::MAX => {
                                let name = frames[e as usize].1.name.as_ref().map_or("", |s| s.0.as_ref());
                                let f = g.frame_named(if name.is_empty() { "(unnamed)" } else { name })?;
                                frame_ids[e as usize] = f;
                                f
                            }
                            f => f,
                        };
                        base = b.node(base, f)?;
                        stack_of.insert(e, base);
                    }
                    base
                }
            };
            b.push_sample(stack, weight)?;
        }
        g.push_profile(b.finish())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(ts: f64, key: u32, nid: u32, src: u32) -> Item {
        Item { ts, eid: key, fkey: key, nid, src }
    }

    /// The indexed search must behave exactly like the linear one.
    #[test]
    fn end_queue_index_matches_linear_scan() {
        let mut seed = 12345u64;
        let mut rnd = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..200 {
            let len = 1 + rnd(60) as usize;
            let items: Vec<Item> =
                (0..len).map(|i| item((rnd(3) * 10) as f64, rnd(5) as u32, rnd(3) as u32, i as u32)).collect();
            let mut sorted = items.clone();
            sort_by_ts(&mut sorted);
            let mut a = EndQueue::new(sorted.clone(), usize::MAX);
            let mut b = EndQueue::new(sorted, 0);
            let mut out_a = Vec::new();
            let mut out_b = Vec::new();
            while a.front().is_some() {
                let (k, n) = (rnd(5) as u32, rnd(3) as u32);
                if rnd(2) == 0 {
                    a.prefer(k, n);
                    b.prefer(k, n);
                }
                out_a.push(a.pop().unwrap().src);
                out_b.push(b.pop().unwrap().src);
            }
            assert!(b.pop().is_none());
            assert_eq!(out_a, out_b);
        }
    }

    #[test]
    fn compact_keeps_strings() {
        assert_eq!(compact(r#"{"x": 1}"#), r#"{"x":1}"#);
        assert_eq!(compact(r#"{ "a b" : "c \" d" }"#), r#"{"a b":"c \" d"}"#);
        assert!(matches!(compact(r#"{"x":1}"#), Cow::Borrowed(_)));
    }

    #[test]
    fn repair() {
        assert!(repair_array(b"[1]").is_none());
        assert_eq!(repair_array(b"[1,\n").unwrap().0, b"[1]");
        assert_eq!(repair_array(b"[1 , ]").unwrap().0, b"[1 ]");
        assert_eq!(repair_array(b"[").unwrap().0, b"[]");
    }
}
