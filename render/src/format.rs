//! Human-readable values and percentages for the title strip and SVG tooltips.

use flamekit_core::ValueUnit;

/// `v` in `unit`, readable (`14s`, `2.5ms`, `1.5 MB`, `3,204 samples`):
/// flamekit-core's [`flamekit_core::format_value`], so images and analysis agree.
pub(crate) fn value(v: f64, unit: ValueUnit) -> String {
    flamekit_core::format_value(v, unit)
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
    fn percents() {
        assert_eq!(percent(5.0, 14.0), "35.7%");
        assert_eq!(percent(14.0, 14.0), "100%");
        assert_eq!(percent(1.0, 0.0), "");
    }
}
