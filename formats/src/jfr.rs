//! Java Flight Recorder recordings (`.jfr`, format version 2.x: JDK 11 and
//! later), method-sampling events only.
//!
//! # The format, as read here
//!
//! A recording is a sequence of self-contained *chunks*. Each chunk starts
//! with a 68-byte big-endian header: magic `FLR\0`, major and minor version
//! (u16 each), chunk size, offset of the last checkpoint event, offset of
//! the metadata event, start time (ns), duration (ns), start ticks, ticks
//! per second (i64 each) and a feature word (i32; bit 0 = integers are
//! compressed). Events follow the header back to back; each starts with its
//! size (int, counting the whole event) and its type id (long).
//!
//! With compressed integers, `short`/`char`/`int`/`long` are LEB128-style
//! varints: 7 bits per byte, least significant group first, high bit =
//! "more follows", at most 8 such bytes and then a 9th byte holding the top
//! 8 bits. Without compression they are big-endian fixed-width. `float`
//! and `double` are big-endian IEEE; `boolean`/`byte` one byte. Strings
//! start with an encoding byte: 0 null, 1 empty, 2 index into the
//! `java.lang.String` constant pool, 3 UTF-8 (int length + bytes), 4 UTF-16
//! code units (int length + one `char` each), 5 Latin-1 (int length + bytes).
//!
//! * The **metadata event** (type 0): start time, duration, metadata id
//!   (longs), a string table (int count + strings) and a tree of elements
//!   (name = string index, int attribute count + key/value string indices,
//!   int child count + children). `class` elements under `metadata` define
//!   every type (attributes `name`, `id`) with their `field` children
//!   (`name`, `class` = type id, `constantPool="true"` when the value is a
//!   long index into that type's constant pool, `dimension="1"` for arrays:
//!   int count + elements). Other types are structs: their fields in order.
//! * **Checkpoint events** (type 1): start time, duration, delta to the
//!   previous checkpoint (longs), a flush byte, then an int count of pools,
//!   each a type id (long), an int count of constants and that many
//!   (key: long, value: the type's encoding) pairs.
//! * `jdk.ExecutionSample` (a thread running Java code) and
//!   `jdk.NativeMethodSample` (a thread in native code) events carry a
//!   `startTime` and a `stackTrace` reference: `jdk.types.StackTrace` =
//!   `{truncated, frames: StackFrame[]}`, `StackFrame.method` →
//!   `jdk.types.Method {type → java.lang.Class, name → jdk.types.Symbol}`,
//!   `Class.name` → `Symbol {string}`.
//!
//! # What results
//!
//! Two sampled profiles, named as speedscope names them: `Without native
//! calls` (the `jdk.ExecutionSample` events) and `With native calls` (those
//! and the `jdk.NativeMethodSample` events); all threads together, one
//! sample of weight 1 (unitless) per event, in `startTime` order. Frames are
//! `package.Class:method` as speedscope names them (class names use `.`,
//! not `/`). Samples whose stack trace is not in the constant pools are skipped
//! (`missing_stack_trace`); truncated stack traces are counted in one
//! warning. Other event types are skipped by their size.
//!
//! # Robustness
//!
//! Every offset, length, count and index is checked against the chunk's
//! bounds before use; counts must not exceed the bytes left; struct nesting
//! from (possibly cyclic) metadata is capped at [`MAX_NESTING`] levels and
//! the number of decoded values at a multiple of the input size, so hostile
//! input fails with a typed error. JFR 1.x (JDK 7/8 commercial recordings)
//! is refused with `unsupported_format`.

use std::collections::HashMap;

use flamekit_core::{Error, FrameId, GroupBuilder, ImportReport, Location, ProfileGroup, Result, StackId, ValueUnit};

use crate::ImportOptions;

const FORMAT: &str = crate::Format::Jfr.id();
const MAGIC: &[u8; 4] = b"FLR\0";
const HEADER_LEN: usize = 68;
/// Deepest struct-in-struct nesting decoded (metadata could define cycles).
pub const MAX_NESTING: u32 = 32;
/// The sample event types imported, in profile order.
const SAMPLE_EVENTS: [&str; 2] = ["jdk.ExecutionSample", "jdk.NativeMethodSample"];

