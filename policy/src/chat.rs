//! Chat-plan limits: may a user send one more message, or start one more
//! chat session? Pure functions over a [`ChatPlan`] and the caller's
//! [`ChatUsage`] counters; the caller passes the current time, the library
//! reads no clock. How monthly periods run is documented once, on
//! [`may_start_session`]; the date arithmetic lives in `calendar`.

use flamekit_core::named;
use serde::{Deserialize, Serialize};

use crate::calendar::{add_months, civil_from_days, format_utc, months_elapsed, DAY};

/// Which counter a plan limits per period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionsPeriod {
    /// `sessions_limit` caps all sessions ever started.
    #[default]
    Lifetime,
    /// `sessions_limit` caps the sessions of each monthly period.
    Monthly,
}

// `lifetime` or `monthly` (the serde names); a bad name is
// `invalid_argument` for `sessions_period`.
named!(
    SessionsPeriod,
    "sessions_period",
    [("lifetime", SessionsPeriod::Lifetime), ("monthly", SessionsPeriod::Monthly)]
);

/// A chat plan. `None` limits are unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatPlan {
    /// Most messages in one session.
    pub messages_per_session: Option<u32>,
    /// Most sessions per [`ChatPlan::sessions_period`].
    pub sessions_limit: Option<u32>,
    /// Lifetime or monthly session limit.
    pub sessions_period: SessionsPeriod,
}

/// A user's counters, as stored by the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatUsage {
    /// Messages already sent in the current session.
    pub session_messages: u32,
    /// Sessions started while on a plan with a lifetime session limit
    /// (Flamedeck's lifetime analyses count): the counter the
    /// [`ChatLimitType::LifetimeAnalyses`] limit checks. Also read from JSON
    /// as `lifetime_analyses`.
    #[serde(alias = "lifetime_analyses")]
    pub lifetime_sessions: u32,
    /// Sessions started in the monthly period beginning at `period_start`,
    /// while on a plan with a monthly session limit.
    pub monthly_sessions: u32,
    /// Start of the current monthly period, UTC unix seconds (see
    /// [`unix_seconds_from_date`](crate::unix_seconds_from_date) to build one from a date).
    pub period_start: i64,
    /// Optional billing anchor, UTC unix seconds: monthly periods start a
    /// whole number of calendar months after it (see the
    /// [`may_start_session`] documentation). `None`: periods follow on from
    /// `period_start`.
    pub period_anchor: Option<i64>,
}

/// A counter of [`ChatUsage`], and the limit it is checked against. The
/// names are the `limit_type` values of Flamedeck's chat-limits design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatLimitType {
    /// `session_messages`: [`ChatUsage::session_messages`] against
    /// [`ChatPlan::messages_per_session`].
    SessionMessages,
    /// `lifetime_analyses`: [`ChatUsage::lifetime_sessions`] against a
    /// lifetime [`ChatPlan::sessions_limit`].
    LifetimeAnalyses,
    /// `monthly_sessions`: [`ChatUsage::monthly_sessions`] against a monthly
    /// [`ChatPlan::sessions_limit`].
    MonthlySessions,
}

impl ChatLimitType {
    /// `session_messages`, `lifetime_analyses` or `monthly_sessions`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatLimitType::SessionMessages => "session_messages",
            ChatLimitType::LifetimeAnalyses => "lifetime_analyses",
            ChatLimitType::MonthlySessions => "monthly_sessions",
        }
    }
}

/// The `error_code` of a [`ChatLimitError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChatErrorCode {
    /// `limit_exceeded`: a plan limit was reached.
    LimitExceeded,
}

/// The error payload a chat backend sends when a verdict is a deny:
/// `{"error_code": "limit_exceeded", "limit_type": ..., "message": ...}`,
/// the shape of Flamedeck's chat-limits design. Built by [`ChatVerdict::error`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLimitError {
    /// Always [`ChatErrorCode::LimitExceeded`] for a verdict.
    pub error_code: ChatErrorCode,
    /// The limit that was reached.
    pub limit_type: ChatLimitType,
    /// Human-readable explanation (the deny's `reason`).
    pub message: String,
}

