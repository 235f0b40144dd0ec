//! The review workbook: what a person reads to decide what to trust, and what `finish` reads back.
//!
//! In: the drafts of one run. Out: `<stem>.review.xlsx` (rust_xlsxwriter) with a **Review** sheet laid out for the
//! task (see #16): the question, the band, the drafted short answer and answer, `Decision` and `Final answer` side
//! by side at the left (about 175 character-widths, a laptop screen), header row and question frozen; the status,
//! score, place in the customer's file, matched entry, candidates #2 and #3 (each with its short answer and the
//! start of its answer, chosen with "Use #2" / "Use #3") and notes to the right. A **Summary** sheet, and a hidden
//! **answerbank** sheet that records the source file (path, SHA-256 and how it was read) and, per row, its answer
//! cells, what the drafted cells showed and the candidates' answers, so that `finish` writes back exactly where
//! `draft` would have and can tell a drafted answer corrected in place from one left alone. Rows are tied together
//! by the `#` column, so a reviewer may sort and filter the Review sheet freely.
//!
//! A review travels by e-mail and shared drives like any other file: [`read_review`] opens it with the limits of a
//! customer's file, and [`check_against_source`] refuses any recorded answer cell that the reader does not find in
//! the source questionnaire.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, Format, FormatAlign, Workbook, Worksheet,
};
use serde::{Deserialize, Serialize};

use crate::cell::CellRef;
use crate::date::Date;
use crate::drafting::{CANDIDATES_KEPT, Draft, Outcome, Summary, combined_answer};
use crate::library::Entry;
use crate::matching::{Candidate, Confidence};
use crate::ooxml::Limits;
use crate::questionnaire::source::Workbook as Source;
use crate::questionnaire::{AnswerCell, Overrides, QuestionRow, Questionnaire, ReadOptions};
use crate::short_answer::{ShortAnswer, same_optional_short_answer, same_short_answer};
use crate::text::{one_line, plain_text, snippet};
use crate::workbook::patch::fit_to_cell;

const REVIEW_SHEET: &str = "Review";
const SUMMARY_SHEET: &str = "Summary";
const DATA_SHEET: &str = "answerbank";
/// Written in the data sheet's A1; `finish` refuses a workbook without it.
const MARKER: &str = "answerbank review workbook";
/// 3: the Review sheet's columns were reordered for the task, rows record the candidates and their answers, and the
/// data sheet records how the questionnaire was read (see #16). A version-2 workbook would have its decisions read
/// from the wrong column.
const FORMAT_VERSION: u32 = 3;
/// The row (0-based) where the data sheet's per-question table starts (its header).
const DATA_TABLE_ROW: u32 = 12;
/// Characters of a candidate's answer shown in the Review sheet (its start; the whole answer is written on Use #N).
const CANDIDATE_SNIPPET: usize = 200;
/// The data sheet's column where a row's record goes on when it is longer than one cell holds (after the number,
/// the record, and the answers of the candidates).
const RECORD_MORE_COL: u16 = 2 + CANDIDATES_KEPT as u16;

/// A reviewer's decision on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Accept,
    /// Use candidate #n (2 or 3) instead of the drafted one.
    Use(usize),
    Edit,
    Reject,
    NeedsSme,
}

impl Decision {
    /// The values of the Decision dropdown.
    pub const CHOICES: [&'static str; 6] =
        ["Accept", "Use #2", "Use #3", "Edit", "Reject", "Needs SME"];

    /// Reads a decision as a person may type it: any case, "Use #2", "use 2" or "#2"; "Use #1" is Accept.
    pub fn parse(text: &str) -> Option<Decision> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "accept" | "accepted" => return Some(Decision::Accept),
            "edit" | "edited" => return Some(Decision::Edit),
            "reject" | "rejected" => return Some(Decision::Reject),
            "needs sme" | "sme" | "needs_sme" | "needs-sme" => return Some(Decision::NeedsSme),
            _ => {}
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let number = compact
            .strip_prefix("use")
            .map(|rest| rest.strip_prefix('#').unwrap_or(rest))
            .or_else(|| compact.strip_prefix('#'))?;
        match number.parse::<usize>().ok()? {
            1 => Some(Decision::Accept),
            n @ 2..=CANDIDATES_KEPT => Some(Decision::Use(n)),
            _ => None,
        }
    }
}

/// How `draft` read the questionnaire (`--sheet`, `--include-hidden`, the header and column options), recorded so
/// that `finish` reads it again the same way and writes only into answer cells the reader finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reading {
    pub sheets: Vec<String>,
    pub include_hidden: bool,
    #[serde(flatten)]
    pub overrides: Overrides,
}

impl Reading {
    pub fn of(options: &ReadOptions) -> Reading {
        Reading {
            sheets: options.sheets.clone(),
            include_hidden: options.include_hidden,
            overrides: options.overrides.clone(),
        }
    }

    /// The reader options to read the questionnaire again (with the default limits, as `draft` uses).
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            sheets: self.sheets.clone(),
            include_hidden: self.include_hidden,
            overrides: self.overrides.clone(),
            limits: Limits::default(),
        }
    }
}

/// What the run was, recorded for `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewMeta {
    /// The customer's original file (absolute path when written).
    pub source: PathBuf,
    pub source_sha256: String,
    pub library: PathBuf,
    pub drafted_file: PathBuf,
    pub created: Date,
    pub min_confidence: Confidence,
    pub overwrite: bool,
    pub semantic: bool,
    pub reading: Reading,
}

/// A runner-up the reviewer can pick with "Use #n".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// 2 or 3: its place among the candidates, as the Decision names it.
    pub number: usize,
    pub id: String,
    pub question: String,
    pub short: Option<String>,
    /// Its answer as a cell shows it; kept in a column of its own in the data sheet.
    #[serde(skip)]
    pub body: String,
}

/// What the Review sheet's drafted short-answer and answer cells hold when read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub short: String,
    pub body: String,
}

/// One question as recorded in the data sheet, with the reviewer's decision once read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub number: usize,
    pub sheet: String,
    /// 0-based row in the customer's sheet.
    pub row: u32,
    pub question_id: Option<String>,
    pub question: String,
    pub section: Option<String>,
    pub cells: Vec<AnswerCell>,
    /// The sheet's only answer column takes the short answer and the body together.
    pub single_answer_column: bool,
    pub matched_id: Option<String>,
    pub confidence: Confidence,
    /// The drafted answer (the best entry's short answer and body), even when it was not written. These are also
    /// exactly what the Review sheet's "Short answer" and "Drafted answer" cells showed, so a change made there
    /// is seen on reading back.
    pub short: Option<String>,
    /// Kept in a column of its own in the data sheet (it can be as long as a cell allows).
    #[serde(skip)]
    pub body: Option<String>,
    /// Whether `draft` wrote it into the customer's file.
    pub written: bool,
    /// Candidates #2 and #3 (only for a matched question).
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    #[serde(skip)]
    pub decision: Option<Decision>,
    #[serde(skip)]
    pub final_answer: Option<String>,
    /// The drafted cells as the reviewer left them (`None` when the row is not in the Review sheet any more).
    #[serde(skip)]
    pub shown: Option<Shown>,
}

