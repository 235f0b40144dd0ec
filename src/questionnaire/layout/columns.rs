//! Column roles: what each column holds below the header (question-like text, IDs, Yes/No values, dropdowns,
//! formulas), and from that and the header words, which column holds the questions, which their IDs, which names
//! their context, and which take answers of what kind. A control text merged or repeated over several question
//! rows loses to the column with one distinct question per row (see #3).

use std::collections::{HashMap, HashSet};

use super::*;
use crate::analysis::ids::looks_like_question_id;
use crate::cell::CellRef;
use crate::short_answer::ShortAnswer;

#[derive(Debug, Default, Clone)]
pub(super) struct ColumnStats {
    col: u32,
    header: String,
    non_empty: usize,
    question_like: usize,
    id_like: usize,
    yes_no: usize,
    total_len: usize,
    distinct: usize,
    /// Rows with a dropdown, and the most common dropdown's values.
    dropdown_rows: usize,
    dropdown: Option<Vec<String>>,
}

impl ColumnStats {
    fn avg_len(&self) -> f32 {
        if self.non_empty == 0 {
            0.0
        } else {
            self.total_len as f32 / self.non_empty as f32
        }
    }
    fn share(&self, n: usize) -> f32 {
        if self.non_empty == 0 {
            0.0
        } else {
            n as f32 / self.non_empty as f32
        }
    }
}

pub(super) const QUESTION_OPENERS: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will",
    "would", "shall", "should", "may", "must", "describe", "please", "provide", "explain", "list",
    "specify", "indicate", "how", "what", "which", "who", "when", "where", "why", "confirm",
    "state", "detail", "identify", "outline",
];

/// Does this text read like a question (ends in `?` or opens like one)?
/// A question cell's text without what is not part of the question (see #26): a required-field marker at its end
/// ("...tested annually?*") and list numbering at its start ("1.2 ", "3) ", "(b) "), which would otherwise be
/// shown, matched and learned as if the customer had asked them.
pub fn question_text(cell: &str) -> &str {
    static NUMBERING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:\d{1,3}(?:\.\d{1,3})*[.):]|\d{1,3}(?:\.\d{1,3})+|[a-zA-Z][.)]|\([a-zA-Z0-9]{1,3}\))\s+")
            .expect("valid regex")
    });
    let text = cell.trim().trim_end_matches(['*', ' ']).trim_end();
    match NUMBERING.find(text) {
        // Only before a sentence: "1.2 Do you..." but not "2) " alone or "1.5 million records?".
        Some(m) if text[m.end()..].starts_with(char::is_uppercase) => &text[m.end()..],
        _ => text,
    }
}

pub fn is_question_like(text: &str) -> bool {
    let text = text.trim();
    if text.ends_with('?') {
        return true;
    }
    let first = text
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    text.split_whitespace().count() >= 3
        && QUESTION_OPENERS
            .iter()
            .any(|o| first.eq_ignore_ascii_case(o))
}

