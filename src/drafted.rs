//! Drafts: what drafting produced, as data both the drafting use case and the review workbook's writer read.
//!
//! Sits between matching and its users: in, a question row and its [`MatchResult`]; out, a [`Draft`] (the match,
//! the [`Proposal`] of cell writes, the [`Outcome`]) and the run's [`Summary`]. `drafting` makes drafts and
//! `workbook::review` writes them; neither imports the other for these types (see #28: writers know data, not
//! use cases). The few pure functions here (the short answer a draft shows, "Yes. <body>", whether a match is
//! high once approved) are what both sides must compute the same way.

use std::sync::Arc;

use serde::Serialize;

use crate::cell::CellRef;
use crate::library::Status;
use crate::matching::passages::Suggestion;
use crate::matching::{Candidate, Confidence, MatchResult, QuestionContext, confidence};
use crate::questionnaire::{AnswerKind, QuestionRow, Questionnaire};
use crate::short_answer::{ShortAnswer, adds_nothing};

/// Candidates kept per question for the review workbook (the best and two runners-up).
pub const CANDIDATES_KEPT: usize = 3;

/// One value for one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CellWrite {
    pub cell: CellRef,
    pub kind: AnswerKind,
    pub text: String,
}

/// What an answer would write into a question's cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub writes: Vec<CellWrite>,
    /// Why a part of the answer cannot be written (a short answer the dropdown does not offer).
    pub not_allowed: Option<String>,
    /// Target cells left alone because they already hold an answer.
    pub already_filled: usize,
    /// Some of those hold an answer that differs from this one: the row is answered differently already.
    pub conflicts: bool,
}

/// Why a question was or was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Written,
    /// Matched, but below `--min-confidence`: for the reviewer.
    BelowThreshold,
    NoMatch,
    AlreadyAnswered,
    /// The answer does not fit the cell (not among the dropdown's values).
    NotAllowed,
    /// The question asks the opposite of the entry's wording ("without", "not required"): its Yes/No is turned
    /// around (or left out when that is not certain) and it is never written unreviewed (see #14).
    Opposite,
    /// No real answer matches, and a starter template whose `{{ ... }}` placeholders are not filled in covers the
    /// question: offered in the review notes (see [`Draft::template`]), never written (see #19, #25).
    Template,
}

/// The draft of one question.
#[derive(Debug, Clone)]
pub struct Draft {
    pub row: QuestionRow,
    pub context: QuestionContext,
    pub result: MatchResult,
    /// What the best entry would write (empty when nothing matched).
    pub proposal: Proposal,
    pub outcome: Outcome,
    /// The unfilled template that covers the question, offered only when no real answer matches (see
    /// [`templates_for`], #25).
    pub template: Option<Candidate>,
    /// Excerpts of the company's own documents that may answer the question, offered to the reviewer when the
    /// library has no high or medium answer (see #24); never written without a reviewer's decision.
    pub documents: Vec<Suggestion>,
}

impl Draft {
    /// Whether the library leaves the question to other sources: no high or medium answer.
    pub fn wants_documents(&self) -> bool {
        !matches!(
            self.result.confidence,
            Confidence::High | Confidence::Medium
        ) && self.outcome != Outcome::AlreadyAnswered
    }
}

impl Draft {
    /// What goes into the customer's file now: the proposal when the outcome is [`Outcome::Written`].
    pub fn written(&self) -> &[CellWrite] {
        if self.outcome == Outcome::Written {
            &self.proposal.writes
        } else {
            &[]
        }
    }
}

/// Whether a match is high, or would be once its `proposed` entries were approved: the matches `draft` holds
/// back until a person approves (see #17), and what `import` takes for the same question. The band is decided
/// by the matcher's own rule, on the same candidates with their status set to approved.
pub fn high_once_approved(result: &MatchResult) -> bool {
    if result.confidence == Confidence::High {
        return true;
    }
    if result
        .best()
        .is_none_or(|b| b.entry.entry.status != Status::Proposed)
    {
        return false;
    }
    let approved: Vec<_> = result
        .candidates
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if c.entry.entry.status == Status::Proposed {
                let mut entry = (*c.entry).clone();
                entry.entry.status = Status::Approved;
                c.entry = Arc::new(entry);
            }
            c
        })
        .collect();
    confidence::decide(&approved, result.comparison.as_ref()).0 == Confidence::High
}

/// The short answer a draft proposes: the best entry's, turned around when the question asks the opposite of
/// its wording (see [`turned_around`]).
pub fn drafted_short_answer(result: &MatchResult) -> Option<String> {
    let best = result.matched()?;
    let short = best.entry.entry.short_answer.as_deref();
    match &result.comparison {
        Some(comparison) if comparison.opposite => turned_around(short, Some(comparison)),
        _ => short.map(str::to_string),
    }
}

