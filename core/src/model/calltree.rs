use std::collections::HashMap;

use super::frame::FrameId;
use super::profile::{Profile, ProfileData, StackId, StackTable, NO_STACK};
use super::walk::WalkEvent;

/// Self and total weight per frame of one profile, indexed by [`FrameId`].
///
/// Self weight is the weight spent with the frame innermost. Total weight is
/// the weight spent with the frame anywhere on the stack, counting a
/// recursive frame once (as speedscope does).
#[derive(Clone, Debug, PartialEq)]
pub struct FrameWeights {
    /// Self weight per frame.
    pub self_weight: Vec<f64>,
    /// Total weight per frame.
    pub total_weight: Vec<f64>,
    /// Whether the frame occurs in this profile at all.
    pub present: Vec<bool>,
}

impl Profile {
    /// Compute [`FrameWeights`] for frames `0..frame_count` (pass
    /// `group.frames().len()`). Linear in the profile size, iterative.
    pub fn frame_weights(&self, frame_count: usize) -> FrameWeights {
        self.frame_weights_and_nodes(frame_count).0
    }

    /// [`Profile::frame_weights`], and a sampled profile's node weights
    /// the walk read (`None` for an evented or empty profile), for a caller
    /// that needs them too (the summary's heaviest paths).
    pub(crate) fn frame_weights_and_nodes(&self, frame_count: usize) -> (FrameWeights, Option<NodeWeights>) {
        let mut fw = FrameWeights {
            self_weight: vec![0.0; frame_count],
            total_weight: vec![0.0; frame_count],
            present: vec![false; frame_count],
        };
        let mut nodes = None;
        match &self.data {
            ProfileData::Sampled { stacks, samples, weights } => {
                nodes = sampled_frame_weights(stacks, samples, weights, &mut fw);
            }
            ProfileData::Evented { .. } => {
                let mut on_stack = vec![0u32; frame_count];
                let mut entered_at = vec![0.0f64; frame_count];
                let mut stack: Vec<FrameId> = Vec::new();
                let mut last = self.start_value;
                self.walk(&mut |ev: WalkEvent| {
                    if let Some(&top) = stack.last() {
                        fw.self_weight[top as usize] += ev.at - last;
                    }
                    last = ev.at;
                    let f = ev.frame as usize;
                    if ev.open {
                        fw.present[f] = true;
                        if on_stack[f] == 0 {
                            entered_at[f] = ev.at;
                        }
                        on_stack[f] += 1;
                        stack.push(ev.frame);
                    } else {
                        stack.pop();
                        on_stack[f] -= 1;
                        if on_stack[f] == 0 {
                            fw.total_weight[f] += ev.at - entered_at[f];
                        }
                    }
                });
            }
        }
        (fw, nodes)
    }
}

/// [`Profile::frame_weights`] of a sampled profile, in one walk of the
/// stack table's runs (chains of nodes, each the parent of the next), with
/// memory for the runs and the nodes samples end on, not for every node:
/// on a table of 33 million nodes (a pprof file of random deep stacks) the
/// walk it replaces, with a parent, children and a subtree weight per
/// node, allocated about 800 MB and took 2.5 times as long.
///
/// The walk goes down the tree run by run: a run's nodes are all entered
/// (counted on the path by frame), then left from its last node up to its
/// first; at each node left, the runs attached there are walked first
/// (lowest id first), and the node's subtree weight is its own samples'
/// weight plus its children's, added highest id first. Every sum adds the
/// same numbers in the same order as a reverse scan of the table followed
/// by a depth-first walk of children by id, so the weights are equal to
/// the last bit whatever they are.
fn sampled_frame_weights(
    stacks: &StackTable,
    samples: &[StackId],
    weights: &[f64],
    fw: &mut FrameWeights,
) -> Option<NodeWeights> {
    if stacks.is_empty() {
        return None;
    }
    let node_w = NodeWeights::new(stacks.len(), samples, weights);
    node_w.add_self(stacks.frames(), &mut fw.self_weight);
    // Per frame, on one cache line: its total so far and how many nodes of
    // it are on the path (leaving a node reads both).
    let mut per_frame = vec![PerFrame::default(); fw.present.len()];
    walk_runs(stacks, &node_w, Some(&mut per_frame));
    for ((pf, total), present) in per_frame.iter().zip(&mut fw.total_weight).zip(&mut fw.present) {
        *total = pf.total;
        *present = pf.present;
    }
    Some(node_w)
}

