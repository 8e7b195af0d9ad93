//! Decoding rendered PNGs in tests.
#![allow(dead_code)]

/// An RGB image decoded with the `png` crate.
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Image {
    pub fn decode(bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(bytes).read_info().expect("a valid PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("one frame");
        assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Rgb, png::BitDepth::Eight));
        buf.truncate(info.buffer_size());
        Image { width: info.width as usize, height: info.height as usize, rgb: buf }
    }

    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Length of the run of `color` on row `y` starting at column `x`.
    pub fn run(&self, x: usize, y: usize, color: [u8; 3]) -> usize {
        (x..self.width).take_while(|&c| self.at(c, y) == color).count()
    }
}
