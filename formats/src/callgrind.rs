//! Valgrind callgrind / cachegrind output (also written by Xdebug and other
//! tools), as described in the "Callgrind Format Specification" of the
//! valgrind manual.
//!
//! Supported: the header lines `events:` (one profile per event type) and
//! `positions:` (any number of position columns), name compression
//! (`fn=(12) name` defines id 12, `fn=(12)` reuses it; files, functions and
//! objects have separate tables), subposition compression (`+N`, `-N`, `*`)
//! and hexadecimal numbers, `fl=`/`fi=`/`fe=`/`fn=`, `cfi=`/`cfl=`/`cfn=`
//! (reset after each call, as KCacheGrind does), `calls=` followed by the
//! call's inclusive cost line, `jump=`/`jcnd=` (ignored: they carry no cost),
//! `ob=`/`cob=` (registered for name compression, otherwise ignored), and
//! several `events:` parts with the same event list. Cost columns missing
//! from a line count as zero. As a tolerance beyond the specification, a
//! cost column may also be written relative to the previous cost line
//! (`+N`, `-N`, `*`), like a subposition. Xdebug's `Time_(10ns)` event
//! becomes a nanosecond profile (values × 10) and `Memory_(bytes)` a byte
//! profile; every other event type is unitless.
//!
//! Mangled C++/Rust function names are demangled.
//!
//! # From a call graph to stacks
//!
//! Callgrind records a call *graph*: each function's self cost and the
//! inclusive cost of each caller→callee edge, but not which stacks the
//! costs occurred under. Like speedscope, flamekit turns the graph into a
//! call tree by assuming that every invocation of a function spreads its
//! inclusive cost over its callees in the same proportions as the whole
//! graph does:
//!
//! * A function's graph total is its self cost plus the inclusive cost of
//!   all its outgoing calls.
//! * Roots are the functions no edge calls (in order of first appearance).
//!   Beyond speedscope, functions that are unreachable from those roots
//!   through edges with cost (a cycle with no outside caller) become roots too,
//!   so their cost is not lost.
//! * A tree node for function `f` with weight `w` gives each callee `c` the
//!   weight `w × edge(f→c) / total(f)`; what the children did not actually
//!   take (because of a cycle or pruning) stays as `f`'s self weight.
//! * A function already on the current path is not entered again (graphs
//!   may have cycles; trees may not): its share stays with the caller.
//! * Subtrees lighter than 1/10,000 of the heaviest function are pruned,
//!   as speedscope does. That bounds the tree's width, not its depth: a
//!   chain of functions called from thousands of callers is a tree of
//!   callers × chain nodes, from a file that writes each call once. So the
//!   tree nodes of all of a file's events together are bounded as well, by
//!   `max_stack_nodes` or 10 million ([`MAX_TREE_NODES`]), whichever is
//!   lower: `limit_exceeded` past it (a deviation: speedscope has no bound).
//!
//! Each tree node with self weight becomes one sample (children before
//! parents), so the time-ordered view matches speedscope's layout. Weights
//! are not rounded. The result is exact for call graphs that are trees and
//! an approximation otherwise (see speedscope's discussion of the
//! `start;backup;read` example).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, LimitKind, Location, ProfileGroup, Result, StackId, ValueUnit,
    NO_STACK,
};

use crate::demangle::demangle;
use crate::ImportOptions;

const FORMAT: &str = crate::Format::Callgrind.id();

/// Header keys a callgrind file may start with (besides `#` comments).
const HEADER_KEYS: &[&str] = &[
    "version",
    "creator",
    "pid",
    "thread",
    "cmd",
    "part",
    "desc",
    "positions",
    "events",
    "event",
    "summary",
    "totals",
];

/// True when `bytes` look like callgrind output: a `# callgrind format` first
/// line, or header lines followed by both an `events:` line and an `fn=`
/// line within the first 16 KiB.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.by_ref().find(|l| !l.trim().is_empty());
    let Some(first) = first else { return false };
    if first.starts_with("# callgrind format") {
        return true;
    }
    // Otherwise the file must open with a known header line.
    let Some((key, _)) = first.split_once(':') else { return false };
    if !HEADER_KEYS.contains(&key.trim()) {
        return false;
    }
    let mut events = key.trim() == "events";
    let mut fn_line = false;
    for l in lines {
        if l.starts_with("events:") {
            events = true;
        } else if l.starts_with("fn=") {
            fn_line = true;
        }
        if events && fn_line {
            return true;
        }
    }
    false
}

