//! Analysis and limit checks on real profiles: top functions, LLM summaries,
//! gzip bombs through the public import path, SVG validation of hand-made
//! and rendered flamegraphs.

mod common;

use flamekit::{
    top_functions, validate_svg, DenyCode, Error, FunctionStat, ImportOptions, IngestLimits, LimitKind, SortBy,
    SummaryOptions, SvgPolicy, TopOptions, Verdict,
};

use common::{assert_close, corpus, corpus_files};

fn rows(g: &flamekit::ProfileGroup, profile: usize, sort_by: SortBy, limit: usize) -> Vec<FunctionStat> {
    top_functions(g, profile, &TopOptions { sort_by, offset: 0, limit }).unwrap()
}

fn names(rows: &[FunctionStat]) -> Vec<&str> {
    rows.iter().map(|r| r.name.as_str()).collect()
}

/// pprof/simple.prof, decoded independently of our importer with a small
/// Python script (hand-written protobuf varint/field parser; `string_table`
/// = field 6, `sample` = field 2 with packed `location_id` 1 and `value` 2,
/// `location` 4 → `line` 4 → `function_id`, `function` 5 → `name`/`filename`).
/// For each sample the frames are the functions of its locations' lines;
/// self = value of the innermost frame, total = value once per distinct
/// function in the stack. Sample types: `samples`/count and
/// `cpu`/nanoseconds; no `default_sample_type`, so `cpu` (the last) is active.
/// Sums over all 150 samples (cpu = samples × 10,000,000 ns):
///
/// | function                      | self (cpu ns) | total (cpu ns) |
/// |-------------------------------|---------------|----------------|
/// | main.alpha                    | 480,000,000   | 480,000,000    |
/// | main.beta                     | 390,000,000   | 390,000,000    |
/// | main.gamma                    | 270,000,000   | 270,000,000    |
/// | main.delta                    | 220,000,000   | 580,000,000    |
/// | runtime.duffcopy              | 110,000,000   | 110,000,000    |
/// | runtime.usleep                |  20,000,000   |  20,000,000    |
/// | runtime.mach_semaphore_signal |  10,000,000   |  10,000,000    |
/// | main.main, runtime.main       |           0   | 1,360,000,000  |
/// | runtime.morestack, .newstack  |           0   | 110,000,000    |
///
/// and the whole profile weighs 1,500,000,000 ns (no idle samples).
#[test]
fn top_functions_pprof() {
    let g = flamekit::import(&corpus("pprof/simple.prof"), Some("simple.prof")).unwrap();
    assert_eq!(g.active_profile_index(), 1);
    let cpu = 1;
    assert_eq!(g.profiles()[cpu].name(), "cpu");

    let by_self = rows(&g, cpu, SortBy::Self_, 8);
    let expected = [
        ("main.alpha", 480e6, 480e6, "480ms"),
        ("main.beta", 390e6, 390e6, "390ms"),
        ("main.gamma", 270e6, 270e6, "270ms"),
        ("main.delta", 220e6, 580e6, "220ms"),
        ("runtime.duffcopy", 110e6, 110e6, "110ms"),
        ("runtime.usleep", 20e6, 20e6, "20.0ms"),
        ("runtime.mach_semaphore_signal", 10e6, 10e6, "10.0ms"),
        // Self 0 ties are ordered by name: main.main first.
        ("main.main", 0.0, 1360e6, "0ms"),
    ];
    assert_eq!(by_self.len(), expected.len());
    for (r, (name, s, t, disp)) in by_self.iter().zip(expected) {
        assert_eq!(r.name, name);
        assert_close(r.self_weight, s);
        assert_close(r.total_weight, t);
        assert_close(r.self_percent, s / 1.5e9 * 100.0);
        assert_close(r.total_percent, t / 1.5e9 * 100.0);
        assert_eq!(r.self_display, disp);
    }
    assert!(by_self[0].file.as_deref().unwrap().ends_with("/sample/programs/go/simple.go"));
    assert_eq!(by_self[7].total_display, "1.36s");

    let by_total = rows(&g, cpu, SortBy::Total, 9);
    assert_eq!(
        names(&by_total),
        vec![
            "main.main",
            "runtime.main",
            "main.delta",
            "main.alpha",
            "main.beta",
            "main.gamma",
            // 110 ms ties, by name.
            "runtime.duffcopy",
            "runtime.morestack",
            "runtime.newstack",
        ]
    );
    assert_close(by_total[0].total_percent, 1360.0 / 1500.0 * 100.0);

    // The count profile: same ranking, values in samples.
    let samples = rows(&g, 0, SortBy::Self_, 2);
    assert_eq!((samples[0].name.as_str(), samples[0].self_display.as_str()), ("main.alpha", "48 samples"));
    assert_eq!(samples[1].self_weight, 39.0);

    // Paging walks the same order; past the end is a typed error.
    let all = rows(&g, cpu, SortBy::Total, 1000);
    assert_eq!(all.len(), 25, "25 functions in the file");
    let page = top_functions(&g, cpu, &TopOptions { sort_by: SortBy::Total, offset: 20, limit: 10 }).unwrap();
    assert_eq!(page, all[20..].to_vec());
    let e = top_functions(&g, cpu, &TopOptions { sort_by: SortBy::Total, offset: 25, limit: 10 }).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { name: "offset", .. }), "{e}");
    let e = top_functions(&g, 2, &TopOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { name: "profile_index", .. }), "{e}");
}

