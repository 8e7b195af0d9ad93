//! GHC cost-centre profiles (Haskell): the JSON report written with
//! `+RTS -pj` and the classic text report written with `+RTS -p` / `-P`
//! (`<program>.prof`).
//!
//! Both hold a cost-centre-stack tree in which each node has its own
//! (individual) time and allocation. Two sampled profiles result, `time`
//! and `allocation`; each tree node with a non-zero value becomes one sample
//! on its cost-centre stack (children before their parent, as speedscope
//! lays the tree out). Frames are named `Module.label`, with the source
//! location as the frame's file unless it is a placeholder such as
//! `<built-in>`.
//!
//! * JSON: `time` is `ticks × tick_interval` in milliseconds
//!   (`tick_interval` is in microseconds; without it, plain ticks);
//!   `allocation` is `alloc` in bytes. The tree is read with a streaming
//!   reader and an explicit stack, so its depth is only bounded by
//!   `max_stack_depth`, and `cost_centres` may come before or after
//!   `profile`.
//! * Text: with `-P` the `ticks` and `bytes` columns give exact values;
//!   with `-p` only individual percentages are printed, so `time` is
//!   `%time × total ticks / 100` and `allocation` is
//!   `%alloc × total alloc / 100` (both rounded to the report's 0.1%).
//!   Tree rows that cannot be read are skipped and reported as
//!   `invalid_line`.

use std::collections::HashMap;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, StackId, ValueUnit, NO_STACK,
};
use struson::reader::{JsonReader, JsonStreamReader, ReaderError, ReaderSettings, ValueType};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Haskell.id();

/// True for a GHC JSON profile (an object with `rts_arguments` or
/// `cost_centres` and `initial_capabilities` / `total_ticks` keys near the
/// start) or a text report (`Time and Allocation Profiling Report` in the
/// first lines).
pub fn sniff(bytes: &[u8]) -> bool {
    if let Some(text) = crate::json::object_head(bytes) {
        return (text.contains("\"rts_arguments\"") || text.contains("\"cost_centres\""))
            && (text.contains("\"initial_capabilities\"") || text.contains("\"total_ticks\""));
    }
    let head = &bytes[..bytes.len().min(crate::json::HEAD_BYTES)];
    String::from_utf8_lossy(head).lines().take(5).any(|l| l.contains("Time and Allocation Profiling Report"))
}

/// Import a GHC profile (JSON or text) as a `time` and an `allocation` profile.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => import_json(bytes, opts),
        Some(_) => import_text(bytes, opts),
        None => Err(Error::Truncated { format: FORMAT, location: "byte 0".into(), message: "empty input".into() }),
    }
}

/// One node of the cost-centre-stack tree, in pre-order.
struct Node {
    /// Parent index in the node list, `usize::MAX` for a root.
    parent: usize,
    cc: u64,
    time: f64,
    alloc: f64,
}

/// A cost centre's frame description.
struct CostCentre {
    name: String,
    file: Option<String>,
}

fn cost_centre_frame(label: &str, module: &str, src: &str) -> CostCentre {
    let name = if module.is_empty() { label.to_owned() } else { format!("{module}.{label}") };
    let file = (!src.is_empty() && !src.starts_with('<')).then(|| src.to_owned());
    CostCentre { name, file }
}

