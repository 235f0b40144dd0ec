//! Importing: past answered questionnaires become library entries a team can live with.
//!
//! In: a read [`Questionnaire`] (its answered rows, and the date it says it was answered) and the library with
//! its index. Out: new entry files (`proposed` unless approved at import), new alternate wordings of entries that
//! already give the same answer, and an [`ImportReport`] that says, sheet by sheet, what was imported, what was
//! left out and why, and which answers conflict with the library.
//!
//! Decisions that are not obvious (see #17):
//! - An answer that is only a short answer ("Yes", "2) No") becomes a `short_answer` with that answer as a
//!   sentence for its body ("No."), which says nothing beyond it, so drafting never writes it into a comments
//!   cell.
//! - An entry is dated by when its answer was given: a date field in the questionnaire, else the workbook's
//!   last-modified date, else the file's modification time; `check` then flags old answers as stale.
//! - Re-importing is idempotent in meaning: an answer the library already gives to the same question (the same
//!   normalized wording, or a match that would be high once approved) becomes at most an alternate wording,
//!   whatever its spelling of Yes/No, its wrapping or its punctuation. Only a different short answer, different
//!   figures, or a text that says something else is a conflict; it is written as a proposed entry derived from
//!   the one it contradicts, with the conflict in its `source`, so `check` lists it for a person.
//! - Only answers become answers: a sheet whose "answers" look like titles (short, Title Case, no verb, the same
//!   value on several rows) is not imported without `force`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::analysis::ids::{looks_like_question_id, slug};
use crate::date::Date;
use crate::drafting::high_once_approved;
use crate::learning::{Known, question_ref, source_question_id, tag_for};
use crate::library::entry::CONFLICT_NOTE;
use crate::library::index::LibraryIndex;
use crate::library::{self, Entry, Status, write};
use crate::matching::{Comparison, Matcher};
use crate::questionnaire::dates::AnswerDate;
use crate::questionnaire::{AnswerKind, QuestionContext, QuestionRow, Questionnaire};
use crate::short_answer::{ShortAnswer, adds_nothing, split_answer, split_leading};
use crate::text::{one_line, plain_text};

/// How many question → answer pairs per sheet the report keeps to show (`import --dry-run`).
const EXAMPLES_PER_SHEET: usize = 3;

/// An answer read from a questionnaire row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAnswer {
    /// Yes/No/N/A, from a yes/no cell, a mark, or the first word of the only answer.
    pub short: Option<ShortAnswer>,
    /// The answer's text as written; the short answer as a sentence ("No.") when that is all there is.
    pub body: String,
}

impl RowAnswer {
    /// The answer in one line, for messages: "No", "Yes: AES-256 everywhere."
    pub fn describe(&self) -> String {
        let body = one_line(&self.body);
        match self.short {
            Some(short) if adds_nothing(Some(short.as_str()), &body) => short.as_str().to_string(),
            Some(short) => format!("{}: {body}", short.as_str()),
            None => body,
        }
    }
}

/// Reads the answer of a row: the short answer from its yes/no cell (any spelling: `2) No`, `TRUE` in a yes/no
/// column, `Yes - weekly`) or its marks, the body from its long cells. A yes/no cell holding prose is prose. On a
/// row without a yes/no cell or marks, a long answer that starts with Yes/No/N/A gives the short answer too.
pub fn answer_of(row: &QuestionRow) -> Option<RowAnswer> {
    let mut short = None;
    let mut body_parts: Vec<String> = Vec::new();
    let has_short_place = row
        .answer_cells
        .iter()
        .any(|c| c.kind == AnswerKind::Short || c.kind.is_mark());
    for cell in row.answer_cells.iter().filter(|c| c.is_filled()) {
        let text = cell.current.trim();
        match cell.kind {
            AnswerKind::Short => match split_answer(text) {
                (Some(s), rest) => {
                    short = short.or(Some(s));
                    if !rest.is_empty() {
                        body_parts.push(rest);
                    }
                }
                (None, prose) => body_parts.push(prose),
            },
            kind if kind.is_mark() => short = short.or(kind.marked_answer()),
            _ => {
                if !has_short_place && short.is_none() {
                    short = split_answer(text).0;
                }
                body_parts.push(text.to_string());
            }
        }
    }
    let body = body_parts.join("\n\n");
    // A comment that is only "Yes" or "NA" beside an empty yes/no cell is the answer put one column too far.
    let short = short.or_else(|| ShortAnswer::parse(&body));
    match (short, body.is_empty()) {
        (None, true) => None,
        (Some(short), true) => Some(RowAnswer {
            short: Some(short),
            body: format!("{}.", short.as_str()),
        }),
        (short, false) => Some(RowAnswer { short, body }),
    }
}

