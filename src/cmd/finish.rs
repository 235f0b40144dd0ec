//! `answerbank finish`: the reviewed answers into the customer's workbook, and what was learned into the library.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::ExitStatus;
use crate::cli::FinishArgs;
use answerbank::fsutil::write_bytes_atomic;
use answerbank::learning::{self, Learned};
use answerbank::library::lock::LibraryLock;
use answerbank::questionnaire::Format;
use answerbank::questionnaire::read_input;
use answerbank::workbook::review;

pub fn run(args: FinishArgs) -> Result<ExitStatus> {
    let (meta, rows) = review::read_review(&args.review)?;
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
    let existing = super::output_policy(args.force, &[&answered_path])?;

    // The library must be writable before anything is written, so a refusal leaves nothing behind.
    let library = args.library.clone().unwrap_or_else(|| meta.library.clone());
    let lock = if args.no_learn {
        None
    } else {
        // finish learns into the library the review recorded, or --library (ANSWERBANK_LIBRARY is not read here),
        // so the hints of `check_root` would point the wrong way for a missing folder.
        if !library.exists() {
            let which = if args.library.is_some() {
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
        answerbank::library::check_root(&library)?;
        Some(LibraryLock::acquire(&library)?)
    };

    let plan = learning::plan_finish(&rows, meta.overwrite);
    for problem in &plan.not_written {
        eprintln!("answerbank: warning: not written, row {problem}");
    }
    let workbook = answerbank::questionnaire::open_bytes(&source, format, bytes, &limits)?;
    let (answered, report) = super::write_answers(workbook, &plan.edits)?;
    write_bytes_atomic(&answered_path, existing, &answered)?;

    let source_name = source.file_name().map_or_else(
        || "questionnaire".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let learned = match &lock {
        Some(_) => learning::learn_from_review(&library, &rows, &source_name, args.approve)?,
        None => Learned::default(),
    };
    drop(lock);
    for warning in &learned.warnings {
        eprintln!("answerbank: warning: {warning}");
    }
    if args.json {
        let value = json!({
            "answered_file": answered_path.display().to_string(),
            "written": report.written,
            "questions_written": plan.written,
            "undecided": plan.undecided,
            "alternates_added": learned.alternates_added,
            "entries_added": learned.entries_added.len(),
            "entries": learned.entries_added,
            "files_changed": learned.files_changed,
        });
        super::print_json(&value)?;
    }
    eprintln!(
        "wrote {} answer cells for {} questions → {} ({} rows had no decision and keep what draft wrote)",
        report.written,
        plan.written,
        answered_path.display(),
        plan.undecided
    );
    if args.no_learn {
        eprintln!("library unchanged (--no-learn)");
    } else {
        eprintln!(
            "learned: {} alternate wordings added, {} new entries{}{}",
            learned.alternates_added,
            learned.entries_added.len(),
            if learned.entries_added.is_empty() {
                String::new()
            } else {
                format!(" ({})", learned.entries_added.join(", "))
            },
            if args.approve || learned.entries_added.is_empty() {
                ""
            } else {
                ", proposed: review them, then set status = \"approved\""
            }
        );
        for file in &learned.files_changed {
            eprintln!("  changed {}", library.join(file).display());
        }
    }
    Ok(ExitStatus::Success)
}
