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
pub mod firefox;
pub mod haskell;
pub mod instruments;
pub mod jfr;
mod js_name;
pub mod linux_perf;
pub mod papyrus;
pub mod pmcstat;
pub mod pprof;
mod profile_type;
pub mod safari;
pub mod speedscope;
pub mod stackprof;
pub mod stream;
pub mod v8_heap;
pub mod v8_log;
pub mod zip_container;

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
    /// How the script stacks of a Papyrus log become profiles.
    /// Default: [`PapyrusStacks::Separate`] (one profile per stack).
    pub papyrus_stacks: PapyrusStacks,
}

pub use firefox::FirefoxFrames;
pub use linux_perf::PerfWeight;
pub use papyrus::PapyrusStacks;
pub use pmcstat::PmcstatSamples;

/// `FromStr`/`Display` for an option enum from its one table of
/// `(variant, name)` pairs; the parse error lists the accepted names.
macro_rules! option_names {
    ($ty:ty, $what:literal, [$(($v:expr, $n:literal)),+ $(,)?]) => {
        impl $ty {
            const NAMES: &'static [($ty, &'static str)] = &[$(($v, $n)),+];
            /// The option's name, as parsed by `FromStr` (e.g. for a CLI flag).
            pub fn name(self) -> &'static str {
                Self::NAMES.iter().find(|(v, _)| *v == self).map_or("", |(_, n)| n)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::NAMES.iter().find(|(_, n)| *n == s).map(|(v, _)| *v).ok_or_else(|| {
                    let names: Vec<&str> = Self::NAMES.iter().map(|(_, n)| *n).collect();
                    Error::argument($what, format!("unknown value `{s}`; expected one of: {}", names.join(", ")))
                })
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

/// A format flamekit can import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// speedscope's own JSON format.
    Speedscope,
    /// pprof `profile.proto`, raw or gzip-compressed.
    Pprof,
    /// Chrome/Node `.cpuprofile` (nodes, samples, timeDeltas).
    ChromeCpuProfile,
    /// Chrome Trace Event Format and DevTools Performance-panel exports.
    ChromeTrace,
    /// Collapsed stacks (`a;b;c 42`), as written by FlameGraph's stackcollapse scripts.
    Collapsed,
    /// Linux `perf script` text output.
    LinuxPerf,
    /// Firefox profiler (Gecko) JSON.
    Firefox,
    /// Ruby stackprof JSON.
    Stackprof,
    /// Valgrind callgrind output.
    Callgrind,
    /// V8 `--prof` log, processed to JSON.
    V8Log,
    /// V8/Chrome heap profile (`.heapprofile`).
    V8Heap,
    /// Safari timeline recording.
    Safari,
    /// Instruments "deep copy" text.
    Instruments,
    /// GHC `.prof` (Haskell).
    Haskell,
    /// Papyrus (Skyrim/Fallout script) profiler logs.
    Papyrus,
    /// FreeBSD `pmcstat -G` callgraph text.
    Pmcstat,
    /// Java Flight Recorder `.jfr`.
    Jfr,
}

type SniffFn = fn(&[u8]) -> bool;
type ImportFn = fn(&[u8], &ImportOptions) -> Result<(ProfileGroup, ImportReport)>;

/// Detection order: binary shapes first, then JSON by keys, then text shapes;
/// collapsed stacks (the loosest shape) last.
const REGISTRY: &[(Format, SniffFn, ImportFn)] = &[
    (Format::Jfr, jfr::sniff, jfr::import),
    (Format::Pprof, pprof::sniff, pprof::import),
    (Format::Speedscope, speedscope::sniff, speedscope::import),
    (Format::ChromeCpuProfile, chrome_cpuprofile::sniff, chrome_cpuprofile::import),
    (Format::Firefox, firefox::sniff, firefox::import),
    (Format::Stackprof, stackprof::sniff, stackprof::import),
    (Format::V8Heap, v8_heap::sniff, v8_heap::import),
    (Format::V8Log, v8_log::sniff, v8_log::import),
    (Format::Safari, safari::sniff, safari::import),
    (Format::ChromeTrace, chrome_trace::sniff, chrome_trace::import),
    (Format::Callgrind, callgrind::sniff, callgrind::import),
    (Format::Haskell, haskell::sniff, haskell::import),
    (Format::Instruments, instruments::sniff, instruments::import),
    (Format::Papyrus, papyrus::sniff, papyrus::import),
    (Format::Pmcstat, pmcstat::sniff, pmcstat::import),
    (Format::LinuxPerf, linux_perf::sniff, linux_perf::import),
    (Format::Collapsed, collapsed::sniff, collapsed::import),
];

impl Format {
    /// Every format, in detection order.
    pub fn all() -> impl Iterator<Item = Format> {
        REGISTRY.iter().map(|(f, _, _)| *f)
    }

