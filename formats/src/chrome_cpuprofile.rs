//! Chrome and Node `.cpuprofile` files: the V8 CPU profiler's output, as
//! saved by Chrome DevTools ("Save profile"), `node --cpu-prof`, the
//! inspector protocol's `Profiler.stop`, and older `v8-profiler` modules.
//!
//! # Supported shapes
//! - The current format: one JSON object
//!   `{nodes:[{id, callFrame:{functionName,url,lineNumber,columnNumber,scriptId}, children?, parent?, hitCount?}],
//!   startTime, endTime, samples:[nodeId], timeDeltas:[µs]}`, whatever the
//!   file is called (`.cpuprofile` or `.json`). The node tree may be given by
//!   `children` lists, by `parent` links, or both (they must agree).
//! - The old format of V8's C++ API (`v8-profiler-node8`): `{head:{functionName,
//!   url, lineNumber, id, children:[nested nodes]}, startTime, endTime (seconds),
//!   samples, timestamps (absolute µs)}`. Its nested tree is read iteratively,
//!   so any depth is fine. It has no columns, so its frames have none.
//!
//! The same profile embedded in Chrome trace files (`CpuProfile`,
//! `Profile`/`ProfileChunk` events) is imported by [`crate::chrome_trace`],
//! which shares this module's logic.
//!
//! # What the import gives
//! One sampled profile in microseconds, named after
//! [`ImportOptions::name`] (the file carries no name). The rules follow
//! speedscope's importer:
//! - Sample weights: sample `i` happens at `startTime + timeDeltas[0] + … +
//!   timeDeltas[i]` and weighs the time until the next sample. Runs of equal
//!   consecutive samples are merged into one sample. The last sample weighs 0
//!   (nothing tells how long it lasted). A negative delta never moves time
//!   backwards: a run that would start before the previous run starts at the
//!   previous run's time instead. Extra time deltas are ignored (with a
//!   warning); missing ones are an error.
//! - The time axis starts at `startTime`, when profiling started (as in
//!   speedscope); the time until the first sample (`timeDeltas[0]`) is idle.
//!   It ends at `endTime`, or at the last sample if that is later (traces'
//!   `ProfileChunk`s usually carry no `endTime`). speedscope instead ends
//!   the axis where the last non-idle stack closes, dropping trailing
//!   `(idle)` samples the file records; see `docs/formats.md`.
//! - Frames: name = `functionName`, or when empty `(anonymous FILE:LINE)`
//!   (FILE = last path segment of `url`, LINE = the 1-based line; bare
//!   `(anonymous)` without a url), as speedscope labels them; file = `url`
//!   (none when empty); line and column converted from 0-based to 1-based
//!   (none when negative or absent). Frames are the same when name, file,
//!   line and column are.
//! - `(root)` is never shown; `(idle)` samples become idle time (not counted
//!   in the total weight); `(program)` and `(garbage collector)` samples are
//!   placed on top of the previous sample's stack (so the time shows under
//!   the code that was running); nodes of V8's internal `native dummy.js`
//!   script are dropped together with their callers.
//! - Node ids: duplicate ids, a node with two different parents and cycles
//!   in the tree are [`Error::InvalidProfile`]. References to unknown ids
//!   occur in real files (Chrome drops old nodes from trace chunks) and are
//!   repaired as speedscope does, with a count in the report: an unknown
//!   `parent` makes the node outermost (`unknown_parent_node`), an unknown
//!   child is dropped (`unknown_child_node`), and samples of an unknown node
//!   keep the previous stack (`unknown_sample_node`).
//! - Cost: a sample costs one look-up, whatever its depth: each node's
//!   stack is kept from its first opening. The exceptions are `(program)`,
//!   `(garbage collector)` and the nodes they call, and nodes under an
//!   ignored node that has callers (the last two never occur in real
//!   profiles): their stacks depend on the stack before, so they are walked
//!   to as speedscope does, step by step from the nearest open node, and
//!   those steps are counted against
//!   [`IngestLimits::max_samples`](flamekit_core::IngestLimits::max_samples)
//!   (`limit_exceeded` past it).

