//! Drafting: matches become cell writes.
//!
//! In: the question rows of a [`Questionnaire`] and a [`Matcher`]. Out: one [`Draft`] per question: the match
//! (best entry, runners-up, confidence), what the best entry would write into which answer cell (a
//! [`Proposal`]), and what is actually written given `--min-confidence` and `--overwrite`. The mapping of an
//! answer onto a row's cells lives here once, so `draft` and `finish` (which writes reviewed answers) fill cells
//! the same way: a short answer goes to the short cell as its dropdown spells it, the body to the long cell, an
//! `x` to the matching "mark" column, and "Yes. <body>" to a sheet's only answer column.
//!
//! The drafts themselves (`Draft`, `Outcome`, `Summary`, ...) are data in [`crate::drafted`], re-exported here, so
//! the review workbook writes them without depending on this use case.

pub use crate::drafted::{
    Bands, CANDIDATES_KEPT, CellWrite, Draft, HeldBack, Outcome, Proposal, Skipped, Summary,
    combined_answer, drafted_short_answer, high_once_approved,
};
use anyhow::Result;
use rayon::prelude::*;

use crate::matching::passages::PassageIndex;
use crate::matching::{Candidate, Confidence, MatchResult, Matcher, QuestionContext};
use crate::questionnaire::{AnswerCell, AnswerKind, QuestionRow, Questionnaire};
use crate::short_answer::{ShortAnswer, adds_nothing, same_short_answer};

#[derive(Debug, Clone, Copy)]
pub struct DraftOptions {
    /// Drafts below this band are not written into the customer's file (they are all in the review workbook).
    pub min_confidence: Confidence,
    /// Replace answers already in the file.
    pub overwrite: bool,
}

impl Default for DraftOptions {
    fn default() -> Self {
        DraftOptions {
            min_confidence: Confidence::High,
            overwrite: false,
        }
    }
}

/// Drafts every question of a questionnaire, on all cores, in questionnaire order.
pub fn draft_questionnaire(
    matcher: &Matcher<'_>,
    questionnaire: &Questionnaire,
    options: DraftOptions,
) -> anyhow::Result<Vec<Draft>> {
    draft_questionnaire_with(matcher, questionnaire, options, &|| {})
}

