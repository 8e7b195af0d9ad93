//! V8 `--prof` CPU profiles (`node --prof`, `d8 --prof`), in both forms:
//!
//! - the **preprocessed JSON** of `node --prof-process --preprocess
//!   isolate-*.log > profile.v8log.json` (`{code, functions, ticks}`; also
//!   accepted zipped, see [`crate::zip_container`]). `code[i]` is
//!   `{name, type: JS|CPP|SHARED_LIB|CODE, kind?}`; every tick is `{tm, vm,
//!   s}` where `s` holds `(code index or -1, pc offset)` pairs, innermost
//!   first. Index `-1` (an address no code covers) is skipped; an index past
//!   `code` is kept as a frame named by its hex value.
//! - the **raw log** itself (`isolate-0x…-v8.log`), replayed the way V8's
//!   tick processor does: `shared-library`, `code-creation`, `code-move` and
//!   `code-delete` events maintain a map of code ranges, and every `tick`
//!   (pc, external-callback / top-of-stack slot, then return addresses,
//!   absolute or `+`/`-` relative) is resolved against it. Without the
//!   `nm` symbol tables the tick processor reads, native code resolves to its
//!   shared library (`(LIB) /path/lib.so`); an unresolved pc is `(unknown)`
//!   and unresolved return addresses are dropped.
//!
//! Both give one sampled profile in microseconds named `ticks`: ticks are
//! ordered by time and each weighs the time since the previous tick (the
//! first: since the log started, V8's time origin). Frames: JS code
//! `name file:line:col` becomes a frame with that location (speedscope's
//! `(anonymous FILE:LINE)` when the name is empty, FILE = the file's last
//! path segment); C++ symbols are shown as `(c++) symbol` (the nm
//! type letter dropped, mangled names demangled), shared libraries as `(LIB) path`, other V8 code by
//! kind: `(builtin)`, `(stub)`, `(bytecode) ~`, `(IC)`, `(regexp)`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, SampledBuilder, StackId,
    ValueUnit,
};
use serde::Deserialize;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::V8Log.id();
const PROFILE_NAME: &str = "ticks";

// ---------------------------------------------------------------------------
// Detection

fn first_line(bytes: &[u8]) -> &[u8] {
    let head = &bytes[..bytes.len().min(4096)];
    match head.iter().position(|&b| b == b'\n') {
        Some(i) => &head[..i],
        None => head,
    }
}

fn is_raw_log(bytes: &[u8]) -> bool {
    let line = first_line(bytes);
    if line.starts_with(b"v8-version,") {
        return true;
    }
    let starts = [&b"shared-library,"[..], b"code-creation,", b"profiler,", b"tick,"];
    if !starts.iter().any(|s| line.starts_with(s)) {
        return false;
    }
    // A second known event line confirms it.
    let head = &bytes[..bytes.len().min(4096)];
    head.split(|&b| b == b'\n').skip(1).take(50).any(|l| starts.iter().any(|s| l.starts_with(s)))
}

fn is_preprocessed_json(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    let compact: Vec<u8> = head.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let text = String::from_utf8_lossy(&compact);
    text.contains("\"code\":[")
        && ["\"type\":\"SHARED_LIB\"", "\"type\":\"CPP\"", "\"type\":\"JS\"", "\"type\":\"CODE\"", "\"ticks\":["]
            .iter()
            .any(|k| text.contains(k))
}

/// True when `bytes` look like a V8 `--prof` log: the raw text log (first
/// line `v8-version,…`, or known event lines), or its preprocessed JSON (a
/// `code` array of V8 code entries).
pub fn sniff(bytes: &[u8]) -> bool {
    is_raw_log(bytes) || is_preprocessed_json(bytes)
}

// ---------------------------------------------------------------------------
// Frame naming (shared by both forms)

