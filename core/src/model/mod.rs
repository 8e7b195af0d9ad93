//! The profile model: a speedscope-style [`ProfileGroup`] of [`Profile`]s that
//! share one interned [`Frame`] table. Profiles are built only through the
//! builders in this module, so every stored profile is valid: frame ids are in
//! range, evented profiles are balanced and ordered, weights are finite and
//! non-negative. Walkers rely on that and never panic.

mod builder;
mod calltree;
mod frame;
mod frame_keys;
mod profile;
mod remap;
mod sampled_set;
mod walk;

pub use builder::{EventedBuilder, GroupBuilder, SampledBuilder};
pub use calltree::{CallNode, CallTree, FrameWeights};
pub(crate) use calltree::{NodeWeights, SampledTree};
pub use frame::{Frame, FrameId, ValueUnit};
pub use profile::{Event, EventKind, Profile, ProfileData, ProfileGroup, StackId, StackTable, NO_STACK};
pub use sampled_set::SampledSetBuilder;
pub use walk::{CallVisitor, WalkEvent};
