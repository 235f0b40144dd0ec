//! The Hugging Face cache as `model install` writes it: the layout Python's `huggingface_hub` uses, so either
//! program reads the other's downloads, written so that nothing lands outside the cache folder whatever a server
//! says (#29).
//!
//! In: a model id, the commit and checksums the Hub named, each file's bytes. Out, under
//! `models--ORG--NAME/`: `blobs/<checksum>` (verified before it gets that name), `snapshots/<commit>/<file>`, a
//! link to `../../blobs/<checksum>`, and `refs/<revision>` naming the commit.
//!
//! The decision that isn't obvious: names that come from a server become [`Commit`] and [`Checksum`], which only
//! hold hex digits, before any path is built from them; and every folder is resolved (`canonicalize`) before
//! anything is created in it and must lie inside the resolved cache folder, so a link already in the cache
//! that leads out of it is refused, not followed (#29: an ETag of `/tmp/x/victim.txt` or `../../x/<sha1>`, and
//! an X-Repo-Commit of `/tmp/x/dir` or `..`, were written as paths).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::fsutil::{Existing, write_atomic, write_bytes_atomic};
use crate::text::snippet;

/// A commit of a Hub repository: 40 lower-case hex digits, as the Hub's `X-Repo-Commit` header gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit(String);

impl Commit {
    /// Reads a commit named by a server (or the user, as a revision); anything but 40 hex digits is refused.
    pub fn parse(value: &str) -> Result<Commit> {
        let value = value.trim();
        if value.len() == 40 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Commit(value.to_ascii_lowercase()))
        } else {
            bail!(
                "the commit it names ({:?}) is not a commit (40 hex digits)",
                snippet(value, 80)
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a file's ETag says its content hashes to: the git blob SHA-1 of a small file, the SHA-256 of a large
/// (LFS) one such as `model.safetensors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    GitSha1(String),
    Sha256(String),
}

impl Checksum {
    /// Reads an ETag (`"<hex>"`, or weak, `W/"<hex>"`); anything but 40 or 64 hex digits inside is refused.
    pub fn parse(etag: &str) -> Result<Checksum> {
        let trimmed = etag.trim();
        let bare = trimmed
            .strip_prefix("W/")
            .unwrap_or(trimmed)
            .trim_matches('"');
        if bare.bytes().all(|b| b.is_ascii_hexdigit()) {
            match bare.len() {
                40 => return Ok(Checksum::GitSha1(bare.to_ascii_lowercase())),
                64 => return Ok(Checksum::Sha256(bare.to_ascii_lowercase())),
                _ => {}
            }
        }
        bail!(
            "its ETag ({:?}) is not a checksum (a SHA-1 or SHA-256 in hex), so the download could not be \
             verified",
            snippet(bare, 80)
        )
    }

    pub fn hex(&self) -> &str {
        match self {
            Checksum::GitSha1(hex) | Checksum::Sha256(hex) => hex,
        }
    }

    /// The checksum of the same kind of `size` bytes read from `reader`.
    fn of(&self, reader: impl Read, size: u64) -> Result<String> {
        Ok(match self {
            Checksum::GitSha1(_) => hash_reader::<Sha1>(reader, Some(size))?.0,
            Checksum::Sha256(_) => hash_reader::<Sha256>(reader, None)?.0,
        })
    }
}

/// The cache folder of one model repository, `models--ORG--NAME` in the hub cache.
#[derive(Debug)]
pub struct RepoCache {
    /// The hub cache folder, as the user named it (HF_HUB_CACHE, HF_HOME/hub...).
    cache: PathBuf,
    /// `models--ORG--NAME`.
    folder: String,
}

impl RepoCache {
    /// The cache folder of `model_id` (refused unless it is a Hub model id: `NAME` or `ORG/NAME`, letters, digits,
    /// `-`, `_`, `.`). Touches nothing on disk.
    pub fn new(cache: &Path, model_id: &str) -> Result<RepoCache> {
        check_model_id(model_id)?;
        Ok(RepoCache {
            cache: cache.to_path_buf(),
            folder: format!("models--{}", model_id.replace('/', "--")),
        })
    }

    /// The snapshot folder of `commit`, as a model directory for `Encoder::load`.
    pub fn snapshot_dir(&self, commit: &Commit) -> PathBuf {
        self.cache
            .join(&self.folder)
            .join("snapshots")
            .join(commit.as_str())
    }

    /// Writes `blobs/<checksum>` with what `fill` writes (it returns the number of bytes), in a temp file beside it
    /// that is renamed into place only when its content matches the checksum; returns the size.
    pub fn store_blob(
        &self,
        checksum: &Checksum,
        fill: impl FnOnce(&mut std::fs::File) -> Result<u64>,
    ) -> Result<u64> {
        let dir = self.dir(&["blobs"])?;
        let mut size = 0;
        write_atomic(&dir.join(checksum.hex()), Existing::Replace, |file| {
            size = fill(file)?;
            file.seek(SeekFrom::Start(0))?;
            let actual = checksum.of(&mut *file, size)?;
            if actual != checksum.hex() {
                bail!(
                    "the download is damaged: its checksum is {actual}, the Hub says {}; it was deleted, try again",
                    checksum.hex()
                );
            }
            Ok(())
        })?;
        Ok(size)
    }

    /// Links `snapshots/<commit>/<file>` to the blob `checksum` (replacing what was there), and checks that the
    /// link leads to that blob. `file` is one of the model's known file names (`1_Pooling/config.json`).
    pub fn link(&self, commit: &Commit, file: &str, checksum: &Checksum) -> Result<()> {
        let parts: Vec<&str> = file.split('/').collect();
        check_parts(&parts, "file name")?;
        let (name, subfolders) = parts.split_last().context("an empty file name")?;
        let mut folders = vec!["snapshots", commit.as_str()];
        folders.extend(subfolders);
        let dir = self.dir(&folders)?;
        let blob = self.dir(&["blobs"])?.join(checksum.hex());
        let link = dir.join(name);
        place_link(&blob, &link, folders.len())
            .with_context(|| format!("linking {} to {}", link.display(), blob.display()))?;
        let resolved = std::fs::canonicalize(&link)
            .with_context(|| format!("following the link {}", link.display()))?;
        if resolved != blob {
            bail!(
                "{} leads to {}, not to the file it was linked to",
                link.display(),
                resolved.display()
            );
        }
        Ok(())
    }

    /// Records that `revision` is `commit` (`refs/<revision>`), as the Hub's cache does; a revision that is the
    /// commit itself needs no record.
    pub fn set_ref(&self, revision: &str, commit: &Commit) -> Result<()> {
        if Commit::parse(revision).is_ok() {
            return Ok(());
        }
        let parts: Vec<&str> = revision.split('/').collect();
        check_parts(&parts, "revision")?;
        let (name, subfolders) = parts.split_last().context("an empty revision")?;
        let mut folders = vec!["refs"];
        folders.extend(subfolders);
        let dir = self.dir(&folders)?;
        write_bytes_atomic(
            &dir.join(name),
            Existing::Replace,
            commit.as_str().as_bytes(),
        )
    }

    /// The folder `models--ORG--NAME/<folders...>`, created one level at a time: each level, whether it was
    /// there or not, is resolved and must be a folder inside the resolved cache folder before the next is made
    /// in it. Returns the resolved path.
    fn dir(&self, folders: &[&str]) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.cache).with_context(|| {
            format!(
                "creating the Hugging Face cache folder {}",
                self.cache.display()
            )
        })?;
        let root = std::fs::canonicalize(&self.cache).with_context(|| {
            format!(
                "finding the Hugging Face cache folder {}",
                self.cache.display()
            )
        })?;
        let mut dir = root.clone();
        for part in std::iter::once(self.folder.as_str()).chain(folders.iter().copied()) {
            let next = dir.join(part);
            match std::fs::create_dir(&next) {
                Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(err).with_context(|| format!("creating {}", next.display()));
                }
                _ => {}
            }
            let resolved = std::fs::canonicalize(&next).ok().filter(|p| p.is_dir());
            match resolved {
                Some(resolved) if resolved.starts_with(&root) => dir = resolved,
                _ => bail!(
                    "{} is not a folder inside the Hugging Face cache folder {} (a link that leads out of it, or \
                     a file): nothing is written through it; remove it and install again",
                    next.display(),
                    root.display()
                ),
            }
        }
        Ok(dir)
    }
}