/// [`draft_questionnaire`], calling `progress` after each question.
pub fn draft_questionnaire_with(
    matcher: &Matcher<'_>,
    questionnaire: &Questionnaire,
    options: DraftOptions,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<Vec<Draft>> {
    draft_questionnaire_embedded(matcher, questionnaire, options, progress)
        .map(|(drafts, _)| drafts)
}

/// The questions' embeddings, one unit vector per question.
pub type Vectors = Vec<Vec<f32>>;

/// [`draft_questionnaire_with`], also returning the questions' embeddings (with a model), in draft order, for
/// [`attach_documents`] to reuse.
pub fn draft_questionnaire_embedded(
    matcher: &Matcher<'_>,
    questionnaire: &Questionnaire,
    options: DraftOptions,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<(Vec<Draft>, Option<Vectors>)> {
    let rows = questionnaire.questions_with_context();
    let questions: Vec<(&str, &QuestionContext)> = rows
        .iter()
        .map(|(row, context)| (row.question.as_str(), context))
        .collect();
    let texts: Vec<&str> = questions.iter().map(|(question, _)| *question).collect();
    let vectors = matcher.embed_all(&texts)?;
    let results =
        matcher.match_embedded(&questions, vectors.as_deref(), CANDIDATES_KEPT, progress)?;
    let templates = templates_for(matcher, &questions, &results)?;
    let drafts = rows
        .into_iter()
        .zip(results)
        .zip(templates)
        .map(|(((row, context), result), template)| {
            let mut draft = draft_one(row.clone(), context, result, options);
            if draft.outcome == Outcome::NoMatch && template.is_some() {
                draft.outcome = Outcome::Template;
            }
            draft.template = template;
            draft
        })
        .collect();
    Ok((drafts, vectors))
}

/// The template offered for each question (#25). Real answers and templates are ranked apart, each as if the
/// other were not in the library ([`Matcher::templates`]), so the starter kit never changes which real answer a
/// question gets nor its band. A question is offered the best template, at low confidence or better by the same
/// rules as a real answer, only when no real answer matches it at all: a real answer, even a weak one, is what
/// the company said; a template is guidance for an answer it does not have yet.
pub fn templates_for(
    matcher: &Matcher<'_>,
    questions: &[(&str, &QuestionContext)],
    results: &[MatchResult],
) -> anyhow::Result<Vec<Option<Candidate>>> {
    let open: Vec<usize> = (0..questions.len())
        .filter(|&i| results[i].matched().is_none())
        .collect();
    let mut offered = vec![None; questions.len()];
    if open.is_empty() {
        return Ok(offered);
    }
    let templates = matcher.for_templates();
    let asked: Vec<(&str, &QuestionContext)> = open.iter().map(|&i| questions[i]).collect();
    for (i, result) in open
        .into_iter()
        .zip(templates.match_all(&asked, 1, &|| {})?)
    {
        offered[i] = result.matched().cloned();
    }
    Ok(offered)
}

fn draft_one(
    row: QuestionRow,
    context: QuestionContext,
    result: MatchResult,
    options: DraftOptions,
) -> Draft {
    let opposite = result.comparison.as_ref().is_some_and(|c| c.opposite);
    let proposal = match result.matched() {
        Some(best) => {
            let entry = &best.entry.entry;
            propose(
                &row,
                drafted_short_answer(&result).as_deref(),
                &crate::text::plain_text(&entry.body),
                options.overwrite,
            )
        }
        _ => Proposal::default(),
    };
    let outcome = if result.matched().is_none() {
        Outcome::NoMatch
    } else if opposite {
        Outcome::Opposite
    } else if result.confidence < options.min_confidence {
        Outcome::BelowThreshold
    } else if proposal.not_allowed.is_some() || proposal.writes.is_empty() {
        // Part of the answer may fit (the comment) but not the short answer: write nothing, review it all.
        Outcome::NotAllowed
    } else {
        Outcome::Written
    };
    // A row answered already keeps its answer: its empty cells are filled only when the filled ones say the same
    // thing as the draft (a comment added next to the same "Yes"), never next to a different answer. Whatever
    // the match, such a row that gets nothing written is counted as answered.
    let answered = row.is_answered() && !options.overwrite;
    let outcome = if answered && (proposal.conflicts || outcome != Outcome::Written) {
        Outcome::AlreadyAnswered
    } else {
        outcome
    };
    Draft {
        row,
        context,
        result,
        proposal,
        outcome,
        template: None,
        documents: Vec::new(),
    }
}

/// Offers excerpts of the company's documents (see #24) on every draft the library leaves open (no high or medium
/// answer): up to three each, embedded in one batch. Returns how many drafts got at least one.
///
/// `vectors`: the drafts' questions as the matcher embedded them (see [`draft_questionnaire_embedded`]), reused
/// where the documents' ranking would embed the same text.
pub fn attach_documents(
    drafts: &mut [Draft],
    passages: &PassageIndex<'_>,
    vectors: Option<&[Vec<f32>]>,
) -> Result<usize> {
    let open: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].wants_documents())
        .collect();
    if open.is_empty() {
        return Ok(0);
    }
    let questions: Vec<&str> = open
        .iter()
        .map(|&i| drafts[i].row.question.as_str())
        .collect();
    let known: Option<Vec<Vec<f32>>> =
        vectors.map(|all| open.iter().map(|&i| all[i].clone()).collect());
    let vectors = passages.embed_questions_reusing(&questions, known.as_deref())?;
    let suggestions: Vec<_> = open
        .par_iter()
        .enumerate()
        .map(|(n, &i)| {
            let vector = vectors.as_ref().map(|v| v[n].as_slice());
            passages.suggest(&drafts[i].row.question, vector)
        })
        .collect();
    let mut offered = 0;
    for (i, found) in open.into_iter().zip(suggestions) {
        offered += usize::from(!found.is_empty());
        drafts[i].documents = found;
    }
    Ok(offered)
}

