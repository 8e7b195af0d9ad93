//! Output records: plain data built from library types by [`crate::Loaded`]
//! and the check functions. JavaScript skins serialize them (camelCase),
//! Python exposes them as read-only classes, UniFFI maps them as remote records.

use std::collections::HashMap;

use crate::requests::ChatUsage;

/// The attributes every record carries: `serde` (camelCase) for the
/// JavaScript skins and, when given a Python class name, a frozen read-only
/// `#[pyclass]` (the verdicts' classes have methods too, below).
macro_rules! record {
    ($(#[$($m:tt)*])* struct $name:ident as $ts:literal { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }) => {
        $(#[$($m)*])*
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
        pub struct $name { $($(#[$($fm)*])* pub $field: $ty,)* }
        $crate::ts_struct!($name $ts false [$(#[$($m)*])*] $([$(#[$($fm)*])*] $field: $ty,)*);
        definition!([$] $name $(#[$($m)*])* struct $name { $($(#[$($fm)*])* $field: $ty,)* });
    };
    ($(#[$($m:tt)*])* $py:literal struct $name:ident { $($body:tt)* }) => {
        record! {
            $(#[$($m)*])*
            #[cfg_attr(
                feature = "python",
                pyo3::pyclass(module = "flamekit", name = $py, frozen, get_all, skip_from_py_object)
            )]
            struct $name as $py { $($body)* }
        }
    };
}

record! {
    /// One profile of a group: its name, unit and size.
    "ProfileInfo" struct ProfileInfo {
        /// Position in the group.
        index: u32,
        /// Display name.
        name: String,
        /// Unit of weights: `none`, `nanoseconds`, ..., `bytes`.
        unit: String,
        /// `sampled` or `evented`.
        kind: String,
        /// Number of samples (sampled) or events (evented).
        sample_count: u64,
        /// Sum of weights.
        total_weight: f64,
        /// First value of the time axis.
        start_value: f64,
        /// Last value of the time axis.
        end_value: f64,
        /// Duration in ms for time units, else none.
        duration_ms: Option<f64>,
    }
}

record! {
    /// Self and total weight of one frame in one profile.
    "FrameWeight" struct FrameWeight {
        /// Index in the group's frame table.
        index: u32,
        /// Function name.
        name: String,
        /// Source file, if known.
        file: Option<String>,
        /// 1-based line, if known.
        line: Option<u32>,
        /// 1-based column, if known.
        col: Option<u32>,
        /// Weight of samples where the frame is innermost.
        self_weight: f64,
        /// Weight of samples where the frame is on the stack (recursion counted once).
        total_weight: f64,
    }
}

record! {
    /// One import warning.
    "Diagnostic" struct Diagnostic {
        /// Stable warning code.
        code: String,
        /// Where in the input (line, byte, index or field path).
        location: String,
        /// Detail.
        message: String,
    }
}

record! {
    /// What an import skipped or repaired.
    #[cfg_attr(feature = "python", pyo3::pyclass(module = "flamekit", name = "ImportReport", frozen, get_all, skip_from_py_object))]
    struct ImportReportInfo as "ImportReportInfo" {
        /// Format identifier that was imported.
        format: String,
        /// Exact number of warnings.
        warning_count: u64,
        /// The first warnings (at most 100).
        warnings: Vec<Diagnostic>,
        /// Exact count of skipped items per reason code (JavaScript: a
        /// `[{ reason, count }]` array in reason order).
        #[cfg_attr(feature = "serde", serde(serialize_with = "skip_counts"))]
        skipped: HashMap<String, u64>,
        /// True when nothing was skipped or repaired.
        is_clean: bool,
    }
}

#[cfg(feature = "serde")]
fn skip_counts<S: serde::Serializer>(skipped: &HashMap<String, u64>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    #[derive(serde::Serialize)]
    struct SkipCount<'a> {
        reason: &'a str,
        count: u64,
    }
    let mut rows: Vec<_> = skipped.iter().collect();
    rows.sort();
    let mut seq = s.serialize_seq(Some(rows.len()))?;
    for (reason, count) in rows {
        seq.serialize_element(&SkipCount { reason, count: *count })?;
    }
    seq.end()
}

record! {
    /// One row of `top_functions`.
    "FunctionStat" struct FunctionStat {
        /// 0-based rank over all rows (offset included).
        rank: u32,
        /// The frame's index in the group.
        frame_id: u32,
        /// Function name.
        name: String,
        /// Source file, if known.
        file: Option<String>,
        /// 1-based line, if known.
        line: Option<u32>,
        /// Weight with this function innermost.
        self_weight: f64,
        /// Weight with this function anywhere on the stack (recursion counted once).
        total_weight: f64,
        /// `self_weight` as a percentage of the profile's non-idle total.
        self_percent: f64,
        /// `total_weight` as a percentage of the profile's non-idle total.
        total_percent: f64,
        /// `self_weight` formatted in the profile's unit.
        self_display: String,
        /// `total_weight` formatted in the profile's unit.
        total_display: String,
    }
}

record! {
    /// One function's weights before and after (before weights scaled when
    /// the diff is normalised).
    "FunctionDelta" struct FunctionDelta {
        /// Function name.
        name: String,
        /// Source file, if known.
        file: Option<String>,
        /// Self weight before (scaled when normalised).
        before_self: f64,
        /// Self weight after.
        after_self: f64,
        /// Total weight before (scaled when normalised), recursion counted once.
        before_total: f64,
        /// Total weight after, recursion counted once.
        after_total: f64,
        /// `after_self - before_self`.
        delta_self: f64,
        /// `after_total - before_total`.
        delta_total: f64,
        /// Relative change of self weight; none when it was 0 before.
        relative_self: Option<f64>,
        /// Relative change of total weight; none when it was 0 before.
        relative_total: Option<f64>,
    }
}

record! {
    /// Outcome of an upload or SVG check (Python: truthy when allowed).
    #[cfg_attr(feature = "python", pyo3::pyclass(module = "flamekit", name = "Verdict", frozen, get_all, skip_from_py_object))]
    struct VerdictRecord as "Verdict" {
        /// True when the upload is accepted.
        allowed: bool,
        /// Stable deny code (`file_too_large`, `svg_script`, ...); none when allowed.
        code: Option<String>,
        /// Human-readable reason; none when allowed.
        reason: Option<String>,
        /// The limit that was crossed, when the rule has one.
        limit: Option<u64>,
        /// The value that crossed it, when known.
        actual: Option<u64>,
        /// The verdict as compact JSON, e.g. `{"verdict":"allow"}`.
        json: String,
    }
}

record! {
    /// Outcome of a chat message or session check (Python: truthy when allowed).
    #[cfg_attr(feature = "python", pyo3::pyclass(module = "flamekit", name = "ChatVerdict", frozen, get_all, skip_from_py_object))]
    struct ChatVerdictRecord as "ChatVerdict" {
        /// True when the action may go ahead.
        allowed: bool,
        /// Allowed: counters to set to 0 first.
        reset: Vec<String>,
        /// Allowed: counters to add 1 to.
        increment: Vec<String>,
        /// Allowed: the monthly period start to store.
        period_start: Option<i64>,
        /// Denied: `session_messages`, `lifetime_sessions` or `monthly_sessions`.
        limit_type: Option<String>,
        /// Denied: human-readable reason.
        reason: Option<String>,
        /// Denied: the plan's limit.
        limit: Option<u32>,
        /// Denied: the counter's current value.
        actual: Option<u32>,
        /// Denied by a monthly limit: when the next period starts (UTC unix seconds).
        resets_at: Option<i64>,
        /// The counters to store once the allowed action happened (unchanged when denied).
        usage_after: ChatUsage,
        /// The verdict as compact JSON.
        json: String,
    }
}

/// Python's `to_json()`, truthiness and repr of the verdicts.
macro_rules! py_verdict {
    ($name:ident $py:literal $($methods:item)*) => {
        #[cfg(feature = "python")]
        #[pyo3::pymethods]
        impl $name {
            /// The verdict as compact JSON, e.g. `{"verdict":"allow"}`.
            fn to_json(&self) -> &str {
                &self.json
            }
            fn __bool__(&self) -> bool {
                self.allowed
            }
            fn __repr__(&self) -> String {
                format!("{}({})", $py, self.json)
            }
            $($methods)*
        }
    };
}

py_verdict!(VerdictRecord "Verdict");
py_verdict! {
    ChatVerdictRecord "ChatVerdict"
    /// Apply this verdict to other stored counters.
    fn apply(&self, usage: ChatUsage) -> pyo3::PyResult<ChatUsage> {
        let verdict: flamekit::ChatVerdict = serde_json::from_str(&self.json)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok(verdict.apply(&usage.into()).into())
    }
}