/// Outcome of [`may_send_message`] or [`may_start_session`]. Serializes with
/// a `"verdict": "allow" | "deny"` tag; a deny also carries the fields of the
/// [`ChatLimitError`] payload (`error_code`, `limit_type`, `message`):
///
/// ```
/// use flamekit_policy::{may_send_message, ChatPlan, ChatUsage};
///
/// let plan = ChatPlan { messages_per_session: Some(3), ..Default::default() };
/// let usage = ChatUsage { session_messages: 3, ..Default::default() };
/// let v = may_send_message(&plan, &usage);
/// assert!(v.to_json().starts_with(r#"{"verdict":"deny","error_code":"limit_exceeded","limit_type":"session_messages","message":"#));
/// let payload = serde_json::to_string(&v.error().unwrap()).unwrap();
/// assert!(payload.starts_with(r#"{"error_code":"limit_exceeded","limit_type":"session_messages","message":"#));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "wire::Verdict", from = "wire::Verdict")]
pub enum ChatVerdict {
    /// Go ahead; once the action happens, update the stored counters: first
    /// set the `reset` counters to 0, then add 1 to the `increment` counters,
    /// and store `period_start` ([`ChatVerdict::apply`] does exactly that).
    Allow {
        /// Counters to set to 0 first: `session_messages` for a new session,
        /// `monthly_sessions` when the monthly period rolled over.
        reset: Vec<ChatLimitType>,
        /// Counters to add 1 to.
        increment: Vec<ChatLimitType>,
        /// The monthly period start to store (unchanged unless it rolled over).
        period_start: i64,
    },
    /// Refused.
    Deny {
        /// The limit that was reached.
        limit_type: ChatLimitType,
        /// Human-readable explanation (`message` in JSON and in [`ChatLimitError`]).
        reason: String,
        /// The plan's limit.
        limit: u32,
        /// The counter's current value (`>= limit`).
        actual: u32,
        /// For monthly limits: when the next period starts (UTC unix seconds).
        resets_at: Option<i64>,
    },
}

impl ChatVerdict {
    /// True for [`ChatVerdict::Allow`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, ChatVerdict::Allow { .. })
    }

    /// The counters after the allowed action (unchanged when denied).
    /// Counters saturate at `u32::MAX`.
    pub fn apply(&self, usage: &ChatUsage) -> ChatUsage {
        let ChatVerdict::Allow { reset, increment, period_start } = self else { return *usage };
        let mut u = *usage;
        for &c in reset {
            *counter(&mut u, c) = 0;
        }
        for &c in increment {
            let v = counter(&mut u, c);
            *v = v.saturating_add(1);
        }
        u.period_start = *period_start;
        u
    }

    /// The error payload to send for a deny; `None` when allowed.
    pub fn error(&self) -> Option<ChatLimitError> {
        match self {
            ChatVerdict::Allow { .. } => None,
            ChatVerdict::Deny { limit_type, reason, .. } => Some(ChatLimitError {
                error_code: ChatErrorCode::LimitExceeded,
                limit_type: *limit_type,
                message: reason.clone(),
            }),
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"verdict\":\"deny\"}"))
    }
}

/// The JSON shape of [`ChatVerdict`].
mod wire {
    use serde::{Deserialize, Serialize};

