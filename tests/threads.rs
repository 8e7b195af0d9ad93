//! `ImportOptions::threads`: importing with 1 thread and with several gives
//! the same group — byte-identical speedscope exports, the same report, the
//! same error — for every corpus file, for generated inputs of every stack
//! shape and format, and for text with invalid lines, blank lines and CRLF
//! line ends spread over many chunks.

mod common;

// One helper shared with the fuzz harness: how a trace or a CPU profile is
// put where serde reads it whole (the harness's other functions are not
// used here).
#[allow(dead_code)]
#[path = "../fuzz/src/harness.rs"]
mod harness;

use common::corpus_all;
use flamekit::{ImportOptions, IngestLimits, ProfileGroup};
use flamekit_gen::{generate, GenFormat, GenOptions, Shape};

/// Import `bytes` with `threads`; the export, the report (as debug text) or
/// the error code and message.
fn import(bytes: &[u8], name: &str, threads: usize, limits: IngestLimits) -> Result<(String, String), String> {
    let opts = ImportOptions { threads, limits, ..Default::default() };
    match flamekit::import_with(bytes, Some(name), &opts) {
        Ok((group, report)) => Ok((export(&group), format!("{report:?}"))),
        Err(e) => Err(format!("{}: {e}", e.code())),
    }
}

/// The export; on the way, `speedscope_json_len` (which counts each stack
/// node once instead of writing every sample's stack) must be its length,
/// for every corpus file and generated input here.
fn export(group: &ProfileGroup) -> String {
    let json = flamekit::to_speedscope_json(group).unwrap();
    assert_eq!(json.len() as u64, flamekit::speedscope_json_len(group), "the export's length, counted");
    json
}

#[track_caller]
fn assert_same_for_thread_counts(bytes: &[u8], name: &str, limits: IngestLimits) {
    let one = import(bytes, name, 1, limits);
    for threads in [2, 4] {
        let many = import(bytes, name, threads, limits);
        match (&one, &many) {
            (Ok((a, ra)), Ok((b, rb))) => {
                assert!(a == b, "{name}: the export with {threads} threads differs from the one with 1 thread");
                assert_eq!(ra, rb, "{name}: the report with {threads} threads differs");
            }
            (a, b) => assert_eq!(a, b, "{name}: 1 thread vs {threads} threads"),
        }
    }
}

#[test]
fn every_corpus_file_imports_the_same_on_1_and_4_threads() {
    let files = corpus_all();
    assert!(files.len() > 50, "the corpus is missing ({} files)", files.len());
    for (rel, bytes) in files {
        assert_same_for_thread_counts(bytes, rel, IngestLimits::default());
    }
}

fn generated(format: GenFormat, shape: Shape, bytes: u64) -> Vec<u8> {
    // 2,000 functions keep the pprof and speedscope function tables small
    // beside the samples (the wide shape uses 1,000,000 regardless).
    let opts = GenOptions { shape, target_bytes: bytes, functions: 2_000, ..Default::default() };
    let mut out = Vec::new();
    let stats = generate(format, &opts, &mut out).expect("generate");
    assert!(stats.samples > 0, "{format:?} {shape:?}: no sample generated");
    out
}

/// Every format `flamekit-gen` writes, with a file name for detection.
const GENERATED_FORMATS: [(GenFormat, &str); 6] = [
    (GenFormat::Collapsed, "gen.txt"),
    (GenFormat::Perf, "gen.perf.txt"),
    (GenFormat::Cpuprofile, "gen.cpuprofile"),
    (GenFormat::Trace, "gen.json"),
    (GenFormat::Speedscope, "gen.speedscope.json"),
    (GenFormat::Pprof, "gen.pb"),
];

#[test]
fn generated_inputs_of_every_shape_import_the_same_on_1_and_4_threads() {
    for shape in [Shape::Callgraph, Shape::Distinct, Shape::Wide, Shape::Deep] {
        for (format, name) in GENERATED_FORMATS {
            // Several hundred KB: text formats are cut into many chunks.
            let bytes = generated(format, shape, 600_000);
            assert_same_for_thread_counts(&bytes, &format!("{name} ({shape:?})"), IngestLimits::default());
        }
    }
}

