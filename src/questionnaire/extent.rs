//! How much memory calamine would lay out for an `.xls` or `.ods` file, measured before calamine opens it.
//!
//! In: the bytes of an untrusted file (an `.ods` zip has passed the package checks). Out: a refusal that names the
//! limit, or (`.xls`) the checked stream for calamine. calamine reads these two formats whole when it opens them,
//! lays every sheet out as a dense range (every cell from the first used one to the last) and copies a cell's text
//! into every cell that repeats it. A few hundred bytes can ask for billions of cells that way: a cell at row
//! 65,536 and column 65,536 of an `.xls`, or a row of an `.ods` repeated 6,000 times whose cell is repeated across
//! 16,384 columns. So each sheet's extent (its last used row × its last used column, from A1) and the text its
//! cells expand to are counted here, by scans that keep nothing per cell, against `max_dense_cells` and
//! `max_text_bytes`. Where calamine's reading and these scans could differ, the scans count more, or refuse.

use std::io::{BufReader, Cursor, Read, Write};

use anyhow::{Result, anyhow, bail};
use quick_xml::events::{BytesStart, Event};

use crate::ooxml::{Limits, OoxmlError};

/// What a file's sheets would take once calamine has laid them out.
#[derive(Debug, Default)]
struct Footprint {
    /// Each sheet's extent, all sheets together (calamine holds every sheet at once).
    dense_cells: u64,
    /// The text of every cell, each copy counted.
    text_bytes: u64,
}

impl Footprint {
    fn check(&self, limits: &Limits) -> Result<(), OoxmlError> {
        if self.dense_cells > limits.max_dense_cells {
            return Err(limits.too_many_dense_cells(self.dense_cells));
        }
        if self.text_bytes > limits.max_text_bytes {
            return Err(limits.too_much_text());
        }
        Ok(())
    }
}

/// A sheet's extent from A1, given its last used row and column (zero-based).
fn extent(last: Option<(u64, u64)>) -> u64 {
    last.map_or(0, |(row, col)| (row + 1).saturating_mul(col + 1))
}

// ---- .ods: the tables of content.xml ----

const CONTENT: &str = "content.xml";

/// Measures the tables of an `.ods` file's `content.xml` as calamine will read them.
pub fn check_ods(bytes: &[u8], limits: &Limits) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| OoxmlError::BadZip(e.to_string()))?;
    let Ok(part) = archive.by_name(CONTENT) else {
        // calamine says what is missing.
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut scan = OdsScan::default();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| OoxmlError::xml(CONTENT, e))?;
        if matches!(event, Event::Eof) {
            break;
        }
        scan.read(&event)?;
        scan.footprint.check(limits)?;
        buf.clear();
    }
    // calamine would wait forever for the end of an unclosed table.
    if scan.table.is_some() {
        return Err(damaged("it ends inside a table").into());
    }
    Ok(())
}

fn damaged(message: &str) -> OoxmlError {
    OoxmlError::Corrupt {
        part: CONTENT.to_string(),
        message: message.to_string(),
    }
}

/// Where the scan of `content.xml` is. Elements are known by their local name, whatever their prefix: calamine
/// knows them by `table:` names only, so this counts at least what it reads.
#[derive(Default)]
struct OdsScan {
    footprint: Footprint,
    table: Option<Table>,
    row: Option<Row>,
    cell: Option<Cell>,
}

#[derive(Default)]
struct Table {
    /// Rows so far, repeats included.
    rows: u64,
    /// The last used (row, column).
    last: Option<(u64, u64)>,
}

struct Row {
    repeats: u64,
    /// Where the next cell starts.
    col: u64,
}

/// A cell whose content is being skipped and its text counted.
struct Cell {
    repeats: u64,
    has_value: bool,
    text_bytes: u64,
    /// Elements open inside the cell.
    depth: usize,
}

