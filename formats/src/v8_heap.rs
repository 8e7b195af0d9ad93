//! V8/Chrome sampling heap profiles (`.heapprofile`), as saved by Chrome
//! DevTools' "Allocation sampling" and by Node's inspector
//! (`HeapProfiler.getSamplingProfile`): `{"head": node, "samples"?: [...]}`
//! where every node is `{callFrame, selfSize, id?, children: [node...]}`.
//!
//! The result is one sampled profile in bytes: every node with a non-zero
//! `selfSize` becomes one sample whose stack is the node's path from the
//! head and whose weight is that size. The head node, V8's synthetic
//! `(root)`, is kept as the outermost frame of every stack, as speedscope
//! keeps it.
//! Frames are named by `functionName`, or when it is empty
//! `(anonymous FILE:LINE)` as speedscope labels them (FILE = last path
//! segment of the url, LINE = the file's 0-based `lineNumber`; bare
//! `(anonymous)` without a url), and carry
//! the script URL and the 1-based line and column (the file's are 0-based).
//! The per-allocation `samples` list, when present, is skipped: the tree
//! already sums it.
//!
//! The tree is read with a streaming JSON reader and walked without
//! recursion, so any depth is accepted up to `max_stack_depth`.

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, LimitKind, ProfileGroup, Result, StackId, ValueUnit, NO_STACK,
};
use struson::reader::{JsonReader, JsonStreamReader, ReaderError, ReaderSettings, ValueType};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::V8Heap.id();

/// True when `bytes` look like a heap profile: a JSON object whose start
/// has a `head` node with a `callFrame` and a `selfSize` (and no `nodes`
/// array, which marks a `.cpuprofile`).
pub fn sniff(bytes: &[u8]) -> bool {
    let Some(text) = crate::json::object_head(bytes) else {
        return false;
    };
    text.contains("\"head\"")
        && text.contains("\"callFrame\"")
        && text.contains("\"selfSize\"")
        && !text.contains("\"nodes\"")
        && !text.contains("\"timeDeltas\"")
}

fn json_error(e: ReaderError) -> Error {
    crate::json::stream_error(FORMAT, e)
}

type Reader<'a> = JsonStreamReader<&'a [u8]>;

/// A number, or `None` for `null` or a value of another type (skipped).
fn opt_number(r: &mut Reader) -> Result<Option<f64>> {
    match r.peek().map_err(json_error)? {
        ValueType::Number => Ok(r.next_number::<f64>().map_err(json_error)?.ok().filter(|x| x.is_finite())),
        _ => {
            r.skip_value().map_err(json_error)?;
            Ok(None)
        }
    }
}

/// A string, or empty for any other value (skipped).
fn opt_string(r: &mut Reader, out: &mut String) -> Result<()> {
    out.clear();
    match r.peek().map_err(json_error)? {
        ValueType::String => out.push_str(r.next_str().map_err(json_error)?),
        _ => r.skip_value().map_err(json_error)?,
    }
    Ok(())
}

/// A CDP 0-based position to a 1-based one (`-1` and junk mean unknown).
fn one_based(v: Option<f64>) -> Option<u32> {
    v.filter(|x| *x >= 0.0 && *x < u32::MAX as f64).map(|x| x as u32 + 1)
}

fn read_call_frame(r: &mut Reader) -> Result<Frame> {
    let (mut name, mut url, mut scratch) = (String::new(), String::new(), String::new());
    let (mut line, mut col) = (None, None);
    if r.peek().map_err(json_error)? != ValueType::Object {
        r.skip_value().map_err(json_error)?;
        return Ok(Frame::new("(anonymous)"));
    }
    r.begin_object().map_err(json_error)?;
    while r.has_next().map_err(json_error)? {
        let key = match r.next_name().map_err(json_error)? {
            "functionName" => 0,
            "url" => 1,
            "lineNumber" => 2,
            "columnNumber" => 3,
            _ => 4,
        };
        match key {
            0 => opt_string(r, &mut name)?,
            1 => opt_string(r, &mut url)?,
            2 => line = opt_number(r)?,
            3 => col = opt_number(r)?,
            _ => opt_string(r, &mut scratch)?,
        }
    }
    r.end_object().map_err(json_error)?;
    if name.is_empty() {
        // speedscope's label; its LINE is the file's 0-based lineNumber.
        let raw_line = line.filter(|x| x.is_finite()).map(crate::json::fmt_num);
        name = crate::js_name::function_label("", Some(&url), raw_line).into_owned();
    }
    Ok(Frame::with_location(name, (!url.is_empty()).then_some(url), one_based(line), one_based(col)))
}

/// One tree node as read: its parent's index and what it holds.
struct Node {
    parent: Option<usize>,
    frame: Option<Frame>,
    self_size: f64,
}

