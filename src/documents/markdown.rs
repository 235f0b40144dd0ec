//! Markdown (`.md`, `.markdown`) → passages, with pulldown-cmark. Headings build the path (a front-matter `title:`
//! above them all); paragraphs, list items (each item of a nested list its own), table rows and block quotes are
//! passages. Fenced code blocks are dropped; an *indented* block is kept as text, one passage per blank-line block,
//! because in policy folders an indented block is a sub-list indented by hand far more often than it is code (the
//! SOC 2 templates of `bench/docs` are full of them). Raw HTML and image alt text are left out. A grid table
//! (pandoc's `+---+---+` borders, which CommonMark reads as a paragraph of dashes and bars) is read as a table:
//! one passage per row, a row spanning several lines joined cell by cell.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Outline, PassageKind};

pub(crate) fn read(source: &str, out: &mut Outline) {
    let source = grid_tables_as_pipe_tables(source);
    let source = source.as_ref();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    // Open blocks, innermost last: what kind of passage loose text belongs to.
    let mut blocks: Vec<PassageKind> = Vec::new();
    let mut text = String::new();
    let mut heading: Option<u8> = None;
    let mut code: Option<bool> = None; // Some(keep)
    let mut image = 0usize;
    let mut cells: Option<Vec<String>> = None;
    for event in Parser::new_ext(source, options) {
        if out.full() {
            return;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    flush(&mut text, &blocks, out);
                    heading = Some(level_number(level));
                }
                Tag::MetadataBlock(_) => flush(&mut text, &blocks, out),
                Tag::CodeBlock(kind) => {
                    flush(&mut text, &blocks, out);
                    code = Some(matches!(kind, CodeBlockKind::Indented));
                }
                Tag::Image { .. } => image += 1,
                Tag::Table(_) => flush(&mut text, &blocks, out),
                Tag::TableHead | Tag::TableRow => cells = Some(Vec::new()),
                Tag::TableCell => text.clear(),
                Tag::Item => {
                    flush(&mut text, &blocks, out);
                    blocks.push(PassageKind::ListItem);
                }
                Tag::BlockQuote(_) => {
                    flush(&mut text, &blocks, out);
                    blocks.push(PassageKind::Quote);
                }
                Tag::Paragraph
                | Tag::List(_)
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList => {
                    flush(&mut text, &blocks, out);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    if let Some(level) = heading.take() {
                        out.heading(level, &text);
                    }
                    text.clear();
                }
                TagEnd::MetadataBlock(_) => {
                    if let Some(title) = front_matter_title(&text) {
                        out.heading(0, &title);
                    }
                    text.clear();
                }
                TagEnd::CodeBlock => {
                    if code.take() == Some(true) {
                        for block in text.split("\n\n") {
                            out.passage(PassageKind::Preformatted, block, None);
                        }
                    }
                    text.clear();
                }
                TagEnd::Image => image = image.saturating_sub(1),
                TagEnd::TableCell => {
                    if let Some(cells) = &mut cells {
                        cells.push(super::collapse(&text));
                    }
                    text.clear();
                }
                TagEnd::TableHead | TagEnd::TableRow => {
                    if let Some(cells) = cells.take() {
                        out.passage(PassageKind::TableRow, &join_cells(&cells), None);
                    }
                }
                TagEnd::Item | TagEnd::BlockQuote(_) => {
                    flush(&mut text, &blocks, out);
                    blocks.pop();
                }
                TagEnd::Paragraph | TagEnd::List(_) | TagEnd::FootnoteDefinition => {
                    flush(&mut text, &blocks, out);
                }
                _ => {}
            },
            // Metadata and code text too: both are handled at their end.
            Event::Text(t) if image == 0 => text.push_str(&t),
            Event::Code(t) if image == 0 => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::FootnoteReference(_) | Event::Html(_) | Event::InlineHtml(_) => {}
            _ => {}
        }
    }
    flush(&mut text, &blocks, out);
}

/// A grid-table border: `+---+----+` (a header separator uses `=`, alignment `:`).
fn is_grid_border(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 3
        && line.starts_with('+')
        && line.ends_with('+')
        && line.contains('-') | line.contains('=')
        && line.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
}

fn is_grid_row(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 2 && line.starts_with('|') && line.ends_with('|')
}

/// The source with each grid table turned into a pipe table (which pulldown-cmark reads as a table): the lines of
/// one row (between two borders) joined cell by cell, the header separated where the grid has its `=` border (or
/// after the first row). Rows with different numbers of cells are left as text. Borrowed when there is no grid.
fn grid_tables_as_pipe_tables(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.lines().any(is_grid_border) {
        return std::borrow::Cow::Borrowed(source);
    }
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < lines.len() {
        if !(is_grid_border(lines[i]) && lines.get(i + 1).is_some_and(|l| is_grid_row(l))) {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        // One grid table: rows (each the cells of its lines, joined) and where the header ends.
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header_rows = None;
        let mut current: Option<Vec<String>> = None;
        let mut end = i;
        while end < lines.len() && (is_grid_border(lines[end]) || is_grid_row(lines[end])) {
            let line = lines[end].trim();
            if is_grid_border(line) {
                rows.extend(current.take());
                if line.contains('=') && header_rows.is_none() {
                    header_rows = Some(rows.len());
                }
            } else {
                let cells: Vec<&str> = line[1..line.len() - 1].split('|').map(str::trim).collect();
                let row = current.get_or_insert_with(|| vec![String::new(); cells.len()]);
                if row.len() == cells.len() {
                    for (into, cell) in row.iter_mut().zip(cells) {
                        if !cell.is_empty() {
                            if !into.is_empty() {
                                into.push(' ');
                            }
                            into.push_str(cell);
                        }
                    }
                }
            }
            end += 1;
        }
        rows.extend(current.take());
        let columns = rows.first().map_or(0, Vec::len);
        if columns == 0 || rows.iter().any(|r| r.len() != columns) {
            for line in &lines[i..end] {
                out.push_str(line);
                out.push('\n');
            }
        } else {
            let header = header_rows.unwrap_or(1).clamp(1, rows.len());
            out.push('\n');
            for (n, row) in rows.iter().enumerate() {
                // A cell's own `|` would start a new cell.
                let cells: Vec<String> = row.iter().map(|c| c.replace('|', "/")).collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
                if n + 1 == header {
                    out.push_str(&format!("|{}\n", "---|".repeat(columns)));
                }
            }
            out.push('\n');
        }
        i = end;
    }
    std::borrow::Cow::Owned(out)
}

/// Loose text so far becomes a passage of the innermost open block's kind.
fn flush(text: &mut String, blocks: &[PassageKind], out: &mut Outline) {
    let kind = blocks.last().copied().unwrap_or(PassageKind::Paragraph);
    out.passage(kind, text, None);
    text.clear();
}

/// Cells of one row, joined so that each reads on its own: "Data; Owner; Retention".
pub(crate) fn join_cells(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `title: Access Control Policy` (quotes removed) from a YAML front-matter block, read line by line: answerbank
/// has no YAML parser and needs only this key.
fn front_matter_title(yaml: &str) -> Option<String> {
    yaml.lines().find_map(|line| {
        let value = line.strip_prefix("title:")?.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        (!value.is_empty()).then(|| value.to_string())
    })
}
