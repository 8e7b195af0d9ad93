use std::sync::Arc;

use super::frame::{Frame, FrameId, ValueUnit};

/// Index of a node in a [`StackTable`].
pub type StackId = u32;

/// The empty stack (an idle sample).
pub const NO_STACK: StackId = u32::MAX;

/// A prefix tree of stacks: node `i` is frame `frame(i)` called from node
/// `parent(i)`. Parents always have smaller ids than their children, so a
/// reverse scan visits children before parents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackTable {
    pub(crate) parents: Vec<StackId>,
    pub(crate) frames: Vec<FrameId>,
    pub(crate) depths: Depths,
}

/// The depth of each node of a [`StackTable`]: two bytes a node while every
/// depth fits in `u16` (all but the rarest profiles), four bytes a node
/// from the first deeper one on. A table of many distinct stacks is mostly
/// nodes, so this is a sixth of its memory.
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

    /// `narrow`, four bytes a depth, with room for `more`.
    fn wide(narrow: &[u16], more: usize) -> Vec<u32> {
        let mut wide = Vec::with_capacity(narrow.len() + more);
        wide.extend(narrow.iter().map(|&d| u32::from(d)));
        wide
    }

    /// Append depth `d`.
    #[inline]
    pub(crate) fn push(&mut self, d: u32) {
        match self {
            Depths::Narrow(v) => match u16::try_from(d) {
                Ok(d) => v.push(d),
                Err(_) => {
                    let mut w = Depths::wide(v, 1);
                    w.push(d);
                    *self = Depths::Wide(w);
                }
            },
            Depths::Wide(v) => v.push(d),
        }
    }

    /// Append the depths `first..=last`.
    pub(crate) fn extend(&mut self, first: u32, last: u32) {
        match self {
            Depths::Narrow(v) => match (u16::try_from(first), u16::try_from(last)) {
                (Ok(first), Ok(last)) => v.extend(first..=last),
                _ => {
                    let mut w = Depths::wide(v, last.saturating_sub(first) as usize + 1);
                    w.extend(first..=last);
                    *self = Depths::Wide(w);
                }
            },
            Depths::Wide(v) => v.extend(first..=last),
        }
    }

    /// Make room for `n` more depths.
    pub(crate) fn reserve(&mut self, n: usize) {
        match self {
            Depths::Narrow(v) => v.reserve(n),
            Depths::Wide(v) => v.reserve(n),
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
    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
    /// A copy of the first `len` nodes (a prefix is a table: parents come
    /// first).
    pub(crate) fn prefix(&self, len: usize) -> StackTable {
        let len = len.min(self.len());
        StackTable {
            parents: self.parents[..len].to_vec(),
            frames: self.frames[..len].to_vec(),
            depths: self.depths.prefix(len),
        }
    }
    /// Parent of `id`, or [`NO_STACK`] for an outermost frame.
    #[inline]
    pub fn parent(&self, id: StackId) -> StackId {
        self.parents[id as usize]
    }
    /// Frame of node `id`.
    #[inline]
    pub fn frame(&self, id: StackId) -> FrameId {
        self.frames[id as usize]
    }
    /// Depth of node `id` (1 for an outermost frame); 0 for [`NO_STACK`].
    #[inline]
    pub fn depth(&self, id: StackId) -> u32 {
        if id == NO_STACK {
            0
        } else {
            self.depths.get(id as usize)
        }
    }
    /// The frames of stack `id`, outermost first, written into `out` (cleared first).
    pub fn stack_into(&self, id: StackId, out: &mut Vec<FrameId>) {
        out.clear();
        let mut cur = id;
        while cur != NO_STACK {
            out.push(self.frames[cur as usize]);
            cur = self.parents[cur as usize];
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
}
