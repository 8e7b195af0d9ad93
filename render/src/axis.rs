//! Axis ticks: where the lines go and what their labels say.
//!
//! Tick values are multiples of 1, 2 or 5 × 10ⁿ of a display unit picked
//! from the axis range (ns/µs/ms/s for time, B/KB/MB/GB for bytes with
//! 1 KB = 1024 B, plain numbers for counts), so every label is short and
//! exact. The step is the one whose spacing is closest to
//! [`TARGET_SPACING`] CSS pixels among those wide enough for their labels.

use flamekit_core::ValueUnit;

/// Preferred distance between two ticks, in CSS pixels.
pub(crate) const TARGET_SPACING: f64 = 125.0;

/// Smallest distance between two ticks, in CSS pixels.
const MIN_SPACING: f64 = 60.0;

/// One tick: its value (in the axis' own unit, relative to the axis origin)
/// and its label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tick {
    pub value: f64,
    pub label: String,
}

/// The display unit for values up to `max` (in `unit`): a suffix and how
/// many profile units one display unit is.
fn display_unit(max: f64, unit: ValueUnit) -> (&'static str, f64) {
    match unit {
        ValueUnit::None => ("", 1.0),
        ValueUnit::Bytes => {
            let mut out = ("B", 1.0);
            for (i, s) in ["KB", "MB", "GB", "TB"].into_iter().enumerate() {
                let f = 1024f64.powi(i as i32 + 1);
                if max >= f {
                    out = (s, f);
                }
            }
            out
        }
        _ => {
            // Profile units per nanosecond.
            let per_ns = 1.0 / (unit.ms_per_unit().unwrap_or(1.0) * 1e6);
            let mut out = ("ns", per_ns);
            for (s, ns) in [("µs", 1e3), ("ms", 1e6), ("s", 1e9)] {
                if max >= ns * per_ns {
                    out = (s, ns * per_ns);
                }
            }
            out
        }
    }
}

/// `v` display units written with `decimals` decimals and the suffix.
fn label(v: f64, decimals: usize, suffix: &str) -> String {
    if v.abs() < 1e-12 {
        return format!("0{suffix}");
    }
    format!("{v:.decimals$}{suffix}")
}

/// Ticks for the range `lo..=hi` (in `unit`, relative to the axis origin)
/// drawn over `width_css` CSS pixels, labels at most `max_label_css(cells)`
/// wide. Empty when the range is empty or not finite.
pub(crate) fn ticks(lo: f64, hi: f64, unit: ValueUnit, width_css: f64, label_css: &dyn Fn(usize) -> f64) -> Vec<Tick> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite() && lo.is_finite() && width_css >= 1.0) {
        return Vec::new();
    }
    let (suffix, per) = display_unit(hi.abs().max(lo.abs()), unit);
    let dspan = span / per;
    let px_per = width_css / dspan;
    // Candidate steps 1, 2, 5 × 10ⁿ from below the smallest useful one.
    let mut exp = (dspan * MIN_SPACING / width_css).log10().floor() as i32 - 1;
    let mut best: Option<(f64, f64, usize)> = None;
    for _ in 0..40 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(exp);
            let spacing = step * px_per;
            if spacing < MIN_SPACING {
                continue;
            }
            let decimals = if exp >= 0 { 0 } else { (-exp) as usize };
            // The widest label: either end of the range.
            let cells = [lo / per, hi / per]
                .iter()
                .map(|v| label((v / step).round() * step, decimals, suffix).chars().count())
                .max()
                .unwrap_or(1);
            if spacing < label_css(cells) + 12.0 {
                continue;
            }
            let score = (spacing / TARGET_SPACING).ln().abs();
            if best.is_none_or(|(s, _, _)| score < s) {
                best = Some((score, step, decimals));
            }
        }
        if best.is_some_and(|(_, step, _)| step * px_per > TARGET_SPACING * 3.0) {
            break;
        }
        exp += 1;
    }
    let Some((_, step, decimals)) = best else { return Vec::new() };
    let first = (lo / per / step).ceil() as i64;
    let last = (hi / per / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let d = k as f64 * step;
            Tick { value: d * per, label: label(d, decimals, suffix) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    const MONO: &dyn Fn(usize) -> f64 = &|cells| cells as f64 * 7.2;

    #[test]
    fn microseconds_over_276_ms() {
        // 276 ms over 1170 px: 20 ms every 84.8 px is closest to 125 px.
        let t = ticks(0.0, 276_450.0, ValueUnit::Microseconds, 1170.0, MONO);
        assert_eq!(labels(&t)[..4], ["0ms", "20ms", "40ms", "60ms"]);
        assert_eq!(t.last().unwrap().label, "260ms");
        assert_eq!(t[1].value, 20_000.0);
    }

    #[test]
    fn units_and_decimals() {
        // 14 s over 1200 px: 2 s every 171 px beats 1 s every 86 px.
        let t = ticks(0.0, 14.0, ValueUnit::Seconds, 1200.0, MONO);
        assert_eq!(labels(&t), ["0s", "2s", "4s", "6s", "8s", "10s", "12s", "14s"]);
        let t = ticks(0.0, 0.004, ValueUnit::Seconds, 1200.0, MONO);
        assert_eq!(labels(&t)[..3], ["0ms", "0.5ms", "1.0ms"]);
        let t = ticks(0.0, 3.0 * 1024.0 * 1024.0, ValueUnit::Bytes, 1200.0, MONO);
        assert_eq!(labels(&t)[..3], ["0MB", "0.2MB", "0.4MB"]);
        assert_eq!(t[1].value, 0.2 * 1024.0 * 1024.0);
        let t = ticks(0.0, 1000.0, ValueUnit::None, 1200.0, MONO);
        assert_eq!(labels(&t)[..3], ["0", "100", "200"]);
        // A window keeps its real values.
        let t = ticks(120_000.0, 160_000.0, ValueUnit::Microseconds, 1200.0, MONO);
        assert_eq!(labels(&t)[..2], ["120ms", "125ms"]);
        assert!(ticks(5.0, 5.0, ValueUnit::None, 1200.0, MONO).is_empty());
        assert!(ticks(0.0, f64::INFINITY, ValueUnit::None, 1200.0, MONO).is_empty());
    }

    #[test]
    fn spacing_fits_labels() {
        for width in [100.0, 333.0, 1200.0, 5000.0] {
            for span in [1.0, 7.3, 999.0, 123_456.0, 1e9] {
                let t = ticks(0.0, span, ValueUnit::Microseconds, width, MONO);
                for w in t.windows(2) {
                    let px = (w[1].value - w[0].value) / span * width;
                    assert!(px >= MONO(w[0].label.chars().count()) + 12.0, "{span} over {width}: {w:?}");
                }
            }
        }
    }
}
