//! Model invariants: weights, recursion, walk order, deep stacks.

use std::sync::Arc;

use flamekit_core::{
    to_speedscope_json, CallTree, Error, Frame, GroupBuilder, IngestLimits, LimitKind, ProfileData, ValueUnit,
    WalkEvent, NO_STACK,
};

fn names(g: &flamekit_core::ProfileGroup, ids: &[u32]) -> Vec<String> {
    ids.iter().map(|&i| g.frame(i).name.clone()).collect()
}

#[test]
fn recursion_counts_once_in_total_weight() {
    // Samples: a;b;a;b ×2 and a ×1. Total of a and b must be 3 and 2, not 5 and 4.
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let a = g.frame(Frame::new("a")).unwrap();
    let b = g.frame(Frame::new("b")).unwrap();
    let mut p = g.sampled("p", ValueUnit::None);
    p.push_stack(&[a, b, a, b], 2.0).unwrap();
    p.push_stack(&[a], 1.0).unwrap();
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let fw = g.profiles()[0].frame_weights(g.frames().len());
    assert_eq!(fw.total_weight, vec![3.0, 2.0]);
    assert_eq!(fw.self_weight, vec![1.0, 2.0]);
}

#[test]
fn evented_recursion_counts_once() {
    // a[0,10) { a[2,6) { b[3,5) } }
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let a = g.frame_named("a").unwrap();
    let b = g.frame_named("b").unwrap();
    let mut e = g.evented("p", ValueUnit::Milliseconds);
    e.open(a, 0.0).unwrap();
    e.open(a, 2.0).unwrap();
    e.open(b, 3.0).unwrap();
    e.close(b, 5.0).unwrap();
    e.close(a, 6.0).unwrap();
    e.close(a, 10.0).unwrap();
    g.push_profile(e.finish().unwrap()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let fw = g.profiles()[0].frame_weights(2);
    assert_eq!(fw.total_weight, vec![10.0, 2.0]);
    assert_eq!(fw.self_weight, vec![8.0, 2.0]);
    assert_eq!(g.duration_ms(), Some(10.0));
    let tree = CallTree::new(&g.profiles()[0]);
    assert_eq!(tree.root().total_weight, 10.0);
    assert_eq!(tree.max_depth(), 3);
}

#[test]
fn sampled_walk_keeps_shared_prefix_open() {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let [a, b, c] = ["a", "b", "c"].map(|n| g.frame_named(n).unwrap());
    let mut p = g.sampled("p", ValueUnit::None);
    p.push_stack(&[a, b], 1.0).unwrap();
    p.push_stack(&[a, c], 2.0).unwrap();
    p.push_sample(NO_STACK, 4.0).unwrap();
    p.push_stack(&[a], 1.0).unwrap();
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let mut log = Vec::new();
    g.profiles()[0].walk(&mut |e: WalkEvent| {
        log.push(format!("{}{}@{}d{}", if e.open { "+" } else { "-" }, g.frame(e.frame).name, e.at, e.depth))
    });
    assert_eq!(log, ["+a@0d0", "+b@0d1", "-b@1d1", "+c@1d1", "-c@3d1", "-a@3d0", "+a@7d0", "-a@8d0"]);
    // Idle samples do not count as weight of any frame but do take time.
    assert_eq!(g.profiles()[0].total_weight(), 4.0);
    assert_eq!(g.profiles()[0].end_value(), 8.0);
    assert_eq!(flamekit_core::dump_stacks(&g, &g.profiles()[0]), ["a;b 1", "a;c 2", "a 1"]);
}

/// The walk of a sampled profile, checked against the events its stacks
/// call for: at each change of stack, the frames of the previous stack
/// below the prefix it shares with the new one close (deepest first), then
/// the new stack's own frames open (outermost first), each at its depth
/// (index in the stack); the last stack closes at the end. Stacks of random
/// depths (0 to 12, over 3 frames, so prefixes are often shared, and ones
/// of any length diverge at any depth) and weights.
#[test]
fn sampled_walk_opens_and_closes_what_the_stacks_differ_by() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let frames = ["a", "b", "c"].map(|n| g.frame_named(n).unwrap());
    let mut p = g.sampled("p", ValueUnit::None);
    p.set_start(5.0);
    let mut stacks: Vec<(Vec<u32>, f64)> = Vec::new();
    for _ in 0..2000 {
        let depth = next(13) as usize;
        let stack: Vec<u32> = (0..depth).map(|_| frames[next(3) as usize]).collect();
        let weight = next(4) as f64;
        p.push_stack(&stack, weight).unwrap();
        stacks.push((stack, weight));
    }
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let mut want = Vec::new();
    let (mut prev, mut t): (&[u32], f64) = (&[], 5.0);
    let change = |prev: &[u32], next: &[u32], t: f64, want: &mut Vec<WalkEvent>| {
        let common = prev.iter().zip(next).take_while(|(a, b)| a == b).count();
        for d in (common..prev.len()).rev() {
            want.push(WalkEvent { open: false, frame: prev[d], depth: d, at: t });
        }
        for (d, &frame) in next.iter().enumerate().skip(common) {
            want.push(WalkEvent { open: true, frame, depth: d, at: t });
        }
    };
    for (stack, weight) in &stacks {
        change(prev, stack, t, &mut want);
        prev = stack;
        t += weight;
    }
    change(prev, &[], t, &mut want);
    let mut got = Vec::new();
    g.profiles()[0].walk(&mut |e: WalkEvent| got.push(e));
    assert!(want.len() > 10_000, "{} events", want.len());
    assert_eq!(got, want);
}

