//! Writing answers into the customer's own `.xlsx`/`.xlsm`, changing nothing else.
//!
//! In: the checked [`Package`] and the cell edits per sheet. Out: the bytes of a new package in which every zip
//! entry except the edited worksheets is copied raw (not even recompressed), and each edited worksheet is the
//! original XML with only the edited `<c>` elements replaced or inserted, spliced by byte offset, so styles,
//! merges, dropdowns (`x14` too), conditional formats, protection and everything unknown to answerbank stay as
//! they were (see TECH-NOTES: re-creating the workbook loses the customer's layout).
//!
//! Text is written as an inline string (`t="inlineStr"`), so the shared-strings part is untouched and text can
//! never become a formula. Characters XML cannot carry are written as Excel's `_xHHHH_` escapes, and a cell is
//! never longer than Excel's 32,767 characters. A cell holding a formula is never written.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use anyhow::{Context, Result, bail};
use quick_xml::events::{BytesStart, Event};

use crate::cell::CellRef;
use crate::ooxml::package::Package;
use crate::ooxml::{attr, local_name};

pub use crate::cell::MAX_CELL_CHARS;
/// What replaces the end of a text that does not fit.
pub const TRUNCATION_MARKER: &str =
    " […truncated by answerbank: the full answer is in the review workbook]";

/// Set one cell's value. Empty text clears the value (the cell keeps its style).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEdit {
    pub cell: CellRef,
    pub text: String,
}

/// What happened to the edits of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchReport {
    /// Cells written.
    pub written: usize,
    /// Edits refused because the cell holds a formula (never overwritten).
    pub formula_cells: Vec<(String, CellRef)>,
    /// Cells whose text was cut to Excel's limit.
    pub truncated: Vec<(String, CellRef)>,
}

/// Writes the edits into a copy of the package; returns the new package's bytes.
pub fn patch_workbook(
    package: &Package,
    edits: &BTreeMap<String, Vec<CellEdit>>,
) -> Result<(Vec<u8>, PatchReport)> {
    let mut report = PatchReport::default();
    let mut replaced: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (sheet, sheet_edits) in edits {
        if sheet_edits.is_empty() {
            continue;
        }
        let part = package
            .sheet(sheet)
            .and_then(|s| s.part.clone())
            .with_context(|| format!("the workbook has no worksheet '{sheet}'"))?;
        let xml = package.read_part(&part)?;
        let mut sorted = sheet_edits.clone();
        sorted.sort_by_key(|e| e.cell);
        sorted.dedup_by_key(|e| e.cell);
        let patched = patch_sheet_xml(&xml, &sorted, sheet, &mut report)
            .with_context(|| format!("writing into sheet '{sheet}'"))?;
        replaced.insert(part, patched);
    }
    let bytes = rewrite_package(package.bytes(), &replaced)?;
    Ok((bytes, report))
}

/// Copies every entry raw except the replaced ones, in the original order.
fn rewrite_package(original: &[u8], replaced: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(original)).context("re-reading the workbook")?;
    let mut writer =
        zip::ZipWriter::new(Cursor::new(Vec::with_capacity(original.len() + 64 * 1024)));
    for index in 0..archive.len() {
        let name = archive.by_index_raw(index)?.name()?.to_string();
        match replaced.get(&name) {
            Some(bytes) => {
                let entry = archive.by_index_raw(index)?;
                let mut options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .large_file(bytes.len() as u64 >= u32::MAX as u64);
                if let Some(time) = entry.last_modified() {
                    options = options.last_modified_time(time);
                }
                drop(entry);
                writer.start_file(name, options)?;
                writer.write_all(bytes)?;
            }
            None => writer.raw_copy_file(archive.by_index_raw(index)?)?,
        }
    }
    Ok(writer.finish()?.into_inner())
}

/// The edits of one sheet, consumed in (row, column) order as the XML is streamed.
struct Pending<'a> {
    edits: &'a [CellEdit],
    next: usize,
}

impl<'a> Pending<'a> {
    fn peek(&self) -> Option<&'a CellEdit> {
        self.edits.get(self.next)
    }

    /// Edits of rows before `row`.
    fn take_rows_before(&mut self, row: u32) -> &'a [CellEdit] {
        let start = self.next;
        while self.peek().is_some_and(|e| e.cell.row < row) {
            self.next += 1;
        }
        &self.edits[start..self.next]
    }

    /// Edits of `row` in columns before `col`.
    fn take_cells_before(&mut self, row: u32, col: u32) -> &'a [CellEdit] {
        let start = self.next;
        while self
            .peek()
            .is_some_and(|e| e.cell.row == row && e.cell.col < col)
        {
            self.next += 1;
        }
        &self.edits[start..self.next]
    }

    fn take_if_at(&mut self, cell: CellRef) -> Option<&'a CellEdit> {
        let edit = self.peek().filter(|e| e.cell == cell)?;
        self.next += 1;
        Some(edit)
    }

    fn take_rest(&mut self) -> &'a [CellEdit] {
        let start = self.next;
        self.next = self.edits.len();
        &self.edits[start..]
    }
}

