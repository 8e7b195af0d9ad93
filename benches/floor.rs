//! The in-process timer behind `benches/compare/run.sh`, and a bench of
//! flamekit's JSON importers against the floor: a bare `serde_json` parse of
//! the same bytes.
//!
//! `cargo bench --bench floor` (no arguments): generates 10 MB cpuprofile,
//! trace-event and speedscope files (call-graph and distinct shapes) and
//! prints, for each, the median time of `serde_json::from_slice::<Value>` (a
//! DOM, like `JSON.parse`), `serde_json::from_slice::<IgnoredAny>`
//! (validation only) and flamekit's import, with the ratios import / Value
//! and import / IgnoredAny.
//!
//! `floor --mode MODE --file PATH [--runs N]`: time one thing on one file
//! and print one JSON line `{"mode", "file", "bytes", "times_ms", "median_ms",
//! "peak_rss_kb"}` (the file is read before timing; peak RSS is the
//! process's `VmHWM`, input bytes included). Modes: `serde-value`,
//! `serde-ignored`, `flamekit` (detect + import, gzip inflated, no limits,
//! every core), `flamekit-1t` (the same on one thread), `inflate` (gzip
//! inflate only, with the flate2 backend flamekit uses: the floor of a
//! gzipped pprof file).
//!
//! `floor --mode render-time-order|render-left-heavy [--samples N] [--runs N]`:
//! time `render_png` at 1200x800 of a generated sampled profile of N samples
//! (default 1,000,000; 100,000 functions, deep dives), built in memory first.

use std::hint::black_box;
use std::time::Instant;

use flamekit::{ImportOptions, IngestLimits, RenderOptions, View};
use flamekit_gen::{GenFormat, Shape};
use support::{generated_shape, sampled_group};

#[path = "support/mod.rs"]
mod support;

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run_once(mode: &str, bytes: &[u8], name: Option<&str>) -> f64 {
    let t = Instant::now();
    match mode {
        "serde-value" => {
            let v: serde_json::Value = serde_json::from_slice(bytes).expect("serde_json Value");
            drop(black_box(v));
        }
        "serde-ignored" => {
            let v: serde::de::IgnoredAny = serde_json::from_slice(bytes).expect("serde_json IgnoredAny");
            black_box(v);
        }
        "flamekit" | "flamekit-1t" => {
            // `flamekit`: every core (the default); `flamekit-1t`: one thread.
            let threads = if mode == "flamekit-1t" { 1 } else { 0 };
            let opts = ImportOptions { limits: IngestLimits::unlimited(), threads, ..Default::default() };
            let g = flamekit::import_with(bytes, name, &opts).expect("flamekit import");
            drop(black_box(g));
        }
        "inflate" => {
            // The floor of a gzip input (pprof): inflating it, nothing else.
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).expect("gzip");
            drop(black_box(out));
        }
        other => panic!("unknown mode {other}"),
    }
    t.elapsed().as_secs_f64() * 1e3
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if let Some(view) = get("--mode").and_then(|m| match m.as_str() {
        "render-time-order" => Some(View::TimeOrder),
        "render-left-heavy" => Some(View::LeftHeavy),
        _ => None,
    }) {
        let runs: usize = get("--runs").and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
        let samples: u64 = get("--samples").and_then(|r| r.parse().ok()).unwrap_or(1_000_000);
        let group = sampled_group(samples);
        let ro = RenderOptions { width: 1200, height: 800, view, ..Default::default() };
        let times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let png = flamekit::render_png(&group, &ro).expect("render");
                black_box(png);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "mode": get("--mode"), "samples": samples, "times_ms": times,
                "median_ms": median(&times), "peak_rss_kb": peak_rss_kb(),
            })
        );
        return;
    }
    if let (Some(mode), Some(file)) = (get("--mode"), get("--file")) {
        let runs: usize = get("--runs").and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let name = std::path::Path::new(&file).file_name().and_then(|n| n.to_str()).map(str::to_owned);
        let times: Vec<f64> = (0..runs).map(|_| run_once(&mode, &bytes, name.as_deref())).collect();
        println!(
            "{}",
            serde_json::json!({
                "mode": mode, "file": file, "bytes": bytes.len(), "times_ms": times,
                "median_ms": median(&times), "peak_rss_kb": peak_rss_kb(),
            })
        );
        return;
    }
    if args.iter().any(|a| a == "--mode" || a == "--file") {
        eprintln!("usage: floor --mode serde-value|serde-ignored|flamekit|flamekit-1t --file PATH [--runs N]");
        std::process::exit(2);
    }
    // `cargo bench`: the floor comparison on generated 10 MB JSON inputs.
    println!(
        "{:<12} {:<10} {:>6} {:>14} {:>14} {:>14} {:>8} {:>8}",
        "format", "shape", "MB", "serde Value", "IgnoredAny", "flamekit", "÷Value", "÷Ignored"
    );
    let formats =
        [("cpuprofile", GenFormat::Cpuprofile), ("trace", GenFormat::Trace), ("speedscope", GenFormat::Speedscope)];
    for (shape_name, shape) in [("callgraph", Shape::Callgraph), ("distinct", Shape::Distinct)] {
        for (name, format) in formats {
            let bytes = generated_shape(format, shape, 10_000_000);
            let m = |mode: &str| median(&(0..5).map(|_| run_once(mode, &bytes, None)).collect::<Vec<_>>());
            let (value, ignored, fk) = (m("serde-value"), m("serde-ignored"), m("flamekit"));
            println!(
                "{name:<12} {shape_name:<10} {:>6.1} {:>11.1} ms {:>11.1} ms {:>11.1} ms {:>7.2}x {:>7.2}x",
                bytes.len() as f64 / 1e6,
                value,
                ignored,
                fk,
                fk / value,
                fk / ignored
            );
        }
    }
}
