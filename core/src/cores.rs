//! How many threads "all cores" means.

/// The threads "every core" stands for wherever flamekit chooses a thread
/// count: [`std::thread::available_parallelism`], or 1 when it cannot tell
/// (as in WebAssembly, where no thread can be started).
///
/// The import's default (`ImportOptions::threads` 0 in `flamekit-formats`),
/// the gzip export ([`to_speedscope_gzip`](crate::to_speedscope_gzip)) and
/// the workers of `flamekit serve` all read it here.
///
/// ```
/// assert!(flamekit_core::available_cores() >= 1);
/// ```
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
