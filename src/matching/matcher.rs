//! The matcher: one library index opened for ranking, and the path every question takes through it.
//!
//! In: a question (with its context and, with a model, its vector). Out: a [`MatchResult`]: candidates from exact
//! re-use, BM25 (`retrieval`) and the embedding search, re-scored (`rank`), fused (`fusion`), and banded
//! (`confidence`) against how the question differs from the best wording (`compare`). A questionnaire is matched
//! twice: the second pass reads the questions in the library's words where the questionnaire renames them
//! throughout (`vocabulary`).

use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::rank::{self, Weights};
use super::{
    CANDIDATES, Candidate, Comparison, Confidence, MatchResult, QuestionContext,
    SEMANTIC_CANDIDATES, SemanticSearch, confidence, context, fusion, idf, retrieval, vocabulary,
};
use crate::date::Date;
use crate::library::index::{IndexedEntry, LibraryIndex, Part};

/// A stored entry, decoded once per matcher, with what re-ranking needs of it that does not depend on the
/// question.
struct Decoded {
    entry: Arc<IndexedEntry>,
    terms: rank::EntryTerms,
    /// Whether this matcher ranks the entry: not shadowed, and of its part. Decided once here, not per question
    /// and candidate (#27: finding out whether a body holds a template's `{{` was 3% of a draft's time).
    ranked: bool,
}

/// Matches questions against one library index. Cheap to create; share one across threads.
pub struct Matcher<'a> {
    index: &'a LibraryIndex,
    /// The entries ranked: real answers, or unfilled templates. Each part is ranked as if the other were not in
    /// the library (its own fields and statistics; see `library::index::Fields`), so a template never changes
    /// which real answer a question gets, nor its band (#25).
    part: Part,
    searcher: Searcher,
    weights: Weights,
    today: Date,
    review_every_days: u32,
    /// Stored entries already decoded, one slot per document of each segment: questions of one questionnaire
    /// keep meeting the same candidates. Each slot is filled once, by whichever thread needs it first; no lock.
    entries: Vec<Vec<OnceLock<Decoded>>>,
    /// How many candidates BM25 and the embedding search each hand to the re-ranker.
    pool: (usize, usize),
    /// The documents of `part`, deleted ones not yet merged away included (BM25's count, as Tantivy's).
    documents: u64,
    /// Inverse document frequency of every term of the wordings, read once from the index.
    idf: idf::IdfTable,
    /// BM25 over wordings, tags and body, each field boosted by its weight.
    lexical: retrieval::Retriever,
    /// BM25 over every word of wordings and body, stemmed and nothing removed: a second lexical ranking that keeps
    /// what answerbank's own analysis drops (see `Analyzer::plain_stems`).
    plain: retrieval::Retriever,
    semantic: Option<&'a dyn SemanticSearch>,
}

