//! Duration events (`B`/`E` pairs and complete `X` events): one evented
//! profile per thread.

use std::borrow::Cow;
use std::cmp::Ordering;

use hashbrown::HashMap;

use flamekit_core::{EventedBuilder, Excerpt, FrameId, GroupBuilder, Location, Result, ValueUnit};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::events::{or_unnamed, Collector, Ev, Thread, UNNAMED};
use super::matcher::{cmp_ts, sort_by_ts, Item, Matcher, Step};
use crate::json::{fmt_num, JStr, Num};
use crate::parallel::{read_ends, BatchNames, Intern, ShardedNames, READ_AHEAD, TOO_MANY_NAMES};

/// JSON truthiness of `args`, as speedscope tests `if (event.args)`.
pub(super) fn truthy(raw: &RawValue) -> bool {
    let s = raw.get().trim();
    !(s == "null" || s == "false" || s == "\"\"" || s.parse::<f64>().is_ok_and(|x| x == 0.0))
}

/// `raw` without whitespace outside strings (borrowed when it has none).
pub(super) fn compact(raw: &str) -> Cow<'_, str> {
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
pub(super) struct HermesArgs<'a> {
    #[serde(borrow, default)]
    pub(super) url: Option<JStr<'a>>,
    #[serde(default)]
    pub(super) line: Option<Num>,
    #[serde(default)]
    pub(super) column: Option<Num>,
}

pub(super) type HermesKey<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>, Option<u64>, Option<u64>);

/// Interned keys of one thread's events.
#[derive(Default)]
pub(super) struct Keys<'a> {
    /// Display names (`(unnamed)` for a missing or empty name): the one
    /// string hashed per event.
    /// (Copied into one arena: a name's bytes are compared there, not in
    /// the input, where each first occurrence is a cache miss of its own.)
    pub(super) dnames: BatchNames,
    /// Event ids of events with args: (display name id, compacted args).
    pub(super) eids: HashMap<(u32, Cow<'a, str>), u32>,
    /// Event ids of events without args, by display name id
    /// (`u32::MAX`: none yet). Ids count across both tables.
    pub(super) bare_eids: Vec<u32>,
    /// Event ids handed out.
    pub(super) eid_count: u32,
    pub(super) hermes: HashMap<HermesKey<'a>, u32>,
    /// The names of all threads, when threads are matched on workers: each
    /// display name's id there ([`Keys::dn_names`]) lets the replay intern
    /// a name's frame once for all threads rather than once per thread.
    pub(super) names: Option<&'a ShardedNames<'a>>,
    /// Per display name id: its id in `names` (`u32::MAX`: none).
    pub(super) dn_names: Vec<u32>,
    /// Per event id: the `names` id of its frame's name, for an event
    /// without args (`u32::MAX` for one with args, or without `names`).
    pub(super) eid_names: Vec<u32>,
    /// Whether display name ids are the events' [`Ev::name_id`]s (ids of
    /// `names`, set when the events were read in chunks), not ids of
    /// `dnames`.
    pub(super) named: bool,
}

pub(super) fn intern<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K) -> u32 {
    let n = map.len() as u32;
    *map.entry(key).or_insert(n)
}

impl<'a> Keys<'a> {
    /// The event id of (display name id, compacted args): a vector lookup
    /// for the common event without args.
    fn event_id(&mut self, dn: u32, args: Option<Cow<'a, str>>) -> u32 {
        let next = self.eid_count;
        let bare = args.is_none();
        let id = match args {
            Some(args) => *self.eids.entry((dn, args)).or_insert(next),
            None => {
                let slot = dn as usize;
                if self.bare_eids.len() <= slot {
                    self.bare_eids.resize(slot + 1, u32::MAX);
                }
                if self.bare_eids[slot] == u32::MAX {
                    self.bare_eids[slot] = next;
                }
                self.bare_eids[slot]
            }
        };
        if id == next {
            self.eid_count += 1;
            if self.names.is_some() {
                let name = match bare {
                    false => None,
                    true if self.named => Some(dn),
                    true => self.dn_names.get(dn as usize).copied(),
                };
                self.eid_names.push(name.unwrap_or(u32::MAX));
            }
        }
        id
    }

