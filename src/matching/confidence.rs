//! Confidence bands: how much a reviewer can trust the best match.
//!
//! In: the ranked candidates of one question. Out: a [`Confidence`] and a short reason.
//! - **high**: the question is, after normalization, an approved entry's question or alternate (exact re-use),
//!   and no other entry with a different answer has the same wording unless context settles which one; or the
//!   score and its margin over the runner-up are in the region where the benchmark's precision is at least 0.95.
//! - **medium**: probably right; **low**: a suggestion; **none**: abstain.
//!
//! `proposed` entries are capped at medium (never drafted unreviewed); retired entries are not in the index.
//! How the thresholds were derived is written beside them.

use std::fmt;

use serde::Serialize;

use super::Candidate;
use crate::library::Status;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub const ALL: [Confidence; 4] = [
        Confidence::High,
        Confidence::Medium,
        Confidence::Low,
        Confidence::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
            Confidence::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Confidence> {
        Confidence::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Thresholds on the re-ranked score (see `rank::Weights`) and on the margin to the runner-up.
pub struct Thresholds {
    pub high_score: f32,
    pub high_margin: f32,
    pub medium_score: f32,
    pub low_score: f32,
    /// Context fit by which the best exact match must beat another exact match with a different answer.
    pub context_margin: f32,
}

/// Derived from `answerbank eval` on the CAIQ bench (see the closing note of #4 for the table):
/// - `high_score`/`high_margin`: the lowest score and margin above which every non-exact case of dev.csv was
///   correct, rounded up for safety (high-band precision must stay ≥ 0.95 on held-back data too);
/// - `medium_score`: where precision of the cases above it falls under about one half;
/// - `low_score`: below it the top entry was almost never right, and the unanswerable cases sit there.
pub const THRESHOLDS: Thresholds = Thresholds {
    high_score: 0.80,
    high_margin: 0.15,
    medium_score: 0.45,
    low_score: 0.25,
    context_margin: 0.2,
};

/// Decides the band of the best candidate (candidates sorted best first).
pub fn decide(candidates: &[Candidate]) -> (Confidence, String) {
    decide_with(candidates, &THRESHOLDS)
}

pub fn decide_with(candidates: &[Candidate], t: &Thresholds) -> (Confidence, String) {
    let Some(best) = candidates.first() else {
        return (
            Confidence::None,
            "no entry shares a meaningful word with the question".to_string(),
        );
    };
    let cap = |confidence: Confidence, reason: String| -> (Confidence, String) {
        if confidence == Confidence::High && best.entry.entry.status != Status::Approved {
            (
                Confidence::Medium,
                format!(
                    "{reason}, but the entry is {} and waits for review",
                    best.entry.entry.status
                ),
            )
        } else {
            (confidence, reason)
        }
    };
    if best.features.exact {
        // Other entries with the same wording but a different answer make the wording alone ambiguous.
        let rivals: Vec<&Candidate> = candidates[1..]
            .iter()
            .filter(|c| c.features.exact && !same_answer(c, best))
            .collect();
        if rivals.is_empty() {
            return cap(
                Confidence::High,
                "exact wording of a library entry".to_string(),
            );
        }
        let rival_context = rivals
            .iter()
            .map(|c| c.features.context)
            .fold(0.0f32, f32::max);
        if best.features.context - rival_context >= t.context_margin {
            return cap(
                Confidence::High,
                "exact wording, and the question's context picks this entry".to_string(),
            );
        }
        return (
            Confidence::Medium,
            format!(
                "the same wording is in {} entries with different answers; context does not settle it",
                rivals.len() + 1
            ),
        );
    }
    let margin = candidates
        .get(1)
        .map_or(best.score, |second| best.score - second.score);
    if best.score >= t.high_score && margin >= t.high_margin {
        return cap(
            Confidence::High,
            format!(
                "close wording (score {:.2}, margin {:.2})",
                best.score, margin
            ),
        );
    }
    if best.score >= t.medium_score {
        let reason = if best.score >= t.high_score {
            format!("close wording, but the runner-up is too close (margin {margin:.2})")
        } else {
            format!("probable match (score {:.2})", best.score)
        };
        return (Confidence::Medium, reason);
    }
    if best.score >= t.low_score {
        return (
            Confidence::Low,
            format!("weak match (score {:.2}), a suggestion only", best.score),
        );
    }
    (
        Confidence::None,
        format!("nothing relevant (best score {:.2})", best.score),
    )
}

fn same_answer(a: &Candidate, b: &Candidate) -> bool {
    a.entry.entry.short_answer == b.entry.entry.short_answer
        && a.entry.entry.body == b.entry.entry.body
}
