//! Collapsed stacks: every file in the corpus's `stackcollapse/` folder, plus
//! hand-written inputs for weights, encodings and invalid lines.
//!
//! Expected values come from the files themselves, read with a small Python
//! script (decode UTF-16 by BOM, split lines, `^(.*\S)\s+(\d+(\.\d+)?)$`,
//! split the stack on `;`, add each weight to the last frame's self and once
//! to the total of every distinct frame of the line):
//! - simple.txt and its CRLF / UTF-16 LE / UTF-16 BE / with-invalids
//!   variants: lines `a;b;c 1`, `a;b;c 1`, `a;b;d 4`, `a;b;c 3`, `a;b 5`:
//!   a 0/14, b 5/14, c 5/5, d 4/4 (self/total), 5 samples;
//! - simple-with-invalids.txt: lines 1 (`# comment…`), 2 (`// some other
//!   comment`) and 8 (`invalid line`) are not `stack weight`;
//! - alternating.txt: 182 lines alternating `a;b 1` / `c;d 1`: b and d 91 each;
//! - recursion.txt: 10 lines of weight 1: a self 1 total 9, b self 5 total 9,
//!   c self 4 total 4 (a frame counted once per line in totals);
//! - tall.txt: one 26-frame line `a;…;z 1`;
//! - perf-vertx-stacks-01-collapsed-all.txt: 199 lines, total 285, every line
//!   starts with `java` (total 285), start_thread total 281, SpinPause 7/7,
//!   hypercall_page_[k] 23/23, `io/netty/channel/nio/NioEventLoop:.run_[j]`
//!   self 1 total 263, `oopDesc* PSPromotionManager::copy_to_survivor_space<false>`
//!   (a frame name with a space) total 1.

use flamekit::{Error, Format, ImportOptions, IngestLimits, LimitKind, Location, ValueUnit};

use crate::common::{assert_close, check, corpus, corpus_files, profile_names};

const ABCD: &[(&str, f64, f64)] = &[("a", 0.0, 14.0), ("b", 5.0, 14.0), ("c", 5.0, 5.0), ("d", 4.0, 4.0)];

#[test]
fn simple_and_its_encodings() {
    for f in ["simple.txt", "simple-crlf.txt", "simple-utf16-le.txt", "simple-utf16-be.txt", "simple-with-invalids.txt"]
    {
        let g = flamekit::import(&corpus(&format!("stackcollapse/{f}")), None).unwrap();
        assert_eq!(g.format(), "collapsed", "{f}");
        assert_eq!(profile_names(&g), vec![""], "{f}");
        let p = &g.profiles()[0];
        assert_eq!(p.unit(), ValueUnit::None);
        assert_eq!(p.sample_count(), 5, "{f}");
        assert_close(p.total_weight(), 14.0);
        check(&g, ABCD);
        // File order kept (the two first lines are the same stack, so the
        // time-ordered dump shows them as one run of 2).
        assert_eq!(flamekit::dump_stacks(&g, p), vec!["a;b;c 2", "a;b;d 4", "a;b;c 3", "a;b 5"], "{f}");
    }
    // A UTF-8 BOM is not part of the first frame name.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&corpus("stackcollapse/simple.txt"));
    let g = flamekit::import(&bom, None).unwrap();
    check(&g, ABCD);
    assert_eq!(g, flamekit::import(&corpus("stackcollapse/simple.txt"), None).unwrap());
}

#[test]
fn invalid_lines_are_counted_with_line_numbers() {
    let bytes = corpus("stackcollapse/simple-with-invalids.txt");
    let (_, report) = flamekit::import_with(&bytes, None, &ImportOptions::default()).unwrap();
    assert_eq!(report.skipped.get("invalid_line"), Some(&3));
    assert_eq!(report.skipped_total(), 3);
    assert_eq!(report.warning_count, 3);
    let lines: Vec<&Location> = report.warnings.iter().map(|w| &w.location).collect();
    assert_eq!(lines, vec![&Location::Line(1), &Location::Line(2), &Location::Line(8)]);
    assert!(report.warnings.iter().all(|w| w.code == "invalid_line"));

    // Many invalid lines: the count stays exact past the kept warnings.
    let mut text = String::new();
    for i in 0..250 {
        text.push_str(&format!("a;b {}\nnot a stack line {i}x\n\n", i + 1));
    }
    let (g, report) = flamekit::import_with(text.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 250);
    assert_eq!(report.skipped.get("invalid_line"), Some(&250));
    assert_eq!(report.warnings.len(), flamekit::ImportReport::MAX_WARNINGS);
    assert_eq!(report.warnings[0].location, Location::Line(2));
    assert_eq!(report.warnings[1].location, Location::Line(5));
    // Weights 1..=250 sum to 250*251/2.
    assert_close(g.profiles()[0].total_weight(), 31375.0);
}