/// An absurd thread count (a binding's `u32::MAX`, or `usize::MAX` from
/// Rust) starts at most [`ImportOptions::MAX_THREADS`] threads and sizes
/// nothing by the count asked: the same group as one thread. Before, the
/// hand-off queue was sized by it (a terabyte for `u32::MAX`, an abort) and
/// the chunk size overflowed (`usize::MAX`, a panic in debug builds).
#[test]
fn absurd_thread_counts_import_as_one_thread_does() {
    for (format, name) in GENERATED_FORMATS {
        let bytes = generated(format, Shape::Callgraph, 300_000);
        let one = import(&bytes, name, 1, IngestLimits::default());
        assert!(one.is_ok(), "{name}: {one:?}");
        for threads in [u32::MAX as usize, usize::MAX] {
            assert!(import(&bytes, name, threads, IngestLimits::default()) == one, "{name}: {threads} threads");
        }
    }
    assert_eq!(ImportOptions { threads: usize::MAX, ..Default::default() }.thread_count(), ImportOptions::MAX_THREADS);
}

/// Collapsed text with blank lines, invalid lines, CRLF line ends, a BOM
/// and a last line without a newline, over many chunks.
fn messy_collapsed() -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    let opts = GenOptions { shape: Shape::Callgraph, functions: 500, ..Default::default() };
    let mut stacks = flamekit_gen::Stacks::new(&opts, 0);
    for i in 0..20_000u32 {
        let stack: Vec<String> = stacks.next_stack().iter().map(|&f| flamekit_gen::function_name(f)).collect();
        match i % 97 {
            0 => text.push_str("# a comment line\n"),
            1 => text.push_str("\r\n"),
            2 => text.push_str("main;truncated-line-without-weight\n"),
            _ => {}
        }
        text.push_str(&stack.join(";"));
        text.push_str(&format!(" {}{}", 1 + i % 7, if i % 3 == 0 { "\r\n" } else { "\n" }));
    }
    text.push_str("main;last 2");
    text.into_bytes()
}

#[test]
fn messy_collapsed_text_imports_the_same_on_1_and_4_threads() {
    let bytes = messy_collapsed();
    assert!(bytes.len() > 1_000_000);
    assert_same_for_thread_counts(&bytes, "messy.txt", IngestLimits::default());
    // The invalid lines are reported with their line numbers in the file.
    let opts = ImportOptions { threads: 4, ..Default::default() };
    let (_, report) = flamekit::import_with(&bytes, Some("messy.txt"), &opts).expect("import");
    assert_eq!(report.skipped.get("invalid_line"), Some(&(2 * 20_000u64.div_ceil(97))));
    let first = &report.warnings[0];
    assert_eq!(first.location, flamekit::Location::Line(1), "{first:?}");
    assert_eq!(report.warnings[1].location, flamekit::Location::Line(5));
    let third = &report.warnings[2];
    // Line 1 is a comment, line 5 a truncated line; the next comment comes
    // after 97 stack lines and 3 inserted ones.
    assert_eq!(third.location, flamekit::Location::Line(101), "{third:?}");
}

/// [`messy_collapsed`] with a byte that is not UTF-8 at the start of a line
/// near the start, in the middle and near the end (so in different chunks):
/// every thread count reads it as U+FFFD, and the chunks cut after the
/// decoding give the same group as one thread.
#[test]
fn collapsed_text_with_invalid_utf8_imports_the_same_on_1_and_4_threads() {
    let mut bytes = messy_collapsed();
    for at in [bytes.len() / 10, bytes.len() / 2, bytes.len() - 200] {
        let line = at + bytes[at..].iter().position(|&b| b == b'\n').expect("a later line") + 1;
        bytes.insert(line, 0xFF);
    }
    assert!(std::str::from_utf8(&bytes).is_err());
    assert_same_for_thread_counts(&bytes, "bad-utf8.txt", IngestLimits::default());
    let (export, _) = import(&bytes, "bad-utf8.txt", 4, IngestLimits::default()).expect("import");
    assert!(export.contains('\u{FFFD}'), "the stray bytes are replaced, not dropped");
}

