//! FreeBSD `pmcstat -G` call-graph text (hwpmc sampling).
//!
//! ```text
//! @ inst_retired.any [35705 samples]
//!
//! 20.86%  [7447]     zfs_lz4_compress @ /boot/kernel/zfs.ko
//!  100.0%  [7447]      zio_compress_data
//!   100.0%  [7447]       zio_write_compress
//! ```
//!
//! Each `@ event [N samples]` line starts one profile, named after the
//! event (unit: samples). Under it, each unindented entry is a function
//! where samples were taken (the innermost frame) with its sample count;
//! an entry indented one space more is a *caller* of the entry above it,
//! with the count of samples that went through that call path. So the
//! tree is inverted: a path from an unindented entry down to an entry is a
//! stack read innermost first.
//!
//! `@ image` after a name gives the executable image (kept as the frame's
//! file); it holds for the following lines until another `@ image` appears.
//! Mangled C++/Rust names are demangled.
//!
//! Weights: an entry whose count exceeds the sum of its callers' counts
//! keeps the difference as samples whose stack stops at that entry (the
//! caller chain was elided or ended there), so every profile's total is the
//! sum of its unindented counts. speedscope only emits the leaves of the
//! tree, which loses that difference; [`ImportOptions::pmcstat_samples`] =
//! [`PmcstatSamples::Leaves`] reproduces that reading.
//!
//! Blank lines and lines starting with `#` are ignored. Any other line
//! that is not an entry or an `@` header, and any entry indented more than
//! one step deeper than the entry above it (and the entries under it), is
//! skipped and reported as `invalid_line` with its line number.

use flamekit_core::{Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, StackId, ValueUnit};

use crate::demangle::demangle;
use crate::ImportOptions;

const FORMAT: &str = crate::Format::Pmcstat.id();

/// Which samples of a pmcstat call graph are kept
/// ([`ImportOptions::pmcstat_samples`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PmcstatSamples {
    /// Every sample: an entry whose count exceeds the sum of its callers'
    /// keeps the difference, with a stack that stops at that entry (pmcstat
    /// truncated or elided the caller chain), so a profile's total is the
    /// sum of its top-level counts.
    #[default]
    All,
    /// Only the paths printed down to a last caller, each weighing that
    /// caller's count: speedscope's reading, which loses the samples of
    /// truncated caller chains.
    Leaves,
}

/// One parsed entry line.
struct Entry<'a> {
    indent: usize,
    count: u64,
    name: &'a str,
    image: Option<&'a str>,
}

/// Parse `<spaces><pct>%  [<count>]  <name>[ @ <image>]`.
fn parse_entry(line: &str) -> Option<Entry<'_>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let pct_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if pct_len == 0 || rest.as_bytes().get(pct_len) != Some(&b'%') {
        return None;
    }
    let rest = rest[pct_len + 1..].trim_start();
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let count: u64 = rest[..close].parse().ok()?;
    let rest = rest[close + 1..].trim();
    if rest.is_empty() {
        return None;
    }
    let (name, image) = match rest.split_once(" @ ") {
        Some((n, i)) => (n.trim(), Some(i.trim())),
        None => (rest, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(Entry { indent, count, name, image })
}

/// Parse `@ <event> [<n> samples]`, returning the event name.
fn parse_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("@ ")?;
    let open = rest.rfind(" [")?;
    let tail = &rest[open + 2..];
    let inner = tail.strip_suffix(']')?;
    let (n, word) = inner.split_once(' ')?;
    if word.trim() != "samples" || n.parse::<u64>().is_err() {
        return None;
    }
    Some(rest[..open].trim())
}

/// True when the first meaningful line of `bytes` is a pmcstat `@ event [N
/// samples]` header or an unindented call-graph entry, and the next
/// meaningful lines are entries too.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else { return false };
    let entries_follow = |lines: &mut dyn Iterator<Item = &str>| {
        // At least one entry among the next few lines, and the first such line parses.
        lines.take(3).any(|l| parse_entry(l).is_some())
    };
    if parse_header(first).is_some() {
        return entries_follow(&mut lines.filter(|l| !l.starts_with('#')));
    }
    match parse_entry(first) {
        Some(e) if e.indent == 0 => entries_follow(&mut lines),
        _ => false,
    }
}