/// The two profiles, named as speedscope names them: Java samples only,
/// then Java and native-method samples together.
const PROFILE_NAMES: [&str; 2] = ["Without native calls", "With native calls"];
const WITHOUT_NATIVE: usize = 0;
const WITH_NATIVE: usize = 1;

/// True when `bytes` start with the JFR magic `FLR\0`.
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && &bytes[..4] == MAGIC
}

fn truncated(at: usize, what: &str) -> Error {
    Error::Truncated { format: FORMAT, location: format!("byte {at}"), message: format!("input ends inside {what}") }
}

fn invalid(at: usize, msg: impl Into<String>) -> Error {
    Error::invalid(FORMAT, format!("byte {at}"), msg)
}

/// A bounded reader over one event (or header) of a chunk.
struct Reader<'a> {
    /// The whole input; `end` bounds what this reader may consume.
    buf: &'a [u8],
    pos: usize,
    end: usize,
    compressed: bool,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], pos: usize, end: usize, compressed: bool) -> Self {
        Reader { buf, pos, end: end.min(buf.len()), compressed }
    }

    fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        // Readers are bounded by events inside a chunk whose size was
        // checked against the input, so running out is a bad event, not
        // a truncated file.
        if n > self.remaining() {
            return Err(invalid(self.pos, format!("{what} runs past the end of its event")));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1, "a byte")?[0])
    }

    fn fixed(&mut self, n: usize) -> Result<u64> {
        let b = self.bytes(n, "a fixed-width number")?;
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }

    /// A JFR compressed long (or a fixed 8-byte one).
    fn long(&mut self) -> Result<u64> {
        if !self.compressed {
            return self.fixed(8);
        }
        let mut v = 0u64;
        for i in 0..8 {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Ok(v | ((self.u8()? as u64) << 56))
    }

    /// A JFR int: compressed like a long but only 32 bits are kept.
    fn int(&mut self) -> Result<u32> {
        if self.compressed {
            Ok(self.long()? as u32)
        } else {
            Ok(self.fixed(4)? as u32)
        }
    }

    /// A count that must not exceed the bytes left (each item takes at least one byte).
    fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = self.int()? as usize;
        if n > self.remaining() {
            return Err(invalid(
                at,
                format!("{what} count {n} exceeds the {} bytes left in its event", self.remaining()),
            ));
        }
        Ok(n)
    }

    fn short_or_char(&mut self) -> Result<u64> {
        if self.compressed {
            self.long()
        } else {
            self.fixed(2)
        }
    }

    fn string(&mut self) -> Result<Str> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(Str::Null),
            1 => Ok(Str::Text(String::new())),
            2 => Ok(Str::Ref(self.long()?)),
            3 => {
                let n = self.count("UTF-8 string")?;
                Ok(Str::Text(String::from_utf8_lossy(self.bytes(n, "a string")?).into_owned()))
            }
            4 => {
                let n = self.count("UTF-16 string")?;
                let mut units = Vec::with_capacity(n);
                for _ in 0..n {
                    units.push(self.short_or_char()? as u16);
                }
                Ok(Str::Text(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')).collect()))
            }
            5 => {
                let n = self.count("Latin-1 string")?;
                Ok(Str::Text(self.bytes(n, "a string")?.iter().map(|&b| b as char).collect()))
            }
            e => Err(invalid(at, format!("unknown string encoding {e}"))),
        }
    }
}

/// A decoded string.
#[derive(Clone, Debug)]
enum Str {
    Null,
    Text(String),
    /// Index into the `java.lang.String` constant pool.
    Ref(u64),
}

/// A decoded value.
#[derive(Clone, Debug)]
enum Value {
    Int(u64),
    Float,
    Str(Str),
    /// Constant-pool index of the field's type.
    Ref(u64),
    Array(Vec<Value>),
    Struct(Vec<Value>),
}

