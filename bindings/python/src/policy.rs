//! Analysis results and limit checks: `FunctionStat`, upload verdicts,
//! SVG validation and chat-plan limits. Conversion only; the rules live in
//! `flamekit-core`.

use flamekit::{
    ChatLimitType, ChatPlan as RsChatPlan, ChatUsage as RsChatUsage, ChatVerdict as RsChatVerdict, Error,
    SessionsPeriod, SvgPolicy as RsSvgPolicy, UploadInfo, UploadPolicy as RsUploadPolicy, Verdict as RsVerdict,
};
use pyo3::prelude::*;

use crate::{run, to_py_err};

/// One row of `ProfileGroup.top_functions`.
#[pyclass(module = "flamekit", frozen, get_all, skip_from_py_object)]
#[derive(Clone)]
pub struct FunctionStat {
    /// 0-based rank over all rows (offset included).
    rank: usize,
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

impl From<flamekit::FunctionStat> for FunctionStat {
    fn from(s: flamekit::FunctionStat) -> Self {
        FunctionStat {
            rank: s.rank,
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

#[pymethods]
impl FunctionStat {
    fn __repr__(&self) -> String {
        format!(
            "FunctionStat(rank={}, name={:?}, self_weight={}, total_weight={})",
            self.rank, self.name, self.self_weight, self.total_weight
        )
    }
}

/// Rules for SVG uploads (`validate_svg`, `check_upload_bytes`).
#[pyclass(module = "flamekit", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct SvgPolicy {
    /// Largest accepted SVG in bytes.
    #[pyo3(get, set)]
    max_bytes: u64,
    /// Most XML nodes.
    #[pyo3(get, set)]
    max_nodes: u32,
}

impl From<&SvgPolicy> for RsSvgPolicy {
    fn from(p: &SvgPolicy) -> Self {
        RsSvgPolicy { max_bytes: p.max_bytes, max_nodes: p.max_nodes }
    }
}

#[pymethods]
impl SvgPolicy {
    #[new]
    #[pyo3(signature = (*, max_bytes=None, max_nodes=None))]
    fn new(max_bytes: Option<u64>, max_nodes: Option<u32>) -> Self {
        let d = RsSvgPolicy::default();
        SvgPolicy { max_bytes: max_bytes.unwrap_or(d.max_bytes), max_nodes: max_nodes.unwrap_or(d.max_nodes) }
    }
    fn __repr__(&self) -> String {
        format!("SvgPolicy(max_bytes={}, max_nodes={})", self.max_bytes, self.max_nodes)
    }
}

/// What an upload endpoint accepts (see the Rust `UploadPolicy`). Omitted
/// arguments keep the library defaults; empty allowlists accept anything.
#[pyclass(module = "flamekit", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct UploadPolicy {
    /// Largest accepted file in bytes; None: no limit.
    #[pyo3(get, set)]
    max_bytes: Option<u64>,
    /// Accepted content types (case-insensitive, parameters ignored).
    #[pyo3(get, set)]
    allowed_content_types: Vec<String>,
    /// Accepted file-name endings (`.json`, `.json.gz`, ...).
    #[pyo3(get, set)]
    allowed_extensions: Vec<String>,
    /// Longest accepted profile duration in ms; None: no limit.
    #[pyo3(get, set)]
    max_duration_ms: Option<u64>,
    /// Rules for SVG uploads.
    #[pyo3(get, set)]
    svg: SvgPolicy,
}

impl From<&UploadPolicy> for RsUploadPolicy {
    fn from(p: &UploadPolicy) -> Self {
        RsUploadPolicy {
            max_bytes: p.max_bytes,
            allowed_content_types: p.allowed_content_types.clone(),
            allowed_extensions: p.allowed_extensions.clone(),
            max_duration_ms: p.max_duration_ms,
            svg: (&p.svg).into(),
        }
    }
}

#[pymethods]
impl UploadPolicy {
    #[new]
    // `max_bytes` omitted: the library default; `max_bytes=None`: no limit.
    #[pyo3(signature = (*, max_bytes=RsUploadPolicy::default().max_bytes, allowed_content_types=None, allowed_extensions=None, max_duration_ms=None, svg=None))]
    fn new(
        max_bytes: Option<u64>,
        allowed_content_types: Option<Vec<String>>,
        allowed_extensions: Option<Vec<String>>,
        max_duration_ms: Option<u64>,
        svg: Option<SvgPolicy>,
    ) -> Self {
        let d = RsUploadPolicy::default();
        UploadPolicy {
            max_bytes,
            allowed_content_types: allowed_content_types.unwrap_or(d.allowed_content_types),
            allowed_extensions: allowed_extensions.unwrap_or(d.allowed_extensions),
            max_duration_ms: max_duration_ms.or(d.max_duration_ms),
            svg: svg.unwrap_or(SvgPolicy { max_bytes: d.svg.max_bytes, max_nodes: d.svg.max_nodes }),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "UploadPolicy(max_bytes={:?}, allowed_content_types={:?}, allowed_extensions={:?}, max_duration_ms={:?})",
            self.max_bytes, self.allowed_content_types, self.allowed_extensions, self.max_duration_ms
        )
    }
}

/// Outcome of an upload or SVG check. Truthy when allowed.
#[pyclass(module = "flamekit", frozen, skip_from_py_object)]
pub struct Verdict {
    verdict: RsVerdict,
}

#[pymethods]
impl Verdict {
    /// True when the upload is accepted.
    #[getter]
    fn allowed(&self) -> bool {
        self.verdict.is_allowed()
    }
    /// Stable deny code (`file_too_large`, `svg_script`, ...), None when allowed.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.verdict.code().map(|c| c.as_str())
    }
    /// Human-readable reason, None when allowed.
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.verdict {
            RsVerdict::Deny { reason, .. } => Some(reason),
            _ => None,
        }
    }
    /// The limit that was crossed, when the rule has one.
    #[getter]
    fn limit(&self) -> Option<u64> {
        match &self.verdict {
            RsVerdict::Deny { limit, .. } => *limit,
            _ => None,
        }
    }
    /// The value that crossed it, when known.
    #[getter]
    fn actual(&self) -> Option<u64> {
        match &self.verdict {
            RsVerdict::Deny { actual, .. } => *actual,
            _ => None,
        }
    }
    /// The verdict as compact JSON, e.g. `{"verdict":"allow"}`.
    fn to_json(&self) -> String {
        self.verdict.to_json()
    }
    fn __bool__(&self) -> bool {
        self.verdict.is_allowed()
    }
    fn __repr__(&self) -> String {
        format!("Verdict({})", self.verdict.to_json())
    }
}

