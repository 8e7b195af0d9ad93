//! Criterion benches: import of each main format (small corpus files and
//! generated 10 MB inputs), speedscope export, analysis (top functions,
//! summary) and PNG render (1200x800, time order and left heavy) of a
//! generated 1M-sample profile.
//!
//! `cargo bench --bench import` (all), or filter: `cargo bench --bench import -- collapsed`.
//! Large inputs come from `flamekit-gen` (deterministic, seed 1). The
//! side-by-side comparison with speedscope is `benches/compare/run.sh`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flamekit::{
    Format, GroupBuilder, ImportOptions, IngestLimits, ProfileGroup, RenderOptions, SummaryOptions, TopOptions,
    ValueUnit, View,
};
use flamekit_gen::{generate, GenFormat, GenOptions, Stacks};

fn corpus(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/speedscope-samples").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn generated(format: GenFormat, bytes: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let opts = GenOptions { target_bytes: bytes, ..Default::default() };
    generate(format, &opts, &mut out).expect("generate");
    out
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

/// A sampled profile of `samples` samples from the generator's walk
/// (100,000 functions, deep dives included), built directly.
fn sampled_group(samples: usize) -> ProfileGroup {
    let gen = GenOptions::default();
    let mut g = GroupBuilder::new("generated", &IngestLimits::unlimited());
    let frames: Vec<_> =
        (0..gen.functions).map(|f| g.frame_named(&flamekit_gen::function_name(f)).expect("frame")).collect();
    let mut b = g.sampled("generated", ValueUnit::Microseconds);
    let mut walk = Stacks::new(&gen, 0);
    let mut ids = Vec::new();
    for i in 0..samples {
        ids.clear();
        ids.extend(walk.next_stack().iter().map(|&f| frames[f as usize]));
        b.push_stack(&ids, 100.0 + (i % 50) as f64).expect("sample");
    }
    g.push_profile(b.finish()).expect("profile");
    g.finish(0).expect("group").0
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
        let bytes = generated(gen, 10_000_000);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new(name, "gen-10MB"), &bytes, |b, bytes| {
            b.iter(|| flamekit::import_format(format, black_box(bytes), &opts()).expect(name))
        });
    }
    // pprof as Go writes it: gzip, inflated by `import_with`.
    let raw = generated(GenFormat::Pprof, 10_000_000);
    let gz = gzip(&raw);
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_with_input(BenchmarkId::new("pprof-gz", "gen-10MB"), &gz, |b, gz| {
        b.iter(|| flamekit::import_with(black_box(gz), Some("gen.pb.gz"), &opts()).expect("pprof"))
    });
    g.finish();
}

fn bench_export_analyze(c: &mut Criterion) {
    let bytes = generated(GenFormat::Collapsed, 10_000_000);
    let group = flamekit::import_with(&bytes, None, &opts()).expect("collapsed").0;
    let mut g = c.benchmark_group("export");
    g.sample_size(10);
    g.bench_function("speedscope-json/gen-10MB", |b| b.iter(|| flamekit::to_speedscope_json(black_box(&group))));
    g.bench_function("speedscope-gzip/gen-10MB", |b| b.iter(|| flamekit::to_speedscope_gzip(black_box(&group))));
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
    g.finish();
}

criterion_group!(benches, bench_import, bench_export_analyze);
criterion_main!(benches);
