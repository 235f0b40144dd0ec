//! `answerbank finish`: the reviewed answers into the customer's workbook, what is still open beside it, and what
//! was learned into the library.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::ExitStatus;
use crate::cli::FinishArgs;
use answerbank::fsutil::write_bytes_atomic;
use answerbank::learning::{self, FinishPlan, Learned};
use answerbank::library::lock::LibraryLock;
use answerbank::questionnaire::{self, Format, read_input};
use answerbank::text::{printable, snippet};
use answerbank::workbook::review::{self, ReviewMeta, State};

pub fn run(args: FinishArgs) -> Result<ExitStatus> {
    let (meta, mut rows) = review::read_review(&args.review)?;
    let source = args.source.clone().unwrap_or_else(|| meta.source.clone());
    let limits = answerbank::ooxml::Limits::default();
    let (format, bytes) = read_input(&source, &limits).with_context(|| {
        if args.source.is_some() {
            "the questionnaire given with --source cannot be read".to_string()
        } else {
            "the questionnaire this review was drafted from cannot be read; pass it with --source FILE".to_string()
        }
    })?;
    if super::sha256_hex(&bytes) != meta.source_sha256 {
        let what = if args.source.is_some() {
            "is not the questionnaire this review was drafted from"
        } else {
            "has changed since it was drafted"
        };
        bail!(
            "{} {what} (its SHA-256 differs from the one the review workbook recorded); pass the original with \
             --source FILE",
            source.display()
        );
    }
    let dir = args.review.parent().map(PathBuf::from).unwrap_or_default();
    let ext = if format == Format::Xlsm {
        "xlsm"
    } else {
        "xlsx"
    };
    // Named as draft names its outputs (see #16: `q.csv` and `q.xlsx` never share a name).
    let answered_path = dir.join(super::output_name(&source, &format!("answered.{ext}")));
    let open_path = dir.join(super::output_name(&source, "open-questions.xlsx"));
    let existing = super::output_policy(args.force, &[&answered_path, &open_path])?;

    // The review is untrusted: its rows are checked against the questionnaire as the reader finds it, read the way
    // draft read it, and only the reader's answer cells are written (see #16).
    let mut workbook = questionnaire::open_bytes(&source, format, bytes, &limits)?;
    let found = super::read_questions(&mut workbook, &meta.reading.options())?;
    review::check_against_source(&mut rows, &found, &args.review)?;

    // The library must be usable before anything is written, so a refusal leaves nothing behind.
    let library = args.library.clone().unwrap_or_else(|| meta.library.clone());
    let lock = if args.no_learn {
        None
    } else {
        check_library(&args.review, &library, args.library.is_some())?;
        Some(LibraryLock::acquire(&library)?)
    };

    let plan = learning::plan_finish(&rows, meta.overwrite);
    let (answered, report) = super::write_answers(workbook, &plan.edits)?;
    let open_questions = review::open_questions_workbook(&plan.questions, &answered_path)?;
    write_bytes_atomic(&answered_path, existing, &answered)?;
    write_bytes_atomic(&open_path, existing, &open_questions)?;

    let source_name = source.file_name().map_or_else(
        || "questionnaire".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let learned = match &lock {
        Some(_) => learning::learn_from_review(&library, &rows, &plan, &source_name, args.approve)?,
        None => Learned::default(),
    };
    drop(lock);

    if args.json {
        print_json(&plan, &learned, report.written, &answered_path, &open_path)?;
    }
    for item in &plan.not_applied {
        eprintln!(
            "answerbank: warning: {}: {}",
            printable(&item.place),
            printable(&item.reason)
        );
    }
    if plan.reviewed == 0 && !plan.questions.is_empty() {
        eprintln!(
            "answerbank: warning: {} has no decisions, no Final answers and no corrected drafts: only what draft \
             wrote went into the answered file. Was the review saved after it was filled in?",
            args.review.display()
        );
    }
    print_summary(&plan, report.written, &answered_path, &open_path, &meta);
    print_learned(&learned, &library, &args);
    if plan.not_applied.is_empty() {
        Ok(ExitStatus::Success)
    } else {
        eprintln!(
            "answerbank: {} of the reviewer's changes were not applied (listed above); fix them in the review and run \
             finish again with --force",
            plan.not_applied.len()
        );
        Ok(ExitStatus::Failure)
    }
}

/// The library finish learns into: the one given with --library, or the one the review records when that folder is
/// an answer library (a review workbook is untrusted, and must not make finish write into any folder it names).
fn check_library(review: &Path, library: &Path, given: bool) -> Result<()> {
    // ANSWERBANK_LIBRARY is not read here, so the hints of `check_root` would point the wrong way for a missing
    // folder.
    if !library.exists() {
        let which = if given {
            "given with --library"
        } else {
            "this review was drafted with"
        };
        bail!(
            "the library {which}, {}, is not there; pass it with --library DIR, or finish with --no-learn to \
             leave the library alone",
            library.display()
        );
    }
    if !given && !learning::is_answer_library(library) {
        bail!(
            "{} records the library {}, which is not an answer library (no library.toml and no answer files); \
             finish learns only into an answer library: pass yours with --library DIR, or finish with --no-learn",
            review.display(),
            library.display()
        );
    }
    answerbank::library::check_root(library)
}

fn print_json(
    plan: &FinishPlan,
    learned: &Learned,
    cells: usize,
    answered: &Path,
    open: &Path,
) -> Result<()> {
    let count = |state| plan.count(state);
    let open_questions: Vec<_> = plan.open().collect();
    let value = json!({
        "answered_file": answered.display().to_string(),
        "open_questions_file": open.display().to_string(),
        "written": cells,
        "questions_written": plan.written,
        "questions": plan.questions.len(),
        "answered": {
            "total": plan.questions.len() - open_questions.len(),
            "accepted": count(State::Accepted),
            "edited": count(State::Edited),
            "picked": count(State::Picked),
            "drafted_undecided": count(State::Drafted),
            "already_answered": count(State::AlreadyAnswered),
        },
        "open": {
            "total": open_questions.len(),
            "rejected": count(State::Rejected),
            "needs_sme": count(State::NeedsSme),
            "unanswered": count(State::Unanswered),
            "not_written": count(State::NotWritten),
        },
        "open_questions": open_questions,
        "not_applied": plan.not_applied,
        "undecided": plan.undecided,
        "reviewed": plan.reviewed,
        "learned": learned.taught,
        "alternates_added": learned.alternates_added,
        "entries_added": learned.entries_added.len(),
        "entries": learned.entries_added,
        "files_changed": learned.files_changed,
        "warnings": learned.warnings,
    });
    super::print_json(&value)
}

/// The state of the questionnaire: what is answered and how, and every question still open.
fn print_summary(plan: &FinishPlan, cells: usize, answered: &Path, open: &Path, meta: &ReviewMeta) {
    let count = |state| plan.count(state);
    let open_count = plan.open().count();
    eprintln!(
        "answered {} of {} questions → {} ({cells} answer cells written)",
        plan.questions.len() - open_count,
        plan.questions.len(),
        answered.display()
    );
    eprintln!(
        "  {} accepted, {} edited, {} picked from another candidate, {} with no decision that keep what draft \
         wrote ({} confidence and up), {} already answered in the file",
        count(State::Accepted),
        count(State::Edited),
        count(State::Picked),
        count(State::Drafted),
        meta.min_confidence,
        count(State::AlreadyAnswered)
    );
    if open_count == 0 {
        eprintln!("nothing is open → {}", open.display());
        return;
    }
    eprintln!("open {open_count} questions → {}", open.display());
    eprintln!(
        "  {} rejected, {} Needs SME, {} with no decision and no answer, {} not written",
        count(State::Rejected),
        count(State::NeedsSme),
        count(State::Unanswered),
        count(State::NotWritten)
    );
    for question in plan.open() {
        let id = question
            .question_id
            .as_deref()
            .map_or(String::new(), |id| format!(" {id}"));
        eprintln!(
            "  #{}{id}, '{}' {}: {} — {}",
            question.number,
            printable(&question.sheet),
            question.cells.first().map_or("", String::as_str),
            snippet(&question.question, 70),
            printable(
                question
                    .reason
                    .as_deref()
                    .unwrap_or(question.state.as_str())
            )
        );
    }
}

/// What the library learned, row by row (see #14: reviews teach visibly).
fn print_learned(learned: &Learned, library: &Path, args: &FinishArgs) {
    for warning in &learned.warnings {
        eprintln!("answerbank: warning: {}", printable(warning));
    }
    if args.no_learn {
        eprintln!("library unchanged (--no-learn)");
        return;
    }
    if learned.taught.is_empty() {
        eprintln!("learned: nothing new");
        return;
    }
    eprintln!(
        "learned into {} ({} alternate wordings, {} new entries, {} decisions recorded):",
        library.display(),
        learned.alternates_added,
        learned.entries_added.len(),
        learned.taught.len() - learned.alternates_added - learned.entries_added.len()
    );
    for taught in &learned.taught {
        let what = match taught.recorded.as_str() {
            "alternate" => "the wording became an alternate (exact re-use next time)".to_string(),
            "accepted" => {
                "accepted: a pending wording, drafted at high only once a person approves it \
                           (check lists it)"
                    .to_string()
            }
            "rejected" => {
                "rejected for this wording: never its high or medium draft again".to_string()
            }
            "needs-sme" => {
                "sent to an SME: not drafted for this wording until a person decides".to_string()
            }
            other => other.to_string(),
        };
        eprintln!(
            "  #{} {}: {what} — \"{}\"",
            taught.number,
            taught.entry,
            snippet(&taught.wording, 70)
        );
    }
    if !args.approve && !learned.entries_added.is_empty() {
        eprintln!("  new entries are proposed: review them, then set status = \"approved\"");
    }
    for file in &learned.files_changed {
        eprintln!("  changed {}", library.join(file).display());
    }
}
