use std::io::{self, Write};

use super::gzip;
use super::json::{write_number, write_str, Counter};
use crate::error::{Error, LimitKind, Result};
use crate::model::{EventKind, FrameId, ProfileData, ProfileGroup, StackId, StackTable, NO_STACK};

/// The `$schema` URL written into every export.
pub const SPEEDSCOPE_SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// Write `group` as speedscope file-format JSON. Deterministic: the same
/// group always gives the same bytes (fixed key order, fixed number format).
/// Unbounded: a sampled profile is written with each sample's whole stack,
/// so a profile of many deep samples (which its table holds in little
/// memory) can make far more text than its input was; see
/// [`speedscope_json_len`] and [`MAX_EXPORT_BYTES`].
pub fn write_speedscope_json<W: Write>(group: &ProfileGroup, out: W) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    write_group(group, &mut w, &mut Spelled { stack: Vec::new(), digits: itoa::Buffer::new() })?;
    w.flush()
}

/// The number of bytes [`write_speedscope_json`] writes for `group`,
/// found without writing the stacks: each stack node's text length is
/// counted once, from its parent's, so the count costs the stack nodes,
/// samples, events and frames, not the depth of every sample.
pub fn speedscope_json_len(group: &ProfileGroup) -> u64 {
    let mut count = Counter::unbounded();
    // Writing to an unbounded counter cannot fail.
    let _ = write_group(group, &mut count, &mut Counted { table: None, lens: Vec::new() });
    count.n
}

/// Most bytes of text the in-memory exports ([`to_speedscope_json`],
/// [`to_speedscope_gzip`]) make: 1 GiB, as much as
/// [`IngestLimits::max_inflated_bytes`](crate::IngestLimits::max_inflated_bytes)
/// accepts by default, so an export can be imported again. Past it they
/// fail with [`Error::LimitExceeded`] ([`LimitKind::ExportBytes`]) before
/// writing anything. [`write_speedscope_json`] is not bounded.
pub const MAX_EXPORT_BYTES: u64 = 1 << 30;

/// How a sample's stack is written: spelled out, or only counted.
trait SampleStacks<W: Write> {
    fn stack(&mut self, w: &mut W, stacks: &StackTable, s: StackId) -> io::Result<()>;
}

/// Frame indices written out, outermost first, comma-separated.
struct Spelled {
    stack: Vec<FrameId>,
    digits: itoa::Buffer,
}

impl<W: Write> SampleStacks<W> for Spelled {
    fn stack(&mut self, w: &mut W, stacks: &StackTable, s: StackId) -> io::Result<()> {
        stacks.stack_into(s, &mut self.stack);
        for (j, &f) in self.stack.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            w.write_all(self.digits.format(f).as_bytes())?;
        }
        Ok(())
    }
}

/// The text length of each node's stack, for the table they were counted
/// for (profiles of one pprof file share their table).
struct Counted {
    table: Option<*const StackTable>,
    lens: Vec<u64>,
}

impl SampleStacks<Counter> for Counted {
    fn stack(&mut self, w: &mut Counter, stacks: &StackTable, s: StackId) -> io::Result<()> {
        if self.table != Some(stacks as *const StackTable) {
            // Parents come before their children.
            self.lens.clear();
            for (parent, frame, _) in stacks.nodes() {
                let digits = u64::from(frame.checked_ilog10().unwrap_or(0) + 1);
                let len = match parent {
                    NO_STACK => digits,
                    p => self.lens[p as usize] + 1 + digits,
                };
                self.lens.push(len);
            }
            self.table = Some(stacks as *const StackTable);
        }
        w.add(self.lens[s as usize])
    }
}

