//! Header finding: which row (or block of two or three rows) of a sheet is its header, and the words that name a
//! column's role ("Question", "Answer", "Comments", "Yes | No | N/A"). In: a [`Grid`]; out: header rows and each
//! column's header text, for `columns` to weigh against what the columns hold.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::cell::CellRef;
use crate::short_answer::ShortAnswer;

/// Normalizes a header or cell text for keyword tests: lowercase, single spaces, no trailing `:`/`*`/`?`.
pub(super) fn norm(text: &str) -> String {
    crate::text::one_line(&text.to_lowercase())
        .trim_end_matches([':', '*', '?', '.'])
        .trim()
        .to_string()
}

/// Does `text` contain `word` as whole words?
pub(super) fn has_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(found) = text[start..].find(word) {
        let i = start + found;
        let j = i + word.len();
        let before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        start = i + 1;
    }
    false
}

pub(super) fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_word(text, w))
}

pub(super) const QUESTION_WORDS: &[&str] = &[
    "question",
    "questions",
    "requirement",
    "requirements",
    "control",
    "item",
    "description",
    "criteria",
    "query",
];
pub(super) const ID_WORDS: &[&str] = &[
    "id",
    "#",
    "no",
    "no.",
    "nr",
    "number",
    "ref",
    "ref.",
    "reference",
    "s/n",
    "sn",
    "index",
    "key",
    "item no",
];
pub(super) const SHORT_WORDS: &[&str] = &[
    "answer",
    "answers",
    "response",
    "responses",
    "yes/no",
    "y/n",
    "yes / no",
    "compliance",
    "compliant",
    "reply",
    "selection",
    "status",
];
/// Long-answer headers, best first: when a sheet has several, the first kind found takes the body.
pub(super) const LONG_WORDS: &[&str] = &[
    "implementation description",
    "explanation",
    "comments",
    "comment",
    "additional information",
    "additional info",
    "details",
    "justification",
    "notes",
    "remarks",
    "supporting information",
    "evidence",
];
/// Headers of columns that are not for the vendor's answer, whatever else they say.
pub(super) const NOT_ANSWER_WORDS: &[&str] = &[
    "guidance",
    "instruction",
    "instructions",
    "reason",
    "analyst",
    "reviewer",
    "evaluator",
    "assessor",
    "auditor",
    "internal",
    "score",
    "scoring",
    "weight",
    "importance",
    "mapping",
    "domain",
    "title",
    "specification",
    "ownership",
    "owner",
    "override",
    "example",
    "examples",
    "institution",
    "customer use",
    "official use",
    "responsibilities",
];

pub(super) fn mark_kind(header: &str) -> Option<AnswerKind> {
    // The lower row of a two-row header carries the mark ("Response / Yes" → "yes").
    let last = header.rsplit(" / ").next().unwrap_or(header);
    ShortAnswer::parse(&norm(last)).map(AnswerKind::mark_for)
}

/// Is this cell text a column header: short, and made of header words?
pub(super) fn header_cell(text: &str) -> (bool, bool) {
    let text = norm(text);
    if text.is_empty() || text.chars().count() > 60 || text.split_whitespace().count() > 6 {
        return (false, false);
    }
    let q = any_word(&text, QUESTION_WORDS) || any_word(&text, ID_WORDS);
    let a = any_word(&text, SHORT_WORDS) || any_word(&text, LONG_WORDS);
    (q, a)
}

/// How header-like a row is: (cells that read as column headers, one of them names the question or ID, one of
/// them names an answer). "Yes" and "No" count only side by side: alone they are answers, not headers.
pub(super) fn header_score(grid: &Grid, row: u32) -> (usize, bool, bool) {
    let cells = grid.row_cells(row);
    let marks: HashSet<AnswerKind> = cells
        .iter()
        .filter_map(|(_, c)| mark_kind(&c.text))
        .collect();
    let mark_header = marks.contains(&AnswerKind::MarkYes) && marks.contains(&AnswerKind::MarkNo);
    let mut score = 0;
    let mut question_or_id = false;
    let mut answer = false;
    for (_, cell) in cells {
        let (q, a) = header_cell(&cell.text);
        let a = a || (mark_header && mark_kind(&cell.text).is_some());
        if q || a {
            score += 1;
        }
        question_or_id |= q;
        answer |= a;
    }
    (score, question_or_id, answer)
}

pub(super) fn is_strong_header(grid: &Grid, row: u32) -> bool {
    let (score, _, answer) = header_score(grid, row);
    score >= 2 && answer
}

/// The first header block (question and answer words side by side, with the row above or below when the header
/// spans two rows), and every later row that reads as a header too (a header repeated at each section).
pub(super) fn find_headers(grid: &Grid, rows: &[u32]) -> Option<(Vec<u32>, Vec<u32>)> {
    let first = rows.iter().copied().find(|&r| is_strong_header(grid, r))?;
    let block = extend_to_mark_row(grid, header_block(grid, first, rows), rows);
    let last = *block.last().expect("a header block has a row");
    let repeats = rows
        .iter()
        .copied()
        .filter(|&r| r > last && is_strong_header(grid, r))
        .collect();
    Some((block, repeats))
}

