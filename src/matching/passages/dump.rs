//! What `eval --docs --dump-features` writes, for choosing the ranking weights offline (docs/documents_cv.py):
//! every sentence's section and document, every window an excerpt can be, and per question each sentence's scores.

use super::{MAX_EXCERPT_SENTENCES, PassageIndex, clean_question};

/// For choosing the weights offline (`eval --docs --dump-features`, see docs/documents.md): every sentence's
/// section and document, every window an excerpt can be, and per question each sentence's scores.
#[doc(hidden)]
impl PassageIndex<'_> {
    pub fn dump_static(&self) -> serde_json::Value {
        let sentences: Vec<serde_json::Value> = self
            .sentences
            .iter()
            .map(|s| {
                serde_json::json!({
                    "section": s.section, "document": self.section_document[s.section],
                    "fragment": s.fragment, "file": self.passages[s.passage].file,
                })
            })
            .collect();
        serde_json::json!({"sentences": sentences})
    }

    /// Every window of one to three consecutive sentences of one section: first, last, file, excerpt as shown.
    pub fn dump_windows(&self) -> Vec<(usize, usize, String, String)> {
        let mut out = Vec::new();
        for section in &self.sections {
            for first in section.clone() {
                for last in first..section.end.min(first + MAX_EXCERPT_SENTENCES) {
                    out.push((
                        first,
                        last,
                        self.passages[self.sentences[first].passage].file.clone(),
                        self.excerpt(first..last + 1),
                    ));
                }
            }
        }
        out
    }

    /// One question's scores: per sentence its cosine and BM25 (0 to 1), per section and document the same.
    pub fn dump_question(&self, question: &str, vector: Option<&[f32]>) -> serde_json::Value {
        let terms = self.analyzer.analyze(&clean_question(question)).terms;
        let round = |v: Vec<f32>| -> Vec<f32> {
            let max = v.iter().copied().fold(0.0f32, f32::max);
            v.into_iter()
                .map(|x| (x / if max > 0.0 { max } else { 1.0 } * 10000.0).round() / 10000.0)
                .collect()
        };
        let cosines = |vectors: &[Vec<f32>]| -> Vec<f32> {
            vector.map_or_else(Vec::new, |v| {
                vectors
                    .iter()
                    .map(|x| (crate::vector::cosine(v, x) * 10000.0).round() / 10000.0)
                    .collect()
            })
        };
        serde_json::json!({
            "bm25_sentence": round(self.by_sentence.scores(&terms)),
            "bm25_section": round(self.by_section.scores(&terms)),
            "bm25_document": round(self.by_document.scores(&terms)),
            "cos_sentence": cosines(&self.sentence_vectors),
            "cos_section": cosines(&self.section_vectors),
        })
    }
}
