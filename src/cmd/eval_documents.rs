//! `answerbank eval --docs`: how well the excerpts shown from the company's documents answer labelled questions,
//! file by file, beside the simple peers with `--baseline` (see #24 and `evaluation::documents`).

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::ExitStatus;
use crate::cli::EvalArgs;
use answerbank::evaluation::documents::{self, DocCase, DocRun, Method, PassagePeers};
use answerbank::matching::passages::PassageIndex;

pub fn run(args: EvalArgs) -> Result<ExitStatus> {
    let files = answerbank::evaluation::case_files(&args.cases)?;
    let suite: Vec<(String, Vec<DocCase>)> = files
        .iter()
        .map(|path| {
            Ok((
                super::eval::display_name(path),
                documents::load_cases(path)?,
            ))
        })
        .collect::<Result<_>>()?;
    let index = super::open_index(&args.library.library)?;
    let semantic = super::open_semantic(&index, &args.semantic)?;
    let read = super::read_documents(&args.docs, Some(&index))?;
    let passages = PassageIndex::new(&read.passages, index.analyzer(), semantic.as_deref())?;
    super::say_embedded(&passages);
    let peers = PassagePeers::new(
        &read.passages,
        if args.baseline {
            passages.passage_vectors()
        } else {
            None
        },
    );
    if let Some(path) = &args.dump_features {
        let value = documents::feature_dump(&passages, &suite)?;
        std::fs::write(path, serde_json::to_vec(&value)?)?;
    }
    let methods = Method::available(passages.is_semantic(), args.baseline);
    let started = Instant::now();
    let rows = documents::run_suite(&passages, &peers, &methods, &suite)?;
    let elapsed = started.elapsed();
    if args.json {
        let files: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                let mut value =
                    json!({ "file": row.file, "method": row.method, "label": row.method.label() });
                value["report"] = serde_json::to_value(&row.report).unwrap_or_default();
                if args.show_misses.is_some() {
                    value["shown"] = serde_json::to_value(&row.shown).unwrap_or_default();
                }
                value
            })
            .collect();
        super::print_json(&json!({
            "documents": read.files,
            "passages": read.passages.len(),
            "semantic": passages.is_semantic(),
            "files": files,
        }))?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{} documents ({} passages) from {}; semantic matching: {}",
            read.files,
            read.passages.len(),
            args.docs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if passages.is_semantic() { "on" } else { "off" }
        )?;
        let width = rows.iter().map(|r| r.file.len()).max().unwrap_or(4).max(12);
        writeln!(
            out,
            "{:<width$} {:<24} {:>5}  {:<13}  {:<13}  {:<13}  likely right",
            "file", "method", "cases", "Hit@1", "Hit@3", "likely shown"
        )?;
        for DocRun {
            file,
            method,
            report: r,
            ..
        } in &rows
        {
            let answerable = r.answerable > 0;
            let pm = |s: documents::Share| format!("{:.3} ± {:.3}", s.value, s.se);
            writeln!(
                out,
                "{:<width$} {:<24} {:>5}  {:<13}  {:<13}  {:<13}  {}",
                file,
                method.label(),
                r.cases,
                if answerable {
                    pm(r.hit_at_1)
                } else {
                    "-".into()
                },
                if answerable {
                    pm(r.hit_at_3)
                } else {
                    "-".into()
                },
                if *method == Method::Answerbank {
                    pm(r.likely)
                } else {
                    "-".into()
                },
                r.likely_precision
                    .map_or_else(|| "-".to_string(), |p| format!("{p:.3}"))
            )?;
        }
        if let Some(n) = args.show_misses {
            for row in rows.iter().filter(|r| r.method == Method::Answerbank) {
                let file = &row.file;
                for s in row.shown.iter().filter(|s| s.hit.is_none()).take(n) {
                    writeln!(out, "\n{file}: {}", s.question)?;
                    for (i, x) in s.suggestions.iter().enumerate() {
                        writeln!(
                            out,
                            "  #{} {:.3}{} [{}] {}",
                            i + 1,
                            x.score,
                            if x.likely { " likely" } else { "" },
                            x.citation,
                            answerbank::text::snippet(&x.excerpt, 160)
                        )?;
                    }
                }
            }
        }
    }
    for problem in &read.problems {
        say!(
            "answerbank: warning: {}: {}",
            problem.file.display(),
            problem.reason
        );
    }
    say!(
        "ranked {} questions in {} ms",
        suite.iter().map(|(_, c)| c.len()).sum::<usize>(),
        elapsed.as_millis()
    );
    Ok(ExitStatus::Success)
}
