//! Layout detection: on one sheet, which row is the header, which column holds the questions, which their IDs,
//! which cells expect the answers and of what kind, and which rows are questions at all.
//!
//! In: a [`Grid`] and the user's overrides. Out: a [`SheetLayout`] with its [`QuestionRow`]s, or the reason the
//! sheet holds no questions. Decisions come from two kinds of evidence read together: header words
//! ("Question", "Answer", "Comments", "Yes | No | N/A") and what the columns hold (question-like text, IDs,
//! dropdowns, Yes/No values, formulas). A control text merged or repeated over several question rows loses to
//! the column with one distinct question per row (see #3).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::grid::Grid;
use super::instructions::Instruction;
use crate::analysis::ids::looks_like_question_id;
use crate::cell::{CellRef, column_name};
use crate::short_answer::ShortAnswer;

/// What an answer cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerKind {
    /// Yes / No / N/A (often a dropdown).
    Short,
    /// Free text: comments, explanation, implementation description.
    Long,
    /// One of three "mark an x" columns.
    MarkYes,
    MarkNo,
    MarkNa,
}

impl AnswerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerKind::Short => "short",
            AnswerKind::Long => "long",
            AnswerKind::MarkYes => "mark-yes",
            AnswerKind::MarkNo => "mark-no",
            AnswerKind::MarkNa => "mark-na",
        }
    }

    pub fn is_mark(self) -> bool {
        self.marked_answer().is_some()
    }

    /// The mark column that means `answer`.
    pub fn mark_for(answer: ShortAnswer) -> AnswerKind {
        match answer {
            ShortAnswer::Yes => AnswerKind::MarkYes,
            ShortAnswer::No => AnswerKind::MarkNo,
            ShortAnswer::NotApplicable => AnswerKind::MarkNa,
        }
    }

    /// The answer a mark in this column means; none for the short and long columns.
    pub fn marked_answer(self) -> Option<ShortAnswer> {
        match self {
            AnswerKind::MarkYes => Some(ShortAnswer::Yes),
            AnswerKind::MarkNo => Some(ShortAnswer::No),
            AnswerKind::MarkNa => Some(ShortAnswer::NotApplicable),
            AnswerKind::Short | AnswerKind::Long => None,
        }
    }
}

/// A column that takes answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerColumn {
    /// 0-based.
    pub col: u32,
    pub kind: AnswerKind,
    /// The values its dropdown allows (the most common list in the column), if it has one; for a mark column
    /// without one, the mark the sheet's answered rows use.
    pub allowed_values: Option<Vec<String>>,
    pub header: String,
}

/// One cell a question's answer goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AnswerCell {
    pub cell: CellRef,
    pub kind: AnswerKind,
    /// This cell's dropdown values (they can differ from row to row); for a mark cell without a dropdown, the mark
    /// the sheet's answered rows use (`X`), which drafting writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// What the cell holds already.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub current: String,
}

impl AnswerCell {
    pub fn is_filled(&self) -> bool {
        !self.current.trim().is_empty()
    }
}

/// A row that asks a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionRow {
    pub sheet: String,
    /// 0-based row.
    pub row: u32,
    pub id: Option<String>,
    pub question: String,
    /// The section heading the row sits under.
    pub section: Option<String>,
    /// Writable answer cells (formula cells and merged shadows are left out).
    pub answer_cells: Vec<AnswerCell>,
    /// The sheet has one answer column only, which takes the short answer and the body together.
    #[serde(default)]
    pub single_answer_column: bool,
}

impl QuestionRow {
    /// Already answered: some answer cell has content.
    pub fn is_answered(&self) -> bool {
        self.answer_cells.iter().any(AnswerCell::is_filled)
    }
}

