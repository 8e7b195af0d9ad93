//! pprof `profile.proto`: the corpus's `pprof/simple.prof` (gzip, from Go's
//! runtime/pprof), its raw protobuf, and hand-encoded profiles for inlining,
//! mapping-only locations, zero/negative values and bad references.
//!
//! Expected values for simple.prof were worked out from the file itself with a
//! 60-line pure-Python protobuf reader (varint/length-delimited parsing only,
//! no protobuf library): `gzip.decompress` the file (giving
//! `tests/data/pprof/simple-raw.pb`, 1918 bytes), read the string table, the
//! two sample types (`samples`/`count`, `cpu`/`nanoseconds`),
//! `default_sample_type` 0 (unset), the 25 functions, 30 locations (one line
//! each, no start lines) and 9 samples. Each sample's stack is its
//! location_ids reversed, names from location → line → function:
//!
//! ```text
//! runtime.main;main.main;main.delta;main.beta       14  140000000
//! runtime.main;main.main;main.alpha                 26  260000000
//! runtime.main;main.main;main.gamma                 27  270000000
//! runtime.morestack;runtime.newstack;runtime.duffcopy 11 110000000
//! runtime.main;main.main;main.beta                  25  250000000
//! runtime.main;main.main;main.delta                 22  220000000
//! runtime.main;main.main;main.delta;main.alpha      22  220000000
//! runtime.timerproc;...;runtime.mach_semaphore_signal (12 frames) 1 10000000
//! runtime.mstart;runtime.mstart1;runtime.sysmon;runtime.usleep 2 20000000
//! ```
//!
//! Summing by hand: runtime.main and main.main total 14+26+27+25+22+22 = 136,
//! main.delta self 22, total 14+22+22 = 58; main.beta self = total =
//! 14+25 = 39; main.alpha 26+22 = 48; main.gamma 27; runtime.duffcopy 11;
//! runtime.usleep 2; all samples 150. The cpu values are the sample counts
//! times 10,000,000 ns (the period).

use flamekit::{Error, Format, ImportOptions, IngestLimits, LimitKind, ValueUnit};

use crate::common::{assert_close, corpus, data, profile_names, weights};

fn simple_gz() -> Vec<u8> {
    corpus("pprof/simple.prof")
}

fn simple_raw() -> Vec<u8> {
    data("pprof/simple-raw.pb")
}

