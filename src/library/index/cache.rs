//! The index cache on disk: its manifest of what the index holds, and whether the cache can be trusted.
//!
//! In: the cache folder (`<library>/.answerbank/`, or the user's cache folder for a read-only library). Out: the
//! [`Manifest`] and the opened index when both are sound, a fresh empty index when they are not, the warnings the
//! manifest carries, and for `check` a finding when the cache is damaged ([`inspect_cache`]). "Corrupt" is checked,
//! not hoped for (see #29: one flipped byte in a term dictionary made Tantivy panic on every later search): every
//! file of the index must pass its checksum, and opening it and a first read of each segment's term dictionaries
//! and stored documents must neither fail nor panic; otherwise the cache is rebuilt, with a warning, and `check`
//! reports it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument};

use super::IndexedEntry;
use super::schema::{SCHEMA_VERSION, build_schema, fields_of};
use crate::analysis::ANALYZER_VERSION;
use crate::fsutil::ReadError;
use crate::library::FileStamp;
use crate::library::check::{Finding, FindingKind};
use crate::library::lock::LibraryLock;
use crate::library::settings::Settings;

pub(super) const MANIFEST_FILE: &str = "manifest.json";
pub(super) const INDEX_DIR: &str = "index";

/// What the cache holds, written after every successful commit.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) schema_version: u32,
    pub(super) analyzer_version: u32,
    /// The exact text of `library.toml` the index was built with.
    pub(super) settings_text: String,
    pub(super) files: BTreeMap<String, ManifestFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ManifestFile {
    pub(super) stamp: FileStamp,
    pub(super) id: String,
    /// Set when the file could not be used, so the warning is repeated without re-reading the file.
    pub(super) problem: Option<Finding>,
    /// Whether the file is in the index (false for retired entries and problems).
    pub(super) indexed: bool,
}

/// The largest manifest read: about 150 bytes per library file, so a million files fit.
const MAX_MANIFEST_BYTES: u64 = 512 * 1024 * 1024;

/// The manifest: `None` when there is none (a new cache), an error saying why when it cannot be used.
pub(super) fn read_manifest(path: &Path) -> Option<Result<Manifest, String>> {
    let bytes = match crate::fsutil::read_regular(path, MAX_MANIFEST_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => return Some(Err(format!("its manifest cannot be read: {err}"))),
    };
    match serde_json::from_slice(&bytes) {
        Ok(manifest) => Some(Ok(manifest)),
        // A manifest of another schema version may not parse as this one: it is old, not damaged.
        Err(_)
            if serde_json::from_slice::<ManifestVersion>(&bytes)
                .is_ok_and(|v| v.schema_version != SCHEMA_VERSION) =>
        {
            None
        }
        Err(err) => Some(Err(format!("its manifest is damaged: {err}"))),
    }
}

/// The one field of a manifest read from any version.
#[derive(Deserialize)]
struct ManifestVersion {
    schema_version: u32,
}

impl Manifest {
    /// Whether the index was built the way this version builds it, with these settings.
    pub(super) fn compatible(&self, settings_text: &str) -> bool {
        self.schema_version == SCHEMA_VERSION
            && self.analyzer_version == ANALYZER_VERSION
            && self.settings_text == settings_text
    }
}

/// Opens the index in `dir` and makes sure it can be used: every file passes its checksum, the schema is ours,
/// and a first read of each segment's term dictionaries and stored documents works. Tantivy trusts its files and
/// can panic on a damaged one (see #29), so all of it runs under `catch_unwind`; the error says what was wrong.
/// `None` is an index that is sound but not the one the manifest describes (a run killed between saving the two):
/// rebuilt without a word, as nothing is damaged.
pub(super) fn open_checked(dir: &Path, manifest: &Manifest) -> Result<Option<Index>, String> {
    let checked = quietly_catching_panics(|| -> Result<Option<Index>> {
        let index = Index::open_in_dir(dir)?;
        let damaged = index.validate_checksum()?;
        if let Some(file) = damaged.iter().min() {
            anyhow::bail!("{} fails its checksum", file.display());
        }
        let fields = fields_of(&index.schema())?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut indexed = vec![fields.path, fields.id, fields.template];
        for part in [fields.answers, fields.templates] {
            indexed.extend([part.wording, part.tags, part.body, part.plain, part.key]);
        }
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for &field in &indexed {
                let inverted = segment.inverted_index(field)?;
                let terms = inverted.terms();
                let mut first = terms.stream()?;
                if first.advance() {
                    inverted
                        .read_postings_from_terminfo(first.value(), IndexRecordOption::Basic)?;
                }
                let mut last = Vec::new();
                if let Some(ord) = terms.num_terms().checked_sub(1) {
                    terms.ord_to_term(ord as u64, &mut last)?;
                }
            }
            segment.get_store_reader(1)?;
            let ties = segment.fast_fields().u64("tie_break")?;
            if let Some(doc) = segment.doc_ids_alive().next() {
                ties.first(doc).context("a document has no tie break")?;
                let doc: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                let json = doc
                    .get_first(fields.data)
                    .and_then(|v| v.as_str())
                    .context("a document has no stored entry")?;
                serde_json::from_str::<IndexedEntry>(json)?;
            }
        }
        let expected = manifest.files.values().filter(|f| f.indexed).count() as u64;
        Ok((searcher.num_docs() == expected).then_some(index))
    });
    match checked {
        Ok(Ok(index)) => Ok(index),
        Ok(Err(err)) => Err(format!("{err:#}")),
        Err(panic) => Err(format!("reading it failed ({panic})")),
    }
}

