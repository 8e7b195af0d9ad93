//! Speedscope's own file format (<https://www.speedscope.app/file-format-schema.json>),
//! every version from 0.0.1 on, evented and sampled profiles.

use std::borrow::Cow;

use flamekit_core::{
    Error, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, SampledBuilder, ValueUnit,
};
use serde::Deserialize;

use crate::json::{self, skip_ws};
use crate::ImportOptions;

const FORMAT: &str = crate::Format::Speedscope.id();

/// The file, its profiles' `samples` read as `S`: [`Samples`] when serde
/// reads the input as it is, [`Taken`] when it reads the copy that
/// [`import_fast`] makes.
#[derive(Deserialize)]
struct File<'a, S> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "activeProfileIndex")]
    active_profile_index: Option<f64>,
    shared: Shared<'a>,
    #[serde(borrow)]
    profiles: Vec<FileProfile<'a, S>>,
}

#[derive(Deserialize)]
struct Shared<'a> {
    #[serde(borrow)]
    frames: Vec<FileFrame<'a>>,
}

#[derive(Deserialize)]
struct FileFrame<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    file: Option<Cow<'a, str>>,
    line: Option<f64>,
    col: Option<f64>,
}

/// The frame object at the start of `s` as serde reads it into a
/// [`FileFrame`], and the bytes it takes: by the quick reader when it is
/// plain (keys and strings without escapes, numbers or `null` for `line`
/// and `col`), else by serde. `None` when serde refuses it.
fn frame_at(s: &str) -> Option<(FileFrame<'_>, usize)> {
    quick_frame(s).or_else(|| json::value_at::<FileFrame<'_>>(s))
}

/// [`frame_at`]'s quick reader: `None` to leave the frame to serde (a key
/// or string with an escape, a repeated or missing field, a value of
/// another kind), never a frame serde would read otherwise.
fn quick_frame(s: &str) -> Option<(FileFrame<'_>, usize)> {
    use json::scan::{fields, number_value, once, plain_str, skip_value};
    let b = s.as_bytes();
    let mut seen = 0u16;
    let (mut name, mut file, mut line, mut col) = (None, None, None, None);
    let end = fields(s, 0, |key, i| {
        let field = match key {
            "name" => 0,
            "file" => 1,
            "line" => 2,
            "col" => 3,
            _ => return skip_value(s, i),
        };
        once(&mut seen, field)?;
        match field {
            0 => plain_str(s, i).map(|(v, end)| {
                name = Some(v);
                end
            }),
            // The others are `Option`s: `null` leaves them out (the byte
            // after it is checked by `fields`, as after any value).
            _ if b[i..].starts_with(b"null") => Some(i + 4),
            1 => plain_str(s, i).map(|(v, end)| {
                file = Some(v);
                end
            }),
            _ => number_value(s, i).map(|(v, end)| {
                *(if field == 2 { &mut line } else { &mut col }) = Some(v);
                end
            }),
        }
    })?;
    Some((FileFrame { name: Cow::Borrowed(name?), file: file.map(Cow::Borrowed), line, col }, end))
}

#[derive(Deserialize)]
struct FileProfile<'a, S> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    unit: Option<Cow<'a, str>>,
    #[serde(rename = "startValue")]
    start_value: Option<f64>,
    #[serde(rename = "endValue")]
    end_value: Option<f64>,
    events: Option<Vec<FileEvent<'a>>>,
    samples: Option<S>,
    weights: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct FileEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    frame: u64,
    at: f64,
}

/// A string that borrows from nothing: the text itself when it is one of
/// `known` (no allocation), else a copy.
fn owned(s: Cow<'_, str>, known: &[&'static str]) -> Cow<'static, str> {
    match known.iter().find(|k| **k == s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.into_owned()),
    }
}

impl<S> FileProfile<'_, S> {
    /// The profile, borrowing from nothing.
    fn into_owned(self) -> FileProfile<'static, S> {
        FileProfile {
            kind: owned(self.kind, &["sampled", "evented"]),
            name: self.name.map(|n| owned(n, &[])),
            unit: self.unit.map(|u| owned(u, &[])),
            start_value: self.start_value,
            end_value: self.end_value,
            events: self.events.map(|events| {
                events
                    .into_iter()
                    .map(|e| FileEvent { kind: owned(e.kind, &["O", "C"]), frame: e.frame, at: e.at })
                    .collect()
            }),
            samples: self.samples,
            weights: self.weights,
        }
    }
}

/// Samples read into one flat vector (no allocation per sample): their
/// frames back to back, `T` a frame index as written (`u64`, [`Samples`])
/// or a group frame ([`Part`]).
#[derive(Default)]
struct Flat<T> {
    /// Every sample's frames, back to back.
    frames: Vec<T>,
    /// End of each sample's frames in `frames`.
    ends: Vec<usize>,
}

impl<T> Flat<T> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// End the sample being read: its frames are the ones pushed since.
    fn end_sample(&mut self) {
        self.ends.push(self.frames.len());
    }

    /// The samples' frames, in order.
    fn iter(&self) -> impl Iterator<Item = &[T]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let s = &self.frames[start..end];
            start = end;
            s
        })
    }
}

/// `samples` as serde reads it: an array of arrays of frame indices.
type Samples = Flat<u64>;

/// No samples (a sampled profile without `samples`).
const NO_SAMPLES: Samples = Flat { frames: Vec::new(), ends: Vec::new() };

/// Reads [`Samples`] from a sequence of sequences.
struct SamplesVisitor;

impl<'de> serde::de::Visitor<'de> for SamplesVisitor {
    type Value = Samples;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Samples, A::Error> {
        /// One sample, appended to the flat vector.
        struct Inner<'s>(&'s mut Vec<u64>);
        impl<'de> serde::de::DeserializeSeed<'de> for Inner<'_> {
            type Value = ();
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> serde::de::Visitor<'de> for Inner<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
                while let Some(i) = seq.next_element::<u64>()? {
                    self.0.push(i);
                }
                Ok(())
            }
        }
        let mut s = Samples::default();
        while seq.next_element_seed(Inner(&mut s.frames))?.is_some() {
            s.end_sample();
        }
        Ok(s)
    }
}

impl<'de> Deserialize<'de> for Samples {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_seq(SamplesVisitor)
    }
}

/// A profile's `samples` in the copy of the input that [`import_fast`]
/// gives serde: the number of the array it took out (see [`taken_arrays`]),
/// or the samples themselves (an array it left in).
enum Taken {
    Out(u64),
    In(Samples),
}