/// Chrome/65/simple.cpuprofile, worked out from the raw JSON with Python's
/// json module. Nodes: 1 `(root)` → 2 `""` (anonymous, line 0 col 0) → 3
/// `a` → {4 `b` → 5 `d`, 6 `c` → 7 `d`}; nodes 5 and 7 are the same
/// function (`d`, url "", line 13, column 10 0-based), so one frame.
/// samples = [2, 5×14, 7×14], timeDeltas (µs) = [11575, 1060, 1045, ...,
/// 1143]. As in speedscope, sample i lasts until the next sample
/// (timeDeltas[i+1]) and the last one lasts 0, so:
/// - (anonymous) self = timeDeltas[1] = 1060;
/// - b total = sum(timeDeltas[2..16]) = 17002 (samples 1–14, all in d);
/// - c total = sum(timeDeltas[16..29]) = 16283 (samples 15–28);
/// - d self = d total = a total = 17002 + 16283 = 33285;
/// - (anonymous) total = everything = 34345 µs.
#[test]
fn top_functions_cpuprofile() {
    let g = flamekit::import(&corpus("Chrome/65/simple.cpuprofile"), None).unwrap();
    assert_eq!(g.profiles().len(), 1);
    let by_self = rows(&g, 0, SortBy::Self_, 10);
    let got: Vec<(&str, f64, f64)> = by_self.iter().map(|r| (r.name.as_str(), r.self_weight, r.total_weight)).collect();
    assert_eq!(
        got,
        vec![
            ("d", 33285.0, 33285.0),
            ("(anonymous)", 1060.0, 34345.0),
            ("a", 0.0, 33285.0),
            ("b", 0.0, 17002.0),
            ("c", 0.0, 16283.0),
        ]
    );
    assert_eq!((by_self[0].line, by_self[0].file.as_deref()), (Some(14), None));
    assert_close(by_self[0].self_percent, 33285.0 / 34345.0 * 100.0);
    assert_eq!(by_self[0].self_display, "33.3ms");
    assert_eq!(by_self[1].total_display, "34.3ms");
    let by_total = rows(&g, 0, SortBy::Total, 10);
    // a and d tie on 33285: name order.
    assert_eq!(names(&by_total), vec!["(anonymous)", "a", "d", "b", "c"]);
    assert_close(by_total[0].total_percent, 100.0);
}

