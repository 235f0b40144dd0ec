//! `answerbank check`: validate the library and list what needs a person's attention.
//!
//! A count of each kind comes first, then the details (see #25: an import of 261 answers into the starter kit
//! gave 200 template lines that hid the 23 short answers a reviewer must fix). Unfilled templates are counted, not
//! listed, unless `--kind template` asks for them; `--json` always holds every finding it was asked for.

use std::io::Write;

use anyhow::{Result, bail};

use super::ExitStatus;
use crate::cli::CheckArgs;
use answerbank::date::Date;
use answerbank::library::check::{self, FindingKind};
use answerbank::library::{self};

pub fn run(args: CheckArgs) -> Result<ExitStatus> {
    let only = match args.kind.as_deref() {
        None => None,
        Some(name) => match FindingKind::from_name(name) {
            Some(kind) => Some(kind),
            None => bail!(
                "--kind {}: no such kind of finding; the kinds are {}",
                super::shell_word(name),
                FindingKind::ALL.map(FindingKind::as_str).join(", ")
            ),
        },
    };
    let library = library::load(&args.library.library)?;
    let mut findings = check::check_library(&library, Date::today());
    // See #29: a damaged cache made every search panic while check saw no problem.
    findings.extend(library::index::inspect_cache(&library.root)?);
    let documents = library.settings.document_paths(&library.root);
    let read = (!documents.is_empty()).then(|| {
        answerbank::documents::read_with(
            &documents,
            Some(&library.root.join(library::CACHE_DIR)),
            &answerbank::documents::Limits::isolated(),
        )
    });
    if let Some(read) = &read {
        findings.extend(read.problems.iter().map(|problem| {
            let file = problem
                .file
                .strip_prefix(&library.root)
                .unwrap_or(&problem.file);
            check::Finding::new(
                FindingKind::Document,
                &file.display().to_string(),
                None,
                format!("skipped: {}", problem.reason),
            )
        }));
    }
    let counts = check::count_by_kind(&findings);
    let listed: Vec<&check::Finding> = findings
        .iter()
        .filter(|f| only.is_none_or(|kind| f.kind == kind))
        .collect();
    print_counts(
        &counts,
        findings.len(),
        only,
        &library.root.display().to_string(),
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        super::print_json(&listed)?;
    } else {
        for finding in listed
            .iter()
            .filter(|f| only.is_some() || f.kind != FindingKind::Template)
        {
            writeln!(out, "{}", answerbank::text::printable(&finding.to_string()))?;
        }
    }
    let entries = library.entries.len()
        + library
            .problems
            .iter()
            .filter(|p| !matches!(p.kind, FindingKind::Settings | FindingKind::Link))
            .count();
    let result = match (findings.len(), only) {
        (0, _) => "no problems".to_string(),
        (n, None) => format!("{n} findings"),
        (n, Some(kind)) => format!("{n} findings, {} of them {}", listed.len(), kind.as_str()),
    };
    say!(
        "checked {entries} entries in {}: {result}",
        library.root.display()
    );
    if let Some(read) = &read {
        say!(
            "documents: {} passages read from {} documents ([documents] paths in library.toml){}",
            read.passages.len(),
            read.files,
            match read.problems.len() {
                0 => String::new(),
                n => format!("; {n} could not be read (listed above)"),
            }
        );
    }
    Ok(if listed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The summary by kind, before the details: one line per kind, and for unfilled templates (there can be 200 of
/// them in a starter kit) the command that lists them.
fn print_counts(
    counts: &[(FindingKind, usize)],
    total: usize,
    only: Option<FindingKind>,
    library: &str,
) {
    if total == 0 {
        return;
    }
    say!("{total} findings:");
    let width = counts
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for &(kind, n) in counts {
        let note = if kind == FindingKind::Template && only.is_none() {
            format!(
                " (not listed below; `answerbank check --library {} --kind template` lists them)",
                super::shell_word(library)
            )
        } else {
            format!(" ({})", kind.as_str())
        };
        let pad = " ".repeat(width - n.to_string().len());
        say!("  {pad}{}{note}", kind.describe(n));
    }
}
