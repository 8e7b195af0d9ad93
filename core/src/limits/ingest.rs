use std::io::Read;

use crate::error::{Error, LimitKind, Result};

/// Bounds on what an importer accepts. Importers check them while reading, so
/// a hostile input stops as soon as it crosses a bound, with
/// [`Error::LimitExceeded`] and memory bounded by the limits rather than by the input.
///
/// `IngestLimits::default()` suits a backend that accepts uploads: every
/// corpus profile and real captures of several hundred MB pass, while one
/// request cannot make the process hold more than about a gigabyte of input.
/// Raise the limits for trusted batch jobs, or use
/// [`IngestLimits::unlimited`] to turn every check off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IngestLimits {
    /// Largest accepted input in bytes, before decompression. Default: 256 MiB.
    pub max_input_bytes: u64,
    /// Largest size after gzip/zip decompression. Default: 1 GiB (gzip
    /// compresses profiles about 5–20×, so a 256 MiB upload of a normal
    /// profile fits; a gzip bomb stops at 1 GiB).
    pub max_inflated_bytes: u64,
    /// Most distinct frames in one group. Default: 5,000,000.
    pub max_frames: u64,
    /// Most samples plus events over all profiles of a group. Default: 100,000,000.
    pub max_samples: u64,
    /// Deepest accepted stack. Default: 1,000,000.
    pub max_stack_depth: u64,
    /// Most profiles in a group. Default: 10,000.
    pub max_profiles: u64,
    /// Largest ratio of inflated bytes to the compressed bytes consumed so
    /// far, checked while inflating gzip and zip data once more than
    /// [`IngestLimits::RATIO_FLOOR`] bytes came out. Default: 200 (real
    /// profiles compress 5–30×; deflate bombs reach 1,000×, so a bomb stops
    /// after a few MB instead of at `max_inflated_bytes`).
    pub max_inflation_ratio: u64,
    /// Longest frame name (and file name) kept, in bytes; longer names are
    /// cut at a character boundary with a `name_truncated` report warning.
    /// Default: 65,536 (64 KiB).
    pub max_name_bytes: u64,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_input_bytes: 256 << 20,
            max_inflated_bytes: 1 << 30,
            max_frames: 5_000_000,
            max_samples: 100_000_000,
            max_stack_depth: 1_000_000,
            max_profiles: 10_000,
            max_inflation_ratio: 200,
            max_name_bytes: 64 << 10,
        }
    }
}

impl IngestLimits {
    /// Inflated bytes below which [`IngestLimits::max_inflation_ratio`] is
    /// not checked (1 MiB): a small file may compress far better than 200×
    /// without costing anything.
    pub const RATIO_FLOOR: u64 = 1 << 20;

    /// Check `inflated` bytes produced from `compressed` bytes consumed
    /// against [`IngestLimits::max_inflated_bytes`] and
    /// [`IngestLimits::max_inflation_ratio`].
    pub fn check_inflation(&self, inflated: u64, compressed: u64) -> Result<()> {
        self.check(LimitKind::InflatedBytes, inflated)?;
        if inflated > Self::RATIO_FLOOR && inflated > compressed.saturating_mul(self.max_inflation_ratio) {
            return Err(Error::LimitExceeded {
                limit: LimitKind::InflationRatio,
                max: self.max_inflation_ratio,
                value: inflated.div_ceil(compressed.max(1)),
            });
        }
        Ok(())
    }

    /// No limits at all (every bound is `u64::MAX`).
    pub fn unlimited() -> Self {
        IngestLimits {
            max_input_bytes: u64::MAX,
            max_inflated_bytes: u64::MAX,
            max_frames: u64::MAX,
            max_samples: u64::MAX,
            max_stack_depth: u64::MAX,
            max_profiles: u64::MAX,
            max_inflation_ratio: u64::MAX,
            max_name_bytes: u64::MAX,
        }
    }

    /// Check one value against one limit.
    pub fn check(&self, kind: LimitKind, value: u64) -> Result<()> {
        let max = self.get(kind);
        if value > max {
            Err(Error::LimitExceeded { limit: kind, max, value })
        } else {
            Ok(())
        }
    }

