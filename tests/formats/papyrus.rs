//! Papyrus profiler logs: every file in the corpus's `papyrus/` folder.
//!
//! `script.log` (times in ms, `time:OP:stack:depth:form:function`):
//! * stack 3053: exampleFunction1 500→1500 (1000), exampleFunction2
//!   1700→1750 (50), exampleFunction4 2000→2000 (0);
//! * stack 3208: exampleFunction3 2000→2000 (0);
//! * stack 3947: exampleFunction5 2000→3000 (1000, nothing nested: the
//!   exampleFunction6 lines are on stack 3949), exampleFunction1
//!   3450→3500 (50);
//! * stack 3949: exampleFunction6 2250→2500 (250).
//!
//! `stack.log` (one stack, 3185) starts inside running calls: it pops
//! StartStackProfiling (depth 3), exampleFunction2 (depth 2, at 50035),
//! exampleFunction3 (depth 1, at 50051) and OnEffectStart (depth 0, at
//! 50619) without pushing them, so they run from the first timestamp
//! 50002: OnEffectStart total 50619 − 50002 = 617, exampleFunction3
//! 50051 − 50002 = 49, exampleFunction2 50035 − 50002 = 33 of which
//! exampleFunction1 (pushed at 50018, popped at 50035) takes 17 → self 16;
//! WaitMenuMode 50068→50602 = 534; OnEffectStart self 617 − 49 − 534 = 34.

use flamekit::{Error, Format, ImportOptions, Location, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, corpus_files, profile_names, weights};

#[test]
fn script_log_one_profile_per_stack() {
    let (g, report) = flamekit::import_with(&corpus("papyrus/script.log"), None, &ImportOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "papyrus");
    assert_eq!(g.name(), "Script_abc_example_quest");
    assert_eq!(profile_names(&g), vec!["Stack 3053", "Stack 3208", "Stack 3947", "Stack 3949"]);
    for p in g.profiles() {
        assert_eq!(p.unit(), ValueUnit::Milliseconds);
        // All stacks share the log's time axis: first to last timestamp.
        assert_eq!((p.start_value(), p.end_value()), (500.0, 3500.0));
    }
    let (s, t) = weights(&g, 0, "abc_example_quest..exampleFunction1");
    assert_close(s, 1000.0);
    assert_close(t, 1000.0);
    let (s, _) = weights(&g, 0, "abc_example_quest..exampleFunction2");
    assert_close(s, 50.0);
    let (s, _) = weights(&g, 2, "abc_example_quest..exampleFunction5");
    assert_close(s, 1000.0);
    let (s, _) = weights(&g, 2, "abc_example_quest..exampleFunction1");
    assert_close(s, 50.0);
    let (s, t) = weights(&g, 3, "abc_example_quest..exampleFunction6");
    assert_close(s, 250.0);
    assert_close(t, 250.0);
    assert_close(g.profiles().iter().map(|p| p.total_weight()).sum::<f64>(), 2350.0);
}

