//! The operations every skin exposes, on library types, returning records.

use std::path::Path;

use flamekit::{ChatVerdict, Error, ImportReport, ProfileDiff, ProfileGroup, Verdict};

// Through the modules: the crate root also holds each struct's `definition!` macro.
use crate::{records::*, requests::*};

/// A rendered image.
#[derive(Clone, Debug, PartialEq)]
pub enum Image {
    /// PNG bytes.
    Png(Vec<u8>),
    /// A standalone SVG document.
    Svg(String),
}

/// What to render: a profile group or a diff.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// A profile of a group.
    Group(&'a ProfileGroup),
    /// A differential profile.
    Diff(&'a ProfileDiff),
}

/// Render `subject` as PNG (or SVG when `svg`) with the resolved `request`.
pub fn render(subject: Subject<'_>, request: &RenderRequest, svg: bool) -> Result<Image, Error> {
    let opts = request.resolve()?;
    match (subject, svg) {
        (Subject::Group(g), false) => flamekit::render_png(g, &opts).map(Image::Png),
        (Subject::Group(g), true) => flamekit::render_svg(g, &opts).map(Image::Svg),
        (Subject::Diff(d), false) => flamekit::render_diff_png(d, &opts).map(Image::Png),
        (Subject::Diff(d), true) => flamekit::render_diff_svg(d, &opts).map(Image::Svg),
    }
}

/// An imported group with its import report: what every skin's `ProfileGroup` holds.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The profiles.
    pub group: ProfileGroup,
    /// What the import skipped or repaired.
    pub report: ImportReport,
}

impl Loaded {
    /// Import from bytes; the format is detected from the content.
    pub fn from_bytes(bytes: &[u8], request: &LoadRequest) -> Result<Self, Error> {
        let (group, report) = flamekit::import_with(bytes, request.name_hint.as_deref(), &request.resolve()?)?;
        Ok(Loaded { group, report })
    }

    /// Import a file; its name is the detection hint.
    pub fn from_path(path: &Path, request: &LoadRequest) -> Result<Self, Error> {
        let (group, report) = flamekit::import_file(path, &request.resolve()?)?;
        Ok(Loaded { group, report })
    }

    /// A profile index, defaulting to the active profile.
    pub fn profile_index(&self, profile: Option<u32>) -> usize {
        profile.map(|p| p as usize).unwrap_or_else(|| self.group.active_profile_index())
    }

    /// The profiles, in file order.
    pub fn profiles(&self) -> Vec<ProfileInfo> {
        let profiles = self.group.profiles().iter().enumerate();
        profiles
            .map(|(index, p)| ProfileInfo {
                index: index as u32,
                name: p.name().to_owned(),
                unit: p.unit().as_str().to_owned(),
                kind: if p.is_sampled() { "sampled" } else { "evented" }.to_owned(),
                sample_count: p.sample_count() as u64,
                total_weight: p.total_weight(),
                start_value: p.start_value(),
                end_value: p.end_value(),
                duration_ms: p.duration_ms(),
            })
            .collect()
    }

    /// What the import skipped or repaired.
    pub fn report(&self) -> ImportReportInfo {
        let r = &self.report;
        ImportReportInfo {
            format: r.format.clone(),
            warning_count: r.warning_count,
            warnings: r
                .warnings
                .iter()
                .map(|d| Diagnostic {
                    code: d.code.into(),
                    location: d.location.to_string(),
                    message: d.message.clone(),
                })
                .collect(),
            skipped: r.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            is_clean: r.is_clean(),
        }
    }

    /// Self/total weight of every frame present in a profile (default: the
    /// active one), in frame-table order.
    pub fn frame_weights(&self, profile: Option<u32>) -> Result<Vec<FrameWeight>, Error> {
        let frames = self.group.frames();
        let fw = self.group.profile(self.profile_index(profile))?.frame_weights(frames.len());
        let present = frames.iter().enumerate().filter(|(i, _)| fw.present[*i]);
        Ok(present
            .map(|(i, f)| FrameWeight {
                index: i as u32,
                name: f.name.clone(),
                file: f.file.clone(),
                line: f.line,
                col: f.col,
                self_weight: fw.self_weight[i],
                total_weight: fw.total_weight[i],
            })
            .collect())
    }

    /// The functions of a profile ranked by self or total weight: one page of rows.
    pub fn top_functions(&self, request: &TopRequest) -> Result<Vec<FunctionStat>, Error> {
        let (profile, opts) = request.resolve()?;
        let index = profile.unwrap_or_else(|| self.group.active_profile_index());
        let rows = flamekit::top_functions(&self.group, index, &opts)?;
        Ok(rows
            .into_iter()
            .map(|s| FunctionStat {
                rank: s.rank as u32,
                frame_id: s.frame_id,
                name: s.name,
                file: s.file,
                line: s.line,
                self_weight: s.self_weight,
                total_weight: s.total_weight,
                self_percent: s.self_percent,
                total_percent: s.total_percent,
                self_display: s.self_display,
                total_display: s.total_display,
            })
            .collect())
    }

    /// A plain-text summary for an LLM prompt.
    pub fn summary(&self, request: &SummaryRequest) -> Result<String, Error> {
        flamekit::summarize(&self.group, &request.resolve())
    }
}

/// Compare a profile of `before` with a profile of `after`.
pub fn diff(before: &Loaded, after: &Loaded, request: &DiffRequest) -> Result<ProfileDiff, Error> {
    flamekit::diff(&before.group, &after.group, &request.resolve())
}

