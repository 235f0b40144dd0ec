//! Planning what `finish` writes: review rows in, a [`FinishPlan`] out (the cell writes for the answered workbook,
//! what each reviewer decision means, and the state of every question, open or answered and how; see #16). Each
//! row's decision is read by `intent` first.
//! Pure: it reads nothing and writes nothing, so `finish --dry-run` and the real run plan alike.

use std::collections::BTreeMap;

use serde::Serialize;

use super::intent::{Intent, is_reviewed, read_intent};
use crate::drafting::{self, CellWrite, Proposal};
use crate::questionnaire::{AnswerKind, QuestionRow};
use crate::workbook::patch::CellEdit;
use crate::workbook::review::{QuestionState, ReviewRow, State};

/// A review row as the question row `draft` saw (after `review::check_against_source`, as the reader sees it).
pub(super) fn question_row(row: &ReviewRow) -> QuestionRow {
    QuestionRow {
        sheet: row.sheet.clone(),
        row: row.row,
        id: row.question_id.clone(),
        question: row.question.clone(),
        section: row.section.clone(),
        answer_cells: row.cells.clone(),
        single_answer_column: row.single_answer_column,
    }
}

/// Something the reviewer typed or chose that `finish` did not apply, with why.
#[derive(Debug, Clone, Serialize)]
pub struct NotApplied {
    pub number: usize,
    /// "#3 (NW-1.3, sheet 'Vendor Questionnaire', cell C8)".
    pub place: String,
    pub reason: String,
}

/// What `finish` writes into the customer's file, and where every question stands.
#[derive(Debug, Default)]
pub struct FinishPlan {
    pub edits: BTreeMap<String, Vec<CellEdit>>,
    /// Questions written.
    pub written: usize,
    /// Rows without a decision, a Final answer or a change in place (they keep what `draft` wrote, if anything).
    pub undecided: usize,
    /// Rows the reviewer did something on (a decision, a Final answer, or an answer changed in place).
    pub reviewed: usize,
    /// Every question, in review order.
    pub questions: Vec<QuestionState>,
    /// What the reviewer did that is not applied: `finish` lists it and exits with 1.
    pub not_applied: Vec<NotApplied>,
    /// Reviewers' own answers written as a Yes/No alone, because the question has no cell for text: `finish` says
    /// so, so that what was typed after the Yes/No is not left out unnoticed.
    pub text_left_out: Vec<NotApplied>,
    pub(super) intents: Vec<Intent>,
}

impl FinishPlan {
    /// How many questions are in `state`.
    pub fn count(&self, state: State) -> usize {
        self.questions.iter().filter(|q| q.state == state).count()
    }

    pub fn open(&self) -> impl Iterator<Item = &QuestionState> {
        self.questions.iter().filter(|q| q.state.is_open())
    }
}

