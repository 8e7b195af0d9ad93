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

use std::borrow::Cow;

use hashbrown::HashMap;

use flamekit_core::{
    Error, FrameId, GroupBuilder, ImportReport, Location, Profile, ProfileGroup, Result, StackId, ValueUnit, NO_STACK,
};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::ChromeCpuProfile.id();

/// How many bytes the sniffers look at.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

// ---------------------------------------------------------------------------
// Shared JSON helpers (also used by `chrome_trace`).
// ---------------------------------------------------------------------------

/// `bytes` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Index of the first byte at or after `i` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (one past the closing quote) of the JSON string starting at `i`, or
/// `None` when `b` stops first.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// End of the JSON value starting at `i` (iterative, any depth), or `None`
/// when `b` stops first. Not a validator: only finds where a value ends.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            (j < b.len()).then_some(j)
        }
    }
}

/// The keys of the JSON object whose `{` is at `start`, each with the offset
/// where its value starts, as far as `b` goes (a prefix is fine: scanning
/// stops where the bytes stop). At most `max_keys` keys. Keys are the raw
/// bytes between the quotes.
pub(crate) fn object_keys(b: &[u8], start: usize, max_keys: usize) -> Vec<(&[u8], usize)> {
    let mut keys = Vec::new();
    if b.get(start) != Some(&b'{') {
        return keys;
    }
    let mut i = start + 1;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            break;
        }
        let Some(kend) = skip_string(b, i) else { break };
        let key = &b[i + 1..kend - 1];
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            break;
        }
        i = skip_ws(b, i + 1);
        if i >= b.len() {
            break;
        }
        keys.push((key, i));
        if keys.len() >= max_keys {
            break;
        }
        let Some(end) = skip_value(b, i) else { break };
        i = skip_ws(b, end);
        if b.get(i) != Some(&b',') {
            break;
        }
        i += 1;
    }
    keys
}

/// Value offset of `key` among `keys`.
pub(crate) fn key_pos(keys: &[(&[u8], usize)], key: &str) -> Option<usize> {
    keys.iter().find(|(k, _)| *k == key.as_bytes()).map(|(_, p)| *p)
}

/// A JSON number, or a string holding one (trace files write `pid`, `tid`
/// and `ts` either way).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Num(pub(crate) f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string holding a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Num, E> {
                match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Num(x)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON string, borrowed from the input when it has no escapes (serde
/// borrows a bare `Cow<str>` field but never an `Option<Cow<str>>`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct JStr<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for JStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JStr<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(JStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An identifier written as a string or a number (`"0x1"`, `7`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IdVal<'a> {
    /// A string id.
    Str(Cow<'a, str>),
    /// A numeric id.
    Num(f64),
}

impl IdVal<'_> {
    /// The id as JavaScript's `String(id)` spells it (for integers).
    pub(crate) fn to_key(&self) -> Cow<'_, str> {
        match self {
            IdVal::Str(s) => Cow::Borrowed(s.as_ref()),
            IdVal::Num(n) => Cow::Owned(fmt_num(*n)),
        }
    }
}

/// Format a number as JavaScript prints integers (`7`, not `7.0`).
pub(crate) fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for IdVal<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdVal<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Num(v as f64))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Owned(v)))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------
// The node tree and the sample walk (shared with `chrome_trace`).
// ---------------------------------------------------------------------------

/// `callFrame` of a node in the current format.
#[derive(Deserialize, Default)]
pub(crate) struct CallFrameJson<'a> {
    #[serde(rename = "functionName", borrow, default)]
    function_name: Option<JStr<'a>>,
    #[serde(borrow, default)]
    url: Option<JStr<'a>>,
    #[serde(rename = "lineNumber", default)]
    line_number: Option<f64>,
    #[serde(rename = "columnNumber", default)]
    column_number: Option<f64>,
}

/// A node of the current format, as written in the file (or in a trace
/// `ProfileChunk`).
#[derive(Deserialize)]
pub(crate) struct NodeJson<'a> {
    id: i64,
    #[serde(rename = "callFrame", borrow, default)]
    call_frame: CallFrameJson<'a>,
    #[serde(default)]
    children: Option<Vec<i64>>,
    #[serde(default)]
    parent: Option<i64>,
}

