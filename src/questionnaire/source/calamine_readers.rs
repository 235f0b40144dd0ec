//! The `.xlsb`, `.xls` and `.ods` sheets, read with calamine's reader of each format into [`Grid`]s.
//!
//! In: the file's bytes (and, for a sheet, its opened reader). Out: the reader, or a sheet's grid. xlsb cells are
//! streamed into a sparse grid, as `ooxml_sheet` does for xlsx. calamine reads xls and ods whole and densely when
//! it opens them, so those are measured first (`extent`) and refused when their sheets span too many cells.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Cursor;
use std::sync::Arc;

use anyhow::{Result, bail};
use calamine::{Data, DataRef, Reader, SheetVisible};

use super::cell_text::data_text;
use super::tally::{Tally, insert_counted};
use super::{Backend, Format, Shared, SheetInfo};
use crate::cell::CellRef;
use crate::ooxml::package::Package;
use crate::ooxml::{Limits, OoxmlError};
use crate::questionnaire::extent;
use crate::questionnaire::grid::Grid;

/// Opens an `.xlsb`, `.xls` or `.ods` file with the calamine reader of its format, after the checks that keep
/// calamine from unpacking a zip bomb or laying out billions of cells.
pub(super) fn open_with_calamine(
    format: Format,
    bytes: Arc<[u8]>,
    limits: &Limits,
) -> Result<Backend> {
    if format == Format::Xls {
        let stream = extent::checked_xls(&bytes, limits)?;
        let xls =
            calamine::Xls::new(Cursor::new(stream.into())).map_err(describe_calamine_error)?;
        return Ok(Backend::Xls(Box::new(xls)));
    }
    let names = Package::check_only(&bytes, limits)?;
    // An .xlsx renamed: refused rather than read as something it is not.
    if names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("xl/workbook.xml"))
    {
        bail!(
            "it is an Excel workbook (.xlsx) with a .{} name; rename it to .xlsx",
            format.extension()
        );
    }
    Ok(match format {
        Format::Xlsb => Backend::Xlsb(Box::new(
            calamine::Xlsb::new(Cursor::new(bytes)).map_err(describe_calamine_error)?,
        )),
        Format::Ods => {
            extent::check_ods(&bytes, limits)?;
            Backend::Ods(Box::new(
                calamine::Ods::new(Cursor::new(bytes)).map_err(describe_calamine_error)?,
            ))
        }
        other => unreachable!("{other:?} is not read by calamine alone"),
    })
}

/// The worksheets a calamine reader lists (chartsheets and macro sheets hold no questions).
pub(super) fn worksheets<R: Reader<Shared>>(reader: &R) -> Vec<SheetInfo> {
    reader
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| SheetInfo {
            name: s.name.clone(),
            hidden: s.visible != SheetVisible::Visible,
        })
        .collect()
}

/// Streams an `.xlsb` sheet's cells into a sparse grid, as `read_ooxml_sheet` does for `.xlsx`.
pub(super) fn read_xlsb_sheet(
    xlsb: &mut calamine::Xlsb<Shared>,
    name: &str,
    tally: &mut Tally,
    limits: &Limits,
) -> Result<Grid> {
    // The cells calamine streams do not say whether they hold a formula; a first pass over the formula records
    // does. A formula calamine cannot parse ends that pass early: cells after it lose the flag, not their value.
    let mut formulas = HashSet::new();
    {
        let mut reader = xlsb
            .worksheet_cells_reader(name)
            .map_err(describe_calamine_error)?;
        while let Ok(Some(cell)) = reader.next_formula() {
            if !cell.get_value().is_empty() {
                formulas.insert(cell.get_position());
            }
            if tally.cells + formulas.len() > limits.max_cells {
                return Err(limits.too_many_cells().into());
            }
        }
    }
    let mut grid = Grid::new();
    let mut reader = xlsb
        .worksheet_cells_reader(name)
        .map_err(describe_calamine_error)?;
    while let Some(cell) = reader.next_cell().map_err(describe_calamine_error)? {
        let (row, col) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::SharedString(s) => Cow::Borrowed(*s),
            DataRef::String(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(data_text(&Data::from(other.clone())).into_owned()),
        };
        let formula = formulas.remove(&(row, col));
        insert_counted(
            &mut grid,
            CellRef::new(row, col),
            text,
            formula,
            tally,
            limits,
        )?;
    }
    // Formula cells whose cached value is empty have no value record.
    for (row, col) in formulas {
        insert_counted(
            &mut grid,
            CellRef::new(row, col),
            Cow::Borrowed(""),
            true,
            tally,
            limits,
        )?;
    }
    Ok(grid)
}

/// Copies a sheet of a workbook calamine has already read whole (`.xls`, `.ods`: measured before it was opened)
/// into a sparse grid.
pub(super) fn read_dense_sheet<R>(
    reader: &mut R,
    name: &str,
    tally: &mut Tally,
    limits: &Limits,
) -> Result<Grid>
where
    R: Reader<Shared>,
    calamine::Error: From<R::Error>,
{
    let values = reader
        .worksheet_range(name)
        .map_err(describe_calamine_error)?;
    let formulas = reader.worksheet_formula(name).unwrap_or_default();
    let mut grid = Grid::new();
    for (row, col, value) in values.used_cells() {
        let (row0, col0) = values.start().unwrap_or((0, 0));
        let at = CellRef::new(row0 + row as u32, col0 + col as u32);
        let formula = formulas
            .get_value((at.row, at.col))
            .is_some_and(|f| !f.is_empty());
        insert_counted(&mut grid, at, data_text(value), formula, tally, limits)?;
    }
    // Formula cells whose cached value is empty are not in `used_cells`.
    for (row, col, formula) in formulas.used_cells() {
        let (row0, col0) = formulas.start().unwrap_or((0, 0));
        let at = CellRef::new(row0 + row as u32, col0 + col as u32);
        if !formula.is_empty() && grid.cell(at).is_none() {
            insert_counted(&mut grid, at, Cow::Borrowed(""), true, tally, limits)?;
        }
    }
    Ok(grid)
}

fn describe_calamine_error(err: impl Into<calamine::Error>) -> anyhow::Error {
    let text = err.into().to_string();
    if text.to_lowercase().contains("password") {
        return OoxmlError::Encrypted.into();
    }
    anyhow::anyhow!("it could not be read as a workbook: {text}")
}