#[test]
fn simple_prof_profiles_units_and_weights() {
    let g = flamekit::import(&simple_gz(), Some("simple.prof")).unwrap();
    assert_eq!(g.format(), "pprof");
    assert_eq!(g.name(), "");
    assert_eq!(profile_names(&g), vec!["samples", "cpu"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::None);
    assert_eq!(g.profiles()[1].unit(), ValueUnit::Nanoseconds);
    // default_sample_type is unset: the last sample type is active.
    assert_eq!(g.active_profile_index(), 1);
    for (pi, scale) in [(0, 1.0), (1, 1e7)] {
        let p = &g.profiles()[pi];
        assert_eq!(p.sample_count(), 9);
        assert_close(p.total_weight(), 150.0 * scale);
        for (name, s, t) in [
            ("runtime.main", 0.0, 136.0),
            ("main.main", 0.0, 136.0),
            ("main.delta", 22.0, 58.0),
            ("main.beta", 39.0, 39.0),
            ("main.alpha", 48.0, 48.0),
            ("main.gamma", 27.0, 27.0),
            ("runtime.duffcopy", 11.0, 11.0),
            ("runtime.morestack", 0.0, 11.0),
            ("runtime.usleep", 2.0, 2.0),
            ("runtime.mach_semaphore_signal", 1.0, 1.0),
        ] {
            let (sw, tw) = weights(&g, pi, name);
            assert_close(sw, s * scale);
            assert_close(tw, t * scale);
        }
    }
    let stacks = flamekit::dump_stacks(&g, &g.profiles()[0]);
    assert_eq!(stacks[0], "runtime.main;main.main;main.delta;main.beta 14");
    assert_eq!(stacks[3], "runtime.morestack;runtime.newstack;runtime.duffcopy 11");
    assert_eq!(stacks[6], "runtime.main;main.main;main.delta;main.alpha 22");
    assert_eq!(stacks.len(), 9);
    // File from the function; start_line is 0 in this file, so no line.
    let beta = g.frames().iter().find(|f| f.name == "main.beta").unwrap();
    assert_eq!(beta.file.as_deref(), Some("/Users/jlfwong/code/speedscope/sample/programs/go/simple.go"));
    assert_eq!(beta.line, None);
}

#[test]
fn gzip_and_raw_give_the_same_group() {
    let gz = flamekit::import(&simple_gz(), None).unwrap();
    let raw = flamekit::import(&simple_raw(), None).unwrap();
    assert_eq!(gz, raw);
}

#[test]
fn detection_needs_no_file_name() {
    for bytes in [simple_gz(), simple_raw()] {
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Pprof);
        let named = flamekit::import(&bytes, Some("simple.prof")).unwrap();
        assert_eq!(flamekit::import(&bytes, None).unwrap(), named);
        assert_eq!(flamekit::import(&bytes, Some("unknown")).unwrap(), named);
    }
    // Text and JSON are not taken for protobuf.
    for text in [&b"{\"a\": 1}"[..], b"a;b;c 1\n", b"H\n", b"8\n", b"\n\x00"] {
        assert_ne!(flamekit::detect(text, None).ok(), Some(Format::Pprof), "{text:?}");
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for bytes in [simple_raw(), simple_gz()] {
        for n in 0..bytes.len() {
            let prefix = &bytes[..n];
            if let Err(e) = flamekit::import(prefix, None) {
                assert!(Error::CODES.contains(&e.code()), "{e}");
            }
            if let Err(e) = flamekit::import_format(Format::Pprof, prefix, &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{e}");
            }
        }
    }
    // A cut inside a top-level field is reported as truncation.
    let raw = simple_raw();
    let e = flamekit::import_format(Format::Pprof, &raw[..raw.len() / 2], &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "truncated_input", "{e}");
}

#[test]
fn limits_are_enforced() {
    let raw = simple_raw();
    let with = |f: fn(&mut IngestLimits)| {
        let mut limits = IngestLimits::default();
        f(&mut limits);
        ImportOptions { limits, ..Default::default() }
    };
    type Case = (fn(&mut IngestLimits), LimitKind);
    let cases: [Case; 4] = [
        (|l| l.max_frames = 10, LimitKind::Frames),
        (|l| l.max_samples = 10, LimitKind::Samples),
        (|l| l.max_stack_depth = 11, LimitKind::StackDepth),
        (|l| l.max_stack_nodes = 26, LimitKind::StackNodes),
    ];
    for (set, kind) in cases {
        match flamekit::import_with(&raw, None, &with(set)) {
            Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, kind),
            other => panic!("expected {kind}, got {other:?}"),
        }
    }
    // 25 functions, 12-deep stack, 18 samples in all, 27 distinct stack
    // prefixes: exactly at the limits is fine.
    let ok = ImportOptions {
        limits: IngestLimits {
            max_frames: 25,
            max_samples: 18,
            max_stack_depth: 12,
            max_stack_nodes: 27,
            ..Default::default()
        },
        ..Default::default()
    };
    flamekit::import_with(&raw, None, &ok).unwrap();
}

// ---- hand-encoded profiles -------------------------------------------------

/// Minimal protobuf writer for test inputs.
#[derive(Default)]
struct Pb(Vec<u8>);

