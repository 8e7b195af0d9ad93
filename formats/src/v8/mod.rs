//! The V8 CPU profile model shared by `.cpuprofile` files
//! ([`crate::chrome_cpuprofile`]) and the CPU profiles embedded in Chrome
//! traces ([`crate::chrome_trace`]): the node tree (`nodes` with
//! `callFrame`s, linked by `children` and/or `parent`) and the sample walk
//! that turns `samples` + `timeDeltas` into one sampled profile. The rules
//! are documented on [`crate::chrome_cpuprofile`].

mod nodes;
pub(crate) mod scan;

use crate::kept::Text;
use nodes::CpuNode;
pub(crate) use nodes::{NodePart, Nodes};

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;

use hashbrown::HashMap;

use flamekit_core::{
    Error, FrameId, GroupBuilder, LimitKind, Location, Profile, Result, SampledBuilder, StackId, ValueUnit, NO_STACK,
};
use serde::Deserialize;
use smallvec::SmallVec;

use crate::json::JStr;
use crate::parallel::{read_ends, READ_AHEAD};

/// A node's `children` ids as serde reads them: up to two kept inline,
/// without an allocation (then kept beside the nodes, see [`Nodes`]).
pub(crate) type Children = SmallVec<[i64; 2]>;

/// `callFrame` of a node in the current format.
#[derive(Deserialize, Default)]
pub(crate) struct CallFrameJson<'a> {
    #[serde(rename = "functionName", borrow, default)]
    function_name: Option<JStr<'a>>,
    #[serde(borrow, default)]
    url: Option<JStr<'a>>,
    #[serde(rename = "lineNumber", default)]
    line_number: Option<f64>,
    #[serde(rename = "columnNumber", default)]
    column_number: Option<f64>,
}

/// A node of the current format, as written in the file (or in a trace
/// `ProfileChunk`).
#[derive(Deserialize, Default)]
pub(crate) struct NodeJson<'a> {
    id: i64,
    #[serde(rename = "callFrame", borrow, default)]
    call_frame: CallFrameJson<'a>,
    #[serde(default)]
    children: Option<Children>,
    #[serde(default)]
    parent: Option<i64>,
}

/// The parts of a CPU profile the sample walk needs.
#[derive(Default)]
pub(crate) struct CpuProfileData<'a> {
    pub(crate) nodes: Nodes<'a>,
    pub(crate) samples: Vec<i64>,
    pub(crate) time_deltas: Vec<f64>,
    pub(crate) start_time: f64,
    pub(crate) end_time: f64,
}

impl<'a> CpuProfileData<'a> {
    /// Append nodes written in the current format; `None` past what
    /// [`Nodes`] can hold (see [`too_many`]).
    pub(crate) fn extend_nodes(&mut self, nodes: Vec<NodeJson<'a>>) -> Option<()> {
        nodes.into_iter().try_for_each(|n| self.nodes.push_json(n))
    }
}

const NONE: u32 = u32::MAX;

/// The error for nodes past what [`Nodes`] counts (`u32::MAX` children of
/// a node, or strings with escapes).
pub(crate) fn too_many(format: &'static str, loc: &str) -> Error {
    Error::invalid(format, loc, nodes::TOO_MANY)
}

/// 0-based line/column from the file → 1-based (the fraction dropped), or
/// none: negative (V8 writes -1 for none), too large, or not finite.
pub(crate) fn one_based(x: f64) -> Option<NonZeroU32> {
    // Below u32::MAX, so the sum does not overflow.
    (x.is_finite() && x >= 0.0 && x < u32::MAX as f64).then(|| x as u32 + 1).and_then(NonZeroU32::new)
}

/// Node id → node index.
enum NodeIndex {
    /// Ids are exactly `1..=n`, in order.
    Dense(usize),
    /// Any other ids (unique).
    Map(HashMap<i64, u32>),
}

impl NodeIndex {
    fn get(&self, id: i64) -> Option<u32> {
        match self {
            NodeIndex::Dense(n) => (id >= 1 && id <= *n as i64).then(|| (id - 1) as u32),
            NodeIndex::Map(m) => m.get(&id).copied(),
        }
    }
}

/// Intern the frame of `node`: name = `functionName`, or for an unnamed
/// function `(anonymous FILE:LINE)` (see [`crate::js_name::function_label`]),
/// file = non-empty `url`, 1-based line and column. No allocation when the
/// frame is already known.
fn frame_id(g: &mut GroupBuilder, nodes: &Nodes<'_>, node: &CpuNode<'_>) -> Result<FrameId> {
    let file = nodes.url(node).filter(|u| !u.is_empty());
    let line = node.line.map(NonZeroU32::get);
    let name = crate::js_name::function_label(nodes.name(node), file, line);
    g.frame_parts(&name, file, line, node.col.map(NonZeroU32::get))
}

