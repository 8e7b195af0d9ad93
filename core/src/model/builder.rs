use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::frame::{Frame, FrameId, ValueUnit};
use super::frame_keys::{FrameKey, FrameKeys};
use super::profile::{Event, EventKind, Profile, ProfileData, ProfileGroup, StackId, StackTable, NO_STACK};
use crate::error::{Error, LimitKind, Result};
use crate::limits::{cut_at, IngestLimits};
use crate::report::{ImportReport, Location};

/// A stack node's key in [`SampledBuilder`]'s index: `[parent, frame]`.
/// Two `u32`s rather than one `u64`, so that an entry of the index (key and
/// node) takes 12 bytes instead of 16; hashed as the one `u64`
/// `parent << 32 | frame`, a single write to the hasher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeKey([u32; 2]);

impl Hash for NodeKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64((u64::from(self.0[0]) << 32) | u64::from(self.0[1]));
    }
}

/// Builds a [`ProfileGroup`]: interns frames, collects profiles, enforces
/// [`IngestLimits`] as data arrives, and records an [`ImportReport`].
///
/// ```
/// use flamekit_core::{Frame, GroupBuilder, IngestLimits, ValueUnit};
/// let mut g = GroupBuilder::new("example", &IngestLimits::default());
/// let a = g.frame(Frame::new("main")).unwrap();
/// let b = g.frame(Frame::new("work")).unwrap();
/// let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
/// p.push_stack(&[a, b], 3.0).unwrap();
/// p.push_stack(&[a], 1.0).unwrap();
/// g.push_profile(p.finish()).unwrap();
/// let (group, _report) = g.finish(0).unwrap();
/// assert_eq!(group.profiles()[0].total_weight(), 4.0);
/// ```
#[derive(Debug)]
pub struct GroupBuilder {
    name: String,
    format: &'static str,
    limits: IngestLimits,
    frames: Vec<Frame>,
    /// Bytes of the frames' names and files (see
    /// [`IngestLimits::max_frame_text_bytes`]).
    text_bytes: u64,
    /// Every frame's key, copied into one buffer, which the tables compare
    /// against (one cache line or two per comparison, not three).
    keys: FrameKeys,
    /// Frames with a file, line or column, by [`FrameKey::hash`]: `(offset
    /// in keys, id)`; a frame whose offset is [`FrameKeys::NONE`] is
    /// compared with `frames`.
    index: HashTable<(u32, FrameId)>,
    /// Frames with only a name, by the name's hash, as in `index`.
    name_index: HashTable<(u32, FrameId)>,
    /// The hash of every frame (by id): growing the tables rehashes from
    /// here instead of reading every name again.
    hashes: Vec<u64>,
    /// foldhash, seeded per process (crafted inputs cannot force collisions).
    hasher: DefaultHashBuilder,
    /// `keys`, `index`, `name_index` and `hashes` were freed
    /// ([`GroupBuilder::release_frame_index`]): the next interning builds
    /// them again first.
    released: bool,
    /// The tables were built again after they were freed: from then on
    /// [`GroupBuilder::frame_named_unseen`] enters its frames in them
    /// instead of freeing them again (one rebuild, over every frame, per
    /// name looked up between unseen names would be quadratic).
    rebuilt: bool,
    /// How many times the tables were built again (tests).
    #[cfg(test)]
    rebuilds: u32,
    /// Some frame's name was cut to [`IngestLimits::max_name_bytes`]: a
    /// name given to [`GroupBuilder::frame_named_unseen`] may then be that
    /// of a frame already interned, and is looked up.
    names_cut: bool,
    profiles: Vec<Profile>,
    samples_used: Arc<AtomicU64>,
    report: ImportReport,
}

impl GroupBuilder {
    /// A new builder for a group read from `format` (e.g. `"pprof"`).
    pub fn new(format: &'static str, limits: &IngestLimits) -> Self {
        GroupBuilder {
            name: String::new(),
            format,
            limits: *limits,
            frames: Vec::new(),
            keys: FrameKeys::default(),
            index: HashTable::new(),
            name_index: HashTable::new(),
            hashes: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            released: false,
            rebuilt: false,
            #[cfg(test)]
            rebuilds: 0,
            names_cut: false,
            text_bytes: 0,
            profiles: Vec::new(),
            samples_used: Arc::new(AtomicU64::new(0)),
            report: ImportReport::new(format),
        }
    }