impl Value {
    fn field(&self, i: Option<usize>) -> Option<&Value> {
        match self {
            Value::Struct(v) => v.get(i?),
            _ => None,
        }
    }
    fn as_ref(&self) -> Option<u64> {
        match self {
            Value::Ref(r) => Some(*r),
            _ => None,
        }
    }
    fn as_int(&self) -> Option<u64> {
        match self {
            Value::Int(r) => Some(*r),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Prim {
    Bool,
    Byte,
    Short,
    Char,
    Int,
    Long,
    Float,
    Double,
    String,
}

fn prim(name: &str) -> Option<Prim> {
    Some(match name {
        "boolean" => Prim::Bool,
        "byte" => Prim::Byte,
        "short" => Prim::Short,
        "char" => Prim::Char,
        "int" => Prim::Int,
        "long" => Prim::Long,
        "float" => Prim::Float,
        "double" => Prim::Double,
        "java.lang.String" => Prim::String,
        _ => return None,
    })
}

struct Field {
    name: String,
    class: u64,
    constant_pool: bool,
    array: bool,
}

struct Class {
    name: String,
    prim: Option<Prim>,
    fields: Vec<Field>,
}

impl Class {
    fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// One metadata element, stored flat.
struct Element {
    name: u32,
    attrs: Vec<(u32, u32)>,
    parent: usize,
}

/// Parse the metadata event at `pos` into the chunk's type table.
fn read_metadata(buf: &[u8], pos: usize, end: usize, compressed: bool) -> Result<HashMap<u64, Class>> {
    let mut r = Reader::new(buf, pos, end, compressed);
    let size = r.int()? as usize;
    if size == 0 || size > end.saturating_sub(pos) {
        return Err(invalid(pos, format!("metadata event size {size} does not fit the chunk")));
    }
    r.end = pos + size;
    let ty = r.long()?;
    if ty != 0 {
        return Err(invalid(pos, format!("the metadata offset points at an event of type {ty}, not 0")));
    }
    r.long()?; // start time
    r.long()?; // duration
    r.long()?; // metadata id
    let n = r.count("metadata string table")?;
    let mut strings: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        strings.push(match r.string()? {
            Str::Text(s) => s,
            _ => String::new(),
        });
    }
    let string = |i: u32, at: usize| -> Result<&str> {
        strings
            .get(i as usize)
            .map(String::as_str)
            .ok_or_else(|| invalid(at, format!("metadata string index {i} out of range")))
    };
    // The element tree, iteratively: (element index, children left).
    let mut elements: Vec<Element> = Vec::new();
    let read_element = |r: &mut Reader, parent: usize, elements: &mut Vec<Element>| -> Result<usize> {
        let at = r.pos;
        let name = r.int()?;
        string(name, at)?;
        let na = r.count("metadata attributes")?;
        let mut attrs = Vec::with_capacity(na);
        for _ in 0..na {
            let at = r.pos;
            let (k, v) = (r.int()?, r.int()?);
            string(k, at)?;
            string(v, at)?;
            attrs.push((k, v));
        }
        elements.push(Element { name, attrs, parent });
        r.count("metadata children")
    };
    let root_children = read_element(&mut r, usize::MAX, &mut elements)?;
    let mut open: Vec<(usize, usize)> = vec![(0, root_children)];
    while let Some(top) = open.last_mut() {
        if top.1 == 0 {
            open.pop();
            continue;
        }
        top.1 -= 1;
        let parent = top.0;
        let children = read_element(&mut r, parent, &mut elements)?;
        open.push((elements.len() - 1, children));
    }
    let name_of = |e: &Element| strings.get(e.name as usize).map_or("", String::as_str);
    let attr = |e: &Element, key: &str| -> Option<&str> {
        e.attrs
            .iter()
            .find(|(k, _)| strings.get(*k as usize).is_some_and(|s| s == key))
            .and_then(|(_, v)| strings.get(*v as usize))
            .map(String::as_str)
    };
    let mut classes: HashMap<u64, Class> = HashMap::new();
    let mut class_of_element: HashMap<usize, u64> = HashMap::new();
    for (i, e) in elements.iter().enumerate() {
        if name_of(e) != "class" {
            continue;
        }
        let (Some(name), Some(id)) = (attr(e, "name"), attr(e, "id").and_then(|s| s.parse::<u64>().ok())) else {
            return Err(invalid(pos, "a metadata class lacks a name or a numeric id"));
        };
        class_of_element.insert(i, id);
        classes.insert(id, Class { name: kept_name(name), prim: prim(name), fields: Vec::new() });
    }
    for e in &elements {
        if name_of(e) != "field" {
            continue;
        }
        let Some(&owner) = class_of_element.get(&e.parent) else { continue };
        let (Some(name), Some(class)) = (attr(e, "name"), attr(e, "class").and_then(|s| s.parse::<u64>().ok())) else {
            return Err(invalid(pos, "a metadata field lacks a name or a numeric class"));
        };
        let field = Field {
            name: kept_name(name),
            class,
            constant_pool: attr(e, "constantPool") == Some("true"),
            array: attr(e, "dimension").is_some_and(|d| d != "0"),
        };
        if let Some(c) = classes.get_mut(&owner) {
            c.fields.push(field);
        }
    }
    Ok(classes)
}

/// A metadata class or field name as kept: whole up to 256 bytes, else its
/// [`Excerpt`](flamekit_core::Excerpt) (the names looked up are short: a
/// longer one matches none either way, and one string named by every
/// element is not copied whole for each).
fn kept_name(name: &str) -> String {
    flamekit_core::Excerpt(name).to_string()
}

/// Values decoded per byte of a chunk at most (plus a million): nested
/// structs make several values of a few bytes. A value that takes no byte
/// (an array element of a struct type without fields) counts as this many.
const VALUES_PER_BYTE: u64 = 16;

/// Decodes values by their metadata type, within a work budget.
struct Decoder<'c> {
    classes: &'c HashMap<u64, Class>,
    budget: u64,
}

impl Decoder<'_> {
    fn value(&mut self, r: &mut Reader, class: u64, cp: bool, array: bool, depth: u32) -> Result<Value> {
        if self.budget == 0 {
            return Err(invalid(r.pos, "too many values for the input size (cyclic or hostile metadata?)"));
        }
        self.budget -= 1;
        if array {
            let n = r.count("array")?;
            let mut v = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                let at = r.pos;
                v.push(self.value(r, class, cp, false, depth)?);
                if r.pos == at {
                    // An element of no bytes (a struct whose fields have
                    // none) costs a byte's share of the budget: an array's
                    // count alone cannot make 16 values per input byte.
                    self.budget = self.budget.saturating_sub(VALUES_PER_BYTE - 1);
                }
            }
            return Ok(Value::Array(v));
        }
        if cp {
            return Ok(Value::Ref(r.long()?));
        }
        let at = r.pos;
        let c = self.classes.get(&class).ok_or_else(|| invalid(at, format!("value of undefined type {class}")))?;
        if let Some(p) = c.prim {
            return Ok(match p {
                Prim::Bool | Prim::Byte => Value::Int(r.u8()? as u64),
                Prim::Short | Prim::Char => Value::Int(r.short_or_char()?),
                Prim::Int => Value::Int(r.int()? as u64),
                Prim::Long => Value::Int(r.long()?),
                Prim::Float => {
                    r.bytes(4, "a float")?;
                    Value::Float
                }
                Prim::Double => {
                    r.bytes(8, "a double")?;
                    Value::Float
                }
                Prim::String => Value::Str(r.string()?),
            });
        }
        if depth >= MAX_NESTING {
            return Err(invalid(at, format!("type `{}` nests more than {MAX_NESTING} levels", c.name)));
        }
        let mut fields = Vec::with_capacity(c.fields.len());
        for f in &c.fields {
            fields.push(self.value(r, f.class, f.constant_pool, f.array, depth + 1)?);
        }
        Ok(Value::Struct(fields))
    }
}