impl ReviewRow {
    fn from_draft(number: usize, draft: &Draft) -> ReviewRow {
        let best = draft.result.matched();
        let alternatives = match best {
            Some(_) => draft
                .result
                .candidates
                .iter()
                .enumerate()
                .skip(1)
                .take(CANDIDATES_KEPT - 1)
                .map(|(i, c)| Alternative {
                    number: i + 1,
                    id: c.id().to_string(),
                    question: one_line(&c.entry.entry.question),
                    short: c.entry.entry.short_answer.clone(),
                    body: cell_body(c),
                })
                .collect(),
            None => Vec::new(),
        };
        ReviewRow {
            number,
            sheet: draft.row.sheet.clone(),
            row: draft.row.row,
            question_id: draft.row.id.clone(),
            question: fit_to_cell(&draft.row.question).0,
            section: draft.row.section.clone(),
            cells: draft.row.answer_cells.clone(),
            single_answer_column: draft.row.single_answer_column,
            matched_id: best.map(|c| c.id().to_string()),
            confidence: draft.result.confidence,
            // A question that asks the opposite of the entry shows the Yes/No turned around, or none (see #14).
            short: crate::drafting::drafted_short_answer(&draft.result),
            body: best.map(cell_body),
            written: draft.outcome == Outcome::Written,
            alternatives,
            decision: None,
            final_answer: None,
            shown: None,
        }
    }

    /// Candidate #n's id, short answer and body: #1 is the drafted answer.
    pub fn candidate(&self, n: usize) -> Option<(&str, Option<&str>, &str)> {
        if n == 1 {
            return self.matched_id.as_deref().map(|id| {
                (
                    id,
                    self.short.as_deref(),
                    self.body.as_deref().unwrap_or(""),
                )
            });
        }
        self.alternatives
            .iter()
            .find(|a| a.number == n)
            .map(|a| (a.id.as_str(), a.short.as_deref(), a.body.as_str()))
    }

    /// Why the library's `entry` is not the candidate of that id this row showed the reviewer, or `None` when it
    /// is: the row's record of the candidate (its answer; for #2 and #3 also its question and short answer) must be
    /// what the entry holds now. A decision is recorded on an entry only then (see #29: an edited `matched_id` in the
    /// hidden sheet moved a reviewer's Reject onto an entry they never saw; an entry edited since `draft` is not the
    /// answer they judged either). The drafted short answer is not compared strictly: for a question that asks the
    /// opposite, `draft` showed the entry's Yes/No turned around, or none.
    pub fn disagreement(&self, entry: &Entry) -> Option<String> {
        let same_text = |a: &str, b: &str| one_line(a) == one_line(b);
        let changed = |what: &str| {
            Some(format!(
                "the review shows `{}` with {what} that the library's entry does not have now (it was changed since \
                 draft, or the review's hidden sheet was edited)",
                entry.id
            ))
        };
        let answer = shown_answer(entry);
        if self.matched_id.as_deref() == Some(entry.id.as_str()) {
            if !same_text(self.body.as_deref().unwrap_or(""), &answer) {
                return changed("an answer");
            }
            let yes_no = |s: &str| {
                matches!(
                    ShortAnswer::parse(s),
                    Some(ShortAnswer::Yes | ShortAnswer::No)
                )
            };
            let short_agrees = match (self.short.as_deref(), entry.short_answer.as_deref()) {
                (None, _) => true,
                (Some(shown), Some(held)) => {
                    same_short_answer(shown, held) || (yes_no(shown) && yes_no(held))
                }
                (Some(_), None) => false,
            };
            return if short_agrees {
                None
            } else {
                changed("a short answer")
            };
        }
        let Some(alternative) = self.alternatives.iter().find(|a| a.id == entry.id) else {
            return Some(format!(
                "the review shows no candidate `{}` for this question",
                entry.id
            ));
        };
        if !same_text(&alternative.body, &answer) {
            changed("an answer")
        } else if !same_text(&alternative.question, &entry.question) {
            changed("a question")
        } else if !same_optional_short_answer(
            alternative.short.as_deref(),
            entry.short_answer.as_deref(),
        ) {
            changed("a short answer")
        } else {
            None
        }
    }

    /// Where the question is, for messages: "#3 (NW-1.3, sheet 'Vendor Questionnaire', cell C8)".
    pub fn place(&self) -> String {
        let cell = self.cells.first().map_or_else(
            || format!("row {}", self.row + 1),
            |c| format!("cell {}", c.cell),
        );
        match &self.question_id {
            Some(id) => format!("#{} ({id}, sheet '{}', {cell})", self.number, self.sheet),
            None => format!("#{} (sheet '{}', {cell})", self.number, self.sheet),
        }
    }
}

/// An entry's answer as a cell shows it (plain text, cut to a cell's limit).
fn cell_body(candidate: &Candidate) -> String {
    shown_answer(&candidate.entry.entry)
}

/// An entry's answer as the review shows it and records it: plain text, cut to a cell's limit.
pub fn shown_answer(entry: &Entry) -> String {
    fit_to_cell(&plain_text(&entry.body)).0
}

fn status_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Written => "written",
        Outcome::BelowThreshold => "for review",
        Outcome::NoMatch => "no match",
        Outcome::AlreadyAnswered => "already answered",
        Outcome::NotAllowed => "not allowed by the cell",
        Outcome::Opposite => "for review: asks the opposite",
        Outcome::Template => "no answer: a template covers it",
    }
}

fn band_color(confidence: Confidence) -> Color {
    match confidence {
        Confidence::High => Color::RGB(0xC6EFCE),
        Confidence::Medium => Color::RGB(0xFFEB9C),
        Confidence::Low => Color::RGB(0xF8CBAD),
        Confidence::None => Color::RGB(0xD9D9D9),
    }
}

/// Where a question stands once the review is applied. Every question is in exactly one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Accept: the drafted answer.
    Accepted,
    /// The reviewer's own answer (Edit, a Final answer, or the draft corrected in place).
    Edited,
    /// Use #N: another candidate's answer.
    Picked,
    /// No decision; `draft` wrote it into the file, and it stays.
    Drafted,
    /// No decision; the customer's file already answers it.
    AlreadyAnswered,
    Rejected,
    NeedsSme,
    /// No decision and no answer.
    Unanswered,
    /// The reviewer decided, but what they asked for could not be written (see the reason).
    NotWritten,
}

impl State {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Rejected | State::NeedsSme | State::Unanswered | State::NotWritten
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Accepted => "accepted",
            State::Edited => "edited",
            State::Picked => "picked",
            State::Drafted => "drafted",
            State::AlreadyAnswered => "already answered",
            State::Rejected => "rejected",
            State::NeedsSme => "needs SME",
            State::Unanswered => "no decision, no answer",
            State::NotWritten => "not written",
        }
    }
}

