//! The open-questions workbook `finish` writes beside the answered file: the questions still without an answer
//! after the review (their [`QuestionState`]s in, workbook bytes out).

use std::path::Path;

use anyhow::Result;

use super::rows::QuestionState;
use crate::workbook::columns::{cell_formats, new_workbook, write_header_row};
use crate::workbook::patch::fit_to_cell;

/// The open questions after `finish` (rejected, Needs SME, undecided without an answer, or not written), as a
/// workbook of their own beside the answered file: one row per question, with where it is, why it is open and
/// what was drafted, to finish by hand or send to whoever knows the answer (see #16).
pub fn open_questions_workbook(questions: &[QuestionState], answered: &Path) -> Result<Vec<u8>> {
    let mut workbook = new_workbook("answerbank open questions");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Open questions")?;
    let (wrap, top) = cell_formats();
    let columns: [(&str, f64); 8] = [
        ("#", 5.0),
        ("Sheet", 16.0),
        ("Cells", 10.0),
        ("Question ID", 12.0),
        ("Question", 55.0),
        ("State", 14.0),
        ("Why it is open", 45.0),
        ("Drafted answer", 55.0),
    ];
    write_header_row(sheet, &columns, &[])?;
    let open: Vec<&QuestionState> = questions.iter().filter(|q| q.state.is_open()).collect();
    for (i, question) in open.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_number_with_format(r, 0, question.number as f64, &top)?;
        sheet.write_string_with_format(r, 1, &question.sheet, &top)?;
        sheet.write_string_with_format(r, 2, question.cells.join(", "), &top)?;
        sheet.write_string_with_format(
            r,
            3,
            question.question_id.as_deref().unwrap_or(""),
            &top,
        )?;
        sheet.write_string_with_format(r, 4, fit_to_cell(&question.question).0, &wrap)?;
        sheet.write_string_with_format(r, 5, question.state.as_str(), &top)?;
        sheet.write_string_with_format(r, 6, question.reason.as_deref().unwrap_or(""), &wrap)?;
        sheet.write_string_with_format(r, 7, question.drafted.as_deref().unwrap_or(""), &wrap)?;
    }
    let last = open.len() as u32;
    if open.is_empty() {
        sheet.write_string(1, 0, "Nothing is open: every question has an answer.")?;
    } else {
        sheet.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    }
    sheet.write_string(
        last + 2,
        0,
        format!(
            "The questions above are unanswered in {}; the # is the row's # in the review workbook.",
            answered.display()
        ),
    )?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
