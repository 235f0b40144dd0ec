//! Answers from the company's own documents: which sentences of its policies answer a question (see #24).
//!
//! In: the passages `crate::documents` read (paragraphs, list items, table rows, each with its heading path) and,
//! with a model, the sentence-embedding search. Out: for one question, up to [`SUGGESTIONS`] [`Suggestion`]s: an
//! excerpt of one to three complete sentences of one passage (at most [`MAX_EXCERPT_CHARS`]), its citation, a
//! score, and whether it is likely to answer the question.
//!
//! Sentences are what is ranked, each with the heading path above it and the passage it sits in: a policy answers
//! a question in a sentence ("Each month, IT and HR will review accounts and permission levels"), and the headings
//! say what it is about ("Access Control Policy"). Lexically, BM25 over the sentence with its headings and over its
//! whole passage; with a model, the cosine of the question to the sentence (with its nearest heading) and to the
//! passage. The excerpt grows from the best sentence to its better-scoring neighbours in the same passage.
//! Nothing here writes an answer: a suggestion is shown to a reviewer, who decides (see `workbook::review`).

use std::ops::Range;

use anyhow::Result;

use super::SemanticSearch;
use super::bm25::Bm25;
use crate::analysis::Analyzer;
use crate::documents::{Passage, sentences};

/// Suggestions shown per question.
pub const SUGGESTIONS: usize = 3;
/// The longest excerpt shown, in characters.
pub const MAX_EXCERPT_CHARS: usize = 600;
/// Sentences an excerpt holds at most.
const MAX_EXCERPT_SENTENCES: usize = 3;

/// The embedding cache of document sentences, beside the library's (`embeddings-documents-<model>.bin`).
const CACHE_NAME: &str = "documents";

/// How a sentence's scores combine, and where "likely" and "shown at all" begin. Chosen on the documents bench
/// by cross-validation (see docs/documents.md).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Weight of the lexical score (0 to 1, the best sentence of the question scoring 1) beside the cosine.
    pub lexical: f32,
    /// Weight of the passage around a sentence, beside the sentence itself.
    pub passage: f32,
    /// With a model: the cosine of question and sentence at which a suggestion is likely.
    pub likely_cosine: f32,
    /// With a model: below this cosine a sentence is not shown.
    pub floor_cosine: f32,
    /// Without a model: the share of the question's weighted terms a sentence (with its headings) must hold to be
    /// likely, and to be shown.
    pub likely_coverage: f32,
    pub floor_coverage: f32,
    /// What a fragment shorter than [`FULL_SENTENCE_WORDS`] words ("a. Offboarding measures", a heading-like list
    /// item) loses, at most: it names a topic without saying anything about it.
    pub fragment: f32,
}

/// Words from which a sentence counts as saying something (shorter ones lose up to [`Tuning::fragment`]).
const FULL_SENTENCE_WORDS: f32 = 8.0;

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            lexical: env_f32("ANSWERBANK_DOCS_LEXICAL", 0.15),
            passage: env_f32("ANSWERBANK_DOCS_PASSAGE", 0.3),
            likely_cosine: env_f32("ANSWERBANK_DOCS_LIKELY", 0.6),
            floor_cosine: env_f32("ANSWERBANK_DOCS_FLOOR", 0.3),
            likely_coverage: env_f32("ANSWERBANK_DOCS_LIKELY_COV", 0.6),
            floor_coverage: env_f32("ANSWERBANK_DOCS_FLOOR_COV", 0.1),
            fragment: env_f32("ANSWERBANK_DOCS_FRAGMENT", 0.3),
        }
    }
}

fn env_f32(name: &str, default: f32) -> f32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
    /// How far short of a full sentence it is: 0 for [`FULL_SENTENCE_WORDS`] words or more, towards 1 for one.
    fragment: f32,
}

/// The sentences of every passage, ready to rank.
pub struct PassageIndex<'a> {
    passages: &'a [Passage],
    sentences: Vec<Sentence>,
    /// Each passage's sentences, as a range of `sentences`.
    of_passage: Vec<Range<usize>>,
    /// BM25 over each sentence with its heading path.
    by_sentence: Bm25,
    /// BM25 over each passage with its heading path.
    by_passage: Bm25,
    /// The library's analysis (stems, stop words, boilerplate, synonyms), for the lexical rankings.
    analyzer: &'a Analyzer,
    semantic: Option<&'a dyn SemanticSearch>,
    /// With a model: a unit vector per sentence, then one per passage.
    sentence_vectors: Vec<Vec<f32>>,
    passage_vectors: Vec<Vec<f32>>,
    tuning: Tuning,
    /// Texts embedded when the index was built (the rest came from the cache).
    pub embedded_now: usize,
    /// Why the embedding cache could not be saved, for the command to print.
    pub cache_warning: Option<String>,
}

