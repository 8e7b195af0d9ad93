//! Safari timeline recordings: the corpus's `Safari/13.1/simple.html-recording.json`.
//!
//! Expected values from an independent python3 reading of the recording:
//!
//! ```python
//! r = json.load(open(path))['recording']; prev = None
//! for s, dur in zip(r['sampleStackTraces'], r['sampleDurations']):
//!     start = s['timestamp'] - dur
//!     if prev is not None and start - prev > 0.002: idle += start - prev; n += 1  # idle sample
//!     st = [(f['name'] or '(anonymous)', f['url'] or None, f['line'], f['column'])
//!           for f in reversed(s['stackFrames'])]                               # outermost first
//!     n += 1; self[st[-1]] += dur; total[k] += dur for k in set(st)
//!     prev = max(prev, s['timestamp'])
//! ```
//! gives 23 samples + 3 idle gaps = 26, total 0.3298972275428623 s of which
//! 0.29589046754214543 s idle, first sample starting at 4.471667262976756 s.

use flamekit::{Error, Format, ImportOptions, ValueUnit};

use crate::common::{assert_close, assert_sniff_claims_exactly, corpus, data, profile_names, weights};

const FILE: &str = "Safari/13.1/simple.html-recording.json";

#[test]
fn simple_recording() {
    let bytes = corpus(FILE);
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Safari);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.format(), "safari");
    assert_eq!(g.name(), "Grabación de Control temporal 1");
    assert_eq!(profile_names(&g), vec!["Grabación de Control temporal 1"]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Seconds);
    assert!(p.is_sampled());
    assert_eq!(p.sample_count(), 26);
    // Idle (empty-stack) samples are not part of the total weight, but they are of the time axis.
    assert_close(p.total_weight(), 0.3298972275428623 - 0.29589046754214543);
    assert_close(p.start_value(), 4.471667262976756);
    assert_close(p.duration(), 0.3298972275428623);
    for (name, s, t) in [
        ("alpha", 0.0, 0.03248933597933502),
        ("(program)", 0.0, 0.03248933597933502),
        ("gamma", 0.029395113505112636, 0.029395113505112636),
        ("delta", 0.003094222474222382, 0.020112446082445484),
        ("beta", 0.0, 0.012376889896889526),
        ("injectModule", 0.0, 0.001),
        ("firstOpenSearchURLString", 0.0005174240213818848, 0.0005174240213818848),
    ] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
    let gamma = g.frames().iter().find(|f| f.name == "gamma").unwrap();
    assert_eq!(gamma.file.as_deref(), Some("file:///speedscope/sample/programs/javascript/simple.js"));
    assert_eq!((gamma.line, gamma.col), (Some(20), Some(15)));
    // Stacks are outermost first: (program) → alpha → … → gamma.
    let stacks = flamekit::dump_stacks(&g, p);
    assert!(stacks.iter().any(|s| s.starts_with("(program);alpha;") && s.contains(";gamma ")), "{stacks:?}");
}

/// `tests/data/safari/simple-first-4-samples.json`: the corpus recording cut
/// (with python3's json) to its first record and first 4 samples. By hand:
/// sample 0 (injectModule → anonymous, 0.001 s) ends at 4.472667…; sample 1
/// starts at 4.512593…, a 0.0399258 s gap (> 2 ms: idle); samples 1–3 are
/// (program) → alpha → delta → gamma, 0.001547111237111191 s each.
#[test]
fn small_cut_and_every_prefix() {
    let bytes = data("safari/simple-first-4-samples.json");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::Safari);
    let g = flamekit::import(&bytes, None).unwrap();
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 5);
    assert_close(p.total_weight(), 0.005641333711333574);
    assert_close(p.duration(), 0.005641333711333574 + 0.03992580778625143);
    let (s, t) = weights(&g, 0, "gamma");
    assert_close(s, 3.0 * 0.001547111237111191);
    assert_close(t, 3.0 * 0.001547111237111191);
    for n in 0..bytes.len() {
        if let Err(e) = flamekit::import_format(Format::Safari, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus(FILE);
    // The whole recording: prefixes near both ends and every 211th between
    // (each is a full parse; every prefix of a smaller cut is tested above).
    let len = bytes.len();
    let ns = (0..len).filter(|&n| n < 1000 || n + 1000 > len || n % 211 == 0);
    for n in ns {
        if let Err(e) = flamekit::import_format(Format::Safari, &bytes[..n], &ImportOptions::default()) {
            assert!(Error::CODES.contains(&e.code()));
        }
    }
    let bad = |json: &str| flamekit::import_format(Format::Safari, json.as_bytes(), &ImportOptions::default());
    let e = bad(
        r#"{"version":1,"recording":{"sampleStackTraces":[{"timestamp":1,"stackFrames":[]}],"sampleDurations":[]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    let e = bad(
        r#"{"version":1,"recording":{"sampleStackTraces":[{"timestamp":1,"stackFrames":[]}],"sampleDurations":[-1]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    // Another version still imports, with a warning.
    let (g, report) =
        bad(r#"{"version":2,"recording":{"displayName":"x","sampleStackTraces":[],"sampleDurations":[]}}"#).unwrap();
    assert_eq!(g.profiles()[0].sample_count(), 0);
    assert_eq!(report.warnings[0].code, "unknown_version");
}

/// The sniffer claims exactly this format's files among every file of the corpus.
#[test]
fn sniff_claims_only_its_own_corpus_files() {
    assert_sniff_claims_exactly(flamekit_formats::safari::sniff, |rel| rel.starts_with("Safari/"));
}

/// Unnamed functions with a url are `(anonymous FILE:LINE)` (FILE = last
/// segment of the url, LINE = the frame's `line` as written), derived from
/// every stack frame of the raw recording with an empty name and a url.
#[test]
fn anonymous_functions_are_named_by_file_and_line() {
    let bytes = corpus(FILE);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut expected = std::collections::BTreeSet::new();
    for s in v["recording"]["sampleStackTraces"].as_array().unwrap() {
        for f in s["stackFrames"].as_array().unwrap() {
            let url = f["url"].as_str().unwrap_or("");
            if f["name"].as_str().unwrap_or("").is_empty() && !url.is_empty() {
                let file = url.rsplit('/').next().unwrap();
                expected.insert(format!("(anonymous {file}:{})", f["line"]));
            }
        }
    }
    assert!(!expected.is_empty());
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.profile_type(), "safari");
    let names: std::collections::BTreeSet<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
    for label in &expected {
        assert!(names.contains(label.as_str()), "{label} missing");
    }
}