/// Read the first and last byte of the function name and url of each of
/// `batch`'s nodes, without using them: interning their frames then finds
/// them in the cache (their cache misses overlap here instead of coming
/// one after the other).
fn read_ahead(nodes: &Nodes<'_>, batch: &[u32]) {
    let mut sink = 0u8;
    for &x in batch {
        if let Some(node) = nodes.get(x as usize) {
            sink ^= read_ends(nodes.name(node).as_bytes()) ^ nodes.url(node).map_or(0, |u| read_ends(u.as_bytes()));
        }
    }
    std::hint::black_box(sink);
}

/// What the sample walk knows of a node from its place in the tree alone.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Its stack is its frame under its callers' frames whatever the stack
    /// before was: neither it nor a caller is (program) or (garbage
    /// collector), and no caller is ignored except outermost ones such as
    /// (root). Almost every node of a real profile.
    Fixed,
    /// Ignored, and so is every caller ((root), a top-level (idle)): its
    /// stack is the empty one.
    Empty,
    /// Anything else: (program), (garbage collector) and the nodes they
    /// call, whose stack goes on top of the stack before, and the nodes
    /// under an ignored node that has callers, whose stack keeps what it
    /// shares with the stack before. Their stacks are found by walking.
    Walked,
}

/// Each node's [`Kind`], from its parent's, following parents iteratively;
/// `Err(node)` when the parent links have a cycle through `node` (the first
/// met, taking the nodes in order).
fn kinds(parent: &[u32], on_top: &[bool], ignored: &[bool]) -> std::result::Result<Vec<Kind>, u32> {
    #[derive(Clone, Copy)]
    enum Seen {
        No,
        OnPath,
        Is(Kind),
    }
    let mut seen = vec![Seen::No; parent.len()];
    let mut path: Vec<u32> = Vec::new();
    for start in 0..parent.len() as u32 {
        let mut cur = start;
        path.clear();
        while cur != NONE && matches!(seen[cur as usize], Seen::No) {
            seen[cur as usize] = Seen::OnPath;
            path.push(cur);
            cur = parent[cur as usize];
        }
        let mut above = match seen.get(cur as usize) {
            Some(Seen::OnPath) => return Err(cur),
            Some(&Seen::Is(k)) => Some(k),
            // `NONE`: no caller.
            _ => None,
        };
        for &x in path.iter().rev() {
            let x = x as usize;
            let k = match (ignored[x], on_top[x], above) {
                (true, _, None | Some(Kind::Empty)) => Kind::Empty,
                (false, false, None | Some(Kind::Empty | Kind::Fixed)) => Kind::Fixed,
                _ => Kind::Walked,
            };
            seen[x] = Seen::Is(k);
            above = Some(k);
        }
    }
    Ok(seen.into_iter().map(|s| if let Seen::Is(k) = s { k } else { Kind::Walked }).collect())
}

/// The open stack of the sample walk, in two parts: a [`Kind::Fixed`] node
/// whose stack is open (`base`: it and its callers), then (program),
/// (garbage collector) and the other walked nodes opened on top of it
/// (`prev`: node index, stack node pairs, outermost first). A sample of a
/// fixed node costs one look-up (its stack node is kept from its first
/// opening); only walked nodes are walked to, step by step from the
/// nearest open node, and those steps are counted against `max_samples`
/// (as speedscope's walk, they cost the depth of the nodes they pass).
struct Walk<'w> {
    parent: &'w [u32],
    /// (program) and (garbage collector): shown on top of the stack before.
    on_top: &'w [bool],
    /// (root), (idle) and the like: never shown.
    ignored: &'w [bool],
    kind: &'w [Kind],
    /// The open fixed node, if any, under `prev`.
    base: Option<u32>,
    prev: Vec<(u32, StackId)>,
    in_prev: Vec<bool>,
    /// The stack node of each fixed node opened so far (`known`).
    stack: Vec<StackId>,
    known: Vec<bool>,
    to_open: Vec<u32>,
    /// Steps of walks to walked nodes, and their bound.
    steps: u64,
    max_steps: u64,
}

impl<'w> Walk<'w> {
    fn new(parent: &'w [u32], on_top: &'w [bool], ignored: &'w [bool], kind: &'w [Kind], max_steps: u64) -> Self {
        let n = parent.len();
        Walk {
            parent,
            on_top,
            ignored,
            kind,
            base: None,
            prev: Vec::new(),
            in_prev: vec![false; n],
            stack: vec![NO_STACK; n],
            known: vec![false; n],
            to_open: Vec::new(),
            steps: 0,
            max_steps,
        }
    }

    /// Close every node and forget every stack node: back to the start.
    fn reset(&mut self) {
        self.close_prev();
        self.base = None;
        self.known.fill(false);
        self.steps = 0;
    }

    /// Close the nodes of `prev`.
    fn close_prev(&mut self) {
        for (x, _) in self.prev.drain(..) {
            self.in_prev[x as usize] = false;
        }
    }

    /// The node on top of the open stack and its stack node.
    fn top(&self) -> (u32, StackId) {
        match (self.prev.last(), self.base) {
            (Some(&p), _) => p,
            (None, Some(b)) => (b, self.stack[b as usize]),
            (None, None) => (NONE, NO_STACK),
        }
    }

