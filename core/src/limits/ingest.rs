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
    /// Also bounds, per profile, the steps of walks that follow the input's
    /// structure: callgrind's call-tree nodes and the V8 sample walk's steps
    /// to `(program)` and `(garbage collector)` stacks.
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
    /// Most stack nodes (call paths: a frame under one path of callers) in
    /// one sampled profile's table. Default: 100,000,000 (400 MB to 2 GB of
    /// table). Every other limit bounds a table by the input's size, except
    /// where a few bytes may stand for many frames: a pprof location of
    /// many inlined lines, or a V8 `(program)` node, whose stack is the
    /// one before it.
    pub max_stack_nodes: u64,
    /// Most bytes of frame names and file names, over all of a group's
    /// distinct frames. Default: 268,435,456 (256 MiB; the frames and their
    /// keys then hold at most about 512 MiB). A frame's text is in the
    /// input, and real profiles' frames are a small part of it; but formats
    /// that give a string once and use it in many frames (a string table, a
    /// pmcstat `@ image` line, a source map's `sources`) could otherwise
    /// copy a 64 KiB name into millions of frames.
    pub max_frame_text_bytes: u64,
    /// Most entries in the source maps given with an import, together: a
    /// segment for each `,` or `;` in a map's `mappings` and one more, an
    /// entry for each element of `names`, `sources` and `sourcesContent`,
    /// for each index-map section and each Hermes function map, counted
    /// before any map is decoded. Default: 16,000,000. Decoding holds
    /// about 28 to 60 bytes for an entry (about 1 GB at the default) and an
    /// entry takes as little as 2 bytes of map (`A,`), so the input limit
    /// alone would let 256 MiB of maps hold several GB. Real maps spend
    /// about 5 to 10 bytes a segment: 16 million is a map of 80 to 160 MB.
    pub max_source_map_entries: u64,
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
            max_stack_nodes: 100_000_000,
            max_frame_text_bytes: 256 << 20,
            max_source_map_entries: 16_000_000,
        }
    }
}

/// The largest char boundary of `s` at or below `max` bytes: where a name
/// longer than `max` bytes is cut.
///
/// ```
/// assert_eq!(flamekit_core::cut_at("héllo", 2), 1);
/// assert_eq!(flamekit_core::cut_at("héllo", 99), 6);
/// ```
pub fn cut_at(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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
            max_stack_nodes: u64::MAX,
            max_frame_text_bytes: u64::MAX,
            max_source_map_entries: u64::MAX,
        }
    }

    /// Cut `s` to [`IngestLimits::max_name_bytes`] at a character boundary
    /// (freeing the rest of its memory), as importers cut frame and file
    /// names; true when it was cut.
    pub fn cut_name(&self, s: &mut String) -> bool {
        let max = usize::try_from(self.max_name_bytes).unwrap_or(usize::MAX);
        if s.len() <= max {
            return false;
        }
        s.truncate(cut_at(s, max));
        s.shrink_to_fit();
        true
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
            LimitKind::StackNodes => self.max_stack_nodes,
            LimitKind::FrameText => self.max_frame_text_bytes,
            LimitKind::SourceMapEntries => self.max_source_map_entries,
            // Not an ingest limit: the exports' fixed bound.
            LimitKind::ExportBytes => crate::MAX_EXPORT_BYTES,
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
/// smaller of the two bounds (plus 64 KiB of buffers). Runs on the calling
/// thread ([`gunzip_limited_on`] may use a second one).
pub fn gunzip_limited(bytes: &[u8], limits: &IngestLimits) -> Result<Vec<u8>> {
    gunzip_limited_on(bytes, limits, 1)
}

/// Most output, as a multiple of the input, allocated up front from what
/// the gzip trailer says ([`gunzip_limited_on`]): profiles compress 5–30×,
/// and a forged trailer on a small upload must not reserve much more than
/// the input could honestly hold (hosts such as WebAssembly have little
/// address space). Output past it grows the allocation as it comes.
const HINT_RATIO: u64 = 32;

/// Output handed to the inflater at a time when a second thread touches its
/// pages first ([`gunzip_limited_on`]).
const TOUCH_CHUNK: usize = 256 << 10;
/// Chunks the touching thread may be ahead of the inflater: at most this
/// many touched past the end of the output.
const TOUCH_AHEAD: usize = 16;
/// Output size (as the trailer tells it) below which a second thread is not
/// worth starting.
const TOUCH_MIN: usize = 4 << 20;

/// [`gunzip_limited`] on up to `threads` threads, with the same output and
/// errors for every value. With two or more, and an output of 4 MiB or more,
/// a second thread touches the output's memory 256 KiB at a time, up to 4
/// MiB ahead of the inflater, so the kernel maps and clears those pages on that
/// core instead of in the middle of inflating (about a third of inflating's
/// time when the inflater takes the faults itself). Memory stays bounded as
/// for [`gunzip_limited`], plus the 4 MiB touched ahead.
///
/// The output is allocated once for the size the last member's trailer
/// gives (its size modulo 2^32), under `limits.max_inflated_bytes`, what
/// `limits.max_inflation_ratio` allows, 32 times the input and
/// 1 GiB: address space, whose pages are mapped as they are written (or
/// touched), so a trailer that lies costs no more than that. A trailer that
/// says less than the output (several members, 4 GiB and more, or a ratio
/// past 32) costs a reallocation as the output grows past it;
/// one that says more, unused address space, released before returning.
pub fn gunzip_limited_on(bytes: &[u8], limits: &IngestLimits, threads: usize) -> Result<Vec<u8>> {
    let mut inflater =
        Inflater { decoder: flate2::read::MultiGzDecoder::new(Counting { inner: bytes, read: 0 }), limits, len: 0 };
    let trailer = match bytes.len().checked_sub(4).map(|i| &bytes[i..]) {
        Some(&[a, b, c, d]) => u64::from(u32::from_le_bytes([a, b, c, d])),
        _ => 0,
    };
    let hint = trailer
        .min(limits.max_inflated_bytes)
        .min((bytes.len() as u64).saturating_mul(HINT_RATIO))
        .min(limits.max_inflation_ratio.max(1).saturating_mul(bytes.len() as u64).max(IngestLimits::RATIO_FLOOR))
        .min(1 << 30);
    // Zeroed memory from the allocator: pages are mapped as they are written.
    let mut out = vec![0u8; hint as usize];
    let ended = if threads >= 2 && out.len() >= TOUCH_MIN {
        inflater.fill_touched(&mut out)?
    } else {
        inflater.fill(&mut out)?
    };
    out.truncate(inflater.len);
    if !ended {
        // The trailer said too little: the rest as it comes, growing by doubling.
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = inflater.read(&mut buf)?;
            if n == 0 {
                break;
            }
            if out.len() + n > out.capacity() {
                // Capacity stays <= max (the read checked the new total).
                let cap = out.capacity().saturating_mul(2).max(out.len() + n);
                let cap = cap.min(usize::try_from(limits.max_inflated_bytes).unwrap_or(usize::MAX));
                out.reserve_exact(cap - out.len());
            }
            out.extend_from_slice(&buf[..n]);
        }
    } else if out.capacity() - out.len() > TOUCH_CHUNK {
        out.shrink_to_fit();
    }
    Ok(out)
}