/// One interned callgrind function: `(file, name)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct FnKey {
    file: u32,
    name: u32,
}

/// The call graph for all event types at once, stored sparsely: only the
/// non-zero `(node, event)` and `(edge, event)` weights are kept, so work
/// and memory grow with the cost columns actually written, not with
/// (number of events) × (number of lines).
#[derive(Default)]
struct Graph {
    nodes: HashMap<FnKey, u32>,
    node_frame: Vec<FrameId>,
    has_caller: Vec<bool>,
    edge_index: HashMap<(u32, u32), u32>,
    edge_parent: Vec<u32>,
    edge_child: Vec<u32>,
    /// `(node, event)` → graph total (self cost plus outgoing calls).
    totals: HashMap<(u32, u32), f64>,
    /// `(edge, event)` → inclusive cost of the call.
    edge_weights: HashMap<(u32, u32), f64>,
}

impl Graph {
    fn node(&mut self, key: FnKey, strings: &Strings, g: &mut GroupBuilder) -> Result<u32> {
        if let Some(&n) = self.nodes.get(&key) {
            return Ok(n);
        }
        let name = strings.get(key.name);
        let file = strings.get(key.file);
        let frame = g.frame(Frame::with_location(demangle(name), Some(file.to_owned()), None, None))?;
        let id = self.node_frame.len() as u32;
        self.nodes.insert(key, id);
        self.node_frame.push(frame);
        self.has_caller.push(false);
        Ok(id)
    }

    /// Add the non-zero `(event, cost)` pairs of a cost line as self cost.
    fn add_self(&mut self, node: u32, costs: &[(u32, u64)]) {
        for &(e, c) in costs {
            *self.totals.entry((node, e)).or_insert(0.0) += c as f64;
        }
    }

    fn add_call(&mut self, parent: u32, child: u32, costs: &[(u32, u64)]) {
        let edge = match self.edge_index.get(&(parent, child)) {
            Some(&e) => e,
            None => {
                let e = self.edge_child.len() as u32;
                self.edge_index.insert((parent, child), e);
                self.edge_parent.push(parent);
                self.edge_child.push(child);
                self.has_caller[child as usize] = true;
                e
            }
        };
        for &(e, c) in costs {
            *self.edge_weights.entry((edge, e)).or_insert(0.0) += c as f64;
            *self.totals.entry((parent, e)).or_insert(0.0) += c as f64;
        }
    }

    /// The graph of each event: its nodes with a non-zero total (by node id)
    /// and its edges with a non-zero weight (by parent, then edge id).
    fn per_event(&self, events: usize) -> Vec<EventGraph> {
        let mut out: Vec<EventGraph> = (0..events).map(|_| EventGraph::default()).collect();
        for (&(node, e), &w) in &self.totals {
            out[e as usize].nodes.push((node, w));
        }
        for (&(edge, e), &w) in &self.edge_weights {
            let parent = self.edge_parent[edge as usize];
            out[e as usize].edges.push((parent, edge, w));
        }
        for eg in &mut out {
            eg.nodes.sort_unstable_by_key(|&(n, _)| n);
            eg.edges.sort_unstable_by_key(|&(p, e, _)| (p, e));
        }
        out
    }
}

/// One event's slice of the [`Graph`] (see [`Graph::per_event`]).
#[derive(Default)]
struct EventGraph {
    nodes: Vec<(u32, f64)>,
    edges: Vec<(u32, u32, f64)>,
}

impl EventGraph {
    fn total(&self, node: u32) -> f64 {
        self.nodes.binary_search_by_key(&node, |&(n, _)| n).map_or(0.0, |i| self.nodes[i].1)
    }

    /// Edges out of `node`: `(parent, edge, weight)`, in edge order.
    fn children(&self, node: u32) -> &[(u32, u32, f64)] {
        let (start, end) = self.children_range(node);
        &self.edges[start..end]
    }