#[test]
fn alternating_recursion_tall() {
    let g = flamekit::import(&corpus("stackcollapse/alternating.txt"), None).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 182);
    check(&g, &[("a", 0.0, 91.0), ("b", 91.0, 91.0), ("c", 0.0, 91.0), ("d", 91.0, 91.0)]);
    let stacks = flamekit::dump_stacks(&g, &g.profiles()[0]);
    assert_eq!(stacks.len(), 182);
    assert_eq!(&stacks[..3], &["a;b 1", "c;d 1", "a;b 1"]);

    let g = flamekit::import(&corpus("stackcollapse/recursion.txt"), None).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 10);
    check(&g, &[("a", 1.0, 9.0), ("b", 5.0, 9.0), ("c", 4.0, 4.0)]);
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0])[5], "a;b;a;b;a;b 1");

    let g = flamekit::import(&corpus("stackcollapse/tall.txt"), None).unwrap();
    assert_eq!(g.frames().len(), 26);
    check(&g, &[("a", 0.0, 1.0), ("m", 0.0, 1.0), ("z", 1.0, 1.0)]);
}

#[test]
fn perf_vertx_collapsed() {
    let g = flamekit::import(&corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt"), None).unwrap();
    assert_eq!(g.format(), "collapsed");
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 199);
    assert_close(p.total_weight(), 285.0);
    check(
        &g,
        &[
            ("java", 0.0, 285.0),
            ("start_thread", 0.0, 281.0),
            ("SpinPause", 7.0, 7.0),
            ("hypercall_page_[k]", 23.0, 23.0),
            ("io/netty/channel/nio/NioEventLoop:.run_[j]", 1.0, 263.0),
            ("oopDesc* PSPromotionManager::copy_to_survivor_space<false>", 0.0, 1.0),
        ],
    );
    assert_eq!(
        flamekit::dump_stacks(&g, p)[3],
        "java;start_thread;java_start;GCTaskThread::run;StealTask::do_it;ParallelTaskTerminator::offer_termination 5"
    );
}

#[test]
fn detection_needs_no_file_name() {
    for path in corpus_files("stackcollapse") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Collapsed, "{name}");
        let named = flamekit::import(&bytes, Some(name)).unwrap();
        assert_eq!(flamekit::import(&bytes, None).unwrap(), named, "{name}");
        assert_eq!(flamekit::import(&bytes, Some("unknown")).unwrap(), named, "{name}");
    }
}

#[test]
fn a_first_line_longer_than_the_sniff_window_is_detected() {
    // A 5,000-frame stack (about 39 KB) on the first line: the detection
    // window (16 KiB) holds only part of it, and a cut line has no weight.
    let frames: Vec<String> = (0..5000).map(|i| format!("fn_{i:04}")).collect();
    let deep = frames.join(";");
    let utf16le =
        |s: &str| -> Vec<u8> { [0xFF, 0xFE].into_iter().chain(s.encode_utf16().flat_map(u16::to_le_bytes)).collect() };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("deep line first", format!("{deep} 7\na;b 2\n").into_bytes()),
        ("after blank lines", format!("\n\n{deep} 7\na;b 2\n").into_bytes()),
        ("the only line, no newline", format!("{deep} 7").into_bytes()),
        ("utf-16", utf16le(&format!("{deep} 7\r\na;b 2\r\n"))),
    ];
    for (what, bytes) in &files {
        assert!(bytes.len() > 16 * 1024, "{what}");
        assert_eq!(flamekit::detect(bytes, None).unwrap(), Format::Collapsed, "{what}");
        let (g, _) = flamekit::import_with(bytes, None, &ImportOptions::default()).unwrap();
        let stacks = flamekit::dump_stacks(&g, &g.profiles()[0]);
        assert_eq!(stacks[0], format!("{deep} 7"), "{what}");
    }
    // A long first line that is no stack is still refused.
    let prose = format!("{} and more words\n", "word ".repeat(8000));
    assert!(flamekit::detect(prose.as_bytes(), None).is_err());
}

