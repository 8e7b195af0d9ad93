//! Importing from a file path: what the CLI and every binding do with a path.

use std::io::Read as _;
use std::path::Path;

use flamekit_core::{Error, ImportReport, LimitKind, ProfileGroup, Result};
use flamekit_formats::{import_with, ImportOptions};

/// Read the file at `path` and import it with `opts`.
///
/// The file's size is checked against `opts.limits.max_input_bytes` before it
/// is read, so an oversized upload is refused without being loaded; and the
/// read stops one byte past the limit, for what has no size up front (a
/// pipe, `/dev/zero`, a file still growing). The file name is the detection
/// hint, and the group name when `opts.name` is `None`. A read failure is
/// [`Error::Io`] naming the path.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let io = |e: std::io::Error| Error::Io { message: format!("{}: {e}", path.display()) };
    let max = opts.limits.max_input_bytes;
    let file = std::fs::File::open(path).map_err(io)?;
    opts.limits.check(LimitKind::InputBytes, file.metadata().map_err(io)?.len())?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    opts.limits.check(LimitKind::InputBytes, bytes.len() as u64)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let named;
    let opts = if opts.name.is_none() && file_name.is_some() {
        named = ImportOptions { name: file_name.clone(), ..opts.clone() };
        &named
    } else {
        opts
    };
    import_with(&bytes, file_name.as_deref(), opts)
}
