//! Streaming import of inputs larger than memory.
//!
//! [`import_reader`] reads collapsed stacks or `perf script` text from any
//! [`std::io::Read`] (gzip-compressed or not) in record-aligned chunks,
//! imports each chunk with the format's ordinary importer, and merges it into
//! an accumulator that keeps **one sample per distinct stack** (in first-seen
//! order) with the summed weight. Memory is therefore proportional to the
//! number of distinct stacks and frames plus one chunk, not to the input
//! size: a 10 GB collapsed file imports on a machine with far less memory.
//!
//! The price of streaming: the time-ordered view of a streamed profile is the
//! aggregated one (identical stacks merged), which for collapsed stacks — an
//! aggregated format to begin with — changes nothing that matters, and for
//! perf script merges repeated samples of the same stack.
//!
//! Trace events are not streamed: their begin/end pairs span the whole file
//! and may arrive out of order, so they need the whole input
//! ([`crate::import_with`]).

use std::collections::HashMap;
use std::io::{self, Read};

use flamekit_core::{
    Error, FrameId, GroupBuilder, ImportReport, IngestLimits, LimitKind, Location, ProfileData, ProfileGroup, Result,
    SampledBuilder, StackId, NO_STACK,
};

use crate::{Format, ImportOptions};

/// Options for [`import_reader`].
#[derive(Clone, Debug, PartialEq)]
pub struct StreamOptions {
    /// Import options; `limits.max_input_bytes` bounds the streamed
    /// (decompressed) bytes, `max_inflated_bytes` the gzip output, and
    /// `max_samples` the number of distinct stacks kept. Default: defaults.
    pub import: ImportOptions,
    /// Size of one chunk in bytes (a record longer than this grows the
    /// chunk). Default: 8 MiB.
    pub chunk_bytes: usize,
    /// Longest record (a line, or a perf event) accepted; a longer one fails
    /// with [`Error::InvalidProfile`] instead of growing the buffer without
    /// bound. Default: 64 MiB.
    pub max_record_bytes: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions { import: ImportOptions::default(), chunk_bytes: 8 << 20, max_record_bytes: 64 << 20 }
    }
}

/// Formats [`import_reader`] can stream: those whose importer-table row has
/// [`crate::StreamHooks`].
pub fn streamable() -> impl Iterator<Item = Format> {
    crate::importers().iter().filter(|e| e.stream.is_some()).map(|e| e.format)
}

/// Records separated by a blank line (`perf script` events): the end of the
/// last line in `buf` that is blank ([`crate::linux_perf::is_blank`]) and
/// follows another line.
pub(crate) fn blank_line_record_end(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr(b'\n', &buf[..end]) {
        let start = memchr::memrchr(b'\n', &buf[..i])?;
        if crate::linux_perf::is_blank(&buf[start + 1..i]) {
            return Some(i + 1);
        }
        end = i;
    }
    None
}

/// One record per line (collapsed stacks).
pub(crate) fn line_record_end(buf: &[u8]) -> Option<usize> {
    memchr::memrchr(b'\n', buf).map(|i| i + 1)
}

pub(crate) fn linux_perf_chunk(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    crate::linux_perf::import_inner(bytes, opts, true)
}

pub(crate) fn collapsed_chunk(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    crate::collapsed::import_inner(bytes, opts, true)
}

/// Counts bytes taken from the source and reports them.
struct Progress<'p, R> {
    inner: R,
    read: u64,
    callback: &'p mut dyn FnMut(u64),
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.callback)(self.read);
        Ok(n)
    }
}