/// Maps a short answer onto a cell's allowed values, spelled exactly as the dropdown spells them (`N/A` becomes
/// `NA` or `Not Applicable`); without a dropdown the library's own spelling is written.
pub fn map_short_answer(answer: &str, allowed: Option<&[String]>) -> Result<String, String> {
    let Some(allowed) = allowed else {
        return Ok(answer.trim().to_string());
    };
    allowed
        .iter()
        .find(|value| same_short_answer(value, answer))
        .cloned()
        .ok_or_else(|| {
            // A long list is named by its first values (the reason goes into one review cell).
            const SHOWN: usize = 10;
            let mut offered = allowed[..allowed.len().min(SHOWN)].join(" / ");
            if allowed.len() > SHOWN {
                offered.push_str(&format!(" and {} more", allowed.len() - SHOWN));
            }
            format!("the dropdown offers {offered}, not \"{}\"", answer.trim())
        })
}

/// What an answer (short answer and body) writes into a question's answer cells.
pub fn propose(row: &QuestionRow, short: Option<&str>, body: &str, overwrite: bool) -> Proposal {
    let mut proposal = Proposal::default();
    let cells = &row.answer_cells;
    let short_cell = cells.iter().find(|c| c.kind == AnswerKind::Short);
    let long_cell = cells.iter().find(|c| c.kind == AnswerKind::Long);
    let marks: Vec<&AnswerCell> = cells.iter().filter(|c| c.kind.is_mark()).collect();
    let short = short.map(str::trim).filter(|s| !s.is_empty());
    let push = |proposal: &mut Proposal, cell: &AnswerCell, text: String| {
        if cell.is_filled() && !overwrite {
            proposal.already_filled += 1;
            let agrees = match cell.kind {
                AnswerKind::Long => cell.current.trim() == text.trim(),
                _ => same_short_answer(&cell.current, &text),
            };
            proposal.conflicts |= !agrees;
        } else {
            proposal.writes.push(CellWrite {
                cell: cell.cell,
                kind: cell.kind,
                text,
            });
        }
    };

    if !marks.is_empty()
        && let Some(short) = short
    {
        let kind = ShortAnswer::parse(short).map(AnswerKind::mark_for);
        match kind.and_then(|k| marks.iter().find(|c| c.kind == k)) {
            Some(target) => {
                let other_marked = marks.iter().any(|c| c.cell != target.cell && c.is_filled());
                if other_marked && !overwrite {
                    proposal.already_filled += 1;
                    proposal.conflicts = true;
                } else {
                    // The cell's own mark: its dropdown's, or the one the sheet's answers use; else "x".
                    let mark = target
                        .allowed
                        .as_deref()
                        .and_then(|values| values.iter().find(|v| !v.trim().is_empty()))
                        .map_or("x", String::as_str);
                    push(&mut proposal, target, mark.to_string());
                    if overwrite {
                        for other in marks
                            .iter()
                            .filter(|c| c.cell != target.cell && c.is_filled())
                        {
                            proposal.writes.push(CellWrite {
                                cell: other.cell,
                                kind: other.kind,
                                text: String::new(),
                            });
                        }
                    }
                }
            }
            None => {
                proposal.not_allowed = Some(format!("the sheet has no column to mark \"{short}\""));
            }
        }
    }
    match (short_cell, long_cell) {
        (Some(short_cell), long) => {
            match short {
                Some(short) => match map_short_answer(short, short_cell.allowed.as_deref()) {
                    Ok(value) => push(&mut proposal, short_cell, value),
                    Err(why) => proposal.not_allowed = Some(why),
                },
                // No short answer: an open cell takes the body when there is no long column for it.
                None if long.is_none() && short_cell.allowed.is_none() => {
                    push(&mut proposal, short_cell, body.trim().to_string())
                }
                None => {}
            }
            // A comments cell never gets a bare "Yes", "No" or "None": a body that says nothing beyond its short
            // answer stays out of it (see #17).
            if let Some(long) = long.filter(|_| !adds_nothing(short, body)) {
                push(&mut proposal, long, body.trim().to_string());
            }
        }
        (None, Some(long)) => {
            // A sheet's only answer column carries the short answer too; a comments column beside marks only
            // what the body adds.
            let text = if row.single_answer_column {
                combined_answer(short, body)
            } else if adds_nothing(short, body) {
                String::new()
            } else {
                body.trim().to_string()
            };
            if !text.is_empty() {
                push(&mut proposal, long, text);
            } else if marks.is_empty() && proposal.not_allowed.is_none() {
                proposal.not_allowed = Some(format!(
                    "the row has no Yes/No cell, and the answer says no more than \"{}\"",
                    short.unwrap_or_else(|| body.trim())
                ));
            }
        }
        (None, None) => {}
    }
    proposal
}

