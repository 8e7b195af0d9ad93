//! Duration events (`B`/`E` pairs and complete `X` events): one evented
//! profile per thread.

use std::borrow::Cow;
use std::cmp::Ordering;

use hashbrown::HashMap;

use flamekit_core::{Frame, FrameId, GroupBuilder, Location, Profile, Result, ValueUnit};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::events::{Collector, Ev, Thread};
use super::matcher::{cmp_ts, sort_by_ts, Item, Matcher, Step};
use crate::json::{fmt_num, JStr, Num};

/// JSON truthiness of `args`, as speedscope tests `if (event.args)`.
pub(super) fn truthy(raw: &RawValue) -> bool {
    let s = raw.get().trim();
    !(s == "null" || s == "false" || s == "\"\"" || s.parse::<f64>().is_ok_and(|x| x == 0.0))
}

/// `raw` without whitespace outside strings (borrowed when it has none).
pub(super) fn compact(raw: &str) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let mut in_str = false;
    let mut esc = false;
    let needs = b.iter().any(|&c| {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            false
        } else if c == b'"' {
            in_str = true;
            false
        } else {
            matches!(c, b' ' | b'\t' | b'\n' | b'\r')
        }
    });
    if !needs {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let (mut in_str, mut esc) = (false, false);
    for ch in raw.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if ch == '\\' {
                esc = true;
            } else if ch == '"' {
                in_str = false;
            }
            out.push(ch);
        } else if ch == '"' {
            in_str = true;
            out.push(ch);
        } else if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[derive(Deserialize)]
pub(super) struct HermesArgs<'a> {
    #[serde(borrow, default)]
    pub(super) url: Option<JStr<'a>>,
    #[serde(default)]
    pub(super) line: Option<Num>,
    #[serde(default)]
    pub(super) column: Option<Num>,
}

pub(super) type HermesKey<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>, Option<u64>, Option<u64>);

/// Interned keys shared by all threads.
#[derive(Default)]
pub(super) struct Keys<'a> {
    /// Display names (`(unnamed)` for a missing or empty name): the one
    /// string hashed per event.
    pub(super) dnames: HashMap<Cow<'a, str>, u32>,
    /// Event ids: (display name id, compacted args).
    pub(super) eids: HashMap<(u32, Option<Cow<'a, str>>), u32>,
    pub(super) hermes: HashMap<HermesKey<'a>, u32>,
    /// Frame of each frame key, once opened.
    pub(super) frames: Vec<FrameId>,
}

pub(super) fn intern<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K) -> u32 {
    let n = map.len() as u32;
    *map.entry(key).or_insert(n)
}

pub(super) fn display_name<'a>(name: &Option<Cow<'a, str>>) -> Cow<'a, str> {
    match name {
        Some(n) if !n.is_empty() => n.clone(),
        _ => Cow::Borrowed("(unnamed)"),
    }
}

