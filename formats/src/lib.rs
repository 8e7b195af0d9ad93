//! flamekit-formats: one importer module per profile format, and
//! content-based detection.
//!
//! The pipeline is `bytes → detect → importer → ProfileGroup`. Every importer
//! reads through [`flamekit_core::GroupBuilder`], so [`ImportOptions::limits`]
//! are enforced while reading and every import yields an
//! [`ImportReport`] of what was skipped or repaired.
//!
//! ```
//! let json = br#"{"shared":{"frames":[{"name":"main"}]},
//!   "profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":2,
//!                "samples":[[0],[0]],"weights":[1,1]}]}"#;
//! assert_eq!(flamekit_formats::detect(json, None).unwrap(), flamekit_formats::Format::Speedscope);
//! let group = flamekit_formats::import(json, None).unwrap();
//! assert_eq!(group.profiles()[0].total_weight(), 2.0);
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::fmt;

use flamekit_core::{Error, ImportReport, IngestLimits, LimitKind, ProfileGroup, Result};

pub mod callgrind;
pub mod chrome_cpuprofile;
pub mod chrome_trace;
pub mod collapsed;
pub(crate) mod demangle;
pub mod dtrace;
pub mod firefox;
pub mod haskell;
pub mod instruments;
pub mod jfr;
mod js_name;
mod json;
mod kept;
pub mod linux_perf;
pub mod papyrus;
mod parallel;
pub mod pmcstat;
pub mod pprof;
pub mod safari;
pub mod sourcemap;
pub mod speedscope;
pub mod stackprof;
pub mod stream;
mod text;
mod v8;
pub mod v8_heap;
pub mod v8_log;
pub mod zip_container;

pub use sourcemap::SourceMapInput;

/// Options for one import. Fill in what you need, keep `..Default::default()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// Bounds checked while reading. Default: [`IngestLimits::default()`].
    pub limits: IngestLimits,
    /// Name for the group (and for profiles whose format carries no name).
    /// Default: `None`, the format's own name or an empty string.
    pub name: Option<String>,
    /// How linux `perf script` samples are weighted.
    /// Default: [`PerfWeight::Samples`] (each sample weighs 1).
    pub perf_weight: PerfWeight,
    /// Which frames of a Firefox (Gecko) profile are kept.
    /// Default: [`FirefoxFrames::All`] (native and label frames too).
    pub firefox_frames: FirefoxFrames,
    /// Which samples of a pmcstat call graph are kept.
    /// Default: [`PmcstatSamples::All`] (truncated caller paths keep their samples).
    pub pmcstat_samples: PmcstatSamples,
    /// JavaScript source maps applied to the imported frames (see
    /// [`sourcemap`]); their bytes count toward `limits.max_input_bytes`.
    /// Default: empty, frames are left as the format has them.
    pub source_maps: Vec<SourceMapInput>,
    /// How the script stacks of a Papyrus log become profiles.
    /// Default: [`PapyrusStacks::Separate`] (one profile per stack).
    pub papyrus_stacks: PapyrusStacks,
    /// Threads an import may use: collapsed stacks and `perf script` text
    /// are split at line boundaries and parsed in parallel; a trace's event
    /// array, a `.cpuprofile`'s `nodes` and a speedscope file's `samples`
    /// are read in chunks in parallel, the threads of a trace's duration
    /// events (`B`/`E`/`X`) are built in parallel, a V8 CPU profile's
    /// samples (a `.cpuprofile`'s, a trace's) are walked on a second thread
    /// while the calling thread interns their frames, and a pprof
    /// profile's samples are decoded on a worker while the calling thread
    /// builds their stacks, and a second thread maps the memory that gzip
    /// input is inflated into ahead of the inflater. The result is the same
    /// [`ProfileGroup`] (frame order included) for every value.
    /// Default: `0`, all cores ([`flamekit_core::available_cores`]);
    /// `1` reads on the calling thread and starts none; values above
    /// [`ImportOptions::MAX_THREADS`] count as that.
    pub threads: usize,
}

impl ImportOptions {
    /// The most threads an import uses, whatever [`ImportOptions::threads`]
    /// asks: an untrusted or mistaken value (`u32::MAX` from a binding)
    /// starts no more threads, nor sizes hand-off queues by it.
    pub const MAX_THREADS: usize = 1024;

