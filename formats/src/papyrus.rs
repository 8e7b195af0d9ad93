//! Papyrus profiler logs (Skyrim / Fallout 4 scripting), as written by
//! `StartPapyrusScriptProfile`, `StartStackProfiling`, `StartFormProfile`.
//!
//! ```text
//! Script_abc_example_quest log opened (PC)
//! 500:PUSH:3053:1:abcExampleQuest (24021278):abc_example_quest..exampleFunction1
//! 1500:POP:3053:1:abcExampleQuest (24021278):abc_example_quest..exampleFunction1
//! Log closed
//! ```
//!
//! Each event line is `time:OPERATION:stack:depth:form:Script..Function`
//! with `time` in milliseconds. Papyrus runs many script *stacks*
//! (threads) at once and their events interleave, so each stack becomes one
//! evented profile named `Stack <id>` (milliseconds, in order of first
//! appearance); all share the log's time axis (first to last timestamp).
//! Frames are named by the function (`Script..Function`); the form an
//! operation ran on is not part of the name, so calls on different forms
//! merge.
//!
//! * `PUSH` opens the function on its stack, `POP` closes it.
//! * A `POP` of a function that was never pushed means the function was
//!   already running when logging started (stack profiles begin this way):
//!   such functions are opened at the log's first timestamp, outermost
//!   first, beneath everything pushed later.
//! * A `POP` of a function that is open but not innermost closes the
//!   functions above it too (a warning is reported).
//! * Functions still open at the end are closed at the last timestamp (a
//!   warning is reported).
//! * `QUEUE_PUSH`, `QUEUE_POP`, `START` and `STOP` carry no call and are
//!   ignored. A timestamp earlier than the previous one is raised to it
//!   (warning). Other lines are skipped and reported as `invalid_line`.
//!
//! speedscope instead puts every stack in one profile under `STACK <id>`
//! frames; flamekit keeps the stacks apart because their calls overlap in
//! time and cannot nest in one timeline. [`ImportOptions::papyrus_stacks`]
//! = [`PapyrusStacks::Nested`] reproduces speedscope's reading.

use std::collections::{HashMap, VecDeque};

use flamekit_core::{
    Error, EventedBuilder, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit,
};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Papyrus.id();

/// How the script stacks of a Papyrus log become profiles
/// ([`ImportOptions::papyrus_stacks`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PapyrusStacks {
    /// One evented profile per script stack, `Stack <id>`: stacks run
    /// concurrently, so their calls are kept apart.
    #[default]
    Separate,
    /// speedscope's reading: one profile in which each stack's calls sit
    /// under a `STACK <id>` frame; a stack whose calls start while another
    /// stack's function is running is nested inside that function.
    Nested,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Push,
    Pop,
    Ignored,
}

struct Line<'a> {
    time: f64,
    op: Op,
    stack: u64,
    name: &'a str,
}

/// Parse one event line; `None` when it is not one.
fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut parts = line.splitn(4, ':');
    let time: u64 = parts.next()?.trim().parse().ok()?;
    let op = match parts.next()? {
        "PUSH" => Op::Push,
        "POP" => Op::Pop,
        "QUEUE_PUSH" | "QUEUE_POP" | "START" | "STOP" => Op::Ignored,
        _ => return None,
    };
    let stack: u64 = parts.next()?.trim().parse().ok()?;
    let rest = parts.next().unwrap_or("");
    let name = if op == Op::Ignored {
        ""
    } else {
        // `depth:form:Script..Function`; the form may hold spaces, the
        // function name never holds a colon.
        let (depth, rest) = rest.split_once(':')?;
        depth.trim().parse::<u64>().ok()?;
        let name = rest.rsplit(':').next()?.trim();
        if name.is_empty() || !rest.contains(':') {
            return None;
        }
        name
    };
    Some(Line { time: time as f64, op, stack, name })
}

fn is_header(line: &str) -> bool {
    line == "Log closed" || line.ends_with(" log opened (PC)") || line.contains(" log opened ")
}