fn delta(f: &flamekit::FunctionDelta) -> FunctionDelta {
    FunctionDelta {
        name: f.name.clone(),
        file: f.file.clone(),
        before_self: f.before_self,
        after_self: f.after_self,
        before_total: f.before_total,
        after_total: f.after_total,
        delta_self: f.delta_self(),
        delta_total: f.delta_total(),
        relative_self: f.relative_self(),
        relative_total: f.relative_total(),
    }
}

/// Every function of either profile, in first-seen order (before, then after).
pub fn function_deltas(diff: &ProfileDiff) -> Vec<FunctionDelta> {
    diff.functions.iter().map(delta).collect()
}

/// Functions ranked by the request's delta: one page of rows.
pub fn top_by_delta(diff: &ProfileDiff, request: &DeltaRequest) -> Result<Vec<FunctionDelta>, Error> {
    let (sort, offset, limit) = request.resolve()?;
    Ok(diff.top_by_delta(sort, offset, limit).into_iter().map(delta).collect())
}

/// An upload or SVG verdict as a record.
pub fn verdict(v: &Verdict) -> VerdictRecord {
    let json = v.to_json();
    match v {
        Verdict::Deny { code, reason, limit, actual } => VerdictRecord {
            allowed: false,
            code: Some(code.as_str().to_owned()),
            reason: Some(reason.clone()),
            limit: *limit,
            actual: *actual,
            json,
        },
        _ => VerdictRecord { allowed: true, code: None, reason: None, limit: None, actual: None, json },
    }
}

/// A chat verdict as a record; `usage` is what was checked (for `usage_after`).
pub fn chat_verdict(v: &ChatVerdict, usage: &flamekit::ChatUsage) -> ChatVerdictRecord {
    let names = |v: &[flamekit::ChatLimitType]| v.iter().map(|c| c.as_str().to_owned()).collect();
    let (usage_after, json) = (ChatUsage::from(v.apply(usage)), v.to_json());
    let none = ChatVerdictRecord {
        allowed: false,
        reset: Vec::new(),
        increment: Vec::new(),
        period_start: None,
        limit_type: None,
        reason: None,
        limit: None,
        actual: None,
        resets_at: None,
        usage_after,
        json,
    };
    match v {
        ChatVerdict::Allow { reset, increment, period_start } => ChatVerdictRecord {
            allowed: true,
            reset: names(reset),
            increment: names(increment),
            period_start: Some(*period_start),
            ..none
        },
        ChatVerdict::Deny { limit_type, reason, limit, actual, resets_at } => ChatVerdictRecord {
            limit_type: Some(limit_type.as_str().to_owned()),
            reason: Some(reason.clone()),
            limit: Some(*limit),
            actual: Some(*actual),
            resets_at: *resets_at,
            ..none
        },
    }
}

/// The plain accessors of a skin's `ProfileGroup` (a [`Loaded`], `g`), one
/// row each: doc, name, type, value. For the skins that have them as they
/// are (Python getters, UniFFI methods): `group_accessors!(then args...)`
/// calls `then! { args... ; |g| { rows } }`.
#[macro_export]
macro_rules! group_accessors {
    ($then:ident $($args:tt)*) => {
        $then! { $($args)* ; |g| {
            /// Group name (the file name, the name hint, or the format's own name).
            name: String = g.group.name().to_owned();
            /// Detected format identifier, e.g. `speedscope`, `pprof`.
            profile_type: String = g.group.format().to_owned();
            /// Longest profile duration in ms among profiles with a time unit, else none.
            duration_ms: Option<f64> = g.group.duration_ms();
            /// speedscope-import's profile-type name, what Flamedeck stores (e.g.
            /// `chrome-timeline`, `collapsed-stack`).
            flamedeck_profile_type: String = g.group.profile_type().to_owned();
            /// The duration Flamedeck stores: the first profile's total weight in ms,
            /// rounded; none for non-time units.
            flamedeck_duration_ms: Option<f64> = g.group.flamedeck_duration_ms();
            /// Index of the profile a viewer shows first.
            active_profile_index: u32 = g.group.active_profile_index() as u32;
            /// Number of distinct frames in the group.
            frame_count: u64 = g.group.frames().len() as u64;
            /// Bytes of heap the group holds (frames, stacks, samples, events; a
            /// stack table shared by several profiles counted once): what a cache
            /// of loaded profiles can budget by.
            heap_bytes: u64 = g.group.heap_bytes() as u64;
            /// What the import skipped or repaired.
            report: $crate::ImportReportInfo = g.report();
        } }
    };
}

/// The plain accessors of a skin's `ProfileDiff` (a [`flamekit::ProfileDiff`],
/// `d`), as [`group_accessors!`]: `then! { args... ; |d| { rows } }`.
#[macro_export]
macro_rules! diff_accessors {
    ($then:ident $($args:tt)*) => {
        $then! { $($args)* ; |d| {
            /// Unit of every weight here (the after profile's unit).
            unit: String = d.unit.as_str().to_owned();
            /// Whether before weights were scaled to the after total.
            normalized: bool = d.normalized;
            /// Factor applied to before weights (1 when not normalised).
            scale: f64 = d.scale;
            /// Total weight of the before profile, unscaled.
            before_total: f64 = d.before_total;
            /// Total weight of the after profile.
            after_total: f64 = d.after_total;
            /// Every function of either profile, in first-seen order (before, then after).
            functions: Vec<$crate::FunctionDelta> = $crate::function_deltas(d);
            /// True when no weight changed (e.g. a profile diffed with itself).
            is_zero: bool = d.is_zero();
        } }
    };
}
