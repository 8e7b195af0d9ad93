//! NOT IMPLEMENTED YET: placeholder so the registry compiles. Replace the whole file.

use flamekit_core::{Error, ImportReport, ProfileGroup, Result};

use crate::ImportOptions;

/// Never matches until the importer exists.
pub fn sniff(_bytes: &[u8]) -> bool {
    false
}

/// Not implemented yet.
pub fn import(_bytes: &[u8], _opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    Err(Error::UnsupportedFormat { tried: vec!["v8_heap (not implemented yet)".into()] })
}