    /// Count `k` steps of a walk against the bound.
    fn step(&mut self, k: usize) -> Result<()> {
        self.steps = self.steps.saturating_add(k as u64);
        if self.steps > self.max_steps {
            return Err(Error::LimitExceeded { limit: LimitKind::Samples, max: self.max_steps, value: self.steps });
        }
        Ok(())
    }

    /// Move the open stack to node `top`'s, opening each node not open
    /// yet, outermost first, with `open(node, stack node of its parent)`.
    /// Returns the stack node of the new top.
    fn to(&mut self, top: u32, mut open: impl FnMut(u32, StackId) -> Result<StackId>) -> Result<StackId> {
        match self.kind[top as usize] {
            Kind::Empty => {
                self.close_prev();
                self.base = None;
                Ok(NO_STACK)
            }
            Kind::Fixed => {
                if !self.known[top as usize] {
                    // Its callers not opened yet (each fixed node is opened
                    // once), outermost first, on the nearest one that was.
                    self.to_open.clear();
                    let mut cur = top;
                    while cur != NONE && self.kind[cur as usize] == Kind::Fixed && !self.known[cur as usize] {
                        self.to_open.push(cur);
                        cur = self.parent[cur as usize];
                    }
                    let mut on =
                        if cur != NONE && self.known[cur as usize] { self.stack[cur as usize] } else { NO_STACK };
                    for &x in self.to_open.iter().rev() {
                        on = open(x, on)?;
                        self.stack[x as usize] = on;
                        self.known[x as usize] = true;
                    }
                }
                self.close_prev();
                self.base = Some(top);
                Ok(self.stack[top as usize])
            }
            Kind::Walked => self.walk_to(top, open),
        }
    }

    /// [`Walk::to`] for a walked node: close the open nodes not on its
    /// stack, then open the others outermost first. This is speedscope's
    /// walk: the stack is the one of the lowest node, going up from `top`,
    /// that is open, plus the nodes below it; going up from (program) or
    /// (garbage collector) leads to the top of the stack before, and the
    /// nodes to open stop at an ignored node.
    fn walk_to(&mut self, top: u32, mut open: impl FnMut(u32, StackId) -> Result<StackId>) -> Result<StackId> {
        // Lowest node of the new stack that is already open.
        let mut lca = top;
        let mut steps = 0usize;
        loop {
            if lca == NONE || self.in_prev[lca as usize] {
                break;
            }
            if self.kind[lca as usize] == Kind::Fixed && Some(lca) != self.base {
                // Open only if it calls the open fixed node: reached above
                // an ignored node (never in a real profile), so `base`'s
                // stack is spelled out in `prev` to tell.
                self.spell_out_base()?;
                if self.in_prev[lca as usize] {
                    break;
                }
            } else if Some(lca) == self.base {
                break;
            }
            steps += 1;
            lca = if self.on_top[lca as usize] { self.top().0 } else { self.parent[lca as usize] };
        }
        self.step(steps)?;
        // Close the nodes above it.
        if lca == NONE {
            self.close_prev();
            self.base = None;
        } else if self.in_prev[lca as usize] {
            while let Some(&(x, _)) = self.prev.last() {
                if x == lca {
                    break;
                }
                self.in_prev[x as usize] = false;
                self.prev.pop();
            }
        } else {
            // `lca` is `base`.
            self.close_prev();
        }
        self.to_open.clear();
        let mut cur = top;
        while cur != NONE && cur != lca && !self.ignored[cur as usize] {
            self.to_open.push(cur);
            // Going up from (program) or (garbage collector) leads to the
            // top of the open stack, which is now `lca`.
            cur = if self.on_top[cur as usize] { lca } else { self.parent[cur as usize] };
        }
        self.step(self.to_open.len())?;
        let mut on = self.top().1;
        for &x in self.to_open.iter().rev() {
            on = open(x, on)?;
            self.prev.push((x, on));
            self.in_prev[x as usize] = true;
        }
        Ok(on)
    }

    /// Move the open fixed node's stack into `prev`, node by node (the
    /// steps counted): every open node is then in `prev`.
    fn spell_out_base(&mut self) -> Result<()> {
        let Some(b) = self.base.take() else { return Ok(()) };
        self.to_open.clear();
        let mut cur = b;
        while cur != NONE && self.kind[cur as usize] == Kind::Fixed {
            self.to_open.push(cur);
            cur = self.parent[cur as usize];
        }
        self.step(self.to_open.len())?;
        let above = std::mem::take(&mut self.prev);
        self.prev.extend(self.to_open.iter().rev().map(|&x| (x, self.stack[x as usize])));
        for &(x, _) in &self.prev {
            self.in_prev[x as usize] = true;
        }
        self.prev.extend(above);
        Ok(())
    }
}

/// What [`walk_samples`] returns for a node whose frame did not intern:
/// replaced by the interning error.
const NOT_INTERNED: &str = "a node was opened without a frame";

