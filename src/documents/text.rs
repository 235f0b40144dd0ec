//! Plain text (`.txt`) → passages. Blocks are separated by blank lines; a line that starts with a list marker
//! (`- `, `* `, `• `, `1. `, `a) `) begins a list item. Headings are recognised only where little can go wrong: a
//! one-line block underlined with `===` (level 1) or `---` (level 2), or a short one-line block in capitals with no
//! final stop (level 1). A short line that merely looks like a title stays a paragraph: a wrong heading would be
//! cited above every passage after it.

use super::{Outline, PassageKind};

pub(crate) fn read(source: &str, out: &mut Outline) {
    let source = source.replace("\r\n", "\n").replace('\r', "\n");
    for block in blocks(&source) {
        if out.full() {
            return;
        }
        let lines: Vec<&str> = block.iter().map(|l| l.trim()).collect();
        if let [title, rule] = lines.as_slice()
            && is_rule(rule)
            && !title.is_empty()
        {
            out.heading(if rule.starts_with('=') { 1 } else { 2 }, title);
            continue;
        }
        if let [line] = lines.as_slice()
            && is_caps_heading(line)
        {
            out.heading(1, line);
            continue;
        }
        // List items start at their markers; other lines continue the item or paragraph before them.
        let mut current = String::new();
        let mut kind = PassageKind::Paragraph;
        for line in lines {
            if list_marker(line) {
                out.passage(kind, &current, None);
                current.clear();
                kind = PassageKind::ListItem;
                current.push_str(strip_bullet(line));
            } else {
                current.push(' ');
                current.push_str(line);
            }
        }
        out.passage(kind, &current, None);
    }
}

/// Runs of non-blank lines.
fn blocks(source: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for line in source.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_rule(line: &str) -> bool {
    line.len() >= 3 && (line.chars().all(|c| c == '=') || line.chars().all(|c| c == '-'))
}

fn is_caps_heading(line: &str) -> bool {
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    line.chars().count() <= 80
        && letters >= 3
        && !line.chars().any(char::is_lowercase)
        && !line.ends_with(['.', ',', ';', ':', '!', '?'])
}

/// `- x`, `* x`, `• x`, `1. x`, `1) x`, `a) x`.
fn list_marker(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("• ") {
        return true;
    }
    let marker: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let rest = &line[marker.len()..];
    let numbered = !marker.is_empty()
        && (marker.chars().all(|c| c.is_ascii_digit())
            || (marker.chars().count() == 1 && marker.chars().all(|c| c.is_ascii_lowercase())));
    numbered && marker.len() <= 3 && (rest.starts_with(". ") || rest.starts_with(") "))
}

/// Bullets are markup; numbers and letters are kept (they are how the document refers to its items).
fn strip_bullet(line: &str) -> &str {
    for bullet in ["- ", "* ", "• "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest;
        }
    }
    line
}
