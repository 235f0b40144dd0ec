//! The Tantivy index: a rebuildable cache of the library files, kept in `<library>/.answerbank/` (or in the
//! user's cache folder when the library folder is read-only; see [`LibraryLock::acquire_cache`]).
//!
//! In: the library folder. Out: a [`LibraryIndex`] whose contents match the files on disk *now*. On every open the
//! folder is scanned (names and stamps only), compared with the manifest of what the index holds, and only the
//! files that changed are re-read and re-indexed; `library.toml` or an analyzer change rebuilds everything. A
//! missing, corrupt or half-written cache is rebuilt from the files, so a user never runs an index step and never
//! gets stale results. "Corrupt" is checked, not hoped for (see #29: one flipped byte in a term dictionary made
//! Tantivy panic on every later search): every file of the index must pass its checksum, and opening it and a
//! first read of each segment's term dictionaries and stored documents must neither fail nor panic; otherwise the
//! cache is rebuilt, with a warning, and `check` reports it ([`inspect_cache`]).
//!
//! Text is analyzed by [`Analyzer`] and handed to Tantivy as its terms joined by spaces, which Tantivy's built-in
//! whitespace tokenizer splits again (a term never holds whitespace), so the index needs no tokenizer of its own
//! and queries use exactly the same terms. (Pre-tokenized text gave the same index but is carried through Tantivy
//! as JSON, which cost a build more than its indexing did; see #18.) Each entry is one document; what re-ranking
//! needs (its analyzed wordings, tags and body terms) is stored beside it so matching never re-reads or re-analyzes
//! files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    BytesOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use super::check::{Finding, FindingKind};
use super::lock::LibraryLock;
use super::settings::Settings;
use super::{Entry, FileStamp, LibraryFile, Scan, Status, read_entry, scan};
use crate::analysis::{ANALYZER_VERSION, Analyzer};
use crate::fsutil::{Existing, ReadError, write_bytes_atomic};

/// Bump when the schema or what is stored changes.
const SCHEMA_VERSION: u32 = 7;
const MANIFEST_FILE: &str = "manifest.json";
const INDEX_DIR: &str = "index";
/// Tantivy's indexing memory budget (it needs at least 15 MB per thread).
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// Body notions kept per entry for re-ranking; a body is evidence, not the question, and must not bloat the cache.
const MAX_BODY_TERMS: usize = 200;

/// An entry as stored in the index, with what re-ranking needs pre-computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedEntry {
    pub entry: Entry,
    /// Notions (see `Analyzed::notions`) of each wording: the question first, then the alternates, then the
    /// wordings learned from reviews but not yet approved ([`Entry::pending_wordings`]).
    pub wording_notions: Vec<Vec<String>>,
    /// Index terms (words and concepts) of each wording, in the same order.
    pub wording_terms: Vec<Vec<String>>,
    /// Exact-reuse key of each confirmed wording (the question and the alternates; pending wordings are never
    /// exact re-use).
    pub wording_keys: Vec<String>,
    /// Exact-reuse keys of the wordings a reviewer rejected this entry for.
    pub rejected_keys: Vec<String>,
    /// Exact-reuse keys of the pending wordings (accepted in a review, not yet approved).
    pub pending_keys: Vec<String>,
    pub tag_notions: Vec<String>,
    /// Distinct body notions, first-seen order, capped.
    pub body_notions: Vec<String>,
    #[serde(skip)]
    pub index_terms: IndexTerms,
}