/// One question after the review.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionState {
    /// The `#` of the review row.
    pub number: usize,
    pub sheet: String,
    /// Its answer cells in the customer's file.
    pub cells: Vec<String>,
    pub question_id: Option<String>,
    pub question: String,
    pub state: State,
    /// For an open question, why it is open and what to do.
    pub reason: Option<String>,
    /// The entry `draft` drafted from, if any.
    pub entry: Option<String>,
    /// Its answer, for whoever answers an open question (not in `--json`).
    #[serde(skip)]
    pub drafted: Option<String>,
}

/// The Review sheet's columns (0-based). What a reviewer reads and writes sits at the left, the rest to the right.
pub const NUMBER_COL: u16 = 0;
pub const QUESTION_COL: u16 = 1;
pub const CONFIDENCE_COL: u16 = 2;
pub const SHORT_COL: u16 = 3;
pub const DRAFTED_COL: u16 = 4;
pub const DECISION_COL: u16 = 5;
pub const FINAL_COL: u16 = 6;
const STATUS_COL: u16 = 7;
const SCORE_COL: u16 = 8;
const SHEET_COL: u16 = 9;
const CELLS_COL: u16 = 10;
const QUESTION_ID_COL: u16 = 11;
const ENTRY_COL: u16 = 12;
const ENTRY_QUESTION_COL: u16 = 13;
const CANDIDATE_COL: u16 = 14;
const NOTES_COL: u16 = 16;

/// Headers and widths, in column order. The first seven add up to 175 character-widths, which a laptop screen
/// shows without scrolling; `finish` finds the columns it reads by these headers.
pub const COLUMNS: [(&str, f64); 17] = [
    ("#", 5.0),
    ("Question", 48.0),
    ("Confidence", 11.0),
    ("Short answer", 9.0),
    ("Drafted answer", 45.0),
    ("Decision", 12.0),
    ("Final answer", 45.0),
    ("Status", 13.0),
    ("Score", 7.0),
    ("Sheet", 14.0),
    ("Cells", 10.0),
    ("Question ID", 12.0),
    ("Matched entry", 22.0),
    ("Matched question", 40.0),
    ("Candidate #2", 50.0),
    ("Candidate #3", 50.0),
    ("Notes", 50.0),
];

/// The best candidate's score on the one 0-1 scale the Review sheet shows: an exact re-use is 1, and a
/// context bonus never lifts another match past it (see #16: exact re-use showed 2.06 beside 0.44).
pub fn shown_score(candidate: &Candidate) -> f64 {
    let score = if candidate.features.exact {
        1.0
    } else {
        f64::from(candidate.score).clamp(0.0, 1.0)
    };
    (score * 100.0).round() / 100.0
}

pub(crate) fn new_workbook(title: &str) -> Workbook {
    let mut workbook = Workbook::new();
    // Compressing the XML is much of the time a review workbook takes to write: the fastest level, not the
    // default 6 (#18: 10,000 questions write in 0.44 s instead of 0.53 s; the file is a little larger).
    workbook.set_zip_compression_level(1);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("answerbank"),
    );
    workbook
}

/// The header row of the sheets answerbank writes for people.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E78))
        .set_font_color(Color::White)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// Wrapped text and plain cells, both at the top of a row that long answers make tall.
pub(crate) fn cell_formats() -> (Format, Format) {
    (
        Format::new().set_text_wrap().set_align(FormatAlign::Top),
        Format::new().set_align(FormatAlign::Top),
    )
}

/// Writes the review workbook's bytes.
pub fn review_workbook(meta: &ReviewMeta, drafts: &[Draft], summary: &Summary) -> Result<Vec<u8>> {
    let mut workbook = new_workbook("answerbank review");
    let rows: Vec<ReviewRow> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| ReviewRow::from_draft(i + 1, d))
        .collect();
    write_review_sheet(workbook.add_worksheet(), drafts, &rows)?;
    write_summary_sheet(workbook.add_worksheet(), meta, drafts, summary)?;
    write_data_sheet(workbook.add_worksheet(), meta, rows)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_review_sheet(sheet: &mut Worksheet, drafts: &[Draft], rows: &[ReviewRow]) -> Result<()> {
    sheet.set_name(REVIEW_SHEET)?.set_active(true);
    let header = header_format();
    // The reviewer's own columns stand out from what draft wrote.
    let header_yours = header.clone().set_background_color(Color::RGB(0x7B3F00));
    let (wrap, top) = cell_formats();
    let yours = wrap.clone().set_background_color(Color::RGB(0xFFF8E7));
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        let format = if col == DECISION_COL || col == FINAL_COL {
            &header_yours
        } else {
            &header
        };
        sheet.write_string_with_format(0, col, *name, format)?;
        sheet.set_column_width(col, *width)?;
    }
    for (draft, row) in drafts.iter().zip(rows) {
        let r = row.number as u32;
        let cells: Vec<String> = row.cells.iter().map(|c| c.cell.to_string()).collect();
        let band = top
            .clone()
            .set_background_color(band_color(draft.result.confidence));
        sheet.write_number_with_format(r, NUMBER_COL, row.number as f64, &top)?;
        sheet.write_string_with_format(r, QUESTION_COL, &row.question, &wrap)?;
        sheet.write_string_with_format(
            r,
            CONFIDENCE_COL,
            draft.result.confidence.as_str(),
            &band,
        )?;
        sheet.write_string_with_format(r, SHORT_COL, row.short.as_deref().unwrap_or(""), &top)?;
        sheet.write_string_with_format(r, DRAFTED_COL, row.body.as_deref().unwrap_or(""), &wrap)?;
        sheet.write_string_with_format(r, DECISION_COL, "", &yours)?;
        sheet.write_string_with_format(r, FINAL_COL, "", &yours)?;
        sheet.write_string_with_format(r, STATUS_COL, status_text(draft.outcome), &top)?;
        if let Some(best) = draft.result.best() {
            sheet.write_number_with_format(r, SCORE_COL, shown_score(best), &top)?;
        }
        sheet.write_string_with_format(r, SHEET_COL, &row.sheet, &top)?;
        sheet.write_string_with_format(r, CELLS_COL, cells.join(", "), &top)?;
        sheet.write_string_with_format(
            r,
            QUESTION_ID_COL,
            row.question_id.as_deref().unwrap_or(""),
            &top,
        )?;
        if let Some(best) = draft.result.matched() {
            sheet.write_string_with_format(r, ENTRY_COL, best.id(), &top)?;
            sheet.write_string_with_format(
                r,
                ENTRY_QUESTION_COL,
                fit_to_cell(&best.entry.entry.question).0,
                &wrap,
            )?;
            for (i, candidate) in draft
                .result
                .candidates
                .iter()
                .skip(1)
                .take(CANDIDATES_KEPT - 1)
                .enumerate()
            {
                sheet.write_string_with_format(
                    r,
                    CANDIDATE_COL + i as u16,
                    candidate_text(candidate),
                    &wrap,
                )?;
            }
        }
        sheet.write_string_with_format(r, NOTES_COL, fit_to_cell(&notes(draft)).0, &wrap)?;
        // Neither Excel nor LibreOffice grows a row to its wrapped text when opening a file that did not record
        // heights (see #25: questions and answers cut off at one line): the height that shows the whole question
        // and drafted answer is set here.
        let lines = [
            (QUESTION_COL, row.question.as_str()),
            (DRAFTED_COL, row.body.as_deref().unwrap_or("")),
        ]
        .iter()
        .map(|(col, text)| wrapped_lines(text, COLUMNS[usize::from(*col)].1))
        .max()
        .unwrap_or(1);
        if lines > 1 {
            sheet.set_row_height(r, row_height(lines))?;
        }
    }
    let last = rows.len() as u32;
    if last > 0 {
        let decisions = DataValidation::new()
            .allow_list_strings(&Decision::CHOICES)?
            .set_input_message(
                "Accept writes the drafted answer; Use #2 or #3 that candidate's; Edit (or a Final answer) yours. \
                 Reject and Needs SME write nothing. A drafted answer corrected in place counts as Edit.",
            )?;
        sheet.add_data_validation(1, DECISION_COL, last, DECISION_COL, &decisions)?;
    }
    // The header row and the question stay in view while the reviewer scrolls either way.
    sheet.set_freeze_panes(1, QUESTION_COL + 1)?;
    // Printed (or saved as PDF), the review is the reviewer's columns, a page wide, the header on every page.
    sheet.set_landscape();
    sheet.set_print_area(0, 0, last.max(1), FINAL_COL)?;
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.autofilter(0, 0, last.max(1), COLUMNS.len() as u16 - 1)?;
    Ok(())
}

