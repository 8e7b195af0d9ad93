//! Reading and importing a file by its path: what the CLI and every binding do with a path.

use std::io::Read as _;
use std::path::Path;

use flamekit_core::{Error, ImportReport, LimitKind, ProfileGroup, Result};
use flamekit_formats::{import_with, ImportOptions};

/// Read the file at `path` and import it with `opts`.
///
/// The file is read with [`read_file`] within `opts.limits.max_input_bytes`,
/// so an oversized upload is refused without being loaded. The file name is
/// the detection hint, and the group name when `opts.name` is `None`. A read
/// failure is [`Error::Io`] naming the path.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let bytes = read_file(path, opts.limits.max_input_bytes)?;
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

/// The bytes of the file at `path`, at most `max` of them: past it,
/// [`Error::LimitExceeded`] ([`LimitKind::InputBytes`]). A file larger than
/// `max` is refused from its size, before a byte is read; and the read
/// stops one byte past `max`, for what has no size up front (a pipe,
/// `/dev/zero`, a file still growing). A read failure is [`Error::Io`]
/// naming the path.
///
/// ```
/// let path = std::env::temp_dir().join(format!("flamekit-read-file-{}.txt", std::process::id()));
/// std::fs::write(&path, "main;work 3\n")?;
/// assert_eq!(flamekit::read_file(&path, 100)?, b"main;work 3\n");
/// let e = flamekit::read_file(&path, 4).unwrap_err();
/// assert_eq!(e.code(), "limit_exceeded");
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::Io { message: format!("{}: {e}", path.display()) };
    let too_big = |value: u64| Error::LimitExceeded { limit: LimitKind::InputBytes, max, value };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > max {
        return Err(too_big(len));
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}
