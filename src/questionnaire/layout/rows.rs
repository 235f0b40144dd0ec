//! What layout detection finds on a sheet: the [`SheetLayout`] (header rows, question, ID, context and answer
//! columns) and its [`QuestionRow`]s with their [`AnswerCell`]s, the question rows the rest of the program reads.
//! Data only; `headers`, `columns` and `collect` find them.

use serde::Serialize;

use crate::cell::CellRef;
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

    /// A place for Yes / No / N/A: a short-answer cell or one of the mark columns.
    pub fn takes_short_answer(self) -> bool {
        self == AnswerKind::Short || self.is_mark()
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