/// Extends a header row to its two-row block: a row directly above or below made of header words only (a merged
/// "Response" over "Yes | No | N/A").
pub(super) fn header_block(grid: &Grid, row: u32, rows: &[u32]) -> Vec<u32> {
    let is_header_only = |r: u32| {
        let cells = grid.row_cells(r);
        !cells.is_empty()
            && cells.iter().all(|(_, c)| {
                let t = norm(&c.text);
                t.len() <= 40
                    && (any_word(&t, SHORT_WORDS)
                        || any_word(&t, LONG_WORDS)
                        || any_word(&t, QUESTION_WORDS)
                        || any_word(&t, ID_WORDS)
                        || mark_kind(&t).is_some())
            })
    };
    let below = row + 1;
    if rows.contains(&below) && is_header_only(below) && header_score(grid, below).0 >= 1 {
        // Only when the row below names marks or answers under a merged upper header, not when it is data.
        let merged_above = grid.row_cells(row).iter().any(|(c, _)| {
            grid.merge_at(CellRef::new(row, *c))
                .is_some_and(|a| a.last.col > a.first.col || a.last.row > a.first.row)
        });
        if merged_above {
            return vec![row, below];
        }
    }
    if row > 0 && rows.contains(&(row - 1)) && is_header_only(row - 1) {
        let merged_down = grid.row_cells(row - 1).iter().any(|(c, _)| {
            grid.merge_at(CellRef::new(row - 1, *c))
                .is_some_and(|a| a.last.row >= row || a.last.col > a.first.col)
        });
        if merged_down {
            return vec![row - 1, row];
        }
    }
    vec![row]
}

/// Rows below the top of a header block in which a mark row ("Yes | No | Not Applicable") may still sit.
pub(super) const MARK_ROW_REACH: u32 = 4;

/// A header merged over several columns ("Consensus Assessment Answers" over three, as in CAIQ v3) whose mark
/// labels ("Yes | No | Not Applicable") sit further down, below rows that hold anything else (a note, the other
/// columns' second header row): the block reaches down to the mark row, so those rows are neither questions nor
/// the header that names the columns (see #17). Stops at the first row that asks a question.
pub(super) fn extend_to_mark_row(grid: &Grid, block: Vec<u32>, rows: &[u32]) -> Vec<u32> {
    let top = block[0];
    let last = *block.last().expect("a header block has a row");
    let is_mark_row = |row: u32, cols: std::ops::RangeInclusive<u32>| {
        let kinds: HashSet<AnswerKind> = cols
            .filter_map(|c| mark_kind(grid.text(CellRef::new(row, c))))
            .collect();
        kinds.contains(&AnswerKind::MarkYes) && kinds.contains(&AnswerKind::MarkNo)
    };
    let groups: Vec<std::ops::RangeInclusive<u32>> = block
        .iter()
        .flat_map(|&r| grid.row_cells(r).iter().map(move |(c, _)| (r, *c)))
        .filter_map(|(r, c)| grid.merge_at(CellRef::new(r, c)))
        .filter(|area| area.last.col > area.first.col)
        .map(|area| area.first.col..=area.last.col)
        .collect();
    if groups
        .iter()
        .any(|cols| block.iter().any(|&r| is_mark_row(r, cols.clone())))
    {
        return block;
    }
    for &row in rows
        .iter()
        .filter(|&&r| r > last && r <= top + MARK_ROW_REACH)
    {
        if groups.iter().any(|cols| is_mark_row(row, cols.clone())) {
            return rows
                .iter()
                .copied()
                .filter(|&r| r >= top && r <= row)
                .collect();
        }
        if grid
            .row_cells(row)
            .iter()
            .any(|(_, c)| is_question_like(&c.text))
        {
            break;
        }
    }
    block
}

/// Column → header text: the first header block's rows joined with " / " (merged cells filled in), then any
/// column that only a repeated header names (a section header that adds "Additional Information").
pub(super) fn header_texts(grid: &Grid, block: &[u32], repeats: &[u32]) -> HashMap<u32, String> {
    let mut texts: HashMap<u32, String> = HashMap::new();
    let max_col = grid.max_col().unwrap_or(0).min(1_000);
    for &row in block {
        for col in 0..=max_col {
            let text = grid.text(CellRef::new(row, col)).trim();
            if text.is_empty() {
                continue;
            }
            let entry = texts.entry(col).or_default();
            if entry.is_empty() {
                entry.push_str(text);
            } else if entry != text {
                entry.push_str(" / ");
                entry.push_str(text);
            }
        }
    }
    for &row in repeats {
        for (col, cell) in grid.row_cells(row) {
            let (q, a) = header_cell(&cell.text);
            if (q || a) && !texts.contains_key(col) {
                texts.insert(*col, cell.text.trim().to_string());
            }
        }
    }
    texts
}