/// True when the first line is a Papyrus log header
/// (`Script_…`, `Stack_…`, `Obj_…` ` log opened (…)`) or the first lines
/// are Papyrus event lines.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else { return false };
    let prefix_ok = ["Script_", "Stack_", "Obj_"].iter().any(|p| first.starts_with(p));
    if prefix_ok && first.contains(" log opened (") {
        return true;
    }
    // Headerless: two event lines in a row.
    let second = lines.next();
    let event = |l: &str| parse_line(l).is_some_and(|e| e.op != Op::Ignored || l.contains(":QUEUE_"));
    event(first) && second.is_some_and(event)
}

/// Per-stack replay state.
struct StackState {
    /// Functions running since before the log started, innermost first.
    preopen: Vec<FrameId>,
    /// Open functions, outermost first.
    open: Vec<FrameId>,
    /// How many times each frame is in `open`.
    open_count: HashMap<FrameId, u32>,
}

impl StackState {
    fn new() -> Self {
        StackState { preopen: Vec::new(), open: Vec::new(), open_count: HashMap::new() }
    }

    fn push(&mut self, f: FrameId) {
        self.open.push(f);
        *self.open_count.entry(f).or_insert(0) += 1;
    }

    fn pop(&mut self) -> Option<FrameId> {
        let f = self.open.pop()?;
        if let Some(c) = self.open_count.get_mut(&f) {
            *c -= 1;
            if *c == 0 {
                self.open_count.remove(&f);
            }
        }
        Some(f)
    }

    fn is_open(&self, f: FrameId) -> bool {
        self.open_count.contains_key(&f)
    }
}

/// Import a Papyrus log: one evented profile per script stack (or, with
/// [`PapyrusStacks::Nested`], speedscope's single profile).
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text = String::from_utf8_lossy(bytes);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if let Some(first) = text.lines().next() {
        if let Some((name, _)) = first.trim_end_matches('\r').split_once(" log opened") {
            g.set_name(name.trim());
        }
    }
    if opts.papyrus_stacks == PapyrusStacks::Nested {
        return import_nested(&text, g);
    }

    // Pass 1: validate lines, find the time range, intern frames and find
    // the functions that were already running when logging started.
    let mut stacks: Vec<(u64, StackState)> = Vec::new();
    let mut stack_index: HashMap<u64, usize> = HashMap::new();
    let mut first_time: Option<f64> = None;
    let mut last_time = 0.0_f64;
    let mut events: Vec<(usize, Op, FrameId, f64, u64)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let lineno = i as u64 + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || is_header(line.trim()) {
            continue;
        }
        let Some(ev) = parse_line(line) else {
            g.report().skip("invalid_line", Location::Line(lineno), "not a Papyrus profiler line");
            continue;
        };
        let mut time = ev.time;
        if first_time.is_none() {
            first_time = Some(time);
            last_time = time;
        }
        if time < last_time {
            g.report().warn(
                "time_went_backwards",
                Location::Line(lineno),
                format!("timestamp {time} is before {last_time}; using {last_time}"),
            );
            time = last_time;
        }
        last_time = time;
        if ev.op == Op::Ignored {
            continue;
        }
        let si = *stack_index.entry(ev.stack).or_insert_with(|| {
            stacks.push((ev.stack, StackState::new()));
            stacks.len() - 1
        });
        let frame = g.frame_named(ev.name)?;
        let st = &mut stacks[si].1;
        match ev.op {
            Op::Push => st.push(frame),
            Op::Pop => {
                if st.is_open(frame) {
                    while let Some(f) = st.pop() {
                        if f == frame {
                            break;
                        }
                    }
                } else {
                    // Running since before the log: inner to any earlier
                    // such function, outer to everything still open.
                    while st.pop().is_some() {}
                    st.preopen.push(frame);
                }
            }
            Op::Ignored => {}
        }
        events.push((si, ev.op, frame, time, lineno));
    }
    let Some(start) = first_time else {
        return Err(Error::invalid(FORMAT, "input", "no Papyrus profiler event lines"));
    };

    // Pass 2: replay into one evented builder per stack.
    let mut builders: Vec<EventedBuilder> = Vec::with_capacity(stacks.len());
    for (id, st) in stacks.iter_mut() {
        st.open.clear();
        st.open_count.clear();
        let mut b = g.evented(format!("Stack {id}"), ValueUnit::Milliseconds);
        b.set_start(start);
        b.set_end(last_time);
        let preopen = std::mem::take(&mut st.preopen);
        for &f in preopen.iter().rev() {
            b.open(f, start)?;
            st.push(f);
        }
        builders.push(b);
    }
    for (si, op, frame, time, lineno) in events {
        let (Some((_, st)), Some(b)) = (stacks.get_mut(si), builders.get_mut(si)) else { continue };
        match op {
            Op::Push => {
                b.open(frame, time)?;
                st.push(frame);
            }
            Op::Pop => {
                if !st.is_open(frame) {
                    // Cannot happen after pass 1; be safe.
                    g.report().skip("invalid_line", Location::Line(lineno), "pop of a function that is not running");
                    continue;
                }
                let mut closed_above = 0;
                while let Some(f) = st.pop() {
                    b.close(f, time)?;
                    if f == frame {
                        break;
                    }
                    closed_above += 1;
                }
                if closed_above > 0 {
                    g.report().warn(
                        "unmatched_pop",
                        Location::Line(lineno),
                        format!("{closed_above} function(s) above it were never popped; closed here"),
                    );
                }
            }
            Op::Ignored => {}
        }
    }
    for ((id, _), mut b) in stacks.iter().zip(builders) {
        if !b.open_stack().is_empty() {
            g.report().warn(
                "unclosed_frames",
                Location::Path(format!("Stack {id}")),
                format!("{} function(s) still running when the log ends; closed there", b.open_stack().len()),
            );
            b.close_all(last_time)?;
        }
        g.push_profile(b.finish()?)?;
    }
    g.finish(0)
}

