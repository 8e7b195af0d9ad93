//! NOT IMPLEMENTED YET: zip containers (e.g. `simple.v8log.json.zip`). Replace the whole file.

use flamekit_core::{Error, IngestLimits, Result};

/// True when `bytes` start with a zip local-file header.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The entry of the archive that holds the profile, inflated under `limits`.
pub fn main_entry(_bytes: &[u8], _limits: &IngestLimits) -> Result<Vec<u8>> {
    Err(Error::UnsupportedFormat { tried: vec!["zip (not implemented yet)".into()] })
}
