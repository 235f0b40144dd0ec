//! Fusing rankings: how the candidates of one question are ordered when there is more than one view of them.
//!
//! In: the candidates with their features (the lexical re-ranker's score, BM25 over plain words, and with a model
//! the similarity of the question to each entry's closest wording and to the entry as a whole). Out: each
//! candidate's [`Candidate::score`] (the order) and `first_in` (in how many rankings it is first, which
//! confidence reads: rankings that agree are rarely wrong).
//!
//! With a model the four rankings are joined by reciprocal-rank fusion, `Σ 1 / (k + rank)`. Chosen by
//! cross-validation on the whole dev suite (CAIQ v3 questions and the three HECVAT crossframe files against the
//! CAIQ v4 library; docs/matching.md has the table): fusion of ranks beat every weighted sum of scores and a
//! learned blend, leave-one-file-out and in 5-fold, because the scores live on scales that shift from one
//! questionnaire to the next while ranks do not. Without a model the lexical score alone orders (adding the
//! plain BM25 ranking measured worse there), and the plain ranking only votes in `first_in`.
//!
//! Exact re-use always comes first, and an entry a reviewer rejected for this wording always last (see #14).

use super::Candidate;

/// The fusion constant. Small: the first few places of each ranking decide (chosen by cross-validation among 5,
/// 10, 20, 40 and 60; 5 was best in every fold).
pub const RRF_K: f32 = 5.0;

/// Scores every candidate and counts where it is first.
pub fn fuse(candidates: &mut [Candidate], semantic: bool) {
    if candidates.is_empty() {
        return;
    }
    let rankings: Vec<Vec<f32>> = if semantic {
        vec![
            candidates.iter().map(|c| c.lexical).collect(),
            candidates
                .iter()
                .map(|c| c.features.semantic_entry.unwrap_or(0.0))
                .collect(),
            candidates
                .iter()
                .map(|c| c.features.semantic_wording.unwrap_or(0.0))
                .collect(),
            candidates.iter().map(|c| c.features.plain).collect(),
        ]
    } else {
        vec![
            candidates.iter().map(|c| c.lexical).collect(),
            candidates.iter().map(|c| c.features.plain).collect(),
        ]
    };
    for c in candidates.iter_mut() {
        c.features.first_in = 0;
        c.score = if semantic { 0.0 } else { c.lexical };
    }
    // A candidate rejected for this wording takes part in no ranking: it neither scores nor is first anywhere.
    let rankings: Vec<Vec<f32>> = rankings
        .into_iter()
        .map(|values| {
            values
                .into_iter()
                .zip(candidates.iter())
                .map(|(v, c)| if c.features.rejected { f32::MIN } else { v })
                .collect()
        })
        .collect();
    for values in &rankings {
        let ranks = ranks(values, candidates);
        for (candidate, rank) in candidates.iter_mut().zip(ranks) {
            if semantic {
                candidate.score += 1.0 / (RRF_K + rank as f32);
            }
            if rank == 1 && !candidate.features.rejected {
                candidate.features.first_in += 1;
            }
        }
    }
}

/// Orders candidates: not rejected before rejected, exact re-use first (between exact ones, the better lexical
/// score: their context), then by score, then by id so that ties never depend on the index.
pub fn sort(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        a.features
            .rejected
            .cmp(&b.features.rejected)
            .then_with(|| b.features.exact.cmp(&a.features.exact))
            .then_with(|| {
                if a.features.exact && b.features.exact {
                    b.lexical.total_cmp(&a.lexical)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.id().cmp(b.id()))
    });
}

/// Each candidate's 1-based rank under `values` (higher is better; ties by id).
fn ranks(values: &[f32], candidates: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .total_cmp(&values[a])
            .then_with(|| candidates[a].id().cmp(candidates[b].id()))
    });
    let mut ranks = vec![0; values.len()];
    for (rank, i) in order.into_iter().enumerate() {
        ranks[i] = rank + 1;
    }
    ranks
}
