//! Importer tests on real profiles: one module per format (inferno style),
//! each with its data in `tests/data/<format>/` or the shared corpus.

#[path = "../common/mod.rs"]
mod common;

mod anonymous;
mod callgrind;
mod chrome_cpuprofile;
mod chrome_trace;
mod collapsed;
mod containers;
mod dtrace;
mod firefox;
mod haskell;
mod instruments;
mod jfr;
mod linux_perf;
mod papyrus;
mod pmcstat;
mod pprof;
mod safari;
mod sourcemap;
mod speedscope;
mod stackprof;
mod v8_heap;
mod v8_log;
mod zip_container;
