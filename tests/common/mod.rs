//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub(crate) mod measure;
pub(crate) mod png;
pub(crate) mod svg;

use flamekit::{FrameWeights, ProfileGroup};

/// Whether this run rewrites the golden files instead of checking them
/// (`FLAMEKIT_BLESS=1`: the render and diff hash lists, `bindings/common/types.d.ts`).
pub(crate) fn bless() -> bool {
    std::env::var("FLAMEKIT_BLESS").is_ok_and(|v| v == "1")
}

/// Path of a file in the sample corpus (`tests/data/corpus/<rel>`: speedscope's
/// sample set, one folder per format, see `tests/data/README.md`).
pub(crate) fn corpus_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus").join(rel)
}

/// Bytes of a corpus file. Panics with the path when missing.
pub(crate) fn corpus(rel: &str) -> Vec<u8> {
    let p = corpus_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Bytes of a file under `tests/data/`.
pub(crate) fn data(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every file (recursively) under a corpus directory, sorted.
pub(crate) fn corpus_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![corpus_path(dir)];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// (self, total) weight of the frame named `name` in profile `profile`.
/// Panics when no frame (or more than one frame) has that name in the profile.
pub(crate) fn weights(group: &ProfileGroup, profile: usize, name: &str) -> (f64, f64) {
    let p = &group.profiles()[profile];
    let fw: FrameWeights = p.frame_weights(group.frames().len());
    let ids: Vec<usize> =
        group.frames().iter().enumerate().filter(|(i, f)| f.name == name && fw.present[*i]).map(|(i, _)| i).collect();
    assert_eq!(ids.len(), 1, "expected exactly one frame named {name:?} in profile {profile}, found {}", ids.len());
    (fw.self_weight[ids[0]], fw.total_weight[ids[0]])
}

/// Assert two floats are equal within a relative 1e-9 (or absolute 1e-9).
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!((actual - expected).abs() <= tol, "expected {expected}, got {actual}");
}

/// Assert the (self, total) weight of each named frame of profile 0:
/// `expected` is `(name, self, total)`, compared with [`assert_close`].
#[track_caller]
pub(crate) fn check(group: &ProfileGroup, expected: &[(&str, f64, f64)]) {
    check_profile(group, 0, expected)
}

/// [`check`] for profile `profile`.
#[track_caller]
pub(crate) fn check_profile(group: &ProfileGroup, profile: usize, expected: &[(&str, f64, f64)]) {
    for &(name, s, t) in expected {
        let (sw, tw) = weights(group, profile, name);
        assert!((sw - s).abs() <= 1e-9 * s.abs().max(1.0), "{name}: self weight {sw}, expected {s}");
        assert!((tw - t).abs() <= 1e-9 * t.abs().max(1.0), "{name}: total weight {tw}, expected {t}");
    }
}

/// Profile names of a group, in order.
pub(crate) fn profile_names(group: &ProfileGroup) -> Vec<String> {
    group.profiles().iter().map(|p| p.name().to_owned()).collect()
}

/// Every corpus file as (path relative to the corpus root, bytes), sorted by
/// path. Read once per test binary and shared by its tests.
pub(crate) fn corpus_all() -> &'static [(String, Vec<u8>)] {
    static ALL: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let root = corpus_path("");
        corpus_files("")
            .into_iter()
            .map(|p| {
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
                (rel, bytes)
            })
            .collect()
    })
}

/// Assert that `sniff` claims exactly the corpus files for which `mine(rel)`
/// holds (`rel` is the path under the corpus root, e.g. `Firefox/59/x.json`),
/// and that at least one file is claimed.
#[track_caller]
pub(crate) fn assert_sniff_claims_exactly(sniff: fn(&[u8]) -> bool, mine: impl Fn(&str) -> bool) {
    let mut claimed = 0;
    for (rel, bytes) in corpus_all() {
        assert_eq!(sniff(bytes), mine(rel), "{rel}");
        claimed += mine(rel) as usize;
    }
    assert!(claimed > 0, "no corpus file is expected to match");
}

/// Assert that content detection (no file-name hint) picks `format` for
/// exactly the corpus files for which `mine(rel)` holds, and that at least
/// one file is picked.
#[track_caller]
pub(crate) fn assert_detects_exactly(format: flamekit::Format, mine: impl Fn(&str) -> bool) {
    let mut picked = 0;
    for (rel, bytes) in corpus_all() {
        let d = flamekit::detect(bytes, None);
        if mine(rel) {
            assert_eq!(d.unwrap_or_else(|e| panic!("{rel}: {e}")), format, "{rel}");
            picked += 1;
        } else {
            assert_ne!(d.ok(), Some(format), "{rel} claimed by {format:?}");
        }
    }
    assert!(picked > 0, "no corpus file is expected to be {format:?}");
}

/// Importing `bytes` with the default limits changed by `set` fails with
/// [`flamekit::Error::LimitExceeded`] naming `kind`.
#[track_caller]
pub(crate) fn assert_limit_hit(bytes: &[u8], set: fn(&mut flamekit::IngestLimits), kind: flamekit::LimitKind) {
    let mut limits = flamekit::IngestLimits::default();
    set(&mut limits);
    match flamekit::import_with(bytes, None, &flamekit::ImportOptions { limits, ..Default::default() }) {
        Err(flamekit::Error::LimitExceeded { limit, .. }) => assert_eq!(limit, kind),
        other => panic!("expected {kind} to be exceeded, got {other:?}"),
    }
}
