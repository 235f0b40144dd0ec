//! `answerbank approve`: proposed entries become approved after a person's look.

use anyhow::{Result, bail};
use serde_json::json;

use super::ExitStatus;
use crate::cli::ApproveArgs;
use answerbank::date::Date;
use answerbank::library::approve::{self, Selection};
use answerbank::library::lock::LibraryLock;
use answerbank::text::printable;

pub fn run(args: ApproveArgs) -> Result<ExitStatus> {
    let selection = Selection {
        paths: args.paths.clone(),
        source: args
            .source
            .as_ref()
            .map(|s| s.to_string_lossy().into_owned()),
        tag: args.tag.clone(),
        all: args.all,
    };
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