#[test]
fn every_prefix_of_the_small_files_imports_or_fails_typed() {
    for path in corpus_files("stackcollapse") {
        let bytes = std::fs::read(&path).unwrap();
        if bytes.len() > 4096 {
            continue;
        }
        for n in 0..=bytes.len() {
            for r in [
                flamekit::import(&bytes[..n], None),
                flamekit::import_format(Format::Collapsed, &bytes[..n], &ImportOptions::default()).map(|(g, _)| g),
            ] {
                if let Err(e) = r {
                    assert!(Error::CODES.contains(&e.code()), "{}: {e}", path.display());
                }
            }
        }
    }
}

#[test]
fn weights_floats_and_odd_lines() {
    let text = "a;b 1.5\na 2.25\n\n  \r\na;b 3e0\nx;y\t4\nlead ;trail  5  \n";
    let (g, report) = flamekit::import_with(text.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 5);
    assert_close(p.total_weight(), 1.5 + 2.25 + 3.0 + 4.0 + 5.0);
    check(&g, &[("a", 2.25, 6.75), ("b", 4.5, 4.5), ("y", 4.0, 4.0), ("lead ", 0.0, 5.0), ("trail", 5.0, 5.0)]);

    // Not `stack weight`: no weight, negative, not a number, infinite, empty stack.
    let bad = "a;b\na -1\na 1x\na inf\na 1e999\n 7\na;b 2\n";
    // (Mostly invalid, so detection would not call it collapsed: import as collapsed.)
    let (g, report) = flamekit::import_format(Format::Collapsed, bad.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 1);
    assert_eq!(report.skipped.get("invalid_line"), Some(&6));

    // Nothing valid at all: a typed error, not an empty success.
    let e = flamekit::import_format(Format::Collapsed, b"# nothing\n", &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "empty_profile");
}

#[test]
fn prefix_reuse_never_mixes_stacks() {
    // Lines share prefixes, diverge and come back; names that are prefixes of
    // one another must stay distinct frames.
    let text = "a;b;c 1\na;x;c 2\na;b;c 3\nab;c 4\na;bc 5\na;b 6\na;b;c;d 7\na 8\n";
    let g = flamekit::import(text.as_bytes(), None).unwrap();
    assert_eq!(
        flamekit::dump_stacks(&g, &g.profiles()[0]),
        vec!["a;b;c 1", "a;x;c 2", "a;b;c 3", "ab;c 4", "a;bc 5", "a;b 6", "a;b;c;d 7", "a 8"]
    );
    check(
        &g,
        &[("a", 8.0, 32.0), ("b", 6.0, 17.0), ("c", 10.0, 17.0), ("d", 7.0, 7.0), ("bc", 5.0, 5.0), ("ab", 0.0, 4.0)],
    );
}

#[test]
fn names_and_limits() {
    let bytes = corpus("stackcollapse/simple.txt");
    let opts = ImportOptions { name: Some("mine".into()), ..Default::default() };
    let (g, _) = flamekit::import_with(&bytes, None, &opts).unwrap();
    assert_eq!(g.name(), "mine");
    assert_eq!(profile_names(&g), vec!["mine"]);

    let tall = corpus("stackcollapse/tall.txt");
    let opts =
        ImportOptions { limits: IngestLimits { max_stack_depth: 25, ..Default::default() }, ..Default::default() };
    match flamekit::import_with(&tall, None, &opts) {
        Err(Error::LimitExceeded { limit: LimitKind::StackDepth, .. }) => {}
        other => panic!("{other:?}"),
    }
    let opts = ImportOptions { limits: IngestLimits { max_samples: 4, ..Default::default() }, ..Default::default() };
    match flamekit::import_with(&bytes, None, &opts) {
        Err(Error::LimitExceeded { limit: LimitKind::Samples, .. }) => {}
        other => panic!("{other:?}"),
    }
    let opts = ImportOptions { limits: IngestLimits { max_frames: 3, ..Default::default() }, ..Default::default() };
    match flamekit::import_with(&bytes, None, &opts) {
        Err(Error::LimitExceeded { limit: LimitKind::Frames, .. }) => {}
        other => panic!("{other:?}"),
    }
}

