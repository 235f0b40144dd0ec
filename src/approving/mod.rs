//! Approving in bulk through a workbook (see #25): imported answers → a review of the proposed entries → a
//! person's decisions → the library.
//!
//! In: the library and a selection (as `approve` takes it) for [`review_rows`]; the rows read back from the
//! workbook ([`crate::workbook::entry_review`]) for [`apply_review`]. Out: the rows to write, and the library
//! changed entry by entry (Approve → approved as `approve` does; an edited short answer or answer → written into
//! the entry, then approved; Reject → retired; Fill template → the answer written into the starter template the row
//! offered, which is approved, and the entry retired), with a report of what was done to each. `templates` finds
//! the template a proposed entry may fill.
//!
//! The decision that is not obvious: the workbook is untrusted, so a row is applied only to the entry it showed.
//! An id the library does not have, or one recorded with another file, means the hidden sheet was changed: the
//! whole review is refused before anything is written. An entry that is no longer proposed, or no longer holds
//! the short answer and answer the row showed (edited since), is left alone and reported for that row only, as
//! `approve` reports what it refuses.

mod templates;

pub use templates::template_offers;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::date::Date;
use crate::library::approve::{Chooser, Selection, nothing_selected};
use crate::library::check::{FindingKind, check_library};
use crate::library::entry::CONFLICT_NOTE;
use crate::library::index::LibraryIndex;
use crate::library::{Entry, Library, Status, write};
use crate::text::{one_line, plain_text, snippet};
use crate::workbook::entry_review::{EntryDecision, EntryRow, ReadRow};
use crate::workbook::review::shown_answer;

/// Characters of a conflicting entry's answer shown beside the one under review.
const CONFLICT_SNIPPET: usize = 200;

/// The review's rows: every proposed entry the selection chooses (an empty selection chooses every one), with its
/// conflicts, `check` findings and the unfilled template it may fill (found in `index`, the library's index); and
/// how many unfilled templates were left out (they are filled in their files, or from a row that offers them: a
/// placeholder cannot be approved). An error when the selection chooses no proposed entry.
pub fn review_rows(
    library: &Library,
    index: &LibraryIndex,
    selection: &Selection,
    today: Date,
) -> Result<(Vec<EntryRow>, usize)> {
    let chooser = Chooser::new(&library.root, selection)?;
    let findings = check_library(library, today);
    let mut rows = Vec::new();
    let mut templates = 0;
    // The entries the rows show, in row order: what the template offers are found for.
    let mut reviewed: Vec<&Entry> = Vec::new();
    let chosen: Vec<&Entry> = library
        .entries
        .iter()
        .filter(|e| chooser.chooses(&e.path, Some(e)))
        .collect();
    if chosen.is_empty() {
        bail!("{}", nothing_selected(&library.entries, selection));
    }
    for entry in chosen {
        if entry.status != Status::Proposed {
            continue;
        }
        if entry.is_unfilled_template() {
            templates += 1;
            continue;
        }
        // "proposed" is what every row is; the other findings are what a reviewer must weigh.
        let found: Vec<String> = findings
            .iter()
            .filter(|f| f.file == entry.path && f.kind != FindingKind::Proposed)
            .map(|f| format!("{}: {}", f.kind.as_str(), f.message))
            .collect();
        rows.push(EntryRow {
            number: rows.len() + 1,
            id: entry.id.clone(),
            path: entry.path.clone(),
            question: entry.question.clone(),
            short: entry.short_answer.clone().unwrap_or_default(),
            body: shown_answer(entry),
            source: entry.source.clone().unwrap_or_default(),
            conflicts: conflicts(library, entry),
            findings: found.join("\n"),
            template: None,
        });
        reviewed.push(entry);
    }
    for (row, offer) in rows
        .iter_mut()
        .zip(templates::template_offers(index, &reviewed)?)
    {
        row.template = offer;
    }
    if rows.is_empty() {
        bail!(
            "the selection has no proposed entry to review{}",
            if templates > 0 {
                format!(
                    " ({templates} unfilled templates: fill them in their files, then approve them)"
                )
            } else {
                String::new()
            }
        );
    }
    Ok((rows, templates))
}

