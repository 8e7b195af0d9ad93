//! Loaded profiles by path: at most [`CAPACITY`] entries and at most the
//! cache's byte budget of profiles (as [`ProfileGroup::heap_bytes`] counts
//! them), least recently used out; an entry is reloaded when its file's
//! mtime or size changes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use flamekit::{Error, ImportOptions, ProfileGroup};

/// Most profiles kept in memory.
pub(super) const CAPACITY: usize = 50;

struct Entry {
    path: PathBuf,
    mtime: Option<SystemTime>,
    size: u64,
    group: Arc<ProfileGroup>,
    /// `group.heap_bytes()`, counted once.
    bytes: usize,
}

/// The cache of one MCP server.
pub(super) struct Cache {
    /// Least recently used first.
    entries: Mutex<Vec<Entry>>,
    /// Most bytes of profiles kept, beyond the one just loaded.
    budget: usize,
}

impl Cache {
    /// An empty cache that keeps at most `budget` bytes of profiles; the
    /// profile loaded last is kept even when it alone is larger.
    pub(super) fn new(budget: usize) -> Cache {
        Cache { entries: Mutex::new(Vec::new()), budget }
    }

    /// The profile at `path` (canonical), from the cache or imported now.
    pub(super) fn load(&self, path: &Path) -> Result<Arc<ProfileGroup>, Error> {
        let io = |e: std::io::Error| Error::Io { message: format!("{}: {e}", path.display()) };
        let meta = std::fs::metadata(path).map_err(io)?;
        let (mtime, size) = (meta.modified().ok(), meta.len());
        {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = entries.iter().position(|e| e.path == path) {
                let e = entries.remove(i);
                if e.mtime == mtime && e.size == size {
                    let group = Arc::clone(&e.group);
                    entries.push(e);
                    return Ok(group);
                }
            }
        }
        // Imported outside the lock: other tools keep answering meanwhile.
        let (group, _) = flamekit::import_file(path, &ImportOptions::default())?;
        let bytes = group.heap_bytes();
        let group = Arc::new(group);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|e| e.path != path);
        entries.push(Entry { path: path.to_owned(), mtime, size, group: Arc::clone(&group), bytes });
        let mut total: usize = entries.iter().map(|e| e.bytes).sum();
        while entries.len() > 1 && (entries.len() > CAPACITY || total > self.budget) {
            total -= entries.remove(0).bytes;
        }
        Ok(group)
    }

    #[cfg(test)]
    fn paths(&self) -> Vec<PathBuf> {
        self.entries.lock().unwrap().iter().map(|e| e.path.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reloads_on_change_and_evicts_the_least_recently_used() {
        let dir = std::env::temp_dir().join(format!("flamekit-mcp-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cache = Cache::new(usize::MAX);
        let a = write(&dir, "a.txt", "main;work 3\n");
        let g1 = cache.load(&a).unwrap();
        assert!(Arc::ptr_eq(&g1, &cache.load(&a).unwrap()), "second load is a cache hit");
        // A different size invalidates the entry.
        write(&dir, "a.txt", "main;work 3\nmain;idle 10\n");
        let g2 = cache.load(&a).unwrap();
        assert!(!Arc::ptr_eq(&g1, &g2));
        assert_eq!(g2.profiles()[0].total_weight(), 13.0);
        // Fill past capacity: `a` (touched first) is evicted; the newest stay.
        let mut last = Vec::new();
        for i in 0..CAPACITY {
            let p = write(&dir, &format!("f{i}.txt"), "main 1\n");
            cache.load(&p).unwrap();
            last.push(p);
        }
        let paths = cache.paths();
        assert_eq!(paths.len(), CAPACITY);
        assert!(!paths.contains(&a));
        assert_eq!(paths, last);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keeps_no_more_bytes_than_its_budget() {
        let dir = std::env::temp_dir().join(format!("flamekit-mcp-budget-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Three profiles of 1,000 distinct stacks each.
        let paths: Vec<PathBuf> = (0..3)
            .map(|k| {
                let body: String = (0..1000).map(|i| format!("main;f{k}_{i};g{i} {}\n", i + 1)).collect();
                write(&dir, &format!("p{k}.txt"), &body)
            })
            .collect();
        let sizes: Vec<usize> = paths.iter().map(|p| Cache::new(usize::MAX).load(p).unwrap().heap_bytes()).collect();
        // Room for the two newest, not the third.
        let cache = Cache::new(sizes[1] + sizes[2] + sizes[0] / 2);
        for p in &paths {
            cache.load(p).unwrap();
        }
        assert_eq!(cache.paths(), paths[1..]);
        // One profile larger than the whole budget is still kept (alone).
        let small = Cache::new(sizes[0] / 2);
        small.load(&paths[0]).unwrap();
        small.load(&paths[1]).unwrap();
        assert_eq!(small.paths(), paths[1..2]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