/// Build the `time` and `allocation` profiles from the pre-order tree.
fn build(
    mut g: GroupBuilder,
    nodes: &[Node],
    centres: &HashMap<u64, CostCentre>,
    time_unit: ValueUnit,
) -> Result<(ProfileGroup, ImportReport)> {
    let mut frames: HashMap<u64, FrameId> = HashMap::new();
    let mut node_frames: Vec<FrameId> = Vec::with_capacity(nodes.len());
    let mut missing = 0u64;
    for n in nodes {
        let f = match frames.get(&n.cc) {
            Some(&f) => f,
            None => {
                let f = match centres.get(&n.cc) {
                    Some(cc) => g.frame(Frame::with_location(cc.name.as_str(), cc.file.clone(), None, None))?,
                    None => {
                        missing += 1;
                        g.frame_named(&format!("<cost centre {}>", n.cc))?
                    }
                };
                frames.insert(n.cc, f);
                f
            }
        };
        node_frames.push(f);
    }
    if missing > 0 {
        g.report().warn(
            "unknown_cost_centre",
            Location::Path("profile".into()),
            format!("{missing} cost centre id(s) are not in cost_centres"),
        );
    }
    for (name, unit, value) in [
        ("time", time_unit, (|n: &Node| n.time) as fn(&Node) -> f64),
        ("allocation", ValueUnit::Bytes, |n: &Node| n.alloc),
    ] {
        let mut b = g.sampled(name, unit);
        let mut stacks: Vec<StackId> = Vec::with_capacity(nodes.len());
        // Open nodes (indices), to emit each node after its subtree.
        let mut open: Vec<usize> = Vec::new();
        let emit = |i: usize, b: &mut flamekit_core::SampledBuilder, stacks: &[StackId]| -> Result<()> {
            let w = value(&nodes[i]);
            if w > 0.0 {
                b.push_sample(stacks[i], w)?;
            }
            Ok(())
        };
        for (i, n) in nodes.iter().enumerate() {
            while let Some(&top) = open.last() {
                if top == n.parent {
                    break;
                }
                open.pop();
                emit(top, &mut b, &stacks)?;
            }
            let parent_stack = if n.parent == usize::MAX { NO_STACK } else { stacks[n.parent] };
            stacks.push(b.node(parent_stack, node_frames[i])?);
            open.push(i);
        }
        while let Some(top) = open.pop() {
            emit(top, &mut b, &stacks)?;
        }
        g.push_profile(b.finish())?;
    }
    g.finish(0)
}

fn json_error(e: ReaderError) -> Error {
    crate::json::stream_error(FORMAT, e)
}

/// Read a JSON number as f64 (any JSON number form).
fn number<R: std::io::Read>(r: &mut JsonStreamReader<R>, what: &str) -> Result<f64> {
    if r.peek().map_err(json_error)? != ValueType::Number {
        r.skip_value().map_err(json_error)?;
        return Err(Error::invalid(FORMAT, what.to_owned(), "expected a number"));
    }
    let v: f64 = r
        .next_number_as_str()
        .map_err(json_error)?
        .parse()
        .map_err(|_| Error::invalid(FORMAT, what.to_owned(), "number out of range"))?;
    if !v.is_finite() {
        return Err(Error::invalid(FORMAT, what.to_owned(), "number out of range"));
    }
    Ok(v)
}

fn string_or_empty<R: std::io::Read>(r: &mut JsonStreamReader<R>) -> Result<String> {
    if r.peek().map_err(json_error)? == ValueType::String {
        r.next_string().map_err(json_error)
    } else {
        r.skip_value().map_err(json_error)?;
        Ok(String::new())
    }
}

fn count_of(v: f64, what: &str) -> Result<u64> {
    if v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64 {
        Ok(v as u64)
    } else {
        Err(Error::invalid(FORMAT, what.to_owned(), format!("expected a non-negative integer, got {v}")))
    }
}

fn import_json(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let depth = opts.limits.max_stack_depth.saturating_mul(2).saturating_add(8).min(u32::MAX as u64) as u32;
    let settings = ReaderSettings { max_nesting_depth: Some(depth), track_path: false, ..Default::default() };
    let mut r = JsonStreamReader::new_custom(bytes, settings);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut centres: HashMap<u64, CostCentre> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut tick_interval: Option<f64> = None;
    let mut saw_profile = false;
    let e = json_error;
    if r.peek().map_err(e)? != ValueType::Object {
        return Err(Error::invalid(FORMAT, "$", "a GHC JSON profile is an object"));
    }
    r.begin_object().map_err(e)?;
    while r.has_next().map_err(e)? {
        let key = r.next_name_owned().map_err(e)?;
        match key.as_str() {
            "program" => {
                let p = string_or_empty(&mut r)?;
                g.set_name(p);
            }
            "tick_interval" => {
                let v = number(&mut r, "tick_interval")?;
                tick_interval = (v > 0.0).then_some(v);
            }
            "cost_centres" => {
                r.begin_array().map_err(e)?;
                let mut i = 0usize;
                while r.has_next().map_err(e)? {
                    let what = format!("cost_centres[{i}]");
                    r.begin_object().map_err(e)?;
                    let (mut id, mut label, mut module, mut src) = (None, String::new(), String::new(), String::new());
                    while r.has_next().map_err(e)? {
                        match r.next_name().map_err(e)? {
                            "id" => id = Some(count_of(number(&mut r, &what)?, &what)?),
                            "label" => label = string_or_empty(&mut r)?,
                            "module" => module = string_or_empty(&mut r)?,
                            "src_loc" => src = string_or_empty(&mut r)?,
                            _ => r.skip_value().map_err(e)?,
                        }
                    }
                    r.end_object().map_err(e)?;
                    let id = id.ok_or_else(|| Error::invalid(FORMAT, what.clone(), "cost centre without an id"))?;
                    centres.insert(id, cost_centre_frame(&label, &module, &src));
                    i += 1;
                }
                r.end_array().map_err(e)?;
            }
            "profile" => {
                saw_profile = true;
                read_tree(&mut r, &mut nodes, &opts.limits)?;
            }
            _ => r.skip_value().map_err(e)?,
        }
    }
    r.end_object().map_err(e)?;
    r.consume_trailing_whitespace().map_err(e)?;
    if !saw_profile {
        return Err(Error::invalid(FORMAT, "$", "no `profile` tree"));
    }
    // Ticks → milliseconds when the tick interval (µs) is known.
    let time_unit = match tick_interval {
        Some(us) => {
            for n in &mut nodes {
                n.time *= us / 1000.0;
            }
            ValueUnit::Milliseconds
        }
        None => ValueUnit::None,
    };
    build(g, &nodes, &centres, time_unit)
}

