//! PDF with a text layer → passages, one page at a time with pdf-extract (on lopdf), page numbers kept. Paragraphs
//! are the blank-line blocks pdf-extract lays out from the gaps between lines; a line ending in a hyphen joins the
//! next without a space (LibreOffice does not hyphenate by default, so the hyphen is the author's: "part-time").
//! Lines that repeat at the top or bottom of most pages (running headers and footers) and page numbers are
//! dropped. PDFs carry no reliable headings, so passages have none; the citation gives the page.
//!
//! pdf-extract can panic on odd files: the caller runs every parser under `catch_unwind`, and [`quietly`] keeps
//! such a panic's message off the terminal. A PDF with no text is "no text layer, is it a scan?".

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Once;

use super::{Outline, PassageKind};

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with panic messages of this thread silenced (other threads' panics are reported as before): a panic
/// inside a document parser is reported as a [`Problem`](super::Problem), not as a backtrace on stderr.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = f();
    QUIET.with(|q| q.set(was));
    result
}

pub(crate) fn read(bytes: &[u8], max_pages: usize, out: &mut Outline) -> Result<(), String> {
    let mut doc = pdf_extract::Document::load_mem(bytes)
        .map_err(|e| format!("it is not a readable PDF ({e})"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(
            "it is encrypted (password-protected); save an unprotected copy and try again".into(),
        );
    }
    let pages = doc.get_pages();
    if pages.len() > max_pages {
        return Err(format!(
            "it has {} pages, more than the limit of {max_pages}",
            pages.len()
        ));
    }
    let mut texts: Vec<(u32, String)> = Vec::new();
    let mut failed = 0usize;
    let mut size = 0usize;
    for &number in pages.keys() {
        let mut text = String::new();
        let mut output = pdf_extract::PlainTextOutput::new(&mut text);
        if pdf_extract::output_doc_page(&doc, &mut output, number).is_err() {
            failed += 1;
            continue;
        }
        size += text.len();
        texts.push((number, text));
        if size > 4 * out.max_text_bytes {
            break; // Over the limit whatever is dropped later: finish() reports it.
        }
    }
    if texts.iter().all(|(_, t)| t.trim().is_empty()) {
        return Err(if failed > 0 && failed == pages.len() {
            "its pages could not be read (a damaged or unusual PDF)".to_string()
        } else {
            "it has no text layer; is it a scan? (run it through OCR, or save the text as a document)".to_string()
        });
    }
    let repeated = running_lines(&texts);
    for (number, text) in &texts {
        for block in blocks(text) {
            let lines: Vec<&str> = block
                .iter()
                .map(|l| l.trim())
                .filter(|l| !repeated.contains_key(&shape(l)) && !is_page_number(l))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let (kind, joined) = join_lines(&lines);
            out.passage(kind, &joined, Some(*number));
        }
    }
    Ok(())
}

/// Lines joined with spaces, a line-final hyphen joined without one; a leading bullet makes a list item.
fn join_lines(lines: &[&str]) -> (PassageKind, String) {
    let mut joined = String::new();
    for line in lines {
        if !joined.is_empty() && !joined.ends_with('-') {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    for bullet in ["•", "◦", "▪", "‣", "–", "-", "*", ""] {
        if let Some(rest) = joined.strip_prefix(bullet)
            && rest.starts_with(char::is_whitespace)
        {
            return (PassageKind::ListItem, rest.trim_start().to_string());
        }
    }
    (PassageKind::Paragraph, joined)
}

/// Runs of non-blank lines.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
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

/// A line with its digits blanked, so "Page 3 of 9" and "Page 4 of 9" are the same running footer.
fn shape(line: &str) -> String {
    line.trim()
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Lines that open or close at least three pages and at least half of them: running headers and footers.
fn running_lines(texts: &[(u32, String)]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, text) in texts {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let mut ends: Vec<String> = lines
            .first()
            .into_iter()
            .chain(lines.last())
            .map(|l| shape(l))
            .collect();
        ends.dedup();
        for line in ends {
            *counts.entry(line).or_default() += 1;
        }
    }
    let pages = texts.len();
    counts.retain(|_, n| *n >= 3 && *n * 2 >= pages);
    counts
}

/// "12", "- 12 -", "Page 12", "Page 12 of 30", "12 / 30".
fn is_page_number(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && words.iter().any(|w| w.chars().all(|c| c.is_ascii_digit()))
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_digit()) || matches!(*w, "page" | "of" | "p."))
}
