//! Linux `perf script` text output (the default output, with or without
//! `-F` field changes, with or without the `--header` comment block).
//!
//! ```text
//! # comment lines (perf script --header) are ignored
//! simple-terminat    10 [000] 198792.736893:    1001001 cpu-clock:
//!                  643 _Z4betav+0x13 (/workdir/simple-terminates)
//!                  6f3 main (/workdir/simple-terminates)
//!      6ce258d4c544155 [unknown] ([unknown])
//! ```
//!
//! Events are separated by blank lines. An event's header is
//! `comm pid[/tid] [cpu] time: [period] event:` where every field but the
//! thread id may be missing (at least one of cpu, time or event must follow
//! the thread id) and the command name may contain spaces or be
//! right-aligned. The lines after it (tab-indented) are the call chain,
//! innermost first:
//! `address symbol[+offset] (dso)`. Without `-g` the single frame may stand
//! on the header line after the event name; it is used then.
//!
//! What the importer makes of it:
//! - one sampled profile per thread, in order of first appearance, named
//!   `comm tid: N`, or `comm pid: P tid: N` when the header has `pid/tid`
//!   (speedscope's names; unlike speedscope, thread 0 keeps its `tid: 0`);
//! - each sample weighs 1 ([`PerfWeight::Samples`], the default: sample
//!   counts, as FlameGraph and inferno count them), or with
//!   [`ImportOptions::perf_weight`] = [`PerfWeight::Period`] its **period**
//!   when the header carries one (what `perf report` sums, and right for
//!   frequency-mode sampling where periods vary). The unit is `none` (a
//!   period is nanoseconds for `cpu-clock`, but cycles or instructions for
//!   hardware events);
//! - only events of the first event type in the file are imported (as
//!   speedscope does; adding up cycles and instructions would mean nothing);
//!   the others are counted in the report as `other_event_type`;
//! - frames are named by symbol with the `+0x…` offset stripped, with the dso
//!   as file; an unresolved symbol (`[unknown]`) is named `??? (DSO)` as
//!   speedscope names it, so unknowns of different dsos stay apart;
//! - an event header that cannot be read is skipped with its call chain
//!   (`invalid_event`), a call-chain line that cannot be read is skipped
//!   (`invalid_line`); both with their 1-based line number.

use hashbrown::HashMap;
use std::borrow::Cow;

use flamekit_core::{
    Error, Excerpt, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, SampledBuilder,
    ValueUnit,
};

use crate::parallel::{Intern, LocalNames, MadeNames, ShardedNames, TOO_MANY_NAMES};
use crate::text::{hex_digits, trim, trim_end, trim_start};
use crate::ImportOptions;

const FORMAT: &str = crate::Format::LinuxPerf.id();

/// How `perf script` samples are weighted ([`ImportOptions::perf_weight`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PerfWeight {
    /// Each sample weighs 1: sample counts, as FlameGraph's
    /// `stackcollapse-perf.pl`, inferno and speedscope's flame graphs count
    /// them (speedscope's own time axis is built from timestamps, see
    /// `docs/formats.md`).
    #[default]
    Samples,
    /// Each sample weighs the period on its header line (what `perf report`
    /// sums; nanoseconds for `cpu-clock`, events for hardware counters),
    /// or 1 when the header has none.
    Period,
}

/// One parsed event header.
#[derive(Debug, PartialEq)]
struct Header<'a> {
    comm: &'a str,
    pid: Option<&'a str>,
    tid: &'a str,
    time: bool,
    period: Option<f64>,
    event: &'a str,
    /// Text after the event name (a frame when perf ran without `-g`).
    rest: &'a str,
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// `123` or `-1` (perf prints -1 for an unknown pid).
fn is_id(s: &str) -> bool {
    is_digits(s.strip_prefix('-').unwrap_or(s))
}

fn is_cpu(s: &str) -> bool {
    s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).is_some_and(is_digits)
}

fn is_time(s: &str) -> bool {
    s.strip_suffix(':').and_then(|s| s.split_once('.')).is_some_and(|(a, b)| is_digits(a) && is_digits(b))
}

fn is_event(s: &str) -> bool {
    s.len() > 1 && s.ends_with(':') && !is_time(s)
}

/// Whitespace-separated tokens of `line` as byte ranges, into `out`.
fn tokens(line: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i > start {
            out.push((start, i));
        }
    }
}

fn parse_header<'a>(line: &'a str, toks: &mut Vec<(usize, usize)>) -> Option<Header<'a>> {
    tokens(line, toks);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    // The thread token: `tid` or `pid/tid`, followed by a cpu, a time or an event.
    let mut at = None;
    for i in 0..toks.len() {
        let t = tok(i)?;
        let id_like = match t.split_once('/') {
            Some((p, t)) => is_id(p) && is_id(t),
            None => is_id(t),
        };
        if id_like && tok(i + 1).is_some_and(|n| is_cpu(n) || is_time(n) || is_event(n)) {
            at = Some(i);
            break;
        }
    }
    let i = at?;
    let comm = if i == 0 { "" } else { &line[toks[0].0..toks[i - 1].1] };
    let (pid, tid) = match tok(i)?.split_once('/') {
        Some((p, t)) => (Some(p), t),
        None => (None, tok(i)?),
    };
    let mut j = i + 1;
    if tok(j).is_some_and(is_cpu) {
        j += 1;
    }
    let time = tok(j).is_some_and(is_time);
    if time {
        j += 1;
    }
    let mut period = None;
    if let (Some(p), Some(next)) = (tok(j), tok(j + 1)) {
        if is_digits(p) && is_event(next) {
            period = p.parse::<f64>().ok().filter(|p| p.is_finite());
            j += 1;
        }
    }
    let event = tok(j).filter(|e| is_event(e))?;
    let rest = toks.get(j + 1).map_or("", |&(s, _)| line[s..].trim_end());
    Some(Header { comm, pid, tid, time, period, event: &event[..event.len() - 1], rest })
}

