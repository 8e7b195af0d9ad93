//! Deterministic generator of large, realistic profiles for benchmarks.
//!
//! A synthetic program with `functions` distinct functions is "sampled"; the
//! [`Shape`] decides how its stacks look. The default,
//! [`Shape::Callgraph`], is a random walk over a fixed call graph: each
//! sample keeps a prefix of the previous stack (as real samples do) and
//! descends along skewed call edges; now and then a deep recursive dive
//! happens. The other shapes stress other costs: nearly every stack
//! distinct ([`Shape::Distinct`]), a million distinct frames
//! ([`Shape::Wide`]), 10,000-frame stacks ([`Shape::Deep`]). Every format
//! takes every shape. The same seed and options always give the same bytes.

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
    /// pprof `profile.proto` (raw protobuf; the CLI gzips it when the output
    /// name ends in `.gz`, as Go writes it). Two sample types (`samples/count`,
    /// `cpu/nanoseconds`; no `default_sample_type`, as Go writes CPU
    /// profiles), one location per function, every 8th location with an
    /// inlined call, one mapping.
    Pprof,
}

/// The shape of the generated stacks: which cost of an importer they stress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// A random walk over a fixed call graph (the default): consecutive
    /// samples share long prefixes, so few stacks are distinct; stacks of
    /// 8–48 frames (up to `max_depth`), rare `dive_depth`-frame recursive dives.
    #[default]
    Callgraph,
    /// Random stacks of 16–79 frames, each frame drawn uniformly from the
    /// `functions` functions: almost no prefix sharing, nearly every stack
    /// is distinct.
    Distinct,
    /// 1,000,000 distinct frames (or `functions`, when larger): short stacks
    /// (1–8 frames) whose frames are taken in turn, so a new frame appears
    /// in every position until all of them have been used.
    Wide,
    /// Stacks of exactly 10,000 frames (`deep_depth`): each sample keeps a
    /// random prefix of the previous stack and walks the call graph back
    /// down to full depth.
    Deep,
}

/// Generator options. `Default` gives the call-graph shape, 100,000
/// functions, 8 threads, stacks up to 120 frames with rare 2,000-frame
/// recursive dives, 10 MB of output.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Shape of the stacks. Default [`Shape::Callgraph`].
    pub shape: Shape,
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
    /// Stack depth of [`Shape::Deep`]. Default 10,000.
    pub deep_depth: usize,
    /// Stop after this many samples (stack changes for trace events) even
    /// when `target_bytes` is not reached yet. Default `None`.
    pub max_samples: Option<u64>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            shape: Shape::Callgraph,
            seed: 1,
            target_bytes: 10_000_000,
            functions: 100_000,
            threads: 8,
            max_depth: 120,
            dive_depth: 2_000,
            deep_depth: 10_000,
            max_samples: None,
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
    shape: Shape,
    functions: u32,
    max_depth: usize,
    dive_depth: usize,
    deep_depth: usize,
    /// [`Shape::Wide`]: the next frame to use.
    next_frame: u32,
    /// Largest function index used so far.
    max_used: u32,
    stack: Vec<u32>,
}

impl Walker {
    fn new(opts: &GenOptions, stream: u64) -> Walker {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(stream);
        let functions = opts.function_count();
        let streams = u64::from(opts.threads.max(1));
        Walker {
            rng,
            shape: opts.shape,
            functions,
            max_depth: opts.max_depth.max(2),
            dive_depth: opts.dive_depth,
            deep_depth: opts.deep_depth.max(1),
            // Threads of a wide profile start apart in the frame sequence.
            next_frame: ((u64::from(functions) * (stream % streams)) / streams) as u32,
            max_used: 0,
            stack: Vec::new(),
        }
    }