/// The walk of [`sampled_frame_weights`]: every node's subtree weight, and,
/// with `per_frame`, each frame's total and presence. Returns the weight of
/// the whole tree, as [`CallTree::new`] sums it for its root (the subtree
/// weights of the outermost nodes, the last one first).
fn walk_runs(stacks: &StackTable, node_w: &NodeWeights, mut per_frame: Option<&mut [PerFrame]>) -> f64 {
    let frames = stacks.frames();
    let runs = Runs::new(stacks, node_w);
    let mut open: Vec<OpenRun> = Vec::new();
    // Subtree weights of the runs attached at an open run's node being
    // left, walked so far, in walk order.
    let mut subs: Vec<f64> = Vec::new();
    // Subtree weights of the outermost nodes, in order.
    let mut outermost: Vec<f64> = Vec::new();
    for root in runs.roots.iter().map(|&r| r as usize) {
        open.push(runs.enter(root, frames, per_frame.as_deref_mut(), subs.len()));
        while let Some(top) = open.last_mut() {
            if top.next < top.kids_end {
                let child = runs.kids[top.next].1 as usize;
                top.next += 1;
                open.push(runs.enter(child, frames, per_frame.as_deref_mut(), subs.len()));
                continue;
            }
            // Every run attached at this node is walked: its subtree weight
            // is complete. Leave the node.
            let u = top.node;
            let mut sub = node_w.take(u, &mut top.weights);
            for &s in subs[top.base..].iter().rev() {
                sub += s;
            }
            subs.truncate(top.base);
            if let Some(below) = top.below {
                sub += below;
            }
            if let Some(per_frame) = per_frame.as_deref_mut() {
                let pf = &mut per_frame[frames[u] as usize];
                pf.on_path -= 1;
                if pf.on_path == 0 {
                    // Outermost of its frame on its path: counted once.
                    pf.total += sub;
                }
            }
            if u == top.first {
                open.pop();
                if open.is_empty() {
                    outermost.push(sub);
                } else {
                    subs.push(sub);
                }
            } else {
                top.below = Some(sub);
                top.node = u - 1;
                runs.seek(top);
            }
        }
    }
    outermost.iter().rev().fold(0.0, |total, &s| total + s)
}

/// A sampled profile's stack table read as its merged call tree (which it
/// is: a prefix tree of the stacks), without the copy [`CallTree::new`]
/// makes: node `i` of the table is node `i + 1` of the tree.
pub(crate) struct SampledTree<'p> {
    stacks: &'p StackTable,
    node_w: NodeWeights,
    /// The tree's total weight, as [`CallTree::new`] gives its root.
    pub(crate) total: f64,
}

impl<'p> SampledTree<'p> {
    pub(crate) fn new(stacks: &'p StackTable, samples: &[StackId], weights: &[f64]) -> SampledTree<'p> {
        let node_w = NodeWeights::new(stacks.len(), samples, weights);
        let total = if stacks.is_empty() { 0.0 } else { walk_runs(stacks, &node_w, None) };
        SampledTree { stacks, node_w, total }
    }

    /// Number of nodes (the root not counted).
    pub(crate) fn len(&self) -> usize {
        self.stacks.len()
    }

    /// Every node's parent ([`NO_STACK`] for an outermost one), frame and
    /// self weight, in id order.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = (StackId, FrameId, f64)> + '_ {
        let mut cursor = 0;
        self.stacks.nodes().enumerate().map(move |(i, (parent, frame, _))| {
            let w = match &self.node_w {
                NodeWeights::Dense(w) => w[i],
                NodeWeights::Sparse(used) => match used.get(cursor) {
                    Some(&(s, x)) if s as usize == i => {
                        cursor += 1;
                        x
                    }
                    _ => 0.0,
                },
            };
            (parent, frame, w)
        })
    }
}

