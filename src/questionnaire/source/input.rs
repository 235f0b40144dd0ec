//! The input file: its format, told from its name, and its bytes, read whole.
//!
//! In: a path. Out: its [`Format`] and its bytes in the shared buffer the readers and the writer use. A file is
//! refused before anything is allocated for it when its name is not a spreadsheet's, when it is not a regular
//! file (opening a named pipe would wait for a writer), or when it is over the size limit.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use crate::ooxml::Limits;

/// The file formats answerbank reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" => Format::Xlsx,
            "xlsm" => Format::Xlsm,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "csv" | "txt" | "tsv" => Format::Csv,
            _ => return None,
        })
    }

    /// Whether answers can be written into the file itself (the other formats get an `.xlsx` copy).
    pub fn is_ooxml(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xlsm)
    }

    /// Whether the file is a zip package, which must pass the package checks before anything unpacks it.
    pub fn is_zip(self) -> bool {
        matches!(
            self,
            Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Ods
        )
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
}

/// Reads an input file whole, after checking that it is a spreadsheet by name and within the size limit (so a
/// huge file is refused before anything is allocated for it). The bytes are read straight into the shared
/// buffer the readers and the writer use, and never more than the size checked: a file that grows or shrinks
/// while it is read is refused.
pub fn read_input(path: &Path, limits: &Limits) -> Result<(Format, Arc<[u8]>)> {
    let format = Format::from_path(path).with_context(|| {
        "it is not a supported spreadsheet (use .xlsx, .xlsm, .xls, .xlsb, .ods or .csv)"
            .to_string()
    })?;
    // Looked at before opening: opening a named pipe would wait for a writer.
    let metadata = std::fs::metadata(path).context("cannot read it")?;
    if metadata.is_dir() {
        bail!("it is a folder, not a file");
    }
    if !metadata.is_file() {
        bail!("it is not a regular file (a device, pipe or socket)");
    }
    let mut file = std::fs::File::open(path).context("cannot read it")?;
    let metadata = file.metadata().context("cannot read it")?;
    limits.check_file_size(metadata.len())?;
    let length = usize::try_from(metadata.len()).context("cannot read it")?;
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0, length).collect();
    let buffer = Arc::get_mut(&mut bytes).expect("a new buffer has one owner");
    let changed = || "cannot read it: it changed while it was being read";
    match file.read_exact(buffer) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => bail!(changed()),
        other => other.context("cannot read it")?,
    }
    if file.read(&mut [0u8]).context("cannot read it")? != 0 {
        bail!(changed());
    }
    Ok((format, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_read_whole_and_never_past_the_size_checked() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("q.csv");
        std::fs::write(&csv, "question\nDo you encrypt data?\n").unwrap();
        let (format, bytes) = read_input(&csv, &Limits::default()).unwrap();
        assert_eq!(format, Format::Csv);
        assert_eq!(&bytes[..], b"question\nDo you encrypt data?\n");

        // A file whose size says one thing and whose content another (here a /proc file, which reports 0
        // bytes) is refused rather than read past the size that was checked against the limit.
        let proc_file = Path::new("/proc/self/status");
        if proc_file.exists() {
            let link = dir.path().join("growing.csv");
            std::os::unix::fs::symlink(proc_file, &link).unwrap();
            let error = format!("{:#}", read_input(&link, &Limits::default()).unwrap_err());
            assert!(error.contains("changed while it was being read"), "{error}");
        }

        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let error = format!("{:#}", read_input(&csv, &limits).unwrap_err());
        assert!(error.contains("limit"), "{error}");
    }

    #[test]
    fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("questions.csv");
        if !crate::fsutil::mkfifo(&pipe) {
            return;
        }
        // On a thread, so that a regression fails the test instead of hanging the suite.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(read_input(&pipe, &Limits::default()).map(|_| ()));
        });
        let result = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a named pipe waited for a writer");
        let error = format!("{:#}", result.unwrap_err());
        assert!(error.contains("not a regular file"), "{error}");
    }
}