/// Split `name file:line:col` (JS code names) into a frame.
fn js_frame(name: &str) -> Frame {
    let mut rest = name;
    let mut nums: Vec<u32> = Vec::with_capacity(2);
    while nums.len() < 2 {
        let Some(colon) = rest.rfind(':') else { break };
        match rest[colon + 1..].parse::<u32>() {
            Ok(n) if !rest[colon + 1..].is_empty() && rest[colon + 1..].bytes().all(|b| b.is_ascii_digit()) => {
                nums.insert(0, n);
                rest = &rest[..colon];
            }
            _ => break,
        }
    }
    if nums.len() == 2 {
        let (func, file) = match rest.rfind(' ') {
            Some(sp) => (rest[..sp].trim(), &rest[sp + 1..]),
            None => ("", rest),
        };
        let func = crate::js_name::function_label(func, Some(file), Some(nums[0]));
        let file = (!file.is_empty()).then(|| file.to_owned());
        return Frame::with_location(func, file, Some(nums[0]), Some(nums[1]));
    }
    let trimmed = name.trim();
    Frame::new(if trimmed.is_empty() { "(anonymous)" } else { trimmed })
}

/// The frame for a code entry of type `ty` (`JS`, `CPP`, `SHARED_LIB`,
/// `CODE`, …) and `kind`.
fn code_frame(ty: &str, kind: Option<&str>, name: &str) -> Frame {
    match ty {
        "JS" => js_frame(name),
        "CPP" => {
            // nm output: "T symbol" / "t symbol".
            let b = name.as_bytes();
            let sym = if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b' ' { &name[2..] } else { name };
            Frame::new(format!("(c++) {}", crate::demangle::demangle(sym)))
        }
        "SHARED_LIB" => Frame::new(format!("(LIB) {name}")),
        "CODE" => Frame::new(match kind.unwrap_or("") {
            "LoadIC" | "StoreIC" | "KeyedStoreIC" | "KeyedLoadIC" | "LoadGlobalIC" | "StoreGlobalIC" | "Handler" => {
                format!("(IC) {name}")
            }
            "BytecodeHandler" => format!("(bytecode) ~{name}"),
            "Stub" => format!("(stub) {name}"),
            "Builtin" => format!("(builtin) {name}"),
            "RegExp" => format!("(regexp) {name}"),
            _ => name.to_owned(),
        }),
        other => Frame::new(format!("({other}) {name}")),
    }
}

/// Ticks resolved to stack nodes, then ordered by time and weighed.
fn push_ticks(b: &mut SampledBuilder, mut ticks: Vec<(f64, StackId)>) -> Result<()> {
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last = 0.0;
    for (tm, stack) in ticks {
        b.push_sample(stack, (tm - last).max(0.0))?;
        last = tm;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Preprocessed JSON

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow, default)]
    code: Vec<Code<'a>>,
    #[serde(default)]
    ticks: Vec<Tick>,
}

#[derive(Deserialize)]
struct Code<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Tick {
    tm: f64,
    #[serde(default)]
    s: Vec<f64>,
}

fn import_json(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let file: File = serde_json::from_slice(bytes).map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut b = g.sampled(opts.name.clone().unwrap_or_else(|| PROFILE_NAME.into()), ValueUnit::Microseconds);
    let mut frames: Vec<Option<FrameId>> = vec![None; file.code.len()];
    let mut unknown: HashMap<u64, FrameId> = HashMap::new();
    let mut ticks: Vec<(f64, StackId)> = Vec::with_capacity(file.ticks.len());
    let mut stack: Vec<FrameId> = Vec::new();
    for (ti, tick) in file.ticks.iter().enumerate() {
        if !tick.tm.is_finite() {
            return Err(Error::invalid(FORMAT, format!("ticks[{ti}].tm"), "tick time must be finite"));
        }
        if tick.s.len() % 2 == 1 {
            g.report().warn(
                "odd_stack",
                Location::Path(format!("ticks[{ti}].s")),
                "stack has an odd number of entries; the last one is ignored",
            );
        }
        stack.clear();
        for pair in tick.s.chunks_exact(2).rev() {
            let id = pair[0];
            if id == -1.0 {
                continue;
            }
            if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
                return Err(Error::invalid(
                    FORMAT,
                    format!("ticks[{ti}].s"),
                    format!("code index {id} is not a non-negative integer"),
                ));
            }
            let frame = match frames.get(id as usize) {
                Some(Some(f)) => *f,
                Some(None) => {
                    let c = &file.code[id as usize];
                    let frame =
                        code_frame(c.ty.as_deref().unwrap_or(""), c.kind.as_deref(), c.name.as_deref().unwrap_or(""));
                    let f = g.frame(frame)?;
                    frames[id as usize] = Some(f);
                    f
                }
                None => {
                    let key = id as u64;
                    match unknown.get(&key) {
                        Some(&f) => f,
                        None => {
                            let f = g.frame_named(&format!("0x{key:x}"))?;
                            unknown.insert(key, f);
                            f
                        }
                    }
                }
            };
            stack.push(frame);
        }
        ticks.push((tick.tm, b.stack_id(&stack)?));
    }
    push_ticks(&mut b, ticks)?;
    g.push_profile(b.finish())?;
    g.finish(0)
}

