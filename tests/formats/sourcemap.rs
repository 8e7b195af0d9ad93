//! JavaScript source maps (`flamekit::sourcemap`), on a real minified program.
//!
//! `tests/data/sourcemap/` holds `app.js`, its terser output `app.min.js` with
//! the source map `app.min.js.map`, and `app.cpuprofile`, a V8 CPU profile of
//! `node app.min.js`; `make.sh` there is the exact command that made them.
//! Expected names, lines and columns come from the text of `app.js` (where
//! each `function NAME(` is declared), never from flamekit's output.

use std::collections::BTreeSet;

use flamekit::{
    import_with, to_speedscope_json, Error, Frame, ImportOptions, ImportReport, IngestLimits, LimitKind, Location,
    ProfileGroup, SourceMapInput,
};

use crate::common::{corpus, data};

const SCRIPT: &str = "file:///srv/app/app.min.js";

/// (name, 1-based line, 1-based column of the name) of every `function NAME(`
/// declared in `app.js`.
fn declared_functions() -> Vec<(String, u32, u32)> {
    let src = String::from_utf8(data("sourcemap/app.js")).unwrap();
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        if let Some(at) = line.find("function ") {
            let rest = &line[at + "function ".len()..];
            if let Some(paren) = rest.find('(') {
                let col = at + "function ".len();
                out.push((rest[..paren].to_owned(), i as u32 + 1, col as u32 + 1));
            }
        }
    }
    assert_eq!(out.len(), 5, "app.js declares five functions: {out:?}");
    out
}

/// 1-based lines of `app.js` that hold an arrow function.
fn arrow_lines() -> BTreeSet<u32> {
    let src = String::from_utf8(data("sourcemap/app.js")).unwrap();
    src.lines().enumerate().filter(|(_, l)| l.contains("=>")).map(|(i, _)| i as u32 + 1).collect()
}

fn import(profile: &[u8], maps: Vec<SourceMapInput>) -> (ProfileGroup, ImportReport) {
    import_with(profile, Some("app.cpuprofile"), &ImportOptions { source_maps: maps, ..Default::default() }).unwrap()
}

fn terser_map() -> SourceMapInput {
    SourceMapInput::new("app.min.js.map", data("sourcemap/app.min.js.map"))
}

fn frames_in<'g>(g: &'g ProfileGroup, file: &str) -> Vec<&'g Frame> {
    g.frames().iter().filter(|f| f.file.as_deref() == Some(file)).collect()
}

/// Self weight of all frames whose file is one of `files`, profile 0.
fn self_weight_in(g: &ProfileGroup, files: &[&str]) -> f64 {
    let fw = g.profiles()[0].frame_weights(g.frames().len());
    g.frames()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.file.as_deref().is_some_and(|x| files.contains(&x)))
        .map(|(i, _)| fw.self_weight[i])
        .sum()
}

/// The frames of `g` that a map of app.min.js must give back their names.
#[track_caller]
fn assert_original_functions(g: &ProfileGroup) {
    let mapped = frames_in(g, "app.js");
    for (name, line, col) in declared_functions() {
        let found: Vec<_> = mapped.iter().filter(|f| f.name == name).collect();
        assert_eq!(found.len(), 1, "{name}: {mapped:#?}");
        assert_eq!((found[0].line, found[0].col), (Some(line), Some(col)), "{name}");
    }
}