/// Type ids and field positions the importer needs, looked up by name.
struct Layout {
    stack_trace: Option<u64>,
    method: Option<u64>,
    class: Option<u64>,
    symbol: Option<u64>,
    string: Option<u64>,
    st_frames: Option<usize>,
    st_truncated: Option<usize>,
    frame_method: Option<usize>,
    method_type: Option<usize>,
    method_name: Option<usize>,
    class_name: Option<usize>,
    symbol_string: Option<usize>,
    /// (profile index, type id, startTime field, stackTrace field).
    samples: Vec<(usize, u64, Option<usize>, Option<usize>)>,
}

fn layout(classes: &HashMap<u64, Class>) -> Layout {
    // A recording names each type once; where a hostile one names two
    // classes alike, the lowest id is taken, not the first one the map
    // happens to hold (its order changes from one import to the next).
    let id = |name: &str| classes.iter().filter(|(_, c)| c.name == name).map(|(id, _)| *id).min();
    let field = |class: Option<u64>, name: &str| class.and_then(|c| classes.get(&c)).and_then(|c| c.field_index(name));
    let stack_trace = id("jdk.types.StackTrace");
    let frame_class = stack_trace
        .and_then(|c| classes.get(&c))
        .and_then(|c| c.fields.iter().find(|f| f.name == "frames"))
        .map(|f| f.class);
    let method = id("jdk.types.Method");
    let class = id("java.lang.Class");
    let symbol = id("jdk.types.Symbol");
    let samples = SAMPLE_EVENTS
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let t = id(name)?;
            Some((i, t, field(Some(t), "startTime"), field(Some(t), "stackTrace")))
        })
        .collect();
    Layout {
        stack_trace,
        method,
        class,
        symbol,
        string: id("java.lang.String"),
        st_frames: field(stack_trace, "frames"),
        st_truncated: field(stack_trace, "truncated"),
        frame_method: field(frame_class, "method"),
        method_type: field(method, "type"),
        method_name: field(method, "name"),
        class_name: field(class, "name"),
        symbol_string: field(symbol, "string"),
        samples,
    }
}