impl OdsScan {
    fn read(&mut self, event: &Event<'_>) -> Result<(), OoxmlError> {
        if let Some(cell) = &mut self.cell {
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    // calamine ends a cell's text at the first cell end tag it meets, so a table inside a cell
                    // could pass its rows off as the sheet's; spreadsheets never nest tables.
                    if is_table_part(e) {
                        return Err(damaged("it has a table inside a cell"));
                    }
                    // A paragraph or a tab becomes one character, `<text:s text:c="N"/>` N spaces.
                    cell.text_bytes = cell.text_bytes.saturating_add(repeat_count(e, "c"));
                    if matches!(event, Event::Start(_)) {
                        cell.depth += 1;
                    }
                }
                Event::Text(text) => cell.text_bytes += text.len() as u64,
                Event::CData(text) => cell.text_bytes += text.len() as u64,
                Event::GeneralRef(text) => cell.text_bytes += text.len() as u64 + 2,
                Event::End(_) if cell.depth > 0 => cell.depth -= 1,
                Event::End(_) => self.end_cell(),
                _ => {}
            }
            return Ok(());
        }
        match event {
            Event::Start(e) | Event::Empty(e) => {
                match e.local_name().as_ref() {
                    "table" if self.table.is_some() => {
                        return Err(damaged("it has a table inside a table"));
                    }
                    "table" => self.table = Some(Table::default()),
                    "table-row" if self.table.is_some() => {
                        if self.row.is_some() {
                            return Err(damaged("it has a row inside a row"));
                        }
                        self.row = Some(Row {
                            repeats: repeat_count(e, "number-rows-repeated"),
                            col: 0,
                        });
                    }
                    "table-cell" | "covered-table-cell" if self.row.is_some() => {
                        self.cell = Some(Cell {
                            repeats: repeat_count(e, "number-columns-repeated"),
                            has_value: has_value(e),
                            text_bytes: text_attributes_len(e),
                            depth: 0,
                        });
                    }
                    _ => {}
                }
                if matches!(event, Event::Empty(_)) {
                    self.end(e.local_name().as_ref());
                }
            }
            Event::End(e) => self.end(e.local_name().as_ref()),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) {
        match name {
            "table-cell" | "covered-table-cell" => self.end_cell(),
            "table-row" => {
                if let (Some(row), Some(table)) = (self.row.take(), self.table.as_mut()) {
                    table.rows = table.rows.saturating_add(row.repeats);
                }
            }
            "table" => {
                self.row = None;
                if let Some(table) = self.table.take() {
                    self.footprint.dense_cells = self
                        .footprint
                        .dense_cells
                        .saturating_add(extent(table.last));
                }
            }
            _ => {}
        }
    }

    fn end_cell(&mut self) {
        let (Some(cell), Some(row), Some(table)) =
            (self.cell.take(), self.row.as_mut(), self.table.as_mut())
        else {
            return;
        };
        row.col = row.col.saturating_add(cell.repeats);
        if !cell.has_value {
            return;
        }
        let last_row = table.rows.saturating_add(row.repeats - 1);
        let last_col = row.col - 1;
        let (rows, cols) = table.last.unwrap_or_default();
        table.last = Some((rows.max(last_row), cols.max(last_col)));
        // calamine copies the text into every repeat, across and down.
        let copies = cell.repeats.saturating_mul(row.repeats);
        self.footprint.text_bytes = self
            .footprint
            .text_bytes
            .saturating_add(cell.text_bytes.saturating_mul(copies));
    }
}

fn is_table_part(element: &BytesStart<'_>) -> bool {
    matches!(
        element.local_name().as_ref(),
        "table" | "table-row" | "table-cell" | "covered-table-cell"
    )
}

/// A repeat count (`number-rows-repeated`, `number-columns-repeated`, `text:c`), at least 1: calamine still reads
/// a row repeated 0 times. Not a number: 1 (calamine refuses the file). Given twice under different prefixes: the
/// larger.
fn repeat_count(element: &BytesStart<'_>, name: &str) -> u64 {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .filter(|a| a.key.local_name().as_ref() == name)
        .filter_map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(1)
        .max(1)
}

/// The length of the attributes calamine takes text from: a string, date or time value, and the formula.
fn text_attributes_len(element: &BytesStart<'_>) -> u64 {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .filter(|a| {
            matches!(
                a.key.local_name().as_ref(),
                "string-value" | "date-value" | "time-value" | "formula"
            )
        })
        .map(|a| a.value.len() as u64)
        .sum()
}

/// Whether calamine may give the cell a value: it has a value, value-type or formula attribute. A cell without
/// one is empty however it is styled, and styled empty cells repeated to the last column and row are how
/// LibreOffice ends every sheet.
fn has_value(element: &BytesStart<'_>) -> bool {
    element.attributes().with_checks(false).flatten().any(|a| {
        matches!(
            a.key.local_name().as_ref(),
            "value"
                | "value-type"
                | "string-value"
                | "date-value"
                | "time-value"
                | "boolean-value"
                | "formula"
        )
    })
}