/// A count that one thread raises and another waits on, and whether the
/// one raising it is done. The waiting thread spins briefly, then sleeps
/// until the count is [`Count::AHEAD`] past what it needs (or done), so a
/// wait costs no CPU and the raising thread wakes it once per stretch, not
/// once per step. One thread waits on a count (the first to sleep on it).
#[derive(Default)]
struct Count {
    n: AtomicUsize,
    done: AtomicBool,
    /// The count the waiting thread sleeps until; 0 while it is awake.
    want: AtomicUsize,
    waiter: OnceLock<Thread>,
}

impl Count {
    /// How far past what it needs a sleeping waiter waits for.
    const AHEAD: usize = 1024;
    /// Spins before sleeping.
    const SPINS: u32 = 128;

    fn set(&self, n: usize) {
        // SeqCst here and in `wait_past`: either the waiter sees the new
        // count, or this sees that the waiter sleeps (no lost wake-up).
        self.n.store(n, Ordering::SeqCst);
        let want = self.want.load(Ordering::SeqCst);
        if want != 0 && n >= want {
            self.wake();
        }
    }

    fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        if self.want.load(Ordering::SeqCst) != 0 {
            self.wake();
        }
    }

    fn wake(&self) {
        if let Some(t) = self.waiter.get() {
            t.unpark();
        }
    }

    /// Wait until the count passes `k`: the count then, or `None` if it
    /// never will.
    fn wait_past(&self, k: usize) -> Option<usize> {
        let mut spins = 0u32;
        loop {
            let n = self.n.load(Ordering::Acquire);
            if n > k {
                return Some(n);
            }
            if self.done.load(Ordering::Acquire) {
                let n = self.n.load(Ordering::Acquire);
                return (n > k).then_some(n);
            }
            if spins < Self::SPINS {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            let me = self.waiter.get_or_init(std::thread::current);
            if me.id() != std::thread::current().id() {
                // Not the count's waiter: it would not be woken.
                std::thread::yield_now();
                continue;
            }
            let want = k.saturating_add(1 + Self::AHEAD);
            self.want.store(want, Ordering::SeqCst);
            if self.n.load(Ordering::SeqCst) < want && !self.done.load(Ordering::SeqCst) {
                // Returns at once if woken since `want` was set; the loop
                // checks again after any wake-up.
                std::thread::park();
            }
            self.want.store(0, Ordering::SeqCst);
        }
    }
}

/// Marks a [`Count`] done when dropped.
struct FinishOnDrop<'c>(&'c Count);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// What the three steps after the node tree share, when they run at once:
/// the first walk finds the nodes in the order the sample walk opens them
/// (`order`, `found` of them so far), the interning gives their frames in
/// that order (`frames`, `interned` of them so far), and the sample walk
/// opens each once its frame is in.
struct Pipeline {
    order: Vec<AtomicU32>,
    found: Count,
    frames: Vec<AtomicU32>,
    interned: Count,
    /// Set when the sample walk failed: the interning stops.
    stop: AtomicBool,
}

impl Pipeline {
    fn new(n: usize) -> Self {
        let unset = || (0..n).map(|_| AtomicU32::new(NONE)).collect();
        Pipeline {
            order: unset(),
            found: Count::default(),
            frames: unset(),
            interned: Count::default(),
            stop: AtomicBool::new(false),
        }
    }

    /// The first walk: builds nothing, publishes the nodes the sample walk
    /// will open, in the order it first opens them, [`READ_AHEAD`] at a
    /// time (the interning takes them in such batches).
    fn find_order(&self, samples: &[i64], index: &NodeIndex, walk: &mut Walk<'_>) -> Result<()> {
        let mut seen = vec![false; walk.parent.len()];
        let mut found = 0;
        for (i, &sid) in samples.iter().enumerate() {
            if i > 0 && samples.get(i - 1) == Some(&sid) {
                continue;
            }
            if let Some(top) = index.get(sid) {
                walk.to(top, |x, _| {
                    if !std::mem::replace(&mut seen[x as usize], true) {
                        self.order[found].store(x, Ordering::Relaxed);
                        found += 1;
                        if found % READ_AHEAD == 0 {
                            self.found.set(found);
                        }
                    }
                    Ok(NO_STACK)
                })?;
            }
        }
        self.found.set(found);
        self.found.finish();
        Ok(())
    }

