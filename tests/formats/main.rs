//! Importer tests on real profiles: one module per format (inferno style),
//! each with its data in `tests/data/<format>/` or the shared corpus.

#[path = "../common/mod.rs"]
mod common;

mod speedscope;
mod v8_heap;
mod stackprof;
mod safari;
mod pprof;
mod collapsed;
mod containers;
mod linux_perf;
mod callgrind;
mod pmcstat;
mod instruments;
mod papyrus;
mod haskell;
mod firefox;
mod chrome_cpuprofile;
mod chrome_trace;
mod jfr;
mod v8_log;
mod anonymous;
mod zip_container;
mod sourcemap;
