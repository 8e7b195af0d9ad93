//! Loaded profiles by path: at most [`CAPACITY`] entries, least recently
//! used out; an entry is reloaded when its file's mtime or size changes.

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
}

/// The cache of one MCP server.
#[derive(Default)]
pub(super) struct Cache {
    /// Least recently used first.
    entries: Mutex<Vec<Entry>>,
}

impl Cache {
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
        let group = Arc::new(group);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|e| e.path != path);
        entries.push(Entry { path: path.to_owned(), mtime, size, group: Arc::clone(&group) });
        while entries.len() > CAPACITY {
            entries.remove(0);
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
        let cache = Cache::default();
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
}
