//! Retrieval: the entries BM25 ranks first for a question, the candidates that re-ranking then looks at closely.
//!
//! In: a question's terms and the fields to look in, each with its boost. Out: the `k` entries with the highest
//! BM25 sums and their scores, best first; on a tie the earlier document first, as Tantivy's `TopDocs` orders them.
//!
//! The scores are Tantivy's own: each field and term's weight is Tantivy's `Bm25Weight` from the searcher's
//! statistics, boosted as a `BoostQuery` boosts it, and each document's share comes from its term frequency and
//! field norm in the index. What differs from a Tantivy query is how they are added up. A query looks every term up
//! in every segment, builds a scorer per term and field and runs block-max WAND across up to forty of them, for
//! every question; the profile of #18 put that at half of all matching time, and WAND prunes little when many
//! questions share common words. Here each field and term's postings are read once per matcher into a list of
//! (document, score), kept for the next question that uses the term, and a question adds up its lists in a
//! per-thread array with one slot per document, then picks its best `k` among the documents it touched.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use rustc_hash::FxHashMap;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

/// One document's share of a term's BM25 score: the document's number across segments, and its score.
type Impact = (u32, f32);

/// The lists already read for one field, by term.
struct FieldLists {
    field: Field,
    boost: f32,
    lists: RwLock<FxHashMap<String, Arc<[Impact]>>>,
}

/// BM25 top-`k` over a fixed set of fields. Cheap to create; lists are read as questions need them.
pub struct Retriever {
    searcher: Searcher,
    fields: Vec<FieldLists>,
    /// The first document number of each segment; a document's number is its segment's base plus its id.
    bases: Vec<u32>,
    documents: usize,
}

/// Per-thread scratch space: one score slot per document, valid where its stamp is the current question's, and
/// the documents the current question touched.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    stamps: Vec<u32>,
    stamp: u32,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

impl Retriever {
    /// A retriever over `fields`, each `(field, boost)`.
    pub fn new(searcher: &Searcher, fields: &[(Field, f32)]) -> Retriever {
        let mut bases = Vec::with_capacity(searcher.segment_readers().len());
        let mut documents = 0u32;
        for segment in searcher.segment_readers() {
            bases.push(documents);
            documents = documents.saturating_add(segment.max_doc());
        }
        Retriever {
            searcher: searcher.clone(),
            fields: fields
                .iter()
                .map(|&(field, boost)| FieldLists {
                    field,
                    boost,
                    lists: RwLock::default(),
                })
                .collect(),
            bases,
            documents: documents as usize,
        }
    }

