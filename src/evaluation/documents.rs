//! Measuring answers from documents: the figures `answerbank eval --docs` reports (defined in
//! `shared/bench/docs/README.md`).
//!
//! In: cases files whose `evidence` column lists, per question, the document files and verbatim quotes that
//! answer it (empty when nothing in the documents does), and a [`PassageIndex`] over those documents. Out: per
//! file, Hit@1 and Hit@3 of the shown excerpts with standard errors, and the share of questions shown a suggestion
//! marked likely; with `--baseline`, the same for the simple peers, which rank whole passages (paragraph, list
//! item, table row, with their heading path) and show each cut to 600 characters.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::documents::Passage;
use crate::matching::bm25::{Bm25, stem_words};
use crate::matching::passages::{MAX_EXCERPT_CHARS, PassageIndex, SUGGESTIONS, Suggestion};

/// One labelled question: what in the documents answers it.
#[derive(Debug, Clone)]
pub struct DocCase {
    pub question: String,
    /// The evidence: (file, quote). Empty when nothing in the documents addresses the question.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Evidence {
    pub file: String,
    pub quote: String,
}

/// Reads a documents cases CSV (`question` and `evidence` columns).
pub fn load_cases(path: &Path) -> Result<Vec<DocCase>> {
    let (mut reader, headers) = super::open_cases(path)?;
    let column = |name: &str| super::column_of(&headers, name);
    let (Some(question_col), Some(evidence_col)) = (column("question"), column("evidence")) else {
        bail!(
            "{} needs `question` and `evidence` columns to measure answers from documents (found: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let mut cases = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("reading {} row {}", path.display(), n + 2))?;
        let Some(question) = record
            .get(question_col)
            .map(str::trim)
            .filter(|q| !q.is_empty())
        else {
            continue;
        };
        let evidence = match record.get(evidence_col).map(str::trim).unwrap_or("") {
            "" => Vec::new(),
            text => serde_json::from_str(text).with_context(|| {
                format!(
                    "{} row {}: `evidence` is not a JSON list of {{\"file\", \"quote\"}}",
                    path.display(),
                    n + 2
                )
            })?,
        };
        cases.push(DocCase {
            question: question.to_string(),
            evidence,
        });
    }
    Ok(cases)
}

/// Whether a shown excerpt counts for a case: it comes from one of the evidence files (compared by file stem, so
/// the same document as `.md`, `.html`, `.docx` or `.pdf` counts) and shares with one of its quotes a run of text
/// at least half as long as the quote, after lower-casing and collapsing whitespace.
pub fn is_hit(case: &DocCase, file: &str, excerpt: &str) -> bool {
    let excerpt = normalise(excerpt);
    case.evidence.iter().any(|evidence| {
        stem_of(&evidence.file) == stem_of(file) && {
            let quote = normalise(&evidence.quote);
            let needed = quote.len().div_ceil(2);
            !quote.is_empty() && longest_common_run(&quote, &excerpt) >= needed
        }
    })
}

fn stem_of(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

fn normalise(text: &str) -> Vec<char> {
    let lower = text.to_lowercase();
    let mut out = Vec::with_capacity(lower.len());
    for word in lower.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars());
    }
    out
}

/// The length of the longest run of characters `a` and `b` share.
fn longest_common_run(a: &[char], b: &[char]) -> usize {
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    let mut best = 0;
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            current[j + 1] = if x == y { previous[j] + 1 } else { 0 };
            best = best.max(current[j + 1]);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    best
}

/// A way of choosing the excerpts shown for a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// answerbank: sentences ranked with their headings and passage, excerpts grown around the best.
    Answerbank,
    /// BM25 Okapi over stemmed words of each passage with its heading path.
    Bm25Stem,
    /// The model alone: cosine of the question to each passage with its heading path.
    Model,
    /// Reciprocal-rank fusion (k = 60) of the two.
    Rrf,
}

impl Method {
    pub fn available(semantic: bool, baseline: bool) -> Vec<Method> {
        let mut methods = vec![Method::Answerbank];
        if baseline {
            methods.push(Method::Bm25Stem);
            if semantic {
                methods.extend([Method::Model, Method::Rrf]);
            }
        }
        methods
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Answerbank => "answerbank",
            Method::Bm25Stem => "BM25+stem (passages)",
            Method::Model => "model alone (passages)",
            Method::Rrf => "RRF(BM25+stem, model)",
        }
    }
}