/// A runner-up as the Review sheet shows it: its id and question, then its short answer and the start of its
/// answer, so a reviewer can pick it without opening the library.
/// Points per line of wrapped 11-point text, and the most a row may be (Excel's limit).
const LINE_HEIGHT: f64 = 15.0;
const MAX_ROW_HEIGHT: f64 = 409.0;

/// How many lines `text` takes when wrapped at word boundaries in a column `width` wide. The width unit is the
/// width of a digit; text averages narrower (measured in LibreOffice: about 55 characters of an answer to a line
/// in a 45-wide column), so 1.15 characters a unit errs a little on the tall side, never cutting text off.
pub(crate) fn wrapped_lines(text: &str, width: f64) -> usize {
    let capacity = ((width * 1.15).floor() as usize).saturating_sub(1).max(1);
    text.split('\n')
        .map(|paragraph| {
            let mut lines = 1;
            let mut used = 0;
            for word in paragraph.split_whitespace() {
                let len = word.chars().count();
                if used == 0 {
                    used = len;
                } else if used + 1 + len <= capacity {
                    used += 1 + len;
                } else {
                    lines += 1;
                    used = len;
                }
                // A word longer than the column wraps inside itself.
                while used > capacity {
                    lines += 1;
                    used -= capacity;
                }
            }
            lines
        })
        .sum()
}

/// The height of a row of `lines` lines of text.
pub(crate) fn row_height(lines: usize) -> f64 {
    (lines as f64 * LINE_HEIGHT + 2.0).min(MAX_ROW_HEIGHT)
}

fn candidate_text(candidate: &Candidate) -> String {
    let entry = &candidate.entry.entry;
    let answer = combined_answer(
        entry.short_answer.as_deref(),
        &snippet(&plain_text(&entry.body), CANDIDATE_SNIPPET),
    );
    let mut text = format!(
        "{}: {}\n{answer}",
        candidate.id(),
        one_line(&entry.question)
    );
    if candidate.features.rejected {
        text.push_str("\n(a reviewer rejected this entry for this question before)");
    }
    if entry.status != crate::library::Status::Approved {
        text.push_str(&format!("\n(entry {} is {})", candidate.id(), entry.status));
    }
    fit_to_cell(&text).0
}

/// Why the band is what it is, plus anything the reviewer must know.
fn notes(draft: &Draft) -> String {
    // Sentences a reviewer reads (see #25), the band's reason first.
    let mut notes = vec![draft.result.reason.clone()];
    if let Some(why) = &draft.proposal.not_allowed {
        notes.push(format!(
            "Not written into the file: {}.",
            why.trim_end_matches('.')
        ));
    }
    // The template is offered here, beside the question, never as the drafted answer (#25).
    if let Some(template) = &draft.template {
        let entry = &template.entry.entry;
        let mut offer = format!(
            "A template covers this: fill it in. {} asks \"{}\"; replace its {{{{ ... }}}} placeholders with your \
             answer and approve it (answerbank approve {}).",
            entry.path,
            one_line(&entry.question),
            entry.path
        );
        if let Some(guidance) = entry
            .guidance
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            offer.push_str(&format!(" Guidance: {}", one_line(guidance)));
        }
        notes.push(offer);
    }
    if draft.outcome == Outcome::Opposite {
        notes.push(
            "The question asks the opposite of the entry's wording, so its Yes/No is turned around here (or left \
             out when the wordings differ in more than the negation): check before accepting."
                .to_string(),
        );
    }
    if draft.outcome == Outcome::AlreadyAnswered {
        let current: Vec<String> = draft
            .row
            .answer_cells
            .iter()
            .filter(|c| c.is_filled())
            .map(|c| format!("{}: {}", c.cell, snippet(&c.current, 60)))
            .collect();
        notes.push(format!(
            "The file already answers it ({}).",
            current.join("; ")
        ));
    }
    if let Some(best) = draft.result.best() {
        if best.stale {
            notes.push(format!(
                "Entry {} is past its review date: check it is still true.",
                best.id()
            ));
        }
        if best.entry.entry.status != crate::library::Status::Approved {
            notes.push(format!(
                "Entry {} is {}, not yet approved.",
                best.id(),
                best.entry.entry.status
            ));
        }
    }
    if let Some(guidance) = draft
        .result
        .matched()
        .and_then(|best| best.entry.entry.guidance.as_deref())
    {
        notes.push(format!("Guidance: {}", one_line(guidance)));
    }
    notes.join(" ")
}