    /// The format identifier given to [`GroupBuilder::new`].
    pub fn format(&self) -> &'static str {
        self.format
    }

    /// The limits in force.
    pub fn limits(&self) -> &IngestLimits {
        &self.limits
    }

    /// Set the group's name.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// Intern a frame, returning its id. Fails when the frame limit is passed.
    pub fn frame(&mut self, mut frame: Frame) -> Result<FrameId> {
        // Cut, and their memory too: a frame keeps what it shows.
        self.names_cut |= self.limits.cut_name(&mut frame.name);
        if let Some(file) = frame.file.as_mut() {
            self.limits.cut_name(file);
        }
        self.reindex();
        let key = FrameKey { name: &frame.name, file: frame.file.as_deref(), line: frame.line, col: frame.col };
        let (hash, found) = self.lookup(&key);
        match found {
            Some(id) => Ok(id),
            None => self.insert(hash, frame),
        }
    }

    /// Intern a frame that has only a name (no allocation when already known).
    pub fn frame_named(&mut self, name: &str) -> Result<FrameId> {
        self.frame_parts(name, None, None, None)
    }

    /// Intern a frame given by borrowed parts: the same frame as
    /// `frame(Frame::with_location(name, file, line, col))`, without
    /// allocating when it is already known.
    pub fn frame_parts(
        &mut self,
        name: &str,
        file: Option<&str>,
        line: Option<u32>,
        col: Option<u32>,
    ) -> Result<FrameId> {
        let max = self.max_name_bytes();
        let name = &name[..self.name_end(name)];
        let file = file.map(|f| &f[..cut_at(f, max)]);
        self.reindex();
        let (hash, found) = self.lookup(&FrameKey { name, file, line, col });
        match found {
            Some(id) => Ok(id),
            None => self.insert(hash, Frame::with_location(name, file.map(str::to_owned), line, col)),
        }
    }

    /// Add a frame that has only a name, which the caller knows is new:
    /// `name` was not given before for a frame with only a name (to this
    /// method, [`GroupBuilder::frame_named`], or [`GroupBuilder::frame`]
    /// and [`GroupBuilder::frame_parts`] without a file, line or column).
    /// The same frame as
    /// [`GroupBuilder::frame_named`] gives, without looking the name up or
    /// entering it in the tables that find frames by name: for an importer
    /// that has already made its names distinct (the text readers' shared
    /// name table), where every name reaches the group once and nothing is
    /// looked up afterwards. The tables are built from the frames when
    /// something is looked up again, as after
    /// [`GroupBuilder::release_frame_index`]; from then on this enters its
    /// frames in them (hashing each name) rather than freeing them again,
    /// so that names looked up between unseen ones (below) cost one
    /// rebuild in all, not one each.
    ///
    /// A name that is, or may become by cutting, equal to another (one as
    /// long as [`IngestLimits::max_name_bytes`] or longer, or any name once
    /// a name has been cut) is looked up as [`GroupBuilder::frame_named`]
    /// does. A caller that breaks the promise gets two frames of one name,
    /// nothing worse.
    ///
    /// The name is a `&str` (copied) or a `String` (moved into the frame,
    /// when it is not cut): a reader that made the string on another
    /// thread hands it over without a copy.
    ///
    /// ```
    /// use flamekit_core::{GroupBuilder, IngestLimits};
    /// let mut g = GroupBuilder::new("example", &IngestLimits::default());
    /// let main = g.frame_named_unseen("main").unwrap();
    /// let work = g.frame_named_unseen(String::from("work")).unwrap();
    /// assert_eq!((main, work), (0, 1));
    /// assert_eq!(g.frame_named("work").unwrap(), work);
    /// ```
    pub fn frame_named_unseen<'n>(&mut self, name: impl Into<Cow<'n, str>>) -> Result<FrameId> {
        let name = name.into();
        if self.names_cut || name.len() >= self.max_name_bytes() {
            return self.frame_named(&name);
        }
        if self.rebuilt && !self.released {
            // The tables are kept: the frame enters them, unlooked-up.
            let frame = Frame::new(name.into_owned());
            let hash = FrameKey::of(&frame).hash(&self.hasher);
            return self.insert(hash, frame);
        }
        let id = self.new_frame_id()?;
        let frame = Frame::new(name.into_owned());
        self.count_text(&frame)?;
        if !self.released {
            self.release_frame_index();
        }
        self.frames.push(frame);
        Ok(id)
    }

    /// The hash of `key` and the id of the equal frame, if interned.
    fn lookup(&self, key: &FrameKey<'_>) -> (u64, Option<FrameId>) {
        let (frames, keys) = (&self.frames, &self.keys);
        let hash = key.hash(&self.hasher);
        let eq = |&(off, id): &(u32, FrameId)| match off {
            FrameKeys::NONE => key.matches(&frames[id as usize]),
            off => keys.matches(off, key),
        };
        let table = if key.is_named() { &self.name_index } else { &self.index };
        (hash, table.find(hash, eq).map(|&(_, id)| id))
    }

    /// Where a frame's name is cut to [`IngestLimits::max_name_bytes`] (its
    /// length when it fits); a cut is remembered (see `names_cut`).
    fn name_end(&mut self, name: &str) -> usize {
        let max = self.max_name_bytes();
        if name.len() <= max {
            return name.len();
        }
        self.names_cut = true;
        cut_at(name, max)
    }

    /// [`IngestLimits::max_name_bytes`] as a length.
    fn max_name_bytes(&self) -> usize {
        usize::try_from(self.limits.max_name_bytes).unwrap_or(usize::MAX)
    }

    /// Add `frame` (known to be new, names already cut) with its `hash`.
    fn insert(&mut self, hash: u64, frame: Frame) -> Result<FrameId> {
        let id = self.new_frame_id()?;
        self.count_text(&frame)?;
        let max = self.max_name_bytes();
        if frame.name.len() == max || frame.file.as_ref().is_some_and(|f| f.len() == max) {
            self.report.warn(
                "name_truncated",
                Location::Index(u64::from(id)),
                format!("a frame or file name was cut to max_name_bytes ({max} bytes)"),
            );
        }
        self.frames.push(frame);
        self.index_frame(id, hash);
        Ok(id)
    }

    /// Enter frame `id` (already in `frames`, hashed to `hash`) in the
    /// tables that find it by its key.
    fn index_frame(&mut self, id: FrameId, hash: u64) {
        let key = FrameKey::of(&self.frames[id as usize]);
        let off = self.keys.add(&key);
        self.hashes.push(hash);
        let hashes = &self.hashes;
        let rehash = |&(_, i): &(u32, FrameId)| hashes[i as usize];
        if key.is_named() {
            self.name_index.insert_unique(hash, (off, id), rehash);
        } else {
            self.index.insert_unique(hash, (off, id), rehash);
        }
    }

    /// Free what finding a frame by its key takes (a copy of every frame's
    /// key, its hash and two hash tables: some 60 to 100 bytes a frame), for
    /// an importer that has interned every frame it will before building
    /// its profiles (speedscope's `shared.frames`). Frames keep their ids,
    /// and interning still works afterwards: the first [`frame`] or
    /// [`frame_parts`] builds the tables again from the frames
    /// ([`reserve_frames`] then makes room for the frames only).
    ///
    /// ```
    /// use flamekit_core::{Frame, GroupBuilder, IngestLimits};
    /// let mut g = GroupBuilder::new("example", &IngestLimits::default());
    /// let main = g.frame_named("main").unwrap();
    /// g.release_frame_index();
    /// assert_eq!(g.frame_named("main").unwrap(), main);
    /// assert_eq!(g.frame(Frame::new("work")).unwrap(), main + 1);
    /// ```
    ///
    /// [`frame`]: GroupBuilder::frame
    /// [`frame_parts`]: GroupBuilder::frame_parts
    /// [`reserve_frames`]: GroupBuilder::reserve_frames
    pub fn release_frame_index(&mut self) {
        self.keys.release();
        self.index = HashTable::new();
        self.name_index = HashTable::new();
        self.hashes = Vec::new();
        self.released = true;
    }

    /// Build the tables again after [`GroupBuilder::release_frame_index`]
    /// (nothing to do otherwise).
    fn reindex(&mut self) {
        if !std::mem::take(&mut self.released) {
            return;
        }
        self.rebuilt = true;
        #[cfg(test)]
        {
            self.rebuilds += 1;
        }
        let n = self.frames.len();
        let named = self.frames.iter().filter(|f| FrameKey::of(f).is_named()).count();
        self.hashes.reserve_exact(n);
        let hashes = &self.hashes;
        let rehash = |&(_, i): &(u32, FrameId)| hashes[i as usize];
        self.name_index.reserve(named, rehash);
        self.index.reserve(n - named, rehash);
        for id in 0..n {
            let hash = FrameKey::of(&self.frames[id]).hash(&self.hasher);
            self.index_frame(id as FrameId, hash);
        }
    }

    /// Count a new frame's name and file against
    /// [`IngestLimits::max_frame_text_bytes`].
    fn count_text(&mut self, frame: &Frame) -> Result<()> {
        self.text_bytes = self.text_bytes.saturating_add(frame.text_bytes());
        self.limits.check(LimitKind::FrameText, self.text_bytes)
    }

    fn new_frame_id(&self) -> Result<FrameId> {
        let n = self.frames.len() as u64 + 1;
        self.limits.check(LimitKind::Frames, n)?;
        if n > u32::MAX as u64 {
            return Err(Error::LimitExceeded { limit: LimitKind::Frames, max: u32::MAX as u64, value: n });
        }
        Ok((n - 1) as FrameId)
    }

    /// Make room for at least `named` frames with only a name and `located`
    /// frames with a file, line or column in all (capped by the frame
    /// limit), so interning them does not grow the tables step by step.
    /// Callers pass lower bounds of the group's frames that are bounded by
    /// data they already hold in memory (e.g. the distinct names of a parsed
    /// chunk), never counts read from the input.
    pub fn reserve_frames(&mut self, named: usize, located: usize) {
        let max = usize::try_from(self.limits.max_frames).unwrap_or(usize::MAX);
        let total = named.saturating_add(located).min(max);
        // Amortized (not exact): callers reserve again chunk by chunk, and an
        // exact reserve would copy the table every time.
        self.frames.reserve(total.saturating_sub(self.frames.len()));
        // Released tables are built for every frame when next needed.
        if self.released {
            return;
        }
        self.hashes.reserve(total.saturating_sub(self.hashes.len()));
        let hashes = &self.hashes;
        let rehash = |&(_, i): &(u32, FrameId)| hashes[i as usize];
        self.name_index.reserve(named.min(max).saturating_sub(self.name_index.len()), rehash);
        self.index.reserve(located.min(max).saturating_sub(self.index.len()), rehash);
    }

    /// Number of frames interned so far.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Frame by id, if interned.
    pub fn get_frame(&self, id: FrameId) -> Option<&Frame> {
        self.frames.get(id as usize)
    }

    /// Start a sampled profile. Its samples count against this group's sample limit.
    pub fn sampled(&self, name: impl Into<String>, unit: ValueUnit) -> SampledBuilder {
        SampledBuilder {
            format: self.format,
            name: name.into(),
            unit,
            limits: self.limits,
            used: self.samples_used.clone(),
            stacks: StackTable::default(),
            index: HashMap::new(),
            roots: HashMap::new(),
            last_stack: Vec::new(),
            last_nodes: Vec::new(),
            samples: Vec::new(),
            weights: Vec::new(),
            total: 0.0,
            start: 0.0,
            end: None,
            max_frame: None,
        }
    }

    /// Start an evented profile. Its events count against this group's sample limit.
    pub fn evented(&self, name: impl Into<String>, unit: ValueUnit) -> EventedBuilder {
        EventedBuilder::new(self.format, &self.limits, Some(self.samples_used.clone()), name.into(), unit)
    }

    /// Count `n` events of a profile built apart against the sample limit.
    /// Fails as `n` pushes one by one would: at the first one past the limit.
    fn count_samples(&mut self, n: u64) -> Result<()> {
        let max = self.limits.max_samples;
        let left = max.saturating_sub(self.samples_used.load(Ordering::Relaxed));
        self.samples_used.fetch_add(n.min(left.saturating_add(1)), Ordering::Relaxed);
        if n > left {
            return Err(Error::LimitExceeded { limit: LimitKind::Samples, max, value: max.saturating_add(1) });
        }
        Ok(())
    }

    /// Add a profile built by an [`EventedBuilder::apart`], whose frames are
    /// the caller's keys: event frame `k` becomes `frames[k]`, an interned
    /// frame. Its events are counted against the sample limit (failing as
    /// if pushed one by one); returns its index.
    ///
    /// ```
    /// use flamekit_core::{EventedBuilder, Frame, GroupBuilder, IngestLimits, ProfileData, ValueUnit};
    /// let limits = IngestLimits::default();
    /// // Built apart (e.g. on another thread) with frame keys 0 and 1.
    /// let mut b = EventedBuilder::apart("example", &limits, "main", ValueUnit::Microseconds);
    /// b.open(0, 1.0).unwrap();
    /// b.open(1, 2.0).unwrap();
    /// b.close(1, 3.0).unwrap();
    /// b.close(0, 4.0).unwrap();
    /// let profile = b.finish().unwrap();
    /// let mut g = GroupBuilder::new("example", &limits);
    /// let a = g.frame(Frame::new("a")).unwrap();
    /// let c = g.frame(Frame::new("c")).unwrap();
    /// // Key 0 is frame `c`, key 1 frame `a`.
    /// g.push_apart(profile, &[c, a]).unwrap();
    /// let (group, _) = g.finish(0).unwrap();
    /// let ProfileData::Evented { events } = group.profiles()[0].data() else { panic!() };
    /// let frames: Vec<_> = events.iter().map(|e| e.frame).collect();
    /// assert_eq!(frames, [c, a, a, c]);
    /// ```
    pub fn push_apart(&mut self, mut profile: Profile, frames: &[FrameId]) -> Result<usize> {
        let ProfileData::Evented { events } = &mut profile.data else {
            return Err(Error::Internal { message: "only evented profiles are built apart".into() });
        };
        self.count_samples(events.len() as u64)?;
        let n = self.frames.len();
        for e in events.iter_mut() {
            match frames.get(e.frame as usize) {
                Some(&f) if (f as usize) < n => e.frame = f,
                _ => {
                    return Err(Error::Internal {
                        message: format!(
                            "profile `{}` uses frame key {} with no interned frame",
                            profile.name, e.frame
                        ),
                    })
                }
            }
        }
        self.limits.check(LimitKind::Profiles, self.profiles.len() as u64 + 1)?;
        self.profiles.push(profile);
        Ok(self.profiles.len() - 1)
    }

    /// Add a finished profile; returns its index.
    pub fn push_profile(&mut self, profile: Profile) -> Result<usize> {
        self.limits.check(LimitKind::Profiles, self.profiles.len() as u64 + 1)?;
        let max_frame = match &profile.data {
            ProfileData::Sampled { stacks, .. } => stacks.frames().iter().copied().max(),
            ProfileData::Evented { events } => events.iter().map(|e| e.frame).max(),
        };
        if let Some(m) = max_frame {
            if m as usize >= self.frames.len() {
                return Err(Error::Internal {
                    message: format!(
                        "profile `{}` uses frame {m} but only {} are interned",
                        profile.name,
                        self.frames.len()
                    ),
                });
            }
        }
        self.profiles.push(profile);
        Ok(self.profiles.len() - 1)
    }

    /// Number of profiles pushed so far.
    pub fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// The import report being collected (warnings and skipped counts).
    pub fn report(&mut self) -> &mut ImportReport {
        &mut self.report
    }

    /// Finish the group. `active_profile_index` is clamped into range.
    pub fn finish(self, active_profile_index: usize) -> Result<(ProfileGroup, ImportReport)> {
        let n = self.profiles.len();
        let group = ProfileGroup {
            name: self.name,
            frames: self.frames,
            profiles: self.profiles,
            active_profile_index: if n == 0 { 0 } else { active_profile_index.min(n - 1) },
            format: self.format.to_owned(),
            profile_type: String::new(),
        };
        Ok((group, self.report))
    }
}

