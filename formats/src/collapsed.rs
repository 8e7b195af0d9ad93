//! Collapsed ("folded") stacks, as written by Brendan Gregg's FlameGraph
//! `stackcollapse-*.pl` scripts, inferno, py-spy `--format raw`, async-profiler
//! `collapsed` and many others: one line per distinct stack,
//!
//! ```text
//! main;parse;read_line 42
//! main;render 7.5
//! ```
//!
//! frames separated by `;` (outermost first), then a space (or tab) and a
//! weight, an integer or a decimal number. Frame names may themselves contain
//! spaces: the weight is what follows the *last* space.
//!
//! What is supported: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM,
//! LF and CRLF line ends, blank lines (ignored). A line that is not
//! `stack weight` (a comment, a truncated line, a negative weight) is skipped
//! and reported as `invalid_line` with its 1-based line number. The result is
//! one sampled profile (unit `none`, named after [`ImportOptions::name`] or
//! empty) whose samples keep file order, as speedscope does.
//!
//! The importer scans bytes with `memchr`, borrows frame names from the input
//! and reuses the stack prefix shared with the previous line, so sorted
//! collapsed files (the usual case) cost little more than one pass over them.

use flamekit_core::{
    Error, FrameId, GroupBuilder, ImportReport, LimitKind, Location, ProfileGroup, Result, SampledBuilder, StackId,
    ValueUnit, NO_STACK,
};

use crate::parallel::{BatchNames, Intern, MadeNames, ShardedNames, TOO_MANY_NAMES};

use crate::text::{decode_text, encoding, Encoding};
use crate::ImportOptions;

const FORMAT: &str = crate::Format::Collapsed.id();

/// How many bytes [`sniff`] looks at.
const SNIFF_BYTES: usize = 16 * 1024;

/// How far [`sniff`] reads past [`SNIFF_BYTES`] to finish a first line cut
/// there: a deep stack (10,000 frames of 30 bytes) is one line longer than
/// the window, and a cut line has no weight to judge it by.
const SNIFF_LINE_MAX: usize = 16 << 20;

/// The bytes [`sniff`] judges: [`SNIFF_BYTES`], or more to hold the whole
/// first line (up to [`SNIFF_LINE_MAX`]), so that a file starting with a
/// deep stack is judged by a complete line.
fn sniff_len(bytes: &[u8]) -> usize {
    let window = bytes.len().min(SNIFF_BYTES);
    let start = bytes[..window].iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(window);
    let reach = bytes.len().min(start.saturating_add(SNIFF_LINE_MAX));
    match memchr::memchr(b'\n', &bytes[start..reach]) {
        // One byte past the newline: UTF-16 ends its line in two.
        Some(i) => window.max(start + i + 2).min(bytes.len()),
        // A single line: all of it, when it is short enough.
        None if reach == bytes.len() => bytes.len(),
        None => window,
    }
}

/// Chunk read on the calling thread: large, since each chunk's names are
/// looked up in the group once (measured: 1 MiB chunks took 1.35x as long
/// as 8 MiB ones on the 100 MB `distinct` file).
const ONE_THREAD_CHUNK: usize = 8 << 20;

fn trim_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\r'])
}

/// Parse a weight: digits, optionally a fraction and an exponent. Finite and
/// non-negative only.
fn parse_weight(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0')) as f64);
    }
    let first_ok = b[0].is_ascii_digit() || (b[0] == b'.' && b.len() > 1);
    if !first_ok || !b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|w| w.is_finite() && *w >= 0.0)
}

/// Split a line (trailing whitespace already trimmed, not blank) into stack
/// and weight; `None` when it is not `stack weight`.
fn split_line(line: &str) -> Option<(&str, f64)> {
    let sp = memchr::memrchr2(b' ', b'\t', line.as_bytes())?;
    let weight = parse_weight(&line[sp + 1..])?;
    let stack = line[..sp].trim_end_matches([' ', '\t']);
    if stack.is_empty() {
        return None;
    }
    Some((stack, weight))
}

/// True when the first non-blank lines (up to 10, in the first 16 KiB, or
/// in the first line when it is longer) are mostly `stack weight` lines: at
/// least one, and at least half of them.
pub fn sniff(bytes: &[u8]) -> bool {
    let len = sniff_len(bytes);
    let text = decode_text(bytes, len);
    if text.contains('\0') {
        return false;
    }
    let complete = bytes.len() <= len;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if !complete && lines.len() > 1 {
        lines.pop(); // possibly cut in the middle
    }
    let (mut seen, mut valid) = (0, 0);
    for line in lines {
        let line = trim_end(line);
        if line.trim_start().is_empty() {
            continue;
        }
        seen += 1;
        if split_line(line).is_some() {
            valid += 1;
        }
        if seen == 10 {
            break;
        }
    }
    valid > 0 && valid * 2 >= seen
}

