//! Palettes and the stable name → colour mapping.

use flamekit_core::{named, Named};

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
pub(crate) struct ThemeColors {
    pub background: Rgb,
    pub title_bg: Rgb,
    pub title_text: Rgb,
    pub label: Rgb,
    pub merged: Rgb,
    pub message: Rgb,
    pub separator: Rgb,
    /// Vertical grid lines of the time axis.
    pub grid: Rgb,
    /// Tick labels and depth labels.
    pub axis_text: Rgb,
    /// Outline of the selected function in a sandwich.
    pub highlight: Rgb,
}

impl ThemeColors {
    pub(crate) fn of(theme: Theme) -> ThemeColors {
        match theme {
            Theme::Light => ThemeColors {
                background: Rgb(0xff, 0xff, 0xff),
                title_bg: Rgb(0xee, 0xee, 0xf0),
                title_text: Rgb(0x20, 0x20, 0x24),
                label: Rgb(0x10, 0x10, 0x10),
                merged: Rgb(0xc4, 0xc4, 0xc8),
                message: Rgb(0x60, 0x60, 0x66),
                separator: Rgb(0x90, 0x90, 0x98),
                grid: Rgb(0xe4, 0xe4, 0xe8),
                axis_text: Rgb(0x50, 0x50, 0x58),
                highlight: Rgb(0x10, 0x10, 0x10),
            },
            Theme::Dark => ThemeColors {
                background: Rgb(0x1a, 0x1b, 0x1e),
                title_bg: Rgb(0x2b, 0x2c, 0x31),
                title_text: Rgb(0xe4, 0xe4, 0xe8),
                label: Rgb(0xf2, 0xf2, 0xf2),
                merged: Rgb(0x4a, 0x4b, 0x50),
                message: Rgb(0xa0, 0xa0, 0xa8),
                separator: Rgb(0x70, 0x70, 0x78),
                grid: Rgb(0x30, 0x31, 0x36),
                axis_text: Rgb(0xb0, 0xb0, 0xb8),
                highlight: Rgb(0xf2, 0xf2, 0xf2),
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

/// How frame boxes are coloured. Every palette is deterministic per frame
/// name (a hash of the name picks the colour), so a function has the same
/// colour in every image; each has a light and a dark variant.
///
/// Names (`FromStr` / `Display`, as Flamedeck's `flamegraphThemeName`):
/// `system`, `fire`, `peach`, `ice`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Palette {
    /// Any hue, picked by the name's hash (flamekit's and speedscope's look). The default.
    #[default]
    System,
    /// Red → orange → yellow, the classic flame graph colours.
    Fire,
    /// Soft peach, salmon and apricot tones.
    Peach,
    /// Cool cyans, blues and violets.
    Ice,
}

impl Palette {
    /// Every palette, in declaration order.
    pub const ALL: [Palette; 4] = [Palette::System, Palette::Fire, Palette::Peach, Palette::Ice];

    /// The name: `system`, `fire`, `peach` or `ice`.
    pub fn as_str(self) -> &'static str {
        self.name_str()
    }
}

// Lower-case names; anything else is `invalid_argument` naming `palette`.
named!(
    Palette,
    "palette",
    [("system", Palette::System), ("fire", Palette::Fire), ("peach", Palette::Peach), ("ice", Palette::Ice)]
);

/// The box colour of a frame name in a theme with the [`Palette::System`]
/// palette. Hue comes from the hash (the whole circle), saturation and
/// lightness vary a little within a band that keeps the label readable:
/// light boxes with dark text, dark boxes with light text.
pub(crate) fn frame_color(name: &str, theme: Theme) -> Rgb {
    palette_color(name, theme, Palette::System)
}

/// The box colour of a frame name in a theme and palette: the hash picks a
/// hue inside the palette's hue range (the whole circle for `System`),
/// saturation and lightness within the palette's band; the luma bound keeps
/// labels readable.
pub(crate) fn palette_color(name: &str, theme: Theme, palette: Palette) -> Rgb {
    let h = name_hash(name);
    let s_j = ((h >> 24) & 0xff) as f64 / 255.0;
    let l_j = ((h >> 40) & 0xff) as f64 / 255.0;
    // (hue start, hue width) in degrees.
    let (h0, hw) = match palette {
        Palette::System => (0.0, 360.0),
        Palette::Fire => (0.0, 55.0),
        Palette::Peach => (8.0, 30.0),
        Palette::Ice => (180.0, 75.0),
    };
    let hue = h0 + ((h % 3600) as f64 / 3600.0) * hw;
    // (saturation base, jitter, lightness base, jitter) per theme.
    let (s0, sj, l0, lj) = match (palette, theme) {
        (Palette::System, Theme::Light) => (0.50, 0.25, 0.72, 0.08),
        (Palette::System, Theme::Dark) => (0.35, 0.25, 0.30, 0.08),
        (Palette::Fire, Theme::Light) => (0.85, 0.15, 0.58, 0.12),
        (Palette::Fire, Theme::Dark) => (0.70, 0.20, 0.30, 0.08),
        (Palette::Peach, Theme::Light) => (0.75, 0.20, 0.78, 0.08),
        (Palette::Peach, Theme::Dark) => (0.45, 0.20, 0.32, 0.06),
        (Palette::Ice, Theme::Light) => (0.55, 0.25, 0.76, 0.08),
        (Palette::Ice, Theme::Dark) => (0.45, 0.25, 0.30, 0.08),
    };
    let hue = if palette == Palette::System { (h % 360) as f64 } else { hue };
    let bound = match theme {
        Theme::Light => (160.0, 255.0),
        Theme::Dark => (0.0, 92.0),
    };
    hsl_bounded(hue, s0 + sj * s_j, l0 + lj * l_j, Some(bound))
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
    fn palettes_are_deterministic_readable_and_in_their_hues() {
        let luma = |c: Rgb| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        for p in Palette::ALL {
            assert_eq!(p.as_str().parse::<Palette>().unwrap(), p);
            for name in (0..300).map(|i| format!("f{i}")) {
                let (l, d) = (palette_color(&name, Theme::Light, p), palette_color(&name, Theme::Dark, p));
                assert_eq!(l, palette_color(&name, Theme::Light, p));
                assert!(luma(l) > 158.0 && luma(d) < 94.0, "{p} {name}");
                if p == Palette::Fire {
                    // Warm: red is the largest channel, blue the smallest.
                    assert!(l.0 >= l.1 && l.1 >= l.2, "{name}: {l:?}");
                }
                if p == Palette::Ice {
                    assert!(l.2 >= l.0, "{name}: {l:?}");
                }
            }
        }
        assert_eq!(palette_color("main", Theme::Light, Palette::System), frame_color("main", Theme::Light));
        assert_ne!(
            palette_color("main", Theme::Light, Palette::Fire),
            palette_color("main", Theme::Light, Palette::Ice)
        );
        assert_eq!("lava".parse::<Palette>().unwrap_err().code(), "invalid_argument");
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