/// Node ids stop below this (and [`NO_STACK`]).
const NODE_ID_END: StackId = NO_STACK - 1;

/// The error for a stack node id that names no node of the table.
fn missing_node(id: StackId) -> Error {
    Error::Internal { message: format!("stack node {id} does not exist") }
}

fn bad_weight(format: &'static str, index: usize, w: f64) -> Error {
    Error::invalid(format, format!("sample {index}"), format!("weight must be finite and non-negative, got {w}"))
}

/// Builds one sampled profile. Get one from [`GroupBuilder::sampled`].
#[derive(Debug)]
pub struct SampledBuilder {
    format: &'static str,
    name: String,
    unit: ValueUnit,
    limits: IngestLimits,
    used: Arc<AtomicU64>,
    stacks: StackTable,
    /// `(parent, frame)` ([`NodeKey`]) → node, for every node but the
    /// outermost ones (in `roots`) and the *next-born* ones: node `p + 1`
    /// when its parent is `p`, that is a node created while its parent was
    /// the newest node. Those are found by looking at node `p + 1`, without
    /// hashing or any table of their own: every node but the first of a
    /// stack's new frames is one, so a profile whose stacks share little
    /// keeps almost nothing here. hashbrown's default hasher (foldhash) is
    /// seeded per process, so crafted inputs cannot force collisions, and
    /// is several times faster than SipHash.
    index: HashMap<NodeKey, StackId>,
    /// The outermost nodes (not in `index`), by frame: the node of frame
    /// `f` called from nowhere, and the frame of its next-born child (if it
    /// has one). A stack whose outermost frame differs from the stack
    /// before (the common case when stacks share little) then finds its
    /// first node, and whether its second is the first's next-born child,
    /// in this table of the outermost nodes only, which stays in the cache,
    /// instead of in `index` and at a random place of the node table (each
    /// a cache miss on large profiles).
    roots: HashMap<FrameId, (StackId, Option<FrameId>)>,
    /// The last stack given to [`SampledBuilder::stack_id`] and its nodes:
    /// consecutive samples usually share a long prefix, which is then reused
    /// without hashing.
    last_stack: Vec<FrameId>,
    last_nodes: Vec<StackId>,
    samples: Vec<StackId>,
    weights: Vec<f64>,
    /// Sum of `weights`, kept finite (see [`SampledBuilder::push_sample`]).
    total: f64,
    start: f64,
    end: Option<f64>,
    max_frame: Option<FrameId>,
}