    /// Where [`EventGraph::children`] are in `edges`.
    fn children_range(&self, node: u32) -> (usize, usize) {
        let start = self.edges.partition_point(|&(p, _, _)| p < node);
        let end = start + self.edges[start..].partition_point(|&(p, _, _)| p <= node);
        (start, end)
    }
}

/// Interned names (files and functions share one table).
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Strings {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }
    fn get(&self, i: u32) -> &str {
        self.list.get(i as usize).map(String::as_str).unwrap_or("")
    }
}

/// Which name-compression table a position specification uses.
#[derive(Clone, Copy)]
enum Table {
    File,
    Function,
    Object,
}

struct Parser {
    g: GroupBuilder,
    graph: Graph,
    strings: Strings,
    tables: [HashMap<u64, u32>; 3],
    event_names: Option<Vec<String>>,
    positions: usize,
    file: Option<u32>,
    function: Option<u32>,
    callee_file: Option<u32>,
    callee_function: Option<u32>,
    /// Line number of the pending `calls=` line, if any.
    pending_call: Option<u64>,
    prev_positions: Vec<u64>,
    /// Every cost column of the previous cost line (relative costs), zero
    /// except at `prev_set`; sized once, at the `events:` line.
    prev_costs: Vec<u64>,
    prev_set: Vec<u32>,
    /// The non-zero costs of the current line: `(event, cost)`.
    costs: Vec<(u32, u64)>,
    positions_buf: Vec<u64>,
}

/// Parse a callgrind number: decimal or `0x` hexadecimal.
fn parse_number(s: &str) -> Option<u64> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A possibly relative number (`+N`, `-N`, `*`) based on `prev`.
fn parse_relative(s: &str, prev: u64) -> Option<u64> {
    if s == "*" {
        Some(prev)
    } else if let Some(d) = s.strip_prefix('+') {
        prev.checked_add(parse_number(d)?)
    } else if let Some(d) = s.strip_prefix('-') {
        prev.checked_sub(parse_number(d)?)
    } else {
        parse_number(s)
    }
}

enum LineError {
    Skip(&'static str, String),
}

impl Parser {
    /// Parse a position name with optional compression: `(id) name` defines,
    /// `(id)` reuses, anything else is the name itself.
    fn name(&mut self, value: &str, table: Table) -> std::result::Result<u32, LineError> {
        let value = value.trim();
        if let Some(rest) = value.strip_prefix('(') {
            if let Some(close) = rest.find(')') {
                let (digits, after) = rest.split_at(close);
                if let Some(id) = parse_number(digits) {
                    let name = after[1..].trim();
                    let t = &mut self.tables[table as usize];
                    if name.is_empty() {
                        return t.get(&id).copied().ok_or_else(|| {
                            LineError::Skip("invalid_line", format!("compressed name ({id}) used before it is defined"))
                        });
                    }
                    let s = self.strings.intern(name);
                    self.tables[table as usize].insert(id, s);
                    return Ok(s);
                }
            }
        }
        Ok(self.strings.intern(value))
    }

    fn unknown_name(&mut self) -> u32 {
        self.strings.intern("(unknown)")
    }

    fn current_key(&mut self) -> FnKey {
        let file = match self.file {
            Some(f) => f,
            None => self.unknown_name(),
        };
        let name = match self.function {
            Some(f) => f,
            None => self.unknown_name(),
        };
        FnKey { file, name }
    }

    /// Parse the costs of a cost line into `self.costs` (non-zero ones
    /// only). Work is linear in the tokens of the line: columns it does not
    /// write cost nothing, however many events the header declares.
    fn cost_line(&mut self, line: &str) -> std::result::Result<(), LineError> {
        let Some(events) = self.event_names.as_ref().map(Vec::len) else {
            return Err(LineError::Skip("invalid_line", "cost line before the `events:` header".into()));
        };
        self.costs.clear();
        self.positions_buf.clear();
        if self.prev_positions.len() < self.positions {
            self.prev_positions.resize(self.positions, 0);
        }
        for (i, tok) in line.split_ascii_whitespace().enumerate() {
            if i < self.positions {
                let p = parse_relative(tok, self.prev_positions[i])
                    .ok_or_else(|| LineError::Skip("invalid_line", format!("bad position `{tok}`")))?;
                self.positions_buf.push(p);
            } else if i - self.positions < events {
                let e = i - self.positions;
                let c = parse_relative(tok, self.prev_costs[e])
                    .ok_or_else(|| LineError::Skip("invalid_line", format!("bad cost `{tok}`")))?;
                if c != 0 {
                    self.costs.push((e as u32, c));
                }
            } else {
                break;
            }
        }
        self.prev_positions[..self.positions_buf.len()].copy_from_slice(&self.positions_buf);
        for &e in &self.prev_set {
            self.prev_costs[e as usize] = 0;
        }
        self.prev_set.clear();
        for &(e, c) in &self.costs {
            self.prev_costs[e as usize] = c;
            self.prev_set.push(e);
        }
        Ok(())
    }

