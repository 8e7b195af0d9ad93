//! Instruments.app "deep copy" text: the call tree of a Time Profiler,
//! CPU Counters or Allocations run copied with *Edit › Deep Copy*
//! (Instruments 7 to 16).
//!
//! ```text
//! Running Time<TAB>Self (ms)<TAB><TAB>Symbol Name
//! 4273.0ms   99.9%<TAB>0<TAB> <TAB>start
//! 4273.0ms   99.9%<TAB>0<TAB> <TAB> main
//! ```
//!
//! The first line names tab-separated columns; every other line is one
//! call-tree node, its depth given by the spaces before the symbol name
//! (relative to the first node). Supported columns:
//!
//! * total weight: `Weight`, `Running Time` (time or CPU cycles) or
//!   `Bytes Used` (allocations), with units `ms`, `s`, `min`, `µs`, `ns`
//!   (time → milliseconds profile), `cycles`, `Kc`, `Mc`, `Gc` (cycles →
//!   unitless profile) or `Bytes`, `KB`, `MB`, `GB`, `TB` (powers of 1024 →
//!   bytes profile), followed by a percentage that is ignored;
//! * self weight: `Self (ms)`, `Self Weight` or `Self`, same units (`-`
//!   means zero). When present it gives each node's self weight exactly;
//!   when absent (allocations) the self weight is the node's total minus
//!   its children's totals (never below zero);
//! * `Symbol Name` / `Symbol Names` (the frame name) and `Source Path`
//!   (the frame's file), when present.
//!
//! One sampled profile results, named after the total column; each node with
//! self weight becomes one sample (children before their parent, as
//! speedscope lays the tree out). Rows that cannot be read, and rows nested
//! deeper than one level below the previous row (with their subtrees), are
//! skipped and reported as `invalid_line`.
//!
//! Instruments `.trace` bundles are not read by this module.

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, StackId, ValueUnit, NO_STACK,
};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Instruments.id();

const TOTAL_COLUMNS: &[&str] = &["Weight", "Running Time", "Bytes Used"];
const SELF_COLUMNS: &[&str] = &["Self Weight", "Self (ms)", "Self"];
const SYMBOL_COLUMNS: &[&str] = &["Symbol Name", "Symbol Names"];

/// What a weight measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Time,
    Cycles,
    Bytes,
}

impl Kind {
    fn unit(self) -> ValueUnit {
        match self {
            Kind::Time => ValueUnit::Milliseconds,
            Kind::Cycles => ValueUnit::None,
            Kind::Bytes => ValueUnit::Bytes,
        }
    }
}

/// Factor to the profile unit and kind of a unit suffix.
fn unit_factor(unit: &str) -> Option<(Kind, f64)> {
    Some(match unit {
        "ns" => (Kind::Time, 1e-6),
        "µs" | "us" => (Kind::Time, 1e-3),
        "ms" => (Kind::Time, 1.0),
        "s" => (Kind::Time, 1e3),
        "min" => (Kind::Time, 60e3),
        "cycles" | "c" => (Kind::Cycles, 1.0),
        "Kc" => (Kind::Cycles, 1e3),
        "Mc" => (Kind::Cycles, 1e6),
        "Gc" => (Kind::Cycles, 1e9),
        "Tc" => (Kind::Cycles, 1e12),
        "Bytes" | "bytes" | "B" => (Kind::Bytes, 1.0),
        "KB" | "KiB" => (Kind::Bytes, 1024.0),
        "MB" | "MiB" => (Kind::Bytes, 1024.0 * 1024.0),
        "GB" | "GiB" => (Kind::Bytes, 1024.0 * 1024.0 * 1024.0),
        "TB" | "TiB" => (Kind::Bytes, 1024.0 * 1024.0 * 1024.0 * 1024.0),
        _ => return None,
    })
}

/// Parse a weight cell such as `4273.0ms   99.9%`, `2.45 s  100.0%`,
/// ` 12.50 KB`, `532 cycles` or `693` (then `default` gives the unit).
/// `-` is zero. Returns the value in the profile unit (bytes rounded to
/// whole bytes), its kind, and its resolution: one unit of the last printed
/// digit, in the profile unit.
fn parse_weight(cell: &str, default: Option<(Kind, f64)>) -> Option<(f64, Option<Kind>, f64)> {
    let cell = cell.trim_matches(|c: char| c.is_whitespace());
    if cell == "-" {
        return Some((0.0, None, 0.0));
    }
    let num_len = cell.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.' || *b == b',').count();
    if num_len == 0 {
        return None;
    }
    let digits = cell[..num_len].replace(',', "");
    let number: f64 = digits.parse().ok()?;
    let decimals = digits.split_once('.').map_or(0, |(_, f)| f.len()).min(9) as i32;
    if !number.is_finite() {
        return None;
    }
    let rest = cell[num_len..].trim_start();
    // The unit is the word before any whitespace (the percentage follows).
    let unit = rest.split(|c: char| c.is_whitespace()).next().unwrap_or("");
    let (kind, factor) = if unit.is_empty() || unit.ends_with('%') {
        if unit.ends_with('%') {
            return None;
        }
        default?
    } else {
        unit_factor(unit)?
    };
    let value = if kind == Kind::Bytes { (number * factor).round() } else { number * factor };
    Some((value, Some(kind), 10f64.powi(-decimals) * factor))
}

/// The unit a self column's header implies, e.g. `Self (ms)`.
fn header_unit(header: &str) -> Option<(Kind, f64)> {
    let inner = header.split_once('(')?.1.split_once(')')?.0;
    unit_factor(inner.trim())
}

