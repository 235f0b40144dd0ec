//! Approving: a person has looked at proposed entries, and says they may now be drafted unreviewed.
//!
//! In: the library and a [`Selection`] (files or folders, the questionnaire entries came from, a tag, or all).
//! Out: an [`ApproveReport`], and (unless a dry run) each chosen entry changed in place by
//! [`write::approve_entry`]: `status = "approved"`, `reviewed` = today, and the customer wordings a review accepted
//! but nobody confirmed yet ([`Entry::pending_wordings`]) added to its alternates, so they become exact re-use
//! (see #14, #17). An unfilled template ([`Entry::is_unfilled_template`], see #19) is refused and named: its
//! placeholder would otherwise reach a customer.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::{Entry, Status, write};
use crate::date::Date;

/// Which entries to approve. Several criteria narrow the choice; `all` takes every entry.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Entry files or folders (relative to the current folder, or absolute); inside the library.
    pub paths: Vec<PathBuf>,
    /// The questionnaire an entry was imported or learned from: its file name, as the entry's `source` says.
    pub source: Option<String>,
    pub tag: Option<String>,
    pub all: bool,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.source.is_none() && self.tag.is_none() && !self.all
    }
}

/// One entry approved (or, in a dry run, to be).
#[derive(Debug, Clone, Serialize)]
pub struct Approved {
    pub id: String,
    /// Relative to the library.
    pub path: String,
    /// Its status before.
    pub was: Status,
    /// Customer wordings that became alternates.
    pub alternates_added: Vec<String>,
    /// The entry it revises or contradicts (`derived_from`), which is still in the library.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
}

/// One chosen entry that was not approved, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ApproveReport {
    pub approved: Vec<Approved>,
    pub refused: Vec<Refused>,
    /// Entries the selection named that needed nothing (approved, with no pending wordings).
    pub already_approved: usize,
}

/// Approves the selected entries (the caller holds the library lock unless `dry_run`). An error when the
/// selection names a path outside the library or one that does not exist, or matches no entry at all.
pub fn approve(
    root: &Path,
    selection: &Selection,
    today: Date,
    dry_run: bool,
) -> Result<ApproveReport> {
    let library = super::load(root)?;
    let chooser = Chooser::new(root, selection)?;
    let chosen = |path: &str, entry: Option<&Entry>| chooser.chooses(path, entry);
    let folders = &chooser.folders;
    let mut report = ApproveReport::default();
    let mut matched = 0;
    for entry in &library.entries {
        if !chosen(&entry.path, Some(entry)) {
            continue;
        }
        matched += 1;
        let pending: Vec<String> = entry.pending_wordings().map(str::to_string).collect();
        match entry.status {
            Status::Retired => {
                if !folders.is_empty() {
                    report.refused.push(Refused {
                        path: entry.path.clone(),
                        reason: "it is retired; set its status by hand to bring it back"
                            .to_string(),
                    });
                }
                continue;
            }
            Status::Approved if pending.is_empty() => {
                report.already_approved += 1;
                continue;
            }
            _ => {}
        }
        if let Some(placeholder) = entry.placeholder() {
            report.refused.push(Refused {
                path: entry.path.clone(),
                reason: format!(
                    "it is an unfilled template: its answer still has the placeholder {placeholder}; put the \
                     company's facts in its place, then approve it"
                ),
            });
            continue;
        }
        if !dry_run {
            write::approve_entry(root, &entry.path, today, &pending)?;
        }
        report.approved.push(Approved {
            id: entry.id.clone(),
            path: entry.path.clone(),
            was: entry.status,
            alternates_added: pending,
            derived_from: entry
                .derived_from
                .clone()
                .filter(|parent| library.entry(parent).is_some()),
        });
    }
    // Files the selection names that do not parse cannot be approved: say so rather than skip them. (With a
    // source or tag the file's own `source` and `tags` are unknown, so only path selections name them.)
    if selection.source.is_none() && selection.tag.is_none() {
        for problem in &library.problems {
            if problem.file.ends_with(".md") && chosen(&problem.file, None) {
                matched += 1;
                report.refused.push(Refused {
                    path: problem.file.clone(),
                    reason: format!("it does not parse ({problem})"),
                });
            }
        }
    }
    if matched == 0 {
        bail!("{}", nothing_selected(&library.entries, selection));
    }
    Ok(report)
}

/// What a [`Selection`] chooses, its paths resolved against the library once; shared by `approve` and the bulk
/// review (see #25), so both choose the same entries for the same flags.
pub struct Chooser<'a> {
    /// The selection's paths, relative to the library ("" for the library itself).
    pub folders: Vec<String>,
    selection: &'a Selection,
}