impl IndexedEntry {
    pub fn new(entry: Entry, analyzer: &Analyzer) -> IndexedEntry {
        let mut indexed = IndexedEntry {
            entry,
            wording_notions: Vec::new(),
            wording_terms: Vec::new(),
            wording_keys: Vec::new(),
            rejected_keys: Vec::new(),
            pending_keys: Vec::new(),
            tag_notions: Vec::new(),
            body_notions: Vec::new(),
            index_terms: IndexTerms::default(),
        };
        let confirmed = indexed.entry.wordings().count();
        let mut plain = Vec::new();
        for (n, wording) in indexed.entry.search_wordings().enumerate() {
            let (analyzed, stems) = analyzer.analyze_with_plain_stems(wording);
            plain.extend(stems);
            if n < confirmed {
                indexed.wording_keys.push(analyzed.key());
            } else {
                indexed.pending_keys.push(analyzed.key());
            }
            indexed.wording_terms.push(analyzed.terms);
            indexed.wording_notions.push(analyzed.notions);
        }
        indexed.rejected_keys = indexed
            .entry
            .rejected_wordings()
            .map(|l| analyzer.analyze(&l.wording).key())
            .filter(|k| !k.is_empty())
            .collect();
        for tag in &indexed.entry.tags {
            let analyzed = analyzer.analyze(tag);
            indexed.index_terms.tags.extend(analyzed.terms);
            indexed.tag_notions.extend(analyzed.notions);
        }
        let (body, stems) = analyzer.analyze_with_plain_stems(&indexed.entry.body);
        plain.extend(stems);
        indexed.index_terms.plain = plain;
        indexed.index_terms.body = distinct(body.terms, MAX_BODY_TERMS * 2);
        indexed.body_notions = distinct(body.notions, MAX_BODY_TERMS);
        indexed
    }
}

/// Distinct items in first-seen order, at most `max`.
fn distinct(items: Vec<String>, max: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    items
        .iter()
        .filter(|t| seen.insert(t.as_str()))
        .take(max)
        .cloned()
        .collect()
}

/// What goes into the Tantivy fields; computed when indexing, not stored.
#[derive(Debug, Clone, Default)]
pub struct IndexTerms {
    pub tags: Vec<String>,
    pub body: Vec<String>,
    /// Every word of the wordings and the body, stemmed (`Analyzer::plain_stems`).
    pub plain: Vec<String>,
}

/// The Tantivy fields. Text fields are indexed from analyzed terms joined by spaces.
///
/// Real answers and unfilled starter templates ([`Entry::is_unfilled_template`]) are indexed in fields of their
/// own ([`Part`]): a template's words never enter the statistics (document frequencies, average lengths) that
/// rank real answers, so adding or removing the starter kit leaves every real ranking exactly as it was (#25).
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub path: Field,
    pub id: Field,
    /// The fields of real answers.
    pub answers: PartFields,
    /// The fields of unfilled templates.
    pub templates: PartFields,
    /// Holds [`TEMPLATE_MARK`] for an unfilled template: counts the templates.
    pub template: Field,
    /// The [`IndexedEntry`] as JSON.
    pub data: Field,
}

/// The text of [`Fields::template`] in a template's document.
pub const TEMPLATE_MARK: &str = "1";

/// Which entries a matcher ranks: real answers, or unfilled starter templates (see [`Fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Answers,
    Templates,
}

impl Part {
    pub fn of(entry: &Entry) -> Part {
        if entry.is_unfilled_template() {
            Part::Templates
        } else {
            Part::Answers
        }
    }
}

/// The searchable fields of one [`Part`].
#[derive(Debug, Clone, Copy)]
pub struct PartFields {
    /// The question and every alternate.
    pub wording: Field,
    pub tags: Field,
    pub body: Field,
    /// Every word of wordings and body, stemmed, nothing removed: the plain BM25 ranking.
    pub plain: Field,
    /// Exact-reuse keys, one per wording.
    pub key: Field,
}

impl Fields {
    pub fn part(&self, part: Part) -> PartFields {
        match part {
            Part::Answers => self.answers,
            Part::Templates => self.templates,
        }
    }
}

fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let path = builder.add_text_field("path", STRING | STORED);
    let id = builder.add_text_field("id", STRING | STORED);
    let mut part = |prefix: &str| PartFields {
        wording: builder.add_text_field(&format!("{prefix}wording"), text.clone()),
        tags: builder.add_text_field(&format!("{prefix}tags"), text.clone()),
        body: builder.add_text_field(&format!("{prefix}body"), text.clone()),
        plain: builder.add_text_field(&format!("{prefix}plain"), text.clone()),
        key: builder.add_text_field(&format!("{prefix}key"), STRING),
    };
    let answers = part("");
    let templates = part("template_");
    let fields = Fields {
        path,
        id,
        answers,
        templates,
        template: builder.add_text_field("template", STRING),
        data: builder.add_bytes_field("data", BytesOptions::default().set_stored()),
    };
    (builder.build(), fields)
}

