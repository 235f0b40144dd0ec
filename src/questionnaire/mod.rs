//! Reading a customer questionnaire: every question on every sheet, and where its answer goes.
//!
//! Flow: file → [`source::Workbook`] (format-specific reading into sparse grids) → [`layout::detect`] per sheet
//! → [`Questionnaire`]: per sheet the layout found or why it was skipped, and the [`QuestionRow`]s with absolute
//! cell coordinates, so later steps write into exactly the right cells. The input file is never modified.

mod csv;
pub mod dates;
mod extent;
pub mod grid;
pub mod instructions;
pub mod layout;
pub mod source;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

pub use layout::{AnswerCell, AnswerColumn, AnswerKind, Overrides, QuestionRow, SheetLayout};
pub use source::Format;

use serde::{Deserialize, Serialize};

use crate::analysis::ids::looks_like_question_id;
use crate::ooxml::Limits;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Only these sheets (hidden ones too, when named); empty means every visible sheet.
    pub sheets: Vec<String>,
    /// Read hidden sheets and hidden rows as well.
    pub include_hidden: bool,
    pub overrides: Overrides,
    pub limits: Limits,
}

/// One sheet's outcome.
#[derive(Debug, Clone)]
pub struct SheetResult {
    pub name: String,
    pub hidden: bool,
    pub protected: bool,
    /// The layout, or why the sheet has no questions to answer.
    pub outcome: Result<SheetLayout, String>,
}

impl SheetResult {
    pub fn layout(&self) -> Option<&SheetLayout> {
        self.outcome.as_ref().ok()
    }
}

/// A read questionnaire.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub path: PathBuf,
    pub format: Format,
    pub sheets: Vec<SheetResult>,
    /// When the file says it was answered: a date field above a sheet's questions, or else its document
    /// properties' last-modified date (see [`dates`]).
    pub answered_on: Option<dates::AnswerDate>,
    /// What the reader had to change to read the file (cells cut to a cell's limit), for the command to print.
    pub warnings: Vec<String>,
}

impl Questionnaire {
    /// Every question row, sheet by sheet, top to bottom.
    pub fn questions(&self) -> impl Iterator<Item = &QuestionRow> {
        self.sheets
            .iter()
            .filter_map(SheetResult::layout)
            .flat_map(|l| l.questions.iter())
    }

    /// Every question with what the matcher should know about its place.
    pub fn questions_with_context(&self) -> Vec<(&QuestionRow, QuestionContext)> {
        let mut out = Vec::new();
        for sheet in &self.sheets {
            let Some(layout) = sheet.layout() else {
                continue;
            };
            let mut previous: Option<&str> = None;
            for row in &layout.questions {
                let context = QuestionContext {
                    sheet: Some(sheet.name.clone()),
                    section: row.section.clone(),
                    question_id: row.id.clone(),
                    previous_question: previous.map(str::to_string),
                };
                previous = Some(&row.question);
                out.push((row, context));
            }
        }
        out
    }
}

/// What the reader knows about a question's place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The section or domain heading the question is under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The questionnaire's own ID for the question (`A&A-01.2`, `GNRL-01`, `1.2.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_question: Option<String>,
}

impl QuestionContext {
    /// Reads a free-text context (the `context` column of an eval cases file): a word that looks like a question
    /// ID (letters and digits with `-`, `.` or `&`, containing a digit) is the ID; the rest is the section.
    pub fn from_text(text: &str) -> QuestionContext {
        let mut context = QuestionContext::default();
        let mut rest = Vec::new();
        for word in text.split_whitespace() {
            if context.question_id.is_none() && looks_like_question_id(word) {
                context.question_id = Some(
                    word.trim_matches(|c: char| c == ',' || c == ';')
                        .to_string(),
                );
            } else {
                rest.push(word);
            }
        }
        if !rest.is_empty() {
            context.section = Some(rest.join(" "));
        }
        context
    }