    /// The number of threads [`ImportOptions::threads`] asks for: `0` is
    /// [`flamekit_core::available_cores`]; at most
    /// [`ImportOptions::MAX_THREADS`].
    ///
    /// ```
    /// use flamekit_formats::ImportOptions;
    /// let asks = |threads| ImportOptions { threads, ..ImportOptions::default() }.thread_count();
    /// assert_eq!(asks(1), 1);
    /// assert_eq!(asks(4), 4);
    /// assert_eq!(asks(usize::MAX), ImportOptions::MAX_THREADS);
    /// assert!(asks(0) >= 1);
    /// ```
    pub fn thread_count(&self) -> usize {
        match self.threads {
            0 => flamekit_core::available_cores(),
            n => n,
        }
        .min(Self::MAX_THREADS)
    }
}

pub use firefox::FirefoxFrames;
pub use linux_perf::PerfWeight;
pub use papyrus::PapyrusStacks;
pub use pmcstat::PmcstatSamples;

/// `FromStr`, `Display` and [`Named`](flamekit_core::Named) for an option
/// enum from its one table of `(variant, name)` pairs, through core's
/// `named!` (so `parse_name` is the one parser); plus an inherent `name()`.
macro_rules! option_names {
    ($ty:ty, $what:literal, [$(($v:expr, $n:literal)),+ $(,)?]) => {
        flamekit_core::named!($ty, $what, [$(($n, $v)),+]);
        impl $ty {
            /// The option's name, as parsed by `FromStr` (e.g. for a CLI flag).
            pub fn name(self) -> &'static str {
                flamekit_core::Named::name_str(self)
            }
        }
    };
}
option_names!(PerfWeight, "perf_weight", [(PerfWeight::Samples, "samples"), (PerfWeight::Period, "period")]);
option_names!(FirefoxFrames, "firefox_frames", [(FirefoxFrames::All, "all"), (FirefoxFrames::Js, "js")]);
option_names!(
    PapyrusStacks,
    "papyrus_stacks",
    [(PapyrusStacks::Separate, "separate"), (PapyrusStacks::Nested, "nested")]
);
option_names!(PmcstatSamples, "pmcstat_samples", [(PmcstatSamples::All, "all"), (PmcstatSamples::Leaves, "leaves")]);

/// A format flamekit can import. Variants are in detection order, the
/// order of the importer table ([`importers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// Java Flight Recorder `.jfr`.
    Jfr,
    /// pprof `profile.proto`, raw or gzip-compressed.
    Pprof,
    /// speedscope's own JSON format.
    Speedscope,
    /// Chrome/Node `.cpuprofile` (nodes, samples, timeDeltas).
    ChromeCpuProfile,
    /// Firefox profiler (Gecko) JSON.
    Firefox,
    /// Ruby stackprof JSON.
    Stackprof,
    /// V8/Chrome heap profile (`.heapprofile`).
    V8Heap,
    /// V8 `--prof` log, processed to JSON.
    V8Log,
    /// Safari timeline recording.
    Safari,
    /// Chrome Trace Event Format and DevTools Performance-panel exports.
    ChromeTrace,
    /// Valgrind callgrind output.
    Callgrind,
    /// GHC `.prof` (Haskell).
    Haskell,
    /// Instruments "deep copy" text.
    Instruments,
    /// Papyrus (Skyrim/Fallout script) profiler logs.
    Papyrus,
    /// FreeBSD `pmcstat -G` callgraph text.
    Pmcstat,
    /// DTrace aggregated stacks (`@[ustack()] = count()` output).
    Dtrace,
    /// Linux `perf script` text output.
    LinuxPerf,
    /// Collapsed stacks (`a;b;c 42`), as written by FlameGraph's stackcollapse scripts.
    Collapsed,
}

/// An importer: bytes (already inflated) and options to a group and its report.
pub type ImportFn = fn(&[u8], &ImportOptions) -> Result<(ProfileGroup, ImportReport)>;

/// How [`stream::import_reader`] reads a format in chunks.
#[derive(Clone, Copy, Debug)]
pub struct StreamHooks {
    /// End (exclusive) of the last complete record in a buffer, if any.
    pub record_end: fn(&[u8]) -> Option<usize>,
    /// Import one chunk of whole records (lines numbered from the chunk's start).
    pub import_chunk: ImportFn,
}

