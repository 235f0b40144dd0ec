//! Reading what the reviewer asked for on each row of a review: a review row in, an [`Intent`] out (accept, use a
//! candidate or a document, their own answer, reject, needs SME, nothing decided, or what cannot be applied and
//! why), with what they typed that is not applied. Every cell they could have touched is read: the Decision, the
//! Final answer, and the drafted short answer and answer, which people correct in place (see #16). Also how a
//! final answer splits into a short answer and a body, and whether a person worked on a row at all.
//! Pure, like the plan that reads it.

use crate::short_answer::{ShortAnswer, same_short_answer};
use crate::text::one_line;
use crate::workbook::review::{Decision, ReviewRow};

/// Splits a reviewer's final answer into a short answer and a body: "No. We don't." → ("No", "No. We don't."),
/// "Yes" → ("Yes", ""), "Not applicable" or "Y" → ("N/A" or "Yes", ""), "We do, weekly." → (None, "We do,
/// weekly."). Short answers are kept in the library's spelling; the spellings are `short_answer`'s.
pub fn split_final_answer(text: &str) -> (Option<String>, String) {
    let (short, body) = crate::short_answer::split_answer(text);
    (short.map(|s| s.as_str().to_string()), body)
}

/// What the reviewer asked for on one row, once every cell they could have touched is read: the Decision, the
/// Final answer, and the drafted short answer and answer, which people correct in place (see #16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Intent {
    /// Accept: the drafted answer (candidate #1).
    Accept,
    /// Use #n: candidate n's answer.
    Use(usize),
    /// The reviewer's own answer: a Final answer, or the drafted cells corrected in place.
    Answer {
        short: Option<String>,
        body: String,
    },
    /// Use doc #n: the excerpt of a document as its Doc #n cell holds it, with the Yes/No the reviewer typed (a
    /// document suggestion carries none of its own; see #24).
    Document {
        number: usize,
        short: Option<String>,
        body: String,
    },
    Reject,
    NeedsSme,
    /// Nothing decided, nothing changed: what `draft` wrote stays.
    Undecided,
    /// What the reviewer did cannot be applied (why): nothing is written and nothing learned.
    Unclear(String),
}

/// The drafted short answer and answer as the reviewer left them, when either was changed in place.
pub(super) struct InPlace {
    short: Option<String>,
    body: String,
    short_changed: bool,
}

pub(super) fn in_place_edit(row: &ReviewRow) -> Option<InPlace> {
    let shown = row.shown.as_ref()?;
    let drafted_short = row.short.as_deref().unwrap_or("");
    let drafted_body = row.body.as_deref().unwrap_or("");
    // Whitespace aside: a spreadsheet may rewrap or trim a cell, which is no edit.
    let short_changed = one_line(&shown.short) != one_line(drafted_short);
    let body_changed = one_line(&shown.body) != one_line(drafted_body);
    if !short_changed && !body_changed {
        return None;
    }
    let short = if short_changed {
        let typed = shown.short.trim();
        Some(
            ShortAnswer::parse(typed).map_or_else(|| typed.to_string(), |s| s.as_str().to_string()),
        )
        .filter(|s| !s.is_empty())
    } else {
        row.short.clone()
    };
    let body = if body_changed {
        shown.body.trim()
    } else {
        drafted_body.trim()
    };
    Some(InPlace {
        short,
        body: body.to_string(),
        short_changed,
    })
}

/// Whether a person worked on this row: a Decision, a Final answer, or a drafted cell corrected in place.
pub(super) fn is_reviewed(row: &ReviewRow) -> bool {
    row.decision.is_some() || row.final_answer.is_some() || in_place_edit(row).is_some()
}

/// How many rows of a review a person worked on (see [`is_reviewed`]): a review with any is a review in progress,
/// which `draft --force` must not replace (see #26).
pub fn reviewed_rows(rows: &[ReviewRow]) -> usize {
    rows.iter().filter(|row| is_reviewed(row)).count()
}

/// A short answer and a body that say opposite things ("No" beside "Yes. We do ...").
pub(super) fn contradiction(short: Option<&str>, body: &str) -> Option<String> {
    let short = short?;
    let (Some(leading), _) = split_final_answer(body) else {
        return None;
    };
    (ShortAnswer::parse(short).is_some() && !same_short_answer(short, &leading)).then(|| {
        format!(
            "the short answer says \"{short}\" but the answer text begins \"{leading}\": make them agree, or write \
             the whole answer in Final answer"
        )
    })
}

