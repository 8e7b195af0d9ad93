use std::sync::Arc;

use super::frame::{Frame, FrameId, ValueUnit};

/// Index of a node in a [`StackTable`].
pub type StackId = u32;

/// The empty stack (an idle sample).
pub const NO_STACK: StackId = u32::MAX;

/// A prefix tree of stacks: node `i` is frame `frame(i)` called from node
/// `parent(i)`. Parents always have smaller ids than their children, so a
/// reverse scan visits children before parents.
///
/// Stored by *runs*: a run is a node whose parent is not the node just
/// before it, followed by the nodes whose parent is (a new stack's frames
/// below the first one it does not share are such nodes, one after the
/// other). A node costs its frame and a bit; a run its first node, parent
/// and depth. On profiles whose stacks share little (most nodes in long
/// runs) that is under half the memory of a parent and a depth per node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackTable {
    frames: Vec<FrameId>,
    /// Which nodes start a run, 64 a word.
    words: Vec<Word>,
    /// Each run's first node, in order.
    run_first: Vec<StackId>,
    /// Each run's first node's parent.
    run_parent: Vec<StackId>,
    /// Each run's first node's depth.
    run_depth: Depths,
}

/// 64 nodes of a [`StackTable`]: which of them start a run, and how many
/// runs start before them (one cache line for both).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Word {
    /// Bit `i % 64` is set when node `i` starts a run.
    starts: u64,
    /// Runs started before the word's first node.
    runs_before: u32,
}

/// Depths of a [`StackTable`]'s runs: two bytes each while every depth fits
/// in `u16` (all but the rarest profiles), four bytes from the first deeper
/// one on.
#[derive(Clone, Debug)]
pub(crate) enum Depths {
    /// Every depth is at most `u16::MAX`.
    Narrow(Vec<u16>),
    /// Some depth is not.
    Wide(Vec<u32>),
}

impl Default for Depths {
    fn default() -> Self {
        Depths::Narrow(Vec::new())
    }
}

/// Equal when they hold the same depths, however stored.
impl PartialEq for Depths {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Depths::Narrow(a), Depths::Narrow(b)) => a == b,
            (Depths::Wide(a), Depths::Wide(b)) => a == b,
            _ => self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i)),
        }
    }
}

impl Depths {
    /// Number of depths.
    pub(crate) fn len(&self) -> usize {
        match self {
            Depths::Narrow(v) => v.len(),
            Depths::Wide(v) => v.len(),
        }
    }

    /// Depth `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        match self {
            Depths::Narrow(v) => u32::from(v[i]),
            Depths::Wide(v) => v[i],
        }
    }

    /// Append depth `d`.
    #[inline]
    pub(crate) fn push(&mut self, d: u32) {
        match self {
            Depths::Narrow(v) => match u16::try_from(d) {
                Ok(d) => v.push(d),
                Err(_) => {
                    let mut w = Vec::with_capacity(v.len() + 1);
                    w.extend(v.iter().map(|&d| u32::from(d)));
                    w.push(d);
                    *self = Depths::Wide(w);
                }
            },
            Depths::Wide(v) => v.push(d),
        }
    }

    /// Give back room reserved and not used.
    fn shrink_to_fit(&mut self) {
        match self {
            Depths::Narrow(v) => v.shrink_to_fit(),
            Depths::Wide(v) => v.shrink_to_fit(),
        }
    }

    /// Bytes of heap the depths hold.
    fn heap_bytes(&self) -> usize {
        match self {
            Depths::Narrow(v) => v.capacity() * std::mem::size_of::<u16>(),
            Depths::Wide(v) => v.capacity() * std::mem::size_of::<u32>(),
        }
    }

    /// A copy of the first `len` depths.
    fn prefix(&self, len: usize) -> Depths {
        match self {
            Depths::Narrow(v) => Depths::Narrow(v[..len].to_vec()),
            Depths::Wide(v) => Depths::Wide(v[..len].to_vec()),
        }
    }
}