/// Creates (or replaces) the link `link` to `blob`, relative (`../../blobs/<checksum>`, one more `../` per
/// subfolder) so the cache can be moved, through a temp link renamed into place. `depth` is how many folders
/// `link` sits below the repository folder. Where links cannot be made, the blob is copied instead, as the
/// Hub's cache does.
fn place_link(blob: &Path, link: &Path, depth: usize) -> Result<()> {
    let dir = link.parent().context("a link without a folder")?;
    #[cfg(unix)]
    {
        let mut target = PathBuf::new();
        for _ in 0..depth {
            target.push("..");
        }
        target.push("blobs");
        target.push(blob.file_name().context("a blob without a name")?);
        let temp = tempfile::Builder::new()
            .prefix(".answerbank-tmp-")
            .make_in(dir, |path| std::os::unix::fs::symlink(&target, path))?;
        temp.persist(link).map_err(|err| err.error)?;
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, depth);
        write_atomic(link, Existing::Replace, |file| {
            std::io::copy(&mut std::fs::File::open(blob)?, file)?;
            Ok(())
        })?;
    }
    Ok(())
}

/// A Hub model id: `NAME` or `ORG/NAME`, each part letters, digits, `-`, `_` and `.`, at most 96 characters, no
/// `--` or `..` (the Hub's own rule); so the cache folder built from it is one plain folder name.
fn check_model_id(model_id: &str) -> Result<()> {
    let parts: Vec<&str> = model_id.split('/').collect();
    let valid = parts.len() <= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && part.len() <= 96
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                && !part.contains("--")
                && !part.contains("..")
        });
    if !valid {
        bail!(
            "{:?} is not a Hugging Face model id (ORG/NAME: letters, digits, '-', '_' and '.')",
            snippet(model_id, 80)
        );
    }
    Ok(())
}

