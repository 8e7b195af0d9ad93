//! JavaScript source maps: give frames of minified scripts their original
//! function names, files, lines and columns.
//!
//! Source maps are passed in [`crate::ImportOptions::source_maps`] and applied
//! to the imported [`ProfileGroup`] after the importer ran, whatever the
//! format: every frame with a file, a line and a column can be mapped (Chrome
//! `.cpuprofile`, Chrome trace CPU profiles, V8 logs, Safari and Firefox
//! profiles carry them for JavaScript frames). [`SourceMaps`] applies maps to
//! a group you already have.
//!
//! # Which map applies to a frame
//!
//! A map given with a script URL ([`SourceMapInput::script`]) applies to the
//! frames whose file is exactly that URL. A map without one applies, as in
//! speedscope, to frames whose file
//! - equals the map's `file` field, or
//! - has the map's name as its last path segment once both lose everything
//!   from the first `.` of that segment on: `app.min.js.map` applies to
//!   `https://cdn.example/static/app.min.js` and to `/srv/app.js`, but not to
//!   `webapp.min.js`.
//!
//! Maps with a script URL are tried first, then the others, each group in the
//! order given; the first map that applies to a frame's file is the one used.
//!
//! # How a frame is mapped
//!
//! Positions are compared 1-based (lines and columns of [`Frame`] are 1-based;
//! a source map's are 0-based and are converted). The mapping used is the
//! last one that starts strictly before the frame's line and column: V8 and
//! JavaScriptCore put a function's column on the `(` of its parameter list,
//! just after the mapping of its (minified) name. A frame before the map's
//! first mapping, or without a line or column, is left unchanged.
//!
//! The frame then takes the mapping's original file (the map's `sources`
//! entry, prefixed with `sourceRoot`, `/./` segments removed), line and
//! column, and a name chosen as speedscope does:
//! 1. the mapping's entry in the map's `names`, if it has one;
//! 2. otherwise the first identifier at or after the original position in the
//!    map's `sourcesContent` (for a mapping of a function's name, that name),
//!    if the map embeds the source;
//! 3. the frame's own name is kept when no name was found, when the found
//!    name is `function`, `const` or `export` (the mapping hit a keyword),
//!    or when the frame's name already contains the found name (`n.zap`
//!    is more useful than `zap`); `constructor` becomes
//!    `<frame name> constructor`.
//!
//! Unlike speedscope, a "name" found in the source text that starts with a
//! digit (a number literal next to an anonymous function) is not used.
//!
//! Mapped frames that end up equal (two minified positions inside one
//! original function) become one frame, so their weights add up.
//!
//! # Limits and reporting
//!
//! The bytes of all maps count toward [`IngestLimits::max_input_bytes`]
//! together with the profile, and their entries (mapping segments, names,
//! sources) toward [`IngestLimits::max_source_map_entries`], counted before
//! any map is decoded: decoding holds 28 bytes or more for an entry of 2
//! bytes. A map that is not valid JSON, not a version 3
//! source map, or whose mappings do not decode is
//! [`Error::InvalidSourceMap`] naming the map, and nothing is imported. A
//! map that maps no frame is reported in the [`ImportReport`] as a
//! `source_map_unmatched` warning.
//!
//! [`IngestLimits::max_input_bytes`]: flamekit_core::IngestLimits::max_input_bytes
//! [`IngestLimits::max_source_map_entries`]: flamekit_core::IngestLimits::max_source_map_entries
//!
//! ```
//! use flamekit_formats::{import_with, ImportOptions, SourceMapInput};
//! // `function a(){...}` at the start of app.min.js: V8 reports the function
//! // at the `(`, 0-based column 10 (1-based column 11).
//! let profile = br#"{"nodes":[
//!   {"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"children":[2]},
//!   {"id":2,"callFrame":{"functionName":"a","url":"https://example.com/app.min.js","lineNumber":0,"columnNumber":10}}],
//!   "startTime":0,"endTime":2,"samples":[2,2],"timeDeltas":[1,1]}"#;
//! // Two mappings: column 0 → app.js line 5, column 0; column 9 (the name
//! // `a`) → app.js line 5, column 9, named `countPrimes` (all 0-based).
//! let map = br#"{"version":3,"sources":["app.js"],"names":["countPrimes"],"mappings":"AAIA,SAASA"}"#;
//! let opts = ImportOptions {
//!     source_maps: vec![SourceMapInput::new("app.min.js.map", map.to_vec())],
//!     ..Default::default()
//! };
//! let (group, report) = import_with(profile, None, &opts).unwrap();
//! let f = group.frames().iter().find(|f| f.name == "countPrimes").unwrap();
//! assert_eq!((f.file.as_deref(), f.line, f.col), (Some("app.js"), Some(5), Some(10))); // 1-based
//! assert!(report.is_clean());
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use flamekit_core::{cut_at, Error, Frame, ImportReport, IngestLimits, LimitKind, Location, ProfileGroup, Result};
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One source map to apply on import.
#[derive(Clone, PartialEq, Eq)]
pub struct SourceMapInput {
    /// The map's name, usually its file name (`app.min.js.map`). Errors and
    /// warnings name the map by it; without [`SourceMapInput::script`], its
    /// last path segment also selects the script it applies to.
    pub name: String,
    /// URL (or path) of the script the map belongs to, exactly as the
    /// profile's frames spell it. Default: `None`, the map applies to the
    /// script its `file` field or its name matches (see the module docs).
    pub script: Option<String>,
    /// The map: JSON, a regular (version 3) map or an index map whose
    /// sections embed their maps.
    pub bytes: Vec<u8>,
}

