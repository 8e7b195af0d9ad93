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

/// Counts the bytes written to it, and fails a write (with an error) that
/// would take the count past `max`: the exports' lengths, found without
/// the text.
pub(crate) struct Counter {
    /// Bytes counted so far.
    pub(crate) n: u64,
    max: u64,
}

impl Counter {
    /// A counter with no bound.
    pub(crate) fn unbounded() -> Counter {
        Counter::within(u64::MAX)
    }

    /// A counter that fails past `max` bytes.
    pub(crate) fn within(max: u64) -> Counter {
        Counter { n: 0, max }
    }

    /// Count `n` bytes not written; fails past the bound.
    pub(crate) fn add(&mut self, n: u64) -> io::Result<()> {
        self.n = self.n.saturating_add(n);
        if self.n > self.max {
            return Err(io::Error::other("past the bound"));
        }
        Ok(())
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.add(buf.len() as u64)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