fn write_summary_sheet(
    sheet: &mut Worksheet,
    meta: &ReviewMeta,
    drafts: &[Draft],
    summary: &Summary,
) -> Result<()> {
    sheet.set_name(SUMMARY_SHEET)?;
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    sheet.set_column_width(0, 34.0)?;
    sheet.set_column_width(1, 70.0)?;
    for col in 2..8 {
        sheet.set_column_width(col, 10.0)?;
    }
    sheet.write_string_with_format(0, 0, "answerbank draft review", &title)?;
    let facts: Vec<(&str, String)> = vec![
        ("Questionnaire", meta.source.display().to_string()),
        ("Its SHA-256", meta.source_sha256.clone()),
        ("Drafted file", meta.drafted_file.display().to_string()),
        ("Answer library", meta.library.display().to_string()),
        ("Date", meta.created.to_string()),
        (
            "Written into the file from",
            format!("{} confidence", meta.min_confidence),
        ),
        (
            "Semantic matching",
            if meta.semantic { "on" } else { "off" }.to_string(),
        ),
        ("Questions found", summary.questions.to_string()),
        (
            "Questions drafted into the file",
            summary.drafted.to_string(),
        ),
        ("Answer cells written", summary.written.to_string()),
        (
            "Already answered (left alone)",
            summary.skipped.answered.to_string(),
        ),
        (
            "Formula answer cells (left alone)",
            summary.skipped.formula.to_string(),
        ),
        (
            "Not allowed by the cell's dropdown",
            summary.skipped.not_allowed.to_string(),
        ),
        (
            "Matched below the threshold (review)",
            summary.skipped.below_threshold.to_string(),
        ),
        ("No match", summary.skipped.no_match.to_string()),
    ];
    for (i, (key, value)) in facts.iter().enumerate() {
        sheet.write_string_with_format(2 + i as u32, 0, *key, &bold)?;
        sheet.write_string(2 + i as u32, 1, value)?;
    }
    let mut r = 3 + facts.len() as u32;
    let headers = [
        "Sheet",
        "",
        "Questions",
        "High",
        "Medium",
        "Low",
        "None",
        "Written",
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(r, col as u16, *h, &bold)?;
    }
    let mut per_sheet: Vec<(String, [usize; 6])> = Vec::new();
    for draft in drafts {
        let index = match per_sheet.iter().position(|(s, _)| *s == draft.row.sheet) {
            Some(i) => i,
            None => {
                per_sheet.push((draft.row.sheet.clone(), [0; 6]));
                per_sheet.len() - 1
            }
        };
        let counts = &mut per_sheet[index].1;
        counts[0] += 1;
        counts[match draft.result.confidence {
            Confidence::High => 1,
            Confidence::Medium => 2,
            Confidence::Low => 3,
            Confidence::None => 4,
        }] += 1;
        if draft.outcome == Outcome::Written {
            counts[5] += 1;
        }
    }
    let total = [
        summary.questions,
        summary.bands.high,
        summary.bands.medium,
        summary.bands.low,
        summary.bands.none,
        summary.drafted,
    ];
    per_sheet.push(("All sheets".to_string(), total));
    for (name, counts) in &per_sheet {
        r += 1;
        sheet.write_string(r, 0, name)?;
        for (i, n) in counts.iter().enumerate() {
            sheet.write_number(r, 2 + i as u16, *n as f64)?;
        }
    }
    r += 2;
    let howto = [
        "How to review: in the Review sheet, set a Decision on each row you check (the question, the draft, \
         Decision and Final answer are side by side at the left; where it is, the candidates and notes to the right).",
        "Accept writes the drafted answer; Use #2 or Use #3 writes that candidate's answer instead; Edit writes your \
         Final answer (start it with Yes, No or N/A to fill the Yes/No column too); Reject and Needs SME write \
         nothing, so the answer cells stay as they are in your original.",
        "You may also correct the drafted short answer or answer in place: finish treats that row as edited. A Final \
         answer typed without a decision counts as Edit; rows without a decision keep what draft wrote (only the \
         high-confidence ones by default).",
        "Then run: answerbank finish <this file>. It writes the answered questionnaire, lists what is still open, \
         and teaches the library what you decided (printed, so you see what it learned).",
    ];
    for line in howto {
        sheet.write_string(r, 0, line)?;
        r += 1;
    }
    Ok(())
}

/// Writes the data sheet, giving each row's texts to the sheet as it goes rather than keeping a second copy of every
/// answer until the workbook is saved (#29: memory per question).
fn write_data_sheet(sheet: &mut Worksheet, meta: &ReviewMeta, rows: Vec<ReviewRow>) -> Result<()> {
    sheet.set_name(DATA_SHEET)?.set_hidden(true);
    sheet.write_string(0, 0, MARKER)?;
    sheet.write_number(0, 1, f64::from(FORMAT_VERSION))?;
    let facts = [
        ("source", meta.source.display().to_string()),
        ("source_sha256", meta.source_sha256.clone()),
        ("library", meta.library.display().to_string()),
        ("drafted_file", meta.drafted_file.display().to_string()),
        ("created", meta.created.to_string()),
        ("min_confidence", meta.min_confidence.as_str().to_string()),
        ("overwrite", meta.overwrite.to_string()),
        ("semantic", meta.semantic.to_string()),
        ("reading", serde_json::to_string(&meta.reading)?),
    ];
    for (i, (key, value)) in facts.iter().enumerate() {
        sheet.write_string(1 + i as u32, 0, *key)?;
        sheet.write_string(1 + i as u32, 1, value)?;
    }
    let headers = ["number", "row", "body"]
        .into_iter()
        .map(String::from)
        .chain((2..=CANDIDATES_KEPT).map(|n| format!("body #{n}")))
        .chain(["row, continued".to_string()]);
    for (col, name) in headers.enumerate() {
        sheet.write_string(DATA_TABLE_ROW, col as u16, name)?;
    }
    for (i, row) in rows.into_iter().enumerate() {
        let r = DATA_TABLE_ROW + 1 + i as u32;
        sheet.write_number(r, 0, row.number as f64)?;
        let json = serde_json::to_string(&row)?;
        for (i, part) in record_cells(&json).into_iter().enumerate() {
            let col = if i == 0 {
                1
            } else {
                RECORD_MORE_COL + i as u16 - 1
            };
            sheet.write_string(r, col, part)?;
        }
        sheet.write_string(r, 2, row.body.unwrap_or_default())?;
        for alternative in row.alternatives {
            sheet.write_string(r, 1 + alternative.number as u16, alternative.body)?;
        }
    }
    Ok(())
}

/// A row's record (JSON) as the data sheet's cells hold it: one cell, or, when it is longer than a cell holds (a
/// question or answer near a cell's own limit; #29: a 40,000-character question failed the whole draft), several
/// side by side. The reader trims every cell, so a record split across cells first has its whitespace (which in
/// compact JSON is only ever inside strings) written as `\uXXXX` escapes, which read back the same.
fn record_cells(json: &str) -> Vec<String> {
    use crate::cell::MAX_CELL_CHARS;
    if json.encode_utf16().count() <= MAX_CELL_CHARS {
        return vec![json.to_string()];
    }
    let mut cells = vec![String::new()];
    let mut units = 0;
    for c in json.chars() {
        let piece = if c.is_whitespace() {
            format!("\\u{:04x}", u32::from(c))
        } else {
            c.to_string()
        };
        let width = piece.encode_utf16().count();
        if units + width > MAX_CELL_CHARS {
            cells.push(String::new());
            units = 0;
        }
        units += width;
        cells
            .last_mut()
            .expect("one cell at least")
            .push_str(&piece);
    }
    cells
}