impl SourceMapInput {
    /// A map called `name` (usually its file name), matched to scripts by
    /// its `file` field or its name.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        SourceMapInput { name: name.into(), script: None, bytes: bytes.into() }
    }

    /// This map, applied to the frames of the script at `url` only.
    pub fn for_script(mut self, url: impl Into<String>) -> Self {
        self.script = Some(url.into());
        self
    }
}

impl fmt::Debug for SourceMapInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceMapInput")
            .field("name", &self.name)
            .field("script", &self.script)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// Total size of `maps` in bytes (what they add to the input budget).
pub(crate) fn total_bytes(maps: &[SourceMapInput]) -> u64 {
    maps.iter().map(|m| m.bytes.len() as u64).fold(0, u64::saturating_add)
}

/// Parsed source maps, ready to apply to groups.
pub struct SourceMaps {
    maps: Vec<Parsed>,
    /// Indices into `maps`: maps with a script URL first, then the others.
    order: Vec<usize>,
}

impl fmt::Debug for SourceMaps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.maps.iter().map(|m| &m.name)).finish()
    }
}

struct Parsed {
    name: String,
    script: Option<String>,
    /// The map's `file` field.
    file: Option<String>,
    /// The map's name without directories and extensions (`app` for
    /// `dist/app.min.js.map`); `None` when that leaves nothing.
    stem: Option<String>,
    map: sourcemap::SourceMap,
    /// Token indices sorted by generated position.
    by_position: Vec<u32>,
}

/// The parts of a map read before decoding it: its version and what
/// decoding will hold, counted in entries
/// ([`IngestLimits::max_source_map_entries`]) without keeping them.
#[derive(Deserialize)]
struct Head<'a> {
    version: Option<serde_json::Value>,
    #[serde(borrow)]
    mappings: Option<Cow<'a, str>>,
    sections: Option<Each<Section<'a>>>,
    names: Option<Each<IgnoredAny>>,
    sources: Option<Each<IgnoredAny>>,
    #[serde(rename = "sourcesContent")]
    sources_content: Option<Each<IgnoredAny>>,
    x_facebook_sources: Option<Each<Option<Each<FunctionMap<'a>>>>>,
}

