//! Upload policy: may this file be accepted? Pure functions returning a
//! [`Verdict`] that an HTTP handler can serialize as is.

use serde::{Deserialize, Serialize};

use crate::svg::{validate_svg, SvgPolicy};
use flamekit_core::IngestLimits;

/// Why an upload (or an SVG) was refused. Serialized in `snake_case`, e.g.
/// `file_too_large`; [`DenyCode::as_str`] gives the same string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DenyCode {
    /// The file has no bytes.
    FileEmpty,
    /// The file is larger than [`UploadPolicy::max_bytes`].
    FileTooLarge,
    /// A content-type allowlist is set but the upload has no content type.
    ContentTypeMissing,
    /// The content type is not in [`UploadPolicy::allowed_content_types`].
    ContentTypeNotAllowed,
    /// An extension allowlist is set but the upload has no file name.
    FileNameMissing,
    /// The file name does not end with an extension in [`UploadPolicy::allowed_extensions`].
    FileTypeNotAllowed,
    /// The profile is longer than [`UploadPolicy::max_duration_ms`].
    DurationTooLong,
    /// The duration given is negative or not a number.
    DurationInvalid,
    /// The SVG is larger than [`SvgPolicy::max_bytes`].
    SvgTooLarge,
    /// The SVG has more XML nodes than [`SvgPolicy::max_nodes`].
    SvgTooManyNodes,
    /// The SVG is not well-formed XML (or not UTF-8).
    SvgMalformed,
    /// The SVG has a DTD (`<!DOCTYPE ...>`); DTDs are refused so entities never expand.
    SvgDtd,
    /// The root element is not `<svg>`.
    SvgNotSvg,
    /// A `<script>` element.
    SvgScript,
    /// A `<foreignObject>` element.
    SvgForeignObject,
    /// Another element that can run code or embed content (`iframe`, `embed`,
    /// `object`, `handler`, or an animation that targets a link or handler).
    SvgForbiddenElement,
    /// A link or CSS reference that leaves the document (`href` not starting
    /// with `#`, `url(...)` that is not a fragment, `@import`, a stylesheet
    /// processing instruction).
    SvgExternalReference,
    /// An event-handler attribute (`onload`, `onclick`, any `on*`).
    SvgEventHandler,
}

impl DenyCode {
    /// The stable `snake_case` code.
    pub fn as_str(self) -> &'static str {
        match self {
            DenyCode::FileEmpty => "file_empty",
            DenyCode::FileTooLarge => "file_too_large",
            DenyCode::ContentTypeMissing => "content_type_missing",
            DenyCode::ContentTypeNotAllowed => "content_type_not_allowed",
            DenyCode::FileNameMissing => "file_name_missing",
            DenyCode::FileTypeNotAllowed => "file_type_not_allowed",
            DenyCode::DurationTooLong => "duration_too_long",
            DenyCode::DurationInvalid => "duration_invalid",
            DenyCode::SvgTooLarge => "svg_too_large",
            DenyCode::SvgTooManyNodes => "svg_too_many_nodes",
            DenyCode::SvgMalformed => "svg_malformed",
            DenyCode::SvgDtd => "svg_dtd",
            DenyCode::SvgNotSvg => "svg_not_svg",
            DenyCode::SvgScript => "svg_script",
            DenyCode::SvgForeignObject => "svg_foreign_object",
            DenyCode::SvgForbiddenElement => "svg_forbidden_element",
            DenyCode::SvgExternalReference => "svg_external_reference",
            DenyCode::SvgEventHandler => "svg_event_handler",
        }
    }
}

/// Outcome of a policy check. Serializes as `{"verdict":"allow"}` or
/// `{"verdict":"deny","code":"file_too_large","reason":"...","limit":10,"actual":11}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Accept.
    Allow,
    /// Refuse.
    Deny {
        /// Stable machine-readable reason.
        code: DenyCode,
        /// Human-readable explanation (names the offending element or attribute for SVGs).
        reason: String,
        /// The limit that was crossed, when the check has a numeric limit.
        limit: Option<u64>,
        /// The value that crossed it, when known.
        actual: Option<u64>,
    },
}

impl Verdict {
    /// True for [`Verdict::Allow`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allow)
    }

    /// The deny code, if denied.
    pub fn code(&self) -> Option<DenyCode> {
        match self {
            Verdict::Allow => None,
            Verdict::Deny { code, .. } => Some(*code),
        }
    }

    /// Compact JSON, e.g. `{"verdict":"allow"}`.
    pub fn to_json(&self) -> String {
        // Serializing this enum cannot fail (no maps with non-string keys, no I/O).
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"verdict\":\"deny\"}"))
    }

    pub(crate) fn deny(code: DenyCode, reason: impl Into<String>, limit: Option<u64>, actual: Option<u64>) -> Self {
        Verdict::Deny { code, reason: reason.into(), limit, actual }
    }
}

