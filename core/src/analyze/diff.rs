//! Differential profiles: what changed between a "before" and an "after" profile.
//!
//! Functions are matched across the two groups by name and file (line numbers
//! move between builds). Call paths are matched by their sequence of
//! functions. When both profiles have the same unit and
//! [`DiffOptions::normalize`] is on (the default), the before weights are
//! scaled by `after_total / before_total` so that a longer or shorter run
//! does not show up as growth everywhere; when the units differ, the weights
//! are always normalised (only shares of the total are comparable).

use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::model::{CallTree, FrameId, Profile, ProfileData, ProfileGroup, SampledTree, ValueUnit, NO_STACK};

/// Options for [`diff`].
#[derive(Clone, Debug, PartialEq)]
pub struct DiffOptions {
    /// Profile of the before group. Default: `None`, its active profile.
    pub before_profile: Option<usize>,
    /// Profile of the after group. Default: `None`, its active profile.
    pub after_profile: Option<usize>,
    /// Scale before weights to the after total (not when either total is
    /// 0: there is nothing to scale to). Default: `true`.
    pub normalize: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { before_profile: None, after_profile: None, normalize: true }
    }
}

/// One function's weights before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDelta {
    /// Function name.
    pub name: String,
    /// Source file, if known.
    pub file: Option<String>,
    /// Self weight before (scaled when normalised).
    pub before_self: f64,
    /// Self weight after.
    pub after_self: f64,
    /// Total weight before (scaled when normalised), recursion counted once.
    pub before_total: f64,
    /// Total weight after, recursion counted once.
    pub after_total: f64,
}

impl FunctionDelta {
    /// `after_self - before_self`.
    pub fn delta_self(&self) -> f64 {
        self.after_self - self.before_self
    }
    /// `after_total - before_total`.
    pub fn delta_total(&self) -> f64 {
        self.after_total - self.before_total
    }
    /// Relative change of self weight (`None` when it was 0 before).
    pub fn relative_self(&self) -> Option<f64> {
        (self.before_self != 0.0).then(|| self.delta_self() / self.before_self)
    }
    /// Relative change of total weight (`None` when it was 0 before).
    pub fn relative_total(&self) -> Option<f64> {
        (self.before_total != 0.0).then(|| self.delta_total() / self.before_total)
    }
}

/// One call path in the union of both merged call trees.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffNode {
    /// Index into [`ProfileDiff::functions`]; `None` for the root.
    pub function: Option<u32>,
    /// Parent node (the root is its own parent).
    pub parent: u32,
    /// 0 for the root.
    pub depth: u32,
    /// Self weight before (scaled when normalised).
    pub before_self: f64,
    /// Total weight before (scaled when normalised).
    pub before_total: f64,
    /// Self weight after.
    pub after_self: f64,
    /// Total weight after.
    pub after_total: f64,
}

/// Which delta to rank by in [`ProfileDiff::top_by_delta`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeltaSort {
    /// Largest growth of self weight first.
    SelfGrowth,
    /// Largest growth of total weight first.
    TotalGrowth,
    /// Largest absolute change of self weight first (growth or shrink).
    SelfAbsolute,
}

/// The result of [`diff`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileDiff {
    /// Unit of the after profile (and of every weight here).
    pub unit: ValueUnit,
    /// Whether before weights were scaled to the after total.
    pub normalized: bool,
    /// Factor applied to before weights (1 when not normalised, or when
    /// either total is 0).
    pub scale: f64,
    /// Total weight of the before profile, unscaled.
    pub before_total: f64,
    /// Total weight of the after profile.
    pub after_total: f64,
    /// Every function of either profile, in first-seen order (before, then after).
    pub functions: Vec<FunctionDelta>,
    /// Union of both merged call trees; node 0 is the root. A node's
    /// children are [`ProfileDiff::children`].
    pub nodes: Vec<DiffNode>,
    /// Node `i`'s children are `child_list[child_start[i]..child_start[i + 1]]`.
    child_start: Vec<u32>,
    /// Every node's children, node by node, each node's in their order.
    child_list: Vec<u32>,
}