/// User overrides for one run (0-based; `None` means detect). They describe one sheet's layout, so they apply
/// only to the sheets named with `--sheet` (see `questionnaire::read_questionnaire`). A review workbook records
/// them, so `finish` reads the questionnaire as `draft` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Overrides {
    pub header_row: Option<u32>,
    pub question_col: Option<u32>,
    pub id_col: Option<u32>,
    /// The short-answer column (or the only answer column).
    pub answer_col: Option<u32>,
    /// The long-answer column.
    pub comment_col: Option<u32>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// What detection found on a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLayout {
    /// 0-based rows of the header block (one or two rows); empty when the sheet has no header.
    pub header_rows: Vec<u32>,
    pub question_col: u32,
    pub id_col: Option<u32>,
    /// A column left of the questions that names their domain, category or title: context (each row's section),
    /// never an answer (see #17).
    pub context_col: Option<u32>,
    pub answer_columns: Vec<AnswerColumn>,
    pub questions: Vec<QuestionRow>,
    /// Question rows whose answer cells all hold formulas (computed; never written).
    pub formula_rows: usize,
}

/// Detects the layout of one sheet; `Err` is the reason it has no questions, in the user's words. Collects no
/// more than `max_questions` + 1 questions, so that a caller can tell the sheet holds more than it allows without
/// each one being held.
pub fn detect(
    sheet: &str,
    grid: &Grid,
    overrides: &Overrides,
    include_hidden_rows: bool,
    max_questions: usize,
) -> Result<SheetLayout, String> {
    if grid.is_empty() {
        return Err("the sheet is empty".to_string());
    }
    let rows: Vec<u32> = grid
        .row_numbers()
        .filter(|r| include_hidden_rows || !grid.hidden_rows.contains(r))
        .collect();
    let (header_rows, repeats) = match overrides.header_row {
        Some(row) => (header_block(grid, row, &rows), Vec::new()),
        None => find_headers(grid, &rows).unwrap_or_default(),
    };
    let body_start = header_rows.last().map_or(0, |&r| r + 1);
    let body: Vec<u32> = rows.iter().copied().filter(|&r| r >= body_start).collect();
    let headers = header_texts(grid, &header_rows, &repeats);
    let stats = column_stats(grid, &body, &headers);

    let question_col = match overrides.question_col {
        Some(col) => col,
        None => pick_question_column(&stats).ok_or_else(|| {
            format!(
                "no question column found (no Question/Control/Requirement header and no column of question-like \
                 text); use --sheet '{sheet}' --question-col COL"
            )
        })?,
    };
    let question_rows: Vec<u32> = body
        .iter()
        .copied()
        .filter(|&r| !grid.text(CellRef::new(r, question_col)).is_empty())
        .collect();
    let id_col = overrides
        .id_col
        .or_else(|| pick_id_column(grid, &stats, question_col, &question_rows));
    let answer_columns = pick_answer_columns(
        grid,
        &stats,
        question_col,
        id_col,
        &question_rows,
        overrides,
    );
    let writable: Vec<AnswerColumn> = answer_columns
        .iter()
        .filter(|a| !a.1)
        .map(|a| a.0.clone())
        .collect();
    if writable.is_empty() {
        let computed: Vec<String> = answer_columns
            .iter()
            .filter(|a| a.1)
            .map(|a| column_name(a.0.col))
            .collect();
        // A control matrix names each question's domain, title and specification: say that these were seen
        // and are not answers (see #17).
        let context = context_headers(grid, &headers, question_col, id_col, &question_rows);
        let context: Vec<&str> = context.iter().map(String::as_str).collect();
        let context = match context.as_slice() {
            [] => String::new(),
            [one] => format!("; its {one} column is context, not answers"),
            [rest @ .., last] => format!(
                "; its {} and {last} columns are context, not answers",
                rest.join(", ")
            ),
        };
        return Err(if computed.is_empty() {
            format!(
                "no answer column found (no Answer/Response/Comments header, Yes/No dropdown or Yes/No/N/A \
                 columns){context}; use --sheet '{sheet}' --answer-col COL"
            )
        } else {
            format!(
                "its answer column{} {} hold{} formulas computed from other cells, so nothing here is answered by hand",
                if computed.len() > 1 { "s" } else { "" },
                computed.join(", "),
                if computed.len() > 1 { "" } else { "s" }
            )
        });
    }

    let context_col = pick_context_column(&stats, question_col, id_col);
    let mut layout = SheetLayout {
        header_rows: header_rows.clone(),
        question_col,
        id_col,
        context_col,
        answer_columns: writable,
        questions: Vec::new(),
        formula_rows: 0,
    };
    collect_questions(sheet, grid, &rows, &headers, &mut layout, max_questions);
    if layout.questions.is_empty() {
        return Err(if layout.formula_rows > 0 {
            format!(
                "all {} question rows have formula answer cells (computed from other cells)",
                layout.formula_rows
            )
        } else {
            "no question rows found below the header".to_string()
        });
    }
    Ok(layout)
}