impl<'de> Deserialize<'de> for Taken {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Taken;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence or the number of an array taken out")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<Taken, E> {
                Ok(Taken::Out(n))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> std::result::Result<Taken, A::Error> {
                SamplesVisitor.visit_seq(seq).map(Taken::In)
            }
        }
        d.deserialize_any(V)
    }
}

/// True when `bytes` look like a speedscope file: a JSON object naming the
/// speedscope schema, or with both `shared` and `profiles` keys near the start.
pub fn sniff(bytes: &[u8]) -> bool {
    let Some(text) = crate::json::object_head(bytes) else {
        return false;
    };
    text.contains("speedscope.app/file-format-schema") || (text.contains("\"shared\"") && text.contains("\"profiles\""))
}

fn location_line(v: Option<f64>) -> Option<u32> {
    v.filter(|x| x.is_finite() && *x >= 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

fn relocate(e: Error, location: String) -> Error {
    match e {
        Error::InvalidProfile { format, message, .. } => Error::InvalidProfile { format, location, message },
        other => other,
    }
}

/// Import a speedscope file.
///
/// The shared frames and the `samples` arrays are read first, in chunks on
/// [`ImportOptions::threads`] threads; input that this read does not take
/// exactly as serde would is read by serde, whole, which gives every error.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    if let Some(done) = import_fast(bytes, opts) {
        return Ok(done);
    }
    import_serde(bytes, opts)
}

/// Import with serde reading the whole input, as it is.
fn import_serde(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    // Valid UTF-8 is parsed as `str`: serde_json then skips its per-string check.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    let file: File<Samples> = parsed.map_err(|e| Error::from_json(FORMAT, &e))?;
    let (g, ids) = shared_frames(&file, opts)?;
    build(g, &ids, file.active_profile_index, &file.profiles, |pi, samples, ids, weights, b| {
        push_parsed(pi, samples.unwrap_or(&NO_SAMPLES), ids, weights, b)
    })
}

/// Import with every `samples` array that holds only arrays of frame
/// indices taken out of the input ([`taken_arrays`]) and read in chunks on
/// the worker threads ([`json::read_arrays`]), from the start: while serde
/// reads the rest on the calling thread (a copy of the input with each
/// array's number in its place) and the shared frames are interned. The
/// calling thread then maps each sample's frames and builds its stack, in
/// file order, while later chunks are read.
///
/// `None` whenever this does not give exactly what serde's read of the
/// input gives: an array taken out that is not a sampled profile's
/// `samples` (or is one twice), a number in it that is not a frame index,
/// or any error (serde's read then reports it, as it always has).
fn import_fast(bytes: &[u8], opts: &ImportOptions) -> Option<(ProfileGroup, ImportReport)> {
    let spans = taken_arrays(bytes)?;
    let threads = opts.thread_count();
    let frames = frames_array(bytes, spans[0].0);
    if threads <= 1 {
        return import_taken(bytes, frames, &spans, opts, &Parts::Here { bytes, threads });
    }
    // The shared frames (when they come before the first array taken out)
    // and then the arrays taken out are read from the start, on the
    // workers, while the calling thread interns the frames as they come,
    // then reads the rest with serde; it then builds the stacks from the
    // parts read meanwhile.
    // At most `AHEAD` parts wait (a part holds about the bytes it was read
    // from, at most twice as many), so memory stays bounded however slow
    // the rest is. Measured on the 100 MB files of `flamekit-gen`: 8 rather
    // than 12 lowers the peak RSS on `distinct` from 284-291 to 275-277
    // MiB, at the same speed (1.016 warm, 1.005 cold on `callgraph`; 0.999
    // cold on `distinct`). Parts pushed are given back to the workers
    // ([`Pool`]).
    let pool = Pool::default();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(AHEAD);
        let reader = std::thread::Builder::new().spawn_scoped(scope, {
            let (spans, pool) = (&spans, &pool);
            move || read_taken(bytes, frames, spans, threads, &tx, pool)
        });
        match reader {
            Ok(reader) => {
                let parts = Parts::Early(&rx, std::cell::Cell::new(0), &pool);
                let done = import_taken(bytes, frames, &spans, opts, &parts);
                // A reader still sending stops, then is joined. One that
                // panicked (a bug) never handed over the parts it held:
                // serde's read of the input gives the result.
                drop(rx);
                reader.join().ok().and(done)
            }
            // Where threads cannot be started (e.g. wasm32 without threads).
            Err(_) => import_taken(bytes, frames, &spans, opts, &Parts::Here { bytes, threads }),
        }
    })
}

/// [`import_fast`] once the arrays are found (`spans`), their samples got
/// from `parts`; `frames`: the `[` of the shared frames when `parts` reads
/// them first ([`frames_array`]).
fn import_taken(
    bytes: &[u8],
    frames: Option<usize>,
    spans: &[(usize, usize)],
    opts: &ImportOptions,
    parts: &Parts<'_, '_>,
) -> Option<(ProfileGroup, ImportReport)> {
    let early = match frames {
        Some(open) => read_frames(parts, open, spans[0].0, opts)?,
        None => None,
    };
    let frames_span = early.as_ref().map(|&(_, span)| span);
    let taken = spans.iter().chain(&frames_span).map(|&(o, c)| c - o).sum::<usize>();
    let mut copy = String::with_capacity(bytes.len() - taken + 16 * spans.len() + 2);
    let mut prev = 0;
    // The frames, when read, are before the arrays: `[]` in their place.
    if let Some((open, close)) = frames_span {
        copy.push_str(std::str::from_utf8(&bytes[..open]).ok()?);
        copy.push_str("[]");
        prev = close + 1;
    }
    for (n, &(open, close)) in spans.iter().enumerate() {
        copy.push_str(std::str::from_utf8(&bytes[prev..open]).ok()?);
        copy.push_str(&n.to_string());
        prev = close + 1;
    }
    copy.push_str(std::str::from_utf8(&bytes[prev..]).ok()?);
    let file: File<Taken> = serde_json::from_str(&copy).ok()?;
    // Each array taken out is the `samples` of exactly one sampled profile:
    // the number serde read stands where the array stood, as a value. The
    // profiles come in file order, so they take the arrays in turn, in the
    // order the reader sends them.
    let mut used = vec![false; spans.len()];
    for p in &file.profiles {
        if let Some(Taken::Out(n)) = p.samples {
            let seen = used.get_mut(usize::try_from(n).ok()?)?;
            if *seen || p.kind != "sampled" {
                return None;
            }
            *seen = true;
        }
    }
    if !used.iter().all(|&u| u) {
        return None;
    }
    // The shared frames are in the group now: what is left of the file is
    // its profiles, made to own their few strings, so that the copy and the
    // parsed frames (together some 20% of the input on files with many
    // frames) are freed before the stacks are built.
    let (g, ids) = match early {
        // serde read the `[]` standing where the frames were as the shared
        // frames: they were those.
        Some((interned, _)) if file.shared.frames.is_empty() => {
            #[cfg(test)]
            tests::EARLY_FRAMES.with(|n| n.set(n.get() + 1));
            interned.finish(&file)
        }
        Some(_) => return None,
        None => shared_frames(&file, opts).ok()?,
    };
    let File { name, active_profile_index, shared, profiles } = file;
    let profiles: Vec<FileProfile<'static, Taken>> = profiles.into_iter().map(FileProfile::into_owned).collect();
    drop(name);
    drop(shared);
    drop(copy);
    // Most files list each frame once: then frame index i is group frame i.
    let same = ids.iter().enumerate().all(|(i, &f)| f as usize == i);
    build(g, &ids, active_profile_index, &profiles, |pi, samples, ids, weights, b| match samples {
        Some(&Taken::Out(n)) => push_taken(parts, n as usize, spans[n as usize], (ids, same), weights, b),
        Some(Taken::In(s)) => push_parsed(pi, s, ids, weights, b),
        None => push_parsed(pi, &NO_SAMPLES, ids, weights, b),
    })
    .ok()
}