/// A call-chain line: `address symbol[+0xoff] (dso)`. Returns (symbol, dso).
fn parse_frame(line: &str) -> Option<(&str, &str)> {
    let s = trim(line);
    // The address: hex digits up to the first whitespace (or the end). An
    // ASCII byte's offset is a char boundary.
    let addr_end = hex_digits(s.as_bytes());
    if addr_end == 0 || s.as_bytes().get(addr_end).is_some_and(|c| !c.is_ascii_whitespace()) {
        return None;
    }
    let rest = trim_start(&s[addr_end..]);
    // The dso is the last balanced parenthesised group (it may itself hold
    // parentheses, e.g. `(/lib/x.so (deleted))`).
    let b = rest.as_bytes();
    if b.last() != Some(&b')') {
        return None;
    }
    let open = match memchr::memrchr(b'(', b) {
        // Mostly the last `(` opens it, with no `)` inside: found at once.
        Some(k) if memchr::memchr(b')', &b[k + 1..b.len() - 1]).is_none() => k,
        Some(_) => balanced_open(b)?,
        None => return None,
    };
    let dso = &rest[open + 1..rest.len() - 1];
    let mut sym = trim_end(&rest[..open]);
    if let Some(p) = memchr::memrchr(b'+', sym.as_bytes()) {
        let off = &sym.as_bytes()[p + 1..];
        if p > 0 && off.len() > 2 && off.starts_with(b"0x") && hex_digits(&off[2..]) == off.len() - 2 {
            sym = &sym[..p];
        }
    }
    if sym.is_empty() {
        sym = "[unknown]";
    }
    Some((sym, dso))
}

/// The `(` that the final `)` of `b` closes, counting nested pairs.
fn balanced_open(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().rev() {
        match c {
            b')' => depth += 1,
            b'(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn is_comment(line: &str) -> bool {
    trim_start(line).starts_with('#')
}

/// True when the first line that is neither blank nor a `#` comment is an
/// event header with a timestamp, followed by a call-chain line, a blank line
/// or the end of input.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !is_comment(l));
    let mut toks = Vec::new();
    let Some(first) = lines.find(|l| !l.trim().is_empty()) else {
        return false;
    };
    match parse_header(first, &mut toks) {
        Some(h) if h.time => {}
        _ => return false,
    }
    match lines.next() {
        None => true,
        Some(l) => l.trim().is_empty() || parse_frame(l).is_some(),
    }
}

/// Per-thread profiles, keyed by (comm, pid, tid) as written.
struct Threads<'a> {
    index: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    builders: Vec<SampledBuilder>,
    names: Vec<String>,
    /// Each thread's last call chain read on this thread ([`Chain::Text`],
    /// innermost first) and its frames (outermost first): the outermost
    /// frames the next one repeats are not looked up again.
    last: Vec<(TextChain<'a>, Vec<FrameId>)>,
}

struct Importer<'a> {
    g: GroupBuilder,
    threads: Threads<'a>,
    frames: FrameIds<'a>,
    event_type: Option<&'a str>,
    weight: PerfWeight,
    /// An event's frames, outermost first (reused from one event to the
    /// next).
    stack: Vec<FrameId>,
    /// Whether the last event applied found every frame of its chain
    /// (`stack` holds them).
    stacked: bool,
}

/// Group frames by `(symbol, dso)`: a symbol is hashed once per occurrence
/// (in `syms` on one thread, by the workers otherwise) and the pair is then
/// found by the ids of the symbol and the dso, without hashing or comparing
/// strings again.
#[derive(Default)]
struct FrameIds<'a> {
    /// Symbols, on one thread.
    syms: LocalNames,
    /// Dsos: on one thread each frame's, on several each chunk's distinct
    /// ones ([`Chunk::dsos`]).
    dsos: LocalNames,
    /// The dso of the last frame and its id (one thread): call chains
    /// mostly stay in one binary, so most dsos are found by one short
    /// comparison.
    last_dso: Option<(&'a str, u32)>,
    /// By symbol id: the first dso met with the symbol and the frame of the
    /// pair (the usual case: a symbol lives in one dso).
    by_sym: Vec<(u32, FrameId)>,
    /// Frames of the other pairs, by `sym << 32 | dso`.
    other: HashMap<u64, FrameId>,
    /// By symbol id (several threads): the string a worker made for the
    /// symbol ([`Chunk::made`]), until the symbol's first frame takes it.
    /// The symbol of a later pair is copied.
    made: MadeNames,
}

