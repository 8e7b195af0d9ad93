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

#[cfg(test)]
mod tests {
    use super::*;
    use flamekit::{GroupBuilder, ValueUnit};

    /// One profile in `unit` from 100 to 110 (ten samples of weight 1).
    fn group(unit: ValueUnit) -> ProfileGroup {
        let mut g = GroupBuilder::new("t", &IngestLimits::default());
        let main = g.frame_named("main").unwrap();
        let mut p = g.sampled("cpu", unit);
        for _ in 0..10 {
            p.push_stack(&[main], 1.0).unwrap();
        }
        p.set_start(100.0);
        p.set_end(110.0);
        g.push_profile(p.finish()).unwrap();
        g.finish(0).unwrap().0
    }

    fn arg_name(e: Error) -> &'static str {
        match e {
            Error::InvalidArgument { name, .. } => name,
            other => panic!("expected invalid_argument, got {other:?}"),
        }
    }

    #[test]
    fn flamedeck_params() {
        let g = group(ValueUnit::Milliseconds);
        let o = render_options_from_params(&[], &g).unwrap();
        assert_eq!(o, RenderOptions::default());
        let o = render_options_from_params(&[("width", "640"), ("height", "360"), ("mode", "dark")], &g).unwrap();
        assert_eq!((o.width, o.height, o.theme), (640, 360, Theme::Dark));
        // Milliseconds from the profile start (100) onto absolute profile units.
        let o = render_options_from_params(&[("startTimeMs", "2"), ("endTimeMs", "5.5")], &g).unwrap();
        assert_eq!((o.start, o.end), (Some(102.0), Some(105.5)));
        let s = group(ValueUnit::Seconds);
        let o = render_options_from_params(&[("startTimeMs", "500")], &s).unwrap();
        assert_eq!(o.start, Some(100.5));
        assert_eq!(
            render_options_from_params(&[("startDepth", "0"), ("frameName", "x")], &g).unwrap(),
            RenderOptions::default()
        );
    }

    #[test]
    fn bad_params_name_the_parameter() {
        let g = group(ValueUnit::Milliseconds);
        let bad = |k: &'static str, v: &'static str| arg_name(render_options_from_params(&[(k, v)], &g).unwrap_err());
        assert_eq!(bad("width", "wide"), "width");
        assert_eq!(bad("height", "-1"), "height");
        assert_eq!(bad("mode", "Dark"), "mode");
        assert_eq!(bad("startTimeMs", "NaN"), "startTimeMs");
        assert_eq!(bad("endTimeMs", "inf"), "endTimeMs");
        assert_eq!(bad("startDepth", "3"), "startDepth");
        assert_eq!(bad("flamegraphThemeName", "fire"), "flamegraphThemeName");
        let counts = group(ValueUnit::None);
        assert_eq!(arg_name(render_options_from_params(&[("startTimeMs", "1")], &counts).unwrap_err()), "startTimeMs");
        assert_eq!(arg_name(sort_by_from_name("Total").unwrap_err()), "sortBy");
        assert_eq!(sort_by_from_name("self").unwrap(), SortBy::Self_);
    }
}
