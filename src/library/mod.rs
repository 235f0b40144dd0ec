//! The answer library: a folder of human-edited answer files, which are the truth, and everything derived from
//! them.
//!
//! Flow: library folder → [`scan_files`] (names and stamps, cheap) → [`load`] (parsed [`Entry`]s, for `check`,
//! `finish` and `import`) or [`index::LibraryIndex::open`] (a Tantivy cache kept in sync with the files, for
//! matching). Writes go through [`write`], which is atomic and never touches bodies it does not mean to; a new
//! entry is made by [`new_entry`], with an id from [`ids`].
//! [`embeddings`] keeps the sentence-embedding vectors matching computes, beside the index.

pub mod approve;
pub mod check;
pub mod embeddings;
pub mod entry;
pub mod ids;
pub mod index;
pub mod init;
pub mod lock;
pub mod new_entry;
pub mod settings;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::fsutil::ReadError;
pub use entry::{Entry, Learned, Status, Verdict};
pub use settings::Settings;

/// Name of the cache folder inside a library (index, manifest, lock). Dot-folders are never read as entries.
pub const CACHE_DIR: &str = ".answerbank";

/// Deepest folder nesting read inside a library.
const MAX_DEPTH: usize = 16;

/// The largest answer file read (see #29: a 200 MB entry made `draft` take 7 GB). An answer is a few paragraphs;
/// a longer file is skipped with a finding, as a broken one is.
pub const MAX_ENTRY_BYTES: u64 = 1024 * 1024;

/// What identifies one version of a file without reading it: if any of these changes, the file is re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    pub len: u64,
    pub modified_ns: i128,
    /// Change time on Unix (cannot be set back by tools that preserve mtime); 0 elsewhere.
    pub changed_ns: i128,
    pub inode: u64,
}

impl FileStamp {
    pub fn of(metadata: &std::fs::Metadata) -> FileStamp {
        let modified_ns = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i128)
            .unwrap_or(0);
        #[cfg(unix)]
        let (changed_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(metadata.ctime()) * 1_000_000_000 + i128::from(metadata.ctime_nsec()),
                metadata.ino(),
            )
        };
        #[cfg(not(unix))]
        let (changed_ns, inode) = (0, 0);
        FileStamp {
            len: metadata.len(),
            modified_ns,
            changed_ns,
            inode,
        }
    }
}

/// One answer file found in the library folder.
#[derive(Debug, Clone)]
pub struct LibraryFile {
    /// Path relative to the library root, `/`-separated (stable across platforms; used in messages and the cache).
    pub rel: String,
    pub abs: PathBuf,
    /// The file stem.
    pub id: String,
    pub stamp: FileStamp,
}

/// Checks that `root` is a library folder a user meant, with a message naming the path if not.
pub fn check_root(root: &Path) -> Result<()> {
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => bail!("the library {} is not a folder", root.display()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "the library folder {} does not exist (point --library or ANSWERBANK_LIBRARY at a folder of answer files)",
            root.display()
        ),
        Err(err) => {
            Err(err).with_context(|| format!("opening the library folder {}", root.display()))
        }
    }
}

/// Lists every answer file (`*.md`, not in dot-folders, not a README) under `root`, sorted by path.
pub fn scan_files(root: &Path) -> Result<Vec<LibraryFile>> {
    Ok(scan(root)?.files)
}

/// What a scan of the library folder found: the answer files, and what it did not follow (with why).
#[derive(Debug, Default)]
pub struct Scan {
    pub files: Vec<LibraryFile>,
    /// Symbolic links that lead out of the library folder: not followed (see #29), reported like a broken file.
    pub skipped: Vec<check::Finding>,
}

/// The real paths of the configured documents; a `library.toml` that cannot be read configures none here (loading
/// the library reports it).
fn document_folders(root: &Path) -> Vec<PathBuf> {
    let Ok(Some(text)) = settings::read_text(root) else {
        return Vec::new();
    };
    let Ok(settings) = Settings::parse(&text) else {
        return Vec::new();
    };
    settings
        .document_paths(root)
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect()
}

