//! One `.xlsx`/`.xlsm` sheet read into a [`Grid`].
//!
//! In: the checked package and calamine's xlsx reader. Out: the sheet's grid and its dropdown lists, still to be
//! resolved by the workbook. The cells are streamed from calamine's cell reader into a sparse grid (calamine's
//! dense `Range` would allocate rows × columns from the first to the last cell, which a hostile file can make
//! enormous), and the sheet XML is scanned for dropdowns, hidden rows and merges.

use std::borrow::Cow;

use anyhow::{Context, Result};
use calamine::{Data, DataRef};

use super::Shared;
use super::cell_text::data_text;
use super::tally::{Tally, insert_counted};
use crate::cell::CellRef;
use crate::ooxml::package::Package;
use crate::ooxml::sheet_xml::{self, Area, ListSource};
use crate::ooxml::{Limits, OoxmlError};
use crate::questionnaire::grid::Grid;
use crate::questionnaire::instructions;

pub(super) type Lists = Vec<(Vec<Area>, ListSource)>;

pub(super) fn read_ooxml_sheet(
    package: &Package,
    xlsx: &mut calamine::Xlsx<Shared>,
    name: &str,
    tally: &mut Tally,
    limits: &Limits,
) -> Result<(Grid, Lists)> {
    let part = package
        .sheet(name)
        .and_then(|s| s.part.clone())
        .with_context(|| format!("sheet '{name}' has no worksheet part"))?;
    let extras = sheet_xml::scan(&package.read_part(&part)?, &part)?;
    let mut grid = Grid::new();
    let mut reader = xlsx
        .worksheet_cells_reader(name)
        .map_err(describe_xlsx_error)?;
    while let Some(record) = reader
        .next_cell_with_formula_metadata()
        .map_err(describe_xlsx_error)?
    {
        let (row, col) = record.pos;
        // A shared string is borrowed from calamine's table and an inline one moved: a long text is cut to a
        // cell's limit without being copied whole (#29).
        let text = match record.value {
            DataRef::SharedString(s) => Cow::Borrowed(s),
            DataRef::String(s) => Cow::Owned(s),
            other => Cow::Owned(data_text(&Data::from(other)).into_owned()),
        };
        insert_counted(
            &mut grid,
            CellRef::new(row, col),
            text,
            record.formula.is_some(),
            tally,
            limits,
        )?;
    }
    grid.hidden_rows = extras.hidden_rows;
    grid.instructions = extras
        .messages
        .into_iter()
        .filter_map(|m| instructions::read(&m.text).map(|i| (m.areas, i)))
        .collect();
    grid.protected = extras.protected;
    grid.set_merges(extras.merges);
    let lists = extras
        .lists
        .into_iter()
        .map(|l| (l.areas, l.source))
        .collect();
    Ok((grid, lists))
}

pub(super) fn describe_xlsx_error(err: calamine::XlsxError) -> anyhow::Error {
    match err {
        calamine::XlsxError::Password => OoxmlError::Encrypted.into(),
        other => anyhow::anyhow!("it could not be read as a workbook: {other}"),
    }
}