// ---- .xls: the BIFF records of the Workbook stream ----

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const SST: u16 = 0x00FC;
const FILEPASS: u16 = 0x002F;
const CONTINUE: u16 = 0x003C;
const DIMENSIONS: u16 = 0x0200;
const LABELSST: u16 = 0x00FD;
const MULRK: u16 = 0x00BD;
/// Records whose text is in the record itself: LABEL, RSTRING, STRING (a formula's text result).
const TEXT_CELLS: [u16; 3] = [0x0204, 0x00D6, 0x0207];
/// Records that give calamine a cell at the row and column their data starts with: NUMBER, LABEL, RSTRING,
/// BOOLERR, RK, FORMULA, LABELSST and MULRK. BLANK and MULBLANK cells are left out: calamine skips them.
const CELLS: [u16; 8] = [
    0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x0006, LABELSST, MULRK,
];
/// A character of an `.xls` string decodes to at most this many bytes of UTF-8, whatever the code page says.
const MAX_BYTES_PER_CHAR: u64 = 6;

/// Takes the workbook stream out of an `.xls` file (an OLE compound file), measures it, and returns it in a new
/// compound file of its own. calamine would otherwise read the container again with its own parser, and a hostile
/// container can show it other bytes (a second stream of the same name) than the ones measured.
pub fn checked_xls(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| anyhow!("it could not be read as a workbook: {e}");
    let mut container = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    // Excel 97 and later call the stream Workbook; Excel 5 called it Book.
    let Some(name) = ["Workbook", "Book"]
        .into_iter()
        .find(|name| container.is_stream(name))
    else {
        bail!("it could not be read as a workbook: it has no Workbook stream");
    };
    let mut stream = Vec::new();
    container
        .open_stream(name)
        .and_then(|s| s.take(bytes.len() as u64).read_to_end(&mut stream))
        .map_err(unreadable)?;
    check_biff(&stream, limits)?;

    let mut fresh =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    fresh.create_stream("Workbook")?.write_all(&stream)?;
    fresh.flush()?;
    Ok(fresh.into_inner().into_inner())
}

struct Record<'a> {
    kind: u16,
    data: &'a [u8],
}

impl Record<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(
            self.data.get(at..at + 2)?.try_into().ok()?,
        ))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(
            self.data.get(at..at + 4)?.try_into().ok()?,
        ))
    }
}

/// The records of a BIFF stream, ending at the first one cut short (where calamine's reading fails).
fn records(stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let kind = u16::from_le_bytes(rest.get(..2)?.try_into().ok()?);
        let len = usize::from(u16::from_le_bytes(rest.get(2..4)?.try_into().ok()?));
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some(Record { kind, data })
    })
}

fn damaged_xls(what: &str) -> anyhow::Error {
    anyhow!("it could not be read as a workbook: {what}")
}

/// Measures every sheet calamine will read, the way it reads them: the globals (up to their EOF) list where each
/// sheet's records start and hold the shared strings; each sheet runs from there to its EOF.
fn check_biff(stream: &[u8], limits: &Limits) -> Result<()> {
    let mut starts = Vec::new();
    let mut shared_strings = Vec::new();
    let mut globals = records(stream).peekable();
    while let Some(record) = globals.next() {
        match record.kind {
            BOUNDSHEET => {
                // calamine reads a sheet's visibility and type after its position.
                if record.data.len() < 6 {
                    return Err(damaged_xls("a sheet entry is cut short"));
                }
                starts.extend(record.u32_at(0));
            }
            SST => {
                let mut parts = vec![record.data];
                while let Some(next) = globals.next_if(|r| r.kind == CONTINUE) {
                    parts.push(next.data);
                }
                shared_strings = shared_string_lengths(&parts)?;
            }
            // Encrypted: calamine says so (and what follows is not readable).
            FILEPASS if record.u16_at(0) != Some(0) => return Err(OoxmlError::Encrypted.into()),
            EOF => break,
            _ => {}
        }
    }
    let mut footprint = Footprint::default();
    let mut scanned = 0;
    for start in starts {
        let Some(sheet) = stream.get(start as usize..) else {
            return Err(damaged_xls("a sheet starts past the end of the file"));
        };
        let measured = measure_sheet(sheet, &shared_strings);
        // Sheets do not share records; a file whose sheets do would have calamine read them over and over.
        scanned += measured.bytes;
        if scanned > stream.len() {
            return Err(damaged_xls("its sheets overlap"));
        }
        // Room reserved is only used as cells arrive, and given back after each sheet: one sheet's declaration
        // only has to be possible (LibreOffice declares 65,536 rows for a sheet formatted to its end), while the
        // cells laid out add up.
        if measured.declared_cells > limits.max_dense_cells {
            return Err(limits.too_many_dense_cells(measured.declared_cells).into());
        }
        footprint.dense_cells = footprint.dense_cells.saturating_add(measured.used_cells);
        footprint.text_bytes = footprint.text_bytes.saturating_add(measured.text_bytes);
        footprint.check(limits)?;
    }
    Ok(())
}

