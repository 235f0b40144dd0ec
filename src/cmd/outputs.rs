//! How `draft` and `finish` write their outputs over earlier ones without losing what a person did (see #26).
//!
//! Without `--force` an existing output is refused before any work, and the message names the safe choices. With
//! `--force` an earlier output is replaced only when nothing in it would be lost:
//! - a review workbook holding any decision, Final answer or corrected draft is a review in progress: refused even
//!   with `--force`, unless the user says `--discard-review`, and then kept beside the new one (`q.review.1.xlsx`);
//! - a review workbook nobody worked on, or a workbook holding the very cells about to be written, is replaced;
//! - anything else (a drafted or answered workbook someone typed into, a file that cannot be read) is kept beside
//!   the new one, and the command says where.
//!
//! The check runs twice: before any work (to refuse early) and again just before writing, so a review saved in
//! the meantime is not lost either.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use answerbank::fsutil::{Existing, keep_copy, write_bytes_atomic};
use answerbank::questionnaire::{self, Format};
use answerbank::workbook::review;

/// What an output is, which decides what in an earlier copy of it counts as a person's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A review workbook: its decisions, Final answers and corrected drafts are a person's work.
    Review,
    /// A workbook answerbank makes (the drafted or answered customer file, the open questions): any cell that
    /// differs from what is about to be written may be a person's.
    Workbook(Format),
}

/// One output of a command.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    pub path: &'a Path,
    pub kind: Kind,
}

/// How the command was told to treat earlier outputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub force: bool,
    /// `--discard-review`: a review in progress may be replaced (it is still kept beside the new one).
    pub discard_review: bool,
}

/// Before any work: refuses an existing output without `--force`, and a review in progress without
/// `--discard-review`. `advice` is what the command's user can do instead (keep the outputs elsewhere...).
pub fn check(policy: Policy, outputs: &[Output<'_>], advice: &str) -> Result<()> {
    for output in outputs.iter().filter(|o| o.path.exists()) {
        if !policy.force {
            let review = if outputs.iter().any(|o| o.kind == Kind::Review) {
                ", and a review in progress is never replaced without --discard-review"
            } else {
                ""
            };
            bail!(
                "{} already exists; {advice}, or replace it with --force (an earlier output that a person worked \
                 on is then kept beside the new one{review})",
                output.path.display()
            );
        }
        if output.kind == Kind::Review && !policy.discard_review {
            refuse_review_in_progress(output.path)?;
        }
    }
    Ok(())
}

/// A review workbook that holds a person's work is refused.
fn refuse_review_in_progress(path: &Path) -> Result<()> {
    let Some(worked) = reviewed_rows(path) else {
        return Ok(());
    };
    if worked > 0 {
        let shown = path.display();
        bail!(
            "{shown} is a review in progress: {worked} of its rows have a decision, a Final answer or a corrected \
             draft, and --force does not replace a review. Finish it with `answerbank finish {shown}`, draft into \
             another folder with --out-dir DIR, or replace it with --force --discard-review (the review is then \
             kept beside the new one as {})",
            next_copy_name(path).display()
        );
    }
    Ok(())
}

/// How many rows of the review at `path` a person worked on; `None` when it cannot be read as a review.
fn reviewed_rows(path: &Path) -> Option<usize> {
    let (_, rows) = review::read_review(path).ok()?;
    Some(answerbank::learning::reviewed_rows(&rows))
}

/// The name [`keep_copy`] would pick now (for messages).
fn next_copy_name(path: &Path) -> PathBuf {
    (1..)
        .map(|n| answerbank::fsutil::numbered_copy(path, n))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// Writes one output atomically. With `--force`, an earlier file that holds a person's work (see the module doc)
/// is first kept beside it; returns where, for the command to say.
pub fn write(policy: Policy, output: Output<'_>, bytes: &[u8]) -> Result<Option<PathBuf>> {
    let path = output.path;
    if !policy.force || !path.exists() {
        let existing = if policy.force {
            Existing::Replace
        } else {
            Existing::Refuse
        };
        write_bytes_atomic(path, existing, bytes)?;
        return Ok(None);
    }
    let keep = match output.kind {
        Kind::Review => {
            if !policy.discard_review {
                // Saved since the check before the work began.
                refuse_review_in_progress(path)?;
            }
            reviewed_rows(path) != Some(0)
        }
        Kind::Workbook(format) => match std::fs::read(path) {
            Ok(old) => !questionnaire::same_cells(path, format, &old, bytes),
            Err(_) => true,
        },
    };
    let kept = if keep { Some(keep_copy(path)?) } else { None };
    write_bytes_atomic(path, Existing::Replace, bytes)?;
    Ok(kept)
}

/// Says which earlier outputs were kept, and where.
pub fn report_kept(kept: &[(PathBuf, PathBuf)]) {
    for (path, copy) in kept {
        say!(
            "answerbank: kept the earlier {} as {} (it held work that the new one does not)",
            path.display(),
            copy.display()
        );
    }
}