impl StackTable {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.frames.len()
    }
    /// Give back what was reserved and not used (an importer reserves nodes
    /// from its input's size: on stacks that share much, far more than it
    /// makes). For a large table the allocator shrinks the block in place.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.frames.shrink_to_fit();
        self.words.shrink_to_fit();
        self.run_first.shrink_to_fit();
        self.run_parent.shrink_to_fit();
        self.run_depth.shrink_to_fit();
    }
    /// Bytes of heap the table holds: its vectors' capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.frames.capacity() * size_of::<FrameId>()
            + self.words.capacity() * size_of::<Word>()
            + (self.run_first.capacity() + self.run_parent.capacity()) * size_of::<StackId>()
            + self.run_depth.heap_bytes()
    }
    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
    /// A copy of the first `len` nodes (a prefix is a table: parents come
    /// first).
    pub(crate) fn prefix(&self, len: usize) -> StackTable {
        let len = len.min(self.len());
        let words = len.div_ceil(64);
        let mut kept = self.words[..words].to_vec();
        if let Some(last) = kept.last_mut().filter(|_| !len.is_multiple_of(64)) {
            last.starts &= (1u64 << (len % 64)) - 1;
        }
        let runs = self.run_first.partition_point(|&f| (f as usize) < len);
        StackTable {
            frames: self.frames[..len].to_vec(),
            words: kept,
            run_first: self.run_first[..runs].to_vec(),
            run_parent: self.run_parent[..runs].to_vec(),
            run_depth: self.run_depth.prefix(runs),
        }
    }
    /// True when node `i` starts a run: its parent is not node `i - 1`.
    #[inline]
    pub(crate) fn starts_run(&self, i: usize) -> bool {
        self.words[i / 64].starts >> (i % 64) & 1 == 1
    }
    /// Runs started before node `i` (`i` a node).
    #[inline]
    fn runs_before(&self, i: usize) -> usize {
        let w = self.words[i / 64];
        w.runs_before as usize + (w.starts & ((1u64 << (i % 64)) - 1)).count_ones() as usize
    }
    /// The runs: each one's first node and that node's parent, in order
    /// (a run ends where the next one starts, the last one at the end).
    pub(crate) fn runs(&self) -> (&[StackId], &[StackId]) {
        (&self.run_first, &self.run_parent)
    }
    /// The run holding node `i` (`i` a node).
    #[inline]
    pub(crate) fn run_of(&self, i: usize) -> usize {
        // The last run that starts at or before `i` (node 0 starts the first).
        self.runs_before(i) + usize::from(self.starts_run(i)) - 1
    }
    /// Parent of `id`, or [`NO_STACK`] for an outermost frame.
    #[inline]
    pub fn parent(&self, id: StackId) -> StackId {
        let i = id as usize;
        if self.starts_run(i) {
            self.run_parent[self.runs_before(i)]
        } else {
            id - 1
        }
    }
    /// Frame of node `id`.
    #[inline]
    pub fn frame(&self, id: StackId) -> FrameId {
        self.frames[id as usize]
    }
    /// Every node's frame, by id.
    pub(crate) fn frames(&self) -> &[FrameId] {
        &self.frames
    }
    /// Depth of node `id` (1 for an outermost frame); 0 for [`NO_STACK`].
    #[inline]
    pub fn depth(&self, id: StackId) -> u32 {
        if id == NO_STACK {
            return 0;
        }
        let run = self.run_of(id as usize);
        self.run_depth.get(run) + (id - self.run_first[run])
    }
    /// The largest depth of a node (0 for an empty table): read from the
    /// runs (a run's last node is its deepest), not node by node.
    pub fn max_depth(&self) -> u32 {
        let ends = self.run_first.iter().skip(1).map(|&f| f as usize).chain([self.len()]);
        self.run_first
            .iter()
            .zip(ends)
            .enumerate()
            .map(|(r, (&first, end))| self.run_depth.get(r) + (end - 1 - first as usize) as u32)
            .max()
            .unwrap_or(0)
    }
    /// Every node's `(parent, frame, depth)`, in id order: a scan of the
    /// table, cheaper than asking [`StackTable::parent`] and
    /// [`StackTable::depth`] node by node.
    ///
    /// ```
    /// use flamekit_core::{Frame, GroupBuilder, IngestLimits, ProfileData, ValueUnit, NO_STACK};
    /// let mut g = GroupBuilder::new("example", &IngestLimits::default());
    /// let (a, b) = (g.frame(Frame::new("a")).unwrap(), g.frame(Frame::new("b")).unwrap());
    /// let mut p = g.sampled("cpu", ValueUnit::None);
    /// p.push_stack(&[a, b], 1.0).unwrap();
    /// p.push_stack(&[b], 1.0).unwrap();
    /// let profile = p.finish();
    /// let ProfileData::Sampled { stacks, .. } = profile.data() else { unreachable!() };
    /// let nodes: Vec<_> = stacks.nodes().collect();
    /// assert_eq!(nodes, [(NO_STACK, a, 1), (0, b, 2), (NO_STACK, b, 1)]);
    /// ```
    pub fn nodes(&self) -> impl Iterator<Item = (StackId, FrameId, u32)> + '_ {
        let mut starts = 0u64;
        let (mut run, mut depth) = (0, 0);
        self.frames.iter().enumerate().map(move |(i, &frame)| {
            if i % 64 == 0 {
                starts = self.words[i / 64].starts;
            }
            let parent = if starts & 1 == 1 {
                depth = self.run_depth.get(run);
                run += 1;
                self.run_parent[run - 1]
            } else {
                depth += 1;
                i as StackId - 1
            };
            starts >>= 1;
            (parent, frame, depth)
        })
    }
    /// Append a node: frame `frame` called from `parent` (a node of the
    /// table or [`NO_STACK`]), at depth `depth` (one more than the
    /// parent's); its id is the table's length before.
    #[inline]
    pub(crate) fn push(&mut self, parent: StackId, frame: FrameId, depth: u32) {
        let i = self.frames.len();
        debug_assert_eq!(depth, self.depth(parent) + 1, "node {i}: a depth one more than its parent's");
        if i.is_multiple_of(64) {
            self.words.push(Word { starts: 0, runs_before: self.run_first.len() as u32 });
        }
        if i == 0 || parent != i as StackId - 1 {
            self.words[i / 64].starts |= 1 << (i % 64);
            self.run_first.push(i as StackId);
            self.run_parent.push(parent);
            self.run_depth.push(depth);
        }
        self.frames.push(frame);
    }
    /// Append `frames` as a path: the first called from `parent` at depth
    /// `depth`, each next one from the one before.
    pub(crate) fn push_path(&mut self, parent: StackId, depth: u32, frames: &[FrameId]) {
        let Some((&first, rest)) = frames.split_first() else { return };
        self.push(parent, first, depth);
        // The rest continue the run: no bit set, only new words and ranks.
        let (from, to) = (self.frames.len(), self.frames.len() + rest.len());
        let runs_before = self.run_first.len() as u32;
        for _ in from.div_ceil(64)..to.div_ceil(64) {
            self.words.push(Word { starts: 0, runs_before });
        }
        self.frames.extend_from_slice(rest);
    }
    /// Make room for `n` more nodes.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.frames.reserve(n);
        let words = (self.frames.len() + n).div_ceil(64).saturating_sub(self.words.len());
        self.words.reserve(words);
    }
    /// The frames of stack `id`, outermost first, written into `out` (cleared first).
    pub fn stack_into(&self, id: StackId, out: &mut Vec<FrameId>) {
        out.clear();
        let mut cur = id;
        while cur != NO_STACK {
            out.push(self.frames[cur as usize]);
            cur = self.parent(cur);
        }
        out.reverse();
    }
    /// The frames of stack `id`, outermost first.
    pub fn stack(&self, id: StackId) -> Vec<FrameId> {
        let mut v = Vec::new();
        self.stack_into(id, &mut v);
        v
    }
}

