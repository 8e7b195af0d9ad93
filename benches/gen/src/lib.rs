//! Deterministic generator of large, realistic profiles for benchmarks.
//!
//! A synthetic program with `functions` distinct functions is "sampled" by a
//! random walk over its call graph: each sample keeps a prefix of the
//! previous stack (as real samples do) and descends along skewed call
//! edges; now and then a deep recursive dive happens. The same seed and
//! options always give the same bytes.

use std::collections::HashMap;
use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GenFormat {
    /// Collapsed stacks (`a;b;c 3`).
    Collapsed,
    /// Linux `perf script` text.
    Perf,
    /// Chrome `.cpuprofile`.
    Cpuprofile,
    /// Chrome trace events (B/E pairs over several threads).
    Trace,
    /// speedscope sampled JSON.
    Speedscope,
}

/// Generator options. `Default` gives 100,000 functions, 8 threads, stacks
/// up to 120 frames with rare 2,000-frame recursive dives, 10 MB of output.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// PRNG seed. Default 1.
    pub seed: u64,
    /// Stop once at least this many bytes were written. Default 10 MB.
    pub target_bytes: u64,
    /// Distinct functions in the synthetic program. Default 100,000.
    pub functions: u32,
    /// Threads (perf and trace events). Default 8.
    pub threads: u32,
    /// Usual maximum stack depth. Default 120.
    pub max_depth: usize,
    /// Depth of the rare recursive dives. Default 2,000.
    pub dive_depth: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 1,
            target_bytes: 10_000_000,
            functions: 100_000,
            threads: 8,
            max_depth: 120,
            dive_depth: 2_000,
        }
    }
}

/// What was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Samples (or stack changes, for trace events).
    pub samples: u64,
    /// Bytes written.
    pub bytes: u64,
}

struct Counting<W: Write> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The synthetic program and its random walk.
struct Walker {
    rng: ChaCha8Rng,
    functions: u32,
    max_depth: usize,
    dive_depth: usize,
    stack: Vec<u32>,
}

impl Walker {
    fn new(opts: &GenOptions, stream: u64) -> Walker {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(stream);
        Walker {
            rng,
            functions: opts.functions.max(16),
            max_depth: opts.max_depth.max(2),
            dive_depth: opts.dive_depth,
            stack: Vec::new(),
        }
    }

    /// The `r`-th callee of function `f` (a fixed pseudo-random call graph).
    fn callee(&self, f: u32, r: u32) -> u32 {
        let mut x = (f as u64) << 32 | r as u64;
        x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 32;
        (x % self.functions as u64) as u32
    }

    /// Advance to the next sample's stack: keep most of the previous stack,
    /// then descend to a depth around 8..48 (capped by `max_depth`).
    fn next(&mut self) -> &[u32] {
        while !self.stack.is_empty() && self.rng.gen_bool(0.5) {
            self.stack.pop();
        }
        if self.stack.len() > self.max_depth.min(64) {
            self.stack.truncate(self.rng.gen_range(1..16));
        }
        if self.stack.is_empty() {
            self.stack.push(self.rng.gen_range(0..4));
        }
        if self.dive_depth > 0 && self.rng.gen_ratio(1, 20_000) {
            let f = (*self.stack.last().unwrap_or(&0) ^ 0x55) % self.functions;
            while self.stack.len() < self.dive_depth {
                self.stack.push(f);
            }
            return &self.stack;
        }
        let target = self.max_depth.min(8 + self.rng.gen_range(0..40)).max(self.stack.len().min(self.max_depth));
        let target = if self.stack.len() >= target { self.stack.len() + self.rng.gen_range(0..2) } else { target };
        let target = target.min(self.max_depth.max(self.stack.len()));
        while self.stack.len() < target {
            let top = *self.stack.last().unwrap_or(&0);
            let u: f64 = self.rng.gen();
            let r = (u * u * u * 12.0) as u32;
            self.stack.push(self.callee(top, r));
        }
        &self.stack
    }
}