impl ProfileDiff {
    /// Functions ranked by `sort` (ties by name, then index), paged.
    pub fn top_by_delta(&self, sort: DeltaSort, offset: usize, limit: usize) -> Vec<&FunctionDelta> {
        let key = |f: &FunctionDelta| match sort {
            DeltaSort::SelfGrowth => f.delta_self(),
            DeltaSort::TotalGrowth => f.delta_total(),
            DeltaSort::SelfAbsolute => f.delta_self().abs(),
        };
        let mut idx: Vec<usize> = (0..self.functions.len()).collect();
        idx.sort_by(|&a, &b| {
            let (fa, fb) = (&self.functions[a], &self.functions[b]);
            key(fb).total_cmp(&key(fa)).then_with(|| fa.name.cmp(&fb.name)).then(a.cmp(&b))
        });
        idx.into_iter().skip(offset).take(limit).map(|i| &self.functions[i]).collect()
    }

    /// The children of `node` (none for a node out of range), heaviest
    /// after total first, then heaviest before total, then by function index.
    pub fn children(&self, node: u32) -> &[u32] {
        let i = node as usize;
        match (self.child_start.get(i), self.child_start.get(i + 1)) {
            (Some(&s), Some(&e)) => &self.child_list[s as usize..e as usize],
            _ => &[],
        }
    }

    /// The function names on the path from the outermost call down to `node`.
    pub fn path(&self, node: u32) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = node as usize;
        while cur != 0 && cur < self.nodes.len() {
            if let Some(f) = self.nodes[cur].function {
                out.push(self.functions[f as usize].name.as_str());
            }
            cur = self.nodes[cur].parent as usize;
        }
        out.reverse();
        out
    }

    /// True when no weight changed (e.g. a profile diffed with itself).
    pub fn is_zero(&self) -> bool {
        self.nodes.iter().all(|n| n.before_self == n.after_self && n.before_total == n.after_total)
    }
}

