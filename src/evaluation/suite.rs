//! A suite of cases files run through the matcher and, with a baseline, through the simple peers: each file's
//! figures, and the macro average over the files with answerable cases for answerbank and for each peer (see #15).
//! `answerbank eval` opens things, calls [`run_suite`] and prints.

use anyhow::Result;

use super::peers::{Peer, Peers};
use super::{Case, MRR_DEPTH, Macro, Outcome, Ranking, Report};
use crate::matching::Matcher;

/// One cases file and how every method did on it.
#[derive(Debug, Clone)]
pub struct FileRun {
    /// The file's name as shown in tables.
    pub name: String,
    pub outcomes: Vec<Outcome>,
    pub report: Report,
    /// Each peer's figures and their standard errors (with a baseline).
    pub peers: Vec<(Peer, Ranking, Ranking)>,
}

/// Every file of a suite, and the macro averages over those with answerable cases.
#[derive(Debug, Clone)]
pub struct SuiteRun {
    pub files: Vec<FileRun>,
    pub macro_answerbank: Macro,
    /// One per peer that ran, in the order of [`Peer::available`].
    pub macro_peers: Vec<(Peer, Macro)>,
    /// The `--dump-features` lines, when a dump matcher was given (see [`super::feature_dump`]).
    pub dump: Vec<String>,
}

/// Runs every `(name, cases)` file of `suite` through `matcher`; with `baseline` (the [`Peers`] over the same
/// library), ranks the same cases with each peer that can run; with `dump` (a matcher that re-ranks every entry,
/// and the peers), collects the feature dump too.
pub fn run_suite(
    matcher: &Matcher<'_>,
    baseline: Option<&Peers<'_>>,
    dump: Option<(&Matcher<'_>, &Peers<'_>)>,
    suite: &[(String, Vec<Case>)],
) -> Result<SuiteRun> {
    let mut files = Vec::new();
    let mut dump_lines = Vec::new();
    for (name, cases) in suite {
        let questions: Vec<&str> = cases.iter().map(|c| c.question.as_str()).collect();
        let vectors = matcher.embed_all(&questions)?;
        let outcomes = super::run_embedded(matcher, cases, vectors.as_deref(), MRR_DEPTH)?;
        let report = super::report(&outcomes, matcher.is_semantic());
        let peers = match baseline {
            Some(peers) => Peer::available(matcher.is_semantic())
                .into_iter()
                .map(|peer| {
                    let (figures, errors) = peer_ranking(peers, peer, cases, vectors.as_deref());
                    (peer, figures, errors)
                })
                .collect(),
            None => Vec::new(),
        };
        if let Some((every, peers)) = dump {
            dump_lines.extend(super::feature_dump(
                every,
                peers,
                name,
                cases,
                vectors.as_deref(),
            )?);
        }
        files.push(FileRun {
            name: name.clone(),
            outcomes,
            report,
            peers,
        });
    }
    let (macro_answerbank, macro_peers) = macro_averages(&files);
    Ok(SuiteRun {
        files,
        macro_answerbank,
        macro_peers,
        dump: dump_lines,
    })
}

/// One peer's figures on one file's answerable cases.
fn peer_ranking(
    peers: &Peers<'_>,
    peer: Peer,
    cases: &[Case],
    vectors: Option<&[Vec<f32>]>,
) -> (Ranking, Ranking) {
    let ranks: Vec<Option<usize>> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.expected.is_empty())
        .map(|(i, c)| {
            let vector = vectors.map(|v| v[i].as_slice());
            super::rank_of(peers.top(peer, &c.question, vector, MRR_DEPTH), &c.expected)
        })
        .collect();
    super::ranking(&ranks)
}

/// A report's ranking figures, without their standard errors.
pub fn figures(report: &Report) -> Ranking {
    Ranking {
        hit_at_1: report.hit_at_1,
        hit_at_5: report.hit_at_5,
        mrr: report.mrr,
    }
}

/// The macro averages over the files with answerable cases: answerbank's, and each peer's (the peers of the first
/// file, as every file ran the same ones).
fn macro_averages(files: &[FileRun]) -> (Macro, Vec<(Peer, Macro)>) {
    let answerable: Vec<&FileRun> = files.iter().filter(|r| r.report.answerable > 0).collect();
    let macro_answerbank = super::macro_average(
        &answerable
            .iter()
            .map(|r| (figures(&r.report), r.report.standard_errors))
            .collect::<Vec<_>>(),
    );
    let macro_peers = files
        .first()
        .map(|r| r.peers.iter().map(|(p, _, _)| *p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|peer| {
            let per_file: Vec<(Ranking, Ranking)> = answerable
                .iter()
                .filter_map(|r| {
                    r.peers
                        .iter()
                        .find(|(p, _, _)| *p == peer)
                        .map(|(_, f, e)| (*f, *e))
                })
                .collect();
            (peer, super::macro_average(&per_file))
        })
        .collect();
    (macro_answerbank, macro_peers)
}