/// speedscope's replay ([`PapyrusStacks::Nested`]): one frame stack for the
/// whole log. A `PUSH` on a stack other than the innermost open `STACK <id>`
/// frame opens that `STACK <id>` frame first (closing a lone `STACK` frame
/// left open at the bottom); closing a function also closes a `STACK` frame
/// it leaves on top, unless that frame is the outermost one. A `POP` of a
/// function that is not innermost is ignored (`unmatched_pop`), except
/// while no call was opened or closed after the log's first timestamp: then
/// the function is taken to have run since the start. A `PUSH` and the `POP` of the same call with the same timestamp
/// close at once. Frames still open at the end close at the last time.
fn import_nested(text: &str, mut g: GroupBuilder) -> Result<(ProfileGroup, ImportReport)> {
    let mut lines: Vec<(Line<'_>, u64)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || is_header(line.trim()) {
            continue;
        }
        match parse_line(line) {
            Some(ev) => lines.push((ev, i as u64 + 1)),
            None => g.report().skip("invalid_line", Location::Line(i as u64 + 1), "not a Papyrus profiler line"),
        }
    }
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Err(Error::invalid(FORMAT, "input", "no Papyrus profiler event lines"));
    };
    let (start, end) = (first.0.time, last.0.time.max(first.0.time));
    let mut b = g.evented(String::new(), ValueUnit::Milliseconds);
    b.set_start(start);
    b.set_end(end);
    struct Replay {
        b: EventedBuilder,
        /// Open frames, outermost first, with whether each is a `STACK` frame.
        open: Vec<(FrameId, bool)>,
        /// Indices in `open` of its `STACK` frames, outermost first.
        stacks: Vec<usize>,
        /// Time of the last open/close (never decreasing).
        last: f64,
    }
    impl Replay {
        fn at(&mut self, t: f64) -> f64 {
            self.last = self.last.max(t);
            self.last
        }
        fn enter(&mut self, f: FrameId, is_stack: bool, t: f64) -> Result<()> {
            let t = self.at(t);
            if is_stack {
                self.stacks.push(self.open.len());
            }
            self.open.push((f, is_stack));
            self.b.open(f, t)
        }
        fn pop(&mut self) -> Option<FrameId> {
            let (f, is_stack) = self.open.pop()?;
            if is_stack {
                self.stacks.pop();
            }
            Some(f)
        }
        /// The innermost open `STACK` frame.
        fn innermost_stack(&self) -> Option<FrameId> {
            self.stacks.last().map(|&i| self.open[i].0)
        }
        fn leave(&mut self, t: f64) -> Result<()> {
            let t = self.at(t);
            if let Some(f) = self.pop() {
                self.b.close(f, t)?;
            }
            if self.open.len() > 1 && self.open.last().is_some_and(|o| o.1) {
                let f = self.pop().expect("checked");
                self.b.close(f, t)?;
            }
            Ok(())
        }
    }
    let mut r = Replay { b, open: Vec::new(), stacks: Vec::new(), last: start };
    let enter = |r: &mut Replay, g: &mut GroupBuilder, stack: u64, name: &str, t: f64| -> Result<()> {
        let stack_frame = g.frame_named(&format!("STACK {stack}"))?;
        if r.innermost_stack() != Some(stack_frame) {
            if r.open.len() == 1 {
                let last = r.last;
                r.leave(last)?;
            }
            r.enter(stack_frame, true, t)?;
        }
        let f = g.frame_named(name)?;
        r.enter(f, false, t)
    };
    // The POPs of each run of consecutive lines with one timestamp, by
    // (first line of the run, stack, function), in line order: a PUSH's
    // same-timestamp POP is the first of its run's queue after the PUSH that
    // no earlier PUSH took.
    let mut run_pops: HashMap<(usize, u64, &str), VecDeque<usize>> = HashMap::new();
    let mut run_start = vec![0; lines.len()];
    for j in 0..lines.len() {
        let n = &lines[j].0;
        if j > 0 && lines[j - 1].0.time == n.time {
            run_start[j] = run_start[j - 1];
        } else {
            run_start[j] = j;
        }
        // A POP that starts its run follows no PUSH of that run.
        if n.op == Op::Pop && run_start[j] != j {
            run_pops.entry((run_start[j], n.stack, n.name)).or_default().push_back(j);
        }
    }
    let mut done = vec![false; lines.len()];
    for i in 0..lines.len() {
        if done[i] {
            continue;
        }
        let (ev, lineno) = (&lines[i].0, lines[i].1);
        match ev.op {
            Op::Push => {
                enter(&mut r, &mut g, ev.stack, ev.name, ev.time)?;
                // The same call's POP with the same timestamp closes it now.
                if let Some(pops) = run_pops.get_mut(&(run_start[i], ev.stack, ev.name)) {
                    // POPs before this line were replayed already.
                    while pops.front().is_some_and(|&j| j < i) {
                        pops.pop_front();
                    }
                    if let Some(j) = pops.pop_front() {
                        r.leave(lines[j].0.time)?;
                        done[j] = true;
                    }
                }
            }
            Op::Pop => {
                let f = g.frame_named(ev.name)?;
                if r.open.last().is_some_and(|o| o.0 == f && !o.1) {
                    r.leave(ev.time)?;
                } else if r.last == start {
                    // No call opened or closed since the start: running since then.
                    enter(&mut r, &mut g, ev.stack, ev.name, start)?;
                    r.leave(ev.time)?;
                } else {
                    g.report().skip("unmatched_pop", Location::Line(lineno), "pop of a function that is not innermost");
                }
            }
            Op::Ignored => {}
        }
    }
    while !r.open.is_empty() {
        r.leave(end)?;
    }
    g.push_profile(r.b.finish()?)?;
    g.finish(0)
}