/// The offset of the `[` of the shared frames (`shared.frames`) when it
/// stands before `before` (the first array taken out: the reader takes
/// the arrays in file order). serde's read of the rest proves it is the
/// array serde reads as the shared frames ([`import_taken`]).
fn frames_array(b: &[u8], before: usize) -> Option<usize> {
    let b = &b[..before];
    let shared = json::find_key(b, skip_ws(b, 0), "shared", 64)?;
    let open = json::find_key(b, shared, "frames", 64)?;
    (b.get(open) == Some(&b'[')).then_some(open)
}

/// The shared frames interned so far, in order: all at once
/// ([`shared_frames`]) or part by part as they are read ([`read_frames`]).
struct SharedFrames {
    g: GroupBuilder,
    /// The group's frame of each shared frame.
    ids: Vec<FrameId>,
}

impl SharedFrames {
    fn new(opts: &ImportOptions) -> Self {
        SharedFrames { g: GroupBuilder::new(FORMAT, &opts.limits), ids: Vec::new() }
    }

    /// Intern the next shared frames.
    fn intern(&mut self, part: &[FileFrame<'_>]) -> Result<()> {
        let named = part.iter().filter(|f| f.file.is_none() && f.line.is_none() && f.col.is_none()).count();
        // The frames before count as located (an upper bound: the builder's
        // reserve is amortized, and bounded by the frames held).
        self.g.reserve_frames(named, self.ids.len() + part.len() - named);
        self.ids.reserve(part.len());
        for f in part {
            self.ids.push(self.g.frame_parts(
                &f.name,
                f.file.as_deref(),
                location_line(f.line),
                location_line(f.col),
            )?);
        }
        Ok(())
    }

    /// The group builder, named as `file` is, and the group's frame of each
    /// shared frame. No frame is interned after these (profiles name frames
    /// only by index into the shared ones), so what interning them took is
    /// freed before the stacks are built (9 MiB of the 276 MiB peak on the
    /// 100 MB `distinct` file of `flamekit-gen`, 100,000 frames).
    fn finish<S>(mut self, file: &File<'_, S>) -> (GroupBuilder, Vec<FrameId>) {
        self.g.set_name(file.name.as_deref().unwrap_or(""));
        self.g.release_frame_index();
        (self.g, self.ids)
    }
}

/// The shared frames whose array opens at `open` (before `before`), read
/// in chunks and interned ([`SharedFrames`]), with the offset of the
/// array's `]`: as the reader started early sends them, or read here
/// ([`Parts`]). `Some(None)` when the read was abandoned (the frames are
/// then read with the rest, by serde); `None` on an error, which serde's
/// read of the input reports.
fn read_frames(
    parts: &Parts<'_, '_>,
    open: usize,
    before: usize,
    opts: &ImportOptions,
) -> Option<Option<(SharedFrames, (usize, usize))>> {
    let mut interned = SharedFrames::new(opts);
    let read = match *parts {
        Parts::Early(rx, ..) => loop {
            match rx.recv().ok()? {
                Read::Frames(part) => interned.intern(&part).ok()?,
                Read::End(read) => break read,
                Read::Part(_) => return None,
            }
        },
        Parts::Here { bytes, threads } => {
            let mut failed = false;
            let read = read_frame_parts(bytes, open, before, threads, |part| {
                failed = interned.intern(&part).is_err();
                !failed
            });
            if failed {
                return None;
            }
            read
        }
    };
    Some(match read {
        Ok(Some(close)) => Some((interned, (open, close))),
        _ => None,
    })
}

/// Read the shared frames whose array opens at `open` in chunks on
/// `threads` threads ([`json::read_objects`], `bytes` cut at `before`),
/// each frame with [`frame_at`], `merge` taking the parts in order.
fn read_frame_parts<'a>(
    bytes: &'a [u8],
    open: usize,
    before: usize,
    threads: usize,
    merge: impl FnMut(Vec<FileFrame<'a>>) -> bool,
) -> Result<Option<usize>> {
    json::read_objects(
        &bytes[..before],
        open,
        threads,
        |rest| json::starts_object_with(rest, "name"),
        |bytes| Vec::with_capacity(bytes / FRAME_BYTES),
        |part: &mut Vec<FileFrame<'a>>, rest| {
            let (frame, used) = frame_at(rest)?;
            part.push(frame);
            Some(used)
        },
        |_| {},
        merge,
    )
}

/// Every `"samples": [` array of `b` that holds arrays and no string (the
/// first `]` followed by another closes it): the offsets of its `[` and
/// its `]`. Where it stands is proven by [`import_fast`], what it holds by
/// [`Part::sample`]. `None` when there is none.
fn taken_arrays(b: &[u8]) -> Option<Vec<(usize, usize)>> {
    let finder = memchr::memmem::Finder::new(b"\"samples\"");
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(at) = b.get(from..).and_then(|rest| finder.find(rest)).map(|i| from + i) {
        from = at + 1;
        let colon = skip_ws(b, at + 9);
        if b.get(colon) != Some(&b':') {
            continue;
        }
        let open = skip_ws(b, colon + 1);
        if b.get(open) != Some(&b'[') {
            continue;
        }
        if let Some(close) = arrays_end(b, open) {
            spans.push((open, close));
            // The array holds no `"`: look on after it.
            from = close + 1;
        }
    }
    (!spans.is_empty()).then_some(spans)
}

