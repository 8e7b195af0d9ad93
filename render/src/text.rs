//! The embedded font, text measurement, label trimming and a glyph cache.
//!
//! The font is DejaVu Sans Mono (render/fonts/, Bitstream Vera license),
//! compiled into the crate: no system font is ever read. Every character
//! takes one cell of the font's fixed advance, so measuring and trimming a
//! label is counting characters.

use std::collections::HashMap;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use flamekit_core::{Error, Result};

/// DejaVu Sans Mono 2.37, from Debian's fonts-dejavu-core.
static FONT_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSansMono.ttf");

/// The CSS font family the SVG asks for (the same font, then any monospace).
pub(crate) const SVG_FONT_FAMILY: &str = "'DejaVu Sans Mono', monospace";

/// The embedded font.
pub(crate) fn font() -> Result<FontRef<'static>> {
    FontRef::try_from_slice(FONT_BYTES)
        .map_err(|e| Error::Internal { message: format!("embedded font does not parse: {e}") })
}

/// Size-dependent metrics, in device pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextMetrics {
    /// Font size: pixels per em.
    pub px: f32,
    /// The scale ab_glyph needs for an em of `px`.
    pub scale: PxScale,
    /// Width of one character cell.
    pub advance: f32,
    /// Height of capital letters above the baseline.
    pub cap_height: f32,
}

impl TextMetrics {
    pub(crate) fn new(font: &FontRef<'_>, px: f32) -> TextMetrics {
        let upem = font.units_per_em().unwrap_or(2048.0);
        // ab_glyph scales so that ascent - descent = scale; we want 1 em = px.
        let scale = PxScale::from(px * font.height_unscaled() / upem);
        let scaled = font.as_scaled(scale);
        let advance = scaled.h_advance(font.glyph_id('0'));
        let cap_height = font
            .outline_glyph(font.glyph_id('H').with_scale_and_position(scale, point(0.0, 0.0)))
            .map(|g| -g.px_bounds().min.y)
            .unwrap_or(px * 0.73);
        TextMetrics { px, scale, advance, cap_height }
    }

    /// How many character cells fit in `width` pixels.
    pub(crate) fn cells(&self, width: f32) -> usize {
        if width <= 0.0 || self.advance <= 0.0 {
            0
        } else {
            (width / self.advance).floor() as usize
        }
    }

    /// Width in pixels of `cells` character cells.
    pub(crate) fn width(&self, cells: usize) -> f32 {
        cells as f32 * self.advance
    }
}

/// A character as drawn: control characters become `?`.
fn clean(c: char) -> char {
    if c.is_control() {
        '?'
    } else {
        c
    }
}

/// `name` fitted into `max_cells` character cells: whole if it fits,
/// otherwise its head and tail around `…` (the head gets the extra
/// character). `None` when even `min_cells` cells do not fit or the name is
/// empty. Returns the text and its length in cells. Work is proportional to
/// `max_cells`, not to the name's length.
pub(crate) fn fit(name: &str, max_cells: usize, min_cells: usize) -> Option<(String, usize)> {
    let min_cells = min_cells.max(1);
    if max_cells < min_cells || name.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(max_cells.min(name.len()) + 3);
    let mut n = 0usize;
    for c in name.chars() {
        if n == max_cells {
            // Does not fit: head + … + tail in max_cells cells.
            let keep = max_cells - 1;
            let head = keep.div_ceil(2);
            let tail = keep / 2;
            if head == 0 {
                return None;
            }
            out.clear();
            out.extend(name.chars().take(head).map(clean));
            out.push('…');
            let mut rev: Vec<char> = name.chars().rev().take(tail).map(clean).collect();
            rev.reverse();
            out.extend(rev);
            return Some((out, max_cells));
        }
        out.push(clean(c));
        n += 1;
    }
    Some((out, n))
}

/// One rasterized glyph: coverage 0..=255, placed relative to the pen.
#[derive(Debug)]
struct GlyphBitmap {
    left: i32,
    top: i32,
    width: usize,
    height: usize,
    coverage: Vec<u8>,
}

/// Glyph positions are snapped to quarter pixels; each (char, quarter) is
/// rasterized once per image.
const SUBPIXEL: f32 = 4.0;

/// Rasterizes glyphs on demand and keeps them for the rest of the image.
pub(crate) struct GlyphCache<'f> {
    font: FontRef<'f>,
    metrics: TextMetrics,
    glyphs: HashMap<(char, u8), Option<GlyphBitmap>>,
}

impl<'f> GlyphCache<'f> {
    pub(crate) fn new(font: FontRef<'f>, metrics: TextMetrics) -> Self {
        GlyphCache { font, metrics, glyphs: HashMap::new() }
    }