/// What the walk of [`sampled_frame_weights`] keeps for a frame.
#[derive(Clone, Copy, Default)]
struct PerFrame {
    /// Total weight so far.
    total: f64,
    /// Nodes of the frame on the path to the node being left.
    on_path: u32,
    /// Whether a node has the frame.
    present: bool,
}

/// The summed sample weight of the nodes samples use: one per node, or,
/// when nodes far outnumber samples (stacks that share little), only the
/// used nodes', sorted by node.
pub(crate) enum NodeWeights {
    Dense(Vec<f64>),
    Sparse(Vec<(StackId, f64)>),
}

impl NodeWeights {
    /// The weights of a table of `n` nodes with these samples.
    pub(crate) fn new(n: usize, samples: &[StackId], weights: &[f64]) -> NodeWeights {
        if samples.len().saturating_mul(4) >= n {
            let mut w = vec![0.0f64; n];
            for (&s, &x) in samples.iter().zip(weights) {
                if s != NO_STACK {
                    w[s as usize] += x;
                }
            }
            return NodeWeights::Dense(w);
        }
        NodeWeights::Sparse(used_node_weights(samples, weights))
    }

    /// Every node with a weight above 0 and its weight, by id.
    pub(crate) fn positive(&self) -> Vec<(StackId, f64)> {
        match self {
            NodeWeights::Dense(w) => {
                w.iter().enumerate().filter(|&(_, &x)| x > 0.0).map(|(s, &x)| (s as StackId, x)).collect()
            }
            NodeWeights::Sparse(used) => used.iter().copied().filter(|&(_, x)| x > 0.0).collect(),
        }
    }

    /// Each node's weight added to its frame's self weight, in node order.
    fn add_self(&self, frames: &[u32], self_weight: &mut [f64]) {
        match self {
            NodeWeights::Dense(w) => {
                for (&x, &f) in w.iter().zip(frames) {
                    self_weight[f as usize] += x;
                }
            }
            NodeWeights::Sparse(used) => {
                for &(s, x) in used {
                    self_weight[frames[s as usize] as usize] += x;
                }
            }
        }
    }

    /// The weight of node `u`, the nodes of a run being taken from its last
    /// one up, `cursor` starting at its [`Run::weights`].
    fn take(&self, u: usize, cursor: &mut usize) -> f64 {
        match self {
            NodeWeights::Dense(w) => w[u],
            NodeWeights::Sparse(used) => match cursor.checked_sub(1).map(|c| (c, used[c])) {
                Some((c, (s, x))) if s as usize == u => {
                    *cursor = c;
                    x
                }
                _ => 0.0,
            },
        }
    }
}

/// The nodes that samples end on, by id, each with the sum of its
/// samples' weights, added in sample order from 0 (what a vector of a
/// weight per node, added to sample by sample, holds for them).
fn used_node_weights(samples: &[StackId], weights: &[f64]) -> Vec<(StackId, f64)> {
    // Sorted by node, then sample.
    let mut order: Vec<(StackId, usize)> =
        samples.iter().enumerate().filter(|&(_, &s)| s != NO_STACK).map(|(i, &s)| (s, i)).collect();
    order.sort_unstable();
    let mut used: Vec<(StackId, f64)> = Vec::new();
    for (s, i) in order {
        let x = weights.get(i).copied().unwrap_or(0.0);
        match used.last_mut() {
            Some(last) if last.0 == s => last.1 += x,
            _ => used.push((s, 0.0 + x)),
        }
    }
    used
}

/// A run of a stack table, as [`sampled_frame_weights`] walks it: all it
/// reads of a run on one cache line (runs are walked depth first, not in
/// order).
#[derive(Clone, Copy, Default)]
struct Run {
    /// Its first node and the node after its last.
    first: u32,
    end: u32,
    /// The runs attached to its nodes: `kids[kids_from..kids_to]`.
    kids_from: u32,
    kids_to: u32,
    /// With sparse [`NodeWeights`], where the used nodes after the run's
    /// last one begin.
    weights: usize,
}

