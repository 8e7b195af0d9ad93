use std::fmt;

/// Index of a frame in [`crate::ProfileGroup::frames`].
pub type FrameId = u32;

/// One function (or any named code location). Frames are interned once per
/// group: two frames are the same when name, file, line and column are equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Frame {
    /// Function name as the source format spells it (demangled where possible).
    pub name: String,
    /// Source file or module, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column, if known.
    pub col: Option<u32>,
}

impl Frame {
    /// Bytes of its name and file together: what it counts against
    /// [`IngestLimits::max_frame_text_bytes`](crate::IngestLimits::max_frame_text_bytes).
    pub fn text_bytes(&self) -> u64 {
        (self.name.len() + self.file.as_ref().map_or(0, String::len)) as u64
    }

    /// A frame with only a name.
    pub fn new(name: impl Into<String>) -> Self {
        Frame { name: name.into(), file: None, line: None, col: None }
    }

    /// A frame with a name and a source location.
    pub fn with_location(name: impl Into<String>, file: Option<String>, line: Option<u32>, col: Option<u32>) -> Self {
        Frame { name: name.into(), file, line, col }
    }
}

/// Unit of a profile's values (weights, timestamps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueUnit {
    /// Unitless counts (e.g. samples).
    #[default]
    None,
    /// Nanoseconds.
    Nanoseconds,
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Bytes (memory profiles).
    Bytes,
}

impl ValueUnit {
    /// Every unit, in declaration order.
    pub const ALL: [ValueUnit; 6] = [
        ValueUnit::None,
        ValueUnit::Nanoseconds,
        ValueUnit::Microseconds,
        ValueUnit::Milliseconds,
        ValueUnit::Seconds,
        ValueUnit::Bytes,
    ];

    /// The speedscope spelling: `none`, `nanoseconds`, ... `bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueUnit::None => "none",
            ValueUnit::Nanoseconds => "nanoseconds",
            ValueUnit::Microseconds => "microseconds",
            ValueUnit::Milliseconds => "milliseconds",
            ValueUnit::Seconds => "seconds",
            ValueUnit::Bytes => "bytes",
        }
    }

    /// Parse the speedscope spelling (exact, lower case).
    pub fn parse(s: &str) -> Option<ValueUnit> {
        ValueUnit::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// Milliseconds per unit for time units, `None` otherwise.
    pub fn ms_per_unit(self) -> Option<f64> {
        match self {
            ValueUnit::Nanoseconds => Some(1e-6),
            ValueUnit::Microseconds => Some(1e-3),
            ValueUnit::Milliseconds => Some(1.0),
            ValueUnit::Seconds => Some(1e3),
            ValueUnit::None | ValueUnit::Bytes => None,
        }
    }

    /// True for the four time units.
    pub fn is_time(self) -> bool {
        self.ms_per_unit().is_some()
    }
}

impl fmt::Display for ValueUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