/// Checks a revision (`main`, `v1.0`, `refs/pr/1`) before it is sent or becomes `refs/<revision>`: plain parts
/// of letters, digits, `-`, `_` and `.`, separated by `/`, none of them `.` or `..`.
pub fn check_revision(revision: &str) -> Result<()> {
    let parts: Vec<&str> = revision.split('/').collect();
    check_parts(&parts, "revision").with_context(|| {
        format!(
            "the revision {:?} is not a branch, tag or commit",
            snippet(revision, 80)
        )
    })
}

fn check_parts(parts: &[&str], what: &str) -> Result<()> {
    let plain = |part: &&str| {
        !part.is_empty()
            && part.len() <= 100
            && *part != "."
            && *part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    if parts.is_empty() || parts.len() > 8 || !parts.iter().all(plain) {
        bail!("a {what} must be plain names separated by '/'");
    }
    Ok(())
}

/// The hex digest of what `reader` holds, and its size; with `git_blob_len`, of git's blob form
/// (`blob <len>\0` + contents), as git and the Hub name small files.
pub(super) fn hash_reader<D: Digest>(
    mut reader: impl Read,
    git_blob_len: Option<u64>,
) -> Result<(String, u64)> {
    let mut hasher = D::new();
    if let Some(len) = git_blob_len {
        hasher.update(format!("blob {len}\0").as_bytes());
    }
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((crate::text::hex(&hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: &str = "ce013625030ba8dba906f756967f9e9ca394464a"; // git hash-object of "hello\n"
    const COMMIT: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

    #[test]
    fn small_files_are_checked_as_git_blobs() {
        let (sha1, size) = hash_reader::<Sha1>(&b"hello\n"[..], Some(6)).unwrap();
        assert_eq!(sha1, SHA1);
        assert_eq!(size, 6);
        let (sha256, _) = hash_reader::<Sha256>(&b"hello\n"[..], None).unwrap();
        assert_eq!(
            sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn only_hex_names_come_from_a_server() {
        assert_eq!(
            Checksum::parse(&format!("\"{SHA1}\"")).unwrap(),
            Checksum::GitSha1(SHA1.into())
        );
        assert_eq!(
            Checksum::parse(&format!("W/\"{}\"", SHA1.to_uppercase())).unwrap(),
            Checksum::GitSha1(SHA1.into())
        );
        assert!(matches!(
            Checksum::parse(&"ab".repeat(32)).unwrap(),
            Checksum::Sha256(_)
        ));
        for etag in [
            "\"/tmp/x/victim.txt\"",
            &format!("\"../../../../x/{SHA1}\""),
            &format!("{SHA1}/"),
            "\"\"",
            &"a".repeat(41),
            "\"d41d8cd98f00b204e9800998ecf8427e\"", // an MD5 (32): not what the Hub names files by
        ] {
            assert!(Checksum::parse(etag).is_err(), "{etag}");
        }
        assert_eq!(Commit::parse(COMMIT).unwrap().as_str(), COMMIT);
        for commit in [
            "/tmp/x/dir",
            "..",
            ".",
            "",
            &COMMIT[..39],
            &format!("{COMMIT}/.."),
        ] {
            assert!(Commit::parse(commit).is_err(), "{commit}");
        }
    }

    #[test]
    fn model_ids_and_revisions_are_plain_names() {
        for id in [
            "sentence-transformers/all-MiniLM-L6-v2",
            "bert-base-uncased",
        ] {
            check_model_id(id).unwrap();
        }
        for id in [
            "", "a/b/c", "../x", "a/..", "/abs", "a--b/c", "a b/c", "a/b\\c",
        ] {
            assert!(check_model_id(id).is_err(), "{id}");
        }
        for revision in ["main", "v1.0", "refs/pr/1", COMMIT] {
            check_revision(revision).unwrap();
        }
        for revision in ["", "..", "../main", "/main", "a//b", "main/", "a\nb"] {
            assert!(check_revision(revision).is_err(), "{revision:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_blob_is_stored_verified_and_linked_inside_the_cache() {
        let cache = tempfile::tempdir().unwrap();
        let repo = RepoCache::new(cache.path(), "org/name").unwrap();
        let checksum = Checksum::GitSha1(SHA1.into());
        let commit = Commit::parse(COMMIT).unwrap();
        let size = repo
            .store_blob(&checksum, |file| {
                std::io::Write::write_all(file, b"hello\n")?;
                Ok(6)
            })
            .unwrap();
        assert_eq!(size, 6);
        repo.link(&commit, "1_Pooling/config.json", &checksum)
            .unwrap();
        repo.set_ref("main", &commit).unwrap();
        let snapshot = repo.snapshot_dir(&commit);
        assert_eq!(
            std::fs::read_link(snapshot.join("1_Pooling/config.json")).unwrap(),
            Path::new("../../../blobs").join(SHA1)
        );
        assert_eq!(
            std::fs::read(snapshot.join("1_Pooling/config.json")).unwrap(),
            b"hello\n"
        );
        let refs = cache.path().join("models--org--name/refs/main");
        assert_eq!(std::fs::read_to_string(refs).unwrap(), COMMIT);

        // Damaged content never gets the checksum's name, and leaves no temp file.
        let other = Checksum::GitSha1("0".repeat(40));
        let err = repo
            .store_blob(&other, |file| {
                std::io::Write::write_all(file, b"hello\n")?;
                Ok(6)
            })
            .unwrap_err();
        assert!(format!("{err:#}").contains("damaged"), "{err:#}");
        let blobs: Vec<_> = std::fs::read_dir(cache.path().join("models--org--name/blobs"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(blobs, [SHA1]);
    }

    /// #29: the final path is checked, not only its parts: a link in the cache that leads out of it is refused,
    /// and nothing is created through it.
    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_cache_is_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join("hub");
        let outside = root.path().join("outside");
        std::fs::create_dir_all(cache.join("models--org--name")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, cache.join("models--org--name/blobs")).unwrap();
        std::os::unix::fs::symlink(&outside, cache.join("models--org--name/snapshots")).unwrap();
        let repo = RepoCache::new(&cache, "org/name").unwrap();
        let checksum = Checksum::GitSha1(SHA1.into());
        let err = repo
            .store_blob(&checksum, |_| panic!("nothing may be fetched into it"))
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("not a folder inside the Hugging Face cache folder"),
            "{err:#}"
        );
        let err = repo
            .link(&Commit::parse(COMMIT).unwrap(), "config.json", &checksum)
            .unwrap_err();
        assert!(format!("{err:#}").contains("leads out of it"), "{err:#}");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    }
}
