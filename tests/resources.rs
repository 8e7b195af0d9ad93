//! Resource bounds on large and deep inputs: 1,000,000 distinct frames,
//! 1,000,000-deep stacks (distinct and recursive), 10,000 threads. Every
//! algorithm on these paths is iterative and linear; a quadratic path or a
//! recursive one would not finish (or would overflow the stack) here.

use std::fmt::Write as _;

use flamekit::{CallTree, Format, ImportOptions, IngestLimits};

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
    let json = flamekit::to_speedscope_json(&g);
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
    let json = flamekit::to_speedscope_json(&g);
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