#[test]
fn limit_errors_are_the_same_on_1_and_4_threads() {
    let bytes = generated(GenFormat::Collapsed, Shape::Distinct, 2_000_000);
    for limits in [
        IngestLimits { max_frames: 1_000, ..IngestLimits::default() },
        IngestLimits { max_samples: 700, ..IngestLimits::default() },
        IngestLimits { max_stack_depth: 60, ..IngestLimits::default() },
        IngestLimits { max_name_bytes: 20, ..IngestLimits::default() },
    ] {
        assert_same_for_thread_counts(&bytes, "limits.txt", limits);
    }
    let one = import(&bytes, "limits.txt", 1, IngestLimits { max_frames: 1_000, ..IngestLimits::default() });
    assert!(one.is_err_and(|e| e.starts_with("limit_exceeded")));
}

/// `perf script` text with invalid lines inside call chains, lines that
/// start no event, events of another type, events without a blank line
/// before them, comments and CRLF line ends, events whose only frame is on
/// their header line, a symbol in two dsos (also in two events in a row,
/// at the same depth), `[unknown]` symbols and a skipped event with a call
/// chain, over many chunks.
fn messy_perf() -> Vec<u8> {
    let clean = generated(GenFormat::Perf, Shape::Callgraph, 1_500_000);
    let clean = String::from_utf8(clean).expect("utf-8");
    let mut text = String::from("# perf script --header\n");
    for (i, line) in clean.lines().enumerate() {
        match i % 401 {
            5 => text.push_str("\tnot a call-chain line\n"),
            7 => text.push_str("worker-9 4000/4009 [001] 1.000001:     250000 cycles:u: \n"),
            11 => text.push_str("# a comment\n"),
            13 => text.push_str(&format!(
                "worker-{} 4000/4001 [001] 1.000002:     250000 cpu-clock:u:  4dba80 header_only_{} (/usr/bin/app)\n\n",
                i % 3,
                i % 7
            )),
            17 => text.push_str(&format!(
                "worker-1 4000/4001 [001] 1.000003:     250000 cpu-clock:u: \n\t 1 twice (/a{}.so)\n\t 2 [unknown] (/b{}.so)\n\t 3 main (/usr/bin/app)\n\n",
                i % 2,
                i % 3
            )),
            // The same symbols as the event before, in other dsos.
            23 => {
                for dso in ["/c0.so", "/c1.so"] {
                    text.push_str(&format!(
                        "worker-1 4000/4001 [001] 1.000005:     250000 cpu-clock:u: \n\t 1 leaf ({dso})\n\t 2 twice ({dso})\n\n"
                    ));
                }
            }
            // An event of another type, with a call chain, between two
            // events of one thread: the second shares its outermost frame
            // with the skipped one (not with the one before).
            19 => {
                let event = |kind: &str, leaf: &str, root: &str| {
                    format!("worker-1 4000/4001 [001] 1.000004:     250000 {kind}: \n\t 1 {leaf} (/x.so)\n\t 2 {root} (/x.so)\n\n")
                };
                text.push_str(&event("cpu-clock:u", "a1", "root_a"));
                text.push_str(&event("cycles:u", "s1", "root_s"));
                text.push_str(&event("cpu-clock:u", "b1", "root_s"));
            }
            _ => {}
        }
        text.push_str(line);
        text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
    }
    text.into_bytes()
}

#[test]
fn perf_script_with_invalid_utf8_imports_the_same_on_1_and_4_threads() {
    let mut bytes = messy_perf();
    for at in [bytes.len() / 10, bytes.len() / 2, bytes.len() - 2000] {
        // Inside the symbol of a call-chain line, before its dso.
        let line = at + bytes[at..].windows(2).position(|w| w == b"\n\t").expect("a later frame") + 2;
        let dso = line + bytes[line..].windows(2).position(|w| w == b" (").expect("a dso");
        bytes.insert(dso, 0xFF);
    }
    assert!(std::str::from_utf8(&bytes).is_err());
    assert_same_for_thread_counts(&bytes, "bad-utf8.perf.txt", IngestLimits::default());
    let (export, _) = import(&bytes, "bad-utf8.perf.txt", 4, IngestLimits::default()).expect("import");
    assert!(export.contains('\u{FFFD}'), "the stray bytes are replaced, not dropped");
}

#[test]
fn messy_perf_script_imports_the_same_on_1_and_4_threads() {
    let bytes = messy_perf();
    assert!(bytes.len() > 1_000_000);
    assert_same_for_thread_counts(&bytes, "messy.perf.txt", IngestLimits::default());
    let opts = ImportOptions { threads: 4, ..Default::default() };
    let (_, report) = flamekit::import_with(&bytes, Some("messy.perf.txt"), &opts).expect("import");
    assert!(report.skipped.get("other_event_type").is_some_and(|&n| n > 0), "{report:?}");
    assert!(report.skipped.get("invalid_line").is_some_and(|&n| n > 0), "{report:?}");
}