#[test]
fn stack_log_reconstructs_calls_running_before_the_log() {
    let g = flamekit::import(&corpus("papyrus/stack.log"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["Stack 3185"]);
    for (name, s, t) in [
        ("abc_example_mod_effect..OnEffectStart", 34.0, 617.0),
        ("abc_example_mod_quest..exampleFunction3", 16.0, 49.0),
        ("abc_example_mod_quest..exampleFunction2", 16.0, 33.0),
        ("abc_example_mod_quest..exampleFunction1", 17.0, 17.0),
        ("utility..WaitMenuMode", 534.0, 534.0),
        ("Debug..StartStackProfiling", 0.0, 0.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let p = &g.profiles()[0];
    assert_eq!((p.start_value(), p.end_value()), (50002.0, 50619.0));
}

#[test]
fn detection_picks_papyrus_for_its_files_only() {
    assert_detects_exactly(Format::Papyrus, |rel| rel.starts_with("papyrus/"));
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for path in corpus_files("papyrus") {
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..=bytes.len() {
            if let Err(e) = flamekit::import_format(Format::Papyrus, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{}[..{n}]: {e}", path.display());
            }
        }
    }
}

#[test]
fn repairs_are_reported() {
    // Line 4 pops `a` while `b` is innermost: b is closed too (warning).
    // Line 5 is garbage (skipped). Line 6 goes back in time (raised to 30).
    // `c` is never popped: closed at the end (40).
    let input = "Script_x log opened (PC)\n\
10:PUSH:1:0:None:s..a\n\
20:PUSH:1:1:None:s..b\n\
30:POP:1:0:None:s..a\n\
garbage\n\
25:PUSH:1:0:None:s..c\n\
40:QUEUE_PUSH:1:0:None:s.??.d\n\
Log closed\n";
    let (g, report) = flamekit::import_with(input.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert_eq!(g.format(), "papyrus");
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["s..a 10", "s..a;s..b 10", "s..c 10"]);
    assert_eq!(report.skipped.get("invalid_line"), Some(&1));
    let codes: Vec<_> = report.warnings.iter().map(|w| (w.code, w.location.clone())).collect();
    assert_eq!(
        codes,
        vec![
            ("invalid_line", Location::Line(5)),
            ("time_went_backwards", Location::Line(6)),
            ("unmatched_pop", Location::Line(4)),
            ("unclosed_frames", Location::Path("Stack 1".into())),
        ]
    );
    let e = flamekit::import_format(Format::Papyrus, b"Script_x log opened (PC)\nLog closed\n", &Default::default())
        .unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}

/// `PapyrusStacks::Nested` reproduces speedscope's replay of `script.log`,
/// worked out by hand with its rules (one frame stack; a PUSH on another
/// stack opens `STACK <id>`, closing a lone bottom `STACK` frame at the last
/// event; leaving a function also leaves a `STACK` frame left on top unless
/// it is the outermost frame; a same-timestamp POP of the pushed call closes
/// it at once):
/// * STACK 3053 500→1750 (f1 500→1500, f2 1700→1750), closed at 1750 when
///   stack 3208 starts; again 2000→2000 around f4;
/// * STACK 3208 2000→2000 (f3, zero length);
/// * STACK 3947 2000→3500 (closed at the end): f5 2000→3000 holds
///   STACK 3949 2250→2500 (f6), nested because f5 was running; then
///   f1 3450→3500.
///
/// So STACK 3053 total 1250 (self 200), STACK 3947 total 1500, STACK 3949
/// 250, f5 self 750 of 1000, f1 1000 + 50 = 1050, and 1250 + 1500 = 2750
/// in all.
#[test]
fn nested_switch_reproduces_speedscope() {
    let opts = ImportOptions { papyrus_stacks: flamekit::PapyrusStacks::Nested, ..Default::default() };
    let (g, _) = flamekit::import_with(&corpus("papyrus/script.log"), None, &opts).unwrap();
    assert_eq!(g.profiles().len(), 1);
    let p = &g.profiles()[0];
    assert_eq!((p.start_value(), p.end_value()), (500.0, 3500.0));
    assert_close(p.total_weight(), 2750.0);
    for (name, s, t) in [
        ("STACK 3053", 200.0, 1250.0),
        ("STACK 3947", 450.0, 1500.0),
        ("STACK 3949", 0.0, 250.0),
        ("abc_example_quest..exampleFunction5", 750.0, 1000.0),
        ("abc_example_quest..exampleFunction6", 250.0, 250.0),
        ("abc_example_quest..exampleFunction1", 1050.0, 1050.0),
    ] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
}

/// `PapyrusStacks::Nested` stays linear on long logs (each of these took
/// seconds when every PUSH searched the open frames for the innermost
/// `STACK` frame and scanned the whole same-timestamp run for its POP).
/// * Deep: `N` PUSHes of distinct functions on stack 1 at times 0..N, never
///   popped: one chain under `STACK 1`, all closed at the last time N − 1,
///   so N + 1 frames, 2 (N + 1) events and total weight N − 1.
/// * Same time: `M` PUSHes at time 5 alternating stacks 1 and 2, then their
///   POPs in reverse order, still at time 5: each PUSH's POP (the same call,
///   same timestamp) closes it at once; each PUSH also opens its `STACK`
///   frame, which replaces the lone other `STACK` frame left at the bottom.
///   So M + 2 frames, 4 M events (every frame opens and closes once per
///   PUSH), zero weight, every POP consumed (a clean report).
#[test]
fn nested_mode_is_linear_on_deep_and_same_time_logs() {
    let opts = ImportOptions { papyrus_stacks: flamekit::PapyrusStacks::Nested, ..Default::default() };
    const N: usize = 100_000;
    let mut deep = String::from("Script_x log opened (PC)\n");
    for i in 0..N {
        deep.push_str(&format!("{i}:PUSH:1:{i}:F (1):s..f{i}\n"));
    }
    deep.push_str("Log closed\n");
    let (g, report) = flamekit::import_with(deep.as_bytes(), None, &opts).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.frames().len(), N + 1);
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 2 * (N + 1));
    assert_eq!((p.start_value(), p.end_value()), (0.0, (N - 1) as f64));
    assert_close(p.total_weight(), (N - 1) as f64);

    const M: usize = 50_000;
    let mut same = String::from("Script_x log opened (PC)\n");
    for i in 0..M {
        same.push_str(&format!("5:PUSH:{}:0:F (1):s..g{i}\n", 1 + i % 2));
    }
    for i in (0..M).rev() {
        same.push_str(&format!("5:POP:{}:0:F (1):s..g{i}\n", 1 + i % 2));
    }
    let (g, report) = flamekit::import_with(same.as_bytes(), None, &opts).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.frames().len(), M + 2);
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 4 * M);
    assert_eq!((p.start_value(), p.end_value()), (5.0, 5.0));
    assert_close(p.total_weight(), 0.0);
}
