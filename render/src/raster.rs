//! The PNG writer: tiny-skia fills the whole-pixel rectangles, glyphs are
//! blended in with integer arithmetic, and the `png` crate encodes with
//! fixed settings.

use flamekit_core::{Error, Result};
use tiny_skia::{Paint, Pixmap, Rect, Transform};

use crate::scene::{Item, Scene};
use crate::text::{self, GlyphCache};

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal { message: format!("{what}: {e}") }
}

/// Draw a scene into an RGBA pixmap (every pixel opaque).
pub(crate) fn to_pixmap(scene: &Scene) -> Result<Pixmap> {
    let mut pixmap = Pixmap::new(scene.width, scene.height)
        .ok_or_else(|| internal("pixmap", format!("cannot allocate {} × {}", scene.width, scene.height)))?;
    let bg = scene.background;
    pixmap.fill(tiny_skia::Color::from_rgba8(bg.0, bg.1, bg.2, 255));
    let mut glyphs = GlyphCache::new(text::font()?, scene.metrics);
    let mut paint = Paint { anti_alias: false, ..Paint::default() };
    let (w, h) = (scene.width as usize, scene.height as usize);
    for item in &scene.items {
        match item {
            Item::Rect { x, y, w, h, color, .. } => {
                // Whole pixels, opaque colour, no anti-aliasing: exact fills.
                if let Some(r) = Rect::from_xywh(*x as f32, *y as f32, *w as f32, *h as f32) {
                    paint.set_color_rgba8(color.0, color.1, color.2, 255);
                    pixmap.fill_rect(r, &paint, Transform::identity(), None);
                }
            }
            Item::Text { x, baseline, text, color, clip, .. } => {
                glyphs.draw(pixmap.data_mut(), w, h, text, *x, *baseline, color.to_array(), *clip);
            }
        }
    }
    Ok(pixmap)
}

/// Encode a scene as an 8-bit RGB PNG with fixed settings: filter `Sub`
/// on every row (no adaptive choice) and `png`'s `Fast` compression, which
/// is `fdeflate` whatever backend other crates select for `flate2`.
pub(crate) fn to_png(scene: &Scene) -> Result<Vec<u8>> {
    let pixmap = to_pixmap(scene)?;
    // Opaque pixels: premultiplied RGBA is plain RGBA; drop alpha.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, scene.width, scene.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.set_filter(png::FilterType::Sub);
        enc.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        let mut writer = enc.write_header().map_err(|e| internal("png header", e))?;
        writer.write_image_data(&rgb).map_err(|e| internal("png data", e))?;
        writer.finish().map_err(|e| internal("png end", e))?;
    }
    Ok(out)
}
