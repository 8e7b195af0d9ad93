//! Firefox profiler JSON: every file in the corpus's `Firefox/` folder (the
//! DevTools "Recorded Performance Data" export around a Gecko profile), plus
//! small hand-written processed-format and inline-sample profiles.
//!
//! Expected values for the corpus files come from an independent python3
//! reading of the raw tables (the script, abridged):
//!
//! ```python
//! p = json.load(open(path))['profile']; interval = p['meta']['interval']   # 1 ms
//! for t in p['threads']:
//!     S, st, fs, strs = t['samples'], t['stackTable'], t['frameTable'], t['stringTable']
//!     def stack(i):                     # prefix chain, reversed to outermost first
//!         out = []
//!         while i is not None:
//!             row = st['data'][i]; out.append(parse(strs[fs['data'][row[FRAME]][LOCATION]])); i = row[PREFIX]
//!         return out[::-1]
//!     times = [r[TIME] for r in S['data']]
//!     for k, r in enumerate(S['data']):
//!         w = times[k+1] - times[k] if k + 1 < len(times) else interval   # time to the next sample
//!         s = stack(r[STACK]); self[s[-1]] += w; total[f] += w for f in set(s)
//! ```
//! where `parse` splits `name (file:line:col)` (column + 1) and keeps other
//! labels whole, and the column numbers come from each table's `schema`.

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_sniff_claims_exactly, check, corpus, corpus_files, profile_names};

#[test]
fn firefox_59_simple() {
    let bytes = corpus("Firefox/59/simple-firefox.json");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Firefox);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.format(), "firefox");
    assert_eq!(g.name(), "a");
    assert_eq!(profile_names(&g), vec!["GeckoMain"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Milliseconds);
    assert_eq!(p.sample_count(), 38);
    assert_close(p.total_weight(), 37.97805599999265);
    assert_close(p.start_value(), 0.9106829999946058);
    assert_close(p.end_value(), 38.888738999987254);
    check(
        &g,
        &[
            ("(root)", 0.0, 37.97805599999265),
            ("js::RunScript", 1.0, 37.107809999986785),
            ("a", 0.0, 31.992820999992546),
            ("d", 31.992820999992546, 31.992820999992546),
            ("b", 0.0, 20.971447000018088),
            ("c", 0.0, 11.021373999974458),
            ("process", 0.839263000030769, 2.9872140000225045),
        ],
    );
    // `d (file:///…/simple.js:20)`: Firefox 59 gives a line but no column.
    let d = g.frames().iter().find(|f| f.name == "d").unwrap();
    assert_eq!(d.file.as_deref(), Some("file:///Users/jlfwong/code/speedscope/sample/simple.js"));
    assert_eq!((d.line, d.col), (Some(20), None));
}

#[test]
fn firefox_63_simple() {
    let bytes = corpus("Firefox/63/simple-firefox.json");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Firefox);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.name(), "simple");
    assert_eq!(profile_names(&g), vec!["GeckoMain"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Milliseconds);
    assert_eq!(p.sample_count(), 39);
    assert_close(p.total_weight(), 38.77520400006324);
    assert_close(p.start_value(), 0.6431139996275306);
    check(
        &g,
        &[
            ("XRE_InitChildProcess", 0.0, 38.77520400006324),
            ("gamma", 26.983816999942064, 26.983816999942064),
            ("alpha", 0.0, 26.983816999942064),
            ("beta", 0.0, 15.037492998875678),
            ("delta", 0.0, 11.946324001066387),
            ("Module", 1.216852999292314, 1.216852999292314),
        ],
    );
    // `gamma (http://localhost:8000/simple.js:20:14)`: the 0-based column 14 becomes 15.
    let gamma = g.frames().iter().find(|f| f.name == "gamma").unwrap();
    assert_eq!(gamma.file.as_deref(), Some("http://localhost:8000/simple.js"));
    assert_eq!((gamma.line, gamma.col), (Some(20), Some(15)));
}