/// Splices the edits into one worksheet's XML. `edits` are sorted by cell and unique.
pub fn patch_sheet_xml(
    xml: &[u8],
    edits: &[CellEdit],
    sheet: &str,
    report: &mut PatchReport,
) -> Result<Vec<u8>> {
    // quick-xml skips a byte-order mark without counting it in its positions: splice after it, then put it back
    // (found by fuzzing: every insertion landed three bytes early).
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if let Some(rest) = xml.strip_prefix(BOM) {
        let mut out = BOM.to_vec();
        out.extend(patch_sheet_xml(rest, edits, sheet, report)?);
        return Ok(out);
    }
    let mut out = Vec::with_capacity(xml.len() + edits.len() * 96);
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut pending = Pending { edits, next: 0 };
    let mut copied = 0usize;
    let mut prefix = String::new();
    let mut in_sheet_data = false;
    let mut next_row: u32 = 0;
    // The row being streamed: (row number, next implicit column).
    let mut row: Option<(u32, u32)> = None;
    let mut ctx = Splice { sheet, report };
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .with_context(|| format!("reading the sheet XML at byte {before}"))?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) | Event::Empty(e)
                if !in_sheet_data && local_name(e.name().as_ref()) == "sheetData" =>
            {
                let name = e.name().as_ref().to_string();
                prefix = name.strip_suffix("sheetData").unwrap_or("").to_string();
                if after - before >= 2 && xml[after - 2] == b'/' {
                    // <sheetData/>: open it, write every row, close it.
                    out.extend_from_slice(&xml[copied..before]);
                    let open = String::from_utf8_lossy(&xml[before..after - 2])
                        .trim_end()
                        .to_string();
                    out.extend_from_slice(open.as_bytes());
                    out.push(b'>');
                    ctx.write_rows(&mut out, &prefix, pending.take_rest());
                    out.extend_from_slice(format!("</{name}>").as_bytes());
                    copied = after;
                } else {
                    in_sheet_data = true;
                }
            }
            Event::End(e) if in_sheet_data && local_name(e.name().as_ref()) == "sheetData" => {
                out.extend_from_slice(&xml[copied..before]);
                ctx.write_rows(&mut out, &prefix, pending.take_rest());
                copied = before;
                in_sheet_data = false;
            }
            Event::Start(e) | Event::Empty(e)
                if in_sheet_data && local_name(e.name().as_ref()) == "row" =>
            {
                let is_empty = xml[after - 2] == b'/';
                let number = row_number(&e).unwrap_or(next_row);
                next_row = number + 1;
                // Rows that must be inserted before this one.
                let earlier = pending.take_rows_before(number);
                if !earlier.is_empty() {
                    out.extend_from_slice(&xml[copied..before]);
                    ctx.write_rows(&mut out, &prefix, earlier);
                    copied = before;
                }
                let here = pending.peek().is_some_and(|e| e.cell.row == number);
                if here {
                    // Rewrite the start tag without `spans` (a hint that the new cells may not fit).
                    out.extend_from_slice(&xml[copied..before]);
                    out.extend_from_slice(start_tag_without(&e, "spans").as_bytes());
                    copied = after;
                    if is_empty {
                        ctx.write_cells(
                            &mut out,
                            &prefix,
                            pending.take_cells_before(number, u32::MAX),
                        );
                        out.extend_from_slice(format!("</{prefix}row>").as_bytes());
                    }
                }
                row = (!is_empty).then_some((number, 0));
            }
            Event::End(e) if in_sheet_data && local_name(e.name().as_ref()) == "row" => {
                if let Some((number, _)) = row.take() {
                    let rest = pending.take_cells_before(number, u32::MAX);
                    if !rest.is_empty() {
                        out.extend_from_slice(&xml[copied..before]);
                        ctx.write_cells(&mut out, &prefix, rest);
                        copied = before;
                    }
                }
            }
            Event::Start(e) | Event::Empty(e)
                if row.is_some() && local_name(e.name().as_ref()) == "c" =>
            {
                let is_empty = xml[after - 2] == b'/';
                let (number, implicit_col) = row.expect("inside a row");
                let col = attr(&e, "r")
                    .and_then(|r| r.parse::<CellRef>().ok())
                    .map_or(implicit_col, |c| c.col);
                row = Some((number, col + 1));
                let earlier = pending.take_cells_before(number, col);
                if !earlier.is_empty() {
                    out.extend_from_slice(&xml[copied..before]);
                    ctx.write_cells(&mut out, &prefix, earlier);
                    copied = before;
                }
                let cell = CellRef::new(number, col);
                let Some(edit) = pending.take_if_at(cell) else {
                    if !is_empty {
                        skip_element(&mut reader, "c")?;
                    }
                    continue;
                };
                // Find the end of this cell, noticing a formula inside it.
                let end = if is_empty {
                    after
                } else {
                    skip_element(&mut reader, "c")?
                };
                let has_formula = !is_empty && contains_formula(&xml[after..end]);
                if has_formula {
                    ctx.report.formula_cells.push((sheet.to_string(), cell));
                    continue;
                }
                out.extend_from_slice(&xml[copied..before]);
                let keep = start_tag_attributes(&e, &["t", "cm", "vm", "ph"]);
                ctx.write_cell(&mut out, &prefix, cell, &keep, &edit.text);
                copied = end;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.extend_from_slice(&xml[copied..]);
    if pending.next < edits.len() {
        bail!("the sheet XML has no <sheetData> to write into");
    }
    Ok(out)
}

