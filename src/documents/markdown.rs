//! Markdown (`.md`, `.markdown`) → passages, with pulldown-cmark. Headings build the path (a front-matter `title:`
//! above them all); paragraphs, list items (each item of a nested list its own), table rows and block quotes are
//! passages. Fenced code blocks are dropped; an *indented* block is kept as text, one passage per blank-line block,
//! because in policy folders an indented block is a sub-list indented by hand far more often than it is code (the
//! SOC 2 templates of `bench/docs` are full of them). Raw HTML and image alt text are left out.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Outline, PassageKind};

pub(crate) fn read(source: &str, out: &mut Outline) {
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