/// A generated 8-thread trace with, spread over its threads: an `E` with
/// nothing open (ts 1), an `E` of another name than the open `pair` (ts
/// 2.5), a `B` never closed (after every other event), an `E` with other
/// args than its `B`, `X` events, long names, names with escapes and thread
/// names.
fn messy_trace() -> Vec<u8> {
    messy_trace_of(1_500_000)
}

/// [`messy_trace`] from a generated trace of about `bytes`.
fn messy_trace_of(bytes: u64) -> Vec<u8> {
    let clean = generated(GenFormat::Trace, Shape::Callgraph, bytes);
    let clean = String::from_utf8(clean).expect("utf-8");
    let body = clean.trim().trim_start_matches('[').trim_end_matches(']');
    let mut text = String::from("[\n");
    for tid in 0..8 {
        text.push_str(&format!(
            "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":\"worker {tid}\"}}}},\n"
        ));
    }
    for (i, line) in body.lines().enumerate() {
        let line = line.trim_end_matches(',');
        let tid = i % 8;
        let extra = match i % 503 {
            3 => format!("{{\"name\":\"stray\",\"ph\":\"E\",\"ts\":1,\"pid\":1,\"tid\":{tid}}}"),
            5 => format!("{{\"name\":\"never-ended {i}\",\"ph\":\"B\",\"ts\":1e12,\"pid\":1,\"tid\":{tid}}}"),
            7 => format!(
                "{{\"name\":\"x{}\",\"ph\":\"X\",\"ts\":{i},\"dur\":0,\"pid\":1,\"tid\":{tid},\"args\":{{\"n\":{i}}}}}",
                "y".repeat(i % 40)
            ),
            11 => format!(
                "{{\"name\":\"pair\",\"ph\":\"B\",\"ts\":2,\"pid\":1,\"tid\":{tid},\"args\":{{\"a\":1}}}},\n\
                 {{\"name\":\"pair\",\"ph\":\"E\",\"ts\":3,\"pid\":1,\"tid\":{tid},\"args\":{{\"a\":2}}}}"
            ),
            13 => format!("{{\"name\":\"other\",\"ph\":\"E\",\"ts\":2.5,\"pid\":1,\"tid\":{tid}}}"),
            // A name with an escape (not borrowed from the input), in some
            // threads only, and events without a name.
            19 => format!(
                "{{\"ph\":\"B\",\"ts\":4,\"pid\":1,\"tid\":{tid}}},\n{{\"ph\":\"E\",\"ts\":5,\"pid\":1,\"tid\":{tid}}}"
            ),
            17 if tid % 3 == 0 => format!(
                "{{\"name\":\"esc\\\"aped\",\"ph\":\"B\",\"ts\":2,\"pid\":1,\"tid\":{tid}}},\n\
                 {{\"name\":\"esc\\\"aped\",\"ph\":\"E\",\"ts\":3,\"pid\":1,\"tid\":{tid}}}"
            ),
            _ => String::new(),
        };
        if !extra.is_empty() {
            text.push_str(&extra);
            text.push_str(",\n");
        }
        text.push_str(line);
        text.push_str(",\n");
    }
    text.truncate(text.len() - 2);
    text.push_str("\n]");
    text.into_bytes()
}

#[test]
fn trace_threads_with_repairs_and_limits_import_the_same_on_1_and_4_threads() {
    let bytes = messy_trace();
    assert_same_for_thread_counts(&bytes, "messy.trace.json", IngestLimits::default());
    let opts = ImportOptions { threads: 4, ..Default::default() };
    let (group, report) = flamekit::import_with(&bytes, Some("messy.trace.json"), &opts).expect("import");
    // The generator writes 8 threads; every one is a profile.
    assert_eq!(group.profiles().len(), 8);
    for code in ["unmatched_end_event", "mismatched_end_event", "unclosed_begin_event", "end_event_args_mismatch"] {
        assert!(report.warnings.iter().any(|w| w.code == code), "no {code} warning: {report:?}");
    }
    for limits in [
        IngestLimits { max_frames: 300, ..IngestLimits::default() },
        IngestLimits { max_samples: 5_000, ..IngestLimits::default() },
        IngestLimits { max_stack_depth: 20, ..IngestLimits::default() },
        IngestLimits { max_name_bytes: 12, ..IngestLimits::default() },
    ] {
        assert_same_for_thread_counts(&bytes, "messy.trace.json", limits);
    }
    let one = import(&bytes, "messy.trace.json", 1, IngestLimits { max_frames: 300, ..IngestLimits::default() });
    assert!(one.is_err_and(|e| e.starts_with("limit_exceeded")));
}

