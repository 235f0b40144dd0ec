//! BM25 Okapi, the textbook lexical ranking: the peer `eval --baseline` measures answerbank against, and one of the
//! rankings of document passages (see [`super::passages`]).
//!
//! In: documents as stemmed words. Out: each document's score for a query. Written to match rank_bm25's
//! `BM25Okapi`, so a figure means what it means elsewhere.

use std::collections::HashMap;

/// BM25 Okapi parameters, as rank_bm25 sets them.
const K1: f32 = 1.5;
const B: f32 = 0.75;
/// rank_bm25's floor for negative IDFs: this share of the mean IDF.
const EPSILON: f32 = 0.25;

/// Lowercase words (letters, digits and `_`, as the regex `\w+`).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

pub fn stem_words(stemmer: &frostem::Stemmer, text: &str) -> Vec<String> {
    words(text).map(|w| stemmer.stem(&w).into_owned()).collect()
}

/// BM25 Okapi over pre-tokenized documents, with postings so a query touches only the documents holding its terms.
pub struct Bm25 {
    /// Per term: the documents holding it, with the term's frequency there.
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Per document: its length in terms.
    lengths: Vec<f32>,
    average_length: f32,
    idf: HashMap<String, f32>,
}

impl Bm25 {
    pub fn new(documents: &[Vec<String>]) -> Bm25 {
        let n = documents.len() as f32;
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        for (d, terms) in documents.iter().enumerate() {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for term in terms {
                *tf.entry(term).or_default() += 1.0;
            }
            for (term, count) in tf {
                postings
                    .entry(term.to_string())
                    .or_default()
                    .push((d as u32, count));
            }
        }
        let lengths: Vec<f32> = documents.iter().map(|t| t.len() as f32).collect();
        let average_length = lengths.iter().sum::<f32>() / n.max(1.0);
        let mut idf: HashMap<String, f32> = postings
            .iter()
            .map(|(term, docs)| {
                let df = docs.len() as f32;
                (term.clone(), ((n - df + 0.5) / (df + 0.5)).ln())
            })
            .collect();
        let floor = EPSILON * idf.values().sum::<f32>() / (idf.len().max(1) as f32);
        for value in idf.values_mut() {
            if *value < 0.0 {
                *value = floor;
            }
        }
        Bm25 {
            postings,
            lengths,
            average_length,
            idf,
        }
    }

    /// Every document's score; a query term counts once per occurrence, as in rank_bm25.
    pub fn scores(&self, query: &[String]) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.lengths.len()];
        for term in query {
            let (Some(idf), Some(postings)) = (self.idf.get(term), self.postings.get(term)) else {
                continue;
            };
            for &(d, tf) in postings {
                let length = self.lengths[d as usize];
                let norm = K1 * (1.0 - B + B * length / self.average_length.max(1e-6));
                scores[d as usize] += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        scores
    }

    /// A term's inverse document frequency (0 for a term no document holds).
    pub fn idf(&self, term: &str) -> f32 {
        self.idf.get(term).copied().unwrap_or(0.0)
    }

    /// Whether document `d` holds `term`.
    pub fn holds(&self, d: usize, term: &str) -> bool {
        self.postings.get(term).is_some_and(|docs| {
            docs.binary_search_by_key(&(d as u32), |&(doc, _)| doc)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bm25_matches_the_textbook_formula() {
        // Three documents; "encrypt" is in one, so its IDF is ln((3 - 1 + 0.5) / 1.5) = ln(5/3).
        let docs = vec![
            vec!["encrypt".to_string(), "data".to_string()],
            vec!["backup".to_string(), "data".to_string()],
            vec!["mfa".to_string()],
        ];
        let bm25 = Bm25::new(&docs);
        let scores = bm25.scores(&["encrypt".to_string()]);
        let average = 5.0 / 3.0;
        let expected = (5.0f32 / 3.0).ln() * 2.5 / (1.0 + 1.5 * (0.25 + 0.75 * 2.0 / average));
        assert!((scores[0] - expected).abs() < 1e-5, "{scores:?}");
        assert_eq!(scores[1], 0.0);
        // "data" is in two of three: a negative IDF, floored at a quarter of the mean IDF.
        assert!(bm25.idf["data"] > 0.0);
    }
}