use std::borrow::Cow;

use flamekit_core::{Error, GroupBuilder, ImportReport, ProfileGroup, Result};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::scan::{int, number};
use crate::json::{
    array_of, find_key, key_pos, object_keys, read_numbers, read_objects, skip_ws, starts_object_with, strip_bom,
    value_at, without_array, JStr, SNIFF_BYTES,
};
use crate::v8::{self, build_profile, CpuProfileData, NodeJson, NodePart};
use crate::ImportOptions;

const FORMAT: &str = crate::Format::ChromeCpuProfile.id();

// ---------------------------------------------------------------------------
// The `.cpuprofile` file.
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow, default)]
    nodes: Option<v8::Nodes<'a>>,
    #[serde(default)]
    samples: Option<Vec<i64>>,
    #[serde(rename = "timeDeltas", default)]
    time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    start_time: Option<f64>,
    #[serde(rename = "endTime", default)]
    end_time: Option<f64>,
    #[serde(borrow, default)]
    head: Option<&'a RawValue>,
    #[serde(default)]
    timestamps: Option<Vec<f64>>,
}

/// True when `bytes` start like a CPU profile: a JSON object with a `nodes`
/// array (whose first node has a `callFrame`, or next to `timeDeltas` or
/// `startTime`), or the old format's `head` node with a `functionName` of
/// its own (a heap profile's `head` has a `callFrame` and `selfSize`). Trace
/// files, speedscope files and V8 heap snapshots are not claimed.
pub fn sniff(bytes: &[u8]) -> bool {
    let b = strip_bom(bytes);
    let b = &b[..b.len().min(SNIFF_BYTES)];
    let start = skip_ws(b, 0);
    if b.get(start) != Some(&b'{') {
        return false;
    }
    let keys = object_keys(b, start, 32);
    let has = |k: &str| key_pos(&keys, k).is_some();
    if has("traceEvents") || has("shared") || has("profiles") || has("snapshot") || has("$schema") {
        return false;
    }
    if let Some(p) = key_pos(&keys, "nodes") {
        if b.get(p) != Some(&b'[') {
            return false;
        }
        if has("timeDeltas") || has("startTime") {
            return true;
        }
        let q = skip_ws(b, p + 1);
        return key_pos(&object_keys(b, q, 16), "callFrame").is_some();
    }
    if let Some(p) = key_pos(&keys, "head") {
        let head = object_keys(b, p, 64);
        let h = |k: &str| key_pos(&head, k).is_some();
        return (h("functionName") || has("timestamps")) && !h("callFrame") && !h("selfSize");
    }
    false
}

/// Import a `.cpuprofile` (current or old format).
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let bytes = strip_bom(bytes);
    // The input without its `nodes` array, when that array is read in
    // chunks, and that without `samples` and `timeDeltas` too.
    let (mut outer, mut rest) = (String::new(), String::new());
    // Valid UTF-8 (checked once, fast) is parsed as `str`, which spares
    // serde_json a UTF-8 check per string; other input takes the byte path.
    let in_chunks = read_in_chunks(bytes, opts, &mut outer, &mut rest)?;
    let text = if in_chunks.is_some() { None } else { std::str::from_utf8(bytes).ok() };
    let file: File = match (in_chunks, text) {
        (Some(file), _) => Ok(file),
        (None, Some(text)) => serde_json::from_str(text),
        (None, None) => serde_json::from_slice(bytes),
    }
    .map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let name = opts.name.clone().unwrap_or_default();
    let old_format = file.nodes.is_none() && file.head.is_some();
    let data = if let Some(nodes) = file.nodes {
        let samples = file.samples.unwrap_or_default();
        let time_deltas = match file.time_deltas {
            Some(d) => d,
            None if samples.is_empty() => Vec::new(),
            None => return Err(Error::invalid(FORMAT, "timeDeltas", "missing (the file has samples)")),
        };
        CpuProfileData {
            nodes,
            samples,
            time_deltas,
            start_time: file.start_time.unwrap_or(0.0),
            end_time: file.end_time.unwrap_or(0.0),
        }
    } else if let Some(head) = file.head {
        let samples = file.samples.unwrap_or_default();
        let timestamps = file.timestamps.unwrap_or_default();
        // startTime/endTime are in seconds; timestamps are absolute µs.
        let start = file.start_time.unwrap_or(0.0) * 1e6;
        let mut time_deltas = Vec::with_capacity(timestamps.len());
        let mut last = start;
        for &t in &timestamps {
            time_deltas.push(t - last);
            last = t;
        }
        CpuProfileData {
            nodes: parse_old_tree(head.get())?,
            samples,
            time_deltas,
            start_time: start,
            end_time: file.end_time.unwrap_or(0.0) * 1e6,
        }
    } else {
        return Err(Error::invalid(FORMAT, "top level", "neither `nodes` nor `head`: not a CPU profile"));
    };
    let profile = build_profile(&mut g, name, &data, "nodes", opts.thread_count())?;
    g.push_profile(profile)?;
    let (mut group, report) = g.finish(0)?;
    if old_format {
        // speedscope-import's name for the `head` shape.
        group.set_profile_type("chrome-cpuprofile-old");
    }
    Ok((group, report))
}

