use std::collections::HashMap;

use super::frame::FrameId;
use super::profile::{Profile, ProfileData, NO_STACK};
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
        let mut fw = FrameWeights {
            self_weight: vec![0.0; frame_count],
            total_weight: vec![0.0; frame_count],
            present: vec![false; frame_count],
        };
        match &self.data {
            ProfileData::Sampled { stacks, samples, weights } => {
                let n = stacks.len();
                let mut node_w = vec![0.0f64; n];
                for (&s, &w) in samples.iter().zip(weights) {
                    if s != NO_STACK {
                        node_w[s as usize] += w;
                    }
                }
                for (&w, &f) in node_w.iter().zip(stacks.frames()) {
                    let f = f as usize;
                    fw.self_weight[f] += w;
                    fw.present[f] = true;
                }
                let parents: Vec<u32> = stacks.nodes().map(|(p, _, _)| p).collect();
                // Subtree sums: children have larger ids than parents.
                let mut sub = node_w;
                for i in (0..n).rev() {
                    let p = parents[i];
                    if p != NO_STACK {
                        let w = sub[i];
                        sub[p as usize] += w;
                    }
                }
                // Children lists (CSR) for an iterative DFS that knows which
                // frames are already on the path.
                let mut first = vec![0u32; n + 1];
                let mut roots = Vec::new();
                for (i, &p) in parents.iter().enumerate() {
                    if p == NO_STACK {
                        roots.push(i as u32);
                    } else {
                        first[p as usize + 1] += 1;
                    }
                }
                for i in 0..n {
                    first[i + 1] += first[i];
                }
                let mut fill = first.clone();
                let mut children = vec![0u32; first[n] as usize];
                for (i, &p) in parents.iter().enumerate() {
                    if p != NO_STACK {
                        children[fill[p as usize] as usize] = i as u32;
                        fill[p as usize] += 1;
                    }
                }
                let mut on_path = vec![0u32; frame_count];
                // (node, entered): entered=false → first visit.
                let mut todo: Vec<(u32, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
                while let Some((node, entered)) = todo.pop() {
                    let f = stacks.frame(node) as usize;
                    if entered {
                        on_path[f] -= 1;
                        continue;
                    }
                    if on_path[f] == 0 {
                        fw.total_weight[f] += sub[node as usize];
                    }
                    on_path[f] += 1;
                    todo.push((node, true));
                    let (a, b) = (first[node as usize] as usize, first[node as usize + 1] as usize);
                    for &c in children[a..b].iter().rev() {
                        todo.push((c, false));
                    }
                }
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
        fw
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