impl Pb {
    fn varint(&mut self, mut v: u64) -> &mut Self {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return self;
            }
            self.0.push(b | 0x80);
        }
    }
    fn int(&mut self, field: u64, v: i64) -> &mut Self {
        self.varint(field << 3).varint(v as u64)
    }
    fn bytes(&mut self, field: u64, b: &[u8]) -> &mut Self {
        self.varint(field << 3 | 2).varint(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    fn packed(&mut self, field: u64, vals: &[i64]) -> &mut Self {
        let mut inner = Pb::default();
        for &v in vals {
            inner.varint(v as u64);
        }
        self.bytes(field, &inner.0)
    }
    fn msg(&mut self, field: u64, build: impl FnOnce(&mut Pb)) -> &mut Self {
        let mut inner = Pb::default();
        build(&mut inner);
        self.bytes(field, &inner.0)
    }
}

const STRINGS: &[&str] = &["", "samples", "count", "space", "bytes", "outer", "inner", "leaf", "lib.so", "a.c"];

/// Profile fields (tags): 1 sample_type, 2 sample, 3 mapping, 4 location,
/// 5 function, 6 string_table, 14 default_sample_type.
/// Functions 1 outer (a.c, start line 10), 2 inner, 3 leaf; mapping 1 lib.so;
/// location 1 = lines [leaf, inner] (leaf inlined into inner), location 2 =
/// [outer], location 3 = mapping 1 at 0x1234 without lines.
fn base(pb: &mut Pb) {
    for s in STRINGS {
        pb.bytes(6, s.as_bytes());
    }
    pb.msg(1, |m| {
        m.int(1, 1).int(2, 2);
    });
    pb.msg(1, |m| {
        m.int(1, 3).int(2, 4);
    });
    pb.int(14, 3);
    pb.msg(5, |m| {
        m.int(1, 1).int(2, 5).int(4, 9).int(5, 10);
    });
    pb.msg(5, |m| {
        m.int(1, 2).int(2, 6).int(4, 9);
    });
    pb.msg(5, |m| {
        m.int(1, 3).int(2, 7).int(4, 9);
    });
    pb.msg(3, |m| {
        m.int(1, 1).int(5, 8);
    });
    pb.msg(4, |m| {
        m.int(1, 1).msg(4, |l| {
            l.int(1, 3).int(2, 30);
        });
        m.msg(4, |l| {
            l.int(1, 2).int(2, 20);
        });
    });
    pb.msg(4, |m| {
        m.int(1, 2).msg(4, |l| {
            l.int(1, 1).int(2, 11);
        });
    });
    pb.msg(4, |m| {
        m.int(1, 3).int(2, 1).int(3, 0x1234);
    });
}

fn sample(pb: &mut Pb, locations: &[i64], values: &[i64]) {
    pb.msg(2, |m| {
        m.packed(1, locations).packed(2, values);
    });
}

#[test]
fn inlining_mapping_only_locations_zero_and_negative_values() {
    let mut pb = Pb::default();
    base(&mut pb);
    sample(&mut pb, &[1, 2], &[3, 100]); // outer;inner;leaf
    sample(&mut pb, &[3, 2], &[2, 0]); // outer;0x1234, no space
    sample(&mut pb, &[2], &[0, 50]); // outer, no samples
    sample(&mut pb, &[2], &[-1, 7]); // negative samples value: skipped there
    let bytes = pb.0;
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Pprof);
    let (g, report) = flamekit::import_with(&bytes, None, &ImportOptions::default()).unwrap();
    assert_eq!(profile_names(&g), vec!["samples", "space"]);
    assert_eq!(g.profiles()[1].unit(), ValueUnit::Bytes);
    assert_eq!(g.active_profile_index(), 1, "default_sample_type names `space`");
    assert_eq!(report.skipped.get("negative_value"), Some(&1));

    let samples = &g.profiles()[0];
    assert_eq!(samples.sample_count(), 2);
    assert_eq!(flamekit::dump_stacks(&g, samples), vec!["outer;inner;leaf 3", "outer;0x1234 2"]);
    assert_eq!(weights(&g, 0, "outer"), (0.0, 5.0));
    assert_eq!(weights(&g, 0, "leaf"), (3.0, 3.0));
    assert_eq!(weights(&g, 0, "0x1234"), (2.0, 2.0));

    let space = &g.profiles()[1];
    assert_eq!(space.sample_count(), 3);
    assert_eq!(flamekit::dump_stacks(&g, space), vec!["outer;inner;leaf 100", "outer 57"]);
    assert_eq!(weights(&g, 1, "outer"), (57.0, 157.0));
    assert_eq!(weights(&g, 1, "inner"), (0.0, 100.0));

    let outer = g.frames().iter().find(|f| f.name == "outer").unwrap();
    assert_eq!((outer.file.as_deref(), outer.line), (Some("a.c"), Some(10)));
    let addr = g.frames().iter().find(|f| f.name == "0x1234").unwrap();
    assert_eq!(addr.file.as_deref(), Some("lib.so"));
}