/// About the fewest bytes a node of the `nodes` array takes as V8 writes
/// it with a name and a url (the shortest node, with neither and no
/// children, takes about 110): a chunk of `n` bytes starts its vector with
/// room for `n / NODE_BYTES` nodes. A chunk of smaller nodes grows its
/// vector as it must; room never written to takes no memory (pages are
/// mapped when first written).
const NODE_BYTES: usize = 128;

/// The file, its `nodes` array read in chunks ([`read_objects`]: on
/// several threads, or in turn on one), each node with the quick reader
/// ([`v8::scan`]) or else serde, its `samples` and `timeDeltas` arrays of
/// plain numbers too ([`read_numbers`]), and the rest from `outer`, a copy
/// of the input without the `nodes` array (`rest`: without the other two
/// as well). `None` when it was not read so (no `nodes` array, a cut the
/// parse disproved, anything the serde read of the whole input would
/// report, input that is not UTF-8): the caller reads the input with serde,
/// so errors are exactly that read's. The workers check their chunks'
/// UTF-8, [`without_array`] the bytes around the array.
fn read_in_chunks<'a>(
    b: &'a [u8],
    opts: &ImportOptions,
    outer: &'a mut String,
    rest: &'a mut String,
) -> Result<Option<File<'a>>> {
    let Some(open) = array_of(b, "nodes") else { return Ok(None) };
    let mut nodes = v8::Nodes::default();
    let read = read_objects(
        b,
        open,
        opts.thread_count(),
        |rest| starts_object_with(rest, "callFrame"),
        // Room for the chunk's nodes from the start: growing step by step
        // copies the nodes read so far at each step.
        |bytes| NodePart::with_capacity(bytes / NODE_BYTES),
        |part: &mut NodePart<'a>, rest| {
            // The usual node with the quick reader, straight into its
            // place, any other with serde.
            v8::scan::push_node(rest, part).or_else(|| {
                let (node, used) = value_at::<NodeJson<'a>>(rest)?;
                part.push_json(node).map(|()| used)
            })
        },
        |_| {},
        |part| nodes.push_part(part).is_some(),
    )?;
    let Some(close) = read else { return Ok(None) };
    let Some(outer) = without_array(b, open, close, outer) else { return Ok(None) };
    let numbers = read_sample_arrays(outer, opts.thread_count(), rest)?;
    let rest: &'a String = rest;
    // The rest read as the one-thread read reads it; the arrays read in
    // chunks are empty arrays there.
    let file = serde_json::from_str::<File<'a>>(if numbers.is_some() { rest } else { outer });
    let Ok(file) = file else { return Ok(None) };
    if !file.nodes.as_ref().is_some_and(v8::Nodes::is_empty) {
        return Ok(None);
    }
    let file = File { nodes: Some(nodes), ..file };
    Ok(match numbers {
        None => Some(file),
        Some((samples, deltas))
            if file.samples.as_ref().is_some_and(Vec::is_empty)
                && file.time_deltas.as_ref().is_some_and(Vec::is_empty) =>
        {
            Some(File { samples: Some(samples), time_deltas: Some(deltas), ..file })
        }
        Some(_) => None,
    })
}