/// Import collapsed stacks.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    import_inner(bytes, opts, false)
}

/// Import; with `allow_empty`, input without any valid line gives a group
/// with no profile (and its report) instead of [`Error::EmptyProfile`] —
/// what streaming needs for a chunk of invalid lines.
pub(crate) fn import_inner(
    bytes: &[u8],
    opts: &ImportOptions,
    allow_empty: bool,
) -> Result<(ProfileGroup, ImportReport)> {
    let threads = opts.thread_count();
    // On several threads: chunks of whole lines, each checked as UTF-8 by
    // the worker that parses it (no thread reads the whole input first).
    // `None` for input too small to split, or not UTF-8.
    let on_workers = |body: &[u8]| match crate::parallel::chunk_size(body.len(), threads) {
        Some(size) => {
            let chunks = crate::parallel::split_bytes(body, size, crate::parallel::line_boundary);
            import_chunks(Chunks::Bytes(&chunks, threads), opts, allow_empty)
        }
        None => Ok(None),
    };
    if let Encoding::Utf8(body) = encoding(bytes) {
        if let Some(done) = on_workers(body)? {
            return Ok(done);
        }
    }
    // Decoded (input that is not UTF-8, UTF-16): on the workers when large
    // enough, else on the calling thread.
    let text = decode_text(bytes, usize::MAX);
    if let Some(done) = on_workers(text.as_bytes())? {
        return Ok(done);
    }
    let chunks = crate::parallel::split(&text, ONE_THREAD_CHUNK, crate::parallel::line_boundary);
    import_chunks(Chunks::Text(&chunks), opts, allow_empty)?
        .ok_or_else(|| Error::Internal { message: "text read on one thread reported as not UTF-8".into() })
}

/// The chunks [`import_chunks`] reads: text, read on the calling thread, or
/// bytes, read by this many worker threads that check each chunk's UTF-8.
enum Chunks<'c, 'a> {
    Text(&'c [&'a str]),
    Bytes(&'c [&'a [u8]], usize),
}

fn report_invalid(g: &mut GroupBuilder, line_no: u64, line: &str) {
    let shown: String = line.chars().take(80).collect();
    g.report().skip("invalid_line", Location::Line(line_no), format!("not `stack weight`: {shown}"));
}

fn finish(
    mut g: GroupBuilder,
    b: SampledBuilder,
    invalid: u64,
    allow_empty: bool,
) -> Result<(ProfileGroup, ImportReport)> {
    if b.sample_count() == 0 {
        if allow_empty {
            return g.finish(0);
        }
        return Err(Error::EmptyProfile {
            message: format!("no `stack weight` line in the collapsed input ({invalid} invalid line(s))"),
        });
    }
    g.push_profile(b.finish())?;
    g.finish(0)
}

/// One chunk of lines, read on a worker thread: frame names interned (see
/// [`Intern`]), and for every line how many outermost frames it shares with
/// the line before (in the chunk) and its other frames. No limit is checked
/// and no group table is touched here: the merge does that in file order.
#[derive(Default)]
struct Chunk<'a> {
    /// Samples: (frames shared with the previous sample, end of this
    /// sample's other frames in `fresh`, weight).
    samples: Vec<(u32, usize, f64)>,
    /// The non-shared frames of every sample (name ids), outermost first.
    fresh: Vec<u32>,
    /// Invalid lines: (line number in the chunk, samples before it, the line).
    invalid: Vec<(u64, usize, &'a str)>,
    /// Lines in the chunk.
    lines: u64,
    /// Names the worker added to the shared table while reading the chunk,
    /// made into strings on its thread ([`Intern::take_made`]).
    made: Vec<(u32, String)>,
}