    /// The configured maximum for `kind`.
    pub fn get(&self, kind: LimitKind) -> u64 {
        match kind {
            LimitKind::InputBytes => self.max_input_bytes,
            LimitKind::InflatedBytes => self.max_inflated_bytes,
            LimitKind::Frames => self.max_frames,
            LimitKind::Samples => self.max_samples,
            LimitKind::StackDepth => self.max_stack_depth,
            LimitKind::Profiles => self.max_profiles,
            LimitKind::InflationRatio => self.max_inflation_ratio,
        }
    }
}

/// True when `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Counts the bytes a reader hands out (the compressed bytes consumed).
struct Counting<'a> {
    inner: &'a [u8],
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Decompress gzip data (all members), stopping with
/// [`Error::LimitExceeded`] as soon as the output would pass
/// `limits.max_inflated_bytes` or grow past `limits.max_inflation_ratio`
/// times the compressed bytes consumed so far. Memory stays bounded by the
/// smaller of the two bounds (plus 64 KiB of buffers).
pub fn gunzip_limited(bytes: &[u8], limits: &IngestLimits) -> Result<Vec<u8>> {
    let max = limits.max_inflated_bytes;
    let mut decoder = flate2::read::MultiGzDecoder::new(Counting { inner: bytes, read: 0 });
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(max.min(1 << 30) as usize));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = decoder.read(&mut buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::Truncated {
                    format: "gzip",
                    location: format!("after {} inflated bytes", out.len()),
                    message: "gzip stream ends early".into(),
                }
            } else {
                Error::Decompress { message: e.to_string() }
            }
        })?;
        if n == 0 {
            break;
        }
        let total = out.len() as u64 + n as u64;
        limits.check_inflation(total, decoder.get_ref().read)?;
        if out.len() + n > out.capacity() {
            // Grow by doubling, but never past the limit: capacity stays <= max.
            let cap = out.capacity().saturating_mul(2).max(out.len() + n);
            let cap = cap.min(usize::try_from(max).unwrap_or(usize::MAX));
            out.reserve_exact(cap - out.len());
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// gzip of `len` zero bytes, compressed as a stream (1 MiB at a time).
    fn gzip_zeros(len: u64) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            enc.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        enc.finish().unwrap()
    }

    #[test]
    fn gunzip_within_limit_and_at_exact_limit() {
        let gz = gzip_zeros(100_000);
        let limits = IngestLimits { max_inflated_bytes: 100_000, ..IngestLimits::default() };
        assert_eq!(gunzip_limited(&gz, &limits).unwrap(), vec![0u8; 100_000]);
        let limits = IngestLimits { max_inflated_bytes: 99_999, ..IngestLimits::default() };
        match gunzip_limited(&gz, &limits) {
            Err(Error::LimitExceeded { limit: LimitKind::InflatedBytes, max: 99_999, value }) => {
                assert!(value > 99_999 && value <= 100_000, "{value}")
            }
            r => panic!("{r:?}"),
        }
    }

    #[test]
    fn truncated_and_corrupt_gzip() {
        let gz = gzip_zeros(10_000);
        let e = gunzip_limited(&gz[..gz.len() / 2], &IngestLimits::default()).unwrap_err();
        assert_eq!(e.code(), "truncated_input");
        let mut bad = gz.clone();
        bad[12] ^= 0xff;
        let e = gunzip_limited(&bad, &IngestLimits::default()).unwrap_err();
        assert!(matches!(e.code(), "decompression_failed" | "truncated_input"), "{e}");
    }

    #[test]
    fn defaults_and_unlimited() {
        let d = IngestLimits::default();
        assert_eq!(d.max_input_bytes, 256 << 20);
        assert_eq!(d.max_inflated_bytes, 1 << 30);
        assert!(d.check(LimitKind::InputBytes, 256 << 20).is_ok());
        assert!(d.check(LimitKind::InputBytes, (256 << 20) + 1).is_err());
        let u = IngestLimits::unlimited();
        for k in [
            LimitKind::InputBytes,
            LimitKind::InflatedBytes,
            LimitKind::Frames,
            LimitKind::Samples,
            LimitKind::StackDepth,
            LimitKind::Profiles,
        ] {
            assert!(u.check(k, u64::MAX).is_ok());
            assert_eq!(u.get(k), u64::MAX);
        }
    }
}
