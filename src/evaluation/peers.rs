//! The simple peers `eval --baseline` measures answerbank against, on the same cases in the same run (see #15):
//! stemmed BM25, TF-IDF, the sentence-embedding model alone, and reciprocal-rank fusion of stemmed BM25 and the
//! model.
//!
//! In: every entry of the library (question, alternates, body) and, with a model, its wording embeddings. Out: for
//! one question, every entry's score under one [`Peer`], from which `evaluation` ranks and measures. They are
//! the textbook methods, written to match the common Python implementations (rank_bm25's `BM25Okapi`,
//! scikit-learn's `TfidfVectorizer`), so a figure here means what it means elsewhere; none of answerbank's own
//! analysis (synonyms, boilerplate, re-ranking) is used.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Serialize;
use tantivy::DocAddress;

use crate::library::index::IndexedEntry;
use crate::matching::SemanticSearch;
use crate::matching::bm25::{Bm25, stem_words, words};

/// Reciprocal-rank fusion constant, as in Cormack et al. (2009) and the issue.
const RRF_K: f32 = 60.0;

static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("english_stop_words.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// One of the peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    /// BM25 Okapi over question, alternates and body; words stemmed (Snowball English), every word kept (BM25's
    /// IDF already discounts common words).
    Bm25Stem,
    /// TF-IDF cosine, word 1- and 2-grams, English stop words out, sublinear term frequency.
    TfIdf,
    /// The sentence-embedding model alone: cosine to the closest of an entry's wordings.
    Model,
    /// Reciprocal-rank fusion (k = 60) of `Bm25Stem` and `Model`.
    Rrf,
}

impl Peer {
    /// The peers that can run: the model ones only with a model.
    pub fn available(semantic: bool) -> Vec<Peer> {
        let mut peers = vec![Peer::Bm25Stem, Peer::TfIdf];
        if semantic {
            peers.extend([Peer::Model, Peer::Rrf]);
        }
        peers
    }

    pub fn label(self) -> &'static str {
        match self {
            Peer::Bm25Stem => "BM25+stem",
            Peer::TfIdf => "TF-IDF",
            Peer::Model => "model alone",
            Peer::Rrf => "RRF(BM25+stem, model)",
        }
    }
}

/// Every entry, prepared for the peers.
pub struct Peers<'a> {
    ids: Vec<String>,
    addresses: Vec<DocAddress>,
    bm25: Bm25,
    tfidf: TfIdf,
    semantic: Option<&'a dyn SemanticSearch>,
    stemmer: frostem::Stemmer,
}

impl<'a> Peers<'a> {
    pub fn new(
        entries: &[(DocAddress, IndexedEntry)],
        semantic: Option<&'a dyn SemanticSearch>,
    ) -> Peers<'a> {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let texts: Vec<String> = entries
            .iter()
            .map(|(_, e)| {
                let mut text: Vec<&str> = e.entry.wordings().collect();
                text.push(&e.entry.body);
                text.join(" ")
            })
            .collect();
        let stems: Vec<Vec<String>> = texts.iter().map(|t| stem_words(&stemmer, t)).collect();
        Peers {
            ids: entries.iter().map(|(_, e)| e.entry.id.clone()).collect(),
            addresses: entries.iter().map(|(a, _)| *a).collect(),
            bm25: Bm25::new(&stems),
            tfidf: TfIdf::new(&texts),
            semantic,
            stemmer,
        }
    }

    /// The entries' ids, in the order of every score vector.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Every entry's score for `question` under `peer` (higher is better). `vector` is the question's embedding,
    /// needed by the model peers.
    pub fn scores(&self, peer: Peer, question: &str, vector: Option<&[f32]>) -> Vec<f32> {
        match peer {
            Peer::Bm25Stem => self.bm25.scores(&stem_words(&self.stemmer, question)),
            Peer::TfIdf => self.tfidf.scores(question),
            Peer::Model => match (self.semantic, vector) {
                (Some(semantic), Some(vector)) => self
                    .addresses
                    .iter()
                    .map(|a| semantic.wording_similarity(*a, vector))
                    .collect(),
                _ => vec![0.0; self.ids.len()],
            },
            Peer::Rrf => rrf(
                &self.scores(Peer::Bm25Stem, question, vector),
                &self.scores(Peer::Model, question, vector),
            ),
        }
    }

    /// The ids of the first `k` entries for `question` under `peer`, best first (ties broken by id).
    pub fn top(&self, peer: Peer, question: &str, vector: Option<&[f32]>, k: usize) -> Vec<&str> {
        let scores = self.scores(peer, question, vector);
        order(&scores, &self.ids)
            .into_iter()
            .take(k)
            .map(|i| self.ids[i].as_str())
            .collect()
    }
}

