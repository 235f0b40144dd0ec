//! `answerbank finish`: the reviewed answers into the customer's workbook, what is still open beside it, and what
//! was learned into the library.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::{ExitStatus, outputs};
use crate::cli::FinishArgs;
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
    let policy = outputs::Policy {
        force: args.force,
        discard_review: false,
    };
    let outputs = [
        outputs::Output {
            path: &answered_path,
            kind: outputs::Kind::Workbook(if ext == "xlsm" {
                Format::Xlsm
            } else {
                Format::Xlsx
            }),
        },
        outputs::Output {
            path: &open_path,
            kind: outputs::Kind::Workbook(Format::Xlsx),
        },
    ];
    outputs::check(
        policy,
        &outputs,
        "to keep it, move it away first or finish a copy of the review from another folder",
    )?;

    // The review is untrusted: its rows are checked against the questionnaire as the reader finds it, read the way
    // draft read it, and only the reader's answer cells are written (see #16).
    let mut workbook = questionnaire::open_bytes(&source, format, bytes, &limits)?;
    let found = super::read_questions(&mut workbook, &meta.reading.options())?;
    review::check_against_source(&mut rows, &found, &args.review)?;

    // The library must be usable before anything is written, so a refusal leaves nothing behind.
    let library = library_to_learn(&args, &meta)?;
    let lock = if args.no_learn {
        None
    } else {
        answerbank::library::check_root(&library)?;
        Some(LibraryLock::acquire(&library)?)
    };

    let plan = learning::plan_finish(&rows, meta.overwrite);
    let (answered, report) = super::write_answers(workbook, &plan.edits)?;
    let open_questions = review::open_questions_workbook(&plan.questions, &answered_path)?;
    let mut kept = Vec::new();
    for (output, bytes) in outputs.iter().zip([&answered, &open_questions]) {
        if let Some(copy) = outputs::write(policy, *output, bytes)? {
            kept.push((output.path.to_path_buf(), copy));
        }
    }
    outputs::report_kept(&kept);

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
    for item in plan.not_applied.iter().chain(&plan.text_left_out) {
        say!(
            "answerbank: warning: {}: {}",
            printable(&item.place),
            printable(&item.reason)
        );
    }
    if plan.reviewed == 0 && !plan.questions.is_empty() {
        say!(
            "answerbank: warning: {} has no decisions, no Final answers and no corrected drafts: only what draft \
             wrote went into the answered file. Was the review saved after it was filled in?",
            args.review.display()
        );
    }
    print_summary(&plan, report.written, &answered_path, &open_path, &meta);
    print_learned(&learned, &library, &args, &source_name);
    if plan.not_applied.is_empty() {
        Ok(ExitStatus::Success)
    } else {
        say!(
            "answerbank: {} of the reviewer's changes were not applied (listed above); fix them in the review and run \
             finish again with --force",
            plan.not_applied.len()
        );
        Ok(ExitStatus::Failure)
    }
}

/// The library `finish` learns into: the one given with --library; otherwise the one `draft` would use here
/// (ANSWERBANK_LIBRARY, else `answer_library` in the working folder), which must be the one the review was
/// drafted with. A review workbook is untrusted (see #29): the library it records never chooses where `finish`
/// writes, it can only make `finish` refuse.
fn library_to_learn(args: &FinishArgs, meta: &ReviewMeta) -> Result<PathBuf> {
    if let Some(given) = &args.library {
        if !args.no_learn && !given.exists() {
            bail!(
                "the library given with --library, {}, is not there; pass your answer library, or finish with \
                 --no-learn to leave the library alone",
                given.display()
            );
        }
        return Ok(given.clone());
    }
    let (here, from) = match std::env::var_os("ANSWERBANK_LIBRARY").filter(|v| !v.is_empty()) {
        Some(dir) => (PathBuf::from(dir), "ANSWERBANK_LIBRARY"),
        None => (
            PathBuf::from("answer_library"),
            "answer_library in the working folder",
        ),
    };
    if args.no_learn || same_folder(&here, &meta.library) {
        return Ok(here);
    }
    // The recorded path is the review's text: shown safe for a terminal.
    let recorded = printable(&meta.library.display().to_string()).into_owned();
    bail!(
        "{} was drafted with the library {recorded}, but the library here is {} ({from}); finish learns only \
         into a library you name: pass --library {} to learn into the one it was drafted with (or --library DIR \
         for another), or finish with --no-learn to leave the library alone",
        args.review.display(),
        here.display(),
        super::shell_word(&recorded)
    )
}

/// Whether two paths name one existing folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
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
            "from_documents": count(State::FromDocument),
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
        "text_left_out": plan.text_left_out,
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

/// The state of the questionnaire: what is answered and how, and how many questions are still open and why (the
/// questions themselves are in the open-questions workbook).
fn print_summary(plan: &FinishPlan, cells: usize, answered: &Path, open: &Path, meta: &ReviewMeta) {
    let count = |state| plan.count(state);
    let open_count = plan.open().count();
    say!(
        "answered {} of {} questions → {} ({cells} answer cells written)",
        plan.questions.len() - open_count,
        plan.questions.len(),
        answered.display()
    );
    say!(
        "  {} accepted, {} edited, {} picked from another candidate, {} from your documents, {} with no decision \
         that keep what draft wrote ({} confidence and up), {} already answered in the file",
        count(State::Accepted),
        count(State::Edited),
        count(State::Picked),
        count(State::FromDocument),
        count(State::Drafted),
        meta.min_confidence,
        count(State::AlreadyAnswered)
    );
    if open_count == 0 {
        say!("nothing is open → {}", open.display());
        return;
    }
    // The list is in the open-questions workbook, not on screen (see #25: 300 lines nobody reads); `--json` has
    // it too.
    say!(
        "open {open_count} questions, listed with their reasons in → {}",
        open.display()
    );
    say!(
        "  {} rejected, {} Needs SME, {} with no decision and no answer, {} not written",
        count(State::Rejected),
        count(State::NeedsSme),
        count(State::Unanswered),
        count(State::NotWritten)
    );
}

/// What the library learned, row by row (see #14: reviews teach visibly).
fn print_learned(learned: &Learned, library: &Path, args: &FinishArgs, source_name: &str) {
    for warning in &learned.warnings {
        say!("answerbank: warning: {}", printable(warning));
    }
    if args.no_learn {
        say!("library unchanged (--no-learn)");
        return;
    }
    if learned.taught.is_empty() {
        say!("learned: nothing new");
        return;
    }
    say!(
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
            other => match &taught.document {
                Some(document) => format!("{other} from the document {document}"),
                None => other.to_string(),
            },
        };
        say!(
            "  #{} {}: {what} — \"{}\"",
            taught.number,
            taught.entry,
            snippet(&taught.wording, 70)
        );
    }
    if !args.approve && !learned.entries_added.is_empty() {
        say!(
            "  new entries are proposed: after a look (edit them if needed), approve them with:\n    answerbank \
             approve --library {} --source {}",
            super::shell_word(&library.display().to_string()),
            super::shell_word(source_name)
        );
    }
    for file in &learned.files_changed {
        say!("  changed {}", library.join(file).display());
    }
}
