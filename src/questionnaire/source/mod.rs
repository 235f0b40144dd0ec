//! Opening a customer file of any supported format as sheets of [`Grid`]s.
//!
//! In: a path (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`, `.csv`). Out: a [`Workbook`] that lists its sheets and
//! reads each on demand. The file is read once into memory and never written. Zip-based formats pass the
//! package checks of `ooxml::package` first. Each format is opened by its own calamine reader, never by content
//! sniffing, so a file is read as what its name says or refused.
//!
//! One job per file (see #28): `input` tells the format from the name and reads the bytes, this file opens the
//! [`Workbook`] and resolves its dropdowns, `ooxml_sheet` streams an xlsx/xlsm sheet, `calamine_readers` reads
//! xlsb, xls and ods sheets, `tally` counts what the sheets hold against the limits, and `cell_text` is how a
//! cell's value reads as text.

mod calamine_readers;
mod cell_text;
mod input;
mod ooxml_sheet;
mod tally;

pub use input::{Format, read_input};

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, bail};
use calamine::Reader;

use calamine_readers::{open_with_calamine, read_dense_sheet, read_xlsb_sheet, worksheets};
use ooxml_sheet::{describe_xlsx_error, read_ooxml_sheet};
use tally::Tally;

use super::grid::{Dropdown, Grid};
use crate::cell::CellRef;
use crate::ooxml::package::Package;
use crate::ooxml::sheet_xml::{Area, ListSource};
use crate::ooxml::{Limits, OoxmlError};

/// A sheet as the workbook lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    pub hidden: bool,
}

/// The file's bytes as calamine reads them: a cursor over the buffer the package also holds.
type Shared = Cursor<Arc<[u8]>>;

enum Backend {
    Ooxml {
        package: Package,
        /// Made when the first sheet's cells are read: writing into the package (`finish`) needs no cells.
        xlsx: Option<Box<calamine::Xlsx<Shared>>>,
    },
    Xlsb(Box<calamine::Xlsb<Shared>>),
    /// Read whole when opened: only after `extent` has measured the file.
    Xls(Box<calamine::Xls<Shared>>),
    Ods(Box<calamine::Ods<Shared>>),
    Csv,
}

/// An opened customer file.
pub struct Workbook {
    pub path: PathBuf,
    pub format: Format,
    pub sheets: Vec<SheetInfo>,
    backend: Backend,
    limits: Limits,
    grids: HashMap<String, Grid>,
    tally: Tally,
}

impl std::fmt::Debug for Workbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook")
            .field("path", &self.path)
            .field("sheets", &self.sheets)
            .finish()
    }
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

impl Workbook {
    /// Opens a file. Errors say what is wrong in the user's words; the caller adds the file name.
    pub fn open(path: &Path, limits: &Limits) -> Result<Workbook> {
        let (format, bytes) = read_input(path, limits)?;
        Workbook::from_bytes(path, format, bytes, limits)
    }

    /// Opens a file already in memory; `path` names it (and its CSV sheet) in messages.
    pub fn from_bytes(
        path: &Path,
        format: Format,
        bytes: impl Into<Arc<[u8]>>,
        limits: &Limits,
    ) -> Result<Workbook> {
        let bytes: Arc<[u8]> = bytes.into();
        limits.check_file_size(bytes.len() as u64)?;
        if bytes.is_empty() {
            bail!("it is empty");
        }
        let mut workbook = Workbook {
            path: path.to_path_buf(),
            format,
            sheets: Vec::new(),
            backend: Backend::Csv,
            limits: limits.clone(),
            grids: HashMap::new(),
            tally: Tally::default(),
        };
        if format == Format::Csv {
            let grid = super::csv::read_csv(&bytes, limits)?;
            workbook.tally.cells = grid.len();
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("Sheet1")
                .to_string();
            workbook.sheets.push(SheetInfo {
                name: name.clone(),
                hidden: false,
            });
            workbook.grids.insert(name, grid);
            return Ok(workbook);
        }
        if bytes.starts_with(OLE_MAGIC) {
            // Encrypted .xlsx files are OLE containers holding an "EncryptedPackage" stream.
            if contains_utf16(&bytes, "EncryptedPackage") {
                return Err(OoxmlError::Encrypted.into());
            }
            if format != Format::Xls {
                bail!(
                    "it is an old-style binary file (.xls) with a .{} name; rename it to .xls",
                    format.extension()
                );
            }
        } else if bytes.starts_with(ZIP_MAGIC) {
            if format == Format::Xls {
                bail!("it is a zip-based file with an .xls name; rename it to .xlsx");
            }
        } else if format != Format::Xls || bytes.len() < 8 {
            bail!("it is not a spreadsheet (its content is not an Office or OpenDocument file)");
        } else {
            bail!("it is not a spreadsheet (not an OLE compound file, as .xls files are)");
        }

        if format.is_ooxml() {
            let package = Package::open(bytes, limits.clone())?;
            workbook.sheets = package
                .sheets()
                .iter()
                .filter(|s| s.part.is_some())
                .map(|s| SheetInfo {
                    name: s.name.clone(),
                    hidden: s.hidden,
                })
                .collect();
            workbook.backend = Backend::Ooxml {
                package,
                xlsx: None,
            };
        } else {
            workbook.backend = open_with_calamine(format, bytes, limits)?;
            workbook.sheets = match &workbook.backend {
                Backend::Xlsb(xlsb) => worksheets(xlsb.as_ref()),
                Backend::Xls(xls) => worksheets(xls.as_ref()),
                Backend::Ods(ods) => worksheets(ods.as_ref()),
                Backend::Ooxml { .. } | Backend::Csv => unreachable!("opened above"),
            };
        }
        if workbook.sheets.is_empty() {
            bail!("it has no worksheets");
        }
        Ok(workbook)
    }