impl<'a> Importer<'a> {
    /// The frame of `(sym, dso)`, both interned here (one thread).
    fn frame(&mut self, sym: &'a str, dso: &'a str) -> Result<FrameId> {
        let f = &mut self.frames;
        let s = f.syms.intern(sym);
        let d = dso_id(&mut f.dsos, &mut f.last_dso, dso);
        self.frame_of_ids(s, d, || (Cow::Borrowed(sym), Cow::Borrowed(dso)))
    }

    /// The frame of the symbol with id `s` and the dso with id `d` (in
    /// `frames.dsos`). `text` gives the symbol and the dso, read only when
    /// the pair is new.
    fn frame_of_ids<'n>(
        &mut self,
        s: u32,
        d: u32,
        text: impl FnOnce() -> (Cow<'n, str>, Cow<'n, str>),
    ) -> Result<FrameId> {
        if s == TOO_MANY_NAMES || d == TOO_MANY_NAMES {
            return Err(Error::LimitExceeded {
                limit: flamekit_core::LimitKind::Frames,
                max: u64::from(u32::MAX),
                value: u64::from(u32::MAX) + 1,
            });
        }
        let f = &mut self.frames;
        let key = (u64::from(s) << 32) | u64::from(d);
        match f.by_sym.get(s as usize) {
            Some(&(first, id)) if first == d => return Ok(id),
            Some(&(first, _)) if first != TOO_MANY_NAMES => {
                if let Some(&id) = f.other.get(&key) {
                    return Ok(id);
                }
            }
            _ => {}
        }
        let (sym, dso) = text();
        let sym = match f.made.take(s) {
            Some(made) => Cow::Owned(made),
            None => sym,
        };
        let file = (!dso.is_empty()).then(|| dso.to_string());
        // speedscope's label for an unresolved symbol: `??? (dso)`.
        let name: Cow<'_, str> = if sym == "[unknown]" { Cow::Owned(format!("??? ({dso})")) } else { sym };
        let id = self.g.frame(Frame::with_location(name, file, None, None))?;
        let f = &mut self.frames;
        // Ids are dense on one thread (`s` is then the next one), and a
        // shard's index times the shard count from the shared table.
        if f.by_sym.len() <= s as usize {
            f.by_sym.resize(s as usize + 1, (TOO_MANY_NAMES, 0));
        }
        if f.by_sym[s as usize].0 == TOO_MANY_NAMES {
            f.by_sym[s as usize] = (d, id);
        } else {
            f.other.insert(key, id);
        }
        Ok(id)
    }

    /// Apply an event with its call chain.
    fn event(&mut self, h: &Header<'a>, line: u64, chain: Chain<'_, 'a>) -> Result<()> {
        match self.event_type {
            None => self.event_type = Some(h.event),
            Some(t) if t != h.event => {
                self.g.report().skip(
                    "other_event_type",
                    Location::Line(line),
                    format!("`{}` event skipped: only `{}` events are imported", Excerpt(h.event), Excerpt(t)),
                );
                return Ok(());
            }
            Some(_) => {}
        }
        let key = (h.comm, h.pid, h.tid);
        let pi = match self.threads.index.get(&key) {
            Some(&i) => i,
            None => {
                let mut name = String::from(h.comm);
                if let Some(pid) = h.pid {
                    name.push_str(if name.is_empty() { "pid: " } else { " pid: " });
                    name.push_str(pid);
                }
                name.push_str(if name.is_empty() { "tid: " } else { " tid: " });
                name.push_str(h.tid);
                self.g.limits().check(flamekit_core::LimitKind::Profiles, self.threads.builders.len() as u64 + 1)?;
                self.threads.builders.push(self.g.sampled(name.clone(), ValueUnit::None));
                self.threads.names.push(name);
                self.threads.last.push(Default::default());
                self.threads.index.insert(key, self.threads.builders.len() - 1);
                self.threads.builders.len() - 1
            }
        };
        let single;
        let chain = match chain {
            Chain::Text([]) => {
                single = parse_frame(h.rest);
                Chain::Text(single.as_slice())
            }
            chain => chain,
        };
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        let mut failed = None;
        let len = match chain {
            Chain::Text(frames) => frames.len(),
            Chain::Ids(frames, ..) => frames.len(),
        };
        // The outermost frames equal to those of the thread's last chain:
        // their frames are that chain's.
        let repeated = match chain {
            Chain::Text(frames) => {
                let (last, ids) = &self.threads.last[pi];
                let n = last.iter().rev().zip(frames.iter().rev()).take_while(|(a, b)| a == b).count();
                stack.extend_from_slice(&ids[..n]);
                n
            }
            // The frames of the outermost ones that the worker found equal
            // to those of an event before in the chunk.
            Chain::Ids(_, _, outer) => {
                let n = outer.len().min(len);
                stack.extend_from_slice(&outer[..n]);
                n
            }
        };
        for k in (0..len - repeated).rev() {
            let frame = match chain {
                Chain::Text(frames) => self.frame(frames[k].0, frames[k].1),
                Chain::Ids(frames, ids, _) => {
                    let (s, d) = frames[k];
                    // A chunk's dso index past its table (`TOO_MANY_NAMES`) has no id.
                    let id = ids.dso_ids.get(d as usize).copied().unwrap_or(TOO_MANY_NAMES);
                    self.frame_of_ids(s, id, || (ids.names.name(s), ids.dsos.name(d)))
                }
            };
            match frame {
                Ok(f) => stack.push(f),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let (Chain::Text(frames), None) = (chain, &failed) {
            let (last, ids) = &mut self.threads.last[pi];
            last.clear();
            last.extend_from_slice(frames);
            ids.clear();
            ids.extend_from_slice(&stack);
        }
        self.stacked = failed.is_none();
        // The nodes of the frames found, then the frame error: the first
        // error of a frame-by-frame walk.
        let node = self.threads.builders[pi].stack_path(&stack);
        self.stack = stack;
        let node = node?;
        if let Some(e) = failed {
            return Err(e);
        }
        let w = match self.weight {
            PerfWeight::Samples => 1.0,
            PerfWeight::Period => h.period.unwrap_or(1.0),
        };
        self.threads.builders[pi].push_sample(node, w)
    }
}

/// An event's call chain, innermost frame first.
#[derive(Clone, Copy)]
enum Chain<'c, 'a> {
    /// Read on this thread: `(symbol, dso)` pairs (empty when the event
    /// has no chain lines: [`Importer::event`] then reads the header's).
    Text(&'c [(&'a str, &'a str)]),
    /// Read by a worker ([`parse_chunk`]): each frame's symbol id and dso
    /// index ([`Chunk::frames`]), resolved through `ids`; then the group
    /// frames of its outermost frames that are known already (outermost
    /// first: those of the same frames of an event before, see
    /// [`Chunk::shares`]), which are not resolved again.
    Ids(&'c [(u32, u32)], &'c ChunkIds<'c, 'a>, &'c [FrameId]),
}

/// What resolves a worker's [`Chain::Ids`]: the workers' table of symbols,
/// and the chunk's dsos with their ids in [`FrameIds::dsos`].
struct ChunkIds<'c, 'a> {
    names: &'c dyn Intern<'a>,
    dsos: &'c LocalNames,
    dso_ids: &'c [u32],
}

/// The id of `dso` in `table`: the last dso looked up (`last`) is found
/// again by one short comparison (call chains mostly stay in one binary),
/// any other is interned.
fn dso_id<'a>(table: &mut LocalNames, last: &mut Option<(&'a str, u32)>, dso: &'a str) -> u32 {
    match *last {
        Some((l, id)) if l == dso => id,
        _ => {
            let id = table.intern(dso);
            *last = Some((dso, id));
            id
        }
    }
}

/// What reading a line gives, in file order: a whole event (its call chain
/// is handed alongside), or a line that is skipped.
enum Item<'a> {
    /// An event header, its line and (passed separately) its call chain.
    Event(Header<'a>, u64),
    /// A line that is neither a call-chain line nor an event header inside
    /// an event (`invalid_line`), or that starts no event (`invalid_event`).
    Skip(&'static str, u64, &'a str),
}

impl<'a> Importer<'a> {
    /// Apply one item; its line number is `lines_before` + the item's.
    fn apply(&mut self, item: Item<'a>, lines_before: u64, chain: Chain<'_, 'a>) -> Result<()> {
        match item {
            Item::Event(h, n) => self.event(&h, lines_before + n, chain),
            Item::Skip(code, n, line) => {
                let shown: String = line.trim().chars().take(80).collect();
                let what = if code == "invalid_line" { "not a call-chain line" } else { "not an event header" };
                self.g.report().skip(code, Location::Line(lines_before + n), format!("{what}: {shown}"));
                Ok(())
            }
        }
    }
}

/// Read `text` line by line, handing every event (with its call chain) and
/// every skipped line to `sink` in file order; line numbers count from 1 at
/// the start of `text`.
///
/// A thread's consecutive events mostly end their chains with the same
/// outermost frames, in the same bytes: the lines at the end of an event
/// that repeat the end of its thread's last event read whole ([`Repeat`])
/// are not read again, their frames are the ones read then.
fn read_lines<'a>(text: &'a str, sink: &mut impl FnMut(Item<'a>, &[(&'a str, &'a str)]) -> Result<()>) -> Result<u64> {
    let mut toks = Vec::new();
    // The event being read: header and its line, and whether it is a bad one
    // whose lines are being skipped.
    let mut header: Option<(Header<'_>, u64)> = None;
    let mut skipping = false;
    let mut chain: Vec<(&str, &str)> = Vec::new();
    // The last event whose chain lines were all read as frames, one after
    // another; and where the chain lines of the event being read start and
    // end (bytes), whether they are all frames so far, and the lines at its
    // end that repeat the last one's (where they start and end, and their
    // frames in `tail`), once known.
    let mut last: HashMap<Thread<'a>, Repeat<'a>> = HashMap::new();
    let (mut lines, mut whole) = (0..0, true);
    let mut repeat: Option<(usize, usize)> = None;
    let mut tail: Vec<(&str, &str)> = Vec::new();
    let mut blanks = Blanks::default();

    let b = text.as_bytes();
    let mut pos = 0;
    let mut line_no: u64 = 0;
    loop {
        if let Some((start, end)) = repeat {
            if pos == start && header.is_some() && !skipping {
                // The next lines, up to `end`, are the last frame lines of
                // the thread's last event: read as they were then.
                lines = if chain.is_empty() { start..end } else { lines.start..end };
                chain.extend_from_slice(&tail);
                line_no += tail.len() as u64;
                pos = (end + 1).min(b.len());
                repeat = None;
                continue;
            }
            if pos >= start {
                repeat = None;
            }
        }
        let line_start = pos;
        let (line, at_end) = if pos < b.len() {
            let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
            let l = text[pos..end].trim_end_matches('\r');
            pos = end + 1;
            line_no += 1;
            (l, false)
        } else {
            ("", true)
        };
        // Trimmed once: the checks below and `parse_frame` see the same
        // text either way.
        let trimmed = trim(line);
        if at_end || trimmed.is_empty() {
            if let Some((h, n)) = header.take() {
                let thread = h.thread();
                sink(Item::Event(h, n), &chain)?;
                keep(&mut last, thread, &mut chain, &lines, whole);
            }
            chain.clear();
            skipping = false;
            if at_end {
                break;
            }
            continue;
        }
        if is_comment(trimmed) || skipping {
            whole = false;
            continue;
        }
        if header.is_some() {
            if let Some(f) = parse_frame(trimmed) {
                // The line's bytes, `\r` included.
                let end = (pos - 1).min(b.len());
                lines = if chain.is_empty() { line_start..end } else { lines.start..end };
                chain.push(f);
                continue;
            }
            if let Some(h) = parse_header(line, &mut toks) {
                // A new event without a blank line before it.
                if let Some((prev, n)) = header.take() {
                    let thread = prev.thread();
                    sink(Item::Event(prev, n), &chain)?;
                    keep(&mut last, thread, &mut chain, &lines, whole);
                }
                chain.clear();
                repeat = last.get_mut(&h.thread()).and_then(|r| r.next_event(b, pos, &mut blanks, &mut tail));
                header = Some((h, line_no));
                (lines, whole) = (0..0, true);
                continue;
            }
            whole = false;
            sink(Item::Skip("invalid_line", line_no, line), &[])?;
            continue;
        }
        match parse_header(line, &mut toks) {
            Some(h) => {
                repeat = last.get_mut(&h.thread()).and_then(|r| r.next_event(b, pos, &mut blanks, &mut tail));
                header = Some((h, line_no));
                (lines, whole) = (0..0, true);
            }
            None => {
                sink(Item::Skip("invalid_event", line_no, line), &[])?;
                skipping = true;
            }
        }
    }
    Ok(line_no)
}

/// Where the next empty line is (`\n\n` or `\n\r\n`): each kind found
/// once and kept until passed, so that finding the end of every event's
/// block reads the input once in all.
#[derive(Default)]
struct Blanks {
    /// For `\n\n` and `\n\r\n`: where the last search for it started
    /// and what it found (`None`: none from there to the end).
    found: [Option<(usize, Option<usize>)>; 2],
}

impl Blanks {
    /// The end of the block of lines that starts at `from` in `b`: the
    /// `\n` that ends its last line before the first empty line, or the
    /// end of the input (without its final `\n`).
    fn block_end(&mut self, b: &[u8], from: usize) -> usize {
        let mut first = None;
        for (k, pattern) in [&b"\n\n"[..], &b"\n\r\n"[..]].into_iter().enumerate() {
            let at = match self.found[k] {
                // A search from at or before `from` that found nothing,
                // or found a blank at or after `from`, still holds.
                Some((start, None)) if start <= from => None,
                Some((start, Some(at))) if start <= from && at >= from => Some(at),
                _ => {
                    let at = b.get(from..).and_then(|rest| memchr::memmem::find(rest, pattern)).map(|i| from + i);
                    self.found[k] = Some((from, at));
                    at
                }
            };
            first = match (first, at) {
                (Some(f), Some(a)) => Some(a.min(f)),
                (f, a) => f.or(a),
            };
        }
        first.unwrap_or(if b.last() == Some(&b'\n') { b.len() - 1 } else { b.len() })
    }
}

/// The chain of a thread's last event whose chain lines were all frames,
/// one line after another, and where those lines are: what the end of the
/// thread's next event is compared with.
#[derive(Default)]
struct Repeat<'a> {
    /// `text[lines]`: the chain lines, `\n` between them, one frame each.
    lines: std::ops::Range<usize>,
    chain: TextChain<'a>,
    /// The thread's events in a row whose end repeated nothing, and how
    /// many of its next events are not compared: a thread whose chains
    /// share no end (or whose lines differ, as addresses may) is compared
    /// ever more rarely, so that finding the ends of its blocks costs
    /// next to nothing.
    misses: u32,
    skip: u32,
}

/// A call chain's frame as read from the text: (symbol, dso).
type TextFrame<'a> = (&'a str, &'a str);

/// A call chain as read from the text, innermost frame first.
type TextChain<'a> = Vec<TextFrame<'a>>;

/// An event's thread: its command, process and thread ids.
type Thread<'a> = (&'a str, Option<&'a str>, &'a str);