#[test]
fn firefox_59_full_recording() {
    let bytes = corpus("Firefox/59/firefox.json");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Firefox);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(profile_names(&g), vec!["GeckoMain"]);
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 10161);
    assert_close(p.total_weight(), 10183.775769000873);
    check(
        &g,
        &[
            ("XRE_InitChildProcess", 9011.053760007024, 10183.775769000873),
            ("nsAppShell::ProcessGeckoEvents", 62.81612600013614, 1172.7220089938492),
            ("handleRAF", 16.485332001000643, 333.86127600166947),
            ("importProfile", 61.97786600049585, 189.9922830015421),
        ],
    );
}

#[test]
fn every_corpus_file_is_detected() {
    let files = corpus_files("Firefox");
    assert_eq!(files.len(), 3);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Firefox, "{}", path.display());
    }
}

/// A processed profile (profiler.firefox.com) written by hand: strings in
/// `shared.stringArray`, column tables, `timeDeltas`, a null (idle) stack.
/// Stacks: 0 = main, 1 = main→work, 2 = main→work→leaf (func 2, file from
/// the sources table). Samples at t = 10, 12, 13, 17 (deltas 10,2,1,4) on
/// stacks 1, 2, null, 2; interval 0.5.
/// Weights (time to next sample; last = interval): 2, 1, 4 (idle), 0.5.
/// So leaf self 1 + 0.5 = 1.5; work self 2, total 3.5; main total 3.5.
const PROCESSED: &str = r#"{
  "meta": {"interval": 0.5, "startTime": 1000, "preprocessedProfileVersion": 50, "version": 27},
  "libs": [],
  "shared": {"stringArray": ["main", "work", "leaf", "a.js", "b.js"],
             "sources": {"length": 1, "uuid": [null], "filename": [4]}},
  "threads": [{
    "name": "GeckoMain", "pid": "7", "tid": 8,
    "samples": {"length": 4, "stack": [1, 2, null, 2], "timeDeltas": [10, 2, 1, 4], "weight": null, "weightType": "samples"},
    "stackTable": {"length": 3, "prefix": [null, 0, 1], "frame": [0, 1, 2]},
    "frameTable": {"length": 3, "func": [0, 1, 2], "line": [null, null, null]},
    "funcTable": {"length": 3, "name": [0, 1, 2], "fileName": [3, 3, null], "source": [null, null, 0],
                  "lineNumber": [1, 5, 9], "columnNumber": [null, 2, 3]}
  }]
}"#;

