//! What `flamekit serve` and `flamekit mcp` share: request parameters (by
//! their Flamedeck names) turned into the library's options, and the one
//! import call both transports make. No behaviour lives here beyond naming:
//! importing, rendering and analysis are the library's.

use std::panic::{catch_unwind, AssertUnwindSafe};

use flamekit::{Error, ImportOptions, ImportReport, IngestLimits, ProfileGroup, RenderOptions, SortBy, Theme};

/// Flamedeck's render parameters (`mode`, `width`, `height`, `startTimeMs`,
/// `endTimeMs`, `startDepth`, `flamegraphThemeName`) as [`RenderOptions`].
///
/// THE single place the lead switches to the render workstream's library
/// function (Flamedeck parameter map → `RenderOptions`) once it lands. Until
/// then it maps what `RenderOptions` has today:
/// - `width`, `height`: CSS pixels (defaults: the library's, 1200 × 800);
/// - `mode`: `light` or `dark` → theme (default light);
/// - `startTimeMs`, `endTimeMs`: milliseconds from the start of the rendered
///   profile → the absolute zoom window in profile units (needs a time unit);
/// - `startDepth`: only `0` (today's renderer always starts at the root);
/// - `flamegraphThemeName`: no palette other than the default exists yet, so
///   any value is refused rather than silently ignored.
///
/// A bad or unsupported value is [`Error::InvalidArgument`] naming the
/// parameter. Unknown parameter names are ignored (callers add their own,
/// such as `frameName`).
pub fn render_options_from_params(params: &[(&str, &str)], group: &ProfileGroup) -> Result<RenderOptions, Error> {
    let mut o = RenderOptions::default();
    let mut start_ms = None;
    let mut end_ms = None;
    for &(key, value) in params {
        match key {
            "width" => o.width = parse_u32("width", value)?,
            "height" => o.height = parse_u32("height", value)?,
            "mode" => {
                o.theme = match value {
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    _ => return Err(Error::argument("mode", format!("{value:?} is not one of: light, dark"))),
                }
            }
            "startTimeMs" => start_ms = Some(parse_f64("startTimeMs", value)?),
            "endTimeMs" => end_ms = Some(parse_f64("endTimeMs", value)?),
            "startDepth" if parse_u32("startDepth", value)? != 0 => {
                return Err(Error::argument("startDepth", "only 0 is supported (rendering starts at the root)"));
            }
            "startDepth" => {}
            "flamegraphThemeName" => {
                return Err(Error::argument(
                    "flamegraphThemeName",
                    format!("{value:?}: only the default palette is available (use `mode` for light/dark)"),
                ))
            }
            _ => {}
        }
    }
    if start_ms.is_some() || end_ms.is_some() {
        let profile = group.profile(group.active_profile_index())?;
        let per_unit = profile.unit().ms_per_unit().ok_or_else(|| {
            Error::argument("startTimeMs", format!("the profile's unit ({}) is not a time unit", profile.unit()))
        })?;
        o.start = start_ms.map(|ms| profile.start_value() + ms / per_unit);
        o.end = end_ms.map(|ms| profile.start_value() + ms / per_unit);
    }
    Ok(o)
}

fn parse_u32(name: &'static str, value: &str) -> Result<u32, Error> {
    value.parse().map_err(|_| Error::argument(name, format!("{value:?} is not a whole number")))
}

fn parse_f64(name: &'static str, value: &str) -> Result<f64, Error> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::argument(name, format!("{value:?} is not a finite number"))),
    }
}

/// Parse a `sortBy` value: `self` or `total`.
pub fn sort_by_from_name(name: &str) -> Result<SortBy, Error> {
    match name {
        "self" => Ok(SortBy::Self_),
        "total" => Ok(SortBy::Total),
        _ => Err(Error::argument("sortBy", format!("{name:?} is not one of: self, total"))),
    }
}

/// Import uploaded bytes (plain, gzip or zip: the library unwraps them under
/// `limits`), detecting the format with `name` as the hint.
pub fn import_bytes(
    bytes: &[u8],
    name: Option<&str>,
    limits: &IngestLimits,
) -> Result<(ProfileGroup, ImportReport), Error> {
    let opts = ImportOptions { limits: *limits, name: name.map(str::to_owned) };
    flamekit::import_with(bytes, name, &opts)
}

/// The import report as JSON: `{format, warningCount, skipped, warnings:[{code, location, message}]}`.
pub fn report_json(report: &ImportReport) -> serde_json::Value {
    let warnings: Vec<_> = report
        .warnings
        .iter()
        .map(|d| serde_json::json!({"code": d.code, "location": d.location.to_string(), "message": d.message}))
        .collect();
    serde_json::json!({
        "format": report.format,
        "warningCount": report.warning_count,
        "skipped": report.skipped,
        "warnings": warnings,
    })
}

/// What an upload path stores about an import: `{profileType, durationMs,
/// profiles:[{name, unit, kind, samples, totalWeight}], report}`.
pub fn import_summary_json(group: &ProfileGroup, report: &ImportReport) -> serde_json::Value {
    let profiles: Vec<_> = group
        .profiles()
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name(),
                "unit": p.unit().as_str(),
                "kind": if p.is_sampled() { "sampled" } else { "evented" },
                "samples": p.sample_count(),
                "totalWeight": p.total_weight(),
            })
        })
        .collect();
    serde_json::json!({
        "profileType": group.format(),
        "durationMs": group.duration_ms(),
        "profiles": profiles,
        "report": report_json(report),
    })
}

/// Run a job; a panic becomes [`Error::Internal`] instead of a dead worker.
pub fn run_job<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(Error::Internal { message: format!("request failed: {what}") })
        }
    }
}
