//! `answerbank search`: the best library entries for a question, with the confidence of the best one.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::ExitStatus;
use crate::cli::SearchArgs;
use answerbank::matching::passages::PassageIndex;
use answerbank::matching::{Matcher, QuestionContext};
use answerbank::text::{printable, snippet};

pub fn run(args: SearchArgs) -> Result<ExitStatus> {
    let index = super::open_index(&args.library.library)?;
    let query = args.query.join(" ");
    let semantic = super::open_semantic(&index, &args.semantic)?;
    if let Some(paths) = &args.docs {
        return search_documents(&index, semantic.as_deref(), paths, &query, &args);
    }
    let matcher = Matcher::new(&index).with_semantic(semantic.as_deref());
    let result = matcher.match_question(&query, &QuestionContext::default(), args.limit)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let items: Vec<_> = result
            .candidates
            .iter()
            .take(args.limit)
            .enumerate()
            .map(|(rank, c)| {
                let entry = &c.entry.entry;
                json!({
                    "rank": rank + 1,
                    "id": entry.id,
                    "score": round3(c.score),
                    "confidence": if rank == 0 { Some(result.confidence.as_str()) } else { None },
                    "question": entry.question,
                    "short_answer": entry.short_answer,
                    "body": entry.body,
                    "path": entry.path,
                    "status": entry.status,
                    "stale": c.stale,
                })
            })
            .collect();
        super::print_json(&items)?;
    } else {
        if result.candidates.is_empty() {
            writeln!(out, "no match: {}", result.reason)?;
        }
        for (rank, c) in result.candidates.iter().take(args.limit).enumerate() {
            let entry = &c.entry.entry;
            let mut flags = Vec::new();
            if rank == 0 {
                flags.push(result.confidence.as_str().to_string());
            }
            if entry.status != answerbank::library::Status::Approved {
                flags.push(entry.status.to_string());
            }
            if c.stale {
                flags.push("stale".to_string());
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            };
            writeln!(out, "{}. {:.2} {}{}", rank + 1, c.score, entry.id, flags)?;
            writeln!(out, "   Q: {}", snippet(&entry.question, 110))?;
            let answer = match &entry.short_answer {
                Some(short) if !entry.body.starts_with(short.as_str()) => {
                    format!("{short}. {}", entry.body)
                }
                _ => entry.body.clone(),
            };
            writeln!(out, "   A: {}", snippet(&answer, 110))?;
        }
    }
    if !result.candidates.is_empty() {
        say!(
            "best match: {} ({})",
            result.confidence,
            printable(&result.reason)
        );
    }
    Ok(ExitStatus::Success)
}

/// `search --docs`: the excerpts of the company's documents that best answer the query, with their source.
fn search_documents(
    index: &answerbank::library::index::LibraryIndex,
    semantic: Option<&dyn answerbank::matching::SemanticSearch>,
    paths: &[std::path::PathBuf],
    query: &str,
    args: &SearchArgs,
) -> Result<ExitStatus> {
    let read = super::read_documents(paths, Some(index))?;
    if read.passages.is_empty() {
        anyhow::bail!(
            if paths.is_empty() && index.settings().documents.is_none() {
                format!(
                    "no documents to search: configure them in {} ([documents] paths = [\"policies\"]) or name them \
                 with --docs=PATH",
                    index.root().join("library.toml").display()
                )
            } else {
                "no passages could be read from the documents (see the warnings above)".to_string()
            }
        );
    }
    let passages = PassageIndex::new(&read.passages, index.analyzer(), semantic)?;
    super::say_embedded(&passages);
    let vector = passages.embed_questions(&[query])?;
    let vector = vector.as_ref().map(|v| v[0].as_slice());
    let found = passages.suggest_up_to(query, vector, args.limit);
    if args.json {
        let items: Vec<_> = found
            .iter()
            .enumerate()
            .map(|(rank, s)| {
                json!({
                    "rank": rank + 1,
                    "score": round3(s.score),
                    "likely": s.likely,
                    "excerpt": s.excerpt,
                    "citation": s.citation,
                    "file": s.file,
                    "placeholder": s.placeholder,
                })
            })
            .collect();
        super::print_json(&items)?;
        return Ok(ExitStatus::Success);
    }
    let mut out = std::io::stdout().lock();
    if found.is_empty() {
        writeln!(out, "nothing in the documents comes close")?;
    }
    for (rank, s) in found.iter().enumerate() {
        let mut flags = Vec::new();
        if s.likely {
            flags.push("likely");
        }
        if s.placeholder {
            flags.push("unfilled placeholder");
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        writeln!(
            out,
            "{}. {:.2} {}{flags}",
            rank + 1,
            s.score,
            printable(&s.citation)
        )?;
        writeln!(out, "   {}", printable(&s.excerpt))?;
    }
    say!(
        "searched {} passages of {} documents",
        read.passages.len(),
        read.files
    );
    Ok(ExitStatus::Success)
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}
