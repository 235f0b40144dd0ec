//! Reading an imported answer: what a questionnaire row answers, and when the answer was given.
//!
//! In: a [`QuestionRow`] of a read questionnaire, or the [`Questionnaire`] itself. Out: a [`RowAnswer`] (the
//! short answer and the body, or nothing for an unanswered row) and the [`AnswerDate`] new entries are dated by.
//!
//! Decisions that are not obvious (see #17):
//! - An answer that is only a short answer ("Yes", "2) No") becomes a `short_answer` with that answer as a
//!   sentence for its body ("No."), which says nothing beyond it, so drafting never writes it into a comments
//!   cell.
//! - An entry is dated by when its answer was given: a date field in the questionnaire, else the workbook's
//!   last-modified date, else the file's modification time; `check` then flags old answers as stale.

use crate::date::Date;
use crate::questionnaire::dates::AnswerDate;
use crate::questionnaire::{AnswerKind, QuestionRow, Questionnaire};
use crate::short_answer::{ShortAnswer, adds_nothing, split_answer};
use crate::text::one_line;

/// An answer read from a questionnaire row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAnswer {
    /// Yes/No/N/A, from a yes/no cell, a mark, or the first word of the only answer.
    pub short: Option<ShortAnswer>,
    /// The answer's text as written; the short answer as a sentence ("No.") when that is all there is.
    pub body: String,
}

impl RowAnswer {
    /// The answer in one line, for messages: "No", "Yes: AES-256 everywhere."
    pub fn describe(&self) -> String {
        let body = one_line(&self.body);
        match self.short {
            Some(short) if adds_nothing(Some(short.as_str()), &body) => short.as_str().to_string(),
            Some(short) => format!("{}: {body}", short.as_str()),
            None => body,
        }
    }
}

/// Reads the answer of a row: the short answer from its yes/no cell (any spelling: `2) No`, `TRUE` in a yes/no
/// column, `Yes - weekly`) or its marks, the body from its long cells. A yes/no cell holding prose is prose. On a
/// row without a yes/no cell or marks, a long answer that starts with Yes/No/N/A gives the short answer too.
pub fn answer_of(row: &QuestionRow) -> Option<RowAnswer> {
    let mut short = None;
    let mut body_parts: Vec<String> = Vec::new();
    let has_short_place = row.answer_cells.iter().any(|c| c.kind.takes_short_answer());
    for cell in row.answer_cells.iter().filter(|c| c.is_filled()) {
        let text = cell.current.trim();
        match cell.kind {
            AnswerKind::Short => match split_answer(text) {
                (Some(s), rest) => {
                    short = short.or(Some(s));
                    if !rest.is_empty() {
                        body_parts.push(rest);
                    }
                }
                (None, prose) => body_parts.push(prose),
            },
            kind if kind.is_mark() => short = short.or(kind.marked_answer()),
            _ => {
                if !has_short_place && short.is_none() {
                    short = split_answer(text).0;
                }
                body_parts.push(text.to_string());
            }
        }
    }
    let body = body_parts.join("\n\n");
    // A comment that is only "Yes" or "NA" beside an empty yes/no cell is the answer put one column too far.
    let short = short.or_else(|| ShortAnswer::parse(&body));
    match (short, body.is_empty()) {
        (None, true) => None,
        (Some(short), true) => Some(RowAnswer {
            short: Some(short),
            body: format!("{}.", short.as_str()),
        }),
        (short, false) => Some(RowAnswer { short, body }),
    }
}

/// The date an imported answer was given: the questionnaire's own (a date field, else its document properties),
/// else the file's modification time, else today.
pub fn answer_date(questionnaire: &Questionnaire) -> AnswerDate {
    if let Some(found) = &questionnaire.answered_on {
        return found.clone();
    }
    let modified = std::fs::metadata(&questionnaire.path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| {
            Date::new(1970, 1, 1)
                .expect("valid")
                .add_days((d.as_secs() / 86_400) as i64)
        })
        .filter(|d| *d <= Date::today());
    match modified {
        Some(date) => AnswerDate {
            date,
            from: "the file's modification time".to_string(),
        },
        None => AnswerDate {
            date: Date::today(),
            from: "today (the file gives no date)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellRef;
    use crate::questionnaire::AnswerCell;

    fn row(cells: &[(AnswerKind, &str)]) -> QuestionRow {
        QuestionRow {
            sheet: "S".into(),
            row: 3,
            id: None,
            question: "Do you support SSO?".into(),
            section: None,
            single_answer_column: cells.len() == 1,
            answer_cells: cells
                .iter()
                .enumerate()
                .map(|(i, (kind, text))| AnswerCell {
                    cell: CellRef::new(3, 2 + i as u32),
                    kind: *kind,
                    allowed: None,
                    current: text.to_string(),
                })
                .collect(),
        }
    }

    fn answer(short: Option<ShortAnswer>, body: &str) -> Option<RowAnswer> {
        Some(RowAnswer {
            short,
            body: body.to_string(),
        })
    }

    #[test]
    fn short_answers_in_every_spelling_become_short_answers() {
        use AnswerKind::{Long, MarkNo, MarkYes, Short};
        assert_eq!(
            answer_of(&row(&[(Short, "2) No"), (Long, "")])),
            answer(Some(ShortAnswer::No), "No.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "TRUE"), (Long, "Weekly.")])),
            answer(Some(ShortAnswer::Yes), "Weekly.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "Yes - weekly"), (Long, "")])),
            answer(Some(ShortAnswer::Yes), "Yes - weekly")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "No"), (Long, "None")])),
            answer(Some(ShortAnswer::No), "None"),
            "what was typed is kept; drafting knows it adds nothing"
        );
        assert_eq!(
            answer_of(&row(&[(MarkYes, ""), (MarkNo, "x"), (Long, "Not yet.")])),
            answer(Some(ShortAnswer::No), "Not yet.")
        );
        // The only answer column carries the short answer in its first word.
        assert_eq!(
            answer_of(&row(&[(Long, "Yes. SAML 2.0.")])),
            answer(Some(ShortAnswer::Yes), "Yes. SAML 2.0.")
        );
        // A comment next to an empty yes/no cell says nothing about Yes/No.
        assert_eq!(
            answer_of(&row(&[(Short, ""), (Long, "Yes, but only on request.")])),
            answer(None, "Yes, but only on request.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, ""), (Long, "NA")])),
            answer(Some(ShortAnswer::NotApplicable), "NA")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "3) Both modes available")])),
            answer(None, "3) Both modes available")
        );
        assert_eq!(answer_of(&row(&[(Short, ""), (Long, " ")])), None);
    }
}
