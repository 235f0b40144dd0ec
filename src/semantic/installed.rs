//! Models already on this machine: the reference model in the Hugging Face cache, found without configuration.
//!
//! Where the model of a run comes from, first match wins: `--model DIR`, `[semantic] model` in `library.toml`,
//! then the reference model (sentence-transformers/all-MiniLM-L6-v2) in the Hugging Face cache that Python's
//! `huggingface_hub` and `sentence-transformers` fill (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
//! `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`), in its layout
//! `models--<org>--<name>/snapshots/<commit>/` with `refs/main` naming the commit. `--no-model` turns semantic
//! matching off whatever is found. Nothing here reaches the network.

use std::path::{Component, Path, PathBuf};

/// The reference model: what answerbank's bands and figures were measured with (docs/matching.md).
pub const REFERENCE_MODEL: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// Files a model directory needs to be used (see `Encoder::load`).
const REQUIRED: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// The Hugging Face hub cache folder, as `huggingface_hub` finds it; `None` without any of its variables or HOME.
pub fn hub_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("HF_HUB_CACHE")
        .or_else(|| var("HF_HOME").map(|home| home.join("hub")))
        .or_else(|| var("XDG_CACHE_HOME").map(|cache| cache.join("huggingface/hub")))
        .or_else(|| var("HOME").map(|home| home.join(".cache/huggingface/hub")))
}

/// The folder of a model repository in the hub cache (`models--org--name`).
pub fn repo_dir(cache: &Path, model_id: &str) -> PathBuf {
    cache.join(format!("models--{}", model_id.replace('/', "--")))
}

/// The snapshot of `model_id` in the hub cache that can be used: the one `refs/main` names when it is complete,
/// else the most recently modified complete one. `None` when there is none.
pub fn find_in_cache(cache: &Path, model_id: &str) -> Option<PathBuf> {
    let repo = repo_dir(cache, model_id);
    let snapshots = repo.join("snapshots");
    if let Ok(commit) = std::fs::read_to_string(repo.join("refs/main")) {
        // A name in snapshots/, never a path: an install by an older answerbank wrote there whatever a server
        // sent as the commit, `/tmp/x/dir` or `..` (#29).
        let mut parts = Path::new(commit.trim()).components();
        if let (Some(Component::Normal(name)), None) = (parts.next(), parts.next()) {
            let dir = snapshots.join(name);
            if is_complete(&dir) {
                return Some(dir);
            }
        }
    }
    let mut complete: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&snapshots)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| is_complete(dir))
        .map(|dir| {
            let modified = std::fs::metadata(&dir)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (modified, dir)
        })
        .collect();
    complete.sort();
    complete.pop().map(|(_, dir)| dir)
}

/// The reference model in the hub cache, if it is there.
pub fn installed_reference() -> Option<PathBuf> {
    find_in_cache(&hub_cache_dir()?, REFERENCE_MODEL)
}

/// Every file a model needs is there (symbolic links into the cache's blobs followed).
fn is_complete(dir: &Path) -> bool {
    REQUIRED.iter().all(|file| dir.join(file).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(cache: &Path, commit: &str, files: &[&str]) -> PathBuf {
        let dir = repo_dir(cache, REFERENCE_MODEL)
            .join("snapshots")
            .join(commit);
        std::fs::create_dir_all(&dir).unwrap();
        for file in files {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        dir
    }

    #[test]
    fn the_snapshot_refs_main_names_wins_when_complete() {
        let cache = tempfile::tempdir().unwrap();
        let old = snapshot(cache.path(), "aaa", &REQUIRED);
        let named = snapshot(cache.path(), "bbb", &REQUIRED);
        let refs = repo_dir(cache.path(), REFERENCE_MODEL).join("refs");
        std::fs::create_dir_all(&refs).unwrap();
        std::fs::write(refs.join("main"), "bbb").unwrap();
        assert_eq!(find_in_cache(cache.path(), REFERENCE_MODEL), Some(named));
        // An incomplete snapshot named by refs/main gives way to a complete one.
        std::fs::remove_file(
            repo_dir(cache.path(), REFERENCE_MODEL).join("snapshots/bbb/model.safetensors"),
        )
        .unwrap();
        assert_eq!(find_in_cache(cache.path(), REFERENCE_MODEL), Some(old));
    }

    /// #29: refs/main names a snapshot; a path there (written by an older install from a server's header) is
    /// not followed out of the cache.
    #[test]
    fn refs_main_that_is_a_path_is_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join("hub");
        let elsewhere = root.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        for file in REQUIRED {
            std::fs::write(elsewhere.join(file), "{}").unwrap();
        }
        let refs = repo_dir(&cache, REFERENCE_MODEL).join("refs");
        std::fs::create_dir_all(&refs).unwrap();
        // An empty snapshots/, so that a relative path through it would resolve.
        std::fs::create_dir_all(repo_dir(&cache, REFERENCE_MODEL).join("snapshots")).unwrap();
        for named in [elsewhere.to_str().unwrap(), "../../../elsewhere", ".."] {
            std::fs::write(refs.join("main"), named).unwrap();
            assert_eq!(find_in_cache(&cache, REFERENCE_MODEL), None, "{named}");
        }
    }

    #[test]
    fn no_complete_snapshot_is_no_model() {
        let cache = tempfile::tempdir().unwrap();
        assert_eq!(find_in_cache(cache.path(), REFERENCE_MODEL), None);
        snapshot(cache.path(), "ccc", &["config.json", "tokenizer.json"]);
        assert_eq!(find_in_cache(cache.path(), REFERENCE_MODEL), None);
    }
}