/// Compare profile `opts.before_profile` of `before` with profile
/// `opts.after_profile` of `after`. Linear in the size of both call trees.
///
/// ```
/// use flamekit_core::{diff, DiffOptions, DeltaSort, GroupBuilder, IngestLimits, ValueUnit};
/// let build = |x_weight: f64| {
///     let mut g = GroupBuilder::new("test", &IngestLimits::default());
///     let (main, x, y) = (g.frame_named("main").unwrap(), g.frame_named("x").unwrap(), g.frame_named("y").unwrap());
///     let mut p = g.sampled("cpu", ValueUnit::Milliseconds);
///     p.push_stack(&[main, x], x_weight).unwrap();
///     p.push_stack(&[main, y], 10.0).unwrap();
///     g.push_profile(p.finish()).unwrap();
///     g.finish(0).unwrap().0
/// };
/// let d = diff(&build(5.0), &build(10.0), &DiffOptions { normalize: false, ..Default::default() }).unwrap();
/// assert_eq!(d.top_by_delta(DeltaSort::SelfGrowth, 0, 1)[0].name, "x");
/// assert_eq!(d.top_by_delta(DeltaSort::SelfGrowth, 0, 1)[0].delta_self(), 5.0);
/// ```
pub fn diff(before: &ProfileGroup, after: &ProfileGroup, opts: &DiffOptions) -> Result<ProfileDiff> {
    let pick = |g: &ProfileGroup, i: Option<usize>, name: &'static str| -> Result<usize> {
        let i = i.unwrap_or(g.active_profile_index());
        if i < g.profiles().len() {
            Ok(i)
        } else {
            Err(Error::argument(name, format!("{i} is out of range: the group has {} profile(s)", g.profiles().len())))
        }
    };
    let bp = &before.profiles()[pick(before, opts.before_profile, "before_profile")?];
    let ap = &after.profiles()[pick(after, opts.after_profile, "after_profile")?];
    let before_tree = Side::new(bp);
    let after_tree = Side::new(ap);
    let before_total = before_tree.total();
    let after_total = after_tree.total();
    let normalized = opts.normalize || bp.unit() != ap.unit();
    // Nothing to scale to (or from) when either total is 0: scaling the
    // before weights to an after total of 0 would erase them, and a profile
    // whose every call went away would read as unchanged.
    let scale = if normalized && before_total > 0.0 && after_total > 0.0 { after_total / before_total } else { 1.0 };

    let mut functions: Vec<FunctionDelta> = Vec::new();
    let mut function_index: HashMap<(&str, Option<&str>), u32> = HashMap::new();
    let mut nodes = vec![DiffNode {
        function: None,
        parent: 0,
        depth: 0,
        before_self: 0.0,
        before_total: 0.0,
        after_self: 0.0,
        after_total: 0.0,
    }];
    // A node's children: its first one in `first_child`, the others in
    // `node_index` by function. Most nodes of a large tree have one child
    // (a deep stack shared by no other): found without hashing.
    let mut first_child: Vec<u32> = vec![NO_CHILD];
    let mut node_index: HashMap<(u32, u32), u32> = HashMap::new();
    for (side, (group, tree)) in [(before, &before_tree), (after, &after_tree)].into_iter().enumerate() {
        let is_before = side == 0;
        let mut map = vec![0u32; tree.len()];
        // Each frame's function, looked up by name at its first node.
        let mut function_of = vec![u32::MAX; group.frames().len()];
        tree.for_each(|i, parent, frame_id, self_weight| {
            let func = match function_of.get(frame_id as usize) {
                Some(&func) if func != u32::MAX => func,
                _ => {
                    let frame = group.frame(frame_id);
                    let key = (frame.name.as_str(), frame.file.as_deref());
                    let next = functions.len() as u32;
                    let func = *function_index.entry(key).or_insert(next);
                    if func == next {
                        functions.push(FunctionDelta {
                            name: frame.name.clone(),
                            file: frame.file.clone(),
                            before_self: 0.0,
                            after_self: 0.0,
                            before_total: 0.0,
                            after_total: 0.0,
                        });
                    }
                    if let Some(slot) = function_of.get_mut(frame_id as usize) {
                        *slot = func;
                    }
                    func
                }
            };
            let parent = map[parent];
            let next = nodes.len() as u32;
            let id = match first_child[parent as usize] {
                NO_CHILD => {
                    first_child[parent as usize] = next;
                    next
                }
                first if nodes[first as usize].function == Some(func) => first,
                _ => *node_index.entry((parent, func)).or_insert(next),
            };
            if id == next {
                first_child.push(NO_CHILD);
                let depth = nodes[parent as usize].depth + 1;
                nodes.push(DiffNode {
                    function: Some(func),
                    parent,
                    depth,
                    before_self: 0.0,
                    before_total: 0.0,
                    after_self: 0.0,
                    after_total: 0.0,
                });
            }
            map[i] = id;
            let d = &mut nodes[id as usize];
            if is_before {
                d.before_self += self_weight * scale;
            } else {
                d.after_self += self_weight;
            }
        });
    }
    // The sides and the look-ups are done with: their memory goes before
    // the children's.
    drop((before_tree, after_tree, first_child, node_index, function_index));
    // Totals bottom-up (children have larger indices than parents).
    for n in nodes.iter_mut() {
        n.before_total = n.before_self;
        n.after_total = n.after_self;
    }
    for i in (1..nodes.len()).rev() {
        let p = nodes[i].parent as usize;
        let (b, a) = (nodes[i].before_total, nodes[i].after_total);
        nodes[p].before_total += b;
        nodes[p].after_total += a;
    }
    let (child_start, child_list) = children_of(&nodes);
    let mut d = ProfileDiff {
        unit: ap.unit(),
        normalized,
        scale,
        before_total,
        after_total,
        functions: Vec::new(),
        nodes,
        child_start,
        child_list,
    };
    d.functions = function_weights(functions, &d);
    Ok(d)
}

/// No child yet (in `diff`'s first children).
const NO_CHILD: u32 = u32::MAX;

