//! Ruby [stackprof](https://github.com/tmm1/stackprof) JSON (`StackProf.run(raw: true)`
//! dumped with `JSON.generate(profile)` or `stackprof --json`), in its three
//! modes:
//!
//! - `cpu`: every sample weighs `interval` microseconds;
//! - `wall`: every sample weighs its own `raw_timestamp_deltas` entry
//!   (microseconds), falling back to `interval` when deltas are missing;
//! - `object`: every sample is one allocation (unit `none`).
//!
//! Stacks come from `raw`: repeated `[depth, frame ids (outermost first)...,
//! count]` runs, each frame id a key of `frames` (`{name, file, line}`). A
//! frame without a name is called `(unknown)`. As in speedscope, a sample
//! whose stack is `(garbage collection)` alone (older stackprof versions) is
//! placed on top of the previous sample's stack, so GC time shows under the
//! code that triggered it; stacks stackprof records as `(garbage
//! collection);(marking)` or `(garbage collection);(sweeping)` stay
//! outermost, as recorded. (Unlike speedscope, consecutive GC samples all go
//! on the same non-GC stack instead of nesting under each other.) A `raw` id missing from
//! `frames` becomes a frame `(unknown frame <id>)` with a warning. As in
//! speedscope (`frames[id]`), an id's key is its decimal form: a key such as
//! `"07"` or `"x"` names no frame and is reported (`invalid_frame_id`, in
//! file order), and a key given twice takes its last value.

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit, NO_STACK,
};
use serde::Deserialize;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Stackprof.id();

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    mode: Option<Cow<'a, str>>,
    interval: Option<f64>,
    /// In file order; a key given twice takes its last value (as in
    /// `JSON.parse`).
    #[serde(borrow, default)]
    frames: IndexMap<Cow<'a, str>, FileFrame<'a>>,
    #[serde(default)]
    raw: Vec<u64>,
    raw_timestamp_deltas: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct FileFrame<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    file: Option<Cow<'a, str>>,
    line: Option<f64>,
}