/// speedscope's own files: in every valid sample, self a=0, b=5, c=5, d=4
/// and total a=b=14, c=5, d=4 (worked out in tests/formats/speedscope.rs).
#[test]
fn top_functions_speedscope() {
    for (f, unit_disp) in [
        ("speedscope/0.0.1/simple.speedscope.json", ["5 samples", "5 samples", "4 samples", "0 samples"]),
        ("speedscope/0.1.2/simple-sampled.speedscope.json", ["5.00s", "5.00s", "4.00s", "0ms"]),
    ] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        let r = rows(&g, 0, SortBy::Self_, 10);
        let got: Vec<(&str, f64, f64)> = r.iter().map(|r| (r.name.as_str(), r.self_weight, r.total_weight)).collect();
        // b and c tie on self 5: name order.
        assert_eq!(got, vec![("b", 5.0, 14.0), ("c", 5.0, 5.0), ("d", 4.0, 4.0), ("a", 0.0, 14.0)], "{f}");
        let disp: Vec<&str> = r.iter().map(|r| r.self_display.as_str()).collect();
        assert_eq!(disp, unit_disp, "{f}");
        assert_close(r[0].self_percent, 5.0 / 14.0 * 100.0);
        let t = rows(&g, 0, SortBy::Total, 10);
        assert_eq!(names(&t), vec!["a", "b", "c", "d"], "{f}");
    }
    let g = flamekit::import(&corpus("speedscope/0.6.0/two-sampled.speedscope.json"), None).unwrap();
    assert_eq!(rows(&g, 1, SortBy::Self_, 10), rows(&g, 0, SortBy::Self_, 10));
}

/// A summary of pprof/simple.prof (values as in `top_functions_pprof`; the
/// decoding script also sums sample values per distinct stack).
#[test]
fn summary_of_pprof() {
    let g = flamekit::import(&corpus("pprof/simple.prof"), Some("simple.prof")).unwrap();
    let text = flamekit::summarize(&g, &SummaryOptions { max_chars: 4000, top_n: 3 }).unwrap();
    for needle in [
        "Format: pprof\n",
        "Profiles: 2 (active: 1)\n",
        "Profile 1 (active): \"cpu\"\n",
        "  Type: sampled, unit nanoseconds, ",
        "  Non-idle total: 1.50s\n",
        "  Hottest functions by self weight:\n    1. main.alpha (",
        "simple.go): self 480ms (32.0%), total 480ms (32.0%)\n",
        "  Hottest functions by total weight:\n    1. main.main (",
        "simple.go): total 1.36s (90.7%), self 0ms (0.0%)\n",
        "Profile 0: \"samples\"\n  Type: sampled, unit none, ",
        // Heaviest call paths, summed per distinct stack by the same script:
        // gamma 27, alpha 26 (plus 22 more under main.delta), beta 25 of 150.
        "  Heaviest call paths by self weight:\n    1. 270ms (18.0%): runtime.main > main.main > main.gamma\n    \
         2. 260ms (17.3%): runtime.main > main.main > main.alpha\n    3. 250ms (16.7%): runtime.main > main.main > main.beta\n",
        "    1. 27 samples (18.0%): runtime.main > main.main > main.gamma\n",
        // The longest stack: runtime.timerproc > ... > runtime.mach_semaphore_signal, 12 frames.
        "  Deepest stack: 12 frames\n",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The active profile comes first.
    assert!(text.find("Profile 1").unwrap() < text.find("Profile 0").unwrap());
}

/// Every corpus file that imports summarizes within 500 and 4000 characters.
#[test]
fn summary_length_bound_on_every_corpus_file() {
    let mut imported = 0;
    for path in corpus_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Ok(g) = flamekit::import(&bytes, name.as_deref()) else { continue };
        imported += 1;
        let full = flamekit::summarize(&g, &SummaryOptions { max_chars: usize::MAX, top_n: 10 }).unwrap();
        for max in [500, 4000] {
            let t = flamekit::summarize(&g, &SummaryOptions { max_chars: max, top_n: 10 }).unwrap();
            let n = t.chars().count();
            assert!(n <= max, "{}: {n} > {max}", path.display());
            if t != full {
                let marker = format!("[truncated to fit {max} characters]\n");
                assert!(t.ends_with(&marker), "{}:\n{t}", path.display());
                let body = &t[..t.len() - marker.len()];
                assert!(full.starts_with(body), "{}: not a prefix at a line boundary", path.display());
            }
        }
    }
    assert!(imported >= 20, "only {imported} corpus files imported");
}