/// The writes of every reviewed row and the state of every question: Accept writes the draft, Use #N that
/// candidate's answer, Edit (a Final answer, or the draft corrected in place) the reviewer's answer, Reject and
/// Needs SME nothing, and an undecided row what `draft` wrote. As in `draft`, an answer is never written next to a
/// different one the file already holds (unless `draft` ran with `--overwrite`). The rows must have been checked
/// against the source (`review::check_against_source`), so their cells are the reader's.
pub fn plan_finish(rows: &[ReviewRow], overwrite: bool) -> FinishPlan {
    let mut plan = FinishPlan::default();
    let mut writes: Vec<(String, CellWrite)> = Vec::new();
    for row in rows {
        let question = question_row(row);
        let (intent, ignored) = read_intent(row);
        if is_reviewed(row) {
            plan.reviewed += 1;
        }
        if intent == Intent::Undecided {
            plan.undecided += 1;
        }
        for reason in ignored {
            plan.not_applied.push(NotApplied {
                number: row.number,
                place: row.place(),
                reason,
            });
        }
        let propose = |short: Option<&str>, body: &str| -> Proposal {
            drafting::propose(&question, short, body, overwrite)
        };
        let (state, proposal) = match &intent {
            Intent::Accept => (
                State::Accepted,
                propose(row.short.as_deref(), row.body.as_deref().unwrap_or("")),
            ),
            Intent::Use(n) => {
                let (_, short, body) = row.candidate(*n).expect("read_intent checked it");
                (State::Picked, propose(short, body))
            }
            Intent::Answer { short, body } => (
                State::Edited,
                own_answer(row, short.as_deref(), body, &propose),
            ),
            Intent::Document { short, body, .. } => (
                State::FromDocument,
                own_answer(row, short.as_deref(), body, &propose),
            ),
            Intent::Reject => (State::Rejected, Proposal::default()),
            Intent::NeedsSme => (State::NeedsSme, Proposal::default()),
            Intent::Undecided if row.written => (
                State::Drafted,
                propose(row.short.as_deref(), row.body.as_deref().unwrap_or("")),
            ),
            Intent::Undecided if row.cells.iter().any(|c| c.is_filled()) => {
                (State::AlreadyAnswered, Proposal::default())
            }
            Intent::Undecided => (State::Unanswered, Proposal::default()),
            Intent::Unclear(_) => (State::NotWritten, Proposal::default()),
        };
        let has_short_cell = row.cells.iter().any(|c| c.kind.takes_short_answer());
        // A document's excerpt carries no Yes/No (see #24): the reviewer types it, and is told when they did not.
        let no_yes_no = matches!(&intent, Intent::Document { short: None, .. }) && has_short_cell;
        // Why a decided row gets nothing written.
        let problem = match (&intent, state) {
            (Intent::Unclear(why), _) => Some(why.clone()),
            (Intent::Document { number, .. }, _) if no_yes_no && proposal.writes.is_empty() => {
                Some(format!(
                    "Use doc #{number}, but this question takes only a Yes/No, and a document's excerpt carries \
                     none: type Yes, No or N/A in Short answer"
                ))
            }
            (
                _,
                State::Accepted
                | State::Picked
                | State::Edited
                | State::FromDocument
                | State::Drafted,
            ) => {
                if let Some(why) = &proposal.not_allowed {
                    Some(why.clone())
                } else if let Some(mark) = proposal
                    .writes
                    .iter()
                    .find_map(|w| crate::text::placeholder(&w.text))
                {
                    // Placeholders never reach a customer (see #19), whatever the decision.
                    Some(format!(
                        "the answer still holds the template placeholder {mark}: type the real answer in Final \
                         answer"
                    ))
                } else if proposal.conflicts {
                    Some(
                        "the file already answers it differently (draft with --overwrite to replace answers)"
                            .to_string(),
                    )
                } else if proposal.writes.is_empty() && proposal.already_filled == 0 {
                    Some("the question has no answer cell this answer can go into".to_string())
                } else {
                    None
                }
            }
            _ => None,
        };
        let state = match problem {
            Some(_) if state == State::Drafted => State::Unanswered,
            Some(_) => State::NotWritten,
            None => state,
        };
        let reason = match state {
            State::NotWritten => {
                let why = problem.clone().unwrap_or_default();
                plan.not_applied.push(NotApplied {
                    number: row.number,
                    place: row.place(),
                    reason: format!("not written: {why}"),
                });
                Some(why)
            }
            State::Rejected => Some("rejected".to_string()),
            State::NeedsSme => Some("needs a subject-matter expert".to_string()),
            State::Unanswered => Some(match (&problem, &row.matched_id) {
                (Some(why), _) => format!("no decision; the draft cannot be written: {why}"),
                (None, Some(_)) => format!(
                    "no decision, and draft wrote nothing ({} confidence)",
                    row.confidence
                ),
                (None, None) => "no decision, and nothing in the library matched".to_string(),
            }),
            _ => None,
        };
        if state == State::FromDocument && no_yes_no {
            plan.not_applied.push(NotApplied {
                number: row.number,
                place: row.place(),
                reason: "the excerpt was written, but the question's Yes/No cell stays empty: a document's excerpt \
                         carries no Yes/No, so type it in Short answer and run finish again"
                    .to_string(),
            });
        }
        if let Intent::Answer { short, body } | Intent::Document { short, body, .. } = &intent
            && matches!(state, State::Edited | State::FromDocument)
            && !row.single_answer_column
            && !row.cells.iter().any(|c| c.kind == AnswerKind::Long)
            && !crate::short_answer::adds_nothing(short.as_deref(), body)
        {
            plan.text_left_out.push(NotApplied {
                number: row.number,
                place: row.place(),
                reason: "only the Yes/No was written: the question has no cell for text, so what was typed after \
                         it is not in the customer's file"
                    .to_string(),
            });
        }
        if !state.is_open() && !proposal.writes.is_empty() {
            plan.written += 1;
            writes.extend(proposal.writes.into_iter().map(|w| (row.sheet.clone(), w)));
        }
        plan.questions.push(QuestionState {
            number: row.number,
            sheet: row.sheet.clone(),
            cells: row.cells.iter().map(|c| c.cell.to_string()).collect(),
            question_id: row.question_id.clone(),
            question: row.question.clone(),
            state,
            reason,
            entry: row.matched_id.clone(),
            drafted: row.body.clone(),
        });
        plan.intents.push(intent);
    }
    plan.edits = drafting::edits_by_sheet(writes);
    plan
}

