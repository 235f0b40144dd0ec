//! What a worksheet part says besides its cell values: the things calamine does not read.
//!
//! In: the XML of one worksheet part. Out: [`SheetExtras`]: list dropdowns (`<dataValidations>` and the `x14`
//! extension form Excel uses for lists on other sheets), hidden rows, merged areas, whether the sheet is
//! protected. One streaming pass; nothing here depends on the declared `<dimension>`, which real workbooks get
//! wrong.
//!
//! The same pass checks every position the sheet states, before calamine reads its cells: each `<row r>` and
//! `<c r>` (and, without `r`, the place that follows the previous one), the `<dimension ref>` and a shared
//! formula's `ref` must lie within Excel's grid (A1:XFD1048576). calamine computes with them in 32-bit arithmetic
//! and the review reader walked its rows up to the last one, so a row numbered four billion made `finish` spin
//! for minutes (#29); such a sheet is damaged, and refused as soon as it is read.

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};

use super::{OoxmlError, attr, local_name, resolve_entity};
use crate::cell::{CellRef, MAX_COLUMNS, MAX_ROWS, parse_column};

/// A rectangle of cells, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub first: CellRef,
    pub last: CellRef,
}

impl Area {
    pub fn contains(&self, cell: CellRef) -> bool {
        (self.first.row..=self.last.row).contains(&cell.row)
            && (self.first.col..=self.last.col).contains(&cell.col)
    }

    /// Parses `B3`, `B3:D9` or `$B$3:$D$9`; whole columns (`C:C`) and rows (`3:3`) too.
    pub fn parse(text: &str) -> Option<Area> {
        let text = text.trim();
        let (a, b) = text.split_once(':').unwrap_or((text, text));
        let (first, last) = match (a.parse::<CellRef>(), b.parse::<CellRef>()) {
            (Ok(first), Ok(last)) => (first, last),
            _ => {
                // Whole columns or rows.
                let (ca, cb) = (
                    crate::cell::parse_column(&a.replace('$', "")),
                    crate::cell::parse_column(&b.replace('$', "")),
                );
                if let (Some(ca), Some(cb)) = (ca, cb) {
                    (CellRef::new(0, ca), CellRef::new(MAX_ROWS - 1, cb))
                } else {
                    let (ra, rb) = (
                        a.replace('$', "").parse::<u32>().ok()?,
                        b.replace('$', "").parse::<u32>().ok()?,
                    );
                    if ra == 0 || rb == 0 {
                        return None;
                    }
                    (
                        CellRef::new(ra - 1, 0),
                        CellRef::new(rb - 1, crate::cell::MAX_COLUMNS - 1),
                    )
                }
            }
        };
        Some(Area {
            first: CellRef::new(first.row.min(last.row), first.col.min(last.col)),
            last: CellRef::new(first.row.max(last.row), first.col.max(last.col)),
        })
    }

    /// A space-separated list of areas (`sqref`).
    pub fn parse_list(text: &str) -> Vec<Area> {
        text.split_whitespace().filter_map(Area::parse).collect()
    }
}

/// Where a dropdown's values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// `"Yes,No,NA"` written in the validation itself.
    Inline(Vec<String>),
    /// A range (`$A$1:$A$3`, `Lists!$A$1:$A$3`, `'Auto Responses'!$J$3:$J$4`) or a defined name (`yesno`).
    Reference(String),
}

/// One list dropdown and the cells it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListValidation {
    pub areas: Vec<Area>,
    pub source: ListSource,
}

impl ListValidation {
    pub fn applies_to(&self, cell: CellRef) -> bool {
        self.areas.iter().any(|a| a.contains(cell))
    }
}

/// The input message a sheet shows on some cells (a data validation's `promptTitle` and `prompt`), such as "This
/// cell should be left blank. Input your answer in column C." (see #26: the HECVAT's own instructions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMessage {
    pub areas: Vec<Area>,
    pub text: String,
}

/// Everything read from the sheet XML.
#[derive(Debug, Clone, Default)]
pub struct SheetExtras {
    /// Input messages, any validation type (a message alone is a validation of type "none").
    pub messages: Vec<InputMessage>,
    /// 0-based rows with `hidden="1"`.
    pub hidden_rows: HashSet<u32>,
    pub merges: Vec<Area>,
    pub lists: Vec<ListValidation>,
    pub protected: bool,
}