/// Runs `work`, turning a panic into an error message instead of a crash, and without the panic's message on
/// stderr (the caller reports what happened in its own words).
fn quietly_catching_panics<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(hook);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string())
    })
}

/// What `check` says about the library's index cache: a finding when the cache the next `search` or `draft` would
/// use is damaged (they rebuild it). Nothing is written: a missing cache, or one made for other settings or by
/// another version, is no problem (it is simply built again).
pub fn inspect_cache(root: &Path) -> Result<Option<Finding>> {
    let Some((cache, shown, _lock)) = LibraryLock::existing_cache(root)? else {
        return Ok(None);
    };
    let damaged = match read_manifest(&cache.join(MANIFEST_FILE)) {
        None => return Ok(None),
        Some(Err(why)) => why,
        Some(Ok(manifest)) => {
            // A broken library.toml is a finding of its own; the cache is not judged against it.
            let Ok((_, settings_text)) = Settings::load(root) else {
                return Ok(None);
            };
            if !manifest.compatible(&settings_text) {
                return Ok(None);
            }
            match open_checked(&cache.join(INDEX_DIR), &manifest) {
                Ok(_) => return Ok(None),
                Err(why) => why,
            }
        }
    };
    Ok(Some(Finding::new(
        FindingKind::Cache,
        &shown,
        None,
        format!(
            "the index cache is damaged ({damaged}); the next `search` or `draft` rebuilds it from the answer \
             files"
        ),
    )))
}

/// A new, empty index in the cache folder `cache`. The old manifest goes first: a run killed while the old index
/// is removed or the new one filled leaves a cache without a manifest, which is simply built again, never one
/// that looks damaged (see #29: `check` reports damage).
pub(super) fn create_fresh(cache: &Path) -> Result<Index> {
    let manifest = cache.join(MANIFEST_FILE);
    match std::fs::remove_file(&manifest) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(err).with_context(|| format!("removing {}", manifest.display()));
        }
        _ => {}
    }
    let dir = cache.join(INDEX_DIR);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("removing the old index cache {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the index cache {}", dir.display()))?;
    let (schema, _) = build_schema();
    Index::create_in_dir(&dir, schema)
        .with_context(|| format!("creating the index in {}", dir.display()))
}

/// Files that could not be used, and the files whose id an earlier one (by path) already uses.
pub(super) fn manifest_warnings(manifest: &Manifest) -> (Vec<Finding>, HashSet<String>) {
    let mut warnings: Vec<Finding> = manifest
        .files
        .values()
        .filter_map(|f| f.problem.clone())
        .collect();
    let mut by_id: HashMap<&str, Vec<&str>> = HashMap::new();
    for (rel, file) in &manifest.files {
        if file.problem.is_none() {
            by_id.entry(file.id.as_str()).or_default().push(rel);
        }
    }
    let mut duplicates: Vec<_> = by_id
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .collect();
    duplicates.sort();
    let mut shadowed = HashSet::new();
    for (id, paths) in duplicates {
        for later in &paths[1..] {
            warnings.push(crate::library::duplicate_id(id, paths[0], later));
            shadowed.insert(later.to_string());
        }
    }
    (warnings, shadowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        assert_eq!(quietly_catching_panics(|| 7), Ok(7));
        let index: usize = std::hint::black_box(9);
        let caught = quietly_catching_panics(|| [1, 2, 3][index]);
        assert!(
            caught
                .as_ref()
                .is_err_and(|why| why.contains("index out of bounds")),
            "{caught:?}"
        );
        assert_eq!(
            quietly_catching_panics(|| -> u8 { panic!("term info store") }),
            Err("term info store".to_string())
        );
    }
}
