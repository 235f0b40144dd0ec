//! Closing the loop: reviewed answers go back into the customer's file and into the library.
//!
//! In: the rows of a review workbook with their decisions (`finish`). Out: the cell writes for the answered
//! workbook, and library changes: an accepted customer wording becomes an alternate of its entry (so it matches
//! at high confidence next time); an edited answer becomes a new entry, `proposed` until a person approves it.
//! Every change is checked against what the library already holds, so running `finish` twice changes nothing the
//! second time. Past questionnaires are imported by `importing`, which shares [`Known`].

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::analysis::Analyzer;
use crate::analysis::ids::slug;
use crate::drafting::{self, CellWrite};
use crate::library::index::IndexedEntry;
use crate::library::{self, Entry, Library, Status, write};
use crate::questionnaire::QuestionRow;
use crate::text::one_line;
use crate::workbook::patch::CellEdit;
use crate::workbook::review::{Decision, ReviewRow};

/// Splits a reviewer's final answer into a short answer and a body: "No. We don't." → ("No", "No. We don't."),
/// "Yes" → ("Yes", ""), "Not applicable" or "Y" → ("N/A" or "Yes", ""), "We do, weekly." → (None, "We do,
/// weekly."). Short answers are kept in the library's spelling; the spellings are `short_answer`'s.
pub fn split_final_answer(text: &str) -> (Option<String>, String) {
    let (short, body) = crate::short_answer::split_answer(text);
    (short.map(|s| s.as_str().to_string()), body)
}

/// A review row as the question row `draft` saw.
fn question_row(row: &ReviewRow) -> QuestionRow {
    QuestionRow {
        sheet: row.sheet.clone(),
        row: row.row,
        id: row.question_id.clone(),
        question: row.question.clone(),
        section: row.section.clone(),
        answer_cells: row.cells.clone(),
        single_answer_column: row.single_answer_column,
    }
}

/// What a reviewed row asks `finish` for, read once for both the file and the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action<'a> {
    /// Reject or Needs SME: nothing written, nothing learned.
    Nothing,
    /// Accept: the drafted answer.
    Accept,
    /// Edit, or a Final answer typed without a decision: that answer.
    Final(&'a str),
    /// Edit without a Final answer: nothing to write.
    EmptyEdit,
    /// No decision: what `draft` wrote stays.
    Undecided,
}

fn action(row: &ReviewRow) -> Action<'_> {
    match (row.decision, row.final_answer.as_deref()) {
        (Some(Decision::Reject | Decision::NeedsSme), _) => Action::Nothing,
        (Some(Decision::Edit) | None, Some(final_answer)) => Action::Final(final_answer),
        (Some(Decision::Accept), _) => Action::Accept,
        (Some(Decision::Edit), None) => Action::EmptyEdit,
        (None, None) => Action::Undecided,
    }
}

/// What `finish` writes into the customer's file.
#[derive(Debug, Default)]
pub struct FinishPlan {
    pub edits: BTreeMap<String, Vec<CellEdit>>,
    /// Questions written.
    pub written: usize,
    /// Rows without a decision (they keep what `draft` wrote).
    pub undecided: usize,
    /// Decided rows that get nothing written, each with why ("#3 (AM-02): ..."), for warnings.
    pub not_written: Vec<String>,
}

