//! Limit checks: ingest limits enforced by importers while reading, and (in
//! sibling modules) pure verdict functions for upload and chat-plan policies.

mod ingest;

pub use ingest::{gunzip_limited, is_gzip, IngestLimits};
