//! Instruments deep copies: every `*-deep-copy.txt` in the corpus's
//! `Instruments/` folder (the `.trace.zip` bundles are another format).
//!
//! Expected values are read off the files (each row: total, self, depth by
//! indentation, symbol). A frame's self weight is the sum of its rows'
//! self cells; its total is the sum of the self cells of every row in the
//! subtrees of its outermost rows (the files' own total cells agree with
//! these up to their display rounding, e.g. `2.45 s` for 2451 ms).

use flamekit::{Error, Format, ImportOptions, Location, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, corpus_files, profile_names, weights};

#[test]
fn time_profile_7_3_1() {
    // `Running Time` / `Self (ms)` (bare numbers in ms). delta(): one row,
    // self 693, subtree 693 + alpha() 713 + beta() 711 + leakMemory() 9 =
    // 2126 (= its `2126.0ms`). alpha(): two rows with self 696 and 715
    // (1411); outermost totals 713 + 725 = 1438. start: 4273.0ms, self 0.
    let (g, report) = flamekit::import_with(
        &corpus("Instruments/7.3.1/simple-time-profile-deep-copy.txt"),
        None,
        &Default::default(),
    )
    .unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "instruments");
    assert_eq!(profile_names(&g), vec!["Running Time"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Milliseconds);
    for (name, s, t) in [
        ("start", 0.0, 4273.0),
        ("delta()", 693.0, 2126.0),
        ("alpha()", 1411.0, 1438.0),
        ("_kernelrpc_mach_vm_map_trap", 2.0, 2.0),
        ("_os_lock_spin_lock", 14.0, 14.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    assert_close(g.profiles()[0].total_weight(), 4273.0);
}

#[test]
fn time_profile_16_0() {
    // `Weight` / `Self Weight` with units (`846.00 ms`, `0 s`), a UTF-8
    // figure space before the percentages, symbols indented from 3 spaces.
    // delta(): self 846, subtree selves sum to 2451 (shown `2.45 s`).
    // alpha(): rows with self 786 and 788 → 1574; outermost totals
    // 797 + 803 = 1600. beta(): 778 + 824 = 1602, totals 795 + 834 = 1629.
    let g = flamekit::import(&corpus("Instruments/16.0/simple-time-profile-deep-copy.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["Weight"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Milliseconds);
    for (name, s, t) in
        [("start", 0.0, 4930.0), ("delta()", 846.0, 2451.0), ("alpha()", 1574.0, 1600.0), ("beta()", 1602.0, 1629.0)]
    {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    // The last row has no trailing newline and is 19 levels below main.
    let (s, t) = weights(&g, 0, "_GLOBAL__sub_I_stdlib_typed_new.cpp");
    assert_close(s, 1.0);
    assert_close(t, 1.0);
}

#[test]
fn cycles_13_4() {
    // CPU counters: `Gc`/`Mc`/`Kc`/`cycles` → unitless cycles; `-` self = 0.
    // mach_absolute_time: three leaf rows 45.92 Gc + 80.45 Mc + 46.39 Gc =
    // 92,390,450,000. core::time::Duration::as_millis: 634.35 Mc + 1.00 Mc +
    // 614.22 Mc = 1,249,570,000. The first row is the process.
    let g = flamekit::import(&corpus("Instruments/13.4/cycles-example-deep-copy.txt"), None).unwrap();
    assert_eq!(g.profiles()[0].unit(), ValueUnit::None);
    let (s, t) = weights(&g, 0, "mach_absolute_time");
    assert_close(s, 92_390_450_000.0);
    assert_close(t, 92_390_450_000.0);
    let (s, t) = weights(&g, 0, "core::time::Duration::as_millis::hae6ad1b9cf7bb5ec");
    assert_close(s, 1_249_570_000.0);
    assert_close(t, 1_249_570_000.0);
    let (s, _) = weights(&g, 0, "example_app (40414)");
    assert_close(s, 0.0);
    // `532 cycles` rows: write_str (self -) → write_all (self 532 cycles).
    let (s, t) =
        weights(&g, 0, "_$LT$std..io..stdio..StdoutLock$u20$as$u20$std..io..Write$GT$::write_all::h22667d0a03b2151b");
    assert_close(s, 532.0);
    assert_close(t, 532.0);
}

#[test]
fn allocations_7_3_1() {
    // `Bytes Used` only (no self column): self = total − children's totals.
    // MB are 1024² bytes, rounded to whole bytes. Every leaf is
    // malloc_zone_malloc: 73.35 + 72.36 + 71.38 + 71.79 + 71.31 + 69.74 MB
    // → 76913050 + 75874959 + 74847355 + 75277271 + 74773955 + 73127690 =
    // 450,814,280 bytes; delta() = 73.35 + 72.36 + 71.38 = 217.09 MB so its
    // own self is 0 (227,635,364 total); gamma() 71.31 MB = 74,773,955.
    let g = flamekit::import(&corpus("Instruments/7.3.1/random-allocations-deep-copy.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["Bytes Used"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Bytes);
    for (name, s, t) in [
        ("malloc_zone_malloc", 450_814_280.0, 450_814_280.0),
        ("delta()", 0.0, 227_635_364.0),
        ("gamma()", 0.0, 74_773_955.0),
        ("main", 0.0, 450_814_280.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    assert_eq!(
        flamekit::dump_stacks(&g, &g.profiles()[0])[0],
        "start;main;delta();alpha();leakMemory();malloc;malloc_zone_malloc 76913050"
    );
}

#[test]
fn detection_picks_instruments_for_deep_copies_only() {
    assert_detects_exactly(Format::Instruments, |rel| {
        rel.starts_with("Instruments/") && rel.ends_with("-deep-copy.txt")
    });
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for path in corpus_files("Instruments") {
        if !path.to_string_lossy().ends_with(".txt") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..=bytes.len() {
            if let Err(e) = flamekit::import_format(Format::Instruments, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{}[..{n}]: {e}", path.display());
            }
        }
    }
}

#[test]
fn bad_rows_are_skipped_with_their_subtrees() {
    // Line 3 has no readable weight: it and its child (line 4) are skipped;
    // line 6 jumps two levels below line 5: skipped. Line 7 is fine again.
    let input = [
        "Weight\tSelf Weight\tSymbol Name",
        "10.00 ms  100%\t1.00 ms\ta",
        "oops\t1.00 ms\t b",
        "2.00 ms  20%\t2.00 ms\t  c",
        "4.00 ms  40%\t4.00 ms\t d",
        "1.00 ms  10%\t1.00 ms\t   e",
        "3.00 ms  30%\t3.00 ms\t f",
    ]
    .join("\n");
    let (g, report) = flamekit::import_with(input.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert_eq!(g.format(), "instruments");
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["a;d 4", "a;f 3", "a 1"]);
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![Location::Line(3), Location::Line(4), Location::Line(6)]);
    assert_eq!(report.skipped.get("invalid_line"), Some(&3));
    let e = flamekit::import_format(Format::Instruments, b"no header here\n", &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}
