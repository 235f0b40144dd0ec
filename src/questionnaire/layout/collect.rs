//! Row collection: with the columns decided, which rows below the header are questions (not section headings,
//! repeated headers or footers), each with its section and its writable answer cells.

use std::collections::HashMap;

use super::*;
use crate::cell::CellRef;

pub(super) fn is_footer(text: &str) -> bool {
    let t = norm(text);
    t.starts_with("end of")
        || t.contains('©')
        || has_word(&t, "copyright")
        || t.contains("all rights reserved")
        || (t.starts_with("page ") && has_word(&t, "of"))
}

/// Is this row a header (the first one, or one repeated at a section)? A cell that repeats a known header in a
/// question or answer column is enough: "General Information | Answer" heads a block that has no comment column.
pub(super) fn is_header_row(
    grid: &Grid,
    row: u32,
    headers: &HashMap<u32, String>,
    role_columns: &[u32],
) -> bool {
    if grid.text(CellRef::new(row, role_columns[0])).ends_with('?') {
        return false;
    }
    is_strong_header(grid, row)
        || grid.row_cells(row).iter().any(|(col, cell)| {
            role_columns.contains(col)
                && !cell.text.is_empty()
                && headers
                    .get(col)
                    .is_some_and(|h| h.split(" / ").any(|part| norm(part) == norm(&cell.text)))
        })
}

/// The label a section row carries: its first non-empty text.
pub(super) fn row_label(grid: &Grid, row: u32) -> Option<String> {
    grid.row_cells(row)
        .iter()
        .map(|(_, c)| c.text.trim())
        .find(|t| !t.is_empty())
        .map(str::to_string)
}