fn fields_of(schema: &Schema) -> Result<Fields> {
    let get = |name: &str| {
        schema
            .get_field(name)
            .with_context(|| format!("the index has no field `{name}`"))
    };
    let part = |prefix: &str| -> Result<PartFields> {
        Ok(PartFields {
            wording: get(&format!("{prefix}wording"))?,
            tags: get(&format!("{prefix}tags"))?,
            body: get(&format!("{prefix}body"))?,
            plain: get(&format!("{prefix}plain"))?,
            key: get(&format!("{prefix}key"))?,
        })
    };
    Ok(Fields {
        path: get("path")?,
        id: get("id")?,
        answers: part("")?,
        templates: part("template_")?,
        template: get("template")?,
        data: get("data")?,
    })
}

/// What the cache holds, written after every successful commit.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    analyzer_version: u32,
    /// The exact text of `library.toml` the index was built with.
    settings_text: String,
    files: BTreeMap<String, ManifestFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestFile {
    stamp: FileStamp,
    id: String,
    /// Set when the file could not be used, so the warning is repeated without re-reading the file.
    problem: Option<Finding>,
    /// Whether the file is in the index (false for retired entries and problems).
    indexed: bool,
}

/// What opening the index had to do.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub rebuilt: bool,
    /// Why the cache was rebuilt when it was damaged (not merely missing, or made for other settings).
    pub damaged: Option<String>,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub elapsed: Duration,
}

/// A library's index, in sync with its files.
pub struct LibraryIndex {
    root: PathBuf,
    /// Where the index and the embeddings are kept (see [`LibraryLock::acquire_cache`]).
    cache: PathBuf,
    settings: Settings,
    analyzer: Arc<Analyzer>,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    entries: usize,
    /// Files whose id an earlier file (by path) already uses: indexed, but never matched, as `library::load`
    /// keeps only the first.
    shadowed: HashSet<String>,
    warnings: Vec<Finding>,
    report: SyncReport,
}

impl std::fmt::Debug for LibraryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryIndex")
            .field("root", &self.root)
            .field("entries", &self.entries)
            .finish()
    }
}