/// The date an imported answer was given: the questionnaire's own (a date field, else its document properties),
/// else the file's modification time, else today.
pub fn answer_date(questionnaire: &Questionnaire) -> AnswerDate {
    if let Some(found) = &questionnaire.answered_on {
        return found.clone();
    }
    let modified = std::fs::metadata(&questionnaire.path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| {
            Date::new(1970, 1, 1)
                .expect("valid")
                .add_days((d.as_secs() / 86_400) as i64)
        })
        .filter(|d| *d <= Date::today());
    match modified {
        Some(date) => AnswerDate {
            date,
            from: "the file's modification time".to_string(),
        },
        None => AnswerDate {
            date: Date::today(),
            from: "today (the file gives no date)".to_string(),
        },
    }
}

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
                        alternate: new_wording.then_some(row.question.as_str()),
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
        let mut entry = write::new_entry(
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

/// Whether an entry gives `answer`: `Ok` when it does (however spelled, wrapped or reworded), `Err` with how
/// they differ when they really do: a different short answer, different figures, or (for answers without a short
/// answer) a text that says something else.
fn agreement(entry: &Entry, answer: &RowAnswer) -> Result<(), String> {
    let entry_body = plain_text(&entry.body);
    let entry_short = entry
        .short_answer
        .as_deref()
        .and_then(ShortAnswer::parse_in_yes_no_column)
        .or_else(|| split_leading(&entry_body).map(|(s, _)| s));
    let short = answer
        .short
        .or_else(|| split_leading(&answer.body).map(|(s, _)| s));
    // Short answers that are not Yes/No/N/A ("Partial") must be the same text.
    if let (Some(a), Some(b)) = (entry.short_answer.as_deref(), answer.short)
        && !crate::short_answer::same_short_answer(a, b.as_str())
    {
        return Err(format!("{} here, {a} in the library", b.as_str()));
    }
    if let (Some(a), Some(b)) = (entry_short, short)
        && a != b
    {
        return Err(format!(
            "{} here, {} in the library",
            b.as_str(),
            a.as_str()
        ));
    }
    let said = |s: Option<ShortAnswer>| s.map(ShortAnswer::as_str);
    if adds_nothing(said(entry_short), &entry_body) || adds_nothing(said(short), &answer.body) {
        // One side only states the short answer, which the other agrees with.
        return Ok(());
    }
    let (a, b) = (
        words(without_short(&entry_body)),
        words(without_short(&answer.body)),
    );
    if a == b {
        return Ok(());
    }
    let (figures_a, figures_b) = (figures(&a), figures(&b));
    if !figures_a.is_subset(&figures_b) && !figures_b.is_subset(&figures_a) {
        let only: Vec<&str> = figures_b
            .difference(&figures_a)
            .map(String::as_str)
            .collect();
        return Err(format!("other figures here: {}", only.join(", ")));
    }
    if entry_short.is_some() && short.is_some() {
        // The same Yes/No with an explanation in other words: the library's vetted text stands.
        return Ok(());
    }
    // Without a short answer the text is the answer: a rewording shares most of its content words.
    let (content_a, content_b) = (content_words(&a), content_words(&b));
    let shared = content_a.intersection(&content_b).count();
    let smaller = content_a.len().min(content_b.len()).max(1);
    if shared * 2 >= smaller {
        Ok(())
    } else {
        Err("the text here says something else".to_string())
    }
}

/// The body after a leading short answer ("Yes. We do." → "We do.").
fn without_short(body: &str) -> &str {
    split_leading(body).map_or(body, |(_, rest)| rest)
}

/// Lowercase words and numbers, punctuation and wrapping aside.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The figures an answer states ("12", "256", "2"): two answers with different figures say different things.
fn figures(words: &[String]) -> BTreeSet<String> {
    words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .cloned()
        .collect()
}

fn content_words(words: &[String]) -> HashSet<&str> {
    const FUNCTION: &[&str] = &[
        "and", "are", "the", "for", "with", "our", "all", "any", "has", "have", "was", "were",
        "not", "but", "from", "that", "this", "its", "into", "also", "can", "will", "use", "per",
    ];
    words
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().count() >= 3 && !FUNCTION.contains(w))
        .collect()
}