/// Walks the rows top to bottom. Header rows set the section (their label) and which answer columns the block
/// below them has; rows above the first header count only when they carry an ID (general-information rows).
pub(super) fn collect_questions(
    sheet: &str,
    grid: &Grid,
    rows: &[u32],
    headers: &HashMap<u32, String>,
    layout: &mut SheetLayout,
    max_questions: usize,
) {
    let has_ids = layout.id_col.is_some();
    let first_header = layout.header_rows.first().copied();
    let mut role_columns = vec![layout.question_col];
    role_columns.extend(layout.answer_columns.iter().map(|a| a.col));
    let all_columns: Vec<u32> = layout.answer_columns.iter().map(|a| a.col).collect();
    let mut active: Vec<u32> = all_columns.clone();
    let mut section: Option<String> = None;
    for &row in rows {
        if layout.questions.len() > max_questions {
            break;
        }
        let in_header_block = layout.header_rows.contains(&row);
        if in_header_block || is_header_row(grid, row, headers, &role_columns) {
            // A header often names its section in a column of its own.
            if let Some(label) = grid
                .row_cells(row)
                .iter()
                .find(|(c, cell)| {
                    !role_columns.contains(c)
                        && !cell.text.trim().is_empty()
                        && headers.get(c).is_none_or(|h| norm(h) != norm(&cell.text))
                })
                .map(|(_, cell)| cell.text.trim().to_string())
            {
                section = Some(label);
            }
            active = if in_header_block {
                all_columns.clone()
            } else {
                all_columns
                    .iter()
                    .copied()
                    .filter(|&c| !grid.text(CellRef::new(row, c)).is_empty())
                    .collect()
            };
            if active.is_empty() {
                active = all_columns.clone();
            }
            continue;
        }
        let question_cell = CellRef::new(row, layout.question_col);
        let question = question_text(grid.text(question_cell));
        let id = layout
            .id_col
            .map(|c| grid.text(CellRef::new(row, c)).trim())
            .filter(|t| !t.is_empty());
        let id_is_id = id.is_some_and(looks_like_id);
        // Above the first header only rows with a question ID can be questions.
        let above_header = first_header.is_some_and(|first| row < first);
        if above_header && !id_is_id {
            continue;
        }
        let label = row_label(grid, row);
        if label.as_deref().is_some_and(is_footer) {
            continue;
        }
        if question.is_empty() {
            // Text elsewhere in the row only: a section heading (unless it is an ID with nothing to ask).
            if let Some(label) = label.filter(|l| l.chars().count() <= 120 && !looks_like_id(l)) {
                section = Some(label);
            }
            continue;
        }
        let question_like = is_question_like(question);
        let spans_answers = grid.merge_at(question_cell).is_some_and(|area| {
            layout
                .answer_columns
                .iter()
                .any(|a| (area.first.col..=area.last.col).contains(&a.col))
        });
        let is_section = spans_answers
            || (has_ids && !id_is_id && !question.ends_with('?'))
            || (!has_ids && !question_like && question.split_whitespace().count() <= 8);
        if is_section {
            // Titles above the first header are not sections of the questions below it.
            if question.chars().count() <= 120 && !above_header {
                section = Some(question.to_string());
            }
            continue;
        }
        if question.chars().count() < 8 || question.split_whitespace().count() < 2 {
            continue;
        }
        let context = layout
            .context_col
            .map(|c| crate::text::one_line(grid.text(CellRef::new(row, c))))
            .filter(|t| !t.is_empty() && t.chars().count() <= 120);
        let mut cells = Vec::new();
        let mut formulas = 0;
        // The sheet's own input message may say "leave this cell blank, answer in column C" (see #26).
        let mut answer_in = None;
        for column in layout
            .answer_columns
            .iter()
            .filter(|a| active.contains(&a.col))
        {
            let at = CellRef::new(row, column.col);
            if grid.is_merge_shadow(at) {
                continue;
            }
            match grid.instruction(at) {
                Some(Instruction::LeaveAlone) => continue,
                Some(Instruction::AnswerIn(col)) => {
                    answer_in = answer_in.or(Some(col));
                    continue;
                }
                None => {}
            }
            let cell = grid.cell(at);
            if cell.is_some_and(|c| c.formula) {
                formulas += 1;
                continue;
            }
            cells.push(AnswerCell {
                cell: at,
                kind: column.kind,
                // A mark column without a dropdown takes the mark the sheet's own answers use.
                allowed: grid.dropdown(at).map(<[String]>::to_vec).or_else(|| {
                    column
                        .kind
                        .is_mark()
                        .then(|| column.allowed_values.clone())
                        .flatten()
                }),
                current: cell.map(|c| c.text.clone()).unwrap_or_default(),
            });
        }
        let mut single_answer_column = layout.answer_columns.len() == 1;
        if let Some(col) = answer_in {
            // The whole answer goes into the column the sheet names, whatever that column is for on other rows: as
            // free text, unless the cell's own dropdown limits it to a Yes/No.
            cells.retain(|c| c.cell.col == col);
            for cell in cells.iter_mut().filter(|c| c.allowed.is_none()) {
                cell.kind = AnswerKind::Long;
            }
            let at = CellRef::new(row, col);
            let writable = col != layout.question_col
                && !grid.is_merge_shadow(at)
                && grid.instruction(at).is_none()
                && !grid.cell(at).is_some_and(|c| c.formula);
            if cells.is_empty() && writable {
                cells.push(AnswerCell {
                    cell: at,
                    kind: AnswerKind::Long,
                    allowed: grid.dropdown(at).map(<[String]>::to_vec),
                    current: grid.cell(at).map(|c| c.text.clone()).unwrap_or_default(),
                });
            }
            single_answer_column = true;
        }
        if cells.is_empty() {
            if formulas > 0 {
                layout.formula_rows += 1;
            }
            continue;
        }
        layout.questions.push(QuestionRow {
            sheet: sheet.to_string(),
            row,
            id: id.map(str::to_string),
            question: question.to_string(),
            section: context.or_else(|| section.clone()),
            answer_cells: cells,
            single_answer_column,
        });
    }
}
