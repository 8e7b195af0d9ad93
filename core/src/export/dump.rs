use std::io::{self, Write};

use super::json::{write_number, write_str, Counter};
use crate::error::{Error, LimitKind, Result};
use crate::model::{FrameId, Profile, ProfileGroup, WalkEvent};
use crate::MAX_EXPORT_BYTES;

/// The `stacks` of one profile, as speedscope's test suite dumps a profile:
/// walk the calls in time order; each time the open stack changes after
/// weight has passed, emit the previous open stack joined by `;`, a space,
/// and the weight elapsed since the last emission. Idle time (an empty
/// stack) is not emitted.
pub fn dump_stacks(group: &ProfileGroup, profile: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let _ = each_stack(profile, |stack, weight| {
        spell(group, stack, weight, &mut line);
        out.push(line.clone());
        Ok(())
    });
    out
}

/// `stack`'s line of [`dump_stacks`] into `line`.
fn spell(group: &ProfileGroup, stack: &[FrameId], weight: f64, line: &mut String) {
    line.clear();
    for (i, &fr) in stack.iter().enumerate() {
        if i > 0 {
            line.push(';');
        }
        line.push_str(&group.frame(fr).name);
    }
    line.push(' ');
    let mut num = Vec::new();
    let _ = write_number(&mut num, weight);
    line.push_str(std::str::from_utf8(&num).unwrap_or("0"));
}

/// The stacks of [`dump_stacks`] one by one, each handed to `f` with its
/// weight as it is found (a profile of millions of deep stacks is not held
/// in memory at once); the first error from `f` stops the walk and is
/// returned.
fn each_stack(profile: &Profile, mut f: impl FnMut(&[FrameId], f64) -> io::Result<()>) -> io::Result<()> {
    let mut stack: Vec<FrameId> = Vec::new();
    let mut last = profile.start_value();
    let mut result = Ok(());
    profile.walk(&mut |ev: WalkEvent| {
        if result.is_err() {
            return;
        }
        if ev.at != last {
            if !stack.is_empty() {
                result = f(&stack, ev.at - last);
            }
            last = ev.at;
        }
        if ev.open {
            stack.push(ev.frame);
        } else {
            stack.pop();
        }
    });
    result
}

/// How a stack's line is written: spelled out, or only counted.
trait StackLines<W: Write> {
    fn line(&mut self, w: &mut W, group: &ProfileGroup, stack: &[FrameId], weight: f64) -> io::Result<()>;
}

/// Lines spelled out as JSON strings.
struct Spelled {
    line: String,
}

impl<W: Write> StackLines<W> for Spelled {
    fn line(&mut self, w: &mut W, group: &ProfileGroup, stack: &[FrameId], weight: f64) -> io::Result<()> {
        spell(group, stack, weight, &mut self.line);
        write_str(w, &self.line)
    }
}

/// Lines counted from their frames' escaped name lengths, each counted
/// once: a line costs its depth, not its text. Names, `;` and the weight
/// are one JSON string, and no separator needs escaping, so a line's
/// length is the sum of its parts'.
struct Counted {
    /// Each frame's escaped name length (quotes not included), once seen.
    names: Vec<Option<u64>>,
}

impl StackLines<Counter> for Counted {
    fn line(&mut self, w: &mut Counter, group: &ProfileGroup, stack: &[FrameId], weight: f64) -> io::Result<()> {
        let mut len = 2 + stack.len() as u64; // quotes, the `;`s and the space
        for &fr in stack {
            let known = &mut self.names[fr as usize];
            len += *known.get_or_insert_with(|| {
                let mut c = Counter::unbounded();
                let _ = write_str(&mut c, &group.frame(fr).name);
                c.n - 2
            });
        }
        w.add(len)?;
        write_number(w, weight)
    }
}

/// Write the `flamekit dump` JSON of `group`:
/// `{"name","profiles":[{"name","unit","frames":[{"name","file","line","col","selfWeight","totalWeight"}],"stacks":["a;b;c 120",...]}]}`.
/// Frames are those occurring in the profile, in frame-index order.
/// Streamed and not bounded: the dump spells out every stack by its
/// frames' names, so a profile of many deep samples or long names can make
/// far more text than its input was; [`check_dump`] bounds it first.
pub fn dump_json<W: Write>(group: &ProfileGroup, mut w: W) -> io::Result<()> {
    write_dump(group, &mut w, &mut Spelled { line: String::new() })
}

/// The length of [`dump_json`]'s text, or [`Error::LimitExceeded`]
/// ([`LimitKind::ExportBytes`]) past [`MAX_EXPORT_BYTES`], found without
/// spelling the stacks: each line costs its depth, each frame's name is
/// measured once, and the count stops at the bound. What the bounded
/// [`dump`] checks, for a streamed dump that should be bounded the same
/// way (the CLI's `dump`).
pub fn check_dump(group: &ProfileGroup) -> Result<u64> {
    dump_len_within(group, MAX_EXPORT_BYTES)
}

/// [`check_dump`] with the bound `max`.
fn dump_len_within(group: &ProfileGroup, max: u64) -> Result<u64> {
    let mut count = Counter::within(max);
    match write_dump(group, &mut count, &mut Counted { names: vec![None; group.frames().len()] }) {
        Ok(()) => Ok(count.n),
        Err(_) => Err(Error::LimitExceeded { limit: LimitKind::ExportBytes, max, value: count.n }),
    }
}