impl<'a> Header<'a> {
    fn thread(&self) -> Thread<'a> {
        (self.comm, self.pid, self.tid)
    }
}

/// Keep `chain`, read from `lines`, as `thread`'s last event when it has
/// frames and every line there was one of them (`whole`); `chain` is left
/// empty either way.
fn keep<'a>(
    last: &mut HashMap<Thread<'a>, Repeat<'a>>,
    thread: Thread<'a>,
    chain: &mut TextChain<'a>,
    lines: &std::ops::Range<usize>,
    whole: bool,
) {
    if whole && !chain.is_empty() {
        let kept = last.entry(thread).or_default();
        std::mem::swap(&mut kept.chain, chain);
        kept.lines = lines.clone();
    }
    chain.clear();
}

impl<'a> Repeat<'a> {
    /// [`Repeat::repeated_at`] for the thread's next event, whose chain
    /// lines start at `from` in `b`, unless the thread's last events
    /// repeated nothing (then one in 2, 4, … 64 is compared): where the
    /// repeated lines start and end, their frames copied into `tail`.
    fn next_event(
        &mut self,
        b: &[u8],
        from: usize,
        blanks: &mut Blanks,
        tail: &mut TextChain<'a>,
    ) -> Option<(usize, usize)> {
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        match self.repeated_at(b, from, blanks.block_end(b, from)) {
            Some((start, end, frames)) => {
                tail.clear();
                tail.extend_from_slice(frames);
                self.misses = 0;
                Some((start, end))
            }
            None => {
                self.misses = (self.misses + 1).min(6);
                self.skip = (1 << self.misses) - 1;
                None
            }
        }
    }

