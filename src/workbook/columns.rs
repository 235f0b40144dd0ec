//! Sheets answerbank writes for people: the workbook's properties, the header row, cell formats and row heights.
//!
//! Shared by every workbook a person reads and types into (the questionnaire review and its open questions in
//! `review/`, the bulk review of proposed entries in `entry_review`), so they look and measure alike. A column
//! table is a list of `(header, width)`: the writer writes the headers from it, and the reader finds the columns
//! it reads back by those same headers (a reviewer may move them).

use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, Workbook, Worksheet};

use crate::questionnaire::grid::Grid;

pub(crate) fn new_workbook(title: &str) -> Workbook {
    let mut workbook = Workbook::new();
    // Compressing the XML is much of the time a review workbook takes to write: the fastest level, not the
    // default 6 (#18: 10,000 questions write in 0.44 s instead of 0.53 s; the file is a little larger).
    workbook.set_zip_compression_level(1);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("answerbank"),
    );
    workbook
}

/// The header row of the sheets answerbank writes for people.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E78))
        .set_font_color(Color::White)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// Wrapped text and plain cells, both at the top of a row that long answers make tall.
pub(crate) fn cell_formats() -> (Format, Format) {
    (
        Format::new().set_text_wrap().set_align(FormatAlign::Top),
        Format::new().set_align(FormatAlign::Top),
    )
}

/// The cells a reviewer types into, set apart from what answerbank wrote.
pub(crate) fn reviewer_format() -> Format {
    cell_formats().0.set_background_color(Color::RGB(0xFFF8E7))
}

/// Writes a header row from a column table and sets the columns' widths; the columns in `yours` (the ones a
/// reviewer writes in) get a header of their own colour.
pub(crate) fn write_header_row(
    sheet: &mut Worksheet,
    columns: &[(&str, f64)],
    yours: &[u16],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let header = header_format();
    let header_yours = header.clone().set_background_color(Color::RGB(0x7B3F00));
    for (col, (name, width)) in columns.iter().enumerate() {
        let col = col as u16;
        let format = if yours.contains(&col) {
            &header_yours
        } else {
            &header
        };
        sheet.write_string_with_format(0, col, *name, format)?;
        sheet.set_column_width(col, *width)?;
    }
    Ok(())
}

/// Finds the columns `wanted` (indexes into `columns`) by their headers in row 1 of a sheet read back, wherever a
/// reviewer moved them; the error is the header of the first one missing.
pub(crate) fn find_columns<'a>(
    sheet: &Grid,
    columns: &[(&'a str, f64)],
    wanted: &[u16],
) -> Result<Vec<u32>, &'a str> {
    wanted
        .iter()
        .map(|&col| {
            let name = columns[usize::from(col)].0;
            sheet
                .row_cells(0)
                .iter()
                .find(|(_, cell)| cell.text.trim().eq_ignore_ascii_case(name))
                .map(|(c, _)| *c)
                .ok_or(name)
        })
        .collect()
}

/// The `#` a reviewer's row carries, as typed or as a spreadsheet stores it ("3" or "3.0"): a whole number from 1.
pub(crate) fn row_number(text: &str) -> Option<usize> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.fract() == 0.0 && *n >= 1.0)
        .map(|n| n as usize)
}

/// Points per line of wrapped 11-point text, and the most a row may be (Excel's limit).
const LINE_HEIGHT: f64 = 15.0;
const MAX_ROW_HEIGHT: f64 = 409.0;

/// How many lines `text` takes when wrapped at word boundaries in a column `width` wide. The width unit is the
/// width of a digit; text averages narrower (measured in LibreOffice: about 55 characters of an answer to a line
/// in a 45-wide column), so 1.15 characters a unit errs a little on the tall side, never cutting text off.
pub(crate) fn wrapped_lines(text: &str, width: f64) -> usize {
    let capacity = ((width * 1.15).floor() as usize).saturating_sub(1).max(1);
    text.split('\n')
        .map(|paragraph| {
            let mut lines = 1;
            let mut used = 0;
            for word in paragraph.split_whitespace() {
                let len = word.chars().count();
                if used == 0 {
                    used = len;
                } else if used + 1 + len <= capacity {
                    used += 1 + len;
                } else {
                    lines += 1;
                    used = len;
                }
                // A word longer than the column wraps inside itself.
                while used > capacity {
                    lines += 1;
                    used -= capacity;
                }
            }
            lines
        })
        .sum()
}

/// The height of a row of `lines` lines of text.
pub(crate) fn row_height(lines: usize) -> f64 {
    (lines as f64 * LINE_HEIGHT + 2.0).min(MAX_ROW_HEIGHT)
}

/// What the hidden sheet of one of answerbank's own workbooks says it is: its marker in A1, its format version in
/// B1 (the review of a questionnaire and the review of proposed entries both carry one).
pub(crate) enum Stamp {
    Ours,
    NotOurs,
    /// Ours, written in another format version (the one it names).
    OtherVersion(String),
}

pub(crate) fn stamp(data: &Grid, marker: &str, version: u32) -> Stamp {
    let text = |c: u32| {
        data.cell(crate::cell::CellRef::new(0, c))
            .map_or("", |cell| cell.text.as_str())
    };
    if text(0) != marker {
        Stamp::NotOurs
    } else if text(1) != version.to_string() {
        Stamp::OtherVersion(text(1).to_string())
    } else {
        Stamp::Ours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_as_tall_as_their_wrapped_text() {
        assert_eq!(wrapped_lines("", 48.0), 1);
        assert_eq!(wrapped_lines("Do you encrypt data at rest?", 48.0), 1);
        assert_eq!(wrapped_lines(&"word ".repeat(30), 48.0), 3);
        assert_eq!(wrapped_lines("one\ntwo\n\nfour", 48.0), 4);
        assert_eq!(wrapped_lines(&"x".repeat(100), 48.0), 2);
        assert_eq!(row_height(1), 17.0);
        assert_eq!(row_height(1000), MAX_ROW_HEIGHT);
    }
}
