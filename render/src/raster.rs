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

/// zlib level for the image data: 6 is about 2.5× smaller than `png`'s
/// fast mode on flame graphs for ~20 ms more per 1200 × 800 image.
const ZLIB_LEVEL: u8 = 6;

/// Strips the PNG rows of a large image are cut into, each compressed on a
/// thread of its own where threads can be started. Fixed, so that the bytes
/// do not depend on the machine's cores.
const STRIPS: usize = 8;

/// Rows data below this size is compressed in one piece: the strips' few
/// threads cost more than they save on a small image.
const STRIPS_FROM: usize = 256 << 10;

/// The zlib stream of `raw` (rows of `row` bytes) at [`ZLIB_LEVEL`]. A
/// large image's rows are cut into [`STRIPS`] strips of whole rows, each
/// compressed as raw deflate on its own (no match reaches into the strip
/// before, which costs a fraction of a percent on flame graphs), the
/// strips but the last ended with an empty stored block (a sync flush, so
/// that each ends on a byte and the next starts a block), then joined
/// under one zlib header and the Adler-32 of all the rows: what any
/// inflater reads as one stream. The same bytes for any number of cores.
fn compress_rows(raw: &[u8], row: usize) -> Result<Vec<u8>> {
    use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, TDEFLFlush};
    if raw.len() < STRIPS_FROM || row == 0 {
        return Ok(miniz_oxide::deflate::compress_to_vec_zlib(raw, ZLIB_LEVEL));
    }
    let rows = raw.len() / row;
    let strips: Vec<&[u8]> =
        (0..STRIPS).map(|k| &raw[k * rows / STRIPS * row..(k + 1) * rows / STRIPS * row]).collect();
    // Raw deflate (negative window bits: no zlib header of its own).
    let flags = create_comp_flags_from_zip_params(ZLIB_LEVEL.into(), -15, 0);
    let deflate = |k: usize| {
        let flush = if k + 1 == STRIPS { TDEFLFlush::Finish } else { TDEFLFlush::Sync };
        deflate_strip(strips[k], flags, flush)
    };
    let mut adler = adler2::Adler32::new();
    let parts = std::thread::scope(|scope| {
        let deflate = &deflate;
        // Where threads cannot be started (e.g. wasm32), the strips are
        // compressed here, in turn.
        let handles: Vec<_> = (1..STRIPS)
            .map(|k| (k, std::thread::Builder::new().spawn_scoped(scope, move || deflate(k)).ok()))
            .collect();
        let first = deflate(0);
        adler.write_slice(raw);
        std::iter::once(first)
            .chain(handles.into_iter().map(|(k, handle)| match handle.map(|h| h.join()) {
                Some(Ok(part)) => part,
                // A thread that could not start, or that panicked (it cannot:
                // compressing in memory has no failure), does it again here.
                _ => deflate(k),
            }))
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .map_err(|e| internal("png data", e))?;
    let len = parts.iter().map(Vec::len).sum::<usize>();
    let mut out = Vec::with_capacity(2 + len + 4);
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x9c (default level, check
    // bits): the header `compress_to_vec_zlib` writes at level 6.
    out.extend_from_slice(&[0x78, 0x9c]);
    for part in &parts {
        out.extend_from_slice(part);
    }
    out.extend_from_slice(&adler.checksum().to_be_bytes());
    Ok(out)
}

/// `input` compressed as raw deflate with `flags`, ended by `flush`
/// (`Sync` or `Finish`), or the compressor's status should it fail.
fn deflate_strip(
    input: &[u8],
    flags: u32,
    flush: miniz_oxide::deflate::core::TDEFLFlush,
) -> std::result::Result<Vec<u8>, String> {
    use miniz_oxide::deflate::core::{compress, CompressorOxide, TDEFLFlush, TDEFLStatus};
    let mut compressor = CompressorOxide::new(flags);
    let mut out = vec![0u8; input.len() / 2 + 64];
    let (mut at_in, mut at_out) = (0, 0);
    loop {
        let (status, read, written) = compress(&mut compressor, &input[at_in..], &mut out[at_out..], flush);
        at_in += read;
        at_out += written;
        let room = at_out < out.len();
        match status {
            TDEFLStatus::Done => break,
            // A sync flush is complete once all the input is read and the
            // output was not filled.
            TDEFLStatus::Okay if at_in == input.len() && room && flush != TDEFLFlush::Finish => break,
            TDEFLStatus::Okay => {
                if out.len() - at_out < 64 {
                    let grow = out.len().max(64);
                    out.resize(out.len() + grow, 0);
                }
            }
            other => return Err(format!("deflate status {other:?}")),
        }
    }
    out.truncate(at_out);
    Ok(out)
}

/// Encode a scene as an 8-bit RGB PNG with fixed settings: filter type 0
/// (none: flat boxes compress best as repeats) on every row, and the rows
/// compressed by `miniz_oxide` at [`ZLIB_LEVEL`] ([`compress_rows`]) into
/// one IDAT chunk.
pub(crate) fn to_png(scene: &Scene) -> Result<Vec<u8>> {
    let pixmap = to_pixmap(scene)?;
    // Opaque pixels: premultiplied RGBA is plain RGBA. Each row: the filter
    // byte, then RGB.
    let data = pixmap.data();
    let row = scene.width as usize * 4;
    let mut raw = vec![0u8; scene.height as usize * (scene.width as usize * 3 + 1)];
    for (dst, src) in raw.chunks_exact_mut(scene.width as usize * 3 + 1).zip(data.chunks_exact(row)) {
        for (d, s) in dst[1..].chunks_exact_mut(3).zip(src.chunks_exact(4)) {
            d.copy_from_slice(&s[..3]);
        }
    }
    let zlib = compress_rows(&raw, scene.width as usize * 3 + 1)?;
    let mut out = Vec::with_capacity(zlib.len() + 128);
    {
        let mut enc = png::Encoder::new(&mut out, scene.width, scene.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| internal("png header", e))?;
        writer.write_chunk(png::chunk::IDAT, &zlib).map_err(|e| internal("png data", e))?;
        writer.finish().map_err(|e| internal("png end", e))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::Rgb;
    use crate::scene::Item;
    use crate::text::{font, TextMetrics};

    /// Rows of `rows` rows of `row` bytes: boxes of a few colours, repeats
    /// and a little noise, as a flame graph's rows are.
    fn rows_like_a_flame_graph(rows: usize, row: usize) -> Vec<u8> {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut raw = vec![0u8; rows * row];
        for (r, line) in raw.chunks_exact_mut(row).enumerate() {
            for (i, b) in line.iter_mut().enumerate().skip(1) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *b = if seed.is_multiple_of(50) { seed as u8 } else { ((i / 90 + r / 17) * 40) as u8 };
            }
        }
        raw
    }

    /// The zlib stream of strips is one stream: inflated (the Adler-32 of
    /// all the rows checked) it gives the rows back, whatever the row count
    /// (strips of unequal rows), just past the size that cuts them and
    /// below it.
    #[test]
    fn strips_inflate_to_the_rows() {
        let row = 1200 * 3 + 1;
        for rows in [800, 801, 807, STRIPS_FROM / row + 1, STRIPS_FROM / row - 1, 3] {
            let raw = rows_like_a_flame_graph(rows, row);
            let z = compress_rows(&raw, row).unwrap();
            assert_eq!(&z[..2], &[0x78, 0x9c], "{rows} rows");
            let back = miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap_or_default();
            assert!(back == raw, "{rows} rows");
            // In strips above the size (one stream of deflate blocks is what
            // `compress_to_vec_zlib` writes for the whole).
            let whole = miniz_oxide::deflate::compress_to_vec_zlib(&raw, ZLIB_LEVEL);
            assert_eq!(z == whole, raw.len() < STRIPS_FROM, "{rows} rows");
        }
    }

    #[test]
    fn png_round_trips_exact_pixels() {
        let f = font().unwrap();
        let scene = Scene {
            width: 7,
            height: 5,
            css_width: 7,
            css_height: 5,
            background: Rgb(1, 2, 3),
            metrics: TextMetrics::new(&f, 12.0),
            items: vec![Item::Rect { x: 2, y: 1, w: 3, h: 2, color: Rgb(200, 100, 50), tip: None }],
            unit: flamekit_core::ValueUnit::None,
            tip_total: 0.0,
        };
        let bytes = to_png(&scene).unwrap();
        let mut reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height, info.color_type), (7, 5, png::ColorType::Rgb));
        for y in 0..5 {
            for x in 0..7 {
                let inside = (2..5).contains(&x) && (1..3).contains(&y);
                let want = if inside { [200, 100, 50] } else { [1, 2, 3] };
                let i = (y * 7 + x) * 3;
                assert_eq!(buf[i..i + 3], want, "pixel {x},{y}");
            }
        }
    }
}
