//! The review workbook: what a person reads to decide what to trust, and what `finish` reads back.
//!
//! In: the drafts of one run. Out: `<stem>.review.xlsx` (rust_xlsxwriter) with a **Review** sheet laid out for the
//! task (see #16): the question, the band, the drafted short answer and answer, `Decision` and `Final answer` side
//! by side at the left (about 175 character-widths, a laptop screen), header row and question frozen; the status,
//! score, place in the customer's file, matched entry, candidates #2 and #3 (each with its short answer and the
//! start of its answer, chosen with "Use #2" / "Use #3") and notes to the right. Between the two, for a question
//! the library leaves open, up to three excerpts of the company's documents with their source ("Doc #1" to
//! "Doc #3", chosen with "Use doc #n", editable in place; see #24). A **Summary** sheet, and a hidden
//! **answerbank** sheet that records the source file (path, SHA-256 and how it was read) and, per row, its answer
//! cells, what the drafted cells showed and the candidates' answers, so that `finish` writes back exactly where
//! `draft` would have and can tell a drafted answer corrected in place from one left alone. Rows are tied together
//! by the `#` column, so a reviewer may sort and filter the Review sheet freely.
//!
//! A review travels by e-mail and shared drives like any other file: [`read_review`] opens it with the limits of a
//! customer's file, and [`check_against_source`] refuses any recorded answer cell that the reader does not find in
//! the source questionnaire.
//!
//! One job per file (see #28): [`rows`] holds what a review records of each question and what a reviewer decided,
//! `write` writes the workbook from the drafts, `read` reads it back and checks it against the source
//! questionnaire, and `open_questions` writes what is left open after `finish`. The sheet names, the Review sheet's
//! column table and the hidden sheet's layout are here, shared by the writer and the reader.

mod open_questions;
mod read;
pub mod rows;
mod write;

pub use open_questions::open_questions_workbook;
pub use read::{check_against_source, is_review_workbook, read_review, read_review_bytes};
pub use rows::{
    Alternative, Decision, DocSuggestion, QuestionState, Reading, ReviewMeta, ReviewRow, Shown,
    State, shown_answer,
};
pub use write::{review_workbook, shown_score};

use crate::drafted::CANDIDATES_KEPT;

const REVIEW_SHEET: &str = "Review";
const SUMMARY_SHEET: &str = "Summary";
const DATA_SHEET: &str = "answerbank";
/// Written in the data sheet's A1; `finish` refuses a workbook without it.
const MARKER: &str = "answerbank review workbook";
/// 3: the Review sheet's columns were reordered for the task, rows record the candidates and their answers, and the
/// data sheet records how the questionnaire was read (see #16). A version-2 workbook would have its decisions read
/// from the wrong column.
/// 4: three columns of document suggestions after `Final answer` (#24).
const FORMAT_VERSION: u32 = 4;
/// The row (0-based) where the data sheet's per-question table starts (its header).
const DATA_TABLE_ROW: u32 = 12;
/// Characters of a candidate's answer shown in the Review sheet (its start; the whole answer is written on Use #N).
const CANDIDATE_SNIPPET: usize = 200;
/// The data sheet's column where a row's record goes on when it is longer than one cell holds (after the number,
/// the record, and the answers of the candidates).
const RECORD_MORE_COL: u16 = 2 + CANDIDATES_KEPT as u16;

/// The Review sheet's columns (0-based). What a reviewer reads and writes sits at the left, the rest to the right.
pub const NUMBER_COL: u16 = 0;
pub const QUESTION_COL: u16 = 1;
pub const CONFIDENCE_COL: u16 = 2;
pub const SHORT_COL: u16 = 3;
pub const DRAFTED_COL: u16 = 4;
pub const DECISION_COL: u16 = 5;
pub const FINAL_COL: u16 = 6;
/// Document suggestions #1 to #3 (see #24), chosen with "Use doc #n" and editable in place.
pub const DOC_COL: u16 = 7;
const STATUS_COL: u16 = 10;
const SCORE_COL: u16 = 11;
const SHEET_COL: u16 = 12;
const CELLS_COL: u16 = 13;
const QUESTION_ID_COL: u16 = 14;
const ENTRY_COL: u16 = 15;
const ENTRY_QUESTION_COL: u16 = 16;
const CANDIDATE_COL: u16 = 17;
const NOTES_COL: u16 = 19;

/// Headers and widths, in column order. The first seven add up to 175 character-widths, which a laptop screen
/// shows without scrolling; `finish` finds the columns it reads by these headers.
pub const COLUMNS: [(&str, f64); 20] = [
    ("#", 5.0),
    ("Question", 48.0),
    ("Confidence", 11.0),
    ("Short answer", 9.0),
    ("Drafted answer", 45.0),
    ("Decision", 12.0),
    ("Final answer", 45.0),
    ("Doc #1", 45.0),
    ("Doc #2", 45.0),
    ("Doc #3", 45.0),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_left_block_fits_a_laptop_screen() {
        let left: f64 = COLUMNS[..=FINAL_COL as usize].iter().map(|(_, w)| w).sum();
        assert!(left <= 180.0, "{left}");
        assert_eq!(COLUMNS[DECISION_COL as usize].0, "Decision");
        assert_eq!(COLUMNS[FINAL_COL as usize].0, "Final answer");
        assert_eq!(COLUMNS[SHORT_COL as usize].0, "Short answer");
        assert_eq!(COLUMNS[DRAFTED_COL as usize].0, "Drafted answer");
        assert_eq!(COLUMNS[NOTES_COL as usize].0, "Notes");
        assert_eq!(COLUMNS[DOC_COL as usize].0, "Doc #1");
        assert_eq!(COLUMNS[STATUS_COL as usize].0, "Status");
        assert_eq!(COLUMNS[CANDIDATE_COL as usize].0, "Candidate #2");
    }
}
