//! Streaming import (`flamekit::stream::import_reader`): same frame weights as
//! the in-memory import, exact report counts across chunk boundaries, gzip,
//! and (ignored by default, run by scripts/test-all.sh) a 2 GB
//! generated input with bounded peak memory.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::{assert_close, corpus};
use flamekit::stream::{import_reader, StreamOptions};
use flamekit::{Frame, ImportOptions, IngestLimits, ProfileGroup};

/// (profile name, frame) → (self, total), for comparing groups whose frame tables differ.
fn weights_by_frame(g: &ProfileGroup) -> BTreeMap<(String, Frame), (f64, f64)> {
    let mut out = BTreeMap::new();
    for p in g.profiles() {
        let fw = p.frame_weights(g.frames().len());
        for (i, f) in g.frames().iter().enumerate() {
            if fw.present[i] {
                out.insert((p.name().to_owned(), f.clone()), (fw.self_weight[i], fw.total_weight[i]));
            }
        }
    }
    out
}

fn assert_same_weights(streamed: &ProfileGroup, whole: &ProfileGroup) {
    let (a, b) = (weights_by_frame(streamed), weights_by_frame(whole));
    assert_eq!(a.len(), b.len());
    for ((k, (s1, t1)), (k2, (s2, t2))) in a.iter().zip(&b) {
        assert_eq!(k, k2);
        assert_close(*s1, *s2);
        assert_close(*t1, *t2);
    }
}

fn small_chunks() -> StreamOptions {
    StreamOptions { chunk_bytes: 4096, ..Default::default() }
}

#[test]
fn collapsed_stream_matches_whole_import() {
    let bytes = corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt");
    let whole = flamekit::import(&bytes, None).unwrap();
    let mut last = 0;
    let (streamed, _) = import_reader(&bytes[..], &small_chunks(), &mut |n| last = n).unwrap();
    assert_eq!(last, bytes.len() as u64);
    assert_eq!(streamed.format(), "collapsed");
    assert_same_weights(&streamed, &whole);
    // One sample per distinct stack: never more than the file's lines.
    assert!(streamed.profiles()[0].sample_count() <= whole.profiles()[0].sample_count());
}

#[test]
fn a_first_line_longer_than_a_chunk_is_detected() {
    // A 5,000-frame stack (about 39 KB) first: longer than the 4 KiB chunks
    // and than the 64 KiB detection window once repeated on one line.
    let frames: Vec<String> = (0..5000).map(|i| format!("fn_{i:04}")).collect();
    let deep = frames.join(";");
    for chunk_bytes in [4096, 8 << 20] {
        for bytes in [format!("{deep};{deep} 3\na;b 2\n{deep} 1\n"), format!("{deep};{deep} 3")] {
            let opts = StreamOptions { chunk_bytes, ..Default::default() };
            let (streamed, _) = import_reader(bytes.as_bytes(), &opts, &mut |_| {}).unwrap();
            assert_eq!(streamed.format(), "collapsed");
            let whole = flamekit::import(bytes.as_bytes(), None).unwrap();
            assert_same_weights(&streamed, &whole);
            assert_eq!(flamekit::dump_stacks(&streamed, &streamed.profiles()[0])[0], format!("{deep};{deep} 3"));
        }
    }
}

#[test]
fn perf_stream_matches_whole_import() {
    for f in ["linux-perf/system-wide.linux-perf.txt", "linux-perf/forks.linux-perf.txt"] {
        let bytes = corpus(f);
        let whole = flamekit::import(&bytes, None).unwrap();
        let (streamed, _) = import_reader(&bytes[..], &small_chunks(), &mut |_| {}).unwrap();
        assert_eq!(streamed.format(), "linux-perf");
        let names = |g: &ProfileGroup| g.profiles().iter().map(|p| p.name().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&streamed), names(&whole), "{f}");
        assert_same_weights(&streamed, &whole);
    }
}

