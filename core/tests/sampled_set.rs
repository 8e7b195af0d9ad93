//! `SampledSetBuilder` gives each profile exactly what a `SampledBuilder`
//! fed the same samples alone gives.

use std::sync::Arc;

use flamekit_core::{Frame, FrameId, GroupBuilder, IngestLimits, Profile, ProfileData, ValueUnit};
use proptest::prelude::*;

/// Samples: a stack (indices into 6 frames, outermost first) and one weight
/// per profile (0 = not pushed to that profile).
type Samples = Vec<(Vec<u8>, Vec<u8>)>;

fn frames(g: &mut GroupBuilder) -> Vec<FrameId> {
    (0..6).map(|i| g.frame(Frame::new(format!("f{i}"))).unwrap()).collect()
}

/// Each profile built alone, with a `SampledBuilder` of its own.
fn alone(samples: &Samples, profiles: usize) -> Vec<Profile> {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let f = frames(&mut g);
    (0..profiles)
        .map(|k| {
            let mut b = g.sampled(format!("p{k}"), ValueUnit::None);
            for (stack, weights) in samples {
                let stack: Vec<FrameId> = stack.iter().map(|&i| f[i as usize]).collect();
                if weights[k] > 0 {
                    b.push_stack(&stack, f64::from(weights[k])).unwrap();
                }
            }
            b.finish()
        })
        .collect()
}

/// The same profiles from one `SampledSetBuilder`, each stack walked once.
fn shared(samples: &Samples, profiles: usize) -> Vec<Profile> {
    let mut g = GroupBuilder::new("test", &IngestLimits::default());
    let f = frames(&mut g);
    let mut set = g.sampled_set((0..profiles).map(|k| (format!("p{k}"), ValueUnit::None)));
    for (stack, weights) in samples {
        let stack: Vec<FrameId> = stack.iter().map(|&i| f[i as usize]).collect();
        let mut node = None;
        for (k, &w) in weights.iter().enumerate().take(profiles) {
            if w > 0 {
                let id = match node {
                    Some(id) => id,
                    None => *node.insert(set.stack_id(&stack).unwrap()),
                };
                set.push_sample(k, id, f64::from(w)).unwrap();
            }
        }
    }
    set.finish()
}

fn samples(profiles: usize) -> impl Strategy<Value = Samples> {
    prop::collection::vec(
        (prop::collection::vec(0u8..6, 0..6), prop::collection::vec(prop_oneof![Just(0u8), 1u8..4], profiles)),
        0..40,
    )
}

proptest! {
    #[test]
    fn each_profile_as_if_built_alone(s in samples(3)) {
        prop_assert_eq!(shared(&s, 3), alone(&s, 3));
    }
}

#[test]
fn every_sample_in_every_profile_shares_the_table() {
    let s: Samples = vec![(vec![0, 1, 2], vec![1, 2]), (vec![0, 1, 3], vec![1, 1]), (vec![4], vec![2, 3])];
    let profiles = shared(&s, 2);
    assert_eq!(profiles, alone(&s, 2));
    // One table for both, not a copy each.
    let table = |p: &Profile| match p.data() {
        ProfileData::Sampled { stacks, .. } => Arc::clone(stacks),
        ProfileData::Evented { .. } => panic!("sampled"),
    };
    assert!(Arc::ptr_eq(&table(&profiles[0]), &table(&profiles[1])));
}

#[test]
fn a_profile_missing_samples_gets_its_own_numbering() {
    // Profile 1 skips the first sample: its nodes are numbered from the second.
    let s: Samples = vec![(vec![0, 1], vec![1, 0]), (vec![2, 3], vec![1, 1]), (vec![0, 1, 5], vec![0, 2])];
    assert_eq!(shared(&s, 2), alone(&s, 2));
}

#[test]
fn samples_limit_counts_every_profile() {
    let limits = IngestLimits { max_samples: 3, ..IngestLimits::default() };
    let mut g = GroupBuilder::new("test", &limits);
    let a = g.frame(Frame::new("a")).unwrap();
    let mut set = g.sampled_set([("x", ValueUnit::None), ("y", ValueUnit::None)]);
    let id = set.stack_id(&[a]).unwrap();
    set.push_sample(0, id, 1.0).unwrap();
    set.push_sample(1, id, 1.0).unwrap();
    set.push_sample(0, id, 1.0).unwrap();
    assert!(set.push_sample(1, id, 1.0).is_err());
    assert!(set.push_sample(2, id, 1.0).is_err());
}