/// A location met again away from the previous sample's shared prefix
/// gives the frames of its first use: one frame (`outer`), two lines
/// (`leaf` inlined into `inner`), no lines (the address frame).
#[test]
fn locations_met_again_give_the_same_frames() {
    let mut pb = Pb::default();
    base(&mut pb);
    sample(&mut pb, &[1, 2], &[1, 1]);
    sample(&mut pb, &[2, 3], &[2, 2]);
    sample(&mut pb, &[1, 3], &[3, 3]);
    sample(&mut pb, &[2, 1], &[4, 4]);
    sample(&mut pb, &[3, 1], &[5, 5]);
    sample(&mut pb, &[3, 2, 1, 2], &[6, 6]);
    let (g, _) = flamekit::import_with(&pb.0, None, &ImportOptions::default()).unwrap();
    let expected = [
        "outer;inner;leaf 1",
        "0x1234;outer 2",
        "0x1234;inner;leaf 3",
        "inner;leaf;outer 4",
        "inner;leaf;0x1234 5",
        "outer;inner;leaf;outer;0x1234 6",
    ];
    for p in g.profiles() {
        assert_eq!(flamekit::dump_stacks(&g, p), expected);
    }
    // Four frames in all: each location's frames were interned once.
    assert_eq!(g.frames().len(), 4);
}

fn expect_invalid(bytes: &[u8], location: &str) {
    match flamekit::import_format(Format::Pprof, bytes, &ImportOptions::default()) {
        Err(Error::InvalidProfile { location: l, .. }) => assert_eq!(l, location),
        other => panic!("expected invalid_profile at {location}, got {other:?}"),
    }
}

#[test]
fn bad_references_are_typed_errors() {
    // String index out of range in a function name.
    let mut pb = Pb::default();
    base(&mut pb);
    pb.msg(5, |m| {
        m.int(1, 4).int(2, 99);
    });
    expect_invalid(&pb.0, "function[3].name");

    // Unknown location in a sample.
    let mut pb = Pb::default();
    base(&mut pb);
    sample(&mut pb, &[2, 42], &[1, 1]);
    expect_invalid(&pb.0, "sample[0].location_id[1]");

    // Unknown function in a line, unknown mapping in a location.
    let mut pb = Pb::default();
    base(&mut pb);
    pb.msg(4, |m| {
        m.int(1, 9).msg(4, |l| {
            l.int(1, 77);
        });
    });
    expect_invalid(&pb.0, "location[3].line[0].function_id");
    let mut pb = Pb::default();
    base(&mut pb);
    pb.msg(4, |m| {
        m.int(1, 9).int(2, 5);
    });
    expect_invalid(&pb.0, "location[3].mapping_id");

    // ... also in a sample whose values are all zero (skipped, but still checked).
    let mut pb = Pb::default();
    base(&mut pb);
    sample(&mut pb, &[42], &[0, 0]);
    expect_invalid(&pb.0, "sample[0].location_id[0]");

    // Value count differs from the sample type count.
    let mut pb = Pb::default();
    base(&mut pb);
    sample(&mut pb, &[2], &[1]);
    expect_invalid(&pb.0, "sample[0].value");

    // Duplicate function id; negative string index; default_sample_type out of range.
    let mut pb = Pb::default();
    base(&mut pb);
    pb.msg(5, |m| {
        m.int(1, 2).int(2, 5);
    });
    expect_invalid(&pb.0, "function[3].id");
    let mut pb = Pb::default();
    base(&mut pb);
    pb.msg(1, |m| {
        m.int(1, -1);
    });
    expect_invalid(&pb.0, "sample_type[2].type");
    let mut pb = Pb::default();
    base(&mut pb);
    pb.int(14, 1000);
    expect_invalid(&pb.0, "default_sample_type");

    // A field Profile does not have, and a nested message cut short.
    let mut pb = Pb::default();
    base(&mut pb);
    pb.int(20, 1);
    expect_invalid(&pb.0, &format!("byte {}", pb.0.len() - 3));
    let mut pb = Pb::default();
    base(&mut pb);
    pb.bytes(2, &[0x0a, 0x05, 0x01]);
    expect_invalid(&pb.0, "protobuf");
}

