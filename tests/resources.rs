//! Resource bounds on large and deep inputs: 1,000,000 distinct frames,
//! 1,000,000-deep stacks (distinct and recursive), 10,000 threads. Every
//! algorithm on these paths is iterative and linear; a quadratic path or a
//! recursive one would not finish (or would overflow the stack) here.

mod common;

use std::fmt::Write as _;

use common::measure;
use flamekit::{CallTree, Format, ImportOptions, IngestLimits, LimitKind};

const N: usize = 1_000_000;

fn unlimited() -> ImportOptions {
    ImportOptions { limits: IngestLimits::unlimited(), ..Default::default() }
}

#[test]
fn a_million_distinct_frames() {
    let mut text = String::with_capacity(N * 12);
    for i in 0..N {
        let _ = writeln!(text, "f{i} {}", i % 3 + 1);
    }
    let (g, _) = flamekit::import_format(Format::Collapsed, text.as_bytes(), &unlimited()).unwrap();
    assert_eq!(g.frames().len(), N);
    let p = &g.profiles()[0];
    let fw = p.frame_weights(N);
    assert_eq!(fw.self_weight[N - 1], ((N - 1) % 3 + 1) as f64);
    assert_eq!(p.total_weight(), (0..N).map(|i| (i % 3 + 1) as f64).sum::<f64>());
    // Export and re-import (speedscope) keep every frame.
    let json = flamekit::to_speedscope_json(&g).unwrap();
    let g2 = flamekit::import(json.as_bytes(), None).unwrap();
    assert_eq!(g2.frames().len(), N);
    assert_eq!(g2.profiles()[0].total_weight(), p.total_weight());
    // The default limit refuses them cleanly.
    let limits = IngestLimits { max_frames: 100_000, ..Default::default() };
    let e =
        flamekit::import_format(Format::Collapsed, text.as_bytes(), &ImportOptions { limits, ..Default::default() })
            .unwrap_err();
    assert_eq!(e.code(), "limit_exceeded");
}

#[test]
fn a_million_deep_stack_of_distinct_frames() {
    let mut line = String::with_capacity(N * 8);
    for i in 0..N {
        if i > 0 {
            line.push(';');
        }
        let _ = write!(line, "f{i}");
    }
    line.push_str(" 7\n");
    let (g, _) = flamekit::import_format(Format::Collapsed, line.as_bytes(), &unlimited()).unwrap();
    let p = &g.profiles()[0];
    let tree = CallTree::new(p);
    assert_eq!(tree.max_depth() as usize, N);
    let fw = p.frame_weights(g.frames().len());
    assert!(fw.total_weight.iter().all(|&t| t == 7.0));
    assert_eq!(fw.self_weight.iter().filter(|&&s| s == 7.0).count(), 1);
    let stacks = flamekit::dump_stacks(&g, p);
    assert_eq!(stacks.len(), 1);
    // Through speedscope JSON (sampled) and back.
    let json = flamekit::to_speedscope_json(&g).unwrap();
    let g2 = flamekit::import(json.as_bytes(), None).unwrap();
    assert_eq!(CallTree::new(&g2.profiles()[0]).max_depth() as usize, N);
}