/// A gzip decoder under `limits`, counting the bytes it has output.
struct Inflater<'b, 'l> {
    decoder: flate2::read::MultiGzDecoder<Counting<'b>>,
    limits: &'l IngestLimits,
    len: usize,
}

impl Inflater<'_, '_> {
    /// Inflate up to `buf.len()` bytes into `buf` (0: the stream has ended),
    /// checking the total output against the limits.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.decoder.read(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::Truncated {
                    format: "gzip",
                    location: format!("after {} inflated bytes", self.len),
                    message: "gzip stream ends early".into(),
                }
            } else {
                Error::Decompress { message: e.to_string() }
            }
        })?;
        let total = self.len as u64 + n as u64;
        self.limits.check_inflation(total, self.decoder.get_ref().read)?;
        self.len += n;
        Ok(n)
    }

    /// Inflate into `out` until it is full (`false`) or the stream has ended
    /// (`true`). No read crosses a multiple of [`TOUCH_CHUNK`] of the whole
    /// output, where [`Inflater::fill_touched`]'s chunks end: the decoder is
    /// asked for the same reads on any thread count, so the limits are
    /// checked after the same totals and an error is the same one.
    fn fill(&mut self, out: &mut [u8]) -> Result<bool> {
        let mut at = 0;
        while at < out.len() {
            let to_grid = TOUCH_CHUNK - self.len % TOUCH_CHUNK;
            let end = out.len().min(at + to_grid);
            match self.read(&mut out[at..end])? {
                0 => return Ok(true),
                n => at += n,
            }
        }
        Ok(false)
    }

    /// [`Inflater::fill`], with a second thread touching `out`'s pages
    /// [`TOUCH_CHUNK`] bytes at a time, at most [`TOUCH_AHEAD`] chunks ahead,
    /// and handing each chunk to the inflater in order. When the inflater
    /// has found no chunk waiting, the toucher hands over its next chunk
    /// untouched (the inflater takes its faults), so neither waits long for
    /// the other: mapping and clearing a page can cost as much as inflating
    /// into it.
    ///
    /// Where no thread can be started (WebAssembly, a host out of threads),
    /// [`Inflater::fill`] alone.
    fn fill_touched(&mut self, out: &mut [u8]) -> Result<bool> {
        use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
        use std::sync::mpsc::TryRecvError;
        let hungry = AtomicBool::new(false);
        // The output, for the toucher or, when it cannot start, for `fill`.
        let mut whole = Some(out);
        let touched = std::thread::scope(|s| {
            let (handed, chunks) = std::sync::mpsc::sync_channel::<&mut [u8]>(TOUCH_AHEAD);
            let (hungry, whole) = (&hungry, &mut whole);
            let toucher = std::thread::Builder::new().spawn_scoped(s, move || {
                let Some(out) = whole.take() else { return };
                for chunk in out.chunks_mut(TOUCH_CHUNK) {
                    if !hungry.swap(false, Relaxed) {
                        for page in chunk.chunks_mut(4096) {
                            page[0] = 0;
                        }
                        std::hint::black_box(&mut *chunk);
                    }
                    // The inflater has stopped (an error, or the stream's end).
                    if handed.send(chunk).is_err() {
                        break;
                    }
                }
            });
            // Not started: the closure, never run, left the output.
            let Ok(toucher) = toucher else { return None };
            let mut ended = Ok(false);
            loop {
                let chunk = match chunks.try_recv() {
                    Ok(chunk) => chunk,
                    Err(TryRecvError::Empty) => {
                        hungry.store(true, Relaxed);
                        match chunks.recv() {
                            Ok(chunk) => chunk,
                            Err(_) => break,
                        }
                    }
                    Err(TryRecvError::Disconnected) => break,
                };
                ended = self.fill(chunk);
                if !matches!(ended, Ok(false)) {
                    break;
                }
            }
            // Stops the toucher, should it be waiting to hand over a chunk.
            drop(chunks);
            Some(match toucher.join() {
                Ok(()) => ended,
                Err(_) => Err(Error::Internal { message: "the thread touching inflated pages panicked".into() }),
            })
        });
        match (touched, whole) {
            (Some(ended), _) => ended,
            (None, Some(out)) => self.fill(out),
            (None, None) => Err(Error::Internal { message: "the inflated output was lost".into() }),
        }
    }
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

    /// `len` bytes of text that compresses about 2:1 (lines of numbers from
    /// a fixed linear congruential sequence), so a wrong offset or a lost
    /// chunk shows in the output.
    fn text(len: usize, seed: u64) -> Vec<u8> {
        let (mut out, mut x) = (Vec::with_capacity(len + 32), seed);
        while out.len() < len {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            out.extend_from_slice(format!("f{};g{} {}\n", x >> 60, (x >> 56) & 3, (x >> 52) & 7).as_bytes());
        }
        out.truncate(len);
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// The output, or the error's code and message, on `threads` threads.
    fn gunzip_on(gz: &[u8], limits: &IngestLimits, threads: usize) -> std::result::Result<Vec<u8>, String> {
        gunzip_limited_on(gz, limits, threads).map_err(|e| format!("{}: {e}", e.code()))
    }

    #[test]
    fn gunzip_on_any_thread_count_gives_one_output_or_one_error() {
        let (a, b) = (text(9 << 20, 1), text(5 << 20, 2));
        let one = gzip(&a);
        // Between 2 and 3 times smaller than its output (the ratio case below).
        assert!((a.len() / 3..a.len() / 2).contains(&one.len()), "{}", one.len());
        // Two members: the last one's trailer tells 5 MiB of the 14 MiB, so
        // the output grows past the first allocation.
        let two = [gzip(&a), gzip(&b)].concat();
        let whole = [a.clone(), b].concat();
        // A trailer that tells more than the stream holds.
        let mut long = one.clone();
        let n = long.len();
        long[n - 4..].copy_from_slice(&(12u32 << 20).to_le_bytes());
        let unlimited = IngestLimits::unlimited();
        for threads in [1, 2, 4] {
            assert!(gunzip_on(&one, &unlimited, threads).unwrap() == a, "{threads} threads");
            assert!(gunzip_on(&two, &unlimited, threads).unwrap() == whole, "{threads} threads");
        }
        let limited = |max| IngestLimits { max_inflated_bytes: max, ..IngestLimits::unlimited() };
        let cases: [(&str, &[u8], IngestLimits); 5] = [
            ("truncated", &one[..n / 2], unlimited),
            ("long trailer", &long, unlimited),
            // Reached inside a chunk, and past the first allocation.
            ("limit", &one, limited(6_500_000)),
            ("limit after the trailer's size", &two, limited(13 << 20)),
            ("ratio", &one, IngestLimits { max_inflation_ratio: 2, ..IngestLimits::unlimited() }),
        ];
        for (what, gz, limits) in cases {
            let Err(expected) = gunzip_on(gz, &limits, 1) else { panic!("{what}: no error") };
            for threads in [2, 4] {
                let Err(e) = gunzip_on(gz, &limits, threads) else { panic!("{what}, {threads} threads: no error") };
                assert_eq!(e, expected, "{what}, {threads} threads");
            }
        }
    }
}