/// The short answer for a question that asks the opposite of the entry's wording: Yes and No turned around when
/// the negation is the only difference between the two (then it is certain), otherwise none, so the reviewer
/// decides. N/A stays N/A.
fn turned_around(
    short: Option<&str>,
    comparison: Option<&crate::matching::Comparison>,
) -> Option<String> {
    let only_negation =
        comparison.is_some_and(|c| c.only_in_question.is_empty() && c.only_in_wording.is_empty());
    match short.and_then(ShortAnswer::parse) {
        Some(ShortAnswer::Yes) if only_negation => Some(ShortAnswer::No.as_str().to_string()),
        Some(ShortAnswer::No) if only_negation => Some(ShortAnswer::Yes.as_str().to_string()),
        Some(ShortAnswer::NotApplicable) => Some(ShortAnswer::NotApplicable.as_str().to_string()),
        _ => None,
    }
}

/// "Yes. <body>" for a sheet's only answer column, unless the body already starts with the short answer.
pub fn combined_answer(short: Option<&str>, body: &str) -> String {
    let body = body.trim();
    let Some(short) = short.map(str::trim).filter(|s| !s.is_empty()) else {
        return body.to_string();
    };
    if body.is_empty() || adds_nothing(Some(short), body) {
        return short.to_string();
    }
    let starts_with_short = body
        .get(..short.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(short))
        && body[short.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
    if starts_with_short {
        body.to_string()
    } else {
        format!("{short}. {body}")
    }
}

/// Counts of a drafting run, as the summary and `--json` report them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub questions: usize,
    pub bands: Bands,
    /// Answer cells written into the customer's file (old marks cleared by `--overwrite` included).
    pub written: usize,
    /// Questions drafted into the file.
    pub drafted: usize,
    pub skipped: Skipped,
    /// Matches that would be high but for their entries being `proposed` (see [`high_once_approved`]).
    pub held_back: HeldBack,
}

/// Matches held back because their entries wait for approval.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct HeldBack {
    pub questions: usize,
    /// The entries' paths (relative to the library), each once, in questionnaire order.
    pub entries: Vec<String>,
    /// Where they came from, each once: the questionnaire or review their `source` names.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Bands {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub none: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Skipped {
    pub answered: usize,
    /// Question rows whose answer cells are all formulas.
    pub formula: usize,
    pub no_match: usize,
    pub not_allowed: usize,
    /// Matched below `--min-confidence`: in the review workbook only.
    pub below_threshold: usize,
    /// The question asks the opposite of its match's wording: for review only, whatever the band.
    pub opposite: usize,
    /// The best entry is a template not filled in: never written.
    pub template: usize,
}

impl Summary {
    pub fn of(drafts: &[Draft], questionnaire: &Questionnaire) -> Summary {
        let mut summary = Summary {
            questions: drafts.len(),
            ..Summary::default()
        };
        for draft in drafts {
            match draft.result.confidence {
                Confidence::High => summary.bands.high += 1,
                Confidence::Medium => summary.bands.medium += 1,
                Confidence::Low => summary.bands.low += 1,
                Confidence::None => summary.bands.none += 1,
            }
            // A template is not held back for approval: it must be filled in first (see #19).
            if draft.result.confidence != Confidence::High
                && draft.outcome != Outcome::Template
                && high_once_approved(&draft.result)
                && let Some(best) = draft.result.best()
            {
                let entry = &best.entry.entry;
                summary.held_back.questions += 1;
                if !summary.held_back.entries.contains(&entry.path) {
                    summary.held_back.entries.push(entry.path.clone());
                }
                let source = entry.source_file();
                if let Some(source) = source
                    && !summary.held_back.sources.iter().any(|s| s == source)
                {
                    summary.held_back.sources.push(source.to_string());
                }
            }
            match draft.outcome {
                Outcome::Written => {
                    summary.drafted += 1;
                    // Every cell the writer changes, an old mark cleared by --overwrite included, as the writer's
                    // own report counts them.
                    summary.written += draft.written().len();
                }
                Outcome::BelowThreshold => summary.skipped.below_threshold += 1,
                Outcome::NoMatch => summary.skipped.no_match += 1,
                Outcome::AlreadyAnswered => summary.skipped.answered += 1,
                Outcome::NotAllowed => summary.skipped.not_allowed += 1,
                Outcome::Opposite => summary.skipped.opposite += 1,
                Outcome::Template => summary.skipped.template += 1,
            }
        }
        summary.skipped.formula = questionnaire
            .sheets
            .iter()
            .filter_map(|s| s.layout())
            .map(|l| l.formula_rows)
            .sum();
        summary
    }
}