/// One node of a CPU profile, whatever format it came from. Deserialized
/// through [`NodeJson`], one node at a time (no intermediate vector).
#[derive(Deserialize)]
#[serde(from = "NodeJson<'a>", bound(deserialize = "'de: 'a"))]
pub(crate) struct CpuNode<'a> {
    id: i64,
    function_name: Cow<'a, str>,
    url: Option<Cow<'a, str>>,
    /// 0-based, as in the file.
    line: Option<f64>,
    /// 0-based, as in the file.
    col: Option<f64>,
    parent: Option<i64>,
    children: Option<Vec<i64>>,
}

impl<'a> From<NodeJson<'a>> for CpuNode<'a> {
    fn from(n: NodeJson<'a>) -> Self {
        CpuNode {
            id: n.id,
            function_name: n.call_frame.function_name.map_or(Cow::Borrowed(""), |s| s.0),
            url: n.call_frame.url.map(|s| s.0),
            line: n.call_frame.line_number,
            col: n.call_frame.column_number,
            parent: n.parent,
            children: n.children,
        }
    }
}

/// The parts of a CPU profile the sample walk needs.
#[derive(Default)]
pub(crate) struct CpuProfileData<'a> {
    pub(crate) nodes: Vec<CpuNode<'a>>,
    pub(crate) samples: Vec<i64>,
    pub(crate) time_deltas: Vec<f64>,
    pub(crate) start_time: f64,
    pub(crate) end_time: f64,
}

impl<'a> CpuProfileData<'a> {
    /// Append nodes written in the current format.
    pub(crate) fn extend_nodes(&mut self, nodes: Vec<NodeJson<'a>>) {
        self.nodes.extend(nodes.into_iter().map(CpuNode::from));
    }
}

const NONE: u32 = u32::MAX;

/// 0-based line/column from the file → 1-based, or none.
fn one_based(v: Option<f64>) -> Option<u32> {
    v.filter(|x| x.is_finite() && *x >= 0.0 && *x < u32::MAX as f64).map(|x| x as u32 + 1)
}

/// Node id → node index.
enum NodeIndex {
    /// Ids are exactly `1..=n`, in order.
    Dense(usize),
    /// Any other ids (unique).
    Map(HashMap<i64, u32>),
}

impl NodeIndex {
    fn get(&self, id: i64) -> Option<u32> {
        match self {
            NodeIndex::Dense(n) => (id >= 1 && id <= *n as i64).then(|| (id - 1) as u32),
            NodeIndex::Map(m) => m.get(&id).copied(),
        }
    }
}

/// Intern the frame of `node`: name = `functionName`, or for an unnamed
/// function `(anonymous FILE:LINE)` (see [`crate::js_name::function_label`]),
/// file = non-empty `url`, 1-based line and column. No allocation when the
/// frame is already known.
fn frame_id(g: &mut GroupBuilder, node: &CpuNode<'_>) -> Result<FrameId> {
    let file = node.url.as_deref().filter(|u| !u.is_empty());
    let line = one_based(node.line);
    let name = crate::js_name::function_label(&node.function_name, file, line);
    g.frame_parts(&name, file, line, one_based(node.col))
}

