//! Measuring the matcher: the figures `answerbank eval` reports (defined in `shared/bench/README.md`).
//!
//! In: one or more cases files (`question`, `expected` ids separated by `;`, and optionally `context`, `id`,
//! `section`, `previous` columns) and a [`Matcher`]. Out: a [`Report`] per file, with standard errors, and the
//! macro average over the files ([`Macro`]): a suite is judged file by file, never by one file alone (see #15).
//! The questions are matched with [`Matcher::match_all`], exactly as `draft` does, so the figures describe what
//! users get; [`peers`] ranks the same cases with the simple methods answerbank must beat, and [`suite`] runs a
//! whole suite of files and averages it.

pub mod documents;
pub mod peers;
pub mod suite;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::matching::{Confidence, MatchResult, Matcher, QuestionContext};

/// Ranks looked at for MRR (a correct entry further down counts as not found).
const MRR_DEPTH: usize = 10;

/// One labelled question.
#[derive(Debug, Clone)]
pub struct Case {
    pub question: String,
    /// Library ids that answer it; empty when nothing should (the right behaviour is to abstain).
    pub expected: Vec<String>,
    pub context: QuestionContext,
}

/// Opens a cases CSV (rows may have fewer fields than the header) and reads its header row.
pub(crate) fn open_cases(path: &Path) -> Result<(csv::Reader<std::fs::File>, csv::StringRecord)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("opening the cases file {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header row of {}", path.display()))?
        .clone();
    Ok((reader, headers))
}

