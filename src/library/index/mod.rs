//! The Tantivy index: a rebuildable cache of the library files, kept in `<library>/.answerbank/` (or in the
//! user's cache folder when the library folder is read-only; see [`LibraryLock::acquire_cache`]).
//!
//! In: the library folder. Out: a [`LibraryIndex`] whose contents match the files on disk *now*. On every open the
//! folder is scanned (names and stamps only), compared with the manifest of what the index holds, and only the
//! files that changed are re-read and re-indexed; `library.toml` or an analyzer change rebuilds everything. A
//! missing, corrupt or half-written cache is rebuilt from the files, so a user never runs an index step and never
//! gets stale results. How the cache is checked, and what "corrupt" means, is in `cache` ([`inspect_cache`] is
//! what `check` reports); the fields each entry is written to are in `schema` ([`Fields`]).
//!
//! Text is analyzed by [`Analyzer`] and handed to Tantivy as its terms joined by spaces, which Tantivy's built-in
//! whitespace tokenizer splits again (a term never holds whitespace), so the index needs no tokenizer of its own
//! and queries use exactly the same terms. (Pre-tokenized text gave the same index but is carried through Tantivy
//! as JSON, which cost a build more than its indexing did; see #18.) Each entry is one document; what re-ranking
//! needs (its analyzed wordings, tags and body terms) is stored beside it so matching never re-reads or re-analyzes
//! files.

mod cache;
mod schema;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use super::check::Finding;
use super::lock::LibraryLock;
use super::settings::Settings;
use super::{Entry, LibraryFile, Scan, Status, read_entry, scan};
use crate::analysis::{ANALYZER_VERSION, Analyzer};
use crate::fsutil::{Existing, write_bytes_atomic};
pub use cache::inspect_cache;
use cache::{
    INDEX_DIR, MANIFEST_FILE, Manifest, ManifestFile, create_fresh, manifest_warnings,
    open_checked, read_manifest,
};
pub use schema::{Fields, Part, PartFields, TEMPLATE_MARK, tie_break};
use schema::{SCHEMA_VERSION, fields_of};

/// Tantivy's indexing memory budget (it needs at least 15 MB per thread).
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// Decompressed blocks of stored entries kept per segment (Tantivy keeps 100). Matching decodes an entry once
/// (see `Matcher`), but the candidates of a questionnaire's questions are spread over the whole library, so with
/// 100 blocks nearly every entry decoded decompressed its block again (#27: 5% of a draft of real-length entries).
/// Blocks are 16 KB: at most 16 MB a segment.
const DOC_STORE_CACHE: usize = 1_000;
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
fn distinct(mut items: Vec<String>, max: usize) -> Vec<String> {
    // Sized for every item at once, so it never grows (and rehashes) while it fills.
    let mut seen = rustc_hash::FxHashSet::with_capacity_and_hasher(items.len(), Default::default());
    let kept: Vec<usize> = (0..items.len())
        .filter(|&i| seen.insert(items[i].as_str()))
        .take(max)
        .collect();
    drop(seen);
    kept.into_iter()
        .map(|i| std::mem::take(&mut items[i]))
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
            .doc_store_cache_num_blocks(DOC_STORE_CACHE)
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

    /// Each document's [`schema::tie_break`], by its number across the searcher's segments (segment after
    /// segment): what candidate picking breaks ties with.
    pub fn tie_breaks(&self, searcher: &tantivy::Searcher) -> Result<Vec<u64>> {
        let mut ties = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .u64("tie_break")
                .context("reading the library index's tie breaks")?;
            ties.extend((0..segment.max_doc()).map(|doc| column.first(doc).unwrap_or(u64::MAX)));
        }
        Ok(ties)
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
        let json = doc
            .get_first(self.fields.data)
            .and_then(|v| v.as_str())
            .context("an index document has no stored entry; the cache is damaged")?;
        serde_json::from_str(json).context("decoding an entry from the library index")
    }

    /// The underlying Tantivy index (for benchmarks and diagnostics).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
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
    doc.add_u64(f.tie_break, schema::tie_break(&indexed.entry.id));
    doc.add_text(f.data, serde_json::to_string(&indexed)?);
    Ok(doc)
}