/// One row of the importer table: everything flamekit knows about a format
/// outside the format's own module. Detection, dispatch, streaming, name
/// hints, [`Format::id`] and the fuzz targets all read this table.
#[derive(Clone, Copy, Debug)]
pub struct Importer {
    /// The format.
    pub format: Format,
    /// Stable identifier, e.g. `chrome-cpuprofile` ([`Format::id`]).
    pub id: &'static str,
    /// The profile-type name speedscope's importer gives this format
    /// ([`Format::speedscope_name`]); flamekit's id for formats speedscope lacks.
    pub speedscope_name: &'static str,
    /// True when the (uncompressed) bytes look like this format. Sniffers
    /// look at a bounded prefix and never unwrap containers.
    pub sniff: fn(&[u8]) -> bool,
    /// The importer.
    pub import: ImportFn,
    /// File names that suggest the format, compared in lower case after a
    /// trailing `.gz` is removed: `.ext` is a suffix, `*word*` a substring.
    /// Suffix hints win over substring hints.
    pub name_hints: &'static [&'static str],
    /// Chunked streaming, for formats made of independent records.
    pub stream: Option<StreamHooks>,
}

/// The importer table, in detection order: binary shapes first, then JSON by
/// keys, then text shapes; collapsed stacks (the loosest shape) last. Row
/// `i` is the format whose discriminant is `i` (checked at compile time).
const IMPORTERS: [Importer; 18] = [
    row(Format::Jfr, "jfr", "jfr", jfr::sniff, jfr::import, &[".jfr"]),
    row(Format::Pprof, "pprof", "pprof", pprof::sniff, pprof::import, &[".pb", ".pprof", ".prof"]),
    row(Format::Speedscope, "speedscope", "speedscope", speedscope::sniff, speedscope::import, &[".speedscope.json"]),
    row(
        Format::ChromeCpuProfile,
        "chrome-cpuprofile",
        "chrome-cpuprofile",
        chrome_cpuprofile::sniff,
        chrome_cpuprofile::import,
        &[".cpuprofile"],
    ),
    row(Format::Firefox, "firefox", "firefox", firefox::sniff, firefox::import, &[]),
    row(Format::Stackprof, "stackprof", "stackprof", stackprof::sniff, stackprof::import, &[]),
    row(Format::V8Heap, "v8-heap", "chrome-heap-profile", v8_heap::sniff, v8_heap::import, &[".heapprofile"]),
    row(Format::V8Log, "v8-log", "v8-log", v8_log::sniff, v8_log::import, &[]),
    row(Format::Safari, "safari", "safari", safari::sniff, safari::import, &[]),
    row(Format::ChromeTrace, "chrome-trace", "trace-event", chrome_trace::sniff, chrome_trace::import, &[]),
    row(Format::Callgrind, "callgrind", "callgrind", callgrind::sniff, callgrind::import, &["*callgrind*"]),
    row(Format::Haskell, "haskell", "haskell", haskell::sniff, haskell::import, &[".prof"]),
    row(Format::Instruments, "instruments", "instruments-deepcopy", instruments::sniff, instruments::import, &[]),
    row(Format::Papyrus, "papyrus", "papyrus", papyrus::sniff, papyrus::import, &[]),
    row(Format::Pmcstat, "pmcstat", "pmcstat", pmcstat::sniff, pmcstat::import, &[]),
    row(Format::Dtrace, "dtrace", "dtrace", dtrace::sniff, dtrace::import, &["*dtrace*", ".stacks"]),
    Importer {
        stream: Some(StreamHooks { record_end: stream::blank_line_record_end, import_chunk: stream::linux_perf_chunk }),
        ..row(Format::LinuxPerf, "linux-perf", "linux-perf", linux_perf::sniff, linux_perf::import, &["*perf*"])
    },
    Importer {
        stream: Some(StreamHooks { record_end: stream::line_record_end, import_chunk: stream::collapsed_chunk }),
        ..row(Format::Collapsed, "collapsed", "collapsed-stack", collapsed::sniff, collapsed::import, &[])
    },
];

const fn row(
    format: Format,
    id: &'static str,
    speedscope_name: &'static str,
    sniff: fn(&[u8]) -> bool,
    import: ImportFn,
    name_hints: &'static [&'static str],
) -> Importer {
    Importer { format, id, speedscope_name, sniff, import, name_hints, stream: None }
}