    /// The checked package of an `.xlsx`/`.xlsm` file, which answers are written into; `None` for other formats.
    pub fn package(&self) -> Option<&Package> {
        match &self.backend {
            Backend::Ooxml { package, .. } => Some(package),
            _ => None,
        }
    }

    /// The grid of one sheet, read on first use (with its dropdowns resolved, reading the sheets their lists
    /// live on).
    pub fn grid(&mut self, name: &str) -> Result<&Grid> {
        self.load(name, 0)?;
        Ok(&self.grids[name])
    }

    fn load(&mut self, name: &str, depth: usize) -> Result<()> {
        if self.grids.contains_key(name) {
            return Ok(());
        }
        if !self.sheets.iter().any(|s| s.name == name) {
            bail!("it has no sheet named '{name}'");
        }
        let (mut grid, lists) = match &mut self.backend {
            Backend::Ooxml { package, xlsx } => {
                let xlsx = match xlsx {
                    Some(xlsx) => xlsx,
                    None => xlsx.insert(Box::new(
                        calamine::Xlsx::new(Cursor::new(package.shared_bytes()))
                            .map_err(describe_xlsx_error)?,
                    )),
                };
                read_ooxml_sheet(package, xlsx, name, &mut self.tally, &self.limits)?
            }
            Backend::Xlsb(xlsb) => (
                read_xlsb_sheet(xlsb, name, &mut self.tally, &self.limits)?,
                Vec::new(),
            ),
            Backend::Xls(xls) => {
                let mut grid = read_dense_sheet(xls.as_mut(), name, &mut self.tally, &self.limits)?;
                if let Ok(merges) = xls.merge_cells_by_sheet_name(name) {
                    grid.set_merges(
                        merges
                            .iter()
                            .map(|d| Area {
                                first: CellRef::new(d.start.0, d.start.1),
                                last: CellRef::new(d.end.0, d.end.1),
                            })
                            .collect(),
                    );
                }
                (grid, Vec::new())
            }
            Backend::Ods(ods) => (
                read_dense_sheet(ods.as_mut(), name, &mut self.tally, &self.limits)?,
                Vec::new(),
            ),
            Backend::Csv => unreachable!("CSV grids are read when the file is opened"),
        };
        self.tally.cells += grid.len();
        // Resolve dropdowns; a list on another sheet needs that sheet (never more than a couple of levels).
        let mut dropdowns = Vec::new();
        for (areas, source) in lists {
            let values = match source {
                ListSource::Inline(values) => values,
                ListSource::Reference(reference) if depth < 2 => {
                    self.grids
                        .insert(name.to_string(), std::mem::take(&mut grid));
                    let values = self
                        .resolve_list(name, &reference, depth)
                        .unwrap_or_default();
                    grid = self.grids.remove(name).unwrap_or_default();
                    values
                }
                ListSource::Reference(_) => Vec::new(),
            };
            if !values.is_empty() {
                dropdowns.push(Dropdown { areas, values });
            }
        }
        grid.dropdowns = dropdowns;
        self.grids.insert(name.to_string(), grid);
        Ok(())
    }

    /// Values of a list given as a range or a defined name.
    fn resolve_list(&mut self, sheet: &str, reference: &str, depth: usize) -> Result<Vec<String>> {
        let reference = match &self.backend {
            Backend::Ooxml { package, .. } => package
                .defined_name(reference.trim())
                .unwrap_or(reference)
                .to_string(),
            _ => reference.to_string(),
        };
        let (target_sheet, range) = match reference.rsplit_once('!') {
            Some((sheet_part, range)) => (
                sheet_part.trim().trim_matches('\'').replace("''", "'"),
                range.to_string(),
            ),
            None => (sheet.to_string(), reference.clone()),
        };
        let Some(area) = Area::parse(&range) else {
            return Ok(Vec::new());
        };
        if target_sheet != sheet {
            self.load(&target_sheet, depth + 1)?;
        }
        // A list of absurd size (a whole column) costs nothing: only the cells that exist are read.
        Ok(self
            .grids
            .get(&target_sheet)
            .map(|g| g.texts_in(&area))
            .unwrap_or_default())
    }
}

fn contains_utf16(bytes: &[u8], text: &str) -> bool {
    let needle: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}
