//! The `flamekit` command-line tool. It only parses arguments, fills in the
//! library's options structs, and maps errors to exit codes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use flamekit::{Error, ImportOptions, ImportReport, ProfileGroup};

mod analyze;
mod cmd;
mod diff;
mod interrupt;
mod mcp;
mod render;
mod serve;
mod service;

/// Ingest, convert, render and analyze performance profiles.
#[derive(Parser)]
#[command(name = "flamekit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once per run: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Print frames (self/total weight) and time-ordered stacks of every profile as JSON.
    Dump(cmd::DumpArgs),
    /// Convert any supported input to speedscope JSON (`.gz` output is gzip-compressed; at most 1 GiB of JSON).
    Convert(cmd::ConvertArgs),
    /// Print the detected format of a file.
    Detect(cmd::DetectArgs),
    /// Draw a flame graph (time order, left heavy or sandwich) as PNG or SVG.
    Render(render::RenderArgs),
    /// List the functions with the most self (or total) weight.
    Top(analyze::TopArgs),
    /// Print a plain-text summary of a profile, sized for an LLM prompt.
    Summary(analyze::SummaryArgs),
    /// Check a file against an upload policy; prints a JSON verdict, exits 0 (allow) or 1 (deny).
    Check(analyze::CheckArgs),
    /// Compare two profiles: functions ranked by growth, optional differential flame graph.
    Diff(diff::DiffArgs),
    /// Serve render, import and analysis over HTTP (Flamedeck's render routes and more).
    Serve(serve::ServeArgs),
    /// Serve profile tools to AI assistants over MCP (stdio).
    Mcp(mcp::McpArgs),
}

/// Options shared by every command that reads a profile.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct InputArgs {
    /// Input file (`-` for stdin).
    pub file: PathBuf,
    /// Do not print the import report on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Treat import warnings as errors (non-zero exit).
    #[arg(long)]
    pub strict: bool,
    /// Stream the input (collapsed stacks or perf script, plain or gzip) with
    /// memory bounded by its distinct stacks, not its size; shows a progress
    /// bar on a terminal. Identical stacks are merged.
    #[arg(long)]
    pub stream: bool,
    /// linux perf script sample weights: `samples` (each sample 1, the
    /// library default) or `period` (the header's period).
    #[arg(long, value_name = "samples|period")]
    pub perf_weight: Option<flamekit::PerfWeight>,
    /// Firefox frames kept: `all` (the library default) or `js` (JavaScript
    /// frames of web content only, as speedscope).
    #[arg(long, value_name = "all|js")]
    pub firefox_frames: Option<flamekit::FirefoxFrames>,
    /// pmcstat samples kept: `all` (the library default) or `leaves` (only
    /// paths printed down to a last caller, as speedscope).
    #[arg(long, value_name = "all|leaves")]
    pub pmcstat_samples: Option<flamekit::PmcstatSamples>,
    /// JavaScript source map for minified frames (repeatable): frames of the
    /// script it belongs to (by its `file` field or its file name, e.g.
    /// `app.min.js.map` for `…/app.min.js`) get original names, files and lines.
    #[arg(long = "source-map", value_name = "FILE")]
    pub source_map: Vec<PathBuf>,
    /// Papyrus script stacks: `separate` (one profile per stack, the library
    /// default) or `nested` (one profile with `STACK <id>` frames, as speedscope).
    #[arg(long, value_name = "separate|nested")]
    pub papyrus_stacks: Option<flamekit::PapyrusStacks>,
    /// Threads the import may use: `0` all cores (the library default), `1`
    /// the calling thread only. The result is the same for any value.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl InputArgs {
    /// Import options from the flags (unset flags keep the library defaults).
    pub fn import_options(&self, name: Option<String>) -> Result<ImportOptions, Error> {
        let d = ImportOptions::default();
        Ok(ImportOptions {
            name,
            perf_weight: self.perf_weight.unwrap_or(d.perf_weight),
            firefox_frames: self.firefox_frames.unwrap_or(d.firefox_frames),
            pmcstat_samples: self.pmcstat_samples.unwrap_or(d.pmcstat_samples),
            source_maps: source_maps(&self.source_map)?,
            papyrus_stacks: self.papyrus_stacks.unwrap_or(d.papyrus_stacks),
            threads: self.threads.unwrap_or(d.threads),
            ..d
        })
    }
}

/// Read a whole input (`-` = stdin), refusing one larger than `max` bytes
/// with `limit_exceeded` before it is read: a file by its metadata (the
/// library's [`flamekit::read_file`]), stdin by reading at most one byte
/// past `max`.
pub fn read_input(path: &Path, max: u64) -> Result<Vec<u8>, Error> {
    if path.as_os_str() != "-" {
        return flamekit::read_file(path, max);
    }
    let mut v = Vec::new();
    std::io::stdin().lock().take(max.saturating_add(1)).read_to_end(&mut v)?;
    if v.len() as u64 > max {
        return Err(Error::LimitExceeded { limit: flamekit::LimitKind::InputBytes, max, value: v.len() as u64 });
    }
    Ok(v)
}

