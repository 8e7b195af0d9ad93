//! Zip containers around a profile, e.g. `simple.v8log.json.zip` (one JSON
//! file zipped) or any archive holding a single profile file.
//!
//! [`main_entry`] picks the entry that holds the profile and inflates it with
//! [`IngestLimits::max_inflated_bytes`] enforced while reading, so a zip bomb
//! stops at the limit (memory stays bounded by the limit, whatever the entry
//! headers claim). Archives are never extracted to disk, nested zips are
//! refused and entries are sniffed without opening containers (a zip quine
//! cannot loop).
//!
//! Instruments `.trace` bundles zipped up (`*.trace.zip`) are recognised and
//! refused with [`Error::UnsupportedFormat`] naming the reason: their data is
//! a set of binary keyed archives, not a profile file. Export a deep copy
//! from Instruments instead (that text format is imported).

use std::io::{Cursor, Read};

use flamekit_core::{Error, IngestLimits, LimitKind, Result};

/// Bytes of an entry read to decide whether it is a profile, when the
/// archive holds several candidate files.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Largest capacity reserved up front from an entry's declared size (the
/// declared size is untrusted; the buffer still grows up to the limit).
const MAX_PREALLOC: u64 = 64 << 20;

/// True when `bytes` start with a zip local-file header (or are an empty archive).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn zip_error(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::Truncated { format: "zip", location: "archive".into(), message: "zip data ends early".into() }
        }
        other => Error::Decompress { message: format!("zip: {other}") },
    }
}

/// macOS metadata and directories are never the profile.
fn is_metadata(name: &str) -> bool {
    name.ends_with('/')
        || name.starts_with("__MACOSX/")
        || name.rsplit('/').next().is_some_and(|base| base.starts_with("._") || base == ".DS_Store")
}

/// Profile-like extensions, most specific first; an entry with one of these
/// is preferred over other entries.
fn extension_rank(name: &str) -> usize {
    const EXTS: &[&str] =
        &[".json", ".cpuprofile", ".heapprofile", ".log", ".prof", ".pb", ".pprof", ".jfr", ".txt", ".gz"];
    let lower = name.to_ascii_lowercase();
    EXTS.iter().position(|e| lower.ends_with(e)).unwrap_or(EXTS.len())
}

fn instruments_trace() -> Error {
    Error::UnsupportedFormat {
        tried: vec!["instruments-trace (a zipped Instruments .trace bundle holds binary keyed archives, not a \
             profile file; use Instruments' Edit > Deep Copy and import that text instead)"
            .into()],
    }
}

/// Read entry `index`, at most `max` bytes, checking
/// [`IngestLimits::max_inflation_ratio`] against the entry's compressed size
/// as it goes; returns the bytes and whether the entry has more than `max`.
fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    max: u64,
    limits: &IngestLimits,
    archive_len: u64,
) -> Result<(Vec<u8>, bool)> {
    let entry = archive.by_index(index).map_err(zip_error)?;
    let declared = entry.size();
    // The zip crate never reads past the archive, whatever the header claims.
    let compressed = entry.compressed_size().min(archive_len);
    let mut out = Vec::with_capacity(declared.min(max).min(MAX_PREALLOC) as usize);
    let mut limited = entry.take(max.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = limited.read(&mut buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::Truncated {
                    format: "zip",
                    location: format!("entry {index} after {} inflated bytes", out.len()),
                    message: "compressed data ends early".into(),
                }
            } else {
                Error::Decompress { message: format!("zip entry {index}: {e}") }
            }
        })?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        let ratio_only = IngestLimits { max_inflated_bytes: u64::MAX, ..*limits };
        ratio_only.check_inflation(out.len() as u64, compressed)?;
    }
    let over = out.len() as u64 > max;
    if over {
        out.truncate(max as usize);
    }
    Ok((out, over))
}

/// True when a prefix of an entry looks like something flamekit imports:
/// gzip data (not inflated here), or a shape some importer recognises.
/// Containers are never opened while sniffing, so sniffing cannot recurse.
fn looks_like_profile(prefix: &[u8]) -> bool {
    flamekit_core::is_gzip(prefix) || (!is_zip(prefix) && crate::sniffs_as_profile(prefix))
}

fn inflated_limit(max: u64, value: u64) -> Error {
    Error::LimitExceeded { limit: LimitKind::InflatedBytes, max, value }
}

/// The entry of the archive that holds the profile, inflated under `limits`.
///
/// The entry is the only file of the archive (metadata such as `__MACOSX/`
/// and directories aside); with several files, the first whose start is
/// recognised by an importer, trying profile-like names (`.json`,
/// `.cpuprofile`, ...) first. Each entry is examined at most once, entries
/// whose data overlaps one already examined are skipped, and every byte
/// inflated (sniffed prefixes included) counts against
/// `max_inflated_bytes`. Fails with [`Error::LimitExceeded`]
/// (`max_inflated_bytes`, `max_inflation_ratio`) as soon as a bound is
/// crossed, [`Error::UnsupportedFormat`] for zipped Instruments `.trace`
/// bundles and nested zips, and [`Error::Decompress`] for damaged or
/// encrypted archives.
pub fn main_entry(bytes: &[u8], limits: &IngestLimits) -> Result<Vec<u8>> {
    let max = limits.max_inflated_bytes;
    let archive_len = bytes.len() as u64;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for i in 0..archive.len() {
        let Some(name) = archive.name_for_index(i) else { continue };
        if name.contains(".trace/") || name.ends_with(".trace") {
            return Err(instruments_trace());
        }
        if !is_metadata(name) {
            candidates.push((extension_rank(name), i));
        }
    }
    candidates.sort();
    let mut spent: u64 = 0;
    let index = match candidates.as_slice() {
        [] => {
            return Err(Error::invalid("zip", "archive", "the archive holds no file"));
        }
        [(_, only)] => *only,
        several => {
            let mut found = None;
            let mut seen = std::collections::HashSet::new();
            for &(_, i) in several {
                // Central-directory entries pointing at data already examined
                // (overlapping entries) are not read again.
                let start = archive.by_index_raw(i).map_err(zip_error)?.header_start();
                if !seen.insert(start) {
                    continue;
                }
                let left = max.saturating_sub(spent);
                if left == 0 {
                    return Err(inflated_limit(max, spent.saturating_add(1)));
                }
                let (prefix, _) = read_entry(&mut archive, i, SNIFF_BYTES.min(left), limits, archive_len)?;
                spent += prefix.len() as u64;
                if looks_like_profile(&prefix) {
                    found = Some(i);
                    break;
                }
            }
            match found {
                Some(i) => i,
                None => {
                    return Err(Error::UnsupportedFormat {
                        tried: vec![format!("zip ({} files, none of them a recognised profile)", several.len())],
                    })
                }
            }
        }
    };
    let left = max.saturating_sub(spent);
    let (data, over) = read_entry(&mut archive, index, left, limits, archive_len)?;
    if over {
        return Err(inflated_limit(max, spent.saturating_add(left).saturating_add(1)));
    }
    if is_zip(&data) {
        return Err(Error::UnsupportedFormat { tried: vec!["zip inside zip (nested archives are not opened)".into()] });
    }
    Ok(data)
}