/// Reads to the end of the current element; returns the byte offset after its end tag.
fn skip_element(reader: &mut quick_xml::Reader<&[u8]>, name: &str) -> Result<usize> {
    let mut depth = 1usize;
    loop {
        match reader.read_event()? {
            Event::Start(e) if local_name(e.name().as_ref()) == name => depth += 1,
            Event::End(e) if local_name(e.name().as_ref()) == name => {
                depth -= 1;
                if depth == 0 {
                    return Ok(reader.buffer_position() as usize);
                }
            }
            Event::Eof => bail!("the sheet XML ends inside a <{name}> element"),
            _ => {}
        }
    }
}

fn contains_formula(inner: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(inner);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if local_name(e.name().as_ref()) == "f" => {
                return true;
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

fn row_number(element: &BytesStart<'_>) -> Option<u32> {
    attr(element, "r")
        .and_then(|r| r.parse::<u32>().ok())
        .filter(|&r| r >= 1)
        .map(|r| r - 1)
}

/// The raw attributes of a start tag, without the named ones, each with its leading space.
fn start_tag_attributes(element: &BytesStart<'_>, drop: &[&str]) -> String {
    let mut out = String::new();
    for attribute in element.attributes().with_checks(false).flatten() {
        let key = attribute.key.as_ref();
        if drop.contains(&key) {
            continue;
        }
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        // The raw (still escaped) value, so nothing is re-encoded.
        out.push_str(&attribute.value.replace('"', "&quot;"));
        out.push('"');
    }
    out
}

fn start_tag_without(element: &BytesStart<'_>, attribute: &str) -> String {
    format!(
        "<{}{}>",
        element.name().as_ref(),
        start_tag_attributes(element, &[attribute])
    )
}

/// Writing new XML for edits.
struct Splice<'r> {
    sheet: &'r str,
    report: &'r mut PatchReport,
}

impl Splice<'_> {
    fn write_rows(&mut self, out: &mut Vec<u8>, prefix: &str, edits: &[CellEdit]) {
        let mut i = 0;
        while i < edits.len() {
            let row = edits[i].cell.row;
            let end = edits[i..]
                .iter()
                .position(|e| e.cell.row != row)
                .map_or(edits.len(), |p| i + p);
            out.extend_from_slice(format!("<{prefix}row r=\"{}\">", row + 1).as_bytes());
            self.write_cells(out, prefix, &edits[i..end]);
            out.extend_from_slice(format!("</{prefix}row>").as_bytes());
            i = end;
        }
    }

    fn write_cells(&mut self, out: &mut Vec<u8>, prefix: &str, edits: &[CellEdit]) {
        for edit in edits {
            let keep = format!(" r=\"{}\"", edit.cell);
            self.write_cell(out, prefix, edit.cell, &keep, &edit.text);
        }
    }

    /// A cell with the given attributes (`r`, `s`, ...) and the text as an inline string.
    fn write_cell(
        &mut self,
        out: &mut Vec<u8>,
        prefix: &str,
        cell: CellRef,
        attributes: &str,
        text: &str,
    ) {
        let attributes = if attributes.contains(" r=\"") {
            attributes.to_string()
        } else {
            format!(" r=\"{cell}\"{attributes}")
        };
        if text.is_empty() {
            out.extend_from_slice(format!("<{prefix}c{attributes}/>").as_bytes());
        } else {
            let (fitted, truncated) = fit_to_cell(text);
            if truncated {
                self.report.truncated.push((self.sheet.to_string(), cell));
            }
            out.extend_from_slice(
                format!(
                    "<{prefix}c{attributes} t=\"inlineStr\"><{prefix}is><{prefix}t xml:space=\"preserve\">{}</{prefix}t></{prefix}is></{prefix}c>",
                    escape_cell_text(&fitted)
                )
                .as_bytes(),
            );
        }
        self.report.written += 1;
    }
}

