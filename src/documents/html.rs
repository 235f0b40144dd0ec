//! HTML (`.html`, `.htm`, a saved trust-center or policy page) → passages, with a real HTML parser (scraper, on
//! html5ever). The text read is `<main>`'s, else the first `<article>`'s, else `<body>`'s; scripts, styles,
//! navigation, headers, footers, asides, forms, templates and SVG are dropped. `h1`-`h6` build the heading path
//! under the page title (`<title>`, unless it only repeats the file name or the first `<h1>`). `p`, `li`, `dt`/`dd`,
//! `blockquote` and `pre` (one passage per blank-line block) are passages, a table row is one passage of its cells,
//! and loose text between blocks is a paragraph.
//!
//! The walk over the tree is iterative (ego-tree's `traverse`), so deep nesting cannot overflow the stack. But
//! html5ever's tree builder looks through the stack of open elements for each new one, so 100,000 nested `<div>`s
//! take it about 30 s: a page nested deeper than [`MAX_DEPTH`] (counted roughly, before parsing) is refused. Real
//! pages nest a few dozen levels, rarely a few hundred.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::{Outline, PassageKind};

/// Elements whose text is never a passage.
const DROPPED: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg",
    "head", "iframe", "object", "button", "select", "textarea", "math",
];

/// Elements that start and end a block of text (loose text before or after them is a passage of its own).
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "hr",
    "body",
    "center",
    "fieldset",
];

/// Elements open at once, roughly counted (see [`rough_depth`]).
pub(crate) const MAX_DEPTH: usize = 4_000;

pub(crate) fn read(source: &str, cited: &str, out: &mut Outline) -> Result<(), String> {
    if rough_depth(source) > MAX_DEPTH {
        return Err(format!(
            "its elements are nested more than {MAX_DEPTH} levels deep (a real page nests a few dozen)"
        ));
    }
    let document = Html::parse_document(source);
    let tree = &document.tree;
    let element_named = |names: &[&str]| {
        tree.nodes()
            .find(|n| matches!(n.value(), Node::Element(e) if names.contains(&e.name())))
    };
    let root = element_named(&["main"])
        .or_else(|| element_named(&["article"]))
        .or_else(|| element_named(&["body"]))
        .unwrap_or_else(|| tree.root());
    if let Some(title) = element_named(&["title"]) {
        let title = super::collapse(&text_of(title));
        let stem = cited.rsplit('/').next().unwrap_or(cited);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let first_h1 = element_named(&["h1"]).map(|h| super::collapse(&text_of(h)));
        if !title.eq_ignore_ascii_case(stem) && first_h1.as_deref() != Some(title.as_str()) {
            out.heading(0, &title);
        }
    }

    let mut text = String::new();
    // Open elements that give loose text its kind, innermost last.
    let mut kinds: Vec<PassageKind> = Vec::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    // The row being read: its cells so far, and the depth of tables inside a cell (their text joins the cell).
    let mut row: Option<Vec<String>> = None;
    let mut table_depth = 0usize;
    for edge in root.traverse() {
        if out.full() {
            return Ok(());
        }
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => text.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if DROPPED.contains(&name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if name == "br" {
                            text.push('\n');
                            continue;
                        }
                        if name == "table" {
                            table_depth += 1;
                        }
                        if table_depth > 1 || !BLOCKS.contains(&name) {
                            continue;
                        }
                        if matches!(name, "td" | "th") {
                            text.clear();
                            continue;
                        }
                        if name == "tr" {
                            text.clear();
                            row = Some(Vec::new());
                            continue;
                        }
                        flush(&mut text, &kinds, out);
                        if let Some(kind) = kind_of(name) {
                            kinds.push(kind);
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                let Node::Element(e) = node.value() else {
                    continue;
                };
                let name = e.name();
                let nested = table_depth > 1;
                if name == "table" {
                    table_depth = table_depth.saturating_sub(1);
                }
                if nested || !BLOCKS.contains(&name) {
                    continue;
                }
                match name {
                    "td" | "th" => {
                        if let Some(cells) = &mut row {
                            cells.push(super::collapse(&text));
                        }
                        text.clear();
                    }
                    "tr" => {
                        if let Some(cells) = row.take() {
                            out.passage(
                                PassageKind::TableRow,
                                &super::markdown::join_cells(&cells),
                                None,
                            );
                        }
                        text.clear();
                    }
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        out.heading(name.as_bytes()[1] - b'0', &text);
                        text.clear();
                    }
                    _ => {
                        flush(&mut text, &kinds, out);
                        if kind_of(name).is_some() {
                            kinds.pop();
                        }
                    }
                }
            }
        }
    }
    flush(&mut text, &kinds, out);
    Ok(())
}

/// The deepest nesting of elements, counted from the tags alone: `<name` opens, `</` closes, and elements that
/// never hold others (`<br>`, `<img>`...) or that the parser closes by itself when the next one starts (`<p>`,
/// `<li>`, `<td>`...) are not counted. Comments and script text may fool it by a little, not by thousands.
fn rough_depth(source: &str) -> usize {
    const NOT_COUNTED: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "option", "optgroup", "rb", "rt",
        "rp", "thead", "tbody", "tfoot", "colgroup", "caption",
    ];
    let bytes = source.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |n| start + n);
        if end == start || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = source[start..end].to_ascii_lowercase();
        if NOT_COUNTED.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            // `<path/>` in SVG closes itself; looked for within a bounded distance, so text full of `<` stays linear.
            let self_closing = bytes[end..]
                .iter()
                .take(4096)
                .position(|&b| b == b'>')
                .is_some_and(|n| n > 0 && bytes[end + n - 1] == b'/');
            if !self_closing {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

fn kind_of(name: &str) -> Option<PassageKind> {
    Some(match name {
        "li" => PassageKind::ListItem,
        "blockquote" => PassageKind::Quote,
        "pre" => PassageKind::Preformatted,
        "dt" | "dd" => PassageKind::Definition,
        "p" => PassageKind::Paragraph,
        _ => return None,
    })
}

/// Loose text so far becomes a passage of the innermost open block's kind; preformatted text one per blank-line
/// block.
fn flush(text: &mut String, kinds: &[PassageKind], out: &mut Outline) {
    let kind = kinds.last().copied().unwrap_or(PassageKind::Paragraph);
    if kind == PassageKind::Preformatted {
        let normalised = text.replace("\r\n", "\n");
        for block in normalised.split("\n\n") {
            out.passage(kind, block, None);
        }
    } else {
        out.passage(kind, text, None);
    }
    text.clear();
}

/// All the text under a node, iteratively.
fn text_of(node: ego_tree::NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    for edge in node.traverse() {
        if let Edge::Open(n) = edge
            && let Node::Text(t) = n.value()
        {
            out.push_str(t);
        }
    }
    out
}