pub(super) fn decision_name(decision: Decision) -> String {
    match decision {
        Decision::Accept => "Accept".to_string(),
        Decision::Use(n) => format!("Use #{n}"),
        Decision::Edit => "Edit".to_string(),
        Decision::Reject => "Reject".to_string(),
        Decision::NeedsSme => "Needs SME".to_string(),
        Decision::Doc(n) => format!("Use doc #{n}"),
    }
}

/// Use doc #n on a row: the Doc #n cell as the reviewer left it, and the Short answer cell as they left it (a
/// document's excerpt carries no Yes/No of its own).
fn document_intent(row: &ReviewRow, n: usize, ignored: &mut Vec<String>) -> Intent {
    let Some(suggestion) = row.documents.iter().find(|d| d.number == n) else {
        return Intent::Unclear(format!(
            "Use doc #{n}, but the review shows no document suggestion #{n} for this question"
        ));
    };
    let cell = row
        .shown
        .as_ref()
        .and_then(|shown| shown.docs.get(n - 1))
        .map(String::as_str)
        .filter(|text| !text.trim().is_empty());
    let Some(cell) = cell else {
        return Intent::Unclear(format!(
            "Use doc #{n}, but its Doc #{n} cell is empty (write the answer in Final answer instead)"
        ));
    };
    let body = suggestion.answer_in(cell);
    let edit = in_place_edit(row);
    // The Short answer cell as the reviewer left it goes with the excerpt, as they see it beside their decision
    // (the review's note asks them to set it: for a low draft it shows the library's guess).
    let short = row
        .shown
        .as_ref()
        .map(|shown| shown.short.trim())
        .filter(|typed| !typed.is_empty())
        .map(|typed| {
            ShortAnswer::parse(typed).map_or_else(|| typed.to_string(), |s| s.as_str().to_string())
        });
    if edit
        .as_ref()
        .is_some_and(|e| one_line(&e.body) != one_line(row.body.as_deref().unwrap_or("")))
    {
        ignored.push(format!(
            "the drafted answer was changed in place, but the decision is Use doc #{n}, so that change was not \
             written (edit the Doc #{n} cell, or write a Final answer)"
        ));
    }
    if let Some(why) = contradiction(short.as_deref(), &body) {
        return Intent::Unclear(why);
    }
    Intent::Document {
        number: n,
        short,
        body,
    }
}