    fn line(&mut self, line: &str, lineno: u64) -> Result<std::result::Result<(), LineError>> {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            return Ok(Ok(()));
        }
        let first = t.as_bytes()[0];
        // Assignment `key=value`: key is letters only.
        let key_len = t.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        if key_len > 0 && t.as_bytes().get(key_len) == Some(&b'=') {
            let key = &t[..key_len];
            let value = &t[key_len + 1..];
            if self.pending_call.take().is_some() && key != "calls" {
                self.g.report().warn(
                    "call_without_cost",
                    Location::Line(lineno),
                    "a `calls=` line is not followed by a cost line; the call is ignored",
                );
            }
            match key {
                "fl" => {
                    let n = match self.name(value, Table::File) {
                        Ok(n) => n,
                        Err(e) => return Ok(Err(e)),
                    };
                    self.file = Some(n);
                }
                "fi" | "fe" => {
                    // Inlined code from another file: same function, so the
                    // name only matters for compression.
                    if let Err(e) = self.name(value, Table::File) {
                        return Ok(Err(e));
                    }
                }
                "fn" => {
                    let n = match self.name(value, Table::Function) {
                        Ok(n) => n,
                        Err(e) => return Ok(Err(e)),
                    };
                    self.function = Some(n);
                }
                "cfi" | "cfl" => {
                    if value.trim().is_empty() {
                        self.callee_file = None;
                    } else {
                        match self.name(value, Table::File) {
                            Ok(n) => self.callee_file = Some(n),
                            Err(e) => return Ok(Err(e)),
                        }
                    }
                }
                "cfn" => match self.name(value, Table::Function) {
                    Ok(n) => self.callee_function = Some(n),
                    Err(e) => return Ok(Err(e)),
                },
                "ob" | "cob" => {
                    if let Err(e) = self.name(value, Table::Object) {
                        return Ok(Err(e));
                    }
                }
                "calls" => {
                    let count = value.split_ascii_whitespace().next().and_then(parse_number);
                    if count.is_none() {
                        return Ok(Err(LineError::Skip("invalid_line", "`calls=` without a call count".into())));
                    }
                    self.pending_call = Some(lineno);
                }
                "jump" | "jcnd" => {}
                _ => return Ok(Err(LineError::Skip("invalid_line", format!("unknown specification `{key}=`")))),
            }
            return Ok(Ok(()));
        }
        // Header `key: value`.
        let word_len = t.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        if word_len > 0 && t.as_bytes().get(word_len) == Some(&b':') && !first.is_ascii_digit() {
            let key = &t[..word_len];
            let value = t[word_len + 1..].trim();
            match key {
                "events" => {
                    let names: Vec<String> = value.split_ascii_whitespace().map(str::to_owned).collect();
                    if names.is_empty() {
                        return Err(Error::invalid(FORMAT, format!("line {lineno}"), "`events:` lists no event"));
                    }
                    match &self.event_names {
                        None => {
                            // One profile per event: checked before anything is sized by it.
                            self.g.limits().check(LimitKind::Profiles, names.len() as u64)?;
                            self.prev_costs = vec![0; names.len()];
                            self.event_names = Some(names);
                        }
                        Some(old) if *old == names => {}
                        Some(old) => {
                            return Err(Error::invalid(
                                FORMAT,
                                format!("line {lineno}"),
                                format!("a second `events:` line lists {names:?}, the first listed {old:?}"),
                            ))
                        }
                    }
                }
                "positions" => {
                    self.positions = value.split_ascii_whitespace().count().max(1);
                }
                _ => {}
            }
            return Ok(Ok(()));
        }
        // Cost line.
        if !(first.is_ascii_digit() || first == b'+' || first == b'-' || first == b'*') {
            return Ok(Err(LineError::Skip("invalid_line", "not a callgrind line".into())));
        }
        if let Err(e) = self.cost_line(t) {
            self.pending_call = None;
            return Ok(Err(e));
        }
        let caller = self.current_key();
        let caller_node = self.graph.node(caller, &self.strings, &mut self.g)?;
        if self.pending_call.take().is_some() {
            let callee_file = self.callee_file.or(self.file);
            let file = match callee_file {
                Some(f) => f,
                None => self.unknown_name(),
            };
            let name = match self.callee_function {
                Some(f) => f,
                None => {
                    self.g.report().warn(
                        "unknown_callee",
                        Location::Line(lineno),
                        "call without a `cfn=` line: the callee is named (unknown)",
                    );
                    self.unknown_name()
                }
            };
            let callee_node = self.graph.node(FnKey { file, name }, &self.strings, &mut self.g)?;
            let costs = std::mem::take(&mut self.costs);
            self.graph.add_call(caller_node, callee_node, &costs);
            self.costs = costs;
            // A callee specification holds for one call only.
            self.callee_file = None;
            self.callee_function = None;
        } else {
            let costs = std::mem::take(&mut self.costs);
            self.graph.add_self(caller_node, &costs);
            self.costs = costs;
        }
        Ok(Ok(()))
    }
}