    fn glyph(&mut self, c: char, sub: u8) -> Option<&GlyphBitmap> {
        let font = &self.font;
        let scale = self.metrics.scale;
        self.glyphs
            .entry((c, sub))
            .or_insert_with(|| {
                let id = font.glyph_id(c);
                let g = id.with_scale_and_position(scale, point(sub as f32 / SUBPIXEL, 0.0));
                let outlined = font.outline_glyph(g)?;
                let b = outlined.px_bounds();
                let width = (b.max.x - b.min.x).max(0.0) as usize;
                let height = (b.max.y - b.min.y).max(0.0) as usize;
                if width == 0 || height == 0 {
                    return None;
                }
                let mut coverage = vec![0u8; width * height];
                outlined.draw(|x, y, v| {
                    let i = y as usize * width + x as usize;
                    if let Some(slot) = coverage.get_mut(i) {
                        *slot = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                    }
                });
                Some(GlyphBitmap { left: b.min.x as i32, top: b.min.y as i32, width, height, coverage })
            })
            .as_ref()
    }

    /// Blend `text` into an RGBA buffer (`width` pixels per row, opaque
    /// pixels), one cell per character from `x`, baseline at `baseline`, only
    /// inside columns `clip_x0..clip_x1`. Integer blending: exact on every machine.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn draw(
        &mut self,
        data: &mut [u8],
        width: usize,
        height: usize,
        text: &str,
        x: i32,
        baseline: i32,
        color: [u8; 3],
        clip: (i32, i32),
    ) {
        let advance = self.metrics.advance;
        let clip_x0 = clip.0.max(0);
        let clip_x1 = clip.1.min(width as i32);
        for (i, c) in text.chars().enumerate() {
            if c == ' ' {
                continue;
            }
            let pen = x as f32 + i as f32 * advance;
            let snapped = (pen * SUBPIXEL).round();
            let whole = (snapped / SUBPIXEL).floor();
            let sub = (snapped - whole * SUBPIXEL) as u8;
            let Some(g) = self.glyph(c, sub) else { continue };
            let gx = whole as i32 + g.left;
            let gy = baseline + g.top;
            for row in 0..g.height {
                let py = gy + row as i32;
                if py < 0 || py >= height as i32 {
                    continue;
                }
                for col in 0..g.width {
                    let px = gx + col as i32;
                    if px < clip_x0 || px >= clip_x1 {
                        continue;
                    }
                    let a = g.coverage[row * g.width + col] as u32;
                    if a == 0 {
                        continue;
                    }
                    let o = (py as usize * width + px as usize) * 4;
                    if let Some(p) = data.get_mut(o..o + 3) {
                        for k in 0..3 {
                            p[k] = ((p[k] as u32 * (255 - a) + color[k] as u32 * a + 127) / 255) as u8;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_whole_and_trimmed() {
        assert_eq!(fit("main", 10, 3), Some(("main".into(), 4)));
        assert_eq!(fit("main", 4, 3), Some(("main".into(), 4)));
        assert_eq!(fit("abcdefghij", 5, 3), Some(("ab…ij".into(), 5)));
        assert_eq!(fit("abcdefghij", 6, 3), Some(("abc…ij".into(), 6)));
        assert_eq!(fit("abcdefghij", 3, 3), Some(("a…j".into(), 3)));
        assert_eq!(fit("abcdefghij", 2, 3), None);
        assert_eq!(fit("", 10, 3), None);
        // Short names that fit are drawn even when shorter than min_cells.
        assert_eq!(fit("a", 5, 3), Some(("a".into(), 1)));
        assert_eq!(fit("a\nb", 5, 3), Some(("a?b".into(), 3)));
        assert_eq!(fit("αβγδεζηθ", 5, 3), Some(("αβ…ηθ".into(), 5)));
    }

    #[test]
    fn font_metrics() {
        let f = font().unwrap();
        let m = TextMetrics::new(&f, 12.0);
        // DejaVu Sans Mono: advance 1233/2048 em, capitals 1493/2048 em.
        assert!((m.advance - 12.0 * 1233.0 / 2048.0).abs() < 0.01, "{}", m.advance);
        assert!((m.cap_height - 12.0 * 1493.0 / 2048.0).abs() < 1.0, "{}", m.cap_height);
        assert_eq!(m.cells(73.0), 10);
        assert_eq!(m.cells(-1.0), 0);
    }

    #[test]
    fn glyphs_draw_inside_clip_only() {
        let f = font().unwrap();
        let m = TextMetrics::new(&f, 12.0);
        let mut cache = GlyphCache::new(f, m);
        let (w, h) = (40usize, 20usize);
        let mut data = vec![255u8; w * h * 4];
        cache.draw(&mut data, w, h, "WW", 2, 15, [0, 0, 0], (0, 9));
        let dark_at = |x: usize| (0..h).any(|y| data[(y * w + x) * 4] < 128);
        assert!((2..9).any(dark_at), "first W drawn");
        assert!(!(9..w).any(dark_at), "nothing right of the clip");
        // Cached: drawing again gives identical pixels.
        let mut again = vec![255u8; w * h * 4];
        cache.draw(&mut again, w, h, "WW", 2, 15, [0, 0, 0], (0, 9));
        assert_eq!(data, again);
    }
}
