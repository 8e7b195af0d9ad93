//! Analysis: top functions, size-bounded text summaries, differential profiles.

mod diff;
mod summary;
mod top;
mod value;

pub use diff::{diff, DeltaSort, DiffNode, DiffOptions, FunctionDelta, ProfileDiff};
pub use summary::{summarize, SummaryOptions};
pub use top::{is_pseudo_frame, non_idle_total, top_functions, FunctionStat, SortBy, TopOptions, PSEUDO_FRAMES};
pub use value::format_value;