/// Names exactly as long as `max_name_bytes` (kept whole, but looked up,
/// as a cut name could equal them) between runs of new names: every name
/// is one frame of its own, in first-use order, and the weights are the
/// file's, on one thread and on four. (Such names once made the group's
/// frame tables be built anew for each of them: quadratic in the file.)
#[test]
fn names_at_the_length_limit_between_new_names() {
    let max = 24usize;
    let mut text = String::new();
    let mut expected = Vec::new();
    for k in 0..400 {
        for i in 0..30 {
            let name = format!("fn_{k}_{i}");
            text.push_str(&format!("main;{name} 1\n"));
            expected.push(name);
        }
        let at_limit = format!("{k:L>max$}");
        assert_eq!(at_limit.len(), max);
        text.push_str(&format!("main;{at_limit} 2\n"));
        expected.push(at_limit);
    }
    let limits = IngestLimits { max_name_bytes: max as u64, ..Default::default() };
    let mut exports = Vec::new();
    for threads in [1, 4] {
        let opts = ImportOptions { limits, threads, ..Default::default() };
        let (g, _) = flamekit::import_with(text.as_bytes(), Some("at-limit.txt"), &opts).unwrap();
        let names: Vec<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names[0], "main", "{threads} threads");
        assert_eq!(names[1..], expected.iter().map(String::as_str).collect::<Vec<_>>()[..], "{threads} threads");
        assert_eq!(g.profiles()[0].total_weight(), 400.0 * 30.0 + 400.0 * 2.0, "{threads} threads");
        exports.push(flamekit::to_speedscope_json(&g).unwrap());
    }
    assert_eq!(exports[0], exports[1], "the same group on 1 and 4 threads");
}

#[test]
fn shared_prefixes_end_at_frame_boundaries() {
    // A stack is compared with the one before byte by byte, eight bytes at
    // a time: frames longer than eight bytes, stacks that differ inside
    // a frame, end where the other goes on, or hold empty frames.
    let lines = [
        "abcdefghij;klmnopqrstu;v 1",
        "abcdefghij;klmnopqrstu 2",
        "abcdefghij;klmnopqrstu;v;w 3",
        "abcdefghij;klmnopqrstuv 4",
        "abcdefghij;klmnopqrst 5",
        "abcdefghijk;lmnopqrstu 6",
        "abcdefghij 7",
        "abcdefghi 8",
        ";x 9",
        ";y 10",
        ";;y 11",
        "a; 12",
        "a;; 13",
        "a;;b 14",
        "a; 15",
    ];
    let text = lines.join("\n");
    for threads in [1, 4] {
        let opts = ImportOptions { threads, ..Default::default() };
        let (g, _) = flamekit::import_with(text.as_bytes(), None, &opts).unwrap();
        assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), lines, "{threads} thread(s)");
    }
}

proptest::proptest! {
    /// Any lines over a few names that are prefixes of one another (empty
    /// ones too) import as the stacks they spell, in file order (a run of
    /// equal stacks is one entry of the dump, its weights added).
    #[test]
    fn stacks_are_the_lines_they_spell(
        stacks in proptest::collection::vec(
            proptest::collection::vec(
                proptest::sample::select(vec!["", "a", "ab", "b", "abcdefgh", "abcdefghi", "abcdefghijklmnopq"]),
                1..7,
            ),
            1..40,
        )
    ) {
        // A stack of one empty name would be a line with no stack: left out.
        let stacks: Vec<String> = stacks.iter().map(|s| s.join(";")).filter(|s| !s.is_empty()).collect();
        proptest::prop_assume!(!stacks.is_empty());
        let text: Vec<String> = stacks.iter().map(|s| format!("{s} 1")).collect();
        let mut expected: Vec<(String, u32)> = Vec::new();
        for s in &stacks {
            match expected.last_mut() {
                Some((last, n)) if last == s => *n += 1,
                _ => expected.push((s.clone(), 1)),
            }
        }
        let expected: Vec<String> = expected.iter().map(|(s, n)| format!("{s} {n}")).collect();
        // As collapsed stacks whatever detection would say of such lines.
        let (g, _) = flamekit::import_format(Format::Collapsed, text.join("\n").as_bytes(), &ImportOptions::default())
            .unwrap();
        proptest::prop_assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), expected);
    }
}