/// What the drafts write into the customer's file, grouped by sheet, for the workbook writer.
pub fn edits_of(
    drafts: &[Draft],
) -> std::collections::BTreeMap<String, Vec<crate::workbook::patch::CellEdit>> {
    edits_by_sheet(
        drafts
            .iter()
            .flat_map(|d| d.written().iter().map(|w| (d.row.sheet.clone(), w.clone()))),
    )
}

/// Cell writes grouped by sheet, for the workbook writer.
pub fn edits_by_sheet(
    writes: impl IntoIterator<Item = (String, CellWrite)>,
) -> std::collections::BTreeMap<String, Vec<crate::workbook::patch::CellEdit>> {
    let mut map: std::collections::BTreeMap<String, Vec<crate::workbook::patch::CellEdit>> =
        Default::default();
    for (sheet, write) in writes {
        map.entry(sheet)
            .or_default()
            .push(crate::workbook::patch::CellEdit {
                cell: write.cell,
                text: write.text,
            });
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(&str, AnswerKind, Option<&[&str]>, &str)]) -> QuestionRow {
        QuestionRow {
            sheet: "S".to_string(),
            row: 4,
            id: None,
            question: "Do you encrypt data?".to_string(),
            section: None,
            single_answer_column: cells.len() == 1,
            answer_cells: cells
                .iter()
                .map(|(cell, kind, allowed, current)| AnswerCell {
                    cell: cell.parse().unwrap(),
                    kind: *kind,
                    allowed: allowed.map(|a| a.iter().map(|s| s.to_string()).collect()),
                    current: current.to_string(),
                })
                .collect(),
        }
    }

    fn texts(proposal: &Proposal) -> Vec<(String, String)> {
        proposal
            .writes
            .iter()
            .map(|w| (w.cell.to_string(), w.text.clone()))
            .collect()
    }

    #[test]
    fn short_answers_take_the_dropdowns_spelling() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            map_short_answer("N/A", Some(&list(&["Yes", "No", "NA"]))).unwrap(),
            "NA"
        );
        assert_eq!(
            map_short_answer("N/A", Some(&list(&["Yes", "No", "Not Applicable"]))).unwrap(),
            "Not Applicable"
        );
        assert_eq!(
            map_short_answer("yes", Some(&list(&["YES", "NO"]))).unwrap(),
            "YES"
        );
        assert!(map_short_answer("N/A", Some(&list(&["Yes", "No"]))).is_err());
        assert_eq!(map_short_answer("N/A", None).unwrap(), "N/A");
    }

    #[test]
    fn short_and_long_cells() {
        let r = row(&[
            ("C5", AnswerKind::Short, Some(&["Yes", "No"]), ""),
            ("D5", AnswerKind::Long, None, ""),
        ]);
        let p = propose(&r, Some("Yes"), "Yes. AES-256.", false);
        assert_eq!(
            texts(&p),
            [
                ("C5".into(), "Yes".into()),
                ("D5".into(), "Yes. AES-256.".into())
            ]
        );
        let p = propose(&r, Some("N/A"), "We hold no such data.", false);
        assert!(p.not_allowed.is_some());
    }

    #[test]
    fn the_only_column_gets_short_answer_and_body() {
        let r = row(&[("B5", AnswerKind::Long, None, "")]);
        assert_eq!(
            texts(&propose(&r, Some("Yes"), "We encrypt.", false)),
            [("B5".into(), "Yes. We encrypt.".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("Yes"), "Yes, always.", false)),
            [("B5".into(), "Yes, always.".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("No"), "Nobody does.", false)),
            [("B5".into(), "No. Nobody does.".into())]
        );
        assert_eq!(
            texts(&propose(&r, None, "Described here.", false)),
            [("B5".into(), "Described here.".into())]
        );
    }

    #[test]
    fn mark_columns_get_an_x() {
        let r = row(&[
            ("C5", AnswerKind::MarkYes, None, ""),
            ("D5", AnswerKind::MarkNo, None, ""),
            ("E5", AnswerKind::MarkNa, None, ""),
            ("F5", AnswerKind::Long, None, ""),
        ]);
        assert_eq!(
            texts(&propose(&r, Some("No"), "Not yet.", false)),
            [("D5".into(), "x".into()), ("F5".into(), "Not yet.".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("N/A"), "n/a", false))[0],
            ("E5".into(), "x".into())
        );
        let answered = row(&[
            ("C5", AnswerKind::MarkYes, None, "X"),
            ("D5", AnswerKind::MarkNo, None, ""),
        ]);
        assert!(propose(&answered, Some("No"), "", false).writes.is_empty());
        let p = propose(&answered, Some("No"), "", true);
        assert_eq!(
            texts(&p),
            [("D5".into(), "x".into()), ("C5".into(), "".into())],
            "overwrite clears the old mark"
        );
    }

    #[test]
    fn a_comments_cell_never_gets_a_bare_short_answer() {
        // HECVAT 3 numbers its options; the cell gets the dropdown's own spelling (see #17).
        let numbered = ["1) Yes", "2) No", "3) Both modes available", "4) N/A"];
        let r = row(&[
            ("C5", AnswerKind::Short, Some(&numbered), ""),
            ("D5", AnswerKind::Long, None, ""),
        ]);
        assert_eq!(
            texts(&propose(&r, Some("No"), "No.", false)),
            [("C5".into(), "2) No".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("No"), "None", false)),
            [("C5".into(), "2) No".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("N/A"), "n/a", false)),
            [("C5".into(), "4) N/A".into())]
        );
        assert_eq!(
            texts(&propose(&r, Some("Yes"), "Yes. Weekly.", false)),
            [
                ("C5".into(), "1) Yes".into()),
                ("D5".into(), "Yes. Weekly.".into())
            ]
        );
        let marks = row(&[
            ("C5", AnswerKind::MarkYes, None, ""),
            ("D5", AnswerKind::MarkNo, None, ""),
            ("E5", AnswerKind::Long, None, ""),
        ]);
        assert_eq!(
            texts(&propose(&marks, Some("Yes"), "Yes", false)),
            [("C5".into(), "x".into())]
        );
        // The only answer column takes the short answer, once.
        let single = row(&[("B5", AnswerKind::Long, None, "")]);
        assert_eq!(
            texts(&propose(&single, Some("Yes"), "Yes.", false)),
            [("B5".into(), "Yes".into())]
        );
        // A row whose only cell is a comments cell gets nothing rather than a bare "No".
        let mut comments_only = row(&[("D5", AnswerKind::Long, None, "")]);
        comments_only.single_answer_column = false;
        let p = propose(&comments_only, Some("No"), "No.", false);
        assert!(p.writes.is_empty() && p.not_allowed.is_some(), "{p:?}");
    }

    #[test]
    fn filled_cells_are_kept_unless_overwriting() {
        let r = row(&[
            ("C5", AnswerKind::Short, None, "No"),
            ("D5", AnswerKind::Long, None, ""),
        ]);
        let p = propose(&r, Some("Yes"), "Body.", false);
        assert_eq!(p.already_filled, 1);
        assert!(p.conflicts, "the sheet says No, the library Yes");
        assert_eq!(texts(&p), [("D5".into(), "Body.".into())]);
        let p = propose(&r, Some("no"), "Body.", false);
        assert!(!p.conflicts, "the same answer, spelled differently");
        assert_eq!(propose(&r, Some("Yes"), "Body.", true).writes.len(), 2);
    }
}