    /// For an event whose chain lines start at `from` in `b`, and whose
    /// block of lines ends at `end` ([`Blanks::block_end`]): the lines at
    /// the end of the block that are the same bytes as the last lines of
    /// the kept chain, as (where they start, where they end, their
    /// frames); `None` when there are none. Whatever the lines before them
    /// are read as, these are the same frame lines as then, and an empty
    /// line (or the end of the input) follows them.
    fn repeated_at(&self, b: &[u8], from: usize, end: usize) -> Option<(usize, usize, &[TextFrame<'a>])> {
        if self.chain.is_empty() || from >= end {
            return None;
        }
        let (cur, prev) = (b.get(from..end)?, b.get(self.lines.clone())?);
        let same = crate::text::common_suffix(cur, prev);
        if same == 0 {
            return None;
        }
        // The first line start in the common end, in both.
        let line_start = |blk: &[u8], t: usize| t == 0 || blk[t - 1] == b'\n';
        let mut t = cur.len() - same;
        if !(line_start(cur, t) && line_start(prev, t + prev.len() - cur.len())) {
            t += memchr::memchr(b'\n', &cur[t..])? + 1;
        }
        if t >= cur.len() {
            return None;
        }
        let n = 1 + memchr::memchr_iter(b'\n', &cur[t..]).count();
        Some((from + t, end, self.chain.get(self.chain.len().checked_sub(n)?..)?))
    }
}

/// The items of one chunk, with their call chains as ids: no string of the
/// input is read again by the merge, except for a frame met for the first
/// time.
struct Chunk<'a> {
    items: Vec<(Item<'a>, std::ops::Range<usize>)>,
    /// Every chain frame (innermost first, event after event): its
    /// symbol's id in the workers' shared table and its dso's index in
    /// `dsos`.
    frames: Vec<(u32, u32)>,
    /// The chunk's dsos, numbered in order of first appearance.
    dsos: LocalNames,
    lines: u64,
    /// Symbols the worker added to the shared table while reading the
    /// chunk, made into strings on its thread ([`Intern::take_made`]).
    made: Vec<(u32, String)>,
    /// By item: how many outermost frames of its chain equal those of the
    /// chain of an item before in the chunk (its thread's event before),
    /// and which item that is.
    shares: Vec<(u32, u32)>,
}

/// Read one chunk on a worker thread, interning its symbols in `names`
/// and numbering its dsos (no limit or group table is touched: the merge
/// applies the items in file order). An event without a call chain gets
/// its header's frame as its chain, as [`Importer::event`] reads it.
fn parse_chunk<'a>(text: &'a str, names: &mut impl Intern<'a>) -> Chunk<'a> {
    let mut c = Chunk {
        items: Vec::new(),
        frames: Vec::new(),
        dsos: LocalNames::default(),
        lines: 0,
        made: Vec::new(),
        shares: Vec::new(),
    };
    let (items, dsos) = (&mut c.items, &mut c.dsos);
    let mut last_dso = None;
    // A thread's consecutive events share their outermost frames (the end
    // of their chains): only the frames before those are looked up (their
    // symbol ids in `fresh`, their dso indexes in `fresh_dsos`); per item,
    // how many were, how many come from the thread's event before and
    // which item that is.
    let (mut fresh, mut fresh_dsos, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    // Each thread's last event that had a chain: the chain and its item.
    let mut prev: HashMap<Thread<'a>, (TextChain<'a>, usize)> = HashMap::new();
    let (mut syms, mut hashes) = (Vec::new(), Vec::new());
    let mut len = 0;
    // The sink never fails, so neither does reading.
    let lines = read_lines(text, &mut |item, ch| {
        let single;
        let this = match (&item, ch) {
            (Item::Event(h, _), []) => {
                single = parse_frame(h.rest);
                single.as_slice()
            }
            _ => ch,
        };
        let thread = match &item {
            Item::Event(h, _) => Some(h.thread()),
            Item::Skip(..) => None,
        };
        let last = thread.and_then(|t| prev.get(&t));
        let shared = last.map_or(0, |(p, _)| p.iter().rev().zip(this.iter().rev()).take_while(|(a, b)| a == b).count());
        let own = &this[..this.len() - shared];
        syms.clear();
        syms.extend(own.iter().map(|&(sym, _)| sym));
        names.intern_all(&syms, &mut hashes, &mut fresh);
        fresh_dsos.extend(own.iter().map(|&(_, dso)| dso_id(dsos, &mut last_dso, dso)));
        counts.push((own.len(), shared, last.map_or(0, |&(_, i)| i)));
        if let Some(t) = thread.filter(|_| !this.is_empty()) {
            let (chain, at) = prev.entry(t).or_default();
            chain.clear();
            chain.extend_from_slice(this);
            *at = items.len();
        }
        items.push((item, len..len + this.len()));
        len += this.len();
        Ok(())
    });
    names.finish_chunk(&mut fresh);
    c.made = names.take_made();
    // Every chain frame: its own ids, or those of the same outermost
    // frame of the thread's event before.
    let frames = &mut c.frames;
    frames.reserve(len);
    let mut from = 0;
    for &(own, shared, before) in &counts {
        frames.extend(fresh[from..from + own].iter().copied().zip(fresh_dsos[from..from + own].iter().copied()));
        from += own;
        let end = c.items.get(before).map_or(0, |(_, r)| r.end);
        for k in 0..shared {
            frames.push(frames[end - shared + k]);
        }
    }
    c.shares = counts.iter().map(|&(_, shared, before)| (shared as u32, before as u32)).collect();
    c.lines = lines.unwrap_or(0);
    c
}

/// A line (without its `\n`) that safely separates events wherever input is
/// cut into pieces (the parallel chunks here, the records of
/// [`crate::stream`]): ASCII whitespace only. The reader itself ends an event
/// at any line that trims to nothing, so it ends one at every such line too.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The end of the first blank line ([`is_blank`]) after the line holding byte
/// `from`: where the sequential reader has just finished an event and starts
/// afresh.
fn blank_line_boundary(b: &[u8], from: usize) -> Option<usize> {
    let mut pos = crate::parallel::line_boundary(b, from)?;
    while pos < b.len() {
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        if is_blank(&b[pos..end]) {
            return Some((end + 1).min(b.len()));
        }
        pos = end + 1;
    }
    None
}

/// Import `perf script` output.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    import_inner(bytes, opts, false)
}