/// Words that show an answer is a sentence, not a title.
const SENTENCE_WORDS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "we",
    "our", "us", "not", "no", "yes", "will", "can", "cannot", "may", "must", "should", "it",
    "they", "there", "this",
];

/// Why a sheet holds no answers although a column beside its questions is filled, if it does (see #17, #26): a
/// control matrix, catalogue or crosswalk. Decided by what the columns hold, never by sheet names:
/// - most "answers" are names, not answers: no Yes/No, one to ten words in Title Case, no verb, no full stop
///   ("Audit and Assurance Policy and Procedures", once per control or repeated over its questions), or ids
///   ("A&A-01");
/// - or most "questions" are control text, not questions: statements that neither ask ("?") nor request
///   ("Describe...") ("Establish, document and maintain audit policies...").
fn not_answers<'a>(rows: impl Iterator<Item = (&'a str, &'a RowAnswer)>) -> Option<String> {
    let rows: Vec<(&str, &RowAnswer)> = rows.collect();
    if rows.len() < 3 {
        return None;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, answer) in &rows {
        *counts.entry(one_line(&answer.body)).or_default() += 1;
    }
    let is_name = |answer: &RowAnswer| {
        let text = one_line(&answer.body);
        let words: Vec<&str> = text.split_whitespace().collect();
        if answer.short.is_some() || words.is_empty() {
            return false;
        }
        if words.len() == 1 && looks_like_question_id(words[0]) {
            return true;
        }
        (1..=10).contains(&words.len())
            && !text.ends_with(['.', '!', '?'])
            && !words
                .iter()
                .any(|w| SENTENCE_WORDS.contains(&w.to_lowercase().as_str()))
            && words
                .iter()
                .filter(|w| w.chars().count() >= 4)
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
            // One capitalised word ("SaaS", "Okta") is as likely an answer as a title; two or more, or one that
            // repeats over several questions, is a heading.
            && (words.len() >= 2 || counts[&text] >= 2)
    };
    let names: Vec<&str> = rows
        .iter()
        .filter(|(_, a)| is_name(a))
        .map(|(_, a)| a.body.as_str())
        .collect();
    // Three in five: a sheet of real short answers ("Tier I", "AWS and GCP") has sentences and Yes/No among them.
    if names.len() * 5 >= rows.len() * 3 {
        let example = one_line(names[0]);
        let repeats = counts[&example];
        let repeated = if repeats >= 2 {
            format!(" on {repeats} rows")
        } else {
            String::new()
        };
        return Some(format!(
            "its answers look like titles or ids, not answers: {} of {} are short names without a verb (\"{example}\"{repeated})",
            names.len(),
            rows.len(),
        ));
    }
    let statements = rows
        .iter()
        .filter(|(q, _)| !crate::questionnaire::layout::is_question_like(q))
        .count();
    if statements * 5 >= rows.len() * 4 {
        let example = rows
            .iter()
            .map(|(q, _)| *q)
            .find(|q| !crate::questionnaire::layout::is_question_like(q))
            .map(|q| crate::text::snippet(q, 60))
            .unwrap_or_default();
        return Some(format!(
            "its questions are statements, not questions (control text, as in a control matrix): {statements} of {} \
             neither ask nor request anything (\"{example}\")",
            rows.len()
        ));
    }
    None
}