/// The dump's text, its stacks' lines written by `lines`.
fn write_dump<W: Write>(group: &ProfileGroup, w: &mut W, lines: &mut impl StackLines<W>) -> io::Result<()> {
    w.write_all(b"{\"name\":")?;
    write_str(w, group.name())?;
    w.write_all(b",\"profiles\":[")?;
    for (pi, p) in group.profiles().iter().enumerate() {
        if pi > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"\n  {\"name\":")?;
        write_str(w, p.name())?;
        write!(w, ",\"unit\":\"{}\",\"frames\":[", p.unit())?;
        let fw = p.frame_weights(group.frames().len());
        let mut first = true;
        for (i, f) in group.frames().iter().enumerate() {
            if !fw.present[i] {
                continue;
            }
            if !first {
                w.write_all(b",")?;
            }
            first = false;
            w.write_all(b"\n    {\"name\":")?;
            write_str(w, &f.name)?;
            w.write_all(b",\"file\":")?;
            match &f.file {
                Some(s) => write_str(w, s)?,
                None => w.write_all(b"null")?,
            }
            match f.line {
                Some(l) => write!(w, ",\"line\":{l}")?,
                None => w.write_all(b",\"line\":null")?,
            }
            match f.col {
                Some(c) => write!(w, ",\"col\":{c}")?,
                None => w.write_all(b",\"col\":null")?,
            }
            w.write_all(b",\"selfWeight\":")?;
            write_number(w, fw.self_weight[i])?;
            w.write_all(b",\"totalWeight\":")?;
            write_number(w, fw.total_weight[i])?;
            w.write_all(b"}")?;
        }
        w.write_all(b"],\"stacks\":[")?;
        let mut first = true;
        each_stack(p, |stack, weight| {
            if !std::mem::take(&mut first) {
                w.write_all(b",")?;
            }
            w.write_all(b"\n    ")?;
            lines.line(w, group, stack, weight)
        })?;
        w.write_all(b"]}")?;
    }
    w.write_all(b"\n]}\n")?;
    Ok(())
}

/// The `flamekit dump` JSON of `group` as a string, at most
/// [`MAX_EXPORT_BYTES`] long: past it, [`Error::LimitExceeded`]
/// ([`LimitKind::ExportBytes`]) before anything is written
/// ([`check_dump`]).
pub fn dump(group: &ProfileGroup) -> Result<String> {
    dump_within(group, MAX_EXPORT_BYTES)
}

/// [`dump`] with the bound `max`.
fn dump_within(group: &ProfileGroup, max: u64) -> Result<String> {
    let len = dump_len_within(group, max)?;
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    dump_json(group, &mut out).map_err(|e| Error::Internal { message: e.to_string() })?;
    String::from_utf8(out).map_err(|e| Error::Internal { message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Frame, GroupBuilder, IngestLimits, ValueUnit};

    /// The dump is refused one byte short of its length, and whole at it.
    #[test]
    fn the_dump_is_bounded() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let (a, b) = (g.frame(Frame::new("a")).unwrap(), g.frame(Frame::new("b\"\u{1}\u{e9}")).unwrap());
        let mut p = g.sampled("p", ValueUnit::None);
        for k in 0..100 {
            let stack = if k % 2 == 0 { [a, b] } else { [b, a] };
            p.push_stack(&stack, 1.5).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        let (group, _) = g.finish(0).unwrap();
        let mut whole = Vec::new();
        dump_json(&group, &mut whole).unwrap();
        let len = whole.len() as u64;
        assert!(len > 100 * 4, "{len}");
        assert_eq!(check_dump(&group).unwrap(), len);
        assert_eq!(dump_within(&group, len).unwrap().as_bytes(), &whole[..]);
        assert_eq!(
            dump_within(&group, len - 1).unwrap_err(),
            Error::LimitExceeded { limit: LimitKind::ExportBytes, max: len - 1, value: len }
        );
        // Stopped at the first line past the bound, with what it reached.
        let Error::LimitExceeded { value, .. } = dump_within(&group, len / 2).unwrap_err() else { panic!() };
        assert!(value > len / 2 && value < len / 2 + 20, "{value}");
        assert_eq!(dump(&group).unwrap().as_bytes(), &whole[..]);
    }

    /// 200 lines of 200 frames of a 64 KiB name: 2.6 GB of dump from one
    /// name, counted (not spelled) to the bound, and refused.
    #[test]
    fn a_dump_of_long_names_is_refused_before_it_is_spelled() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let long = g.frame(Frame::new("x".repeat(64 << 10))).unwrap();
        let short = g.frame(Frame::new("s")).unwrap();
        let mut p = g.sampled("p", ValueUnit::None);
        for _ in 0..200 {
            p.push_stack(&[long; 200], 1.0).unwrap();
            p.push_stack(&[short], 1.0).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        let (group, _) = g.finish(0).unwrap();
        let line = 200 * ((64 << 10) + 1) as u64;
        let Error::LimitExceeded { limit, max, value } = check_dump(&group).unwrap_err() else { panic!() };
        assert_eq!((limit, max), (LimitKind::ExportBytes, MAX_EXPORT_BYTES));
        assert!(value > MAX_EXPORT_BYTES && value < MAX_EXPORT_BYTES + line + 100, "{value}");
        assert_eq!(dump(&group).unwrap_err(), Error::LimitExceeded { limit, max, value });
    }
}