/// What a reviewer's own answer writes: a short answer with no column of its own leads the answer text, so it is
/// never lost.
fn own_answer(
    row: &ReviewRow,
    short: Option<&str>,
    body: &str,
    propose: &dyn Fn(Option<&str>, &str) -> Proposal,
) -> Proposal {
    let has_short_cell = row.cells.iter().any(|c| c.kind.takes_short_answer());
    if has_short_cell || row.single_answer_column {
        propose(short, body)
    } else {
        propose(None, &drafting::combined_answer(short, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::test_rows::row;
    use crate::matching::Confidence;
    use crate::workbook::review::Decision;

    /// A row the library left open (no draft), with one document suggestion shown as `cell` holds it.
    fn document_row(
        decision: Option<Decision>,
        short: &str,
        cell: &str,
        excerpt: &str,
    ) -> ReviewRow {
        let suggestion = crate::workbook::review::DocSuggestion {
            number: 1,
            excerpt: excerpt.into(),
            citation: "policies/crypto.md › Encryption".into(),
            likely: true,
            placeholder: crate::text::placeholder(excerpt).is_some(),
        };
        let cell = cell.replace("{source}", &suggestion.cell_text());
        let mut row = row(1, decision, short, "");
        row.matched_id = None;
        row.confidence = Confidence::None;
        row.short = None;
        row.body = None;
        row.documents = vec![suggestion];
        row.shown.as_mut().unwrap().docs = vec![cell, String::new(), String::new()];
        row
    }

    /// A reviewer's answer typed on a question that has only a Yes/No cell: the Yes/No is written, and `finish` is
    /// told that the text after it has no cell; an answer that is only its Yes/No, or a row whose one column takes
    /// the whole answer, says nothing.
    #[test]
    fn text_typed_for_a_question_with_only_a_yes_no_cell_is_named() {
        let yes_no_only = |shown_body: &str, single: bool| {
            let mut row = row(7, None, "Yes", shown_body);
            row.cells.truncate(1);
            row.single_answer_column = single;
            plan_finish(&[row], false)
        };
        let plan = yes_no_only("Yes. AES-256, keys in a KMS, rotated yearly.", false);
        assert_eq!(plan.questions[0].state, State::Edited);
        assert_eq!(writes(&plan), [("C5".to_string(), "Yes".to_string())]);
        assert!(plan.not_applied.is_empty());
        assert_eq!(plan.text_left_out.len(), 1);
        assert!(
            plan.text_left_out[0].reason.contains("no cell for text"),
            "{:?}",
            plan.text_left_out
        );
        assert!(yes_no_only("Yes.", false).text_left_out.is_empty());
        assert!(
            yes_no_only("Yes. AES-256, keys in a KMS, rotated yearly.", true)
                .text_left_out
                .is_empty()
        );
        // With a cell for text, the text goes there.
        let plan = plan_finish(
            &[row(
                7,
                None,
                "Yes",
                "Yes. AES-256, keys in a KMS, rotated yearly.",
            )],
            false,
        );
        assert!(plan.text_left_out.is_empty());
    }

    #[test]
    fn use_doc_writes_the_excerpt_as_left_with_the_yes_no_typed() {
        let excerpt = "All customer data is encrypted at rest with AES-256.";
        // As shown, with the Yes the reviewer typed: the excerpt without its source line, and the Yes.
        let plan = plan_finish(
            &[document_row(
                Some(Decision::Doc(1)),
                "yes",
                "{source}",
                excerpt,
            )],
            false,
        );
        assert_eq!(plan.questions[0].state, State::FromDocument);
        assert_eq!(
            writes(&plan),
            [
                ("C5".to_string(), "Yes".to_string()),
                ("D5".to_string(), excerpt.to_string())
            ]
        );
        // No Yes/No typed: none is made up, the text alone is written, and the empty Yes/No cell is reported.
        let edited = "All customer data is encrypted at rest with AES-256 (AWS KMS keys).\n\nSource: \
                      policies/crypto.md › Encryption";
        let plan = plan_finish(
            &[document_row(Some(Decision::Doc(1)), "", edited, excerpt)],
            false,
        );
        assert_eq!(
            writes(&plan),
            [(
                "D5".to_string(),
                "All customer data is encrypted at rest with AES-256 (AWS KMS keys).".to_string()
            )]
        );
        assert_eq!(plan.questions[0].state, State::FromDocument);
        assert!(
            plan.not_applied[0]
                .reason
                .contains("Yes/No cell stays empty"),
            "{:?}",
            plan.not_applied
        );
        // A suggestion that is not there, or an excerpt still holding a placeholder: nothing written, said so.
        let plan = plan_finish(
            &[document_row(
                Some(Decision::Doc(2)),
                "Yes",
                "{source}",
                excerpt,
            )],
            false,
        );
        assert_eq!(plan.questions[0].state, State::NotWritten);
        let plan = plan_finish(
            &[document_row(
                Some(Decision::Doc(1)),
                "Yes",
                "{source}",
                "Report incidents to {{ Security Officer name }}.",
            )],
            false,
        );
        assert_eq!(plan.questions[0].state, State::NotWritten);
        assert!(
            plan.not_applied[0].reason.contains("placeholder"),
            "{:?}",
            plan.not_applied
        );
        // Without a decision the suggestion is never written.
        let plan = plan_finish(&[document_row(None, "", "{source}", excerpt)], false);
        assert!(writes(&plan).is_empty());
    }

    fn writes(plan: &FinishPlan) -> Vec<(String, String)> {
        plan.edits
            .values()
            .flatten()
            .map(|e| (e.cell.to_string(), e.text.clone()))
            .collect()
    }

    #[test]
    fn a_draft_corrected_in_place_is_an_edit() {
        // Rewrapped, not changed: an Accept.
        let plan = plan_finish(
            &[row(1, Some(Decision::Accept), "Yes", " Yes.\n AES-256. ")],
            false,
        );
        assert_eq!(plan.questions[0].state, State::Accepted);
        // The answer text changed, no decision: an edit, with the drafted short answer.
        let plan = plan_finish(&[row(1, None, "Yes", "Yes. AES-256 with KMS keys.")], false);
        assert_eq!(plan.questions[0].state, State::Edited);
        assert_eq!(
            writes(&plan),
            [
                ("C5".to_string(), "Yes".to_string()),
                ("D5".to_string(), "Yes. AES-256 with KMS keys.".to_string())
            ]
        );
        // The short answer flipped beside a text that still says Yes: not written, and said so.
        let plan = plan_finish(
            &[row(1, Some(Decision::Accept), "no", "Yes. AES-256.")],
            false,
        );
        assert_eq!(plan.questions[0].state, State::NotWritten);
        assert!(writes(&plan).is_empty());
        assert_eq!(plan.not_applied.len(), 1);
        // Both flipped: written as typed, the short answer as the dropdown spells it.
        let plan = plan_finish(&[row(1, None, "no", "No. Not yet.")], false);
        assert_eq!(
            writes(&plan),
            [
                ("C5".to_string(), "No".to_string()),
                ("D5".to_string(), "No. Not yet.".to_string())
            ]
        );
        // Cleared: nothing to write, and said so.
        let plan = plan_finish(&[row(1, None, "", "")], false);
        assert_eq!(plan.questions[0].state, State::NotWritten);
        // Changed in place, then rejected: the change is reported, nothing written.
        let plan = plan_finish(&[row(1, Some(Decision::Reject), "Yes", "Other.")], false);
        assert_eq!(plan.questions[0].state, State::Rejected);
        assert_eq!(plan.not_applied.len(), 1);
    }

    #[test]
    fn every_question_has_one_state() {
        let mut written = row(1, None, "Yes", "Yes. AES-256.");
        written.written = true;
        let untouched = row(2, None, "Yes", "Yes. AES-256.");
        let mut answered = row(3, None, "Yes", "Yes. AES-256.");
        answered.cells[0].current = "No".into();
        let mut nothing = row(4, None, "", "");
        (nothing.matched_id, nothing.short, nothing.body) = (None, None, None);
        let sme = row(5, Some(Decision::NeedsSme), "Yes", "Yes. AES-256.");
        let plan = plan_finish(&[written, untouched, answered, nothing, sme], false);
        let states: Vec<State> = plan.questions.iter().map(|q| q.state).collect();
        assert_eq!(
            states,
            [
                State::Drafted,
                State::Unanswered,
                State::AlreadyAnswered,
                State::Unanswered,
                State::NeedsSme
            ]
        );
        assert_eq!(
            plan.questions[1].reason.as_deref(),
            Some("no decision, and draft wrote nothing (medium confidence)")
        );
        assert_eq!(
            plan.questions[3].reason.as_deref(),
            Some("no decision, and nothing in the library matched")
        );
        assert_eq!((plan.reviewed, plan.undecided, plan.written), (1, 4, 1));
        assert!(plan.not_applied.is_empty());
    }
}
