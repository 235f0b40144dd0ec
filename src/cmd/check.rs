//! `answerbank check`: validate the library and list what needs a person's attention.

use std::io::Write;

use anyhow::Result;

use super::ExitStatus;
use crate::cli::CheckArgs;
use answerbank::date::Date;
use answerbank::library::{self, check};

pub fn run(args: CheckArgs) -> Result<ExitStatus> {
    let library = library::load(&args.library.library)?;
    let mut findings = check::check_library(&library, Date::today());
    // See #29: a damaged cache made every search panic while check saw no problem.
    findings.extend(library::index::inspect_cache(&library.root)?);
    let mut out = std::io::stdout().lock();
    if args.json {
        super::print_json(&findings)?;
    } else {
        for finding in &findings {
            writeln!(out, "{}", answerbank::text::printable(&finding.to_string()))?;
        }
    }
    let summary = format!(
        "checked {} entries in {}: {}",
        library.entries.len()
            + library
                .problems
                .iter()
                .filter(|p| !matches!(
                    p.kind,
                    check::FindingKind::Settings | check::FindingKind::Link
                ))
                .count(),
        library.root.display(),
        if findings.is_empty() {
            "no problems".to_string()
        } else {
            format!("{} findings", findings.len())
        }
    );
    say!("{summary}");
    Ok(if findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
