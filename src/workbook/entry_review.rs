//! The bulk review of proposed entries (see #25): a workbook a team reads instead of opening 261 files.
//!
//! In: rows the caller built from the library (one per proposed entry: its question, short answer, answer,
//! source, conflicts and `check` findings). Out: a workbook (rust_xlsxwriter, the formats of the questionnaire
//! review) with a **Review** sheet: `#`, the question, the short answer and answer (editable: typing there is how a
//! reviewer edits), a Decision dropdown (Approve / Edit / Reject / Fill template), the starter template the entry
//! may fill, then findings, conflicts, source and file to the right; a **How to** sheet; and a hidden
//! **answerbank** sheet recording each row's entry id, file, the short answer and answer shown and the template
//! offered, so that [`read_entry_review`] tells an edited cell from one left alone and a fill lands only on the
//! template the row showed.
//!
//! Reading back is untrusted input, like the questionnaire review's: the workbook is opened with a customer file's
//! limits, rows are tied by `#` (a reviewer may sort and filter), and anything typed that cannot be tied to an
//! entry or read as a decision is an error naming the row, never dropped. Whether the recorded ids exist and still
//! hold what was shown is for the caller to check against the library (`approving`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use rust_xlsxwriter::{DataValidation, Format, Worksheet};

use crate::cell::CellRef;
use crate::ooxml::Limits;
use crate::questionnaire::source::Workbook as Source;
use crate::workbook::columns::{
    Stamp, cell_formats, find_columns, new_workbook, reviewer_format,
    row_height as review_row_height, row_number, stamp, wrapped_lines, write_header_row,
};
use crate::workbook::patch::{MAX_CELL_CHARS, fit_to_cell};

const REVIEW_SHEET: &str = "Review";
const HOWTO_SHEET: &str = "How to";
const DATA_SHEET: &str = "answerbank";
/// Written in the data sheet's A1: what tells this workbook from a questionnaire review (whose marker differs).
const MARKER: &str = "answerbank entry review";
const FORMAT_VERSION: u32 = 1;
/// The row (0-based) of the data sheet's table header.
const DATA_TABLE_ROW: u32 = 3;

pub const NUMBER_COL: u16 = 0;
pub const QUESTION_COL: u16 = 1;
pub const SHORT_COL: u16 = 2;
pub const ANSWER_COL: u16 = 3;
pub const DECISION_COL: u16 = 4;
const TEMPLATE_COL: u16 = 5;
const FINDINGS_COL: u16 = 6;
const CONFLICTS_COL: u16 = 7;
const SOURCE_COL: u16 = 8;
const FILE_COL: u16 = 9;

/// Headers and widths, in column order; the reader finds the columns it reads by these headers. What a reviewer
/// reads and writes (question to Decision) is 126 character-widths, one laptop screen.
pub const COLUMNS: [(&str, f64); 10] = [
    ("#", 5.0),
    ("Question", 40.0),
    ("Short answer", 10.0),
    ("Answer", 60.0),
    ("Decision", 11.0),
    ("Template it may fill", 40.0),
    ("Check findings", 45.0),
    ("Conflicts", 40.0),
    ("Source", 35.0),
    ("Entry file", 35.0),
];

/// A reviewer's decision on one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryDecision {
    Approve,
    /// The short answer or answer as typed in the row, then approved.
    Edit,
    /// Retired: kept as a record, never drafted.
    Reject,
    /// The answer (as shown, or as typed in the row) written into the starter template the row offers, which is
    /// approved; this entry is retired, its answer now the template's.
    FillTemplate,
}

impl EntryDecision {
    pub const CHOICES: [&'static str; 4] = ["Approve", "Edit", "Reject", "Fill template"];

    /// Reads a decision as a person may type it, in any case.
    pub fn parse(text: &str) -> Option<EntryDecision> {
        match text.trim().to_lowercase().as_str() {
            "approve" | "approved" | "accept" | "accepted" => Some(EntryDecision::Approve),
            "edit" | "edited" => Some(EntryDecision::Edit),
            "reject" | "rejected" | "retire" | "retired" => Some(EntryDecision::Reject),
            "fill template" | "fill the template" | "fill" | "filltemplate" | "fill-template"
            | "fill_template" => Some(EntryDecision::FillTemplate),
            _ => None,
        }
    }
}

/// The unfilled starter template a proposed entry may fill (see `approving::templates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedTemplate {
    pub id: String,
    /// Relative to the library.
    pub path: String,
    pub question: String,
}

