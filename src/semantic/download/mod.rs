//! `answerbank model install`: a sentence-transformers model fetched from the Hugging Face Hub into the Hugging
//! Face cache, where matching then finds it without configuration (see [`super::installed`]).
//!
//! In: a model id and revision, the endpoint (`HF_ENDPOINT`, else https://huggingface.co), the cache folder.
//! Out: the model's snapshot folder in the cache, every file checked against the checksum the Hub names it by
//! (the SHA-256 of a large, LFS, file such as `model.safetensors`; the git blob SHA-1 of a small one).
//! [`hub`] talks to the server, [`cache`] lays the files out as Python's `huggingface_hub` does, so either
//! program reuses the other's downloads.
//!
//! The decisions that aren't obvious. A server is not trusted (#29: hf-hub used its headers as paths, followed
//! it without end, and sent the user's token wherever it redirected): each file has a size limit taken from what
//! a model of this kind needs, the whole install one more, and a download that stops progressing is given up
//! on. A file that fails its check is deleted; `model.safetensors` comes last and `refs/<revision>` is written
//! only after it, so an interrupted or refused install never leaves a snapshot that looks complete.

mod cache;
mod hub;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use cache::{Commit, RepoCache};
use hub::{Fetched, Hub};

const MB: u64 = 1_000_000;

/// The files fetched, in order (weights last), whether the model needs them, and the most answerbank accepts of
/// each. The reference model's (all-MiniLM-L6-v2) are 53 to 612 bytes for the small JSON files, 232 KB for
/// `vocab.txt`, 466 KB for `tokenizer.json` and 90.9 MB for `model.safetensors`; the limits leave room for other
/// sentence-transformers models (all-mpnet-base-v2's weights are 438 MB, a large BERT's 1.34 GB, a multilingual
/// tokenizer.json 17 MB) and stop a server that sends without end (#29).
const FILES: [(&str, bool, u64); 9] = [
    ("modules.json", false, MB),
    ("sentence_bert_config.json", false, MB),
    ("1_Pooling/config.json", false, MB),
    ("tokenizer_config.json", false, MB),
    ("special_tokens_map.json", false, MB),
    ("vocab.txt", false, 16 * MB),
    ("config.json", true, MB),
    ("tokenizer.json", true, 64 * MB),
    ("model.safetensors", true, 2_000 * MB),
];
/// The whole install: the weights' limit and 100 MB for the rest.
const TOTAL_LIMIT: u64 = 2_100 * MB;

/// How an install runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest wait without progress (a connection, an answer, or [`hub::MIN_PROGRESS`] bytes) before the
    /// install stops.
    pub stall: Duration,
    /// Show a progress bar per file.
    pub progress: bool,
}

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

/// Fetches `model_id` at `revision` into the hub cache `cache` (see `installed::hub_cache_dir`).
pub fn install(
    model_id: &str,
    revision: &str,
    cache: &Path,
    options: &Options,
) -> Result<Installed> {
    let repo = RepoCache::new(cache, model_id)?;
    cache::check_revision(revision)?;
    let hub = Hub::from_env(options.stall)?;
    let endpoint = hub.endpoint().to_string();
    let mut commit: Option<Commit> = None;
    let mut budget = TOTAL_LIMIT;
    let mut installed = Installed {
        dir: PathBuf::new(),
        files: Vec::new(),
        absent: Vec::new(),
    };
    for (file, required, file_limit) in FILES {
        let fetching = || format!("fetching {file} of {model_id} from {endpoint}");
        let download = match hub.fetch(model_id, revision, file).with_context(fetching)? {
            Fetched::Found(download) => download,
            Fetched::Missing if !required => {
                installed.absent.push(file.to_string());
                continue;
            }
            Fetched::Missing => bail!(
                "{model_id} at {revision} on {endpoint} has no {file}: it is not a sentence-transformers model \
                 answerbank can use"
            ),
        };
        // Every file of a snapshot comes from one commit; the one named as the revision, if it is a commit.
        let expected = commit.clone().or_else(|| Commit::parse(revision).ok());
        if let Some(expected) = expected.filter(|c| *c != download.commit) {
            bail!(
                "{endpoint} named commit {} for {file} but {} before: the model changed during the install, or \
                 the server is not consistent; run it again",
                download.commit.as_str(),
                expected.as_str()
            );
        }
        commit = Some(download.commit.clone());
        let limit = file_limit.min(budget);
        let too_large = || {
            if limit < file_limit {
                format!(
                    "the model's files together are larger than answerbank accepts ({} MB)",
                    TOTAL_LIMIT / MB
                )
            } else {
                format!(
                    "{file} is larger than answerbank accepts for it ({} MB)",
                    file_limit / MB
                )
            }
        };
        if download.announced.is_some_and(|size| size > limit) {
            bail!("{}: not fetched", too_large());
        }
        let checksum = download.checksum.clone();
        let snapshot = download.commit.clone();
        let bar = Bar::new(options.progress, file, download.announced);
        let size = repo
            .store_blob(&checksum, |out| {
                match download.copy_to(out, limit, |n| bar.inc(n))? {
                    Some(size) => Ok(size),
                    None => bail!(
                        "{}, and {} kept sending: stopped there, nothing kept",
                        too_large(),
                        endpoint
                    ),
                }
            })
            .with_context(fetching)?;
        bar.finish();
        budget -= size;
        repo.link(&snapshot, file, &checksum)
            .with_context(fetching)?;
        installed.files.push((file.to_string(), size));
    }
    // REQUIRED files end the list, so a commit was named (or the install stopped above).
    let commit = commit.context("no file was fetched")?;
    repo.set_ref(revision, &commit)
        .with_context(|| format!("recording {revision} of {model_id} in {}", cache.display()))?;
    installed.dir = repo.snapshot_dir(&commit);
    Ok(installed)
}

/// A progress bar per file (indicatif), or nothing.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(show: bool, file: &str, size: Option<u64>) -> Bar {
        Bar(show.then(|| {
            let bar = indicatif::ProgressBar::new(size.unwrap_or(0));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:<28} [{bar:30}] {bytes}/{total_bytes} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(file.to_string());
            bar
        }))
    }

    fn inc(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish();
        }
    }
}