/// gzip of `mib` MiB of zeros as one gzip member, built in O(1 MiB) work:
/// one MiB is deflated with a full flush (which resets the compressor, so
/// every further MiB deflates to the same bytes), the block is repeated,
/// and the CRC-32 is combined arithmetically.
fn gzip_bomb(mib: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    let chunk = vec![0u8; 1 << 20];
    let deflate_chunk = |c: &mut Compress| {
        // With ample output space one call consumes the whole MiB and
        // completes the flush; repeat only while the output space ran out.
        let mut out = Vec::with_capacity(1 << 20);
        let start = c.total_in();
        loop {
            let done = (c.total_in() - start) as usize;
            c.compress_vec(&chunk[done..], &mut out, FlushCompress::Full).unwrap();
            if c.total_in() - start == chunk.len() as u64 && out.len() < out.capacity() {
                break out;
            }
            out.reserve(1 << 20);
        }
    };
    let mut c = Compress::new(Compression::best(), false);
    let block = deflate_chunk(&mut c);
    assert_eq!(deflate_chunk(&mut c), block, "a full flush must reset the compressor");
    let mut tail = Vec::with_capacity(64);
    c.compress_vec(&[], &mut tail, FlushCompress::Finish).unwrap();
    let mut chunk_crc = Crc::new();
    chunk_crc.update(&chunk);
    let mut crc = Crc::new();
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for _ in 0..mib {
        gz.extend_from_slice(&block);
        crc.combine(&chunk_crc);
    }
    gz.extend_from_slice(&tail);
    gz.extend_from_slice(&crc.sum().to_le_bytes());
    gz.extend_from_slice(&crc.amount().to_le_bytes());
    gz
}

#[test]
fn gzip_bomb_builder_is_valid_gzip() {
    // The O(1 MiB) builder inflates to the same bytes as a streaming encoder's output.
    use std::io::Write;
    let gz = gzip_bomb(3);
    let out = flamekit::gunzip_limited(&gz, &IngestLimits::unlimited()).unwrap();
    assert_eq!(out.len(), 3 << 20);
    assert!(out.iter().all(|&b| b == 0));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&out).unwrap();
    let streamed = enc.finish().unwrap();
    assert_eq!(flamekit::gunzip_limited(&streamed, &IngestLimits::unlimited()).unwrap(), out);
}

#[test]
fn gunzip_limited_stops_a_bomb_at_the_limit() {
    // 1 GiB + 1 MiB of zeros compress to about 1 MiB (deflate's best ratio is ~1:1030).
    let gz = gzip_bomb(1025);
    assert!(gz.len() < 2 << 20, "bomb is {} bytes", gz.len());
    // The inflation-ratio limit (tests/resources.rs) would stop it first: this
    // test is about the inflated-bytes limit alone.
    let limits =
        IngestLimits { max_inflated_bytes: 32 << 20, max_inflation_ratio: u64::MAX, ..IngestLimits::default() };
    match flamekit::gunzip_limited(&gz, &limits) {
        Err(e @ Error::LimitExceeded { limit: LimitKind::InflatedBytes, max, value }) => {
            assert_eq!(e.code(), "limit_exceeded");
            assert_eq!(max, 32 << 20);
            // Reading stopped within one 64 KiB buffer past the limit.
            assert!(value > max && value <= max + 64 * 1024, "{value}");
        }
        r => panic!("{:?}", r.map(|v| v.len())),
    }
}