    pub fn is_empty(&self) -> bool {
        self.section.is_none() && self.question_id.is_none() && self.previous_question.is_none()
    }
}

/// Reads a questionnaire. Errors name the file.
pub fn read_questionnaire(path: &Path, options: &ReadOptions) -> Result<Questionnaire> {
    read(path, options).with_context(|| format!("{} is not usable", path.display()))
}

/// Reads a questionnaire file whole (size-checked), with its format, for callers that also need its bytes: to
/// record its hash and to write answers into it. Errors name the file.
pub fn read_input(path: &Path, limits: &Limits) -> Result<(Format, Arc<[u8]>)> {
    source::read_input(path, limits).with_context(|| format!("{} is not usable", path.display()))
}

/// Opens a file already in memory (`name` names it in messages), keeping it open so that its questions can be
/// read ([`read_opened`]) and answers written into it (`workbook::write_answers`) without checking it twice.
pub fn open_bytes(
    name: &Path,
    format: Format,
    bytes: impl Into<Arc<[u8]>>,
    limits: &Limits,
) -> Result<source::Workbook> {
    source::Workbook::from_bytes(name, format, bytes, limits)
        .with_context(|| format!("{} is not usable", name.display()))
}

/// Reads the questions of an opened file; the file stays open.
pub fn read_opened(
    workbook: &mut source::Workbook,
    options: &ReadOptions,
) -> Result<Questionnaire> {
    read_workbook(workbook, options)
        .with_context(|| format!("{} is not usable", workbook.path.display()))
}

/// Reads a questionnaire already in memory (`name` names it in messages).
pub fn read_questionnaire_bytes(
    name: &Path,
    format: Format,
    bytes: impl Into<Arc<[u8]>>,
    options: &ReadOptions,
) -> Result<Questionnaire> {
    read_opened(
        &mut open_bytes(name, format, bytes, &options.limits)?,
        options,
    )
}

fn read(path: &Path, options: &ReadOptions) -> Result<Questionnaire> {
    read_workbook(&mut source::Workbook::open(path, &options.limits)?, options)
}

fn read_workbook(workbook: &mut source::Workbook, options: &ReadOptions) -> Result<Questionnaire> {
    let path = workbook.path.clone();
    for wanted in &options.sheets {
        if !workbook.sheets.iter().any(|s| &s.name == wanted) {
            let names: Vec<String> = workbook
                .sheets
                .iter()
                .map(|s| format!("'{}'", s.name))
                .collect();
            bail!(
                "it has no sheet named '{wanted}' (its sheets: {})",
                names.join(", ")
            );
        }
    }
    // Overrides describe one sheet's columns: applied to every sheet, they would turn an instructions sheet into
    // "questions" and write answers into it. So with several sheets to read, they need --sheet.
    if !options.overrides.is_empty() && options.sheets.is_empty() {
        let readable: Vec<String> = workbook
            .sheets
            .iter()
            .filter(|s| options.include_hidden || !s.hidden)
            .map(|s| format!("'{}'", s.name))
            .collect();
        if readable.len() > 1 {
            bail!(
                "the header and column options describe one sheet, and it has {} ({}); name the sheet they are \
                 for with --sheet",
                readable.len(),
                readable.join(", ")
            );
        }
    }
    let mut sheets = Vec::new();
    let mut answered_on = None;
    let mut cut_cells = Vec::new();
    let mut questions = 0;
    let max_questions = options.limits.max_questions;
    for info in workbook.sheets.clone() {
        let named = options.sheets.contains(&info.name);
        if !options.sheets.is_empty() && !named {
            continue;
        }
        if info.hidden && !options.include_hidden && !named {
            sheets.push(SheetResult {
                name: info.name,
                hidden: true,
                protected: false,
                outcome: Err("hidden sheet (use --include-hidden to read it)".to_string()),
            });
            continue;
        }
        let grid = workbook.grid(&info.name)?;
        cut_cells.extend(
            grid.cut_cells
                .iter()
                .map(|&(at, chars)| (info.name.clone(), at, chars)),
        );
        let outcome = layout::detect(
            &info.name,
            grid,
            &options.overrides,
            options.include_hidden,
            max_questions - questions,
        );
        questions += outcome.as_ref().map_or(0, |l| l.questions.len());
        // Each question costs memory and matching time: a file of hundreds of thousands of rows took minutes and
        // gigabytes before anything was refused (#29).
        if questions > max_questions {
            bail!(
                "it has more than {max_questions} questions, the most answerbank reads from one file; split it into \
                 smaller files, or read some of its sheets at a time with --sheet"
            );
        }
        if answered_on.is_none() && !info.hidden {
            let header = outcome
                .as_ref()
                .ok()
                .and_then(|l: &SheetLayout| l.header_rows.first().copied());
            answered_on = dates::date_field(&info.name, grid, header);
        }
        sheets.push(SheetResult {
            name: info.name,
            hidden: info.hidden,
            protected: grid.protected,
            outcome,
        });
    }
    let answered_on = answered_on.or_else(|| workbook.package().and_then(dates::document_modified));
    Ok(Questionnaire {
        path: path.to_path_buf(),
        format: workbook.format,
        sheets,
        answered_on,
        warnings: cut_cell_warnings(&cut_cells),
    })
}