    /// The id of display name `name`, added if new.
    fn display_name_id(&mut self, name: Cow<'a, str>) -> Result<u32> {
        let n = self.dnames.len();
        let dn = self.dnames.intern(&name);
        if dn == TOO_MANY_NAMES {
            return Err(flamekit_core::Error::LimitExceeded {
                limit: flamekit_core::LimitKind::Frames,
                max: n as u64,
                value: n as u64 + 1,
            });
        }
        if let Some(mut names) = self.names {
            if dn as usize == n {
                let name = match name {
                    Cow::Borrowed(s) => names.intern(s),
                    Cow::Owned(_) => u32::MAX,
                };
                self.dn_names.push(name);
            }
        }
        Ok(dn)
    }
}

pub(super) fn display_name<'a>(name: &Option<Cow<'a, str>>) -> Cow<'a, str> {
    match name {
        Some(n) if !n.is_empty() => n.clone(),
        _ => Cow::Borrowed(UNNAMED),
    }
}

pub(super) fn to_u32(v: Option<Num>) -> Option<u32> {
    v.map(|n| n.0).filter(|x| x.is_finite() && *x >= 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

/// What interning the frame an event opens reads of the event: its name
/// and args.
#[derive(Clone)]
pub(super) struct Opened<'a> {
    name: Option<Cow<'a, str>>,
    args: Option<&'a RawValue>,
}

impl<'a> Opened<'a> {
    /// Event `ev` of `th`.
    fn of(th: &Thread<'a>, ev: &Ev<'a>) -> Self {
        Opened { name: th.name_cow(ev), args: ev.args }
    }
}

/// Intern the frame an event opens (without allocating when a frame
/// without args is already known).
pub(super) fn intern_frame(g: &mut GroupBuilder, ev: &Opened<'_>, hermes: bool) -> Result<FrameId> {
    let name = display_name(&ev.name);
    if hermes {
        let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
        let (url, line, col) = match a {
            Some(a) => (a.url.map(|s| s.0), to_u32(a.line), to_u32(a.column)),
            None => (None, None, None),
        };
        return g.frame_parts(&name, url.as_deref(), line, col);
    }
    match ev.args.filter(|r| truthy(r)) {
        Some(r) => g.frame_named(&format!("{name} {}", compact(r.get()))),
        None => g.frame_named(&name),
    }
}

/// One evented profile per thread, ordered by pid then tid.
///
/// Each thread's events are matched ([`plan`]) on its own: with several
/// [`ImportOptions::threads`](crate::ImportOptions::threads), on worker
/// threads, each into a profile built apart ([`Apart`]) whose frames are the
/// thread's frame keys. The calling thread takes the profiles in thread
/// order, interns their frames in the order of their first opens and adds
/// them to the group, exactly as the single-threaded import does while
/// matching: frames, warnings and the first error (see [`Built::add`]) are
/// the same for every thread count.
pub(super) fn import_events<'a>(
    g: &mut GroupBuilder,
    col: &Collector<'a>,
    hermes: bool,
    threads: usize,
    names: &'a ShardedNames<'a>,
) -> Result<()> {
    let mut order: Vec<&Thread> = col.threads.iter().collect();
    order.sort_by(|a, b| cmp_ts(a.pid, b.pid).then(cmp_ts(a.tid, b.tid)));
    let profile_name = |th: &Thread<'_>| col.profile_name(th.pid, th.tid);
    if threads <= 1 || order.len() <= 1 {
        // One table of keys (and their frames) for all threads. Its display
        // name ids are the events' ids in `names` when every thread has them
        // (read in chunks, on any thread count), which leaves no name to
        // hash or compare here.
        let named = order.iter().all(|th| th.named);
        let (mut keys, mut frames) = (Keys { named, ..Keys::default() }, Vec::new());
        for th in order {
            let b = g.evented(profile_name(th), ValueUnit::Microseconds);
            let mut sink = Direct {
                g: &mut *g,
                b,
                th,
                hermes,
                frames: FrameOf { by_key: &mut frames, names: &[], by_name: &mut Vec::new() },
            };
            plan(th, hermes, &mut keys, &mut sink)?;
            let profile = sink.b.finish()?;
            g.push_profile(profile)?;
        }
        return Ok(());
    }
    // Workers match and build each thread apart; the calling thread adds
    // them in pid/tid order to the group.
    // Display names are also in one table for all threads (`names`, filled
    // when the events were read in chunks, else here), so that a frame named
    // alike in several threads is interned once.
    let (format, limits) = (g.format(), *g.limits());
    let mut by_name: Vec<FrameId> = Vec::new();
    crate::parallel::parse_ordered_with(
        &order,
        threads,
        || (),
        |_, th| {
            let b = EventedBuilder::apart(format, &limits, profile_name(th), ValueUnit::Microseconds);
            let mut apart = Apart::new(b, th);
            let mut keys = Keys { names: (!hermes).then_some(names), named: th.named, ..Keys::default() };
            let planned = plan(th, hermes, &mut keys, &mut apart);
            apart.names = keys.eid_names;
            apart.finish(planned)
        },
        |apart| apart?.add(g, hermes, &mut by_name),
    )
}