/// Import; with `allow_empty`, input without any event gives a group with no
/// profile (and its report) instead of [`Error::EmptyProfile`] — what
/// streaming needs for a chunk without a valid event.
pub(crate) fn import_inner(
    bytes: &[u8],
    opts: &ImportOptions,
    allow_empty: bool,
) -> Result<(ProfileGroup, ImportReport)> {
    let threads = opts.thread_count();
    // On several threads: chunks of whole events, each checked as UTF-8 by
    // the worker that reads it (no thread reads the whole input first).
    // Events never span a blank line: chunks end after one.
    if let Some(size) = crate::parallel::chunk_size(bytes.len(), threads) {
        let chunks = crate::parallel::split_bytes(bytes, size, blank_line_boundary);
        let mut imp = Importer::new(opts);
        if imp.read_chunks(Chunks::Bytes(&chunks), threads)? {
            return imp.finish(opts, allow_empty);
        }
    }
    // Not UTF-8 (repaired), or small: read again from the start.
    let text: Cow<'_, str> = crate::text::utf8(bytes);
    let mut imp = Importer::new(opts);
    match crate::parallel::chunk_size(text.len(), threads) {
        None => {
            read_lines(&text, &mut |item, chain| imp.apply(item, 0, Chain::Text(chain)))?;
        }
        Some(size) => {
            let chunks = crate::parallel::split(&text, size, blank_line_boundary);
            imp.read_chunks(Chunks::Text(&chunks), threads)?;
        }
    }
    imp.finish(opts, allow_empty)
}