/// The writes of every reviewed row: Accept writes the draft, Edit (or a Final answer without a decision) the
/// final answer, Reject and Needs SME nothing, and an undecided row what `draft` wrote. As in `draft`, an answer
/// is never written next to a different one the file already holds (unless `draft` ran with `--overwrite`).
pub fn plan_finish(rows: &[ReviewRow], overwrite: bool) -> FinishPlan {
    let mut plan = FinishPlan::default();
    let mut writes: Vec<(String, CellWrite)> = Vec::new();
    for row in rows {
        let question = question_row(row);
        let drafted = || {
            drafting::propose(
                &question,
                row.short.as_deref(),
                row.body.as_deref().unwrap_or(""),
                overwrite,
            )
        };
        let mut not_written = |why: &str| {
            plan.not_written.push(format!(
                "#{} ({}): {why}",
                row.number,
                row.question_id.as_deref().unwrap_or(&row.question)
            ));
        };
        let proposal = match action(row) {
            Action::Nothing => continue,
            Action::Final(final_answer) => {
                let (short, body) = split_final_answer(final_answer);
                drafting::propose(&question, short.as_deref(), &body, overwrite)
            }
            Action::Accept if row.matched_id.is_some() => drafted(),
            Action::Accept => {
                not_written(
                    "Accept, but draft found no answer to accept (use Edit with a Final answer)",
                );
                continue;
            }
            Action::EmptyEdit => {
                not_written("Edit without a Final answer");
                continue;
            }
            Action::Undecided => {
                plan.undecided += 1;
                if !row.written {
                    continue;
                }
                drafted()
            }
        };
        if let Some(why) = proposal.not_allowed {
            not_written(&why);
            continue;
        }
        if proposal.conflicts {
            not_written(
                "the file already answers it differently (draft with --overwrite to replace answers)",
            );
            continue;
        }
        if !proposal.writes.is_empty() {
            plan.written += 1;
        }
        writes.extend(proposal.writes.into_iter().map(|w| (row.sheet.clone(), w)));
    }
    plan.edits = drafting::edits_by_sheet(writes);
    plan
}

/// What learning changed in the library.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Learned {
    pub alternates_added: usize,
    pub entries_added: Vec<String>,
    /// Library files written (relative paths).
    pub files_changed: Vec<String>,
    pub conflicts: Vec<String>,
    pub skipped: usize,
    pub warnings: Vec<String>,
}

/// The library as learning and importing need it: its entries analyzed (for their normalized wordings) and the
/// ids in use.
pub(crate) struct Known {
    analyzer: Analyzer,
    pub(crate) entries: Vec<IndexedEntry>,
    ids: HashSet<String>,
}

impl Known {
    pub(crate) fn new(library: &Library) -> Known {
        let analyzer = library.settings.analyzer();
        let entries: Vec<IndexedEntry> = library
            .entries
            .iter()
            .map(|e| IndexedEntry::new(e.clone(), &analyzer))
            .collect();
        // Files that do not parse keep their ids too: a new entry must not take one and shadow the file once it
        // is mended.
        let unparsed = library
            .problems
            .iter()
            .filter(|f| f.file.ends_with(".md"))
            .filter_map(|f| Path::new(&f.file).file_stem())
            .map(|stem| stem.to_string_lossy().into_owned());
        let ids = entries
            .iter()
            .map(|e| e.entry.id.clone())
            .chain(unparsed)
            .collect();
        Known {
            analyzer,
            entries,
            ids,
        }
    }

    pub(crate) fn key(&self, text: &str) -> String {
        self.analyzer.analyze(text).key()
    }

    pub(crate) fn find(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.entry.id == id)
    }

    /// Records `question` as a new alternate of entry `index` (and writes it to its file unless `dry_run`);
    /// returns the file's relative path.
    pub(crate) fn add_alternate(
        &mut self,
        root: &Path,
        index: usize,
        question: &str,
        dry_run: bool,
    ) -> Result<String> {
        let path = self.entries[index].entry.path.clone();
        if !dry_run {
            write::add_alternate(root, &path, &one_line(question))?;
        }
        let mut entry = self.entries[index].entry.clone();
        entry.alternates.push(question.to_string());
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
        Ok(path)
    }

    /// A free id for a new entry, made from the question's words (see #17: readable ids).
    pub(crate) fn new_id(&mut self, question: &str) -> String {
        write::unique_id(&write::id_for(question), &mut self.ids)
    }

    pub(crate) fn add(&mut self, entry: Entry) {
        self.ids.insert(entry.id.clone());
        self.entries.push(IndexedEntry::new(entry, &self.analyzer));
    }

    /// An entry (not retired) that already asks this question with this answer.
    fn has_answer(&self, key: &str, short: Option<&str>, body: &str) -> bool {
        self.entries
            .iter()
            .filter(|e| e.entry.status != Status::Retired)
            .any(|e| e.wording_keys.iter().any(|k| k == key) && e.entry.gives_answer(short, body))
    }
}

