//! Sample lists: a trace's `samples` array with its `stackFrames`.

use hashbrown::HashMap;

use flamekit_core::{Error, FrameId, GroupBuilder, Location, Result, StackId, ValueUnit, NO_STACK};

use super::events::{tk, Collector, SampleJson, StackFrameJson, Tk};
use super::matcher::cmp_ts;
use super::{skip_many, FORMAT};
use crate::json::{fmt_num, JStr};

pub(super) fn import_samples(
    g: &mut GroupBuilder,
    col: &Collector<'_>,
    samples: &[SampleJson<'_>],
    frames: &[(JStr<'_>, StackFrameJson<'_>)],
) -> Result<()> {
    // Stack frames: id → index, parent index, frame.
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(frames.len());
    for (i, (k, _)) in frames.iter().enumerate() {
        index.insert(k.0.as_ref(), i as u32);
    }
    let mut parent = vec![u32::MAX; frames.len()];
    for (i, (k, f)) in frames.iter().enumerate() {
        if let Some(p) = &f.parent {
            let pk = p.to_key();
            parent[i] = *index.get(pk.as_ref()).ok_or_else(|| {
                Error::invalid(FORMAT, format!("stackFrames[{}].parent", k.0), format!("unknown stack frame id {pk}"))
            })?;
        }
    }
    let mut frame_ids = vec![FrameId::MAX; frames.len()];
    // Samples per thread, in file order.
    let mut threads: Vec<(f64, f64, Vec<usize>)> = Vec::new();
    let mut by_thread: HashMap<Tk, usize> = HashMap::new();
    let mut missing_ts = 0u64;
    for (i, s) in samples.iter().enumerate() {
        if s.ts.is_none() {
            missing_ts += 1;
            continue;
        }
        let (pid, tid) = (s.pid.map_or(0.0, |n| n.0), s.tid.map_or(0.0, |n| n.0));
        let ti = *by_thread.entry(tk(pid, tid)).or_insert_with(|| {
            threads.push((pid, tid, Vec::new()));
            threads.len() - 1
        });
        threads[ti].2.push(i);
    }
    if missing_ts > 0 {
        skip_many(g, "missing_timestamp", missing_ts, "sample(s) without `ts` were skipped");
    }
    threads.sort_by(|a, b| cmp_ts(a.0, b.0).then(cmp_ts(a.1, b.1)));
    let ts_of = |i: usize| samples[i].ts.map_or(0.0, |n| n.0);
    let mut chain: Vec<u32> = Vec::new();
    for (pid, tid, mut list) in threads {
        if list.windows(2).any(|w| ts_of(w[1]) < ts_of(w[0])) {
            list.sort_by(|&a, &b| cmp_ts(ts_of(a), ts_of(b)));
            g.report().warn(
                "samples_reordered",
                Location::Path(format!("pid {}, tid {}", fmt_num(pid), fmt_num(tid))),
                "samples were not in time order: sorted them",
            );
        }
        let mut b = g.sampled(col.profile_name(pid, tid), ValueUnit::Microseconds);
        if let Some(&first) = list.first() {
            b.set_start(ts_of(first));
        }
        let mut stack_of: HashMap<u32, StackId> = HashMap::new();
        for (k, &si) in list.iter().enumerate() {
            let weight = list.get(k + 1).map_or(0.0, |&n| ts_of(n) - ts_of(si));
            let stack = match &samples[si].sf {
                None => NO_STACK,
                Some(sf) => {
                    let key = sf.to_key();
                    let leaf = *index.get(key.as_ref()).ok_or_else(|| {
                        Error::invalid(FORMAT, format!("samples[{si}].sf"), format!("unknown stack frame id {key}"))
                    })?;
                    // Walk up to a cached stack (or the root), then build down.
                    chain.clear();
                    let mut cur = leaf;
                    let mut base = NO_STACK;
                    while cur != u32::MAX {
                        if let Some(&s) = stack_of.get(&cur) {
                            base = s;
                            break;
                        }
                        chain.push(cur);
                        if chain.len() > frames.len() {
                            return Err(Error::invalid(
                                FORMAT,
                                format!("stackFrames[{key}]"),
                                "the stack frames' parents form a cycle",
                            ));
                        }
                        cur = parent[cur as usize];
                    }
                    for &e in chain.iter().rev() {
                        let f = match frame_ids[e as usize] {
                            FrameId::MAX => {
                                let name = frames[e as usize].1.name.as_ref().map(|s| s.0.as_ref());
                                let f = g.frame_named(super::events::or_unnamed(name))?;
                                frame_ids[e as usize] = f;
                                f
                            }
                            f => f,
                        };
                        base = b.node(base, f)?;
                        stack_of.insert(e, base);
                    }
                    base
                }
            };
            b.push_sample(stack, weight)?;
        }
        g.push_profile(b.finish())?;
    }
    Ok(())
}