/// Lists every answer file under `root` (see [`scan_files`]), and the links it did not follow.
///
/// Only the library folder is read (see #29: a link to `/` was followed into `/proc`). A symbolic link to a file
/// inside the library is read like the file; one to a folder inside it is not followed, since that folder is read
/// where it is (so no link can loop, and no entry is read twice); a link to anything outside is not followed and is
/// reported.
pub fn scan(root: &Path) -> Result<Scan> {
    check_root(root)?;
    let real_root = root
        .canonicalize()
        .with_context(|| format!("opening the library folder {}", root.display()))?;
    // The company documents configured in `library.toml` (`[documents] paths`), as real paths: a folder or file of
    // them inside the library folder is not read for answers (a policy written in Markdown is not an entry).
    let documents = document_folders(root);
    let found = scan_dir(&real_root, root, "", 0, &documents)?;
    let mut scan = Scan {
        files: found.files,
        skipped: found.skipped,
    };
    scan.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    scan.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(scan)
}

/// One item of a library folder, as listed (the listing is cheap; what is done with each item is not).
struct Listed {
    item: std::fs::DirEntry,
    name: String,
    path: PathBuf,
    rel: String,
    is_link: bool,
}

/// What one item of a folder added to the scan: answer files and links not followed.
#[derive(Default)]
struct Found {
    files: Vec<LibraryFile>,
    skipped: Vec<check::Finding>,
}

/// Scans one folder. Its items are looked at in parallel: each is a `stat` (and a folder a scan of its own), and
/// over 100,000 files that was a single-threaded start of every index build (#27). What is found is gathered in
/// listing order, so the first error is the one a scan in order would stop at.
fn scan_dir(
    real_root: &Path,
    dir: &Path,
    prefix: &str,
    depth: usize,
    documents: &[PathBuf],
) -> Result<Found> {
    if depth > MAX_DEPTH {
        bail!(
            "{} is nested more than {MAX_DEPTH} folders deep",
            dir.display()
        );
    }
    let reader = std::fs::read_dir(dir)
        .with_context(|| format!("reading the library folder {}", dir.display()))?;
    let mut listed: Vec<Result<Listed>> = Vec::new();
    for item in reader {
        let item =
            match item.with_context(|| format!("reading the library folder {}", dir.display())) {
                Ok(item) => item,
                Err(err) => {
                    listed.push(Err(err));
                    break;
                }
            };
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let path = item.path();
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        listed.push(
            item.file_type()
                .with_context(|| format!("reading {}", path.display()))
                .map(|kind| Listed {
                    name: name.to_string(),
                    item,
                    path,
                    rel,
                    is_link: kind.is_symlink(),
                }),
        );
    }
    let found: Vec<Result<Found>> = listed
        .into_par_iter()
        .map(|listed| scan_item(real_root, &listed?, depth, documents))
        .collect();
    let mut all = Found::default();
    for found in found {
        let found = found?;
        all.files.extend(found.files);
        all.skipped.extend(found.skipped);
    }
    Ok(all)
}

/// One item of a library folder: an answer file, a folder to scan, a link not followed, or nothing to read.
fn scan_item(
    real_root: &Path,
    listed: &Listed,
    depth: usize,
    documents: &[PathBuf],
) -> Result<Found> {
    let Listed {
        item,
        name,
        path,
        rel,
        is_link,
    } = listed;
    let mut found = Found::default();
    // A dangling symlink is listed like any file and reported by `read_entry` as unreadable.
    let target = if *is_link {
        path.canonicalize().ok()
    } else {
        None
    };
    let metadata = if *is_link {
        match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(_) => std::fs::symlink_metadata(path)
                .with_context(|| format!("reading {}", path.display()))?,
        }
    } else {
        // What is not a link is the same followed or not, and the folder's own entry finds it without walking
        // its path again.
        item.metadata()
            .with_context(|| format!("reading {}", path.display()))?
    };
    let entry_name = name
        .strip_suffix(".md")
        .filter(|stem| !stem.eq_ignore_ascii_case("readme"));
    if let Some(target) = &target
        && !target.starts_with(real_root)
    {
        if metadata.is_dir() || entry_name.is_some() {
            found.skipped.push(check::Finding::new(
                check::FindingKind::Link,
                rel,
                None,
                format!(
                    "a symbolic link to {}, outside the library folder: not followed",
                    target.display()
                ),
            ));
        }
        return Ok(found);
    }
    if !documents.is_empty()
        && path
            .canonicalize()
            .is_ok_and(|real| documents.contains(&real))
    {
        return Ok(found);
    }
    if metadata.is_dir() {
        if target.is_none() {
            found = scan_dir(real_root, path, rel, depth + 1, documents)?;
        }
    } else if let Some(stem) = entry_name {
        found.files.push(LibraryFile {
            rel: rel.clone(),
            abs: path.clone(),
            id: stem.to_string(),
            stamp: FileStamp::of(&metadata),
        });
    }
    Ok(found)
}

