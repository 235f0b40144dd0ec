//! One writer at a time per library: an advisory lock on `<library>/.answerbank/lock`.
//!
//! Taken while the index cache is brought up to date and for the whole of a command that writes library files
//! (`finish`, `import`), so two answerbank processes never interleave writes. The operating system releases the
//! lock when a process dies, so a killed run never leaves the library locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::CACHE_DIR;

/// How long to wait for another process before saying the library is busy.
const WAIT: Duration = Duration::from_secs(30);

/// Held for as long as the library must not be written by anyone else; dropping it releases the lock.
#[derive(Debug)]
pub struct LibraryLock {
    _file: File,
}

impl LibraryLock {
    /// Waits (up to 30 s) for exclusive use of the library at `root`.
    pub fn acquire(root: &Path) -> Result<LibraryLock> {
        Self::acquire_within(root, WAIT)
    }

    pub fn acquire_within(root: &Path, wait: Duration) -> Result<LibraryLock> {
        let dir = root.join(CACHE_DIR);
        std::fs::create_dir_all(&dir).with_context(|| {
            format!(
                "creating {} (is the library folder writable?)",
                dir.display()
            )
        })?;
        let path = dir.join("lock");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_the_library_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let first = LibraryLock::acquire(dir.path()).unwrap();
        let err = LibraryLock::acquire_within(dir.path(), Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("busy"), "{err}");
        drop(first);
        LibraryLock::acquire_within(dir.path(), Duration::from_millis(100)).unwrap();
    }
}