#[test]
fn call_tree_is_left_heavy() {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let [a, b, c] = ["a", "b", "c"].map(|n| g.frame_named(n).unwrap());
    let mut p = g.sampled("p", ValueUnit::None);
    p.push_stack(&[a, b], 1.0).unwrap();
    p.push_stack(&[a, c], 5.0).unwrap();
    p.push_stack(&[a, b], 1.0).unwrap();
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let t = CallTree::new(&g.profiles()[0]);
    let root_a = t.root().children[0];
    let kids: Vec<u32> =
        t.nodes[root_a as usize].children.iter().map(|&n| t.nodes[n as usize].frame.unwrap()).collect();
    assert_eq!(names(&g, &kids), ["c", "b"]);
    assert_eq!(t.nodes[root_a as usize].total_weight, 7.0);
}

#[test]
fn million_deep_evented_profile() {
    const N: u32 = 1_000_000;
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let frames: Vec<u32> = (0..N).map(|i| g.frame_named(&format!("f{}", i % 1000)).unwrap()).collect();
    let mut e = g.evented("deep", ValueUnit::Microseconds);
    for (i, &f) in frames.iter().enumerate() {
        e.open(f, i as f64).unwrap();
    }
    for (i, &f) in frames.iter().enumerate().rev() {
        e.close(f, (2 * N as usize - i) as f64).unwrap();
    }
    g.push_profile(e.finish().unwrap()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let p = &g.profiles()[0];
    let tree = CallTree::new(p);
    assert_eq!(tree.max_depth(), N);
    let fw = p.frame_weights(g.frames().len());
    // f0 is the outermost frame: open [0, 2N).
    assert_eq!(fw.total_weight[0], 2.0 * N as f64);
    let json = to_speedscope_json(&g).unwrap();
    assert!(json.len() > 30 * N as usize);
}

#[test]
fn million_deep_sampled_profile() {
    const N: usize = 1_000_000;
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let f: Vec<u32> = (0..N).map(|i| g.frame_named(&format!("f{i}")).unwrap()).collect();
    let mut p = g.sampled("deep", ValueUnit::None);
    p.push_stack(&f, 1.0).unwrap();
    p.push_stack(&f[..N / 2], 1.0).unwrap();
    g.push_profile(p.finish()).unwrap();
    let (g, _) = g.finish(0).unwrap();
    let fw = g.profiles()[0].frame_weights(N);
    assert_eq!(fw.total_weight[0], 2.0);
    assert_eq!(fw.total_weight[N - 1], 1.0);
    assert_eq!(fw.self_weight[N / 2 - 1], 1.0);
    let mut events = 0usize;
    g.profiles()[0].walk(&mut |_e: WalkEvent| events += 1);
    assert_eq!(events, 2 * N);
}

/// Depths up to 65,535 are stored in two bytes and deeper ones in four
/// (`Depths`): every way of making nodes gives each node its depth on both
/// sides of that line, and the tables agree whichever way they were built.
#[test]
fn depths_past_two_bytes_are_kept() {
    const N: usize = 70_000;
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let f: Vec<u32> = (0..7).map(|i| g.frame_named(&format!("f{i}")).unwrap()).collect();
    // Frames repeat along the stack, so no node is found again by its frame alone.
    let stack: Vec<u32> = (0..N).map(|i| f[(i * 5 + i / 3) % 7]).collect();
    let [mut whole, mut by_node, mut in_two, mut past] =
        ["whole", "by node", "in two", "past"].map(|name| g.sampled(name, ValueUnit::None));
    // One call: appended in one go across the line.
    whole.push_stack(&stack, 1.0).unwrap();
    // One node at a time: the node at depth 65,536 is pushed alone.
    let mut n = NO_STACK;
    for &frame in &stack {
        n = by_node.node(n, frame).unwrap();
    }
    // Up to the line exactly, then the rest below it in one go.
    let mut out = Vec::new();
    let top = in_two.path(NO_STACK, &stack[..65_535], &mut out).unwrap();
    in_two.path(top, &stack[65_535..], &mut out).unwrap();
    // Past the line, then a second stack that shares its first 65,600 frames.
    past.push_stack(&stack[..65_600], 1.0).unwrap();
    past.push_stack(&stack, 1.0).unwrap();
    for b in [&whole, &by_node, &in_two, &past] {
        let t = b.stacks();
        assert_eq!(t.len(), N);
        for i in 0..N as u32 {
            assert_eq!(t.depth(i), i + 1, "node {i}");
            assert_eq!(t.frame(i), stack[i as usize], "node {i}");
        }
        assert_eq!(t, whole.stacks());
    }
    // A profile's call tree reads the same depths.
    let p = past.finish();
    assert_eq!(CallTree::new(&p).max_depth() as usize, N);
}

#[test]
fn builders_reject_bad_input_with_typed_errors() {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let a = g.frame_named("a").unwrap();
    let mut p = g.sampled("p", ValueUnit::None);
    assert_eq!(p.push_stack(&[a], f64::NAN).unwrap_err().code(), "invalid_profile");
    assert_eq!(p.push_stack(&[a], -1.0).unwrap_err().code(), "invalid_profile");
    let mut e = g.evented("e", ValueUnit::None);
    e.open(a, 5.0).unwrap();
    assert!(e.open(a, 4.0).unwrap_err().to_string().contains("before the previous"));
    assert_eq!(e.finish().unwrap_err().code(), "invalid_profile");
    let limits = IngestLimits { max_stack_depth: 3, ..IngestLimits::default() };
    let mut g = GroupBuilder::new("test", &limits);
    let a = g.frame_named("a").unwrap();
    let mut p = g.sampled("p", ValueUnit::None);
    assert!(matches!(
        p.push_stack(&[a, a, a, a], 1.0),
        Err(Error::LimitExceeded { limit: LimitKind::StackDepth, max: 3, value: 4 })
    ));
}

#[test]
fn error_codes_are_stable_and_listed() {
    let errors = [
        Error::InvalidJson { format: "x", line: 1, column: 2, message: String::new() },
        Error::UnsupportedFormat { tried: vec![] },
        Error::invalid("x", "here", "bad"),
        Error::Truncated { format: "x", location: String::new(), message: String::new() },
        Error::LimitExceeded { limit: LimitKind::Frames, max: 1, value: 2 },
        Error::Decompress { message: String::new() },
        Error::argument("offset", "bad"),
        Error::EmptyProfile { message: String::new() },
        Error::Io { message: String::new() },
        Error::Internal { message: String::new() },
        Error::InvalidSourceMap { name: String::new(), message: String::new() },
    ];
    let codes: Vec<&str> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, Error::CODES);
}