    /// Intern the frames of the nodes as the first walk finds them, a batch
    /// read ahead at a time, publishing each batch. Returns the error of
    /// the first frame that fails (its node's frame stays unset).
    fn intern(&self, g: &mut GroupBuilder, nodes: &Nodes<'_>) -> Option<Error> {
        let mut failed = None;
        let mut done = 0;
        let mut batch = [0u32; READ_AHEAD];
        while let Some(found) = self.found.wait_past(done) {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let batch = &mut batch[..(found - done).min(READ_AHEAD)];
            for (k, x) in batch.iter_mut().enumerate() {
                *x = self.order[done + k].load(Ordering::Relaxed);
            }
            read_ahead(nodes, batch);
            for &x in batch.iter() {
                match frame_id(g, nodes, &nodes[x as usize]) {
                    Ok(f) => self.frames[x as usize].store(f, Ordering::Relaxed),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
                done += 1;
            }
            self.interned.set(done);
            if failed.is_some() {
                break;
            }
        }
        self.interned.finish();
        failed
    }
}

/// The walk that builds the stacks: each run of samples of one node is one
/// sample of that node's stack. Nodes are opened in the order the first walk
/// found, each once its frame is interned. Returns the builder and the
/// number of runs of samples of unknown nodes.
fn walk_samples(
    mut b: SampledBuilder,
    data: &CpuProfileData<'_>,
    index: &NodeIndex,
    walk: &mut Walk<'_>,
    pipeline: &Pipeline,
    first: f64,
) -> Result<(SampledBuilder, u64)> {
    let (samples, deltas) = (&data.samples, &data.time_deltas);
    let mut unknown_samples = 0u64;
    let mut opened = vec![false; walk.parent.len()];
    let mut first_opens = 0usize;
    let mut elapsed = first;
    let mut last_valid = elapsed;
    let mut run_start = 0.0;
    let mut run_stack = NO_STACK;
    for (i, &sid) in samples.iter().enumerate() {
        if i > 0 {
            // The time of sample i (deltas has at least as many entries as samples).
            elapsed += deltas.get(i).copied().unwrap_or(0.0);
        }
        let new_run = i == 0 || samples.get(i - 1) != Some(&sid);
        if new_run {
            let t = if elapsed < last_valid {
                last_valid
            } else {
                last_valid = elapsed;
                elapsed
            };
            if i > 0 {
                b.push_sample(run_stack, t - run_start)?;
            }
            run_start = t;
            let Some(top) = index.get(sid) else {
                unknown_samples += 1;
                continue;
            };
            run_stack = walk.to(top, |x, parent_stack| {
                if !std::mem::replace(&mut opened[x as usize], true) {
                    if pipeline.interned.wait_past(first_opens).is_none() {
                        return Err(Error::Internal { message: NOT_INTERNED.into() });
                    }
                    first_opens += 1;
                }
                match pipeline.frames[x as usize].load(Ordering::Relaxed) {
                    FrameId::MAX => Err(Error::Internal { message: NOT_INTERNED.into() }),
                    f => b.node(parent_stack, f),
                }
            })?;
        }
    }
    if !samples.is_empty() {
        let end = if elapsed < last_valid { last_valid } else { elapsed };
        b.push_sample(run_stack, end - run_start)?;
    }
    Ok((b, unknown_samples))
}

/// Each node's parent (index; [`NONE`] for a root), from `parent` and
/// `children` (which must agree), and the numbers of unknown parents and
/// children. One pass over the nodes sets both kinds of link; when a node
/// gets two parents, the links are set again in two passes, every `parent`
/// then every `children`, whose first disagreement is the error (the one
/// reported whatever the order of the nodes' fields).
fn parent_links(
    data: &CpuProfileData<'_>,
    index: &NodeIndex,
    loc: &str,
    format: &'static str,
) -> Result<(Vec<u32>, u64, u64)> {
    let n = data.nodes.len();
    let mut parent = vec![NONE; n];
    let (mut unknown_parents, mut unknown_children) = (0u64, 0u64);
    let mut agree = true;
    let mut link = |parent: &mut Vec<u32>, child: u32, p: u32| {
        let slot = &mut parent[child as usize];
        agree &= *slot == NONE || *slot == p;
        *slot = p;
    };
    let mut children = data.nodes.children();
    for (i, node) in data.nodes.iter().enumerate() {
        if let Some(pid) = node.parent() {
            match index.get(pid) {
                Some(p) => link(&mut parent, i as u32, p),
                None => unknown_parents += 1,
            }
        }
        for cid in children.by_ref().take(node.children()) {
            match index.get(*cid) {
                Some(c) => link(&mut parent, c, i as u32),
                None => unknown_children += 1,
            }
        }
    }
    if agree {
        return Ok((parent, unknown_parents, unknown_children));
    }
    let set_parent = |parent: &mut Vec<u32>, child: u32, p: u32, at: &dyn Fn() -> String| -> Result<()> {
        let slot = &mut parent[child as usize];
        if *slot == NONE || *slot == p {
            *slot = p;
            Ok(())
        } else {
            Err(Error::invalid(format, at(), format!("node {} has two parents", data.nodes[child as usize].id)))
        }
    };
    parent.fill(NONE);
    for (i, node) in data.nodes.iter().enumerate() {
        if let Some(p) = node.parent().and_then(|pid| index.get(pid)) {
            set_parent(&mut parent, i as u32, p, &|| format!("{loc}[{i}].parent"))?;
        }
    }
    let mut children = data.nodes.children();
    for (i, node) in data.nodes.iter().enumerate() {
        for (k, cid) in children.by_ref().take(node.children()).enumerate() {
            if let Some(c) = index.get(*cid) {
                set_parent(&mut parent, c, i as u32, &|| format!("{loc}[{i}].children[{k}]"))?;
            }
        }
    }
    Err(Error::Internal { message: format!("{loc}: node links disagree, but no node has two parents") })
}

/// Build one sampled profile (microseconds) from a CPU profile. `loc` names
/// the profile in error messages (e.g. `nodes` or `traceEvents[Profile 0x1]`).
pub(crate) fn build_profile(
    g: &mut GroupBuilder,
    name: String,
    data: &CpuProfileData<'_>,
    loc: &str,
    threads: usize,
) -> Result<Profile> {
    let format = g.format();
    let n = data.nodes.len();
    if n >= NONE as usize {
        return Err(Error::invalid(format, loc, "too many nodes"));
    }
    // One pass over the nodes for what each says of itself: whether the
    // ids are exactly 1..=n in order (V8 numbers them so; then no map is
    // needed), and the node kinds (speedscope's rules): (root), (idle) and
    // the like are never shown; (program) and (garbage collector) are shown
    // on top of the stack before.
    let mut dense = true;
    let mut ignored: Vec<bool> = Vec::with_capacity(n);
    let mut on_top: Vec<bool> = Vec::with_capacity(n);
    for (i, nd) in data.nodes.iter().enumerate() {
        dense &= nd.id == i as i64 + 1;
        let name = data.nodes.name(nd);
        ignored.push(name == "(root)" || name == "(idle)" || data.nodes.url(nd) == Some("native dummy.js"));
        on_top.push(name == "(garbage collector)" || name == "(program)");
    }
    // Node ids → indices.
    let index = if dense {
        NodeIndex::Dense(n)
    } else {
        let mut map: HashMap<i64, u32> = HashMap::with_capacity(n);
        for (i, node) in data.nodes.iter().enumerate() {
            if map.insert(node.id, i as u32).is_some() {
                return Err(Error::invalid(format, format!("{loc}[{i}].id"), format!("duplicate node id {}", node.id)));
            }
        }
        NodeIndex::Map(map)
    };
    // Dangling references occur in real files (Chrome trims old nodes from
    // its trace chunks): as in speedscope, a node with an unknown parent is a
    // root, an unknown child is dropped, and a sample of an unknown node
    // keeps the previous stack. Each kind is counted in the report.
    let (parent, unknown_parents, unknown_children) = parent_links(data, &index, loc, format)?;
    let kind = kinds(&parent, &on_top, &ignored).map_err(|cycle| {
        Error::invalid(format, loc, format!("the node tree has a cycle through node {}", data.nodes[cycle as usize].id))
    })?;
    let samples = &data.samples;
    let deltas = &data.time_deltas;
    if deltas.len() < samples.len() {
        return Err(Error::invalid(
            format,
            loc,
            format!("{} samples but only {} timeDeltas", samples.len(), deltas.len()),
        ));
    }
    if deltas.len() > samples.len() {
        g.report().warn(
            "extra_time_deltas",
            Location::Path(loc.to_owned()),
            format!("{} timeDeltas for {} samples: the extra ones are ignored", deltas.len(), samples.len()),
        );
    }
    if let Some((i, d)) = deltas.iter().enumerate().find(|(_, d)| !d.is_finite()) {
        return Err(Error::invalid(format, format!("{loc}.timeDeltas[{i}]"), format!("not a finite number: {d}")));
    }

    let mut b = g.sampled(name, ValueUnit::Microseconds);
    let first = if samples.is_empty() { 0.0 } else { deltas.first().copied().unwrap_or(0.0) };
    // The profile starts at `startTime` (as speedscope's time axis does);
    // the time before the first sample is idle.
    if first > 0.0 {
        b.set_start(data.start_time);
        b.push_sample(NO_STACK, first)?;
    } else {
        b.set_start(data.start_time + first);
    }
    b.set_end(data.end_time);

    // Three steps follow: a first walk over the samples that builds
    // nothing finds the nodes in the order the sample walk first opens them;
    // their frames are interned in that order (the order the sample walk
    // would intern them in), a batch read ahead at a time, so that the cache
    // misses on their names overlap; the sample walk opens each node once
    // its frame is in. On one thread they run one after the other; on more,
    // the two walks run on a second thread while this one interns (or one
    // after the other here, where no thread can be started: WebAssembly,
    // or a host out of threads).
    let pipeline = Pipeline::new(n);
    let mut walk = Walk::new(&parent, &on_top, &ignored, &kind, g.limits().max_samples);
    // The builder, for the sample walk wherever it runs.
    let mut builder = Some(b);
    let together = if threads > 1 && n > READ_AHEAD {
        std::thread::scope(|s| {
            let (builder, walk, pipeline, index) = (&mut builder, &mut walk, &pipeline, &index);
            let walker = std::thread::Builder::new().spawn_scoped(s, move || {
                // Ends the interning's wait for nodes however the walks end
                // (a failure or, a bug, a panic).
                let _found = FinishOnDrop(&pipeline.found);
                let b = builder
                    .take()
                    .ok_or_else(|| Error::Internal { message: "the sample walk has no builder".into() })?;
                let r = pipeline.find_order(samples, index, walk).and_then(|()| {
                    walk.reset();
                    walk_samples(b, data, index, walk, pipeline, first)
                });
                if r.is_err() {
                    pipeline.stop.store(true, Ordering::Relaxed);
                }
                r
            });
            // No second thread: the closure, never run, left the builder.
            let Ok(walker) = walker else { return None };
            let failed = {
                // Ends the walk's wait for frames however the interning
                // ends: a panic in it (a bug) then reaches the caller
                // instead of leaving the walk waiting and the scope joining
                // it forever.
                let _interned = FinishOnDrop(&pipeline.interned);
                pipeline.intern(g, &data.nodes)
            };
            let walked = walker
                .join()
                .unwrap_or_else(|_| Err(Error::Internal { message: format!("{loc}: the sample walk panicked") }));
            Some((walked, failed))
        })
    } else {
        None
    };
    let walked = match (together, builder.take()) {
        (Some(walked), _) => walked,
        (None, Some(b)) => {
            pipeline.find_order(samples, &index, &mut walk)?;
            let failed = pipeline.intern(g, &data.nodes);
            walk.reset();
            (walk_samples(b, data, &index, &mut walk, &pipeline, first), failed)
        }
        (None, None) => return Err(Error::Internal { message: format!("{loc}: the sample walk lost its builder") }),
    };
    let (b, unknown_samples) = match walked {
        (Ok(walked), _) => walked,
        // The walk met the node whose frame failed to intern (as it would
        // have interning as it went): that error.
        (Err(Error::Internal { message }), Some(e)) if message == NOT_INTERNED => return Err(e),
        (Err(e), _) => return Err(e),
    };
    let report = g.report();
    for (code, count, what) in [
        ("unknown_parent_node", unknown_parents, "node(s) name an unknown parent: shown as outermost frames"),
        ("unknown_child_node", unknown_children, "children reference(s) to unknown nodes were dropped"),
        ("unknown_sample_node", unknown_samples, "run(s) of samples of unknown nodes keep the previous stack"),
    ] {
        if count > 0 {
            *report.skipped.entry(code).or_insert(0) += count;
            report.warn(code, Location::Path(loc.to_owned()), format!("{count} {what}"));
        }
    }
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    /// Run `f` on a thread; fail if it does not end within a minute (a
    /// lost wake-up leaves a waiter asleep for good).
    fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(Duration::from_secs(60)).expect("a waiter was never woken")
    }