/// An index map's section: its embedded map.
#[derive(Deserialize)]
struct Section<'a> {
    #[serde(borrow)]
    map: Option<Head<'a>>,
}

/// A Hermes function map, one per source in `x_facebook_sources`.
#[derive(Deserialize)]
struct FunctionMap<'a> {
    #[serde(borrow)]
    mappings: Option<Cow<'a, str>>,
    names: Option<Each<IgnoredAny>>,
}

/// Entries decoding a part of a map holds.
trait Entries {
    fn entries(&self) -> u64;
}

/// Segments of a `mappings` string: each `,` or `;` ends one (the decoder
/// reserves a token for each).
fn segments(mappings: &Option<Cow<'_, str>>) -> u64 {
    match mappings.as_deref() {
        None | Some("") => 0,
        Some(m) => m.bytes().filter(|&b| b == b',' || b == b';').count() as u64 + 1,
    }
}

fn entries<T: Entries>(part: &Option<T>) -> u64 {
    part.as_ref().map_or(0, T::entries)
}

impl Entries for Head<'_> {
    fn entries(&self) -> u64 {
        [
            segments(&self.mappings),
            entries(&self.sections),
            entries(&self.names),
            entries(&self.sources),
            entries(&self.sources_content),
            entries(&self.x_facebook_sources),
        ]
        .iter()
        .fold(0, |a, &b| a.saturating_add(b))
    }
}

impl Entries for Section<'_> {
    fn entries(&self) -> u64 {
        entries(&self.map).saturating_add(1)
    }
}

impl Entries for FunctionMap<'_> {
    fn entries(&self) -> u64 {
        segments(&self.mappings).saturating_add(entries(&self.names)).saturating_add(1)
    }
}

impl Entries for IgnoredAny {
    fn entries(&self) -> u64 {
        1
    }
}

impl<T: Entries> Entries for Option<T> {
    /// An array element, `null` or not.
    fn entries(&self) -> u64 {
        entries(self).max(1)
    }
}

/// A JSON array read one element at a time, keeping only the sum of its
/// elements' entries: counting must not hold what decoding would.
struct Each<T> {
    entries: u64,
    element: PhantomData<T>,
}

impl<T> Entries for Each<T> {
    fn entries(&self) -> u64 {
        self.entries
    }
}

impl<'de, T: Deserialize<'de> + Entries> Deserialize<'de> for Each<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Elements<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Entries> Visitor<'de> for Elements<T> {
            type Value = Each<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Each<T>, A::Error> {
                let mut entries = 0u64;
                while let Some(element) = seq.next_element::<T>()? {
                    entries = entries.saturating_add(element.entries());
                }
                Ok(Each { entries, element: PhantomData })
            }
        }
        deserializer.deserialize_seq(Elements(PhantomData))
    }
}

impl SourceMaps {
    /// Parse every map. Fails with [`Error::InvalidSourceMap`] naming the
    /// first map that is not a valid version 3 source map (regular or index
    /// map with embedded sections), and with [`Error::LimitExceeded`]
    /// (`max_source_map_entries`) when the maps together hold more entries
    /// than `limits` allow, counted before any map is decoded.
    pub fn parse(inputs: &[SourceMapInput], limits: &IngestLimits) -> Result<SourceMaps> {
        // Every map's head first: their entries are counted together,
        // before any map is decoded.
        let mut total = 0u64;
        for input in inputs {
            total = total.saturating_add(Parsed::head(input)?.entries());
            limits.check(LimitKind::SourceMapEntries, total)?;
        }
        let maps = inputs.iter().map(Parsed::parse).collect::<Result<Vec<_>>>()?;
        let mut order: Vec<usize> = (0..maps.len()).filter(|&i| maps[i].script.is_some()).collect();
        order.extend((0..maps.len()).filter(|&i| maps[i].script.is_none()));
        Ok(SourceMaps { maps, order })
    }