/// Read the `profile` tree iteratively into `nodes` (pre-order).
fn read_tree<R: std::io::Read>(
    r: &mut JsonStreamReader<R>,
    nodes: &mut Vec<Node>,
    limits: &flamekit_core::IngestLimits,
) -> Result<()> {
    let e = json_error;
    // Each open level: (node index, true while inside its `children` array).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let new_node = |r: &mut JsonStreamReader<R>, nodes: &mut Vec<Node>, parent: usize| -> Result<usize> {
        r.begin_object().map_err(e)?;
        nodes.push(Node { parent, cc: u64::MAX, time: 0.0, alloc: 0.0 });
        Ok(nodes.len() - 1)
    };
    let root = new_node(r, nodes, usize::MAX)?;
    open.push((root, false));
    while let Some(&(i, in_children)) = open.last() {
        if in_children {
            if r.has_next().map_err(e)? {
                limits.check(flamekit_core::LimitKind::StackDepth, open.len() as u64 + 1)?;
                let c = new_node(r, nodes, i)?;
                open.push((c, false));
            } else {
                r.end_array().map_err(e)?;
                if let Some(top) = open.last_mut() {
                    top.1 = false;
                }
            }
            continue;
        }
        if !r.has_next().map_err(e)? {
            r.end_object().map_err(e)?;
            open.pop();
            if nodes[i].cc == u64::MAX {
                return Err(Error::invalid(FORMAT, format!("profile node {i}"), "node without an `id`"));
            }
            continue;
        }
        let what = format!("profile node {i}");
        let key = r.next_name_owned().map_err(e)?;
        match key.as_str() {
            "id" => nodes[i].cc = count_of(number(r, &what)?, &what)?,
            "ticks" => nodes[i].time = count_of(number(r, &what)?, &what)? as f64,
            "alloc" => nodes[i].alloc = count_of(number(r, &what)?, &what)? as f64,
            "children" => {
                r.begin_array().map_err(e)?;
                if let Some(top) = open.last_mut() {
                    top.1 = true;
                }
            }
            _ => r.skip_value().map_err(e)?,
        }
    }
    Ok(())
}

/// Parse a number as printed in text reports (`1,921,672,664`, `0.80`).
fn text_number(s: &str) -> Option<f64> {
    let v: f64 = s.replace(',', "").parse().ok()?;
    v.is_finite().then_some(v)
}