/// Open or close of a frame in an evented profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The frame starts (speedscope `"O"`).
    Open,
    /// The frame ends (speedscope `"C"`).
    Close,
}

/// One event of an evented profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// Open or close.
    pub kind: EventKind,
    /// The frame.
    pub frame: FrameId,
    /// Timestamp in the profile's unit (absolute, like `start_value`).
    pub at: f64,
}

/// How a profile stores its weights.
#[derive(Clone, Debug, PartialEq)]
pub enum ProfileData {
    /// Samples: each sample is a stack with a weight; samples are laid out
    /// back to back from `start_value` in the time-ordered view.
    Sampled {
        /// Prefix tree of the stacks the samples use. Profiles over the
        /// same samples (pprof's sample types) whose samples use every node
        /// share one table.
        stacks: Arc<StackTable>,
        /// Stack of each sample ([`NO_STACK`] for an idle sample).
        samples: Vec<StackId>,
        /// Weight of each sample, same length as `samples`.
        weights: Vec<f64>,
    },
    /// Open/close events, ordered by time and balanced.
    Evented {
        /// The events.
        events: Vec<Event>,
    },
}

/// One profile (one thread, one sample type, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub(crate) name: String,
    pub(crate) unit: ValueUnit,
    pub(crate) start_value: f64,
    pub(crate) end_value: f64,
    pub(crate) data: ProfileData,
}

