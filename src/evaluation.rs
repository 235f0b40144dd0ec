//! Measuring the matcher: the figures `answerbank eval` reports (defined in `shared/bench/README.md`).
//!
//! In: a cases file (`question`, `expected` ids separated by `;`, and optionally `context`, `id`, `section`,
//! `previous` columns) and a [`Matcher`]. Out: a [`Report`]. The questions are matched with
//! [`Matcher::match_all`], exactly as `draft` does, so the figures describe what users get.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::matching::{Confidence, MatchResult, Matcher, QuestionContext};

/// Ranks looked at for MRR (a correct entry further down counts as not found).
const MRR_DEPTH: usize = 10;

/// One labelled question.
#[derive(Debug, Clone)]
pub struct Case {
    pub question: String,
    /// Library ids that answer it; empty when nothing should (the right behaviour is to abstain).
    pub expected: Vec<String>,
    pub context: QuestionContext,
}

/// Reads a cases CSV. Columns are found by name (case-insensitive), in any order.
pub fn load_cases(path: &Path) -> Result<Vec<Case>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("opening the cases file {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header row of {}", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(question_col) = column("question") else {
        bail!(
            "{} has no `question` column (found: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let Some(expected_col) = column("expected") else {
        bail!("{} has no `expected` column", path.display());
    };
    let (context_col, id_col, section_col, previous_col) = (
        column("context"),
        column("id"),
        column("section"),
        column("previous"),
    );
    let mut cases = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("reading {} row {}", path.display(), n + 2))?;
        let field = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(question) = field(Some(question_col)) else {
            continue;
        };
        let expected = field(Some(expected_col))
            .map(|e| {
                e.split(';')
                    .map(|id| id.trim().to_string())
                    .filter(|id| !id.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut context = field(context_col)
            .map(|c| QuestionContext::from_text(&c))
            .unwrap_or_default();
        if let Some(id) = field(id_col) {
            context.question_id = Some(id);
        }
        if let Some(section) = field(section_col) {
            context.section = Some(section);
        }
        context.previous_question = field(previous_col);
        cases.push(Case {
            question,
            expected,
            context,
        });
    }
    if cases.is_empty() {
        bail!("{} has no cases (rows with a question)", path.display());
    }
    Ok(cases)
}

/// How one case went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub result: MatchResult,
    /// 1-based rank of the first expected entry within the first [`MRR_DEPTH`], if any.
    pub rank: Option<usize>,
}

impl Outcome {
    pub fn answerable(&self) -> bool {
        !self.case.expected.is_empty()
    }

    pub fn top_correct(&self) -> bool {
        self.rank == Some(1)
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Band {
    pub count: usize,
    /// Share of the band's cases whose top entry is correct (`null` for an empty band).
    pub precision: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bands {
    pub high: Band,
    pub medium: Band,
    pub low: Band,
    pub none: Band,
}

/// The figures, as `--json` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cases: usize,
    pub answerable: usize,
    pub hit_at_1: f64,
    pub hit_at_5: f64,
    pub mrr: f64,
    /// Of the unanswerable cases, the share that landed in low or none.
    pub abstention: Option<f64>,
    pub bands: Bands,
    /// Share of answerable cases that landed in high.
    pub high_coverage: f64,
    pub semantic: bool,
}

/// Runs every case through the matcher, on all cores.
pub fn run_cases(matcher: &Matcher<'_>, cases: &[Case]) -> Result<Vec<Outcome>> {
    let questions: Vec<(&str, &QuestionContext)> = cases
        .iter()
        .map(|c| (c.question.as_str(), &c.context))
        .collect();
    let results = matcher.match_all(&questions, MRR_DEPTH, &|| {})?;
    Ok(cases
        .iter()
        .zip(results)
        .map(|(case, result)| {
            let expected: HashSet<&str> = case.expected.iter().map(String::as_str).collect();
            let rank = result
                .candidates
                .iter()
                .position(|c| expected.contains(c.id()))
                .map(|p| p + 1);
            Outcome {
                case: case.clone(),
                result,
                rank,
            }
        })
        .collect())
}

/// Summarizes outcomes.
pub fn report(outcomes: &[Outcome], semantic: bool) -> Report {
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| o.answerable()).collect();
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let hits = |k: usize| {
        answerable
            .iter()
            .filter(|o| o.rank.is_some_and(|r| r <= k))
            .count()
    };
    let mrr = if answerable.is_empty() {
        0.0
    } else {
        answerable
            .iter()
            .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / answerable.len() as f64
    };
    let band = |confidence: Confidence| {
        let members: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| o.result.confidence == confidence)
            .collect();
        Band {
            count: members.len(),
            precision: (!members.is_empty()).then(|| {
                share(
                    members.iter().filter(|o| o.top_correct()).count(),
                    members.len(),
                )
            }),
        }
    };
    let unanswerable: Vec<&Outcome> = outcomes.iter().filter(|o| !o.answerable()).collect();
    let abstained = unanswerable
        .iter()
        .filter(|o| o.result.confidence <= Confidence::Low)
        .count();
    Report {
        cases: outcomes.len(),
        answerable: answerable.len(),
        hit_at_1: share(hits(1), answerable.len()),
        hit_at_5: share(hits(5), answerable.len()),
        mrr,
        abstention: (!unanswerable.is_empty()).then(|| share(abstained, unanswerable.len())),
        bands: Bands {
            high: band(Confidence::High),
            medium: band(Confidence::Medium),
            low: band(Confidence::Low),
            none: band(Confidence::None),
        },
        high_coverage: share(
            answerable
                .iter()
                .filter(|o| o.result.confidence == Confidence::High)
                .count(),
            answerable.len(),
        ),
        semantic,
    }
}

/// The worst misses first: wrong answers the matcher was most sure of, then answerable cases it missed
/// entirely, then unanswerable cases it did not abstain on.
pub fn worst_misses(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let mut misses: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            if o.answerable() {
                !o.top_correct()
            } else {
                o.result.confidence > Confidence::Low
            }
        })
        .collect();
    misses.sort_by(|a, b| {
        let score = |o: &Outcome| o.result.best().map_or(0.0, |c| c.score);
        b.result
            .confidence
            .cmp(&a.result.confidence)
            .then(score(b).total_cmp(&score(a)))
    });
    misses
}

/// Writes one CSV row per case, for a closer look in a spreadsheet.
pub fn write_details(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    crate::fsutil::write_atomic(path, crate::fsutil::Existing::Replace, |file| {
        let mut writer = csv::Writer::from_writer(file);
        writer.write_record([
            "question",
            "expected",
            "top",
            "score",
            "margin",
            "wording",
            "confidence",
            "correct",
            "rank",
            "reason",
        ])?;
        for o in outcomes {
            let best = o.result.best();
            let score = best.map_or(0.0, |c| c.score);
            let margin = o.result.margin();
            writer.write_record([
                o.case.question.as_str(),
                &o.case.expected.join(";"),
                best.map_or("", |c| c.id()),
                &format!("{score:.4}"),
                &format!("{margin:.4}"),
                &format!("{:.4}", best.map_or(0.0, |c| c.features.wording)),
                o.result.confidence.as_str(),
                if o.top_correct() { "1" } else { "0" },
                &o.rank.map_or(String::new(), |r| r.to_string()),
                &o.result.reason,
            ])?;
        }
        writer.flush()?;
        Ok(())
    })
}
