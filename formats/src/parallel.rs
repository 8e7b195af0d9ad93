//! Parallel parsing of text formats ([`crate::ImportOptions::threads`]):
//! the text is cut into chunks at record boundaries, worker threads parse
//! chunks into chunk-local tables, and the calling thread merges the chunk
//! results in file order while later chunks are still being parsed. The
//! merge replays every chunk as the single-threaded importer would have read
//! it, so the group (frame and stack order, report, limit errors) is the same
//! for every thread count.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use flamekit_core::Result;

/// Smallest chunk handed to a worker: below this, thread hand-offs cost
/// more than they save.
pub(crate) const MIN_CHUNK: usize = 32 * 1024;

/// Largest chunk: small enough that merging can start early and chunk-local
/// tables stay small, large enough that a chunk's names are mostly repeats
/// (each distinct name of a chunk costs one lookup in the group's table).
pub(crate) const MAX_CHUNK: usize = 8 << 20;

/// The chunk size for `len` bytes on `threads` threads, or `None` when the
/// input should be read on the calling thread.
pub(crate) fn chunk_size(len: usize, threads: usize) -> Option<usize> {
    if threads <= 1 || len < 2 * MIN_CHUNK {
        return None;
    }
    Some((len / (threads * 8)).clamp(MIN_CHUNK, MAX_CHUNK))
}

/// Cut `text` into chunks of about `size` bytes, each ending at a record
/// boundary: `boundary(text, from)` is the end (exclusive) of the first
/// boundary at or after byte `from`, or `None` when there is none (the rest
/// is one chunk). Boundaries must be ASCII, so chunks are valid `str`s.
pub(crate) fn split(text: &str, size: usize, boundary: impl Fn(&[u8], usize) -> Option<usize>) -> Vec<&str> {
    let b = text.as_bytes();
    let mut chunks = Vec::with_capacity(b.len() / size.max(1) + 1);
    let mut start = 0;
    while start < b.len() {
        let end = match start.checked_add(size).filter(|&e| e < b.len()) {
            Some(at) => boundary(b, at).unwrap_or(b.len()),
            None => b.len(),
        };
        chunks.push(&text[start..end]);
        start = end;
    }
    chunks
}

/// The end of the line holding byte `from` (just past its `\n`).
pub(crate) fn line_boundary(b: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &b[from..]).map(|i| from + i + 1)
}

/// Parse `chunks` with `parse` on up to `threads` worker threads and hand
/// each result to `merge` on the calling thread, in chunk order (with one
/// thread or one chunk, both run on the calling thread). The first
/// error from `merge` stops the workers (chunks not yet started are never
/// parsed) and is returned.
pub(crate) fn parse_ordered<'a, T: Send>(
    chunks: &[&'a str],
    threads: usize,
    parse: impl Fn(&'a str) -> T + Sync,
    mut merge: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    if threads <= 1 || chunks.len() <= 1 {
        // Nothing to overlap: read on the calling thread.
        for chunk in chunks {
            merge(parse(chunk))?;
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Bounded: a worker far ahead of the merge waits instead of piling up
        // chunk tables.
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(threads * 2);
        let mut started = 0;
        for _ in 0..threads.min(chunks.len()) {
            let tx = tx.clone();
            let (next, stop, parse) = (&next, &stop, &parse);
            let worker = move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    if tx.send((i, parse(chunk))).is_err() {
                        break;
                    }
                }
            };
            // Where threads cannot be started (e.g. wasm32 without threads),
            // fewer workers, or none, read the chunks.
            if std::thread::Builder::new().spawn_scoped(scope, worker).is_ok() {
                started += 1;
            }
        }
        drop(tx);
        if started == 0 {
            drop(rx);
            for chunk in chunks {
                merge(parse(chunk))?;
            }
            return Ok(());
        }
        let mut pending: std::collections::BTreeMap<usize, T> = std::collections::BTreeMap::new();
        let mut want = 0;
        let result = (|| {
            while want < chunks.len() {
                let t = match pending.remove(&want) {
                    Some(t) => t,
                    None => match rx.recv() {
                        Ok((i, t)) if i == want => t,
                        Ok((i, t)) => {
                            pending.insert(i, t);
                            continue;
                        }
                        // Every worker is gone (one panicked): not all chunks arrived.
                        Err(_) => {
                            return Err(flamekit_core::Error::Internal {
                                message: format!("a parser thread stopped before chunk {want}"),
                            })
                        }
                    },
                };
                merge(t)?;
                want += 1;
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        // Unblock workers waiting to send, then let the scope join them.
        drop(rx);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_after_newlines_and_covers_the_text() {
        let text = "aaaa\nbb\ncccccc\nd";
        let chunks = split(text, 3, line_boundary);
        assert_eq!(chunks, vec!["aaaa\n", "bb\ncccccc\n", "d"]);
        assert_eq!(chunks.concat(), text);
        assert_eq!(split("no newline at all", 3, line_boundary), vec!["no newline at all"]);
    }

    #[test]
    fn merge_sees_chunks_in_order_and_stops_at_the_first_error() {
        let chunks: Vec<&str> = (0..50).map(|i| if i % 2 == 0 { "x" } else { "yy" }).collect();
        let mut seen = Vec::new();
        parse_ordered(
            &chunks,
            4,
            |c| c.len(),
            |n| {
                seen.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, chunks.iter().map(|c| c.len()).collect::<Vec<_>>());
        let mut merged = 0;
        let err = parse_ordered(
            &chunks,
            3,
            |c| c.len(),
            |_| {
                merged += 1;
                if merged == 7 {
                    return Err(flamekit_core::Error::Internal { message: "stop".into() });
                }
                Ok(())
            },
        );
        assert!(err.is_err());
        assert_eq!(merged, 7);
    }
}
