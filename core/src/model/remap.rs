//! Rewriting the frames of a finished group (symbolication passes such as
//! JavaScript source maps), keeping every model invariant.

use std::collections::HashMap;
use std::sync::Arc;

use super::frame::{Frame, FrameId};
use super::profile::{ProfileData, ProfileGroup, StackId, StackTable, NO_STACK};

impl ProfileGroup {
    /// Replace frames: `f` sees each frame (with its id) and returns the frame
    /// that replaces it, or `None` to keep it. Returns how many frames were
    /// replaced by a different frame.
    ///
    /// Frames stay interned: when replacements make two frames equal, they
    /// become one frame (the first by id keeps its place, ids are renumbered
    /// in order), and the stacks and events that used them are merged, so
    /// weights of the merged frame are the sums. Sample weights, order and
    /// time ranges do not change. Without any replacement the group is left
    /// exactly as it was.
    ///
    /// ```
    /// use flamekit_core::{Frame, GroupBuilder, IngestLimits, ValueUnit};
    /// let mut g = GroupBuilder::new("example", &IngestLimits::default());
    /// let a = g.frame(Frame::new("a")).unwrap();
    /// let b = g.frame(Frame::new("b")).unwrap();
    /// let mut p = g.sampled("cpu", ValueUnit::None);
    /// p.push_stack(&[a], 1.0).unwrap();
    /// p.push_stack(&[b], 2.0).unwrap();
    /// g.push_profile(p.finish()).unwrap();
    /// let (mut group, _) = g.finish(0).unwrap();
    /// // Rename `b` to `a`: both frames become one.
    /// let changed = group.remap_frames(|_, f| (f.name == "b").then(|| Frame::new("a")));
    /// assert_eq!(changed, 1);
    /// assert_eq!(group.frames(), &[Frame::new("a")]);
    /// assert_eq!(group.profiles()[0].total_weight(), 3.0);
    /// ```
    pub fn remap_frames(&mut self, mut f: impl FnMut(FrameId, &Frame) -> Option<Frame>) -> usize {
        let mut changed = 0;
        for (id, frame) in self.frames.iter_mut().enumerate() {
            if let Some(new) = f(id as FrameId, frame) {
                if new != *frame {
                    *frame = new;
                    changed += 1;
                }
            }
        }
        if changed > 0 {
            self.merge_equal_frames();
        }
        changed
    }

    /// Make equal frames one frame again and rewrite every reference.
    fn merge_equal_frames(&mut self) {
        let mut first: HashMap<&Frame, FrameId> = HashMap::with_capacity(self.frames.len());
        // Old id → new id.
        let mut new_id: Vec<FrameId> = Vec::with_capacity(self.frames.len());
        let mut keep: Vec<bool> = Vec::with_capacity(self.frames.len());
        let mut next: FrameId = 0;
        for frame in &self.frames {
            match first.get(frame) {
                Some(&id) => {
                    new_id.push(id);
                    keep.push(false);
                }
                None => {
                    first.insert(frame, next);
                    new_id.push(next);
                    keep.push(true);
                    next += 1;
                }
            }
        }
        drop(first);
        if next as usize == self.frames.len() {
            return;
        }
        let mut k = keep.iter();
        self.frames.retain(|_| *k.next().unwrap_or(&true));
        for p in &mut self.profiles {
            match &mut p.data {
                ProfileData::Sampled { stacks, samples, .. } => {
                    let (table, node_map) = remap_stacks(stacks, &new_id);
                    *stacks = Arc::new(table);
                    for s in samples.iter_mut() {
                        if *s != NO_STACK {
                            *s = node_map[*s as usize];
                        }
                    }
                }
                ProfileData::Evented { events } => {
                    for e in events.iter_mut() {
                        e.frame = new_id[e.frame as usize];
                    }
                }
            }
        }
    }
}

