//! Chrome/Node `.cpuprofile`: every CPU profile file of the corpus's
//! `Chrome/` and `node/` folders (the trace files there are covered by
//! `chrome_trace.rs`; heap profiles and V8 logs belong to other importers),
//! plus hand-written profiles for the special nodes and the error cases.
//!
//! Weights follow the rule documented in `chrome_cpuprofile`: sample `i`
//! is at `startTime + timeDeltas[0] + … + timeDeltas[i]` and weighs the time
//! until the next sample; the last sample weighs 0. The time axis starts at
//! `startTime`; the `timeDeltas[0]` before the first sample is one idle
//! (empty-stack) sample. Expected numbers were
//! worked out from the raw files with python3, e.g. for `Chrome/65`:
//!
//! ```python
//! d = json.load(open('Chrome/65/simple.cpuprofile'))
//! td, s = d['timeDeltas'], d['samples']   # s = [2] + [5]*14 + [7]*14
//! td[1]            # 1060: sample 0 (node 2, the anonymous top-level) lasts until sample 1
//! sum(td[2:16])    # 17002: samples 1..14 (node 5 = a;b;d) last until sample 15
//! sum(td[16:29])   # 16283: samples 15..27 (node 7 = a;c;d); sample 28 is last and weighs 0
//! d['startTime']   # 163140599286, the start of the time axis
//! td[0]            # 11575: idle before the first sample
//! ```

use flamekit::{Error, Format, ImportOptions, LimitKind, ValueUnit};

use crate::common::{
    assert_close, assert_limit_hit, assert_sniff_claims_exactly, check as check_weights, corpus, profile_names,
};

fn import_cpu(json: &str) -> (flamekit::ProfileGroup, flamekit::ImportReport) {
    flamekit::import_format(Format::ChromeCpuProfile, json.as_bytes(), &ImportOptions::default()).unwrap()
}

fn import_err(json: &str) -> Error {
    flamekit::import_format(Format::ChromeCpuProfile, json.as_bytes(), &ImportOptions::default()).unwrap_err()
}

#[test]
fn chrome_65_simple() {
    let bytes = corpus("Chrome/65/simple.cpuprofile");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::ChromeCpuProfile);
    let opts = ImportOptions { name: Some("simple.cpuprofile".into()), ..Default::default() };
    let (g, report) = flamekit::import_with(&bytes, None, &opts).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "chrome-cpuprofile");
    assert_eq!(profile_names(&g), vec!["simple.cpuprofile"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    assert!(p.is_sampled());
    // The idle lead-in, then three runs of equal samples: node 2, node 5 ×14, node 7 ×14.
    assert_eq!(p.sample_count(), 4);
    assert_eq!(p.start_value(), 163140599286.0);
    assert_eq!(p.end_value(), 163140647178.0); // endTime
                                               // d (0-based line 13, column 10) is one frame under both b and c.
    check_weights(
        &g,
        &[
            ("(anonymous)", 1060.0, 34345.0),
            ("a", 0.0, 33285.0),
            ("b", 0.0, 17002.0),
            ("c", 0.0, 16283.0),
            ("d", 33285.0, 33285.0),
        ],
    );
    assert_eq!(
        flamekit::dump_stacks(&g, p),
        vec!["(anonymous) 1060", "(anonymous);a;b;d 17002", "(anonymous);a;c;d 16283"]
    );
    // Locations are converted to 1-based; an empty url is no file; (root) is no frame.
    let d = g.frames().iter().find(|f| f.name == "d").unwrap();
    assert_eq!((d.file.as_deref(), d.line, d.col), (None, Some(14), Some(11)));
    let anon = g.frames().iter().find(|f| f.name == "(anonymous)").unwrap();
    assert_eq!((anon.line, anon.col), (Some(1), Some(1)));
    assert!(g.frames().iter().all(|f| f.name != "(root)"));
}

/// The old format (tree in `head`, absolute `timestamps`, times in seconds).
/// Sample `i` is at `timestamps[i]`; this file has 30 timestamps for 29
/// samples, so the last one is ignored (speedscope does the same):
/// ```python
/// ts = d['timestamps']
/// ts[1] - ts[0]    # 11575: sample 0 (the anonymous top-level)
/// ts[15] - ts[1]   # 16788: samples 1..14 (a;b;d)
/// ts[28] - ts[15]  # 16414: samples 15..27 (a;c;d), sample 28 weighs 0
/// d['startTime'] * 1e6   # 163140000000, the start of the time axis (as speedscope)
/// ```
#[test]
fn node_10_old_format() {
    let bytes = corpus("node/10.11.0/example.cpuprofile");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::ChromeCpuProfile);
    let (g, report) = flamekit::import_with(&bytes, None, &ImportOptions::default()).unwrap();
    assert_eq!(report.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), vec!["extra_time_deltas"]);
    assert_eq!(profile_names(&g), vec![""]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    assert_eq!(p.start_value(), 163140000000.0);
    check_weights(
        &g,
        &[
            ("(anonymous)", 11575.0, 44777.0),
            ("a", 0.0, 33202.0),
            ("b", 0.0, 16788.0),
            ("c", 0.0, 16414.0),
            ("d", 33202.0, 33202.0),
        ],
    );
    assert_eq!(
        flamekit::dump_stacks(&g, p),
        vec!["(anonymous) 11575", "(anonymous);a;b;d 16788", "(anonymous);a;c;d 16414"]
    );
    // The old format has lines but no columns.
    let d = g.frames().iter().find(|f| f.name == "d").unwrap();
    assert_eq!((d.line, d.col), (Some(14), None));
}

