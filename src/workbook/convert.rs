//! A same-shaped `.xlsx` for inputs that cannot be edited in place (`.xls`, `.xlsb`, `.ods`, `.csv`).
//!
//! In: the opened input and the cell edits. Out: the bytes of a new workbook with the same sheets (hidden ones
//! hidden), the same cells at the same positions, and the answers written in. Formatting cannot be carried over
//! from these formats, which is why `draft` and `finish` say so on stderr.

use std::collections::BTreeMap;

use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};

use crate::questionnaire::source::Workbook as Source;
use crate::workbook::patch::{CellEdit, PatchReport, fit_to_cell};

/// Builds the copy; the report says how many answers were written and which were cut to fit a cell.
pub fn xlsx_copy(
    mut source: Source,
    edits: &BTreeMap<String, Vec<CellEdit>>,
) -> Result<(Vec<u8>, PatchReport)> {
    let mut workbook = Workbook::new();
    let mut report = PatchReport::default();
    let wrap = Format::new().set_text_wrap();
    for index in 0..source.sheets.len() {
        let info = source.sheets[index].clone();
        let grid = source.grid(&info.name)?;
        let sheet = workbook.add_worksheet();
        // Excel sheet names are at most 31 characters and cannot hold []:*?/\
        let name: String = info
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(if name.trim().is_empty() {
            "Sheet"
        } else {
            name.as_str()
        })?;
        if info.hidden {
            sheet.set_hidden(true);
        }
        for row in grid.row_numbers() {
            for (col, cell) in grid.row_cells(row) {
                sheet.write_string(row, *col as u16, fit_to_cell(&cell.text).0)?;
            }
        }
        for edit in edits.get(&info.name).into_iter().flatten() {
            let (text, truncated) = fit_to_cell(&edit.text);
            sheet.write_string_with_format(edit.cell.row, edit.cell.col as u16, text, &wrap)?;
            report.written += 1;
            if truncated {
                report.truncated.push((info.name.clone(), edit.cell));
            }
        }
    }
    Ok((workbook.save_to_buffer()?, report))
}
