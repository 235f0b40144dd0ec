//! Which unfilled starter template an imported question answers, so its answer fills the template in place
//! instead of becoming a second entry beside it (see #19, #25).
//!
//! In: the template matcher (templates ranked apart from real answers) and the imported questions with their
//! context. Out: for each question, the id of the template it answers, if any; each template claimed by one
//! question at most. What the questionnaire asks in every domain (its [`Boilerplate`]) is measured on the
//! questionnaire itself and discounted from what an imported question adds to a template's.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use crate::matching::{Comparison, Matcher};
use crate::questionnaire::QuestionContext;

/// Notions an imported question may add to a template's wording and still be the same question: "Is data
/// classified according to type and sensitivity levels?" answers "Do you classify data according to its
/// sensitivity?". Three let in near misses on the CAIQ v4 import ("encryption and key management roles and
/// responsibilities defined" for "a documented encryption and key management policy"), checked by hand (#25).
/// The questionnaire's own boilerplate is not counted (see [`Boilerplate`]).
const MAX_EXTRA_NOTIONS: usize = 2;

/// A questionnaire's boilerplate: the notions that at least one question in [`BOILERPLATE_SHARE`] of the
/// imported questionnaire asks (and at least [`BOILERPLATE_MIN_QUESTIONS`] questions). CAIQ asks, in every
/// domain, whether its "policies and procedures [are] established, documented, approved, communicated, applied,
/// evaluated, and maintained": those words say how that questionnaire asks, not what it asks, so "Are
/// cryptography, encryption, and key management policies and procedures established, documented, approved,
/// communicated, applied, evaluated, and maintained?" is still "Do you have a documented encryption and key
/// management policy?" (#25). Measured on the questionnaire itself, not on a list of words: another
/// questionnaire's boilerplate is found the same way. Only what the imported question adds is discounted; a
/// notion of the template that the question lacks still blocks the fill, however common it is.
struct Boilerplate(HashSet<String>);

/// What an imported question may add to a template's question besides its questionnaire's boilerplate, where it
/// adds more than [`MAX_EXTRA_NOTIONS`] in all (see [`templates_answered`]).
const MAX_OWN_NOTIONS_BESIDE_BOILERPLATE: usize = 1;

/// See [`Boilerplate`]: one question in 20. On the CAIQ v4 import (261 questions) that is 14 questions: the
/// domain-policy words, "reviewed", "updated", "annually"; not "resilience" (6) nor "tested" (9).
const BOILERPLATE_SHARE: usize = 20;
const BOILERPLATE_MIN_QUESTIONS: usize = 5;

impl Boilerplate {
    fn of(analyzed: &[crate::analysis::Analyzed]) -> Boilerplate {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for question in analyzed {
            let notions: HashSet<&str> = question.notions.iter().map(String::as_str).collect();
            for notion in notions {
                *counts.entry(notion).or_default() += 1;
            }
        }
        let at_least = (analyzed.len() / BOILERPLATE_SHARE).max(BOILERPLATE_MIN_QUESTIONS);
        Boilerplate(
            counts
                .into_iter()
                .filter(|&(_, n)| n >= at_least)
                .map(|(notion, _)| notion.to_string())
                .collect(),
        )
    }

    /// The words of `extra` (as `question` writes them) that are not boilerplate.
    fn meaningful<'a>(
        &self,
        question: &crate::analysis::Analyzed,
        extra: &'a [String],
    ) -> Vec<&'a String> {
        extra
            .iter()
            .filter(|word| {
                !question
                    .notions
                    .iter()
                    .zip(&question.notion_words)
                    .any(|(notion, w)| w == *word && self.0.contains(notion))
            })
            .collect()
    }
}