/// Where [`plan`] sends what one thread's profile does, in order.
pub(super) trait Sink {
    /// Open the frame of `fkey` (first opened by event `src`) at `ts`.
    fn open(&mut self, src: u32, fkey: u32, ts: f64) -> Result<()>;
    /// Close the frame of `fkey` at `ts`.
    fn close(&mut self, fkey: u32, ts: f64) -> Result<()>;
    /// Add a warning to the report.
    fn warn(&mut self, code: &'static str, location: Location, message: String);
    /// Set the profile's start.
    fn set_start(&mut self, ts: f64);
    /// Make room for `opens` opens and their closes.
    fn reserve(&mut self, opens: usize);
    /// Close every open frame at `ts`.
    fn close_all(&mut self, ts: f64) -> Result<()>;
}

/// The frames of a thread's frame keys, interned at their first open.
struct FrameOf<'g> {
    /// Frame of each frame key, once opened ([`FrameId::MAX`]: not yet).
    by_key: &'g mut Vec<FrameId>,
    /// Per frame key: its name's id in the threads' shared table
    /// ([`Keys::eid_names`]; empty when there is none).
    names: &'g [u32],
    /// Frame of each name of the shared table, once opened in any thread.
    by_name: &'g mut Vec<FrameId>,
}

impl FrameOf<'_> {
    /// Read, for each of `firsts` (frame key, opening event) whose frame is
    /// not interned yet, the first and last byte of its name, without using
    /// them: the cache misses of a batch overlap instead of coming one after
    /// the other when [`FrameOf::get`] interns them (the names lie all over
    /// the input).
    fn read_ahead(&self, firsts: &[(u32, Opened<'_>)]) {
        let mut sink = 0u8;
        for (fkey, ev) in firsts {
            let name = self.names.get(*fkey as usize).filter(|&&n| n != u32::MAX);
            let known = name.and_then(|&n| self.by_name.get(n as usize)).is_some_and(|&f| f != FrameId::MAX);
            if let (false, Some(name)) = (known, &ev.name) {
                sink ^= read_ends(name.as_bytes());
            }
        }
        std::hint::black_box(sink);
    }

    /// Intern the frames of `firsts` (frame key, opening event), in turn, a
    /// batch read ahead at a time.
    fn intern(&mut self, g: &mut GroupBuilder, hermes: bool, firsts: &[(u32, Opened<'_>)]) -> Result<()> {
        for batch in firsts.chunks(READ_AHEAD) {
            self.read_ahead(batch);
            for (fkey, ev) in batch {
                self.get(g, hermes, *fkey, || ev.clone())?;
            }
        }
        Ok(())
    }

    /// The frame of `fkey`, first opened by event `ev()` (read only when
    /// the frame is not known yet).
    fn get<'x>(
        &mut self,
        g: &mut GroupBuilder,
        hermes: bool,
        fkey: u32,
        ev: impl FnOnce() -> Opened<'x>,
    ) -> Result<FrameId> {
        let slot = fkey as usize;
        if self.by_key.len() <= slot {
            self.by_key.resize(slot + 1, FrameId::MAX);
        }
        if self.by_key[slot] == FrameId::MAX {
            // A frame without args is its display name: the same frame in
            // every thread.
            let name = self.names.get(slot).filter(|&&n| n != u32::MAX).map(|&n| n as usize);
            self.by_key[slot] = match name.and_then(|n| self.by_name.get(n)) {
                Some(&f) if f != FrameId::MAX => f,
                _ => {
                    let f = intern_frame(g, &ev(), hermes)?;
                    if let Some(name) = name {
                        if self.by_name.len() <= name {
                            self.by_name.resize(name + 1, FrameId::MAX);
                        }
                        self.by_name[name] = f;
                    }
                    f
                }
            };
        }
        Ok(self.by_key[slot])
    }
}

/// Builds the profile into the group as [`plan`] goes.
struct Direct<'g, 't, 'a> {
    g: &'g mut GroupBuilder,
    b: EventedBuilder,
    th: &'t Thread<'a>,
    hermes: bool,
    frames: FrameOf<'g>,
}

impl Sink for Direct<'_, '_, '_> {
    fn open(&mut self, src: u32, fkey: u32, ts: f64) -> Result<()> {
        let th = self.th;
        let frame = self.frames.get(self.g, self.hermes, fkey, || Opened::of(th, th.event(src as usize)))?;
        self.b.open(frame, ts)
    }
    fn close(&mut self, fkey: u32, ts: f64) -> Result<()> {
        self.b.close(self.frames.by_key[fkey as usize], ts)
    }
    fn warn(&mut self, code: &'static str, location: Location, message: String) {
        self.g.report().warn(code, location, message);
    }
    fn set_start(&mut self, ts: f64) {
        self.b.set_start(ts);
    }
    fn reserve(&mut self, opens: usize) {
        self.b.reserve(opens.saturating_mul(2));
    }
    fn close_all(&mut self, ts: f64) -> Result<()> {
        self.b.close_all(ts)
    }
}

