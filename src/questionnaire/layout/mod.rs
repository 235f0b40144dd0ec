//! Layout detection: on one sheet, which row is the header, which column holds the questions, which their IDs,
//! which cells expect the answers and of what kind, and which rows are questions at all.
//!
//! In: a [`Grid`] and the user's overrides. Out: a [`SheetLayout`] with its [`QuestionRow`]s, or the reason the
//! sheet holds no questions. Decisions come from two kinds of evidence read together: header words
//! ("Question", "Answer", "Comments", "Yes | No | N/A") and what the columns hold (question-like text, IDs,
//! dropdowns, Yes/No values, formulas). A control text merged or repeated over several question rows loses to
//! the column with one distinct question per row (see #3).
//!
//! One step per file (see #28): [`rows`] holds the types, `headers` finds the header, `columns` decides the
//! columns' roles and `collect` collects the question rows; [`detect`] runs them in that order.

mod collect;
mod columns;
mod headers;
pub mod rows;

pub use columns::{is_question_like, is_yes_no_list, question_text};
pub use rows::{AnswerCell, AnswerColumn, AnswerKind, Overrides, QuestionRow, SheetLayout};

use collect::*;
use columns::*;
use headers::*;

use super::grid::Grid;
use super::instructions::Instruction;
use crate::cell::{CellRef, column_name};