fn import_text(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text = String::from_utf8_lossy(bytes);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut total_ticks: Option<f64> = None;
    let mut tick_us: Option<f64> = None;
    let mut total_alloc: Option<f64> = None;
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r')).enumerate();
    // Header: program line and totals, up to the tree's column header.
    let mut numeric_columns: Option<Vec<String>> = None;
    let mut program_next = false;
    for (_, line) in lines.by_ref() {
        let t = line.trim();
        if t.contains("Profiling Report") {
            program_next = true;
            continue;
        }
        if program_next && !t.is_empty() {
            program_next = false;
            if let Some(p) = t.split_whitespace().next() {
                g.set_name(p);
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("total time") {
            // `=        0.80 secs   (798 ticks @ 1000 us, 1 processor)`
            if let Some((_, paren)) = rest.split_once('(') {
                let mut words = paren.split_whitespace();
                total_ticks = words.next().and_then(text_number);
                if words.next() == Some("ticks") && words.next() == Some("@") {
                    tick_us = words.next().and_then(text_number);
                }
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("total alloc") {
            total_alloc = rest.trim_start_matches([' ', '=']).split_whitespace().next().and_then(text_number);
            continue;
        }
        if t.starts_with("COST CENTRE") && t.split_whitespace().any(|w| w == "entries") {
            let words: Vec<&str> = t.split_whitespace().collect();
            let start = words.iter().position(|w| *w == "no.").unwrap_or(words.len());
            numeric_columns = Some(words[start..].iter().map(|w| w.to_string()).collect());
            break;
        }
    }
    let Some(cols) = numeric_columns else {
        return Err(Error::invalid(FORMAT, "header", "no cost-centre tree (`COST CENTRE … no. entries …` line)"));
    };
    // Column positions: individual %time/%alloc are the first of each pair.
    let find = |name: &str| cols.iter().position(|c| c == name);
    let pct_time = find("%time");
    let pct_alloc = find("%alloc");
    let ticks_col = find("ticks");
    let bytes_col = find("bytes");
    let id_col = find("no.");
    let time_unit = if tick_us.is_some() { ValueUnit::Milliseconds } else { ValueUnit::None };
    let ms_per_tick = tick_us.map_or(1.0, |us| us / 1000.0);

    let mut centres: HashMap<u64, CostCentre> = HashMap::new();
    let mut keys: HashMap<(String, String, String), u64> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    // Open nodes: (indent, node index).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut base_indent: Option<usize> = None;
    let mut skip_deeper: Option<usize> = None;
    for (i, line) in lines {
        let lineno = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(d) = skip_deeper {
            if indent > d {
                g.report().skip("invalid_line", Location::Line(lineno), "row inside a skipped row");
                continue;
            }
            skip_deeper = None;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let parsed = (words.len() >= cols.len() + 2)
            .then(|| {
                let nums: Option<Vec<f64>> = words[words.len() - cols.len()..].iter().map(|w| text_number(w)).collect();
                nums.map(|n| (words[0], words[1], words[2..words.len() - cols.len()].join(" "), n))
            })
            .flatten();
        let base = *base_indent.get_or_insert(indent);
        let depth = open.iter().take_while(|(d, _)| *d < indent).count();
        // A row nests under the last open row indented less; an unindented
        // (base) row starts a new root.
        let nested_ok = if depth == 0 { indent == base } else { true };
        let Some((label, module, src, nums)) = parsed.filter(|_| nested_ok) else {
            g.report().skip("invalid_line", Location::Line(lineno), "not a cost-centre tree row");
            skip_deeper = Some(indent);
            continue;
        };
        open.truncate(depth);
        let key = (label.to_owned(), module.to_owned(), src.clone());
        let cc = match id_col.and_then(|c| nums.get(c)).filter(|v| **v >= 0.0 && v.fract() == 0.0) {
            Some(&id) => id as u64,
            None => {
                let next = u64::MAX / 2 + keys.len() as u64;
                *keys.entry(key.clone()).or_insert(next)
            }
        };
        centres.entry(cc).or_insert_with(|| cost_centre_frame(label, module, &src));
        let pick = |c: Option<usize>| c.and_then(|c| nums.get(c)).copied().unwrap_or(0.0).max(0.0);
        let time = match ticks_col {
            Some(_) => pick(ticks_col) * ms_per_tick,
            None => pick(pct_time) / 100.0 * total_ticks.unwrap_or(0.0) * ms_per_tick,
        };
        let alloc = match bytes_col {
            Some(_) => pick(bytes_col),
            None => pick(pct_alloc) / 100.0 * total_alloc.unwrap_or(0.0),
        };
        let parent = open.last().map_or(usize::MAX, |&(_, n)| n);
        g.limits().check(flamekit_core::LimitKind::StackDepth, open.len() as u64 + 1)?;
        nodes.push(Node { parent, cc, time, alloc });
        open.push((indent, nodes.len() - 1));
    }
    if nodes.is_empty() {
        return Err(Error::invalid(FORMAT, "cost-centre tree", "the tree has no rows"));
    }
    build(g, &nodes, &centres, time_unit)
}
