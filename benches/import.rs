//! Criterion benches: import of each main format (small corpus files and
//! generated 10 MB inputs, in every stack shape of `flamekit-gen`: call-graph
//! walk, distinct, wide, deep), speedscope export, analysis (frame weights,
//! top functions, summary, diff; call-graph and distinct stacks) and PNG
//! render (1200x800, time order and left heavy) of a generated 1M-sample
//! profile.
//!
//! `cargo bench --bench import` (all), or filter: `cargo bench --bench import -- collapsed`.
//! Large inputs come from `flamekit-gen` (deterministic, seed 1). The
//! side-by-side comparison with speedscope is `benches/compare/run.sh`.
// criterion_group!/criterion_main! expand to undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flamekit::{Format, ImportOptions, IngestLimits, RenderOptions, SummaryOptions, TopOptions, View};
use flamekit_gen::{GenFormat, Shape};
use support::{generated_shape, sampled_group};

#[path = "support/mod.rs"]
mod support;

fn corpus(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

fn opts() -> ImportOptions {
    ImportOptions { limits: IngestLimits::unlimited(), ..Default::default() }
}

fn bench_import(c: &mut Criterion) {
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    let small: [(&str, &str); 6] = [
        ("pprof-gz", "pprof/simple.prof"),
        ("cpuprofile", "node/10.11.0/example.cpuprofile"),
        ("trace", "trace-event/simple.json"),
        ("collapsed", "stackcollapse/perf-vertx-stacks-01-collapsed-all.txt"),
        ("perf", "linux-perf/simple.linux-perf.txt"),
        ("speedscope", "speedscope/0.6.0/two-sampled.speedscope.json"),
    ];
    for (name, file) in small {
        let bytes = corpus(file);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new(name, "corpus"), &bytes, |b, bytes| {
            b.iter(|| flamekit::import_with(black_box(bytes), Some(file), &opts()).expect(file))
        });
    }
    let large: [(&str, Format, GenFormat); 5] = [
        ("collapsed", Format::Collapsed, GenFormat::Collapsed),
        ("perf", Format::LinuxPerf, GenFormat::Perf),
        ("cpuprofile", Format::ChromeCpuProfile, GenFormat::Cpuprofile),
        ("trace", Format::ChromeTrace, GenFormat::Trace),
        ("speedscope", Format::Speedscope, GenFormat::Speedscope),
    ];
    for (name, format, gen) in large {
        let bytes = generated_shape(gen, Shape::Callgraph, 10_000_000);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new(name, "gen-10MB"), &bytes, |b, bytes| {
            b.iter(|| flamekit::import_format(format, black_box(bytes), &opts()).expect(name))
        });
    }
    // The other stack shapes, same formats.
    let shapes = [("distinct", Shape::Distinct), ("wide", Shape::Wide), ("deep", Shape::Deep)];
    for (shape_name, shape) in shapes {
        for (name, format, gen) in large {
            let bytes = generated_shape(gen, shape, 10_000_000);
            g.throughput(Throughput::Bytes(bytes.len() as u64));
            g.bench_with_input(BenchmarkId::new(name, format!("gen-{shape_name}-10MB")), &bytes, |b, bytes| {
                b.iter(|| flamekit::import_format(format, black_box(bytes), &opts()).expect(name))
            });
        }
    }
    // pprof as Go writes it: gzip, inflated by `import_with`.
    for (shape_name, shape) in [("gen-10MB", Shape::Callgraph), ("gen-distinct-10MB", Shape::Distinct)] {
        let raw = generated_shape(GenFormat::Pprof, shape, 10_000_000);
        let gz = gzip(&raw);
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_with_input(BenchmarkId::new("pprof-gz", shape_name), &gz, |b, gz| {
            b.iter(|| flamekit::import_with(black_box(gz), Some("gen.pb.gz"), &opts()).expect("pprof"))
        });
    }
    g.finish();
}

