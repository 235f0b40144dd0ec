//! Word `.docx` → passages: the zip checked by the workbook reader's own code (`ooxml::package`: entry and size
//! limits decompressed, zip bombs, encrypted entries, unsafe names, DOCTYPEs), then `word/document.xml` streamed
//! with quick-xml. Headings come from paragraph styles (`Title` → the title, `Heading1`-`Heading9` by id, or a
//! style named "heading 1" in `styles.xml`, or one with an outline level); a paragraph with `w:numPr` is a list
//! item; each table row is one passage of its cells (a table inside a cell joins that cell's text). Text is `w:t`
//! only (deleted revisions and field codes are other elements); `w:tab` and `w:br` are spaces.

use std::collections::HashMap;

use quick_xml::events::Event;

use super::{Outline, PassageKind};
use crate::ooxml::package::{Package, read_checked_part, resolve_target};
use crate::ooxml::{Limits, OoxmlError, attr, local_name};

pub(crate) fn read(bytes: &[u8], limits: &Limits, out: &mut Outline) -> Result<(), String> {
    // A password-protected Word file is not a zip at all but an OLE container with the encrypted package inside.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(
            "it is encrypted (password-protected) or an old binary Word file; save it as an unprotected .docx".into(),
        );
    }
    limits
        .check_file_size(bytes.len() as u64)
        .map_err(|e| e.to_string())?;
    let names = Package::check_only(bytes, limits).map_err(|e| e.to_string())?;
    let main = main_part(bytes, &names, limits).map_err(|e| e.to_string())?;
    let styles = if names.iter().any(|n| n == "word/styles.xml") {
        heading_styles(
            &read_checked_part(bytes, "word/styles.xml", limits).map_err(|e| e.to_string())?,
        )
    } else {
        HashMap::new()
    };
    let xml = read_checked_part(bytes, &main, limits).map_err(|e| e.to_string())?;
    read_body(&xml, &main, &styles, out).map_err(|e| e.to_string())
}

/// The main document part, as `_rels/.rels` names it (`word/document.xml` in every file Word or LibreOffice writes).
fn main_part(bytes: &[u8], names: &[String], limits: &Limits) -> Result<String, OoxmlError> {
    if names.iter().any(|n| n == "_rels/.rels") {
        let rels = read_checked_part(bytes, "_rels/.rels", limits)?;
        let mut reader = quick_xml::Reader::from_reader(rels.as_slice());
        loop {
            match reader
                .read_event()
                .map_err(|e| OoxmlError::xml("_rels/.rels", e))?
            {
                Event::Start(e) | Event::Empty(e)
                    if local_name(e.name().as_ref()) == "Relationship" =>
                {
                    if attr(&e, "Type").is_some_and(|t| t.ends_with("/officeDocument"))
                        && let Some(target) = attr(&e, "Target")
                    {
                        let part = resolve_target("", &target);
                        if names.contains(&part) {
                            return Ok(part);
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    if names.iter().any(|n| n == "word/document.xml") {
        return Ok("word/document.xml".to_string());
    }
    Err(OoxmlError::MissingPart(
        "word/document.xml (is it a Word document?)".to_string(),
    ))
}

/// Style id → heading level (0 for the title) from `styles.xml`: by name ("heading 2", "Title") or outline level.
fn heading_styles(xml: &[u8]) -> HashMap<String, u8> {
    let mut out = HashMap::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut current: Option<String> = None;
    // Damaged styles only cost the headings named there; ids like "Heading1" still work.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) => match local_name(e.name().as_ref()) {
                "style" => current = attr(&e, "styleId"),
                "name" => {
                    if let (Some(id), Some(name)) = (&current, attr(&e, "val"))
                        && let Some(level) = level_of_name(&name)
                    {
                        out.insert(id.clone(), level);
                    }
                }
                "outlineLvl" => {
                    if let (Some(id), Some(level)) =
                        (&current, attr(&e, "val").and_then(|v| v.parse::<u8>().ok()))
                        && level < 9
                    {
                        out.entry(id.clone()).or_insert(level + 1);
                    }
                }
                _ => {}
            },
            Event::End(e) if local_name(e.name().as_ref()) == "style" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// "Title" → 0, "heading 3" / "Heading3" → 3.
fn level_of_name(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    if lower == "title" {
        return Some(0);
    }
    let digits = lower.strip_prefix("heading")?.trim();
    digits.parse::<u8>().ok().filter(|l| (1..=9).contains(l))
}

/// One paragraph being read.
#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    list: bool,
}

fn read_body(
    xml: &[u8],
    part: &str,
    styles: &HashMap<String, u8>,
    out: &mut Outline,
) -> Result<(), OoxmlError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    // Paragraphs nest (a text box inside a paragraph holds paragraphs of its own).
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut in_text = false;
    let mut table_depth = 0usize;
    let mut cells: Option<Vec<String>> = None;
    let mut cell = String::new();
    loop {
        if out.full() {
            return Ok(());
        }
        let event = reader.read_event().map_err(|e| OoxmlError::xml(part, e))?;
        match event {
            Event::Start(e) => match local_name(e.name().as_ref()) {
                "p" => paragraphs.push(Paragraph::default()),
                "t" => in_text = true,
                "tbl" => table_depth += 1,
                "tr" if table_depth == 1 => cells = Some(Vec::new()),
                "tc" if table_depth == 1 => cell.clear(),
                name => empty_element(name, &e, &mut paragraphs),
            },
            Event::Empty(e) => empty_element(local_name(e.name().as_ref()), &e, &mut paragraphs),
            Event::Text(t) if in_text => {
                if let Some(p) = paragraphs.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = paragraphs.last_mut() {
                    p.text.push_str(&crate::ooxml::resolve_entity(&r, part)?);
                }
            }
            Event::End(e) => match local_name(e.name().as_ref()) {
                "t" => in_text = false,
                "p" => {
                    let Some(p) = paragraphs.pop() else { continue };
                    if table_depth > 0 {
                        // Inside a table, every paragraph joins its cell.
                        if !cell.is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(&p.text);
                        continue;
                    }
                    match p
                        .style
                        .as_ref()
                        .and_then(|s| styles.get(s).copied().or_else(|| level_of_name(s)))
                    {
                        Some(level) => out.heading(level, &p.text),
                        None if p.list => out.passage(PassageKind::ListItem, &p.text, None),
                        None => out.passage(PassageKind::Paragraph, &p.text, None),
                    }
                }
                "tc" if table_depth == 1 => {
                    if let Some(cells) = &mut cells {
                        cells.push(super::collapse(&cell));
                    }
                    cell.clear();
                }
                "tr" if table_depth == 1 => {
                    if let Some(cells) = cells.take() {
                        out.passage(
                            PassageKind::TableRow,
                            &super::markdown::join_cells(&cells),
                            None,
                        );
                    }
                }
                "tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// The parts of a paragraph that are elements without text: its style, list numbering, tabs and breaks.
fn empty_element(name: &str, e: &quick_xml::events::BytesStart<'_>, paragraphs: &mut [Paragraph]) {
    let Some(p) = paragraphs.last_mut() else {
        return;
    };
    match name {
        "pStyle" => p.style = attr(e, "val"),
        "numPr" => p.list = true,
        "tab" | "br" | "cr" => p.text.push(' '),
        "noBreakHyphen" => p.text.push('-'),
        _ => {}
    }
}