    use super::{ChatErrorCode, ChatLimitType};

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "verdict", rename_all = "snake_case")]
    pub(super) enum Verdict {
        Allow {
            reset: Vec<ChatLimitType>,
            increment: Vec<ChatLimitType>,
            period_start: i64,
        },
        Deny {
            error_code: ChatErrorCode,
            limit_type: ChatLimitType,
            message: String,
            limit: u32,
            actual: u32,
            resets_at: Option<i64>,
        },
    }

    impl From<super::ChatVerdict> for Verdict {
        fn from(v: super::ChatVerdict) -> Self {
            match v {
                super::ChatVerdict::Allow { reset, increment, period_start } => {
                    Verdict::Allow { reset, increment, period_start }
                }
                super::ChatVerdict::Deny { limit_type, reason, limit, actual, resets_at } => Verdict::Deny {
                    error_code: ChatErrorCode::LimitExceeded,
                    limit_type,
                    message: reason,
                    limit,
                    actual,
                    resets_at,
                },
            }
        }
    }

    impl From<Verdict> for super::ChatVerdict {
        fn from(v: Verdict) -> Self {
            match v {
                Verdict::Allow { reset, increment, period_start } => {
                    super::ChatVerdict::Allow { reset, increment, period_start }
                }
                Verdict::Deny { limit_type, message, limit, actual, resets_at, .. } => {
                    super::ChatVerdict::Deny { limit_type, reason: message, limit, actual, resets_at }
                }
            }
        }
    }
}

fn counter(u: &mut ChatUsage, c: ChatLimitType) -> &mut u32 {
    match c {
        ChatLimitType::SessionMessages => &mut u.session_messages,
        ChatLimitType::LifetimeAnalyses => &mut u.lifetime_sessions,
        ChatLimitType::MonthlySessions => &mut u.monthly_sessions,
    }
}