/// Read one chunk of whole lines (see [`Chunk`]), comparing each stack with
/// the previous one: frames equal to the previous line's at the same depth
/// (from the outermost, until the first difference) are shared. Other
/// frame names are interned in `names`.
fn parse_chunk<'a>(text: &'a str, names: &mut impl Intern<'a>) -> Chunk<'a> {
    let mut c = Chunk::default();
    // A frame takes at least two bytes (a name byte and `;` or the weight's
    // space): grow `fresh` at most a few times (memory reserved but not
    // used is never touched).
    c.fresh.reserve(text.len() / 16);
    let mut prev_stack: &str = "";
    let mut prev: Vec<(usize, usize)> = Vec::new();
    let mut cur: Vec<(usize, usize)> = Vec::new();
    // A line's frames that are not shared, interned together.
    let mut fresh: Vec<&'a str> = Vec::new();
    let mut hashes: Vec<u64> = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = trim_end(&text[pos..end]);
        pos = end + 1;
        c.lines += 1;
        if line.is_empty() || line.trim_start().is_empty() {
            continue;
        }
        let Some((stack, weight)) = split_line(line) else {
            c.invalid.push((c.lines, c.samples.len(), line));
            continue;
        };
        cur.clear();
        fresh.clear();
        let sb = stack.as_bytes();
        // The previous stack's frames that this one repeats, found from the
        // first byte where the two differ: every frame that ends before it,
        // and the one that ends there when both stacks have a boundary
        // there (`;` or their end). Same bytes at the same offsets: their
        // positions are the previous ones.
        let pb = prev_stack.as_bytes();
        let same = crate::text::common_prefix(sb, pb);
        let boundary = |s: &[u8]| s.get(same).is_none_or(|&c| c == b';');
        let both = boundary(sb) && boundary(pb);
        let shared = prev.iter().take_while(|&&(_, pe)| pe < same || (pe == same && both)).count();
        cur.extend_from_slice(&prev[..shared]);
        // The rest of the stack, every frame new, if any is left.
        let mut start = match cur.last() {
            None => Some(0),
            Some(&(_, end)) => (end < sb.len()).then_some(end + 1),
        };
        while let Some(from) = start {
            let fend = memchr::memchr(b';', &sb[from..]).map_or(sb.len(), |i| from + i);
            fresh.push(&stack[from..fend]);
            cur.push((from, fend));
            start = (fend < sb.len()).then_some(fend + 1);
        }
        names.intern_all(&fresh, &mut hashes, &mut c.fresh);
        // At most one frame per byte of a chunk: fits in `u32`.
        c.samples.push((shared as u32, c.fresh.len(), weight));
        std::mem::swap(&mut prev, &mut cur);
        prev_stack = stack;
    }
    names.finish_chunk(&mut c.fresh);
    c.made = names.take_made();
    c
}

/// The chunks merged so far, in file order, into one group: every chunk is
/// replayed as one reader going through the whole text would, so the
/// group is the same for any chunking.
struct Merge {
    g: GroupBuilder,
    b: SampledBuilder,
    lines_before: u64,
    invalid: u64,
    /// Group frame of every name id, `FrameId::MAX` until its first use (in
    /// file order, so frames are numbered as one thread numbers them).
    frame_map: Vec<FrameId>,
    /// The stack nodes of the previous sample, outermost first (across
    /// chunks).
    nodes: Vec<StackId>,
    /// The group frames of a sample's other frames.
    stack: Vec<FrameId>,
    /// By name id: the string a worker made for the name
    /// ([`Chunk::made`]), until the name's first use moves it into its
    /// frame. A name first used in a chunk before the one whose worker
    /// added it has none yet, and is copied.
    made: MadeNames,
}

impl Merge {
    fn new(opts: &ImportOptions) -> Self {
        let name = opts.name.clone().unwrap_or_default();
        let mut g = GroupBuilder::new(FORMAT, &opts.limits);
        g.set_name(name.clone());
        let b = g.sampled(name, ValueUnit::None);
        Merge {
            g,
            b,
            lines_before: 0,
            invalid: 0,
            frame_map: Vec::new(),
            nodes: Vec::new(),
            stack: Vec::new(),
            made: MadeNames::default(),
        }
    }