/// Every node's children, as [`ProfileDiff::children`] gives them: one list
/// for all nodes and where each node's part starts (a vector per node would
/// cost several times the node).
fn children_of(nodes: &[DiffNode]) -> (Vec<u32>, Vec<u32>) {
    // Counted into `start[p + 2]`, summed, then placed at `start[p + 1]`,
    // which moves it up to where node `p + 1`'s part starts.
    let mut start = vec![0u32; nodes.len() + 2];
    for n in &nodes[1..] {
        start[n.parent as usize + 2] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut list = vec![0u32; nodes.len().saturating_sub(1)];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        let at = &mut start[n.parent as usize + 1];
        list[*at as usize] = i as u32;
        *at += 1;
    }
    start.truncate(nodes.len() + 1);
    // Siblings have different functions, so no two compare equal.
    for w in start.windows(2) {
        list[w[0] as usize..w[1] as usize].sort_unstable_by(|&a, &b| {
            let (na, nb) = (&nodes[a as usize], &nodes[b as usize]);
            nb.after_total
                .total_cmp(&na.after_total)
                .then(nb.before_total.total_cmp(&na.before_total))
                .then(na.function.cmp(&nb.function))
        });
    }
    (start, list)
}

/// The functions' weights: self weights summed over their nodes, totals
/// over their nodes with no caller of the same function (a recursive
/// function counts once per path), in a depth-first walk that visits
/// children in their order (`d`: the diff with its nodes and children).
fn function_weights(mut functions: Vec<FunctionDelta>, d: &ProfileDiff) -> Vec<FunctionDelta> {
    // [before self, after self, before total, after total], beside each
    // function's times on the path: kept apart from the names, so a node
    // touches one small entry.
    let mut sums = vec![[0.0f64; 4]; functions.len()];
    let mut on_path = vec![0u32; functions.len()];
    let mut todo: Vec<(u32, bool)> = d.children(0).iter().rev().map(|&c| (c, false)).collect();
    while let Some((id, entered)) = todo.pop() {
        let n = &d.nodes[id as usize];
        let Some(f) = n.function else { continue };
        let f = f as usize;
        if entered {
            on_path[f] -= 1;
            continue;
        }
        let s = &mut sums[f];
        s[0] += n.before_self;
        s[1] += n.after_self;
        if on_path[f] == 0 {
            s[2] += n.before_total;
            s[3] += n.after_total;
        }
        on_path[f] += 1;
        todo.push((id, true));
        todo.extend(d.children(id).iter().rev().map(|&c| (c, false)));
    }
    for (f, s) in functions.iter_mut().zip(sums) {
        f.before_self += s[0];
        f.after_self += s[1];
        f.before_total += s[2];
        f.after_total += s[3];
    }
    functions
}

/// One side of a diff, as a merged call tree: a sampled profile's stack
/// table read as it is (it is one), an evented profile's tree built.
enum Side<'p> {
    Stacks(SampledTree<'p>),
    Tree(CallTree),
}

impl<'p> Side<'p> {
    fn new(p: &'p Profile) -> Side<'p> {
        match p.data() {
            ProfileData::Sampled { stacks, samples, weights } => {
                Side::Stacks(SampledTree::new(stacks, samples, weights))
            }
            ProfileData::Evented { .. } => Side::Tree(CallTree::new(p)),
        }
    }

    /// The tree's total weight.
    fn total(&self) -> f64 {
        match self {
            Side::Stacks(t) => t.total,
            Side::Tree(t) => t.root().total_weight,
        }
    }

    /// Nodes, the root (node 0) included.
    fn len(&self) -> usize {
        match self {
            Side::Stacks(t) => t.len() + 1,
            Side::Tree(t) => t.nodes.len(),
        }
    }

    /// `f(node, parent, frame, self weight)` for every node but the root,
    /// parents first.
    fn for_each(&self, mut f: impl FnMut(usize, usize, FrameId, f64)) {
        match self {
            Side::Stacks(t) => {
                for (i, (parent, frame, w)) in t.nodes().enumerate() {
                    let parent = if parent == NO_STACK { 0 } else { parent as usize + 1 };
                    f(i + 1, parent, frame, w);
                }
            }
            Side::Tree(t) => {
                for (i, n) in t.nodes.iter().enumerate().skip(1) {
                    if let Some(frame) = n.frame {
                        f(i, n.parent as usize, frame, n.self_weight);
                    }
                }
            }
        }
    }
}
