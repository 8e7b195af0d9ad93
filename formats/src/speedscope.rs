//! Speedscope's own file format (<https://www.speedscope.app/file-format-schema.json>),
//! every version from 0.0.1 on, evented and sampled profiles.

use std::borrow::Cow;

use flamekit_core::{Error, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit};
use serde::Deserialize;

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Speedscope.id();

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "activeProfileIndex")]
    active_profile_index: Option<f64>,
    shared: Shared<'a>,
    #[serde(borrow)]
    profiles: Vec<FileProfile<'a>>,
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
struct FileProfile<'a> {
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
    samples: Option<Samples>,
    weights: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct FileEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    frame: u64,
    at: f64,
}

/// `samples`: an array of arrays of frame indices, read into one flat
/// vector (no allocation per sample).
#[derive(Default)]
struct Samples {
    /// Every sample's frame indices, back to back.
    frames: Vec<u64>,
    /// End of each sample's indices in `frames`.
    ends: Vec<usize>,
}

impl Samples {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The samples' frame indices, in order.
    fn iter(&self) -> impl Iterator<Item = &[u64]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let s = &self.frames[start..end];
            start = end;
            s
        })
    }
}

impl<'de> Deserialize<'de> for Samples {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Outer;
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
        impl<'de> serde::de::Visitor<'de> for Outer {
            type Value = Samples;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Samples, A::Error> {
                let mut s = Samples::default();
                while seq.next_element_seed(Inner(&mut s.frames))?.is_some() {
                    s.ends.push(s.frames.len());
                }
                Ok(s)
            }
        }
        d.deserialize_seq(Outer)
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
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    // Valid UTF-8 is parsed as `str`: serde_json then skips its per-string check.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    let file: File = parsed.map_err(|e| Error::from_json(FORMAT, &e))?;
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    g.set_name(file.name.as_deref().unwrap_or(""));
    let mut ids: Vec<FrameId> = Vec::with_capacity(file.shared.frames.len());
    let named = file.shared.frames.iter().filter(|f| f.file.is_none() && f.line.is_none() && f.col.is_none()).count();
    g.reserve_frames(named, file.shared.frames.len() - named);
    for f in &file.shared.frames {
        ids.push(g.frame_parts(&f.name, f.file.as_deref(), location_line(f.line), location_line(f.col))?);
    }
    let frame_of = |pi: usize, what: &str, idx: u64| -> Result<FrameId> {
        ids.get(idx as usize).copied().ok_or_else(|| {
            Error::invalid(
                FORMAT,
                format!("profiles[{pi}].{what}"),
                format!("frame index {idx} is out of range: shared.frames has {} entries", ids.len()),
            )
        })
    };
    for (pi, p) in file.profiles.iter().enumerate() {
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
                        None => frame_of(pi, &format!("events[{ei}].frame"), e.frame)?,
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
                let no_samples = Samples::default();
                let samples = p.samples.as_ref().unwrap_or(&no_samples);
                let mut b = g.sampled(name, unit);
                let ones;
                let weights: &[f64] = match &p.weights {
                    Some(w) => w,
                    None => {
                        g.report().warn(
                            "missing_weights",
                            Location::Path(format!("profiles[{pi}]")),
                            "no weights: each sample weighs 1",
                        );
                        ones = vec![1.0; samples.len()];
                        &ones
                    }
                };
                if weights.len() != samples.len() {
                    return Err(Error::invalid(
                        FORMAT,
                        format!("profiles[{pi}].weights"),
                        format!("{} weights for {} samples", weights.len(), samples.len()),
                    ));
                }
                let mut stack = Vec::new();
                for (si, (s, &w)) in samples.iter().zip(weights).enumerate() {
                    stack.clear();
                    for &idx in s {
                        match ids.get(idx as usize) {
                            Some(&f) => stack.push(f),
                            None => stack.push(frame_of(pi, &format!("samples[{si}]"), idx)?),
                        }
                    }
                    b.push_stack(&stack, w).map_err(|err| relocate(err, format!("profiles[{pi}].samples[{si}]")))?;
                }
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
    let active = file.active_profile_index.filter(|x| x.is_finite() && *x >= 0.0).map(|x| x as usize).unwrap_or(0);
    g.finish(active)
}
