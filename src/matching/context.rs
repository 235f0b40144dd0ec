//! Where a question sits in its questionnaire, and how well that fits a library entry.
//!
//! In: what the reader knows about a row (sheet, section heading, question ID, the question before it).
//! Out: a 0-1 fit per candidate entry. Context never outweighs wording; it separates entries whose wording is the
//! same ("Are the policies and procedures reviewed and updated at least annually?" is asked in several CAIQ
//! domains, each with its own answer; see #4). Evidence, strongest first: the question ID names the entry (its id
//! or its `source`); the ID's prefix (`A&A` of `A&A-01.2`) is one of the entry's tags or the prefix of its
//! source ID; the section heading's words are in the entry's tags.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::analyze::Analyzer;
use crate::library::index::IndexedEntry;

/// What the reader knows about a question's place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The section or domain heading the question is under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The questionnaire's own ID for the question (`A&A-01.2`, `GNRL-01`, `1.2.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_question: Option<String>,
}

impl QuestionContext {
    /// Reads a free-text context (the `context` column of an eval cases file): a word that looks like a question
    /// ID (letters and digits with `-`, `.` or `&`, containing a digit) is the ID; the rest is the section.
    pub fn from_text(text: &str) -> QuestionContext {
        let mut context = QuestionContext::default();
        let mut rest = Vec::new();
        for word in text.split_whitespace() {
            if context.question_id.is_none() && looks_like_question_id(word) {
                context.question_id = Some(
                    word.trim_matches(|c: char| c == ',' || c == ';')
                        .to_string(),
                );
            } else {
                rest.push(word);
            }
        }
        if !rest.is_empty() {
            context.section = Some(rest.join(" "));
        }
        context
    }

    pub fn is_empty(&self) -> bool {
        self.section.is_none() && self.question_id.is_none() && self.previous_question.is_none()
    }

    pub fn analyzed(&self, analyzer: &Analyzer) -> AnalyzedContext {
        let id = self
            .question_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        AnalyzedContext {
            id_slug: id.map(slug),
            id_lower: id.map(|s| s.to_lowercase()),
            prefix: id.and_then(id_prefix),
            section_terms: self
                .section
                .iter()
                .chain(self.sheet.iter())
                .flat_map(|s| analyzer.analyze(s).notions)
                .collect(),
            section_slugs: self
                .section
                .iter()
                .chain(self.sheet.iter())
                .map(|s| compact(s))
                .collect(),
        }
    }
}

/// Context prepared once per question.
#[derive(Debug, Default)]
pub struct AnalyzedContext {
    id_slug: Option<String>,
    id_lower: Option<String>,
    /// The ID's alphabetic prefix, compacted (`A&A-01.2` → `aa`).
    prefix: Option<String>,
    section_terms: HashSet<String>,
    section_slugs: Vec<String>,
}

impl AnalyzedContext {
    pub fn score(&self, candidate: &IndexedEntry) -> f32 {
        let entry = &candidate.entry;
        let source = entry.source.as_deref().unwrap_or("").to_lowercase();
        let source_words: Vec<&str> = source
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .collect();
        if let (Some(slug), Some(lower)) = (&self.id_slug, &self.id_lower)
            && (entry.id == *slug
                || source_words
                    .iter()
                    .any(|w| w.trim_matches(|c: char| c == '(' || c == ')') == lower))
        {
            return 1.0;
        }
        let mut best: f32 = 0.0;
        if let Some(prefix) = &self.prefix {
            let tag_hit = entry.tags.iter().any(|t| compact(t) == *prefix);
            let source_hit = source_words
                .iter()
                .any(|w| id_prefix(w).as_deref() == Some(prefix.as_str()));
            if tag_hit || source_hit {
                best = best.max(0.6);
            }
        }
        if !self.section_slugs.is_empty()
            && entry
                .tags
                .iter()
                .any(|t| self.section_slugs.contains(&compact(t)))
        {
            best = best.max(0.5);
        }
        if !self.section_terms.is_empty() && !candidate.tag_notions.is_empty() {
            let hits = candidate
                .tag_notions
                .iter()
                .filter(|t| self.section_terms.contains(*t))
                .count();
            best = best.max(0.4 * hits as f32 / candidate.tag_notions.len() as f32);
        }
        best
    }
}

/// `A&A-01.2` → `a-a-01-2`: how ids are derived from question IDs.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Lowercase letters and digits only: `A&A` → `aa`, `Audit & Assurance` → `auditassurance`.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The alphabetic prefix of a question ID, compacted: `A&A-01.2` → `aa`, `GNRL-01` → `gnrl`; none for `1.2.3`.
fn id_prefix(id: &str) -> Option<String> {
    let head: String = id.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let prefix = compact(&head);
    (!prefix.is_empty() && prefix.len() < id.len() && id.chars().any(|c| c.is_ascii_digit()))
        .then_some(prefix)
}

/// Letters or digits with separators, containing a digit and of a reasonable length: `A&A-01.2`, `GNRL-01`,
/// `1.2.3`, `Q12`.
pub fn looks_like_question_id(word: &str) -> bool {
    let word = word.trim_matches(|c: char| c == ',' || c == ';' || c == ':');
    (2..=24).contains(&word.len())
        && word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._&/".contains(c))
        && word
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_prefixes() {
        assert_eq!(slug("A&A-01.2"), "a-a-01-2");
        assert_eq!(id_prefix("A&A-01.2").as_deref(), Some("aa"));
        assert_eq!(id_prefix("GNRL-01").as_deref(), Some("gnrl"));
        assert_eq!(id_prefix("1.2.3"), None);
        assert!(looks_like_question_id("A&A-01.2"));
        assert!(looks_like_question_id("1.2.3"));
        assert!(!looks_like_question_id("Audit"));
        let context = QuestionContext::from_text("A&A-01.2 Audit & Assurance");
        assert_eq!(context.question_id.as_deref(), Some("A&A-01.2"));
        assert_eq!(context.section.as_deref(), Some("Audit & Assurance"));
    }
}
