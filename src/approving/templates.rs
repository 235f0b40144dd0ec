//! The starter template a proposed entry may fill, offered to the reviewer in the bulk review (see #25).
//!
//! In: the library's index (its unfilled templates are ranked apart from real answers) and the proposed entries
//! under review. Out: for each entry, the template it may answer, if any; each template offered beside one entry
//! at most, the one that matches it best.
//!
//! `import` fills a template by itself only when the imported question is the template's question by a strict rule
//! (`importing::templates`): a wrongly filled template is worse than an empty one. Many more imported answers answer
//! a template in other words ("non-production" for "development and testing", "periodically" for "regularly"),
//! which no general rule should treat as equal, and which a reviewer sees at a glance. So the looser match is only
//! offered, and a person decides: "Fill template" in the review writes the answer into the template and retires the
//! imported entry.

use std::collections::HashMap;

use anyhow::Result;

use crate::library::Entry;
use crate::library::index::LibraryIndex;
use crate::matching::{Confidence, Matcher};
use crate::questionnaire::QuestionContext;
use crate::workbook::entry_review::OfferedTemplate;

/// The most notions a template's closest wording may ask that the entry's question does not: more, and the template
/// asks something else ("How do you manage and rotate encryption keys?" for "Are cryptography, encryption, and key
/// management roles and responsibilities defined?"). Chosen on the CAIQ v4 import with the starter kit (#25), every
/// offer judged by hand: at medium confidence, two keeps 24 offers, 15 of them the same question; one keeps 14 (7
/// the same: the same question in other words differs by a word or two on each side, "non-production" against
/// "development and testing"); three keeps 29 (16).
const MAX_TEMPLATE_NOTIONS_MISSING: usize = 2;

/// For each of `entries` (in order), the unfilled template it may fill: the template matcher's best match for
/// the entry's question, at medium confidence or better, not its opposite ("without" against "with"), and asking
/// at most [`MAX_TEMPLATE_NOTIONS_MISSING`] notions the question lacks; where two entries come to the same
/// template, the one it matches better. An entry that is itself a filled template (it has the starter kit's
/// guidance) is offered none. The offer says which template and what it asks: a template has no answer to show.
pub fn template_offers(
    index: &LibraryIndex,
    entries: &[&Entry],
) -> Result<Vec<Option<OfferedTemplate>>> {
    let mut offers = vec![None; entries.len()];
    let matcher = Matcher::templates(index);
    // An entry keeps no record of the questionnaire's section it came from.
    let context = QuestionContext::default();
    let asking: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].guidance.is_none())
        .collect();
    let questions: Vec<(&str, &QuestionContext)> = asking
        .iter()
        .map(|&i| (entries[i].question.as_str(), &context))
        .collect();
    if questions.is_empty() {
        return Ok(offers);
    }
    let results = matcher.match_all(&questions, 1, &|| {})?;
    // template id → (entry index, lexical score)
    let mut best: HashMap<&str, (usize, f32)> = HashMap::new();
    for (i, result) in results.iter().enumerate() {
        let Some(template) = result.best() else {
            continue;
        };
        let differs = result
            .comparison
            .as_ref()
            .is_some_and(|c| c.opposite || c.only_in_wording.len() > MAX_TEMPLATE_NOTIONS_MISSING);
        if result.confidence < Confidence::Medium || differs {
            continue;
        }
        let slot = best.entry(template.id()).or_insert((i, template.lexical));
        if template.lexical > slot.1 {
            *slot = (i, template.lexical);
        }
    }
    for (id, (i, _)) in best {
        let template = &results[i].candidates[0].entry.entry;
        debug_assert_eq!(template.id, id);
        offers[asking[i]] = Some(OfferedTemplate {
            id: template.id.clone(),
            path: template.path.clone(),
            question: template.question.clone(),
        });
    }
    Ok(offers)
}
