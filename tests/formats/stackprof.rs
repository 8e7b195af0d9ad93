//! Ruby stackprof JSON: every file in the corpus's `stackprof/` folder.
//!
//! Expected values from an independent python3 decoding of `raw`:
//!
//! ```python
//! d = json.load(open(path)); fr, raw = d['frames'], d['raw']
//! key = lambda i: (fr[str(i)].get('name') or '(unknown)', fr[str(i)].get('file') or None, fr[str(i)].get('line'))
//! i = 0; prev = []; di = 0
//! while i < len(raw):
//!     dep = raw[i]; st = [key(x) for x in raw[i+1:i+1+dep]]; cnt = raw[i+1+dep]; i += dep + 2
//!     if len(st) == 1 and st[0][0] == '(garbage collection)': st = prev + st   # lone GC goes on the previous stack
//!     else: prev = st                                                # (gc);(sweeping) etc. stay outermost
//!     w = cnt * d['interval'] if mode == 'cpu' else sum(deltas[di:di+cnt]) if mode == 'wall' else cnt
//!     # (wall: di += cnt) self[st[-1]] += w; total[k] += w for k in set(st)
//! ```

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_sniff_claims_exactly, check, corpus, corpus_files, profile_names};

#[test]
fn wall_mode() {
    let bytes = corpus("stackprof/simple-stackprof.json");
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.format(), "stackprof");
    assert_eq!(profile_names(&g), vec!["wall"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    // 769 raw runs; their 1554 timestamp deltas sum to 1,551,604 µs.
    assert_eq!(p.sample_count(), 769);
    assert_close(p.total_weight(), 1_551_604.0);
    check(
        &g,
        &[
            ("Object#d", 1_087_582.0, 1_551_604.0),
            ("Object#b", 0.0, 776_898.0),
            ("Object#c", 0.0, 774_706.0),
            ("(garbage collection)", 464_022.0, 464_022.0),
        ],
    );
    let d = g.frames().iter().find(|f| f.name == "Object#d").unwrap();
    assert_eq!(d.line, Some(23));
    assert!(d.file.as_deref().unwrap().ends_with("sample/programs/ruby/simple.rb"));
}

#[test]
fn cpu_mode() {
    let g = flamekit::import(&corpus("stackprof/simple-cpu-stackprof.json"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["cpu"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    // 489 samples × interval 1000 µs, in 335 raw runs.
    assert_eq!(p.sample_count(), 335);
    assert_close(p.total_weight(), 489_000.0);
    // This file records GC as `(garbage collection);(sweeping)` and
    // `(garbage collection);(marking)` stacks: they stay outermost (as in
    // speedscope), so no function above them gets their 79 ms.
    check(
        &g,
        &[
            ("Object#a", 0.0, 410_000.0),
            ("Object#d", 331_000.0, 331_000.0),
            ("Object#e", 79_000.0, 79_000.0),
            ("(garbage collection)", 0.0, 79_000.0),
            ("(sweeping)", 71_000.0, 71_000.0),
            ("(marking)", 8_000.0, 8_000.0),
        ],
    );
}

#[test]
fn object_mode() {
    let g = flamekit::import(&corpus("stackprof/object-stackprof.json"), None).unwrap();
    assert_eq!(profile_names(&g), vec!["object"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::None);
    assert_eq!(p.sample_count(), 64);
    assert_close(p.total_weight(), 103.0);
    check(
        &g,
        &[
            ("block in <main>", 1.0, 103.0),
            ("Object#a", 2.0, 102.0),
            ("Object#c", 2.0, 95.0),
            ("Array#sort", 36.0, 36.0),
            ("Array#sample", 20.0, 20.0),
            ("Class#new", 4.0, 4.0),
        ],
    );
}

#[test]
fn frame_without_name() {
    // Frame 4317922760 has no name (file <cfunc>): it is called (unknown).
    let g = flamekit::import(&corpus("stackprof/stackprof-last-frame-no-name.json"), None).unwrap();
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::None);
    assert_close(p.total_weight(), 103.0);
    check(&g, &[("(unknown)", 36.0, 36.0), ("Object#c", 2.0, 95.0), ("Array#sample", 20.0, 20.0)]);
    let unknown = g.frames().iter().find(|f| f.name == "(unknown)").unwrap();
    assert_eq!(unknown.file.as_deref(), Some("<cfunc>"));
}

/// A stackprof file whose `frames` has `keys` (in this order, each a frame
/// named `f<key>`), and one sample on `raw_ids`.
fn with_frame_keys(keys: &[&str], raw_ids: &[u64]) -> Vec<u8> {
    let frames: Vec<String> = keys.iter().map(|k| format!("\"{k}\": {{\"name\": \"f{k}\"}}")).collect();
    let ids: Vec<String> = raw_ids.iter().map(u64::to_string).collect();
    format!(
        "{{\"mode\": \"object\", \"interval\": 1, \"frames\": {{{}}}, \"raw\": [{}, {}, 1]}}",
        frames.join(", "),
        raw_ids.len(),
        ids.join(", ")
    )
    .into_bytes()
}

#[test]
fn keys_that_are_not_ids_are_reported_in_file_order() {
    // Twelve keys that are not ids, in an order no hash map keeps: the
    // report lists them as the file does, whatever the process's hash seed.
    let bad = ["k", "j", "i", "h", "g", "f", "e", "d", "c", "b", "a", "x1"];
    let mut keys = bad.to_vec();
    keys.push("1");
    let (group, report) =
        flamekit::import_format(Format::Stackprof, &with_frame_keys(&keys, &[1]), &ImportOptions::default()).unwrap();
    assert_eq!(group.frames().iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["f1"]);
    assert_eq!(report.skipped.get("invalid_frame_id"), Some(&12));
    let reported: Vec<String> = report.warnings.iter().map(|w| w.location.to_string()).collect();
    let expected: Vec<String> = bad.iter().map(|k| format!("frames[{k:?}]")).collect();
    assert_eq!(reported, expected);
}

#[test]
fn a_key_names_the_id_written_in_decimal_and_a_repeated_key_takes_its_last_value() {
    // speedscope looks a raw id up as `frames[id]`, the id's decimal form:
    // "07" and "+7" are not frame 7, which is then unknown.
    let (group, report) =
        flamekit::import_format(Format::Stackprof, &with_frame_keys(&["07", "+7"], &[7]), &ImportOptions::default())
            .unwrap();
    assert_eq!(group.frames().iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["(unknown frame 7)"]);
    assert_eq!(report.skipped.get("invalid_frame_id"), Some(&2));
    assert!(report.warnings.iter().any(|w| w.code == "unknown_frame"), "{report:?}");
    // "7" twice: the second value, as JSON.parse keeps it.
    let text = r#"{"mode": "object", "interval": 1, "frames": {"7": {"name": "first"}, "7": {"name": "second"}}, "raw": [1, 7, 1]}"#;
    let (group, _) = flamekit::import_format(Format::Stackprof, text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(group.frames().iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["second"]);
}

#[test]
fn every_corpus_file_is_detected() {
    let files = corpus_files("stackprof");
    assert_eq!(files.len(), 4);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Stackprof, "{}", path.display());
        // Deterministic: two imports give the same frames in the same order.
        let a = flamekit::import(&bytes, None).unwrap();
        let b = flamekit::import(&bytes, None).unwrap();
        assert_eq!(a.frames(), b.frames());
        assert_eq!(flamekit::dump(&a).unwrap(), flamekit::dump(&b).unwrap());
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus("stackprof/object-stackprof.json");
    for n in 0..bytes.len() {
        if let Err(e) = flamekit::import_format(Format::Stackprof, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    let opts = ImportOptions::default();
    let bad = |json: &str| flamekit::import_format(Format::Stackprof, json.as_bytes(), &opts).unwrap_err();
    // raw cut inside a sample: depth 2 but only one frame and no count.
    let e = bad(r#"{"mode":"cpu","interval":1,"frames":{"1":{"name":"a"}},"raw":[2,1]}"#);
    assert_eq!(e.code(), "truncated_input");
    let e = bad(r#"{"mode":"heap","interval":1,"frames":{},"raw":[]}"#);
    assert_eq!(e.code(), "invalid_profile");
    let e = bad(r#"{"mode":"wall","interval":1,"frames":{"1":{"name":"a"}},"raw":[1,1,3],"raw_timestamp_deltas":[1]}"#);
    assert_eq!(e.code(), "invalid_profile");
    // An id missing from frames is kept as a placeholder frame, with a warning.
    let (g, report) = flamekit::import_format(
        Format::Stackprof,
        br#"{"mode":"object","interval":1,"frames":{"1":{"name":"a"}},"raw":[2,1,9,4]}"#,
        &opts,
    )
    .unwrap();
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["a;(unknown frame 9) 4"]);
    assert_eq!(report.warning_count, 1);
}

/// The sniffer claims exactly this format's files among every file of the corpus.
#[test]
fn sniff_claims_only_its_own_corpus_files() {
    assert_sniff_claims_exactly(flamekit_formats::stackprof::sniff, |rel| rel.starts_with("stackprof/"));
}

#[test]
fn huge_depths_fail_typed_even_without_limits() {
    let json = br#"{"mode":"object","interval":1,"frames":{"1":{"name":"a"}},"raw":[18446744073709551615,1,1]}"#;
    let opts = ImportOptions { limits: flamekit::IngestLimits::unlimited(), ..Default::default() };
    let e = flamekit::import_format(Format::Stackprof, json, &opts).unwrap_err();
    assert_eq!(e.code(), "truncated_input");
    let e = flamekit::import_format(Format::Stackprof, json, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "limit_exceeded");
}
