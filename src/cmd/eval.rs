//! `answerbank eval`: run labelled questions through the matcher and report how well it did, file by file, with
//! the macro average over files and, with `--baseline`, the simple peers on the same cases (see #15).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;

use super::ExitStatus;
use crate::cli::EvalArgs;
use answerbank::evaluation::peers::{Peer, Peers};
use answerbank::evaluation::suite::{FileRun, SuiteRun, figures};
use answerbank::evaluation::{self, Band, Case, Macro, Outcome, Ranking, Report};
use answerbank::matching::Matcher;
use answerbank::text::snippet;

pub fn run(args: EvalArgs) -> Result<ExitStatus> {
    if !args.docs.is_empty() {
        return super::eval_documents::run(args);
    }
    let files = evaluation::case_files(&args.cases)?;
    let suite: Vec<(String, Vec<Case>)> = files
        .iter()
        .map(|path| Ok((display_name(path), evaluation::load_cases(path)?)))
        .collect::<Result<_>>()?;
    let index = super::open_index(&args.library.library)?;
    let semantic = super::open_semantic(&index, &args.semantic)?;
    let weights = args
        .weights
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .context("reading --weights")?;
    let new_matcher = || {
        let matcher = Matcher::new(&index).with_semantic(semantic.as_deref());
        match &weights {
            Some(weights) => matcher.with_weights(Clone::clone(weights)),
            None => matcher,
        }
    };
    let matcher = new_matcher();
    let dump_matcher = args
        .dump_features
        .as_ref()
        .map(|_| new_matcher().with_every_entry_as_candidate());
    let peers = if args.baseline || args.dump_features.is_some() {
        let searcher = index.searcher();
        Some(Peers::new(
            &index.all_entries(&searcher)?,
            semantic.as_deref(),
        ))
    } else {
        None
    };
    let started = Instant::now();
    let SuiteRun {
        files: runs,
        macro_answerbank,
        macro_peers,
        dump,
    } = evaluation::suite::run_suite(
        &matcher,
        peers.as_ref().filter(|_| args.baseline),
        dump_matcher.as_ref().zip(peers.as_ref()),
        &suite,
    )?;
    let elapsed = started.elapsed();
    if let Some(path) = &args.dump_features {
        let text: String = dump.iter().map(|line| format!("{line}\n")).collect();
        answerbank::fsutil::write_bytes_atomic(
            path,
            answerbank::fsutil::Existing::Replace,
            text.as_bytes(),
        )?;
    }

    if args.json {
        print_json(&runs, &macro_answerbank, &macro_peers)?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{} against {} ({} entries); semantic matching: {}",
            match runs.len() {
                1 => format!(
                    "{} cases ({} answerable)",
                    runs[0].report.cases, runs[0].report.answerable
                ),
                n => format!("{n} case files"),
            },
            index.root().display(),
            index.len(),
            matcher.semantic_status()
        )?;
        if runs.len() == 1 {
            print_report(&mut out, &runs[0].report)?;
        } else {
            print_suite(&mut out, &runs, &macro_answerbank)?;
        }
        if args.baseline {
            print_peers(&mut out, &runs, &macro_answerbank, &macro_peers)?;
        }
    }
    if let Some(path) = &args.details {
        let outcomes: Vec<Outcome> = runs.iter().flat_map(|r| r.outcomes.clone()).collect();
        evaluation::write_details(path, &outcomes)?;
    }
    if let Some(n) = args.show_misses {
        let outcomes: Vec<Outcome> = runs.iter().flat_map(|r| r.outcomes.clone()).collect();
        print_misses(
            &mut std::io::stdout().lock(),
            &evaluation::worst_misses(&outcomes),
            n,
        )?;
    }
    say!(
        "matched {} questions in {} ms",
        suite.iter().map(|(_, c)| c.len()).sum::<usize>(),
        elapsed.as_millis()
    );
    Ok(ExitStatus::Success)
}

/// `caiq/dev.csv` for `../shared/bench/caiq/dev.csv`: the file with its folder, short enough for a table.
pub(super) fn display_name(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

fn print_json(runs: &[FileRun], macro_answerbank: &Macro, peers: &[(Peer, Macro)]) -> Result<()> {
    #[derive(Serialize)]
    struct PeerFile<'a> {
        file: &'a str,
        #[serde(flatten)]
        figures: Ranking,
        standard_errors: Ranking,
    }
    let files: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(&r.report).expect("a report serializes");
            value["file"] = json!(r.name);
            value
        })
        .collect();
    let peer_values: serde_json::Map<String, serde_json::Value> = peers
        .iter()
        .map(|(peer, macro_average)| {
            let per_file: Vec<PeerFile<'_>> = runs
                .iter()
                .filter_map(|r| {
                    r.peers
                        .iter()
                        .find(|(p, _, _)| p == peer)
                        .map(|(_, figures, errors)| PeerFile {
                            file: &r.name,
                            figures: *figures,
                            standard_errors: *errors,
                        })
                })
                .collect();
            (
                serde_json::to_value(peer)
                    .expect("a peer serializes")
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                json!({ "label": peer.label(), "files": per_file, "macro": macro_average }),
            )
        })
        .collect();
    // One file keeps the figures at the top level as before; a suite has them per file.
    let mut value = if runs.len() == 1 {
        serde_json::to_value(&runs[0].report)?
    } else {
        json!({})
    };
    value["files"] = json!(files);
    value["macro"] = serde_json::to_value(macro_answerbank)?;
    if !peers.is_empty() {
        value["peers"] = serde_json::Value::Object(peer_values);
    }
    super::print_json(&value)
}

