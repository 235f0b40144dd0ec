//! A same-shaped `.xlsx` for inputs that cannot be edited in place (`.xls`, `.xlsb`, `.ods`, `.csv`).
//!
//! In: the input file and the cell edits. Out: the bytes of a new workbook with the same sheets (hidden ones
//! hidden), the same cells at the same positions, and the answers written in. Formatting cannot be carried over
//! from these formats, which is why `draft` says so on stderr.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};

use crate::ooxml::Limits;
use crate::questionnaire::source::Workbook as Source;
use crate::workbook::patch::{CellEdit, fit_to_cell};

/// Builds the copy.
pub fn xlsx_copy(
    path: &Path,
    edits: &BTreeMap<String, Vec<CellEdit>>,
    limits: &Limits,
) -> Result<Vec<u8>> {
    let mut source = Source::open(path, limits)?;
    let mut workbook = Workbook::new();
    let wrap = Format::new().set_text_wrap();
    for info in source.sheets.clone() {
        let grid = source.grid(&info.name)?.clone();
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
        for row in grid.row_numbers().collect::<Vec<_>>() {
            for (col, cell) in grid.row_cells(row) {
                sheet.write_string(row, *col as u16, fit_to_cell(&cell.text).0)?;
            }
        }
        for edit in edits.get(&info.name).into_iter().flatten() {
            sheet.write_string_with_format(
                edit.cell.row,
                edit.cell.col as u16,
                fit_to_cell(&edit.text).0,
                &wrap,
            )?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}