/// An open entry of the current inverted tree.
struct Open {
    indent: usize,
    count: u64,
    callers: u64,
    /// True once a caller entry was read under this entry.
    has_callers: bool,
    frame: FrameId,
}

/// Collects one profile: the open path (innermost first) and its samples.
struct Section {
    mode: PmcstatSamples,
    b: flamekit_core::SampledBuilder,
    path: Vec<Open>,
    stack: Vec<FrameId>,
}

impl Section {
    /// Close entries down to `depth` open entries, emitting their remainders.
    fn close_to(&mut self, depth: usize) -> Result<()> {
        while self.path.len() > depth {
            let remainder = {
                let top = self.path.last().expect("len > depth >= 0");
                match self.mode {
                    PmcstatSamples::All => top.count.saturating_sub(top.callers),
                    PmcstatSamples::Leaves if top.has_callers => 0,
                    PmcstatSamples::Leaves => top.count,
                }
            };
            if remainder > 0 {
                // The stack, outermost first, is the open path reversed.
                self.stack.clear();
                self.stack.extend(self.path.iter().rev().map(|o| o.frame));
                let id: StackId = self.b.stack_id(&self.stack)?;
                self.b.push_sample(id, remainder as f64)?;
            }
            self.path.pop();
        }
        Ok(())
    }
}

/// Import `pmcstat -G` output: one sampled profile per `@` event section.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text = String::from_utf8_lossy(bytes);
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut section: Option<Section> = None;
    let mut image: Option<String> = None;
    // While skipping an orphan, entries deeper than this are skipped too.
    let mut skip_deeper: Option<usize> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let lineno = i as u64 + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(event) = parse_header(line) {
            if let Some(mut s) = section.take() {
                s.close_to(0)?;
                g.push_profile(s.b.finish())?;
            }
            section = Some(Section {
                mode: opts.pmcstat_samples,
                b: g.sampled(event, ValueUnit::None),
                path: Vec::new(),
                stack: Vec::new(),
            });
            image = None;
            skip_deeper = None;
            continue;
        }
        let Some(entry) = parse_entry(line) else {
            g.report().skip("invalid_line", Location::Line(lineno), "not a pmcstat call-graph line");
            continue;
        };
        if let Some(d) = skip_deeper {
            if entry.indent > d {
                g.report().skip("invalid_line", Location::Line(lineno), "caller of a skipped entry");
                continue;
            }
            skip_deeper = None;
        }
        if let Some(img) = entry.image {
            // Cut once here, not copied whole into each following frame.
            let mut img = img.to_owned();
            g.limits().cut_name(&mut img);
            image = Some(img);
        }
        let s = section.get_or_insert_with(|| Section {
            mode: opts.pmcstat_samples,
            b: g.sampled("samples", ValueUnit::None),
            path: Vec::new(),
            stack: Vec::new(),
        });
        // The entry's parent is the open entry with indent one less.
        let depth = s.path.iter().take_while(|o| o.indent < entry.indent).count();
        let parent_ok = match depth.checked_sub(1).and_then(|d| s.path.get(d)) {
            None => entry.indent == 0,
            Some(parent) => parent.indent + 1 == entry.indent,
        };
        if !parent_ok {
            s.close_to(depth)?;
            g.report().skip(
                "invalid_line",
                Location::Line(lineno),
                format!("entry indented {} has no caller entry one step above it", entry.indent),
            );
            skip_deeper = Some(entry.indent);
            continue;
        }
        s.close_to(depth)?;
        if let Some(parent) = s.path.last_mut() {
            parent.callers = parent.callers.saturating_add(entry.count);
            parent.has_callers = true;
        }
        let frame = g.frame(Frame::with_location(demangle(entry.name), image.clone(), None, None))?;
        s.path.push(Open { indent: entry.indent, count: entry.count, callers: 0, has_callers: false, frame });
    }
    if let Some(mut s) = section.take() {
        s.close_to(0)?;
        g.push_profile(s.b.finish())?;
    }
    g.finish(0)
}
