//! Safari / WebKit Web Inspector timeline recordings (Timelines tab,
//! "Export"), JSON `{version: 1, recording: {displayName,
//! sampleStackTraces, sampleDurations, ...}, overview}`.
//!
//! The JavaScript sampling profiler's data becomes one sampled profile in
//! seconds, named after the recording's `displayName`: sample `i` has the
//! stack `sampleStackTraces[i].stackFrames` (innermost first in the file) and
//! weighs `sampleDurations[i]`; it ends at its `timestamp`. When a sample
//! starts more than 2 ms after the previous one ended (Safari's timestamps
//! and durations do not line up exactly, so smaller gaps are noise), the gap
//! becomes an empty-stack (idle) sample, keeping the time axis true. Frames
//! are `name` at `url:line:column`; an empty name becomes speedscope's
//! `(anonymous FILE:LINE)` (FILE = last path segment of the url, LINE = the
//! file's `line`; bare `(anonymous)` without a url). Timeline
//! records (network, layout, ...) are not imported.

use std::borrow::Cow;

use flamekit_core::{
    Error, Frame, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit, NO_STACK,
};
use serde::Deserialize;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Safari.id();

/// Gaps between samples up to this many seconds are not idle time.
const IDLE_TOLERANCE: f64 = 0.002;

#[derive(Deserialize)]
struct File<'a> {
    version: Option<f64>,
    #[serde(borrow)]
    recording: Recording<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recording<'a> {
    #[serde(borrow)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sample_stack_traces: Vec<Sample<'a>>,
    #[serde(default)]
    sample_durations: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sample<'a> {
    timestamp: f64,
    #[serde(borrow, default)]
    stack_frames: Vec<StackFrame<'a>>,
}

#[derive(Deserialize)]
struct StackFrame<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    line: Option<f64>,
    column: Option<f64>,
}

/// True when `bytes` look like a Safari timeline recording: a JSON object
/// whose start has a `recording` object with Web Inspector's
/// `displayName`/`instrumentTypes`/`discontinuities` keys.
pub fn sniff(bytes: &[u8]) -> bool {
    let Some(text) = crate::json::object_head(bytes) else {
        return false;
    };
    text.contains("\"recording\"")
        && (text.contains("\"instrumentTypes\"")
            || text.contains("\"discontinuities\"")
            || text.contains("\"sampleStackTraces\""))
}

fn position(v: Option<f64>) -> Option<u32> {
    v.filter(|x| x.is_finite() && *x >= 1.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

fn bad(location: String, message: String) -> Error {
    Error::invalid(FORMAT, location, message)
}

/// Import a Safari timeline recording.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let file: File = serde_json::from_slice(bytes).map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    if file.version != Some(1.0) {
        g.report().warn(
            "unknown_version",
            Location::Path("version".into()),
            format!("recording version {:?} is not 1; reading it as version 1", file.version),
        );
    }
    let rec = file.recording;
    let name = rec.display_name.as_deref().unwrap_or("");
    g.set_name(name);
    let samples = &rec.sample_stack_traces;
    if rec.sample_durations.len() != samples.len() {
        return Err(bad(
            "recording.sampleDurations".into(),
            format!("{} durations for {} samples", rec.sample_durations.len(), samples.len()),
        ));
    }
    let mut b = g.sampled(name, ValueUnit::Seconds);
    let mut stack: Vec<FrameId> = Vec::new();
    let mut prev_end: Option<f64> = None;
    for (i, (s, &duration)) in samples.iter().zip(&rec.sample_durations).enumerate() {
        let loc = || format!("recording.sampleStackTraces[{i}]");
        if !(duration.is_finite() && duration >= 0.0) {
            return Err(bad(loc(), format!("duration must be finite and non-negative, got {duration}")));
        }
        if !s.timestamp.is_finite() {
            return Err(bad(loc(), "timestamp must be finite".into()));
        }
        let start = s.timestamp - duration;
        match prev_end {
            None => b.set_start(start),
            Some(end) if start - end > IDLE_TOLERANCE => b.push_sample(NO_STACK, start - end)?,
            Some(_) => {}
        }
        stack.clear();
        for f in s.stack_frames.iter().rev() {
            let url = f.url.as_deref().filter(|u| !u.is_empty());
            let raw_line = f.line.filter(|x| x.is_finite()).map(crate::json::fmt_num);
            let name = crate::js_name::function_label(f.name.as_deref().unwrap_or(""), url, raw_line);
            let file = url.map(str::to_owned);
            stack.push(g.frame(Frame::with_location(name, file, position(f.line), position(f.column)))?);
        }
        b.push_stack(&stack, duration)?;
        prev_end = Some(prev_end.map_or(s.timestamp, |e: f64| e.max(s.timestamp)));
    }
    if samples.is_empty() {
        g.report().warn(
            "no_samples",
            Location::Path("recording.sampleStackTraces".into()),
            "the recording has no samples",
        );
    }
    g.push_profile(b.finish())?;
    g.finish(0)
}
