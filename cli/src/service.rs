//! What `flamekit serve` and `flamekit mcp` share: request parameters (by
//! their Flamedeck names) turned into the library's options, and the one
//! import call both transports make. No behaviour lives here beyond naming:
//! importing, rendering and analysis are the library's.

use std::panic::{catch_unwind, AssertUnwindSafe};

use flamekit::{Error, ImportOptions, ImportReport, IngestLimits, ProfileGroup, RenderOptions};

/// Flamedeck's render parameters (`mode`, `width`, `height`, `startTimeMs`,
/// `endTimeMs`, `startDepth`, `flamegraphThemeName`) as [`RenderOptions`],
/// through the library's one parser ([`RenderOptions::apply_param`]).
///
/// Defaults are the library's (`RenderOptions::default()`: 1200 × 800,
/// light, the `system` palette), as Flamedeck's render server has them; an
/// empty `height` means "as tall as the rows need". A bad value is
/// [`Error::InvalidArgument`] naming the parameter. Names that are not render
/// parameters are left to the caller (such as `frameName`).
pub(crate) fn render_options_from_params(params: &[(&str, &str)]) -> Result<RenderOptions, Error> {
    let mut o = RenderOptions::default();
    for &(name, value) in params {
        o.apply_param(name, value)?;
    }
    Ok(o)
}

/// Import uploaded bytes (plain, gzip or zip: the library unwraps them under
/// `limits`) on up to `threads` threads ([`ImportOptions::threads`]),
/// detecting the format with `name` as the hint.
pub(crate) fn import_bytes(
    bytes: &[u8],
    name: Option<&str>,
    limits: &IngestLimits,
    threads: usize,
) -> Result<(ProfileGroup, ImportReport), Error> {
    let opts = ImportOptions { limits: *limits, name: name.map(str::to_owned), threads, ..Default::default() };
    flamekit::import_with(bytes, name, &opts)
}

/// The import report as JSON: `{format, warningCount, skipped, warnings:[{code, location, message}]}`.
pub(crate) fn report_json(report: &ImportReport) -> serde_json::Value {
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
pub(crate) fn import_summary_json(group: &ProfileGroup, report: &ImportReport) -> serde_json::Value {
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
        "flamedeckProfileType": group.profile_type(),
        "durationMs": group.duration_ms(),
        "flamedeckDurationMs": group.flamedeck_duration_ms(),
        "profiles": profiles,
        "report": report_json(report),
    })
}

/// Run a job; a panic becomes [`Error::Internal`] instead of a dead worker.
pub(crate) fn run_job<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use flamekit::{Named, SortBy, Theme};

    fn arg_name(e: Error) -> &'static str {
        match e {
            Error::InvalidArgument { name, .. } => name,
            other => panic!("expected invalid_argument, got {other:?}"),
        }
    }

    #[test]
    fn flamedeck_params() {
        let o = render_options_from_params(&[]).unwrap();
        assert_eq!(o, RenderOptions::default());
        let o = render_options_from_params(&[("width", "640"), ("height", "360"), ("mode", "dark")]).unwrap();
        assert_eq!((o.width, o.height, o.theme), (640, 360, Theme::Dark));
        let o = render_options_from_params(&[("startTimeMs", "2"), ("endTimeMs", "5.5"), ("startDepth", "3")]).unwrap();
        assert_eq!((o.start_time_ms, o.end_time_ms, o.start_depth), (Some(2.0), Some(5.5), 3));
        let o = render_options_from_params(&[("flamegraphThemeName", "fire"), ("frameName", "x")]).unwrap();
        assert_eq!(o, RenderOptions { palette: flamekit::Palette::Fire, ..RenderOptions::default() });
    }

    #[test]
    fn bad_params_name_the_parameter() {
        let bad = |k: &'static str, v: &'static str| arg_name(render_options_from_params(&[(k, v)]).unwrap_err());
        assert_eq!(bad("width", "wide"), "width");
        assert_eq!(bad("height", "-1"), "height");
        assert_eq!(bad("mode", "Dark"), "mode");
        assert_eq!(bad("startTimeMs", "NaN"), "startTimeMs");
        assert_eq!(bad("endTimeMs", "inf"), "endTimeMs");
        assert_eq!(bad("startDepth", "-3"), "startDepth");
        assert_eq!(bad("flamegraphThemeName", "lava"), "flamegraphThemeName");
        assert_eq!(arg_name(SortBy::parse_param("sortBy", "Total").unwrap_err()), "sortBy");
        assert_eq!(SortBy::parse_param("sortBy", "self").unwrap(), SortBy::Self_);
    }
}