    /// True when there is no map.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Map the frames of `group` (see the module docs for the rules) and
    /// record a `source_map_unmatched` warning in `report` for each map that
    /// mapped no frame. Returns the number of frames changed. Without maps the
    /// group is not touched. Mapped names and files are cut to
    /// `max_name_bytes`, and the frames' text checked against
    /// `max_frame_text_bytes` (a map names a source once for many frames)
    /// before the group is changed: on error it is not touched.
    pub fn apply(&self, group: &mut ProfileGroup, report: &mut ImportReport, limits: &IngestLimits) -> Result<usize> {
        if self.maps.is_empty() {
            return Ok(0);
        }
        // Per map: frames whose file it applies to, frames it changed.
        let mut matched = vec![0u64; self.maps.len()];
        let mut mapped = vec![0u64; self.maps.len()];
        let mut by_file: HashMap<String, Option<usize>> = HashMap::new();
        // Per map: its sources as frames show them and its source lines'
        // indexes, each made once.
        let mut memos: Vec<Memo> = (0..self.maps.len()).map(|_| Memo::default()).collect();
        let mut text: u64 = group.frames().iter().map(Frame::text_bytes).sum();
        let mut new_frames: Vec<Option<Frame>> = Vec::with_capacity(group.frames().len());
        for frame in group.frames() {
            let new = (|| {
                let file = frame.file.as_deref()?;
                let m = match by_file.get(file) {
                    Some(m) => *m,
                    None => {
                        let m = self.order.iter().copied().find(|&i| self.maps[i].applies_to(file));
                        by_file.insert(file.to_owned(), m);
                        m
                    }
                }?;
                matched[m] += 1;
                let new = self.maps[m].map_frame(frame, &mut memos[m], limits)?;
                if new != *frame {
                    mapped[m] += 1;
                }
                Some(new)
            })();
            if let Some(new) = &new {
                text = text - frame.text_bytes() + new.text_bytes();
                limits.check(LimitKind::FrameText, text)?;
            }
            new_frames.push(new);
        }
        let changed = group.remap_frames(|id, _| new_frames.get_mut(id as usize).and_then(Option::take));
        for (i, map) in self.maps.iter().enumerate() {
            if mapped[i] > 0 {
                continue;
            }
            let message = if matched[i] == 0 {
                format!("source map `{}` applies to no frame: {}", map.name, map.what_it_applies_to())
            } else {
                format!("source map `{}` applies to {} frame(s) but maps none of their positions", map.name, matched[i])
            };
            report.warn("source_map_unmatched", Location::Path(format!("source_maps[{i}]")), message);
        }
        Ok(changed)
    }
}

/// Parse `inputs` and apply them to `group` ([`SourceMaps::parse`] then
/// [`SourceMaps::apply`]). On error the group is not touched.
pub fn apply(
    group: &mut ProfileGroup,
    inputs: &[SourceMapInput],
    report: &mut ImportReport,
    limits: &IngestLimits,
) -> Result<usize> {
    SourceMaps::parse(inputs, limits)?.apply(group, report, limits)
}

