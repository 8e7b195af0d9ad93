use std::io::Write;

use super::json::{write_number, write_str};
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

/// The `flamekit dump` JSON of `group` as a string.
pub fn dump(group: &ProfileGroup) -> String {
    let mut v = Vec::new();
    let _ = dump_json(group, &mut v);
    String::from_utf8(v).unwrap_or_default()
}