/// Cuts a text to Excel's limit (in UTF-16 units, as Excel counts), with a visible marker.
pub fn fit_to_cell(text: &str) -> (String, bool) {
    if text.encode_utf16().count() <= MAX_CELL_CHARS {
        return (text.to_string(), false);
    }
    let budget = MAX_CELL_CHARS - TRUNCATION_MARKER.encode_utf16().count();
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        cut.push(c);
    }
    cut.push_str(TRUNCATION_MARKER);
    (cut, true)
}

/// XML-escapes cell text the way Excel stores it: `& < >` as entities, characters XML 1.0 cannot carry as
/// `_xHHHH_`, and a literal `_xHHHH_` protected as `_x005F_xHHHH_` so it reads back as itself.
pub fn escape_cell_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(c),
            // A raw CR would be normalized to LF by every XML parser; a character reference survives.
            '\r' => out.push_str("&#13;"),
            '_' if is_escape_sequence(&chars[i..]) => out.push_str("_x005F_"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("_x{:04X}_", c as u32));
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// `_xHHHH_` at the start of `chars`.
fn is_escape_sequence(chars: &[char]) -> bool {
    chars.len() >= 7
        && chars[1] == 'x'
        && chars[2..6].iter().all(|c| c.is_ascii_hexdigit())
        && chars[6] == '_'
}