const _: () = {
    let mut i = 0;
    while i < IMPORTERS.len() {
        assert!(IMPORTERS[i].format as usize == i, "importer table rows must follow the Format variants");
        i += 1;
    }
};

/// The importer table (see [`Importer`]), in detection order.
pub fn importers() -> &'static [Importer] {
    const TABLE: &[Importer] = &IMPORTERS;
    TABLE
}

impl Format {
    /// Every format, in detection order.
    pub fn all() -> impl Iterator<Item = Format> {
        importers().iter().map(|e| e.format)
    }

    /// This format's row of the importer table.
    pub fn importer(self) -> &'static Importer {
        &importers()[self as usize]
    }

    /// Stable identifier, e.g. `chrome-cpuprofile`; also [`ProfileGroup::format`].
    pub const fn id(self) -> &'static str {
        IMPORTERS[self as usize].id
    }

    /// The profile-type name speedscope's importers give this format, e.g.
    /// `trace-event` for [`Format::ChromeTrace`] (its importers name two
    /// shapes apart, and set that name on the group themselves: Chrome
    /// timelines with CPU profiles `chrome-timeline`, the old `head`-tree form
    /// of a `.cpuprofile` `chrome-cpuprofile-old`);
    /// formats speedscope does not import (pmcstat, jfr, v8-log) keep
    /// flamekit's [`Format::id`].
    pub const fn speedscope_name(self) -> &'static str {
        IMPORTERS[self as usize].speedscope_name
    }

    /// Parse an identifier returned by [`Format::id`].
    pub fn from_id(id: &str) -> Option<Format> {
        Format::all().find(|f| f.id() == id)
    }

    /// Formats a file name suggests, most likely first.
    fn hinted_by(name: &str) -> Vec<Format> {
        let n = name.to_ascii_lowercase();
        let n = n.strip_suffix(".gz").unwrap_or(&n);
        let matching = |substring: bool| {
            importers()
                .iter()
                .filter(move |e| {
                    e.name_hints.iter().any(|h| match h.strip_prefix('*').and_then(|h| h.strip_suffix('*')) {
                        Some(word) => substring && n.contains(word),
                        None => !substring && n.ends_with(h),
                    })
                })
                .map(|e| e.format)
                .collect::<Vec<_>>()
        };
        let by_suffix = matching(false);
        if by_suffix.is_empty() {
            matching(true)
        } else {
            by_suffix
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

fn unsupported() -> Error {
    Error::UnsupportedFormat { tried: Format::all().map(|f| f.id().to_owned()).collect() }
}

/// Detect the format of `bytes` from content alone; `file_name_hint` only
/// breaks ties between formats whose shape both match. gzip and zip input is
/// unwrapped under the default limits ([`detect_limited`] takes yours).
pub fn detect(bytes: &[u8], file_name_hint: Option<&str>) -> Result<Format> {
    detect_limited(bytes, file_name_hint, &IngestLimits::default())
}

/// [`detect`], unwrapping gzip/zip containers under `limits`
/// (`max_inflated_bytes` over all layers together, `max_inflation_ratio`).
pub fn detect_limited(bytes: &[u8], file_name_hint: Option<&str>, limits: &IngestLimits) -> Result<Format> {
    sniff_format(&unwrap_containers(bytes, limits, ImportOptions::default().thread_count())?, file_name_hint)
}

/// Most containers (gzip, zip) unwrapped around one profile: a zip holding a
/// `.gz`, or a gzip of a zip. Deeper nesting (e.g. a gzip quine) is refused.
const MAX_CONTAINER_DEPTH: usize = 2;

/// `bytes` with gzip/zip wrappers removed, iteratively (never recursively):
/// one depth budget ([`MAX_CONTAINER_DEPTH`]) and one inflated-bytes budget
/// (`limits.max_inflated_bytes`, spent by every layer and every sniffed zip
/// entry together). Each layer's buffer is dropped as soon as the next one
/// has been inflated from it, so at most two layers are alive at once.
/// gzip is inflated on up to `threads` threads
/// ([`flamekit_core::gunzip_limited_on`]).
fn unwrap_containers<'b>(bytes: &'b [u8], limits: &IngestLimits, threads: usize) -> Result<Cow<'b, [u8]>> {
    let mut cur: Cow<'b, [u8]> = Cow::Borrowed(bytes);
    let mut spent: u64 = 0;
    for _ in 0..=MAX_CONTAINER_DEPTH {
        let layer = IngestLimits { max_inflated_bytes: limits.max_inflated_bytes.saturating_sub(spent), ..*limits };
        let next = if flamekit_core::is_gzip(&cur) {
            flamekit_core::gunzip_limited_on(&cur, &layer, threads)
        } else if zip_container::is_zip(&cur) {
            zip_container::main_entry(&cur, &layer)
        } else {
            return Ok(cur);
        };
        let next = next.map_err(|e| match e {
            // Report the caller's limit and the bytes spent over all layers.
            Error::LimitExceeded { limit: LimitKind::InflatedBytes, value, .. } => Error::LimitExceeded {
                limit: LimitKind::InflatedBytes,
                max: limits.max_inflated_bytes,
                value: value.saturating_add(spent),
            },
            other => other,
        })?;
        spent = spent.saturating_add(next.len() as u64);
        cur = Cow::Owned(next);
    }
    Err(Error::InvalidProfile {
        format: "container",
        location: "input".into(),
        message: format!("more than {MAX_CONTAINER_DEPTH} nested gzip/zip containers"),
    })
}

