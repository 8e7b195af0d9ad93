//! `perf script` output: every file in the corpus's `linux-perf/` folder, plus
//! hand-written events for the header variants.
//!
//! Expected values come from the files, read with a small Python script:
//! split on blank lines, drop `#` lines, match the header with
//! `^\s*(.+?)\s+(?:(\d+)/)?(\d+)\s+(?:\[\d+\]\s+)?\d+\.\d+:\s+(?:(\d+)\s+)?(\S+):`
//! (comm, pid, tid, period, event), each call-chain line with
//! `^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)$` (symbol, dso), reverse
//! the chain, weigh the sample 1 (the default, sample counts) or by its
//! period (1 when absent; `PerfWeight::Period`) and add it to the leaf's
//! self and once to the total of every distinct (symbol, dso) of the stack.
//! An unresolved symbol `[unknown]` is named `??? (DSO)`, as speedscope
//! names it. Every period in the corpus is 1001001 (`P`); weights below are
//! sample counts:
//! - simple / one-sample: one event of thread 10: `[unknown] ([unknown]);
//!   __libc_start_main; main; _Z5deltav; _Z4betav`;
//! - simple-with-header: 136 events of tid 9 (the `# event : name =
//!   cpu-clock` line is a comment); _Z4betav 47/47, _Z5deltav 23/69,
//!   _Z5alphav 44/44, _Z5gammav 22/22, main 0/136;
//! - simple-with-pid: 137 events of `9/9`, no period (weight 1); _Z4betav
//!   58/58, _Z5deltav 19/65, main 0/136, `[unknown]` in `[kernel.kallsyms]`
//!   1/1 (one kernel-only sample);
//! - forks: threads in order of appearance forks/9 (138 events), swapper/0
//!   (324), forks/11 (50), forks/10 (49); forks/9 _Z4betav 46/46; swapper's
//!   kernel `[unknown]` self 322, its `[unknown] ([unknown])` self 2 total 10;
//!   forks/11 _Z4betav 22/23;
//! - system-wide: simple-terminat/9 (138), swapper/0 (418); _Z4betav 53/54,
//!   _Z5deltav 23/72; swapper kernel `[unknown]` self 416.

use flamekit::{Error, Format, ImportOptions, ProfileGroup, ValueUnit};

use crate::common::{assert_close, corpus, corpus_files, profile_names};

const P: f64 = 1001001.0;

/// (self, total) of the frame with this name and file in profile `pi`.
fn weights_at(g: &ProfileGroup, pi: usize, name: &str, file: &str) -> (f64, f64) {
    let fw = g.profiles()[pi].frame_weights(g.frames().len());
    let ids: Vec<usize> = (0..g.frames().len())
        .filter(|&i| fw.present[i] && g.frames()[i].name == name && g.frames()[i].file.as_deref() == Some(file))
        .collect();
    assert_eq!(ids.len(), 1, "frame {name} ({file}) in profile {pi}");
    (fw.self_weight[ids[0]], fw.total_weight[ids[0]])
}

#[track_caller]
fn check(g: &ProfileGroup, pi: usize, expected: &[(&str, &str, f64, f64)]) {
    for &(name, file, s, t) in expected {
        let (sw, tw) = weights_at(g, pi, name, file);
        assert_close(sw, s);
        assert_close(tw, t);
    }
}

const BIN: &str = "/workdir/simple-terminates";

#[test]
fn simple_and_one_sample() {
    for f in ["linux-perf/simple.linux-perf.txt", "linux-perf/one-sample.linux-perf.txt"] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        assert_eq!(g.format(), "linux-perf");
        assert_eq!(profile_names(&g), vec!["simple-terminat tid: 10"]);
        // One thread: the group is named after it.
        assert_eq!(g.name(), "simple-terminat tid: 10");
        let p = &g.profiles()[0];
        assert_eq!(p.unit(), ValueUnit::None);
        assert_eq!(p.sample_count(), 1);
        assert_eq!(flamekit::dump_stacks(&g, p), vec!["??? ([unknown]);__libc_start_main;main;_Z5deltav;_Z4betav 1"]);
        check(&g, 0, &[("_Z4betav", BIN, 1.0, 1.0), ("??? ([unknown])", "[unknown]", 0.0, 1.0)]);
        let libc = g.frames().iter().find(|f| f.name == "__libc_start_main").unwrap();
        assert_eq!(libc.file.as_deref(), Some("/lib/x86_64-linux-gnu/libc-2.27.so"));
    }
}