/// A fully parsed library.
#[derive(Debug)]
pub struct Library {
    pub root: PathBuf,
    pub settings: Settings,
    pub entries: Vec<Entry>,
    /// Files that could not be used, each with a path, line and message (the same findings `check` reports).
    pub problems: Vec<check::Finding>,
}

impl Library {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// Parses one file into an entry or a finding.
pub fn read_entry(file: &LibraryFile) -> std::result::Result<Entry, check::Finding> {
    if !entry::is_valid_id(&file.id) {
        return Err(check::Finding::new(
            check::FindingKind::BadId,
            &file.rel,
            None,
            format!(
                "`{}` is not a valid id: file names must be lowercase letters, digits and `-`",
                file.id
            ),
        ));
    }
    let bytes = crate::fsutil::read_regular(&file.abs, MAX_ENTRY_BYTES).map_err(|err| {
        let (kind, message) = match err {
            ReadError::TooLarge { .. } => (
                check::FindingKind::TooLarge,
                format!(
                    "the file is larger than {}, the most an answer file may hold: split it into entries, or \
                     keep the long text in a document the answer points to",
                    crate::fsutil::size_text(MAX_ENTRY_BYTES)
                ),
            ),
            ReadError::NotRegular => (
                check::FindingKind::Unreadable,
                "not a regular file (a named pipe, device or socket)".to_string(),
            ),
            ReadError::Io(err) => (
                check::FindingKind::Unreadable,
                format!("cannot read the file: {err}"),
            ),
        };
        check::Finding::new(kind, &file.rel, None, message)
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let line = entry::line_of(
            &String::from_utf8_lossy(&err.into_bytes()[..offset]),
            offset,
        );
        check::Finding::new(
            check::FindingKind::Parse,
            &file.rel,
            Some(line),
            "the file is not valid UTF-8 text",
        )
    })?;
    entry::parse_entry(&file.id, &file.rel, &text).map_err(|err| {
        let kind = match err.kind {
            entry::ParseErrorKind::UnknownKey => check::FindingKind::UnknownKey,
            entry::ParseErrorKind::MissingField => check::FindingKind::MissingField,
            entry::ParseErrorKind::Syntax => check::FindingKind::Parse,
        };
        check::Finding::new(kind, &file.rel, Some(err.line), err.message)
    })
}

/// The finding for a file whose id an earlier file (by path) already uses: the rule of `load`, which keeps only
/// the first, and of the index, which matches only the first.
pub(crate) fn duplicate_id(id: &str, first: &str, later: &str) -> check::Finding {
    check::Finding::new(
        check::FindingKind::DuplicateId,
        later,
        None,
        format!(
            "id `{id}` is already used by {first}; ids must be unique across the library (only the first is \
             used)"
        ),
    )
}

/// Reads and parses the whole library. Files that do not parse become `problems`; duplicate ids are reported and
/// only the first (by path) is kept, so callers never see two entries with one id.
pub fn load(root: &Path) -> Result<Library> {
    let Scan { files, skipped, .. } = scan(root)?;
    let mut problems = skipped;
    // A broken library.toml is a finding here (check goes on with the defaults); commands that match refuse it.
    // One that cannot be read at all (a named pipe, say) is an error for every command.
    let settings = match settings::read_text(root)? {
        Some(text) => Settings::parse(&text).unwrap_or_else(|err| {
            problems.push(check::Finding::new(
                check::FindingKind::Settings,
                settings::SETTINGS_FILE,
                Some(err.line),
                err.message,
            ));
            Settings::default()
        }),
        None => Settings::default(),
    };
    let mut entries: Vec<Entry> = Vec::with_capacity(files.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    for file in &files {
        match read_entry(file) {
            Ok(entry) => {
                if let Some(first) = seen.get(&entry.id) {
                    problems.push(duplicate_id(&entry.id, first, &file.rel));
                    continue;
                }
                seen.insert(entry.id.clone(), file.rel.clone());
                entries.push(entry);
            }
            Err(finding) => problems.push(finding),
        }
    }
    Ok(Library {
        root: root.to_path_buf(),
        settings,
        entries,
        problems,
    })
}
