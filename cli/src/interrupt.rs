//! Temporary output files removed when a signal stops the CLI.
//!
//! An output is written to a temporary file beside its target and renamed
//! over it when whole (`write_output_with`). A process stopped by a signal
//! runs no destructors, so without this a `^C` during a large `convert`
//! would leave the temporary file behind. On the first temporary file, a
//! thread starts that waits for SIGINT, SIGTERM or SIGHUP, removes the
//! temporary files in progress, and ends the process by the same signal (as
//! it would have ended without the thread). SIGKILL cannot be caught.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files being written.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A temporary file in progress, removed if a signal stops the process
/// while this lives.
pub(crate) struct Pending(PathBuf);

impl Pending {
    /// Register `path` (and start the signal thread once).
    pub(crate) fn new(path: &Path) -> Pending {
        watch_signals();
        pending().push(path.to_owned());
        Pending(path.to_owned())
    }

    /// Run `rename` (the temporary file renamed over the target) with the
    /// signal thread held off: a signal waits until it is done, so it finds
    /// either the temporary file or the whole output, never a half.
    pub(crate) fn finish<T>(self, rename: impl FnOnce() -> T) -> T {
        let _held = pending();
        rename()
        // `_held` drops first, then `self`, which forgets the path.
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        pending().retain(|p| *p != self.0);
    }
}

#[cfg(unix)]
fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        let watch = move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no rename starts after this.
                let files = pending();
                for f in files.iter() {
                    let _ = std::fs::remove_file(f);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        };
        // Without the thread, a signal ends the process as before.
        let _ = std::thread::Builder::new().name("flamekit-signals".into()).spawn(watch);
    });
}

#[cfg(not(unix))]
fn watch_signals() {}
