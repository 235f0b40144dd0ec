//! Answers from the company's own documents: which sentences of its policies answer a question (see #24).
//!
//! In: the passages `crate::documents` read (paragraphs, list items, table rows, each with its heading path) and,
//! with a model, the sentence-embedding search. Out: for one question, up to [`SUGGESTIONS`] [`Suggestion`]s: an
//! excerpt of one to three complete sentences of one passage (at most [`MAX_EXCERPT_CHARS`]), its citation, a
//! score, and whether it is likely to answer the question.
//!
//! Sentences are what is ranked, each with the heading path above it and the passage it sits in: a policy answers
//! a question in a sentence ("Each month, IT and HR will review accounts and permission levels"), and the headings
//! say what it is about ("Access Control Policy"). Lexically, BM25 over the sentence with its headings, over its
//! section and over its better neighbour; with a model, the cosine of the question to the sentence alone and to its
//! section, and how well its document answers the question as a whole (see `scoring`). The excerpt grows from the
//! best sentence to its better-scoring neighbours in the same section.
//! Nothing here writes an answer: a suggestion is shown to a reviewer, who decides (see `workbook::review`).
//!
//! One job per file: this one builds the index and picks the suggestions; `scoring` weighs a sentence, `excerpt`
//! grows and cuts what is shown, `dump` writes the features `eval` uses to choose the weights.

use std::ops::Range;

use anyhow::Result;
use rayon::prelude::*;

mod dump;
mod excerpt;
mod scoring;

use scoring::{FULL_SENTENCE_WORDS, Scored};
pub use scoring::{Tuning, WITH_MODEL, WITHOUT_MODEL};

use super::SemanticSearch;
use super::bm25::Bm25;
use crate::analysis::Analyzer;
use crate::documents::has_placeholder;
use crate::documents::{Passage, sentences};

/// Suggestions shown per question.
pub const SUGGESTIONS: usize = 3;
/// The longest excerpt shown, in characters.
pub const MAX_EXCERPT_CHARS: usize = 600;
/// Sentences an excerpt holds at most.
const MAX_EXCERPT_SENTENCES: usize = 3;

/// The embedding cache of document sentences, beside the library's (`embeddings-documents-<model>.bin`).
const CACHE_NAME: &str = "documents";

/// One suggested excerpt for a question.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Suggestion {
    /// Which passage (an index into the passages the index was built from).
    #[serde(skip)]
    pub passage: usize,
    /// One to three complete sentences of the passage, as the document has them.
    pub excerpt: String,
    /// Where it comes from: file, heading path, page.
    pub citation: String,
    /// The document file, as cited.
    pub file: String,
    pub score: f32,
    /// Whether it probably answers the question (else it is a lead for the reviewer).
    pub likely: bool,
    /// The excerpt holds an unfilled template placeholder (`{{...}}`): shown, never written.
    pub placeholder: bool,
}

struct Sentence {
    passage: usize,
    range: Range<usize>,
    /// Its section: consecutive passages of one document under the same heading path.
    section: usize,
    /// How far short of a full sentence it is: 0 for [`FULL_SENTENCE_WORDS`] words or more, towards 1 for one.
    fragment: f32,
}

/// The sentences of every passage, ready to rank.
pub struct PassageIndex<'a> {
    passages: &'a [Passage],
    sentences: Vec<Sentence>,
    /// Each section's sentences, as a range of `sentences`, and its document (an index into `documents`).
    sections: Vec<Range<usize>>,
    section_document: Vec<usize>,
    documents: usize,
    /// BM25 over each sentence with its heading path, each section with its heading path, each document.
    by_sentence: Bm25,
    by_section: Bm25,
    by_document: Bm25,
    /// The library's analysis (stems, stop words, boilerplate, synonyms), for the lexical rankings.
    analyzer: &'a Analyzer,
    semantic: Option<&'a dyn SemanticSearch>,
    /// With a model: a unit vector per sentence, per section, and per passage (the last for the model peer).
    sentence_vectors: Vec<Vec<f32>>,
    section_vectors: Vec<Vec<f32>>,
    passage_vectors: Vec<Vec<f32>>,
    tuning: Tuning,
    /// Texts embedded when the index was built (the rest came from the cache).
    pub embedded_now: usize,
    /// Why the embedding cache could not be saved, for the command to print.
    pub cache_warning: Option<String>,
}

