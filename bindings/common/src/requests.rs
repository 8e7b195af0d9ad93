//! Requests: what a caller may pass, every field optional. One `resolve()`
//! per request turns it into the library's options: defaults come from the
//! library's `Default` impls, names are parsed by the facade's parsers, and
//! a bad value is [`Error::InvalidArgument`]. A new option is one field here
//! plus one line in each skin that spells out arguments (Python keywords).

use flamekit::{DeltaSort, Error, SessionsPeriod};

/// The attributes every request carries: `Default` (all fields absent) and,
/// for the JavaScript skins, serde from a camelCase object (absent = default).
macro_rules! request {
    ($(#[$($m:tt)*])* struct $name:ident as $ts:literal { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }) => {
        $(#[$($m)*])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(rename_all = "camelCase", default))]
        pub struct $name { $($(#[$($fm)*])* pub $field: $ty,)* }
        $crate::ts_struct!($name $ts true [$(#[$($m)*])*] $([$(#[$($fm)*])*] $field: $ty,)*);
        definition!([$] $name $(#[$($m)*])* struct $name { $($(#[$($fm)*])* $field: $ty,)* });
    };
}

/// A library settings struct as the bindings pass it: the library's fields
/// (checked against its definition by the conversions both ways), its
/// `Default`, serde from a camelCase object (absent = default) and, for
/// Python, a class with getters, setters and a keyword constructor (omitted
/// or None = default) whose extra `$py_methods` go into the same block.
macro_rules! settings {
    ($(#[$($m:tt)*])* $py:literal struct $name:ident = $lib:ident { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }
     $($py_methods:item)*) => {
        $(#[$($m)*])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize), serde(rename_all = "camelCase", default))]
        #[cfg_attr(feature = "python", pyo3::pyclass(module = "flamekit", name = $py, eq, get_all, set_all, from_py_object))]
        pub struct $name { $($(#[$($fm)*])* pub $field: $ty,)* }
        $crate::ts_struct!($name $py true [$(#[$($m)*])*] $([$(#[$($fm)*])*] $field: $ty,)*);
        definition!([$] $name $(#[$($m)*])* struct $name { $($(#[$($fm)*])* $field: $ty,)* });

        impl Default for $name {
            fn default() -> Self {
                flamekit::$lib::default().into()
            }
        }

        impl From<flamekit::$lib> for $name {
            fn from(v: flamekit::$lib) -> Self {
                let flamekit::$lib { $($field),* } = v;
                $name { $($field),* }
            }
        }

        impl From<$name> for flamekit::$lib {
            fn from(v: $name) -> Self {
                let $name { $($field),* } = v;
                flamekit::$lib { $($field),* }
            }
        }

        #[cfg(feature = "python")]
        #[pyo3::pymethods]
        impl $name {
            #[new]
            #[pyo3(signature = (*, $($field = None::<$ty>),*))]
            #[allow(clippy::too_many_arguments)]
            fn new($($field: Option<$ty>),*) -> Self {
                let d = Self::default();
                $name { $($field: $field.unwrap_or(d.$field)),* }
            }
            fn __repr__(&self) -> String {
                format!("{}({:?})", $py, flamekit::$lib::from(*self))
            }
            $($py_methods)*
        }
    };
}

/// A profile index from a binding (`u32`) as the library's `usize`.
fn index(p: Option<u32>) -> Option<usize> {
    p.map(|p| p as usize)
}

/// How to import: [`flamekit::ImportOptions`]. The skins take the name hint
/// and the limits as arguments of their own, the rest as one `options` value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadRequest {
    /// A file name: breaks detection ties and names the group.
    pub name_hint: Option<String>,
    /// Ingest limits.
    pub limits: LimitsRequest,
    /// Import switches and source maps.
    pub options: ImportRequest,
}

request! {
    /// The import switches and source maps of [`flamekit::ImportOptions`];
    /// absent switches keep the library defaults.
    struct ImportRequest as "ImportOptions" {
        /// linux perf sample weights: `samples` or `period`.
        perf_weight: Option<String>,
        /// Firefox frames kept: `all` or `js`.
        firefox_frames: Option<String>,
        /// pmcstat samples kept: `all` or `leaves`.
        pmcstat_samples: Option<String>,
        /// Papyrus script stacks: `separate` or `nested`.
        papyrus_stacks: Option<String>,
        /// JavaScript source maps applied to the imported frames.
        source_maps: Vec<SourceMapRequest>,
        /// Threads the import may use: `0` all cores (the library default),
        /// `1` the calling thread only; the result is the same for any value.
        threads: Option<u32>,
    }
}

/// A struct as written, with its TypeScript declaration (fields optional as their types say).
macro_rules! with_ts {
    ($ts:literal $(#[$($m:tt)*])* pub struct $name:ident { $($(#[$($fm:tt)*])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$($m)*])* pub struct $name { $($(#[$($fm)*])* pub $field: $ty,)* }
        $crate::ts_struct!($name $ts false [$(#[$($m)*])*] $([$(#[$($fm)*])*] $field: $ty,)*);
    };
}

with_ts! { "SourceMap"
/// One JavaScript source map ([`flamekit::SourceMapInput`]).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(rename_all = "camelCase"))]
#[cfg_attr(feature = "python", derive(pyo3::FromPyObject), pyo3(from_item_all))]
pub struct SourceMapRequest {
    /// The map's name, usually its file name (`app.min.js.map`).
    pub name: String,
    /// URL of the script the map belongs to; absent: matched by the map's
    /// `file` field or its name.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "python", pyo3(default))]
    pub script: Option<String>,
    /// The map's JSON (from JavaScript: a string or a `Uint8Array`; from
    /// Python: `str` or `bytes`).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "text_or_bytes"))]
    #[cfg_attr(feature = "python", pyo3(from_py_with = py_text_or_bytes))]
    pub bytes: Vec<u8>,
}
}

/// Python `str` (its UTF-8) or `bytes`/`bytearray`.
#[cfg(feature = "python")]
fn py_text_or_bytes(v: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Vec<u8>> {
    use pyo3::prelude::PyAnyMethods;
    match v.extract::<String>() {
        Ok(text) => Ok(text.into_bytes()),
        Err(_) => v.extract::<Vec<u8>>(),
    }
}

/// Bytes given as a string (its UTF-8), a byte array or an array of numbers.
#[cfg(feature = "serde")]
fn text_or_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or bytes")
        }
        fn visit_str<E>(self, v: &str) -> Result<Vec<u8>, E> {
            Ok(v.as_bytes().to_vec())
        }
        fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::new();
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Bytes)
}

/// `value` parsed by the option's own `FromStr` (its one name table), or the default.
fn option<T: std::str::FromStr<Err = Error>>(value: &Option<String>, default: T) -> Result<T, Error> {
    value.as_deref().map_or(Ok(default), str::parse)
}

impl LoadRequest {
    /// The library's import options.
    // `..d`: fields the bindings do not set keep their defaults (today there are none).
    #[allow(clippy::needless_update)]
    pub fn resolve(&self) -> Result<flamekit::ImportOptions, Error> {
        let (o, d) = (&self.options, flamekit::ImportOptions::default());
        Ok(flamekit::ImportOptions {
            limits: self.limits.into(),
            name: self.name_hint.clone(),
            perf_weight: option(&o.perf_weight, d.perf_weight)?,
            firefox_frames: option(&o.firefox_frames, d.firefox_frames)?,
            pmcstat_samples: option(&o.pmcstat_samples, d.pmcstat_samples)?,
            papyrus_stacks: option(&o.papyrus_stacks, d.papyrus_stacks)?,
            source_maps: o
                .source_maps
                .iter()
                .map(|m| flamekit::SourceMapInput {
                    name: m.name.clone(),
                    script: m.script.clone(),
                    bytes: m.bytes.clone(),
                })
                .collect(),
            threads: o.threads.map_or(d.threads, |t| t as usize),
            ..d
        })
    }
}

settings! {
    /// Ingest limits ([`flamekit::IngestLimits`]); Python's `IngestLimits`,
    /// serialized by `defaultIngestLimits()` of the JS skins.
    "IngestLimits" struct LimitsRequest = IngestLimits {
        /// Largest accepted input in bytes, before decompression.
        max_input_bytes: u64,
        /// Largest size after gzip/zip decompression.
        max_inflated_bytes: u64,
        /// Most distinct frames in one group.
        max_frames: u64,
        /// Most samples plus events over all profiles of a group.
        max_samples: u64,
        /// Deepest accepted stack.
        max_stack_depth: u64,
        /// Most profiles in a group.
        max_profiles: u64,
        /// Largest inflated ÷ compressed size ratio (past a small floor).
        max_inflation_ratio: u64,
        /// Longest frame name in bytes (longer ones are cut, with a warning).
        max_name_bytes: u64,
        /// Most stack nodes in one sampled profile's table.
        max_stack_nodes: u64,
        /// Most bytes of frame and file names over a group's frames.
        max_frame_text_bytes: u64,
        /// Most entries (mapping segments, names, sources) in an import's source maps together.
        max_source_map_entries: u64,
    }
    /// No limits at all.
    #[staticmethod]
    fn unlimited() -> Self {
        flamekit::IngestLimits::unlimited().into()
    }
}

request! {
    /// How to render ([`flamekit::RenderOptions`]); absent fields keep the
    /// library defaults (`RenderOptions::default()`: 1200x800, light, time order).
    struct RenderRequest as "RenderOptions" {
        /// Width in CSS pixels.
        width: Option<u32>,
        /// Height in CSS pixels.
        height: Option<u32>,
        /// `light` or `dark`.
        theme: Option<String>,
        /// `time_order`, `left_heavy` or `sandwich` (with `frame`).
        view: Option<String>,
        /// Function name for the sandwich view (alone, it selects that view).
        frame: Option<String>,
        /// Start of the zoom window, in profile units (absolute).
        start: Option<f64>,
        /// End of the zoom window, in profile units (absolute).
        end: Option<f64>,
        /// Profile index (default: the active profile).
        profile: Option<u32>,
        /// Highlight this function, fade the others.
        focus: Option<String>,
        /// Device pixels per CSS pixel.
        device_pixel_ratio: Option<f64>,
        /// Draw the title strip.
        title: Option<bool>,
        /// Start of the zoom window in ms after the profile's start (time units only).
        start_time_ms: Option<f64>,
        /// End of the zoom window in ms after the profile's start.
        end_time_ms: Option<f64>,
        /// Outermost rows to skip.
        start_depth: Option<u32>,
        /// Box colours: `system`, `fire`, `peach` or `ice`.
        palette: Option<String>,
        /// Draw the time and depth axes.
        axes: Option<bool>,
        /// Flamedeck's render parameters by name (`width`, `height`, `mode`,
        /// `startTimeMs`, `endTimeMs`, `startDepth`, `flamegraphThemeName`),
        /// applied after the fields above.
        params: std::collections::BTreeMap<String, String>,
    }
}

impl RenderRequest {
    /// The render options, defaults filled in and names parsed.
    pub fn resolve(&self) -> Result<flamekit::RenderOptions, Error> {
        let d = flamekit::RenderOptions::default();
        let view = match (&self.view, &self.frame) {
            (None, None) => d.view.clone(),
            (view, frame) => flamekit::view_from_name(view.as_deref().unwrap_or("sandwich"), frame.clone())?,
        };
        let mut o = flamekit::RenderOptions {
            width: self.width.unwrap_or(d.width),
            height: self.height.unwrap_or(d.height),
            device_pixel_ratio: self.device_pixel_ratio.unwrap_or(d.device_pixel_ratio),
            theme: match &self.theme {
                Some(t) => flamekit::theme_from_name(t)?,
                None => d.theme,
            },
            view,
            profile_index: index(self.profile).or(d.profile_index),
            start: self.start.or(d.start),
            end: self.end.or(d.end),
            focus: self.focus.clone().or(d.focus.clone()),
            title: self.title.unwrap_or(d.title),
            start_time_ms: self.start_time_ms.or(d.start_time_ms),
            end_time_ms: self.end_time_ms.or(d.end_time_ms),
            start_depth: self.start_depth.map_or(d.start_depth, |k| k as usize),
            palette: option(&self.palette, d.palette)?,
            axes: self.axes.unwrap_or(d.axes),
            ..d
        };
        for (name, value) in &self.params {
            if !o.apply_param(name, value)? {
                return Err(Error::argument("params", format!("unknown render parameter {name:?}")));
            }
        }
        Ok(o)
    }
}

request! {
    /// Which functions `top_functions` lists ([`flamekit::TopOptions`]).
    struct TopRequest as "TopOptions" {
        /// Profile index (default: the active profile).
        profile: Option<u32>,
        /// `self` or `total`.
        by: Option<String>,
        /// Rows to skip.
        offset: Option<u32>,
        /// Most rows.
        limit: Option<u32>,
    }
}

impl TopRequest {
    /// The profile index (none: the active one) and the library's options.
    pub fn resolve(&self) -> Result<(Option<usize>, flamekit::TopOptions), Error> {
        let d = flamekit::TopOptions::default();
        let sort_by = option(&self.by, d.sort_by)?;
        let offset = index(self.offset).unwrap_or(d.offset);
        Ok((index(self.profile), flamekit::TopOptions { sort_by, offset, limit: index(self.limit).unwrap_or(d.limit) }))
    }
}

request! {
    /// How long a summary may be ([`flamekit::SummaryOptions`]).
    struct SummaryRequest as "SummaryOptions" {
        /// Most characters of the text.
        max_chars: Option<u32>,
        /// Functions and call paths per ranking.
        top_n: Option<u32>,
    }
}

impl SummaryRequest {
    /// The summary options, defaults filled in.
    pub fn resolve(&self) -> flamekit::SummaryOptions {
        let d = flamekit::SummaryOptions::default();
        flamekit::SummaryOptions {
            max_chars: index(self.max_chars).unwrap_or(d.max_chars),
            top_n: index(self.top_n).unwrap_or(d.top_n),
        }
    }
}

request! {
    /// Which profiles `diff` compares ([`flamekit::DiffOptions`]).
    struct DiffRequest as "DiffOptions" {
        /// Profile index in the before group (default: its active profile).
        before_profile: Option<u32>,
        /// Profile index in the after group (default: its active profile).
        after_profile: Option<u32>,
        /// Scale before weights to the after total.
        normalize: Option<bool>,
    }
}

impl DiffRequest {
    /// The diff options, defaults filled in.
    pub fn resolve(&self) -> flamekit::DiffOptions {
        let d = flamekit::DiffOptions::default();
        flamekit::DiffOptions {
            before_profile: index(self.before_profile).or(d.before_profile),
            after_profile: index(self.after_profile).or(d.after_profile),
            normalize: self.normalize.unwrap_or(d.normalize),
        }
    }
}

request! {
    /// Which rows `top_by_delta` lists; paging defaults as `top_functions`.
    struct DeltaRequest as "DeltaOptions" {
        /// `self` (largest self growth first, the default), `total` (largest
        /// total growth first) or `self_absolute` (largest change either way).
        by: Option<String>,
        /// Rows to skip.
        offset: Option<u32>,
        /// Most rows.
        limit: Option<u32>,
    }
}

impl DeltaRequest {
    /// The ranking and the row range `offset .. offset + limit`.
    pub fn resolve(&self) -> Result<(DeltaSort, usize, usize), Error> {
        let sort = option(&self.by, DeltaSort::SelfGrowth)?;
        let d = flamekit::TopOptions::default();
        Ok((sort, index(self.offset).unwrap_or(d.offset), index(self.limit).unwrap_or(d.limit)))
    }
}

request! {
    /// What an upload endpoint accepts ([`flamekit::UploadPolicy`]); absent
    /// fields keep the defaults, `max_bytes: Infinity` lifts the size limit.
    struct UploadPolicyRequest as "UploadPolicy" {
        /// Largest accepted file in bytes; infinite: no limit.
        max_bytes: Option<f64>,
        /// Accepted content types (case-insensitive, parameters ignored).
        allowed_content_types: Option<Vec<String>>,
        /// Accepted file-name endings (`.json`, `.json.gz`, ...).
        allowed_extensions: Option<Vec<String>>,
        /// Longest accepted profile duration in ms.
        max_duration_ms: Option<u64>,
        /// Rules for SVG uploads.
        svg: SvgPolicyRequest,
    }
}

impl UploadPolicyRequest {
    /// The upload policy, defaults filled in.
    pub fn resolve(&self) -> Result<flamekit::UploadPolicy, Error> {
        let d = flamekit::UploadPolicy::default();
        Ok(flamekit::UploadPolicy {
            max_bytes: match self.max_bytes {
                None => d.max_bytes,
                Some(v) if v == f64::INFINITY => None,
                Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 => Some(v as u64),
                Some(v) => return Err(Error::argument("max_bytes", format!("{v} is not a non-negative integer"))),
            },
            allowed_content_types: self.allowed_content_types.clone().unwrap_or(d.allowed_content_types),
            allowed_extensions: self.allowed_extensions.clone().unwrap_or(d.allowed_extensions),
            max_duration_ms: self.max_duration_ms.or(d.max_duration_ms),
            svg: self.svg.into(),
        })
    }
}

settings! {
    /// Rules for SVG uploads ([`flamekit::SvgPolicy`]); Python's `SvgPolicy`.
    "SvgPolicy" struct SvgPolicyRequest = SvgPolicy {
        /// Largest accepted SVG in bytes.
        max_bytes: u64,
        /// Most XML nodes.
        max_nodes: u32,
    }
}

request! {
    /// What is known about an upload ([`flamekit::UploadInfo`]).
    struct UploadInfoRequest as "UploadInfo" {
        /// Size in bytes (`check_upload_bytes` uses the data's length).
        size_bytes: Option<u64>,
        /// Declared content type.
        content_type: Option<String>,
        /// Client-side file name.
        file_name: Option<String>,
        /// Profile duration in ms, once imported.
        duration_ms: Option<f64>,
    }
}

impl UploadInfoRequest {
    /// The upload info; `size_bytes` defaults to `data_len`, else 0.
    pub fn resolve(&self, data_len: Option<usize>) -> flamekit::UploadInfo {
        flamekit::UploadInfo {
            size_bytes: data_len.map(|n| n as u64).or(self.size_bytes).unwrap_or_default(),
            content_type: self.content_type.clone(),
            file_name: self.file_name.clone(),
            duration_ms: self.duration_ms,
        }
    }
}

request! {
    /// A chat plan ([`flamekit::ChatPlan`]); absent limits are unlimited.
    struct ChatPlanRequest as "ChatPlan" {
        /// Most messages in one session.
        messages_per_session: Option<u32>,
        /// Most sessions per `sessions_period`.
        sessions_limit: Option<u32>,
        /// `lifetime` (the default) or `monthly`.
        sessions_period: Option<String>,
    }
}

impl ChatPlanRequest {
    /// The chat plan, the period name parsed.
    pub fn resolve(&self) -> Result<flamekit::ChatPlan, Error> {
        Ok(flamekit::ChatPlan {
            messages_per_session: self.messages_per_session,
            sessions_limit: self.sessions_limit,
            sessions_period: option(&self.sessions_period, SessionsPeriod::default())?,
        })
    }
}

settings! {
    /// A user's chat counters ([`flamekit::ChatUsage`]), as the caller stores
    /// them: an input of the chat checks and the `usage_after` of their verdicts.
    "ChatUsage" struct ChatUsage = ChatUsage {
        /// Messages already sent in the current session.
        session_messages: u32,
        /// Sessions ever started.
        lifetime_sessions: u32,
        /// Sessions started in the monthly period beginning at `period_start`.
        monthly_sessions: u32,
        /// Start of the current monthly period, UTC unix seconds.
        period_start: i64,
        /// Optional billing anchor, UTC unix seconds.
        period_anchor: Option<i64>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_switches_reach_the_library_options_and_absent_ones_keep_its_defaults() {
        let d = flamekit::ImportOptions::default();
        let absent = LoadRequest::default().resolve().unwrap();
        assert_eq!(
            (absent.threads, absent.perf_weight, absent.papyrus_stacks),
            (d.threads, d.perf_weight, d.papyrus_stacks)
        );
        for threads in [1, 4] {
            let request = LoadRequest {
                options: ImportRequest {
                    threads: Some(threads),
                    perf_weight: Some("period".into()),
                    papyrus_stacks: Some("nested".into()),
                    ..ImportRequest::default()
                },
                ..LoadRequest::default()
            };
            let o = request.resolve().unwrap();
            assert_eq!(o.threads, threads as usize);
            assert_eq!(o.perf_weight, flamekit::PerfWeight::Period);
            assert_eq!(o.papyrus_stacks, flamekit::PapyrusStacks::Nested);
        }
        let bad = LoadRequest {
            options: ImportRequest { perf_weight: Some("weekly".into()), ..ImportRequest::default() },
            ..LoadRequest::default()
        };
        assert_eq!(bad.resolve().unwrap_err().code(), "invalid_argument");
    }
}