/// A row's record read back from the data sheet: its first cell and any that continue it.
fn record_of(data: &crate::questionnaire::grid::Grid, row: u32) -> String {
    let mut json = data
        .cell(CellRef::new(row, 1))
        .map(|cell| cell.text.clone())
        .unwrap_or_default();
    let mut next = u32::from(RECORD_MORE_COL);
    for (col, cell) in data.row_cells(row) {
        if *col < next {
            continue;
        }
        if *col > next {
            break;
        }
        json.push_str(&cell.text);
        next += 1;
    }
    json
}

/// Whether an opened workbook is a review workbook written by `draft`, whatever its name: its data sheet holds
/// the marker. `draft` points such a file to `finish` instead of drafting it (see #16).
pub fn is_review_workbook(workbook: &mut Source) -> bool {
    workbook.grid(DATA_SHEET).is_ok_and(|data| {
        data.cell(CellRef::new(0, 0))
            .is_some_and(|cell| cell.text == MARKER)
    })
}

/// Reads a review workbook written by `draft` (after a person edited it in Excel or LibreOffice). It is opened by
/// the questionnaire reader, with the limits and package checks of a customer's file and its sparse grids:
/// whoever hands over a "review" may hand over anything.
///
/// The Review sheet's columns are found by their headers and its rows tied to the recorded ones by `#`, so sorted,
/// filtered (hidden) and moved rows and columns read the same. Anything a reviewer typed that cannot be tied to a
/// question (a decision on a row without a known `#`, two copies of a row that disagree, an unknown decision) is
/// an error naming the row, never silently dropped.
pub fn read_review(path: &Path) -> Result<(ReviewMeta, Vec<ReviewRow>)> {
    let workbook = Source::open(path, &Limits::default())
        .with_context(|| format!("{} is not usable", path.display()))?;
    read_opened_review(path, workbook)
}

/// [`read_review`] of a file already in memory (`path` names it in messages, and its extension says its format).
pub fn read_review_bytes(path: &Path, bytes: Vec<u8>) -> Result<(ReviewMeta, Vec<ReviewRow>)> {
    let format = crate::questionnaire::Format::from_path(path)
        .with_context(|| format!("{} is not a review workbook", path.display()))?;
    let workbook = Source::from_bytes(path, format, bytes, &Limits::default())
        .with_context(|| format!("{} is not usable", path.display()))?;
    read_opened_review(path, workbook)
}

fn read_opened_review(path: &Path, mut workbook: Source) -> Result<(ReviewMeta, Vec<ReviewRow>)> {
    let not_ours = || {
        anyhow::anyhow!(
            "{} is not a review workbook written by `answerbank draft`",
            path.display()
        )
    };
    // A sheet that is there but cannot be read is damage, and says why (#29: a row past the sheet's end).
    let unreadable = || format!("{} is not usable", path.display());
    if !workbook.sheets.iter().any(|s| s.name == DATA_SHEET) {
        return Err(not_ours());
    }
    let data = workbook.grid(DATA_SHEET).with_context(unreadable)?;
    let text = |r: u32, c: u32| {
        data.cell(CellRef::new(r, c))
            .map(|cell| cell.text.clone())
            .unwrap_or_default()
    };
    if text(0, 0) != MARKER {
        return Err(not_ours());
    }
    if text(0, 1) != FORMAT_VERSION.to_string() {
        bail!(
            "{} was written by another version of answerbank (review format {}; this one reads format {FORMAT_VERSION}); \
             draft the questionnaire again with this version and copy your decisions over",
            path.display(),
            text(0, 1)
        );
    }
    let facts: HashMap<String, String> = (1..DATA_TABLE_ROW)
        .map(|r| (text(r, 0), text(r, 1)))
        .collect();
    let fact = |key: &str| {
        facts
            .get(key)
            .cloned()
            .filter(|v| !v.is_empty())
            .ok_or_else(not_ours)
    };
    let meta = ReviewMeta {
        source: PathBuf::from(fact("source")?),
        source_sha256: fact("source_sha256")?,
        library: PathBuf::from(fact("library")?),
        drafted_file: PathBuf::from(fact("drafted_file").unwrap_or_default()),
        created: fact("created")?.parse().map_err(|_| not_ours())?,
        min_confidence: Confidence::parse(&fact("min_confidence")?).ok_or_else(not_ours)?,
        overwrite: fact("overwrite").is_ok_and(|v| v == "true"),
        semantic: fact("semantic").is_ok_and(|v| v == "true"),
        reading: serde_json::from_str(&fact("reading")?).map_err(|_| not_ours())?,
    };
    let mut rows: Vec<ReviewRow> = Vec::new();
    // Only the rows that hold cells: the last row number says nothing of how many there are (#29: a tampered
    // review with a row numbered four billion had finish walk every row up to it).
    for r in data.row_numbers().filter(|&r| r > DATA_TABLE_ROW) {
        let json = record_of(data, r);
        if json.is_empty() {
            continue;
        }
        let damaged = || {
            format!(
                "{}: the answerbank sheet is damaged at row {}",
                path.display(),
                r + 1
            )
        };
        let mut row: ReviewRow = serde_json::from_str(&json).with_context(damaged)?;
        row.body = Some(text(r, 2)).filter(|b| !b.is_empty());
        for alternative in &mut row.alternatives {
            if !(2..=CANDIDATES_KEPT).contains(&alternative.number) {
                bail!(damaged());
            }
            alternative.body = text(r, 1 + alternative.number as u32);
        }
        if rows.iter().any(|other| other.number == row.number) {
            bail!("{}: question #{} is recorded twice", damaged(), row.number);
        }
        rows.push(row);
    }

    // Decisions, final answers and the drafted cells as the reviewer left them, found by header name and tied by
    // the `#` column.
    if !workbook.sheets.iter().any(|s| s.name == REVIEW_SHEET) {
        return Err(not_ours());
    }
    let review = workbook.grid(REVIEW_SHEET).with_context(unreadable)?;
    let column = |name: &str| {
        review
            .row_cells(0)
            .iter()
            .find(|(_, cell)| cell.text.trim().eq_ignore_ascii_case(name))
            .map(|(c, _)| *c)
    };
    let header = |col: u16| COLUMNS[col as usize].0;
    let wanted = [NUMBER_COL, DECISION_COL, FINAL_COL, SHORT_COL, DRAFTED_COL];
    let mut found = Vec::new();
    for col in wanted {
        match column(header(col)) {
            Some(c) => found.push(c),
            None => bail!(
                "{}: the Review sheet has lost its \"{}\" column (finish reads the #, Decision, Final answer, Short \
                 answer and Drafted answer columns by their headers)",
                path.display(),
                header(col)
            ),
        }
    }
    let [number_col, decision_col, final_col, short_col, drafted_col] = found[..] else {
        unreachable!("one column per header")
    };
    let by_number: HashMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.number, i))
        .collect();
    let text = |r: u32, c: u32| {
        review
            .cell(CellRef::new(r, c))
            .map_or("", |cell| &cell.text)
    };
    // The sheet row each question was read from, to name both copies of a duplicated row.
    let mut read_from: HashMap<usize, u32> = HashMap::new();
    for r in review.row_numbers().filter(|&r| r > 0) {
        let decision_text = text(r, decision_col).trim();
        let final_text = text(r, final_col).trim();
        let number = text(r, number_col).trim();
        let index = number
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && *n >= 1.0)
            .and_then(|n| by_number.get(&(n as usize)));
        let Some(&index) = index else {
            if !decision_text.is_empty() || !final_text.is_empty() {
                bail!(
                    "{}: row {} of the Review sheet has a decision or Final answer, but its # (\"{number}\") is not \
                     one of the drafted questions; put it on the question's own row",
                    path.display(),
                    r + 1
                );
            }
            continue;
        };
        let decision = Decision::parse(decision_text);
        if !decision_text.is_empty() && decision.is_none() {
            bail!(
                "{}: row {} of the Review sheet has the decision \"{decision_text}\"; use {}",
                path.display(),
                r + 1,
                Decision::CHOICES.join(", ")
            );
        }
        let final_answer = Some(final_text.to_string()).filter(|t| !t.is_empty());
        let shown = Shown {
            short: text(r, short_col).to_string(),
            body: text(r, drafted_col).to_string(),
        };
        let row = &mut rows[index];
        if let Some(first) = read_from.insert(row.number, r) {
            if (row.decision, &row.final_answer, &row.shown)
                != (decision, &final_answer, &Some(shown.clone()))
            {
                bail!(
                    "{}: rows {} and {} of the Review sheet are both question #{} and say different things; keep one",
                    path.display(),
                    first + 1,
                    r + 1,
                    row.number
                );
            }
            continue;
        }
        row.decision = decision;
        row.final_answer = final_answer;
        row.shown = Some(shown);
    }
    Ok((meta, rows))
}

