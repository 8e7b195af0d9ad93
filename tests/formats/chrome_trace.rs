//! Chrome Trace Event Format: every file of the corpus's `trace-event/`
//! folder and every trace of its `Chrome/` folder (DevTools exports).
//!
//! The stacks expected for the `trace-event/` files were worked out by hand
//! from each file's events, following the rules in `chrome_trace`'s docs:
//! B events (then X starts, X sorted by ts and longest first) form one
//! queue, E events (then X ends) another, both sorted stably by ts; at equal
//! ts an E goes first unless it is the same event as the B; among E events
//! of equal ts one matching the innermost open frame (name and args, else
//! name) goes first, moving the old front into its slot. The derivation of
//! each case is in the comment next to it.
//!
//! The Chrome exports hold V8 CPU profiles (`CpuProfile` events, or
//! `Profile` + `ProfileChunk`). Their expected weights come from an
//! independent python3 walk of the raw JSON (chunks gathered in ts order,
//! nodes/samples/timeDeltas concatenated), with the `.cpuprofile` rules:
//!
//! ```python
//! # runs of equal samples; sample i at sum(td[:i+1]); a run starts no earlier than the previous run
//! t = None; last = None; runs = []
//! for i, nid in enumerate(s):
//!     t = td[0] if i == 0 else t + td[i]
//!     if i == 0 or nid != s[i-1]:
//!         tt = last if last is not None and t < last else t; last = tt; runs.append((nid, tt))
//! end = max(t, last)
//! prev = []   # open node ids
//! for k, (nid, tt) in enumerate(runs):
//!     w = (runs[k+1][1] if k + 1 < len(runs) else end) - tt
//!     if nid in byid:      # unknown nodes keep the previous stack
//!         nxt = lambda x: (prev[-1] if prev else None) if ontop(x) else par.get(x)   # (program)/(GC) on top
//!         lca = nid
//!         while lca is not None and lca not in prev: lca = nxt(lca)
//!         while prev and prev[-1] != lca: prev.pop()
//!         op = []; cur = nid
//!         while cur is not None and cur != lca and not ignored(cur): op.append(cur); cur = nxt(cur)  # (root), (idle), native dummy.js
//!         prev += op[::-1]
//!     if prev:
//!         self_w[key(prev[-1])] += w
//!         for f in set(key(x) for x in prev): total_w[f] += w   # key = (name or '(anonymous)', url, line+1, col+1)
//! ```

use flamekit::{Error, Format, ImportOptions, LimitKind, ProfileGroup, ValueUnit};

use crate::common::{
    assert_close, assert_limit_hit, assert_sniff_claims_exactly, check_profile as check_frames, corpus, corpus_files,
    profile_names, weights,
};

fn import(rel: &str) -> (ProfileGroup, flamekit::ImportReport) {
    flamekit::import_with(&corpus(rel), None, &ImportOptions::default()).unwrap()
}

fn import_str(json: &str) -> flamekit::Result<(ProfileGroup, flamekit::ImportReport)> {
    flamekit::import_format(Format::ChromeTrace, json.as_bytes(), &ImportOptions::default())
}

fn stacks(g: &ProfileGroup, i: usize) -> Vec<String> {
    flamekit::dump_stacks(g, &g.profiles()[i])
}

fn codes(r: &flamekit::ImportReport) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = r.warnings.iter().map(|w| w.code).collect();
    v.sort();
    v
}

