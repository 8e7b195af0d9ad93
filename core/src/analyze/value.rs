//! Human-readable values in a profile's unit: `1.36s`, `12.5 MB`, `3,204 samples`.

use crate::model::ValueUnit;

/// Format `value` (a weight or a duration in `unit`) for people and LLMs.
///
/// - Time units are converted to the largest of `ns`, `µs`, `ms`, `s` that
///   keeps the number at or above 1 and shown with three significant digits
///   and no space: `870ns`, `12.5µs`, `136ms`, `1.36s`, `2.00s`. Values of
///   1,000 seconds and more are whole seconds with thousands separators
///   (`3,725s`).
/// - Bytes use binary multiples (1 KB = 1,024 B, as speedscope does), three
///   significant digits and a space: `512 B`, `1.50 KB`, `12.5 MB`. Below
///   1 KB the value is a whole number of bytes.
/// - Unitless values are sample counts: whole numbers with thousands
///   separators (`1 sample`, `3,204 samples`); fractional weights keep up to
///   two decimals (`2.5 samples`).
///
/// Negative values get a leading `-`; NaN and infinities are written as
/// `NaN`, `inf` and `-inf` followed by the unit.
///
/// ```
/// use flamekit_core::{format_value, ValueUnit};
/// assert_eq!(format_value(1360.0, ValueUnit::Milliseconds), "1.36s");
/// assert_eq!(format_value(12.5 * 1024.0 * 1024.0, ValueUnit::Bytes), "12.5 MB");
/// assert_eq!(format_value(3204.0, ValueUnit::None), "3,204 samples");
/// ```
pub fn format_value(value: f64, unit: ValueUnit) -> String {
    if value.is_nan() {
        return format!("NaN {}", unit_word(unit));
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let v = value.abs();
    if v.is_infinite() {
        return format!("{sign}inf {}", unit_word(unit));
    }
    let body = match unit {
        ValueUnit::None => {
            let n = round_to(v, 2);
            let word = if n == 1.0 { "sample" } else { "samples" };
            format!("{} {word}", group_decimal(n, 2))
        }
        ValueUnit::Bytes => {
            if v < 1024.0 {
                let b = v.round();
                if b < 1024.0 {
                    return format!("{sign}{} B", group_int(b));
                }
            }
            scaled(v / 1024.0, &[" KB", " MB", " GB", " TB", " PB"], 1024.0)
        }
        ValueUnit::Nanoseconds | ValueUnit::Microseconds | ValueUnit::Milliseconds | ValueUnit::Seconds => {
            // ms_per_unit is Some for every time unit.
            let ns = v * unit.ms_per_unit().unwrap_or(1.0) * 1e6;
            if ns == 0.0 {
                "0ms".to_owned()
            } else if ns < 1.0 {
                // Sub-nanosecond: no smaller unit to move to.
                format!("{}ns", fixed(ns, 2))
            } else {
                scaled(ns, &["ns", "µs", "ms", "s"], 1000.0)
            }
        }
    };
    format!("{sign}{body}")
}

/// `v >= 1` expressed in the first unit of `units` (each `step` times the
/// previous) where it is below 1,000, with three significant digits. In the
/// last unit, values of 1,000 and more are whole numbers with separators.
fn scaled(mut v: f64, units: &[&str], step: f64) -> String {
    let mut i = 0;
    loop {
        let last = i + 1 == units.len();
        let r = round_sig3(v);
        if r < 1000.0 {
            return format!("{}{}", fixed(r, decimals_for(r)), units[i]);
        }
        if last {
            return format!("{}{}", group_int(v.round()), units[i]);
        }
        v /= step;
        i += 1;
    }
}

/// Decimals that show three significant digits of `r` (already rounded).
fn decimals_for(r: f64) -> usize {
    if r < 10.0 {
        2
    } else if r < 100.0 {
        1
    } else {
        0
    }
}

/// Round a positive value to three significant digits.
fn round_sig3(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let decimals = 2 - v.log10().floor() as i32;
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let s = 10f64.powi(decimals);
    (v * s).round() / s
}

fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// A non-negative whole number with `,` every three digits.
fn group_int(v: f64) -> String {
    let digits = format!("{v:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative number with grouped integer part and up to `decimals`
/// decimals (trailing zeros dropped).
fn group_decimal(v: f64, decimals: usize) -> String {
    let int = v.trunc();
    let frac = fixed(v - int, decimals);
    // `frac` is "0.xx" (or "1.00" after rounding up, handled by rounding v first).
    let frac = frac.trim_start_matches('0').trim_end_matches('0').trim_end_matches('.');
    format!("{}{frac}", group_int(int))
}

fn unit_word(unit: ValueUnit) -> &'static str {
    match unit {
        ValueUnit::None => "samples",
        ValueUnit::Bytes => "B",
        ValueUnit::Nanoseconds => "ns",
        ValueUnit::Microseconds => "µs",
        ValueUnit::Milliseconds => "ms",
        ValueUnit::Seconds => "s",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_values() {
        let ms = ValueUnit::Milliseconds;
        assert_eq!(format_value(1360.0, ms), "1.36s");
        assert_eq!(format_value(2000.0, ms), "2.00s");
        assert_eq!(format_value(136.0, ms), "136ms");
        assert_eq!(format_value(12.5, ms), "12.5ms");
        assert_eq!(format_value(0.0125, ms), "12.5µs");
        assert_eq!(format_value(0.00087, ms), "870ns");
        assert_eq!(format_value(0.0, ms), "0ms");
        assert_eq!(format_value(3_725_000.0, ms), "3,725s");
        assert_eq!(format_value(-1360.0, ms), "-1.36s");
        // Rounding up crosses into the next unit instead of printing "1000ms".
        assert_eq!(format_value(999.6, ms), "1.00s");
        assert_eq!(format_value(9.996, ms), "10.0ms");
        assert_eq!(format_value(1.5, ValueUnit::Seconds), "1.50s");
        assert_eq!(format_value(1500.0, ValueUnit::Microseconds), "1.50ms");
        assert_eq!(format_value(42.0, ValueUnit::Nanoseconds), "42.0ns");
        assert_eq!(format_value(0.5, ValueUnit::Nanoseconds), "0.50ns");
    }

    #[test]
    fn byte_values() {
        let b = ValueUnit::Bytes;
        assert_eq!(format_value(0.0, b), "0 B");
        assert_eq!(format_value(512.0, b), "512 B");
        assert_eq!(format_value(1023.4, b), "1,023 B");
        assert_eq!(format_value(1023.6, b), "1.00 KB");
        assert_eq!(format_value(1536.0, b), "1.50 KB");
        assert_eq!(format_value(12.5 * 1024.0 * 1024.0, b), "12.5 MB");
        assert_eq!(format_value(3.0 * 1024f64.powi(3), b), "3.00 GB");
    }

    #[test]
    fn sample_counts() {
        let n = ValueUnit::None;
        assert_eq!(format_value(3204.0, n), "3,204 samples");
        assert_eq!(format_value(1.0, n), "1 sample");
        assert_eq!(format_value(0.0, n), "0 samples");
        assert_eq!(format_value(2.5, n), "2.5 samples");
        assert_eq!(format_value(1_234_567.125, n), "1,234,567.13 samples");
        assert_eq!(format_value(999.999, n), "1,000 samples");
        assert_eq!(format_value(f64::NAN, n), "NaN samples");
        assert_eq!(format_value(f64::INFINITY, ValueUnit::Bytes), "inf B");
    }
}
