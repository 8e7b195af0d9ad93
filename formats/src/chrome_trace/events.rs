//! Reading the events of a trace: one pass over `traceEvents` that sorts
//! them by thread and kind.

use std::borrow::Cow;

use hashbrown::HashMap;

use flamekit_core::{Error, Excerpt, LimitKind, Result};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{fmt_num, value_at, IdVal, JStr, Num};
use crate::kept::{Kept, Text};
use crate::parallel::{Intern, Parts, TOO_MANY_NAMES};

/// The display name of an event without a name (or with an empty one).
pub(super) const UNNAMED: &str = "(unnamed)";

/// An event's display name: its name, or [`UNNAMED`] when it has none or
/// an empty one.
pub(super) fn or_unnamed(name: Option<&str>) -> &str {
    name.filter(|n| !n.is_empty()).unwrap_or(UNNAMED)
}

#[derive(Deserialize, Default)]
pub(super) struct RawEvent<'a> {
    #[serde(borrow, default)]
    pub(super) ph: Option<JStr<'a>>,
    #[serde(borrow, default)]
    pub(super) name: Option<JStr<'a>>,
    #[serde(default)]
    pub(super) ts: Option<Num>,
    #[serde(default)]
    pub(super) dur: Option<Num>,
    #[serde(default)]
    pub(super) tdur: Option<Num>,
    #[serde(default)]
    pub(super) pid: Option<Num>,
    #[serde(default)]
    pub(super) tid: Option<Num>,
    #[serde(borrow, default)]
    pub(super) id: Option<IdVal<'a>>,
    #[serde(borrow, default)]
    pub(super) args: Option<&'a RawValue>,
}

/// A kept B/E/X event, in 48 bytes: a trace holds one per event of the
/// file (a million in the 100 MB benchmark file), each page of which a new
/// process maps and clears. Its name and an `X` event's duration are kept
/// by its [`Thread`]: read them there.
#[derive(Clone, Copy)]
pub(super) struct Ev<'a> {
    pub(super) ts: f64,
    name: Text<'a>,
    pub(super) args: Option<&'a RawValue>,
    /// The display name's id in the threads' shared table, when the events
    /// were read in chunks ([`Collector::intern_names`]); else [`NO_NAME`].
    pub(super) name_id: u32,
    pub(super) ph: u8,
}

// The size the doc gives.
const _: () = assert!(std::mem::size_of::<Ev<'static>>() <= 48);

/// The error for a thread whose events have more names with escapes than
/// it can keep (`u32::MAX`).
fn too_many_names() -> Error {
    Error::invalid(super::FORMAT, "traceEvents", "more event names with escapes in one thread than a trace can hold")
}

/// [`Ev::name_id`] of an event whose display name was not interned.
pub(super) const NO_NAME: u32 = TOO_MANY_NAMES;

/// (pid, tid) as hashable bits (-0 folded into 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Tk(u64, u64);

pub(super) fn tk(pid: f64, tid: f64) -> Tk {
    Tk((pid + 0.0).to_bits(), (tid + 0.0).to_bits())
}

pub(super) struct Thread<'a> {
    pub(super) pid: f64,
    pub(super) tid: f64,
    /// The thread's events in file order, in parts: one per chunk that held
    /// some when the events were read in chunks ([`Collector::append`]
    /// takes a chunk's events without copying them), else one.
    events: Parts<Ev<'a>>,
    /// The names with escapes of its events ([`Text::Kept`]).
    kept: Kept,
    /// The durations of its `X` events, in file order.
    durations: Vec<f64>,
    /// Whether every event has its [`Ev::name_id`].
    pub(super) named: bool,
}

impl<'a> Thread<'a> {
    fn new(pid: f64, tid: f64) -> Self {
        Thread { pid, tid, events: Parts::default(), kept: Kept::default(), durations: Vec::new(), named: false }
    }

