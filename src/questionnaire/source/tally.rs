//! What the sheets of a workbook hold, counted as their cells stream in.
//!
//! In: each cell a reader streams, and the counts of the sheets read before. Out: the cell in its sheet's grid, or
//! a refusal that names the limit (cells, text, or a cell past Excel's last). Text is counted per cell that shows
//! it, not per string stored, since every cell gets its own copy.

use std::borrow::Cow;

use anyhow::{Result, bail};

use crate::cell::{CellRef, MAX_COLUMNS, MAX_ROWS};
use crate::ooxml::Limits;
use crate::questionnaire::grid::Grid;

/// What the sheets read so far hold, checked against the workbook's limits as cells stream in.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) cells: usize,
    pub(super) text_bytes: u64,
}

/// Puts a streamed cell into a sheet's grid and refuses the workbook once it holds more cells, or more text, than
/// the limits allow: a string stored once can be shown by millions of cells, each of which gets its own copy. A
/// text longer than a cell may hold is kept cut to the limit, but counted whole. A cell past Excel's last row or
/// column is damage, refused as soon as it is read (#29: the review reader walked every row up to the last).
pub(super) fn insert_counted(
    grid: &mut Grid,
    at: CellRef,
    text: Cow<'_, str>,
    formula: bool,
    tally: &mut Tally,
    limits: &Limits,
) -> Result<()> {
    if at.row >= MAX_ROWS || at.col >= MAX_COLUMNS {
        bail!(
            "it has a cell at row {}, column {}, past Excel's last cell (XFD{MAX_ROWS}): the file is damaged",
            u64::from(at.row) + 1,
            u64::from(at.col) + 1
        );
    }
    tally.text_bytes += text.len() as u64;
    match text {
        Cow::Borrowed(text) => grid.insert(at, text, formula),
        Cow::Owned(text) => grid.insert_owned(at, text, formula),
    }
    if tally.cells + grid.len() > limits.max_cells {
        return Err(limits.too_many_cells().into());
    }
    if tally.text_bytes > limits.max_text_bytes {
        return Err(limits.too_much_text().into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::Path;

    use super::super::{Format, Workbook};
    use super::*;

    #[test]
    fn a_shared_string_counts_once_per_cell_that_shows_it() {
        use std::io::Write;
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let cells: String = (1..=50)
            .map(|row| format!(r#"<row r="{row}"><c r="A{row}" t="s"><v>0</v></c></row>"#))
            .collect();
        let parts = [
            (
                "_rels/.rels",
                format!(
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Q" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/sharedStrings.xml",
                format!(r#"<sst {ns}><si><t>{}</t></si></sst>"#, "x".repeat(100)),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<worksheet {ns}><sheetData>{cells}</sheetData></worksheet>"#),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let open = |max_text_bytes| {
            let limits = Limits {
                max_text_bytes,
                ..Limits::default()
            };
            let mut workbook =
                Workbook::from_bytes(Path::new("q.xlsx"), Format::Xlsx, bytes.clone(), &limits)
                    .unwrap();
            workbook.grid("Q").map(|g| g.len())
        };
        assert_eq!(open(5_000).unwrap(), 50);
        let error = format!("{:#}", open(4_999).unwrap_err());
        assert!(error.contains("of text"), "{error}");
    }
}
