//! speedscope's own format: every file in the corpus's `speedscope/` folder.
//!
//! Expected weights worked out by hand from the files: in every valid sample,
//! frames a,b,c,d are laid out as c[0,2) d[2,6) c[6,9) inside b[0,14) inside
//! a[0,14) (evented), or as samples abc×1, abc×1, abd×4, abc×3, ab×5
//! (sampled). Both give self a=0, b=5, c=2+3=5 (or 1+1+3), d=4 and total
//! a=b=14, c=5, d=4.

use flamekit::{Error, ImportOptions, IngestLimits, LimitKind, ValueUnit};

use crate::common::{assert_close, corpus, corpus_files, profile_names, weights};

fn check_abcd(group: &flamekit::ProfileGroup, profile: usize) {
    for (name, s, t) in [("a", 0.0, 14.0), ("b", 5.0, 14.0), ("c", 5.0, 5.0), ("d", 4.0, 4.0)] {
        let (self_w, total_w) = weights(group, profile, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let p = &group.profiles()[profile];
    assert_eq!(flamekit::dump_stacks(group, p), vec!["a;b;c 2", "a;b;d 4", "a;b;c 3", "a;b 5"]);
}

#[test]
fn evented_0_0_1() {
    for f in ["speedscope/0.0.1/simple.speedscope.json", "speedscope/0.0.1/simple-no-pretty-print.speedscope.json"] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        assert_eq!(g.format(), "speedscope");
        assert_eq!(profile_names(&g), vec!["simple.txt"]);
        let p = &g.profiles()[0];
        assert_eq!(p.unit(), ValueUnit::None);
        assert!(!p.is_sampled());
        assert_eq!((p.start_value(), p.end_value()), (0.0, 14.0));
        check_abcd(&g, 0);
    }
}

#[test]
fn sampled_0_1_2() {
    let g = flamekit::import(&corpus("speedscope/0.1.2/simple-sampled.speedscope.json"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["simple.speedscope.json"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Seconds);
    assert!(p.is_sampled());
    assert_eq!(p.sample_count(), 5);
    assert_close(p.total_weight(), 14.0);
    assert_eq!(g.duration_ms(), Some(14_000.0));
    check_abcd(&g, 0);
}

#[test]
fn two_sampled_0_6_0() {
    let g = flamekit::import(&corpus("speedscope/0.6.0/two-sampled.speedscope.json"), None).unwrap();
    assert_eq!(g.name(), "Two Samples");
    assert_eq!(profile_names(&g), vec!["one", "two"]);
    assert_eq!(g.active_profile_index(), 1);
    // Frames are shared by both profiles.
    assert_eq!(g.frames().len(), 4);
    check_abcd(&g, 0);
    check_abcd(&g, 1);
}

#[test]
fn invalid_files_give_typed_errors() {
    let e = flamekit::import(&corpus("speedscope/invalid/incomplete-trace.json"), None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    assert!(e.to_string().contains("still open"), "{e}");
    let e = flamekit::import(&corpus("speedscope/invalid/out-of-order-events.json"), None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    // The 7th event (index 6) closes B while A is innermost.
    assert!(e.to_string().contains("profiles[0].events[6]"), "{e}");
}

#[test]
fn every_corpus_file_imports_or_fails_typed() {
    for path in corpus_files("speedscope") {
        let bytes = std::fs::read(&path).unwrap();
        let r = flamekit::import(&bytes, None);
        let invalid = path.to_string_lossy().contains("/invalid/");
        match r {
            Ok(g) => {
                assert!(!invalid, "{} should be refused", path.display());
                assert!(!g.profiles().is_empty());
            }
            Err(e) => assert!(invalid, "{}: {e}", path.display()),
        }
    }
}

#[test]
fn round_trip_preserves_frames_weights_and_stacks() {
    for path in corpus_files("speedscope") {
        if path.to_string_lossy().contains("/invalid/") {
            continue;
        }
        let g1 = flamekit::import(&std::fs::read(&path).unwrap(), None).unwrap();
        let json = flamekit::to_speedscope_json(&g1).unwrap();
        let g2 = flamekit::import(json.as_bytes(), None).unwrap();
        assert_eq!(g1.frames(), g2.frames());
        assert_eq!(g1.profiles(), g2.profiles(), "{}", path.display());
        assert_eq!(g1.active_profile_index(), g2.active_profile_index());
        assert_eq!(flamekit::dump(&g1).unwrap(), flamekit::dump(&g2).unwrap());
        // Deterministic: exporting again gives the same bytes.
        assert_eq!(json, flamekit::to_speedscope_json(&g2).unwrap());
        // gzip export inflates to the same JSON and is itself deterministic.
        let gz = flamekit::to_speedscope_gzip(&g1).unwrap();
        assert_eq!(gz, flamekit::to_speedscope_gzip(&g2).unwrap());
        let g3 = flamekit::import(&gz, None).unwrap();
        assert_eq!(g1.profiles(), g3.profiles());
    }
}

#[test]
fn garbage_and_truncation_never_panic() {
    let bytes = corpus("speedscope/0.6.0/two-sampled.speedscope.json");
    for n in 0..bytes.len() {
        if let Err(e) = flamekit::import_format(flamekit::Format::Speedscope, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    let e = flamekit::import(b"{\"shared\":{\"frames\":[]},\"profiles\":[{\"type\":\"x\"}]}", None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    let e = flamekit::import(
        br#"{"shared":{"frames":[]},"profiles":[{"type":"sampled","unit":"none","samples":[[3]],"weights":[1]}]}"#,
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("frame index 3 is out of range"), "{e}");
}

#[test]
fn limits_are_enforced_while_reading() {
    let bytes = corpus("speedscope/0.6.0/two-sampled.speedscope.json");
    let tight = |f: fn(&mut IngestLimits)| {
        let mut limits = IngestLimits::default();
        f(&mut limits);
        ImportOptions { limits, ..Default::default() }
    };
    type Case = (fn(&mut IngestLimits), LimitKind);
    let cases: [Case; 4] = [
        (|l| l.max_frames = 3, LimitKind::Frames),
        (|l| l.max_samples = 7, LimitKind::Samples),
        (|l| l.max_stack_depth = 2, LimitKind::StackDepth),
        (|l| l.max_profiles = 1, LimitKind::Profiles),
    ];
    for (set, kind) in cases {
        match flamekit::import_with(&bytes, None, &tight(set)) {
            Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, kind),
            other => panic!("expected {kind} to be exceeded, got {other:?}"),
        }
    }
    match flamekit::import_with(&bytes, None, &tight(|l| l.max_input_bytes = 100)) {
        Err(Error::LimitExceeded { limit: LimitKind::InputBytes, max: 100, value }) => {
            assert_eq!(value, bytes.len() as u64)
        }
        other => panic!("{other:?}"),
    }
}