#[test]
fn gzip_bomb_is_refused_early_with_bounded_memory() {
    // 1 GiB + 1 MiB of zeros in a ~1 MiB file.
    let bomb = gzip_bomb(1025);
    assert!(bomb.len() < 2 << 20, "bomb is {} bytes", bomb.len());
    let max = 64u64 << 20;
    let opts = ImportOptions {
        // The inflated-bytes limit alone (the ratio limit has its own tests).
        limits: IngestLimits { max_inflated_bytes: max, max_inflation_ratio: u64::MAX, ..IngestLimits::default() },
        ..Default::default()
    };
    #[cfg(target_os = "linux")]
    let reset = common::measure::reset_peak_rss();
    let start = std::time::Instant::now();
    let e = flamekit::import_with(&bomb, Some("bomb.json.gz"), &opts).unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(e.code(), "limit_exceeded");
    match e {
        Error::LimitExceeded { limit: LimitKind::InflatedBytes, max: m, value } => {
            assert_eq!(m, max);
            // The decoder stopped within one 64 KiB read past the limit.
            assert!(value > max && value <= max + (64 << 10), "value {value}");
        }
        e => panic!("{e:?}"),
    }
    assert!(elapsed.as_secs() < 30, "took {elapsed:?}");
    #[cfg(target_os = "linux")]
    if reset {
        let p = common::measure::peak_rss_bytes();
        // Far below the 1 GiB the bomb inflates to (other tests of this
        // binary run at the same time, hence the margin over 64 MiB).
        assert!(p < 512 << 20, "peak RSS {} MiB", p >> 20);
    }
    // The same bytes through the inflater directly.
    let e = flamekit::gunzip_limited(&bomb, &opts.limits).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { limit: LimitKind::InflatedBytes, .. }), "{e:?}");
}

const SVG_HEAD: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="1200" height="66" viewBox="0 0 1200 66">"#;

/// A flamegraph drawn by hand: frames as titled rects with labels, CSS, a gradient.
fn hand_made_svg() -> String {
    format!(
        r##"<?xml version="1.0" standalone="no"?>
{SVG_HEAD}
<defs><linearGradient id="background" y1="0" y2="1" x1="0" x2="0"><stop stop-color="#eeeeee" offset="5%"/><stop stop-color="#eeeeb0" offset="95%"/></linearGradient></defs>
<style type="text/css">text {{ font-family: Verdana; font-size: 12px; fill: rgb(0,0,0); }} g:hover rect {{ stroke: black; }}</style>
<rect x="0" y="0" width="1200" height="66" fill="url(#background)"/>
<g><title>main (14 samples, 100.00%)</title><rect x="10" y="49" width="1180" height="15" fill="rgb(227,0,7)" rx="2" ry="2"/><text x="13" y="59.5">main</text></g>
<g><title>work &lt;T&gt; (9 samples, 64.29%)</title><rect x="10" y="33" width="758" height="15" fill="rgb(250,165,40)" rx="2" ry="2"/><text x="13" y="43.5">work &lt;T&gt;</text></g>
</svg>
"##
    )
}