/// Name of function `f`: realistic lengths and namespaces.
pub fn function_name(f: u32) -> String {
    const PKGS: [&str; 8] = ["core", "net", "db", "http", "json", "render", "sched", "io"];
    format!("{}::module_{}::handle_{}", PKGS[(f % 8) as usize], (f / 8) % 97, f)
}

fn file_name(f: u32) -> String {
    format!(
        "/src/{}/module_{}.rs",
        ["core", "net", "db", "http", "json", "render", "sched", "io"][(f % 8) as usize],
        (f / 8) % 97
    )
}

/// Write a profile of `format` to `out`.
pub fn generate<W: Write>(format: GenFormat, opts: &GenOptions, out: W) -> io::Result<GenStats> {
    let mut w = Counting { inner: io::BufWriter::with_capacity(1 << 20, out), n: 0 };
    let mut stats = GenStats::default();
    let names: Vec<String> = (0..opts.functions.max(16)).map(function_name).collect();
    match format {
        GenFormat::Collapsed => {
            let mut walker = Walker::new(opts, 0);
            while w.n < opts.target_bytes {
                let count = 1 + walker.rng.gen_range(0..9u32);
                let stack = walker.next();
                for (i, f) in stack.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b";")?;
                    }
                    w.write_all(names[*f as usize].as_bytes())?;
                }
                writeln!(w, " {count}")?;
                stats.samples += 1;
            }
        }
        GenFormat::Perf => {
            let mut walkers: Vec<Walker> = (0..opts.threads.max(1)).map(|t| Walker::new(opts, t as u64)).collect();
            let mut pick = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xFEED);
            let mut t_us: u64 = 1_000_000_000;
            while w.n < opts.target_bytes {
                let tid = pick.gen_range(0..walkers.len());
                t_us += 50 + pick.gen_range(0..100u64);
                writeln!(
                    w,
                    "worker-{tid} {}/{} [{:03}] {}.{:06}:     250000 cpu-clock:u: ",
                    4000,
                    4000 + tid,
                    tid % 2,
                    t_us / 1_000_000,
                    t_us % 1_000_000
                )?;
                let stack = walkers[tid].next();
                for f in stack.iter().rev() {
                    writeln!(
                        w,
                        "\t    {:x} {}+0x{:x} (/usr/bin/app)",
                        0x400000 + *f as u64 * 64,
                        names[*f as usize],
                        f % 200
                    )?;
                }
                w.write_all(b"\n")?;
                stats.samples += 1;
            }
        }
        GenFormat::Cpuprofile => {
            let mut walker = Walker::new(opts, 0);
            // Node 1 is (root); nodes are created as stacks appear.
            let mut nodes: Vec<(u32, u32)> = vec![(0, u32::MAX)]; // (parent id, function)
            let mut index: HashMap<(u32, u32), u32> = HashMap::new();
            let mut samples: Vec<u32> = Vec::new();
            let mut bytes_estimate = 0u64;
            while bytes_estimate < opts.target_bytes {
                let stack = walker.next().to_vec();
                let mut node = 1u32;
                for f in stack {
                    let next = nodes.len() as u32 + 1;
                    let id = *index.entry((node, f)).or_insert(next);
                    if id == next {
                        nodes.push((node, f));
                        bytes_estimate += 150;
                    }
                    node = id;
                }
                samples.push(node);
                bytes_estimate += 12;
            }
            let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len() + 1];
            for (i, &(parent, _)) in nodes.iter().enumerate().skip(1) {
                children[parent as usize].push(i as u32 + 1);
            }
            w.write_all(b"{\"nodes\":[")?;
            for (i, &(_, f)) in nodes.iter().enumerate() {
                let id = i as u32 + 1;
                if i > 0 {
                    w.write_all(b",")?;
                }
                let (name, url, line) = if f == u32::MAX {
                    ("(root)".to_owned(), String::new(), -1i64)
                } else {
                    (names[f as usize].clone(), file_name(f), (f % 500) as i64)
                };
                write!(
                    w,
                    "{{\"id\":{id},\"callFrame\":{{\"functionName\":{},\"scriptId\":\"{}\",\"url\":{},\"lineNumber\":{line},\"columnNumber\":4}},\"hitCount\":0,\"children\":{:?}}}",
                    serde_json::to_string(&name).unwrap_or_default(),
                    f % 50,
                    serde_json::to_string(&url).unwrap_or_default(),
                    children[id as usize]
                )?;
            }
            let start = 1_000_000u64;
            write!(w, "],\"startTime\":{start},\"endTime\":{},\"samples\":[", start + samples.len() as u64 * 125)?;
            for (i, s) in samples.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "{s}")?;
            }
            w.write_all(b"],\"timeDeltas\":[")?;
            for i in 0..samples.len() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                let d = 100 + walker.rng.gen_range(0..50u32);
                write!(w, "{d}")?;
            }
            w.write_all(b"]}\n")?;
            stats.samples = samples.len() as u64;
        }
        GenFormat::Trace => {
            let mut walkers: Vec<Walker> = (0..opts.threads.max(1)).map(|t| Walker::new(opts, t as u64)).collect();
            let mut open: Vec<Vec<u32>> = vec![Vec::new(); walkers.len()];
            let mut pick = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xBEEF);
            let mut ts: u64 = 1_000;
            let mut first = true;
            w.write_all(b"[")?;
            let mut event = |w: &mut Counting<_>, ph: char, f: u32, tid: usize, ts: u64| -> io::Result<()> {
                if !first {
                    w.write_all(b",\n")?;
                }
                first = false;
                write!(
                    w,
                    "{{\"name\":\"{}\",\"cat\":\"fn\",\"ph\":\"{ph}\",\"ts\":{ts},\"pid\":1,\"tid\":{tid}}}",
                    names[f as usize]
                )
            };
            while w.n < opts.target_bytes {
                let tid = pick.gen_range(0..walkers.len());
                ts += 1 + pick.gen_range(0..20u64);
                let next = walkers[tid].next().to_vec();
                let common = open[tid].iter().zip(&next).take_while(|(a, b)| a == b).count();
                while open[tid].len() > common {
                    let f = open[tid].pop().unwrap_or(0);
                    event(&mut w, 'E', f, tid, ts)?;
                }
                for &f in &next[common..] {
                    event(&mut w, 'B', f, tid, ts)?;
                    open[tid].push(f);
                }
                stats.samples += 1;
            }
            ts += 1;
            for (tid, stack) in open.iter_mut().enumerate() {
                while let Some(f) = stack.pop() {
                    event(&mut w, 'E', f, tid, ts)?;
                }
            }
            w.write_all(b"]\n")?;
        }
        GenFormat::Speedscope => {
            let mut walker = Walker::new(opts, 0);
            w.write_all(
                b"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":[",
            )?;
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "{{\"name\":\"{n}\",\"file\":\"{}\",\"line\":{}}}", file_name(i as u32), i % 500)?;
            }
            w.write_all(b"]},\"profiles\":[{\"type\":\"sampled\",\"name\":\"generated\",\"unit\":\"microseconds\",\"startValue\":0,\"endValue\":0,\"samples\":[")?;
            let mut weights = Vec::new();
            while w.n < opts.target_bytes || weights.is_empty() {
                if !weights.is_empty() {
                    w.write_all(b",")?;
                }
                let stack = walker.next();
                write!(w, "{:?}", stack)?;
                weights.push(100 + walker.rng.gen_range(0..50u32));
            }
            w.write_all(b"],\"weights\":[")?;
            for (i, x) in weights.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "{x}")?;
            }
            w.write_all(b"]}]}\n")?;
            stats.samples = weights.len() as u64;
        }
    }
    w.flush()?;
    stats.bytes = w.n;
    Ok(stats)
}