/// Constant pools of the types the importer keeps.
#[derive(Default)]
struct Pools {
    by_type: HashMap<u64, HashMap<u64, Value>>,
}

impl Pools {
    fn get(&self, ty: Option<u64>, key: u64) -> Option<&Value> {
        self.by_type.get(&ty?)?.get(&key)
    }
}

/// Read one checkpoint event's pools; `r` is bounded to the event.
fn read_checkpoint(r: &mut Reader, dec: &mut Decoder, keep: &[u64], pools: &mut Pools) -> Result<()> {
    r.long()?; // start time
    r.long()?; // duration
    r.long()?; // delta to the previous checkpoint
    r.u8()?; // flush / checkpoint kind
    let n = r.count("constant pools")?;
    for _ in 0..n {
        let ty = r.long()?;
        let count = r.count("constants")?;
        let kept = keep.contains(&ty);
        for _ in 0..count {
            let key = r.long()?;
            let v = dec.value(r, ty, false, false, 0)?;
            if kept {
                pools.by_type.entry(ty).or_default().insert(key, v);
            }
        }
    }
    Ok(())
}

/// Per-import state shared across chunks.
struct Out {
    builders: Vec<Option<flamekit_core::SampledBuilder>>,
    truncated_stacks: u64,
    missing: u64,
}

/// Resolves stacks of one chunk into frames, with caches.
struct Resolver<'p> {
    pools: &'p Pools,
    l: &'p Layout,
    methods: HashMap<u64, FrameId>,
    stacks: HashMap<(usize, u64), Option<StackId>>,
    frames: Vec<FrameId>,
}

