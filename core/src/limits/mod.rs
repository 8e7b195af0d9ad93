//! Ingest limits: the bounds importers enforce while reading untrusted input.

mod ingest;

pub use ingest::{gunzip_limited, is_gzip, IngestLimits};
