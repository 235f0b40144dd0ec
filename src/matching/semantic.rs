//! Semantic matching: every entry's wordings, and the entry as a whole (its question with its answer), as
//! sentence embeddings compared with the question's.
//!
//! In: the library index and a model directory. Out: a [`SemanticIndex`] that finds the entries that mean the same
//! as a question even when they share no words ("Do you vet your staff before hiring?" and "Are background checks
//! performed on employees?"), which become candidates, and measures any candidate two ways: its closest wording,
//! and its question and answer together. Both are rankings the matcher fuses with the lexical ones (see #15 and
//! docs/matching.md: the whole entry generalizes better across frameworks than the wording alone, and the two
//! together better than either).
//!
//! Vectors are cached in the library's cache folder as `embeddings-<model fingerprint>.bin`, keyed by text (see
//! `crate::library::embeddings`), so only new or edited texts are embedded again. The
//! comparison is a brute-force dot product over all vectors: exact, and fast for libraries of thousands of
//! entries.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tantivy::DocAddress;

use crate::library::embeddings::EmbeddingCache;
use crate::library::index::LibraryIndex;
use crate::semantic::{EmbedProgress, Encoder};

use super::{Embedded, SemanticSearch};

/// Where the model of a run came from (see `crate::semantic::installed` for the order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSource {
    /// `--model DIR`.
    Flag,
    /// `[semantic] model` in `library.toml`.
    LibrarySettings,
    /// The reference model found in the Hugging Face cache, with no configuration.
    Installed,
}

impl ModelSource {
    /// For `--json`: `--model`, `library.toml` or `hugging-face-cache`.
    pub fn key(self) -> &'static str {
        match self {
            ModelSource::Flag => "--model",
            ModelSource::LibrarySettings => "library.toml",
            ModelSource::Installed => "hugging-face-cache",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ModelSource::Flag => "given with --model",
            ModelSource::LibrarySettings => "named by [semantic] model in library.toml",
            ModelSource::Installed => "the reference model found in the Hugging Face cache",
        }
    }
}

/// Which model a library uses: `--model` when given, else `[semantic] model` in `library.toml` (relative to the
/// library folder), else the reference model when it is in the Hugging Face cache. Without a library (`None`),
/// only the first and the last apply.
pub fn model_dir(
    index: Option<&LibraryIndex>,
    override_dir: Option<&Path>,
) -> Option<(PathBuf, ModelSource)> {
    if let Some(dir) = override_dir {
        return Some((dir.to_path_buf(), ModelSource::Flag));
    }
    if let Some(index) = index
        && let Some(semantic) = index.settings().semantic.as_ref()
    {
        let configured = &semantic.model;
        let dir = if configured.is_absolute() {
            configured.clone()
        } else {
            index.root().join(configured)
        };
        return Some((dir, ModelSource::LibrarySettings));
    }
    crate::semantic::installed::installed_reference().map(|dir| (dir, ModelSource::Installed))
}

/// The embeddings of every wording and answer body of every entry, with the encoder for questions.
pub struct SemanticIndex {
    encoder: Encoder,
    model: PathBuf,
    dimension: usize,
    /// Each entry with the rows of its wordings in `vectors` (an entry's rows are next to each other).
    entries: Vec<(DocAddress, Range<usize>)>,
    /// Each entry's tie break (`library::index::tie_break`), in the order of `entries`.
    ties: Vec<u64>,
    vectors: Vec<f32>,
    /// Where each entry is in `entries`.
    position: HashMap<DocAddress, usize>,
    /// Each entry's question and answer embedded together, in the order of `entries`.
    entry_vectors: Vec<f32>,
    /// Texts embedded on this open (the rest came from the cache).
    pub embedded_now: usize,
    /// Why the embedding cache could not be saved, for the command to print (matching does not print).
    pub cache_warning: Option<String>,
    /// The library's cache folder, where [`SemanticSearch::embed_cached`] keeps other texts' vectors.
    cache_dir: PathBuf,
}

impl SemanticIndex {
    /// Loads the model and the vectors of every wording and body, embedding the ones the cache lacks.
    pub fn open(index: &LibraryIndex, model: &Path) -> Result<SemanticIndex> {
        SemanticIndex::with_encoder(index, model, Encoder::load(model)?)
    }