#[test]
fn stack_nodes_are_found_again_with_one_child_or_many() {
    // A node's child made while the parent was the newest node is found
    // beside it (the next id), every other child through the index: every
    // (parent, frame) must still map to one node, whatever the order the
    // children arrive in.
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let f: Vec<u32> = (0..6).map(|i| g.frame(Frame::new(format!("f{i}"))).unwrap()).collect();
    let mut p = g.sampled("p", ValueUnit::None);
    let stacks: Vec<Vec<u32>> = vec![
        vec![f[0], f[1], f[2]],
        vec![f[0], f[1], f[3]],
        vec![f[0], f[4]],
        vec![f[0], f[1], f[2], f[5]],
        vec![f[0], f[1], f[4]],
        vec![f[1], f[2]],
        vec![f[0], f[1]],
    ];
    let mut first = Vec::new();
    for s in &stacks {
        first.push(p.stack_id(s).unwrap());
    }
    let nodes = p.stacks().len();
    // Again, in reverse and one node at a time: the same ids, no new node.
    for (s, &id) in stacks.iter().zip(&first).rev() {
        assert_eq!(p.stack_id(s).unwrap(), id);
        let mut node = NO_STACK;
        for &fr in s {
            node = p.node(node, fr).unwrap();
        }
        assert_eq!(node, id);
    }
    assert_eq!(p.stacks().len(), nodes);
    // f0, f0/f1, f0/f1/f2, f0/f1/f3, f0/f4, f0/f1/f2/f5, f0/f1/f4, f1, f1/f2.
    assert_eq!(nodes, 9);
    let mut out = Vec::new();
    for (s, &id) in stacks.iter().zip(&first) {
        p.stacks().stack_into(id, &mut out);
        assert_eq!(&out, s);
    }
}