impl Resolver<'_> {
    /// The text of symbol `key`, borrowed, past `max` bytes only as far as
    /// the next character boundary but three (a frame name made of it is
    /// cut to `max` bytes: its first `max` bytes and their boundaries are
    /// the same, and a long symbol used by many methods is not copied whole
    /// for each).
    fn symbol(&self, key: Option<u64>, max: usize) -> Option<&str> {
        let sym = self.pools.get(self.l.symbol, key?)?;
        let s = match sym.field(self.l.symbol_string)? {
            Value::Str(Str::Text(s)) => s,
            Value::Str(Str::Ref(k)) => match self.pools.get(self.l.string, *k)? {
                Value::Str(Str::Text(s)) => s,
                _ => return None,
            },
            _ => return None,
        };
        Some(&s[..flamekit_core::cut_at(s, max.saturating_add(4))])
    }

    fn method_frame(&mut self, g: &mut GroupBuilder, key: u64) -> Result<FrameId> {
        if let Some(&f) = self.methods.get(&key) {
            return Ok(f);
        }
        let method = self.pools.get(self.l.method, key);
        let max = usize::try_from(g.limits().max_name_bytes).unwrap_or(usize::MAX);
        let name = method.and_then(|m| self.symbol(m.field(self.l.method_name).and_then(Value::as_ref), max));
        let class = method
            .and_then(|m| m.field(self.l.method_type).and_then(Value::as_ref))
            .and_then(|c| self.pools.get(self.l.class, c))
            .and_then(|c| self.symbol(c.field(self.l.class_name).and_then(Value::as_ref), max));
        let full = match (class, name) {
            (Some(c), Some(n)) => format!("{}:{n}", c.replace('/', ".")),
            (None, Some(n)) => n.to_owned(),
            (Some(c), None) => format!("{}:<unknown method>", c.replace('/', ".")),
            (None, None) => format!("<unknown method {key}>"),
        };
        let f = g.frame_named(&full)?;
        self.methods.insert(key, f);
        Ok(f)
    }

    /// The stack node for `(profile, stack trace key)`, `None` when unknown.
    fn stack(&mut self, g: &mut GroupBuilder, out: &mut Out, profile: usize, key: u64) -> Result<Option<StackId>> {
        if let Some(&s) = self.stacks.get(&(profile, key)) {
            return Ok(s);
        }
        let pools = self.pools;
        let Some(trace) = pools.get(self.l.stack_trace, key) else {
            self.stacks.insert((profile, key), None);
            return Ok(None);
        };
        // Every trace is resolved for "With native calls"; count it there only.
        if profile == WITH_NATIVE && trace.field(self.l.st_truncated).and_then(Value::as_int).unwrap_or(0) != 0 {
            out.truncated_stacks += 1;
        }
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        if let Some(Value::Array(items)) = trace.field(self.l.st_frames) {
            // Innermost first in the file; the model wants outermost first.
            for item in items.iter().rev() {
                if let Some(m) = item.field(self.l.frame_method).and_then(Value::as_ref) {
                    frames.push(self.method_frame(g, m)?);
                }
            }
        }
        let Some(b) = out.builders.get_mut(profile).and_then(Option::as_mut) else {
            return Err(Error::Internal { message: "JFR profile builder missing".into() });
        };
        let id = b.stack_id(&frames)?;
        self.frames = frames;
        self.stacks.insert((profile, key), Some(id));
        Ok(Some(id))
    }
}

/// Import one chunk starting at `start`; returns the chunk's size.
fn import_chunk(bytes: &[u8], start: usize, g: &mut GroupBuilder, out: &mut Out) -> Result<usize> {
    if bytes.len() - start < HEADER_LEN {
        return Err(truncated(start, "a chunk header"));
    }
    if &bytes[start..start + 4] != MAGIC {
        return Err(invalid(start, "chunk does not start with FLR\\0"));
    }
    let mut h = Reader::new(bytes, start + 4, start + HEADER_LEN, false);
    let major = h.fixed(2)?;
    let minor = h.fixed(2)?;
    if major != 2 {
        return Err(Error::UnsupportedFormat {
            tried: vec![format!("jfr (format version {major}.{minor} is not supported; only 2.x, JDK 11 and later)")],
        });
    }
    let size = h.fixed(8)?;
    let _cp_offset = h.fixed(8)?;
    let md_offset = h.fixed(8)?;
    h.fixed(8)?; // start nanos
    h.fixed(8)?; // duration nanos
    h.fixed(8)?; // start ticks
    h.fixed(8)?; // ticks per second
    let features = h.fixed(4)?;
    let compressed = features & 1 != 0;
    if size < HEADER_LEN as u64 {
        return Err(invalid(start, format!("chunk size {size} is smaller than its header (an unfinished recording?)")));
    }
    if size > (bytes.len() - start) as u64 {
        return Err(truncated(start, &format!("a chunk of {size} bytes")));
    }
    let size = size as usize;
    let end = start + size;
    if md_offset < HEADER_LEN as u64 || md_offset >= size as u64 {
        return Err(invalid(start, format!("metadata offset {md_offset} is outside the chunk")));
    }
    let classes = read_metadata(bytes, start + md_offset as usize, end, compressed)?;
    let l = layout(&classes);
    let keep: Vec<u64> = [l.stack_trace, l.method, l.class, l.symbol, l.string].into_iter().flatten().collect();
    let mut dec =
        Decoder { classes: &classes, budget: (size as u64).saturating_mul(VALUES_PER_BYTE).saturating_add(1 << 20) };
    let mut pools = Pools::default();
    // (profile, time, stack trace key)
    let mut samples: Vec<(usize, u64, u64)> = Vec::new();
    let mut pos = start + HEADER_LEN;
    while pos < end {
        let mut r = Reader::new(bytes, pos, end, compressed);
        let ev_size = r.int()? as usize;
        let ty = r.long()?;
        if ev_size < r.pos - pos || ev_size > end - pos || ev_size == 0 {
            return Err(invalid(pos, format!("event size {ev_size} does not fit the chunk")));
        }
        r.end = pos + ev_size;
        if ty == 1 {
            read_checkpoint(&mut r, &mut dec, &keep, &mut pools)?;
        } else if let Some(&(profile, _, time_f, stack_f)) = l.samples.iter().find(|s| s.1 == ty) {
            let ev = dec.value(&mut r, ty, false, false, 0)?;
            let time = ev.field(time_f).and_then(Value::as_int).unwrap_or(0);
            match ev.field(stack_f).and_then(Value::as_ref) {
                Some(st) => samples.push((profile, time, st)),
                None => {
                    out.missing += 1;
                    g.report().skip("missing_stack_trace", Location::Byte(pos as u64), "sample without a stack trace");
                }
            }
        }
        pos += ev_size;
    }
    samples.sort_by_key(|s| s.1);
    if !samples.is_empty() {
        for (i, name) in PROFILE_NAMES.iter().enumerate() {
            if out.builders[i].is_none() {
                out.builders[i] = Some(g.sampled(*name, ValueUnit::None));
            }
        }
    }
    let mut res =
        Resolver { pools: &pools, l: &l, methods: HashMap::new(), stacks: HashMap::new(), frames: Vec::new() };
    for (event, _, key) in samples {
        // Java samples go to both profiles, native-method samples only to
        // "With native calls" (profile 1), as speedscope splits them.
        let first = if event == 0 { WITHOUT_NATIVE } else { WITH_NATIVE };
        for profile in first..=WITH_NATIVE {
            match res.stack(g, out, profile, key)? {
                Some(id) => {
                    if let Some(b) = out.builders[profile].as_mut() {
                        b.push_sample(id, 1.0)?;
                    }
                }
                None if profile == WITH_NATIVE => {
                    out.missing += 1;
                    g.report().skip(
                        "missing_stack_trace",
                        Location::Path(format!("{}: stack trace {key}", SAMPLE_EVENTS[event])),
                        "stack trace not found in the constant pools",
                    );
                }
                None => {}
            }
        }
    }
    Ok(size)
}

