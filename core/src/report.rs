//! Import diagnostics: what an importer skipped or repaired, instead of
//! silently dropping data.

use std::collections::BTreeMap;
use std::fmt;

/// A name (or any text from the input) as a diagnostic's message quotes
/// it: its first [`Excerpt::MAX_BYTES`] bytes, cut at a character
/// boundary and followed by `…` when longer. Messages are formatted for
/// every repair, stored or not, so quoting a long name whole would cost its
/// length each time.
///
/// ```
/// use flamekit_core::Excerpt;
/// assert_eq!(Excerpt("main").to_string(), "main");
/// let long = "x".repeat(1000);
/// assert_eq!(Excerpt(&long).to_string(), format!("{}…", &long[..Excerpt::MAX_BYTES]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Excerpt<'a>(pub &'a str);

impl Excerpt<'_> {
    /// The most bytes of the text shown: 256.
    pub const MAX_BYTES: usize = 256;
}

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = crate::limits::cut_at(self.0, Self::MAX_BYTES);
        f.write_str(&self.0[..end])?;
        if end < self.0.len() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// Where in the input a diagnostic applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// 1-based line of a text format.
    Line(u64),
    /// Byte offset in the input.
    Byte(u64),
    /// Index of an event/sample/node in a JSON or binary format.
    Index(u64),
    /// A field path such as `profiles[0].events`.
    Path(String),
    /// Nowhere in particular.
    None,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Byte(n) => write!(f, "byte {n}"),
            Location::Index(n) => write!(f, "index {n}"),
            Location::Path(p) => f.write_str(p),
            Location::None => f.write_str("-"),
        }
    }
}

/// One warning from an importer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable code, e.g. `invalid_line`, `unmatched_end_event`.
    pub code: &'static str,
    /// Where it happened.
    pub location: Location,
    /// Human-readable detail.
    pub message: String,
}

/// What an import did besides producing the group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The format identifier that was imported.
    pub format: String,
    /// The first [`ImportReport::MAX_WARNINGS`] warnings.
    pub warnings: Vec<Diagnostic>,
    /// Exact number of warnings, including those not kept.
    pub warning_count: u64,
    /// Exact counts of skipped items per reason code.
    pub skipped: BTreeMap<&'static str, u64>,
}

impl ImportReport {
    /// How many warnings are kept; counts stay exact past it.
    pub const MAX_WARNINGS: usize = 100;

    /// An empty report for `format`.
    pub fn new(format: &str) -> Self {
        ImportReport { format: format.to_owned(), ..Default::default() }
    }

    /// Record a warning.
    pub fn warn(&mut self, code: &'static str, location: Location, message: impl Into<String>) {
        self.warning_count += 1;
        if self.warnings.len() < Self::MAX_WARNINGS {
            self.warnings.push(Diagnostic { code, location, message: message.into() });
        }
    }

    /// Record that an item was skipped for `reason`, with a warning.
    pub fn skip(&mut self, reason: &'static str, location: Location, message: impl Into<String>) {
        *self.skipped.entry(reason).or_insert(0) += 1;
        self.warn(reason, location, message);
    }

    /// Total skipped items over all reasons.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// True when there is nothing to report.
    pub fn is_clean(&self) -> bool {
        self.warning_count == 0 && self.skipped.is_empty()
    }
}
