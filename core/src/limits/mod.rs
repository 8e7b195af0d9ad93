//! Ingest limits: the bounds importers enforce while reading untrusted input.

mod ingest;

pub(crate) use ingest::cut_at;
pub use ingest::{gunzip_limited, gunzip_limited_on, is_gzip, IngestLimits};
