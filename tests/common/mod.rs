//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod png;

use flamekit::{FrameWeights, ProfileGroup};

/// Path of a file in the shared corpus (`../shared/corpus/speedscope-samples/<rel>`).
pub fn corpus_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/speedscope-samples").join(rel)
}

/// Bytes of a corpus file. Panics with the path when missing.
pub fn corpus(rel: &str) -> Vec<u8> {
    let p = corpus_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Bytes of a file under `tests/data/`.
pub fn data(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every file (recursively) under a corpus directory, sorted.
pub fn corpus_files(dir: &str) -> Vec<PathBuf> {
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
pub fn weights(group: &ProfileGroup, profile: usize, name: &str) -> (f64, f64) {
    let p = &group.profiles()[profile];
    let fw: FrameWeights = p.frame_weights(group.frames().len());
    let ids: Vec<usize> =
        group.frames().iter().enumerate().filter(|(i, f)| f.name == name && fw.present[*i]).map(|(i, _)| i).collect();
    assert_eq!(ids.len(), 1, "expected exactly one frame named {name:?} in profile {profile}, found {}", ids.len());
    (fw.self_weight[ids[0]], fw.total_weight[ids[0]])
}

/// Assert two floats are equal within a relative 1e-9 (or absolute 1e-9).
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!((actual - expected).abs() <= tol, "expected {expected}, got {actual}");
}

/// Profile names of a group, in order.
pub fn profile_names(group: &ProfileGroup) -> Vec<String> {
    group.profiles().iter().map(|p| p.name().to_owned()).collect()
}
