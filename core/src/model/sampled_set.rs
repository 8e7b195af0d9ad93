//! Several sampled profiles over one sequence of samples (pprof's sample
//! types: each sample has one value per type), walking each sample's stack
//! once into one shared prefix tree instead of once per profile.

use std::sync::Arc;

use super::builder::{GroupBuilder, SampledBuilder};
use super::frame::{FrameId, ValueUnit};
use super::profile::{Profile, StackId, StackTable, NO_STACK};
use crate::error::Result;

/// Builds several sampled profiles whose samples share their stacks. Get one
/// from [`GroupBuilder::sampled_set`].
///
/// Each profile comes out equal to what a [`SampledBuilder`] would have built
/// alone from the samples pushed to it: a stack table holding only the nodes
/// its samples use, numbered in the order it would have created them. The
/// stacks are walked once, into one table; the profiles that were given
/// every stack walked (the usual case) all share that table (one
/// `Arc<StackTable>`, not a copy each), the others get the part of it they
/// use, renumbered.
///
/// ```
/// use flamekit_core::{Frame, GroupBuilder, IngestLimits, ProfileData, ValueUnit};
/// let mut g = GroupBuilder::new("example", &IngestLimits::default());
/// let a = g.frame(Frame::new("main")).unwrap();
/// let b = g.frame(Frame::new("work")).unwrap();
/// let mut set = g.sampled_set([("count", ValueUnit::None), ("cpu", ValueUnit::Nanoseconds)]);
/// let ab = set.stack_id(&[a, b]).unwrap();
/// set.push_sample(0, ab, 1.0).unwrap();
/// set.push_sample(1, ab, 10.0).unwrap();
/// let only_a = set.stack_id(&[a]).unwrap();
/// set.push_sample(1, only_a, 5.0).unwrap();
/// for p in set.finish() {
///     g.push_profile(p).unwrap();
/// }
/// let (group, _) = g.finish(0).unwrap();
/// let ProfileData::Sampled { stacks, .. } = group.profiles()[0].data() else { unreachable!() };
/// assert_eq!(stacks.len(), 2);
/// assert_eq!(group.profiles()[1].total_weight(), 15.0);
/// ```
#[derive(Debug)]
pub struct SampledSetBuilder {
    /// The shared prefix tree; its own sample list stays empty.
    trie: SampledBuilder,
    parts: Vec<Part>,
    /// Node count of the trie before the latest walk, and the node it gave.
    last_walk: (usize, StackId),
    /// The nodes of a [`SampledSetBuilder::path`] (not used).
    scratch: Vec<StackId>,
}

#[derive(Debug)]
struct Part {
    /// Samples on the trie's nodes until [`SampledSetBuilder::finish`].
    builder: SampledBuilder,
    /// True while this profile's own table would be the trie's first
    /// `seen` nodes: every walk that created nodes was pushed to it.
    same: bool,
    seen: usize,
}

impl GroupBuilder {
    /// Start sampled profiles, one per `(name, unit)`, whose samples share
    /// their stacks (see [`SampledSetBuilder`]). Their samples count against
    /// this group's sample limit.
    pub fn sampled_set<N: Into<String>>(
        &self,
        profiles: impl IntoIterator<Item = (N, ValueUnit)>,
    ) -> SampledSetBuilder {
        let parts = profiles
            .into_iter()
            .map(|(name, unit)| Part { builder: self.sampled(name, unit), same: true, seen: 0 })
            .collect();
        SampledSetBuilder {
            trie: self.sampled("", ValueUnit::None),
            parts,
            last_walk: (0, NO_STACK),
            scratch: Vec::new(),
        }
    }
}