    /// The `k` best documents for `terms` (repeats count once), best first, with their BM25 sums over the fields.
    pub fn top(&self, terms: &[String], k: usize) -> Result<Vec<(f32, DocAddress)>> {
        let mut seen = HashSet::new();
        let mut lists = Vec::new();
        for term in terms.iter().filter(|t| seen.insert(t.as_str())) {
            for field in &self.fields {
                lists.push(self.list(field, term)?);
            }
        }
        if k == 0 || lists.iter().all(|l| l.is_empty()) {
            return Ok(Vec::new());
        }
        let best = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                scores,
                stamps,
                stamp,
                touched,
            } = &mut *scratch;
            if scores.len() < self.documents {
                scores.resize(self.documents, 0.0);
                stamps.resize(self.documents, 0);
            }
            *stamp = stamp.wrapping_add(1);
            if *stamp == 0 {
                // Wrapped around: no slot may look current.
                stamps.fill(0);
                *stamp = 1;
            }
            touched.clear();
            for list in &lists {
                for &(doc, score) in list.iter() {
                    let d = doc as usize;
                    if stamps[d] == *stamp {
                        scores[d] += score;
                    } else {
                        stamps[d] = *stamp;
                        scores[d] = score;
                        touched.push(doc);
                    }
                }
            }
            let mut found: Vec<(f32, u32)> =
                touched.iter().map(|&d| (scores[d as usize], d)).collect();
            let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if found.len() > k {
                found.select_nth_unstable_by(k - 1, order);
                found.truncate(k);
            }
            found.sort_unstable_by(order);
            found
        });
        Ok(best
            .into_iter()
            .map(|(score, doc)| (score, self.address(doc)))
            .collect())
    }

    /// The document's address in the index from its number across segments.
    fn address(&self, doc: u32) -> DocAddress {
        let segment = self.bases.partition_point(|&base| base <= doc) - 1;
        DocAddress::new(segment as u32, doc - self.bases[segment])
    }

    /// The term's list in the field: read from the index the first time a question needs it.
    fn list(&self, field: &FieldLists, term: &str) -> Result<Arc<[Impact]>> {
        if let Some(list) = field
            .lists
            .read()
            .map_err(|_| anyhow::anyhow!("a retrieval thread failed"))?
            .get(term)
        {
            return Ok(list.clone());
        }
        // Two threads may read the same list at once; both get the same values, and the first one is kept.
        let list = self.read_list(field, term)?;
        let mut lists = field
            .lists
            .write()
            .map_err(|_| anyhow::anyhow!("a retrieval thread failed"))?;
        Ok(lists.entry(term.to_string()).or_insert(list).clone())
    }

    fn read_list(&self, field: &FieldLists, text: &str) -> Result<Arc<[Impact]>> {
        let term = Term::from_field_text(field.field, text);
        let weight = Bm25Weight::for_terms(&self.searcher, std::slice::from_ref(&term))
            .context("reading term statistics from the library index")?
            .boost_by(field.boost);
        let mut list = Vec::new();
        for (segment, base) in self.searcher.segment_readers().iter().zip(&self.bases) {
            let postings = segment
                .inverted_index(field.field)
                .and_then(|inverted| {
                    Ok(inverted.read_postings(&term, IndexRecordOption::WithFreqs)?)
                })
                .context("reading postings from the library index")?;
            let Some(mut postings) = postings else {
                continue;
            };
            let norms = segment
                .get_fieldnorms_reader(field.field)
                .context("reading field norms from the library index")?;
            let alive = segment.alive_bitset();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let score = weight.score(norms.fieldnorm_id(doc), postings.term_freq());
                    list.push((base + doc, score));
                }
                doc = postings.advance();
            }
        }
        Ok(list.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::index::LibraryIndex;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};

    fn write(dir: &std::path::Path, id: &str, question: &str, body: &str) {
        let text = format!("+++\nquestion = {question:?}\ntags = [\"security\"]\n+++\n{body}\n");
        std::fs::write(dir.join(format!("{id}.md")), text).unwrap();
    }

    /// What `Retriever::top` replaced: a flat OR of boosted term queries, top `k` by Tantivy's `TopDocs`.
    fn tantivy_top(
        searcher: &Searcher,
        fields: &[(Field, f32)],
        terms: &[&str],
        k: usize,
    ) -> Vec<(f32, DocAddress)> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .flat_map(|t| {
                fields.iter().map(move |&(field, boost)| {
                    let query = TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    );
                    let query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), boost));
                    (Occur::Should, query)
                })
            })
            .collect();
        searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(k).order_by_score(),
            )
            .unwrap()
    }

    /// The same documents in the same order with the same scores (to float rounding) as Tantivy's own query, over
    /// several segments, after an edit and a removal left deleted documents behind, with ties and repeated terms.
    #[test]
    fn the_top_documents_are_tantivys() {
        let dir = tempfile::tempdir().unwrap();
        let topics = [
            "encryption",
            "backups",
            "access reviews",
            "logging",
            "vendors",
        ];
        for n in 0..40 {
            let topic = topics[n % topics.len()];
            write(
                dir.path(),
                &format!("e{n}"),
                &format!("Do you review {topic} for system {}?", n % 7),
                &format!(
                    "Yes. We review {topic} every quarter; owner team {}.",
                    n % 3
                ),
            );
        }
        drop(LibraryIndex::open(dir.path()).unwrap());
        write(
            dir.path(),
            "e3",
            "Do you encrypt backups at rest?",
            "Yes, AES-256.",
        );
        std::fs::remove_file(dir.path().join("e8.md")).unwrap();
        write(
            dir.path(),
            "new",
            "Are encryption keys rotated?",
            "Yes, yearly.",
        );
        let index = LibraryIndex::open(dir.path()).unwrap();
        let searcher = index.searcher();
        assert!(searcher.segment_readers().len() >= 2);
        assert!(searcher.segment_readers().iter().any(|s| s.has_deletes()));
        let f = index.fields();
        let field_sets = [
            vec![(f.wording, 3.0), (f.tags, 1.5), (f.body, 2.0)],
            vec![(f.plain, 1.0)],
        ];
        let queries: [&[&str]; 5] = [
            &["review", "encrypt", "system", "3"],
            &["backup", "backup", "rest"],
            &["secur"],
            &["absent", "nothing"],
            &["quarter", "owner", "team", "1", "log", "vendor"],
        ];
        for fields in &field_sets {
            let retriever = Retriever::new(&searcher, fields);
            for terms in queries {
                for k in [1, 5, 50] {
                    let owned: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
                    let ours = retriever.top(&owned, k).unwrap();
                    let mut distinct = terms.to_vec();
                    distinct.dedup();
                    let theirs = tantivy_top(&searcher, fields, &distinct, k);
                    assert_eq!(ours.len(), theirs.len(), "{terms:?} k={k}");
                    for ((s1, a1), (s2, a2)) in ours.iter().zip(&theirs) {
                        assert_eq!(a1, a2, "{terms:?} k={k}: {ours:?} / {theirs:?}");
                        assert!((s1 - s2).abs() <= 1e-5 * s2.abs(), "{terms:?}: {s1} / {s2}");
                    }
                }
            }
        }
    }
}
