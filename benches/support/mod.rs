//! Inputs shared by the benches (`import` and `floor`).

use flamekit::{GroupBuilder, IngestLimits, ProfileGroup, ValueUnit};
use flamekit_gen::{generate, GenFormat, GenOptions, Shape, Stacks};

/// About `bytes` bytes of `format` with stacks of `shape`, from the
/// deterministic generator (seed 1).
pub(crate) fn generated_shape(format: GenFormat, shape: Shape, bytes: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let opts = GenOptions { shape, target_bytes: bytes, ..Default::default() };
    generate(format, &opts, &mut out).expect("generate");
    out
}

/// A sampled profile of `samples` samples from the generator's walk
/// (100,000 functions, deep dives included), built directly in memory.
pub(crate) fn sampled_group(samples: u64) -> ProfileGroup {
    let gen = GenOptions::default();
    let mut g = GroupBuilder::new("generated", &IngestLimits::unlimited());
    let frames: Vec<_> =
        (0..gen.functions).map(|f| g.frame_named(&flamekit_gen::function_name(f)).expect("frame")).collect();
    let mut b = g.sampled("generated", ValueUnit::Microseconds);
    let mut walk = Stacks::new(&gen, 0);
    let mut ids = Vec::new();
    for i in 0..samples {
        ids.clear();
        ids.extend(walk.next_stack().iter().map(|&f| frames[f as usize]));
        b.push_stack(&ids, 100.0 + (i % 50) as f64).expect("sample");
    }
    g.push_profile(b.finish()).expect("profile");
    g.finish(0).expect("group").0
}
