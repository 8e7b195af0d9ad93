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
//! time and cannot nest in one timeline.

use std::collections::HashMap;

use flamekit_core::{
    Error, EventedBuilder, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit,
};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Papyrus.id();

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

/// Import a Papyrus log: one evented profile per script stack.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text = String::from_utf8_lossy(bytes);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if let Some(first) = text.lines().next() {
        if let Some((name, _)) = first.trim_end_matches('\r').split_once(" log opened") {
            g.set_name(name.trim());
        }
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
