//! Ingest limits: the bounds importers enforce while reading untrusted input.

mod ingest;

pub use ingest::{cut_at, gunzip_limited, gunzip_limited_on, is_gzip, IngestLimits};
