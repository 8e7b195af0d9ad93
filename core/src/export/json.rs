use std::io::{self, Write};

/// Write a JSON number deterministically: integral values up to 2^53 are
/// written without a fraction (`3`, not `3.0`), others with the shortest
/// round-tripping form. Non-finite values are written as `0` (the model never
/// stores them).
pub fn write_number<W: Write + ?Sized>(w: &mut W, x: f64) -> io::Result<()> {
    if !x.is_finite() {
        return w.write_all(b"0");
    }
    if x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0 {
        return w.write_all(itoa::Buffer::new().format(x as i64).as_bytes());
    }
    serde_json::to_writer(&mut *w, &x).map_err(io::Error::from)
}

pub(crate) fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::from)
}
