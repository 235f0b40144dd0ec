//! How a question differs from the wording of its best match: the check that stands between "close" and "a
//! reviewer would accept it unchanged" (see #14).
//!
//! In: the question's analysis and the analysis of the best candidate's closest wording. Out: a [`Comparison`]:
//! the notions (words, numbers, synonym concepts) only one side has, and whether the two ask opposite things.
//! The rule is general on purpose, not a list of known near-misses: any notion on one side that the other lacks
//! (prevention/detection, privacy/security, 7/30 days, contractors/employees, "critical") blocks high confidence,
//! and the review names it. Synonyms (one concept) and spelling variants ("licence", "license") are not
//! differences; stop words and questionnaire boilerplate never reach this far.

use std::collections::HashSet;

use serde::Serialize;

use super::rank::is_spelling_variant;
use crate::analysis::{Analyzed, CONCEPT_PREFIX};

/// What separates a question from a library wording.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Notions of the question the wording lacks, as the question writes them.
    pub only_in_question: Vec<String>,
    /// Notions of the wording the question lacks, as the wording writes them.
    pub only_in_wording: Vec<String>,
    /// One of them is negated and the other not ("without disruptions" against "a disruption"): the answer to
    /// one is the opposite of the answer to the other.
    pub opposite: bool,
}

impl Comparison {
    /// Compares a question with a wording: by notions (a synonym phrase is one), and when that finds a
    /// difference, by plain words too, since the same words can fall into phrases differently ("encrypt customer
    /// data at rest" and "customer data encrypted at rest").
    pub fn of(question: &Analyzed, wording: &Analyzed) -> Comparison {
        let opposite = question.negations % 2 != wording.negations % 2;
        let words = |a: &Analyzed| -> HashSet<String> {
            a.terms
                .iter()
                .filter(|t| !t.starts_with(CONCEPT_PREFIX))
                .cloned()
                .collect()
        };
        let (only_in_question, only_in_wording) = if words(question) == words(wording) {
            (Vec::new(), Vec::new())
        } else {
            (missing(question, wording), missing(wording, question))
        };
        Comparison {
            only_in_question,
            only_in_wording,
            opposite,
        }
    }

    /// Nothing but synonyms, spelling, inflection and stop words separate them.
    pub fn is_same(&self) -> bool {
        self.only_in_question.is_empty() && self.only_in_wording.is_empty() && !self.opposite
    }

    /// The difference in a reviewer's words, as sentences (see #25: a note a reviewer understands): "The question
    /// asks about 'intrusion prevention', which the entry does not mention; the entry is about 'intrusion
    /// detection'."
    pub fn describe(&self) -> Option<String> {
        let quote = |words: &[String]| {
            let quoted: Vec<String> = words.iter().take(3).map(|w| format!("'{w}'")).collect();
            match quoted.as_slice() {
                [] => String::new(),
                [one] => one.clone(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
            }
        };
        let mut parts = Vec::new();
        match (
            self.only_in_question.is_empty(),
            self.only_in_wording.is_empty(),
        ) {
            (false, false) => parts.push(format!(
                "The question asks about {}, which the entry does not mention; the entry is about {}.",
                quote(&self.only_in_question),
                quote(&self.only_in_wording)
            )),
            (false, true) => parts.push(format!(
                "The question also asks about {}, which the entry does not mention.",
                quote(&self.only_in_question)
            )),
            (true, false) => parts.push(format!(
                "The entry also covers {}, which the question does not ask about.",
                quote(&self.only_in_wording)
            )),
            (true, true) => {}
        }
        if self.opposite {
            parts.push("One of the two is negated, so the answer may be the opposite.".to_string());
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The notions of `a` that `b` lacks (a spelling variant counts as present), as `a` writes them.
fn missing(a: &Analyzed, b: &Analyzed) -> Vec<String> {
    let present: HashSet<&str> = b.notions.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (notion, word) in a.notions.iter().zip(&a.notion_words) {
        if present.contains(notion.as_str()) {
            continue;
        }
        let variant = !notion.starts_with(CONCEPT_PREFIX)
            && b.notions.iter().any(|other| {
                !other.starts_with(CONCEPT_PREFIX) && is_spelling_variant(notion, other)
            });
        if !variant && !out.contains(word) {
            out.push(word.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::synonyms;

    fn compare(question: &str, wording: &str) -> Comparison {
        let analyzer = synonyms::analyzer(true, &[], &[]);
        Comparison::of(&analyzer.analyze(question), &analyzer.analyze(wording))
    }

    #[test]
    fn names_what_differs() {
        let c = compare(
            "Do you use network intrusion prevention?",
            "Do you use network intrusion detection?",
        );
        assert!(!c.is_same());
        assert_eq!(
            c.describe().unwrap(),
            "The question asks about 'intrusion prevention', which the entry does not mention; the entry is about \
             'intrusion detection'."
        );
        let c = compare(
            "Are critical security patches applied within 7 days?",
            "Are security patches applied within 30 days?",
        );
        assert_eq!(c.only_in_question, vec!["critical", "7"]);
        assert_eq!(c.only_in_wording, vec!["30"]);
    }

    #[test]
    fn synonyms_spelling_and_stop_words_are_the_same() {
        assert!(
            compare(
                "Do you support 2FA?",
                "Do you support multi-factor authentication?"
            )
            .is_same()
        );
        assert!(
            compare(
                "Is the licence reviewed by your organisation?",
                "Is the license reviewed?"
            )
            .is_same()
        );
        assert!(
            compare(
                "Is all customer data encrypted at rest?",
                "Is customer data encrypted at rest"
            )
            .is_same()
        );
    }

    #[test]
    fn opposite_questions() {
        let c = compare(
            "Have you operated without unplanned disruptions in the past 12 months?",
            "Have you had an unplanned disruption in the past 12 months?",
        );
        assert!(c.opposite);
        assert!(!c.is_same());
        assert!(c.describe().unwrap().contains("negated"), "{c:?}");
    }
}