/// The chunks [`Importer::read_chunks`] reads: text, or bytes that each
/// worker checks as UTF-8.
enum Chunks<'c, 'a> {
    Text(&'c [&'a str]),
    Bytes(&'c [&'a [u8]]),
}

impl<'a> Importer<'a> {
    fn new(opts: &ImportOptions) -> Self {
        Importer {
            g: GroupBuilder::new(FORMAT, &opts.limits),
            threads: Threads { index: HashMap::new(), builders: Vec::new(), names: Vec::new(), last: Vec::new() },
            frames: FrameIds::default(),
            event_type: None,
            weight: opts.perf_weight,
            stack: Vec::new(),
            stacked: false,
        }
    }

    /// Read `chunks` on worker threads and apply them in file order.
    /// `Ok(false)` when a chunk of bytes is not UTF-8 (the chunks before it
    /// were applied: the caller starts again).
    fn read_chunks(&mut self, chunks: Chunks<'_, 'a>, threads: usize) -> Result<bool> {
        let mut lines_before = 0;
        // The workers intern the symbols in one table cut into shards
        // (each symbol is learned once for the whole input); the merge
        // finds a frame by its symbol's id.
        let names = ShardedNames::new();
        let batch = || names.batch_making_strings();
        let merge = |c: Chunk<'a>| {
            self.frames.made.keep(c.made, (&names).len());
            let dso_ids: Vec<u32> =
                (0..c.dsos.len() as u32).map(|d| self.frames.dsos.intern(&c.dsos.name(d))).collect();
            let ids = ChunkIds { names: &&names, dsos: &c.dsos, dso_ids: &dso_ids };
            // The group frames of every item's chain, outermost first, when
            // all were found: an item sharing outermost frames with one
            // before takes theirs from here.
            let (mut found, mut at): (Vec<FrameId>, Vec<Option<usize>>) = (Vec::new(), Vec::new());
            let mut outer: Vec<FrameId> = Vec::new();
            for ((item, range), &(shared, before)) in c.items.into_iter().zip(&c.shares) {
                outer.clear();
                if let Some(&Some(start)) = at.get(before as usize).filter(|_| shared > 0) {
                    outer.extend_from_slice(found.get(start..start + shared as usize).unwrap_or_default());
                }
                self.stacked = false;
                self.apply(item, lines_before, Chain::Ids(&c.frames[range], &ids, &outer))?;
                if self.stacked {
                    at.push(Some(found.len()));
                    found.extend_from_slice(&self.stack);
                } else {
                    at.push(None);
                }
            }
            lines_before += c.lines;
            Ok(())
        };
        match chunks {
            Chunks::Text(chunks) => {
                crate::parallel::parse_ordered_with(chunks, threads, batch, |b, chunk| parse_chunk(chunk, b), merge)
                    .map(|()| true)
            }
            Chunks::Bytes(chunks) => {
                crate::parallel::parse_utf8_ordered_with(chunks, threads, batch, |b, text| parse_chunk(text, b), merge)
            }
        }
    }

    /// The group of the events applied.
    fn finish(self, opts: &ImportOptions, allow_empty: bool) -> Result<(ProfileGroup, ImportReport)> {
        let Importer { mut g, threads, .. } = self;
        if threads.builders.is_empty() {
            if allow_empty {
                return g.finish(0);
            }
            return Err(Error::EmptyProfile { message: "no perf script event found".into() });
        }
        let name = match &opts.name {
            Some(n) => n.clone(),
            None if threads.names.len() == 1 => threads.names[0].clone(),
            None => String::new(),
        };
        g.set_name(name);
        for b in threads.builders {
            g.push_profile(b.finish())?;
        }
        g.finish(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symbol's string made by a worker goes to the symbol's first frame;
    /// the frame of the same symbol in another dso copies the name.
    #[test]
    fn a_made_symbol_string_goes_to_the_symbols_first_frame() {
        let mut imp = Importer::new(&ImportOptions::default());
        imp.frames.made.keep(vec![(1, "work".to_owned())], 2);
        let text = |dso: &'static str| move || (Cow::Borrowed("work"), Cow::Borrowed(dso));
        assert_eq!(imp.frame_of_ids(1, 0, text("/bin/a")).unwrap(), 0);
        assert!(imp.frames.made.left().is_empty());
        assert_eq!(imp.frame_of_ids(1, 1, text("/bin/b")).unwrap(), 1);
        assert_eq!(imp.frame_of_ids(1, 0, text("/bin/a")).unwrap(), 0);
        let names: Vec<(&str, Option<&str>)> = (0..imp.g.frame_count() as FrameId)
            .filter_map(|id| imp.g.get_frame(id))
            .map(|f| (f.name.as_str(), f.file.as_deref()))
            .collect();
        assert_eq!(names, [("work", Some("/bin/a")), ("work", Some("/bin/b"))]);
    }

    #[test]
    fn a_frame_line_is_an_address_a_symbol_and_a_dso() {
        let frame = parse_frame;
        assert_eq!(frame("\t    4005d6 main+0x10 (/bin/app)"), Some(("main", "/bin/app")));
        assert_eq!(frame("4005d6 main (/bin/app)\r"), Some(("main", "/bin/app")));
        assert_eq!(frame("ffffffff81000000 [unknown] ([kernel.kallsyms])"), Some(("[unknown]", "[kernel.kallsyms]")));
        assert_eq!(frame("7f00 (/lib/x.so (deleted))"), Some(("[unknown]", "/lib/x.so (deleted)")));
        // The offset goes only when it is `+0x` and hex digits.
        assert_eq!(frame("7f00 operator+ (a)"), Some(("operator+", "a")));
        assert_eq!(frame("7f00 f+0xzz (a)"), Some(("f+0xzz", "a")));
        // Not an address: empty, not hex, or run into the symbol.
        assert_eq!(frame("main+0x10 (/bin/app)"), None);
        assert_eq!(frame("4005g6 main (/bin/app)"), None);
        assert_eq!(frame("4005d6main (/bin/app)"), None);
        assert_eq!(frame("(/bin/app)"), None);
        // No dso.
        assert_eq!(frame("4005d6 main"), None);
        assert_eq!(frame("4005d6"), None);
    }

    proptest::proptest! {
        /// The dso found at once (the last `(`) is the balanced group's
        /// whenever that shortcut is taken.
        #[test]
        fn the_dso_is_the_last_balanced_group(body in "[a-z() ]{0,24}") {
            let line = format!("  7f00 sym+0x10 {body})");
            let rest = trim_start(&line[7..]);
            let want = balanced_open(rest.as_bytes()).map(|open| &rest[open + 1..rest.len() - 1]);
            proptest::prop_assert_eq!(parse_frame(&line).map(|(_, dso)| dso), want);
        }
    }
}
