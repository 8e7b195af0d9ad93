//! Merged call trees restricted to a time window, and the two halves of the
//! sandwich view. All iterative; node ids grow from parents to children.
//!
//! Why not `flamekit_core::CallTree`: that tree is the whole profile's
//! (no window), one `CallNode` with its own `children` vector per node, and
//! sorted children and self weights that the renderer does not need. Here
//! weights are clipped to the zoom window, the layout is three flat arrays
//! plus a CSR child index (no allocation per node, which keeps a
//! 1,000,000-sample image inside its time budget), and the sandwich halves
//! are built with a depth limit. Sharing one tree would mean moving the
//! window and the flat layout into core's public type; until then this
//! stays private to the renderer, so swapping it later changes no API.

use std::collections::HashMap;

use flamekit_core::{FrameId, Profile, ProfileData, StackTable, NO_STACK};

/// Frame of the virtual root of a merged tree.
pub(crate) const ROOT_FRAME: FrameId = FrameId::MAX;

/// A tree of frames with a total weight per node. Node 0 is the root; a
/// parent's id is smaller than its children's.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tree {
    pub frame: Vec<FrameId>,
    pub parent: Vec<u32>,
    pub total: Vec<f64>,
    /// Children in CSR form (after [`Tree::index_children`]): the children of
    /// `n` are `kids[first[n]..first[n + 1]]`, in id order.
    first: Vec<u32>,
    kids: Vec<u32>,
}

impl Tree {
    pub(crate) fn with_root(frame: FrameId) -> Tree {
        Tree { frame: vec![frame], parent: vec![0], total: vec![0.0], first: Vec::new(), kids: Vec::new() }
    }

    pub(crate) fn len(&self) -> usize {
        self.frame.len()
    }

    fn push(&mut self, parent: u32, frame: FrameId) -> u32 {
        let id = self.frame.len() as u32;
        self.frame.push(frame);
        self.parent.push(parent);
        self.total.push(0.0);
        id
    }

    /// Turn self weights (stored in `total`) into totals: children first.
    fn accumulate(&mut self) {
        for i in (1..self.len()).rev() {
            let p = self.parent[i] as usize;
            let w = self.total[i];
            self.total[p] += w;
        }
    }

    /// Build the children index. Call once the tree is complete.
    pub(crate) fn index_children(&mut self) {
        let n = self.len();
        // Each node's children counted at its own entry, summed up to it,
        // then placed from the last child down: `first[p]` ends at the
        // start of `p`'s children, which stay in id order.
        let mut first = vec![0u32; n + 1];
        for &p in self.parent.iter().skip(1) {
            first[p as usize] += 1;
        }
        for i in 1..n {
            first[i] += first[i - 1];
        }
        first[n] = first[n.saturating_sub(1)];
        let mut kids = vec![0u32; first[n] as usize];
        for i in (1..n).rev() {
            let p = self.parent[i] as usize;
            first[p] -= 1;
            kids[first[p] as usize] = i as u32;
        }
        self.first = first;
        self.kids = kids;
    }