/// What an upload endpoint accepts. Empty allowlists accept anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadPolicy {
    /// Largest accepted file. Default: `Some(IngestLimits::default().max_input_bytes)` (256 MiB).
    pub max_bytes: Option<u64>,
    /// Accepted content types (`application/json`, ...), compared
    /// case-insensitively without parameters (`; charset=...`). Empty: any.
    pub allowed_content_types: Vec<String>,
    /// Accepted file-name endings (`.json`, `.cpuprofile`, `.json.gz`),
    /// compared case-insensitively. Empty: any.
    pub allowed_extensions: Vec<String>,
    /// Longest accepted profile duration in milliseconds. Only checked when
    /// [`UploadInfo::duration_ms`] is known. Default: `None` (no limit).
    pub max_duration_ms: Option<u64>,
    /// Rules for SVG uploads, applied by [`check_upload_bytes`].
    pub svg: SvgPolicy,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        UploadPolicy {
            max_bytes: Some(IngestLimits::default().max_input_bytes),
            allowed_content_types: Vec::new(),
            allowed_extensions: Vec::new(),
            max_duration_ms: None,
            svg: SvgPolicy::default(),
        }
    }
}

/// What is known about an upload before (or after) reading it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadInfo {
    /// Size in bytes.
    pub size_bytes: u64,
    /// Declared content type, e.g. `application/json; charset=utf-8`.
    pub content_type: Option<String>,
    /// Client-side file name.
    pub file_name: Option<String>,
    /// Profile duration in milliseconds, once imported
    /// ([`flamekit_core::ProfileGroup::duration_ms`]).
    pub duration_ms: Option<f64>,
}

/// Check an upload against `policy`, in this order: empty file, size,
/// content type, file name, duration. The first failing rule decides.
pub fn check_upload(policy: &UploadPolicy, info: &UploadInfo) -> Verdict {
    if info.size_bytes == 0 {
        return Verdict::deny(DenyCode::FileEmpty, "the file is empty", None, Some(0));
    }
    if let Some(max) = policy.max_bytes {
        if info.size_bytes > max {
            return Verdict::deny(
                DenyCode::FileTooLarge,
                format!("the file has {} bytes; at most {max} are accepted", info.size_bytes),
                Some(max),
                Some(info.size_bytes),
            );
        }
    }
    if !policy.allowed_content_types.is_empty() {
        let Some(ct) = info.content_type.as_deref() else {
            return Verdict::deny(DenyCode::ContentTypeMissing, "no content type was given", None, None);
        };
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if !policy.allowed_content_types.iter().any(|a| a.trim().eq_ignore_ascii_case(essence)) {
            return Verdict::deny(
                DenyCode::ContentTypeNotAllowed,
                format!(
                    "content type `{}` is not accepted (accepted: {})",
                    printable(essence),
                    policy.allowed_content_types.join(", ")
                ),
                None,
                None,
            );
        }
    }
    if !policy.allowed_extensions.is_empty() {
        let Some(name) = info.file_name.as_deref() else {
            return Verdict::deny(DenyCode::FileNameMissing, "no file name was given", None, None);
        };
        if !policy.allowed_extensions.iter().any(|e| ends_with_ignore_case(name, e)) {
            return Verdict::deny(
                DenyCode::FileTypeNotAllowed,
                format!(
                    "file name `{}` does not end with an accepted extension ({})",
                    printable(name),
                    policy.allowed_extensions.join(", ")
                ),
                None,
                None,
            );
        }
    }
    if let Some(d) = info.duration_ms {
        if !(d.is_finite() && d >= 0.0) {
            return Verdict::deny(DenyCode::DurationInvalid, format!("duration {d} ms is not valid"), None, None);
        }
        if let Some(max) = policy.max_duration_ms {
            if d > max as f64 {
                // Report the duration rounded up so that actual > limit always holds.
                let actual = d.ceil().min(u64::MAX as f64) as u64;
                return Verdict::deny(
                    DenyCode::DurationTooLong,
                    format!("the profile lasts {d} ms; at most {max} ms are accepted"),
                    Some(max),
                    Some(actual),
                );
            }
        }
    }
    Verdict::Allow
}

/// True when the upload declares itself an SVG (content type
/// `image/svg+xml` or a file name ending in `.svg`).
pub fn is_svg_upload(info: &UploadInfo) -> bool {
    let ct = info.content_type.as_deref().and_then(|c| c.split(';').next()).map(str::trim);
    ct.is_some_and(|c| c.eq_ignore_ascii_case("image/svg+xml"))
        || info.file_name.as_deref().is_some_and(|n| ends_with_ignore_case(n, ".svg"))
}