#[test]
fn sparse_ids_and_unset_default() {
    // Ids need not be 1..=n: functions 100 (f) and 200 (g), locations 9 → g
    // and 4 → f, listed out of order. No default_sample_type: the last type
    // is active.
    let mut pb = Pb::default();
    for s in ["", "wall", "microseconds", "f", "g"] {
        pb.bytes(6, s.as_bytes());
    }
    pb.msg(1, |m| {
        m.int(1, 1).int(2, 2);
    });
    pb.msg(5, |m| {
        m.int(1, 200).int(2, 4);
    });
    pb.msg(5, |m| {
        m.int(1, 100).int(2, 3);
    });
    pb.msg(4, |m| {
        m.int(1, 9).msg(4, |l| {
            l.int(1, 200);
        });
    });
    pb.msg(4, |m| {
        m.int(1, 4).msg(4, |l| {
            l.int(1, 100);
        });
    });
    sample(&mut pb, &[9, 4], &[5]); // leaf g called from f
    sample(&mut pb, &[4], &[2]);
    let g = flamekit::import(&pb.0, None).unwrap();
    assert_eq!(profile_names(&g), vec!["wall"]);
    assert_eq!(g.profiles()[0].unit(), ValueUnit::Microseconds);
    assert_eq!(g.active_profile_index(), 0);
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["f;g 5", "f 2"]);
    assert_eq!(weights(&g, 0, "f"), (2.0, 7.0));
}

/// A sample's location ids (outermost first) and its two values.
type Sample = (Vec<u64>, [i64; 2]);

/// What [`many_samples`] breaks: nothing, sample `i`'s leaf location (an
/// id no location has), or sample `i` itself (malformed protobuf).
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    BadLocation(usize),
    Malformed(usize),
}

/// A profile of 300 functions `f1`..`f300`: location `k` (1..=300) is
/// `f{k}`, location `300 + j` (1..=20) is `f{j+1}` inlined into `f{j}`; two
/// sample types. `mixed` adds locations without lines (`320 + j`, 1..=10,
/// at address `0xfff + j` of `lib.so`) and location 331, `f1` to `f64`
/// inlined into each other, drawn among the others and eight more times at
/// the end of every sample from 5,000 to 5,199 and of one in forty after
/// ([`names_of`]). Samples (from a fixed pseudo-random sequence) keep a
/// random part of the previous sample's stack, as profilers' samples do, or
/// one in four go back to the stack before it; one in ten has no value, one in thirty a negative one. Large enough
/// (about 1 MB) that the samples are read in many runs, on any thread
/// count. Returns the bytes and every sample's location ids (outermost
/// first) and values.
fn many_samples(fault: Fault, mixed: bool) -> (Vec<u8>, Vec<Sample>) {
    let mut pb = Pb::default();
    tables(&mut pb, mixed);
    let locations_in = if mixed { 331 } else { 320 };
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut samples = Vec::new();
    let mut stack: Vec<u64> = Vec::new();
    let mut before: Vec<u64> = Vec::new();
    for i in 0..60_000 {
        let last = stack.clone();
        if next(4) == 0 {
            // Back to the stack before the last one.
            stack.clone_from(&before);
        } else {
            let keep = next(stack.len() as u64 + 1) as usize;
            stack.truncate(keep);
        }
        before = last;
        let depth = 1 + next(12) as usize;
        while stack.len() < depth {
            stack.push(1 + next(locations_in));
        }
        let mut locations = stack.clone();
        // Every sample of a stretch, so that they hold more functions
        // than a run's worker expands, then one in forty.
        if mixed && ((5_000..5_200).contains(&i) || (i >= 5_200 && next(40) == 0)) {
            locations.extend([331; 8]);
        }
        if fault == Fault::BadLocation(i) {
            locations.push(999);
        }
        let values = match next(30) {
            0..=2 => [0, 0],
            3 => [-1, 1 + next(9) as i64],
            _ => [1 + next(5) as i64, next(1000) as i64],
        };
        let leaf_first: Vec<i64> = locations.iter().rev().map(|&l| l as i64).collect();
        if fault == Fault::Malformed(i) {
            // Its packed location ids say 5 bytes and hold 1.
            pb.bytes(2, &[0x0a, 0x05, 0x01]);
        } else {
            sample(&mut pb, &leaf_first, &values);
        }
        samples.push((locations, values));
    }
    assert!(pb.0.len() > 800_000, "{} bytes", pb.0.len());
    (pb.0, samples)
}