/// A stack table's runs, and the runs attached to each run's nodes.
struct Runs {
    runs: Vec<Run>,
    /// Runs whose first node is outermost, in order.
    roots: Vec<u32>,
    /// Runs attached to other runs' nodes, as `(node, run)`, by the run
    /// they are attached to, then node, then run.
    kids: Vec<(StackId, u32)>,
}

/// A run being walked (see [`sampled_frame_weights`]).
struct OpenRun {
    /// Its first node.
    first: usize,
    /// The node being left.
    node: usize,
    /// `kids[kids_from..kids_left]`: runs attached at its nodes before
    /// `node`, not walked yet...
    kids_from: usize,
    kids_left: usize,
    /// ...and `kids[next..kids_end]`: those attached at `node`, not walked
    /// yet.
    next: usize,
    kids_end: usize,
    /// The subtree weight of the node after `node` in the run, once left.
    below: Option<f64>,
    /// Where this run's entries of `subs` begin.
    base: usize,
    /// Its [`Run::weights`], as taken so far.
    weights: usize,
}

impl Runs {
    fn new(stacks: &StackTable, node_w: &NodeWeights) -> Runs {
        let (first, parent) = stacks.runs();
        let count = first.len();
        let mut runs: Vec<Run> = (0..count)
            .map(|r| Run {
                first: first[r],
                end: first.get(r + 1).copied().unwrap_or(stacks.len() as StackId),
                ..Run::default()
            })
            .collect();
        // Count each run's attached runs, then place them.
        let mut roots = Vec::new();
        let mut owners = vec![0u32; count];
        for (r, &p) in parent.iter().enumerate() {
            if p == NO_STACK {
                roots.push(r as u32);
            } else {
                let o = stacks.run_of(p as usize);
                owners[r] = o as u32;
                runs[o].kids_to += 1;
            }
        }
        let mut at = 0;
        for run in &mut runs {
            run.kids_from = at;
            at += run.kids_to;
            run.kids_to = run.kids_from;
        }
        let mut kids = vec![(0, 0); at as usize];
        for (r, &p) in parent.iter().enumerate().filter(|&(_, &p)| p != NO_STACK) {
            let run = &mut runs[owners[r] as usize];
            kids[run.kids_to as usize] = (p, r as u32);
            run.kids_to += 1;
        }
        for run in &runs {
            let group = &mut kids[run.kids_from as usize..run.kids_to as usize];
            if group.len() > 1 {
                group.sort_unstable();
            }
        }
        if let NodeWeights::Sparse(used) = node_w {
            // A merge of the runs' ends with the used nodes.
            let mut at = 0;
            for run in &mut runs {
                while at < used.len() && used[at].0 < run.end {
                    at += 1;
                }
                run.weights = at;
            }
        }
        Runs { runs, roots, kids }
    }

    /// Enter run `r`: every node of it counted on the path; ready to leave
    /// its last node.
    fn enter(&self, r: usize, frames: &[u32], per_frame: Option<&mut [PerFrame]>, base: usize) -> OpenRun {
        let run = self.runs[r];
        let (a, b) = (run.first as usize, run.end as usize);
        if let Some(per_frame) = per_frame {
            for &f in &frames[a..b] {
                let pf = &mut per_frame[f as usize];
                pf.on_path += 1;
                pf.present = true;
            }
        }
        let mut o = OpenRun {
            first: a,
            node: b - 1,
            kids_from: run.kids_from as usize,
            kids_left: run.kids_to as usize,
            next: 0,
            kids_end: 0,
            below: None,
            base,
            weights: run.weights,
        };
        self.seek(&mut o);
        o
    }

    /// Point `o` at the runs attached at its node: the last ones of those
    /// left.
    fn seek(&self, o: &mut OpenRun) {
        let mut a = o.kids_left;
        while a > o.kids_from && self.kids[a - 1].0 as usize == o.node {
            a -= 1;
        }
        o.next = a;
        o.kids_end = o.kids_left;
        o.kids_left = a;
    }
}