#[test]
fn processed_profile() {
    assert_eq!(flamekit::detect(PROCESSED.as_bytes(), None).unwrap(), Format::Firefox);
    let g = flamekit::import(PROCESSED.as_bytes(), None).unwrap();
    assert_eq!(profile_names(&g), vec!["GeckoMain"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Milliseconds);
    assert_eq!(p.sample_count(), 4);
    assert_close(p.start_value(), 10.0);
    assert_close(p.total_weight(), 3.5);
    assert_close(p.duration(), 7.5);
    check(&g, &[("main", 0.0, 3.5), ("work", 2.0, 3.5), ("leaf", 1.5, 1.5)]);
    let leaf = g.frames().iter().find(|f| f.name == "leaf").unwrap();
    assert_eq!((leaf.file.as_deref(), leaf.line, leaf.col), (Some("b.js"), Some(9), Some(3)));
    assert_eq!(flamekit::dump_stacks(&g, p), vec!["main;work 2", "main;work;leaf 1", "main;work;leaf 0.5"]);
}

/// Old Gecko: sub-process profile as a JSON string, inline samples, repeated
/// thread names. The sub-process starts 5 ms after the parent, so its
/// sample times move by +5.
#[test]
fn nested_process_strings_and_inline_samples() {
    let sub = r#"{"meta":{"interval":2,"startTime":105},"threads":[{"name":"GeckoMain","pid":2,"tid":3,
        "samples":[{"time":1,"frames":[{"location":"(root)"},{"location":"f (http://x/y.js:3:4)"}]},
                   {"time":4,"frames":["(root)"]}]}]}"#;
    let json = format!(
        r#"{{"meta":{{"interval":1,"startTime":100,"stackwalk":0}},"threads":[{{"name":"GeckoMain","pid":1,"tid":1,
        "samples":{{"schema":{{"stack":0,"time":1}},"data":[[0,0.5]]}},
        "stackTable":{{"schema":{{"prefix":0,"frame":1}},"data":[[null,0]]}},
        "frameTable":{{"schema":{{"location":0}},"data":[[0]]}},"stringTable":["(root)"]}}],
        "processes":[{}]}}"#,
        serde_json::to_string(sub).unwrap()
    );
    let g = flamekit::import(json.as_bytes(), None).unwrap();
    assert_eq!(profile_names(&g), vec!["GeckoMain (pid 1, tid 1)", "GeckoMain (pid 2, tid 3)"]);
    assert_eq!(g.active_profile_index(), 0);
    let p = &g.profiles()[1];
    assert_close(p.start_value(), 6.0);
    // f: time to next sample 4 - 1 = 3; (root) alone: last sample, interval 2.
    assert_eq!(flamekit::dump_stacks(&g, p), vec!["(root);f 3", "(root) 2"]);
    let f = g.frames().iter().find(|f| f.name == "f").unwrap();
    assert_eq!((f.file.as_deref(), f.line, f.col), (Some("http://x/y.js"), Some(3), Some(5)));
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus("Firefox/59/simple-firefox.json");
    let len = bytes.len();
    // Every prefix near both ends, and every 53rd in between (each prefix is a full parse).
    for n in (0..len).filter(|&n| n < 3000 || n + 3000 > len || n % 53 == 0) {
        if let Err(e) = flamekit::import_format(Format::Firefox, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    for n in 0..PROCESSED.len() {
        if let Err(e) = flamekit::import_format(Format::Firefox, &PROCESSED.as_bytes()[..n], &ImportOptions::default())
        {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    let bad = |json: &str| flamekit::import_format(Format::Firefox, json.as_bytes(), &ImportOptions::default());
    // A prefix cycle in the stack table.
    let e =
        bad(r#"{"meta":{},"threads":[{"samples":{"stack":[0],"time":[0]},"stackTable":{"prefix":[1,0],"frame":[0,0]},
        "frameTable":{"location":[0]},"stringTable":["x"]}]}"#)
        .unwrap_err();
    assert!(e.to_string().contains("cycle"), "{e}");
    let e =
        bad(r#"{"meta":{},"threads":[{"samples":{"stack":[5],"time":[0]},"stackTable":{"prefix":[null],"frame":[0]},
        "frameTable":{"location":[0]},"stringTable":["x"]}]}"#)
        .unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    assert_eq!(bad(r#"{"label":"x"}"#).unwrap_err().code(), "invalid_profile");
}

/// The sniffer claims exactly this format's files among every file of the corpus.
#[test]
fn sniff_claims_only_its_own_corpus_files() {
    assert_sniff_claims_exactly(flamekit_formats::firefox::sniff, |rel| rel.starts_with("Firefox/"));
}

/// `FirefoxFrames::Js` keeps only the JavaScript frames of web content, as
/// speedscope does: locations `name (file[:line[:col]])` whose file is not
/// `resource:…` or `self-hosted`. In `Firefox/59/simple-firefox.json` the
/// functions a, b, c, d of `simple.js` stand on native frames (`(root)`,
/// `js::RunScript`, …) only, so their weights are those of the default
/// reading above while the native frames are gone.
#[test]
fn js_frames_switch_drops_native_and_internal_frames() {
    let bytes = corpus("Firefox/59/simple-firefox.json");
    let opts = ImportOptions { firefox_frames: flamekit::FirefoxFrames::Js, ..Default::default() };
    let (g, _) = flamekit::import_with(&bytes, None, &opts).unwrap();
    let p = &g.profiles()[0];
    let fw = p.frame_weights(g.frames().len());
    for (i, f) in g.frames().iter().enumerate().filter(|(i, _)| fw.present[*i]) {
        let file = f.file.as_deref().unwrap_or_else(|| panic!("{} has no file", f.name));
        assert!(!file.starts_with("resource:") && !file.starts_with("self-hosted"), "{}: {file}", f.name);
        assert!(fw.total_weight[i] >= 0.0);
    }
    assert!(g.frames().iter().all(|f| f.name != "(root)" && f.name != "js::RunScript"));
    check(
        &g,
        &[
            ("a", 0.0, 31.992820999992546),
            ("d", 31.992820999992546, 31.992820999992546),
            ("b", 0.0, 20.971447000018088),
            ("c", 0.0, 11.021373999974458),
        ],
    );
}
