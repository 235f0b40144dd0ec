//! Writing files so that nothing is ever half-written: every output and every library file goes through here.
//!
//! A temp file in the destination folder is written, flushed to disk, then renamed over the destination (and the
//! folder is synced), so a crash or kill leaves either the old file or the new one, never a mix (see #7).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// What to do when the destination already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (library files being updated, outputs with `--force`).
    Replace,
    /// Refuse with a message that names the file and the flag that allows it.
    Refuse,
}

/// Writes `path` atomically with what `fill` writes.
pub fn write_atomic(
    path: &Path,
    existing: Existing,
    fill: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if existing == Existing::Refuse && path.exists() {
        bail!(
            "{} already exists (use --force to replace it)",
            path.display()
        );
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".answerbank-tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    fill(temp.as_file_mut()).with_context(|| format!("writing {}", path.display()))?;
    temp.as_file_mut().flush()?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("flushing {} to disk", path.display()))?;
    match existing {
        Existing::Replace => temp.persist(path).map(drop),
        Existing::Refuse => temp.persist_noclobber(path).map(drop),
    }
    .map_err(|err| {
        if err.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "{} already exists (use --force to replace it)",
                path.display()
            )
        } else {
            anyhow::Error::new(err.error).context(format!("replacing {}", path.display()))
        }
    })?;
    sync_dir(dir);
    Ok(())
}

/// Writes bytes atomically.
pub fn write_bytes_atomic(path: &Path, existing: Existing, bytes: &[u8]) -> Result<()> {
    write_atomic(path, existing, |file| Ok(file.write_all(bytes)?))
}

/// Makes a rename durable. Best effort: not every platform can open a folder for syncing.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_or_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_bytes_atomic(&path, Existing::Refuse, b"one").unwrap();
        let err = write_bytes_atomic(&path, Existing::Refuse, b"two").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        write_bytes_atomic(&path, Existing::Replace, b"three").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files are left behind");
    }

    #[test]
    fn a_failed_fill_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic(&path, Existing::Refuse, |_| bail!("boom")).unwrap_err();
        assert!(format!("{err:#}").contains("boom"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
