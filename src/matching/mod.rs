//! Matching: one customer question in, the library entries that answer it out, ranked, with a confidence band.
//!
//! Flow: question (+ its [`QuestionContext`]) → analyzed terms (`crate::analysis`) → exact-reuse lookup and BM25
//! retrieval of candidates from the Tantivy index (`retrieval`; with a model, plus the entries whose wordings are
//! nearest in embedding space) →
//! [`rank`] re-scores each candidate with finer similarity → [`confidence`] decides the band from the score, the
//! margin to the runner-up and the entry's status. This is the one code path that `search`, `eval` and `draft`
//! share, so what `eval` measures is what `draft` does.
//! No I/O beyond reading the index (and, with a model, its embedding cache when `semantic` opens).
//!
//! One job per file: this one holds what a match is (`Candidate`, `MatchResult`) and what the matcher needs of a
//! model (`SemanticSearch`); `matcher` is the path a question takes; the steps have a file each (`retrieval`,
//! `rank`, `fusion`, `compare`, `confidence`, `vocabulary`), and `passages` ranks the company's documents.

pub mod bm25;
pub mod compare;
pub mod confidence;
pub mod context;
pub mod fusion;
mod idf;
mod matcher;
pub mod passages;
pub mod rank;
mod retrieval;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod vocabulary;

use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tantivy::DocAddress;

pub use compare::Comparison;
pub use confidence::Confidence;
pub use context::QuestionContext;
pub use matcher::Matcher;

use crate::library::index::IndexedEntry;
use rank::Features;

/// Sentence-embedding search, when a model is configured (see `semantic.rs`; compiled with the `semantic`
/// feature). The matcher only needs these four operations.
pub trait SemanticSearch: Sync {
    /// Unit vectors for texts, in order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
    /// The `k` entries whose wordings are most similar to the query vector, and the `k` most similar as a whole
    /// (question with answer): candidates the lexical retrieval may miss.
    fn nearest(&self, query: &[f32], k: usize) -> Vec<DocAddress>;
    /// The similarity of an entry's closest wording (question, alternate or pending wording) to the query vector.
    fn wording_similarity(&self, address: DocAddress, query: &[f32]) -> f32;
    /// The similarity of the entry as a whole (its question and answer embedded together) to the query vector.
    fn entry_similarity(&self, address: DocAddress, query: &[f32]) -> f32;
    /// "on (<model>)", for summaries.
    fn describe(&self) -> String;
    /// Unit vectors for texts, in order, kept in the library's cache under `name` (texts no longer asked for are
    /// dropped from it), so only new texts are embedded: document passages (see [`passages`]).
    fn embed_cached(&self, texts: &[&str], name: &str) -> Result<Embedded> {
        let _ = name;
        Ok(Embedded {
            vectors: self.embed(texts)?,
            embedded_now: texts.len(),
            warning: None,
        })
    }
    /// Unit vectors for a questionnaire's questions, remembered in the library's cache across runs (up to
    /// [`QUESTIONS_REMEMBERED`] questions), so a questionnaire drafted again, or the same template sent by
    /// another customer, is not embedded again.
    fn embed_questions(&self, texts: &[&str]) -> Result<Embedded> {
        self.embed_cached(texts, "questions")
    }
}

/// Questions whose vectors the cache keeps across runs (about 1.6 KB each with MiniLM): past this, it keeps only
/// the questionnaire at hand.
pub const QUESTIONS_REMEMBERED: usize = 20_000;

/// What [`SemanticSearch::embed_cached`] returns.
pub struct Embedded {
    pub vectors: Vec<Vec<f32>>,
    /// Texts embedded on this call (the rest came from the cache).
    pub embedded_now: usize,
    /// Why the cache could not be saved, for the command to print.
    pub warning: Option<String>,
}

/// Entries the embedding search adds to BM25's candidates.
const SEMANTIC_CANDIDATES: usize = 20;

/// How many candidates BM25 hands to the re-ranker. Measured on the CAIQ bench: the right entry is among the
/// first 50 for nearly every answerable case, and re-ranking 50 costs well under a millisecond.
const CANDIDATES: usize = 50;

/// One ranked entry for a question.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    #[serde(skip)]
    pub entry: Arc<IndexedEntry>,
    /// What candidates are ordered by: the lexical score without a model, the fused rankings with one (see
    /// [`fusion`]).
    pub score: f32,
    /// The lexical re-ranker's score (0 to about 1; exact re-use scores above 1), with or without a model.
    pub lexical: f32,
    pub features: Features,
    /// Past its review date.
    pub stale: bool,
}

impl Candidate {
    pub fn id(&self) -> &str {
        &self.entry.entry.id
    }
}

/// The outcome of matching one question.
#[derive(Debug, Clone)]
pub struct MatchResult {
    /// Best first; at most the number asked for.
    pub candidates: Vec<Candidate>,
    pub confidence: Confidence,
    /// Why the band is what it is, in a few words ("exact wording of an approved entry", "runner-up too close").
    pub reason: String,
    /// How the question differs from the best candidate's closest wording (none when nothing matched).
    pub comparison: Option<Comparison>,
}

impl MatchResult {
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first()
    }

    /// The best candidate when it is a match at all (confidence above none): what a draft is made from.
    pub fn matched(&self) -> Option<&Candidate> {
        self.best().filter(|_| self.confidence > Confidence::None)
    }

    /// How far the best candidate's score is ahead of the runner-up's.
    pub fn margin(&self) -> f32 {
        margin(&self.candidates)
    }
}

/// How far the first candidate's lexical score is ahead of the best of the others' (all of it when alone; 0 when
/// there is none). Lexical, because that is the scale confidence thresholds are on, whatever orders candidates.
pub fn margin(candidates: &[Candidate]) -> f32 {
    match candidates {
        [] => 0.0,
        [best] => best.lexical,
        [best, rest @ ..] => {
            // Entries rejected for this wording are out of the running (see #14).
            let runner_up = rest
                .iter()
                .filter(|c| !c.features.rejected)
                .map(|c| c.lexical)
                .fold(f32::NEG_INFINITY, f32::max);
            if runner_up == f32::NEG_INFINITY {
                best.lexical
            } else {
                best.lexical - runner_up
            }
        }
    }
}

#[cfg(test)]
mod near_misses;

#[cfg(test)]
mod tests;
