//! Writing the review workbook: drafts in, `<stem>.review.xlsx` bytes out (the Review, Summary and hidden
//! answerbank sheets; see the module above for their layout).
//!
//! The writer knows drafts as data ([`crate::drafted`]), never the drafting use case. Rows are given their heights
//! here, because Excel and LibreOffice do not grow a row written without one (see #25).
//!
//! The texts of each row are made on every core first, then the Review sheet and the other two are filled side by
//! side (#27: the review is most of the time `draft` spends after matching): a worksheet is independent of the
//! others until the workbook is saved, which numbers the shared strings and formats sheet by sheet in order, so the
//! file is the same as when the sheets are filled one after the other.

use anyhow::Result;
use rayon::prelude::*;
use rust_xlsxwriter::{Color, DataValidation, Format, Worksheet};

use super::rows::{Alternative, Decision, DocSuggestion, ReviewMeta, ReviewRow, shown_answer};
use super::*;
use crate::drafted::{Draft, Outcome, Summary, combined_answer};
use crate::matching::{Candidate, Confidence};
use crate::text::{one_line, plain_text, snippet};
use crate::workbook::columns::{
    cell_formats, new_workbook, reviewer_format, row_height, wrapped_lines, write_header_row,
};
use crate::workbook::patch::fit_to_cell;

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
            short: crate::drafted::drafted_short_answer(&draft.result),
            body: best.map(cell_body),
            written: draft.outcome == Outcome::Written,
            alternatives,
            documents: draft
                .documents
                .iter()
                .enumerate()
                .map(|(i, d)| DocSuggestion {
                    number: i + 1,
                    excerpt: d.excerpt.clone(),
                    citation: d.citation.clone(),
                    likely: d.likely,
                    placeholder: d.placeholder,
                })
                .collect(),
            decision: None,
            final_answer: None,
            shown: None,
        }
    }
}

/// An entry's answer as a cell shows it (plain text, cut to a cell's limit).
fn cell_body(candidate: &Candidate) -> String {
    shown_answer(&candidate.entry.entry)
}

