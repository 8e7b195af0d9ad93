use std::io::Write;

use super::json::{write_number, write_str};
use crate::error::{Error, LimitKind, Result};
use crate::model::{FrameId, Profile, ProfileGroup, WalkEvent};

/// The `stacks` of one profile, as speedscope's test suite dumps a profile:
/// walk the calls in time order; each time the open stack changes after
/// weight has passed, emit the previous open stack joined by `;`, a space,
/// and the weight elapsed since the last emission. Idle time (an empty
/// stack) is not emitted.
pub fn dump_stacks(group: &ProfileGroup, profile: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    let _ = each_stack(group, profile, |line| {
        out.push(line.to_owned());
        Ok(())
    });
    out
}

/// [`dump_stacks`] line by line, each handed to `f` as it is made (a
/// profile of millions of deep stacks is not held in memory at once); the
/// first error from `f` stops the walk and is returned.
fn each_stack(
    group: &ProfileGroup,
    profile: &Profile,
    mut f: impl FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut stack: Vec<FrameId> = Vec::new();
    let mut last = profile.start_value();
    let mut line = String::new();
    let mut result = Ok(());
    profile.walk(&mut |ev: WalkEvent| {
        if result.is_err() {
            return;
        }
        if ev.at != last {
            if !stack.is_empty() {
                line.clear();
                for (i, &fr) in stack.iter().enumerate() {
                    if i > 0 {
                        line.push(';');
                    }
                    line.push_str(&group.frame(fr).name);
                }
                line.push(' ');
                let mut num = Vec::new();
                let _ = write_number(&mut num, ev.at - last);
                line.push_str(std::str::from_utf8(&num).unwrap_or("0"));
                result = f(&line);
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

/// Write the `flamekit dump` JSON of `group`:
/// `{"name","profiles":[{"name","unit","frames":[{"name","file","line","col","selfWeight","totalWeight"}],"stacks":["a;b;c 120",...]}]}`.
/// Frames are those occurring in the profile, in frame-index order.
pub fn dump_json<W: Write>(group: &ProfileGroup, mut w: W) -> std::io::Result<()> {
    w.write_all(b"{\"name\":")?;
    write_str(&mut w, group.name())?;
    w.write_all(b",\"profiles\":[")?;
    for (pi, p) in group.profiles().iter().enumerate() {
        if pi > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"\n  {\"name\":")?;
        write_str(&mut w, p.name())?;
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
            write_str(&mut w, &f.name)?;
            w.write_all(b",\"file\":")?;
            match &f.file {
                Some(s) => write_str(&mut w, s)?,
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
            write_number(&mut w, fw.self_weight[i])?;
            w.write_all(b",\"totalWeight\":")?;
            write_number(&mut w, fw.total_weight[i])?;
            w.write_all(b"}")?;
        }
        w.write_all(b"],\"stacks\":[")?;
        let mut first = true;
        each_stack(group, p, |s| {
            if !std::mem::take(&mut first) {
                w.write_all(b",")?;
            }
            w.write_all(b"\n    ")?;
            write_str(&mut w, s)
        })?;
        w.write_all(b"]}")?;
    }
    w.write_all(b"\n]}\n")?;
    Ok(())
}

/// The `flamekit dump` JSON of `group` as a string, at most
/// [`MAX_EXPORT_BYTES`](crate::MAX_EXPORT_BYTES) long: past it,
/// [`Error::LimitExceeded`] ([`LimitKind::ExportBytes`]). The dump spells
/// out every stack by its frames' names, so a profile of many deep samples
/// or long names can make far more text than its input was; the text made
/// before the bound is dropped (and so is the time: each line costs at
/// least what it adds). [`dump_json`] streams and is not bounded.
pub fn dump(group: &ProfileGroup) -> Result<String> {
    dump_within(group, crate::MAX_EXPORT_BYTES)
}

/// [`dump`] with the bound `max`.
fn dump_within(group: &ProfileGroup, max: u64) -> Result<String> {
    let mut out = Bounded { v: Vec::new(), max: usize::try_from(max).unwrap_or(usize::MAX), over: false };
    match dump_json(group, &mut out) {
        Ok(()) => String::from_utf8(out.v).map_err(|e| Error::Internal { message: e.to_string() }),
        Err(_) if out.over => {
            Err(Error::LimitExceeded { limit: LimitKind::ExportBytes, max, value: max.saturating_add(1) })
        }
        Err(e) => Err(Error::Internal { message: e.to_string() }),
    }
}

/// A `Vec` that refuses to grow past `max` bytes.
struct Bounded {
    v: Vec<u8>,
    max: usize,
    over: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.v.len().saturating_add(buf.len()) > self.max {
            self.over = true;
            return Err(std::io::Error::other("past the bound"));
        }
        self.v.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Frame, GroupBuilder, IngestLimits, ValueUnit};

    /// The dump is refused one byte short of its length, and whole at it.
    #[test]
    fn the_dump_is_bounded() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let (a, b) = (g.frame(Frame::new("a")).unwrap(), g.frame(Frame::new("b")).unwrap());
        let mut p = g.sampled("p", ValueUnit::None);
        for k in 0..100 {
            let stack = if k % 2 == 0 { [a, b] } else { [b, a] };
            p.push_stack(&stack, 1.0).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        let (group, _) = g.finish(0).unwrap();
        let mut whole = Vec::new();
        dump_json(&group, &mut whole).unwrap();
        let len = whole.len() as u64;
        assert!(len > 100 * 4, "{len}");
        assert_eq!(dump_within(&group, len).unwrap().as_bytes(), &whole[..]);
        assert_eq!(
            dump_within(&group, len - 1).unwrap_err(),
            Error::LimitExceeded { limit: LimitKind::ExportBytes, max: len - 1, value: len }
        );
        assert_eq!(dump(&group).unwrap().as_bytes(), &whole[..]);
    }
}
