//! FreeBSD `pmcstat -G`: every file in the corpus's `pmcstat/` folder.
//!
//! Hand derivation from `simple.txt` (the tree is inverted: an unindented
//! entry is where samples were taken, indented entries are its callers):
//! * `zfs_lz4_compress [7447]` has a single caller chain of [7447] entries
//!   ending in `fork_exit`: one stack of weight 7447.
//! * `fletcher_2_native [5156]`: its only listed caller `arc_cksum_verify`
//!   has [2610], so 5156 − 2610 = 2546 samples stop at fletcher_2_native;
//!   arc_cksum_verify keeps 2610 − 1723 (arc_buf_thaw) = 887, arc_buf_thaw
//!   1723 − 1490 = 233, dmu_buf_will_dirty_impl 1490 − 1489 − 1 = 0; the
//!   [1489] chain ends in amd64_syscall and the [1] chain in fork_exit.
//! * Totals: zfs_lz4_compress 7447 (self 7447), fletcher_2_native 5156
//!   (self 5156), arc_cksum_verify 2610, fork_exit 7447 + 1 = 7448 (it is
//!   the outermost frame of two stacks); the profile's total is
//!   7447 + 5156 = 12603.
//!
//! `simple-with-invalids.txt` is the same data plus `# comment ok` (line 3,
//! a comment), `// ignored` (line 4) and `invalid line` (line 38): the two
//! non-comment lines are skipped and reported.

use flamekit::{Error, Format, ImportOptions, Location, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, corpus_files, profile_names, weights};

fn check_simple(g: &flamekit::ProfileGroup) {
    assert_eq!(g.format(), "pmcstat");
    assert_eq!(profile_names(g), vec!["inst_retired.any"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::None);
    assert_close(p.total_weight(), 12603.0);
    for (name, s, t) in [
        ("zfs_lz4_compress", 7447.0, 7447.0),
        ("fletcher_2_native", 5156.0, 5156.0),
        ("arc_cksum_verify", 0.0, 2610.0),
        ("arc_buf_thaw", 0.0, 1723.0),
        ("dmu_buf_will_dirty_impl", 0.0, 1490.0),
        ("fork_exit", 0.0, 7448.0),
        ("amd64_syscall", 0.0, 1489.0),
        ("txg_sync_thread", 0.0, 1.0),
    ] {
        let (self_w, total_w) = weights(g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let stacks = flamekit::dump_stacks(g, p);
    assert_eq!(stacks.len(), 6);
    assert_eq!(
        stacks[0],
        "fork_exit;taskqueue_thread_loop;taskqueue_run_locked;zio_execute;zio_write_compress;zio_compress_data;\
zfs_lz4_compress 7447"
    );
    assert_eq!(
        &stacks[3..],
        [
            "arc_buf_thaw;arc_cksum_verify;fletcher_2_native 233",
            "arc_cksum_verify;fletcher_2_native 887",
            "fletcher_2_native 2546"
        ]
    );
    // `@ image` carries over to the lines below it until the next one.
    let file_of = |n: &str| g.frames().iter().find(|f| f.name == n).unwrap().file.clone();
    assert_eq!(file_of("zio_compress_data").as_deref(), Some("/boot/kernel/zfs.ko"));
    assert_eq!(file_of("taskqueue_thread_loop").as_deref(), Some("/boot/kernel/kernel"));
    assert_eq!(file_of("dmu_write").as_deref(), Some("/boot/kernel/zfs.ko"));
}

#[test]
fn simple() {
    let (g, report) = flamekit::import_with(&corpus("pmcstat/simple.txt"), None, &ImportOptions::default()).unwrap();
    check_simple(&g);
    assert!(report.is_clean(), "{report:?}");
}

#[test]
fn invalid_lines_are_skipped_and_counted() {
    let (g, report) =
        flamekit::import_with(&corpus("pmcstat/simple-with-invalids.txt"), None, &ImportOptions::default()).unwrap();
    check_simple(&g);
    assert_eq!(report.skipped_total(), 2);
    assert_eq!(report.skipped.get("invalid_line"), Some(&2));
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![Location::Line(4), Location::Line(38)]);
}

#[test]
fn detection_picks_pmcstat_for_its_files_only() {
    assert_detects_exactly(Format::Pmcstat, |rel| rel.starts_with("pmcstat/"));
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for path in corpus_files("pmcstat") {
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..=bytes.len() {
            if let Err(e) = flamekit::import_format(Format::Pmcstat, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{}[..{n}]: {e}", path.display());
            }
        }
    }
}

#[test]
fn sections_orphans_and_demangling() {
    // Two event sections. In the first, `b` (line 4) is indented two steps
    // under `a`, so it and its caller `c` (line 5) are skipped; `a` keeps
    // its 5 samples. The second section's entry is a mangled C++ name.
    // (No `\` line continuations: they would eat the indentation.)
    let input = [
        "@ cycles [7 samples]",
        "",
        "100.0%  [5]  a @ /bin/x",
        "  100.0%  [5]  b",
        "   100.0%  [5]  c",
        "",
        "@ instructions [2 samples]",
        "100.0%  [2]  _ZN3foo3barEv @ /bin/x",
    ]
    .join("\n");
    let input = input.as_bytes();
    let (g, report) = flamekit::import_with(input, None, &ImportOptions::default()).unwrap();
    assert_eq!(g.format(), "pmcstat");
    assert_eq!(profile_names(&g), vec!["cycles", "instructions"]);
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["a 5"]);
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[1]), vec!["foo::bar() 2"]);
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![Location::Line(4), Location::Line(5)]);
    assert_eq!(report.skipped.get("invalid_line"), Some(&2));
}

/// `PmcstatSamples::Leaves` reproduces speedscope's reading: only the paths
/// printed down to a last caller count, each with that caller's count. In
/// `simple.txt` those are the zfs_lz4_compress chain (7447) and the two
/// chains under dmu_buf_will_dirty_impl ([1489] and [1]): 8937 in all, of
/// which 1490 pass through fletcher_2_native (see the derivation above).
#[test]
fn leaves_switch_reproduces_speedscope() {
    let opts = ImportOptions { pmcstat_samples: flamekit::PmcstatSamples::Leaves, ..Default::default() };
    let (g, _) = flamekit::import_with(&corpus("pmcstat/simple.txt"), None, &opts).unwrap();
    let p = &g.profiles()[0];
    assert_close(p.total_weight(), 8937.0);
    for (name, s, t) in [
        // Unindented entries are the innermost frames: their paths' self weight.
        ("zfs_lz4_compress", 7447.0, 7447.0),
        ("fletcher_2_native", 1490.0, 1490.0),
        ("arc_cksum_verify", 0.0, 1490.0),
        ("fork_exit", 0.0, 7448.0),
        ("amd64_syscall", 0.0, 1489.0),
    ] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
    assert_eq!(g.profile_type(), "pmcstat", "speedscope has no name for it: flamekit's id");
}