impl<'a> Chooser<'a> {
    /// An error when a path is outside the library or does not exist.
    pub fn new(root: &Path, selection: &'a Selection) -> Result<Chooser<'a>> {
        let folders = selection
            .paths
            .iter()
            .map(|p| library_relative(root, p))
            .collect::<Result<Vec<String>>>()?;
        Ok(Chooser { folders, selection })
    }

    /// Whether the file at `path` (its entry, when it parses) is chosen. An empty selection chooses everything.
    pub fn chooses(&self, path: &str, entry: Option<&Entry>) -> bool {
        let by_path = self.folders.is_empty()
            || self
                .folders
                .iter()
                .any(|f| f.is_empty() || path == f || path.starts_with(&format!("{f}/")));
        let by_source = self.selection.source.as_deref().is_none_or(|wanted| {
            entry
                .and_then(Entry::source_file)
                .is_some_and(|s| same_file_name(s, wanted))
        });
        let by_tag = self.selection.tag.as_deref().is_none_or(|t| {
            entry.is_some_and(|e| e.tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
        });
        by_path && by_source && by_tag
    }
}

/// Why nothing was selected, with what would have matched.
pub fn nothing_selected(entries: &[Entry], selection: &Selection) -> String {
    if let Some(source) = &selection.source {
        let mut sources: Vec<&str> = entries.iter().filter_map(Entry::source_file).collect();
        sources.sort_unstable();
        sources.dedup();
        return if sources.is_empty() {
            format!(
                "no entry was imported or learned from {source} (no entry records a questionnaire)"
            )
        } else {
            format!(
                "no entry was imported or learned from {source}{}; entries record these questionnaires: {}",
                selection
                    .tag
                    .as_deref()
                    .map_or(String::new(), |t| format!(" with tag `{t}`")),
                sources.join(", ")
            )
        };
    }
    if let Some(tag) = &selection.tag {
        return format!("no entry has the tag `{tag}`");
    }
    "the library has no entry there".to_string()
}

/// Whether the file name an entry's `source` records is the questionnaire the user named (a path or a name).
fn same_file_name(recorded: &str, wanted: &str) -> bool {
    let name = |s: &str| {
        Path::new(s)
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    name(recorded) == name(wanted)
}

/// A path given by the user as a path relative to the library root, `/`-separated ("" for the root itself).
fn library_relative(root: &Path, path: &Path) -> Result<String> {
    let absolute = std::fs::canonicalize(path)
        .with_context(|| format!("{} does not exist", path.display()))?;
    let root_absolute = std::fs::canonicalize(root)
        .with_context(|| format!("opening the library folder {}", root.display()))?;
    let Ok(rel) = absolute.strip_prefix(&root_absolute) else {
        bail!(
            "{} is not inside the library {} (give --library the library it belongs to)",
            path.display(),
            root.display()
        );
    };
    if absolute.is_file() && absolute.extension().is_none_or(|e| e != "md") {
        bail!("{} is not a library entry (*.md)", path.display());
    }
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    const TODAY: fn() -> Date = || Date::new(2026, 11, 27).unwrap();

    #[test]
    fn selections_narrow_and_templates_are_refused() {
        let dir = library(&[
            (
                "imported/q/a.md",
                "+++\nquestion = \"A?\"\ntags = [\"sso\"]\nstatus = \"proposed\"\nsource = \"imported from q.xlsx, sheet 'S', cell C3\"\n+++\nYes.\n",
            ),
            (
                "imported/q/b.md",
                "+++\nquestion = \"B?\"\nstatus = \"proposed\"\nsource = \"imported from q.xlsx, sheet 'S', cell C4\"\n+++\nWe keep logs for {{number}} days.\n",
            ),
            (
                "imported/r/c.md",
                "+++\nquestion = \"C?\"\ntags = [\"sso\"]\nstatus = \"proposed\"\nsource = \"imported from r.xlsx, sheet 'S', cell C3\"\n+++\nNo.\n",
            ),
            ("d.md", "+++\nquestion = \"D?\"\n+++\nYes.\n"),
        ]);
        let root = dir.path();
        let by_source = Selection {
            source: Some("some/where/Q.xlsx".into()),
            ..Selection::default()
        };
        let report = approve(root, &by_source, TODAY(), true).unwrap();
        let ids: Vec<&str> = report.approved.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        assert_eq!(report.refused.len(), 1);
        assert!(
            report.refused[0].reason.contains("placeholder {{number}}"),
            "{:?}",
            report.refused
        );
        let by_tag = Selection {
            tag: Some("SSO".into()),
            ..Selection::default()
        };
        let ids: Vec<String> = approve(root, &by_tag, TODAY(), true)
            .unwrap()
            .approved
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, ["a", "c"]);
        let both = Selection {
            tag: Some("sso".into()),
            source: Some("r.xlsx".into()),
            ..Selection::default()
        };
        assert_eq!(
            approve(root, &both, TODAY(), true).unwrap().approved.len(),
            1
        );
        let all = Selection {
            all: true,
            ..Selection::default()
        };
        let report = approve(root, &all, TODAY(), false).unwrap();
        assert_eq!(report.approved.len(), 2);
        assert_eq!(report.already_approved, 1);
        let library = crate::library::load(root).unwrap();
        assert_eq!(library.entry("a").unwrap().status, Status::Approved);
        assert_eq!(library.entry("a").unwrap().reviewed, Some(TODAY()));
        assert_eq!(library.entry("b").unwrap().status, Status::Proposed);
        // Nothing there: an error that names what is there.
        let err = approve(
            root,
            &Selection {
                source: Some("x.xlsx".into()),
                ..Selection::default()
            },
            TODAY(),
            true,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("q.xlsx, r.xlsx"), "{err}");
    }
}
