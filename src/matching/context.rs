//! Where a question sits in its questionnaire, and how well that fits a library entry.
//!
//! In: what the reader knows about a row (sheet, section heading, question ID, the question before it).
//! Out: a 0-1 fit per candidate entry. Context never outweighs wording; it separates entries whose wording is the
//! same ("Are the policies and procedures reviewed and updated at least annually?" is asked in several CAIQ
//! domains, each with its own answer; see #4). Evidence, strongest first: the question ID names the entry (its id
//! or its `source`); the ID's prefix (`A&A` of `A&A-01.2`) is one of the entry's tags or the prefix of its
//! source ID; the section heading's words are in the entry's tags.

use std::collections::HashSet;

use crate::analysis::Analyzer;
use crate::analysis::ids::{compact, id_prefix, slug};
use crate::library::index::IndexedEntry;
pub use crate::questionnaire::QuestionContext;

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
    /// Prepares a question's context for scoring candidates.
    pub fn new(context: &QuestionContext, analyzer: &Analyzer) -> AnalyzedContext {
        let id = context
            .question_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        AnalyzedContext {
            id_slug: id.map(slug),
            id_lower: id.map(|s| s.to_lowercase()),
            prefix: id.and_then(id_prefix),
            section_terms: context
                .section
                .iter()
                .chain(context.sheet.iter())
                .flat_map(|s| analyzer.analyze(s).notions)
                .collect(),
            section_slugs: context
                .section
                .iter()
                .chain(context.sheet.iter())
                .map(|s| compact(s))
                .collect(),
        }
    }

    pub fn score(&self, candidate: &IndexedEntry) -> f32 {
        let entry = &candidate.entry;
        // The source's words count only against a question ID; without one, nothing is made of them (#27: this
        // and compacting every tag were 2% of a draft's instructions, called for every candidate).
        let source = match self.id_lower {
            Some(_) => entry.source.as_deref().unwrap_or("").to_lowercase(),
            None => String::new(),
        };
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
            let tag_hit = entry.tags.iter().any(|t| compacts_to(t, prefix));
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
                .any(|t| self.section_slugs.iter().any(|slug| compacts_to(t, slug)))
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

/// Whether `text` compacts to `compacted` (`compact(text) == compacted`), without making the compacted text.
fn compacts_to(text: &str, compacted: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .eq(compacted.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `compacts_to` says what comparing with `compact` says, for tags and IDs of every kind.
    #[test]
    fn compacting_in_place_agrees_with_compact() {
        let texts = [
            "A&A",
            "Audit & Assurance",
            "GNRL-01",
            "Übergabe",
            "İstanbul",
            "",
            "  ",
            "a-b-c",
            "ÅSA",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    compacts_to(a, &compact(b)),
                    compact(a) == compact(b),
                    "{a:?} / {b:?}"
                );
            }
        }
    }
}