/// `samples` (integers) and `timeDeltas` (numbers) of the profile `outer`,
/// read in chunks ([`read_numbers`]), with `outer` written into `rest` with
/// `[]` for both. `None` when either is missing, is not an array or holds
/// anything but plain numbers: serde reads them then.
fn read_sample_arrays(outer: &str, threads: usize, rest: &mut String) -> Result<Option<(Vec<i64>, Vec<f64>)>> {
    let b = outer.as_bytes();
    let start = skip_ws(b, 0);
    let array = |key: &str| find_key(b, start, key, 64).filter(|&open| b.get(open) == Some(&b'['));
    let Some(s_open) = array("samples") else { return Ok(None) };
    let Some((samples, s_close)) = read_numbers(b, s_open, threads, int)? else { return Ok(None) };
    // `timeDeltas` usually follows `samples`: found there without skipping
    // the samples again.
    let Some(d_open) = next_key(b, s_close + 1, "timeDeltas").or_else(|| array("timeDeltas")) else {
        return Ok(None);
    };
    let Some((deltas, d_close)) = read_numbers(b, d_open, threads, number)? else { return Ok(None) };
    let (mut cuts, mut at) = ([(s_open, s_close), (d_open, d_close)], 0);
    cuts.sort_unstable();
    rest.clear();
    for (open, close) in cuts {
        // The arrays' brackets are ASCII, at char boundaries; and the two
        // arrays are apart.
        let Some(before) = outer.get(at..open) else { return Ok(None) };
        rest.push_str(before);
        rest.push_str("[]");
        at = close + 1;
    }
    rest.push_str(outer.get(at..).unwrap_or(""));
    Ok(Some((samples, deltas)))
}

/// The offset of the array value of `key` when it is the key after the
/// value that ends before `from` (a `,`, the key, a `:` and a `[` follow).
fn next_key(b: &[u8], from: usize, key: &str) -> Option<usize> {
    let i = skip_ws(b, from);
    if b.get(i) != Some(&b',') {
        return None;
    }
    let i = skip_ws(b, i + 1);
    let k = b.get(i..)?.strip_prefix(b"\"")?.strip_prefix(key.as_bytes())?.strip_prefix(b"\"")?;
    let i = skip_ws(b, b.len() - k.len());
    (b.get(i) == Some(&b':')).then(|| skip_ws(b, i + 1)).filter(|&open| b.get(open) == Some(&b'['))
}

// ---------------------------------------------------------------------------
// The old format's nested node tree, read iteratively.
// ---------------------------------------------------------------------------

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn ws(&mut self) {
        self.pos = skip_ws(self.bytes(), self.pos);
    }

    fn err(&self, message: impl Into<String>) -> Error {
        if self.pos >= self.text.len() {
            Error::Truncated { format: FORMAT, location: "head".into(), message: message.into() }
        } else {
            Error::invalid(FORMAT, format!("head, byte {}", self.pos), message)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected `{}`", c as char)))
        }
    }

    /// Read one JSON value (any depth for ignored values: serde skips them iteratively).
    fn value<T: Deserialize<'a>>(&mut self) -> Result<T> {
        self.ws();
        let rest = self.text.get(self.pos..).ok_or_else(|| self.err("bad position"))?;
        let mut it = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        match it.next() {
            Some(Ok(v)) => {
                self.pos += it.byte_offset();
                Ok(v)
            }
            Some(Err(e)) if e.is_eof() => {
                Err(Error::Truncated { format: FORMAT, location: "head".into(), message: e.to_string() })
            }
            Some(Err(e)) => Err(Error::invalid(FORMAT, format!("head, byte {}", self.pos), e.to_string())),
            None => Err(Error::Truncated { format: FORMAT, location: "head".into(), message: "value expected".into() }),
        }
    }
}