    /// Children of `n` in id order (empty before [`Tree::index_children`]).
    pub(crate) fn children(&self, n: u32) -> &[u32] {
        let n = n as usize;
        match (self.first.get(n), self.first.get(n + 1)) {
            (Some(&a), Some(&b)) => &self.kids[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// A tree from `(frame, parent, total)` per node, node 0 the root, parents
/// before children; children indexed.
pub(crate) fn from_parts(nodes: impl Iterator<Item = (FrameId, u32, f64)>) -> Tree {
    let mut t = Tree::default();
    for (frame, parent, total) in nodes {
        let parent = if (parent as usize) < t.frame.len() { parent } else { 0 };
        t.frame.push(frame);
        t.parent.push(parent);
        t.total.push(total);
    }
    if t.frame.is_empty() {
        t = Tree::with_root(ROOT_FRAME);
    }
    t.index_children();
    t
}

/// The part of `[a, b)` inside `[ws, we)`; exactly `b - a` when inside.
fn clipped(a: f64, b: f64, ws: f64, we: f64) -> f64 {
    if a >= ws && b <= we {
        b - a
    } else {
        (b.min(we) - a.max(ws)).max(0.0)
    }
}

/// The merged call tree of `profile` counting only weight inside
/// `[ws, we)`, with children indexed. The root has frame [`ROOT_FRAME`].
/// A sampled profile's is a copy of its stack table (already a prefix
/// tree) with the samples' weights; an evented profile's is [`walked`].
/// The views read [`merged_totals`] instead; this is what the tests hold
/// it to.
#[cfg(test)]
pub(crate) fn merged(profile: &Profile, ws: f64, we: f64) -> Tree {
    let mut t = match profile.data() {
        ProfileData::Sampled { stacks, samples, weights } => {
            let mut t = Tree::with_root(ROOT_FRAME);
            for (p, f, _) in stacks.nodes() {
                t.push(if p == NO_STACK { 0 } else { p + 1 }, f);
            }
            // Same accumulation as Profile::walk, so windows line up with the
            // time-order view.
            let mut at = profile.start_value();
            for (&s, &w) in samples.iter().zip(weights) {
                if s != NO_STACK {
                    if let Some(slot) = t.total.get_mut(s as usize + 1) {
                        *slot += clipped(at, at + w, ws, we);
                    }
                }
                at += w;
            }
            t.accumulate();
            t
        }
        ProfileData::Evented { .. } => walked(profile, ws, we),
    };
    t.index_children();
    t
}

/// The merged call tree of `profile` in `[ws, we)`, built by walking its
/// calls (node ids in the order calls first open), without its children
/// index.
fn walked(profile: &Profile, ws: f64, we: f64) -> Tree {
    let mut t = Tree::with_root(ROOT_FRAME);
    let mut index: HashMap<(u32, FrameId), u32> = HashMap::new();
    let mut path: Vec<u32> = vec![0];
    let mut last = profile.start_value();
    profile.walk(&mut |ev: flamekit_core::WalkEvent| {
        let top = path.last().copied().unwrap_or(0);
        if top != 0 {
            t.total[top as usize] += clipped(last, ev.at, ws, we);
        }
        last = ev.at;
        if ev.open {
            path.push(child(&mut t, &mut index, top, ev.frame));
        } else if path.len() > 1 {
            path.pop();
        }
    });
    t.accumulate();
    t
}

/// The totals of the merged call tree of `profile` in `[ws, we)` (as
/// [`merged`] gives them) and how deep it goes, for a view that draws only
/// some of it ([`MergedTotals::drawn`]). A sampled profile's tree is its
/// stack table, read where it is: a total per node is all that is kept.
pub(crate) struct MergedTotals<'p> {
    /// Node 0 is the root; node `i` is the tree's node `i`.
    total: Vec<f64>,
    nodes: Nodes<'p>,
    /// The depth of the deepest node with a positive total (the root's
    /// children are at depth 1).
    pub deepest: usize,
}

/// Where the targets of a sandwich are in a [`MergedTotals`]
/// ([`MergedTotals::targets`]).
pub(crate) struct Targets {
    /// The outermost targets with weight, in id order.
    pub occ: Vec<u32>,
    /// Each node's depth under one of them (0 for one of them), or
    /// [`NOT_UNDER`], or [`TOO_DEEP`] past the cap.
    under: Vec<u16>,
}

/// A node under no target ([`Targets::under`]).
const NOT_UNDER: u16 = u16::MAX;
/// A node deeper under a target than the cap ([`Targets::under`]).
const TOO_DEEP: u16 = u16::MAX - 1;

/// The nodes of a [`MergedTotals`].
enum Nodes<'p> {
    /// Node `i + 1` is node `i` of the table.
    Stacks(&'p StackTable),
    /// A tree built for them, without its totals.
    Tree { frame: Vec<FrameId>, parent: Vec<u32> },
}

impl Nodes<'_> {
    /// The parent of node `i` (not the root).
    #[inline]
    fn parent(&self, i: usize) -> usize {
        match self {
            Nodes::Stacks(stacks) => match stacks.parent(i as u32 - 1) {
                NO_STACK => 0,
                p => p as usize + 1,
            },
            Nodes::Tree { parent, .. } => parent[i] as usize,
        }
    }

    /// The frame of node `i` (not the root).
    #[inline]
    fn frame(&self, i: usize) -> FrameId {
        match self {
            Nodes::Stacks(stacks) => stacks.frame(i as u32 - 1),
            Nodes::Tree { frame, .. } => frame[i],
        }
    }
}

impl MergedTotals<'_> {
    /// The root's total.
    pub(crate) fn total(&self) -> f64 {
        self.total[0]
    }

    /// The parent of node `i` (not the root).
    #[inline]
    fn parent(&self, i: usize) -> usize {
        self.nodes.parent(i)
    }

    /// The frame of node `i` (not the root).
    #[inline]
    pub(crate) fn frame(&self, i: usize) -> FrameId {
        self.nodes.frame(i)
    }

    /// The outermost nodes whose frame `is_target` marks (a target under
    /// another target is not one: recursion counted once) and whose total
    /// is positive, in id order; and the depth under them of every node,
    /// up to `cap`, for [`MergedTotals::callees`].
    pub(crate) fn targets(&self, is_target: &[bool], cap: usize) -> Targets {
        let cap = cap.min(usize::from(TOO_DEEP) - 1) as u16;
        let mut under = vec![NOT_UNDER; self.total.len()];
        let mut occ = Vec::new();
        // Parents first: a node is under a target when its parent is, or
        // is one. (A node's total is at most its parent's: nothing under a
        // node without weight has any.)
        for i in 1..self.total.len() {
            under[i] = match under[self.parent(i)] {
                NOT_UNDER => {
                    if self.total[i] > 0.0 && is_target.get(self.frame(i) as usize).copied().unwrap_or(false) {
                        occ.push(i as u32);
                        0
                    } else {
                        NOT_UNDER
                    }
                }
                d if d >= cap => TOO_DEEP,
                d => d + 1,
            };
        }
        Targets { occ, under }
    }

    /// The merged callers of the targets `t`, inverted: the root is the
    /// target (`root_frame`), its children the direct callers, and so on.
    /// Nodes deeper than `max_depth` (root = depth 0) are not built.
    pub(crate) fn callers(&self, t: &Targets, root_frame: FrameId, max_depth: usize) -> Tree {
        let mut up = Tree::with_root(root_frame);
        let mut index = HashMap::new();
        for &o in &t.occ {
            let w = self.total[o as usize];
            up.total[0] += w;
            let mut cur = 0u32;
            let mut p = self.parent(o as usize);
            let mut depth = 0usize;
            while p != 0 && depth < max_depth {
                cur = child(&mut up, &mut index, cur, self.frame(p));
                up.total[cur as usize] += w;
                p = self.parent(p);
                depth += 1;
            }
        }
        up.index_children();
        up
    }

    /// The merged callees of the targets `t`: the root is the target, below
    /// it the union of what each of them calls. Nodes deeper than
    /// `max_depth` (root = depth 0; at most the `cap` of
    /// [`MergedTotals::targets`]) are not built.
    pub(crate) fn callees(&self, t: &Targets, root_frame: FrameId, max_depth: usize) -> Tree {
        // The calls with weight that may be built, by caller, in id order.
        let mut calls: Vec<(u32, u32)> = (1..self.total.len())
            .filter(|&i| {
                let d = t.under[i];
                d != 0 && d < TOO_DEEP && usize::from(d) <= max_depth && self.total[i] > 0.0
            })
            .map(|i| (self.parent(i) as u32, i as u32))
            .collect();
        calls.sort_by_key(|&(p, _)| p);
        let called_by = |n: u32| {
            let from = calls.partition_point(|&(p, _)| p < n);
            calls[from..].iter().take_while(move |&&(p, _)| p == n).map(|&(_, c)| c)
        };
        let mut down = Tree::with_root(root_frame);
        let mut index = HashMap::new();
        let mut todo: Vec<(u32, u32, usize)> = Vec::new();
        for &o in &t.occ {
            down.total[0] += self.total[o as usize];
            todo.push((o, 0, 0));
            while let Some((src, dst, depth)) = todo.pop() {
                if depth >= max_depth {
                    continue;
                }
                for c in called_by(src) {
                    let w = self.total[c as usize];
                    let d = child(&mut down, &mut index, dst, self.frame(c as usize));
                    down.total[d as usize] += w;
                    todo.push((c, d, depth + 1));
                }
            }
        }
        down.index_children();
        down
    }

    /// The tree of the nodes at most `max_depth` deep (the root's children
    /// are at depth 1) whose total `keep` takes, and whose parent it takes
    /// (so whose every caller it takes), with children indexed: the nodes a
    /// view that stops at the calls it leaves out, and at its last row, can
    /// reach. Their order and totals are [`merged`]'s.
    pub(crate) fn drawn(self, keep: impl Fn(f64) -> bool, max_depth: usize) -> Tree {
        let mut t = Tree::with_root(ROOT_FRAME);
        t.total[0] = self.total[0];
        // Each node's slot, once its total is read, holds its id in `t`
        // and its depth when it is kept (`id << 32 | depth`), or
        // `NOT_KEPT`: parents come before their children, so a slot is
        // read as a total before any child reads it as a parent. No map
        // of the kept nodes: a view that starts deep keeps every node
        // above its first row, and no array beside the totals: one that
        // starts at the top keeps few of many.
        const NOT_KEPT: u64 = u64::MAX;
        let nodes = self.nodes;
        // The same allocation, read as bits.
        let mut slot: Vec<u64> = self.total.into_iter().map(f64::to_bits).collect();
        slot[0] = 0;
        for i in 1..slot.len() {
            let w = f64::from_bits(slot[i]);
            slot[i] = NOT_KEPT;
            if !keep(w) {
                continue;
            }
            let parent = slot[nodes.parent(i)];
            let (p, depth) = ((parent >> 32) as u32, parent as u32);
            if parent != NOT_KEPT && (depth as usize) < max_depth {
                let id = t.push(p, nodes.frame(i));
                t.total[id as usize] = w;
                slot[i] = u64::from(id) << 32 | u64::from(depth + 1);
            }
        }
        t.index_children();
        t
    }
}

/// [`MergedTotals`] of `profile` in `[ws, we)`.
pub(crate) fn merged_totals(profile: &Profile, ws: f64, we: f64) -> MergedTotals<'_> {
    match profile.data() {
        ProfileData::Sampled { stacks, samples, weights } => {
            let n = stacks.len();
            let mut total = vec![0.0; n + 1];
            let mut deepest = 0;
            // As `merged` adds them: the same self weights, then
            // each node's total into its parent's, the last node first.
            let mut at = profile.start_value();
            for (&s, &w) in samples.iter().zip(weights) {
                if s != NO_STACK && (s as usize) < n {
                    let c = clipped(at, at + w, ws, we);
                    total[s as usize + 1] += c;
                    // Weights are not negative: a node has a positive total
                    // when a sample on it or under it has a positive weight.
                    if c > 0.0 {
                        deepest = deepest.max(stacks.depth(s) as usize);
                    }
                }
                at += w;
            }
            let mut m = MergedTotals { total, nodes: Nodes::Stacks(stacks), deepest };
            for i in (1..=n).rev() {
                let (p, w) = (m.parent(i), m.total[i]);
                m.total[p] += w;
            }
            m
        }
        ProfileData::Evented { .. } => {
            let t = walked(profile, ws, we);
            let deepest = depth_of(&t);
            MergedTotals { total: t.total, nodes: Nodes::Tree { frame: t.frame, parent: t.parent }, deepest }
        }
    }
}