fn info(
    size_bytes: u64,
    content_type: Option<String>,
    file_name: Option<String>,
    duration_ms: Option<f64>,
) -> UploadInfo {
    UploadInfo { size_bytes, content_type, file_name, duration_ms }
}

fn policy(p: Option<UploadPolicy>) -> RsUploadPolicy {
    p.as_ref().map(RsUploadPolicy::from).unwrap_or_default()
}

/// Check an upload's metadata against a policy (default: `UploadPolicy()`).
#[pyfunction]
#[pyo3(signature = (size_bytes, content_type=None, file_name=None, duration_ms=None, policy=None))]
pub fn check_upload(
    py: Python<'_>,
    size_bytes: u64,
    content_type: Option<String>,
    file_name: Option<String>,
    duration_ms: Option<f64>,
    policy: Option<UploadPolicy>,
) -> PyResult<Verdict> {
    let (policy, info) = (self::policy(policy), info(size_bytes, content_type, file_name, duration_ms));
    run(py, || Ok(Verdict { verdict: flamekit::check_upload(&policy, &info) }))
}

/// `check_upload` with the bytes at hand: the size is `len(data)`, and an SVG
/// upload (by content type or `.svg` name) must also pass `validate_svg`.
#[pyfunction]
#[pyo3(signature = (data, content_type=None, file_name=None, duration_ms=None, policy=None))]
pub fn check_upload_bytes(
    py: Python<'_>,
    data: &[u8],
    content_type: Option<String>,
    file_name: Option<String>,
    duration_ms: Option<f64>,
    policy: Option<UploadPolicy>,
) -> PyResult<Verdict> {
    let (policy, info) = (self::policy(policy), info(data.len() as u64, content_type, file_name, duration_ms));
    run(py, || Ok(Verdict { verdict: flamekit::check_upload_bytes(&policy, &info, data) }))
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[pyfunction]
#[pyo3(signature = (data, policy=None))]
pub fn validate_svg(py: Python<'_>, data: &[u8], policy: Option<SvgPolicy>) -> PyResult<Verdict> {
    let policy = policy.as_ref().map(RsSvgPolicy::from).unwrap_or_default();
    run(py, || Ok(Verdict { verdict: flamekit::validate_svg(data, &policy) }))
}

/// A chat plan; None limits are unlimited.
#[pyclass(module = "flamekit", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct ChatPlan {
    /// Most messages in one session.
    #[pyo3(get, set)]
    messages_per_session: Option<u32>,
    /// Most sessions per `sessions_period`.
    #[pyo3(get, set)]
    sessions_limit: Option<u32>,
    /// `lifetime` or `monthly`.
    #[pyo3(get)]
    sessions_period: String,
}

