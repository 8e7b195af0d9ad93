//! `flamekit diff BEFORE AFTER`: what changed between two profiles. Fills in
//! [`flamekit::DiffOptions`] / [`flamekit::RenderOptions`] and prints.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use flamekit::{DeltaSort, DiffOptions, Error};

use crate::render::ImageArgs;
use crate::{load, write_output, InputArgs};

/// `flamekit diff BEFORE AFTER [-o diff.png] [--top N]`
#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The baseline profile.
    before: PathBuf,
    /// The profile to compare with the baseline.
    after: PathBuf,
    /// Also write a differential flame graph here (PNG, or SVG with --svg or a `.svg` name).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// How many functions to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Rank by growth of self weight (`self`, the default), of total weight
    /// (`total`), or by absolute change of self weight (`self_absolute`).
    #[arg(long, default_value = "self")]
    by: DeltaSort,
    /// Compare raw weights instead of scaling the baseline to the same total.
    #[arg(long)]
    no_normalize: bool,
    /// Profile index in BEFORE (default: its active profile).
    #[arg(long)]
    before_profile: Option<usize>,
    /// Profile index in AFTER (default: its active profile).
    #[arg(long)]
    after_profile: Option<usize>,
    /// Print the ranking as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    image: ImageArgs,
    /// Do not print import reports on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// JavaScript source map applied to both profiles (repeatable; see `dump --help`).
    #[arg(long = "source-map", value_name = "FILE")]
    source_map: Vec<PathBuf>,
}

/// Ranking of a diff.
pub(crate) fn diff(a: DiffArgs) -> Result<ExitCode, Error> {
    let input =
        |file: PathBuf| InputArgs { file, quiet: a.quiet, source_map: a.source_map.clone(), ..Default::default() };
    let before = load(&input(a.before.clone()))?;
    let after = load(&input(a.after.clone()))?;
    let opts =
        DiffOptions { before_profile: a.before_profile, after_profile: a.after_profile, normalize: !a.no_normalize };
    let d = flamekit::diff(&before, &after, &opts)?;
    let rows = d.top_by_delta(a.by, 0, a.top);
    let mut out = String::new();
    if a.json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name, "file": f.file,
                    "beforeSelf": f.before_self, "afterSelf": f.after_self, "deltaSelf": f.delta_self(),
                    "beforeTotal": f.before_total, "afterTotal": f.after_total, "deltaTotal": f.delta_total(),
                    "relativeSelf": f.relative_self(), "relativeTotal": f.relative_total(),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "unit": d.unit.as_str(), "normalized": d.normalized, "scale": d.scale,
            "beforeTotal": d.before_total, "afterTotal": d.after_total, "functions": rows,
        });
        out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
    } else {
        let unit = d.unit;
        let _ = writeln!(
            out,
            "after {} vs before {}{}",
            flamekit::format_value(d.after_total, unit),
            flamekit::format_value(d.before_total, unit),
            if d.normalized { format!(" (before scaled ×{:.4})", d.scale) } else { String::new() }
        );
        let _ = writeln!(out, "{:>12}  {:>12}  {:>12}  function", "Δself", "before", "after");
        for f in rows {
            let rel = match f.relative_self() {
                Some(r) => format!(" ({:+.1}%)", r * 100.0),
                None if f.after_self > 0.0 => " (new)".to_string(),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "{:>12}  {:>12}  {:>12}  {}{rel}",
                signed(f.delta_self(), unit),
                flamekit::format_value(f.before_self, unit),
                flamekit::format_value(f.after_self, unit),
                f.name
            );
        }
    }
    write_output(&PathBuf::from("-"), out.as_bytes())?;
    if let Some(path) = &a.output {
        let ro = a.image.options();
        let bytes = if a.image.is_svg(path) {
            flamekit::render_diff_svg(&d, &ro)?.into_bytes()
        } else {
            flamekit::render_diff_png(&d, &ro)?
        };
        write_output(path, &bytes)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn signed(v: f64, unit: flamekit::ValueUnit) -> String {
    let s = flamekit::format_value(v.abs(), unit);
    if v < 0.0 {
        format!("-{s}")
    } else if v > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}