/// Import a JFR recording: the two profiles of the module docs.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    if !sniff(bytes) {
        return Err(invalid(0, "not a JFR recording (no FLR\\0 magic)"));
    }
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    let mut out = Out { builders: PROFILE_NAMES.iter().map(|_| None).collect(), truncated_stacks: 0, missing: 0 };
    let mut pos = 0usize;
    while pos < bytes.len() {
        pos += import_chunk(bytes, pos, &mut g, &mut out)?;
    }
    if out.truncated_stacks > 0 {
        g.report().warn(
            "truncated_stack",
            Location::None,
            format!("{} stack trace(s) were truncated by the JVM (stackdepth setting)", out.truncated_stacks),
        );
    }
    for b in out.builders.into_iter().flatten() {
        g.push_profile(b.finish())?;
    }
    if g.profile_count() == 0 {
        return Err(Error::EmptyProfile {
            message: "the recording holds no jdk.ExecutionSample or jdk.NativeMethodSample events".into(),
        });
    }
    g.finish(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str, fields: &[&str]) -> Class {
        Class {
            name: name.to_owned(),
            prim: prim(name),
            fields: fields
                .iter()
                .map(|f| Field { name: (*f).to_owned(), class: 0, constant_pool: false, array: false })
                .collect(),
        }
    }

    #[test]
    fn a_type_named_twice_is_the_one_with_the_lowest_id() {
        // Twelve stack-trace types; only the lowest id's has `frames` first.
        // A map's order picks that one in about one import in twelve.
        for _ in 0..8 {
            let mut classes = HashMap::new();
            for id in (40..52).rev() {
                let fields: &[&str] = if id == 40 { &["frames", "truncated"] } else { &["truncated", "frames"] };
                classes.insert(id, class("jdk.types.StackTrace", fields));
            }
            let l = layout(&classes);
            assert_eq!(l.stack_trace, Some(40));
            assert_eq!((l.st_frames, l.st_truncated), (Some(0), Some(1)));
        }
    }
}