/// Reads what the reviewer did on one row; the second value lists what they typed that is not applied.
pub(super) fn read_intent(row: &ReviewRow) -> (Intent, Vec<String>) {
    let mut ignored = Vec::new();
    let in_place = in_place_edit(row);
    let decision = row.decision;
    if let Some(final_answer) = &row.final_answer {
        if let Some(d @ (Decision::Reject | Decision::NeedsSme)) = decision {
            ignored.push(format!(
                "the decision is {}, so the Final answer was not written (choose Edit to write it)",
                decision_name(d)
            ));
            return (
                if d == Decision::Reject {
                    Intent::Reject
                } else {
                    Intent::NeedsSme
                },
                ignored,
            );
        }
        // With Accept, Use #N or Use doc #N too, the Final answer is what the reviewer typed: it is the answer.
        let (mut short, body) = split_final_answer(final_answer);
        if let Some(edit) = in_place {
            // The Short answer cell set beside a Final answer, the drafted text left as it was: the same Yes/No as
            // the Final answer's says nothing more, and a Final answer without one takes it (a reviewer who sets
            // "Yes" and writes the text below it). Anything else the Final answer overrules, and that is said.
            let text_kept =
                one_line(&edit.body) == one_line(row.body.as_deref().unwrap_or("").trim());
            let agrees = match (&short, &edit.short) {
                (Some(said), Some(typed)) => same_short_answer(said, typed),
                (None, Some(_)) => true,
                (_, None) => false,
            };
            if text_kept && edit.short_changed && agrees {
                short = short.or(edit.short);
            } else {
                ignored.push(
                    "the drafted answer was also changed in place; the Final answer was written, not that change"
                        .to_string(),
                );
            }
        }
        return (Intent::Answer { short, body }, ignored);
    }
    if let Some(Decision::Doc(n)) = decision {
        return (document_intent(row, n, &mut ignored), ignored);
    }
    if let Some(edit) = in_place {
        match decision {
            None | Some(Decision::Accept | Decision::Edit) => {
                if edit.short.is_none() && edit.body.is_empty() {
                    return (
                        Intent::Unclear(
                            "the drafted answer was cleared in place, so there is nothing to write (choose Reject \
                             to leave the cells as they are, or write a Final answer)"
                                .to_string(),
                        ),
                        ignored,
                    );
                }
                if let Some(why) = contradiction(edit.short.as_deref(), &edit.body) {
                    return (Intent::Unclear(why), ignored);
                }
                let has_short_cell = row
                    .cells
                    .iter()
                    .any(|c| c.kind.takes_short_answer());
                if edit.short_changed && !has_short_cell && !row.single_answer_column {
                    ignored.push(
                        "the short answer changed in place has no column of its own in the questionnaire; it was \
                         written at the start of the answer text"
                            .to_string(),
                    );
                }
                return (
                    Intent::Answer {
                        short: edit.short,
                        body: edit.body,
                    },
                    ignored,
                );
            }
            Some(d) => ignored.push(format!(
                "the drafted answer was changed in place, but the decision is {}, so that change was not written",
                decision_name(d)
            )),
        }
    }
    let intent = match decision {
        None => Intent::Undecided,
        Some(Decision::Accept) if row.matched_id.is_none() => Intent::Unclear(
            "Accept, but draft found no answer to accept (use Edit with a Final answer)"
                .to_string(),
        ),
        Some(Decision::Accept) => Intent::Accept,
        Some(Decision::Use(n)) if row.candidate(n).is_none() => Intent::Unclear(format!(
            "Use #{n}, but the review shows no candidate #{n} for this question"
        )),
        Some(Decision::Use(n)) => Intent::Use(n),
        Some(Decision::Edit) => Intent::Unclear("Edit without a Final answer".to_string()),
        Some(Decision::Reject) => Intent::Reject,
        Some(Decision::NeedsSme) => Intent::NeedsSme,
        Some(Decision::Doc(_)) => unreachable!("read above"),
    };
    (intent, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A drafted row (short answer "No", the text below it) as the reviewer left it.
    fn reviewed(short: &str, body: &str, final_answer: &str) -> ReviewRow {
        let mut row = crate::learning::test_rows::row(30, None, short, body);
        row.short = Some("No".into());
        row.body = Some("No. We run only as a cloud service.".into());
        row.final_answer = Some(final_answer.into());
        row
    }

    /// A Short answer set to what the Final answer says, or given to a Final answer that has none, is no change
    /// left out; a Short answer that disagrees, or drafted text edited too, is reported (found playing a review of
    /// the CSA CAIQ: "Yes" typed over "No" beside a Final answer "Yes. ..." was reported as not applied).
    #[test]
    fn a_short_answer_set_beside_a_final_answer_is_read_with_it() {
        let drafted = "No. We run only as a cloud service.";
        // The Short answer and drafted text as left, the Final answer, the Yes/No written with it, and how many
        // changes are reported as not written. The Final answer is always written whole.
        let cases = [
            ("yes", drafted, "Yes. Backed up daily.", Some("Yes"), 0),
            ("Yes", drafted, "Backed up daily.", Some("Yes"), 0),
            ("No", drafted, "Yes. Backed up daily.", Some("Yes"), 0),
            ("N/A", drafted, "Yes. Backed up daily.", Some("Yes"), 1),
            ("", drafted, "Yes. Backed up daily.", Some("Yes"), 1),
            (
                "Yes",
                "Yes. Daily.",
                "Yes. Backed up daily.",
                Some("Yes"),
                1,
            ),
            ("No", "No. Edited.", "Backed up daily.", None, 1),
        ];
        for (short, body, final_answer, written_short, reported) in cases {
            let (intent, ignored) = read_intent(&reviewed(short, body, final_answer));
            let expected = Intent::Answer {
                short: written_short.map(str::to_string),
                body: final_answer.to_string(),
            };
            assert_eq!(intent, expected, "{short:?} / {body:?} / {final_answer:?}");
            assert_eq!(ignored.len(), reported, "{short:?} / {body:?}: {ignored:?}");
        }
    }

    #[test]
    fn final_answers_split_into_short_and_body() {
        assert_eq!(
            split_final_answer("No. We don't."),
            (Some("No".into()), "No. We don't.".into())
        );
        assert_eq!(
            split_final_answer(" Not applicable "),
            (Some("N/A".into()), String::new())
        );
        assert_eq!(
            split_final_answer("Nope, weekly."),
            (None, "Nope, weekly.".into())
        );
    }
}