/// Entry positions best first: by score, then by id so ties do not depend on the library's file order.
fn order(scores: &[f32], ids: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(ids[a].cmp(&ids[b])));
    order
}

/// Reciprocal-rank fusion (k = [`RRF_K`]) of two scorings of the same items: the peer both evaluations (library
/// entries, document passages) rank with.
pub(super) fn rrf(a: &[f32], b: &[f32]) -> Vec<f32> {
    ranks(a)
        .iter()
        .zip(&ranks(b))
        .map(|(a, b)| 1.0 / (RRF_K + *a as f32) + 1.0 / (RRF_K + *b as f32))
        .collect()
}

/// Each entry's 1-based rank under `scores` (ties in entry order).
fn ranks(scores: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut ranks = vec![0; scores.len()];
    for (rank, i) in order.into_iter().enumerate() {
        ranks[i] = rank + 1;
    }
    ranks
}

/// TF-IDF with scikit-learn's defaults plus the settings: tokens of two or more word characters,
/// English stop words out, word 1- and 2-grams, `1 + ln(tf)`, smoothed IDF `ln((1 + n) / (1 + df)) + 1`, vectors
/// normalized to unit length, cosine by dot product.
struct TfIdf {
    idf: HashMap<String, f32>,
    documents: Vec<HashMap<String, f32>>,
}

impl TfIdf {
    fn new(texts: &[String]) -> TfIdf {
        let counts: Vec<HashMap<String, f32>> = texts.iter().map(|t| ngram_counts(t)).collect();
        let mut df: HashMap<String, f32> = HashMap::new();
        for document in &counts {
            for term in document.keys() {
                *df.entry(term.clone()).or_default() += 1.0;
            }
        }
        let n = texts.len() as f32;
        let idf: HashMap<String, f32> = df
            .into_iter()
            .map(|(term, df)| (term, ((1.0 + n) / (1.0 + df)).ln() + 1.0))
            .collect();
        let documents = counts
            .into_iter()
            .map(|document| weigh(document, &idf))
            .collect();
        TfIdf { idf, documents }
    }

    fn scores(&self, question: &str) -> Vec<f32> {
        let query = weigh(ngram_counts(question), &self.idf);
        self.documents
            .iter()
            .map(|document| {
                query
                    .iter()
                    .filter_map(|(term, w)| document.get(term).map(|d| d * w))
                    .sum()
            })
            .collect()
    }
}

/// Unigram and bigram counts of a text, tokenized as scikit-learn's default pattern `\b\w\w+\b`.
fn ngram_counts(text: &str) -> HashMap<String, f32> {
    let tokens: Vec<String> = words(text)
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(w.as_str()))
        .collect();
    let mut counts: HashMap<String, f32> = HashMap::new();
    for token in &tokens {
        *counts.entry(token.clone()).or_default() += 1.0;
    }
    for pair in tokens.windows(2) {
        *counts
            .entry(format!("{} {}", pair[0], pair[1]))
            .or_default() += 1.0;
    }
    counts
}

/// Sublinear TF times IDF, unit length; terms outside the vocabulary are dropped.
fn weigh(counts: HashMap<String, f32>, idf: &HashMap<String, f32>) -> HashMap<String, f32> {
    let mut weights: HashMap<String, f32> = counts
        .into_iter()
        .filter_map(|(term, count)| {
            let idf = *idf.get(&term)?;
            Some((term, (1.0 + count.ln()) * idf))
        })
        .collect();
    let norm = weights.values().map(|w| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        weights.values_mut().for_each(|w| *w /= norm);
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfidf_uses_bigrams_and_drops_stop_words() {
        let counts = ngram_counts("Do you encrypt the data at rest?");
        let mut terms: Vec<&str> = counts.keys().map(String::as_str).collect();
        terms.sort();
        assert_eq!(
            terms,
            vec!["data", "data rest", "encrypt", "encrypt data", "rest"]
        );
        let tfidf = TfIdf::new(&[
            "Do you encrypt data at rest?".to_string(),
            "Do you back up data?".to_string(),
        ]);
        // scikit-learn's TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True) gives
        // [1.0, 0.33517574] for these two documents and this query.
        let scores = tfidf.scores("encrypt data at rest");
        assert!((scores[0] - 1.0).abs() < 1e-5, "{scores:?}");
        assert!((scores[1] - 0.335_175_74).abs() < 1e-5, "{scores:?}");
    }

    #[test]
    fn ranks_and_fusion_order() {
        assert_eq!(ranks(&[0.1, 0.9, 0.5]), vec![3, 1, 2]);
        let ids: Vec<String> = ["b", "a", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(order(&[1.0, 1.0, 0.5], &ids), vec![1, 0, 2]);
    }
}