impl Parsed {
    /// The head of `input`'s map, checked to be a version 3 map.
    fn head(input: &SourceMapInput) -> Result<Head<'_>> {
        let bad = |message: String| Error::InvalidSourceMap { name: input.name.clone(), message };
        let json = without_xssi_prefix(&input.bytes);
        let head: Head = serde_json::from_slice(json).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        match &head.version {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(3) => {}
            Some(v) => return Err(bad(format!("unsupported version {v}: only version 3 maps are supported"))),
            None => return Err(bad("no `version` field: not a source map".into())),
        }
        if head.mappings.is_none() && head.sections.is_none() {
            return Err(bad("neither `mappings` nor `sections`: not a source map".into()));
        }
        Ok(head)
    }

    /// Decode `input`'s map ([`Parsed::head`] checked it).
    fn parse(input: &SourceMapInput) -> Result<Parsed> {
        let bad = |message: String| Error::InvalidSourceMap { name: input.name.clone(), message };
        let json = without_xssi_prefix(&input.bytes);
        let decoded = sourcemap::decode_slice(json).map_err(|e| bad(e.to_string()))?;
        let map = match decoded {
            sourcemap::DecodedMap::Regular(map) => map,
            // The map itself, not a copy (decoding held it once already).
            sourcemap::DecodedMap::Hermes(mut map) => {
                std::mem::replace(&mut *map, sourcemap::SourceMap::new(None, vec![], vec![], vec![], None))
            }
            sourcemap::DecodedMap::Index(index) => index.flatten().map_err(|e| bad(e.to_string()))?,
        };
        let mut by_position: Vec<u32> = (0..map.get_token_count()).collect();
        by_position.sort_by_key(|&i| map.get_token(i as usize).map(|t| t.get_dst()));
        let base = input.name.rsplit(['/', '\\']).next().unwrap_or("");
        let stem = without_extensions(base);
        Ok(Parsed {
            name: input.name.clone(),
            script: input.script.clone(),
            file: map.get_file().map(str::to_owned),
            stem: (!stem.is_empty()).then(|| stem.to_owned()),
            map,
            by_position,
        })
    }

    /// Whether this map applies to frames of `file`.
    fn applies_to(&self, file: &str) -> bool {
        if let Some(script) = &self.script {
            return script == file;
        }
        if self.file.as_deref() == Some(file) {
            return true;
        }
        let Some(stem) = &self.stem else { return false };
        let f = without_extensions(file);
        f.strip_suffix(stem.as_str()).is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
    }

    /// The matching rule, for the unmatched warning.
    fn what_it_applies_to(&self) -> String {
        if let Some(script) = &self.script {
            return format!("no frame's file is `{script}`");
        }
        let mut rules = Vec::new();
        if let Some(file) = &self.file {
            rules.push(format!("is `{file}` (its `file` field)"));
        }
        if let Some(stem) = &self.stem {
            rules.push(format!("is named `{stem}.*` (its name)"));
        }
        if rules.is_empty() {
            "it has no `file` field and its name names no script; give the script URL".into()
        } else {
            format!("no frame's file {}", rules.join(" or "))
        }
    }

    /// The mapped frame, or `None` when `frame` has no position or lies
    /// before the first mapping.
    /// `memo`: what this map's frames share, made on first use.
    fn map_frame(&self, frame: &Frame, memo: &mut Memo, limits: &IngestLimits) -> Option<Frame> {
        let (line, col) = (frame.line?, frame.col?);
        // Mappings are 0-based, frames 1-based: the last mapping strictly
        // before (line, col) in 1-based terms.
        let before = self.by_position.partition_point(|&i| {
            self.map.get_token(i as usize).is_some_and(|t| {
                (u64::from(t.get_dst_line()) + 1, u64::from(t.get_dst_col()) + 1) < (u64::from(line), u64::from(col))
            })
        });
        let token = self.map.get_token(*self.by_position.get(before.checked_sub(1)?)? as usize)?;
        let source = token.get_source().filter(|_| token.has_source());
        let max = usize::try_from(limits.max_name_bytes).unwrap_or(usize::MAX);
        let found = match token.get_name().filter(|_| token.has_name()) {
            Some(name) => Some(name),
            None if source.is_some() => token.get_source_view().and_then(|view| {
                let (src, line) = (token.get_src_id(), token.get_src_line());
                let text = view.get_line(line)?;
                memo.lines
                    .entry((src, line))
                    .or_insert_with(|| LineIndex::new(text))
                    .identifier_at(text, token.get_src_col())
            }),
            None => None,
        }
        // Not copied whole: a name longer than `max_name_bytes` is cut.
        .map(|n| &n[..cut_at(n, max)]);
        let mut name = match found {
            None | Some("function" | "const" | "export") => frame.name.clone(),
            Some("constructor") => format!("{} constructor", frame.name),
            Some(n) if frame.name.contains(n) => frame.name.clone(),
            Some(n) => n.to_owned(),
        };
        limits.cut_name(&mut name);
        let kept = name == frame.name;
        let mut out = Frame { name, ..frame.clone() };
        if let Some(source) = source {
            let shown = memo.sources.entry(token.get_src_id()).or_insert_with(|| {
                let mut s = without_dot_segments(source);
                limits.cut_name(&mut s);
                s
            });
            out.file = Some(shown.clone());
            out.line = Some(token.get_src_line().saturating_add(1));
            out.col = Some(token.get_src_col().saturating_add(1));
            // An anonymous function's label names its place: the original one now.
            if kept && frame.name.starts_with("(anonymous") {
                out.name = crate::js_name::function_label("", out.file.as_deref(), out.line).into_owned();
            }
        }
        Some(out)
    }
}

