//! `flamekit-gen FORMAT [--shape SHAPE] --size 100MB --seed 1 -o FILE`: write a large deterministic profile.

use std::path::PathBuf;

use clap::Parser;
use flamekit_gen::{generate, GenFormat, GenOptions, Shape};

/// Write a large, realistic, deterministic profile for benchmarks.
#[derive(Parser)]
#[command(name = "flamekit-gen")]
struct Args {
    /// Output format.
    #[arg(value_enum)]
    format: GenFormat,
    /// Shape of the stacks: `callgraph` (a call-graph walk, long shared
    /// prefixes), `distinct` (random stacks, almost no prefix sharing),
    /// `wide` (1,000,000 distinct frames), `deep` (10,000-frame stacks).
    #[arg(long, value_enum, default_value_t = Shape::Callgraph)]
    shape: Shape,
    /// Target size: bytes, or with a suffix KB, MB, GB (decimal).
    #[arg(long, default_value = "10MB")]
    size: String,
    /// PRNG seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Distinct functions.
    #[arg(long, default_value_t = 100_000)]
    functions: u32,
    /// Threads (perf, trace).
    #[arg(long, default_value_t = 8)]
    threads: u32,
    /// Stop after this many samples, even before --size is reached.
    #[arg(long)]
    samples: Option<u64>,
    /// Output file (`-` for stdout); gzip when it ends in `.gz`.
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_uppercase();
    let (num, mul) = if let Some(n) = s.strip_suffix("GB") {
        (n, 1_000_000_000)
    } else if let Some(n) = s.strip_suffix("MB") {
        (n, 1_000_000)
    } else if let Some(n) = s.strip_suffix("KB") {
        (n, 1_000)
    } else {
        (s.as_str(), 1)
    };
    num.trim().parse::<f64>().ok().map(|x| (x * mul as f64) as u64)
}

fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let Some(target_bytes) = parse_size(&a.size) else {
        eprintln!("flamekit-gen: bad --size {}", a.size);
        return std::process::ExitCode::from(2);
    };
    let opts = GenOptions {
        shape: a.shape,
        seed: a.seed,
        target_bytes,
        functions: a.functions,
        threads: a.threads,
        max_samples: a.samples,
        ..Default::default()
    };
    let result = if a.output.as_os_str() == "-" {
        generate(a.format, &opts, std::io::stdout().lock())
    } else {
        std::fs::File::create(&a.output).and_then(|f| {
            if a.output.extension().is_some_and(|e| e == "gz") {
                let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
                let s = generate(a.format, &opts, &mut gz)?;
                gz.finish()?;
                Ok(s)
            } else {
                generate(a.format, &opts, f)
            }
        })
    };
    match result {
        Ok(s) => {
            eprintln!("flamekit-gen: {} samples, {} bytes", s.samples, s.bytes);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("flamekit-gen: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