/// Detects the layout of one sheet; `Err` is the reason it has no questions, in the user's words. Collects no
/// more than `max_questions` + 1 questions, so that a caller can tell the sheet holds more than it allows without
/// each one being held.
pub fn detect(
    sheet: &str,
    grid: &Grid,
    overrides: &Overrides,
    include_hidden_rows: bool,
    max_questions: usize,
) -> Result<SheetLayout, String> {
    if grid.is_empty() {
        return Err("the sheet is empty".to_string());
    }
    let rows: Vec<u32> = grid
        .row_numbers()
        .filter(|r| include_hidden_rows || !grid.hidden_rows.contains(r))
        .collect();
    let (header_rows, repeats) = match overrides.header_row {
        Some(row) => (header_block(grid, row, &rows), Vec::new()),
        None => find_headers(grid, &rows).unwrap_or_default(),
    };
    let body_start = header_rows.last().map_or(0, |&r| r + 1);
    let body: Vec<u32> = rows.iter().copied().filter(|&r| r >= body_start).collect();
    let headers = header_texts(grid, &header_rows, &repeats);
    let stats = column_stats(grid, &body, &headers);

    let question_col = match overrides.question_col {
        Some(col) => col,
        None => pick_question_column(&stats).ok_or_else(|| {
            format!(
                "no question column found (no Question/Control/Requirement header and no column of question-like \
                 text); use --sheet '{sheet}' --question-col COL"
            )
        })?,
    };
    let question_rows: Vec<u32> = body
        .iter()
        .copied()
        .filter(|&r| !grid.text(CellRef::new(r, question_col)).is_empty())
        .collect();
    let id_col = overrides
        .id_col
        .or_else(|| pick_id_column(grid, &stats, question_col, &question_rows));
    let answer_columns = pick_answer_columns(
        grid,
        &stats,
        question_col,
        id_col,
        &question_rows,
        overrides,
    );
    let writable: Vec<AnswerColumn> = answer_columns
        .iter()
        .filter(|a| !a.1)
        .map(|a| a.0.clone())
        .collect();
    if writable.is_empty() {
        let computed: Vec<String> = answer_columns
            .iter()
            .filter(|a| a.1)
            .map(|a| column_name(a.0.col))
            .collect();
        // A control matrix names each question's domain, title and specification: say that these were seen
        // and are not answers (see #17).
        let context = context_headers(grid, &headers, question_col, id_col, &question_rows);
        let context: Vec<&str> = context.iter().map(String::as_str).collect();
        let context = match context.as_slice() {
            [] => String::new(),
            [one] => format!("; its {one} column is context, not answers"),
            [rest @ .., last] => format!(
                "; its {} and {last} columns are context, not answers",
                rest.join(", ")
            ),
        };
        return Err(if computed.is_empty() {
            format!(
                "no answer column found (no Answer/Response/Comments header, Yes/No dropdown or Yes/No/N/A \
                 columns){context}; use --sheet '{sheet}' --answer-col COL"
            )
        } else {
            format!(
                "its answer column{} {} hold{} formulas computed from other cells, so nothing here is answered by hand",
                if computed.len() > 1 { "s" } else { "" },
                computed.join(", "),
                if computed.len() > 1 { "" } else { "s" }
            )
        });
    }

    let context_col = pick_context_column(&stats, question_col, id_col);
    let mut layout = SheetLayout {
        header_rows: header_rows.clone(),
        question_col,
        id_col,
        context_col,
        answer_columns: writable,
        questions: Vec::new(),
        formula_rows: 0,
    };
    collect_questions(sheet, grid, &rows, &headers, &mut layout, max_questions);
    if layout.questions.is_empty() {
        return Err(if layout.formula_rows > 0 {
            format!(
                "all {} question rows have formula answer cells (computed from other cells)",
                layout.formula_rows
            )
        } else {
            "no question rows found below the header".to_string()
        });
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ooxml::sheet_xml::Area;
    use crate::questionnaire::grid::Dropdown;

    fn grid(rows: &[&[&str]]) -> Grid {
        let mut grid = Grid::new();
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                grid.insert(CellRef::new(r as u32, c as u32), text, false);
            }
        }
        grid
    }

    #[test]
    fn finds_header_below_a_title_and_the_columns() {
        let mut g = grid(&[
            &["Vendor security questionnaire"],
            &["Please answer every question."],
            &[],
            &["ID", "Question", "Answer", "Comments"],
            &["Access control"],
            &["AC-1", "Do you enforce MFA for all staff?", "", ""],
            &[
                "AC-2",
                "Are access rights reviewed quarterly?",
                "Yes",
                "Every quarter.",
            ],
            &["End of questionnaire"],
        ]);
        g.dropdowns.push(Dropdown {
            areas: vec![Area::parse("C5:C7").unwrap()],
            values: vec!["Yes".into(), "No".into()],
        });
        let layout = detect("S", &g, &Overrides::default(), false, usize::MAX).unwrap();
        assert_eq!(layout.header_rows, vec![3]);
        assert_eq!(layout.question_col, 1);
        assert_eq!(layout.id_col, Some(0));
        let kinds: Vec<_> = layout
            .answer_columns
            .iter()
            .map(|a| (a.col, a.kind))
            .collect();
        assert_eq!(kinds, vec![(2, AnswerKind::Short), (3, AnswerKind::Long)]);
        assert_eq!(layout.questions.len(), 2);
        assert_eq!(
            layout.questions[0].section.as_deref(),
            Some("Access control")
        );
        assert!(layout.questions[1].is_answered());
        assert_eq!(
            layout.questions[0].answer_cells[0]
                .allowed
                .as_deref()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn markers_and_numbering_are_not_part_of_a_question() {
        for (cell, question) in [
            (
                "Do you have a documented plan?*",
                "Do you have a documented plan?",
            ),
            ("  Solution Provider Name * ", "Solution Provider Name"),
            ("1. Do you encrypt data?", "Do you encrypt data?"),
            ("1.2 Do you encrypt data?", "Do you encrypt data?"),
            ("3) Describe your backups.", "Describe your backups."),
            ("(b) Describe your backups.", "Describe your backups."),
            ("a. Is MFA required?", "Is MFA required?"),
            // Numbers that are part of the question stay.
            ("2FA is required for admins?", "2FA is required for admins?"),
            ("24/7 monitoring?", "24/7 monitoring?"),
            ("5 or more years of logs?", "5 or more years of logs?"),
            ("1.5 million records?", "1.5 million records?"),
            ("A) ", "A)"),
        ] {
            assert_eq!(question_text(cell), question, "{cell:?}");
        }
    }

    #[test]
    fn question_words() {
        assert!(is_question_like("Do you encrypt data at rest?"));
        assert!(is_question_like("Describe your backup process"));
        assert!(!is_question_like("Access control"));
        assert!(looks_like_id("A&A-01.1"));
        assert!(looks_like_id("1.2.3"));
        assert!(!looks_like_id("Access control"));
        assert!(is_footer("© 2026 Example Ltd. All rights reserved."));
        assert!(is_footer("End of Standard"));
    }
}