impl LibraryIndex {
    /// Opens the index of the library at `root`, bringing it up to date with the files first.
    pub fn open(root: &Path) -> Result<LibraryIndex> {
        let started = Instant::now();
        let Scan { files, skipped, .. } = scan(root)?;
        let (settings, settings_text) = Settings::load(root)?;
        let analyzer = Arc::new(settings.analyzer());
        let (cache, _lock) = LibraryLock::acquire_cache(root)?;

        let manifest = read_manifest(&cache.join(MANIFEST_FILE));
        let opened = match &manifest {
            Some(Ok(manifest)) if manifest.compatible(&settings_text) => {
                open_checked(&cache.join(INDEX_DIR), manifest)
            }
            Some(Err(why)) => Err(why.clone()),
            _ => Ok(None),
        };
        let (index, manifest, rebuilt, damaged) = match (opened, manifest) {
            (Ok(Some(index)), Some(Ok(manifest))) => (index, manifest, false, None),
            (opened, _) => (
                create_fresh(&cache)?,
                Manifest::default(),
                true,
                opened.err(),
            ),
        };
        let fields = fields_of(&index.schema())?;
        let mut sync = Sync {
            index: &index,
            fields,
            analyzer: &analyzer,
            writer: None,
            report: SyncReport::default(),
        };
        let (manifest, changed) = sync.apply(manifest, &files, &settings_text)?;
        let mut report = sync.report;
        report.rebuilt = rebuilt;
        report.damaged = damaged;
        if changed || rebuilt {
            write_bytes_atomic(
                &cache.join(MANIFEST_FILE),
                Existing::Replace,
                &serde_json::to_vec(&manifest)?,
            )
            .context("saving the index manifest")?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening the library index for reading")?;
        report.elapsed = started.elapsed();
        let (mut warnings, shadowed) = manifest_warnings(&manifest);
        warnings.extend(skipped);
        let entries = manifest
            .files
            .iter()
            .filter(|(path, file)| file.indexed && !shadowed.contains(*path))
            .count();
        Ok(LibraryIndex {
            root: root.to_path_buf(),
            cache,
            settings,
            analyzer,
            index,
            reader,
            fields,
            entries,
            shadowed,
            warnings,
            report,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The library's cache folder: `<library>/.answerbank`, or a user cache folder for a read-only library.
    pub fn cache_dir(&self) -> &Path {
        &self.cache
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Entries that can be matched (not retired, parsed fine).
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Files that could not be used (parse errors, duplicate ids): worth a warning, not a failure.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    pub fn sync_report(&self) -> &SyncReport {
        &self.report
    }

    /// Every entry in the index with its address (for semantic matching, which compares a question with all of
    /// them).
    pub fn all_entries(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<Vec<(DocAddress, IndexedEntry)>> {
        let mut out = Vec::with_capacity(self.entries);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                let address = DocAddress::new(ord as u32, doc);
                let entry = self.stored(searcher, address)?;
                if !self.is_shadowed(&entry) {
                    out.push((address, entry));
                }
            }
        }
        Ok(out)
    }

    /// How many documents of the searcher's index are of `part`, live ones and all (deleted ones not yet merged
    /// away included, as Tantivy's BM25 counts them): the document counts of that part's IDF and BM25
    /// statistics, as if the other part were not in the library (#25).
    pub fn documents(&self, searcher: &tantivy::Searcher, part: Part) -> Result<(u64, u64)> {
        let term = Term::from_field_text(self.fields.template, TEMPLATE_MARK);
        let (mut templates, mut every_template, mut every_doc) = (0u64, 0u64, 0u64);
        for segment in searcher.segment_readers() {
            every_doc += u64::from(segment.max_doc());
            let inverted = segment
                .inverted_index(self.fields.template)
                .context("reading the library index")?;
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .context("reading the library index")?
            else {
                continue;
            };
            let alive = segment.alive_bitset();
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                every_template += 1;
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    templates += 1;
                }
                doc = postings.advance();
            }
        }
        Ok(match part {
            Part::Templates => (templates, every_template),
            Part::Answers => (
                searcher.num_docs().saturating_sub(templates),
                every_doc.saturating_sub(every_template),
            ),
        })
    }

    /// Whether an entry's id is used by an earlier file too (see `check`): only the first is matched.
    pub fn is_shadowed(&self, entry: &IndexedEntry) -> bool {
        self.shadowed.contains(&entry.entry.path)
    }

    /// Reads one stored entry.
    pub fn stored(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<IndexedEntry> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .context("reading an entry from the library index")?;
        let bytes = doc
            .get_first(self.fields.data)
            .and_then(|v| v.as_bytes())
            .context("an index document has no stored entry; the cache is damaged")?;
        serde_json::from_slice(bytes).context("decoding an entry from the library index")
    }

    /// The underlying Tantivy index (for benchmarks and diagnostics).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
}

/// The largest manifest read: about 150 bytes per library file, so a million files fit.
const MAX_MANIFEST_BYTES: u64 = 512 * 1024 * 1024;

/// The manifest: `None` when there is none (a new cache), an error saying why when it cannot be used.
fn read_manifest(path: &Path) -> Option<Result<Manifest, String>> {
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
    fn compatible(&self, settings_text: &str) -> bool {
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
fn open_checked(dir: &Path, manifest: &Manifest) -> Result<Option<Index>, String> {
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
            if let Some(doc) = segment.doc_ids_alive().next() {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                let bytes = doc
                    .get_first(fields.data)
                    .and_then(|v| v.as_bytes())
                    .context("a document has no stored entry")?;
                serde_json::from_slice::<IndexedEntry>(bytes)?;
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
fn create_fresh(cache: &Path) -> Result<Index> {
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
fn manifest_warnings(manifest: &Manifest) -> (Vec<Finding>, HashSet<String>) {
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
            warnings.push(super::duplicate_id(id, paths[0], later));
            shadowed.insert(later.to_string());
        }
    }
    (warnings, shadowed)
}

/// One pass of bringing the index in line with the files.
struct Sync<'a> {
    index: &'a Index,
    fields: Fields,
    analyzer: &'a Analyzer,
    writer: Option<IndexWriter>,
    report: SyncReport,
}

impl Sync<'_> {
    fn writer(&mut self) -> Result<&IndexWriter> {
        if self.writer.is_none() {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(4);
            let writer = self
                .index
                .writer_with_num_threads(threads, WRITER_MEMORY.max(threads * 16 * 1024 * 1024))
                .context("opening the library index for writing")?;
            self.writer = Some(writer);
        }
        Ok(self.writer.as_ref().expect("writer was just created"))
    }

    fn apply(
        &mut self,
        mut manifest: Manifest,
        files: &[LibraryFile],
        settings_text: &str,
    ) -> Result<(Manifest, bool)> {
        let present: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        let removed: Vec<String> = manifest
            .files
            .keys()
            .filter(|rel| !present.contains(String::as_str(rel)))
            .cloned()
            .collect();
        for rel in removed {
            if manifest.files.remove(&rel).is_some_and(|f| f.indexed) {
                let term = Term::from_field_text(self.fields.path, &rel);
                self.writer()?.delete_term(term);
            }
            self.report.removed += 1;
        }
        let stale: Vec<&LibraryFile> = files
            .iter()
            .filter(|file| {
                manifest
                    .files
                    .get(&file.rel)
                    .is_none_or(|known| known.stamp != file.stamp)
            })
            .collect();
        // Reading and analyzing files is most of the work of a build: it runs on every core, a chunk at a time
        // (so a large library is never held in memory twice), and Tantivy indexes each chunk in its own threads.
        for chunk in stale.chunks(PREPARE_CHUNK) {
            let prepared: Vec<Prepared> = chunk
                .par_iter()
                .map(|file| prepare(file, self.fields, self.analyzer))
                .collect::<Result<_>>()?;
            for (file, prepared) in chunk.iter().zip(prepared) {
                let known = manifest.files.get(&file.rel);
                if known.is_some_and(|k| k.indexed) {
                    let term = Term::from_field_text(self.fields.path, &file.rel);
                    self.writer()?.delete_term(term);
                    self.report.updated += 1;
                } else if known.is_some() {
                    self.report.updated += 1;
                } else {
                    self.report.added += 1;
                }
                let record = match prepared {
                    Prepared::Retired(id) => ManifestFile {
                        stamp: file.stamp,
                        id,
                        problem: None,
                        indexed: false,
                    },
                    Prepared::Document(id, doc) => {
                        self.writer()?.add_document(*doc)?;
                        ManifestFile {
                            stamp: file.stamp,
                            id,
                            problem: None,
                            indexed: true,
                        }
                    }
                    Prepared::Problem(problem) => ManifestFile {
                        stamp: file.stamp,
                        id: file.id.clone(),
                        problem: Some(problem),
                        indexed: false,
                    },
                };
                manifest.files.insert(file.rel.clone(), record);
            }
        }
        let changed = self.writer.is_some();
        if let Some(mut writer) = self.writer.take() {
            writer.commit().context("saving the library index")?;
            writer
                .wait_merging_threads()
                .context("finishing the library index")?;
        }
        manifest.schema_version = SCHEMA_VERSION;
        manifest.analyzer_version = ANALYZER_VERSION;
        manifest.settings_text = settings_text.to_string();
        Ok((manifest, changed))
    }
}

/// Files read and analyzed per parallel step of a sync.
const PREPARE_CHUNK: usize = 4096;

/// One changed file, read and analyzed, ready for the index writer.
enum Prepared {
    Retired(String),
    Document(String, Box<TantivyDocument>),
    Problem(Finding),
}

fn prepare(file: &LibraryFile, fields: Fields, analyzer: &Analyzer) -> Result<Prepared> {
    Ok(match read_entry(file) {
        Ok(entry) if entry.status == Status::Retired => Prepared::Retired(entry.id),
        Ok(entry) => {
            let id = entry.id.clone();
            Prepared::Document(
                id,
                Box::new(document(fields, IndexedEntry::new(entry, analyzer))?),
            )
        }
        Err(problem) => Prepared::Problem(problem),
    })
}

fn document(f: Fields, indexed: IndexedEntry) -> Result<TantivyDocument> {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.path, &indexed.entry.path);
    doc.add_text(f.id, &indexed.entry.id);
    let part = Part::of(&indexed.entry);
    if part == Part::Templates {
        doc.add_text(f.template, TEMPLATE_MARK);
    }
    let p = f.part(part);
    for terms in &indexed.wording_terms {
        doc.add_text(p.wording, terms.join(" "));
    }
    doc.add_text(p.tags, indexed.index_terms.tags.join(" "));
    doc.add_text(p.body, indexed.index_terms.body.join(" "));
    doc.add_text(p.plain, indexed.index_terms.plain.join(" "));
    for key in &indexed.wording_keys {
        if !key.is_empty() {
            doc.add_text(p.key, key);
        }
    }
    doc.add_bytes(f.data, &serde_json::to_vec(&indexed)?);
    Ok(doc)
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