/// May the user send one more message in the current session? Denied when
/// `session_messages >= messages_per_session`.
pub fn may_send_message(plan: &ChatPlan, usage: &ChatUsage) -> ChatVerdict {
    if let Some(limit) = plan.messages_per_session {
        if usage.session_messages >= limit {
            return ChatVerdict::Deny {
                limit_type: ChatLimitType::SessionMessages,
                reason: format!(
                    "this session has {} of {limit} messages; start a new session to continue",
                    usage.session_messages
                ),
                limit,
                actual: usage.session_messages,
                resets_at: None,
            };
        }
    }
    ChatVerdict::Allow {
        reset: Vec::new(),
        increment: vec![ChatLimitType::SessionMessages],
        period_start: usage.period_start,
    }
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
/// Denied when the plan's session counter for its period is at or over the
/// limit; a monthly counter whose period ended before `now` counts as 0
/// (see *Periods* below). When allowed, the new session starts with 0
/// messages and only the counter of the plan's own period goes up by 1:
/// `lifetime_analyses` ([`ChatUsage::lifetime_sessions`]) on a lifetime plan,
/// `monthly_sessions` on a monthly plan, as Flamedeck's chat limits count.
///
/// # Periods
///
/// `lifetime_sessions` never resets. `monthly_sessions`
/// counts the sessions of the monthly period that began at
/// [`ChatUsage::period_start`] (UTC unix seconds). A period lasts one calendar
/// month: the next one starts on the same day of the month at the same time
/// of day, or on the month's last day when that day does not exist. When
/// `now` is past the end of the stored period, the counter is treated as 0
/// and the verdict carries the start of the period `now` falls in: store it
/// as the new `period_start`.
///
/// Which day of the month periods start on:
/// - with [`ChatUsage::period_anchor`] set (e.g. the subscription date),
///   periods start every whole month after the anchor, each clamped on its
///   own: an anchor of January 31 gives Jan 31, Feb 29 (2024), Mar 31, Apr 30, ...;
/// - without it, each period starts one month after the previous one, so a
///   clamped day carries on: Jan 31 → Feb 29 → Mar 29 → ...
///
/// Either way the result is consistent: checking again at the same `now`
/// with the stored counters never rolls the period over a second time. The
/// period is tracked (and `monthly_sessions` reset when it rolls over) on
/// lifetime plans too, so a user who moves to a monthly plan starts from a
/// correct period.
pub fn may_start_session(plan: &ChatPlan, usage: &ChatUsage, now: i64) -> ChatVerdict {
    let (current, next) = current_period(usage, now);
    let rolled_over = current != usage.period_start;
    let monthly = if rolled_over { 0 } else { usage.monthly_sessions };
    if let Some(limit) = plan.sessions_limit {
        match plan.sessions_period {
            SessionsPeriod::Lifetime if usage.lifetime_sessions >= limit => {
                return ChatVerdict::Deny {
                    limit_type: ChatLimitType::LifetimeAnalyses,
                    reason: format!("{} of {limit} sessions used (lifetime limit)", usage.lifetime_sessions),
                    limit,
                    actual: usage.lifetime_sessions,
                    resets_at: None,
                };
            }
            SessionsPeriod::Monthly if monthly >= limit => {
                let resets_at = next;
                return ChatVerdict::Deny {
                    limit_type: ChatLimitType::MonthlySessions,
                    reason: format!(
                        "{monthly} of {limit} sessions used this month; the limit resets at {}",
                        format_utc(resets_at)
                    ),
                    limit,
                    actual: monthly,
                    resets_at: Some(resets_at),
                };
            }
            _ => {}
        }
    }
    let mut reset = vec![ChatLimitType::SessionMessages];
    if rolled_over {
        reset.push(ChatLimitType::MonthlySessions);
    }
    let counted = match plan.sessions_period {
        SessionsPeriod::Lifetime => ChatLimitType::LifetimeAnalyses,
        SessionsPeriod::Monthly => ChatLimitType::MonthlySessions,
    };
    ChatVerdict::Allow { reset, increment: vec![counted], period_start: current }
}

/// (start, end) of the monthly period that holds `now` for these counters:
/// the stored period while `now` is before its end, else a later one.
fn current_period(usage: &ChatUsage, now: i64) -> (i64, i64) {
    let stored = usage.period_start;
    match usage.period_anchor {
        Some(anchor) => {
            // The anchor boundaries around `now`, and the end of the stored
            // period: the first anchor boundary after `stored`.
            let k = months_elapsed(anchor, now);
            let (cur, next) = (add_months(anchor, k), add_months(anchor, k.saturating_add(1)));
            if cur > stored {
                (cur, next)
            } else {
                let end = add_months(anchor, months_elapsed(anchor, stored).saturating_add(1));
                (stored, end.max(stored))
            }
        }
        None => {
            // Month by month from the stored start. The day of the month
            // only ever goes down, and once it is 28 or less no month clamps
            // it again, so after at most a year of steps one jump is exact.
            let mut p = stored;
            for _ in 0..24 {
                let next = add_months(p, 1);
                if next > now || next == p {
                    return (p, next);
                }
                p = next;
                if civil_from_days((p as i128).div_euclid(DAY)).2 <= 28 {
                    break;
                }
            }
            let k = months_elapsed(p, now);
            let cur = add_months(p, k);
            (cur, add_months(cur, 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::unix_seconds_from_date;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> i64 {
        unix_seconds_from_date(y, m, d).unwrap()
    }

    const FREE: ChatPlan =
        ChatPlan { messages_per_session: Some(10), sessions_limit: Some(3), sessions_period: SessionsPeriod::Lifetime };
    const PRO: ChatPlan =
        ChatPlan { messages_per_session: Some(50), sessions_limit: Some(20), sessions_period: SessionsPeriod::Monthly };
    const UNLIMITED: ChatPlan =
        ChatPlan { messages_per_session: None, sessions_limit: None, sessions_period: SessionsPeriod::Monthly };

    fn usage(msgs: u32, life: u32, month: u32, start: i64) -> ChatUsage {
        ChatUsage {
            session_messages: msgs,
            lifetime_sessions: life,
            monthly_sessions: month,
            period_start: start,
            period_anchor: None,
        }
    }

    /// Period start stored after a session started at each of `times`.
    fn stored_starts(mut u: ChatUsage, times: &[i64]) -> Vec<i64> {
        times
            .iter()
            .map(|&t| {
                u = may_start_session(&PRO, &u, t).apply(&u);
                u.period_start
            })
            .collect()
    }

    #[test]
    fn anchored_and_chained_periods() {
        let jan31 = date(2024, 1, 31);
        let times = [date(2024, 2, 15), date(2024, 3, 1), date(2024, 3, 30), date(2024, 4, 2), date(2024, 5, 30)];
        // Without an anchor a clamped day carries on: Feb 29, Mar 29, Apr 29, May 29.
        assert_eq!(
            stored_starts(usage(0, 0, 0, jan31), &times),
            vec![jan31, date(2024, 2, 29), date(2024, 3, 29), date(2024, 3, 29), date(2024, 5, 29)]
        );
        // With the anchor, every period starts on the anchor's day when it exists.
        let anchored = ChatUsage { period_anchor: Some(jan31), ..usage(0, 0, 0, jan31) };
        assert_eq!(
            stored_starts(anchored, &times),
            vec![jan31, date(2024, 2, 29), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
        );
        // A chained jump of many months is the same as stepping month by month.
        let u = usage(0, 0, 5, jan31);
        let far = date(2031, 7, 30);
        let stepped = {
            let mut p = jan31;
            while add_months(p, 1) <= far {
                p = add_months(p, 1);
            }
            p
        };
        assert_eq!(current_period(&u, far).0, stepped);
        assert_eq!(stepped, date(2031, 7, 28));
        // The Deny of an anchored monthly plan says when the anchored period ends.
        let full = ChatUsage { monthly_sessions: 20, ..anchored };
        let ChatVerdict::Deny { resets_at, .. } = may_start_session(&PRO, &full, date(2024, 2, 10)) else {
            panic!("expected a deny")
        };
        assert_eq!(resets_at, Some(date(2024, 2, 29)));
    }

    fn denied_by(v: &ChatVerdict) -> Option<&'static str> {
        match v {
            ChatVerdict::Allow { .. } => None,
            ChatVerdict::Deny { limit_type, .. } => Some(limit_type.as_str()),
        }
    }

    #[test]
    fn limit_table() {
        let p0 = date(2024, 5, 10);
        let in_period = date(2024, 6, 9);
        let next_period = date(2024, 6, 10);
        // (plan, usage, now, message verdict, session verdict)
        type Row = (ChatPlan, ChatUsage, i64, Option<&'static str>, Option<&'static str>);
        let table: Vec<Row> = vec![
            // Null limits: never denied, whatever the counters.
            (UNLIMITED, usage(u32::MAX, u32::MAX, u32::MAX, p0), in_period, None, None),
            (ChatPlan::default(), usage(1000, 1000, 1000, p0), in_period, None, None),
            // Exact boundary: one below is allowed, at the limit is denied.
            (FREE, usage(9, 2, 0, p0), in_period, None, None),
            (FREE, usage(10, 3, 0, p0), in_period, Some("session_messages"), Some("lifetime_analyses")),
            (FREE, usage(11, 4, 0, p0), in_period, Some("session_messages"), Some("lifetime_analyses")),
            // Lifetime limits do not roll over.
            (FREE, usage(0, 3, 0, p0), date(2030, 1, 1), None, Some("lifetime_analyses")),
            (PRO, usage(49, 100, 19, p0), in_period, None, None),
            (PRO, usage(50, 100, 20, p0), in_period, Some("session_messages"), Some("monthly_sessions")),
            // Monthly rollover: the full counter of the old period no longer counts.
            (PRO, usage(0, 100, 20, p0), next_period - 1, None, Some("monthly_sessions")),
            (PRO, usage(0, 100, 20, p0), next_period, None, None),
            (PRO, usage(0, 100, 25, p0), date(2025, 1, 1), None, None),
            // Only a session limit, no message limit.
            (
                ChatPlan { messages_per_session: None, ..PRO },
                usage(10_000, 0, 20, p0),
                in_period,
                None,
                Some("monthly_sessions"),
            ),
            // Limit 0 denies everything.
            (
                ChatPlan { messages_per_session: Some(0), sessions_limit: Some(0), ..FREE },
                usage(0, 0, 0, p0),
                in_period,
                Some("session_messages"),
                Some("lifetime_analyses"),
            ),
        ];
        for (i, (plan, u, now, msg, sess)) in table.iter().enumerate() {
            assert_eq!(denied_by(&may_send_message(plan, u)), *msg, "row {i} message");
            assert_eq!(denied_by(&may_start_session(plan, u, *now)), *sess, "row {i} session");
        }
    }

    #[test]
    fn what_to_increment() {
        let p0 = date(2024, 5, 10);
        let u = usage(7, 4, 2, p0);
        let v = may_send_message(&PRO, &u);
        assert_eq!(
            v,
            ChatVerdict::Allow { reset: vec![], increment: vec![ChatLimitType::SessionMessages], period_start: p0 }
        );
        assert_eq!(v.apply(&u), usage(8, 4, 2, p0));

        let v = may_start_session(&PRO, &u, date(2024, 5, 20));
        assert_eq!(
            v,
            ChatVerdict::Allow {
                reset: vec![ChatLimitType::SessionMessages],
                increment: vec![ChatLimitType::MonthlySessions],
                period_start: p0,
            }
        );
        // A monthly plan counts only the monthly counter.
        assert_eq!(v.apply(&u), usage(0, 4, 3, p0));
        // A lifetime plan counts only the lifetime counter.
        let v = may_start_session(&FREE, &usage(7, 2, 2, p0), date(2024, 5, 20));
        assert_eq!(v.apply(&usage(7, 2, 2, p0)), usage(0, 3, 2, p0));

        // Rolled over twice (July 15 is in the period starting July 10).
        let v = may_start_session(&PRO, &u, date(2024, 7, 15));
        assert_eq!(v.apply(&u), usage(0, 4, 1, date(2024, 7, 10)));
        assert_eq!(
            v.to_json(),
            format!(
                r#"{{"verdict":"allow","reset":["session_messages","monthly_sessions"],"increment":["monthly_sessions"],"period_start":{}}}"#,
                date(2024, 7, 10)
            )
        );

        let full = usage(0, 4, 20, p0);
        match may_start_session(&PRO, &full, date(2024, 5, 20)) {
            ChatVerdict::Deny { limit_type, limit, actual, resets_at, reason } => {
                assert_eq!(limit_type, ChatLimitType::MonthlySessions);
                assert_eq!((limit, actual, resets_at), (20, 20, Some(date(2024, 6, 10))));
                assert_eq!(reason, "20 of 20 sessions used this month; the limit resets at 2024-06-10 00:00:00 UTC");
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(may_start_session(&PRO, &full, date(2024, 5, 20)).apply(&full), full);
    }

    #[test]
    fn period_names() {
        for p in [SessionsPeriod::Lifetime, SessionsPeriod::Monthly] {
            assert_eq!(p.to_string().parse::<SessionsPeriod>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        let e = "weekly".parse::<SessionsPeriod>().unwrap_err();
        assert_eq!(e.to_string(), r#"invalid argument `sessions_period`: "weekly" is not one of: lifetime, monthly"#);
    }

    #[test]
    fn deny_payload() {
        let v = may_start_session(&FREE, &usage(0, 3, 0, 0), 0);
        let payload = v.error().unwrap();
        assert_eq!(payload.limit_type, ChatLimitType::LifetimeAnalyses);
        assert_eq!(
            serde_json::to_string(&payload).unwrap(),
            r#"{"error_code":"limit_exceeded","limit_type":"lifetime_analyses","message":"3 of 3 sessions used (lifetime limit)"}"#
        );
        assert_eq!(
            v.to_json(),
            r#"{"verdict":"deny","error_code":"limit_exceeded","limit_type":"lifetime_analyses","message":"3 of 3 sessions used (lifetime limit)","limit":3,"actual":3,"resets_at":null}"#
        );
        // The JSON reads back as the same verdict.
        assert_eq!(serde_json::from_str::<ChatVerdict>(&v.to_json()).unwrap(), v);
        let allow = may_send_message(&FREE, &usage(0, 0, 0, 0));
        assert_eq!(allow.error(), None);
        assert_eq!(serde_json::from_str::<ChatVerdict>(&allow.to_json()).unwrap(), allow);
        // Stored counters written under the limit name read back.
        let u: ChatUsage = serde_json::from_str(r#"{"lifetime_analyses":2}"#).unwrap();
        assert_eq!(u.lifetime_sessions, 2);
    }

    fn plan_strategy() -> impl Strategy<Value = ChatPlan> {
        (
            proptest::option::of(0u32..20),
            proptest::option::of(0u32..20),
            prop_oneof![Just(SessionsPeriod::Lifetime), Just(SessionsPeriod::Monthly)],
        )
            .prop_map(|(m, s, p)| ChatPlan { messages_per_session: m, sessions_limit: s, sessions_period: p })
    }

    proptest! {
        /// A verdict never allows when the counter it checks is at or above
        /// its limit (a monthly counter only counts inside its own period),
        /// and never denies when every checked counter is below its limit.
        #[test]
        fn never_allows_over_limit(
            plan in plan_strategy(),
            msgs in 0u32..40, life in 0u32..40, month in 0u32..40,
            base in -4_000_000_000i64..4_000_000_000,
            anchored in any::<bool>(),
            anchor_months in 0i64..30,
            delta in -100_000_000i64..200_000_000,
        ) {
            // With an anchor, the stored start is one of the anchor's period starts.
            let (start, anchor) = if anchored { (add_months(base, anchor_months), Some(base)) } else { (base, None) };
            let u = ChatUsage { period_anchor: anchor, ..usage(msgs, life, month, start) };
            let now = start + delta;
            let period_end = match anchor {
                Some(a) => add_months(a, anchor_months + 1),
                None => add_months(start, 1),
            };
            let m = may_send_message(&plan, &u);
            let over_msgs = plan.messages_per_session.is_some_and(|l| msgs >= l);
            prop_assert_eq!(m.is_allowed(), !over_msgs);
            if m.is_allowed() {
                let after = m.apply(&u);
                prop_assert!(plan.messages_per_session.is_none_or(|l| after.session_messages <= l));
            }

            let s = may_start_session(&plan, &u, now);
            let same_period = now < period_end;
            let over_sessions = match (plan.sessions_limit, plan.sessions_period) {
                (Some(l), SessionsPeriod::Lifetime) => life >= l,
                (Some(l), SessionsPeriod::Monthly) => (if same_period { month } else { 0 }) >= l,
                (None, _) => false,
            };
            prop_assert_eq!(s.is_allowed(), !over_sessions);
            if let ChatVerdict::Deny { limit, actual, .. } = &s {
                prop_assert!(actual >= limit);
            } else {
                let after = s.apply(&u);
                prop_assert_eq!(after.session_messages, 0);
                // Only the counter of the plan's own period goes up.
                let lifetime_plan = plan.sessions_period == SessionsPeriod::Lifetime;
                let month_before = if same_period || now < start { month } else { 0 };
                prop_assert_eq!(after.lifetime_sessions, life + u32::from(lifetime_plan));
                prop_assert_eq!(after.monthly_sessions, month_before + u32::from(!lifetime_plan));
                if let Some(l) = plan.sessions_limit {
                    match plan.sessions_period {
                        SessionsPeriod::Lifetime => prop_assert!(after.lifetime_sessions <= l),
                        SessionsPeriod::Monthly => prop_assert!(after.monthly_sessions <= l),
                    }
                }
                // The stored period contains `now` (or is the stored one, on clock skew)...
                prop_assert!(after.period_start <= now.max(start));
                // ...and asking again at the same instant does not roll it over again.
                let monthly_plan = ChatPlan { sessions_period: SessionsPeriod::Monthly, ..ChatPlan::default() };
                let again = may_start_session(&monthly_plan, &after, now);
                prop_assert_eq!(again.apply(&after).period_start, after.period_start);
                prop_assert_eq!(again.apply(&after).monthly_sessions, after.monthly_sessions.saturating_add(1));
            }
        }

    }
}