impl Profile {
    /// Display name (thread name, sample type, ...).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Unit of weights and timestamps.
    pub fn unit(&self) -> ValueUnit {
        self.unit
    }
    /// First value of the time axis.
    pub fn start_value(&self) -> f64 {
        self.start_value
    }
    /// Last value of the time axis (`>= start_value`).
    pub fn end_value(&self) -> f64 {
        self.end_value
    }
    /// Samples or events.
    pub fn data(&self) -> &ProfileData {
        &self.data
    }
    /// True for sampled profiles.
    pub fn is_sampled(&self) -> bool {
        matches!(self.data, ProfileData::Sampled { .. })
    }
    /// Rename the profile.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }
    /// `end_value - start_value`.
    pub fn duration(&self) -> f64 {
        self.end_value - self.start_value
    }
    /// Duration in milliseconds when the unit is a time unit.
    pub fn duration_ms(&self) -> Option<f64> {
        self.unit.ms_per_unit().map(|f| self.duration() * f)
    }
    /// Number of samples (sampled) or events (evented).
    pub fn sample_count(&self) -> usize {
        match &self.data {
            ProfileData::Sampled { samples, .. } => samples.len(),
            ProfileData::Evented { events } => events.len(),
        }
    }
    /// Sum of all weights: sample weights, or time covered by open frames.
    pub fn total_weight(&self) -> f64 {
        match &self.data {
            ProfileData::Sampled { samples, weights, .. } => {
                samples.iter().zip(weights).filter(|(s, _)| **s != NO_STACK).map(|(_, w)| *w).sum()
            }
            ProfileData::Evented { .. } => {
                let mut depth = 0usize;
                let mut last = 0.0;
                let mut total = 0.0;
                self.walk(&mut |ev: super::walk::WalkEvent| {
                    if depth > 0 {
                        total += ev.at - last;
                    }
                    last = ev.at;
                    if ev.open {
                        depth += 1
                    } else {
                        depth -= 1
                    }
                });
                total
            }
        }
    }
}

/// A set of profiles sharing one frame table: what one uploaded file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileGroup {
    pub(crate) name: String,
    pub(crate) frames: Vec<Frame>,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) active_profile_index: usize,
    pub(crate) format: String,
    pub(crate) profile_type: String,
}

