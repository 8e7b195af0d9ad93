//! Top functions: the frames of one profile ranked by self or total weight.
//!
//! # Pseudo-frames and idle time
//!
//! Some formats put bookkeeping nodes in their stacks. These are not
//! functions and are left out of every ranking ([`is_pseudo_frame`]), as
//! Flamedeck's analysis tools leave them out:
//!
//! - `(root)`: the virtual root of V8 call trees (heap profiles, Firefox
//!   profiles), the outermost frame of every stack;
//! - `(idle)`: V8's "nothing was running" node;
//! - `[root]`: the root frame of Hermes sampling profiles (trace files);
//! - `(speedscope root)`: the root some speedscope exports carry.
//!
//! Other parenthesised V8 nodes — `(program)` (time in the engine outside
//! JavaScript), `(garbage collector)` — are real CPU time and stay.
//!
//! A profile's *non-idle total* is the weight of its samples (or the time of
//! its events) minus the weight where nothing ran: samples with an empty
//! stack, stacks that contain `(idle)`, and stacks made only of pseudo-frames
//! (a sample on `(root)` alone). Percentages are shares of that total.

use std::cmp::Ordering;

use serde::Serialize;

use super::value::format_value;
use crate::error::{Error, Result};
use crate::model::{FrameId, FrameWeights, Profile, ProfileData, ProfileGroup, ValueUnit, WalkEvent, NO_STACK};

/// Frame names that are bookkeeping, not functions: `(root)`, `(idle)`,
/// `[root]` and `(speedscope root)`.
pub const PSEUDO_FRAMES: [&str; 4] = ["(root)", "(idle)", "[root]", "(speedscope root)"];

/// True for frame names in [`PSEUDO_FRAMES`] (exact match).
pub fn is_pseudo_frame(name: &str) -> bool {
    PSEUDO_FRAMES.contains(&name)
}

/// True for V8's `(idle)` frame (nothing was running): the one name
/// both `top` and the summary leave idle weight out by.
pub(crate) fn is_idle_frame(name: &str) -> bool {
    name == "(idle)"
}

/// Which weight ranks the rows of [`top_functions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Self weight: time with the function innermost ("where time is spent").
    #[default]
    #[serde(rename = "self")]
    Self_,
    /// Total weight: time with the function anywhere on the stack.
    Total,
}

/// Options for [`top_functions`]: ranking and paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TopOptions {
    /// Ranking weight. Default: self.
    pub sort_by: SortBy,
    /// Rows to skip (paging). Default: 0.
    pub offset: usize,
    /// Most rows to return; must be at least 1. Default: 20.
    pub limit: usize,
}

impl Default for TopOptions {
    fn default() -> Self {
        TopOptions { sort_by: SortBy::Self_, offset: 0, limit: 20 }
    }
}

/// One row of [`top_functions`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionStat {
    /// 0-based rank over all rows (offset included).
    pub rank: usize,
    /// The frame's id in the group.
    pub frame_id: FrameId,
    /// Function name.
    pub name: String,
    /// Source file, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// Weight with this function innermost.
    pub self_weight: f64,
    /// Weight with this function anywhere on the stack (recursion counted once).
    pub total_weight: f64,
    /// `self_weight` as a percentage (0–100) of the profile's non-idle total; 0 when that total is 0.
    pub self_percent: f64,
    /// `total_weight` as a percentage of the profile's non-idle total; 0 when that total is 0.
    pub total_percent: f64,
    /// `self_weight` formatted with [`format_value`] in the profile's unit.
    pub self_display: String,
    /// `total_weight` formatted with [`format_value`] in the profile's unit.
    pub total_display: String,
}