/// The `]` that closes the array at `open` if it holds arrays without
/// nested arrays or strings: the first `]` whose next byte (after
/// whitespace) is `]`.
fn arrays_end(b: &[u8], open: usize) -> Option<usize> {
    let first = skip_ws(b, open + 1);
    match *b.get(first)? {
        b']' => return Some(first),
        b'[' => {}
        _ => return None,
    }
    let mut i = first + 1;
    loop {
        let end = i + memchr::memchr(b']', &b[i..])?;
        let next = skip_ws(b, end + 1);
        match *b.get(next)? {
            b']' => return Some(next),
            b',' => i = next + 1,
            _ => return None,
        }
    }
}

/// The samples of one chunk of a taken-out array: their frame indices as
/// written (mapped to the group's frames on the calling thread, once the
/// shared frames are read: see [`import_fast`]), and the largest.
#[derive(Default)]
struct Part {
    samples: Flat<u32>,
    max: Option<u32>,
}

impl Part {
    /// Read the sample at the start of `rest`, `[1, 2, 3]`: the bytes it
    /// took. `None` unless it is an array of integers, each a valid JSON
    /// number (no sign, fraction, exponent or leading zero) that fits in
    /// `u32`: what serde reads the same way (the indices are checked
    /// against the shared frames when the part is pushed).
    fn sample(&mut self, rest: &str) -> Option<usize> {
        let b = rest.as_bytes();
        if b.first() != Some(&b'[') {
            return None;
        }
        let mut i = skip_ws(b, 1);
        if b.get(i) == Some(&b']') {
            self.samples.end_sample();
            return Some(i + 1);
        }
        loop {
            // The digits read and summed in one pass; at most ten: a frame
            // index fits in `u32`.
            let start = i;
            let mut n = 0u64;
            while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|&d| d <= 9) {
                n = n * 10 + u64::from(d);
                i += 1;
                if i - start > 10 {
                    return None;
                }
            }
            if i == start || (i - start > 1 && b[start] == b'0') {
                return None;
            }
            let n = u32::try_from(n).ok()?;
            self.max = self.max.max(Some(n));
            self.samples.frames.push(n);
            i = skip_ws(b, i);
            match b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b']' => {
                    self.samples.end_sample();
                    return Some(i + 1);
                }
                _ => return None,
            }
        }
    }

    /// An empty part: one given back to `pool` if there is one (its
    /// vectors keep their room), else a new one.
    fn from_pool(pool: &Pool) -> Part {
        crate::parallel::lock(pool).pop().unwrap_or_default()
    }

    /// Give the part back to `pool`, emptied, unless the pool is full.
    fn give_back(mut self, pool: &Pool) {
        let mut pool = crate::parallel::lock(pool);
        if pool.len() < POOL {
            self.samples.frames.clear();
            self.samples.ends.clear();
            self.max = None;
            pool.push(self);
        }
    }
}

/// Parts whose samples the calling thread has pushed, given back for the
/// workers to fill again ([`import_fast`]): their vectors keep the room,
/// and the memory, they grew to, so a part read on a worker neither grows
/// its vectors step by step nor touches fresh memory (each would cost page
/// faults on the worker, and a free from another thread).
type Pool = std::sync::Mutex<Vec<Part>>;

/// Parts the [`Pool`] keeps at most: those that may wait for the calling
/// thread and those being read.
const POOL: usize = AHEAD + 4;

/// Parts that may wait for the calling thread ([`import_fast`]).
const AHEAD: usize = 8;

/// What the reading of the taken-out arrays hands the calling thread, in
/// order: the shared frames' parts and their array's end, when they are
/// read, then each array's parts and the array's end (the offset of its
/// `]`, or `None` when the read was abandoned).
enum Read<'a> {
    Frames(Vec<FileFrame<'a>>),
    Part(Part),
    End(Result<Option<usize>>),
}

/// About how many bytes a shared frame takes: a chunk of `n` bytes starts
/// its vector with room for `n / FRAME_BYTES` frames.
const FRAME_BYTES: usize = 64;

