//! Importing: past answered questionnaires become library entries a team can live with.
//!
//! In: a read [`Questionnaire`] (its answered rows, and the date it says it was answered) and the library with
//! its index. Out: new entry files (`proposed` unless approved at import), new alternate wordings of entries that
//! already give the same answer, and an [`ImportReport`] that says, sheet by sheet, what was imported, what was
//! left out and why, and which answers conflict with the library.
//!
//! Decisions that are not obvious (see #17):
//! - Re-importing is idempotent in meaning: an answer the library already gives to the same question (the same
//!   normalized wording, or a match that would be high once approved) becomes at most an alternate wording,
//!   whatever its spelling of Yes/No, its wrapping or its punctuation. Only a different short answer, different
//!   figures, or a text that says something else is a conflict; it is written as a proposed entry derived from
//!   the one it contradicts, with the conflict in its `source`, so `check` lists it for a person.
//!
//! This file is the use case; its parts have their own files: `answer` reads a row's answer and the date it was
//! given, `agreement` decides whether an entry already gives it, `titles` refuses sheets whose "answers" are
//! titles, and `templates` finds the starter template an answer fills in.

mod agreement;
mod answer;
mod templates;
mod titles;

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::analysis::ids::slug;
use crate::drafting::high_once_approved;
use crate::learning::{Known, question_ref, source_question_id, tag_for};
use crate::library::entry::CONFLICT_NOTE;
use crate::library::index::LibraryIndex;
use crate::library::new_entry::new_entry;
use crate::library::{self, Entry, Status, write};
use crate::matching::Matcher;
use crate::questionnaire::dates::AnswerDate;
use crate::questionnaire::{QuestionContext, QuestionRow, Questionnaire};
use crate::text::one_line;

use agreement::agreement;
pub use answer::{RowAnswer, answer_date, answer_of};
use templates::templates_answered;
use titles::not_answers;

/// How many question → answer pairs per sheet the report keeps to show (`import --dry-run`).
const EXAMPLES_PER_SHEET: usize = 3;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub approve: bool,
    pub dry_run: bool,
    /// Import sheets whose answers look like titles too.
    pub force: bool,
    /// The `reviewed` date of new entries: when the answers were given.
    pub answered_on: AnswerDate,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportReport {
    /// Ids of the new entries.
    pub entries_added: Vec<String>,
    /// Those of them written as `proposed` (paths relative to the library), for `approve`; templates filled as
    /// proposed too.
    pub proposed: Vec<String>,
    /// Starter templates an imported answer filled in (paths relative to the library; see #19).
    pub templates_filled: Vec<String>,
    pub alternates_added: usize,
    /// Answered rows the library already held as they are.
    pub already_known: usize,
    /// Question rows without an answer.
    pub unanswered: usize,
    pub conflicts: Vec<Conflict>,
    /// Library files written (relative paths).
    pub files_changed: Vec<String>,
    pub sheets: Vec<SheetImport>,
    /// The `reviewed` date of the new entries, and where it came from.
    pub reviewed: Option<String>,
    pub reviewed_from: Option<String>,
    pub warnings: Vec<String>,
}

/// One sheet's part in an import.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SheetImport {
    pub name: String,
    /// Answered question rows.
    pub answered: usize,
    pub entries_added: usize,
    pub alternates_added: usize,
    /// Why nothing on this sheet was imported (no questions, no answer column, answers that look like titles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_imported: Option<String>,
    /// The first question → answer pairs read from it.
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub question: String,
    pub answer: String,
}

/// An answer that differs from what the library gives for the same question.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub sheet: String,
    /// 1-based, as Excel shows it.
    pub row: u32,
    pub question: String,
    /// The entry it contradicts.
    pub existing: String,
    /// The proposed entry written for it.
    pub entry: String,
    /// How the answers differ, in words.
    pub why: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sheet '{}' row {}: answered differently from entry `{}` ({}); written as proposed entry `{}`",
            self.sheet, self.row, self.existing, self.why, self.entry
        )
    }
}