fn bench_export_analyze(c: &mut Criterion) {
    let bytes = generated_shape(GenFormat::Collapsed, Shape::Callgraph, 10_000_000);
    let group = flamekit::import_with(&bytes, None, &opts()).expect("collapsed").0;
    let mut g = c.benchmark_group("export");
    g.sample_size(10);
    g.bench_function("speedscope-json/gen-10MB", |b| {
        b.iter(|| flamekit::to_speedscope_json(black_box(&group)).unwrap())
    });
    g.bench_function("speedscope-gzip/gen-10MB", |b| {
        b.iter(|| flamekit::to_speedscope_gzip(black_box(&group)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("analyze");
    g.sample_size(10);
    g.bench_function("frame-weights/gen-10MB", |b| {
        b.iter(|| group.profiles()[0].frame_weights(black_box(group.frames().len())))
    });
    g.bench_function("call-tree/gen-10MB", |b| b.iter(|| flamekit::CallTree::new(black_box(&group.profiles()[0]))));
    g.bench_function("top-functions/gen-10MB", |b| {
        b.iter(|| flamekit::top_functions(black_box(&group), 0, &TopOptions::default()).expect("top"))
    });
    g.bench_function("summary/gen-10MB", |b| {
        b.iter(|| flamekit::summarize(black_box(&group), &SummaryOptions::default()).expect("summary"))
    });
    // Stacks that share little: a node per frame of nearly every sample.
    let bytes = generated_shape(GenFormat::Collapsed, Shape::Distinct, 10_000_000);
    let distinct = flamekit::import_with(&bytes, None, &opts()).expect("collapsed").0;
    g.bench_function("frame-weights/gen-distinct-10MB", |b| {
        b.iter(|| distinct.profiles()[0].frame_weights(black_box(distinct.frames().len())))
    });
    g.bench_function("top-functions/gen-distinct-10MB", |b| {
        b.iter(|| flamekit::top_functions(black_box(&distinct), 0, &TopOptions::default()).expect("top"))
    });
    g.bench_function("summary/gen-distinct-10MB", |b| {
        b.iter(|| flamekit::summarize(black_box(&distinct), &SummaryOptions::default()).expect("summary"))
    });
    g.bench_function("diff/gen-distinct-10MB", |b| {
        b.iter(|| flamekit::diff(black_box(&group), black_box(&distinct), &Default::default()).expect("diff"))
    });
    // The same generator's first 5 MB against all 10: a profile that grew.
    let half = generated_shape(GenFormat::Collapsed, Shape::Distinct, 5_000_000);
    let half = flamekit::import_with(&half, None, &opts()).expect("collapsed").0;
    g.bench_function("diff/gen-distinct-5MB-10MB", |b| {
        b.iter(|| flamekit::diff(black_box(&half), black_box(&distinct), &Default::default()).expect("diff"))
    });
    let big = sampled_group(1_000_000);
    g.bench_function("top-functions/gen-1M-samples", |b| {
        b.iter(|| flamekit::top_functions(black_box(&big), 0, &TopOptions::default()).expect("top"))
    });
    g.bench_function("summary/gen-1M-samples", |b| {
        b.iter(|| flamekit::summarize(black_box(&big), &SummaryOptions::default()).expect("summary"))
    });
    g.finish();

    let mut g = c.benchmark_group("render");
    g.sample_size(10);
    for (name, view) in [("time-order", View::TimeOrder), ("left-heavy", View::LeftHeavy)] {
        let ro = RenderOptions { width: 1200, height: 800, view, ..Default::default() };
        let small = corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt");
        let small = flamekit::import_with(&small, None, &opts()).expect("corpus").0;
        g.bench_function(format!("png-1200x800-{name}/corpus"), |b| {
            b.iter(|| flamekit::render_png(black_box(&small), &ro).expect("render"))
        });
        g.bench_function(format!("png-1200x800-{name}/gen-1M-samples"), |b| {
            b.iter(|| flamekit::render_png(black_box(&big), &ro).expect("render"))
        });
    }
    // Stacks that share little: the merged views on a node per frame of
    // nearly every sample (sandwich: the function with the most weight).
    let heaviest =
        flamekit::top_functions(&distinct, 0, &TopOptions { sort_by: flamekit::SortBy::Total, ..Default::default() })
            .expect("top")
            .into_iter()
            .next()
            .expect("a function")
            .name;
    for (name, view) in [("left-heavy", View::LeftHeavy), ("sandwich", View::Sandwich { frame: heaviest })] {
        let ro = RenderOptions { width: 1200, height: 800, view, ..Default::default() };
        g.bench_function(format!("png-1200x800-{name}/gen-distinct-10MB"), |b| {
            b.iter(|| flamekit::render_png(black_box(&distinct), &ro).expect("render"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_import, bench_export_analyze);
criterion_main!(benches);