/// The tables of [`many_samples`].
fn tables(pb: &mut Pb, mixed: bool) {
    for s in ["", "samples", "count", "space", "bytes"] {
        pb.bytes(6, s.as_bytes());
    }
    for k in 1..=300 {
        pb.bytes(6, format!("f{k}").as_bytes());
    }
    pb.msg(1, |m| {
        m.int(1, 1).int(2, 2);
    });
    pb.msg(1, |m| {
        m.int(1, 3).int(2, 4);
    });
    for k in 1..=300i64 {
        pb.msg(5, |m| {
            m.int(1, k).int(2, 4 + k);
        });
        pb.msg(4, |m| {
            m.int(1, k).msg(4, |l| {
                l.int(1, k);
            });
        });
    }
    for j in 1..=20i64 {
        pb.msg(4, |m| {
            m.int(1, 300 + j);
            m.msg(4, |l| {
                l.int(1, j + 1);
            });
            m.msg(4, |l| {
                l.int(1, j);
            });
        });
    }
    if mixed {
        // String 305.
        pb.bytes(6, b"lib.so");
        pb.msg(3, |m| {
            m.int(1, 1).int(5, 305);
        });
        for j in 1..=10i64 {
            pb.msg(4, |m| {
                m.int(1, 320 + j).int(2, 1).int(3, 0xfff + j);
            });
        }
        pb.msg(4, |m| {
            m.int(1, 331);
            for f in (1..=64).rev() {
                m.msg(4, |l| {
                    l.int(1, f);
                });
            }
        });
    }
}

/// The frame names of location `l` of [`many_samples`], outermost first.
fn names_of(l: u64) -> Vec<String> {
    match l {
        1..=300 => vec![format!("f{l}")],
        301..=320 => vec![format!("f{}", l - 300), format!("f{}", l - 299)],
        321..=330 => vec![format!("0x{:x}", 0xfff + l - 320)],
        _ => (1..=64).map(|f| format!("f{f}")).collect(),
    }
}

/// What `dump_stacks` gives for sample type `ty` of `samples`: each sample
/// with a positive value, its stack's frame names, consecutive equal
/// stacks summed.
fn expected_dump(samples: &[Sample], ty: usize) -> Vec<String> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for (locations, values) in samples {
        if values[ty] <= 0 {
            continue;
        }
        let stack = locations.iter().flat_map(|&l| names_of(l)).collect::<Vec<_>>().join(";");
        match out.last_mut() {
            Some((last, w)) if *last == stack => *w += values[ty],
            _ => out.push((stack, values[ty])),
        }
    }
    out.into_iter().map(|(s, w)| format!("{s} {w}")).collect()
}

/// Samples read in many runs (on one thread and on four) keep their stacks,
/// values and order, frames are numbered in order of first use, and the
/// negative values are reported.
#[test]
fn samples_read_in_many_runs_keep_their_stacks_and_order() {
    let (bytes, samples) = many_samples(Fault::None, false);
    check_many_samples(&bytes, &samples);
}

/// The same with locations without lines and a location of 64 inlined
/// functions, repeated in some samples (read on four threads, more
/// functions than a run's worker expands).
#[test]
fn samples_of_every_kind_of_location_in_many_runs_keep_their_stacks_and_order() {
    let (bytes, samples) = many_samples(Fault::None, true);
    check_many_samples(&bytes, &samples);
}

