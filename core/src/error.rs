//! The one error type of flamekit, with a stable machine-readable code per variant.

use std::fmt;

/// Result alias used throughout flamekit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which ingest limit was exceeded (see [`crate::IngestLimits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Size of the uploaded bytes.
    InputBytes,
    /// Size after gzip/zip decompression.
    InflatedBytes,
    /// Number of distinct frames in a group.
    Frames,
    /// Number of samples plus events in a group.
    Samples,
    /// Depth of one stack.
    StackDepth,
    /// Number of profiles in a group.
    Profiles,
    /// Ratio of inflated bytes to the compressed bytes they came from.
    InflationRatio,
    /// Number of stack nodes in one sampled profile's table.
    StackNodes,
    /// Bytes of the names and files of a group's frames together.
    FrameText,
    /// Entries of the source maps given with an import, together.
    SourceMapEntries,
    /// Size of an in-memory speedscope export (a fixed bound,
    /// `MAX_EXPORT_BYTES`, not one of [`crate::IngestLimits`]).
    ExportBytes,
}

impl LimitKind {
    /// Stable name, e.g. `max_frames`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::InputBytes => "max_input_bytes",
            LimitKind::InflatedBytes => "max_inflated_bytes",
            LimitKind::Frames => "max_frames",
            LimitKind::Samples => "max_samples",
            LimitKind::StackDepth => "max_stack_depth",
            LimitKind::Profiles => "max_profiles",
            LimitKind::InflationRatio => "max_inflation_ratio",
            LimitKind::StackNodes => "max_stack_nodes",
            LimitKind::ExportBytes => "max_export_bytes",
            LimitKind::FrameText => "max_frame_text_bytes",
            LimitKind::SourceMapEntries => "max_source_map_entries",
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure flamekit reports. Match on the variant, or use [`Error::code`]
/// for a stable string that bindings and HTTP APIs can expose.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not valid JSON (or not the JSON shape a format needs).
    #[error("invalid JSON ({format}) at line {line}, column {column}: {message}")]
    InvalidJson {
        /// Format being parsed, e.g. `speedscope`.
        format: &'static str,
        /// 1-based line of the error (0 if unknown).
        line: usize,
        /// 1-based column of the error (0 if unknown).
        column: usize,
        /// What went wrong.
        message: String,
    },
    /// No importer recognised the input.
    #[error("unsupported format: the input is none of: {}", tried.join(", "))]
    UnsupportedFormat {
        /// Formats that were tried, in order.
        tried: Vec<String>,
    },
    /// The input parsed but its content is inconsistent (bad index, unbalanced events, ...).
    #[error("invalid {format} profile at {location}: {message}")]
    InvalidProfile {
        /// Format being imported.
        format: &'static str,
        /// Where: a field path (`profiles[0].events[7]`), a line (`line 12`) or a byte offset.
        location: String,
        /// What is wrong there.
        message: String,
    },
    /// The input ends before the format says it should.
    #[error("truncated {format} input at {location}: {message}")]
    Truncated {
        /// Format being imported.
        format: &'static str,
        /// Where the input stopped.
        location: String,
        /// What was expected.
        message: String,
    },
    /// An ingest limit was exceeded while reading.
    #[error("limit exceeded: {limit} is {max}, the input needs more than that (reached {value})")]
    LimitExceeded {
        /// Which limit.
        limit: LimitKind,
        /// The configured maximum.
        max: u64,
        /// The value reached when reading stopped (> max).
        value: u64,
    },
    /// gzip or zip data could not be decompressed.
    #[error("decompression failed: {message}")]
    Decompress {
        /// What the decompressor reported.
        message: String,
    },
    /// A caller-supplied argument is out of range (profile index, offset, zoom range, ...).
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// Argument name.
        name: &'static str,
        /// Why it is invalid.
        message: String,
    },
    /// The profile has nothing to show or analyze for the request.
    #[error("empty profile: {message}")]
    EmptyProfile {
        /// What is empty.
        message: String,
    },
    /// Reading or writing failed (CLI and streaming import only).
    #[error("i/o error: {message}")]
    Io {
        /// The OS error text.
        message: String,
    },
    /// A JavaScript source map given with the import is malformed.
    #[error("invalid source map `{name}`: {message}")]
    InvalidSourceMap {
        /// The map's name as given in the import options (usually its file name).
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// An internal invariant broke. This is a bug in flamekit; bindings also map
    /// caught panics to this variant instead of aborting the host process.
    #[error("internal error: {message}")]
    Internal {
        /// Description of the failure.
        message: String,
    },
}

impl Error {
    /// Stable machine-readable code, e.g. `invalid_json`. Never changes for a variant.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidJson { .. } => "invalid_json",
            Error::UnsupportedFormat { .. } => "unsupported_format",
            Error::InvalidProfile { .. } => "invalid_profile",
            Error::Truncated { .. } => "truncated_input",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::Decompress { .. } => "decompression_failed",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::EmptyProfile { .. } => "empty_profile",
            Error::Io { .. } => "io_error",
            Error::Internal { .. } => "internal_error",
            Error::InvalidSourceMap { .. } => "invalid_source_map",
        }
    }

    /// Every code [`Error::code`] can return, for documentation and binding tests.
    pub const CODES: &'static [&'static str] = &[
        "invalid_json",
        "unsupported_format",
        "invalid_profile",
        "truncated_input",
        "limit_exceeded",
        "decompression_failed",
        "invalid_argument",
        "empty_profile",
        "io_error",
        "internal_error",
        "invalid_source_map",
    ];

    /// Build an [`Error::InvalidProfile`].
    pub fn invalid(format: &'static str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidProfile { format, location: location.into(), message: message.into() }
    }

    /// Build an [`Error::InvalidJson`] from a serde_json error. A JSON error at
    /// end of input becomes [`Error::Truncated`].
    pub fn from_json(format: &'static str, e: &serde_json::Error) -> Self {
        if e.classify() == serde_json::error::Category::Eof {
            return Error::Truncated {
                format,
                location: format!("line {}, column {}", e.line(), e.column()),
                message: "unexpected end of JSON input".into(),
            };
        }
        Error::InvalidJson { format, line: e.line(), column: e.column(), message: e.to_string() }
    }

    /// Build an [`Error::InvalidArgument`].
    pub fn argument(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidArgument { name, message: message.into() }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io { message: e.to_string() }
    }
}