// ---------------------------------------------------------------------------
// Raw log

/// Split one log line into fields: comma-separated, `"…"` quoting (with
/// `\"`/`\\` escapes), and V8's `\xHH` / `\uHHHH` escapes anywhere.
fn fields(line: &str, out: &mut Vec<String>) {
    out.clear();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if cur.is_empty() && !quoted => quoted = true,
            '"' if quoted => quoted = false,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            '\\' => match chars.next() {
                Some('x') => {
                    let hex: String = chars.by_ref().take(2).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => cur.push(ch),
                        None => {
                            cur.push_str("\\x");
                            cur.push_str(&hex);
                        }
                    }
                }
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => cur.push(ch),
                        None => {
                            cur.push_str("\\u");
                            cur.push_str(&hex);
                        }
                    }
                }
                Some('n') => cur.push('\n'),
                Some(other) => cur.push(other),
                None => cur.push('\\'),
            },
            other => cur.push(other),
        }
    }
    out.push(cur);
}

/// A number as V8 logs it: `0x…` hex or decimal.
fn parse_addr(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse::<u64>().ok(),
    }
}

/// Code types whose names are JS functions (`name file:line:col`).
fn is_js_type(ty: &str) -> bool {
    matches!(
        ty,
        "Function" | "LazyCompile" | "Script" | "Eval" | "JS" | "Interpreted" | "Baseline" | "Maglev" | "Turbofan"
    )
}

struct CodeEntry {
    size: u64,
    frame: FrameId,
    js: bool,
}

/// Code ranges by start address.
#[derive(Default)]
struct CodeMap {
    dynamic: BTreeMap<u64, CodeEntry>,
    libs: BTreeMap<u64, (u64, FrameId)>,
}

impl CodeMap {
    /// Remove dynamic entries overlapping `[start, start + size)`.
    fn clear_range(&mut self, start: u64, size: u64) {
        let end = start.saturating_add(size.max(1));
        if let Some((&s, e)) = self.dynamic.range(..start).next_back() {
            if s.saturating_add(e.size) > start {
                self.dynamic.remove(&s);
            }
        }
        let inside: Vec<u64> = self.dynamic.range(start..end).map(|(&s, _)| s).collect();
        for s in inside {
            self.dynamic.remove(&s);
        }
    }

    fn add(&mut self, start: u64, entry: CodeEntry) {
        self.clear_range(start, entry.size);
        self.dynamic.insert(start, entry);
    }

    fn find(&self, addr: u64) -> Option<(FrameId, bool)> {
        if let Some((&s, e)) = self.dynamic.range(..=addr).next_back() {
            if addr < s.saturating_add(e.size.max(1)) {
                return Some((e.frame, e.js));
            }
        }
        if let Some((_, &(end, frame))) = self.libs.range(..=addr).next_back() {
            if addr < end {
                return Some((frame, false));
            }
        }
        None
    }
}