#[test]
fn frames_are_interned_by_every_part_whatever_the_entry_point() {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    // Families of frames that differ in one part only (none in the first
    // of each), so that probes meet many entries equal in every other part;
    // twice over, so the second pass finds every frame again after the
    // tables have grown.
    let parts = |i: u32| {
        let (family, k) = (i % 5, (i / 5) % 3000);
        let some = |v: u32| (k != 0).then_some(v);
        let (mut name, mut file, mut line, mut col) = ("n".to_string(), Some("f.js".to_string()), Some(1), Some(1));
        match family {
            0 => name = format!("n{k}"),
            1 => file = some(k).map(|k| format!("f{k}.js")),
            2 => line = some(k),
            3 => col = some(k),
            _ => (name, file, line, col) = (format!("n{k}"), None, None, None),
        }
        (name, file, line, col)
    };
    let mut first = std::collections::HashMap::new();
    for i in 0..30_000 {
        let (name, file, line, col) = parts(i);
        let id = g.frame_parts(&name, file.as_deref(), line, col).unwrap();
        // Equal parts give the frame met first; different parts, a new one.
        let next = first.len() as u32;
        let expected = *first.entry((name, file, line, col)).or_insert(next);
        assert_eq!(id, expected, "frame {i}");
    }
    assert_eq!(g.frame_count(), first.len());
    for ((name, file, line, col), &id) in &first {
        let frame = Frame::with_location(name.clone(), file.clone(), *line, *col);
        assert_eq!(g.frame(frame.clone()).unwrap(), id);
        assert_eq!(g.get_frame(id), Some(&frame));
        if file.is_none() && line.is_none() && col.is_none() {
            assert_eq!(g.frame_named(name).unwrap(), id);
        }
    }
    assert_eq!(g.frame_count(), first.len());
}

/// Every node of `t`: (parent, frame, depth).
fn table(t: &flamekit_core::StackTable) -> Vec<(u32, u32, u32)> {
    (0..t.len() as u32).map(|i| (t.parent(i), t.frame(i), t.depth(i))).collect()
}