struct Columns {
    total: usize,
    total_name: String,
    self_col: Option<(usize, Option<(Kind, f64)>)>,
    symbol: usize,
    source: Option<usize>,
}

fn columns(header: &str) -> Option<Columns> {
    let cells: Vec<&str> = header.split('\t').map(str::trim).collect();
    let find = |names: &[&str]| cells.iter().position(|c| names.contains(c));
    let total = find(TOTAL_COLUMNS)?;
    let symbol = find(SYMBOL_COLUMNS)?;
    let self_col = cells.iter().position(|c| SELF_COLUMNS.contains(c) || c.starts_with("Self (")).map(|i| {
        let unit = header_unit(cells[i]);
        (i, unit)
    });
    let source = find(&["Source Path"]);
    Some(Columns { total, total_name: cells[total].to_owned(), self_col, symbol, source })
}

/// True when the first line is a deep-copy header: tab-separated, with a
/// symbol-name column and a known weight column.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let first = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    first.contains('\t') && columns(first).is_some()
}

/// One open node of the tree being read.
struct Open {
    stack: StackId,
    total: f64,
    children_total: f64,
    children: u32,
    /// Display resolution of `total` (see [`parse_weight`]).
    resolution: f64,
    /// Self weight from the self column, if the file has one.
    self_weight: Option<f64>,
}

/// Import an Instruments deep copy: one sampled profile.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let header = lines.next().unwrap_or("");
    let cols = columns(header).ok_or_else(|| {
        Error::invalid(FORMAT, "line 1", "no deep-copy header (Weight/Running Time/Bytes Used and Symbol Name columns)")
    })?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    // The profile's unit comes from the first row whose weight has one.
    let mut kind: Option<Kind> = text.split('\n').skip(1).find_map(|line| {
        let cells: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let total = cells.get(cols.total).and_then(|c| parse_weight(c, None)).and_then(|(_, k, _)| k);
        total.or_else(|| {
            let (i, unit) = cols.self_col?;
            cells.get(i).and_then(|c| parse_weight(c, unit)).and_then(|(_, k, _)| k)
        })
    });
    let mut base_indent: Option<usize> = None;
    let mut path: Vec<Open> = Vec::new();
    let mut skip_deeper: Option<usize> = None;
    let mut b = g.sampled(cols.total_name.clone(), kind.map_or(ValueUnit::None, Kind::unit));

    // Emit the self weight of the innermost open node and close it.
    fn close(path: &mut Vec<Open>, b: &mut flamekit_core::SampledBuilder) -> Result<()> {
        if let Some(done) = path.pop() {
            let w = match done.self_weight {
                Some(w) => w,
                None => {
                    // Each of the node's and its children's printed totals
                    // is rounded by up to half a unit: a difference within
                    // that is rounding noise, not self weight.
                    let d = done.total - done.children_total;
                    if d <= done.resolution * (done.children as f64 + 1.0) / 2.0 {
                        0.0
                    } else {
                        d
                    }
                }
            };
            if w > 0.0 {
                b.push_sample(done.stack, w)?;
            }
        }
        Ok(())
    }

    for (i, line) in lines.enumerate() {
        let lineno = i as u64 + 2;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let symbol_cell = cells.get(cols.symbol).copied().unwrap_or("");
        let name = symbol_cell.trim();
        let indent = symbol_cell.len() - symbol_cell.trim_start_matches(' ').len();
        let base = *base_indent.get_or_insert(indent);
        if let Some(d) = skip_deeper {
            if indent > d {
                g.report().skip("invalid_line", Location::Line(lineno), "row inside a skipped row");
                continue;
            }
            skip_deeper = None;
        }
        let depth = match indent.checked_sub(base) {
            Some(d) if d <= path.len() => d,
            _ => {
                g.report().skip(
                    "invalid_line",
                    Location::Line(lineno),
                    format!("row nested {indent} spaces deep has no parent row"),
                );
                skip_deeper = Some(indent);
                continue;
            }
        };
        let total = cells.get(cols.total).and_then(|c| parse_weight(c, None));
        let self_weight = match cols.self_col {
            Some((i, unit)) => cells.get(i).and_then(|c| parse_weight(c, unit)).map(|(w, k, _)| (Some(w), k)),
            None => Some((None, None)),
        };
        let (Some((total, total_kind, resolution)), Some((self_weight, self_kind)), false) =
            (total, self_weight, name.is_empty())
        else {
            g.report().skip("invalid_line", Location::Line(lineno), "row without a readable weight or symbol name");
            skip_deeper = Some(indent);
            continue;
        };
        let row_kind = total_kind.or(self_kind);
        match (kind, row_kind) {
            (None, Some(k)) => {
                kind = Some(k);
            }
            (Some(k), Some(r)) if k != r => {
                g.report().skip("invalid_line", Location::Line(lineno), format!("row weighs {r:?} in a {k:?} profile"));
                skip_deeper = Some(indent);
                continue;
            }
            _ => {}
        }
        while path.len() > depth {
            close(&mut path, &mut b)?;
        }
        let file = cols.source.and_then(|i| cells.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty());
        let frame: FrameId = g.frame(Frame::with_location(name, file.map(str::to_owned), None, None))?;
        let parent = path.last().map_or(NO_STACK, |o| o.stack);
        if let Some(p) = path.last_mut() {
            p.children_total += total;
            p.children += 1;
        }
        let stack = b.node(parent, frame)?;
        path.push(Open { stack, total, children_total: 0.0, children: 0, resolution, self_weight });
    }
    while !path.is_empty() {
        close(&mut path, &mut b)?;
    }
    let profile = b.finish();
    g.push_profile(profile)?;
    g.finish(0)
}