pub(super) fn to_u32(v: Option<Num>) -> Option<u32> {
    v.map(|n| n.0).filter(|x| x.is_finite() && *x >= 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

/// The frame an event opens.
pub(super) fn frame_for(ev: &Ev<'_>, hermes: bool) -> Frame {
    let name = display_name(&ev.name);
    if hermes {
        let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
        let (url, line, col) = match a {
            Some(a) => (a.url.map(|s| s.0.into_owned()), to_u32(a.line), to_u32(a.column)),
            None => (None, None, None),
        };
        return Frame::with_location(name, url, line, col);
    }
    match ev.args.filter(|r| truthy(r)) {
        Some(r) => Frame::new(format!("{name} {}", compact(r.get()))),
        None => Frame::new(name),
    }
}

pub(super) fn import_events(g: &mut GroupBuilder, col: &Collector<'_>, hermes: bool) -> Result<()> {
    let mut order: Vec<&Thread> = col.threads.iter().collect();
    order.sort_by(|a, b| cmp_ts(a.pid, b.pid).then(cmp_ts(a.tid, b.tid)));
    let mut keys = Keys::default();
    for th in order {
        let name = col.profile_name(th.pid, th.tid);
        let profile = thread_profile(g, th, name, hermes, &mut keys)?;
        g.push_profile(profile)?;
    }
    Ok(())
}

pub(super) fn thread_profile<'a>(
    g: &mut GroupBuilder,
    th: &Thread<'a>,
    name: String,
    hermes: bool,
    keys: &mut Keys<'a>,
) -> Result<Profile> {
    let n = th.events.len();
    let mut begins: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut ends: Vec<Item> = Vec::with_capacity(n / 2 + 1);
    let mut xs: Vec<(Item, f64)> = Vec::new();
    let mut min_ts = f64::INFINITY;
    // Names of the B events not yet ended (in file order) with their display
    // name ids: an E usually ends the innermost one, and then its id is known
    // without hashing the name again.
    let mut open_names: Vec<(Option<&str>, u32)> = Vec::new();
    for (i, ev) in th.events.iter().enumerate() {
        min_ts = min_ts.min(ev.ts);
        let args = ev.args.filter(|r| truthy(r)).map(|r| compact(r.get()));
        let raw = ev.name.as_deref();
        let dn = match open_names.last() {
            Some(&(top, dn)) if ev.ph == b'E' && top == raw => {
                open_names.pop();
                dn
            }
            _ => {
                let dn = intern(&mut keys.dnames, display_name(&ev.name));
                if ev.ph == b'B' {
                    open_names.push((raw, dn));
                }
                dn
            }
        };
        let eid = intern(&mut keys.eids, (dn, args));
        // Raw-name id: equal exactly when the raw names (`Option`) are.
        let nid = match &ev.name {
            None => u32::MAX,
            Some(n) if n.is_empty() => u32::MAX - 1,
            Some(_) => dn,
        };
        let fkey = if hermes {
            let a = ev.args.and_then(|r| serde_json::from_str::<HermesArgs>(r.get()).ok());
            let (url, line, column) = match a {
                Some(a) => (a.url.map(|s| s.0), a.line.map(|n| n.0.to_bits()), a.column.map(|n| n.0.to_bits())),
                None => (None, None, None),
            };
            intern(&mut keys.hermes, (ev.name.clone(), url, line, column))
        } else {
            eid
        };
        let it = Item { ts: ev.ts, eid, fkey, nid, src: i as u32 };
        match ev.ph {
            b'B' => begins.push(it),
            b'E' => ends.push(it),
            _ => xs.push((it, ev.dur)),
        }
    }
    // X events: by ts, longest first at equal ts (a longer event cannot nest
    // in a shorter one), file order otherwise.
    let x_cmp = |a: &(Item, f64), b: &(Item, f64)| cmp_ts(a.0.ts, b.0.ts).then(cmp_ts(b.1, a.1));
    if xs.windows(2).any(|w| x_cmp(&w[0], &w[1]) == Ordering::Greater) {
        xs.sort_by(x_cmp);
    }
    for &(it, dur) in &xs {
        begins.push(it);
        ends.push(Item { ts: it.ts + dur, ..it });
    }
    sort_by_ts(&mut begins);
    sort_by_ts(&mut ends);

    let where_ =
        |ts: f64| Location::Path(format!("pid {}, tid {}, ts {}", fmt_num(th.pid), fmt_num(th.tid), fmt_num(ts)));
    let name_of = |it: Item| display_name(&th.events[it.src as usize].name);
    let mut b = g.evented(name, ValueUnit::Microseconds);
    if min_ts.is_finite() {
        b.set_start(min_ts);
    }
    let mut m = Matcher::new(begins, ends);
    while let Some(step) = m.next_step() {
        match step {
            Step::Begin(it) => {
                let slot = it.fkey as usize;
                if keys.frames.len() <= slot {
                    keys.frames.resize(slot + 1, FrameId::MAX);
                }
                if keys.frames[slot] == FrameId::MAX {
                    keys.frames[slot] = g.frame(frame_for(&th.events[it.src as usize], hermes))?;
                }
                b.open(keys.frames[slot], it.ts)?;
            }
            Step::End { begin, end } => {
                if begin.fkey != end.fkey {
                    g.report().warn(
                        "end_event_args_mismatch",
                        where_(end.ts),
                        format!("end of `{}` has other args than its begin: closed the open one", name_of(end)),
                    );
                }
                b.close(keys.frames[begin.fkey as usize], end.ts)?;
            }
            Step::Unmatched(end) => g.report().warn(
                "unmatched_end_event",
                where_(end.ts),
                format!("end of `{}` with no open event: ignored", name_of(end)),
            ),
            Step::Mismatched { end, open } => g.report().warn(
                "mismatched_end_event",
                where_(end.ts),
                format!("end of `{}` while `{}` is the innermost open event: ignored", name_of(end), name_of(open)),
            ),
        }
    }
    if !m.still_open().is_empty() {
        let at = b.last_at().unwrap_or(min_ts);
        for &it in m.still_open().iter().rev() {
            g.report().warn(
                "unclosed_begin_event",
                where_(at),
                format!("`{}` was still open at the end: closed it", name_of(it)),
            );
        }
        b.close_all(at)?;
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings() {
        assert_eq!(compact(r#"{"x": 1}"#), r#"{"x":1}"#);
        assert_eq!(compact(r#"{ "a b" : "c \" d" }"#), r#"{"a b":"c \" d"}"#);
        assert!(matches!(compact(r#"{"x":1}"#), Cow::Borrowed(_)));
    }
}