impl ProfileGroup {
    /// Group name (usually the file name).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Set the group name.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }
    /// The shared frame table; [`FrameId`]s index into it.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }
    /// Frame by id. Panics on an id that did not come from this group.
    pub fn frame(&self, id: FrameId) -> &Frame {
        &self.frames[id as usize]
    }
    /// The profiles, in file order.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }
    /// Mutable access to profile names (the only mutation that keeps invariants).
    pub fn profile_mut(&mut self, index: usize) -> Option<&mut Profile> {
        self.profiles.get_mut(index)
    }
    /// Index of the profile a viewer shows first (always `< profiles().len()` when non-empty).
    pub fn active_profile_index(&self) -> usize {
        self.active_profile_index
    }
    /// The active profile, if any.
    pub fn active_profile(&self) -> Option<&Profile> {
        self.profiles.get(self.active_profile_index)
    }
    /// Profile by index, or [`crate::Error::InvalidArgument`].
    pub fn profile(&self, index: usize) -> crate::Result<&Profile> {
        self.profiles.get(index).ok_or_else(|| {
            crate::Error::argument(
                "profile_index",
                format!("{index} is out of range: the group has {} profile(s)", self.profiles.len()),
            )
        })
    }
    /// Identifier of the format the group was imported from (`speedscope`,
    /// `pprof`, `chrome-cpuprofile`, ...): the detected profile type.
    pub fn format(&self) -> &str {
        &self.format
    }
    /// Set the format identifier (importers do this).
    pub fn set_format(&mut self, format: impl Into<String>) {
        self.format = format.into();
    }
    /// speedscope-import's profile-type name for the file, as Flamedeck
    /// stores it (`speedscope`, `pprof`, `chrome-timeline`,
    /// `chrome-cpuprofile`, `chrome-cpuprofile-old`, `chrome-heap-profile`,
    /// `stackprof`, `instruments-deepcopy`, `linux-perf`, `collapsed-stack`,
    /// `firefox`, `safari`, `haskell`, `trace-event`, `callgrind`,
    /// `papyrus`); for formats without a name there, and for groups whose
    /// type was never set, the same as [`ProfileGroup::format`].
    pub fn profile_type(&self) -> &str {
        if self.profile_type.is_empty() {
            &self.format
        } else {
            &self.profile_type
        }
    }
    /// Set the profile-type name (the importer pipeline does this).
    pub fn set_profile_type(&mut self, profile_type: impl Into<String>) {
        self.profile_type = profile_type.into();
    }
    /// The duration Flamedeck stores for an upload: the first profile's
    /// [`Profile::total_weight`] in milliseconds, rounded to a whole number;
    /// `None` when the group has no profile or the first profile's unit is
    /// not a time unit. (Not [`ProfileGroup::duration_ms`], which is the
    /// longest time axis.)
    pub fn flamedeck_duration_ms(&self) -> Option<f64> {
        let p = self.profiles.first()?;
        p.unit.ms_per_unit().map(|f| (p.total_weight() * f).round())
    }
    /// Total duration in milliseconds: the longest profile duration among
    /// profiles with a time unit; `None` when no profile has a time unit.
    pub fn duration_ms(&self) -> Option<f64> {
        self.profiles.iter().filter_map(|p| p.duration_ms()).reduce(f64::max)
    }
    /// Bytes of heap the group holds, counted from its vectors' capacities
    /// and its strings: the frames and their names and files, each profile's
    /// name and samples, weights or events, and the stack tables (one that
    /// several profiles share, as pprof's sample types do, counted once).
    /// What a cache of groups can budget by; memory the allocator keeps
    /// around the blocks is not counted.
    ///
    /// ```
    /// # fn main() -> flamekit_core::Result<()> {
    /// use flamekit_core::{Frame, GroupBuilder, IngestLimits, ValueUnit};
    /// let mut g = GroupBuilder::new("example", &IngestLimits::default());
    /// let main = g.frame(Frame::new("main"))?;
    /// let mut b = g.sampled("cpu", ValueUnit::None);
    /// for _ in 0..1000 {
    ///     b.push_stack(&[main], 1.0)?;
    /// }
    /// g.push_profile(b.finish())?;
    /// let (group, _) = g.finish(0)?;
    /// // A stack id and a weight per sample, at least.
    /// assert!(group.heap_bytes() >= 1000 * (4 + 8));
    /// # Ok(())
    /// # }
    /// ```
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let frames = self.frames.capacity() * size_of::<Frame>()
            + self
                .frames
                .iter()
                .map(|f| f.name.capacity() + f.file.as_ref().map_or(0, String::capacity))
                .sum::<usize>();
        // The tables counted so far, by address: a trace's thousands of
        // threads each have their own.
        let mut tables: std::collections::HashSet<*const StackTable> = std::collections::HashSet::new();
        let profiles = self.profiles.capacity() * size_of::<Profile>()
            + self
                .profiles
                .iter()
                .map(|p| {
                    p.name.capacity()
                        + match &p.data {
                            ProfileData::Sampled { stacks, samples, weights } => {
                                let first = tables.insert(Arc::as_ptr(stacks));
                                samples.capacity() * size_of::<StackId>()
                                    + weights.capacity() * size_of::<f64>()
                                    + if first { size_of::<StackTable>() + stacks.heap_bytes() } else { 0 }
                            }
                            ProfileData::Evented { events } => events.capacity() * size_of::<Event>(),
                        }
                })
                .sum::<usize>();
        self.name.capacity() + self.format.capacity() + self.profile_type.capacity() + frames + profiles
    }
}