fn period(name: &str) -> Result<SessionsPeriod, Error> {
    match name {
        "lifetime" => Ok(SessionsPeriod::Lifetime),
        "monthly" => Ok(SessionsPeriod::Monthly),
        _ => Err(Error::argument("sessions_period", format!("{name:?} is not one of: lifetime, monthly"))),
    }
}

impl ChatPlan {
    fn to_rs(&self) -> Result<RsChatPlan, Error> {
        Ok(RsChatPlan {
            messages_per_session: self.messages_per_session,
            sessions_limit: self.sessions_limit,
            sessions_period: period(&self.sessions_period)?,
        })
    }
}

#[pymethods]
impl ChatPlan {
    #[new]
    #[pyo3(signature = (*, messages_per_session=None, sessions_limit=None, sessions_period="lifetime"))]
    fn new(
        py: Python<'_>,
        messages_per_session: Option<u32>,
        sessions_limit: Option<u32>,
        sessions_period: &str,
    ) -> PyResult<Self> {
        period(sessions_period).map_err(|e| to_py_err(py, e))?;
        Ok(ChatPlan { messages_per_session, sessions_limit, sessions_period: sessions_period.to_owned() })
    }
    #[setter]
    fn set_sessions_period(&mut self, py: Python<'_>, value: &str) -> PyResult<()> {
        period(value).map_err(|e| to_py_err(py, e))?;
        self.sessions_period = value.to_owned();
        Ok(())
    }
    fn __repr__(&self) -> String {
        format!(
            "ChatPlan(messages_per_session={:?}, sessions_limit={:?}, sessions_period={:?})",
            self.messages_per_session, self.sessions_limit, self.sessions_period
        )
    }
}

/// A user's chat counters, as the caller stores them.
#[pyclass(module = "flamekit", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct ChatUsage {
    /// Messages already sent in the current session.
    #[pyo3(get, set)]
    session_messages: u32,
    /// Sessions ever started.
    #[pyo3(get, set)]
    lifetime_sessions: u32,
    /// Sessions started in the monthly period beginning at `period_start`.
    #[pyo3(get, set)]
    monthly_sessions: u32,
    /// Start of the current monthly period, UTC unix seconds.
    #[pyo3(get, set)]
    period_start: i64,
    /// Optional billing anchor, UTC unix seconds.
    #[pyo3(get, set)]
    period_anchor: Option<i64>,
}