/// What one method showed for one question.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub question: String,
    pub suggestions: Vec<Suggestion>,
    /// The rank (1-based) of the first correct excerpt, if one was shown.
    pub hit: Option<usize>,
}

/// The figures of one method on one file.
#[derive(Debug, Clone, Serialize)]
pub struct DocReport {
    pub cases: usize,
    /// Cases with evidence.
    pub answerable: usize,
    /// On cases with evidence.
    pub hit_at_1: Share,
    pub hit_at_3: Share,
    /// The share of questions shown at least one suggestion marked likely (answerbank only: peers mark none).
    pub likely: Share,
    /// Of the questions whose first suggestion is likely, the share where it is correct (cases with evidence).
    pub likely_precision: Option<f64>,
}

/// Runs one method over the cases. `vectors` are the questions' embeddings when there is a model.
pub fn run(
    index: &PassageIndex<'_>,
    peers: &PassagePeers,
    method: Method,
    cases: &[DocCase],
    vectors: Option<&[Vec<f32>]>,
) -> Vec<Shown> {
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let vector = vectors.map(|v| v[i].as_slice());
            let suggestions = match method {
                Method::Answerbank => index.suggest(&case.question, vector),
                peer => peers.top(index.passages(), peer, &case.question, vector),
            };
            let hit = suggestions
                .iter()
                .position(|s| is_hit(case, &s.file, &s.excerpt))
                .map(|r| r + 1);
            Shown {
                question: case.question.clone(),
                suggestions,
                hit,
            }
        })
        .collect()
}

/// The figures of a run.
pub fn report(cases: &[DocCase], shown: &[Shown]) -> DocReport {
    let answerable: Vec<&Shown> = cases
        .iter()
        .zip(shown)
        .filter(|(c, _)| !c.evidence.is_empty())
        .map(|(_, s)| s)
        .collect();
    let share = |flags: &[bool]| proportion(flags);
    let at = |k: usize| -> Vec<bool> {
        answerable
            .iter()
            .map(|s| s.hit.is_some_and(|r| r <= k))
            .collect()
    };
    let likely: Vec<bool> = shown
        .iter()
        .map(|s| s.suggestions.iter().any(|x| x.likely))
        .collect();
    let first_likely: Vec<bool> = answerable
        .iter()
        .filter(|s| s.suggestions.first().is_some_and(|x| x.likely))
        .map(|s| s.hit == Some(1))
        .collect();
    DocReport {
        cases: cases.len(),
        answerable: answerable.len(),
        hit_at_1: share(&at(1)),
        hit_at_3: share(&at(SUGGESTIONS)),
        likely: share(&likely),
        likely_precision: (!first_likely.is_empty()).then(|| proportion(&first_likely).value),
    }
}

/// One method on one file of a suite: its figures and what it showed.
#[derive(Debug, Clone)]
pub struct DocRun {
    /// The cases file's name as shown in tables.
    pub file: String,
    pub method: Method,
    pub report: DocReport,
    pub shown: Vec<Shown>,
}

/// Runs each of `methods` over every `(name, cases)` file of `suite`: file by file, the methods in the order given.
pub fn run_suite(
    index: &PassageIndex<'_>,
    peers: &PassagePeers,
    methods: &[Method],
    suite: &[(String, Vec<DocCase>)],
) -> Result<Vec<DocRun>> {
    let mut runs = Vec::new();
    for (name, cases) in suite {
        let questions: Vec<&str> = cases.iter().map(|c| c.question.as_str()).collect();
        let vectors = index.embed_questions(&questions)?;
        for &method in methods {
            let shown = run(index, peers, method, cases, vectors.as_deref());
            runs.push(DocRun {
                file: name.clone(),
                method,
                report: report(cases, &shown),
                shown,
            });
        }
    }
    Ok(runs)
}