/// How an entry's `source` records the question ID it was imported or learned from (read back by
/// [`source_question_id`]).
pub(crate) fn question_ref(question_id: Option<&str>) -> String {
    question_id.map_or(String::new(), |q| format!(" (question {q})"))
}

/// The question ID an entry was imported or learned from, as its `source` records it ("(question A&A-01.1)").
pub(crate) fn source_question_id(entry: &Entry) -> Option<String> {
    let source = entry.source.as_deref()?;
    let start = source.find("(question ")? + "(question ".len();
    let end = source[start..].find(')')? + start;
    Some(source[start..end].to_string())
}

pub(crate) fn tag_for(section: Option<&str>, sheet: &str) -> Vec<String> {
    let tag = slug(section.unwrap_or(sheet));
    if tag.is_empty() {
        Vec::new()
    } else {
        vec![
            tag.chars()
                .take(40)
                .collect::<String>()
                .trim_end_matches('-')
                .to_string(),
        ]
    }
}

fn question_cell(row: &ReviewRow) -> String {
    row.cells
        .first()
        .map_or_else(|| format!("row {}", row.row + 1), |c| c.cell.to_string())
}

/// Learns from reviewed rows. The caller holds the library lock.
pub fn learn_from_review(
    root: &Path,
    rows: &[ReviewRow],
    source_name: &str,
    approve: bool,
) -> Result<Learned> {
    let library = library::load(root)?;
    let mut known = Known::new(&library);
    let mut learned = Learned::default();
    for problem in &library.problems {
        learned.warnings.push(format!("skipped {problem}"));
    }
    for row in rows {
        let key = known.key(&row.question);
        match action(row) {
            Action::Accept => {
                let Some(id) = &row.matched_id else { continue };
                let Some(index) = known.find(id) else {
                    learned.warnings.push(format!(
                        "entry `{id}` (row #{}) is no longer in the library",
                        row.number
                    ));
                    continue;
                };
                if key.is_empty() || known.entries[index].wording_keys.contains(&key) {
                    continue;
                }
                let path = known.add_alternate(root, index, &row.question, false)?;
                learned.alternates_added += 1;
                learned.files_changed.push(path);
            }
            Action::Final(final_answer) => {
                let (short, body) = split_final_answer(final_answer);
                let body = if body.is_empty() {
                    final_answer.trim().to_string()
                } else {
                    body
                };
                if known.has_answer(&key, short.as_deref(), &body) {
                    learned.skipped += 1;
                    continue;
                }
                let parent = row
                    .matched_id
                    .as_deref()
                    .and_then(|id| known.find(id))
                    .map(|i| known.entries[i].entry.clone());
                let id = known.new_id(&row.question);
                let entry = write::new_entry(
                    &id,
                    "learned",
                    &row.question,
                    short,
                    &body,
                    parent.as_ref().map_or_else(
                        || tag_for(row.section.as_deref(), &row.sheet),
                        |p| p.tags.clone(),
                    ),
                    parent.as_ref().and_then(|p| p.owner.clone()),
                    if approve {
                        Status::Approved
                    } else {
                        Status::Proposed
                    },
                    format!(
                        "learned from {source_name}, sheet '{}', cell {}{}",
                        row.sheet,
                        question_cell(row),
                        question_ref(row.question_id.as_deref())
                    ),
                    parent.map(|p| p.id),
                );
                write::write_new_entry(root, &entry)?;
                learned.files_changed.push(entry.path.clone());
                learned.entries_added.push(entry.id.clone());
                known.add(entry);
            }
            Action::Nothing | Action::EmptyEdit | Action::Undecided => {}
        }
    }
    Ok(learned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_answers_split_into_short_and_body() {
        assert_eq!(
            split_final_answer("No. We don't."),
            (Some("No".into()), "No. We don't.".into())
        );
        assert_eq!(
            split_final_answer(" Not applicable "),
            (Some("N/A".into()), String::new())
        );
        assert_eq!(
            split_final_answer("Nope, weekly."),
            (None, "Nope, weekly.".into())
        );
    }
}