/// The export's text, its sampled stacks written by `stacks`.
fn write_group<W: Write>(group: &ProfileGroup, w: &mut W, sample_stacks: &mut impl SampleStacks<W>) -> io::Result<()> {
    w.write_all(b"{\"$schema\":")?;
    write_str(w, SPEEDSCOPE_SCHEMA)?;
    w.write_all(b",\"exporter\":")?;
    write_str(w, concat!("flamekit@", env!("CARGO_PKG_VERSION")))?;
    w.write_all(b",\"name\":")?;
    write_str(w, group.name())?;
    write!(w, ",\"activeProfileIndex\":{}", group.active_profile_index())?;
    w.write_all(b",\"shared\":{\"frames\":[")?;
    for (i, f) in group.frames().iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"name\":")?;
        write_str(w, &f.name)?;
        if let Some(file) = &f.file {
            w.write_all(b",\"file\":")?;
            write_str(w, file)?;
        }
        if let Some(line) = f.line {
            write!(w, ",\"line\":{line}")?;
        }
        if let Some(col) = f.col {
            write!(w, ",\"col\":{col}")?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"]},\"profiles\":[")?;
    for (pi, p) in group.profiles().iter().enumerate() {
        if pi > 0 {
            w.write_all(b",")?;
        }
        let kind = if p.is_sampled() { "sampled" } else { "evented" };
        write!(w, "{{\"type\":\"{kind}\",\"name\":")?;
        write_str(w, p.name())?;
        write!(w, ",\"unit\":\"{}\",\"startValue\":", p.unit().as_str())?;
        write_number(w, p.start_value())?;
        w.write_all(b",\"endValue\":")?;
        write_number(w, p.end_value())?;
        match p.data() {
            ProfileData::Evented { events } => {
                w.write_all(b",\"events\":[")?;
                for (i, e) in events.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    let t = if e.kind == EventKind::Open { "O" } else { "C" };
                    write!(w, "{{\"type\":\"{t}\",\"frame\":{},\"at\":", e.frame)?;
                    write_number(w, e.at)?;
                    w.write_all(b"}")?;
                }
                w.write_all(b"]}")?;
            }
            ProfileData::Sampled { stacks, samples, weights } => {
                w.write_all(b",\"samples\":[")?;
                for (i, &s) in samples.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    w.write_all(b"[")?;
                    if s != NO_STACK {
                        sample_stacks.stack(w, stacks, s)?;
                    }
                    w.write_all(b"]")?;
                }
                w.write_all(b"],\"weights\":[")?;
                for (i, &x) in weights.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    write_number(w, x)?;
                }
                w.write_all(b"]}")?;
            }
        }
    }
    w.write_all(b"]}")?;
    Ok(())
}

/// The export's length ([`speedscope_json_len`]), or
/// [`Error::LimitExceeded`] ([`LimitKind::ExportBytes`]) past
/// [`MAX_EXPORT_BYTES`]: what the in-memory exports check first, for a
/// streamed export ([`write_speedscope_json`]) that should be bounded the
/// same way (the CLI's `convert`).
pub fn check_speedscope_export(group: &ProfileGroup) -> Result<u64> {
    let len = speedscope_json_len(group);
    if len > MAX_EXPORT_BYTES {
        return Err(Error::LimitExceeded { limit: LimitKind::ExportBytes, max: MAX_EXPORT_BYTES, value: len });
    }
    Ok(len)
}

/// `group` as speedscope JSON text; [`Error::LimitExceeded`] past
/// [`MAX_EXPORT_BYTES`], before anything is written.
///
/// ```
/// # use flamekit_core::*;
/// let mut g = GroupBuilder::new("example", &IngestLimits::default());
/// let main = g.frame(Frame::new("main"))?;
/// let mut p = g.sampled("cpu", ValueUnit::None);
/// p.push_stack(&[main], 1.0)?;
/// g.push_profile(p.finish())?;
/// let (group, _) = g.finish(0)?;
/// let json = to_speedscope_json(&group)?;
/// assert_eq!(json.len() as u64, speedscope_json_len(&group));
/// assert!(json.contains(r#""samples":[[0]]"#));
/// # Ok::<(), Error>(())
/// ```
pub fn to_speedscope_json(group: &ProfileGroup) -> Result<String> {
    let mut out = Vec::with_capacity(check_speedscope_export(group)? as usize);
    write_speedscope_json(group, &mut out).map_err(|e| Error::Internal { message: e.to_string() })?;
    String::from_utf8(out).map_err(|e| Error::Internal { message: e.to_string() })
}

/// `group` as gzip-compressed speedscope JSON (one gzip member, level 6),
/// for storage. Deterministic: the gzip header carries no timestamp or file
/// name, and the bytes do not depend on the cores. Text past 1 MiB is
/// deflated in 1 MiB blocks on every core, each block with the 32 KiB
/// before it as its dictionary (a little larger than one stream would be).
/// [`Error::LimitExceeded`] when the text would pass [`MAX_EXPORT_BYTES`],
/// before anything is deflated.
pub fn to_speedscope_gzip(group: &ProfileGroup) -> Result<Vec<u8>> {
    check_speedscope_export(group)?;
    gzip::gzip(6, crate::available_cores(), |w| write_speedscope_json(group, w))
        .map_err(|e| Error::Internal { message: e.to_string() })
}