/// `bytes` without the `)]}'` line that some servers put before JSON (the
/// source map spec allows it).
fn without_xssi_prefix(bytes: &[u8]) -> &[u8] {
    if bytes.starts_with(b")]}'") {
        let end = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| p + 1);
        &bytes[end..]
    } else {
        bytes
    }
}

/// `source` with `/./` path segments collapsed (`webpack://app/./src/a.ts`
/// is `webpack://app/src/a.ts`), as JavaScript source map consumers show it.
/// One pass: a `./` right after a `/` of the output is dropped (the same
/// as replacing the leftmost `/./` by `/` until none is left).
fn without_dot_segments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        if out.ends_with('/') && rest.starts_with("./") {
            rest = &rest[2..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `s` without everything from the first `.` of its last path segment on.
fn without_extensions(s: &str) -> &str {
    let seg = s.rfind('/').map_or(0, |p| p + 1);
    match s[seg..].find('.') {
        Some(dot) => &s[..seg + dot],
        None => s,
    }
}

/// What a map's frames share, made on first use: its sources as frames
/// show them (without dot segments, cut to `max_name_bytes`) by source id,
/// and the indexes of its source lines by (source id, line).
#[derive(Default)]
struct Memo {
    sources: HashMap<u32, String>,
    lines: HashMap<(u32, u32), LineIndex>,
}

/// A source line's word runs and where its characters start, so that
/// finding the identifier at a column costs a search, not a walk from the
/// line's start (a minified bundle's line may be megabytes long, and every
/// frame mapped into it would walk it).
struct LineIndex {
    /// `(UTF-16 unit, byte)` of every 64th character; empty for an ASCII
    /// line (units are bytes).
    marks: Vec<(u32, u32)>,
    /// Byte ranges of the runs of word characters, in order.
    runs: Vec<(u32, u32)>,
}

impl LineIndex {
    fn new(line: &str) -> Self {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let bytes = line.as_bytes();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if is_word(bytes[i]) {
                let start = i;
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                runs.push((start as u32, i as u32));
            } else {
                i += 1;
            }
        }
        let mut marks = Vec::new();
        if !line.is_ascii() {
            let mut units = 0u32;
            for (k, (byte, c)) in line.char_indices().enumerate() {
                if k % 64 == 0 {
                    marks.push((units, byte as u32));
                }
                units = units.saturating_add(c.len_utf16() as u32);
            }
        }
        LineIndex { marks, runs }
    }

    /// [`identifier_at`] of `line`, which this indexes.
    fn identifier_at<'l>(&self, line: &'l str, col: u32) -> Option<&'l str> {
        // The first character starting at or after unit `col`.
        let start = if self.marks.is_empty() {
            Some(col as usize).filter(|&b| b < line.len())
        } else {
            // From the last mark at or before `col`: at most 64 characters on.
            let k = self.marks.partition_point(|&(u, _)| u <= col).checked_sub(1)?;
            let (mut units, byte) = self.marks[k];
            line[byte as usize..].char_indices().find_map(|(i, c)| {
                let here = units >= col;
                units = units.saturating_add(c.len_utf16() as u32);
                here.then_some(byte as usize + i)
            })
        }?;
        // The run holding `start`, or the next one.
        let r = self.runs.partition_point(|&(_, end)| end as usize <= start);
        let &(run_start, end) = self.runs.get(r)?;
        let word = &line[start.max(run_start as usize)..end as usize];
        (!word.starts_with(|c: char| c.is_ascii_digit())).then_some(word)
    }
}

