//! Closing the loop: reviewed answers go back into the customer's file and into the library.
//!
//! In: the rows of a review workbook with what the reviewer did (`finish`). Out: the cell writes for the answered
//! workbook with the state of every question (answered how, or still open and why, see #16), and library
//! changes. Every change is checked against what the library already holds, so running `finish` twice changes
//! nothing the second time.
//!
//! What a review teaches is safe and visible (see #14): the customer wording of an accepted **high** draft becomes
//! an alternate of its entry (exact re-use next time). An accepted medium or low draft, or a candidate picked with
//! "Use #N", is recorded on that entry as `learned = [{ decision = "accepted" }]`: a pending wording that helps
//! find the entry but never drafts it at high until a person approves it (`finish --approve` makes it an alternate
//! at once). Reject and Needs SME are recorded on the drafted entry, which then never drafts that wording at high
//! or medium again; so is the drafted entry the reviewer passed over for "Use #N", and a drafted entry whose
//! Yes/No an edit contradicted. An edited answer becomes a new entry, `proposed` and `derived_from` the drafted
//! one.
//!
//! Past questionnaires are imported by `importing`, which shares [`Known`].

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::analysis::Analyzer;
use crate::analysis::ids::slug;
use crate::date::Date;
use crate::drafting::{self, CellWrite, Proposal};
use crate::library::index::IndexedEntry;
use crate::library::{self, Entry, Library, Status, Verdict, write};
use crate::matching::Confidence;
use crate::questionnaire::{AnswerKind, QuestionRow};
use crate::short_answer::{ShortAnswer, same_short_answer};
use crate::text::one_line;
use crate::workbook::patch::CellEdit;
use crate::workbook::review::{Decision, QuestionState, ReviewRow, State};

/// Splits a reviewer's final answer into a short answer and a body: "No. We don't." → ("No", "No. We don't."),
/// "Yes" → ("Yes", ""), "Not applicable" or "Y" → ("N/A" or "Yes", ""), "We do, weekly." → (None, "We do,
/// weekly."). Short answers are kept in the library's spelling; the spellings are `short_answer`'s.
pub fn split_final_answer(text: &str) -> (Option<String>, String) {
    let (short, body) = crate::short_answer::split_answer(text);
    (short.map(|s| s.as_str().to_string()), body)
}

/// A review row as the question row `draft` saw (after `review::check_against_source`, as the reader sees it).
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

/// What the reviewer asked for on one row, once every cell they could have touched is read: the Decision, the
/// Final answer, and the drafted short answer and answer, which people correct in place (see #16).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Intent {
    /// Accept: the drafted answer (candidate #1).
    Accept,
    /// Use #n: candidate n's answer.
    Use(usize),
    /// The reviewer's own answer: a Final answer, or the drafted cells corrected in place.
    Answer {
        short: Option<String>,
        body: String,
    },
    Reject,
    NeedsSme,
    /// Nothing decided, nothing changed: what `draft` wrote stays.
    Undecided,
    /// What the reviewer did cannot be applied (why): nothing is written and nothing learned.
    Unclear(String),
}

/// The drafted short answer and answer as the reviewer left them, when either was changed in place.
struct InPlace {
    short: Option<String>,
    body: String,
    short_changed: bool,
}

fn in_place_edit(row: &ReviewRow) -> Option<InPlace> {
    let shown = row.shown.as_ref()?;
    let drafted_short = row.short.as_deref().unwrap_or("");
    let drafted_body = row.body.as_deref().unwrap_or("");
    // Whitespace aside: a spreadsheet may rewrap or trim a cell, which is no edit.
    let short_changed = one_line(&shown.short) != one_line(drafted_short);
    let body_changed = one_line(&shown.body) != one_line(drafted_body);
    if !short_changed && !body_changed {
        return None;
    }
    let short = if short_changed {
        let typed = shown.short.trim();
        Some(
            ShortAnswer::parse(typed).map_or_else(|| typed.to_string(), |s| s.as_str().to_string()),
        )
        .filter(|s| !s.is_empty())
    } else {
        row.short.clone()
    };
    let body = if body_changed {
        shown.body.trim()
    } else {
        drafted_body.trim()
    };
    Some(InPlace {
        short,
        body: body.to_string(),
        short_changed,
    })
}

/// Whether a person worked on this row: a Decision, a Final answer, or a drafted cell corrected in place.
fn is_reviewed(row: &ReviewRow) -> bool {
    row.decision.is_some() || row.final_answer.is_some() || in_place_edit(row).is_some()
}