/// Fill `buf` from `r` until it holds `want` bytes or the input ends.
/// Returns false at end of input.
fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, want: usize) -> Result<bool> {
    let mut tmp = [0u8; 64 * 1024];
    while buf.len() < want {
        let n = match r.read(&mut tmp) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(Error::Truncated {
                    format: "gzip",
                    location: "end of stream".into(),
                    message: "gzip stream ends early".into(),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::InvalidInput => {
                return Err(Error::Decompress { message: e.to_string() })
            }
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Ok(false);
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    Ok(true)
}

/// One aggregated profile.
struct Acc {
    name: String,
    builder: SampledBuilder,
    weights: Vec<f64>,
    order: Vec<StackId>,
}

struct Accumulator {
    group: GroupBuilder,
    profiles: Vec<Acc>,
    by_name: HashMap<String, usize>,
    report: ImportReport,
    lines_before: u64,
    /// Distinct stacks kept over all profiles (checked against `max_samples`).
    kept: u64,
}

impl Accumulator {
    fn merge(&mut self, chunk: &ProfileGroup) -> Result<()> {
        let mut frame_map: Vec<Option<FrameId>> = vec![None; chunk.frames().len()];
        for p in chunk.profiles() {
            let ProfileData::Sampled { stacks, samples, weights } = p.data() else {
                return Err(Error::Internal { message: "streamed formats produce sampled profiles".into() });
            };
            let pi = match self.by_name.get(p.name()) {
                Some(&i) => i,
                None => {
                    self.group.limits().check(LimitKind::Profiles, self.profiles.len() as u64 + 1)?;
                    self.profiles.push(Acc {
                        name: p.name().to_owned(),
                        builder: self.group.sampled(p.name(), p.unit()),
                        weights: Vec::new(),
                        order: Vec::new(),
                    });
                    self.by_name.insert(p.name().to_owned(), self.profiles.len() - 1);
                    self.profiles.len() - 1
                }
            };
            // Parents come before children in a stack table.
            let mut node_map: Vec<StackId> = Vec::with_capacity(stacks.len());
            for (parent, f, _) in stacks.nodes() {
                let f = f as usize;
                let acc_frame = match frame_map[f] {
                    Some(id) => id,
                    None => {
                        let id = self.group.frame(chunk.frames()[f].clone())?;
                        frame_map[f] = Some(id);
                        id
                    }
                };
                let acc_parent = if parent == NO_STACK { NO_STACK } else { node_map[parent as usize] };
                node_map.push(self.profiles[pi].builder.node(acc_parent, acc_frame)?);
            }
            let acc = &mut self.profiles[pi];
            for (&s, &w) in samples.iter().zip(weights) {
                if s == NO_STACK {
                    continue;
                }
                let node = node_map[s as usize] as usize;
                if node >= acc.weights.len() {
                    acc.weights.resize(node + 1, f64::NAN);
                }
                if acc.weights[node].is_nan() {
                    acc.weights[node] = 0.0;
                    acc.order.push(node as StackId);
                    self.kept += 1;
                    self.group.limits().check(LimitKind::Samples, self.kept)?;
                }
                acc.weights[node] += w;
            }
        }
        Ok(())
    }

    fn merge_report(&mut self, chunk: &ImportReport) {
        for d in &chunk.warnings {
            let location = match d.location {
                Location::Line(n) => Location::Line(n + self.lines_before),
                ref other => other.clone(),
            };
            if self.report.warnings.len() < ImportReport::MAX_WARNINGS {
                self.report.warnings.push(flamekit_core::Diagnostic { location, ..d.clone() });
            }
        }
        self.report.warning_count += chunk.warning_count;
        for (k, v) in &chunk.skipped {
            *self.report.skipped.entry(k).or_insert(0) += v;
        }
    }
}

/// Import collapsed stacks or `perf script` text from `reader` with memory
/// proportional to the distinct stacks, calling `progress` with the number
/// of bytes read from `reader` so far. gzip input is inflated on the fly.
///
/// ```
/// let input = "main;parse 3\nmain;render 2\nmain;parse 4\n";
/// let mut seen = 0;
/// let (group, _report) = flamekit_formats::stream::import_reader(
///     input.as_bytes(), &Default::default(), &mut |n| seen = n).unwrap();
/// assert_eq!(seen, input.len() as u64);
/// // Identical stacks are merged: 2 distinct stacks, 9 in total.
/// assert_eq!(group.profiles()[0].sample_count(), 2);
/// assert_eq!(group.profiles()[0].total_weight(), 9.0);
/// ```
pub fn import_reader<R: Read>(
    reader: R,
    opts: &StreamOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<(ProfileGroup, ImportReport)> {
    let limits = opts.import.limits;
    let mut source = Progress { inner: reader, read: 0, callback: progress };
    let mut head = Vec::new();
    fill(&mut source, &mut head, 2)?;
    if flamekit_core::is_gzip(&head) {
        let chained = io::Cursor::new(head).chain(source);
        let gz = flate2::read::MultiGzDecoder::new(chained);
        let limited = gz.take(limits.max_inflated_bytes.saturating_add(1));
        return stream_text(limited, opts, Some(limits.max_inflated_bytes));
    }
    stream_text(io::Cursor::new(head).chain(source), opts, None)
}

fn stream_text<R: Read>(
    mut r: R,
    opts: &StreamOptions,
    inflated_max: Option<u64>,
) -> Result<(ProfileGroup, ImportReport)> {
    let limits = opts.import.limits;
    // No chunk or record is longer than the input may be: the buffer never
    // holds more than `max_input_bytes` + 1, whatever the sizes asked for.
    let input_cap = usize::try_from(limits.max_input_bytes.saturating_add(1)).unwrap_or(usize::MAX).max(4096);
    let chunk_bytes = opts.chunk_bytes.clamp(4096, input_cap);
    // Room for a chunk if there is room: a size no allocator gives grows
    // the buffer as the input comes instead.
    let mut buf: Vec<u8> = Vec::new();
    let _ = buf.try_reserve(chunk_bytes.saturating_add(64 * 1024));
    let mut more = fill(&mut r, &mut buf, chunk_bytes)?;
    // The most the buffer holds to take in one record longer than a chunk.
    let record_max = opts.max_record_bytes.clamp(chunk_bytes, input_cap);
    // A first line longer than the chunk (a deep stack): read on to its
    // end, up to that, so that detection judges a whole line.
    while more && buf.len() < record_max && memchr::memchr(b'\n', &buf).is_none() {
        let want = buf.len().saturating_mul(2).min(record_max);
        more = fill(&mut r, &mut buf, want)?;
    }
    // A first line past the input's bound.
    limits.check(LimitKind::InputBytes, buf.len() as u64)?;
    let window = buf.len().min(64 * 1024);
    let head = match line_record_end(&buf[..window]) {
        Some(end) if more || window < buf.len() => &buf[..end],
        Some(_) => &buf[..window],
        // A first line longer than the window: all of it, when the buffer
        // holds its end or is the whole input.
        None => match memchr::memchr(b'\n', &buf[window..]) {
            Some(i) => &buf[..window + i + 1],
            None if !more => &buf[..],
            None => &buf[..window],
        },
    };
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::InvalidArgument {
            name: "reader",
            message: "UTF-16 input cannot be streamed; import it from memory instead".into(),
        });
    }
    // Content sniffing only: a container inside the stream is not opened.
    let format = crate::sniff_format(head, None)?;
    let Some(hooks) = format.importer().stream else {
        return Err(Error::UnsupportedFormat {
            tried: streamable().map(|f| format!("{} (streaming)", f.id())).collect(),
        });
    };
    // Source maps apply to the whole group at the end; their bytes count
    // toward the input budget.
    let maps = crate::sourcemap::SourceMaps::parse(&opts.import.source_maps, &opts.import.limits)?;
    let map_bytes = crate::sourcemap::total_bytes(&opts.import.source_maps);
    let chunk_opts = ImportOptions {
        limits: IngestLimits { max_input_bytes: u64::MAX, max_samples: u64::MAX, ..limits },
        name: opts.import.name.clone(),
        source_maps: Vec::new(),
        ..opts.import.clone()
    };
    let mut acc = Accumulator {
        group: GroupBuilder::new(format.id(), &limits),
        profiles: Vec::new(),
        by_name: HashMap::new(),
        report: ImportReport::new(format.id()),
        lines_before: 0,
        kept: 0,
    };
    let mut total: u64 = 0;
    let mut want = chunk_bytes;
    loop {
        if !more && buf.is_empty() {
            break;
        }
        let end = if more { (hooks.record_end)(&buf) } else { Some(buf.len()) };
        let Some(end) = end.filter(|&e| e > 0) else {
            // One record longer than the chunk: read more, up to the bound.
            if buf.len() >= record_max {
                limits.check(LimitKind::InputBytes, (total + buf.len() as u64).saturating_add(map_bytes))?;
                return Err(Error::InvalidProfile {
                    format: format.id(),
                    location: Location::Line(acc.lines_before + 1).to_string(),
                    message: format!("a record longer than max_record_bytes ({} bytes)", opts.max_record_bytes),
                });
            }
            want = want.saturating_mul(2).min(record_max);
            more = fill(&mut r, &mut buf, want)?;
            continue;
        };
        total += end as u64;
        limits.check(LimitKind::InputBytes, total.saturating_add(map_bytes))?;
        if let Some(max) = inflated_max {
            limits.check(LimitKind::InflatedBytes, total.min(max.saturating_add(1)))?;
        }
        let chunk = &buf[..end];
        if !chunk.iter().all(|b| b.is_ascii_whitespace()) {
            let (group, report) = (hooks.import_chunk)(chunk, &chunk_opts)?;
            acc.merge(&group)?;
            acc.merge_report(&report);
        }
        acc.lines_before += memchr::memchr_iter(b'\n', chunk).count() as u64;
        buf.drain(..end);
        want = chunk_bytes;
        more = fill(&mut r, &mut buf, want)?;
    }
    let Accumulator { mut group, profiles, report, .. } = acc;
    if profiles.is_empty() {
        return Err(Error::EmptyProfile { message: format!("no {} record in the stream", format.id()) });
    }
    let name = opts.import.name.clone().unwrap_or_else(|| {
        if profiles.len() == 1 && format == Format::LinuxPerf {
            profiles[0].name.clone()
        } else {
            String::new()
        }
    });
    group.set_name(name);
    for mut p in profiles {
        for &node in &p.order {
            p.builder.push_sample(node, p.weights[node as usize])?;
        }
        group.push_profile(p.builder.finish())?;
    }
    let (mut g, mut builder_report) = group.finish(0)?;
    g.set_format(format.id());
    builder_report.warnings = report.warnings;
    builder_report.warning_count = report.warning_count;
    builder_report.skipped = report.skipped;
    maps.apply(&mut g, &mut builder_report, &opts.import.limits)?;
    Ok((g, builder_report))
}

#[cfg(test)]
mod tests {
    use super::blank_line_record_end;

    #[test]
    fn perf_records_end_after_the_last_blank_line() {
        assert_eq!(blank_line_record_end(b"a\n\nb\n\nc"), Some(6));
        assert_eq!(blank_line_record_end(b"a\n \t\nb"), Some(5));
        assert_eq!(blank_line_record_end(b"a\r\n\r\nb"), Some(5));
        // No blank line after another line: no record ends yet.
        assert_eq!(blank_line_record_end(b"a\nb\n"), None);
        assert_eq!(blank_line_record_end(b"\nb"), None);
        assert_eq!(blank_line_record_end(b""), None);
    }
}