fn status_text(draft: &Draft) -> &'static str {
    let documents = !draft.documents.is_empty();
    match draft.outcome {
        Outcome::Written => "written",
        Outcome::BelowThreshold if documents => "for review: see Doc #1",
        Outcome::BelowThreshold => "for review",
        Outcome::NoMatch if documents => "no match: see Doc #1",
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

/// Writes the review workbook's bytes.
pub fn review_workbook(meta: &ReviewMeta, drafts: &[Draft], summary: &Summary) -> Result<Vec<u8>> {
    let mut workbook = new_workbook("answerbank review");
    let made: Vec<(ReviewRow, ReviewTexts)> = drafts
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let row = ReviewRow::from_draft(i + 1, d);
            let texts = ReviewTexts::of(d, &row)?;
            Ok((row, texts))
        })
        .collect::<Result<_>>()?;
    let (rows, texts): (Vec<ReviewRow>, Vec<ReviewTexts>) = made.into_iter().unzip();
    let (review, others) = rayon::join(
        || -> Result<Worksheet> {
            let mut sheet = Worksheet::new();
            write_review_sheet(&mut sheet, drafts, &rows, &texts)?;
            Ok(sheet)
        },
        || -> Result<[Worksheet; 2]> {
            let mut summary_sheet = Worksheet::new();
            write_summary_sheet(&mut summary_sheet, meta, drafts, summary)?;
            let mut data = Worksheet::new();
            write_data_sheet(&mut data, meta, &rows, &texts)?;
            Ok([summary_sheet, data])
        },
    );
    // What the sheets hold is theirs now: free the rows before the save, which needs memory of its own.
    drop((rows, texts));
    workbook.push_worksheet(review?);
    for sheet in others? {
        workbook.push_worksheet(sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

/// What the Review sheet and the data sheet show of one row beyond its [`ReviewRow`], made before either sheet is
/// written so that it is made on every core.
struct ReviewTexts {
    /// The row's answer cells, as the Cells column lists them.
    cells: String,
    /// The Doc #1 to #3 cells.
    documents: Vec<String>,
    /// The matched entry's question, cut to a cell.
    entry_question: Option<String>,
    /// Candidates #2 and #3 as their cells show them.
    candidates: Vec<String>,
    notes: String,
    /// Lines of the row's tallest wrapped text.
    lines: usize,
    /// The row's record (JSON) as the data sheet's cells hold it.
    record: Vec<String>,
}

impl ReviewTexts {
    fn of(draft: &Draft, row: &ReviewRow) -> Result<ReviewTexts> {
        let cells: Vec<String> = row.cells.iter().map(|c| c.cell.to_string()).collect();
        let documents: Vec<String> = row.documents.iter().map(DocSuggestion::cell_text).collect();
        let matched = draft.result.matched();
        // Neither Excel nor LibreOffice grows a row to its wrapped text when opening a file that did not record
        // heights (see #25: questions and answers cut off at one line): the height that shows the whole question
        // and drafted answer is set.
        let lines = [
            (QUESTION_COL, row.question.as_str()),
            (DRAFTED_COL, row.body.as_deref().unwrap_or("")),
            (DOC_COL, documents.first().map_or("", String::as_str)),
        ]
        .iter()
        .map(|(col, text)| wrapped_lines(text, COLUMNS[usize::from(*col)].1))
        .max()
        .unwrap_or(1);
        Ok(ReviewTexts {
            cells: cells.join(", "),
            documents,
            entry_question: matched.map(|best| fit_to_cell(&best.entry.entry.question).0),
            candidates: matched
                .map(|_| {
                    draft
                        .result
                        .candidates
                        .iter()
                        .skip(1)
                        .take(CANDIDATES_KEPT - 1)
                        .map(candidate_text)
                        .collect()
                })
                .unwrap_or_default(),
            notes: fit_to_cell(&notes(draft)).0,
            lines,
            record: record_cells(&serde_json::to_string(row)?),
        })
    }
}

fn write_review_sheet(
    sheet: &mut Worksheet,
    drafts: &[Draft],
    rows: &[ReviewRow],
    texts: &[ReviewTexts],
) -> Result<()> {
    sheet.set_name(REVIEW_SHEET)?.set_active(true);
    // The reviewer's own columns stand out from what draft wrote.
    write_header_row(sheet, &COLUMNS, &[DECISION_COL, FINAL_COL])?;
    let (wrap, top) = cell_formats();
    let yours = reviewer_format();
    for ((draft, row), texts) in drafts.iter().zip(rows).zip(texts) {
        let r = row.number as u32;
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
        for (doc, text) in row.documents.iter().zip(&texts.documents) {
            sheet.write_string_with_format(r, DOC_COL + doc.number as u16 - 1, text, &wrap)?;
        }
        sheet.write_string_with_format(r, STATUS_COL, status_text(draft), &top)?;
        if let Some(best) = draft.result.best() {
            sheet.write_number_with_format(r, SCORE_COL, shown_score(best), &top)?;
        }
        sheet.write_string_with_format(r, SHEET_COL, &row.sheet, &top)?;
        sheet.write_string_with_format(r, CELLS_COL, &texts.cells, &top)?;
        sheet.write_string_with_format(
            r,
            QUESTION_ID_COL,
            row.question_id.as_deref().unwrap_or(""),
            &top,
        )?;
        if let (Some(best), Some(question)) = (draft.result.matched(), &texts.entry_question) {
            sheet.write_string_with_format(r, ENTRY_COL, best.id(), &top)?;
            sheet.write_string_with_format(r, ENTRY_QUESTION_COL, question, &wrap)?;
            for (i, candidate) in texts.candidates.iter().enumerate() {
                sheet.write_string_with_format(r, CANDIDATE_COL + i as u16, candidate, &wrap)?;
            }
        }
        sheet.write_string_with_format(r, NOTES_COL, &texts.notes, &wrap)?;
        if texts.lines > 1 {
            sheet.set_row_height(r, row_height(texts.lines))?;
        }
    }
    let last = rows.len() as u32;
    if last > 0 {
        let decisions = DataValidation::new()
            .allow_list_strings(&Decision::CHOICES)?
            .set_input_message(
                "Accept writes the drafted answer; Use #2 or #3 that candidate's; Use doc #1 to #3 that document \
                 excerpt as its cell holds it (edit it there); Edit (or a Final answer) yours. Reject and Needs SME \
                 write nothing.",
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

/// What the reviewer should know of the document suggestions: which likely answer the question, that they are
/// used only on "Use doc #n", that a Yes/No is theirs to type, and which hold a placeholder.
fn documents_note(draft: &Draft) -> String {
    let numbers = |pick: &dyn Fn(&crate::matching::passages::Suggestion) -> bool| {
        draft
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| pick(d))
            .map(|(i, _)| format!("#{}", i + 1))
            .collect::<Vec<_>>()
    };
    let likely = numbers(&|d| d.likely);
    let mut note = if likely.is_empty() {
        "Your documents say something on this topic (Doc columns), but none of it clearly answers the question."
            .to_string()
    } else {
        format!(
            "Your documents may answer this: Doc {} (Doc columns).",
            likely.join(", ")
        )
    };
    note.push_str(
        " Nothing from them is written unless you choose \"Use doc #n\"; edit the excerpt in its cell first if it \
         needs it.",
    );
    if draft
        .row
        .answer_cells
        .iter()
        .any(|c| c.kind != crate::questionnaire::AnswerKind::Long)
    {
        note.push_str(" This question takes a Yes/No, which a document's excerpt does not give: set it in Short answer, which is \
             written with the excerpt as you leave it (a low draft shows the library's guess there: check it or \
             clear it).");
    }
    let placeholders = numbers(&|d| d.placeholder);
    if !placeholders.is_empty() {
        note.push_str(&format!(
            " Doc {} still holds an unfilled {{{{ ... }}}} placeholder: replace it before using it.",
            placeholders.join(", ")
        ));
    }
    note
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
    if !draft.documents.is_empty() {
        notes.push(documents_note(draft));
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

/// Writes the data sheet: the run's facts, then each row's record and the answers it holds.
fn write_data_sheet(
    sheet: &mut Worksheet,
    meta: &ReviewMeta,
    rows: &[ReviewRow],
    texts: &[ReviewTexts],
) -> Result<()> {
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
    for (i, (row, texts)) in rows.iter().zip(texts).enumerate() {
        let r = DATA_TABLE_ROW + 1 + i as u32;
        sheet.write_number(r, 0, row.number as f64)?;
        for (i, part) in texts.record.iter().enumerate() {
            let col = if i == 0 {
                1
            } else {
                RECORD_MORE_COL + i as u16 - 1
            };
            sheet.write_string(r, col, part)?;
        }
        sheet.write_string(r, 2, row.body.as_deref().unwrap_or(""))?;
        for alternative in &row.alternatives {
            sheet.write_string(r, 1 + alternative.number as u16, &alternative.body)?;
        }
    }
    Ok(())
}

/// A row's record (JSON) as the data sheet's cells hold it: one cell, or, when it is longer than a cell holds (a
/// question or answer near a cell's own limit; #29: a 40,000-character question failed the whole draft), several
/// side by side. The reader trims every cell, so a record split across cells first has its whitespace (which in
/// compact JSON is only ever inside strings) written as `\uXXXX` escapes, which read back the same.
pub(super) fn record_cells(json: &str) -> Vec<String> {
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