/// Notions an imported question may add to a template's wording and still be the same question: "Is data
/// classified according to type and sensitivity levels?" answers "Do you classify data according to its
/// sensitivity?". Three let in near misses on the CAIQ v4 import ("encryption and key management roles and
/// responsibilities defined" for "a documented encryption and key management policy"), checked by hand (#25).
/// The questionnaire's own boilerplate is not counted (see [`Boilerplate`]).
const MAX_EXTRA_NOTIONS: usize = 2;

/// A questionnaire's boilerplate: the notions that at least one question in [`BOILERPLATE_SHARE`] of the
/// imported questionnaire asks (and at least [`BOILERPLATE_MIN_QUESTIONS`] questions). CAIQ asks, in every
/// domain, whether its "policies and procedures [are] established, documented, approved, communicated, applied,
/// evaluated, and maintained": those words say how that questionnaire asks, not what it asks, so "Are
/// cryptography, encryption, and key management policies and procedures established, documented, approved,
/// communicated, applied, evaluated, and maintained?" is still "Do you have a documented encryption and key
/// management policy?" (#25). Measured on the questionnaire itself, not on a list of words: another
/// questionnaire's boilerplate is found the same way. Only what the imported question adds is discounted; a
/// notion of the template that the question lacks still blocks the fill, however common it is.
struct Boilerplate(HashSet<String>);

/// What an imported question may add to a template's question besides its questionnaire's boilerplate, where it
/// adds more than [`MAX_EXTRA_NOTIONS`] in all (see [`templates_answered`]).
const MAX_OWN_NOTIONS_BESIDE_BOILERPLATE: usize = 1;

/// See [`Boilerplate`]: one question in 20. On the CAIQ v4 import (261 questions) that is 14 questions: the
/// domain-policy words, "reviewed", "updated", "annually"; not "resilience" (6) nor "tested" (9).
const BOILERPLATE_SHARE: usize = 20;
const BOILERPLATE_MIN_QUESTIONS: usize = 5;

impl Boilerplate {
    fn of(analyzed: &[crate::analysis::Analyzed]) -> Boilerplate {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for question in analyzed {
            let notions: HashSet<&str> = question.notions.iter().map(String::as_str).collect();
            for notion in notions {
                *counts.entry(notion).or_default() += 1;
            }
        }
        let at_least = (analyzed.len() / BOILERPLATE_SHARE).max(BOILERPLATE_MIN_QUESTIONS);
        Boilerplate(
            counts
                .into_iter()
                .filter(|&(_, n)| n >= at_least)
                .map(|(notion, _)| notion.to_string())
                .collect(),
        )
    }

    /// The words of `extra` (as `question` writes them) that are not boilerplate.
    fn meaningful<'a>(
        &self,
        question: &crate::analysis::Analyzed,
        extra: &'a [String],
    ) -> Vec<&'a String> {
        extra
            .iter()
            .filter(|word| {
                !question
                    .notions
                    .iter()
                    .zip(&question.notion_words)
                    .any(|(notion, w)| w == *word && self.0.contains(notion))
            })
            .collect()
    }
}