    /// Advance to the next sample's stack, in the walker's shape.
    fn next(&mut self) -> &[u32] {
        match self.shape {
            Shape::Callgraph => {
                self.next_callgraph();
            }
            Shape::Distinct => {
                self.stack.clear();
                let depth = 16 + self.rng.gen_range(0..64usize);
                for _ in 0..depth {
                    let f = self.rng.gen_range(0..self.functions);
                    self.stack.push(f);
                }
            }
            Shape::Wide => {
                self.stack.clear();
                let depth = 1 + self.rng.gen_range(0..8usize);
                for _ in 0..depth {
                    self.stack.push(self.next_frame);
                    self.next_frame = (self.next_frame + 1) % self.functions;
                }
            }
            Shape::Deep => {
                let keep = self.rng.gen_range(0..self.deep_depth.min(self.stack.len()).max(1));
                self.stack.truncate(keep);
                if self.stack.is_empty() {
                    self.stack.push(self.rng.gen_range(0..4));
                }
                while self.stack.len() < self.deep_depth {
                    let top = *self.stack.last().unwrap_or(&0);
                    let u: f64 = self.rng.gen();
                    let r = (u * u * u * 12.0) as u32;
                    self.stack.push(self.callee(top, r));
                }
            }
        }
        self.max_used = self.stack.iter().fold(self.max_used, |m, &f| m.max(f));
        &self.stack
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

    /// [`Shape::Callgraph`]: keep most of the previous stack, then descend
    /// to a depth around 8..48 (capped by `max_depth`).
    fn next_callgraph(&mut self) -> &[u32] {
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

/// The stacks a generated profile samples, without any file format: function
/// indices (name them with [`function_name`]), outermost first. `stream`
/// picks an independent walk (one per thread in the multi-thread formats).
///
/// ```
/// let opts = flamekit_gen::GenOptions::default();
/// let mut s = flamekit_gen::Stacks::new(&opts, 0);
/// assert!(!s.next_stack().is_empty());
/// ```
pub struct Stacks(Walker);

impl Stacks {
    /// A walk seeded from `opts.seed` and `stream`.
    pub fn new(opts: &GenOptions, stream: u64) -> Stacks {
        Stacks(Walker::new(opts, stream))
    }

    /// The next sample's stack, outermost first.
    pub fn next_stack(&mut self) -> &[u32] {
        self.0.next()
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

impl GenOptions {
    /// Distinct functions of the synthetic program: `functions` (at least
    /// 16), and at least 1,000,000 for [`Shape::Wide`].
    pub fn function_count(&self) -> u32 {
        match self.shape {
            Shape::Wide => self.functions.max(1_000_000),
            _ => self.functions.max(16),
        }
    }

    /// True while more output is wanted after `bytes` bytes and `samples` samples.
    fn more(&self, bytes: u64, samples: u64) -> bool {
        bytes < self.target_bytes && self.max_samples.is_none_or(|m| samples < m)
    }
}

/// Write a profile of `format` to `out`.
pub fn generate<W: Write>(format: GenFormat, opts: &GenOptions, out: W) -> io::Result<GenStats> {
    let mut w = Counting { inner: io::BufWriter::with_capacity(1 << 20, out), n: 0 };
    let mut stats = GenStats::default();
    let names: Vec<String> = (0..opts.function_count()).map(function_name).collect();
    match format {
        GenFormat::Collapsed => {
            let mut walker = Walker::new(opts, 0);
            while opts.more(w.n, stats.samples) {
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
            while opts.more(w.n, stats.samples) {
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
            while opts.more(bytes_estimate, samples.len() as u64) {
                let stack = walker.next().to_vec();
                let mut node = 1u32;
                for f in stack {
                    let next = nodes.len() as u32 + 1;
                    let id = *index.entry((node, f)).or_insert(next);
                    if id == next {
                        nodes.push((node, f));
                        bytes_estimate += 185;
                    }
                    node = id;
                }
                samples.push(node);
                bytes_estimate += 11;
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
            while opts.more(w.n, stats.samples) {
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
            // Everything before the first sample: the frame table (every
            // function; for the wide shape only those used, known at the end).
            let prefix = |count: usize| -> io::Result<Vec<u8>> {
                let mut p = Vec::new();
                p.extend_from_slice(
                    b"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":[",
                );
                for (i, n) in names[..count].iter().enumerate() {
                    if i > 0 {
                        p.push(b',');
                    }
                    write!(p, "{{\"name\":\"{n}\",\"file\":\"{}\",\"line\":{}}}", file_name(i as u32), i % 500)?;
                }
                p.extend_from_slice(b"]},\"profiles\":[{\"type\":\"sampled\",\"name\":\"generated\",\"unit\":\"microseconds\",\"startValue\":0,\"endValue\":0,\"samples\":[");
                Ok(p)
            };
            let wide = opts.shape == Shape::Wide;
            let mut head = if wide { Vec::new() } else { prefix(names.len())? };
            // About the bytes of one frame-table entry.
            const FRAME_BYTES: u64 = 80;
            let mut body: Vec<u8> = Vec::new();
            let mut weights = Vec::new();
            let written = |head: &[u8], body: &[u8], walker: &Walker| {
                let table = if wide { (u64::from(walker.max_used) + 1) * FRAME_BYTES } else { head.len() as u64 };
                table + body.len() as u64
            };
            while opts.more(written(&head, &body, &walker), weights.len() as u64) || weights.is_empty() {
                if !weights.is_empty() {
                    body.push(b',');
                }
                let stack = walker.next();
                write!(body, "{:?}", stack)?;
                weights.push(100 + walker.rng.gen_range(0..50u32));
            }
            if wide {
                head = prefix(walker.max_used as usize + 1)?;
            }
            w.write_all(&head)?;
            w.write_all(&body)?;
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
        GenFormat::Pprof => write_pprof(opts, &names, &mut w, &mut stats)?,
    }
    w.flush()?;
    stats.bytes = w.n;
    Ok(stats)
}

/// Protobuf writing helpers (just what `profile.proto` needs).
mod pb {
    pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    pub(crate) fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
        varint(out, (u64::from(field) << 3) | u64::from(wire));
    }
    pub(crate) fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
        if v != 0 {
            key(out, field, 0);
            varint(out, v);
        }
    }
    pub(crate) fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
        key(out, field, 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    pub(crate) fn packed(out: &mut Vec<u8>, field: u32, vs: &[u64], tmp: &mut Vec<u8>) {
        tmp.clear();
        for &v in vs {
            varint(tmp, v);
        }
        bytes(out, field, tmp);
    }
}

/// pprof: samples are streamed first (a message's repeated fields may come in
/// any order), then the sample types, mapping, locations, functions and the
/// string table. Location `f + 1` is function `f`; every 8th location also
/// has an inlined callee (function `(f * 7 + 3) % n`) as its innermost line.
fn write_pprof<W: Write>(
    opts: &GenOptions,
    names: &[String],
    w: &mut Counting<W>,
    stats: &mut GenStats,
) -> io::Result<()> {
    // Functions in the tables: all of them; for the wide shape only those
    // used (a prefix of the frame sequence), known once the samples are written.
    let wide = opts.shape == Shape::Wide;
    let table = |walker: &Walker| if wide { u64::from(walker.max_used) + 1 } else { names.len() as u64 };
    let mut walker = Walker::new(opts, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x9907);
    let (mut msg, mut tmp, mut field) = (Vec::new(), Vec::new(), Vec::new());
    let mut locs: Vec<u64> = Vec::new();
    // Bytes of everything after the samples, about 70 per function.
    while opts.more(w.n + table(&walker) * 70, stats.samples) {
        let stack = walker.next();
        locs.clear();
        locs.extend(stack.iter().rev().map(|&f| u64::from(f) + 1));
        let count = 1 + rng.gen_range(0..3u64);
        let values = [count, count * 10_000_000];
        msg.clear();
        pb::packed(&mut msg, 1, &locs, &mut tmp);
        pb::packed(&mut msg, 2, &values, &mut tmp);
        field.clear();
        pb::bytes(&mut field, 2, &msg);
        w.write_all(&field)?;
        stats.samples += 1;
    }
    let n = table(&walker);
    // String table: 0 "", 1 samples, 2 count, 3 cpu, 4 nanoseconds, 5 /usr/bin/app,
    // then 6 + f: function names, then files (8 packages x 97 modules).
    const FIXED: u64 = 6;
    let file_idx = |f: u32| FIXED + n + u64::from(f % 8) * 97 + u64::from((f / 8) % 97);
    let mut out = Vec::new();
    for (ty, unit) in [(1, 2), (3, 4)] {
        msg.clear();
        pb::uint(&mut msg, 1, ty);
        pb::uint(&mut msg, 2, unit);
        pb::bytes(&mut out, 1, &msg);
    }
    msg.clear();
    pb::uint(&mut msg, 1, 1); // id
    pb::uint(&mut msg, 2, 0x400000); // memory_start
    pb::uint(&mut msg, 3, 0x400000 + n * 64); // memory_limit
    pb::uint(&mut msg, 5, 5); // filename
    pb::bytes(&mut out, 3, &msg);
    w.write_all(&out)?;
    for f in 0..n {
        out.clear();
        msg.clear();
        pb::uint(&mut msg, 1, f + 1); // id
        pb::uint(&mut msg, 2, 1); // mapping_id
        pb::uint(&mut msg, 3, 0x400000 + f * 64 + 17); // address
        if f % 8 == 0 {
            let inlined = (f * 7 + 3) % n;
            tmp.clear();
            pb::uint(&mut tmp, 1, inlined + 1);
            pb::uint(&mut tmp, 2, 10 + inlined % 400);
            pb::bytes(&mut msg, 4, &tmp);
        }
        tmp.clear();
        pb::uint(&mut tmp, 1, f + 1); // function_id
        pb::uint(&mut tmp, 2, 12 + f % 400); // line
        pb::bytes(&mut msg, 4, &tmp);
        pb::bytes(&mut out, 4, &msg);
        msg.clear();
        pb::uint(&mut msg, 1, f + 1); // id
        pb::uint(&mut msg, 2, FIXED + f); // name
        pb::uint(&mut msg, 3, FIXED + f); // system_name
        pb::uint(&mut msg, 4, file_idx(f as u32)); // filename
        pb::uint(&mut msg, 5, 1 + f % 500); // start_line
        pb::bytes(&mut out, 5, &msg);
        w.write_all(&out)?;
    }
    out.clear();
    for s in ["", "samples", "count", "cpu", "nanoseconds", "/usr/bin/app"] {
        pb::bytes(&mut out, 6, s.as_bytes());
    }
    for name in &names[..n as usize] {
        pb::bytes(&mut out, 6, name.as_bytes());
    }
    for f in 0..8 * 97u32 {
        // file_name() of a function with this (package, module) pair.
        pb::bytes(&mut out, 6, file_name((f / 97) + 8 * (f % 97)).as_bytes());
    }
    pb::uint(&mut out, 9, 1_700_000_000_000_000_000); // time_nanos
    pb::uint(&mut out, 10, stats.samples * 10_000_000); // duration_nanos
    msg.clear();
    pb::uint(&mut msg, 1, 3);
    pb::uint(&mut msg, 2, 4);
    // period_type cpu/nanoseconds and the period; no default_sample_type, as
    // Go writes CPU profiles (the last type, cpu, is shown).
    pb::bytes(&mut out, 11, &msg);
    pb::uint(&mut out, 12, 10_000_000);
    w.write_all(&out)
}