/// Imports the answered rows of a questionnaire. `index` is the library's index (possibly empty); the caller
/// holds the library lock unless this is a dry run.
pub fn import_questionnaire(
    root: &Path,
    index: &LibraryIndex,
    questionnaire: &Questionnaire,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let library = library::load(root)?;
    let mut known = Known::new(&library);
    let mut report = ImportReport {
        reviewed: Some(options.answered_on.date.to_string()),
        reviewed_from: Some(options.answered_on.from.clone()),
        ..ImportReport::default()
    };
    for problem in &library.problems {
        report.warnings.push(format!("skipped {problem}"));
    }
    let file_name = questionnaire.path.file_name().map_or_else(
        || "questionnaire".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let folder = format!(
        "imported/{}",
        slug(
            questionnaire
                .path
                .file_stem()
                .map_or("questionnaire".into(), |s| s.to_string_lossy())
                .as_ref()
        )
    );

    // Which sheets are imported, and their answered rows.
    let mut rows: Vec<(&QuestionRow, QuestionContext, RowAnswer)> = Vec::new();
    let mut sheet_index: HashMap<String, usize> = HashMap::new();
    let with_context = questionnaire.questions_with_context();
    for sheet in &questionnaire.sheets {
        let mut summary = SheetImport {
            name: sheet.name.clone(),
            ..SheetImport::default()
        };
        match &sheet.outcome {
            Err(why) => summary.not_imported = Some(why.clone()),
            Ok(_) => {
                let answered: Vec<(&QuestionRow, QuestionContext, RowAnswer)> = with_context
                    .iter()
                    .filter(|(row, _)| row.sheet == sheet.name)
                    .filter_map(|(row, context)| {
                        answer_of(row).map(|answer| (*row, context.clone(), answer))
                    })
                    .collect();
                report.unanswered += with_context
                    .iter()
                    .filter(|(row, _)| row.sheet == sheet.name)
                    .count()
                    - answered.len();
                summary.answered = answered.len();
                summary.examples = answered
                    .iter()
                    .take(EXAMPLES_PER_SHEET)
                    .map(|(row, _, answer)| Example {
                        question: one_line(&row.question),
                        answer: answer.describe(),
                    })
                    .collect();
                let titles = not_answers(
                    answered
                        .iter()
                        .map(|(row, _, a)| (row.question.as_str(), a)),
                );
                match titles {
                    Some(why) if !options.force => {
                        summary.not_imported = Some(format!(
                            "{why}; not imported (use --force to import it anyway)"
                        ))
                    }
                    _ if answered.is_empty() => {
                        summary.not_imported = Some("no question on it is answered".to_string())
                    }
                    _ => rows.extend(answered),
                }
            }
        }
        sheet_index.insert(sheet.name.clone(), report.sheets.len());
        report.sheets.push(summary);
    }

    // The same question, as the library would draft it: one matcher pass over every row (on all cores).
    // Real answers and templates are ranked apart (#25): a template is "the same question" by the same strict
    // rule, a match that is high (or would be once approved), never a near miss: a wrongly filled template is
    // worse than an empty one.
    let (matched, template_matched): (Vec<Option<String>>, Vec<Option<String>>) =
        if index.is_empty() {
            (vec![None; rows.len()], vec![None; rows.len()])
        } else {
            let questions: Vec<(&str, &QuestionContext)> = rows
                .iter()
                .map(|(row, context, _)| (row.question.as_str(), context))
                .collect();
            let same_question = |matcher: Matcher<'_>| -> Result<Vec<Option<String>>> {
                Ok(matcher
                    .match_all(&questions, 5, &|| {})?
                    .iter()
                    .map(|result| {
                        high_once_approved(result)
                            .then(|| result.best().map(|b| b.id().to_string()))
                            .flatten()
                    })
                    .collect())
            };
            (
                same_question(Matcher::new(index))?,
                templates_answered(Matcher::templates(index), &questions)?,
            )
        };

    for (((row, _, answer), matched), template_matched) in
        rows.iter().zip(matched).zip(template_matched)
    {
        let sheet = &mut report.sheets[sheet_index[&row.sheet]];
        let key = known.key(&row.question);
        // Entries that ask this question: the same normalized wording (under the same question ID when both
        // have one: CAIQ asks "Are the policies reviewed annually?" in every domain), or the matcher's choice.
        let compatible = |entry: &Entry| match (row.id.as_deref(), source_question_id(entry)) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b),
            _ => true,
        };
        let mut same: Vec<usize> = known
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.entry.status != Status::Retired
                    && e.wording_keys.contains(&key)
                    && compatible(&e.entry)
            })
            .map(|(i, _)| i)
            .collect();
        for i in [matched, template_matched]
            .iter()
            .filter_map(|id| id.as_deref().and_then(|id| known.find(id)))
        {
            if !same.contains(&i) {
                same.push(i);
            }
        }
        // An unfilled template (see #19) asks the question but gives no answer: it neither holds this answer nor
        // contradicts it. The imported answer fills it in (below) when nothing else answers the question.
        let template = same
            .iter()
            .find(|&&i| known.entries[i].entry.is_unfilled_template())
            .map(|&i| known.entries[i].entry.id.clone());
        same.retain(|&i| !known.entries[i].entry.is_unfilled_template());
        let verdicts: Vec<Result<(), String>> = same
            .iter()
            .map(|&i| agreement(&known.entries[i].entry, answer))
            .collect();
        if let Some(pos) = verdicts.iter().position(Result::is_ok) {
            // Known already: keep this wording as an alternate if it is new in normalized form.
            let i = same[pos];
            if !key.is_empty() && !known.entries[i].wording_keys.contains(&key) {
                let path = known.add_alternate(root, i, &row.question, options.dry_run)?;
                report.alternates_added += 1;
                sheet.alternates_added += 1;
                report.files_changed.push(path);
            } else {
                report.already_known += 1;
            }
            continue;
        }
        // Nothing else answers it and a template asks it: the answer fills the template in place (see #19).
        if same.is_empty()
            && let Some(i) = template.as_deref().and_then(|id| known.find(id))
        {
            let source = imported_from(&file_name, row);
            let status = if options.approve {
                Status::Approved
            } else {
                Status::Proposed
            };
            let rel = known.entries[i].entry.path.clone();
            let new_wording = !key.is_empty() && !known.entries[i].wording_keys.contains(&key);
            let question = row.question.as_str();
            if !options.dry_run {
                write::fill_template(
                    root,
                    &rel,
                    &write::TemplateFill {
                        short_answer: answer.short.map(|s| s.as_str()),
                        body: &answer.body,
                        status,
                        reviewed: options.answered_on.date,
                        source: &source,
                        alternates: if new_wording {
                            std::slice::from_ref(&question)
                        } else {
                            &[]
                        },
                    },
                )?;
            }
            let mut filled = known.entries[i].entry.clone();
            filled.short_answer = answer.short.map(|s| s.as_str().to_string());
            filled.body = answer.body.clone();
            filled.status = status;
            if new_wording {
                filled.alternates.push(one_line(&row.question));
            }
            known.replace(i, filled);
            if status == Status::Proposed {
                report.proposed.push(rel.clone());
            }
            report.templates_filled.push(rel.clone());
            report.files_changed.push(rel);
            continue;
        }
        let conflict = same.first().map(|&i| {
            (
                known.entries[i].entry.id.clone(),
                verdicts[0].clone().err().unwrap_or_default(),
            )
        });
        let id = known.new_id(&row.question, row.section.as_deref().unwrap_or(&row.sheet));
        let status = if options.approve && conflict.is_none() {
            Status::Approved
        } else {
            Status::Proposed
        };
        let mut source = imported_from(&file_name, row);
        if let Some((existing, _)) = &conflict {
            source.push_str(&format!("; {CONFLICT_NOTE} `{existing}`"));
        } else if let Some(template) = &template {
            source.push_str(&format!("; answers the template `{template}`"));
        }
        let mut entry = new_entry(
            &id,
            &folder,
            &row.question,
            answer.short.map(|s| s.as_str().to_string()),
            &answer.body,
            tag_for(row.section.as_deref(), &row.sheet),
            None,
            status,
            source,
            conflict
                .as_ref()
                .map(|(existing, _)| existing.clone())
                .or(template),
        );
        entry.reviewed = Some(options.answered_on.date);
        if let Some((existing, why)) = conflict {
            report.conflicts.push(Conflict {
                sheet: row.sheet.clone(),
                row: row.row + 1,
                question: one_line(&row.question),
                existing,
                entry: entry.id.clone(),
                why,
            });
        }
        if !options.dry_run {
            write::write_new_entry(root, &entry)?;
        }
        if status == Status::Proposed {
            report.proposed.push(entry.path.clone());
        }
        report.files_changed.push(entry.path.clone());
        report.entries_added.push(entry.id.clone());
        sheet.entries_added += 1;
        known.add(entry);
    }
    Ok(report)
}

/// Where an imported answer came from, for its entry's `source`: the file, sheet and answer cells, and the
/// questionnaire's own question ID.
fn imported_from(file_name: &str, row: &QuestionRow) -> String {
    let cells: Vec<String> = row
        .answer_cells
        .iter()
        .filter(|c| c.is_filled())
        .map(|c| c.cell.to_string())
        .collect();
    format!(
        "imported from {file_name}, sheet '{}', cell {}{}",
        row.sheet,
        cells.join(" and "),
        question_ref(row.id.as_deref())
    )
}