// ---------------------------------------------------------------------------------------------------------------
// Header words

/// Normalizes a header or cell text for keyword tests: lowercase, single spaces, no trailing `:`/`*`/`?`.
fn norm(text: &str) -> String {
    crate::text::one_line(&text.to_lowercase())
        .trim_end_matches([':', '*', '?', '.'])
        .trim()
        .to_string()
}

/// Does `text` contain `word` as whole words?
fn has_word(text: &str, word: &str) -> bool {
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

fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_word(text, w))
}

const QUESTION_WORDS: &[&str] = &[
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
const ID_WORDS: &[&str] = &[
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
const SHORT_WORDS: &[&str] = &[
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
const LONG_WORDS: &[&str] = &[
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
const NOT_ANSWER_WORDS: &[&str] = &[
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

fn mark_kind(header: &str) -> Option<AnswerKind> {
    // The lower row of a two-row header carries the mark ("Response / Yes" → "yes").
    let last = header.rsplit(" / ").next().unwrap_or(header);
    ShortAnswer::parse(&norm(last)).map(AnswerKind::mark_for)
}

/// Is this cell text a column header: short, and made of header words?
fn header_cell(text: &str) -> (bool, bool) {
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
fn header_score(grid: &Grid, row: u32) -> (usize, bool, bool) {
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

fn is_strong_header(grid: &Grid, row: u32) -> bool {
    let (score, _, answer) = header_score(grid, row);
    score >= 2 && answer
}

/// The first header block (question and answer words side by side, with the row above or below when the header
/// spans two rows), and every later row that reads as a header too (a header repeated at each section).
fn find_headers(grid: &Grid, rows: &[u32]) -> Option<(Vec<u32>, Vec<u32>)> {
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
fn header_block(grid: &Grid, row: u32, rows: &[u32]) -> Vec<u32> {
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
const MARK_ROW_REACH: u32 = 4;

/// A header merged over several columns ("Consensus Assessment Answers" over three, as in CAIQ v3) whose mark
/// labels ("Yes | No | Not Applicable") sit further down, below rows that hold anything else (a note, the other
/// columns' second header row): the block reaches down to the mark row, so those rows are neither questions nor
/// the header that names the columns (see #17). Stops at the first row that asks a question.
fn extend_to_mark_row(grid: &Grid, block: Vec<u32>, rows: &[u32]) -> Vec<u32> {
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
fn header_texts(grid: &Grid, block: &[u32], repeats: &[u32]) -> HashMap<u32, String> {
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

// ---------------------------------------------------------------------------------------------------------------
// Column statistics

#[derive(Debug, Default, Clone)]
struct ColumnStats {
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

const QUESTION_OPENERS: &[&str] = &[
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

fn looks_like_id(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.len() <= 24
        && !text.contains(' ')
        && (looks_like_question_id(text) || text.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn yes_no_value(text: &str) -> bool {
    ShortAnswer::parse(text).is_some() || matches!(norm(text).as_str(), "partial" | "partially")
}

/// A dropdown whose values are answers to a yes/no question.
pub fn is_yes_no_list(values: &[String]) -> bool {
    let has = |wanted| values.iter().any(|v| ShortAnswer::parse(v) == Some(wanted));
    let yes = has(ShortAnswer::Yes);
    let no = has(ShortAnswer::No);
    yes && no
}

fn column_stats(grid: &Grid, body: &[u32], headers: &HashMap<u32, String>) -> Vec<ColumnStats> {
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

fn pick_question_column(stats: &[ColumnStats]) -> Option<u32> {
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

fn pick_id_column(
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
const CONTEXT_WORDS: &[&str] = &[
    "domain", "category", "section", "area", "topic", "title", "family", "theme", "chapter",
];

/// Headers of the columns beside the questions that name their domain, title or specification: from the
/// header found, or else from the row right above the first question (a header without answer words, as a
/// control matrix has, is not found as a header).
fn context_headers(
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
fn pick_context_column(
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
fn pick_answer_columns(
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
fn sheet_mark(
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

// ---------------------------------------------------------------------------------------------------------------
// Question rows

fn is_footer(text: &str) -> bool {
    let t = norm(text);
    t.starts_with("end of")
        || t.contains('©')
        || has_word(&t, "copyright")
        || t.contains("all rights reserved")
        || (t.starts_with("page ") && has_word(&t, "of"))
}

/// Is this row a header (the first one, or one repeated at a section)? A cell that repeats a known header in a
/// question or answer column is enough: "General Information | Answer" heads a block that has no comment column.
fn is_header_row(
    grid: &Grid,
    row: u32,
    headers: &HashMap<u32, String>,
    role_columns: &[u32],
) -> bool {
    if grid.text(CellRef::new(row, role_columns[0])).ends_with('?') {
        return false;
    }
    is_strong_header(grid, row)
        || grid.row_cells(row).iter().any(|(col, cell)| {
            role_columns.contains(col)
                && !cell.text.is_empty()
                && headers
                    .get(col)
                    .is_some_and(|h| h.split(" / ").any(|part| norm(part) == norm(&cell.text)))
        })
}

/// The label a section row carries: its first non-empty text.
fn row_label(grid: &Grid, row: u32) -> Option<String> {
    grid.row_cells(row)
        .iter()
        .map(|(_, c)| c.text.trim())
        .find(|t| !t.is_empty())
        .map(str::to_string)
}

/// Walks the rows top to bottom. Header rows set the section (their label) and which answer columns the block
/// below them has; rows above the first header count only when they carry an ID (general-information rows).
fn collect_questions(
    sheet: &str,
    grid: &Grid,
    rows: &[u32],
    headers: &HashMap<u32, String>,
    layout: &mut SheetLayout,
    max_questions: usize,
) {
    let has_ids = layout.id_col.is_some();
    let first_header = layout.header_rows.first().copied();
    let mut role_columns = vec![layout.question_col];
    role_columns.extend(layout.answer_columns.iter().map(|a| a.col));
    let all_columns: Vec<u32> = layout.answer_columns.iter().map(|a| a.col).collect();
    let mut active: Vec<u32> = all_columns.clone();
    let mut section: Option<String> = None;
    for &row in rows {
        if layout.questions.len() > max_questions {
            break;
        }
        let in_header_block = layout.header_rows.contains(&row);
        if in_header_block || is_header_row(grid, row, headers, &role_columns) {
            // A header often names its section in a column of its own.
            if let Some(label) = grid
                .row_cells(row)
                .iter()
                .find(|(c, cell)| {
                    !role_columns.contains(c)
                        && !cell.text.trim().is_empty()
                        && headers.get(c).is_none_or(|h| norm(h) != norm(&cell.text))
                })
                .map(|(_, cell)| cell.text.trim().to_string())
            {
                section = Some(label);
            }
            active = if in_header_block {
                all_columns.clone()
            } else {
                all_columns
                    .iter()
                    .copied()
                    .filter(|&c| !grid.text(CellRef::new(row, c)).is_empty())
                    .collect()
            };
            if active.is_empty() {
                active = all_columns.clone();
            }
            continue;
        }
        let question_cell = CellRef::new(row, layout.question_col);
        let question = question_text(grid.text(question_cell));
        let id = layout
            .id_col
            .map(|c| grid.text(CellRef::new(row, c)).trim())
            .filter(|t| !t.is_empty());
        let id_is_id = id.is_some_and(looks_like_id);
        // Above the first header only rows with a question ID can be questions.
        let above_header = first_header.is_some_and(|first| row < first);
        if above_header && !id_is_id {
            continue;
        }
        let label = row_label(grid, row);
        if label.as_deref().is_some_and(is_footer) {
            continue;
        }
        if question.is_empty() {
            // Text elsewhere in the row only: a section heading (unless it is an ID with nothing to ask).
            if let Some(label) = label.filter(|l| l.chars().count() <= 120 && !looks_like_id(l)) {
                section = Some(label);
            }
            continue;
        }
        let question_like = is_question_like(question);
        let spans_answers = grid.merge_at(question_cell).is_some_and(|area| {
            layout
                .answer_columns
                .iter()
                .any(|a| (area.first.col..=area.last.col).contains(&a.col))
        });
        let is_section = spans_answers
            || (has_ids && !id_is_id && !question.ends_with('?'))
            || (!has_ids && !question_like && question.split_whitespace().count() <= 8);
        if is_section {
            // Titles above the first header are not sections of the questions below it.
            if question.chars().count() <= 120 && !above_header {
                section = Some(question.to_string());
            }
            continue;
        }
        if question.chars().count() < 8 || question.split_whitespace().count() < 2 {
            continue;
        }
        let context = layout
            .context_col
            .map(|c| crate::text::one_line(grid.text(CellRef::new(row, c))))
            .filter(|t| !t.is_empty() && t.chars().count() <= 120);
        let mut cells = Vec::new();
        let mut formulas = 0;
        // The sheet's own input message may say "leave this cell blank, answer in column C" (see #26).
        let mut answer_in = None;
        for column in layout
            .answer_columns
            .iter()
            .filter(|a| active.contains(&a.col))
        {
            let at = CellRef::new(row, column.col);
            if grid.is_merge_shadow(at) {
                continue;
            }
            match grid.instruction(at) {
                Some(Instruction::LeaveAlone) => continue,
                Some(Instruction::AnswerIn(col)) => {
                    answer_in = answer_in.or(Some(col));
                    continue;
                }
                None => {}
            }
            let cell = grid.cell(at);
            if cell.is_some_and(|c| c.formula) {
                formulas += 1;
                continue;
            }
            cells.push(AnswerCell {
                cell: at,
                kind: column.kind,
                // A mark column without a dropdown takes the mark the sheet's own answers use.
                allowed: grid.dropdown(at).map(<[String]>::to_vec).or_else(|| {
                    column
                        .kind
                        .is_mark()
                        .then(|| column.allowed_values.clone())
                        .flatten()
                }),
                current: cell.map(|c| c.text.clone()).unwrap_or_default(),
            });
        }
        let mut single_answer_column = layout.answer_columns.len() == 1;
        if let Some(col) = answer_in {
            // The whole answer goes into the column the sheet names, whatever that column is for on other rows: as
            // free text, unless the cell's own dropdown limits it to a Yes/No.
            cells.retain(|c| c.cell.col == col);
            for cell in cells.iter_mut().filter(|c| c.allowed.is_none()) {
                cell.kind = AnswerKind::Long;
            }
            let at = CellRef::new(row, col);
            let writable = col != layout.question_col
                && !grid.is_merge_shadow(at)
                && grid.instruction(at).is_none()
                && !grid.cell(at).is_some_and(|c| c.formula);
            if cells.is_empty() && writable {
                cells.push(AnswerCell {
                    cell: at,
                    kind: AnswerKind::Long,
                    allowed: grid.dropdown(at).map(<[String]>::to_vec),
                    current: grid.cell(at).map(|c| c.text.clone()).unwrap_or_default(),
                });
            }
            single_answer_column = true;
        }
        if cells.is_empty() {
            if formulas > 0 {
                layout.formula_rows += 1;
            }
            continue;
        }
        layout.questions.push(QuestionRow {
            sheet: sheet.to_string(),
            row,
            id: id.map(str::to_string),
            question: question.to_string(),
            section: context.or_else(|| section.clone()),
            answer_cells: cells,
            single_answer_column,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ooxml::sheet_xml::Area;
    use crate::questionnaire::grid::Dropdown;

    fn grid(rows: &[&[&str]]) -> Grid {
        let mut grid = Grid::new();
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                grid.insert(CellRef::new(r as u32, c as u32), text, false);
            }
        }
        grid
    }

    #[test]
    fn finds_header_below_a_title_and_the_columns() {
        let mut g = grid(&[
            &["Vendor security questionnaire"],
            &["Please answer every question."],
            &[],
            &["ID", "Question", "Answer", "Comments"],
            &["Access control"],
            &["AC-1", "Do you enforce MFA for all staff?", "", ""],
            &[
                "AC-2",
                "Are access rights reviewed quarterly?",
                "Yes",
                "Every quarter.",
            ],
            &["End of questionnaire"],
        ]);
        g.dropdowns.push(Dropdown {
            areas: vec![Area::parse("C5:C7").unwrap()],
            values: vec!["Yes".into(), "No".into()],
        });
        let layout = detect("S", &g, &Overrides::default(), false, usize::MAX).unwrap();
        assert_eq!(layout.header_rows, vec![3]);
        assert_eq!(layout.question_col, 1);
        assert_eq!(layout.id_col, Some(0));
        let kinds: Vec<_> = layout
            .answer_columns
            .iter()
            .map(|a| (a.col, a.kind))
            .collect();
        assert_eq!(kinds, vec![(2, AnswerKind::Short), (3, AnswerKind::Long)]);
        assert_eq!(layout.questions.len(), 2);
        assert_eq!(
            layout.questions[0].section.as_deref(),
            Some("Access control")
        );
        assert!(layout.questions[1].is_answered());
        assert_eq!(
            layout.questions[0].answer_cells[0]
                .allowed
                .as_deref()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn markers_and_numbering_are_not_part_of_a_question() {
        for (cell, question) in [
            (
                "Do you have a documented plan?*",
                "Do you have a documented plan?",
            ),
            ("  Solution Provider Name * ", "Solution Provider Name"),
            ("1. Do you encrypt data?", "Do you encrypt data?"),
            ("1.2 Do you encrypt data?", "Do you encrypt data?"),
            ("3) Describe your backups.", "Describe your backups."),
            ("(b) Describe your backups.", "Describe your backups."),
            ("a. Is MFA required?", "Is MFA required?"),
            // Numbers that are part of the question stay.
            ("2FA is required for admins?", "2FA is required for admins?"),
            ("24/7 monitoring?", "24/7 monitoring?"),
            ("5 or more years of logs?", "5 or more years of logs?"),
            ("1.5 million records?", "1.5 million records?"),
            ("A) ", "A)"),
        ] {
            assert_eq!(question_text(cell), question, "{cell:?}");
        }
    }

    #[test]
    fn question_words() {
        assert!(is_question_like("Do you encrypt data at rest?"));
        assert!(is_question_like("Describe your backup process"));
        assert!(!is_question_like("Access control"));
        assert!(looks_like_id("A&A-01.1"));
        assert!(looks_like_id("1.2.3"));
        assert!(!looks_like_id("Access control"));
        assert!(is_footer("© 2026 Example Ltd. All rights reserved."));
        assert!(is_footer("End of Standard"));
    }
}
