//! Reading a review workbook back (after a person edited it in Excel or LibreOffice) and checking it against the
//! source questionnaire: a file in, [`ReviewRow`]s with the reviewer's decisions out.
//!
//! A review is untrusted input: it is opened with a customer file's limits, its columns are found by header and
//! its rows tied by `#`, and every recorded answer cell must be one the reader finds in the source (see #16, #29).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::rows::{Decision, ReviewMeta, ReviewRow, Shown};
use super::*;
use crate::cell::CellRef;
use crate::matching::Confidence;
use crate::matching::passages::SUGGESTIONS as DOC_SUGGESTIONS;
use crate::ooxml::Limits;
use crate::questionnaire::source::Workbook as Source;
use crate::questionnaire::{QuestionRow, Questionnaire};
use crate::workbook::columns::{Stamp, find_columns, row_number, stamp};

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
    match stamp(data, MARKER, FORMAT_VERSION) {
        Stamp::Ours => {}
        Stamp::NotOurs => return Err(not_ours()),
        Stamp::OtherVersion(version) => bail!(
            "{} was written by another version of answerbank (review format {version}; this one reads format \
             {FORMAT_VERSION}); draft the questionnaire again with this version and copy your decisions over",
            path.display()
        ),
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
    let wanted = [NUMBER_COL, DECISION_COL, FINAL_COL, SHORT_COL, DRAFTED_COL];
    let found = find_columns(review, &COLUMNS, &wanted).map_err(|header| {
        anyhow::anyhow!(
            "{}: the Review sheet has lost its \"{header}\" column (finish reads the #, Decision, Final answer, Short \
             answer and Drafted answer columns by their headers)",
            path.display()
        )
    })?;
    let [number_col, decision_col, final_col, short_col, drafted_col] = found[..] else {
        unreachable!("one column per header")
    };
    // The document suggestions' columns, where the review has them (a reviewer may delete columns they do not use).
    let doc_cols: Vec<Option<u32>> = (0..DOC_SUGGESTIONS as u16)
        .map(|i| {
            find_columns(review, &COLUMNS, &[DOC_COL + i])
                .ok()
                .and_then(|found| found.first().copied())
        })
        .collect();
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
        let index = row_number(number).and_then(|n| by_number.get(&n));
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
            docs: doc_cols
                .iter()
                .map(|c| c.map_or_else(String::new, |c| text(r, c).to_string()))
                .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::review::write::record_cells;

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
}