proptest::proptest! {
    /// Stacks built by `stack_id`, `stack_path` and `path` (which append
    /// the nodes below a new node in one go) give the nodes, ids and
    /// errors that `node` gives one frame at a time; past the depth limit
    /// or the node limit, `stack_path` and `path` fail at the first node
    /// past it, as `node` does.
    #[test]
    fn paths_give_the_nodes_of_node_by_node(
        stacks in proptest::collection::vec(proptest::collection::vec(0u32..6, 0..12), 1..40),
        max_depth in 1u64..14,
        max_nodes in 1u64..80,
    ) {
        let limits = IngestLimits { max_stack_depth: max_depth, max_stack_nodes: max_nodes, ..IngestLimits::default() };
        let mut g = GroupBuilder::new("test", &limits);
        for i in 0..6 {
            g.frame(Frame::new(format!("f{i}"))).unwrap();
        }
        let (mut by_node, mut by_id, mut by_path, mut by_stack_path) =
            (g.sampled("a", ValueUnit::None), g.sampled("b", ValueUnit::None), g.sampled("c", ValueUnit::None), g.sampled("d", ValueUnit::None));
        let mut out = Vec::new();
        for s in &stacks {
            let mut want = Ok(NO_STACK);
            let mut want_nodes = Vec::new();
            for &f in s {
                want = by_node.node(*want.as_ref().unwrap(), f);
                match &want {
                    Ok(id) => want_nodes.push(*id),
                    Err(_) => break,
                }
            }
            let code = |r: &flamekit_core::Result<u32>| r.as_ref().map(|&id| id).map_err(|e| e.to_string());
            // The node is the stack's own: its frames are the stack's.
            let mut frames = Vec::new();
            by_node.stacks().stack_into(*want_nodes.last().unwrap_or(&NO_STACK), &mut frames);
            proptest::prop_assert_eq!(&frames[..], &s[..want_nodes.len()]);
            out.clear();
            let path = by_path.path(NO_STACK, s, &mut out);
            proptest::prop_assert_eq!(code(&path), code(&want));
            proptest::prop_assert_eq!(&out, &want_nodes);
            proptest::prop_assert_eq!(code(&by_stack_path.stack_path(s)), code(&want));
            // `stack_id` refuses a stack past the limit before any node.
            if (s.len() as u64) <= max_depth {
                proptest::prop_assert_eq!(code(&by_id.stack_id(s)), code(&want));
            } else {
                proptest::prop_assert!(by_id.stack_id(s).is_err());
                // Keep its table in step: the nodes `node` made.
                let mut n = NO_STACK;
                for &f in s.iter().take(want_nodes.len()) {
                    n = by_id.node(n, f).unwrap();
                }
            }
        }
        let want = table(by_node.stacks());
        proptest::prop_assert!(want.len() as u64 <= max_nodes);
        // A trie: no two nodes share (parent, frame); parents come first,
        // one level up.
        let mut seen = std::collections::HashSet::new();
        for (i, &(parent, frame, depth)) in want.iter().enumerate() {
            proptest::prop_assert!(seen.insert((parent, frame)), "node {} repeats ({}, {})", i, parent, frame);
            proptest::prop_assert!(parent == NO_STACK || (parent as usize) < i);
            proptest::prop_assert_eq!(depth, by_node.stacks().depth(parent) + 1);
        }
        proptest::prop_assert_eq!(&table(by_path.stacks()), &want);
        proptest::prop_assert_eq!(&table(by_stack_path.stacks()), &want);
        proptest::prop_assert_eq!(&table(by_id.stacks()), &want);
    }
}