impl<'a> PassageIndex<'a> {
    /// Splits the passages into sentences and prepares both rankings; with a model, embeds what the cache lacks.
    pub fn new(
        passages: &'a [Passage],
        analyzer: &'a Analyzer,
        semantic: Option<&'a dyn SemanticSearch>,
    ) -> Result<PassageIndex<'a>> {
        let mut all = Vec::new();
        let mut of_passage = Vec::with_capacity(passages.len());
        for (p, passage) in passages.iter().enumerate() {
            let first = all.len();
            all.extend(
                sentences(&passage.text)
                    .into_iter()
                    .filter(|r| passage.text[r.clone()].chars().any(char::is_alphabetic))
                    .map(|range| {
                        let words = passage.text[range.clone()]
                            .split_whitespace()
                            .filter(|w| w.chars().any(char::is_alphabetic))
                            .count() as f32;
                        Sentence {
                            passage: p,
                            range,
                            fragment: (1.0 - words / FULL_SENTENCE_WORDS).max(0.0),
                        }
                    }),
            );
            of_passage.push(first..all.len());
        }
        let headings: Vec<String> = passages.iter().map(|p| context_of(p).join(" ")).collect();
        let by_sentence = Bm25::new(
            &all.iter()
                .map(|s| {
                    let passage = &passages[s.passage];
                    analyzer
                        .analyze(&format!(
                            "{} {}",
                            headings[s.passage],
                            &passage.text[s.range.clone()]
                        ))
                        .terms
                })
                .collect::<Vec<_>>(),
        );
        let by_passage = Bm25::new(
            &passages
                .iter()
                .zip(&headings)
                .map(|(p, h)| analyzer.analyze(&format!("{h} {}", p.text)).terms)
                .collect::<Vec<_>>(),
        );
        let mut index = PassageIndex {
            passages,
            sentences: all,
            of_passage,
            by_sentence,
            by_passage,
            analyzer,
            semantic,
            sentence_vectors: Vec::new(),
            passage_vectors: Vec::new(),
            tuning: Tuning::default(),
            embedded_now: 0,
            cache_warning: None,
        };
        if let Some(semantic) = semantic {
            let sentence_texts: Vec<String> = index
                .sentences
                .iter()
                .map(|s| index.embedded_sentence(s))
                .collect();
            let passage_texts: Vec<String> = passages.iter().map(|p| embedded_passage(p)).collect();
            let texts: Vec<&str> = sentence_texts
                .iter()
                .chain(&passage_texts)
                .map(String::as_str)
                .collect();
            let embedded = semantic.embed_cached(&texts, CACHE_NAME)?;
            let mut vectors = embedded.vectors;
            index.passage_vectors = vectors.split_off(sentence_texts.len());
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

    /// The text a sentence is embedded as: what its document is called and its nearest heading, then the
    /// sentence.
    fn embedded_sentence(&self, sentence: &Sentence) -> String {
        let passage = &self.passages[sentence.passage];
        let text = &passage.text[sentence.range.clone()];
        let context = context_of(passage);
        match context.as_slice() {
            [] => text.to_string(),
            [only] => format!("{only}: {text}"),
            [title, .., last] => format!("{title} › {last}: {text}"),
        }
    }

    /// The question's embedding, when there is a model: embed many at once with [`SemanticSearch::embed`].
    pub fn embed_questions(&self, questions: &[&str]) -> Result<Option<Vec<Vec<f32>>>> {
        let Some(semantic) = self.semantic else {
            return Ok(None);
        };
        let cleaned: Vec<String> = questions.iter().map(|q| clean_question(q)).collect();
        let texts: Vec<&str> = cleaned.iter().map(String::as_str).collect();
        semantic.embed(&texts).map(Some)
    }

    /// Up to [`SUGGESTIONS`] excerpts for `question`, best first, from different passages. `vector` is the
    /// question's embedding (from [`Self::embed_questions`]) when there is a model.
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
        order.sort_by(|&a, &b| scores[b].score.total_cmp(&scores[a].score).then(a.cmp(&b)));
        let mut taken: Vec<Suggestion> = Vec::new();
        for s in order {
            if taken.len() == k {
                break;
            }
            let sentence = &self.sentences[s];
            if taken.iter().any(|t| t.passage == sentence.passage) {
                continue;
            }
            let excerpt = self.excerpt(s, &scores);
            if taken
                .iter()
                .any(|t| t.excerpt.eq_ignore_ascii_case(&excerpt))
            {
                continue;
            }
            let passage = &self.passages[sentence.passage];
            taken.push(Suggestion {
                passage: sentence.passage,
                placeholder: has_placeholder(&excerpt),
                excerpt,
                citation: passage.citation(),
                file: passage.file.clone(),
                score: scores[s].score,
                likely: scores[s].likely,
            });
        }
        taken
    }