/// A sheet's name and its non-empty cells (row, column, text), in order.
type SheetCells = (String, Vec<(u32, u32, String)>);

/// Whether two workbooks of one format hold the same cells on the same sheets (values as the reader sees them;
/// formatting aside). `draft --force` and `finish --force` replace an earlier output without keeping a copy only
/// when it still holds what is about to be written (see #26). A file that cannot be read is never the same.
pub fn same_cells(path: &Path, format: Format, old: &[u8], new: &[u8]) -> bool {
    if old == new {
        return true;
    }
    let limits = crate::ooxml::Limits::default();
    let cells = |bytes: &[u8]| -> Result<Vec<SheetCells>> {
        let mut workbook = source::Workbook::from_bytes(path, format, bytes.to_vec(), &limits)?;
        let names: Vec<String> = workbook.sheets.iter().map(|s| s.name.clone()).collect();
        let mut sheets = Vec::with_capacity(names.len());
        for name in names {
            let grid = workbook.grid(&name)?;
            let mut cells = Vec::new();
            for row in grid.row_numbers() {
                for (col, cell) in grid.row_cells(row) {
                    if !cell.text.is_empty() {
                        cells.push((row, *col, cell.text.clone()));
                    }
                }
            }
            cells.sort();
            sheets.push((name, cells));
        }
        Ok(sheets)
    };
    matches!((cells(old), cells(new)), (Ok(a), Ok(b)) if a == b)
}

/// One warning per cell cut to a cell's limit when read (the first few; then how many more): a question or answer
/// is read from its first 32,767 characters, and the rest of the file as usual (#29: one 115 MB cell took 5 GB and
/// failed the whole draft).
fn cut_cell_warnings(cut: &[(String, crate::cell::CellRef, usize)]) -> Vec<String> {
    const LISTED: usize = 5;
    let mut warnings: Vec<String> = cut
        .iter()
        .take(LISTED)
        .map(|(sheet, at, chars)| {
            format!(
                "sheet '{sheet}', cell {at} holds {chars} characters, more than a cell can ({}): only its first {} \
                 were read",
                crate::cell::MAX_CELL_CHARS,
                crate::cell::MAX_CELL_CHARS
            )
        })
        .collect();
    if cut.len() > LISTED {
        warnings.push(format!(
            "{} more cells were cut to {} characters the same way",
            cut.len() - LISTED,
            crate::cell::MAX_CELL_CHARS
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_from_free_text() {
        let context = QuestionContext::from_text("A&A-01.2 Audit & Assurance");
        assert_eq!(context.question_id.as_deref(), Some("A&A-01.2"));
        assert_eq!(context.section.as_deref(), Some("Audit & Assurance"));
    }
}