/// One node of a [`CallTree`].
#[derive(Clone, Debug, PartialEq)]
pub struct CallNode {
    /// The frame, or `None` for the root.
    pub frame: Option<FrameId>,
    /// Parent node index (the root is its own parent).
    pub parent: u32,
    /// Depth: 0 for the root, 1 for outermost frames.
    pub depth: u32,
    /// Weight with this node innermost.
    pub self_weight: f64,
    /// Weight of this node and everything it calls.
    pub total_weight: f64,
    /// Children, heaviest first (ties broken by frame id).
    pub children: Vec<u32>,
}

/// The merged ("left heavy") call tree of one profile: identical call paths
/// are merged and children are ordered heaviest first. Node 0 is a virtual
/// root whose total is the profile's total weight.
#[derive(Clone, Debug, PartialEq)]
pub struct CallTree {
    /// All nodes; index 0 is the root. A parent's index is smaller than its children's.
    pub nodes: Vec<CallNode>,
}

impl CallTree {
    /// Build the merged call tree of `profile`. Linear time, iterative.
    pub fn new(profile: &Profile) -> CallTree {
        let mut nodes = vec![CallNode {
            frame: None,
            parent: 0,
            depth: 0,
            self_weight: 0.0,
            total_weight: 0.0,
            children: Vec::new(),
        }];
        match &profile.data {
            ProfileData::Sampled { stacks, samples, weights } => {
                // The stack table is already a prefix tree: node i → i + 1.
                for (p, frame, depth) in stacks.nodes() {
                    let parent = if p == NO_STACK { 0 } else { p + 1 };
                    nodes.push(CallNode {
                        frame: Some(frame),
                        parent,
                        depth,
                        self_weight: 0.0,
                        total_weight: 0.0,
                        children: Vec::new(),
                    });
                }
                for (&s, &w) in samples.iter().zip(weights) {
                    if s != NO_STACK {
                        nodes[s as usize + 1].self_weight += w;
                    }
                }
            }
            ProfileData::Evented { .. } => {
                let mut index: HashMap<(u32, FrameId), u32> = HashMap::new();
                let mut path: Vec<u32> = vec![0];
                let mut last = profile.start_value;
                profile.walk(&mut |ev: WalkEvent| {
                    let top = *path.last().unwrap_or(&0);
                    if top != 0 {
                        nodes[top as usize].self_weight += ev.at - last;
                    }
                    last = ev.at;
                    if ev.open {
                        let next = nodes.len() as u32;
                        let id = *index.entry((top, ev.frame)).or_insert(next);
                        if id == next {
                            let depth = nodes[top as usize].depth + 1;
                            nodes.push(CallNode {
                                frame: Some(ev.frame),
                                parent: top,
                                depth,
                                self_weight: 0.0,
                                total_weight: 0.0,
                                children: Vec::new(),
                            });
                        }
                        path.push(id);
                    } else if path.len() > 1 {
                        path.pop();
                    }
                });
            }
        }
        for n in nodes.iter_mut() {
            n.total_weight = n.self_weight;
        }
        for i in (1..nodes.len()).rev() {
            let p = nodes[i].parent as usize;
            let w = nodes[i].total_weight;
            nodes[p].total_weight += w;
            nodes[p].children.push(i as u32);
        }
        let keys: Vec<(f64, u32)> = nodes.iter().map(|n| (n.total_weight, n.frame.unwrap_or(0))).collect();
        for n in nodes.iter_mut() {
            n.children.sort_by(|&a, &b| {
                let (wa, fa) = keys[a as usize];
                let (wb, fb) = keys[b as usize];
                wb.total_cmp(&wa).then(fa.cmp(&fb))
            });
        }
        CallTree { nodes }
    }

    /// The root node.
    pub fn root(&self) -> &CallNode {
        &self.nodes[0]
    }

    /// Deepest node depth (0 for an empty profile).
    pub fn max_depth(&self) -> u32 {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// Frames from the outermost frame down to `node`.
    pub fn path(&self, node: u32) -> Vec<FrameId> {
        let mut out = Vec::new();
        let mut cur = node as usize;
        while cur != 0 && cur < self.nodes.len() {
            if let Some(f) = self.nodes[cur].frame {
                out.push(f);
            }
            cur = self.nodes[cur].parent as usize;
        }
        out.reverse();
        out
    }
}