/// The first run of word characters (`[A-Za-z0-9_]`, JavaScript's `\w`) at
/// or after UTF-16 column `col` of `line`, unless it starts with a digit.
/// ([`LineIndex::identifier_at`] finds the same with an index.)
#[cfg(test)]
fn identifier_at(line: &str, col: u32) -> Option<&str> {
    let mut units = 0u32;
    let start = line.char_indices().find(|(_, c)| {
        let here = units >= col;
        units = units.saturating_add(c.len_utf16() as u32);
        here
    })?;
    let rest = &line[start.0..];
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let begin = rest.find(is_word)?;
    let word = &rest[begin..];
    let word = &word[..word.find(|c: char| !is_word(c)).unwrap_or(word.len())];
    (!word.starts_with(|c: char| c.is_ascii_digit())).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The indexed search finds what the walk from the line's start
        /// finds, on lines of ASCII, two-byte, three-byte and four-byte
        /// (two UTF-16 units) characters, at every column and past the end.
        #[test]
        fn the_line_index_finds_the_walks_identifier(
            line in proptest::collection::vec(proptest::sample::select(vec!['a', '_', '7', ' ', '(', 'é', '€', '😀', 'Z']), 0..300),
        ) {
            let line: String = line.into_iter().collect();
            let index = LineIndex::new(&line);
            let units = line.encode_utf16().count() as u32;
            for col in 0..units + 3 {
                proptest::prop_assert_eq!(index.identifier_at(&line, col), identifier_at(&line, col), "column {}", col);
            }
        }
    }

    /// The one pass is the repeated replacement of the leftmost `/./`.
    #[test]
    fn dot_segments_in_one_pass() {
        let replaced = |source: &str| {
            let mut s = source.to_owned();
            while let Some(at) = s.find("/./") {
                s.replace_range(at..at + 3, "/");
            }
            s
        };
        // Every string of up to 9 characters over `/`, `.`, `a` and `é`.
        let alphabet = ['/', '.', 'a', 'é'];
        let mut strings = vec![String::new()];
        for _ in 0..9 {
            let longer: Vec<String> =
                strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            for s in &longer {
                assert_eq!(without_dot_segments(s), replaced(s), "{s:?}");
            }
            strings = longer;
        }
        assert_eq!(without_dot_segments("webpack://app/./src/././a.ts"), "webpack://app/src/a.ts");
    }

    #[test]
    fn stems() {
        assert_eq!(without_extensions("app.min.js.map"), "app");
        assert_eq!(without_extensions("https://cdn.example/x.y/app.min.js?v=1"), "https://cdn.example/x.y/app");
        assert_eq!(without_extensions("noext"), "noext");
        assert_eq!(without_extensions(".map"), "");
    }

    #[test]
    fn dot_segments() {
        assert_eq!(without_dot_segments("webpack://app/./src/./a.ts"), "webpack://app/src/a.ts");
        assert_eq!(without_dot_segments("/././a.ts"), "/a.ts");
        assert_eq!(without_dot_segments("./a.ts"), "./a.ts");
        assert_eq!(without_dot_segments("../a.ts"), "../a.ts");
    }

    #[test]
    fn identifiers() {
        assert_eq!(identifier_at("function countPrimes(limit) {", 0), Some("function"));
        assert_eq!(identifier_at("function countPrimes(limit) {", 9), Some("countPrimes"));
        assert_eq!(identifier_at("  f(400, () => g())", 4), None);
        assert_eq!(identifier_at("é = () => run_it()", 1), Some("run_it"));
        assert_eq!(identifier_at("short", 99), None);
    }
}