fn import_raw(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut b = g.sampled(opts.name.clone().unwrap_or_else(|| PROFILE_NAME.into()), ValueUnit::Microseconds);
    let mut map = CodeMap::default();
    let mut ticks: Vec<(f64, StackId)> = Vec::new();
    let mut f: Vec<String> = Vec::new();
    let mut addrs: Vec<u64> = Vec::new();
    let mut stack: Vec<FrameId> = Vec::new();
    let mut unknown_pc: Option<FrameId> = None;
    let mut bad_lines = 0u64;
    for (li, raw_line) in bytes.split(|&c| c == b'\n').enumerate() {
        let lineno = li as u64 + 1;
        let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if raw_line.is_empty() {
            continue;
        }
        let line = String::from_utf8_lossy(raw_line);
        fields(&line, &mut f);
        let mut skip = |g: &mut GroupBuilder, why: &str| {
            bad_lines += 1;
            g.report().skip("invalid_line", Location::Line(lineno), why.to_owned());
        };
        match f[0].as_str() {
            "shared-library" => {
                match (f.get(1), f.get(2).and_then(|s| parse_addr(s)), f.get(3).and_then(|s| parse_addr(s))) {
                    (Some(name), Some(start), Some(end)) if end >= start => {
                        let frame = g.frame(code_frame("SHARED_LIB", None, name))?;
                        map.libs.insert(start, (end, frame));
                    }
                    _ => skip(&mut g, "shared-library line without name, start and end"),
                }
            }
            "code-creation" => {
                // code-creation,TYPE[,KIND][,TIMESTAMP],0xSTART,SIZE,NAME[,0xSFI,STATE]
                let Some(at) = f.iter().skip(2).position(|s| s.starts_with("0x")).map(|p| p + 2) else {
                    skip(&mut g, "code-creation line without a start address");
                    continue;
                };
                match (parse_addr(&f[at]), f.get(at + 1).and_then(|s| parse_addr(s)), f.get(at + 2)) {
                    (Some(start), Some(size), Some(name)) => {
                        let ty = f[1].as_str();
                        let js = is_js_type(ty);
                        let frame = if js {
                            let n = name.strip_prefix(['~', '*']).unwrap_or(name);
                            g.frame(code_frame("JS", None, n))?
                        } else {
                            g.frame(code_frame("CODE", Some(ty), name))?
                        };
                        map.add(start, CodeEntry { size, frame, js });
                    }
                    _ => skip(&mut g, "code-creation line without start, size and name"),
                }
            }
            "code-move" => match (f.get(1).and_then(|s| parse_addr(s)), f.get(2).and_then(|s| parse_addr(s))) {
                (Some(from), Some(to)) => {
                    if let Some(e) = map.dynamic.remove(&from) {
                        map.add(to, e);
                    }
                }
                _ => skip(&mut g, "code-move line without two addresses"),
            },
            "code-delete" => match f.get(1).and_then(|s| parse_addr(s)) {
                Some(addr) => {
                    map.dynamic.remove(&addr);
                }
                None => skip(&mut g, "code-delete line without an address"),
            },
            "tick" => {
                // tick,PC,TIME,IS_EXTERNAL_CALLBACK,TOS_OR_CALLBACK,VM_STATE,STACK...
                let (Some(mut pc), Some(tm), Some(ext), Some(mut tos)) = (
                    f.get(1).and_then(|s| parse_addr(s)),
                    f.get(2).and_then(|s| s.parse::<f64>().ok()).filter(|t| t.is_finite()),
                    f.get(3).and_then(|s| parse_addr(s)),
                    f.get(4).and_then(|s| parse_addr(s)),
                ) else {
                    skip(&mut g, "tick line without pc, time, callback flag and top of stack");
                    continue;
                };
                if ext != 0 {
                    // In an external callback the pc points into the callback; the
                    // callback's own address stands for it.
                    pc = tos;
                    tos = 0;
                } else if tos != 0 && !map.find(tos).is_some_and(|(_, js)| js) {
                    // Top of stack counts only when it is a JS function called frameless.
                    tos = 0;
                }
                addrs.clear();
                addrs.push(pc);
                if tos != 0 {
                    addrs.push(tos);
                }
                let mut prev = pc;
                for s in f.iter().skip(6) {
                    let a = if let Some(d) = s.strip_prefix('+') {
                        u64::from_str_radix(d, 16).ok().map(|d| prev.wrapping_add(d))
                    } else if let Some(d) = s.strip_prefix('-') {
                        u64::from_str_radix(d, 16).ok().map(|d| prev.wrapping_sub(d))
                    } else {
                        parse_addr(s)
                    };
                    match a {
                        Some(a) => {
                            addrs.push(a);
                            prev = a;
                        }
                        None => break,
                    }
                }
                stack.clear();
                for (i, &a) in addrs.iter().enumerate().rev() {
                    match map.find(a) {
                        Some((frame, _)) => stack.push(frame),
                        None if i == 0 => {
                            let fr = match unknown_pc {
                                Some(fr) => fr,
                                None => {
                                    let fr = g.frame_named("(unknown)")?;
                                    unknown_pc = Some(fr);
                                    fr
                                }
                            };
                            stack.push(fr);
                        }
                        None => {}
                    }
                }
                let id = b.stack_id(&stack)?;
                ticks.push((tm, id));
            }
            _ => {}
        }
    }
    if bad_lines > 0 && ticks.is_empty() {
        return Err(Error::invalid(FORMAT, "log", format!("{bad_lines} malformed lines and no tick")));
    }
    push_ticks(&mut b, ticks)?;
    g.push_profile(b.finish())?;
    g.finish(0)
}

