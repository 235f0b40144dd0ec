//! Opening a customer file of any supported format as sheets of [`Grid`]s.
//!
//! In: a path (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`, `.csv`). Out: a [`Workbook`] that lists its sheets and
//! reads each on demand. The file is read once into memory and never written. Zip-based formats pass the
//! package checks of `ooxml::package` first. Each format is opened by its own calamine reader, never by content
//! sniffing, so a file is read as what its name says or refused. xlsx/xlsm and xlsb cells are streamed from
//! calamine's cell readers into a sparse grid (calamine's dense `Range` would allocate rows × columns from the first
//! to the last cell, which a hostile file can make enormous), and the xlsx sheet XML is scanned for dropdowns,
//! hidden rows and merges. calamine reads xls and ods whole and densely when it opens them, so those are measured
//! first (`extent`) and refused when their sheets span too many cells.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use calamine::{Data, DataRef, Reader, SheetVisible};

use super::extent;
use super::grid::{Dropdown, Grid};
use crate::cell::{CellRef, MAX_COLUMNS, MAX_ROWS};
use crate::date::Date;
use crate::ooxml::package::Package;
use crate::ooxml::sheet_xml::{self, Area, ListSource};
use crate::ooxml::{Limits, OoxmlError};

/// The file formats answerbank reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" => Format::Xlsx,
            "xlsm" => Format::Xlsm,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "csv" | "txt" | "tsv" => Format::Csv,
            _ => return None,
        })
    }

    /// Whether answers can be written into the file itself (the other formats get an `.xlsx` copy).
    pub fn is_ooxml(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xlsm)
    }

    /// Whether the file is a zip package, which must pass the package checks before anything unpacks it.
    pub fn is_zip(self) -> bool {
        matches!(
            self,
            Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Ods
        )
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
}

/// A sheet as the workbook lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    pub hidden: bool,
}

/// Reads an input file whole, after checking that it is a spreadsheet by name and within the size limit (so a
/// huge file is refused before anything is allocated for it). The bytes are read straight into the shared
/// buffer the readers and the writer use, and never more than the size checked: a file that grows or shrinks
/// while it is read is refused.
pub fn read_input(path: &Path, limits: &Limits) -> Result<(Format, Arc<[u8]>)> {
    let format = Format::from_path(path).with_context(|| {
        "it is not a supported spreadsheet (use .xlsx, .xlsm, .xls, .xlsb, .ods or .csv)"
            .to_string()
    })?;
    // Looked at before opening: opening a named pipe would wait for a writer.
    let metadata = std::fs::metadata(path).context("cannot read it")?;
    if metadata.is_dir() {
        bail!("it is a folder, not a file");
    }
    if !metadata.is_file() {
        bail!("it is not a regular file (a device, pipe or socket)");
    }
    let mut file = std::fs::File::open(path).context("cannot read it")?;
    let metadata = file.metadata().context("cannot read it")?;
    limits.check_file_size(metadata.len())?;
    let length = usize::try_from(metadata.len()).context("cannot read it")?;
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0, length).collect();
    let buffer = Arc::get_mut(&mut bytes).expect("a new buffer has one owner");
    let changed = || "cannot read it: it changed while it was being read";
    match file.read_exact(buffer) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => bail!(changed()),
        other => other.context("cannot read it")?,
    }
    if file.read(&mut [0u8]).context("cannot read it")? != 0 {
        bail!(changed());
    }
    Ok((format, bytes))
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

/// What the sheets read so far hold, checked against the workbook's limits as cells stream in.
#[derive(Debug, Default)]
struct Tally {
    cells: usize,
    text_bytes: u64,
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

type Lists = Vec<(Vec<Area>, ListSource)>;

fn read_ooxml_sheet(
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
        .filter_map(|m| super::instructions::read(&m.text).map(|i| (m.areas, i)))
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

/// Opens an `.xlsb`, `.xls` or `.ods` file with the calamine reader of its format, after the checks that keep
/// calamine from unpacking a zip bomb or laying out billions of cells.
fn open_with_calamine(format: Format, bytes: Arc<[u8]>, limits: &Limits) -> Result<Backend> {
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
fn worksheets<R: Reader<Shared>>(reader: &R) -> Vec<SheetInfo> {
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

/// Puts a streamed cell into a sheet's grid and refuses the workbook once it holds more cells, or more text, than
/// the limits allow: a string stored once can be shown by millions of cells, each of which gets its own copy. A
/// text longer than a cell may hold is kept cut to the limit, but counted whole. A cell past Excel's last row or
/// column is damage, refused as soon as it is read (#29: the review reader walked every row up to the last).
fn insert_counted(
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

/// Streams an `.xlsb` sheet's cells into a sparse grid, as `read_ooxml_sheet` does for `.xlsx`.
fn read_xlsb_sheet(
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
fn read_dense_sheet<R>(
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

/// A cell value as text: whole numbers without `.0`, dates as ISO dates; a text borrowed.
fn data_text(value: &Data) -> Cow<'_, str> {
    Cow::Owned(match value {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => return Cow::Borrowed(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => serial_date_text(d.as_f64()),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    })
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Excel's day serial (1900 system) as `YYYY-MM-DD`.
fn serial_date_text(serial: f64) -> String {
    if !(0.0..3_000_000.0).contains(&serial) {
        return float_text(serial);
    }
    let epoch = Date::new(1899, 12, 30).expect("valid date");
    epoch.add_days(serial.floor() as i64).to_string()
}

fn contains_utf16(bytes: &[u8], text: &str) -> bool {
    let needle: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn describe_xlsx_error(err: calamine::XlsxError) -> anyhow::Error {
    match err {
        calamine::XlsxError::Password => OoxmlError::Encrypted.into(),
        other => anyhow::anyhow!("it could not be read as a workbook: {other}"),
    }
}

fn describe_calamine_error(err: impl Into<calamine::Error>) -> anyhow::Error {
    let text = err.into().to_string();
    if text.to_lowercase().contains("password") {
        return OoxmlError::Encrypted.into();
    }
    anyhow::anyhow!("it could not be read as a workbook: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_text() {
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(serial_date_text(44803.0), "2022-08-30");
    }

    #[test]
    fn an_input_is_read_whole_and_never_past_the_size_checked() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("q.csv");
        std::fs::write(&csv, "question\nDo you encrypt data?\n").unwrap();
        let (format, bytes) = read_input(&csv, &Limits::default()).unwrap();
        assert_eq!(format, Format::Csv);
        assert_eq!(&bytes[..], b"question\nDo you encrypt data?\n");

        // A file whose size says one thing and whose content another (here a /proc file, which reports 0
        // bytes) is refused rather than read past the size that was checked against the limit.
        let proc_file = Path::new("/proc/self/status");
        if proc_file.exists() {
            let link = dir.path().join("growing.csv");
            std::os::unix::fs::symlink(proc_file, &link).unwrap();
            let error = format!("{:#}", read_input(&link, &Limits::default()).unwrap_err());
            assert!(error.contains("changed while it was being read"), "{error}");
        }

        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let error = format!("{:#}", read_input(&csv, &limits).unwrap_err());
        assert!(error.contains("limit"), "{error}");
    }

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

    #[test]
    fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("questions.csv");
        if !crate::fsutil::mkfifo(&pipe) {
            return;
        }
        // On a thread, so that a regression fails the test instead of hanging the suite.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(read_input(&pipe, &Limits::default()).map(|_| ()));
        });
        let result = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a named pipe waited for a writer");
        let error = format!("{:#}", result.unwrap_err());
        assert!(error.contains("not a regular file"), "{error}");
    }
}
