//! Analysis: top functions, size-bounded text summaries, differential profiles.

mod diff;

pub use diff::{diff, DeltaSort, DiffNode, DiffOptions, FunctionDelta, ProfileDiff};
