//! What every fuzz target does with its input; also replayed as a normal
//! test (tests/fuzz_replay.rs) so every saved crash input stays fixed.
//!
//! An input must either import or fail with a typed error, and a group that
//! imports must survive everything downstream (weights, call tree, walk,
//! dump, export, re-import of the export).
// `pub` for the fuzz targets (other crates); the replay test includes this
// file as a private module, where `pub` is unreachable.
#![allow(unreachable_pub)]

use flamekit::{Format, ImportOptions, IngestLimits};

/// Limits small enough that a fuzz iteration stays fast.
pub fn limits() -> IngestLimits {
    IngestLimits {
        max_input_bytes: 4 << 20,
        max_inflated_bytes: 16 << 20,
        max_frames: 100_000,
        max_samples: 1_000_000,
        max_stack_depth: 10_000,
        max_profiles: 1_000,
        ..IngestLimits::default()
    }
}

/// Import `data` as `format` (or detect when `None`) on `threads` threads,
/// with [`limits`].
fn import(
    format: Option<Format>,
    data: &[u8],
    threads: usize,
) -> flamekit::Result<(flamekit::ProfileGroup, flamekit::ImportReport)> {
    let opts = ImportOptions { limits: limits(), threads, ..Default::default() };
    match format {
        Some(f) => flamekit::import_format(f, data, &opts),
        None => flamekit::import_with(data, None, &opts),
    }
}

/// Import `data` as `format` (or detect when `None`) and exercise the result.
pub fn run(format: Option<Format>, data: &[u8]) {
    // Four threads, whatever the machine's cores: three workers and the
    // calling thread, so chunks are read out of turn.
    let result = import(format, data, 4);
    // The format imported: the one given, else the one detected (a failed
    // import reports none, so detect again only then).
    let imported = match (format, &result) {
        (Some(f), _) => Some(f),
        (None, Ok((_, report))) => Format::from_id(&report.format),
        (None, Err(_)) => flamekit::detect(data, None).ok(),
    };
    if let Some(f @ (Format::ChromeTrace | Format::ChromeCpuProfile)) = imported {
        read_as_serde_reads(f, data);
    }
    same_on_one_thread(format, data, &result);
    let group = match result {
        Ok((g, _report)) => g,
        Err(e) => {
            assert!(flamekit::Error::CODES.contains(&e.code()));
            return;
        }
    };
    for p in group.profiles() {
        let fw = p.frame_weights(group.frames().len());
        for (s, t) in fw.self_weight.iter().zip(&fw.total_weight) {
            assert!(*s >= 0.0 && *t + 1e-6 * t.abs() >= *s, "self {s} > total {t}");
        }
        let tree = flamekit::CallTree::new(p);
        let _ = tree.max_depth();
    }
    for i in 0..group.profiles().len() {
        flamekit::top_functions(&group, i, &Default::default()).expect("top functions of an imported profile");
    }
    flamekit::summarize(&group, &Default::default()).expect("summary of an imported group");
    if !group.profiles().is_empty() {
        let d = flamekit::diff(&group, &group, &Default::default()).expect("diff of an imported group with itself");
        // Finite totals scale by exactly 1: a group diffed with itself
        // changes nothing.
        if d.before_total.is_finite() && d.before_total > 0.0 {
            assert!(d.is_zero(), "a group diffed with itself changed");
        }
    }
    let _ = flamekit::dump(&group);
    let json = match flamekit::to_speedscope_json(&group) {
        Ok(json) => json,
        // Past the in-memory bound: refused, as documented.
        Err(e @ flamekit::Error::LimitExceeded { limit: flamekit::LimitKind::ExportBytes, .. }) => {
            assert_eq!(e.code(), "limit_exceeded");
            return;
        }
        Err(e) => panic!("export failed: {e}"),
    };
    let again = flamekit::import_format(Format::Speedscope, json.as_bytes(), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("export of an imported group must re-import: {e}"));
    assert_eq!(again.0.profiles().len(), group.profiles().len());
}