/// The entry this one revises or contradicts (`derived_from`), with its answer, so the reviewer can choose.
fn conflicts(library: &Library, entry: &Entry) -> String {
    let Some(parent_id) = &entry.derived_from else {
        return String::new();
    };
    let Some(parent) = library.entry(parent_id) else {
        return format!("derived from `{parent_id}`, which is not in the library");
    };
    let how = if entry
        .source
        .as_deref()
        .is_some_and(|s| s.contains(CONFLICT_NOTE))
    {
        "answers differently from"
    } else {
        "revises"
    };
    let answer = snippet(&plain_text(&parent.body), CONFLICT_SNIPPET);
    format!(
        "{how} `{parent_id}` ({}), which says: {}{answer}\nApproving this keeps both; Reject this one, or retire \
         the other in its file.",
        parent.status,
        parent
            .short_answer
            .as_deref()
            .map_or(String::new(), |s| format!("[{s}] "))
    )
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Done {
    Approved,
    /// The typed short answer and answer written, then approved.
    Edited,
    Retired,
    /// The answer written into the starter template the row offered, which is approved; the entry retired.
    FilledTemplate,
    /// Left alone; the reason says why.
    NotApplied,
}

/// One row that had a decision or an edit.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub number: usize,
    pub id: String,
    pub path: String,
    pub done: Done,
    /// The template filled (relative to the library), for [`Done::FilledTemplate`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub applied: Vec<Applied>,
    /// Rows without a decision or an edit: their entries stay proposed.
    pub undecided: usize,
}

impl ApplyReport {
    pub fn count(&self, done: Done) -> usize {
        self.applied.iter().filter(|a| a.done == done).count()
    }
}

/// What a row asks for, once its decision and its cells are read together.
enum Wanted {
    Nothing,
    Approve,
    Edit {
        short: Option<String>,
        body: String,
    },
    Reject,
    /// The short answer and answer as the row holds them (typed or as shown) go into the offered template.
    Fill {
        short: Option<String>,
        body: String,
    },
}

/// Reads a row's decision with what was typed; an error (naming the row) for a row a person cannot have meant.
fn wanted(row: &ReadRow, review: &Path) -> Result<Wanted> {
    let edited = row.edited();
    let cells = || {
        let (short, body) = row.typed.clone().unwrap_or_default();
        (
            Some(short.trim().to_string()).filter(|s| !s.is_empty()),
            body.trim().to_string(),
        )
    };
    let typed = || {
        let (short, body) = cells();
        Wanted::Edit { short, body }
    };
    Ok(match (row.decision, edited) {
        (Some(EntryDecision::FillTemplate), _) => {
            let (short, body) = cells();
            Wanted::Fill { short, body }
        }
        (None, false) => Wanted::Nothing,
        (Some(EntryDecision::Approve), false) => Wanted::Approve,
        // Typing into the cells is how a reviewer edits: Approve over a changed cell approves what they typed.
        (None | Some(EntryDecision::Approve | EntryDecision::Edit), true) => typed(),
        (Some(EntryDecision::Edit), false) => bail!(
            "{}: #{} (`{}`) says Edit, but its short answer and answer are as the review showed them; type the new \
             answer into the row's Short answer or Answer cell, or choose Approve",
            review.display(),
            row.number,
            row.id
        ),
        (Some(EntryDecision::Reject), true) => bail!(
            "{}: #{} (`{}`) says Reject, but its short answer or answer was changed; choose Edit to keep what was \
             typed, or put the cells back to Reject",
            review.display(),
            row.number,
            row.id
        ),
        (Some(EntryDecision::Reject), false) => Wanted::Reject,
    })
}