impl SampledBuilder {
    /// The stack node for `frame` called from `parent` ([`NO_STACK`] for an
    /// outermost frame), created if new. Fails past the depth limit.
    pub fn node(&mut self, parent: StackId, frame: FrameId) -> Result<StackId> {
        self.node_at(parent, None, frame)
    }

    /// [`SampledBuilder::node`] for a caller that knows `parent`'s depth
    /// (`None`: look it up when a node is created). Knowing it saves a
    /// depth lookup in the table (a rank word and a run, at random places),
    /// which on large tables is cache misses.
    fn node_at(&mut self, parent: StackId, parent_depth: Option<u32>, frame: FrameId) -> Result<StackId> {
        self.find_or_add(parent, parent_depth, frame, false)
    }

    /// [`SampledBuilder::node_at`]; `not_next_born`: the caller knows that
    /// the node, if it exists, is not `parent`'s next-born child (see
    /// `roots`), which is then not looked at.
    fn find_or_add(
        &mut self,
        parent: StackId,
        parent_depth: Option<u32>,
        frame: FrameId,
        not_next_born: bool,
    ) -> Result<StackId> {
        let key = NodeKey([parent, frame]);
        let len = self.stacks.len();
        // The newest node has no child yet: nothing to look up below it.
        let childless = parent != NO_STACK && parent as usize + 1 == len;
        self.check_parent(parent)?;
        if parent == NO_STACK {
            if let Some(&(id, _)) = self.roots.get(&frame) {
                return Ok(id);
            }
        } else if !childless {
            let next = parent as usize + 1;
            // The frame first: when it differs, the parent is not read.
            if !not_next_born && self.stacks.frame(next as StackId) == frame && !self.stacks.starts_run(next) {
                return Ok(next as StackId);
            }
            if let Some(&id) = self.index.get(&key) {
                return Ok(id);
            }
        }
        let depth = parent_depth.unwrap_or_else(|| self.stacks.depth(parent)) as u64 + 1;
        self.limits.check(LimitKind::StackDepth, depth)?;
        self.limits.check(LimitKind::StackNodes, len as u64 + 1)?;
        let id = len as StackId;
        if len >= NODE_ID_END as usize {
            return Err(Error::LimitExceeded { limit: LimitKind::Frames, max: u32::MAX as u64 - 2, value: len as u64 });
        }
        self.stacks.push(parent, frame, depth as u32);
        if parent == NO_STACK {
            self.roots.insert(frame, (id, None));
        } else if !childless {
            self.index.insert(key, id);
        } else if depth == 2 {
            self.note_next_born(parent, frame);
        }
        self.max_frame = Some(self.max_frame.map_or(frame, |m| m.max(frame)));
        Ok(id)
    }

    /// Node `parent + 1`, of frame `frame`, was just created under `parent`,
    /// an outermost node: its next-born child, noted in `roots` (only if
    /// `roots` has `parent` itself for its frame).
    fn note_next_born(&mut self, parent: StackId, frame: FrameId) {
        let parent_frame = self.stacks.frame(parent);
        if let Some(r) = self.roots.get_mut(&parent_frame).filter(|r| r.0 == parent) {
            r.1 = Some(frame);
        }
    }

    /// Fails unless `parent` is [`NO_STACK`] or a node of this table.
    fn check_parent(&self, parent: StackId) -> Result<()> {
        if parent != NO_STACK && parent as usize >= self.stacks.len() {
            return Err(missing_node(parent));
        }
        Ok(())
    }

    /// Make room for `nodes` more stack nodes, so creating them does not
    /// grow (and copy) the node table step by step. Callers pass upper
    /// bounds taken from data already in memory (e.g. the frames of a parsed
    /// chunk that are not shared with the line before), never counts read
    /// from the input; memory reserved but never used is not touched.
    pub fn reserve_nodes(&mut self, nodes: usize) {
        self.stacks.reserve(nodes);
    }

    /// The stack node for a whole stack (outermost frame first).
    pub fn stack_id(&mut self, stack: &[FrameId]) -> Result<StackId> {
        self.limits.check(LimitKind::StackDepth, stack.len() as u64)?;
        self.stack_path(stack)
    }

    /// [`SampledBuilder::stack_id`] without its depth check up front: past
    /// the depth limit, the error is [`SampledBuilder::node`]'s for the
    /// first node past it, as for a stack built node by node.
    pub fn stack_path(&mut self, stack: &[FrameId]) -> Result<StackId> {
        // Reuse the prefix shared with the previous stack: those nodes are
        // exactly what `node` would return for them.
        let common = common_prefix(stack, &self.last_stack);
        self.last_stack.truncate(common);
        self.last_nodes.truncate(common);
        let parent = self.last_nodes.last().copied().unwrap_or(NO_STACK);
        let mut nodes = std::mem::take(&mut self.last_nodes);
        // `last_nodes[k]` is at depth k + 1: the parent is at depth `common`.
        let id = self.path_at(parent, common as u32, &stack[common..], &mut nodes);
        // The frames of the nodes found (all of them, unless it failed).
        self.last_stack.extend_from_slice(&stack[common..nodes.len()]);
        self.last_nodes = nodes;
        id
    }