/// Past the depth limit, the error is the one of the first sample (with a
/// value) whose stack passes it, on any thread count: at the location of
/// several functions that passes it, or for the whole stack.
#[test]
fn inlined_functions_past_the_depth_limit_fail_at_the_same_place_on_any_thread_count() {
    let (bytes, samples) = many_samples(Fault::None, true);
    let max = 100;
    let expected = samples
        .iter()
        .filter(|(_, v)| v.iter().any(|&x| x != 0))
        .find_map(|(locations, _)| {
            let mut depth = 0;
            for &l in locations {
                let n = names_of(l).len() as u64;
                if n > 1 && depth + n > max {
                    return Some(depth + n);
                }
                depth += n;
            }
            (depth > max).then_some(depth)
        })
        .expect("a sample past the limit");
    expect_depth_error(&bytes, max, expected);
}

/// Import `bytes` on one thread and on four with `max_stack_depth` `max`:
/// the depth limit, met at depth `value`.
fn expect_depth_error(bytes: &[u8], max: u64, value: u64) {
    for threads in [1, 4] {
        let opts = ImportOptions {
            threads,
            limits: IngestLimits { max_stack_depth: max, ..Default::default() },
            ..Default::default()
        };
        match flamekit::import_with(bytes, None, &opts) {
            Err(Error::LimitExceeded { limit: LimitKind::StackDepth, value: v, .. }) => {
                assert_eq!(v, value, "{threads} threads")
            }
            other => panic!("{threads} threads: expected the depth limit, got {other:?}"),
        }
    }
}

/// A location of 64 functions under the same location, shared with the
/// sample before, then one more frame: the stack passes 100 at the second
/// location (64 + 64 = 128), before its last frame (129), though the new
/// locations alone (65 functions) do not.
#[test]
fn a_location_of_many_functions_below_a_shared_one_meets_the_depth_limit_there() {
    let mut pb = Pb::default();
    tables(&mut pb, true);
    // Enough samples before (about 100 KB) to read them in several runs.
    for k in 0..10_000i64 {
        sample(&mut pb, &[1 + k % 300], &[1, 1]);
    }
    sample(&mut pb, &[331], &[1, 1]);
    sample(&mut pb, &[1, 331, 331], &[1, 1]);
    assert!(pb.0.len() > 80_000, "{} bytes", pb.0.len());
    expect_depth_error(&pb.0, 100, 128);
}

/// The top-level fields of a hand-encoded profile (every one a varint or
/// length-delimited), each with whether it is a sample.
fn top_level_fields(b: &[u8]) -> Vec<(bool, &[u8])> {
    let varint = |i: &mut usize| {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let c = b[*i];
            *i += 1;
            v |= u64::from(c & 0x7f) << shift;
            if c < 0x80 {
                break;
            }
        }
        v
    };
    let mut fields = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let key = varint(&mut i);
        let v = varint(&mut i);
        if key & 7 == 2 {
            i += v as usize;
        }
        fields.push((key >> 3 == 2, &b[start..i]));
    }
    fields
}

/// The same fields with the other fields spread among the samples: one
/// after every `every` samples, in their order (protobuf keeps the order of
/// a repeated field, not of different fields).
fn interleaved(b: &[u8], every: usize) -> Vec<u8> {
    let fields = top_level_fields(b);
    let mut others = fields.iter().filter(|(sample, _)| !sample).map(|(_, f)| *f);
    let mut out = Vec::with_capacity(b.len());
    for (k, (_, f)) in fields.iter().filter(|(sample, _)| *sample).enumerate() {
        if k % every == 0 {
            out.extend_from_slice(others.next().unwrap_or_default());
        }
        out.extend_from_slice(f);
    }
    others.for_each(|f| out.extend_from_slice(f));
    assert_eq!(out.len(), b.len());
    out
}

/// Samples among the other fields, in a few blocks or one field after
/// every 50 samples (more alternations than the importer keeps track of),
/// import as when they come in one block.
#[test]
fn samples_interleaved_with_the_tables_keep_their_stacks_and_order() {
    let (bytes, samples) = many_samples(Fault::None, false);
    for every in [20_000, 50] {
        let b = interleaved(&bytes, every);
        assert_ne!(b, bytes);
        check_many_samples(&b, &samples);
    }
}