    fn sentence_scores(&self, terms: &[String], vector: Option<&[f32]>) -> Vec<Scored> {
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
        let by_passage = normalised(self.by_passage.scores(terms));
        let mut unique: Vec<&String> = terms.iter().collect();
        unique.sort();
        unique.dedup();
        let total_idf: f32 = unique.iter().map(|t| self.by_sentence.idf(t)).sum();
        (0..self.sentences.len())
            .map(|s| {
                let p = self.sentences[s].passage;
                let lexical =
                    (1.0 - tuning.passage) * by_sentence[s] + tuning.passage * by_passage[p];
                match vector.filter(|_| !self.sentence_vectors.is_empty()) {
                    Some(vector) => {
                        let sentence = crate::semantic::cosine(vector, &self.sentence_vectors[s]);
                        let passage = crate::semantic::cosine(vector, &self.passage_vectors[p]);
                        let cosine = (1.0 - tuning.passage) * sentence + tuning.passage * passage
                            - tuning.fragment * self.sentences[s].fragment;
                        Scored {
                            score: cosine + tuning.lexical * lexical,
                            likely: cosine >= tuning.likely_cosine,
                            shown: cosine >= tuning.floor_cosine,
                        }
                    }
                    None => {
                        let held: f32 = unique
                            .iter()
                            .filter(|t| self.by_sentence.holds(s, t))
                            .map(|t| self.by_sentence.idf(t))
                            .sum();
                        let coverage = if total_idf > 0.0 {
                            held / total_idf
                        } else {
                            0.0
                        };
                        Scored {
                            score: lexical - tuning.fragment * self.sentences[s].fragment,
                            likely: coverage >= tuning.likely_coverage,
                            shown: coverage >= tuning.floor_coverage && lexical > 0.0,
                        }
                    }
                }
            })
            .collect()
    }

    /// The excerpt around sentence `s`: it, then its better-scoring neighbour in the passage, and so on, up to
    /// [`MAX_EXCERPT_SENTENCES`] sentences and [`MAX_EXCERPT_CHARS`] characters.
    fn excerpt(&self, s: usize, scores: &[Scored]) -> String {
        let sentence = &self.sentences[s];
        let siblings = self.of_passage[sentence.passage].clone();
        let text = &self.passages[sentence.passage].text;
        let chars = |a: usize, b: usize| {
            text[self.sentences[a].range.start..self.sentences[b].range.end]
                .trim()
                .chars()
                .count()
        };
        let (mut first, mut last) = (s, s);
        while last - first + 1 < MAX_EXCERPT_SENTENCES {
            let before = (first > siblings.start && chars(first - 1, last) <= MAX_EXCERPT_CHARS)
                .then(|| first - 1);
            let after = (last + 1 < siblings.end && chars(first, last + 1) <= MAX_EXCERPT_CHARS)
                .then_some(last + 1);
            match (before, after) {
                (Some(b), Some(a)) if scores[b].score > scores[a].score => first = b,
                (_, Some(a)) => last = a,
                (Some(b), None) => first = b,
                (None, None) => break,
            }
        }
        let excerpt =
            text[self.sentences[first].range.start..self.sentences[last].range.end].trim();
        cut(excerpt, MAX_EXCERPT_CHARS)
    }
}

#[derive(Clone, Copy)]
struct Scored {
    score: f32,
    likely: bool,
    shown: bool,
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

/// A question without what questionnaires add around it: a trailing "required" asterisk.
fn clean_question(question: &str) -> String {
    question.trim().trim_end_matches('*').trim().to_string()
}

/// Whether text holds an unfilled template placeholder such as `{{.Name}}` or `{{ company }}`.
pub fn has_placeholder(text: &str) -> bool {
    text.find("{{")
        .is_some_and(|start| text[start + 2..].contains("}}"))
}

/// `text` cut to at most `max` characters at a word boundary, with "…" when cut (a single sentence longer than an
/// excerpt may be).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let head = head.rfind(char::is_whitespace).map_or(head, |i| &head[..i]);
    format!("{}…", head.trim_end())
}
