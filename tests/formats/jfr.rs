//! Java Flight Recorder: the corpus's `java-flight-recorder/heavy.jfr`, plus
//! corrupted and hand-built recordings.
//!
//! Expected values come from `tests/data/jfr/jfr_samples.py`, a separate
//! ~150-line python decoder (standard library only, no shared code):
//! one 355,345-byte chunk, version 2.1, compressed integers; 346
//! `jdk.ExecutionSample` and 44 `jdk.NativeMethodSample` events, none
//! truncated, 33 distinct methods. ExecutionSample self samples:
//! DualPivotQuicksort.sort 211, DualPivotQuicksort.mixedInsertionSort 87,
//! AtomicLong.compareAndSet 25, SpinedBuffer$OfPrimitive.preAccept 10,
//! IntPipeline.forEachWithCancel 6; totals: Heavy.main 346,
//! Sink$ChainedInt.end 307, DualPivotQuicksort.sort 298,
//! IntPipeline.forEachWithCancel 39. NativeMethodSample: JVM.emitEvent
//! self 44, Thread.run total 44.
//!
//! Names and profiles follow speedscope's JFR importer: a frame is
//! `package.Class:method` (the script prints `package.Class.method`; its
//! last `.` becomes `:`), and the two profiles are `Without native calls`
//! (the ExecutionSample events) and `With native calls` (both event types,
//! 346 + 44 samples).

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_detects_exactly, corpus, profile_names, weights};

#[test]
fn heavy_jfr_execution_and_native_samples() {
    let (g, report) =
        flamekit::import_with(&corpus("java-flight-recorder/heavy.jfr"), None, &ImportOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "jfr");
    assert_eq!(profile_names(&g), vec!["Without native calls", "With native calls"]);
    assert_eq!(g.frames().len(), 33);
    let (exec, all) = (&g.profiles()[0], &g.profiles()[1]);
    assert_eq!(exec.unit(), ValueUnit::None);
    assert_eq!(exec.sample_count(), 346);
    assert_eq!(all.sample_count(), 346 + 44);
    assert_close(exec.total_weight(), 346.0);
    assert_close(all.total_weight(), 390.0);
    for (name, s, t) in [
        ("java.util.DualPivotQuicksort:sort", 211.0, 298.0),
        ("java.util.DualPivotQuicksort:mixedInsertionSort", 87.0, 87.0),
        ("java.util.concurrent.atomic.AtomicLong:compareAndSet", 25.0, 25.0),
        ("java.util.stream.SpinedBuffer$OfPrimitive:preAccept", 10.0, 10.0),
        ("java.util.stream.IntPipeline:forEachWithCancel", 6.0, 39.0),
        ("java.util.stream.Sink$ChainedInt:end", 0.0, 307.0),
        ("Heavy:main", 0.0, 346.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let (s, t) = weights(&g, 1, "jdk.jfr.internal.JVM:emitEvent");
    assert_close(s, 44.0);
    assert_close(t, 44.0);
    let (s, t) = weights(&g, 1, "java.lang.Thread:run");
    assert_close(s, 0.0);
    assert_close(t, 44.0);
    // Samples are in startTime order; the earliest one (from the script):
    let first = &flamekit::dump_stacks(&g, exec)[0];
    assert!(
        first.starts_with(
            "Heavy:main;java.util.stream.IntPipeline:toArray;java.util.stream.AbstractPipeline:evaluateToArrayNode;"
        ) && first.ends_with(
            "java.util.stream.IntPipeline:forEachWithCancel;java.util.stream.SliceOps$2$1:cancellationRequested 1"
        ),
        "{first}"
    );
}

#[test]
fn detection_picks_jfr_for_its_files_only() {
    assert_detects_exactly(Format::Jfr, |rel| rel.ends_with(".jfr"));
}

fn assert_typed(r: flamekit::Result<(flamekit::ProfileGroup, flamekit::ImportReport)>, what: &str) {
    if let Err(e) = r {
        assert!(Error::CODES.contains(&e.code()), "{what}: {e}");
    }
}

#[test]
fn every_prefix_fails_typed() {
    // A prefix is shorter than the chunk size in the header: truncated_input.
    let bytes = corpus("java-flight-recorder/heavy.jfr");
    for n in 0..bytes.len() {
        let e = flamekit::import_format(Format::Jfr, &bytes[..n], &ImportOptions::default()).unwrap_err();
        assert!(Error::CODES.contains(&e.code()), "[..{n}]: {e}");
    }
}

#[test]
fn cut_chunks_and_corrupted_bytes_never_panic() {
    let bytes = corpus("java-flight-recorder/heavy.jfr");
    // Cut the chunk and patch its size so the parser walks partial data.
    for n in (68..bytes.len()).step_by(1999) {
        let mut b = bytes[..n].to_vec();
        b[8..16].copy_from_slice(&(n as u64).to_be_bytes());
        assert_typed(flamekit::import_format(Format::Jfr, &b, &ImportOptions::default()), &format!("cut at {n}"));
    }
    // Deterministic single-byte corruptions all over the file.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..40 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut b = bytes.clone();
        let at = (x % bytes.len() as u64) as usize;
        b[at] ^= (x >> 32) as u8 | 1;
        assert_typed(
            flamekit::import_format(Format::Jfr, &b, &ImportOptions::default()),
            &format!("corruption {i} at {at}"),
        );
    }
}

/// A padded 4-byte varint (JFR readers accept redundant continuation bytes).
fn v4(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&[
        (v & 0x7f) as u8 | 0x80,
        ((v >> 7) & 0x7f) as u8 | 0x80,
        ((v >> 14) & 0x7f) as u8 | 0x80,
        (v >> 21) as u8,
    ]);
}

