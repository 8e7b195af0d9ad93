//! Palettes and the stable name → colour mapping.

use crate::Theme;

/// An opaque colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub(crate) fn to_array(self) -> [u8; 3] {
        [self.0, self.1, self.2]
    }

    /// `#rrggbb`.
    pub(crate) fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mix `self` toward `other` by `t`/256 (integer arithmetic, exact).
    pub(crate) fn mix(self, other: Rgb, t: u32) -> Rgb {
        let m = |a: u8, b: u8| ((a as u32 * (256 - t) + b as u32 * t + 128) >> 8) as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// The fixed colours of a theme.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Palette {
    pub background: Rgb,
    pub title_bg: Rgb,
    pub title_text: Rgb,
    pub label: Rgb,
    pub merged: Rgb,
    pub message: Rgb,
    pub separator: Rgb,
}

impl Palette {
    pub(crate) fn of(theme: Theme) -> Palette {
        match theme {
            Theme::Light => Palette {
                background: Rgb(0xff, 0xff, 0xff),
                title_bg: Rgb(0xee, 0xee, 0xf0),
                title_text: Rgb(0x20, 0x20, 0x24),
                label: Rgb(0x10, 0x10, 0x10),
                merged: Rgb(0xc4, 0xc4, 0xc8),
                message: Rgb(0x60, 0x60, 0x66),
                separator: Rgb(0x90, 0x90, 0x98),
            },
            Theme::Dark => Palette {
                background: Rgb(0x1a, 0x1b, 0x1e),
                title_bg: Rgb(0x2b, 0x2c, 0x31),
                title_text: Rgb(0xe4, 0xe4, 0xe8),
                label: Rgb(0xf2, 0xf2, 0xf2),
                merged: Rgb(0x4a, 0x4b, 0x50),
                message: Rgb(0xa0, 0xa0, 0xa8),
                separator: Rgb(0x70, 0x70, 0x78),
            },
        }
    }
}

/// 64-bit FNV-1a of the name, finished with the SplitMix64 mixer so that
/// similar names get unrelated colours.
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The box colour of a frame name in a theme. Hue comes from the hash
/// (the whole circle), saturation and lightness vary a little within a band
/// that keeps the label readable: light boxes with dark text, dark boxes with
/// light text.
pub(crate) fn frame_color(name: &str, theme: Theme) -> Rgb {
    let h = name_hash(name);
    let hue = (h % 360) as f64;
    let s_j = ((h >> 24) & 0xff) as f64 / 255.0;
    let l_j = ((h >> 40) & 0xff) as f64 / 255.0;
    match theme {
        Theme::Light => hsl_bounded(hue, 0.50 + 0.25 * s_j, 0.72 + 0.08 * l_j, Some((160.0, 255.0))),
        Theme::Dark => hsl_bounded(hue, 0.35 + 0.25 * s_j, 0.30 + 0.08 * l_j, Some((0.0, 92.0))),
    }
}

/// HSL → RGB (hue in degrees, s and l in 0..=1), rounded to the nearest
/// byte. `luma_bound` keeps the result readable under the theme's label colour:
/// `Some((min, max))` lifts a colour toward white below `min` luma and scales
/// it toward black above `max` (luma = 0.299 R + 0.587 G + 0.114 B, 0..=255).
fn hsl_bounded(hue: f64, s: f64, l: f64, luma_bound: Option<(f64, f64)>) -> Rgb {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = hue / 60.0;
    let x = c * (1.0 - ((hp % 2.0) - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let (mut r, mut g, mut b) = ((r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0);
    if let Some((lo, hi)) = luma_bound {
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        if y < lo {
            let t = (lo - y) / (255.0 - y);
            r += (255.0 - r) * t;
            g += (255.0 - g) * t;
            b += (255.0 - b) * t;
        } else if y > hi {
            let f = hi / y;
            r *= f;
            g *= f;
            b *= f;
        }
    }
    let to = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    Rgb(to(r), to(g), to(b))
}

#[cfg(test)]
fn hsl(hue: f64, s: f64, l: f64) -> Rgb {
    hsl_bounded(hue, s, l, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_theme_dependent() {
        assert_eq!(frame_color("main", Theme::Light), frame_color("main", Theme::Light));
        assert_ne!(frame_color("main", Theme::Light), frame_color("main", Theme::Dark));
        // Known value pins the hash: FNV-1a("") is the offset basis.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        assert_eq!(name_hash(""), h ^ (h >> 31));
    }

    #[test]
    fn light_boxes_are_light_and_dark_boxes_dark() {
        for name in (0..500).map(|i| format!("f{i}")).chain(["main".into(), "".into()]) {
            let luma = |c: Rgb| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
            assert!(luma(frame_color(&name, Theme::Light)) > 158.0, "{name}");
            assert!(luma(frame_color(&name, Theme::Dark)) < 94.0, "{name}");
        }
    }

    #[test]
    fn distinct_names_spread_over_hues() {
        let names: Vec<String> = (0..64).map(|i| format!("fn_{i}")).collect();
        let mut colors: Vec<[u8; 3]> = names.iter().map(|n| frame_color(n, Theme::Light).to_array()).collect();
        colors.sort();
        colors.dedup();
        assert!(colors.len() > 56, "only {} distinct colours", colors.len());
    }

    #[test]
    fn hsl_primaries() {
        assert_eq!(hsl(0.0, 1.0, 0.5), Rgb(255, 0, 0));
        assert_eq!(hsl(120.0, 1.0, 0.5), Rgb(0, 255, 0));
        assert_eq!(hsl(240.0, 1.0, 0.5), Rgb(0, 0, 255));
        assert_eq!(hsl(300.0, 0.0, 1.0), Rgb(255, 255, 255));
        assert_eq!(Rgb(0, 0, 0).mix(Rgb(255, 255, 255), 128), Rgb(128, 128, 128));
    }
}