/// True when `bytes` look like stackprof JSON: an object whose start has
/// a `mode` of `cpu`, `wall`, `object` or `custom`, and stackprof's
/// `interval` and `frames`/`raw`/`samples` keys.
pub fn sniff(bytes: &[u8]) -> bool {
    let Some(text) = crate::json::object_head(bytes) else {
        return false;
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mode = ["\"mode\":\"cpu\"", "\"mode\":\"wall\"", "\"mode\":\"object\"", "\"mode\":\"custom\""]
        .iter()
        .any(|m| compact.contains(m));
    mode && compact.contains("\"interval\":")
        && (compact.contains("\"frames\":") || compact.contains("\"raw\":") || compact.contains("\"samples\":"))
}

fn line_of(v: Option<f64>) -> Option<u32> {
    v.filter(|x| x.is_finite() && *x >= 1.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

fn truncated(at: usize, what: &str) -> Error {
    Error::Truncated {
        format: FORMAT,
        location: format!("raw[{at}]"),
        message: format!("raw ends inside a sample: {what}"),
    }
}

/// Import a stackprof JSON file.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let file: File = serde_json::from_slice(bytes).map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mode = file.mode.as_deref().unwrap_or("");
    let interval = file.interval.filter(|x| x.is_finite() && *x >= 0.0);
    let (unit, name) = match mode {
        "object" => (ValueUnit::None, "object"),
        "cpu" => (ValueUnit::Microseconds, "cpu"),
        "wall" => (ValueUnit::Microseconds, "wall"),
        "custom" => (ValueUnit::None, "custom"),
        other => {
            return Err(Error::invalid(
                FORMAT,
                "mode",
                format!("unknown mode `{other}` (expected cpu, wall, object or custom)"),
            ))
        }
    };
    if mode == "cpu" && interval.is_none() {
        return Err(Error::invalid(FORMAT, "interval", "cpu mode needs a non-negative interval"));
    }
    let mut deltas = match (mode, file.raw_timestamp_deltas.as_deref()) {
        ("wall", Some(d)) => Some(d.iter()),
        ("wall", None) => {
            if interval.is_none() {
                return Err(Error::invalid(FORMAT, "raw_timestamp_deltas", "wall mode needs timestamp deltas"));
            }
            g.report().warn(
                "missing_timestamps",
                Location::Path("raw_timestamp_deltas".into()),
                "no timestamp deltas: each wall sample weighs the interval",
            );
            None
        }
        _ => None,
    };
    // Frames are interned on first use in `raw`, so frame ids follow the
    // file's sample order (deterministic, unlike the map's order).
    // A key names the id whose decimal form it is, as speedscope's
    // `frames[id]` finds it: `"7"`, not `"07"` or `"+7"`. Other keys are
    // reported in file order.
    let mut by_id: HashMap<u64, &FileFrame> = HashMap::with_capacity(file.frames.len());
    for (key, f) in &file.frames {
        match key.parse::<u64>() {
            Ok(id) if id.to_string() == **key => {
                by_id.insert(id, f);
            }
            _ => g.report().skip(
                "invalid_frame_id",
                Location::Path(format!("frames[{key:?}]")),
                "frame key is not an id",
            ),
        }
    }
    let mut ids: HashMap<u64, FrameId> = HashMap::with_capacity(file.frames.len());
    let mut b = g.sampled(opts.name.clone().unwrap_or_else(|| name.to_owned()), unit);
    let raw = &file.raw;
    let mut stack: Vec<FrameId> = Vec::new();
    // The node of the last sample that was not garbage collection.
    let mut prev = NO_STACK;
    let mut i = 0;
    let mut delta_index = 0usize;
    while i < raw.len() {
        let depth = raw[i];
        let start = i;
        i += 1;
        g.limits().check(flamekit_core::LimitKind::StackDepth, depth)?;
        // Compared in u64 first: `depth` comes from the file (any u64 when limits are off).
        if ((raw.len() - i) as u64) <= depth {
            return Err(truncated(start, "fewer frames or no count after the depth"));
        }
        let depth = depth as usize;
        stack.clear();
        for &id in &raw[i..i + depth] {
            let f = match (ids.get(&id), by_id.get(&id)) {
                (Some(&f), _) => f,
                (None, Some(ff)) => {
                    let name = ff.name.as_deref().unwrap_or("(unknown)");
                    let frame = Frame::with_location(
                        name,
                        ff.file.as_deref().filter(|s| !s.is_empty()).map(str::to_owned),
                        line_of(ff.line),
                        None,
                    );
                    let f = g.frame(frame)?;
                    ids.insert(id, f);
                    f
                }
                (None, None) => {
                    g.report().warn(
                        "unknown_frame",
                        Location::Path(format!("raw[{start}]")),
                        format!("frame id {id} is not in frames"),
                    );
                    let f = g.frame_named(&format!("(unknown frame {id})"))?;
                    ids.insert(id, f);
                    f
                }
            };
            stack.push(f);
        }
        i += depth;
        let count = raw[i];
        i += 1;
        // speedscope's rule: only a stack made of `(garbage collection)`
        // alone goes on top of the previous sample's stack.
        let is_gc = stack.len() == 1 && g.get_frame(stack[0]).is_some_and(|f| f.name == "(garbage collection)");
        let weight = match mode {
            "cpu" => count as f64 * interval.unwrap_or(0.0),
            "wall" => match deltas.as_mut() {
                Some(d) => {
                    let mut sum = 0.0;
                    for _ in 0..count {
                        match d.next() {
                            Some(&x) if x.is_finite() && x >= 0.0 => sum += x,
                            Some(&x) => {
                                return Err(Error::invalid(
                                    FORMAT,
                                    format!("raw_timestamp_deltas[{delta_index}]"),
                                    format!("delta must be finite and non-negative, got {x}"),
                                ))
                            }
                            None => {
                                return Err(Error::invalid(
                                    FORMAT,
                                    "raw_timestamp_deltas",
                                    format!("only {delta_index} deltas for more samples in raw"),
                                ))
                            }
                        }
                        delta_index += 1;
                    }
                    sum
                }
                None => count as f64 * interval.unwrap_or(0.0),
            },
            _ => count as f64,
        };
        // A GC sample's node is the previous stack's node's child: found
        // from it, not by spelling that stack out again (its depth for each
        // GC sample).
        let id = if is_gc { b.node(prev, stack[0]) } else { b.stack_id(&stack) }.map_err(|e| relocate(e, start))?;
        if !is_gc {
            prev = id;
        }
        b.push_sample(id, weight).map_err(|e| relocate(e, start))?;
    }
    g.push_profile(b.finish())?;
    g.finish(0)
}

fn relocate(e: Error, at: usize) -> Error {
    match e {
        Error::InvalidProfile { format, message, .. } => {
            Error::InvalidProfile { format, location: format!("raw[{at}]"), message }
        }
        other => other,
    }
}
