//! `answerbank eval`: run labelled questions through the matcher and report how well it did.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};

use super::ExitStatus;
use crate::cli::EvalArgs;
use answerbank::evaluation::{self, Band, Outcome};
use answerbank::matching::Matcher;
use answerbank::text::snippet;

pub fn run(args: EvalArgs) -> Result<ExitStatus> {
    let cases = evaluation::load_cases(&args.cases)?;
    let index = super::open_index(&args.library.library)?;
    let semantic = super::open_semantic(&index, &args.semantic)?;
    let mut matcher = Matcher::new(&index).with_semantic(semantic.as_deref());
    if let Some(weights) = &args.weights {
        matcher = matcher.with_weights(serde_json::from_str(weights).context("reading --weights")?);
    }
    let started = Instant::now();
    let outcomes = evaluation::run_cases(&matcher, &cases)?;
    let elapsed = started.elapsed();
    let report = evaluation::report(&outcomes, matcher.is_semantic());
    let mut out = std::io::stdout().lock();
    if args.json {
        super::print_json(&report)?;
    } else {
        writeln!(
            out,
            "{} cases ({} answerable) against {} ({} entries); semantic matching: {}",
            report.cases,
            report.answerable,
            index.root().display(),
            index.len(),
            matcher.semantic_status()
        )?;
        writeln!(out, "Hit@1  {:.3}", report.hit_at_1)?;
        writeln!(out, "Hit@5  {:.3}", report.hit_at_5)?;
        writeln!(out, "MRR    {:.3}", report.mrr)?;
        writeln!(out, "band     count  precision")?;
        for (name, band) in [
            ("high", report.bands.high),
            ("medium", report.bands.medium),
            ("low", report.bands.low),
            ("none", report.bands.none),
        ] {
            writeln!(out, "{name:<8} {:>5}  {}", band.count, precision(band))?;
        }
        writeln!(out, "high coverage  {:.3}", report.high_coverage)?;
        match report.abstention {
            Some(abstention) => writeln!(out, "abstention     {abstention:.3}")?,
            None => writeln!(out, "abstention     - (no unanswerable cases)")?,
        }
    }
    if let Some(path) = &args.details {
        evaluation::write_details(path, &outcomes)?;
    }
    if let Some(n) = args.show_misses {
        print_misses(&mut out, &evaluation::worst_misses(&outcomes), n)?;
    }
    eprintln!(
        "matched {} questions in {} ms",
        cases.len(),
        elapsed.as_millis()
    );
    Ok(ExitStatus::Success)
}

fn precision(band: Band) -> String {
    band.precision
        .map_or_else(|| "-".to_string(), |p| format!("{p:.3}"))
}

fn print_misses(out: &mut impl Write, misses: &[&Outcome], n: usize) -> Result<()> {
    writeln!(
        out,
        "\nworst misses ({} of {}):",
        n.min(misses.len()),
        misses.len()
    )?;
    for outcome in misses.iter().take(n) {
        writeln!(out, "- question: {}", snippet(&outcome.case.question, 150))?;
        let expected = if outcome.case.expected.is_empty() {
            "(none: should abstain)".to_string()
        } else {
            outcome.case.expected.join("; ")
        };
        let rank = outcome
            .rank
            .map_or("not in the first 10".to_string(), |r| format!("rank {r}"));
        writeln!(out, "  expected: {expected} ({rank})")?;
        match outcome.result.best() {
            Some(best) => {
                let f = &best.features;
                writeln!(
                    out,
                    "  ranked first: {} [{} {:.2}] {}",
                    best.id(),
                    outcome.result.confidence,
                    best.score,
                    snippet(&best.entry.entry.question, 100)
                )?;
                writeln!(
                    out,
                    "  why: shared {:?}; wording {:.2}, bigrams {:.2}, body {:.2}, tags {:.2}, bm25 {:.2}, context {:.2}; {}",
                    f.shared,
                    f.wording,
                    f.bigram,
                    f.body,
                    f.tags,
                    f.retrieval,
                    f.context,
                    outcome.result.reason
                )?;
            }
            None => writeln!(out, "  ranked first: nothing ({})", outcome.result.reason)?,
        }
    }
    Ok(())
}
