//! Analysis: top functions and size-bounded text summaries.