/// The group (as its speedscope export) or the error that `result`, read
/// on four threads, holds is the one a read on one thread gives: the parallel
/// readers promise the same group, report and errors for any thread count.
/// Fuzz builds cut inputs into chunks of a few hundred bytes
/// (`--cfg fuzzing`, `parallel::MIN_CHUNK` in flamekit-formats), so small
/// inputs take those readers; elsewhere most inputs here are read on one
/// thread both times.
fn same_on_one_thread(
    format: Option<Format>,
    data: &[u8],
    result: &flamekit::Result<(flamekit::ProfileGroup, flamekit::ImportReport)>,
) {
    let one = import(format, data, 1);
    match (result, &one) {
        (Ok((all, all_report)), Ok((one, one_report))) => {
            assert!(
                flamekit::to_speedscope_json(all).map_err(|e| e.to_string())
                    == flamekit::to_speedscope_json(one).map_err(|e| e.to_string()),
                "four threads and one thread give different groups"
            );
            assert_eq!(all_report, one_report, "four threads and one thread give different reports");
        }
        (Err(all), Err(one)) => assert_eq!(
            (all.code(), all.to_string()),
            (one.code(), one.to_string()),
            "four threads and one thread fail differently"
        ),
        (all, one) => panic!(
            "four threads: {:?}; one thread: {:?}",
            all.as_ref().map(|_| "imported"),
            one.as_ref().map(|_| "imported")
        ),
    }
}

/// A trace's event array and a CPU profile's `nodes` are read in chunks (a
/// quick reader for the usual element, serde for the others) unless the
/// array starts past the first eighth of the input; then serde reads the
/// whole input. `data` and the same behind a key of eight times its size
/// must give the same group, or the same error.
fn read_as_serde_reads(format: Format, data: &[u8]) {
    let Some((plain, padded)) = in_chunks_and_by_serde(format, data) else { return };
    let opts = ImportOptions {
        limits: IngestLimits { max_input_bytes: u64::MAX, ..limits() },
        threads: 1,
        ..Default::default()
    };
    let read = |bytes: &str| match flamekit::import_format(format, bytes.as_bytes(), &opts) {
        Ok((group, _)) => flamekit::to_speedscope_json(&group).map_err(|e| e.code()),
        Err(e) => Err(e.code()),
    };
    assert!(read(&plain) == read(&padded), "read in chunks and by serde differ");
}

/// A file of `format` (a trace or a CPU profile) read in chunks and the
/// same file read by serde: `data` as an object (a trace's array of events
/// goes under `traceEvents`, as an array is read with other rules, e.g. for
/// Hermes traces), and that object with a key first whose value is eight
/// times its size, which puts the array past the first eighth of the input,
/// where flamekit does not look for it. `None` when `data` is not UTF-8, is
/// an empty object, or is an array but not a trace.
pub fn in_chunks_and_by_serde(format: Format, data: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(data).ok()?.trim_start_matches('\u{feff}').trim_start();
    let pad = "x".repeat(8 * text.len() + 64);
    match text.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => None,
        Some(rest) => Some((text.to_owned(), format!("{{\"pad\":\"{pad}\",{rest}"))),
        None if format == Format::ChromeTrace => {
            Some((format!("{{\"traceEvents\":{text}}}"), format!("{{\"pad\":\"{pad}\",\"traceEvents\":{text}}}")))
        }
        None => None,
    }
}

/// A V8 CPU profile of `node app.min.js` (tests/data/sourcemap/), whose
/// frames a map of that script maps.
const MINIFIED_PROFILE: &[u8] = include_bytes!("../../tests/data/sourcemap/app.cpuprofile");

/// `data` as a source map of the script behind [`MINIFIED_PROFILE`]: the
/// import maps it, or fails with a typed error about the map. A mapped
/// profile keeps every sample and its weight (mapped frames that become one
/// add up) and survives everything downstream.
pub fn source_map(data: &[u8]) {
    static UNMAPPED: std::sync::OnceLock<flamekit::ProfileGroup> = std::sync::OnceLock::new();
    let options = |maps| ImportOptions { limits: limits(), source_maps: maps, ..Default::default() };
    let unmapped = UNMAPPED.get_or_init(|| {
        flamekit::import_with(MINIFIED_PROFILE, None, &options(vec![])).expect("the profile imports").0
    });
    let map = flamekit::SourceMapInput::new("app.min.js.map", data.to_vec());
    let group = match flamekit::import_with(MINIFIED_PROFILE, None, &options(vec![map])) {
        Ok((g, _)) => g,
        Err(e) => {
            assert!(["invalid_source_map", "limit_exceeded"].contains(&e.code()), "{e}");
            return;
        }
    };
    let (p, q) = (&group.profiles()[0], &unmapped.profiles()[0]);
    assert_eq!(p.sample_count(), q.sample_count());
    assert_eq!(p.total_weight(), q.total_weight());
    assert!(group.frames().len() <= unmapped.frames().len(), "mapping only merges frames");
    let json = flamekit::to_speedscope_json(&group).expect("export of a mapped profile");
    flamekit::import_format(Format::Speedscope, json.as_bytes(), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("export of a mapped profile must re-import: {e}"));
}