    /// [`SemanticIndex::open`] with the model of `model` already loaded.
    fn with_encoder(index: &LibraryIndex, model: &Path, encoder: Encoder) -> Result<SemanticIndex> {
        let dimension = encoder.dimension();
        let mut cache = EmbeddingCache::load(index.cache_dir(), &encoder.fingerprint(), dimension);
        let searcher = index.searcher();
        let entries = index.all_entries(&searcher)?;
        let wholes: Vec<String> = entries.iter().map(|(_, e)| whole_text(&e.entry)).collect();
        let missing: Vec<&str> = {
            let mut seen = std::collections::HashSet::new();
            entries
                .iter()
                .flat_map(|(_, e)| e.entry.search_wordings())
                .chain(wholes.iter().map(String::as_str))
                .filter(|w| !cache.contains(w) && seen.insert(*w))
                .collect()
        };
        let embedded_now = missing.len();
        if !missing.is_empty() {
            let vectors = encoder.embed(&missing)?;
            for (text, vector) in missing.iter().zip(vectors) {
                cache.insert(text.to_string(), vector);
            }
        }
        let mut rows = Vec::new();
        let mut vectors = Vec::new();
        let mut entry_vectors = Vec::with_capacity(entries.len() * dimension);
        // Every text is in the cache now: what it lacked was embedded above.
        let cached = |text: &str| cache.get(text).expect("embedded above");
        for ((address, entry), whole) in entries.iter().zip(&wholes) {
            let first = vectors.len() / dimension.max(1);
            for wording in entry.entry.search_wordings() {
                vectors.extend_from_slice(cached(wording));
            }
            rows.push((*address, first..vectors.len() / dimension.max(1)));
            entry_vectors.extend_from_slice(cached(whole));
        }
        // Keep only the texts the library still has, and save when anything changed.
        let kept = entries
            .iter()
            .flat_map(|(_, e)| e.entry.search_wordings())
            .chain(wholes.iter().map(String::as_str));
        let cache_warning = cache
            .save(kept)
            .err()
            .map(|err| format!("could not save the embedding cache: {err:#}"));
        let position = rows.iter().enumerate().map(|(i, (a, _))| (*a, i)).collect();
        let ties = entries
            .iter()
            .map(|(_, e)| crate::library::index::tie_break(&e.entry.id))
            .collect();
        Ok(SemanticIndex {
            encoder,
            model: model.to_path_buf(),
            dimension,
            entries: rows,
            ties,
            vectors,
            position,
            entry_vectors,
            embedded_now,
            cache_warning,
            cache_dir: index.cache_dir().to_path_buf(),
        })
    }
}

impl SemanticIndex {
    /// The similarity of the closest of the wordings in `rows` to the query vector.
    fn closest_wording(&self, rows: Range<usize>, query: &[f32]) -> f32 {
        let d = self.dimension;
        rows.map(|row| crate::vector::cosine(query, &self.vectors[row * d..(row + 1) * d]))
            .fold(f32::MIN, f32::max)
    }
}

impl SemanticSearch for SemanticIndex {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.encoder.embed(texts)
    }

    fn nearest(&self, query: &[f32], k: usize) -> Vec<DocAddress> {
        let d = self.dimension;
        let by_wording = top_k(
            self.entries
                .iter()
                .zip(&self.ties)
                .map(|((address, rows), &tie)| {
                    (*address, tie, self.closest_wording(rows.clone(), query))
                }),
            k,
        );
        let by_entry = top_k(
            self.entries
                .iter()
                .zip(&self.ties)
                .enumerate()
                .map(|(i, ((address, _), &tie))| {
                    (
                        *address,
                        tie,
                        crate::vector::cosine(query, &self.entry_vectors[i * d..(i + 1) * d]),
                    )
                }),
            k,
        );
        let mut seen = std::collections::HashSet::new();
        by_wording
            .into_iter()
            .chain(by_entry)
            .filter(|a| seen.insert(*a))
            .collect()
    }

    fn wording_similarity(&self, address: DocAddress, query: &[f32]) -> f32 {
        self.position.get(&address).map_or(0.0, |&i| {
            self.closest_wording(self.entries[i].1.clone(), query)
        })
    }

    fn entry_similarity(&self, address: DocAddress, query: &[f32]) -> f32 {
        let d = self.dimension;
        self.position.get(&address).map_or(0.0, |&i| {
            crate::vector::cosine(query, &self.entry_vectors[i * d..(i + 1) * d])
        })
    }

    fn describe(&self) -> String {
        format!("on ({})", self.model.display())
    }

    fn embed_cached(&self, texts: &[&str], name: &str) -> Result<Embedded> {
        self.embed_keeping(texts, name, None)
    }

    fn embed_questions(&self, texts: &[&str]) -> Result<Embedded> {
        self.embed_keeping(texts, "questions", Some(super::QUESTIONS_REMEMBERED))
    }
}

