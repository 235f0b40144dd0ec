//! `answerbank model install`: the reference model fetched from the Hugging Face Hub into the Hugging Face cache,
//! where matching then finds it without configuration (see [`super::installed`]).
//!
//! In: a model id and revision, and the endpoint (`HF_ENDPOINT`, else https://huggingface.co). Out: the model's
//! snapshot folder in the hub cache, every file checked against the checksum the Hub names it by: the SHA-256 of a
//! large (LFS) file such as `model.safetensors`, the git blob SHA-1 of a small one. The Hub client is the `hf-hub`
//! crate (the cache layout Python's `huggingface_hub` uses, so either can reuse the other's downloads). A file
//! that fails its check is deleted; `model.safetensors` comes last, so an interrupted or refused install never
//! leaves a snapshot that looks complete.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use hf_hub::api::Progress;
use hf_hub::api::sync::{ApiBuilder, ApiError};
use hf_hub::{Repo, RepoType};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Files of a sentence-transformers model: the ones loading needs, in the order fetched (weights last).
const REQUIRED: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Files that describe the pipeline (pooling, truncation) when the repository has them.
const OPTIONAL: [&str; 6] = [
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
];

/// What an install fetched.
#[derive(Debug)]
pub struct Installed {
    /// The snapshot folder: a model directory `Encoder::load` reads.
    pub dir: PathBuf,
    /// Each file fetched, with its size in bytes.
    pub files: Vec<(String, u64)>,
    /// Optional files the repository does not have.
    pub absent: Vec<String>,
}

/// Fetches `model_id` at `revision` into the hub cache `cache` (see `installed::hub_cache_dir`), showing a
/// progress bar per file when `progress` is set.
pub fn install(model_id: &str, revision: &str, cache: &Path, progress: bool) -> Result<Installed> {
    let builder = ApiBuilder::from_env()
        .with_cache_dir(cache.to_path_buf())
        .with_progress(false);
    let endpoint = std::env::var("HF_ENDPOINT").unwrap_or_else(|_| "https://huggingface.co".into());
    let api = builder
        .build()
        .context("starting the Hugging Face Hub client")?;
    let repo = api.repo(Repo::with_revision(
        model_id.to_string(),
        RepoType::Model,
        revision.to_string(),
    ));
    let mut installed = Installed {
        dir: PathBuf::new(),
        files: Vec::new(),
        absent: Vec::new(),
    };
    let order = OPTIONAL
        .iter()
        .map(|f| (*f, false))
        .chain(REQUIRED.iter().map(|f| (*f, true)));
    for (file, required) in order {
        let path = match repo.download_with_progress(file, Bar::new(progress)) {
            Ok(path) => path,
            Err(ApiError::RequestError(err)) if !required && is_not_found(&err) => {
                installed.absent.push(file.to_string());
                continue;
            }
            Err(ApiError::RequestError(err)) if is_not_found(&err) => bail!(
                "{model_id} at {revision} on {endpoint} has no {file}: it is not a sentence-transformers model \
                 answerbank can use"
            ),
            Err(ApiError::RequestError(err)) if matches!(*err, ureq::Error::Transport(_)) => {
                return Err(anyhow!(err)).with_context(|| {
                    format!(
                        "could not reach {endpoint}; on a machine without access to the Hugging Face Hub, see \
                         README, \"Semantic matching\", for the offline route"
                    )
                });
            }
            Err(err) => {
                return Err(anyhow!(err))
                    .with_context(|| format!("downloading {file} of {model_id} from {endpoint}"));
            }
        };
        let size = verify(&path).with_context(|| format!("checking {file} of {model_id}"))?;
        installed.files.push((file.to_string(), size));
        if file == REQUIRED[0] {
            installed.dir = snapshot_dir(&path, file);
        }
    }
    Ok(installed)
}

fn is_not_found(err: &ureq::Error) -> bool {
    matches!(err, ureq::Error::Status(404, _))
}

/// The snapshot folder of a file fetched as `file` (which may sit in a subfolder, `1_Pooling/config.json`).
fn snapshot_dir(path: &Path, file: &str) -> PathBuf {
    let depth = Path::new(file).components().count();
    path.ancestors().nth(depth).unwrap_or(path).to_path_buf()
}

/// Checks a fetched file against the checksum its blob is named by (hf-hub names each blob after the Hub's ETag),
/// and returns its size. A file that fails is deleted, blob and link, so nothing half-right stays in the cache.
fn verify(pointer: &Path) -> Result<u64> {
    let blob = std::fs::canonicalize(pointer)
        .with_context(|| format!("finding the downloaded file behind {}", pointer.display()))?;
    let expected = blob
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (actual, size) = match expected.len() {
        64 => hash_file::<Sha256>(&blob, None)?,
        40 => hash_file::<Sha1>(&blob, Some(std::fs::metadata(&blob)?.len()))?,
        _ => {
            remove(pointer, &blob);
            bail!(
                "the server named no checksum for it (ETag {expected:?}), so it cannot be verified; it was not \
                 kept"
            )
        }
    };
    if actual != expected {
        remove(pointer, &blob);
        bail!(
            "the download is damaged: its checksum is {actual}, the Hub says {expected}; it was deleted, try again"
        );
    }
    Ok(size)
}

fn remove(pointer: &Path, blob: &Path) {
    let _ = std::fs::remove_file(blob);
    let _ = std::fs::remove_file(pointer);
}

/// The hex digest of a file; with `git_blob_len`, of git's blob form (`blob <len>\0` + contents), as git and the
/// Hub name small files.
fn hash_file<D: Digest>(path: &Path, git_blob_len: Option<u64>) -> Result<(String, u64)> {
    let mut hasher = D::new();
    if let Some(len) = git_blob_len {
        hasher.update(format!("blob {len}\0").as_bytes());
    }
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((crate::text::hex(&hasher.finalize()), size))
}

/// A progress bar per file (indicatif), or nothing.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(show: bool) -> Bar {
        Bar(show.then(|| indicatif::ProgressBar::new(0)))
    }
}

impl Progress for Bar {
    fn init(&mut self, size: usize, filename: &str) {
        if let Some(bar) = &self.0 {
            bar.set_length(size as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:<28} [{bar:30}] {bytes}/{total_bytes} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(filename.to_string());
            bar.set_position(0);
        }
    }

    fn update(&mut self, size: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(size as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_checked_as_git_blobs() {
        // `git hash-object` of a file holding "hello\n".
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "hello\n").unwrap();
        let (sha1, size) = hash_file::<Sha1>(&path, Some(6)).unwrap();
        assert_eq!(sha1, "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(size, 6);
        let (sha256, _) = hash_file::<Sha256>(&path, None).unwrap();
        assert_eq!(
            sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn the_snapshot_folder_of_a_file_in_a_subfolder() {
        let path = Path::new("/c/snapshots/abc/1_Pooling/config.json");
        assert_eq!(
            snapshot_dir(path, "1_Pooling/config.json"),
            Path::new("/c/snapshots/abc")
        );
        let path = Path::new("/c/snapshots/abc/config.json");
        assert_eq!(
            snapshot_dir(path, "config.json"),
            Path::new("/c/snapshots/abc")
        );
    }
}
