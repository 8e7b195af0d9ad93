use std::io::{self, Write};

use super::gzip;
use super::json::{write_number, write_str};
use crate::model::{EventKind, ProfileData, ProfileGroup, NO_STACK};

/// The `$schema` URL written into every export.
pub const SPEEDSCOPE_SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// Write `group` as speedscope file-format JSON. Deterministic: the same
/// group always gives the same bytes (fixed key order, fixed number format).
pub fn write_speedscope_json<W: Write>(group: &ProfileGroup, out: W) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    w.write_all(b"{\"$schema\":")?;
    write_str(&mut w, SPEEDSCOPE_SCHEMA)?;
    w.write_all(b",\"exporter\":")?;
    write_str(&mut w, concat!("flamekit@", env!("CARGO_PKG_VERSION")))?;
    w.write_all(b",\"name\":")?;
    write_str(&mut w, group.name())?;
    write!(w, ",\"activeProfileIndex\":{}", group.active_profile_index())?;
    w.write_all(b",\"shared\":{\"frames\":[")?;
    for (i, f) in group.frames().iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"name\":")?;
        write_str(&mut w, &f.name)?;
        if let Some(file) = &f.file {
            w.write_all(b",\"file\":")?;
            write_str(&mut w, file)?;
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
    let mut stack = Vec::new();
    let mut digits = itoa::Buffer::new();
    for (pi, p) in group.profiles().iter().enumerate() {
        if pi > 0 {
            w.write_all(b",")?;
        }
        let kind = if p.is_sampled() { "sampled" } else { "evented" };
        write!(w, "{{\"type\":\"{kind}\",\"name\":")?;
        write_str(&mut w, p.name())?;
        write!(w, ",\"unit\":\"{}\",\"startValue\":", p.unit().as_str())?;
        write_number(&mut w, p.start_value())?;
        w.write_all(b",\"endValue\":")?;
        write_number(&mut w, p.end_value())?;
        match p.data() {
            ProfileData::Evented { events } => {
                w.write_all(b",\"events\":[")?;
                for (i, e) in events.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    let t = if e.kind == EventKind::Open { "O" } else { "C" };
                    write!(w, "{{\"type\":\"{t}\",\"frame\":{},\"at\":", e.frame)?;
                    write_number(&mut w, e.at)?;
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
                        stacks.stack_into(s, &mut stack);
                        for (j, &f) in stack.iter().enumerate() {
                            if j > 0 {
                                w.write_all(b",")?;
                            }
                            w.write_all(digits.format(f).as_bytes())?;
                        }
                    }
                    w.write_all(b"]")?;
                }
                w.write_all(b"],\"weights\":[")?;
                for (i, &x) in weights.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    write_number(&mut w, x)?;
                }
                w.write_all(b"]}")?;
            }
        }
    }
    w.write_all(b"]}")?;
    w.flush()
}

/// `group` as speedscope JSON text.
pub fn to_speedscope_json(group: &ProfileGroup) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_speedscope_json(group, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// `group` as gzip-compressed speedscope JSON (one gzip member, level 6),
/// for storage. Deterministic: the gzip header carries no timestamp or file
/// name, and the bytes do not depend on the cores. Text past 1 MiB is
/// deflated in 1 MiB blocks on every core, each block with the 32 KiB
/// before it as its dictionary (a little larger than one stream would be).
pub fn to_speedscope_gzip(group: &ProfileGroup) -> Vec<u8> {
    // Writing to memory and deflating cannot fail.
    gzip::gzip(6, crate::available_cores(), |w| write_speedscope_json(group, w)).unwrap_or_default()
}