/// Builds one thread's profile apart from the group, with its frame keys
/// for frames ([`EventedBuilder::apart`]).
struct Apart<'t, 'a> {
    b: EventedBuilder,
    th: &'t Thread<'a>,
    /// Each frame key's first open, in order: the frame key and a copy of
    /// its opening event (read here, in the worker's cache, rather than
    /// where the calling thread interns it).
    firsts: Vec<(u32, Opened<'a>)>,
    /// Whether each frame key was opened.
    opened: Vec<bool>,
    /// [`Keys::eid_names`] of the thread.
    names: Vec<u32>,
    /// Warnings, each with the number of first opens before it.
    warnings: Vec<(usize, Warning)>,
    /// Whether the builder failed (and [`plan`] returned its error).
    failed: bool,
}

/// A thread built apart: its profile, or the builder's first error.
struct Built<'a> {
    profile: Result<flamekit_core::Profile>,
    firsts: Vec<(u32, Opened<'a>)>,
    names: Vec<u32>,
    warnings: Vec<(usize, Warning)>,
}

/// A warning's code, location and message.
type Warning = (&'static str, Location, String);

impl<'t, 'a> Apart<'t, 'a> {
    fn new(b: EventedBuilder, th: &'t Thread<'a>) -> Self {
        Apart { b, th, firsts: Vec::new(), opened: Vec::new(), names: Vec::new(), warnings: Vec::new(), failed: false }
    }

    /// Note whether the builder failed.
    fn step(&mut self, r: Result<()>) -> Result<()> {
        self.failed |= r.is_err();
        r
    }

    /// The profile, once [`plan`] returned `planned`, or the builder's
    /// error. Fails with plan's own error (one before any step of the
    /// profile).
    fn finish(self, planned: Result<()>) -> Result<Built<'a>> {
        let profile = match planned {
            Ok(()) => self.b.finish(),
            Err(e) if self.failed => Err(e),
            Err(e) => return Err(e),
        };
        Ok(Built { profile, firsts: self.firsts, names: self.names, warnings: self.warnings })
    }
}

impl Built<'_> {
    /// Intern the frames and add the profile to `g`, or fail with the error
    /// the single-threaded import meets first: it interns a frame just
    /// before the event that first opens it, so a frame's error comes before
    /// the builder's error at that event and after its errors before.
    /// (The sample limit cannot fail here, where the events are counted:
    /// reading the trace bounded the events it can make by that limit.)
    fn add(self, g: &mut GroupBuilder, hermes: bool, by_name: &mut Vec<FrameId>) -> Result<()> {
        let mut by_key = Vec::new();
        let mut frames = FrameOf { by_key: &mut by_key, names: &self.names, by_name };
        // (The builder stopped at its error: no frame first opened after it
        // is here.)
        let firsts = &self.firsts[..];
        // Frames and warnings in the order plan made them: interning a frame
        // can warn too.
        let mut done = 0;
        for (before, (code, location, message)) in self.warnings {
            let end = before.clamp(done, firsts.len());
            frames.intern(g, hermes, &firsts[done..end])?;
            done = end;
            g.report().warn(code, location, message);
        }
        frames.intern(g, hermes, &firsts[done..])?;
        g.push_apart(self.profile?, &by_key).map(drop)
    }
}