/// Threads built apart fail with the error one thread meets first: frame
/// limits met at every tenth new frame; stack depth limits met first in
/// different threads; both together, including a thread's first new frames
/// at and after the event past the depth limit (the frame is interned
/// before that event is checked); sample limits at each thread's first
/// event.
#[test]
fn trace_limit_errors_are_met_in_the_same_order_on_1_and_4_threads() {
    let bytes = messy_trace_of(120_000);
    let name = "messy.trace.json";
    let (group, _) = flamekit::import_with(&bytes, Some(name), &ImportOptions::default()).expect("import");
    // Per thread: events before its own, its deepest stack, and for each
    // depth the index of its first event that reaches it. Per event: the
    // frame it opens first of all (frame ids count up in order of first use).
    let (mut bounds, mut before, mut threads) = (Vec::new(), 0, Vec::new());
    let mut next_frame = 0;
    for p in group.profiles() {
        bounds.push(before);
        before += p.sample_count() as u64;
        let flamekit::ProfileData::Evented { events } = p.data() else { panic!("an evented profile") };
        let (mut depth, mut reached, mut new_frames) = (0u64, Vec::new(), Vec::new());
        for (i, e) in events.iter().enumerate() {
            if e.kind == flamekit::EventKind::Open {
                depth += 1;
                if depth as usize > reached.len() {
                    reached.push(i);
                }
                if e.frame == next_frame {
                    new_frames.push((i, e.frame as u64));
                    next_frame += 1;
                }
            } else {
                depth -= 1;
            }
        }
        threads.push((reached, new_frames));
    }
    assert_eq!(bounds.len(), 8, "the trace has 8 threads");
    let frames = group.frames().len() as u64;
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |limits: IngestLimits| {
        assert_same_for_thread_counts(&bytes, name, limits);
        let outcome = match import(&bytes, name, 1, limits) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.split(" is ").next().unwrap_or(&e).to_string(),
        };
        seen.insert(outcome);
    };
    let depths: std::collections::BTreeSet<u64> = threads.iter().map(|t| t.0.len() as u64).collect();
    assert!(depths.len() > 2, "threads of different depths: {depths:?}");
    let mut depth_then_frame = 0;
    for max_stack_depth in depths.iter().map(|d| d - 1).chain([u64::MAX]) {
        for max_frames in (0..frames).step_by(10).chain([frames - 1, u64::MAX]) {
            check(IngestLimits { max_stack_depth, max_frames, ..IngestLimits::default() });
        }
        // The thread that meets the depth limit first, the event past it,
        // and the first new frames from that event on.
        let Some((reached, new_frames)) = threads.iter().find(|t| t.0.len() as u64 > max_stack_depth) else {
            continue;
        };
        let past = reached[max_stack_depth as usize];
        for &(at, frame) in new_frames.iter().filter(|f| f.0 >= past).take(3) {
            depth_then_frame += usize::from(at > past);
            check(IngestLimits { max_stack_depth, max_frames: frame, ..IngestLimits::default() });
        }
    }
    assert!(depth_then_frame > 0, "no thread opens a new frame after the event past a depth limit");
    for max_samples in bounds.iter().flat_map(|&b| [b.saturating_sub(1), b, b + 1]).chain([before - 1, before]) {
        check(IngestLimits { max_samples, ..IngestLimits::default() });
    }
    let want = ["limit_exceeded: limit exceeded: max_frames", "limit_exceeded: limit exceeded: max_samples"];
    let want = want.into_iter().chain(["limit_exceeded: limit exceeded: max_stack_depth", "ok"]);
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), want.collect::<Vec<_>>());
}