struct OldNode<'a> {
    id: Option<i64>,
    function_name: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    line: Option<f64>,
    parent: Option<usize>,
}

enum State {
    /// Inside a node object: its index, and whether no key was read yet.
    Object(usize, bool),
    /// Inside a `children` array: the parent's index, and whether it is still empty.
    Children(usize, bool),
}

/// Flatten the old format's nested `head` tree, without recursion.
fn parse_old_tree(text: &str) -> Result<v8::Nodes<'_>> {
    let mut c = Cursor { text, pos: 0 };
    let mut nodes: Vec<OldNode> = Vec::new();
    let new_node = |parent| OldNode { id: None, function_name: None, url: None, line: None, parent };
    c.expect(b'{')?;
    nodes.push(new_node(None));
    let mut stack = vec![State::Object(0, true)];
    while let Some(top) = stack.last_mut() {
        c.ws();
        match top {
            State::Object(ni, first) => {
                let ni = *ni;
                if c.peek() == Some(b'}') {
                    c.pos += 1;
                    stack.pop();
                    continue;
                }
                if !*first {
                    c.expect(b',')?;
                }
                *first = false;
                let key: JStr = c.value()?;
                c.expect(b':')?;
                let node = &mut nodes[ni];
                match key.0.as_ref() {
                    "children" => {
                        c.expect(b'[')?;
                        stack.push(State::Children(ni, true));
                    }
                    "functionName" => node.function_name = c.value::<Option<JStr>>()?.map(|s| s.0),
                    "url" => node.url = c.value::<Option<JStr>>()?.map(|s| s.0),
                    "lineNumber" => node.line = c.value()?,
                    "id" => node.id = c.value()?,
                    _ => {
                        c.value::<IgnoredAny>()?;
                    }
                }
            }
            State::Children(pi, first) => {
                let pi = *pi;
                if c.peek() == Some(b']') {
                    c.pos += 1;
                    stack.pop();
                    continue;
                }
                if !*first {
                    c.expect(b',')?;
                }
                *first = false;
                c.expect(b'{')?;
                nodes.push(new_node(Some(pi)));
                stack.push(State::Object(nodes.len() - 1, true));
            }
        }
    }
    c.ws();
    if c.pos != text.len() {
        return Err(c.err("trailing characters after the head node"));
    }
    let mut ids = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        ids.push(n.id.ok_or_else(|| Error::invalid(FORMAT, format!("head node {i}"), "node without an id"))?);
    }
    let mut part = NodePart::with_capacity(nodes.len());
    for n in nodes {
        part.push_old(
            n.id.unwrap_or_default(),
            n.function_name.unwrap_or(Cow::Borrowed("")),
            n.url,
            n.line.and_then(v8::one_based),
            n.parent.and_then(|p| ids.get(p).copied()),
        )
        .ok_or_else(|| v8::too_many(FORMAT, "head"))?;
    }
    let mut flat = v8::Nodes::default();
    flat.push_part(part).ok_or_else(|| v8::too_many(FORMAT, "head"))?;
    Ok(flat)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.cpuprofile` of `n` nodes (with `positionTicks`, escaped names,
    /// keys in other orders) and `extra` after `nodes`.
    fn profile(n: usize, extra: &str) -> String {
        let nodes: Vec<String> = (1..=n)
            .map(|i| match i % 5 {
                0 => format!(
                    r#"{{"callFrame":{{"functionName":"f\"{i}","url":"u{i}.js","lineNumber":{i},"columnNumber":2}},"id":{i},"positionTicks":[{{"line":1,"ticks":2}}, {{"line":3,"ticks":4}}],"children":[{}]}}"#,
                    i + 1
                ),
                _ => format!(r#"{{"id":{i},"callFrame":{{"functionName":"f{}","url":""}},"hitCount":1,"children":[{}]}}"#, i % 7, i + 1),
            })
            .collect();
        format!(r#"{{"startTime":1,"nodes":[{}],"samples":[1,2,3],"timeDeltas":[0,1,1]{extra}}}"#, nodes.join(",\n"))
    }

    /// A `.cpuprofile` of `nodes` (id, function name, children ids) and
    /// `samples`, 10 microseconds apart.
    fn tree_profile(nodes: &[(u32, &str, &str)], samples: &[u32]) -> String {
        let nodes: Vec<String> = nodes
            .iter()
            .map(|(id, name, children)| {
                format!(r#"{{"id":{id},"callFrame":{{"functionName":"{name}","url":""}},"children":[{children}]}}"#)
            })
            .collect();
        let deltas: Vec<&str> = (0..samples.len()).map(|i| if i == 0 { "0" } else { "10" }).collect();
        let samples: Vec<String> = samples.iter().map(u32::to_string).collect();
        format!(
            r#"{{"startTime":0,"endTime":{},"nodes":[{}],"samples":[{}],"timeDeltas":[{}]}}"#,
            10 * samples.len(),
            nodes.join(","),
            samples.join(","),
            deltas.join(",")
        )
    }

    #[test]
    fn frames_come_in_the_order_the_samples_first_open_them() {
        // Nodes a, b, c (c under a), sampled b, then c, then a: the walk
        // opens b, then a and c (outermost first), and interns their frames
        // in that order, not in node order. An unknown node keeps the stack
        // before; (program) and (garbage collector) go on top of it.
        let text = tree_profile(
            &[
                (1, "(root)", "2,3,5,6"),
                (2, "a", "4"),
                (3, "b", ""),
                (4, "c", ""),
                (5, "(garbage collector)", ""),
                (6, "d", ""),
            ],
            &[3, 4, 9, 6, 2, 5],
        );
        for threads in [1, 4] {
            let (group, _) = import(text.as_bytes(), &ImportOptions { threads, ..Default::default() }).unwrap();
            let names: Vec<&str> = group.frames().iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["b", "a", "c", "d", "(garbage collector)"], "{threads} threads");
        }
    }

    #[test]
    fn a_frame_past_the_limit_fails_where_the_walk_first_opens_it() {
        // Sampled c (under a), then b: the walk opens a and c, past the
        // depth limit of 1 at c, before it meets b, the frame past the limit
        // of 2 frames. The depth error comes first; without it, b's.
        let text = tree_profile(&[(1, "(root)", "2,3"), (2, "a", "4"), (3, "b", ""), (4, "c", "")], &[4, 3]);
        for (depth, expected) in [(1, flamekit_core::LimitKind::StackDepth), (2, flamekit_core::LimitKind::Frames)] {
            let mut opts = ImportOptions::default();
            opts.limits.max_stack_depth = depth;
            opts.limits.max_frames = 2;
            match import(text.as_bytes(), &opts) {
                Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, expected, "depth limit {depth}"),
                other => panic!("depth limit {depth}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn limits_fail_in_walk_order_when_the_walk_and_the_interning_run_at_once() {
        // A chain of 300 nodes, f1 calling f2 … calling f300 (more than one
        // batch of frames to intern), sampled at its end, then a 301st node
        // outside it. The walk opens f1 … f300 outermost first: past a depth
        // limit of 100 at f101, past a limit of 200 frames at f201, and
        // f301 last. Whichever it meets first is the error, on any number of
        // threads, and without limits all 301 frames come in that order.
        let mut nodes: Vec<(u32, String, String)> = vec![(1, "(root)".into(), "2,302".into())];
        nodes.extend(
            (2..=301)
                .map(|id| (id, format!("f{}", id - 1), if id < 301 { (id + 1).to_string() } else { String::new() })),
        );
        nodes.push((302, "f301".into(), String::new()));
        let nodes: Vec<(u32, &str, &str)> = nodes.iter().map(|(id, n, c)| (*id, n.as_str(), c.as_str())).collect();
        let text = tree_profile(&nodes, &[301, 302]);
        use flamekit_core::LimitKind::{Frames, StackDepth};
        for threads in [1, 2, 4] {
            for (depth, frames, expected) in [
                (100, 200, Some(StackDepth)),
                (250, 200, Some(Frames)),
                (150, 300, Some(StackDepth)),
                (300, 300, Some(Frames)),
                (300, 301, None),
            ] {
                let mut opts = ImportOptions { threads, ..Default::default() };
                opts.limits.max_stack_depth = depth;
                opts.limits.max_frames = frames;
                let what = format!("{threads} threads, depth limit {depth}, frame limit {frames}");
                match (import(text.as_bytes(), &opts), expected) {
                    (Err(Error::LimitExceeded { limit, .. }), Some(e)) => assert_eq!(limit, e, "{what}"),
                    (Ok((group, _)), None) => {
                        let names: Vec<&str> = group.frames().iter().map(|f| f.name.as_str()).collect();
                        let want: Vec<String> = (1..=301).map(|i| format!("f{i}")).collect();
                        assert_eq!(names, want, "{what}");
                    }
                    (other, _) => panic!("{what}: {:?}", other.map(|_| ())),
                }
            }
        }
    }

    fn chunked(text: &str) -> Option<File<'_>> {
        chunked_on(text, 4)
    }

    fn chunked_on(text: &str, threads: usize) -> Option<File<'_>> {
        let opts = ImportOptions { threads, ..Default::default() };
        // Leaked: the test's file borrows it.
        let outer: &mut String = Box::leak(Box::default());
        let rest: &mut String = Box::leak(Box::default());
        read_in_chunks(text.as_bytes(), &opts, outer, rest).unwrap()
    }

    #[test]
    fn nodes_read_in_chunks_are_the_nodes_read_on_one_thread() {
        // Large enough for chunks; small enough for one chunk. One thread
        // reads the chunks in turn.
        for (n, threads) in [(20_000, 4), (20_000, 1), (10, 4), (10, 1)] {
            let text = profile(n, r#","endTime":9"#);
            let one: File = serde_json::from_str(&text).unwrap();
            let many = chunked_on(&text, threads).expect("read in chunks");
            assert_eq!(many.nodes.as_ref().map(v8::Nodes::len), Some(n));
            assert_eq!(many.nodes.as_ref().map(v8::Nodes::views), one.nodes.as_ref().map(v8::Nodes::views));
            assert_eq!((many.samples, many.time_deltas), (one.samples, one.time_deltas));
            assert_eq!((many.start_time, many.end_time), (one.start_time, one.end_time));
        }
    }

    #[test]
    fn chunked_reads_decline_what_one_thread_reports() {
        // A second `nodes`, keys after the array that are not JSON, a bad
        // node: the one-thread read reports them.
        assert!(chunked(&profile(20_000, r#","nodes":[]"#)).is_none());
        assert!(chunked(&profile(20_000, r#","endTime":x"#)).is_none());
        assert!(chunked(&profile(20_000, "").replace(r#""id":15000,"#, r#""id":"15000","#)).is_none());
        assert!(chunked(&profile(20_000, "")).is_some());
    }

    /// `samples` and `timeDeltas` of every shape: what the chunked read
    /// takes is what serde reads, and what serde refuses it leaves to serde.
    #[test]
    fn sample_arrays_read_in_chunks_are_read_as_serde_reads_them() {
        let nodes = profile(3, "");
        let nodes = &nodes[..nodes.find(r#","samples""#).unwrap()];
        let many: Vec<String> = (0..30_000).map(|i| (i % 3 + 1).to_string()).collect();
        let many = many.join(", ");
        let deltas: Vec<String> = (0..30_000).map(|i| format!("{}.{}", i % 50, i % 7)).collect();
        let deltas = deltas.join(",\n");
        let cases = [
            (format!(r#""samples":[{many}],"timeDeltas":[{deltas}]"#), true),
            (format!(r#""timeDeltas":[{deltas}], "samples" : [{many}] ,"endTime":3"#), true),
            (r#""samples":[1,2, 3],"x":{"timeDeltas":[]},"timeDeltas":[0, -0, 1e3]"#.to_string(), true),
            (r#""samples":[],"timeDeltas":[]"#.to_string(), true),
            (r#""samples":[1,2],"timeDeltas":[1e400,2]"#.to_string(), false),
            (r#""samples":[1,2.0],"timeDeltas":[1,2]"#.to_string(), false),
            (r#""samples":[1,"2"],"timeDeltas":[1,2]"#.to_string(), false),
            (r#""samples":[1,-0],"timeDeltas":[1,2]"#.to_string(), false),
            (r#""samples":[1,2],"timeDeltas":[1,2],"samples":[3]"#.to_string(), false),
            (r#""samples":null,"timeDeltas":[1,2]"#.to_string(), true),
            (r#""samples":[1,2]"#.to_string(), true),
            (r#""samples":[12345678901234567890],"timeDeltas":[1]"#.to_string(), false),
            (r#""samples":[1234567890123456789],"timeDeltas":[1]"#.to_string(), true),
        ];
        for (arrays, serde_reads) in cases {
            let text = format!("{nodes},{arrays}}}");
            let one = serde_json::from_str::<File>(&text);
            assert_eq!(one.is_ok(), serde_reads, "{text:.300}");
            for threads in [1, 2, 4] {
                let chunked = chunked_on(&text, threads);
                match &one {
                    Ok(one) => {
                        let chunked = chunked.unwrap_or_else(|| panic!("not read in chunks: {arrays:.200}"));
                        assert_eq!(
                            chunked.nodes.as_ref().map(v8::Nodes::views),
                            one.nodes.as_ref().map(v8::Nodes::views)
                        );
                        assert_eq!(chunked.samples, one.samples, "{arrays:.200}");
                        let bits = |v: &Option<Vec<f64>>| {
                            v.as_ref().map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
                        };
                        assert_eq!(bits(&chunked.time_deltas), bits(&one.time_deltas), "{arrays:.200}");
                        assert_eq!((chunked.start_time, chunked.end_time), (one.start_time, one.end_time));
                    }
                    Err(_) => assert!(chunked.is_none(), "read in chunks: {arrays:.200}"),
                }
            }
        }
    }

    #[test]
    fn sample_arrays_are_cut_out_of_the_rest() {
        let mut rest = String::new();
        for (outer, want) in [
            (r#"{"nodes":[],"samples":[1, 2],"timeDeltas":[0.5,1]}"#, r#"{"nodes":[],"samples":[],"timeDeltas":[]}"#),
            (r#"{"timeDeltas":[0.5, 1] , "x":[3],"samples":[1,2] }"#, r#"{"timeDeltas":[] , "x":[3],"samples":[] }"#),
        ] {
            let read = read_sample_arrays(outer, 2, &mut rest).unwrap();
            assert_eq!(read, Some((vec![1, 2], vec![0.5, 1.0])));
            assert_eq!(rest, want);
        }
        for outer in
            [r#"{"samples":[1,2]}"#, r#"{"samples":{},"timeDeltas":[1]}"#, r#"{"samples":[1],"timeDeltas":[x]}"#]
        {
            assert_eq!(read_sample_arrays(outer, 2, &mut rest).unwrap(), None, "{outer}");
        }
    }

    #[test]
    fn old_tree_is_flattened_in_order() {
        let t = r#"{"functionName":"(root)","id":1,"children":[{"functionName":"a","url":"x.js","lineNumber":3,"id":2,"children":[]},{"id":3,"children":[{"children":[],"id":4,"functionName":"c"}],"functionName":"b"}]}"#;
        let nodes = parse_old_tree(t).unwrap();
        let got: Vec<(i64, &str, Option<i64>)> = nodes.views().into_iter().map(|n| (n.id, n.name, n.parent)).collect();
        assert_eq!(got, vec![(1, "(root)", None), (2, "a", Some(1)), (3, "b", Some(1)), (4, "c", Some(3))]);
        // Deep nesting needs no recursion.
        let depth = 100_000;
        let mut deep = String::new();
        for i in 0..depth {
            deep.push_str(&format!("{{\"id\":{i},\"children\":["));
        }
        for _ in 0..depth {
            deep.push_str("]}");
        }
        assert_eq!(parse_old_tree(&deep).unwrap().len(), depth);
        for cut in [0, 1, 5, t.len() - 1] {
            assert!(parse_old_tree(&t[..cut]).is_err());
        }
    }
}