/// Write a whole output (`-` = stdout). A file is written to a temporary
/// file in the same directory and renamed over `path` only once every byte
/// is written and flushed, so a failure (a full disk) leaves the previous
/// file intact and no truncated output.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_output_with(path, |w| w.write_all(bytes))
}

/// [`write_output`] of what `write` writes, as it writes it (a large
/// export is not held in memory first). To stdout as [`stdout_with`].
pub fn write_output_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io { message: format!("{}: {e}", path.display()) };
    if path.as_os_str() == "-" {
        stdout_with(write)
    } else if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A device or a pipe (`-o /dev/null`, a FIFO): written in place. A
        // temporary file renamed over it would replace the device itself.
        let mut file = std::fs::OpenOptions::new().write(true).open(path).map_err(io)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut file);
        write(&mut w).and_then(|()| w.flush()).map_err(io)
    } else {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".flamekit-").suffix(".tmp");
        // The output gets the mode a plain create would give it (0o666 less
        // the umask, which `open` applies), not the temporary file's 0o600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir).map_err(io)?;
        let pending = interrupt::Pending::new(tmp.path());
        // A file being replaced keeps its own permissions.
        if let Ok(previous) = std::fs::metadata(path) {
            tmp.as_file().set_permissions(previous.permissions()).map_err(io)?;
        }
        let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut w).and_then(|()| w.flush()).map_err(io)?;
        drop(w);
        tmp.as_file().sync_all().map_err(io)?;
        pending.finish(|| tmp.persist(path)).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// Write `bytes` to stdout, as [`stdout_with`].
pub fn print_stdout(bytes: &[u8]) -> Result<(), Error> {
    stdout_with(|w| w.write_all(bytes))
}

/// Write what `write` writes to stdout, buffered. A reader that went away
/// (`flamekit top … | head`) is not an error: the output it wanted was
/// delivered.
fn stdout_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Read `--source-map` files; each map is named by its path as given. Read
/// as inputs are (their bytes count toward the same limit): one past
/// `max_input_bytes` is refused without reading it all.
fn source_maps(paths: &[PathBuf]) -> Result<Vec<flamekit::SourceMapInput>, Error> {
    let max = flamekit::IngestLimits::default().max_input_bytes;
    paths
        .iter()
        .map(|p| {
            let bytes = read_input(p, max)?;
            Ok(flamekit::SourceMapInput::new(p.display().to_string(), bytes))
        })
        .collect()
}

fn file_name(path: &Path) -> Option<String> {
    if path.as_os_str() == "-" {
        None
    } else {
        path.file_name().map(|n| n.to_string_lossy().into_owned())
    }
}

/// Load and import an input, printing the import report on stderr unless quiet.
pub fn load(args: &InputArgs) -> Result<ProfileGroup, Error> {
    let name = file_name(&args.file);
    let (group, report) = if args.stream {
        stream(args, name)?
    } else {
        let opts = args.import_options(name.clone())?;
        let bytes = read_input(&args.file, opts.limits.max_input_bytes)?;
        flamekit::import_with(&bytes, name.as_deref(), &opts)?
    };
    if !args.quiet {
        print_report(&report);
    }
    if args.strict && !report.is_clean() {
        return Err(Error::InvalidProfile {
            format: "strict",
            location: "import report".into(),
            message: format!("{} warning(s) with --strict", report.warning_count),
        });
    }
    Ok(group)
}

/// Streaming import with a progress bar (bytes read) on stderr.
fn stream(args: &InputArgs, name: Option<String>) -> Result<(ProfileGroup, ImportReport), Error> {
    use std::io::IsTerminal;
    let (reader, total): (Box<dyn Read>, Option<u64>) = if args.file.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(&args.file)
            .map_err(|e| Error::Io { message: format!("{}: {e}", args.file.display()) })?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else if let Some(len) = total {
        indicatif::ProgressBar::new(len).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    } else {
        indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        )
    };
    let limits = flamekit::IngestLimits { max_input_bytes: u64::MAX, ..Default::default() };
    let opts = flamekit::stream::StreamOptions {
        import: ImportOptions { limits, ..args.import_options(name)? },
        ..Default::default()
    };
    let result = flamekit::stream::import_reader(reader, &opts, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    result
}

fn print_report(report: &ImportReport) {
    if report.is_clean() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "flamekit: {} import: {} warning(s)", report.format, report.warning_count);
    for (reason, n) in &report.skipped {
        let _ = writeln!(err, "  skipped {n} ({reason})");
    }
    for d in report.warnings.iter().take(5) {
        let _ = writeln!(err, "  {} at {}: {}", d.code, d.location, d.message);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => cmd::dump(a),
        Command::Convert(a) => cmd::convert(a),
        Command::Detect(a) => cmd::detect(a),
        Command::Render(a) => render::render(a),
        Command::Top(a) => analyze::top(a),
        Command::Summary(a) => analyze::summary(a),
        Command::Check(a) => analyze::check(a),
        Command::Diff(a) => diff::diff(a),
        Command::Serve(a) => serve::serve(a),
        Command::Mcp(a) => mcp::mcp(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("flamekit: error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}
