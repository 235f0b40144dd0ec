//! The review workbook: what a person reads to decide what to trust, and what `finish` reads back.
//!
//! In: the drafts of one run. Out: `<stem>.review.xlsx` (rust_xlsxwriter) with a **Review** sheet (one row per
//! question: where it is, what was drafted, how sure, from which entry, the runners-up, and `Decision` and
//! `Final answer` columns for the reviewer), a **Summary** sheet, and a hidden **answerbank** sheet that records
//! the source file (path and SHA-256) and, per row, its answer cells and the drafted answer, so `finish` can
//! write the reviewed answers back exactly where `draft` would have. Rows are tied together by the `#` column, so
//! a reviewer may sort and filter the Review sheet freely.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, Format, FormatAlign, Workbook, Worksheet,
};
use serde::{Deserialize, Serialize};

use crate::cell::CellRef;
use crate::date::Date;
use crate::drafting::{Draft, Outcome, Summary};
use crate::matching::Confidence;
use crate::ooxml::Limits;
use crate::questionnaire::AnswerCell;
use crate::questionnaire::source::Workbook as Source;
use crate::workbook::patch::fit_to_cell;

const REVIEW_SHEET: &str = "Review";
const SUMMARY_SHEET: &str = "Summary";
const DATA_SHEET: &str = "answerbank";
/// Written in the data sheet's A1; `finish` refuses a workbook without it.
const MARKER: &str = "answerbank review workbook";
/// 2: rows record `single_answer_column` (a version-1 workbook would read it as false and write the body alone).
const FORMAT_VERSION: u32 = 2;
/// The row (0-based) where the data sheet's per-question table starts (its header).
const DATA_TABLE_ROW: u32 = 12;

/// A reviewer's decision on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Accept,
    Edit,
    Reject,
    NeedsSme,
}