/// Checks a review's rows against the source questionnaire as the reader finds it (read again with the options
/// `draft` used) and takes the reader's view of each question: its text, ID, section and answer cells (with what
/// they hold now and their dropdowns). A row that names a place where the reader finds no question, or an answer
/// cell that is not one of that question's, is refused: the review's hidden sheet is untrusted input, and `finish`
/// writes only where `draft` would have (see #16).
pub fn check_against_source(
    rows: &mut [ReviewRow],
    questionnaire: &Questionnaire,
    review: &Path,
) -> Result<()> {
    let by_place: HashMap<(&str, u32), &QuestionRow> = questionnaire
        .questions()
        .map(|q| ((q.sheet.as_str(), q.row), q))
        .collect();
    // A CSV's one sheet is named after the file, which may have been renamed since draft (`--source`).
    let csv_sheet = (questionnaire.format == crate::questionnaire::Format::Csv)
        .then(|| questionnaire.sheets.first().map(|s| s.name.as_str()))
        .flatten();
    let source = questionnaire.path.display();
    let mut seen: HashMap<(String, u32), usize> = HashMap::new();
    for row in rows.iter_mut() {
        let sheet = csv_sheet.unwrap_or(&row.sheet);
        let Some(found) = by_place.get(&(sheet, row.row)).map(|&q| q.clone()) else {
            bail!(
                "{}: question #{} is recorded on sheet '{}' row {}, where the reader finds no question in {source}; \
                 the review's hidden sheet has been changed or belongs to another file: draft the questionnaire again",
                review.display(),
                row.number,
                row.sheet,
                row.row + 1
            );
        };
        if let Some(other) = seen.insert((found.sheet.clone(), found.row), row.number) {
            bail!(
                "{}: questions #{other} and #{} are both recorded on sheet '{}' row {}; the review's hidden sheet has \
                 been changed: draft the questionnaire again",
                review.display(),
                row.number,
                row.sheet,
                row.row + 1
            );
        }
        if let Some(stray) = row
            .cells
            .iter()
            .find(|c| !found.answer_cells.iter().any(|a| a.cell == c.cell))
        {
            let cells: Vec<String> = found
                .answer_cells
                .iter()
                .map(|c| c.cell.to_string())
                .collect();
            bail!(
                "{}: question #{} records cell {} of sheet '{}' as an answer cell, but in {source} its answer cells \
                 are {}; finish writes only into the answer cells the reader finds, so the review's hidden sheet \
                 has been changed: draft the questionnaire again",
                review.display(),
                row.number,
                stray.cell,
                row.sheet,
                if cells.is_empty() {
                    "none".to_string()
                } else {
                    cells.join(", ")
                }
            );
        }
        row.sheet = found.sheet;
        row.question = found.question;
        row.question_id = found.id;
        row.section = found.section;
        row.cells = found.answer_cells;
        row.single_answer_column = found.single_answer_column;
    }
    Ok(())
}