/// For each imported question, the template it answers, if any (#25). An imported question answers a template
/// when the template matcher (templates ranked apart from real answers) finds it, and against the template's own
/// question nothing it asks is missing from the imported question, no negation is on one side only, and the
/// imported question adds at most [`MAX_EXTRA_NOTIONS`], or at most [`MAX_OWN_NOTIONS_BESIDE_BOILERPLATE`] besides
/// its questionnaire's [`Boilerplate`]. The match must be medium or better, or low where boilerplate dilutes it: a
/// long question that is the template's question in the questionnaire's own phrasing scores low for its length
/// alone. Each template is filled by one question at most: the one it matches best, so two questions never both
/// claim it.
pub(super) fn templates_answered(
    matcher: Matcher<'_>,
    questions: &[(&str, &QuestionContext)],
) -> Result<Vec<Option<String>>> {
    let results = matcher.match_all(questions, 5, &|| {})?;
    let analyzer = matcher.index().analyzer();
    let analyzed: Vec<crate::analysis::Analyzed> =
        questions.iter().map(|(q, _)| analyzer.analyze(q)).collect();
    let boilerplate = Boilerplate::of(&analyzed);
    // (template, question, lexical score, whether its boilerplate was discounted)
    let mut candidates: Vec<(String, usize, f32, bool)> = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let Some(template) = result.matched() else {
            continue;
        };
        // Filled in place, the answer answers every wording of the template, its question first: the template's
        // alternates are not always the same question ("Who is responsible for encryption?" beside "Do you have
        // an encryption policy?"), so the question itself is compared, not only the closest wording.
        let asked = Comparison::of(
            &analyzed[i],
            &analyzer.analyze(&template.entry.entry.question),
        );
        let extra = boilerplate.meaningful(&analyzed[i], &asked.only_in_question);
        // Boilerplate is discounted only where the question needs it: one adding more than two notions is the
        // template's question if, its boilerplate left out, it adds at most one of its own. "Is business
        // continuity and operational resilience documentation reviewed periodically?" adds 'reviewed' (boilerplate)
        // and 'periodically' and 'resilience' (its own) to "Do you have a business continuity plan?": not filled.
        let diluted = asked.only_in_question.len() > MAX_EXTRA_NOTIONS;
        let covered = !asked.opposite
            && asked.only_in_wording.is_empty()
            && (!diluted || extra.len() <= MAX_OWN_NOTIONS_BESIDE_BOILERPLATE);
        // Medium or better: a proposed template is never high, and high once approved is at least medium. Low
        // only where boilerplate was discounted, and so lowered the score.
        let band = if diluted {
            crate::matching::Confidence::Low
        } else {
            crate::matching::Confidence::Medium
        };
        if covered && result.confidence >= band {
            candidates.push((template.id().to_string(), i, template.lexical, diluted));
        }
    }
    // Where two different questions come down to the same template once their boilerplate is left out, the
    // boilerplate is what tells them apart ("... policies and procedures established, documented, approved, ..."
    // and "... policies and procedures reviewed and updated at least annually" both reduce to "Do you have an
    // encryption policy?"): neither is the template's question.
    let mut reduced: HashMap<&str, HashSet<String>> = HashMap::new();
    for (id, i, _, diluted) in &candidates {
        if *diluted {
            reduced
                .entry(id.as_str())
                .or_default()
                .insert(analyzed[*i].key());
        }
    }
    let ambiguous: HashSet<String> = reduced
        .into_iter()
        .filter(|(_, keys)| keys.len() > 1)
        .map(|(id, _)| id.to_string())
        .collect();
    let mut best: HashMap<String, (usize, f32)> = HashMap::new();
    for (id, i, lexical, diluted) in candidates {
        if diluted && ambiguous.contains(&id) {
            continue;
        }
        let slot = best.entry(id).or_insert((i, lexical));
        if lexical > slot.1 {
            *slot = (i, lexical);
        }
    }
    let mut answered = vec![None; questions.len()];
    for (id, (i, _)) in best {
        answered[i] = Some(id);
    }
    Ok(answered)
}
