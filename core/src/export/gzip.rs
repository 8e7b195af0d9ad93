//! One gzip member compressed in blocks, on as many threads as there are
//! cores.
//!
//! The text is cut every [`BLOCK`] bytes. Each block is deflated on its own,
//! with the 32 KiB of text before it as its dictionary (what a single
//! deflate stream would have in its window there, so repeats across the cut
//! are still found), and ends with a sync flush (on a byte boundary); the
//! last one ends the stream. The blocks, joined in order under one gzip
//! header, are one deflate stream with the CRC-32 and length of the whole
//! text. Where a block is deflated changes nothing: the bytes are the same
//! on any number of threads.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Bytes of text per block.
const BLOCK: usize = 1 << 20;
/// The deflate window: how much text before a block is its dictionary.
const WINDOW: usize = 32 * 1024;

/// The text `write` writes, as one gzip member at `level` (header without
/// file name and with modification time 0, as `flate2::GzBuilder` writes
/// it), deflated on `threads` threads (the calling thread alone for 0 or 1).
pub(crate) fn gzip(
    level: u32,
    threads: usize,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let xfl = match level {
        9.. => 2,
        0 | 1 => 4,
        _ => 0,
    };
    let header = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255];
    let (crc, mut out) = if threads > 1 {
        std::thread::scope(|scope| {
            let mut w = Blocks::new(level, header, Some(Workers { scope, threads, started: None }));
            write(&mut w)?;
            w.finish()
        })?
    } else {
        let mut w = Blocks::new(level, header, None);
        write(&mut w)?;
        w.finish()?
    };
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    Ok(out)
}

/// A block to deflate: its number, its dictionary, its text, and whether
/// it ends the stream.
struct Job {
    index: usize,
    dictionary: Vec<u8>,
    text: Vec<u8>,
    last: bool,
}

/// A deflated block and its number.
type Done = (usize, io::Result<Vec<u8>>);

/// The threads blocks are deflated on, started at the first full block.
struct Workers<'scope, 'env> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    threads: usize,
    started: Option<(mpsc::SyncSender<Job>, mpsc::Receiver<Done>)>,
}

impl Workers<'_, '_> {
    /// The jobs' sender and the results' receiver, the threads started;
    /// `None` when no thread can be started (WebAssembly, a host out of
    /// threads): the blocks are then deflated on the calling thread.
    fn start(&mut self, level: u32) -> Option<&(mpsc::SyncSender<Job>, mpsc::Receiver<Done>)> {
        let (scope, threads) = (self.scope, self.threads);
        if self.started.is_none() {
            if threads == 0 {
                return None;
            }
            // A few blocks wait per thread: the writer runs ahead of the
            // deflating by at most that much text.
            let (tx, jobs) = mpsc::sync_channel::<Job>(2 * threads);
            let (done, rx) = mpsc::channel();
            let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
            let mut started = 0;
            for _ in 0..threads {
                let (jobs, done) = (jobs.clone(), done.clone());
                let worker = move || loop {
                    // The lock is held only while taking a job.
                    let job = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    if done.send((job.index, deflate(level, &job))).is_err() {
                        return;
                    }
                };
                started += usize::from(std::thread::Builder::new().spawn_scoped(scope, worker).is_ok());
            }
            if started == 0 {
                // Not tried again: every later block is deflated here.
                self.threads = 0;
                return None;
            }
            self.started = Some((tx, rx));
        }
        self.started.as_ref()
    }
}

/// The writer the text is written to: it cuts the text into blocks, keeps
/// their CRC, and appends them deflated to the output in order.
struct Blocks<'scope, 'env> {
    level: u32,
    crc: Crc,
    text: Vec<u8>,
    /// The last [`WINDOW`] bytes of the block before.
    dictionary: Vec<u8>,
    /// Blocks shipped.
    shipped: usize,
    /// Blocks appended to the output (the number of the next one).
    next: usize,
    /// The output: the header and the blocks deflated so far, in order.
    out: Vec<u8>,
    /// Blocks deflated ahead of one not back yet, by number.
    ahead: BTreeMap<usize, Vec<u8>>,
    /// `None`: every block is deflated on the calling thread.
    workers: Option<Workers<'scope, 'env>>,
}