/// Weight of a profile where something other than idle ran: see the
/// [`top_functions`] documentation for what counts as idle. Linear time.
pub fn non_idle_total(group: &ProfileGroup, profile: &Profile) -> f64 {
    let frames = group.frames();
    let class = |f: FrameId| -> (bool, bool) {
        // (idle, pseudo) for a frame id; ids of a built profile are in range.
        match frames.get(f as usize) {
            Some(fr) => (is_idle_frame(&fr.name), is_pseudo_frame(&fr.name)),
            None => (false, false),
        }
    };
    match profile.data() {
        ProfileData::Sampled { stacks, samples, weights } => {
            let n = stacks.len();
            // Without a pseudo-frame ((idle) is one) in the group, every
            // sample with a stack counts: no walk of the nodes.
            if !frames.iter().any(|fr| is_pseudo_frame(&fr.name)) {
                let mut total = 0.0;
                for (&s, &w) in samples.iter().zip(weights) {
                    if (s as usize) < n {
                        total += w;
                    }
                }
                return total;
            }
            // Per stack node: does the path to it contain (idle)? is it made
            // only of pseudo-frames? Parents come before children.
            let mut idle = vec![false; n];
            let mut all_pseudo = vec![false; n];
            // Each frame's class, learned at its first node (a frame is on
            // many nodes); sized by this profile's frames, not the group's.
            let used = (0..n).map(|i| stacks.frame(i as u32) as usize + 1).max().unwrap_or(0);
            let mut classes: Vec<Option<(bool, bool)>> = vec![None; used.min(frames.len())];
            for (i, (p, f, _)) in stacks.nodes().enumerate() {
                let (fi, fp) = match classes.get_mut(f as usize) {
                    Some(known) => *known.get_or_insert_with(|| class(f)),
                    None => class(f),
                };
                let (pi, pp) = if p == NO_STACK {
                    (false, true)
                } else {
                    (
                        idle.get(p as usize).copied().unwrap_or(false),
                        all_pseudo.get(p as usize).copied().unwrap_or(true),
                    )
                };
                idle[i] = fi || pi;
                all_pseudo[i] = fp && pp;
            }
            let mut total = 0.0;
            for (&s, &w) in samples.iter().zip(weights) {
                if s == NO_STACK {
                    continue;
                }
                let i = s as usize;
                if i < n && !idle[i] && !all_pseudo[i] {
                    total += w;
                }
            }
            total
        }
        ProfileData::Evented { .. } => {
            let mut idle_open = 0usize;
            let mut real_open = 0usize;
            let mut stack: Vec<(bool, bool)> = Vec::new();
            let mut last = profile.start_value();
            let mut total = 0.0;
            profile.walk(&mut |ev: WalkEvent| {
                if idle_open == 0 && real_open > 0 {
                    total += ev.at - last;
                }
                last = ev.at;
                if ev.open {
                    let (fi, fp) = class(ev.frame);
                    idle_open += fi as usize;
                    real_open += (!fp) as usize;
                    stack.push((fi, fp));
                } else if let Some((fi, fp)) = stack.pop() {
                    idle_open -= fi as usize;
                    real_open -= (!fp) as usize;
                }
            });
            total
        }
    }
}

/// The functions of profile `profile_index` ranked by self or total weight,
/// one page of them.
///
/// Rows are the frames that occur in the profile, except the pseudo-frames
/// `(root)` and `(idle)` (see *Pseudo-frames and idle time* below). Frames are
/// interned per group (same name, file, line and column = same frame), so one
/// row is one frame. Order: the chosen weight, heaviest first; ties broken by
/// name, then by frame id — the order is fully deterministic.
///
/// Paging: rows `offset .. offset + limit` of that order. An `offset` of 0 is
/// always valid (an empty profile gives an empty page); any other offset must
/// be below the number of rows.
///
/// # Errors
/// [`Error::InvalidArgument`] with `name` `profile_index` (no such profile),
/// `limit` (0) or `offset` (past the last row).
///
/// # Pseudo-frames and idle time
///
/// Some formats put bookkeeping nodes in their stacks. Two of them are not
/// functions and are left out of every ranking ([`is_pseudo_frame`]):
///
/// - `(root)`: the virtual root of Chrome/V8 `.cpuprofile` call trees, the
///   outermost frame of every stack;
/// - `(idle)`: V8's "nothing was running" node.
///
/// (flamekit's `.cpuprofile` importer already drops both, as speedscope does;
/// this rule covers groups built by other importers or by hand.)
///
/// Other parenthesised V8 nodes — `(program)` (time in the engine outside
/// JavaScript), `(garbage collector)` — are real CPU time and stay.
///
/// A profile's *non-idle total* is the weight of its samples (or the time of
/// its events) minus the weight where nothing ran: samples with an empty
/// stack, stacks that contain `(idle)`, and stacks made only of pseudo-frames
/// (a sample on `(root)` alone). Percentages are shares of that total.
pub fn top_functions(group: &ProfileGroup, profile_index: usize, opts: &TopOptions) -> Result<Vec<FunctionStat>> {
    let profile = group.profile(profile_index)?;
    if opts.limit == 0 {
        return Err(Error::argument("limit", "must be at least 1"));
    }
    let fw = profile.frame_weights(group.frames().len());
    let rows = function_rows(group, &fw);
    if opts.offset > 0 && opts.offset >= rows.len() {
        return Err(Error::argument(
            "offset",
            format!("{} is past the last row: profile {profile_index} has {} function(s)", opts.offset, rows.len()),
        ));
    }
    let total = non_idle_total(group, profile);
    Ok(ranked(group, profile.unit(), &fw, total, rows, opts))
}