    /// Stable identifier, e.g. `chrome-cpuprofile`; also [`ProfileGroup::format`].
    pub fn id(self) -> &'static str {
        match self {
            Format::Speedscope => "speedscope",
            Format::Pprof => "pprof",
            Format::ChromeCpuProfile => "chrome-cpuprofile",
            Format::ChromeTrace => "chrome-trace",
            Format::Collapsed => "collapsed",
            Format::LinuxPerf => "linux-perf",
            Format::Firefox => "firefox",
            Format::Stackprof => "stackprof",
            Format::Callgrind => "callgrind",
            Format::V8Log => "v8-log",
            Format::V8Heap => "v8-heap",
            Format::Safari => "safari",
            Format::Instruments => "instruments",
            Format::Haskell => "haskell",
            Format::Papyrus => "papyrus",
            Format::Pmcstat => "pmcstat",
            Format::Jfr => "jfr",
        }
    }

    /// Parse an identifier returned by [`Format::id`].
    pub fn from_id(id: &str) -> Option<Format> {
        Format::all().find(|f| f.id() == id)
    }

    fn entry(self) -> &'static (Format, SniffFn, ImportFn) {
        REGISTRY.iter().find(|(f, _, _)| *f == self).expect("every format is registered")
    }

    /// Formats a file name suggests (by extension), most likely first.
    fn hinted_by(name: &str) -> &'static [Format] {
        let n = name.to_ascii_lowercase();
        let n = n.strip_suffix(".gz").unwrap_or(&n);
        if n.ends_with(".speedscope.json") {
            &[Format::Speedscope]
        } else if n.ends_with(".cpuprofile") {
            &[Format::ChromeCpuProfile]
        } else if n.ends_with(".heapprofile") {
            &[Format::V8Heap]
        } else if n.ends_with(".pb") || n.ends_with(".pprof") {
            &[Format::Pprof]
        } else if n.ends_with(".prof") {
            &[Format::Pprof, Format::Haskell]
        } else if n.ends_with(".jfr") {
            &[Format::Jfr]
        } else if n.contains("callgrind") {
            &[Format::Callgrind]
        } else if n.contains("perf") {
            &[Format::LinuxPerf]
        } else {
            &[]
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
/// breaks ties between formats whose shape both match. gzip input is
/// detected by its content once inflated (with default limits); zip
/// containers by the entries they hold.
pub fn detect(bytes: &[u8], file_name_hint: Option<&str>) -> Result<Format> {
    detect_with(bytes, file_name_hint, &IngestLimits::default())
}

/// Most containers (gzip, zip) unwrapped around one profile: a zip holding a
/// `.gz`, or a gzip of a zip. Deeper nesting (e.g. a gzip quine) is refused.
const MAX_CONTAINER_DEPTH: usize = 2;

/// `bytes` with gzip/zip wrappers removed, each inflated under `limits`.
fn unwrap_containers<'b>(bytes: &'b [u8], limits: &IngestLimits) -> Result<Cow<'b, [u8]>> {
    let mut cur: Cow<'b, [u8]> = Cow::Borrowed(bytes);
    for _ in 0..=MAX_CONTAINER_DEPTH {
        let next = if flamekit_core::is_gzip(&cur) {
            flamekit_core::gunzip_limited(&cur, limits)?
        } else if zip_container::is_zip(&cur) {
            zip_container::main_entry(&cur, limits)?
        } else {
            return Ok(cur);
        };
        cur = Cow::Owned(next);
    }
    Err(Error::InvalidProfile {
        format: "container",
        location: "input".into(),
        message: format!("more than {MAX_CONTAINER_DEPTH} nested gzip/zip containers"),
    })
}

/// Detect the format of uncompressed `bytes`.
fn sniff_format(bytes: &[u8], file_name_hint: Option<&str>) -> Result<Format> {
    let candidates: Vec<Format> = REGISTRY.iter().filter(|(_, sniff, _)| sniff(bytes)).map(|(f, _, _)| *f).collect();
    if let Some(hint) = file_name_hint {
        if let Some(f) = Format::hinted_by(hint).iter().find(|f| candidates.contains(f)) {
            return Ok(*f);
        }
    }
    candidates.first().copied().ok_or_else(unsupported)
}

fn detect_with(bytes: &[u8], file_name_hint: Option<&str>, limits: &IngestLimits) -> Result<Format> {
    sniff_format(&unwrap_containers(bytes, limits)?, file_name_hint)
}

/// Detect and import with default options. `file_name_hint` is only a hint.
pub fn import(bytes: &[u8], file_name_hint: Option<&str>) -> Result<ProfileGroup> {
    import_with(bytes, file_name_hint, &ImportOptions::default()).map(|(g, _)| g)
}

/// Detect and import with `opts`; returns the group and the import report.
/// gzip and zip wrappers are inflated under [`IngestLimits::max_inflated_bytes`].
pub fn import_with(
    bytes: &[u8],
    file_name_hint: Option<&str>,
    opts: &ImportOptions,
) -> Result<(ProfileGroup, ImportReport)> {
    opts.limits.check(LimitKind::InputBytes, bytes.len() as u64)?;
    let bytes = unwrap_containers(bytes, &opts.limits)?;
    let format = sniff_format(&bytes, file_name_hint)?;
    import_format(format, &bytes, opts)
}

/// Import `bytes` as `format`, skipping detection. `bytes` must not be
/// compressed (use [`import_with`] for gzip/zip input).
pub fn import_format(format: Format, bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    opts.limits.check(LimitKind::InputBytes, bytes.len() as u64)?;
    let (_, _, import) = format.entry();
    let (mut group, report) = import(bytes, opts)?;
    group.set_format(format.id());
    profile_type::set_profile_type(format, &mut group);
    if let Some(name) = &opts.name {
        if group.name().is_empty() {
            group.set_name(name.clone());
        }
    }
    Ok((group, report))
}
