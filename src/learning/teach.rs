//! Teaching the library what a review decided (`finish`): reviewed rows and their plan in, library files changed
//! and a [`Learned`] report out. Every change is checked against what the library holds, so a second `finish`
//! of the same review changes nothing.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::intent::Intent;
use super::known::{Known, question_ref, tag_for};
use super::plan::FinishPlan;
use crate::date::Date;
use crate::library::{self, Status, Verdict, new_entry, write};
use crate::matching::Confidence;
use crate::short_answer::same_short_answer;
use crate::text::one_line;
use crate::workbook::review::{ReviewRow, State};

/// One thing a review taught an entry, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Taught {
    /// The `#` of the review row it came from.
    pub number: usize,
    pub entry: String,
    pub wording: String,
    /// "alternate", "accepted" (a pending wording), "rejected", "needs-sme", "new proposed entry" or "new
    /// approved entry".
    pub recorded: String,
    /// The document a new entry's answer came from (Use doc #n; see #24): its citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
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
    /// Everything a review taught, row by row (`finish`).
    pub taught: Vec<Taught>,
}

fn question_cell(row: &ReviewRow) -> String {
    row.cells
        .first()
        .map_or_else(|| format!("row {}", row.row + 1), |c| c.cell.to_string())
}

/// Learns from reviewed rows (see the module doc for what each decision teaches). The caller holds the library
/// lock; `plan` is `plan_finish` of the same rows.
pub fn learn_from_review(
    root: &Path,
    rows: &[ReviewRow],
    plan: &FinishPlan,
    source_name: &str,
    approve: bool,
) -> Result<Learned> {
    let library = library::load(root)?;
    let mut known = Known::new(&library);
    let mut learned = Learned::default();
    for problem in &library.problems {
        learned.warnings.push(format!("skipped {problem}"));
    }
    let today = Date::today();
    for ((row, intent), question) in rows.iter().zip(&plan.intents).zip(&plan.questions) {
        // A decision that could not be applied (an Accept of a template never filled in, an answer the cell does
        // not take) teaches nothing: the library records what happened, not what was asked for (see #26).
        if question.state == State::NotWritten {
            continue;
        }
        let key = known.key(&row.question);
        let wording = one_line(&row.question);
        let source = format!(
            "{source_name}, sheet '{}', cell {}",
            row.sheet,
            question_cell(row)
        );
        let mut teacher = Teacher {
            root,
            known: &mut known,
            learned: &mut learned,
            row,
            key: &key,
            wording: &wording,
            source: &source,
            today,
        };
        match intent {
            Intent::Accept => {
                let high = row.confidence == Confidence::High;
                teacher.accept(row.matched_id.as_deref(), high || approve)?;
            }
            Intent::Use(n) => {
                let (id, _, _) = row.candidate(*n).expect("read_intent checked it");
                teacher.accept(Some(id), approve)?;
                // The reviewer passed the drafted entry over for this question.
                if row.matched_id.as_deref() != Some(id) {
                    teacher.record(row.matched_id.as_deref(), Verdict::Rejected)?;
                }
            }
            Intent::Answer { short, body } => {
                let body = if body.is_empty() {
                    combined_answer_text(short.as_deref(), row.final_answer.as_deref())
                } else {
                    body.clone()
                };
                teacher.answer(short.clone(), &body, approve)?;
            }
            Intent::Document {
                number,
                short,
                body,
            } => {
                let citation = row
                    .documents
                    .iter()
                    .find(|d| d.number == *number)
                    .map(|d| d.citation.clone())
                    .unwrap_or_default();
                teacher.answer_from_document(short.clone(), body, &citation, approve)?;
                // The reviewer passed the drafted entry over for this question.
                teacher.record(row.matched_id.as_deref(), Verdict::Rejected)?;
            }
            Intent::Reject => teacher.record(row.matched_id.as_deref(), Verdict::Rejected)?,
            Intent::NeedsSme => teacher.record(row.matched_id.as_deref(), Verdict::NeedsSme)?,
            Intent::Undecided | Intent::Unclear(_) => {}
        }
    }
    Ok(learned)
}

/// The body of an answer that is a short answer alone ("Yes"): the Final answer as typed, else the short answer.
fn combined_answer_text(short: Option<&str>, final_answer: Option<&str>) -> String {
    final_answer
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or(short)
        .unwrap_or_default()
        .to_string()
}

/// Teaches the library what one reviewed row says.
struct Teacher<'a> {
    root: &'a Path,
    known: &'a mut Known,
    learned: &'a mut Learned,
    row: &'a ReviewRow,
    key: &'a str,
    wording: &'a str,
    source: &'a str,
    today: Date,
}

