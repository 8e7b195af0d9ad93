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

use flamekit_core::{Error, GroupBuilder, ImportReport, Location, ProfileGroup, Result};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny};
use serde_json::value::RawValue;

use crate::json::{
    array_of, find_key, key_pos, object_keys, read_objects, skip_ws, starts_object_with, strip_bom, without_array, JStr,
};
use crate::parallel::ShardedNames;
use crate::ImportOptions;

const FORMAT: &str = crate::Format::ChromeTrace.id();

mod cpu_profile;
mod duration;
mod events;
mod matcher;
mod samples;
mod scan;

use cpu_profile::import_cpu_profiles;
use duration::import_events;
use events::{Collector, EventsSeed, TopVisitor};
use samples::import_samples;

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
            let head = &b[..b.len().min(crate::json::SNIFF_BYTES)];
            let first = skip_ws(head, start + 1);
            key_pos(&object_keys(head, first, 64), "ph").is_some()
        }
        Some(b'{') => {
            let head = &b[..b.len().min(crate::json::SNIFF_BYTES)];
            let keys = object_keys(head, start, 64);
            let found = match key_pos(&keys, "traceEvents") {
                Some(p) => Some(p),
                // DevTools writes its metadata first; it can be long.
                None if keys.first().map(|(k, _)| *k) == Some(&b"metadata"[..]) && head.len() < b.len() => {
                    find_key(b, start, "traceEvents", 64)
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

/// Read the event array in chunks ([`read_objects`]; on several threads,
/// or in turn on one) into `col`, each event with the quick reader
/// ([`scan`]) or else serde, and the rest of the input (`samples`,
/// `stackFrames`) from `outer`, a copy of the input without the array.
/// `Ok(false)` when it was not read so (no event array near the start, a
/// cut the parse disproved, input that is not UTF-8, anything serde's read
/// of the whole input would report): the caller then reads the whole input
/// with serde, so errors and warnings are exactly that read's. The workers
/// check their chunks' UTF-8, [`without_array`] the bytes around an
/// object's array (around an array, they are whitespace).
#[allow(clippy::too_many_arguments)]
fn read_in_chunks<'a>(
    b: &'a [u8],
    is_array: bool,
    opts: &ImportOptions,
    outer: &'a mut String,
    names: &ShardedNames<'a>,
    col: &mut Collector<'a>,
    samples: &mut Option<Vec<events::SampleJson<'a>>>,
    frames: &mut Option<Vec<(JStr<'a>, events::StackFrameJson<'a>)>>,
) -> Result<bool> {
    let open = if is_array {
        skip_ws(b, 0)
    } else {
        let Some(open) = array_of(b, "traceEvents") else { return Ok(false) };
        open
    };
    let max = opts.limits.max_samples;
    let mut all = Collector::new(max);
    let read = read_objects(
        b,
        open,
        opts.thread_count(),
        // A trace event has a `ph`.
        |rest| starts_object_with(rest, "ph"),
        |_| Collector::new(max),
        events::push_one,
        // Display names are interned here, on the workers, where a chunk's
        // names are still in the cache; matching then hashes none.
        |part| part.intern_names(&mut names.batch()),
        |part| all.append(part),
    )?;
    let Some(close) = read else { return Ok(false) };
    if is_array {
        if skip_ws(b, close + 1) != b.len() {
            return Ok(false);
        }
    } else {
        // The object with `[]` for the array: its keys are read as the
        // one-thread read would read them, and it must hold no event (the
        // array was the first `traceEvents`).
        let Some(outer) = without_array(b, open, close, outer) else { return Ok(false) };
        let mut none = Collector::new(max);
        let top = TopVisitor { col: &mut none, samples, frames };
        if parse_top(serde_json::Deserializer::from_str(outer), false, top).is_err() || none.count > 0 {
            *samples = None;
            *frames = None;
            return Ok(false);
        }
    }
    *col = all;
    Ok(true)
}

fn run(
    input: &[u8],
    is_array: bool,
    repair: Option<(&'static str, &str)>,
    opts: &ImportOptions,
) -> Result<(ProfileGroup, ImportReport)> {
    // The input without its event array, when that array is read in chunks.
    let mut outer = String::new();
    // Display names of all threads, interned when the events are read in
    // chunks, and when threads are matched on workers.
    let names = ShardedNames::new();
    let mut col = Collector::new(opts.limits.max_samples);
    let mut samples = None;
    let mut frames = None;
    // Valid UTF-8 (checked once, fast) is parsed as `str`: serde_json then
    // skips the per-string UTF-8 checks. Other input takes the byte path,
    // which reports the bad string.
    let in_chunks = read_in_chunks(input, is_array, opts, &mut outer, &names, &mut col, &mut samples, &mut frames)?;
    let text = if in_chunks { None } else { std::str::from_utf8(input).ok() };
    let top = TopVisitor { col: &mut col, samples: &mut samples, frames: &mut frames };
    let r = match text {
        _ if in_chunks => Ok(()),
        Some(text) => parse_top(serde_json::Deserializer::from_str(text), is_array, top),
        None => parse_top(serde_json::Deserializer::from_slice(input), is_array, top),
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
        active = import_cpu_profiles(&mut g, &col, opts.name.as_deref(), opts.thread_count())?;
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
        import_events(&mut g, &col, hermes, opts.thread_count(), &names)?;
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

pub(super) fn skip_many(g: &mut GroupBuilder, code: &'static str, n: u64, msg: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a collector holds, as text.
    fn digest(col: &Collector<'_>) -> String {
        let mut out = format!(
            "count {} opens {} duration {} unsupported {} missing_ts {} bad_metadata {} first_args {:?}\n",
            col.count,
            col.opens,
            col.duration_events,
            col.unsupported,
            col.missing_ts,
            col.bad_metadata,
            col.first_args.map(|a| a.get())
        );
        let mut names: Vec<String> = col.thread_names.iter().map(|(k, v)| format!("{k:?} {v}")).collect();
        names.extend(col.process_names.iter().map(|(k, v)| format!("{k} {v}")));
        names.sort();
        out.push_str(&format!("{names:?}\n"));
        for th in &col.threads {
            out.push_str(&format!("thread {} {}\n", th.pid, th.tid));
            for (e, dur) in th.events_timed() {
                let name = th.name(e);
                out.push_str(&format!("{} {} {} {:?} {:?}\n", e.ts, dur, e.ph, name, e.args.map(|a| a.get())));
            }
        }
        for c in &col.cpu {
            out.push_str(&format!(
                "cpu {} {:?} {} {} {:?} {:?}\n",
                c.ts,
                c.kind,
                c.pid,
                c.tid,
                c.id,
                c.args.map(|a| a.get())
            ));
        }
        out
    }

    /// `events` as a trace: an array, or an object with keys around
    /// `traceEvents`.
    fn trace(events: &[String], object: bool) -> String {
        let array = format!("[\n{}\n]", events.join(",\n"));
        if object {
            format!(
                "{{\"metadata\": {{\"a\": [{{\"ph\": 1}}]}}, \"traceEvents\": {array}, \"displayTimeUnit\": \"ns\"}}"
            )
        } else {
            array
        }
    }

    fn event(i: usize) -> String {
        let tid = i % 5;
        match i % 97 {
            0 => format!("{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":\"t{i}\"}}}}"),
            1 => format!("{{\"name\":\"n{i}\",\"ph\":\"B\",\"pid\":1,\"tid\":{tid}}}"),
            2 => format!("{{\"name\":\"i\",\"ph\":\"i\",\"ts\":{i},\"pid\":1,\"tid\":{tid}}}"),
            3 => format!("{{\"args\":{{\"l\":[{{\"ph\":\"B\"}}, {{\"ph\":\"E\"}}]}},\"name\":\"a\",\"ph\":\"X\",\"ts\":{i},\"dur\":2,\"pid\":2,\"tid\":-0}}"),
            _ => format!("{{\"name\":\"f{}\",\"cat\":\"c\",\"ph\":\"{}\",\"ts\":{i},\"pid\":1,\"tid\":{tid}}}", i % 13, if i.is_multiple_of(2) { "B" } else { "E" }),
        }
    }

    /// Read `text` in chunks on 4 threads; the collector's digest, or `None`
    /// when the chunked read declined.
    fn chunked(text: &str, is_array: bool, limits: flamekit_core::IngestLimits) -> Option<String> {
        let opts = ImportOptions { threads: 4, limits, ..Default::default() };
        let (mut outer, mut samples, mut frames) = (String::new(), None, None);
        let mut col = Collector::new(limits.max_samples);
        read_in_chunks(
            text.as_bytes(),
            is_array,
            &opts,
            &mut outer,
            &ShardedNames::new(),
            &mut col,
            &mut samples,
            &mut frames,
        )
        .unwrap()
        .then(|| digest(&col))
    }

    fn serial(text: &str, is_array: bool) -> String {
        let (mut samples, mut frames) = (None, None);
        let mut col = Collector::new(u64::MAX);
        let top = TopVisitor { col: &mut col, samples: &mut samples, frames: &mut frames };
        parse_top(serde_json::Deserializer::from_str(text), is_array, top).unwrap();
        digest(&col)
    }

    #[test]
    fn events_read_in_chunks_are_the_events_read_on_one_thread() {
        let limits = flamekit_core::IngestLimits { max_samples: u64::MAX, ..Default::default() };
        let events: Vec<String> = (0..30_000).map(event).collect();
        for object in [false, true] {
            let text = trace(&events, object);
            let want = serial(&text, !object);
            assert_eq!(chunked(&text, !object, limits).as_deref(), Some(&*want), "object {object}");
        }
        // CPU profile events in the middle: the B/E/X events are dropped
        // from there on, wherever the cut falls.
        let mut with_cpu = events.clone();
        with_cpu[17_000] = r#"{"name":"Profile","ph":"P","ts":5,"pid":1,"tid":1,"id":"0x1","args":{"data":{}}}"#.into();
        let text = trace(&with_cpu, true);
        let want = serial(&text, false);
        assert!(want.contains("cpu 5 Profile"));
        assert_eq!(chunked(&text, false, limits).as_deref(), Some(&*want));
    }

    #[test]
    fn names_with_escapes_read_in_chunks_are_the_names_read_on_one_thread() {
        // A thread keeps its names with escapes (not slices of the input)
        // itself; each chunk numbers its own from 0, renumbered as the
        // chunks are appended. Here in every chunk of one thread, all
        // distinct, between the generated events.
        let limits = flamekit_core::IngestLimits { max_samples: u64::MAX, ..Default::default() };
        let events: Vec<String> = (0..30_000)
            .map(|i| match i % 50 {
                0 | 1 => {
                    let ph = if i % 50 == 0 { "B" } else { "E" };
                    format!(r#"{{"name":"e\"{}","ph":"{ph}","ts":{i},"pid":1,"tid":1}}"#, i / 50)
                }
                _ => event(i),
            })
            .collect();
        for object in [false, true] {
            let text = trace(&events, object);
            let want = serial(&text, !object);
            assert!(want.contains(r#"Some("e\"599")"#), "the last one is read");
            assert_eq!(chunked(&text, !object, limits).as_deref(), Some(&*want), "object {object}");
        }
    }

    #[test]
    fn events_read_in_chunks_carry_their_display_names_ids() {
        use crate::parallel::Intern;
        let mut events: Vec<String> = (0..30_000).map(event).collect();
        // A name with an escape is not borrowed from the input: its thread
        // (pid 1, tid 4) is left to be named when it is matched.
        events[20_004] = r#"{"name":"e\"x","ph":"B","ts":1,"pid":1,"tid":4}"#.into();
        let text = trace(&events, false);
        let opts = ImportOptions { threads: 4, ..Default::default() };
        let names = ShardedNames::new();
        let (mut outer, mut samples, mut frames) = (String::new(), None, None);
        let mut col = Collector::new(u64::MAX);
        assert!(read_in_chunks(text.as_bytes(), true, &opts, &mut outer, &names, &mut col, &mut samples, &mut frames)
            .unwrap());
        let mut named = 0;
        for th in &col.threads {
            assert_eq!(th.named, th.tid != 4.0, "thread {}", th.tid);
            for ev in th.events().filter(|_| th.named) {
                assert_eq!((&names).name(ev.name_id), duration::display_name(&th.name_cow(ev)));
                named += 1;
            }
        }
        assert!(named > 10_000);
    }

    #[test]
    fn chunked_reads_decline_what_one_thread_reports() {
        let limits = flamekit_core::IngestLimits::default();
        let events: Vec<String> = (0..30_000).map(event).collect();
        let text = trace(&events, false);
        assert!(chunked(&text, true, limits).is_some());
        // Trailing bytes, a trailing comma, a bad event, the sample limit.
        assert!(chunked(&format!("{text} x"), true, limits).is_none());
        assert!(chunked(&text.replace("\n]", ",\n]"), true, limits).is_none());
        let mut bad = events.clone();
        bad[20_000] = r#"{"name":"x","ph":"B","ts":{}}"#.into();
        assert!(chunked(&trace(&bad, false), true, limits).is_none());
        let few = flamekit_core::IngestLimits { max_samples: 20_000, ..Default::default() };
        assert!(chunked(&text, true, few).is_none());
        // Bytes that are not UTF-8 in an event, or after the array.
        let not_utf8 = |text: &str, at: usize| {
            let mut bytes = text.as_bytes().to_vec();
            bytes[at] = 0xff;
            let opts = ImportOptions { threads: 4, ..Default::default() };
            let (mut outer, mut samples, mut frames, mut col) = (String::new(), None, None, Collector::new(u64::MAX));
            let is_array = text.starts_with('[');
            let names = ShardedNames::new();
            read_in_chunks(&bytes, is_array, &opts, &mut outer, &names, &mut col, &mut samples, &mut frames).unwrap()
        };
        assert!(!not_utf8(&text, text.find("\"f3\"").unwrap() + 1));
        let object = trace(&events, true);
        assert!(!not_utf8(&object, object.rfind("ns").unwrap()));
        // An object whose keys after the array are not JSON.
        let object = trace(&events, true);
        assert!(chunked(&object, false, limits).is_some());
        assert!(
            chunked(&object.replace("\"displayTimeUnit\": \"ns\"", "\"displayTimeUnit\": ns"), false, limits).is_none()
        );
    }

    #[test]
    fn repair() {
        assert!(repair_array(b"[1]").is_none());
        assert_eq!(repair_array(b"[1,\n").unwrap().0, b"[1]");
        assert_eq!(repair_array(b"[1 , ]").unwrap().0, b"[1 ]");
        assert_eq!(repair_array(b"[").unwrap().0, b"[]");
    }
}