/// (file, stacks of its single profile "pid 0, tid 0" (or tid 1), warning codes sorted).
#[rustfmt::skip]
const EDGE_CASES: &[(&str, &[&str], &[&str])] = &[
    // alpha [0,14] ⊃ beta [1,13] ⊃ X gamma [2,7] (args {"detail":"foobar"} shown in its name), X epsilon [7,11] (tdur).
    ("simple.json", &["alpha 1", "alpha;beta 1", r#"alpha;beta;gamma {"detail":"foobar"} 5"#, "alpha;beta;epsilon 4", "alpha;beta 2", "alpha 1"], &[]),
    // The same events with the closing `]` missing: the array is closed.
    ("simple-partial.json", &["alpha 1", "alpha;beta 1", r#"alpha;beta;gamma {"detail":"foobar"} 5"#, "alpha;beta;epsilon 4", "alpha;beta 2", "alpha 1"], &["truncated_array_repaired"]),
    ("simple-partial-trailing-comma.json", &["alpha 1", "alpha;beta 1", r#"alpha;beta;gamma {"detail":"foobar"} 5"#, "alpha;beta;epsilon 4", "alpha;beta 2", "alpha 1"], &["truncated_array_repaired"]),
    ("simple-partial-whitespace.json", &["alpha 1", "alpha;beta 1", r#"alpha;beta;gamma {"detail":"foobar"} 5"#, "alpha;beta;epsilon 4", "alpha;beta 2", "alpha 1"], &["truncated_array_repaired"]),
    // Object form; the X event at 7 (tdur 4) has no name.
    ("simple-object.json", &["alpha 1", "alpha;beta 6", "alpha;beta;(unnamed) 4", "alpha;beta 2", "alpha 1"], &[]),
    // B queue A0 B0 D10 C10 F20 E20 G30 H30 J40 I41 K50 L51 (B events before X starts at equal ts);
    // E queue A2 B2 D12 C12 E21 F22 H31 G32 J42 I42 K52 L52; at each equal-ts group the E of the
    // innermost frame is taken first, so every pair nests: A⊃B, D⊃C, F⊃E, G⊃H, J⊃I, K⊃L.
    ("bex-interaction.json", &["A;B 2", "D;C 2", "F;E 1", "F 1", "G;H 1", "G 1", "J 1", "J;I 1", "K 1", "K;L 1"], &[]),
    // E beta at 2 finds nothing open: ignored.
    ("end-event-with-empty-stack.json", &["alpha 1"], &["unmatched_end_event"]),
    // A{x:1}0, B{x:2}1; E "A" at 10 while B is innermost: ignored; X Z [10,11] opens in B;
    // A and B are closed at the last event (11).
    ("end-non-top-of-stack.json", &[r#"A {"x":1} 1"#, r#"A {"x":1};B {"x":2} 9"#, r#"A {"x":1};B {"x":2};Z {"x":1} 1"#], &["mismatched_end_event", "unclosed_begin_event", "unclosed_begin_event"]),
    // X alpha [0,10], B beta 1, B gamma 1; E beta{x:1}@2 and E gamma{x:1}@2: no args match, the name
    // match moves gamma's end first; both close with other args.
    ("event-reordering-name-match.json", &[r#"alpha {"x":0} 1"#, r#"alpha {"x":0};beta {"x":0};gamma {"x":0} 1"#, r#"alpha {"x":0} 8"#], &["end_event_args_mismatch", "end_event_args_mismatch"]),
    // Hermes: names without args. [root] [0,14] ⊃ beta [1,2]; gamma [4,13] ⊃ beta [4,10] (B gamma
    // precedes B beta at ts 4 in the file). Both betas are one frame (same name, url, line, column).
    ("hermes-multiple-frames.json", &["[root] 1", "[root];beta 1", "[root] 2", "[root];gamma;beta 6", "[root];gamma 3", "[root] 1"], &[]),
    ("simple-hermes.json", &["[root] 1", "[root];beta 12", "[root] 1"], &[]),
    // X alpha [0,10] ⊃ X beta [5,15]: E alpha@10 while beta is innermost is ignored; beta ends at 15,
    // alpha is closed there too.
    ("invalid-x-nesting.json", &["alpha 5", "alpha;beta 10"], &["mismatched_end_event", "unclosed_begin_event"]),
    // Equal ts and dur: file order (beta then gamma at 1, gamma then beta at 5), ends matched to the top.
    ("matching-x.json", &["alpha 1", "alpha;beta;gamma 1", "alpha 3", "alpha;gamma;beta 1", "alpha 4"], &[]),
    // E A{x:2} closes B A{x:1} (same name).
    ("mismatched-args.json", &[r#"A {"x":1} 10"#], &["end_event_args_mismatch"]),
    // E beta while alpha is open: ignored; alpha closes at its own start (0): no weight.
    ("mismatched-name.json", &[], &["mismatched_end_event", "unclosed_begin_event"]),
    // A,B,C at 0; ends C1 B2 A3; A4 B5 C6; ends C7 B7 A7 keep their order; X at 7 opens after them.
    ("must-retain-original-order.json", &["A;B;C 1", "A;B 1", "A 1", "A 1", "A;B 1", "A;B;C 1", "X 3"], &[]),
    // A{x:1}0 ⊃ A{x:2}1 ⊃ X A{x:1} [10,11]; the first two are closed at 11.
    ("not-enough-end-events.json", &[r#"A {"x":1} 1"#, r#"A {"x":1};A {"x":2} 9"#, r#"A {"x":1};A {"x":2};A {"x":1} 1"#], &["unclosed_begin_event", "unclosed_begin_event"]),
    // A0 ⊃ B1 ⊃ C2, all closed at 2.
    ("only-begin-events.json", &[r#"A {"x":1} 1"#, r#"A {"x":1};B {"x":2} 1"#], &["unclosed_begin_event", "unclosed_begin_event", "unclosed_begin_event"]),
    // Sorted: B alpha0, B beta1, E alpha9 (beta innermost: ignored), E beta10; alpha closed at 10.
    ("out-of-order-unbalanced-name.json", &["alpha 1", "alpha;beta 9"], &["mismatched_end_event", "unclosed_begin_event"]),
    // Sorted: A [0,10] ⊃ B [1,9] ⊃ C [2,8].
    ("out-of-order.json", &["A 1", "A;B 1", "A;B;C 6", "A;B 1", "A 1"], &[]),
    // anonymous0 ⊃ anon{p1}1 ⊃ function1{p2}1 ⊃ anon{p3}1. At 3 the E queue is p3, f1, p1: the name
    // match for the innermost anon{p3} swaps E p1 to the front (closing p3, other args), then f1
    // closes, then E p3 closes p1. B p1@3 ⊃ B p8@3; at 5 the queue p8, p1, (no args) closes p8
    // by E p1, p1 by E "anonymous", anonymous by E p8.
    ("simultaneous-anonymous-calls.json", &["anonymous 1", r#"anonymous;anonymous {"parent":1};function1 {"parent":2};anonymous {"parent":3} 2"#, r#"anonymous;anonymous {"parent":1};anonymous {"parent":8} 2"#], &["end_event_args_mismatch", "end_event_args_mismatch", "end_event_args_mismatch", "end_event_args_mismatch", "end_event_args_mismatch"]),
    // E gamma@5 and E delta@5 match nothing open: ignored.
    ("too-many-end-events.json", &["alpha 1", "alpha;beta 12", "alpha 1"], &["mismatched_end_event", "mismatched_end_event"]),
    // A{x:1}0 ⊃ A{x:2}1; E A{x:1}@9 closes the innermost A{x:2}; E A{x:2}@10 closes A{x:1}.
    ("unbalanced-args.json", &[r#"A {"x":1} 1"#, r#"A {"x":1};A {"x":2} 8"#, r#"A {"x":1} 1"#], &["end_event_args_mismatch", "end_event_args_mismatch"]),
    // E alpha@9 while beta is innermost: ignored; beta ends at 10, alpha is closed there.
    ("unbalanced-name.json", &["alpha 1", "alpha;beta 9"], &["mismatched_end_event", "unclosed_begin_event"]),
    // Nested X pairs whose ends coincide: the innermost end is taken first.
    ("x-events-matching-end.json", &["alpha 1", "alpha;beta 1", "alpha;beta;gamma 1", "alpha 2", "alpha;gamma 1", "alpha;gamma;beta 1", "alpha 2", "alpha;beta 1", "alpha;beta;gamma 1", "alpha 3", "alpha;gamma 1", "alpha;gamma;beta 1", "alpha 4"], &[]),
    // Pairs starting together: the longer one is outside (gamma 9/2 before beta 9/1 although later in the file).
    ("x-events-matching-start.json", &["alpha 1", "alpha;beta;gamma 1", "alpha;beta 1", "alpha 2", "alpha;gamma;beta 1", "alpha;gamma 1", "alpha 2", "alpha;gamma;beta 1", "alpha;gamma 1", "alpha 2", "alpha;beta;gamma 1", "alpha;beta 1", "alpha 5"], &[]),
    // B1/E1 and E2/B2 and X 3/0 are zero-duration calls inside A [0,10]: A is split at 1, 2, 3.
    ("zero-duration-events.json", &["A 1", "A 1", "A 1", "A 7"], &[]),
];

#[test]
fn trace_event_edge_cases() {
    for &(file, expected, warnings) in EDGE_CASES {
        let rel = format!("trace-event/{file}");
        let bytes = corpus(&rel);
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::ChromeTrace, "{file}");
        let (g, report) = import(&rel);
        assert_eq!(g.format(), "chrome-trace");
        assert_eq!(g.profiles().len(), 1, "{file}");
        let tid = if file.starts_with("event-reordering") || file.starts_with("must-retain") { 1 } else { 0 };
        assert_eq!(profile_names(&g), vec![format!("pid 0, tid {tid}")], "{file}");
        let p = &g.profiles()[0];
        assert_eq!(p.unit(), ValueUnit::Microseconds);
        assert!(!p.is_sampled());
        assert_eq!(stacks(&g, 0), expected, "{file}");
        assert_eq!(codes(&report), warnings, "{file}");
    }
}

#[test]
fn edge_case_weights() {
    // simple.json: alpha self = [0,1] + [13,14]; beta self = [1,2] + [11,13].
    let (g, _) = import("trace-event/simple.json");
    for (name, s, t) in
        [("alpha", 2.0, 14.0), ("beta", 3.0, 12.0), (r#"gamma {"detail":"foobar"}"#, 5.0, 5.0), ("epsilon", 4.0, 4.0)]
    {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
    assert_eq!((g.profiles()[0].start_value(), g.profiles()[0].end_value()), (0.0, 14.0));
    // not-enough-end-events: A{x:1} is both outermost and innermost: self 1 + 1, total 11 (counted once).
    let (g, _) = import("trace-event/not-enough-end-events.json");
    let (sw, tw) = weights(&g, 0, r#"A {"x":1}"#);
    assert_close(sw, 2.0);
    assert_close(tw, 11.0);
    // zero-duration-events: the zero-length calls exist as frames with no weight.
    let (g, _) = import("trace-event/zero-duration-events.json");
    for (name, s, t) in [("A", 10.0, 10.0), ("B", 0.0, 0.0), ("C", 0.0, 0.0), ("D", 0.0, 0.0)] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
    // Hermes frames carry the url, line and column of their args.
    let (g, _) = import("trace-event/hermes-multiple-frames.json");
    let beta = g.frames().iter().find(|f| f.name == "beta").unwrap();
    assert_eq!(
        (beta.file.as_deref(), beta.line, beta.col),
        (Some("/Users/example/test_project/node_modules/metro-runtime/src/polyfills/require.js"), Some(54), Some(12))
    );
    let (sw, tw) = weights(&g, 0, "beta");
    assert_close(sw, 7.0); // [1,2] + [4,10]
    assert_close(tw, 7.0);
}

/// Profiles per (pid, tid), ordered by pid then tid, named from the
/// process_name/thread_name metadata each has.
#[test]
fn multiprocess() {
    let (g, report) = import("trace-event/multiprocess.json");
    assert!(report.is_clean());
    assert_eq!(
        profile_names(&g),
        vec![
            "p0 (pid 0), p0t0 (tid 0)",
            "p0 (pid 0), p0t1 (tid 1)",
            "p1 (pid 1), p1t0 (tid 0)",
            "p1 (pid 1), p1t1 (tid 1)",
            "p2t0 (pid 2, tid 0)",
            "p2t1 (pid 2, tid 1)",
            "p3 (pid 3, tid 0)",
            "p3 (pid 3, tid 1)",
        ]
    );
    let names = ["alpha", "beta", "gamma", "delta", "epsilon", "phi", "zeta", "eta"];
    for (i, n) in names.iter().enumerate() {
        assert_eq!(stacks(&g, i), vec![format!("{n} 1")]);
    }
}

/// `samples` + `stackFrames`: each sample weighs the time to the next one
/// of its thread (ts written as strings): 4440 and 16330 ([root]), 13326
/// (function1), 10605 (function2;function3), 10009 ([root]), 10000 and 0
/// ([GC Young Gen]).
#[test]
fn sample_lists() {
    let (g, report) = import("trace-event/simple-with-samples.json");
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(profile_names(&g), vec!["hermes (pid 7512), mqt_js (tid 7695)"]);
    let p = &g.profiles()[0];
    assert!(p.is_sampled());
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    assert_eq!(p.sample_count(), 7);
    assert_eq!(p.start_value(), 11552125241.0);
    let f1 = "function1(http://localhost:8081/index.bundle?platform=android&dev=false&minify=false&app=org.toshi&modulesOnly=false&runModule=true:1:1)";
    let f2 = "function2(http://localhost:8081/index.bundle?platform=android&dev=false&minify=false&app=org.toshi&modulesOnly=false&runModule=true:418874:4)";
    let f3 = "function3(http://localhost:8081/index.bundle?platform=android&dev=false&minify=false&app=org.toshi&modulesOnly=false&runModule=true:17:3)";
    assert_eq!(
        stacks(&g, 0),
        vec![
            "[root] 20770".to_owned(),
            format!("[root];{f1} 13326"),
            format!("[root];{f2};{f3} 10605"),
            "[root] 10009".to_owned(),
            "[root];[GC Young Gen] 10000".to_owned(),
        ]
    );
    for (name, s, t) in
        [("[root]", 30779.0, 64710.0), (f1, 13326.0, 13326.0), (f2, 0.0, 10605.0), ("[GC Young Gen]", 10000.0, 10000.0)]
    {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
}

/// Chrome 66: two `CpuProfile` events (main thread and a worker); the
/// B/E/X task events are counted, not imported.
#[test]
fn chrome_66_cpuprofile_events() {
    let (g, report) = import("Chrome/66/worker.json");
    assert_eq!(g.format(), "chrome-trace");
    assert_eq!(
        profile_names(&g),
        vec![
            "Renderer (pid 30834), CrRendererMain (tid 30851)",
            "Renderer (pid 30834), DedicatedWorker thread (tid 31089)"
        ]
    );
    assert_eq!(g.active_profile_index(), 0);
    // Counted with python: events with ph B/E/X and a ts; other phases besides M.
    assert_eq!(report.skipped.get("trace_events_ignored"), Some(&2231));
    assert_eq!(report.skipped.get("unsupported_event"), Some(&170));
    for p in g.profiles() {
        assert!(p.is_sampled());
        assert_eq!(p.unit(), ValueUnit::Microseconds);
    }
    assert_close(g.profiles()[0].total_weight(), 171402.0);
    assert_close(g.profiles()[1].total_weight(), 863210.0);
    check_frames(
        &g,
        0,
        &[
            ("(program)", 106601.0, 108131.0),
            ("worker.onmessage", 1221.0, 60859.0),
            ("apple", 5474.0, 58863.0),
            ("banana", 50635.0, 53816.0),
            ("dispatch", 1103.0, 25649.0),
            ("(garbage collector)", 1530.0, 1530.0),
        ],
    );
    check_frames(
        &g,
        1,
        &[
            ("(program)", 819120.0, 819120.0),
            ("onmessage", 639.0, 857719.0),
            ("alpha", 19976.0, 835149.0),
            ("gamma", 22197.0, 30000.0),
            ("postMessage", 1278.0, 21931.0),
        ],
    );
    let banana = g.frames().iter().find(|f| f.name == "banana").unwrap();
    assert_eq!(
        (banana.file.as_deref(), banana.line, banana.col),
        (Some("http://172.30.3.176:7777/worker.html"), Some(2), Some(18))
    );
}

/// Chrome 69: one `Profile` (id 0xb, on the main thread) filled by 21
/// `ProfileChunk`s written from another thread.
#[test]
fn chrome_69_profile_chunks() {
    let (g, report) = import("Chrome/69/simple.json");
    assert_eq!(profile_names(&g), vec!["Renderer (pid 85129), CrRendererMain (tid 775)"]);
    assert_eq!(report.skipped.get("trace_events_ignored"), Some(&1207));
    assert_eq!(report.skipped.get("unsupported_event"), Some(&97));
    assert_close(g.profiles()[0].total_weight(), 43568.0);
    check_frames(
        &g,
        0,
        &[
            ("(program)", 6862.0, 6862.0),
            ("alpha", 873.0, 37081.0),
            ("beta", 7552.0, 17562.0),
            ("gamma", 20018.0, 20018.0),
            ("delta", 7179.0, 18646.0),
            ("(garbage collector)", 646.0, 778.0),
        ],
    );
}

#[test]
fn chrome_70_two_profiles() {
    let (g, report) = import("Chrome/70/worker.json");
    assert_eq!(
        profile_names(&g),
        vec![
            "Renderer (pid 29018), CrRendererMain (tid 775)",
            "Renderer (pid 29018), DedicatedWorker thread (tid 7443)"
        ]
    );
    assert_eq!(g.active_profile_index(), 0);
    assert_eq!(report.skipped.get("trace_events_ignored"), Some(&2368));
    assert_close(g.profiles()[0].total_weight(), 91109.0);
    assert_close(g.profiles()[1].total_weight(), 187278.0);
    check_frames(
        &g,
        0,
        &[("(program)", 48725.0, 48827.0), ("worker.onmessage", 0.0, 21103.0), ("apple", 660.0, 20852.0)],
    );
    check_frames(
        &g,
        1,
        &[
            ("(program)", 164753.0, 164753.0),
            ("onmessage", 402.0, 187278.0),
            ("alpha", 7945.0, 177837.0),
            ("gamma", 13631.0, 21888.0),
            ("postMessage", 547.0, 5452.0),
        ],
    );
}

/// Chrome 141 (object with `metadata` first): two profiles on the same
/// thread, the second with only a chunk without data; chunks reference
/// parents (752, 753) and samples (160, 752) the file no longer has.
#[test]
fn chrome_141_missing_data() {
    let bytes = corpus("Chrome/141/no-arg-data.json");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::ChromeTrace);
    let (g, report) = import("Chrome/141/no-arg-data.json");
    let name = "Renderer (pid 7787), CrRendererMain (tid 6209019)";
    assert_eq!(profile_names(&g), vec![name, name]);
    // The busiest main-thread profile is shown first.
    assert_eq!(g.active_profile_index(), 0);
    assert_eq!(g.profiles()[1].sample_count(), 0);
    assert_eq!(report.skipped.get("unknown_parent_node"), Some(&2));
    assert_eq!(report.skipped.get("unknown_sample_node"), Some(&2));
    assert_eq!(report.skipped.get("trace_events_ignored"), None);
    assert_close(g.profiles()[0].total_weight(), 55862.0);
    check_frames(&g, 0, &[("(program)", 53210.0, 53210.0), ("800492", 0.0, 1984.0), ("467222", 0.0, 1595.0)]);
}

#[test]
fn hint_does_not_change_the_result() {
    let mut files = corpus_files("trace-event");
    for c in ["Chrome/66/worker.json", "Chrome/69/simple.json", "Chrome/70/worker.json", "Chrome/141/no-arg-data.json"]
    {
        files.push(crate::common::corpus_path(c));
    }
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let a = flamekit::import(&bytes, None).unwrap();
        let b = flamekit::import(&bytes, Some(&name)).unwrap();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for path in corpus_files("trace-event") {
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..bytes.len() {
            if let Err(e) = flamekit::import_format(Format::ChromeTrace, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{e}");
            }
            let _ = flamekit::import(&bytes[..n], None);
        }
    }
}

/// Only trace files are claimed: every file of `trace-event/` and the four
/// Chrome exports, nothing else of the corpus.
#[test]
fn sniff_claims_only_traces() {
    let sniff = flamekit_formats::chrome_trace::sniff;
    assert_sniff_claims_exactly(sniff, |rel| {
        rel.starts_with("trace-event/")
            || [
                "Chrome/66/worker.json",
                "Chrome/69/simple.json",
                "Chrome/70/worker.json",
                "Chrome/141/no-arg-data.json",
            ]
            .contains(&rel)
    });
    assert!(!sniff(b"[]"));
    assert!(!sniff(b"[1, 2]"));
    assert!(!sniff(br#"{"shared":{"frames":[]},"profiles":[]}"#));
    assert!(!sniff(br#"{"traceEvents": 3}"#));
    assert!(sniff(br#"[{"name":"a","ph":"B","ts":0"#));
    // DevTools metadata can be long; the events come after it.
    let long = format!(r#"{{"metadata":{{"x":"{}"}},"traceEvents":[]}}"#, "y".repeat(200_000));
    assert!(sniff(long.as_bytes()));
}

#[test]
fn repairs_skips_and_empty_traces() {
    let (g, r) = import_str(r#"[{"ph":"X","name":"a","ts":0,"dur":2}, ]"#).unwrap();
    assert_eq!(codes(&r), vec!["trailing_comma_removed"]);
    assert_eq!(stacks(&g, 0), vec!["a 2"]);
    // Other phases and events without ts are counted; pid/tid/ts may be strings.
    let (g, r) = import_str(
        r#"[{"pid":"1","tid":"2","ph":"X","name":"a","ts":"5","dur":1},{"ph":"I","name":"i","ts":1},
            {"ph":"C","name":"c","ts":1},{"ph":"B","name":"x"}]"#,
    )
    .unwrap();
    assert_eq!(profile_names(&g), vec!["pid 1, tid 2"]);
    assert_eq!(stacks(&g, 0), vec!["a 1"]);
    assert_eq!(r.skipped.get("unsupported_event"), Some(&2));
    assert_eq!(r.skipped.get("missing_timestamp"), Some(&1));
    for empty in ["[]", "[", r#"[{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"t"}}]"#] {
        assert_eq!(import_str(empty).unwrap_err().code(), "empty_profile", "{empty}");
    }
    // Cut inside an event: closing the array cannot help.
    for cut in [r#"[{"ph":"B","name":"a","ts":0},{"ph":"E","#, r#"[{"ph":"B","name":"a","ts":0},{"ph":"E"#, "[{"] {
        assert_eq!(import_str(cut).unwrap_err().code(), "truncated_input", "{cut}");
    }
    // Garbage before the missing end stays a syntax error.
    assert_eq!(
        import_str(r#"[{"ph":"B","name":"a","ts":0} x {"ph":"B","name":"a","ts":0}"#).unwrap_err().code(),
        "invalid_json"
    );
    assert_eq!(import_str(r#"{"traceEvents":[{"ph":"B","name":"a","ts":0}]"#).unwrap_err().code(), "truncated_input");
    assert_eq!(import_str(r#"{"samples":[]}"#).unwrap_err().code(), "invalid_json");
    assert_eq!(import_str(r#"[{"ph":"B","name":"a","ts":"soon"}]"#).unwrap_err().code(), "invalid_json");
    assert_eq!(import_str("nope").unwrap_err().code(), "invalid_json");
}

/// 30,000 nested B "a" at 0; at 1, 30,000 E "b" then 30,000 E "a". Every E
/// "a" is found behind the E "b"s of the same timestamp (indexed search,
/// not a scan per event), then the E "b"s find nothing open.
#[test]
fn many_simultaneous_ends() {
    let n = 30_000;
    let mut json = String::from("[");
    for _ in 0..n {
        json.push_str(r#"{"ph":"B","name":"a","ts":0},"#);
    }
    for name in ["b", "a"] {
        for _ in 0..n {
            json.push_str(&format!(r#"{{"ph":"E","name":"{name}","ts":1}},"#));
        }
    }
    json.pop();
    json.push(']');
    let (g, r) = import_str(&json).unwrap();
    let p = &g.profiles()[0];
    assert_close(p.total_weight(), 1.0);
    let (sw, tw) = weights(&g, 0, "a");
    assert_close(sw, 1.0);
    assert_close(tw, 1.0);
    assert_eq!(r.warning_count, n as u64);
    assert!(r.warnings.iter().all(|w| w.code == "unmatched_end_event"));
}

#[test]
fn limits_are_enforced_while_reading() {
    let bytes = corpus("trace-event/simple.json");
    // simple.json opens 4 frames: 8 events.
    assert_limit_hit(&bytes, |l| l.max_samples = 7, LimitKind::Samples);
    assert_limit_hit(&bytes, |l| l.max_frames = 3, LimitKind::Frames);
    assert_limit_hit(&bytes, |l| l.max_stack_depth = 2, LimitKind::StackDepth);
    assert_limit_hit(&corpus("trace-event/multiprocess.json"), |l| l.max_profiles = 7, LimitKind::Profiles);
    // Chrome 141 has no B/E/X events: the limit is hit by the CPU profile's samples.
    assert_limit_hit(&corpus("Chrome/141/no-arg-data.json"), |l| l.max_samples = 10, LimitKind::Samples);
}

/// Imports `rel` the way an upload is imported: with its file name.
fn import_named(rel: &str) -> ProfileGroup {
    let name = rel.rsplit('/').next().unwrap().to_owned();
    let opts = flamekit::ImportOptions { name: Some(name), ..Default::default() };
    flamekit::import_with(&corpus(rel), None, &opts).unwrap().0
}

/// speedscope names a timeline's CPU profile after the file when there is
/// one, `FILE - THREAD` when there are several (thread names from the
/// `thread_name` metadata events: pid 29018 tid 775 is `CrRendererMain`,
/// tid 7443 `DedicatedWorker thread`).
#[test]
fn timeline_profiles_are_named_after_the_file() {
    let g = import_named("Chrome/69/simple.json");
    assert_eq!(profile_names(&g), vec!["simple.json"]);
    assert_eq!(g.profile_type(), "chrome-timeline");
    let g = import_named("Chrome/70/worker.json");
    assert_eq!(profile_names(&g), vec!["worker.json - CrRendererMain", "worker.json - DedicatedWorker thread"]);
    // Traces of duration events are speedscope's `trace-event` type.
    let (g, _) = import("trace-event/simple.json");
    assert_eq!(g.profile_type(), "trace-event");
}

/// The time axis of a trace's CPU profile runs from the `Profile` event's
/// `startTime` to the last sample: `Chrome/69/simple.json` has startTime
/// 52949295179 and its ProfileChunks' `timeDeltas` sum to 283121 µs
/// (`sum(td for chunk in chunks for td in chunk.args.data.timeDeltas)`; the
/// last chunk's `ts` is 283286 µs after startTime, which agrees).
#[test]
fn cpu_profile_time_range_runs_from_start_time_to_the_last_sample() {
    let (g, _) = import("Chrome/69/simple.json");
    let p = &g.profiles()[0];
    assert_eq!(p.start_value(), 52949295179.0);
    assert_eq!(p.end_value(), 52949295179.0 + 283121.0);
    assert_close(g.duration_ms().unwrap(), 283.121);
    // Flamedeck's duration is the total weight (43568 µs, see above), rounded.
    assert_eq!(g.flamedeck_duration_ms(), Some(44.0));
}

/// Unnamed functions are labelled `(anonymous FILE:LINE)` (FILE = last
/// segment of the url, LINE = 0-based `lineNumber` + 1), derived here from
/// the raw nodes of every sampled node with an empty name and a url.
#[test]
fn anonymous_functions_are_named_by_file_and_line() {
    let bytes = corpus("Chrome/70/worker.json");
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let events = v.as_array().or_else(|| v["traceEvents"].as_array()).unwrap();
    let mut nodes = Vec::new();
    let mut sampled = std::collections::HashSet::new();
    for e in events.iter().filter(|e| e["name"] == "ProfileChunk") {
        let cp = &e["args"]["data"]["cpuProfile"];
        nodes.extend(cp["nodes"].as_array().into_iter().flatten().cloned());
        for s in cp["samples"].as_array().into_iter().flatten() {
            sampled.insert((e["id"].to_string(), s.as_i64().unwrap()));
        }
    }
    let mut expected = std::collections::BTreeSet::new();
    for e in events.iter().filter(|e| e["name"] == "ProfileChunk") {
        for n in e["args"]["data"]["cpuProfile"]["nodes"].as_array().into_iter().flatten() {
            let cf = &n["callFrame"];
            let url = cf["url"].as_str().unwrap_or("");
            // (`native dummy.js` nodes are dropped, as speedscope drops them.)
            if cf["functionName"] == ""
                && !url.is_empty()
                && url != "native dummy.js"
                && sampled.contains(&(e["id"].to_string(), n["id"].as_i64().unwrap()))
            {
                let file = url.rsplit('/').next().unwrap();
                expected.insert(format!("(anonymous {file}:{})", cf["lineNumber"].as_i64().unwrap() + 1));
            }
        }
    }
    assert!(!expected.is_empty() && !nodes.is_empty());
    let (g, _) = import("Chrome/70/worker.json");
    let names: std::collections::BTreeSet<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
    for label in &expected {
        assert!(names.contains(label.as_str()), "{label} missing");
    }
}
