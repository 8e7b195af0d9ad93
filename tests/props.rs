//! Property tests (proptest, 1,000 cases each): random profile groups
//! round-trip exactly through speedscope export/import; self weights sum to
//! the profile's total; a frame's total weight is at least its self weight;
//! the merged (left-heavy) call tree preserves the total weight.

use flamekit::{CallTree, Frame, GroupBuilder, IngestLimits, ProfileGroup, ValueUnit};
use proptest::prelude::*;

/// One profile: sampled (stack, weight) pairs, or evented operations.
#[derive(Clone, Debug)]
enum ProfileSpec {
    Sampled {
        unit: usize,
        start: f64,
        samples: Vec<(Vec<usize>, f64)>,
    },
    /// `Some(f)` opens frame f, `None` closes the innermost; each op advances time by `dt`.
    Evented {
        unit: usize,
        ops: Vec<(Option<usize>, f64)>,
    },
}

/// A frame: name, file, line, column.
type FrameSpec = (String, Option<String>, Option<u32>, Option<u32>);

#[derive(Clone, Debug)]
struct GroupSpec {
    frames: Vec<FrameSpec>,
    profiles: Vec<ProfileSpec>,
    active: usize,
}

fn frame_spec() -> impl Strategy<Value = (String, Option<String>, Option<u32>, Option<u32>)> {
    (
        "[a-zA-Z_:;<> \u{e9}\u{4e2d}\"\\\\\u{1}\n]{0,12}",
        proptest::option::of("[a-z/.]{1,8}"),
        any::<Option<u32>>(),
        any::<Option<u32>>(),
    )
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![(0u32..1000).prop_map(f64::from), 0.0f64..1e9, Just(0.0)]
}

fn group_spec() -> impl Strategy<Value = GroupSpec> {
    proptest::collection::vec(frame_spec(), 1..12).prop_flat_map(|frames| {
        let n = frames.len();
        let sampled = (
            0usize..6,
            -1e6f64..1e6,
            proptest::collection::vec((proptest::collection::vec(0..n, 0..8), weight()), 0..30),
        )
            .prop_map(|(unit, start, samples)| ProfileSpec::Sampled { unit, start, samples });
        let evented = (0usize..6, proptest::collection::vec((proptest::option::weighted(0.6, 0..n), weight()), 0..40))
            .prop_map(|(unit, ops)| ProfileSpec::Evented { unit, ops });
        let profile = prop_oneof![sampled, evented];
        (Just(frames), proptest::collection::vec(profile, 1..4), 0usize..4)
            .prop_map(|(frames, profiles, active)| GroupSpec { frames, profiles, active })
    })
}

fn build(spec: &GroupSpec) -> ProfileGroup {
    let mut g = GroupBuilder::new("speedscope", &IngestLimits::unlimited());
    g.set_name("props");
    let ids: Vec<u32> = spec
        .frames
        .iter()
        .map(|(name, file, line, col)| g.frame(Frame::with_location(name.clone(), file.clone(), *line, *col)).unwrap())
        .collect();
    for (i, p) in spec.profiles.iter().enumerate() {
        match p {
            ProfileSpec::Sampled { unit, start, samples } => {
                let mut b = g.sampled(format!("sampled {i}"), ValueUnit::ALL[*unit]);
                b.set_start(*start);
                for (stack, w) in samples {
                    let stack: Vec<u32> = stack.iter().map(|&f| ids[f]).collect();
                    b.push_stack(&stack, *w).unwrap();
                }
                g.push_profile(b.finish()).unwrap();
            }
            ProfileSpec::Evented { unit, ops } => {
                let mut b = g.evented(format!("evented {i}"), ValueUnit::ALL[*unit]);
                let mut t = 0.0;
                for (op, dt) in ops {
                    t += dt;
                    match op {
                        Some(f) => b.open(ids[*f], t).unwrap(),
                        None => {
                            if let Some(&top) = b.open_stack().last() {
                                b.close(top, t).unwrap();
                            }
                        }
                    }
                }
                b.close_all(t + 1.0).unwrap();
                g.push_profile(b.finish().unwrap()).unwrap();
            }
        }
    }
    g.finish(spec.active).unwrap().0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn speedscope_round_trip_is_exact(spec in group_spec()) {
        let g1 = build(&spec);
        let json = flamekit::to_speedscope_json(&g1).unwrap();
        // The length, counted without writing the stacks, is exact.
        prop_assert_eq!(json.len() as u64, flamekit::speedscope_json_len(&g1));
        // So is the dump's, counted from its lines' frames.
        let mut dump = Vec::new();
        flamekit::dump_json(&g1, &mut dump).unwrap();
        prop_assert_eq!(dump.len() as u64, flamekit::check_dump(&g1).unwrap());
        let g2 = flamekit::import(json.as_bytes(), None).unwrap();
        prop_assert_eq!(g1.frames(), g2.frames());
        prop_assert_eq!(g1.profiles(), g2.profiles());
        prop_assert_eq!(g1.active_profile_index(), g2.active_profile_index());
        prop_assert_eq!(g1.name(), g2.name());
        prop_assert_eq!(json, flamekit::to_speedscope_json(&g2).unwrap());
    }

    #[test]
    fn self_weights_sum_to_total_and_total_bounds_self(spec in group_spec()) {
        let g = build(&spec);
        for p in g.profiles() {
            let fw = p.frame_weights(g.frames().len());
            let sum: f64 = fw.self_weight.iter().sum();
            prop_assert!(close(sum, p.total_weight()), "self sum {} vs total {}", sum, p.total_weight());
            for (s, t) in fw.self_weight.iter().zip(&fw.total_weight) {
                prop_assert!(*s >= 0.0);
                prop_assert!(*t + 1e-9 * t.abs().max(1.0) >= *s, "total {} < self {}", t, s);
                prop_assert!(*t <= p.total_weight() * (1.0 + 1e-9) + 1e-9);
            }
        }
    }

    #[test]
    fn left_heavy_merge_preserves_total_weight(spec in group_spec()) {
        let g = build(&spec);
        for p in g.profiles() {
            let tree = CallTree::new(p);
            prop_assert!(close(tree.root().total_weight, p.total_weight()));
            for n in &tree.nodes {
                let kids: f64 = n.children.iter().map(|&c| tree.nodes[c as usize].total_weight).sum();
                prop_assert!(close(n.total_weight, n.self_weight + kids));
                // Heaviest child first.
                for w in n.children.windows(2) {
                    prop_assert!(tree.nodes[w[0] as usize].total_weight >= tree.nodes[w[1] as usize].total_weight);
                }
            }
        }
    }
}
