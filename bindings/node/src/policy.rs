//! Analysis results and limit checks: `FunctionStat`, upload verdicts,
//! SVG validation and chat-plan limits, as plain JS objects. Conversion
//! only; the rules live in `flamekit-core`.

use flamekit::{
    ChatLimitType, ChatPlan as RsChatPlan, ChatUsage as RsChatUsage, ChatVerdict as RsChatVerdict, Error,
    SessionsPeriod, SvgPolicy as RsSvgPolicy, UploadInfo as RsUploadInfo, UploadPolicy as RsUploadPolicy,
    Verdict as RsVerdict,
};
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;

use crate::run;

/// One row of `ProfileGroup.topFunctions`.
#[napi(object)]
pub struct FunctionStat {
    /// 0-based rank over all rows (offset included).
    pub rank: u32,
    /// The frame's index in the group.
    pub frame_id: u32,
    /// Function name.
    pub name: String,
    /// Source file, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// Weight with this function innermost.
    pub self_weight: f64,
    /// Weight with this function anywhere on the stack (recursion counted once).
    pub total_weight: f64,
    /// `selfWeight` as a percentage of the profile's non-idle total.
    pub self_percent: f64,
    /// `totalWeight` as a percentage of the profile's non-idle total.
    pub total_percent: f64,
    /// `selfWeight` formatted in the profile's unit.
    pub self_display: String,
    /// `totalWeight` formatted in the profile's unit.
    pub total_display: String,
}

impl From<flamekit::FunctionStat> for FunctionStat {
    fn from(s: flamekit::FunctionStat) -> Self {
        FunctionStat {
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
        }
    }
}

/// Options of `topFunctions` (all optional).
#[napi(object)]
#[derive(Default)]
pub struct TopOptions {
    /// Profile index (default: the active profile).
    pub profile: Option<u32>,
    /// `self` (default) or `total`.
    pub by: Option<String>,
    /// Rows to skip (default 0).
    pub offset: Option<u32>,
    /// Most rows (default 20).
    pub limit: Option<u32>,
}

pub(crate) fn top_options(o: Option<TopOptions>) -> Result<(Option<u32>, flamekit::TopOptions), Error> {
    let o = o.unwrap_or_default();
    let d = flamekit::TopOptions::default();
    let sort_by = match o.by.as_deref() {
        None => d.sort_by,
        Some(by) => flamekit::SortBy::parse(by)
            .ok_or_else(|| Error::argument("by", format!("{by:?} is not one of: self, total")))?,
    };
    Ok((
        o.profile,
        flamekit::TopOptions {
            sort_by,
            offset: o.offset.map(|v| v as usize).unwrap_or(d.offset),
            limit: o.limit.map(|v| v as usize).unwrap_or(d.limit),
        },
    ))
}

/// Options of `summary` (all optional).
#[napi(object)]
#[derive(Default)]
pub struct SummaryOptions {
    /// Most characters of the text (default 4000).
    pub max_chars: Option<u32>,
    /// Functions and call paths per ranking (default 10).
    pub top_n: Option<u32>,
}

pub(crate) fn summary_options(o: Option<SummaryOptions>) -> flamekit::SummaryOptions {
    let o = o.unwrap_or_default();
    let d = flamekit::SummaryOptions::default();
    flamekit::SummaryOptions {
        max_chars: o.max_chars.map(|v| v as usize).unwrap_or(d.max_chars),
        top_n: o.top_n.map(|v| v as usize).unwrap_or(d.top_n),
    }
}

/// Rules for SVG uploads (omitted fields keep the defaults).
#[napi(object)]
#[derive(Default)]
pub struct SvgPolicy {
    /// Largest accepted SVG in bytes.
    pub max_bytes: Option<f64>,
    /// Most XML nodes.
    pub max_nodes: Option<u32>,
}

fn count(name: &'static str, v: f64) -> Result<u64, Error> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(Error::argument(name, format!("{v} is not a non-negative integer")))
    }
}

fn svg_policy(p: Option<SvgPolicy>) -> Result<RsSvgPolicy, Error> {
    let d = RsSvgPolicy::default();
    let Some(p) = p else { return Ok(d) };
    Ok(RsSvgPolicy {
        max_bytes: p.max_bytes.map(|v| count("maxBytes", v)).transpose()?.unwrap_or(d.max_bytes),
        max_nodes: p.max_nodes.unwrap_or(d.max_nodes),
    })
}

