//! `flamekit top`, `flamekit summary` and `flamekit check`: fill in the
//! library's analysis and policy options and print what it returns.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use flamekit::{Error, SortBy, SummaryOptions, TopOptions, UploadInfo, UploadPolicy, Verdict};

use crate::{load, print_stdout, read_input, InputArgs};

/// `flamekit top FILE`
#[derive(clap::Args)]
pub(crate) struct TopArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Rank by `self` or `total` weight.
    #[arg(long, default_value = "self")]
    by: SortBy,
    /// Rows to print.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Profile index (default: the file's active profile).
    #[arg(long)]
    profile: Option<usize>,
    /// Print the rows as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn top(a: TopArgs) -> Result<ExitCode, Error> {
    let group = load(&a.input)?;
    let index = a.profile.unwrap_or(group.active_profile_index());
    let sort_by = a.by;
    let rows = flamekit::top_functions(&group, index, &TopOptions { sort_by, offset: a.offset, limit: a.limit })?;
    if a.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Internal { message: e.to_string() })?;
        print_stdout(format!("{json}\n").as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{:>5}  {:>22}  {:>22}  function\n", "rank", "self", "total");
    for r in &rows {
        let mut name = r.name.clone();
        match (&r.file, r.line) {
            (Some(f), Some(l)) => name.push_str(&format!(" ({f}:{l})")),
            (Some(f), None) => name.push_str(&format!(" ({f})")),
            _ => {}
        }
        out.push_str(&format!(
            "{:>5}  {:>14} {:>6.1}%  {:>14} {:>6.1}%  {name}\n",
            r.rank + 1,
            r.self_display,
            r.self_percent,
            r.total_display,
            r.total_percent
        ));
    }
    print_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `flamekit summary FILE`
#[derive(clap::Args)]
pub(crate) struct SummaryArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Most characters in the summary.
    #[arg(long, default_value_t = SummaryOptions::default().max_chars)]
    max_chars: usize,
    /// Functions and call paths listed per ranking.
    #[arg(long, default_value_t = SummaryOptions::default().top_n)]
    top: usize,
}

pub(crate) fn summary(a: SummaryArgs) -> Result<ExitCode, Error> {
    let group = load(&a.input)?;
    let text = flamekit::summarize(&group, &SummaryOptions { max_chars: a.max_chars, top_n: a.top })?;
    print_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `flamekit check FILE`
#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Uploaded file (`-` for stdin).
    file: PathBuf,
    /// Largest accepted size in bytes (default: the library's, 256 MiB).
    #[arg(long)]
    max_bytes: Option<u64>,
    /// The upload's declared content type (e.g. `application/json`).
    #[arg(long)]
    content_type: Option<String>,
    /// Accepted content type; repeat for several (default: any).
    #[arg(long = "allow-content-type")]
    allow_content_types: Vec<String>,
    /// Accepted file-name ending such as `.json`; repeat for several (default: any).
    #[arg(long = "allow-ext")]
    allow_extensions: Vec<String>,
    /// Longest accepted profile duration in ms (the file is imported to measure it).
    #[arg(long)]
    max_duration_ms: Option<u64>,
    /// Largest accepted SVG in bytes (default: 10 MiB).
    #[arg(long)]
    max_svg_bytes: Option<u64>,
}

/// Prints the JSON verdict; exit status 0 allow, 1 deny.
pub(crate) fn check(a: CheckArgs) -> Result<ExitCode, Error> {
    let mut policy = UploadPolicy {
        allowed_content_types: a.allow_content_types,
        allowed_extensions: a.allow_extensions,
        max_duration_ms: a.max_duration_ms,
        ..UploadPolicy::default()
    };
    if let Some(m) = a.max_bytes {
        policy.max_bytes = Some(m);
    }
    if let Some(m) = a.max_svg_bytes {
        policy.svg.max_bytes = m;
    }
    let stdin = a.file.as_os_str() == "-";
    let mut info = UploadInfo {
        size_bytes: 0,
        content_type: a.content_type,
        file_name: if stdin { None } else { a.file.file_name().map(|n| n.to_string_lossy().into_owned()) },
        duration_ms: None,
    };
    // Refuse an oversized file from its metadata, before reading it.
    if !stdin {
        let meta =
            std::fs::metadata(&a.file).map_err(|e| Error::Io { message: format!("{}: {e}", a.file.display()) })?;
        info.size_bytes = meta.len();
        let v = flamekit::check_upload(&policy, &info);
        if !v.is_allowed() {
            return emit(&v);
        }
    }
    let bytes = if stdin {
        // Read at most one byte past the limit: enough to deny.
        let cap = policy.max_bytes.map_or(u64::MAX, |m| m.saturating_add(1));
        let mut v = Vec::new();
        std::io::stdin().lock().take(cap).read_to_end(&mut v)?;
        v
    } else {
        read_input(&a.file, policy.max_bytes.unwrap_or(u64::MAX))?
    };
    info.size_bytes = bytes.len() as u64;
    let mut v = flamekit::check_upload_bytes(&policy, &info, &bytes);
    if v.is_allowed() && policy.max_duration_ms.is_some() && !flamekit::is_svg_upload(&info) {
        let limits = flamekit::IngestLimits {
            max_input_bytes: policy.max_bytes.unwrap_or(u64::MAX),
            ..flamekit::IngestLimits::default()
        };
        let opts = flamekit::ImportOptions { limits, name: info.file_name.clone(), ..Default::default() };
        let (group, _) = flamekit::import_with(&bytes, info.file_name.as_deref(), &opts)?;
        info.duration_ms = group.duration_ms();
        v = flamekit::check_upload(&policy, &info);
    }
    emit(&v)
}

fn emit(v: &Verdict) -> Result<ExitCode, Error> {
    print_stdout(format!("{}\n", v.to_json()).as_bytes())?;
    Ok(if v.is_allowed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
