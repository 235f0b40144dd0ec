//! One writer at a time per library: an advisory lock on `<library>/.answerbank/lock`; and where the cache
//! lives when the library folder cannot be written ([`LibraryLock::acquire_cache`]).
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
        let dir = root.join(CACHE_DIR);
        let file = open_lock_file(&dir).with_context(|| {
            format!(
                "creating {} (is the library folder writable?)",
                dir.display()
            )
        })?;
        wait_for(file, root, WAIT)
    }

    /// Waits (up to 30 s) for exclusive use of the cache of the library at `root` (the lock of bringing the
    /// index up to date), and says where that cache is: `<library>/.answerbank`, or, when that cannot be
    /// written (a read-only checkout or network share), a folder of the user's cache
    /// (`$XDG_CACHE_HOME/answerbank/libraries/` or `~/.cache/answerbank/libraries/`) named after the library's
    /// path, so a library anyone may read can be searched and drafted from without write access.
    pub fn acquire_cache(root: &Path) -> Result<(PathBuf, LibraryLock)> {
        let own = root.join(CACHE_DIR);
        if let Ok(file) = open_lock_file(&own) {
            return Ok((own, wait_for(file, root, WAIT)?));
        }
        let dir = user_cache_dir(root).with_context(|| {
            format!(
                "cannot write the cache folder {} (is the library folder writable?)",
                own.display()
            )
        })?;
        let file = open_lock_file(&dir).with_context(|| {
            format!(
                "creating the cache folder {} (the library folder {} is not writable)",
                dir.display(),
                root.display()
            )
        })?;
        Ok((dir, wait_for(file, root, WAIT)?))
    }
}

impl LibraryLock {
    /// The cache folder of the library at `root` when one exists, without making one: the library's own, else
    /// the user-cache one (see [`LibraryLock::acquire_cache`]), with how to name it in a message (`.answerbank`,
    /// or the user-cache path) and its lock when its lock file can be opened (a read-only cache is looked at
    /// unlocked). For looking at the cache without changing anything (`check`, see #29).
    pub fn existing_cache(root: &Path) -> Result<Option<(PathBuf, String, Option<LibraryLock>)>> {
        let own = root.join(CACHE_DIR);
        let (dir, shown) = if own.is_dir() {
            (own, CACHE_DIR.to_string())
        } else {
            match user_cache_dir(root) {
                Ok(dir) if dir.is_dir() => {
                    let shown = dir.display().to_string();
                    (dir, shown)
                }
                _ => return Ok(None),
            }
        };
        let lock = match OpenOptions::new().write(true).open(dir.join(LOCK_FILE)) {
            Ok(file) => Some(wait_for(file, root, WAIT)?),
            Err(_) => None,
        };
        Ok(Some((dir, shown, lock)))
    }
}

/// Makes `dir` if need be and opens its lock file for writing.
fn open_lock_file(dir: &Path) -> std::io::Result<File> {
    std::fs::create_dir_all(dir)?;
    // The cache ignores itself (as pytest's and ruff's caches do), so a library kept in git never commits it,
    // whether or not the library has a .gitignore of its own (see #16). Best effort: the cache works without it.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = crate::fsutil::write_bytes_atomic(
            &ignore,
            crate::fsutil::Existing::Replace,
            b"# answerbank's cache, rebuilt from the library files: never committed.\n*\n",
        );
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
}

/// Takes the lock on an open lock file, waiting up to `wait` for another process to let go.
fn wait_for(file: File, root: &Path, wait: Duration) -> Result<LibraryLock> {
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
                return Err(err).with_context(|| format!("locking the library {}", root.display()));
            }
        }
    }
}

/// The user-cache folder for the library at `root`: `<XDG_CACHE_HOME or ~/.cache>/answerbank/libraries/`
/// `<folder name>-<hash of its path>`.
fn user_cache_dir(root: &Path) -> Result<PathBuf> {
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
            "there is no user cache folder to use instead (neither XDG_CACHE_HOME nor HOME is set)"
        );
    };
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hash = crate::text::hex(&digest[..8]);
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
    Ok(base
        .join("answerbank")
        .join("libraries")
        .join(format!("{name}-{hash}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_the_library_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let lock_file = || open_lock_file(&dir.path().join(CACHE_DIR)).unwrap();
        let first = LibraryLock::acquire(dir.path()).unwrap();
        let err = wait_for(lock_file(), dir.path(), Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("busy"), "{err}");
        drop(first);
        wait_for(lock_file(), dir.path(), Duration::from_millis(100)).unwrap();
    }
}