proptest::proptest! {
    /// A set's stacks found in steps (`path` from the node a step before
    /// gave, with the node count before the first step) give the profiles,
    /// tables included, that whole stacks given to `stack_id` give, for
    /// samples with a value in some sample types only.
    #[test]
    fn a_sets_stacks_found_in_steps_give_the_same_profiles(
        samples in proptest::collection::vec(
            (proptest::collection::vec(0u32..5, 0..10), proptest::collection::vec(0u32..12, 0..3), 0u8..4),
            1..40,
        ),
    ) {
        let mut g = GroupBuilder::new("test", &IngestLimits::default());
        for i in 0..5 {
            g.frame(Frame::new(format!("f{i}"))).unwrap();
        }
        let types = [("a", ValueUnit::None), ("b", ValueUnit::None)];
        let (mut whole, mut steps) = (g.sampled_set(types), g.sampled_set(types));
        for (stack, cuts, which) in &samples {
            // Which sample types get a value: none, a, b, both.
            let values = [which & 1, which >> 1];
            let id = whole.stack_id(stack).unwrap();
            let start = steps.node_count();
            let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize % (stack.len() + 1)).collect();
            cuts.sort_unstable();
            cuts.push(stack.len());
            let mut node = NO_STACK;
            let mut from = 0;
            for (k, &to) in cuts.iter().enumerate() {
                // The first step by `stack_id` or `path`, the others by `path`.
                node = if k == 0 && stack.len() % 2 == 0 {
                    steps.stack_id(&stack[..to]).unwrap()
                } else {
                    steps.path(start, node, &stack[from..to]).unwrap()
                };
                from = to;
            }
            // The steps' node is the whole stack's (tables alike so far).
            proptest::prop_assert_eq!(node, id);
            for (t, &v) in values.iter().enumerate() {
                if v > 0 {
                    whole.push_sample(t, id, 1.0).unwrap();
                    steps.push_sample(t, node, 1.0).unwrap();
                }
            }
        }
        let (steps, whole) = (steps.finish(), whole.finish());
        // The profiles share one table exactly when they do from whole
        // stacks (the steps are one walk).
        let shared = |p: &[flamekit_core::Profile]| match (p[0].data(), p[1].data()) {
            (ProfileData::Sampled { stacks: a, .. }, ProfileData::Sampled { stacks: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        };
        proptest::prop_assert_eq!(shared(&steps), shared(&whole));
        proptest::prop_assert_eq!(steps, whole);
    }
}

proptest::proptest! {
    /// `walk_within(k)` gives exactly the events of `walk` at depths below
    /// `k`, for sampled and evented profiles of random stacks.
    #[test]
    fn a_walk_within_a_depth_is_the_walk_cut_there(
        samples in proptest::collection::vec((proptest::collection::vec(0u32..4, 0..9), 1u32..4), 1..30),
        evented in proptest::bool::ANY,
        k in 0usize..10,
    ) {
        let g = sampled_or_evented(&samples, evented);
        let p = &g.profiles()[0];
        let mut all = Vec::new();
        p.walk(&mut |ev: WalkEvent| all.push(ev));
        let mut within = Vec::new();
        p.walk_within(k, &mut |ev: WalkEvent| within.push(ev));
        all.retain(|ev| ev.depth < k);
        proptest::prop_assert_eq!(within, all);
    }
}

/// Frame weights of a sampled profile by the walk `frame_weights` made
/// before it walked the table by runs: subtree sums by a reverse scan of
/// the nodes, then a depth-first walk of children by id counting each
/// frame once per path. Kept here as the order the sums must follow.
fn weights_by_node_walk(p: &flamekit_core::Profile, frame_count: usize) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let flamekit_core::ProfileData::Sampled { stacks, samples, weights } = p.data() else { unreachable!() };
    let (mut self_w, mut total_w, mut present) =
        (vec![0.0; frame_count], vec![0.0; frame_count], vec![false; frame_count]);
    let nodes: Vec<(u32, u32, u32)> = stacks.nodes().collect();
    let mut sub = vec![0.0f64; nodes.len()];
    for (&s, &w) in samples.iter().zip(weights) {
        if s != NO_STACK {
            sub[s as usize] += w;
        }
    }
    for (&w, &(_, f, _)) in sub.iter().zip(&nodes) {
        self_w[f as usize] += w;
        present[f as usize] = true;
    }
    for i in (0..nodes.len()).rev() {
        if nodes[i].0 != NO_STACK {
            let w = sub[i];
            sub[nodes[i].0 as usize] += w;
        }
    }
    let mut children = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, &(p, _, _)) in nodes.iter().enumerate() {
        if p == NO_STACK {
            roots.push(i)
        } else {
            children[p as usize].push(i)
        }
    }
    let mut on_path = vec![0u32; frame_count];
    let mut todo: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((node, entered)) = todo.pop() {
        let f = nodes[node].1 as usize;
        if entered {
            on_path[f] -= 1;
            continue;
        }
        if on_path[f] == 0 {
            total_w[f] += sub[node];
        }
        on_path[f] += 1;
        todo.push((node, true));
        todo.extend(children[node].iter().rev().map(|&c| (c, false)));
    }
    (self_w, total_w, present)
}