/// Applies a review's decisions to the library at `root` (the caller holds the library lock unless `dry_run`).
/// The whole review is refused, nothing written, when it names an entry the library does not have or records it
/// with another file, or when a row cannot have been meant (see [`wanted`]); a row whose entry is no longer what
/// it showed is reported and left alone.
pub fn apply_review(
    root: &Path,
    rows: &[ReadRow],
    review: &Path,
    today: Date,
    dry_run: bool,
) -> Result<ApplyReport> {
    let library = crate::library::load(root)?;
    let mut plan = Vec::new();
    for row in rows {
        let Some(entry) = library.entry(&row.id) else {
            bail!(
                "{}: #{} names the entry `{}`, which the library {} does not have; the review's hidden sheet was \
                 changed, or it belongs to another library (give it with --library)",
                review.display(),
                row.number,
                row.id,
                root.display()
            );
        };
        if entry.path != row.path {
            bail!(
                "{}: #{} records `{}` as {}, but the library has it at {}; the review's hidden sheet was changed",
                review.display(),
                row.number,
                row.id,
                row.path,
                entry.path
            );
        }
        plan.push((row, entry, wanted(row, review)?));
    }
    // A template takes one answer: two rows filling the same one means the hidden sheet was changed (each template
    // is offered beside one entry).
    let mut filling: HashMap<&str, usize> = HashMap::new();
    for (row, _, wanted) in &plan {
        if let (Wanted::Fill { .. }, Some((template, _))) = (wanted, &row.template)
            && let Some(first) = filling.insert(template.as_str(), row.number)
        {
            bail!(
                "{}: #{first} and #{} both fill the template `{template}`, which takes one answer; the review's \
                 hidden sheet was changed",
                review.display(),
                row.number
            );
        }
    }
    let mut report = ApplyReport::default();
    for (row, entry, wanted) in plan {
        if matches!(wanted, Wanted::Nothing) {
            report.undecided += 1;
            continue;
        }
        let mut applied = Applied {
            number: row.number,
            id: entry.id.clone(),
            path: entry.path.clone(),
            done: Done::NotApplied,
            template: None,
            reason: None,
        };
        if let Some(why) = not_as_shown(row, entry) {
            applied.reason = Some(why);
            report.applied.push(applied);
            continue;
        }
        let pending: Vec<String> = entry.pending_wordings().map(str::to_string).collect();
        match wanted {
            Wanted::Nothing => unreachable!("skipped above"),
            Wanted::Approve => {
                if let Some(placeholder) = entry.placeholder() {
                    applied.reason = Some(format!(
                        "its answer still has the placeholder {placeholder}; type the company's facts in its place"
                    ));
                } else {
                    if !dry_run {
                        write::approve_entry(root, &entry.path, today, &pending)?;
                    }
                    applied.done = Done::Approved;
                }
            }
            Wanted::Edit { short, body } => {
                // A cell left as shown keeps the entry's own text: the review shows an answer as plain text (and
                // cut to a cell's size), so a short answer corrected alone must not rewrite the body's Markdown.
                let body = if one_line(&body) == one_line(&row.shown_body) {
                    entry.body.clone()
                } else {
                    body
                };
                if body.trim().is_empty() {
                    applied.reason = Some(
                        "its answer was emptied; an entry needs an answer (choose Reject to retire it)".to_string(),
                    );
                } else if let Some(placeholder) = crate::text::placeholder(&body) {
                    applied.reason = Some(format!(
                        "the typed answer still has the placeholder {placeholder}; type the company's facts in its \
                         place"
                    ));
                } else {
                    if !dry_run {
                        write::edit_entry(
                            root,
                            &entry.path,
                            short.as_deref(),
                            &body,
                            today,
                            &pending,
                        )?;
                    }
                    applied.done = Done::Edited;
                }
            }
            Wanted::Reject => {
                if !dry_run {
                    write::retire_entry(root, &entry.path)?;
                }
                applied.done = Done::Retired;
            }
            Wanted::Fill { short, body } => {
                let body = if one_line(&body) == one_line(&row.shown_body) {
                    entry.body.clone()
                } else {
                    body
                };
                match fill_refused(&library, row, &body) {
                    Err(why) => applied.reason = Some(why),
                    Ok(template) => {
                        if !dry_run {
                            fill_from(root, template, entry, short.as_deref(), &body, today)?;
                        }
                        applied.template = Some(template.path.clone());
                        applied.done = Done::FilledTemplate;
                    }
                }
            }
        }
        report.applied.push(applied);
    }
    Ok(report)
}