/// True when some importer recognises the (uncompressed) bytes.
pub(crate) fn sniffs_as_profile(bytes: &[u8]) -> bool {
    importers().iter().any(|e| (e.sniff)(bytes))
}

/// Detect the format of uncompressed `bytes` (no container is opened).
pub(crate) fn sniff_format(bytes: &[u8], file_name_hint: Option<&str>) -> Result<Format> {
    let candidates: Vec<Format> = importers().iter().filter(|e| (e.sniff)(bytes)).map(|e| e.format).collect();
    if let Some(hint) = file_name_hint {
        if let Some(f) = Format::hinted_by(hint).iter().find(|f| candidates.contains(f)) {
            return Ok(*f);
        }
    }
    candidates.first().copied().ok_or_else(unsupported)
}

/// Detect and import with default options. `file_name_hint` is only a hint.
pub fn import(bytes: &[u8], file_name_hint: Option<&str>) -> Result<ProfileGroup> {
    import_with(bytes, file_name_hint, &ImportOptions::default()).map(|(g, _)| g)
}

/// Detect and import with `opts`; returns the group and the import report.
/// `max_input_bytes` bounds `bytes`; gzip and zip wrappers are inflated under
/// [`IngestLimits::max_inflated_bytes`] (all layers together) and
/// [`IngestLimits::max_inflation_ratio`].
pub fn import_with(
    bytes: &[u8],
    file_name_hint: Option<&str>,
    opts: &ImportOptions,
) -> Result<(ProfileGroup, ImportReport)> {
    opts.limits.check(LimitKind::InputBytes, input_bytes(bytes, opts))?;
    let bytes = unwrap_containers(bytes, &opts.limits, opts.thread_count())?;
    let format = sniff_format(&bytes, file_name_hint)?;
    // `max_input_bytes` bounds the input as given, not the inflated data
    // (`max_inflated_bytes` bounded that).
    import_inflated(format, &bytes, opts)
}

/// Size of the profile plus its source maps: what `max_input_bytes` bounds.
fn input_bytes(bytes: &[u8], opts: &ImportOptions) -> u64 {
    (bytes.len() as u64).saturating_add(sourcemap::total_bytes(&opts.source_maps))
}

/// Import `bytes` as `format`, skipping detection. `bytes` must not be
/// compressed (use [`import_with`] for gzip/zip input).
pub fn import_format(format: Format, bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    opts.limits.check(LimitKind::InputBytes, input_bytes(bytes, opts))?;
    import_inflated(format, bytes, opts)
}

/// [`import_format`] without the input-size check.
fn import_inflated(format: Format, bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let maps = sourcemap::SourceMaps::parse(&opts.source_maps, &opts.limits)?;
    let (mut group, mut report) = (format.importer().import)(bytes, opts)?;
    maps.apply(&mut group, &mut report, &opts.limits)?;
    group.set_format(format.id());
    // Importers whose format has two speedscope names (`chrome-cpuprofile-old`,
    // `chrome-timeline`) set theirs; the others get the table's.
    if group.profile_type() == group.format() {
        group.set_profile_type(format.speedscope_name());
    }
    if let Some(name) = &opts.name {
        if group.name().is_empty() {
            group.set_name(name.clone());
        }
    }
    Ok((group, report))
}