fn plus_minus(value: f64, error: f64) -> String {
    format!("{value:.3} ± {error:.3}")
}

fn print_report(out: &mut impl Write, report: &Report) -> Result<()> {
    let e = report.standard_errors;
    writeln!(out, "Hit@1  {}", plus_minus(report.hit_at_1, e.hit_at_1))?;
    writeln!(out, "Hit@5  {}", plus_minus(report.hit_at_5, e.hit_at_5))?;
    writeln!(out, "MRR    {}", plus_minus(report.mrr, e.mrr))?;
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
    Ok(())
}

/// One row per file (ranking figures ± standard error, then each band's count and precision), then the macro
/// average over the files with answerable cases.
fn print_suite(out: &mut impl Write, runs: &[FileRun], macro_average: &Macro) -> Result<()> {
    let width = runs.iter().map(|r| r.name.len()).max().unwrap_or(4).max(18);
    writeln!(
        out,
        "{:<width$} {:>5} {:>5}  {:<13}  {:<13}  {:<13}  {:<11} {:<11} {:<11} {:<11} abstention",
        "file", "cases", "ans.", "Hit@1", "Hit@5", "MRR", "high", "medium", "low", "none",
    )?;
    for run in runs {
        let r = &run.report;
        let e = r.standard_errors;
        let ranking = |value: f64, error: f64| {
            if r.answerable == 0 {
                "-".to_string()
            } else {
                plus_minus(value, error)
            }
        };
        let band = |b: Band| format!("{} ({})", b.count, precision(b));
        writeln!(
            out,
            "{:<width$} {:>5} {:>5}  {:<13}  {:<13}  {:<13}  {:<11} {:<11} {:<11} {:<11} {}",
            run.name,
            r.cases,
            r.answerable,
            ranking(r.hit_at_1, e.hit_at_1),
            ranking(r.hit_at_5, e.hit_at_5),
            ranking(r.mrr, e.mrr),
            band(r.bands.high),
            band(r.bands.medium),
            band(r.bands.low),
            band(r.bands.none),
            r.abstention
                .map_or_else(|| "-".to_string(), |a| format!("{a:.3}"))
        )?;
    }
    let e = macro_average.standard_errors;
    writeln!(
        out,
        "{:<width$} {:>5} {:>5}  {:<13}  {:<13}  {:<13}",
        format!("macro ({} files)", macro_average.files),
        "",
        "",
        plus_minus(macro_average.hit_at_1, e.hit_at_1),
        plus_minus(macro_average.hit_at_5, e.hit_at_5),
        plus_minus(macro_average.mrr, e.mrr),
    )?;
    writeln!(
        out,
        "band cells: count (precision: share whose top entry is right); macro over files with answerable cases"
    )?;
    Ok(())
}

/// The suite table of #15: one row per file, one column per method, each cell Hit@1 / Hit@5 / MRR.
fn print_peers(
    out: &mut impl Write,
    runs: &[FileRun],
    macro_answerbank: &Macro,
    macro_peers: &[(Peer, Macro)],
) -> Result<()> {
    let width = runs.iter().map(|r| r.name.len()).max().unwrap_or(4).max(18);
    let cell = |r: &Ranking| format!("{:.3} / {:.3} / {:.3}", r.hit_at_1, r.hit_at_5, r.mrr);
    writeln!(out, "\nHit@1 / Hit@5 / MRR on the same cases:")?;
    write!(out, "{:<width$}  {:<23}", "file", "answerbank")?;
    for (peer, _) in macro_peers {
        write!(out, "  {:<23}", peer.label())?;
    }
    writeln!(out)?;
    for run in runs.iter().filter(|r| r.report.answerable > 0) {
        write!(
            out,
            "{:<width$}  {:<23}",
            run.name,
            cell(&figures(&run.report))
        )?;
        for (_, figures, _) in &run.peers {
            write!(out, "  {:<23}", cell(figures))?;
        }
        writeln!(out)?;
    }
    let macro_cell = |m: &Macro| {
        cell(&Ranking {
            hit_at_1: m.hit_at_1,
            hit_at_5: m.hit_at_5,
            mrr: m.mrr,
        })
    };
    write!(
        out,
        "{:<width$}  {:<23}",
        format!("macro ({} files)", macro_answerbank.files),
        macro_cell(macro_answerbank)
    )?;
    for (_, m) in macro_peers {
        write!(out, "  {:<23}", macro_cell(m))?;
    }
    writeln!(out)?;
    write!(out, "{:<width$}  {:<23}", "macro std. error", {
        let e = macro_answerbank.standard_errors;
        format!("{:.3} / {:.3} / {:.3}", e.hit_at_1, e.hit_at_5, e.mrr)
    })?;
    for (_, m) in macro_peers {
        let e = m.standard_errors;
        write!(
            out,
            "  {:<23}",
            format!("{:.3} / {:.3} / {:.3}", e.hit_at_1, e.hit_at_5, e.mrr)
        )?;
    }
    writeln!(out)?;
    Ok(())
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
