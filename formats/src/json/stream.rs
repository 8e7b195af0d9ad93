//! Errors of the streaming JSON reader (struson), mapped to flamekit's
//! errors the same way for every importer that streams.

use flamekit_core::{Error, LimitKind};
use struson::reader::{JsonReaderPosition, ReaderError, SyntaxErrorKind};

/// 1-based line and column of a reader position (0, 0 when unknown).
fn line_col(p: &JsonReaderPosition) -> (usize, usize) {
    p.line_pos.as_ref().map_or((0, 0), |l| (l.line as usize + 1, l.column as usize + 1))
}

fn truncated(format: &'static str, p: &JsonReaderPosition) -> Error {
    let (line, column) = line_col(p);
    Error::Truncated {
        format,
        location: format!("line {line}, column {column}"),
        message: "unexpected end of JSON input".into(),
    }
}

/// Map a streaming-reader error of `format`'s importer to a flamekit error:
/// input that ends early is [`Error::Truncated`]; nesting deeper than the
/// reader's limit is a stack-depth [`Error::LimitExceeded`] (the importers
/// that set one nest each frame as an object in an array, two levels per
/// frame); anything else is [`Error::InvalidJson`] at its line and column.
pub(crate) fn stream_error(format: &'static str, e: ReaderError) -> Error {
    match &e {
        ReaderError::SyntaxError(s) if s.kind == SyntaxErrorKind::IncompleteDocument => truncated(format, &s.location),
        ReaderError::IoError { error, location } if error.kind() == std::io::ErrorKind::UnexpectedEof => {
            truncated(format, location)
        }
        ReaderError::MaxNestingDepthExceeded { max_nesting_depth, .. } => Error::LimitExceeded {
            limit: LimitKind::StackDepth,
            max: u64::from(*max_nesting_depth) / 2,
            value: u64::from(*max_nesting_depth) / 2 + 1,
        },
        ReaderError::SyntaxError(s) => {
            let (line, column) = line_col(&s.location);
            Error::InvalidJson { format, line, column, message: s.kind.to_string() }
        }
        ReaderError::UnexpectedValueType { location, .. }
        | ReaderError::UnexpectedStructure { location, .. }
        | ReaderError::UnsupportedNumberValue { location, .. }
        | ReaderError::IoError { location, .. } => {
            let (line, column) = line_col(location);
            Error::InvalidJson { format, line, column, message: e.to_string() }
        }
        _ => Error::InvalidJson { format, line: 0, column: 0, message: e.to_string() },
    }
}