/// For tests that pick parents at random: `pick` as a parent among `len`
/// nodes, or none.
#[cfg(test)]
pub(crate) fn parent_of(pick: usize, len: usize) -> StackId {
    match pick % (len + 1) {
        0 => NO_STACK,
        k => (k - 1) as StackId,
    }
}

#[cfg(test)]
mod stack_table_tests {
    use super::*;
    use proptest::prelude::*;

    /// Nodes appended one at a time or as paths, each below one of the
    /// nodes so far or below none (picked modulo their number plus one).
    #[derive(Clone, Debug)]
    enum Op {
        Node(usize, FrameId),
        Path(usize, Vec<FrameId>),
        /// A path of this many nodes below the newest node: deep enough,
        /// once, to pass `u16::MAX`.
        Deep(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (any::<usize>(), 0..5u32).prop_map(|(p, f)| Op::Node(p, f)),
            4 => (any::<usize>(), proptest::collection::vec(0..5u32, 0..140)).prop_map(|(p, f)| Op::Path(p, f)),
            1 => prop_oneof![Just(3usize), Just(70_000)].prop_map(Op::Deep),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever mix of nodes and paths fills it, the table gives every
        /// node's parent, frame and depth as a plain list of them does, in
        /// lookups, in its scan, in its stacks and in its prefixes, and
        /// equals the table of the same nodes appended one at a time.
        #[test]
        fn a_table_is_its_list_of_nodes(ops in proptest::collection::vec(op(), 1..30), cut in any::<usize>()) {
            let mut t = StackTable::default();
            let mut list: Vec<(StackId, FrameId, u32)> = Vec::new();
            let depth = |list: &[(StackId, FrameId, u32)], p: StackId| if p == NO_STACK { 0 } else { list[p as usize].2 };
            for op in ops {
                let (parent, frames) = match op {
                    Op::Node(p, f) => (parent_of(p, list.len()), vec![f]),
                    Op::Path(p, f) => (parent_of(p, list.len()), f),
                    Op::Deep(n) => (list.len().checked_sub(1).map_or(NO_STACK, |l| l as StackId), vec![7; n]),
                };
                let d = depth(&list, parent) + 1;
                if frames.len() == 1 {
                    t.push(parent, frames[0], d);
                } else {
                    t.push_path(parent, d, &frames);
                }
                for (k, &f) in frames.iter().enumerate() {
                    let p = if k == 0 { parent } else { list.len() as StackId - 1 };
                    list.push((p, f, d + k as u32));
                }
            }
            prop_assert_eq!(t.len(), list.len());
            for (id, &node) in list.iter().enumerate() {
                let id = id as StackId;
                prop_assert_eq!((t.parent(id), t.frame(id), t.depth(id)), node, "node {}", id);
            }
            prop_assert_eq!(t.nodes().collect::<Vec<_>>(), list.clone());
            prop_assert_eq!(t.depth(NO_STACK), 0);
            prop_assert_eq!(t.max_depth(), list.iter().map(|n| n.2).max().unwrap_or(0));
            prop_assert_eq!(StackTable::default().max_depth(), 0);
            // A stack is its frames up the parents.
            let leaf = (cut % list.len()) as StackId;
            let mut up = Vec::new();
            let mut cur = leaf;
            while cur != NO_STACK {
                up.push(list[cur as usize].1);
                cur = list[cur as usize].0;
            }
            up.reverse();
            prop_assert_eq!(t.stack(leaf), up);
            // One node at a time: the same table.
            let mut one = StackTable::default();
            for &(p, f, d) in &list {
                one.push(p, f, d);
            }
            prop_assert!(one == t);
            // A prefix is the table of the first nodes.
            let len = cut % (list.len() + 1);
            let mut first = StackTable::default();
            for &(p, f, d) in &list[..len] {
                first.push(p, f, d);
            }
            let prefix = t.prefix(len);
            prop_assert!(prefix == first, "prefix {}", len);
            prop_assert_eq!(prefix.nodes().collect::<Vec<_>>(), list[..len].to_vec());
        }
    }
}

#[cfg(test)]
mod heap_bytes_tests {
    use super::*;
    use crate::{GroupBuilder, IngestLimits};

