//! Inverse document frequencies of the wording terms, read once per matcher from the index's term dictionary.
//!
//! In: a searcher and the wording field. Out: an [`IdfTable`] that re-ranking (`rank`) looks terms up in, many
//! times per candidate, from every matching thread at once: a plain read-only map, with no lock on the hot path.
//! The figures are the ones Tantivy's `Searcher::doc_freq` gives term by term (document frequencies summed over
//! segments, over the live documents' count), so rankings are unchanged.

use rustc_hash::FxHashMap;
use tantivy::Searcher;
use tantivy::schema::Field;

/// Smoothed IDF, `ln(1 + (n - df + 0.5) / (df + 0.5))`, of every term in the field; terms absent from it get the
/// IDF of a document frequency of 0.
#[derive(Default)]
pub struct IdfTable {
    known: FxHashMap<String, f32>,
    unknown: f32,
}

impl IdfTable {
    /// Reads the field's term dictionary of every segment. A segment whose dictionary cannot be read counts as
    /// having none of the terms (the same as a failed `doc_freq`). `documents` is the number of live documents of
    /// the part of the library the field holds (see `library::index::Part`, #25).
    pub fn of(searcher: &Searcher, field: Field, documents: u64) -> IdfTable {
        let n = documents as f32;
        let mut doc_freq: FxHashMap<String, u32> = FxHashMap::default();
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut terms) = inverted.terms().stream() else {
                continue;
            };
            while terms.advance() {
                let Ok(term) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let df = terms.value().doc_freq;
                match doc_freq.get_mut(term) {
                    Some(total) => *total += df,
                    None => {
                        doc_freq.insert(term.to_string(), df);
                    }
                }
            }
        }
        let idf = |df: u32| (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        IdfTable {
            known: doc_freq
                .into_iter()
                .map(|(term, df)| (term, idf(df)))
                .collect(),
            unknown: idf(0),
        }
    }

    pub fn get(&self, term: &str) -> f32 {
        self.known.get(term).copied().unwrap_or(self.unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::index::LibraryIndex;
    use tantivy::Term;

    fn write(dir: &std::path::Path, id: &str, question: &str) {
        let text = format!("+++\nquestion = {question:?}\n+++\nYes.\n");
        std::fs::write(dir.join(format!("{id}.md")), text).unwrap();
    }

    /// The table gives what Tantivy's `doc_freq` gives term by term, over several segments and after a delete.
    #[test]
    fn the_table_agrees_with_doc_freq_over_segments() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a", "Do you encrypt customer data at rest?");
        write(dir.path(), "b", "Do you encrypt backups?");
        drop(LibraryIndex::open(dir.path()).unwrap());
        // A second open with new and removed files writes another segment and deletes a document.
        write(dir.path(), "c", "Are backups tested every quarter?");
        std::fs::remove_file(dir.path().join("b.md")).unwrap();
        let index = LibraryIndex::open(dir.path()).unwrap();
        let searcher = index.searcher();
        assert!(searcher.segment_readers().len() >= 2);
        let field = index.fields().answers.wording;
        let table = IdfTable::of(&searcher, field, searcher.num_docs());
        let n = searcher.num_docs() as f32;
        for term in [
            "encrypt",
            "backup",
            "test",
            "quarter",
            "custom",
            "absent-term",
        ] {
            let df = searcher
                .doc_freq(&Term::from_field_text(field, term))
                .unwrap() as f32;
            let expected = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            assert_eq!(table.get(term), expected, "{term}");
        }
        assert!(table.get("backup") < table.get("quarter") + 1e-6);
    }
}