/// The position of the column named `name` (case-insensitive, spaces around ignored).
pub(crate) fn column_of(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Reads a cases CSV. Columns are found by name (case-insensitive), in any order.
pub fn load_cases(path: &Path) -> Result<Vec<Case>> {
    let (mut reader, headers) = open_cases(path)?;
    let column = |name: &str| column_of(&headers, name);
    let Some(question_col) = column("question") else {
        bail!(
            "{} has no `question` column (found: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let Some(expected_col) = column("expected") else {
        bail!("{} has no `expected` column", path.display());
    };
    let (context_col, id_col, section_col, previous_col) = (
        column("context"),
        column("id"),
        column("section"),
        column("previous"),
    );
    let mut cases = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("reading {} row {}", path.display(), n + 2))?;
        let field = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(question) = field(Some(question_col)) else {
            continue;
        };
        let expected = field(Some(expected_col))
            .map(|e| {
                e.split(';')
                    .map(|id| id.trim().to_string())
                    .filter(|id| !id.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut context = field(context_col)
            .map(|c| QuestionContext::from_text(&c))
            .unwrap_or_default();
        if let Some(id) = field(id_col) {
            context.question_id = Some(id);
        }
        if let Some(section) = field(section_col) {
            context.section = Some(section);
        }
        context.previous_question = field(previous_col);
        cases.push(Case {
            question,
            expected,
            context,
        });
    }
    if cases.is_empty() {
        bail!("{} has no cases (rows with a question)", path.display());
    }
    Ok(cases)
}

/// How one case went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub result: MatchResult,
    /// 1-based rank of the first expected entry within the first [`MRR_DEPTH`], if any.
    pub rank: Option<usize>,
}

impl Outcome {
    pub fn answerable(&self) -> bool {
        !self.case.expected.is_empty()
    }

    pub fn top_correct(&self) -> bool {
        self.rank == Some(1)
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Band {
    pub count: usize,
    /// Share of the band's cases whose top entry is correct (`null` for an empty band).
    pub precision: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bands {
    pub high: Band,
    pub medium: Band,
    pub low: Band,
    pub none: Band,
}

/// The figures, as `--json` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cases: usize,
    pub answerable: usize,
    pub hit_at_1: f64,
    pub hit_at_5: f64,
    pub mrr: f64,
    /// Standard errors of the three ranking figures over the answerable cases.
    pub standard_errors: Ranking,
    /// Of the unanswerable cases, the share that landed in low or none.
    pub abstention: Option<f64>,
    pub bands: Bands,
    /// Share of answerable cases that landed in high.
    pub high_coverage: f64,
    pub semantic: bool,
}

/// Runs every case through the matcher, on all cores.
pub fn run_cases(matcher: &Matcher<'_>, cases: &[Case]) -> Result<Vec<Outcome>> {
    let questions: Vec<&str> = cases.iter().map(|c| c.question.as_str()).collect();
    let vectors = matcher.embed_all(&questions)?;
    run_embedded(matcher, cases, vectors.as_deref(), MRR_DEPTH)
}

/// [`run_cases`] with the questions' embeddings computed beforehand, keeping `limit` candidates per case.
pub fn run_embedded(
    matcher: &Matcher<'_>,
    cases: &[Case],
    vectors: Option<&[Vec<f32>]>,
    limit: usize,
) -> Result<Vec<Outcome>> {
    let questions: Vec<(&str, &QuestionContext)> = cases
        .iter()
        .map(|c| (c.question.as_str(), &c.context))
        .collect();
    let results = matcher.match_embedded(&questions, vectors, limit, &|| {})?;
    Ok(cases
        .iter()
        .zip(results)
        .map(|(case, result)| {
            let rank = rank_of(result.candidates.iter().map(|c| c.id()), &case.expected);
            Outcome {
                case: case.clone(),
                result,
                rank,
            }
        })
        .collect())
}

/// Hit@1, Hit@5 and MRR of one method on one file (or their standard errors).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Ranking {
    pub hit_at_1: f64,
    pub hit_at_5: f64,
    pub mrr: f64,
}

/// The figures of ranked answers, with their standard errors: `ranks` holds the 1-based rank of the first correct
/// entry within the first [`MRR_DEPTH`] of each answerable case.
pub fn ranking(ranks: &[Option<usize>]) -> (Ranking, Ranking) {
    let n = ranks.len();
    if n == 0 {
        return (Ranking::default(), Ranking::default());
    }
    let mean_and_error = |values: &[f64]| {
        let mean = values.iter().sum::<f64>() / n as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        (mean, (variance / n as f64).sqrt())
    };
    let within = |k: usize| -> Vec<f64> {
        ranks
            .iter()
            .map(|r| f64::from(u8::from(r.is_some_and(|r| r <= k))))
            .collect()
    };
    let reciprocal: Vec<f64> = ranks
        .iter()
        .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
        .collect();
    let (h1, h1_se) = mean_and_error(&within(1));
    let (h5, h5_se) = mean_and_error(&within(5));
    let (mrr, mrr_se) = mean_and_error(&reciprocal);
    (
        Ranking {
            hit_at_1: h1,
            hit_at_5: h5,
            mrr,
        },
        Ranking {
            hit_at_1: h1_se,
            hit_at_5: h5_se,
            mrr: mrr_se,
        },
    )
}

/// The 1-based rank of the first of `expected` among `ranked` ids, within the first [`MRR_DEPTH`].
pub fn rank_of<'a>(
    ranked: impl IntoIterator<Item = &'a str>,
    expected: &[String],
) -> Option<usize> {
    ranked
        .into_iter()
        .take(MRR_DEPTH)
        .position(|id| expected.iter().any(|e| e == id))
        .map(|p| p + 1)
}

/// Summarizes outcomes.
pub fn report(outcomes: &[Outcome], semantic: bool) -> Report {
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| o.answerable()).collect();
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let (figures, standard_errors) =
        ranking(&answerable.iter().map(|o| o.rank).collect::<Vec<_>>());
    let band = |confidence: Confidence| {
        let members: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| o.result.confidence == confidence)
            .collect();
        Band {
            count: members.len(),
            precision: (!members.is_empty()).then(|| {
                share(
                    members.iter().filter(|o| o.top_correct()).count(),
                    members.len(),
                )
            }),
        }
    };
    let unanswerable: Vec<&Outcome> = outcomes.iter().filter(|o| !o.answerable()).collect();
    let abstained = unanswerable
        .iter()
        .filter(|o| o.result.confidence <= Confidence::Low)
        .count();
    Report {
        cases: outcomes.len(),
        answerable: answerable.len(),
        hit_at_1: figures.hit_at_1,
        hit_at_5: figures.hit_at_5,
        mrr: figures.mrr,
        standard_errors,
        abstention: (!unanswerable.is_empty()).then(|| share(abstained, unanswerable.len())),
        bands: Bands {
            high: band(Confidence::High),
            medium: band(Confidence::Medium),
            low: band(Confidence::Low),
            none: band(Confidence::None),
        },
        high_coverage: share(
            answerable
                .iter()
                .filter(|o| o.result.confidence == Confidence::High)
                .count(),
            answerable.len(),
        ),
        semantic,
    }
}

/// The macro average over the files of a suite that have answerable cases: each file counts once, whatever its
/// size, so a method cannot win the suite on its largest file alone. The standard error is that of a mean of
/// independent files, `sqrt(Σ se²) / files`.
#[derive(Debug, Clone, Serialize)]
pub struct Macro {
    /// Files averaged (those with answerable cases).
    pub files: usize,
    pub hit_at_1: f64,
    pub hit_at_5: f64,
    pub mrr: f64,
    pub standard_errors: Ranking,
}

