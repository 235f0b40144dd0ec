//! PDF with a text layer → passages, one page at a time with pdf-extract (on lopdf), page numbers kept. Lines and
//! paragraphs come from where the text moves on the page, as pdf-extract's plain-text output finds them; a line
//! ending in a hyphen joins the next without a space (LibreOffice does not hyphenate by default, so the hyphen is
//! the author's: "part-time"). Lines that repeat at the top or bottom of most pages (running headers and footers)
//! and page numbers are dropped. PDFs mark no headings, so a short block set at least 15% larger than the body
//! text is taken for one (the largest size level 1); the citation gives the page and that heading.
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
    let mut read: Vec<(u32, Vec<Block>)> = Vec::new();
    let mut failed = 0usize;
    let mut size = 0usize;
    for &number in pages.keys() {
        let mut layout = Layout::default();
        if pdf_extract::output_doc_page(&doc, &mut layout, number).is_err() {
            failed += 1;
            continue;
        }
        size += layout
            .blocks
            .iter()
            .flat_map(|b| &b.lines)
            .map(String::len)
            .sum::<usize>();
        read.push((number, layout.blocks));
        if size > 4 * out.max_text_bytes {
            break; // Over the limit whatever is dropped later: finish() reports it.
        }
    }
    if read
        .iter()
        .flat_map(|(_, b)| b)
        .flat_map(|b| &b.lines)
        .all(|l| l.trim().is_empty())
    {
        return Err(if failed > 0 && failed == pages.len() {
            "its pages could not be read (a damaged or unusual PDF)".to_string()
        } else {
            "it has no text layer; is it a scan? (run it through OCR, or save the text as a document)".to_string()
        });
    }
    let repeated = running_lines(&read);
    let levels = heading_levels(&read);
    for (number, blocks) in &read {
        for block in blocks {
            let lines: Vec<&str> = block
                .lines
                .iter()
                .map(|l| l.trim())
                .filter(|l| {
                    !l.is_empty() && !repeated.contains_key(&shape(l)) && !is_page_number(l)
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            if let Some(&level) = levels.get(&size_key(block.size))
                && heading_like(block)
            {
                out.heading(level, &join_lines(&lines).1);
                continue;
            }
            // A line that starts with a bullet starts a list item, however close the lines are set.
            let mut start = 0;
            for end in 1..=lines.len() {
                if end == lines.len() || bullet_of(lines[end]).is_some() {
                    let (kind, joined) = join_lines(&lines[start..end]);
                    out.passage(kind, &joined, Some(*number));
                    start = end;
                }
            }
        }
    }
    Ok(())
}

/// Lines of text laid out together, with the largest font size in them.
#[derive(Default)]
struct Block {
    lines: Vec<String>,
    size: f64,
}

/// An [`OutputDev`](pdf_extract::OutputDev) that lays a page's characters out in lines and blocks as
/// pdf-extract's own plain-text output does (a new line when the text moves down or back, a new block when it
/// moves back and down by more than one and a half lines), keeping each block's font size to find headings.
#[derive(Default)]
struct Layout {
    blocks: Vec<Block>,
    last_end: f64,
    last_y: f64,
    word_start: bool,
}

impl pdf_extract::OutputDev for Layout {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.blocks.clear();
        self.last_end = 100_000.0;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let size = ((font_size * (trm.m11 + trm.m21)) * (font_size * (trm.m12 + trm.m22)))
            .abs()
            .sqrt();
        let (x, y) = (trm.m31, -trm.m32);
        if self.blocks.is_empty() {
            self.blocks.push(Block::default());
        }
        if self.word_start {
            let dy = (y - self.last_y).abs();
            let far = dy > size * 1.5;
            let back = x < self.last_end && dy > size * 0.5;
            if far && back {
                self.blocks.push(Block::default());
            } else if far || back {
                if let Some(block) = self.blocks.last_mut() {
                    block.lines.push(String::new());
                }
            } else if x > self.last_end + size * 0.1
                && let Some(line) = self.blocks.last_mut().and_then(|b| b.lines.last_mut())
            {
                line.push(' ');
            }
        }
        if let Some(block) = self.blocks.last_mut() {
            if block.lines.is_empty() {
                block.lines.push(String::new());
            }
            if !text.trim().is_empty() {
                block.size = block.size.max(size);
            }
            if let Some(line) = block.lines.last_mut() {
                line.push_str(text);
            }
        }
        self.word_start = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.word_start = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// Font sizes to a tenth of a point, as map keys.
fn size_key(size: f64) -> i64 {
    (size * 10.0).round() as i64
}

/// Whether a block could be a heading: one or two lines, short, no final stop.
fn heading_like(block: &Block) -> bool {
    let text: usize = block.lines.iter().map(|l| l.trim().len()).sum();
    let last = block
        .lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty());
    block.lines.len() <= 2 && text <= 150 && last.is_some_and(|l| !l.ends_with('.'))
}

/// Heading levels by font size: the body size is the one most text is set in; a size at least 15% larger whose
/// blocks are (nearly) all short is a heading size, the largest level 1. A larger size that also sets whole
/// paragraphs is body text beside smaller text (a policy in 12 pt with its sub-items in 10 pt).
fn heading_levels(pages: &[(u32, Vec<Block>)]) -> HashMap<i64, u8> {
    // size → (characters, blocks, heading-like blocks)
    let mut sizes: HashMap<i64, (usize, usize, usize)> = HashMap::new();
    for block in pages.iter().flat_map(|(_, b)| b) {
        let entry = sizes.entry(size_key(block.size)).or_default();
        entry.0 += block.lines.iter().map(String::len).sum::<usize>();
        entry.1 += 1;
        entry.2 += usize::from(heading_like(block));
    }
    let Some((&body, _)) = sizes.iter().max_by_key(|&(size, n)| (n.0, -size)) else {
        return HashMap::new();
    };
    let mut larger: Vec<i64> = sizes
        .iter()
        .filter(|&(&s, &(_, blocks, like))| s * 100 >= body * 115 && like * 10 >= blocks * 9)
        .map(|(&s, _)| s)
        .collect();
    larger.sort_unstable_by(|a, b| b.cmp(a));
    larger.into_iter().take(6).zip(1u8..).collect()
}

/// Lines that open or close at least three pages and at least half of them: running headers and footers.
fn running_lines(pages: &[(u32, Vec<Block>)]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, blocks) in pages {
        let lines: Vec<&str> = blocks
            .iter()
            .flat_map(|b| &b.lines)
            .map(|l| l.trim())
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
    let pages = pages.len();
    counts.retain(|_, n| *n >= 3 && *n * 2 >= pages);
    counts
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
    match bullet_of(&joined) {
        Some(rest) => (PassageKind::ListItem, rest.to_string()),
        None => (PassageKind::Paragraph, joined),
    }
}

/// The text after a list bullet (`•`, `◦`, `▪`, `-`, or the private-use bullets of the Symbol and Wingdings fonts
/// that Word and LibreOffice lists use), if the line starts with one and a space.
fn bullet_of(line: &str) -> Option<&str> {
    let mut chars = line.chars();
    let first = chars.next()?;
    let bullet = matches!(
        first,
        '•' | '◦' | '▪' | '‣' | '●' | '○' | '■' | '□' | '–' | '-' | '*' | '·'
    ) || ('\u{f000}'..='\u{f0ff}').contains(&first);
    let rest = chars.as_str();
    (bullet && rest.starts_with(char::is_whitespace)).then(|| rest.trim_start())
}

/// A line with its digits blanked, so "Page 3 of 9" and "Page 4 of 9" are the same running footer.
fn shape(line: &str) -> String {
    line.trim()
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
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
