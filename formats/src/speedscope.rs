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
/// The `samples` arrays are read first, in chunks on
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
/// the worker threads ([`json::read_arrays`]), each sample's frames mapped
/// and built on the calling thread while later chunks are read. serde reads
/// the rest, a copy of the input with each array's number in its place.
///
/// `None` whenever this does not give exactly what serde's read of the
/// input gives: an array taken out that is not a sampled profile's
/// `samples` (or is one twice), a number in it that is not a frame index,
/// or any error (serde's read then reports it, as it always has).
fn import_fast(bytes: &[u8], opts: &ImportOptions) -> Option<(ProfileGroup, ImportReport)> {
    let spans = taken_arrays(bytes)?;
    let mut copy =
        String::with_capacity(bytes.len() - spans.iter().map(|&(o, c)| c - o).sum::<usize>() + 16 * spans.len());
    let mut prev = 0;
    for (n, &(open, close)) in spans.iter().enumerate() {
        copy.push_str(std::str::from_utf8(&bytes[prev..open]).ok()?);
        copy.push_str(&n.to_string());
        prev = close + 1;
    }
    copy.push_str(std::str::from_utf8(&bytes[prev..]).ok()?);
    let file: File<Taken> = serde_json::from_str(&copy).ok()?;
    // Each array taken out is the `samples` of exactly one sampled profile:
    // the number serde read stands where the array stood, as a value.
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
    let (g, ids) = shared_frames(&file, opts).ok()?;
    let File { name, active_profile_index, shared, profiles } = file;
    let profiles: Vec<FileProfile<'static, Taken>> = profiles.into_iter().map(FileProfile::into_owned).collect();
    drop(name);
    drop(shared);
    drop(copy);
    let threads = opts.thread_count();
    build(g, &ids, active_profile_index, &profiles, |pi, samples, ids, weights, b| match samples {
        Some(&Taken::Out(n)) => push_taken(bytes, spans[n as usize], threads, ids, weights, b),
        Some(Taken::In(s)) => push_parsed(pi, s, ids, weights, b),
        None => push_parsed(pi, &NO_SAMPLES, ids, weights, b),
    })
    .ok()
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

/// The samples of one chunk of a taken-out array, their frames mapped to
/// the group's.
type Part = Flat<FrameId>;

impl Part {
    /// Read the sample at the start of `rest`, `[1, 2, 3]`: the bytes it
    /// took. `None` unless it is an array of integers, each a valid JSON
    /// number (no sign, fraction, exponent or leading zero) and an index
    /// into `ids`: what serde reads the same way.
    fn sample(&mut self, rest: &str, ids: &[FrameId]) -> Option<usize> {
        let b = rest.as_bytes();
        if b.first() != Some(&b'[') {
            return None;
        }
        let mut i = skip_ws(b, 1);
        if b.get(i) == Some(&b']') {
            self.end_sample();
            return Some(i + 1);
        }
        loop {
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            // At most ten digits: a frame id fits in `u32`.
            if digits == 0 || digits > 10 || (digits > 1 && b[i] == b'0') {
                return None;
            }
            let n = b[i..i + digits].iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
            self.frames.push(*ids.get(usize::try_from(n).ok()?)?);
            i = skip_ws(b, i + digits);
            match b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b']' => {
                    self.end_sample();
                    return Some(i + 1);
                }
                _ => return None,
            }
        }
    }
}

/// Push the samples of the array at `(open, close)` of `bytes` into `b`,
/// read in chunks on `threads` threads. An error when the read is
/// abandoned or the weights do not match (the caller then reads the input
/// with serde, which says why).
fn push_taken(
    bytes: &[u8],
    (open, close): (usize, usize),
    threads: usize,
    ids: &[FrameId],
    weights: Option<&[f64]>,
    b: &mut SampledBuilder,
) -> Result<()> {
    let mut count = 0usize;
    let mut failed = None;
    let read = json::read_arrays(
        &bytes[..=close],
        open,
        threads,
        Part::default,
        |part, rest| part.sample(rest, ids),
        |_| {},
        |part| {
            for stack in part.iter() {
                let w = match weights {
                    Some(w) => match w.get(count) {
                        Some(&w) => w,
                        None => return false,
                    },
                    None => 1.0,
                };
                if let Err(e) = b.push_stack(stack, w) {
                    failed = Some(e);
                    return false;
                }
                count += 1;
            }
            true
        },
    )?;
    if let Some(e) = failed {
        return Err(e);
    }
    if read != Some(close) || weights.is_some_and(|w| w.len() != count) {
        return Err(Error::Internal { message: "the samples taken out were not read whole".into() });
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
/// group's frame of each shared frame.
fn shared_frames<S>(file: &File<'_, S>, opts: &ImportOptions) -> Result<(GroupBuilder, Vec<FrameId>)> {
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    g.set_name(file.name.as_deref().unwrap_or(""));
    let mut ids: Vec<FrameId> = Vec::with_capacity(file.shared.frames.len());
    let named = file.shared.frames.iter().filter(|f| f.file.is_none() && f.line.is_none() && f.col.is_none()).count();
    g.reserve_frames(named, file.shared.frames.len() - named);
    for f in &file.shared.frames {
        ids.push(g.frame_parts(&f.name, f.file.as_deref(), location_line(f.line), location_line(f.col))?);
    }
    Ok((g, ids))
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
        r.map(|(g, report)| (flamekit_core::to_speedscope_json(&g), format!("{report:?}"))).map_err(|e| e.to_string())
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