impl<'a> Matcher<'a> {
    /// A matcher of real answers (unfilled templates take no part; see [`Matcher::templates`]).
    pub fn new(index: &'a LibraryIndex) -> Matcher<'a> {
        Self::of_part(index, Part::Answers)
    }

    /// A matcher of the unfilled starter templates alone: what a question is offered when no real answer matches
    /// (#25).
    pub fn templates(index: &'a LibraryIndex) -> Matcher<'a> {
        Self::of_part(index, Part::Templates)
    }

    fn of_part(index: &'a LibraryIndex, part: Part) -> Matcher<'a> {
        let searcher = index.searcher();
        let entries = searcher
            .segment_readers()
            .iter()
            .map(|segment| (0..segment.max_doc()).map(|_| OnceLock::new()).collect())
            .collect();
        // A count that cannot be read counts every document (what the statistics were before #25).
        let (alive, documents) = index.documents(&searcher, part).unwrap_or_else(|_| {
            let every = searcher
                .segment_readers()
                .iter()
                .map(|s| u64::from(s.max_doc()))
                .sum();
            (searcher.num_docs(), every)
        });
        let fields = index.fields().part(part);
        let idf = idf::IdfTable::of(&searcher, fields.wording, alive);
        let weights = Weights::default();
        // A tie break that cannot be read leaves ties to the documents' numbers (what they were before).
        let ties: Arc<[u64]> = index.tie_breaks(&searcher).unwrap_or_default().into();
        let lexical = lexical_retriever(&searcher, index, part, documents, &weights, ties.clone());
        let plain =
            retrieval::Retriever::new(&searcher, &[(fields.plain, 1.0)], documents, ties.clone());
        Matcher {
            index,
            part,
            documents,
            searcher,
            weights,
            today: Date::today(),
            review_every_days: index.settings().review_every_days,
            entries,
            pool: (CANDIDATES, SEMANTIC_CANDIDATES),
            idf,
            lexical,
            plain,
            semantic: None,
        }
    }

    /// A matcher of the templates alone, with this one's model and weights (see [`Matcher::templates`]).
    pub fn for_templates(&self) -> Matcher<'a> {
        Matcher::templates(self.index)
            .with_semantic(self.semantic)
            .with_weights(self.weights.clone())
    }

    /// Adds semantic matching (a model's embeddings of every entry).
    pub fn with_semantic(mut self, semantic: Option<&'a dyn SemanticSearch>) -> Self {
        self.semantic = semantic;
        self
    }

    /// Whether semantic matching is on, in words for summaries ("off", or "on (<model>)").
    pub fn semantic_status(&self) -> String {
        self.semantic
            .map_or_else(|| "off".to_string(), |s| s.describe())
    }

    pub fn is_semantic(&self) -> bool {
        self.semantic.is_some()
    }

    /// Replaces the ranking weights (used by `eval` experiments and tests).
    pub fn with_weights(mut self, weights: Weights) -> Self {
        self.lexical = lexical_retriever(
            &self.searcher,
            self.index,
            self.part,
            self.documents,
            &weights,
            self.plain.ties(),
        );
        self.weights = weights;
        self
    }

    /// Re-ranks every entry instead of the first candidates (for `eval` experiments that need every entry's
    /// features).
    pub fn with_every_entry_as_candidate(mut self) -> Self {
        let all = self.index.len().max(1);
        self.pool = (all, all);
        self
    }

    pub fn index(&self) -> &LibraryIndex {
        self.index
    }

    /// Ranks library entries for one question; returns at most `limit` candidates.
    pub fn match_question(
        &self,
        question: &str,
        context: &QuestionContext,
        limit: usize,
    ) -> Result<MatchResult> {
        let vector = match self.semantic {
            Some(semantic) => semantic.embed(&[question])?.pop(),
            None => None,
        };
        self.match_with_vector(question, context, limit, vector.as_deref())
    }

    /// Ranks the entries for many questions, as [`Matcher::match_question`] does one: the questions are embedded
    /// in batches (far faster than one by one), then matched on all cores. Results are in the questions' order;
    /// `done` is called after each question (for a progress bar).
    pub fn match_all(
        &self,
        questions: &[(&str, &QuestionContext)],
        limit: usize,
        done: &(dyn Fn() + Sync),
    ) -> Result<Vec<MatchResult>> {
        let texts: Vec<&str> = questions.iter().map(|(question, _)| *question).collect();
        let vectors = self.embed_all(&texts)?;
        self.match_embedded(questions, vectors.as_deref(), limit, done)
    }

    /// The questions' embeddings, in batches, when semantic matching is on; those of questions met before come
    /// from the library's cache (see [`SemanticSearch::embed_questions`]). A cache that cannot be saved costs only
    /// time on the next run, so its warning is not passed on.
    pub fn embed_all(&self, texts: &[&str]) -> Result<Option<Vec<Vec<f32>>>> {
        self.semantic
            .map(|s| s.embed_questions(texts).map(|embedded| embedded.vectors))
            .transpose()
    }

    /// [`Matcher::match_all`] with the questions' embeddings computed beforehand (by [`Matcher::embed_all`]).
    pub fn match_embedded(
        &self,
        questions: &[(&str, &QuestionContext)],
        vectors: Option<&[Vec<f32>]>,
        limit: usize,
        done: &(dyn Fn() + Sync),
    ) -> Result<Vec<MatchResult>> {
        let mut results = questions
            .par_iter()
            .enumerate()
            .map(|(i, (question, context))| {
                let vector = vectors.map(|v| v[i].as_slice());
                let result = self.match_with_vector(question, context, limit, vector)?;
                done();
                Ok(result)
            })
            .collect::<Result<Vec<_>>>()?;
        self.match_in_library_words(questions, vectors, limit, &mut results)?;
        Ok(results)
    }

    /// The second pass over a questionnaire (see [`vocabulary`]): the renames it applies throughout are learned
    /// from the first pass, and each question not yet high that holds one is ranked again in the library's words.
    /// The new result replaces the first only when it is high; its reason says which words were read as what.
    fn match_in_library_words(
        &self,
        questions: &[(&str, &QuestionContext)],
        vectors: Option<&[Vec<f32>]>,
        limit: usize,
        results: &mut [MatchResult],
    ) -> Result<()> {
        let analyzer = self.index.analyzer();
        let texts: Vec<&str> = questions.iter().map(|(question, _)| *question).collect();
        let renames =
            vocabulary::learn(analyzer, &texts, results, |stems| self.wording_share(stems));
        if renames.is_empty() {
            return Ok(());
        }
        // A question asked in an entry's own words, or one a reviewer has decided on, is left as it is: the
        // reviewer's word (an edit learned as a new entry, a rejection) outranks any rename.
        let decided = |result: &MatchResult| {
            result.best().is_some_and(|best| {
                let f = &best.features;
                f.exact || f.rejected || f.accepted_before
            })
        };
        let again = results
            .par_iter()
            .enumerate()
            .filter(|(_, result)| result.confidence < Confidence::High && !decided(result))
            .filter_map(|(i, _)| {
                let (text, used) = vocabulary::reword(analyzer, questions[i].0, &renames)?;
                let vector = vectors.map(|v| v[i].as_slice());
                Some(
                    self.match_with_vector(&text, questions[i].1, limit, vector)
                        .map(|result| (i, result, used)),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        for (i, mut result, used) in again {
            // An entry a reviewer rejected for the question as the customer asked it stays rejected.
            let asked = analyzer.analyze(questions[i].0).key();
            let rejected = result
                .best()
                .is_some_and(|best| best.entry.rejected_keys.contains(&asked));
            if result.confidence != Confidence::High || rejected {
                continue;
            }
            let read: Vec<String> = used
                .iter()
                .map(|rename| {
                    format!(
                        "{}, a rename this questionnaire makes in {} questions",
                        rename.describe(),
                        rename.support
                    )
                })
                .collect();
            result.reason = format!(
                "Read in the library's words ({}). {}",
                read.join("; "),
                result.reason
            );
            results[i] = result;
        }
        Ok(())
    }

    /// [`Matcher::match_question`] with the question's embedding computed beforehand.
    fn match_with_vector(
        &self,
        question: &str,
        context: &QuestionContext,
        limit: usize,
        vector: Option<&[f32]>,
    ) -> Result<MatchResult> {
        let analyzer = self.index.analyzer();
        let analyzed = analyzer.analyze(question);
        if analyzed.terms.is_empty() {
            return Ok(MatchResult {
                candidates: Vec::new(),
                confidence: Confidence::None,
                reason: "the question has no searchable words".to_string(),
                comparison: None,
            });
        }
        let key = analyzed.key();
        let retrieved = self.lexical.top(&analyzed.terms, self.pool.0)?;
        let plain = self
            .plain
            .top(&analyzer.plain_stems(question), self.pool.0)?;
        // Candidates in order of discovery: exact re-use, BM25, then (with a model) entries that mean the same in
        // other words, which BM25 cannot find.
        let semantic = self.semantic.zip(vector);
        let mut seen = FxHashSet::default();
        let addresses: Vec<DocAddress> = self
            .exact_matches(&key)?
            .into_iter()
            .chain(retrieved.iter().map(|(_, address)| *address))
            .chain(plain.iter().map(|(_, address)| *address))
            .chain(
                semantic
                    .into_iter()
                    .flat_map(|(search, vector)| search.nearest(vector, self.pool.1)),
            )
            .filter(|address| seen.insert(*address))
            .collect();
        // An exact match that BM25 did not rank in the first candidates gets no retrieval credit; it needs none.
        let retrieval: FxHashMap<DocAddress, f32> = retrieved
            .into_iter()
            .map(|(score, address)| (address, score))
            .collect();
        let max_retrieval = retrieval.values().copied().fold(0.0f32, f32::max);
        let plain: FxHashMap<DocAddress, f32> = plain
            .into_iter()
            .map(|(score, address)| (address, score))
            .collect();
        let query = rank::QueryTerms::new(
            &analyzed,
            |t| self.idf(t),
            rank::wants_short_answer(question),
        );
        let context = context::AnalyzedContext::new(context, analyzer);
        let mut candidates = Vec::with_capacity(addresses.len());
        for address in addresses {
            let decoded = self.entry(address)?;
            let entry = &decoded.entry;
            // The other part's entries (found by the embedding search, which knows no parts) are not ranked here.
            if !decoded.ranked {
                continue;
            }
            let bm25 = retrieval.get(&address).copied().unwrap_or(0.0);
            let features = rank::features(
                &query,
                &key,
                entry,
                &decoded.terms,
                if max_retrieval > 0.0 {
                    bm25 / max_retrieval
                } else {
                    0.0
                },
                &context,
                |t| self.idf(t),
            );
            let features = rank::Features {
                semantic_entry: semantic
                    .map(|(search, vector)| search.entry_similarity(address, vector)),
                semantic_wording: semantic
                    .map(|(search, vector)| search.wording_similarity(address, vector)),
                plain: plain.get(&address).copied().unwrap_or(0.0),
                ..features
            };
            let score = self.weights.base_score(&features);
            let stale = entry.entry.is_stale(self.review_every_days, self.today);
            candidates.push(Candidate {
                entry: entry.clone(),
                score,
                lexical: 0.0,
                features,
                stale,
            });
        }
        measure_tag_consensus(&mut candidates);
        for candidate in &mut candidates {
            candidate.lexical = self.weights.score(&candidate.features);
        }
        fusion::fuse(&mut candidates, semantic.is_some());
        fusion::sort(&mut candidates);
        let comparison = candidates.first().map(|best| {
            let wording = best
                .entry
                .entry
                .search_wordings()
                .nth(best.features.best_wording)
                .unwrap_or(&best.entry.entry.question);
            Comparison::of(&analyzed, &analyzer.analyze(wording))
        });
        let (confidence, reason) = confidence::decide(&candidates, comparison.as_ref());
        candidates.truncate(limit);
        // The vector was sized for every candidate considered (the pool, dozens): kept as it was, each question's
        // result held that room until the review was written (#29: memory per question).
        candidates.shrink_to_fit();
        for candidate in &mut candidates {
            candidate.features.shared =
                rank::shared_terms(&query, &candidate.entry, &candidate.features);
        }
        Ok(MatchResult {
            candidates,
            confidence,
            reason,
            comparison,
        })
    }

    /// Entries with a wording whose normalized key equals the question's.
    fn exact_matches(&self, key: &str) -> Result<Vec<DocAddress>> {
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let term = Term::from_field_text(self.index.fields().part(self.part).key, key);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let hits = self.searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(self.pool.0).order_by_score(),
        )?;
        Ok(hits.into_iter().map(|(_, address)| address).collect())
    }

    fn entry(&self, address: DocAddress) -> Result<&Decoded> {
        let slot = self
            .entries
            .get(address.segment_ord as usize)
            .and_then(|segment| segment.get(address.doc_id as usize))
            .context("an entry address outside the library index")?;
        if let Some(decoded) = slot.get() {
            return Ok(decoded);
        }
        // Two threads may decode the same entry at once; the first to finish fills the slot, both use it.
        let entry = self.index.stored(&self.searcher, address)?;
        let terms = rank::EntryTerms::of(&entry, |t| self.idf(t));
        let ranked = !self.index.is_shadowed(&entry) && Part::of(&entry.entry) == self.part;
        Ok(slot.get_or_init(|| Decoded {
            entry: Arc::new(entry),
            terms,
            ranked,
        }))
    }

    /// The share of this part's entries with a wording field that holds every one of `stems` (an upper bound of
    /// the share that holds them as a phrase: the index keeps no positions). 0 when it cannot be counted.
    fn wording_share(&self, stems: &[String]) -> f32 {
        let field = self.index.fields().part(self.part).wording;
        let clauses: Vec<(Occur, Box<dyn Query>)> = stems
            .iter()
            .map(|stem| {
                let term = Term::from_field_text(field, stem);
                let query: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Must, query)
            })
            .collect();
        let holding = self
            .searcher
            .search(&BooleanQuery::new(clauses), &Count)
            .unwrap_or(0);
        let entries = self
            .index
            .documents(&self.searcher, self.part)
            .map_or(0, |(alive, _)| alive);
        if entries == 0 {
            0.0
        } else {
            holding as f32 / entries as f32
        }
    }

    /// Smoothed inverse document frequency of a term among entry wordings.
    fn idf(&self, term: &str) -> f32 {
        self.idf.get(term)
    }
}

/// A matcher of a library of this many documents or more frees what it holds on a thread of its own. Once a
/// questionnaire is drafted it holds an entry decoded for most documents and thousands of score lists: millions of
/// small allocations, whose freeing took a tenth of a whole `draft` (#27) at its very end, on one core. A process
/// that exits meanwhile lets the system take them back at once.
const FREE_ELSEWHERE: usize = 1_000;

impl Drop for Matcher<'_> {
    fn drop(&mut self) {
        let documents: usize = self.entries.iter().map(Vec::len).sum();
        if documents < FREE_ELSEWHERE {
            return;
        }
        let held = (
            std::mem::take(&mut self.entries),
            std::mem::take(&mut self.idf),
            self.lexical.take_lists(),
            self.plain.take_lists(),
        );
        // A thread that cannot be started frees them here, as before.
        let _ = std::thread::Builder::new()
            .name("answerbank-free".to_string())
            .spawn(move || drop(held));
    }
}

/// BM25 over wordings, tags and body, each boosted by its weight in `weights`.
fn lexical_retriever(
    searcher: &Searcher,
    index: &LibraryIndex,
    part: Part,
    documents: u64,
    weights: &Weights,
    ties: Arc<[u64]>,
) -> retrieval::Retriever {
    let fields = index.fields().part(part);
    retrieval::Retriever::new(
        searcher,
        &[
            (fields.wording, weights.field_wording),
            (fields.tags, weights.field_tags),
            (fields.body, weights.field_body),
        ],
        documents,
        ties,
    )
}

/// Leading candidates that share a topic (tag) vouch for each other: a question whose best matches cluster in
/// one topic is probably about that topic. Each candidate's `consensus` is the share of the leading candidates'
/// evidence (their base scores, in `score` on entry) carried by its best tag.
fn measure_tag_consensus(candidates: &mut [Candidate]) {
    const LEADING: usize = 10;
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[b].score.total_cmp(&candidates[a].score));
    let mut mass: FxHashMap<&str, f32> = FxHashMap::default();
    let mut total = 0.0;
    for &i in order.iter().take(LEADING) {
        let score = candidates[i].score.max(0.0);
        total += score;
        for tag in &candidates[i].entry.entry.tags {
            *mass.entry(tag.as_str()).or_default() += score;
        }
    }
    if total <= 0.0 {
        return;
    }
    let best: Vec<f32> = candidates
        .iter()
        .map(|candidate| {
            candidate
                .entry
                .entry
                .tags
                .iter()
                .filter_map(|t| mass.get(t.as_str()))
                .fold(0.0f32, |a, &b| a.max(b))
        })
        .collect();
    for (candidate, best) in candidates.iter_mut().zip(best) {
        candidate.features.consensus = best / total;
    }
}