/// For each imported question, the template it answers, if any (#25). An imported question answers a template
/// when the template matcher (templates ranked apart from real answers) finds it, and against the template's own
/// question nothing it asks is missing from the imported question, no negation is on one side only, and the
/// imported question adds at most [`MAX_EXTRA_NOTIONS`], or at most [`MAX_OWN_NOTIONS_BESIDE_BOILERPLATE`] besides
/// its questionnaire's [`Boilerplate`]. The match must be medium or better, or low where boilerplate dilutes it: a
/// long question that is the template's question in the questionnaire's own phrasing scores low for its length
/// alone. Each template is filled by one question at most: the one it matches best, so two questions never both
/// claim it.
fn templates_answered(
    matcher: Matcher<'_>,
    questions: &[(&str, &QuestionContext)],
) -> Result<Vec<Option<String>>> {
    let results = matcher.match_all(questions, 5, &|| {})?;
    let analyzer = matcher.index().analyzer();
    let analyzed: Vec<crate::analysis::Analyzed> =
        questions.iter().map(|(q, _)| analyzer.analyze(q)).collect();
    let boilerplate = Boilerplate::of(&analyzed);
    // (template, question, lexical score, whether its boilerplate was discounted)
    let mut candidates: Vec<(String, usize, f32, bool)> = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let Some(template) = result.matched() else {
            continue;
        };
        // Filled in place, the answer answers every wording of the template, its question first: the template's
        // alternates are not always the same question ("Who is responsible for encryption?" beside "Do you have
        // an encryption policy?"), so the question itself is compared, not only the closest wording.
        let asked = Comparison::of(
            &analyzed[i],
            &analyzer.analyze(&template.entry.entry.question),
        );
        let extra = boilerplate.meaningful(&analyzed[i], &asked.only_in_question);
        // Boilerplate is discounted only where the question needs it: one adding more than two notions is the
        // template's question if, its boilerplate left out, it adds at most one of its own. "Is business
        // continuity and operational resilience documentation reviewed periodically?" adds 'reviewed' (boilerplate)
        // and 'periodically' and 'resilience' (its own) to "Do you have a business continuity plan?": not filled.
        let diluted = asked.only_in_question.len() > MAX_EXTRA_NOTIONS;
        let covered = !asked.opposite
            && asked.only_in_wording.is_empty()
            && (!diluted || extra.len() <= MAX_OWN_NOTIONS_BESIDE_BOILERPLATE);
        // Medium or better: a proposed template is never high, and high once approved is at least medium. Low
        // only where boilerplate was discounted, and so lowered the score.
        let band = if diluted {
            crate::matching::Confidence::Low
        } else {
            crate::matching::Confidence::Medium
        };
        if covered && result.confidence >= band {
            candidates.push((template.id().to_string(), i, template.lexical, diluted));
        }
    }
    // Where two different questions come down to the same template once their boilerplate is left out, the
    // boilerplate is what tells them apart ("... policies and procedures established, documented, approved, ..."
    // and "... policies and procedures reviewed and updated at least annually" both reduce to "Do you have an
    // encryption policy?"): neither is the template's question.
    let mut reduced: HashMap<&str, HashSet<String>> = HashMap::new();
    for (id, i, _, diluted) in &candidates {
        if *diluted {
            reduced
                .entry(id.as_str())
                .or_default()
                .insert(analyzed[*i].key());
        }
    }
    let ambiguous: HashSet<String> = reduced
        .into_iter()
        .filter(|(_, keys)| keys.len() > 1)
        .map(|(id, _)| id.to_string())
        .collect();
    let mut best: HashMap<String, (usize, f32)> = HashMap::new();
    for (id, i, lexical, diluted) in candidates {
        if diluted && ambiguous.contains(&id) {
            continue;
        }
        let slot = best.entry(id).or_insert((i, lexical));
        if lexical > slot.1 {
            *slot = (i, lexical);
        }
    }
    let mut answered = vec![None; questions.len()];
    for (id, (i, _)) in best {
        answered[i] = Some(id);
    }
    Ok(answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellRef;
    use crate::questionnaire::AnswerCell;

    fn row(cells: &[(AnswerKind, &str)]) -> QuestionRow {
        QuestionRow {
            sheet: "S".into(),
            row: 3,
            id: None,
            question: "Do you support SSO?".into(),
            section: None,
            single_answer_column: cells.len() == 1,
            answer_cells: cells
                .iter()
                .enumerate()
                .map(|(i, (kind, text))| AnswerCell {
                    cell: CellRef::new(3, 2 + i as u32),
                    kind: *kind,
                    allowed: None,
                    current: text.to_string(),
                })
                .collect(),
        }
    }

    fn answer(short: Option<ShortAnswer>, body: &str) -> Option<RowAnswer> {
        Some(RowAnswer {
            short,
            body: body.to_string(),
        })
    }

    #[test]
    fn short_answers_in_every_spelling_become_short_answers() {
        use AnswerKind::{Long, MarkNo, MarkYes, Short};
        assert_eq!(
            answer_of(&row(&[(Short, "2) No"), (Long, "")])),
            answer(Some(ShortAnswer::No), "No.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "TRUE"), (Long, "Weekly.")])),
            answer(Some(ShortAnswer::Yes), "Weekly.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "Yes - weekly"), (Long, "")])),
            answer(Some(ShortAnswer::Yes), "Yes - weekly")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "No"), (Long, "None")])),
            answer(Some(ShortAnswer::No), "None"),
            "what was typed is kept; drafting knows it adds nothing"
        );
        assert_eq!(
            answer_of(&row(&[(MarkYes, ""), (MarkNo, "x"), (Long, "Not yet.")])),
            answer(Some(ShortAnswer::No), "Not yet.")
        );
        // The only answer column carries the short answer in its first word.
        assert_eq!(
            answer_of(&row(&[(Long, "Yes. SAML 2.0.")])),
            answer(Some(ShortAnswer::Yes), "Yes. SAML 2.0.")
        );
        // A comment next to an empty yes/no cell says nothing about Yes/No.
        assert_eq!(
            answer_of(&row(&[(Short, ""), (Long, "Yes, but only on request.")])),
            answer(None, "Yes, but only on request.")
        );
        assert_eq!(
            answer_of(&row(&[(Short, ""), (Long, "NA")])),
            answer(Some(ShortAnswer::NotApplicable), "NA")
        );
        assert_eq!(
            answer_of(&row(&[(Short, "3) Both modes available")])),
            answer(None, "3) Both modes available")
        );
        assert_eq!(answer_of(&row(&[(Short, ""), (Long, " ")])), None);
    }

    fn entry(short: Option<&str>, body: &str) -> Entry {
        let mut entry = write::new_entry(
            "e",
            "",
            "Q?",
            short.map(str::to_string),
            body,
            Vec::new(),
            None,
            Status::Approved,
            String::new(),
            None,
        );
        entry.body = body.to_string();
        entry
    }

    #[test]
    fn the_same_answer_in_other_spellings_and_words_agrees() {
        let yes = |body: &str| RowAnswer {
            short: Some(ShortAnswer::Yes),
            body: body.to_string(),
        };
        let library = entry(
            Some("Yes"),
            "Yes. Our SOC 2 Type II report covers **12 months** and is issued every year.",
        );
        assert!(agreement(&library, &yes("Yes.")).is_ok());
        assert!(
            agreement(
                &library,
                &yes("Our SOC 2 Type II report covers 12\nmonths; issued yearly")
            )
            .is_ok()
        );
        assert!(agreement(&entry(Some("Yes"), "Yes"), &yes("Yes, see the report.")).is_ok());
        assert!(
            agreement(
                &entry(Some("N/A"), "N/A."),
                &RowAnswer {
                    short: Some(ShortAnswer::NotApplicable),
                    body: "NA".into()
                }
            )
            .is_ok()
        );
        let no = RowAnswer {
            short: Some(ShortAnswer::No),
            body: "No.".into(),
        };
        assert_eq!(
            agreement(&library, &no),
            Err("No here, Yes in the library".to_string())
        );
        assert!(
            agreement(&library, &yes("Yes, covering 6 months."))
                .unwrap_err()
                .contains("other figures here: 6")
        );
        let text = |body: &str| RowAnswer {
            short: None,
            body: body.to_string(),
        };
        let rto = entry(None, "RTO 8 hours and RPO 1 hour, tested twice a year.");
        assert!(agreement(&rto, &text("RTO 8 hours, RPO 1 hour; tested twice a year")).is_ok());
        assert!(agreement(&rto, &text("RTO 4 hours and RPO 1 hour.")).is_err());
        assert!(agreement(&rto, &text("Backups are copied to another region.")).is_err());
    }

    #[test]
    fn control_matrices_are_not_answers() {
        let rows = |pairs: &[(&str, Option<ShortAnswer>, &str)]| -> Vec<(String, RowAnswer)> {
            pairs
                .iter()
                .map(|(q, short, a)| {
                    (
                        q.to_string(),
                        RowAnswer {
                            short: *short,
                            body: a.to_string(),
                        },
                    )
                })
                .collect()
        };
        let check =
            |rows: &[(String, RowAnswer)]| not_answers(rows.iter().map(|(q, a)| (q.as_str(), a)));
        // Titles repeated over each control's questions, and titles once per control.
        let repeated = rows(&[
            (
                "Are audit policies established?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are audit policies reviewed?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are assessments performed?",
                None,
                "Independent Assessments",
            ),
            (
                "Are risk plans used?",
                None,
                "Risk Based Planning Assessment",
            ),
            (
                "Are risk plans reviewed?",
                None,
                "Risk Based Planning Assessment",
            ),
        ]);
        let why = check(&repeated).unwrap();
        assert!(why.contains("5 of 5") && why.contains("on 2 rows"), "{why}");
        let once = rows(&[
            (
                "Are audit policies established?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are assessments performed?",
                None,
                "Independent Assessments",
            ),
            (
                "Are risk plans used?",
                None,
                "Risk Based Planning Assessment",
            ),
            (
                "Is there an SDLC?",
                None,
                "Secure Application Design and Development",
            ),
        ]);
        assert!(check(&once).unwrap().contains("4 of 4"));
        let ids = rows(&[
            ("Are audit policies established?", None, "A&A-01"),
            ("Are assessments performed?", None, "A&A-02"),
            ("Are risk plans used?", None, "A&A-03"),
        ]);
        assert!(check(&ids).is_some());
        // Control text in the question column, whatever the other column holds.
        let specifications = rows(&[
            (
                "Establish, document and maintain audit policies and procedures.",
                None,
                "Policy reviewed yearly by the board",
            ),
            (
                "Conduct independent assessments at least annually.",
                None,
                "done by an external firm every year",
            ),
            (
                "Define and implement a process for application design.",
                None,
                "a documented SDLC in our wiki",
            ),
        ]);
        assert!(check(&specifications).unwrap().contains("statements"));
        // Real answers: Yes/No, sentences, or short texts among them.
        let real = rows(&[
            (
                "Is data managed centrally?",
                Some(ShortAnswer::Yes),
                "Managed at institution level",
            ),
            (
                "Is it managed by you?",
                Some(ShortAnswer::Yes),
                "Managed at institution level",
            ),
            ("What kind of service is it?", None, "SaaS"),
            (
                "How long do you keep logs?",
                None,
                "We keep logs for a year.",
            ),
            ("Which support tier is included?", None, "Tier I"),
        ]);
        assert_eq!(check(&real), None);
        let names = rows(&[
            ("Which cloud provider hosts the service?", None, "AWS"),
            ("Which identity provider do you use?", None, "Okta"),
            (
                "Which region is the data stored in?",
                None,
                "eu-west-1 (Ireland)",
            ),
        ]);
        assert_eq!(check(&names), None);
    }
}
