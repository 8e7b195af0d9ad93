//! V8 `--prof` logs: the corpus's raw `node/8.5.0/isolate-0x102802600-v8.log`
//! and the preprocessed JSON zipped in `node/8.5.0/simple.v8log.json.zip`.
//!
//! Expected values come from two independent python3 scripts over the raw
//! files. For the JSON (after `unzip`):
//!
//! ```python
//! ticks = sorted(d['ticks'], key=lambda t: t['tm']); last = 0
//! for t in ticks:
//!     s = t['s']; st = [frame(d['code'][s[i]]) for i in range(len(s)-2, -1, -2) if s[i] != -1]
//!     w = t['tm'] - last; last = t['tm']          # time since the previous tick (first: since 0)
//!     self[st[-1]] += w; total[f] += w for f in set(st)
//! ```
//! where `frame` splits JS names `fn file:line:col` and prefixes C++ symbols
//! with `(c++) ` (dropping nm's `T `). For the raw log the script replays
//! `shared-library`/`code-creation`/`code-move`/`code-delete` into a list of
//! ranges (linear search), resolves each `tick`'s pc (or the callback address
//! when the external-callback flag is set), the top-of-stack slot when it
//! lies in JS code, and the return addresses, innermost first; native code
//! resolves to `(LIB) <library path>`, an unresolved pc to `(unknown)`.

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_sniff_claims_exactly, check, corpus, profile_names};

#[test]
fn preprocessed_json_in_a_zip() {
    let bytes = corpus("node/8.5.0/simple.v8log.json.zip");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Log);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.format(), "v8-log");
    assert_eq!(profile_names(&g), vec!["ticks"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    // 26 ticks, the last at tm = 116424 µs.
    assert_eq!(p.sample_count(), 26);
    assert_close(p.total_weight(), 116_424.0);
    check(
        &g,
        &[
            ("startup", 0.0, 116_424.0),
            ("a", 0.0, 64_151.0),
            ("b", 10_044.0, 53_997.0),
            ("d", 51_562.0, 51_562.0),
            ("c", 2_545.0, 10_154.0),
            ("NativeModule.compile", 0.0, 52_273.0),
            ("(c++) v8::internal::Map::RawCopy(v8::internal::Handle<v8::internal::Map>, int)", 22_888.0, 22_888.0),
        ],
    );
    let d = g.frames().iter().find(|f| f.name == "d").unwrap();
    assert_eq!(d.file.as_deref(), Some("/Users/jlfwong/code/speedscope/sample/programs/javascript/simple.js"));
    assert_eq!((d.line, d.col), (Some(20), Some(11)));
}

#[test]
fn raw_log() {
    let bytes = corpus("node/8.5.0/isolate-0x102802600-v8.log");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Log);
    let (g, report) = flamekit::import_with(&bytes, None, &ImportOptions::default()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(profile_names(&g), vec!["ticks"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Microseconds);
    assert_eq!(p.sample_count(), 93);
    assert_close(p.total_weight(), 116_424.0);
    check(
        &g,
        &[
            ("startup", 0.0, 78_685.0),
            ("(LIB) /usr/local/bin/node", 52_784.0, 56_526.0),
            ("a", 0.0, 30_454.0),
            ("b", 10_044.0, 20_300.0),
            ("d", 17_865.0, 17_865.0),
            ("c", 2_545.0, 10_154.0),
            ("(unknown)", 14_316.0, 14_316.0),
            ("(LIB) /usr/lib/system/libsystem_kernel.dylib", 12_517.0, 12_517.0),
            ("(stub) CEntryStub", 0.0, 11_203.0),
            ("join native", 0.0, 1_283.0),
        ],
    );
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus("node/8.5.0/isolate-0x102802600-v8.log");
    let len = bytes.len();
    // Every prefix of the first 3000 bytes, and 150 evenly spaced cuts after (each is a full parse).
    for n in (0..3000).chain((1..=150).map(|k| 3000 + (len - 3000) * k / 150)) {
        if let Err(e) = flamekit::import_format(Format::V8Log, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    let json = br#"{"code":[{"name":"T main","type":"CPP"},{"name":"f a.js:1:2","type":"JS","kind":"Opt"}],
        "functions":[],"ticks":[{"tm":5,"vm":0,"s":[1,0,0,0]},{"tm":2,"vm":0,"s":[0,4,-1,9]},{"tm":9,"vm":0,"s":[7,0]}]}"#;
    for n in 0..json.len() {
        if let Err(e) = flamekit::import_format(Format::V8Log, &json[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    // Ticks are ordered by time: 2 (main, weight 2), 5 (main;f, 3), 9 (index 7 past `code`: 0x7, 4).
    let g = flamekit::import(json, None).unwrap();
    assert_eq!(flamekit::dump_stacks(&g, &g.profiles()[0]), vec!["(c++) main 2", "(c++) main;f 3", "0x7 4"]);
    let e = flamekit::import_format(
        Format::V8Log,
        br#"{"code":[],"ticks":[{"tm":1,"s":[0.5,0]}]}"#,
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}

/// A hand-written raw log: code moves and deletes, relative stack
/// addresses, an external callback, and escapes in names.
#[test]
fn raw_log_events() {
    let log = "v8-version,6,0,287,53,0\n\
        shared-library,\"/lib/x.so\",0x1000,0x2000,0\n\
        code-creation,LazyCompile,0,1,0x5000,0x100,\"outer /a.js:1:1\",0x9,~\n\
        code-creation,LazyCompile,0,2,0x6000,0x100,\"inner /a.js:5:3\",0x9,*\n\
        code-creation,Builtin,5,3,0x7000,0x10,\"Call\\x2CApply\"\n\
        tick,0x6010,10,0,0x0,0,0x5010\n\
        code-move,0x6000,0x8000\n\
        tick,0x8010,25,0,0x0,0,-3000\n\
        tick,0x1500,26,1,0x7004,0,0x8010,+10\n\
        code-delete,0x8000\n\
        tick,0x8010,30,0,0x0,0,0x5010\n\
        bogus line\n";
    let g = flamekit::import(log.as_bytes(), None).unwrap();
    // t=10: inner under outer (10). t=25: after the move 0x8010 is inner, -0x3000 → 0x5010 outer (15);
    // the two equal stacks in a row print as one line (25).
    // t=26: external callback: pc becomes the callback 0x7004 (builtin), then 0x8010, 0x8020 (inner twice) (1).
    // t=30: inner deleted: the pc is unknown, the return address is outer (4).
    assert_eq!(
        flamekit::dump_stacks(&g, &g.profiles()[0]),
        vec!["outer;inner 25", "inner;inner;(builtin) Call,Apply 1", "outer;(unknown) 4"]
    );
}

/// The sniffer claims exactly this format's files among every file of the corpus.
#[test]
fn sniff_claims_only_its_own_corpus_files() {
    assert_sniff_claims_exactly(flamekit_formats::v8_log::sniff, |rel| rel.ends_with("-v8.log"));
}

#[test]
fn the_zipped_json_is_claimed_once_inflated() {
    let zip = corpus("node/8.5.0/simple.v8log.json.zip");
    let json = flamekit_formats::zip_container::main_entry(&zip, &flamekit::IngestLimits::default()).unwrap();
    assert_eq!(json.len(), 6_825_515);
    assert!(flamekit_formats::v8_log::sniff(&json));
    assert_eq!(flamekit::detect(&json, None).unwrap(), Format::V8Log);
}
