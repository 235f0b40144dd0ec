//! Writing files so that nothing is ever half-written: every output and every library file goes through here.
//!
//! A temp file in the destination folder is written, flushed to disk, then renamed over the destination (and the
//! folder is synced), so a crash or kill leaves either the old file or the new one, never a mix (see #7).
//! Reading goes through [`read_regular`] where a file may be anything a user (or a hostile folder) put there: only
//! a regular file is read, never more than a limit, and opening never waits for a writer (see #29).
//! The file that lands keeps the mode of the one it replaces, and a new one gets the mode the user's umask gives
//! any new file (0644 under umask 022), not the owner-only 0600 of a temp file (see #16: colleagues on a shared
//! drive or repository must still be able to read outputs and library entries).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// What to do when the destination already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (library files being updated, outputs with `--force`).
    Replace,
    /// Refuse with a message that names the file and the flag that allows it.
    Refuse,
}

/// The destination cannot be written because something holds it or its folder: the file is open in a program
/// that locks it (Excel on Windows or a network share), or the file or folder is read-only. Its message says
/// which file and what to do; commands with another way out (`draft --out-dir`) find it with `downcast_ref` and
/// add theirs (see #16).
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot write {} ({reason}): if it is open in another program (Excel, LibreOffice), close it there and run \
     again; if the file or its folder {} is read-only, make it writable",
    path.display(),
    folder.display()
)]
pub struct WriteBlocked {
    pub path: PathBuf,
    folder: PathBuf,
    reason: std::io::Error,
}

/// Why [`read_regular`] did not return a file's bytes.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A named pipe, device, socket or folder: reading a pipe would wait for a writer forever (see #29).
    #[error("it is not a regular file (a named pipe, device or socket)")]
    NotRegular,
    #[error("it is larger than {}, the limit for this file", size_text(*.limit))]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// "1 MB", "512 KB", "12 bytes".
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    match bytes {
        b if b >= MB && b % MB == 0 => format!("{} MB", b / MB),
        b if b >= MB => format!("{:.1} MB", b as f64 / MB as f64),
        b if b >= KB => format!("{} KB", b / KB),
        b => format!("{b} bytes"),
    }
}

/// Reads a whole file that must be a regular file of at most `limit` bytes. The file is opened without waiting
/// (a named pipe opened for reading would block until someone writes to it) and checked through the open handle,
/// so a file swapped for a pipe after a look at its name cannot hang the run; the read stops one byte past
/// `limit`, whatever size the file claims or grows to.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
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
    let blocked_or = |reason: std::io::Error, doing: String| -> anyhow::Error {
        if is_blocked(&reason) {
            WriteBlocked {
                path: path.to_path_buf(),
                folder: dir.to_path_buf(),
                reason,
            }
            .into()
        } else {
            anyhow::Error::new(reason).context(doing)
        }
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".answerbank-tmp-");
    // Asked for 0666, the file gets what the umask leaves of it, as any new file does.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder.tempfile_in(dir).map_err(|err| {
        blocked_or(
            err,
            format!("creating a temporary file in {}", dir.display()),
        )
    })?;
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(path) {
        // A replaced file keeps its mode exactly (0664 stays 0664 whatever the umask).
        temp.as_file()
            .set_permissions(metadata.permissions())
            .with_context(|| format!("keeping the permissions of {}", path.display()))?;
    }
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
            blocked_or(err.error, format!("replacing {}", path.display()))
        }
    })?;
    sync_dir(dir);
    Ok(())
}

/// Whether an error means that the file or its folder may not be written now, rather than that something is
/// broken: "Operation not permitted", "Permission denied", a read-only file system, and Windows' sharing and lock
/// violations (a file open in Excel).
fn is_blocked(err: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        err.kind(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem | ErrorKind::ResourceBusy
    ) || (cfg!(windows) && matches!(err.raw_os_error(), Some(32 | 33)))
}

/// Writes bytes atomically.
pub fn write_bytes_atomic(path: &Path, existing: Existing, bytes: &[u8]) -> Result<()> {
    write_atomic(path, existing, |file| Ok(file.write_all(bytes)?))
}

/// Keeps a copy of `path` beside it under the first free name `<stem>.1.<ext>`, `<stem>.2.<ext>`... (`q.review.xlsx`
/// → `q.review.1.xlsx`) before an output a person may have worked on is replaced (see #26: `--force` must never
/// destroy a review in progress). A copy, not a link: a program that later saves over one name in place must not
/// change the other. It never overwrites anything. Returns the copy's path.
pub fn keep_copy(path: &Path) -> Result<PathBuf> {
    for n in 1..10_000 {
        let kept = numbered_copy(path, n);
        let mut to = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&kept)
        {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("keeping a copy of {} as {}", path.display(), kept.display())
                });
            }
        };
        let copied = std::fs::File::open(path)
            .and_then(|mut from| std::io::copy(&mut from, &mut to))
            .and_then(|_| to.sync_all());
        if let Err(err) = copied {
            drop(to);
            let _ = std::fs::remove_file(&kept);
            return Err(err).with_context(|| {
                format!("keeping a copy of {} as {}", path.display(), kept.display())
            });
        }
        return Ok(kept);
    }
    bail!(
        "cannot keep a copy of {}: too many earlier copies beside it",
        path.display()
    )
}