/// [`check_upload`] with the bytes at hand: the size is taken from `bytes`
/// (not from `info.size_bytes`), and an SVG upload ([`is_svg_upload`]) must
/// also pass [`validate_svg`] with `policy.svg`.
pub fn check_upload_bytes(policy: &UploadPolicy, info: &UploadInfo, bytes: &[u8]) -> Verdict {
    let info = UploadInfo { size_bytes: bytes.len() as u64, ..info.clone() };
    let v = check_upload(policy, &info);
    if !v.is_allowed() || !is_svg_upload(&info) {
        return v;
    }
    validate_svg(bytes, &policy.svg)
}

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    let (n, s) = (name.as_bytes(), suffix.trim().as_bytes());
    !s.is_empty() && n.len() >= s.len() && n[n.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// At most 100 characters of user input, control characters replaced.
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(100).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.chars().nth(100).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(size: u64, ct: Option<&str>, name: Option<&str>, dur: Option<f64>) -> UploadInfo {
        UploadInfo {
            size_bytes: size,
            content_type: ct.map(Into::into),
            file_name: name.map(Into::into),
            duration_ms: dur,
        }
    }

    #[test]
    fn table() {
        let policy = UploadPolicy {
            max_bytes: Some(1000),
            allowed_content_types: vec!["application/json".into(), "application/gzip".into()],
            allowed_extensions: vec![".json".into(), ".json.gz".into()],
            max_duration_ms: Some(60_000),
            ..Default::default()
        };
        let cases: Vec<(UploadInfo, Option<DenyCode>)> = vec![
            (info(1000, Some("application/json"), Some("a.json"), Some(60_000.0)), None),
            (info(1, Some("Application/JSON; charset=utf-8"), Some("A.JSON.GZ"), None), None),
            (info(0, Some("application/json"), Some("a.json"), None), Some(DenyCode::FileEmpty)),
            (info(1001, Some("application/json"), Some("a.json"), None), Some(DenyCode::FileTooLarge)),
            (info(10, None, Some("a.json"), None), Some(DenyCode::ContentTypeMissing)),
            (info(10, Some("text/html"), Some("a.json"), None), Some(DenyCode::ContentTypeNotAllowed)),
            (info(10, Some("application/json"), None, None), Some(DenyCode::FileNameMissing)),
            (info(10, Some("application/json"), Some("a.json.exe"), None), Some(DenyCode::FileTypeNotAllowed)),
            (info(10, Some("application/json"), Some("a.json"), Some(60_000.5)), Some(DenyCode::DurationTooLong)),
            (info(10, Some("application/json"), Some("a.json"), Some(f64::NAN)), Some(DenyCode::DurationInvalid)),
        ];
        for (i, (inf, want)) in cases.iter().enumerate() {
            assert_eq!(check_upload(&policy, inf).code(), *want, "case {i}: {inf:?}");
        }
        match check_upload(&policy, &cases[3].0) {
            Verdict::Deny { limit, actual, .. } => assert_eq!((limit, actual), (Some(1000), Some(1001))),
            v => panic!("{v:?}"),
        }
        match check_upload(&policy, &cases[8].0) {
            Verdict::Deny { limit, actual, .. } => assert_eq!((limit, actual), (Some(60_000), Some(60_001))),
            v => panic!("{v:?}"),
        }
        // The default policy accepts anything non-empty up to 256 MiB.
        assert!(check_upload(&UploadPolicy::default(), &info(256 << 20, None, None, None)).is_allowed());
        assert!(!check_upload(&UploadPolicy::default(), &info((256 << 20) + 1, None, None, None)).is_allowed());
    }

    #[test]
    fn json_shape() {
        assert_eq!(Verdict::Allow.to_json(), r#"{"verdict":"allow"}"#);
        let v = Verdict::deny(DenyCode::FileTooLarge, "too big", Some(10), Some(11));
        let json = v.to_json();
        assert_eq!(json, r#"{"verdict":"deny","code":"file_too_large","reason":"too big","limit":10,"actual":11}"#);
        let back: Verdict = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        // Every code serializes to its as_str.
        for c in [DenyCode::SvgScript, DenyCode::SvgEventHandler, DenyCode::ContentTypeNotAllowed] {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn svg_uploads_are_validated() {
        let policy = UploadPolicy::default();
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#;
        let i = info(0, Some("image/svg+xml"), None, None);
        assert_eq!(check_upload_bytes(&policy, &i, svg).code(), Some(DenyCode::SvgEventHandler));
        let i = info(0, None, Some("flame.SVG"), None);
        assert_eq!(check_upload_bytes(&policy, &i, svg).code(), Some(DenyCode::SvgEventHandler));
        // Not declared as SVG: only the generic checks apply.
        let i = info(0, Some("application/json"), Some("x.json"), None);
        assert!(check_upload_bytes(&policy, &i, svg).is_allowed());
    }
}