/// Import `bytes` as `format` with `threads`: the export, or the error code.
fn import_as(format: flamekit::Format, bytes: &[u8], threads: usize) -> Result<String, String> {
    let opts = ImportOptions { threads, ..Default::default() };
    match flamekit::import_format(format, bytes, &opts) {
        Ok((group, _)) => Ok(export(&group)),
        Err(e) => Err(e.code().to_owned()),
    }
}

/// The corpus files detected as `format`, at least `min` of them.
fn corpus_of(format: flamekit::Format, min: usize) -> Vec<(String, Vec<u8>)> {
    let files: Vec<(String, Vec<u8>)> = corpus_all()
        .iter()
        .filter(|(_, bytes)| flamekit::detect(bytes, None).ok() == Some(format))
        .map(|(rel, bytes)| (rel.clone(), bytes.clone()))
        .collect();
    assert!(files.len() >= min, "only {} {format:?} files in the corpus", files.len());
    files
}

/// Each of `inputs` read in chunks (on 1 and 4 threads) and read by serde
/// imports the same: the same export or the same error code. Returns how
/// many were compared.
fn assert_chunks_read_as_serde_reads(format: flamekit::Format, inputs: &[(String, Vec<u8>)]) -> usize {
    let mut compared = 0;
    for (name, bytes) in inputs {
        let (plain, padded) = harness::in_chunks_and_by_serde(format, bytes).unwrap_or_else(|| panic!("{name}"));
        let by_serde = import_as(format, padded.as_bytes(), 1);
        for threads in [1, 4] {
            assert!(
                import_as(format, plain.as_bytes(), threads) == by_serde,
                "{name}: read in chunks on {threads} thread(s) vs by serde"
            );
        }
        compared += 1;
    }
    compared
}

#[test]
fn trace_events_read_in_chunks_import_as_serde_reads_them() {
    let mut inputs = corpus_of(flamekit::Format::ChromeTrace, 5);
    for shape in [Shape::Callgraph, Shape::Distinct] {
        inputs.push((format!("gen.json ({shape:?})"), generated(GenFormat::Trace, shape, 300_000)));
    }
    inputs.push(("messy.trace.json".into(), messy_trace()));
    let compared = assert_chunks_read_as_serde_reads(flamekit::Format::ChromeTrace, &inputs);
    assert!(compared >= 35, "compared only {compared} files");
}

/// A generated CPU profile whose nodes, here and there, have what the
/// quick node reader leaves to serde or reads otherwise than the usual
/// node: escaped names, negative and fractional columns, `null`s, extra
/// keys with nested values, spaces and line breaks.
fn messy_cpuprofile() -> Vec<u8> {
    let doc = cpuprofile_with_nodes(Shape::Distinct, |i, node| {
        let frame = &mut node["callFrame"];
        match i % 11 {
            1 => frame["functionName"] = format!("esc\"aped {i}").into(),
            2 => frame["lineNumber"] = (-1).into(),
            3 => frame["columnNumber"] = 2.5.into(),
            4 => frame["url"] = serde_json::Value::Null,
            5 => node["positionTicks"] = serde_json::json!([{"line": 1, "ticks": 2}]),
            6 => node["deoptReason"] = "".into(),
            _ => {}
        }
    });
    serde_json::to_string_pretty(&doc).expect("json").into_bytes()
}

/// A generated 600 KB CPU profile of `shape` (over 1,000 nodes) as JSON,
/// with `edit(i, node)` applied to each node.
fn cpuprofile_with_nodes(shape: Shape, mut edit: impl FnMut(usize, &mut serde_json::Value)) -> serde_json::Value {
    let clean = generated(GenFormat::Cpuprofile, shape, 600_000);
    let mut doc: serde_json::Value = serde_json::from_slice(&clean).expect("json");
    let nodes = doc["nodes"].as_array_mut().expect("nodes");
    assert!(nodes.len() > 1_000, "{} nodes", nodes.len());
    for (i, node) in nodes.iter_mut().enumerate() {
        edit(i, node);
    }
    doc
}