impl SemanticIndex {
    /// Vectors of `texts` through the cache `name`: only texts it lacks are embedded. It then keeps `texts`, and
    /// with `remember` also what it held before while it holds no more than that many.
    fn embed_keeping(
        &self,
        texts: &[&str],
        name: &str,
        remember: Option<usize>,
    ) -> Result<Embedded> {
        if texts.is_empty() {
            return Ok(Embedded {
                vectors: Vec::new(),
                embedded_now: 0,
                warning: None,
            });
        }
        let mut cache = EmbeddingCache::load(
            &self.cache_dir,
            &format!("{name}-{}", self.encoder.fingerprint()),
            self.dimension,
        );
        let mut seen = std::collections::HashSet::new();
        let missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !cache.contains(t) && seen.insert(*t))
            .collect();
        if !missing.is_empty() {
            for (text, vector) in missing.iter().zip(self.encoder.embed(&missing)?) {
                cache.insert(text.to_string(), vector);
            }
        }
        let vectors: Vec<Vec<f32>> = texts
            .iter()
            .map(|t| cache.get(t).expect("embedded above").to_vec())
            .collect();
        let saved = match remember {
            Some(most) if cache.len() <= most => {
                let held: Vec<String> = cache.texts().map(str::to_string).collect();
                cache.save(held.iter().map(String::as_str))
            }
            _ => cache.save(texts.iter().copied()),
        };
        let warning = saved
            .err()
            .map(|err| format!("could not save the embedding cache: {err:#}"));
        Ok(Embedded {
            vectors,
            embedded_now: missing.len(),
            warning,
        })
    }
}

/// The `k` addresses with the highest similarity, best first (ties by tie break, then address; see
/// `library::index::tie_break`), without sorting them all: a large library meets this once per question.
fn top_k(scored: impl Iterator<Item = (DocAddress, u64, f32)>, k: usize) -> Vec<DocAddress> {
    let mut ranked: Vec<(DocAddress, u64, f32)> = scored.collect();
    let order = |a: &(DocAddress, u64, f32), b: &(DocAddress, u64, f32)| {
        b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0))
    };
    if ranked.len() > k && k > 0 {
        ranked.select_nth_unstable_by(k - 1, order);
    }
    ranked.truncate(k);
    ranked.sort_by(order);
    ranked.into_iter().map(|(address, _, _)| address).collect()
}

/// An entry as one text: its question, then its answer as plain text.
fn whole_text(entry: &crate::library::Entry) -> String {
    format!(
        "{}\n{}",
        entry.question,
        crate::text::plain_text(&entry.body)
    )
}

/// Opens the semantic index for a library when a model is configured or given; `Ok(None)` when none is.
/// `progress` is told how far each embedding is (see [`Encoder::report_progress`]).
pub fn open_for(
    index: &LibraryIndex,
    override_dir: Option<&Path>,
    progress: EmbedProgress,
) -> Result<Option<SemanticIndex>> {
    let Some((dir, source)) = model_dir(Some(index), override_dir) else {
        return Ok(None);
    };
    Encoder::load(&dir)
        .and_then(|mut encoder| {
            encoder.report_progress(progress);
            SemanticIndex::with_encoder(index, &dir, encoder)
        })
        .with_context(|| {
            format!(
                "semantic matching cannot use the model in {} ({}); --no-model matches without it",
                dir.display(),
                source.describe()
            )
        })
        .map(Some)
}