impl Decision {
    pub const CHOICES: [&'static str; 4] = ["Accept", "Edit", "Reject", "Needs SME"];

    pub fn parse(text: &str) -> Option<Decision> {
        match text.trim().to_lowercase().as_str() {
            "accept" | "accepted" => Some(Decision::Accept),
            "edit" | "edited" => Some(Decision::Edit),
            "reject" | "rejected" => Some(Decision::Reject),
            "needs sme" | "sme" | "needs_sme" => Some(Decision::NeedsSme),
            _ => None,
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
    /// The drafted answer (the best entry's short answer and body), even when it was not written.
    pub short: Option<String>,
    /// Kept in a column of its own in the data sheet (it can be as long as a cell allows).
    #[serde(skip)]
    pub body: Option<String>,
    /// Whether `draft` wrote it into the customer's file.
    pub written: bool,
    #[serde(skip)]
    pub decision: Option<Decision>,
    #[serde(skip)]
    pub final_answer: Option<String>,
}

impl ReviewRow {
    fn from_draft(number: usize, draft: &Draft) -> ReviewRow {
        let best = draft.result.matched();
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
            short: best.and_then(|c| c.entry.entry.short_answer.clone()),
            body: best.map(|c| fit_to_cell(&crate::text::plain_text(&c.entry.entry.body)).0),
            written: draft.outcome == Outcome::Written,
            decision: None,
            final_answer: None,
        }
    }
}

fn status_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Written => "written",
        Outcome::BelowThreshold => "for review",
        Outcome::NoMatch => "no match",
        Outcome::AlreadyAnswered => "already answered",
        Outcome::NotAllowed => "not allowed by the cell",
        Outcome::Opposite => "for review: asks the opposite",
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

/// The review sheet's columns: (header, width).
const COLUMNS: [(&str, f64); 17] = [
    ("#", 5.0),
    ("Sheet", 14.0),
    ("Cells", 10.0),
    ("Question ID", 12.0),
    ("Question", 60.0),
    ("Drafted short answer", 11.0),
    ("Drafted answer", 70.0),
    ("Confidence", 11.0),
    ("Score", 7.0),
    ("Status", 14.0),
    ("Matched entry", 24.0),
    ("Matched question", 50.0),
    ("Alternative 1", 40.0),
    ("Alternative 2", 40.0),
    ("Decision", 12.0),
    ("Final answer", 60.0),
    ("Notes", 45.0),
];
/// The Review sheet's Decision and Final answer columns (0-based), where a reviewer writes.
pub const DECISION_COL: u16 = 14;
pub const FINAL_COL: u16 = 15;

/// Writes the review workbook's bytes.
pub fn review_workbook(meta: &ReviewMeta, drafts: &[Draft], summary: &Summary) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title("answerbank review")
            .set_author("answerbank"),
    );
    let rows: Vec<ReviewRow> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| ReviewRow::from_draft(i + 1, d))
        .collect();
    write_review_sheet(workbook.add_worksheet(), drafts, &rows)?;
    write_summary_sheet(workbook.add_worksheet(), meta, drafts, summary)?;
    write_data_sheet(workbook.add_worksheet(), meta, &rows)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_review_sheet(sheet: &mut Worksheet, drafts: &[Draft], rows: &[ReviewRow]) -> Result<()> {
    sheet.set_name(REVIEW_SHEET)?.set_active(true);
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E78))
        .set_font_color(Color::White)
        .set_text_wrap();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (draft, row) in drafts.iter().zip(rows) {
        let r = row.number as u32;
        let best = draft.result.best();
        let cells: Vec<String> = draft
            .row
            .answer_cells
            .iter()
            .map(|c| c.cell.to_string())
            .collect();
        let band = Format::new()
            .set_background_color(band_color(draft.result.confidence))
            .set_align(FormatAlign::Top);
        sheet.write_number_with_format(r, 0, row.number as f64, &top)?;
        sheet.write_string_with_format(r, 1, &row.sheet, &top)?;
        sheet.write_string_with_format(r, 2, cells.join(", "), &top)?;
        sheet.write_string_with_format(r, 3, row.question_id.as_deref().unwrap_or(""), &top)?;
        sheet.write_string_with_format(r, 4, &row.question, &wrap)?;
        sheet.write_string_with_format(r, 5, row.short.as_deref().unwrap_or(""), &top)?;
        sheet.write_string_with_format(r, 6, row.body.as_deref().unwrap_or(""), &wrap)?;
        sheet.write_string_with_format(r, 7, draft.result.confidence.as_str(), &band)?;
        sheet.write_number_with_format(
            r,
            8,
            best.map_or(0.0, |c| (f64::from(c.score) * 100.0).round() / 100.0),
            &top,
        )?;
        sheet.write_string_with_format(r, 9, status_text(draft.outcome), &top)?;
        if let Some(best) = draft.result.matched() {
            sheet.write_string_with_format(r, 10, best.id(), &top)?;
            sheet.write_string_with_format(
                r,
                11,
                fit_to_cell(&best.entry.entry.question).0,
                &wrap,
            )?;
        }
        for (i, alternative) in draft.result.candidates.iter().skip(1).take(2).enumerate() {
            let text = format!("{}: {}", alternative.id(), alternative.entry.entry.question);
            sheet.write_string_with_format(r, 12 + i as u16, fit_to_cell(&text).0, &wrap)?;
        }
        sheet.write_string_with_format(r, DECISION_COL, "", &top)?;
        sheet.write_string_with_format(r, FINAL_COL, "", &wrap)?;
        sheet.write_string_with_format(r, 16, fit_to_cell(&notes(draft)).0, &wrap)?;
    }
    let last = rows.len() as u32;
    if last > 0 {
        let decisions = DataValidation::new()
            .allow_list_strings(&Decision::CHOICES)?
            .set_input_message("Accept writes the drafted answer; Edit writes your Final answer; Reject and Needs SME write nothing: the cells stay as in your original.")?;
        sheet.add_data_validation(1, DECISION_COL, last, DECISION_COL, &decisions)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last.max(1), COLUMNS.len() as u16 - 1)?;
    Ok(())
}

/// Why the band is what it is, plus anything the reviewer must know.
fn notes(draft: &Draft) -> String {
    let mut notes = vec![draft.result.reason.clone()];
    if let Some(why) = &draft.proposal.not_allowed {
        notes.push(format!("not written: {why}"));
    }
    if draft.outcome == Outcome::Opposite {
        notes.push(
            "the question asks the opposite of the entry's wording: its Yes/No is turned around here (left out \
             when the wordings differ in more than the negation); check before accepting"
                .to_string(),
        );
    }
    if draft.outcome == Outcome::AlreadyAnswered {
        let current: Vec<String> = draft
            .row
            .answer_cells
            .iter()
            .filter(|c| c.is_filled())
            .map(|c| format!("{}: {}", c.cell, crate::text::snippet(&c.current, 60)))
            .collect();
        notes.push(format!(
            "the file already answers it ({})",
            current.join("; ")
        ));
    }
    if let Some(best) = draft.result.best() {
        if best.stale {
            notes.push(format!("entry {} is past its review date", best.id()));
        }
        if best.entry.entry.status != crate::library::Status::Approved {
            notes.push(format!(
                "entry {} is {}",
                best.id(),
                best.entry.entry.status
            ));
        }
    }
    notes.join("; ")
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
        "How to review: in the Review sheet, set a Decision on each row you check.",
        "Accept writes the drafted answer; Edit writes your Final answer (start it with Yes, No or N/A to fill the \
         Yes/No column too); Reject and Needs SME write nothing, so the answer cells stay as they are in your original.",
        "Rows without a decision keep what draft wrote (only the high-confidence ones by default); a Final answer \
         typed without a decision counts as Edit.",
        "Then run: answerbank finish <this file>. It writes the answered questionnaire and adds what you accepted \
         or edited to the answer library.",
    ];
    for line in howto {
        sheet.write_string(r, 0, line)?;
        r += 1;
    }
    Ok(())
}