    /// The nodes of `frames` called from `parent` in turn (outermost
    /// first), as [`SampledBuilder::node`] gives them, each appended to
    /// `out`: the last one's id (`parent` for no frames). Once a node is
    /// new, it has no child yet, so the nodes below it are new too: they
    /// are appended in one go, without looking anything up.
    pub fn path(&mut self, parent: StackId, frames: &[FrameId], out: &mut Vec<StackId>) -> Result<StackId> {
        if frames.is_empty() {
            return Ok(parent);
        }
        self.check_parent(parent)?;
        self.path_at(parent, self.stacks.depth(parent), frames, out)
    }

    /// [`SampledBuilder::path`] below `parent`, which is at depth `depth`:
    /// the depth of each node on the way is known without looking it up in
    /// the table.
    fn path_at(&mut self, parent: StackId, depth: u32, frames: &[FrameId], out: &mut Vec<StackId>) -> Result<StackId> {
        let mut id = parent;
        for (k, &f) in frames.iter().enumerate() {
            let fresh = self.stacks.len();
            let parent_depth = depth + k as u32;
            // Below an outermost node whose frame is known (the frame
            // before): whether this is its next-born child is in `roots`.
            let root = match k.checked_sub(1) {
                Some(k) if parent_depth == 1 => self.roots.get(&frames[k]).filter(|r| r.0 == id),
                _ => None,
            };
            id = match root {
                Some(&(r, Some(next))) if next == f => r + 1,
                Some(_) => self.find_or_add(id, Some(parent_depth), f, true)?,
                None => self.node_at(id, Some(parent_depth), f)?,
            };
            out.push(id);
            if id as usize == fresh {
                return self.new_path(id, depth + k as u32 + 1, &frames[k + 1..], out);
            }
        }
        Ok(id)
    }

    /// [`SampledBuilder::path`] below `parent`, a node at depth `depth`
    /// that has no child: the newest node, so that every node appended is
    /// the next-born child of the one before (see `index`).
    fn new_path(&mut self, parent: StackId, depth: u32, frames: &[FrameId], out: &mut Vec<StackId>) -> Result<StackId> {
        let Some(&max) = frames.iter().max() else { return Ok(parent) };
        let n = frames.len();
        let base = self.stacks.len();
        let deepest = u64::from(depth) + n as u64;
        // Past a limit: node by node, stopping at the first node past it.
        if self.limits.check(LimitKind::StackDepth, deepest).is_err()
            || self.limits.check(LimitKind::StackNodes, (base + n) as u64).is_err()
            || base + n >= NODE_ID_END as usize
            || parent as usize + 1 != base
        {
            let mut id = parent;
            for &f in frames {
                id = self.node(id, f)?;
                out.push(id);
            }
            return Ok(id);
        }
        let ids = base as StackId..(base + n) as StackId;
        if depth == 1 {
            self.note_next_born(parent, frames[0]);
        }
        self.stacks.push_path(parent, depth + 1, frames);
        out.extend(ids.clone());
        self.max_frame = Some(self.max_frame.map_or(max, |m| m.max(max)));
        Ok(ids.end - 1)
    }

    /// Append a sample on an existing stack node ([`NO_STACK`] = idle).
    ///
    /// Weights must be finite and non-negative, and so must their sum: a
    /// sample that would make the profile's total weight overflow to
    /// infinity is refused with [`Error::InvalidProfile`] (sums are never
    /// saturated, so every total flamekit reports is exact up to rounding).
    pub fn push_sample(&mut self, stack: StackId, weight: f64) -> Result<()> {
        self.record(stack, weight, self.stacks.len())
    }

    /// [`SampledBuilder::push_sample`] on a table of `nodes` nodes, which is
    /// this builder's own or, for a part of a
    /// [`SampledSetBuilder`](super::SampledSetBuilder), the shared one.
    pub(super) fn record(&mut self, stack: StackId, weight: f64, nodes: usize) -> Result<()> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(bad_weight(self.format, self.samples.len(), weight));
        }
        let total = self.total + weight;
        if !(total.is_finite() && (self.start + total).is_finite()) {
            return Err(Error::invalid(
                self.format,
                format!("sample {}", self.samples.len()),
                format!("the sum of weights overflows (weight {weight} after a total of {})", self.total),
            ));
        }
        if stack != NO_STACK && stack as usize >= nodes {
            return Err(missing_node(stack));
        }
        let used = self.used.fetch_add(1, Ordering::Relaxed) + 1;
        self.limits.check(LimitKind::Samples, used)?;
        self.samples.push(stack);
        self.weights.push(weight);
        self.total = total;
        Ok(())
    }

    /// Append a sample given as frames, outermost first.
    pub fn push_stack(&mut self, stack: &[FrameId], weight: f64) -> Result<()> {
        let id = self.stack_id(stack)?;
        self.push_sample(id, weight)
    }

    /// Finish the profile with `stacks` as its table (which other profiles
    /// may share), every sample's node mapped through `map` (for
    /// [`SampledSetBuilder`](super::SampledSetBuilder)).
    pub(super) fn finish_with(mut self, stacks: Arc<StackTable>, map: impl Fn(StackId) -> StackId) -> Profile {
        for s in &mut self.samples {
            *s = map(*s);
        }
        self.finish_on(stacks)
    }

    /// This builder's table, taken out (its samples are dropped).
    pub(super) fn into_stacks(mut self) -> StackTable {
        self.stacks.shrink_to_fit();
        self.stacks
    }

    /// The samples' nodes, in order.
    pub(super) fn sample_nodes(&self) -> &[StackId] {
        &self.samples
    }

    /// Number of samples so far.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// The stack table built so far.
    pub fn stacks(&self) -> &StackTable {
        &self.stacks
    }

    /// Set the first value of the time axis (default 0).
    pub fn set_start(&mut self, start: f64) {
        self.start = if start.is_finite() { start } else { 0.0 };
    }

    /// Set the last value of the time axis (default: start + sum of weights).
    pub fn set_end(&mut self, end: f64) {
        self.end = if end.is_finite() { Some(end) } else { None };
    }

    /// Rename the profile being built.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// Finish the profile. The end value is at least start + total weight.
    pub fn finish(mut self) -> Profile {
        self.stacks.shrink_to_fit();
        let stacks = Arc::new(std::mem::take(&mut self.stacks));
        self.finish_on(stacks)
    }

    fn finish_on(self, stacks: Arc<StackTable>) -> Profile {
        let min_end = self.start + self.total;
        let end = match self.end {
            Some(e) if e >= min_end => e,
            _ => min_end,
        };
        Profile {
            name: self.name,
            unit: self.unit,
            start_value: self.start,
            end_value: end,
            data: ProfileData::Sampled { stacks, samples: self.samples, weights: self.weights },
        }
    }
}

/// Builds one evented profile: opens and closes must nest and time must not
/// go backwards. Get one from [`GroupBuilder::evented`].
#[derive(Debug)]
pub struct EventedBuilder {
    format: &'static str,
    name: String,
    unit: ValueUnit,
    limits: IngestLimits,
    /// The group's count of samples and events; `None` when built apart.
    used: Option<Arc<AtomicU64>>,
    events: Vec<Event>,
    stack: Vec<FrameId>,
    start: Option<f64>,
    end: Option<f64>,
    max_frame: Option<FrameId>,
}

