//! One writer at a time per library: an advisory lock on `<library>/.answerbank/lock`; and where the cache
//! lives when the library folder cannot be written ([`cache_dir`]).
//!
//! Taken while the index cache is brought up to date and for the whole of a command that writes library files
//! (`finish`, `import`), so two answerbank processes never interleave writes. The operating system releases the
//! lock when a process dies, so a killed run never leaves the library locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use super::CACHE_DIR;

const LOCK_FILE: &str = "lock";

/// How long to wait for another process before saying the library is busy.
const WAIT: Duration = Duration::from_secs(30);

/// Held for as long as the library must not be written by anyone else; dropping it releases the lock.
#[derive(Debug)]
pub struct LibraryLock {
    _file: File,
}

impl LibraryLock {
    /// Waits (up to 30 s) for exclusive use of the library at `root`, whose own cache folder must be writable:
    /// this is the lock of commands that write library files.
    pub fn acquire(root: &Path) -> Result<LibraryLock> {
        Self::acquire_within(&root.join(CACHE_DIR), root, WAIT)
    }

    /// Waits (up to 30 s) for exclusive use of the cache folder `cache` (see [`cache_dir`]) of the library at
    /// `root`: this is the lock of bringing the index up to date.
    pub fn acquire_cache(cache: &Path, root: &Path) -> Result<LibraryLock> {
        Self::acquire_within(cache, root, WAIT)
    }

    fn acquire_within(dir: &Path, root: &Path, wait: Duration) -> Result<LibraryLock> {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "creating {} (is the library folder writable?)",
                dir.display()
            )
        })?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening the library lock {}", path.display()))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(LibraryLock { _file: file }),
                Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(TryLockError::WouldBlock) => bail!(
                    "the library {} is busy: another answerbank process is updating it; try again when it has finished",
                    root.display()
                ),
                Err(TryLockError::Error(err)) => {
                    return Err(err)
                        .with_context(|| format!("locking the library {}", root.display()));
                }
            }
        }
    }
}

/// Where the cache of the library at `root` (index, embeddings, lock) lives: `<library>/.answerbank`, or, when
/// that cannot be written (a read-only checkout or network share), a folder of the user's cache
/// (`$XDG_CACHE_HOME/answerbank/libraries/` or `~/.cache/answerbank/libraries/`) named after the library's
/// path, so a library anyone may read can be searched and drafted from without write access.
pub fn cache_dir(root: &Path) -> Result<PathBuf> {
    let own = root.join(CACHE_DIR);
    if is_writable_cache(&own) {
        return Ok(own);
    }
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let Some(base) = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })
    else {
        bail!(
            "cannot write the cache folder {} (is the library folder writable?), and there is no user cache \
             folder to use instead (neither XDG_CACHE_HOME nor HOME is set)",
            own.display()
        );
    };
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name: String = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let dir = base
        .join("answerbank")
        .join("libraries")
        .join(format!("{name}-{hash}"));
    std::fs::create_dir_all(&dir).with_context(|| {
        format!(
            "creating the cache folder {} (the library folder {} is not writable)",
            dir.display(),
            root.display()
        )
    })?;
    Ok(dir)
}

/// Whether `dir` exists or can be made, and a file can be written in it.
fn is_writable_cache(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).is_ok()
        && OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_the_library_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(CACHE_DIR);
        let first = LibraryLock::acquire(dir.path()).unwrap();
        let err = LibraryLock::acquire_within(&cache, dir.path(), Duration::from_millis(100))
            .unwrap_err();
        assert!(err.to_string().contains("busy"), "{err}");
        drop(first);
        LibraryLock::acquire_within(&cache, dir.path(), Duration::from_millis(100)).unwrap();
    }
}