proptest::proptest! {
    /// Frame weights follow their rule (a sample's weight counts for its
    /// innermost frame's self weight, and once for every frame on its
    /// stack, however often the frame recurs there; a frame is present when
    /// a stack holds it) on whole-number weights, where any order of
    /// adding gives the same sums, and equal the node walk's to the last
    /// bit on fractional ones. Deep stacks over few samples take the sparse
    /// node weights, shallow ones over many the dense ones.
    #[test]
    fn frame_weights_follow_their_rule_in_the_node_walks_order(
        stacks in proptest::collection::vec(
            (proptest::collection::vec(0u32..5, 0..40), 0usize..6, proptest::bool::ANY),
            1..30,
        ),
        unused in proptest::collection::vec(0u32..5, 0..20),
    ) {
        const FRACTIONS: [f64; 6] = [0.1, 0.3, 1e-7, 2.5, 1e10, 1.0 / 3.0];
        const FRAMES: usize = 6;
        for whole in [true, false] {
            let mut g = GroupBuilder::new("test", &IngestLimits::default());
            let ids: Vec<u32> = (0..FRAMES).map(|i| g.frame_named(&format!("f{i}")).unwrap()).collect();
            let mut p = g.sampled("p", ValueUnit::None);
            // A path no sample ends on: its nodes are present, weightless.
            p.stack_id(&unused.iter().map(|&f| ids[f as usize]).collect::<Vec<_>>()).unwrap();
            let (mut self_want, mut total_want) = (vec![0.0; FRAMES], vec![0.0; FRAMES]);
            let mut present_want = vec![false; FRAMES];
            for &f in &unused {
                present_want[f as usize] = true;
            }
            for (s, k, idle) in &stacks {
                let w = if whole { (*k + 1) as f64 } else { FRACTIONS[*k] };
                if *idle && s.is_empty() {
                    p.push_sample(NO_STACK, w).unwrap();
                    continue;
                }
                let frames: Vec<u32> = s.iter().map(|&f| ids[f as usize]).collect();
                p.push_stack(&frames, w).unwrap();
                if let Some(&last) = s.last() {
                    self_want[last as usize] += w;
                }
                let mut seen = [false; FRAMES];
                for &f in s {
                    present_want[f as usize] = true;
                    if !std::mem::replace(&mut seen[f as usize], true) {
                        total_want[f as usize] += w;
                    }
                }
            }
            g.push_profile(p.finish()).unwrap();
            let (g, _) = g.finish(0).unwrap();
            let profile = &g.profiles()[0];
            let fw = profile.frame_weights(FRAMES);
            let (self_walk, total_walk, present_walk) = weights_by_node_walk(profile, FRAMES);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&fw.self_weight), bits(&self_walk));
            proptest::prop_assert_eq!(bits(&fw.total_weight), bits(&total_walk));
            proptest::prop_assert_eq!(&fw.present, &present_walk);
            proptest::prop_assert_eq!(&fw.present, &present_want);
            // The diff reads the table's total as the call tree sums it.
            let tree_total = CallTree::new(profile).root().total_weight;
            let d = flamekit_core::diff(&g, &g, &Default::default()).unwrap();
            proptest::prop_assert_eq!(d.after_total.to_bits(), tree_total.to_bits());
            if whole {
                proptest::prop_assert_eq!(&fw.self_weight, &self_want);
                proptest::prop_assert_eq!(&fw.total_weight, &total_want);
            }
        }
    }
}

/// A group of one profile holding `samples` (stacks of frames `f0`..`f4`
/// and weights), sampled, or evented with each sample's frames open for its
/// weight, one sample after the other: both have the same merged call
/// tree, its nodes made in the same order.
fn sampled_or_evented(samples: &[(Vec<u32>, u32)], evented: bool) -> flamekit_core::ProfileGroup {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let ids: Vec<u32> = (0..5).map(|i| g.frame_named(&format!("f{i}")).unwrap()).collect();
    if evented {
        let mut e = g.evented("p", ValueUnit::Milliseconds);
        let mut at = 0.0;
        for (stack, w) in samples {
            for &f in stack {
                e.open(ids[f as usize], at).unwrap();
            }
            at += f64::from(*w);
            for &f in stack.iter().rev() {
                e.close(ids[f as usize], at).unwrap();
            }
        }
        g.push_profile(e.finish().unwrap()).unwrap();
    } else {
        let mut p = g.sampled("p", ValueUnit::Milliseconds);
        for (stack, w) in samples {
            p.push_stack(&stack.iter().map(|&f| ids[f as usize]).collect::<Vec<_>>(), f64::from(*w)).unwrap();
        }
        g.push_profile(p.finish()).unwrap();
    }
    g.finish(0).unwrap().0
}

/// A group of one sampled profile of `samples`, whose frame `i` is
/// `f{i % 3}` at line `i` (frames 0 and 3 are one function, as 1 and 4 are:
/// the diff matches functions by name and file, not line).
fn with_shared_functions(samples: &[(Vec<u32>, u32)]) -> flamekit_core::ProfileGroup {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let ids: Vec<u32> = (0..5)
        .map(|i| g.frame(flamekit_core::Frame::with_location(format!("f{}", i % 3), None, Some(i), None)).unwrap())
        .collect();
    let mut p = g.sampled("p", ValueUnit::Milliseconds);
    for (stack, w) in samples {
        p.push_stack(&stack.iter().map(|&f| ids[f as usize]).collect::<Vec<_>>(), f64::from(*w)).unwrap();
    }
    g.push_profile(p.finish()).unwrap();
    g.finish(0).unwrap().0
}