#[test]
fn svg_validation_hand_made() {
    let policy = SvgPolicy::default();
    let ok = hand_made_svg();
    assert_eq!(validate_svg(ok.as_bytes(), &policy), Verdict::Allow);

    let script = ok.replace("</svg>", "<script type=\"text/ecmascript\">alert(document.cookie)</script></svg>");
    match validate_svg(script.as_bytes(), &policy) {
        Verdict::Deny { code: DenyCode::SvgScript, reason, .. } => assert!(reason.contains("<script>"), "{reason}"),
        v => panic!("{v:?}"),
    }
    let onload = ok.replacen("<svg ", "<svg onload=\"alert(1)\" ", 1);
    match validate_svg(onload.as_bytes(), &policy) {
        Verdict::Deny { code: DenyCode::SvgEventHandler, reason, .. } => {
            assert!(reason.contains("`onload` of <svg>"), "{reason}")
        }
        v => panic!("{v:?}"),
    }
    // Over 10 MiB (default): a valid flamegraph padded with frames.
    let frame = "<g><title>f</title><rect x=\"0\" y=\"0\" width=\"1\" height=\"1\"/></g>\n";
    let big = ok.replace("</svg>", &format!("{}</svg>", frame.repeat((10 << 20) / frame.len() + 1)));
    assert!(big.len() > 10 << 20);
    match validate_svg(big.as_bytes(), &policy) {
        Verdict::Deny { code: DenyCode::SvgTooLarge, limit, actual, .. } => {
            assert_eq!((limit, actual), (Some(10 << 20), Some(big.len() as u64)))
        }
        v => panic!("{v:?}"),
    }
    // The same file is fine under a larger size limit.
    let roomy = SvgPolicy { max_bytes: 20 << 20, ..SvgPolicy::default() };
    assert!(validate_svg(big.as_bytes(), &roomy).is_allowed());
}

/// The render crate's SVG output passes validation, for corpus profiles and
/// for frame names that look like markup (they must come out escaped).
#[test]
fn svg_validation_of_rendered_flamegraphs() {
    let opts = flamekit::RenderOptions::default();
    for f in ["pprof/simple.prof", "Chrome/65/simple.cpuprofile", "speedscope/0.0.1/simple.speedscope.json"] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        let svg = flamekit::render_svg(&g, &opts).unwrap();
        assert_eq!(validate_svg(svg.as_bytes(), &SvgPolicy::default()), Verdict::Allow, "{f}");
    }
    let mut b = flamekit::GroupBuilder::new("test", &IngestLimits::default());
    let a = b.frame_named("<script>alert(1)</script>").unwrap();
    let c = b.frame_named("x\" onload=\"alert(1)").unwrap();
    let d = b.frame_named("<a href='http://evil'>url(http://evil)</a>").unwrap();
    let mut p = b.sampled("hostile", flamekit::ValueUnit::None);
    p.push_stack(&[a, c, d], 5.0).unwrap();
    p.push_stack(&[a], 1.0).unwrap();
    b.push_profile(p.finish()).unwrap();
    let g = b.finish(0).unwrap().0;
    let svg = flamekit::render_svg(&g, &opts).unwrap();
    // The names end up escaped in <title> and <text> content, never as markup.
    assert!(svg.contains("&lt;script&gt;"), "{svg}");
    assert_eq!(validate_svg(svg.as_bytes(), &SvgPolicy::default()), Verdict::Allow, "{svg}");
}

/// Hermes traces put every stack under a `[root]` frame; like Flamedeck's
/// tools, top functions leave it out. `trace-event/simple-hermes.json` is
/// `B [root] @0, B beta @1, E beta @13, E [root] @14`: beta runs 12 µs,
/// `[root]` alone 2 µs (a stack made only of pseudo-frames, so not in the
/// non-idle total).
#[test]
fn hermes_root_is_a_pseudo_frame() {
    assert!(flamekit::is_pseudo_frame("[root]") && flamekit::is_pseudo_frame("(speedscope root)"));
    let g = flamekit::import(&corpus("trace-event/simple-hermes.json"), None).unwrap();
    for sort_by in [SortBy::Self_, SortBy::Total] {
        let r = rows(&g, 0, sort_by, 10);
        assert_eq!(names(&r), vec!["beta"]);
        assert_close(r[0].self_weight, 12.0);
        assert_close(r[0].self_percent, 100.0);
    }
}