/// The open questions after `finish` (rejected, Needs SME, undecided without an answer, or not written), as a
/// workbook of their own beside the answered file: one row per question, with where it is, why it is open and
/// what was drafted, to finish by hand or send to whoever knows the answer (see #16).
pub fn open_questions_workbook(questions: &[QuestionState], answered: &Path) -> Result<Vec<u8>> {
    let mut workbook = new_workbook("answerbank open questions");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Open questions")?;
    let header = header_format();
    let (wrap, top) = cell_formats();
    let columns: [(&str, f64); 8] = [
        ("#", 5.0),
        ("Sheet", 16.0),
        ("Cells", 10.0),
        ("Question ID", 12.0),
        ("Question", 55.0),
        ("State", 14.0),
        ("Why it is open", 45.0),
        ("Drafted answer", 55.0),
    ];
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    let open: Vec<&QuestionState> = questions.iter().filter(|q| q.state.is_open()).collect();
    for (i, question) in open.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_number_with_format(r, 0, question.number as f64, &top)?;
        sheet.write_string_with_format(r, 1, &question.sheet, &top)?;
        sheet.write_string_with_format(r, 2, question.cells.join(", "), &top)?;
        sheet.write_string_with_format(
            r,
            3,
            question.question_id.as_deref().unwrap_or(""),
            &top,
        )?;
        sheet.write_string_with_format(r, 4, fit_to_cell(&question.question).0, &wrap)?;
        sheet.write_string_with_format(r, 5, question.state.as_str(), &top)?;
        sheet.write_string_with_format(r, 6, question.reason.as_deref().unwrap_or(""), &wrap)?;
        sheet.write_string_with_format(r, 7, question.drafted.as_deref().unwrap_or(""), &wrap)?;
    }
    let last = open.len() as u32;
    if open.is_empty() {
        sheet.write_string(1, 0, "Nothing is open: every question has an answer.")?;
    } else {
        sheet.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    }
    sheet.write_string(
        last + 2,
        0,
        format!(
            "The questions above are unanswered in {}; the # is the row's # in the review workbook.",
            answered.display()
        ),
    )?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_as_tall_as_their_wrapped_text() {
        assert_eq!(wrapped_lines("", 48.0), 1);
        assert_eq!(wrapped_lines("Do you encrypt data at rest?", 48.0), 1);
        assert_eq!(wrapped_lines(&"word ".repeat(30), 48.0), 3);
        assert_eq!(wrapped_lines("one\ntwo\n\nfour", 48.0), 4);
        assert_eq!(wrapped_lines(&"x".repeat(100), 48.0), 2);
        assert_eq!(row_height(1), 17.0);
        assert_eq!(row_height(1000), MAX_ROW_HEIGHT);
    }

    /// See #29: a decision lands on an entry only while it holds what the review showed of it.
    #[test]
    fn a_row_agrees_only_with_the_entries_it_showed() {
        let entry = |id: &str, question: &str, short: &str, body: &str| {
            crate::library::entry::parse_entry(
                id,
                &format!("{id}.md"),
                &format!("+++\nquestion = {question:?}\nshort_answer = {short:?}\n+++\n{body}\n"),
            )
            .unwrap()
        };
        let soc2 = entry(
            "soc-2",
            "Do you have SOC 2?",
            "Yes",
            "Yes. **Type II**, yearly.",
        );
        let iso = entry(
            "iso",
            "Are you ISO 27001 certified?",
            "Yes",
            "Yes, since 2024.",
        );
        let row = ReviewRow {
            number: 1,
            sheet: "S".into(),
            row: 3,
            question_id: None,
            question: "Do you hold a SOC 2 report?".into(),
            section: None,
            cells: Vec::new(),
            single_answer_column: false,
            matched_id: Some("soc-2".into()),
            confidence: Confidence::Medium,
            // As draft shows it: plain text (rewrapped by a spreadsheet, which is no change).
            short: Some("Yes".into()),
            body: Some("Yes. Type II,\n yearly.".into()),
            written: false,
            alternatives: vec![Alternative {
                number: 2,
                id: "iso".into(),
                question: "Are you ISO 27001 certified?".into(),
                short: Some("Yes".into()),
                body: "Yes, since 2024.".into(),
            }],
            decision: None,
            final_answer: None,
            shown: None,
        };
        assert_eq!(row.disagreement(&soc2), None);
        assert_eq!(row.disagreement(&iso), None);
        // The drafted entry's id swapped for another's: that entry's answer is not what the row showed.
        let mut swapped = row.clone();
        swapped.matched_id = Some("iso".into());
        assert!(
            swapped
                .disagreement(&iso)
                .is_some_and(|why| why.contains("with an answer")),
            "{:?}",
            swapped.disagreement(&iso)
        );
        // Edited since draft.
        let edited = entry("soc-2", "Do you have SOC 2?", "Yes", "Yes. Type I only.");
        assert!(row.disagreement(&edited).is_some());
        let flipped = entry(
            "iso",
            "Are you ISO 27001 certified?",
            "No",
            "Yes, since 2024.",
        );
        assert!(row.disagreement(&flipped).is_some());
        let reworded = entry(
            "iso",
            "Are you ISO 9001 certified?",
            "Yes",
            "Yes, since 2024.",
        );
        assert!(row.disagreement(&reworded).is_some());
        // Never shown at all.
        let other = entry("pci", "Are you PCI compliant?", "No", "No.");
        assert!(row.disagreement(&other).is_some());
    }

    #[test]
    fn decisions_read_as_people_type_them() {
        assert_eq!(Decision::parse(" accept "), Some(Decision::Accept));
        assert_eq!(Decision::parse("Use #2"), Some(Decision::Use(2)));
        assert_eq!(Decision::parse("use 3"), Some(Decision::Use(3)));
        assert_eq!(Decision::parse("#2"), Some(Decision::Use(2)));
        assert_eq!(Decision::parse("Use #1"), Some(Decision::Accept));
        assert_eq!(Decision::parse("needs sme"), Some(Decision::NeedsSme));
        assert_eq!(
            Decision::parse("Use #4"),
            None,
            "only three candidates are shown"
        );
        assert_eq!(Decision::parse("Use"), None);
        assert_eq!(Decision::parse("user"), None);
        assert_eq!(Decision::parse("Maybe"), None);
        for choice in Decision::CHOICES {
            assert!(Decision::parse(choice).is_some(), "{choice}");
        }
    }

    #[test]
    fn a_record_longer_than_a_cell_is_split_and_reads_back_whole() {
        use crate::cell::MAX_CELL_CHARS;
        use crate::questionnaire::grid::Grid;
        let question = format!("Do you  {} encrypt\u{a0}data? ", "é 𝄞 ".repeat(20_000));
        let json = serde_json::to_string(&serde_json::json!({ "question": question })).unwrap();
        let cells = record_cells(&json);
        assert!(cells.len() > 2, "{}", cells.len());
        let mut grid = Grid::new();
        for (i, part) in cells.iter().enumerate() {
            assert!(part.encode_utf16().count() <= MAX_CELL_CHARS);
            assert_eq!(part.trim(), part, "the reader trims every cell");
            let col = if i == 0 {
                1
            } else {
                u32::from(RECORD_MORE_COL) + i as u32 - 1
            };
            grid.insert(CellRef::new(20, col), part, false);
        }
        // A body written beside it is not part of the record.
        grid.insert(CellRef::new(20, 2), "body", false);
        let back: serde_json::Value = serde_json::from_str(&record_of(&grid, 20)).unwrap();
        assert_eq!(back["question"], question.as_str());
        assert_eq!(record_cells("{\"a\":\" b \"}"), ["{\"a\":\" b \"}"]);
    }

    #[test]
    fn the_left_block_fits_a_laptop_screen() {
        let left: f64 = COLUMNS[..=FINAL_COL as usize].iter().map(|(_, w)| w).sum();
        assert!(left <= 180.0, "{left}");
        assert_eq!(COLUMNS[DECISION_COL as usize].0, "Decision");
        assert_eq!(COLUMNS[FINAL_COL as usize].0, "Final answer");
        assert_eq!(COLUMNS[SHORT_COL as usize].0, "Short answer");
        assert_eq!(COLUMNS[DRAFTED_COL as usize].0, "Drafted answer");
        assert_eq!(COLUMNS[NOTES_COL as usize].0, "Notes");
    }

    #[test]
    fn reading_options_round_trip() {
        let reading = Reading {
            sheets: vec!["Security".into()],
            include_hidden: true,
            overrides: Overrides {
                header_row: Some(3),
                question_col: Some(1),
                id_col: None,
                answer_col: Some(2),
                comment_col: Some(4),
            },
        };
        assert_eq!(Reading::of(&reading.options()), reading);
        let json = serde_json::to_string(&reading).unwrap();
        assert_eq!(
            json,
            r#"{"sheets":["Security"],"include_hidden":true,"header_row":3,"question_col":1,"id_col":null,"answer_col":2,"comment_col":4}"#
        );
        assert_eq!(serde_json::from_str::<Reading>(&json).unwrap(), reading);
        assert_eq!(
            serde_json::from_str::<Reading>("{}").unwrap(),
            Reading::default()
        );
    }
}
