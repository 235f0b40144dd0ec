//! How a sentence of the company's documents scores for a question: the weights ([`Tuning`], chosen by
//! cross-validation, see docs/documents.md) and the sum they weigh.
//!
//! In: the question's terms and, with a model, its vector; the index's BM25 rankings and vectors. Out: per sentence
//! a score, whether it is likely to answer, and whether it is shown at all. `suggest` (in the parent module) orders
//! sentences by it; the excerpt around each grows by it (`excerpt`).

use super::PassageIndex;

/// How a sentence's scores combine, and where "likely" and "shown at all" begin: [`WITH_MODEL`] and
/// [`WITHOUT_MODEL`]. Each score is a weighted sum of what the sentence says (its own cosine or BM25), what the
/// section around it is about, and how well its document as a whole answers the question (a prior: the best
/// documents for the question first, then the sentences within them).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Cosine of the question to the sentence alone.
    pub sentence_cosine: f32,
    /// Cosine of the question to the sentence's section (its heading path and text).
    pub section_cosine: f32,
    /// The best section cosine of the sentence's document, less the best of any document (0 for the best
    /// document, negative for the others).
    pub document_cosine: f32,
    /// BM25 of the sentence with its headings, of its section, and of its whole document, each 0 to 1 (the best of
    /// the question scoring 1).
    pub sentence_lexical: f32,
    pub section_lexical: f32,
    pub document_lexical: f32,
    /// BM25 of the better of the sentence's two neighbours in its section (0 to 1): an answer often runs over two or
    /// three sentences, which the excerpt shows together, and a sentence whose neighbour also holds the question's
    /// terms is more likely part of one.
    pub neighbour_lexical: f32,
    /// What a fragment shorter than [`FULL_SENTENCE_WORDS`] words ("a. Offboarding measures", a heading-like list
    /// item) loses, at most: it names a topic without saying anything about it.
    pub fragment: f32,
    /// With a model: the score from which a suggestion is likely, and the cosine of question and sentence below
    /// which a sentence is not shown.
    pub likely_score: f32,
    pub floor_cosine: f32,
    /// Without a model: the share of the question's weighted terms a sentence (with its headings) must hold to be
    /// likely, and to be shown.
    pub likely_coverage: f32,
    pub floor_coverage: f32,
}

/// Words from which a sentence counts as saying something (shorter ones lose up to [`Tuning::fragment`]).
pub(super) const FULL_SENTENCE_WORDS: f32 = 8.0;

/// The weights with a model. Chosen by cross-validation on the documents bench (`shared/bench/docs`, 58 answerable
/// HECVAT questions over strongdm/comply's SOC 2 policies): a grid of 192 candidates scored by
/// `docs/documents_cv.py` from `eval --docs --dump-features`, the one with the most Hit@1 + Hit@3 on all 58 kept;
/// 5-fold CV repeated 20 times puts this procedure at answers Hit@1 0.56, Hit@3 0.74 out of fold. The likely
/// threshold leaves at most 5% of the bench's unanswerable questions a likely suggestion (6.5% out of fold). See
/// docs/documents.md.
pub const WITH_MODEL: Tuning = Tuning {
    sentence_cosine: 0.85,
    section_cosine: 0.15,
    document_cosine: 0.4,
    sentence_lexical: 0.0,
    section_lexical: 0.3,
    document_lexical: 0.0,
    neighbour_lexical: 0.0,
    fragment: 0.2,
    likely_score: 0.84,
    floor_cosine: 0.2,
    likely_coverage: 0.6,
    floor_coverage: 0.1,
};

/// The weights without a model, chosen the same way: 192 candidates (sentence/section BM25 shares, document BM25,
/// fragment, and the neighbour's BM25 at 0, 0.15, 0.3 or 0.5); out of fold answers Hit@1 0.44, Hit@3 0.59 and
/// partial 0.21 / 0.49, against 0.37 / 0.52 and 0.21 / 0.44 for the 48 candidates without the neighbour. The
/// coverage thresholds were not tuned.
pub const WITHOUT_MODEL: Tuning = Tuning {
    sentence_cosine: 0.0,
    section_cosine: 0.0,
    document_cosine: 0.0,
    sentence_lexical: 0.25,
    section_lexical: 0.75,
    document_lexical: 0.0,
    neighbour_lexical: 0.15,
    fragment: 0.1,
    likely_score: 0.0,
    floor_cosine: 0.0,
    likely_coverage: 0.6,
    floor_coverage: 0.1,
};