fn v(out: &mut Vec<u8>, mut x: u64) {
    loop {
        if x < 0x80 {
            out.push(x as u8);
            return;
        }
        out.push((x as u8 & 0x7f) | 0x80);
        x >>= 7;
    }
}

/// An event: padded size, then `body` (type id first).
fn event(body: &[u8]) -> Vec<u8> {
    let mut e = Vec::new();
    v4(&mut e, (body.len() + 4) as u32);
    e.extend_from_slice(body);
    e
}

/// One compressed-integer chunk with the given metadata classes
/// (`(name, id, fields: [(name, class id)])`) and a checkpoint body.
/// A class: name, id, and its fields (name, type id).
type Class<'a> = (&'a str, u64, &'a [(&'a str, u64)]);

fn chunk(classes: &[Class<'_>], checkpoint: &[u8], major: u16) -> Vec<u8> {
    let mut strings: Vec<String> = Vec::new();
    let s = |x: &str, strings: &mut Vec<String>| -> u64 {
        if let Some(i) = strings.iter().position(|y| y == x) {
            return i as u64;
        }
        strings.push(x.to_owned());
        strings.len() as u64 - 1
    };
    let mut tree = Vec::new();
    // root { metadata { class* { field* } } }
    v(&mut tree, s("root", &mut strings));
    v(&mut tree, 0);
    v(&mut tree, 1);
    v(&mut tree, s("metadata", &mut strings));
    v(&mut tree, 0);
    v(&mut tree, classes.len() as u64);
    for (name, id, fields) in classes {
        v(&mut tree, s("class", &mut strings));
        v(&mut tree, 2);
        for (k, val) in [("name", name.to_string()), ("id", id.to_string())] {
            v(&mut tree, s(k, &mut strings));
            v(&mut tree, s(&val, &mut strings));
        }
        v(&mut tree, fields.len() as u64);
        for (fname, fclass) in *fields {
            v(&mut tree, s("field", &mut strings));
            v(&mut tree, 2);
            for (k, val) in [("name", fname.to_string()), ("class", fclass.to_string())] {
                v(&mut tree, s(k, &mut strings));
                v(&mut tree, s(&val, &mut strings));
            }
            v(&mut tree, 0);
        }
    }
    let mut md = vec![0, 0, 0, 0]; // type 0, start, duration, id
    v(&mut md, strings.len() as u64);
    for st in &strings {
        md.push(3);
        v(&mut md, st.len() as u64);
        md.extend_from_slice(st.as_bytes());
    }
    md.extend_from_slice(&tree);
    let md = event(&md);
    let cp = event(checkpoint);
    let size = 68 + md.len() + cp.len();
    let mut out = b"FLR\0".to_vec();
    out.extend_from_slice(&major.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(size as u64).to_be_bytes());
    out.extend_from_slice(&((68 + md.len()) as u64).to_be_bytes()); // checkpoint offset
    out.extend_from_slice(&68u64.to_be_bytes()); // metadata offset
    out.extend_from_slice(&[0; 32]); // start ns, duration, start ticks, ticks/s
    out.extend_from_slice(&1u32.to_be_bytes()); // compressed integers
    out.extend_from_slice(&md);
    out.extend_from_slice(&cp);
    out
}

#[test]
fn hostile_metadata_and_versions_fail_typed() {
    // A struct type that contains itself: decoding a constant of it must
    // stop at the nesting cap, not recurse forever.
    let mut cp = vec![1, 0, 0, 0, 0]; // type 1, start, duration, delta, flush
    v(&mut cp, 1); // one pool
    v(&mut cp, 20); // of type A
    v(&mut cp, 1); // one constant
    v(&mut cp, 7); // key
    let cyclic = chunk(&[("long", 1, &[]), ("A", 20, &[("a", 20)])], &cp, 2);
    assert_eq!(flamekit::detect(&cyclic, None).unwrap(), Format::Jfr);
    let e = flamekit::import(&cyclic, None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    assert!(e.to_string().contains("nests more than"), "{e}");
    // A constant of an undefined type.
    let mut cp = vec![1, 0, 0, 0, 0, 1, 99, 1, 7];
    cp.push(0);
    let e = flamekit::import(&chunk(&[("long", 1, &[])], &cp, 2), None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    // A well-formed recording without sample events: nothing to show.
    let empty = chunk(&[("long", 1, &[])], &[1, 0, 0, 0, 0, 0], 2);
    assert_eq!(flamekit::import(&empty, None).unwrap_err().code(), "empty_profile");
    // JFR 1.x (JDK 8 commercial recordings) is refused explicitly.
    let old = chunk(&[("long", 1, &[])], &[1, 0, 0, 0, 0, 0], 1);
    let e = flamekit::import(&old, None).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("1.1"), "{e}");
    // A count larger than the bytes left is refused before allocating.
    let mut cp = vec![1, 0, 0, 0, 0];
    v(&mut cp, u32::MAX as u64);
    let e = flamekit::import(&chunk(&[("long", 1, &[])], &cp, 2), None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}