/// How many rows of a review a person worked on (see [`is_reviewed`]): a review with any is a review in progress,
/// which `draft --force` must not replace (see #26).
pub fn reviewed_rows(rows: &[ReviewRow]) -> usize {
    rows.iter().filter(|row| is_reviewed(row)).count()
}

/// A short answer and a body that say opposite things ("No" beside "Yes. We do ...").
fn contradiction(short: Option<&str>, body: &str) -> Option<String> {
    let short = short?;
    let (Some(leading), _) = split_final_answer(body) else {
        return None;
    };
    (ShortAnswer::parse(short).is_some() && !same_short_answer(short, &leading)).then(|| {
        format!(
            "the short answer says \"{short}\" but the answer text begins \"{leading}\": make them agree, or write \
             the whole answer in Final answer"
        )
    })
}

fn decision_name(decision: Decision) -> String {
    match decision {
        Decision::Accept => "Accept".to_string(),
        Decision::Use(n) => format!("Use #{n}"),
        Decision::Edit => "Edit".to_string(),
        Decision::Reject => "Reject".to_string(),
        Decision::NeedsSme => "Needs SME".to_string(),
    }
}

/// Reads what the reviewer did on one row; the second value lists what they typed that is not applied.
fn read_intent(row: &ReviewRow) -> (Intent, Vec<String>) {
    let mut ignored = Vec::new();
    let in_place = in_place_edit(row);
    let decision = row.decision;
    if let Some(final_answer) = &row.final_answer {
        if let Some(d @ (Decision::Reject | Decision::NeedsSme)) = decision {
            ignored.push(format!(
                "the decision is {}, so the Final answer was not written (choose Edit to write it)",
                decision_name(d)
            ));
            return (
                if d == Decision::Reject {
                    Intent::Reject
                } else {
                    Intent::NeedsSme
                },
                ignored,
            );
        }
        if in_place.is_some() {
            ignored.push(
                "the drafted answer was also changed in place; the Final answer was written, not that change"
                    .to_string(),
            );
        }
        // With Accept or Use #N too, the Final answer is what the reviewer typed: it is the answer.
        let (short, body) = split_final_answer(final_answer);
        return (Intent::Answer { short, body }, ignored);
    }
    if let Some(edit) = in_place {
        match decision {
            None | Some(Decision::Accept | Decision::Edit) => {
                if edit.short.is_none() && edit.body.is_empty() {
                    return (
                        Intent::Unclear(
                            "the drafted answer was cleared in place, so there is nothing to write (choose Reject \
                             to leave the cells as they are, or write a Final answer)"
                                .to_string(),
                        ),
                        ignored,
                    );
                }
                if let Some(why) = contradiction(edit.short.as_deref(), &edit.body) {
                    return (Intent::Unclear(why), ignored);
                }
                let has_short_cell = row
                    .cells
                    .iter()
                    .any(|c| c.kind == AnswerKind::Short || c.kind.is_mark());
                if edit.short_changed && !has_short_cell && !row.single_answer_column {
                    ignored.push(
                        "the short answer changed in place has no column of its own in the questionnaire; it was \
                         written at the start of the answer text"
                            .to_string(),
                    );
                }
                return (
                    Intent::Answer {
                        short: edit.short,
                        body: edit.body,
                    },
                    ignored,
                );
            }
            Some(d) => ignored.push(format!(
                "the drafted answer was changed in place, but the decision is {}, so that change was not written",
                decision_name(d)
            )),
        }
    }
    let intent = match decision {
        None => Intent::Undecided,
        Some(Decision::Accept) if row.matched_id.is_none() => Intent::Unclear(
            "Accept, but draft found no answer to accept (use Edit with a Final answer)"
                .to_string(),
        ),
        Some(Decision::Accept) => Intent::Accept,
        Some(Decision::Use(n)) if row.candidate(n).is_none() => Intent::Unclear(format!(
            "Use #{n}, but the review shows no candidate #{n} for this question"
        )),
        Some(Decision::Use(n)) => Intent::Use(n),
        Some(Decision::Edit) => Intent::Unclear("Edit without a Final answer".to_string()),
        Some(Decision::Reject) => Intent::Reject,
        Some(Decision::NeedsSme) => Intent::NeedsSme,
    };
    (intent, ignored)
}