/// Frames present in the profile, pseudo-frames excluded.
pub(crate) fn function_rows(group: &ProfileGroup, fw: &FrameWeights) -> Vec<FrameId> {
    let frames = group.frames();
    (0..frames.len())
        .filter(|&i| fw.present.get(i).copied().unwrap_or(false) && !is_pseudo_frame(&frames[i].name))
        .map(|i| i as FrameId)
        .collect()
}

/// Order `rows` and build the page `opts.offset .. + opts.limit`. `fw` must
/// come from `Profile::frame_weights(group.frames().len())`.
pub(crate) fn ranked(
    group: &ProfileGroup,
    unit: ValueUnit,
    fw: &FrameWeights,
    total: f64,
    mut rows: Vec<FrameId>,
    opts: &TopOptions,
) -> Vec<FunctionStat> {
    let frames = group.frames();
    let key = |f: FrameId| -> f64 {
        let i = f as usize;
        match opts.sort_by {
            SortBy::Self_ => fw.self_weight[i],
            SortBy::Total => fw.total_weight[i],
        }
    };
    let cmp = |a: &FrameId, b: &FrameId| -> Ordering {
        key(*b).total_cmp(&key(*a)).then_with(|| frames[*a as usize].name.cmp(&frames[*b as usize].name)).then(a.cmp(b))
    };
    let end = opts.offset.saturating_add(opts.limit).min(rows.len());
    // Only the first `end` rows need ordering: partition, then sort that prefix.
    if end < rows.len() {
        rows.select_nth_unstable_by(end, cmp);
        rows.truncate(end);
    }
    rows.sort_unstable_by(cmp);
    let pct = |w: f64| if total > 0.0 { w / total * 100.0 } else { 0.0 };
    rows[opts.offset.min(rows.len())..]
        .iter()
        .enumerate()
        .map(|(k, &f)| {
            let fr = &frames[f as usize];
            let (s, t) = (fw.self_weight[f as usize], fw.total_weight[f as usize]);
            FunctionStat {
                rank: opts.offset + k,
                frame_id: f,
                name: fr.name.clone(),
                file: fr.file.clone(),
                line: fr.line,
                self_weight: s,
                total_weight: t,
                self_percent: pct(s),
                total_percent: pct(t),
                self_display: format_value(s, unit),
                total_display: format_value(t, unit),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Frame, GroupBuilder, IngestLimits, ValueUnit};

    /// Chrome-like sampled profile (ms):
    /// (root);main;work ×3, (root);main ×1, (root);(idle) ×4, (root) ×2,
    /// (root);(program) ×1, idle (empty) ×5, (root);main;helper ×3.
    fn chrome_like() -> ProfileGroup {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let root = g.frame_named("(root)").unwrap();
        let main = g.frame(Frame::with_location("main", Some("app.js".into()), Some(1), Some(1))).unwrap();
        let work = g.frame(Frame::with_location("work", Some("app.js".into()), Some(10), Some(3))).unwrap();
        let idle = g.frame_named("(idle)").unwrap();
        let program = g.frame_named("(program)").unwrap();
        let helper = g.frame_named("helper").unwrap();
        let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
        for (stack, n) in [
            (vec![root, main, work], 3),
            (vec![root, main], 1),
            (vec![root, idle], 4),
            (vec![root], 2),
            (vec![root, program], 1),
            (vec![], 5),
            (vec![root, main, helper], 3),
        ] {
            for _ in 0..n {
                p.push_stack(&stack, 1.0).unwrap();
            }
        }
        g.push_profile(p.finish()).unwrap();
        g.finish(0).unwrap().0
    }

    #[test]
    fn non_idle_total_excludes_idle_and_root_only() {
        let g = chrome_like();
        // 19 samples; minus 5 empty, 4 (idle), 2 (root)-only = 8.
        assert_eq!(non_idle_total(&g, &g.profiles()[0]), 8.0);
    }

    /// Without any pseudo-frame in the group, every sample with a stack
    /// counts, and none without.
    #[test]
    fn non_idle_total_without_pseudo_frames_is_every_stacked_sample() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let [main, work] = ["main", "work"].map(|n| g.frame_named(n).unwrap());
        let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
        p.push_stack(&[main, work], 2.0).unwrap();
        p.push_stack(&[], 4.0).unwrap();
        p.push_stack(&[main], 0.5).unwrap();
        g.push_profile(p.finish()).unwrap();
        let g = g.finish(0).unwrap().0;
        assert_eq!(non_idle_total(&g, &g.profiles()[0]), 2.5);
    }

    #[test]
    fn ranking_by_self_and_total() {
        let g = chrome_like();
        let rows = top_functions(&g, 0, &TopOptions::default()).unwrap();
        let got: Vec<(&str, f64, f64)> =
            rows.iter().map(|r| (r.name.as_str(), r.self_weight, r.total_weight)).collect();
        // helper and work tie on self 3 → name order; (root)/(idle) excluded.
        assert_eq!(got, vec![("helper", 3.0, 3.0), ("work", 3.0, 3.0), ("(program)", 1.0, 1.0), ("main", 1.0, 7.0)]);
        assert_eq!(rows[1].file.as_deref(), Some("app.js"));
        assert_eq!(rows[1].line, Some(10));
        assert_eq!(rows[0].self_percent, 37.5);
        assert_eq!(rows[3].total_percent, 87.5);
        assert_eq!(rows[3].total_display, "7.00ms");
        assert_eq!(rows.iter().map(|r| r.rank).collect::<Vec<_>>(), vec![0, 1, 2, 3]);

        let by_total = top_functions(&g, 0, &TopOptions { sort_by: SortBy::Total, ..Default::default() }).unwrap();
        let names: Vec<&str> = by_total.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["main", "helper", "work", "(program)"]);
    }

    #[test]
    fn paging_and_errors() {
        let g = chrome_like();
        let page = top_functions(&g, 0, &TopOptions { offset: 1, limit: 2, ..Default::default() }).unwrap();
        assert_eq!(
            page.iter().map(|r| (r.rank, r.name.as_str())).collect::<Vec<_>>(),
            vec![(1, "work"), (2, "(program)")]
        );
        let last = top_functions(&g, 0, &TopOptions { offset: 3, limit: 100, ..Default::default() }).unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].name, "main");

        let e = top_functions(&g, 0, &TopOptions { limit: 0, ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { name: "limit", .. }), "{e:?}");
        let e = top_functions(&g, 0, &TopOptions { offset: 4, ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { name: "offset", .. }), "{e:?}");
        let e = top_functions(&g, 1, &TopOptions::default()).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { name: "profile_index", .. }), "{e:?}");
        let e = top_functions(&g, 0, &TopOptions { offset: usize::MAX, limit: usize::MAX, ..Default::default() });
        assert_eq!(e.unwrap_err().code(), "invalid_argument");
    }

    #[test]
    fn empty_profile_gives_empty_first_page() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let p = g.sampled("empty", ValueUnit::Bytes);
        g.push_profile(p.finish()).unwrap();
        let g = g.finish(0).unwrap().0;
        assert!(top_functions(&g, 0, &TopOptions::default()).unwrap().is_empty());
        assert!(top_functions(&g, 0, &TopOptions { offset: 1, ..Default::default() }).is_err());
    }

    #[test]
    fn evented_idle_time_is_excluded() {
        // a [0,10) containing (idle) [2,6); b [10,12) at top level; gap [12,15) closed.
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let a = g.frame_named("a").unwrap();
        let idle = g.frame_named("(idle)").unwrap();
        let b = g.frame_named("b").unwrap();
        let mut p = g.evented("ev", ValueUnit::Microseconds);
        p.open(a, 0.0).unwrap();
        p.open(idle, 2.0).unwrap();
        p.close(idle, 6.0).unwrap();
        p.close(a, 10.0).unwrap();
        p.open(b, 10.0).unwrap();
        p.close(b, 12.0).unwrap();
        p.set_end(15.0);
        g.push_profile(p.finish().unwrap()).unwrap();
        let g = g.finish(0).unwrap().0;
        assert_eq!(non_idle_total(&g, &g.profiles()[0]), 8.0);
        let rows = top_functions(&g, 0, &TopOptions::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].name.as_str(), rows[0].self_weight, rows[0].self_percent), ("a", 6.0, 75.0));
        assert_eq!((rows[1].name.as_str(), rows[1].self_weight, rows[1].self_percent), ("b", 2.0, 25.0));
        assert_eq!(rows[0].total_display, "10.0µs");
    }

    #[test]
    fn ties_are_deterministic_by_name_then_id() {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        // Same name, different files: two frames, ordered by id.
        let x2 = g.frame(Frame::with_location("x", Some("b.c".into()), None, None)).unwrap();
        let x1 = g.frame(Frame::with_location("x", Some("a.c".into()), None, None)).unwrap();
        let w = g.frame_named("w").unwrap();
        let mut p = g.sampled("s", ValueUnit::None);
        for f in [x1, x2, w] {
            p.push_stack(&[f], 2.0).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
        let g = g.finish(0).unwrap().0;
        let rows = top_functions(&g, 0, &TopOptions::default()).unwrap();
        let got: Vec<(FrameId, &str)> = rows.iter().map(|r| (r.frame_id, r.name.as_str())).collect();
        assert_eq!(got, vec![(w, "w"), (x2, "x"), (x1, "x")]);
        assert_eq!(rows[0].self_display, "2 samples");
    }
}
