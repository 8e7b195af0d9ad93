//! callgrind: every file in the corpus's `callgrind/` folder, plus small
//! synthetic inputs for the parts of the format the corpus does not cover.
//!
//! Hand derivation for `callgrind.example.log` (and its name-compression
//! and subposition-compression spellings, which encode the same numbers):
//! main has self cost 20 and calls func1 (inclusive 400) and func2
//! (inclusive 400), so main's graph total is 820; func1 has self 100 and
//! calls func2 (300), total 400; func2 has self 700. main is the only
//! function nobody calls, so it is the root with weight 820: func1 gets
//! 820 × 400/820 = 400 and, inside it, func2 gets 400 × 300/400 = 300;
//! main→func2 gets 400. Self weights: main 20, func1 100, func2 300+400 =
//! 700; totals: main 820, func1 400, func2 700.
//!
//! In the subposition file, `* 400` repeats line 16 with cost 400, `* *`
//! repeats both, `+35 -300` is line 16+35 = 51 with cost 400−300 = 100
//! (a relative cost), `* 300` is 300 and `-31 +400` is line 20 with cost
//! 300+400 = 700: the same graph.

use flamekit::{Error, Format, ImportOptions, IngestLimits, LimitKind, Location, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, corpus_files, profile_names, weights};

fn check_example(g: &flamekit::ProfileGroup) {
    assert_eq!(g.format(), "callgrind");
    assert_eq!(profile_names(g), vec!["Instructions"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::None);
    for (name, s, t) in [("main", 20.0, 820.0), ("func1", 100.0, 400.0), ("func2", 700.0, 700.0)] {
        let (self_w, total_w) = weights(g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    assert_eq!(
        flamekit::dump_stacks(g, p),
        vec!["main;func1;func2 300", "main;func1 100", "main;func2 400", "main 20"]
    );
    // Frames carry their source file: func2 is defined under fl=file2.c.
    let func2 = g.frames().iter().find(|f| f.name == "func2").unwrap();
    assert_eq!(func2.file.as_deref(), Some("file2.c"));
    let main = g.frames().iter().find(|f| f.name == "main").unwrap();
    assert_eq!(main.file.as_deref(), Some("file1.c"));
}

#[test]
fn example_name_and_subposition_compression() {
    for f in [
        "callgrind/callgrind.example.log",
        "callgrind/callgrind.name-compression.log",
        "callgrind/callgrind.subposition-compression.log",
    ] {
        let (g, report) = flamekit::import_with(&corpus(f), None, &ImportOptions::default()).unwrap();
        check_example(&g);
        assert!(report.is_clean(), "{f}: {report:?}");
    }
}

#[test]
fn multiple_event_types_give_one_profile_each() {
    // `events: Time_(10ns) Memory_(bytes)`: cost lines carry two costs.
    // Time column: the same graph as the example (20, 400, 400 | 100, 300 |
    // 700) in units of 10 ns, so every weight is ×10 in nanoseconds.
    // Memory column: main self 15000, main→func1 20000, main→func2 3000
    // (total 38000); func1 self 15000, func1→func2 5000 (total 20000);
    // func2 self 8000. Tree: func1 node 38000 × 20000/38000 = 20000, its
    // func2 20000 × 5000/20000 = 5000; main's func2 3000; so func2 self =
    // 5000 + 3000 = 8000, func1 self 15000, main self 15000.
    let g = flamekit::import(&corpus("callgrind/callgrind.multiple-event-types.log"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["Time", "Memory"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Nanoseconds);
    assert_eq!(g.profiles()[1].unit(), ValueUnit::Bytes);
    for (name, s, t) in [("main", 200.0, 8200.0), ("func1", 1000.0, 4000.0), ("func2", 7000.0, 7000.0)] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    for (name, s, t) in [("main", 15000.0, 38000.0), ("func1", 15000.0, 20000.0), ("func2", 8000.0, 8000.0)] {
        let (self_w, total_w) = weights(&g, 1, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    assert_close(g.profiles()[1].total_weight(), 38000.0);
}

#[test]
fn callee_file_resets_after_each_call() {
    // alpha (alpha.c): self 10, calls beta (cfl=beta.c) 10, gamma 10,
    // delta 20 → total 50. `cfl=beta.c` holds for the first call only, so
    // gamma and delta are the alpha.c functions defined below. delta: self
    // 10, calls gamma 10 → total 20. gamma: self 10. beta (beta.c): self 10.
    // Tree from alpha (50): beta 10, gamma 10, delta 20 (its gamma 10, self
    // 10), alpha self 50−40 = 10. gamma self = 10 + 10 = 20.
    let g = flamekit::import(&corpus("callgrind/callgrind.cfn-reset.log"), None).unwrap();
    for (name, s, t) in [("alpha", 10.0, 50.0), ("beta", 10.0, 10.0), ("gamma", 20.0, 20.0), ("delta", 10.0, 20.0)] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let gamma: Vec<_> = g.frames().iter().filter(|f| f.name == "gamma").collect();
    assert_eq!(gamma.len(), 1);
    assert_eq!(gamma[0].file.as_deref(), Some("alpha.c"));
}

#[test]
fn detection_picks_callgrind_for_its_files_only() {
    assert_detects_exactly(Format::Callgrind, |rel| rel.starts_with("callgrind/"));
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for path in corpus_files("callgrind") {
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..=bytes.len() {
            if let Err(e) = flamekit::import_format(Format::Callgrind, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{}[..{n}]: {e}", path.display());
            }
        }
    }
}

#[test]
fn positions_hex_jumps_demangling_and_invalid_lines() {
    // Two position columns (instr line); costs in hex; jump lines carry no
    // cost; `fn=` names are mangled. Line 9 is garbage, line 10 uses an
    // undefined compressed name: both skipped, nothing else.
    let input = b"# callgrind format\n\
positions: instr line\n\
events: Ir\n\
fn=(1) _ZN3foo3barEv\n\
0x10 3 0x10\n\
+2 * 4\n\
jump=1 0x10 3\n\
* *\n\
this is not a callgrind line\n\
fn=(7)\n\
cfn=(2) _ZN3foo3bazEv\n\
calls=2 0x40 9\n\
+4 +1 30\n\
fn=(2)\n\
0x40 9 30\n";
    let (g, report) = flamekit::import_with(input, None, &ImportOptions::default()).unwrap();
    // foo::bar(): self 0x10 + 4 = 20 (the `* *` line after the jump has
    // positions only, so cost 0); calls foo::baz() with inclusive 30.
    let (s, t) = weights(&g, 0, "foo::bar()");
    assert_close(s, 20.0);
    assert_close(t, 50.0);
    let (s, t) = weights(&g, 0, "foo::baz()");
    assert_close(s, 30.0);
    assert_close(t, 30.0);
    assert_eq!(report.skipped.get("invalid_line"), Some(&2));
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![Location::Line(9), Location::Line(10)]);
}

#[test]
fn cycles_do_not_loop_and_keep_weight() {
    // main (self 1) calls a (inclusive 10); a (self 4) calls b (6); b (self
    // 3) calls a (3, recursion). Graph totals: main 11, a 10, b 6. Tree: a
    // gets 10; inside it b gets 10 × 6/10 = 6; b's call back into a is on
    // the path already, so b keeps 6 − 0 as self; a keeps 10 − 6 = 4.
    // Then x and y call each other and nobody else calls them: a cycle with
    // no entry, which still becomes a root (x first seen), weight 5+2.
    let input = b"events: Ir\nfn=main\n1 1\ncfn=a\ncalls=1 1\n1 10\nfn=a\n1 4\ncfn=b\ncalls=1 1\n1 6\n\
fn=b\n1 3\ncfn=a\ncalls=1 1\n1 3\nfn=x\n1 5\ncfn=y\ncalls=1 1\n1 2\nfn=y\n1 2\ncfn=x\ncalls=1 1\n1 1\n";
    let g = flamekit::import(input, None).unwrap();
    assert_eq!(g.format(), "callgrind");
    let (s, t) = weights(&g, 0, "main");
    assert_close(s, 1.0);
    assert_close(t, 11.0);
    let (s, t) = weights(&g, 0, "a");
    assert_close(s, 4.0);
    assert_close(t, 10.0);
    let (s, t) = weights(&g, 0, "b");
    assert_close(s, 6.0);
    assert_close(t, 6.0);
    // x: graph total 5 + 2 = 7; y gets 7 × 2/7 = 2 (its call back to x is a
    // cycle, so y keeps it all), x self 5.
    let (s, t) = weights(&g, 0, "x");
    assert_close(s, 5.0);
    assert_close(t, 7.0);
    let (s, t) = weights(&g, 0, "y");
    assert_close(s, 2.0);
    assert_close(t, 2.0);
    assert_close(g.profiles()[0].total_weight(), 18.0);
}

#[test]
fn typed_errors_and_limits() {
    let e = flamekit::import_format(Format::Callgrind, b"fn=main\n1 2\n", &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    let e =
        flamekit::import_format(Format::Callgrind, b"events: A\nevents: B\n", &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
    let opts = ImportOptions { limits: IngestLimits { max_frames: 2, ..Default::default() }, ..Default::default() };
    let e = flamekit::import_format(Format::Callgrind, &corpus("callgrind/callgrind.example.log"), &opts).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { limit: LimitKind::Frames, .. }), "{e}");
}

/// `callers` functions `p0`, `p1`, … called by `main` (inclusive cost
/// `chain` each), each calling `c0` with inclusive cost `chain`; `c{j}` has
/// self cost 1 and calls `c{j+1}` with inclusive cost `chain - 1 - j`.
fn callers_of_a_chain(callers: usize, chain: usize) -> Vec<u8> {
    let mut s = String::from("events: Ir\nfn=main\n1 1\n");
    for i in 0..callers {
        s += &format!("cfn=p{i}\ncalls=1 1\n1 {chain}\n");
    }
    for i in 0..callers {
        s += &format!("fn=p{i}\ncfn=c0\ncalls=1 1\n1 {chain}\n");
    }
    for j in 0..chain {
        s += &format!("fn=c{j}\n1 1\n");
        if j + 1 < chain {
            s += &format!("cfn=c{}\ncalls=1 1\n1 {}\n", j + 1, chain - 1 - j);
        }
    }
    s.into_bytes()
}

/// A chain called from many callers is a tree of callers × chain nodes
/// from a file that writes each call once: the tree is bounded by
/// `max_stack_nodes`. Here (60 callers of a chain of 60): main has total
/// 1 + 60 × 60; each `p{i}` gets 60 and gives it all to `c0`, and `c{j}`
/// under it gets 60 − j, all far above the pruning threshold (1/10,000 of
/// main's total): 1 + 60 × 61 = 3,661 tree nodes, and one sample of
/// weight 1 for each node with self cost (main and every `c{j}`: 1 +
/// 3,600; weights are not rounded, so a `p{i}` may keep a remainder of the
/// order of 1e-14 as a sample of its own).
#[test]
fn the_call_tree_of_a_chain_under_many_callers_is_bounded() {
    let bytes = callers_of_a_chain(60, 60);
    let with = |max_stack_nodes| ImportOptions {
        limits: IngestLimits { max_stack_nodes, ..Default::default() },
        ..Default::default()
    };
    let (g, _) = flamekit::import_format(Format::Callgrind, &bytes, &with(3_661)).unwrap();
    let flamekit::ProfileData::Sampled { weights, .. } = g.profiles()[0].data() else { panic!("sampled") };
    assert_eq!(weights.iter().filter(|&&w| w > 1e-9).count(), 1 + 3_600);
    assert!(weights.iter().all(|&w| w < 1e-9 || (w - 1.0).abs() < 1e-9), "{weights:?}");
    assert_close(g.profiles()[0].total_weight(), 1.0 + 3_600.0);
    let e = flamekit::import_format(Format::Callgrind, &bytes, &with(3_660)).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { limit: LimitKind::StackNodes, max: 3_660, .. }), "{e}");
}