/// Something the reviewer typed or chose that `finish` did not apply, with why.
#[derive(Debug, Clone, Serialize)]
pub struct NotApplied {
    pub number: usize,
    /// "#3 (NW-1.3, sheet 'Vendor Questionnaire', cell C8)".
    pub place: String,
    pub reason: String,
}

/// What `finish` writes into the customer's file, and where every question stands.
#[derive(Debug, Default)]
pub struct FinishPlan {
    pub edits: BTreeMap<String, Vec<CellEdit>>,
    /// Questions written.
    pub written: usize,
    /// Rows without a decision, a Final answer or a change in place (they keep what `draft` wrote, if anything).
    pub undecided: usize,
    /// Rows the reviewer did something on (a decision, a Final answer, or an answer changed in place).
    pub reviewed: usize,
    /// Every question, in review order.
    pub questions: Vec<QuestionState>,
    /// What the reviewer did that is not applied: `finish` lists it and exits with 1.
    pub not_applied: Vec<NotApplied>,
    intents: Vec<Intent>,
}

impl FinishPlan {
    /// How many questions are in `state`.
    pub fn count(&self, state: State) -> usize {
        self.questions.iter().filter(|q| q.state == state).count()
    }

    pub fn open(&self) -> impl Iterator<Item = &QuestionState> {
        self.questions.iter().filter(|q| q.state.is_open())
    }
}