/// One proposed entry as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub number: usize,
    pub id: String,
    /// Relative to the library.
    pub path: String,
    pub question: String,
    /// What the Short answer and Answer cells show ("" for none): recorded, so a change is seen on reading back.
    pub short: String,
    pub body: String,
    pub source: String,
    pub conflicts: String,
    pub findings: String,
    pub template: Option<OfferedTemplate>,
}

impl EntryRow {
    /// The Template column's text: what the template asks, and what "Fill template" does.
    fn template_text(&self) -> String {
        self.template.as_ref().map_or(String::new(), |t| {
            format!(
                "{} asks: {}\nChoose Fill template to write this answer into it (its guidance kept) instead of \
                 approving a second entry.",
                t.path, t.question
            )
        })
    }
}

/// One row read back: what was recorded, and what the reviewer left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRow {
    pub number: usize,
    pub id: String,
    pub path: String,
    /// As recorded when the review was written.
    pub shown_short: String,
    pub shown_body: String,
    pub decision: Option<EntryDecision>,
    /// The Short answer and Answer cells as the reviewer left them (`None`: the row is gone from the sheet).
    pub typed: Option<(String, String)>,
    /// The template the row offered, as recorded: its id and file (relative to the library).
    pub template: Option<(String, String)>,
}

impl ReadRow {
    /// Whether the reviewer changed the short answer or the answer (whitespace and line breaks aside: a spreadsheet
    /// rewraps text).
    pub fn edited(&self) -> bool {
        self.typed.as_ref().is_some_and(|(short, body)| {
            crate::text::one_line(short) != crate::text::one_line(&self.shown_short)
                || crate::text::one_line(body) != crate::text::one_line(&self.shown_body)
        })
    }
}

