//! `answerbank import`: a past answered questionnaire becomes library entries.

use anyhow::{Context, Result};
use serde_json::json;

use super::ExitStatus;
use crate::cli::ImportArgs;
use answerbank::learning::{self, ImportOptions};
use answerbank::library::lock::LibraryLock;
use answerbank::questionnaire::read_questionnaire;

pub fn run(args: ImportArgs) -> Result<ExitStatus> {
    let questionnaire = read_questionnaire(&args.file, &super::read_options(&args.reader))?;
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
        eprintln!("created the library folder {}", root.display());
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
    };
    let learned = learning::import_questionnaire(root, &index, &questionnaire, options)?;
    drop(lock);
    if args.json {
        let value = json!({
            "entries_added": learned.entries_added.len(),
            "alternates_added": learned.alternates_added,
            "conflicts": learned.conflicts.len(),
            "skipped": learned.skipped,
            "dry_run": args.dry_run,
            "entries": learned.entries_added,
            "files_changed": learned.files_changed,
        });
        super::print_json(&value)?;
    }
    for conflict in &learned.conflicts {
        eprintln!("answerbank: conflict: {conflict}");
    }
    let verb = if args.dry_run { "would add" } else { "added" };
    eprintln!(
        "{}: {verb} {} entries and {} alternate wordings; {} conflicts; {} rows skipped (unanswered or already in the library)",
        args.file.display(),
        learned.entries_added.len(),
        learned.alternates_added,
        learned.conflicts.len(),
        learned.skipped
    );
    if !args.dry_run && !learned.entries_added.is_empty() {
        eprintln!(
            "new entries are in {}/imported/; `answerbank check` lists the proposed ones for review",
            args.library.library.display()
        );
    }
    Ok(ExitStatus::Success)
}
