//! Zip containers: choosing the profile entry, inflate limits, refusals.
//!
//! The small archives in `tests/data/zip/` were written with python3's
//! `zipfile`: `bomb.zip` holds one deflated entry `profile.json` of 32 MiB of
//! `0` bytes (32,740 bytes zipped); `several.zip` holds `notes.txt`, macOS
//! metadata `__MACOSX/prof/._app.heapprofile`, a directory and
//! `prof/app.heapprofile` (a heap profile: main 100 bytes self, its callee
//! alloc 24 bytes); `nested.zip` stores a zip inside a zip; `no-profile.zip`
//! holds two small binary files.

use flamekit::{Error, Format, ImportOptions, IngestLimits, LimitKind};

use crate::common::{assert_close, corpus, corpus_files, data, weights};

#[test]
fn zip_bomb_is_refused_at_the_limit() {
    let bytes = data("zip/bomb.zip");
    let limits = IngestLimits { max_inflated_bytes: 1 << 20, ..Default::default() };
    match flamekit_formats::zip_container::main_entry(&bytes, &limits) {
        Err(Error::LimitExceeded { limit: LimitKind::InflatedBytes, max, value }) => {
            assert_eq!(max, 1 << 20);
            assert!(value > max);
        }
        other => panic!("{:?}", other.map(|v| v.len())),
    }
    let opts = ImportOptions { limits, ..Default::default() };
    let e = flamekit::import_with(&bytes, None, &opts).unwrap_err();
    assert_eq!(e.code(), "limit_exceeded");
    // 32 MiB from 32,740 bytes is a ratio of about 1,025: the default
    // inflation-ratio limit (200) refuses it once past the 1 MiB floor.
    let ratio = IngestLimits { max_inflated_bytes: 32 << 20, ..Default::default() };
    match flamekit_formats::zip_container::main_entry(&bytes, &ratio) {
        Err(Error::LimitExceeded { limit: LimitKind::InflationRatio, max: 200, value }) => {
            assert!(value > 200, "{value}")
        }
        other => panic!("{:?}", other.map(|v| v.len())),
    }
    // Under limits the entry fits, it inflates in full.
    let all = IngestLimits { max_inflated_bytes: 32 << 20, max_inflation_ratio: 2_000, ..Default::default() };
    assert_eq!(flamekit_formats::zip_container::main_entry(&bytes, &all).unwrap().len(), 32 << 20);
}

#[test]
fn the_profile_entry_is_chosen_among_several() {
    let bytes = data("zip/several.zip");
    assert!(flamekit_formats::zip_container::is_zip(&bytes));
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Heap);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_close(g.profiles()[0].total_weight(), 124.0);
    let (s, t) = weights(&g, 0, "main");
    assert_close(s, 100.0);
    assert_close(t, 124.0);
}

#[test]
fn refusals_are_typed() {
    let e = flamekit::import(&data("zip/nested.zip"), None).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("zip inside zip"), "{e}");
    let e = flamekit::import(&data("zip/no-profile.zip"), None).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    // Every zipped Instruments .trace bundle in the corpus: refused with the reason.
    let mut n = 0;
    for path in corpus_files("Instruments") {
        if path.to_string_lossy().ends_with(".trace.zip") {
            let e = flamekit::import(&std::fs::read(&path).unwrap(), None).unwrap_err();
            assert_eq!(e.code(), "unsupported_format", "{}", path.display());
            assert!(e.to_string().contains("Deep Copy"), "{e}");
            n += 1;
        }
    }
    assert_eq!(n, 7);
}

#[test]
fn every_prefix_of_a_zip_fails_typed() {
    for bytes in [data("zip/several.zip"), corpus("node/8.5.0/simple.v8log.json.zip")[..4096].to_vec()] {
        for n in 0..bytes.len() {
            if let Err(e) = flamekit::import(&bytes[..n], None) {
                assert!(Error::CODES.contains(&e.code()));
            }
        }
    }
    let full = corpus("node/8.5.0/simple.v8log.json.zip");
    let len = full.len();
    for n in (len - 300..len).chain([len / 2, len - 22]) {
        let e = flamekit::import(&full[..n], None).unwrap_err();
        assert!(Error::CODES.contains(&e.code()), "{e}");
    }
}

/// Only the corpus's zip files are taken for zip containers.
#[test]
fn is_zip_claims_only_zip_files() {
    for path in corpus_files(".") {
        let p = path.to_string_lossy();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(flamekit_formats::zip_container::is_zip(&bytes), p.ends_with(".zip"), "{p}");
    }
}
