//! Decoding rendered PNGs in tests.
#![allow(dead_code)]

/// An RGB image decoded with the `png` crate.
pub(crate) struct Image {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Image {
    pub(crate) fn decode(bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(bytes).read_info().expect("a valid PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("one frame");
        assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Rgb, png::BitDepth::Eight));
        buf.truncate(info.buffer_size());
        Image { width: info.width as usize, height: info.height as usize, rgb: buf }
    }

    pub(crate) fn at(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Length of the run of `color` on row `y` starting at column `x`.
    pub(crate) fn run(&self, x: usize, y: usize, color: [u8; 3]) -> usize {
        (x..self.width).take_while(|&c| self.at(c, y) == color).count()
    }
}

/// Encode 8-bit RGB pixels as a PNG.
pub(crate) fn encode_rgb(width: usize, height: usize, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width as u32, height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("PNG header");
    w.write_image_data(rgb).expect("PNG data");
    drop(w);
    out
}

/// A side-by-side comparison PNG: `expected` | `actual` | difference, with
/// a 4-pixel magenta gutter between panels. In the difference panel a pixel
/// that differs (or exists in only one image) is red, an equal one is the
/// image's pixel faded to a quarter of its contrast.
pub(crate) fn side_by_side(expected: &Image, actual: &Image) -> Vec<u8> {
    const GUTTER: usize = 4;
    let (w, h) = (expected.width.max(actual.width), expected.height.max(actual.height));
    let total_w = 3 * w + 2 * GUTTER;
    let mut rgb = vec![0u8; total_w * h * 3];
    let get = |img: &Image, x: usize, y: usize| (x < img.width && y < img.height).then(|| img.at(x, y));
    for y in 0..h {
        for x in 0..total_w {
            let px = match (x / (w + GUTTER), x % (w + GUTTER)) {
                (_, c) if c >= w => [255, 0, 255],
                (0, c) => get(expected, c, y).unwrap_or([0, 0, 0]),
                (1, c) => get(actual, c, y).unwrap_or([0, 0, 0]),
                (_, c) => match (get(expected, c, y), get(actual, c, y)) {
                    (Some(a), Some(b)) if a == b => a.map(|v| 191 + v / 4),
                    _ => [255, 0, 0],
                },
            };
            let i = (y * total_w + x) * 3;
            rgb[i..i + 3].copy_from_slice(&px);
        }
    }
    encode_rgb(total_w, h, &rgb)
}

/// Write `<dir>/<name>.actual.png` and, when the expected image is known,
/// `<dir>/<name>.diff.png` (see [`side_by_side`]). Returns a line naming
/// the files, for a failure message.
pub(crate) fn write_mismatch(dir: &std::path::Path, name: &str, expected: Option<&[u8]>, actual: &[u8]) -> String {
    std::fs::create_dir_all(dir).expect("create the review directory");
    let actual_path = dir.join(format!("{name}.actual.png"));
    std::fs::write(&actual_path, actual).expect("write the actual image");
    match expected {
        Some(expected) => {
            let diff_path = dir.join(format!("{name}.diff.png"));
            let diff = side_by_side(&Image::decode(expected), &Image::decode(actual));
            std::fs::write(&diff_path, diff).expect("write the diff image");
            format!("  {name}: actual {}, expected | actual | diff {}", actual_path.display(), diff_path.display())
        }
        None => format!("  {name}: actual {} (no expected image to compare with)", actual_path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_marks_differences() {
        let a = Image { width: 2, height: 1, rgb: vec![0, 0, 0, 255, 255, 255] };
        let b = Image { width: 2, height: 1, rgb: vec![0, 0, 0, 0, 0, 0] };
        let d = Image::decode(&side_by_side(&a, &b));
        assert_eq!((d.width, d.height), (3 * 2 + 2 * 4, 1));
        assert_eq!(d.at(0, 0), [0, 0, 0]); // expected panel
        assert_eq!(d.at(2, 0), [255, 0, 255]); // gutter
        assert_eq!(d.at(7, 0), [0, 0, 0]); // actual panel, second pixel
        assert_eq!(d.at(12, 0), [191, 191, 191]); // equal pixel, faded
        assert_eq!(d.at(13, 0), [255, 0, 0]); // differing pixel
    }
}