impl<'a> PassageIndex<'a> {
    /// Splits the passages into sentences and sections and prepares the rankings; with a model, embeds what the
    /// cache lacks.
    pub fn new(
        passages: &'a [Passage],
        analyzer: &'a Analyzer,
        semantic: Option<&'a dyn SemanticSearch>,
    ) -> Result<PassageIndex<'a>> {
        let mut all: Vec<Sentence> = Vec::new();
        let mut sections: Vec<Range<usize>> = Vec::new();
        let mut section_document: Vec<usize> = Vec::new();
        let mut documents = 0;
        for (p, passage) in passages.iter().enumerate() {
            let previous = p.checked_sub(1).map(|q| &passages[q]);
            let new_document = previous.is_none_or(|q| q.file != passage.file);
            if new_document && p > 0 {
                documents += 1;
            }
            let spans: Vec<Range<usize>> = sentences(&passage.text)
                .into_iter()
                .filter(|r| passage.text[r.clone()].chars().any(char::is_alphabetic))
                .collect();
            if spans.is_empty() {
                continue;
            }
            let same_section = !new_document
                && previous.is_some_and(|q| q.headings == passage.headings)
                && !sections.is_empty();
            if !same_section {
                sections.push(all.len()..all.len());
                section_document.push(documents);
            }
            let section = sections.len() - 1;
            for range in spans {
                let words = passage.text[range.clone()]
                    .split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphabetic))
                    .count() as f32;
                all.push(Sentence {
                    passage: p,
                    range,
                    section,
                    fragment: (1.0 - words / FULL_SENTENCE_WORDS).max(0.0),
                });
            }
            sections[section].end = all.len();
        }
        let documents = if passages.is_empty() {
            0
        } else {
            documents + 1
        };
        let headings: Vec<String> = passages.iter().map(|p| context_of(p).join(" ")).collect();
        let text_of = |s: &Sentence| &passages[s.passage].text[s.range.clone()];
        // Analysis is most of the time an index takes (about 90 µs a text): on every core.
        let sentence_terms: Vec<Vec<String>> = all
            .par_iter()
            .map(|s| analyzer.analyze(text_of(s)).terms)
            .collect();
        let heading_terms: Vec<Vec<String>> = headings
            .par_iter()
            .map(|h| analyzer.analyze(h).terms)
            .collect();
        let by_sentence = Bm25::new(
            &all.iter()
                .zip(&sentence_terms)
                .map(|(s, terms)| [heading_terms[s.passage].as_slice(), terms].concat())
                .collect::<Vec<_>>(),
        );
        let by_section = Bm25::new(
            &sections
                .iter()
                .map(|range| {
                    let mut terms = heading_terms[all[range.start].passage].clone();
                    for t in &sentence_terms[range.clone()] {
                        terms.extend(t.iter().cloned());
                    }
                    terms
                })
                .collect::<Vec<_>>(),
        );
        let mut document_terms: Vec<Vec<String>> = vec![Vec::new(); documents];
        for (s, terms) in all.iter().zip(&sentence_terms) {
            document_terms[section_document[s.section]].extend(terms.iter().cloned());
        }
        let by_document = Bm25::new(&document_terms);
        let mut index = PassageIndex {
            passages,
            sentences: all,
            sections,
            section_document,
            documents,
            by_sentence,
            by_section,
            by_document,
            analyzer,
            semantic,
            sentence_vectors: Vec::new(),
            section_vectors: Vec::new(),
            passage_vectors: Vec::new(),
            tuning: if semantic.is_some() {
                WITH_MODEL
            } else {
                WITHOUT_MODEL
            },
            embedded_now: 0,
            cache_warning: None,
        };
        if let Some(semantic) = semantic {
            let sentence_texts: Vec<&str> = index
                .sentences
                .iter()
                .map(|s| index.sentence_text(s))
                .collect();
            let section_texts: Vec<String> = (0..index.sections.len())
                .map(|x| index.embedded_section(x))
                .collect();
            let passage_texts: Vec<String> = passages.iter().map(embedded_passage).collect();
            let texts: Vec<&str> = sentence_texts
                .iter()
                .copied()
                .chain(section_texts.iter().map(String::as_str))
                .chain(passage_texts.iter().map(String::as_str))
                .collect();
            let embedded = semantic.embed_cached(&texts, CACHE_NAME)?;
            let mut vectors = embedded.vectors;
            index.passage_vectors = vectors.split_off(sentence_texts.len() + section_texts.len());
            index.section_vectors = vectors.split_off(sentence_texts.len());
            index.sentence_vectors = vectors;
            index.embedded_now = embedded.embedded_now;
            index.cache_warning = embedded.warning;
        }
        Ok(index)
    }

    /// Uses other weights and thresholds (for measuring them).
    pub fn with_tuning(mut self, tuning: Tuning) -> Self {
        self.tuning = tuning;
        self
    }

    pub fn is_semantic(&self) -> bool {
        self.semantic.is_some()
    }

    /// Each passage's embedding (heading path and text), when there is a model: what the model peer ranks.
    pub fn passage_vectors(&self) -> Option<Vec<Vec<f32>>> {
        (!self.passage_vectors.is_empty() || self.passages.is_empty())
            .then(|| self.passage_vectors.clone())
            .filter(|_| self.semantic.is_some())
    }

    /// The passages this index ranks.
    pub fn passages(&self) -> &'a [Passage] {
        self.passages
    }

    /// A sentence as its document has it (what is embedded: the sentence alone says what it says; its headings
    /// are in its section's embedding).
    fn sentence_text(&self, sentence: &Sentence) -> &'a str {
        &self.passages[sentence.passage].text[sentence.range.clone()]
    }

    /// The text a section is embedded as: its document's name and heading path, then its sentences (the encoder
    /// reads the first few hundred words).
    fn embedded_section(&self, section: usize) -> String {
        let range = self.sections[section].clone();
        let mut text = context_of(&self.passages[self.sentences[range.start].passage]).join(" › ");
        text.push(':');
        for s in &self.sentences[range] {
            text.push(' ');
            text.push_str(self.sentence_text(s).trim());
        }
        text
    }

    /// The question's embedding, when there is a model: embed many at once with [`SemanticSearch::embed`].
    pub fn embed_questions(&self, questions: &[&str]) -> Result<Option<Vec<Vec<f32>>>> {
        self.embed_questions_reusing(questions, None)
    }

    /// [`Self::embed_questions`], taking a question's vector from `known` (the same questions embedded as they
    /// are, by the library's matcher) wherever cleaning leaves its text as it is, so it is embedded once.
    pub fn embed_questions_reusing(
        &self,
        questions: &[&str],
        known: Option<&[Vec<f32>]>,
    ) -> Result<Option<Vec<Vec<f32>>>> {
        let Some(semantic) = self.semantic else {
            return Ok(None);
        };
        let cleaned: Vec<String> = questions.iter().map(|q| clean_question(q)).collect();
        let reused = |i: usize| {
            known
                .filter(|_| cleaned[i] == questions[i])
                .and_then(|known| known.get(i))
        };
        let missing: Vec<&str> = (0..questions.len())
            .filter(|&i| reused(i).is_none())
            .map(|i| cleaned[i].as_str())
            .collect();
        let mut embedded = semantic.embed_questions(&missing)?.vectors.into_iter();
        (0..questions.len())
            .map(|i| match reused(i) {
                Some(vector) => Ok(vector.clone()),
                None => embedded.next().ok_or_else(|| {
                    anyhow::anyhow!("the encoder returned fewer vectors than texts")
                }),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// Up to [`SUGGESTIONS`] excerpts for `question`, best first, that do not overlap. `vector` is the question's
    /// embedding (from [`Self::embed_questions`]) when there is a model.
    pub fn suggest(&self, question: &str, vector: Option<&[f32]>) -> Vec<Suggestion> {
        self.suggest_up_to(question, vector, SUGGESTIONS)
    }

    /// [`Self::suggest`] with up to `k` excerpts (for `search --docs`).
    pub fn suggest_up_to(
        &self,
        question: &str,
        vector: Option<&[f32]>,
        k: usize,
    ) -> Vec<Suggestion> {
        if self.sentences.is_empty() {
            return Vec::new();
        }
        let question = clean_question(question);
        let terms = self.analyzer.analyze(&question).terms;
        let scores = self.sentence_scores(&terms, vector);
        let mut order: Vec<usize> = (0..self.sentences.len())
            .filter(|&s| scores[s].shown)
            .collect();
        let better =
            |a: &usize, b: &usize| scores[*b].score.total_cmp(&scores[*a].score).then(a.cmp(b));
        // The best few sorted first (enough almost always); all of them only when those overlap too much.
        let head = (8 * k).max(32);
        if order.len() > head {
            order.select_nth_unstable_by(head, better);
            order[..head].sort_by(better);
        } else {
            order.sort_by(better);
        }
        let mut taken = self.take(&order[..head.min(order.len())], &scores, k);
        if taken.len() < k && order.len() > head {
            order.sort_by(better);
            taken = self.take(&order, &scores, k);
        }
        taken
    }

    /// Up to `k` suggestions from sentences in order, whose windows do not overlap and whose excerpts differ.
    fn take(&self, order: &[usize], scores: &[Scored], k: usize) -> Vec<Suggestion> {
        let mut taken: Vec<(Range<usize>, Suggestion)> = Vec::new();
        for &s in order {
            if taken.len() == k {
                break;
            }
            let window = self.window(s, scores);
            if taken
                .iter()
                .any(|(w, _)| w.start < window.end && window.start < w.end)
            {
                continue;
            }
            let excerpt = self.excerpt(window.clone());
            if taken
                .iter()
                .any(|(_, t)| t.excerpt.eq_ignore_ascii_case(&excerpt))
            {
                continue;
            }
            let passage = &self.passages[self.sentences[s].passage];
            taken.push((
                window,
                Suggestion {
                    passage: self.sentences[s].passage,
                    placeholder: has_placeholder(&excerpt),
                    excerpt,
                    citation: passage.citation(),
                    file: passage.file.clone(),
                    score: scores[s].score,
                    likely: scores[s].likely,
                },
            ));
        }
        taken.into_iter().map(|(_, t)| t).collect()
    }
}

/// A passage as embedded: what its document is called and its heading path, then its text (the encoder reads the
/// first few hundred words).
fn embedded_passage(passage: &Passage) -> String {
    format!("{}: {}", context_of(passage).join(" › "), passage.text)
}

/// What a passage is about, outermost first: its document's name (`policies-incident.md` is "policies incident":
/// a file name is often the only title a policy has), then its heading path.
fn context_of(passage: &Passage) -> Vec<String> {
    let name = passage.file.rsplit('/').next().unwrap_or(&passage.file);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let title: String = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut context = Vec::with_capacity(passage.headings.len() + 1);
    if !title.is_empty()
        && !passage
            .headings
            .first()
            .is_some_and(|h| h.eq_ignore_ascii_case(&title))
    {
        context.push(title);
    }
    context.extend(passage.headings.iter().cloned());
    context
}

/// A question without a trailing "required" asterisk. Nothing else is taken out: removing parenthetical examples
/// ("(e.g., SQL injection, XSS)") and "documented, and currently implemented" was measured and lost more than it
/// won (the examples name what the documents say; see docs/documents.md).
fn clean_question(question: &str) -> String {
    question.trim().trim_end_matches('*').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::PassageKind;

    fn passage(file: &str, headings: &[&str], kind: PassageKind, text: &str) -> Passage {
        Passage {
            file: file.into(),
            headings: headings.iter().map(|h| h.to_string()).collect(),
            page: None,
            kind,
            text: text.into(),
        }
    }

    fn analyzer() -> Analyzer {
        crate::analysis::synonyms::analyzer(true, &[], &[])
    }

    #[test]
    fn a_list_and_its_lead_in_are_one_section_and_an_excerpt_spans_them() {
        let passages = vec![
            passage(
                "access.md",
                &["Access", "Policy"],
                PassageKind::Paragraph,
                "a. When an employee changes roles within the organization:",
            ),
            passage(
                "access.md",
                &["Access", "Policy"],
                PassageKind::ListItem,
                "i. Their accounts and permission levels are reviewed by IT and HR.",
            ),
            passage(
                "access.md",
                &["Access", "Scope"],
                PassageKind::Paragraph,
                "This policy applies to every system that holds company data.",
            ),
            passage(
                "vendor.md",
                &["Vendor"],
                PassageKind::Paragraph,
                "Vendors are reviewed each year.",
            ),
        ];
        let a = analyzer();
        let index = PassageIndex::new(&passages, &a, None).unwrap();
        assert_eq!(index.sections.len(), 3);
        assert_eq!(index.sections[0], 0..2);
        assert_eq!(index.section_document, vec![0, 0, 1]);
        let found = index.suggest(
            "Are permission levels reviewed when an employee changes roles?",
            None,
        );
        assert_eq!(
            found[0].excerpt,
            "a. When an employee changes roles within the organization:\ni. Their accounts and permission levels are reviewed by IT and HR."
        );
        assert_eq!(found[0].file, "access.md");
        // Suggestions never overlap.
        assert!(
            found
                .iter()
                .skip(1)
                .all(|s| !s.excerpt.contains("permission levels"))
        );
    }

    #[test]
    fn an_excerpt_grows_to_the_better_neighbour_within_its_limits() {
        let long = "word ".repeat(110);
        let passages = vec![passage(
            "policy.md",
            &["Backups"],
            PassageKind::Paragraph,
            &format!(
                "Nothing here matters. Backups are encrypted with AES-256. Backup keys are rotated yearly. {long}end."
            ),
        )];
        let a = analyzer();
        let index = PassageIndex::new(&passages, &a, None).unwrap();
        let found = index.suggest("Are backups encrypted, and are backup keys rotated?", None);
        assert!(
            found[0]
                .excerpt
                .starts_with("Nothing here matters. Backups are encrypted")
        );
        assert!(found[0].excerpt.chars().count() <= MAX_EXCERPT_CHARS);
        assert!(
            !found[0].excerpt.contains("word word"),
            "{}",
            found[0].excerpt
        );
    }

    #[test]
    fn a_fragment_loses_to_a_sentence_that_says_something() {
        let passages = vec![
            passage(
                "a.md",
                &["Incident"],
                PassageKind::ListItem,
                "Incident response",
            ),
            passage(
                "b.md",
                &["Plan"],
                PassageKind::Paragraph,
                "The incident response plan is tested twice a year by the security team.",
            ),
        ];
        let a = analyzer();
        let mut passages = passages;
        for (i, text) in [
            "Laptops are encrypted.",
            "Visitors sign in at the desk.",
            "Vendors are reviewed each year.",
        ]
        .iter()
        .enumerate()
        {
            passages.push(passage(
                &format!("other{i}.md"),
                &["Other"],
                PassageKind::Paragraph,
                text,
            ));
        }
        let index = PassageIndex::new(&passages, &a, None).unwrap();
        let found = index.suggest("Is the incident response plan tested?", None);
        assert_eq!(found[0].file, "b.md");
        assert!(index.sentences[0].fragment > 0.5);
        assert_eq!(index.sentences[1].fragment, 0.0);
    }

    #[test]
    fn questions_lose_only_the_required_asterisk() {
        assert_eq!(
            clean_question("  Are backups encrypted?* "),
            "Are backups encrypted?"
        );
        assert_eq!(
            clean_question("Do you scan (e.g., SQL injection)?"),
            "Do you scan (e.g., SQL injection)?"
        );
    }
}
