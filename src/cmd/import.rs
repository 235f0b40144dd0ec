//! `answerbank import`: a past answered questionnaire becomes library entries.

use anyhow::{Context, Result};
use serde_json::json;

use super::ExitStatus;
use crate::cli::ImportArgs;
use answerbank::importing::{self, ImportOptions};
use answerbank::library::lock::LibraryLock;
use answerbank::questionnaire::read_questionnaire;
use answerbank::text::printable;

pub fn run(args: ImportArgs) -> Result<ExitStatus> {
    let questionnaire = read_questionnaire(&args.file, &super::read_options(&args.reader))?;
    super::print_reading_warnings(&questionnaire);
    // Importing is how a library starts: a missing library folder is made. A dry run writes nothing, so it
    // imports into an empty folder of its own, thrown away afterwards (entry paths are relative to the library).
    let scratch;
    let root = if args.library.library.exists() {
        args.library.library.as_path()
    } else if args.dry_run {
        scratch = tempfile::tempdir().context("making a scratch folder for the dry run")?;
        scratch.path()
    } else {
        let root = args.library.library.as_path();
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating the library folder {}", root.display()))?;
        say!("created the library folder {}", root.display());
        root
    };
    // An empty library is fine here: importing is how a library starts.
    let index = super::open_library(root)?;
    let lock = if args.dry_run {
        None
    } else {
        Some(LibraryLock::acquire(root)?)
    };
    let options = ImportOptions {
        approve: args.approve,
        dry_run: args.dry_run,
        force: args.force,
        answered_on: importing::answer_date(&questionnaire),
    };
    let report = importing::import_questionnaire(root, &index, &questionnaire, &options)?;
    drop(lock);
    let library = args.library.library.display().to_string();
    let file_name = args
        .file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let approve_command = format!(
        "answerbank approve --library {} --source {}",
        super::shell_word(&library),
        super::shell_word(&file_name)
    );
    let review_name = format!(
        "{}-review.xlsx",
        std::path::Path::new(&file_name)
            .file_stem()
            .map_or_else(|| "import".into(), |s| s.to_string_lossy())
    );
    let review_command = format!(
        "{approve_command} --review {}",
        super::shell_word(&review_name)
    );
    // Imported answers that may fill a starter template in other words (#25): import fills a template only when
    // the questions are the same by a strict rule; the review offers the rest for a person to decide.
    let offered = if args.dry_run || report.proposed.is_empty() {
        0
    } else {
        templates_offered(root, &report.proposed)?
    };
    if args.json {
        let value = json!({
            "entries_added": report.entries_added.len(),
            "alternates_added": report.alternates_added,
            "conflicts": report.conflicts.len(),
            "already_known": report.already_known,
            "unanswered": report.unanswered,
            "skipped": report.already_known + report.unanswered,
            "dry_run": args.dry_run,
            "reviewed": report.reviewed,
            "reviewed_from": report.reviewed_from,
            "entries": report.entries_added,
            "templates_filled": report.templates_filled,
            "proposed": report.proposed,
            "approve_command": (!report.proposed.is_empty()).then_some(&approve_command),
            "review_command": (!report.proposed.is_empty()).then_some(&review_command),
            "templates_offered": offered,
            "conflict_details": report.conflicts,
            "sheets": report.sheets,
            "files_changed": report.files_changed,
        });
        super::print_json(&value)?;
    } else if args.dry_run {
        // What a dry run is for: the pairs it would import, per sheet.
        for sheet in report.sheets.iter().filter(|s| !s.examples.is_empty()) {
            out!("sheet '{}':", printable(&sheet.name))?;
            for example in &sheet.examples {
                out!(
                    "  {} → {}",
                    printable(&clip(&example.question, 90)),
                    printable(&clip(&example.answer, 90))
                )?;
            }
        }
    }
    for warning in &report.warnings {
        say!("answerbank: warning: {}", printable(warning));
    }
    for sheet in &report.sheets {
        if let Some(why) = &sheet.not_imported {
            say!(
                "sheet '{}': nothing imported: {}",
                printable(&sheet.name),
                printable(why)
            );
        }
    }
    for conflict in &report.conflicts {
        say!("answerbank: conflict: {}", printable(&conflict.to_string()));
    }
    let verb = if args.dry_run { "would add" } else { "added" };
    say!(
        "{}: {verb} {} entries and {} alternate wordings; {} conflicts; {} answers already in the library; {} \
         questions unanswered",
        args.file.display(),
        report.entries_added.len(),
        report.alternates_added,
        report.conflicts.len(),
        report.already_known,
        report.unanswered
    );
    if !report.templates_filled.is_empty() {
        let verb = if args.dry_run { "would fill" } else { "filled" };
        say!(
            "{verb} {} starter templates with the answers given: {}",
            report.templates_filled.len(),
            report.templates_filled.join(", ")
        );
    }
    if !report.entries_added.is_empty() {
        say!(
            "reviewed date of the new entries: {} (from {})",
            report.reviewed.as_deref().unwrap_or(""),
            report.reviewed_from.as_deref().unwrap_or("")
        );
    }
    if report.sheets.iter().all(|s| s.answered == 0) {
        say!(
            "nothing to import: no sheet of {} has answered questions (`answerbank columns` shows what is read)",
            args.file.display()
        );
    }
    if !report.proposed.is_empty() {
        // Where they are: the folders of the proposed entries, each once.
        let mut folders: Vec<&str> = Vec::new();
        for folder in report
            .proposed
            .iter()
            .map(|p| p.rsplit_once('/').map_or("", |(dir, _)| dir))
        {
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        say!(
            "{} {} proposed, in {} (not drafted unreviewed until approved); review them in one workbook:\n  \
             {review_command}\nor approve them after a look at their files:\n  {approve_command}",
            report.proposed.len(),
            if args.dry_run {
                "entries would be"
            } else {
                "entries are"
            },
            folders
                .iter()
                .map(|f| format!("{library}/{f}/"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if offered > 0 {
            say!(
                "{offered} of them may fill a starter template that asks the same in other words: the review workbook \
                 offers each (choose Fill template where it is the same question)"
            );
        }
    }
    Ok(ExitStatus::Success)
}

/// How many of the proposed entries (paths relative to the library) the bulk review would offer a template to fill.
fn templates_offered(root: &std::path::Path, proposed: &[String]) -> Result<usize> {
    let library = answerbank::library::load(root)?;
    let entries: Vec<&answerbank::library::Entry> = library
        .entries
        .iter()
        .filter(|e| proposed.contains(&e.path) && !e.is_unfilled_template())
        .collect();
    let index = answerbank::library::index::LibraryIndex::open(root)?;
    Ok(answerbank::approving::template_offers(&index, &entries)?
        .iter()
        .flatten()
        .count())
}

/// At most `max` characters, with "…" when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