    /// Merge the next chunk, whose names are ids of `names`.
    fn chunk(&mut self, c: Chunk<'_>, names: &dyn Intern<'_>) -> Result<()> {
        let Merge { g, b, frame_map, nodes, stack, made, .. } = self;
        made.keep(c.made, names.len());
        // The names seen so far are about as many frames in all.
        g.reserve_frames(names.len(), 0);
        // Every new node is one of the chunk's non-shared frames.
        b.reserve_nodes(c.fresh.len());
        let mut bad = c.invalid.iter().peekable();
        let mut from = 0;
        for (si, &(shared, to, weight)) in c.samples.iter().enumerate() {
            while let Some(&(line, _, text)) = bad.next_if(|x| x.1 <= si) {
                report_invalid(g, self.lines_before + line, text);
            }
            // The first sample of a chunk shares nothing in the chunk; its
            // nodes are looked up again (finding the existing ones).
            nodes.truncate(shared as usize);
            let parent = nodes.last().copied().unwrap_or(NO_STACK);
            stack.clear();
            for &f in &c.fresh[from..to] {
                let gf = match frame_map.get(f as usize) {
                    Some(&id) if id != FrameId::MAX => id,
                    _ => {
                        if f == TOO_MANY_NAMES {
                            return Err(Error::LimitExceeded {
                                limit: LimitKind::Frames,
                                max: u64::from(u32::MAX),
                                value: u64::from(u32::MAX) + 1,
                            });
                        }
                        // First use of this name, which no other name id
                        // has: new to the group.
                        let id = match made.take(f) {
                            Some(name) => g.frame_named_unseen(name)?,
                            None => g.frame_named_unseen(names.name(f))?,
                        };
                        if frame_map.len() <= f as usize {
                            frame_map.resize(names.len().max(f as usize + 1), FrameId::MAX);
                        }
                        frame_map[f as usize] = id;
                        id
                    }
                };
                stack.push(gf);
            }
            let node = b.path(parent, stack, nodes)?;
            from = to;
            b.push_sample(node, weight)?;
        }
        for &(line, _, text) in bad {
            report_invalid(g, self.lines_before + line, text);
        }
        self.invalid += c.invalid.len() as u64;
        self.lines_before += c.lines;
        Ok(())
    }

    fn finish(self, allow_empty: bool) -> Result<(ProfileGroup, ImportReport)> {
        finish(self.g, self.b, self.invalid, allow_empty)
    }
}

/// Parse the chunks (in parallel with several threads), and merge them in
/// order into one group ([`Merge`]). `None` when a chunk of
/// [`Chunks::Bytes`] is not UTF-8.
fn import_chunks(
    chunks: Chunks<'_, '_>,
    opts: &ImportOptions,
    allow_empty: bool,
) -> Result<Option<(ProfileGroup, ImportReport)>> {
    let mut merge = Merge::new(opts);
    let utf8 = match chunks {
        Chunks::Text(chunks) => {
            // One names table for every chunk: each name reaches the group once.
            let mut names = BatchNames::default();
            for chunk in chunks {
                let c = parse_chunk(chunk, &mut names);
                merge.chunk(c, &names)?;
            }
            true
        }
        // One names table shared by the workers, cut into shards by hash;
        // a worker interns a chunk's names shard by shard: each name is
        // learned once for the whole input.
        Chunks::Bytes(chunks, threads) => {
            let names = ShardedNames::new();
            crate::parallel::parse_utf8_ordered_with(
                chunks,
                threads,
                || names.batch_making_strings(),
                |batch, t| parse_chunk(t, batch),
                |c| merge.chunk(c, &&names),
            )?
        }
    };
    if !utf8 {
        return Ok(None);
    }
    merge.finish(allow_empty).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made_names(c: &Chunk<'_>) -> Vec<String> {
        let mut names: Vec<String> = c.made.iter().map(|(_, s)| s.clone()).collect();
        names.sort();
        names
    }

    /// Two chunks read by two workers, the later chunk first: its worker
    /// adds the names both chunks use and makes their strings. The merge
    /// moves a made string into its frame when the name is first used in
    /// the chunk that brought it, and copies the name when it is first used
    /// in an earlier chunk (whose merge comes before the string). The group
    /// is the one read on one thread.
    #[test]
    fn made_names_are_moved_into_frames_or_copied_when_used_before_they_come() {
        let (first, second) = ("main;shared 1\nmain;only_first 2\n", "main;shared;leaf 3\nmain;only_second 4\n");
        let names = ShardedNames::new();
        let later = parse_chunk(second, &mut names.batch_making_strings());
        let earlier = parse_chunk(first, &mut names.batch_making_strings());
        assert_eq!(made_names(&later), ["leaf", "main", "only_second", "shared"]);
        assert_eq!(made_names(&earlier), ["only_first"]);
        let opts = ImportOptions::default();
        let mut merge = Merge::new(&opts);
        merge.chunk(earlier, &&names).unwrap();
        merge.chunk(later, &&names).unwrap();
        // Left: the strings of the names the earlier chunk used first.
        let mut left = merge.made.left();
        left.sort();
        assert_eq!(left, ["main", "shared"]);
        let (group, _) = merge.finish(false).unwrap();
        let whole = format!("{first}{second}");
        let (one, _) = import(whole.as_bytes(), &opts).unwrap();
        assert_eq!(group, one);
        let frames: Vec<&str> = group.frames().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(frames, ["main", "shared", "only_first", "leaf", "only_second"]);
    }
}