/// `stacks` with frame ids rewritten by `new_id` and nodes that became equal
/// (same parent, same frame) merged; also the old node → new node map.
fn remap_stacks(stacks: &StackTable, new_id: &[FrameId]) -> (StackTable, Vec<StackId>) {
    let mut out = StackTable::default();
    let mut node_map: Vec<StackId> = Vec::with_capacity(stacks.len());
    let mut index: HashMap<(StackId, FrameId), StackId> = HashMap::with_capacity(stacks.len());
    // Parents have smaller ids than children, so one forward pass sees every
    // parent's new id before its children.
    for (parent, frame, depth) in stacks.nodes() {
        let parent = if parent == NO_STACK { NO_STACK } else { node_map[parent as usize] };
        let frame = new_id[frame as usize];
        let id = *index.entry((parent, frame)).or_insert_with(|| {
            out.push(parent, frame, depth);
            (out.len() - 1) as StackId
        });
        node_map.push(id);
    }
    (out, node_map)
}

#[cfg(test)]
mod tests {
    use crate::{Frame, GroupBuilder, IngestLimits, ProfileData, ValueUnit};

    fn loc(name: &str, line: u32) -> Frame {
        Frame::with_location(name, Some("min.js".into()), Some(1), Some(line))
    }

    #[test]
    fn no_replacement_leaves_the_group_untouched() {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let a = g.frame(loc("a", 10)).unwrap();
        let mut p = g.sampled("cpu", ValueUnit::None);
        p.push_stack(&[a], 1.0).unwrap();
        g.push_profile(p.finish()).unwrap();
        let (mut group, _) = g.finish(0).unwrap();
        let before = group.clone();
        assert_eq!(group.remap_frames(|_, _| None), 0);
        assert_eq!(group.remap_frames(|_, f| Some(f.clone())), 0);
        assert_eq!(group, before);
    }

    #[test]
    fn merged_frames_merge_stacks_and_keep_weights() {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let main = g.frame(loc("m", 1)).unwrap();
        let x = g.frame(loc("x", 10)).unwrap();
        let y = g.frame(loc("y", 20)).unwrap();
        let z = g.frame(loc("z", 30)).unwrap();
        let mut p = g.sampled("cpu", ValueUnit::None);
        p.push_stack(&[main, x, z], 1.0).unwrap();
        p.push_stack(&[main, y, z], 2.0).unwrap();
        p.push_stack(&[], 4.0).unwrap();
        p.push_stack(&[main, y], 8.0).unwrap();
        g.push_profile(p.finish()).unwrap();
        let mut e = g.evented("ev", ValueUnit::None);
        e.open(x, 0.0).unwrap();
        e.open(y, 1.0).unwrap();
        e.close(y, 2.0).unwrap();
        e.close(x, 3.0).unwrap();
        g.push_profile(e.finish().unwrap()).unwrap();
        let (mut group, _) = g.finish(0).unwrap();
        // x and y are two minified spots of one original function `f`.
        let n = group.remap_frames(|_, f| matches!(f.name.as_str(), "x" | "y").then(|| Frame::new("f")));
        assert_eq!(n, 2);
        let names: Vec<&str> = group.frames().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["m", "f", "z"]);
        let p = &group.profiles()[0];
        assert_eq!(p.total_weight(), 11.0);
        let ProfileData::Sampled { stacks, samples, weights } = p.data() else { panic!("sampled") };
        // m, m>f, m>f>z: the two branches became one.
        assert_eq!(stacks.len(), 3);
        let got: Vec<Vec<u32>> =
            samples.iter().map(|&s| if s == crate::NO_STACK { vec![] } else { stacks.stack(s) }).collect();
        assert_eq!(got, [vec![0, 1, 2], vec![0, 1, 2], vec![], vec![0, 1]]);
        assert_eq!(weights, &[1.0, 2.0, 4.0, 8.0]);
        let fw = p.frame_weights(group.frames().len());
        assert_eq!(fw.total_weight, vec![11.0, 11.0, 3.0]);
        // The evented profile: f inside f, counted once.
        let ev = &group.profiles()[1];
        let fw = ev.frame_weights(group.frames().len());
        assert_eq!(fw.total_weight[1], 3.0);
        assert_eq!(ev.total_weight(), 3.0);
    }
}
