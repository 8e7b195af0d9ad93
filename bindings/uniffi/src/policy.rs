//! Analysis results and limit checks as UniFFI records: `FunctionStat`,
//! upload verdicts, SVG validation and chat-plan limits. Conversion only;
//! the rules live in `flamekit-core`.

use flamekit::{
    ChatLimitType, ChatPlan as RsChatPlan, ChatUsage as RsChatUsage, ChatVerdict as RsChatVerdict,
    SessionsPeriod as RsSessionsPeriod, SvgPolicy as RsSvgPolicy, UploadInfo as RsUploadInfo,
    UploadPolicy as RsUploadPolicy, Verdict as RsVerdict,
};

use crate::{run, FlamekitError};

/// Which weight ranks `top_functions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SortBy {
    /// Self weight: time with the function innermost.
    SelfWeight,
    /// Total weight: time with the function anywhere on the stack.
    TotalWeight,
}

impl From<SortBy> for flamekit::SortBy {
    fn from(s: SortBy) -> Self {
        match s {
            SortBy::SelfWeight => flamekit::SortBy::Self_,
            SortBy::TotalWeight => flamekit::SortBy::Total,
        }
    }
}

/// One row of `ProfileGroup::top_functions`.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
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
    /// `self_weight` as a percentage of the profile's non-idle total.
    pub self_percent: f64,
    /// `total_weight` as a percentage of the profile's non-idle total.
    pub total_percent: f64,
    /// `self_weight` formatted in the profile's unit.
    pub self_display: String,
    /// `total_weight` formatted in the profile's unit.
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

/// Rules for SVG uploads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SvgPolicy {
    /// Largest accepted SVG in bytes.
    pub max_bytes: u64,
    /// Most XML nodes.
    pub max_nodes: u32,
}

impl From<SvgPolicy> for RsSvgPolicy {
    fn from(p: SvgPolicy) -> Self {
        RsSvgPolicy { max_bytes: p.max_bytes, max_nodes: p.max_nodes }
    }
}

impl From<RsSvgPolicy> for SvgPolicy {
    fn from(p: RsSvgPolicy) -> Self {
        SvgPolicy { max_bytes: p.max_bytes, max_nodes: p.max_nodes }
    }
}

/// What an upload endpoint accepts (see `default_upload_policy()`); empty lists accept anything.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct UploadPolicy {
    /// Largest accepted file in bytes; None: no limit.
    pub max_bytes: Option<u64>,
    /// Accepted content types (case-insensitive, parameters ignored).
    pub allowed_content_types: Vec<String>,
    /// Accepted file-name endings (`.json`, `.json.gz`, ...).
    pub allowed_extensions: Vec<String>,
    /// Longest accepted profile duration in ms; None: no limit.
    pub max_duration_ms: Option<u64>,
    /// Rules for SVG uploads.
    pub svg: SvgPolicy,
}

impl From<UploadPolicy> for RsUploadPolicy {
    fn from(p: UploadPolicy) -> Self {
        RsUploadPolicy {
            max_bytes: p.max_bytes,
            allowed_content_types: p.allowed_content_types,
            allowed_extensions: p.allowed_extensions,
            max_duration_ms: p.max_duration_ms,
            svg: p.svg.into(),
        }
    }
}

/// The library's default upload policy.
#[uniffi::export]
pub fn default_upload_policy() -> UploadPolicy {
    let d = RsUploadPolicy::default();
    UploadPolicy {
        max_bytes: d.max_bytes,
        allowed_content_types: d.allowed_content_types,
        allowed_extensions: d.allowed_extensions,
        max_duration_ms: d.max_duration_ms,
        svg: d.svg.into(),
    }
}

/// What is known about an upload.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct UploadInfo {
    /// Size in bytes (ignored by `check_upload_bytes`, which measures the data).
    #[uniffi(default = 0)]
    pub size_bytes: u64,
    /// Declared content type.
    #[uniffi(default = None)]
    pub content_type: Option<String>,
    /// Client-side file name.
    #[uniffi(default = None)]
    pub file_name: Option<String>,
    /// Profile duration in ms, once imported.
    #[uniffi(default = None)]
    pub duration_ms: Option<f64>,
}

impl From<UploadInfo> for RsUploadInfo {
    fn from(i: UploadInfo) -> Self {
        RsUploadInfo {
            size_bytes: i.size_bytes,
            content_type: i.content_type,
            file_name: i.file_name,
            duration_ms: i.duration_ms,
        }
    }
}

/// Outcome of an upload or SVG check.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Verdict {
    /// True when accepted.
    pub allowed: bool,
    /// Stable deny code (`file_too_large`, `svg_script`, ...), None when allowed.
    pub code: Option<String>,
    /// Human-readable reason, None when allowed.
    pub reason: Option<String>,
    /// The limit that was crossed, when the rule has one.
    pub limit: Option<u64>,
    /// The value that crossed it, when known.
    pub actual: Option<u64>,
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
                limit,
                actual,
                json,
            },
            _ => Verdict { allowed: true, code: None, reason: None, limit: None, actual: None, json },
        }
    }
}