impl EventedBuilder {
    fn new(
        format: &'static str,
        limits: &IngestLimits,
        used: Option<Arc<AtomicU64>>,
        name: String,
        unit: ValueUnit,
    ) -> Self {
        EventedBuilder {
            format,
            name,
            unit,
            limits: *limits,
            used,
            events: Vec::new(),
            stack: Vec::new(),
            start: None,
            end: None,
            max_frame: None,
        }
    }

    /// Start an evented profile apart from any group, e.g. on a worker
    /// thread: its frames are the caller's keys, and its events count
    /// against the sample limit only when [`GroupBuilder::push_apart`] adds
    /// it to a group of `format` with these `limits`. Every other check is
    /// made here, as in a builder from [`GroupBuilder::evented`].
    pub fn apart(format: &'static str, limits: &IngestLimits, name: impl Into<String>, unit: ValueUnit) -> Self {
        EventedBuilder::new(format, limits, None, name.into(), unit)
    }

    fn push(&mut self, kind: EventKind, frame: FrameId, at: f64) -> Result<()> {
        let index = self.events.len();
        if !at.is_finite() {
            return Err(Error::invalid(
                self.format,
                format!("event {index}"),
                format!("timestamp must be finite, got {at}"),
            ));
        }
        if let Some(first) = self.events.first() {
            if !(at - first.at).is_finite() {
                return Err(Error::invalid(
                    self.format,
                    format!("event {index}"),
                    format!("the time span from {} to {at} overflows", first.at),
                ));
            }
        }
        if let Some(last) = self.events.last() {
            if at < last.at {
                return Err(Error::invalid(
                    self.format,
                    format!("event {index}"),
                    format!("timestamp {at} is before the previous event's {}", last.at),
                ));
            }
        }
        if let Some(used) = &self.used {
            self.limits.check(LimitKind::Samples, used.fetch_add(1, Ordering::Relaxed) + 1)?;
        }
        self.events.push(Event { kind, frame, at });
        self.max_frame = Some(self.max_frame.map_or(frame, |m| m.max(frame)));
        Ok(())
    }