/// Read the `head` tree into a flat pre-order list (parents before
/// children), iteratively: `open` holds the indices of the nodes whose
/// objects are being read, innermost last.
fn read_tree(r: &mut Reader, g: &GroupBuilder) -> Result<Vec<Node>> {
    let limits = g.limits();
    let mut nodes: Vec<Node> = Vec::new();
    // Per open node: its index, and whether we are inside its `children` array.
    let mut open: Vec<(usize, bool)> = Vec::new();
    if r.peek().map_err(json_error)? != ValueType::Object {
        return Err(Error::invalid(FORMAT, "head", "the head node is not an object"));
    }
    r.begin_object().map_err(json_error)?;
    nodes.push(Node { parent: None, frame: None, self_size: 0.0 });
    open.push((0, false));
    while let Some(&(current, in_children)) = open.last() {
        if in_children {
            if r.has_next().map_err(json_error)? {
                if r.peek().map_err(json_error)? != ValueType::Object {
                    r.skip_value().map_err(json_error)?;
                    continue;
                }
                limits.check(LimitKind::StackDepth, open.len() as u64 + 1)?;
                limits.check(LimitKind::Samples, nodes.len() as u64 + 1)?;
                r.begin_object().map_err(json_error)?;
                nodes.push(Node { parent: Some(current), frame: None, self_size: 0.0 });
                open.push((nodes.len() - 1, false));
            } else {
                r.end_array().map_err(json_error)?;
                if let Some(top) = open.last_mut() {
                    top.1 = false;
                }
            }
            continue;
        }
        if !r.has_next().map_err(json_error)? {
            r.end_object().map_err(json_error)?;
            open.pop();
            continue;
        }
        #[derive(PartialEq)]
        enum Key {
            CallFrame,
            SelfSize,
            Children,
            Other,
        }
        let key = match r.next_name().map_err(json_error)? {
            "callFrame" => Key::CallFrame,
            "selfSize" => Key::SelfSize,
            "children" => Key::Children,
            _ => Key::Other,
        };
        match key {
            Key::CallFrame => {
                let frame = read_call_frame(r)?;
                nodes[current].frame = Some(frame);
            }
            Key::SelfSize => {
                let size = opt_number(r)?.unwrap_or(0.0);
                if size < 0.0 {
                    return Err(Error::invalid(
                        FORMAT,
                        format!("node {current}"),
                        format!("selfSize must not be negative, got {size}"),
                    ));
                }
                nodes[current].self_size = size;
            }
            Key::Children if r.peek().map_err(json_error)? == ValueType::Array => {
                r.begin_array().map_err(json_error)?;
                if let Some(top) = open.last_mut() {
                    top.1 = true;
                }
            }
            _ => r.skip_value().map_err(json_error)?,
        }
    }
    Ok(nodes)
}

/// Import a heap profile.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let settings = ReaderSettings { max_nesting_depth: None, track_path: false, ..Default::default() };
    let mut r = JsonStreamReader::new_custom(bytes, settings);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut nodes = None;
    if r.peek().map_err(json_error)? != ValueType::Object {
        return Err(Error::invalid(FORMAT, "top level", "a heap profile is a JSON object"));
    }
    r.begin_object().map_err(json_error)?;
    while r.has_next().map_err(json_error)? {
        if r.next_name().map_err(json_error)? == "head" {
            nodes = Some(read_tree(&mut r, &g)?);
        } else {
            r.skip_value().map_err(json_error)?;
        }
    }
    r.end_object().map_err(json_error)?;
    r.consume_trailing_whitespace().map_err(json_error)?;
    let nodes = nodes.ok_or_else(|| Error::invalid(FORMAT, "top level", "no `head` node"))?;

    let mut b = g.sampled(opts.name.clone().unwrap_or_default(), ValueUnit::Bytes);
    // Stack node of each tree node (the head, V8's `(root)`, is a frame too).
    let mut stack_of: Vec<StackId> = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.into_iter().enumerate() {
        let parent = node.parent.and_then(|p| stack_of.get(p).copied()).unwrap_or(NO_STACK);
        let frame: FrameId = match node.frame {
            Some(f) => g.frame(f)?,
            None => {
                g.report().warn(
                    "missing_call_frame",
                    flamekit_core::Location::Index(i as u64),
                    "node without callFrame, named (unknown)",
                );
                g.frame_named("(unknown)")?
            }
        };
        let id = b.node(parent, frame)?;
        stack_of.push(id);
        if node.self_size > 0.0 {
            b.push_sample(id, node.self_size)?;
        }
    }
    g.push_profile(b.finish())?;
    g.finish(0)
}
