//! Human-readable values for the title strip and SVG tooltips.

use flamekit_core::ValueUnit;

/// Three significant digits or so: `754`, `12.3`, `1.23`.
fn num(x: f64) -> String {
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// `v` in `unit`, scaled to a readable magnitude: `14.0 s`, `2.50 ms`,
/// `1.20 MiB`, `12.3K` (unitless counts).
pub(crate) fn value(v: f64, unit: ValueUnit) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".into();
    }
    if let Some(ms_per) = unit.ms_per_unit() {
        let ms = v * ms_per;
        let a = ms.abs();
        return if a >= 1000.0 {
            format!("{} s", num(ms / 1000.0))
        } else if a >= 1.0 {
            format!("{} ms", num(ms))
        } else if a >= 1e-3 {
            format!("{} µs", num(ms * 1e3))
        } else {
            format!("{} ns", num(ms * 1e6))
        };
    }
    let a = v.abs();
    if unit == ValueUnit::Bytes {
        const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if a < 1024.0 {
            return format!("{v:.0} B");
        }
        let mut x = v / 1024.0;
        let mut i = 0;
        while x.abs() >= 1024.0 && i + 1 < UNITS.len() {
            x /= 1024.0;
            i += 1;
        }
        return format!("{} {}", num(x), UNITS[i]);
    }
    if a >= 1e9 {
        format!("{}G", num(v / 1e9))
    } else if a >= 1e6 {
        format!("{}M", num(v / 1e6))
    } else if a >= 1e4 {
        format!("{}K", num(v / 1e3))
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        num(v)
    }
}

/// `part` as a percentage of `whole` (`35.7%`), or an empty string.
pub(crate) fn percent(part: f64, whole: f64) -> String {
    if whole > 0.0 && part.is_finite() {
        let p = part / whole * 100.0;
        if p >= 99.95 || p == 0.0 {
            format!("{p:.0}%")
        } else {
            format!("{p:.1}%")
        }
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(value(14.0, ValueUnit::Seconds), "14.0 s");
        assert_eq!(value(2.5, ValueUnit::Milliseconds), "2.50 ms");
        assert_eq!(value(1500.0, ValueUnit::Milliseconds), "1.50 s");
        assert_eq!(value(250.0, ValueUnit::Nanoseconds), "250 ns");
        assert_eq!(value(12_345.0, ValueUnit::Microseconds), "12.3 ms");
        assert_eq!(value(0.5, ValueUnit::Microseconds), "500 ns");
        assert_eq!(value(3.0, ValueUnit::Microseconds), "3.00 µs");
        assert_eq!(value(512.0, ValueUnit::Bytes), "512 B");
        assert_eq!(value(1.5 * 1024.0 * 1024.0, ValueUnit::Bytes), "1.50 MiB");
        assert_eq!(value(14.0, ValueUnit::None), "14");
        assert_eq!(value(2.5, ValueUnit::None), "2.50");
        assert_eq!(value(123_456.0, ValueUnit::None), "123K");
        assert_eq!(value(2_000_000.0, ValueUnit::None), "2.00M");
        assert_eq!(value(0.0, ValueUnit::Seconds), "0");
    }

    #[test]
    fn percents() {
        assert_eq!(percent(5.0, 14.0), "35.7%");
        assert_eq!(percent(14.0, 14.0), "100%");
        assert_eq!(percent(1.0, 0.0), "");
    }
}
