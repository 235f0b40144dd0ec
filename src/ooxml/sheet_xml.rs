//! What a worksheet part says besides its cell values: the things calamine does not read.
//!
//! In: the XML of one worksheet part. Out: [`SheetExtras`]: list dropdowns (`<dataValidations>` and the `x14`
//! extension form Excel uses for lists on other sheets), hidden rows, merged areas, whether the sheet is
//! protected. One streaming pass; nothing here depends on the declared `<dimension>`, which real workbooks get
//! wrong.

use std::collections::HashSet;

use quick_xml::events::Event;

use super::{OoxmlError, attr, local_name, resolve_entity};
use crate::cell::{CellRef, MAX_ROWS};

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
    let mut next_row: u32 = 0;
    let mut validation: Option<PendingValidation> = None;
    let mut collect = Collect::None;
    loop {
        match reader.read_event().map_err(|e| OoxmlError::xml(part, e))? {
            Event::Start(e) => match local_name(e.name().as_ref()) {
                "row" => next_row = scan_row(&e, next_row, &mut extras),
                "mergeCell" | "sheetProtection" => scan_leaf(&e, &mut extras),
                "dataValidation" => validation = Some(PendingValidation::start(&e)),
                // The plain form has the formula as text of <formula1>; the x14 form wraps it in <xm:f>.
                "formula1" if validation.is_some() => collect = Collect::Formula,
                "sqref" if validation.is_some() => collect = Collect::Sqref,
                _ => {}
            },
            Event::Empty(e) => match local_name(e.name().as_ref()) {
                "row" => next_row = scan_row(&e, next_row, &mut extras),
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

/// Reads a `<row>`: its number (rows without `r` follow the previous one) and whether it is hidden.
fn scan_row(
    element: &quick_xml::events::BytesStart<'_>,
    next_row: u32,
    extras: &mut SheetExtras,
) -> u32 {
    let row = attr(element, "r")
        .and_then(|r| r.parse::<u32>().ok())
        .filter(|&r| (1..=MAX_ROWS).contains(&r))
        .map_or(next_row, |r| r - 1);
    if matches!(attr(element, "hidden").as_deref(), Some("1" | "true")) {
        extras.hidden_rows.insert(row);
    }
    row.saturating_add(1)
}

/// `<mergeCell>` and `<sheetProtection>`, written empty or not.
fn scan_leaf(element: &quick_xml::events::BytesStart<'_>, extras: &mut SheetExtras) {
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