#[test]
fn cpu_profile_nodes_read_in_chunks_import_as_serde_reads_them() {
    let format = flamekit::Format::ChromeCpuProfile;
    let mut inputs = corpus_of(format, 2);
    for shape in [Shape::Callgraph, Shape::Distinct] {
        inputs.push((format!("gen.cpuprofile ({shape:?})"), generated(GenFormat::Cpuprofile, shape, 300_000)));
    }
    let messy = String::from_utf8(messy_cpuprofile()).expect("utf-8");
    // Errors too, far into the array (in a later chunk): an id serde
    // refuses (a string, -0), a repeated id, a second callFrame (null).
    let at = messy.len() * 3 / 4 + messy[messy.len() * 3 / 4..].find("\"id\"").expect("an id");
    let broken = |with: &str| {
        let end = at + messy[at..].find(',').expect("a comma");
        format!("{}{with}{}", &messy[..at], &messy[end..])
    };
    for (name, text) in [
        ("messy.cpuprofile".to_owned(), messy.clone()),
        ("id string".to_owned(), broken(r#""id": "7""#)),
        ("id -0".to_owned(), broken(r#""id": -0"#)),
        ("id repeated".to_owned(), broken(r#""id": 7, "id": 8"#)),
        ("callFrame repeated".to_owned(), broken(r#""id": 999999, "callFrame": null"#)),
    ] {
        inputs.push((name, text.into_bytes()));
    }
    let compared = assert_chunks_read_as_serde_reads(format, &inputs);
    assert!(compared >= 9, "compared only {compared} files");
    // The messy file imports; the broken ones are errors.
    let opts = ImportOptions { threads: 4, ..Default::default() };
    assert!(flamekit::import_format(format, messy.as_bytes(), &opts).is_ok());
    for (name, bytes) in &inputs[inputs.len() - 4..] {
        assert!(flamekit::import_format(format, bytes, &opts).is_err(), "{name} imported");
    }
}

/// A generated CPU profile whose nodes are alike in some of their frame's
/// parts and not in others: the same name at other lines and columns,
/// unnamed functions (named after their file and line) beside functions
/// named as such a label, empty and missing urls, fractional lines (the
/// same 1-based line as the integer below them), names that differ only
/// past a cut.
fn alike_cpuprofile() -> Vec<u8> {
    let doc = cpuprofile_with_nodes(Shape::Callgraph, |i, node| {
        let frame = &mut node["callFrame"];
        match i % 9 {
            1 => frame["lineNumber"] = (i % 3).into(),
            2 => frame["columnNumber"] = (i % 4).into(),
            3 => {
                frame["functionName"] = "".into();
                frame["url"] = "/src/a.js".into();
                frame["lineNumber"] = (i % 5).into();
            }
            4 => {
                // The label of the unnamed function above at a 0-based line i % 5.
                frame["functionName"] = format!("(anonymous a.js:{})", i % 5 + 1).into();
                frame["url"] = "/src/a.js".into();
                frame["lineNumber"] = (i % 5).into();
            }
            5 => frame["url"] = if i % 2 == 0 { "".into() } else { serde_json::Value::Null },
            6 => frame["lineNumber"] = ((i % 7) as f64 + 0.5).into(),
            7 => frame["functionName"] = format!("{}{}", "long_name_".repeat(4), i % 13).into(),
            _ => {}
        }
    });
    serde_json::to_string(&doc).expect("json").into_bytes()
}

#[test]
fn cpu_profile_nodes_alike_import_the_same_on_1_and_4_threads() {
    let bytes = alike_cpuprofile();
    for limits in [
        IngestLimits::default(),
        // Names cut to 30 bytes: the long names become one.
        IngestLimits { max_name_bytes: 30, ..IngestLimits::default() },
        IngestLimits { max_frames: 500, ..IngestLimits::default() },
    ] {
        assert_same_for_thread_counts(&bytes, "alike.cpuprofile", limits);
    }
    let one = import(&bytes, "alike.cpuprofile", 1, IngestLimits { max_frames: 500, ..IngestLimits::default() });
    assert!(one.is_err_and(|e| e.starts_with("limit_exceeded")));
    let cut = import(&bytes, "alike.cpuprofile", 1, IngestLimits { max_name_bytes: 30, ..IngestLimits::default() });
    assert!(cut.is_ok_and(|(_, report)| report.contains("name_truncated")));
}

/// A speedscope file over 300 shared frames (some listed twice, so frame
/// indices are mapped) whose profiles are `profiles`, each `(kind,
/// samples, weights)`: `samples` sampled stacks (a deterministic walk,
/// depth 1–12; about 19 bytes each, so 80,000 make an array of 1.5 MB,
/// read in many parts) with or without weights, or for `"evented"` a few
/// events.
fn speedscope_of(profiles: &[(&str, usize, bool)]) -> String {
    let mut frames: Vec<String> =
        (0..300).map(|i| format!(r#"{{"name":"fn_{}","file":"m{}.rs"}}"#, i % 290, i % 7)).collect();
    frames.push(r#"{"name":"fn_0","file":"m0.rs"}"#.into());
    let mut state = 7u64;
    let mut next = move |m: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    let mut out = Vec::new();
    for (pi, &(kind, samples, weights)) in profiles.iter().enumerate() {
        if kind == "evented" {
            out.push(format!(
                r#"{{"type":"evented","name":"ev{pi}","unit":"milliseconds","startValue":0,"endValue":9,"events":[{{"type":"O","frame":1,"at":0}},{{"type":"O","frame":300,"at":2}},{{"type":"C","frame":300,"at":5}},{{"type":"C","frame":1,"at":9}}]}}"#
            ));
            continue;
        }
        let mut stacks = Vec::with_capacity(samples);
        let mut ws = Vec::with_capacity(samples);
        let mut stack: Vec<u64> = Vec::new();
        for _ in 0..samples {
            stack.truncate(next(stack.len() as u64 + 1) as usize);
            while stack.len() < 1 + next(12) as usize {
                stack.push(next(301));
            }
            stacks.push(format!("[{}]", stack.iter().map(u64::to_string).collect::<Vec<_>>().join(",")));
            ws.push((1 + next(5)).to_string());
        }
        let weights = if weights { format!(r#","weights":[{}]"#, ws.join(",")) } else { String::new() };
        out.push(format!(
            r#"{{"type":"sampled","name":"p{pi}","unit":"none","startValue":0,"endValue":{samples},"samples":[{}]{weights}}}"#,
            stacks.join(",")
        ));
    }
    format!(
        r#"{{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{{"frames":[{}]}},"profiles":[{}],"name":"several","activeProfileIndex":1}}"#,
        frames.join(","),
        out.join(",")
    )
}

/// Several large `samples` arrays, each read in many parts while the ones
/// before are built, with an evented and a small profile between them: the
/// group, the report and any error are those of one thread, also when a
/// profile has a bad frame index, too many weights or passes the sample
/// limit.
#[test]
fn speedscope_files_of_several_large_profiles_import_the_same_on_1_and_4_threads() {
    let big = 80_000;
    let layout = [
        ("sampled", big, true),
        ("evented", 0, false),
        ("sampled", big, false),
        ("sampled", 50, true),
        ("sampled", big, true),
    ];
    // Without weights too: nothing then checks that every sample was read.
    let unweighted = layout.map(|(kind, samples, _)| (kind, samples, false));
    let text = speedscope_of(&unweighted);
    assert_same_for_thread_counts(text.as_bytes(), "unweighted.speedscope.json", IngestLimits::default());
    let text = speedscope_of(&layout);
    assert_same_for_thread_counts(text.as_bytes(), "several.speedscope.json", IngestLimits::default());
    let one = import(text.as_bytes(), "several.speedscope.json", 1, IngestLimits::default());
    assert!(one.as_ref().is_ok_and(|(export, _)| export.matches(r#""type":"sampled""#).count() == 4), "{one:?}");
    // The sample limit passed in the third profile.
    let limits = IngestLimits { max_samples: 2 * big as u64 + 10, ..IngestLimits::default() };
    assert_same_for_thread_counts(text.as_bytes(), "several.speedscope.json", limits);
    assert!(import(text.as_bytes(), "x", 1, limits).is_err_and(|e| e.starts_with("limit_exceeded")));
    // A frame index out of range at the end of the first array, and one
    // weight too many in the first profile.
    let first_end = text.find("]],\"weights\"").expect("first array's end");
    for (what, edited) in [
        ("index", format!("{},999]{}", &text[..first_end], &text[first_end + 1..])),
        ("weights", text.replacen(r#""weights":["#, r#""weights":[1,"#, 1)),
    ] {
        assert_same_for_thread_counts(edited.as_bytes(), &format!("several ({what})"), IngestLimits::default());
        assert!(import(edited.as_bytes(), "x", 1, IngestLimits::default()).is_err(), "{what}");
    }
}
