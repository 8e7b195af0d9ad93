//! Calendar arithmetic for monthly periods: proleptic Gregorian dates and
//! UTC unix seconds, exact for every `i64` instant (no clock, no time zones,
//! no leap seconds). Used by the chat-plan checks; public for callers that
//! store period starts.

/// Start of the monthly period that contains `now`, for periods beginning at
/// `period_start` and every whole calendar month after it (day clamped to the
/// month's length, time of day kept). `now` before `period_start` gives
/// `period_start`. Exact for any `i64` inputs (results saturate at the `i64` range).
///
/// ```
/// use flamekit_policy::{monthly_period_start, unix_seconds_from_date};
/// let jan31 = unix_seconds_from_date(2024, 1, 31).unwrap();
/// let mar5 = unix_seconds_from_date(2024, 3, 5).unwrap();
/// // Periods: Jan 31, Feb 29 (2024 is a leap year), Mar 31, ...
/// assert_eq!(monthly_period_start(jan31, mar5), unix_seconds_from_date(2024, 2, 29).unwrap());
/// ```
pub fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    add_months(period_start, months_elapsed(period_start, now))
}

/// Whole periods elapsed from `period_start` to `now` (0 when `now` is earlier).
pub(crate) fn months_elapsed(period_start: i64, now: i64) -> i64 {
    if now <= period_start {
        return 0;
    }
    let (y1, m1, _) = civil_from_days((period_start as i128).div_euclid(DAY));
    let (y2, m2, _) = civil_from_days((now as i128).div_euclid(DAY));
    let mut k = (y2 * 12 + m2 as i128) - (y1 * 12 + m1 as i128);
    if k > 0 && (add_months_wide(period_start, k) > now as i128) {
        k -= 1;
    }
    k.clamp(0, i64::MAX as i128) as i64
}

/// UTC unix seconds at midnight of `year-month-day`; `None` for an invalid date.
pub fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year as i128, month) {
        return None;
    }
    Some((days_from_civil(year as i128, month, day) * DAY) as i64)
}

pub(crate) const DAY: i128 = 86_400;

/// `t` plus `months` calendar months (day clamped, time of day kept), saturating.
pub(crate) fn add_months(t: i64, months: i64) -> i64 {
    add_months_wide(t, months as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

fn add_months_wide(t: i64, months: i128) -> i128 {
    let t = t as i128;
    let (days, secs) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + (m as i128 - 1) + months;
    let (y2, m2) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let d2 = d.min(days_in_month(y2, m2));
    days_from_civil(y2, m2, d2) * DAY + secs
}

fn is_leap(y: i128) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

fn days_in_month(y: i128, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i128, m: u32, d: u32) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i128 + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d as i128 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month 1–12, day 1–31).
pub(crate) fn civil_from_days(z: i128) -> (i128, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format_utc(t: i64) -> String {
    let t = t as i128;
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> i64 {
        unix_seconds_from_date(y, m, d).unwrap()
    }

    #[test]
    fn calendar_is_exact() {
        // Known instants (from `date -u -d ... +%s`-style arithmetic: 1970 + days * 86400).
        assert_eq!(date(1970, 1, 1), 0);
        assert_eq!(date(2000, 3, 1), 951_868_800);
        assert_eq!(date(2024, 2, 29), 1_709_164_800);
        assert_eq!(date(1969, 12, 31), -86_400);
        assert_eq!(unix_seconds_from_date(2023, 2, 29), None);
        assert_eq!(unix_seconds_from_date(2024, 13, 1), None);
        // Round trip over 800 years of days.
        for z in -146_097 * 2..146_097 * 2 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        let noon = 12 * 3600;
        assert_eq!(add_months(date(2024, 1, 31) + noon, 1), date(2024, 2, 29) + noon);
        assert_eq!(add_months(date(2023, 1, 31), 1), date(2023, 2, 28));
        assert_eq!(add_months(date(2024, 1, 31), 2), date(2024, 3, 31));
        assert_eq!(add_months(date(2024, 12, 15), 1), date(2025, 1, 15));
        assert_eq!(add_months(date(2024, 3, 31), -1), date(2024, 2, 29));
        assert_eq!(format_utc(date(2024, 2, 29) + 3661), "2024-02-29 01:01:01 UTC");
        // Extreme inputs saturate instead of overflowing.
        assert_eq!(add_months(i64::MAX, 1), i64::MAX);
        let _ = monthly_period_start(i64::MIN, i64::MAX);
    }

    #[test]
    fn period_starts() {
        let start = date(2024, 1, 31) + 3600;
        assert_eq!(monthly_period_start(start, start), start);
        assert_eq!(monthly_period_start(start, start - 1), start);
        assert_eq!(monthly_period_start(start, date(2024, 2, 29)), start);
        assert_eq!(monthly_period_start(start, date(2024, 2, 29) + 3599), start);
        assert_eq!(monthly_period_start(start, date(2024, 2, 29) + 3600), date(2024, 2, 29) + 3600);
        assert_eq!(monthly_period_start(start, date(2024, 3, 31) + 3599), date(2024, 2, 29) + 3600);
        assert_eq!(monthly_period_start(start, date(2024, 3, 31) + 3600), date(2024, 3, 31) + 3600);
        assert_eq!(monthly_period_start(start, date(2025, 7, 1)), date(2025, 6, 30) + 3600);
    }

    proptest! {
        #[test]
        fn calendar_never_panics(t in any::<i64>(), k in any::<i64>(), now in any::<i64>()) {
            let _ = add_months(t, k);
            let p = monthly_period_start(t, now);
            prop_assert!(p >= t);
        }
    }
}
