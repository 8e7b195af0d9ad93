//! GHC profiles: the corpus's `haskell/simple.prof` (JSON, `+RTS -pj`) and a
//! small text report (`+RTS -P` and `-p`) written here.
//!
//! Expected values for `simple.prof` were summed from the file's
//! `profile` tree with python's json module: the header says
//! `total_ticks` 798, `tick_interval` 1000 µs and `total_alloc`
//! 1,921,672,664, and the tree's ticks and allocs add up to exactly those.
//! Per cost centre (self = sum of the node values, total = sum over the
//! subtrees of its outermost nodes):
//! Main.make ticks 406 / 409, alloc 1,512,575,520 / 1,512,575,520;
//! Main.check ticks 320 / 320, alloc 406,149,056; GC.GC ticks 46;
//! Main.sumT.a ticks 3 / 369, alloc 1,397,760 / 945,818,112;
//! Main.main ticks 0 / 733, alloc 32 / 1,921,591,544; MAIN.MAIN alloc 648.
//! One tick is 1000 µs = 1 ms.

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, corpus_files, profile_names, weights};

#[test]
fn json_profile_time_and_allocation() {
    let (g, report) = flamekit::import_with(&corpus("haskell/simple.prof"), None, &ImportOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "haskell");
    assert_eq!(g.name(), "binary-trees");
    assert_eq!(profile_names(&g), vec!["time", "allocation"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Milliseconds);
    assert_eq!(g.profiles()[1].unit(), ValueUnit::Bytes);
    assert_close(g.profiles()[0].total_weight(), 798.0);
    assert_close(g.profiles()[1].total_weight(), 1_921_672_664.0);
    for (name, s, t) in [
        ("Main.make", 406.0, 409.0),
        ("Main.check", 320.0, 320.0),
        ("GC.GC", 46.0, 46.0),
        ("Main.sumT.a", 3.0, 369.0),
        ("Main.main", 0.0, 733.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    for (name, s, t) in [
        ("Main.make", 1_512_575_520.0, 1_512_575_520.0),
        ("Main.check", 406_149_056.0, 406_149_056.0),
        ("Main.sumT.a", 1_397_760.0, 945_818_112.0),
        ("Main.main", 32.0, 1_921_591_544.0),
        ("MAIN.MAIN", 648.0, 1_921_672_664.0),
    ] {
        let (self_w, total_w) = weights(&g, 1, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    // Source locations become the frame's file; `<built-in>` does not.
    let file_of = |n: &str| g.frames().iter().find(|f| f.name == n).unwrap().file.clone();
    assert_eq!(file_of("Main.make").as_deref(), Some("src/Main.hs:(61,1)-(63,26)"));
    assert_eq!(file_of("MAIN.MAIN"), None);
}

#[test]
fn detection_picks_haskell_for_its_files_only() {
    assert_detects_exactly(Format::Haskell, |rel| rel.starts_with("haskell/"));
    // The `.prof` extension is shared with pprof: the content decides.
    for path in corpus_files("haskell") {
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(flamekit::detect(&bytes, Some("simple.prof")).unwrap(), Format::Haskell, "{}", path.display());
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus("haskell/simple.prof");
    // Every prefix near both ends, every 29th in between (27 KB file).
    for n in (0..=bytes.len()).filter(|n| *n < 1024 || bytes.len() - n < 1024 || n % 29 == 0) {
        if let Err(e) = flamekit::import_format(Format::Haskell, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()), "[..{n}]: {e}");
        }
    }
    for n in 0..=TEXT_P.len() {
        if let Err(e) = flamekit::import_format(Format::Haskell, &TEXT_P.as_bytes()[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()), "text[..{n}]: {e}");
        }
    }
}

#[test]
fn deep_json_tree_is_read_iteratively() {
    // 5,000 nested nodes (far beyond any recursion-based JSON reader's
    // default limit), each with 1 tick; the innermost has 1 tick too.
    let depth = 5000;
    let mut s = String::from(
        r#"{"total_ticks":5000,"tick_interval":1000,"cost_centres":[{"id":1,"label":"f","module":"M","src_loc":"<built-in>"}],"profile":"#,
    );
    for _ in 0..depth {
        s.push_str(r#"{"id":1,"ticks":1,"alloc":0,"entries":1,"children":["#);
    }
    for _ in 0..depth {
        s.push_str("]}");
    }
    s.push('}');
    let g = flamekit::import(s.as_bytes(), None).unwrap();
    assert_eq!(g.format(), "haskell");
    let (self_w, total_w) = weights(&g, 0, "M.f");
    assert_close(self_w, depth as f64);
    assert_close(total_w, depth as f64);
    let opts = ImportOptions {
        limits: flamekit::IngestLimits { max_stack_depth: 100, ..Default::default() },
        ..Default::default()
    };
    let e = flamekit::import_format(Format::Haskell, s.as_bytes(), &opts).unwrap_err();
    assert_eq!(e.code(), "limit_exceeded");
}

/// A text report in the `+RTS -P` layout (individual ticks and bytes
/// columns), shortened by hand; `<no location info>` holds spaces.
const TEXT_P: &str = "\tThu Oct 25 10:51 2018 Time and Allocation Profiling Report  (Final)

\t   demo +RTS -P -RTS

\ttotal time  =        0.10 secs   (100 ticks @ 1000 us, 1 processor)
\ttotal alloc =       1,000 bytes  (excludes profiling overheads)

COST CENTRE MODULE SRC                %time %alloc  ticks     bytes

work        Main   src/Main.hs:5:1-9   70.0   60.0     70       600

                                                                   individual      inherited
COST CENTRE  MODULE  SRC                  no.  entries  %time %alloc   %time %alloc  ticks  bytes

MAIN         MAIN    <built-in>            10        0   10.0   10.0   100.0  100.0     10    100
 main        Main    src/Main.hs:3:1-9     11        1    0.0    0.0    90.0   90.0      0      0
  work       Main    src/Main.hs:5:1-9     12        2   70.0   60.0    70.0   60.0     70    600
  helper     Main    <no location info>    13        1   20.0   30.0    20.0   30.0     20    300
";

#[test]
fn text_report_with_ticks_and_bytes() {
    // Individual columns: MAIN 10 ticks / 100 bytes, main 0 / 0, work 70 /
    // 600, helper 20 / 300. 1 tick = 1000 µs = 1 ms.
    let g = flamekit::import(TEXT_P.as_bytes(), Some("demo.prof")).unwrap();
    assert_eq!(g.format(), "haskell");
    assert_eq!(g.name(), "demo");
    assert_eq!(profile_names(&g), vec!["time", "allocation"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Milliseconds);
    for (name, s, t, bs, bt) in [
        ("MAIN.MAIN", 10.0, 100.0, 100.0, 1000.0),
        ("Main.main", 0.0, 90.0, 0.0, 900.0),
        ("Main.work", 70.0, 70.0, 600.0, 600.0),
        ("Main.helper", 20.0, 20.0, 300.0, 300.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
        let (self_w, total_w) = weights(&g, 1, name);
        assert_close(self_w, bs);
        assert_close(total_w, bt);
    }
    assert_eq!(
        flamekit::dump_stacks(&g, &g.profiles()[0]),
        vec!["MAIN.MAIN;Main.main;Main.work 70", "MAIN.MAIN;Main.main;Main.helper 20", "MAIN.MAIN 10"]
    );
}

#[test]
fn text_report_with_percentages_only() {
    // `-p` layout: no ticks/bytes columns, so time = %time × 200 ticks / 100
    // and allocation = %alloc × 2,000 bytes / 100: work 75% → 150 ms and
    // 50% → 1000 bytes; MAIN 25% → 50 ms, 50% → 1000 bytes.
    let text = "\tTime and Allocation Profiling Report  (Final)

\t   pct +RTS -p -RTS

\ttotal time  =        0.20 secs   (200 ticks @ 1000 us, 1 processor)
\ttotal alloc =       2,000 bytes  (excludes profiling overheads)

COST CENTRE  MODULE  SRC    no.  entries  %time %alloc   %time %alloc

MAIN         MAIN    <built-in>   1   0   25.0   50.0   100.0  100.0
 work        Main    src/W.hs:1:1  2   1   75.0   50.0    75.0   50.0
";
    let g = flamekit::import(text.as_bytes(), None).unwrap();
    let (s, t) = weights(&g, 0, "Main.work");
    assert_close(s, 150.0);
    assert_close(t, 150.0);
    let (s, t) = weights(&g, 1, "MAIN.MAIN");
    assert_close(s, 1000.0);
    assert_close(t, 2000.0);
}