/// The name of copy `n` of `path`: `q.review.xlsx` → `q.review.<n>.xlsx`.
pub fn numbered_copy(path: &Path, n: usize) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => path.with_file_name(format!("{stem}.{n}.{ext}")),
        _ => path.with_file_name(format!("{name}.{n}")),
    }
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

/// Test support: makes a named pipe at `path` with `mkfifo`; false, saying the test is skipped, where there is no
/// `mkfifo`. Shared by the tests that a pipe is refused without waiting for a writer (here and in
/// `questionnaire::source`).
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    if !made.is_ok_and(|s| s.success()) {
        println!("skipping: mkfifo is not available");
        return false;
    }
    true
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
    fn a_kept_copy_takes_the_first_free_number_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.review.xlsx");
        std::fs::write(&path, b"first").unwrap();
        assert_eq!(
            keep_copy(&path).unwrap(),
            dir.path().join("q.review.1.xlsx")
        );
        std::fs::write(&path, b"second").unwrap();
        assert_eq!(
            keep_copy(&path).unwrap(),
            dir.path().join("q.review.2.xlsx")
        );
        assert_eq!(
            std::fs::read(dir.path().join("q.review.1.xlsx")).unwrap(),
            b"first"
        );
        assert_eq!(
            std::fs::read(dir.path().join("q.review.2.xlsx")).unwrap(),
            b"second"
        );
    }

    #[test]
    fn a_failed_fill_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic(&path, Existing::Refuse, |_| bail!("boom")).unwrap_err();
        assert!(format!("{err:#}").contains("boom"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// The mode the user's umask gives a new file, as the standard library creates one.
    #[cfg(unix)]
    fn usual_mode(dir: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        let reference = dir.join("reference");
        std::fs::write(&reference, b"").unwrap();
        let mode = std::fs::metadata(&reference).unwrap().permissions().mode() & 0o7777;
        std::fs::remove_file(reference).unwrap();
        mode
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// See #16: a new file is not the owner-only 0600 of a temp file, and a replaced one keeps its mode.
    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_mode_and_replaced_files_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let usual = usual_mode(dir.path());
        assert_ne!(
            usual & 0o044,
            0,
            "this test needs a umask that lets others read"
        );
        let path = dir.path().join("new.txt");
        write_bytes_atomic(&path, Existing::Refuse, b"new").unwrap();
        assert_eq!(format!("{:o}", mode_of(&path)), format!("{usual:o}"));
        for kept in [0o664, 0o640, 0o600, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(kept)).unwrap();
            write_bytes_atomic(&path, Existing::Replace, b"again").unwrap();
            assert_eq!(format!("{:o}", mode_of(&path)), format!("{kept:o}"));
        }
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_regular(&path, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&path, 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 5),
            Err(ReadError::NotRegular) | Err(ReadError::Io(_))
        ));
        let missing = read_regular(&dir.path().join("missing.md"), 5).unwrap_err();
        assert!(
            matches!(&missing, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound),
            "{missing}"
        );
        assert_eq!(size_text(1024 * 1024), "1 MB");
        assert_eq!(size_text(1536 * 1024), "1.5 MB");
    }

    /// See #29: a named pipe is refused at once, not waited on.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe.md");
        if !mkfifo(&pipe) {
            return;
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(matches!(
                read_regular(&pipe, 100),
                Err(ReadError::NotRegular)
            ));
        });
        let refused = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a named pipe waited for a writer");
        assert!(refused);
    }

    #[test]
    fn permission_errors_are_a_blocked_write() {
        assert!(is_blocked(&std::io::Error::from(
            std::io::ErrorKind::PermissionDenied
        )));
        assert!(is_blocked(&std::io::Error::from(
            std::io::ErrorKind::ReadOnlyFilesystem
        )));
        assert!(!is_blocked(&std::io::Error::from(
            std::io::ErrorKind::NotFound
        )));
        let err = WriteBlocked {
            path: PathBuf::from("out/vendor.drafted.xlsx"),
            folder: PathBuf::from("out"),
            reason: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let message = err.to_string();
        assert!(
            message.starts_with("cannot write out/vendor.drafted.xlsx (")
                && message.contains("close it there")
                && message
                    .ends_with("if the file or its folder out is read-only, make it writable"),
            "{message}"
        );
    }
}