    /// Enter `frame` at time `at`.
    pub fn open(&mut self, frame: FrameId, at: f64) -> Result<()> {
        self.limits.check(LimitKind::StackDepth, self.stack.len() as u64 + 1)?;
        self.push(EventKind::Open, frame, at)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Leave `frame` at time `at`; it must be the innermost open frame.
    pub fn close(&mut self, frame: FrameId, at: f64) -> Result<()> {
        match self.stack.last() {
            Some(&top) if top == frame => {}
            Some(&top) => {
                return Err(Error::invalid(
                    self.format,
                    format!("event {}", self.events.len()),
                    format!("close of frame {frame} while frame {top} is innermost"),
                ))
            }
            None => {
                return Err(Error::invalid(
                    self.format,
                    format!("event {}", self.events.len()),
                    format!("close of frame {frame} with no open frame"),
                ))
            }
        }
        self.push(EventKind::Close, frame, at)?;
        self.stack.pop();
        Ok(())
    }

    /// Close every open frame at `at` (innermost first), for formats that
    /// tolerate unterminated calls.
    pub fn close_all(&mut self, at: f64) -> Result<()> {
        while let Some(&top) = self.stack.last() {
            self.close(top, at)?;
        }
        Ok(())
    }

    /// The open frames, outermost first.
    pub fn open_stack(&self) -> &[FrameId] {
        &self.stack
    }

    /// Timestamp of the last event.
    pub fn last_at(&self) -> Option<f64> {
        self.events.last().map(|e| e.at)
    }

    /// Make room for `additional` more events, so pushing them does not
    /// grow the event list step by step. Callers pass counts bounded by data
    /// they already hold in memory (e.g. the parsed events of a thread),
    /// never counts read from the input.
    pub fn reserve(&mut self, additional: usize) {
        self.events.reserve(additional);
    }

    /// Number of events so far.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Set the first value of the time axis (default: first event's time, or 0).
    pub fn set_start(&mut self, start: f64) {
        self.start = start.is_finite().then_some(start);
    }

    /// Set the last value of the time axis (default: last event's time).
    pub fn set_end(&mut self, end: f64) {
        self.end = end.is_finite().then_some(end);
    }

    /// Rename the profile being built.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// Finish the profile. Fails when frames are still open.
    pub fn finish(self) -> Result<Profile> {
        if let Some(&top) = self.stack.last() {
            return Err(Error::invalid(
                self.format,
                format!("end of profile `{}`", self.name),
                format!("{} frame(s) still open (innermost: frame {top})", self.stack.len()),
            ));
        }
        let first = self.events.first().map(|e| e.at);
        let last = self.events.last().map(|e| e.at);
        let start = match (self.start, first) {
            (Some(s), Some(f)) => s.min(f),
            (Some(s), None) => s,
            (None, Some(f)) => f,
            (None, None) => 0.0,
        };
        let end = match (self.end, last) {
            (Some(e), Some(l)) => e.max(l),
            (Some(e), None) => e.max(start),
            (None, Some(l)) => l,
            (None, None) => start,
        };
        Ok(Profile {
            name: self.name,
            unit: self.unit,
            start_value: start,
            end_value: end,
            data: ProfileData::Evented { events: self.events },
        })
    }
}

/// Length of the longest common prefix of `a` and `b`: eight frames at a
/// time (one vector compare) while they agree, then one at a time.
fn common_prefix(a: &[FrameId], b: &[FrameId]) -> usize {
    let (a8, _) = a.as_chunks::<8>();
    let (b8, _) = b.as_chunks::<8>();
    let whole = 8 * a8.iter().zip(b8).take_while(|(x, y)| x == y).count();
    whole + a[whole..].iter().zip(&b[whole..]).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames whose keys no longer fit the key buffer are compared with the
    /// frames themselves: interning stays exact on both sides of the limit.
    #[test]
    fn frames_past_the_key_buffer_intern_the_same() {
        let frames = |i: u32| {
            [
                Frame::new(format!("f{i}")),
                Frame::with_location(format!("f{i}"), Some("a.js".into()), Some(i), None),
                Frame::with_location(format!("f{i}"), Some("a.js".into()), None, Some(i)),
                Frame::with_location(format!("f{i}"), None, Some(i), Some(i)),
            ]
        };
        for limit in [0, 100, 1000, FrameKeys::NONE] {
            let mut g = GroupBuilder::new("test", &IngestLimits::default());
            g.keys = FrameKeys::with_limit(limit);
            let ids: Vec<FrameId> = (0..20).flat_map(frames).map(|f| g.frame(f).unwrap()).collect();
            assert_eq!(ids, (0..80).collect::<Vec<_>>(), "limit {limit}: every frame is new");
            for (n, f) in (0..20).flat_map(frames).enumerate() {
                let again = match (&f.file, f.line, f.col) {
                    (None, None, None) => g.frame_named(&f.name).unwrap(),
                    _ => g.frame_parts(&f.name, f.file.as_deref(), f.line, f.col).unwrap(),
                };
                assert_eq!(again, n as FrameId, "limit {limit}: {f:?} again");
            }
            assert_eq!(g.frame_count(), 80);
        }
    }

    /// After the frame index is released, interning finds every frame
    /// again by its key (on both sides of the key buffer's limit, whichever
    /// call comes first), and a new frame gets the next id.
    #[test]
    fn frames_intern_the_same_after_the_index_is_released() {
        let frames = |i: u32| {
            [
                Frame::new(format!("f{i}")),
                Frame::with_location(format!("f{i}"), Some("a.js".into()), Some(i), None),
                Frame::with_location(format!("f{i}"), None, Some(i), Some(i)),
            ]
        };
        for limit in [0, 100, FrameKeys::NONE] {
            for first in ["frame", "frame_parts", "reserve_frames", "twice"] {
                let mut g = GroupBuilder::new("test", &IngestLimits::default());
                g.keys = FrameKeys::with_limit(limit);
                let ids: Vec<FrameId> = (0..20).flat_map(frames).map(|f| g.frame(f).unwrap()).collect();
                assert_eq!(ids, (0..60).collect::<Vec<_>>());
                g.release_frame_index();
                match first {
                    "frame" => assert_eq!(g.frame(Frame::new("f7")).unwrap(), 21),
                    "frame_parts" => assert_eq!(g.frame_parts("f3", None, Some(3), Some(3)).unwrap(), 11),
                    "reserve_frames" => g.reserve_frames(100, 100),
                    _ => g.release_frame_index(),
                }
                // In reverse: the last frames first.
                let all: Vec<Frame> = (0..20).flat_map(frames).collect();
                for (n, f) in all.iter().enumerate().rev() {
                    let again = g.frame_parts(&f.name, f.file.as_deref(), f.line, f.col).unwrap();
                    assert_eq!(again, n as FrameId, "limit {limit}, {first} first: {f:?} again");
                }
                assert_eq!(g.frame(Frame::new("new")).unwrap(), 60, "limit {limit}, {first} first");
                assert_eq!(g.frame_named("new").unwrap(), 60);
                assert_eq!(g.frame_count(), 61);
            }
        }
        let mut empty = GroupBuilder::new("test", &IngestLimits::default());
        empty.release_frame_index();
        assert_eq!(empty.frame_named("a").unwrap(), 0);
    }

    /// Names at the length limit (looked up) between unseen names build the
    /// tables again once, not once each, and every name is found again
    /// with its id whatever came between.
    #[test]
    fn names_looked_up_between_unseen_names_build_the_tables_once() {
        let max = 16usize;
        let limits = IngestLimits { max_name_bytes: max as u64, ..IngestLimits::default() };
        let mut g = GroupBuilder::new("test", &limits);
        let mut names = Vec::new();
        for k in 0..50 {
            for i in 0..20 {
                names.push(format!("f{k}_{i}"));
                assert_eq!(g.frame_named_unseen(names.last().unwrap().as_str()).unwrap() as usize, names.len() - 1);
            }
            // Exactly `max` bytes: not cut, but looked up (it may equal a cut name).
            names.push(format!("{k:0>max$}"));
            assert_eq!(g.frame_named_unseen(names.last().unwrap().as_str()).unwrap() as usize, names.len() - 1);
        }
        assert_eq!(g.rebuilds, 1, "the tables were built again once, after the first unseen names");
        for (n, name) in names.iter().enumerate() {
            assert_eq!(g.frame_named(name).unwrap() as usize, n, "{name}");
        }
        assert_eq!(g.frame_count(), names.len());
        assert_eq!(g.rebuilds, 1);
    }

    /// A profile built apart counts its events against the sample limit
    /// when it is pushed, failing as the pushes one by one would; a frame
    /// key without an interned frame and a sampled profile are refused.
    #[test]
    fn profiles_built_apart_count_their_events_and_map_their_frames() {
        let limits = IngestLimits { max_samples: 5, ..IngestLimits::default() };
        let apart = |opens: u32| {
            let mut b = EventedBuilder::apart("test", &limits, "t", ValueUnit::None);
            for k in 0..opens {
                b.open(k, 1.0).unwrap();
            }
            b.close_all(2.0).unwrap();
            b.finish().unwrap()
        };
        let mut g = GroupBuilder::new("test", &limits);
        let a = g.frame(Frame::new("a")).unwrap();
        let b = g.frame(Frame::new("b")).unwrap();
        // A shared builder's events and an apart one's count together.
        let mut shared = g.evented("s", ValueUnit::None);
        shared.open(a, 0.0).unwrap();
        shared.close(a, 1.0).unwrap();
        g.push_profile(shared.finish().unwrap()).unwrap();
        assert_eq!(g.push_apart(apart(1), &[b]).unwrap(), 1);
        // 4 of 5 used: two more events are one past the limit.
        let err = g.push_apart(apart(1), &[a]).unwrap_err();
        assert_eq!(err, Error::LimitExceeded { limit: LimitKind::Samples, max: 5, value: 6 });
        assert_eq!(g.profile_count(), 2);

        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        let a = g.frame(Frame::new("a")).unwrap();
        for frames in [&[][..], &[a + 1], &[FrameId::MAX]] {
            let err = g.push_apart(apart(1), frames).unwrap_err();
            assert!(matches!(err, Error::Internal { .. }), "{frames:?}: {err:?}");
        }
        let sampled = g.sampled("s", ValueUnit::None).finish();
        assert!(matches!(g.push_apart(sampled, &[a]), Err(Error::Internal { .. })));
        assert_eq!(g.push_apart(apart(1), &[a]).unwrap(), 0);
    }

    /// Every length up to three chunks and a half, every place of the first
    /// difference (or none), either slice the longer.
    #[test]
    fn common_prefix_finds_the_first_difference() {
        for len in 0..30usize {
            let a: Vec<FrameId> = (0..len as FrameId).collect();
            for cut in 0..=len {
                let mut b = a.clone();
                if cut < len {
                    b[cut] += 100;
                }
                for extra in [0, 1, 9] {
                    let mut longer = b.clone();
                    longer.extend(1000..1000 + extra);
                    assert_eq!(common_prefix(&a, &longer), cut, "len {len}, difference at {cut}, {extra} more");
                    assert_eq!(common_prefix(&longer, &a), cut, "len {len}, difference at {cut}, {extra} more");
                }
            }
        }
    }
}

#[cfg(test)]
mod node_tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap as StdMap;

    /// What a stack table is, without any of the builder's shortcuts: one
    /// node per `(parent, frame)`, numbered in the order of creation.
    #[derive(Default)]
    struct Reference {
        nodes: StdMap<(StackId, FrameId), StackId>,
        table: Vec<(StackId, FrameId, u32)>,
    }

    impl Reference {
        fn node(&mut self, parent: StackId, frame: FrameId) -> StackId {
            if let Some(&id) = self.nodes.get(&(parent, frame)) {
                return id;
            }
            let depth = if parent == NO_STACK { 1 } else { self.table[parent as usize].2 + 1 };
            let id = self.table.len() as StackId;
            self.table.push((parent, frame, depth));
            self.nodes.insert((parent, frame), id);
            id
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// A whole stack ([`SampledBuilder::stack_id`]).
        Stack(Vec<FrameId>),
        /// Frames below an existing node, or below none (the index picks
        /// one of the nodes so far, modulo their number plus one).
        Path(usize, Vec<FrameId>),
        /// One node ([`SampledBuilder::node`]), its parent picked as above.
        Node(usize, FrameId),
    }

