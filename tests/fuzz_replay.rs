//! Replays saved fuzz inputs (tests/data/fuzz/<target>/*: minimized crashes
//! found by `cargo fuzz`, kept as regression tests) and every corpus file
//! through the same harness the fuzz targets run.

mod common;

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::path::PathBuf;

fn format_of_target(target: &str) -> Option<flamekit::Format> {
    let id = target.strip_prefix("import_")?.replace('_', "-");
    Some(flamekit::Format::from_id(&id).unwrap_or_else(|| panic!("no format for fuzz target {target}")))
}

#[test]
fn saved_fuzz_inputs_stay_fixed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut n = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        let format = format_of_target(&target);
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let data = std::fs::read(&f).unwrap();
            eprintln!("replay {}", f.display());
            if target == "source_map" {
                harness::source_map(&data);
            } else {
                harness::run(format, &data);
            }
            n += 1;
        }
    }
    eprintln!("{n} saved fuzz inputs replayed");
}

#[test]
fn the_test_maps_survive_the_source_map_harness() {
    harness::source_map(&common::data("sourcemap/app.min.js.map"));
    harness::source_map(b"{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"A,A;;A\"}");
    harness::source_map(b"{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"!\"}");
}

#[test]
fn every_corpus_file_survives_the_harness() {
    for path in common::corpus_files("") {
        let data = std::fs::read(&path).unwrap();
        if data.len() > harness::limits().max_input_bytes as usize {
            continue;
        }
        harness::run(None, &data);
    }
}