proptest::proptest! {
    /// The diff's nodes are the call paths of either profile, by function
    /// name, each once, with the weight of the samples that end there on
    /// each side (summed from the samples here, whole numbers so the order
    /// of adding does not matter), each node under the node of its path
    /// less its last call, and no node without a path.
    #[test]
    fn diff_nodes_are_the_function_paths_of_both_sides(
        before in proptest::collection::vec((proptest::collection::vec(0u32..5, 1..12), 1u32..9), 1..25),
        after in proptest::collection::vec((proptest::collection::vec(0u32..5, 1..12), 1u32..9), 1..25),
    ) {
        use std::collections::BTreeMap;
        let opts = flamekit_core::DiffOptions { normalize: false, ..Default::default() };
        let d = flamekit_core::diff(&with_shared_functions(&before), &with_shared_functions(&after), &opts).unwrap();
        // Expected: every prefix of every stack, as function names, with
        // the self weights of the stacks equal to it.
        let mut expected: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
        for (side, samples) in [&before, &after].into_iter().enumerate() {
            for (stack, w) in samples {
                let names: Vec<String> = stack.iter().map(|f| format!("f{}", f % 3)).collect();
                for k in 1..=names.len() {
                    let e = expected.entry(names[..k].to_vec()).or_default();
                    if k == names.len() {
                        if side == 0 { e.0 += f64::from(*w) } else { e.1 += f64::from(*w) }
                    }
                }
            }
        }
        let mut got: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
        for (i, n) in d.nodes.iter().enumerate().skip(1) {
            let path: Vec<String> = d.path(i as u32).iter().map(|s| s.to_string()).collect();
            proptest::prop_assert_eq!(d.path(n.parent), &d.path(i as u32)[..path.len() - 1]);
            proptest::prop_assert_eq!(n.depth as usize, path.len());
            let again = got.insert(path, (n.before_self, n.after_self));
            proptest::prop_assert!(again.is_none(), "a path twice");
        }
        proptest::prop_assert_eq!(got, expected);
    }
}

proptest::proptest! {
    /// The diff reads a sampled profile's stack table as its call tree and
    /// builds an evented profile's: on the same samples (whole-number
    /// weights, so the order of adding does not matter) both give the same
    /// diff, node for node, normalised or not.
    #[test]
    fn diff_of_sampled_profiles_is_the_diff_of_their_call_trees(
        before in proptest::collection::vec((proptest::collection::vec(0u32..5, 1..12), 1u32..9), 1..25),
        after in proptest::collection::vec((proptest::collection::vec(0u32..5, 1..12), 1u32..9), 1..25),
    ) {
        for normalize in [false, true] {
            let opts = flamekit_core::DiffOptions { normalize, ..Default::default() };
            let sampled = flamekit_core::diff(
                &sampled_or_evented(&before, false), &sampled_or_evented(&after, false), &opts).unwrap();
            let evented = flamekit_core::diff(
                &sampled_or_evented(&before, true), &sampled_or_evented(&after, true), &opts).unwrap();
            proptest::prop_assert_eq!(&sampled, &evented);
            let total: u32 = after.iter().map(|s| s.1).sum();
            proptest::prop_assert_eq!(sampled.after_total, f64::from(total));
        }
    }
}

/// The names and files of a group's distinct frames count against
/// `max_frame_text_bytes`, however the frames are interned; a frame found
/// again costs nothing.
#[test]
fn frame_text_is_bounded() {
    let limits = IngestLimits { max_frame_text_bytes: 10, ..IngestLimits::default() };
    let mut g = GroupBuilder::new("test", &limits);
    g.frame(Frame::with_location("abc", Some("f.js".to_owned()), Some(1), None)).unwrap(); // 7 bytes
    g.frame_named("abc").unwrap(); // 10
    g.frame_named("abc").unwrap(); // known: still 10
    g.frame(Frame::with_location("abc", Some("f.js".to_owned()), Some(1), None)).unwrap();
    let e = g.frame_named_unseen("x").unwrap_err();
    assert_eq!(e, Error::LimitExceeded { limit: LimitKind::FrameText, max: 10, value: 11 });
    let mut g = GroupBuilder::new("test", &limits);
    g.frame_named_unseen("0123456789").unwrap();
    let e = g.frame_parts("y", Some("z"), None, None).unwrap_err();
    assert_eq!(e, Error::LimitExceeded { limit: LimitKind::FrameText, max: 10, value: 12 });
}