/// Import a V8 `--prof` log, raw or preprocessed to JSON.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        import_json(bytes, opts)
    } else if is_raw_log(bytes) {
        import_raw(bytes, opts)
    } else {
        Err(Error::invalid(FORMAT, "start", "neither a V8 log (v8-version, code-creation, tick lines) nor its JSON"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_names() {
        let f = js_frame("a /x/simple.js:1:73");
        assert_eq!((f.name.as_str(), f.file.as_deref(), f.line, f.col), ("a", Some("/x/simple.js"), Some(1), Some(73)));
        let f = js_frame(" bootstrap_node.js:10:10");
        assert_eq!(
            (f.name.as_str(), f.file.as_deref()),
            ("(anonymous bootstrap_node.js:10)", Some("bootstrap_node.js"))
        );
        let f = js_frame(" :1:1");
        assert_eq!((f.name.as_str(), f.file.as_deref(), f.line), ("(anonymous)", None, Some(1)));
        assert_eq!(js_frame("bootstrap_node.js").name, "bootstrap_node.js");
        assert_eq!(js_frame("").name, "(anonymous)");
    }

    #[test]
    fn cpp_names_drop_the_nm_letter_and_are_demangled() {
        assert_eq!(code_frame("CPP", None, "T node::Start(int, char**)").name, "(c++) node::Start(int, char**)");
        assert_eq!(code_frame("CPP", None, "t __ZN4node5StartEiPPc").name, "(c++) node::Start(int, char**)");
        assert_eq!(code_frame("SHARED_LIB", None, "/usr/lib/x.so").name, "(LIB) /usr/lib/x.so");
        assert_eq!(code_frame("CODE", Some("BytecodeHandler"), "Ldar").name, "(bytecode) ~Ldar");
    }

    #[test]
    fn log_fields() {
        let mut f = Vec::new();
        fields(r#"code-creation,Stub,3,0x1,2,"a, \"b\"",x\x2Cy"#, &mut f);
        assert_eq!(f, vec!["code-creation", "Stub", "3", "0x1", "2", "a, \"b\"", "x,y"]);
    }

    #[test]
    fn code_map_overlaps_and_moves() {
        let mut m = CodeMap::default();
        m.add(100, CodeEntry { size: 10, frame: 1, js: true });
        m.add(105, CodeEntry { size: 10, frame: 2, js: false });
        assert_eq!(m.find(101), None);
        assert_eq!(m.find(106), Some((2, false)));
        m.libs.insert(1000, (2000, 7));
        assert_eq!(m.find(1500), Some((7, false)));
        assert_eq!(m.find(2000), None);
    }
}