#[test]
fn with_header_and_with_pid() {
    let g = flamekit::import(&corpus("linux-perf/simple-with-header.linux-perf.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["simple-terminat tid: 9"]);
    assert_eq!(g.profiles()[0].sample_count(), 136);
    assert_close(g.profiles()[0].total_weight(), 136.0);
    // With period weights, every sample weighs its header's 1001001.
    let opts = ImportOptions { perf_weight: flamekit::PerfWeight::Period, ..Default::default() };
    let (gp, _) = flamekit::import_with(&corpus("linux-perf/simple-with-header.linux-perf.txt"), None, &opts).unwrap();
    assert_close(gp.profiles()[0].total_weight(), 136.0 * P);
    check(&gp, 0, &[("_Z5deltav", BIN, 23.0 * P, 69.0 * P)]);
    check(
        &g,
        0,
        &[
            ("_Z4betav", BIN, 47.0, 47.0),
            ("_Z5deltav", BIN, 23.0, 69.0),
            ("_Z5alphav", BIN, 44.0, 44.0),
            ("_Z5gammav", BIN, 22.0, 22.0),
            ("main", BIN, 0.0, 136.0),
        ],
    );

    // `pid/tid`, and no period: every sample weighs 1.
    let g = flamekit::import(&corpus("linux-perf/simple-with-pid.linux-perf.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["simple-terminat pid: 9 tid: 9"]);
    assert_eq!(g.profiles()[0].sample_count(), 137);
    assert_close(g.profiles()[0].total_weight(), 137.0);
    check(
        &g,
        0,
        &[
            ("_Z4betav", BIN, 58.0, 58.0),
            ("_Z5deltav", BIN, 19.0, 65.0),
            ("main", BIN, 0.0, 136.0),
            ("??? ([kernel.kallsyms])", "[kernel.kallsyms]", 1.0, 1.0),
            ("??? ([unknown])", "[unknown]", 0.0, 136.0),
        ],
    );
}

#[test]
fn forks_and_system_wide_threads() {
    let g = flamekit::import(&corpus("linux-perf/forks.linux-perf.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["forks tid: 9", "swapper tid: 0", "forks tid: 11", "forks tid: 10"]);
    assert_eq!(g.name(), "");
    let counts: Vec<usize> = g.profiles().iter().map(|p| p.sample_count()).collect();
    assert_eq!(counts, vec![138, 324, 50, 49]);
    check(&g, 0, &[("_Z4betav", "/workdir/forks", 46.0, 46.0), ("main", "/workdir/forks", 0.0, 138.0)]);
    check(
        &g,
        1,
        &[("??? ([kernel.kallsyms])", "[kernel.kallsyms]", 322.0, 322.0), ("??? ([unknown])", "[unknown]", 2.0, 10.0)],
    );
    check(&g, 2, &[("_Z4betav", "/workdir/forks", 22.0, 23.0)]);

    let g = flamekit::import(&corpus("linux-perf/system-wide.linux-perf.txt"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["simple-terminat tid: 9", "swapper tid: 0"]);
    let counts: Vec<usize> = g.profiles().iter().map(|p| p.sample_count()).collect();
    assert_eq!(counts, vec![138, 418]);
    check(&g, 0, &[("_Z4betav", BIN, 53.0, 54.0), ("_Z5deltav", BIN, 23.0, 72.0)]);
    check(&g, 1, &[("??? ([kernel.kallsyms])", "[kernel.kallsyms]", 416.0, 416.0)]);
}

#[test]
fn detection_needs_no_file_name() {
    for path in corpus_files("linux-perf") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::LinuxPerf, "{name}");
        let named = flamekit::import(&bytes, Some(name)).unwrap();
        assert_eq!(flamekit::import(&bytes, None).unwrap(), named, "{name}");
        assert_eq!(flamekit::import(&bytes, Some("unknown")).unwrap(), named, "{name}");
    }
}

#[test]
fn every_prefix_of_the_small_files_imports_or_fails_typed() {
    let mut inputs: Vec<Vec<u8>> =
        corpus_files("linux-perf").into_iter().map(|p| std::fs::read(p).unwrap()).filter(|b| b.len() <= 4096).collect();
    // The comment block and first events of the file with a header.
    let header = corpus("linux-perf/simple-with-header.linux-perf.txt");
    inputs.push(header[..3000].to_vec());
    assert!(inputs.len() >= 3);
    for bytes in inputs {
        for n in 0..=bytes.len() {
            for r in [
                flamekit::import(&bytes[..n], None),
                flamekit::import_format(Format::LinuxPerf, &bytes[..n], &ImportOptions::default()).map(|(g, _)| g),
            ] {
                if let Err(e) = r {
                    assert!(Error::CODES.contains(&e.code()), "{e}");
                }
            }
        }
    }
}

#[test]
fn header_variants() {
    // Right-aligned comm with spaces, cpu, offsets to strip, a dso holding
    // parentheses, a symbol-less frame, and an event with the frame on its
    // header line (perf script without -g).
    let text = "\
# perf script --header
   V8 WorkerThread 25607/25610 [003] 4794564.109216:     250 cycles:u:
\t7fffb84c9afc cpu_startup_entry+0x800047c022ec ([kernel.kallsyms])
\t    55d0 run(int)+0x1f (/tmp/my app (deleted))
\t    1000  (/tmp/a.out)

   V8 WorkerThread 25607/25610 [003] 4794564.109300:     750 cycles:u:  7fff0001 idle+0x4 ([kernel.kallsyms])

other 12 [000] 1.5: 1 instructions:
\t1 x (y)
";
    assert_eq!(flamekit::detect(text.as_bytes(), None).unwrap(), Format::LinuxPerf);
    let (g, report) = flamekit::import_with(text.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert_eq!(profile_names(&g), vec!["V8 WorkerThread pid: 25607 tid: 25610"]);
    let p = &g.profiles()[0];
    assert_eq!(flamekit::dump_stacks(&g, p), vec!["??? (/tmp/a.out);run(int);cpu_startup_entry 1", "idle 1"]);
    let opts = ImportOptions { perf_weight: flamekit::PerfWeight::Period, ..Default::default() };
    let (gp, _) = flamekit::import_with(text.as_bytes(), None, &opts).unwrap();
    assert_eq!(
        flamekit::dump_stacks(&gp, &gp.profiles()[0]),
        vec!["??? (/tmp/a.out);run(int);cpu_startup_entry 250", "idle 750"]
    );
    let run = g.frames().iter().find(|f| f.name == "run(int)").unwrap();
    assert_eq!(run.file.as_deref(), Some("/tmp/my app (deleted)"));
    let unknown = g.frames().iter().find(|f| f.name == "??? (/tmp/a.out)").unwrap();
    assert_eq!(unknown.file.as_deref(), Some("/tmp/a.out"));
    // Only the first event type (`cycles:u`) is kept.
    assert_eq!(report.skipped.get("other_event_type"), Some(&1));
    assert_eq!(report.warnings[0].location, flamekit::Location::Line(9));
}

/// An event type name as long as a line can be is quoted, not copied
/// whole, in each `other_event_type` warning (every event of another type
/// formats one, stored or not).
#[test]
fn a_long_event_type_is_quoted_in_warnings() {
    let long = "e".repeat(5000);
    let mut text = format!("main 1/1 1.000000: 1 {long}:\n\tffff f (/bin/x)\n\n");
    for _ in 0..3 {
        text.push_str("main 1/1 1.000001: 1 b:\n\tffff g (/bin/x)\n\n");
    }
    let (_, report) = flamekit::import_format(Format::LinuxPerf, text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(report.skipped.get("other_event_type"), Some(&3));
    let w = &report.warnings[0];
    assert!(w.message.len() < 600 && w.message.contains("…"), "{}", w.message);
    assert!(w.message.contains(&format!("only `{}…`", &long[..flamekit::Excerpt::MAX_BYTES])), "{}", w.message);
}

#[test]
fn bad_lines_are_reported_not_fatal() {
    let text = "\
prog 5 1.000: cpu-clock:
\t10 f (a.out)
\tthis is not a frame

garbage header line
\t10 g (a.out)

prog 5 2.000: cpu-clock:
\t10 f (a.out)
";
    let (g, report) = flamekit::import_with(text.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 2);
    assert_eq!(report.skipped.get("invalid_line"), Some(&1));
    assert_eq!(report.skipped.get("invalid_event"), Some(&1));
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![flamekit::Location::Line(3), flamekit::Location::Line(5)]);
    let e = flamekit::import_format(Format::LinuxPerf, b"\n# only comments\n", &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "empty_profile");
}

#[test]
fn name_option_wins() {
    let opts = ImportOptions { name: Some("trace".into()), ..Default::default() };
    let (g, _) = flamekit::import_with(&corpus("linux-perf/simple.linux-perf.txt"), None, &opts).unwrap();
    assert_eq!(g.name(), "trace");
    assert_eq!(profile_names(&g), vec!["simple-terminat tid: 10"]);
}

/// One generated event: its thread (0..3), its call chain (innermost first,
/// indexes into `FRAMES`), and what else its lines hold (`extra`: 0 none,
/// 1 a comment line, 2 a line that is not a frame, each put after chain
/// line `at`; 3 no blank line after the event).
#[derive(Clone, Debug)]
struct GenEvent {
    thread: usize,
    chain: Vec<usize>,
    extra: u8,
    at: usize,
}

/// Frame lines as `perf script` writes them (address, symbol, offset, dso),
/// the frame's name and its dso: symbols that are prefixes of one another,
/// an unresolved one, two dsos, and a line that ends with another line (a
/// symbol with spaces, another indentation).
const FRAMES: &[(&str, &str, &str)] = &[
    ("\t    4005d0 main+0x10 (/bin/app)", "main", "/bin/app"),
    ("\t    4005e0 mai+0x4 (/bin/app)", "mai", "/bin/app"),
    ("\t    400610 work(int)+0x21 (/bin/app)", "work(int)", "/bin/app"),
    ("\t    7f0010 work(int)+0x21 (/lib/libc.so.6)", "work(int)", "/lib/libc.so.6"),
    ("\t    400700 [unknown] (/bin/app)", "??? (/bin/app)", "/bin/app"),
    (
        "\t    400800 a_rather_long_symbol_name_that_spans_several_words+0x8 (/bin/app)",
        "a_rather_long_symbol_name_that_spans_several_words",
        "/bin/app",
    ),
    ("\t    1 f    4005d0 main+0x10 (/bin/app)", "f    4005d0 main", "/bin/app"),
    ("    4005d0 main+0x10 (/bin/app)", "main", "/bin/app"),
];

const THREADS: &[&str] = &["app 10/11", "app 10/12", "db 20/21"];

/// A run of equal stacks: each frame's name and dso, outermost first, and
/// the run's length.
type Runs = (Vec<(&'static str, &'static str)>, u32);

/// A step of [`events_of`]: (thread, frames kept from the end of its last
/// chain, new innermost frames, extra, where).
type Step = (usize, usize, Vec<usize>, u8, usize);

/// The `perf script` text of `events` (lines ending with `eol`), and each
/// thread's stacks in order as `dump_stacks` gives them (a run of equal
/// stacks is one entry, its weights added), threads in order of first
/// appearance.
fn perf_text(events: &[GenEvent], eol: &str) -> (String, Vec<Vec<String>>) {
    let mut text = String::new();
    let mut order: Vec<usize> = Vec::new();
    // Per thread, runs of equal stacks: (name, dso) of each frame, and how many.
    let mut stacks: Vec<Vec<Runs>> = vec![Vec::new(); THREADS.len()];
    for (i, e) in events.iter().enumerate() {
        text.push_str(&format!("{} [000] {}.{:06}: 1 cpu-clock:u: {eol}", THREADS[e.thread], 100 + i, i));
        for (k, &f) in e.chain.iter().enumerate() {
            text.push_str(FRAMES[f].0);
            text.push_str(eol);
            if k == e.at && e.extra == 1 {
                text.push_str(&format!("# a comment{eol}"));
            }
            if k == e.at && e.extra == 2 {
                text.push_str(&format!("\tnot a frame{eol}"));
            }
        }
        if e.extra != 3 {
            text.push_str(eol);
        }
        if !order.contains(&e.thread) {
            order.push(e.thread);
        }
        // Runs are of equal frames (name and dso: two `work(int)`s differ).
        let ids: Vec<(&'static str, &'static str)> =
            e.chain.iter().rev().map(|&f| (FRAMES[f].1, FRAMES[f].2)).collect();
        let runs = &mut stacks[e.thread];
        match runs.last_mut() {
            Some((s, n)) if *s == ids => *n += 1,
            _ => runs.push((ids, 1)),
        }
    }
    let name = |ids: &[(&'static str, &'static str)]| ids.iter().map(|f| f.0).collect::<Vec<_>>().join(";");
    let dumps = order.iter().map(|&t| stacks[t].iter().map(|(s, n)| format!("{} {n}", name(s))).collect()).collect();
    (text, dumps)
}

#[track_caller]
fn assert_perf_stacks(text: &str, expected: &[Vec<String>], threads: usize) {
    let opts = ImportOptions { threads, ..Default::default() };
    let (g, _) = flamekit::import_format(Format::LinuxPerf, text.as_bytes(), &opts).unwrap();
    let dumps: Vec<Vec<String>> = g.profiles().iter().map(|p| flamekit::dump_stacks(&g, p)).collect();
    assert_eq!(dumps, expected, "{threads} thread(s)");
}

/// Events from steps (thread, frames kept from the end of the thread's
/// last chain, new innermost frames, extra, where): mostly the thread's
/// last chain with other innermost frames, a comment or a line that is not
/// a frame at a place counted from the end, so that both repeat too.
fn events_of(steps: &[Step]) -> Vec<GenEvent> {
    let mut last: Vec<GenEvent> =
        (0..THREADS.len()).map(|thread| GenEvent { thread, chain: vec![0, 2], extra: 0, at: 0 }).collect();
    let mut events = Vec::new();
    for (thread, keep, fresh, extra, at) in steps {
        let before = &last[*thread];
        let keep = (*keep).min(before.chain.len());
        let mut chain = fresh.clone();
        chain.extend_from_slice(&before.chain[before.chain.len() - keep..]);
        if chain.is_empty() {
            chain.push(0);
        }
        // `at` counts from the end: the same place in a kept end.
        let at = chain.len() - 1 - at % chain.len();
        let extra = if *extra < 4 { *extra } else { before.extra };
        let e = GenEvent { thread: *thread, chain, extra, at };
        last[*thread] = e.clone();
        events.push(e);
    }
    events
}

fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (0..THREADS.len(), 0usize..8, proptest::collection::vec(0..FRAMES.len(), 0..3), 0u8..8, 0usize..8),
        1..30,
    )
}

proptest::proptest! {
    /// Events of three threads that end in the same frame lines as their
    /// thread's event before, or almost (comments, lines that are not
    /// frames, no blank line after an event, CRLF): each thread's stacks
    /// are the chains the text holds. (The end of an event that repeats
    /// its thread's last one is not read again.)
    #[test]
    fn repeated_chain_ends_read_as_written(steps in steps(), crlf: bool) {
        let (text, expected) = perf_text(&events_of(&steps), if crlf { "\r\n" } else { "\n" });
        assert_perf_stacks(&text, &expected, 1);
    }
}

/// The same on input large enough to be read in parallel chunks, on 1 and
/// 4 threads.
#[test]
fn repeated_chain_ends_read_as_written_in_chunks() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let steps: Vec<_> = (0..4000)
        .map(|_| {
            let fresh = (0..next(3)).map(|_| next(FRAMES.len())).collect();
            (next(THREADS.len()), next(9), fresh, next(8) as u8, next(8))
        })
        .collect();
    let events = events_of(&steps);
    for eol in ["\n", "\r\n"] {
        let (text, expected) = perf_text(&events, eol);
        assert!(text.len() > 256 * 1024, "{} bytes", text.len());
        for threads in [1, 4] {
            assert_perf_stacks(&text, &expected, threads);
        }
    }
}