    /// A publisher raising a count step by step, pausing now and then (so
    /// the waiter sleeps), and a waiter taking every step: it sees each
    /// count, never one that was not set, and `None` past the last.
    #[test]
    fn a_waiter_sees_every_count_and_the_end() {
        for (steps, pause_every) in [(20_000usize, 97usize), (3_000, 1), (5, 1), (0, 1)] {
            let taken = within_a_minute(move || {
                let count = Arc::new(Count::default());
                let publisher = {
                    let count = Arc::clone(&count);
                    std::thread::spawn(move || {
                        for n in 1..=steps {
                            count.set(n);
                            if n % pause_every == 0 {
                                std::thread::sleep(Duration::from_micros(50));
                            }
                        }
                        count.finish();
                    })
                };
                let mut k = 0;
                while let Some(n) = count.wait_past(k) {
                    assert!(n > k && n <= steps, "waited past {k}, got {n} of {steps}");
                    k += 1;
                }
                publisher.join().unwrap();
                k
            });
            assert_eq!(taken, steps, "{steps} steps");
        }
    }

    /// speedscope's sample walk, written as its importer does it: the open
    /// stack as a list; from the new top, go up (from (program) or (garbage
    /// collector) to the top of the list) to the lowest open node; close
    /// the nodes above it; open the nodes from there to the top, stopping
    /// at an ignored one. Returns each sample's stack (node indices,
    /// outermost first) and the nodes in the order first opened.
    fn speedscope_walk(
        parent: &[u32],
        on_top: &[bool],
        ignored: &[bool],
        samples: &[u32],
    ) -> (Vec<Vec<u32>>, Vec<u32>) {
        let mut open: Vec<u32> = Vec::new();
        let mut first: Vec<u32> = Vec::new();
        let mut stacks = Vec::new();
        for &top in samples {
            let next = |x: u32, open: &Vec<u32>| {
                if on_top[x as usize] {
                    open.last().copied().unwrap_or(NONE)
                } else {
                    parent[x as usize]
                }
            };
            let mut lca = top;
            while lca != NONE && !open.contains(&lca) {
                lca = next(lca, &open);
            }
            while open.last().is_some_and(|&x| x != lca) {
                open.pop();
            }
            let mut to_open = Vec::new();
            let mut cur = top;
            while cur != NONE && cur != lca && !ignored[cur as usize] {
                to_open.push(cur);
                cur = next(cur, &open);
            }
            for &x in to_open.iter().rev() {
                if !first.contains(&x) {
                    first.push(x);
                }
                open.push(x);
            }
            stacks.push(open.clone());
        }
        (stacks, first)
    }

