//! The passage cache: `<cache>/documents/<key>.json`, one file per document, so that a run re-parses only the
//! documents that changed (see #24: reading 300 unchanged documents must take well under 0.1 s).
//!
//! The key is the SHA-256 of the document's absolute path (first 16 bytes, hex). An entry holds a format version,
//! the path, the file's size, modification time (nanoseconds since the epoch) and SHA-256, when the entry was
//! written, and the passages. An entry is used without reading the document when size and mtime are unchanged and
//! the mtime is more than two seconds older than the entry (a file changed within the same clock tick as it was
//! cached could otherwise keep its old mtime); otherwise the document is read and its hash compared. Entries are
//! written atomically (`fsutil::write_bytes_atomic`); an entry that cannot be read or parsed is ignored and the
//! document parsed again; failing to write the cache never fails a read. Entries of documents under a read folder
//! that are no longer there are removed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Passage;
use super::walk::Found;

/// Bump when the passages a parser produces change, so old entries are parsed again.
const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    path: PathBuf,
    size: u64,
    mtime_ns: u128,
    sha256: String,
    written_ns: u128,
    passages: Vec<Passage>,
}

pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub(crate) fn open(root: &Path) -> Cache {
        Cache {
            dir: root.join("documents"),
        }
    }

    /// The cached passages when size and mtime say the document has not changed.
    pub(crate) fn fresh(
        &self,
        path: &Path,
        metadata: &std::fs::Metadata,
        cited: &str,
    ) -> Option<Vec<Passage>> {
        let entry = self.load(path)?;
        let mtime = nanos(metadata.modified().ok()?)?;
        let settled = mtime + Duration::from_secs(2).as_nanos() < entry.written_ns;
        (entry.size == metadata.len() && entry.mtime_ns == mtime && settled)
            .then(|| cited_as(entry.passages, cited))
    }

    /// The cached passages when the content is the same as cached (a file touched but not changed); the entry's
    /// mtime is brought up to date so the next run takes the fast path.
    pub(crate) fn same_content(
        &self,
        path: &Path,
        metadata: &std::fs::Metadata,
        bytes: &[u8],
        cited: &str,
    ) -> Option<Vec<Passage>> {
        let entry = self.load(path)?;
        if entry.sha256 != hash(bytes) {
            return None;
        }
        let passages = cited_as(entry.passages, cited);
        self.store(path, metadata, bytes, &passages);
        Some(passages)
    }

    pub(crate) fn store(
        &self,
        path: &Path,
        metadata: &std::fs::Metadata,
        bytes: &[u8],
        passages: &[Passage],
    ) {
        let Some(mtime_ns) = metadata.modified().ok().and_then(nanos) else {
            return;
        };
        let Some(written_ns) = nanos(SystemTime::now()) else {
            return;
        };
        let entry = Entry {
            version: VERSION,
            path: absolute(path),
            size: metadata.len(),
            mtime_ns,
            sha256: hash(bytes),
            written_ns,
            passages: passages.to_vec(),
        };
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = crate::fsutil::write_bytes_atomic(
                &self.entry_path(path),
                crate::fsutil::Existing::Replace,
                &json,
            );
        }
    }

    /// Removes the entries of documents that lay under one of `folders` and were not found this run.
    pub(crate) fn prune(&self, folders: &[PathBuf], found: &[Found]) {
        let folders: Vec<PathBuf> = folders.iter().map(|f| absolute(f)).collect();
        let kept: std::collections::HashSet<PathBuf> =
            found.iter().map(|f| self.entry_path(&f.path)).collect();
        let Ok(list) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for item in list.flatten() {
            let file = item.path();
            if kept.contains(&file) || file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(bytes) = crate::fsutil::read_regular(&file, 64 * 1_000_000) else {
                continue;
            };
            #[derive(Deserialize)]
            struct PathOnly {
                path: PathBuf,
            }
            if let Ok(entry) = serde_json::from_slice::<PathOnly>(&bytes)
                && folders.iter().any(|f| entry.path.starts_with(f))
            {
                let _ = std::fs::remove_file(&file);
            }
        }
    }

    fn load(&self, path: &Path) -> Option<Entry> {
        let bytes = crate::fsutil::read_regular(&self.entry_path(path), 256 * 1_000_000).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        (entry.version == VERSION && entry.path == absolute(path)).then_some(entry)
    }

    fn entry_path(&self, path: &Path) -> PathBuf {
        let digest = Sha256::digest(absolute(path).to_string_lossy().as_bytes());
        let key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{key}.json"))
    }
}

/// The same document may be cited differently from run to run (found under another folder).
fn cited_as(mut passages: Vec<Passage>, cited: &str) -> Vec<Passage> {
    for passage in &mut passages {
        if passage.file != cited {
            passage.file = cited.to_string();
        }
    }
    passages
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn nanos(time: SystemTime) -> Option<u128> {
    time.duration_since(UNIX_EPOCH).ok().map(|d| d.as_nanos())
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