/// Name and unit of the profile for one event type, and the factor that
/// turns the file's values into that unit.
fn event_profile(name: &str) -> (String, ValueUnit, f64) {
    match name {
        "Time_(10ns)" => ("Time".to_owned(), ValueUnit::Nanoseconds, 10.0),
        "Memory_(bytes)" => ("Memory".to_owned(), ValueUnit::Bytes, 1.0),
        other => (other.to_owned(), ValueUnit::None, 1.0),
    }
}

/// One pending tree node of the iterative depth-first walk.
struct Visit {
    node: u32,
    weight: f64,
    /// The node's function's total (found once, at entry).
    total: f64,
    stack: StackId,
    /// The edges out of the node not walked yet: `next_child..end_child`
    /// of the event's edges.
    next_child: usize,
    end_child: usize,
    emitted_at_entry: f64,
}

/// Most call-tree nodes built from one file, over all its events, whatever
/// `max_stack_nodes` allows: each node is a stack node and a sample (about
/// 30 bytes), so 10 million are about 300 MB of profiles. Trees of real
/// call graphs, pruned at 1/10,000 of the heaviest function, stay far below.
pub const MAX_TREE_NODES: u64 = 10_000_000;

/// Build the sampled profile of one event from its graph (see module docs).
/// Work is proportional to that event's non-zero nodes and edges plus the
/// tree nodes visited (`visited_nodes`, over all events, bounded by
/// [`MAX_TREE_NODES`] and `max_stack_nodes`).
fn build_profile(
    graph: &Graph,
    eg: &EventGraph,
    g: &GroupBuilder,
    name: String,
    unit: ValueUnit,
    scale: f64,
    visited_nodes: &mut u64,
) -> Result<flamekit_core::Profile> {
    let total = |node: u32| eg.total(node);
    let max_weight = eg.nodes.iter().map(|&(_, w)| w).fold(0.0_f64, f64::max);
    let threshold = 1e-4 * max_weight;

    // Roots: no caller at all, then anything still unreachable through
    // edges with cost (caller cycles without an outside entry).
    let mut roots: Vec<u32> = eg.nodes.iter().map(|&(n, _)| n).filter(|&n| !graph.has_caller[n as usize]).collect();
    let mut reached: HashSet<u32> = HashSet::new();
    let mut todo: Vec<u32> = Vec::new();
    let mark = |start: u32, reached: &mut HashSet<u32>, todo: &mut Vec<u32>| {
        if !reached.insert(start) {
            return;
        }
        todo.push(start);
        while let Some(x) = todo.pop() {
            for &(_, edge, _) in eg.children(x) {
                let c = graph.edge_child[edge as usize];
                if reached.insert(c) {
                    todo.push(c);
                }
            }
        }
    };
    for &r in &roots {
        mark(r, &mut reached, &mut todo);
    }
    for &(i, t) in &eg.nodes {
        if !reached.contains(&i) && t > 0.0 {
            roots.push(i);
            mark(i, &mut reached, &mut todo);
        }
    }

    let mut b = g.sampled(name, unit);
    let mut on_path = vec![false; graph.node_frame.len()];
    let mut path: Vec<Visit> = Vec::new();
    let mut emitted = 0.0_f64;
    let max_tree_nodes = g.limits().max_stack_nodes.min(MAX_TREE_NODES);
    // Enter `node` with `weight` under `parent_stack`, if it should be.
    let mut enter = |node: u32,
                     weight: f64,
                     parent_stack: StackId,
                     emitted: f64,
                     on_path: &mut Vec<bool>,
                     path: &mut Vec<Visit>,
                     b: &mut flamekit_core::SampledBuilder|
     -> Result<()> {
        if on_path[node as usize] || weight <= 0.0 || weight < threshold {
            return Ok(());
        }
        let total = total(node);
        if total <= 0.0 {
            return Ok(());
        }
        *visited_nodes += 1;
        if *visited_nodes > max_tree_nodes {
            return Err(Error::LimitExceeded {
                limit: LimitKind::StackNodes,
                max: max_tree_nodes,
                value: *visited_nodes,
            });
        }
        let stack = b.node(parent_stack, graph.node_frame[node as usize])?;
        on_path[node as usize] = true;
        let (next_child, end_child) = eg.children_range(node);
        path.push(Visit { node, weight, total, stack, next_child, end_child, emitted_at_entry: emitted });
        Ok(())
    };
    for &root in &roots {
        enter(root, total(root), NO_STACK, emitted, &mut on_path, &mut path, &mut b)?;
        while let Some(top) = path.last_mut() {
            if top.next_child < top.end_child {
                let (_, edge, w) = eg.edges[top.next_child];
                top.next_child += 1;
                let child_weight = top.weight * (w / top.total);
                let stack = top.stack;
                enter(graph.edge_child[edge as usize], child_weight, stack, emitted, &mut on_path, &mut path, &mut b)?;
            } else {
                let done = path.pop().expect("path is not empty");
                let taken_by_children = emitted - done.emitted_at_entry;
                let self_weight = done.weight - taken_by_children;
                if self_weight > 0.0 {
                    b.push_sample(done.stack, self_weight * scale)?;
                    emitted += self_weight;
                }
                on_path[done.node as usize] = false;
            }
        }
    }
    Ok(b.finish())
}