impl From<&ChatUsage> for RsChatUsage {
    fn from(u: &ChatUsage) -> Self {
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

#[pymethods]
impl ChatUsage {
    #[new]
    #[pyo3(signature = (*, session_messages=0, lifetime_sessions=0, monthly_sessions=0, period_start=0, period_anchor=None))]
    fn new(
        session_messages: u32,
        lifetime_sessions: u32,
        monthly_sessions: u32,
        period_start: i64,
        period_anchor: Option<i64>,
    ) -> Self {
        ChatUsage { session_messages, lifetime_sessions, monthly_sessions, period_start, period_anchor }
    }
    fn __repr__(&self) -> String {
        format!(
            "ChatUsage(session_messages={}, lifetime_sessions={}, monthly_sessions={}, period_start={}, period_anchor={:?})",
            self.session_messages, self.lifetime_sessions, self.monthly_sessions, self.period_start, self.period_anchor
        )
    }
}

/// Outcome of `check_chat_limits` / `check_chat_session`. Truthy when allowed.
#[pyclass(module = "flamekit", frozen, skip_from_py_object)]
pub struct ChatVerdict {
    verdict: RsChatVerdict,
    usage: RsChatUsage,
}

fn names(v: &[ChatLimitType]) -> Vec<&'static str> {
    v.iter().map(|c| c.as_str()).collect()
}

#[pymethods]
impl ChatVerdict {
    /// True when the action may go ahead.
    #[getter]
    fn allowed(&self) -> bool {
        self.verdict.is_allowed()
    }
    /// Allowed: counters to set to 0 first.
    #[getter]
    fn reset(&self) -> Vec<&'static str> {
        match &self.verdict {
            RsChatVerdict::Allow { reset, .. } => names(reset),
            _ => Vec::new(),
        }
    }
    /// Allowed: counters to add 1 to.
    #[getter]
    fn increment(&self) -> Vec<&'static str> {
        match &self.verdict {
            RsChatVerdict::Allow { increment, .. } => names(increment),
            _ => Vec::new(),
        }
    }
    /// Allowed: the monthly period start to store.
    #[getter]
    fn period_start(&self) -> Option<i64> {
        match &self.verdict {
            RsChatVerdict::Allow { period_start, .. } => Some(*period_start),
            _ => None,
        }
    }
    /// Denied: `session_messages`, `lifetime_sessions` or `monthly_sessions`.
    #[getter]
    fn limit_type(&self) -> Option<&'static str> {
        match &self.verdict {
            RsChatVerdict::Deny { limit_type, .. } => Some(limit_type.as_str()),
            _ => None,
        }
    }
    /// Denied: human-readable reason.
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.verdict {
            RsChatVerdict::Deny { reason, .. } => Some(reason),
            _ => None,
        }
    }
    /// Denied: the plan's limit.
    #[getter]
    fn limit(&self) -> Option<u32> {
        match &self.verdict {
            RsChatVerdict::Deny { limit, .. } => Some(*limit),
            _ => None,
        }
    }
    /// Denied: the counter's current value.
    #[getter]
    fn actual(&self) -> Option<u32> {
        match &self.verdict {
            RsChatVerdict::Deny { actual, .. } => Some(*actual),
            _ => None,
        }
    }
    /// Denied by a monthly limit: when the next period starts (UTC unix seconds).
    #[getter]
    fn resets_at(&self) -> Option<i64> {
        match &self.verdict {
            RsChatVerdict::Deny { resets_at, .. } => *resets_at,
            _ => None,
        }
    }
    /// The counters to store once the allowed action happened (the checked counters when denied).
    #[getter]
    fn usage_after(&self) -> ChatUsage {
        self.verdict.apply(&self.usage).into()
    }
    /// Apply this verdict to other stored counters.
    fn apply(&self, usage: &ChatUsage) -> ChatUsage {
        self.verdict.apply(&usage.into()).into()
    }
    /// The verdict as compact JSON.
    fn to_json(&self) -> String {
        self.verdict.to_json()
    }
    fn __bool__(&self) -> bool {
        self.verdict.is_allowed()
    }
    fn __repr__(&self) -> String {
        format!("ChatVerdict({})", self.verdict.to_json())
    }
}

/// May the user send one more message in the current session?
#[pyfunction]
pub fn check_chat_limits(py: Python<'_>, plan: &ChatPlan, usage: &ChatUsage) -> PyResult<ChatVerdict> {
    let usage: RsChatUsage = usage.into();
    run(py, || Ok(ChatVerdict { verdict: flamekit::may_send_message(&plan.to_rs()?, &usage), usage }))
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[pyfunction]
pub fn check_chat_session(py: Python<'_>, plan: &ChatPlan, usage: &ChatUsage, now: i64) -> PyResult<ChatVerdict> {
    let usage: RsChatUsage = usage.into();
    run(py, || Ok(ChatVerdict { verdict: flamekit::may_start_session(&plan.to_rs()?, &usage, now), usage }))
}

/// Start of the monthly period containing `now`, for periods beginning at `period_start`.
#[pyfunction]
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; None for an invalid date.
#[pyfunction]
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}