/// Parses an inline list formula: `"Yes,No,NA"` → [Yes, No, NA]; `""` inside the quotes is a quote.
fn parse_inline_list(formula: &str) -> Option<Vec<String>> {
    let inner = formula.trim().strip_prefix('"')?.strip_suffix('"')?;
    Some(
        inner
            .replace("\"\"", "\"")
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

fn list_source(formula: &str) -> Option<ListSource> {
    let formula = formula.trim();
    if formula.is_empty() {
        return None;
    }
    Some(match parse_inline_list(formula) {
        Some(values) => ListSource::Inline(values),
        None => ListSource::Reference(formula.trim_start_matches('=').to_string()),
    })
}

/// Which element's text is being collected.
#[derive(Clone, Copy, PartialEq)]
enum Collect {
    None,
    Formula,
    Sqref,
}

/// A `<dataValidation>` being read.
#[derive(Default)]
struct PendingValidation {
    is_list: bool,
    sqref: String,
    formula: String,
    message: String,
}

impl PendingValidation {
    fn start(element: &quick_xml::events::BytesStart<'_>) -> PendingValidation {
        let message = [attr(element, "promptTitle"), attr(element, "prompt")]
            .into_iter()
            .flatten()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        PendingValidation {
            is_list: attr(element, "type").as_deref() == Some("list"),
            sqref: attr(element, "sqref").unwrap_or_default(),
            formula: String::new(),
            message,
        }
    }

    /// Files what was read: a list dropdown, an input message, both or neither.
    fn finish(self, extras: &mut SheetExtras) {
        let areas = Area::parse_list(&self.sqref);
        if areas.is_empty() {
            return;
        }
        if !self.message.is_empty() {
            extras.messages.push(InputMessage {
                areas: areas.clone(),
                text: self.message,
            });
        }
        if self.is_list
            && let Some(source) = list_source(&self.formula)
        {
            extras.lists.push(ListValidation { areas, source });
        }
    }
}

/// Scans one worksheet part.
pub fn scan(xml: &[u8], part: &str) -> Result<SheetExtras, OoxmlError> {
    let mut extras = SheetExtras::default();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut places = Places::default();
    let mut validation: Option<PendingValidation> = None;
    let mut collect = Collect::None;
    let damaged = |message: String| OoxmlError::Corrupt {
        part: part.to_string(),
        message,
    };
    loop {
        match reader.read_event().map_err(|e| OoxmlError::xml(part, e))? {
            Event::Start(e) => match local_name(e.name().as_ref()) {
                "sheetData" => places.in_sheet_data = true,
                "row" if places.in_sheet_data => {
                    scan_row(&e, &mut places, &mut extras).map_err(damaged)?
                }
                "c" if places.in_sheet_data => places.cell(&e).map_err(damaged)?,
                "f" if places.in_sheet_data => {
                    check_area_attr(&e, "ref", "shared formula").map_err(damaged)?
                }
                "dimension" => check_area_attr(&e, "ref", "dimension").map_err(damaged)?,
                "mergeCell" | "sheetProtection" => scan_leaf(&e, &mut extras),
                "dataValidation" => validation = Some(PendingValidation::start(&e)),
                // The plain form has the formula as text of <formula1>; the x14 form wraps it in <xm:f>.
                "formula1" if validation.is_some() => collect = Collect::Formula,
                "sqref" if validation.is_some() => collect = Collect::Sqref,
                _ => {}
            },
            Event::Empty(e) => match local_name(e.name().as_ref()) {
                "row" if places.in_sheet_data => {
                    scan_row(&e, &mut places, &mut extras).map_err(damaged)?;
                    places.end_row();
                }
                "c" if places.in_sheet_data => places.cell(&e).map_err(damaged)?,
                "f" if places.in_sheet_data => {
                    check_area_attr(&e, "ref", "shared formula").map_err(damaged)?
                }
                "dimension" => check_area_attr(&e, "ref", "dimension").map_err(damaged)?,
                // A message without a list: nothing inside.
                "dataValidation" => PendingValidation::start(&e).finish(&mut extras),
                "mergeCell" | "sheetProtection" => scan_leaf(&e, &mut extras),
                _ => {}
            },
            Event::Text(t) if collect != Collect::None => {
                push_text(&mut validation, collect, &t.xml10_content());
            }
            Event::GeneralRef(r) if collect != Collect::None => {
                push_text(&mut validation, collect, &resolve_entity(&r, part)?);
            }
            Event::End(e) => match local_name(e.name().as_ref()) {
                "sheetData" => places.in_sheet_data = false,
                "row" if places.in_sheet_data => places.end_row(),
                "formula1" | "sqref" => collect = Collect::None,
                "dataValidation" => {
                    if let Some(pending) = validation.take() {
                        pending.finish(&mut extras);
                    }
                    collect = Collect::None;
                }
                _ => {}
            },
            Event::DocType(_) => return Err(OoxmlError::Doctype(part.to_string())),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(extras)
}

/// Where the cells of `<sheetData>` are, followed as calamine follows them: a row or cell without `r` comes right
/// after the previous one.
#[derive(Default)]
struct Places {
    in_sheet_data: bool,
    /// The current row (0-based), once a row has started.
    row: Option<u32>,
    /// The row that a row without `r` is.
    next_row: u64,
    /// The column that a cell without `r` is.
    next_col: u64,
}

impl Places {
    fn end_row(&mut self) {
        if let Some(row) = self.row.take() {
            self.next_row = u64::from(row) + 1;
        }
        self.next_col = 0;
    }

    /// A `<c>`: its `r`, or the place after the previous cell, must be on the sheet.
    fn cell(&mut self, element: &BytesStart<'_>) -> Result<(), String> {
        let (row, col) = match raw_attr(element, "r") {
            Some(text) => {
                let at = position(&text).ok_or_else(|| {
                    format!(
                        "a cell is at `{}`, which is not a cell of a sheet (the last one is XFD{MAX_ROWS})",
                        quoted(&text)
                    )
                })?;
                (u64::from(at.row), u64::from(at.col))
            }
            None => (self.row.map_or(self.next_row, u64::from), self.next_col),
        };
        if row >= u64::from(MAX_ROWS) {
            return Err(past_last_row(row + 1));
        }
        if col >= u64::from(MAX_COLUMNS) {
            return Err(format!(
                "a cell of row {} is past Excel's last column, XFD",
                row + 1
            ));
        }
        self.next_col = col + 1;
        Ok(())
    }
}

fn past_last_row(row: u64) -> String {
    format!("row {row} is past Excel's last row, {MAX_ROWS}")
}

/// An attribute's value as written (no entity is expanded: positions are plain ASCII), found by local name.
fn raw_attr(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// At most 40 characters of a value, for a message.
fn quoted(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    crate::text::printable(&out).into_owned()
}

/// A cell position as calamine reads it (`B12`, letters then digits, nothing else), within Excel's grid.
fn position(text: &str) -> Option<CellRef> {
    let digits = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = text.split_at(digits);
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = parse_column(letters).filter(|_| !letters.contains(char::is_whitespace))?;
    let row = number
        .parse::<u64>()
        .ok()
        .filter(|r| (1..=u64::from(MAX_ROWS)).contains(r))?;
    Some(CellRef::new(row as u32 - 1, col))
}

/// A `<dimension ref>` or a shared formula's `ref`: one cell or two, top-left first, on the sheet.
fn check_area_attr(element: &BytesStart<'_>, name: &str, what: &str) -> Result<(), String> {
    let Some(text) = raw_attr(element, name) else {
        return Ok(());
    };
    let mut corners = text.split(':').map(position);
    let valid = match (corners.next(), corners.next(), corners.next()) {
        (Some(Some(_)), None, None) => true,
        (Some(Some(first)), Some(Some(last)), None) => {
            first.row <= last.row && first.col <= last.col
        }
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "its {what} `{}` is not a range of cells from the top left to the bottom right, within A1:XFD{MAX_ROWS}",
            quoted(&text)
        ))
    }
}

/// Reads a `<row>`: its number (rows without `r` follow the previous one), which must be on the sheet, and whether
/// it is hidden.
fn scan_row(
    element: &BytesStart<'_>,
    places: &mut Places,
    extras: &mut SheetExtras,
) -> Result<(), String> {
    let row = match raw_attr(element, "r") {
        Some(text) => {
            let number = text
                .parse::<u64>()
                .ok()
                .filter(|&r| r >= 1)
                .ok_or_else(|| {
                    format!(
                        "a row is numbered `{}`, which is not a row number",
                        quoted(&text)
                    )
                })?;
            number - 1
        }
        None => places.next_row,
    };
    if row >= u64::from(MAX_ROWS) {
        return Err(past_last_row(row + 1));
    }
    let row = row as u32;
    places.row = Some(row);
    places.next_col = 0;
    if matches!(attr(element, "hidden").as_deref(), Some("1" | "true")) {
        extras.hidden_rows.insert(row);
    }
    Ok(())
}

/// `<mergeCell>` and `<sheetProtection>`, written empty or not.
fn scan_leaf(element: &BytesStart<'_>, extras: &mut SheetExtras) {
    match local_name(element.name().as_ref()) {
        "mergeCell" => {
            if let Some(area) = attr(element, "ref").as_deref().and_then(Area::parse) {
                extras.merges.push(area);
            }
        }
        "sheetProtection" => {
            extras.protected = matches!(attr(element, "sheet").as_deref(), Some("1" | "true"));
        }
        _ => {}
    }
}

fn push_text(validation: &mut Option<PendingValidation>, collect: Collect, text: &str) {
    if let Some(pending) = validation.as_mut() {
        match collect {
            Collect::Formula => pending.formula.push_str(text),
            Collect::Sqref => {
                pending.sqref.push(' ');
                pending.sqref.push_str(text);
            }
            Collect::None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        let area = Area::parse("$C$3:$C$263").unwrap();
        assert!(area.contains(CellRef::new(2, 2)) && area.contains(CellRef::new(262, 2)));
        assert!(!area.contains(CellRef::new(263, 2)));
        assert_eq!(Area::parse_list("C23 C25:C26").len(), 2);
        assert_eq!(Area::parse("C:C").unwrap().last.row, MAX_ROWS - 1);
        assert!(Area::parse("nonsense").is_none());
    }

    #[test]
    fn scans_plain_and_x14_lists_hidden_rows_merges_protection() {
        let xml = br#"<?xml version="1.0"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14="x" xmlns:xm="m">
<sheetData><row r="1"><c r="A1"/></row><row r="4" hidden="1"/><row hidden="1"/></sheetData>
<sheetProtection sheet="1" password="9E15"/>
<mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells>
<dataValidations count="2">
 <dataValidation type="list" sqref="C3:C263"><formula1>"Yes,No,NA"</formula1></dataValidation>
 <dataValidation type="whole" sqref="F3"><formula1>1</formula1></dataValidation>
</dataValidations>
<extLst><ext><x14:dataValidations><x14:dataValidation type="list"><x14:formula1><xm:f>'Auto Responses'!$J$3:$J$4</xm:f></x14:formula1><xm:sqref>C23 C25:C26</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>
</worksheet>"#;
        let extras = scan(xml, "sheet1.xml").unwrap();
        assert!(extras.protected);
        assert_eq!(extras.merges, vec![Area::parse("A1:E1").unwrap()]);
        assert_eq!(extras.hidden_rows, HashSet::from([3, 4]));
        assert_eq!(extras.lists.len(), 2);
        assert_eq!(
            extras.lists[0].source,
            ListSource::Inline(vec!["Yes".into(), "No".into(), "NA".into()])
        );
        assert_eq!(
            extras.lists[1].source,
            ListSource::Reference("'Auto Responses'!$J$3:$J$4".into())
        );
        assert!(extras.lists[1].applies_to(CellRef::new(24, 2)));
    }

    #[test]
    fn reads_input_messages_of_any_validation_written_empty_or_not() {
        let xml = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dataValidations count="2">
 <dataValidation allowBlank="1" showInputMessage="1" prompt="This cell should be left blank. Input your answer in column C." sqref="D3:F3 D13"/>
 <dataValidation type="list" promptTitle="Warning!" prompt="Do not edit &quot;this&quot;." sqref="C2"><formula1>"Yes,No"</formula1></dataValidation>
</dataValidations></worksheet>"#;
        let extras = scan(xml, "sheet1.xml").unwrap();
        assert_eq!(extras.messages.len(), 2);
        assert_eq!(
            extras.messages[0].text,
            "This cell should be left blank. Input your answer in column C."
        );
        assert_eq!(extras.messages[0].areas.len(), 2);
        assert_eq!(extras.messages[1].text, "Warning!: Do not edit \"this\".");
        assert_eq!(extras.lists.len(), 1, "the list is still read");
    }

    #[test]
    fn a_doctype_is_refused() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>"#;
        assert!(matches!(scan(xml, "s.xml"), Err(OoxmlError::Doctype(_))));
    }
}