#[derive(Clone, Copy)]
pub(super) struct Scored {
    pub(super) score: f32,
    pub(super) likely: bool,
    pub(super) shown: bool,
}

impl PassageIndex<'_> {
    pub(super) fn sentence_scores(&self, terms: &[String], vector: Option<&[f32]>) -> Vec<Scored> {
        let tuning = &self.tuning;
        let normalised = |scores: Vec<f32>| {
            let max = scores.iter().copied().fold(0.0f32, f32::max);
            if max > 0.0 {
                scores.into_iter().map(|s| s / max).collect()
            } else {
                scores
            }
        };
        let by_sentence = normalised(self.by_sentence.scores(terms));
        let by_section = normalised(self.by_section.scores(terms));
        let by_document = normalised(self.by_document.scores(terms));
        let vector = vector.filter(|_| !self.sentence_vectors.is_empty());
        // With a model: each section's cosine, and each document's best section less the best of all.
        let (section_cosines, document_prior) = match vector {
            Some(vector) => {
                let cosines: Vec<f32> = self
                    .section_vectors
                    .iter()
                    .map(|v| crate::vector::cosine(vector, v))
                    .collect();
                let mut best = vec![f32::MIN; self.documents];
                for (x, c) in cosines.iter().enumerate() {
                    let d = self.section_document[x];
                    best[d] = best[d].max(*c);
                }
                let top = best.iter().copied().fold(f32::MIN, f32::max);
                (cosines, best.into_iter().map(|b| b - top).collect())
            }
            None => (Vec::new(), Vec::new()),
        };
        let mut unique: Vec<&String> = terms.iter().collect();
        unique.sort();
        unique.dedup();
        let total_idf: f32 = unique.iter().map(|t| self.by_sentence.idf(t)).sum();
        self.sentences
            .iter()
            .enumerate()
            .map(|(s, sentence)| {
                let x = sentence.section;
                let d = self.section_document[x];
                let neighbour = [s.wrapping_sub(1), s + 1]
                    .into_iter()
                    .filter(|&n| self.sections[x].contains(&n))
                    .map(|n| by_sentence[n])
                    .fold(0.0f32, f32::max);
                let lexical = tuning.sentence_lexical * by_sentence[s]
                    + tuning.section_lexical * by_section[x]
                    + tuning.document_lexical * by_document[d]
                    + tuning.neighbour_lexical * neighbour
                    - tuning.fragment * sentence.fragment;
                match vector {
                    Some(vector) => {
                        let cosine = crate::vector::cosine(vector, &self.sentence_vectors[s]);
                        let score = lexical
                            + tuning.sentence_cosine * cosine
                            + tuning.section_cosine * section_cosines[x]
                            + tuning.document_cosine * document_prior[d];
                        Scored {
                            score,
                            likely: score >= tuning.likely_score,
                            shown: cosine >= tuning.floor_cosine,
                        }
                    }
                    None => {
                        // Only a sentence holding a term of the question can be shown: look up the rest only then.
                        let held: f32 = if by_sentence[s] > 0.0 {
                            unique
                                .iter()
                                .filter(|t| self.by_sentence.holds(s, t))
                                .map(|t| self.by_sentence.idf(t))
                                .sum()
                        } else {
                            0.0
                        };
                        let coverage = if total_idf > 0.0 {
                            held / total_idf
                        } else {
                            0.0
                        };
                        Scored {
                            score: lexical,
                            likely: coverage >= tuning.likely_coverage,
                            shown: coverage >= tuning.floor_coverage && by_sentence[s] > 0.0,
                        }
                    }
                }
            })
            .collect()
    }
}