#[test]
fn a_million_deep_recursion_counts_once() {
    let line = format!("{} 5\n", vec!["rec"; N].join(";"));
    let (g, _) = flamekit::import_format(Format::Collapsed, line.as_bytes(), &unlimited()).unwrap();
    assert_eq!(g.frames().len(), 1);
    let fw = g.profiles()[0].frame_weights(1);
    assert_eq!((fw.self_weight[0], fw.total_weight[0]), (5.0, 5.0));
    let png = flamekit::render_png(&g, &flamekit::RenderOptions::default()).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn ten_thousand_threads_of_trace_events() {
    let mut json = String::from("[");
    for tid in 0..10_000 {
        let _ = write!(
            json,
            r#"{{"name":"work","ph":"B","ts":{t},"pid":1,"tid":{tid}}},{{"name":"work","ph":"E","ts":{e},"pid":1,"tid":{tid}}},"#,
            t = tid * 10,
            e = tid * 10 + 5
        );
    }
    json.pop();
    json.push(']');
    let (g, _) = flamekit::import_format(Format::ChromeTrace, json.as_bytes(), &unlimited()).unwrap();
    assert_eq!(g.profiles().len(), 10_000);
    assert!(g.profiles().iter().all(|p| p.total_weight() == 5.0));
}

// ---------------------------------------------------------------------------
// Attacks from issue 14. Each input is generated here; each case runs in a
// child process of this test binary (the ignored test `attack_child`), which
// reports its outcome, its CPU time and its peak resident memory (VmHWM), so
// memory is measured for the case alone and a crash cannot take the test
// runner down.

use std::io::{Read as _, Write as _};

/// CRC-32 of `data`, as zip headers need it.
fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

/// A zip archive. `entries` are `(name, method, stored bytes, crc, size)`;
/// `central` lists, per central-directory entry, the name and the index of
/// the local entry it points at (several may point at the same data).
fn zip_raw(entries: &[(String, u16, Vec<u8>, u32, u32)], central: &[(String, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for (name, method, data, crc, size) in entries {
        offsets.push(out.len() as u32);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
    }
    let cd_start = out.len() as u32;
    for (name, i) in central {
        let (_, method, data, crc, size) = &entries[*i];
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&offsets[*i].to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    }
    let cd_len = out.len() as u32 - cd_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(central.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// One stored entry.
fn stored(name: &str, data: &[u8]) -> (String, u16, Vec<u8>, u32, u32) {
    (name.to_owned(), 0, data.to_vec(), crc32(data), data.len() as u32)
}

/// A zip whose two entries each hold the previous level's zip, `depth`
/// levels deep: every level looks like the archive itself (quine-like).
fn two_entry_quine(depth: usize) -> Vec<u8> {
    let mut z = zip_raw(&[stored("p.json", b"{}")], &[("p.json".into(), 0)]);
    for _ in 0..depth {
        z = zip_raw(&[stored("a.zip", &z), stored("b.zip", &z)], &[("a.zip".into(), 0), ("b.zip".into(), 1)]);
    }
    z
}

/// `depth` levels of zips whose two central-directory entries point at the
/// same inner zip (the work doubled per level before entries were read once).
fn overlapping(depth: usize) -> Vec<u8> {
    let mut z = zip_raw(&[stored("p.txt", b"x")], &[("p.txt".into(), 0)]);
    for _ in 0..depth {
        z = zip_raw(&[stored("a.txt", &z)], &[("a.txt".into(), 0), ("b.txt".into(), 0)]);
    }
    z
}

/// gzip of `mib` MiB of zeros, as that many 1 MiB members (fast to build;
/// decoders read every member).
fn gzip_zeros_mib(mib: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = enc.finish().unwrap();
    member.repeat(mib)
}

/// A zip of `n` stored entries, each a gzip of 64 MiB of zeros.
fn sniff_bomb(n: usize) -> Vec<u8> {
    let gz = gzip_zeros_mib(64);
    let entries: Vec<_> = (0..n).map(|i| stored(&format!("e{i}.bin"), &gz)).collect();
    let central: Vec<_> = (0..n).map(|i| (format!("e{i}.bin"), i)).collect();
    zip_raw(&entries, &central)
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A pprof `Profile` with one sample type, then `n` empty string-table
/// entries and `n` locations holding only an id.
fn pprof_empty_messages(n: u64) -> Vec<u8> {
    let mut b = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]; // sample_type {type: 1, unit: 2}
    for _ in 0..3 {
        b.extend_from_slice(&[0x32, 0x01, b'x']); // strings 0..2
    }
    for _ in 0..n {
        b.extend_from_slice(&[0x32, 0x00]);
    }
    for id in 1..=n {
        let mut body = vec![0x08];
        varint(&mut body, id);
        b.push(0x22);
        varint(&mut b, body.len() as u64);
        b.extend_from_slice(&body);
    }
    b
}

/// A pprof `Profile` whose two locations hold 1,000 inlined lines each (of
/// one function), and 80 samples without value, each the one location 900
/// times (alternately, so that no two in a row share a location), then one
/// sample with a value: 73 KB, read in several runs, whose samples hold
/// 72 million functions, 900,000 each (under the default depth limit).
fn pprof_repeated_inlined_locations() -> Vec<u8> {
    let field = |b: &mut Vec<u8>, key: u8, body: &[u8]| {
        b.push(key);
        varint(b, body.len() as u64);
        b.extend_from_slice(body);
    };
    let mut b = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]; // sample_type {type: 1, unit: 2}
    for s in ["", "samples", "count", "f"] {
        field(&mut b, 0x32, s.as_bytes());
    }
    field(&mut b, 0x2a, &[0x08, 0x01, 0x10, 0x03]); // function {id: 1, name: 3}
    for id in 1..=2u8 {
        let mut loc = vec![0x08, id];
        for _ in 0..1000 {
            field(&mut loc, 0x22, &[0x08, 0x01]); // line {function_id: 1}
        }
        field(&mut b, 0x22, &loc);
    }
    let sample = |b: &mut Vec<u8>, ids: &[u8], value: u8| {
        let mut s = Vec::new();
        field(&mut s, 0x0a, ids);
        field(&mut s, 0x12, &[value]);
        field(b, 0x12, &s);
    };
    for k in 0..80 {
        sample(&mut b, &[1 + (k % 2) as u8; 900], 0);
    }
    sample(&mut b, &[1], 1);
    b
}

/// A pprof `Profile` whose locations 1 and 2 hold `lines` inlined lines
/// each (of functions `f` and `h`), and `callers` more locations of one
/// function each (`g0`, `g1`, …). With `callers` 0, `samples` samples
/// alternate between locations 1 and 2; otherwise sample `k` is location 1
/// called from caller `k`.
fn pprof_long_locations(lines: usize, callers: usize, samples: usize) -> Vec<u8> {
    let field = |b: &mut Vec<u8>, key: u8, body: &[u8]| {
        b.push(key);
        varint(b, body.len() as u64);
        b.extend_from_slice(body);
    };
    let int = |b: &mut Vec<u8>, key: u8, v: u64| {
        b.push(key);
        varint(b, v);
    };
    let mut b = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]; // sample_type {type: 1, unit: 2}
    for s in ["", "samples", "count", "f", "h"] {
        field(&mut b, 0x32, s.as_bytes());
    }
    for c in 0..callers {
        field(&mut b, 0x32, format!("g{c}").as_bytes());
    }
    // Function k: string k + 2 (f, h, then g0, g1, …).
    for id in 1..=2 + callers as u64 {
        let mut f = Vec::new();
        int(&mut f, 0x08, id);
        int(&mut f, 0x10, id + 2);
        field(&mut b, 0x2a, &f);
    }
    // Location k of function k: 1 and 2 with `lines` lines, the others one.
    for id in 1..=2 + callers as u64 {
        let mut loc = Vec::new();
        int(&mut loc, 0x08, id);
        let mut line = Vec::new();
        int(&mut line, 0x08, id);
        for _ in 0..if id <= 2 { lines } else { 1 } {
            field(&mut loc, 0x22, &line);
        }
        field(&mut b, 0x22, &loc);
    }
    for k in 0..samples {
        let mut ids = Vec::new();
        if callers == 0 {
            varint(&mut ids, 1 + (k % 2) as u64);
        } else {
            varint(&mut ids, 1);
            varint(&mut ids, 3 + (k % callers) as u64);
        }
        let mut s = Vec::new();
        field(&mut s, 0x0a, &ids);
        field(&mut s, 0x12, &[1]);
        field(&mut b, 0x12, &s);
    }
    b
}

/// callgrind: `main` calls `k` functions, each calling the first of a
/// chain of `k` functions (each with self cost 1): a tree of k × k nodes.
fn callgrind_callers_of_a_chain(k: usize) -> Vec<u8> {
    let mut s = String::from("# callgrind format\nevents: Ir\nfl=a.c\nfn=(1) main\n1 1\n");
    for i in 0..k {
        let _ = write!(s, "cfn=({}) p{i}\ncalls=1 1\n1 {}\n", 10 + i, k + 1);
    }
    for i in 0..k {
        let _ = write!(s, "fn=({})\n1 0\ncfn=({}) c0\ncalls=1 1\n1 {}\n", 10 + i, 10 + k, k + 1);
    }
    for j in 0..k {
        let _ = write!(s, "fn=({})\n1 1\n", 10 + k + j);
        if j + 1 < k {
            let _ = write!(s, "cfn=({}) c{}\ncalls=1 1\n1 {}\n", 10 + k + j + 1, j + 1, k - j - 1);
        }
    }
    s.into_bytes()
}

/// A 8,010-byte mangled C++ symbol that expands to ~525 KB demangled.
fn expanding_symbol(tag: usize) -> String {
    format!("_Z1f200{:a<200}{}", format!("{tag:03}"), "S_".repeat(2600))
}

/// callgrind with `events` event types and `lines` cost lines, each cost
/// line writing one column; functions are 20 expanding mangled symbols.
fn callgrind(events: usize, lines: usize) -> Vec<u8> {
    let mut s = String::from("# callgrind format\nevents:");
    for e in 0..events {
        let _ = write!(s, " E{e}");
    }
    s.push_str("\nfl=a.c\n");
    for i in 0..lines {
        if i % (lines / 20).max(1) == 0 {
            let k = i / (lines / 20).max(1);
            if i < 20 * (lines / 20).max(1) {
                let _ = writeln!(s, "fn=({k}) {}", expanding_symbol(k));
            }
        }
        let _ = writeln!(s, "{} 5", i % 100 + 1);
    }
    s.into_bytes()
}

/// Collapsed stacks: `long` frame names exactly as long as the default
/// `max_name_bytes` (64 KiB: kept whole, but looked up), each after a run
/// of `run` new short names.
fn names_at_limit(long: usize, run: usize) -> Vec<u8> {
    let mut s = String::new();
    for k in 0..long {
        for i in 0..run {
            let _ = writeln!(s, "main;f{k}_{i} 1");
        }
        let tag = k.to_string();
        let _ = writeln!(s, "main;{}{tag} 1", "x".repeat((64 << 10) - tag.len()));
    }
    s.into_bytes()
}

/// Trace events: one `B` event whose name is `name_bytes` long, then
/// `ends` `E` events of another name (each a mismatched end, reported).
fn trace_mismatched_ends(name_bytes: usize, ends: usize) -> Vec<u8> {
    let mut s = format!(r#"{{"traceEvents":[{{"ph":"B","name":"{}","ts":0,"pid":1,"tid":1}}"#, "a".repeat(name_bytes));
    for _ in 0..ends {
        s.push_str(r#",{"ph":"E","name":"y","ts":1,"pid":1,"tid":1}"#);
    }
    s.push_str("]}");
    s.into_bytes()
}

/// Trace events: a process named by `name_bytes` bytes, and `threads`
/// threads of it with one complete event each.
fn trace_long_process_name(name_bytes: usize, threads: usize) -> Vec<u8> {
    let mut s = format!(
        r#"{{"traceEvents":[{{"ph":"M","name":"process_name","pid":1,"args":{{"name":"{}"}}}}"#,
        "p".repeat(name_bytes)
    );
    for t in 0..threads {
        let _ = write!(s, r#",{{"ph":"X","name":"f","ts":0,"dur":1,"pid":1,"tid":{t}}}"#);
    }
    s.push_str("]}");
    s.into_bytes()
}

/// A `.cpuprofile` with two chains of `depth` nodes under (root) (the
/// first under a (program) node when `program`), and `samples` samples
/// alternating between their leaves.
fn cpuprofile_alternating_chains(depth: usize, samples: usize, program: bool) -> Vec<u8> {
    let frame = |name: &str| format!(r#"{{"functionName":"{name}","url":"a.js","lineNumber":1,"columnNumber":1}}"#);
    let mut nodes = vec![format!(r#"{{"id":1,"callFrame":{}}}"#, frame("(root)"))];
    let mut add = |name: String, parent: usize| {
        let id = nodes.len() + 1;
        nodes.push(format!(r#"{{"id":{id},"parent":{parent},"callFrame":{}}}"#, frame(&name)));
        id
    };
    let mut leaves = [1, 1];
    for (c, leaf) in leaves.iter_mut().enumerate() {
        if c == 0 && program {
            *leaf = add("(program)".into(), 1);
        }
        for k in 0..depth {
            *leaf = add(format!("f{c}_{k}"), *leaf);
        }
    }
    let samples: Vec<String> = (0..samples).map(|i| leaves[i % 2].to_string()).collect();
    format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":{n},"samples":[{}],"timeDeltas":[{}]}}"#,
        nodes.join(","),
        samples.join(","),
        vec!["1"; samples.len()].join(","),
        n = samples.len()
    )
    .into_bytes()
}

/// A source map of `frames` mappings (generated column 2k to source line
/// k) into one source named `source`, and a `.cpuprofile` of `frames`
/// frames of its script, frame k just after mapping k (0-based column
/// 2k + 1): frame k maps to source line k.
fn source_map_case(frames: usize, source: &str) -> (Vec<u8>, Vec<u8>) {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vlq = |v: i64| {
        let mut v = if v < 0 { ((-v) << 1) | 1 } else { v << 1 } as u64;
        let mut s = String::new();
        loop {
            let mut d = v & 31;
            v >>= 5;
            if v > 0 {
                d |= 32;
            }
            s.push(B64[d as usize] as char);
            if v == 0 {
                return s;
            }
        }
    };
    let segments: Vec<String> = (0..frames)
        .map(|k| format!("{}{}{}{}", vlq(if k == 0 { 0 } else { 2 }), vlq(0), vlq((k > 0) as i64), vlq(0)))
        .collect();
    let map = format!(r#"{{"version":3,"sources":["{source}"],"names":[],"mappings":"{}"}}"#, segments.join(","));
    let mut nodes =
        vec![r#"{"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1}}"#.to_owned()];
    for k in 0..frames {
        nodes.push(format!(
            r#"{{"id":{},"parent":1,"callFrame":{{"functionName":"f{k}","url":"https://x/app.min.js","lineNumber":0,"columnNumber":{}}}}}"#,
            k + 2,
            2 * k + 1
        ));
    }
    let samples: Vec<String> = (0..frames).map(|k| (k + 2).to_string()).collect();
    let profile = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":{frames},"samples":[{}],"timeDeltas":[{}]}}"#,
        nodes.join(","),
        samples.join(","),
        vec!["1"; frames].join(",")
    );
    (profile.into_bytes(), map.into_bytes())
}

/// A 40 MB map of 20 million entries, each 2 bytes: segments of one
/// field (`A,`), or names that are numbers (`1,`).
fn source_map_attack(case: &str) -> Vec<u8> {
    let n = 20_000_000;
    let (mappings, names) = match case {
        "sourcemap_empty_segments" => ("A,".repeat(n - 1) + "A", "[]".to_owned()),
        _ => ("AAAA".to_owned(), format!("[{}1]", "1,".repeat(n - 1))),
    };
    format!(r#"{{"version":3,"sources":["a.js"],"names":{names},"mappings":"{mappings}"}}"#).into_bytes()
}

/// The source of the source-map attacks.
fn attack_source(case: &str) -> String {
    match case {
        "sourcemap_dot_segments" => format!("{}a.js", "/./".repeat(10_000)),
        _ => "S".repeat(1 << 20),
    }
}

/// The generated input of one attack.
fn attack_input(case: &str) -> Vec<u8> {
    match case {
        "zip_quine" => two_entry_quine(8),
        "overlapping_depth_40" => overlapping(40),
        "sniff_bomb" | "sniff_bomb_small_limit" => sniff_bomb(30),
        "pprof_empty_messages" => pprof_empty_messages(2_000_000),
        "pprof_empty_messages_gz" => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&pprof_empty_messages(2_000_000)).unwrap();
            enc.finish().unwrap()
        }
        "pprof_repeated_inlined_locations" => pprof_repeated_inlined_locations(),
        "mangled_names" => callgrind(1, 1000),
        "callgrind_many_events" => callgrind(9_999, 100_000),
        "long_name" => format!("main;{} 3\n", "n".repeat(1 << 20)).into_bytes(),
        "names_at_limit" => names_at_limit(300, 1000),
        "trace_mismatched_ends" => trace_mismatched_ends(2 << 20, 40_000),
        "trace_long_process_name" => trace_long_process_name(1 << 20, 9_000),
        "cpuprofile_alternating_chains" => cpuprofile_alternating_chains(20_000, 20_000, false),
        "cpuprofile_program_chain" => cpuprofile_alternating_chains(20_000, 20_000, true),
        "render_alternating_chains" => cpuprofile_alternating_chains(20_000, 20_000, false),
        "svg_open_calls" => {
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="{}"/></svg>"#, "x(".repeat(250_000))
                .into_bytes()
        }
        "render_left_heavy_deep_paths" | "render_left_heavy_deep_start" => {
            // 100 samples, each its own path 40,000 frames deep: 4 million
            // stack nodes, each a hundredth of the width.
            let deep = ";a".repeat(40_000);
            (0..100).map(|k| format!("x{k}{deep} 1\n")).collect::<String>().into_bytes()
        }
        "callgrind_callers_of_a_chain" => callgrind_callers_of_a_chain(8_000),
        "jfr_fieldless_frames" => common::data("jfr/empty-frames.jfr"),
        "stackprof_gc_after_a_deep_stack" => {
            // One sample 150,000 frames deep, then 150,000 samples of
            // `(garbage collection)` alone, each on top of it.
            let (depth, gcs) = (150_000, 150_000);
            let mut raw = vec![depth.to_string()];
            raw.extend(std::iter::repeat_n("1".to_owned(), depth + 1));
            raw.extend(std::iter::repeat_n("1,2,1".to_owned(), gcs));
            format!(
                r#"{{"version":1.2,"mode":"cpu","interval":1000,"frames":{{"1":{{"name":"f","file":"a.rb","line":1}},"2":{{"name":"(garbage collection)"}}}},"raw":[{}]}}"#,
                raw.join(",")
            )
            .into_bytes()
        }
        "sourcemap_dot_segments" => source_map_case(100, &attack_source(case)).0,
        "sourcemap_empty_segments" | "sourcemap_numeric_names" => source_map_case(10, "a.js").0,
        "sourcemap_long_source" => source_map_case(1_000, &attack_source(case)).0,
        "pmcstat_long_image" => {
            let mut s = format!("@ ev [1 samples]\n1.0% [1] a @ /{}\n", "i".repeat(65_000));
            for k in 0..7_500 {
                let _ = writeln!(s, "1% [1] f{k:x}");
            }
            s.into_bytes()
        }
        "pprof_alternating_long_locations" => pprof_long_locations(30_000, 0, 30_000),
        "pprof_long_location_under_many_callers" => pprof_long_locations(100_000, 3_000, 3_000),
        "gzip_bomb_4gb" => gzip_zeros_mib(4096),
        "weights_overflow" => br#"{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","name":"p",
            "unit":"none","startValue":0,"endValue":1,"samples":[[0],[0],[0]],"weights":[1e308,1e308,1e308]}]}"#
            .to_vec(),
        other => panic!("unknown attack {other}"),
    }
}

/// What one attack does with its input: the import's error code or "ok"
/// (after checking what an accepted result must satisfy).
fn attack(case: &str, input: &[u8]) -> String {
    if case.starts_with("svg_") {
        // An upload policy check, not an import: the verdict's code.
        let v = flamekit::validate_svg(input, &flamekit::SvgPolicy::default());
        return v.code().map_or("allow", |c| c.as_str()).into();
    }
    let opts = ImportOptions::default();
    let result = match case {
        "sniff_bomb_small_limit" => {
            let limits =
                IngestLimits { max_inflated_bytes: 10 << 20, max_inflation_ratio: u64::MAX, ..Default::default() };
            flamekit::import_with(input, None, &ImportOptions { limits, ..Default::default() })
        }
        "mangled_names" | "callgrind_many_events" => flamekit::import_format(Format::Callgrind, input, &opts),
        "sourcemap_dot_segments" | "sourcemap_long_source" => {
            let frames = if case == "sourcemap_dot_segments" { 100 } else { 1_000 };
            let map = source_map_case(frames, &attack_source(case)).1;
            let source_maps = vec![flamekit::SourceMapInput::new("app.min.js.map", map)];
            flamekit::import_with(input, Some("app.cpuprofile"), &ImportOptions { source_maps, ..Default::default() })
        }
        "sourcemap_empty_segments" | "sourcemap_numeric_names" => {
            let map = source_map_attack(case);
            let source_maps = vec![flamekit::SourceMapInput::new("app.min.js.map", map)];
            flamekit::import_with(input, Some("app.cpuprofile"), &ImportOptions { source_maps, ..Default::default() })
        }
        "pmcstat_long_image" => {
            let limits = IngestLimits { max_frame_text_bytes: 32 << 20, ..Default::default() };
            flamekit::import_format(Format::Pmcstat, input, &ImportOptions { limits, ..Default::default() })
        }
        "callgrind_callers_of_a_chain" => {
            let limits = IngestLimits { max_stack_nodes: 1_000_000, ..Default::default() };
            flamekit::import_format(Format::Callgrind, input, &ImportOptions { limits, ..Default::default() })
        }
        "pprof_long_location_under_many_callers" => {
            let limits = IngestLimits { max_stack_nodes: 10_000_000, ..Default::default() };
            flamekit::import_with(input, None, &ImportOptions { limits, ..Default::default() })
        }
        "cpuprofile_program_chain" => {
            let limits = IngestLimits { max_samples: 10_000_000, ..Default::default() };
            flamekit::import_with(input, None, &ImportOptions { limits, ..Default::default() })
        }
        "long_name" | "names_at_limit" => flamekit::import_format(Format::Collapsed, input, &opts),
        _ => flamekit::import_with(input, None, &opts),
    };
    match result {
        Ok((g, report)) => {
            match case {
                "mangled_names" => assert!(g.frames().iter().all(|f| f.name.len() <= 8192), "names stay bounded"),
                "callgrind_many_events" => assert_eq!(g.profiles().len(), 9_999),
                "long_name" => {
                    assert!(g.frames().iter().all(|f| f.name.len() <= 64 << 10));
                    assert!(report.warnings.iter().any(|d| d.code == "name_truncated"));
                }
                "trace_mismatched_ends" => {
                    let w = report.warnings.iter().find(|d| d.code == "mismatched_end_event").expect("warned");
                    assert!(w.message.len() < 1024, "a message quotes a name, not all of it");
                    assert!(report.warning_count >= 40_000, "every mismatched end is counted");
                }
                "trace_long_process_name" => {
                    assert_eq!(g.profiles().len(), 9_000);
                    assert!(g.profiles().iter().all(|p| p.name().len() < 1024), "profile names quote the process name");
                }
                "sourcemap_dot_segments" => {
                    // Each `/./` is one `/`: 10,000 of them, then `a.js`.
                    let file = format!("{}a.js", "/".repeat(10_000));
                    assert_eq!(g.frames().iter().filter(|f| f.file.as_deref() == Some(file.as_str())).count(), 100);
                }
                "sourcemap_long_source" => {
                    // Mapped files are cut as importers cut names.
                    let mapped = g.frames().iter().filter(|f| f.file.as_deref().is_some_and(|s| s.starts_with("SSS")));
                    assert!(mapped.map(|f| f.file.as_ref().map_or(0, String::len)).all(|n| n == 64 << 10));
                }
                "stackprof_gc_after_a_deep_stack" => {
                    let p = &g.profiles()[0];
                    let flamekit::ProfileData::Sampled { stacks, samples, .. } = p.data() else { panic!("sampled") };
                    assert_eq!(samples.len(), 1 + 150_000);
                    assert!(samples[1..].iter().all(|&s| stacks.depth(s) == 150_001));
                }
                "pprof_alternating_long_locations" => {
                    let p = &g.profiles()[0];
                    let flamekit::ProfileData::Sampled { stacks, .. } = p.data() else { panic!("sampled") };
                    assert_eq!((p.sample_count(), stacks.len(), stacks.max_depth()), (30_000, 60_000, 30_000));
                }
                "render_left_heavy_deep_start" => {
                    // The last rows: every node above them is laid out
                    // (where each path's box goes depends on its callers).
                    let opts = flamekit::RenderOptions {
                        view: flamekit::View::LeftHeavy,
                        start_depth: 39_990,
                        ..Default::default()
                    };
                    let png = flamekit::render_png(&g, &opts).unwrap();
                    assert!(png.starts_with(b"\x89PNG"));
                }
                "render_left_heavy_deep_paths" => {
                    assert_eq!(g.profiles()[0].sample_count(), 100);
                    let opts = flamekit::RenderOptions { view: flamekit::View::LeftHeavy, ..Default::default() };
                    let png = flamekit::render_png(&g, &opts).unwrap();
                    assert!(png.starts_with(b"\x89PNG"));
                }
                "render_alternating_chains" => {
                    let png = flamekit::render_png(&g, &flamekit::RenderOptions::default()).unwrap();
                    assert!(png.starts_with(b"\x89PNG"));
                }
                "cpuprofile_alternating_chains" => {
                    let p = &g.profiles()[0];
                    // The idle lead-in (timeDeltas[0]), then every sample.
                    assert_eq!(p.sample_count(), 1 + 20_000);
                    assert_eq!(g.frames().len(), 40_000);
                    let flamekit::ProfileData::Sampled { stacks, .. } = p.data() else { panic!("sampled") };
                    assert_eq!((stacks.len(), stacks.max_depth()), (40_000, 20_000));
                    // Its speedscope export writes every sample's whole
                    // stack: 20,000 × 20,000 frame indices, mostly of 4 and
                    // 5 digits, over 2 GB of text from 4.6 MB. The
                    // in-memory exports refuse it before writing anything.
                    let len = flamekit::speedscope_json_len(&g);
                    assert!(len > 20_000 * 20_000 * 5, "{len}");
                    for e in
                        [flamekit::to_speedscope_json(&g).unwrap_err(), flamekit::to_speedscope_gzip(&g).unwrap_err()]
                    {
                        let max = flamekit::MAX_EXPORT_BYTES;
                        assert_eq!(
                            e,
                            flamekit::Error::LimitExceeded { limit: LimitKind::ExportBytes, max, value: len }
                        );
                    }
                }
                "names_at_limit" => {
                    assert_eq!(g.frames().len(), 1 + 300 * 1000 + 300);
                    assert_eq!(g.frames().iter().filter(|f| f.name.len() == 64 << 10).count(), 300);
                }
                _ => {}
            }
            "ok".into()
        }
        Err(e) => {
            assert!(flamekit::Error::CODES.contains(&e.code()), "{e}");
            e.code().into()
        }
    }
}

#[test]
#[ignore = "run by the attack tests, one case per child process"]
fn attack_child() {
    let Ok(case) = std::env::var("FLAMEKIT_ATTACK") else { return };
    let input = attack_input(&case);
    measure::report_to_parent(|| attack(&case, &input));
}

/// Run `case` in a child process: (outcome, CPU seconds, peak RSS in MiB).
fn run_attack(case: &str) -> (String, f64, f64) {
    let m = measure::in_child("attack_child", ("FLAMEKIT_ATTACK", case));
    eprintln!("attack {case}: {}, {:.2} s CPU, peak RSS {:.1} MiB", m.outcome, m.cpu_s, m.peak_rss_mib);
    (m.outcome, m.cpu_s, m.peak_rss_mib)
}

/// Debug builds are several times slower than release: CPU bounds here are
/// for the unoptimised test build, where "well under a second" in release
/// is at most a few seconds.
const CPU_BOUND_S: f64 = 3.0;

fn check_attack(case: &str, expected: &[&str], max_rss_mib: f64) {
    let (outcome, cpu, rss) = run_attack(case);
    assert!(expected.contains(&outcome.as_str()), "{case}: {outcome}, expected one of {expected:?}");
    assert!(cpu < CPU_BOUND_S, "{case}: {cpu} s of CPU");
    assert!(rss < max_rss_mib, "{case}: peak RSS {rss} MiB");
}

#[test]
fn attack_two_entry_zip_quine() {
    check_attack("zip_quine", &["unsupported_format", "invalid_profile"], 256.0);
}

#[test]
fn attack_overlapping_entries_at_depth_40() {
    check_attack("overlapping_depth_40", &["unsupported_format", "invalid_profile"], 256.0);
}

#[test]
fn attack_nested_sniff_bomb() {
    check_attack("sniff_bomb", &["limit_exceeded"], 256.0);
    check_attack("sniff_bomb_small_limit", &["limit_exceeded"], 256.0);
}

#[test]
fn attack_empty_message_pprof() {
    check_attack("pprof_empty_messages", &["invalid_profile"], 256.0);
    check_attack("pprof_empty_messages_gz", &["limit_exceeded", "invalid_profile"], 256.0);
}

/// Samples of many inlined functions in a small input: the workers reading
/// the samples do not hold their functions (72 million) at once.
#[test]
fn attack_repeated_inlined_locations_in_pprof() {
    check_attack("pprof_repeated_inlined_locations", &["ok"], 64.0);
}

#[test]
fn attack_long_mangled_names() {
    check_attack("mangled_names", &["ok"], 256.0);
}

#[test]
fn attack_many_event_callgrind() {
    check_attack("callgrind_many_events", &["ok"], 256.0);
}

#[test]
fn attack_long_frame_name_is_truncated() {
    check_attack("long_name", &["ok"], 256.0);
}

/// Names at the length limit between runs of new names once built the
/// frame tables anew for each (quadratic: 92 s for 82 MB in release).
#[test]
fn attack_names_at_the_length_limit() {
    check_attack("names_at_limit", &["ok"], 256.0);
}

/// A long event name quoted by every mismatched end once cost its length
/// per warning (about 7 s for 4 MB in release, 29 s for 8 MB).
#[test]
fn attack_trace_mismatched_ends_of_a_long_name() {
    check_attack("trace_mismatched_ends", &["ok"], 256.0);
}

/// A long process name once went whole into each of its threads' profile
/// names (33 s and 9.8 GB for a 2 MB trace in release).
#[test]
fn attack_trace_long_process_name() {
    check_attack("trace_long_process_name", &["ok"], 256.0);
}

/// 8,000 callers of a chain of 8,000 functions: a call tree of 64 million
/// nodes from 0.74 MB (15 s and about 2 GB in release before, bounded only
/// by `max_samples`); stopped at `max_stack_nodes` (1 million here; at
/// most 10 million whatever the limit).
#[test]
fn attack_callgrind_callers_of_a_chain() {
    check_attack("callgrind_callers_of_a_chain", &["limit_exceeded"], 256.0);
}

/// A source map's source of 10,000 `/./` segments: taking them out was
/// quadratic, for each frame (100 frames: 12.7 s in release).
#[test]
fn attack_source_map_dot_segments() {
    check_attack("sourcemap_dot_segments", &["ok"], 256.0);
}

/// A source map's 1 MiB source name, copied whole into each of 1,000
/// frames (1 GB); now cut to `max_name_bytes` and made once.
#[test]
fn attack_source_map_long_source() {
    check_attack("sourcemap_long_source", &["ok"], 256.0);
}

/// A map of 20 million one-field segments (`A,`, 40 MB): the decoder
/// holds 28 bytes for each (peak RSS 654 MiB in release); 20 million names
/// that are numbers (`1,`) took 1,265 MiB and 2.8 s. Each is an entry of
/// `max_source_map_entries` (16 million by default), counted before
/// decoding.
#[test]
fn attack_source_map_empty_segments() {
    check_attack("sourcemap_empty_segments", &["limit_exceeded"], 256.0);
}

#[test]
fn attack_source_map_numeric_names() {
    check_attack("sourcemap_numeric_names", &["limit_exceeded"], 256.0);
}

/// A pmcstat `@ image` of 65,000 bytes, the file of the 7,500 frames after
/// it (0.96 GB from 158 KB); the frames' text is bounded by
/// `max_frame_text_bytes` (32 MiB here; 256 MiB by default).
#[test]
fn attack_pmcstat_long_image() {
    check_attack("pmcstat_long_image", &["limit_exceeded"], 256.0);
}

/// stackprof: each `(garbage collection)` sample goes on top of the
/// previous stack, which was spelled out again for each (2.2 s for 100,000
/// on a 100,000-deep stack in release); now found from its node.
#[test]
fn attack_stackprof_gc_after_a_deep_stack() {
    check_attack("stackprof_gc_after_a_deep_stack", &["ok"], 256.0);
}

/// JFR: stack frames of a type without fields take no byte, so 60 KB of
/// array counts made 2.4 million values of 32 bytes each (70 MB; 541 MB
/// from 1 MB) before the value budget ran out; such a value now costs a
/// byte's share of the budget.
#[test]
fn attack_jfr_fieldless_frames() {
    check_attack("jfr_fieldless_frames", &["invalid_profile"], 32.0);
}

/// Samples alternating between two locations of many inlined lines once
/// copied and looked up every line for each sample (10.9 s for 40,000
/// lines and samples, 2.3 MB, in release): a long location's frames are
/// now found once per node they hang from.
#[test]
fn attack_pprof_alternating_long_locations() {
    check_attack("pprof_alternating_long_locations", &["ok"], 256.0);
}

/// One location of 100,000 inlined lines under 3,000 callers: 300 million
/// stack nodes from 0.9 MB (1.26 GB and 4.6 s in release before
/// `max_stack_nodes`); stopped at the limit (10 million here).
#[test]
fn attack_pprof_long_location_under_many_callers() {
    check_attack("pprof_long_location_under_many_callers", &["limit_exceeded"], 256.0);
}

/// Samples alternating between two deep node chains once walked the
/// whole depth at each sample (38.7 s for a 9.2 MB file in release): each
/// node's stack is now kept.
#[test]
fn attack_cpuprofile_alternating_deep_chains() {
    check_attack("cpuprofile_alternating_chains", &["ok"], 256.0);
}

/// The flame chart of the same profile (its default view) once walked
/// every call of every sample, 20,000 deep (3.5 s in release for these
/// 4.6 MB); it walks the rows it draws.
#[test]
fn attack_render_alternating_deep_chains() {
    check_attack("render_alternating_chains", &["ok"], 256.0);
}

/// The merged flame graph of 100 paths 40,000 deep (8 MB of collapsed
/// stacks): each path is a hundredth of the width, so wide enough to draw,
/// and its whole depth was laid out as a tree (1 GB and 8 s in release for
/// 200,000-deep paths); the tree now stops at the last row drawn.
#[test]
fn attack_render_left_heavy_deep_paths() {
    check_attack("render_left_heavy_deep_paths", &["ok"], 160.0);
}

/// The same from row 39,990: the rows above the first one drawn are laid
/// out, whole, since where a path's box goes depends on its callers. The
/// nodes kept were found through a map: 290 MiB here (1.15 GB and 6.8 s
/// for 200,000-deep paths in release); now through the totals' own slots,
/// 156 MiB (721 MB and 1.4 s).
#[test]
fn attack_render_left_heavy_deep_start() {
    check_attack("render_left_heavy_deep_start", &["ok"], 210.0);
}

/// The same under (program), whose stack goes on top of the stack before
/// and so is walked each time: the steps are counted against
/// `max_samples` (10 million here) and stop the import.
#[test]
fn attack_cpuprofile_alternating_chains_under_program() {
    check_attack("cpuprofile_program_chain", &["limit_exceeded"], 256.0);
}

#[test]
fn attack_gzip_bomb_of_4_gb_zeros() {
    check_attack("gzip_bomb_4gb", &["limit_exceeded"], 64.0);
}

#[test]
fn attack_weights_overflow() {
    check_attack("weights_overflow", &["invalid_profile"], 256.0);
}

/// `--stream`: a record without an end is refused at `max_record_bytes`
/// instead of buffering the whole input.
#[test]
fn streamed_record_length_is_bounded() {
    let mut input = b"main 1\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 1 << 20));
    let opts = flamekit::stream::StreamOptions { chunk_bytes: 4096, max_record_bytes: 64 << 10, ..Default::default() };
    let e = flamekit::stream::import_reader(&input[..], &opts, &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "invalid_profile", "{e}");
    assert!(e.to_string().contains("max_record_bytes"), "{e}");
}

/// Writes the structure-aware seeds of the resource-fuzzing campaign
/// (scripts/fuzz-resources.sh) into `$FLAMEKIT_SEED_DIR`: the attacks above,
/// at sizes a fuzzer mutates quickly.
#[test]
#[ignore = "run by scripts/fuzz-resources.sh"]
fn write_fuzz_seeds() {
    let Ok(dir) = std::env::var("FLAMEKIT_SEED_DIR") else { return };
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("zip-quine-4", two_entry_quine(4)),
        ("zip-overlapping-40", overlapping(40)),
        ("zip-sniff-bomb-2", sniff_bomb(2)),
        ("gzip-zeros-8mib", gzip_zeros_mib(8)),
        ("pprof-empty-messages", pprof_empty_messages(5_000)),
        ("callgrind-mangled", callgrind(1, 40)),
        ("callgrind-many-events", callgrind(2_000, 200)),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Uncompressed size of `bytes` as the importers see it: the inflated size
/// of a gzip stream, the sum of a zip's entry sizes (from its central
/// directory), else the bytes themselves.
fn inflated_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        return out.len();
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Central-directory headers: signature PK\x01\x02, uncompressed size
        // at offset 24, four bytes little-endian.
        let total: usize = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"PK\x01\x02")
            .filter_map(|(i, _)| bytes.get(i + 24..i + 28))
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .sum();
        return total.max(bytes.len());
    }
    bytes.len()
}

#[test]
#[ignore = "run by every_corpus_file_stays_within_the_memory_bound, one file per child process"]
fn corpus_file_child() {
    let Ok(rel) = std::env::var("FLAMEKIT_CORPUS_FILE") else { return };
    if rel.is_empty() {
        // The baseline: a child that imports nothing.
        measure::report_to_parent(|| "ok".into());
        return;
    }
    let bytes = std::fs::read(common::corpus_path(&rel)).unwrap();
    measure::report_to_parent(|| match flamekit::import_with(&bytes, Some(&rel), &ImportOptions::default()) {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    });
}

/// Peak memory of an import, beyond the process's baseline, as a multiple of
/// the inflated input (docs/reliability.md, "Resource model").
const PEAK_PER_INFLATED_BYTE: f64 = 16.0;
/// Fixed allowance on top of it (allocator arenas, small tables), in MiB.
const PEAK_SLACK_MIB: f64 = 4.0;

/// Every corpus file, imported alone in a child process: peak memory at most
/// the baseline + [`PEAK_PER_INFLATED_BYTE`] × inflated bytes (the input
/// held by the child included) + [`PEAK_SLACK_MIB`].
#[test]
fn every_corpus_file_stays_within_the_memory_bound() {
    let base = measure::in_child("corpus_file_child", ("FLAMEKIT_CORPUS_FILE", "")).peak_rss_mib;
    let mut worst = (0.0f64, String::new());
    for (rel, bytes) in common::corpus_all() {
        let inflated_mib = inflated_len(bytes) as f64 / (1 << 20) as f64;
        let m = measure::in_child("corpus_file_child", ("FLAMEKIT_CORPUS_FILE", rel));
        let used = (m.peak_rss_mib - base).max(0.0);
        let ratio = used / inflated_mib.max(1e-9);
        if inflated_mib >= 0.25 && ratio > worst.0 {
            worst = (ratio, rel.clone());
        }
        let bound = PEAK_PER_INFLATED_BYTE * inflated_mib + PEAK_SLACK_MIB;
        assert!(used <= bound, "{rel}: {used:.1} MiB over the baseline, bound {bound:.1} MiB ({})", m.outcome);
        if std::env::var_os("FLAMEKIT_VERBOSE").is_some() {
            eprintln!("{rel}: {inflated_mib:.2} MiB inflated, {used:.1} MiB used ({})", m.outcome);
        }
    }
    eprintln!(
        "baseline {base:.1} MiB; largest peak ÷ inflated size of the files over 256 KiB: {:.1}× ({})",
        worst.0, worst.1
    );
}

/// `validate_svg` on an attribute of 250,000 calls without a `)`
/// (`x(x(x(…`, 500 KB): each call's text was read to its end, 3.6 s
/// of CPU here (10 MiB, the policy's default bound: about half an hour);
/// the text is now read once.
#[test]
fn attack_svg_attribute_of_open_calls() {
    check_attack("svg_open_calls", &["allow"], 64.0);
}

/// `import_file` on what has no size up front (a FIFO here; `/dev/zero`, a
/// file still growing) reads at most `max_input_bytes` + 1: 4 MiB offered
/// with a 1 MiB limit is `limit_exceeded`, not read whole (`/dev/zero` was
/// read until memory ran out: an MCP tool call or a binding's `import_file`
/// on it took the host down).
#[cfg(unix)]
#[test]
fn import_file_reads_at_most_the_limit_from_a_pipe() {
    use std::io::Write as _;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("profile.txt");
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let line = b"main;work 1\n".repeat(1 << 10);
            let mut written = 0usize;
            while written < 4 << 20 && f.write_all(&line).is_ok() {
                written += line.len();
            }
            written
        })
    };
    let limits = IngestLimits { max_input_bytes: 1 << 20, ..Default::default() };
    let e = flamekit::import_file(&fifo, &ImportOptions { limits, ..Default::default() }).unwrap_err();
    assert_eq!(
        e,
        flamekit::Error::LimitExceeded { limit: LimitKind::InputBytes, max: 1 << 20, value: (1 << 20) + 1 },
        "{e}"
    );
    // The reader stopped: the writer saw the pipe closed before 4 MiB.
    assert!(writer.join().unwrap() < 4 << 20);
    std::fs::remove_dir_all(&dir).unwrap();
}