pub(super) fn looks_like_id(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.len() <= 24
        && !text.contains(' ')
        && (looks_like_question_id(text) || text.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub(super) fn yes_no_value(text: &str) -> bool {
    ShortAnswer::parse(text).is_some() || matches!(norm(text).as_str(), "partial" | "partially")
}

/// A dropdown whose values are answers to a yes/no question.
pub fn is_yes_no_list(values: &[String]) -> bool {
    let has = |wanted| values.iter().any(|v| ShortAnswer::parse(v) == Some(wanted));
    let yes = has(ShortAnswer::Yes);
    let no = has(ShortAnswer::No);
    yes && no
}

pub(super) fn column_stats(
    grid: &Grid,
    body: &[u32],
    headers: &HashMap<u32, String>,
) -> Vec<ColumnStats> {
    let mut stats: HashMap<u32, ColumnStats> = HashMap::new();
    let mut distinct: HashMap<u32, HashSet<&str>> = HashMap::new();
    let mut dropdowns: HashMap<u32, HashMap<Vec<String>, usize>> = HashMap::new();
    for (&col, header) in headers {
        stats.entry(col).or_insert_with(|| ColumnStats {
            col,
            header: header.clone(),
            ..ColumnStats::default()
        });
    }
    for &row in body {
        for (col, cell) in grid.row_cells(row) {
            let s = stats.entry(*col).or_insert_with(|| ColumnStats {
                col: *col,
                ..ColumnStats::default()
            });
            if cell.text.is_empty() {
                continue;
            }
            s.non_empty += 1;
            s.total_len += cell.text.chars().count().min(2_000);
            if is_question_like(&cell.text) {
                s.question_like += 1;
            }
            if looks_like_id(&cell.text) {
                s.id_like += 1;
            }
            if yes_no_value(&cell.text) {
                s.yes_no += 1;
            }
            distinct.entry(*col).or_default().insert(cell.text.as_str());
        }
        // Dropdowns apply to empty cells too, so look at every column that has a header.
        for (&col, _) in headers.iter() {
            if let Some(values) = grid.dropdown(CellRef::new(row, col)) {
                *dropdowns
                    .entry(col)
                    .or_default()
                    .entry(values.to_vec())
                    .or_default() += 1;
            }
        }
    }
    for (col, set) in distinct {
        if let Some(s) = stats.get_mut(&col) {
            s.distinct = set.len();
        }
    }
    for (col, lists) in dropdowns {
        if let Some(s) = stats.get_mut(&col) {
            s.dropdown_rows = lists.values().sum();
            s.dropdown = lists
                .into_iter()
                .max_by_key(|(values, n)| (*n, values.len()))
                .map(|(values, _)| values);
        }
    }
    let mut out: Vec<ColumnStats> = stats.into_values().collect();
    out.sort_by_key(|s| s.col);
    out
}

pub(super) fn pick_question_column(stats: &[ColumnStats]) -> Option<u32> {
    let most = stats.iter().map(|s| s.non_empty).max().unwrap_or(0).max(1) as f32;
    stats
        .iter()
        .filter(|s| s.non_empty > 0)
        .filter_map(|s| {
            let header = norm(&s.header);
            let mut score = 0.0;
            if any_word(&header, &["question", "questions"])
                && !any_word(&header, &["id", "#", "no", "number", "ref"])
            {
                score += 3.0;
            } else if any_word(
                &header,
                &[
                    "requirement",
                    "control",
                    "item",
                    "criteria",
                    "query",
                    "description",
                ],
            ) && !any_word(&header, ID_WORDS)
            {
                score += 1.5;
            }
            if any_word(&header, NOT_ANSWER_WORDS) && !has_word(&header, "question") {
                score -= 1.0;
            }
            // Content: question-like, one per row (a merged or repeated control text is not), long enough.
            score += 4.0 * s.share(s.question_like);
            score += 2.0 * (s.non_empty as f32 / most);
            score += 1.0 * s.share(s.distinct);
            score += (s.avg_len() / 60.0).min(1.0);
            let plausible = s.avg_len() >= 12.0 || has_word(&header, "question");
            (plausible && s.share(s.id_like) < 0.5 && s.share(s.yes_no) < 0.5)
                .then_some((score, s.col))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, col)| col)
}

pub(super) fn pick_id_column(
    grid: &Grid,
    stats: &[ColumnStats],
    question_col: u32,
    question_rows: &[u32],
) -> Option<u32> {
    if question_rows.is_empty() {
        return None;
    }
    stats
        .iter()
        .filter(|s| s.col != question_col)
        .filter_map(|s| {
            let ids: Vec<&str> = question_rows
                .iter()
                .map(|&r| grid.text(CellRef::new(r, s.col)))
                .filter(|t| looks_like_id(t))
                .collect();
            let share = ids.len() as f32 / question_rows.len() as f32;
            let unique = ids.iter().collect::<HashSet<_>>().len() as f32 / ids.len().max(1) as f32;
            let header = norm(&s.header);
            let header_bonus = if any_word(&header, ID_WORDS) {
                0.3
            } else {
                0.0
            };
            let left_bonus = if s.col < question_col { 0.2 } else { 0.0 };
            (share >= 0.5).then_some((share + unique + header_bonus + left_bonus, s.col))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, col)| col)
}

/// Headers of columns that give a question's context: what it is about, not what to answer.
pub(super) const CONTEXT_WORDS: &[&str] = &[
    "domain", "category", "section", "area", "topic", "title", "family", "theme", "chapter",
];

/// Headers of the columns beside the questions that name their domain, title or specification: from the
/// header found, or else from the row right above the first question (a header without answer words, as a
/// control matrix has, is not found as a header).
pub(super) fn context_headers(
    grid: &Grid,
    headers: &HashMap<u32, String>,
    question_col: u32,
    id_col: Option<u32>,
    question_rows: &[u32],
) -> Vec<String> {
    let is_context = |text: &str| {
        let text = norm(text);
        text.chars().count() <= 40
            && (any_word(&text, CONTEXT_WORDS) || has_word(&text, "specification"))
    };
    let mut found: Vec<(u32, String)> = headers
        .iter()
        .filter(|(col, text)| **col != question_col && Some(**col) != id_col && is_context(text))
        .map(|(col, text)| (*col, text.clone()))
        .collect();
    let first_question = question_rows
        .iter()
        .copied()
        .find(|&r| is_question_like(grid.text(CellRef::new(r, question_col))));
    if found.is_empty()
        && let Some(first) = first_question
    {
        // The nearest row above the first question that names such columns.
        found = (first.saturating_sub(10)..first)
            .rev()
            .map(|r| {
                grid.row_cells(r)
                    .iter()
                    .filter(|(col, cell)| *col != question_col && is_context(&cell.text))
                    .map(|(col, cell)| (*col, cell.text.trim().to_string()))
                    .collect::<Vec<_>>()
            })
            .find(|cells| !cells.is_empty())
            .unwrap_or_default();
    }
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

/// The column left of the questions that names their domain, category or control title, if the header says
/// so: each row's section, which matching and import use as context (see #17). Long texts (a control's
/// specification) are not a section.
pub(super) fn pick_context_column(
    stats: &[ColumnStats],
    question_col: u32,
    id_col: Option<u32>,
) -> Option<u32> {
    stats
        .iter()
        .filter(|s| s.col < question_col && Some(s.col) != id_col && s.non_empty > 0)
        .filter(|s| any_word(&norm(&s.header), CONTEXT_WORDS) && s.avg_len() <= 80.0)
        .min_by_key(|s| question_col - s.col)
        .map(|s| s.col)
}

/// Answer columns, each with whether it is computed (mostly formulas on question rows, so not writable).
pub(super) fn pick_answer_columns(
    grid: &Grid,
    stats: &[ColumnStats],
    question_col: u32,
    id_col: Option<u32>,
    question_rows: &[u32],
    overrides: &Overrides,
) -> Vec<(AnswerColumn, bool)> {
    let computed = |col: u32| {
        let formulas = question_rows
            .iter()
            .filter(|&&r| grid.cell(CellRef::new(r, col)).is_some_and(|c| c.formula))
            .count();
        !question_rows.is_empty() && formulas as f32 >= 0.8 * question_rows.len() as f32
    };
    let column = |s: &ColumnStats, kind: AnswerKind| AnswerColumn {
        col: s.col,
        kind,
        allowed_values: s.dropdown.clone(),
        header: s.header.clone(),
    };
    let stat_of = |col: u32| {
        stats
            .iter()
            .find(|s| s.col == col)
            .cloned()
            .unwrap_or(ColumnStats {
                col,
                ..ColumnStats::default()
            })
    };
    if overrides.answer_col.is_some() || overrides.comment_col.is_some() {
        let mut out = Vec::new();
        if let Some(col) = overrides.answer_col {
            let s = stat_of(col);
            let kind = if overrides.comment_col.is_some()
                || s.dropdown.as_deref().is_some_and(is_yes_no_list)
            {
                AnswerKind::Short
            } else {
                AnswerKind::Long
            };
            out.push((column(&s, kind), false));
        }
        if let Some(col) = overrides.comment_col {
            out.push((column(&stat_of(col), AnswerKind::Long), false));
        }
        return out;
    }

    let mut marks = Vec::new();
    let mut shorts = Vec::new();
    let mut longs = Vec::new();
    let mut answer_words = Vec::new();
    for s in stats
        .iter()
        .filter(|s| s.col != question_col && Some(s.col) != id_col)
    {
        let header = norm(&s.header);
        let yes_no_dropdown = s.dropdown.as_deref().is_some_and(is_yes_no_list)
            && s.dropdown_rows * 2 >= question_rows.len().max(1);
        if let Some(kind) = mark_kind(&s.header) {
            marks.push((column(s, kind), computed(s.col)));
            continue;
        }
        if any_word(&header, NOT_ANSWER_WORDS) {
            continue;
        }
        let short_header = any_word(&header, SHORT_WORDS);
        let long_rank = LONG_WORDS.iter().position(|w| has_word(&header, w));
        let yes_no_content = s.non_empty >= 3 && s.share(s.yes_no) >= 0.6;
        if yes_no_dropdown || (short_header && yes_no_content) {
            shorts.push((column(s, AnswerKind::Short), computed(s.col), short_header));
        } else if let Some(rank) = long_rank {
            longs.push((rank, column(s, AnswerKind::Long), computed(s.col)));
        } else if short_header {
            answer_words.push((column(s, AnswerKind::Short), computed(s.col)));
        }
    }
    let mut out = Vec::new();
    // Mark-an-x needs at least Yes and No side by side.
    let has_yes = marks.iter().any(|(c, _)| c.kind == AnswerKind::MarkYes);
    let has_no = marks.iter().any(|(c, _)| c.kind == AnswerKind::MarkNo);
    let mark_layout = has_yes && has_no;
    if mark_layout {
        // A mark column without a dropdown is written with the mark the sheet's own answers use ("X", "✓").
        let example = sheet_mark(grid, &marks, question_rows);
        out.extend(marks.into_iter().map(|(mut column, computed)| {
            if column.allowed_values.is_none() {
                column.allowed_values = example.clone().map(|mark| vec![mark]);
            }
            (column, computed)
        }));
    }
    // One short column: a header that says answer beats a dropdown alone; then the leftmost.
    shorts.sort_by_key(|(c, _, header)| (!header, c.col));
    if !mark_layout {
        if let Some((c, computed, _)) = shorts.into_iter().next() {
            out.push((c, computed));
        } else if let Some((c, computed)) = answer_words.first().cloned() {
            // "Answer"/"Response" without Yes/No evidence: short when a long column takes the body, otherwise the
            // single column that gets "Yes. <body>".
            let kind = if longs.is_empty() {
                AnswerKind::Long
            } else {
                AnswerKind::Short
            };
            out.push((AnswerColumn { kind, ..c }, computed));
            answer_words.remove(0);
        }
    }
    // One long column: the best kind of header, then the leftmost. Without any, an unused "Response" column.
    longs.sort_by_key(|(rank, c, _)| (*rank, c.col));
    if let Some((_, c, computed)) = longs.into_iter().next() {
        out.push((c, computed));
    } else if let Some((c, computed)) = answer_words.into_iter().next()
        && !out.iter().any(|(o, _)| o.kind == AnswerKind::Long)
    {
        out.push((
            AnswerColumn {
                kind: AnswerKind::Long,
                ..c
            },
            computed,
        ));
    }
    out.sort_by_key(|(c, _)| c.col);
    out
}

/// The mark most answered rows use in a sheet's mark columns (ties go to `x`); none when no row is marked.
pub(super) fn sheet_mark(
    grid: &Grid,
    marks: &[(AnswerColumn, bool)],
    question_rows: &[u32],
) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (column, _) in marks {
        for &row in question_rows {
            let text = grid.text(CellRef::new(row, column.col)).trim();
            if !text.is_empty() && text.chars().count() <= 3 {
                *counts.entry(text).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(text, n)| (*n, *text == "x", std::cmp::Reverse(*text)))
        .map(|(text, _)| text.to_string())
}