/// The macro average of per-file figures and their standard errors.
pub fn macro_average(files: &[(Ranking, Ranking)]) -> Macro {
    let n = files.len().max(1) as f64;
    let mean = |f: fn(&Ranking) -> f64| files.iter().map(|(r, _)| f(r)).sum::<f64>() / n;
    let error =
        |f: fn(&Ranking) -> f64| files.iter().map(|(_, e)| f(e).powi(2)).sum::<f64>().sqrt() / n;
    Macro {
        files: files.len(),
        hit_at_1: mean(|r| r.hit_at_1),
        hit_at_5: mean(|r| r.hit_at_5),
        mrr: mean(|r| r.mrr),
        standard_errors: Ranking {
            hit_at_1: error(|r| r.hit_at_1),
            hit_at_5: error(|r| r.hit_at_5),
            mrr: error(|r| r.mrr),
        },
    }
}

/// The cases files named by `--cases`: files as given, and every `.csv` in a folder, sorted, so a suite is one
/// folder or several files.
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading the cases folder {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
                })
                .collect();
            if found.is_empty() {
                bail!("the cases folder {} holds no .csv file", path.display());
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// One JSON line per case with every entry's ranking features and the peers' scores (`eval --dump-features`),
/// for experiments that choose how to rank offline, by cross-validation over the suite (see docs/matching.md).
/// `matcher` must re-rank every entry ([`Matcher::with_every_entry_as_candidate`]).
pub fn feature_dump(
    matcher: &Matcher<'_>,
    peers: &peers::Peers<'_>,
    file: &str,
    cases: &[Case],
    vectors: Option<&[Vec<f32>]>,
) -> Result<Vec<String>> {
    let outcomes = run_embedded(matcher, cases, vectors, usize::MAX)?;
    let mut lines = Vec::with_capacity(outcomes.len());
    for (i, outcome) in outcomes.iter().enumerate() {
        let vector = vectors.map(|v| v[i].as_slice());
        let peer_scores: Vec<(peers::Peer, std::collections::HashMap<&str, f32>)> =
            [peers::Peer::Bm25Stem, peers::Peer::TfIdf]
                .into_iter()
                .map(|peer| {
                    let scores = peers.scores(peer, &outcome.case.question, vector);
                    (
                        peer,
                        peers.ids().iter().map(String::as_str).zip(scores).collect(),
                    )
                })
                .collect();
        let candidates: Vec<serde_json::Value> = outcome
            .result
            .candidates
            .iter()
            .map(|c| {
                let mut value = serde_json::to_value(&c.features).expect("features serialize");
                value["id"] = serde_json::json!(c.id());
                value["score"] = serde_json::json!(c.score);
                value["lexical"] = serde_json::json!(c.lexical);
                value["has_short_answer"] = serde_json::json!(c.entry.entry.short_answer.is_some());
                for (peer, scores) in &peer_scores {
                    let key = serde_json::to_value(peer).expect("a peer serializes");
                    value[key.as_str().unwrap_or_default()] =
                        serde_json::json!(scores.get(c.id()).copied().unwrap_or(0.0));
                }
                value
            })
            .collect();
        lines.push(
            serde_json::json!({
                "file": file,
                "question": outcome.case.question,
                "expected": outcome.case.expected,
                "confidence": outcome.result.confidence,
                "candidates": candidates,
            })
            .to_string(),
        );
    }
    Ok(lines)
}

/// The worst misses first: wrong answers the matcher was most sure of, then answerable cases it missed
/// entirely, then unanswerable cases it did not abstain on.
pub fn worst_misses(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let mut misses: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            if o.answerable() {
                !o.top_correct()
            } else {
                o.result.confidence > Confidence::Low
            }
        })
        .collect();
    misses.sort_by(|a, b| {
        let score = |o: &Outcome| o.result.best().map_or(0.0, |c| c.score);
        b.result
            .confidence
            .cmp(&a.result.confidence)
            .then(score(b).total_cmp(&score(a)))
    });
    misses
}

/// Writes one CSV row per case, for a closer look in a spreadsheet.
pub fn write_details(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    crate::fsutil::write_atomic(path, crate::fsutil::Existing::Replace, |file| {
        let mut writer = csv::Writer::from_writer(file);
        writer.write_record([
            "question",
            "expected",
            "top",
            "score",
            "margin",
            "wording",
            "confidence",
            "correct",
            "rank",
            "reason",
        ])?;
        for o in outcomes {
            let best = o.result.best();
            let score = best.map_or(0.0, |c| c.score);
            let margin = o.result.margin();
            writer.write_record([
                o.case.question.as_str(),
                &o.case.expected.join(";"),
                best.map_or("", |c| c.id()),
                &format!("{score:.4}"),
                &format!("{margin:.4}"),
                &format!("{:.4}", best.map_or(0.0, |c| c.features.wording)),
                o.result.confidence.as_str(),
                if o.top_correct() { "1" } else { "0" },
                &o.rank.map_or(String::new(), |r| r.to_string()),
                &o.result.reason,
            ])?;
        }
        writer.flush()?;
        Ok(())
    })
}