/// Import `bytes`, the profile of [`many_samples`], on one thread and on
/// four, and check its stacks, values, frame order and report against
/// `samples`.
fn check_many_samples(bytes: &[u8], samples: &[Sample]) {
    for threads in [1, 4] {
        let opts = ImportOptions { threads, ..Default::default() };
        let (g, report) = flamekit::import_with(bytes, None, &opts).unwrap();
        for ty in 0..2 {
            let dump = flamekit::dump_stacks(&g, &g.profiles()[ty]);
            assert!(dump == expected_dump(samples, ty), "{threads} threads, sample type {ty}");
        }
        let negative = samples.iter().filter(|(_, v)| v[0] < 0).count() as u64;
        assert_eq!(report.skipped.get("negative_value"), Some(&negative));
        // Frames in order of first use by a sample with a value.
        let mut first_use: Vec<String> = Vec::new();
        for (locations, values) in samples {
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            for &l in locations {
                for name in names_of(l) {
                    if !first_use.contains(&name) {
                        first_use.push(name);
                    }
                }
            }
        }
        let frames: Vec<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(frames, first_use, "{threads} threads");
    }
}

/// The first error in file order is the one reported, whichever reader
/// meets it: a bad location id in sample 40,000 (met while decoding), the
/// sample limit (met while building), or both.
#[test]
fn errors_in_many_runs_come_in_file_order() {
    let (bytes, samples) = many_samples(Fault::BadLocation(40_000), false);
    // Samples with a positive value, up to sample `n` (excluded), per type.
    let pushed = |n: usize| samples[..n].iter().map(|(_, v)| v.iter().filter(|&&x| x > 0).count()).sum::<usize>();
    for threads in [1, 4] {
        let with = |max_samples: usize| ImportOptions {
            threads,
            limits: IngestLimits { max_samples: max_samples as u64, ..Default::default() },
            ..Default::default()
        };
        // The bad id first: its location is after the leaf's index.
        match flamekit::import_with(&bytes, None, &with(pushed(60_000))) {
            Err(Error::InvalidProfile { location, .. }) => {
                let depth = samples[40_000].0.len();
                assert_eq!(location, "sample[40000].location_id[0]", "{threads} threads, depth {depth}");
            }
            other => panic!("{threads} threads: expected the bad location, got {other:?}"),
        }
        // The sample limit first, in an earlier run than the bad id.
        match flamekit::import_with(&bytes, None, &with(pushed(10_000))) {
            Err(Error::LimitExceeded { limit: LimitKind::Samples, value, .. }) => {
                assert_eq!(value, pushed(10_000) as u64 + 1)
            }
            other => panic!("{threads} threads: expected the sample limit, got {other:?}"),
        }
        // The sample limit met a few samples before the bad id (most likely
        // in the same run).
        let near = (39_990..40_000).find(|&i| samples[i].1.iter().any(|&v| v > 0)).expect("a sample with a value");
        match flamekit::import_with(&bytes, None, &with(pushed(near))) {
            Err(Error::LimitExceeded { limit: LimitKind::Samples, value, .. }) => {
                assert_eq!(value, pushed(near) as u64 + 1)
            }
            other => panic!("{threads} threads: expected the sample limit, got {other:?}"),
        }
    }
}

/// Malformed protobuf in sample 40,000 is the error, on any thread count,
/// even when the sample limit is met 30,000 samples before it: malformed
/// input is reported first, as when the whole input is decoded before
/// anything else is checked.
#[test]
fn a_malformed_sample_among_many_runs_is_the_error() {
    let (bytes, samples) = many_samples(Fault::Malformed(40_000), false);
    let pushed = samples[..10_000].iter().map(|(_, v)| v.iter().filter(|&&x| x > 0).count()).sum::<usize>();
    for threads in [1, 4] {
        for max_samples in [u64::MAX, pushed as u64] {
            let opts = ImportOptions {
                threads,
                limits: IngestLimits { max_samples, ..Default::default() },
                ..Default::default()
            };
            match flamekit::import_with(&bytes, None, &opts) {
                Err(Error::InvalidProfile { location, .. }) => assert_eq!(location, "protobuf"),
                other => panic!("{threads} threads, {max_samples} samples at most: got {other:?}"),
            }
        }
    }
}