impl SampledSetBuilder {
    /// Number of profiles.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// True when there are no profiles.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The shared node for a whole stack (outermost frame first), as
    /// [`SampledBuilder::stack_id`]; pass it to
    /// [`SampledSetBuilder::push_sample`].
    pub fn stack_id(&mut self, stack: &[FrameId]) -> Result<StackId> {
        let before = self.trie.stacks().len();
        let id = self.trie.stack_id(stack)?;
        self.last_walk = (before, id);
        Ok(id)
    }

    /// The number of nodes of the shared table: pass it, taken before a
    /// stack's first step, to [`SampledSetBuilder::path`].
    pub fn node_count(&self) -> usize {
        self.trie.stacks().len()
    }

    /// The shared node for `frames` called from shared node `parent`
    /// (outermost first), as [`SampledBuilder::path`]: for a stack found
    /// in steps, each from the node the step before gave (e.g. a part of
    /// the stack kept from an earlier sample). `walk_start`: the
    /// [`SampledSetBuilder::node_count`] before the stack's first step, so
    /// the profiles' tables come out as with one [`SampledSetBuilder::stack_id`].
    pub fn path(&mut self, walk_start: usize, parent: StackId, frames: &[FrameId]) -> Result<StackId> {
        self.scratch.clear();
        let id = self.trie.path(parent, frames, &mut self.scratch)?;
        self.last_walk = (walk_start, id);
        Ok(id)
    }

    /// Append a sample of weight `weight` on shared node `stack` to profile
    /// `profile` (checked as [`SampledBuilder::push_sample`]).
    pub fn push_sample(&mut self, profile: usize, stack: StackId, weight: f64) -> Result<()> {
        let nodes = self.trie.stacks().len();
        let Some(part) = self.parts.get_mut(profile) else {
            return Err(crate::Error::Internal { message: format!("no profile {profile} in this set") });
        };
        part.builder.record(stack, weight, nodes)?;
        let (before, last) = self.last_walk;
        part.same &= part.seen == before && stack == last || part.seen == nodes;
        part.seen = nodes;
        Ok(())
    }

    /// The profiles, in the order they were given.
    pub fn finish(self) -> Vec<Profile> {
        let SampledSetBuilder { trie, parts, .. } = self;
        // Profiles that take the whole shared table share it (no copy).
        let shared = Arc::new(trie.into_stacks());
        parts
            .into_iter()
            .map(|part| {
                if part.same && part.seen == shared.len() {
                    part.builder.finish_with(Arc::clone(&shared), |s| s)
                } else if part.same {
                    part.builder.finish_with(Arc::new(shared.prefix(part.seen)), |s| s)
                } else {
                    let (t, map) = subtable(&shared, part.builder.sample_nodes());
                    part.builder.finish_with(Arc::new(t), |s| if s == NO_STACK { s } else { map[s as usize] })
                }
            })
            .collect()
    }
}

/// The nodes of `trie` that `samples` use (and their ancestors), numbered in
/// the order a table built from these samples alone creates them, and the
/// map from trie nodes to them ([`NO_STACK`] for nodes left out).
fn subtable(trie: &StackTable, samples: &[StackId]) -> (StackTable, Vec<StackId>) {
    let mut map = vec![NO_STACK; trie.len()];
    let mut out = StackTable::default();
    let mut chain = Vec::new();
    for &s in samples {
        // The unmapped ancestors of `s` (a mapped node's ancestors are all
        // mapped), created outermost first as a walk of this stack would.
        let mut cur = s;
        while cur != NO_STACK && map[cur as usize] == NO_STACK {
            chain.push(cur);
            cur = trie.parent(cur);
        }
        // The chain hangs below `cur`, mapped (or none): each node's parent
        // is the one created before it, one level up.
        let mut parent = if cur == NO_STACK { NO_STACK } else { map[cur as usize] };
        let mut depth = out.depth(parent);
        while let Some(n) = chain.pop() {
            depth += 1;
            let id = out.len() as StackId;
            out.push(parent, trie.frame(n), depth);
            map[n as usize] = id;
            parent = id;
        }
    }
    (out, map)
}