#[derive(Default)]
struct SheetMeasure {
    /// The extent its DIMENSIONS record declares, which calamine reserves room for while it reads the sheet.
    declared_cells: u64,
    /// The extent of its cells, which calamine lays out and keeps.
    used_cells: u64,
    text_bytes: u64,
    /// Bytes of records read, up to and including its EOF.
    bytes: usize,
}

fn measure_sheet(sheet: &[u8], shared_strings: &[u16]) -> SheetMeasure {
    let mut measure = SheetMeasure::default();
    let mut last: Option<(u64, u64)> = None;
    // Embedded charts are substreams of their own (BOF … EOF) inside the sheet, whose records calamine skips.
    let mut seen_bof = false;
    let mut depth = 0usize;
    for record in records(sheet) {
        measure.bytes += 4 + record.data.len();
        match record.kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF if depth == 0 => break,
            EOF => depth -= 1,
            _ if depth > 0 => {}
            DIMENSIONS => measure.declared_cells = declared_cells(record.data),
            kind => {
                if CELLS.contains(&kind)
                    && let (Some(row), Some(mut col)) = (record.u16_at(0), record.u16_at(2))
                {
                    if kind == MULRK {
                        // Its last column is the last two bytes.
                        let end = record.data.len().saturating_sub(2);
                        col = col.max(record.u16_at(end).unwrap_or(0));
                    }
                    let (rows, cols) = last.unwrap_or_default();
                    last = Some((rows.max(row.into()), cols.max(col.into())));
                }
                let chars = match kind {
                    LABELSST => record
                        .u32_at(6)
                        .and_then(|i| shared_strings.get(i as usize))
                        .map_or(0, |&cch| u64::from(cch)),
                    kind if TEXT_CELLS.contains(&kind) => record.data.len() as u64,
                    _ => 0,
                };
                measure.text_bytes += chars * MAX_BYTES_PER_CHAR;
            }
        }
    }
    measure.used_cells = extent(last);
    measure
}

/// The cells a DIMENSIONS record makes calamine reserve, computed as calamine does (rows are 32-bit in BIFF8,
/// 16-bit before; a first column past 255 or after the last counts as 0; the arithmetic wraps).
fn declared_cells(data: &[u8]) -> u64 {
    let u16_at = |at: usize| u32::from(u16::from_le_bytes([data[at], data[at + 1]]));
    let u32_at =
        |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        // calamine refuses the file.
        _ => return 0,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    if last_row == 0 || last_col == 0 {
        return 1;
    }
    let rows = (last_row - 1).wrapping_sub(first_row).wrapping_add(1);
    let cols = (last_col - 1).wrapping_sub(first_col).wrapping_add(1);
    u64::from(rows) * u64::from(cols)
}