impl Teacher<'_> {
    /// The entry `id` answers this question: its customer wording becomes an alternate when `confirmed` (an
    /// accepted high draft, or `--approve`), else a pending wording.
    fn accept(&mut self, id: Option<&str>, confirmed: bool) -> Result<()> {
        let Some(index) = self.entry(id) else {
            return Ok(());
        };
        if self.key.is_empty()
            || self.known.entries[index]
                .wording_keys
                .iter()
                .any(|k| k == self.key)
        {
            return Ok(());
        }
        let path = if confirmed {
            let path = self
                .known
                .add_alternate(self.root, index, self.wording, false)?;
            self.learned.alternates_added += 1;
            self.taught(index, "alternate");
            path
        } else {
            if self.known.has_learned(index, self.key, Verdict::Accepted) {
                return Ok(());
            }
            let path =
                self.known
                    .add_learned(self.root, index, self.record_of(Verdict::Accepted))?;
            self.taught(index, Verdict::Accepted.as_str());
            path
        };
        self.changed(path);
        Ok(())
    }

    /// Records that the entry `id` is not the answer to this question (rejected, or sent to an expert).
    fn record(&mut self, id: Option<&str>, verdict: Verdict) -> Result<()> {
        let Some(index) = self.entry(id) else {
            return Ok(());
        };
        if self.key.is_empty() || self.known.has_learned(index, self.key, verdict) {
            return Ok(());
        }
        let path = self
            .known
            .add_learned(self.root, index, self.record_of(verdict))?;
        self.taught(index, verdict.as_str());
        self.changed(path);
        Ok(())
    }

    /// The reviewer's own answer: a new entry (proposed unless `approve`) derived from the drafted one. An answer
    /// the drafted entry gives already is an Accept of it; one whose Yes/No contradicts the drafted entry's also
    /// records that entry as rejected for this wording.
    fn answer(&mut self, short: Option<String>, body: &str, approve: bool) -> Result<()> {
        let row = self.row;
        let parent = row
            .matched_id
            .as_deref()
            .and_then(|id| self.entry(Some(id)));
        if let Some(index) = parent {
            let entry = &self.known.entries[index].entry;
            if entry.gives_answer(short.as_deref(), body) {
                let high = row.confidence == Confidence::High;
                return self.accept(row.matched_id.as_deref(), high || approve);
            }
            if let (Some(new), Some(old)) = (short.as_deref(), entry.short_answer.as_deref())
                && !same_short_answer(new, old)
            {
                self.record(row.matched_id.as_deref(), Verdict::Rejected)?;
            }
        }
        let parent = parent.map(|i| self.known.entries[i].entry.clone());
        let source = format!(
            "learned from {}{}",
            self.source,
            question_ref(row.question_id.as_deref())
        );
        self.new_entry(short, body, approve, parent, source, None)
    }

    /// An excerpt of a company document the reviewer used (Use doc #n, edited in place or not): a new entry, with
    /// its `source` naming the document and heading it came from.
    fn answer_from_document(
        &mut self,
        short: Option<String>,
        body: &str,
        citation: &str,
        approve: bool,
    ) -> Result<()> {
        let source = format!(
            "from the document {citation}; used for {}{}",
            self.source,
            question_ref(self.row.question_id.as_deref())
        );
        self.new_entry(
            short,
            body,
            approve,
            None,
            source,
            Some(citation.to_string()),
        )
    }

    /// Writes a new entry answering this row's question (proposed unless `approve`), unless the library holds
    /// the same answer for the same wording already.
    fn new_entry(
        &mut self,
        short: Option<String>,
        body: &str,
        approve: bool,
        parent: Option<library::Entry>,
        source: String,
        document: Option<String>,
    ) -> Result<()> {
        let row = self.row;
        if self.known.has_answer(self.key, short.as_deref(), body) {
            self.learned.skipped += 1;
            return Ok(());
        }
        let id = self
            .known
            .new_id(&row.question, row.section.as_deref().unwrap_or(&row.sheet));
        let status = if approve {
            Status::Approved
        } else {
            Status::Proposed
        };
        let entry = new_entry::new_entry(
            &id,
            "learned",
            &row.question,
            short,
            body,
            parent.as_ref().map_or_else(
                || tag_for(row.section.as_deref(), &row.sheet),
                |p| p.tags.clone(),
            ),
            parent.as_ref().and_then(|p| p.owner.clone()),
            status,
            source,
            parent.map(|p| p.id),
        );
        write::write_new_entry(self.root, &entry)?;
        self.learned.files_changed.push(entry.path.clone());
        self.learned.entries_added.push(entry.id.clone());
        self.learned.taught.push(Taught {
            number: row.number,
            entry: entry.id.clone(),
            wording: self.wording.to_string(),
            recorded: format!("new {status} entry"),
            document,
        });
        self.known.add(entry);
        Ok(())
    }

    /// The entry `id` in the library when it is the one the row showed, or a warning that it is gone or changed.
    fn entry(&mut self, id: Option<&str>) -> Option<usize> {
        let id = id?;
        let index = self.known.find(id);
        if index.is_none() {
            self.learned.warnings.push(format!(
                "entry `{id}` (row #{}) is no longer in the library",
                self.row.number
            ));
        }
        // Only on the entry the reviewer saw (see #29).
        if let Some(why) = index.and_then(|i| self.row.disagreement(&self.known.entries[i].entry)) {
            self.learned.warnings.push(format!(
                "row #{}: nothing recorded on `{id}`: {why}",
                self.row.number
            ));
            return None;
        }
        index
    }

    fn record_of(&self, decision: Verdict) -> library::Learned {
        library::Learned {
            wording: self.wording.to_string(),
            decision,
            date: Some(self.today),
            source: Some(self.source.to_string()),
        }
    }

    fn taught(&mut self, index: usize, recorded: &str) {
        self.learned.taught.push(Taught {
            number: self.row.number,
            entry: self.known.entries[index].entry.id.clone(),
            wording: self.wording.to_string(),
            recorded: recorded.to_string(),
            document: None,
        });
    }

    fn changed(&mut self, path: String) {
        if !self.learned.files_changed.contains(&path) {
            self.learned.files_changed.push(path);
        }
    }
}