fn write_data_sheet(sheet: &mut Worksheet, meta: &ReviewMeta, rows: &[ReviewRow]) -> Result<()> {
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
    ];
    for (i, (key, value)) in facts.iter().enumerate() {
        sheet.write_string(1 + i as u32, 0, *key)?;
        sheet.write_string(1 + i as u32, 1, value)?;
    }
    sheet.write_string(DATA_TABLE_ROW, 0, "number")?;
    sheet.write_string(DATA_TABLE_ROW, 1, "row")?;
    sheet.write_string(DATA_TABLE_ROW, 2, "body")?;
    for (i, row) in rows.iter().enumerate() {
        let r = DATA_TABLE_ROW + 1 + i as u32;
        sheet.write_number(r, 0, row.number as f64)?;
        let json = serde_json::to_string(row)?;
        if json.encode_utf16().count() > crate::workbook::patch::MAX_CELL_CHARS {
            bail!(
                "question {} is too long to record in the review workbook",
                row.number
            );
        }
        sheet.write_string(r, 1, json)?;
        sheet.write_string(r, 2, row.body.as_deref().unwrap_or(""))?;
    }
    Ok(())
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
pub fn read_review(path: &Path) -> Result<(ReviewMeta, Vec<ReviewRow>)> {
    let mut workbook = Source::open(path, &Limits::default())
        .with_context(|| format!("{} is not usable", path.display()))?;
    let not_ours = || {
        anyhow::anyhow!(
            "{} is not a review workbook written by `answerbank draft`",
            path.display()
        )
    };
    let data = workbook.grid(DATA_SHEET).map_err(|_| not_ours())?;
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
             draft the questionnaire again with this version",
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
    };
    let mut rows: Vec<ReviewRow> = Vec::new();
    let height = data.row_numbers().last().unwrap_or(0);
    for r in DATA_TABLE_ROW + 1..=height {
        let json = text(r, 1);
        if json.is_empty() {
            continue;
        }
        let mut row: ReviewRow = serde_json::from_str(&json).with_context(|| {
            format!(
                "{}: the answerbank sheet is damaged at row {}",
                path.display(),
                r + 1
            )
        })?;
        row.body = Some(text(r, 2)).filter(|b| !b.is_empty());
        rows.push(row);
    }

    // Decisions and final answers, found by header name and tied by the `#` column.
    let review = workbook.grid(REVIEW_SHEET).map_err(|_| not_ours())?;
    let column = |name: &str| {
        review
            .row_cells(0)
            .iter()
            .find(|(_, cell)| cell.text.eq_ignore_ascii_case(name))
            .map(|(c, _)| *c)
    };
    let (Some(number_col), Some(decision_col), Some(final_col)) =
        (column("#"), column("Decision"), column("Final answer"))
    else {
        bail!(
            "{}: the Review sheet has lost its #, Decision or Final answer column",
            path.display()
        );
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
    for r in review.row_numbers().filter(|&r| r > 0) {
        let number = text(r, number_col).parse::<f64>().ok();
        let Some(&index) = number.and_then(|n| by_number.get(&(n as usize))) else {
            continue;
        };
        let decision_text = text(r, decision_col);
        let final_text = text(r, final_col);
        let row = &mut rows[index];
        row.decision = Decision::parse(decision_text);
        if !decision_text.trim().is_empty() && row.decision.is_none() {
            bail!(
                "{}: row {} of the Review sheet has the decision \"{}\"; use Accept, Edit, Reject or Needs SME",
                path.display(),
                r + 1,
                decision_text.trim()
            );
        }
        row.final_answer = Some(final_text.trim().to_string()).filter(|t| !t.is_empty());
    }
    Ok((meta, rows))
}