    /// A group of `profiles` sample types over the same 1,000 samples, each
    /// a 20-frame stack sharing no node with another (20,000 nodes).
    fn sample_types(profiles: usize) -> ProfileGroup {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let frames: Vec<FrameId> = (0..1000).map(|i| g.frame(Frame::new(format!("f{i}"))).unwrap()).collect();
        let names: Vec<(String, ValueUnit)> = (0..profiles).map(|i| (format!("type{i}"), ValueUnit::None)).collect();
        let mut set = g.sampled_set(names);
        for s in 0..1000usize {
            // Its own outermost frame: no two samples share a node.
            let stack: Vec<FrameId> = (0..20).map(|d| frames[(s + d * 37) % 1000]).collect();
            let id = set.stack_id(&stack).unwrap();
            for p in 0..profiles {
                set.push_sample(p, id, 1.0).unwrap();
            }
        }
        for p in set.finish() {
            g.push_profile(p).unwrap();
        }
        g.finish(0).unwrap().0
    }

    fn table(g: &ProfileGroup, i: usize) -> &Arc<StackTable> {
        match g.profiles()[i].data() {
            ProfileData::Sampled { stacks, .. } => stacks,
            ProfileData::Evented { .. } => unreachable!(),
        }
    }

    #[test]
    fn counts_what_the_group_holds() {
        let g = sample_types(1);
        let nodes = table(&g, 0).len();
        assert_eq!(nodes, 20_000);
        let names: usize = g.frames().iter().map(|f| f.name.len()).sum();
        let least = nodes * 4 + 1000 * (4 + 8) + std::mem::size_of_val(g.frames()) + names;
        assert!(g.heap_bytes() >= least, "{} < {least}", g.heap_bytes());
        // Nor much more: what was reserved is at most about twice that.
        assert!(g.heap_bytes() <= 2 * least + 4096, "{} for {least}", g.heap_bytes());
    }

    #[test]
    fn a_table_shared_by_sample_types_counts_once() {
        let one = sample_types(1);
        let two = sample_types(2);
        assert!(Arc::ptr_eq(table(&two, 0), table(&two, 1)));
        let table_bytes = table(&two, 0).heap_bytes();
        let more = two.heap_bytes() - one.heap_bytes();
        // The second profile adds its samples and weights, not the table.
        assert!(more >= 1000 * (4 + 8), "{more}");
        assert!(more < table_bytes, "{more} >= the table's {table_bytes}");
    }

    #[test]
    fn nodes_reserved_and_not_made_are_given_back() {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let f = g.frame(Frame::new("main")).unwrap();
        let mut b = g.sampled("s", ValueUnit::None);
        // What an importer guesses from its input's size.
        b.reserve_nodes(1 << 20);
        b.push_stack(&[f, f, f], 1.0).unwrap();
        g.push_profile(b.finish()).unwrap();
        let (g, _) = g.finish(0).unwrap();
        assert!(g.heap_bytes() < 4096, "{}", g.heap_bytes());
    }

    #[test]
    fn counts_events() {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let f = g.frame(Frame::new("main")).unwrap();
        let mut b = g.evented("e", ValueUnit::Milliseconds);
        for i in 0..1000 {
            b.open(f, f64::from(i) * 2.0).unwrap();
            b.close(f, f64::from(i) * 2.0 + 1.0).unwrap();
        }
        g.push_profile(b.finish().unwrap()).unwrap();
        let (g, _) = g.finish(0).unwrap();
        assert!(g.heap_bytes() >= 2000 * std::mem::size_of::<Event>());
    }
}