#[test]
fn hint_does_not_change_the_result() {
    for (f, name) in
        [("Chrome/65/simple.cpuprofile", "simple.cpuprofile"), ("node/10.11.0/example.cpuprofile", "x.json")]
    {
        let bytes = corpus(f);
        let a = flamekit::import(&bytes, None).unwrap();
        let b = flamekit::import(&bytes, Some(name)).unwrap();
        assert_eq!(a, b, "{f}");
        assert_eq!(flamekit::detect(&bytes, Some(name)).unwrap(), Format::ChromeCpuProfile);
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for f in ["Chrome/65/simple.cpuprofile", "node/10.11.0/example.cpuprofile"] {
        let bytes = corpus(f);
        for n in 0..bytes.len() {
            // Only the whole object (maybe without trailing whitespace) is complete JSON.
            match flamekit::import_format(Format::ChromeCpuProfile, &bytes[..n], &ImportOptions::default()) {
                Ok(_) => assert!(bytes[n..].iter().all(u8::is_ascii_whitespace), "{f}: prefix of {n} bytes imported"),
                Err(e) => assert!(Error::CODES.contains(&e.code()), "{e}"),
            }
            // Detection on a prefix must not panic either.
            let _ = flamekit::import(&bytes[..n], None);
        }
    }
}

/// Only the CPU profiles of the corpus are claimed, not heap profiles,
/// traces, speedscope, Firefox, stackprof or any other JSON.
#[test]
fn sniff_claims_only_cpu_profiles() {
    assert_sniff_claims_exactly(flamekit_formats::chrome_cpuprofile::sniff, |rel| {
        ["Chrome/65/simple.cpuprofile", "node/10.11.0/example.cpuprofile"].contains(&rel)
    });
    let sniff = flamekit_formats::chrome_cpuprofile::sniff;
    // A heap profile with samples, a heap snapshot, a trace object, a partial new-format profile.
    assert!(!sniff(br#"{"head":{"callFrame":{"functionName":"(root)"},"selfSize":0,"children":[]},"samples":[]}"#));
    assert!(!sniff(br#"{"snapshot":{"meta":{}},"nodes":[1,2,3],"edges":[],"samples":[]}"#));
    assert!(!sniff(br#"{"traceEvents":[{"nodes":[{"callFrame":{}}]}]}"#));
    assert!(sniff(b"\xEF\xBB\xBF {\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"(root)\""));
    assert!(sniff(br#"{"startTime":0,"endTime":1,"nodes":[]"#));
}

/// Hand-written profile for the special nodes. Times (µs after startTime
/// 1000): samples at 100, 110, 130, 160, 200, 250, 310, 380, so the runs
/// weigh 10, 20, 30, 40, 50, 60, 70 and 0 (the last one), after 100 µs of
/// idle lead-in.
/// - main (10), main;work (20);
/// - (garbage collector) goes on top of the previous stack: main;work;GC (30);
/// - (program) likewise, on top of that: main;work;GC;(program) (40);
/// - main;work (50);
/// - (idle) is idle time (60), counted in no frame;
/// - inner sits under V8's `native dummy.js` node, which is dropped together
///   with everything above it: inner (70);
/// - main again for the last sample, weight 0.
#[test]
fn special_nodes_follow_speedscope() {
    let json = r#"{"nodes":[
        {"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"children":[2,3,4,5,7]},
        {"id":2,"callFrame":{"functionName":"main","url":"m.js","lineNumber":0,"columnNumber":0},"children":[6]},
        {"id":3,"callFrame":{"functionName":"(program)","url":"","lineNumber":-1,"columnNumber":-1}},
        {"id":4,"callFrame":{"functionName":"(garbage collector)","url":"","lineNumber":-1,"columnNumber":-1}},
        {"id":5,"callFrame":{"functionName":"(idle)","url":"","lineNumber":-1,"columnNumber":-1}},
        {"id":6,"callFrame":{"functionName":"work","url":"m.js","lineNumber":4,"columnNumber":2}},
        {"id":7,"callFrame":{"functionName":"","url":"native dummy.js","lineNumber":0,"columnNumber":0},"children":[8]},
        {"id":8,"callFrame":{"functionName":"inner","url":"x.js","lineNumber":1,"columnNumber":1}}],
      "startTime":1000,"endTime":2000,
      "samples":[2,6,4,3,6,5,8,2],"timeDeltas":[100,10,20,30,40,50,60,70]}"#;
    let (g, report) = import_cpu(json);
    assert!(report.is_clean(), "{report:?}");
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 9);
    assert_eq!((p.start_value(), p.end_value()), (1000.0, 2000.0));
    assert_eq!(
        flamekit::dump_stacks(&g, p),
        vec![
            "main 10",
            "main;work 20",
            "main;work;(garbage collector) 30",
            "main;work;(garbage collector);(program) 40",
            "main;work 50",
            "inner 70"
        ]
    );
    // Idle time (60) is not in the total.
    assert_close(p.total_weight(), 220.0);
    check_weights(
        &g,
        &[
            ("main", 10.0, 150.0),
            ("work", 70.0, 140.0),
            ("(garbage collector)", 30.0, 70.0),
            ("(program)", 40.0, 40.0),
            ("inner", 70.0, 70.0),
        ],
    );
    assert!(g.frames().iter().all(|f| f.name != "(root)" && f.name != "(idle)"));
    let work = g.frames().iter().find(|f| f.name == "work").unwrap();
    assert_eq!((work.file.as_deref(), work.line, work.col), (Some("m.js"), Some(5), Some(3)));
}

/// The tree given by `parent` links only; a negative time delta. Samples
/// a, b, a, b at 0, 10, 5, 15: the second `a` would start before the `b`
/// run, so it starts at 10 instead. Weights: a 10, b 0, a 5, b 0 (last).
#[test]
fn parent_links_and_negative_deltas() {
    let json = r#"{"nodes":[
        {"id":10,"callFrame":{"functionName":"(root)"}},
        {"id":11,"callFrame":{"functionName":"a"},"parent":10},
        {"id":12,"callFrame":{"functionName":"b"},"parent":11}],
      "startTime":0,"endTime":0,"samples":[11,12,11,12],"timeDeltas":[0,10,-5,10]}"#;
    let (g, _) = import_cpu(json);
    let p = &g.profiles()[0];
    check_weights(&g, &[("a", 15.0, 15.0), ("b", 0.0, 0.0)]);
    assert_eq!(flamekit::dump_stacks(&g, p), vec!["a 10", "a 5"]);
    assert_eq!(p.end_value(), 15.0);
}

#[test]
fn node_id_errors_are_typed() {
    let cf = r#""callFrame":{"functionName":"f"}"#;
    let e = import_err(&format!(r#"{{"nodes":[{{"id":1,{cf}}},{{"id":1,{cf}}}],"samples":[],"timeDeltas":[]}}"#));
    assert_eq!(e.code(), "invalid_profile");
    assert!(e.to_string().contains("duplicate node id 1"), "{e}");
    let e = import_err(&format!(
        r#"{{"nodes":[{{"id":1,{cf},"parent":2}},{{"id":2,{cf},"parent":1}}],"samples":[1],"timeDeltas":[0]}}"#
    ));
    assert!(e.to_string().contains("cycle"), "{e}");
    let e = import_err(&format!(
        r#"{{"nodes":[{{"id":1,{cf},"children":[3]}},{{"id":2,{cf},"children":[3]}},{{"id":3,{cf}}}],"samples":[],"timeDeltas":[]}}"#
    ));
    assert!(e.to_string().contains("node 3 has two parents"), "{e}");
    let e = import_err(&format!(r#"{{"nodes":[{{"id":1,{cf}}}],"samples":[1,1],"timeDeltas":[5]}}"#));
    assert!(e.to_string().contains("2 samples but only 1 timeDeltas"), "{e}");
    let e = import_err(&format!(r#"{{"nodes":[{{"id":1,{cf}}}],"samples":[1]}}"#));
    assert_eq!(e.code(), "invalid_profile");
    assert_eq!(import_err(r#"{"nodes":[{"id":"x"}],"samples":[]}"#).code(), "invalid_json");
    assert_eq!(import_err(r#"{"title":"x"}"#).code(), "invalid_profile");
    assert_eq!(import_err(r#"{"nodes":[{"id":1"#).code(), "truncated_input");
    assert_eq!(import_err("").code(), "truncated_input");
}

/// A node with two parents is reported at the first `children` entry that
/// disagrees with the `parent` fields, or with an earlier `children` entry,
/// wherever in the file the other link is.
#[test]
fn two_parents_are_reported_at_the_children_entry_that_disagrees() {
    let cf = r#""callFrame":{"functionName":"f"}"#;
    for (nodes, at) in [
        // The `parent` that disagrees comes after the `children` entry.
        (
            format!(r#"{{"id":1,{cf},"children":[3]}},{{"id":2,{cf}}},{{"id":3,{cf},"parent":2}}"#),
            "nodes[0].children[0]",
        ),
        // ... or before it.
        (
            format!(r#"{{"id":3,{cf},"parent":1}},{{"id":1,{cf}}},{{"id":2,{cf},"children":[3]}}"#),
            "nodes[2].children[0]",
        ),
        // Two `children` entries, the second one's node agreeing with a `parent`.
        (
            format!(r#"{{"id":1,{cf},"children":[2,3]}},{{"id":2,{cf},"children":[3]}},{{"id":3,{cf},"parent":2}}"#),
            "nodes[0].children[1]",
        ),
    ] {
        let e = import_err(&format!(r#"{{"nodes":[{nodes}],"samples":[],"timeDeltas":[]}}"#));
        assert_eq!(e.code(), "invalid_profile");
        let text = e.to_string();
        assert!(text.contains(at) && text.contains("node 3 has two parents"), "{at}: {text}");
    }
}

/// Dangling references (as in real Chrome traces) are repaired and counted:
/// node 3's parent 99 is unknown (3 becomes outermost), the child 98 is
/// dropped, and the sample of unknown node 97 keeps the previous stack, so
/// samples 2, 97, 3 at 0, 1, 3 give a;b for 0..3 and c for the rest.
#[test]
fn dangling_references_are_repaired_and_reported() {
    let json = r#"{"nodes":[
        {"id":1,"callFrame":{"functionName":"a"},"children":[2,98]},
        {"id":2,"callFrame":{"functionName":"b"}},
        {"id":3,"callFrame":{"functionName":"c"},"parent":99}],
      "samples":[2,97,3,3],"timeDeltas":[0,1,2,4]}"#;
    let (g, report) = import_cpu(json);
    for code in ["unknown_parent_node", "unknown_child_node", "unknown_sample_node"] {
        assert_eq!(report.skipped.get(code), Some(&1), "{code}: {report:?}");
    }
    let p = &g.profiles()[0];
    assert_eq!(flamekit::dump_stacks(&g, p), vec!["a;b 3", "c 4"]);
}

#[test]
fn deep_trees_need_no_recursion() {
    // A chain of 100,000 nodes given by parent links, sampled at its leaf.
    let depth = 100_000;
    let mut json = String::from(r#"{"nodes":["#);
    for i in 1..=depth {
        if i > 1 {
            json.push(',');
        }
        json.push_str(&format!(r#"{{"id":{i},"callFrame":{{"functionName":"f{}"}}"#, i % 7));
        if i > 1 {
            json.push_str(&format!(r#","parent":{}"#, i - 1));
        }
        json.push('}');
    }
    json.push_str(&format!(r#"],"samples":[{depth},{depth}],"timeDeltas":[0,3]}}"#));
    let (g, _) = import_cpu(&json);
    let p = &g.profiles()[0];
    assert_close(p.total_weight(), 3.0);
    assert_eq!(g.frames().len(), 7);
}

#[test]
fn limits_are_enforced_while_reading() {
    let bytes = corpus("Chrome/65/simple.cpuprofile");
    assert_limit_hit(&bytes, |l| l.max_samples = 2, LimitKind::Samples);
    assert_limit_hit(&bytes, |l| l.max_stack_depth = 3, LimitKind::StackDepth);
    assert_limit_hit(&bytes, |l| l.max_frames = 2, LimitKind::Frames);
}

/// speedscope-import's profile-type names for the two shapes, and the
/// duration Flamedeck stores: the first profile's total weight in ms,
/// rounded (Chrome/65: 1060 + 17002 + 16283 = 34345 µs → 34 ms, from the
/// derivation at the top; node 10: 11575 + 16788 + 16414 = 44777 µs → 45).
#[test]
fn profile_type_and_flamedeck_duration() {
    let g = flamekit::import(&corpus("Chrome/65/simple.cpuprofile"), None).unwrap();
    assert_eq!((g.format(), g.profile_type()), ("chrome-cpuprofile", "chrome-cpuprofile"));
    assert_eq!(g.flamedeck_duration_ms(), Some(34.0));
    let g = flamekit::import(&corpus("node/10.11.0/example.cpuprofile"), None).unwrap();
    assert_eq!((g.format(), g.profile_type()), ("chrome-cpuprofile", "chrome-cpuprofile-old"));
    assert_eq!(g.flamedeck_duration_ms(), Some(45.0));
}