impl Sink for Apart<'_, '_> {
    fn open(&mut self, src: u32, fkey: u32, ts: f64) -> Result<()> {
        let slot = fkey as usize;
        if self.opened.len() <= slot {
            self.opened.resize(slot + 1, false);
        }
        if !self.opened[slot] {
            self.opened[slot] = true;
            self.firsts.push((fkey, Opened::of(self.th, self.th.event(src as usize))));
        }
        let r = self.b.open(fkey, ts);
        self.step(r)
    }
    fn close(&mut self, fkey: u32, ts: f64) -> Result<()> {
        let r = self.b.close(fkey, ts);
        self.step(r)
    }
    fn warn(&mut self, code: &'static str, location: Location, message: String) {
        self.warnings.push((self.firsts.len(), (code, location, message)));
    }
    fn set_start(&mut self, ts: f64) {
        self.b.set_start(ts);
    }
    fn reserve(&mut self, opens: usize) {
        self.b.reserve(opens.saturating_mul(2));
    }
    fn close_all(&mut self, ts: f64) -> Result<()> {
        let r = self.b.close_all(ts);
        self.step(r)
    }
}

/// Match one thread's begins and ends and send the profile's steps to
/// `sink`. Frame keys are interned in `keys` (one table per thread, or one
/// for all: frames are the same either way).
pub(super) fn plan<'a, S: Sink>(th: &Thread<'a>, hermes: bool, keys: &mut Keys<'a>, sink: &mut S) -> Result<()> {
    let n = th.len();
    let mut begins: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut ends: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut xs: Vec<(Item, f64)> = Vec::new();
    let mut min_ts = f64::INFINITY;
    // Names of the B events not yet ended (in file order) with their display
    // name ids: an E usually ends the innermost one, and then its id is known
    // without hashing the name again.
    let mut open_names: Vec<(Option<&str>, u32)> = Vec::new();
    for (i, (ev, dur)) in th.events_timed().enumerate() {
        min_ts = min_ts.min(ev.ts);
        let args = ev.args.filter(|r| truthy(r)).map(|r| compact(r.get()));
        let raw = th.name(ev);
        let dn = match open_names.last() {
            _ if keys.named => ev.name_id,
            Some(&(top, dn)) if ev.ph == b'E' && top == raw => {
                open_names.pop();
                dn
            }
            _ => {
                let dn = keys.display_name_id(display_name(&th.name_cow(ev)))?;
                if ev.ph == b'B' {
                    open_names.push((raw, dn));
                }
                dn
            }
        };
        let eid = keys.event_id(dn, args);
        // Raw-name id: equal exactly when the raw names (`Option`) are.
        let nid = match raw {
            None => u32::MAX,
            Some("") => u32::MAX - 1,
            Some(_) => dn,
        };
        let fkey = if hermes {
            let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
            let (url, line, column) = match a {
                Some(a) => (a.url.map(|s| s.0), a.line.map(|n| n.0.to_bits()), a.column.map(|n| n.0.to_bits())),
                None => (None, None, None),
            };
            intern(&mut keys.hermes, (th.name_cow(ev), url, line, column))
        } else {
            eid
        };
        let it = Item { ts: ev.ts, eid, fkey, nid, src: i as u32 };
        match ev.ph {
            b'B' => begins.push(it),
            b'E' => ends.push(it),
            _ => xs.push((it, dur)),
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
    sink.reserve(begins.len());

    let where_ =
        |ts: f64| Location::Path(format!("pid {}, tid {}, ts {}", fmt_num(th.pid), fmt_num(th.tid), fmt_num(ts)));
    // A name as the warnings quote it: no copy, at most a few hundred bytes
    // (a warning is formatted for every repair, stored or not).
    let name_of = |it: Item| Excerpt(or_unnamed(th.name(th.event(it.src as usize))));
    if min_ts.is_finite() {
        sink.set_start(min_ts);
    }
    // Time of the last open or close.
    let mut last_at = None;
    let mut m = Matcher::new(begins, ends);
    while let Some(step) = m.next_step() {
        match step {
            Step::Begin(it) => {
                sink.open(it.src, it.fkey, it.ts)?;
                last_at = Some(it.ts);
            }
            Step::End { begin, end } => {
                if begin.fkey != end.fkey {
                    sink.warn(
                        "end_event_args_mismatch",
                        where_(end.ts),
                        format!("end of `{}` has other args than its begin: closed the open one", name_of(end)),
                    );
                }
                sink.close(begin.fkey, end.ts)?;
                last_at = Some(end.ts);
            }
            Step::Unmatched(end) => sink.warn(
                "unmatched_end_event",
                where_(end.ts),
                format!("end of `{}` with no open event: ignored", name_of(end)),
            ),
            Step::Mismatched { end, open } => sink.warn(
                "mismatched_end_event",
                where_(end.ts),
                format!("end of `{}` while `{}` is the innermost open event: ignored", name_of(end), name_of(open)),
            ),
        }
    }
    if !m.still_open().is_empty() {
        let at = last_at.unwrap_or(min_ts);
        for &it in m.still_open().iter().rev() {
            sink.warn(
                "unclosed_begin_event",
                where_(at),
                format!("`{}` was still open at the end: closed it", name_of(it)),
            );
        }
        sink.close_all(at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings() {
        assert_eq!(compact(r#"{"x": 1}"#), r#"{"x":1}"#);
        assert_eq!(compact(r#"{ "a b" : "c \" d" }"#), r#"{"a b":"c \" d"}"#);
        assert!(matches!(compact(r#"{"x":1}"#), Cow::Borrowed(_)));
    }
}