/// Import a callgrind file: one sampled profile per event type.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text: Cow<'_, str> = String::from_utf8_lossy(bytes);
    let mut p = Parser {
        g: GroupBuilder::new(FORMAT, &opts.limits),
        graph: Graph::default(),
        strings: Strings::default(),
        tables: [HashMap::new(), HashMap::new(), HashMap::new()],
        event_names: None,
        positions: 1,
        file: None,
        function: None,
        callee_file: None,
        callee_function: None,
        pending_call: None,
        prev_positions: Vec::new(),
        prev_costs: Vec::new(),
        prev_set: Vec::new(),
        costs: Vec::new(),
        positions_buf: Vec::new(),
    };
    let mut lineno = 0u64;
    for line in text.split('\n') {
        lineno += 1;
        if let Err(LineError::Skip(reason, msg)) = p.line(line, lineno)? {
            p.g.report().skip(reason, Location::Line(lineno), msg);
        }
    }
    if let Some(l) = p.pending_call {
        p.g.report().warn(
            "call_without_cost",
            Location::Line(l),
            "the input ends after a `calls=` line; the call is ignored",
        );
    }
    let Some(event_names) = p.event_names.take() else {
        return Err(Error::invalid(FORMAT, "header", "no `events:` line: cost lines cannot be interpreted"));
    };
    let mut g = p.g;
    let mut visited = 0u64;
    let per_event = p.graph.per_event(event_names.len());
    for (ev, eg) in event_names.iter().zip(&per_event) {
        let (name, unit, scale) = event_profile(ev);
        let profile = build_profile(&p.graph, eg, &g, name, unit, scale, &mut visited)?;
        g.push_profile(profile)?;
    }
    g.finish(0)
}