impl<'scope, 'env> Blocks<'scope, 'env> {
    fn new(level: u32, header: Vec<u8>, workers: Option<Workers<'scope, 'env>>) -> Self {
        Blocks {
            level,
            crc: Crc::new(),
            text: Vec::with_capacity(BLOCK),
            dictionary: Vec::new(),
            shipped: 0,
            next: 0,
            out: header,
            ahead: BTreeMap::new(),
            workers,
        }
    }

    /// Hand the current block on (`last`: it ends the stream).
    fn ship(&mut self, last: bool) -> io::Result<()> {
        let text = std::mem::replace(&mut self.text, if last { Vec::new() } else { Vec::with_capacity(BLOCK) });
        // Whole blocks: the CRC's wide loop, not a call per small write.
        self.crc.update(&text);
        let next_dictionary = text[text.len().saturating_sub(WINDOW)..].to_vec();
        let dictionary = std::mem::replace(&mut self.dictionary, next_dictionary);
        let job = Job { index: self.shipped, dictionary, text, last };
        self.shipped += 1;
        let level = self.level;
        let workers = match &mut self.workers {
            // A text of one block starts no thread.
            Some(workers) if !(last && workers.started.is_none()) => workers.start(level),
            _ => None,
        };
        match workers {
            Some((tx, rx)) => {
                let back: Vec<Done> = rx.try_iter().collect();
                tx.send(job).map_err(|_| io::Error::other("a deflating thread stopped"))?;
                for done in back {
                    self.take(done)?;
                }
            }
            None => {
                let part = deflate(level, &job)?;
                self.out.extend_from_slice(&part);
                self.next += 1;
            }
        }
        Ok(())
    }

    /// A block back from a worker: appended, with the ones after it that
    /// came back before it.
    fn take(&mut self, (index, part): Done) -> io::Result<()> {
        self.ahead.insert(index, part?);
        while let Some(part) = self.ahead.remove(&self.next) {
            self.out.extend_from_slice(&part);
            self.next += 1;
        }
        Ok(())
    }

    /// Ship the last block; the CRC and the output (header and blocks).
    fn finish(mut self) -> io::Result<(Crc, Vec<u8>)> {
        self.ship(true)?;
        if let Some((tx, rx)) = self.workers.take().and_then(|w| w.started) {
            drop(tx);
            for done in rx.iter() {
                self.take(done)?;
            }
        }
        if self.next != self.shipped {
            return Err(io::Error::other("a deflating thread stopped"));
        }
        Ok((self.crc, self.out))
    }
}

impl Write for Blocks<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            if self.text.len() == BLOCK {
                // Shipped only when more text follows: the last block ends
                // the stream.
                self.ship(false)?;
            }
            let take = rest.len().min(BLOCK - self.text.len());
            self.text.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One block, deflated (raw deflate, no header): its text, then the flush.