/// Writes the review workbook's bytes.
pub fn entry_review_workbook(library: &Path, rows: &[EntryRow]) -> Result<Vec<u8>> {
    let mut workbook = new_workbook("answerbank entry review");
    write_review_sheet(workbook.add_worksheet(), rows)?;
    write_howto_sheet(workbook.add_worksheet(), library, rows.len())?;
    write_data_sheet(workbook.add_worksheet(), library, rows)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_review_sheet(sheet: &mut Worksheet, rows: &[EntryRow]) -> Result<()> {
    sheet.set_name(REVIEW_SHEET)?.set_active(true);
    // The reviewer's own cells stand out, as in the questionnaire review.
    write_header_row(sheet, &COLUMNS, &[SHORT_COL, ANSWER_COL, DECISION_COL])?;
    let (wrap, top) = cell_formats();
    let yours = reviewer_format();
    // Two lines: "Short answer" wraps in its narrow column.
    sheet.set_row_height(0, review_row_height(2))?;
    for row in rows {
        let r = row.number as u32;
        sheet.write_number_with_format(r, NUMBER_COL, row.number as f64, &top)?;
        sheet.write_string_with_format(r, QUESTION_COL, fit_to_cell(&row.question).0, &wrap)?;
        sheet.write_string_with_format(r, SHORT_COL, &row.short, &yours)?;
        sheet.write_string_with_format(r, ANSWER_COL, &row.body, &yours)?;
        sheet.write_string_with_format(r, DECISION_COL, "", &yours)?;
        sheet.write_string_with_format(
            r,
            TEMPLATE_COL,
            fit_to_cell(&row.template_text()).0,
            &wrap,
        )?;
        sheet.write_string_with_format(r, FINDINGS_COL, fit_to_cell(&row.findings).0, &wrap)?;
        sheet.write_string_with_format(r, CONFLICTS_COL, fit_to_cell(&row.conflicts).0, &wrap)?;
        sheet.write_string_with_format(r, SOURCE_COL, fit_to_cell(&row.source).0, &wrap)?;
        sheet.write_string_with_format(r, FILE_COL, &row.path, &top)?;
        sheet.set_row_height(r, row_height(row))?;
    }
    let last = rows.len() as u32;
    if last > 0 {
        let decisions = DataValidation::new()
            .allow_list_strings(&EntryDecision::CHOICES)?
            .set_input_message(
                "Approve: as shown. Edit: type your short answer or answer in this row's cells (a changed cell is an \
                 edit even without a decision). Reject: the entry is retired. Fill template: the answer goes into the \
                 template named to the right.",
            )?;
        sheet.add_data_validation(1, DECISION_COL, last, DECISION_COL, &decisions)?;
    }
    sheet.set_freeze_panes(1, QUESTION_COL + 1)?;
    sheet.autofilter(0, 0, last.max(1), COLUMNS.len() as u16 - 1)?;
    Ok(())
}

/// A row tall enough to show its whole question, answer, findings and conflicts (see #25, "a review one can read":
/// LibreOffice and Excel do not grow a row written without a height), measured as the questionnaire review does.
fn row_height(row: &EntryRow) -> f64 {
    let width = |col: u16| COLUMNS[col as usize].1;
    let lines = [
        (row.question.as_str(), width(QUESTION_COL)),
        (row.body.as_str(), width(ANSWER_COL)),
        (row.template_text().as_str(), width(TEMPLATE_COL)),
        (row.findings.as_str(), width(FINDINGS_COL)),
        (row.conflicts.as_str(), width(CONFLICTS_COL)),
        (row.source.as_str(), width(SOURCE_COL)),
    ]
    .into_iter()
    .map(|(text, width)| wrapped_lines(text, width))
    .max()
    .unwrap_or(1);
    review_row_height(lines)
}

fn write_howto_sheet(sheet: &mut Worksheet, library: &Path, entries: usize) -> Result<()> {
    sheet.set_name(HOWTO_SHEET)?;
    sheet.set_column_width(0, 110.0)?;
    let (wrap, _) = cell_formats();
    let title = Format::new().set_bold().set_font_size(14);
    sheet.write_string_with_format(0, 0, "answerbank review of proposed entries", &title)?;
    let lines = [
        format!(
            "{entries} proposed entries of the library {} are in the Review sheet, one per row.",
            library.display()
        ),
        "Set a Decision on each row you check: Approve (the entry is approved as shown), Edit (type the short answer \
         or answer you want into the row's own cells; it is written into the entry, then approved), or Reject (the \
         entry is retired: kept as a record, never drafted)."
            .to_string(),
        "A short answer or answer changed without a decision counts as Edit. Rows without a decision stay proposed. \
         Check findings and Conflicts say what `answerbank check` would tell you about the entry."
            .to_string(),
        "Template it may fill: a starter template (guidance for an answer the library did not have) that asks what \
         this entry answers, in other words. answerbank does not fill it by itself unless the questions are the \
         same, because a wrongly filled template is worse than an empty one. If it asks the same question, choose \
         Fill template: the answer (as shown, or as you typed it) is written into the template, which is approved \
         with its guidance kept, and this entry is retired. If it asks something else, decide the row as usual."
            .to_string(),
        "Then: answerbank approve --from-review <this file> (add --dry-run to see what it would do first)."
            .to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string_with_format(2 + i as u32, 0, line, &wrap)?;
    }
    Ok(())
}

fn write_data_sheet(sheet: &mut Worksheet, library: &Path, rows: &[EntryRow]) -> Result<()> {
    sheet.set_name(DATA_SHEET)?.set_hidden(true);
    sheet.write_string(0, 0, MARKER)?;
    sheet.write_number(0, 1, f64::from(FORMAT_VERSION))?;
    sheet.write_string(1, 0, "library")?;
    sheet.write_string(1, 1, library.display().to_string())?;
    for (col, name) in [
        "number",
        "id",
        "path",
        "short",
        "body",
        "template",
        "template_path",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(DATA_TABLE_ROW, col as u16, *name)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = DATA_TABLE_ROW + 1 + i as u32;
        if row.body.encode_utf16().count() > MAX_CELL_CHARS {
            bail!(
                "the answer of {} is too long for a cell; review it in its file",
                row.path
            );
        }
        sheet.write_number(r, 0, row.number as f64)?;
        sheet.write_string(r, 1, &row.id)?;
        sheet.write_string(r, 2, &row.path)?;
        sheet.write_string(r, 3, &row.short)?;
        sheet.write_string(r, 4, &row.body)?;
        if let Some(template) = &row.template {
            sheet.write_string(r, 5, &template.id)?;
            sheet.write_string(r, 6, &template.path)?;
        }
    }
    Ok(())
}

/// Reads an entry review back (after a person edited it in Excel or LibreOffice), opened with the limits and
/// package checks of a customer's file. Errors name the row: a decision that is not one of the choices, a
/// decision or edit on a row whose `#` is unknown, two copies of a row that disagree, a damaged hidden sheet.
pub fn read_entry_review(path: &Path) -> Result<Vec<ReadRow>> {
    let shown = path.display();
    let mut workbook =
        Source::open(path, &Limits::default()).with_context(|| format!("{shown} is not usable"))?;
    let not_ours = || {
        anyhow::anyhow!(
            "{shown} is not a review of proposed entries written by `answerbank approve --review` (a \
             questionnaire's review workbook is applied with `answerbank finish`)"
        )
    };
    let data = workbook.grid(DATA_SHEET).map_err(|_| not_ours())?;
    let text = |r: u32, c: u32| {
        data.cell(CellRef::new(r, c))
            .map(|cell| cell.text.clone())
            .unwrap_or_default()
    };
    match stamp(data, MARKER, FORMAT_VERSION) {
        Stamp::Ours => {}
        Stamp::NotOurs => return Err(not_ours()),
        Stamp::OtherVersion(version) => bail!(
            "{shown} was written by another version of answerbank (entry review format {version}; this one reads \
             format {FORMAT_VERSION}); write the review again with `answerbank approve --review`"
        ),
    }
    let mut rows: Vec<ReadRow> = Vec::new();
    let height = data.row_numbers().last().unwrap_or(0);
    for r in DATA_TABLE_ROW + 1..=height {
        let number = text(r, 0);
        if number.is_empty() && text(r, 1).is_empty() {
            continue;
        }
        let damaged = || format!("{shown}: the answerbank sheet is damaged at row {}", r + 1);
        let number = number
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(u32::MAX))
            .map(|n| n as usize)
            .with_context(damaged)?;
        let id = text(r, 1);
        if !crate::library::entry::is_valid_id(&id) || text(r, 2).is_empty() {
            bail!("{}: it records no valid entry id or file", damaged());
        }
        if rows
            .iter()
            .any(|other| other.number == number || other.id == id)
        {
            bail!("{}: #{number} or `{id}` is recorded twice", damaged());
        }
        let template = match (text(r, 5), text(r, 6)) {
            (id, path) if id.is_empty() && path.is_empty() => None,
            (id, path) if crate::library::entry::is_valid_id(&id) && !path.is_empty() => {
                Some((id, path))
            }
            _ => bail!("{}: it records no valid template id and file", damaged()),
        };
        rows.push(ReadRow {
            number,
            id,
            path: text(r, 2),
            shown_short: text(r, 3),
            shown_body: text(r, 4),
            decision: None,
            typed: None,
            template,
        });
    }

    let review = workbook.grid(REVIEW_SHEET).map_err(|_| not_ours())?;
    let found = find_columns(review, &COLUMNS, &[NUMBER_COL, SHORT_COL, ANSWER_COL, DECISION_COL]).map_err(
        |header| {
            anyhow::anyhow!(
                "{shown}: the Review sheet has lost its \"{header}\" column (the #, Short answer, Answer and \
                 Decision columns are read by their headers)"
            )
        },
    )?;
    let [number_col, short_col, answer_col, decision_col] = found[..] else {
        unreachable!("one column per header")
    };
    let by_number: HashMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.number, i))
        .collect();
    let cell = |r: u32, c: u32| {
        review
            .cell(CellRef::new(r, c))
            .map_or(String::new(), |cell| cell.text.replace("\r\n", "\n"))
    };
    let mut read_from: HashMap<usize, u32> = HashMap::new();
    for r in review.row_numbers().filter(|&r| r > 0) {
        let decision_text = cell(r, decision_col);
        let decision_text = decision_text.trim();
        let number = cell(r, number_col);
        let index = row_number(&number).and_then(|n| by_number.get(&n));
        let Some(&index) = index else {
            if !decision_text.is_empty()
                || !cell(r, short_col).trim().is_empty()
                || !cell(r, answer_col).trim().is_empty()
            {
                bail!(
                    "{shown}: row {} of the Review sheet has a decision or an answer, but its # (\"{}\") is not one \
                     of the reviewed entries; put it on the entry's own row",
                    r + 1,
                    number.trim()
                );
            }
            continue;
        };
        let decision = EntryDecision::parse(decision_text);
        if !decision_text.is_empty() && decision.is_none() {
            bail!(
                "{shown}: row {} of the Review sheet has the decision \"{decision_text}\"; use {}",
                r + 1,
                EntryDecision::CHOICES.join(", ")
            );
        }
        let typed = Some((cell(r, short_col), cell(r, answer_col)));
        let row = &mut rows[index];
        if decision == Some(EntryDecision::FillTemplate) && row.template.is_none() {
            bail!(
                "{shown}: row {} of the Review sheet says Fill template, but the review offered no template for #{}; \
                 choose Approve, Edit or Reject",
                r + 1,
                row.number
            );
        }
        if let Some(first) = read_from.insert(row.number, r) {
            if (row.decision, &row.typed) != (decision, &typed) {
                bail!(
                    "{shown}: rows {} and {} of the Review sheet are both #{} and say different things; keep one",
                    first + 1,
                    r + 1,
                    row.number
                );
            }
            continue;
        }
        row.decision = decision;
        row.typed = typed;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_as_people_type_them() {
        assert_eq!(
            EntryDecision::parse(" approve "),
            Some(EntryDecision::Approve)
        );
        assert_eq!(EntryDecision::parse("EDIT"), Some(EntryDecision::Edit));
        assert_eq!(EntryDecision::parse("Retire"), Some(EntryDecision::Reject));
        assert_eq!(EntryDecision::parse("maybe"), None);
        assert_eq!(
            EntryDecision::parse("Fill Template"),
            Some(EntryDecision::FillTemplate)
        );
        for choice in EntryDecision::CHOICES {
            assert!(EntryDecision::parse(choice).is_some(), "{choice}");
        }
    }

    #[test]
    fn the_headers_name_the_columns_read_back() {
        assert_eq!(COLUMNS[NUMBER_COL as usize].0, "#");
        assert_eq!(COLUMNS[SHORT_COL as usize].0, "Short answer");
        assert_eq!(COLUMNS[ANSWER_COL as usize].0, "Answer");
        assert_eq!(COLUMNS[DECISION_COL as usize].0, "Decision");
        let left: f64 = COLUMNS[..=DECISION_COL as usize]
            .iter()
            .map(|(_, w)| w)
            .sum();
        assert!(left <= 180.0, "{left}");
    }

    #[test]
    fn rows_are_tall_enough_for_their_wrapped_text() {
        let row = EntryRow {
            number: 1,
            id: "a".into(),
            path: "a.md".into(),
            question: "Short?".into(),
            short: "Yes".into(),
            body: ["word"; 60].join(" "),
            source: String::new(),
            conflicts: String::new(),
            findings: String::new(),
            template: None,
        };
        let answer_width = COLUMNS[ANSWER_COL as usize].1;
        assert_eq!(
            row_height(&row),
            review_row_height(wrapped_lines(&row.body, answer_width))
        );
        assert!(row_height(&row) > review_row_height(1));
        let huge = EntryRow {
            body: "x ".repeat(20_000),
            ..row
        };
        assert_eq!(row_height(&huge), 409.0);
    }

    #[test]
    fn a_row_is_edited_when_its_text_changes_not_its_wrapping() {
        let row = ReadRow {
            number: 1,
            id: "sso".into(),
            path: "imported/q/sso.md".into(),
            shown_short: "No".into(),
            shown_body: "No. We plan SSO\nfor 2027.".into(),
            decision: None,
            typed: Some(("No".into(), "No. We plan SSO for 2027.".into())),
            template: None,
        };
        assert!(!row.edited());
        let mut short = row.clone();
        short.typed = Some(("Yes".into(), "No. We plan SSO for 2027.".into()));
        assert!(short.edited());
        let mut gone = row.clone();
        gone.typed = None;
        assert!(!gone.edited());
    }
}