#[test]
fn terser_map_gives_back_names_files_and_lines() {
    let profile = data("sourcemap/app.cpuprofile");
    let (plain, _) = import(&profile, vec![]);
    // Without the map the functions have terser's one-letter names.
    let declared = declared_functions();
    assert!(plain.frames().iter().all(|f| !declared.iter().any(|(n, _, _)| *n == f.name)));
    assert!(frames_in(&plain, "app.js").is_empty());
    assert!(!frames_in(&plain, SCRIPT).is_empty());

    let (g, report) = import(&profile, vec![terser_map()]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
    // Anonymous arrow functions stay anonymous, labelled with their original
    // place as speedscope labels them: `(anonymous FILE:LINE)`.
    let arrows = arrow_lines();
    for f in frames_in(&g, "app.js") {
        if !declared.iter().any(|(n, _, _)| *n == f.name) {
            assert_eq!(f.name, format!("(anonymous app.js:{})", f.line.unwrap()), "{f:?}");
            assert!(arrows.contains(&f.line.unwrap()), "{f:?} is not on a line with `=>`");
        }
    }
    // What stays in app.min.js lies before any mapping: the script's top level at 1:1.
    for f in frames_in(&g, SCRIPT) {
        assert_eq!((f.line, f.col), (Some(1), Some(1)), "{f:?}");
    }
    // Frames of other scripts (node internals) are unchanged.
    let others = |g: &ProfileGroup| -> BTreeSet<Frame> {
        g.frames().iter().filter(|f| !matches!(f.file.as_deref(), Some(SCRIPT | "app.js"))).cloned().collect()
    };
    assert_eq!(others(&g), others(&plain));
    // Weights move with the frames: same totals, same self time in the script.
    assert_eq!(g.profiles()[0].total_weight(), plain.profiles()[0].total_weight());
    assert_eq!(self_weight_in(&g, &[SCRIPT, "app.js"]), self_weight_in(&plain, &[SCRIPT]));
    assert!(self_weight_in(&g, &["app.js"]) > 0.0);
}

#[test]
fn names_come_from_sources_content_when_the_map_has_none() {
    // The same map without `names`: the name is read at the original position
    // in `sourcesContent`, which is the name after `function`.
    let map = ::sourcemap::SourceMap::from_slice(&data("sourcemap/app.min.js.map")).unwrap();
    let map = map.rewrite(&::sourcemap::RewriteOptions { with_names: false, ..Default::default() }).unwrap();
    assert_eq!(map.get_name_count(), 0);
    let mut bytes = Vec::new();
    map.to_writer(&mut bytes).unwrap();
    let (g, report) = import(&data("sourcemap/app.cpuprofile"), vec![SourceMapInput::new("app.min.js.map", bytes)]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
}

#[test]
fn map_for_an_explicit_script_url() {
    let profile = data("sourcemap/app.cpuprofile");
    // The name matches no script; the URL does.
    let keyed = SourceMapInput::new("sourcemap-upload-1", data("sourcemap/app.min.js.map")).for_script(SCRIPT);
    let (g, report) = import(&profile, vec![keyed]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
    // A URL wins over a name: this map is only for another script.
    let (plain, _) = import(&profile, vec![]);
    let elsewhere = terser_map().for_script("https://example.com/other.js");
    let (g, report) = import(&profile, vec![elsewhere]);
    assert_eq!(g, plain);
    assert_eq!(report.warning_count, 1);
    assert!(report.warnings[0].message.contains("https://example.com/other.js"), "{report:?}");
}

#[test]
fn index_map_with_sections() {
    // The minified script after a one-line banner, as a bundler concatenates
    // them: an index map with the banner's map at line 0 and terser's at line 1.
    let terser: serde_json::Value = serde_json::from_slice(&data("sourcemap/app.min.js.map")).unwrap();
    let index = serde_json::json!({
        "version": 3,
        "file": "bundle.js",
        "sections": [
            {"offset": {"line": 0, "column": 0},
             "map": {"version": 3, "sources": ["banner.js"], "names": [], "mappings": "AAAA"}},
            {"offset": {"line": 1, "column": 0}, "map": terser},
        ]
    });
    let mut profile: serde_json::Value = serde_json::from_slice(&data("sourcemap/app.cpuprofile")).unwrap();
    for node in profile["nodes"].as_array_mut().unwrap() {
        let frame = &mut node["callFrame"];
        if frame["url"] == SCRIPT {
            frame["url"] = "https://example.com/static/bundle.js".into();
            frame["lineNumber"] = (frame["lineNumber"].as_i64().unwrap() + 1).into();
        }
    }
    let profile = serde_json::to_vec(&profile).unwrap();
    let map = SourceMapInput::new("bundle.js.map", serde_json::to_vec(&index).unwrap());
    let (g, report) = import(&profile, vec![map]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
}

#[test]
fn hermes_maps_map_like_the_plain_map_they_extend() {
    // A Hermes (React Native) map is a regular map plus a function map per
    // source in `x_facebook_sources`; the mappings are read the same way.
    let mut hermes: serde_json::Value = serde_json::from_slice(&data("sourcemap/app.min.js.map")).unwrap();
    hermes["x_facebook_sources"] = serde_json::json!([[{"names": ["<global>"], "mappings": "AAA"}]]);
    let profile = data("sourcemap/app.cpuprofile");
    let (g, report) =
        import(&profile, vec![SourceMapInput::new("app.min.js.map", serde_json::to_vec(&hermes).unwrap())]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
    assert_eq!(g, import(&profile, vec![terser_map()]).0);
}

#[test]
fn unmatched_map_is_reported_and_changes_nothing() {
    let profile = data("sourcemap/app.cpuprofile");
    let (plain, _) = import(&profile, vec![]);
    let other = SourceMapInput::new("vendor.min.js.map", data("sourcemap/app.min.js.map"));
    let (g, report) = import(&profile, vec![terser_map(), other]);
    assert_original_functions(&g);
    assert_eq!(report.warning_count, 1, "{report:?}");
    let w = &report.warnings[0];
    assert_eq!(w.code, "source_map_unmatched");
    assert_eq!(w.location, Location::Path("source_maps[1]".into()));
    assert!(w.message.contains("vendor.min.js.map"), "{}", w.message);
    // Alone, the unmatched map leaves the profile exactly as without maps.
    let other = SourceMapInput::new("vendor.min.js.map", data("sourcemap/app.min.js.map"));
    let (g, report) = import(&profile, vec![other]);
    assert_eq!(g, plain);
    assert_eq!(to_speedscope_json(&g).unwrap(), to_speedscope_json(&plain).unwrap());
    assert_eq!(report.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), ["source_map_unmatched"]);
}

#[test]
fn without_maps_imports_are_unchanged() {
    let files = [
        "speedscope/0.0.1/simple.speedscope.json",
        "speedscope/0.6.0/two-sampled.speedscope.json",
        "Chrome/65/simple.cpuprofile",
        "Chrome/69/simple.json",
    ];
    for rel in files {
        let bytes = corpus(rel);
        let (a, ra) = flamekit::import_with(&bytes, Some(rel), &ImportOptions::default()).unwrap();
        let (b, rb) =
            import_with(&bytes, Some(rel), &ImportOptions { source_maps: vec![], ..Default::default() }).unwrap();
        assert_eq!(to_speedscope_json(&a).unwrap(), to_speedscope_json(&b).unwrap(), "{rel}");
        assert_eq!((a, ra), (b, rb), "{rel}");
    }
}

#[test]
fn malformed_maps_are_typed_errors_naming_the_map() {
    let profile = data("sourcemap/app.cpuprofile");
    let cases: &[&[u8]] = &[
        b"{not json",
        b"[]",
        br#"{"version":2,"sources":[],"names":[],"mappings":""}"#,
        br#"{"version":3,"sources":[]}"#,
        br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"!!!"}"#,
        br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAAC"}"#,
        br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"part.js.map"}]}"#,
    ];
    for bad in cases {
        let maps = vec![terser_map(), SourceMapInput::new("broken.js.map", bad.to_vec())];
        let opts = ImportOptions { source_maps: maps, ..Default::default() };
        match import_with(&profile, None, &opts) {
            Err(Error::InvalidSourceMap { name, message }) => {
                assert_eq!(name, "broken.js.map", "{message}");
                let e = Error::InvalidSourceMap { name, message };
                assert_eq!(e.code(), "invalid_source_map");
                assert!(Error::CODES.contains(&e.code()));
                assert!(e.to_string().contains("broken.js.map"), "{e}");
            }
            r => panic!("{}: {r:?}", String::from_utf8_lossy(bad)),
        }
    }
    // Every cut of a real map is either a map or that error, never a panic.
    let map = data("sourcemap/app.min.js.map");
    for n in 0..map.len() {
        let opts = ImportOptions { source_maps: vec![SourceMapInput::new("cut.map", &map[..n])], ..Default::default() };
        if let Err(e) = import_with(&profile, None, &opts) {
            assert_eq!(e.code(), "invalid_source_map", "cut at {n}: {e}");
        }
    }
}