/// The depth of the deepest node of `t` with a positive total (the root's
/// children are at depth 1).
pub(crate) fn depth_of(t: &Tree) -> usize {
    let mut depth = vec![0u32; t.len()];
    let mut deepest = 0u32;
    for i in 1..t.len() {
        let dd = depth[t.parent[i] as usize] + 1;
        depth[i] = dd;
        if t.total[i] > 0.0 {
            deepest = deepest.max(dd);
        }
    }
    deepest as usize
}

fn child(t: &mut Tree, index: &mut HashMap<(u32, FrameId), u32>, parent: u32, frame: FrameId) -> u32 {
    match index.get(&(parent, frame)) {
        Some(&id) => id,
        None => {
            let id = t.push(parent, frame);
            index.insert((parent, frame), id);
            id
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamekit_core::{GroupBuilder, IngestLimits, ProfileGroup, ValueUnit};

    /// main;a;b 3 · main;c 1 · main;a;b 2 (time order), in milliseconds.
    fn sampled() -> ProfileGroup {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let [main, a, b, c] = ["main", "a", "b", "c"].map(|n| g.frame_named(n).unwrap());
        let mut p = g.sampled("p", ValueUnit::Milliseconds);
        p.push_stack(&[main, a, b], 3.0).unwrap();
        p.push_stack(&[main, c], 1.0).unwrap();
        p.push_stack(&[main, a, b], 2.0).unwrap();
        g.push_profile(p.finish()).unwrap();
        g.finish(0).unwrap().0
    }

    /// An evented profile of `stacks` (frame names, duration), one after
    /// the other from 0 ms: each stack's frames stay open into the next
    /// as far as the two are the same.
    fn evented(stacks: &[(&[&str], f64)]) -> ProfileGroup {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let mut e = g.evented("e", ValueUnit::Milliseconds);
        let (mut open, mut at): (Vec<&str>, f64) = (Vec::new(), 0.0);
        for (stack, w) in stacks {
            let keep = open.iter().zip(stack.iter()).take_while(|(a, b)| a == b).count();
            while open.len() > keep {
                let name = open.pop().unwrap();
                e.close(g.frame_named(name).unwrap(), at).unwrap();
            }
            for name in &stack[keep..] {
                e.open(g.frame_named(name).unwrap(), at).unwrap();
                open.push(name);
            }
            at += w;
        }
        e.close_all(at).unwrap();
        g.push_profile(e.finish().unwrap()).unwrap();
        g.finish(0).unwrap().0
    }

    fn by_path(t: &Tree, g: &ProfileGroup, path: &[&str]) -> f64 {
        let mut n = 0u32;
        for name in path {
            n = *t
                .children(n)
                .iter()
                .find(|&&c| g.frames()[t.frame[c as usize] as usize].name == *name)
                .unwrap_or_else(|| panic!("no {name} in {path:?}"));
        }
        t.total[n as usize]
    }

    #[test]
    fn merged_whole_and_windowed() {
        let g = sampled();
        let p = &g.profiles()[0];
        let t = merged(p, 0.0, 6.0);
        assert_eq!(t.total[0], 6.0);
        assert_eq!(by_path(&t, &g, &["main", "a", "b"]), 5.0);
        assert_eq!(by_path(&t, &g, &["main", "c"]), 1.0);
        // Window [2, 4.5): 1 of the first b sample, c, 0.5 of the second b.
        let t = merged(p, 2.0, 4.5);
        assert_eq!(t.total[0], 2.5);
        assert_eq!(by_path(&t, &g, &["main", "a", "b"]), 1.5);
        assert_eq!(by_path(&t, &g, &["main", "c"]), 1.0);
    }

    #[test]
    fn merged_evented_matches_sampled() {
        let g = evented(&[(&["main", "a", "b"], 3.0), (&["main", "c"], 1.0), (&["main", "a", "b"], 2.0)]);
        let t = merged(&g.profiles()[0], 2.0, 4.5);
        assert_eq!(t.total[0], 2.5);
        assert_eq!(by_path(&t, &g, &["main", "a", "b"]), 1.5);
        assert_eq!(by_path(&t, &g, &["main", "c"]), 1.0);
    }

    #[test]
    fn drawn_keeps_what_keep_takes_under_kept_callers_and_deepest_counts_weighted_nodes() {
        // main;a;b 3 · main;c 1 · main;a;b 2 · main;a;d;e 0.5 (time order).
        let mut gb = GroupBuilder::new("test", &IngestLimits::default());
        let [main, a, b, c, d, e] = ["main", "a", "b", "c", "d", "e"].map(|n| gb.frame_named(n).unwrap());
        let mut p = gb.sampled("p", ValueUnit::Milliseconds);
        for (stack, w) in [(&[main, a, b][..], 3.0), (&[main, c], 1.0), (&[main, a, b], 2.0), (&[main, a, d, e], 0.5)] {
            p.push_stack(stack, w).unwrap();
        }
        gb.push_profile(p.finish()).unwrap();
        let g = gb.finish(0).unwrap().0;
        let p = &g.profiles()[0];
        let parts = |t: &Tree| (t.frame.clone(), t.parent.clone(), t.total.clone());
        // Keeping everything gives the merged tree, node for node.
        for (ws, we) in [(0.0, 6.5), (2.0, 4.5), (6.2, 9.0)] {
            assert_eq!(
                parts(&merged_totals(p, ws, we).drawn(|_| true, usize::MAX)),
                parts(&merged(p, ws, we)),
                "[{ws}, {we})"
            );
        }
        let m = merged_totals(p, 0.0, 6.5);
        assert_eq!((m.total(), m.deepest), (6.5, 4));
        let t = m.drawn(|w| w >= 1.0, usize::MAX);
        assert_eq!(t.len(), 5, "the root, main, a, b and c; not d (0.5) nor e");
        assert_eq!(by_path(&t, &g, &["main", "a", "b"]), 5.0);
        assert_eq!(by_path(&t, &g, &["main", "c"]), 1.0);
        assert_eq!(by_path(&t, &g, &["main", "a"]), 5.5);
        // Nothing deeper than the depth given: main and a (depth 2), not
        // b; all of them at depth 3 (e, at 4, is narrower anyway).
        let t = merged_totals(p, 0.0, 6.5).drawn(|_| true, 2);
        assert_eq!(t.len(), 4, "the root, main, a and c");
        assert_eq!(by_path(&t, &g, &["main", "a"]), 5.5);
        assert_eq!(merged_totals(p, 0.0, 6.5).drawn(|w| w >= 1.0, 3).len(), 5);
        assert_eq!(merged_totals(p, 0.0, 6.5).drawn(|_| true, 0).len(), 1, "the root");
        // b is taken, but not its caller a: left out with it.
        let t = merged_totals(p, 0.0, 6.5).drawn(|w| w != 5.5, usize::MAX);
        assert_eq!(t.len(), 3, "the root, main and c");
        assert_eq!(by_path(&t, &g, &["main", "c"]), 1.0);
        // The deepest node with weight in the window.
        for (ws, we, deepest) in [(0.0, 6.0, 3), (3.0, 4.0, 2), (6.0, 6.5, 4), (6.5, 7.0, 0), (5.9, 6.1, 4)] {
            assert_eq!(merged_totals(p, ws, we).deepest, deepest, "[{ws}, {we})");
        }
        // An evented profile's: the same.
        let ge = evented(&[
            (&["main", "a", "b"], 3.0),
            (&["main", "c"], 1.0),
            (&["main", "a", "b"], 2.0),
            (&["main", "a", "d", "e"], 0.5),
        ]);
        let pe = &ge.profiles()[0];
        for (ws, we, deepest) in [(0.0, 6.0, 3), (3.0, 4.0, 2), (6.0, 6.5, 4), (6.5, 7.0, 0)] {
            assert_eq!(merged_totals(pe, ws, we).deepest, deepest, "[{ws}, {we})");
        }
        let t = merged_totals(pe, 0.0, 6.5).drawn(|w| w >= 1.0, usize::MAX);
        assert_eq!(t.len(), 5);
        assert_eq!(by_path(&t, &ge, &["main", "a", "b"]), 5.0);
    }

    #[test]
    fn sandwich_trees_count_recursion_once() {
        // main;f;g;f;h 2 · main;x;f 1 · main;g 4
        let mut gb = GroupBuilder::new("test", &IngestLimits::default());
        let [main, f, g, h, x] = ["main", "f", "g", "h", "x"].map(|n| gb.frame_named(n).unwrap());
        let mut p = gb.sampled("p", ValueUnit::None);
        p.push_stack(&[main, f, g, f, h], 2.0).unwrap();
        p.push_stack(&[main, x, f], 1.0).unwrap();
        p.push_stack(&[main, g], 4.0).unwrap();
        gb.push_profile(p.finish()).unwrap();
        let group = gb.finish(0).unwrap().0;
        let m = merged_totals(&group.profiles()[0], 0.0, 7.0);
        let mut is_f = vec![false; group.frames().len()];
        is_f[f as usize] = true;
        let t = m.targets(&is_f, 10);
        assert_eq!(t.occ.len(), 2, "main;f and main;x;f, not the nested f");
        let up = m.callers(&t, f, 10);
        assert_eq!(up.total[0], 3.0);
        assert_eq!(by_path(&up, &group, &["main"]), 2.0);
        assert_eq!(by_path(&up, &group, &["x"]), 1.0);
        assert_eq!(by_path(&up, &group, &["x", "main"]), 1.0);
        let down = m.callees(&t, f, 10);
        assert_eq!(down.total[0], 3.0);
        assert_eq!(by_path(&down, &group, &["g"]), 2.0);
        assert_eq!(by_path(&down, &group, &["g", "f", "h"]), 2.0);
        // Depth clipping: nothing below depth 1 is built.
        let shallow = m.callees(&t, f, 1);
        assert_eq!(shallow.len(), 2);
        let shallow = m.callers(&t, f, 1);
        assert_eq!(shallow.len(), 3);
        // Depths under the targets counted up to a cap: callees up to it
        // are the same, callers do not depend on it.
        let capped = m.targets(&is_f, 2);
        assert_eq!(capped.occ, t.occ);
        for depth in 0..=2 {
            let (a, b) = (m.callees(&capped, f, depth), m.callees(&t, f, depth));
            assert_eq!((&a.frame, &a.parent, &a.total), (&b.frame, &b.parent, &b.total), "depth {depth}");
        }
        assert_eq!(m.callees(&capped, f, 2).len(), 3, "the root, g and g;f");
        assert_eq!(m.callers(&capped, f, 10).len(), up.len());
        // In [3, 7) only main;g has weight: no target.
        let late = merged_totals(&group.profiles()[0], 3.0, 7.0);
        let t = late.targets(&is_f, 10);
        assert!(t.occ.is_empty());
        assert_eq!(late.callees(&t, f, 10).len(), 1);
    }
}