/// The template a Fill template row may fill, or why not: the template is gone, moved or filled since the review
/// was written, or the answer is empty or still holds a placeholder.
fn fill_refused<'a>(
    library: &'a Library,
    row: &ReadRow,
    body: &str,
) -> std::result::Result<&'a Entry, String> {
    let Some((id, path)) = &row.template else {
        unreachable!("the reader refuses Fill template on a row without a template")
    };
    let Some(template) = library.entry(id) else {
        return Err(format!(
            "the template `{id}` it offered is no longer in the library; approve or edit the entry instead"
        ));
    };
    if &template.path != path {
        return Err(format!(
            "the review offered the template `{id}` as {path}, but the library has it at {}; write a new review",
            template.path
        ));
    }
    if !template.is_unfilled_template() || template.status == Status::Retired {
        return Err(format!(
            "the template {} was filled or retired since the review was written; approve or edit the entry instead",
            template.path
        ));
    }
    if body.trim().is_empty() {
        return Err(
            "its answer was emptied; a filled template needs an answer (choose Reject to retire it)".to_string(),
        );
    }
    if let Some(placeholder) = crate::text::placeholder(body) {
        return Err(format!(
            "the answer still has the placeholder {placeholder}; type the company's facts in its place"
        ));
    }
    Ok(template)
}

/// Writes `entry`'s answer into `template` (approved, its question and alternates and guidance kept, the entry's
/// wordings the template lacks added as alternates), then retires `entry`: its answer is the template's now.
fn fill_from(
    root: &Path,
    template: &Entry,
    entry: &Entry,
    short: Option<&str>,
    body: &str,
    today: Date,
) -> Result<()> {
    let mut known: Vec<String> = std::iter::once(&template.question)
        .chain(&template.alternates)
        .map(|w| one_line(w).to_lowercase())
        .collect();
    let mut alternates: Vec<&str> = Vec::new();
    for wording in std::iter::once(entry.question.as_str())
        .chain(entry.alternates.iter().map(String::as_str))
        .chain(entry.pending_wordings())
    {
        let key = one_line(wording).to_lowercase();
        if !known.contains(&key) {
            known.push(key);
            alternates.push(wording);
        }
    }
    let source = match entry.source.as_deref() {
        Some(source) => format!("{source}; filled from the entry `{}` in a review", entry.id),
        None => format!("filled from the entry `{}` in a review", entry.id),
    };
    write::fill_template(
        root,
        &template.path,
        &write::TemplateFill {
            short_answer: short,
            body,
            status: Status::Approved,
            reviewed: today,
            source: &source,
            alternates: &alternates,
        },
    )?;
    write::retire_entry(root, &entry.path)
}

/// Why a decision may not land on `entry`: it is not proposed any more, or it no longer holds what the row showed
/// (changed in its file since the review was written, or the hidden sheet's record was edited; see #29 for the
/// questionnaire review's same rule).
fn not_as_shown(row: &ReadRow, entry: &Entry) -> Option<String> {
    if entry.status != Status::Proposed {
        return Some(format!(
            "it is {} now, no longer proposed (decided since the review was written); left as it is",
            entry.status
        ));
    }
    let short = entry.short_answer.as_deref().unwrap_or("");
    if one_line(short) != one_line(&row.shown_short)
        || one_line(&shown_answer(entry)) != one_line(&row.shown_body)
    {
        return Some(
            "its file no longer holds the short answer and answer the review showed (it was changed since the \
             review was written, or the review's hidden sheet was edited); write a new review"
                .to_string(),
        );
    }
    None
}