/// Check an upload's metadata against a policy (None: the default policy).
#[uniffi::export(default(policy = None))]
pub fn check_upload(info: UploadInfo, policy: Option<UploadPolicy>) -> Result<Verdict, FlamekitError> {
    let policy: RsUploadPolicy = policy.map(Into::into).unwrap_or_default();
    run(|| Ok(flamekit::check_upload(&policy, &info.into()).into()))
}

/// `check_upload` with the bytes at hand: the size is the data's length, and
/// an SVG upload (by content type or `.svg` name) must also pass `validate_svg`.
#[uniffi::export(default(policy = None))]
pub fn check_upload_bytes(
    data: Vec<u8>,
    info: UploadInfo,
    policy: Option<UploadPolicy>,
) -> Result<Verdict, FlamekitError> {
    let policy: RsUploadPolicy = policy.map(Into::into).unwrap_or_default();
    run(|| Ok(flamekit::check_upload_bytes(&policy, &info.into(), &data).into()))
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[uniffi::export(default(policy = None))]
pub fn validate_svg(data: Vec<u8>, policy: Option<SvgPolicy>) -> Result<Verdict, FlamekitError> {
    let policy: RsSvgPolicy = policy.map(Into::into).unwrap_or_default();
    run(|| Ok(flamekit::validate_svg(&data, &policy).into()))
}

/// Which counter a chat plan limits per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SessionsPeriod {
    /// The limit caps all sessions ever started.
    Lifetime,
    /// The limit caps the sessions of each monthly period.
    Monthly,
}

/// A chat plan; None limits are unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChatPlan {
    /// Most messages in one session.
    #[uniffi(default = None)]
    pub messages_per_session: Option<u32>,
    /// Most sessions per `sessions_period`.
    #[uniffi(default = None)]
    pub sessions_limit: Option<u32>,
    /// Lifetime or monthly session limit.
    pub sessions_period: SessionsPeriod,
}

impl From<ChatPlan> for RsChatPlan {
    fn from(p: ChatPlan) -> Self {
        RsChatPlan {
            messages_per_session: p.messages_per_session,
            sessions_limit: p.sessions_limit,
            sessions_period: match p.sessions_period {
                SessionsPeriod::Lifetime => RsSessionsPeriod::Lifetime,
                SessionsPeriod::Monthly => RsSessionsPeriod::Monthly,
            },
        }
    }
}

/// A user's chat counters, as the caller stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChatUsage {
    /// Messages already sent in the current session.
    #[uniffi(default = 0)]
    pub session_messages: u32,
    /// Sessions ever started.
    #[uniffi(default = 0)]
    pub lifetime_sessions: u32,
    /// Sessions started in the monthly period beginning at `period_start`.
    #[uniffi(default = 0)]
    pub monthly_sessions: u32,
    /// Start of the current monthly period, UTC unix seconds.
    #[uniffi(default = 0)]
    pub period_start: i64,
    /// Optional billing anchor, UTC unix seconds.
    #[uniffi(default = None)]
    pub period_anchor: Option<i64>,
}

impl From<ChatUsage> for RsChatUsage {
    fn from(u: ChatUsage) -> Self {
        RsChatUsage {
            session_messages: u.session_messages,
            lifetime_sessions: u.lifetime_sessions,
            monthly_sessions: u.monthly_sessions,
            period_start: u.period_start,
            period_anchor: u.period_anchor,
        }
    }
}

impl From<RsChatUsage> for ChatUsage {
    fn from(u: RsChatUsage) -> Self {
        ChatUsage {
            session_messages: u.session_messages,
            lifetime_sessions: u.lifetime_sessions,
            monthly_sessions: u.monthly_sessions,
            period_start: u.period_start,
            period_anchor: u.period_anchor,
        }
    }
}

/// Outcome of `check_chat_limits` / `check_chat_session`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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
    let usage_after = v.apply(usage).into();
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
#[uniffi::export]
pub fn check_chat_limits(plan: ChatPlan, usage: ChatUsage) -> Result<ChatVerdict, FlamekitError> {
    let usage: RsChatUsage = usage.into();
    run(|| Ok(chat_verdict(flamekit::may_send_message(&plan.into(), &usage), &usage)))
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[uniffi::export]
pub fn check_chat_session(plan: ChatPlan, usage: ChatUsage, now: i64) -> Result<ChatVerdict, FlamekitError> {
    let usage: RsChatUsage = usage.into();
    run(|| Ok(chat_verdict(flamekit::may_start_session(&plan.into(), &usage, now), &usage)))
}

/// Start of the monthly period containing `now`, for periods beginning at `period_start`.
#[uniffi::export]
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; None for an invalid date.
#[uniffi::export]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}