/// `eval --docs --dump-features`: every sentence's and window's features and every question's scores, with the
/// windows that hold its evidence, as one JSON object, to choose the weights offline by cross-validation (see
/// docs/documents.md).
pub fn feature_dump(
    index: &PassageIndex<'_>,
    suite: &[(String, Vec<DocCase>)],
) -> Result<serde_json::Value> {
    let windows = index.dump_windows();
    let mut cases = Vec::new();
    for (name, list) in suite {
        let questions: Vec<&str> = list.iter().map(|c| c.question.as_str()).collect();
        let vectors = index.embed_questions(&questions)?;
        for (i, case) in list.iter().enumerate() {
            let mut value =
                index.dump_question(&case.question, vectors.as_ref().map(|v| v[i].as_slice()));
            value["set"] = serde_json::json!(name);
            value["question"] = serde_json::json!(case.question);
            value["hits"] = serde_json::json!(
                windows
                    .iter()
                    .filter(|(_, _, file, excerpt)| is_hit(case, file, excerpt))
                    .map(|(a, b, _, _)| [*a, *b])
                    .collect::<Vec<_>>()
            );
            cases.push(value);
        }
    }
    let mut value = index.dump_static();
    value["cases"] = serde_json::json!(cases);
    Ok(value)
}

/// A proportion with its standard error.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Share {
    pub value: f64,
    pub se: f64,
}

fn proportion(flags: &[bool]) -> Share {
    let n = flags.len();
    if n == 0 {
        return Share {
            value: 0.0,
            se: 0.0,
        };
    }
    let p = flags.iter().filter(|f| **f).count() as f64 / n as f64;
    Share {
        value: p,
        se: (p * (1.0 - p) / n as f64).sqrt(),
    }
}

/// The passages as the peers see them: whole, with their heading path.
pub struct PassagePeers {
    bm25: Bm25,
    stemmer: frostem::Stemmer,
    /// With a model: one unit vector per passage.
    vectors: Option<Vec<Vec<f32>>>,
}

impl PassagePeers {
    /// `vectors`: each passage's embedding (heading path and text), when there is a model.
    pub fn new(passages: &[Passage], vectors: Option<Vec<Vec<f32>>>) -> PassagePeers {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let texts: Vec<Vec<String>> = passages
            .iter()
            .map(|p| stem_words(&stemmer, &format!("{} {}", p.headings.join(" "), p.text)))
            .collect();
        PassagePeers {
            bm25: Bm25::new(&texts),
            stemmer,
            vectors,
        }
    }

    fn scores(&self, method: Method, question: &str, vector: Option<&[f32]>) -> Vec<f32> {
        match method {
            Method::Bm25Stem | Method::Answerbank => {
                self.bm25.scores(&stem_words(&self.stemmer, question))
            }
            Method::Model => match (&self.vectors, vector) {
                (Some(vectors), Some(vector)) => vectors
                    .iter()
                    .map(|v| crate::vector::cosine(vector, v))
                    .collect(),
                _ => Vec::new(),
            },
            Method::Rrf => super::peers::rrf(
                &self.scores(Method::Bm25Stem, question, vector),
                &self.scores(Method::Model, question, vector),
            ),
        }
    }

    /// The first [`SUGGESTIONS`] passages under a peer, each cut to the excerpt length.
    fn top(
        &self,
        passages: &[Passage],
        method: Method,
        question: &str,
        vector: Option<&[f32]>,
    ) -> Vec<Suggestion> {
        let scores = self.scores(method, question, vector);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        order
            .into_iter()
            .take(SUGGESTIONS)
            .map(|p| Suggestion {
                passage: p,
                excerpt: passages[p].text.chars().take(MAX_EXCERPT_CHARS).collect(),
                citation: passages[p].citation(),
                file: passages[p].file.clone(),
                score: scores[p],
                likely: false,
                placeholder: false,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_shares_half_the_quote_from_the_same_document() {
        let case = DocCase {
            question: "Do you review access?".into(),
            evidence: vec![Evidence {
                file: "policies-access.md".into(),
                quote:
                    "Each month, IT and HR will review accounts and permission levels for accuracy."
                        .into(),
            }],
        };
        let excerpt = "Access is granted by role. Each month, IT and HR will review  accounts and permission levels.";
        assert!(is_hit(&case, "policies-access.docx", excerpt));
        assert!(is_hit(&case, "sub/policies-access.pdf", excerpt));
        assert!(!is_hit(&case, "policies-vendor.md", excerpt));
        assert!(!is_hit(
            &case,
            "policies-access.md",
            "Each month, IT and HR meet."
        ));
    }

    #[test]
    fn longest_common_run_counts_characters() {
        let a: Vec<char> = "abcdef".chars().collect();
        let b: Vec<char> = "zzcdezz".chars().collect();
        assert_eq!(longest_common_run(&a, &b), 3);
    }
}