#[test]
fn invalid_lines_keep_exact_counts_and_line_numbers_across_chunks() {
    // 3 valid lines, then an invalid line every 50 lines, 20,000 lines in all.
    let mut text = String::new();
    let mut invalid_lines = Vec::new();
    for i in 1..=20_000u64 {
        if i % 50 == 0 {
            text.push_str("this line has no weight\n");
            invalid_lines.push(i);
        } else {
            text.push_str(&format!("main;f{};g{} {}\n", i % 7, i % 3, i % 5 + 1));
        }
    }
    let (g, report) = import_reader(text.as_bytes(), &small_chunks(), &mut |_| {}).unwrap();
    assert_eq!(report.skipped.get("invalid_line"), Some(&(invalid_lines.len() as u64)));
    assert_eq!(report.warning_count, invalid_lines.len() as u64);
    let lines: Vec<u64> = report
        .warnings
        .iter()
        .map(|d| match d.location {
            flamekit::Location::Line(n) => n,
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lines, invalid_lines[..lines.len()]);
    // Weights: line i (valid) weighs i % 5 + 1.
    let expected: f64 = (1..=20_000u64).filter(|i| i % 50 != 0).map(|i| (i % 5 + 1) as f64).sum();
    assert_close(g.profiles()[0].total_weight(), expected);
    // Distinct stacks: main;f{0..6};g{0..2} = 21.
    assert_eq!(g.profiles()[0].sample_count(), 21);
}

#[test]
fn a_last_chunk_of_invalid_lines_is_counted() {
    // The second chunk holds only an unterminated, invalid line.
    let mut text = "main;work 5\n".repeat(400);
    text.push_str("cut in the midd");
    let (g, report) = import_reader(text.as_bytes(), &small_chunks(), &mut |_| {}).unwrap();
    assert_eq!(g.profiles()[0].total_weight(), 2000.0);
    assert_eq!(report.skipped.get("invalid_line"), Some(&1));
    assert_eq!(report.warnings[0].location, flamekit::Location::Line(401));
}

#[test]
fn utf16_is_refused_when_streaming() {
    let bytes = corpus("stackcollapse/simple-utf16-le.txt");
    let e = import_reader(&bytes[..], &small_chunks(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
}

#[test]
fn gzip_stream_equals_plain_stream() {
    use std::io::Write;
    let bytes = corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&bytes).unwrap();
    let gz = enc.finish().unwrap();
    let (a, _) = import_reader(&bytes[..], &small_chunks(), &mut |_| {}).unwrap();
    let (b, _) = import_reader(&gz[..], &small_chunks(), &mut |_| {}).unwrap();
    assert_eq!(a, b);
    // The inflated-size limit applies while streaming.
    let opts = StreamOptions {
        import: ImportOptions {
            limits: IngestLimits { max_inflated_bytes: 10_000, ..Default::default() },
            ..Default::default()
        },
        chunk_bytes: 4096,
        ..Default::default()
    };
    let e = import_reader(&gz[..], &opts, &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "limit_exceeded");
}

#[test]
fn non_streamable_formats_are_refused_with_a_typed_error() {
    let bytes = corpus("speedscope/0.0.1/simple.speedscope.json");
    let e = import_reader(&bytes[..], &StreamOptions::default(), &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("collapsed (streaming)"), "{e}");
}

/// A reader of `main;aaaa…` that never ends, counting what it gave, and
/// failing the test past `most` bytes.
struct Endless {
    given: u64,
    most: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        assert!(self.given <= self.most, "read {} bytes of an endless input", self.given);
        let head = b"main;";
        for (i, b) in buf.iter_mut().enumerate() {
            *b = head.get(self.given as usize + i).copied().unwrap_or(b'a');
        }
        self.given += buf.len() as u64;
        Ok(buf.len())
    }
}

/// Chunk and record sizes past what memory holds (`usize::MAX`) are taken
/// as the input's bound: no allocation of that size (a capacity overflow
/// panic before), and an endless line stops at `max_input_bytes` with
/// `limit_exceeded` (it was read on without bound).
#[test]
fn chunk_and_record_sizes_are_bounded_by_the_input_limit() {
    let limits = IngestLimits { max_input_bytes: 1 << 20, ..Default::default() };
    for (chunk_bytes, max_record_bytes) in [(usize::MAX, usize::MAX), (8 << 20, usize::MAX), (usize::MAX, 0)] {
        let opts =
            StreamOptions { import: ImportOptions { limits, ..Default::default() }, chunk_bytes, max_record_bytes };
        let mut endless = Endless { given: 0, most: 4 << 20 };
        let e = import_reader(&mut endless, &opts, &mut |_| {}).unwrap_err();
        assert_eq!(e.code(), "limit_exceeded", "{chunk_bytes} {max_record_bytes}: {e}");
        assert!(e.to_string().contains("max_input_bytes"), "{e}");
        assert!(endless.given <= (1 << 20) + (128 << 10), "{} bytes read", endless.given);
        // A whole input under the bound imports as with the default sizes.
        let input = "main;a 1\nmain;b 2\n".repeat(1000);
        let (g, _) = import_reader(input.as_bytes(), &opts, &mut |_| {}).unwrap();
        assert_eq!(g.profiles()[0].total_weight(), 3000.0);
    }
}

/// Generates collapsed lines on the fly from a fixed set of 5,000 distinct
/// stacks (what a long profiling run looks like), up to `remaining` bytes.
struct Generated {
    stacks: Vec<String>,
    remaining: u64,
    state: u64,
    line: Vec<u8>,
    pos: usize,
}

impl Generated {
    fn new(bytes: u64) -> Self {
        let stacks = (0..5_000u32)
            .map(|i| {
                let depth = 10 + i % 30;
                (0..depth)
                    .map(|d| format!("module_{}::function_{}", d % 13, (i * 31 + d * 7) % 977))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .collect();
        Generated { stacks, remaining: bytes, state: 0x2545_F491_4F6C_DD1D, line: Vec::new(), pos: 0 }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.remaining > 0 {
            if self.pos == self.line.len() {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                let s = &self.stacks[(self.state % self.stacks.len() as u64) as usize];
                self.line.clear();
                self.line.extend_from_slice(s.as_bytes());
                self.line.extend_from_slice(format!(" {}\n", self.state % 100 + 1).as_bytes());
                self.pos = 0;
            }
            let k = (self.line.len() - self.pos).min(buf.len() - n).min(self.remaining as usize);
            buf[n..n + k].copy_from_slice(&self.line[self.pos..self.pos + k]);
            self.pos += k;
            n += k;
            self.remaining -= k as u64;
        }
        Ok(n)
    }
}

#[test]
#[ignore = "2 GB of input: run by scripts/test-all.sh (cargo test --test streaming -- --ignored)"]
fn two_gigabytes_stream_with_bounded_memory() {
    const SIZE: u64 = 2 << 30;
    let opts = StreamOptions {
        import: ImportOptions {
            limits: IngestLimits { max_input_bytes: u64::MAX, ..Default::default() },
            ..Default::default()
        },
        ..Default::default()
    };
    let mut read = 0;
    let started = std::time::Instant::now();
    let (g, report) = import_reader(Generated::new(SIZE), &opts, &mut |n| read = n).unwrap();
    let elapsed = started.elapsed();
    let peak = common::measure::peak_rss_bytes();
    assert_eq!(read, SIZE);
    assert!(report.is_clean() || report.skipped.get("invalid_line") == Some(&1), "{report:?}");
    assert!(g.profiles()[0].sample_count() <= 5_000);
    eprintln!(
        "streamed {} MiB in {:.1} s ({:.0} MiB/s), peak RSS {} MiB",
        SIZE >> 20,
        elapsed.as_secs_f64(),
        (SIZE >> 20) as f64 / elapsed.as_secs_f64(),
        peak >> 20
    );
    assert!(peak < 200 << 20, "peak RSS {} MiB is not under 200 MiB", peak >> 20);
}
