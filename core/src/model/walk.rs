use super::frame::FrameId;
use super::profile::{EventKind, Profile, ProfileData, StackId, NO_STACK};

/// One step of a time-ordered walk over a profile's calls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WalkEvent {
    /// True when the frame is entered, false when it is left.
    pub open: bool,
    /// The frame.
    pub frame: FrameId,
    /// Number of frames below this one on the stack (0 for an outermost frame).
    pub depth: usize,
    /// Time in the profile's unit (absolute: starts at `start_value`).
    pub at: f64,
}

/// Something that receives a time-ordered walk. Implemented for every
/// `FnMut(WalkEvent)`.
pub trait CallVisitor {
    /// Called once per enter or leave, in time order.
    fn visit(&mut self, event: WalkEvent);
}

impl<F: FnMut(WalkEvent)> CallVisitor for F {
    fn visit(&mut self, event: WalkEvent) {
        self(event)
    }
}

impl Profile {
    /// Walk the calls in time order, as a flamechart shows them. Sampled
    /// profiles are laid out back to back from `start_value`; consecutive
    /// samples sharing a stack prefix keep those frames open (as speedscope
    /// does). Every opened frame is closed. Iterative: any depth is fine.
    pub fn walk<V: CallVisitor>(&self, visitor: &mut V) {
        self.walk_within(usize::MAX, visitor)
    }

    /// [`Profile::walk`], but only the calls at depths below `max_depth`
    /// (the events [`Profile::walk`] gives with `depth < max_depth`, in the
    /// same order), at the cost of those: a sampled profile's samples are
    /// cut to their callers at that depth first (one pass over its stack
    /// nodes), so samples of deep stacks that differ only below it cost
    /// nothing. For a view that shows some rows of a flame chart.
    pub fn walk_within<V: CallVisitor>(&self, max_depth: usize, visitor: &mut V) {
        match &self.data {
            ProfileData::Evented { events } => {
                let mut depth = 0usize;
                for e in events {
                    match e.kind {
                        EventKind::Open => {
                            if depth < max_depth {
                                visitor.visit(WalkEvent { open: true, frame: e.frame, depth, at: e.at });
                            }
                            depth += 1;
                        }
                        EventKind::Close => {
                            depth = depth.saturating_sub(1);
                            if depth < max_depth {
                                visitor.visit(WalkEvent { open: false, frame: e.frame, depth, at: e.at });
                            }
                        }
                    }
                }
            }
            ProfileData::Sampled { stacks, samples, weights } => {
                // Each node's caller at depth `max_depth` (itself when it
                // is no deeper); parents come before their children.
                let cut: Option<Vec<StackId>> = (max_depth < stacks.max_depth() as usize).then(|| {
                    let mut cut: Vec<StackId> = Vec::with_capacity(stacks.len());
                    for (i, (parent, _, depth)) in stacks.nodes().enumerate() {
                        cut.push(if depth as usize <= max_depth {
                            i as StackId
                        } else {
                            cut.get(parent as usize).copied().unwrap_or(NO_STACK)
                        });
                    }
                    cut
                });
                let top = |s: StackId| match &cut {
                    Some(cut) if s != NO_STACK => cut[s as usize],
                    _ => s,
                };
                // `prev`'s depth is carried from sample to sample, and each
                // step up the tree takes one off. A parent's id is smaller
                // than its children's, so of two different nodes the one
                // with the larger id is no ancestor of the other: the walk
                // up from both meets at their common ancestor without
                // reading a depth ([`NO_STACK`] counts as the smallest id).
                let mut prev = NO_STACK;
                let mut prev_depth = 0usize;
                let mut t = self.start_value;
                let mut path: Vec<u32> = Vec::new();
                let key = |n: StackId| n.wrapping_add(1);
                for (&s, &w) in samples.iter().zip(weights) {
                    let s = top(s);
                    if s != prev {
                        let (mut a, mut da) = (prev, prev_depth);
                        let mut b = s;
                        path.clear();
                        while a != b {
                            if key(a) > key(b) {
                                da -= 1;
                                visitor.visit(WalkEvent { open: false, frame: stacks.frame(a), depth: da, at: t });
                                a = stacks.parent(a);
                            } else {
                                path.push(b);
                                b = stacks.parent(b);
                            }
                        }
                        for (k, &n) in path.iter().rev().enumerate() {
                            visitor.visit(WalkEvent { open: true, frame: stacks.frame(n), depth: da + k, at: t });
                        }
                        prev = s;
                        prev_depth = da + path.len();
                    }
                    t += w;
                }
                let mut a = prev;
                let mut d = prev_depth;
                while a != NO_STACK {
                    d -= 1;
                    visitor.visit(WalkEvent { open: false, frame: stacks.frame(a), depth: d, at: t });
                    a = stacks.parent(a);
                }
            }
        }
    }
}