/// Reads back what Excel shows for stored cell text (the inverse of [`escape_cell_text`] after XML unescaping).
pub fn unescape_cell_text(stored: &str) -> String {
    let chars: Vec<char> = stored.chars().collect();
    let mut out = String::with_capacity(stored.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '_' && is_escape_sequence(&chars[i..]) {
            let code: String = chars[i + 2..i + 6].iter().collect();
            if let Some(c) = u32::from_str_radix(&code, 16).ok().and_then(char::from_u32) {
                out.push(c);
                i += 7;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// What the writer's fuzz target and its regression test share, so a saved input replays exactly as the fuzzer
/// ran it (not part of the API).
#[doc(hidden)]
pub mod fuzz_support {
    use super::CellEdit;
    use crate::cell::CellRef;

    /// Splits fuzz input into edits (chosen by its first 4 bytes) and the sheet XML (the rest).
    pub fn edits_and_xml(data: &[u8]) -> Option<(Vec<CellEdit>, &[u8])> {
        if data.len() < 4 {
            return None;
        }
        let count = (data[0] % 8) as usize;
        let text = String::from_utf8_lossy(&data[1..4]).into_owned();
        let mut edits: Vec<CellEdit> = (0..count)
            .map(|i| CellEdit {
                cell: CellRef::new(
                    (u32::from(data[1]) + i as u32 * 7) % 40,
                    (u32::from(data[2]) + i as u32) % 6,
                ),
                text: format!("{text}{i}\u{1}_x0041_<&>"),
            })
            .collect();
        edits.sort_by_key(|e| e.cell);
        edits.dedup_by_key(|e| e.cell);
        Some((edits, &data[4..]))
    }

    /// Well-formed as far as quick-xml checks: matching end tags, and attributes that parse.
    pub fn well_formed(xml: &[u8]) -> bool {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(xml);
        reader.config_mut().check_end_names = true;
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => return true,
                Ok(Event::Start(e) | Event::Empty(e)) if e.attributes().any(|a| a.is_err()) => {
                    return false;
                }
                Err(_) => return false,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(xml: &str, edits: &[(&str, &str)]) -> (String, PatchReport) {
        let mut edits: Vec<CellEdit> = edits
            .iter()
            .map(|(c, t)| CellEdit {
                cell: c.parse().unwrap(),
                text: t.to_string(),
            })
            .collect();
        edits.sort_by_key(|e| e.cell);
        let mut report = PatchReport::default();
        let out = patch_sheet_xml(xml.as_bytes(), &edits, "S", &mut report).unwrap();
        (String::from_utf8(out).unwrap(), report)
    }

    const SHEET: &str = r#"<worksheet><sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"/></row><row r="3"><c r="A3" s="2" t="s"><v>1</v></c><c r="C3"><f>1+1</f><v>2</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#;

    #[test]
    fn replaces_existing_cells_keeping_their_style() {
        let (out, report) = patch(SHEET, &[("B1", "Yes")]);
        assert!(out.contains(r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c></row>"#), "{out}");
        assert_eq!(report.written, 1);
        assert!(out.ends_with(
            r#"<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#
        ));
    }

    #[test]
    fn inserts_cells_and_rows_in_order() {
        let (out, _) = patch(
            SHEET,
            &[
                ("C1", "after"),
                ("B3", "between"),
                ("A2", "new row"),
                ("A5", "last"),
            ],
        );
        let expected = r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"/><c r="C1" t="inlineStr"><is><t xml:space="preserve">after</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">new row</t></is></c></row><row r="3"><c r="A3" s="2" t="s"><v>1</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">between</t></is></c><c r="C3"><f>1+1</f><v>2</v></c></row><row r="5"><c r="A5" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row></sheetData>"#;
        assert!(out.contains(expected), "{out}");
    }

    #[test]
    fn never_overwrites_a_formula() {
        let (out, report) = patch(SHEET, &[("C3", "=HACK()")]);
        assert!(out.contains("<c r=\"C3\"><f>1+1</f><v>2</v></c>"));
        assert_eq!(report.formula_cells.len(), 1);
        assert_eq!(report.written, 0);
    }

    #[test]
    fn prefixes_empty_sheet_data_and_implicit_positions() {
        let (out, _) = patch(
            r#"<x:worksheet xmlns:x="m"><x:sheetData/></x:worksheet>"#,
            &[("B2", "v")],
        );
        assert_eq!(
            out,
            r#"<x:worksheet xmlns:x="m"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">v</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"#
        );
        // Rows and cells without `r` follow their predecessors.
        let (out, _) = patch(
            r#"<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>"#,
            &[("B1", "x")],
        );
        assert!(
            out.contains(r#"<c><v>1</v></c><c r="B1" t="inlineStr">"#),
            "{out}"
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_the_splices() {
        let (out, _) = patch(&format!("\u{feff}{SHEET}"), &[("A5", "new")]);
        assert!(out.starts_with('\u{feff}'));
        assert!(out.contains(r#"</row><row r="5"><c r="A5" t="inlineStr"><is><t xml:space="preserve">new</t></is></c></row></sheetData>"#), "{out}");
    }

    #[test]
    fn fuzz_regressions_stay_fixed() {
        // Inputs the fuzzer found (tests/fuzz_regressions/writer-*), replayed as the fuzz target replays them.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_regressions");
        for item in std::fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("writer-")
            {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            let (edits, xml) = fuzz_support::edits_and_xml(&data).unwrap();
            if let Ok(out) = patch_sheet_xml(xml, &edits, "S", &mut PatchReport::default()) {
                if fuzz_support::well_formed(xml) && xml.windows(10).any(|w| w == b"<sheetData") {
                    assert!(fuzz_support::well_formed(&out), "{}", path.display());
                }
                // The inserted cells add to the input, and no tag is cut in two.
                let input =
                    String::from_utf8_lossy(xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml))
                        .into_owned();
                let output = String::from_utf8_lossy(&out).into_owned();
                assert!(!output.contains("</r<row"), "{}", path.display());
                assert!(output.len() > input.len(), "{}", path.display());
            }
        }
    }

    #[test]
    fn escapes_text_so_the_file_always_opens() {
        assert_eq!(escape_cell_text("a<b & \"c\""), "a&lt;b &amp; \"c\"");
        assert_eq!(escape_cell_text("bell\u{7}"), "bell_x0007_");
        assert_eq!(escape_cell_text("_x0041_"), "_x005F_x0041_");
        assert_eq!(escape_cell_text("a\r\nb"), "a&#13;\nb");
        for text in ["bell\u{7}", "_x0041_", "plain", "tab\tnew\nline", "_x12_"] {
            assert_eq!(
                unescape_cell_text(
                    &escape_cell_text(text)
                        .replace("&lt;", "<")
                        .replace("&amp;", "&")
                        .replace("&gt;", ">")
                ),
                text
            );
        }
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let (fitted, cut) = fit_to_cell(&"a".repeat(40_000));
        assert!(cut);
        assert_eq!(fitted.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(fitted.ends_with(TRUNCATION_MARKER));
        assert_eq!(fit_to_cell("short"), ("short".to_string(), false));
    }
}