/// What an upload endpoint accepts. Omitted fields keep the library
/// defaults; `maxBytes: Infinity` means no size limit; empty lists accept anything.
#[napi(object)]
#[derive(Default)]
pub struct UploadPolicy {
    /// Largest accepted file in bytes (`Infinity`: no limit).
    pub max_bytes: Option<f64>,
    /// Accepted content types (case-insensitive, parameters ignored).
    pub allowed_content_types: Option<Vec<String>>,
    /// Accepted file-name endings (`.json`, `.json.gz`, ...).
    pub allowed_extensions: Option<Vec<String>>,
    /// Longest accepted profile duration in ms.
    pub max_duration_ms: Option<f64>,
    /// Rules for SVG uploads.
    pub svg: Option<SvgPolicy>,
}

fn upload_policy(p: Option<UploadPolicy>) -> Result<RsUploadPolicy, Error> {
    let d = RsUploadPolicy::default();
    let Some(p) = p else { return Ok(d) };
    Ok(RsUploadPolicy {
        max_bytes: match p.max_bytes {
            None => d.max_bytes,
            Some(v) if v == f64::INFINITY => None,
            Some(v) => Some(count("maxBytes", v)?),
        },
        allowed_content_types: p.allowed_content_types.unwrap_or(d.allowed_content_types),
        allowed_extensions: p.allowed_extensions.unwrap_or(d.allowed_extensions),
        max_duration_ms: p.max_duration_ms.map(|v| count("maxDurationMs", v)).transpose()?.or(d.max_duration_ms),
        svg: svg_policy(p.svg)?,
    })
}

/// What is known about an upload.
#[napi(object)]
#[derive(Default)]
pub struct UploadInfo {
    /// Size in bytes (ignored by `checkUploadBytes`, which measures the data).
    pub size_bytes: Option<f64>,
    /// Declared content type.
    pub content_type: Option<String>,
    /// Client-side file name.
    pub file_name: Option<String>,
    /// Profile duration in ms, once imported (`ProfileGroup.durationMs`).
    pub duration_ms: Option<f64>,
}

fn upload_info(i: UploadInfo) -> Result<RsUploadInfo, Error> {
    Ok(RsUploadInfo {
        size_bytes: i.size_bytes.map(|v| count("sizeBytes", v)).transpose()?.unwrap_or(0),
        content_type: i.content_type,
        file_name: i.file_name,
        duration_ms: i.duration_ms,
    })
}

/// Outcome of an upload or SVG check.
#[napi(object)]
pub struct Verdict {
    /// True when accepted.
    pub allowed: bool,
    /// Stable deny code (`file_too_large`, `svg_script`, ...), absent when allowed.
    pub code: Option<String>,
    /// Human-readable reason, absent when allowed.
    pub reason: Option<String>,
    /// The limit that was crossed, when the rule has one.
    pub limit: Option<f64>,
    /// The value that crossed it, when known.
    pub actual: Option<f64>,
    /// The verdict as compact JSON.
    pub json: String,
}

impl From<RsVerdict> for Verdict {
    fn from(v: RsVerdict) -> Self {
        let json = v.to_json();
        match v {
            RsVerdict::Deny { code, reason, limit, actual } => Verdict {
                allowed: false,
                code: Some(code.as_str().to_owned()),
                reason: Some(reason),
                limit: limit.map(|v| v as f64),
                actual: actual.map(|v| v as f64),
                json,
            },
            _ => Verdict { allowed: true, code: None, reason: None, limit: None, actual: None, json },
        }
    }
}

/// Check an upload's metadata against a policy (default policy when omitted).
#[napi]
pub fn check_upload(info: UploadInfo, policy: Option<UploadPolicy>) -> napi::Result<Verdict, &'static str> {
    run(|| Ok(flamekit::check_upload(&upload_policy(policy)?, &upload_info(info)?).into()))
}

/// `checkUpload` with the bytes at hand: the size is the data's length, and
/// an SVG upload (by content type or `.svg` name) must also pass `validateSvg`.
#[napi]
pub fn check_upload_bytes(
    data: Uint8Array,
    info: Option<UploadInfo>,
    policy: Option<UploadPolicy>,
) -> napi::Result<Verdict, &'static str> {
    run(|| {
        let info = upload_info(info.unwrap_or_default())?;
        Ok(flamekit::check_upload_bytes(&upload_policy(policy)?, &info, &data).into())
    })
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[napi]
pub fn validate_svg(data: Uint8Array, policy: Option<SvgPolicy>) -> napi::Result<Verdict, &'static str> {
    run(|| Ok(flamekit::validate_svg(&data, &svg_policy(policy)?).into()))
}

/// A chat plan; absent limits are unlimited.
#[napi(object)]
#[derive(Default)]
pub struct ChatPlan {
    /// Most messages in one session.
    pub messages_per_session: Option<u32>,
    /// Most sessions per `sessionsPeriod`.
    pub sessions_limit: Option<u32>,
    /// `lifetime` (default) or `monthly`.
    pub sessions_period: Option<String>,
}