    /// Few frames, so that stacks share and repeat nodes, and now and then
    /// a large one (the largest a group gives).
    fn frame() -> impl Strategy<Value = FrameId> {
        prop_oneof![8 => 0..6u32, 1 => Just(1 << 22), 1 => Just(FrameId::MAX)]
    }

    fn op() -> impl Strategy<Value = Op> {
        let frames = || proptest::collection::vec(frame(), 0..8);
        prop_oneof![
            4 => frames().prop_map(Op::Stack),
            2 => (any::<usize>(), frames()).prop_map(|(p, f)| Op::Path(p, f)),
            2 => (any::<usize>(), frame()).prop_map(|(p, f)| Op::Node(p, f)),
        ]
    }

    use crate::model::profile::parent_of;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Whatever mix of whole stacks, paths and single nodes builds it,
        /// the table is the reference's: the same node for every `(parent,
        /// frame)`, the same ids, parents, frames and depths.
        #[test]
        fn nodes_are_those_of_a_plain_trie(ops in proptest::collection::vec(op(), 1..60)) {
            let g = GroupBuilder::new("test", &IngestLimits::default());
            let mut b = g.sampled("p", ValueUnit::None);
            let mut r = Reference::default();
            let mut out = Vec::new();
            for op in &ops {
                match op {
                    Op::Stack(frames) => {
                        let mut want = NO_STACK;
                        for &f in frames {
                            want = r.node(want, f);
                        }
                        prop_assert_eq!(b.stack_id(frames).unwrap(), want);
                    }
                    Op::Path(pick, frames) => {
                        let parent = parent_of(*pick, r.table.len());
                        out.clear();
                        let got = b.path(parent, frames, &mut out).unwrap();
                        let mut want = parent;
                        let mut wants = Vec::new();
                        for &f in frames {
                            want = r.node(want, f);
                            wants.push(want);
                        }
                        prop_assert_eq!(got, want);
                        prop_assert_eq!(&out, &wants);
                    }
                    Op::Node(pick, f) => {
                        let parent = parent_of(*pick, r.table.len());
                        prop_assert_eq!(b.node(parent, *f).unwrap(), r.node(parent, *f));
                    }
                }
                let t = b.stacks();
                prop_assert_eq!(t.len(), r.table.len());
            }
            let t = b.stacks();
            for (id, &(parent, frame, depth)) in r.table.iter().enumerate() {
                let id = id as StackId;
                prop_assert_eq!((t.parent(id), t.frame(id), t.depth(id)), (parent, frame, depth), "node {}", id);
            }
        }
    }
}

#[cfg(test)]
mod unseen_tests {
    use super::*;
    use proptest::prelude::*;

    /// How a name is given to the builder.
    #[derive(Clone, Copy, Debug)]
    enum Call {
        Named,
        Unseen,
        /// [`GroupBuilder::frame_named_unseen`] given a `String`.
        UnseenOwned,
        Frame,
        Parts,
        /// [`GroupBuilder::frame_parts`] with a line: a located frame of
        /// that name, which is not the named one.
        Located,
    }

    /// Names over a few characters, one of two bytes, so that cutting them
    /// at a small `max_name_bytes` makes some equal (and some shorter than
    /// the limit, cut at a character boundary).
    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just('a'), Just('b'), Just('\u{e9}')], 0..7)
            .prop_map(|c| c.into_iter().collect())
    }

    fn call() -> impl Strategy<Value = Call> {
        prop_oneof![
            1 => Just(Call::Named),
            2 => Just(Call::Unseen),
            1 => Just(Call::UnseenOwned),
            1 => Just(Call::Frame),
            1 => Just(Call::Parts),
            1 => Just(Call::Located),
        ]
    }

    fn give(g: &mut GroupBuilder, call: Call, name: &str) -> Result<FrameId> {
        match call {
            Call::Named => g.frame_named(name),
            Call::Unseen => g.frame_named_unseen(name),
            Call::UnseenOwned => g.frame_named_unseen(name.to_owned()),
            Call::Frame => g.frame(Frame::new(name)),
            Call::Parts => g.frame_parts(name, None, None, None),
            Call::Located => g.frame_parts(name, None, Some(1), None),
        }
    }

    /// A name cut at a character boundary is shorter than the limit: an
    /// unseen name equal to it, given after it in any way, is that frame.
    #[test]
    fn an_unseen_name_finds_a_name_cut_to_it() {
        for call in [Call::Named, Call::Frame, Call::Parts, Call::Unseen, Call::UnseenOwned] {
            let limits = IngestLimits { max_name_bytes: 3, ..IngestLimits::default() };
            let mut g = GroupBuilder::new("test", &limits);
            assert_eq!(g.frame_named_unseen("b").unwrap(), 0);
            assert_eq!(give(&mut g, call, "aa\u{e9}").unwrap(), 1, "{call:?}");
            assert_eq!(g.get_frame(1).unwrap().name, "aa");
            assert_eq!(g.frame_named_unseen("aa").unwrap(), 1, "{call:?}");
            assert_eq!(g.frame_named_unseen("c").unwrap(), 2, "{call:?}");
            assert_eq!(g.frame_count(), 3);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Names given as unseen (when they are: not given before for a
        /// frame with only a name), mixed with every other way of
        /// interning, make the group that interning each one makes: the
        /// same ids, frames, warnings and errors, whatever the cutting of
        /// names and the frame limit, and every name is found again after.
        #[test]
        fn unseen_names_intern_as_named_ones(
            given in proptest::collection::vec((name(), call()), 1..40),
            max_name_bytes in prop_oneof![Just(1u64), Just(3), Just(4), Just(64 << 10)],
            max_frames in prop_oneof![Just(8u64), Just(u64::MAX)],
        ) {
            let limits = IngestLimits { max_name_bytes, max_frames, ..IngestLimits::default() };
            let mut with = GroupBuilder::new("test", &limits);
            let mut without = GroupBuilder::new("test", &limits);
            let mut named = std::collections::HashSet::new();
            for (name, call) in &given {
                let call = match call {
                    Call::Unseen | Call::UnseenOwned if named.contains(name) => Call::Named,
                    &c => c,
                };
                if !matches!(call, Call::Located) {
                    named.insert(name.clone());
                }
                let plain = if matches!(call, Call::Unseen | Call::UnseenOwned) { Call::Named } else { call };
                let a = give(&mut with, call, name);
                let b = give(&mut without, plain, name);
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"), "{:?} {:?}", call, name);
            }
            for (name, _) in &given {
                let a = with.frame_named(name);
                let b = without.frame_named(name);
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"), "{:?} again", name);
            }
            prop_assert_eq!(with.frame_count(), without.frame_count());
            let (a, ra) = with.finish(0).unwrap();
            let (b, rb) = without.finish(0).unwrap();
            prop_assert_eq!(a, b);
            prop_assert_eq!(format!("{ra:?}"), format!("{rb:?}"));
        }
    }
}
