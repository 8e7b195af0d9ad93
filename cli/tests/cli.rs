//! The `flamekit` binary end to end: output shapes, exit codes, stdin/stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn corpus(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus").join(rel);
    p.to_string_lossy().into_owned()
}

fn flamekit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flamekit")).args(args).output().expect("run flamekit")
}

fn flamekit_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flamekit");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    dir.join(name)
}

#[test]
fn dump_prints_frames_and_stacks() {
    let out = flamekit(&["dump", &corpus("speedscope/0.0.1/simple.speedscope.json")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v["profiles"][0];
    assert_eq!(p["name"], "simple.txt");
    assert_eq!(p["unit"], "none");
    // c[0,2) d[2,6) c[6,9) inside b[0,14) inside a[0,14), worked out from the events.
    let frames: Vec<(String, f64, f64)> = p["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["file"].is_null() && f["line"].is_null() && f["col"].is_null());
            (
                f["name"].as_str().unwrap().to_owned(),
                f["selfWeight"].as_f64().unwrap(),
                f["totalWeight"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [("a", 0.0, 14.0), ("b", 5.0, 14.0), ("c", 5.0, 5.0), ("d", 4.0, 4.0)];
    assert_eq!(frames, expected.map(|(n, s, t)| (n.to_owned(), s, t)));
    assert_eq!(p["stacks"], serde_json::json!(["a;b;c 2", "a;b;d 4", "a;b;c 3", "a;b 5"]));
}

#[test]
fn strict_fails_on_warnings_and_quiet_hides_the_report() {
    let f = corpus("stackcollapse/simple-with-invalids.txt");
    let out = flamekit(&["dump", &f]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipped 3 (invalid_line)"), "{err}");
    assert!(err.contains("line 1"), "{err}");
    let out = flamekit(&["dump", "--quiet", &f]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let out = flamekit(&["dump", "--strict", &f]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strict"));
}

#[test]
fn convert_gzip_round_trips_through_stdin_and_stdout() {
    let src = corpus("speedscope/0.1.2/simple-sampled.speedscope.json");
    let gz = tmp("simple.speedscope.json.gz");
    let out = flamekit(&["convert", &src, "-o", gz.to_str().unwrap()]);
    assert!(out.status.success());
    let bytes = std::fs::read(&gz).unwrap();
    assert_eq!(&bytes[..2], b"\x1f\x8b");
    let out = flamekit_stdin(&["convert", "-", "-o", "-"], &bytes);
    assert!(out.status.success());
    let plain: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plain["profiles"][0]["weights"], serde_json::json!([1, 1, 4, 3, 5]));
}

#[test]
fn bad_input_exits_2_with_the_code() {
    let out = flamekit_stdin(&["dump", "-"], b"\x00\x01 definitely not a profile");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[unsupported_format]"));
    let out = flamekit(&["dump", &corpus("speedscope/invalid/out-of-order-events.json")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[invalid_profile]"));
}

#[test]
fn detect_names_the_format() {
    let out = flamekit(&["detect", &corpus("pprof/simple.prof")]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "pprof");
}

#[test]
fn diff_ranks_the_doubled_function_first_and_draws() {
    let before = corpus("speedscope/0.1.2/simple-sampled.speedscope.json");
    let text = std::fs::read_to_string(&before).unwrap().replace("[1, 1, 4, 3, 5]", "[1, 1, 8, 3, 5]");
    let after = tmp("after.speedscope.json");
    std::fs::write(&after, text).unwrap();
    let png = tmp("diff.png");
    let out =
        flamekit(&["diff", &before, after.to_str().unwrap(), "--json", "--top", "2", "-o", png.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["functions"][0]["name"], "d");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn stream_reads_stdin_with_bounded_memory() {
    let out = flamekit_stdin(&["dump", "--stream", "-"], b"a;b 3\na;c 2\na;b 4\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Identical stacks merged: a;b 7, then a;c 2.
    assert_eq!(v["profiles"][0]["stacks"], serde_json::json!(["a;b 7", "a;c 2"]));
}

#[test]
fn render_takes_flamedeck_parameters_and_names_bad_ones() {
    let input = corpus("speedscope/0.1.2/simple-sampled.speedscope.json");
    let svg = tmp("render-params.svg");
    let out = flamekit(&[
        "render",
        &input,
        "-o",
        svg.to_str().unwrap(),
        "--start-time-ms",
        "2000",
        "--end-time-ms",
        "6000",
        "--start-depth",
        "1",
        "--palette",
        "fire",
        "--mode",
        "dark",
        "--param",
        "width=640",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("width=\"640\""), "width from --param");
    // Window 2 s … 6 s of a seconds profile: axis labels in seconds from 2 s
    // (the 6 s label would not fit at the right edge).
    assert!(text.contains(">2s</text>") && text.contains(">5s</text>"), "{text}");
    assert!(text.contains("from depth 1"));
    for (flag, value, name) in [
        ("--start-time-ms", "soon", "startTimeMs"),
        ("--end-time-ms", "NaN", "endTimeMs"),
        ("--start-depth", "-2", "startDepth"),
        ("--palette", "lava", "palette"),
        ("--param", "flamegraphThemeName=lava", "flamegraphThemeName"),
        ("--param", "height=tall", "height"),
    ] {
        let out = flamekit(&["render", &input, "-o", svg.to_str().unwrap(), flag, value]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains("[invalid_argument]") && err.contains(name), "{flag} {value}: {err}");
    }
}

#[test]
fn source_map_option_names_minified_functions() {
    let data = |f: &str| format!("{}/../tests/data/sourcemap/{f}", env!("CARGO_MANIFEST_DIR"));
    let (profile, map) = (data("app.cpuprofile"), data("app.min.js.map"));
    // app.js declares `function countPrimes(` on this line.
    let src = std::fs::read_to_string(data("app.js")).unwrap();
    let line = src.lines().position(|l| l.contains("function countPrimes(")).unwrap() + 1;
    let out = flamekit(&["top", &profile, "--source-map", &map, "--source-map", &map]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let top = String::from_utf8_lossy(&out.stdout);
    assert!(top.contains(&format!("countPrimes (app.js:{line})")), "{top}");
    // The second copy of the map maps nothing: reported, not an error.
    assert!(String::from_utf8_lossy(&out.stderr).contains("source_map_unmatched"));
    let out = flamekit(&["top", &profile]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("countPrimes"));
    // A broken map is an error naming it.
    let bad = tmp("broken.js.map");
    std::fs::write(&bad, "{").unwrap();
    let out = flamekit(&["dump", &profile, "--source-map", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[invalid_source_map]") && err.contains("broken.js.map"), "{err}");
}

#[test]
fn threads_option_gives_the_same_output_for_any_count_and_refuses_a_bad_one() {
    // 264 KB: cut into chunks and read on several threads when allowed.
    let src = corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt");
    let raw = std::fs::read_to_string(&src).unwrap();
    // The weight ending a `stack weight` line (the file's and dump's `stacks`).
    let weight = |line: &str| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap();
    let sum: f64 = raw.lines().filter(|l| !l.trim().is_empty()).map(weight).sum();
    let mut outputs = Vec::new();
    for threads in ["1", "4", "0"] {
        let out = flamekit(&["dump", &src, "--threads", threads]);
        assert!(out.status.success(), "--threads {threads}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let total: f64 =
            v["profiles"][0]["stacks"].as_array().unwrap().iter().map(|s| weight(s.as_str().unwrap())).sum();
        assert_eq!(total, sum, "--threads {threads}: the stacks' weights are the file's");
        outputs.push(out.stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "the same dump for 1, 4 and all threads");
    let out = flamekit(&["dump", &src, "--threads", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads"), "{}", String::from_utf8_lossy(&out.stderr));
}