    /// Add an event (`ph` B, E or X; `dur` read for X only).
    fn push(
        &mut self,
        ts: f64,
        ph: u8,
        name: Option<Cow<'a, str>>,
        args: Option<&'a RawValue>,
        dur: f64,
    ) -> Result<()> {
        let name = match name {
            None => Text::NONE,
            Some(s) => self.kept.keep(s).ok_or_else(too_many_names)?,
        };
        if ph == b'X' {
            self.durations.push(dur);
        }
        self.events.push(Ev { ts, name, args, name_id: NO_NAME, ph });
        Ok(())
    }

    /// The events of `other`, which follow this thread's in the file;
    /// `false` when their kept names would not fit.
    fn append(&mut self, mut other: Thread<'a>) -> bool {
        if !other.kept.is_empty() {
            let Some(base) = self.kept.append(&mut other.kept) else { return false };
            for ev in other.events.iter_mut() {
                ev.name.shift(base);
            }
        }
        self.named &= other.named;
        self.durations.append(&mut other.durations);
        self.events.append(other.events);
        true
    }

    /// Number of events.
    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    /// The events in file order.
    pub(super) fn events(&self) -> impl Iterator<Item = &Ev<'a>> {
        self.events.iter()
    }

    /// The events in file order, each with its duration (that of an `X`
    /// event; 0 for the others).
    pub(super) fn events_timed(&self) -> impl Iterator<Item = (&Ev<'a>, f64)> {
        let mut durations = self.durations.iter();
        self.events.iter().map(move |ev| {
            let dur = if ev.ph == b'X' { durations.next().copied().unwrap_or(0.0) } else { 0.0 };
            (ev, dur)
        })
    }

    /// Event `i` (file order), `i < len()`.
    pub(super) fn event(&self, i: usize) -> &Ev<'a> {
        &self.events[i]
    }

    /// The name of `ev` (one of this thread's events).
    pub(super) fn name<'t>(&'t self, ev: &Ev<'a>) -> Option<&'t str> {
        self.kept.get(ev.name)
    }

    /// The name of `ev` as a slice of the input, when it is one; `Err`
    /// for a name the thread keeps.
    pub(super) fn input_name(&self, ev: &Ev<'a>) -> std::result::Result<Option<&'a str>, ()> {
        match ev.name {
            Text::In(s) => Ok(Some(s)),
            Text::Kept(u32::MAX) => Ok(None),
            Text::Kept(_) => Err(()),
        }
    }

    /// The name of `ev`, borrowed from the input or copied from the thread.
    pub(super) fn name_cow(&self, ev: &Ev<'a>) -> Option<Cow<'a, str>> {
        match self.input_name(ev) {
            Ok(name) => name.map(Cow::Borrowed),
            Err(()) => self.name(ev).map(|s| Cow::Owned(s.to_owned())),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CpuKind {
    CpuProfile,
    Profile,
    Chunk,
}

pub(super) struct CpuEv<'a> {
    pub(super) ts: f64,
    pub(super) kind: CpuKind,
    pub(super) pid: f64,
    pub(super) tid: f64,
    pub(super) id: Option<IdVal<'a>>,
    pub(super) args: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct NameArgs<'a> {
    #[serde(borrow, default)]
    pub(super) name: Option<JStr<'a>>,
}

pub(super) struct Collector<'a> {
    pub(super) max_samples: u64,
    pub(super) opens: u64,
    pub(super) threads: Vec<Thread<'a>>,
    pub(super) thread_index: HashMap<Tk, usize>,
    pub(super) thread_names: HashMap<Tk, Cow<'a, str>>,
    pub(super) process_names: HashMap<u64, Cow<'a, str>>,
    pub(super) cpu: Vec<CpuEv<'a>>,
    pub(super) first_args: Option<&'a RawValue>,
    pub(super) count: u64,
    pub(super) duration_events: u64,
    pub(super) unsupported: u64,
    pub(super) missing_ts: u64,
    pub(super) bad_metadata: u64,
    pub(super) error: Option<Error>,
}

impl<'a> Collector<'a> {
    pub(super) fn new(max_samples: u64) -> Self {
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

    /// Take the event `ev` (read by reference, not moved: an event is large;
    /// its name and id are moved out of it where kept).
    fn push(&mut self, ev: &mut RawEvent<'a>) -> Result<()> {
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
                id: ev.id.take(),
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
                    self.threads.push(Thread::new(pid, tid));
                    self.thread_index.insert(key, self.threads.len() - 1);
                    self.threads.len() - 1
                }
            };
            return self.threads[ti].push(ts, ph.as_bytes()[0], ev.name.take().map(|s| s.0), ev.args, dur);
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

    /// Take `part`, the events that follow in the file collected on their
    /// own, as [`Collector::push`] would have taken them one by one.
    /// `false` when it cannot tell (the sample limit is reached: the caller
    /// reads the input again on one thread, which fails at the same event).
    pub(super) fn append(&mut self, mut part: Collector<'a>) -> bool {
        if part.error.is_some() {
            return false;
        }
        if self.count == 0 {
            self.first_args = part.first_args;
        }
        self.count += part.count;
        self.duration_events += part.duration_events;
        self.unsupported += part.unsupported;
        self.missing_ts += part.missing_ts;
        self.bad_metadata += part.bad_metadata;
        // Later names replace earlier ones, as with inserts in file order.
        self.thread_names.extend(part.thread_names);
        self.process_names.extend(part.process_names);
        if self.cpu.is_empty() {
            // The part counted and kept its B/E/X events up to its first CPU
            // profile event, which is what `push` keeps while `cpu` is empty.
            self.opens += part.opens;
            if self.opens.saturating_mul(2) > self.max_samples {
                return false;
            }
            for th in part.threads.drain(..) {
                match self.thread_index.get(&tk(th.pid, th.tid)) {
                    Some(&i) => {
                        if !self.threads[i].append(th) {
                            return false;
                        }
                    }
                    None => {
                        self.thread_index.insert(tk(th.pid, th.tid), self.threads.len());
                        self.threads.push(th);
                    }
                }
            }
            if !part.cpu.is_empty() {
                self.threads = Vec::new();
                self.thread_index = HashMap::new();
            }
        }
        self.cpu.append(&mut part.cpu);
        true
    }

    /// Intern every kept event's display name in `names` (a worker's batch
    /// of the threads' shared table) and set its [`Ev::name_id`]; a thread
    /// with a name that is not borrowed from the input (it had escapes) is
    /// left unnamed (its names are interned when it is matched).
    pub(super) fn intern_names(&mut self, names: &mut impl Intern<'a>) {
        // Per event: the index of its name in `batch`, or (high bit set) of
        // the event whose id it takes: an `E` ending the innermost open `B`
        // of the same raw name (as matching reads it) is not hashed again.
        const COPY: u32 = 1 << 31;
        let (mut batch, mut from, mut open) = (Vec::new(), Vec::new(), Vec::new());
        let (mut hashes, mut ids) = (Vec::new(), Vec::new());
        'threads: for th in &mut self.threads {
            if th.len() >= COPY as usize {
                continue;
            }
            batch.clear();
            from.clear();
            open.clear();
            for (k, ev) in th.events().enumerate() {
                // Names with escapes are not borrowed: leave the thread.
                let Ok(raw) = th.input_name(ev) else { continue 'threads };
                match open.last() {
                    Some(&(top, b)) if ev.ph == b'E' && top == raw => {
                        open.pop();
                        from.push(COPY | b);
                        continue;
                    }
                    _ => {}
                }
                batch.push(or_unnamed(raw));
                from.push(batch.len() as u32 - 1);
                if ev.ph == b'B' {
                    open.push((raw, k as u32));
                }
            }
            ids.clear();
            // A few hundred names at a time: their bytes are still in the
            // cache when the shard tables compare them.
            for part in batch.chunks(512) {
                names.intern_all(part, &mut hashes, &mut ids);
            }
            names.finish_chunk(&mut ids);
            if ids.contains(&TOO_MANY_NAMES) {
                continue;
            }
            // `from` points back only: resolved in order.
            let mut resolved: Vec<u32> = Vec::with_capacity(from.len());
            for &f in &from {
                let id = if f & COPY != 0 { resolved[(f & !COPY) as usize] } else { ids[f as usize] };
                resolved.push(id);
            }
            for (ev, &id) in th.events.iter_mut().zip(&resolved) {
                ev.name_id = id;
            }
            th.named = true;
        }
    }

    /// A thread's profile name: its process's and its own names, pid and
    /// tid. Each name is quoted as an [`Excerpt`] (its first 256 bytes):
    /// one process name serves every thread of the process, and a long one
    /// copied whole into each would cost its length times the threads.
    pub(super) fn profile_name(&self, pid: f64, tid: f64) -> String {
        let process = self.process_names.get(&(pid + 0.0).to_bits()).map(|n| Excerpt(n));
        let thread = self.thread_names.get(&tk(pid, tid)).map(|n| Excerpt(n));
        let (p, t) = (fmt_num(pid), fmt_num(tid));
        match (process, thread) {
            (Some(pn), Some(tn)) => format!("{pn} (pid {p}), {tn} (tid {t})"),
            (Some(pn), None) => format!("{pn} (pid {p}, tid {t})"),
            (None, Some(tn)) => format!("{tn} (pid {p}, tid {t})"),
            (None, None) => format!("pid {p}, tid {t}"),
        }
    }
}

/// Read the event at the start of `rest` into `col` (for
/// [`crate::json::read_objects`]): the bytes it took, or `None` when it is
/// not an event or `col` refuses it.
pub(super) fn push_one<'a>(col: &mut Collector<'a>, rest: &'a str) -> Option<usize> {
    // The usual event with the quick reader, any other with serde.
    let mut ev = RawEvent::default();
    let used = match super::scan::event_into(rest, &mut ev) {
        Some(used) => used,
        None => {
            let (read, used) = value_at::<RawEvent<'a>>(rest)?;
            ev = read;
            used
        }
    };
    col.push(&mut ev).ok()?;
    Some(used)
}

/// Deserializes an array of events into the collector, one at a time.
pub(super) struct EventsSeed<'c, 'a>(pub(super) &'c mut Collector<'a>);

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
        while let Some(mut ev) = seq.next_element::<RawEvent<'de>>()? {
            if let Err(e) = self.0.push(&mut ev) {
                let msg = e.to_string();
                self.0.error = Some(e);
                return Err(de::Error::custom(msg));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
pub(super) struct SampleJson<'a> {
    #[serde(default)]
    pub(super) ts: Option<Num>,
    #[serde(default)]
    pub(super) pid: Option<Num>,
    #[serde(default)]
    pub(super) tid: Option<Num>,
    #[serde(borrow, default)]
    pub(super) sf: Option<IdVal<'a>>,
}

#[derive(Deserialize)]
pub(super) struct StackFrameJson<'a> {
    #[serde(borrow, default)]
    pub(super) name: Option<JStr<'a>>,
    #[serde(borrow, default)]
    pub(super) parent: Option<IdVal<'a>>,
}

/// The top-level object: `traceEvents` streamed into the collector,
/// `samples` and `stackFrames` kept, everything else skipped.
pub(super) struct TopVisitor<'c, 'a> {
    pub(super) col: &'c mut Collector<'a>,
    pub(super) samples: &'c mut Option<Vec<SampleJson<'a>>>,
    pub(super) frames: &'c mut Option<Vec<(JStr<'a>, StackFrameJson<'a>)>>,
}

/// `stackFrames` as (id, frame) pairs in file order.
pub(super) struct FramesSeed;

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