    /// [`Walk`] over the same samples, stack nodes numbered as a builder
    /// would (one per parent and node): each sample's stack spelled out,
    /// and the nodes in the order first opened.
    fn our_walk(
        parent: &[u32],
        on_top: &[bool],
        ignored: &[bool],
        samples: &[u32],
        max_steps: u64,
    ) -> Result<(Vec<Vec<u32>>, Vec<u32>)> {
        let kind = kinds(parent, on_top, ignored).expect("parents come before their children");
        let mut walk = Walk::new(parent, on_top, ignored, &kind, max_steps);
        let mut nodes: Vec<(StackId, u32)> = Vec::new();
        let mut ids: HashMap<(StackId, u32), StackId> = HashMap::new();
        let mut first: Vec<u32> = Vec::new();
        let mut stacks = Vec::new();
        for &top in samples {
            let mut s = walk.to(top, |x, on| {
                if !first.contains(&x) {
                    first.push(x);
                }
                Ok(*ids.entry((on, x)).or_insert_with(|| {
                    nodes.push((on, x));
                    (nodes.len() - 1) as StackId
                }))
            })?;
            let mut stack = Vec::new();
            while s != NO_STACK {
                stack.push(nodes[s as usize].1);
                s = nodes[s as usize].0;
            }
            stack.reverse();
            stacks.push(stack);
        }
        Ok((stacks, first))
    }