/// Build one sampled profile (microseconds) from a CPU profile. `loc` names
/// the profile in error messages (e.g. `nodes` or `traceEvents[Profile 0x1]`).
pub(crate) fn build_profile(
    g: &mut GroupBuilder,
    name: String,
    data: &CpuProfileData<'_>,
    loc: &str,
) -> Result<Profile> {
    let format = g.format();
    let n = data.nodes.len();
    if n >= NONE as usize {
        return Err(Error::invalid(format, loc, "too many nodes"));
    }
    // Node ids → indices: V8 numbers nodes 1..=n in order, then no map is needed.
    let index = if data.nodes.iter().enumerate().all(|(i, node)| node.id == i as i64 + 1) {
        NodeIndex::Dense(n)
    } else {
        let mut map: HashMap<i64, u32> = HashMap::with_capacity(n);
        for (i, node) in data.nodes.iter().enumerate() {
            if map.insert(node.id, i as u32).is_some() {
                return Err(Error::invalid(format, format!("{loc}[{i}].id"), format!("duplicate node id {}", node.id)));
            }
        }
        NodeIndex::Map(map)
    };
    // Dangling references occur in real files (Chrome trims old nodes from
    // its trace chunks): as in speedscope, a node with an unknown parent is a
    // root, an unknown child is dropped, and a sample of an unknown node
    // keeps the previous stack. Each kind is counted in the report.
    let mut unknown_parents = 0u64;
    let mut unknown_children = 0u64;
    let mut unknown_samples = 0u64;
    // Parent links, from `parent` and `children` (which must agree).
    let mut parent = vec![NONE; n];
    let set_parent = |parent: &mut Vec<u32>, child: u32, p: u32, at: &dyn Fn() -> String| -> Result<()> {
        let slot = &mut parent[child as usize];
        if *slot == NONE || *slot == p {
            *slot = p;
            Ok(())
        } else {
            Err(Error::invalid(format, at(), format!("node {} has two parents", data.nodes[child as usize].id)))
        }
    };
    for (i, node) in data.nodes.iter().enumerate() {
        if let Some(pid) = node.parent {
            match index.get(pid) {
                Some(p) => set_parent(&mut parent, i as u32, p, &|| format!("{loc}[{i}].parent"))?,
                None => unknown_parents += 1,
            }
        }
    }
    for (i, node) in data.nodes.iter().enumerate() {
        for (k, cid) in node.children.as_deref().unwrap_or(&[]).iter().enumerate() {
            match index.get(*cid) {
                Some(c) => set_parent(&mut parent, c, i as u32, &|| format!("{loc}[{i}].children[{k}]"))?,
                None => unknown_children += 1,
            }
        }
    }
    // Cycle check: follow parents iteratively; 1 = on the current path, 2 = known acyclic.
    let mut state = vec![0u8; n];
    let mut path: Vec<u32> = Vec::new();
    for start in 0..n {
        let mut cur = start as u32;
        path.clear();
        while cur != NONE && state[cur as usize] == 0 {
            state[cur as usize] = 1;
            path.push(cur);
            cur = parent[cur as usize];
        }
        if cur != NONE && state[cur as usize] == 1 {
            return Err(Error::invalid(
                format,
                loc,
                format!("the node tree has a cycle through node {}", data.nodes[cur as usize].id),
            ));
        }
        for &p in &path {
            state[p as usize] = 2;
        }
    }
    // Node kinds (speedscope's rules).
    let ignored: Vec<bool> = data
        .nodes
        .iter()
        .map(|nd| {
            nd.function_name == "(root)" || nd.function_name == "(idle)" || nd.url.as_deref() == Some("native dummy.js")
        })
        .collect();
    let on_top: Vec<bool> = data
        .nodes
        .iter()
        .map(|nd| nd.function_name == "(garbage collector)" || nd.function_name == "(program)")
        .collect();
    let mut frames: Vec<FrameId> = vec![FrameId::MAX; n];

    let samples = &data.samples;
    let deltas = &data.time_deltas;
    if deltas.len() < samples.len() {
        return Err(Error::invalid(
            format,
            loc,
            format!("{} samples but only {} timeDeltas", samples.len(), deltas.len()),
        ));
    }
    if deltas.len() > samples.len() {
        g.report().warn(
            "extra_time_deltas",
            Location::Path(loc.to_owned()),
            format!("{} timeDeltas for {} samples: the extra ones are ignored", deltas.len(), samples.len()),
        );
    }
    if let Some((i, d)) = deltas.iter().enumerate().find(|(_, d)| !d.is_finite()) {
        return Err(Error::invalid(format, format!("{loc}.timeDeltas[{i}]"), format!("not a finite number: {d}")));
    }

    let mut b = g.sampled(name, ValueUnit::Microseconds);
    let first = if samples.is_empty() { 0.0 } else { deltas.first().copied().unwrap_or(0.0) };
    // The profile starts at `startTime` (as speedscope's time axis does);
    // the time before the first sample is idle.
    if first > 0.0 {
        b.set_start(data.start_time);
        b.push_sample(NO_STACK, first)?;
    } else {
        b.set_start(data.start_time + first);
    }
    b.set_end(data.end_time);

    // The open stack: (node index, stack node) pairs, outermost first.
    let mut prev: Vec<(u32, StackId)> = Vec::new();
    let mut in_prev = vec![false; n];
    let mut to_open: Vec<u32> = Vec::new();
    let mut elapsed = first;
    let mut last_valid = elapsed;
    let mut run_start = 0.0;
    let mut run_stack = NO_STACK;
    for (i, &sid) in samples.iter().enumerate() {
        if i > 0 {
            // The time of sample i (deltas has at least as many entries as samples).
            elapsed += deltas.get(i).copied().unwrap_or(0.0);
        }
        let new_run = i == 0 || samples.get(i - 1) != Some(&sid);
        if new_run {
            let t = if elapsed < last_valid {
                last_valid
            } else {
                last_valid = elapsed;
                elapsed
            };
            if i > 0 {
                b.push_sample(run_stack, t - run_start)?;
            }
            run_start = t;
            let Some(top) = index.get(sid) else {
                unknown_samples += 1;
                continue;
            };
            // Where the walk up from a node goes next: its parent, or for
            // (program) and (garbage collector), the previous stack's top.
            let next = |x: u32, prev: &[(u32, StackId)]| -> u32 {
                if on_top[x as usize] {
                    prev.last().map_or(NONE, |p| p.0)
                } else {
                    parent[x as usize]
                }
            };
            // Lowest node of the new stack that is already open.
            let mut lca = top;
            while lca != NONE && !in_prev[lca as usize] {
                lca = next(lca, &prev);
            }
            while let Some(&(x, _)) = prev.last() {
                if x == lca {
                    break;
                }
                in_prev[x as usize] = false;
                prev.pop();
            }
            to_open.clear();
            let mut cur = top;
            while cur != NONE && cur != lca && !ignored[cur as usize] {
                to_open.push(cur);
                cur = next(cur, &prev);
            }
            for &x in to_open.iter().rev() {
                let f = match frames[x as usize] {
                    FrameId::MAX => {
                        let f = frame_id(g, &data.nodes[x as usize])?;
                        frames[x as usize] = f;
                        f
                    }
                    f => f,
                };
                let parent_stack = prev.last().map_or(NO_STACK, |p| p.1);
                let s = b.node(parent_stack, f)?;
                prev.push((x, s));
                in_prev[x as usize] = true;
            }
            run_stack = prev.last().map_or(NO_STACK, |p| p.1);
        }
    }
    if !samples.is_empty() {
        let end = if elapsed < last_valid { last_valid } else { elapsed };
        b.push_sample(run_stack, end - run_start)?;
    }
    let report = g.report();
    for (code, count, what) in [
        ("unknown_parent_node", unknown_parents, "node(s) name an unknown parent: shown as outermost frames"),
        ("unknown_child_node", unknown_children, "children reference(s) to unknown nodes were dropped"),
        ("unknown_sample_node", unknown_samples, "run(s) of samples of unknown nodes keep the previous stack"),
    ] {
        if count > 0 {
            *report.skipped.entry(code).or_insert(0) += count;
            report.warn(code, Location::Path(loc.to_owned()), format!("{count} {what}"));
        }
    }
    Ok(b.finish())
}