/// Where [`push_taken`] gets the parts of a taken-out array.
enum Parts<'r, 'a> {
    /// Read by a thread started before serde read the rest of the input
    /// (every array in turn; see [`import_fast`]), the number of the array
    /// it sends next, and where parts pushed are given back.
    Early(&'r std::sync::mpsc::Receiver<Read<'a>>, std::cell::Cell<usize>, &'r Pool),
    /// Read now, on `threads` threads.
    Here { bytes: &'a [u8], threads: usize },
}

/// Read the shared frames whose array opens at `frames` (before the first
/// span), then every taken-out array of `bytes` in turn (`spans`, as
/// [`taken_arrays`] gives them), on `threads` threads, into parts (of
/// samples: taken from `pool`), sending their parts and ends to `tx`
/// ([`Read`]); stops when the receiver is gone.
fn read_taken<'a>(
    bytes: &'a [u8],
    frames: Option<usize>,
    spans: &[(usize, usize)],
    threads: usize,
    tx: &std::sync::mpsc::SyncSender<Read<'a>>,
    pool: &Pool,
) {
    if let Some(open) = frames {
        let read = read_frame_parts(bytes, open, spans[0].0, threads, |part| tx.send(Read::Frames(part)).is_ok());
        if tx.send(Read::End(read)).is_err() {
            return;
        }
    }
    for &(open, close) in spans {
        let new = |_| Part::from_pool(pool);
        let read = json::read_arrays(
            &bytes[..=close],
            open,
            threads,
            new,
            Part::sample,
            |_| {},
            |part| tx.send(Read::Part(part)).is_ok(),
        );
        if tx.send(Read::End(read)).is_err() {
            return;
        }
    }
}

/// Push the samples of the taken-out array at `(open, close)` into `b`,
/// its parts got from `parts`, their frame indices mapped through `ids`
/// (`same`: each index is its own group frame, nothing to map). An error
/// when the read is abandoned, a frame index is out of range or the
/// weights do not match (the caller then reads the input with serde,
/// which says why).
fn push_taken(
    parts: &Parts<'_, '_>,
    n: usize,
    (open, close): (usize, usize),
    (ids, same): (&[FrameId], bool),
    weights: Option<&[f64]>,
    b: &mut SampledBuilder,
) -> Result<()> {
    let abandoned = || Error::Internal { message: "the samples taken out were not read whole".into() };
    let mut count = 0usize;
    let mut stack = Vec::new();
    let mut push = |part: &Part| -> Result<()> {
        if part.max.is_some_and(|m| m as usize >= ids.len()) {
            return Err(abandoned());
        }
        for frames in part.samples.iter() {
            let w = match weights {
                Some(w) => *w.get(count).ok_or_else(abandoned)?,
                None => 1.0,
            };
            let frames = if same {
                frames
            } else {
                stack.clear();
                stack.extend(frames.iter().map(|&i| ids[i as usize]));
                &stack[..]
            };
            b.push_stack(frames, w)?;
            count += 1;
        }
        Ok(())
    };
    let read = match parts {
        Parts::Early(rx, next, pool) => {
            // The arrays are taken in file order, as they are read.
            if next.replace(n + 1) != n {
                return Err(abandoned());
            }
            loop {
                match rx.recv() {
                    Ok(Read::Part(part)) => {
                        push(&part)?;
                        part.give_back(pool);
                    }
                    Ok(Read::End(read)) => break read?,
                    Ok(Read::Frames(_)) | Err(_) => return Err(abandoned()),
                }
            }
        }
        &Parts::Here { bytes, threads } => {
            let mut failed = None;
            let read = json::read_arrays(
                &bytes[..=close],
                open,
                threads,
                |_| Part::default(),
                Part::sample,
                |_| {},
                |part| push(&part).map_err(|e| failed = Some(e)).is_ok(),
            )?;
            if let Some(e) = failed {
                return Err(e);
            }
            read
        }
    };
    if read != Some(close) || weights.is_some_and(|w| w.len() != count) {
        return Err(abandoned());
    }
    Ok(())
}

/// Push samples read by serde into `b`, checking each frame index and the
/// weights' count (`None`: each sample weighs 1).
fn push_parsed(
    pi: usize,
    samples: &Samples,
    ids: &[FrameId],
    weights: Option<&[f64]>,
    b: &mut SampledBuilder,
) -> Result<()> {
    if let Some(w) = weights {
        if w.len() != samples.len() {
            return Err(Error::invalid(
                FORMAT,
                format!("profiles[{pi}].weights"),
                format!("{} weights for {} samples", w.len(), samples.len()),
            ));
        }
    }
    let mut stack = Vec::new();
    for (si, s) in samples.iter().enumerate() {
        stack.clear();
        for &idx in s {
            match ids.get(idx as usize) {
                Some(&f) => stack.push(f),
                None => return Err(frame_out_of_range(pi, &format!("samples[{si}]"), idx, ids.len())),
            }
        }
        let w = weights.map_or(1.0, |w| w[si]);
        b.push_stack(&stack, w).map_err(|err| relocate(err, format!("profiles[{pi}].samples[{si}]")))?;
    }
    Ok(())
}

fn frame_out_of_range(pi: usize, what: &str, idx: u64, frames: usize) -> Error {
    Error::invalid(
        FORMAT,
        format!("profiles[{pi}].{what}"),
        format!("frame index {idx} is out of range: shared.frames has {frames} entries"),
    )
}

/// A group builder holding the file's name and its shared frames, and the
/// group's frame of each shared frame ([`SharedFrames`]).
fn shared_frames<S>(file: &File<'_, S>, opts: &ImportOptions) -> Result<(GroupBuilder, Vec<FrameId>)> {
    let mut interned = SharedFrames::new(opts);
    interned.intern(&file.shared.frames)?;
    Ok(interned.finish(file))
}

/// Build the group from `g` ([`shared_frames`]) and the file's profiles;
/// `samples(pi, samples, ids, weights, b)` pushes sampled profile `pi`'s
/// samples into `b` (`ids`: the group's frame of each shared frame;
/// `weights`: `None` when the profile has none, each sample then weighing
/// 1).
fn build<S>(
    mut g: GroupBuilder,
    ids: &[FrameId],
    active_profile_index: Option<f64>,
    profiles: &[FileProfile<'_, S>],
    mut samples: impl FnMut(usize, Option<&S>, &[FrameId], Option<&[f64]>, &mut SampledBuilder) -> Result<()>,
) -> Result<(ProfileGroup, ImportReport)> {
    for (pi, p) in profiles.iter().enumerate() {
        let unit_str = p.unit.as_deref().unwrap_or("none");
        let unit = ValueUnit::parse(unit_str).ok_or_else(|| {
            Error::invalid(FORMAT, format!("profiles[{pi}].unit"), format!("unknown unit `{unit_str}`"))
        })?;
        let name = p.name.as_deref().unwrap_or("").to_owned();
        match p.kind.as_ref() {
            "evented" => {
                let mut b = g.evented(name, unit);
                b.reserve(p.events.as_ref().map_or(0, Vec::len));
                if let Some(s) = p.start_value {
                    b.set_start(s);
                }
                if let Some(e) = p.end_value {
                    b.set_end(e);
                }
                for (ei, e) in p.events.as_deref().unwrap_or(&[]).iter().enumerate() {
                    let loc = || format!("profiles[{pi}].events[{ei}]");
                    let f = match ids.get(e.frame as usize) {
                        Some(&f) => f,
                        None => return Err(frame_out_of_range(pi, &format!("events[{ei}].frame"), e.frame, ids.len())),
                    };
                    let r = match e.kind.as_ref() {
                        "O" => b.open(f, e.at),
                        "C" => b.close(f, e.at),
                        other => {
                            return Err(Error::invalid(
                                FORMAT,
                                loc(),
                                format!("unknown event type `{other}` (expected O or C)"),
                            ))
                        }
                    };
                    r.map_err(|err| relocate(err, loc()))?;
                }
                let profile = b.finish().map_err(|err| relocate(err, format!("profiles[{pi}].events")))?;
                g.push_profile(profile)?;
            }
            "sampled" => {
                let mut b = g.sampled(name, unit);
                let weights = p.weights.as_deref();
                if weights.is_none() {
                    g.report().warn(
                        "missing_weights",
                        Location::Path(format!("profiles[{pi}]")),
                        "no weights: each sample weighs 1",
                    );
                }
                samples(pi, p.samples.as_ref(), ids, weights, &mut b)?;
                if let Some(s) = p.start_value {
                    b.set_start(s);
                }
                if let Some(e) = p.end_value {
                    b.set_end(e);
                }
                g.push_profile(b.finish())?;
            }
            other => {
                return Err(Error::invalid(
                    FORMAT,
                    format!("profiles[{pi}].type"),
                    format!("unknown profile type `{other}` (expected evented or sampled)"),
                ))
            }
        }
    }
    let active = active_profile_index.filter(|x| x.is_finite() && *x >= 0.0).map(|x| x as usize).unwrap_or(0);
    g.finish(active)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Imports on this thread that used the shared frames read in chunks.
        pub(super) static EARLY_FRAMES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A file of `profiles` (JSON texts) over frames `f0`..`f9`.
    fn file(profiles: &[String]) -> String {
        let frames: Vec<String> = (0..10).map(|i| format!(r#"{{"name":"f{i}"}}"#)).collect();
        format!(r#"{{"shared":{{"frames":[{}]}},"profiles":[{}]}}"#, frames.join(","), profiles.join(","))
    }

    fn sampled(samples: &str, weights: Option<&str>) -> String {
        let weights = weights.map(|w| format!(r#","weights":{w}"#)).unwrap_or_default();
        format!(
            r#"{{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":9,"samples":{samples}{weights}}}"#
        )
    }

    /// The export and report of an import, or its error.
    fn outcome(r: Result<(ProfileGroup, ImportReport)>) -> std::result::Result<(String, String), String> {
        r.map(|(g, report)| {
            (flamekit_core::to_speedscope_json(&g).expect("an export within its bound"), format!("{report:?}"))
        })
        .map_err(|e| e.to_string())
    }

    fn opts(threads: usize) -> ImportOptions {
        ImportOptions { threads, ..ImportOptions::default() }
    }

    /// Many samples over frames 0..10, cut over several chunks.
    fn many(n: usize, sep: &str) -> (String, String) {
        let samples: Vec<String> = (0..n)
            .map(|i| format!("[{}]", (0..(i % 7)).map(|d| ((i + d) % 10).to_string()).collect::<Vec<_>>().join(sep)))
            .collect();
        let weights: Vec<String> = (0..n).map(|i| (i % 5).to_string()).collect();
        (format!("[{}]", samples.join(sep)), format!("[{}]", weights.join(",")))
    }

    #[test]
    fn the_fast_read_gives_what_serde_gives() {
        let (big, big_w) = many(40_000, ",");
        let (pretty, pretty_w) = many(20_000, ",\n   ");
        let evented = r#"{"type":"evented","name":"e","unit":"none","startValue":0,"endValue":4,"events":[{"type":"O","frame":3,"at":0},{"type":"C","frame":3,"at":4}]}"#;
        let inputs = [
            file(&[sampled("[[0,1],[0,1,2],[3]]", Some("[1,2,3]"))]),
            file(&[sampled("[ [ 0 , 1 ] ,\n [ ] , [9]\n ]", Some("[1, 2, 3]"))]),
            file(&[sampled("[]", Some("[]"))]),
            file(&[sampled("[[0],[1]]", None)]),
            file(&[sampled(&big, Some(&big_w)), evented.to_owned(), sampled(&pretty, Some(&pretty_w))]),
            // A key with an escaped quote before `samples`: its array stays
            // in the copy serde reads (it holds a string).
            file(&[sampled("[[2]]", Some("[1]")).replace(r#""name":"p""#, r#""name":"p","x\"samples":["s"]"#)]),
        ];
        for (i, text) in inputs.iter().enumerate() {
            for threads in [1, 2, 4] {
                let fast = import_fast(text.as_bytes(), &opts(threads));
                assert!(fast.is_some(), "input {i}, {threads} threads: read by serde");
                assert_eq!(
                    outcome(fast.ok_or_else(|| Error::Internal { message: String::new() })),
                    outcome(import_serde(text.as_bytes(), &opts(threads))),
                    "input {i}, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn what_the_fast_read_declines_serde_reads() {
        let evented_with_samples = r#"{"type":"evented","name":"e","unit":"none","samples":[[1.5]],"events":[]}"#;
        let inputs = [
            // Not what serde reads as frame indices: its errors.
            file(&[sampled("[[0,01]]", Some("[1]"))]),
            file(&[sampled("[[0,1.0]]", Some("[1]"))]),
            file(&[sampled("[[0,1e0]]", Some("[1]"))]),
            file(&[sampled("[[-0]]", Some("[1]"))]),
            file(&[sampled("[[0,1,]]", Some("[1]"))]),
            file(&[sampled("[[0,[1]]]", Some("[1]"))]),
            file(&[sampled("[[0,10]]", Some("[1]"))]),
            file(&[sampled("[[0,99999999999999999999]]", Some("[1]"))]),
            file(&[sampled("[[0],[1]]", Some("[1]"))]),
            file(&[sampled("[[0],[1]]", Some("[1,2,3]"))]),
            // A number where an array stands next to an array taken out.
            file(&[sampled("0", Some("[]")), sampled("[[1]]", Some("[1]"))]),
            // An array taken out that is not a sampled profile's samples.
            file(&[evented_with_samples.to_owned()]),
            file(&[evented_with_samples.replace("1.5", "1"), sampled("[[1]]", Some("[1]"))]),
            // No `"samples"` at all.
            file(&[]),
        ];
        for (i, text) in inputs.iter().enumerate() {
            for threads in [1, 3] {
                assert!(import_fast(text.as_bytes(), &opts(threads)).is_none(), "input {i}");
                assert_eq!(
                    outcome(import(text.as_bytes(), &opts(threads))),
                    outcome(import_serde(text.as_bytes(), &opts(threads))),
                    "input {i}"
                );
            }
        }
    }

    #[test]
    fn repeated_shared_frames_and_a_late_bad_index_are_read_as_serde_reads_them() {
        // Frames f0..f9 twice: indices i and i + 10 are one group frame.
        let frames: Vec<String> = (0..20).map(|i| format!(r#"{{"name":"f{}"}}"#, i % 10)).collect();
        let n = 40_000;
        let samples: Vec<String> = (0..n)
            .map(|i| format!("[{}]", (0..(i % 7)).map(|d| ((i + d) % 20).to_string()).collect::<Vec<_>>().join(",")))
            .collect();
        let weights: Vec<String> = (0..n).map(|i| (i % 5).to_string()).collect();
        let with = |samples: &[String]| {
            let profile = sampled(&format!("[{}]", samples.join(",")), Some(&format!("[{}]", weights.join(","))));
            format!(r#"{{"shared":{{"frames":[{}]}},"profiles":[{profile},{profile}]}}"#, frames.join(","))
        };
        let good = with(&samples);
        let mut late = samples.clone();
        late[n - 2] = "[3,20]".into();
        let bad = with(&late);
        for threads in [1, 2, 4] {
            let fast = import_fast(good.as_bytes(), &opts(threads));
            assert!(fast.is_some(), "{threads} threads: read by serde");
            let fast = outcome(fast.ok_or_else(|| Error::Internal { message: String::new() }));
            assert_eq!(fast, outcome(import_serde(good.as_bytes(), &opts(threads))), "{threads} threads");
            assert!(import_fast(bad.as_bytes(), &opts(threads)).is_none(), "{threads} threads");
            let error = outcome(import(bad.as_bytes(), &opts(threads)));
            assert!(error.as_ref().is_err_and(|e| e.contains("frame index 20")), "{threads} threads: {error:?}");
        }
    }

    /// A frame index as a file may write it: mostly a valid index (or one
    /// past the 10 frames), sometimes a number serde reads otherwise or
    /// refuses, or a nested array.
    fn index() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            30 => (0u32..10).prop_map(|i| i.to_string()),
            1 => proptest::sample::select(vec!["10", "01", "1.0", "-0", "1e0", "[2]", " 3 ", "\"4\"", "99999999999"])
                .prop_map(str::to_owned),
        ]
    }

    fn profile() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let samples = proptest::collection::vec(proptest::collection::vec(index(), 0..5), 0..6);
        let sep = proptest::sample::select(vec![",", ", ", ",\n  "]);
        (samples, sep, 0usize..4, any::<bool>()).prop_map(|(samples, sep, weights, evented)| {
            let text: Vec<String> = samples.iter().map(|s| format!("[{}]", s.join(sep))).collect();
            let text = format!("[{}]", text.join(sep));
            if evented {
                return format!(r#"{{"type":"evented","name":"e","unit":"none","samples":{text},"events":[]}}"#);
            }
            // The right count of weights, one too few, one too many, or none.
            let n = match weights {
                0 | 1 => Some(samples.len()),
                2 => samples.len().checked_sub(1),
                _ => None,
            };
            let w = n.map(|n| format!("[{}]", vec!["1"; n].join(",")));
            sampled(&text, w.as_deref())
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever the samples hold, `import` (the fast read, or serde's
        /// when it declines) gives exactly serde's group, report or error.
        #[test]
        fn import_gives_what_serde_gives(profiles in proptest::collection::vec(profile(), 1..4), threads in 1usize..4) {
            let text = file(&profiles);
            proptest::prop_assert_eq!(
                outcome(import(text.as_bytes(), &opts(threads))),
                outcome(import_serde(text.as_bytes(), &opts(threads)))
            );
        }
    }

    /// A frame object's field as a file may write it: a known key or
    /// another, plain or escaped, with a value of the kind serde wants or
    /// of another kind.
    fn frame_field() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = proptest::sample::select(vec!["name", "file", "line", "col", "x", "na\\u006de", "lin\\\"e"]);
        let value = proptest::sample::select(vec![
            r#""f""#,
            r#""a b/c.rs""#,
            r#""é""#,
            r#""a\"b""#,
            r#""C:\\src""#,
            r#""\u00e9""#,
            "null",
            "0",
            "17",
            "-3",
            "-0",
            "1.5",
            "2e3",
            "01",
            "12345678901234567890",
            "true",
            "[1,{\"a\":2}]",
            "{\"name\":\"g\"}",
            "\"\"",
        ]);
        let ws = proptest::sample::select(vec!["", " ", "\n  "]);
        (key, value, ws).prop_map(|(k, v, ws)| format!(r#"{ws}"{k}"{ws}:{ws}{v}{ws}"#))
    }

    /// A frame: mostly an object of such fields, sometimes what serde reads
    /// as a frame otherwise (an array) or refuses.
    fn frame_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            20 => proptest::collection::vec(frame_field(), 0..5).prop_map(|f| format!("{{{}}}", f.join(","))),
            1 => proptest::sample::select(vec![r#"["f","a.rs",1,2]"#, "null", "{", r#"{"name":"f",}"#])
                .prop_map(str::to_owned),
        ]
    }

    fn same_frame(a: &FileFrame<'_>, b: &FileFrame<'_>) -> bool {
        a.name == b.name
            && a.file == b.file
            && a.line.map(f64::to_bits) == b.line.map(f64::to_bits)
            && a.col.map(f64::to_bits) == b.col.map(f64::to_bits)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The quick frame reader reads a frame as serde does, or leaves it
        /// to serde: the same fields and the same length, or nothing.
        #[test]
        fn the_quick_frame_reader_reads_as_serde_reads(frame in frame_text(), after in proptest::sample::select(vec!["", ",", "]"])) {
            let text = format!("{frame}{after}");
            let serde = json::value_at::<FileFrame<'_>>(&text);
            if let Some((quick, used)) = quick_frame(&text) {
                let (serde, serde_used) = serde.as_ref().expect("the quick reader read a frame serde refuses");
                proptest::prop_assert!(same_frame(&quick, serde), "{text}");
                proptest::prop_assert_eq!(used, *serde_used);
            }
            let at = frame_at(&text);
            proptest::prop_assert_eq!(at.is_some(), serde.is_some(), "{}", text);
            if let (Some((a, used)), Some((b, serde_used))) = (at, serde) {
                proptest::prop_assert!(same_frame(&a, &b), "{text}");
                proptest::prop_assert_eq!(used, serde_used);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Whatever the shared frames hold, `import` gives exactly serde's
        /// group, report or error.
        #[test]
        fn import_of_any_frames_gives_what_serde_gives(
            frames in proptest::collection::vec(frame_text(), 9..12),
            profile in profile(),
            threads in 1usize..4,
        ) {
            let text = format!(r#"{{"shared":{{"frames":[{}]}},"profiles":[{profile}]}}"#, frames.join(","));
            proptest::prop_assert_eq!(
                outcome(import(text.as_bytes(), &opts(threads))),
                outcome(import_serde(text.as_bytes(), &opts(threads)))
            );
        }
    }

    /// A file of `n` frames (`frame(i)` gives frame `i`'s text; before the
    /// profiles unless `late`) and one profile sampling every frame in
    /// turn, a sample of two frames at a time.
    fn file_of_frames(n: usize, frame: impl Fn(usize) -> String, late: bool) -> String {
        let frames: Vec<String> = (0..n).map(frame).collect();
        let samples: Vec<String> = (0..n).map(|i| format!("[{},{}]", i, (i * 7 + 3) % n)).collect();
        let weights = vec!["1"; n].join(",");
        let shared = format!(r#""shared":{{"frames":[{}]}}"#, frames.join(",\n"));
        let profiles =
            format!(r#""profiles":[{}]"#, sampled(&format!("[{}]", samples.join(",")), Some(&format!("[{weights}]"))));
        if late {
            format!("{{{profiles},{shared}}}")
        } else {
            let head = r#""$schema":"https://www.speedscope.app/file-format-schema.json","name":"the file""#;
            format!("{{{head},{shared},{profiles}}}")
        }
    }

    #[test]
    fn shared_frames_read_in_chunks_give_what_serde_gives() {
        let plain = |i: usize| format!(r#"{{"name":"module::function_{i}","file":"/src/m{}.rs","line":{i}}}"#, i % 50);
        let kinds = |i: usize| match i % 9 {
            0 => format!(r#"{{"name":"f{}"}}"#, i % 300),
            1 => format!(r#"{{ "name" : "esc\"aped {i}", "file" : null }}"#),
            // A guess can fall on the nested object: its chunk is disproven.
            2 => format!(r#"{{"col":{},"line":1.5,"name":"g{i}","x":[{{"a":1}},{{"name":"in"}}]}}"#, i % 4),
            3 => format!(r#"["arr{i}","a.js",{i},null]"#),
            4 => format!(r#"{{"name":"\u00e9{i}","file":"C:\\src\\a.c","line":-0}}"#),
            5 => format!(r#"{{"name":"s{i}}},{{\"name\":\"t"}}"#),
            _ => plain(i),
        };
        let n = 4_000;
        let plain_file = file_of_frames(n, plain, false);
        assert!(plain_file.len() > 4 * crate::parallel::MIN_CHUNK, "several chunks");
        // Each frame is its own but those of kind 0, one per name.
        let kind_0: Vec<usize> = (0..n).step_by(9).map(|i| i % 300).collect();
        let names: std::collections::HashSet<_> = kind_0.iter().collect();
        let kinds_frames = n - kind_0.len() + names.len();
        for (text, frames) in [(&plain_file, n), (&file_of_frames(n, kinds, false), kinds_frames)] {
            let (group, _) = import(text.as_bytes(), &opts(2)).expect("a valid file");
            assert_eq!((group.name(), group.frames().len()), ("the file", frames));
        }
        let inputs = [
            plain_file,
            file_of_frames(n, kinds, false),
            file_of_frames(n, plain, true),
            // A repeated field: serde's error.
            file_of_frames(n, |i| if i == n - 5 { r#"{"name":"a","name":"b"}"#.into() } else { plain(i) }, false),
            // A missing name: serde's error.
            file_of_frames(n, |i| if i == n / 2 { r#"{"file":"a"}"#.into() } else { plain(i) }, false),
        ];
        for (k, text) in inputs.iter().enumerate() {
            for threads in [1, 2, 4] {
                assert_eq!(
                    outcome(import(text.as_bytes(), &opts(threads))),
                    outcome(import_serde(text.as_bytes(), &opts(threads))),
                    "input {k}, {threads} threads"
                );
            }
        }
        // The plain frames are read in chunks and used, on one thread and on
        // several (a chunk that fails keeps them in serde's read instead).
        let b = inputs[0].as_bytes();
        let spans = taken_arrays(b).expect("samples");
        let open = frames_array(b, spans[0].0).expect("frames before the samples");
        for threads in [1, 2, 4] {
            let early = read_frames(&Parts::Here { bytes: b, threads }, open, spans[0].0, &opts(threads));
            assert_eq!(early.and_then(|e| e).map(|(e, _)| e.ids.len()), Some(n), "{threads} threads");
        }
        // A read that is abandoned leaves the frames to serde's read of the
        // rest; the samples are still read in chunks. Here every frame
        // holds an object after `},` that a guess can fall on.
        let trap = file_of_frames(n, |i| format!(r#"{{"x":[{{"a":1}},{{"name":"in"}}],"name":"g{i}"}}"#), false);
        let b = trap.as_bytes();
        let spans = taken_arrays(b).expect("samples");
        let open = frames_array(b, spans[0].0).expect("frames before the samples");
        for threads in [2, 4] {
            let early = read_frames(&Parts::Here { bytes: b, threads }, open, spans[0].0, &opts(threads));
            assert!(early.is_some_and(|e| e.is_none()), "{threads} threads");
        }
        for (k, text) in inputs[..3].iter().chain([&trap]).enumerate() {
            for threads in [1, 2, 4] {
                let before = EARLY_FRAMES.with(|n| n.get());
                assert!(import_fast(text.as_bytes(), &opts(threads)).is_some(), "input {k}, {threads} threads");
                // Frames before the profiles are used as read, unless the
                // read is abandoned (the trap); frames after them are not
                // read so. (Input 1 may go either way.)
                let used = EARLY_FRAMES.with(|n| n.get()) - before;
                if k != 1 {
                    assert_eq!(used, usize::from(k == 0), "input {k}, {threads} threads");
                }
            }
        }
        assert!(frames_array(inputs[2].as_bytes(), taken_arrays(inputs[2].as_bytes()).expect("samples")[0].0).is_none());
    }

    #[test]
    fn the_frame_limit_and_cut_names_give_serdes_error_and_warnings() {
        let long = |i: usize| format!(r#"{{"name":"{}{i}","line":{i}}}"#, "n".repeat(i % 200));
        let text = file_of_frames(3_000, long, false);
        for limits in [
            flamekit_core::IngestLimits { max_frames: 2_500, ..Default::default() },
            flamekit_core::IngestLimits { max_name_bytes: 100, ..Default::default() },
        ] {
            for threads in [1, 2, 4] {
                let o = ImportOptions { threads, limits, ..ImportOptions::default() };
                let got = outcome(import(text.as_bytes(), &o));
                assert_eq!(got, outcome(import_serde(text.as_bytes(), &o)), "{threads} threads");
                if limits.max_frames == 2_500 {
                    assert!(got.as_ref().is_err_and(|e| e.contains("max_frames")), "{got:?}");
                } else {
                    assert!(got.as_ref().is_ok_and(|(_, report)| report.contains("name_truncated")), "{got:?}");
                }
            }
        }
    }

    #[test]
    fn a_sample_past_the_depth_limit_gets_serdes_error() {
        let limited = ImportOptions {
            limits: flamekit_core::IngestLimits { max_stack_depth: 2, ..Default::default() },
            ..ImportOptions::default()
        };
        let text = file(&[sampled("[[0,1],[0,1,2]]", Some("[1,1]"))]);
        let got = outcome(import(text.as_bytes(), &limited));
        assert!(got.as_ref().is_err_and(|e| e.contains("max_stack_depth")), "{got:?}");
        assert_eq!(got, outcome(import_serde(text.as_bytes(), &limited)));
    }
}