fn chat_plan(p: ChatPlan) -> Result<RsChatPlan, Error> {
    Ok(RsChatPlan {
        messages_per_session: p.messages_per_session,
        sessions_limit: p.sessions_limit,
        sessions_period: match p.sessions_period.as_deref() {
            None | Some("lifetime") => SessionsPeriod::Lifetime,
            Some("monthly") => SessionsPeriod::Monthly,
            Some(other) => {
                return Err(Error::argument("sessionsPeriod", format!("{other:?} is not one of: lifetime, monthly")))
            }
        },
    })
}

/// A user's chat counters, as the caller stores them (absent counters are 0).
#[napi(object)]
#[derive(Default)]
pub struct ChatUsage {
    /// Messages already sent in the current session.
    pub session_messages: Option<u32>,
    /// Sessions ever started.
    pub lifetime_sessions: Option<u32>,
    /// Sessions started in the monthly period beginning at `periodStart`.
    pub monthly_sessions: Option<u32>,
    /// Start of the current monthly period, UTC unix seconds.
    pub period_start: Option<i64>,
    /// Optional billing anchor, UTC unix seconds.
    pub period_anchor: Option<i64>,
}

fn chat_usage(u: ChatUsage) -> RsChatUsage {
    RsChatUsage {
        session_messages: u.session_messages.unwrap_or(0),
        lifetime_sessions: u.lifetime_sessions.unwrap_or(0),
        monthly_sessions: u.monthly_sessions.unwrap_or(0),
        period_start: u.period_start.unwrap_or(0),
        period_anchor: u.period_anchor,
    }
}

fn from_usage(u: RsChatUsage) -> ChatUsage {
    ChatUsage {
        session_messages: Some(u.session_messages),
        lifetime_sessions: Some(u.lifetime_sessions),
        monthly_sessions: Some(u.monthly_sessions),
        period_start: Some(u.period_start),
        period_anchor: u.period_anchor,
    }
}

/// Outcome of `checkChatLimits` / `checkChatSession`.
#[napi(object)]
pub struct ChatVerdict {
    /// True when the action may go ahead.
    pub allowed: bool,
    /// Allowed: counters to set to 0 first.
    pub reset: Vec<String>,
    /// Allowed: counters to add 1 to.
    pub increment: Vec<String>,
    /// Allowed: the monthly period start to store.
    pub period_start: Option<i64>,
    /// Denied: `session_messages`, `lifetime_sessions` or `monthly_sessions`.
    pub limit_type: Option<String>,
    /// Denied: human-readable reason.
    pub reason: Option<String>,
    /// Denied: the plan's limit.
    pub limit: Option<u32>,
    /// Denied: the counter's current value.
    pub actual: Option<u32>,
    /// Denied by a monthly limit: when the next period starts (UTC unix seconds).
    pub resets_at: Option<i64>,
    /// The counters to store once the allowed action happened (unchanged when denied).
    pub usage_after: ChatUsage,
    /// The verdict as compact JSON.
    pub json: String,
}

fn names(v: &[ChatLimitType]) -> Vec<String> {
    v.iter().map(|c| c.as_str().to_owned()).collect()
}

fn chat_verdict(v: RsChatVerdict, usage: &RsChatUsage) -> ChatVerdict {
    let usage_after = from_usage(v.apply(usage));
    let json = v.to_json();
    match v {
        RsChatVerdict::Allow { reset, increment, period_start } => ChatVerdict {
            allowed: true,
            reset: names(&reset),
            increment: names(&increment),
            period_start: Some(period_start),
            limit_type: None,
            reason: None,
            limit: None,
            actual: None,
            resets_at: None,
            usage_after,
            json,
        },
        RsChatVerdict::Deny { limit_type, reason, limit, actual, resets_at } => ChatVerdict {
            allowed: false,
            reset: Vec::new(),
            increment: Vec::new(),
            period_start: None,
            limit_type: Some(limit_type.as_str().to_owned()),
            reason: Some(reason),
            limit: Some(limit),
            actual: Some(actual),
            resets_at,
            usage_after,
            json,
        },
    }
}

/// May the user send one more message in the current session?
#[napi]
pub fn check_chat_limits(plan: ChatPlan, usage: ChatUsage) -> napi::Result<ChatVerdict, &'static str> {
    run(|| {
        let usage = chat_usage(usage);
        Ok(chat_verdict(flamekit::may_send_message(&chat_plan(plan)?, &usage), &usage))
    })
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[napi]
pub fn check_chat_session(plan: ChatPlan, usage: ChatUsage, now: i64) -> napi::Result<ChatVerdict, &'static str> {
    run(|| {
        let usage = chat_usage(usage);
        Ok(chat_verdict(flamekit::may_start_session(&chat_plan(plan)?, &usage, now), &usage))
    })
}

/// Start of the monthly period containing `now`, for periods beginning at `periodStart`.
#[napi]
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; null for an invalid date.
#[napi]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}