// ---------------------------------------------------------------------------
// The `.cpuprofile` file.
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow, default)]
    nodes: Option<Vec<CpuNode<'a>>>,
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
    // Valid UTF-8 (checked once, fast) is parsed as `str`, which spares
    // serde_json a UTF-8 check per string; other input takes the byte path.
    let file: File = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
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
    let profile = build_profile(&mut g, name, &data, "nodes")?;
    g.push_profile(profile)?;
    let (mut group, report) = g.finish(0)?;
    if old_format {
        // speedscope-import's name for the `head` shape.
        group.set_profile_type("chrome-cpuprofile-old");
    }
    Ok((group, report))
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
fn parse_old_tree(text: &str) -> Result<Vec<CpuNode<'_>>> {
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
    Ok(nodes
        .into_iter()
        .map(|n| CpuNode {
            id: n.id.unwrap_or_default(),
            function_name: n.function_name.unwrap_or(Cow::Borrowed("")),
            url: n.url,
            line: n.line,
            col: None,
            parent: n.parent.and_then(|p| ids.get(p).copied()),
            children: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_on_prefixes() {
        let b = br#" {"a": [1, {"x": "}"}], "b" : "q\"", "c": 3, "d": {"#;
        let keys = object_keys(b, 1, 10);
        let names: Vec<&[u8]> = keys.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, vec![&b"a"[..], b"b", b"c", b"d"]);
        assert_eq!(object_keys(b"[1]", 0, 10).len(), 0);
    }

    #[test]
    fn old_tree_is_flattened_in_order() {
        let t = r#"{"functionName":"(root)","id":1,"children":[{"functionName":"a","url":"x.js","lineNumber":3,"id":2,"children":[]},{"id":3,"children":[{"children":[],"id":4,"functionName":"c"}],"functionName":"b"}]}"#;
        let nodes = parse_old_tree(t).unwrap();
        let got: Vec<(i64, &str, Option<i64>)> =
            nodes.iter().map(|n| (n.id, n.function_name.as_ref(), n.parent)).collect();
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
