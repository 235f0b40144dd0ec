//! `answerbank approve`: proposed entries become approved after a person's look, one by one in their files or
//! many at once through a review workbook (`--review` writes it, `--from-review` applies it; see #25).

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::json;

use super::ExitStatus;
use crate::cli::ApproveArgs;
use answerbank::approving::Done;
use answerbank::date::Date;
use answerbank::fsutil::Existing;
use answerbank::library::approve::{self, Selection};
use answerbank::library::lock::LibraryLock;
use answerbank::text::printable;
use answerbank::workbook::entry_review;

pub fn run(args: ApproveArgs) -> Result<ExitStatus> {
    // A review workbook given as the one PATH is applied, as --from-review would (paths are otherwise entries).
    let given_review = match args.paths.as_slice() {
        [only]
            if only
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
                && !args.all
                && args.source.is_none()
                && args.tag.is_none() =>
        {
            Some(only.clone())
        }
        _ => None,
    };
    if let Some(review) = args.from_review.as_deref().or(given_review.as_deref()) {
        return from_review(&args, review);
    }
    let selection = Selection {
        paths: args.paths.clone(),
        source: args
            .source
            .as_ref()
            .map(|s| s.to_string_lossy().into_owned()),
        tag: args.tag.clone(),
        all: args.all,
    };
    if let Some(out) = &args.review {
        return write_review(&args, &selection, out);
    }
    if selection.is_empty() {
        bail!(
            "say which entries to approve: entry files or folders, --source FILE, --tag TAG, or --all (add \
             --dry-run to see the list first)"
        );
    }
    let root = args.library.library.as_path();
    answerbank::library::check_root(root)?;
    let lock = if args.dry_run {
        None
    } else {
        Some(LibraryLock::acquire(root)?)
    };
    let report = approve::approve(root, &selection, Date::today(), args.dry_run)?;
    drop(lock);
    if args.json {
        super::print_json(&json!({
            "dry_run": args.dry_run,
            "approved": report.approved,
            "refused": report.refused,
            "already_approved": report.already_approved,
        }))?;
    } else {
        let verb = if args.dry_run {
            "would approve"
        } else {
            "approved"
        };
        for approved in &report.approved {
            let derived = approved.derived_from.as_deref().map_or(String::new(), |p| {
                format!(" (revises or contradicts `{p}`, which stays approved: retire one of them if they disagree)")
            });
            out!("{verb} {}{derived}", printable(&approved.path))?;
            for wording in &approved.alternates_added {
                out!("  + alternate: {}", printable(wording))?;
            }
        }
    }
    for refused in &report.refused {
        say!(
            "answerbank: not approved: {}: {}",
            printable(&refused.path),
            printable(&refused.reason)
        );
    }
    let wordings: usize = report
        .approved
        .iter()
        .map(|a| a.alternates_added.len())
        .sum();
    say!(
        "{} {} entries ({wordings} accepted wordings became alternates); {} refused; {} already approved",
        if args.dry_run {
            "would approve"
        } else {
            "approved"
        },
        report.approved.len(),
        report.refused.len(),
        report.already_approved
    );
    Ok(if report.refused.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// `--review OUT.xlsx`: the workbook of the chosen proposed entries.
fn write_review(args: &ApproveArgs, selection: &Selection, out: &Path) -> Result<ExitStatus> {
    let root = args.library.library.as_path();
    answerbank::library::check_root(root)?;
    if out.exists() && !args.force {
        bail!(
            "{} already exists; name another file, or replace it with --force (the earlier one is kept beside it)",
            out.display()
        );
    }
    let library = answerbank::library::load(root)?;
    let index = super::open_library(root)?;
    let (rows, templates) =
        answerbank::approving::review_rows(&library, &index, selection, Date::today())?;
    drop(index);
    let offers = rows.iter().filter(|r| r.template.is_some()).count();
    let library_path = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let bytes = entry_review::entry_review_workbook(&library_path, &rows)?;
    // A review someone may have worked on is never destroyed: kept beside the new one (as `draft` does, #26).
    if out.exists() {
        let kept = answerbank::fsutil::keep_copy(out)?;
        say!(
            "answerbank: kept the earlier {} as {}",
            out.display(),
            kept.display()
        );
    }
    answerbank::fsutil::write_bytes_atomic(out, Existing::Replace, &bytes)?;
    if args.json {
        super::print_json(&json!({
            "review": out.display().to_string(),
            "entries": rows.len(),
            "templates_left_out": templates,
            "templates_offered": offers,
        }))?;
    }
    let mut left_out = String::new();
    if templates > 0 {
        left_out.push_str(&format!(
            "; {templates} unfilled templates left out (fill them in their files)"
        ));
    }
    if offers > 0 {
        left_out.push_str(&format!(
            "; {offers} rows offer a starter template the entry may fill (choose Fill template where it asks the \
             same question)"
        ));
    }
    say!(
        "wrote {} proposed entries to {}{left_out}\nnext: decide each row (Approve, Edit by typing into its cells, or \
         Reject), then `answerbank approve --from-review {}`",
        rows.len(),
        printable(&out.display().to_string()),
        printable(&out.display().to_string())
    );
    Ok(ExitStatus::Success)
}

/// `--from-review FILE.xlsx`: the decisions applied, under the library lock.
fn from_review(args: &ApproveArgs, review: &Path) -> Result<ExitStatus> {
    let root = args.library.library.as_path();
    answerbank::library::check_root(root)?;
    let rows = entry_review::read_entry_review(review)?;
    let lock = if args.dry_run {
        None
    } else {
        Some(LibraryLock::acquire(root)?)
    };
    let report =
        answerbank::approving::apply_review(root, &rows, review, Date::today(), args.dry_run)?;
    drop(lock);
    if args.json {
        super::print_json(&json!({
            "dry_run": args.dry_run,
            "applied": report.applied,
            "undecided": report.undecided,
        }))?;
    }
    let would = |verb: &'static str, would: &'static str| if args.dry_run { would } else { verb };
    for applied in &report.applied {
        let path = printable(&applied.path);
        match applied.done {
            Done::Approved if !args.json => out!(
                "#{} {} {path}",
                applied.number,
                would("approved", "would approve")
            )?,
            Done::Edited if !args.json => out!(
                "#{} {} {path}",
                applied.number,
                would("edited and approved", "would edit and approve")
            )?,
            Done::Retired if !args.json => out!(
                "#{} {} {path}",
                applied.number,
                would("retired", "would retire")
            )?,
            Done::FilledTemplate if !args.json => out!(
                "#{} {} {} with the answer of {path}, {}",
                applied.number,
                would("filled and approved", "would fill and approve"),
                printable(applied.template.as_deref().unwrap_or("")),
                would("now retired", "which would be retired")
            )?,
            Done::NotApplied => say!(
                "answerbank: #{} not applied: {path}: {}",
                applied.number,
                printable(applied.reason.as_deref().unwrap_or(""))
            ),
            _ => {}
        }
    }
    let filled = match report.count(Done::FilledTemplate) {
        0 => String::new(),
        n => format!(", {n} templates filled"),
    };
    say!(
        "{}: {} approved, {} edited and approved, {} retired{filled}, {} not applied; {} without a decision stay \
         proposed",
        printable(&review.display().to_string()),
        report.count(Done::Approved),
        report.count(Done::Edited),
        report.count(Done::Retired),
        report.count(Done::NotApplied),
        report.undecided
    );
    if args.dry_run {
        say!("(a dry run: nothing was written)");
    }
    Ok(if report.count(Done::NotApplied) == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