/// (The deflater's bytes depend on how much room it is given at each call:
/// the same here for a block on any thread.)
fn deflate(level: u32, job: &Job) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    if !job.dictionary.is_empty() {
        c.set_dictionary(&job.dictionary).map_err(io::Error::other)?;
    }
    let mut out = Vec::with_capacity(job.text.len() / 2 + 1024);
    let room = |out: &mut Vec<u8>| {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity().max(64 * 1024));
        }
    };
    while (c.total_in() as usize) < job.text.len() {
        room(&mut out);
        let read = c.total_in() as usize;
        c.compress_vec(&job.text[read..], &mut out, FlushCompress::None).map_err(io::Error::other)?;
    }
    let flush = if job.last { FlushCompress::Finish } else { FlushCompress::Sync };
    loop {
        room(&mut out);
        let status = c.compress_vec(&[], &mut out, flush).map_err(io::Error::other)?;
        match status {
            Status::StreamEnd => return Ok(out),
            // A sync flush is complete when it did not fill the output.
            _ if !job.last && out.len() < out.capacity() => return Ok(out),
            Status::BufError if out.len() < out.capacity() => {
                return Err(io::Error::other("deflate made no progress"));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// `n` bytes of text that repeats, with a counter so it is not one run.
    fn text(n: usize) -> Vec<u8> {
        let mut t = Vec::with_capacity(n);
        let mut i = 0u64;
        while t.len() < n {
            t.extend_from_slice(format!("[{},{},{}],", i % 97, i % 13, i / 7).as_bytes());
            i += 1;
        }
        t.truncate(n);
        t
    }

    /// Random bytes (xorshift), which do not compress.
    fn noise(n: usize, mut x: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn gz(data: &[u8], threads: usize) -> Vec<u8> {
        gzip(6, threads, |w| w.write_all(data)).unwrap()
    }

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz).read_to_end(&mut out).unwrap();
        out
    }

    /// Where no deflating thread could be started ([`Workers::start`] gives
    /// `None`, as after every spawn failed), the blocks are deflated on the
    /// calling thread, into the same bytes.
    #[test]
    fn blocks_are_deflated_here_when_no_thread_starts() {
        let data = text(3 * BLOCK + 1234);
        let header = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        let (crc, mut out) = std::thread::scope(|scope| {
            let mut w = Blocks::new(6, header, Some(Workers { scope, threads: 0, started: None }));
            w.write_all(&data).unwrap();
            assert!(w.workers.as_ref().is_some_and(|w| w.started.is_none()), "no thread was started");
            w.finish().unwrap()
        });
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
        assert_eq!(out, gz(&data, 1));
        assert_eq!(gunzip(&out), data);
    }

    #[test]
    fn one_block_is_one_stream_under_the_gz_builders_header() {
        let mut enc = flate2::GzBuilder::new().mtime(0).write(Vec::new(), Compression::new(6));
        enc.write_all(b"x").unwrap();
        let header = &enc.finish().unwrap()[..10];
        for n in [0, 1, 1000, BLOCK - 1, BLOCK] {
            let data = text(n);
            let out = gz(&data, 4);
            assert_eq!(&out[..10], header, "{n} bytes");
            assert_eq!(gunzip(&out), data, "{n} bytes");
            // One deflate stream: it inflates alone, and nothing follows
            // it but the CRC and the length.
            let mut raw = flate2::Decompress::new(false);
            let mut back = Vec::with_capacity(n + 1);
            let status = raw.decompress_vec(&out[10..], &mut back, flate2::FlushDecompress::Finish).unwrap();
            assert_eq!(status, flate2::Status::StreamEnd, "{n} bytes");
            assert_eq!(raw.total_in() as usize + 10 + 8, out.len(), "{n} bytes");
            assert_eq!(back, data);
        }
    }

    #[test]
    fn blocks_inflate_to_the_text_the_same_on_any_thread_count() {
        for n in [BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 12_345] {
            let data = text(n);
            let one = gz(&data, 1);
            assert_eq!(gunzip(&one), data, "{n} bytes");
            for threads in [2, 3, 8] {
                assert_eq!(gz(&data, threads), one, "{n} bytes on {threads} threads");
            }
        }
        // Written in pieces of any size: the same.
        let data = text(2 * BLOCK + 5);
        let pieces = gzip(6, 2, |w| data.chunks(7_777).try_for_each(|c| w.write_all(c))).unwrap();
        assert_eq!(pieces, gz(&data, 1));
    }

    #[test]
    fn a_block_sees_the_text_before_it() {
        // Noise whose last 16 KiB, repeated, make the second block: with
        // the dictionary it is all matches; without, its first 16 KiB would
        // not compress. (Deflate finds no match quite a window back.)
        let mut data = noise(BLOCK, 7);
        let tail = data[BLOCK - WINDOW / 2..].to_vec();
        while data.len() < 2 * BLOCK {
            data.extend_from_slice(&tail);
        }
        let whole = gz(&data, 2);
        assert_eq!(gunzip(&whole), data);
        // What the second block costs, against the same text alone.
        let second = whole.len() - gz(&data[..BLOCK], 1).len();
        let alone = gz(&data[BLOCK..], 1).len();
        assert!(second + 8192 < alone, "{second} against {alone}");
    }

    #[test]
    fn a_failing_writer_is_an_error_on_any_thread_count() {
        for threads in [1, 2] {
            let e = gzip(6, threads, |w| {
                w.write_all(&text(3 * BLOCK))?;
                Err(io::Error::other("no more"))
            })
            .unwrap_err();
            assert_eq!(e.to_string(), "no more");
        }
    }
}