#[test]
fn maps_count_toward_the_input_budget() {
    let profile = data("sourcemap/app.cpuprofile");
    let map = data("sourcemap/app.min.js.map");
    let budget = (profile.len() + map.len()) as u64;
    for (max, ok) in [(budget, true), (budget - 1, false)] {
        let opts = ImportOptions {
            limits: IngestLimits { max_input_bytes: max, ..Default::default() },
            source_maps: vec![terser_map()],
            ..Default::default()
        };
        match import_with(&profile, None, &opts) {
            Ok(_) => assert!(ok, "{max}"),
            Err(Error::LimitExceeded { limit: LimitKind::InputBytes, value, .. }) => {
                assert!(!ok, "{max}");
                assert_eq!(value, budget);
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The entries decoding `map` holds, by the rule `max_source_map_entries`
/// states, counted on the raw JSON: a segment for each `,` or `;` of
/// `mappings` and one more, each element of `names`, `sources` and
/// `sourcesContent`, and each section with the entries of its map.
fn entries(map: &serde_json::Value) -> u64 {
    let len = |key: &str| map[key].as_array().map_or(0, |a| a.len() as u64);
    let segments =
        map["mappings"].as_str().filter(|m| !m.is_empty()).map_or(0, |m| m.matches([',', ';']).count() as u64 + 1);
    let sections = map["sections"].as_array().map_or(0, |s| s.iter().map(|s| 1 + entries(&s["map"])).sum());
    segments + len("names") + len("sources") + len("sourcesContent") + sections
}

#[test]
fn map_entries_count_toward_their_limit() {
    let profile = data("sourcemap/app.cpuprofile");
    let terser: serde_json::Value = serde_json::from_slice(&data("sourcemap/app.min.js.map")).unwrap();
    let index = serde_json::json!({"version": 3, "sections": [
        {"offset": {"line": 0, "column": 0}, "map": {"version": 3, "sources": ["a.js"], "names": ["x", 1], "mappings": "AAAA;;AACA,C"}},
        {"offset": {"line": 9, "column": 0}, "map": terser},
    ]});
    let terser_entries = entries(&terser);
    // The raw map: 5 sources and names at least, and one segment a mapping.
    assert!(terser_entries > 100, "{terser_entries}");
    // The banner: 4 segments (one line empty), 1 source, 2 names.
    assert_eq!(entries(&index), 2 + (4 + 1 + 2) + terser_entries);
    let maps = || vec![terser_map(), SourceMapInput::new("index.js.map", serde_json::to_vec(&index).unwrap())];
    // Counted over every map, checked before any is decoded.
    let total = terser_entries + entries(&index);
    for (max, ok) in [(total, true), (total - 1, false), (terser_entries - 1, false)] {
        let limits = IngestLimits { max_source_map_entries: max, ..Default::default() };
        let r = import_with(&profile, None, &ImportOptions { limits, source_maps: maps(), ..Default::default() });
        match r {
            Ok(_) => assert!(ok, "{max}"),
            Err(e) => {
                assert!(!ok, "{max}");
                let value = if max < terser_entries { terser_entries } else { total };
                assert_eq!(e, Error::LimitExceeded { limit: LimitKind::SourceMapEntries, max, value });
            }
        }
    }
    // Streamed imports check the same limit.
    use flamekit::stream::{import_reader, StreamOptions};
    let limits = IngestLimits { max_source_map_entries: total - 1, ..Default::default() };
    let opts = StreamOptions {
        import: ImportOptions { limits, source_maps: maps(), ..Default::default() },
        ..Default::default()
    };
    let e = import_reader(&b"main 1\n"[..], &opts, &mut |_| {}).unwrap_err();
    assert_eq!(e, Error::LimitExceeded { limit: LimitKind::SourceMapEntries, max: total - 1, value: total });
}

#[test]
fn chrome_trace_cpu_profiles_are_mapped_too() {
    // The same recording as a DevTools trace: one `CpuProfile` event.
    let cpu: serde_json::Value = serde_json::from_slice(&data("sourcemap/app.cpuprofile")).unwrap();
    let trace = serde_json::json!({"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "ts": 0, "args": {"name": "main"}},
        {"ph": "I", "name": "CpuProfile", "pid": 1, "tid": 1, "ts": 0, "args": {"data": {"cpuProfile": cpu}}},
    ]});
    let trace = serde_json::to_vec(&trace).unwrap();
    let (plain, _) = import(&trace, vec![]);
    assert_eq!(plain.format(), "chrome-trace");
    assert!(frames_in(&plain, "app.js").is_empty());
    let (g, report) = import(&trace, vec![terser_map()]);
    assert!(report.is_clean(), "{report:?}");
    assert_original_functions(&g);
}

#[test]
fn streamed_imports_take_maps_too() {
    use flamekit::stream::{import_reader, StreamOptions};
    let stream = |maps: Vec<SourceMapInput>| {
        let opts =
            StreamOptions { import: ImportOptions { source_maps: maps, ..Default::default() }, ..Default::default() };
        import_reader(&b"main;work 3\nmain 1\n"[..], &opts, &mut |_| {})
    };
    let (plain, clean) = stream(vec![]).unwrap();
    assert!(clean.is_clean());
    // Collapsed stacks have no positions: the map maps nothing, and says so.
    let (g, report) = stream(vec![terser_map()]).unwrap();
    assert_eq!(g, plain);
    assert_eq!(report.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), ["source_map_unmatched"]);
    let e = stream(vec![SourceMapInput::new("broken.js.map", b"{".to_vec())]).unwrap_err();
    assert!(matches!(&e, Error::InvalidSourceMap { name, .. } if name == "broken.js.map"), "{e}");
}