/// The writes of every reviewed row and the state of every question: Accept writes the draft, Use #N that
/// candidate's answer, Edit (a Final answer, or the draft corrected in place) the reviewer's answer, Reject and
/// Needs SME nothing, and an undecided row what `draft` wrote. As in `draft`, an answer is never written next to a
/// different one the file already holds (unless `draft` ran with `--overwrite`). The rows must have been checked
/// against the source (`review::check_against_source`), so their cells are the reader's.
pub fn plan_finish(rows: &[ReviewRow], overwrite: bool) -> FinishPlan {
    let mut plan = FinishPlan::default();
    let mut writes: Vec<(String, CellWrite)> = Vec::new();
    for row in rows {
        let question = question_row(row);
        let (intent, ignored) = read_intent(row);
        if is_reviewed(row) {
            plan.reviewed += 1;
        }
        if intent == Intent::Undecided {
            plan.undecided += 1;
        }
        for reason in ignored {
            plan.not_applied.push(NotApplied {
                number: row.number,
                place: row.place(),
                reason,
            });
        }
        let propose = |short: Option<&str>, body: &str| -> Proposal {
            drafting::propose(&question, short, body, overwrite)
        };
        let (state, proposal) = match &intent {
            Intent::Accept => (
                State::Accepted,
                propose(row.short.as_deref(), row.body.as_deref().unwrap_or("")),
            ),
            Intent::Use(n) => {
                let (_, short, body) = row.candidate(*n).expect("read_intent checked it");
                (State::Picked, propose(short, body))
            }
            Intent::Answer { short, body } => {
                // A short answer with no column of its own leads the answer text, so it is never lost.
                let has_short_cell = row
                    .cells
                    .iter()
                    .any(|c| c.kind == AnswerKind::Short || c.kind.is_mark());
                if has_short_cell || row.single_answer_column {
                    (State::Edited, propose(short.as_deref(), body))
                } else {
                    (
                        State::Edited,
                        propose(None, &drafting::combined_answer(short.as_deref(), body)),
                    )
                }
            }
            Intent::Reject => (State::Rejected, Proposal::default()),
            Intent::NeedsSme => (State::NeedsSme, Proposal::default()),
            Intent::Undecided if row.written => (
                State::Drafted,
                propose(row.short.as_deref(), row.body.as_deref().unwrap_or("")),
            ),
            Intent::Undecided if row.cells.iter().any(|c| c.is_filled()) => {
                (State::AlreadyAnswered, Proposal::default())
            }
            Intent::Undecided => (State::Unanswered, Proposal::default()),
            Intent::Unclear(_) => (State::NotWritten, Proposal::default()),
        };
        // Why a decided row gets nothing written.
        let problem = match (&intent, state) {
            (Intent::Unclear(why), _) => Some(why.clone()),
            (_, State::Accepted | State::Picked | State::Edited | State::Drafted) => {
                if let Some(why) = &proposal.not_allowed {
                    Some(why.clone())
                } else if let Some(mark) = proposal
                    .writes
                    .iter()
                    .find_map(|w| crate::text::placeholder(&w.text))
                {
                    // Placeholders never reach a customer (see #19), whatever the decision.
                    Some(format!(
                        "the answer still holds the template placeholder {mark}: type the real answer in Final \
                         answer"
                    ))
                } else if proposal.conflicts {
                    Some(
                        "the file already answers it differently (draft with --overwrite to replace answers)"
                            .to_string(),
                    )
                } else if proposal.writes.is_empty() && proposal.already_filled == 0 {
                    Some("the question has no answer cell this answer can go into".to_string())
                } else {
                    None
                }
            }
            _ => None,
        };
        let state = match problem {
            Some(_) if state == State::Drafted => State::Unanswered,
            Some(_) => State::NotWritten,
            None => state,
        };
        let reason = match state {
            State::NotWritten => {
                let why = problem.clone().unwrap_or_default();
                plan.not_applied.push(NotApplied {
                    number: row.number,
                    place: row.place(),
                    reason: format!("not written: {why}"),
                });
                Some(why)
            }
            State::Rejected => Some("rejected".to_string()),
            State::NeedsSme => Some("needs a subject-matter expert".to_string()),
            State::Unanswered => Some(match (&problem, &row.matched_id) {
                (Some(why), _) => format!("no decision; the draft cannot be written: {why}"),
                (None, Some(_)) => format!(
                    "no decision, and draft wrote nothing ({} confidence)",
                    row.confidence
                ),
                (None, None) => "no decision, and nothing in the library matched".to_string(),
            }),
            _ => None,
        };
        if !state.is_open() && !proposal.writes.is_empty() {
            plan.written += 1;
            writes.extend(proposal.writes.into_iter().map(|w| (row.sheet.clone(), w)));
        }
        plan.questions.push(QuestionState {
            number: row.number,
            sheet: row.sheet.clone(),
            cells: row.cells.iter().map(|c| c.cell.to_string()).collect(),
            question_id: row.question_id.clone(),
            question: row.question.clone(),
            state,
            reason,
            entry: row.matched_id.clone(),
            drafted: row.body.clone(),
        });
        plan.intents.push(intent);
    }
    plan.edits = drafting::edits_by_sheet(writes);
    plan
}

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

    /// Whether entry `index` already records `verdict` for a wording with this normalized key.
    fn has_learned(&self, index: usize, key: &str, verdict: Verdict) -> bool {
        self.entries[index]
            .entry
            .learned
            .iter()
            .any(|l| l.decision == verdict && self.key(&l.wording) == key)
    }

    /// Records what a review taught about entry `index` in its file; returns the file's relative path.
    fn add_learned(
        &mut self,
        root: &Path,
        index: usize,
        learned: library::Learned,
    ) -> Result<String> {
        let path = self.entries[index].entry.path.clone();
        write::add_learned(root, &path, &learned)?;
        let mut entry = self.entries[index].entry.clone();
        entry.learned.push(learned);
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
        Ok(path)
    }

    /// A free id for a new entry, made from the question's words (see #17: readable ids). A question of one word
    /// ("Name", a field label) says too little alone: the words of its section or sheet come first (see #26).
    pub(crate) fn new_id(&mut self, question: &str, context: &str) -> String {
        let mut base = write::id_for(question);
        if !base.contains('-') && !context.trim().is_empty() {
            base = write::id_for(&format!("{context} {question}"));
        }
        write::unique_id(&base, &mut self.ids)
    }

    /// Replaces entry `index` with what its file now says.
    pub(crate) fn replace(&mut self, index: usize, entry: Entry) {
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
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
        if self.known.has_answer(self.key, short.as_deref(), body) {
            self.learned.skipped += 1;
            return Ok(());
        }
        let parent = parent.map(|i| self.known.entries[i].entry.clone());
        let id = self
            .known
            .new_id(&row.question, row.section.as_deref().unwrap_or(&row.sheet));
        let status = if approve {
            Status::Approved
        } else {
            Status::Proposed
        };
        let entry = write::new_entry(
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
            format!(
                "learned from {}{}",
                self.source,
                question_ref(row.question_id.as_deref())
            ),
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
        });
    }

    fn changed(&mut self, path: String) {
        if !self.learned.files_changed.contains(&path) {
            self.learned.files_changed.push(path);
        }
    }
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

    /// A drafted row (C short with a Yes/No dropdown, D long), as the reviewer left it.
    fn row(
        number: usize,
        decision: Option<Decision>,
        shown_short: &str,
        shown_body: &str,
    ) -> ReviewRow {
        use crate::questionnaire::AnswerCell;
        let cell = |at: &str, kind| AnswerCell {
            cell: at.parse().unwrap(),
            kind,
            allowed: (kind == AnswerKind::Short).then(|| vec!["Yes".into(), "No".into()]),
            current: String::new(),
        };
        ReviewRow {
            number,
            sheet: "S".into(),
            row: 4,
            question_id: None,
            question: "Do you encrypt data at rest?".into(),
            section: None,
            cells: vec![cell("C5", AnswerKind::Short), cell("D5", AnswerKind::Long)],
            single_answer_column: false,
            matched_id: Some("encryption".into()),
            confidence: Confidence::Medium,
            short: Some("Yes".into()),
            body: Some("Yes. AES-256.".into()),
            written: false,
            alternatives: Vec::new(),
            decision,
            final_answer: None,
            shown: Some(crate::workbook::review::Shown {
                short: shown_short.into(),
                body: shown_body.into(),
            }),
        }
    }

    fn writes(plan: &FinishPlan) -> Vec<(String, String)> {
        plan.edits
            .values()
            .flatten()
            .map(|e| (e.cell.to_string(), e.text.clone()))
            .collect()
    }

    #[test]
    fn a_draft_corrected_in_place_is_an_edit() {
        // Rewrapped, not changed: an Accept.
        let plan = plan_finish(
            &[row(1, Some(Decision::Accept), "Yes", " Yes.\n AES-256. ")],
            false,
        );
        assert_eq!(plan.questions[0].state, State::Accepted);
        // The answer text changed, no decision: an edit, with the drafted short answer.
        let plan = plan_finish(&[row(1, None, "Yes", "Yes. AES-256 with KMS keys.")], false);
        assert_eq!(plan.questions[0].state, State::Edited);
        assert_eq!(
            writes(&plan),
            [
                ("C5".to_string(), "Yes".to_string()),
                ("D5".to_string(), "Yes. AES-256 with KMS keys.".to_string())
            ]
        );
        // The short answer flipped beside a text that still says Yes: not written, and said so.
        let plan = plan_finish(
            &[row(1, Some(Decision::Accept), "no", "Yes. AES-256.")],
            false,
        );
        assert_eq!(plan.questions[0].state, State::NotWritten);
        assert!(writes(&plan).is_empty());
        assert_eq!(plan.not_applied.len(), 1);
        // Both flipped: written as typed, the short answer as the dropdown spells it.
        let plan = plan_finish(&[row(1, None, "no", "No. Not yet.")], false);
        assert_eq!(
            writes(&plan),
            [
                ("C5".to_string(), "No".to_string()),
                ("D5".to_string(), "No. Not yet.".to_string())
            ]
        );
        // Cleared: nothing to write, and said so.
        let plan = plan_finish(&[row(1, None, "", "")], false);
        assert_eq!(plan.questions[0].state, State::NotWritten);
        // Changed in place, then rejected: the change is reported, nothing written.
        let plan = plan_finish(&[row(1, Some(Decision::Reject), "Yes", "Other.")], false);
        assert_eq!(plan.questions[0].state, State::Rejected);
        assert_eq!(plan.not_applied.len(), 1);
    }

    #[test]
    fn every_question_has_one_state() {
        let mut written = row(1, None, "Yes", "Yes. AES-256.");
        written.written = true;
        let untouched = row(2, None, "Yes", "Yes. AES-256.");
        let mut answered = row(3, None, "Yes", "Yes. AES-256.");
        answered.cells[0].current = "No".into();
        let mut nothing = row(4, None, "", "");
        (nothing.matched_id, nothing.short, nothing.body) = (None, None, None);
        let sme = row(5, Some(Decision::NeedsSme), "Yes", "Yes. AES-256.");
        let plan = plan_finish(&[written, untouched, answered, nothing, sme], false);
        let states: Vec<State> = plan.questions.iter().map(|q| q.state).collect();
        assert_eq!(
            states,
            [
                State::Drafted,
                State::Unanswered,
                State::AlreadyAnswered,
                State::Unanswered,
                State::NeedsSme
            ]
        );
        assert_eq!(
            plan.questions[1].reason.as_deref(),
            Some("no decision, and draft wrote nothing (medium confidence)")
        );
        assert_eq!(
            plan.questions[3].reason.as_deref(),
            Some("no decision, and nothing in the library matched")
        );
        assert_eq!((plan.reviewed, plan.undecided, plan.written), (1, 4, 1));
        assert!(plan.not_applied.is_empty());
    }
}
