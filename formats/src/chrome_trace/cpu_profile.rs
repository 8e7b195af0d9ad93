//! V8 CPU profiles inside a trace (`CpuProfile`, `Profile`/`ProfileChunk`
//! events), built with the shared V8 model ([`crate::v8`]).

use std::borrow::Cow;

use hashbrown::HashMap;

use flamekit_core::{Error, Excerpt, GroupBuilder, Location, Result};
use serde::Deserialize;

use super::events::{tk, Collector, CpuEv, CpuKind};
use super::matcher::cmp_ts;
use super::FORMAT;
use crate::json::fmt_num;
use crate::v8::{self as cpu, CpuProfileData, NodeJson};

#[derive(Deserialize)]
pub(super) struct DataArgs<T> {
    #[serde(default = "Option::default")]
    pub(super) data: Option<T>,
}

/// `CpuProfile` event data: `{cpuProfile: {nodes, samples, timeDeltas, startTime, endTime}}`.
#[derive(Deserialize)]
pub(super) struct CpuProfileEventData<'a> {
    #[serde(rename = "cpuProfile", borrow, default)]
    pub(super) cpu_profile: Option<FullProfile<'a>>,
}

/// A whole profile (`CpuProfile` events), or the fields a `Profile` event
/// sets directly in its data.
#[derive(Deserialize)]
pub(super) struct FullProfile<'a> {
    #[serde(borrow, default)]
    pub(super) nodes: Option<Vec<NodeJson<'a>>>,
    #[serde(default)]
    pub(super) samples: Option<Vec<i64>>,
    #[serde(rename = "timeDeltas", default)]
    pub(super) time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    pub(super) start_time: Option<f64>,
    #[serde(rename = "endTime", default)]
    pub(super) end_time: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct ChunkData<'a> {
    #[serde(rename = "cpuProfile", borrow, default)]
    pub(super) cpu_profile: Option<ChunkProfile<'a>>,
    #[serde(rename = "timeDeltas", default)]
    pub(super) time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    pub(super) start_time: Option<f64>,
    #[serde(rename = "endTime", default)]
    pub(super) end_time: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct ChunkProfile<'a> {
    #[serde(borrow, default)]
    pub(super) nodes: Option<Vec<NodeJson<'a>>>,
    #[serde(default)]
    pub(super) samples: Option<Vec<i64>>,
}

pub(super) fn parse_args<'a, T: Deserialize<'a>>(ev: &CpuEv<'a>, what: &str) -> Result<Option<T>> {
    let Some(args) = ev.args else { return Ok(None) };
    let parsed: DataArgs<T> = serde_json::from_str(args.get())
        .map_err(|e| Error::invalid(FORMAT, format!("{what} event at ts {}", fmt_num(ev.ts)), e.to_string()))?;
    Ok(parsed.data)
}

/// The profile of a `Profile` or `CpuProfile` event; `None` past what its
/// nodes can hold ([`cpu::too_many`]).
pub(super) fn full_profile(p: FullProfile<'_>) -> Option<CpuProfileData<'_>> {
    let mut d = CpuProfileData {
        samples: p.samples.unwrap_or_default(),
        time_deltas: p.time_deltas.unwrap_or_default(),
        start_time: p.start_time.unwrap_or(0.0),
        end_time: p.end_time.unwrap_or(0.0),
        ..Default::default()
    };
    d.extend_nodes(p.nodes.unwrap_or_default())?;
    Some(d)
}

/// speedscope's name for a CPU profile of a timeline: the file name, or
/// `FILE - THREAD` when the trace holds several profiles and this one's
/// thread is named. `None` without a file name (the caller then names the
/// profile after its process and thread).
pub(super) fn cpu_profile_name(file_name: Option<&str>, thread: Option<&Cow<'_, str>>) -> Option<String> {
    let file = file_name?;
    // Quoted as in `Collector::profile_name`.
    let thread = thread.map(|t| Excerpt(t));
    Some(match thread {
        Some(t) => format!("{file} - {t}"),
        None => file.to_owned(),
    })
}

/// Returns the index of the profile to show first.
pub(super) fn import_cpu_profiles(
    g: &mut GroupBuilder,
    col: &Collector<'_>,
    file_name: Option<&str>,
    threads: usize,
) -> Result<usize> {
    struct Slot<'a> {
        key: String,
        pid: f64,
        tid: f64,
        data: CpuProfileData<'a>,
    }
    let mut order: Vec<&CpuEv> = col.cpu.iter().collect();
    if order.windows(2).any(|w| w[1].ts < w[0].ts) {
        order.sort_by(|a, b| cmp_ts(a.ts, b.ts));
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for ev in order {
        let key = match &ev.id {
            Some(id) => id.to_key().into_owned(),
            None => format!("{}:{}", fmt_num(ev.pid), fmt_num(ev.tid)),
        };
        let data = match ev.kind {
            CpuKind::CpuProfile => match parse_args::<CpuProfileEventData>(ev, "CpuProfile")? {
                Some(CpuProfileEventData { cpu_profile: Some(p) }) => {
                    full_profile(p).ok_or_else(|| cpu::too_many(FORMAT, &format!("CpuProfile {key}")))?
                }
                _ => continue,
            },
            CpuKind::Profile => match parse_args::<FullProfile>(ev, "Profile")? {
                Some(p) => full_profile(p).ok_or_else(|| cpu::too_many(FORMAT, &format!("Profile {key}")))?,
                None => CpuProfileData::default(),
            },
            CpuKind::Chunk => {
                let Some(&si) = by_key.get(&key) else {
                    g.report().warn(
                        "orphan_profile_chunk",
                        Location::Path(format!("ProfileChunk {key}")),
                        "ProfileChunk for a profile that was never declared: ignored",
                    );
                    continue;
                };
                let Some(chunk) = parse_args::<ChunkData>(ev, "ProfileChunk")? else { continue };
                let d = &mut slots[si].data;
                if let Some(p) = chunk.cpu_profile {
                    d.extend_nodes(p.nodes.unwrap_or_default())
                        .ok_or_else(|| cpu::too_many(FORMAT, &format!("ProfileChunk {key}")))?;
                    d.samples.extend(p.samples.unwrap_or_default());
                }
                d.time_deltas.extend(chunk.time_deltas.unwrap_or_default());
                if let Some(s) = chunk.start_time {
                    d.start_time = s;
                }
                if let Some(e) = chunk.end_time {
                    d.end_time = e;
                }
                continue;
            }
        };
        let slot = Slot { key: key.clone(), pid: ev.pid, tid: ev.tid, data };
        match by_key.get(&key) {
            Some(&si) => slots[si] = slot,
            None => {
                by_key.insert(key, slots.len());
                slots.push(slot);
            }
        }
    }
    // Show the page's main thread first (its busiest profile, if several).
    let mut active: Option<(usize, usize)> = None;
    let several = slots.len() > 1;
    for (i, s) in slots.iter().enumerate() {
        let thread = several.then(|| col.thread_names.get(&tk(s.pid, s.tid))).flatten();
        let name = cpu_profile_name(file_name, thread).unwrap_or_else(|| col.profile_name(s.pid, s.tid));
        let profile = cpu::build_profile(g, name, &s.data, &format!("Profile {}", s.key), threads)?;
        let count = profile.sample_count();
        g.push_profile(profile)?;
        let main = col.thread_names.get(&tk(s.pid, s.tid)).is_some_and(|t| t == "CrRendererMain");
        if main && active.is_none_or(|(_, c)| count > c) {
            active = Some((i, count));
        }
    }
    Ok(active.map_or(0, |(i, _)| i))
}