/// The length in characters of each string of the shared-strings table (SST and its CONTINUE records), read the way
/// calamine reads them so that a LABELSST cell's index finds the same string. Where calamine would stop with an
/// error the list just ends; where it would panic, the file is refused.
fn shared_string_lengths(parts: &[&[u8]]) -> Result<Vec<u16>> {
    let cut_short = || damaged_xls("its shared-strings table is cut short");
    // Two counts come first; without them calamine refuses the file.
    let Some(strings) = parts[0].get(8..) else {
        return Ok(Vec::new());
    };
    let mut reader = Parts {
        data: strings,
        rest: &parts[1..],
    };
    let mut lengths = Vec::new();
    while !reader.data.is_empty() || reader.next_part() {
        if reader.data.is_empty() {
            lengths.push(0);
            continue;
        }
        let Some(header) = reader.take(3) else {
            break;
        };
        let cch = u16::from_le_bytes([header[0], header[1]]);
        let flags = header[2];
        let runs = if flags & 0x08 != 0 {
            let bytes = reader.take(2).ok_or_else(cut_short)?;
            usize::from(u16::from_le_bytes([bytes[0], bytes[1]]))
        } else {
            0
        };
        let extension = if flags & 0x04 != 0 {
            let bytes = reader.take(4).ok_or_else(cut_short)?;
            i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
        } else {
            0
        };
        // The characters: one byte each, or two; a string continued in the next record starts it with a new flag.
        let mut wide = flags & 0x01 != 0;
        let mut left = usize::from(cch);
        let mut complete = true;
        while left > 0 {
            let fit = if wide {
                (reader.data.len() / 2).min(left)
            } else {
                reader.data.len().min(left)
            };
            reader.data = &reader.data[if wide { 2 * fit } else { fit }..];
            left -= fit;
            if left > 0 {
                if !reader.next_part() {
                    complete = false;
                    break;
                }
                let flag = reader.take(1).ok_or_else(cut_short)?;
                wide = flag[0] & 0x01 != 0;
            }
        }
        if !complete || !reader.skip(runs * 4) || !reader.skip(extension) {
            break;
        }
        lengths.push(cch);
    }
    Ok(lengths)
}

/// A record's data followed by its CONTINUE records, read in order.
struct Parts<'a> {
    data: &'a [u8],
    rest: &'a [&'a [u8]],
}

impl<'a> Parts<'a> {
    fn next_part(&mut self) -> bool {
        match self.rest.split_first() {
            Some((first, rest)) => {
                self.data = first;
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// The next `n` bytes of the current part, if it holds them.
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let taken = self.data.get(..n)?;
        self.data = &self.data[n..];
        Some(taken)
    }

    /// Skips `n` bytes across parts; false when they run out first.
    fn skip(&mut self, mut n: usize) -> bool {
        while n > 0 {
            if self.data.is_empty() && !self.next_part() {
                return false;
            }
            let step = n.min(self.data.len());
            self.data = &self.data[step..];
            n -= step;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_dimensions_count_as_calamine_reserves_them() {
        let biff8 = |rows: (u32, u32), cols: (u16, u16)| {
            [
                &rows.0.to_le_bytes()[..],
                &rows.1.to_le_bytes(),
                &cols.0.to_le_bytes(),
                &cols.1.to_le_bytes(),
                &[0, 0],
            ]
            .concat()
        };
        // Last row and column are one past the end; an empty sheet declares nothing and gets one cell.
        assert_eq!(declared_cells(&biff8((0, 65_536), (0, 160))), 65_536 * 160);
        assert_eq!(declared_cells(&biff8((0, 0), (0, 0))), 1);
        // A first column past 255 counts from A.
        assert_eq!(declared_cells(&biff8((0, 1), (300, 301))), 301);
        // A last row before the first wraps round to four billion rows.
        assert!(declared_cells(&biff8((5, 3), (0, 1))) > 4_000_000_000);
        assert_eq!(declared_cells(&[0; 7]), 0, "calamine refuses other lengths");
    }

    #[test]
    fn shared_strings_are_followed_across_continue_records() {
        let mut sst = [2u32.to_le_bytes(), 3u32.to_le_bytes()].concat();
        // "abc", rich text with one formatting run.
        sst.extend([3, 0, 0x08, 1, 0]);
        sst.extend(b"abc");
        sst.extend([0; 4]);
        // A string of five characters: two here, one byte each ...
        sst.extend([5, 0, 0]);
        sst.extend(b"de");
        // ... the other three in a CONTINUE record, two bytes each.
        let mut continued = vec![0x01];
        continued.extend("fgh".encode_utf16().flat_map(u16::to_le_bytes));
        continued.extend([1, 0, 0, b'i']);
        assert_eq!(
            shared_string_lengths(&[&sst, &continued]).unwrap(),
            [3, 5, 1]
        );
        // A string cut short before its run count: calamine would panic reading it.
        let cut = [&sst[..8], &[1, 0, 0x08]].concat();
        assert!(shared_string_lengths(&[&cut]).is_err());
    }
}