    proptest::proptest! {
        /// Random trees with (root)-like, (program)-like and ignored nodes
        /// anywhere, random samples: every sample's stack and the order of
        /// first openings are speedscope's.
        #[test]
        fn the_walk_gives_speedscopes_stacks(
            tree in proptest::collection::vec((0u32..1000, 0u8..10), 1..60),
            picks in proptest::collection::vec(0u32..1000, 0..200),
        ) {
            let n = tree.len() as u32;
            // Parent: an earlier node, or none for about one node in eight.
            let parent: Vec<u32> = tree.iter().enumerate().map(|(i, &(p, _))| {
                if i == 0 || p % 8 == 0 { NONE } else { p % i as u32 }
            }).collect();
            let ignored: Vec<bool> = tree.iter().map(|&(_, k)| k == 0).collect();
            let on_top: Vec<bool> = tree.iter().map(|&(_, k)| k == 1 || k == 2).collect();
            let samples: Vec<u32> = picks.iter().map(|&p| p % n).collect();
            let want = speedscope_walk(&parent, &on_top, &ignored, &samples);
            let got = our_walk(&parent, &on_top, &ignored, &samples, u64::MAX).unwrap();
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// Samples alternating between the leaves of two deep chains cost no
    /// steps (each leaf's stack node is kept); alternating between a deep
    /// chain under (program) and another chain costs the depth each time,
    /// counted against the bound.
    #[test]
    fn only_walked_nodes_cost_steps() {
        let depth = 1000u32;
        // Nodes 0..depth: chain a; depth..2*depth: chain b. For the second
        // case node 0 is (program).
        let parent: Vec<u32> = (0..2 * depth).map(|i| if i % depth == 0 { NONE } else { i - 1 }).collect();
        let ignored = vec![false; parent.len()];
        let samples: Vec<u32> = (0..2000).map(|i| if i % 2 == 0 { depth - 1 } else { 2 * depth - 1 }).collect();
        let plain = vec![false; parent.len()];
        let (stacks, _) = our_walk(&parent, &plain, &ignored, &samples, 0).unwrap();
        assert_eq!(stacks[0].len(), depth as usize);
        let mut program = plain.clone();
        program[0] = true;
        let bound = 100 * depth as u64;
        let err = our_walk(&parent, &program, &ignored, &samples, bound).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded { limit: LimitKind::Samples, max, .. } if max == bound), "{err:?}");
        let (stacks, _) = our_walk(&parent, &program, &ignored, &samples, u64::MAX).unwrap();
        assert_eq!(stacks, speedscope_walk(&parent, &program, &ignored, &samples).0);
    }

    /// A waiter asleep for a count that never comes is woken by the end.
    #[test]
    fn the_end_wakes_a_waiter_short_of_its_count() {
        let got = within_a_minute(|| {
            let count = Arc::new(Count::default());
            let waiter = {
                let count = Arc::clone(&count);
                std::thread::spawn(move || count.wait_past(10))
            };
            std::thread::sleep(Duration::from_millis(50));
            count.set(11);
            count.set(12);
            std::thread::sleep(Duration::from_millis(50));
            count.finish();
            waiter.join().unwrap()
        });
        assert_eq!(got, Some(12));
    }
}
